//! Prep notes (N2, N3): what an ASE writes on a ticket before planned after-hours work, so the
//! on-call engineer finds it when an emergency comes in (the workflow's "be proactive").
//!
//! The composer writes a note in a fixed, human-readable shape, then one machine line:
//!
//! ```text
//! Prep note (ASE): <task>
//! Window: 2026-11-26 13:00–15:00 UTC (Europe/Madrid)
//! Planned: <first line>
//!   <further lines, indented by two spaces>
//! Possible problems: …
//! Suggested solutions: …
//! Account context: …
//! Contacts: …
//!
//! ase-emergency-assist:v1 prep start=2026-11-26T13:00:00Z end=2026-11-26T15:00:00Z zone=Europe%2FMadrid
//! ```
//!
//! [`parse`] reads that back exactly, and reads notes written by hand "in roughly the same shape"
//! (headings with other words, a window as `2026-11-26 13:00-15:00 UTC`, no machine line) as well
//! as it can.
//!
//! Invariant: parsing never fails and never panics: comments are untrusted text. What cannot be
//! placed is kept (`other`) and shown as written, never dropped.
use super::availability::{wall_to_utc, TzOffsets};
use super::clock::{self, MS_PER_DAY, MS_PER_MINUTE};
use super::notes::MACHINE_PREFIX;
use super::slack::{percent_decode, percent_encode};
use super::text::Catalog;

/// One section of a prep note, in the order the composer writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Planned,
    Problems,
    Solutions,
    Context,
    Contacts,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Planned,
        Part::Problems,
        Part::Solutions,
        Part::Context,
        Part::Contacts,
    ];

    /// The key of its heading in the note (`note.prep.<key>`) and of its label in the sidebar.
    pub fn key(self) -> &'static str {
        match self {
            Part::Planned => "planned",
            Part::Problems => "problems",
            Part::Solutions => "solutions",
            Part::Context => "context",
            Part::Contacts => "contacts",
        }
    }
}

/// A planned window: UTC instants, and the zone it was planned in (an IANA name, or `UTC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
    pub zone: String,
}

impl Window {
    /// Whether `at_ms` falls inside the window (start included, end excluded).
    pub fn contains(&self, at_ms: i64) -> bool {
        self.start_ms <= at_ms && at_ms < self.end_ms
    }
}

/// A prep note as read back from a comment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrepNote {
    pub task: String,
    pub window: Option<Window>,
    /// The sections found, in the note's order, each non-empty.
    pub parts: Vec<(Part, String)>,
    /// Lines no heading claimed (a hand-written note's free text), as written.
    pub other: String,
}

impl PrepNote {
    pub fn part(&self, part: Part) -> Option<&str> {
        self.parts
            .iter()
            .find(|(p, _)| *p == part)
            .map(|(_, text)| text.as_str())
    }
}

/// What the composer submits: the ASE's words and the window as they entered it (local wall
/// times in `zone`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub task: String,
    /// `YYYY-MM-DDTHH:MM`, as an `<input type="datetime-local">` gives it.
    pub start: String,
    pub end: String,
    /// IANA zone name of the wall times.
    pub zone: String,
    /// The sections, by [`Part::ALL`] order.
    pub parts: [String; 5],
}

/// Zendesk refuses comment bodies above 64 KB; the composer keeps well under it so the note and
/// its machine line always fit.
pub const MAX_NOTE_CHARS: usize = 60_000;

/// Why a draft cannot be saved yet: catalog keys of `ui.prep.invalid.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    NoTask,
    NoWindow,
    BadStart,
    BadEnd,
    UnknownZone,
    EndBeforeStart,
    NothingPlanned,
    TooLong,
}

