//! Calendar arithmetic on instants: RFC 3339 parsing and formatting, UTC civil time and
//! weekdays. Instants are milliseconds since the Unix epoch (`i64`, like `Date.now()`).
//!
//! Invariant: this module never reads a clock; every instant is an argument. The date
//! algorithms are Howard Hinnant's `days_from_civil` / `civil_from_days` (proleptic Gregorian
//! calendar), exact for every year an `i32` holds.
use super::text::digits;

/// Milliseconds in a minute.
pub const MS_PER_MINUTE: i64 = 60_000;
/// Milliseconds in a (UTC, leap-second-free) day.
pub const MS_PER_DAY: i64 = 86_400_000;

/// A day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Every weekday, Monday first, so `ALL[d.index()] == d`.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday = 0 ... Sunday = 6.
    pub fn index(self) -> usize {
        self as usize
    }

    /// English three-letter abbreviation: "Mon".
    pub fn short(self) -> &'static str {
        match self {
            Weekday::Mon => "Mon",
            Weekday::Tue => "Tue",
            Weekday::Wed => "Wed",
            Weekday::Thu => "Thu",
            Weekday::Fri => "Fri",
            Weekday::Sat => "Sat",
            Weekday::Sun => "Sun",
        }
    }

    /// The weekday with `index() == i % 7`.
    pub fn from_index(i: usize) -> Weekday {
        Weekday::ALL[i % 7]
    }

    /// The weekday of a day number (days since 1970-01-01, which was a Thursday).
    pub fn from_days(days: i64) -> Weekday {
        // rem_euclid keeps the result in 0..7 for days before the epoch.
        Weekday::ALL[(days + 3).rem_euclid(7) as usize]
    }
}

/// Civil (calendar and wall clock) fields of an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub weekday: Weekday,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
/// `month` is 1..=12 and `day` 1..=31; other values are not rejected, they extrapolate.
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let d = i64::from(day);
    let y = i64::from(year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day number (Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Every i64 millisecond instant lands within ±300 million years, well inside i32.
    (year as i32, month as u8, day as u8)
}

/// Number of days in `month` of `year`.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Gregorian leap year rule.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// UTC civil time of the instant `ms`.
pub fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(MS_PER_DAY);
    let ms_of_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let secs = ms_of_day / 1000;
    Civil {
        year,
        month,
        day,
        hour: (secs / 3600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        weekday: Weekday::from_days(days),
    }
}

/// `"2026-11-26T14:00:00Z"`: UTC, seconds precision (milliseconds are truncated toward the
/// past, so formatting never moves an instant forward).
pub fn format_rfc3339(ms: i64) -> String {
    let c = civil(ms);
    let two = |n: u8| digits(u64::from(n), 2);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        year(c.year),
        two(c.month),
        two(c.day),
        two(c.hour),
        two(c.minute),
        two(c.second)
    )
}

/// A year as four digits (or more), with a `-` before the common era.
pub fn year(year: i32) -> String {
    let text = digits(u64::from(year.unsigned_abs()), 4);
    if year < 0 {
        format!("-{text}")
    } else {
        text
    }
}

/// A UTC offset in minutes as `"+05:30"`, `"-05:00"` or `"+00:00"`.
pub fn format_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let abs = minutes.unsigned_abs();
    format!(
        "{sign}{}:{}",
        digits(u64::from(abs / 60), 2),
        digits(u64::from(abs % 60), 2)
    )
}

/// Parses an RFC 3339 timestamp into milliseconds since the epoch.
///
/// Accepts `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any length (kept to the
/// millisecond, truncated), and `Z` or a `±HH:MM` offset (`±HHMM` too). `t`/`z` and a space
/// separator are accepted, as RFC 3339 allows. A leap second (`:60`) is read as the first
/// second of the next minute. Anything else, including impossible dates, gives `None`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let days = days_at(b)?;
    let mut p = Cursor { b, i: 10 };
    match p.next()? {
        b'T' | b't' | b' ' => {}
        _ => return None,
    }
    let hour = p.digits(2)?;
    p.expect(b':')?;
    let minute = p.digits(2)?;
    p.expect(b':')?;
    let second = p.digits(2)?;
    let mut millis = 0i64;
    if p.peek() == Some(b'.') {
        p.i += 1;
        let start = p.i;
        while let Some(c) = p.peek().filter(u8::is_ascii_digit) {
            if p.i - start < 3 {
                millis = millis * 10 + i64::from(c - b'0');
            }
            p.i += 1;
        }
        let len = p.i - start;
        if len == 0 {
            return None;
        }
        for _ in len..3 {
            millis *= 10;
        }
    }
    let offset_min = match p.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let oh = p.digits(2)?;
            if p.peek() == Some(b':') {
                p.i += 1;
            }
            let om = p.digits(2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    if p.i != b.len() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs * 1000 + millis)
}

/// The day number of the `YYYY-MM-DD` date that `b` starts with (what follows is not looked
/// at); `None` unless it is a real date.
pub fn days_at(b: &[u8]) -> Option<i64> {
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4)?;
    p.expect(b'-')?;
    let month = p.digits(2)?;
    p.expect(b'-')?;
    let day = p.digits(2)?;
    let (year, month, day) = (year as i32, month as u8, day as u8);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// A byte cursor for the RFC 3339 parser; every step is bounds-checked.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v = 0i64;
        for _ in 0..n {
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    }
}
