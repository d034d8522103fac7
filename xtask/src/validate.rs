//! The package validator: the rules Zendesk's server-side validator (zendesk_apps_support, "ZAS")
//! applies when an admin uploads a private app, re-implemented so that CI catches a package
//! Zendesk would reject (`zcli apps:validate` needs a live Zendesk account).
//!
//! It owns one invariant: `cargo xtask package` never writes a zip that breaks a rule listed in
//! `docs/ZAF.md` §4.1. Zendesk refuses an upload on an error and shows its warnings to
//! the admin; here both are printed and both fail `validate` and `package`, so a package that
//! would make Zendesk warn is fixed before it ships.
//!
//! Only warnings ZAS itself emits are reported (each cites its ZAS source), so a failure here is
//! one an admin would also see:
//! - validations/secure_settings.rb: a `text` or `password` parameter whose name contains
//!   `token`, `key`, `pwd` or `password` (case-insensitive) and that is not secure
//!   ("Make sure to set secure to true when using keys in Settings"); a secure or hidden
//!   parameter with a `default` ("Default values for secure or hidden parameters are not stored
//!   securely"); a secure parameter without `scopes`;
//! - validations/requests.rb: an `http://` URL in a JS or HTML file ("Possible insecure HTTP
//!   request to … Consider using the HTTPS protocol instead").
//!
//! The input is an in-memory file map, so the same checks run on the build directory, on the
//! written zip and on the inline fixtures of the tests below.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// Zendesk's upload limit for a private app's zip.
pub const MAX_ZIP_BYTES: u64 = 2 * 1024 * 1024;

const PARAMETER_TYPES: &[&str] = &[
    "text",
    "password",
    "checkbox",
    "url",
    "number",
    "multiline",
    "hidden",
    "oauth",
    "mtls",
];

const SCOPES: &[&str] = &[
    "header",
    "body",
    "url",
    "jwt_secret_key",
    "jwt_claim",
    "basic_auth_username",
    "basic_auth_password",
];

/// Name fragments for which ZAS warns when a text or password parameter is not secure
/// (secure_settings.rb `SECURABLE_KEYWORDS`, matched anywhere in the name, ignoring case).
const SECURABLE_KEYWORDS: &[&str] = &["token", "key", "pwd", "password"];

const BOOLEAN_KEYS: &[&str] = &[
    "private",
    "singleInstall",
    "signedUrls",
    "requirementsOnly",
    "marketingOnly",
];

const STRING_KEYS: &[&str] = &[
    "defaultLocale",
    "version",
    "frameworkVersion",
    "remoteInstallationURL",
    "termsConditionsURL",
    "gaID",
];

/// Locations Zendesk knows per product (ZAS `Location`); anything else is rejected.
const LOCATIONS: &[(&str, &[&str])] = &[
    (
        "support",
        &[
            "ticket_sidebar",
            "new_ticket_sidebar",
            "organization_sidebar",
            "user_sidebar",
            "top_bar",
            "nav_bar",
            "ticket_editor",
            "background",
            "modal",
        ],
    ),
    ("chat", &["chat_sidebar", "background"]),
    (
        "sell",
        &[
            "top_bar",
            "note_editor",
            "call_log_editor",
            "email_editor",
            "person_card",
            "company_card",
            "lead_card",
            "deal_card",
            "background",
        ],
    ),
];

/// File kinds ZAS refuses in a package (mime.rb), plus native executables.
const FORBIDDEN_EXTENSIONS: &[&str] = &[
    "rar", "zip", "gz", "gzip", "tgz", "pdf", "doc", "docx", "avi", "bin", "bz", "bz2", "csh",
    "sh", "jar", "mp3", "mpeg", "odt", "pptx", "ppt", "xls", "xlsx", "7z", "exe", "dll", "msi",
    "com", "bat", "dmg",
];

/// One file of a package, as found on disk or in a zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    Symlink,
}

/// A package: relative paths with `/` separators, e.g. `assets/iframe.html`.
#[derive(Debug, Default, Clone)]
pub struct Package {
    pub entries: BTreeMap<String, Entry>,
}

impl Package {
    pub fn insert_file(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.entries.insert(path.into(), Entry::File(bytes.into()));
    }

    fn file(&self, path: &str) -> Option<&[u8]> {
        match self.entries.get(path) {
            Some(Entry::File(bytes)) => Some(bytes),
            _ => None,
        }
    }

    fn has_file(&self, path: &str) -> bool {
        self.file(path).is_some()
    }
}

/// What the validator found. `errors` make Zendesk refuse the upload; `warnings` are what
/// Zendesk shows the admin on upload. Either fails the package here.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Report {
    /// No errors and no warnings: the package passes.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.warnings.is_empty()
    }

    fn error(&mut self, message: impl Into<String>) {
        self.errors.push(message.into());
    }

    fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    pub fn merge(&mut self, other: Report) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "error: {e}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

