//! The world file: fixture data for Zendesk and Slack (CONTRACTS.md §5).
//!
//! A world is kept as JSON in the real APIs' own object shapes, so the emulators can hand objects
//! out unchanged. [`load_world`] checks the structure the emulators rely on and reports every
//! problem with its JSON path (`zendesk.tickets[2].organization_id: no organization 99`).

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::util::parse_rfc3339_ms;
use crate::Error;

/// A loaded, validated world.
#[derive(Debug, Clone)]
pub struct World {
    data: Value,
    clock_start_ms: Option<i64>,
}

static EMPTY: Vec<Value> = Vec::new();

impl World {
    /// Parses and validates world JSON text. `origin` names the source in error messages.
    pub fn from_json_str(text: &str, origin: &Path) -> Result<World, Error> {
        let data: Value = serde_json::from_str(text).map_err(|e| Error::World {
            path: origin.to_path_buf(),
            problems: vec![format!(
                "not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            )],
        })?;
        let problems = validate(&data);
        if !problems.is_empty() {
            return Err(Error::World {
                path: origin.to_path_buf(),
                problems,
            });
        }
        let mut world = World {
            clock_start_ms: data
                .pointer("/clock/start")
                .and_then(Value::as_str)
                .and_then(parse_rfc3339_ms),
            data,
        };
        world.normalise_threads();
        Ok(world)
    }

    /// The whole world as JSON (settings included).
    pub fn json(&self) -> &Value {
        &self.data
    }

    /// `clock.start` in milliseconds since the epoch, when the world pins the clock.
    pub fn clock_start_ms(&self) -> Option<i64> {
        self.clock_start_ms
    }

    /// `sandbox.subdomain`: a second Zendesk account (a sandbox, a copy of this one's Zendesk
    /// data with the same ticket ids) that uses the same Slack workspace and channel.
    pub fn sandbox_subdomain(&self) -> Option<&str> {
        self.data
            .pointer("/sandbox/subdomain")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// Exchanges this world's Zendesk data and account with `other` (the sandbox's): every
    /// Zendesk read and write then goes to the other account, Slack stays shared.
    pub(crate) fn swap_account(&mut self, other: &mut Value) {
        let Some(obj) = self.data.as_object_mut() else {
            return;
        };
        for key in ["zendesk", "account"] {
            let mine = obj.entry(key).or_insert(Value::Null);
            std::mem::swap(mine, &mut other[key]);
        }
    }

    /// The Zendesk part of the world (`zendesk` and `account`), as a sandbox starts from it.
    pub(crate) fn account_copy(&self, subdomain: &str) -> Value {
        let mut account = self
            .data
            .get("account")
            .cloned()
            .unwrap_or(serde_json::json!({}));
        account["subdomain"] = Value::String(subdomain.to_owned());
        serde_json::json!({"zendesk": self.data.get("zendesk").cloned().unwrap_or(Value::Null), "account": account})
    }

    /// `account.subdomain`.
    pub fn subdomain(&self) -> &str {
        self.data
            .pointer("/account/subdomain")
            .and_then(Value::as_str)
            .unwrap_or("acme")
    }

    /// `settings` (secure ones included).
    pub fn settings(&self) -> Map<String, Value> {
        self.data
            .get("settings")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    /// One setting as text (`true`/numbers rendered as JSON).
    pub fn setting_str(&self, name: &str) -> Option<String> {
        self.data
            .get("settings")
            .and_then(|s| s.get(name))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    }

    /// Zendesk user ids who can be "logged in".
    pub fn agents(&self) -> Vec<u64> {
        self.array("/agents")
            .iter()
            .filter_map(Value::as_u64)
            .collect()
    }

    pub(crate) fn array(&self, pointer: &str) -> &Vec<Value> {
        self.data
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or(&EMPTY)
    }

    fn find(&self, pointer: &str, id: u64) -> Option<&Value> {
        self.array(pointer)
            .iter()
            .find(|v| v.get("id").and_then(Value::as_u64) == Some(id))
    }

    /// Zendesk ticket by id.
    pub fn ticket(&self, id: u64) -> Option<&Value> {
        self.find("/zendesk/tickets", id)
    }

    /// Mutable Zendesk ticket by id.
    pub(crate) fn ticket_mut(&mut self, id: u64) -> Option<&mut Value> {
        self.find_mut("/zendesk/tickets", id)
    }

    /// Mutable Zendesk organization by id.
    pub(crate) fn organization_mut(&mut self, id: u64) -> Option<&mut Value> {
        self.find_mut("/zendesk/organizations", id)
    }

    /// The object with `id` in the array at `pointer`, to change it.
    fn find_mut(&mut self, pointer: &str, id: u64) -> Option<&mut Value> {
        self.data
            .pointer_mut(pointer)
            .and_then(Value::as_array_mut)?
            .iter_mut()
            .find(|v| v.get("id").and_then(Value::as_u64) == Some(id))
    }

    /// Zendesk user by id.
    pub fn user(&self, id: u64) -> Option<&Value> {
        self.find("/zendesk/users", id)
    }

    /// Zendesk user by email (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<&Value> {
        self.array("/zendesk/users").iter().find(|u| {
            u.get("email")
                .and_then(Value::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    }

    /// Zendesk organization by id.
    pub fn organization(&self, id: u64) -> Option<&Value> {
        self.find("/zendesk/organizations", id)
    }

    /// Zendesk group by id (optional `zendesk.groups`).
    pub fn group(&self, id: u64) -> Option<&Value> {
        self.find("/zendesk/groups", id)
    }

    /// Comments of a ticket, oldest first.
    pub fn comments(&self, ticket: u64) -> Vec<Value> {
        self.data
            .pointer("/zendesk/comments")
            .and_then(|c| c.get(ticket.to_string()))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Appends a comment to a ticket.
    pub(crate) fn push_comment(&mut self, ticket: u64, comment: Value) {
        let Some(root) = self.data.as_object_mut() else {
            return;
        };
        let zd = root
            .entry("zendesk")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(zd) = zd.as_object_mut() else { return };
        let comments = zd
            .entry("comments")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(comments) = comments.as_object_mut() else {
            return;
        };
        let list = comments
            .entry(ticket.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            list.push(comment);
        }
    }

    /// Largest id used by any comment (to continue numbering).
    pub(crate) fn max_comment_id(&self) -> u64 {
        self.data
            .pointer("/zendesk/comments")
            .and_then(Value::as_object)
            .map(|m| {
                m.values()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(|c| c.get("id").and_then(Value::as_u64))
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    }

    /// Slack team `{id, domain, name?}`.
    pub fn slack_team(&self) -> (&str, &str) {
        let t = |k: &str| {
            self.data
                .pointer(&format!("/slack/team/{k}"))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        (t("id"), t("domain"))
    }

    /// Slack bot `(user_id, bot_id, app_id?)`.
    pub fn slack_bot(&self) -> (String, String, Option<String>) {
        let t = |k: &str| {
            self.data
                .pointer(&format!("/slack/bot/{k}"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        (
            t("user_id").unwrap_or_default(),
            t("bot_id").unwrap_or_default(),
            t("app_id"),
        )
    }

    /// Slack user object by id.
    pub fn slack_user(&self, id: &str) -> Option<&Value> {
        self.array("/slack/users")
            .iter()
            .find(|u| u.get("id").and_then(Value::as_str) == Some(id))
    }

    /// Adds a Slack channel object (`conversations.open` creates direct messages).
    pub(crate) fn add_slack_channel(&mut self, channel: Value) {
        let root = self.data.as_object_mut();
        let slack = root.map(|r| {
            r.entry("slack")
                .or_insert_with(|| Value::Object(Map::new()))
        });
        let channels = slack.and_then(Value::as_object_mut).map(|s| {
            s.entry("channels")
                .or_insert_with(|| Value::Array(Vec::new()))
        });
        if let Some(Value::Array(list)) = channels {
            list.push(channel);
        }
    }

    /// Slack channel object by id, to change it.
    pub(crate) fn slack_channel_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.data
            .pointer_mut("/slack/channels")?
            .as_array_mut()?
            .iter_mut()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
    }

    /// Slack channel object by id.
    pub fn slack_channel(&self, id: &str) -> Option<&Value> {
        self.array("/slack/channels")
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
    }

    /// Messages of a channel in posting order (replies included, oldest first).
    pub fn slack_messages(&self, channel: &str) -> Vec<Value> {
        self.data
            .pointer("/slack/messages")
            .and_then(|m| m.get(channel))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Mutable message list of a channel (created on first use).
    pub(crate) fn slack_messages_mut(&mut self, channel: &str) -> Option<&mut Vec<Value>> {
        let root = self.data.as_object_mut()?;
        let slack = root
            .entry("slack")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()?;
        let msgs = slack
            .entry("messages")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()?;
        msgs.entry(channel.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
    }

    /// Largest ts (in microseconds) among the seeded Slack messages.
    pub(crate) fn max_slack_ts_us(&self) -> i64 {
        self.data
            .pointer("/slack/messages")
            .and_then(Value::as_object)
            .map(|m| {
                m.values()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(|msg| msg.get("ts").and_then(Value::as_str))
                    .filter_map(ts_to_us)
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    }

    /// Recomputes `reply_count`, `reply_users`, `latest_reply` of seeded thread roots.
    fn normalise_threads(&mut self) {
        let channels: Vec<String> = self
            .data
            .pointer("/slack/messages")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for ch in channels {
            let Some(list) = self.slack_messages_mut(&ch) else {
                continue;
            };
            list.sort_by_key(|m| m.get("ts").and_then(Value::as_str).and_then(ts_to_us));
            let replies: Vec<(String, String, String)> = list
                .iter()
                .filter_map(|m| {
                    let ts = m.get("ts")?.as_str()?;
                    let th = m.get("thread_ts")?.as_str()?;
                    (ts != th).then(|| (th.to_owned(), ts.to_owned(), author_id(m)))
                })
                .collect();
            for (root_ts, ts, author) in replies {
                if let Some(root) = list
                    .iter_mut()
                    .find(|m| m.get("ts").and_then(Value::as_str) == Some(root_ts.as_str()))
                {
                    register_reply(root, &ts, &author);
                }
            }
        }
    }
}

/// The author of a Slack message: `user`, else `bot_id`.
pub(crate) fn author_id(m: &Value) -> String {
    m.get("user")
        .or_else(|| m.get("bot_id"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// Updates a thread root after a reply `ts` by `author` was added.
pub(crate) fn register_reply(root: &mut Value, ts: &str, author: &str) {
    let Some(obj) = root.as_object_mut() else {
        return;
    };
    let root_ts = obj.get("ts").cloned().unwrap_or(Value::Null);
    obj.insert("thread_ts".into(), root_ts);
    let count = obj.get("reply_count").and_then(Value::as_u64).unwrap_or(0) + 1;
    obj.insert("reply_count".into(), count.into());
    let mut users: Vec<Value> = obj
        .get("reply_users")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !author.is_empty() && !users.iter().any(|u| u.as_str() == Some(author)) {
        users.push(author.into());
    }
    obj.insert("reply_users_count".into(), users.len().into());
    obj.insert("reply_users".into(), Value::Array(users));
    obj.insert("latest_reply".into(), ts.into());
}

/// `1764165600.000100` → microseconds; `None` unless it matches `^\d{10}\.\d{6}$`.
pub(crate) fn ts_to_us(ts: &str) -> Option<i64> {
    let (s, us) = ts.split_once('.')?;
    if s.len() != 10
        || us.len() != 6
        || !s.bytes().all(|b| b.is_ascii_digit())
        || !us.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(s.parse::<i64>().ok()? * 1_000_000 + us.parse::<i64>().ok()?)
}

/// Microseconds → `ssssssssss.uuuuuu`.
pub(crate) fn us_to_ts(us: i64) -> String {
    format!(
        "{:010}.{:06}",
        us.div_euclid(1_000_000),
        us.rem_euclid(1_000_000)
    )
}

/// Reads and validates a world file.
pub fn load_world(path: impl AsRef<Path>) -> Result<World, Error> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    World::from_json_str(&text, path)
}

// ---------------------------------------------------------------------------------------------
// Validation

struct Check {
    problems: Vec<String>,
}

impl Check {
    fn bad(&mut self, at: &str, what: impl std::fmt::Display) {
        self.problems.push(format!("{at}: {what}"));
    }

    fn obj<'a>(&mut self, v: Option<&'a Value>, at: &str) -> Option<&'a Map<String, Value>> {
        match v {
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.bad(at, format!("expected an object, found {}", kind(other)));
                None
            }
            None => {
                self.bad(at, "missing (expected an object)");
                None
            }
        }
    }

    fn arr<'a>(&mut self, v: Option<&'a Value>, at: &str) -> Option<&'a Vec<Value>> {
        match v {
            Some(Value::Array(a)) => Some(a),
            Some(other) => {
                self.bad(at, format!("expected an array, found {}", kind(other)));
                None
            }
            None => {
                self.bad(at, "missing (expected an array)");
                None
            }
        }
    }

    fn id(&mut self, v: Option<&Value>, at: &str) -> Option<u64> {
        match v {
            Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
            Some(other) => {
                self.bad(
                    at,
                    format!("expected a positive integer id, found {}", kind(other)),
                );
                None
            }
            None => {
                self.bad(at, "missing (expected an integer id)");
                None
            }
        }
    }

    fn string<'a>(&mut self, v: Option<&'a Value>, at: &str) -> Option<&'a str> {
        match v {
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.bad(at, format!("expected a string, found {}", kind(other)));
                None
            }
            None => {
                self.bad(at, "missing (expected a string)");
                None
            }
        }
    }

    fn time(&mut self, v: Option<&Value>, at: &str) {
        if let Some(s) = self.string(v, at) {
            if parse_rfc3339_ms(s).is_none() {
                self.bad(
                    at,
                    format!("{s:?} is not an RFC 3339 time like 2026-11-26T14:00:00Z"),
                );
            }
        }
    }

    fn opt_ref(&mut self, v: Option<&Value>, at: &str, known: &HashSet<u64>, what: &str) {
        match v {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => match n.as_u64() {
                Some(id) if known.contains(&id) => {}
                _ => self.bad(at, format!("no {what} {n} in the world")),
            },
            Some(other) => self.bad(at, format!("expected an id or null, found {}", kind(other))),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn slack_id_ok(id: &str, prefixes: &[u8], min_rest: usize) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && prefixes.contains(&b[0])
        && b.len() > min_rest
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn ids(c: &mut Check, list: Option<&Vec<Value>>, at: &str) -> HashSet<u64> {
    let mut set = HashSet::new();
    for (i, item) in list.into_iter().flatten().enumerate() {
        let here = format!("{at}[{i}]");
        if let Some(id) = c.id(item.get("id"), &format!("{here}.id")) {
            if !set.insert(id) {
                c.bad(&format!("{here}.id"), format!("duplicate id {id}"));
            }
        }
    }
    set
}

fn validate(root: &Value) -> Vec<String> {
    let mut c = Check {
        problems: Vec::new(),
    };
    let Some(top) = c.obj(Some(root), "(top level)") else {
        return c.problems;
    };
    if let Some(clock) = top.get("clock") {
        if let Some(clock) = c.obj(Some(clock), "clock") {
            c.time(clock.get("start"), "clock.start");
        }
    }
    if let Some(acc) = c.obj(top.get("account"), "account") {
        if let Some(s) = c.string(acc.get("subdomain"), "account.subdomain") {
            if s.is_empty()
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                c.bad(
                    "account.subdomain",
                    format!("{s:?} is not a subdomain (a-z, 0-9, -)"),
                );
            }
        }
    }
    c.obj(top.get("settings"), "settings");

    // Zendesk
    let zd = c.obj(top.get("zendesk"), "zendesk");
    let get = |k: &str| zd.and_then(|z| z.get(k));
    let users = c.arr(get("users"), "zendesk.users");
    let user_ids = ids(&mut c, users, "zendesk.users");
    for (i, u) in users.into_iter().flatten().enumerate() {
        let at = format!("zendesk.users[{i}]");
        c.string(u.get("name"), &format!("{at}.name"));
        match u.get("email") {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(o) => c.bad(
                &format!("{at}.email"),
                format!("expected a string or null, found {}", kind(o)),
            ),
        }
        if let Some(role) = c.string(u.get("role"), &format!("{at}.role")) {
            if !["end-user", "agent", "admin"].contains(&role) {
                c.bad(
                    &format!("{at}.role"),
                    format!("{role:?} is not one of end-user, agent, admin"),
                );
            }
        }
    }
    let orgs = c.arr(get("organizations"), "zendesk.organizations");
    let org_ids = ids(&mut c, orgs, "zendesk.organizations");
    for (i, o) in orgs.into_iter().flatten().enumerate() {
        let at = format!("zendesk.organizations[{i}]");
        c.string(o.get("name"), &format!("{at}.name"));
        c.obj(
            o.get("organization_fields"),
            &format!("{at}.organization_fields"),
        );
    }
    for (i, u) in users.into_iter().flatten().enumerate() {
        c.opt_ref(
            u.get("organization_id"),
            &format!("zendesk.users[{i}].organization_id"),
            &org_ids,
            "organization",
        );
    }
    let groups = match get("groups") {
        Some(g) => c.arr(Some(g), "zendesk.groups"),
        None => None,
    };
    let group_ids = ids(&mut c, groups, "zendesk.groups");
    let tickets = c.arr(get("tickets"), "zendesk.tickets");
    let ticket_ids = ids(&mut c, tickets, "zendesk.tickets");
    for (i, t) in tickets.into_iter().flatten().enumerate() {
        let at = format!("zendesk.tickets[{i}]");
        c.string(t.get("subject"), &format!("{at}.subject"));
        c.string(t.get("status"), &format!("{at}.status"));
        match t.get("priority") {
            None | Some(Value::Null) => {}
            Some(Value::String(p)) if ["low", "normal", "high", "urgent"].contains(&p.as_str()) => {
            }
            Some(o) => c.bad(
                &format!("{at}.priority"),
                format!("{o} is not null or one of low, normal, high, urgent"),
            ),
        }
        if let Some(tags) = c.arr(t.get("tags"), &format!("{at}.tags")) {
            if tags.iter().any(|x| !x.is_string()) {
                c.bad(&format!("{at}.tags"), "every tag must be a string");
            }
        }
        c.time(t.get("created_at"), &format!("{at}.created_at"));
        c.time(t.get("updated_at"), &format!("{at}.updated_at"));
        match t.get("requester_id") {
            Some(v) => c.opt_ref(Some(v), &format!("{at}.requester_id"), &user_ids, "user"),
            None => c.bad(&format!("{at}.requester_id"), "missing"),
        }
        c.opt_ref(
            t.get("assignee_id"),
            &format!("{at}.assignee_id"),
            &user_ids,
            "user",
        );
        c.opt_ref(
            t.get("organization_id"),
            &format!("{at}.organization_id"),
            &org_ids,
            "organization",
        );
        if groups.is_some() {
            c.opt_ref(
                t.get("group_id"),
                &format!("{at}.group_id"),
                &group_ids,
                "group",
            );
        }
        if let Some(cf) = t.get("custom_fields") {
            if let Some(cf) = c.arr(Some(cf), &format!("{at}.custom_fields")) {
                for (j, f) in cf.iter().enumerate() {
                    c.id(f.get("id"), &format!("{at}.custom_fields[{j}].id"));
                }
            }
        }
    }
    if let Some(comments) = c.obj(get("comments"), "zendesk.comments") {
        for (key, list) in comments {
            let at = format!("zendesk.comments[\"{key}\"]");
            match key.parse::<u64>() {
                Ok(id) if ticket_ids.contains(&id) => {}
                _ => c.bad(
                    &at,
                    format!("key {key:?} is not the id of a ticket in the world"),
                ),
            }
            for (j, cm) in c.arr(Some(list), &at).into_iter().flatten().enumerate() {
                let here = format!("{at}[{j}]");
                c.id(cm.get("id"), &format!("{here}.id"));
                match cm.get("author_id") {
                    Some(v) => c.opt_ref(Some(v), &format!("{here}.author_id"), &user_ids, "user"),
                    None => c.bad(&format!("{here}.author_id"), "missing"),
                }
                c.string(cm.get("body"), &format!("{here}.body"));
                if !cm.get("public").is_some_and(Value::is_boolean) {
                    c.bad(&format!("{here}.public"), "missing or not a boolean");
                }
                c.time(cm.get("created_at"), &format!("{here}.created_at"));
            }
        }
    }
    if let Some(f) = get("organization_fields") {
        for (i, f) in c
            .arr(Some(f), "zendesk.organization_fields")
            .into_iter()
            .flatten()
            .enumerate()
        {
            c.string(
                f.get("key"),
                &format!("zendesk.organization_fields[{i}].key"),
            );
        }
    }
    if let Some(agents) = c.arr(top.get("agents"), "agents") {
        if agents.is_empty() {
            c.bad("agents", "needs at least one Zendesk user id");
        }
        for (i, a) in agents.iter().enumerate() {
            c.opt_ref(Some(a), &format!("agents[{i}]"), &user_ids, "user");
            if a.is_null() {
                c.bad(&format!("agents[{i}]"), "null is not a user id");
            }
        }
    }

    // Slack
    let Some(slack) = c.obj(top.get("slack"), "slack") else {
        return c.problems;
    };
    if let Some(team) = c.obj(slack.get("team"), "slack.team") {
        c.string(team.get("id"), "slack.team.id");
        if let Some(d) = c.string(team.get("domain"), "slack.team.domain") {
            if d.is_empty() {
                c.bad("slack.team.domain", "must not be empty");
            }
        }
    }
    if let Some(bot) = c.obj(slack.get("bot"), "slack.bot") {
        c.string(bot.get("user_id"), "slack.bot.user_id");
        c.string(bot.get("bot_id"), "slack.bot.bot_id");
    }
    let mut slack_users = HashSet::new();
    for (i, u) in c
        .arr(slack.get("users"), "slack.users")
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("slack.users[{i}]");
        if let Some(id) = c.string(u.get("id"), &format!("{at}.id")) {
            if !slack_id_ok(id, b"UW", 2) {
                c.bad(
                    &format!("{at}.id"),
                    format!("{id:?} does not match ^[UW][A-Z0-9]{{2,}}$"),
                );
            }
            slack_users.insert(id.to_owned());
        }
        c.obj(u.get("profile"), &format!("{at}.profile"));
    }
    let mut channels = HashSet::new();
    for (i, ch) in c
        .arr(slack.get("channels"), "slack.channels")
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("slack.channels[{i}]");
        if let Some(id) = c.string(ch.get("id"), &format!("{at}.id")) {
            if !slack_id_ok(id, b"CGD", 8) {
                c.bad(
                    &format!("{at}.id"),
                    format!("{id:?} does not match ^[CGD][A-Z0-9]{{8,}}$"),
                );
            }
            if !channels.insert(id.to_owned()) {
                c.bad(&format!("{at}.id"), format!("duplicate channel {id}"));
            }
        }
        c.string(ch.get("name"), &format!("{at}.name"));
    }
    if let Some(p) = slack.get("presence") {
        for (k, v) in c.obj(Some(p), "slack.presence").into_iter().flatten() {
            if !slack_users.contains(k) {
                c.bad(&format!("slack.presence.{k}"), "not a user in slack.users");
            }
            if !matches!(v.as_str(), Some("active" | "away")) {
                c.bad(
                    &format!("slack.presence.{k}"),
                    "must be \"active\" or \"away\"",
                );
            }
        }
    }
    // `dnd.info`'s answers: `{<U>: {dnd_enabled, next_dnd_start_ts, next_dnd_end_ts}}`, all
    // optional (the emulator fills in Slack's "off" answer).
    if let Some(d) = slack.get("dnd") {
        for (k, v) in c.obj(Some(d), "slack.dnd").into_iter().flatten() {
            let at = format!("slack.dnd.{k}");
            if !slack_users.contains(k) {
                c.bad(&at, "not a user in slack.users");
            }
            let Some(fields) = c.obj(Some(v), &at) else {
                continue;
            };
            for (name, value) in fields {
                let ok = match name.as_str() {
                    "dnd_enabled" => value.is_boolean(),
                    "next_dnd_start_ts" | "next_dnd_end_ts" => value.is_i64(),
                    _ => false,
                };
                if !ok {
                    c.bad(
                        &format!("{at}.{name}"),
                        "expected dnd_enabled (a boolean) or next_dnd_start_ts / next_dnd_end_ts (Unix seconds)",
                    );
                }
            }
        }
    }
    if let Some(m) = slack.get("messages") {
        for (ch, list) in c.obj(Some(m), "slack.messages").into_iter().flatten() {
            let at = format!("slack.messages.{ch}");
            if !channels.contains(ch) {
                c.bad(&at, "not a channel in slack.channels");
            }
            for (j, msg) in c.arr(Some(list), &at).into_iter().flatten().enumerate() {
                if let Some(ts) = c.string(msg.get("ts"), &format!("{at}[{j}].ts")) {
                    if ts_to_us(ts).is_none() {
                        c.bad(
                            &format!("{at}[{j}].ts"),
                            format!("{ts:?} does not match ^\\d{{10}}\\.\\d{{6}}$"),
                        );
                    }
                }
                c.string(msg.get("text"), &format!("{at}[{j}].text"));
            }
        }
    }
    c.problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_helpers() {
        assert_eq!(ts_to_us("1764165600.000100"), Some(1_764_165_600_000_100));
        assert_eq!(us_to_ts(1_764_165_600_000_100), "1764165600.000100");
        assert_eq!(ts_to_us("1764165600.1"), None);
    }

    #[test]
    fn slack_ids() {
        assert!(slack_id_ok("C0EMERGENCY", b"CG", 8));
        assert!(!slack_id_ok("#general", b"CG", 8));
        assert!(!slack_id_ok("C0EMER", b"CG", 8));
    }
}
