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
use super::text::{self, Catalog, Key};

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
    pub fn key(self) -> Key {
        match self {
            Invalid::NoTask => k!("ui.prep.invalid.task"),
            Invalid::NoWindow => k!("ui.prep.invalid.window"),
            Invalid::BadStart => k!("ui.prep.invalid.start"),
            Invalid::BadEnd => k!("ui.prep.invalid.end"),
            Invalid::UnknownZone => k!("ui.prep.invalid.zone"),
            Invalid::EndBeforeStart => k!("ui.prep.invalid.order"),
            Invalid::NothingPlanned => k!("ui.prep.invalid.planned"),
            Invalid::TooLong => k!("ui.prep.invalid.long"),
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
    if text::longer_than(&body, MAX_NOTE_CHARS) {
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
    let days = clock::days_at(b)?;
    let (minutes, 5) = time_at(b.get(11..)?)? else {
        return None;
    };
    Some(days * MS_PER_DAY + i64::from(minutes) * MS_PER_MINUTE)
}

/// The composer's note for `draft` with its window resolved to UTC.
pub fn format_note(catalog: &Catalog, draft: &Draft, window: &Window) -> String {
    let mut out = catalog.render(k!("note.prep.title"), &[("task", one_line(&draft.task))]);
    out.push('\n');
    let range = human_range(window);
    let zone = if window.zone == "UTC" {
        String::new()
    } else {
        format!(" ({})", window.zone)
    };
    out.push_str(&catalog.render(
        k!("note.prep.window"),
        &[("range", &range), ("zone", &zone)],
    ));
    for (part, text) in Part::ALL.iter().zip(&draft.parts) {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&catalog.get(heading_key(*part)));
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

/// The key of a section's heading in a note.
pub fn heading_key(part: Part) -> Key {
    match part {
        Part::Planned => k!("note.prep.planned"),
        Part::Problems => k!("note.prep.problems"),
        Part::Solutions => k!("note.prep.solutions"),
        Part::Context => k!("note.prep.context"),
        Part::Contacts => k!("note.prep.contacts"),
    }
}

fn one_line(s: &str) -> &str {
    s.trim().split('\n').next().unwrap_or_default().trim()
}

/// `2026-11-26 13:00–15:00 UTC`, or `2026-11-26 23:00 – 2026-11-27 01:00 UTC` across midnight
/// (cut from RFC 3339 text, whose formatting the bundle already carries).
pub fn human_range(window: &Window) -> String {
    let (a, b) = (
        clock::format_rfc3339(window.start_ms),
        clock::format_rfc3339(window.end_ms),
    );
    let part = |s: &str, at: usize, len: usize| s.get(at..at + len).unwrap_or_default().to_string();
    let mut out = part(&a, 0, 10);
    out.push(' ');
    out.push_str(&part(&a, 11, 5));
    match a.get(..10) == b.get(..10) {
        true => out.push('–'),
        false => {
            out.push_str(" – ");
            out.push_str(&part(&b, 0, 10));
            out.push(' ');
        }
    }
    out.push_str(&part(&b, 11, 5));
    out.push_str(" UTC");
    out
}

// ---- Reading notes back ----
//
// The reader is in the bundle with every emergency, so it is written for size: byte scans
// instead of std substring search, no `str` slicing by index (only `get`), no Unicode case
// tables, and each note read in one pass over its lines.

/// Whether a comment body is a prep note: it carries the composer's machine line, or its first
/// line says so ("Prep note", "PREP-NOTE:", "## Prep note (ASE) –").
pub fn is_prep_note(body: &str) -> bool {
    if says_prep_note(body.trim_start()) {
        return true;
    }
    for line in body.split('\n') {
        if machine_window(line).is_some() {
            return true;
        }
    }
    false
}

/// Whether the first line of `text` starts, in letters and digits folded to ASCII lower case,
/// with "prepnote".
fn says_prep_note(text: &str) -> bool {
    let mut want = b"prepnote".iter();
    for &b in text.as_bytes() {
        if b == b'\n' {
            break;
        }
        if b.is_ascii_alphanumeric() {
            match want.next() {
                Some(&w) if w == b.to_ascii_lowercase() => {}
                Some(_) => return false,
                None => return true,
            }
        }
    }
    want.next().is_none()
}

/// What a title line says after "prep note": "index rebuild" of "Prep note (ASE) – index
/// rebuild"; empty for a line that says nothing more.
fn title_rest(line: &str) -> &str {
    let mut want = b"prepnote".len();
    let mut rest = "";
    for (i, b) in line.bytes().enumerate() {
        if b.is_ascii_alphanumeric() {
            want -= 1;
            if want == 0 {
                rest = line.get(i + 1..).unwrap_or_default();
                break;
            }
        }
    }
    loop {
        rest = rest.trim_start_matches([' ', '-', '–', '—', ':', '#', '*', '\t']);
        match rest.get(..5) {
            Some(ase) if ase.eq_ignore_ascii_case("(ase)") => {
                rest = rest.get(5..).unwrap_or_default()
            }
            _ => return rest,
        }
    }
}

/// Reads a prep note. `default_zone` is the zone of a hand-written window that names none
/// (the ASE's); `tz` resolves zone names. Never fails: what it cannot read stays in `other`.
pub fn parse(body: &str, default_zone: &str, tz: &dyn TzOffsets) -> PrepNote {
    let mut note = PrepNote::default();
    // Where the lines of a section go: an index in `note.parts`, or the free text.
    let mut current: Option<usize> = None;
    let mut machine = None;
    let mut window_text = "";
    let mut i = 0;
    for raw in body.split('\n') {
        let line = raw.trim_end();
        let first = i == 0;
        i += 1;
        if line.trim_start().starts_with(MACHINE_PREFIX) {
            if machine.is_none() {
                machine = machine_window(line);
            }
            continue;
        }
        // A heading's text is after its colon; another line's is the line, its indentation
        // (two spaces, the composer's) removed.
        let (heading, text) = match heading(line) {
            // A title only counts near the top; further down it is a line of text.
            Some((Heading::Title, _)) if !(first || note.task.is_empty() && i <= 3) => (None, line),
            Some((heading, rest)) => (Some(heading), rest.trim()),
            None => (None, line),
        };
        let text = match heading {
            Some(_) => text,
            None => text.strip_prefix("  ").unwrap_or(text.trim_start()),
        };
        match heading {
            Some(Heading::Title | Heading::Task) => {
                note.task = trimmed(text);
                current = None;
                continue;
            }
            Some(Heading::Window) => {
                window_text = text;
                current = None;
                continue;
            }
            // A section written twice is one, in the place of its first heading.
            Some(Heading::Part(part)) => {
                current = note.parts.iter().position(|(p, _)| *p == part);
                if current.is_none() {
                    current = Some(note.parts.len());
                    note.parts.push((part, String::new()));
                }
            }
            None => {}
        }
        // A first line that says "Prep note" without a colon may name the task after it
        // ("Prep note - index rebuild").
        if first && heading.is_none() && says_prep_note(line) {
            note.task = trimmed(title_rest(line));
            continue;
        }
        let target = match current {
            Some(at) => note.parts.get_mut(at).map(|(_, text)| text),
            // The free text, from its first non-empty line (a first line that only says
            // "Prep note" is not part of it).
            None if (!first || !says_prep_note(line))
                && (!note.other.is_empty() || !text.is_empty()) =>
            {
                Some(&mut note.other)
            }
            None => None,
        };
        if let Some(target) = target {
            add_line(target, text);
        }
    }
    note.other = trimmed(&note.other);
    // Sections left empty go (a push loop: `retain` is its own copy in the bundle).
    let mut parts = Vec::new();
    for (part, text) in note.parts {
        let text = trimmed(&text);
        if !text.is_empty() {
            parts.push((part, text));
        }
    }
    note.parts = parts;
    // The machine line's window is exact; a hand-written one is read as well as it can be, and
    // failing that, the first line of the note that holds a date and a time range.
    note.window = machine.or_else(|| read_window(window_text, default_zone, tz));
    if note.window.is_none() {
        for line in body.split('\n') {
            note.window = read_window(line, default_zone, tz);
            if note.window.is_some() {
                break;
            }
        }
    }
    if note.task.is_empty() {
        note.task = note
            .part(Part::Planned)
            .map(|p| trimmed(one_line(p)))
            .unwrap_or_default();
    }
    note
}

/// `s` without the white space around it, as a `String`.
fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

/// Appends `line` and a line break to `text` (a section's or the free text).
fn add_line(text: &mut String, line: &str) {
    text.push_str(line);
    text.push('\n');
}

/// What a line's heading (the words before its first `:`) says it starts.
#[derive(Clone, Copy)]
enum Heading {
    Title,
    Task,
    Window,
    Part(Part),
}

/// The headings the note format and people commonly use, folded (ASCII lower case, only
/// letters, digits and `'`, words separated by one space), `|`-separated, each after the code
/// of what it starts (`t` the task, `w` the window, a digit the [`Part`] of that index). One
/// string (not a table of `&str`) keeps the bundle small. "prep note…" (the title) is matched
/// as a prefix instead.
const HEADINGS: &str = "ttask|twhat\
    |wwindow|wwhen|wtime|wtiming|wschedule|wplanned window|wmaintenance window|wdate\
    |0planned|0what is planned|0what's planned|0plan|0summary|0details\
    |1possible problems|1problems|1risks|1risk|1known problems|1what could go wrong|1issues\
    |2suggested solutions|2solutions|2mitigation|2mitigations|2rollback|2fixes|2workarounds\
    |3account context|3context|3architecture|3background|3environment\
    |4contacts|4contact|4escalation|4people";

/// The heading of a line and the text after its colon. A heading is at the start of the line,
/// at most five words, and one of [`HEADINGS`] (English, as notes are: ASCII folding is exact
/// for these words and keeps Unicode case tables out of the bundle).
fn heading(line: &str) -> Option<(Heading, &str)> {
    if line.starts_with(' ') || line.starts_with('\t') {
        return None;
    }
    let (name, rest) = line.split_once(':')?;
    // The folded name: its letters, digits and `'` in ASCII lower case, its words separated
    // by one space.
    let mut folded = Vec::new();
    let (mut words, mut space) = (0, false);
    for &b in name.as_bytes() {
        if b == b' ' {
            space = true;
        } else if b.is_ascii_alphanumeric() || b == b'\'' {
            if space && !folded.is_empty() {
                folded.push(b' ');
                words += 1;
            }
            space = false;
            folded.push(b.to_ascii_lowercase());
        }
    }
    if words >= 5 {
        return None;
    }
    let name = folded.as_slice();
    if name.starts_with(b"prep note") || name.starts_with(b"prepnote") {
        return Some((Heading::Title, rest));
    }
    for entry in HEADINGS.split('|') {
        let entry = entry.as_bytes();
        if entry.get(1..) == Some(name) {
            let heading = match entry.first()? {
                b't' => Heading::Task,
                b'w' => Heading::Window,
                code => Heading::Part(*Part::ALL.get(usize::from(code.wrapping_sub(b'0')))?),
            };
            return Some((heading, rest));
        }
    }
    None
}

/// The window of a composer's machine line.
fn machine_window(line: &str) -> Option<Window> {
    let mut words = super::text::words(line.trim());
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
}

/// A hand-written window: a date, a start time and an end time (`2026-11-26 13:00-15:00`,
/// `2026-11-26 23:00 to 2026-11-27 01:00`, `13:00–15:00 UTC on 2026-11-26`), then optionally a
/// zone: `UTC`/`GMT`/`Z`, an offset (`UTC+2`, `+05:30`) or an IANA name (`Europe/Madrid`).
/// Without a zone, `default_zone`. An end before the start is on the next day.
pub fn read_window(text: &str, default_zone: &str, tz: &dyn TzOffsets) -> Option<Window> {
    let b = text.as_bytes();
    // The first date (a day number); the first two times (the end's with its place); a date
    // between them (the end's).
    let (mut date, mut end_date) = (None, None);
    let (mut start, mut end) = (None, None);
    let mut i = 0;
    while let Some(rest) = b.get(i..).filter(|rest| !rest.is_empty()) {
        let after_digit = i > 0 && b.get(i - 1).is_some_and(u8::is_ascii_digit);
        i += if let Some(day) = clock::days_at(rest) {
            date = date.or(Some(day));
            if start.is_some() && end.is_none() {
                end_date = end_date.or(Some(day));
            }
            10
        } else if let Some((minutes, len)) = time_at(rest).filter(|_| !after_digit) {
            match start {
                None => start = Some(minutes),
                Some(_) => end = end.or(Some((i, minutes))),
            }
            len
        } else {
            1
        };
    }
    let (date, start_min, (end_at, end_min)) = (date?, start?, end?);
    let start_wall = date * MS_PER_DAY + i64::from(start_min) * MS_PER_MINUTE;
    let mut end_wall = end_date.unwrap_or(date) * MS_PER_DAY + i64::from(end_min) * MS_PER_MINUTE;
    if end_wall <= start_wall {
        end_wall += MS_PER_DAY;
    }
    let after_end = text.get(end_at..).unwrap_or_default();
    let zone = match zone_after(after_end, tz) {
        Some(zone) => zone,
        None if default_zone == "UTC" => Zone::Offset(0),
        None => Zone::Named(default_zone),
    };
    let (start_ms, end_ms, zone) = match zone {
        Zone::Offset(minutes) => {
            let shift = i64::from(minutes) * MS_PER_MINUTE;
            (start_wall - shift, end_wall - shift, offset_name(minutes))
        }
        Zone::Named(name) => (
            wall_to_utc(start_wall, name, tz)?,
            wall_to_utc(end_wall, name, tz)?,
            name.to_string(),
        ),
    };
    (start_ms < end_ms).then_some(Window {
        start_ms,
        end_ms,
        zone,
    })
}

/// `UTC`, or `UTC+05:30` for an offset (at most 14 hours, as [`parse_offset`] reads them).
fn offset_name(minutes: i32) -> String {
    let mut name = String::from("UTC");
    if minutes != 0 {
        let abs = minutes.unsigned_abs();
        name.push(if minutes < 0 { '-' } else { '+' });
        for d in [abs / 600, abs / 60 % 10, 10, abs % 60 / 10, abs % 10] {
            name.push(char::from_digit(d, 10).unwrap_or(':'));
        }
    }
    name
}

/// A window's zone: minutes east of UTC, or an IANA name (never `UTC`, an offset of 0).
enum Zone<'a> {
    Offset(i32),
    Named(&'a str),
}

/// The first zone named in `text` (the end time and what follows it), within its first four
/// words. A word is a run of ASCII letters, digits, `+ - : / _` and the minus sign `−`: white
/// space, brackets and other punctuation separate words.
fn zone_after<'a>(text: &'a str, tz: &dyn TzOffsets) -> Option<Zone<'a>> {
    let b = text.as_bytes();
    let (mut from, mut words) = (0, 0);
    for i in 0..=b.len() {
        let in_word = b.get(i).is_some_and(|&c| {
            c.is_ascii_alphanumeric()
                || matches!(c, b'+' | b'-' | b':' | b'/' | b'_' | 0xe2 | 0x88 | 0x92)
        });
        if in_word {
            continue;
        }
        let word = text.get(from..i).unwrap_or_default();
        from = i + 1;
        if word.is_empty() {
            continue;
        }
        if let Some(zone) = zone_word(word, tz) {
            return Some(zone);
        }
        words += 1;
        if words == 4 {
            break;
        }
    }
    None
}

/// A word that names a zone: `UTC`, `gmt+2`, `Z`, `-05:00`, `Europe/Madrid`.
fn zone_word<'a>(word: &'a str, tz: &dyn TzOffsets) -> Option<Zone<'a>> {
    let b = word.as_bytes();
    // Where an offset starts: after `UTC`, `GMT` or `Z`, or at a sign.
    let head = word.get(..3).unwrap_or_default();
    let offset_at = match b.first() {
        _ if head.eq_ignore_ascii_case("UTC") || head.eq_ignore_ascii_case("GMT") => Some(3),
        Some(b'Z' | b'z') => Some(1),
        Some(b'+' | b'-') => Some(0),
        _ => None,
    };
    if let Some(rest) = offset_at.and_then(|at| word.get(at..)) {
        if rest.is_empty() {
            return Some(Zone::Offset(0));
        }
        if let Some(minutes) = parse_offset(rest) {
            return Some(Zone::Offset(minutes));
        }
    }
    // (Not `contains`: that brings `memchr` into the bundle.)
    let mut slash = false;
    for &c in b {
        slash |= c == b'/';
    }
    if slash && tz.offset_minutes(word, 0).is_some() {
        return Some(Zone::Named(word));
    }
    None
}

