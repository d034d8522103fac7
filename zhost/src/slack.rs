//! Slack Web API emulator (`/slack/api/<method>`, and `https://slack.com/api/<method>` via the
//! ZAF proxy).
//!
//! Every request is checked the way Slack checks it, in this order: method known (the embedded
//! method specs under `specs/slack/methods/`, copied from slack-ruby/slack-api-ref, MIT), HTTP
//! verb, content type and charset, bearer token, injected failures, required arguments (derived
//! from each spec's `args.required`; `token` is satisfied by the `Authorization` header), then the
//! method's own rules. Answers use Slack's shapes: HTTP 200 with `{"ok":false,"error":…}` for
//! every error except 429 (`ratelimited` + `Retry-After`) and unknown methods (HTTP 404).

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::http::{Req, Resp};
use crate::state::State;
use crate::util::{b64_decode, b64_encode, parse_form};
use crate::world::{author_id, register_reply, ts_to_us};

/// The embedded method specs (name, JSON text).
const SPECS: &[(&str, &str)] = &[
    (
        "auth.test",
        include_str!("../specs/slack/methods/auth.test.json"),
    ),
    (
        "chat.getPermalink",
        include_str!("../specs/slack/methods/chat.getPermalink.json"),
    ),
    (
        "chat.postMessage",
        include_str!("../specs/slack/methods/chat.postMessage.json"),
    ),
    (
        "chat.update",
        include_str!("../specs/slack/methods/chat.update.json"),
    ),
    (
        "conversations.history",
        include_str!("../specs/slack/methods/conversations.history.json"),
    ),
    (
        "conversations.info",
        include_str!("../specs/slack/methods/conversations.info.json"),
    ),
    (
        "conversations.invite",
        include_str!("../specs/slack/methods/conversations.invite.json"),
    ),
    (
        "conversations.members",
        include_str!("../specs/slack/methods/conversations.members.json"),
    ),
    (
        "conversations.open",
        include_str!("../specs/slack/methods/conversations.open.json"),
    ),
    (
        "conversations.replies",
        include_str!("../specs/slack/methods/conversations.replies.json"),
    ),
    (
        "dnd.info",
        include_str!("../specs/slack/methods/dnd.info.json"),
    ),
    (
        "users.getPresence",
        include_str!("../specs/slack/methods/users.getPresence.json"),
    ),
    (
        "users.info",
        include_str!("../specs/slack/methods/users.info.json"),
    ),
    (
        "users.lookupByEmail",
        include_str!("../specs/slack/methods/users.lookupByEmail.json"),
    ),
];

/// What the emulator derives from one method spec.
#[derive(Debug, Clone)]
pub struct MethodSpec {
    pub name: String,
    /// `GET` or `POST` (the spec's `http_method`).
    pub verb: String,
    pub json_input_supported: bool,
    /// Required arguments other than `token`.
    pub required: Vec<String>,
}

/// All embedded method specs, parsed once.
pub fn specs() -> &'static [MethodSpec] {
    static SPECS_PARSED: OnceLock<Vec<MethodSpec>> = OnceLock::new();
    SPECS_PARSED.get_or_init(|| {
        SPECS
            .iter()
            .map(|(name, text)| {
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                MethodSpec {
                    name: (*name).to_owned(),
                    verb: v
                        .get("http_method")
                        .and_then(Value::as_str)
                        .unwrap_or("POST")
                        .to_ascii_uppercase(),
                    json_input_supported: v
                        .get("json_input_supported")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    required: v
                        .pointer("/args/required")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .filter(|s| *s != "token")
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect()
    })
}

fn spec(method: &str) -> Option<&'static MethodSpec> {
    specs().iter().find(|s| s.name == method)
}

fn err(error: &str) -> Resp {
    Resp::json(200, &json!({"ok": false, "error": error}))
}

fn invalid_arguments(messages: Vec<String>) -> Resp {
    Resp::json(
        200,
        &json!({"ok": false, "error": "invalid_arguments", "response_metadata": {"messages": messages}}),
    )
}

/// The decoded arguments of one call plus transport warnings.
struct Call {
    args: Map<String, Value>,
    warnings: Vec<&'static str>,
    form_token: Option<String>,
}

impl Call {
    fn str(&self, k: &str) -> Option<String> {
        match self.args.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        }
    }

    /// Non-empty string argument.
    fn nonempty(&self, k: &str) -> Option<String> {
        self.str(k).filter(|s| !s.trim().is_empty())
    }

    /// The comma-separated `users` argument, trimmed, empties dropped.
    fn users(&self) -> Vec<String> {
        self.str("users")
            .unwrap_or_default()
            .split(',')
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect()
    }

    fn flag(&self, k: &str) -> bool {
        match self.args.get(k) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            Some(Value::String(s)) => s == "true" || s == "1",
            _ => false,
        }
    }

    fn present(&self, k: &str) -> bool {
        match self.args.get(k) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            _ => true,
        }
    }
}

