//! Compiles the English strings the sidebar reads into the app: `translations/en.json`, flattened
//! to the runtime keys (xtask/src/runtime_keys.rs) plus the Slack and note texts. The keys are
//! numbered in [`runtime_keys::ordered_keys`]' order; the app names a message by its number, so
//! no key text ships in the wasm:
//! - `$OUT_DIR/keys.rs`: `const NAMES: [&str; N]`, the keys in that order, and `IN_ENGLISH`,
//!   whether English has each one's text, which `text::key` reads at compile time only (a
//!   misspelt key, or one English has no text for, does not compile);
//! - `$OUT_DIR/en.strings`: the English texts in that order, each ended by an ASCII record
//!   separator (which no translation contains), empty for a plural form English lacks.
//!
//! So the app carries no descriptions, help texts or key names and parses no JSON.
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
    let keys = runtime_keys::ordered_keys(&flat);
    assert!(keys.len() < 0x8000, "translations/en.json: too many keys");
    let mut names = String::from("/// The translation keys, numbered by position.\n");
    names.push_str(&format!("const NAMES: [&str; {}] = [\n", keys.len()));
    // Whether English has the key's text (a plural form it lacks has none).
    let mut english = format!("const IN_ENGLISH: [bool; {}] = [", keys.len());
    let mut strings = String::new();
    for key in &keys {
        names.push_str(&format!("    {key:?},\n"));
        let value = flat.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        english.push_str(if value.is_some() { "true," } else { "false," });
        if let Some(value) = value {
            assert!(
                !value.is_empty() && !value.contains('\u{1e}'),
                "translations/en.json: {key} is empty or holds a record separator"
            );
            strings.push_str(value);
        }
        strings.push('\u{1e}');
    }
    names.push_str("];\n");
    names.push_str(&english);
    names.push_str("];\n");
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let write = |name: &str, text: &str| {
        std::fs::write(Path::new(&dir).join(name), text)
            .unwrap_or_else(|e| panic!("cannot write {name}: {e}"))
    };
    write("keys.rs", &names);
    write("en.strings", &strings);
}
