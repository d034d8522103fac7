//! The sidebar: the router of the workflows (quinn's `Endpoint` shape). Inputs arrive through
//! `handle_*`, requests leave through `poll_request`, and `view` composes what to show. No I/O,
//! no clock.
//!
//! It owns detection (D1) and the no-request rule for ordinary tickets (D2); every other part
//! of the emergency is a workflow in [`super::workflow`]: the sidebar tags each request with the
//! workflow that issued it, routes the answer back to that workflow, and hands each workflow
//! the small values it needs of the others.
//!
//! Invariants:
//! - A ticket that is not an emergency never produces a [`Request`], except the prep-note
//!   form's save (and its read-back), which the agent asks for.
//! - An answer reaches only the workflow that asked; unknown ids are ignored.
//! - Every word shown comes from the [`Catalog`]; every value from Zendesk or Slack is untrusted
//!   and handled without a panic.
use super::ase::ViewerRole;
use super::detection::{self, MatchReason, TicketFacts};
use super::locale::Intl;
use super::prep::Draft;
use super::problems;
use super::settings;
use super::text::Catalog;
use super::view::{EmergencyView, FollowUpView, Message, Phase, View};
use super::workflow::ase_lookup::{self, AseLookup};
use super::workflow::composer::{self, Ask, Composer};
use super::workflow::context::{self, AccountContext};
use super::workflow::ping::{self, AseFacts, Ping};
use super::workflow::prep_notes::{self, PrepNotes};
use super::workflow::{Context, TicketInfo};
use super::zendesk::{ZafTicketDto, ZafUserDto};

pub use super::request::{Body, Expect, Failure, Method, Outcome, Reply, Request, RequestId};

/// Everything the host reads once at start-up, decoded from ZAF.
#[derive(Debug, Clone)]
pub struct Boot {
    /// `metadata.settings`, as ZAF delivers them (secure settings are absent).
    pub settings: super::settings::RawSettings,
    pub ticket: ZafTicketDto,
    /// Value of the configured custom field, when the emergency field rule is set
    /// (`ticket.customField:custom_field_<id>`, stringified: checkbox → "true"/"false").
    pub custom_field_value: Option<String>,
    /// The ticket's organization's ASE field as ZAF gives it
    /// (`ticket.organization.customField:<ase_org_field>`): the prep-note form shows when it
    /// holds something.
    pub ase_field_value: Option<String>,
    pub current_user: ZafUserDto,
    /// `currentUser.locale` (`de`, `pt-BR`), or English when the agent's strings could not be
    /// loaded; the host formats dates and numbers for it.
    pub locale: String,
    /// `currentAccount.subdomain`, for ticket links.
    pub subdomain: String,
    /// IANA name of the viewer's timezone (from the browser), for "Pinged at" times.
    pub viewer_tz: String,
    /// A random number from the host, so two tabs of one agent claim with different nonces.
    pub seed: u64,
    pub catalog: Catalog,
}

/// What the person clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ping,
    Retry,
    /// Retry of the ASE lookup (the ASE card's button).
    RetryLookup,
    /// The ASE's follow-up to the customer (C2): the button was clicked (the core hands the
    /// draft to the host, [`Sidebar::take_draft`]), then the draft is in the reply editor
    /// (`true`) or the editor refused it.
    FollowUp,
    FollowedUp(bool),
}

/// Where the ASE's follow-up draft (C2) is: on its way to the reply editor, or there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FollowUp {
    Sending,
    Drafted,
}

/// Which workflow a pending request belongs to, with that workflow's own tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// A read of the ASE lookup, or of the prep-notes finder, started for the `.0`-th
    /// organization: an organization change starts both again, and the old ones' late answers
    /// are dropped (they would show the previous organization's ASE or notes).
    Ase(u32, ase_lookup::Step),
    Context(context::Step),
    Ping(ping::Step),
    Prep(u32, prep_notes::Step),
    Compose(composer::Step),
}

