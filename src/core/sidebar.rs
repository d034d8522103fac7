//! The sidebar state machine (quinn-style): inputs arrive through `handle_*`, requests leave
//! through `poll_request`, and `view` derives what to show. No I/O, no clock.
//!
//! It owns the emergency workflow of one ticket: detection (D1), the no-request rule for
//! ordinary tickets (D2), finding and showing the ASE (A1, A2) and the exactly-once ping
//! (S1, S2, S3).
//!
//! Invariants:
//! - A ticket that is not an emergency never produces a [`Request`].
//! - The ping reads before it writes (ticket notes, then the channel, then the thread), so a
//!   retry after any failure reuses what exists and never posts a second root or mention.
//! - Only one ping runs at a time; actions during a run are ignored.
//! - The ping note is written only after both Slack messages exist.
//! - Every word shown comes from the [`Catalog`]; every value from Zendesk or Slack is untrusted
//!   and handled without a panic.
use super::ase::{self, AseLookup, ViewerRole};
use super::availability::{self, HoursState, TzOffsets};
use super::clock::{self, Weekday};
use super::detection::{self, MatchReason, TicketFacts};
use super::notes::{self, PingRecord};
use super::settings::{self, Expected, SettingProblem, Settings};
use super::slack::{self, PostMessageDto, SlackMessageDto, SlackResponseDto, SlackUserDto};
use super::text::Catalog;
use super::view::{AseCard, AseView, Badge, EmergencyView, Phase, PingView, Tone, View};
use super::zendesk::{
    CommentInputDto, CommentsResponseDto, OrganizationResponseDto, TicketResponseDto,
    TicketUpdateDto, TicketUpdateInnerDto, ZafTicketDto, ZafUserDto,
};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// Everything the host reads once at start-up, decoded from ZAF.
#[derive(Debug, Clone)]
pub struct Boot {
    /// `metadata.settings`, as ZAF delivers them (secure settings are absent).
    pub settings: super::settings::RawSettings,
    pub ticket: ZafTicketDto,
    /// Value of the configured custom field, when the emergency field rule is set
    /// (`ticket.customField:custom_field_<id>`, stringified: checkbox → "true"/"false").
    pub custom_field_value: Option<String>,
    pub current_user: ZafUserDto,
    /// `currentAccount.subdomain`, for ticket links.
    pub subdomain: String,
    /// IANA name of the viewer's timezone (from the browser), for "Pinged at" times.
    pub viewer_tz: String,
    pub catalog: Catalog,
}

/// Identifies a request so its reply finds its way back.
pub type RequestId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
        }
    }
}

/// A JSON request body. The host serialises it with plain-object maps (ZAF.md §8).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    SlackPost(PostMessageDto),
    TicketUpdate(TicketUpdateDto),
}

impl Body {
    /// The `contentType` to send: both Slack writes and Zendesk updates are JSON, and Slack
    /// wants the charset stated (SLACK.md §2).
    pub fn content_type(&self) -> &'static str {
        "application/json; charset=utf-8"
    }
}

/// Which DTO the host must decode the answer into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Organization,
    Comments,
    Ticket,
    Slack,
}

/// One HTTP call for the host to make through `client.request`.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub method: Method,
    /// `/api/v2/...` for Zendesk, `https://slack.com/api/<method>?<query>` for Slack.
    pub url: String,
    pub body: Option<Body>,
    /// Extra headers; Slack calls carry `Authorization: Bearer {{setting.slack_bot_token}}`.
    pub headers: Vec<(String, String)>,
    /// `secure: true` for Slack calls, so the proxy substitutes the placeholder.
    pub secure: bool,
    pub expect: Expect,
}

/// A decoded successful answer (HTTP 2xx). Slack's `ok:false` arrives here too, as HTTP 200.
// One reply lives at a time and moves straight into the state machine, so the size of the
// Slack variant costs nothing worth a `Box` in the host's constructor calls.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Organization(OrganizationResponseDto),
    Comments(CommentsResponseDto),
    Ticket(TicketResponseDto),
    Slack(SlackResponseDto),
}

/// A request that did not produce a decodable 2xx answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Non-2xx HTTP status, with the body text and `Retry-After` seconds when present.
    Http {
        status: u16,
        body: String,
        retry_after_s: Option<u32>,
    },
    /// 2xx, but the body did not have the expected shape.
    Decode { detail: String },
    /// The request never completed (network, proxy refused).
    Transport { detail: String },
}

/// What the person clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ping,
    Retry,
}

/// How many times the ping note's safe update is tried before the ping fails.
const MAX_NOTE_ATTEMPTS: u8 = 3;

/// The ticket as read at start-up.
#[derive(Debug, Clone)]
struct TicketInfo {
    id: u64,
    subject: Option<String>,
    priority: Option<String>,
    organization: Option<(u64, String)>,
    assignee_id: Option<u64>,
}

/// What a pending request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Organization,
    StartComments,
    LookupUser,
    Presence,
    /// A step of ping run number `.0`.
    Ping(u32, PingStep),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PingStep {
    /// a) Has someone pinged already?
    Comments,
    /// b) Does the thread exist?
    History,
    PostRoot,
    /// c) Does the mention exist?
    Replies,
    PostMention,
    /// d) The thread's permalink.
    Permalink,
    /// e) A fresh `updated_at`, then the note.
    Stamp,
    PutNote,
    /// After a 409: did the other writer record a ping?
    ConflictComments,
}

#[derive(Debug, Clone)]
enum AseState {
    Loading,
    NoOrganization,
    NotSet { organization: String },
    Failed { text: String },
    Found(Box<FoundAse>),
}

#[derive(Debug, Clone)]
struct FoundAse {
    user: SlackUserDto,
    presence: Presence,
}

