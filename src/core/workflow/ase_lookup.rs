//! The ASE lookup (A1, A2): the organization's ASE email from Zendesk, the Slack user with that
//! email, then their Slack presence and scheduled Do Not Disturb; and the ASE card and the
//! viewer's role it makes possible. A failed presence or Do Not Disturb read is only reported
//! (the card stays): it is read again with the next lookup (a reload, another organization).
//!
//! Invariants: nothing is asked of Slack until the organization names a plausible email; every
//! failure leaves a sentence that says what failed, never a blank card; a failed lookup can be
//! retried with a click, and one that failed on a request (429, 5xx, time-out, a token or scope
//! an admin is fixing) starts again on its own, with backoff, without a reload.
use super::{Context, Outbox};
use crate::core::ase::{self, AseLookup as EmailLookup, ViewerRole};
use crate::core::availability::{self, HoursState};
use crate::core::locale::{duration_parts, Intl};
use crate::core::problems::{Problems, Service};
use crate::core::request::{Expect, Failure, Method, Outcome, Reply, Request};
use crate::core::slack::{self, SlackResponseDto, SlackUserDto};
use crate::core::text;
use crate::core::view::{AseCard, AseView, Badge, Message, Tone};
use crate::core::zendesk::{OrganizationDto, OrganizationResponseDto};

/// How much of an organization field's unusable value the sidebar repeats.
const MAX_SHOWN_VALUE_CHARS: usize = 80;

/// Seconds before the lookup starts again on its own after the 1st, 2nd, … failed request
/// (the last value repeats); a `Retry-After` replaces it.
const BACKOFF_S: [i64; 5] = [5, 15, 45, 120, 300];

/// What a pending request of this workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Organization,
    LookupUser,
    Presence,
    Dnd,
}

#[derive(Debug, Clone)]
enum State {
    Loading,
    NoOrganization,
    NotSet,
    /// What failed, and when the lookup starts again on its own (for a failed request).
    Failed {
        message: Message,
        retry_at: Option<i64>,
    },
    Found(Box<FoundAse>),
}

/// The ASE as Slack knows them: what the ping reads of this workflow.
#[derive(Debug, Clone)]
pub struct FoundAse {
    pub user: SlackUserDto,
    pub presence: Presence,
    pub dnd: Dnd,
}

/// The ASE's scheduled Do Not Disturb (`dnd.info`).
#[derive(Debug, Clone, PartialEq)]
pub enum Dnd {
    Loading,
    /// Read: the current or next window (ms since the epoch, end excluded), when it is on.
    Known(Option<(i64, i64)>),
    /// The read failed: why.
    Unknown(Message),
}