/// Decodes query, form or JSON arguments as Slack does; `Err` is Slack's answer.
fn decode(req: &Req, spec: &MethodSpec) -> Result<Call, Resp> {
    let mut call = Call {
        args: Map::new(),
        warnings: Vec::new(),
        form_token: None,
    };
    let add_pairs = |call: &mut Call, pairs: Vec<(String, String)>| {
        for (k, v) in pairs {
            if k == "token" {
                call.form_token = Some(v);
            } else {
                call.args.insert(k, Value::String(v));
            }
        }
    };
    add_pairs(&mut call, req.query_pairs());
    match req.method.as_str() {
        "GET" | "HEAD" => {
            if spec.verb != "GET" {
                return Err(Resp::json(
                    200,
                    &json!({"ok": false, "error": "method_not_allowed",
                            "detail": format!("{} must be called with POST", spec.name)}),
                ));
            }
        }
        "POST" => {
            let ct = req.header("content-type").map(str::to_ascii_lowercase);
            let Some(ct) = ct else {
                if req.body.is_empty() {
                    return Ok(call);
                }
                return Err(err("missing_post_type"));
            };
            let mut parts = ct.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_owned();
            let charset = parts
                .find_map(|p| p.strip_prefix("charset="))
                .map(|c| c.trim_matches('"').to_owned());
            if let Some(cs) = &charset {
                if !["utf-8", "utf8", "iso-8859-1"].contains(&cs.as_str()) {
                    return Err(err("invalid_charset"));
                }
            }
            match media.as_str() {
                "application/json" => {
                    if charset.is_none() {
                        call.warnings.push("missing_charset");
                    }
                    // Slack ignores JSON bodies on methods that do not take JSON input: the
                    // arguments simply are not there (a classic integration bug).
                    if spec.json_input_supported && !req.body.is_empty() {
                        match serde_json::from_slice::<Value>(&req.body) {
                            Ok(Value::Object(m)) => {
                                for (k, v) in m {
                                    if k != "token" {
                                        call.args.insert(k, v);
                                    }
                                }
                            }
                            _ => return Err(err("invalid_json")),
                        }
                    }
                }
                "application/x-www-form-urlencoded" => {
                    if charset.is_some() {
                        call.warnings.push("superfluous_charset");
                    }
                    let text = String::from_utf8_lossy(&req.body).into_owned();
                    add_pairs(&mut call, parse_form(&text));
                }
                _ => return Err(err("invalid_post_type")),
            }
        }
        _ => {
            return Err(Resp::json(
                200,
                &json!({"ok": false, "error": "method_not_allowed",
                        "detail": format!("{} does not accept {}", spec.name, req.method)}),
            ))
        }
    }
    Ok(call)
}

/// Adds `warning` / `response_metadata.warnings` to a JSON answer.
fn with_warnings(mut resp: Resp, warnings: &[&str]) -> Resp {
    if warnings.is_empty() {
        return resp;
    }
    if let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&resp.body) {
        m.insert("warning".into(), json!(warnings.join(",")));
        let rm = m.entry("response_metadata").or_insert_with(|| json!({}));
        if let Some(rm) = rm.as_object_mut() {
            rm.insert("warnings".into(), json!(warnings));
        }
        resp.body = Value::Object(m).to_string().into_bytes();
    }
    resp
}

/// Handles one Slack Web API call.
pub fn handle(state: &mut State, method: &str, req: &Req) -> Resp {
    let Some(spec) = spec(method) else {
        return Resp::json(
            404,
            &json!({"ok": false, "error": "unknown_method", "req_method": method}),
        );
    };
    let call = match decode(req, spec) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let warnings = call.warnings.clone();
    let resp = handle_call(state, spec, req, &call);
    with_warnings(resp, &warnings)
}

fn handle_call(state: &mut State, spec: &MethodSpec, req: &Req, call: &Call) -> Resp {
    // Auth: bearer header, or a `token` form/query parameter (never inside a JSON body).
    let header_token = req.header("authorization").map(|h| {
        let h = h.trim();
        match h.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim().to_owned(),
            _ => String::new(),
        }
    });
    let token = header_token.or_else(|| call.form_token.clone());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return err("not_authed");
    };
    let expected = state
        .world
        .setting_str("slack_bot_token")
        .unwrap_or_default();
    if expected.is_empty() || token != expected {
        return err("invalid_auth");
    }
    // The token's state (`slack.bot.token_state`): Slack's answers for a revoked token, a
    // deactivated workspace or an expired token.
    match state
        .world
        .json()
        .pointer("/slack/bot/token_state")
        .and_then(Value::as_str)
    {
        Some("revoked") => return err("token_revoked"),
        Some("inactive") => return err("account_inactive"),
        Some("expired") => return err("token_expired"),
        _ => {}
    }

    crate::faults::apply(state, Some(&spec.name), &req.method, &req.path, |state| {
        dispatch(state, spec, call)
    })
}

/// Test seeding (`POST /_emulator/slack/messages`): `count` top-level messages by the first
/// world user, as if people had been talking in `channel` (no rate limit: they are not the app's
/// calls). Returns how many were added.
pub fn seed(state: &mut State, channel: &str, count: usize, text: &str) -> Result<usize, String> {
    if state.world.slack_channel(channel).is_none() {
        return Err(format!("no channel {channel:?} in the world"));
    }
    let user = state
        .world
        .array("/slack/users")
        .first()
        .and_then(|u| u.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("U0000000000")
        .to_owned();
    for i in 0..count.min(5_000) {
        let ts = state.next_slack_ts();
        let msg = json!({"type": "message", "user": user, "text": format!("{text} {i}"), "ts": ts});
        if let Some(list) = state.world.slack_messages_mut(channel) {
            list.push(msg);
        }
    }
    Ok(count.min(5_000))
}

/// The bot's scopes (`slack.bot.scopes`); a world without the list grants every scope.
fn scopes(state: &State) -> Option<Vec<String>> {
    let list = state
        .world
        .json()
        .pointer("/slack/bot/scopes")?
        .as_array()?;
    Some(
        list.iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
    )
}

/// The scope a bot token needs for `method` on a channel that is `private` (SLACK.md §3).
fn needed_scope(method: &str, private: bool) -> Option<&'static str> {
    let (public, private_scope) = match method {
        "chat.postMessage" | "chat.update" => ("chat:write", "chat:write"),
        "conversations.history" | "conversations.replies" => ("channels:history", "groups:history"),
        "conversations.info" | "conversations.members" => ("channels:read", "groups:read"),
        "conversations.invite" => ("channels:manage", "groups:write"),
        "conversations.open" => ("im:write", "im:write"),
        "users.lookupByEmail" => ("users:read.email", "users:read.email"),
        "users.info" | "users.getPresence" => ("users:read", "users:read"),
        "dnd.info" => ("dnd:read", "dnd:read"),
        _ => return None,
    };
    Some(if private { private_scope } else { public })
}

