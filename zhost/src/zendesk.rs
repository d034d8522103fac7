//! Zendesk Support REST emulator under `/api/v2/` (CONTRACTS.md §4).
//!
//! Objects come straight from the world file in the real API's shapes. Writes follow Zendesk's
//! rules: JSON bodies with a root `ticket` key, comments need a body (422 `RecordInvalid`),
//! `safe_update` + `updated_stamp` give 409 `UpdateConflict` when stale, every update bumps
//! `updated_at`. Auth: the proxy's `X-Zhost-Agent: <user id>` header or HTTP basic
//! `email/token:<anything>` of a world user, else 401.

use serde_json::{json, Map, Value};

use crate::http::{Req, Resp};
use crate::state::State;
use crate::util::{
    b64_decode, b64_encode, format_rfc3339, html_escape, parse_rfc3339_ms, strip_tags,
};

fn not_found() -> Resp {
    Resp::json(
        404,
        &json!({"error": "RecordNotFound", "description": "Not found"}),
    )
}

fn invalid_endpoint() -> Resp {
    Resp::json(
        404,
        &json!({"error": "InvalidEndpoint", "description": "Not found"}),
    )
}

fn bad_request(description: &str) -> Resp {
    Resp::json(
        400,
        &json!({"error": "BadRequest", "description": description}),
    )
}

fn record_invalid(field: &str, description: &str, error: &str) -> Resp {
    Resp::json(
        422,
        &json!({
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": { field: [{"description": description, "error": error}] }
        }),
    )
}

fn conflict() -> Resp {
    Resp::json(
        409,
        &json!({
            "error": "UpdateConflict",
            "description": "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again."
        }),
    )
}

/// Who is calling: a world user id, or `None` (401).
pub fn authenticate(state: &State, req: &Req) -> Option<u64> {
    if let Some(agent) = req.header("x-zhost-agent") {
        let id: u64 = agent.trim().parse().ok()?;
        return state.world.user(id).map(|_| id);
    }
    let auth = req.header("authorization")?;
    let (scheme, cred) = auth.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(b64_decode(cred.trim())?).ok()?;
    let (user, secret) = decoded.split_once(':')?;
    let email = user.strip_suffix("/token")?;
    if secret.is_empty() {
        return None;
    }
    state
        .world
        .user_by_email(email)
        .and_then(|u| u.get("id"))
        .and_then(Value::as_u64)
}

/// Handles `/api/v2/...`.
pub fn handle(state: &mut State, req: &Req) -> Resp {
    let Some(agent) = authenticate(state, req) else {
        return Resp::json(401, &json!({"error": "Couldn't authenticate you"}));
    };
    let path = req.path.trim_end_matches('/');
    let path = path.strip_suffix(".json").unwrap_or(path);
    let Some(rest) = path.strip_prefix("/api/v2/") else {
        return invalid_endpoint();
    };
    let seg: Vec<&str> = rest.split('/').collect();
    let role = state
        .world
        .user(agent)
        .and_then(|u| u.get("role"))
        .and_then(Value::as_str)
        .unwrap_or("end-user")
        .to_owned();
    let m = req.method.as_str();
    if role == "end-user" && !(m == "GET" && seg == ["users", "me"]) {
        return Resp::json(
            403,
            &json!({"error": "Forbidden", "description": "You do not have access to this page. Please contact the account owner of this help desk for further help."}),
        );
    }
    let path = path.to_owned();
    crate::faults::apply(state, None, m, &path, |state| {
        route(state, req, &seg, agent)
    })
}

