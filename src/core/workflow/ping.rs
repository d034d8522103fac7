//! The ping (S1, S2, S3): one click creates the emergency's Slack thread (when the ticket has
//! none), mentions the ASE in it with wording that follows their availability, and records an
//! internal note with the thread link, who pinged and when.
//!
//! Invariants:
//! - The ping reads before it writes (ticket notes, then the channel, then the thread), so a
//!   retry after any failure reuses what exists and never posts a second root or mention.
//! - Only one run at a time; clicks during a run are ignored, and answers to a superseded run
//!   are dropped.
//! - The note is written only after both Slack messages exist.
use super::ase_lookup::{ase_name, FoundAse, Presence};
use super::{Context, Outbox};
use crate::core::availability;
use crate::core::clock;
use crate::core::locale::Intl;
use crate::core::notes::{self, PingRecord};
use crate::core::problems::{self, Service};
use crate::core::request::{Body, Expect, Method, Outcome, Reply, Request};
use crate::core::slack::{self, PostMessageDto, SlackResponseDto};
use crate::core::view::{Message, PingView};
use crate::core::zendesk::{
    CommentInputDto, TicketResponseDto, TicketUpdateDto, TicketUpdateInnerDto,
};

/// How many times the ping note's safe update is tried before the ping fails.
const MAX_NOTE_ATTEMPTS: u8 = 3;

/// How many further pages of channel history and thread replies one run reads (200 messages a
/// page, newest first) before it concludes the thread or the mention is not there.
const MAX_SLACK_PAGES: u8 = 25;

/// What a pending request of this workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The start-up read of the ticket's notes: was the ASE pinged before?
    StartComments,
    /// A step of run number `.0`.
    Run(u32, RunStep),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStep {
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

/// What the ping reads of the ASE lookup: the found ASE and the organization's name, if any
/// (Slack messages are English: they fall back to their own words, not the agent's).
#[derive(Debug, Clone, Copy)]
pub struct AseFacts<'a> {
    pub found: &'a FoundAse,
    pub organization: Option<&'a str>,
}

#[derive(Debug, Clone)]
enum State {
    /// The start-up read of the ticket's notes is pending.
    Checking,
    Idle,
    Running(Box<Run>),
    Failed {
        reason: Message,
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
    /// Further Slack pages read so far (see [`MAX_SLACK_PAGES`]).
    slack_pages: u8,
}

/// The ping of one emergency.
#[derive(Debug)]
pub struct Ping {
    state: State,
    runs: u32,
    /// The cursor of the next page of the comments read in progress: "already pinged?" is
    /// answered only after the last page.
    after: Option<String>,
    out: Outbox<Step>,
}

impl Ping {
    /// Starts by reading the ticket's notes, to show an earlier ping.
    pub fn start(ctx: &Context) -> Ping {
        let mut ping = Ping {
            state: State::Checking,
            runs: 0,
            after: None,
            out: Outbox::default(),
        };
        let request = Request::zendesk(Method::Get, ctx.comments_url(None), None, Expect::Comments);
        ping.out.push(request, Step::StartComments);
        ping
    }

    pub fn poll_request(&mut self) -> Option<(Request, Step)> {
        self.out.pop()
    }

    /// A click on Ping or Retry: starts a run when none is running, the ASE is known and no
    /// ping is recorded; otherwise does nothing.
    pub fn handle_click(&mut self, ctx: &Context, ase: Option<AseFacts<'_>>, now_ms: i64) {
        let ready = matches!(self.state, State::Idle | State::Failed { .. });
        if !ready || ase.is_none() {
            return;
        }
        if ctx.settings.channel_id.trim().is_empty() {
            let reason = problems::setting_missing(&ctx.catalog, "slack_channel_id");
            self.state = State::Failed {
                reason: Message::new(reason),
            };
            return;
        }
        self.runs = self.runs.wrapping_add(1);
        let run = Run {
            number: self.runs,
            nonce: nonce(ctx.ticket.id, now_ms, ctx.viewer.id),
            root_ts: String::new(),
            pinged_at_ms: now_ms,
            permalink: String::new(),
            note_attempts: 0,
            slack_pages: 0,
        };
        self.state = State::Running(Box::new(run));
        self.request(ctx, RunStep::Comments, None);
    }

    /// Fails the next click with `reason` instead of running (a setting the ping needs is wrong).
    pub fn block(&mut self, reason: Message) {
        if matches!(self.state, State::Idle | State::Failed { .. }) {
            self.state = State::Failed { reason };
        }
    }

