//! The locale port for native tests: fixed English forms that mirror what the browser's `Intl`
//! writes for `en-US` with a 24-hour clock, over a fixed timezone table (no DST).
use ase_emergency_assist::core::availability::TzOffsets;
use ase_emergency_assist::core::clock;
use ase_emergency_assist::core::locale::{Intl, Plural, TimeUnit};

/// English, 24-hour clock; zones: UTC, New York (−5), Paris (+1), Kolkata (+5:30).
pub struct Tz;

impl TzOffsets for Tz {
    fn offset_minutes(&self, tz: &str, _utc_ms: i64) -> Option<i32> {
        match tz {
            "UTC" => Some(0),
            "America/New_York" => Some(-300),
            "Europe/Paris" => Some(60),
            "Asia/Kolkata" => Some(330),
            _ => None,
        }
    }
}

impl Intl for Tz {
    fn time(&self, utc_ms: i64, tz: &str) -> Option<String> {
        let offset = self.offset_minutes(tz, utc_ms)?;
        let c = clock::civil(utc_ms + i64::from(offset) * 60_000);
        Some(format!("{:02}:{:02}", c.hour, c.minute))
    }

    fn weekday(&self, utc_ms: i64, tz: &str) -> Option<String> {
        let offset = self.offset_minutes(tz, utc_ms)?;
        let days = (utc_ms + i64::from(offset) * 60_000).div_euclid(clock::MS_PER_DAY);
        Some(clock::Weekday::from_days(days).short().to_string())
    }

    fn date(&self, utc_ms: i64, tz: &str) -> Option<String> {
        let offset = self.offset_minutes(tz, utc_ms)?;
        let c = clock::civil(utc_ms + i64::from(offset) * 60_000);
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        Some(format!("{} {}", MONTHS[usize::from(c.month) - 1], c.day))
    }

    fn offset_name(&self, utc_ms: i64, tz: &str) -> Option<String> {
        let offset = self.offset_minutes(tz, utc_ms)?;
        let sign = if offset < 0 { '-' } else { '+' };
        let (h, m) = (offset.abs() / 60, offset.abs() % 60);
        Some(match (h, m) {
            (0, 0) => "GMT".to_string(),
            (h, 0) => format!("GMT{sign}{h}"),
            (h, m) => format!("GMT{sign}{h}:{m:02}"),
        })
    }

    fn duration(&self, parts: &[(TimeUnit, i64)]) -> String {
        let words: Vec<String> = parts
            .iter()
            .map(|(unit, n)| match (unit, n) {
                (TimeUnit::Day, 1) => "1 day".to_string(),
                (TimeUnit::Day, n) => format!("{n} days"),
                (TimeUnit::Hour, n) => format!("{n} hr"),
                (TimeUnit::Minute, n) => format!("{n} min"),
            })
            .collect();
        words.join(", ")
    }

    fn number(&self, n: i64) -> String {
        n.to_string()
    }

    fn plural(&self, n: i64) -> Plural {
        if n == 1 {
            Plural::One
        } else {
            Plural::Other
        }
    }

    fn or_list(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [a, b] => format!("{a} or {b}"),
            [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
        }
    }

    fn lower(&self, s: &str) -> String {
        s.to_lowercase()
    }

    fn words(&self, s: &str) -> Vec<String> {
        // Letters, digits and combining marks, as `/[\p{L}\p{N}\p{M}]+/gu` finds them in the
        // browser; std has no mark category, so the combining diacritics block stands in.
        let is_word = |c: char| c.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&c);
        s.to_lowercase()
            .split(|c: char| !is_word(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }
}
