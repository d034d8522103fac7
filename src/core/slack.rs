//! Slack Web API wire types, mrkdwn escaping and the composition of the app's messages.
use super::text::{Catalog, Key};
use serde::{Deserialize, Serialize};

/// The real Slack endpoint. The app always calls this URL; Zendesk's proxy (or the local host)
/// routes it, and substitutes the bot token placeholder server-side.
pub const API_BASE: &str = "https://slack.com/api/";
/// The secure setting placeholder used in the Authorization header; never the token itself.
pub const AUTH_HEADER_VALUE: &str = "Bearer {{setting.slack_bot_token}}";
/// `metadata.event_type` of every message the app posts.
pub const EVENT_TYPE: &str = "ase_emergency";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPayloadDto {
    pub ticket_id: u64,
    pub action: String,
    pub nonce: String,
    /// The Zendesk account (subdomain) of the ticket, so a sandbox sharing the channel, with the
    /// same ticket ids, never counts as this account. Absent on messages posted before 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
}

/// Which ticket of which Zendesk account a message of the app's is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketKey<'a> {
    pub subdomain: &'a str,
    pub ticket_id: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataDto {
    pub event_type: String,
    pub event_payload: EventPayloadDto,
}

/// `chat.postMessage` arguments (sent as JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostMessageDto {
    pub channel: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<String>,
    pub metadata: MetadataDto,
    pub unfurl_links: bool,
    pub unfurl_media: bool,
}

/// `conversations.invite` arguments (sent as JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InviteDto {
    pub channel: String,
    pub users: String,
}

/// A message as `conversations.history`/`replies` and `chat.postMessage` return it.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct SlackMessageDto {
    #[serde(default)]
    pub ts: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub metadata: Option<MetadataDto>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct SlackProfileDto {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub real_name: String,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct SlackUserDto {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    /// IANA name, or null when Slack does not know it.
    #[serde(default)]
    pub tz: Option<String>,
    #[serde(default)]
    pub tz_offset: Option<i64>,
    #[serde(default)]
    pub profile: SlackProfileDto,
}

/// Every Slack answer in one shape: `ok`, `error`, and the fields of the methods the app calls.
/// Slack answers HTTP 200 for errors, so the envelope is decoded first and `ok` decides.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct SlackResponseDto {
    pub ok: bool,
    #[serde(default)]
    pub error: Option<String>,
    /// chat.postMessage
    #[serde(default)]
    pub ts: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub message: Option<SlackMessageDto>,
    /// chat.getPermalink
    #[serde(default)]
    pub permalink: Option<String>,
    /// users.lookupByEmail, users.info
    #[serde(default)]
    pub user: Option<SlackUserDto>,
    /// users.getPresence: "active" | "away"
    #[serde(default)]
    pub presence: Option<String>,
    /// dnd.info: whether the user has Do Not Disturb on, and its current or next scheduled
    /// window, in Unix seconds (a manual snooze is visible to the user only, SLACK.md §3).
    #[serde(default)]
    pub dnd_enabled: Option<bool>,
    #[serde(default)]
    pub next_dnd_start_ts: Option<i64>,
    #[serde(default)]
    pub next_dnd_end_ts: Option<i64>,
    /// conversations.history, conversations.replies
    #[serde(default)]
    pub messages: Option<Vec<SlackMessageDto>>,
    #[serde(default)]
    pub has_more: Option<bool>,
    /// Cursor pagination: `next_cursor` is empty on the last page.
    #[serde(default)]
    pub response_metadata: Option<ResponseMetadataDto>,
    /// `auth.test`: the bot ID of the token (our own bot, whose messages alone count).
    #[serde(default)]
    pub bot_id: Option<String>,
    /// `conversations.members`: a page of the channel's member IDs.
    #[serde(default)]
    pub members: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ResponseMetadataDto {
    #[serde(default)]
    pub next_cursor: String,
}

impl SlackResponseDto {
    /// The cursor of the next page of messages, when Slack says there is one (it may return
    /// fewer messages than asked while more remain).
    pub fn next_cursor(&self) -> Option<&str> {
        let cursor = self.response_metadata.as_ref()?.next_cursor.trim();
        (!cursor.is_empty()).then_some(cursor)
    }
}

/// Escapes the three characters Slack treats as control characters in mrkdwn and `text`,
/// so untrusted text can never form `<!channel>`, a mention or a link.
pub fn escape_mrkdwn(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

// ---- Requests: URLs ----

/// Percent-encodes `s` for a URL query value or a note's machine line: every byte outside the
/// RFC 3986 unreserved set (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, so `+`, `&`, `=`, spaces and
/// non-ASCII text can never change the meaning of the surrounding string.
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Reverses [`percent_encode`]. Malformed escapes are kept literally and invalid UTF-8 gives
/// an empty value, so decoding untrusted text never fails.
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                if let Some(&b) = bytes.get(i) {
                    out.push(b);
                }
                i += 1;
            }
        }
    }
    // Bytes that are not UTF-8 make the value unusable (empty), like any damaged machine line,
    // rather than carrying replacement characters (and their decoder) into the bundle.
    utf8(&out).unwrap_or_default()
}