#[derive(Debug, Clone, PartialEq)]
enum Presence {
    Loading,
    Active,
    Away,
    Unknown { reason: Option<String> },
}

#[derive(Debug, Clone)]
enum PingState {
    /// The start-up read of the ticket's notes is pending.
    Checking,
    Idle,
    Running(Box<Run>),
    Failed {
        reason: String,
    },
    Done(PingRecord),
}

/// One attempt at the ping, from the first read to the note.
#[derive(Debug, Clone)]
struct Run {
    number: u32,
    nonce: String,
    root_ts: String,
    pinged_at_ms: i64,
    permalink: String,
    note_attempts: u8,
}

/// Which service a failed request went to, for the wording of the failure.
#[derive(Debug, Clone, Copy)]
enum Service {
    Zendesk,
    Slack(&'static str),
}

/// The sidebar of one ticket for one agent: the whole emergency workflow as a state machine.
#[derive(Debug)]
pub struct Sidebar {
    catalog: Catalog,
    settings: Settings,
    /// Rendered setting problems, with the setting each one names.
    problems: Vec<(&'static str, String)>,
    phase: Phase,
    reasons: Vec<MatchReason>,
    ticket: TicketInfo,
    viewer: ZafUserDto,
    subdomain: String,
    viewer_tz: String,
    next_id: RequestId,
    queue: VecDeque<Request>,
    pending: BTreeMap<RequestId, Step>,
    /// The organization's name from the REST API, once read.
    organization_name: Option<String>,
    ase_email: Option<String>,
    ase: AseState,
    ping: PingState,
    runs: u32,
}

impl Sidebar {
    /// Parses the settings and detects the emergency. An emergency queues the start-up reads
    /// (organization, notes); anything else queues nothing, now or later.
    pub fn new(boot: Boot, now_ms: i64) -> Sidebar {
        let _ = now_ms;
        let (settings, setting_problems) = settings::parse_settings(&boot.settings);
        let mut problems: Vec<(&'static str, String)> = setting_problems
            .iter()
            .map(|p| (problem_setting(p), render_setting_problem(&boot.catalog, p)))
            .collect();
        if settings.rules.is_empty() {
            problems.push(("emergency_priorities", no_rules_text(&boot.catalog)));
        }
        let ticket = ticket_info(&boot.ticket);
        let facts = TicketFacts {
            priority: boot.ticket.priority.as_deref(),
            tags: &boot.ticket.tags,
            form_id: boot.ticket.form.as_ref().and_then(|f| f.id),
            subject: boot.ticket.subject.as_deref().unwrap_or(""),
            field_value: boot.custom_field_value.as_deref(),
        };
        let reasons = detection::detect(&settings.rules, &facts);
        let phase = if !reasons.is_empty() {
            Phase::Emergency
        } else if !problems.is_empty() {
            Phase::Misconfigured
        } else {
            Phase::NotEmergency
        };
        let mut sidebar = Sidebar {
            catalog: boot.catalog,
            settings,
            problems,
            phase,
            reasons,
            ticket,
            viewer: boot.current_user,
            subdomain: boot.subdomain,
            viewer_tz: boot.viewer_tz,
            next_id: 1,
            queue: VecDeque::new(),
            pending: BTreeMap::new(),
            organization_name: None,
            ase_email: None,
            ase: AseState::Loading,
            ping: PingState::Idle,
            runs: 0,
        };
        if sidebar.phase == Phase::Emergency {
            sidebar.start();
        }
        sidebar
    }

    /// Emergency start: the organization (for the ASE) and the notes (for an earlier ping).
    fn start(&mut self) {
        match self.ticket.organization {
            Some((org_id, _)) => {
                let url = format!("/api/v2/organizations/{org_id}");
                self.push_zendesk(
                    Method::Get,
                    url,
                    None,
                    Expect::Organization,
                    Step::Organization,
                );
            }
            None => self.ase = AseState::NoOrganization,
        }
        self.ping = PingState::Checking;
        let url = self.comments_url();
        self.push_zendesk(
            Method::Get,
            url,
            None,
            Expect::Comments,
            Step::StartComments,
        );
    }

    /// The answer to request `id`. Unknown ids and answers to a superseded ping run are ignored.
    pub fn handle_reply(
        &mut self,
        id: RequestId,
        reply: Result<Reply, Failure>,
        now_ms: i64,
        tz: &dyn TzOffsets,
    ) {
        let Some(step) = self.pending.remove(&id) else {
            return;
        };
        match step {
            Step::Organization => self.on_organization(reply),
            Step::StartComments => self.on_start_comments(reply),
            Step::LookupUser => self.on_lookup_user(reply),
            Step::Presence => self.on_presence(reply),
            Step::Ping(number, step) => {
                let current = matches!(&self.ping, PingState::Running(run) if run.number == number);
                if current {
                    self.on_ping_step(step, reply, now_ms, tz);
                }
            }
        }
    }

    /// A click. `Ping` and `Retry` start a ping run when none is running, the ASE is known and
    /// no ping is recorded; otherwise they do nothing.
    pub fn handle_action(&mut self, action: Action, now_ms: i64, tz: &dyn TzOffsets) {
        let _ = tz;
        match action {
            Action::Ping | Action::Retry => self.start_ping(now_ms),
        }
    }

    /// The next request for the host to perform, in the order they were issued.
    pub fn poll_request(&mut self) -> Option<Request> {
        self.queue.pop_front()
    }

    /// What to show at `now_ms`; times and countdowns are derived here, never stored.
    pub fn view(&self, now_ms: i64, tz: &dyn TzOffsets) -> View {
        let headline = self.catalog.get(match self.phase {
            Phase::Loading => "ui.headline.loading",
            Phase::NotEmergency => "ui.headline.not_emergency",
            Phase::Emergency => "ui.headline.emergency",
            Phase::Misconfigured => "ui.headline.misconfigured",
        });
        let emergency = (self.phase == Phase::Emergency).then(|| EmergencyView {
            reasons: self.reasons.iter().map(|r| self.reason_text(r)).collect(),
            ase: self.ase_view(now_ms, tz),
            viewer_role: self.viewer_role_text(),
            ping: self.ping_view(tz),
        });
        View {
            phase: self.phase,
            headline,
            problems: self.problems.iter().map(|(_, text)| text.clone()).collect(),
            emergency,
            collapsed: self.phase == Phase::NotEmergency && self.settings.hide_when_not_emergency,
        }
    }

    // ---- Requests ----

    fn push(&mut self, mut request: Request, step: Step) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        request.id = id;
        self.pending.insert(id, step);
        self.queue.push_back(request);
    }

