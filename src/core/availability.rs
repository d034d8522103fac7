//! The ASE's local time and working hours. Timezone offsets come from the host through
//! [`TzOffsets`] (the browser's `Intl` already carries the tz database).
//!
//! This module owns the `working_hours` setting's grammar ([`WorkingHours::parse`] and its
//! canonical [`Display`](std::fmt::Display) form) and the answer to "is the ASE inside their
//! working hours right now, and for how long / until when" ([`availability`]).
//!
//! Invariants: time is an argument (`now_ms`); every minute count is measured between real
//! instants, so it stays right across DST changes; every value returned is meaningful
//! (minute counts are at least 1, there is no "never" sentinel).
use super::clock::{self, Weekday, MS_PER_DAY, MS_PER_MINUTE};
use std::fmt;

/// Port to a timezone database.
pub trait TzOffsets {
    /// Offset from UTC in minutes (east positive) of IANA zone `tz` at the instant `utc_ms`;
    /// `None` when the zone is unknown.
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32>;
}

/// Weekly working hours: the same shift on each working day.
///
/// A shift with `end_min < start_min` crosses midnight and belongs to the day it starts on
/// ("Fri 22:00-06:00" runs from Friday 22:00 to Saturday 06:00). `end_min` may be 1440
/// ("24:00"). [`WorkingHours::parse`] guarantees at least one day and `start_min != end_min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    /// Monday first, like [`Weekday::index`].
    pub days: [bool; 7],
    /// Minutes after local midnight, 0..1440.
    pub start_min: u16,
    /// Minutes after local midnight, 0..=1440.
    pub end_min: u16,
}

impl Default for WorkingHours {
    /// The manifest default, "Mon-Fri 09:00-17:00".
    fn default() -> Self {
        WorkingHours {
            days: [true, true, true, true, true, false, false],
            start_min: 9 * 60,
            end_min: 17 * 60,
        }
    }
}

impl WorkingHours {
    /// Parses `"<days> <HH:MM>-<HH:MM>"`.
    ///
    /// Days are a comma list of day names or ranges: `Mon-Fri`, `Mon,Wed,Fri`,
    /// `Sun-Thu` (ranges wrap around the week), `Mon-Wed, Sat`. Day names are the
    /// three-letter abbreviation or the full English name, in any case. Hours are `H:MM` or
    /// `HH:MM`; the end may be `24:00`. Spaces around `-` and `,` are ignored. The error says
    /// what is wrong (the sidebar names the setting and its expected form; the reason is for
    /// tests and tools, so no English sentence ships).
    pub fn parse(s: &str) -> Result<WorkingHours, HoursError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(HoursError::Empty);
        }
        // The day list ends where the first digit (the start time) begins.
        let split = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
        // `split_at_checked`, not `split_at`: no panic path (and its formatting) in the bundle.
        let (day_part, time_part) = s.split_at_checked(split).unwrap_or((s, ""));
        let days = parse_days(day_part)?;
        let (start_min, end_min) = parse_time_range(time_part)?;
        Ok(WorkingHours {
            days,
            start_min,
            end_min,
        })
    }

    /// Whether the shift crosses local midnight.
    pub fn crosses_midnight(&self) -> bool {
        self.end_min < self.start_min
    }
}

/// Why a `working_hours` value does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoursError {
    Empty,
    NoDays,
    EmptyDayEntry,
    MissingDayName,
    UnknownDay(String),
    NoTimeRange,
    NoEndTime,
    NotATime(String),
    OutOfRange(String),
    StartAt24,
    SameStartAndEnd,
}

