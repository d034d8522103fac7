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
    let complete = set("timeZone", tz)
        && set("hourCycle", "h23")
        && ["year", "month", "day", "hour", "minute", "second"]
            .iter()
            .all(|k| set(k, "numeric"));
    if !complete {
        return None;
    }
    DateTimeFormat::new("en-US", &options).ok()
}

impl TzOffsets for IntlTz {
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32> {
        let formatter = self.formatter(tz)?;
        // The formatter drops milliseconds, so compare against the instant truncated to seconds.
        let instant_ms = utc_ms.div_euclid(1000) * 1000;
        let parts = formatter.format_to_parts(instant_ms as f64);
        let mut wall = [0i64; 6];
        let names = ["year", "month", "day", "hour", "minute", "second"];
        for part in parts.iter() {
            let (Some(kind), Some(value)) = (
                js::string_field(&part, "type"),
                js::string_field(&part, "value"),
            ) else {
                continue;
            };
            if let Some(slot) = names.iter().position(|n| *n == kind) {
                wall[slot] = value.parse().ok()?;
            }
        }
        let [year, month, day, hour, minute, second] = wall;
        let wall_ms =
            (days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
                * 1000;
        let offset_ms = wall_ms - instant_ms;
        i32::try_from(
            offset_ms.div_euclid(60_000) + i64::from(offset_ms.rem_euclid(60_000) >= 30_000),
        )
        .ok()
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
