//! The ASE lookup (A1, A2): the organization's ASE email from Zendesk, the Slack user with that
//! email, then their Slack presence; and the ASE card and the viewer's role it makes possible.
//!
//! Invariants: nothing is asked of Slack until the organization names a plausible email; every
//! failure leaves a sentence that says what failed, never a blank card.
use super::{Context, Outbox};
use crate::core::ase::{self, AseLookup as EmailLookup, ViewerRole};
use crate::core::availability::{self, HoursState, TzOffsets};
use crate::core::clock::{self, Weekday};
use crate::core::problems::{Problems, Service};
use crate::core::request::{Expect, Method, Outcome, Reply, Request};
use crate::core::slack::{self, SlackResponseDto, SlackUserDto};
use crate::core::text::Catalog;
use crate::core::view::{AseCard, AseView, Badge, Tone};
use crate::core::zendesk::OrganizationResponseDto;

/// What a pending request of this workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Organization,
    LookupUser,
    Presence,
}

#[derive(Debug, Clone)]
enum State {
    Loading,
    NoOrganization,
    NotSet,
    Failed { text: String },
    Found(Box<FoundAse>),
}

/// The ASE as Slack knows them: what the ping reads of this workflow.
#[derive(Debug, Clone)]
pub struct FoundAse {
    pub user: SlackUserDto,
    pub presence: Presence,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    Loading,
    Active,
    Away,
    Unknown { reason: Option<String> },
}

/// The ASE lookup of one emergency.
#[derive(Debug)]
pub struct AseLookup {
    state: State,
    /// The organization's name from the REST API, once read.
    organization_name: Option<String>,
    email: Option<String>,
    out: Outbox<Step>,
}

impl AseLookup {
    /// Starts the lookup: reads the ticket's organization, if it has one.
    pub fn start(ctx: &Context) -> AseLookup {
        let mut lookup = AseLookup {
            state: State::Loading,
            organization_name: None,
            email: None,
            out: Outbox::default(),
        };
        match ctx.ticket.organization {
            Some((org_id, _)) => {
                let url = format!("/api/v2/organizations/{org_id}");
                let request = Request::zendesk(Method::Get, url, None, Expect::Organization);
                lookup.out.push(request, Step::Organization);
            }
            None => lookup.state = State::NoOrganization,
        }
        lookup
    }

    pub fn poll_request(&mut self) -> Option<(Request, Step)> {
        self.out.pop()
    }

    pub fn handle_reply(&mut self, step: Step, reply: Outcome, ctx: &Context) {
        match step {
            Step::Organization => self.on_organization(reply, ctx),
            Step::LookupUser => self.on_lookup_user(reply, ctx),
            Step::Presence => self.on_presence(reply, ctx),
        }
    }

    /// The ASE, once Slack has named them.
    pub fn found(&self) -> Option<&FoundAse> {
        match &self.state {
            State::Found(found) => Some(found),
            _ => None,
        }
    }