fn route(state: &mut State, req: &Req, seg: &[&str], agent: u64) -> Resp {
    let m = req.method.as_str();
    let id = |i: usize| seg.get(i).and_then(|s| s.parse::<u64>().ok());
    match (m, seg) {
        ("GET", ["tickets", _]) => match id(1).and_then(|t| state.world.ticket(t)) {
            Some(t) => Resp::json(200, &json!({"ticket": t})),
            None => not_found(),
        },
        ("PUT", ["tickets", _]) => match id(1) {
            Some(t) if state.world.ticket(t).is_some() => update_ticket(state, req, t, agent),
            _ => not_found(),
        },
        ("GET", ["tickets", _, "comments"]) => match id(1) {
            Some(t) if state.world.ticket(t).is_some() => list_comments(state, req, t),
            _ => not_found(),
        },
        ("GET" | "PUT" | "POST" | "DELETE", ["tickets", _, "tags"]) => match id(1) {
            Some(t) if state.world.ticket(t).is_some() => tags(state, req, t),
            _ => not_found(),
        },
        ("GET", ["organizations", _]) => match id(1).and_then(|o| state.world.organization(o)) {
            Some(o) => Resp::json(200, &json!({"organization": o})),
            None => not_found(),
        },
        ("PUT", ["organizations", _]) => match id(1) {
            Some(o) if state.world.organization(o).is_some() => update_organization(state, req, o),
            _ => not_found(),
        },
        ("GET", ["organization_fields"]) => {
            let f = state.world.array("/zendesk/organization_fields").clone();
            let n = f.len();
            Resp::json(
                200,
                &json!({"organization_fields": f, "next_page": null, "previous_page": null, "count": n}),
            )
        }
        ("GET", ["search"]) => crate::search::search(state, req, &api_base(state, req)),
        ("GET", ["users", "me"]) => match state.world.user(agent) {
            Some(u) => Resp::json(200, &json!({"user": u})),
            None => not_found(),
        },
        ("GET", ["users", "search"]) => search_users(state, req),
        ("GET", ["users", _]) => match id(1).and_then(|u| state.world.user(u)) {
            Some(u) => Resp::json(200, &json!({"user": u})),
            None => not_found(),
        },
        _ => invalid_endpoint(),
    }
}

