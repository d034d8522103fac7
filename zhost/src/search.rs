//! Zendesk's Search API for tickets: `GET /api/v2/search?query=…` (docs/ZENDESK_SEARCH.md).
//!
//! The query language, for the parts an app searching tickets uses: words separated by spaces
//! (AND); `type:ticket` (other types have no results here: the world holds tickets only);
//! `organization:<id>`, `organization:"<name>"`, `organization:none`; `tags:<tag>` (or
//! `tag:`; repeated: any of them; `tags:"a b"`: both); `status:<s>` (also `<`, `>`, `<=`,
//! `>=` along new → open → pending → hold → solved → closed); `created` and `updated` with
//! `:`, `<`, `>`, `<=`, `>=` and a date (`2026-11-01`), a time (`2026-11-01T10:00:00Z`,
//! `+` as `%2B`) or a relative time (`4hours`, `30days`, `2weeks`, `1month`, `1year`; `minute`
//! too); `order_by:<field> sort:<asc|desc>`; a leading `-` negates a term; any other word
//! matches the subject or description (case-insensitive). A bad date is 422 `invalid`, as
//! Zendesk answers.
//!
//! Results: ticket objects with `result_type: "ticket"`, `facets: null`, `count` (every match,
//! not capped), offset pages (`per_page` ≤ 100, default 100, `page` from 1) with absolute
//! `next_page`/`previous_page`. Like Zendesk, at most 1,000 results: a page reaching past them
//! is 422 "Requested response size was greater than Search Response Limits". `sort_by`
//! (`created_at`, `updated_at`, `priority`, `status`, `ticket_type`) and `sort_order` (`desc`
//! by default); without either, Zendesk orders by relevance, which zhost reads as most recently
//! updated first. Zendesk's index lags ("up to a few minutes"): a world's
//! `zendesk.search_lag_s` hides tickets created or updated less than that many seconds ago.
//! Search has its own rate limit, 2,500 requests a minute (`zendesk.search_rate_limit` sets
//! another): every answer says what is left in `Zendesk-RateLimit-search-index`, and a request
//! beyond it is a 429 with `Retry-After`.
use serde_json::{json, Map, Value};

use crate::http::{Req, Resp};
use crate::state::State;
use crate::util::{parse_rfc3339_ms, query_get};

/// The most results one query reaches (`page × per_page`).
const MAX_RESULTS: usize = 1_000;

fn invalid(description: &str) -> Resp {
    Resp::json(
        422,
        &json!({"error": "invalid", "description": format!("Invalid search: {description}")}),
    )
}

/// One term of the query.
enum Term {
    Type(String),
    Organization(String),
    /// All of these tags (a quoted `tags:"a b"`); several `Tags` terms: any of them.
    Tags(Vec<String>),
    Status(Cmp, usize),
    Time {
        field: &'static str,
        cmp: Cmp,
        at_ms: i64,
    },
    Text(String),
}

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Cmp {
    fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Lt => a < b,
            Cmp::Gt => a > b,
            Cmp::Le => a <= b,
            Cmp::Ge => a >= b,
        }
    }
}

const STATUSES: [&str; 6] = ["new", "open", "pending", "hold", "solved", "closed"];

