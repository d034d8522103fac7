//! The prep-notes finder (N2): the ASE's prep notes for the emergency's organization, in the
//! ticket itself and in the organization's other recent tickets, with the note whose planned
//! window holds the emergency (its creation, or now) on top.
//!
//! Reads, all bounded and issued together: the ticket's own comments, and Zendesk's Search API
//! for the organization's tickets carrying the prep-note tag within the look-back (newest first,
//! [`MAX_TICKETS`] of them), then each found ticket's comments ([`MAX_PAGES`] pages each).
//!
//! Invariants: only internal notes written by staff count (an end user's emailed reply can
//! become a private comment); a note that does not read as a prep note is not one; a failed
//! read loses only what it would have found, and says so; nothing here writes.
use super::{comments_url, Context, Outbox};
use crate::core::availability::TzOffsets;
use crate::core::clock::{self, MS_PER_DAY};
use crate::core::locale::Intl;
use crate::core::prep::{self, Part, PrepNote};
use crate::core::request::{Expect, Method, Outcome, Reply, Request};
use crate::core::slack::{self, escape_mrkdwn, percent_encode};
use crate::core::text;
use crate::core::view::{folds, ContextItem, ContextView};

/// How many of the organization's other tagged tickets are read, newest first.
pub const MAX_TICKETS: usize = 10;

/// How many pages of comments (100 each, newest first) are read per ticket.
pub const MAX_PAGES: u8 = 3;

/// How many notes are kept (the newest): a sidebar lists a handful, never hundreds.
pub const MAX_NOTES: usize = 20;

/// What a pending request of this workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Search,
    /// A page of ticket `.0`'s comments; `.1` pages of it read so far.
    Comments(u64, u8),
}

/// A prep note as found: where, when, and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub ticket: u64,
    pub comment: u64,
    pub at_ms: i64,
    pub body: String,
}

/// A found note, read, for the view: the highlighted one and the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read<'a> {
    pub found: &'a Found,
    pub note: PrepNote,
}

/// The finder of one emergency.
#[derive(Debug)]
pub struct PrepNotes {
    found: Vec<Found>,
    /// Reads not yet answered.
    pending: usize,
    /// A read failed: some notes may be missing.
    incomplete: bool,
    out: Outbox<Step>,
}

/// The Search API query of the organization's tagged tickets created since `since_ms`.
pub fn search_url(org_id: u64, tag: &str, since_ms: i64) -> String {
    // The query `type:ticket organization:<id> tags:<tag> created>=<YYYY-MM-DD>`, encoded: a
    // date bound is a whole day (`>` would start the day after). One result more than
    // MAX_TICKETS, as the emergency's own ticket may be among them.
    let since = clock::format_rfc3339(since_ms);
    format!(
        "/api/v2/search?query=type%3Aticket%20organization%3A{}%20tags%3A{}%20created%3E%3D{}\
         &sort_by=created_at&sort_order=desc&per_page={}",
        text::digits(org_id, 0),
        percent_encode(tag),
        since.get(..10).unwrap_or_default(),
        text::digits(MAX_TICKETS as u64 + 1, 0),
    )
}

impl PrepNotes {
    /// Starts the reads, when the ticket has an organization (prep notes are an ASE's, and only
    /// an organization has one): the ticket's comments and the search for the organization's
    /// tagged tickets of the last `lookback_days`.
    pub fn start(ctx: &Context, tag: &str, lookback_days: i64, now_ms: i64) -> PrepNotes {
        let mut finder = PrepNotes {
            found: Vec::new(),
            pending: 0,
            incomplete: false,
            out: Outbox::default(),
        };
        if let Some((org_id, _)) = ctx.ticket.organization {
            finder.read(ctx.ticket.id, None, 0);
            let since = now_ms - lookback_days.max(1) * MS_PER_DAY;
            let url = search_url(org_id, tag, since);
            finder.pending += 1;
            let request = Request::zendesk(Method::Get, url, None, Expect::Search);
            finder.out.push(request, Step::Search);
        }
        finder
    }

