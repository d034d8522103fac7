//! The locale port ([`Intl`]) on top of the browser's `Intl` objects and
//! `String.prototype.toLowerCase`: the viewer's locale writes times, weekdays, zone offsets,
//! durations, numbers and lists, and picks plural categories. The app ships no locale data and
//! no Unicode tables of its own.
//!
//! Invariant: a locale or zone the browser does not know degrades (to the browser's default
//! locale, to `None` for a zone), never to a throw: every constructor is imported with `catch`.
use super::js;
use super::tz::{DateTimeFormat, IntlTz};
use crate::core::availability::TzOffsets;
use crate::core::locale::{Intl, Plural, TimeUnit};
use crate::core::map::SmallMap;
use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    #[derive(Debug, Clone)]
    type NumberFormat;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, n: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl, js_name = PluralRules)]
    #[derive(Debug, Clone)]
    type PluralRules;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "PluralRules")]
    fn new(locale: &str) -> Result<PluralRules, JsValue>;
    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, n: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl, js_name = ListFormat)]
    #[derive(Debug, Clone)]
    type ListFormat;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "ListFormat")]
    fn new(locale: &str, options: &Object) -> Result<ListFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &ListFormat, items: &Array) -> String;

    #[wasm_bindgen(js_namespace = Intl, js_name = Segmenter)]
    #[derive(Debug, Clone)]
    type Segmenter;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "Segmenter")]
    fn new(locale: &str, options: &Object) -> Result<Segmenter, JsValue>;
    #[wasm_bindgen(method)]
    fn segment(this: &Segmenter, text: &str) -> JsValue;

    /// `Array.from(iterable)`: the segments of a text in one call, so the bundle carries no
    /// JavaScript iterator protocol (`js_sys::try_iter`).
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(iterable: &JsValue) -> Result<Array, JsValue>;
}

/// A plain options object from string pairs.
fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    object
}

/// The viewer's time of day, weekday and zone offset in one zone, from one `formatToParts`.
struct ZoneParts {
    time: String,
    weekday: String,
    offset: String,
}

/// [`Intl`] for the viewer's locale, with the formatters built once and cached.
#[derive(Debug)]
pub struct BrowserIntl {
    locale: String,
    tz: IntlTz,
    /// One formatter per zone (`None`: the browser does not know the zone).
    zones: RefCell<SmallMap<Option<DateTimeFormat>>>,
    plural: Option<PluralRules>,
    number: Option<NumberFormat>,
    units: [Option<NumberFormat>; 3],
    unit_list: Option<ListFormat>,
    or_list: Option<ListFormat>,
    /// Word segmentation with the browser's dictionaries, so words are found in scripts written
    /// without spaces (Japanese "サーバー障害発生" holds "障害"); absent in old browsers.
    words: Option<Segmenter>,
}

impl BrowserIntl {
    /// Formats for `locale` (a BCP 47 tag such as `de` or `pt-BR`); a tag the browser rejects
    /// (`Intl` throws a RangeError for it) means English, the app's own language.
    pub fn new(locale: &str) -> BrowserIntl {
        let locale = if PluralRules::new(locale).is_ok() {
            locale
        } else {
            "en"
        };
        let unit = |u: TimeUnit| {
            let o = options(&[
                ("style", "unit"),
                ("unit", u.as_str()),
                ("unitDisplay", "short"),
            ]);
            NumberFormat::new(locale, &o).ok()
        };
        BrowserIntl {
            locale: locale.to_string(),
            tz: IntlTz::new(),
            zones: RefCell::new(SmallMap::new()),
            plural: PluralRules::new(locale).ok(),
            number: NumberFormat::new(locale, &Object::new()).ok(),
            units: [
                unit(TimeUnit::Day),
                unit(TimeUnit::Hour),
                unit(TimeUnit::Minute),
            ],
            unit_list: ListFormat::new(locale, &options(&[("type", "unit"), ("style", "short")]))
                .ok(),
            or_list: ListFormat::new(locale, &options(&[("type", "disjunction")])).ok(),
            words: Segmenter::new(locale, &options(&[("granularity", "word")])).ok(),
        }
    }

