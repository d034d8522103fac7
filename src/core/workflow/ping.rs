//! The ping (S1, S2, S3): one click creates the emergency's Slack thread (when the ticket has
//! none), mentions the ASE in it with wording that follows their availability, and records an
//! internal note with the thread link, who pinged and when.
//!
//! Invariants:
//! - Nothing is posted before this run holds the ticket's claim (`claim.rs`): two agents or
//!   tabs clicking together make one thread root, one mention and one note; the other shows
//!   the winner's progress and then its result.
//! - The ping reads before it writes (the claim, then the ticket notes, the channel and the
//!   thread), so a retry after any failure reuses what exists and never posts a second root or
//!   mention.
//! - A write whose answer is ambiguous (time-out, 5xx, broken connection) is never repeated
//!   before a read-back shows it did not land; a 429 is repeated after its `Retry-After`.
//! - Only one run at a time; clicks during a run are ignored, and answers to a superseded run
//!   are dropped.
//! - The note is written only after both Slack messages exist; it releases the claim.
use super::ase_lookup::{ase_name, slack_handle, FoundAse, Presence};
use super::{nonce, Context, Outbox};
use crate::core::availability;
use crate::core::claim::{self, Claim};
use crate::core::clock;
use crate::core::locale::Intl;
use crate::core::notes::{self, PingRecord};
use crate::core::problems::{self, Service};
use crate::core::request::{Body, Expect, Failure, Method, Outcome, Reply, Request};
use crate::core::slack::{self, PostMessageDto, SlackResponseDto};
use crate::core::view::{Message, PingView};
use crate::core::zendesk::{
    CommentInputDto, TicketDto, TicketResponseDto, TicketUpdateDto, TicketUpdateInnerDto,
};

/// How many times the claim's and the note's safe updates may meet a 409 before the ping fails.
const MAX_NOTE_ATTEMPTS: u8 = 3;

/// How many ambiguous write failures (read back each time) or 429 waits one run tolerates.
const MAX_RETRIES: u8 = 3;

/// How often an agent waiting for another agent's ping re-reads the ticket.
const WATCH_MS: i64 = 4_000;

/// How many further pages of channel history and thread replies one run reads (200 messages a
/// page, newest first) before it concludes the thread or the mention is not there.
const MAX_SLACK_PAGES: u8 = 25;

/// What a pending request of this workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The start-up read of the ticket's notes: was the ASE pinged before?
    StartComments,
    /// While another agent's claim holds: has it gone?
    Watch,
    /// Removing this agent's claim after a failure or a lost race (the answer is not needed).
    Release,
    /// A step of run number `.0`.
    Run(u32, RunStep),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStep {
    /// The ticket's stamp and tags: is another claim live?
    Ticket,
    /// The claim, a safe update adding this run's tag.
    Claim,
    /// Before the mention: is the ASE in the channel (Slack notifies members only)?
    Members,
    /// The ASE is not: invite them, so the mention reaches them.
    Invite,
    /// The ASE could not be invited: the bot's direct message with them (`conversations.open`),
    /// its history (was the thread link sent already?), and the message with the thread link.
    DmOpen,
    DmHistory,
    PostDm,
    /// a) Has someone pinged already (before our claim)?
    Comments,
    /// Our bot's ID (`auth.test`), once per page: only its messages count.
    Auth,
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

/// Whether the ASE is where the mention notifies them: Slack notifies channel members only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Member,
    /// Not a member: the app invited them before the mention.
    Invited,
    /// Not a member and not invited (a missing scope, say): the app sent a direct message with
    /// the thread's link.
    Messaged,
    /// Not a member, not invited, and no direct message (it failed, or is still to be tried):
    /// not notified.
    NotReached,
}

/// What the ping reads of the ASE lookup: the found ASE and the organization's name, if any
/// (Slack messages are English: they fall back to their own words, not the agent's).
#[derive(Debug, Clone, Copy)]
pub struct AseFacts<'a> {
    pub found: &'a FoundAse,
    pub organization: Option<&'a str>,
    /// The Slack root's words about the prep note planned now, if one is.
    pub prep: Option<&'a str>,
}

