//! The prep-note composer (N3): the ASE's form for a prep note on any ticket of an organization
//! with an ASE. Preview shows the note as it will be saved; Save writes it as one internal note
//! with the prep-note tag.
//!
//! Exactly once (the ping's rules): clicks while a save runs are ignored; each draft's save has
//! a nonce, written into the note's machine line (`id=<nonce>`) and kept with the draft by the
//! host before the write leaves; a save of a draft that already has a nonce (a failed or lost
//! earlier attempt, a reload) first reads every page of the ticket's comments for an internal
//! note of this agent with that nonce, and writes only when there is none.
//!
//! Invariant: what the agent typed is never dropped: the host keeps the draft until the core
//! says the very text in the form is saved (`clear`).
use super::{nonce, Context, Outbox};
use crate::core::locale::Intl;
use crate::core::prep::{self, Draft};
use crate::core::request::{Body, Expect, Method, Outcome, Reply, Request};
use crate::core::view::{ComposerView, Message};
use crate::core::zendesk::{CommentInputDto, TicketUpdateDto, TicketUpdateInnerDto};

/// What the agent asked of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Preview,
    Save,
    /// The sidebar opened on a draft whose save may have landed: read back, write nothing.
    Check,
}

/// What a pending request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Write,
    /// A page of the ticket's comments, read back for the nonce.
    Read,
}

#[derive(Debug, Clone, PartialEq, Default)]
enum State {
    #[default]
    Idle,
    Invalid(Vec<prep::Invalid>),
    Preview(String),
    /// Reading back; then writing `body` when the nonce is not found (unless only checking).
    Reading {
        body: String,
        write: bool,
    },
    Writing {
        body: String,
    },
    /// Saved; `same`: the note saved is the form's text, so the host may clear the draft.
    Saved {
        same: bool,
    },
    Failed(Message),
}

/// The composer of one ticket.
#[derive(Debug, Default)]
pub struct Composer {
    state: State,
    /// The nonce of the draft's save, once one was made (or the host's kept one).
    nonce: Option<String>,
    /// The core has seen the host's draft: its nonce is now the core's to say.
    synced: bool,
    /// Saves of the form's very text: each one tells the host to drop the draft.
    saves: u32,
    outbox: Outbox<Step>,
}

impl Composer {
    fn busy(&self) -> bool {
        matches!(self.state, State::Reading { .. } | State::Writing { .. })
    }

    /// Preview, Save or Check of `draft`; `kept` is the nonce the host kept with the draft.
    pub fn ask(
        &mut self,
        ask: Ask,
        draft: &Draft,
        kept: Option<String>,
        ctx: &Context,
        now_ms: i64,
        intl: &dyn Intl,
    ) {
        if self.busy() {
            return;
        }
        if !self.synced {
            self.nonce = kept;
            self.synced = true;
        }
        let checked = prep::validate(draft, &ctx.catalog, intl);
        if ask == Ask::Check {
            // What the form holds now, to tell whether the note found is it.
            if self.nonce.is_some() {
                self.read(ctx, None, checked.unwrap_or_default(), false);
            }
            return;
        }
        let body = match checked {
            Ok(body) => body,
            Err(problems) => {
                self.state = State::Invalid(problems);
                return;
            }
        };
        if ask == Ask::Preview {
            self.state = State::Preview(body);
            return;
        }
        match &self.nonce {
            // An earlier save of this draft may have landed: look before writing.
            Some(_) => self.read(ctx, None, body, true),
            None => {
                self.nonce = Some(nonce(ctx, now_ms));
                self.write(ctx, body);
            }
        }
    }

    fn read(&mut self, ctx: &Context, after: Option<&str>, body: String, write: bool) {
        let url = ctx.comments_url(after);
        let request = Request::zendesk(Method::Get, url, None, Expect::Comments);
        self.outbox.push(request, Step::Read);
        self.state = State::Reading { body, write };
    }

    fn write(&mut self, ctx: &Context, body: String) {
        let marked = format!("{body} id={}", self.nonce.as_deref().unwrap_or_default());
        let update = TicketUpdateDto {
            ticket: TicketUpdateInnerDto {
                comment: Some(CommentInputDto {
                    body: marked,
                    public: false,
                }),
                additional_tags: vec![ctx.settings.prep_tag.clone()],
                ..TicketUpdateInnerDto::default()
            },
        };
        let body_sent = Body::TicketUpdate(update);
        let request = Request::zendesk(
            Method::Put,
            ctx.ticket_url(),
            Some(body_sent),
            Expect::Ticket,
        );
        self.outbox.push(request, Step::Write);
        self.state = State::Writing { body };
    }