/// Splits the query into words, keeping `"quoted parts"` whole (quotes removed).
fn words(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `keyword` and the rest of a word after its operator.
fn split_keyword(word: &str) -> Option<(&str, Cmp, &str)> {
    let at = word.find([':', '<', '>'])?;
    let (keyword, rest) = word.split_at(at);
    let (cmp, value) = if let Some(v) = rest.strip_prefix(">=") {
        (Cmp::Ge, v)
    } else if let Some(v) = rest.strip_prefix("<=") {
        (Cmp::Le, v)
    } else if let Some(v) = rest.strip_prefix('>') {
        (Cmp::Gt, v)
    } else if let Some(v) = rest.strip_prefix('<') {
        (Cmp::Lt, v)
    } else {
        (Cmp::Eq, &rest[1..])
    };
    Some((keyword, cmp, value))
}

/// A date, a time or a relative time (before `now_ms`) as milliseconds.
/// A date-only value (`2026-11-01`): its midnight, UTC.
fn date_value(value: &str) -> Option<i64> {
    (value.len() == 10)
        .then(|| parse_rfc3339_ms(&format!("{value}T00:00:00Z")))
        .flatten()
}

fn time_value(value: &str, now_ms: i64) -> Option<i64> {
    if let Some(ms) = parse_rfc3339_ms(value) {
        return Some(ms);
    }
    if let Some(ms) = date_value(value) {
        return Some(ms);
    }
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let n: i64 = value[..digits].parse().ok().filter(|n| *n < 1_000_000)?;
    let unit = value[digits..].trim_end_matches('s');
    let minutes = match unit {
        "minute" => 1,
        "hour" => 60,
        "day" => 1_440,
        "week" => 10_080,
        "month" => 43_200,
        "year" => 525_600,
        _ => return None,
    };
    Some(now_ms - n * minutes * 60_000)
}

/// A parsed query: its terms (each negated or not) and its in-query order (`order_by`, `sort`).
struct Query {
    terms: Vec<(bool, Term)>,
    order: Option<(String, String)>,
}

/// Parses the query's terms, or answers 422 naming the bad value.
fn parse(query: &str, now_ms: i64) -> Result<Query, Resp> {
    let mut terms = Vec::new();
    let (mut order_by, mut sort) = (None, None);
    for word in words(query) {
        let (negated, word) = match word.strip_prefix('-') {
            Some(w) if !w.is_empty() => (true, w.to_string()),
            _ => (false, word),
        };
        let Some((keyword, cmp, value)) = split_keyword(&word) else {
            terms.push((negated, Term::Text(word.to_lowercase())));
            continue;
        };
        let term = match keyword.to_ascii_lowercase().as_str() {
            "type" => Term::Type(value.to_ascii_lowercase()),
            "organization" => Term::Organization(value.to_string()),
            "tags" | "tag" => Term::Tags(value.split_whitespace().map(str::to_lowercase).collect()),
            "status" => match STATUSES.iter().position(|s| s.eq_ignore_ascii_case(value)) {
                Some(i) => Term::Status(cmp, i),
                None => return Err(invalid(&format!("Illegal value '{value}' for \"status\""))),
            },
            field @ ("created" | "updated") => match time_value(value, now_ms) {
                // A date is a whole day: `>` starts the next day, `<=` ends with this one.
                Some(at_ms) if date_value(value).is_some() && matches!(cmp, Cmp::Gt | Cmp::Le) => {
                    Term::Time {
                        field: if field == "created" {
                            "created_at"
                        } else {
                            "updated_at"
                        },
                        cmp: if matches!(cmp, Cmp::Gt) {
                            Cmp::Ge
                        } else {
                            Cmp::Lt
                        },
                        at_ms: at_ms + 86_400_000,
                    }
                }
                Some(at_ms) => Term::Time {
                    field: if field == "created" {
                        "created_at"
                    } else {
                        "updated_at"
                    },
                    cmp,
                    at_ms,
                },
                None => return Err(invalid(&format!("Illegal value '{value}' for \"{field}\""))),
            },
            "order_by" => {
                order_by = Some(value.to_string());
                continue;
            }
            "sort" => {
                sort = Some(value.to_string());
                continue;
            }
            _ => Term::Text(word.to_lowercase()),
        };
        terms.push((negated, term));
    }
    let order = match (order_by, sort) {
        (None, None) => None,
        (by, sort) => Some((
            by.unwrap_or_else(|| "updated_at".into()),
            sort.unwrap_or_else(|| "desc".into()),
        )),
    };
    Ok(Query { terms, order })
}

fn matches(state: &State, ticket: &Value, term: &Term) -> bool {
    let s = |k: &str| ticket.get(k).and_then(Value::as_str).unwrap_or_default();
    match term {
        Term::Type(t) => t == "ticket",
        Term::Organization(o) => {
            let org = ticket.get("organization_id").and_then(Value::as_u64);
            match (o.as_str(), org) {
                ("none", None) => true,
                (_, None) => false,
                (o, Some(id)) => {
                    o == id.to_string()
                        || state
                            .world
                            .organization(id)
                            .and_then(|x| x.get("name"))
                            .and_then(Value::as_str)
                            .is_some_and(|name| name.eq_ignore_ascii_case(o))
                }
            }
        }
        Term::Tags(all) => {
            let tags: Vec<String> = ticket
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_lowercase)
                        .collect()
                })
                .unwrap_or_default();
            all.iter().all(|t| tags.contains(t))
        }
        Term::Status(cmp, want) => STATUSES
            .iter()
            .position(|x| *x == s("status"))
            .is_some_and(|have| cmp.holds(have as i64, *want as i64)),
        Term::Time { field, cmp, at_ms } => parse_rfc3339_ms(s(field)).is_some_and(|t| match cmp {
            // `created:2026-11-01`: that day.
            Cmp::Eq => t >= *at_ms && t < at_ms + 86_400_000,
            cmp => cmp.holds(t, *at_ms),
        }),
        Term::Text(word) => [s("subject"), s("description"), s("raw_subject")]
            .iter()
            .any(|field| field.to_lowercase().contains(word.as_str())),
    }
}

/// Search requests an account may make per minute (ZENDESK_SEARCH.md §4); a world lowers it
/// with `zendesk.search_rate_limit` to test the limit.
const SEARCH_RATE_LIMIT: u64 = 2_500;