    fn push_zendesk(
        &mut self,
        method: Method,
        url: String,
        body: Option<Body>,
        expect: Expect,
        step: Step,
    ) {
        let request = Request {
            id: 0,
            method,
            url,
            body,
            headers: Vec::new(),
            secure: false,
            expect,
        };
        self.push(request, step);
    }

    fn push_slack(&mut self, method: Method, url: String, body: Option<Body>, step: Step) {
        let request = Request {
            id: 0,
            method,
            url,
            body,
            headers: vec![(
                "Authorization".to_string(),
                slack::AUTH_HEADER_VALUE.to_string(),
            )],
            secure: true,
            expect: Expect::Slack,
        };
        self.push(request, step);
    }

    fn comments_url(&self) -> String {
        format!(
            "/api/v2/tickets/{}/comments?sort_order=desc",
            self.ticket.id
        )
    }

    // ---- The ASE ----

    fn on_organization(&mut self, reply: Result<Reply, Failure>) {
        let organization = match reply {
            Ok(Reply::Organization(OrganizationResponseDto { organization })) => organization,
            other => {
                let reason = self.zendesk_problem(other);
                let text = self
                    .catalog
                    .render("ui.ase.organization_failed", &[("reason", &reason)]);
                self.ase = AseState::Failed { text };
                return;
            }
        };
        if !organization.name.trim().is_empty() {
            self.organization_name = Some(organization.name.clone());
        }
        match ase::ase_email(&organization, &self.settings.ase_org_field) {
            AseLookup::Email(email) => {
                let url = slack::method_url("users.lookupByEmail", &[("email", &email)]);
                self.ase_email = Some(email);
                self.push_slack(Method::Get, url, None, Step::LookupUser);
            }
            AseLookup::NotSet => {
                self.ase = AseState::NotSet {
                    organization: self.organization_label(),
                };
            }
            AseLookup::Invalid { value } => {
                let text = self.catalog.render(
                    "ui.ase.invalid_field",
                    &[
                        ("field", &self.settings.ase_org_field),
                        ("organization", &self.organization_label()),
                        ("value", &value.to_string()),
                    ],
                );
                self.ase = AseState::Failed { text };
            }
        }
    }

    fn on_lookup_user(&mut self, reply: Result<Reply, Failure>) {
        let user = match self.slack_ok("users.lookupByEmail", reply) {
            Ok(SlackResponseDto {
                user: Some(user), ..
            }) => user,
            Ok(_) => {
                let text = self.decode_text(
                    Service::Slack("users.lookupByEmail"),
                    "problems.detail.no_user",
                );
                self.ase = AseState::Failed { text };
                return;
            }
            Err(text) => {
                self.ase = AseState::Failed { text };
                return;
            }
        };
        if user.deleted {
            let email = self.ase_email.clone().unwrap_or_default();
            let text = self
                .catalog
                .render("ui.ase.deactivated", &[("email", &email)]);
            self.ase = AseState::Failed { text };
            return;
        }
        let url = slack::method_url("users.getPresence", &[("user", &user.id)]);
        self.ase = AseState::Found(Box::new(FoundAse {
            user,
            presence: Presence::Loading,
        }));
        self.push_slack(Method::Get, url, None, Step::Presence);
    }

    fn on_presence(&mut self, reply: Result<Reply, Failure>) {
        let presence = match self.slack_ok("users.getPresence", reply) {
            Ok(r) => match r.presence.as_deref() {
                Some("active") => Presence::Active,
                Some("away") => Presence::Away,
                _ => Presence::Unknown { reason: None },
            },
            Err(reason) => Presence::Unknown {
                reason: Some(reason),
            },
        };
        if let AseState::Found(found) = &mut self.ase {
            found.presence = presence;
        }
    }

    fn organization_label(&self) -> String {
        self.organization_name
            .clone()
            .or_else(|| {
                self.ticket
                    .organization
                    .as_ref()
                    .map(|(_, name)| name.clone())
            })
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| self.catalog.get("ui.ase.unnamed_organization"))
    }

    // ---- The ping ----

    fn on_start_comments(&mut self, reply: Result<Reply, Failure>) {
        if !matches!(self.ping, PingState::Checking) {
            return;
        }
        // A failed read only hides nothing: the ping itself re-reads the notes before writing.
        self.ping = match reply {
            Ok(Reply::Comments(CommentsResponseDto { comments, .. })) => {
                match notes::find_ping_record(&comments) {
                    Some(record) => PingState::Done(record),
                    None => PingState::Idle,
                }
            }
            _ => PingState::Idle,
        };
    }

    fn found_ase(&self) -> Option<&FoundAse> {
        match &self.ase {
            AseState::Found(found) => Some(found),
            _ => None,
        }
    }