/// `bytes` as text when they are UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF). A small decoder of its own: std's validator is 0.7 KB of the bundle.
fn utf8(bytes: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (len, mut c) = match b {
            0..=0x7f => (1, u32::from(b)),
            0xc2..=0xdf => (2, u32::from(b & 0x1f)),
            0xe0..=0xef => (3, u32::from(b & 0x0f)),
            0xf0..=0xf4 => (4, u32::from(b & 0x07)),
            _ => return None,
        };
        for k in 1..len {
            let next = bytes.get(i + k).filter(|n| *n & 0xc0 == 0x80)?;
            c = c << 6 | u32::from(next & 0x3f);
        }
        let shortest = match len {
            3 => 0x800,
            4 => 0x1_0000,
            _ => 0,
        };
        out.push(char::from_u32(c).filter(|_| c >= shortest)?);
        i += len;
    }
    Some(out)
}

/// `https://slack.com/api/<method>?k=v&...` with every value percent-encoded.
pub fn method_url(method: &str, query: &[(&str, &str)]) -> String {
    let mut url = format!("{API_BASE}{method}");
    for (i, (key, value)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(key);
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    url
}

// ---- Composition of the app's messages ----

/// What the thread's root message says about the ticket. Every text field is untrusted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RootFacts<'a> {
    /// Zendesk subdomain, for the ticket link.
    pub subdomain: &'a str,
    pub ticket_id: u64,
    pub subject: Option<&'a str>,
    pub organization: Option<&'a str>,
    pub priority: Option<&'a str>,
    /// The prep note planned now, as [`PrepNotes::slack_summary`] words it (mrkdwn, escaped).
    ///
    /// [`PrepNotes::slack_summary`]: super::workflow::prep_notes::PrepNotes::slack_summary
    pub prep: Option<&'a str>,
}

/// What the mention reply says. `available` selects the wording: inside working hours and active
/// on Slack asks the ASE to join; otherwise it says no action is needed unless they are available.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PingFacts<'a> {
    /// Slack user ID of the ASE (`U…`), mentioned as `<@U…>`.
    pub ase_user_id: &'a str,
    pub subdomain: &'a str,
    pub ticket_id: u64,
    pub organization: Option<&'a str>,
    /// Name of the agent who clicked, as Zendesk knows them.
    pub pinged_by: &'a str,
    pub available: bool,
}

/// `<https://{subdomain}.zendesk.com/agent/tickets/{id}|#{id}>`. The subdomain is reduced to the
/// characters a Zendesk subdomain may hold, so it cannot break out of the link token.
pub fn ticket_link(subdomain: &str, ticket_id: u64) -> String {
    format!(
        "<{}|#{}>",
        ticket_url(subdomain, ticket_id),
        super::text::digits(ticket_id, 0)
    )
}

/// The ticket's address in the agent interface; the subdomain keeps only its letters, digits
/// and `-`, lowercased, so no text of it can leave the link's host.
pub fn ticket_url(subdomain: &str, ticket_id: u64) -> String {
    let mut url = String::from("https://");
    for b in subdomain.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            url.push(char::from(b.to_ascii_lowercase()));
        }
    }
    url.push_str(".zendesk.com/agent/tickets/");
    url.push_str(&super::text::digits(ticket_id, 0));
    url
}

/// `<@U…>`: a mention of a Slack user. The ID comes from Slack, but is escaped anyway so a
/// malformed one can never form another control sequence.
pub fn mention(user_id: &str) -> String {
    format!("<@{}>", escape_mrkdwn(user_id))
}

/// Uses `value` escaped, or the catalog's fallback when it is absent or blank.
fn escaped_or(catalog: &Catalog, value: Option<&str>, fallback_key: Key) -> String {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => escape_mrkdwn(v),
        None => catalog.get(fallback_key),
    }
}

/// The text of the emergency thread's root message.
pub fn compose_root(catalog: &Catalog, facts: &RootFacts<'_>) -> String {
    let link = ticket_link(facts.subdomain, facts.ticket_id);
    let subject = escaped_or(catalog, facts.subject, k!("slack.no_subject"));
    let organization = escaped_or(catalog, facts.organization, k!("slack.no_organization"));
    let priority = escaped_or(catalog, facts.priority, k!("slack.no_priority"));
    let mut root = catalog.render(
        k!("slack.root"),
        &[
            ("link", &link),
            ("subject", &subject),
            ("organization", &organization),
            ("priority", &priority),
        ],
    );
    if let Some(prep) = facts.prep {
        root.push('\n');
        root.push_str(prep);
    }
    root
}

