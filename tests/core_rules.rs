//! Native tests of the core's rules: clock, working hours and availability, detection, ASE
//! lookup and settings. Data-driven: one `check` helper per module, one line per case.
mod support;

use ase_emergency_assist::core::ase::{ase_email, viewer_role, AseLookup, ViewerRole};
use ase_emergency_assist::core::availability::{
    availability, local_time, wall_to_utc, HoursState, TzOffsets, WorkingHours,
};
use ase_emergency_assist::core::clock::{
    self, civil, civil_from_days, days_from_civil, format_offset, format_rfc3339, parse_rfc3339,
    Weekday, MS_PER_DAY,
};
use ase_emergency_assist::core::detection::{detect, FieldRule, MatchReason, Rules, TicketFacts};
use ase_emergency_assist::core::locale::{duration_parts, Plural, TimeUnit};
use ase_emergency_assist::core::map::SmallMap;
use ase_emergency_assist::core::settings::{parse_settings, Expected, RawSettings, SettingProblem};
use ase_emergency_assist::core::text::{self, format_locale, pick_locale, Catalog};
use ase_emergency_assist::core::zendesk::{OrganizationDto, ZafUserDto};
use ase_emergency_assist::{k, pk};

// ---------------------------------------------------------------------------------------------
// A small timezone database with the 2026 rules the tests need (the real one is the browser's).

struct TestTz;

const HOUR: i64 = 3_600_000;

/// Day number of the `n`th Sunday (1-based) of `month`.
fn nth_sunday(year: i32, month: u8, n: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    let to_sunday = (6 - Weekday::from_days(first).index() as i64).rem_euclid(7);
    first + to_sunday + 7 * (n - 1)
}

/// Day number of the last Sunday of `month`.
fn last_sunday(year: i32, month: u8) -> i64 {
    let next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let last = next - 1;
    last - (Weekday::from_days(last).index() as i64 + 1) % 7
}

impl TzOffsets for TestTz {
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32> {
        let year = civil(utc_ms).year;
        // Northern zones: DST between `start` and `end` of the same year.
        let northern = |start: i64, end: i64, std: i32, dst: i32| {
            Some(if start <= utc_ms && utc_ms < end {
                dst
            } else {
                std
            })
        };
        // Southern zones: standard time between `end` (April) and `start` (Sep/Oct).
        let southern = |end: i64, start: i64, std: i32, dst: i32| {
            Some(if end <= utc_ms && utc_ms < start {
                std
            } else {
                dst
            })
        };
        match tz {
            "UTC" => Some(0),
            "Asia/Kolkata" => Some(330),
            "Asia/Kathmandu" => Some(345),
            // Second Sunday of March 02:00 EST (07:00Z) to first Sunday of November 02:00 EDT (06:00Z).
            "America/New_York" => northern(
                nth_sunday(year, 3, 2) * MS_PER_DAY + 7 * HOUR,
                nth_sunday(year, 11, 1) * MS_PER_DAY + 6 * HOUR,
                -300,
                -240,
            ),
            // Last Sunday of March 01:00Z to last Sunday of October 01:00Z.
            "Europe/Berlin" => northern(
                last_sunday(year, 3) * MS_PER_DAY + HOUR,
                last_sunday(year, 10) * MS_PER_DAY + HOUR,
                60,
                120,
            ),
            // First Sunday of April 03:00 AEDT and first Sunday of October 02:00 AEST: both
            // are Saturday 16:00Z.
            "Australia/Sydney" => southern(
                nth_sunday(year, 4, 1) * MS_PER_DAY - 8 * HOUR,
                nth_sunday(year, 10, 1) * MS_PER_DAY - 8 * HOUR,
                600,
                660,
            ),
            // First Sunday of April 03:45 CHADT and last Sunday of September 02:45 CHAST: both
            // are Saturday 14:00Z.
            "Pacific/Chatham" => southern(
                nth_sunday(year, 4, 1) * MS_PER_DAY - 10 * HOUR,
                last_sunday(year, 9) * MS_PER_DAY - 10 * HOUR,
                765,
                825,
            ),
            _ => None,
        }
    }
}

fn ms(s: &str) -> i64 {
    match parse_rfc3339(s) {
        Some(v) => v,
        None => panic!("test timestamp {s:?} does not parse"),
    }
}