fn parse_days(part: &str) -> Result<[bool; 7], HoursError> {
    let part = part.trim();
    if part.is_empty() {
        return Err(HoursError::NoDays);
    }
    let mut days = [false; 7];
    for item in part.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(HoursError::EmptyDayEntry);
        }
        let mut ends = item.splitn(2, ['-', '\u{2013}']);
        let first = day_from_name(ends.next().unwrap_or(""))?;
        match ends.next() {
            None => days[first.index()] = true,
            Some(last) => {
                let last = day_from_name(last)?;
                // Ranges wrap: "Sun-Thu" is Sunday through Thursday.
                let mut d = first.index();
                loop {
                    days[d] = true;
                    if d == last.index() {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
        }
    }
    Ok(days)
}

fn day_from_name(name: &str) -> Result<Weekday, HoursError> {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let name = name.trim();
    // Day names are English ASCII in the setting's grammar, so ASCII folding is exact.
    let lower = name.to_ascii_lowercase();
    Weekday::ALL
        .iter()
        .zip(FULL)
        .find(|(d, full)| lower == d.short().to_ascii_lowercase() || lower == *full)
        .map(|(d, _)| *d)
        .ok_or_else(|| match name.is_empty() {
            true => HoursError::MissingDayName,
            false => HoursError::UnknownDay(short_text(name)),
        })
}

fn parse_time_range(part: &str) -> Result<(u16, u16), HoursError> {
    let part = part.trim();
    if part.is_empty() {
        return Err(HoursError::NoTimeRange);
    }
    let mut ends = part.splitn(2, ['-', '\u{2013}']);
    let start = ends.next().unwrap_or("");
    let Some(end) = ends.next() else {
        return Err(HoursError::NoEndTime);
    };
    let start_min = parse_hhmm(start)?;
    let end_min = parse_hhmm(end)?;
    if start_min == 1440 {
        return Err(HoursError::StartAt24);
    }
    if start_min == end_min {
        return Err(HoursError::SameStartAndEnd);
    }
    Ok((start_min, end_min))
}

fn parse_hhmm(s: &str) -> Result<u16, HoursError> {
    let t = s.trim();
    let bad = || HoursError::NotATime(short_text(t));
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || h.len() > 2 || !all_digits(m) || m.len() != 2 {
        return Err(bad());
    }
    let number = |s: &str| {
        super::text::whole_number(s)
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(bad)
    };
    let (h, m) = (number(h)?, number(m)?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(HoursError::OutOfRange(short_text(t)));
    }
    Ok(h * 60 + m)
}

/// At most 20 characters of untrusted text, for error messages.
fn short_text(s: &str) -> String {
    super::text::clip(s, 20)
}

impl fmt::Display for WorkingHours {
    /// Canonical form: day runs joined by commas (a run of two or more days as `First-Last`,
    /// wrapping around the week when that makes one run, so `Sun-Thu` stays `Sun-Thu`),
    /// then `HH:MM-HH:MM`. Parsing the output gives the same value back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |i: usize| self.days[i % 7];
        let mut runs: Vec<(usize, usize)> = Vec::new();
        if (0..7).all(set) {
            runs.push((0, 6));
        } else {
            // A run starts on a working day whose previous day (cyclically) is free.
            for start in (0..7).filter(|&i| set(i) && !set(i + 6)) {
                let mut end = start;
                while set(end + 1) {
                    end += 1;
                }
                runs.push((start, end % 7));
            }
        }
        let mut days = String::new();
        for (i, &(a, b)) in runs.iter().enumerate() {
            if i > 0 {
                days.push(',');
            }
            days.push_str(Weekday::from_index(a).short());
            if a != b {
                days.push('-');
                days.push_str(Weekday::from_index(b).short());
            }
        }
        write!(f, "{days} {}-{}", hhmm(self.start_min), hhmm(self.end_min))
    }
}

fn hhmm(min: u16) -> String {
    let two = |n: u16| super::text::digits(u64::from(n), 2);
    format!("{}:{}", two(min / 60), two(min % 60))
}

/// Wall-clock time somewhere, with the offset that was in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub weekday: Weekday,
    pub hour: u8,
    pub minute: u8,
    pub offset_minutes: i32,
}

/// Where the present falls relative to the working hours. Minute counts are between real
/// instants (DST-aware), rounded up, and always at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursState {
    /// Inside a shift; it ends in this many minutes. Back-to-back shifts (such as
    /// "Mon-Sun 00:00-24:00") count as one, up to the look-ahead of 8 days.
    Inside { ends_in_min: i64 },
    /// Outside working hours; the next shift starts in this many minutes (at most about
    /// 8 days, since every parsed [`WorkingHours`] has a working day).
    Outside { starts_in_min: i64 },
}

impl HoursState {
    pub fn is_inside(self) -> bool {
        matches!(self, HoursState::Inside { .. })
    }
}

/// The ASE's local time and where it falls in their working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    pub local: LocalTime,
    pub hours: HoursState,
}

/// Local wall-clock time of the instant `now_ms` at a fixed offset.
pub fn local_time(now_ms: i64, offset_minutes: i32) -> LocalTime {
    let c = clock::civil(now_ms.saturating_add(i64::from(offset_minutes) * MS_PER_MINUTE));
    LocalTime {
        weekday: c.weekday,
        hour: c.hour,
        minute: c.minute,
        offset_minutes,
    }
}

/// How far ahead [`availability`] looks for the next shift, in days.
const LOOK_AHEAD_DAYS: i64 = 8;
/// Instants beyond ±100,000 years are not calendar questions; refuse them instead of
/// risking arithmetic overflow.
const MAX_ABS_MS: i64 = 100_000 * 366 * MS_PER_DAY;

