//! Slack's access rules in the emulator: scopes (`missing_scope` with `needed` and `provided`),
//! token states, channels the bot is not in, and rate limits that happen by themselves.

mod common;

use serde_json::{json, Value};

const CHANNEL: &str = "C0EMERGENCY";
const GENERAL: &str = "C0GENERAL01";

/// The demo world changed by `edit`.
fn host_with(edit: impl FnOnce(&mut Value)) -> common::Host {
    let text = std::fs::read_to_string(common::repo().join("worlds/demo.json")).unwrap();
    let mut world: Value = serde_json::from_str(&text).unwrap();
    edit(&mut world);
    let path = common::scratch("access").join("world.json");
    std::fs::write(&path, world.to_string()).unwrap();
    common::start_with_world(path)
}

#[test]
fn a_missing_scope_names_what_is_needed_and_what_the_token_has() {
    let h = host_with(|w| w["slack"]["bot"]["scopes"] = json!(["chat:write", "channels:history"]));
    let r = h
        .slack_get("users.lookupByEmail", "email=maria.lopez%40globex.example")
        .json();
    assert_eq!(
        r,
        json!({"ok": false, "error": "missing_scope", "needed": "users:read.email", "provided": "chat:write,channels:history"})
    );
    let r = h
        .slack_get("conversations.info", &format!("channel={CHANNEL}"))
        .json();
    assert_eq!(r["needed"], "channels:read");
    assert_eq!(
        h.slack_get("conversations.history", &format!("channel={CHANNEL}"))
            .json()["ok"],
        true
    );
}

#[test]
fn token_states_answer_as_slack_does() {
    for (state, error) in [
        ("revoked", "token_revoked"),
        ("inactive", "account_inactive"),
        ("expired", "token_expired"),
    ] {
        let h = host_with(|w| w["slack"]["bot"]["token_state"] = json!(state));
        assert_eq!(
            h.slack_json("auth.test", &json!({})).json()["error"],
            error,
            "{state}"
        );
    }
}

#[test]
fn channels_the_bot_is_not_in() {
    // Public, not a member: no reading; posting only with chat:write.public.
    let h = common::start();
    assert_eq!(
        h.slack_get("conversations.history", &format!("channel={GENERAL}"))
            .json()["error"],
        "not_in_channel"
    );
    let post = json!({"channel": GENERAL, "text": "hello"});
    assert_eq!(
        h.slack_json("chat.postMessage", &post).json()["error"],
        "not_in_channel"
    );
    let h = host_with(|w| {
        let scopes = w["slack"]["bot"]["scopes"].as_array_mut().unwrap();
        scopes.push(json!("chat:write.public"));
    });
    assert_eq!(h.slack_json("chat.postMessage", &post).json()["ok"], true);
    assert_eq!(
        h.slack_get("conversations.history", &format!("channel={GENERAL}"))
            .json()["error"],
        "not_in_channel"
    );
    // Private, not a member: it does not exist for the bot.
    let h = host_with(|w| {
        let general = w["slack"]["channels"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c["id"] == GENERAL)
            .unwrap();
        general["is_private"] = json!(true);
        let scopes = w["slack"]["bot"]["scopes"].as_array_mut().unwrap();
        scopes.push(json!("chat:write.public"));
    });
    assert_eq!(
        h.slack_json("chat.postMessage", &post).json()["error"],
        "channel_not_found"
    );
    assert_eq!(
        h.slack_get("conversations.history", &format!("channel={GENERAL}"))
            .json()["error"],
        "channel_not_found"
    );
}

#[test]
fn rate_limits_happen_by_themselves() {
    let h = common::start();
    // chat.postMessage: about one a second per channel, short bursts pass.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = h.slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": format!("m{i}")}),
        );
        statuses.push(r.status);
        if r.status == 429 {
            assert_eq!(r.json()["error"], "ratelimited");
            let wait: u64 = r.header("Retry-After").unwrap().parse().unwrap();
            assert!((1..=1).contains(&wait), "{wait}");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    // Tier 3 (users.lookupByEmail): 50 a minute.
    let limited = (0..51)
        .map(|_| h.slack_get("users.lookupByEmail", "email=maria.lopez%40globex.example"))
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(limited, 1);
    // A world can turn them off.
    let h = host_with(|w| w["slack"]["rate_limits"] = json!(false));
    for i in 0..10 {
        let r = h.slack_json(
            "chat.postMessage",
            &json!({"channel": CHANNEL, "text": format!("m{i}")}),
        );
        assert_eq!(r.status, 200);
    }
}