impl FoundAse {
    /// When the ASE's Do Not Disturb ends, if it holds at `now_ms`.
    pub fn dnd_until(&self, now_ms: i64) -> Option<i64> {
        match self.dnd {
            Dnd::Known(Some((start, end))) if start <= now_ms && now_ms < end => Some(end),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    Loading,
    Active,
    Away,
    Unknown { reason: Option<Message> },
}

/// The ASE lookup of one emergency.
#[derive(Debug)]
pub struct AseLookup {
    state: State,
    /// The organization from the REST API, once read (its name; the account context).
    organization: Option<OrganizationDto>,
    email: Option<String>,
    /// Automatic restarts so far (see [`BACKOFF_S`]).
    retries: usize,
    out: Outbox<Step>,
}

impl AseLookup {
    /// Starts the lookup: reads the ticket's organization, if it has one.
    pub fn start(ctx: &Context) -> AseLookup {
        let mut lookup = AseLookup {
            state: State::Loading,
            organization: None,
            email: None,
            retries: 0,
            out: Outbox::default(),
        };
        lookup.restart(ctx);
        lookup
    }

    /// Reads the ticket's organization (again), if it has one.
    fn restart(&mut self, ctx: &Context) {
        self.state = match ctx.ticket.organization {
            Some((org_id, _)) => {
                let url = format!(
                    "/api/v2/organizations/{}",
                    crate::core::text::digits(org_id, 0)
                );
                let request = Request::zendesk(Method::Get, url, None, Expect::Organization);
                self.out.push(request, Step::Organization);
                State::Loading
            }
            None => State::NoOrganization,
        };
    }

    /// A click on the lookup's Retry: starts again now.
    pub fn retry(&mut self, ctx: &Context) {
        if matches!(self.state, State::Failed { .. }) {
            self.restart(ctx);
        }
    }

    /// When the host must call [`AseLookup::tick`]: the restart after a failed request.
    pub fn next_wake(&self) -> Option<i64> {
        match self.state {
            State::Failed { retry_at, .. } => retry_at,
            _ => None,
        }
    }

    /// Starts again when a failed request's backoff is over.
    pub fn tick(&mut self, ctx: &Context, now_ms: i64) {
        if let State::Failed {
            retry_at: Some(at), ..
        } = self.state
        {
            if at <= now_ms {
                self.restart(ctx);
            }
        }
    }

    /// The label of the lookup's Retry button, when the lookup failed.
    pub fn retry_label(&self, ctx: &Context) -> Option<String> {
        matches!(self.state, State::Failed { .. }).then(|| ctx.catalog.get(k!("ui.ase.retry")))
    }

    pub fn poll_request(&mut self) -> Option<(Request, Step)> {
        self.out.pop()
    }

    pub fn handle_reply(
        &mut self,
        step: Step,
        reply: Outcome,
        ctx: &Context,
        now_ms: i64,
        intl: &dyn Intl,
    ) {
        // A failed request (not an answer about the data) is tried again later, on its own.
        let retry_after = match &reply {
            Err(Failure::Http { retry_after_s, .. }) => Some(*retry_after_s),
            Err(_) => Some(None),
            Ok(Reply::Slack(r)) if !r.ok && r.error.as_deref() != Some("users_not_found") => {
                Some(None)
            }
            _ => None,
        };
        match step {
            Step::Organization => self.on_organization(reply, ctx, intl),
            Step::LookupUser => self.on_lookup_user(reply, ctx, intl),
            Step::Presence => self.on_presence(reply, ctx, intl),
            Step::Dnd => self.on_dnd(reply, ctx, intl),
        }
        if let (State::Failed { retry_at, .. }, Some(after)) = (&mut self.state, retry_after) {
            let backoff = BACKOFF_S[self.retries.min(BACKOFF_S.len() - 1)];
            let wait_s = after.map_or(backoff, |s| i64::from(s).clamp(1, 600));
            *retry_at = Some(now_ms + wait_s * 1000);
            self.retries += 1;
        }
    }

    /// The ASE, once Slack has named them.
    pub fn found(&self) -> Option<&FoundAse> {
        match &self.state {
            State::Found(found) => Some(found),
            _ => None,
        }
    }

    /// The ASE once their presence and Do Not Disturb are settled (known, or known to be
    /// unknown): what a ping
    /// needs, since its wording follows their availability. Until then the card is still
    /// growing, so a button shown earlier would move under the agent's pointer.
    pub fn settled(&self) -> Option<&FoundAse> {
        self.found()
            .filter(|f| f.presence != Presence::Loading && f.dnd != Dnd::Loading)
    }

    /// The organization as the REST API gave it, once read.
    pub fn organization(&self) -> Option<&OrganizationDto> {
        self.organization.as_ref()
    }

    /// The organization's name (REST, else ZAF), when it has one.
    pub fn organization_name(&self, ctx: &Context) -> Option<String> {
        self.organization
            .as_ref()
            .map(|o| o.name.clone())
            .filter(|name| !name.trim().is_empty())
            .or_else(|| ctx.ticket.organization.as_ref().map(|(_, n)| n.clone()))
            .filter(|name| !name.trim().is_empty())
    }

    /// The organization's name, or the agent's words for "the organization".
    pub fn organization_label(&self, ctx: &Context) -> String {
        self.organization_name(ctx)
            .unwrap_or_else(|| ctx.catalog.get(k!("ui.ase.unnamed_organization")))
    }

    fn problems<'a>(&'a self, ctx: &'a Context, intl: &'a dyn Intl) -> Problems<'a> {
        Problems {
            email: self.email.as_deref().unwrap_or_default(),
            ..ctx.problems(intl)
        }
    }

    fn fail(&mut self, message: Message) {
        self.state = State::Failed {
            message,
            retry_at: None,
        };
    }

