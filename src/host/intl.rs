//! The locale port ([`Intl`]) on top of the browser's `Intl` objects and
//! `String.prototype.toLowerCase`: the viewer's locale writes times, weekdays, zone offsets,
//! durations, numbers and lists, and picks plural categories. The app ships no locale data and
//! no Unicode tables of its own.
//!
//! The calls into `Intl` live in `intl.js` beside this file (one line each there, many bytes of
//! bindings here; wasm-bindgen imports it and the build bundles it into the glue); what the
//! answers mean stays here and in the core.
//!
//! Invariant: a locale or zone the browser does not know degrades (to English, to `None` for a
//! zone), never to a throw: `intl.js` catches every constructor.
use super::tz::{self, LocaleIntl};
use crate::core::availability::TzOffsets;
use crate::core::locale::{Intl, Plural, TimeUnit};

/// The separator of lists crossing into and out of `intl.js` (U+001F, in no word or name).
const US: char = '\u{1f}';

/// [`Intl`] for the viewer's locale, with the formatters built once and cached (in JS).
#[derive(Debug)]
pub struct BrowserIntl {
    js: LocaleIntl,
}

impl BrowserIntl {
    /// Formats for `locale` (a BCP 47 tag such as `de` or `pt-BR`); a tag the browser rejects
    /// (`Intl` throws a RangeError for it) means English, the app's own language.
    pub fn new(locale: &str) -> BrowserIntl {
        BrowserIntl {
            js: LocaleIntl::new(locale),
        }
    }
}

impl TzOffsets for BrowserIntl {
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32> {
        tz::offset_minutes(&self.js, tz, utc_ms)
    }
}

impl Intl for BrowserIntl {
    fn time(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.js.time(utc_ms as f64, tz)
    }

    fn weekday(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.js.weekday(utc_ms as f64, tz)
    }

    fn date(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.js.date(utc_ms as f64, tz)
    }

    fn offset_name(&self, utc_ms: i64, tz: &str) -> Option<String> {
        self.js.offset_name(utc_ms as f64, tz)
    }

    fn duration(&self, parts: &[(TimeUnit, i64)]) -> String {
        let mut spec = String::new();
        for (unit, n) in parts {
            if !spec.is_empty() {
                spec.push(US);
            }
            spec.push_str(&crate::core::text::number_text(*n as f64));
            spec.push(' ');
            spec.push_str(unit.as_str());
        }
        self.js.duration(&spec)
    }

    fn number(&self, n: i64) -> String {
        self.js.number(n as f64)
    }

    fn plural(&self, n: i64) -> Plural {
        Plural::from_name(&self.js.plural(n as f64))
    }

    fn or_list(&self, items: &[String]) -> String {
        let mut joined = Vec::new();
        for item in items {
            joined.push(item.as_str());
        }
        match items.is_empty() {
            true => String::new(),
            false => self.js.or_list(&crate::core::text::join(&joined, "\u{1f}")),
        }
    }

    fn lower(&self, s: &str) -> String {
        self.js.lower(s)
    }

    fn words(&self, s: &str) -> Vec<String> {
        let mut words = Vec::new();
        for word in self.js.words(s).split(US) {
            if !word.is_empty() {
                words.push(word.to_string());
            }
        }
        words
    }
}
