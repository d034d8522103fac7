//! The workflows of an emergency, each a state machine of its own (quinn-style, see
//! ARCHITECTURE.md): its own state enum, its own request tags (`Step`), `handle_reply` for the
//! answers to its own requests, `poll_request` for what it wants done, and `view` for its part
//! of the sidebar.
//!
//! Invariants: a workflow never reaches into another's state; it reads another's results only
//! through the small values the sidebar hands it (the ticket record in [`Context`], the found
//! ASE). Adding a workflow touches the router (`sidebar.rs`) and one new file.
pub mod ase_lookup;
pub mod composer;
pub mod context;
pub mod ping;
pub mod prep_notes;

use super::locale::Intl;
use super::problems::Problems;
use super::request::Request;
use super::settings::Settings;
use super::text::Catalog;
use super::zendesk::{ZafTicketDto, ZafUserDto};

/// The ticket as read at start-up.
#[derive(Debug, Clone)]
pub struct TicketInfo {
    pub id: u64,
    pub subject: Option<String>,
    pub priority: Option<String>,
    /// Id and name as ZAF gives them.
    pub organization: Option<(u64, String)>,
    pub assignee_id: Option<u64>,
    /// Tags as ZAF showed them (a ping may be claimed already).
    pub tags: Vec<String>,
    /// When the ticket was created (the emergency's start), if ZAF said so readably.
    pub created_ms: Option<i64>,
}

impl TicketInfo {
    pub fn from_zaf(ticket: &ZafTicketDto) -> TicketInfo {
        TicketInfo {
            id: ticket.id,
            subject: ticket.subject.clone(),
            priority: ticket.priority.clone(),
            organization: ticket.organization.as_ref().map(|o| (o.id, o.name.clone())),
            assignee_id: ticket
                .assignee
                .as_ref()
                .and_then(|a| a.user.as_ref())
                .map(|u| u.id),
            tags: ticket.tags.clone(),
            created_ms: ticket
                .created_at
                .as_deref()
                .and_then(crate::core::clock::parse_rfc3339),
        }
    }
}

/// What every workflow may read: fixed for the life of the sidebar.
#[derive(Debug)]
pub struct Context {
    pub catalog: Catalog,
    pub settings: Settings,
    pub ticket: TicketInfo,
    /// The agent looking at the sidebar.
    pub viewer: ZafUserDto,
    /// `currentAccount.subdomain`, for ticket links.
    pub subdomain: String,
    /// IANA name of the viewer's timezone.
    pub viewer_tz: String,
    /// See [`super::sidebar::Boot::seed`].
    pub seed: u64,
}

impl Context {
    /// This ticket of this Zendesk account, as the app's Slack metadata names it.
    pub fn key(&self) -> super::slack::TicketKey<'_> {
        super::slack::TicketKey {
            subdomain: &self.subdomain,
            ticket_id: self.ticket.id,
        }
    }

    /// Words for failures of requests that are not about a particular email.
    pub fn problems<'a>(&'a self, intl: &'a dyn Intl) -> Problems<'a> {
        Problems {
            catalog: &self.catalog,
            intl,
            channel: &self.settings.channel_id,
            email: "",
        }
    }

    /// `/api/v2/tickets/<id>`: the ticket's reads and updates.
    pub fn ticket_url(&self) -> String {
        format!("/api/v2/tickets/{}", super::text::digits(self.ticket.id, 0))
    }

    /// A page of this ticket's comments ([`comments_url`]).
    pub fn comments_url(&self, after: Option<&str>) -> String {
        comments_url(self.ticket.id, after)
    }
}

/// `/api/v2/tickets/<id>/comments`, newest first, with authors (`include=users`, to tell staff
/// from end users), by cursor: `after` is the previous page's `after_cursor`.
pub fn comments_url(ticket: u64, after: Option<&str>) -> String {
    let mut url = format!(
        "/api/v2/tickets/{}/comments?sort_order=desc&include=users&page%5Bsize%5D=100",
        super::text::digits(ticket, 0)
    );
    if let Some(cursor) = after {
        url.push_str("&page%5Bafter%5D=");
        url.push_str(&super::slack::percent_encode(cursor));
    }
    url
}

/// The requests a workflow has issued and not yet handed to the sidebar, each with the tag its
/// answer must come back with.
#[derive(Debug)]
pub struct Outbox<S> {
    queue: Vec<(Request, S)>,
}

impl<S> Default for Outbox<S> {
    fn default() -> Self {
        Outbox { queue: Vec::new() }
    }
}

impl<S> Outbox<S> {
    pub fn push(&mut self, request: Request, step: S) {
        self.queue.push((request, step));
    }

    pub fn pop(&mut self) -> Option<(Request, S)> {
        (!self.queue.is_empty()).then(|| self.queue.remove(0))
    }
}

/// A nonce for one ping run (its metadata and claim) or one prep-note save: different per
/// ticket, agent, moment and page (the host's random `seed`), and free of personal data (Slack metadata is
/// workspace-visible). 16 hex digits.
pub fn nonce(ctx: &Context, now_ms: i64) -> String {
    // FNV-1a, 64 bit.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let digits = super::text::digits;
    let input = format!(
        "{}:{}:{}:{}",
        digits(ctx.ticket.id, 0),
        super::text::signed(now_ms),
        digits(ctx.viewer.id, 0),
        digits(ctx.seed, 0)
    );
    for b in input.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut hex = String::new();
    for shift in (0..16).rev() {
        hex.push(char::from(
            b"0123456789abcdef"[(hash >> (shift * 4)) as usize & 15],
        ));
    }
    hex
}
