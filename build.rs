//! Compiles the English strings the sidebar reads into the app: `translations/en.json`, flattened
//! to the runtime keys (xtask/src/runtime_keys.rs) plus the Slack and note texts, written to
//! `$OUT_DIR/en.strings` as `key US value RS` records (ASCII unit and record separators, which no
//! translation contains), so the app carries no descriptions or help texts and parses no JSON.
use std::path::Path;

#[path = "xtask/src/runtime_keys.rs"]
mod runtime_keys;

fn main() {
    println!("cargo:rerun-if-changed=translations/en.json");
    println!("cargo:rerun-if-changed=xtask/src/runtime_keys.rs");
    let text = std::fs::read_to_string("translations/en.json")
        .unwrap_or_else(|e| panic!("cannot read translations/en.json: {e}"));
    let tree: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("translations/en.json is not JSON: {e}"));
    let mut flat = Vec::new();
    runtime_keys::flatten("", &tree, &mut flat)
        .unwrap_or_else(|key| panic!("translations/en.json: {key} is neither text nor an object"));
    let mut out = String::new();
    for (key, value) in flat {
        if !(runtime_keys::is_runtime_key(&key) || runtime_keys::is_shared_key(&key)) {
            continue;
        }
        assert!(
            !key.contains(['\u{1f}', '\u{1e}']) && !value.contains(['\u{1f}', '\u{1e}']),
            "translations/en.json: {key} holds a separator character"
        );
        out.push_str(&key);
        out.push('\u{1f}');
        out.push_str(&value);
        out.push('\u{1e}');
    }
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    std::fs::write(Path::new(&dir).join("en.strings"), out)
        .unwrap_or_else(|e| panic!("cannot write en.strings: {e}"));
}