impl Invalid {
    pub fn key(self) -> &'static str {
        match self {
            Invalid::NoTask => "ui.prep.invalid.task",
            Invalid::NoWindow => "ui.prep.invalid.window",
            Invalid::BadStart => "ui.prep.invalid.start",
            Invalid::BadEnd => "ui.prep.invalid.end",
            Invalid::UnknownZone => "ui.prep.invalid.zone",
            Invalid::EndBeforeStart => "ui.prep.invalid.order",
            Invalid::NothingPlanned => "ui.prep.invalid.planned",
            Invalid::TooLong => "ui.prep.invalid.long",
        }
    }
}

/// Checks a draft; `Ok` holds the note body to save. Every problem is listed, in form order.
pub fn validate(
    draft: &Draft,
    catalog: &Catalog,
    tz: &dyn TzOffsets,
) -> Result<String, Vec<Invalid>> {
    let mut problems = Vec::new();
    if draft.task.trim().is_empty() {
        problems.push(Invalid::NoTask);
    }
    let zone = draft.zone.trim();
    let zone_known = zone == "UTC" || tz.offset_minutes(zone, 0).is_some();
    if !zone_known {
        problems.push(Invalid::UnknownZone);
    }
    let wall = |s: &str| parse_local(s.trim());
    let (start, end) = (wall(&draft.start), wall(&draft.end));
    if draft.start.trim().is_empty() && draft.end.trim().is_empty() {
        problems.push(Invalid::NoWindow);
    } else {
        if start.is_none() {
            problems.push(Invalid::BadStart);
        }
        if end.is_none() {
            problems.push(Invalid::BadEnd);
        }
    }
    let to_utc = |wall_ms: i64| match zone {
        "UTC" => Some(wall_ms),
        _ => wall_to_utc(wall_ms, zone, tz),
    };
    let window = match (start.and_then(to_utc), end.and_then(to_utc)) {
        (Some(start_ms), Some(end_ms)) if zone_known => {
            if end_ms <= start_ms {
                problems.push(Invalid::EndBeforeStart);
            }
            Some(Window {
                start_ms,
                end_ms,
                zone: zone.to_string(),
            })
        }
        _ => None,
    };
    if draft.parts[0].trim().is_empty() {
        problems.push(Invalid::NothingPlanned);
    }
    let body = window
        .as_ref()
        .map(|w| format_note(catalog, draft, w))
        .unwrap_or_default();
    if body.chars().count() > MAX_NOTE_CHARS {
        problems.push(Invalid::TooLong);
    }
    match problems.is_empty() {
        true => Ok(body),
        false => Err(problems),
    }
}

/// `YYYY-MM-DDTHH:MM` (or with a space) as wall-clock milliseconds (as if it were UTC).
fn parse_local(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let date = date_at(s, 0)?;
    let minutes = time_at(s, 11)?;
    Some(date + i64::from(minutes) * MS_PER_MINUTE)
}

/// The composer's note for `draft` with its window resolved to UTC.
pub fn format_note(catalog: &Catalog, draft: &Draft, window: &Window) -> String {
    let mut out = catalog.render("note.prep.title", &[("task", one_line(&draft.task))]);
    out.push('\n');
    let range = human_range(window);
    let zone = if window.zone == "UTC" {
        String::new()
    } else {
        format!(" ({})", window.zone)
    };
    out.push_str(&catalog.render("note.prep.window", &[("range", &range), ("zone", &zone)]));
    for (part, text) in Part::ALL.iter().zip(&draft.parts) {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&catalog.get(&heading_key(*part)));
        out.push_str(": ");
        // Continuation lines are indented, so a line of the ASE's text can never read as a
        // heading of its own.
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("\n  ");
            }
            out.push_str(line.trim_end());
        }
    }
    out.push_str("\n\n");
    out.push_str(&format!(
        "{MACHINE_PREFIX} prep start={} end={} zone={}",
        clock::format_rfc3339(window.start_ms),
        clock::format_rfc3339(window.end_ms),
        percent_encode(&window.zone),
    ));
    out
}

fn heading_key(part: Part) -> String {
    format!("note.prep.{}", part.key())
}

fn one_line(s: &str) -> &str {
    s.trim().split('\n').next().unwrap_or_default().trim()
}

