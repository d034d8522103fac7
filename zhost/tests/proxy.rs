//! ZAF request proxy: secure-setting substitution, whitelist, request log.

mod common;

use common::{start, CHANNEL, TOKEN};
use serde_json::{json, Value};

fn post_opts(secure: bool, text: &str) -> Value {
    json!({
        "url": "https://slack.com/api/chat.postMessage",
        "type": "POST",
        "contentType": "application/json; charset=utf-8",
        "headers": {"Authorization": "Bearer {{setting.slack_bot_token}}"},
        "secure": secure,
        "data": json!({"channel": CHANNEL, "text": text}).to_string(),
    })
}

#[test]
fn secure_request_gets_the_token_substituted() {
    let h = start();
    let r = h.proxy(post_opts(true, "hello"));
    assert_eq!(r["status"], 200);
    assert_eq!(r["statusText"], "OK");
    assert_eq!(
        r["headers"]["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["ok"], true, "{body}");
    assert!(!r.to_string().contains(TOKEN));
}

#[test]
fn insecure_request_keeps_the_placeholder() {
    let h = start();
    let r = h.proxy(post_opts(false, "hello"));
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_auth");
}

#[test]
fn token_is_only_substituted_in_its_scopes() {
    let h = start();
    // slack_bot_token has scopes ["header"]: a placeholder in the body stays literal.
    let r = h.proxy(post_opts(true, "leak {{setting.slack_bot_token}}"));
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["message"]["text"], "leak {{setting.slack_bot_token}}");
    // A non-secure setting's placeholder is not substituted, even in a secure request: Slack
    // gets the placeholder as the channel.
    let r = h.proxy(json!({
        "url": "https://slack.com/api/conversations.info?channel={{setting.slack_channel_id}}",
        "headers": {"Authorization": "Bearer {{setting.slack_bot_token}}"},
        "secure": true,
    }));
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"], "channel_not_found", "{body}");
    let log = h.get("/_emulator/requests").json();
    assert!(
        log.to_string()
            .contains("channel={{setting.slack_channel_id}}"),
        "{log}"
    );
}

#[test]
fn non_whitelisted_hosts_are_refused_and_get_no_secrets() {
    let h = start();
    for url in [
        "https://evil.example/steal",
        "https://slack.com.evil.example/api/auth.test",
        "https://notslack.com/api/auth.test",
    ] {
        let r = h.proxy(json!({
            "url": url, "secure": true,
            "headers": {"Authorization": "Bearer {{setting.slack_bot_token}}"},
        }));
        assert_eq!(r["status"], 403, "{url}");
        let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["error"], format!("{url} is not a proxyable URI"));
        assert!(!r.to_string().contains(TOKEN));
    }
    let log = h.get("/_emulator/requests").json();
    assert!(!log.to_string().contains(TOKEN));
}

#[test]
fn zendesk_requests_run_as_the_agent_and_are_logged() {
    let h = start();
    h.req("DELETE", "/_emulator/requests", &[], "");
    let r = h.proxy(json!({"url": "/api/v2/users/me.json"}));
    assert_eq!(r["status"], 200);
    let me: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(me["user"]["id"], 100);
    let r = h.proxy(json!({
        "url": "/api/v2/tickets/201.json", "type": "PUT", "contentType": "application/json",
        "data": json!({"ticket": {"comment": {"public": false}}}).to_string(),
    }));
    assert_eq!(r["status"], 422);
    let r = h.proxy(json!({"url": "https://slack.com/api/auth.test", "type": "POST",
                           "headers": {"Authorization": "Bearer {{setting.slack_bot_token}}"}, "secure": true}));
    assert_eq!(r["status"], 200);
    let log = h.get("/_emulator/requests").json();
    let reqs = log["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[0],
        json!({"method": "GET", "url": "/api/v2/users/me.json", "ticket": 201, "agent": 100, "status": 200})
    );
    assert_eq!(reqs[1]["method"], "PUT");
    assert_eq!(reqs[1]["status"], 422);
    assert_eq!(reqs[2]["url"], "https://slack.com/api/auth.test");
    h.req("DELETE", "/_emulator/requests", &[], "");
    assert_eq!(h.get("/_emulator/requests").json()["requests"], json!([]));
}

#[test]
fn rate_limit_reaches_the_app_with_retry_after() {
    let h = start();
    h.req(
        "POST",
        "/_emulator/slack/fail",
        &[("Content-Type", "application/json")],
        &json!({"method": "chat.postMessage", "status": 429, "retry_after": 3}).to_string(),
    );
    let r = h.proxy(post_opts(true, "x"));
    assert_eq!(r["status"], 429);
    assert_eq!(r["headers"]["retry-after"], "3");
    assert_eq!(r["statusText"], "Too Many Requests");
}

#[test]
fn get_data_objects_become_query_strings() {
    let h = start();
    let r = h.proxy(json!({
        "url": "https://slack.com/api/users.lookupByEmail", "type": "GET",
        "headers": {"Authorization": "Bearer {{setting.slack_bot_token}}"}, "secure": true,
        "data": {"email": "maria.lopez@acme-support.example"},
    }));
    let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["user"]["id"], "U0ASE0MARIA", "{body}");
}

#[test]
fn bad_proxy_input_is_400() {
    let h = start();
    assert_eq!(
        h.req(
            "POST",
            "/_zaf/request",
            &[("Content-Type", "application/json")],
            "nope"
        )
        .status,
        400
    );
    assert_eq!(
        h.req(
            "POST",
            "/_zaf/request",
            &[("Content-Type", "application/json")],
            "{\"options\":{}}"
        )
        .status,
        400
    );
}