/// The scope a bot token needs for `method` in a direct message with a user (SLACK.md §3).
fn needed_im_scope(method: &str) -> Option<&'static str> {
    Some(match method {
        "chat.postMessage" | "chat.update" => "chat:write",
        "conversations.history" | "conversations.replies" => "im:history",
        "conversations.info" | "conversations.members" => "im:read",
        "conversations.open" => "im:write",
        _ => return None,
    })
}

/// Whether a channel object is a direct message (`conversations.open` made it).
fn is_im(ch: &Value) -> bool {
    ch.get("is_im").and_then(Value::as_bool) == Some(true)
}

/// `missing_scope` as Slack sends it: the scope needed and the scopes the token has.
fn missing_scope(needed: &str, provided: &[String]) -> Resp {
    Resp::json(
        200,
        &json!({"ok": false, "error": "missing_scope", "needed": needed, "provided": provided.join(",")}),
    )
}

/// The calls a method may make per minute (Slack's tiers, SLACK.md §3), and chat.postMessage's
/// per-channel limit (about one a second; short bursts pass: 5 within a second here).
fn rate_limit(method: &str) -> (u64, i64) {
    match method {
        "chat.postMessage" => (5, 1_000),
        "conversations.members" | "users.info" => (100, 60_000),
        "auth.test" | "chat.getPermalink" => (100, 60_000),
        _ => (50, 60_000),
    }
}

/// Counts this call against its bucket; `Err` is the 429 with `Retry-After` (seconds until the
/// oldest call in the window leaves it). A world turns these limits off with
/// `slack.rate_limits: false`.
fn count_call(state: &mut State, method: &str, channel: Option<&str>) -> Result<(), Resp> {
    if state
        .world
        .json()
        .pointer("/slack/rate_limits")
        .and_then(Value::as_bool)
        == Some(false)
    {
        return Ok(());
    }
    let (max, window_ms) = rate_limit(method);
    let key = match channel {
        Some(c) if method == "chat.postMessage" => format!("{method} {c}"),
        _ => method.to_owned(),
    };
    let now = crate::state::real_now_ms();
    let calls = state.calls.entry(key).or_default();
    while calls.front().is_some_and(|t| now - t >= window_ms) {
        calls.pop_front();
    }
    if calls.len() as u64 >= max {
        let oldest = calls.front().copied().unwrap_or(now);
        let wait_s = ((oldest + window_ms - now) + 999) / 1000;
        return Err(
            Resp::json(429, &json!({"ok": false, "error": "ratelimited"}))
                .with_header("Retry-After", &wait_s.max(1).to_string()),
        );
    }
    calls.push_back(now);
    Ok(())
}

/// Channel access as Slack rules it (SLACK.md §3, §5): a private channel the bot is not in does
/// not exist for it (`channel_not_found`); a public one it is not in can be posted to with
/// `chat:write.public` but not read (`not_in_channel`). And the scope the method needs there.
fn channel_access(state: &State, method: &str, channel: &str) -> Result<(), Resp> {
    let Some(ch) = state.world.slack_channel(channel) else {
        return Ok(());
    };
    let private = ch
        .get("is_private")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let member = bot_is_member(state, channel);
    let granted = scopes(state);
    let has = |s: &str| granted.as_ref().is_none_or(|g| g.iter().any(|x| x == s));
    let needed = if is_im(ch) {
        needed_im_scope(method)
    } else {
        needed_scope(method, private)
    };
    if let Some(needed) = needed {
        if !has(needed) {
            return Err(missing_scope(
                needed,
                granted.as_deref().unwrap_or_default(),
            ));
        }
    }
    if member {
        return Ok(());
    }
    if private {
        return Err(err("channel_not_found"));
    }
    match method {
        "chat.postMessage" if has("chat:write.public") => Ok(()),
        "chat.postMessage" | "conversations.history" | "conversations.replies" => {
            Err(err("not_in_channel"))
        }
        _ => Ok(()),
    }
}