/// The workflows of an emergency; absent on any other ticket.
#[derive(Debug)]
struct Workflows {
    ase: AseLookup,
    /// The account's context; its field titles are the account's, so it outlives an
    /// organization change.
    context: AccountContext,
    ping: Ping,
    /// The prep notes of the ticket's organization (N2); they start over with a new one.
    prep: PrepNotes,
    /// The ASE's follow-up draft, once its button was clicked on this page (`None` again when
    /// the editor refused it: the button is back). It outlives an organization change.
    follow_up: Option<FollowUp>,
}

/// The sidebar of one ticket for one agent.
#[derive(Debug)]
pub struct Sidebar {
    ctx: Context,
    /// Rendered setting problems, with the setting each one names.
    problems: Vec<(&'static str, Message)>,
    phase: Phase,
    reasons: Vec<MatchReason>,
    flows: Option<Workflows>,
    next_id: RequestId,
    /// Requests the workflows issued, in the order issued, not yet handed to the host.
    queue: Vec<Request>,
    /// Requests handed to the host and not yet answered.
    pending: Vec<(RequestId, Route)>,
    /// When the shared state was last re-read for [`Sidebar::refresh`], and when a re-read
    /// asked for too soon after it is due.
    refreshed_at: i64,
    refresh_due: Option<i64>,
    /// When the sidebar started: the prep-notes search looks back from it.
    started_ms: i64,
    /// The prep-note form (N3), on a ticket of an organization with an ASE, emergency or not.
    composer: Option<Composer>,
    /// How many ASE lookups and prep-note finders have started: one each per organization (see
    /// [`Route::Ase`]).
    org_runs: u32,
    /// The ASE's follow-up draft, for the host to put into the reply editor (taken once).
    draft: Option<String>,
}

/// The least time between two re-reads of the shared state on activation or a save.
const REFRESH_MS: i64 = 10_000;

impl Sidebar {
    /// Parses the settings and detects the emergency. An emergency starts its workflows (which
    /// queue their start-up reads); anything else queues nothing, now or later.
    pub fn new(boot: Boot, now_ms: i64, intl: &dyn Intl) -> Sidebar {
        let catalog = boot.catalog;
        let (settings, setting_problems) = settings::parse_settings(&boot.settings);
        let mut problems: Vec<(&'static str, Message)> = Vec::new();
        for p in &setting_problems {
            let text = problems::setting_problem(&catalog, p);
            problems.push((problems::problem_setting(p), Message::new(text)));
        }
        if settings.rules.is_empty() {
            let text = problems::no_rules(&catalog, intl);
            problems.push(("emergency_priorities", Message::new(text)));
        }
        let ctx = Context {
            catalog,
            settings,
            ticket: TicketInfo::from_zaf(&boot.ticket),
            viewer: boot.current_user,
            subdomain: boot.subdomain,
            viewer_tz: boot.viewer_tz,
            seed: boot.seed,
        };
        let mut sidebar = Sidebar {
            ctx,
            problems,
            phase: Phase::Loading,
            reasons: Vec::new(),
            flows: None,
            next_id: 1,
            queue: Vec::new(),
            pending: Vec::new(),
            // The start-up reads are the first look at the shared state.
            refreshed_at: now_ms,
            refresh_due: None,
            started_ms: now_ms,
            composer: None,
            org_runs: 0,
            draft: None,
        };
        sidebar.detect(&boot.ticket, boot.custom_field_value.as_deref(), intl);
        sidebar.ase_field(boot.ase_field_value.as_deref());
        sidebar
    }

    /// Detection on `ticket` as the agent's browser shows it now: an emergency starts its
    /// workflows (once: they live on if the ticket stops being one, and are shown again when it
    /// is one again); anything else queues nothing.
    fn detect(&mut self, ticket: &ZafTicketDto, field_value: Option<&str>, intl: &dyn Intl) {
        let facts = TicketFacts {
            priority: ticket.priority.as_deref(),
            tags: &ticket.tags,
            form_id: ticket.form.as_ref().and_then(|f| f.id),
            subject: ticket.subject.as_deref().unwrap_or(""),
            field_value,
        };
        self.reasons = detection::detect(&self.ctx.settings.rules, &facts, intl);
        self.phase = if !self.reasons.is_empty() {
            Phase::Emergency
        } else if !self.problems.is_empty() {
            Phase::Misconfigured
        } else {
            Phase::NotEmergency
        };
        // The Slack root names the subject and priority as they are now.
        let info = TicketInfo::from_zaf(ticket);
        let org_changed = info.organization.as_ref().map(|o| o.0)
            != self.ctx.ticket.organization.as_ref().map(|o| o.0);
        self.ctx.ticket = TicketInfo {
            id: self.ctx.ticket.id,
            ..info
        };
        if self.phase == Phase::Emergency && (self.flows.is_none() || org_changed) {
            // A new organization means another ASE: the lookup starts over (a ping under way
            // keeps its run).
            let (context, ping, follow_up) = match self.flows.take() {
                Some(flows) => (flows.context, flows.ping, flows.follow_up),
                None => (
                    AccountContext::start(&self.ctx),
                    Ping::start(&self.ctx),
                    None,
                ),
            };
            self.org_runs += 1;
            let settings = &self.ctx.settings;
            let prep = PrepNotes::start(
                &self.ctx,
                &settings.prep_tag,
                settings.prep_lookback_days,
                self.started_ms,
            );
            self.flows = Some(Workflows {
                ase: AseLookup::start(&self.ctx),
                context,
                ping,
                prep,
                follow_up,
            });
        }
        self.collect();
    }

    /// The ticket changed in the agent's browser (ZAF's `ticket.*.changed`): priority, tags,
    /// form, subject or the custom field. A ticket set to urgent while open becomes an
    /// emergency; one set back collapses.
    pub fn ticket_changed(
        &mut self,
        ticket: ZafTicketDto,
        custom_field_value: Option<String>,
        ase_field_value: Option<String>,
        intl: &dyn Intl,
    ) {
        self.detect(&ticket, custom_field_value.as_deref(), intl);
        self.ase_field(ase_field_value.as_deref());
    }

    /// The form is there while the organization has an ASE (a form with a save under way or a
    /// draft's words stays: the host keeps the words, the core its save).
    fn ase_field(&mut self, value: Option<&str>) {
        let has_ase = value.is_some_and(|v| !v.trim().is_empty());
        if has_ase && self.composer.is_none() {
            self.composer = Some(Composer::default());
        }
    }

    /// Preview, Save or Check of the prep-note form's `draft`, with the nonce the host kept.
    pub fn compose(
        &mut self,
        ask: Ask,
        draft: &Draft,
        kept: Option<String>,
        now_ms: i64,
        intl: &dyn Intl,
    ) {
        if let Some(composer) = &mut self.composer {
            composer.ask(ask, draft, kept, &self.ctx, now_ms, intl);
        }
        self.collect();
    }

    /// The app was activated or someone saved the ticket: on an emergency, re-read the shared
    /// state (a ping or claim by another agent), at most once per [`REFRESH_MS`]: a request
    /// within that time is done when it is over (one re-read for a burst).
    pub fn refresh(&mut self, now_ms: i64) {
        if self.phase != Phase::Emergency {
            return;
        }
        let next = self.refreshed_at.saturating_add(REFRESH_MS);
        if now_ms < next {
            self.refresh_due = Some(next);
            return;
        }
        self.refresh_due = None;
        if let Some(flows) = &mut self.flows {
            self.refreshed_at = now_ms;
            flows.ping.refresh(&self.ctx);
        }
        self.collect();
    }

    /// The answer to request `id`, routed to the workflow that asked. Unknown ids are ignored.
    pub fn handle_reply(&mut self, id: RequestId, reply: Outcome, now_ms: i64, intl: &dyn Intl) {
        let Some(index) = self.pending.iter().position(|(p, _)| *p == id) else {
            return;
        };
        let (_, route) = self.pending.swap_remove(index);
        if let (Route::Compose(step), Some(composer)) = (route, &mut self.composer) {
            composer.handle_reply(step, reply, &self.ctx, intl);
            return self.collect();
        }
        let Some(flows) = &mut self.flows else {
            return;
        };
        let ctx = &self.ctx;
        match route {
            Route::Ase(run, step) if run == self.org_runs => {
                flows.ase.handle_reply(step, reply, ctx, now_ms, intl)
            }
            Route::Ase(..) => {}
            Route::Context(_) => flows.context.handle_reply(reply),
            Route::Prep(run, step) if run == self.org_runs => {
                flows.prep.handle_reply(step, reply, ctx)
            }
            Route::Prep(..) => {}
            Route::Compose(_) => {}
            Route::Ping(step) => {
                let organization = flows.ase.organization_name(ctx);
                let prep = flows
                    .prep
                    .slack_summary(ctx, &ase_zone(&flows.ase), now_ms, intl);
                let ase = ase_facts(&flows.ase, organization.as_deref(), prep.as_deref());
                flows.ping.handle_reply(step, reply, ctx, ase, now_ms, intl);
            }
        }
        self.collect();
    }

    /// A click. `Ping` and `Retry` start a ping run when none is running, the ASE is known and
    /// no ping is recorded; otherwise they do nothing.
    pub fn handle_action(&mut self, action: Action, now_ms: i64, intl: &dyn Intl) {
        let Some(flows) = &mut self.flows else {
            return;
        };
        match action {
            Action::RetryLookup => flows.ase.retry(&self.ctx),
            // One draft: a click while it is on its way or once it is there does nothing, and
            // only the outcome of the one on its way counts.
            Action::FollowUp if flows.follow_up.is_none() => {
                if let Some(name) = follow_up_name(flows, &self.ctx, intl) {
                    let id = super::text::digits(self.ctx.ticket.id, 0);
                    let args = [("name", name), ("id", id.as_str())];
                    self.draft = Some(self.ctx.catalog.render(k!("ui.follow_up.draft"), &args));
                    flows.follow_up = Some(FollowUp::Sending);
                }
            }
            Action::FollowedUp(took) if flows.follow_up == Some(FollowUp::Sending) => {
                flows.follow_up = took.then_some(FollowUp::Drafted)
            }
            Action::FollowUp | Action::FollowedUp(_) => {}
            Action::Ping | Action::Retry => {
                let organization = flows.ase.organization_name(&self.ctx);
                let zone = ase_zone(&flows.ase);
                let prep = flows.prep.slack_summary(&self.ctx, &zone, now_ms, intl);
                let Some(ase) = ase_facts(&flows.ase, organization.as_deref(), prep.as_deref())
                    .filter(|_| pings(&flows.ase, &self.ctx, intl))
                else {
                    return;
                };
                // A wrong channel setting fails the click with the setting's own problem.
                match self.problems.iter().find(|(s, _)| *s == "slack_channel_id") {
                    Some((_, text)) => flows.ping.block(text.clone()),
                    None => flows.ping.handle_click(&self.ctx, Some(ase), now_ms),
                }
            }
        }
        self.collect();
    }

    /// When the host must call [`Sidebar::tick`] next, if at all (a wait with a countdown, or a
    /// re-read while another agent pings).
    pub fn next_wake(&self, now_ms: i64) -> Option<i64> {
        let flows = self.flows.as_ref()?;
        let wakes = [
            flows.ping.next_wake(now_ms),
            flows.ase.next_wake(),
            self.refresh_due,
        ];
        wakes.into_iter().flatten().min()
    }

    /// The clock reached a wake-up time.
    pub fn tick(&mut self, now_ms: i64) {
        if self.refresh_due.is_some_and(|at| at <= now_ms) {
            self.refresh(now_ms);
        }
        if let Some(flows) = &mut self.flows {
            flows.ping.tick(&self.ctx, now_ms);
            flows.ase.tick(&self.ctx, now_ms);
        }
        self.collect();
    }

    /// The next request for the host to perform, in the order the workflows issued them.
    pub fn poll_request(&mut self) -> Option<Request> {
        (!self.queue.is_empty()).then(|| self.queue.remove(0))
    }

    /// Moves what the workflows issued during the last input into the queue, tagging each
    /// request with a fresh id and the workflow its answer must go back to.
    fn collect(&mut self) {
        loop {
            let composed = self.composer.as_mut().and_then(Composer::poll_request);
            let Some(flows) = self.flows.as_mut() else {
                let Some((request, step)) = composed else {
                    return;
                };
                self.issue(request, Route::Compose(step));
                continue;
            };
            let (request, route) = if let Some((r, step)) = composed {
                (r, Route::Compose(step))
            } else if let Some((r, step)) = flows.ase.poll_request() {
                (r, Route::Ase(self.org_runs, step))
            } else if let Some((r, step)) = flows.context.poll_request() {
                (r, Route::Context(step))
            } else if let Some((r, step)) = flows.ping.poll_request() {
                (r, Route::Ping(step))
            } else if let Some((r, step)) = flows.prep.poll_request() {
                (r, Route::Prep(self.org_runs, step))
            } else {
                return;
            };
            self.issue(request, route);
        }
    }

    /// The follow-up draft a click asked for, once: the host puts it into the reply editor
    /// (unless it is there already) and reports back with `Action::FollowedUp`.
    pub fn take_draft(&mut self) -> Option<String> {
        self.draft.take()
    }

    /// Queues `request` with a fresh id, remembering where its answer goes.
    fn issue(&mut self, mut request: Request, route: Route) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        request.id = id;
        self.pending.push((id, route));
        self.queue.push(request);
    }

