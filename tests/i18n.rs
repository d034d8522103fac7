//! The translation files against `translations/en.json`: every locale the app speaks has a
//! file, each file has exactly English's keys (minus the Slack messages and ticket notes, which
//! stay English by design), with the locale's own plural categories, the same `{{placeholders}}`,
//! no empty or untranslated-looking strings, and the right `meta.lang` and `meta.dir`.
//!
//! One test collects every problem, so a translator sees the whole list in one run.
// Helpers sit outside `#[test]` functions, where clippy's test exemption does not reach; a
// missing or malformed translation file should stop the test with its message.
#![allow(clippy::expect_used)]
use ase_emergency_assist::core::text::LOCALES;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

/// The locales with a `translations/<locale>.json` besides English.
const EXPECTED_LOCALES: [&str; 6] = ["de", "es", "fr", "he", "ja", "pt-br"];

/// Top-level parts of `en.json` that are never translated (shared Slack messages, ticket notes).
const ENGLISH_ONLY: [&str; 2] = ["slack", "note"];

/// The CLDR cardinal plural categories the browser's `Intl.PluralRules` uses for a locale.
fn plural_categories(locale: &str) -> Option<&'static [&'static str]> {
    match locale {
        "de" => Some(&["one", "other"]),
        "es" | "fr" | "pt-br" => Some(&["one", "many", "other"]),
        "he" => Some(&["one", "two", "other"]),
        "ja" => Some(&["other"]),
        _ => None,
    }
}

fn translations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("translations")
}

fn read_json(file: &str) -> Value {
    let path = translations_dir().join(file);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not valid JSON: {e}"))
}

/// The locale names of the non-English files in `translations/`, sorted.
fn translation_locales() -> BTreeSet<String> {
    fs::read_dir(translations_dir())
        .expect("translations/ is readable")
        .map(|entry| entry.expect("translations/ lists").file_name())
        .filter_map(|name| name.to_str()?.strip_suffix(".json").map(str::to_string))
        .filter(|locale| locale != "en")
        .collect()
}

/// `{"a": {"b": "x"}}` → `{"a.b": "x"}`; a leaf that is neither a string nor an object is a
/// problem.
fn flatten(
    file: &str,
    prefix: &str,
    map: &Map<String, Value>,
    out: &mut BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    for (key, value) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::String(s) => {
                out.insert(path, s.clone());
            }
            Value::Object(children) => flatten(file, &path, children, out, problems),
            other => problems.push(format!("{file}: {path}: not a string or object: {other}")),
        }
    }
}

/// The key paths of English's plural messages: objects of strings keyed `other` and maybe `one`.
fn plural_messages(prefix: &str, map: &Map<String, Value>, out: &mut BTreeSet<String>) {
    for (key, value) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Value::Object(children) = value {
            let is_plural = children.contains_key("other")
                && children.keys().all(|k| k == "one" || k == "other")
                && children.values().all(Value::is_string);
            if is_plural {
                out.insert(path);
            } else {
                plural_messages(&path, children, out);
            }
        }
    }
}

/// The names of the `{{placeholders}}` in a message, trimmed as the catalog trims them.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        names.insert(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    names
}

/// The plural message a flattened key belongs to, with its category: `a.b.one` → (`a.b`, `one`).
fn plural_parent<'a>(key: &'a str, plurals: &BTreeSet<String>) -> Option<(&'a str, &'a str)> {
    let (parent, category) = key.rsplit_once('.')?;
    plurals.contains(parent).then_some((parent, category))
}

/// English's translatable strings: everything but the English-only parts.
fn english_catalog(problems: &mut Vec<String>) -> (BTreeMap<String, String>, BTreeSet<String>) {
    let en = read_json("en.json");
    let root = en.as_object().expect("en.json is a JSON object");
    let mut all = BTreeMap::new();
    flatten("en.json", "", root, &mut all, problems);
    let translatable = all
        .into_iter()
        .filter(|(k, _)| !ENGLISH_ONLY.iter().any(|p| k.starts_with(&format!("{p}."))))
        .collect();
    let mut plurals = BTreeSet::new();
    plural_messages("", root, &mut plurals);
    (translatable, plurals)
}