/// `GET /api/v2/search` (also `.json`), within the search rate limit: every answer carries
/// `Zendesk-RateLimit-search-index: total=…; remaining=…; resets=…`, and a call beyond the
/// limit is a 429 with `Retry-After` (seconds until the oldest call of the minute leaves it).
pub fn search(state: &mut State, req: &Req, api_base: &str) -> Resp {
    let total = state
        .world
        .json()
        .pointer("/zendesk/search_rate_limit")
        .and_then(Value::as_u64)
        .unwrap_or(SEARCH_RATE_LIMIT);
    let now = crate::state::real_now_ms();
    let calls = state.calls.entry("zendesk search".to_owned()).or_default();
    while calls.front().is_some_and(|t| now - t >= 60_000) {
        calls.pop_front();
    }
    let resets_s = calls
        .front()
        .map_or(60, |oldest| (oldest + 60_000 - now + 999) / 1000)
        .max(1);
    let limited = calls.len() as u64 >= total;
    if !limited {
        calls.push_back(now);
    }
    let remaining = total.saturating_sub(calls.len() as u64);
    let header = format!("total={total}; remaining={remaining}; resets={resets_s}");
    if limited {
        return Resp::json(
            429,
            &json!({"error": "APIRateLimitExceeded", "description": "Number of allowed search requests per minute exceeded"}),
        )
        .with_header("Retry-After", &resets_s.to_string())
        .with_header("Zendesk-RateLimit-search-index", &header);
    }
    search_within_limit(state, req, api_base).with_header("Zendesk-RateLimit-search-index", &header)
}

fn search_within_limit(state: &State, req: &Req, api_base: &str) -> Resp {
    let pairs = req.query_pairs();
    let q = |k: &str| query_get(&pairs, k).map(str::to_owned);
    let Some(query) = q("query").filter(|s| !s.trim().is_empty()) else {
        return invalid("query parameter is missing");
    };
    let now = state.now_ms();
    let Query {
        terms,
        order: in_query_order,
    } = match parse(&query, now) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let per_page: usize = q("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100)
        .clamp(1, 100);
    let page: usize = q("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    if page.saturating_mul(per_page) > MAX_RESULTS {
        return invalid("Requested response size was greater than Search Response Limits");
    }
    let lag_ms = state
        .world
        .json()
        .pointer("/zendesk/search_lag_s")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        * 1000;
    let time = |t: &Value, k: &str| {
        t.get(k)
            .and_then(Value::as_str)
            .and_then(parse_rfc3339_ms)
            .unwrap_or(0)
    };
    let tag_groups = terms
        .iter()
        .filter(|(neg, t)| !neg && matches!(t, Term::Tags(_)))
        .count();
    let mut found: Vec<&Value> = state
        .world
        .array("/zendesk/tickets")
        .iter()
        .filter(|t| lag_ms == 0 || now - time(t, "updated_at").max(time(t, "created_at")) >= lag_ms)
        .filter(|t| {
            // Repeated `tags:` terms: any of them.
            let any_tags = tag_groups == 0
                || terms.iter().any(|(neg, term)| {
                    !neg && matches!(term, Term::Tags(_)) && matches(state, t, term)
                });
            any_tags
                && terms.iter().all(|(neg, term)| match (neg, term) {
                    (false, Term::Tags(_)) => true,
                    (neg, term) => matches(state, t, term) != *neg,
                })
        })
        .collect();
    let (by, order) = match (q("sort_by"), q("sort_order"), in_query_order) {
        (None, None, Some((by, order))) => (by, order),
        (by, order, _) => (
            by.unwrap_or_else(|| "updated_at".into()),
            order.unwrap_or_else(|| "desc".into()),
        ),
    };
    let key = match by.as_str() {
        "created_at" | "created" => "created_at",
        "priority" => "priority",
        "status" => "status",
        "ticket_type" => "type",
        _ => "updated_at",
    };
    found.sort_by(|a, b| {
        let (x, y) = (a.get(key), b.get(key));
        let ord = match key {
            "created_at" | "updated_at" => time(a, key).cmp(&time(b, key)),
            _ => x.map(Value::to_string).cmp(&y.map(Value::to_string)),
        };
        ord.then_with(|| {
            a.get("id")
                .and_then(Value::as_u64)
                .cmp(&b.get("id").and_then(Value::as_u64))
        })
    });
    if order != "asc" {
        found.reverse();
    }
    let count = found.len();
    let start = (page - 1) * per_page;
    let results: Vec<Value> = found
        .into_iter()
        .skip(start)
        .take(per_page)
        .map(|t| {
            let mut t = t.clone();
            if let Some(o) = t.as_object_mut() {
                o.insert("result_type".into(), json!("ticket"));
            }
            t
        })
        .collect();
    let link = |p: usize| {
        let mut url = format!(
            "{api_base}/search.json?page={p}&per_page={per_page}&query={}",
            crate::util::pct_encode(&query)
        );
        for k in ["sort_by", "sort_order"] {
            if let Some(v) = q(k) {
                url.push_str(&format!("&{k}={}", crate::util::pct_encode(&v)));
            }
        }
        json!(url)
    };
    let more = start + results.len() < count.min(MAX_RESULTS);
    let mut out = Map::new();
    out.insert("results".into(), Value::Array(results));
    out.insert("facets".into(), Value::Null);
    out.insert(
        "next_page".into(),
        if more { link(page + 1) } else { Value::Null },
    );
    out.insert(
        "previous_page".into(),
        if page > 1 {
            link(page - 1)
        } else {
            Value::Null
        },
    );
    out.insert("count".into(), json!(count));
    Resp::json(200, &Value::Object(out))
}
