//! The internal notes the app writes on a ticket, and reading them back.
//!
//! A note is durable shared state (PRODUCT.md, "Where the data lives"): human lines first, in the
//! catalog's words, then one machine line (CONTRACTS.md §8) that the app parses back:
//!
//! `ase-emergency-assist:v1 ping channel=<C> thread_ts=<ts> permalink=<pct-enc> by=<id>
//! by_name=<pct-enc> at=<RFC3339> ase=<U>`
//!
//! Invariant: parsing never fails and never panics. Comments are untrusted text; a damaged
//! machine line is ignored, as if the note were a human's.
use super::clock;
use super::slack::{percent_decode, percent_encode};
use super::text::Catalog;
use super::zendesk::CommentsResponseDto;

/// First word of every machine line the app writes, with the format version.
pub const MACHINE_PREFIX: &str = "ase-emergency-assist:v1";

/// The durable record that the ASE was pinged: where, by whom, when, and whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingRecord {
    /// Slack channel ID of the emergency thread.
    pub channel: String,
    /// `ts` of the thread's root message.
    pub thread_ts: String,
    /// Permalink of the thread's root message.
    pub permalink: String,
    /// Zendesk user ID of the agent who pinged.
    pub by: u64,
    /// Name of the agent who pinged.
    pub by_name: String,
    /// When the ping was recorded, in ms since the Unix epoch.
    pub at_ms: i64,
    /// Slack user ID of the pinged ASE.
    pub ase: String,
}

/// The note body for `record`: translated human lines, then the machine line.
/// `ase_name` is the ASE's display name for the human lines only.
pub fn format_ping_note(catalog: &Catalog, record: &PingRecord, ase_name: &str) -> String {
    let when = human_time_utc(catalog, record.at_ms);
    let lines = [
        catalog.get(k!("note.ping.title")),
        catalog.render(k!("note.ping.thread"), &[("permalink", &record.permalink)]),
        catalog.render(
            k!("note.ping.by"),
            &[("name", &record.by_name), ("time", &when)],
        ),
        catalog.render(
            k!("note.ping.ase"),
            &[("name", ase_name), ("user", &record.ase)],
        ),
        String::new(),
        machine_line(record),
    ];
    let mut note = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            note.push('\n');
        }
        note.push_str(line);
    }
    note
}

/// `2026-11-26 14:03 UTC`: notes are read in every timezone, so they state UTC.
fn human_time_utc(catalog: &Catalog, at_ms: i64) -> String {
    let c = clock::civil(at_ms);
    let two = |n: u8| super::text::digits(u64::from(n), 2);
    let date = format!("{}-{}-{}", clock::year(c.year), two(c.month), two(c.day));
    let time = format!("{}:{}", two(c.hour), two(c.minute));
    catalog.render(k!("note.time_utc"), &[("date", &date), ("time", &time)])
}

fn machine_line(record: &PingRecord) -> String {
    format!(
        "{MACHINE_PREFIX} ping channel={} thread_ts={} permalink={} by={} by_name={} at={} ase={}",
        percent_encode(&record.channel),
        percent_encode(&record.thread_ts),
        percent_encode(&record.permalink),
        super::text::digits(record.by, 0),
        percent_encode(&record.by_name),
        clock::format_rfc3339(record.at_ms),
        percent_encode(&record.ase),
    )
}

/// The newest ping record among a page of the ticket's comments, or `None`. Only internal notes
/// (`public: false`) written by staff count: anyone can write a public comment, and Zendesk turns
/// some end-user email replies into private comments, so an end user could forge one. And only a
/// record of the configured `channel` whose permalink is a Slack link into that channel counts.
pub fn find_ping_record(page: &CommentsResponseDto, channel: &str) -> Option<PingRecord> {
    page.comments
        .iter()
        .filter(|c| !c.public && page.by_staff(c.author_id))
        .filter_map(|c| {
            let record = parse_body(&c.body).filter(|r| in_channel(r, channel))?;
            let created = clock::parse_rfc3339(&c.created_at).unwrap_or(i64::MIN);
            Some(((created, c.id), record))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, record)| record)
}

/// `https://<workspace>.slack.com/archives/<channel>/p…`, for the record's own, configured channel.
fn in_channel(record: &PingRecord, channel: &str) -> bool {
    let Some(rest) = record.permalink.strip_prefix("https://") else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    record.channel == channel
        && host.ends_with(".slack.com")
        && path
            .strip_prefix("archives/")
            .and_then(|p| p.strip_prefix(channel))
            .is_some_and(|p| p.starts_with("/p"))
}

/// The last well-formed ping machine line of a note body.
fn parse_body(body: &str) -> Option<PingRecord> {
    // Forward, keeping the last: a reversed `lines()` costs the bundle about 2 KB. A `\r`
    // before the `\n` is whitespace to the parser.
    body.split('\n')
        .filter_map(parse_machine_line)
        .fold(None, |_, record| Some(record))
}

fn parse_machine_line(line: &str) -> Option<PingRecord> {
    let mut words = super::text::words(line.trim());
    if words.next()? != MACHINE_PREFIX || words.next()? != "ping" {
        return None;
    }
    let mut fields = Fields::default();
    for word in words {
        let (key, value) = word.split_once('=')?;
        let value = percent_decode(value);
        let slot = match key {
            "channel" => &mut fields.channel,
            "thread_ts" => &mut fields.thread_ts,
            "permalink" => &mut fields.permalink,
            "by" => &mut fields.by,
            "by_name" => &mut fields.by_name,
            "at" => &mut fields.at,
            "ase" => &mut fields.ase,
            // Later versions may add fields; unknown ones are skipped.
            _ => continue,
        };
        *slot = Some(value);
    }
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    Some(PingRecord {
        channel: non_empty(fields.channel)?,
        thread_ts: non_empty(fields.thread_ts)?,
        permalink: non_empty(fields.permalink)?,
        by: super::text::whole_number(&fields.by?)?,
        by_name: fields.by_name.unwrap_or_default(),
        at_ms: clock::parse_rfc3339(&fields.at?)?,
        ase: non_empty(fields.ase)?,
    })
}

#[derive(Default)]
struct Fields {
    channel: Option<String>,
    thread_ts: Option<String>,
    permalink: Option<String>,
    by: Option<String>,
    by_name: Option<String>,
    at: Option<String>,
    ase: Option<String>,
}
