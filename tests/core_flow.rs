//! The sidebar's whole flow, natively: a [`Sidebar`] driven against a fake Zendesk + Slack
//! "server" that answers its [`Request`]s the way the real APIs (and the local emulators) do.
//!
//! Every scenario renders the view-model to text and compares it with [`check`]; composed Slack
//! messages and note bodies are snapshots too. The real `translations/en.json` is loaded, so a
//! missing translation shows up as a raw key in a snapshot.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not
// reach; a broken fixture should stop the test with its message.
#![allow(clippy::expect_used)]
use ase_emergency_assist::core::map::SmallMap;
use ase_emergency_assist::core::notes::{self, PingRecord};
use ase_emergency_assist::core::prep::Draft;
use ase_emergency_assist::core::problems::setting_label;
use ase_emergency_assist::core::settings::RawSettings;
use ase_emergency_assist::core::sidebar::{
    Action, Body, Boot, Expect, Failure, Method, Reply, Request, Sidebar,
};
use ase_emergency_assist::core::slack::{
    self, EventPayloadDto, MetadataDto, PostMessageDto, ResponseMetadataDto, SlackMessageDto,
    SlackProfileDto, SlackResponseDto, SlackUserDto,
};
use ase_emergency_assist::core::text::{self, Catalog, TranslationNode};
use ase_emergency_assist::core::view::{
    AseView, Badge, ComposerView, FollowUpView, Message, Phase, PingView, Tone, View,
};
use ase_emergency_assist::core::workflow::composer::Ask;
use ase_emergency_assist::core::zendesk::{
    CommentDto, CommentsResponseDto, CursorMetaDto, FieldOptionDto, FieldValueDto, OrganizationDto,
    OrganizationFieldDto, OrganizationFieldsResponseDto, OrganizationResponseDto,
    SearchResponseDto, SearchResultDto, TicketDto, TicketResponseDto, ZafTicketDto, ZafUserDto,
    ZendeskUserDto,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

// ---- Fixtures ----

/// 2026-11-26T15:55:00Z, a Thursday: 10:55 in New York, 16:55 in Paris, 21:25 in Kolkata.
const NOW: i64 = 1_795_708_500_000;
const TICKET: u64 = 201;
const CHANNEL: &str = "C0EMERG001";
const ORG: u64 = 9;
const OLIVIA: u64 = 100;
/// Our Slack bot, as `auth.test` names it.
const BOT: &str = "B0BOT";

mod support;
use support::Tz;

fn catalog() -> Catalog {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/translations/en.json");
    let text = std::fs::read_to_string(path).expect("translations/en.json is readable");
    let tree: TranslationNode = serde_json::from_str(&text).expect("en.json is a translation tree");
    Catalog::from_tree(&tree)
}

fn settings(overrides: Value) -> RawSettings {
    let mut base = json!({
        "slack_channel_id": CHANNEL,
        "emergency_priorities": "urgent",
        "emergency_tags": "emergency",
        "emergency_keywords": "outage, data loss",
        "ase_org_field": "ase_email",
        "working_hours": "Mon-Fri 09:00-17:00",
        "hide_when_not_emergency": true,
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), overrides.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(base).expect("settings fixture")
}

fn ticket(overrides: Value) -> ZafTicketDto {
    let mut base = json!({
        "id": TICKET,
        "subject": "Checkout down for all EU customers",
        "priority": "urgent",
        "tags": ["vip"],
        "organization": {"id": ORG, "name": "Acme Corp"},
        "assignee": {"user": {"id": OLIVIA, "name": "Olivia On-call"}},
        "updatedAt": "2026-11-26T15:50:00Z",
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), overrides.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(base).expect("ticket fixture")
}

fn olivia() -> ZafUserDto {
    ZafUserDto {
        id: OLIVIA,
        name: "Olivia On-call".into(),
        email: Some("olivia@acme.test".into()),
        alias: None,
    }
}

fn boot(settings: RawSettings, ticket: ZafTicketDto, viewer: ZafUserDto) -> Boot {
    Boot {
        settings,
        ticket,
        custom_field_value: None,
        ase_field_value: None,
        current_user: viewer,
        locale: "en-US".into(),
        subdomain: "acme".into(),
        viewer_tz: "Europe/Paris".into(),
        seed: 7,
        catalog: catalog(),
    }
}

fn slack_user(id: &str, real: &str, display: &str, email: &str, tz: Option<&str>) -> SlackUserDto {
    SlackUserDto {
        id: id.into(),
        name: real.to_lowercase().replace(' ', "."),
        real_name: Some(real.into()),
        deleted: false,
        tz: tz.map(Into::into),
        tz_offset: None,
        profile: SlackProfileDto {
            display_name: display.into(),
            real_name: real.into(),
            email: Some(email.into()),
        },
    }
}

// ---- The fake server ----

/// Fault and lost-answer keys of the two kinds of ticket update: the note, and the claim's tags.
const NOTE_PUT: &str = "PUT /api/v2/tickets/201#note";
const CLAIM_PUT: &str = "PUT /api/v2/tickets/201#tags";

/// `#note` for a ticket update with a comment, `#tags` for one without, else nothing.
fn update_kind(request: &Request) -> &'static str {
    match request.body.as_deref() {
        Some(Body::TicketUpdate(u)) if u.ticket.comment.is_some() => "#note",
        Some(Body::TicketUpdate(_)) => "#tags",
        _ => "",
    }
}

/// One message in the fake Slack channel.
#[derive(Debug, Clone)]
struct Msg {
    /// Who posted it: our bot (`BOT`) unless a test forges one.
    bot_id: &'static str,
    ts: String,
    text: String,
    thread_ts: Option<String>,
    metadata: Option<MetadataDto>,
}

/// A failure to inject, keyed by Slack method or by `"<METHOD> <zendesk path>"`.
#[derive(Debug, Clone)]
enum Fault {
    /// HTTP 200 `{"ok":false,"error":...}`.
    SlackError(&'static str),
    /// A non-2xx answer; `body` as the shell hands it to the core: a JSON error reduced to its
    /// readable part (`answerOf`), any other body as it came.
    Http {
        status: u16,
        retry_after_s: Option<u32>,
        body: &'static str,
    },
    Transport,
}

/// What the host reports for a request that got no answer in time.
const TIMED_OUT: Failure = Failure::Timeout { after_s: 30 };

#[derive(Debug)]
struct Server {
    organizations: BTreeMap<u64, OrganizationDto>,
    comments: Vec<CommentDto>,
    updated: u32,
    /// Edits by someone else that land just before each of the next PUTs.
    concurrent_edits: u32,
    /// A note another agent writes at the next concurrent edit.
    concurrent_note: Option<String>,
    slack_users: Vec<SlackUserDto>,
    presence: BTreeMap<String, &'static str>,
    /// Slack users' Do Not Disturb: on or off, and its current or next window (Unix seconds).
    dnd: BTreeMap<String, (bool, i64, i64)>,
    messages: Vec<Msg>,
    next_ts: u32,
    faults: Vec<(String, Fault, u32)>,
    /// Requests (same keys as `faults`) whose effect happens but whose answer is lost: the app
    /// sees its own time-out.
    lost_answers: Vec<(String, u32)>,
    /// Zendesk users who are end users (customers): their private comments are not staff notes.
    end_users: Vec<u64>,
    /// The most messages one Slack page holds here (Slack may page shorter than `limit`).
    slack_page_size: usize,
    /// Every request, as `"<METHOD> <url>"` with Slack's base shortened to `slack:`.
    log: Vec<String>,
    posts: Vec<PostMessageDto>,
    /// The agent whose browser makes the requests (author of notes).
    agent: u64,
    /// The ticket's tags (the ping's claims live here).
    tags: Vec<String>,
    /// The emergency channel's members (Slack user IDs).
    members: Vec<String>,
    /// The bot's direct messages with the ASE (`D` + the user ID's tail).
    dms: Vec<Msg>,
    /// The account's organization field definitions.
    org_fields: Vec<OrganizationFieldDto>,
    /// The organization's other tickets tagged with the prep-note tag, newest first, with
    /// their comments (the Search API and those tickets' comments).
    tagged: Vec<(u64, Vec<CommentDto>)>,
    /// Zendesk's one-second stamps: writes within the same second leave `updated_at` as it was,
    /// so a safe update with the older stamp still passes.
    coarse_stamps: bool,
}

impl Server {
    fn new() -> Server {
        let mut organizations = BTreeMap::new();
        organizations.insert(
            ORG,
            OrganizationDto {
                id: ORG,
                name: "Acme Corp".into(),
                details: None,
                notes: None,
                organization_fields: SmallMap::from([
                    (
                        "ase_email".to_string(),
                        FieldValueDto::Text("maria@acme.test".into()),
                    ),
                    ("tier".to_string(), FieldValueDto::Text("enterprise".into())),
                ]),
            },
        );
        Server {
            organizations,
            comments: vec![CommentDto {
                id: 1,
                author_id: 500,
                body: "Our checkout is down!".into(),
                public: true,
                created_at: "2026-11-26T15:40:00Z".into(),
            }],
            updated: 0,
            concurrent_edits: 0,
            concurrent_note: None,
            slack_users: vec![
                slack_user(
                    "U0MARIA01",
                    "Maria Lopez",
                    "maria",
                    "maria@acme.test",
                    Some("America/New_York"),
                ),
                slack_user(
                    "U0RAVI001",
                    "Ravi Kumar",
                    "",
                    "ravi@acme.test",
                    Some("Asia/Kolkata"),
                ),
                slack_user("U0NOTZ001", "Noor Tz", "noor", "noor@acme.test", None),
            ],
            dnd: BTreeMap::new(),
            presence: BTreeMap::from([
                ("U0MARIA01".to_string(), "active"),
                ("U0RAVI001".to_string(), "away"),
                ("U0NOTZ001".to_string(), "active"),
            ]),
            messages: vec![
                Msg {
                    bot_id: BOT,
                    ts: "1795696000.000100".into(),
                    text: "Morning all".into(),
                    thread_ts: None,
                    metadata: None,
                },
                Msg {
                    bot_id: BOT,
                    ts: "1795697000.000100".into(),
                    text: "Emergency #199".into(),
                    thread_ts: None,
                    metadata: Some(slack::metadata(
                        slack::TicketKey {
                            subdomain: "acme",
                            ticket_id: 199,
                        },
                        "root",
                        "n199",
                    )),
                },
            ],
            next_ts: 0,
            faults: Vec::new(),
            lost_answers: Vec::new(),
            end_users: vec![110],
            slack_page_size: 200,
            log: Vec::new(),
            posts: Vec::new(),
            agent: OLIVIA,
            tags: Vec::new(),
            members: vec!["U0MARIA01".into(), "U0OLIVIA1".into()],
            dms: Vec::new(),
            tagged: Vec::new(),
            org_fields: vec![
                org_field("ase_email", "ASE email", &[]),
                org_field(
                    "tier",
                    "Support tier",
                    &[("enterprise", "Enterprise (24/7)")],
                ),
                org_field("architecture", "Architecture", &[]),
            ],
            coarse_stamps: false,
        }
    }

    fn fail(&mut self, key: &str, fault: Fault, count: u32) {
        self.faults.push((key.to_string(), fault, count));
    }

    /// The next `count` requests of `key` take effect, and then their answer never arrives.
    fn lose_answer(&mut self, key: &str, count: u32) {
        self.lost_answers.push((key.to_string(), count));
    }

    fn take_lost_answer(&mut self, key: &str) -> bool {
        match self
            .lost_answers
            .iter_mut()
            .find(|(k, n)| k == key && *n > 0)
        {
            Some(slot) => {
                slot.1 -= 1;
                true
            }
            None => false,
        }
    }

    /// The next ping note's `PUT` fails with a 503, before it takes effect.
    fn fail_note_once(&mut self) {
        let fault = Fault::Http {
            status: 503,
            retry_after_s: None,
            body: "Service Unavailable",
        };
        self.fail(NOTE_PUT, fault, 1);
    }

    fn take_fault(&mut self, key: &str) -> Option<Fault> {
        let slot = self
            .faults
            .iter_mut()
            .find(|(k, _, n)| k == key && *n > 0)?;
        slot.2 -= 1;
        Some(slot.1.clone())
    }

    fn ticket_answer(&self) -> TicketResponseDto {
        TicketResponseDto {
            ticket: TicketDto {
                id: TICKET,
                updated_at: self.updated_at(),
                tags: self.tags.clone(),
            },
        }
    }

    fn updated_at(&self) -> String {
        format!("2026-11-26T15:50:{:02}Z", self.updated)
    }

    fn add_note(&mut self, author_id: u64, body: String) {
        let id = self.comments.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        self.comments.push(CommentDto {
            id,
            author_id,
            body,
            public: false,
            created_at: format!("2026-11-26T15:5{}:00Z", id % 10),
        });
        self.updated += 1;
    }

    /// A page of comments, newest first, as Zendesk's cursor pagination gives it: `page[size]`
    /// (at most 100), `page[after]`, `meta.has_more`/`after_cursor`, and the authors
    /// side-loaded with `include=users` (agents, except the ids in `end_users`).
    fn comments_page(&self, url: &str) -> CommentsResponseDto {
        let (_, query) = split_url(url);
        assert_eq!(query.get("include").map(String::as_str), Some("users"));
        let size: usize = query
            .get("page[size]")
            .and_then(|s| s.parse().ok())
            .unwrap_or(100)
            .min(100);
        let start: usize = query
            .get("page[after]")
            .map(|c| {
                c.strip_prefix("cursor-")
                    .and_then(|n| n.parse().ok())
                    .expect("a cursor this server made")
            })
            .unwrap_or(0);
        let mut all = self.comments.clone();
        all.reverse();
        let comments: Vec<CommentDto> = all.iter().skip(start).take(size).cloned().collect();
        let end = start + comments.len();
        let mut users: Vec<ZendeskUserDto> = Vec::new();
        for c in &comments {
            if !users.iter().any(|u| u.id == c.author_id) {
                let role = if self.end_users.contains(&c.author_id) {
                    "end-user"
                } else {
                    "agent"
                };
                users.push(ZendeskUserDto {
                    id: c.author_id,
                    role: role.into(),
                });
            }
        }
        CommentsResponseDto {
            comments,
            next_page: None,
            users,
            meta: Some(CursorMetaDto {
                has_more: end < all.len(),
                after_cursor: (end < all.len()).then(|| format!("cursor-{end}")),
            }),
        }
    }

    /// One page of `messages` as Slack pages them: at most `limit`, and at most `slack_page_size`
    /// (Slack may return fewer than asked while more remain), with `response_metadata.next_cursor`.
    fn slack_page(
        &self,
        messages: Vec<SlackMessageDto>,
        query: &BTreeMap<String, String>,
        ok: SlackResponseDto,
    ) -> SlackResponseDto {
        let limit: usize = query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(100);
        let size = limit.min(self.slack_page_size);
        let start: usize = query
            .get("cursor")
            .map(|c| {
                c.strip_prefix("slack-")
                    .and_then(|n| n.parse().ok())
                    .expect("a cursor this server made")
            })
            .unwrap_or(0);
        let total = messages.len();
        let page: Vec<SlackMessageDto> = messages.into_iter().skip(start).take(size).collect();
        let end = start + page.len();
        SlackResponseDto {
            messages: Some(page),
            has_more: Some(end < total),
            response_metadata: Some(ResponseMetadataDto {
                next_cursor: if end < total {
                    format!("slack-{end}")
                } else {
                    String::new()
                },
            }),
            ..ok
        }
    }

    /// `n` thread roots of other integrations, newer than everything so far.
    fn add_foreign_roots(&mut self, n: usize) {
        for _ in 0..n {
            self.next_ts += 1;
            self.messages.push(Msg {
                bot_id: BOT,
                ts: format!("{}.{:06}", 1_795_708_500 + self.next_ts, self.next_ts),
                text: "deploy finished".into(),
                thread_ts: None,
                metadata: None,
            });
        }
    }

    fn add_public_comments(&mut self, n: usize) {
        for _ in 0..n {
            let id = self.comments.iter().map(|c| c.id).max().unwrap_or(0) + 1;
            self.comments.push(CommentDto {
                id,
                author_id: 110,
                body: "still down".into(),
                public: true,
                created_at: "2026-11-26T15:59:00Z".into(),
            });
        }
    }

    fn root_messages(&self) -> Vec<&Msg> {
        self.messages
            .iter()
            .filter(|m| m.thread_ts.is_none())
            .collect()
    }

    fn answer(&mut self, request: &Request) -> Result<Reply, Failure> {
        let (path, query) = split_url(&request.url);
        if let Some(method) = path.strip_prefix(slack::API_BASE) {
            self.log.push(format!(
                "{} slack:{}",
                request.method.as_str(),
                &request.url[slack::API_BASE.len()..]
            ));
            assert!(request.secure, "Slack calls are secure: {request:?}");
            assert_eq!(
                request.headers,
                vec![(
                    "Authorization".to_string(),
                    "Bearer {{setting.slack_bot_token}}".to_string()
                )]
            );
            assert_eq!(request.expect, Expect::Slack);
            let key = slack_key(method, request);
            let lost = self.take_lost_answer(&key);
            let reply = self.slack(&key, &query, request);
            return if lost { Err(TIMED_OUT) } else { reply };
        }
        self.log
            .push(format!("{} {}", request.method.as_str(), request.url));
        assert!(!request.secure, "Zendesk calls are not secure: {request:?}");
        assert!(request.headers.is_empty());
        let key = format!("{} {path}", request.method.as_str());
        let lost = self.take_lost_answer(&format!("{key}{}", update_kind(request)))
            || self.take_lost_answer(&key);
        let reply = self.zendesk(request.method, &path, request);
        if lost {
            Err(TIMED_OUT)
        } else {
            reply
        }
    }

    fn zendesk(&mut self, method: Method, path: &str, request: &Request) -> Result<Reply, Failure> {
        let key = format!("{} {path}", method.as_str());
        let fault = self
            .take_fault(&format!("{key}{}", update_kind(request)))
            .or_else(|| self.take_fault(&key));
        match fault {
            Some(Fault::Http {
                status,
                retry_after_s,
                body,
            }) => {
                return Err(Failure::Http {
                    status,
                    body: body.into(),
                    retry_after_s,
                })
            }
            Some(Fault::Transport) => {
                return Err(Failure::Transport {
                    detail: "network down".into(),
                })
            }
            Some(Fault::SlackError(_)) | None => {}
        }
        let not_found = Failure::Http {
            status: 404,
            body: "Not found".into(),
            retry_after_s: None,
        };
        let segments: Vec<&str> = path.trim_start_matches("/api/v2/").split('/').collect();
        match (method, segments.as_slice()) {
            (Method::Get, ["organization_fields" | "organization_fields.json"]) => {
                assert_eq!(request.expect, Expect::OrganizationFields);
                // Two definitions a page, with Zendesk's absolute `next_page`.
                let page: usize = query_of(&request.url, "page").parse().unwrap_or(1);
                let fields: Vec<_> = self
                    .org_fields
                    .iter()
                    .skip((page - 1) * 2)
                    .take(2)
                    .cloned()
                    .collect();
                let next_page = (page * 2 < self.org_fields.len()).then(|| {
                    format!(
                        "https://acme.zendesk.com/api/v2/organization_fields.json?page={}",
                        page + 1
                    )
                });
                Ok(Reply::OrganizationFields(OrganizationFieldsResponseDto {
                    organization_fields: fields,
                    next_page,
                }))
            }
            (Method::Get, ["organizations", id]) => {
                assert_eq!(request.expect, Expect::Organization);
                let id: u64 = id.parse().map_err(|_| not_found.clone())?;
                let organization = self.organizations.get(&id).cloned().ok_or(not_found)?;
                Ok(Reply::Organization(OrganizationResponseDto {
                    organization,
                }))
            }
            (Method::Get, ["tickets", id, "comments"]) if *id == TICKET.to_string() => {
                assert_eq!(request.expect, Expect::Comments);
                Ok(Reply::Comments(self.comments_page(&request.url)))
            }
            (Method::Get, ["search"]) => {
                assert_eq!(request.expect, Expect::Search);
                let (_, query) = split_url(&request.url);
                let ours = format!("organization:{ORG} ");
                let mut results = Vec::new();
                // The tagged tickets are the world organization's.
                let tagged = if query["query"].contains(&ours) {
                    self.tagged.as_slice()
                } else {
                    &[]
                };
                for (id, _) in tagged {
                    results.push(SearchResultDto {
                        id: *id,
                        subject: None,
                    });
                }
                Ok(Reply::Search(SearchResponseDto {
                    results,
                    next_page: None,
                }))
            }
            (Method::Get, ["tickets", id, "comments"]) => {
                assert_eq!(request.expect, Expect::Comments);
                let (_, comments) = self
                    .tagged
                    .iter()
                    .find(|(t, _)| t.to_string() == *id)
                    .ok_or(not_found.clone())?;
                Ok(Reply::Comments(CommentsResponseDto {
                    comments: comments.clone(),
                    users: vec![ZendeskUserDto {
                        id: 101,
                        role: "agent".into(),
                    }],
                    meta: None,
                    next_page: None,
                }))
            }
            (Method::Get, ["tickets", id]) if *id == TICKET.to_string() => {
                assert_eq!(request.expect, Expect::Ticket);
                Ok(Reply::Ticket(self.ticket_answer()))
            }
            (Method::Put, ["tickets", id]) if *id == TICKET.to_string() => {
                assert_eq!(request.expect, Expect::Ticket);
                let Some(Body::TicketUpdate(update)) = request.body.as_deref() else {
                    panic!("PUT without a ticket update: {request:?}");
                };
                assert_eq!(
                    request.body.as_deref().map(Body::content_type),
                    Some("application/json; charset=utf-8")
                );
                if self.concurrent_edits > 0 && update.ticket.comment.is_some() {
                    self.concurrent_edits -= 1;
                    match self.concurrent_note.take() {
                        Some(body) => self.add_note(102, body),
                        None => self.updated += 1,
                    }
                }
                let inner = &update.ticket;
                if let Some(comment) = &inner.comment {
                    // A prep note adds a comment and a tag: nothing to clobber, no safe update.
                    let prep = comment.body.contains("ase-emergency-assist:v1 prep");
                    assert!(
                        prep || inner.safe_update,
                        "a note is written with a safe update"
                    );
                    assert!(!comment.public, "the app's notes are internal");
                }
                if inner.safe_update && inner.updated_stamp != self.updated_at() {
                    return Err(Failure::Http {
                        status: 409,
                        body: "Safe Update prevented the update due to outdated ticket data."
                            .into(),
                        retry_after_s: None,
                    });
                }
                let before = self.tags.clone();
                self.tags.retain(|t| !inner.remove_tags.contains(t));
                for t in &inner.additional_tags {
                    if !self.tags.contains(t) {
                        self.tags.push(t.clone());
                    }
                }
                let updated = self.updated;
                match &inner.comment {
                    Some(comment) => self.add_note(self.agent, comment.body.clone()),
                    None if self.tags != before => self.updated += 1,
                    None => {}
                }
                if self.coarse_stamps {
                    self.updated = updated;
                }
                Ok(Reply::Ticket(self.ticket_answer()))
            }
            _ => Err(not_found),
        }
    }

    fn slack(
        &mut self,
        method: &str,
        query: &BTreeMap<String, String>,
        request: &Request,
    ) -> Result<Reply, Failure> {
        let ok = SlackResponseDto {
            ok: true,
            ..SlackResponseDto::default()
        };
        let error = |e: &str| {
            Ok(Reply::Slack(SlackResponseDto {
                ok: false,
                error: Some(e.into()),
                ..SlackResponseDto::default()
            }))
        };
        match self.take_fault(method) {
            Some(Fault::SlackError(e)) => return error(e),
            Some(Fault::Http {
                status,
                retry_after_s,
                body,
            }) => {
                return Err(Failure::Http {
                    status,
                    body: body.into(),
                    retry_after_s,
                })
            }
            Some(Fault::Transport) => {
                return Err(Failure::Transport {
                    detail: "network down".into(),
                })
            }
            None => {}
        }
        let arg = |k: &str| query.get(k).cloned().unwrap_or_default();
        let with_metadata = arg("include_all_metadata") == "true";
        let dto = |m: &Msg| SlackMessageDto {
            ts: m.ts.clone(),
            text: m.text.clone(),
            user: None,
            bot_id: Some(m.bot_id.into()),
            thread_ts: m.thread_ts.clone(),
            metadata: if with_metadata {
                m.metadata.clone()
            } else {
                None
            },
        };
        match method {
            "conversations.open" => {
                assert_eq!(request.method, Method::Post);
                let user = arg("users");
                if !self.slack_users.iter().any(|u| u.id == user) {
                    return error("user_not_found");
                }
                let channel = Some(format!("D{}", &user[1..]));
                Ok(Reply::Slack(SlackResponseDto { channel, ..ok }))
            }
            "conversations.history dm" => {
                assert_eq!(arg("channel"), "D0MARIA01");
                let mut dms: Vec<SlackMessageDto> = self.dms.iter().map(dto).collect();
                dms.reverse();
                Ok(Reply::Slack(self.slack_page(dms, query, ok)))
            }
            "chat.postMessage dm" => {
                let Some(Body::SlackPost(post)) = request.body.as_deref() else {
                    panic!("chat.postMessage without a body: {request:?}");
                };
                assert_eq!(
                    (post.channel.as_str(), &post.thread_ts),
                    ("D0MARIA01", &None)
                );
                self.next_ts += 1;
                let ts = format!("{}.{:06}", 1_795_708_500 + self.next_ts, self.next_ts);
                self.dms.push(Msg {
                    bot_id: BOT,
                    ts: ts.clone(),
                    text: post.text.clone(),
                    thread_ts: None,
                    metadata: Some(post.metadata.clone()),
                });
                Ok(Reply::Slack(SlackResponseDto { ts: Some(ts), ..ok }))
            }
            "users.lookupByEmail" => {
                assert_eq!(request.method, Method::Get);
                match self
                    .slack_users
                    .iter()
                    .find(|u| u.profile.email.as_deref() == Some(&arg("email")))
                {
                    Some(user) => Ok(Reply::Slack(SlackResponseDto {
                        user: Some(user.clone()),
                        ..ok
                    })),
                    None => error("users_not_found"),
                }
            }
            "users.getPresence" => {
                let presence = self.presence.get(&arg("user")).map(|p| p.to_string());
                Ok(Reply::Slack(SlackResponseDto { presence, ..ok }))
            }
            // Slack answers a window even when Do Not Disturb is off (the emulator: 1, 1).
            "dnd.info" => {
                let (on, start, end) = self.dnd.get(&arg("user")).copied().unwrap_or((false, 1, 1));
                Ok(Reply::Slack(SlackResponseDto {
                    dnd_enabled: Some(on),
                    next_dnd_start_ts: Some(start),
                    next_dnd_end_ts: Some(end),
                    ..ok
                }))
            }
            "conversations.history" => {
                assert_eq!(request.method, Method::Get);
                if arg("channel") != CHANNEL {
                    return error("channel_not_found");
                }
                let mut roots: Vec<SlackMessageDto> =
                    self.root_messages().into_iter().map(dto).collect();
                roots.reverse();
                Ok(Reply::Slack(self.slack_page(roots, query, ok)))
            }
            "conversations.replies" => {
                assert_eq!(request.method, Method::Get);
                let ts = arg("ts");
                let Some(root) = self
                    .messages
                    .iter()
                    .find(|m| m.ts == ts && m.thread_ts.is_none())
                else {
                    return error("thread_not_found");
                };
                let mut messages = vec![dto(root)];
                messages.extend(
                    self.messages
                        .iter()
                        .filter(|m| m.thread_ts.as_deref() == Some(&ts))
                        .map(dto),
                );
                Ok(Reply::Slack(self.slack_page(messages, query, ok)))
            }
            "chat.postMessage" => {
                assert_eq!(request.method, Method::Post);
                let Some(Body::SlackPost(post)) = request.body.as_deref() else {
                    panic!("chat.postMessage without a body: {request:?}");
                };
                if post.channel != CHANNEL {
                    return error("channel_not_found");
                }
                if let Some(root) = &post.thread_ts {
                    if !self
                        .messages
                        .iter()
                        .any(|m| &m.ts == root && m.thread_ts.is_none())
                    {
                        return error("thread_not_found");
                    }
                }
                self.next_ts += 1;
                let ts = format!("{}.{:06}", 1_795_708_500 + self.next_ts, self.next_ts);
                let msg = Msg {
                    bot_id: BOT,
                    ts: ts.clone(),
                    text: post.text.clone(),
                    thread_ts: post.thread_ts.clone(),
                    metadata: Some(post.metadata.clone()),
                };
                self.messages.push(msg.clone());
                self.posts.push(post.clone());
                Ok(Reply::Slack(SlackResponseDto {
                    ts: Some(ts),
                    channel: Some(CHANNEL.into()),
                    message: Some(SlackMessageDto {
                        metadata: msg.metadata.clone(),
                        ..dto(&msg)
                    }),
                    ..ok
                }))
            }
            "auth.test" => Ok(Reply::Slack(SlackResponseDto {
                bot_id: Some(BOT.into()),
                ..ok
            })),
            "conversations.members" => Ok(Reply::Slack(SlackResponseDto {
                members: Some(self.members.clone()),
                ..ok
            })),
            "conversations.invite" => {
                let Some(Body::SlackInvite(invite)) = request.body.as_deref() else {
                    panic!("conversations.invite without its arguments: {request:?}");
                };
                assert_eq!(invite.channel, CHANNEL);
                if self.members.contains(&invite.users) {
                    return error("already_in_channel");
                }
                self.members.push(invite.users.clone());
                Ok(Reply::Slack(ok))
            }
            "chat.getPermalink" => {
                let ts = arg("message_ts").replace('.', "");
                let permalink = format!(
                    "https://acme-team.slack.com/archives/{}/p{ts}",
                    arg("channel")
                );
                Ok(Reply::Slack(SlackResponseDto {
                    permalink: Some(permalink),
                    ..ok
                }))
            }
            _ => error("unknown_method"),
        }
    }
}

/// The fault key of a Slack call: its method, with ` dm` when it posts or reads in the direct
/// message (`chat.postMessage dm`, `conversations.history dm`).
fn slack_key(method: &str, request: &Request) -> String {
    let dm = match request.body.as_deref() {
        Some(Body::SlackPost(post)) => post.channel.starts_with('D'),
        _ => request.url.contains("channel=D"),
    };
    match dm {
        true => format!("{method} dm"),
        false => method.to_string(),
    }
}

fn query_of(url: &str, key: &str) -> String {
    split_url(url).1.get(key).cloned().unwrap_or_default()
}

fn org_field(key: &str, title: &str, options: &[(&str, &str)]) -> OrganizationFieldDto {
    OrganizationFieldDto {
        key: key.into(),
        title: title.into(),
        custom_field_options: options
            .iter()
            .map(|(value, name)| FieldOptionDto {
                name: (*name).into(),
                value: (*value).into(),
            })
            .collect(),
    }
}

fn split_url(url: &str) -> (String, BTreeMap<String, String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (slack::percent_decode(k), slack::percent_decode(v))
        })
        .collect();
    (path.to_string(), pairs)
}

// ---- The harness ----

struct Harness {
    sidebar: Sidebar,
    server: Server,
    ids: Vec<u32>,
    /// The clock: NOW until a test lets time pass ([`Harness::settle`]).
    now: i64,
}

impl Harness {
    fn new(server: Server, boot: Boot) -> Harness {
        Harness {
            sidebar: Sidebar::new(boot, NOW, &Tz),
            server,
            ids: Vec::new(),
            now: NOW,
        }
    }

    fn start(server: Server) -> Harness {
        let mut h = Harness::new(
            server,
            boot(settings(json!({})), ticket(json!({})), olivia()),
        );
        h.run();
        h
    }

    /// Answers one request; false when there is none.
    fn step(&mut self) -> bool {
        let Some(request) = self.sidebar.poll_request() else {
            return false;
        };
        assert!(
            !self.ids.contains(&request.id),
            "request ids are unique: {request:?}"
        );
        self.ids.push(request.id);
        let reply = self.server.answer(&request);
        self.sidebar.handle_reply(request.id, reply, self.now, &Tz);
        true
    }

    /// Runs, then lets the clock jump to each wake-up the sidebar asks for (a `Retry-After`
    /// countdown, a re-read while another agent pings), `max` times at most.
    fn settle(&mut self, max: usize) {
        self.run();
        for _ in 0..max {
            let Some(at) = self.sidebar.next_wake(self.now) else {
                return;
            };
            assert!(at >= self.now, "a wake-up in the past");
            self.now = at;
            self.sidebar.tick(self.now);
            self.run();
        }
    }

    fn run(&mut self) {
        let mut budget = 200;
        while self.step() {
            budget -= 1;
            assert!(
                budget > 0,
                "the sidebar keeps asking: {:#?}",
                self.server.log
            );
        }
    }

    fn click(&mut self, action: Action) {
        self.sidebar.handle_action(action, self.now, &Tz);
    }

    fn view(&self) -> View {
        self.sidebar.view(self.now, &Tz)
    }

    fn log(&self) -> String {
        self.server.log.join("\n")
    }

    fn clear_log(&mut self) {
        self.server.log.clear();
    }

    /// What the app wrote: (thread roots, mentions, ping notes).
    fn written(&self) -> (usize, usize, usize) {
        let posts = &self.server.posts;
        let roots = posts.iter().filter(|p| p.thread_ts.is_none()).count();
        (roots, posts.len() - roots, self.notes().len())
    }

    fn notes(&self) -> Vec<String> {
        self.server
            .comments
            .iter()
            .filter(|c| !c.public)
            .map(|c| c.body.clone())
            .collect()
    }
}

// ---- Rendering the view for snapshots ----

fn badge(b: &Option<Badge>) -> String {
    match b {
        Some(Badge { text, tone }) => {
            let tone = match tone {
                Tone::Good => "good",
                Tone::Warn => "warn",
                Tone::Neutral => "neutral",
            };
            format!("[{tone}] {text}")
        }
        None => "-".into(),
    }
}

/// A message with its technical detail in braces: `text {detail}`.
fn message(m: &Message) -> String {
    match &m.detail {
        Some(detail) => format!("{} {{{detail}}}", m.text),
        None => m.text.clone(),
    }
}

fn super_message(m: &Message) -> String {
    message(m)
}

fn render(view: &View) -> String {
    let mut out = vec![
        format!("phase: {}", view.phase.as_str()),
        format!("headline: {}", view.headline),
    ];
    if view.collapsed {
        out.push("collapsed".into());
    }
    out.extend(
        view.problems
            .iter()
            .map(|p| format!("problem: {}", message(p))),
    );
    if let Some(e) = &view.emergency {
        out.extend(e.reasons.iter().map(|r| format!("reason: {r}")));
        out.push(format!("role: {}", e.viewer_role));
        match &e.ase {
            AseView::Loading { text } => out.push(format!("ase: loading: {text}")),
            AseView::None { text } => out.push(format!("ase: none: {text}")),
            AseView::Failed(m) => {
                out.push(format!("ase: failed: {}", message(m)));
                if let Some(label) = &e.ase_retry {
                    out.push(format!("  [{label}]"));
                }
            }
            AseView::Found(card) => {
                out.push(format!("ase: {} {}", card.name, card.handle));
                out.push(format!(
                    "  local: {}",
                    card.local_time.as_deref().unwrap_or("-")
                ));
                out.push(format!("  hours: {}", badge(&card.hours)));
                out.push(format!("  presence: {}", badge(&card.presence)));
                if card.dnd.is_some() {
                    out.push(format!("  dnd: {}", badge(&card.dnd)));
                }
                if let Some(problem) = &card.presence_problem {
                    out.push(format!("  presence problem: {}", message(problem)));
                }
            }
        }
        for c in [&e.prep, &e.context].into_iter().flatten() {
            out.push(format!("{}: {}", c.id, c.heading));
            for item in &c.items {
                let fold = if item.fold { " [folded]" } else { "" };
                let now = if item.now { "[now] " } else { "" };
                out.push(format!("  {now}{}{fold}: {}", item.label, item.text));
                if let Some((words, href)) = &item.link {
                    out.push(format!("    <{words}: {href}>"));
                }
            }
        }
        out.push(match &e.ping {
            PingView::Hidden => "ping: hidden".into(),
            PingView::Ready { label } => format!("ping: [{label}]"),
            PingView::InFlight { label } => format!("ping: in flight: {label}"),
            PingView::Done {
                text,
                permalink,
                link_label,
            } => {
                format!("ping: done: {text} <{link_label}: {permalink}>")
            }
            PingView::Failed {
                message,
                retry_label,
                copy,
            } => match copy {
                None => format!("ping: failed: {} [{retry_label}]", super_message(message)),
                Some((label, text)) => format!(
                    "ping: failed: {} [{retry_label}]\n  copy [{label}]:\n{text}",
                    super_message(message)
                ),
            },
        });
    }
    out.join("\n")
}

/// Compares `actual` with an indented multi-line `expect` literal, showing both on mismatch.
#[track_caller]
fn check(actual: &str, expect: &str) {
    let expect = trim_indent(expect);
    if actual.trim_end() != expect.trim_end() {
        panic!("\n--- expected\n{expect}\n--- actual\n{actual}\n---\n");
    }
}

fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// No view text may be a translation key: a missing key renders as itself.
#[track_caller]
fn assert_no_raw_keys(view: &View) {
    let text = render(view);
    for prefix in ["ui.", "slack.", "note.", "problems.", "app.", "{{"] {
        for line in text.lines() {
            let value = line.split_once(": ").map_or(line, |(_, v)| v);
            assert!(
                !value.starts_with(prefix) && !value.contains(&format!(" {prefix}")),
                "raw key in view: {line}"
            );
        }
    }
}

// ---- Detection (D1, D2) ----

#[test]
fn non_emergency_tickets_make_no_requests() {
    let cases: &[(Value, Value, &str)] = &[
        (json!({}), json!({"priority": "normal", "subject": "Question about invoices"}), "
            phase: not-emergency
            headline: Not an emergency
            collapsed
        "),
        (json!({"hide_when_not_emergency": false}), json!({"priority": null, "subject": null, "tags": []}), "
            phase: not-emergency
            headline: Not an emergency
        "),
        (json!({"slack_channel_id": "emergencies"}), json!({"priority": "low"}), "
            phase: misconfigured
            headline: Settings need attention
            problem: “Emergency Slack channel ID” is “emergencies”, which is not a Slack channel ID (C…)
        "),
    ];
    for (settings_json, ticket_json, expect) in cases {
        let mut h = Harness::new(
            Server::new(),
            boot(
                settings(settings_json.clone()),
                ticket(ticket_json.clone()),
                olivia(),
            ),
        );
        h.run();
        h.click(Action::Ping);
        h.run();
        check(&render(&h.view()), expect);
        assert_eq!(h.log(), "", "no request for {ticket_json}");
    }
}

#[test]
fn emergency_reasons_say_why() {
    let cases: &[(Value, Value, Option<&str>, &str)] = &[
        (json!({}), json!({}), None, "reason: Priority is urgent"),
        (
            json!({}),
            json!({"priority": "high", "tags": ["vip", "Emergency"]}),
            None,
            "reason: Tagged emergency",
        ),
        (
            json!({}),
            json!({"priority": "high", "subject": "Total OUTAGE in prod"}),
            None,
            "reason: Subject mentions “outage”",
        ),
        (
            json!({"emergency_form_ids": "360001, 360002"}),
            json!({"priority": "normal", "form": {"id": 360002}}),
            None,
            "reason: Uses the emergency ticket form 360002",
        ),
        (
            json!({"emergency_field_id": "777", "emergency_field_values": "sev1"}),
            json!({"priority": "normal"}),
            Some("sev1"),
            "reason: Field 777 is “sev1”",
        ),
        (
            // A checkbox field: its value is "true", which the agent reads as "checked".
            json!({"emergency_field_id": "778", "emergency_field_values": ""}),
            json!({"priority": "normal"}),
            Some("true"),
            "reason: Field 778 is checked",
        ),
        (
            json!({}),
            json!({"tags": ["emergency"], "subject": "data loss and outage"}),
            None,
            "
            reason: Priority is urgent
            reason: Tagged emergency
            reason: Subject mentions “outage”
            reason: Subject mentions “data loss”",
        ),
    ];
    for (settings_json, ticket_json, field, expect) in cases {
        let mut b = boot(
            settings(settings_json.clone()),
            ticket(ticket_json.clone()),
            olivia(),
        );
        b.custom_field_value = field.map(Into::into);
        let h = Harness::new(Server::new(), b);
        let view = h.view();
        let reasons: Vec<String> = view
            .emergency
            .iter()
            .flat_map(|e| e.reasons.iter())
            .map(|r| format!("reason: {r}"))
            .collect();
        check(&reasons.join("\n"), expect);
    }
}

#[test]
fn setting_problems_name_the_setting() {
    let cases: &[(Value, &str)] = &[
        (json!({"slack_channel_id": "emergencies"}), "problem: “Emergency Slack channel ID” is “emergencies”, which is not a Slack channel ID (C…)"),
        (json!({"working_hours": "9 to 5"}), "problem: “ASE working hours” is “9 to 5”, which is not working hours like Mon-Fri 09:00-17:00"),
        (json!({"emergency_form_ids": "12, abc"}), "problem: “Emergency ticket form IDs” is “abc”, which is not a comma-separated list of numbers"),
        (json!({"emergency_priorities": "urgent, critical"}), "problem: “Emergency priorities” is “critical”, which is not a comma-separated list of priorities (low, normal, high, urgent)"),
    ];
    for (settings_json, expect) in cases {
        let h = Harness::new(
            Server::new(),
            boot(settings(settings_json.clone()), ticket(json!({})), olivia()),
        );
        let view = h.view();
        let problems: Vec<String> = view
            .problems
            .iter()
            .map(|p| format!("problem: {}", message(p)))
            .collect();
        check(&problems.join("\n"), expect);
        assert_eq!(
            view.phase.as_str(),
            "emergency",
            "an emergency still shows with a problem"
        );
    }
}

// ---- The ASE (A1, A2) ----

/// What an emergency reads at start, in order, when nothing was pinged yet.
/// The emergency's start-up reads: the organization, the ping's look for a record, the
/// prep-notes finder's reads of the ticket and of the organization's tagged tickets of the last
/// 14 days (the demo clock is 2026-11-26), then the ASE in Slack.
const START_READS: &str = "
    GET /api/v2/organizations/9
    GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
    GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
    GET /api/v2/search?query=type%3Aticket%20organization%3A9%20tags%3Aase_prep_note%20created%3E%3D2026-11-12&sort_by=created_at&sort_order=desc&per_page=11
    GET slack:users.lookupByEmail?email=maria%40acme.test
    GET slack:users.getPresence?user=U0MARIA01
    GET slack:dnd.info?user=U0MARIA01
    ";

#[test]
fn emergency_start_requests_in_order() {
    let mut h = Harness::new(
        Server::new(),
        boot(settings(json!({})), ticket(json!({})), olivia()),
    );
    check(
        &render(&h.view()),
        "
        phase: emergency
        headline: Emergency
        reason: Priority is urgent
        role: Checking whether you are the ASE or the DRI…
        ase: loading: Looking up the Assigned Support Engineer…
        ping: hidden
        ",
    );
    let first = h.sidebar.poll_request().expect("a first request");
    assert_eq!(
        (first.method, first.url.as_str(), first.expect),
        (Method::Get, "/api/v2/organizations/9", Expect::Organization)
    );
    let reply = h.server.answer(&first);
    h.sidebar.handle_reply(first.id, reply, NOW, &Tz);
    h.run();
    check(&h.log(), START_READS);
}

#[test]
fn ase_found_shows_time_hours_presence() {
    let h = Harness::start(Server::new());
    check(
        &render(&h.view()),
        "
        phase: emergency
        headline: Emergency
        reason: Priority is urgent
        role: You are the DRI (assignee)
        ase: Maria Lopez @maria
          local: Thu 10:55 · America/New_York (GMT-5)
          hours: [good] Inside working hours · ends in 6 hr, 5 min
          presence: [good] Active on Slack
        ping: [Ping ASE in Slack]
        ",
    );
    // The view is derived from `now`: an hour later the countdown moved.
    let later = h.sidebar.view(NOW + 3_600_000, &Tz);
    let AseView::Found(card) = &later.emergency.expect("emergency").ase else {
        panic!("found")
    };
    assert_eq!(
        card.local_time.as_deref(),
        Some("Thu 11:55 · America/New_York (GMT-5)")
    );
    assert_eq!(
        badge(&card.hours),
        "[good] Inside working hours · ends in 5 hr, 5 min"
    );
}

#[test]
fn ase_variants() {
    let cases: &[(&str, &str)] = &[
        ("ravi@acme.test", "
            ase: Ravi Kumar @ravi.kumar
              local: Thu 21:25 · Asia/Kolkata (GMT+5:30)
              hours: [warn] Outside working hours · starts in 11 hr, 35 min
              presence: [neutral] Away on Slack
        "),
        ("noor@acme.test", "
            ase: Noor Tz @noor
              local: Timezone unknown: Slack has no timezone for this person
              hours: [neutral] Working hours unknown: no timezone
              presence: [good] Active on Slack
        "),
        ("  MARIA@acme.test ", "
            ase: Maria Lopez @maria
              local: Thu 10:55 · America/New_York (GMT-5)
              hours: [good] Inside working hours · ends in 6 hr, 5 min
              presence: [good] Active on Slack
        "),
        ("nobody@acme.test", "ase: failed: No Slack user has the email nobody@acme.test {users.lookupByEmail: users_not_found}\n  [Retry now]"),
        ("not an email", "ase: failed: The organization field “ase_email” of Acme Corp holds “not an email”, which is not an email address\n  [Retry now]"),
        ("", "ase: none: Acme Corp has no Assigned Support Engineer"),
    ];
    let garbage = "x".repeat(5_000);
    let clipped = format!(
        "ase: failed: The organization field “ase_email” of Acme Corp holds “{}…”, which is not an email address\n  [Retry now]",
        "x".repeat(80)
    );
    let cases: Vec<(&str, &str)> = cases
        .iter()
        .copied()
        .chain([(garbage.as_str(), clipped.as_str())])
        .collect();
    for (email, expect) in cases {
        let mut server = Server::new();
        if let Some(org) = server.organizations.get_mut(&ORG) {
            org.organization_fields
                .insert("ase_email".into(), FieldValueDto::Text(email.to_string()));
        }
        let h = Harness::start(server);
        let text = render(&h.view());
        let ase: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("ase") || l.starts_with("  "))
            .collect();
        check(&ase.join("\n"), expect);
    }
}

#[test]
fn ticket_without_organization_has_no_ase_and_asks_nothing_about_one() {
    let mut h = Harness::new(
        Server::new(),
        boot(
            settings(json!({})),
            ticket(json!({"organization": null})),
            olivia(),
        ),
    );
    h.run();
    let text = render(&h.view());
    assert!(
        text.contains("ase: none: This ticket has no organization, so no ASE"),
        "{text}"
    );
    assert!(text.contains("ping: hidden"), "{text}");
    check(
        &h.log(),
        "GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100",
    );
}

#[test]
fn lookup_failures_say_what_failed() {
    let cases: &[(&str, Fault, &str)] = &[
        ("users.lookupByEmail", Fault::SlackError("invalid_auth"), "ase: failed: Slack rejected the bot token in the “Slack bot token” setting; an admin must set a valid one {users.lookupByEmail: invalid_auth}"),
        ("users.lookupByEmail", Fault::SlackError("missing_scope"), "ase: failed: The Slack app lacks the users:read.email scope; add it and reinstall the app {users.lookupByEmail: missing_scope}"),
        ("users.lookupByEmail", Fault::Http { status: 429, retry_after_s: Some(7), body: "ratelimited" }, "ase: failed: Slack is rate-limiting; try again in 7 seconds {users.lookupByEmail: ratelimited}"),
        ("users.lookupByEmail", Fault::Http { status: 502, retry_after_s: None, body: "Bad Gateway" }, "ase: failed: Slack answered with an HTTP error {users.lookupByEmail: HTTP 502}"),
        ("users.lookupByEmail", Fault::Http { status: 503, retry_after_s: None, body: "service_unavailable" }, "ase: failed: Slack refused the request {users.lookupByEmail: service_unavailable}"),
        ("users.lookupByEmail", Fault::SlackError("fatal_error"), "ase: failed: Slack refused the request {users.lookupByEmail: fatal_error}"),
        ("users.lookupByEmail", Fault::Transport, "ase: failed: Could not reach Slack {users.lookupByEmail: network down}"),
        ("GET /api/v2/organizations/9", Fault::Http { status: 404, retry_after_s: None, body: "Not found" }, "ase: failed: Could not read the organization: Zendesk could not find the ticket or organization {HTTP 404: Not found}"),
        ("GET /api/v2/organizations/9", Fault::Http { status: 500, retry_after_s: None, body: "<html>oops</html>" }, "ase: failed: Could not read the organization: Zendesk had a server error; try again in a moment {HTTP 500}"),
    ];
    for (key, fault, expect) in cases {
        let mut server = Server::new();
        server.fail(key, fault.clone(), 1);
        let mut h = Harness::start(server);
        let text = render(&h.view());
        let ase: Vec<&str> = text.lines().filter(|l| l.starts_with("ase")).collect();
        check(&ase.join("\n"), expect);
        assert!(text.ends_with("ping: hidden"), "{text}");
        // A failed request is tried again on its own (after Retry-After, else 5 s), and at once
        // with the card's Retry; the fault is gone, so the ASE appears without a reload.
        let wait = match fault {
            Fault::Http {
                retry_after_s: Some(s),
                ..
            } => i64::from(*s),
            _ => 5,
        };
        assert!(text.contains("  [Retry now]"), "{key}: {text}");
        assert_eq!(h.sidebar.next_wake(h.now), Some(NOW + wait * 1000), "{key}");
        h.settle(wait as usize + 2);
        assert_eq!(h.now, NOW + wait * 1000, "{key}");
        let text = render(&h.view());
        assert!(text.contains("ase: Maria Lopez @maria"), "{key}: {text}");
        assert!(text.ends_with("ping: [Ping ASE in Slack]"), "{key}: {text}");
    }
}

/// Failures that persist back off (5 s, 15 s, 45 s, 2 min, then every 5 min) and the Retry
/// button starts again at once; a lookup that found no Slack user waits for the click.
#[test]
fn a_failing_lookup_backs_off_and_retries_on_a_click() {
    let mut server = Server::new();
    server.fail(
        "users.lookupByEmail",
        Fault::SlackError("missing_scope"),
        100,
    );
    let mut h = Harness::start(server);
    let mut waits = Vec::new();
    for _ in 0..6 {
        // Let the clock run to the next restart: the first request it makes.
        let start = h.now;
        h.clear_log();
        while h.server.log.is_empty() {
            let at = h.sidebar.next_wake(h.now).expect("a restart is due");
            assert!(at > h.now, "a restart in the future");
            h.now = at;
            h.sidebar.tick(h.now);
            h.run();
        }
        waits.push((h.now - start) / 1000);
    }
    assert_eq!(waits, [5, 15, 45, 120, 300, 300]);
    assert!(
        render(&h.view()).contains("users:read.email"),
        "{}",
        render(&h.view())
    );

    // The click: the lookup starts again now, not at the end of the countdown.
    h.server.faults.clear();
    h.clear_log();
    h.click(Action::RetryLookup);
    h.run();
    assert!(
        h.log().starts_with("GET /api/v2/organizations/9"),
        "{}",
        h.log()
    );
    assert!(render(&h.view()).contains("ase: Maria Lopez @maria"));
}

/// The ping's wording follows the ASE's presence, and the card grows when it arrives: the button
/// waits for it, so it never moves under the agent's pointer and never pings on a guess.
#[test]
fn ping_waits_for_the_ase_presence() {
    let mut h = Harness::new(
        Server::new(),
        boot(settings(json!({})), ticket(json!({})), olivia()),
    );
    // Organization, notes (the ping's and the finder's), the search, Slack user: the card
    // shows, presence is still being asked.
    for _ in 0..5 {
        assert!(h.step());
    }
    let view = h.view();
    let emergency = view.emergency.expect("emergency");
    assert!(
        matches!(emergency.ase, AseView::Found(_)),
        "the card is there"
    );
    assert_eq!(
        emergency.ping,
        PingView::Hidden,
        "no button before presence"
    );
    // Presence answered, Do Not Disturb still being asked: still no button, and a (stale)
    // click does nothing.
    assert!(h.step());
    let ping = |h: &Harness| h.view().emergency.expect("emergency").ping;
    assert_eq!(
        ping(&h),
        PingView::Hidden,
        "no button before Do Not Disturb"
    );
    h.click(Action::Ping);
    h.run();
    check(&h.log(), START_READS);
    assert!(matches!(
        h.view().emergency.expect("emergency").ping,
        PingView::Ready { .. }
    ));
}

/// The ASE's scheduled Do Not Disturb (A2, `dnd.info`): a badge with its end while it holds,
/// and the ping's wording says the ASE is not available; none for a window to come or one that
/// is off; a failed read is said where a presence problem would be, and the ping goes on.
#[test]
fn do_not_disturb_shows_and_words_the_ping() {
    let s = NOW / 1000;
    type Case = (Option<(bool, i64, i64)>, Option<&'static str>, &'static str);
    let cases: [Case; 5] = [
        (
            Some((true, s - 3_600, s + 7 * 3_600)),
            Some("[warn] Do Not Disturb · ends in 7 hr"),
            "No action needed unless you are available",
        ),
        (Some((true, s + 7_200, s + 36_000)), None, "Could you join?"),
        (Some((true, s - 7_200, s)), None, "Could you join?"),
        (Some((false, s - 3_600, s + 3_600)), None, "Could you join?"),
        (None, None, "Could you join?"),
    ];
    for (dnd, badge_text, wording) in cases {
        let mut server = Server::new();
        if let Some(dnd) = dnd {
            server.dnd.insert("U0MARIA01".into(), dnd);
        }
        let mut h = Harness::start(server);
        let AseView::Found(card) = h.view().emergency.expect("emergency").ase else {
            panic!("found")
        };
        assert_eq!(
            card.dnd
                .as_ref()
                .map(|b| badge(&Some(b.clone())))
                .as_deref(),
            badge_text
        );
        h.click(Action::Ping);
        h.run();
        let mention = &h.server.posts[1].text;
        assert!(mention.contains(wording), "{dnd:?}: {mention}");
    }
    let mut server = Server::new();
    server.fail("dnd.info", Fault::SlackError("missing_scope"), 1);
    let mut h = Harness::start(server);
    let AseView::Found(card) = h.view().emergency.expect("emergency").ase else {
        panic!("found")
    };
    assert_eq!(card.dnd, None);
    assert_eq!(
        card.presence_problem.as_ref().map(message).as_deref(),
        Some("The Slack app lacks the dnd:read scope; add it and reinstall the app {dnd.info: missing_scope}")
    );
    h.click(Action::Ping);
    h.run();
    assert_eq!(h.written(), (1, 1, 1), "the ping goes on");
}

#[test]
fn presence_failure_keeps_the_card() {
    let mut server = Server::new();
    server.fail("users.getPresence", Fault::SlackError("missing_scope"), 1);
    let h = Harness::start(server);
    let AseView::Found(card) = h.view().emergency.expect("emergency").ase else {
        panic!("found")
    };
    assert_eq!(badge(&card.presence), "[neutral] Slack presence unknown");
    assert_eq!(
        card.presence_problem.as_ref().map(message).as_deref(),
        Some("The Slack app lacks the users:read scope; add it and reinstall the app {users.getPresence: missing_scope}")
    );
}

#[test]
fn viewer_roles() {
    let cases: &[(ZafUserDto, &str)] = &[
        (olivia(), "You are the DRI (assignee)"),
        (
            ZafUserDto {
                id: 101,
                name: "Maria Lopez".into(),
                email: Some("Maria@Acme.test".into()),
                alias: None,
            },
            "You are the ASE",
        ),
        (
            ZafUserDto {
                id: 102,
                name: "Sam".into(),
                email: Some("sam@acme.test".into()),
                alias: None,
            },
            "You are neither the ASE nor the DRI",
        ),
        (
            ZafUserDto {
                id: OLIVIA,
                name: "Olivia".into(),
                email: Some("maria@acme.test".into()),
                alias: None,
            },
            "You are the ASE and the DRI",
        ),
    ];
    for (viewer, expect) in cases {
        let mut h = Harness::new(
            Server::new(),
            boot(settings(json!({})), ticket(json!({})), viewer.clone()),
        );
        h.run();
        assert_eq!(h.view().emergency.expect("emergency").viewer_role, *expect);
    }
}

// ---- The ping (S1, S2, S3) ----

#[test]
fn ping_happy_path() {
    let mut h = Harness::start(Server::new());
    h.clear_log();
    h.click(Action::Ping);
    assert!(matches!(
        h.view().emergency.expect("emergency").ping,
        PingView::InFlight { .. }
    ));
    h.run();
    check(
        &h.log(),
        "
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        POST slack:auth.test
        GET slack:conversations.history?channel=C0EMERG001&limit=200&include_all_metadata=true
        POST slack:chat.postMessage
        GET slack:conversations.members?channel=C0EMERG001&limit=1000
        POST slack:chat.postMessage
        GET slack:chat.getPermalink?channel=C0EMERG001&message_ts=1795708501.000001
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        ",
    );
    // The claim came and went with the note: no claim tag stays on the ticket.
    assert_eq!(h.server.tags, Vec::<String>::new());
    let [root, mention] = h.server.posts.as_slice() else {
        panic!("two posts: {:#?}", h.server.posts)
    };
    check(
        &root.text,
        "
        :rotating_light: Emergency <https://acme.zendesk.com/agent/tickets/201|#201>: Checkout down for all EU customers
        Organization: Acme Corp · Priority: urgent
        ",
    );
    assert_eq!(
        (root.channel.as_str(), root.thread_ts.as_deref()),
        (CHANNEL, None)
    );
    assert_eq!(
        (
            root.metadata.event_type.as_str(),
            root.metadata.event_payload.ticket_id
        ),
        ("ase_emergency", TICKET)
    );
    assert_eq!(root.metadata.event_payload.action, "root");
    assert!(!root.unfurl_links && !root.unfurl_media);
    check(
        &mention.text,
        "
        <@U0MARIA01> your account Acme Corp has an emergency (<https://acme.zendesk.com/agent/tickets/201|#201>) and you are inside working hours. Could you join? You can take over as DRI, shadow, troubleshoot async in this thread, or add context for the on-call engineer. Pinged by Olivia On-call.
        ",
    );
    assert_eq!(mention.thread_ts.as_deref(), Some("1795708501.000001"));
    assert_eq!(mention.metadata.event_payload.action, "ping");
    assert_eq!(
        mention.metadata.event_payload.nonce,
        root.metadata.event_payload.nonce
    );
    assert!(!mention.unfurl_links && !mention.unfurl_media);
    check(
        &h.notes().join("\n---\n"),
        "
        ASE pinged in Slack
        Slack thread: https://acme-team.slack.com/archives/C0EMERG001/p1795708501000001
        Pinged by Olivia On-call at 2026-11-26 15:55 UTC
        ASE: Maria Lopez (Slack user U0MARIA01)

        ase-emergency-assist:v1 ping channel=C0EMERG001 thread_ts=1795708501.000001 permalink=https%3A%2F%2Facme-team.slack.com%2Farchives%2FC0EMERG001%2Fp1795708501000001 by=100 by_name=Olivia%20On-call at=2026-11-26T15:55:00Z ase=U0MARIA01
        ",
    );
    let view = h.view();
    assert_no_raw_keys(&view);
    check(
        render(&view).lines().last().unwrap_or_default(),
        "ping: done: Pinged by Olivia On-call at 16:55 <Open Slack thread: https://acme-team.slack.com/archives/C0EMERG001/p1795708501000001>",
    );

    // A reload (a new sidebar on the same ticket) shows the ping and posts nothing.
    let server = std::mem::replace(&mut h.server, Server::new());
    let mut again = Harness::start(server);
    again.click(Action::Ping);
    again.run();
    assert_eq!(
        again.server.posts.len(),
        2,
        "still one root and one mention"
    );
    assert!(render(&again.view()).contains("ping: done: Pinged by Olivia On-call at 16:55"));
}

#[test]
fn ping_wording_follows_availability() {
    let cases: &[(&str, &str)] = &[
        ("ravi@acme.test", "<@U0RAVI001> your account Acme Corp has an emergency (<https://acme.zendesk.com/agent/tickets/201|#201>) while you are away or outside working hours. No action needed unless you are available; when you are back, catch up here and follow up with the customer about next steps. Pinged by Olivia On-call."),
        // Active, but without a timezone nobody can say they are inside working hours.
        ("noor@acme.test", "<@U0NOTZ001> your account Acme Corp has an emergency (<https://acme.zendesk.com/agent/tickets/201|#201>) while you are away or outside working hours. No action needed unless you are available; when you are back, catch up here and follow up with the customer about next steps. Pinged by Olivia On-call."),
    ];
    for (email, expect) in cases {
        let mut server = Server::new();
        if let Some(org) = server.organizations.get_mut(&ORG) {
            org.organization_fields
                .insert("ase_email".into(), FieldValueDto::Text(email.to_string()));
        }
        let mut h = Harness::start(server);
        h.click(Action::Ping);
        h.run();
        check(
            &h.server
                .posts
                .last()
                .map(|p| p.text.clone())
                .unwrap_or_default(),
            expect,
        );
    }
    // Inside working hours but away on Slack: the same "no action needed" wording.
    let mut server = Server::new();
    server.presence.insert("U0MARIA01".into(), "away");
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    let text = h
        .server
        .posts
        .last()
        .map(|p| p.text.clone())
        .unwrap_or_default();
    assert!(
        text.starts_with("<@U0MARIA01> ")
            && text.contains("No action needed unless you are available"),
        "{text}"
    );
}

#[test]
fn hostile_text_is_escaped_in_slack() {
    let mut b = boot(
        settings(json!({})),
        ticket(json!({
            "subject": "<!channel> <@U123> & <b> <https://evil.test|click>",
            "priority": "urgent <!here>",
            "tags": ["emergency"],
            "organization": {"id": ORG, "name": "Acme"},
        })),
        ZafUserDto {
            id: OLIVIA,
            name: "<!everyone> Olivia & co".into(),
            email: None,
            alias: None,
        },
    );
    b.subdomain = "acme.evil.test/x|<".into();
    let mut server = Server::new();
    if let Some(org) = server.organizations.get_mut(&ORG) {
        org.name = "Acme <@U999> & Sons".into();
    }
    let mut h = Harness::new(server, b);
    h.run();
    h.click(Action::Ping);
    h.run();
    let [root, mention] = h.server.posts.as_slice() else {
        panic!("two posts: {:#?}", h.server.posts)
    };
    check(
        &root.text,
        "
        :rotating_light: Emergency <https://acmeeviltestx.zendesk.com/agent/tickets/201|#201>: &lt;!channel&gt; &lt;@U123&gt; &amp; &lt;b&gt; &lt;https://evil.test|click&gt;
        Organization: Acme &lt;@U999&gt; &amp; Sons · Priority: urgent &lt;!here&gt;
        ",
    );
    assert!(
        mention
            .text
            .starts_with("<@U0MARIA01> your account Acme &lt;@U999&gt; &amp; Sons has"),
        "{}",
        mention.text
    );
    assert!(
        mention
            .text
            .ends_with("Pinged by &lt;!everyone&gt; Olivia &amp; co."),
        "{}",
        mention.text
    );
    // The only control sequences are the ones the app built: the link and the mention.
    for post in [root, mention] {
        let opens = post.text.matches('<').count();
        assert!(opens <= 2, "{}", post.text);
    }
    // The note keeps the name readable and the machine line parseable.
    let page = h.server.comments_page("/x?include=users");
    let record = notes::find_ping_record(&page, CHANNEL).expect("a ping record");
    assert_eq!(record.by_name, "<!everyone> Olivia & co");
}

#[test]
fn double_click_posts_once() {
    let mut h = Harness::start(Server::new());
    h.click(Action::Ping);
    h.click(Action::Ping);
    assert!(h.step(), "the first read");
    h.click(Action::Ping);
    h.click(Action::Retry);
    assert!(h.step(), "conversations.history");
    h.click(Action::Ping);
    h.run();
    h.click(Action::Ping);
    h.run();
    assert_eq!(
        h.server.posts.len(),
        2,
        "one root and one mention: {:#?}",
        h.server.log
    );
    assert_eq!(h.notes().len(), 1);
}

/// A 429 was not processed: the ping shows a countdown, then repeats the same request, with no
/// click and nothing posted twice.
#[test]
fn a_rate_limited_mention_waits_and_is_repeated() {
    let mut h = Harness::start(Server::new());
    h.click(Action::Ping);
    // The ticket, the claim, the notes, auth.test, the history and the root post; then the
    // mention is limited.
    for _ in 0..6 {
        assert!(h.step());
    }
    h.server.fail(
        "chat.postMessage",
        Fault::Http {
            status: 429,
            retry_after_s: Some(3),
            body: "ratelimited",
        },
        1,
    );
    h.run();
    let text = render(&h.view());
    check(
        text.lines().last().unwrap_or_default(),
        "ping: in flight: Rate-limited: trying again in 3 seconds…",
    );
    assert_eq!(
        h.sidebar.next_wake(h.now),
        Some(NOW + 1000),
        "the countdown moves each second"
    );
    assert!(
        h.notes().is_empty(),
        "nothing recorded before both posts exist"
    );
    h.clear_log();
    h.settle(10);
    check(
        &h.log(),
        "
        POST slack:chat.postMessage
        GET slack:chat.getPermalink?channel=C0EMERG001&message_ts=1795708501.000001
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        ",
    );
    assert_eq!(h.now, NOW + 3000, "repeated when Retry-After was over");
    assert_eq!(h.written(), (1, 1, 1));
    assert!(render(&h.view()).contains("ping: done: Pinged by Olivia On-call"));
}

/// A note whose PUT answers 503 may have been saved: the ping reads the notes back first, and
/// writes the note again only because it is not there.
#[test]
fn a_failed_note_is_read_back_before_it_is_written_again() {
    let mut server = Server::new();
    server.fail_note_once();
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    for _ in 0..11 {
        assert!(h.step());
    }
    assert!(
        h.notes().is_empty(),
        "the first note PUT failed before it took effect"
    );
    h.clear_log();
    h.run();
    check(
        &h.log(),
        "
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        ",
    );
    assert_eq!(h.written(), (1, 1, 1));
    assert!(render(&h.view()).contains("ping: done:"));
}

/// A write that takes effect but whose answer never comes (the host's time-out), or that lands
/// and then answers 503, or whose connection drops: the ping reads back what it wrote before
/// anything else, finds it, and goes on. Exactly one root, one mention and one note, whichever
/// write it was, with no click.
#[test]
fn a_write_whose_answer_is_lost_is_never_repeated() {
    let lost_root = |s: &mut Server| s.lose_answer("chat.postMessage", 1);
    let lost_mention = |s: &mut Server| s.lose_answer("chat.postMessage", 2);
    let lost_claim = |s: &mut Server| s.lose_answer(CLAIM_PUT, 1);
    let lost_note = |s: &mut Server| s.lose_answer(NOTE_PUT, 1);
    type Arrange = fn(&mut Server);
    let cases: [(&str, Arrange); 4] = [
        ("root", lost_root),
        ("mention", lost_mention),
        ("claim", lost_claim),
        ("note", lost_note),
    ];
    for (what, arrange) in cases {
        let mut server = Server::new();
        arrange(&mut server);
        let mut h = Harness::start(server);
        h.click(Action::Ping);
        h.run();
        assert_eq!(h.written(), (1, 1, 1), "{what}: {}", h.log());
        assert!(render(&h.view()).contains("ping: done:"), "{what}");
        assert_eq!(
            h.server.tags,
            Vec::<String>::new(),
            "{what}: the claim ended"
        );
    }
    // The lost root's read-back is the channel history, before any second post.
    let mut server = Server::new();
    server.lose_answer("chat.postMessage", 1);
    let mut h = Harness::start(server);
    h.clear_log();
    h.click(Action::Ping);
    h.run();
    let slack: Vec<&str> = h
        .server
        .log
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains("slack:"))
        .collect();
    assert_eq!(
        slack[..4]
            .iter()
            .map(|l| &l[..l.find('?').unwrap_or(l.len())])
            .collect::<Vec<_>>(),
        [
            "POST slack:auth.test",
            "GET slack:conversations.history",
            "POST slack:chat.postMessage",
            "GET slack:conversations.history",
        ]
    );
}

/// Every ambiguous failure is read back, but not forever: after three, the ping stops and says
/// why, and the claim is released so another agent can go on.
#[test]
fn endless_ambiguous_failures_stop_and_release_the_claim() {
    let mut server = Server::new();
    let fault = Fault::Http {
        status: 503,
        retry_after_s: None,
        body: "service_unavailable",
    };
    server.fail("chat.postMessage", fault, 10);
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    let text = render(&h.view());
    assert!(text.contains("ping: failed:"), "{text}");
    assert_eq!(h.written().0, 0, "{}", h.log());
    assert_eq!(
        h.log().matches("POST slack:chat.postMessage").count(),
        4,
        "{}",
        h.log()
    );
    assert_eq!(
        h.server.tags,
        Vec::<String>::new(),
        "the claim was released"
    );
}

#[test]
fn conflict_on_the_note_retries_with_a_fresh_stamp() {
    let mut server = Server::new();
    server.concurrent_edits = 2;
    let mut h = Harness::start(server);
    h.clear_log();
    h.click(Action::Ping);
    h.run();
    check(
        &h.log(),
        "
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        POST slack:auth.test
        GET slack:conversations.history?channel=C0EMERG001&limit=200&include_all_metadata=true
        POST slack:chat.postMessage
        GET slack:conversations.members?channel=C0EMERG001&limit=1000
        POST slack:chat.postMessage
        GET slack:chat.getPermalink?channel=C0EMERG001&message_ts=1795708501.000001
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        ",
    );
    assert_eq!(h.notes().len(), 1);
    assert!(render(&h.view()).contains("ping: done:"));

    // Three conflicts in a row: give up clearly; Retry then records without posting again.
    let mut server = Server::new();
    server.concurrent_edits = 3;
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    let text = render(&h.view());
    check(
        text.lines().last().unwrap_or_default(),
        "ping: failed: The ping did not go through: The ticket kept changing while the ping note was being saved; the Slack messages exist, so Retry records them without pinging again [Retry]",
    );
    h.click(Action::Retry);
    h.run();
    assert_eq!((h.server.posts.len(), h.notes().len()), (2, 1));
}

#[test]
fn conflict_with_another_agents_ping_shows_theirs() {
    let mut server = Server::new();
    server.concurrent_edits = 1;
    let other = PingRecord {
        channel: CHANNEL.into(),
        thread_ts: "1795708400.000001".into(),
        permalink: "https://acme-team.slack.com/archives/C0EMERG001/p1795708400000001".into(),
        by: 102,
        by_name: "Sam Second".into(),
        at_ms: NOW - 60_000,
        ase: "U0MARIA01".into(),
    };
    server.concurrent_note = Some(notes::format_ping_note(&catalog(), &other, "Maria Lopez"));
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    let text = render(&h.view());
    check(
        text.lines().last().unwrap_or_default(),
        "ping: done: Pinged by Sam Second at 16:54 <Open Slack thread: https://acme-team.slack.com/archives/C0EMERG001/p1795708400000001>",
    );
    assert_eq!(h.notes().len(), 1, "only the other agent's note");
}

#[test]
fn existing_ping_note_shows_done_and_posts_nothing() {
    let mut server = Server::new();
    let record = sam_pinged_at_1335();
    server.add_note(
        102,
        notes::format_ping_note(&catalog(), &record, "Maria Lopez"),
    );
    let mut h = Harness::start(server);
    check(
        render(&h.view()).lines().last().unwrap_or_default(),
        "ping: done: Pinged by Sam Second at 13:35 <Open Slack thread: https://acme-team.slack.com/archives/C0EMERG001/p1795696500000100>",
    );
    h.click(Action::Ping);
    h.click(Action::Retry);
    h.run();
    assert!(h.server.posts.is_empty());
    assert!(
        !h.log().contains("POST") && !h.log().contains("PUT"),
        "{}",
        h.log()
    );
}

fn sam_pinged_at_1335() -> PingRecord {
    PingRecord {
        channel: CHANNEL.into(),
        thread_ts: "1795696500.000100".into(),
        permalink: "https://acme-team.slack.com/archives/C0EMERG001/p1795696500000100".into(),
        by: 102,
        by_name: "Sam Second".into(),
        at_ms: 1_795_696_500_000,
        ase: "U0MARIA01".into(),
    }
}

/// "Already pinged?" reads every page of the comments: a ping note behind 150 newer comments
/// (on the second page of 100) still shows, and a click posts nothing.
#[test]
fn a_ping_note_on_a_later_page_is_found() {
    let mut server = Server::new();
    let note = notes::format_ping_note(&catalog(), &sam_pinged_at_1335(), "Maria Lopez");
    server.add_note(102, note);
    server.add_public_comments(150);
    let mut h = Harness::start(server);
    // Two pages each by the ping and by the prep-notes finder.
    let reads = h.log().matches("/comments?").count();
    assert_eq!(reads, 4, "two pages read: {}", h.log());
    assert!(
        h.log().contains("page%5Bafter%5D=cursor-100"),
        "{}",
        h.log()
    );
    assert!(render(&h.view()).contains("ping: done: Pinged by Sam Second at 13:35"));
    h.click(Action::Ping);
    h.run();
    assert!(h.server.posts.is_empty(), "nothing posted");
}

/// A private comment by an end user (Zendesk turns some email replies into private comments)
/// that carries a well-formed ping line is not a ping record: the button stays, and the ping
/// runs once.
#[test]
fn a_ping_line_forged_by_an_end_user_is_ignored() {
    let mut server = Server::new();
    let forged = notes::format_ping_note(&catalog(), &sam_pinged_at_1335(), "Maria Lopez");
    server.add_note(110, forged);
    let mut h = Harness::start(server);
    assert!(
        matches!(
            h.view().emergency.expect("emergency").ping,
            PingView::Ready { .. }
        ),
        "{}",
        render(&h.view())
    );
    h.click(Action::Ping);
    h.run();
    assert_eq!(
        h.written(),
        (1, 1, 2),
        "one root, one mention; the forged line and the app's own note"
    );
    assert!(render(&h.view()).contains("ping: done: Pinged by Olivia On-call"));
}

/// "Is there a thread already?" follows Slack's cursors: after the note failed, 450 newer
/// messages push the ticket's root to the fifth short page of history, and Retry still finds
/// it (and the mention in the thread) instead of posting again.
#[test]
fn a_thread_behind_a_busy_channel_is_found() {
    let mut server = Server::new();
    let forbidden = Fault::Http {
        status: 403,
        retry_after_s: None,
        body: "",
    };
    server.fail(NOTE_PUT, forbidden, 1);
    server.slack_page_size = 100;
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    assert_eq!(h.written(), (1, 1, 0), "the note failed");
    h.server.add_foreign_roots(450);
    h.clear_log();
    h.click(Action::Retry);
    h.run();
    assert_eq!(h.written(), (1, 1, 1), "{}", h.log());
    let history_pages = h.log().matches("conversations.history").count();
    assert_eq!(history_pages, 5, "{}", h.log());
    assert!(h.log().contains("&cursor=slack-400"), "{}", h.log());
}

/// "Was the ASE mentioned already?" reads every page of a long thread before posting the
/// mention: 250 replies by people after the root, in pages of 100, and exactly one mention.
#[test]
fn a_long_thread_is_read_to_the_end_before_the_mention() {
    let mut server = Server::new();
    server.slack_page_size = 100;
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    // The ticket, the claim, the notes, auth.test, the history and the root post; then the
    // mention fails.
    for _ in 0..6 {
        assert!(h.step());
    }
    h.server
        .fail("chat.postMessage", Fault::SlackError("fatal_error"), 1);
    h.run();
    assert_eq!(h.written(), (1, 0, 0));
    let root = h
        .server
        .root_messages()
        .into_iter()
        .find(|m| {
            m.metadata
                .as_ref()
                .is_some_and(|md| md.event_payload.ticket_id == TICKET)
        })
        .map(|m| m.ts.clone())
        .expect("the ticket's root");
    for i in 0..250 {
        h.server.next_ts += 1;
        let ts = format!(
            "{}.{:06}",
            1_795_708_500 + h.server.next_ts,
            h.server.next_ts
        );
        h.server.messages.push(Msg {
            bot_id: BOT,
            ts,
            text: format!("reply {i}"),
            thread_ts: Some(root.clone()),
            metadata: None,
        });
    }
    h.clear_log();
    h.click(Action::Retry);
    h.run();
    assert_eq!(h.written(), (1, 1, 1), "{}", h.log());
    assert_eq!(
        h.log().matches("conversations.replies").count(),
        3,
        "{}",
        h.log()
    );
}

/// A ping note counts only for the configured channel and with a Slack permalink into it: a note
/// naming another channel, or linking elsewhere, does not hide the button.
#[test]
fn a_ping_note_for_another_channel_or_link_is_ignored() {
    let foreign = [
        PingRecord {
            permalink: "https://evil.example/archives/C0EMERG001/p1795696500000100".into(),
            ..sam_pinged_at_1335()
        },
        PingRecord {
            permalink: "https://acme-team.slack.com/archives/C0OTHER01/p1795696500000100".into(),
            channel: "C0OTHER01".into(),
            ..sam_pinged_at_1335()
        },
        PingRecord {
            permalink: "javascript:alert(1)//.slack.com/archives/C0EMERG001/p1".into(),
            ..sam_pinged_at_1335()
        },
    ];
    for record in foreign {
        let mut server = Server::new();
        server.add_note(
            102,
            notes::format_ping_note(&catalog(), &record, "Maria Lopez"),
        );
        let mut h = Harness::start(server);
        let view = render(&h.view());
        assert!(
            view.contains("ping: [Ping ASE in Slack]"),
            "{}: {view}",
            record.permalink
        );
        h.click(Action::Ping);
        h.run();
        assert_eq!(h.written(), (1, 1, 2), "{}", record.permalink);
    }
}

/// Slack metadata names the Zendesk account: a sandbox sharing the channel, with the same ticket
/// id, is not this ticket's thread; a root posted before 0.2 (no account named) still is.
#[test]
fn a_sandbox_thread_with_the_same_ticket_id_is_not_ours() {
    let root = |subdomain: Option<&str>| Msg {
        bot_id: BOT,
        ts: "1795698000.000100".into(),
        text: "Emergency #201".into(),
        thread_ts: None,
        metadata: Some(MetadataDto {
            event_type: slack::EVENT_TYPE.into(),
            event_payload: EventPayloadDto {
                ticket_id: TICKET,
                action: slack::ACTION_ROOT.into(),
                nonce: "n0".into(),
                subdomain: subdomain.map(Into::into),
            },
        }),
    };
    let mut server = Server::new();
    server.messages.push(root(Some("acme-sandbox")));
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    assert_eq!(h.written(), (1, 1, 1), "a root of its own: {}", h.log());

    // Another app's bot can attach any metadata: a root with ours, posted by another bot, is
    // not ours either (the bot is checked against auth.test).
    let mut server = Server::new();
    server.messages.push(Msg {
        bot_id: "B0FORGER",
        ..root(Some("acme"))
    });
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    assert_eq!(h.written(), (1, 1, 1), "a root of its own: {}", h.log());

    let mut server = Server::new();
    server.messages.push(root(None));
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    assert_eq!(
        h.written(),
        (0, 1, 1),
        "the legacy root is reused: {}",
        h.log()
    );
}

/// A ping recorded on another day (in the viewer's zone) says which day, not only the time.
#[test]
fn a_ping_from_yesterday_names_its_day() {
    let mut server = Server::new();
    let record = PingRecord {
        thread_ts: "1795610100.000100".into(),
        permalink: "https://acme-team.slack.com/archives/C0EMERG001/p1795610100000100".into(),
        at_ms: 1_795_696_500_000 - 86_400_000,
        ..sam_pinged_at_1335()
    };
    server.add_note(
        102,
        notes::format_ping_note(&catalog(), &record, "Maria Lopez"),
    );
    let h = Harness::start(server);
    let view = render(&h.view());
    let ping = view.lines().last().unwrap_or_default();
    assert!(
        ping.starts_with("ping: done: Pinged by Sam Second on Nov 25 at 13:35 <"),
        "{ping}"
    );
}

#[test]
fn another_agent_pinged_since_start() {
    let mut h = Harness::start(Server::new());
    let record = PingRecord {
        channel: CHANNEL.into(),
        thread_ts: "1795708400.000001".into(),
        permalink: "https://acme-team.slack.com/archives/C0EMERG001/p1795708400000001".into(),
        by: 102,
        by_name: "Sam Second".into(),
        at_ms: NOW,
        ase: "U0MARIA01".into(),
    };
    h.server.add_note(
        102,
        notes::format_ping_note(&catalog(), &record, "Maria Lopez"),
    );
    h.clear_log();
    h.click(Action::Ping);
    h.run();
    check(
        &h.log(),
        "
        GET /api/v2/tickets/201
        PUT /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        PUT /api/v2/tickets/201
        ",
    );
    // The claim made before the read that found Sam's ping is given back.
    assert!(h.server.tags.is_empty(), "{:?}", h.server.tags);
    assert!(render(&h.view()).contains("ping: done: Pinged by Sam Second at 16:55"));
}

#[test]
fn ping_failures_name_what_to_fix() {
    let cases: &[(&str, Fault, &str)] = &[
        ("conversations.history", Fault::SlackError("channel_not_found"), "Slack has no channel C0EMERG001; check the “Emergency Slack channel ID” setting {conversations.history: channel_not_found}"),
        ("conversations.history", Fault::SlackError("not_in_channel"), "The app's Slack bot is not in channel C0EMERG001 (“Emergency Slack channel ID”); invite it to the channel {conversations.history: not_in_channel}"),
        ("chat.postMessage", Fault::SlackError("is_archived"), "Channel C0EMERG001 (“Emergency Slack channel ID”) is archived; set another channel {chat.postMessage: is_archived}"),
        ("chat.postMessage", Fault::SlackError("rate_limited"), "Slack is rate-limiting; try again in a minute {chat.postMessage: rate_limited}"),
        ("chat.postMessage", Fault::SlackError("token_revoked"), "Slack rejected the bot token in the “Slack bot token” setting; an admin must set a valid one {chat.postMessage: token_revoked}"),
        ("conversations.history", Fault::SlackError("missing_scope"), "The Slack app lacks the channels:history, groups:history scope; add it and reinstall the app {conversations.history: missing_scope}"),
        ("chat.postMessage", Fault::SlackError("some_new_error"), "Slack refused the request {chat.postMessage: some_new_error}"),
        ("chat.getPermalink", Fault::Transport, "Could not reach Slack {chat.getPermalink: network down}"),
        ("GET /api/v2/tickets/201", Fault::Http { status: 403, retry_after_s: None, body: "You do not have access" }, "Zendesk refused: your role may not be allowed to do this {HTTP 403: You do not have access}"),
        ("GET /api/v2/tickets/201", Fault::Http { status: 429, retry_after_s: Some(30), body: "" }, "Zendesk is rate-limiting; try again in 30 seconds {HTTP 429}"),
        ("GET /api/v2/tickets/201", Fault::Http { status: 429, retry_after_s: Some(1), body: "" }, "Zendesk is rate-limiting; try again in 1 second {HTTP 429}"),
    ];
    for (key, fault, expect) in cases {
        let mut h = Harness::start(Server::new());
        // A 429 is waited out and repeated three times; the fourth is the failure.
        let limited = matches!(fault, Fault::Http { status: 429, .. });
        h.server
            .fail(key, fault.clone(), if limited { 4 } else { 1 });
        h.click(Action::Ping);
        h.settle(200);
        let view = h.view();
        let PingView::Failed {
            message,
            retry_label,
            copy,
        } = view.emergency.expect("emergency").ping
        else {
            panic!("{key}: failed expected, got {}", render(&h.view()));
        };
        assert_eq!(
            super_message(&message),
            format!("The ping did not go through: {expect}"),
            "{key}"
        );
        assert_eq!(retry_label, "Retry");
        // Slack cannot be used: the ping's text to post by hand; a Zendesk failure is not that.
        assert_eq!(copy.is_some(), !key.starts_with("GET /api"), "{key}");
        assert!(h.notes().is_empty(), "{key}: no note after a failure");
        // Retry completes with exactly one root and one mention.
        h.click(Action::Retry);
        h.run();
        assert_eq!(h.written(), (1, 1, 1), "{key}");
    }
}

#[test]
fn missing_channel_setting_fails_the_ping_without_requests() {
    let mut h = Harness::new(
        Server::new(),
        boot(
            settings(json!({"slack_channel_id": ""})),
            ticket(json!({})),
            olivia(),
        ),
    );
    h.run();
    h.clear_log();
    h.click(Action::Ping);
    assert!(h.sidebar.poll_request().is_none());
    let text = render(&h.view());
    check(text.lines().last().unwrap_or_default(), "ping: failed: The ping did not go through: “Emergency Slack channel ID” is not set [Retry]");
}

// ---- Untrusted data ----

#[test]
fn odd_boot_and_server_values_never_panic() {
    let tickets = [
        json!({"subject": null, "priority": null, "tags": ["emergency"], "organization": null, "assignee": null}),
        json!({"subject": "", "priority": "URGENT", "tags": [], "form": {"id": null}}),
        json!({"subject": "outage\u{0}\u{202e}", "priority": "p0", "tags": ["emergency", ""], "organization": {"id": 424242, "name": ""}}),
    ];
    for t in tickets {
        let mut h = Harness::new(
            Server::new(),
            boot(
                settings(json!({})),
                ticket(t.clone()),
                ZafUserDto::default(),
            ),
        );
        h.run();
        h.click(Action::Ping);
        h.run();
        assert_no_raw_keys(&h.view());
    }
    // An organization with fields of every odd shape.
    for value in [
        FieldValueDto::Null,
        FieldValueDto::Bool(true),
        FieldValueDto::Number(4.5),
        FieldValueDto::Text("a@b@c".into()),
        FieldValueDto::List(vec!["maria@acme.test".into(), "x".into()]),
        FieldValueDto::List(Vec::new()),
    ] {
        let mut server = Server::new();
        if let Some(org) = server.organizations.get_mut(&ORG) {
            org.organization_fields
                .insert("ase_email".into(), value.clone());
            org.name = String::new();
        }
        let h = Harness::start(server);
        assert_no_raw_keys(&h.view());
        if value == FieldValueDto::List(Vec::new()) {
            let text = render(&h.view());
            assert!(
                text.contains("ase: none:"),
                "an empty multi-select is not set: {text}"
            );
        } else if let FieldValueDto::List(_) = value {
            // A multi-select is no email: named as it holds it.
            let text = render(&h.view());
            assert!(text.contains("maria@acme.test, x"), "{text}");
            assert_eq!(
                h.log().matches("users.lookupByEmail").count(),
                0,
                "{}",
                h.log()
            );
        }
    }
}

#[test]
fn ping_records_parse_back_tolerantly() {
    let c = catalog();
    let record = PingRecord {
        channel: CHANNEL.into(),
        thread_ts: "1795708501.000001".into(),
        permalink: "https://acme-team.slack.com/archives/C0EMERG001/p1795708501000001?thread_ts=1&cid=C0EMERG001".into(),
        by: 100,
        by_name: "Zoë O'Neil = on call & more".into(),
        at_ms: NOW,
        ase: "U0MARIA01".into(),
    };
    let good = notes::format_ping_note(&c, &record, "Maria");
    let comment = |id: u64, body: &str, public: bool, at: &str| CommentDto {
        id,
        author_id: 1,
        body: body.into(),
        public,
        created_at: at.into(),
    };
    let older = PingRecord {
        by_name: "Earlier".into(),
        at_ms: NOW - 1000,
        ..record.clone()
    };
    let cases: Vec<(Vec<CommentDto>, Option<&PingRecord>)> = vec![
        (vec![comment(1, &good, false, "2026-11-26T15:55:00Z")], Some(&record)),
        (vec![comment(1, &good, true, "2026-11-26T15:55:00Z")], None),
        (vec![comment(1, &good.replace("by=100", "by=abc"), false, "x")], None),
        (vec![comment(1, &good.replace(" at=", " when="), false, "x")], None),
        (vec![comment(1, "ase-emergency-assist:v1 ping", false, "x")], None),
        (vec![comment(1, "ase-emergency-assist:v1 ping channel=%ZZ%", false, "x")], None),
        (vec![comment(1, "ase-emergency-assist:v1", false, "x")], None),
        (vec![comment(1, "", false, "")], None),
        (
            vec![
                comment(1, &good, false, "2026-11-26T15:55:00Z"),
                comment(2, &notes::format_ping_note(&c, &older, "Maria"), false, "2026-11-26T15:00:00Z"),
            ],
            Some(&record),
        ),
        (
            vec![
                comment(1, &format!("quoted:\n{good}\nand later a damaged line:\nase-emergency-assist:v1 ping channel="), false, "2026-11-26T15:55:00Z"),
            ],
            Some(&record),
        ),
    ];
    for (i, (comments, expect)) in cases.iter().enumerate() {
        let page = CommentsResponseDto {
            comments: comments.clone(),
            users: vec![ZendeskUserDto {
                id: 1,
                role: "agent".into(),
            }],
            ..CommentsResponseDto::default()
        };
        assert_eq!(
            notes::find_ping_record(&page, CHANNEL).as_ref(),
            *expect,
            "case {i}"
        );
    }
}

#[test]
fn percent_encoding_round_trips() {
    let cases = [
        ("maria+ase@acme.test", "maria%2Base%40acme.test"),
        ("a b&c=d/é", "a%20b%26c%3Dd%2F%C3%A9"),
        ("safe-._~AZaz09", "safe-._~AZaz09"),
    ];
    for (raw, encoded) in cases {
        assert_eq!(slack::percent_encode(raw), encoded);
        assert_eq!(slack::percent_decode(encoded), raw);
    }
    for odd in ["%", "%4", "%zz", "100%", "%C3"] {
        let _ = slack::percent_decode(odd);
    }
    // Decoded bytes count only as UTF-8, exactly as std's validator reads them: every one- and
    // two-byte sequence, and three- and four-byte ones around each boundary (overlong forms,
    // surrogates, above U+10FFFF, cut short).
    let encode = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    };
    let mut sequences: Vec<Vec<u8>> = Vec::new();
    for a in 0..=255u8 {
        sequences.push(vec![a]);
        for b in [
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xe0, 0xff,
        ] {
            sequences.push(vec![a, b]);
            for c in [0x80, 0xbf, 0x41] {
                sequences.push(vec![a, b, c]);
                sequences.push(vec![a, b, c, 0x80]);
                sequences.push(vec![a, b, c, 0xbf, 0x41]);
            }
        }
    }
    for bytes in sequences {
        let std = String::from_utf8(bytes.clone()).unwrap_or_default();
        assert_eq!(slack::percent_decode(&encode(&bytes)), std, "{bytes:02x?}");
    }
    assert_eq!(
        slack::method_url("users.lookupByEmail", &[("email", "maria+ase@acme.test")]),
        "https://slack.com/api/users.lookupByEmail?email=maria%2Base%40acme.test"
    );
}

// ---- Translations ----

/// A key the code names must exist in en.json: `k!` fails to compile otherwise. What stays to
/// check at run time: every setting problems can name has its label, the English compiled into
/// the app is en.json's (every numbered key reads as en.json says), and the numbering knows
/// every runtime key.
#[test]
fn the_compiled_english_is_en_json_and_every_setting_has_a_label() {
    let c = catalog();
    let english = Catalog::english();
    let mut wrong = Vec::new();
    // Every manifest parameter, as the admin's settings page lists them.
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.json"))
            .expect("manifest.json"),
    )
    .expect("manifest.json is JSON");
    let parameters = manifest["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(parameters.len() > 10, "the manifest's parameters");
    for parameter in &parameters {
        let setting = parameter["name"].as_str().unwrap_or_default();
        let label = setting_label(&c, setting);
        if label == setting || label.is_empty() {
            wrong.push(format!("no label for {setting}"));
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/translations/en.json");
    let tree: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("en.json"))
        .expect("en.json is JSON");
    let mut flat = Vec::new();
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            _ => {}
        }
    }
    walk("", &tree, &mut flat);
    let mut numbered = 0;
    for (name, text) in &flat {
        let runtime = ["ui.", "problems.", "host.", "meta.", "slack.", "note."]
            .iter()
            .any(|p| name.starts_with(p))
            || (name.starts_with("app.parameters.") && name.ends_with(".label"));
        match text::key_named(name) {
            Some(key) => {
                numbered += 1;
                if english.get(key) != *text || text::key_name(key) != name {
                    wrong.push(format!("{name}: compiled in as {:?}", english.get(key)));
                }
            }
            None if runtime => wrong.push(format!("{name}: not numbered")),
            None => {}
        }
    }
    assert!(numbered > 120, "the English keys are numbered ({numbered})");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// ---- Two agents, one ticket ----

/// Maria, the ASE of the test organization (her email in another case than the field's).
fn maria() -> ZafUserDto {
    ZafUserDto {
        id: 101,
        name: "Maria Lopez".into(),
        email: Some("Maria@Acme.test".into()),
        alias: None,
    }
}

fn sam() -> ZafUserDto {
    ZafUserDto {
        id: 102,
        name: "Sam Second".into(),
        email: Some("sam@acme.test".into()),
        alias: None,
    }
}

/// Two sidebars (two agents, or two tabs) on one ticket, over one server.
struct Two {
    server: Server,
    sides: [Sidebar; 2],
    agents: [u64; 2],
    now: i64,
}

impl Two {
    fn new(server: Server, second: ZafUserDto) -> Two {
        let boot_for = |viewer: ZafUserDto, seed: u64| Boot {
            seed,
            ..boot(settings(json!({})), ticket(json!({})), viewer)
        };
        let agents = [OLIVIA, second.id];
        let mut two = Two {
            server,
            sides: [
                Sidebar::new(boot_for(olivia(), 1), NOW, &Tz),
                Sidebar::new(boot_for(second, 2), NOW, &Tz),
            ],
            agents,
            now: NOW,
        };
        while two.step(0) || two.step(1) {}
        two
    }

    /// Answers one request of side `i`; false when it has none.
    fn step(&mut self, i: usize) -> bool {
        let Some(request) = self.sides[i].poll_request() else {
            return false;
        };
        self.server.agent = self.agents[i];
        let reply = self.server.answer(&request);
        self.sides[i].handle_reply(request.id, reply, self.now, &Tz);
        true
    }

    /// Runs both sides in the order `schedule` picks (bit k of the seed: who goes at turn k),
    /// then lets time pass until neither side waits for anything.
    fn run(&mut self, mut seed: u64) {
        for _ in 0..400 {
            let first = (seed & 1) as usize;
            seed = seed.rotate_right(1) ^ 0x9e37_79b9_7f4a_7c15;
            if !self.step(first) && !self.step(1 - first) {
                let wake = (0..2)
                    .filter_map(|i| self.sides[i].next_wake(self.now))
                    .min();
                let Some(at) = wake else { return };
                self.now = self.now.max(at);
                for side in &mut self.sides {
                    side.tick(self.now);
                }
            }
        }
        panic!("the two sides never settle: {:#?}", self.server.log);
    }

    fn click_both(&mut self) {
        for side in &mut self.sides {
            side.handle_action(Action::Ping, self.now, &Tz);
        }
    }

    fn ping_line(&self, i: usize) -> String {
        let text = render(&self.sides[i].view(self.now, &Tz));
        text.lines().last().unwrap_or_default().to_string()
    }
}

/// The ASE looking at their account's emergency is the one pinged, not the one pinging: no
/// button offers them to ping themselves, and a click asks nothing. Once on-call has pinged,
/// the ASE's sidebar shows the ping and the thread.
#[test]
fn the_ase_is_not_offered_to_ping_themselves() {
    let maria = maria();
    let mut two = Two::new(Server::new(), maria.clone());
    let view = |two: &Two, i: usize| {
        two.sides[i]
            .view(two.now, &Tz)
            .emergency
            .expect("emergency")
    };
    assert!(matches!(view(&two, 0).ping, PingView::Ready { .. }));
    assert_eq!(view(&two, 1).viewer_role, "You are the ASE");
    assert_eq!(view(&two, 1).ping, PingView::Hidden);
    two.sides[1].handle_action(Action::Ping, two.now, &Tz);
    two.sides[1].handle_action(Action::Retry, two.now, &Tz);
    assert_eq!(
        two.sides[1].poll_request(),
        None,
        "the ASE's click asks nothing"
    );
    assert_eq!(view(&two, 1).ping, PingView::Hidden);
    two.sides[0].handle_action(Action::Ping, two.now, &Tz);
    two.run(0);
    assert!(matches!(view(&two, 0).ping, PingView::Done { .. }));
    let two = Two::new(two.server, maria);
    let PingView::Done {
        text, permalink, ..
    } = view(&two, 1).ping
    else {
        panic!("the ASE sees the ping")
    };
    assert!(text.starts_with("Pinged by Olivia"), "{text}");
    assert!(permalink.starts_with("https://"), "{permalink}");
    let posts = &two.server.posts;
    assert_eq!(posts.len(), 2, "one root and one mention: {posts:#?}");
}

/// The ASE's follow-up to the customer (C2): only the ASE gets the button, once the lookup has
/// said who the ASE is; a click has the core hand the draft to the host once, and a click
/// while it goes hands over nothing; the editor taking it ends in a status line, refusing it
/// brings the button back. The draft names the ASE (by alias when they have one) and the
/// ticket, holds no internal text, and is never isolated for right-to-left: it goes to the
/// customer as plain text.
#[test]
fn the_ase_drafts_one_follow_up_for_the_customer() {
    let maria = maria();
    let follow_up = |h: &Harness| h.view().emergency.expect("emergency").follow_up;
    let mut on_call = Harness::start(Server::new());
    assert_eq!(follow_up(&on_call), None);
    on_call.click(Action::FollowUp);
    assert_eq!(on_call.sidebar.take_draft(), None, "not the ASE: nothing");
    on_call.click(Action::Ping);
    on_call.run();
    let mut b = boot(settings(json!({})), ticket(json!({})), maria.clone());
    b.catalog.set_isolate_values(true);
    let mut h = Harness::new(on_call.server, b);
    assert_eq!(
        follow_up(&h),
        None,
        "not before the lookup says who the ASE is"
    );
    h.run();
    let ready = FollowUpView {
        label: "Draft a follow-up to the customer".into(),
        busy: false,
        done: false,
    };
    assert_eq!(follow_up(&h), Some(ready.clone()));
    h.clear_log();
    h.click(Action::FollowedUp(true));
    assert_eq!(follow_up(&h), Some(ready.clone()), "no click, no outcome");
    assert_eq!(h.sidebar.take_draft(), None, "no click, no draft");
    h.click(Action::FollowUp);
    let draft = h
        .sidebar
        .take_draft()
        .expect("the click hands the draft over");
    assert_eq!(h.sidebar.take_draft(), None, "once");
    assert!(
        draft.starts_with("Hello,\n\nI'm Maria Lopez, your Assigned Support Engineer.")
            && draft.contains("request #201"),
        "{draft:?}"
    );
    assert!(!draft.contains(['\u{2068}', '\u{2069}']), "{draft:?}");
    let internal = h.notes().join("\n");
    for line in internal.lines().filter(|l| l.len() > 8) {
        assert!(!draft.contains(line), "internal {line:?} in {draft}");
    }
    for word in ["ase-emergency-assist", "slack.com", "Pinged", "Globex"] {
        assert!(!draft.contains(word), "{word} in {draft}");
    }
    let busy = FollowUpView {
        busy: true,
        ..ready.clone()
    };
    assert_eq!(follow_up(&h), Some(busy));
    h.click(Action::FollowUp);
    assert_eq!(
        h.sidebar.take_draft(),
        None,
        "a click while it goes: nothing"
    );
    h.click(Action::FollowedUp(false));
    assert_eq!(
        follow_up(&h),
        Some(ready.clone()),
        "refused: the button is back"
    );
    h.click(Action::FollowUp);
    assert_eq!(h.sidebar.take_draft().as_deref(), Some(draft.as_str()));
    h.click(Action::FollowedUp(true));
    h.click(Action::FollowedUp(false));
    let done = FollowUpView {
        label: "The draft is in the reply editor: complete it, then send it yourself".into(),
        busy: false,
        done: true,
    };
    assert_eq!(follow_up(&h), Some(done.clone()));
    h.click(Action::FollowUp);
    assert_eq!(
        h.sidebar.take_draft(),
        None,
        "drafted: a later click hands over nothing"
    );
    assert_eq!(follow_up(&h), Some(done));
    assert_eq!(h.log(), "", "the follow-up sends no request");

    // An alias is the name customers see; a viewer with no name at all gets no button.
    for (name, alias, signs) in [
        ("Maria Lopez", " M. Lopez ", Some("I'm M. Lopez,")),
        ("", "", None),
    ] {
        let viewer = ZafUserDto {
            name: name.into(),
            alias: Some(alias.into()),
            ..maria.clone()
        };
        let mut h = Harness::new(
            Server::new(),
            boot(settings(json!({})), ticket(json!({})), viewer),
        );
        h.run();
        h.click(Action::FollowUp);
        let draft = h.sidebar.take_draft();
        assert_eq!(follow_up(&h).is_some(), signs.is_some());
        match signs {
            Some(text) => assert!(draft.unwrap_or_default().contains(text)),
            None => assert_eq!(draft, None),
        }
    }
}

/// Two agents click Ping at the same moment, in every interleaving of their requests a
/// deterministic schedule produces, with stamps that can (Zendesk's one-second precision) or
/// cannot tell their claims apart: one root, one mention, one note, no claim left, and both
/// sidebars end showing the same ping.
#[test]
fn two_agents_clicking_together_ping_once() {
    for coarse in [false, true] {
        for seed in 0..300u64 {
            let mut server = Server::new();
            server.coarse_stamps = coarse;
            let mut two = Two::new(server, sam());
            two.click_both();
            two.run(seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
            let case = format!("coarse={coarse} seed={seed}");
            let (roots, mentions) = {
                let posts = &two.server.posts;
                let roots = posts.iter().filter(|p| p.thread_ts.is_none()).count();
                (roots, posts.len() - roots)
            };
            let notes = two.server.comments.iter().filter(|c| !c.public).count();
            assert_eq!(
                (roots, mentions, notes),
                (1, 1, 1),
                "{case}: {:#?}",
                two.server.log
            );
            assert!(
                two.server.tags.is_empty(),
                "{case}: claims left {:?}",
                two.server.tags
            );
            let (a, b) = (two.ping_line(0), two.ping_line(1));
            assert!(a.starts_with("ping: done: Pinged by"), "{case}: {a}");
            assert_eq!(a, b, "{case}: both show the one ping");
        }
    }
}

/// The agent who loses the claim says who is pinging and since when, and makes one request
/// per re-read while it waits (no storm).
#[test]
fn the_loser_shows_the_winners_progress() {
    let mut two = Two::new(Server::new(), sam());
    two.click_both();
    // Olivia reads the ticket, the notes and claims; then Sam reads and finds her claim.
    for _ in 0..3 {
        assert!(two.step(0));
    }
    while two.step(1) {}
    check(
        &two.ping_line(1),
        "ping: in flight: Another agent started this ping at 16:55; its result shows here when it is done",
    );
    assert_eq!(two.sides[1].next_wake(two.now), Some(NOW + 4000));
    two.server.log.clear();
    two.now += 4000;
    two.sides[1].tick(two.now);
    while two.step(1) {}
    check(&two.server.log.join("\n"), "GET /api/v2/tickets/201");
    two.run(0);
    assert_eq!(two.ping_line(0), two.ping_line(1));
}

/// Two tabs of one agent are two claimants too (their nonces differ by the host's seed).
#[test]
fn two_tabs_of_one_agent_ping_once() {
    let mut server = Server::new();
    server.coarse_stamps = true;
    let mut two = Two::new(server, olivia());
    two.click_both();
    two.run(5);
    assert_eq!(two.server.posts.len(), 2, "{:#?}", two.server.log);
}

/// A claim whose owner vanished (its tab closed mid-ping, after the root was posted) holds for
/// two minutes; then another agent takes it over, reads Slack, and posts only the mention.
#[test]
fn a_vanished_claim_is_taken_over_after_it_expires() {
    let mut two = Two::new(Server::new(), sam());
    two.sides[0].handle_action(Action::Ping, two.now, &Tz);
    // Olivia: ticket, claim, notes, auth.test, history, root post; then her tab closes.
    for _ in 0..6 {
        assert!(two.step(0));
    }
    assert_eq!(two.server.posts.len(), 1);
    two.sides[1].handle_action(Action::Ping, two.now, &Tz);
    while two.step(1) {}
    assert!(
        two.ping_line(1).contains("Another agent started this ping"),
        "{}",
        two.ping_line(1)
    );
    // Sam's sidebar re-reads every 4 s; after two minutes the claim has expired.
    for _ in 0..40 {
        let Some(at) = two.sides[1].next_wake(two.now) else {
            break;
        };
        two.now = at;
        two.sides[1].tick(two.now);
        while two.step(1) {}
    }
    assert!(two.now >= NOW + 120_000);
    assert_eq!(two.ping_line(1), "ping: [Ping ASE in Slack]");
    two.sides[1].handle_action(Action::Ping, two.now, &Tz);
    while two.step(1) {}
    let roots = two
        .server
        .posts
        .iter()
        .filter(|p| p.thread_ts.is_none())
        .count();
    assert_eq!(
        (roots, two.server.posts.len()),
        (1, 2),
        "{:#?}",
        two.server.log
    );
    assert!(two
        .ping_line(1)
        .starts_with("ping: done: Pinged by Sam Second"));
    assert!(
        two.server.tags.is_empty(),
        "the stale claim was removed: {:?}",
        two.server.tags
    );
}

/// A claim's owner that is still running near the end of its claim stops before posting.
#[test]
fn an_owner_past_its_claim_stops_before_posting() {
    let mut h = Harness::start(Server::new());
    h.click(Action::Ping);
    for _ in 0..3 {
        assert!(h.step());
    }
    h.now += 95_000;
    h.run();
    assert_eq!(h.server.posts.len(), 0);
    assert!(
        render(&h.view()).contains("took so long"),
        "{}",
        render(&h.view())
    );
    assert!(h.server.tags.is_empty(), "the claim was released");
}

// ---- Live state ----

/// A ticket set to urgent while open becomes an emergency and starts its reads; set back, it
/// collapses; set to urgent again, it shows what it had, with no second round of reads. While
/// it is not an emergency, nothing is asked.
#[test]
fn a_ticket_set_to_urgent_while_open_becomes_an_emergency() {
    let mut h = Harness::new(
        Server::new(),
        boot(
            settings(json!({})),
            ticket(json!({"priority": "normal"})),
            olivia(),
        ),
    );
    h.run();
    assert_eq!(h.log(), "");
    assert_eq!(h.view().phase, Phase::NotEmergency);

    h.sidebar
        .ticket_changed(ticket(json!({"priority": "urgent"})), None, None, &Tz);
    h.run();
    assert_eq!(h.view().phase, Phase::Emergency);
    check(&h.log(), START_READS);
    assert!(render(&h.view()).ends_with("ping: [Ping ASE in Slack]"));

    h.clear_log();
    h.sidebar
        .ticket_changed(ticket(json!({"priority": "normal"})), None, None, &Tz);
    h.run();
    let view = h.view();
    assert_eq!(view.phase, Phase::NotEmergency);
    assert!(view.emergency.is_none() && view.collapsed);

    h.sidebar
        .ticket_changed(ticket(json!({"priority": "urgent"})), None, None, &Tz);
    h.run();
    assert_eq!(h.log(), "", "the workflows kept what they had read");
    assert!(render(&h.view()).ends_with("ping: [Ping ASE in Slack]"));

    // The Slack root names the subject and priority as they are now.
    h.sidebar.ticket_changed(
        ticket(json!({"priority": "urgent", "subject": "Renamed by the agent"})),
        None,
        None,
        &Tz,
    );
    h.click(Action::Ping);
    h.run();
    assert!(
        h.server.posts[0].text.contains("Renamed by the agent"),
        "{}",
        h.server.posts[0].text
    );
}

/// Activation (or a save by someone) re-reads the shared state: another agent's ping shows
/// without a reload; a second activation within 10 s asks nothing.
#[test]
fn activation_rereads_the_shared_state_without_a_storm() {
    let mut h = Harness::start(Server::new());
    assert!(render(&h.view()).ends_with("ping: [Ping ASE in Slack]"));
    let note = notes::format_ping_note(&catalog(), &sam_pinged_at_1335(), "Maria Lopez");
    h.server.add_note(102, note);
    h.clear_log();
    // The start-up reads were the first look; ten seconds later a re-read is due.
    h.now += 10_000;
    h.sidebar.refresh(h.now);
    h.run();
    check(
        &h.log(),
        "
        GET /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        ",
    );
    assert!(
        render(&h.view()).contains("ping: done: Pinged by Sam"),
        "{}",
        render(&h.view())
    );

    let mut h = Harness::start(Server::new());
    // The start-up reads were the first look; ten seconds later a re-read is due.
    h.now += 10_000;
    h.sidebar.refresh(h.now);
    h.run();
    h.clear_log();
    h.sidebar.refresh(h.now + 5_000);
    h.sidebar.refresh(h.now + 9_999);
    h.run();
    assert_eq!(h.log(), "", "no second re-read within 10 s");
    // The re-read asked for meanwhile happens once, when the 10 s are over.
    assert_eq!(h.sidebar.next_wake(h.now + 9_999), Some(h.now + 10_000));
    h.now += 10_000;
    h.sidebar.tick(h.now);
    h.run();
    check(
        &h.log(),
        "
        GET /api/v2/tickets/201
        GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100
        ",
    );
    assert_eq!(h.sidebar.next_wake(h.now), None);
}

/// An activation that finds another agent's live claim shows the wait, then the result.
#[test]
fn activation_finds_another_agents_claim() {
    let mut h = Harness::start(Server::new());
    let tag = format!("ase_ping_claim_{}_102_abc123", NOW / 1000);
    h.server.tags.push(tag);
    // The start-up reads were the first look; ten seconds later a re-read is due.
    h.now += 10_000;
    h.sidebar.refresh(h.now);
    h.run();
    assert!(
        render(&h.view()).contains("ping: in flight: Another agent started this ping"),
        "{}",
        render(&h.view())
    );
    h.server.tags.clear();
    let note = notes::format_ping_note(&catalog(), &sam_pinged_at_1335(), "Maria Lopez");
    h.server.add_note(102, note);
    h.settle(5);
    assert!(
        render(&h.view()).contains("ping: done: Pinged by Sam"),
        "{}",
        render(&h.view())
    );
}

/// A claim tag dated far ahead (no clock is that wrong: a bad or hostile tag) holds nothing:
/// the ping goes ahead once, and removes that tag with its own.
#[test]
fn a_claim_dated_far_ahead_never_blocks_the_ping() {
    let mut h = Harness::start(Server::new());
    let far = "ase_ping_claim_9000000000000_102_abc123".to_string();
    h.server.tags.push(far.clone());
    h.click(Action::Ping);
    h.run();
    let text = render(&h.view());
    assert!(text.contains("ping: done: Pinged by Olivia"), "{text}");
    assert_eq!(h.server.posts.len(), 2, "one root, one mention");
    assert!(!h.server.tags.contains(&far), "{:?}", h.server.tags);
}

/// Degraded mode (F1): when Slack cannot be used, the failure offers the ping's text to post by
/// hand: the root and the mention as plain text (links spelled out, the ASE by handle), hostile
/// text as the customer wrote it (the Slack composer escapes what is pasted).
#[test]
fn when_slack_cannot_be_used_the_ping_text_can_be_posted_by_hand() {
    let mut server = Server::new();
    server.fail(
        "conversations.history",
        Fault::SlackError("not_in_channel"),
        1,
    );
    let mut h = Harness::new(
        server,
        boot(
            settings(json!({})),
            ticket(json!({"subject": "<!channel> & *bold* <https://evil.example|click>"})),
            olivia(),
        ),
    );
    h.run();
    h.click(Action::Ping);
    h.run();
    let text = render(&h.view());
    let copy = text
        .split("  copy [Copy ping text]:\n")
        .nth(1)
        .unwrap_or_default();
    check(
        copy,
        "
        :rotating_light: Emergency #201 (https://acme.zendesk.com/agent/tickets/201): <!channel> & *bold* <https://evil.example|click>
        Organization: Acme Corp · Priority: urgent

        @maria your account Acme Corp has an emergency (#201 (https://acme.zendesk.com/agent/tickets/201)) and you are inside working hours. Could you join? You can take over as DRI, shadow, troubleshoot async in this thread, or add context for the on-call engineer. Pinged by Olivia On-call.
        ",
    );
    assert_eq!(h.written(), (0, 0, 0));
    assert!(h.server.tags.is_empty(), "the claim was released");
}

/// The mention reaches the ASE: Slack notifies channel members only, so before the mention the
/// ping checks the channel's members; an ASE outside is invited first, and the sidebar says so.
#[test]
fn the_mention_reaches_an_ase_outside_the_channel() {
    let mut server = Server::new();
    server.members.retain(|m| m != "U0MARIA01");
    let mut h = Harness::start(server);
    h.clear_log();
    h.click(Action::Ping);
    h.run();
    let log = h.log();
    let members = log.find("conversations.members").expect("members read");
    let invite = log
        .find("POST slack:conversations.invite")
        .expect("an invitation");
    let mention = log
        .rfind("POST slack:chat.postMessage")
        .expect("the mention");
    assert!(members < invite && invite < mention, "{log}");
    assert!(h.server.members.contains(&"U0MARIA01".to_string()));
    assert_eq!(h.written(), (1, 1, 1));
    let text = render(&h.view());
    assert!(
        text.contains("· Maria Lopez was not in the channel, so the app invited them"),
        "{text}"
    );

    // A member is not invited, and the sidebar adds nothing.
    let mut h = Harness::start(Server::new());
    h.click(Action::Ping);
    h.run();
    assert!(!h.log().contains("conversations.invite"));
    let text = render(&h.view());
    let ping = text.lines().last().unwrap_or_default();
    assert!(
        ping.starts_with("ping: done:") && !ping.contains(" · "),
        "{ping}"
    );
}

/// A server whose channel does not hold Maria and whose bot cannot invite her.
fn uninvitable() -> Server {
    let mut server = Server::new();
    server.members.retain(|m| m != "U0MARIA01");
    let refused = Fault::SlackError("missing_scope");
    server.fail("conversations.invite", refused, 99);
    server
}

const MESSAGED: &str = "· Maria Lopez is not in the channel, so the app sent them a direct message";
const NOT_REACHED: &str = "· Maria Lopez is not in the channel, so Slack does not notify them";

/// When the ASE cannot be invited (a missing scope), the app sends them a direct message with
/// the thread's link, after the mention and before the note, once: the direct message's history
/// is read first, a lost answer is read back, and a later run (a retry, a reload) finds it.
#[test]
fn an_ase_who_cannot_be_invited_gets_one_direct_message() {
    let mut h = Harness::start(uninvitable());
    h.clear_log();
    h.click(Action::Ping);
    h.run();
    assert_eq!(h.written(), (1, 1, 1), "the ping completes");
    let log = h.log();
    let order = [
        "POST slack:conversations.invite",
        "GET slack:chat.getPermalink",
        "POST slack:conversations.open?users=U0MARIA01",
        "GET slack:conversations.history?channel=D0MARIA01&oldest=1795708501.000001&limit=200&include_all_metadata=true",
        "POST slack:chat.postMessage",
        "PUT /api/v2/tickets/201",
    ];
    let at: Vec<usize> = order.iter().map(|o| log.rfind(o).expect(o)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{log}");
    assert_eq!(h.server.dms.len(), 1);
    let permalink = "https://acme-team.slack.com/archives/C0EMERG001/p1795708501000001";
    check(
        &h.server.dms[0].text,
        &format!("<@U0MARIA01> you were mentioned in the Slack thread of an emergency of your account Acme Corp (<https://acme.zendesk.com/agent/tickets/201|#201>), but you are not in that channel, so Slack did not notify you. The thread: {permalink} · Pinged by Olivia On-call."),
    );
    let text = render(&h.view());
    assert!(text.contains(MESSAGED), "{text}");

    // A reload (a new sidebar) whose run finds the thread and the mention: the direct message
    // is found too, and nothing is sent twice.
    let mut server = std::mem::replace(&mut h.server, Server::new());
    server.comments.retain(|c| c.public);
    let mut again = Harness::start(server);
    again.click(Action::Ping);
    again.run();
    assert_eq!(again.server.dms.len(), 1, "{}", again.log());
    assert_eq!(again.server.posts.len(), 2, "one root, one mention");
    assert!(render(&again.view()).contains(MESSAGED));

    // The direct message's answer is lost after it was sent: read back, not sent again.
    let mut server = uninvitable();
    server.lose_answer("chat.postMessage dm", 1);
    let mut h = Harness::start(server);
    h.click(Action::Ping);
    h.run();
    assert_eq!((h.written(), h.server.dms.len()), ((1, 1, 1), 1));
    assert!(render(&h.view()).contains(MESSAGED));
}

/// A run past its claim's posting deadline sends no direct message (another agent may hold the
/// claim by then): it writes the note and says the ASE was not notified.
#[test]
fn a_late_run_leaves_the_direct_message_out() {
    let mut h = Harness::start(uninvitable());
    h.click(Action::Ping);
    while !h.log().contains("conversations.open") {
        assert!(h.step(), "the run reaches the direct message: {}", h.log());
    }
    h.now += 95_000;
    h.run();
    assert_eq!((h.written(), h.server.dms.len()), ((1, 1, 1), 0));
    assert!(render(&h.view()).contains(NOT_REACHED));
}

/// The direct message is a fallback: when it cannot be opened (no `im:write`), or its history
/// cannot be read to keep it exactly once (no `im:history`), the ping still completes, sends no
/// direct message, and says the ASE was not notified.
#[test]
fn a_direct_message_that_cannot_be_sent_leaves_the_ping_done_and_says_so() {
    for method in ["conversations.open", "conversations.history dm"] {
        let mut server = uninvitable();
        server.fail(method, Fault::SlackError("missing_scope"), 1);
        let mut h = Harness::start(server);
        h.click(Action::Ping);
        h.run();
        assert_eq!(
            (h.written(), h.server.dms.len()),
            ((1, 1, 1), 0),
            "{method}"
        );
        let text = render(&h.view());
        assert!(text.contains(NOT_REACHED), "{method}: {text}");
    }
}

/// The account context (N1): the organization's notes and details, then the listed fields with
/// their titles (every page of definitions read), a dropdown's option name and a multi-select's
/// option names; a key listed twice shows once; a long value folds; untrusted text stays as it
/// is. No fields listed: no definitions read.
#[test]
fn the_account_context_shows_notes_details_and_listed_fields() {
    let mut server = Server::new();
    if let Some(org) = server.organizations.get_mut(&ORG) {
        org.notes = Some("Black Friday freeze <!channel> <script>x</script>".into());
        org.details = Some("  ".into());
        org.organization_fields.insert(
            "architecture".into(),
            FieldValueDto::Text("k8s ".repeat(80)),
        );
        org.organization_fields.insert(
            "regions".into(),
            FieldValueDto::List(vec!["eu".into(), "us_east".into(), "unlisted".into()]),
        );
    }
    server.org_fields.push(org_field(
        "regions",
        "Regions",
        &[("eu", "Europe"), ("us_east", "US East")],
    ));
    let mut h = Harness::new(
        server,
        boot(
            settings(json!({
                "context_fields": "architecture, tier, regions, nothing_here, bad key!, tier"
            })),
            ticket(json!({})),
            olivia(),
        ),
    );
    h.run();
    let log = h.log();
    assert!(log.contains("GET /api/v2/organization_fields\n"), "{log}");
    assert!(
        log.contains("GET /api/v2/organization_fields.json?page=2"),
        "{log}"
    );
    let text = render(&h.view());
    let context: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("account-context:"))
        .take_while(|l| !l.starts_with("ping:"))
        .collect();
    check(
        &context.join("\n"),
        &format!(
            "
            account-context: Account context
              Notes: Black Friday freeze <!channel> <script>x</script>
              Architecture [folded]: {}
              Support tier: Enterprise (24/7)
              Regions: Europe, US East, unlisted
            ",
            "k8s ".repeat(80).trim()
        ),
    );
    assert!(text.contains("problem: "), "the bad key is named: {text}");

    // The definitions cannot be read: the fields show under their keys.
    let mut server = Server::new();
    server.fail("GET /api/v2/organization_fields", Fault::Transport, 1);
    let mut h = Harness::new(
        server,
        boot(
            settings(json!({"context_fields": "tier"})),
            ticket(json!({})),
            olivia(),
        ),
    );
    h.run();
    assert!(
        render(&h.view()).contains("\n  tier: enterprise\n"),
        "{}",
        render(&h.view())
    );

    // Nothing listed and nothing in notes or details: no definitions read, no context.
    let h = Harness::start(Server::new());
    assert!(!h.log().contains("organization_fields"));
    assert!(!render(&h.view()).contains("account-context:"));
}

// ---- Prep notes (N2) ----

/// The ASE's composer note in another tagged ticket of the organization, whose window holds
/// the emergency, shows first and highlighted, with its window in the viewer's time (Paris)
/// and the ASE's (New York) and a link to its ticket; an expired hand-written note follows;
/// a public comment and an end user's private one never count, however they read. The Slack
/// root carries the highlighted note's task, window and link, its problems and solutions,
/// escaped.
#[test]
fn prep_notes_show_the_one_planned_now_first_and_reach_the_slack_root() {
    use ase_emergency_assist::core::clock;
    use ase_emergency_assist::core::prep::{self, Draft, Window};
    let c = catalog();
    let draft = Draft {
        task: "ETL backfill <b>&</b>".into(),
        parts: [
            "Re-run the nightly ETL for Nov 20-25".into(),
            "Dashboards lag <!channel>".into(),
            "Pause the refresh: https://runbook.example/etl".into(),
            String::new(),
            "Kenji".into(),
        ],
        ..Draft::default()
    };
    let window = Window {
        start_ms: clock::parse_rfc3339("2026-11-26T12:00:00Z").unwrap_or(0),
        end_ms: clock::parse_rfc3339("2026-11-26T16:00:00Z").unwrap_or(0),
        zone: "America/New_York".into(),
    };
    let composed = prep::format_note(&c, &draft, &window);
    let note = |id: u64, author_id: u64, body: &str, public: bool, at: &str| CommentDto {
        id,
        author_id,
        body: body.into(),
        public,
        created_at: at.into(),
    };
    let mut server = Server::new();
    server.tagged = vec![
        (205, vec![note(9001, 101, &composed, false, "2026-11-25T18:00:00Z")]),
        (
            206,
            vec![
                note(9002, 101, "Prep note (ASE): DB upgrade\nWindow: 2026-11-20 01:00-03:00 UTC\nRisks: replica lag", false, "2026-11-19T10:00:00Z"),
                note(9003, 101, "Prep note: public fake\nWindow: 2026-11-26 15:00-17:00 UTC", true, "2026-11-26T15:00:00Z"),
                note(9004, 900, "Prep note: end-user fake\nWindow: 2026-11-26 15:00-17:00 UTC", false, "2026-11-26T15:01:00Z"),
            ],
        ),
    ];
    let mut h = Harness::start(server);
    let text = render(&h.view());
    let prep: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("prep-notes:"))
        .take_while(|l| !l.starts_with("account-context:") && !l.starts_with("ping:"))
        .collect();
    let prep = prep.join("\n");
    assert!(prep.starts_with("prep-notes: ASE prep notes\n  [now] Planned now: ETL backfill <b>&</b> · Nov 26 13:00–17:00 your time · 07:00–11:00 for the ASE: Planned: Re-run the nightly ETL"), "{prep}");
    assert!(prep.contains("\n    <In ticket #205: https://acme.zendesk.com/agent/tickets/205>\n  DB upgrade · Nov 20 02:00–04:00 your time · 20:00–22:00 for the ASE: "), "{prep}");
    assert!(!prep.contains("fake"), "{prep}");
    assert_eq!(prep.matches("[now]").count(), 1, "{prep}");

    h.click(Action::Ping);
    h.run();
    let root = h
        .server
        .posts
        .first()
        .map(|p| p.text.clone())
        .unwrap_or_default();
    assert!(
        root.contains("\nPrep note for this time (<https://acme.zendesk.com/agent/tickets/205|#205>): ETL backfill &lt;b&gt;&amp;&lt;/b&gt;, 2026-11-26 12:00–16:00 UTC\nPossible problems: Dashboards lag &lt;!channel&gt;\nSuggested solutions: Pause the refresh: https://runbook.example/etl"),
        "{root}"
    );
}

/// Starts an emergency whose start-up reads (among them one whose URL starts with `read`) all
/// leave unanswered, changes the ticket's organization, then answers them late and runs on.
fn answered_after_an_organization_change(server: Server, read: &str) -> Harness {
    let mut h = Harness::new(
        server,
        boot(settings(json!({})), ticket(json!({})), olivia()),
    );
    let mut held = Vec::new();
    while let Some(request) = h.sidebar.poll_request() {
        held.push(request);
    }
    assert!(held.iter().any(|r| r.url.starts_with(read)), "{held:?}");
    h.sidebar.ticket_changed(
        ticket(json!({"organization": {"id": 77, "name": "Initech"}})),
        None,
        None,
        &Tz,
    );
    for request in held {
        let reply = h.server.answer(&request);
        h.sidebar.handle_reply(request.id, reply, h.now, &Tz);
    }
    h.run();
    h
}

/// The organization changes while its prep-notes search is under way: the late answer is the
/// old organization's and is dropped; the new organization's finder shows what it finds (here,
/// nothing), never the old one's notes.
#[test]
fn a_late_prep_notes_answer_of_the_previous_organization_is_dropped() {
    let note = CommentDto {
        id: 9001,
        author_id: 101,
        body: "Prep note (ASE): ETL backfill\nWindow: 2026-11-26 12:00-16:00 UTC".into(),
        public: false,
        created_at: "2026-11-25T18:00:00Z".into(),
    };
    let mut server = Server::new();
    server.tagged = vec![(205, vec![note])];
    let h = answered_after_an_organization_change(server, "/api/v2/search");
    let tagged_reads = h
        .server
        .log
        .iter()
        .filter(|l| l.starts_with("GET /api/v2/tickets/205/"))
        .count();
    assert_eq!(
        tagged_reads, 0,
        "the old search's tickets are not read: {:#?}",
        h.server.log
    );
    assert!(h.view().emergency.expect("emergency").prep.is_none());
}

/// The organization changes while the ASE lookup's first read is under way: the late answer is
/// the old organization's (Maria's) and is dropped, so the new organization's card never shows
/// the old ASE and Slack is never asked about her.
#[test]
fn a_late_lookup_answer_of_the_previous_organization_is_dropped() {
    let h = answered_after_an_organization_change(Server::new(), "/api/v2/organizations/9");
    assert!(
        !h.log().contains("users.lookupByEmail"),
        "Slack is not asked about the old ASE: {}",
        h.log()
    );
    let ase = h.view().emergency.expect("emergency").ase;
    assert!(!matches!(ase, AseView::Found(_)), "{ase:?}");
}

// ---- The prep-note form (N3) ----

fn prep_draft(task: &str) -> Draft {
    Draft {
        task: task.into(),
        start: "2026-11-26T13:00".into(),
        end: "2026-11-26T15:30".into(),
        zone: "UTC".into(),
        parts: [
            "Move the checkout DB".into(),
            "Replica lag".into(),
            "Fail back".into(),
            String::new(),
            String::new(),
        ],
    }
}

/// An ordinary ticket of an organization with an ASE: the form, and no request until Save.
fn composer_harness(server: Server) -> Harness {
    let mut b = boot(
        settings(json!({})),
        ticket(json!({"priority": "normal", "tags": []})),
        olivia(),
    );
    b.ase_field_value = Some("maria.lopez@acme-support.example".into());
    let mut h = Harness::new(server, b);
    h.run();
    h
}

fn composer_view(h: &Harness) -> ComposerView {
    h.view().composer.expect("the prep-note form")
}

fn prep_notes_of(h: &Harness) -> Vec<String> {
    h.notes()
        .into_iter()
        .filter(|n| n.contains("ase-emergency-assist:v1 prep"))
        .collect()
}

/// Preview asks nothing; Save writes one internal note with the prep-note tag and the save's
/// nonce on its machine line; clicks while it runs do nothing; the form's text is then dropped.
#[test]
fn a_prep_note_is_previewed_then_saved_once() {
    let mut h = composer_harness(Server::new());
    assert_eq!(h.log(), "", "an ordinary ticket asks nothing");
    let draft = prep_draft("DB migration");
    h.sidebar.compose(Ask::Preview, &draft, None, h.now, &Tz);
    let preview = composer_view(&h).preview.expect("a preview");
    assert!(
        preview.starts_with("Prep note (ASE): DB migration\nWindow: 2026-11-26 13:00–15:30 UTC"),
        "{preview}"
    );
    assert_eq!(h.log(), "", "a preview asks nothing");

    h.sidebar.compose(Ask::Save, &draft, None, h.now, &Tz);
    h.sidebar.compose(Ask::Save, &draft, None, h.now, &Tz);
    let saving = composer_view(&h);
    assert!(saving.busy && saving.nonce.is_some(), "{saving:?}");
    h.run();
    assert_eq!(h.log(), "PUT /api/v2/tickets/201", "one write");
    let notes = prep_notes_of(&h);
    assert_eq!(notes.len(), 1);
    let nonce = saving.nonce.unwrap();
    assert!(
        notes[0].starts_with(&preview),
        "the note is the preview: {}",
        notes[0]
    );
    assert!(notes[0].ends_with(&format!(" id={nonce}")), "{}", notes[0]);
    assert!(
        h.server.tags.contains(&"ase_prep_note".to_string()),
        "{:?}",
        h.server.tags
    );
    let saved = composer_view(&h);
    assert_eq!((saved.clear, saved.busy, saved.nonce), (1, false, None));

    // The next note is another save, with another nonce.
    h.clear_log();
    h.now += 60_000;
    h.sidebar
        .compose(Ask::Save, &prep_draft("Index rebuild"), None, h.now, &Tz);
    h.run();
    assert_eq!(h.log(), "PUT /api/v2/tickets/201");
    assert_eq!(prep_notes_of(&h).len(), 2);
}

/// A save whose answer was lost after it landed: after a reload, Save again (the host kept the
/// nonce) reads the notes back page by page, finds it behind a full page of newer replies, and
/// writes nothing.
#[test]
fn a_prep_note_whose_answer_was_lost_is_read_back_not_written_again() {
    let mut server = Server::new();
    server.lose_answer(NOTE_PUT, 1);
    let mut h = composer_harness(server);
    let draft = prep_draft("DB migration");
    h.sidebar.compose(Ask::Save, &draft, None, h.now, &Tz);
    h.run();
    let failed = composer_view(&h);
    assert!(
        failed.status.is_some() && failed.clear == 0 && !failed.busy,
        "{failed:?}"
    );
    let nonce = failed
        .nonce
        .clone()
        .expect("the nonce stays with the draft");
    assert_eq!(prep_notes_of(&h).len(), 1, "it landed");

    // The customer writes 150 replies; then a reload: a new sidebar, the host's kept nonce.
    h.server.add_public_comments(150);
    let server = std::mem::replace(&mut h.server, Server::new());
    let mut h = composer_harness(server);
    h.clear_log();
    h.sidebar
        .compose(Ask::Save, &draft, Some(nonce), h.now, &Tz);
    h.run();
    assert_eq!(
        h.log(),
        "GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100\n\
         GET /api/v2/tickets/201/comments?sort_order=desc&include=users&page%5Bsize%5D=100&page%5Bafter%5D=cursor-100",
        "read back, nothing written"
    );
    assert_eq!(prep_notes_of(&h).len(), 1);
    assert_eq!(composer_view(&h).clear, 1, "saved: the form's text goes");
}

/// A save that failed before it landed, and a forged copy of its machine line by an end user
/// (an emailed reply can become a private comment): the copy does not count, the note is
/// written once.
#[test]
fn a_forged_prep_note_line_does_not_count_as_saved() {
    let mut server = Server::new();
    server.fail_note_once();
    let mut h = composer_harness(server);
    let draft = prep_draft("DB migration");
    h.sidebar.compose(Ask::Save, &draft, None, h.now, &Tz);
    h.run();
    let nonce = composer_view(&h).nonce.expect("a nonce");
    assert_eq!(prep_notes_of(&h).len(), 0, "it did not land");
    let forged = format!("Prep note (ASE): DB migration\n\nase-emergency-assist:v1 prep start=2026-11-26T13:00:00Z end=2026-11-26T15:30:00Z zone=UTC id={nonce}");
    h.server.end_users.push(110);
    h.server.add_note(110, forged);
    h.clear_log();
    h.sidebar.compose(Ask::Save, &draft, None, h.now, &Tz);
    h.run();
    assert!(h.log().ends_with("PUT /api/v2/tickets/201"), "{}", h.log());
    let mine: Vec<_> = h
        .server
        .comments
        .iter()
        .filter(|c| c.author_id == OLIVIA && c.body.contains("v1 prep"))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(composer_view(&h).clear, 1);
}

/// No organization ASE, no form; an invalid draft says why, in form order, and asks nothing.
#[test]
fn the_prep_note_form_needs_an_ase_and_a_valid_draft() {
    let h = Harness::new(
        Server::new(),
        boot(
            settings(json!({})),
            ticket(json!({"priority": "normal"})),
            olivia(),
        ),
    );
    assert!(h.view().composer.is_none());
    let mut h = composer_harness(Server::new());
    let draft = Draft {
        zone: "Mars/Olympus".into(),
        ..Draft::default()
    };
    h.sidebar.compose(Ask::Save, &draft, None, h.now, &Tz);
    h.run();
    assert_eq!(h.log(), "");
    let invalid = composer_view(&h).invalid;
    let c = catalog();
    assert_eq!(
        invalid,
        vec![
            c.get(ase_emergency_assist::k!("ui.prep.invalid.task")),
            c.get(ase_emergency_assist::k!("ui.prep.invalid.zone")),
            c.get(ase_emergency_assist::k!("ui.prep.invalid.window")),
            c.get(ase_emergency_assist::k!("ui.prep.invalid.planned")),
        ]
    );
}
