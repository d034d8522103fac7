//! Host pages, app origin, ZAF data: escaping, origins, no secrets sent to the browser.

mod common;

use common::{repo, scratch, start, start_with_world, TOKEN};
use serde_json::{json, Value};

#[test]
fn ticket_page_has_the_contract_elements() {
    let h = start();
    let r = h.get("/tickets/201?agent=101");
    assert_eq!(r.status, 200);
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    for needle in [
        "id=\"app-frame\"",
        "id=\"slack-panel\"",
        "id=\"comments\"",
        "/_zhost/ticket.js",
        "\"agentId\":101",
    ] {
        assert!(r.body.contains(needle), "missing {needle}");
    }
    assert!(!r.body.contains(TOKEN));
    assert_eq!(h.get("/tickets/999").status, 404);
    assert_eq!(h.get("/tickets/201?agent=4242").status, 404);
    let list = h.get("/");
    assert!(list.body.contains("/tickets/201?agent=100"));
    assert!(list.body.contains("Globex Corporation"));
    assert_eq!(h.get("/_zhost/ticket.js").status, 200);
    assert_eq!(h.get("/_zhost/host.css").status, 200);
}

#[test]
fn world_text_is_escaped_in_pages() {
    let mut w: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("worlds/demo.json")).unwrap())
            .unwrap();
    w["zendesk"]["tickets"][0]["subject"] = json!("</script><script>alert(1)</script>");
    w["zendesk"]["users"][0]["name"] = json!("<img src=x onerror=alert(2)>");
    let dir = scratch("xss");
    let p = dir.join("w.json");
    std::fs::write(&p, w.to_string()).unwrap();
    let h = start_with_world(p);
    let list = h.get("/").body;
    assert!(!list.contains("<script>alert(1)"), "{list}");
    assert!(list.contains("&lt;/script&gt;"));
    assert!(!list.contains("<img src=x"));
    let page = h.get("/tickets/201?agent=100").body;
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("</script><script>alert"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn app_is_served_only_from_the_second_origin_with_rewrites() {
    let h = start();
    let r = h.raw(
        "localhost",
        "GET",
        "/app/assets/iframe.html?origin=x&app_guid=y",
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("src=\"/zaf/zaf_sdk.js\""));
    assert!(!r.body.contains("static.zdassets.com"));
    let shim = r.body.find("zhost clock shim").expect("clock shim");
    assert!(
        shim < r.body.find("/zaf/zaf_sdk.js").unwrap(),
        "shim before the first script"
    );
    assert_eq!(
        h.raw("localhost", "GET", "/app/assets/main.js", &[], b"")
            .status,
        200
    );
    assert_eq!(
        h.raw("localhost", "GET", "/app/manifest.json", &[], b"")
            .status,
        200
    );
    // Not from the Zendesk origin, no traversal.
    assert_eq!(h.get("/app/assets/iframe.html").status, 404);
    assert_eq!(
        h.raw("localhost", "GET", "/app/../Cargo.toml", &[], b"")
            .status,
        404
    );
    assert_eq!(
        h.raw(
            "localhost",
            "GET",
            "/app/assets/%2e%2e/%2e%2e/etc/passwd",
            &[],
            b""
        )
        .status,
        404
    );
    // Host pages on the app origin redirect to the Zendesk origin.
    let r = h.raw("localhost", "GET", "/tickets/201?agent=100", &[], b"");
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("Location").unwrap(),
        format!("http://127.0.0.1:{}/tickets/201?agent=100", h.port)
    );
    let sdk = h.raw("localhost", "GET", "/zaf/zaf_sdk.js", &[], b"");
    assert_eq!(sdk.status, 200);
    assert!(sdk.body.contains("ZAFClient"));
}

#[test]
fn zaf_data_maps_world_to_zaf_shapes_without_secrets() {
    let h = start();
    let r = h.get("/_zaf/data?ticket=201&agent=100");
    assert_eq!(r.status, 200);
    assert!(!r.body.contains(TOKEN));
    let v = r.json();
    assert_eq!(v["context"]["location"], "ticket_sidebar");
    assert_eq!(v["context"]["ticketId"], 201);
    assert_eq!(v["context"]["account"]["subdomain"], "acme");
    let s = &v["metadata"]["settings"];
    assert!(s.get("slack_bot_token").is_none());
    assert_eq!(s["slack_channel_id"], "C0EMERGENCY");
    assert_eq!(v["metadata"]["name"], "ASE Emergency Assist");
    let d = &v["data"];
    assert_eq!(d["ticket.id"], 201);
    assert_eq!(d["ticket.priority"], "urgent");
    assert_eq!(d["ticket.organization"]["name"], "Globex Corporation");
    assert_eq!(d["ticket.organization"]["id"], 5001);
    assert_eq!(
        d["ticket.assignee"]["user"]["email"],
        "olivia.park@acme-support.example"
    );
    assert_eq!(d["ticket.updatedAt"], "2026-11-26T13:47:30.000Z");
    assert_eq!(d["currentUser"]["timeZone"]["ianaName"], "America/New_York");
    assert_eq!(d["currentUser"]["role"], "agent");
    assert_eq!(d["currentAccount.subdomain"], "acme");
    assert_eq!(d["ticket"]["tags"], json!(["checkout", "emergency"]));
    assert_eq!(
        d["ticket.organization.customField:ase_email"],
        "maria.lopez@acme-support.example"
    );
    assert_eq!(h.get("/_zaf/data?ticket=999&agent=100").status, 404);
    assert_eq!(h.get("/_zaf/data").status, 400);
    let view = h.get("/_zhost/ticket_view?ticket=201&agent=100");
    assert!(!view.body.contains(TOKEN));
}

#[test]
fn clock_follows_the_world() {
    let h = start();
    let c = h.get("/_emulator/clock").json();
    let now = c["now_ms"].as_i64().unwrap();
    assert!(
        (1_795_701_600_000..1_795_701_600_000 + 60_000).contains(&now),
        "{c}"
    );
}
