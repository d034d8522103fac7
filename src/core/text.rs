//! User-facing words. Every string a person reads comes from `translations/en.json` through a
//! [`Catalog`]; the core names messages by key and fills `{{placeholders}}` from arguments.
use super::locale::Plural;
use super::map::SmallMap;
use serde::Deserialize;

/// A translation file as Zendesk stores it: nested objects whose leaves are strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TranslationNode {
    Leaf(String),
    Branch(SmallMap<TranslationNode>),
}

/// The locales the app speaks besides English (`translations/<locale>.json`, one strings file
/// each in the package's `assets/i18n/`), as Zendesk names them.
pub const LOCALES: [&str; 6] = ["de", "es", "fr", "he", "ja", "pt-br"];

/// The strings file for a Zendesk locale (`de`, `pt-BR`, `fr-CA`, `es-419`): the exact locale,
/// else its language; `None` for English and for locales the app does not speak (English
/// then, which is compiled in).
pub fn pick_locale(locale: &str) -> Option<&'static str> {
    let tag = dashes(&locale.trim().to_ascii_lowercase());
    let language = tag.split('-').next().unwrap_or_default();
    LOCALES
        .iter()
        .find(|l| **l == tag)
        .or_else(|| {
            LOCALES
                .iter()
                .find(|l| l.split('-').next() == Some(language))
        })
        .copied()
}

/// `locale` with `-` for `_` (`pt_BR` → `pt-BR`), without `str::replace`'s searcher machinery.
fn dashes(locale: &str) -> String {
    let mut out = String::new();
    for c in locale.chars() {
        out.push(if c == '_' { '-' } else { c });
    }
    out
}

/// The locale to write dates, times and numbers in: the agent's own when the app speaks its
/// language (so `en-GB` keeps its 24-hour clock, `pt-BR` its separators), else English, so a
/// weekday name never sits in another language inside an English sentence.
pub fn format_locale(locale: &str) -> String {
    let tag = dashes(locale.trim());
    let language = tag.split('-').next().unwrap_or_default();
    if language.eq_ignore_ascii_case("en") || pick_locale(&tag).is_some() {
        tag
    } else {
        "en".to_string()
    }
}

include!(concat!(env!("OUT_DIR"), "/keys.rs"));

/// A translation key, by its number in the build's key list (`build.rs`): the app ships the
/// numbers, never the key texts. Made at compile time by [`k!`](crate::k), so a key that
/// `translations/en.json` lacks does not compile. The top bit marks a shared text (Slack
/// messages and ticket notes: English, never isolated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(u16);

const SHARED: u16 = 0x8000;

/// `const` byte equality of `a` with `b` + `c` (`c` may be empty).
const fn equals(a: &[u8], b: &[u8], c: &[u8]) -> bool {
    if a.len() != b.len() + c.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let want = if i < b.len() { b[i] } else { c[i - b.len()] };
        if a[i] != want {
            return false;
        }
        i += 1;
    }
    true
}

const fn starts_with(a: &[u8], prefix: &[u8]) -> bool {
    a.len() >= prefix.len() && {
        let mut i = 0;
        while i < prefix.len() && a[i] == prefix[i] {
            i += 1;
        }
        i == prefix.len()
    }
}

/// The number of `name` + `suffix` in the key list, if it is there.
const fn position(name: &str, suffix: &str) -> Option<u16> {
    let mut i = 0;
    while i < NAMES.len() {
        if equals(NAMES[i].as_bytes(), name.as_bytes(), suffix.as_bytes()) {
            return Some(i as u16);
        }
        i += 1;
    }
    None
}

/// Texts that go to others as plain text are never isolated (see [`Catalog::render`]): the
/// Slack messages and ticket notes, and the customer's follow-up draft (which, unlike them, is
/// translated: it is written in the agent's language).
const fn with_flag(index: u16, name: &str) -> Key {
    let b = name.as_bytes();
    let shared = starts_with(b, b"slack.")
        || starts_with(b, b"note.")
        || starts_with(b, b"ui.follow_up.draft");
    Key(if shared { index | SHARED } else { index })
}

/// The key `name`; meant for compile time ([`k!`](crate::k)), where a key English has no text
/// for is an error.
pub const fn key(name: &str) -> Key {
    match position(name, "") {
        Some(index) if IN_ENGLISH[index as usize] => with_flag(index, name),
        _ => panic!("no such text in translations/en.json"),
    }
}

/// How many keys the build numbered: the length of every strings file.
pub const KEY_COUNT: usize = NAMES.len();

/// The forms of a plural message (`base.one`, `base.other`, …), by CLDR category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluralKey([Key; 6]);