/// Required arguments, then the method's own rules.
fn dispatch(state: &mut State, spec: &MethodSpec, call: &Call) -> Resp {
    let channel = call
        .str("channel")
        .and_then(|c| channel_id(state, &c, spec.name == "chat.postMessage"));
    // Scopes of methods without a channel; channel methods check theirs with the channel.
    let granted = scopes(state);
    if channel.is_none() {
        if let (Some(needed), Some(g)) = (needed_scope(&spec.name, false), &granted) {
            if !g.iter().any(|s| s == needed) {
                return missing_scope(needed, g);
            }
        }
    }
    if let Some(c) = &channel {
        if let Err(r) = channel_access(state, &spec.name, c) {
            return r;
        }
    }
    if let Err(r) = count_call(state, &spec.name, channel.as_deref()) {
        return r;
    }
    // Required arguments.
    let missing: Vec<&String> = spec.required.iter().filter(|a| !call.present(a)).collect();
    if !missing.is_empty() {
        if missing.iter().any(|a| *a == "channel") {
            return err("channel_not_found");
        }
        return invalid_arguments(
            missing
                .iter()
                .map(|a| format!("[ERROR] missing required field: {a}"))
                .collect(),
        );
    }

    match spec.name.as_str() {
        "auth.test" => auth_test(state),
        "chat.postMessage" => post_message(state, call),
        "chat.update" => chat_update(state, call),
        "chat.getPermalink" => get_permalink(state, call),
        "conversations.history" => history(state, call),
        "conversations.replies" => replies(state, call),
        "conversations.info" => conv_info(state, call),
        "conversations.members" => conv_members(state, call),
        "conversations.invite" => conv_invite(state, call),
        "conversations.open" => conv_open(state, call),
        "users.lookupByEmail" => lookup_by_email(state, call),
        "users.info" => users_info(state, call),
        "users.getPresence" => get_presence(state, call),
        "dnd.info" => dnd_info(state, call),
        _ => Resp::json(404, &json!({"ok": false, "error": "unknown_method"})),
    }
}

fn ok(mut v: Value) -> Resp {
    if let Some(m) = v.as_object_mut() {
        let mut out = Map::new();
        out.insert("ok".into(), Value::Bool(true));
        for (k, val) in std::mem::take(m) {
            out.insert(k, val);
        }
        return Resp::json(200, &Value::Object(out));
    }
    Resp::json(200, &v)
}

fn team_name(state: &State) -> String {
    state
        .world
        .json()
        .pointer("/slack/team/name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| state.world.slack_team().1.to_owned())
}

fn auth_test(state: &State) -> Resp {
    let (team_id, domain) = state.world.slack_team();
    let (user_id, bot_id, _) = state.world.slack_bot();
    let user = state
        .world
        .json()
        .pointer("/slack/bot/name")
        .and_then(Value::as_str)
        .unwrap_or("bot");
    ok(json!({
        "url": format!("https://{domain}.slack.com/"),
        "team": team_name(state),
        "user": user,
        "team_id": team_id,
        "user_id": user_id,
        "bot_id": bot_id,
        "is_enterprise_install": false,
    }))
}

/// Resolves a channel argument (ID; `#name` accepted where Slack accepts it).
fn channel_id(state: &State, arg: &str, allow_name: bool) -> Option<String> {
    if state.world.slack_channel(arg).is_some() {
        return Some(arg.to_owned());
    }
    if !allow_name {
        return None;
    }
    let name = arg.trim_start_matches('#');
    state
        .world
        .array("/slack/channels")
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|c| c.get("id").and_then(Value::as_str))
        .map(str::to_owned)
}

fn bot_is_member(state: &State, channel: &str) -> bool {
    state
        .world
        .slack_channel(channel)
        .and_then(|c| c.get("is_member"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Parses a JSON argument that form calls send as a string.
fn json_arg(v: Option<&Value>) -> Option<Result<Value, ()>> {
    match v? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(serde_json::from_str(s).map_err(|_| ())),
        other => Some(Ok(other.clone())),
    }
}

fn validate_metadata(v: Option<&Value>) -> Result<Option<Value>, Resp> {
    match json_arg(v) {
        None => Ok(None),
        Some(Err(())) => Err(err("invalid_metadata_format")),
        Some(Ok(m)) => {
            let et_ok = m
                .get("event_type")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            let ep_ok = m.get("event_payload").is_some_and(Value::is_object);
            if !et_ok || !ep_ok {
                return Err(err("invalid_metadata_format"));
            }
            if m.to_string().len() > 8192 {
                return Err(err("metadata_too_large"));
            }
            Ok(Some(
                json!({"event_type": m["event_type"], "event_payload": m["event_payload"]}),
            ))
        }
    }
}

fn validate_blocks(v: Option<&Value>) -> Result<Option<Value>, Resp> {
    match json_arg(v) {
        None => Ok(None),
        Some(Err(())) => Err(err("invalid_blocks_format")),
        Some(Ok(Value::Array(a))) => {
            if a.len() > 50 {
                return Err(err("invalid_blocks"));
            }
            if a.iter()
                .any(|b| !b.get("type").is_some_and(Value::is_string))
            {
                return Err(err("invalid_blocks"));
            }
            if Value::Array(a.clone()).to_string().len() > 13_000 {
                return Err(err("msg_blocks_too_long"));
            }
            Ok(Some(Value::Array(a)))
        }
        Some(Ok(_)) => Err(err("invalid_blocks_format")),
    }
}

fn find_msg<'a>(msgs: &'a [Value], ts: &str) -> Option<&'a Value> {
    msgs.iter()
        .find(|m| m.get("ts").and_then(Value::as_str) == Some(ts))
}

fn is_top_level(m: &Value) -> bool {
    match (
        m.get("thread_ts").and_then(Value::as_str),
        m.get("ts").and_then(Value::as_str),
    ) {
        (Some(th), Some(ts)) => {
            th == ts || m.get("subtype").and_then(Value::as_str) == Some("thread_broadcast")
        }
        _ => true,
    }
}

