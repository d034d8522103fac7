//! The renderer: hands a core [`View`] to `render.js` (beside this file), which draws it inside
//! `#app` with the element ids of CONTRACTS.md §6; a message's technical detail goes into a
//! closed `<details>` disclosure after its sentence. The view crosses as JSON text (one call,
//! and JSON, unlike a Rust map, cannot arrive as `{}`, ZAF.md §8).
//!
//! Invariants: untrusted text stays text: `render.js` makes nodes with `createElement` and fills
//! them with `textContent` only (no HTML parsing anywhere in the app), and links accept only
//! http(s) URLs. The renderer decides nothing: what to show is the view-model's business.
use super::HostError;
use crate::core::view::View;
use wasm_bindgen::prelude::*;
use web_sys::Element;

#[wasm_bindgen(module = "/src/host/render.js")]
extern "C" {
    /// Draws `json` (a [`View`]) into `root`; returns the content height in CSS pixels.
    #[wasm_bindgen(js_name = renderView)]
    fn render_view(root: &Element, json: &str, force: bool) -> u32;
    /// This document's `#app` element, if it has one. (`web_sys::window()` would bring
    /// js-sys's global-object lookup into the bundle: about 1 KB.)
    #[wasm_bindgen(js_name = appRoot)]
    fn app_root() -> Option<Element>;
    /// Sets the document's `lang` and `dir`.
    #[wasm_bindgen(js_name = setLanguage)]
    pub(crate) fn set_language(lang: &str, dir: &str);
}

/// Renders views into one root element.
#[derive(Debug)]
pub struct Renderer {
    root: Element,
    /// Redraw the ping's live region next time even if the ping part did not change: a fresh
    /// renderer, or a click disabled a button.
    force: bool,
}

impl Renderer {
    /// Takes over `root` (normally `main#app`).
    pub fn new(root: Element) -> Result<Renderer, HostError> {
        if root.owner_document().is_none() {
            return Err(HostError::Dom("root has no document".into()));
        }
        Ok(Renderer { root, force: true })
    }

    /// The `#app` element of the current document.
    pub fn for_app() -> Result<Renderer, HostError> {
        let root = app_root().ok_or_else(|| HostError::Dom("no #app element".into()))?;
        Renderer::new(root)
    }

    /// The element views are drawn into.
    pub fn root(&self) -> Element {
        self.root.clone()
    }

    /// Forces the next [`Renderer::render`] to redraw the ping region (after a click disabled a
    /// button).
    pub fn invalidate(&mut self) {
        self.force = true;
    }

    /// Draws `view`. Returns the content height in CSS pixels, for `resize`. Everything but the
    /// ping's live region is drawn anew each time (the sidebar is small); the live region only
    /// when the ping part changed, so screen readers announce changes, not redraws.
    pub fn render(&mut self, view: View) -> Result<u32, HostError> {
        let json = super::json::to_json(&view).map_err(|e| HostError::Encode(e.to_string()))?;
        let height = render_view(&self.root, &json, self.force);
        self.force = false;
        Ok(height)
    }
}