#[derive(Debug, Clone)]
enum State {
    /// The start-up read of the ticket's notes is pending.
    Checking,
    Idle,
    Running(Box<Run>),
    /// Another agent's (or tab's) claim holds; re-read at `watch_at`.
    Waiting {
        claim: Claim,
        watch_at: i64,
    },
    Failed {
        reason: Message,
        /// The failure was Slack's: the view offers the ping's text to post by hand.
        copy: bool,
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
    /// Whether the mention is in the thread (posted, or found there).
    mentioned: bool,
    /// The direct message with the ASE: their Slack user ID while `conversations.open` runs,
    /// then the conversation's ID.
    dm: String,
    /// Whether this run has tried the direct message.
    dm_tried: bool,
    /// This run's claim tag, and whether Zendesk's answer showed it won.
    claim: String,
    won: bool,
    /// The first read's `updated_at` (its tags are the ping's `tags`).
    stamp: String,
    /// Read-backs after ambiguous writes and 429 waits so far (see [`MAX_RETRIES`]).
    retries: u8,
    /// The last request, repeated at `resume_at` after a 429.
    last: Option<(Request, Step)>,
    resume_at: Option<i64>,
}

/// The ping of one emergency.
#[derive(Debug)]
pub struct Ping {
    state: State,
    runs: u32,
    /// The cursor of the next page of the comments read in progress: "already pinged?" is
    /// answered only after the last page.
    after: Option<String>,
    /// The ticket's tags as last read (at first, as ZAF showed them): live claims.
    tags: Vec<String>,
    /// Our Slack bot's ID, from `auth.test`.
    bot_id: String,
    /// Whether the mention reaches the ASE, once this page's run has looked.
    reach: Option<Reach>,
    out: Outbox<Step>,
}

impl Ping {
    /// Starts by reading the ticket's notes, to show an earlier ping.
    pub fn start(ctx: &Context) -> Ping {
        let mut ping = Ping {
            state: State::Checking,
            runs: 0,
            after: None,
            tags: ctx.ticket.tags.clone(),
            bot_id: String::new(),
            reach: None,
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
                copy: false,
            };
            return;
        }
        self.runs = self.runs.wrapping_add(1);
        let nonce = nonce(ctx, now_ms);
        let run = Run {
            number: self.runs,
            claim: claim::tag(now_ms, ctx.viewer.id, &nonce),
            nonce,
            root_ts: String::new(),
            pinged_at_ms: now_ms,
            permalink: String::new(),
            note_attempts: 0,
            slack_pages: 0,
            mentioned: false,
            dm: String::new(),
            dm_tried: false,
            won: false,
            stamp: String::new(),
            retries: 0,
            last: None,
            resume_at: None,
        };
        self.state = State::Running(Box::new(run));
        self.request(ctx, RunStep::Ticket, None);
    }

    /// Fails the next click with `reason` instead of running (a setting the ping needs is wrong).
    pub fn block(&mut self, reason: Message) {
        if matches!(self.state, State::Idle | State::Failed { .. }) {
            self.state = State::Failed {
                reason,
                copy: false,
            };
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
            Step::StartComments => self.on_start_comments(reply, ctx, now_ms),
            Step::Release => {}
            Step::Watch => {
                let waited = match &self.state {
                    State::Waiting { claim, .. } => Some(claim.tag.clone()),
                    State::Idle | State::Failed { .. } => None,
                    _ => return,
                };
                // A failed read keeps waiting for the claim seen last.
                if let Ok(Reply::Ticket(TicketResponseDto { ticket })) = reply {
                    self.tags = ticket.tags;
                } else if let Some(tag) = waited {
                    self.tags = vec![tag];
                } else {
                    return;
                }
                let tags = self.tags.clone();
                if !self.wait_for_other(ctx, &tags, now_ms) {
                    // No claim holds (the other agent finished or gave up): read the notes
                    // again. An idle or failed ping keeps its button meanwhile.
                    if matches!(self.state, State::Waiting { .. }) {
                        self.state = State::Checking;
                    }
                    self.after = None;
                    let url = ctx.comments_url(None);
                    let request = Request::zendesk(Method::Get, url, None, Expect::Comments);
                    self.out.push(request, Step::StartComments);
                }
            }
            Step::Run(number, step) => {
                let current = matches!(&self.state, State::Running(run) if run.number == number);
                if current {
                    self.on_run_step(step, reply, ctx, ase, now_ms, intl);
                }
            }
        }
    }

    /// Waits when another live claim than this run's is among `tags` (releasing this run's
    /// claim if it is there too: it lost); says whether it does.
    fn wait_for_other(&mut self, ctx: &Context, tags: &[String], now_ms: i64) -> bool {
        let mine = self.run_mut().map(|r| r.claim.clone()).unwrap_or_default();
        let Some(claim) = claim::other_live(tags, &mine, now_ms) else {
            return false;
        };
        if tags.contains(&mine) {
            self.release(ctx, mine);
        }
        let watch_at = now_ms + WATCH_MS;
        self.state = State::Waiting { claim, watch_at };
        true
    }