    /// What to show at `now_ms`; times and countdowns are derived here, never stored.
    pub fn view(&self, now_ms: i64, intl: &dyn Intl) -> View {
        let c = &self.ctx.catalog;
        let headline = c.get(match self.phase {
            Phase::Loading => k!("ui.headline.loading"),
            Phase::NotEmergency => k!("ui.headline.not_emergency"),
            Phase::Emergency => k!("ui.headline.emergency"),
            Phase::Misconfigured => k!("ui.headline.misconfigured"),
        });
        let flows = self
            .flows
            .as_ref()
            .filter(|_| self.phase == Phase::Emergency);
        let emergency = flows.map(|flows| EmergencyView {
            reasons: {
                let mut reasons = Vec::new();
                for reason in &self.reasons {
                    reasons.push(reason_text(c, reason));
                }
                reasons
            },
            ase: flows.ase.view(&self.ctx, now_ms, intl),
            ase_retry: flows.ase.retry_label(&self.ctx),
            viewer_role: flows.ase.viewer_role_text(&self.ctx, intl),
            follow_up: follow_up_view(flows, &self.ctx, intl),
            ping: {
                let organization = flows.ase.organization_name(&self.ctx);
                let zone = ase_zone(&flows.ase);
                let prep = flows.prep.slack_summary(&self.ctx, &zone, now_ms, intl);
                let ase = ase_facts(&flows.ase, organization.as_deref(), prep.as_deref())
                    .filter(|_| pings(&flows.ase, &self.ctx, intl));
                flows.ping.view(&self.ctx, ase, now_ms, intl)
            },
            context: flows.context.view(&self.ctx, flows.ase.organization()),
            prep: flows
                .prep
                .view(&self.ctx, &ase_zone(&flows.ase), now_ms, intl),
        });
        let mut problems = Vec::new();
        for (_, problem) in &self.problems {
            problems.push(problem.clone());
        }
        View {
            phase: self.phase,
            details_label: c.get(k!("ui.details")),
            headline,
            problems,
            emergency,
            collapsed: self.phase == Phase::NotEmergency
                && self.ctx.settings.hide_when_not_emergency,
            composer: self.composer.as_ref().map(|composer| {
                // A new draft's window is in the ASE's time: Slack's, else the viewer's (an
                // ASE writes their own notes).
                let zone = self
                    .flows
                    .as_ref()
                    .and_then(|f| f.ase.settled())
                    .and_then(|found| found.user.tz.clone())
                    .unwrap_or_else(|| self.ctx.viewer_tz.clone());
                composer.view(&self.ctx, &zone)
            }),
        }
    }
}

/// The ASE lookup's result as the ping reads it.
fn ase_facts<'a>(
    lookup: &'a AseLookup,
    organization: Option<&'a str>,
    prep: Option<&'a str>,
) -> Option<AseFacts<'a>> {
    Some(AseFacts {
        found: lookup.settled()?,
        organization,
        prep,
    })
}

