//! The timezone port ([`TzOffsets`]) on top of the browser's `Intl`, which already carries the
//! IANA tz database: the app ships no tz data of its own.
//!
//! The calls into `Intl` are in `intl.js` (see `intl`), which this module declares.
//!
//! Invariant: an unknown zone is `None`, never a throw: `intl.js` catches the formatter's
//! constructor and remembers the miss.
use crate::core::availability::TzOffsets;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/host/intl.js")]
extern "C" {
    /// The locale's formatters (`intl.js`), shared with the locale port (`intl`).
    #[derive(Debug, Clone)]
    pub(crate) type LocaleIntl;
    #[wasm_bindgen(constructor)]
    pub(crate) fn new(locale: &str) -> LocaleIntl;
    #[wasm_bindgen(method)]
    pub(crate) fn time(this: &LocaleIntl, ms: f64, tz: &str) -> Option<String>;
    #[wasm_bindgen(method)]
    pub(crate) fn weekday(this: &LocaleIntl, ms: f64, tz: &str) -> Option<String>;
    #[wasm_bindgen(method, js_name = offsetName)]
    pub(crate) fn offset_name(this: &LocaleIntl, ms: f64, tz: &str) -> Option<String>;
    #[wasm_bindgen(method)]
    pub(crate) fn date(this: &LocaleIntl, ms: f64, tz: &str) -> Option<String>;
    #[wasm_bindgen(method, js_name = longOffset)]
    fn long_offset(this: &LocaleIntl, tz: &str, ms: f64) -> Option<String>;
    #[wasm_bindgen(method)]
    pub(crate) fn duration(this: &LocaleIntl, spec: &str) -> String;
    #[wasm_bindgen(method)]
    pub(crate) fn number(this: &LocaleIntl, n: f64) -> String;
    #[wasm_bindgen(method)]
    pub(crate) fn plural(this: &LocaleIntl, n: f64) -> String;
    #[wasm_bindgen(method, js_name = orList)]
    pub(crate) fn or_list(this: &LocaleIntl, joined: &str) -> String;
    #[wasm_bindgen(method)]
    pub(crate) fn lower(this: &LocaleIntl, s: &str) -> String;
    #[wasm_bindgen(method)]
    pub(crate) fn words(this: &LocaleIntl, s: &str) -> String;

    /// The browser's own timezone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), `UTC`
    /// if the browser does not say.
    #[wasm_bindgen(js_name = viewerZone)]
    pub fn viewer_zone() -> String;
}

/// [`TzOffsets`] through `Intl.DateTimeFormat`, with one cached formatter per zone (building a
/// formatter is the expensive part).
#[derive(Debug)]
pub struct IntlTz {
    js: LocaleIntl,
}

impl IntlTz {
    pub fn new() -> IntlTz {
        IntlTz {
            js: LocaleIntl::new("en-US"),
        }
    }
}

impl Default for IntlTz {
    fn default() -> Self {
        IntlTz::new()
    }
}

impl TzOffsets for IntlTz {
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32> {
        offset_minutes(&self.js, tz, utc_ms)
    }
}

/// The offset of `tz` at `utc_ms`, from its `longOffset` name.
pub(crate) fn offset_minutes(js: &LocaleIntl, tz: &str, utc_ms: i64) -> Option<i32> {
    parse_gmt_offset(&js.long_offset(tz, utc_ms as f64)?)
}

/// `GMT`, `GMT+05:30`, `GMT-08:00` or `GMT+00:09:21` (a historical offset in seconds, rounded)
/// in minutes east of UTC.
pub fn parse_gmt_offset(name: &str) -> Option<i32> {
    let rest = name.trim().strip_prefix("GMT")?;
    let mut bytes = rest.bytes();
    let sign = match bytes.next() {
        None => return Some(0),
        Some(b'+') => 1,
        Some(b'-') | Some(0xE2) => -1,
        _ => return None,
    };
    // U+2212 (minus sign) is three bytes, E2 88 92: skip its tail.
    if rest.as_bytes().first() == Some(&0xE2) {
        bytes.next();
        bytes.next();
    }
    let mut fields = [0i32; 3];
    let mut index = 0;
    let mut digits = 0;
    for b in bytes {
        match b {
            b'0'..=b'9' if digits < 2 => {
                fields[index] = fields[index] * 10 + i32::from(b - b'0');
                digits += 1;
            }
            b':' if index < 2 && digits > 0 => {
                index += 1;
                digits = 0;
            }
            _ => return None,
        }
    }
    let [hours, minutes, seconds] = fields;
    (digits > 0 && minutes < 60 && seconds < 60)
        .then(|| sign * (hours * 60 + minutes + i32::from(seconds >= 30)))
}