/// Validates a package the way Zendesk does when a private app is uploaded.
pub fn validate(package: &Package) -> Report {
    let mut report = Report::default();
    check_files(package, &mut report);
    let Some(manifest_bytes) = package.file("manifest.json") else {
        let nested = package
            .entries
            .keys()
            .find(|p| p.matches('/').count() == 1 && p.ends_with("/manifest.json"));
        match nested {
            Some(p) => report.error(format!(
                "manifest.json must be at the root of the package, found {p}"
            )),
            None => report.error("manifest.json is missing from the package root"),
        }
        return report;
    };
    let Some(manifest) = parse_json("manifest.json", manifest_bytes, &mut report) else {
        return report;
    };
    let Some(manifest) = manifest.as_object() else {
        report.error("manifest.json: must be a JSON object");
        return report;
    };
    check_manifest(manifest, package, &mut report);
    check_translations(manifest, package, &mut report);
    report
}

/// Zendesk refuses private-app uploads of 2 MB and more.
pub fn check_zip_size(bytes: u64) -> Report {
    let mut report = Report::default();
    if bytes >= MAX_ZIP_BYTES {
        report.error(format!(
            "the package zip is {bytes} bytes; Zendesk accepts private apps below {MAX_ZIP_BYTES} bytes (2 MB)"
        ));
    }
    report
}

fn check_files(package: &Package, report: &mut Report) {
    for (path, entry) in &package.entries {
        let bytes = match entry {
            Entry::Symlink => {
                report.error(format!("{path}: symlinks are not allowed in a package"));
                continue;
            }
            Entry::File(bytes) => bytes,
        };
        let extension = path
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        if FORBIDDEN_EXTENSIONS.contains(&extension.as_str()) {
            report.error(format!(
                "{path}: .{extension} files are not allowed in a package"
            ));
        } else if let Some(kind) = forbidden_magic(bytes) {
            report.error(format!(
                "{path}: {kind} content is not allowed in a package"
            ));
        }
        if matches!(extension.as_str(), "js" | "mjs" | "html" | "htm") {
            let urls = insecure_urls(bytes);
            if !urls.is_empty() {
                report.warn(format!(
                    "{path}: possible insecure HTTP request to {}; use https (ZAS requests.rb)",
                    urls.join(", ")
                ));
            }
        }
    }
}

/// Archive and document formats recognised by their first bytes (ZAS checks magic too).
fn forbidden_magic(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "zip"),
        (b"\x1f\x8b", "gzip"),
        (b"%PDF", "pdf"),
        (b"Rar!", "rar"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"BZh", "bzip2"),
        (b"MZ", "windows executable"),
        (b"\x7fELF", "elf executable"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// `http://` URLs in a text file. ZAS (requests.rb) scans with `URI.regexp(['http'])`, which
/// also matches XML namespace identifiers such as `http://www.w3.org/2000/svg`, so they count too.
fn insecure_urls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find("http://") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | ')'))
            .unwrap_or(tail.len());
        let url = &tail[..end];
        if url.len() > "http://".len() {
            let url = url.to_string();
            if !found.contains(&url) {
                found.push(url);
            }
        }
        rest = &tail["http://".len()..];
    }
    found
}

fn parse_json(path: &str, bytes: &[u8], report: &mut Report) -> Option<Value> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            report.error(format!("{path}: not UTF-8 ({e})"));
            return None;
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            report.error(format!("{path}: not valid JSON ({e})"));
            return None;
        }
    };
    for key in duplicate_keys(text) {
        report.error(format!("{path}: duplicate key {key}"));
    }
    Some(value)
}