    fn read(&mut self, ticket: u64, after: Option<&str>, pages: u8) {
        self.pending += 1;
        let url = comments_url(ticket, after);
        let request = Request::zendesk(Method::Get, url, None, Expect::Comments);
        self.out.push(request, Step::Comments(ticket, pages + 1));
    }

    pub fn poll_request(&mut self) -> Option<(Request, Step)> {
        self.out.pop()
    }

    /// Whether every read has answered.
    pub fn done(&self) -> bool {
        self.pending == 0
    }

    /// Whether a read failed (the notes shown may not be all).
    pub fn incomplete(&self) -> bool {
        self.incomplete
    }

    /// Keeps `found` newest first (ties by comment id), so reading them needs no sort: an
    /// insertion from the end (pages come newest first).
    fn insert(&mut self, found: Found) {
        let key = |f: &Found| (std::cmp::Reverse(f.at_ms), f.comment);
        self.found.push(found);
        // `at` and `at - 1` are in bounds: `at` starts at the last index and stops at 1.
        let mut at = self.found.len() - 1;
        while at > 0 && key(&self.found[at - 1]) > key(&self.found[at]) {
            self.found.swap(at - 1, at);
            at -= 1;
        }
        self.found.truncate(MAX_NOTES);
    }

    pub fn handle_reply(&mut self, step: Step, reply: Outcome, ctx: &Context) {
        self.pending = self.pending.saturating_sub(1);
        match (step, reply) {
            (Step::Search, Ok(Reply::Search(page))) => {
                let mut taken = 0;
                for result in page.results {
                    if taken == MAX_TICKETS {
                        break;
                    }
                    if result.id != ctx.ticket.id {
                        taken += 1;
                        self.read(result.id, None, 0);
                    }
                }
            }
            (Step::Comments(ticket, pages), Ok(Reply::Comments(page))) => {
                for c in &page.comments {
                    let known = self.found.iter().any(|f| f.comment == c.id);
                    if !c.public
                        && !known
                        && page.by_staff(c.author_id)
                        && prep::is_prep_note(&c.body)
                    {
                        self.insert(Found {
                            ticket,
                            comment: c.id,
                            at_ms: clock::parse_rfc3339(&c.created_at).unwrap_or(0),
                            body: c.body.clone(),
                        });
                    }
                }
                if let Some(cursor) = page.next_cursor().filter(|_| pages < MAX_PAGES) {
                    let cursor = cursor.to_string();
                    self.read(ticket, Some(&cursor), pages);
                }
            }
            _ => self.incomplete = true,
        }
    }

    /// The notes read with `zone` for hand-written windows that name none (the ASE's), newest
    /// first, and the index of the one to put on top: the newest whose window holds
    /// `created_ms` (the emergency's start) or `now_ms`.
    pub fn notes(
        &self,
        zone: &str,
        created_ms: i64,
        now_ms: i64,
        tz: &dyn TzOffsets,
    ) -> (Vec<Read<'_>>, Option<usize>) {
        let mut reads = Vec::new();
        let mut top = None;
        for found in &self.found {
            let note = prep::parse(&found.body, zone, tz);
            let now = note
                .window
                .as_ref()
                .is_some_and(|w| w.contains(created_ms) || w.contains(now_ms));
            if now && top.is_none() {
                top = Some(reads.len());
            }
            reads.push(Read { found, note });
        }
        (reads, top)
    }