/// `2026-11-26 13:00–15:00 UTC`, or `2026-11-26 23:00 – 2026-11-27 01:00 UTC` across midnight.
fn human_range(window: &Window) -> String {
    let (a, b) = (clock::civil(window.start_ms), clock::civil(window.end_ms));
    let date = |c: &clock::Civil| format!("{:04}-{:02}-{:02}", c.year, c.month, c.day);
    let time = |c: &clock::Civil| format!("{:02}:{:02}", c.hour, c.minute);
    if (a.year, a.month, a.day) == (b.year, b.month, b.day) {
        format!("{} {}–{} UTC", date(&a), time(&a), time(&b))
    } else {
        format!("{} {} – {} {} UTC", date(&a), time(&a), date(&b), time(&b))
    }
}

// ---- Reading notes back ----

/// Whether a comment body is a prep note: it carries the composer's machine line, or its first
/// line says so ("Prep note", "PREP-NOTE:", "## Prep note (ASE) –").
pub fn is_prep_note(body: &str) -> bool {
    let first = body.trim_start().split('\n').next().unwrap_or_default();
    let first: String = first
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    first.starts_with("prepnote") || machine_fields(body).is_some()
}

/// Reads a prep note. `default_zone` is the zone of a hand-written window that names none
/// (the ASE's); `tz` resolves zone names. Never fails: what it cannot read stays in `other`.
pub fn parse(body: &str, default_zone: &str, tz: &dyn TzOffsets) -> PrepNote {
    let mut note = PrepNote::default();
    // Where the lines of a section go: a part, or the free text.
    let mut current: Option<Part> = None;
    let mut window_text = String::new();
    let mut texts: [String; 5] = Default::default();
    let mut order: Vec<Part> = Vec::new();
    for (i, raw) in body.split('\n').enumerate() {
        let line = raw.trim_end();
        if line.trim_start().starts_with(MACHINE_PREFIX) {
            continue;
        }
        match heading(line) {
            Some((Heading::Title, rest)) if i == 0 || note.task.is_empty() && i < 3 => {
                note.task = rest.trim().to_string();
                current = None;
            }
            Some((Heading::Task, rest)) => {
                note.task = rest.trim().to_string();
                current = None;
            }
            Some((Heading::Window, rest)) => {
                window_text = rest.to_string();
                current = None;
            }
            Some((Heading::Part(part), rest)) => {
                let slot = &mut texts[part as usize];
                if !slot.is_empty() {
                    slot.push('\n');
                }
                slot.push_str(rest.trim());
                if !order.contains(&part) {
                    order.push(part);
                }
                current = Some(part);
            }
            _ => {
                let text = line.strip_prefix("  ").unwrap_or(line.trim_start());
                match current {
                    Some(part) => {
                        let slot = &mut texts[part as usize];
                        slot.push('\n');
                        slot.push_str(text);
                    }
                    // The free text, from its first non-empty line (a first line that only
                    // says "Prep note" is not part of it).
                    None if (i > 0 || !is_prep_note(line))
                        && (!note.other.is_empty() || !text.is_empty()) =>
                    {
                        note.other.push_str(text);
                        note.other.push('\n');
                    }
                    None => {}
                }
            }
        }
    }
    note.other = note.other.trim().to_string();
    for part in order {
        let text = texts[part as usize].trim();
        if !text.is_empty() {
            note.parts.push((part, text.to_string()));
        }
    }
    // The machine line's window is exact; a hand-written one is read as well as it can be, and
    // failing that, any line of the note that holds a date and a time range.
    note.window = machine_fields(body)
        .or_else(|| read_window(&window_text, default_zone, tz))
        .or_else(|| {
            body.split('\n')
                .find_map(|line| read_window(line, default_zone, tz))
        });
    if note.task.is_empty() {
        note.task = note
            .part(Part::Planned)
            .map(|p| one_line(p).to_string())
            .unwrap_or_default();
    }
    note
}