/// The plural message `base`; meant for compile time ([`pk!`](crate::pk)). Every form has a
/// number (the build numbers them all), so only `base.other` must exist in English.
pub const fn plural_key(base: &str) -> PluralKey {
    const SUFFIXES: [&str; 6] = [".zero", ".one", ".two", ".few", ".many", ".other"];
    let mut forms = [Key(0); 6];
    let mut i = 0;
    while i < 6 {
        forms[i] = match position(base, SUFFIXES[i]) {
            Some(index) => with_flag(index, base),
            None => panic!("no such plural message in translations/en.json"),
        };
        i += 1;
    }
    PluralKey(forms)
}

/// The key named `name` at run time (tests and tools; the app names keys at compile time),
/// `None` when the build numbered no such key.
pub fn key_named(name: &str) -> Option<Key> {
    position(name, "").map(|index| with_flag(index, name))
}

impl Key {
    /// Its number: its place in a strings file's array.
    pub fn index(self) -> usize {
        usize::from(self.0 & !SHARED)
    }
}

/// The key's name (tests and tools).
pub fn key_name(key: Key) -> &'static str {
    NAMES[key.index()]
}

/// The translations, by key number: `k!("ui.ping.button")` → `"Ping ASE"`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    values: Vec<Option<String>>,
    /// Wrap each filled-in value in Unicode isolates (FSI … PDI) in the agent's messages, so in
    /// a right-to-left language an untrusted left-to-right value ("@maria", "Acme, Inc.") keeps
    /// its own order and cannot reorder the sentence around it.
    isolate_values: bool,
}

/// The English strings the app shows and writes, compiled in by `build.rs` from
/// `translations/en.json`: one text per key number, each ended by a record separator.
const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.strings"));

impl Catalog {
    /// English, the app's own language and every other locale's fallback.
    pub fn english() -> Catalog {
        let mut values = Vec::new();
        for value in ENGLISH.split_terminator('\u{1e}') {
            values.push((!value.is_empty()).then(|| value.to_string()));
        }
        Catalog {
            values,
            isolate_values: false,
        }
    }

    /// A catalog of the keys of a translation tree (tests and tools); keys the build did not
    /// number are left out.
    pub fn from_tree(root: &TranslationNode) -> Self {
        let mut entries = SmallMap::new();
        flatten("", root, &mut entries);
        Catalog::from_entries(entries)
    }

    /// A catalog of already flattened entries (`"ui.ping.button"` → `"Ping ASE"`; tests and
    /// tools); keys the build did not number are left out.
    pub fn from_entries(entries: SmallMap<String>) -> Self {
        let mut catalog = Catalog {
            values: vec![None; NAMES.len()],
            isolate_values: false,
        };
        for (name, value) in entries.iter() {
            if let Some(key) = key_named(name) {
                catalog.set(key, value.clone());
            }
        }
        catalog
    }

    /// Isolates filled-in values in the agent's messages (for a right-to-left language); never
    /// in the Slack and note texts or the customer's follow-up draft, which go to others as
    /// plain text.
    pub fn set_isolate_values(&mut self, isolate: bool) {
        self.isolate_values = isolate;
    }

    fn set(&mut self, key: Key, value: String) {
        if let Some(slot) = self.values.get_mut(key.index()) {
            *slot = Some(value);
        }
    }

    /// Lays a locale's strings over the catalog: entry `i` is the text of key number `i` (the
    /// strings file is an array in the build's key order); a translation replaces the English
    /// it numbers, and a missing one (`None`; the files hold none for the shared texts) leaves
    /// English.
    pub fn overlay(&mut self, entries: impl IntoIterator<Item = Option<String>>) {
        for (index, value) in entries.into_iter().enumerate() {
            if let (Some(value), Some(slot)) = (value, self.values.get_mut(index)) {
                *slot = Some(value);
            }
        }
    }

    fn value(&self, key: Key) -> Option<&String> {
        self.values.get(key.index())?.as_ref()
    }

    pub fn contains(&self, key: Key) -> bool {
        self.value(key).is_some()
    }

