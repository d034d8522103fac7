//! The timezone port ([`TzOffsets`]) on top of the browser's `Intl`, which already carries the
//! IANA tz database: the app ships no tz data of its own.
//!
//! Invariant: an unknown zone is `None`, never a throw: the formatter constructor is imported
//! with `catch`.
use super::js;
use crate::core::availability::TzOffsets;
use crate::core::map::SmallMap;
use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, shared with the locale port (`intl`).
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    #[derive(Debug, Clone)]
    pub(crate) type DateTimeFormat;

    /// Throws `RangeError` for an unknown `timeZone` or locale.
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    pub(crate) fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    pub(crate) fn format_to_parts(this: &DateTimeFormat, instant_ms: f64) -> Array;

    #[wasm_bindgen(method, js_name = resolvedOptions)]
    fn resolved_options(this: &DateTimeFormat) -> JsValue;
}

/// The browser's own timezone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), `UTC` if
/// the browser does not say.
pub fn viewer_zone() -> String {
    DateTimeFormat::new("en-US", &Object::new())
        .ok()
        .and_then(|f| js::string_field(&f.resolved_options(), "timeZone"))
        .unwrap_or_else(|| "UTC".to_string())
}

/// [`TzOffsets`] through `Intl.DateTimeFormat`, with one cached formatter per zone (building a
/// formatter is the expensive part).
#[derive(Debug, Default)]
pub struct IntlTz {
    formatters: RefCell<SmallMap<Option<DateTimeFormat>>>,
}

impl IntlTz {
    pub fn new() -> IntlTz {
        IntlTz::default()
    }

    fn formatter(&self, tz: &str) -> Option<DateTimeFormat> {
        if let Some(cached) = self.formatters.try_borrow().ok()?.get(tz) {
            return cached.clone();
        }
        let built = build_formatter(tz);
        if let Ok(mut cache) = self.formatters.try_borrow_mut() {
            cache.insert(tz.to_string(), built.clone());
        }
        built
    }
}

fn build_formatter(tz: &str) -> Option<DateTimeFormat> {
    let options = Object::new();
    let set = |k: &str, v: &str| {
        Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v)).is_ok()
    };
    // `longOffset` names the offset itself ("GMT+05:30"), so no wall-clock arithmetic is needed.
    if !(set("timeZone", tz) && set("timeZoneName", "longOffset")) {
        return None;
    }
    DateTimeFormat::new("en-US", &options).ok()
}

impl TzOffsets for IntlTz {
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32> {
        let formatter = self.formatter(tz)?;
        let parts = formatter.format_to_parts(utc_ms as f64);
        let name = parts
            .iter()
            .filter(|part| js::string_field(part, "type").as_deref() == Some("timeZoneName"))
            .find_map(|part| js::string_field(&part, "value"))?;
        parse_gmt_offset(&name)
    }
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
