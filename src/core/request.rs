//! The requests the core asks the host to perform and the answers it gets back: the boundary
//! between the pure state machines and `client.request`.
//!
//! Invariant: a Slack request carries only the `{{setting.slack_bot_token}}` placeholder and
//! `secure: true`; no code path can put a token here.
use super::slack::{self, PostMessageDto, SlackResponseDto};
use super::zendesk::{
    CommentsResponseDto, OrganizationFieldsResponseDto, OrganizationResponseDto, SearchResponseDto,
    TicketResponseDto, TicketUpdateDto,
};
use serde::Serialize;
use std::rc::Rc;

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
    SlackInvite(slack::InviteDto),
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
    OrganizationFields,
    Search,
    Comments,
    Ticket,
    Slack,
}

/// One HTTP call for the host to make through `client.request`.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Set by the sidebar when the request leaves; workflows build requests with 0.
    pub id: RequestId,
    pub method: Method,
    /// `/api/v2/...` for Zendesk, `https://slack.com/api/<method>?<query>` for Slack.
    pub url: String,
    /// Shared, not copied, with the ping's copy of its last request (re-sent after a 429): a
    /// deep clone of every body type cost the bundle about 0.3 KB gzipped.
    pub body: Option<Rc<Body>>,
    /// Extra headers; Slack calls carry `Authorization: Bearer {{setting.slack_bot_token}}`.
    pub headers: Vec<(String, String)>,
    /// `secure: true` for Slack calls, so the proxy substitutes the placeholder.
    pub secure: bool,
    pub expect: Expect,
}

impl Request {
    /// A Zendesk REST call (same-account, no secure setting).
    pub fn zendesk(method: Method, url: String, body: Option<Body>, expect: Expect) -> Request {
        Request {
            id: 0,
            method,
            url,
            body: body.map(Rc::new),
            headers: Vec::new(),
            secure: false,
            expect,
        }
    }

    /// A Slack Web API call, authorised by the secure setting's placeholder.
    pub fn slack(method: Method, url: String, body: Option<Body>) -> Request {
        Request {
            id: 0,
            method,
            url,
            body: body.map(Rc::new),
            headers: vec![(
                "Authorization".to_string(),
                slack::AUTH_HEADER_VALUE.to_string(),
            )],
            secure: true,
            expect: Expect::Slack,
        }
    }
}

/// A decoded successful answer (HTTP 2xx). Slack's `ok:false` arrives here too, as HTTP 200.
// One reply lives at a time and moves straight into the state machine, so the size of the
// Slack variant costs nothing worth a `Box` in the host's constructor calls.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Organization(OrganizationResponseDto),
    OrganizationFields(OrganizationFieldsResponseDto),
    Search(SearchResponseDto),
    Comments(CommentsResponseDto),
    Ticket(TicketResponseDto),
    Slack(SlackResponseDto),
}

/// A request that did not produce a decodable 2xx answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Non-2xx HTTP status, with the body and `Retry-After` seconds when present. The body of
    /// a JSON error is its readable part, as the shell reduces it (`answerOf`): Zendesk's
    /// `description`, `message`, `error` or `title`, Slack's `error` code.
    Http {
        status: u16,
        body: String,
        retry_after_s: Option<u32>,
    },
    /// 2xx, but the body did not have the expected shape.
    Decode { detail: String },
    /// The request never completed (network, proxy refused).
    Transport { detail: String },
    /// No answer within the host's time limit. The request may still have taken effect, so
    /// whatever retries it must read back first (the ping always does).
    Timeout { after_s: u32 },
}

/// The outcome of one request, as a workflow receives it.
pub type Outcome = Result<Reply, Failure>;