    pub fn handle_reply(&mut self, step: Step, reply: Outcome, ctx: &Context, intl: &dyn Intl) {
        let state = std::mem::replace(&mut self.state, State::Idle);
        self.state = match (step, state, reply) {
            (Step::Write, State::Writing { .. }, Ok(Reply::Ticket(_))) => self.saved(true),
            (Step::Read, State::Reading { body, write }, Ok(Reply::Comments(page))) => {
                let mark = format!(" id={}", self.nonce.as_deref().unwrap_or_default());
                let found = page.comments.iter().find(|c| {
                    !c.public
                        && c.author_id == ctx.viewer.id
                        && page.by_staff(c.author_id)
                        && c.body.lines().any(|l| {
                            l.starts_with(crate::core::notes::MACHINE_PREFIX) && l.ends_with(&mark)
                        })
                });
                if let Some(found) = found {
                    // Saved before; the form may hold other words since.
                    self.saved(!body.is_empty() && found.body.starts_with(&body))
                } else if let Some(after) = page.next_cursor() {
                    let after = after.to_string();
                    self.read(ctx, Some(&after), body, write);
                    return;
                } else if write {
                    self.write(ctx, body);
                    return;
                } else {
                    State::Idle
                }
            }
            (_, _, reply) => State::Failed(ctx.problems(intl).zendesk(reply)),
        };
    }

    /// A note of this draft is on the ticket: the next save is another note, with a new nonce.
    fn saved(&mut self, same: bool) -> State {
        self.nonce = None;
        self.saves += u32::from(same);
        State::Saved { same }
    }

    pub fn poll_request(&mut self) -> Option<(Request, Step)> {
        self.outbox.pop()
    }

    /// The form's part of the view: its words and what to show now.
    pub fn view(&self, ctx: &Context, zone: &str) -> ComposerView {
        let c = &ctx.catalog;
        let mut labels = Vec::new();
        for key in LABELS {
            labels.push(c.get(key));
        }
        let mut invalid = Vec::new();
        let mut preview = None;
        let mut status = None;
        match &self.state {
            State::Idle => {}
            State::Invalid(problems) => {
                for p in problems {
                    let max = crate::core::text::number_text(prep::MAX_NOTE_CHARS as f64);
                    invalid.push(c.render(p.key(), &[("max", &max)]));
                }
            }
            State::Preview(body) => preview = Some(body.clone()),
            State::Reading { .. } | State::Writing { .. } => {
                status = Some(Message::new(c.get(k!("ui.compose.saving"))))
            }
            State::Saved { same } => {
                let key = match same {
                    true => k!("ui.compose.saved"),
                    false => k!("ui.compose.saved_earlier"),
                };
                status = Some(Message::new(c.get(key)));
            }
            State::Failed(message) => status = Some(message.clone()),
        }
        ComposerView {
            key: format!(
                "ase-prep-draft:{}:{}:{}",
                ctx.subdomain,
                crate::core::text::digits(ctx.ticket.id, 0),
                crate::core::text::digits(ctx.viewer.id, 0)
            ),
            title: c.get(k!("ui.compose.title")),
            labels,
            zone: zone.to_string(),
            preview_label: c.get(k!("ui.compose.preview")),
            save_label: c.get(k!("ui.compose.save")),
            invalid,
            preview,
            status,
            busy: self.busy(),
            nonce: self.nonce.clone(),
            synced: self.synced,
            clear: self.saves,
        }
    }
}

/// The form's labels, in [`Draft`]'s order (task, start, end, zone, then the five parts).
const LABELS: [crate::core::text::Key; 9] = [
    k!("ui.compose.task"),
    k!("ui.compose.start"),
    k!("ui.compose.end"),
    k!("ui.compose.zone"),
    k!("ui.compose.planned"),
    k!("ui.compose.problems"),
    k!("ui.compose.solutions"),
    k!("ui.compose.context"),
    k!("ui.compose.contacts"),
];
