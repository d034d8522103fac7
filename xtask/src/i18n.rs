//! The agent-facing strings files of the package: `assets/i18n/<locale>.json`, one flat object
//! (`{"ui.ping.button": "…"}`) per `translations/<locale>.json` other than English, holding only
//! what the sidebar shows (`ui`, `problems`, `host`, `meta` and the settings' labels). English is
//! compiled into the wasm; Slack messages and ticket notes stay English (shared artefacts that
//! everyone in the channel reads), so `slack.*` and `note.*` are never shipped per locale.

use crate::command::{io_err, Error};
use crate::runtime_keys::{flatten, is_runtime_key};
use serde_json::{Map, Value};
use std::fs;
use std::path::Path;

/// The runtime strings of one translation file, as the JSON text of a flat object; a leaf that
/// is neither text nor an object is an error naming its key.
pub fn runtime_json(translation: &Value) -> Result<String, String> {
    let mut flat = Vec::new();
    flatten("", translation, &mut flat)?;
    let object: Map<String, Value> = flat
        .into_iter()
        .filter(|(k, _)| is_runtime_key(k))
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(Value::Object(object).to_string())
}

/// Writes `assets/i18n/<locale>.json` for every non-English file in `translations/`.
pub fn write_assets(translations: &Path, assets: &Path) -> Result<(), Error> {
    let out_dir = assets.join("i18n");
    fs::create_dir_all(&out_dir).map_err(io_err(format!("cannot create {}", out_dir.display())))?;
    let entries = fs::read_dir(translations)
        .map_err(io_err(format!("cannot read {}", translations.display())))?;
    for entry in entries {
        let path = entry.map_err(io_err("cannot list translations"))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".json") || name == "en.json" {
            continue;
        }
        let text =
            fs::read_to_string(&path).map_err(io_err(format!("cannot read {}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("{} is not JSON: {e}", path.display())))?;
        let target = out_dir.join(name);
        let json = runtime_json(&value).map_err(|key| {
            Error::Invalid(format!(
                "{}: {key} is neither text nor an object",
                path.display()
            ))
        })?;
        fs::write(&target, json).map_err(io_err(format!("cannot write {}", target.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_what_the_sidebar_reads() {
        let tree: Value = serde_json::from_str(
            r#"{"app":{"name":"N","parameters":{"x":{"label":"X","helpText":"H"}}},
                "ui":{"a":"A","b":{"one":"1","other":"n"}},"slack":{"root":"R"},"note":{"t":"T"},
                "problems":{"p":"P"},"host":{"h":"H"},"meta":{"dir":"rtl"}}"#,
        )
        .unwrap_or(Value::Null);
        let json: Value = runtime_json(&tree)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        let mut keys: Vec<&str> = json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "app.parameters.x.label",
                "host.h",
                "meta.dir",
                "problems.p",
                "ui.a",
                "ui.b.one",
                "ui.b.other"
            ]
        );
    }
}