    fn start_ping(&mut self, now_ms: i64) {
        let ready = matches!(self.ping, PingState::Idle | PingState::Failed { .. });
        if self.phase != Phase::Emergency || !ready || self.found_ase().is_none() {
            return;
        }
        if let Some((_, text)) = self.problems.iter().find(|(s, _)| *s == "slack_channel_id") {
            self.ping = PingState::Failed {
                reason: text.clone(),
            };
            return;
        }
        if self.settings.channel_id.trim().is_empty() {
            let label = setting_label(&self.catalog, "slack_channel_id");
            let reason = self
                .catalog
                .render("problems.setting_missing", &[("setting", &label)]);
            self.ping = PingState::Failed { reason };
            return;
        }
        self.runs = self.runs.wrapping_add(1);
        let run = Run {
            number: self.runs,
            nonce: nonce(self.ticket.id, now_ms, self.viewer.id),
            root_ts: String::new(),
            pinged_at_ms: now_ms,
            permalink: String::new(),
            note_attempts: 0,
        };
        self.ping = PingState::Running(Box::new(run));
        self.ping_request(PingStep::Comments, None);
    }

    /// Issues the request of `step` for the current run.
    fn ping_request(&mut self, step: PingStep, body: Option<Body>) {
        let PingState::Running(run) = &self.ping else {
            return;
        };
        let number = run.number;
        let channel = self.settings.channel_id.clone();
        let root_ts = run.root_ts.clone();
        let tag = Step::Ping(number, step);
        let ticket_url = format!("/api/v2/tickets/{}", self.ticket.id);
        match step {
            PingStep::Comments | PingStep::ConflictComments => {
                let url = self.comments_url();
                self.push_zendesk(Method::Get, url, None, Expect::Comments, tag);
            }
            PingStep::History => {
                let url = slack::method_url(
                    "conversations.history",
                    &[
                        ("channel", &channel),
                        ("limit", "200"),
                        ("include_all_metadata", "true"),
                    ],
                );
                self.push_slack(Method::Get, url, None, tag);
            }
            PingStep::Replies => {
                let url = slack::method_url(
                    "conversations.replies",
                    &[
                        ("channel", &channel),
                        ("ts", &root_ts),
                        ("include_all_metadata", "true"),
                    ],
                );
                self.push_slack(Method::Get, url, None, tag);
            }
            PingStep::PostRoot | PingStep::PostMention => {
                let url = slack::method_url("chat.postMessage", &[]);
                self.push_slack(Method::Post, url, body, tag);
            }
            PingStep::Permalink => {
                let url = slack::method_url(
                    "chat.getPermalink",
                    &[("channel", &channel), ("message_ts", &root_ts)],
                );
                self.push_slack(Method::Get, url, None, tag);
            }
            PingStep::Stamp => {
                self.push_zendesk(Method::Get, ticket_url, None, Expect::Ticket, tag);
            }
            PingStep::PutNote => {
                self.push_zendesk(Method::Put, ticket_url, body, Expect::Ticket, tag);
            }
        }
    }

    fn run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.ping {
            PingState::Running(run) => Some(run),
            _ => None,
        }
    }

    fn fail_ping(&mut self, reason: String) {
        self.ping = PingState::Failed { reason };
    }

    fn on_ping_step(
        &mut self,
        step: PingStep,
        reply: Result<Reply, Failure>,
        now_ms: i64,
        tz: &dyn TzOffsets,
    ) {
        match step {
            PingStep::Comments | PingStep::ConflictComments => match reply {
                Ok(Reply::Comments(CommentsResponseDto { comments, .. })) => {
                    match notes::find_ping_record(&comments) {
                        Some(record) => self.ping = PingState::Done(record),
                        None if step == PingStep::Comments => {
                            self.ping_request(PingStep::History, None)
                        }
                        None => self.ping_request(PingStep::Stamp, None),
                    }
                }
                other => {
                    let reason = self.zendesk_problem(other);
                    self.fail_ping(reason);
                }
            },
            PingStep::History => match self.slack_ok("conversations.history", reply) {
                Ok(r) => {
                    let messages = r.messages.unwrap_or_default();
                    match slack::find_root(&messages, self.ticket.id) {
                        Some(root) => {
                            let ts = root.ts.clone();
                            if let Some(run) = self.run_mut() {
                                run.root_ts = ts;
                            }
                            self.ping_request(PingStep::Replies, None);
                        }
                        None => {
                            let body = self.root_message();
                            self.ping_request(PingStep::PostRoot, body.map(Body::SlackPost));
                        }
                    }
                }
                Err(reason) => self.fail_ping(reason),
            },
            PingStep::PostRoot => match self.slack_ok("chat.postMessage", reply) {
                Ok(r) => match posted_ts(&r) {
                    Some(ts) => {
                        if let Some(run) = self.run_mut() {
                            run.root_ts = ts;
                        }
                        // A root posted a moment ago has no replies to reconcile with.
                        let body = self.mention_message(now_ms, tz);
                        self.ping_request(PingStep::PostMention, body.map(Body::SlackPost));
                    }
                    None => {
                        let reason = self.decode_text(
                            Service::Slack("chat.postMessage"),
                            "problems.detail.no_ts",
                        );
                        self.fail_ping(reason);
                    }
                },
                Err(reason) => self.fail_ping(reason),
            },
            PingStep::Replies => match self.slack_ok("conversations.replies", reply) {
                Ok(r) => {
                    let messages: Vec<SlackMessageDto> = r.messages.unwrap_or_default();
                    if slack::find_ping(&messages, self.ticket.id).is_some() {
                        if let Some(run) = self.run_mut() {
                            run.pinged_at_ms = now_ms;
                        }
                        self.ping_request(PingStep::Permalink, None);
                    } else {
                        let body = self.mention_message(now_ms, tz);
                        self.ping_request(PingStep::PostMention, body.map(Body::SlackPost));
                    }
                }
                Err(reason) => self.fail_ping(reason),
            },
            PingStep::PostMention => match self.slack_ok("chat.postMessage", reply) {
                Ok(_) => {
                    if let Some(run) = self.run_mut() {
                        run.pinged_at_ms = now_ms;
                    }
                    self.ping_request(PingStep::Permalink, None);
                }
                Err(reason) => self.fail_ping(reason),
            },
            PingStep::Permalink => match self.slack_ok("chat.getPermalink", reply) {
                Ok(r) => match r.permalink.filter(|p| !p.trim().is_empty()) {
                    Some(permalink) => {
                        if let Some(run) = self.run_mut() {
                            run.permalink = permalink;
                        }
                        self.ping_request(PingStep::Stamp, None);
                    }
                    None => {
                        let reason = self.decode_text(
                            Service::Slack("chat.getPermalink"),
                            "problems.detail.no_permalink",
                        );
                        self.fail_ping(reason);
                    }
                },
                Err(reason) => self.fail_ping(reason),
            },
            PingStep::Stamp => match reply {
                Ok(Reply::Ticket(TicketResponseDto { ticket })) => {
                    let body = self.note_update(ticket.updated_at);
                    if let Some(run) = self.run_mut() {
                        run.note_attempts = run.note_attempts.saturating_add(1);
                    }
                    self.ping_request(PingStep::PutNote, body.map(Body::TicketUpdate));
                }
                other => {
                    let reason = self.zendesk_problem(other);
                    self.fail_ping(reason);
                }
            },
            PingStep::PutNote => match reply {
                Ok(Reply::Ticket(_)) => {
                    if let Some(record) = self.run_record() {
                        self.ping = PingState::Done(record);
                    }
                }
                Err(Failure::Http { status: 409, .. }) => {
                    let attempts = self
                        .run_mut()
                        .map_or(MAX_NOTE_ATTEMPTS, |r| r.note_attempts);
                    if attempts < MAX_NOTE_ATTEMPTS {
                        self.ping_request(PingStep::ConflictComments, None);
                    } else {
                        let reason = self.catalog.get("problems.zendesk.conflict");
                        self.fail_ping(reason);
                    }
                }
                other => {
                    let reason = self.zendesk_problem(other);
                    self.fail_ping(reason);
                }
            },
        }
    }

