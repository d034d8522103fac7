//! Host pages (Zendesk side, `http://127.0.0.1:P`), the packaged app (`http://localhost:P/app/`),
//! the ZAF SDK bundle, and the data endpoints the host page's ZAF parent reads
//! (`/_zaf/data`, `/_zhost/ticket_view`).
//!
//! Page shells are static files under `web/` embedded with `include_str!`; everything dynamic is
//! escaped on the server (`html_escape`, `json_for_script`) or inserted with `textContent` by
//! the host JavaScript.

use std::path::{Component, Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::http::{Req, Resp};
use crate::state::State;
use crate::util::{html_escape, json_for_script, parse_rfc3339_ms};

const HOST_CSS: &str = include_str!("../web/host.css");
const TICKET_HTML: &str = include_str!("../web/ticket.html");
const TICKET_JS: &str = include_str!("../web/ticket.js");
const LIST_HTML: &str = include_str!("../web/list.html");
const LIST_JS: &str = include_str!("../web/list.js");

/// The Zendesk CDN SDK URL apps reference; rewritten to the local bundle.
pub const CDN_SDK: &str =
    "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js";

fn html(body: String) -> Resp {
    Resp::bytes(200, "text/html; charset=utf-8", body.into_bytes())
}

fn not_found_page(what: &str) -> Resp {
    Resp::bytes(
        404,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><meta charset=utf-8><title>Not found</title><link rel=stylesheet href=\"/_zhost/host.css\"><main class=\"notice\"><h1>Not found</h1><p>{}</p><p><a href=\"/\">All tickets</a></p></main>",
            html_escape(what)
        )
        .into_bytes(),
    )
}

/// Host pages and their static files.
pub fn route(state: &State, req: &Req, app_origin: bool) -> Resp {
    let path = req.path.as_str();
    if req.method != "GET" && req.method != "HEAD" {
        return Resp::json(
            404,
            &json!({"error": format!("no route {} {}", req.method, path)}),
        );
    }
    match path {
        "/_zhost/host.css" => return Resp::bytes(200, "text/css; charset=utf-8", HOST_CSS.into()),
        "/_zhost/ticket.js" => {
            return Resp::bytes(200, "text/javascript; charset=utf-8", TICKET_JS.into())
        }
        "/_zhost/list.js" => {
            return Resp::bytes(200, "text/javascript; charset=utf-8", LIST_JS.into())
        }
        "/favicon.ico" => return Resp::empty(204),
        _ => {}
    }
    let is_page = path == "/" || path.starts_with("/tickets/");
    if is_page && app_origin {
        // Host pages live on the Zendesk origin only; the app origin is the iframe's.
        let q = if req.query.is_empty() {
            String::new()
        } else {
            format!("?{}", req.query)
        };
        return Resp::empty(302)
            .with_header("Location", &format!("{}{path}{q}", state.host_origin()));
    }
    if path == "/" {
        return list_page(state);
    }
    if let Some(id) = path.strip_prefix("/tickets/") {
        let Ok(id) = id.trim_end_matches('/').parse::<u64>() else {
            return not_found_page(&format!("{id:?} is not a ticket id"));
        };
        return ticket_page(state, req, id);
    }
    not_found_page(&format!("nothing at {path}"))
}