    fn zone_formatter(&self, tz: &str) -> Option<DateTimeFormat> {
        if let Some(cached) = self.zones.try_borrow().ok()?.get(tz) {
            return cached.clone();
        }
        let o = options(&[
            ("timeZone", tz),
            ("weekday", "short"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
            ("timeZoneName", "shortOffset"),
        ]);
        let built = DateTimeFormat::new(&self.locale, &o).ok();
        if let Ok(mut cache) = self.zones.try_borrow_mut() {
            cache.insert(tz.to_string(), built.clone());
        }
        built
    }

    /// The parts of `utc_ms` in `tz`: the time is the run from the first to the last hour,
    /// minute or day-period part with the literals between them, so each locale keeps its own
    /// order and separators ("14:03", "2:03 PM", "午後2:03").
    fn parts(&self, utc_ms: i64, tz: &str) -> Option<ZoneParts> {
        let formatter = self.zone_formatter(tz)?;
        let mut parts = Vec::new();
        for p in formatter.format_to_parts(utc_ms as f64).iter() {
            if let (Some(kind), Some(value)) =
                (js::string_field(&p, "type"), js::string_field(&p, "value"))
            {
                parts.push((kind, value));
            }
        }
        // A run of parts of some kinds, with the literals between them, in the locale's order.
        let span = |is: &dyn Fn(&str) -> bool| -> Option<String> {
            let first = parts.iter().position(|(k, _)| is(k))?;
            let last = parts.iter().rposition(|(k, _)| is(k))?;
            let mut text = String::new();
            for (_, value) in parts.get(first..=last)? {
                text.push_str(value);
            }
            Some(text.trim().to_string())
        };
        let time = span(&|k| matches!(k, "hour" | "minute" | "dayPeriod"))?;
        let find = |kind: &str| {
            parts
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Some(ZoneParts {
            time,
            weekday: find("weekday"),
            offset: find("timeZoneName"),
        })
    }
}

impl TzOffsets for BrowserIntl {
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32> {
        self.tz.offset_minutes(tz, utc_ms)
    }
}

impl Intl for BrowserIntl {
    fn time(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.parts(utc_ms, tz).map(|p| p.time)
    }

    fn weekday(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.parts(utc_ms, tz).map(|p| p.weekday)
    }

    fn date(&self, utc_ms: i64, tz: &str) -> Option<String> {
        // Rare (a ping recorded on another day), so a formatter made for the occasion.
        let o = options(&[("timeZone", tz), ("month", "short"), ("day", "numeric")]);
        let formatter = DateTimeFormat::new(&self.locale, &o).ok()?;
        let mut date = String::new();
        for p in formatter.format_to_parts(utc_ms as f64).iter() {
            if let Some(value) = js::string_field(&p, "value") {
                date.push_str(&value);
            }
        }
        Some(date)
    }

    fn offset_name(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.parts(utc_ms, tz).map(|p| p.offset)
    }

    fn duration(&self, parts: &[(TimeUnit, i64)]) -> String {
        // Pushed one by one: a `collect` into an `Array` costs the bundle a `FromIterator` and
        // an `Extend` per call site.
        let words = Array::new();
        for (unit, n) in parts {
            let text = match &self.units[*unit as usize] {
                Some(f) => f.format(*n as f64),
                None => self.number(*n),
            };
            words.push(&JsValue::from(text));
        }
        match &self.unit_list {
            Some(list) => list.format(&words),
            None => words.join(" ").into(),
        }
    }

    fn number(&self, n: i64) -> String {
        match &self.number {
            Some(f) => f.format(n as f64),
            None => n.to_string(),
        }
    }

    fn plural(&self, n: i64) -> Plural {
        match &self.plural {
            Some(rules) => Plural::from_name(&rules.select(n as f64)),
            None => Plural::Other,
        }
    }

    fn or_list(&self, items: &[String]) -> String {
        let array = Array::new();
        for item in items {
            array.push(&JsValue::from_str(item));
        }
        match &self.or_list {
            Some(list) => list.format(&array),
            None => array.join(", ").into(),
        }
    }

    fn lower(&self, s: &str) -> String {
        js_sys::JsString::from(s).to_lower_case().into()
    }

    fn words(&self, s: &str) -> Vec<String> {
        let lower = js_sys::JsString::from(s).to_lower_case();
        let segments = self.words.as_ref().and_then(|segmenter| {
            let text: String = lower.clone().into();
            array_from(&segmenter.segment(&text)).ok()
        });
        let mut words = Vec::new();
        if let Some(segments) = segments {
            for s in segments.iter() {
                if js::field(&s, "isWordLike").and_then(|w| w.as_bool()) == Some(true) {
                    if let Some(word) = js::string_field(&s, "segment") {
                        words.push(word);
                    }
                }
            }
            return words;
        }
        let pattern = js_sys::RegExp::new(r"[\p{L}\p{N}\p{M}]+", "gu");
        if let Some(found) = lower.match_(&pattern) {
            for word in js_sys::Array::from(&found).iter() {
                if let Some(word) = word.as_string() {
                    words.push(word);
                }
            }
        }
        words
    }
}