fn post_message(state: &mut State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    // A user ID posts in the bot's direct message with that user (docs.slack.dev, chat.postMessage).
    let dm = || state.world.slack_user(&arg).is_some();
    let channel = match channel_id(state, &arg, true) {
        Some(c) => c,
        None if dm() => match open_im(state, &arg) {
            Ok((ch, _)) => ch["id"].as_str().unwrap_or_default().to_owned(),
            Err(r) => return r,
        },
        None => return err("channel_not_found"),
    };
    let has_md = call.present("markdown_text");
    if has_md && (call.present("text") || call.present("blocks")) {
        return err("markdown_text_conflict");
    }
    if !(call.nonempty("text").is_some()
        || call.present("blocks")
        || call.present("attachments")
        || has_md)
    {
        return err("no_text");
    }
    let blocks = match validate_blocks(call.args.get("blocks")) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let metadata = match validate_metadata(call.args.get("metadata")) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let msgs = state.world.slack_messages(&channel);
    let thread_ts = call.nonempty("thread_ts");
    if let Some(th) = &thread_ts {
        // A `thread_ts` that is no timestamp is refused (`invalid_thread_ts`, as for "0"); one
        // that names no message is accepted with `ok: true` and the reply shows nowhere: no
        // thread, not in the history (slackapi/python-slack-sdk#840, jenkinsci/slack-plugin#584).
        if ts_to_us(th).is_none_or(|us| us <= 0) {
            return err("invalid_thread_ts");
        }
        if find_msg(&msgs, th).is_some_and(|m| !is_top_level(m)) {
            return err("thread_not_found");
        }
    }
    let (bot_user, bot_id, app_id) = state.world.slack_bot();
    let ts = state.next_slack_ts();
    let text = call
        .str("text")
        .or_else(|| call.str("markdown_text"))
        .unwrap_or_default();
    // As Slack stores a bot token's post: the bot's user ID in `user` (so `reply_users` and
    // `edited.user` hold user IDs), its `bot_id` and `app_id`, no `bot_message` subtype (that is
    // for legacy integrations).
    let mut msg = Map::new();
    msg.insert("type".into(), json!("message"));
    msg.insert("user".into(), json!(bot_user));
    msg.insert("text".into(), json!(text));
    msg.insert("bot_id".into(), json!(bot_id));
    if let Some(app) = app_id {
        msg.insert("app_id".into(), json!(app));
    }
    if let Some(u) = call.nonempty("username") {
        msg.insert("username".into(), json!(u));
    }
    msg.insert("ts".into(), json!(ts));
    if let Some(th) = &thread_ts {
        msg.insert("thread_ts".into(), json!(th));
        let parent = find_msg(&msgs, th).map(author_id).unwrap_or_default();
        msg.insert(
            "parent_user_id".into(),
            json!(if parent.starts_with('B') {
                bot_user.clone()
            } else {
                parent
            }),
        );
        if call.flag("reply_broadcast") {
            msg.insert("subtype".into(), json!("thread_broadcast"));
        }
    }
    if let Some(b) = blocks {
        msg.insert("blocks".into(), b);
    }
    if let Some(a) = json_arg(call.args.get("attachments")).and_then(Result::ok) {
        msg.insert("attachments".into(), a);
    }
    if let Some(m) = metadata {
        msg.insert("metadata".into(), m);
    }
    let msg = Value::Object(msg);
    if let Some(list) = state.world.slack_messages_mut(&channel) {
        if let Some(th) = &thread_ts {
            if let Some(root) = list
                .iter_mut()
                .find(|m| m.get("ts").and_then(Value::as_str) == Some(th.as_str()))
            {
                register_reply(root, &ts, &bot_user);
            }
        }
        list.push(msg.clone());
    }
    ok(json!({"channel": channel, "ts": ts, "message": msg}))
}

fn chat_update(state: &mut State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(channel) = channel_id(state, &arg, false) else {
        return err("channel_not_found");
    };
    let ts = call.str("ts").unwrap_or_default();
    let msgs = state.world.slack_messages(&channel);
    let Some(existing) = find_msg(&msgs, &ts) else {
        return err("message_not_found");
    };
    let (bot_user, bot_id, _) = state.world.slack_bot();
    if existing.get("bot_id").and_then(Value::as_str) != Some(bot_id.as_str()) {
        return err("cant_update_message");
    }
    if !(call.present("text")
        || call.present("blocks")
        || call.present("attachments")
        || call.present("markdown_text"))
    {
        return err("no_text");
    }
    let blocks = match validate_blocks(call.args.get("blocks")) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let metadata = match validate_metadata(call.args.get("metadata")) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let text = call.str("text").or_else(|| call.str("markdown_text"));
    let mut updated = Value::Null;
    if let Some(list) = state.world.slack_messages_mut(&channel) {
        if let Some(m) = list
            .iter_mut()
            .find(|m| m.get("ts").and_then(Value::as_str) == Some(ts.as_str()))
        {
            if let Some(obj) = m.as_object_mut() {
                if let Some(t) = &text {
                    obj.insert("text".into(), json!(t));
                }
                if let Some(b) = blocks {
                    obj.insert("blocks".into(), b);
                }
                if let Some(md) = metadata {
                    obj.insert("metadata".into(), md);
                }
                obj.insert("edited".into(), json!({"user": bot_user, "ts": ts}));
            }
            updated = m.clone();
        }
    }
    let text = updated.get("text").cloned().unwrap_or(json!(""));
    ok(json!({"channel": channel, "ts": ts, "text": text, "message": updated}))
}

fn get_permalink(state: &State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(channel) = channel_id(state, &arg, false) else {
        return err("channel_not_found");
    };
    let ts = call.str("message_ts").unwrap_or_default();
    let msgs = state.world.slack_messages(&channel);
    let Some(m) = find_msg(&msgs, &ts) else {
        return err("message_not_found");
    };
    let (_, domain) = state.world.slack_team();
    let mut link = format!(
        "https://{domain}.slack.com/archives/{channel}/p{}",
        ts.replace('.', "")
    );
    if let Some(th) = m.get("thread_ts").and_then(Value::as_str) {
        if th != ts {
            link.push_str(&format!("?thread_ts={th}&cid={channel}"));
        }
    }
    ok(json!({"channel": channel, "permalink": link}))
}

