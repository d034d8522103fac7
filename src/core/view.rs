//! The view-model: everything the sidebar shows, as plain data with words already translated.
//! The host renders it with `textContent` only; it never decides what to show. It crosses to the
//! renderer as JSON (`Serialize`: phases and tones by their attribute values, the ping and ASE
//! parts tagged by `kind`).
use serde::Serialize;

/// `data-phase` of the app root, for people and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Loading,
    NotEmergency,
    Emergency,
    /// Settings or ticket data are unusable: `problems` says what.
    Misconfigured,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::NotEmergency => "not-emergency",
            Phase::Emergency => "emergency",
            Phase::Misconfigured => "misconfigured",
        }
    }
}

/// A sentence for people, with the technical detail (a Slack error code, an HTTP status, a
/// decoder's message) kept apart for a "Details" disclosure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Message {
    pub text: String,
    pub detail: Option<String>,
}

impl Message {
    pub fn new(text: String) -> Message {
        Message { text, detail: None }
    }

    pub fn with_detail(text: String, detail: impl Into<String>) -> Message {
        let detail = detail.into();
        Message {
            text,
            detail: (!detail.trim().is_empty()).then_some(detail),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    pub phase: Phase,
    /// The label of every "Details" disclosure.
    pub details_label: String,
    /// One-line headline ("Emergency", "Not an emergency", ...).
    pub headline: String,
    /// Clear messages naming the setting or data that is wrong.
    pub problems: Vec<Message>,
    /// Present when `phase == Emergency`.
    pub emergency: Option<EmergencyView>,
    /// The app should stay collapsed: a non-emergency ticket with the
    /// "Collapse on non-emergency tickets" setting checked.
    pub collapsed: bool,
    /// The prep-note form, on a ticket of an organization with an ASE.
    pub composer: Option<ComposerView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmergencyView {
    /// Why the ticket is an emergency: one line per matched rule.
    pub reasons: Vec<String>,
    pub ase: AseView,
    /// The label of the ASE lookup's Retry button, when the lookup failed (with the seconds
    /// until it retries on its own, when it will).
    pub ase_retry: Option<String>,
    /// "You are the ASE" / "You are the DRI (assignee)" / "You are neither ...".
    pub viewer_role: String,
    /// The ASE's follow-up to the customer (C2); `None` for everyone else.
    pub follow_up: Option<FollowUpView>,
    pub ping: PingView,
    /// The account's context (N1), once the organization is read and when it has any.
    pub context: Option<ContextView>,
    /// The ASE's prep notes (N2), the one planned now first, once found.
    pub prep: Option<ContextView>,
}

/// The follow-up to the customer (C2): a button that puts the draft into the reply editor
/// (disabled and busy while it goes), or once it is there, `label` as a status line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpView {
    pub label: String,
    pub busy: bool,
    pub done: bool,
}

/// A section of untrusted text items (the account's context, the prep notes), each shown with
/// its line breaks, its http(s) links as links, and folded behind "Show more" when long.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextView {
    /// The section's element id (`account-context`, `prep-notes`).
    pub id: &'static str,
    pub heading: String,
    pub items: Vec<ContextItem>,
    /// The labels of a folded value's disclosure, closed and open.
    pub more: String,
    pub less: String,
}

/// The prep-note composer (N3). The host draws its form once and keeps it (the agent types in
/// it); each view refreshes only what follows the fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComposerView {
    /// Where the host keeps the draft (`localStorage`): this account, ticket and agent.
    pub key: String,
    pub title: String,
    /// The fields' labels, in [`crate::core::prep::Draft`]'s order (the host lays out the
    /// controls: task, start, end, zone, then the five parts).
    pub labels: Vec<String>,
    /// The time zone a new draft starts with (the ASE's, else the viewer's).
    pub zone: String,
    pub preview_label: String,
    pub save_label: String,
    /// Why the draft cannot be saved yet, one line each.
    pub invalid: Vec<String>,
    /// The note as it will be saved.
    pub preview: Option<String>,
    /// Saving, saved, or why the save failed.
    pub status: Option<Message>,
    /// A save runs: Save is disabled.
    pub busy: bool,
    /// The nonce of this draft's save, for the host to keep with the draft before it is sent
    /// (once `synced`: none means the draft keeps none).
    pub nonce: Option<String>,
    /// The core has seen the host's draft and its kept nonce.
    pub synced: bool,
    /// How many times the form's very text was saved: each new one, the host drops the draft
    /// and empties the form.
    pub clear: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextItem {
    pub label: String,
    pub text: String,
    /// Long: shown as its first lines until opened.
    pub fold: bool,
    /// A link shown under the label: its words and its `https://` address.
    pub link: Option<(String, String)>,
    /// Highlighted: the prep note planned now.
    pub now: bool,
}

/// Whether an item's text is long enough to fold: over 280 characters or 4 lines.
pub fn folds(text: &str) -> bool {
    super::text::longer_than(text, 280) || text.split('\n').nth(4).is_some()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum AseView {
    Loading {
        text: String,
    },
    /// The organization has no ASE (or no organization): a plain statement, not an error.
    None {
        text: String,
    },
    Found(AseCard),
    /// Lookup failed (Slack or Zendesk error): what failed, in words.
    Failed(Message),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AseCard {
    pub name: String,
    /// "@maria" (Slack display name), or the email when Slack does not know the ASE.
    pub handle: String,
    /// "Fri 3:12 AM · America/New_York (GMT-5)", in the agent's locale; None until known.
    pub local_time: Option<String>,
    pub hours: Option<Badge>,
    pub presence: Option<Badge>,
    /// "Do Not Disturb · ends in 7 hr", while the ASE's scheduled Do Not Disturb holds.
    pub dnd: Option<Badge>,
    /// Why the presence (or else the Do Not Disturb) is unknown, when a request failed.
    pub presence_problem: Option<Message>,
}

/// A short status with a tone the host maps to a colour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Badge {
    pub text: String,
    pub tone: Tone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Good,
    Warn,
    Neutral,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum PingView {
    /// No ASE to ping, or not yet known.
    Hidden,
    Ready {
        label: String,
    },
    InFlight {
        label: String,
    },
    Done {
        text: String,
        permalink: String,
        link_label: String,
    },
    Failed {
        message: Message,
        retry_label: String,
        /// When Slack could not be used: the button's label and the ping's text to post by hand
        /// (the root and the mention, as plain text).
        copy: Option<(String, String)>,
    },
}