    /// The `chat.postMessage` arguments of the thread's root.
    fn root_message(&self) -> Option<PostMessageDto> {
        let PingState::Running(run) = &self.ping else {
            return None;
        };
        let organization = self.organization_label();
        let facts = slack::RootFacts {
            subdomain: &self.subdomain,
            ticket_id: self.ticket.id,
            subject: self.ticket.subject.as_deref(),
            organization: Some(&organization),
            priority: self.ticket.priority.as_deref(),
        };
        Some(PostMessageDto {
            channel: self.settings.channel_id.clone(),
            text: slack::compose_root(&self.catalog, &facts),
            thread_ts: None,
            metadata: slack::metadata(self.ticket.id, slack::ACTION_ROOT, &run.nonce),
            unfurl_links: false,
            unfurl_media: false,
        })
    }

    /// The `chat.postMessage` arguments of the mention, worded for the ASE's availability now.
    fn mention_message(&self, now_ms: i64, tz: &dyn TzOffsets) -> Option<PostMessageDto> {
        let PingState::Running(run) = &self.ping else {
            return None;
        };
        let found = self.found_ase()?;
        let inside_hours = found
            .user
            .tz
            .as_deref()
            .and_then(|name| {
                availability::availability(now_ms, name, &self.settings.working_hours, tz)
            })
            .is_some_and(|a| matches!(a.hours, HoursState::Inside { .. }));
        let organization = self.organization_label();
        let facts = slack::PingFacts {
            ase_user_id: &found.user.id,
            subdomain: &self.subdomain,
            ticket_id: self.ticket.id,
            organization: Some(&organization),
            pinged_by: &self.viewer.name,
            available: inside_hours && found.presence == Presence::Active,
        };
        Some(PostMessageDto {
            channel: self.settings.channel_id.clone(),
            text: slack::compose_ping(&self.catalog, &facts),
            thread_ts: Some(run.root_ts.clone()),
            metadata: slack::metadata(self.ticket.id, slack::ACTION_PING, &run.nonce),
            unfurl_links: false,
            unfurl_media: false,
        })
    }

    /// What the note records, from the current run.
    fn run_record(&self) -> Option<PingRecord> {
        let PingState::Running(run) = &self.ping else {
            return None;
        };
        let found = self.found_ase()?;
        Some(PingRecord {
            channel: self.settings.channel_id.clone(),
            thread_ts: run.root_ts.clone(),
            permalink: run.permalink.clone(),
            by: self.viewer.id,
            by_name: self.viewer.name.clone(),
            at_ms: run.pinged_at_ms,
            ase: found.user.id.clone(),
        })
    }

    fn note_update(&self, updated_stamp: String) -> Option<TicketUpdateDto> {
        let record = self.run_record()?;
        let found = self.found_ase()?;
        let body = notes::format_ping_note(&self.catalog, &record, &ase_name(&found.user));
        Some(TicketUpdateDto {
            ticket: TicketUpdateInnerDto {
                comment: CommentInputDto {
                    body,
                    public: false,
                },
                safe_update: true,
                updated_stamp,
            },
        })
    }

    // ---- Failures in words ----