    fn on_organization(&mut self, reply: Outcome, ctx: &Context, intl: &dyn Intl) {
        let organization = match reply {
            Ok(Reply::Organization(OrganizationResponseDto { organization })) => organization,
            other => {
                let reason = ctx.problems(intl).zendesk(other);
                let text = ctx.catalog.render(
                    k!("ui.ase.organization_failed"),
                    &[("reason", &reason.text)],
                );
                return self.fail(Message { text, ..reason });
            }
        };
        let field = &ctx.settings.ase_org_field;
        let email = ase::ase_email(&organization, field, &|s| intl.lower(s));
        self.organization = Some(organization);
        match email {
            EmailLookup::Email(email) => {
                let url = slack::method_url("users.lookupByEmail", &[("email", &email)]);
                self.email = Some(email);
                let request = Request::slack(Method::Get, url, None);
                self.out.push(request, Step::LookupUser);
            }
            EmailLookup::NotSet => self.state = State::NotSet,
            EmailLookup::Invalid { value } => {
                let text = ctx.catalog.render(
                    k!("ui.ase.invalid_field"),
                    &[
                        ("field", field),
                        ("organization", &self.organization_label(ctx)),
                        ("value", &text::clip(&value, MAX_SHOWN_VALUE_CHARS)),
                    ],
                );
                self.fail(Message::new(text));
            }
        }
    }

    fn on_lookup_user(&mut self, reply: Outcome, ctx: &Context, intl: &dyn Intl) {
        let problems = self.problems(ctx, intl);
        let user = match problems.slack_ok("users.lookupByEmail", reply) {
            Ok(SlackResponseDto {
                user: Some(user), ..
            }) => user,
            Ok(_) => {
                let text = problems.decode(
                    Service::Slack("users.lookupByEmail"),
                    k!("problems.detail.no_user"),
                );
                return self.fail(text);
            }
            Err(text) => return self.fail(text),
        };
        if user.deleted {
            let email = self.email.clone().unwrap_or_default();
            let text = ctx
                .catalog
                .render(k!("ui.ase.deactivated"), &[("email", &email)]);
            return self.fail(Message::new(text));
        }
        for (method, step) in [
            ("users.getPresence", Step::Presence),
            ("dnd.info", Step::Dnd),
        ] {
            let url = slack::method_url(method, &[("user", &user.id)]);
            self.out.push(Request::slack(Method::Get, url, None), step);
        }
        self.state = State::Found(Box::new(FoundAse {
            user,
            presence: Presence::Loading,
            dnd: Dnd::Loading,
        }));
    }

    fn on_presence(&mut self, reply: Outcome, ctx: &Context, intl: &dyn Intl) {
        let presence = match self
            .problems(ctx, intl)
            .slack_ok("users.getPresence", reply)
        {
            Ok(r) => match r.presence.as_deref() {
                Some("active") => Presence::Active,
                Some("away") => Presence::Away,
                _ => Presence::Unknown { reason: None },
            },
            Err(reason) => Presence::Unknown {
                reason: Some(reason),
            },
        };
        if let State::Found(found) = &mut self.state {
            found.presence = presence;
        }
    }

    fn on_dnd(&mut self, reply: Outcome, ctx: &Context, intl: &dyn Intl) {
        let dnd = match self.problems(ctx, intl).slack_ok("dnd.info", reply) {
            Ok(r) => Dnd::Known(
                r.next_dnd_start_ts
                    .zip(r.next_dnd_end_ts)
                    .filter(|_| r.dnd_enabled == Some(true))
                    .map(|(start, end)| (start.saturating_mul(1000), end.saturating_mul(1000))),
            ),
            Err(reason) => Dnd::Unknown(reason),
        };
        if let State::Found(found) = &mut self.state {
            found.dnd = dnd;
        }
    }

    // ---- The view ----

    /// "You are the ASE" and the like; "checking" until the organization has answered, since
    /// "neither" would be wrong for the ASE looking at their own account's emergency.
    pub fn viewer_role_text(&self, ctx: &Context, intl: &dyn Intl) -> String {
        if matches!(self.state, State::Loading) {
            return ctx.catalog.get(k!("ui.role.loading"));
        }
        ctx.catalog.get(match self.viewer_role(ctx, intl) {
            ViewerRole::Ase => k!("ui.role.ase"),
            ViewerRole::Dri => k!("ui.role.dri"),
            ViewerRole::AseAndDri => k!("ui.role.ase_and_dri"),
            ViewerRole::Other => k!("ui.role.other"),
        })
    }

    /// The viewer's role by the organization's ASE email (not the ASE while the lookup is
    /// loading, as the role line says "checking").
    pub fn viewer_role(&self, ctx: &Context, intl: &dyn Intl) -> ViewerRole {
        let loading = matches!(self.state, State::Loading);
        ase::viewer_role(
            &ctx.viewer,
            self.email.as_deref().filter(|_| !loading),
            ctx.ticket.assignee_id,
            &|s| intl.lower(s),
        )
    }

