//! Slack Web API emulator: validation, errors, threads, metadata, failure injection.

mod common;

use common::{start, CHANNEL, TOKEN};
use serde_json::{json, Value};

fn is_ts(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    s.len() == 17 && s.as_bytes()[10] == b'.' && s.bytes().filter(u8::is_ascii_digit).count() == 16
}

#[test]
fn no_token_is_not_authed_and_wrong_token_is_invalid_auth() {
    let h = start();
    let r = h.req(
        "POST",
        "/slack/api/chat.postMessage",
        &[("Content-Type", "application/json; charset=utf-8")],
        &json!({"channel": CHANNEL, "text": "x"}).to_string(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"ok": false, "error": "not_authed"}));

    let r = h.req(
        "POST",
        "/slack/api/chat.postMessage",
        &[
            ("Authorization", "Bearer xoxb-wrong"),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        &json!({"channel": CHANNEL, "text": "x"}).to_string(),
    );
    assert_eq!(r.json()["error"], "invalid_auth");

    // A token inside a JSON body is not accepted (Slack requires the header for JSON).
    let r = h.req(
        "POST",
        "/slack/api/chat.postMessage",
        &[("Content-Type", "application/json; charset=utf-8")],
        &json!({"token": TOKEN, "channel": CHANNEL, "text": "x"}).to_string(),
    );
    assert_eq!(r.json()["error"], "not_authed");

    // ...but a form token is.
    let r = h.req(
        "POST",
        "/slack/api/auth.test",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("token={TOKEN}"),
    );
    assert_eq!(r.json()["ok"], true, "{}", r.body);
    assert_eq!(r.json()["bot_id"], "B0ASEAPP01");
}

#[test]
fn get_on_post_only_method_is_rejected() {
    let h = start();
    let r = h.slack_get("chat.postMessage", &format!("channel={CHANNEL}&text=hi"));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["ok"], false);
    assert_eq!(r.json()["error"], "method_not_allowed");
    // Nothing was posted.
    let hist = h
        .slack_get("conversations.history", &format!("channel={CHANNEL}"))
        .json();
    assert_eq!(hist["messages"].as_array().unwrap().len(), 1);
}

#[test]
fn unknown_method_is_404() {
    let h = start();
    let r = h.slack_get("chat.nonsense", "");
    assert_eq!(r.status, 404);
    // Slack names the method it did not know (`req_method`).
    assert_eq!(
        r.json(),
        json!({"ok": false, "error": "unknown_method", "req_method": "chat.nonsense"})
    );
}

#[test]
fn missing_or_unknown_channel_and_missing_args() {
    let h = start();
    assert_eq!(
        h.slack_json("chat.postMessage", &json!({"text": "x"}))
            .json()["error"],
        "channel_not_found"
    );
    assert_eq!(
        h.slack_json(
            "chat.postMessage",
            &json!({"channel": "C0NOSUCHCHAN", "text": "x"})
        )
        .json()["error"],
        "channel_not_found"
    );
    assert_eq!(
        h.slack_get("conversations.history", "").json()["error"],
        "channel_not_found"
    );
    let r = h.slack_get("users.info", "").json();
    assert_eq!(r["error"], "invalid_arguments");
    assert_eq!(
        r["response_metadata"]["messages"][0],
        "[ERROR] missing required field: user"
    );
    // The bot is not in #general.
    assert_eq!(
        h.slack_json(
            "chat.postMessage",
            &json!({"channel": "C0GENERAL01", "text": "x"})
        )
        .json()["error"],
        "not_in_channel"
    );
}

#[test]
fn missing_text_is_no_text() {
    let h = start();
    let r = h
        .slack_json("chat.postMessage", &json!({"channel": CHANNEL}))
        .json();
    assert_eq!(r, json!({"ok": false, "error": "no_text"}));
    let r = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "   "}),
        )
        .json();
    assert_eq!(r["error"], "no_text");
}