    /// Removes claim `tag` from the ticket (no safe update: only this tag changes).
    fn release(&mut self, ctx: &Context, tag: String) {
        let update = TicketUpdateInnerDto {
            remove_tags: vec![tag],
            ..TicketUpdateInnerDto::default()
        };
        let body = Body::TicketUpdate(TicketUpdateDto { ticket: update });
        let request = Request::zendesk(Method::Put, ctx.ticket_url(), Some(body), Expect::Ticket);
        self.out.push(request, Step::Release);
    }

    /// Reads the ticket's tags (the claims) for a waiting or re-reading ping.
    fn watch(&mut self, ctx: &Context) {
        let request = Request::zendesk(Method::Get, ctx.ticket_url(), None, Expect::Ticket);
        self.out.push(request, Step::Watch);
    }

    /// When the host must call [`Ping::tick`] next: a re-read while waiting, or each second of a
    /// `Retry-After` countdown.
    pub fn next_wake(&self, now_ms: i64) -> Option<i64> {
        match &self.state {
            // `i64::MAX`: the re-read is under way.
            State::Waiting { watch_at, .. } => Some(*watch_at).filter(|at| *at < i64::MAX),
            State::Running(run) => run
                .resume_at
                .map(|at| at.min(now_ms - now_ms.rem_euclid(1000) + 1000)),
            _ => None,
        }
    }

    /// The clock moved: re-read for a waiting agent, or repeat a rate-limited request.
    pub fn tick(&mut self, ctx: &Context, now_ms: i64) {
        match &mut self.state {
            State::Waiting { watch_at, .. } if *watch_at <= now_ms => {
                *watch_at = i64::MAX;
                self.watch(ctx);
            }
            State::Running(run) if run.resume_at.is_some_and(|at| at <= now_ms) => {
                run.resume_at = None;
                if let Some((request, step)) = run.last.clone() {
                    self.out.push(request, step);
                }
            }
            _ => {}
        }
    }

    /// Re-reads the shared state (the ticket's claims, then its notes) for an idle or failed
    /// ping: another agent may have pinged, or be pinging. The button stays meanwhile.
    pub fn refresh(&mut self, ctx: &Context) {
        if matches!(self.state, State::Idle | State::Failed { .. }) {
            self.watch(ctx);
        }
    }

