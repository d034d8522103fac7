//! Which translation keys the sidebar reads at run time. Shared, by `#[path]`, between the app's
//! build script (the English strings compiled into the wasm) and `cargo xtask build` (the
//! per-locale strings files), so both ship exactly the same keys.

/// `{"a": {"b": "x"}}` → `[("a.b", "x")]`, in file order; `Err(key)` names a leaf that is
/// neither text nor an object.
pub fn flatten(
    prefix: &str,
    value: &serde_json::Value,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    match value {
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out)?;
            }
        }
        _ => return Err(prefix.to_string()),
    }
    Ok(())
}

/// Whether a flattened key is shown by the sidebar (`ui`, `problems`, `host`, `meta` and the
/// settings' labels, which problems name).
pub fn is_runtime_key(key: &str) -> bool {
    ["ui.", "problems.", "host.", "meta."]
        .iter()
        .any(|p| key.starts_with(p))
        || (key.starts_with("app.parameters.") && key.ends_with(".label"))
}

/// Whether a flattened key is written into Slack messages and ticket notes: English only,
/// since everyone in the channel reads them.
pub fn is_shared_key(key: &str) -> bool {
    key.starts_with("slack.") || key.starts_with("note.")
}

/// The CLDR plural categories, the suffixes of a plural message's keys (`…retry_in.one`).
pub const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The keys the app knows, in the order that numbers them: every runtime and shared key of the
/// English file (`flat`, flattened), plus every plural category of each plural message (a
/// `.other` key with a `.one` beside it: `ui.role.other` is no plural), since another language
/// may need forms English does not; sorted, so the order depends on the keys alone. The app
/// names a message by its number in this list (no key text ships), and the per-locale strings
/// files are arrays in the same order.
pub fn ordered_keys(flat: &[(String, String)]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (key, _) in flat {
        if !(is_runtime_key(key) || is_shared_key(key)) {
            continue;
        }
        keys.push(key.clone());
        let plural = key
            .strip_suffix(".other")
            .filter(|base| flat.iter().any(|(k, _)| *k == format!("{base}.one")));
        if let Some(base) = plural {
            for category in PLURAL_CATEGORIES {
                keys.push(format!("{base}.{category}"));
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}