#[test]
fn test_tz_database_follows_the_2026_rules() {
    // (zone, instant just before a transition, offset before, offset one second later)
    let cases: [(&str, &str, i32, i32); 8] = [
        ("America/New_York", "2026-03-08T06:59:59Z", -300, -240),
        ("America/New_York", "2026-11-01T05:59:59Z", -240, -300),
        ("Europe/Berlin", "2026-03-29T00:59:59Z", 60, 120),
        ("Europe/Berlin", "2026-10-25T00:59:59Z", 120, 60),
        ("Australia/Sydney", "2026-04-04T15:59:59Z", 660, 600),
        ("Australia/Sydney", "2026-10-03T15:59:59Z", 600, 660),
        ("Pacific/Chatham", "2026-04-04T13:59:59Z", 825, 765),
        ("Pacific/Chatham", "2026-09-26T13:59:59Z", 765, 825),
    ];
    for (tz, at, before, after) in cases {
        let t = ms(at);
        assert_eq!(TestTz.offset_minutes(tz, t), Some(before), "{tz} at {at}");
        assert_eq!(
            TestTz.offset_minutes(tz, t + 1000),
            Some(after),
            "{tz} after {at}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// clock

/// Parses `input`; `expect` is the canonical UTC form and the milliseconds, or None.
fn check_rfc3339(input: &str, expect: Option<(&str, i64)>) {
    let got = parse_rfc3339(input).map(|v| (format_rfc3339(v), v));
    let expect = expect.map(|(s, v)| (s.to_string(), v));
    assert_eq!(got, expect, "parse_rfc3339({input:?})");
}

#[test]
#[rustfmt::skip]
fn rfc3339_parses_and_round_trips() {
    const T: i64 = 1_795_701_600_000; // 2026-11-26T14:00:00Z
    check_rfc3339("2026-11-26T14:00:00Z", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("1970-01-01T00:00:00Z", Some(("1970-01-01T00:00:00Z", 0)));
    check_rfc3339("2026-11-26T16:00:00+02:00", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26T08:30:00-05:30", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26T19:30:00+0530", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26T14:00:00+00:00", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26T14:00:00-00:00", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26t14:00:00z", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26 14:00:00Z", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("  2026-11-26T14:00:00Z\n", Some(("2026-11-26T14:00:00Z", T)));
    check_rfc3339("2026-11-26T14:00:00.123Z", Some(("2026-11-26T14:00:00Z", T + 123)));
    check_rfc3339("2026-11-26T14:00:00.5Z", Some(("2026-11-26T14:00:00Z", T + 500)));
    check_rfc3339("2026-11-26T14:00:00.123456789Z", Some(("2026-11-26T14:00:00Z", T + 123)));
    check_rfc3339("2026-11-26T14:00:00.999+01:00", Some(("2026-11-26T13:00:00Z", T - 3_600_000 + 999)));
    check_rfc3339("1969-12-31T23:59:59Z", Some(("1969-12-31T23:59:59Z", -1000)));
    check_rfc3339("1969-12-31T23:59:59.999Z", Some(("1969-12-31T23:59:59Z", -1)));
    check_rfc3339("1970-01-01T00:00:00+14:00", Some(("1969-12-31T10:00:00Z", -14 * 3_600_000)));
    check_rfc3339("2024-02-29T00:00:00Z", Some(("2024-02-29T00:00:00Z", 1_709_164_800_000)));
    check_rfc3339("2000-02-29T12:00:00Z", Some(("2000-02-29T12:00:00Z", 951_825_600_000)));
    check_rfc3339("0001-01-01T00:00:00Z", Some(("0001-01-01T00:00:00Z", -62_135_596_800_000)));
    check_rfc3339("9999-12-31T23:59:59Z", Some(("9999-12-31T23:59:59Z", 253_402_300_799_000)));
    check_rfc3339("2016-12-31T23:59:60Z", Some(("2017-01-01T00:00:00Z", 1_483_228_800_000)));
    // Rejected.
    check_rfc3339("2023-02-29T00:00:00Z", None);
    check_rfc3339("1900-02-29T00:00:00Z", None);
    check_rfc3339("2026-04-31T00:00:00Z", None);
    check_rfc3339("2026-13-01T00:00:00Z", None);
    check_rfc3339("2026-00-01T00:00:00Z", None);
    check_rfc3339("2026-11-00T00:00:00Z", None);
    check_rfc3339("2026-11-26T24:00:00Z", None);
    check_rfc3339("2026-11-26T14:60:00Z", None);
    check_rfc3339("2026-11-26T14:00:61Z", None);
    check_rfc3339("2026-11-26T14:00:00", None);
    check_rfc3339("2026-11-26T14:00Z", None);
    check_rfc3339("2026-11-26", None);
    check_rfc3339("", None);
    check_rfc3339("2026-11-26T14:00:00Zjunk", None);
    check_rfc3339("2026-11-26T14:00:00.Z", None);
    check_rfc3339("2026-11-26T14:00:00+24:00", None);
    check_rfc3339("2026-11-26T14:00:00+05:60", None);
    check_rfc3339("2026-11-26T14:00:00+5:30", None);
    check_rfc3339("２０２６-11-26T14:00:00Z", None);
    check_rfc3339("2026-11-26T14:00:00Ⓩ", None);
    check_rfc3339("-026-11-26T14:00:00Z", None);
}

#[test]
#[rustfmt::skip]
fn format_rfc3339_truncates_to_the_second() {
    for (input, expect) in [
        (0, "1970-01-01T00:00:00Z"),
        (999, "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (1_000_000_000_000, "2001-09-09T01:46:40Z"),
        (1_795_701_600_999, "2026-11-26T14:00:00Z"),
    ] {
        assert_eq!(format_rfc3339(input), expect, "format_rfc3339({input})");
    }
}

/// `civil(ms(input))` rendered as "YYYY-MM-DD HH:MM:SS Www".
fn check_civil(input: i64, expect: &str) {
    let c = civil(input);
    let got = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.weekday.short()
    );
    assert_eq!(got, expect, "civil({input})");
}

#[test]
#[rustfmt::skip]
fn civil_time_of_known_instants() {
    check_civil(0, "1970-01-01 00:00:00 Thu");
    check_civil(-1, "1969-12-31 23:59:59 Wed");
    check_civil(-MS_PER_DAY, "1969-12-31 00:00:00 Wed");
    check_civil(ms("2026-11-26T14:00:00Z"), "2026-11-26 14:00:00 Thu");
    check_civil(ms("2000-02-29T12:34:56Z"), "2000-02-29 12:34:56 Tue");
    check_civil(ms("2024-02-29T23:59:59Z"), "2024-02-29 23:59:59 Thu");
    check_civil(ms("2024-02-29T23:59:59Z") + 1000, "2024-03-01 00:00:00 Fri");
    check_civil(ms("2024-12-31T12:00:00Z"), "2024-12-31 12:00:00 Tue");
    check_civil(ms("2100-02-28T23:59:59Z") + 1000, "2100-03-01 00:00:00 Mon");
    check_civil(ms("1900-02-28T23:59:59Z") + 1000, "1900-03-01 00:00:00 Thu");
    check_civil(-11_676_096_000_000, "1600-01-01 00:00:00 Sat");
    check_civil(-62_135_596_800_000, "0001-01-01 00:00:00 Mon");
    check_civil(253_402_300_799_999, "9999-12-31 23:59:59 Fri");
    check_civil(i64::MIN, "-292275055-05-16 16:47:04 Sun");
    check_civil(i64::MAX, "292278994-08-17 07:12:55 Sun");
}

#[test]
fn days_from_civil_and_back_agree_on_every_day_of_eight_centuries() {
    let mut expect = days_from_civil(1600, 1, 1);
    for year in 1600..2400 {
        for month in 1..=12u8 {
            for day in 1..=clock::days_in_month(year, month) {
                let days = days_from_civil(year, month, day);
                assert_eq!(days, expect, "{year}-{month}-{day}");
                assert_eq!(civil_from_days(days), (year, month, day));
                expect += 1;
            }
        }
    }
}

#[test]
#[rustfmt::skip]
fn offsets_and_weekdays_format() {
    for (minutes, expect) in [
        (0, "+00:00"),
        (330, "+05:30"),
        (345, "+05:45"),
        (-300, "-05:00"),
        (-570, "-09:30"),
        (825, "+13:45"),
        (-1, "-00:01"),
        (i32::MIN, "-35791394:08"),
    ] {
        assert_eq!(format_offset(minutes), expect, "format_offset({minutes})");
    }
    for (i, day) in Weekday::ALL.into_iter().enumerate() {
        assert_eq!(day.index(), i);
        assert_eq!(Weekday::from_index(i), day);
    }
    let shorts: Vec<&str> = Weekday::ALL.iter().map(|d| d.short()).collect();
    assert_eq!(shorts, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
}

// ---------------------------------------------------------------------------------------------
// availability: working hours

/// Parses `input`; `Ok` carries the canonical form, `Err` a fragment of the error (as Debug).
fn check_hours(input: &str, expect: Result<&str, &str>) {
    match (WorkingHours::parse(input), expect) {
        (Ok(hours), Ok(canonical)) => {
            assert_eq!(hours.to_string(), canonical, "parse({input:?})");
            assert_eq!(
                WorkingHours::parse(canonical),
                Ok(hours),
                "canonical form of {input:?} re-parses"
            );
        }
        (Err(err), Err(fragment)) => {
            let err = format!("{err:?}");
            assert!(
                err.contains(fragment),
                "parse({input:?}) = {err:?}, expected it to mention {fragment:?}"
            );
        }
        (got, expect) => panic!("parse({input:?}) = {got:?}, expected {expect:?}"),
    }
}

#[test]
#[rustfmt::skip]
fn working_hours_parse() {
    check_hours("Mon-Fri 09:00-17:00", Ok("Mon-Fri 09:00-17:00"));
    check_hours("mon-fri 9:00-17:00", Ok("Mon-Fri 09:00-17:00"));
    check_hours("  MON - FRI   09:00 - 17:00 ", Ok("Mon-Fri 09:00-17:00"));
    check_hours("Monday-Friday 09:00-17:00", Ok("Mon-Fri 09:00-17:00"));
    check_hours("Mon–Fri 09:00–17:00", Ok("Mon-Fri 09:00-17:00"));
    check_hours("Mon,Wed,Fri 08:30-16:30", Ok("Mon,Wed,Fri 08:30-16:30"));
    check_hours("Mon, wed ,FRI 08:30-16:30", Ok("Mon,Wed,Fri 08:30-16:30"));
    check_hours("Sun-Thu 22:00-06:00", Ok("Sun-Thu 22:00-06:00"));
    check_hours("Fri-Mon 09:00-17:00", Ok("Fri-Mon 09:00-17:00"));
    check_hours("Sat,Sun,Mon 10:00-14:00", Ok("Sat-Mon 10:00-14:00"));
    check_hours("Mon-Wed,Fri 09:00-17:00", Ok("Mon-Wed,Fri 09:00-17:00"));
    check_hours("Fri,Mon-Wed 09:00-17:00", Ok("Mon-Wed,Fri 09:00-17:00"));
    check_hours("Mon,Tue 09:00-17:00", Ok("Mon-Tue 09:00-17:00"));
    check_hours("Tue-Tue 09:00-17:00", Ok("Tue 09:00-17:00"));
    check_hours("Mon,Mon 09:00-17:00", Ok("Mon 09:00-17:00"));
    check_hours("Mon-Sun 00:00-24:00", Ok("Mon-Sun 00:00-24:00"));
    check_hours("Tue-Mon 00:00-23:59", Ok("Mon-Sun 00:00-23:59"));
    check_hours("Sat 22:00-00:00", Ok("Sat 22:00-00:00"));
    check_hours("Wed 0:05-9:30", Ok("Wed 00:05-09:30"));
    // Rejected, with a description of what is wrong.
    check_hours("", Err("Empty"));
    check_hours("   ", Err("Empty"));
    check_hours("09:00-17:00", Err("NoDays"));
    check_hours("Mon-Fri", Err("NoTimeRange"));
    check_hours("Mon-Fri 09:00", Err("NoEndTime"));
    check_hours("Mon-Fri 09:00-", Err("NotATime(\"\")"));
    check_hours("Mon-Fri 9-17", Err("NotATime(\"9\")"));
    check_hours("Mon-Fri 0900-1700", Err("NotATime(\"0900\")"));
    check_hours("Mon-Fri 09:00:00-17:00", Err("NotATime("));
    check_hours("Mon-Fri 25:00-17:00", Err("OutOfRange(\"25:00\")"));
    check_hours("Mon-Fri 09:60-17:00", Err("OutOfRange(\"09:60\")"));
    check_hours("Mon-Fri 09:00-24:01", Err("OutOfRange(\"24:01\")"));
    check_hours("Mon-Fri 24:00-08:00", Err("StartAt24"));
    check_hours("Mon-Fri 09:00-09:00", Err("SameStartAndEnd"));
    check_hours("Mon-Fri 09:00-17:00 CET", Err("NotATime(\"17:00 CET\")"));
    check_hours("Mon-Fri 09:00-17:00-18:00", Err("NotATime("));
    check_hours("Mon-Fry 09:00-17:00", Err("UnknownDay(\"Fry\")"));
    check_hours("Weekdays 09:00-17:00", Err("UnknownDay(\"Weekdays\")"));
    check_hours("Mon,,Fri 09:00-17:00", Err("EmptyDayEntry"));
    check_hours("Mon- 09:00-17:00", Err("MissingDayName"));
    check_hours("😀 09:00-17:00", Err("UnknownDay(\"😀\")"));
    check_hours("Mon-Fri 0９:00-17:00", Err("NotATime("));
    check_hours("Mon-Fri 9:00am-5:00pm", Err("NotATime("));
}

#[test]
fn working_hours_canonical_form_round_trips_for_every_set_of_days() {
    for mask in 1u8..128 {
        let days: [bool; 7] = std::array::from_fn(|i| mask & (1 << i) != 0);
        let hours = WorkingHours {
            days,
            start_min: 22 * 60,
            end_min: 6 * 60 + 30,
        };
        assert_eq!(
            WorkingHours::parse(&hours.to_string()),
            Ok(hours),
            "{hours}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// availability: local time and hours state

/// `availability(now, tz, hours)` rendered as "Www HH:MM ±HH:MM inside|outside N", or "none".
fn check_availability(now: &str, tz: &str, hours: &str, expect: &str) {
    let hours = match WorkingHours::parse(hours) {
        Ok(h) => h,
        Err(e) => panic!("test hours {hours:?}: {e:?}"),
    };
    let got = match availability(ms(now), tz, &hours, &TestTz) {
        None => "none".to_string(),
        Some(a) => {
            let state = match a.hours {
                HoursState::Inside { ends_in_min } => format!("inside {ends_in_min}"),
                HoursState::Outside { starts_in_min } => format!("outside {starts_in_min}"),
            };
            let l = a.local;
            format!(
                "{} {:02}:{:02} {} {state}",
                l.weekday.short(),
                l.hour,
                l.minute,
                format_offset(l.offset_minutes)
            )
        }
    };
    assert_eq!(got, expect, "availability({now}, {tz}, {hours})");
}

const OFFICE: &str = "Mon-Fri 09:00-17:00";
/// Ends at 15:00 so that Friday 16:00 is after hours.
const EARLY: &str = "Mon-Fri 09:00-15:00";
const NIGHTS: &str = "Sun-Thu 22:00-06:00";

#[test]
#[rustfmt::skip]
fn availability_in_zones_without_a_change_today() {
    check_availability("2026-11-26T14:00:00Z", "Asia/Kolkata", OFFICE, "Thu 19:30 +05:30 outside 810");
    check_availability("2026-11-26T05:00:00Z", "Asia/Kolkata", OFFICE, "Thu 10:30 +05:30 inside 390");
    check_availability("2026-11-26T03:30:00Z", "Asia/Kolkata", OFFICE, "Thu 09:00 +05:30 inside 480");
    check_availability("2026-11-26T11:30:00Z", "Asia/Kolkata", OFFICE, "Thu 17:00 +05:30 outside 960");
    check_availability("2026-11-26T14:00:00Z", "Asia/Kathmandu", OFFICE, "Thu 19:45 +05:45 outside 795");
    check_availability("2026-11-26T14:00:00Z", "America/New_York", OFFICE, "Thu 09:00 -05:00 inside 480");
    check_availability("2026-11-26T13:59:30Z", "America/New_York", OFFICE, "Thu 08:59 -05:00 outside 1");
    check_availability("2026-11-26T21:59:59.500Z", "America/New_York", OFFICE, "Thu 16:59 -05:00 inside 1");
    check_availability("2026-11-26T13:30:00.001Z", "America/New_York", OFFICE, "Thu 08:30 -05:00 outside 30");
    check_availability("2026-11-26T14:00:00Z", "Australia/Sydney", OFFICE, "Fri 01:00 +11:00 outside 480");
    check_availability("2026-11-27T06:00:00Z", "Australia/Sydney", OFFICE, "Fri 17:00 +11:00 outside 3840");
    check_availability("2026-11-26T14:00:00Z", "Pacific/Chatham", OFFICE, "Fri 03:45 +13:45 outside 315");
    check_availability("2026-11-26T22:00:00Z", "Pacific/Chatham", OFFICE, "Fri 11:45 +13:45 inside 315");
    check_availability("2026-11-26T14:00:00Z", "Europe/Berlin", OFFICE, "Thu 15:00 +01:00 inside 120");
    check_availability("2026-11-28T12:00:00Z", "UTC", OFFICE, "Sat 12:00 +00:00 outside 2700");
    check_availability("2026-11-26T14:00:00Z", "Mars/Olympus_Mons", OFFICE, "none");
    check_availability("2026-11-26T14:00:00Z", "", OFFICE, "none");
}

#[test]
#[rustfmt::skip]
fn availability_of_overnight_shifts() {
    // Thursday's shift runs into Friday morning; Friday and Saturday have no shift.
    check_availability("2026-11-27T03:00:00Z", "UTC", NIGHTS, "Fri 03:00 +00:00 inside 180");
    check_availability("2026-11-27T07:00:00Z", "UTC", NIGHTS, "Fri 07:00 +00:00 outside 3780");
    check_availability("2026-11-28T03:00:00Z", "UTC", NIGHTS, "Sat 03:00 +00:00 outside 2580");
    check_availability("2026-11-29T22:00:00Z", "UTC", NIGHTS, "Sun 22:00 +00:00 inside 480");
    check_availability("2026-11-29T23:00:00Z", "UTC", NIGHTS, "Sun 23:00 +00:00 inside 420");
    check_availability("2026-11-30T06:00:00Z", "UTC", NIGHTS, "Mon 06:00 +00:00 outside 960");
    check_availability("2026-11-26T20:00:00Z", "Asia/Kolkata", NIGHTS, "Fri 01:30 +05:30 inside 270");
    check_availability("2026-11-27T05:00:00Z", "Asia/Kolkata", "Sat 22:00-00:00", "Fri 10:30 +05:30 outside 2130");
    check_availability("2026-11-28T17:00:00Z", "Asia/Kolkata", "Sat 22:00-00:00", "Sat 22:30 +05:30 inside 90");
    // Back-to-back shifts are one stretch of work, counted up to the look-ahead of 8 days.
    check_availability("2026-11-26T14:00:00Z", "UTC", "Mon-Sun 00:00-24:00", "Thu 14:00 +00:00 inside 12120");
    check_availability("2026-11-26T14:00:00Z", "UTC", "Mon-Sun 09:00-09:01", "Thu 14:00 +00:00 outside 1140");
}

#[test]
#[rustfmt::skip]
fn availability_across_dst_changes() {
    // Friday 16:00 → Monday 09:00 is 65 wall-clock hours (3900 minutes); a DST weekend makes
    // it 64 or 66 real hours.
    check_availability("2026-03-06T21:00:00Z", "America/New_York", EARLY, "Fri 16:00 -05:00 outside 3840");
    check_availability("2026-10-30T20:00:00Z", "America/New_York", EARLY, "Fri 16:00 -04:00 outside 3960");
    check_availability("2026-03-27T15:00:00Z", "Europe/Berlin", EARLY, "Fri 16:00 +01:00 outside 3840");
    check_availability("2026-10-23T14:00:00Z", "Europe/Berlin", EARLY, "Fri 16:00 +02:00 outside 3960");
    check_availability("2026-04-03T05:00:00Z", "Australia/Sydney", EARLY, "Fri 16:00 +11:00 outside 3960");
    check_availability("2026-10-02T06:00:00Z", "Australia/Sydney", EARLY, "Fri 16:00 +10:00 outside 3840");
    check_availability("2026-04-03T02:15:00Z", "Pacific/Chatham", EARLY, "Fri 16:00 +13:45 outside 3960");
    check_availability("2026-09-25T03:15:00Z", "Pacific/Chatham", EARLY, "Fri 16:00 +12:45 outside 3840");
    // The same Friday a week earlier is the naive 3900.
    check_availability("2026-02-27T21:00:00Z", "America/New_York", EARLY, "Fri 16:00 -05:00 outside 3900");
    // Overnight shifts through the change: 22:00 → 06:00 is 7 real hours in spring, 9 in autumn.
    check_availability("2026-03-08T03:00:00Z", "America/New_York", "Sat 22:00-06:00", "Sat 22:00 -05:00 inside 420");
    check_availability("2026-11-01T02:00:00Z", "America/New_York", "Sat 22:00-06:00", "Sat 22:00 -04:00 inside 540");
    check_availability("2026-03-29T00:30:00Z", "Europe/Berlin", "Sat 22:00-06:00", "Sun 01:30 +01:00 inside 210");
    // The offset reported is the one in force now, before or after the change.
    check_availability("2026-03-08T06:59:00Z", "America/New_York", OFFICE, "Sun 01:59 -05:00 outside 1801");
    check_availability("2026-03-08T07:00:00Z", "America/New_York", OFFICE, "Sun 03:00 -04:00 outside 1800");
}

#[test]
#[rustfmt::skip]
fn availability_at_wall_times_that_are_skipped_or_repeated() {
    // New York 2026-03-08 02:30 never happens: a shift starting then starts when the clocks
    // have jumped, at 03:30 EDT (07:30Z).
    check_availability("2026-03-08T06:00:00Z", "America/New_York", "Sun 02:30-05:00", "Sun 01:00 -05:00 outside 90");
    check_availability("2026-03-08T07:15:00Z", "America/New_York", "Sun 02:30-05:00", "Sun 03:15 -04:00 outside 15");
    check_availability("2026-03-08T07:45:00Z", "America/New_York", "Sun 02:30-05:00", "Sun 03:45 -04:00 inside 75");
    // Berlin 2026-03-29 02:15 never happens either: 03:15 CEST (01:15Z).
    check_availability("2026-03-29T00:30:00Z", "Europe/Berlin", "Sun 02:15-04:00", "Sun 01:30 +01:00 outside 45");
    // New York 2026-11-01 01:30 happens twice: the shift starts at the first one (05:30Z)
    // and is still running during the repeated hour.
    check_availability("2026-11-01T05:00:00Z", "America/New_York", "Sun 01:30-04:00", "Sun 01:00 -04:00 outside 30");
    check_availability("2026-11-01T06:10:00Z", "America/New_York", "Sun 01:30-04:00", "Sun 01:10 -05:00 inside 170");
}

/// `wall_to_utc` of a local wall time, as an RFC 3339 instant.
fn check_wall(tz: &str, wall: &str, expect: Option<&str>) {
    let got = wall_to_utc(ms(wall), tz, &TestTz).map(format_rfc3339);
    assert_eq!(got.as_deref(), expect, "wall_to_utc({tz}, {wall})");
}

#[test]
#[rustfmt::skip]
fn wall_times_convert_with_the_offset_at_that_instant() {
    check_wall("America/New_York", "2026-03-08T01:59:00Z", Some("2026-03-08T06:59:00Z"));
    check_wall("America/New_York", "2026-03-08T02:00:00Z", Some("2026-03-08T07:00:00Z"));
    check_wall("America/New_York", "2026-03-08T02:30:00Z", Some("2026-03-08T07:30:00Z"));
    check_wall("America/New_York", "2026-03-08T03:00:00Z", Some("2026-03-08T07:00:00Z"));
    check_wall("America/New_York", "2026-11-01T00:59:00Z", Some("2026-11-01T04:59:00Z"));
    check_wall("America/New_York", "2026-11-01T01:00:00Z", Some("2026-11-01T05:00:00Z"));
    check_wall("America/New_York", "2026-11-01T01:59:00Z", Some("2026-11-01T05:59:00Z"));
    check_wall("America/New_York", "2026-11-01T02:00:00Z", Some("2026-11-01T07:00:00Z"));
    check_wall("Australia/Sydney", "2026-10-04T02:30:00Z", Some("2026-10-03T16:30:00Z"));
    check_wall("Australia/Sydney", "2026-04-05T02:30:00Z", Some("2026-04-04T15:30:00Z"));
    check_wall("Pacific/Chatham", "2026-09-27T03:00:00Z", Some("2026-09-26T14:15:00Z"));
    check_wall("Asia/Kolkata", "2026-11-26T19:30:00Z", Some("2026-11-26T14:00:00Z"));
    check_wall("Nowhere/Else", "2026-11-26T19:30:00Z", None);
}

#[test]
fn hand_built_hours_without_days_have_no_availability() {
    let never = WorkingHours {
        days: [false; 7],
        start_min: 540,
        end_min: 1020,
    };
    assert_eq!(
        availability(ms("2026-11-26T14:00:00Z"), "UTC", &never, &TestTz),
        None
    );
    let office = WorkingHours::default();
    assert_eq!(office.to_string(), OFFICE);
    assert_eq!(availability(i64::MAX, "UTC", &office, &TestTz), None);
    assert_eq!(availability(i64::MIN, "UTC", &office, &TestTz), None);
    let local = local_time(ms("2026-11-26T14:00:00Z"), 825);
    assert_eq!(
        (
            local.weekday,
            local.hour,
            local.minute,
            local.offset_minutes
        ),
        (Weekday::Fri, 3, 45, 825)
    );
    let local = local_time(i64::MAX, 825);
    assert_eq!(local.offset_minutes, 825);
}

// ---------------------------------------------------------------------------------------------
// detection

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

/// Rules from comma lists: priorities, tags, forms, field (id and values), keywords.
fn rules(
    priorities: &str,
    tags: &str,
    forms: &[u64],
    field: Option<(u64, &str)>,
    keywords: &str,
) -> Rules {
    Rules {
        priorities: list(priorities),
        tags: list(tags),
        form_ids: forms.to_vec(),
        field: field.map(|(field_id, values)| FieldRule {
            field_id,
            values: list(values),
        }),
        keywords: list(keywords),
    }
}

/// A ticket: priority, tags, form, subject, field value.
struct Ticket<'a>(
    Option<&'a str>,
    &'a [&'a str],
    Option<u64>,
    &'a str,
    Option<&'a str>,
);

/// `detect` rendered as "kind:value" lines.
fn check_detect(rules: &Rules, ticket: Ticket, expect: &[&str]) {
    let Ticket(priority, tags, form_id, subject, field_value) = ticket;
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    let facts = TicketFacts {
        priority,
        tags: &tags,
        form_id,
        subject,
        field_value,
    };
    let got: Vec<String> = detect(rules, &facts, &support::Tz)
        .into_iter()
        .map(|r| match r {
            MatchReason::Priority(p) => format!("priority:{p}"),
            MatchReason::Tag(t) => format!("tag:{t}"),
            MatchReason::Form(f) => format!("form:{f}"),
            MatchReason::Field { field_id, value } => format!("field:{field_id}={value}"),
            MatchReason::Keyword(k) => format!("keyword:{k}"),
        })
        .collect();
    assert_eq!(got, expect, "detect({subject:?})");
}

#[test]
#[rustfmt::skip]
fn detection_by_each_rule_kind() {
    let r = rules(
        "urgent",
        "emergency,p1",
        &[360],
        Some((456, "sev1,sev 1")),
        "down,site down,outage",
    );
    let none: &[&str] = &[];
    check_detect(&r, Ticket(Some("urgent"), &[], None, "", None), &["priority:urgent"]);
    check_detect(&r, Ticket(Some("URGENT"), &[], None, "", None), &["priority:urgent"]);
    check_detect(&r, Ticket(Some(" Urgent "), &[], None, "", None), &["priority:urgent"]);
    check_detect(&r, Ticket(Some("high"), &[], None, "", None), none);
    check_detect(&r, Ticket(None, &[], None, "", None), none);
    check_detect(&r, Ticket(None, &[], Some(360), "", None), &["form:360"]);
    check_detect(&r, Ticket(None, &[], Some(361), "", None), none);
    check_detect(&r, Ticket(None, &["Emergency"], None, "", None), &["tag:emergency"]);
    check_detect(&r, Ticket(None, &["billing", "P1"], None, "", None), &["tag:p1"]);
    check_detect(&r, Ticket(None, &["emergency_followup", "not_p1"], None, "", None), none);
    check_detect(&r, Ticket(None, &[], None, "", Some("SEV1")), &["field:456=sev1"]);
    check_detect(&r, Ticket(None, &[], None, "", Some(" sev 1 ")), &["field:456=sev 1"]);
    check_detect(&r, Ticket(None, &[], None, "", Some("sev2")), none);
    check_detect(&r, Ticket(None, &[], None, "", Some("")), none);
    check_detect(&r, Ticket(None, &[], None, "Site is DOWN!", None), &["keyword:down"]);
    check_detect(&r, Ticket(None, &[], None, "Total outage in EU", None), &["keyword:outage"]);
    check_detect(&r, Ticket(None, &[], None, "Everything is fine", None), none);
}

#[test]
#[rustfmt::skip]
fn detection_combines_every_matching_rule_in_a_fixed_order() {
    let r = rules(
        "urgent,high",
        "emergency,p1",
        &[360, 361],
        Some((456, "sev1")),
        "site down,down,outage",
    );
    check_detect(&r, Ticket(Some("urgent"), &["p1", "emergency"], Some(361), "Outage: site down", Some("sev1")), &["priority:urgent", "form:361", "tag:emergency", "tag:p1", "field:456=sev1", "keyword:site down", "keyword:down", "keyword:outage"]);
    check_detect(&r, Ticket(Some("high"), &["p1"], None, "question", None), &["priority:high", "tag:p1"]);
    check_detect(&r, Ticket(Some("low"), &["billing"], Some(1), "Invoice", Some("sev3")), &[]);
    // Duplicate rules give one reason each.
    let dup = rules(
        "urgent,URGENT",
        "emergency, Emergency",
        &[],
        None,
        "down,DOWN, down ",
    );
    check_detect(&dup, Ticket(Some("urgent"), &["emergency"], None, "down", None), &["priority:urgent", "tag:emergency", "keyword:down"]);
    // No rules: nothing is an emergency.
    let empty = Rules::default();
    assert!(empty.is_empty());
    assert!(!r.is_empty());
    assert!(!rules("", "", &[], Some((1, "")), "").is_empty());
    check_detect(&empty, Ticket(Some("urgent"), &["emergency"], Some(360), "site down", Some("sev1")), &[]);
}

#[test]
#[rustfmt::skip]
fn detection_keywords_match_whole_words_and_phrases() {
    let r = rules(
        "",
        "",
        &[],
        None,
        "down,site down,P1,Überlastung,500 error,sev-1",
    );
    let none: &[&str] = &[];
    let subject = |s| Ticket(None, &[], None, s, None);
    check_detect(&r, subject("Download fails"), none);
    check_detect(&r, subject("Shutdown scheduled"), none);
    check_detect(&r, subject("downtime"), none);
    check_detect(&r, subject("DOWN"), &["keyword:down"]);
    check_detect(&r, subject("down-time"), &["keyword:down"]);
    check_detect(&r, subject("Is the site down?"), &["keyword:down", "keyword:site down"]);
    check_detect(&r, subject("SITE   DOWN since 9am"), &["keyword:down", "keyword:site down"]);
    check_detect(&r, subject("site-down"), &["keyword:down", "keyword:site down"]);
    check_detect(&r, subject("site is down"), &["keyword:down"]);
    check_detect(&r, subject("website down"), &["keyword:down"]);
    check_detect(&r, subject("p1: checkout broken"), &["keyword:P1"]);
    check_detect(&r, subject("p10 follow-up"), none);
    check_detect(&r, subject("ÜBERLASTUNG im Rechenzentrum"), &["keyword:Überlastung"]);
    check_detect(&r, subject("Serverüberlastung"), none);
    check_detect(&r, subject("HTTP 500 Error on login"), &["keyword:500 error"]);
    check_detect(&r, subject("5000 errors"), none);
    check_detect(&r, subject("SEV 1 incident"), &["keyword:sev-1"]);
    check_detect(&r, subject("sev/1"), &["keyword:sev-1"]);
}

#[test]
#[rustfmt::skip]
fn detection_survives_hostile_subjects() {
    let r = rules("", "", &[], None, "down,site down,!!!,  ");
    let none: &[&str] = &[];
    let subject = |s| Ticket(None, &[], None, s, None);
    check_detect(&r, subject(""), none);
    check_detect(&r, subject("!!!"), none);
    check_detect(&r, subject("<!channel> site <@U123> down"), &["keyword:down"]);
    check_detect(&r, subject("<!channel>down</!channel>"), &["keyword:down"]);
    check_detect(&r, subject("🔥down🔥"), &["keyword:down"]);
    check_detect(&r, subject("down\u{0}\u{7}"), &["keyword:down"]);
    check_detect(&r, subject("\u{202E}nwod etis"), none);
    check_detect(&r, subject("d\u{200B}own"), none);
    check_detect(&r, subject("ｄｏｗｎ"), none);
    check_detect(&r, subject("site\u{00A0}down"), &["keyword:down", "keyword:site down"]);
    check_detect(&r, subject("cafe\u{301}down"), none);
    let long = "a ".repeat(50_000) + "site down";
    check_detect(&r, subject(&long), &["keyword:down", "keyword:site down"]);
    let long = "x".repeat(100_000);
    check_detect(&r, subject(&long), none);
}

#[test]
#[rustfmt::skip]
fn detection_field_rule_without_values_means_the_field_is_set() {
    let r = rules("", "", &[], Some((789, "")), "");
    let none: &[&str] = &[];
    let field = |v| Ticket(None, &[], None, "", v);
    check_detect(&r, field(Some("true")), &["field:789=true"]);
    check_detect(&r, field(Some("Yes ")), &["field:789=Yes"]);
    check_detect(&r, field(Some("false")), none);
    check_detect(&r, field(Some("FALSE")), none);
    check_detect(&r, field(Some("0")), none);
    check_detect(&r, field(Some("  ")), none);
    check_detect(&r, field(None), none);
}

// ---------------------------------------------------------------------------------------------
// ase

/// `ase_email` of an organization whose `organization_fields` are `fields` (JSON).
fn check_ase(fields: &str, key: &str, expect: AseLookup) {
    let json = format!(r#"{{"id": 7, "name": "Acme", "organization_fields": {fields}}}"#);
    let org: OrganizationDto = match serde_json::from_str(&json) {
        Ok(o) => o,
        Err(e) => panic!("test organization {json}: {e}"),
    };
    assert_eq!(
        ase_email(&org, key, &lower),
        expect,
        "ase_email({fields}, {key:?})"
    );
}

fn email(s: &str) -> AseLookup {
    AseLookup::Email(s.to_string())
}

fn invalid(s: &str) -> AseLookup {
    AseLookup::Invalid {
        value: s.to_string(),
    }
}

#[test]
#[rustfmt::skip]
fn ase_email_from_the_organization_field() {
    use AseLookup::NotSet;
    check_ase(r#"{"ase_email": "maria@example.com"}"#, "ase_email", email("maria@example.com"));
    check_ase(r#"{"ase_email": " Maria.Lopez@Example.COM "}"#, "ase_email", email("maria.lopez@example.com"));
    check_ase(r#"{"ase_email": "mailto:maria@example.com"}"#, "ase_email", email("maria@example.com"));
    check_ase(r#"{"ase_email": "maria+ase@mail.example.co.uk"}"#, "ase_email", email("maria+ase@mail.example.co.uk"));
    check_ase(r#"{"ase_email": "maria@example.com"}"#, " ase_email ", email("maria@example.com"));
    check_ase(r#"{"other": "maria@example.com"}"#, "ase_email", NotSet);
    check_ase(r#"{}"#, "ase_email", NotSet);
    check_ase(r#"{"ase_email": null}"#, "ase_email", NotSet);
    check_ase(r#"{"ase_email": ""}"#, "ase_email", NotSet);
    check_ase(r#"{"ase_email": "   "}"#, "ase_email", NotSet);
    check_ase(r#"{"ase_email": "maria@example.com"}"#, "custom_ase", NotSet);
    check_ase(r#"{"ase_email": "maria"}"#, "ase_email", invalid("maria"));
    check_ase(r#"{"ase_email": "maria@example"}"#, "ase_email", invalid("maria@example"));
    check_ase(r#"{"ase_email": "@example.com"}"#, "ase_email", invalid("@example.com"));
    check_ase(r#"{"ase_email": "maria@"}"#, "ase_email", invalid("maria@"));
    check_ase(r#"{"ase_email": "maria@@example.com"}"#, "ase_email", invalid("maria@@example.com"));
    check_ase(r#"{"ase_email": "a@b@example.com"}"#, "ase_email", invalid("a@b@example.com"));
    check_ase(r#"{"ase_email": "maria @example.com"}"#, "ase_email", invalid("maria @example.com"));
    check_ase(r#"{"ase_email": "Maria <maria@example.com>"}"#, "ase_email", invalid("Maria <maria@example.com>"));
    check_ase(r#"{"ase_email": "maria@example.com,bob@example.com"}"#, "ase_email", invalid("maria@example.com,bob@example.com"));
    check_ase(r#"{"ase_email": "maria@.com"}"#, "ase_email", invalid("maria@.com"));
    check_ase(r#"{"ase_email": "maria@example..com"}"#, "ase_email", invalid("maria@example..com"));
    check_ase(r#"{"ase_email": "maria@example.com."}"#, "ase_email", invalid("maria@example.com."));
    check_ase(r#"{"ase_email": "maria@exa\u0000mple.com"}"#, "ase_email", invalid("maria@exa\u{0}mple.com"));
    check_ase(r#"{"ase_email": true}"#, "ase_email", invalid("true"));
    check_ase(r#"{"ase_email": 42}"#, "ase_email", invalid("42"));
}

/// Viewer `(id, email)`, the ASE email and the assignee id → role.
fn check_role(
    viewer: (u64, Option<&str>),
    ase: Option<&str>,
    assignee: Option<u64>,
    expect: ViewerRole,
) {
    let user = ZafUserDto {
        id: viewer.0,
        name: "Viewer".to_string(),
        email: viewer.1.map(str::to_string),
        alias: None,
    };
    assert_eq!(
        viewer_role(&user, ase, assignee, &lower),
        expect,
        "viewer_role({viewer:?}, {ase:?}, {assignee:?})"
    );
}

#[test]
#[rustfmt::skip]
fn viewer_roles() {
    use ViewerRole::*;
    let maria = Some("maria@example.com");
    check_role((101, Some("maria@example.com")), maria, Some(100), Ase);
    check_role((101, Some("Maria@Example.com")), maria, Some(100), Ase);
    check_role((101, Some("maria@example.com")), Some("MARIA@EXAMPLE.COM"), None, Ase);
    check_role((100, Some("olivia@example.com")), maria, Some(100), Dri);
    check_role((100, Some("maria@example.com")), maria, Some(100), AseAndDri);
    check_role((102, Some("sam@example.com")), maria, Some(100), Other);
    check_role((102, Some("sam@example.com")), None, None, Other);
    check_role((102, None), maria, Some(100), Other);
    check_role((102, Some("")), Some(""), Some(100), Other);
    check_role((102, Some(" ")), Some(""), Some(100), Other);
    check_role((100, None), None, Some(100), Dri);
}

// ---------------------------------------------------------------------------------------------
// settings

/// `parse_settings` of `json`, rendered as one line: settings, then " | " and the problems.
fn check_settings(json: &str, expect: &str) {
    let raw: RawSettings = match serde_json::from_str(json) {
        Ok(r) => r,
        Err(e) => panic!("test settings {json}: {e}"),
    };
    let (s, problems) = parse_settings(&raw);
    let r = &s.rules;
    let field = match &r.field {
        None => "-".to_string(),
        Some(f) => format!("{}={}", f.field_id, f.values.join("/")),
    };
    let forms: Vec<String> = r.form_ids.iter().map(u64::to_string).collect();
    let mut got = format!(
        "channel={} prio={} tags={} forms={} field={} kw={} org={} hours={} hide={}",
        s.channel_id,
        r.priorities.join("/"),
        r.tags.join("/"),
        forms.join("/"),
        field,
        r.keywords.join("/"),
        s.ase_org_field,
        s.working_hours,
        s.hide_when_not_emergency,
    );
    for p in &problems {
        got.push_str(&match p {
            SettingProblem::Missing { setting } => format!(" | missing {setting}"),
            SettingProblem::Invalid {
                setting,
                value,
                expected,
            } => {
                format!(" | invalid {setting} {value:?} {}", expected.key())
            }
        });
    }
    assert_eq!(got, expect, "parse_settings({json})");
}

/// Every default, with a valid channel.
const DEFAULTS: &str = "channel=C0123ABCD prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true";

#[test]
#[rustfmt::skip]
fn settings_defaults_and_valid_values() {
    check_settings(r#"{"slack_channel_id": "C0123ABCD"}"#, DEFAULTS);
    check_settings(r#"{"slack_channel_id": " C0123ABCD ", "slack_bot_token": "xoxb-secret", "unknown": 1}"#, DEFAULTS);
    check_settings(r#"{"slack_channel_id": "G01234567890", "emergency_priorities": "Urgent, high", "emergency_tags": "emergency, p1,,", "emergency_form_ids": "360001234, 360005678", "emergency_field_id": "456", "emergency_field_values": "sev1, sev 1", "emergency_keywords": "site down, outage", "ase_org_field": "ase_slack_email", "working_hours": "sun-thu 22:00-06:00", "hide_when_not_emergency": false}"#, "channel=G01234567890 prio=urgent/high tags=emergency/p1 forms=360001234/360005678 field=456=sev1/sev 1 kw=site down/outage org=ase_slack_email hours=Sun-Thu 22:00-06:00 hide=false");
    // The subject words setting was renamed from emergency_keywords (Zendesk's validator warns
    // about non-secure settings named like keys); installed apps still hold the old name.
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_subject_words": "outage"}"#, "channel=C0123ABCD prio=urgent tags=emergency forms= field=- kw=outage org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_subject_words": "outage", "emergency_keywords": "old words"}"#, "channel=C0123ABCD prio=urgent tags=emergency forms= field=- kw=outage org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_subject_words": "", "emergency_keywords": "old words"}"#, "channel=C0123ABCD prio=urgent tags=emergency forms= field=- kw=old words org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    // Empty lists switch a rule off; they do not bring the default back.
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_priorities": "", "emergency_tags": " , "}"#, "channel=C0123ABCD prio= tags= forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    // Null is the same as absent: the default.
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_priorities": null, "working_hours": null, "hide_when_not_emergency": null, "ase_org_field": null}"#, DEFAULTS);
}

#[test]
#[rustfmt::skip]
fn settings_values_may_be_numbers_booleans_or_strings() {
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_form_ids": 360001234, "emergency_field_id": 360005678, "emergency_field_values": 1}"#, "channel=C0123ABCD prio=urgent tags=emergency forms=360001234 field=360005678=1 kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_field_id": "custom_field_123", "emergency_field_values": "true"}"#, "channel=C0123ABCD prio=urgent tags=emergency forms= field=123=true kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    check_settings(r#"{"slack_channel_id": "C0123ABCD", "emergency_field_id": " Custom_Field_123 "}"#, "channel=C0123ABCD prio=urgent tags=emergency forms= field=123= kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true");
    for (value, hide) in [
        ("false", false),
        ("\"false\"", false),
        ("\" FALSE \"", false),
        ("0", false),
        ("true", true),
        ("\"True\"", true),
        ("1", true),
    ] {
        let json =
            format!(r#"{{"slack_channel_id": "C0123ABCD", "hide_when_not_emergency": {value}}}"#);
        check_settings(&json, &DEFAULTS.replace("hide=true", &format!("hide={hide}")));
    }
}

#[test]
#[rustfmt::skip]
fn settings_problems_name_the_setting_and_fall_back() {
    check_settings(r#"{}"#, "channel= prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true | missing slack_channel_id");
    check_settings(r#"{"slack_channel_id": ""}"#, "channel= prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true | missing slack_channel_id");
    check_settings(r#"{"slack_channel_id": "  "}"#, "channel= prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true | missing slack_channel_id");
    check_settings(r#"{"slack_channel_id": null}"#, "channel= prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true | missing slack_channel_id");
    let channel = |id: &str, shown: &str| {
        check_settings(&format!(r#"{{"slack_channel_id": {id}}}"#), &format!("channel= prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true | invalid slack_channel_id {shown:?} channel_id"))
    };
    channel(r##""#emergencies""##, "#emergencies");
    channel(r#""c0123abcd""#, "c0123abcd");
    channel(r#""C0123ABC""#, "C0123ABC");
    channel(r#""D0123ABCD""#, "D0123ABCD");
    channel(r#""C0123-ABCD""#, "C0123-ABCD");
    channel(r#""https://acme.slack.com/archives/C0123ABCD""#, "https://acme.slack.com/archives/C0123ABCD");
    channel("360001234", "360001234");
    channel("true", "true");
    let with = |extra: &str, expect: &str| {
        check_settings(&format!(r#"{{"slack_channel_id": "C0123ABCD", {extra}}}"#), expect);
    };
    with(r#""emergency_priorities": "urgent, critical, p1""#, &format!(r#"{DEFAULTS} | invalid emergency_priorities "critical, p1" priorities"#));
    with(r#""emergency_form_ids": "360001234, abc, -5, 1.5""#, &format!(r#"{DEFAULTS} | invalid emergency_form_ids "abc, -5, 1.5" number_list"#));
    with(r#""emergency_form_ids": 1.5"#, &format!(r#"{DEFAULTS} | invalid emergency_form_ids "1.5" number_list"#));
    with(r#""emergency_form_ids": "99999999999999999999""#, &format!(r#"{DEFAULTS} | invalid emergency_form_ids "99999999999999999999" number_list"#));
    with(r#""emergency_field_id": "priority", "emergency_field_values": "sev1""#, &format!(r#"{DEFAULTS} | invalid emergency_field_id "priority" number"#));
    with(r#""emergency_field_id": "0""#, &format!(r#"{DEFAULTS} | invalid emergency_field_id "0" number"#));
    with(r#""emergency_field_id": "custom_field_""#, &format!(r#"{DEFAULTS} | invalid emergency_field_id "custom_field_" number"#));
    with(r#""emergency_field_id": "", "emergency_field_values": "sev1""#, &format!("{DEFAULTS} | missing emergency_field_id"));
    with(r#""ase_org_field": "ase email""#, &format!(r#"{DEFAULTS} | invalid ase_org_field "ase email" field_key"#));
    with(r#""ase_org_field": """#, &format!(r#"{DEFAULTS} | invalid ase_org_field "" field_key"#));
    with(r#""working_hours": "9 to 5""#, &format!(r#"{DEFAULTS} | invalid working_hours "9 to 5" working_hours"#));
    with(r#""working_hours": """#, &format!(r#"{DEFAULTS} | invalid working_hours "" working_hours"#));
    with(r#""working_hours": 9"#, &format!(r#"{DEFAULTS} | invalid working_hours "9" working_hours"#));
    with(r#""hide_when_not_emergency": "yes please""#, &format!(r#"{DEFAULTS} | invalid hide_when_not_emergency "yes please" checkbox"#));
    with(r#""hide_when_not_emergency": 2"#, &format!(r#"{DEFAULTS} | invalid hide_when_not_emergency "2" checkbox"#));
    // Several problems at once: each is reported, none stops the others.
    check_settings(r#"{"emergency_priorities": "asap", "emergency_form_ids": "x", "working_hours": "always", "hide_when_not_emergency": "maybe"}"#, r#"channel= prio=urgent tags=emergency forms= field=- kw= org=ase_email hours=Mon-Fri 09:00-17:00 hide=true | missing slack_channel_id | invalid emergency_priorities "asap" priorities | invalid emergency_form_ids "x" number_list | invalid working_hours "always" working_hours | invalid hide_when_not_emergency "maybe" checkbox"#);
}

/// The prep-note settings (N2, N3): the tag, folded to lower case, and the look-back days,
/// 1 to 90; empty is the default; anything else names the setting and falls back.
#[test]
fn prep_note_settings_default_validate_and_fall_back() {
    let parse = |extra: &str| {
        let json = format!(r#"{{"slack_channel_id": "C0123ABCD"{extra}}}"#);
        let raw: RawSettings = serde_json::from_str(&json).expect("settings");
        let (s, problems) = parse_settings(&raw);
        let problems: Vec<String> = problems
            .iter()
            .map(|p| match p {
                SettingProblem::Invalid {
                    setting, expected, ..
                } => format!("{setting}:{}", expected.key()),
                SettingProblem::Missing { setting } => format!("missing {setting}"),
            })
            .collect();
        (s.prep_tag, s.prep_lookback_days, problems.join(" "))
    };
    let ok = |tag: &str, days: i64| (tag.to_string(), days, String::new());
    assert_eq!(parse(""), ok("ase_prep_note", 14));
    assert_eq!(
        parse(r#", "prep_note_tag": " ASE-Prep ", "prep_lookback_days": 90"#),
        ok("ase-prep", 90)
    );
    assert_eq!(
        parse(r#", "prep_note_tag": "", "prep_lookback_days": "  ""#),
        ok("ase_prep_note", 14)
    );
    assert_eq!(
        parse(r#", "prep_lookback_days": "1""#),
        ok("ase_prep_note", 1)
    );
    for days in ["0", "91", "-3", "1.5", "\"two\""] {
        assert_eq!(
            parse(&format!(r#", "prep_lookback_days": {days}"#)),
            (
                "ase_prep_note".to_string(),
                14,
                "prep_lookback_days:days".to_string()
            ),
            "{days}"
        );
    }
    for tag in ["two words", "tag:x", "\"quoted\"", "a*"] {
        let json = serde_json::to_string(tag).expect("json");
        assert_eq!(
            parse(&format!(r#", "prep_note_tag": {json}"#)),
            (
                "ase_prep_note".to_string(),
                14,
                "prep_note_tag:tag".to_string()
            ),
            "{tag}"
        );
    }
}

#[test]
fn settings_never_panic_and_clip_hostile_values() {
    let long = "é".repeat(500);
    let json = format!(
        r#"{{"slack_channel_id": "{long}", "working_hours": "{long}", "emergency_field_id": "custom_field_{long}"}}"#
    );
    let raw: RawSettings = match serde_json::from_str(&json) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let (settings, problems) = parse_settings(&raw);
    assert_eq!(settings.channel_id, "");
    assert_eq!(problems.len(), 3);
    for p in &problems {
        if let SettingProblem::Invalid { value, .. } = p {
            assert_eq!(value.chars().count(), 81, "{value}");
            assert!(value.ends_with('…'));
        }
    }
    let keys: Vec<&str> = [
        Expected::ChannelId,
        Expected::NumberList,
        Expected::Number,
        Expected::WorkingHours,
        Expected::FieldKey,
        Expected::Priorities,
        Expected::Checkbox,
    ]
    .iter()
    .map(|e| e.key())
    .collect();
    assert_eq!(
        keys,
        [
            "channel_id",
            "number_list",
            "number",
            "working_hours",
            "field_key",
            "priorities",
            "checkbox"
        ]
    );
}

#[test]
#[rustfmt::skip]
fn number_text_writes_numbers_like_javascript() {
    use ase_emergency_assist::core::text::number_text;
    let check = |n: f64, expect: &str| assert_eq!(number_text(n), expect, "number_text({n:?})");
    check(360001234.0, "360001234");
    check(0.0, "0");
    check(-0.0, "0");
    check(-2.0, "-2");
    check(1.5, "1.5");
    check(-0.25, "-0.25");
    check(3.000000001, "3.000000001");
    check(9007199254740993.0, "9007199254740992");
    check(f64::NAN, "NaN");
}

/// Unicode lowercasing, as the host's `toLowerCase` does it.
fn lower(s: &str) -> String {
    s.to_lowercase()
}

// ---------------------------------------------------------------------------------------------
// locales and words

#[test]
#[rustfmt::skip]
fn the_agents_locale_picks_a_strings_file() {
    let cases: &[(&str, Option<&str>)] = &[
        ("de", Some("de")), ("de-AT", Some("de")), ("fr-CA", Some("fr")), ("es-419", Some("es")),
        ("pt-BR", Some("pt-br")), ("pt", Some("pt-br")), ("pt_BR", Some("pt-br")), ("JA", Some("ja")),
        ("he", Some("he")), (" he-IL ", Some("he")),
        ("en-US", None), ("en", None), ("", None), ("nl", None), ("zh-CN", None), ("d", None),
    ];
    for (locale, want) in cases {
        assert_eq!(pick_locale(locale), *want, "pick_locale({locale:?})");
    }
    // Formats follow the words: the agent's locale where the app speaks its language.
    let formats: &[(&str, &str)] = &[
        ("en-GB", "en-GB"), ("pt_BR", "pt-BR"), ("en", "en"), ("de-AT", "de-AT"), ("pt-BR", "pt-BR"), (" he ", "he"),
        ("nl", "en"), ("zh-CN", "en"), ("", "en"), ("xx-invalid-@@", "en"),
    ];
    for (locale, want) in formats {
        assert_eq!(format_locale(locale), *want, "format_locale({locale:?})");
    }
}

#[test]
fn plural_messages_fall_back_to_other_and_overlays_keep_english() {
    let english: SmallMap<String> = [
        ("ui.ping.retry_in.one", "{{count}} second"),
        ("ui.ping.retry_in.other", "{{count}} seconds"),
        ("ui.details", "A"),
        ("ui.ping.copy", "B"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut c = Catalog::from_entries(english);
    let n = pk!("ui.ping.retry_in");
    assert_eq!(
        c.render_plural(n, Plural::One, &[("count", "1")]),
        "1 second"
    );
    assert_eq!(
        c.render_plural(n, Plural::Other, &[("count", "2")]),
        "2 seconds"
    );
    assert_eq!(
        c.render_plural(n, Plural::Few, &[("count", "3")]),
        "3 seconds",
        "a form the language lacks falls back to other"
    );
    // A strings file: an array by key number, `null` where the locale has no text.
    let mut file = vec![None; text::KEY_COUNT];
    file[k!("ui.details").index()] = Some("Ä".to_string());
    file[text::key_named("ui.ping.retry_in.few").map_or(0, |k| k.index())] =
        Some("{{count}} sekundy".to_string());
    c.overlay(file);
    assert_eq!(
        (c.get(k!("ui.details")), c.get(k!("ui.ping.copy"))),
        ("Ä".to_string(), "B".to_string())
    );
    assert_eq!(
        c.render_plural(n, Plural::Few, &[("count", "3")]),
        "3 sekundy"
    );
    assert_eq!(
        c.render_plural(n, Plural::Many, &[("count", "5")]),
        "5 seconds"
    );
    // The names the build numbered, and only those.
    assert_eq!(text::key_name(k!("ui.details")), "ui.details");
    assert_eq!(text::key_named("ui.no.such.key"), None);
}

#[test]
fn right_to_left_messages_isolate_their_values_but_slack_texts_do_not() {
    let entries: SmallMap<String> = [
        ("ui.ase.not_set", "{{organization}} אין ASE"),
        ("slack.root", "Emergency {{link}}: {{subject}}"),
        ("note.ping.by", "Pinged by {{name}}"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut c = Catalog::from_entries(entries);
    let org = [("organization", "Acme, Inc.")];
    assert_eq!(c.render(k!("ui.ase.not_set"), &org), "Acme, Inc. אין ASE");
    c.set_isolate_values(true);
    assert_eq!(
        c.render(k!("ui.ase.not_set"), &org),
        "\u{2068}Acme, Inc.\u{2069} אין ASE"
    );
    let slack = c.render(k!("slack.root"), &[("link", "#1"), ("subject", "down")]);
    assert_eq!(slack, "Emergency #1: down", "Slack gets plain text");
    assert_eq!(
        c.render(k!("note.ping.by"), &[("name", "Noa")]),
        "Pinged by Noa"
    );
}

#[test]
#[rustfmt::skip]
fn durations_are_said_in_two_parts_at_most() {
    use TimeUnit::{Day, Hour, Minute};
    let cases: &[(i64, &[(TimeUnit, i64)])] = &[
        (0, &[(Minute, 1)]), (-5, &[(Minute, 1)]), (45, &[(Minute, 45)]), (60, &[(Hour, 1)]),
        (125, &[(Hour, 2), (Minute, 5)]), (1440, &[(Day, 1)]), (1440 + 180 + 7, &[(Day, 1), (Hour, 3)]),
        (3 * 1440 + 59, &[(Day, 3)]),
    ];
    for (minutes, want) in cases {
        assert_eq!(duration_parts(*minutes), want.to_vec(), "duration_parts({minutes})");
    }
}

// ---------------------------------------------------------------------------------------------
// Prep notes (N2, N3): the composer's format round-trips; hand-written notes are read as well
// as they can be, never fail, and keep what they cannot place.

mod prep_notes {
    use super::{TestTz, HOUR};
    use ase_emergency_assist::core::clock::parse_rfc3339;
    use ase_emergency_assist::core::prep::{
        is_prep_note, parse, read_window, validate, Draft, Invalid, Part, Window, MAX_NOTE_CHARS,
    };
    use ase_emergency_assist::core::text::Catalog;

    fn at(s: &str) -> i64 {
        parse_rfc3339(s).unwrap_or_else(|| panic!("{s}"))
    }

    fn window(start: &str, end: &str, zone: &str) -> Option<Window> {
        Some(Window {
            start_ms: at(start),
            end_ms: at(end),
            zone: zone.to_string(),
        })
    }

    fn draft(start: &str, end: &str, zone: &str) -> Draft {
        Draft {
            task: "DB migration".into(),
            start: start.into(),
            end: end.into(),
            zone: zone.into(),
            parts: [
                "Replicate, freeze writes\nContacts: not a heading, a line of the plan\n\n  indented <b>bold</b> & *stars*".into(),
                "PgBouncer pool exhaustion".into(),
                String::new(),
                "Kubernetes in eu-west-1 · データベース".into(),
                "Dana +1 312 555 0142".into(),
            ],
        }
    }

    #[test]
    fn the_composer_note_round_trips() {
        let catalog = Catalog::english();
        let d = draft("2026-11-26T14:00", "2026-11-26T16:00", "Europe/Berlin");
        let body = validate(&d, &catalog, &TestTz).expect("valid");
        assert!(is_prep_note(&body));
        assert!(
            body.starts_with("Prep note (ASE): DB migration\nWindow: 2026-11-26 13:00–15:00 UTC (Europe/Berlin)\nPlanned: Replicate, freeze writes\n  Contacts: not a heading"),
            "{body}"
        );
        let note = parse(&body, "UTC", &TestTz);
        assert_eq!(note.task, "DB migration");
        assert_eq!(
            note.window,
            window(
                "2026-11-26T13:00:00Z",
                "2026-11-26T15:00:00Z",
                "Europe/Berlin"
            )
        );
        let expected: Vec<(Part, String)> = [0, 1, 3, 4]
            .iter()
            .map(|&i| (Part::ALL[i], d.parts[i].trim().to_string()))
            .collect();
        assert_eq!(note.parts, expected);
        assert_eq!(note.other, "");
        // The machine line as an editor or a mail client may leave it: Windows line ends,
        // doubled spaces, the save's id after the window.
        let mangled = body
            .replace('\n', "\r\n")
            .replace(" prep start=", "  prep   start=")
            + " id=0123456789abcdef";
        assert_eq!(parse(&mangled, "UTC", &TestTz).window, note.window);
    }

    #[test]
    fn windows_cross_midnight_and_daylight_saving_time() {
        let catalog = Catalog::english();
        let cases = [
            // Across midnight, in UTC.
            (
                "2026-11-26T23:00",
                "2026-11-27T01:00",
                "UTC",
                "2026-11-26T23:00:00Z",
                "2026-11-27T01:00:00Z",
            ),
            // Berlin springs forward at 02:00 on 2026-03-29: 01:30 CET to 03:30 CEST is one hour.
            (
                "2026-03-29T01:30",
                "2026-03-29T03:30",
                "Europe/Berlin",
                "2026-03-29T00:30:00Z",
                "2026-03-29T01:30:00Z",
            ),
            // New York falls back at 02:00 on 2026-11-01: 01:30 is read as the first (EDT) one.
            (
                "2026-11-01T01:30",
                "2026-11-01T03:00",
                "America/New_York",
                "2026-11-01T05:30:00Z",
                "2026-11-01T08:00:00Z",
            ),
            (
                "2026-11-26T09:00",
                "2026-11-26T11:00",
                "Asia/Kolkata",
                "2026-11-26T03:30:00Z",
                "2026-11-26T05:30:00Z",
            ),
        ];
        for (start, end, zone, utc_start, utc_end) in cases {
            let body = validate(&draft(start, end, zone), &catalog, &TestTz).expect(zone);
            let note = parse(&body, "UTC", &TestTz);
            assert_eq!(
                note.window,
                window(utc_start, utc_end, zone),
                "{zone}: {body}"
            );
        }
        let body = validate(
            &draft("2026-11-26T23:00", "2026-11-27T01:00", "UTC"),
            &catalog,
            &TestTz,
        )
        .unwrap();
        assert!(
            body.contains("Window: 2026-11-26 23:00 – 2026-11-27 01:00 UTC\n"),
            "{body}"
        );
    }

    #[test]
    fn a_draft_names_everything_that_keeps_it_from_being_saved() {
        let catalog = Catalog::english();
        let check = |d: Draft, expected: &[Invalid]| {
            assert_eq!(
                validate(&d, &catalog, &TestTz).unwrap_err(),
                expected,
                "{d:?}"
            );
        };
        let mut d = draft("2026-11-26T16:00", "2026-11-26T14:00", "UTC");
        check(d.clone(), &[Invalid::EndBeforeStart]);
        d.task = "  ".into();
        d.parts[0] = "\n".into();
        check(
            d.clone(),
            &[
                Invalid::NoTask,
                Invalid::EndBeforeStart,
                Invalid::NothingPlanned,
            ],
        );
        check(draft("", "", "UTC"), &[Invalid::NoWindow]);
        check(
            draft("2026-02-30T10:00", "tomorrow", "UTC"),
            &[Invalid::BadStart, Invalid::BadEnd],
        );
        check(
            draft("2026-11-26T10:00", "2026-11-26T11:00", "Mars/Olympus"),
            &[Invalid::UnknownZone],
        );
        let mut long = draft("2026-11-26T10:00", "2026-11-26T11:00", "UTC");
        long.parts[3] = "x".repeat(MAX_NOTE_CHARS);
        check(long, &[Invalid::TooLong]);
    }

    /// The demo's hand-written note, as an ASE wrote it in the ticket.
    const DEMO: &str = "Prep note (ASE): planned DB migration for Globex\nTask: migrate the checkout orders database from PostgreSQL 12 to PostgreSQL 16 (blue/green switch).\nWindow: 2026-11-26 13:00-15:00 UTC (14:00-16:00 Madrid).\nWhat is planned: replicate to the new cluster, freeze writes for ~5 minutes.\nPossible problems: PgBouncer pool exhaustion after the switch (checkout API answers 503).\nSuggested solutions: restart the PgBouncer pods; rollback = point PgBouncer back.\nAccount context: checkout API on Kubernetes in eu-west-1; Globex on-call is Dana Whitfield (+1 312 555 0142).";

    #[test]
    fn hand_written_notes_are_read_as_well_as_they_can_be() {
        let note = parse(DEMO, "UTC", &TestTz);
        assert_eq!(
            note.task,
            "migrate the checkout orders database from PostgreSQL 12 to PostgreSQL 16 (blue/green switch)."
        );
        assert_eq!(
            note.window,
            window("2026-11-26T13:00:00Z", "2026-11-26T15:00:00Z", "UTC")
        );
        let parts: Vec<Part> = note.parts.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            parts,
            [
                Part::Planned,
                Part::Problems,
                Part::Solutions,
                Part::Context
            ]
        );
        assert_eq!(
            note.part(Part::Problems),
            Some("PgBouncer pool exhaustion after the switch (checkout API answers 503).")
        );

        // (note, default zone, task, window (start, end, zone), parts found, free text)
        type Case = (
            &'static str,
            &'static str,
            &'static str,
            Option<(&'static str, &'static str, &'static str)>,
            &'static [Part],
            &'static str,
        );
        let cases: &[Case] = &[
            // Other headings, an offset, an end on the next day.
            ("PREP NOTE: kernel upgrade\nWhen: 2026-12-01 22:00-02:00 UTC+1\nRisks: reboot loop\nRollback: previous kernel", "UTC", "kernel upgrade",
             Some(("2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z", "UTC+01:00")), &[Part::Problems, Part::Solutions], ""),
            // Two dates, an IANA zone, continuation lines without indentation.
            ("## Prep note\nTask: failover test\nSchedule: 2026-12-05 23:30 to 2026-12-06 00:30 America/New_York\nPlan: switch regions\nthen switch back\nContacts: Bo", "UTC", "failover test",
             Some(("2026-12-06T04:30:00Z", "2026-12-06T05:30:00Z", "America/New_York")), &[Part::Planned, Part::Contacts], ""),
            // No zone: the ASE's. No task line: the title.
            ("Prep note (ASE): cache flush\nWindow: 2026-11-26 09:00–10:00\nfree words here", "Asia/Kolkata", "cache flush",
             Some(("2026-11-26T03:30:00Z", "2026-11-26T04:30:00Z", "Asia/Kolkata")), &[], "free words here"),
            // The window written on another line than a heading.
            ("Prep-note: DNS move\nWe switch 2026-11-30 01:00 - 03:00 GMT, expect blips", "UTC", "DNS move",
             Some(("2026-11-30T01:00:00Z", "2026-11-30T03:00:00Z", "UTC")), &[], "We switch 2026-11-30 01:00 - 03:00 GMT, expect blips"),
            // Hostile and unreadable: no window, everything kept as text.
            ("Prep note\n<script>alert(1)</script>\nWindow: soon™, 25:99-99:00\nRisks:\nMitigation: none", "UTC", "",
             None, &[Part::Solutions], "<script>alert(1)</script>"),
            // The task after the title, without a colon (the demo's expired note).
            ("Prep note (ASE) – index rebuild\nWhen: 2026-11-25 01:00-02:00 UTC\nRisks: slow dashboards", "UTC", "index rebuild",
             Some(("2026-11-25T01:00:00Z", "2026-11-25T02:00:00Z", "UTC")), &[Part::Problems], ""),
                        // Other languages.
            ("Prep note (ASE): メンテナンス\nWindow: 2026-11-26 13:00-15:00 UTC\nPlanned: データベースの移行\nÜberblick: nicht erkannt", "UTC", "メンテナンス",
             Some(("2026-11-26T13:00:00Z", "2026-11-26T15:00:00Z", "UTC")), &[Part::Planned], ""),
        ];
        for (body, zone, task, win, parts, other) in cases {
            assert!(is_prep_note(body), "{body}");
            let note = parse(body, zone, &TestTz);
            assert_eq!(note.task, *task, "{body}");
            assert_eq!(
                note.window,
                win.and_then(|(s, e, z)| window(s, e, z)),
                "{body}"
            );
            let found: Vec<Part> = note.parts.iter().map(|(p, _)| *p).collect();
            assert_eq!(found, *parts, "{body}");
            assert_eq!(note.other, *other, "{body}");
        }
        let note = parse(cases[1].0, "UTC", &TestTz);
        assert_eq!(
            note.part(Part::Planned),
            Some("switch regions\nthen switch back")
        );
        let note = parse(cases[6].0, "UTC", &TestTz);
        assert_eq!(
            note.part(Part::Planned),
            Some("データベースの移行\nÜberblick: nicht erkannt")
        );
    }

    #[test]
    fn only_notes_that_say_so_are_prep_notes_and_nothing_panics() {
        for body in [
            "Customer says checkout is down",
            "",
            "prep",
            "Prepared note: x",
        ] {
            assert!(!is_prep_note(body), "{body:?}");
        }
        for body in [
            "",
            ":",
            "::::",
            "Prep note:",
            "Window: 2026-11-26 13:00-",
            "2026-13-45 99:99-10:00",
            "Window: 9:5",
            "\u{feff}Prep note\r\nWindow: 2026-11-26 13:00-14:00 UTC\r\n",
        ] {
            let _ = parse(body, "UTC", &TestTz);
            let _ = read_window(body, "Nowhere/Zone", &TestTz);
        }
        let crlf = parse(
            "Prep note: x\r\nWindow: 2026-11-26 13:00-14:00 UTC\r\n",
            "UTC",
            &TestTz,
        );
        assert_eq!(crlf.window.map(|w| w.end_ms - w.start_ms), Some(HOUR));
    }
}

// ---------------------------------------------------------------------------------------------
// The prep-notes finder (N2): the ticket's own notes and the organization's tagged tickets'
// notes, staff internal notes only, bounded reads, the note of the moment on top.

mod prep_finder {
    use super::TestTz;
    use ase_emergency_assist::core::clock::parse_rfc3339;
    use ase_emergency_assist::core::map::SmallMap;
    use ase_emergency_assist::core::request::{Failure, Reply, Request};
    use ase_emergency_assist::core::settings::parse_settings;
    use ase_emergency_assist::core::text::Catalog;
    use ase_emergency_assist::core::workflow::prep_notes::{PrepNotes, Step, MAX_PAGES};
    use ase_emergency_assist::core::workflow::{Context, TicketInfo};
    use ase_emergency_assist::core::zendesk::{
        CommentDto, CommentsResponseDto, CursorMetaDto, SearchResponseDto, SearchResultDto,
        ZafUserDto, ZendeskUserDto,
    };

    const NOW: &str = "2026-11-26T14:00:00Z";

    fn ctx() -> Context {
        Context {
            catalog: Catalog::english(),
            settings: parse_settings(&SmallMap::new()).0,
            ticket: TicketInfo {
                id: 201,
                subject: None,
                priority: None,
                organization: Some((9, "Acme".into())),
                assignee_id: None,
                tags: Vec::new(),
                created_ms: None,
            },
            viewer: ZafUserDto {
                id: 100,
                name: "Olivia".into(),
                email: None,
                alias: None,
            },
            subdomain: "acme".into(),
            viewer_tz: "UTC".into(),
            seed: 1,
        }
    }

    fn comment(id: u64, author: u64, public: bool, at: &str, body: &str) -> CommentDto {
        CommentDto {
            id,
            author_id: author,
            body: body.into(),
            public,
            created_at: at.into(),
        }
    }

    /// A page of comments by agent 101 and end user 500; `more`: a cursor to a next page.
    fn page(comments: Vec<CommentDto>, more: bool) -> Reply {
        Reply::Comments(CommentsResponseDto {
            comments,
            next_page: None,
            users: vec![
                ZendeskUserDto {
                    id: 101,
                    role: "agent".into(),
                },
                ZendeskUserDto {
                    id: 500,
                    role: "end-user".into(),
                },
            ],
            meta: Some(CursorMetaDto {
                has_more: more,
                after_cursor: more.then(|| "next".into()),
            }),
        })
    }

    fn drain(finder: &mut PrepNotes) -> Vec<(Request, Step)> {
        std::iter::from_fn(|| finder.poll_request()).collect()
    }

    const HAND: &str = "Prep note (ASE): DB migration\nWindow: 2026-11-26 13:00-15:00 UTC\nPossible problems: pool exhaustion";
    const LATER: &str = "Prep note: cache flush\nWindow: 2026-12-03 13:00-14:00 UTC";
    const OLD: &str = "Prep note: old upgrade\nWindow: 2026-11-02 01:00-02:00 UTC";

    #[test]
    fn finds_notes_in_the_ticket_and_the_organizations_tagged_tickets() {
        let ctx = ctx();
        let now = parse_rfc3339(NOW).unwrap();
        let mut finder = PrepNotes::start(&ctx, "ase_prep_note", 30, now);
        let first = drain(&mut finder);
        let urls: Vec<&str> = first.iter().map(|(r, _)| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "/api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100",
                "/api/v2/search?query=type%3Aticket%20organization%3A9%20tags%3Aase_prep_note%20created%3E%3D2026-10-27&sort_by=created_at&sort_order=desc&per_page=11",
            ]
        );
        // The ticket's own notes: the staff's internal prep note counts; the same words in
        // public, from an end user, or a note that is no prep note do not.
        finder.handle_reply(
            first[0].1,
            Ok(page(
                vec![
                    comment(1, 101, false, "2026-11-26T13:47:30Z", HAND),
                    comment(2, 101, true, "2026-11-26T13:48:00Z", HAND),
                    comment(3, 500, false, "2026-11-26T13:49:00Z", HAND),
                    comment(4, 101, false, "2026-11-26T13:50:00Z", "Customer says hi"),
                ],
                false,
            )),
            &ctx,
        );
        let results = [201, 301, 302]
            .map(|id| SearchResultDto { id, subject: None })
            .to_vec();
        finder.handle_reply(
            first[1].1,
            Ok(Reply::Search(SearchResponseDto {
                results,
                next_page: None,
            })),
            &ctx,
        );
        let reads = drain(&mut finder);
        assert_eq!(
            reads.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            [Step::Comments(301, 1), Step::Comments(302, 1)],
            "the ticket itself is not read twice"
        );
        // 301 pages on and on: at most MAX_PAGES pages are read.
        let mut step = reads[0].1;
        let mut pages = 1;
        loop {
            let notes = vec![comment(
                10 + pages,
                101,
                false,
                "2026-11-20T10:00:00Z",
                if pages == 1 { LATER } else { OLD },
            )];
            finder.handle_reply(step, Ok(page(notes, true)), &ctx);
            match drain(&mut finder).pop() {
                Some((request, next)) => {
                    assert!(
                        request.url.ends_with("&page%5Bafter%5D=next"),
                        "{}",
                        request.url
                    );
                    step = next;
                    pages += 1;
                }
                None => break,
            }
        }
        assert_eq!(pages, u64::from(MAX_PAGES));
        // 302 cannot be read: the finder says some notes may be missing.
        finder.handle_reply(
            reads[1].1,
            Err(Failure::Transport {
                detail: "down".into(),
            }),
            &ctx,
        );
        assert!(finder.done() && finder.incomplete());

        let (reads, top) = finder.notes(
            "UTC",
            parse_rfc3339("2026-11-26T13:41:07Z").unwrap(),
            now,
            &TestTz,
        );
        let all: Vec<(u64, &str)> = reads
            .iter()
            .map(|r| (r.found.ticket, r.note.task.as_str()))
            .collect();
        let top = top.expect("the migration's window holds the emergency");
        assert_eq!(all.get(top), Some(&(201, "DB migration")));
        // The others, newest first.
        let rest: Vec<(u64, &str)> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != top)
            .map(|(_, r)| *r)
            .collect();
        assert_eq!(
            rest,
            [
                (301, "cache flush"),
                (301, "old upgrade"),
                (301, "old upgrade")
            ]
        );
    }

    /// Ten other tickets are read, even when the emergency's own is among the results.
    #[test]
    fn at_most_ten_other_tickets_are_read() {
        let ctx = ctx();
        let mut finder = PrepNotes::start(&ctx, "ase_prep_note", 30, 0);
        let search = drain(&mut finder).pop().expect("the search").1;
        let results = (195..210)
            .map(|id| SearchResultDto { id, subject: None })
            .collect();
        finder.handle_reply(
            search,
            Ok(Reply::Search(SearchResponseDto {
                results,
                next_page: None,
            })),
            &ctx,
        );
        let reads: Vec<Step> = drain(&mut finder).into_iter().map(|(_, s)| s).collect();
        let expected: Vec<Step> = [195, 196, 197, 198, 199, 200, 202, 203, 204, 205]
            .map(|t| Step::Comments(t, 1))
            .to_vec();
        assert_eq!(reads, expected);
    }

    #[test]
    fn a_ticket_without_an_organization_reads_nothing() {
        let mut ctx = ctx();
        ctx.ticket.organization = None;
        let mut finder = PrepNotes::start(&ctx, "ase_prep_note", 30, 0);
        assert!(drain(&mut finder).is_empty());
        assert!(finder.done() && !finder.incomplete());
    }
}