    pub fn handle_reply(
        &mut self,
        step: Step,
        reply: Outcome,
        ctx: &Context,
        ase: Option<AseFacts<'_>>,
        now_ms: i64,
        intl: &dyn Intl,
    ) {
        match step {
            Step::StartComments => self.on_start_comments(reply, ctx),
            Step::Run(number, step) => {
                let current = matches!(&self.state, State::Running(run) if run.number == number);
                if current {
                    self.on_run_step(step, reply, ctx, ase, now_ms, intl);
                }
            }
        }
    }

    fn on_start_comments(&mut self, reply: Outcome, ctx: &Context) {
        if !matches!(self.state, State::Checking) {
            return;
        }
        // A failed read only hides nothing: the ping itself re-reads the notes before writing.
        self.state = match reply {
            Ok(Reply::Comments(page)) => {
                match notes::find_ping_record(&page, &ctx.settings.channel_id) {
                    Some(record) => State::Done(record),
                    None => match page.next_cursor() {
                        Some(cursor) => {
                            let url = ctx.comments_url(Some(cursor));
                            let request =
                                Request::zendesk(Method::Get, url, None, Expect::Comments);
                            self.out.push(request, Step::StartComments);
                            State::Checking
                        }
                        None => State::Idle,
                    },
                }
            }
            _ => State::Idle,
        };
    }

    fn run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.state {
            State::Running(run) => Some(run),
            _ => None,
        }
    }

    /// Whether to read the Slack page after `cursor`: there is one and the run has pages left.
    /// Sets the cursor for the next request.
    fn next_slack_page(&mut self, cursor: Option<&str>) -> bool {
        let (Some(cursor), Some(run)) = (cursor, self.run_mut()) else {
            return false;
        };
        if run.slack_pages >= MAX_SLACK_PAGES {
            return false;
        }
        run.slack_pages += 1;
        self.after = Some(cursor.to_string());
        true
    }

    fn fail(&mut self, reason: Message) {
        self.state = State::Failed { reason };
    }

    /// Issues the request of `step` for the current run.
    fn request(&mut self, ctx: &Context, step: RunStep, body: Option<Body>) {
        let State::Running(run) = &self.state else {
            return;
        };
        let tag = Step::Run(run.number, step);
        let channel = ctx.settings.channel_id.as_str();
        let root_ts = run.root_ts.as_str();
        let ticket_url = format!("/api/v2/tickets/{}", ctx.ticket.id);
        let request = match step {
            RunStep::Comments | RunStep::ConflictComments => {
                let url = ctx.comments_url(self.after.take().as_deref());
                Request::zendesk(Method::Get, url, None, Expect::Comments)
            }
            RunStep::History | RunStep::Replies => {
                let after = self.after.take().unwrap_or_default();
                let mut query = vec![("channel", channel)];
                let method = if step == RunStep::History {
                    "conversations.history"
                } else {
                    query.push(("ts", root_ts));
                    "conversations.replies"
                };
                query.extend([("limit", "200"), ("include_all_metadata", "true")]);
                if !after.is_empty() {
                    query.push(("cursor", after.as_str()));
                }
                let url = slack::method_url(method, &query);
                Request::slack(Method::Get, url, None)
            }
            RunStep::PostRoot | RunStep::PostMention => Request::slack(
                Method::Post,
                slack::method_url("chat.postMessage", &[]),
                body,
            ),
            RunStep::Permalink => {
                let query = [("channel", channel), ("message_ts", root_ts)];
                let url = slack::method_url("chat.getPermalink", &query);
                Request::slack(Method::Get, url, None)
            }
            RunStep::Stamp => Request::zendesk(Method::Get, ticket_url, None, Expect::Ticket),
            RunStep::PutNote => Request::zendesk(Method::Put, ticket_url, body, Expect::Ticket),
        };
        self.out.push(request, tag);
    }

