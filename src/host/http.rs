//! HTTP through `client.request`: turns a core [`Request`] into ZAF request options and the
//! settled promise (resolved complete response, or rejected xhr-like object) into a
//! `Result<Reply, Failure>` for `Sidebar::handle_reply`.
//!
//! Invariants: only `host` knows ZAF JSON; everything sent to ZAF is serialised with
//! `Serializer::json_compatible()` so maps stay plain objects (ZAF.md §8); the app only ever
//! sends the `{{setting.slack_bot_token}}` placeholder, which the core put in the headers.
use super::decode::decode;
use super::js;
use super::zaf::ZafClient;
use super::HostError;
use crate::core::sidebar::{Body, Expect, Failure, Reply, Request};
use serde::{Serialize, Serializer};
use wasm_bindgen::JsValue;

/// The options object of `client.request` (ZAF.md §3).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestOptionsDto<'a> {
    url: &'a str,
    #[serde(rename = "type")]
    method: &'static str,
    headers: Headers<'a>,
    secure: bool,
    http_complete_response: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    data_type: &'static str,
}

/// Request headers, serialised as a map (a plain object under `json_compatible()`).
#[derive(Debug)]
struct Headers<'a>(&'a [(String, String)]);

impl Serialize for Headers<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Serialises `value` the way ZAF needs it: plain objects for maps, `null` for `None`.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, HostError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| HostError::Encode(e.to_string()))
}

/// The JSON text of a request body.
pub fn body_json(body: &Body) -> Result<String, HostError> {
    let value = to_js(body)?;
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| HostError::Encode("JSON.stringify returned no text".to_string()))
}

/// The `client.request` options for `request`.
pub fn request_options(request: &Request) -> Result<JsValue, HostError> {
    let data = request.body.as_ref().map(body_json).transpose()?;
    let options = RequestOptionsDto {
        url: &request.url,
        method: request.method.as_str(),
        headers: Headers(&request.headers),
        secure: request.secure,
        http_complete_response: true,
        content_type: request.body.as_ref().map(Body::content_type),
        data,
        data_type: "json",
    };
    to_js(&options)
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
        let mut headers: Vec<(String, String)> = js::field(value, "headers")
            .map(|h| {
                js::entries(&h)
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_string()?)))
                    .collect()
            })
            .unwrap_or_default();
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

/// Performs `request` through ZAF and decodes the outcome.
pub async fn send(client: &ZafClient, request: &Request) -> Result<Reply, Failure> {
    let options = request_options(request).map_err(|e| Failure::Transport {
        detail: e.to_string(),
    })?;
    match client.request(&options).await {
        Ok(settled) | Err(settled) => decode_settled(request.expect, &settled),
    }
}
