//! The sidebar state machine (quinn-style): inputs arrive through `handle_*`, requests leave
//! through `poll_request`, and `view` derives what to show. No I/O, no clock.
use super::availability::TzOffsets;
use super::slack::{PostMessageDto, SlackResponseDto};
use super::text::Catalog;
use super::view::View;
use super::zendesk::{
    CommentsResponseDto, OrganizationResponseDto, TicketResponseDto, TicketUpdateDto, ZafTicketDto,
    ZafUserDto,
};
use serde::Serialize;

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
    Http { status: u16, body: String, retry_after_s: Option<u32> },
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

#[derive(Debug)]
pub struct Sidebar {
    // Fields are the implementer's choice.
}

impl Sidebar {
    pub fn new(boot: Boot, now_ms: i64) -> Sidebar {
        let _ = (boot, now_ms);
        unimplemented!("core helper implements")
    }

    pub fn handle_reply(&mut self, id: RequestId, reply: Result<Reply, Failure>, now_ms: i64, tz: &dyn TzOffsets) {
        let _ = (id, reply, now_ms, tz);
        unimplemented!()
    }

    pub fn handle_action(&mut self, action: Action, now_ms: i64, tz: &dyn TzOffsets) {
        let _ = (action, now_ms, tz);
        unimplemented!()
    }

    pub fn poll_request(&mut self) -> Option<Request> {
        unimplemented!()
    }

    pub fn view(&self, now_ms: i64, tz: &dyn TzOffsets) -> View {
        let _ = (now_ms, tz);
        unimplemented!()
    }
}
