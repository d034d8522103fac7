//! The agent-facing strings files of the package: `assets/i18n/<locale>.json`, one per
//! `translations/<locale>.json` other than English, holding only what the sidebar shows (`ui`,
//! `problems`, `host`, `meta` and the settings' labels). Each is a JSON array in the key order
//! the app's build numbers its keys by ([`ordered_keys`] of the English file): entry `i` is the
//! text of key `i`, or `null` where the locale has none, so no key text ships. English is
//! compiled into the wasm; Slack messages and ticket notes stay English (shared artefacts that
//! everyone in the channel reads), so `slack.*` and `note.*` are always `null`.

use crate::command::{io_err, Error};
use crate::runtime_keys::{flatten, is_runtime_key, ordered_keys};
use serde_json::Value;
use std::fs;
use std::path::Path;

/// The runtime strings of one translation file as the JSON text of an array in `english`'s key
/// order; a leaf that is neither text nor an object is an error naming its key.
pub fn runtime_json(english: &Value, translation: &Value) -> Result<String, String> {
    let (mut en, mut flat) = (Vec::new(), Vec::new());
    flatten("", english, &mut en)?;
    flatten("", translation, &mut flat)?;
    let texts: Vec<Value> = ordered_keys(&en)
        .iter()
        .map(|key| {
            flat.iter()
                .find(|(k, _)| k == key && is_runtime_key(k))
                .map_or(Value::Null, |(_, v)| Value::String(v.clone()))
        })
        .collect();
    Ok(Value::Array(texts).to_string())
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let text =
        fs::read_to_string(path).map_err(io_err(format!("cannot read {}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Invalid(format!("{} is not JSON: {e}", path.display())))
}

/// Writes `assets/i18n/<locale>.json` for every non-English file in `translations/`.
pub fn write_assets(translations: &Path, assets: &Path) -> Result<(), Error> {
    let out_dir = assets.join("i18n");
    fs::create_dir_all(&out_dir).map_err(io_err(format!("cannot create {}", out_dir.display())))?;
    let english = read_json(&translations.join("en.json"))?;
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
        let value = read_json(&path)?;
        let target = out_dir.join(name);
        let json = runtime_json(&english, &value).map_err(|key| {
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
    fn ships_only_what_the_sidebar_reads_in_the_key_order() {
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
        let english = parse(
            r#"{"app":{"name":"N","parameters":{"x":{"label":"X","helpText":"H"}}},
                "ui":{"a":"A","b":{"one":"1","other":"n"}},"slack":{"root":"R"},"note":{"t":"T"},
                "problems":{"p":"P"},"host":{"h":"H"},"meta":{"dir":"rtl"}}"#,
        );
        // The translation has a plural form English lacks, a text English does not know, and
        // Slack and note texts that must not ship.
        let translated = parse(
            r#"{"app":{"name":"M","parameters":{"x":{"label":"Ξ","helpText":"h"}}},
                "ui":{"a":"Α","b":{"one":"ein","two":"zwei","other":"viele"},"zzz":"?"},
                "slack":{"root":"ρ"},"note":{"t":"τ"},"problems":{"p":"Π"},"meta":{"dir":"ltr"}}"#,
        );
        let json = runtime_json(&english, &translated)
            .map(|text| parse(&text))
            .unwrap_or(Value::Null);
        let text = |s: &str| Value::String(s.to_string());
        let n = Value::Null;
        // app.parameters.x.label, host.h, meta.dir, note.t, problems.p, slack.root, ui.a,
        // ui.b.{few, many, one, other, two, zero}.
        let want = [
            text("Ξ"),
            n.clone(),
            text("ltr"),
            n.clone(),
            text("Π"),
            n.clone(),
            text("Α"),
            n.clone(),
            n.clone(),
            text("ein"),
            text("viele"),
            text("zwei"),
            n,
        ];
        assert_eq!(json, Value::Array(want.to_vec()));
    }
}
