//! The ZAF request proxy: `POST /_zaf/request` with `{options, ticket, agent}` (CONTRACTS.md §3).
//!
//! Plays Zendesk's server side of `client.request(options)`: relative `/api/v2/...` URLs go to the
//! Zendesk emulator as the agent, absolute URLs only to hosts in the manifest's
//! `domainWhitelist` (Slack → the Slack emulator), anything else is refused with 403
//! `"<url> is not a proxyable URI"`. `{{setting.NAME}}` placeholders of secure settings are substituted
//! only when `secure: true`, and only in the parts their `scopes` allow (header, body, url); a
//! non-secure setting's placeholder is left as written.
//! Answers go back to the browser as the upstream sent them: like Zendesk's proxy, this one does
//! not scrub secure values from responses (an API that echoed the token would leak it, and the
//! token tests would see it). The request log holds the URL as the app wrote it (placeholders,
//! never values).

use serde_json::{json, Map, Value};

use crate::http::{reason, Req, Resp};
use crate::state::State;
use crate::util::form_encode;

/// Where a substituted string goes (the manifest's secure-setting `scopes`).
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Url,
    Header,
    Body,
}

impl Part {
    fn scope(self) -> &'static str {
        match self {
            Part::Url => "url",
            Part::Header => "header",
            Part::Body => "body",
        }
    }
}

