//! World loading: the demo world's facts and clear error messages for broken worlds.

mod common;

use common::{repo, scratch};
use serde_json::{json, Value};

fn demo() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join("worlds/demo.json")).unwrap())
        .unwrap()
}

fn load(v: &Value) -> Result<zhost::World, zhost::Error> {
    let dir = scratch("world");
    let p = dir.join("w.json");
    std::fs::write(&p, v.to_string()).unwrap();
    let r = zhost::load_world(&p);
    let _ = std::fs::remove_dir_all(dir);
    r
}

fn problems(v: &Value) -> String {
    match load(v) {
        Ok(_) => panic!("world should be rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn demo_world_loads_with_the_promised_facts() {
    let w = zhost::load_world(repo().join("worlds/demo.json")).unwrap();
    let j = w.json();
    assert_eq!(j["clock"]["start"], "2026-11-26T14:00:00Z");
    assert_eq!(j["agents"], json!([100, 101, 102, 104, 105]));
    // Two agents read the sidebar in other languages: German, and Hebrew (right to left).
    let locale = |id: u64| {
        j["zendesk"]["users"]
            .as_array()
            .and_then(|us| us.iter().find(|u| u["id"] == id))
            .map(|u| u["locale"].clone())
    };
    assert_eq!(
        (locale(104), locale(105)),
        (Some(json!("de")), Some(json!("he")))
    );
    let s = &j["settings"];
    assert_eq!(s["slack_bot_token"], "xoxb-local-demo-token");
    let ch = s["slack_channel_id"].as_str().unwrap();
    assert!(
        ch.len() >= 9
            && ch.starts_with('C')
            && ch
                .bytes()
                .skip(1)
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    assert_eq!(s["working_hours"], "Mon-Fri 09:00-17:00");
    assert_eq!(s["hide_when_not_emergency"], true);
    let t = |id: u64| {
        j["zendesk"]["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone()
    };
    let org = |id: &Value| {
        j["zendesk"]["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| &o["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(t(201)["priority"], "urgent");
    assert_eq!(
        t(201)["subject"],
        "Checkout API returning 503 for all customers"
    );
    assert_eq!(
        org(&t(201)["organization_id"])["name"],
        "Globex Corporation"
    );
    assert_eq!(
        org(&t(201)["organization_id"])["organization_fields"]["ase_email"],
        "maria.lopez@acme-support.example"
    );
    assert_eq!(t(202)["priority"], "high");
    assert!(t(202)["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("emergency")));
    assert_eq!(org(&t(202)["organization_id"])["name"], "Initech");
    assert_eq!(
        org(&t(203)["organization_id"])["organization_fields"]["ase_email"],
        ""
    );
    assert_eq!(t(204)["priority"], "normal");
    for id in [201, 202, 203] {
        assert_eq!(t(id)["assignee_id"], 100);
    }
    let su = |id: &str| {
        j["slack"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(su("U0ASE0MARIA")["tz"], "Europe/Madrid");
    assert_eq!(
        su("U0ASE0MARIA")["profile"]["email"],
        "maria.lopez@acme-support.example"
    );
    assert_eq!(su("U0ASE0KENJI")["tz"], "Asia/Tokyo");
    assert_eq!(j["slack"]["presence"]["U0ASE0MARIA"], "active");
    assert_eq!(j["slack"]["presence"]["U0ASE0KENJI"], "away");
    // The ASE's prep note on 201.
    let c = &j["zendesk"]["comments"]["201"];
    assert!(c.as_array().unwrap().iter().any(|c| c["author_id"] == 101
        && c["public"] == false
        && c["body"].as_str().unwrap().contains("migration")));
    assert_eq!(w.clock_start_ms(), Some(1_795_701_600_000));
}

#[test]
fn broken_json_names_line_and_column() {
    let dir = scratch("badjson");
    let p = dir.join("w.json");
    std::fs::write(&p, "{\n  \"account\": {,\n}").unwrap();
    let e = zhost::load_world(&p).unwrap_err().to_string();
    assert!(e.contains("w.json"), "{e}");
    assert!(e.contains("line 2"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn missing_file_names_the_path() {
    let e = zhost::load_world("/nonexistent/zhost/world.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/zhost/world.json"), "{e}");
}

#[test]
fn structural_problems_are_named_by_path() {
    let mut w = demo();
    w["zendesk"]["tickets"][0]["organization_id"] = json!(99);
    w["zendesk"]["tickets"][1]["updated_at"] = json!("yesterday");
    w["slack"]["channels"][0]["id"] = json!("#emergencies");
    w["agents"] = json!([100, 4242]);
    w["clock"]["start"] = json!("2026-11-26 14:00");
    let e = problems(&w);
    assert!(
        e.contains("zendesk.tickets[0].organization_id: no organization 99"),
        "{e}"
    );
    assert!(e.contains("zendesk.tickets[1].updated_at"), "{e}");
    assert!(e.contains("slack.channels[0].id"), "{e}");
    assert!(e.contains("agents[1]: no user 4242"), "{e}");
    assert!(e.contains("clock.start"), "{e}");

    let mut w = demo();
    w.as_object_mut().unwrap().remove("settings");
    w["zendesk"]["comments"]["999"] = json!([]);
    w["zendesk"]["users"][0]["role"] = json!("wizard");
    let e = problems(&w);
    assert!(e.contains("settings: missing"), "{e}");
    assert!(e.contains("zendesk.comments[\"999\"]"), "{e}");
    assert!(e.contains("zendesk.users[0].role"), "{e}");

    assert!(problems(&json!([])).contains("expected an object"));

    let mut w = demo();
    w["slack"]["dnd"] = json!({
        "U0NOBODY01": {},
        "U0ASE0MARIA": {"dnd_enabled": "yes", "next_dnd_start_ts": 1.5, "snooze": true},
    });
    let e = problems(&w);
    assert!(
        e.contains("slack.dnd.U0NOBODY01: not a user in slack.users"),
        "{e}"
    );
    for field in ["dnd_enabled", "next_dnd_start_ts", "snooze"] {
        assert!(
            e.contains(&format!("slack.dnd.U0ASE0MARIA.{field}: expected")),
            "{e}"
        );
    }
}

#[test]
fn reset_reloads_the_world() {
    let h = common::start();
    let r = h.slack_json(
        "chat.postMessage",
        &json!({"channel": common::CHANNEL, "text": "x"}),
    );
    assert_eq!(r.json()["ok"], true);
    assert_eq!(h.req("POST", "/_emulator/reset", &[], "").status, 200);
    let hist = h
        .slack_get(
            "conversations.history",
            &format!("channel={}", common::CHANNEL),
        )
        .json();
    assert_eq!(hist["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.get("/_emulator/world").json()["account"]["subdomain"],
        "acme"
    );
}
