//! The agent's language: English is compiled in; any other supported locale's strings are one
//! small request (`i18n/<locale>.json`, made by the build from `translations/<locale>.json`
//! and loaded by the shell) laid over English, so a key a translation lacks still reads in English. The document's
//! `lang` and `dir` follow, so Hebrew lays the sidebar out right to left.
//!
//! Invariant: a failed, malformed or slow strings file (app.js gives up after a few seconds)
//! leaves the English catalog and English formats in place (logged), never a blank or stuck
//! sidebar.
use crate::core::text::{self, Catalog};
use wasm_bindgen::JsValue;

/// Switches `catalog` to `locale` (ZAF's `currentUser.locale`, e.g. `de`, `pt-BR`) with
/// `strings`, what the shell loaded from [`text::pick_locale`]'s file (null when that failed).
/// Returns whether the agent's language is in place; `false` when its strings could not be had,
/// so the sidebar is English and must format as English too.
pub fn localize(catalog: &mut Catalog, locale: &str, strings: &JsValue) -> bool {
    let mut applied = true;
    if let Some(file) = text::pick_locale(locale) {
        match entries(strings) {
            Ok(entries) => catalog.overlay(entries),
            Err(detail) => {
                applied = false;
                web_sys::console::warn_1(
                    &format!("strings for {file} unavailable, using English: {detail}").into(),
                );
            }
        }
    }
    super::render::set_language(&catalog.get(k!("meta.lang")), &catalog.get(k!("meta.dir")));
    catalog.set_isolate_values(catalog.get(k!("meta.dir")) == "rtl");
    applied
}

/// The strings file: an array of texts (or `null`) in the build's key order.
fn entries(object: &JsValue) -> Result<Vec<Option<String>>, String> {
    let mut entries = Vec::new();
    if js_sys::Array::is_array(object) {
        for value in js_sys::Array::from(object) {
            entries.push(value.as_string());
        }
    }
    // A file of another build numbers other keys: every text would land on the wrong one.
    if entries.len() != crate::core::text::KEY_COUNT {
        return Err(format!(
            "{} strings, the app knows {}",
            entries.len(),
            crate::core::text::KEY_COUNT
        ));
    }
    if entries.iter().all(Option::is_none) {
        return Err("no strings".to_string());
    }
    Ok(entries)
}