/// `+2`, `-05`, `+5:30`, `+05:30`, `+0530` (a `−` minus sign too) as minutes east of UTC, at
/// most 14 hours and 59 minutes.
fn parse_offset(s: &str) -> Option<i32> {
    let (sign, sign_len) = match s.as_bytes() {
        [b'+', ..] => (1, 1),
        [b'-', ..] => (-1, 1),
        [0xe2, 0x88, 0x92, ..] => (-1, 3),
        _ => return None,
    };
    let digits = s.get(sign_len..)?;
    let minutes = match time_at(digits.as_bytes()) {
        Some((minutes, len)) if len == digits.len() => i32::from(minutes),
        // Hours, or hours and minutes without a colon.
        _ => {
            let n = i32::try_from(text::whole_number(digits)?).ok()?;
            match digits.len() {
                1 | 2 => n * 60,
                4 if n % 100 < 60 => n / 100 * 60 + n % 100,
                _ => return None,
            }
        }
    };
    (minutes < 15 * 60).then_some(sign * minutes)
}

/// An `HH:MM` or `H:MM` time at the start of `b` (not followed by another digit), as minutes
/// after midnight, and its length; `24:00` is the end of the day.
fn time_at(b: &[u8]) -> Option<(u16, usize)> {
    let digit = |k: usize| {
        b.get(k)
            .filter(|d| d.is_ascii_digit())
            .map(|d| u16::from(d - b'0'))
    };
    let (hours, colon) = match (digit(0)?, digit(1)) {
        (h1, Some(h2)) => (h1 * 10 + h2, 2),
        (h, None) => (h, 1),
    };
    if b.get(colon) != Some(&b':') || digit(colon + 3).is_some() {
        return None;
    }
    let minutes = digit(colon + 1)? * 10 + digit(colon + 2)?;
    let total = hours * 60 + minutes;
    (minutes < 60 && total <= 24 * 60).then_some((total, colon + 3))
}