/// Keys that appear twice in one JSON object, as dotted paths. serde_json silently keeps the
/// last of duplicated keys, Zendesk rejects them, so the text itself is scanned. The input must
/// already be valid JSON.
pub fn duplicate_keys(text: &str) -> Vec<String> {
    enum Frame {
        Object {
            keys: HashSet<String>,
            expect_key: bool,
            current: Option<String>,
        },
        Array,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut duplicates = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                keys: HashSet::new(),
                expect_key: true,
                current: None,
            }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let raw = text.get(start..=i.min(bytes.len() - 1)).unwrap_or("\"\"");
                let is_key = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: true,
                        ..
                    })
                );
                if is_key {
                    let key: String = serde_json::from_str(raw).unwrap_or_else(|_| raw.to_string());
                    let enclosing = &stack[..stack.len().saturating_sub(1)];
                    let path = enclosing
                        .iter()
                        .filter_map(|f| match f {
                            Frame::Object {
                                current: Some(k), ..
                            } => Some(k.as_str()),
                            _ => None,
                        })
                        .chain(std::iter::once(key.as_str()))
                        .collect::<Vec<_>>()
                        .join(".");
                    if let Some(Frame::Object { keys, current, .. }) = stack.last_mut() {
                        if !keys.insert(key.clone()) {
                            duplicates.push(path);
                        }
                        *current = Some(key);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    duplicates
}

fn check_manifest(m: &Map<String, Value>, package: &Package, report: &mut Report) {
    for key in BOOLEAN_KEYS {
        if let Some(v) = m.get(*key) {
            if !v.is_boolean() {
                report.error(format!(
                    "manifest.json: {key} must be true or false, not {v}"
                ));
            }
        }
    }
    for key in STRING_KEYS {
        if let Some(v) = m.get(*key) {
            if !v.is_string() {
                report.error(format!("manifest.json: {key} must be a string, not {v}"));
            }
        }
    }
    check_author(m.get("author"), report);
    match m.get("defaultLocale").and_then(Value::as_str) {
        None if !m.contains_key("defaultLocale") => {
            report.error("manifest.json: defaultLocale is missing")
        }
        None => {}
        Some(locale) if !valid_locale(locale) => report.error(format!(
            "manifest.json: defaultLocale {locale:?} is not a locale"
        )),
        Some(locale) if !package.has_file(&format!("translations/{locale}.json")) => report.error(
            format!("translations/{locale}.json is missing (the defaultLocale's translation file)"),
        ),
        Some(_) => {}
    }
    match m.get("frameworkVersion") {
        None => report.error("manifest.json: frameworkVersion is missing"),
        Some(Value::String(v)) if v == "2.0" => {}
        Some(v) => report.error(format!(
            "manifest.json: frameworkVersion {v} is not supported (use \"2.0\")"
        )),
    }
    check_locations(m.get("location"), package, report);
    check_parameters(m.get("parameters"), report);
    if let Some(list) = m.get("domainWhitelist") {
        let ok = list
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string));
        if !ok {
            report.error("manifest.json: domainWhitelist must be an array of strings");
        }
    }
    if let Some(url) = m.get("termsConditionsURL").and_then(Value::as_str) {
        if !is_http_url(url) {
            report.error(format!(
                "manifest.json: termsConditionsURL {url:?} must be an http(s) URL"
            ));
        }
    }
}

fn check_author(author: Option<&Value>, report: &mut Report) {
    let Some(author) = author else {
        report.error("manifest.json: author is missing");
        return;
    };
    let Some(author) = author.as_object() else {
        report.error("manifest.json: author must be an object with name, email and url");
        return;
    };
    for field in ["name", "email", "url"] {
        match author.get(field) {
            None => report.error(format!("manifest.json: author.{field} is missing")),
            Some(Value::String(s)) if s.trim().is_empty() => {
                report.error(format!("manifest.json: author.{field} is empty"))
            }
            Some(Value::String(_)) => {}
            Some(v) => report.error(format!(
                "manifest.json: author.{field} must be a string, not {v}"
            )),
        }
    }
    if let Some(url) = author.get("url").and_then(Value::as_str) {
        if !url.trim().is_empty() && !is_http_url(url) {
            report.error(format!(
                "manifest.json: author.url {url:?} must be an http(s) URL"
            ));
        }
    }
}

fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.contains(char::is_whitespace)
    })
}

fn check_locations(location: Option<&Value>, package: &Package, report: &mut Report) {
    let Some(location) = location else {
        report.error("manifest.json: location is missing");
        return;
    };
    let Some(products) = location.as_object() else {
        report.error("manifest.json: location must be an object of products");
        return;
    };
    if products.is_empty() {
        report.error("manifest.json: location is empty");
    }
    for (product, locations) in products {
        let Some((_, known)) = LOCATIONS.iter().find(|(p, _)| p == product) else {
            report.error(format!(
                "manifest.json: unknown product {product:?} in location"
            ));
            continue;
        };
        let Some(locations) = locations.as_object() else {
            report.error(format!(
                "manifest.json: location.{product} must be an object of locations"
            ));
            continue;
        };
        for (name, options) in locations {
            let at = format!("location.{product}.{name}");
            if !known.contains(&name.as_str()) {
                report.error(format!("manifest.json: unknown location {at}"));
                continue;
            }
            let url = match options {
                Value::String(url) => Some(url.as_str()),
                Value::Object(o) => {
                    if let Some(flexible) = o.get("flexible") {
                        if !flexible.is_boolean() {
                            report.error(format!(
                                "manifest.json: {at}.flexible must be true or false, not {flexible}"
                            ));
                        }
                    }
                    match o.get("url") {
                        None => None,
                        Some(Value::String(url)) => Some(url.as_str()),
                        Some(v) => {
                            report.error(format!(
                                "manifest.json: {at}.url must be a string, not {v}"
                            ));
                            continue;
                        }
                    }
                }
                v => {
                    report.error(format!(
                        "manifest.json: {at} must be a URL or an object, not {v}"
                    ));
                    continue;
                }
            };
            match url {
                None | Some("") => {
                    let auto_load = options
                        .get("autoLoad")
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    if auto_load {
                        report.error(format!("manifest.json: {at} has no url"));
                    }
                }
                Some(url) => check_location_url(&at, url, package, report),
            }
        }
    }
    let has_sidebar = products
        .get("support")
        .and_then(|s| s.get("ticket_sidebar"))
        .is_some();
    if !has_sidebar {
        report.error("manifest.json: this app needs location.support.ticket_sidebar");
    }
}