/// A `thread_ts` naming no message is accepted (`ok: true`) and the reply shows nowhere: not in
/// the history, and no thread to read (slackapi/python-slack-sdk#840); one that is no timestamp
/// is `invalid_thread_ts` (jenkinsci/slack-plugin#584).
#[test]
fn unknown_thread_ts_posts_an_invisible_reply() {
    let h = start();
    let history_len = || {
        h.slack_get(
            "conversations.history",
            &format!("channel={CHANNEL}&limit=999"),
        )
        .json()["messages"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = history_len();
    let r = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "x", "thread_ts": "1795687299.000001"}),
        )
        .json();
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        history_len(),
        before,
        "the orphan reply is not in the history"
    );
    let r = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "x", "thread_ts": "0"}),
        )
        .json();
    assert_eq!(r["error"], "invalid_thread_ts");
    let r = h
        .slack_get(
            "conversations.replies",
            &format!("channel={CHANNEL}&ts=1795687299.000001"),
        )
        .json();
    assert_eq!(r["error"], "thread_not_found");
}

#[test]
fn post_then_read_back_history_replies_permalink() {
    let h = start();
    let root = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "Emergency on #201",
                    "metadata": {"event_type": "ase_emergency", "event_payload": {"ticket_id": 201, "action": "root", "nonce": "a"}}}),
        )
        .json();
    assert_eq!(root["ok"], true, "{root}");
    assert!(is_ts(&root["ts"]));
    assert_eq!(root["channel"], CHANNEL);
    let m = &root["message"];
    assert_eq!(m["type"], "message");
    // A bot token's post: the bot user in `user`, no legacy `bot_message` subtype.
    assert!(m.get("subtype").is_none(), "{m}");
    assert_eq!(m["user"], "U0BOT0ASEAPP");
    assert_eq!(m["bot_id"], "B0ASEAPP01");
    assert_eq!(m["text"], "Emergency on #201");
    assert_eq!(m["ts"], root["ts"]);
    assert_eq!(m["metadata"]["event_type"], "ase_emergency");
    let root_ts = root["ts"].as_str().unwrap().to_owned();

    let reply = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "<@U0ASE0MARIA> ping", "thread_ts": root_ts}),
        )
        .json();
    assert_eq!(reply["ok"], true);
    assert_eq!(reply["message"]["thread_ts"], root_ts.as_str());
    let reply_ts = reply["ts"].as_str().unwrap().to_owned();
    assert!(reply_ts > root_ts, "ts strictly increasing");

    // A second root to check ordering.
    let root2 = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "second"}),
        )
        .json();
    let root2_ts = root2["ts"].as_str().unwrap().to_owned();

    let hist = h
        .slack_get("conversations.history", &format!("channel={CHANNEL}"))
        .json();
    assert_eq!(hist["ok"], true);
    let msgs = hist["messages"].as_array().unwrap();
    let tss: Vec<&str> = msgs.iter().map(|m| m["ts"].as_str().unwrap()).collect();
    assert_eq!(tss[0], root2_ts, "newest first");
    assert_eq!(tss[1], root_ts);
    assert!(
        !tss.contains(&reply_ts.as_str()),
        "replies are not in history"
    );
    assert_eq!(msgs[1]["reply_count"], 1);
    assert_eq!(msgs[1]["latest_reply"], reply_ts.as_str());
    assert_eq!(
        msgs[1]["reply_users"],
        json!(["U0BOT0ASEAPP"]),
        "reply_users are user IDs, as in Slack"
    );
    assert_eq!(msgs[1]["thread_ts"], root_ts.as_str());

    for ts in [&root_ts, &reply_ts] {
        let rep = h
            .slack_get(
                "conversations.replies",
                &format!("channel={CHANNEL}&ts={ts}"),
            )
            .json();
        assert_eq!(rep["ok"], true);
        let msgs = rep["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0]["ts"], root_ts.as_str(), "root first");
        assert_eq!(msgs[1]["ts"], reply_ts.as_str());
        assert_eq!(msgs[1]["parent_user_id"], "U0BOT0ASEAPP");
    }

    let p = h
        .slack_get(
            "chat.getPermalink",
            &format!("channel={CHANNEL}&message_ts={root_ts}"),
        )
        .json();
    assert_eq!(
        p["permalink"],
        format!(
            "https://acme-support.slack.com/archives/{CHANNEL}/p{}",
            root_ts.replace('.', "")
        )
    );
    let p = h
        .slack_get(
            "chat.getPermalink",
            &format!("channel={CHANNEL}&message_ts={reply_ts}"),
        )
        .json();
    assert_eq!(
        p["permalink"],
        format!(
            "https://acme-support.slack.com/archives/{CHANNEL}/p{}?thread_ts={root_ts}&cid={CHANNEL}",
            reply_ts.replace('.', "")
        )
    );
    let p = h
        .slack_get(
            "chat.getPermalink",
            &format!("channel={CHANNEL}&message_ts=1795687299.000001"),
        )
        .json();
    assert_eq!(p["error"], "message_not_found");

    // A reply's ts is not a thread root.
    let r = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "x", "thread_ts": reply_ts}),
        )
        .json();
    assert_eq!(r["error"], "thread_not_found");

    // The host page's channel view nests replies.
    let view = h
        .get(&format!("/_emulator/slack/channel?id={CHANNEL}"))
        .json();
    let top = view["messages"].as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert_eq!(top[1]["replies"][0]["ts"], reply_ts.as_str());
}