/// Every problem of one translation file.
fn check_locale(
    locale: &str,
    english: &BTreeMap<String, String>,
    plurals: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let file = format!("{locale}.json");
    let json = read_json(&file);
    let Some(root) = json.as_object() else {
        problems.push(format!("{file}: not a JSON object"));
        return;
    };
    let Some(categories) = plural_categories(locale) else {
        problems.push(format!(
            "{file}: no plural categories listed for {locale} in the test"
        ));
        return;
    };
    let mut translated = BTreeMap::new();
    flatten(&file, "", root, &mut translated, problems);

    // Keys English has that the translation lacks. A plural message needs every category of
    // the locale (else "1 Sekunden"), whichever categories English itself has.
    for key in english.keys() {
        match plural_parent(key, plurals) {
            Some((parent, "other")) => {
                for category in categories {
                    let form = format!("{parent}.{category}");
                    if !translated.contains_key(&form) {
                        problems.push(format!("{file}: {form}: missing plural form"));
                    }
                }
            }
            Some(_) => {}
            None if !translated.contains_key(key) => {
                problems.push(format!("{file}: {key}: missing"));
            }
            None => {}
        }
    }

    for (key, text) in &translated {
        // The English message this key translates: plural categories compare with `other`.
        let source = match plural_parent(key, plurals) {
            Some((parent, category)) => {
                if !categories.contains(&category) {
                    problems.push(format!(
                        "{file}: {key}: \"{category}\" is not a plural category of {locale} \
                         (it has {})",
                        categories.join(", ")
                    ));
                    continue;
                }
                english.get(&format!("{parent}.other"))
            }
            None => english.get(key),
        };
        let Some(source) = source else {
            let why = if ENGLISH_ONLY
                .iter()
                .any(|p| key.starts_with(&format!("{p}.")))
            {
                "stays English by design; remove it"
            } else {
                "not in en.json"
            };
            problems.push(format!("{file}: {key}: {why}"));
            continue;
        };
        if text.trim().is_empty() {
            problems.push(format!("{file}: {key}: empty"));
        }
        if text.trim() == key {
            problems.push(format!("{file}: {key}: the text is its own key"));
        }
        let (want, got) = (placeholders(source), placeholders(text));
        if want != got {
            problems.push(format!(
                "{file}: {key}: placeholders {got:?}, English has {want:?}"
            ));
        }
    }

    let want_dir = if locale == "he" { "rtl" } else { "ltr" };
    match translated.get("meta.dir") {
        Some(dir) if dir == want_dir => {}
        other => problems.push(format!(
            "{file}: meta.dir: {other:?}, expected \"{want_dir}\""
        )),
    }
    match translated.get("meta.lang") {
        Some(lang) if lang.trim().eq_ignore_ascii_case(locale) => {}
        other => problems.push(format!(
            "{file}: meta.lang: {other:?}, expected the locale tag {locale:?} (any case)"
        )),
    }
}

#[test]
fn placeholders_are_read_like_the_catalog_reads_them() {
    let names = |text: &str| placeholders(text).into_iter().collect::<Vec<_>>();
    assert_eq!(names("no placeholders"), Vec::<String>::new());
    assert_eq!(names("{{a}} and {{ b }} and {{a}}"), ["a", "b"]);
    assert_eq!(names("open {{a"), Vec::<String>::new());
}

#[test]
fn translations_match_english() {
    let mut problems = Vec::new();

    let found = translation_locales();
    let expected: BTreeSet<String> = EXPECTED_LOCALES.iter().map(|l| l.to_string()).collect();
    let declared: BTreeSet<String> = LOCALES.iter().map(|l| l.to_string()).collect();
    if found != expected {
        problems.push(format!(
            "translations/: non-English files are {found:?}, expected {expected:?}"
        ));
    }
    if declared != expected {
        problems.push(format!(
            "core::text::LOCALES is {declared:?}, expected {expected:?}"
        ));
    }

    let (english, plurals) = english_catalog(&mut problems);
    assert!(
        !plurals.is_empty(),
        "en.json has plural messages to compare"
    );
    for locale in found.iter().filter(|l| expected.contains(*l)) {
        check_locale(locale, &english, &plurals, &mut problems);
    }

    assert!(
        problems.is_empty(),
        "{} translation problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