/// The text of the reply that pings the ASE; it starts with the `<@U…>` mention. With `thread`
/// (the thread's permalink) it is the direct message sent to an ASE whom the mention does not
/// reach.
pub fn compose_ping(catalog: &Catalog, facts: &PingFacts<'_>, thread: Option<&str>) -> String {
    let key = match thread {
        Some(_) => k!("slack.dm"),
        None if facts.available => k!("slack.ping_available"),
        None => k!("slack.ping_unavailable"),
    };
    let link = ticket_link(facts.subdomain, facts.ticket_id);
    let organization = escaped_or(catalog, facts.organization, k!("slack.no_organization"));
    let by = escaped_or(catalog, Some(facts.pinged_by), k!("slack.unknown_agent"));
    let thread = escape_mrkdwn(thread.unwrap_or_default());
    let body = catalog.render(
        key,
        &[
            ("link", &link),
            ("organization", &organization),
            ("by", &by),
            ("thread", &thread),
        ],
    );
    format!("{} {body}", mention(facts.ase_user_id))
}

/// A message composed for Slack, as plain text an agent pastes by hand when the app cannot post
/// (degraded mode): links become `label (url)`, the `<@U…>` mention becomes `handle`, and the
/// mrkdwn escapes of untrusted text are undone (the Slack composer escapes what is pasted).
pub fn plain_text(mrkdwn: &str, handle: &str) -> String {
    let mut parts = mrkdwn.split('<');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let (token, rest) = part.split_once('>').unwrap_or((part, ""));
        match token.split_once('|') {
            _ if token.starts_with('@') => out.push_str(handle),
            Some((url, label)) => {
                out.push_str(label);
                out.push_str(" (");
                out.push_str(url);
                out.push(')');
            }
            None => out.push_str(token),
        }
        out.push_str(rest);
    }
    unescape(&out)
}

/// Undoes [`escape_mrkdwn`]. By splitting on `&` and matching prefixes: the bundle carries no substring
/// search (`str::replace` alone costs it about 5 KB).
fn unescape(text: &str) -> String {
    let mut parts = text.split('&');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let (ch, rest) = if let Some(rest) = part.strip_prefix("lt;") {
            ('<', rest)
        } else if let Some(rest) = part.strip_prefix("gt;") {
            ('>', rest)
        } else if let Some(rest) = part.strip_prefix("amp;") {
            ('&', rest)
        } else {
            ('&', part)
        };
        out.push(ch);
        out.push_str(rest);
    }
    out
}

// ---- Finding the app's own messages again ----

/// The metadata every message the app posts carries, so the app can find it again.
pub fn metadata(key: TicketKey<'_>, action: &str, nonce: &str) -> MetadataDto {
    MetadataDto {
        event_type: EVENT_TYPE.to_string(),
        event_payload: EventPayloadDto {
            ticket_id: key.ticket_id,
            action: action.to_string(),
            nonce: nonce.to_string(),
            subdomain: Some(key.subdomain.to_string()),
        },
    }
}

/// `metadata.event_payload.action` of the thread's root message.
pub const ACTION_ROOT: &str = "root";
/// `metadata.event_payload.action` of the reply that pings the ASE.
pub const ACTION_PING: &str = "ping";
/// `metadata.event_payload.action` of the direct message to an ASE outside the channel.
pub const ACTION_DM: &str = "dm";

fn is_app_message(
    message: &SlackMessageDto,
    key: TicketKey<'_>,
    action: &str,
    bot_id: &str,
) -> bool {
    // Metadata counts only on our own bot's messages: anyone's app can attach any metadata.
    message.bot_id.as_deref() == Some(bot_id)
        && message.metadata.as_ref().is_some_and(|m| {
            let p = &m.event_payload;
            m.event_type == EVENT_TYPE
                && p.ticket_id == key.ticket_id
                && p.action == action
                && p.subdomain.as_deref().is_none_or(|s| s == key.subdomain)
        })
}

/// Orders Slack timestamps (`1700000000.000100`) numerically without parsing them as floats.
fn ts_key(ts: &str) -> (usize, &str) {
    let seconds = ts.split('.').next().unwrap_or(ts);
    (seconds.len(), ts)
}

/// The oldest message our bot (`bot_id`, from `auth.test`) posted for `key`'s ticket with
/// `action` (the thread's root in `conversations.history`, the mention in
/// `conversations.replies`, the direct message in the DM's history). The oldest wins, so two
/// racing agents converge.
pub fn find<'m>(
    messages: &'m [SlackMessageDto],
    key: TicketKey<'_>,
    action: &str,
    bot_id: &str,
) -> Option<&'m SlackMessageDto> {
    messages
        .iter()
        .filter(|m| !m.ts.is_empty() && is_app_message(m, key, action, bot_id))
        .min_by(|a, b| ts_key(&a.ts).cmp(&ts_key(&b.ts)))
}