/// The local time in `tz` at `now_ms` and whether that is inside `hours`.
///
/// `None` when `tzdb` does not know `tz` (or stops knowing it part-way), or when `hours`
/// yields no shift in the look-ahead window, which a value from [`WorkingHours::parse`] never
/// does.
///
/// Shift boundaries are local wall times converted to instants with the offset in force at
/// that instant (see [`wall_to_utc`]), so "Friday 16:00 until Monday 09:00" across a DST
/// weekend is 60 minutes shorter or longer than the naive wall-clock count.
pub fn availability(
    now_ms: i64,
    tz: &str,
    hours: &WorkingHours,
    tzdb: &dyn TzOffsets,
) -> Option<Availability> {
    if now_ms.unsigned_abs() > MAX_ABS_MS.unsigned_abs() {
        return None;
    }
    let offset = tzdb.offset_minutes(tz, now_ms)?;
    let local = local_time(now_ms, offset);
    let today = (now_ms + i64::from(offset) * MS_PER_MINUTE).div_euclid(MS_PER_DAY);

    // Shifts as (start, end) instants, in start order; yesterday's may still be running.
    let mut shifts: Vec<(i64, i64)> = Vec::new();
    for day in today - 1..=today + LOOK_AHEAD_DAYS {
        if !hours.days[Weekday::from_days(day).index()] {
            continue;
        }
        let end_day = if hours.crosses_midnight() {
            day + 1
        } else {
            day
        };
        let start_wall = day * MS_PER_DAY + i64::from(hours.start_min) * MS_PER_MINUTE;
        let end_wall = end_day * MS_PER_DAY + i64::from(hours.end_min) * MS_PER_MINUTE;
        let start = wall_to_utc(start_wall, tz, tzdb)?;
        let end = wall_to_utc(end_wall, tz, tzdb)?;
        if end > start {
            shifts.push((start, end));
        }
    }

    let state = match shifts.iter().position(|&(s, e)| s <= now_ms && now_ms < e) {
        Some(i) => {
            // Merge shifts that touch or overlap, so "ends in" means the ASE really stops.
            let mut end = shifts[i].1;
            for &(s, e) in &shifts[i + 1..] {
                if s <= end {
                    end = end.max(e);
                } else {
                    break;
                }
            }
            HoursState::Inside {
                ends_in_min: minutes_ceil(end - now_ms),
            }
        }
        None => {
            let start = shifts
                .iter()
                .map(|&(s, _)| s)
                .filter(|&s| s > now_ms)
                .min()?;
            HoursState::Outside {
                starts_in_min: minutes_ceil(start - now_ms),
            }
        }
    };
    Some(Availability {
        local,
        hours: state,
    })
}

/// Whole minutes in a positive duration, rounded up (so a running countdown never shows 0).
fn minutes_ceil(ms: i64) -> i64 {
    (ms + MS_PER_MINUTE - 1).div_euclid(MS_PER_MINUTE).max(1)
}

/// The instant at which the wall clock in `tz` shows `wall_ms` (a local date and time
/// written as milliseconds since 1970-01-01 00:00 *local*).
///
/// The offset is looked up at the candidate instant itself (guess → offset → instant →
/// check), using the offsets in force a day before and a day after, so a transition between
/// "now" and the wall time is handled. Transitions are resolved like JavaScript's `Date` and
/// Temporal's `"compatible"` disambiguation:
/// - a wall time that happens twice (autumn fall-back) maps to the *earlier* instant;
/// - a wall time that never happens (spring-forward gap) is read with the offset from
///   before the gap, which lands after the gap, shifted forward by the gap's length
///   (New York 2026-03-08 02:30 → 03:30 EDT). A shift that starts inside the gap therefore
///   starts when the clocks have jumped past its start; an end inside the gap likewise.
///
/// `None` when `tzdb` does not know `tz`.
pub fn wall_to_utc(wall_ms: i64, tz: &str, tzdb: &dyn TzOffsets) -> Option<i64> {
    let before = tzdb.offset_minutes(tz, wall_ms.saturating_sub(MS_PER_DAY))?;
    let after = tzdb.offset_minutes(tz, wall_ms.saturating_add(MS_PER_DAY))?;
    let mut valid: Option<i64> = None;
    for offset in [before, after] {
        let candidate = wall_ms.saturating_sub(i64::from(offset) * MS_PER_MINUTE);
        if tzdb.offset_minutes(tz, candidate)? == offset {
            valid = Some(valid.map_or(candidate, |v: i64| v.min(candidate)));
        }
    }
    Some(valid.unwrap_or(wall_ms.saturating_sub(i64::from(before) * MS_PER_MINUTE)))
}