fn check_location_url(at: &str, url: &str, package: &Package, report: &mut Report) {
    if url.contains("{{setting.") {
        return;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let host = rest
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("")
            .rsplit('@')
            .next()
            .unwrap_or("");
        let host = host.split(':').next().unwrap_or("");
        let ok = scheme.eq_ignore_ascii_case("https") && !host.is_empty() || host == "localhost";
        if !ok {
            report.error(format!(
                "manifest.json: {at}.url {url:?} must be https or localhost"
            ));
        }
        return;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with("assets/") {
        report.error(format!(
            "manifest.json: {at}.url {url:?} must be under assets/"
        ));
    } else if !package.has_file(path) {
        report.error(format!(
            "manifest.json: {at}.url {url:?} names a file that is not in the package"
        ));
    }
}

fn check_parameters(parameters: Option<&Value>, report: &mut Report) {
    let Some(parameters) = parameters else {
        return;
    };
    let Some(parameters) = parameters.as_array() else {
        report.error("manifest.json: parameters must be an array");
        return;
    };
    let mut names: Vec<&str> = Vec::new();
    let mut oauth = 0;
    for (i, p) in parameters.iter().enumerate() {
        let Some(p) = p.as_object() else {
            report.error(format!("manifest.json: parameters[{i}] must be an object"));
            continue;
        };
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            report.error(format!("manifest.json: parameters[{i}] has no name"));
            continue;
        };
        let at = format!("manifest.json: parameter {name:?}");
        if names.contains(&name) {
            report.error(format!("{at} is declared twice"));
        }
        names.push(name);
        if name == "name" {
            report.error(format!("{at}: a parameter cannot be called \"name\""));
        }
        let kind = match p.get("type") {
            None => "text",
            Some(Value::String(t)) => t.as_str(),
            Some(v) => {
                report.error(format!("{at}: type must be a string, not {v}"));
                continue;
            }
        };
        if !PARAMETER_TYPES.contains(&kind) {
            report.error(format!("{at}: unknown type {kind:?}"));
        }
        let mut flag = |key: &str| match p.get(key) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                report.error(format!("{at}: {key} must be true or false, not {v}"));
                false
            }
        };
        let required = flag("required");
        let secure = flag("secure");
        if kind == "hidden" && required {
            report.error(format!("{at}: a hidden parameter cannot be required"));
        }
        if kind == "oauth" {
            oauth += 1;
            if secure {
                report.error(format!("{at}: an oauth parameter cannot be secure"));
            }
        }
        match p.get("scopes") {
            None => {
                if secure {
                    report.warn(format!(
                        "{at} is secure but has no scopes (Zendesk lets it reach every part of a request; ZAS secure_settings.rb)"
                    ));
                }
            }
            Some(_) if !secure => {
                report.error(format!(
                    "{at}: scopes are only allowed on secure parameters"
                ));
            }
            Some(Value::Array(scopes)) if !scopes.is_empty() => {
                for scope in scopes {
                    match scope.as_str() {
                        Some(s) if SCOPES.contains(&s) => {}
                        _ => report.error(format!(
                            "{at}: unknown scope {scope} (allowed: {})",
                            SCOPES.join(", ")
                        )),
                    }
                }
            }
            Some(_) => report.error(format!("{at}: scopes must be a non-empty array")),
        }
        let lower = name.to_ascii_lowercase();
        let looks_secret = SECURABLE_KEYWORDS.iter().any(|k| lower.contains(k));
        if looks_secret && matches!(kind, "text" | "password") && !secure {
            report.warn(format!(
                "{at} is not secure but its name contains {}; Zendesk warns \"Make sure to set \
                 secure to true when using keys in Settings\" (ZAS secure_settings.rb): make it \
                 secure or rename it",
                SECURABLE_KEYWORDS
                    .iter()
                    .filter(|k| lower.contains(*k))
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
        if p.contains_key("default") && (secure || kind == "hidden") {
            report.warn(format!(
                "{at}: secure and hidden parameters should not have a default (Zendesk: \"Default \
                 values for secure or hidden parameters are not stored securely\"; ZAS secure_settings.rb)"
            ));
        }
    }
    if oauth > 1 {
        report.error("manifest.json: at most one oauth parameter is allowed");
    }
}

/// `^[a-z]{2,3}(-\w{2,3})?$`
fn valid_locale(s: &str) -> bool {
    let (lang, region) = match s.split_once('-') {
        Some((l, r)) => (l, Some(r)),
        None => (s, None),
    };
    let lang_ok = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = region.is_none_or(|r| {
        (2..=3).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    lang_ok && region_ok
}

fn check_translations(m: &Map<String, Value>, package: &Package, report: &mut Report) {
    let private = m.get("private").and_then(Value::as_bool).unwrap_or(true);
    let parameter_names: Vec<&str> = m
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    for (path, entry) in &package.entries {
        let Some(file) = path.strip_prefix("translations/") else {
            continue;
        };
        let Entry::File(bytes) = entry else { continue };
        // ZAS reads only translations/*.json and ignores other files there.
        let Some(locale) = file.strip_suffix(".json") else {
            continue;
        };
        if !valid_locale(locale) {
            report.error(format!(
                "{path}: {locale:?} is not a locale name (like en or pt-br)"
            ));
        }
        let Some(json) = parse_json(path, bytes, report) else {
            continue;
        };
        let Some(obj) = json.as_object() else {
            report.error(format!("{path}: must be a JSON object"));
            continue;
        };
        if locale != "en" {
            continue;
        }
        let app = obj.get("app").and_then(Value::as_object);
        let mut required = vec!["name"];
        if !private {
            required.extend([
                "short_description",
                "long_description",
                "installation_instructions",
            ]);
        }
        for key in required {
            let present = app.and_then(|a| a.get(key)).is_some_and(Value::is_string)
                || (key == "short_description"
                    && app
                        .and_then(|a| a.get("description"))
                        .is_some_and(Value::is_string));
            if !present {
                report.error(format!("{path}: app.{key} is missing"));
            }
        }
        let params = app
            .and_then(|a| a.get("parameters"))
            .and_then(Value::as_object);
        for name in &parameter_names {
            let label = params
                .and_then(|p| p.get(*name))
                .and_then(|p| p.get("label"))
                .and_then(Value::as_str);
            if label.is_none_or(|l| l.trim().is_empty()) {
                report.error(format!("{path}: app.parameters.{name}.label is missing"));
            }
        }
        if let Some(params) = params {
            for (name, p) in params {
                if p.get("label").is_none() {
                    report.error(format!("{path}: app.parameters.{name}.label is missing"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
      "name": "Fixture App",
      "author": {"name": "Dev", "email": "dev@example.com", "url": "https://example.com"},
      "defaultLocale": "en",
      "private": true,
      "location": {"support": {"ticket_sidebar": {"url": "assets/iframe.html", "flexible": true}}},
      "version": "1.0.0",
      "frameworkVersion": "2.0",
      "parameters": [
        {"name": "api_token", "type": "text", "secure": true, "required": true, "scopes": ["header"]},
        {"name": "channel", "type": "text", "required": true}
      ],
      "domainWhitelist": ["slack.com"]
    }"#;

    const EN: &str = r#"{"app": {"name": "Fixture App", "parameters": {
        "api_token": {"label": "Token"}, "channel": {"label": "Channel"}}}}"#;

    fn good() -> Package {
        let mut p = Package::default();
        p.insert_file("manifest.json", MANIFEST);
        p.insert_file("translations/en.json", EN);
        p.insert_file(
            "assets/iframe.html",
            "<!doctype html><script src=app.js></script>",
        );
        p.insert_file("assets/app.js", "console.log('https://example.com')");
        p.insert_file("assets/app_bg.wasm", b"\0asm\x01\0\0\0".to_vec());
        p
    }

    /// The good fixture with its manifest text changed by `edit`.
    fn with_manifest(edit: impl Fn(&mut Value)) -> Package {
        let mut v: Value = serde_json::from_str(MANIFEST).unwrap();
        edit(&mut v);
        let mut p = good();
        p.insert_file("manifest.json", serde_json::to_string_pretty(&v).unwrap());
        // Every declared parameter gets a label, so a test sees only the rule it is about.
        let mut en: Value = serde_json::from_str(EN).unwrap();
        for param in v["parameters"].as_array().into_iter().flatten() {
            if let Some(name) = param["name"].as_str() {
                en["app"]["parameters"][name] = serde_json::json!({"label": name});
            }
        }
        p.insert_file("translations/en.json", en.to_string());
        p
    }

    /// Asserts that exactly one error mentions `needle`.
    fn check_error(p: &Package, needle: &str) {
        let report = validate(p);
        let hits: Vec<_> = report
            .errors
            .iter()
            .filter(|e| e.contains(needle))
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "want one error with {needle:?}, got {report:#?}"
        );
    }

    /// Asserts that the package has no error and a warning mentions `needle`, and that the
    /// warning alone fails it.
    fn check_warning(p: &Package, needle: &str) {
        let report = validate(p);
        assert!(report.errors.is_empty(), "{report}");
        assert!(!report.is_ok(), "a warning fails the package");
        assert!(
            report.warnings.iter().any(|w| w.contains(needle)),
            "want a warning with {needle:?}, got {report:#?}"
        );
    }

    #[test]
    fn good_package_passes_without_warnings() {
        assert_eq!(validate(&good()), Report::default());
    }

    #[test]
    fn the_real_manifest_and_translations_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut p = Package::default();
        for path in ["manifest.json", "translations/en.json"] {
            p.insert_file(path, std::fs::read(root.join(path)).unwrap());
        }
        p.insert_file("assets/iframe.html", "<!doctype html>");
        let report = validate(&p);
        assert!(report.is_ok(), "{report}");
    }

    #[test]
    fn manifest_must_be_at_the_root() {
        let mut p = good();
        let m = p.entries.remove("manifest.json").unwrap();
        check_error(&p, "manifest.json is missing");
        p.entries.insert("app/manifest.json".into(), m);
        check_error(
            &p,
            "must be at the root of the package, found app/manifest.json",
        );
    }

    #[test]
    fn manifest_must_be_json() {
        let mut p = good();
        p.insert_file("manifest.json", "{\"name\": ");
        check_error(&p, "manifest.json: not valid JSON");
        p.insert_file("manifest.json", "[]");
        check_error(&p, "must be a JSON object");
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        assert_eq!(
            duplicate_keys(r#"{"a":1,"b":{"a":2}}"#),
            Vec::<String>::new()
        );
        assert_eq!(duplicate_keys(r#"{"a":1,"a":2}"#), vec!["a"]);
        assert_eq!(duplicate_keys(r#"{"x":{"a":"}","\u0061":2}}"#), vec!["x.a"]);
        assert_eq!(duplicate_keys(r#"[{"k":"a\"","k":1},{"k":2}]"#), vec!["k"]);
        assert_eq!(
            duplicate_keys(r#"{"l":[{"u":1}],"m":{"n":{"o":1,"o":2}}}"#),
            vec!["m.n.o"]
        );
        let mut p = good();
        p.insert_file(
            "manifest.json",
            MANIFEST.replacen("\"version\"", "\"private\": false, \"version\"", 1),
        );
        check_error(&p, "duplicate key private");
    }

    #[test]
    fn author_needs_name_email_and_http_url() {
        check_error(
            &with_manifest(|m| {
                m.as_object_mut().unwrap().remove("author");
            }),
            "author is missing",
        );
        check_error(
            &with_manifest(|m| {
                m["author"].as_object_mut().unwrap().remove("email");
            }),
            "author.email is missing",
        );
        check_error(
            &with_manifest(|m| m["author"]["url"] = "ftp://example.com".into()),
            "author.url \"ftp://example.com\" must be an http(s) URL",
        );
        check_error(
            &with_manifest(|m| m["author"]["name"] = 5.into()),
            "author.name must be a string",
        );
    }

    #[test]
    fn default_locale_needs_its_translation_file() {
        check_error(
            &with_manifest(|m| {
                m.as_object_mut().unwrap().remove("defaultLocale");
            }),
            "defaultLocale is missing",
        );
        check_error(
            &with_manifest(|m| m["defaultLocale"] = "de".into()),
            "translations/de.json is missing",
        );
        check_error(
            &with_manifest(|m| m["defaultLocale"] = "English".into()),
            "is not a locale",
        );
    }

    #[test]
    fn location_url_must_exist_under_assets_or_be_https() {
        let sidebar = |url: &str| {
            let url = url.to_string();
            with_manifest(move |m| {
                m["location"]["support"]["ticket_sidebar"]["url"] = url.clone().into()
            })
        };
        check_error(&sidebar("assets/missing.html"), "not in the package");
        check_error(&sidebar("iframe.html"), "must be under assets/");
        check_error(
            &sidebar("http://example.com/app"),
            "must be https or localhost",
        );
        for ok in [
            "https://example.com/app",
            "http://localhost:4567/",
            "assets/iframe.html?x=1",
        ] {
            let report = validate(&sidebar(ok));
            assert!(report.is_ok(), "{ok}: {report}");
        }
        let shorthand = with_manifest(|m| {
            m["location"]["support"]["ticket_sidebar"] = "assets/iframe.html".into()
        });
        assert!(validate(&shorthand).is_ok());
    }

    #[test]
    fn location_must_be_known_and_flexible_boolean() {
        check_error(
            &with_manifest(|m| {
                m["location"]["support"]["ticket_sidebar"]["flexible"] = "yes".into()
            }),
            "flexible must be true or false",
        );
        check_error(
            &with_manifest(|m| {
                m["location"]["support"]["side_panel"] = "assets/iframe.html".into()
            }),
            "unknown location location.support.side_panel",
        );
        check_error(
            &with_manifest(|m| m["location"]["zendesk"] = serde_json::json!({})),
            "unknown product \"zendesk\"",
        );
        check_error(
            &with_manifest(|m| {
                m.as_object_mut().unwrap().remove("location");
            }),
            "location is missing",
        );
        check_error(
            &with_manifest(|m| {
                m["location"] = serde_json::json!({"support": {"top_bar": "assets/iframe.html"}})
            }),
            "needs location.support.ticket_sidebar",
        );
    }

    #[test]
    fn framework_version_must_be_2_0() {
        check_error(
            &with_manifest(|m| m["frameworkVersion"] = "1.0".into()),
            "frameworkVersion \"1.0\" is not supported",
        );
        check_error(
            &with_manifest(|m| m["frameworkVersion"] = 2.0.into()),
            "frameworkVersion must be a string",
        );
        check_error(
            &with_manifest(|m| {
                m.as_object_mut().unwrap().remove("frameworkVersion");
            }),
            "frameworkVersion is missing",
        );
    }

    #[test]
    fn booleans_must_be_real_booleans() {
        check_error(
            &with_manifest(|m| m["private"] = "true".into()),
            "private must be true or false",
        );
        check_error(
            &with_manifest(|m| m["singleInstall"] = 1.into()),
            "singleInstall must be true",
        );
        check_error(
            &with_manifest(|m| m["parameters"][1]["required"] = "true".into()),
            "\"channel\": required must be true or false",
        );
        check_error(
            &with_manifest(|m| m["parameters"][0]["secure"] = 1.into()),
            "\"api_token\": secure must be true or false",
        );
    }

    #[test]
    fn parameter_rules() {
        let add = |p: Value| {
            with_manifest(move |m| m["parameters"].as_array_mut().unwrap().push(p.clone()))
        };
        use serde_json::json;
        check_error(
            &add(json!({"name": "x", "type": "colour"})),
            "unknown type \"colour\"",
        );
        check_error(
            &add(json!({"name": "channel"})),
            "\"channel\" is declared twice",
        );
        check_error(&add(json!({"name": "name"})), "cannot be called \"name\"");
        check_error(
            &add(json!({"name": "h", "type": "hidden", "required": true})),
            "hidden parameter cannot be required",
        );
        check_error(
            &add(json!({"name": "plain", "scopes": ["header"]})),
            "scopes are only allowed on secure parameters",
        );
        check_error(
            &add(json!({"name": "s", "secure": true, "scopes": ["header", "cookie"]})),
            "unknown scope \"cookie\"",
        );
        check_error(
            &add(json!({"name": "s", "secure": true, "scopes": []})),
            "scopes must be a non-empty array",
        );
        check_error(
            &add(json!({"name": "o", "type": "oauth", "secure": true})),
            "oauth parameter cannot be secure",
        );
        check_error(
            &with_manifest(|m| m["parameters"] = json!({})),
            "parameters must be an array",
        );
        check_warning(
            &add(json!({"name": "s", "secure": true})),
            "\"s\" is secure but has no scopes",
        );
        check_warning(
            &add(json!({"name": "api_key", "type": "text"})),
            "Make sure to set secure to true",
        );
        check_warning(
            &add(json!({"name": "db_password"})),
            "Make sure to set secure to true",
        );
        check_warning(
            &add(json!({"name": "h", "type": "hidden", "default": "x"})),
            "should not have a default",
        );
        // a secure text parameter named like a secret is what Zendesk asks for
        assert_eq!(validate(&good()).warnings, Vec::<String>::new());
    }

    #[test]
    fn insecure_settings_named_like_keys_warn_and_fail() {
        use serde_json::json;
        let with_params = |params: Value| with_manifest(move |m| m["parameters"] = params.clone());

        // A plain text setting whose name contains "key" is what ZAS warns about.
        let p = with_params(json!([
            {"name": "slack_bot_token", "type": "text", "secure": true, "required": true, "scopes": ["header"]},
            {"name": "emergency_keywords", "type": "text", "default": ""}
        ]));
        let report = validate(&p);
        assert!(report.errors.is_empty(), "{report}");
        assert_eq!(report.warnings.len(), 1, "{report}");
        assert!(
            report.warnings[0].contains("parameter \"emergency_keywords\" is not secure")
                && report.warnings[0].contains("\"key\""),
            "{report}"
        );
        assert!(!report.is_ok(), "a warning fails validation like an error");

        // A secure token with scopes draws no warning.
        let p = with_params(json!([
            {"name": "slack_bot_token", "type": "text", "secure": true, "required": true, "scopes": ["header"]},
            {"name": "emergency_subject_words", "type": "text", "default": ""}
        ]));
        assert_eq!(validate(&p), Report::default());

        // Case does not matter; only text and password parameters count (ZAS secure_settings.rb).
        check_warning(&with_params(json!([{"name": "Slack_TOKEN"}])), "\"token\"");
        check_warning(
            &with_params(json!([{"name": "login_pwd", "type": "password"}])),
            "\"pwd\"",
        );
        for kind in ["checkbox", "url", "number", "multiline", "hidden"] {
            let p = with_params(json!([{"name": "key_count", "type": kind}]));
            assert_eq!(validate(&p), Report::default(), "{kind}");
        }
    }

    #[test]
    fn domain_whitelist_is_an_array_of_strings() {
        check_error(
            &with_manifest(|m| m["domainWhitelist"] = "slack.com".into()),
            "domainWhitelist must be an array of strings",
        );
        check_error(
            &with_manifest(|m| m["domainWhitelist"] = serde_json::json!(["slack.com", 1])),
            "domainWhitelist must be an array of strings",
        );
    }

    #[test]
    fn translation_rules() {
        let mut p = good();
        p.insert_file("translations/pt-br.json", "{}");
        p.insert_file("translations/zh-tw.json", "{}");
        assert!(validate(&p).is_ok(), "{}", validate(&p));
        p.insert_file("translations/English.json", "{}");
        check_error(&p, "\"English\" is not a locale name");

        let mut p = good();
        p.insert_file("translations/fr.json", "[1]");
        check_error(&p, "translations/fr.json: must be a JSON object");
        p.insert_file("translations/fr.json", "{");
        check_error(&p, "translations/fr.json: not valid JSON");

        let mut p = good();
        p.insert_file(
            "translations/en.json",
            r#"{"app": {"parameters": {"api_token": {"label": "T"}, "channel": {"label": "C"}}}}"#,
        );
        check_error(&p, "app.name is missing");
        p.insert_file(
            "translations/en.json",
            r#"{"app": {"name": "A", "parameters": {"api_token": {"label": "T"}}}}"#,
        );
        check_error(&p, "app.parameters.channel.label is missing");
        p.insert_file(
            "translations/en.json",
            r#"{"app": {"name": "A", "name": "B"}}"#,
        );
        assert!(validate(&p)
            .errors
            .iter()
            .any(|e| e.contains("duplicate key app.name")));
    }

    #[test]
    fn public_apps_need_marketplace_texts() {
        check_error(
            &with_manifest(|m| m["private"] = false.into()),
            "app.short_description is missing",
        );
    }

    #[test]
    fn files_symlinks_archives_and_insecure_urls() {
        let mut p = good();
        p.entries.insert("assets/link.js".into(), Entry::Symlink);
        check_error(&p, "assets/link.js: symlinks are not allowed");

        for (path, bytes) in [
            ("assets/docs.zip", b"PK\x03\x04".to_vec()),
            ("assets/manual.pdf", b"text".to_vec()),
            ("assets/tool.exe", b"text".to_vec()),
            ("assets/archive.rar", b"x".to_vec()),
            ("assets/hidden.png", b"PK\x03\x04rest".to_vec()),
        ] {
            let mut p = good();
            p.insert_file(path, bytes);
            check_error(&p, path);
        }

        let mut p = good();
        p.insert_file(
            "assets/app.js",
            "fetch('http://api.example.com/x'); const ns = 'http://www.w3.org/2000/svg';",
        );
        check_warning(&p, "http://api.example.com/x");
        // One warning per file, listing every URL; ZAS's URI.regexp matches namespaces too.
        assert_eq!(validate(&p).warnings.len(), 1);
        check_warning(&p, "http://www.w3.org/2000/svg");
    }

    #[test]
    fn zip_must_stay_below_two_megabytes() {
        assert!(check_zip_size(MAX_ZIP_BYTES - 1).is_ok());
        assert!(!check_zip_size(MAX_ZIP_BYTES).is_ok());
    }

    #[test]
    fn locale_names() {
        for ok in [
            "en",
            "pt-br",
            "zh-tw",
            "fil",
            "es-419",
            "en_US".replace('_', "-").as_str(),
        ] {
            assert!(valid_locale(ok), "{ok}");
        }
        for bad in ["e", "EN", "english", "en-", "en-abcd", "en_us", ""] {
            assert!(!valid_locale(bad), "{bad}");
        }
    }
}
