//! HTTP through `client.request`: turns a core [`Request`] into ZAF request options (JSON text
//! the shell parses) and the settled promise (resolved complete response, or rejected xhr-like object) into a
//! `Result<Reply, Failure>` for `Sidebar::handle_reply`.
//!
//! Invariants: only `host` knows ZAF JSON; the options sent to ZAF are plain objects (an ES
//! `Map` would arrive as `{}`, ZAF.md §8) and bodies are JSON text; the app only ever sends the
//! `{{setting.slack_bot_token}}` placeholder, which the core put in the headers.
use super::decode::decode;
use super::js;
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

/// A settled `client.request`, reduced to what the app reads.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub text: String,
    /// `responseJSON` when ZAF already parsed the body.
    pub json: Option<JsValue>,
}

impl HttpResponse {
    /// Reads a complete response (`{status, headers, responseText, responseJSON}`) or a rejected
    /// xhr-like object. `None` when there is no HTTP status (status 0 means no response either).
    pub fn from_js(value: &JsValue) -> Option<HttpResponse> {
        let status = js::number_field(value, "status")?;
        if !(1.0..=999.0).contains(&status) || status.fract() != 0.0 {
            return None;
        }
        let mut headers = Vec::new();
        if let Some(h) = js::field(value, "headers") {
            for (name, value) in js::entries(&h) {
                if let Some(value) = value.as_string() {
                    headers.push((name.to_ascii_lowercase(), value));
                }
            }
        }
        // A real jqXHR has no `headers` map, only `getResponseHeader`.
        if headers.is_empty() {
            if let Some(v) = js::call_string_method(value, "getResponseHeader", "Retry-After") {
                headers.push(("retry-after".to_string(), v));
            }
        }
        Some(HttpResponse {
            status: status as u16,
            headers,
            text: js::string_field(value, "responseText").unwrap_or_default(),
            json: js::field(value, "responseJSON"),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes an answer by what the request expects: 2xx → the DTO (or `Failure::Decode` naming
/// the path and what is wrong), anything else → `Failure::Http` with the body and `Retry-After` seconds.
pub fn decode_response(expect: Expect, response: &HttpResponse) -> Result<Reply, Failure> {
    if !(200..300).contains(&response.status) {
        return Err(Failure::Http {
            status: response.status,
            body: response.text.clone(),
            retry_after_s: response
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
        });
    }
    let json = match &response.json {
        Some(json) => json.clone(),
        None => js_sys::JSON::parse(&response.text).map_err(|e| Failure::Decode {
            detail: format!("response is not JSON: {}", js::describe(&e)),
        })?,
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

/// Decodes whatever the `client.request` promise settled with, resolved or rejected.
pub fn decode_settled(expect: Expect, settled: &JsValue) -> Result<Reply, Failure> {
    match HttpResponse::from_js(settled) {
        Some(response) => decode_response(expect, &response),
        None if js::number_field(settled, "status") == Some(0.0) => Err(Failure::Transport {
            detail: "no response (status 0)".to_string(),
        }),
        None => {
            let detail = js::string_field(settled, "statusText")
                .filter(|s| !s.is_empty() && s != "error")
                .unwrap_or_else(|| js::describe(settled));
            Err(Failure::Transport { detail })
        }
    }
}

/// How long a request may take before the app stops waiting: Slack and Zendesk answer in
/// seconds, and a ping must not hang "in flight" for ever on a lost answer. The shell waits
/// this long (the core hands it over with each request).
pub const REQUEST_TIMEOUT_S: u32 = 30;