/// Shared window/paging arguments of history and replies.
struct Window {
    oldest: i64,
    latest: i64,
    inclusive: bool,
    limit: usize,
    offset: usize,
}

fn window(state: &State, call: &Call) -> Result<Window, Resp> {
    fn ts_arg(v: Option<String>, default: i64, e: &str) -> Result<i64, Resp> {
        match v.filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => {
                let f: f64 = s.parse().map_err(|_| err(e))?;
                if !f.is_finite() || f < 0.0 {
                    return Err(err(e));
                }
                // Exact for ts strings: parse seconds and micros separately when possible.
                Ok(ts_to_us(&s).unwrap_or((f * 1_000_000.0) as i64))
            }
        }
    }
    let oldest = ts_arg(call.str("oldest"), 0, "invalid_ts_oldest")?;
    let latest = ts_arg(call.str("latest"), i64::MAX, "invalid_ts_latest")?;
    // A world may make pages short on purpose (`slack.max_page_size`): Slack may return fewer
    // messages than `limit` while `has_more` is true.
    let short = state
        .world
        .json()
        .pointer("/slack/max_page_size")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |n| {
            usize::try_from(n.max(1)).unwrap_or(usize::MAX)
        });
    let limit = match call.str("limit").filter(|s| !s.is_empty()) {
        None => 100,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n <= 0 => 100,
            Ok(n) => usize::try_from(n.min(999)).unwrap_or(999),
            Err(_) => {
                return Err(invalid_arguments(vec![
                    "[ERROR] invalid value for limit".into()
                ]))
            }
        },
    };
    let offset = match call.nonempty("cursor") {
        None => 0,
        Some(c) => b64_decode(&c)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| err("invalid_cursor"))?,
    };
    Ok(Window {
        oldest,
        latest,
        inclusive: call.flag("inclusive"),
        limit: limit.min(short),
        offset,
    })
}

impl Window {
    fn contains(&self, ts: &str) -> bool {
        let Some(us) = ts_to_us(ts) else { return false };
        if self.inclusive {
            us >= self.oldest && us <= self.latest
        } else {
            us > self.oldest && us < self.latest
        }
    }

    /// Applies paging; returns the page and the next cursor.
    fn page(&self, items: Vec<Value>) -> (Vec<Value>, Option<String>) {
        let total = items.len();
        let page: Vec<Value> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect();
        let next = self.offset + page.len();
        let cursor = (next < total).then(|| b64_encode(format!("offset:{next}").as_bytes()));
        (page, cursor)
    }
}

fn strip_metadata(mut m: Value, keep: bool) -> Value {
    if !keep {
        if let Some(o) = m.as_object_mut() {
            o.remove("metadata");
        }
    }
    m
}

fn paged(messages: Vec<Value>, cursor: Option<String>, extra: Value) -> Resp {
    let mut out = json!({"messages": messages, "has_more": cursor.is_some()});
    if let (Some(o), Some(e)) = (out.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
        if let Some(c) = cursor {
            o.insert("response_metadata".into(), json!({"next_cursor": c}));
        }
    }
    ok(out)
}

fn history(state: &State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(channel) = channel_id(state, &arg, false) else {
        return err("channel_not_found");
    };
    let w = match window(state, call) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let keep = call.flag("include_all_metadata");
    let mut top: Vec<Value> = state
        .world
        .slack_messages(&channel)
        .into_iter()
        .filter(is_top_level)
        .filter(|m| w.contains(m.get("ts").and_then(Value::as_str).unwrap_or("")))
        .map(|m| strip_metadata(m, keep))
        .collect();
    top.reverse();
    let (page, cursor) = w.page(top);
    paged(
        page,
        cursor,
        json!({"pin_count": 0, "channel_actions_ts": null, "channel_actions_count": 0}),
    )
}

fn replies(state: &State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(channel) = channel_id(state, &arg, false) else {
        return err("channel_not_found");
    };
    let w = match window(state, call) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let ts = call.str("ts").unwrap_or_default();
    let msgs = state.world.slack_messages(&channel);
    let Some(m) = find_msg(&msgs, &ts) else {
        return err("thread_not_found");
    };
    let root_ts = m
        .get("thread_ts")
        .and_then(Value::as_str)
        .unwrap_or(&ts)
        .to_owned();
    let Some(root) = find_msg(&msgs, &root_ts) else {
        return err("thread_not_found");
    };
    let keep = call.flag("include_all_metadata");
    let mut thread = vec![strip_metadata(root.clone(), keep)];
    thread.extend(
        msgs.iter()
            .filter(|r| {
                r.get("thread_ts").and_then(Value::as_str) == Some(root_ts.as_str())
                    && r.get("ts").and_then(Value::as_str) != Some(root_ts.as_str())
            })
            .filter(|r| w.contains(r.get("ts").and_then(Value::as_str).unwrap_or("")))
            .map(|r| strip_metadata(r.clone(), keep)),
    );
    let (page, cursor) = w.page(thread);
    paged(page, cursor, json!({}))
}

