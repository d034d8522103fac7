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
    #[wasm_bindgen(method, js_name = offsetMinutes)]
    fn offset_minutes_js(this: &LocaleIntl, tz: &str, ms: f64) -> Option<i32>;
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

/// The offset of `tz` at `utc_ms`, from its `longOffset` name (read by `intl.js`).
pub(crate) fn offset_minutes(js: &LocaleIntl, tz: &str, utc_ms: i64) -> Option<i32> {
    js.offset_minutes_js(tz, utc_ms as f64)
}