/// Whether the viewer may ping the ASE: not when they are the ASE (and not the DRI), who is
/// the one pinged, so no "Ping ASE" button offers them to ping themselves.
fn pings(lookup: &AseLookup, ctx: &Context, intl: &dyn Intl) -> bool {
    lookup.viewer_role(ctx, intl) != ViewerRole::Ase
}

/// The name the ASE's follow-up draft signs with (their alias, which customers see, else their
/// name), when the viewer is the ASE (once the organization is read) and has one.
fn follow_up_name<'a>(flows: &Workflows, ctx: &'a Context, intl: &dyn Intl) -> Option<&'a str> {
    let role = flows.ase.viewer_role(ctx, intl);
    let viewer = &ctx.viewer;
    let alias = viewer
        .alias
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    Some(alias.unwrap_or(viewer.name.trim()))
        .filter(|name| !name.is_empty())
        .filter(|_| matches!(role, ViewerRole::Ase | ViewerRole::AseAndDri))
}

/// The follow-up to the customer (C2), for the ASE only: a button that has the core hand a
/// customer-facing draft to the host for the reply editor (never sent by the app; it names
/// only the ASE and the ticket, so no internal text), busy while it goes, then that it is
/// there.
fn follow_up_view(flows: &Workflows, ctx: &Context, intl: &dyn Intl) -> Option<FollowUpView> {
    follow_up_name(flows, ctx, intl)?;
    let c = &ctx.catalog;
    let done = flows.follow_up == Some(FollowUp::Drafted);
    Some(FollowUpView {
        label: c.get(match done {
            true => k!("ui.follow_up.drafted"),
            false => k!("ui.follow_up.button"),
        }),
        busy: flows.follow_up == Some(FollowUp::Sending),
        done,
    })
}

