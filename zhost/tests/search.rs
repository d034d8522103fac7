//! Zendesk's Search API in the emulator (docs/ZENDESK_SEARCH.md): the query terms an app uses,
//! the result shape, offset pages and the 1,000-result limit, 422 for a bad value, index lag.

mod common;

use serde_json::{json, Value};

fn ids(r: &Value) -> Vec<u64> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

/// A host on the demo world with `zendesk.<key>` set to `value`.
fn demo_with(scratch: &str, key: &str, value: Value) -> common::Host {
    let text = std::fs::read_to_string(common::repo().join("worlds/demo.json")).unwrap();
    let mut world: Value = serde_json::from_str(&text).unwrap();
    world["zendesk"][key] = value;
    let path = common::scratch(scratch).join("world.json");
    std::fs::write(&path, world.to_string()).unwrap();
    common::start_with_world(path)
}

fn search(h: &common::Host, query: &str, extra: &str) -> common::Response {
    let q: String = query
        .bytes()
        .map(|b| match b {
            b' ' => "%20".to_string(),
            b'"' => "%22".to_string(),
            b'+' => "%2B".to_string(),
            b => (b as char).to_string(),
        })
        .collect();
    h.zd(
        "GET",
        &format!("/api/v2/search.json?query={q}{extra}"),
        None,
    )
}

#[test]
fn tickets_of_an_organization_with_a_tag_newest_first() {
    let h = common::start();
    let r = search(
        &h,
        "type:ticket organization:5001",
        "&sort_by=created_at&sort_order=desc",
    );
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(ids(&body), [201, 204], "{body}");
    assert_eq!(body["results"][0]["result_type"], "ticket");
    assert_eq!(
        body["results"][0]["subject"],
        "Checkout API returning 503 for all customers"
    );
    assert_eq!(
        (&body["count"], &body["facets"], &body["next_page"]),
        (&json!(2), &Value::Null, &Value::Null)
    );
    // By name, quoted; a tag; negation; created after a date; ascending.
    let body = search(
        &h,
        "type:ticket organization:\"Globex Corporation\" tags:billing",
        "",
    )
    .json();
    assert_eq!(ids(&body), [204]);
    let body = search(&h, "type:ticket -tags:billing organization:5001", "").json();
    assert_eq!(ids(&body), [201]);
    let body = search(
        &h,
        "type:ticket created>=2026-11-26 tags:emergency",
        "&sort_by=created_at&sort_order=asc",
    )
    .json();
    assert_eq!(ids(&body), [202, 201, 203]);
    // A date is a whole day: `>` starts the next day, `<=` ends with the named one.
    let after = |q: &str| ids(&search(&h, q, "&sort_by=created_at&sort_order=asc").json());
    assert_eq!(after("created>2026-11-25"), [202, 201, 203]);
    assert_eq!(after("created<=2026-11-25"), [205, 204]);
    assert_eq!(after("created:2026-11-25"), [204]);
    // Ten characters, and still a relative time (not a date): since 12:20 on the demo clock.
    assert_eq!(after("created>100minutes"), [202, 201, 203]);
    // Repeated tags: any of them; quoted: all of them.
    let body = search(&h, "tags:billing tags:pos", "&sort_by=created_at").json();
    assert_eq!(ids(&body), [203, 204]);
    assert_eq!(ids(&search(&h, "tags:\"emergency pos\"", "").json()), [203]);
    // In-query order, a relative time, free text, other types.
    let body = search(&h, "created>30days order_by:created sort:asc reporting", "").json();
    assert_eq!(ids(&body), [205, 202]);
    // The demo's prep-note ticket of Initech.
    let body = search(&h, "type:ticket organization:5002 tags:ase_prep_note", "").json();
    assert_eq!(ids(&body), [205]);
    assert_eq!(
        ids(&search(&h, "type:user organization:5001", "").json()),
        Vec::<u64>::new()
    );
}

#[test]
fn pages_are_offsets_up_to_a_thousand_results() {
    let h = common::start();
    let body = search(
        &h,
        "type:ticket",
        "&per_page=1&page=2&sort_by=created_at&sort_order=asc",
    )
    .json();
    assert_eq!(ids(&body), [204]);
    assert_eq!(body["count"], 5);
    let next = body["next_page"].as_str().unwrap();
    assert!(
        next.starts_with("http")
            && next.contains("/api/v2/search.json?page=3&per_page=1&query=type%3Aticket"),
        "{next}"
    );
    assert!(
        next.contains("&sort_by=created_at&sort_order=asc"),
        "{next}"
    );
    assert!(body["previous_page"].as_str().unwrap().contains("page=1"));
    // Following next_page as given.
    let path = &next[next.find("/api/").unwrap()..];
    assert_eq!(ids(&h.zd("GET", path, None).json()), [202]);
    let r = search(&h, "type:ticket", "&per_page=100&page=11");
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json(),
        json!({"error": "invalid", "description": "Invalid search: Requested response size was greater than Search Response Limits"})
    );
    assert_eq!(
        search(&h, "type:ticket", "&per_page=10&page=100").status,
        200
    );
}

#[test]
fn a_bad_value_is_refused_and_the_index_lags() {
    let h = common::start();
    let r = search(&h, "type:ticket created>yesterdayish", "");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"], "invalid");
    assert!(r.json()["description"]
        .as_str()
        .unwrap()
        .contains("created"));
    assert_eq!(h.zd("GET", "/api/v2/search.json", None).status, 422);

    let h = demo_with("search-lag", "search_lag_s", json!(60));
    assert_eq!(ids(&search(&h, "tags:billing", "").json()), [204]);
    // A ticket just updated is not in the index yet.
    let update = json!({"ticket": {"additional_tags": ["ase_prep_note"]}});
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/204.json", Some(&update))
            .status,
        200
    );
    assert_eq!(
        ids(&search(&h, "tags:billing", "").json()),
        Vec::<u64>::new()
    );
}

/// The search rate limit (ZENDESK_SEARCH.md §4): every answer says what is left of the minute;
/// beyond it, a 429 with `Retry-After`.
#[test]
fn searches_beyond_the_rate_limit_are_refused_with_retry_after() {
    let h = demo_with("search-rate", "search_rate_limit", json!(2));
    let first = search(&h, "tags:billing", "");
    assert_eq!(first.status, 200);
    let header = first
        .header("zendesk-ratelimit-search-index")
        .unwrap_or_default()
        .to_string();
    assert!(
        header.starts_with("total=2; remaining=1; resets="),
        "{header}"
    );
    assert_eq!(search(&h, "tags:billing", "").status, 200);
    let refused = search(&h, "tags:billing", "");
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["error"], "APIRateLimitExceeded");
    let wait: u64 = refused
        .header("retry-after")
        .unwrap_or_default()
        .parse()
        .unwrap_or(0);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(refused
        .header("zendesk-ratelimit-search-index")
        .unwrap_or_default()
        .contains("remaining=0"));
    // The demo's limit is Zendesk's, far above what a sidebar asks for.
    let h = common::start();
    let r = search(&h, "tags:billing", "");
    assert!(r
        .header("zendesk-ratelimit-search-index")
        .unwrap_or_default()
        .starts_with("total=2500; remaining=2499;"));
}