    fn on_run_step(
        &mut self,
        step: RunStep,
        reply: Outcome,
        ctx: &Context,
        ase: Option<AseFacts<'_>>,
        now_ms: i64,
        intl: &dyn Intl,
    ) {
        let problems = ctx.problems(intl);
        match step {
            RunStep::Comments | RunStep::ConflictComments => match reply {
                Ok(Reply::Comments(page)) => {
                    match notes::find_ping_record(&page, &ctx.settings.channel_id) {
                        Some(record) => self.state = State::Done(record),
                        None => match page.next_cursor() {
                            Some(cursor) => {
                                self.after = Some(cursor.to_string());
                                self.request(ctx, step, None);
                            }
                            None if step == RunStep::Comments => {
                                self.request(ctx, RunStep::History, None)
                            }
                            None => self.request(ctx, RunStep::Stamp, None),
                        },
                    }
                }
                other => self.fail(problems.zendesk(other)),
            },
            RunStep::History => match problems.slack_ok("conversations.history", reply) {
                Ok(r) => {
                    let messages = r.messages.as_deref().unwrap_or_default();
                    match slack::find_root(messages, ctx.key()) {
                        Some(root) => {
                            let ts = root.ts.clone();
                            if let Some(run) = self.run_mut() {
                                run.root_ts = ts;
                            }
                            self.request(ctx, RunStep::Replies, None);
                        }
                        None if self.next_slack_page(r.next_cursor()) => {
                            self.request(ctx, RunStep::History, None)
                        }
                        None => {
                            let body = self.root_message(ctx, ase);
                            self.request(ctx, RunStep::PostRoot, body.map(Body::SlackPost));
                        }
                    }
                }
                Err(reason) => self.fail(reason),
            },
            RunStep::PostRoot => match problems.slack_ok("chat.postMessage", reply) {
                Ok(r) => match posted_ts(&r) {
                    Some(ts) => {
                        if let Some(run) = self.run_mut() {
                            run.root_ts = ts;
                        }
                        // A root posted a moment ago has no replies to reconcile with.
                        let body = self.mention_message(ctx, ase, now_ms, intl);
                        self.request(ctx, RunStep::PostMention, body.map(Body::SlackPost));
                    }
                    None => self.fail(
                        problems
                            .decode(Service::Slack("chat.postMessage"), "problems.detail.no_ts"),
                    ),
                },
                Err(reason) => self.fail(reason),
            },
            RunStep::Replies => match problems.slack_ok("conversations.replies", reply) {
                Ok(r) => {
                    let messages = r.messages.as_deref().unwrap_or_default();
                    if slack::find_ping(messages, ctx.key()).is_some() {
                        if let Some(run) = self.run_mut() {
                            run.pinged_at_ms = now_ms;
                        }
                        self.request(ctx, RunStep::Permalink, None);
                    } else if self.next_slack_page(r.next_cursor()) {
                        self.request(ctx, RunStep::Replies, None);
                    } else {
                        let body = self.mention_message(ctx, ase, now_ms, intl);
                        self.request(ctx, RunStep::PostMention, body.map(Body::SlackPost));
                    }
                }
                Err(reason) => self.fail(reason),
            },
            RunStep::PostMention => match problems.slack_ok("chat.postMessage", reply) {
                Ok(_) => {
                    if let Some(run) = self.run_mut() {
                        run.pinged_at_ms = now_ms;
                    }
                    self.request(ctx, RunStep::Permalink, None);
                }
                Err(reason) => self.fail(reason),
            },
            RunStep::Permalink => match problems.slack_ok("chat.getPermalink", reply) {
                Ok(r) => match r.permalink.filter(|p| !p.trim().is_empty()) {
                    Some(permalink) => {
                        if let Some(run) = self.run_mut() {
                            run.permalink = permalink;
                        }
                        self.request(ctx, RunStep::Stamp, None);
                    }
                    None => self.fail(problems.decode(
                        Service::Slack("chat.getPermalink"),
                        "problems.detail.no_permalink",
                    )),
                },
                Err(reason) => self.fail(reason),
            },
            RunStep::Stamp => match reply {
                Ok(Reply::Ticket(TicketResponseDto { ticket })) => {
                    let body = self.note_update(ctx, ase, ticket.updated_at);
                    if let Some(run) = self.run_mut() {
                        run.note_attempts = run.note_attempts.saturating_add(1);
                    }
                    self.request(ctx, RunStep::PutNote, body.map(Body::TicketUpdate));
                }
                other => self.fail(problems.zendesk(other)),
            },
            RunStep::PutNote => match reply {
                Ok(Reply::Ticket(_)) => {
                    if let Some(record) = self.run_record(ctx, ase) {
                        self.state = State::Done(record);
                    }
                }
                Err(crate::core::request::Failure::Http { status: 409, .. }) => {
                    let attempts = self
                        .run_mut()
                        .map_or(MAX_NOTE_ATTEMPTS, |r| r.note_attempts);
                    if attempts < MAX_NOTE_ATTEMPTS {
                        self.request(ctx, RunStep::ConflictComments, None);
                    } else {
                        self.fail(Message::new(ctx.catalog.get("problems.zendesk.conflict")));
                    }
                }
                other => self.fail(problems.zendesk(other)),
            },
        }
    }

    /// The `chat.postMessage` arguments of the thread's root.
    fn root_message(&self, ctx: &Context, ase: Option<AseFacts<'_>>) -> Option<PostMessageDto> {
        let State::Running(run) = &self.state else {
            return None;
        };
        let facts = slack::RootFacts {
            subdomain: &ctx.subdomain,
            ticket_id: ctx.ticket.id,
            subject: ctx.ticket.subject.as_deref(),
            organization: ase.and_then(|a| a.organization),
            priority: ctx.ticket.priority.as_deref(),
        };
        Some(PostMessageDto {
            channel: ctx.settings.channel_id.clone(),
            text: slack::compose_root(&ctx.catalog, &facts),
            thread_ts: None,
            metadata: slack::metadata(ctx.key(), slack::ACTION_ROOT, &run.nonce),
            unfurl_links: false,
            unfurl_media: false,
        })
    }