#[test]
fn seeded_messages_fill_the_channel() {
    let h = common::start();
    let r = h.req(
        "POST",
        "/_emulator/slack/messages",
        &[("Content-Type", "application/json")],
        &json!({"channel": CHANNEL, "count": 250, "text": "chatter"}).to_string(),
    );
    assert_eq!(r.json()["added"], 250);
    let page = h
        .slack_get(
            "conversations.history",
            &format!("channel={CHANNEL}&limit=200"),
        )
        .json();
    // The demo world's pages hold at most 100 (`slack.max_page_size`), fewer than asked.
    assert_eq!(page["messages"].as_array().unwrap().len(), 100);
    assert_eq!(page["has_more"], true);
}

#[test]
fn invitations_follow_slack() {
    let h = common::start();
    let invite = json!({"channel": CHANNEL, "users": "U0ASE0KENJI"});
    assert_eq!(
        h.slack_json("conversations.invite", &invite).json()["ok"],
        true
    );
    let members = h
        .slack_get("conversations.members", &format!("channel={CHANNEL}"))
        .json();
    assert!(members["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "U0ASE0KENJI"));
    assert_eq!(
        h.slack_json("conversations.invite", &invite).json()["error"],
        "already_in_channel"
    );
    let nobody = json!({"channel": CHANNEL, "users": "U0NOBODY00"});
    assert_eq!(
        h.slack_json("conversations.invite", &nobody).json()["error"],
        "user_not_found"
    );
    let h = host_with(|w| w["slack"]["bot"]["scopes"] = json!(["chat:write"]));
    let r = h.slack_json("conversations.invite", &invite).json();
    assert_eq!(
        (r["error"].as_str(), r["needed"].as_str()),
        (Some("missing_scope"), Some("channels:manage"))
    );
}

#[test]
fn direct_messages_open_once_and_need_im_scopes() {
    let h = common::start();
    let open = json!({"users": "U0ASE0KENJI"});
    let first = h.slack_json("conversations.open", &open).json();
    assert_eq!(first["ok"], true, "{first}");
    let dm = first["channel"]["id"].as_str().unwrap().to_owned();
    assert!(dm.starts_with('D'), "{dm}");
    assert_eq!(first.get("already_open"), None);
    let again = h.slack_json("conversations.open", &open).json();
    assert_eq!(
        (&again["channel"]["id"], &again["already_open"]),
        (&json!(dm), &json!(true))
    );
    // The bot posts there (and by the user's ID), and reads it back.
    let post = json!({"channel": dm, "text": "hello"});
    assert_eq!(h.slack_json("chat.postMessage", &post).json()["ok"], true);
    let by_user = json!({"channel": "U0ASE0KENJI", "text": "again"});
    let r = h.slack_json("chat.postMessage", &by_user).json();
    assert_eq!(r["channel"], json!(dm), "{r}");
    let history = h
        .slack_get("conversations.history", &format!("channel={dm}"))
        .json();
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(2));
    // Describing it needs im:read, which the demo's bot lacks.
    let info = h
        .slack_get("conversations.info", &format!("channel={dm}"))
        .json();
    assert_eq!(info["needed"], "im:read", "{info}");
    for (args, error) in [
        (json!({}), "users_list_not_supplied"),
        (json!({"users": "U0NOBODY00"}), "user_not_found"),
        (
            json!({"channel": CHANNEL}),
            "method_not_supported_for_channel_type",
        ),
        (json!({"channel": "D0NOTHING"}), "channel_not_found"),
    ] {
        let r = h.slack_json("conversations.open", &args).json();
        assert_eq!(r["error"], error, "{args}: {r}");
    }
    // Opening needs im:write; reading the DM needs im:history.
    let h = host_with(|w| w["slack"]["bot"]["scopes"] = json!(["chat:write", "channels:history"]));
    let r = h.slack_json("conversations.open", &open).json();
    assert_eq!(
        (r["error"].as_str(), r["needed"].as_str()),
        (Some("missing_scope"), Some("im:write"))
    );
    let h = host_with(|w| w["slack"]["bot"]["scopes"] = json!(["chat:write", "im:write"]));
    let dm = h.slack_json("conversations.open", &open).json()["channel"]["id"].clone();
    let r = h
        .slack_get(
            "conversations.history",
            &format!("channel={}", dm.as_str().unwrap()),
        )
        .json();
    assert_eq!(r["needed"], "im:history", "{r}");
}
