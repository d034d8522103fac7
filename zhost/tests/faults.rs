//! The world fails like production (faults.rs): failures before and after the effect, latency,
//! dropped connections; Zendesk's one-second stamps; short Slack pages; Zendesk's pagination.

mod common;

use common::start;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;

fn fail(h: &common::Host, rule: Value) {
    let r = h.req(
        "POST",
        "/_emulator/fail",
        &[("Content-Type", "application/json")],
        &rule.to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn note(body: &str) -> Value {
    json!({"ticket": {"comment": {"body": body, "public": false}}})
}

fn comment_count(h: &common::Host) -> usize {
    h.zd("GET", "/api/v2/tickets/201/comments.json", None)
        .json()["comments"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_fault_after_the_effect_writes_and_then_fails() {
    let h = start();
    let before = comment_count(&h);
    fail(
        &h,
        json!({"route": "PUT /api/v2/tickets/*", "status": 500, "after": true}),
    );
    let r = h.zd("PUT", "/api/v2/tickets/201.json", Some(&note("landed")));
    assert_eq!(r.status, 500);
    assert_eq!(
        comment_count(&h),
        before + 1,
        "the note landed despite the 500"
    );
    // The rule was used up: the next write answers normally.
    let r = h.zd("PUT", "/api/v2/tickets/201.json", Some(&note("second")));
    assert_eq!(r.status, 200);
}

#[test]
fn a_fault_before_the_effect_changes_nothing() {
    let h = start();
    let before = comment_count(&h);
    fail(&h, json!({"route": "PUT /api/v2/tickets/*", "status": 409}));
    let r = h.zd("PUT", "/api/v2/tickets/201.json", Some(&note("never")));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "UpdateConflict");
    assert_eq!(comment_count(&h), before);
    fail(
        &h,
        json!({"route": "GET /api/v2/tickets/*", "status": 429, "retry_after": 9}),
    );
    let r = h.zd("GET", "/api/v2/tickets/201.json", None);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("Retry-After"), Some("9"));
}

#[test]
fn slack_posts_can_land_and_then_fail_through_the_proxy() {
    let h = start();
    let count = |h: &common::Host| {
        h.get("/_emulator/slack/channel?id=C0EMERGENCY").json()["messages"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count(&h);
    fail(
        &h,
        json!({"route": "chat.postMessage", "status": 503, "after": true}),
    );
    let v = h.proxy(json!({
        "url": "https://slack.com/api/chat.postMessage", "type": "POST", "secure": true,
        "headers": {"Authorization": "Bearer {{setting.slack_bot_token}}"},
        "contentType": "application/json; charset=utf-8",
        "data": json!({"channel": "C0EMERGENCY", "text": "hello"}).to_string(),
    }));
    assert_eq!(v["status"], 503);
    assert_eq!(
        count(&h),
        before + 1,
        "the message was posted before the 503"
    );
}

#[test]
fn latency_delays_the_answer_without_holding_the_world() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let h = start();
    fail(
        &h,
        json!({"route": "GET /api/v2/tickets/*", "delay_ms": 1500}),
    );
    let port = h.port;
    let order = Arc::new(AtomicUsize::new(0));
    let o = Arc::clone(&order);
    let slow = std::thread::spawn(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /api/v2/tickets/201.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Zhost-Agent: 100\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        (
            o.fetch_add(1, Ordering::SeqCst),
            String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"),
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    // Meanwhile other calls are answered: the delay is slept outside the state lock.
    assert_eq!(h.zd("GET", "/api/v2/users/me.json", None).status, 200);
    let quick = order.fetch_add(1, Ordering::SeqCst);
    let (slow_rank, ok) = slow.join().unwrap();
    assert!(ok, "the delayed call is still answered");
    assert_eq!((quick, slow_rank), (0, 1), "the quick call finished first");
}

#[test]
fn a_dropped_connection_is_not_http() {
    let h = start();
    let before = comment_count(&h);
    fail(
        &h,
        json!({"route": "PUT /api/v2/tickets/*", "drop": true, "after": true}),
    );
    let body = note("dropped").to_string();
    let mut s = TcpStream::connect(("127.0.0.1", h.port)).unwrap();
    let head = format!(
        "PUT /api/v2/tickets/201.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Zhost-Agent: 100\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    assert!(!String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/"));
    assert_eq!(
        comment_count(&h),
        before + 1,
        "the write happened before the drop"
    );
}

#[test]
fn two_writes_in_one_second_can_share_a_stamp() {
    let h = start();
    let a = h
        .zd("PUT", "/api/v2/tickets/201.json", Some(&note("a")))
        .json();
    let b = h
        .zd("PUT", "/api/v2/tickets/201.json", Some(&note("b")))
        .json();
    let sa = a["ticket"]["updated_at"].as_str().unwrap().to_owned();
    let sb = b["ticket"]["updated_at"].as_str().unwrap().to_owned();
    assert!(sb >= sa, "never backwards");
    let clock = h.get("/_emulator/clock").json();
    // Stamps follow the world clock (one-second precision), never ahead of it.
    assert!(sb.as_str() <= clock["now"].as_str().unwrap());
    // A safe update with a stamp of the same second passes, even though another write
    // happened in between: this is why a claim must be verified after it is written.
    if sa == sb {
        let r = h.zd(
            "PUT",
            "/api/v2/tickets/201.json",
            Some(&json!({"ticket": {"comment": {"body": "c", "public": false}, "safe_update": true, "updated_stamp": sa}})),
        );
        assert!(r.status == 200 || r.status == 409);
    }
}

#[test]
fn comments_paginate_with_absolute_links() {
    let h = start();
    for i in 0..5 {
        h.zd(
            "PUT",
            "/api/v2/tickets/201.json",
            Some(&note(&format!("n{i}"))),
        );
    }
    let total = comment_count(&h);
    let p1 = h
        .zd("GET", "/api/v2/tickets/201/comments.json?per_page=2", None)
        .json();
    assert_eq!(p1["comments"].as_array().unwrap().len(), 2);
    assert_eq!(p1["count"], total);
    // Absolute, on the host that was called (as Zendesk does), so a client follows it back here.
    let next = p1["next_page"].as_str().unwrap();
    assert_eq!(
        next,
        format!(
            "http://127.0.0.1:{}/api/v2/tickets/201/comments.json?page=2&per_page=2",
            h.port
        )
    );
    // Through the ZAF proxy (the app's relative calls), on the account's own host.
    let v = h.proxy(json!({"url": "/api/v2/tickets/201/comments.json?per_page=2", "type": "GET"}));
    let body: Value = serde_json::from_str(v["body"].as_str().unwrap()).unwrap();
    let next = body["next_page"].as_str().unwrap();
    assert!(
        next.starts_with("https://acme.zendesk.com/api/v2/tickets/201/comments.json?page=2"),
        "{next}"
    );
    // Cursor pagination's links.next is absolute too.
    let c1 = h
        .zd(
            "GET",
            "/api/v2/tickets/201/comments.json?page%5Bsize%5D=2",
            None,
        )
        .json();
    let link = c1["links"]["next"].as_str().unwrap();
    assert!(link.starts_with("http://127.0.0.1:"), "{link}");
    let path = &link[link.find("/api/v2").unwrap()..];
    let c2 = h.zd("GET", path, None).json();
    assert_eq!(c2["comments"].as_array().unwrap().len(), 2);
    assert_ne!(c1["comments"][0]["id"], c2["comments"][0]["id"]);
}

#[test]
fn a_world_can_make_slack_pages_short() {
    let mut world: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("worlds/demo.json")).unwrap(),
    )
    .unwrap();
    world["slack"]["max_page_size"] = json!(1);
    let path = common::scratch("short-pages").join("world.json");
    std::fs::write(&path, world.to_string()).unwrap();
    let h = common::start_with_world(path);
    let r = h
        .slack_get("conversations.history", "channel=C0EMERGENCY&limit=200")
        .json();
    assert_eq!(r["ok"], true);
    let n = r["messages"].as_array().unwrap().len();
    assert!(n <= 1, "{n} messages on a short page");
    if r["has_more"] == true {
        let cursor = r["response_metadata"]["next_cursor"].as_str().unwrap();
        assert!(!cursor.is_empty());
    }
}

#[test]
fn skip_lets_calls_through_first() {
    let h = start();
    let before = comment_count(&h);
    fail(
        &h,
        json!({"route": "PUT /api/v2/tickets/*", "status": 500, "skip": 1}),
    );
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/201.json", Some(&note("one")))
            .status,
        200
    );
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/201.json", Some(&note("two")))
            .status,
        500
    );
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/201.json", Some(&note("three")))
            .status,
        200
    );
    assert_eq!(comment_count(&h), before + 2);
}