/// `PUT organizations/<id>` `{"organization":{…}}`: `name`, `notes`, `details`, `tags` replace
/// theirs; `organization_fields` are merged by key (as Zendesk does). Other keys are ignored.
fn update_organization(state: &mut State, req: &Req, o: u64) -> Resp {
    let body = match json_body(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(changes) = body.get("organization").and_then(Value::as_object) else {
        return bad_request("The request body has no organization object");
    };
    let now = format_rfc3339(state.now_ms() / 1000 * 1000);
    let Some(org) = state.world.organization_mut(o) else {
        return not_found();
    };
    for key in ["name", "notes", "details", "tags"] {
        if let Some(v) = changes.get(key) {
            org[key] = v.clone();
        }
    }
    if let Some(Value::Object(fields)) = changes.get("organization_fields") {
        if !org["organization_fields"].is_object() {
            org["organization_fields"] = json!({});
        }
        for (k, v) in fields {
            org["organization_fields"][k] = v.clone();
        }
    }
    org["updated_at"] = json!(now);
    Resp::json(200, &json!({"organization": org}))
}

fn json_body(req: &Req) -> Result<Value, Resp> {
    if req.media_type().as_deref() != Some("application/json") {
        return Err(bad_request(
            "Content-Type must be application/json for this request",
        ));
    }
    serde_json::from_slice(&req.body).map_err(|_| bad_request("The request body is not valid JSON"))
}

/// Checks `safe_update` + `updated_stamp` against the ticket; `Err` is the 409.
fn safe_update_check(state: &State, t: u64, body: &Value) -> Result<(), Resp> {
    // Only `safe_update: true` asks for the check.
    if body.get("safe_update").and_then(Value::as_bool) != Some(true) {
        return Ok(());
    }
    let Some(stamp) = body.get("updated_stamp") else {
        return Ok(());
    };
    let Some(stamp_ms) = stamp.as_str().and_then(parse_rfc3339_ms) else {
        return Err(record_invalid(
            "updated_stamp",
            "Updated stamp is not a valid time",
            "InvalidValue",
        ));
    };
    let current = state
        .world
        .ticket(t)
        .and_then(|x| x.get("updated_at"))
        .and_then(Value::as_str)
        .and_then(parse_rfc3339_ms)
        .unwrap_or(0);
    if stamp_ms / 1000 != current / 1000 {
        return Err(conflict());
    }
    Ok(())
}

/// Sets `updated_at` to world now at Zendesk's one-second precision (never backwards): two
/// writes within one second share a stamp, as they do on Zendesk.
fn bump(state: &mut State, t: u64) -> String {
    let now = state.now_ms();
    let ticket = state.world.ticket(t);
    let prev = ticket
        .and_then(|x| x.get("updated_at"))
        .and_then(Value::as_str)
        .and_then(parse_rfc3339_ms)
        .unwrap_or(0);
    let next = format_rfc3339(now.max(prev) / 1000 * 1000);
    if let Some(tk) = state.world.ticket_mut(t) {
        tk["updated_at"] = json!(next);
    }
    next
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(|s| s.trim().to_owned()))
            .collect(),
        Value::String(s) => Some(
            s.split([',', ' '])
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

fn update_ticket(state: &mut State, req: &Req, t: u64, agent: u64) -> Resp {
    let body = match json_body(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(tb) = body.get("ticket").and_then(Value::as_object).cloned() else {
        return bad_request(
            "Missing or invalid \"ticket\" parameter: the body must be {\"ticket\": {...}}",
        );
    };
    let tbv = Value::Object(tb.clone());
    if let Err(r) = safe_update_check(state, t, &tbv) {
        return r;
    }

    // Validate everything before changing anything.
    let mut comment_in: Option<(String, String, bool, u64)> = None;
    if let Some(c) = tb.get("comment") {
        let Some(c) = c.as_object() else {
            return record_invalid("comment", "Comment: must be an object", "InvalidValue");
        };
        let body_txt = c.get("body").and_then(Value::as_str).unwrap_or("");
        let html = c.get("html_body").and_then(Value::as_str).unwrap_or("");
        if body_txt.trim().is_empty() && strip_tags(html).trim().is_empty() {
            return record_invalid("base", "Comment: Body cannot be blank", "BlankValue");
        }
        let public = c.get("public").and_then(Value::as_bool).unwrap_or(true);
        let author = c
            .get("author_id")
            .and_then(Value::as_u64)
            .filter(|a| state.world.user(*a).is_some())
            .unwrap_or(agent);
        let (plain, html_body) = if !html.trim().is_empty() {
            (strip_tags(html), html.to_owned())
        } else {
            let paras: Vec<String> = body_txt.split('\n').map(html_escape).collect();
            (
                body_txt.to_owned(),
                format!(
                    "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">{}</p></div>",
                    paras.join("<br>")
                ),
            )
        };
        comment_in = Some((plain, html_body, public, author));
    }
    if let Some(s) = tb.get("status") {
        if !matches!(
            s.as_str(),
            Some("new" | "open" | "pending" | "hold" | "solved" | "closed")
        ) {
            return record_invalid("status", "Status: is not valid", "InvalidValue");
        }
    }
    if let Some(p) = tb.get("priority") {
        if !(p.is_null() || matches!(p.as_str(), Some("low" | "normal" | "high" | "urgent"))) {
            return record_invalid("priority", "Priority: is not valid", "InvalidValue");
        }
    }
    if let Some(a) = tb.get("assignee_id") {
        if !(a.is_null() || a.as_u64().is_some_and(|id| state.world.user(id).is_some())) {
            return record_invalid("assignee_id", "Assignee: is invalid", "InvalidValue");
        }
    }
    for k in ["tags", "additional_tags", "remove_tags"] {
        if let Some(v) = tb.get(k) {
            if string_list(v).is_none() {
                return record_invalid(k, "Tags: must be an array of strings", "InvalidValue");
            }
        }
    }

    let updated_at = bump(state, t);
    let audit_id = state.next_id();
    let mut events = Vec::new();
    {
        let Some(ticket) = state.world.ticket_mut(t).and_then(Value::as_object_mut) else {
            return not_found();
        };
        for k in [
            "subject",
            "status",
            "priority",
            "type",
            "assignee_id",
            "group_id",
            "external_id",
            "due_at",
        ] {
            if let Some(v) = tb.get(k) {
                let prev = ticket.get(k).cloned().unwrap_or(Value::Null);
                if &prev != v {
                    events.push(json!({"type": "Change", "field_name": k, "value": v, "previous_value": prev}));
                    ticket.insert(k.into(), v.clone());
                }
            }
        }
        let mut tags: Vec<String> = ticket.get("tags").and_then(string_list).unwrap_or_default();
        let before = tags.clone();
        if let Some(v) = tb.get("tags").and_then(string_list) {
            tags = v;
        }
        for add in tb
            .get("additional_tags")
            .and_then(string_list)
            .unwrap_or_default()
        {
            if !tags.contains(&add) {
                tags.push(add);
            }
        }
        let remove = tb
            .get("remove_tags")
            .and_then(string_list)
            .unwrap_or_default();
        tags.retain(|x| !remove.contains(x));
        if tags != before {
            events.push(json!({"type": "Change", "field_name": "tags", "value": tags, "previous_value": before}));
            ticket.insert("tags".into(), json!(tags));
        }
        if let Some(cf) = tb.get("custom_fields").and_then(Value::as_array) {
            let mut fields = ticket
                .get("custom_fields")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for f in cf {
                let Some(fid) = f.get("id").and_then(Value::as_u64) else {
                    continue;
                };
                let val = f.get("value").cloned().unwrap_or(Value::Null);
                match fields
                    .iter_mut()
                    .find(|x| x.get("id").and_then(Value::as_u64) == Some(fid))
                {
                    Some(x) => x["value"] = val,
                    None => fields.push(json!({"id": fid, "value": val})),
                }
            }
            ticket.insert("fields".into(), json!(fields.clone()));
            ticket.insert("custom_fields".into(), json!(fields));
        }
    }
    if let Some((plain, html_body, public, author)) = comment_in {
        let id = state.next_id();
        let comment = json!({
            "id": id,
            "type": "Comment",
            "author_id": author,
            "body": plain,
            "html_body": html_body,
            "plain_body": plain,
            "public": public,
            "attachments": [],
            "audit_id": audit_id,
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
            "created_at": updated_at,
            "metadata": {"system": {"client": "zhost", "ip_address": "127.0.0.1", "location": "Local host"}, "custom": {}},
        });
        events.insert(
            0,
            json!({"id": id, "type": "Comment", "author_id": author, "body": comment["body"],
                   "html_body": comment["html_body"], "plain_body": comment["plain_body"],
                   "public": public, "attachments": [], "audit_id": audit_id}),
        );
        state.world.push_comment(t, comment);
    }
    let ticket = state.world.ticket(t).cloned().unwrap_or(Value::Null);
    Resp::json(
        200,
        &json!({
            "ticket": ticket,
            "audit": {
                "id": audit_id, "ticket_id": t, "created_at": updated_at, "author_id": agent,
                "metadata": {"system": {}, "custom": {}},
                "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
                "events": events,
            }
        }),
    )
}

fn list_comments(state: &State, req: &Req, t: u64) -> Resp {
    let mut comments = state.world.comments(t);
    let pairs = req.query_pairs();
    let q = |k: &str| crate::util::query_get(&pairs, k).map(str::to_owned);
    if q("sort_order").as_deref() == Some("desc") || q("sort").as_deref() == Some("-created_at") {
        comments.reverse();
    }
    let mut out = Map::new();
    if q("include").is_some_and(|i| i.split(',').any(|x| x == "users")) {
        let mut seen = Vec::new();
        let mut users = Vec::new();
        for c in &comments {
            if let Some(a) = c.get("author_id").and_then(Value::as_u64) {
                if !seen.contains(&a) {
                    seen.push(a);
                    if let Some(u) = state.world.user(a) {
                        users.push(u.clone());
                    }
                }
            }
        }
        out.insert("users".into(), Value::Array(users));
    }
    if let Some(size) = q("page[size]") {
        let size: usize = size.parse().unwrap_or(100).clamp(1, 100);
        let start = match q("page[after]") {
            Some(c) => match b64_decode(&c)
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.parse::<usize>().ok())
            {
                Some(n) => n,
                None => return bad_request("Invalid cursor"),
            },
            None => 0,
        };
        let total = comments.len();
        let page: Vec<Value> = comments.into_iter().skip(start).take(size).collect();
        let end = start + page.len();
        let has_more = end < total;
        let after = has_more.then(|| b64_encode(end.to_string().as_bytes()));
        out.insert("comments".into(), Value::Array(page));
        out.insert(
            "meta".into(),
            json!({"has_more": has_more, "after_cursor": after, "before_cursor": null}),
        );
        let base = api_base(state, req);
        let next = after.map(|a| {
            format!("{base}/tickets/{t}/comments.json?page%5Bafter%5D={a}&page%5Bsize%5D={size}")
        });
        out.insert("links".into(), json!({"prev": null, "next": next}));
    } else {
        // Offset pagination: `per_page` (at most 100, the default) and `page` from 1.
        let per_page: usize = q("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(100)
            .clamp(1, 100);
        let page: usize = q("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
        let n = comments.len();
        let start = (page - 1).saturating_mul(per_page);
        let items: Vec<Value> = comments.into_iter().skip(start).take(per_page).collect();
        let base = api_base(state, req);
        let link = |p: usize| {
            let order = q("sort_order")
                .map(|o| format!("&sort_order={o}"))
                .unwrap_or_default();
            json!(format!(
                "{base}/tickets/{t}/comments.json?page={p}&per_page={per_page}{order}"
            ))
        };
        let next = if start + items.len() < n {
            link(page + 1)
        } else {
            Value::Null
        };
        let prev = if page > 1 {
            link(page - 1)
        } else {
            Value::Null
        };
        out.insert("comments".into(), Value::Array(items));
        out.insert("next_page".into(), next);
        out.insert("previous_page".into(), prev);
        out.insert("count".into(), json!(n));
    }
    Resp::json(200, &Value::Object(out))
}

/// The API base of pagination links, which Zendesk makes absolute on the host that was called:
/// this host for a client calling it directly (its `Host` header), the account's
/// `https://<subdomain>.zendesk.com` for the app's calls through the ZAF proxy.
fn api_base(state: &State, req: &Req) -> String {
    match req.header("host") {
        // A client that names the account's own host (a proxy in front, a test adapter) gets
        // https, as from Zendesk; any other host (this one, 127.0.0.1:<port>) plain http.
        Some(host) if host.ends_with(".zendesk.com") => format!("https://{host}/api/v2"),
        Some(host) => format!("http://{host}/api/v2"),
        None => format!("https://{}.zendesk.com/api/v2", state.world.subdomain()),
    }
}

fn tags(state: &mut State, req: &Req, t: u64) -> Resp {
    let current: Vec<String> = state
        .world
        .ticket(t)
        .and_then(|x| x.get("tags"))
        .and_then(string_list)
        .unwrap_or_default();
    if req.method == "GET" {
        return Resp::json(200, &json!({"tags": current}));
    }
    let body = if req.body.is_empty() && req.method == "DELETE" {
        let q = req.query_param("tags").unwrap_or_default();
        json!({"tags": q})
    } else {
        match json_body(req) {
            Ok(b) => b,
            Err(r) => return r,
        }
    };
    let Some(list) = body.get("tags").and_then(string_list) else {
        return bad_request("Missing or invalid \"tags\" parameter");
    };
    if let Err(r) = safe_update_check(state, t, &body) {
        return r;
    }
    let mut tags = current.clone();
    match req.method.as_str() {
        "PUT" => {
            for x in list {
                if !x.is_empty() && !tags.contains(&x) {
                    tags.push(x);
                }
            }
        }
        "POST" => tags = list.into_iter().filter(|x| !x.is_empty()).collect(),
        _ => tags.retain(|x| !list.contains(x)),
    }
    if tags != current {
        bump(state, t);
        if let Some(tk) = state.world.ticket_mut(t) {
            tk["tags"] = json!(tags);
        }
    }
    match req.method.as_str() {
        "PUT" => Resp::json(200, &json!({"tags": tags})),
        "POST" => Resp::json(201, &json!({"tags": tags})),
        _ => Resp::empty(204),
    }
}

fn search_users(state: &State, req: &Req) -> Resp {
    let query = req.query_param("query").unwrap_or_default();
    let external = req.query_param("external_id");
    let q = query.trim().to_ascii_lowercase();
    let q = q
        .strip_prefix("email:")
        .unwrap_or(&q)
        .trim_matches('"')
        .to_owned();
    let users: Vec<Value> = state
        .world
        .array("/zendesk/users")
        .iter()
        .filter(|u| {
            if let Some(ext) = &external {
                return u.get("external_id").and_then(Value::as_str) == Some(ext.as_str());
            }
            if q.is_empty() {
                return false;
            }
            let f = |k: &str| {
                u.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .unwrap_or_default()
            };
            if q.contains('@') {
                f("email") == q
            } else {
                f("name").contains(&q) || f("email").contains(&q)
            }
        })
        .cloned()
        .collect();
    let n = users.len();
    Resp::json(
        200,
        &json!({"users": users, "next_page": null, "previous_page": null, "count": n}),
    )
}