fn user_name(state: &State, id: Option<u64>) -> String {
    id.and_then(|i| state.world.user(i))
        .and_then(|u| u.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("-")
        .to_owned()
}

fn list_page(state: &State) -> Resp {
    let agents = state.world.agents();
    let default_agent = agents.first().copied().unwrap_or(0);
    let mut rows = String::new();
    for t in state.world.array("/zendesk/tickets") {
        let id = t.get("id").and_then(Value::as_u64).unwrap_or(0);
        let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("-").to_owned();
        let org = t
            .get("organization_id")
            .and_then(Value::as_u64)
            .and_then(|o| state.world.organization(o))
            .and_then(|o| o.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("-");
        let tags = t
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr data-ticket=\"{id}\"><td class=\"num\">#{id}</td><td><a class=\"ticket-link\" data-ticket=\"{id}\" href=\"/tickets/{id}?agent={default_agent}\">{}</a></td><td>{}</td><td><span class=\"badge prio-{p}\">{p}</span></td><td>{}</td><td>{}</td><td class=\"tags\">{}</td></tr>\n",
            html_escape(&s("subject")),
            html_escape(org),
            html_escape(&s("status")),
            html_escape(&user_name(state, t.get("assignee_id").and_then(Value::as_u64))),
            html_escape(&tags),
            p = html_escape(&s("priority")),
        ));
    }
    let mut options = String::new();
    for a in &agents {
        options.push_str(&format!(
            "<option value=\"{a}\">{} (#{a})</option>",
            html_escape(&user_name(state, Some(*a)))
        ));
    }
    html(
        LIST_HTML
            .replace("{{subdomain}}", &html_escape(state.world.subdomain()))
            .replace("{{rows}}", &rows)
            .replace("{{agent_options}}", &options),
    )
}

fn ticket_page(state: &State, req: &Req, id: u64) -> Resp {
    if state.world.ticket(id).is_none() {
        return not_found_page(&format!("Ticket #{id} is not in the world."));
    }
    let agents = state.world.agents();
    let agent = match req.query_param("agent") {
        Some(a) => match a.parse::<u64>() {
            Ok(a) if state.world.user(a).is_some() => a,
            _ => return not_found_page(&format!("Agent {a:?} is not a user in the world.")),
        },
        None => agents.first().copied().unwrap_or(0),
    };
    let agent_list: Vec<Value> = agents
        .iter()
        .map(|a| json!({"id": a, "name": user_name(state, Some(*a))}))
        .collect();
    let channel = state
        .world
        .setting_str("slack_channel_id")
        .unwrap_or_default();
    let boot = json!({
        "ticketId": id,
        "agentId": agent,
        "agents": agent_list,
        "hostOrigin": state.host_origin(),
        "appOrigin": state.app_origin(),
        "appPath": format!("/app/{}", state.manifest.sidebar_url.trim_start_matches('/')),
        "appName": state.manifest.name,
        "channelId": channel,
        "worldNowMs": state.now_ms(),
        "clockPinned": state.world.clock_start_ms().is_some(),
        // The sandbox account when the page is one of its tickets (`?account=<subdomain>`).
        "account": req.query_param("account").filter(|a| Some(a.as_str()) == state.world.sandbox_subdomain()),
    });
    html(
        TICKET_HTML
            .replace("{{title}}", &html_escape(&format!("Ticket #{id}")))
            .replace("{{boot}}", &json_for_script(&boot)),
    )
}

// ---------------------------------------------------------------------------------------------
// The packaged app on the second origin

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" => "text/plain; charset=utf-8",
        "map" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A safe path below `root`, or `None` for `..`, absolute or hidden components.
fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    let mut out = root.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(s) => {
                let s = s.to_str()?;
                if s.starts_with('.') || s.contains('\\') {
                    return None;
                }
                out.push(s);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The clock shim: `Date.now()` / `new Date()` = world now at page load + elapsed real time.
fn clock_shim(now_ms: i64) -> String {
    format!(
        "<script>/* zhost clock shim */(function(){{var S={now_ms},R=Date,T=R.now();\
function D(){{var a=Array.prototype.slice.call(arguments);if(!new.target){{return new R(D.now()).toString();}}\
return Reflect.construct(R,a.length?a:[D.now()],new.target);}}\
D.now=function(){{return S+(R.now()-T);}};D.parse=R.parse;D.UTC=R.UTC;D.prototype=R.prototype;\
Object.setPrototypeOf(D,R);window.Date=D;}})();</script>\n"
    )
}

/// Rewrites an app HTML page: local SDK, plus the clock shim before the first script.
pub fn rewrite_app_html(text: &str, shim: Option<String>) -> String {
    let mut t = text.replace(CDN_SDK, "/zaf/zaf_sdk.js");
    if let Some(shim) = shim {
        let lower = t.to_ascii_lowercase();
        let at = lower
            .find("<script")
            .or_else(|| lower.find("</head>"))
            .or_else(|| lower.find("<body"))
            .unwrap_or(0);
        t.insert_str(at, &shim);
    }
    t
}

/// `GET http://localhost:P/app/<path>`: the package's files, and whether the caller may cache
/// their coding; the caller codes them for the request's `Accept-Encoding` ([`Resp::encoded`])
/// once the state lock is released.
pub fn app_asset(state: &State, req: &Req) -> (Resp, bool) {
    let host = req.header("host").unwrap_or("");
    if !host
        .split(':')
        .next()
        .unwrap_or("")
        .eq_ignore_ascii_case("localhost")
    {
        let text = format!(
            "the app is served only from its own origin {} (like Zendesk's cross-origin app iframe)",
            state.app_origin()
        );
        return (Resp::text(404, &text), false);
    }
    let rel = req.path.trim_start_matches("/app/");
    let Some(file) = safe_join(&state.app_dir, rel) else {
        return (Resp::text(404, "not found"), false);
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return (Resp::text(404, &format!("not found: /app/{rel}")), false);
    };
    let ct = content_type(&file);
    if ct.starts_with("text/html") {
        let text = String::from_utf8_lossy(&bytes);
        let shim = state
            .world
            .clock_start_ms()
            .map(|_| clock_shim(state.now_ms()));
        // Rewritten per request (the shim carries the world clock), so coded but not cached.
        return (
            Resp::bytes(200, ct, rewrite_app_html(&text, shim).into_bytes()),
            false,
        );
    }
    // Zendesk's CDN serves app assets content-coded; so does zhost, compressing each file once.
    (Resp::bytes(200, ct, bytes), true)
}

/// `GET /zaf/zaf_sdk.js`.
pub fn sdk(state: &State) -> Resp {
    match std::fs::read(&state.sdk_path) {
        Ok(b) => Resp::bytes(200, "text/javascript; charset=utf-8", b)
            .with_header("Access-Control-Allow-Origin", "*"),
        Err(e) => Resp::text(
            404,
            &format!(
                "ZAF SDK bundle {} not readable: {e}",
                state.sdk_path.display()
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// ZAF data

/// Standard (November) UTC offsets in minutes for common IANA zones.
fn tz_offset_minutes(iana: &str) -> i64 {
    match iana {
        "Europe/Madrid" | "Europe/Paris" | "Europe/Berlin" | "Europe/Amsterdam" | "Europe/Rome" => {
            60
        }
        "Europe/London" | "Europe/Dublin" | "Europe/Lisbon" | "UTC" | "Etc/UTC" => 0,
        "Asia/Tokyo" | "Asia/Seoul" => 540,
        "Asia/Kolkata" => 330,
        "Asia/Singapore" | "Asia/Shanghai" => 480,
        "Australia/Sydney" => 660,
        "America/New_York" | "America/Toronto" => -300,
        "America/Chicago" => -360,
        "America/Denver" => -420,
        "America/Los_Angeles" => -480,
        "America/Sao_Paulo" => -180,
        _ => 0,
    }
}

fn time_zone(name: Option<&str>, iana: Option<&str>) -> Value {
    let iana = iana.unwrap_or("UTC");
    let off = tz_offset_minutes(iana);
    let sign = if off < 0 { '-' } else { '+' };
    json!({
        "name": name.unwrap_or(iana),
        "translatedName": name.unwrap_or(iana),
        "ianaName": iana,
        "offset": off,
        "formattedOffset": format!("GMT{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60),
    })
}

fn org_zaf(state: &State, o: &Value) -> Value {
    let group = o
        .get("group_id")
        .and_then(Value::as_u64)
        .and_then(|g| state.world.group(g))
        .map(|g| json!({"id": g["id"], "name": g["name"]}))
        .unwrap_or(Value::Null);
    let domains = o
        .get("domain_names")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    json!({
        "id": o["id"],
        "name": o["name"],
        "externalId": o.get("external_id").cloned().unwrap_or(Value::Null),
        "details": o.get("details").cloned().unwrap_or(json!("")),
        "notes": o.get("notes").cloned().unwrap_or(json!("")),
        "domains": domains,
        "tags": o.get("tags").cloned().unwrap_or(json!([])),
        "group": group,
        "sharedTickets": o.get("shared_tickets").cloned().unwrap_or(json!(false)),
        "sharedComments": o.get("shared_comments").cloned().unwrap_or(json!(false)),
    })
}

fn user_zaf(state: &State, u: &Value) -> Value {
    let s = |k: &str| u.get(k).cloned().unwrap_or(Value::Null);
    let orgs: Vec<Value> = u
        .get("organization_id")
        .and_then(Value::as_u64)
        .and_then(|o| state.world.organization(o))
        .map(|o| vec![org_zaf(state, o)])
        .unwrap_or_default();
    let groups: Vec<Value> = u
        .get("default_group_id")
        .and_then(Value::as_u64)
        .and_then(|g| state.world.group(g))
        .map(|g| vec![json!({"id": g["id"], "name": g["name"]})])
        .unwrap_or_default();
    json!({
        "id": s("id"),
        "name": s("name"),
        "email": s("email"),
        "role": s("role"),
        "locale": u.get("locale").cloned().unwrap_or(json!("en-US")),
        "alias": u.get("alias").cloned().unwrap_or(json!("")),
        "avatarUrl": u.pointer("/photo/content_url").cloned().unwrap_or(Value::Null),
        "details": u.get("details").cloned().unwrap_or(json!("")),
        "notes": u.get("notes").cloned().unwrap_or(json!("")),
        "signature": u.get("signature").cloned().unwrap_or(json!("")),
        "externalId": s("external_id"),
        "tags": u.get("tags").cloned().unwrap_or(json!([])),
        "groups": groups,
        "organizations": orgs,
        "identities": [],
        "timeZone": time_zone(
            u.get("time_zone").and_then(Value::as_str),
            u.get("iana_time_zone").and_then(Value::as_str),
        ),
    })
}

fn iso_ms(v: Option<&Value>) -> Value {
    // ZAF returns ISO 8601 with milliseconds, as JavaScript's Date#toISOString does.
    match v.and_then(Value::as_str).and_then(parse_rfc3339_ms) {
        Some(ms) => {
            let base = crate::util::format_rfc3339(ms);
            json!(format!(
                "{}.{:03}Z",
                base.trim_end_matches('Z'),
                ms.rem_euclid(1000)
            ))
        }
        None => Value::Null,
    }
}

/// All ZAF paths for one ticket and agent, plus context and metadata.
fn zaf_bundle(state: &State, ticket_id: u64, agent: u64, with_comments: bool) -> Option<Value> {
    let t = state.world.ticket(ticket_id)?;
    let me = state.world.user(agent)?;
    let user = |k: &str| {
        t.get(k)
            .and_then(Value::as_u64)
            .and_then(|i| state.world.user(i))
            .map(|u| user_zaf(state, u))
            .unwrap_or(Value::Null)
    };
    let org_raw = t
        .get("organization_id")
        .and_then(Value::as_u64)
        .and_then(|o| state.world.organization(o));
    let org = org_raw.map(|o| org_zaf(state, o)).unwrap_or(Value::Null);
    let group = t
        .get("group_id")
        .and_then(Value::as_u64)
        .and_then(|g| state.world.group(g))
        .map(|g| json!({"id": g["id"], "name": g["name"]}))
        .unwrap_or(Value::Null);
    let assignee = json!({"user": user("assignee_id"), "group": group});
    let comments = state.world.comments(ticket_id);
    let description = comments
        .first()
        .and_then(|c| c.get("plain_body").or_else(|| c.get("body")))
        .cloned()
        .or_else(|| t.get("description").cloned())
        .unwrap_or(json!(""));
    // `ticket.comments` only when asked for: a ticket of thousands of comments would otherwise be
    // re-sent on every ZAF call (the host stays fast on big tickets, so timings measure the app).
    let zaf_comments: Vec<Value> = comments
        .iter()
        .filter(|_| with_comments)
        .map(|c| {
            json!({
                "id": c["id"],
                "value": c.get("html_body").cloned().unwrap_or(Value::Null),
                "author": c.get("author_id").and_then(Value::as_u64).and_then(|a| state.world.user(a)).map(|u| user_zaf(state, u)).unwrap_or(Value::Null),
                "via": c.get("via").cloned().unwrap_or(Value::Null),
                "imageAttachments": [],
                "nonImageAttachments": [],
            })
        })
        .collect();
    let form = json!({"id": t.get("ticket_form_id").cloned().unwrap_or(Value::Null)});
    let ticket = json!({
        "id": t["id"],
        "subject": t["subject"],
        "description": description,
        "status": t["status"],
        "priority": t.get("priority").cloned().unwrap_or(Value::Null),
        "type": t.get("type").cloned().unwrap_or(Value::Null),
        "tags": t.get("tags").cloned().unwrap_or(json!([])),
        "form": form,
        "requester": user("requester_id"),
        "assignee": assignee,
        "organization": org,
        "collaborators": [],
        "createdAt": iso_ms(t.get("created_at")),
        "updatedAt": iso_ms(t.get("updated_at")),
        "externalId": t.get("external_id").cloned().unwrap_or(Value::Null),
        "isNew": false,
        "brand": {"id": t.get("brand_id").cloned().unwrap_or(Value::Null)},
        "via": {"channel": t.pointer("/via/channel").cloned().unwrap_or(Value::Null)},
        "recipient": t.get("recipient").cloned().unwrap_or(Value::Null),
    });
    let mut data = Map::new();
    for k in [
        "id",
        "subject",
        "description",
        "status",
        "priority",
        "type",
        "tags",
        "form",
        "requester",
        "assignee",
        "organization",
        "collaborators",
        "createdAt",
        "updatedAt",
        "externalId",
        "isNew",
        "brand",
        "via",
        "recipient",
    ] {
        data.insert(format!("ticket.{k}"), ticket[k].clone());
    }
    if with_comments {
        data.insert("ticket.comments".into(), json!(zaf_comments));
    }
    data.insert("ticket.form.id".into(), form["id"].clone());
    data.insert(
        "ticket.assignee.user".into(),
        ticket["assignee"]["user"].clone(),
    );
    data.insert(
        "ticket.assignee.group".into(),
        ticket["assignee"]["group"].clone(),
    );
    for f in t
        .get("custom_fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = f.get("id").and_then(Value::as_u64) {
            data.insert(
                format!("ticket.customField:custom_field_{id}"),
                f.get("value").cloned().unwrap_or(Value::Null),
            );
        }
    }
    if let Some(fields) = org_raw
        .and_then(|o| o.get("organization_fields"))
        .and_then(Value::as_object)
    {
        for (k, v) in fields {
            data.insert(format!("ticket.organization.customField:{k}"), v.clone());
        }
    }
    data.insert("ticket".into(), ticket);
    data.insert("currentUser".into(), user_zaf(state, me));
    let sub = state.world.subdomain();
    data.insert(
        "currentAccount".into(),
        json!({"subdomain": sub, "planName": "Enterprise", "timeZone": time_zone(Some("UTC"), Some("UTC")), "daysLeftInTrial": null}),
    );
    data.insert("currentAccount.subdomain".into(), json!(sub));
    Some(json!({
        "context": {
            "product": "support",
            "account": {"subdomain": sub},
            "location": "ticket_sidebar",
            "ticketId": ticket_id,
        },
        "metadata": {
            "appId": 0,
            "installationId": 1,
            "name": state.manifest.name,
            "version": state.manifest.version,
            "plan": {"name": null},
            "settings": state.public_settings(),
        },
        "data": data,
    }))
}

fn ids(req: &Req) -> Option<(u64, u64)> {
    let t = req.query_param("ticket")?.parse().ok()?;
    let a = req.query_param("agent")?.parse().ok()?;
    Some((t, a))
}

/// `GET /_zaf/data?ticket=&agent=` → `{context, metadata, data:{path: value}}`.
pub fn zaf_data(state: &State, req: &Req) -> Resp {
    let Some((t, a)) = ids(req) else {
        return Resp::json(
            400,
            &json!({"error": "ticket and agent query parameters (ids) are required"}),
        );
    };
    let with_comments = req.query_param("comments").as_deref() == Some("1");
    match zaf_bundle(state, t, a, with_comments) {
        Some(v) => Resp::json(200, &v),
        None => Resp::json(
            404,
            &json!({"error": format!("no ticket {t} or no user {a} in the world")}),
        ),
    }
}

/// `GET /_zhost/ticket_view?ticket=&agent=` → what the host page renders (REST shapes).
pub fn ticket_view(state: &State, req: &Req) -> Resp {
    let Some((t, a)) = ids(req) else {
        return Resp::json(
            400,
            &json!({"error": "ticket and agent query parameters (ids) are required"}),
        );
    };
    let Some(ticket) = state.world.ticket(t) else {
        return Resp::json(404, &json!({"error": format!("no ticket {t}")}));
    };
    let comments = state.world.comments(t);
    // What changes when the page must redraw; `since` equal to it → a small "unchanged" answer
    // instead of the whole ticket every second.
    let version = format!(
        "{}|{}|{}|{}",
        ticket
            .get("updated_at")
            .and_then(Value::as_str)
            .unwrap_or(""),
        comments.len(),
        comments
            .last()
            .and_then(|c| c.get("id"))
            .and_then(Value::as_u64)
            .unwrap_or(0),
        ticket
            .to_string()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b))
                .wrapping_mul(0x100_0000_01b3)),
    );
    if req.query_param("since").as_deref() == Some(version.as_str()) {
        return Resp::json(
            200,
            &json!({"unchanged": true, "version": version, "now_ms": state.now_ms()}),
        );
    }
    let mut users = Map::new();
    let mut add_user = |id: Option<u64>| {
        if let Some(u) = id.and_then(|i| state.world.user(i)) {
            let view = json!({"id": u["id"], "name": u["name"], "email": u.get("email"), "role": u.get("role")});
            users.insert(u["id"].to_string(), view);
        }
    };
    add_user(Some(a));
    add_user(ticket.get("requester_id").and_then(Value::as_u64));
    add_user(ticket.get("assignee_id").and_then(Value::as_u64));
    for c in &comments {
        add_user(c.get("author_id").and_then(Value::as_u64));
    }
    let org = ticket
        .get("organization_id")
        .and_then(Value::as_u64)
        .and_then(|o| state.world.organization(o))
        .map(|o| json!({"id": o["id"], "name": o["name"]}))
        .unwrap_or(Value::Null);
    let group = ticket
        .get("group_id")
        .and_then(Value::as_u64)
        .and_then(|g| state.world.group(g))
        .map(|g| json!({"id": g["id"], "name": g["name"]}))
        .unwrap_or(Value::Null);
    Resp::json(
        200,
        &json!({
            "ticket": ticket, "comments": comments, "users": users, "version": version,
            "organization": org, "group": group, "now_ms": state.now_ms(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_injects_shim_and_sdk() {
        let page = format!("<html><head><script src=\"{CDN_SDK}\"></script></head></html>");
        let out = rewrite_app_html(&page, Some(clock_shim(5)));
        assert!(out.contains("src=\"/zaf/zaf_sdk.js\""));
        let shim = out.find("zhost clock shim").unwrap();
        let sdk = out.find("/zaf/zaf_sdk.js").unwrap();
        assert!(shim < sdk);
    }

    #[test]
    fn safe_join_rejects_escape() {
        let root = Path::new("/r");
        assert!(safe_join(root, "assets/../../etc/passwd").is_none());
        assert!(safe_join(root, "/etc/passwd").is_none());
        assert!(safe_join(root, "assets/.hidden").is_none());
        assert_eq!(
            safe_join(root, "assets/a.js"),
            Some(PathBuf::from("/r/assets/a.js"))
        );
    }
}