#[test]
fn metadata_only_with_include_all_metadata() {
    let h = start();
    let root = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "root",
                    "metadata": {"event_type": "ase_emergency", "event_payload": {"ticket_id": 201, "action": "root", "nonce": "n"}}}),
        )
        .json();
    let ts = root["ts"].as_str().unwrap();
    let plain = h
        .slack_get("conversations.history", &format!("channel={CHANNEL}"))
        .json();
    assert!(plain["messages"][0].get("metadata").is_none());
    let with = h
        .slack_get(
            "conversations.history",
            &format!("channel={CHANNEL}&include_all_metadata=true"),
        )
        .json();
    assert_eq!(
        with["messages"][0]["metadata"]["event_payload"]["ticket_id"],
        201
    );
    let rep = h
        .slack_get(
            "conversations.replies",
            &format!("channel={CHANNEL}&ts={ts}"),
        )
        .json();
    assert!(rep["messages"][0].get("metadata").is_none());
    let rep = h
        .slack_get(
            "conversations.replies",
            &format!("channel={CHANNEL}&ts={ts}&include_all_metadata=1"),
        )
        .json();
    assert_eq!(
        rep["messages"][0]["metadata"]["event_type"],
        "ase_emergency"
    );

    let bad = h
        .slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "x", "metadata": {"event_payload": {}}}),
        )
        .json();
    assert_eq!(bad["error"], "invalid_metadata_format");
}

#[test]
fn rate_limit_injection_with_retry_after() {
    let h = start();
    let r = h.req(
        "POST",
        "/_emulator/slack/fail",
        &[("Content-Type", "application/json")],
        &json!({"method": "chat.postMessage", "status": 429, "retry_after": 2, "count": 2})
            .to_string(),
    );
    assert_eq!(r.status, 200);
    for _ in 0..2 {
        let r = h.slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": "x"}),
        );
        assert_eq!(r.status, 429);
        assert_eq!(r.header("Retry-After"), Some("2"));
        assert_eq!(r.json(), json!({"ok": false, "error": "ratelimited"}));
    }
    let r = h.slack_json(
        "chat.postMessage",
        &json!({"channel": CHANNEL, "text": "x"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["ok"], true);

    // Error-string injection, wildcard method; other methods still answer after it is used up.
    h.req(
        "POST",
        "/_emulator/slack/fail",
        &[("Content-Type", "application/json")],
        &json!({"method": "*", "error": "fatal_error"}).to_string(),
    );
    assert_eq!(
        h.slack_get("users.info", "user=U0ASE0MARIA").json()["error"],
        "fatal_error"
    );
    assert_eq!(
        h.slack_get("users.info", "user=U0ASE0MARIA").json()["ok"],
        true
    );

    // DELETE clears pending rules.
    h.req(
        "POST",
        "/_emulator/slack/fail",
        &[("Content-Type", "application/json")],
        &json!({"method": "auth.test", "error": "account_inactive", "count": 5}).to_string(),
    );
    h.req("DELETE", "/_emulator/slack/fail", &[], "");
    assert_eq!(h.slack_json("auth.test", &json!({})).json()["ok"], true);
}

#[test]
fn transport_rules_charset_form_and_json_input() {
    let h = start();
    let auth = format!("Bearer {TOKEN}");
    // JSON without charset: works, with Slack's warning.
    let r = h
        .req(
            "POST",
            "/slack/api/chat.postMessage",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            &json!({"channel": CHANNEL, "text": "x"}).to_string(),
        )
        .json();
    assert_eq!(r["ok"], true);
    assert_eq!(r["warning"], "missing_charset");
    assert_eq!(
        r["response_metadata"]["warnings"],
        json!(["missing_charset"])
    );
    let ts = r["ts"].as_str().unwrap().to_owned();

    // Reads accept a form POST, as real Slack does.
    let r = h
        .req(
            "POST",
            "/slack/api/conversations.replies",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &format!("channel={CHANNEL}&ts={ts}"),
        )
        .json();
    assert_eq!(r["ok"], true, "{r}");

    // ...but a JSON body on a method without JSON input is ignored: the args are missing.
    let r = h
        .req(
            "POST",
            "/slack/api/conversations.replies",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
            &json!({"channel": CHANNEL, "ts": ts}).to_string(),
        )
        .json();
    assert_eq!(r["error"], "channel_not_found");

    let r = h
        .req(
            "POST",
            "/slack/api/chat.postMessage",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
            "{not json",
        )
        .json();
    assert_eq!(r["error"], "invalid_json");
    let r = h
        .req(
            "POST",
            "/slack/api/chat.postMessage",
            &[("Authorization", &auth), ("Content-Type", "text/plain")],
            "x",
        )
        .json();
    assert_eq!(r["error"], "invalid_post_type");
    let r = h
        .req(
            "POST",
            "/slack/api/chat.postMessage",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json; charset=klingon"),
            ],
            "{}",
        )
        .json();
    assert_eq!(r["error"], "invalid_charset");
}

