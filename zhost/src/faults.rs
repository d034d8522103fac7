//! Injected faults (`POST /_emulator/fail`, CONTRACTS.md §4.3): the local world failing the way
//! production does, before or after the effect of a request.
//!
//! A rule names a route: a Slack method (`chat.postMessage`, or `*` for every Slack method) or a
//! Zendesk route `VERB /api/v2/path` where `*` matches one path segment (`PUT /api/v2/tickets/*`;
//! the verb may be `*`). After `skip` matching calls have gone through, the next `count` then:
//! - with `after: false` (the default) get the fault *instead of* the effect;
//! - with `after: true` have their effect (the message is posted, the note written) and then get
//!   the fault: the ambiguous failure a client must not blindly repeat;
//! - the fault is an answer (`status` and/or `error`, in the service's own shape: Slack's
//!   `{"ok":false,"error"}`, HTTP 429 with `Retry-After`; Zendesk's 409 `UpdateConflict`, 429 with
//!   `Retry-After`, 403, 5xx), and/or `delay_ms` of latency, and/or `drop` (the connection is
//!   answered with bytes that are not HTTP, so the client sees a broken connection).
//!
//! Delays and drops are carried to the HTTP layer in the internal header [`FAULT_HEADER`], which
//! never leaves zhost: the request thread sleeps after the state lock is released.

use serde_json::{json, Value};

use crate::http::Resp;
use crate::state::State;

/// Internal header: `delay=<ms>` and/or `drop`, `;`-separated. Stripped before sending.
pub const FAULT_HEADER: &str = "x-zhost-fault";

/// One fault-injection rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailRule {
    /// A Slack method, `*`, or `VERB /api/v2/...` (see the module docs).
    pub route: String,
    pub error: Option<String>,
    pub status: Option<u16>,
    pub retry_after: u64,
    pub count: u64,
    /// Matching calls to let through before the rule applies (the mention after the root).
    pub skip: u64,
    pub after: bool,
    pub delay_ms: u64,
    pub drop: bool,
}

impl FailRule {
    /// Parses a rule from its JSON (`method` is the older name of `route`).
    pub fn from_json(body: &Value) -> Result<FailRule, String> {
        let route = body
            .get("route")
            .or_else(|| body.get("method"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or("\"route\" is required: a Slack method, \"*\", or \"VERB /api/v2/path\"")?;
        let error = body.get("error").and_then(Value::as_str).map(str::to_owned);
        let status = match body.get("status") {
            None | Some(Value::Null) => None,
            Some(s) => Some(
                s.as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (100..=599).contains(s))
                    .ok_or("\"status\" must be an HTTP status code")?,
            ),
        };
        let num = |k: &str, default: u64| body.get(k).and_then(Value::as_u64).unwrap_or(default);
        let flag = |k: &str| body.get(k).and_then(Value::as_bool).unwrap_or(false);
        let rule = FailRule {
            route: route.to_owned(),
            error,
            status,
            retry_after: num("retry_after", 1),
            count: num("count", 1).max(1),
            skip: num("skip", 0),
            after: flag("after"),
            delay_ms: num("delay_ms", 0).min(600_000),
            drop: flag("drop"),
        };
        if rule.error.is_none() && rule.status.is_none() && rule.delay_ms == 0 && !rule.drop {
            return Err(
                "give \"error\", \"status\", \"delay_ms\" or \"drop\" (what the fault does)".into(),
            );
        }
        Ok(rule)
    }

    fn is_zendesk(&self) -> bool {
        self.route.contains(' ')
    }

    fn matches_slack(&self, method: &str) -> bool {
        !self.is_zendesk() && (self.route == "*" || self.route == method)
    }

    fn matches_zendesk(&self, verb: &str, path: &str) -> bool {
        let Some((v, pattern)) = self.route.split_once(' ') else {
            return false;
        };
        let norm = |p: &str| {
            let p = p.trim().trim_end_matches('/');
            p.strip_suffix(".json").unwrap_or(p).to_owned()
        };
        let (pattern, path) = (norm(pattern), norm(path));
        let (ps, xs): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), path.split('/').collect());
        (v == "*" || v.eq_ignore_ascii_case(verb))
            && ps.len() == xs.len()
            && ps.iter().zip(&xs).all(|(p, x)| *p == "*" || p == x)
    }

    /// The fault's answer, when it has one (a rule may only delay or drop).
    fn answer(&self, zendesk: bool) -> Option<Resp> {
        if self.error.is_none() && self.status.is_none() {
            return None;
        }
        let retry = self.retry_after.to_string();
        let resp = if zendesk {
            let status = self.status.unwrap_or(500);
            let (error, description) = match status {
                409 => (
                    "UpdateConflict",
                    "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.",
                ),
                429 => ("APIRateLimitExceeded", "Number of allowed API requests per minute exceeded"),
                403 => ("Forbidden", "You do not have access to this page. Please contact the account owner of this help desk for further help."),
                404 => ("RecordNotFound", "Not found"),
                _ => ("InternalServerError", "Something went wrong"),
            };
            let error = self.error.as_deref().unwrap_or(error);
            let r = Resp::json(status, &json!({"error": error, "description": description}));
            if status == 429 || status == 503 {
                r.with_header("Retry-After", &retry)
            } else {
                r
            }
        } else if self.status == Some(429) {
            Resp::json(429, &json!({"ok": false, "error": "ratelimited"}))
                .with_header("Retry-After", &retry)
        } else if let Some(status) = self.status.filter(|s| *s != 200) {
            let e = self.error.as_deref().unwrap_or("service_unavailable");
            Resp::json(status, &json!({"ok": false, "error": e}))
        } else {
            let e = self.error.as_deref().unwrap_or("fatal_error");
            Resp::json(200, &json!({"ok": false, "error": e}))
        };
        Some(resp)
    }
}

