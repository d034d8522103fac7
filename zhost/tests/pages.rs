//! Host pages, app origin, ZAF data: escaping, origins, no secrets sent to the browser.

mod common;

use common::{repo, scratch, start, start_with_world, Host, TOKEN};
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

/// One GET to the app origin, keeping the body's bytes as sent.
fn get_bytes(h: &Host, path: &str, accept_encoding: Option<&str>) -> Response {
    let headers: Vec<(&str, &str)> = accept_encoding
        .map(|a| ("Accept-Encoding", a))
        .into_iter()
        .collect();
    let r = h.raw("localhost", "GET", path, &headers, b"");
    Response {
        status: r.status,
        headers: r.headers,
        body: r.bytes,
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body with its `Content-Encoding` undone.
    fn decoded(&self) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        match self.header("Content-Encoding") {
            None => out.clone_from(&self.body),
            Some("br") => {
                brotli::Decompressor::new(&self.body[..], 4096)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Some("gzip") => {
                flate2::read::GzDecoder::new(&self.body[..])
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Some(other) => panic!("unexpected Content-Encoding {other}"),
        }
        out
    }

    /// A `Content-Length` that matches the body: whole responses, never chunked, whatever
    /// their size (as a CDN sends assets).
    fn assert_length(&self) {
        let length = self.header("Content-Length").expect("Content-Length");
        assert_eq!(length.parse::<usize>().unwrap(), self.body.len());
        assert_eq!(self.header("Transfer-Encoding"), None);
    }
}

/// Bytes that compress a little, like a wasm module: a repeating pattern with noise.
fn wasm_like(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if i % 3 == 0 {
                x as u8
            } else {
                (i % 251) as u8
            }
        })
        .collect()
}

#[test]
fn app_assets_are_served_br_gzip_or_identity_as_accepted() {
    let h = start();
    let wasm = wasm_like(100_000);
    std::fs::write(h.app_dir.join("assets/app_bg.wasm"), &wasm).unwrap();
    let js = "export function run() { return 'ase'; }\n".repeat(50);
    std::fs::write(h.app_dir.join("assets/glue.js"), &js).unwrap();

    for (path, raw, ct) in [
        ("/app/assets/app_bg.wasm", wasm.clone(), "application/wasm"),
        (
            "/app/assets/glue.js",
            js.clone().into_bytes(),
            "text/javascript; charset=utf-8",
        ),
    ] {
        let br = get_bytes(&h, path, Some("gzip, deflate, br, zstd"));
        let gz = get_bytes(&h, path, Some("gzip, deflate"));
        let id = get_bytes(&h, path, None);
        for (r, coding) in [(&br, Some("br")), (&gz, Some("gzip")), (&id, None)] {
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("Content-Encoding"), coding, "{path}");
            assert_eq!(r.header("Content-Type"), Some(ct), "{path}");
            assert_eq!(r.header("Vary"), Some("Accept-Encoding"), "{path}");
            r.assert_length();
            assert!(r.decoded() == raw, "{path} {coding:?} decodes to the file");
        }
        assert!(
            br.body.len() < raw.len() && gz.body.len() < raw.len(),
            "{path}"
        );
        assert_eq!(id.body, raw);
        // Served again from the cache: the same coded bytes.
        assert_eq!(get_bytes(&h, path, Some("br")).body, br.body);
    }
    // A small file is sent with a Content-Length equal to the coded length.
    let small = get_bytes(&h, "/app/assets/glue.js", Some("br"));
    assert_eq!(
        small.header("Content-Length"),
        Some(small.body.len().to_string().as_str())
    );
    // A rewritten file changes when the file does (the cache follows the content).
    std::fs::write(h.app_dir.join("assets/glue.js"), "export const v = 2;").unwrap();
    let again = get_bytes(&h, "/app/assets/glue.js", Some("gzip"));
    assert_eq!(again.decoded(), b"export const v = 2;");
    // br refused with q=0 falls back to gzip.
    let r = get_bytes(&h, "/app/assets/glue.js", Some("br;q=0, gzip"));
    assert_eq!(r.header("Content-Encoding"), Some("gzip"));
}

#[test]
fn the_app_page_is_rewritten_then_coded() {
    let h = start();
    let path = "/app/assets/iframe.html?origin=x&app_guid=y";
    let br = get_bytes(&h, path, Some("br"));
    assert_eq!(br.header("Content-Encoding"), Some("br"));
    let page = String::from_utf8(br.decoded()).unwrap();
    assert!(page.contains("src=\"/zaf/zaf_sdk.js\""));
    assert!(page.contains("zhost clock shim"));
    let plain = String::from_utf8(get_bytes(&h, path, None).body).unwrap();
    assert!(plain.contains("src=\"/zaf/zaf_sdk.js\""));
    // Errors are not coded.
    let missing = get_bytes(&h, "/app/assets/nope.js", Some("br"));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("Content-Encoding"), None);
}

/// Big tickets stay cheap: the page's poll answers "unchanged" while nothing changed, and ZAF
/// data carries `ticket.comments` only when asked for.
#[test]
fn polls_and_zaf_data_stay_small_on_big_tickets() {
    let h = common::start();
    let v = h.get("/_zhost/ticket_view?ticket=201&agent=100").json();
    let version = v["version"].as_str().unwrap().to_owned();
    assert!(v["comments"].is_array());
    let same = h
        .get(&format!(
            "/_zhost/ticket_view?ticket=201&agent=100&since={}",
            pct(&version)
        ))
        .json();
    assert_eq!(same["unchanged"], true, "{same}");
    assert!(same.get("comments").is_none());
    // A write changes the version.
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201.json",
        Some(&serde_json::json!({"ticket": {"additional_tags": ["x"]}})),
    );
    assert_eq!(r.status, 200);
    let changed = h
        .get(&format!(
            "/_zhost/ticket_view?ticket=201&agent=100&since={}",
            pct(&version)
        ))
        .json();
    assert!(changed.get("unchanged").is_none(), "{changed}");
    assert_ne!(changed["version"], version);

    let lite = h.get("/_zaf/data?ticket=201&agent=100").json();
    assert!(lite["data"].get("ticket.comments").is_none());
    assert!(lite["data"]["ticket.subject"].is_string());
    let full = h.get("/_zaf/data?ticket=201&agent=100&comments=1").json();
    assert!(full["data"]["ticket.comments"].is_array());
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