#[test]
fn users_lookup_info_presence() {
    let h = start();
    let r = h
        .slack_get(
            "users.lookupByEmail",
            "email=maria.lopez%40acme-support.example",
        )
        .json();
    assert_eq!(r["ok"], true);
    assert_eq!(r["user"]["id"], "U0ASE0MARIA");
    assert_eq!(r["user"]["tz"], "Europe/Madrid");
    assert_eq!(r["user"]["tz_offset"], 3600);
    assert_eq!(
        r["user"]["profile"]["email"],
        "maria.lopez@acme-support.example"
    );
    let r = h
        .slack_get("users.lookupByEmail", "email=nobody%40example.com")
        .json();
    assert_eq!(r, json!({"ok": false, "error": "users_not_found"}));
    assert_eq!(
        h.slack_get("users.info", "user=U0ASE0KENJI").json()["user"]["tz"],
        "Asia/Tokyo"
    );
    assert_eq!(
        h.slack_get("users.info", "user=U0NOBODY").json()["error"],
        "user_not_found"
    );
    assert_eq!(
        h.slack_get("users.getPresence", "user=U0ASE0MARIA").json(),
        json!({"ok": true, "presence": "active"})
    );
    assert_eq!(
        h.slack_get("users.getPresence", "user=U0ASE0KENJI").json()["presence"],
        "away"
    );
    assert_eq!(
        h.slack_get("users.getPresence", "user=U0NOBODY").json()["error"],
        "user_not_found"
    );
    let info = h
        .slack_get("conversations.info", &format!("channel={CHANNEL}"))
        .json();
    assert_eq!(info["channel"]["name"], "emergencies");
    assert_eq!(info["channel"]["is_member"], true);
}

#[test]
fn malformed_requests_never_kill_the_server() {
    let h = start();
    let r = h.raw(
        "127.0.0.1",
        "POST",
        "/slack/api/chat.postMessage",
        &[("Content-Type", "application/json")],
        &[0xff, 0xfe, 0x00],
    );
    assert_eq!(r.status, 200);
    let r = h.req(
        "GET",
        "/slack/api/conversations.history?channel=%ZZ&limit=abc&cursor=!!",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        "",
    );
    assert_eq!(r.status, 200);
    let r = h.req(
        "POST",
        "/_emulator/slack/fail",
        &[("Content-Type", "application/json")],
        "[1,2",
    );
    assert_eq!(r.status, 400);
    // Still alive.
    assert_eq!(h.slack_json("auth.test", &json!({})).json()["ok"], true);
}