/// What a line's heading (the words before its first `:`) says it starts.
enum Heading {
    Title,
    Task,
    Window,
    Part(Part),
}

/// The heading of a line and the text after its colon. A heading is at the start of the line,
/// at most five words, and one the note format or people commonly use (English, as notes are:
/// ASCII folding is exact for these words and keeps Unicode case tables out of the bundle).
fn heading(line: &str) -> Option<(Heading, &str)> {
    if line.starts_with(' ') || line.starts_with('\t') {
        return None;
    }
    let (name, rest) = line.split_once(':')?;
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '\'')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let name = name.trim();
    if name.split(' ').filter(|w| !w.is_empty()).count() > 5 {
        return None;
    }
    let heading = match name {
        _ if name.starts_with("prep note") || name.starts_with("prepnote") => Heading::Title,
        "task" | "what" => Heading::Task,
        "window" | "when" | "time" | "timing" | "schedule" | "planned window"
        | "maintenance window" | "date" => Heading::Window,
        "planned" | "what is planned" | "what's planned" | "plan" | "summary" | "details" => {
            Heading::Part(Part::Planned)
        }
        "possible problems"
        | "problems"
        | "risks"
        | "risk"
        | "known problems"
        | "what could go wrong"
        | "issues" => Heading::Part(Part::Problems),
        "suggested solutions"
        | "solutions"
        | "mitigation"
        | "mitigations"
        | "rollback"
        | "fixes"
        | "workarounds" => Heading::Part(Part::Solutions),
        "account context" | "context" | "architecture" | "background" | "environment" => {
            Heading::Part(Part::Context)
        }
        "contacts" | "contact" | "escalation" | "people" => Heading::Part(Part::Contacts),
        _ => return None,
    };
    Some((heading, rest))
}

/// The window of the composer's machine line.
fn machine_fields(body: &str) -> Option<Window> {
    body.split('\n').find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next()? != MACHINE_PREFIX || words.next()? != "prep" {
            return None;
        }
        let (mut start, mut end, mut zone) = (None, None, String::from("UTC"));
        for word in words {
            let (key, value) = word.split_once('=')?;
            match key {
                "start" => start = clock::parse_rfc3339(value),
                "end" => end = clock::parse_rfc3339(value),
                "zone" => zone = percent_decode(value),
                _ => {}
            }
        }
        let (start_ms, end_ms) = (start?, end?);
        (start_ms < end_ms).then_some(Window {
            start_ms,
            end_ms,
            zone,
        })
    })
}

/// A hand-written window: a date, a start time and an end time (`2026-11-26 13:00-15:00`,
/// `2026-11-26 23:00 to 2026-11-27 01:00`, `13:00–15:00 UTC on 2026-11-26`), then optionally a
/// zone: `UTC`/`GMT`/`Z`, an offset (`UTC+2`, `+05:30`) or an IANA name (`Europe/Madrid`).
/// Without a zone, `default_zone`. An end before the start is on the next day.
pub fn read_window(text: &str, default_zone: &str, tz: &dyn TzOffsets) -> Option<Window> {
    let mut dates = Vec::new();
    let mut times = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(date) = date_at(text, i) {
            dates.push((i, date));
            i += 10;
        } else if let Some(minutes) =
            time_at(text, i).filter(|_| i == 0 || !bytes[i - 1].is_ascii_digit())
        {
            times.push((i, minutes));
            i += if bytes.get(i + 1) == Some(&b':') {
                4
            } else {
                5
            };
        } else {
            i += 1;
        }
    }
    let (&(_, first_date), &(start_at, start_min), &(end_at, end_min)) =
        (dates.first()?, times.first()?, times.get(1)?);
    // A second date between the two times is the end's.
    let end_date = dates
        .iter()
        .find(|(at, _)| *at > start_at && *at < end_at)
        .map_or(first_date, |(_, d)| *d);
    let start_wall = first_date + i64::from(start_min) * MS_PER_MINUTE;
    let mut end_wall = end_date + i64::from(end_min) * MS_PER_MINUTE;
    if end_wall <= start_wall {
        end_wall += MS_PER_DAY;
    }
    let after_end = text.get(end_at..).unwrap_or_default();
    let zone = zone_after(after_end, tz).unwrap_or(Zone::Named(default_zone.to_string()));
    let (start_ms, end_ms, zone) = match zone {
        Zone::Offset(minutes) => {
            let shift = i64::from(minutes) * MS_PER_MINUTE;
            let name = if minutes == 0 {
                "UTC".to_string()
            } else {
                format!("UTC{}", clock::format_offset(minutes))
            };
            (start_wall - shift, end_wall - shift, name)
        }
        Zone::Named(name) if name == "UTC" => (start_wall, end_wall, name),
        Zone::Named(name) => (
            wall_to_utc(start_wall, &name, tz)?,
            wall_to_utc(end_wall, &name, tz)?,
            name,
        ),
    };
    (start_ms < end_ms).then_some(Window {
        start_ms,
        end_ms,
        zone,
    })
}