    /// The organization's name (REST, else ZAF), or the catalog's "The organization".
    pub fn organization_label(&self, ctx: &Context) -> String {
        self.organization_name
            .clone()
            .or_else(|| ctx.ticket.organization.as_ref().map(|(_, n)| n.clone()))
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| ctx.catalog.get("ui.ase.unnamed_organization"))
    }

    fn problems<'a>(&'a self, ctx: &'a Context) -> Problems<'a> {
        Problems {
            email: self.email.as_deref().unwrap_or_default(),
            ..ctx.problems()
        }
    }

    fn fail(&mut self, text: String) {
        self.state = State::Failed { text };
    }

    fn on_organization(&mut self, reply: Outcome, ctx: &Context) {
        let organization = match reply {
            Ok(Reply::Organization(OrganizationResponseDto { organization })) => organization,
            other => {
                let reason = ctx.problems().zendesk(other);
                let text = ctx
                    .catalog
                    .render("ui.ase.organization_failed", &[("reason", &reason)]);
                return self.fail(text);
            }
        };
        if !organization.name.trim().is_empty() {
            self.organization_name = Some(organization.name.clone());
        }
        let field = &ctx.settings.ase_org_field;
        match ase::ase_email(&organization, field) {
            EmailLookup::Email(email) => {
                let url = slack::method_url("users.lookupByEmail", &[("email", &email)]);
                self.email = Some(email);
                let request = Request::slack(Method::Get, url, None);
                self.out.push(request, Step::LookupUser);
            }
            EmailLookup::NotSet => self.state = State::NotSet,
            EmailLookup::Invalid { value } => {
                let text = ctx.catalog.render(
                    "ui.ase.invalid_field",
                    &[
                        ("field", field),
                        ("organization", &self.organization_label(ctx)),
                        ("value", &value),
                    ],
                );
                self.fail(text);
            }
        }
    }

    fn on_lookup_user(&mut self, reply: Outcome, ctx: &Context) {
        let problems = self.problems(ctx);
        let user = match problems.slack_ok("users.lookupByEmail", reply) {
            Ok(SlackResponseDto {
                user: Some(user), ..
            }) => user,
            Ok(_) => {
                let text = problems.decode(
                    Service::Slack("users.lookupByEmail"),
                    "problems.detail.no_user",
                );
                return self.fail(text);
            }
            Err(text) => return self.fail(text),
        };
        if user.deleted {
            let email = self.email.clone().unwrap_or_default();
            let text = ctx
                .catalog
                .render("ui.ase.deactivated", &[("email", &email)]);
            return self.fail(text);
        }
        let url = slack::method_url("users.getPresence", &[("user", &user.id)]);
        self.state = State::Found(Box::new(FoundAse {
            user,
            presence: Presence::Loading,
        }));
        self.out
            .push(Request::slack(Method::Get, url, None), Step::Presence);
    }

    fn on_presence(&mut self, reply: Outcome, ctx: &Context) {
        let presence = match self.problems(ctx).slack_ok("users.getPresence", reply) {
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

    // ---- The view ----

    /// "You are the ASE" and the like; "checking" until the organization has answered, since
    /// "neither" would be wrong for the ASE looking at their own account's emergency.
    pub fn viewer_role_text(&self, ctx: &Context) -> String {
        if matches!(self.state, State::Loading) {
            return ctx.catalog.get("ui.role.loading");
        }
        let role = ase::viewer_role(&ctx.viewer, self.email.as_deref(), ctx.ticket.assignee_id);
        ctx.catalog.get(match role {
            ViewerRole::Ase => "ui.role.ase",
            ViewerRole::Dri => "ui.role.dri",
            ViewerRole::AseAndDri => "ui.role.ase_and_dri",
            ViewerRole::Other => "ui.role.other",
        })
    }

    pub fn view(&self, ctx: &Context, now_ms: i64, tz: &dyn TzOffsets) -> AseView {
        let c = &ctx.catalog;
        match &self.state {
            State::Loading => AseView::Loading {
                text: c.get("ui.ase.loading"),
            },
            State::NoOrganization => AseView::None {
                text: c.get("ui.ase.no_organization"),
            },
            State::NotSet => AseView::None {
                text: c.render(
                    "ui.ase.not_set",
                    &[("organization", &self.organization_label(ctx))],
                ),
            },
            State::Failed { text } => AseView::Failed { text: text.clone() },
            State::Found(found) => AseView::Found(self.card(found, ctx, now_ms, tz)),
        }
    }

    fn card(&self, found: &FoundAse, ctx: &Context, now_ms: i64, tz: &dyn TzOffsets) -> AseCard {
        let c = &ctx.catalog;
        let user = &found.user;
        let zone = user.tz.as_deref().map(str::trim).filter(|z| !z.is_empty());
        let hours = &ctx.settings.working_hours;
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
                let (key, minutes, tone) = match a.hours {
                    HoursState::Inside { ends_in_min } => {
                        ("ui.ase.hours_inside", ends_in_min, Tone::Good)
                    }
                    HoursState::Outside { starts_in_min } => {
                        ("ui.ase.hours_outside", starts_in_min, Tone::Warn)
                    }
                };
                let text = c.render(
                    key,
                    &[
                        ("hours", &hours.to_string()),
                        ("duration", &duration_text(c, minutes)),
                    ],
                );
                (local, Badge { text, tone })
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
            Presence::Active => Some(("ui.ase.presence_active", None, Tone::Good)),
            Presence::Away => Some(("ui.ase.presence_away", None, Tone::Neutral)),
            Presence::Unknown { reason: None } => {
                Some(("ui.ase.presence_unknown", None, Tone::Neutral))
            }
            Presence::Unknown {
                reason: Some(reason),
            } => Some(("ui.ase.presence_failed", Some(reason), Tone::Neutral)),
        }
        .map(|(key, reason, tone)| Badge {
            text: c.render(key, &[("reason", reason.map_or("", String::as_str))]),
            tone,
        });
        let handle = slack_handle(user)
            .or_else(|| self.email.clone())
            .unwrap_or_default();
        AseCard {
            name: ase_name(user),
            handle,
            local_time: Some(local_time),
            hours: Some(hours_badge),
            presence,
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

/// `@display_name`, falling back to `@name`; `None` when Slack has neither.
fn slack_handle(user: &SlackUserDto) -> Option<String> {
    [user.profile.display_name.trim(), user.name.trim()]
        .into_iter()
        .find(|n| !n.is_empty())
        .map(|n| format!("@{n}"))
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