    /// The section of prep notes: the one planned now on top, with its window in the viewer's
    /// time and the ASE's (`ase_zone`), then the others newest first, each with a link to its
    /// ticket when it is another; `None` while nothing is found and nothing failed.
    pub fn view(
        &self,
        ctx: &Context,
        ase_zone: &str,
        now_ms: i64,
        intl: &dyn Intl,
    ) -> Option<ContextView> {
        let c = &ctx.catalog;
        let created = ctx.ticket.created_ms.unwrap_or(now_ms);
        let (reads, top) = self.notes(ase_zone, created, now_ms, intl);
        let mut items = Vec::new();
        // The note planned now first, then the others in their order (newest first).
        let order = top
            .into_iter()
            .chain((0..reads.len()).filter(|i| Some(*i) != top));
        for (i, read) in order.filter_map(|i| reads.get(i)).enumerate() {
            let now = top.is_some();
            let note = &read.note;
            let mut label = match note.task.trim() {
                "" => c.get(k!("ui.prep.untitled")),
                task => text::clip(task, 200),
            };
            if now && i == 0 {
                label = c.render(k!("ui.prep.now"), &[("task", &label)]);
            }
            if let Some(w) = &note.window {
                // "… · Nov 26 1:00 PM–3:00 PM your time · 2:00 PM–4:00 PM for the ASE".
                for (zone, key) in [
                    (ctx.viewer_tz.as_str(), k!("ui.prep.when")),
                    (ase_zone, k!("ui.prep.for_ase")),
                ] {
                    let times = (intl.time(w.start_ms, zone), intl.time(w.end_ms, zone));
                    if let ((Some(start), Some(end)), Some(date)) =
                        (times, intl.date(w.start_ms, zone))
                    {
                        label.push_str(" · ");
                        label.push_str(
                            &c.render(key, &[("date", &date), ("start", &start), ("end", &end)]),
                        );
                    }
                }
            }
            let mut body = String::new();
            for (part, words) in &note.parts {
                body.push_str(&c.get(prep::heading_key(*part)));
                body.push_str(": ");
                body.push_str(words);
                body.push('\n');
            }
            body.push_str(&note.other);
            let body = body.trim().to_string();
            let ticket = read.found.ticket;
            items.push(ContextItem {
                label,
                fold: folds(&body),
                text: body,
                link: (ticket != ctx.ticket.id).then(|| {
                    let id = text::number_text(ticket as f64);
                    (
                        c.render(k!("ui.prep.ticket"), &[("id", &id)]),
                        slack::ticket_url(&ctx.subdomain, ticket),
                    )
                }),
                now: now && i == 0,
            });
        }
        if self.incomplete {
            items.push(ContextItem {
                label: c.get(k!("ui.prep.incomplete")),
                text: String::new(),
                fold: false,
                link: None,
                now: false,
            });
        }
        (!items.is_empty()).then(|| ContextView {
            id: "prep-notes",
            heading: c.get(k!("ui.prep.heading")),
            items,
            more: c.get(k!("ui.context.more")),
            less: c.get(k!("ui.context.less")),
        })
    }

    /// What the Slack root adds about the note planned now: its task and window (UTC) with a
    /// link to its ticket, then its possible problems and suggested solutions, escaped for
    /// mrkdwn; `None` when no note is planned now.
    pub fn slack_summary(
        &self,
        ctx: &Context,
        ase_zone: &str,
        now_ms: i64,
        tz: &dyn TzOffsets,
    ) -> Option<String> {
        let created = ctx.ticket.created_ms.unwrap_or(now_ms);
        let (reads, top) = self.notes(ase_zone, created, now_ms, tz);
        let top = reads.get(top?)?;
        let window = top.note.window.as_ref()?;
        let c = &ctx.catalog;
        let mut out = c.render(
            k!("slack.prep"),
            &[
                (
                    "link",
                    &slack::ticket_link(&ctx.subdomain, top.found.ticket),
                ),
                (
                    "task",
                    &escape_mrkdwn(&text::clip(top.note.task.trim(), 200)),
                ),
                ("window", &prep::human_range(window)),
            ],
        );
        for part in [Part::Problems, Part::Solutions] {
            if let Some(words) = top.note.part(part) {
                out.push('\n');
                out.push_str(&c.get(prep::heading_key(part)));
                out.push_str(": ");
                out.push_str(&escape_mrkdwn(&text::clip(words, 500)));
            }
        }
        Some(out)
    }
}