    fn on_start_comments(&mut self, reply: Outcome, ctx: &Context, now_ms: i64) {
        // A re-read while idle or failed may still find another agent's ping.
        let checking = matches!(self.state, State::Checking);
        if !checking && !matches!(self.state, State::Idle | State::Failed { .. }) {
            return;
        }
        // A failed read only hides nothing: the ping itself re-reads the notes before writing.
        let page = match reply {
            Ok(Reply::Comments(page)) => page,
            _ => {
                if checking {
                    self.state = State::Idle;
                }
                return;
            }
        };
        if let Some(record) = notes::find_ping_record(&page, &ctx.settings.channel_id) {
            self.state = State::Done(record);
        } else if let Some(cursor) = page.next_cursor() {
            let url = ctx.comments_url(Some(cursor));
            let request = Request::zendesk(Method::Get, url, None, Expect::Comments);
            self.out.push(request, Step::StartComments);
        } else if checking {
            // Someone may be pinging right now (the tags read last).
            let tags = std::mem::take(&mut self.tags);
            if !self.wait_for_other(ctx, &tags, now_ms) {
                self.state = State::Idle;
            }
            self.tags = tags;
        }
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

    /// Ends the run with `reason`, releasing its claim if it won one.
    fn fail(&mut self, ctx: &Context, reason: Message) {
        // A Slack request (the secure ones) failed: Slack cannot be used now.
        let copy = self
            .run_mut()
            .and_then(|r| r.last.as_ref())
            .is_some_and(|(request, _)| request.secure);
        if let Some(run) = self.run_mut().filter(|r| r.won) {
            let tag = run.claim.clone();
            self.release(ctx, tag);
        }
        self.state = State::Failed { reason, copy };
    }

    /// Issues the request of `step` for the current run.
    fn request(&mut self, ctx: &Context, step: RunStep, body: Option<Body>) {
        let State::Running(run) = &self.state else {
            return;
        };
        let tag = Step::Run(run.number, step);
        let channel = ctx.settings.channel_id.as_str();
        let root_ts = run.root_ts.as_str();
        let ticket_url = ctx.ticket_url();
        let request = match step {
            RunStep::Ticket | RunStep::Stamp => {
                Request::zendesk(Method::Get, ticket_url, None, Expect::Ticket)
            }
            RunStep::Comments | RunStep::ConflictComments => {
                let url = ctx.comments_url(self.after.take().as_deref());
                Request::zendesk(Method::Get, url, None, Expect::Comments)
            }
            RunStep::History | RunStep::Replies | RunStep::DmHistory => {
                let after = self.after.take().unwrap_or_default();
                let mut query = vec![("channel", channel)];
                let method = match step {
                    RunStep::Replies => {
                        query.push(("ts", root_ts));
                        "conversations.replies"
                    }
                    RunStep::DmHistory => {
                        // The bot's DM with the ASE holds every ticket's: this ticket's is
                        // never older than its thread.
                        query[0].1 = &run.dm;
                        query.push(("oldest", root_ts));
                        "conversations.history"
                    }
                    _ => "conversations.history",
                };
                query.push(("limit", "200"));
                query.push(("include_all_metadata", "true"));
                if !after.is_empty() {
                    query.push(("cursor", after.as_str()));
                }
                let url = slack::method_url(method, &query);
                Request::slack(Method::Get, url, None)
            }
            RunStep::Auth => {
                Request::slack(Method::Post, slack::method_url("auth.test", &[]), None)
            }
            RunStep::Members => {
                let after = self.after.take().unwrap_or_default();
                let mut query = vec![("channel", channel), ("limit", "1000")];
                if !after.is_empty() {
                    query.push(("cursor", after.as_str()));
                }
                Request::slack(
                    Method::Get,
                    slack::method_url("conversations.members", &query),
                    None,
                )
            }
            RunStep::Invite => Request::slack(
                Method::Post,
                slack::method_url("conversations.invite", &[]),
                body,
            ),
            RunStep::DmOpen => {
                let url = slack::method_url("conversations.open", &[("users", &run.dm)]);
                Request::slack(Method::Post, url, None)
            }
            RunStep::PostRoot | RunStep::PostMention | RunStep::PostDm => Request::slack(
                Method::Post,
                slack::method_url("chat.postMessage", &[]),
                body,
            ),
            RunStep::Permalink => {
                let query = [("channel", channel), ("message_ts", root_ts)];
                let url = slack::method_url("chat.getPermalink", &query);
                Request::slack(Method::Get, url, None)
            }
            RunStep::Claim | RunStep::PutNote => {
                Request::zendesk(Method::Put, ticket_url, body, Expect::Ticket)
            }
        };
        if let Some(run) = self.run_mut() {
            run.last = Some((request.clone(), tag));
        }
        self.out.push(request, tag);
    }

    /// The safe update that claims the ping, removing claims that no longer hold.
    fn claim_update(&self, now_ms: i64) -> Option<Body> {
        let State::Running(run) = &self.state else {
            return None;
        };
        let update = TicketUpdateInnerDto {
            additional_tags: vec![run.claim.clone()],
            remove_tags: claim::stale(&self.tags, now_ms),
            safe_update: true,
            updated_stamp: run.stamp.clone(),
            ..TicketUpdateInnerDto::default()
        };
        Some(Body::TicketUpdate(TicketUpdateDto { ticket: update }))
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
        let bot_id = self.bot_id.clone();
        let Some(run) = self.run_mut() else {
            return;
        };
        let retry = run.retries < MAX_RETRIES;
        // A 429 was not processed: the same request goes again after its Retry-After.
        if let (
            Err(Failure::Http {
                status: 429,
                retry_after_s,
                ..
            }),
            true,
        ) = (&reply, retry)
        {
            run.retries += 1;
            let wait_s = i64::from(retry_after_s.unwrap_or(1).clamp(1, 120));
            run.resume_at = Some(now_ms + wait_s * 1000);
            return;
        }
        // The invitation decides only what the sidebar says: any answer leads to the mention
        // (`already_in_channel` is as good as an invitation).
        if step == RunStep::Invite {
            let invited = matches!(&reply, Ok(Reply::Slack(r))
                if r.ok || r.error.as_deref() == Some("already_in_channel"));
            self.reach = Some(if invited {
                Reach::Invited
            } else {
                Reach::NotReached
            });
            return self.next(ctx, ase, now_ms, intl);
        }
        // The direct message is a fallback: when it cannot be sent (or checked), the ping goes
        // on and says the ASE was not notified. A lost answer of the post itself is read back.
        let dm_step = matches!(step, RunStep::DmOpen | RunStep::DmHistory | RunStep::PostDm);
        let sent = matches!(&reply, Ok(Reply::Slack(r)) if r.ok);
        let read_dm_back = step == RunStep::PostDm && is_ambiguous(&reply) && retry;
        if dm_step && !sent && !read_dm_back {
            return self.next(ctx, ase, now_ms, intl);
        }
        // A write whose answer is ambiguous may have landed: read back before anything else.
        // After a 409 the ticket changed: read again (the claim) or look for the other writer's
        // note (the note).
        let conflict = matches!(reply, Err(Failure::Http { status: 409, .. }));
        let read_back = match step {
            RunStep::Claim => Some(RunStep::Ticket),
            RunStep::PostRoot => Some(RunStep::History),
            RunStep::PostMention => Some(RunStep::Replies),
            RunStep::PostDm => Some(RunStep::DmHistory),
            RunStep::PutNote => Some(RunStep::ConflictComments),
            _ => None,
        };
        if conflict {
            run.note_attempts = run.note_attempts.saturating_add(1);
        }
        let conflict_again = conflict && run.note_attempts < MAX_NOTE_ATTEMPTS;
        if let (Some(read), true) = (read_back, conflict_again || is_ambiguous(&reply) && retry) {
            if !conflict {
                run.retries += 1;
            }
            run.slack_pages = 0;
            return self.request(ctx, read, None);
        }
        // Every other failure ends the run with its cause in words.
        let method = match step {
            RunStep::History => Some("conversations.history"),
            RunStep::Auth => Some("auth.test"),
            RunStep::Members => Some("conversations.members"),
            RunStep::Replies => Some("conversations.replies"),
            RunStep::PostRoot | RunStep::PostMention => Some("chat.postMessage"),
            RunStep::Permalink => Some("chat.getPermalink"),
            _ => None,
        };
        let reply = match (method, reply) {
            (Some(method), reply) => problems.slack_ok(method, reply).map(Reply::Slack),
            (None, Ok(reply)) => Ok(reply),
            (None, Err(_)) if conflict && step == RunStep::PutNote => Err(Message::new(
                ctx.catalog.get(k!("problems.zendesk.conflict")),
            )),
            (None, failure) => Err(problems.zendesk(failure)),
        };
        let reply = match reply {
            Ok(reply) => reply,
            Err(reason) => return self.fail(ctx, reason),
        };
        // The owner of a claim stops posting before others may take it over.
        let late = now_ms - run.pinged_at_ms > claim::TTL_MS - claim::POST_MARGIN_MS;
        if late && matches!(step, RunStep::History | RunStep::Replies) {
            return self.fail(
                ctx,
                Message::new(ctx.catalog.get(k!("problems.ping.too_slow"))),
            );
        }
        // Too late to post the direct message (another agent may take the claim): a fallback,
        // it is left out, and the note is written.
        if late && step == RunStep::DmHistory {
            return self.next(ctx, ase, now_ms, intl);
        }
        match (step, reply) {
            (RunStep::Ticket, Reply::Ticket(TicketResponseDto { ticket })) => {
                let TicketDto {
                    updated_at, tags, ..
                } = ticket;
                run.stamp = updated_at;
                // Ours landed (its answer was lost) and none other holds: it won.
                run.won = tags.contains(&run.claim);
                let won = run.won;
                self.tags = tags.clone();
                if !self.wait_for_other(ctx, &tags, now_ms) {
                    if won {
                        self.request(ctx, RunStep::Comments, None);
                    } else {
                        let body = self.claim_update(now_ms);
                        self.request(ctx, RunStep::Claim, body);
                    }
                }
            }
            (RunStep::Claim, Reply::Ticket(TicketResponseDto { ticket })) => {
                // The answer holds every claim written before ours, none after.
                run.won = true;
                self.tags = ticket.tags;
                let tags = self.tags.clone();
                // Someone may have finished the ping just before the claim: read the notes.
                if !self.wait_for_other(ctx, &tags, now_ms) {
                    self.request(ctx, RunStep::Comments, None);
                }
            }
            (RunStep::Comments | RunStep::ConflictComments, Reply::Comments(page)) => {
                match notes::find_ping_record(&page, &ctx.settings.channel_id) {
                    Some(record) => {
                        // Pinged before our claim: give the claim back (our own note, found
                        // after a conflict, ended it already).
                        if step == RunStep::Comments {
                            let tag = run.claim.clone();
                            self.release(ctx, tag);
                        }
                        self.state = State::Done(record);
                    }
                    None => match page.next_cursor() {
                        Some(cursor) => {
                            self.after = Some(cursor.to_string());
                            self.request(ctx, step, None);
                        }
                        None if step == RunStep::Comments => {
                            let next = if self.bot_id.is_empty() {
                                RunStep::Auth
                            } else {
                                RunStep::History
                            };
                            self.request(ctx, next, None)
                        }
                        None => self.request(ctx, RunStep::Stamp, None),
                    },
                }
            }
            (RunStep::Auth, Reply::Slack(r)) => match r.bot_id.filter(|b| !b.trim().is_empty()) {
                Some(bot_id) => {
                    self.bot_id = bot_id;
                    self.request(ctx, RunStep::History, None);
                }
                None => self.fail(
                    ctx,
                    problems.decode(Service::Slack("auth.test"), k!("problems.detail.no_bot")),
                ),
            },
            (RunStep::History, Reply::Slack(r)) => {
                let messages = r.messages.as_deref().unwrap_or_default();
                match slack::find(messages, ctx.key(), slack::ACTION_ROOT, &bot_id) {
                    Some(root) => {
                        run.root_ts = root.ts.clone();
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
            (RunStep::PostRoot, Reply::Slack(r)) => match posted_ts(&r) {
                Some(ts) => {
                    run.root_ts = ts;
                    // A root posted a moment ago has no replies to reconcile with.
                    self.next(ctx, ase, now_ms, intl);
                }
                None => self.fail(
                    ctx,
                    problems.decode(
                        Service::Slack("chat.postMessage"),
                        k!("problems.detail.no_ts"),
                    ),
                ),
            },
            (RunStep::Replies, Reply::Slack(r)) => {
                let messages = r.messages.as_deref().unwrap_or_default();
                if slack::find(messages, ctx.key(), slack::ACTION_PING, &bot_id).is_some() {
                    run.mentioned = true;
                    self.next(ctx, ase, now_ms, intl);
                } else if self.next_slack_page(r.next_cursor()) {
                    self.request(ctx, RunStep::Replies, None);
                } else {
                    self.next(ctx, ase, now_ms, intl);
                }
            }
            (RunStep::Members, Reply::Slack(r)) => {
                let mentioned = run.mentioned;
                let member = ase.is_some_and(|a| {
                    let members = r.members.as_deref().unwrap_or_default();
                    members.contains(&a.found.user.id)
                });
                if member {
                    self.reach = Some(Reach::Member);
                    self.next(ctx, ase, now_ms, intl);
                } else if self.next_slack_page(r.next_cursor()) {
                    self.request(ctx, RunStep::Members, None);
                } else if mentioned {
                    // An earlier run's mention, found in the thread: it did not notify a
                    // non-member, and an invitation now would not either: a direct message.
                    self.reach = Some(Reach::NotReached);
                    self.next(ctx, ase, now_ms, intl);
                } else {
                    // Slack notifies channel members only: invite the ASE before the mention.
                    let invite = ase.map(|a| {
                        Body::SlackInvite(slack::InviteDto {
                            channel: ctx.settings.channel_id.clone(),
                            users: a.found.user.id.clone(),
                        })
                    });
                    self.request(ctx, RunStep::Invite, invite);
                }
            }
            (RunStep::PostMention, _) => {
                run.mentioned = true;
                self.next(ctx, ase, now_ms, intl);
            }
            (RunStep::Permalink, Reply::Slack(r)) => {
                match r.permalink.filter(|p| !p.trim().is_empty()) {
                    Some(permalink) => {
                        run.permalink = permalink;
                        self.next(ctx, ase, now_ms, intl);
                    }
                    None => self.fail(
                        ctx,
                        problems.decode(
                            Service::Slack("chat.getPermalink"),
                            k!("problems.detail.no_permalink"),
                        ),
                    ),
                }
            }
            (RunStep::DmOpen, Reply::Slack(r)) => match r.channel {
                Some(id) => {
                    run.dm = id;
                    // The DM's pages have their own budget.
                    run.slack_pages = 0;
                    self.request(ctx, RunStep::DmHistory, None);
                }
                None => self.next(ctx, ase, now_ms, intl),
            },
            (RunStep::DmHistory, Reply::Slack(r)) => {
                let dm = run.dm.clone();
                let messages = r.messages.as_deref().unwrap_or_default();
                if slack::find(messages, ctx.key(), slack::ACTION_DM, &bot_id).is_some() {
                    self.reach = Some(Reach::Messaged);
                    self.next(ctx, ase, now_ms, intl);
                } else if self.next_slack_page(r.next_cursor()) {
                    self.request(ctx, RunStep::DmHistory, None);
                } else {
                    let body = self.mention_message(ctx, ase, now_ms, intl, Some(&dm));
                    self.request(ctx, RunStep::PostDm, body.map(Body::SlackPost));
                }
            }
            (RunStep::PostDm, _) => {
                self.reach = Some(Reach::Messaged);
                self.next(ctx, ase, now_ms, intl);
            }
            (RunStep::Stamp, Reply::Ticket(TicketResponseDto { ticket })) => {
                let body = self.note_update(ctx, ase, ticket.updated_at);
                self.request(ctx, RunStep::PutNote, body.map(Body::TicketUpdate));
            }
            (RunStep::PutNote, Reply::Ticket(_)) => {
                if let Some(record) = self.run_record(ctx, ase) {
                    self.state = State::Done(record);
                }
            }
            (_, other) => self.fail(ctx, problems.zendesk(Ok(other))),
        }
    }

    /// The `chat.postMessage` arguments of the thread's root.
    fn root_message(&self, ctx: &Context, ase: Option<AseFacts<'_>>) -> Option<PostMessageDto> {
        let State::Running(run) = &self.state else {
            return None;
        };
        Some(PostMessageDto {
            channel: ctx.settings.channel_id.clone(),
            text: root_text(ctx, ase),
            thread_ts: None,
            metadata: slack::metadata(ctx.key(), slack::ACTION_ROOT, &run.nonce),
            unfurl_links: false,
            unfurl_media: false,
        })
    }

    /// Issues what the run needs next once the thread's root exists: whether the ASE is in the
    /// channel (once per page), the mention, the thread's permalink, a direct message to an ASE
    /// the mention does not reach (once per run), then the note's fresh stamp.
    fn next(&mut self, ctx: &Context, ase: Option<AseFacts<'_>>, now_ms: i64, intl: &dyn Intl) {
        let reach = self.reach;
        let Some(run) = self.run_mut() else {
            return;
        };
        let step = if reach.is_none() {
            RunStep::Members
        } else if !run.mentioned {
            let body = self.mention_message(ctx, ase, now_ms, intl, None);
            return self.request(ctx, RunStep::PostMention, body.map(Body::SlackPost));
        } else if run.permalink.is_empty() {
            RunStep::Permalink
        } else if reach == Some(Reach::NotReached) && !run.dm_tried {
            run.dm_tried = true;
            run.dm = ase.map(|a| a.found.user.id.clone()).unwrap_or_default();
            RunStep::DmOpen
        } else {
            RunStep::Stamp
        };
        self.request(ctx, step, None);
    }

    /// The `chat.postMessage` arguments of the mention, worded for the ASE's availability now;
    /// with `dm` (the direct message's ID), of the direct message with the thread's link.
    fn mention_message(
        &self,
        ctx: &Context,
        ase: Option<AseFacts<'_>>,
        now_ms: i64,
        intl: &dyn Intl,
        dm: Option<&str>,
    ) -> Option<PostMessageDto> {
        let State::Running(run) = &self.state else {
            return None;
        };
        let thread = dm.map(|_| run.permalink.as_str());
        let (channel, thread_ts, action) = match dm {
            Some(id) => (id.to_string(), None, slack::ACTION_DM),
            None => (
                ctx.settings.channel_id.clone(),
                Some(run.root_ts.clone()),
                slack::ACTION_PING,
            ),
        };
        Some(PostMessageDto {
            channel,
            text: mention_text(ctx, ase?, now_ms, intl, thread),
            thread_ts,
            metadata: slack::metadata(ctx.key(), action, &run.nonce),
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
        let claim = match &self.state {
            State::Running(run) => run.claim.clone(),
            _ => String::new(),
        };
        Some(TicketUpdateDto {
            ticket: TicketUpdateInnerDto {
                comment: Some(CommentInputDto {
                    body,
                    public: false,
                }),
                // The note ends the claim in the same update.
                remove_tags: vec![claim],
                safe_update: true,
                updated_stamp,
                ..TicketUpdateInnerDto::default()
            },
        })
    }

    // ---- The view ----

    /// The ping part of the sidebar at `now_ms`; `ase_known` shows the button once the ASE is
    /// found.
    pub fn view(
        &self,
        ctx: &Context,
        ase: Option<AseFacts<'_>>,
        now_ms: i64,
        intl: &dyn Intl,
    ) -> PingView {
        let ase_known = ase.is_some();
        let c = &ctx.catalog;
        match &self.state {
            State::Done(record) => {
                let zone = match intl.time(record.at_ms, &ctx.viewer_tz) {
                    Some(_) => ctx.viewer_tz.as_str(),
                    None => "UTC",
                };
                let by = if record.by_name.trim().is_empty() {
                    c.get(k!("ui.ping.someone"))
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
                        k!("ui.ping.done_earlier"),
                        &[("name", &by), ("date", &date), ("time", &time)],
                    ),
                    None => c.render(k!("ui.ping.done"), &[("name", &by), ("time", &time)]),
                };
                // Whether the mention reaches the ASE, when this page's run looked.
                let key = match self.reach {
                    Some(Reach::Invited) => Some(k!("ui.ping.invited")),
                    Some(Reach::Messaged) => Some(k!("ui.ping.messaged")),
                    Some(Reach::NotReached) => Some(k!("ui.ping.not_reached")),
                    _ => None,
                };
                let text = match ase.zip(key) {
                    Some((a, key)) => {
                        let name = ase_name(&a.found.user);
                        format!("{text} · {}", c.render(key, &[("name", &name)]))
                    }
                    None => text,
                };
                PingView::Done {
                    text,
                    permalink: record.permalink.clone(),
                    link_label: c.get(k!("ui.ping.open_thread")),
                }
            }
            State::Running(run) => PingView::InFlight {
                label: match run.resume_at {
                    // Rate-limited: a countdown to the repeat.
                    Some(at) => {
                        let secs = (at - now_ms + 999).div_euclid(1000).max(0);
                        let count = intl.number(secs);
                        c.render_plural(
                            pk!("ui.ping.retry_in"),
                            intl.plural(secs),
                            &[("count", &count)],
                        )
                    }
                    None => c.get(k!("ui.ping.in_flight")),
                },
            },
            State::Waiting { claim, .. } => {
                let time = intl.time(claim.at_ms, &ctx.viewer_tz).unwrap_or_default();
                let key = if claim.agent == ctx.viewer.id {
                    k!("ui.ping.waiting_self")
                } else {
                    k!("ui.ping.waiting")
                };
                PingView::InFlight {
                    label: c.render(key, &[("time", &time)]),
                }
            }
            State::Failed { reason, copy } => PingView::Failed {
                message: Message {
                    text: c.render(k!("ui.ping.failed"), &[("reason", &reason.text)]),
                    detail: reason.detail.clone(),
                },
                retry_label: c.get(k!("ui.ping.retry")),
                // Degraded mode: the thread's root and the mention, to post by hand.
                copy: ase.filter(|_| *copy).map(|a| {
                    let handle = slack_handle(&a.found.user);
                    let root = slack::plain_text(&root_text(ctx, Some(a)), &handle);
                    let mention = mention_text(ctx, a, now_ms, intl, None);
                    let text = format!("{root}\n\n{}", slack::plain_text(&mention, &handle));
                    (c.get(k!("ui.ping.copy")), text)
                }),
            },
            State::Idle if ase_known => PingView::Ready {
                label: c.get(k!("ui.ping.button")),
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

/// The mention's text, worded for the ASE's availability at `now_ms`; with `thread` (its
/// permalink), the direct message's.
fn mention_text(
    ctx: &Context,
    ase: AseFacts<'_>,
    now_ms: i64,
    intl: &dyn Intl,
    thread: Option<&str>,
) -> String {
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
        available: inside_hours
            && ase.found.presence == Presence::Active
            && ase.found.dnd_until(now_ms).is_none(),
    };
    slack::compose_ping(&ctx.catalog, &facts, thread)
}

/// The root's text for this ticket as it is now.
fn root_text(ctx: &Context, ase: Option<AseFacts<'_>>) -> String {
    let facts = slack::RootFacts {
        subdomain: &ctx.subdomain,
        ticket_id: ctx.ticket.id,
        subject: ctx.ticket.subject.as_deref(),
        organization: ase.and_then(|a| a.organization),
        priority: ctx.ticket.priority.as_deref(),
        prep: ase.and_then(|a| a.prep),
    };
    slack::compose_root(&ctx.catalog, &facts)
}

/// Whether a failed request may still have taken effect: no answer in time, a broken
/// connection, or a server error (the server may have failed after the write).
fn is_ambiguous(reply: &Outcome) -> bool {
    matches!(
        reply,
        Err(Failure::Timeout { .. } | Failure::Transport { .. })
            | Err(Failure::Http {
                status: 500..=599,
                ..
            })
    )
}