/// Takes (counts down) the first rule matching a Slack method or a Zendesk route.
fn take(state: &mut State, matches: impl Fn(&FailRule) -> bool) -> Option<FailRule> {
    let i = state.failures.iter().position(matches)?;
    if state.failures[i].skip > 0 {
        state.failures[i].skip -= 1;
        return None;
    }
    let rule = state.failures[i].clone();
    if rule.count <= 1 {
        state.failures.remove(i);
    } else {
        state.failures[i].count -= 1;
    }
    Some(rule)
}

/// Runs `effect` under the first rule matching the call (if any): before-faults answer instead,
/// after-faults answer after the effect, delays and drops are marked for the HTTP layer.
pub fn apply(
    state: &mut State,
    slack_method: Option<&str>,
    verb: &str,
    path: &str,
    effect: impl FnOnce(&mut State) -> Resp,
) -> Resp {
    let zendesk = slack_method.is_none();
    let rule = take(state, |r| match slack_method {
        Some(m) => r.matches_slack(m),
        None => r.matches_zendesk(verb, path),
    });
    let Some(rule) = rule else {
        return effect(state);
    };
    let resp = match (rule.after, rule.answer(zendesk)) {
        (false, Some(answer)) => answer,
        (true, Some(answer)) => {
            let _ = effect(state);
            answer
        }
        (false, None) if rule.drop => Resp::empty(0),
        _ => effect(state),
    };
    mark(resp, &rule)
}

fn mark(resp: Resp, rule: &FailRule) -> Resp {
    let mut parts = Vec::new();
    if rule.delay_ms > 0 {
        parts.push(format!("delay={}", rule.delay_ms));
    }
    if rule.drop {
        parts.push("drop".to_owned());
    }
    if parts.is_empty() {
        resp
    } else {
        resp.with_header(FAULT_HEADER, &parts.join(";"))
    }
}

/// What the HTTP layer must do for a marked response: (delay in ms, drop the connection).
pub fn disposition(resp: &mut Resp) -> (u64, bool) {
    let Some(i) = resp
        .headers
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case(FAULT_HEADER))
    else {
        return (0, false);
    };
    let (_, value) = resp.headers.remove(i);
    let mut delay = 0;
    let mut drop = false;
    for part in value.split(';') {
        match part.split_once('=') {
            Some(("delay", ms)) => delay = ms.parse().unwrap_or(0),
            _ if part == "drop" => drop = true,
            _ => {}
        }
    }
    (delay, drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(v: Value) -> FailRule {
        FailRule::from_json(&v).unwrap()
    }

    #[test]
    fn routes_match_slack_methods_and_zendesk_paths() {
        let r = rule(json!({"route": "PUT /api/v2/tickets/*", "status": 500}));
        assert!(r.matches_zendesk("PUT", "/api/v2/tickets/201.json"));
        assert!(r.matches_zendesk("put", "/api/v2/tickets/201"));
        assert!(!r.matches_zendesk("GET", "/api/v2/tickets/201"));
        assert!(!r.matches_zendesk("PUT", "/api/v2/tickets/201/tags"));
        assert!(!r.matches_slack("chat.postMessage"));
        let s = rule(json!({"method": "chat.postMessage", "error": "x"}));
        assert!(s.matches_slack("chat.postMessage"));
        assert!(!s.matches_slack("chat.update"));
        assert!(!s.matches_zendesk("PUT", "/api/v2/tickets/1"));
        assert!(rule(json!({"route": "*", "drop": true})).matches_slack("auth.test"));
    }

    #[test]
    fn a_rule_must_do_something_and_name_a_route() {
        assert!(FailRule::from_json(&json!({"route": "*"})).is_err());
        assert!(FailRule::from_json(&json!({"status": 500})).is_err());
        assert!(FailRule::from_json(&json!({"route": "*", "status": 700})).is_err());
        assert_eq!(rule(json!({"route": "*", "delay_ms": 5})).count, 1);
    }

    #[test]
    fn marks_round_trip_and_are_removed() {
        let r = rule(json!({"route": "*", "delay_ms": 250, "drop": true}));
        let mut resp = mark(Resp::empty(200), &r);
        assert_eq!(disposition(&mut resp), (250, true));
        assert!(resp.header(FAULT_HEADER).is_none());
        assert_eq!(disposition(&mut Resp::empty(200)), (0, false));
    }

    #[test]
    fn zendesk_answers_have_zendesk_shapes() {
        let c = rule(json!({"route": "PUT /api/v2/tickets/*", "status": 409}));
        let r = c.answer(true).unwrap();
        assert_eq!(r.status, 409);
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["error"], "UpdateConflict");
        let l = rule(json!({"route": "GET /api/v2/tickets/*", "status": 429, "retry_after": 7}));
        assert_eq!(l.answer(true).unwrap().header("Retry-After"), Some("7"));
    }
}