fn conv_info(state: &State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(ch) = channel_id(state, &arg, false).and_then(|c| state.world.slack_channel(&c))
    else {
        return err("channel_not_found");
    };
    if is_im(ch) {
        return ok(json!({"channel": ch}));
    }
    let private = ch
        .get("is_private")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut out = json!({
        "id": ch["id"], "name": ch["name"], "name_normalized": ch["name"],
        "is_channel": !private, "is_group": private, "is_im": false, "is_mpim": false,
        "is_private": private, "created": ch.get("created").cloned().unwrap_or(json!(1_700_000_000)),
        "is_archived": ch.get("is_archived").cloned().unwrap_or(json!(false)),
        "is_general": false, "unlinked": 0, "is_shared": false, "is_org_shared": false,
        "is_ext_shared": false, "is_pending_ext_shared": false,
        "is_member": ch.get("is_member").cloned().unwrap_or(json!(false)),
        "topic": ch.get("topic").cloned().unwrap_or(json!({"value": "", "creator": "", "last_set": 0})),
        "purpose": ch.get("purpose").cloned().unwrap_or(json!({"value": "", "creator": "", "last_set": 0})),
        "previous_names": [],
    });
    if call.flag("include_num_members") {
        out["num_members"] = json!(members_of(state, ch).len());
    }
    ok(json!({"channel": out}))
}

fn members_of(state: &State, ch: &Value) -> Vec<Value> {
    let mut m: Vec<Value> = ch
        .get("members")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if ch.get("is_member").and_then(Value::as_bool) == Some(true) {
        let bot = json!(state.world.slack_bot().0);
        if !m.contains(&bot) {
            m.push(bot);
        }
    }
    m
}

fn conv_members(state: &State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(ch) = channel_id(state, &arg, false).and_then(|c| state.world.slack_channel(&c))
    else {
        return err("channel_not_found");
    };
    ok(json!({"members": members_of(state, ch), "response_metadata": {"next_cursor": ""}}))
}

/// `conversations.invite`: adds the users to the channel's members. The bot must be in the
/// channel (`not_in_channel`); an unknown user is `user_not_found`; inviting one member who is
/// already in is `already_in_channel` (SLACK.md §3).
fn conv_invite(state: &mut State, call: &Call) -> Resp {
    let arg = call.str("channel").unwrap_or_default();
    let Some(channel) = channel_id(state, &arg, false) else {
        return err("channel_not_found");
    };
    if !bot_is_member(state, &channel) {
        return err("not_in_channel");
    }
    let users = call.users();
    if users.is_empty() {
        return err("no_user");
    }
    if users.iter().any(|u| state.world.slack_user(u).is_none()) {
        return err("user_not_found");
    }
    let Some(ch) = state.world.slack_channel_mut(&channel) else {
        return err("channel_not_found");
    };
    let members = ch
        .as_object_mut()
        .map(|o| o.entry("members").or_insert_with(|| json!([])));
    let Some(Value::Array(list)) = members else {
        return err("internal_error");
    };
    let new: Vec<&String> = users
        .iter()
        .filter(|u| !list.iter().any(|m| m.as_str() == Some(u.as_str())))
        .collect();
    if new.is_empty() {
        return err("already_in_channel");
    }
    for u in new {
        list.push(json!(u));
    }
    let out = json!({"id": channel, "is_channel": true, "is_member": true});
    ok(json!({"channel": out}))
}

/// `conversations.open`: the bot's direct message with one user, `D` + the user ID's tail,
/// created on first use and `already_open` after (the bot is always in it). `channel` resumes
/// one. zhost models no multi-person DMs (more than one user is `invalid_arguments`) and
/// ignores `prevent_creation`.
fn conv_open(state: &mut State, call: &Call) -> Resp {
    let shown = |ch: &Value, fresh: bool| {
        let out = if call.flag("return_im") {
            ch.clone()
        } else {
            json!({"id": ch["id"]})
        };
        if fresh {
            ok(json!({"channel": out}))
        } else {
            ok(json!({"no_op": true, "already_open": true, "channel": out}))
        }
    };
    if let Some(c) = call.nonempty("channel") {
        return match state.world.slack_channel(&c) {
            Some(ch) if is_im(ch) => shown(ch, false),
            Some(_) => err("method_not_supported_for_channel_type"),
            None => err("channel_not_found"),
        };
    }
    let users = call.users();
    let user = match users.as_slice() {
        [] => return err("users_list_not_supplied"),
        [one] => one.clone(),
        list if list.len() > 8 => return err("too_many_users"),
        _ => {
            return invalid_arguments(vec![
                "[ERROR] zhost opens direct messages with one user only".into(),
            ])
        }
    };
    match open_im(state, &user) {
        Ok((ch, fresh)) => shown(&ch, fresh),
        Err(r) => r,
    }
}

/// The bot's direct message with `user`, opened if needed; `true` when it was just created.
fn open_im(state: &mut State, user: &str) -> Result<(Value, bool), Resp> {
    match state.world.slack_user(user) {
        None => return Err(err("user_not_found")),
        Some(u) if u.get("deleted").and_then(Value::as_bool) == Some(true) => {
            return Err(err("user_disabled"))
        }
        Some(_) => {}
    }
    // `D` + the ID without its first letter (`U`/`W`): one DM per user, never shared.
    let id = format!("D{}", user.get(1..).unwrap_or_default());
    if let Some(ch) = state.world.slack_channel(&id) {
        return Ok((ch.clone(), false));
    }
    let ch = json!({
        "id": id, "created": crate::state::real_now_ms() / 1000, "is_im": true,
        "is_org_shared": false, "user": user, "is_user_deleted": false, "priority": 0,
        "is_private": true, "is_member": true, "is_open": true,
    });
    state.world.add_slack_channel(ch.clone());
    Ok((ch, true))
}

