//! Start-up: decodes everything [`Boot`] needs from what the shell read from ZAF (settings,
//! ticket, viewer, subdomain), with the viewer's timezone from `Intl` and the translations
//! embedded at compile time.
//!
//! Invariant: only `host` knows ZAF JSON; malformed data becomes a [`HostError`] that names the
//! path or setting, never a panic.
use super::decode;
use super::js;
use super::zaf::{number_text, GetResult};
use super::HostError;
use crate::core::settings::{RawSettings, SettingValue};
use crate::core::sidebar::Boot;
use crate::core::text::Catalog;
use wasm_bindgen::JsValue;

/// The setting naming the custom field whose value marks an emergency.
const FIELD_ID_SETTING: &str = "emergency_field_id";

/// The compiled-in English catalog.
pub fn catalog() -> Catalog {
    Catalog::english()
}

/// Assembles [`Boot`] from the answer to [`BOOT_PATHS`] (split out so browser tests can feed
/// fixtures). `custom_field_value` is [`GetResult::field_text`] of the custom field, if any.
pub fn decode_boot(
    settings: RawSettings,
    data: &GetResult,
    custom_field_value: Option<String>,
    viewer_tz: String,
    catalog: Catalog,
) -> Result<Boot, HostError> {
    Ok(Boot {
        settings,
        ticket: data.decode("ticket")?,
        // An unknown field or an unset value is "no value"; the core judges whether that matters.
        custom_field_value,
        ase_field_value: None,
        current_user: data.decode("currentUser")?,
        // Without a usable locale the agent reads English; that is no reason to stop.
        locale: data.decode("currentUser.locale").unwrap_or_default(),
        subdomain: data.decode("currentAccount.subdomain")?,
        viewer_tz,
        seed: (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
        catalog,
    })
}

/// `metadata.settings`, one setting at a time so a bad value names its setting. Missing
/// settings are an empty map: the core then names each setting that needs a value.
pub fn decode_settings(metadata: &JsValue) -> Result<RawSettings, HostError> {
    let Some(settings) = js::field(metadata, "settings") else {
        return Ok(RawSettings::new());
    };
    if !settings.is_object() {
        return Err(HostError::Settings {
            name: "settings".to_string(),
            detail: js::describe(&settings),
        });
    }
    let mut out = RawSettings::new();
    for (name, value) in js::entries(&settings) {
        let decoded: SettingValue =
            decode::decode(&value, "").map_err(|e| HostError::Settings {
                name: name.clone(),
                detail: e.detail,
            })?;
        out.insert(name, decoded);
    }
    Ok(out)
}
/// The custom field id when the setting holds a positive whole number (a number, or text of
/// digits, as admins type it).
pub fn custom_field_id(settings: &RawSettings) -> Option<String> {
    match settings.get(FIELD_ID_SETTING)? {
        SettingValue::Number(n) if *n > 0.0 && n.fract() == 0.0 => Some(number_text(*n)),
        SettingValue::Text(t) => {
            let t = t.trim();
            (t.bytes().all(|b| b.is_ascii_digit()) && !t.trim_start_matches('0').is_empty())
                .then(|| t.to_string())
        }
        _ => None,
    }
}