    /// The `chat.postMessage` arguments of the mention, worded for the ASE's availability now.
    fn mention_message(
        &self,
        ctx: &Context,
        ase: Option<AseFacts<'_>>,
        now_ms: i64,
        intl: &dyn Intl,
    ) -> Option<PostMessageDto> {
        let State::Running(run) = &self.state else {
            return None;
        };
        let ase = ase?;
        let user = &ase.found.user;
        let inside_hours = user
            .tz
            .as_deref()
            .and_then(|name| {
                availability::availability(now_ms, name, &ctx.settings.working_hours, intl)
            })
            .is_some_and(|a| a.hours.is_inside());
        let facts = slack::PingFacts {
            ase_user_id: &user.id,
            subdomain: &ctx.subdomain,
            ticket_id: ctx.ticket.id,
            organization: ase.organization,
            pinged_by: &ctx.viewer.name,
            available: inside_hours && ase.found.presence == Presence::Active,
        };
        Some(PostMessageDto {
            channel: ctx.settings.channel_id.clone(),
            text: slack::compose_ping(&ctx.catalog, &facts),
            thread_ts: Some(run.root_ts.clone()),
            metadata: slack::metadata(ctx.key(), slack::ACTION_PING, &run.nonce),
            unfurl_links: false,
            unfurl_media: false,
        })
    }

    /// What the note records, from the current run.
    fn run_record(&self, ctx: &Context, ase: Option<AseFacts<'_>>) -> Option<PingRecord> {
        let State::Running(run) = &self.state else {
            return None;
        };
        Some(PingRecord {
            channel: ctx.settings.channel_id.clone(),
            thread_ts: run.root_ts.clone(),
            permalink: run.permalink.clone(),
            by: ctx.viewer.id,
            by_name: ctx.viewer.name.clone(),
            at_ms: run.pinged_at_ms,
            ase: ase?.found.user.id.clone(),
        })
    }

    fn note_update(
        &self,
        ctx: &Context,
        ase: Option<AseFacts<'_>>,
        updated_stamp: String,
    ) -> Option<TicketUpdateDto> {
        let record = self.run_record(ctx, ase)?;
        let name = ase_name(&ase?.found.user);
        let body = notes::format_ping_note(&ctx.catalog, &record, &name);
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

    // ---- The view ----

    /// The ping part of the sidebar at `now_ms`; `ase_known` shows the button once the ASE is
    /// found.
    pub fn view(&self, ctx: &Context, ase_known: bool, now_ms: i64, intl: &dyn Intl) -> PingView {
        let c = &ctx.catalog;
        match &self.state {
            State::Done(record) => {
                let zone = match intl.time(record.at_ms, &ctx.viewer_tz) {
                    Some(_) => ctx.viewer_tz.as_str(),
                    None => "UTC",
                };
                let by = if record.by_name.trim().is_empty() {
                    c.get("ui.ping.someone")
                } else {
                    record.by_name.clone()
                };
                let time = intl.time(record.at_ms, zone).unwrap_or_default();
                // A ping from another day (in the viewer's zone) says which day.
                let day = |ms: i64| {
                    let offset = intl.offset_minutes(zone, ms).unwrap_or(0);
                    (ms + i64::from(offset) * clock::MS_PER_MINUTE).div_euclid(clock::MS_PER_DAY)
                };
                // The date only when it differs (a formatter is built for it), on every redraw.
                let earlier = day(record.at_ms) != day(now_ms);
                let text = match earlier.then(|| intl.date(record.at_ms, zone)).flatten() {
                    Some(date) => c.render(
                        "ui.ping.done_earlier",
                        &[("name", &by), ("date", &date), ("time", &time)],
                    ),
                    None => c.render("ui.ping.done", &[("name", &by), ("time", &time)]),
                };
                PingView::Done {
                    text,
                    permalink: record.permalink.clone(),
                    link_label: c.get("ui.ping.open_thread"),
                }
            }
            State::Running(_) => PingView::InFlight {
                label: c.get("ui.ping.in_flight"),
            },
            State::Failed { reason } => PingView::Failed {
                message: Message {
                    text: c.render("ui.ping.failed", &[("reason", &reason.text)]),
                    detail: reason.detail.clone(),
                },
                retry_label: c.get("ui.ping.retry"),
            },
            State::Idle if ase_known => PingView::Ready {
                label: c.get("ui.ping.button"),
            },
            State::Checking | State::Idle => PingView::Hidden,
        }
    }
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