    /// The message for `key` with `{{name}}` replaced by the matching argument. A key without
    /// a text (a plural form the language lacks) renders empty.
    pub fn render(&self, key: Key, args: &[(&str, &str)]) -> String {
        let Some(template) = self.value(key) else {
            return String::new();
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(open) = find(rest, "{{") {
            let (Some(before), Some(after)) = (rest.get(..open), rest.get(open + 2..)) else {
                break;
            };
            out.push_str(before);
            let Some(close) = find(after, "}}") else {
                out.push_str("{{");
                rest = after;
                break;
            };
            let name = after.get(..close).unwrap_or_default();
            match args.iter().find(|(n, _)| *n == name.trim()) {
                Some((_, value)) if self.isolate_values && key.0 & SHARED == 0 => {
                    out.push('\u{2068}');
                    out.push_str(value);
                    out.push('\u{2069}');
                }
                Some((_, value)) => out.push_str(value),
                None => {
                    out.push_str("{{");
                    out.push_str(name);
                    out.push_str("}}");
                }
            }
            rest = after.get(close + 2..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    }

    /// The plural message for a count: the form of its CLDR category (from the locale port),
    /// falling back to `other`, which every plural message has.
    pub fn render_plural(&self, key: PluralKey, plural: Plural, args: &[(&str, &str)]) -> String {
        let form = key.0[plural as usize];
        if self.contains(form) {
            self.render(form, args)
        } else {
            self.render(key.0[5], args)
        }
    }

    /// Shorthand for a message without arguments.
    pub fn get(&self, key: Key) -> String {
        self.render(key, &[])
    }
}

fn flatten(prefix: &str, node: &TranslationNode, out: &mut SmallMap<String>) {
    match node {
        TranslationNode::Leaf(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        TranslationNode::Branch(children) => {
            for (k, v) in children.iter() {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
    }
}

/// Untrusted text cut to `max_chars` characters, with `…` when something was cut, so a garbage
/// value of kilobytes cannot flood the sidebar.
pub fn clip(s: &str, max_chars: usize) -> String {
    let mut out = first_chars(s, max_chars).to_string();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The words of an app's machine line, which it writes separated by spaces (tabs and other
/// white space are not separators: `split_whitespace`'s Unicode table is 0.1 KB of the bundle).
pub fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(' ').filter(|w| !w.is_empty())
}

/// Whether `s` has more than `n` characters (without std's character counter, 0.8 KB of the
/// bundle).
pub fn longer_than(s: &str, n: usize) -> bool {
    first_chars(s, n).len() < s.len()
}

/// The first `n` characters of `s` (all of `s` when it is shorter), borrowed: cheaper in the
/// bundle than collecting `chars().take(n)` into a `String`.
pub fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.get(..end).unwrap_or(s),
        None => s,
    }
}

/// `items` with `sep` between them: `[T]::join` without its generic copying code, which costs
/// the bundle about 1 KB per instance.
pub fn join(items: &[&str], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}

/// The byte index of the first `needle` in `haystack`. A plain byte search: std's substring
/// search carries a panic path (and its formatting) that this app does not need to ship.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A JSON number as text, the way JavaScript's `String(n)` writes the values settings and fields
/// hold (`360001234`, `1.5`, `-2`). Whole numbers go through integer formatting, and fractions are
/// written digit by digit, so the wasm bundle carries no float-formatting machinery.
pub fn number_text(n: f64) -> String {
    if !n.is_finite() {
        return String::from("NaN");
    }
    let negative = n < 0.0;
    let magnitude = n.abs();
    // 2^53: above it f64 has no fractional digits and `as u64` stays exact.
    if magnitude >= 9_007_199_254_740_992.0 || magnitude.fract() == 0.0 {
        let whole = magnitude as u64;
        return if negative && whole != 0 {
            format!("-{}", digits(whole, 0))
        } else {
            digits(whole, 0)
        };
    }
    let whole = magnitude.trunc() as u64;
    // Nine decimal places are more than any setting or field value carries; trailing zeros go.
    let mut fraction = ((magnitude.fract() * 1e9).round() as u64).min(999_999_999);
    let mut digits = 9;
    while digits > 0 && fraction.is_multiple_of(10) {
        fraction /= 10;
        digits -= 1;
    }
    let sign = if negative { "-" } else { "" };
    let whole = self::digits(whole, 0);
    if digits == 0 {
        return format!("{sign}{whole}");
    }
    format!("{sign}{whole}.{}", self::digits(fraction, digits))
}

/// `n` in decimal with at least `width` digits (zero-padded). All the app's integers are
/// written through here: std's `Display` costs the bundle 0.3 KB for each integer type.
pub fn digits(n: u64, width: usize) -> String {
    let mut reversed = Vec::new();
    let mut n = n;
    loop {
        reversed.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = String::new();
    for _ in reversed.len()..width {
        out.push('0');
    }
    for &b in reversed.iter().rev() {
        out.push(char::from(b));
    }
    out
}

/// `n` in decimal, with a `-` when negative.
pub fn signed(n: i64) -> String {
    let text = digits(n.unsigned_abs(), 0);
    if n < 0 {
        format!("-{text}")
    } else {
        text
    }
}

/// ASCII digits only (no sign, no spaces inside), fitting a `u64`.
pub fn whole_number(s: &str) -> Option<u64> {
    // By hand: std's `parse` is 0.3 KB of the bundle per integer type.
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}