fn user_out(u: &Value, call: &Call) -> Value {
    let mut u = u.clone();
    if call.flag("include_locale") {
        if let Some(o) = u.as_object_mut() {
            o.entry("locale").or_insert(json!("en-US"));
        }
    }
    u
}

fn lookup_by_email(state: &State, call: &Call) -> Resp {
    let email = call.str("email").unwrap_or_default();
    let found = state.world.array("/slack/users").iter().find(|u| {
        u.pointer("/profile/email")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case(email.trim()))
            && u.get("deleted").and_then(Value::as_bool) != Some(true)
    });
    match found {
        Some(u) => ok(json!({"user": user_out(u, call)})),
        None => err("users_not_found"),
    }
}

fn users_info(state: &State, call: &Call) -> Resp {
    let id = call.str("user").unwrap_or_default();
    match state.world.slack_user(&id) {
        Some(u) => ok(json!({"user": user_out(u, call)})),
        None => err("user_not_found"),
    }
}

fn get_presence(state: &State, call: &Call) -> Resp {
    let (bot_user, _, _) = state.world.slack_bot();
    let id = call.nonempty("user").unwrap_or_else(|| bot_user.clone());
    if id != bot_user && state.world.slack_user(&id).is_none() {
        return err("user_not_found");
    }
    let presence = state
        .world
        .json()
        .pointer("/slack/presence")
        .and_then(|p| p.get(&id))
        .and_then(Value::as_str)
        .unwrap_or(if id == bot_user { "active" } else { "away" })
        .to_owned();
    if id == bot_user {
        return ok(json!({
            "presence": presence, "online": presence == "active", "auto_away": false,
            "manual_away": false, "connection_count": 1, "last_activity": state.now_ms() / 1000,
        }));
    }
    ok(json!({"presence": presence}))
}

fn dnd_info(state: &State, call: &Call) -> Resp {
    let (bot_user, _, _) = state.world.slack_bot();
    let id = call.nonempty("user").unwrap_or(bot_user);
    if state.world.slack_user(&id).is_none() && id != state.world.slack_bot().0 {
        return err("user_not_found");
    }
    let d = state
        .world
        .json()
        .pointer("/slack/dnd")
        .and_then(|p| p.get(&id))
        .cloned()
        .unwrap_or(json!({}));
    ok(json!({
        "dnd_enabled": d.get("dnd_enabled").cloned().unwrap_or(json!(false)),
        "next_dnd_start_ts": d.get("next_dnd_start_ts").cloned().unwrap_or(json!(1)),
        "next_dnd_end_ts": d.get("next_dnd_end_ts").cloned().unwrap_or(json!(1)),
    }))
}

/// The channel as the host page shows it: top-level messages oldest first, replies nested.
pub fn channel_view(state: &State, channel: &str) -> Value {
    let msgs = state.world.slack_messages(channel);
    let name_of = |m: &Value| -> String {
        if let Some(u) = m.get("user").and_then(Value::as_str) {
            if let Some(user) = state.world.slack_user(u) {
                let p = |k: &str| {
                    user.pointer(&format!("/profile/{k}"))
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                return p("display_name")
                    .or_else(|| p("real_name"))
                    .or_else(|| user.get("name").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_else(|| u.to_owned());
            }
            return u.to_owned();
        }
        let bot_user = state.world.slack_bot().0;
        m.get("username")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                state
                    .world
                    .slack_user(&bot_user)
                    .and_then(|u| u.get("real_name"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .or_else(|| {
                state
                    .world
                    .json()
                    .pointer("/slack/bot/name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "bot".into())
    };
    let view = |m: &Value| -> Value {
        let mut o = Map::new();
        for k in ["ts", "text", "user", "bot_id", "metadata", "thread_ts"] {
            if let Some(v) = m.get(k) {
                o.insert(k.into(), v.clone());
            }
        }
        o.insert("author".into(), json!(name_of(m)));
        Value::Object(o)
    };
    let out: Vec<Value> = msgs
        .iter()
        .filter(|m| is_top_level(m))
        .map(|m| {
            let ts = m.get("ts").and_then(Value::as_str).unwrap_or("");
            let mut v = view(m);
            let replies: Vec<Value> = msgs
                .iter()
                .filter(|r| {
                    r.get("thread_ts").and_then(Value::as_str) == Some(ts)
                        && r.get("ts").and_then(Value::as_str) != Some(ts)
                })
                .map(view)
                .collect();
            v["replies"] = Value::Array(replies);
            v
        })
        .collect();
    let users: Map<String, Value> = state
        .world
        .array("/slack/users")
        .iter()
        .filter_map(|u| {
            let id = u.get("id")?.as_str()?;
            let name = u
                .pointer("/profile/display_name")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .or_else(|| u.pointer("/profile/real_name").and_then(Value::as_str))
                .unwrap_or(id);
            Some((id.to_owned(), json!(name)))
        })
        .collect();
    let name = state
        .world
        .slack_channel(channel)
        .and_then(|c| c.get("name"))
        .cloned()
        .unwrap_or(Value::Null);
    json!({"id": channel, "name": name, "messages": out, "users": users})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let pm = spec("chat.postMessage").unwrap();
        assert_eq!(pm.verb, "POST");
        assert!(pm.json_input_supported);
        assert_eq!(pm.required, vec!["channel".to_owned()]);
        let r = spec("conversations.replies").unwrap();
        assert_eq!(r.verb, "GET");
        assert!(!r.json_input_supported);
        assert!(r.required.contains(&"ts".to_owned()));
        assert_eq!(specs().len(), SPECS.len());
    }
}
