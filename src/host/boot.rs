//! Start-up: reads everything [`Boot`] needs from ZAF (settings, ticket, viewer, subdomain), the
//! viewer's timezone from `Intl`, and the translations embedded at compile time.
//!
//! Invariant: only `host` knows ZAF JSON; malformed data becomes a [`HostError`] that names the
//! path or setting, never a panic.
use super::js;
use super::tz;
use super::zaf::{number_text, GetResult, ZafClient};
use super::HostError;
use crate::core::settings::{RawSettings, SettingValue};
use crate::core::sidebar::Boot;
use crate::core::text::{Catalog, TranslationNode};

/// `translations/en.json`, compiled in: the app fetches nothing to show its words.
const EN_JSON: &str = include_str!("../../translations/en.json");

/// The setting naming the custom field whose value marks an emergency.
const FIELD_ID_SETTING: &str = "emergency_field_id";

/// The embedded catalog; an unreadable file (a build mistake) degrades to keys shown as text.
pub fn catalog() -> Catalog {
    js_sys::JSON::parse(EN_JSON)
        .ok()
        .and_then(|tree| serde_wasm_bindgen::from_value::<TranslationNode>(tree).ok())
        .map(|tree| Catalog::from_tree(&tree))
        .unwrap_or_default()
}

/// Everything the core needs to start, read from ZAF.
pub async fn read(client: &ZafClient, catalog: Catalog) -> Result<Boot, HostError> {
    let metadata = client.metadata().await?;
    let settings = decode_settings(&metadata)?;
    let field_path =
        custom_field_id(&settings).map(|id| format!("ticket.customField:custom_field_{id}"));
    let mut paths: Vec<String> = ["ticket", "currentUser", "currentAccount.subdomain"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    paths.extend(field_path.iter().cloned());
    let data = client.get(&paths).await?;
    decode_boot(
        settings,
        &data,
        field_path.as_deref(),
        tz::viewer_zone(),
        catalog,
    )
}

/// Assembles [`Boot`] from a decoded `get` answer (split out so browser tests can feed fixtures).
pub fn decode_boot(
    settings: RawSettings,
    data: &GetResult,
    field_path: Option<&str>,
    viewer_tz: String,
    catalog: Catalog,
) -> Result<Boot, HostError> {
    Ok(Boot {
        settings,
        ticket: data.decode("ticket")?,
        // An unknown field or an unset value is "no value"; the core judges whether that matters.
        custom_field_value: field_path.and_then(|p| data.field_text(p)),
        current_user: data.decode("currentUser")?,
        subdomain: data.decode("currentAccount.subdomain")?,
        viewer_tz,
        catalog,
    })
}

/// `metadata.settings`, one setting at a time so a bad value names its setting. Missing
/// settings are an empty map: the core then names each setting that needs a value.
pub fn decode_settings(metadata: &wasm_bindgen::JsValue) -> Result<RawSettings, HostError> {
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
            serde_wasm_bindgen::from_value(value).map_err(|e| HostError::Settings {
                name: name.clone(),
                detail: e.to_string(),
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