    /// The successful Slack answer, or the failure in words.
    fn slack_ok(
        &self,
        method: &'static str,
        reply: Result<Reply, Failure>,
    ) -> Result<SlackResponseDto, String> {
        match reply {
            Ok(Reply::Slack(r)) if r.ok => Ok(r),
            Ok(Reply::Slack(r)) => {
                let error = r.error.unwrap_or_default();
                Err(self.slack_error_text(method, &error, None))
            }
            Ok(_) => {
                Err(self.decode_text(Service::Slack(method), "problems.detail.unexpected_answer"))
            }
            Err(failure) => Err(self.failure_text(Service::Slack(method), &failure)),
        }
    }

    /// A Zendesk answer that was not the expected one, in words.
    fn zendesk_problem(&self, reply: Result<Reply, Failure>) -> String {
        match reply {
            Ok(_) => self.decode_text(Service::Zendesk, "problems.detail.unexpected_answer"),
            Err(failure) => self.failure_text(Service::Zendesk, &failure),
        }
    }

    /// An answer of the wrong shape; `detail_key` names what was wrong.
    fn decode_text(&self, service: Service, detail_key: &str) -> String {
        self.decode_detail(service, &self.catalog.get(detail_key))
    }

    fn decode_detail(&self, service: Service, detail: &str) -> String {
        let key = match service {
            Service::Zendesk => "problems.zendesk.decode",
            Service::Slack(_) => "problems.slack.decode",
        };
        self.catalog.render(key, &[("detail", detail)])
    }

    fn failure_text(&self, service: Service, failure: &Failure) -> String {
        match (service, failure) {
            (_, Failure::Decode { detail }) => self.decode_detail(service, detail),
            (Service::Zendesk, Failure::Transport { detail }) => self
                .catalog
                .render("problems.zendesk.transport", &[("detail", detail)]),
            (Service::Slack(_), Failure::Transport { detail }) => self
                .catalog
                .render("problems.slack.transport", &[("detail", detail)]),
            (Service::Zendesk, Failure::Http { status, body, .. }) => {
                let error = zendesk_error_text(body);
                let status = status.to_string();
                if error.is_empty() {
                    self.catalog
                        .render("problems.zendesk.http_status", &[("status", &status)])
                } else {
                    self.catalog.render(
                        "problems.zendesk.http",
                        &[("status", &status), ("error", &error)],
                    )
                }
            }
            (
                Service::Slack(method),
                Failure::Http {
                    status: 429,
                    retry_after_s,
                    ..
                },
            ) => self.slack_error_text(method, "ratelimited", *retry_after_s),
            (Service::Slack(method), Failure::Http { status, body, .. }) => {
                match json_string_field(body, "error").filter(|e| !e.is_empty()) {
                    Some(error) => self.slack_error_text(method, &error, None),
                    None => self.catalog.render(
                        "problems.slack.http_status",
                        &[("status", &status.to_string())],
                    ),
                }
            }
        }
    }

