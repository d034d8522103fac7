//! The port to the viewer's locale: how times, weekdays, durations, numbers, lists and plural
//! categories are written, and Unicode case folding. The host implements it with the
//! browser's `Intl` (and `String.prototype.toLowerCase`), so the wasm bundle carries no locale
//! data and no Unicode case tables; native tests implement it with fixed English forms.
//!
//! Invariant: the core hard-codes no word order, separator, clock style or zone label; those
//! come from this port or from the translations.
use super::availability::TzOffsets;

/// A plural category as `Intl.PluralRules` names them (CLDR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Plural {
    /// The CLDR name, also the suffix of a plural translation key (`…count.one`).
    pub fn as_str(self) -> &'static str {
        match self {
            Plural::Zero => "zero",
            Plural::One => "one",
            Plural::Two => "two",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }

    /// Reads a CLDR name; anything unknown is `Other`, the category every locale has.
    pub fn from_name(name: &str) -> Plural {
        match name {
            "zero" => Plural::Zero,
            "one" => Plural::One,
            "two" => Plural::Two,
            "few" => Plural::Few,
            "many" => Plural::Many,
            _ => Plural::Other,
        }
    }
}

/// A unit of a duration, named as `Intl.NumberFormat`'s `unit` option names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Day,
    Hour,
    Minute,
}

impl TimeUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Hour => "hour",
            TimeUnit::Minute => "minute",
        }
    }
}

/// A duration of whole minutes as the parts people say: days and hours from a day on, hours
/// and minutes below (`1 day, 3 hr`, `2 hr, 5 min`, `45 min`); zero parts are left out, and
/// a duration below one minute counts as one minute.
pub fn duration_parts(minutes: i64) -> Vec<(TimeUnit, i64)> {
    let minutes = minutes.max(1);
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let parts = if days > 0 {
        [(TimeUnit::Day, days), (TimeUnit::Hour, hours)]
    } else {
        [(TimeUnit::Hour, hours), (TimeUnit::Minute, mins)]
    };
    let mut nonzero = Vec::new();
    for (unit, n) in parts {
        if n > 0 {
            nonzero.push((unit, n));
        }
    }
    nonzero
}

/// Locale-aware formatting for the viewer, plus the timezone database.
pub trait Intl: TzOffsets {
    /// Time of day at `utc_ms` in zone `tz` as the viewer's locale writes it ("14:03",
    /// "2:03 PM"); `None` when the zone is unknown.
    fn time(&self, utc_ms: i64, tz: &str) -> Option<String>;
    /// Short weekday name at `utc_ms` in zone `tz` ("Thu", "jeu.").
    fn weekday(&self, utc_ms: i64, tz: &str) -> Option<String>;
    /// Day and short month at `utc_ms` in zone `tz` ("Nov 26", "26 nov.", "11月26日").
    fn date(&self, utc_ms: i64, tz: &str) -> Option<String>;
    /// The zone's offset as the locale names it ("GMT-5", "UTC+5:30").
    fn offset_name(&self, utc_ms: i64, tz: &str) -> Option<String>;
    /// A duration from [`duration_parts`] ("2 hr, 5 min", "1 Tag, 3 Std.").
    fn duration(&self, parts: &[(TimeUnit, i64)]) -> String;
    /// A whole number ("1,234", "1 234").
    fn number(&self, n: i64) -> String;
    /// The plural category of `n`.
    fn plural(&self, n: i64) -> Plural;
    /// "a, b or c" in the locale's words.
    fn or_list(&self, items: &[String]) -> String;
    /// Unicode lowercase, for case-insensitive matching.
    fn lower(&self, s: &str) -> String;
    /// The lowercased words of `s`: runs of letters, digits and combining marks (Unicode
    /// categories L, N and M); everything else (spaces, punctuation, symbols, emoji) separates
    /// words, so "down" is not a word of "download".
    fn words(&self, s: &str) -> Vec<String>;
}
