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

// Only the app's build script ships these keys (in English); xtask has no use for the rule.
#[allow(dead_code)]
/// Whether a flattened key is written into Slack messages and ticket notes: English only,
/// since everyone in the channel reads them.
pub fn is_shared_key(key: &str) -> bool {
    key.starts_with("slack.") || key.starts_with("note.")
}