/// Replaces secure settings' `{{setting.NAME}}` placeholders (only called for `secure: true`
/// requests).
fn substitute(state: &State, text: &str, part: Part) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{setting.") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{{setting.".len()..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        // Only secure settings: Zendesk documents the substitution for them alone (ZAF.md §3),
        // so a non-secure setting's placeholder stays as written (CONTRACTS.md §3).
        let allowed = match state.manifest.secure.iter().find(|(n, _)| n == name) {
            Some((_, scopes)) => scopes.is_empty() || scopes.iter().any(|s| s == part.scope()),
            None => false,
        };
        match state.world.setting_str(name) {
            Some(v) if allowed => out.push_str(&v),
            _ => out.push_str(&rest[start..start + "{{setting.".len() + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn answer(resp: &Resp) -> Value {
    let mut headers = Map::new();
    for (k, v) in &resp.headers {
        headers.insert(k.to_ascii_lowercase(), json!(v));
    }
    let body = String::from_utf8_lossy(&resp.body);
    json!({"status": resp.status, "statusText": reason(resp.status), "headers": headers, "body": body})
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Handles `POST /_zaf/request`.
pub fn handle(state: &mut State, req: &Req) -> Resp {
    let Some(input) = req.json_body() else {
        return Resp::json(
            400,
            &json!({"error": "body must be JSON {options, ticket, agent}"}),
        );
    };
    let options = match input.get("options") {
        Some(Value::String(u)) => json!({"url": u}),
        Some(o @ Value::Object(_)) => o.clone(),
        _ => {
            return Resp::json(
                400,
                &json!({"error": "options must be an object or a URL string"}),
            )
        }
    };
    let Some(url) = options
        .get("url")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Resp::json(400, &json!({"error": "options.url is required"}));
    };
    let ticket = input.get("ticket").cloned().unwrap_or(Value::Null);
    let agent = input.get("agent").cloned().unwrap_or(Value::Null);
    let method = options
        .get("type")
        .or_else(|| options.get("method"))
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();

    let mut resp = forward(state, &options, &url, &method, &agent);
    state.log.push(json!({
        "method": method, "url": url, "ticket": ticket, "agent": agent, "status": resp.status,
    }));
    // A delay or a drop of the emulated call happens to this answer (faults.rs).
    let fault = resp.header(crate::faults::FAULT_HEADER).map(str::to_owned);
    resp.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case(crate::faults::FAULT_HEADER));
    let out = Resp::json(200, &answer(&resp));
    match fault {
        Some(f) => out.with_header(crate::faults::FAULT_HEADER, &f),
        None => out,
    }
}

/// Splits `scheme://host[:port]/path?query` into (host, path, query).
fn split_url(url: &str) -> Option<(String, String, String)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (authority, path_q) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let (path, query) = path_q.split_once('?').unwrap_or((path_q, ""));
    let path = if path.is_empty() { "/" } else { path };
    Some((
        host,
        path.to_owned(),
        query.split('#').next().unwrap_or("").to_owned(),
    ))
}

enum Target {
    Zendesk,
    Slack(String),
}

fn forward(state: &mut State, options: &Value, url: &str, method: &str, agent: &Value) -> Resp {
    let secure = options.get("secure").and_then(Value::as_bool) == Some(true);
    let cors = options.get("cors").and_then(Value::as_bool) == Some(true);
    let sub = |state: &State, s: &str, part: Part| {
        if secure {
            substitute(state, s, part)
        } else {
            s.to_owned()
        }
    };
    let lower = url.to_ascii_lowercase();
    let absolute = lower.starts_with("http://") || lower.starts_with("https://");
    let (target, path, mut query) = if absolute {
        let Some((host, _, _)) = split_url(url) else {
            return not_proxyable(url);
        };
        let zendesk_host = format!("{}.zendesk.com", state.world.subdomain());
        if host == zendesk_host {
            let (_, p, q) = split_url(url).unwrap_or_default();
            (Target::Zendesk, p, q)
        } else {
            if !state.manifest.host_whitelisted(&host) {
                return not_proxyable(url);
            }
            if cors {
                // Browser-direct: the third party sends no CORS headers, so the browser fails.
                return Resp {
                    status: 0,
                    headers: Vec::new(),
                    body: Vec::new(),
                };
            }
            let Some((host, p, q)) = split_url(&sub(state, url, Part::Url)) else {
                return not_proxyable(url);
            };
            if !state.manifest.host_whitelisted(&host) {
                return not_proxyable(url);
            }
            if host == "slack.com" || host == "www.slack.com" {
                match p.strip_prefix("/api/") {
                    Some(m) if !m.is_empty() && !m.contains('/') => {
                        (Target::Slack(m.to_owned()), p.clone(), q)
                    }
                    _ => return Resp::text(404, "Not Found"),
                }
            } else {
                return Resp::json(
                    502,
                    &json!({"error": format!("zhost has no emulator for {host}")}),
                );
            }
        }
    } else {
        let u = if url.starts_with('/') {
            url.to_owned()
        } else {
            format!("/{url}")
        };
        let (p, q) = u.split_once('?').unwrap_or((&u, ""));
        (Target::Zendesk, p.to_owned(), q.to_owned())
    };

    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(h) = options.get("headers").and_then(Value::as_object) {
        for (k, v) in h {
            let k = k.to_ascii_lowercase();
            if [
                "host",
                "content-length",
                "x-zhost-agent",
                "cookie",
                "connection",
            ]
            .contains(&k.as_str())
            {
                continue;
            }
            headers.push((k, sub(state, &as_text(v), Part::Header)));
        }
    }

    let mut body = Vec::new();
    match options.get("data") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            let s = sub(state, s, Part::Body);
            if method == "GET" || method == "HEAD" {
                query = join_query(&query, &s);
            } else {
                body = s.into_bytes();
            }
        }
        Some(Value::Object(m)) => {
            let subbed: Map<String, Value> = m
                .iter()
                .map(|(k, v)| (k.clone(), json!(sub(state, &as_text(v), Part::Body))))
                .collect();
            let enc = form_encode(&subbed);
            if method == "GET" || method == "HEAD" {
                query = join_query(&query, &enc);
            } else {
                body = enc.into_bytes();
            }
        }
        Some(other) => body = sub(state, &other.to_string(), Part::Body).into_bytes(),
    }
    match options.get("contentType") {
        Some(Value::String(ct)) => headers.push(("content-type".into(), ct.clone())),
        Some(Value::Bool(false)) => {}
        _ if !body.is_empty() => headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded; charset=UTF-8".into(),
        )),
        _ => {}
    }
    if let Target::Zendesk = target {
        headers.retain(|(k, _)| k != "authorization");
        headers.push(("x-zhost-agent".into(), as_text(agent)));
    }
    let inner = Req {
        method: method.to_owned(),
        path,
        query,
        headers,
        body,
    };
    match target {
        Target::Zendesk => {
            if inner.path.starts_with("/api/v2/") {
                crate::zendesk::handle(state, &inner)
            } else {
                Resp::json(
                    404,
                    &json!({"error": "InvalidEndpoint", "description": "Not found"}),
                )
            }
        }
        Target::Slack(m) => crate::slack::handle(state, &m, &inner),
    }
}

fn join_query(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}&{b}"),
    }
}

fn not_proxyable(url: &str) -> Resp {
    Resp::json(
        403,
        &json!({"error": format!("{url} is not a proxyable URI")}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            split_url("https://slack.com/api/chat.postMessage?x=1"),
            Some((
                "slack.com".into(),
                "/api/chat.postMessage".into(),
                "x=1".into()
            ))
        );
        assert_eq!(
            split_url("https://evil.example@slack.com:443"),
            Some(("slack.com".into(), "/".into(), String::new()))
        );
        assert_eq!(split_url("ftp://x"), None);
    }
}