    /// A Slack `error` code in words (SLACK.md §4), naming the setting to fix where there is one.
    fn slack_error_text(&self, method: &str, error: &str, retry_after_s: Option<u32>) -> String {
        let c = &self.catalog;
        let channel = self.settings.channel_id.as_str();
        let channel_setting = setting_label(c, "slack_channel_id");
        match error {
            "users_not_found" | "user_not_found" => {
                let email = self.ase_email.as_deref().unwrap_or_default();
                c.render("problems.slack.users_not_found", &[("email", email)])
            }
            "invalid_auth" | "not_authed" | "token_revoked" | "token_expired"
            | "account_inactive" => c.render(
                "problems.slack.token",
                &[
                    ("setting", &setting_label(c, "slack_bot_token")),
                    ("error", error),
                ],
            ),
            "channel_not_found" => c.render(
                "problems.slack.channel_not_found",
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "not_in_channel" => c.render(
                "problems.slack.not_in_channel",
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "is_archived" => c.render(
                "problems.slack.is_archived",
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "missing_scope" => match needed_scope(method) {
                Some(scope) => c.render(
                    "problems.slack.missing_scope",
                    &[("scope", scope), ("method", method)],
                ),
                None => c.render("problems.slack.missing_scope_any", &[("method", method)]),
            },
            "ratelimited" | "rate_limited" => match retry_after_s {
                Some(seconds) => c.render(
                    "problems.slack.rate_limited",
                    &[("seconds", &seconds.to_string())],
                ),
                None => c.get("problems.slack.rate_limited_soon"),
            },
            "" => c.get("problems.slack.no_error"),
            other => c.render("problems.slack.other", &[("error", other)]),
        }
    }

    // ---- The view ----

    fn reason_text(&self, reason: &MatchReason) -> String {
        let c = &self.catalog;
        match reason {
            MatchReason::Priority(priority) => {
                c.render("ui.reason.priority", &[("priority", priority.as_str())])
            }
            MatchReason::Tag(tag) => c.render("ui.reason.tag", &[("tag", tag.as_str())]),
            MatchReason::Form(form) => c.render("ui.reason.form", &[("form", &form.to_string())]),
            MatchReason::Field { field_id, value } => c.render(
                "ui.reason.field",
                &[
                    ("field", &field_id.to_string()),
                    ("value", &value.to_string()),
                ],
            ),
            MatchReason::Keyword(keyword) => {
                c.render("ui.reason.keyword", &[("keyword", keyword.as_str())])
            }
        }
    }

    fn viewer_role_text(&self) -> String {
        // Until the organization answers, the ASE is unknown: saying "neither" would be wrong
        // for the ASE looking at their own account's emergency.
        if matches!(self.ase, AseState::Loading) {
            return self.catalog.get("ui.role.loading");
        }
        let role = ase::viewer_role(
            &self.viewer,
            self.ase_email.as_deref(),
            self.ticket.assignee_id,
        );
        self.catalog.get(match role {
            ViewerRole::Ase => "ui.role.ase",
            ViewerRole::Dri => "ui.role.dri",
            ViewerRole::AseAndDri => "ui.role.ase_and_dri",
            ViewerRole::Other => "ui.role.other",
        })
    }

    fn ase_view(&self, now_ms: i64, tz: &dyn TzOffsets) -> AseView {
        let c = &self.catalog;
        match &self.ase {
            AseState::Loading => AseView::Loading {
                text: c.get("ui.ase.loading"),
            },
            AseState::NoOrganization => AseView::None {
                text: c.get("ui.ase.no_organization"),
            },
            AseState::NotSet { organization } => AseView::None {
                text: c.render("ui.ase.not_set", &[("organization", organization)]),
            },
            AseState::Failed { text } => AseView::Failed { text: text.clone() },
            AseState::Found(found) => AseView::Found(self.ase_card(found, now_ms, tz)),
        }
    }

    fn ase_card(&self, found: &FoundAse, now_ms: i64, tz: &dyn TzOffsets) -> AseCard {
        let c = &self.catalog;
        let user = &found.user;
        let zone = user.tz.as_deref().map(str::trim).filter(|z| !z.is_empty());
        let hours = &self.settings.working_hours;
        let availability =
            zone.and_then(|z| availability::availability(now_ms, z, hours, tz).map(|a| (z, a)));
        let (local_time, hours_badge) = match availability {
            Some((zone, a)) => {
                let time = format!("{:02}:{:02}", a.local.hour, a.local.minute);
                let local = c.render(
                    "ui.ase.local_time",
                    &[
                        ("time", &time),
                        ("weekday", &weekday_text(c, a.local.weekday)),
                        ("tz", zone),
                        ("offset", &clock::format_offset(a.local.offset_minutes)),
                    ],
                );
                let badge = match a.hours {
                    HoursState::Inside { ends_in_min } => Badge {
                        text: c.render(
                            "ui.ase.hours_inside",
                            &[
                                ("hours", &hours.to_string()),
                                ("duration", &duration_text(c, ends_in_min)),
                            ],
                        ),
                        tone: Tone::Good,
                    },
                    HoursState::Outside { starts_in_min } => Badge {
                        text: c.render(
                            "ui.ase.hours_outside",
                            &[
                                ("hours", &hours.to_string()),
                                ("duration", &duration_text(c, starts_in_min)),
                            ],
                        ),
                        tone: Tone::Warn,
                    },
                };
                (local, badge)
            }
            None => {
                let local = match zone {
                    Some(zone) => c.render("ui.ase.timezone_unknown_named", &[("tz", zone)]),
                    None => c.get("ui.ase.timezone_unknown"),
                };
                let badge = Badge {
                    text: c.get("ui.ase.hours_unknown"),
                    tone: Tone::Neutral,
                };
                (local, badge)
            }
        };
        let presence = match &found.presence {
            Presence::Loading => None,
            Presence::Active => Some(Badge {
                text: c.get("ui.ase.presence_active"),
                tone: Tone::Good,
            }),
            Presence::Away => Some(Badge {
                text: c.get("ui.ase.presence_away"),
                tone: Tone::Neutral,
            }),
            Presence::Unknown { reason: None } => Some(Badge {
                text: c.get("ui.ase.presence_unknown"),
                tone: Tone::Neutral,
            }),
            Presence::Unknown {
                reason: Some(reason),
            } => Some(Badge {
                text: c.render("ui.ase.presence_failed", &[("reason", reason)]),
                tone: Tone::Neutral,
            }),
        };
        let handle = slack_handle(user)
            .or_else(|| self.ase_email.clone())
            .unwrap_or_default();
        AseCard {
            name: ase_name(user),
            handle,
            local_time: Some(local_time),
            hours: Some(hours_badge),
            presence,
        }
    }

    fn ping_view(&self, tz: &dyn TzOffsets) -> PingView {
        let c = &self.catalog;
        match &self.ping {
            PingState::Done(record) => {
                let offset = tz.offset_minutes(&self.viewer_tz, record.at_ms);
                let local = availability::local_time(record.at_ms, offset.unwrap_or(0));
                let zone = match offset {
                    Some(_) if !self.viewer_tz.trim().is_empty() => self.viewer_tz.clone(),
                    _ => "UTC".to_string(),
                };
                let by = if record.by_name.trim().is_empty() {
                    c.get("ui.ping.someone")
                } else {
                    record.by_name.clone()
                };
                let time = format!("{:02}:{:02}", local.hour, local.minute);
                PingView::Done {
                    text: c.render(
                        "ui.ping.done",
                        &[("name", &by), ("time", &time), ("tz", &zone)],
                    ),
                    permalink: record.permalink.clone(),
                    link_label: c.get("ui.ping.open_thread"),
                }
            }
            PingState::Running(_) => PingView::InFlight {
                label: c.get("ui.ping.in_flight"),
            },
            PingState::Failed { reason } => PingView::Failed {
                message: c.render("ui.ping.failed", &[("reason", reason)]),
                retry_label: c.get("ui.ping.retry"),
            },
            PingState::Checking => PingView::Hidden,
            PingState::Idle if self.found_ase().is_some() => PingView::Ready {
                label: c.get("ui.ping.button"),
            },
            PingState::Idle => PingView::Hidden,
        }
    }
}

fn ticket_info(ticket: &ZafTicketDto) -> TicketInfo {
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
    }
}

/// The ASE's name as Slack knows it: real name, then profile real name, then user name.
fn ase_name(user: &SlackUserDto) -> String {
    [
        user.real_name.as_deref(),
        Some(user.profile.real_name.as_str()),
        Some(user.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|n| !n.is_empty())
    .unwrap_or(user.id.as_str())
    .to_string()
}

/// `@display_name`, falling back to `@name`; `None` when Slack has neither.
fn slack_handle(user: &SlackUserDto) -> Option<String> {
    [user.profile.display_name.trim(), user.name.trim()]
        .into_iter()
        .find(|n| !n.is_empty())
        .map(|n| format!("@{n}"))
}

/// The `ts` of a message `chat.postMessage` just created.
fn posted_ts(r: &SlackResponseDto) -> Option<String> {
    r.ts.clone()
        .or_else(|| r.message.as_ref().map(|m| m.ts.clone()))
        .filter(|ts| !ts.trim().is_empty())
}

/// A nonce for the metadata of one ping run: deterministic (no RNG in the core), different per
/// ticket, agent and moment, and free of personal data (Slack metadata is workspace-visible).
fn nonce(ticket_id: u64, now_ms: i64, viewer_id: u64) -> String {
    // FNV-1a, 64 bit.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let input = format!("{ticket_id}:{now_ms}:{viewer_id}");
    for b in input.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The bot scope a Slack method needs (SLACK.md §3), for `missing_scope`.
fn needed_scope(method: &str) -> Option<&'static str> {
    match method {
        "users.lookupByEmail" => Some("users:read.email"),
        "users.getPresence" | "users.info" => Some("users:read"),
        "conversations.history" | "conversations.replies" => {
            Some("channels:history, groups:history")
        }
        "chat.postMessage" => Some("chat:write"),
        _ => None,
    }
}

/// The setting's label from the manifest translations, or its name when there is none.
fn setting_label(catalog: &Catalog, setting: &str) -> String {
    let key = format!("app.parameters.{setting}.label");
    if catalog.contains(&key) {
        catalog.get(&key)
    } else {
        setting.to_string()
    }
}

fn problem_setting(problem: &SettingProblem) -> &'static str {
    match problem {
        SettingProblem::Missing { setting } | SettingProblem::Invalid { setting, .. } => setting,
    }
}

fn render_setting_problem(catalog: &Catalog, problem: &SettingProblem) -> String {
    match problem {
        SettingProblem::Missing { setting } => catalog.render(
            "problems.setting_missing",
            &[("setting", &setting_label(catalog, setting))],
        ),
        SettingProblem::Invalid {
            setting,
            value,
            expected,
        } => catalog.render(
            "problems.setting_invalid",
            &[
                ("setting", &setting_label(catalog, setting)),
                ("value", value),
                ("expected", &catalog.get(expected_key(expected))),
            ],
        ),
    }
}

fn expected_key(expected: &Expected) -> &'static str {
    match expected {
        Expected::ChannelId => "problems.expected.channel_id",
        Expected::NumberList => "problems.expected.number_list",
        Expected::Number => "problems.expected.number",
        Expected::WorkingHours => "problems.expected.working_hours",
        Expected::FieldKey => "problems.expected.field_key",
        Expected::Priorities => "problems.expected.priorities",
        Expected::Checkbox => "problems.expected.checkbox",
    }
}

fn no_rules_text(catalog: &Catalog) -> String {
    let labels: Vec<String> = [
        "emergency_priorities",
        "emergency_tags",
        "emergency_form_ids",
        "emergency_field_id",
        "emergency_keywords",
    ]
    .iter()
    .map(|s| format!("“{}”", setting_label(catalog, s)))
    .collect();
    catalog.render("problems.no_rules", &[("settings", &labels.join(", "))])
}

fn weekday_text(catalog: &Catalog, weekday: Weekday) -> String {
    catalog.get(match weekday {
        Weekday::Mon => "ui.weekday.mon",
        Weekday::Tue => "ui.weekday.tue",
        Weekday::Wed => "ui.weekday.wed",
        Weekday::Thu => "ui.weekday.thu",
        Weekday::Fri => "ui.weekday.fri",
        Weekday::Sat => "ui.weekday.sat",
        Weekday::Sun => "ui.weekday.sun",
    })
}

/// `2 h 5 min`, `9 h`, `45 min`, `1 d 3 h`.
fn duration_text(catalog: &Catalog, minutes: i64) -> String {
    let minutes = minutes.max(0);
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let (d, h, m) = (days.to_string(), hours.to_string(), mins.to_string());
    match (days, hours, mins) {
        (0, 0, _) => catalog.render("ui.duration.m", &[("m", &m)]),
        (0, _, 0) => catalog.render("ui.duration.h", &[("h", &h)]),
        (0, _, _) => catalog.render("ui.duration.hm", &[("h", &h), ("m", &m)]),
        (_, 0, _) => catalog.render("ui.duration.d", &[("d", &d)]),
        _ => catalog.render("ui.duration.dh", &[("d", &d), ("h", &h)]),
    }
}

/// The readable part of a Zendesk error body (`description`, `message` or `error`), without a
/// JSON parser: the core carries none, and a body that is not JSON is shown trimmed instead.
fn zendesk_error_text(body: &str) -> String {
    ["description", "message", "error", "title"]
        .iter()
        .find_map(|field| json_string_field(body, field).filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| {
            let trimmed = body.trim();
            if trimmed.starts_with('{') || trimmed.starts_with('<') {
                String::new()
            } else {
                trimmed.chars().take(200).collect()
            }
        })
}

/// The first string value of `"field": "..."` in a JSON text, unescaped; `None` when absent or
/// not a string.
fn json_string_field(body: &str, field: &str) -> Option<String> {
    let pattern = format!("\"{field}\"");
    let start = body.find(&pattern)? + pattern.len();
    let rest = body
        .get(start..)?
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' | 'r' | 't' => out.push(' '),
                'u' => {
                    let code: String = chars.by_ref().take(4).collect();
                    let c = u32::from_str_radix(&code, 16).ok().and_then(char::from_u32);
                    out.push(c.unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}