enum Zone {
    Offset(i32),
    Named(String),
}

/// The first zone named in `text` (after the end time), within its first few words.
fn zone_after(text: &str, tz: &dyn TzOffsets) -> Option<Zone> {
    for word in text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .take(4)
    {
        let word = word.trim_end_matches('.');
        let upper = word.to_ascii_uppercase();
        let rest = ["UTC", "GMT", "Z"]
            .iter()
            .find_map(|z| upper.strip_prefix(z))
            .or_else(|| (word.starts_with('+') || word.starts_with('-')).then_some(word));
        if let Some(rest) = rest {
            if rest.is_empty() {
                return Some(Zone::Offset(0));
            }
            if let Some(minutes) = parse_offset(rest) {
                return Some(Zone::Offset(minutes));
            }
        }
        if word.bytes().any(|b| b == b'/') && tz.offset_minutes(word, 0).is_some() {
            return Some(Zone::Named(word.to_string()));
        }
    }
    None
}

/// `+2`, `-05`, `+05:30`, `+0530` as minutes east of UTC.
fn parse_offset(s: &str) -> Option<i32> {
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, s.get(1..).unwrap_or_default()),
        b'-' | b'\xe2' => (-1, s.trim_start_matches(['-', '−'])),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => (
            digits.get(..2).unwrap_or_default(),
            digits.get(2..).unwrap_or_default(),
        ),
        None => (digits, "0"),
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

/// A `YYYY-MM-DD` date at byte `i` of `s`, as the milliseconds of its midnight.
fn date_at(s: &str, i: usize) -> Option<i64> {
    let b = s.as_bytes().get(i..i + 10)?;
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0;
        for &d in &b[r] {
            if !d.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(d - b'0');
        }
        Some(n)
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let month = u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let day = u8::try_from(day).ok()?;
    if day == 0 || day > clock::days_in_month(year as i32, month) {
        return None;
    }
    Some(clock::days_from_civil(year as i32, month, day) * MS_PER_DAY)
}

/// An `HH:MM` or `H:MM` time at byte `i` of `s` (not followed by another digit), as minutes
/// after midnight; `24:00` is the end of the day.
fn time_at(s: &str, i: usize) -> Option<u16> {
    let b = s.as_bytes();
    let digit = |k: usize| {
        b.get(k)
            .filter(|d| d.is_ascii_digit())
            .map(|d| u16::from(d - b'0'))
    };
    let (hours, colon) = match (digit(i), digit(i + 1)) {
        (Some(h1), Some(h2)) => (h1 * 10 + h2, i + 2),
        (Some(h), None) => (h, i + 1),
        _ => return None,
    };
    if b.get(colon) != Some(&b':') {
        return None;
    }
    let minutes = digit(colon + 1)? * 10 + digit(colon + 2)?;
    if digit(colon + 3).is_some() || minutes > 59 || hours > 24 || hours == 24 && minutes > 0 {
        return None;
    }
    Some(hours * 60 + minutes)
}
