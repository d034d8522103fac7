//! Slack Web API wire types, mrkdwn escaping and the composition of the app's messages.
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
    /// conversations.history, conversations.replies
    #[serde(default)]
    pub messages: Option<Vec<SlackMessageDto>>,
    #[serde(default)]
    pub has_more: Option<bool>,
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
