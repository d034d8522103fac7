//! HTTP through `client.request`: turns a core [`Request`] into ZAF request options (JSON text
//! the shell parses) and the settled promise (resolved complete response, or rejected xhr-like object) into a
//! `Result<Reply, Failure>` for `Sidebar::handle_reply`.
//!
//! Invariants: only `host` knows ZAF JSON; the options sent to ZAF are plain objects (an ES
//! `Map` would arrive as `{}`, ZAF.md §8) and bodies are JSON text; the app only ever sends the
//! `{{setting.slack_bot_token}}` placeholder, which the core put in the headers.
use super::decode::decode;
use super::json;
use super::HostError;
use crate::core::sidebar::{Body, Expect, Failure, Reply, Request};
use serde::Serialize;
use wasm_bindgen::JsValue;

/// The JSON text of a request body.
pub fn body_json(body: &Body) -> Result<String, HostError> {
    json::to_json(body).map_err(|e| HostError::Encode(e.to_string()))
}

/// The JSON text of the `client.request` options for `request` (ZAF.md §3): the shell parses
/// it into plain objects, headers too, since an ES `Map` would reach ZAF as `{}` (ZAF.md §8).
pub fn request_options(request: &Request) -> Result<String, HostError> {
    let data = match &request.body {
        Some(body) => Some(body_json(body)?),
        None => None,
    };
    let options = Options {
        url: &request.url,
        method: request.method.as_str(),
        headers: Headers(&request.headers),
        secure: request.secure,
        complete: true,
        content_type: request.body.as_ref().map(|b| b.content_type()),
        data,
        data_type: "json",
    };
    json::to_json(&options).map_err(|e| HostError::Encode(e.to_string()))
}

/// `client.request` options, as ZAF names them.
#[derive(Serialize)]
struct Options<'a> {
    url: &'a str,
    #[serde(rename = "type")]
    method: &'static str,
    headers: Headers<'a>,
    secure: bool,
    #[serde(rename = "httpCompleteResponse")]
    complete: bool,
    #[serde(rename = "contentType", skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    #[serde(rename = "dataType")]
    data_type: &'static str,
}

/// Header pairs, written as one object.
struct Headers<'a>(&'a [(String, String)]);

impl Serialize for Headers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A settled `client.request` with an HTTP status, as the shell reduces it (`answerOf` in
/// `shell.js`): the body's text, the body parsed (ZAF's `responseJSON`, else the text parsed),
/// and the `Retry-After` header.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub text: String,
    /// The body as JSON; `None` when it is not JSON.
    pub json: Option<JsValue>,
    pub retry_after: Option<String>,
}

/// Decodes an answer by what the request expects: 2xx → the DTO (or `Failure::Decode` naming
/// the path and what is wrong), anything else → `Failure::Http` with the body and `Retry-After` seconds.
pub fn decode_response(expect: Expect, response: HttpResponse) -> Result<Reply, Failure> {
    if !(200..300).contains(&response.status) {
        return Err(Failure::Http {
            status: response.status,
            body: response.text,
            retry_after_s: response
                .retry_after
                .and_then(|v| crate::core::text::whole_number(v.trim()))
                .and_then(|n| u32::try_from(n).ok()),
        });
    }
    let Some(json) = response.json else {
        return Err(Failure::Decode {
            detail: "response is not JSON".to_string(),
        });
    };
    let reply = match expect {
        Expect::Organization => decode(&json, "").map(Reply::Organization),
        Expect::OrganizationFields => decode(&json, "").map(Reply::OrganizationFields),
        Expect::Search => decode(&json, "").map(Reply::Search),
        Expect::Comments => decode(&json, "").map(Reply::Comments),
        Expect::Ticket => decode(&json, "").map(Reply::Ticket),
        Expect::Slack => decode(&json, "").map(Reply::Slack),
    };
    reply.map_err(|e| Failure::Decode {
        detail: e.to_string(),
    })
}

/// The shell's reduction of a settled `client.request`: `status` 0 is no HTTP answer, `text`
/// then saying why.
pub fn decode_answer(
    expect: Expect,
    status: u16,
    text: String,
    json: JsValue,
    retry_after: Option<String>,
) -> Result<Reply, Failure> {
    if status == 0 {
        return Err(Failure::Transport { detail: text });
    }
    let json = (!json.is_undefined() && !json.is_null()).then_some(json);
    decode_response(
        expect,
        HttpResponse {
            status,
            text,
            json,
            retry_after,
        },
    )
}

/// How long a request may take before the app stops waiting: Slack and Zendesk answer in
/// seconds, and a ping must not hang "in flight" for ever on a lost answer. The shell waits
/// this long (the core hands it over with each request).
pub const REQUEST_TIMEOUT_S: u32 = 30;