    pub fn view(&self, ctx: &Context, now_ms: i64, intl: &dyn Intl) -> AseView {
        let c = &ctx.catalog;
        match &self.state {
            State::Loading => AseView::Loading {
                text: c.get(k!("ui.ase.loading")),
            },
            State::NoOrganization => AseView::None {
                text: c.get(k!("ui.ase.no_organization")),
            },
            State::NotSet => AseView::None {
                text: c.render(
                    k!("ui.ase.not_set"),
                    &[("organization", &self.organization_label(ctx))],
                ),
            },
            State::Failed { message, .. } => AseView::Failed(message.clone()),
            State::Found(found) => AseView::Found(self.card(found, ctx, now_ms, intl)),
        }
    }

    fn card(&self, found: &FoundAse, ctx: &Context, now_ms: i64, intl: &dyn Intl) -> AseCard {
        let c = &ctx.catalog;
        let user = &found.user;
        let zone = user.tz.as_deref().map(str::trim).filter(|z| !z.is_empty());
        let hours = &ctx.settings.working_hours;
        let availability =
            zone.and_then(|z| availability::availability(now_ms, z, hours, intl).map(|a| (z, a)));
        let (local_time, hours_badge) = match availability {
            Some((zone, a)) => {
                let local = c.render(
                    k!("ui.ase.local_time"),
                    &[
                        ("time", &intl.time(now_ms, zone).unwrap_or_default()),
                        ("weekday", &intl.weekday(now_ms, zone).unwrap_or_default()),
                        ("tz", zone),
                        (
                            "offset",
                            &intl.offset_name(now_ms, zone).unwrap_or_default(),
                        ),
                    ],
                );
                let (key, minutes, tone) = match a.hours {
                    HoursState::Inside { ends_in_min } => {
                        (k!("ui.ase.hours_inside"), ends_in_min, Tone::Good)
                    }
                    HoursState::Outside { starts_in_min } => {
                        (k!("ui.ase.hours_outside"), starts_in_min, Tone::Warn)
                    }
                };
                // The hours themselves are the admin's setting, in its English grammar; the
                // agent reads inside or outside, and until when, in their own words.
                let duration = intl.duration(&duration_parts(minutes));
                let text = c.render(key, &[("duration", &duration)]);
                (local, Badge { text, tone })
            }
            None => {
                let local = match zone {
                    Some(zone) => c.render(k!("ui.ase.timezone_unknown_named"), &[("tz", zone)]),
                    None => c.get(k!("ui.ase.timezone_unknown")),
                };
                let badge = Badge {
                    text: c.get(k!("ui.ase.hours_unknown")),
                    tone: Tone::Neutral,
                };
                (local, badge)
            }
        };
        let (key, tone, problem) = match &found.presence {
            Presence::Loading => (None, Tone::Neutral, None),
            Presence::Active => (Some(k!("ui.ase.presence_active")), Tone::Good, None),
            Presence::Away => (Some(k!("ui.ase.presence_away")), Tone::Neutral, None),
            Presence::Unknown { reason } => (
                Some(k!("ui.ase.presence_unknown")),
                Tone::Neutral,
                reason.clone(),
            ),
        };
        let presence = key.map(|key| Badge {
            text: c.get(key),
            tone,
        });
        // Do Not Disturb now, until when; a failed read says why where a presence problem would.
        let dnd = found.dnd_until(now_ms).map(|end| {
            let minutes = (end - now_ms + 59_999) / 60_000;
            let duration = intl.duration(&duration_parts(minutes));
            Badge {
                text: c.render(k!("ui.ase.dnd"), &[("duration", &duration)]),
                tone: Tone::Warn,
            }
        });
        let problem = match (problem, &found.dnd) {
            (None, Dnd::Unknown(reason)) => Some(reason.clone()),
            (problem, _) => problem,
        };
        let handle = handle(user)
            .or_else(|| self.email.clone())
            .unwrap_or_default();
        AseCard {
            name: ase_name(user),
            handle,
            local_time: Some(local_time),
            hours: Some(hours_badge),
            presence,
            dnd,
            presence_problem: problem,
        }
    }
}

/// The ASE's name as Slack knows it: real name, then profile real name, then user name.
pub fn ase_name(user: &SlackUserDto) -> String {
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

/// `@display_name`, falling back to `@name`, then the user ID.
pub fn slack_handle(user: &SlackUserDto) -> String {
    handle(user).unwrap_or_else(|| format!("@{}", user.id))
}

/// `@display_name`, falling back to `@name`; `None` when Slack has neither.
fn handle(user: &SlackUserDto) -> Option<String> {
    [user.profile.display_name.trim(), user.name.trim()]
        .into_iter()
        .find(|n| !n.is_empty())
        .map(|n| format!("@{n}"))
}