/// The ASE's timezone (Slack's `tz`), for prep-note windows written without one; UTC until
/// the ASE is known.
fn ase_zone(lookup: &AseLookup) -> String {
    lookup
        .settled()
        .and_then(|found| found.user.tz.clone())
        .unwrap_or_else(|| "UTC".to_string())
}

fn reason_text(c: &Catalog, reason: &MatchReason) -> String {
    match reason {
        MatchReason::Priority(priority) => {
            // Zendesk's four priorities have names in every language; anything else is shown
            // as the admin wrote it.
            let name = match priority.to_ascii_lowercase().as_str() {
                "low" => c.get(k!("ui.priority.low")),
                "normal" => c.get(k!("ui.priority.normal")),
                "high" => c.get(k!("ui.priority.high")),
                "urgent" => c.get(k!("ui.priority.urgent")),
                _ => priority.clone(),
            };
            c.render(k!("ui.reason.priority"), &[("priority", &name)])
        }
        MatchReason::Tag(tag) => c.render(k!("ui.reason.tag"), &[("tag", tag.as_str())]),
        MatchReason::Form(form) => c.render(
            k!("ui.reason.form"),
            &[("form", &super::text::digits(*form, 0))],
        ),
        // A checkbox says "true": the agent reads "is checked" in their own words.
        MatchReason::Field { field_id, value } if value.eq_ignore_ascii_case("true") => c.render(
            k!("ui.reason.field_checked"),
            &[("field", &super::text::digits(*field_id, 0))],
        ),
        MatchReason::Field { field_id, value } => c.render(
            k!("ui.reason.field"),
            &[
                ("field", &super::text::digits(*field_id, 0)),
                ("value", value),
            ],
        ),
        MatchReason::Keyword(keyword) => {
            c.render(k!("ui.reason.keyword"), &[("keyword", keyword.as_str())])
        }
    }
}
