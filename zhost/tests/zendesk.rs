//! Zendesk REST emulator: auth, 404, internal notes, safe_update 409, 400/422 rejections.

mod common;

use common::start;
use serde_json::json;

#[test]
fn auth_is_required() {
    let h = start();
    let r = h.get("/api/v2/tickets/201.json");
    assert_eq!(r.status, 401);
    assert_eq!(r.json(), json!({"error": "Couldn't authenticate you"}));
    let r = h.req(
        "GET",
        "/api/v2/tickets/201",
        &[("X-Zhost-Agent", "999")],
        "",
    );
    assert_eq!(r.status, 401);
    // HTTP basic email/token:… of a world user.
    let basic = format!(
        "Basic {}",
        b64("maria.lopez@acme-support.example/token:abc123")
    );
    let r = h.req(
        "GET",
        "/api/v2/users/me.json",
        &[("Authorization", &basic)],
        "",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user"]["id"], 101);
    let basic = format!("Basic {}", b64("maria.lopez@acme-support.example:password"));
    assert_eq!(
        h.req(
            "GET",
            "/api/v2/users/me.json",
            &[("Authorization", &basic)],
            ""
        )
        .status,
        401
    );
}

fn b64(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in s.as_bytes().chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn read_endpoints_use_real_shapes() {
    let h = start();
    let t = h.zd("GET", "/api/v2/tickets/201.json", None).json();
    assert_eq!(t["ticket"]["priority"], "urgent");
    assert_eq!(t["ticket"]["organization_id"], 5001);
    let o = h.zd("GET", "/api/v2/organizations/5001.json", None).json();
    assert_eq!(o["organization"]["name"], "Globex Corporation");
    assert_eq!(
        o["organization"]["organization_fields"]["ase_email"],
        "maria.lopez@acme-support.example"
    );
    let f = h.zd("GET", "/api/v2/organization_fields.json", None).json();
    assert!(f["organization_fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["key"] == "ase_email"));
    let u = h
        .zd(
            "GET",
            "/api/v2/users/search.json?query=maria.lopez%40acme-support.example",
            None,
        )
        .json();
    assert_eq!(u["count"], 1);
    assert_eq!(u["users"][0]["id"], 101);
    assert_eq!(
        h.zd("GET", "/api/v2/users/101", None).json()["user"]["name"],
        "Maria Lopez"
    );
    let c = h
        .zd(
            "GET",
            "/api/v2/tickets/201/comments.json?include=users",
            None,
        )
        .json();
    assert_eq!(c["comments"].as_array().unwrap().len(), 2);
    assert_eq!(c["comments"][1]["public"], false);
    assert!(c["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == 101));
}

#[test]
fn not_found_shapes() {
    let h = start();
    let r = h.zd("GET", "/api/v2/tickets/999.json", None);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"error": "RecordNotFound", "description": "Not found"})
    );
    assert_eq!(h.zd("GET", "/api/v2/organizations/1", None).status, 404);
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/999", Some(&json!({"ticket": {}})))
            .status,
        404
    );
    let r = h.zd("GET", "/api/v2/nonsense", None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "InvalidEndpoint");
}

#[test]
fn internal_note_is_appended_and_bumps_updated_at() {
    let h = start();
    let before =
        h.zd("GET", "/api/v2/tickets/201.json", None).json()["ticket"]["updated_at"].clone();
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201.json",
        Some(
            &json!({"ticket": {"comment": {"body": "Pinged the ASE.\nline two", "public": false}}}),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_ne!(v["ticket"]["updated_at"], before);
    assert_eq!(v["audit"]["events"][0]["type"], "Comment");
    let c = h
        .zd("GET", "/api/v2/tickets/201/comments.json", None)
        .json();
    let list = c["comments"].as_array().unwrap();
    let last = list.last().unwrap();
    assert_eq!(last["public"], false);
    assert_eq!(last["author_id"], 100);
    assert_eq!(last["body"], "Pinged the ASE.\nline two");
    assert_eq!(last["plain_body"], "Pinged the ASE.\nline two");
    assert_eq!(last["type"], "Comment");
    assert!(last["html_body"]
        .as_str()
        .unwrap()
        .contains("Pinged the ASE.<br>line two"));
    // The host page sees it too.
    let view = h.get("/_zhost/ticket_view?ticket=201&agent=100").json();
    assert_eq!(view["comments"].as_array().unwrap().len(), 3);

    // html_body works as well.
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201.json",
        Some(&json!({"ticket": {"comment": {"html_body": "<p>Hello <b>there</b></p>", "public": false}}})),
    );
    assert_eq!(r.status, 200);
    let c = h
        .zd("GET", "/api/v2/tickets/201/comments.json", None)
        .json();
    assert_eq!(
        c["comments"].as_array().unwrap().last().unwrap()["plain_body"],
        "Hello there"
    );
}

#[test]
fn safe_update_conflict_is_409() {
    let h = start();
    let stamp =
        h.zd("GET", "/api/v2/tickets/201.json", None).json()["ticket"]["updated_at"].clone();
    let body = json!({"ticket": {"comment": {"body": "first", "public": false}, "safe_update": true, "updated_stamp": stamp}});
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/201.json", Some(&body)).status,
        200
    );
    // Same (now stale) stamp again: conflict, and nothing is written.
    let r = h.zd("PUT", "/api/v2/tickets/201.json", Some(&body));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "UpdateConflict");
    let c = h
        .zd("GET", "/api/v2/tickets/201/comments.json", None)
        .json();
    assert_eq!(c["comments"].as_array().unwrap().len(), 3);
    // A stamp with milliseconds (ZAF's ticket.updatedAt format) matches the same second.
    let fresh = h.zd("GET", "/api/v2/tickets/201.json", None).json()["ticket"]["updated_at"]
        .as_str()
        .unwrap()
        .replace('Z', ".000Z");
    let body = json!({"ticket": {"comment": {"body": "second", "public": false}, "safe_update": true, "updated_stamp": fresh}});
    assert_eq!(
        h.zd("PUT", "/api/v2/tickets/201.json", Some(&body)).status,
        200
    );
    // Tags honour safe_update too.
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201/tags.json",
        Some(&json!({"tags": ["x"], "safe_update": true, "updated_stamp": "2020-01-01T00:00:00Z"})),
    );
    assert_eq!(r.status, 409);
}

#[test]
fn bad_writes_are_400_or_422() {
    let h = start();
    // Not JSON content type.
    let r = h.req(
        "PUT",
        "/api/v2/tickets/201.json",
        &[
            ("X-Zhost-Agent", "100"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "ticket[comment][body]=x",
    );
    assert_eq!(r.status, 400);
    // No ticket root.
    assert_eq!(
        h.zd(
            "PUT",
            "/api/v2/tickets/201.json",
            Some(&json!({"comment": {"body": "x"}}))
        )
        .status,
        400
    );
    // Broken JSON.
    let r = h.req(
        "PUT",
        "/api/v2/tickets/201.json",
        &[
            ("X-Zhost-Agent", "100"),
            ("Content-Type", "application/json"),
        ],
        "{\"ticket\":",
    );
    assert_eq!(r.status, 400);
    // Comment without body.
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201.json",
        Some(&json!({"ticket": {"comment": {"public": false}}})),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"], "RecordInvalid");
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201.json",
        Some(&json!({"ticket": {"priority": "extreme"}})),
    );
    assert_eq!(r.status, 422);
    // Nothing changed.
    let c = h
        .zd("GET", "/api/v2/tickets/201/comments.json", None)
        .json();
    assert_eq!(c["comments"].as_array().unwrap().len(), 2);
}

#[test]
fn tags_put_post_delete() {
    let h = start();
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201/tags.json",
        Some(&json!({"tags": ["ase_pinged"]})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["tags"],
        json!(["checkout", "emergency", "ase_pinged"])
    );
    let r = h.zd(
        "DELETE",
        "/api/v2/tickets/201/tags.json",
        Some(&json!({"tags": ["checkout"]})),
    );
    assert_eq!(r.status, 204);
    let r = h.zd(
        "POST",
        "/api/v2/tickets/201/tags.json",
        Some(&json!({"tags": ["a", "b"]})),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        h.zd("GET", "/api/v2/tickets/201.json", None).json()["ticket"]["tags"],
        json!(["a", "b"])
    );
    // Field updates through PUT ticket.
    let r = h.zd(
        "PUT",
        "/api/v2/tickets/201.json",
        Some(&json!({"ticket": {"assignee_id": 101, "additional_tags": ["ase_dri"]}})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["ticket"]["assignee_id"], 101);
    assert_eq!(r.json()["ticket"]["tags"], json!(["a", "b", "ase_dri"]));
}

/// Two accounts, one Slack: the world's sandbox (a copy of the account with the same ticket
/// ids) keeps its own tickets and notes, chosen by `X-Zhost-Account` (REST) or `account=` (pages,
/// ZAF data, the proxy body).
#[test]
fn a_sandbox_account_has_its_own_zendesk_and_the_same_slack() {
    let h = start();
    let world = h.get("/_emulator/world").json();
    let sandbox = world["sandbox"]["subdomain"].as_str().unwrap().to_owned();
    let main = world["account"]["subdomain"].as_str().unwrap().to_owned();
    let note = json!({"ticket": {"comment": {"body": "sandbox only", "public": false}}});
    let r = h.req(
        "PUT",
        "/api/v2/tickets/201.json",
        &[
            ("X-Zhost-Agent", "100"),
            ("X-Zhost-Account", &sandbox),
            ("Content-Type", "application/json"),
        ],
        &note.to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let bodies = |account: &str| -> Vec<String> {
        let r = h.req(
            "GET",
            "/api/v2/tickets/201/comments.json",
            &[("X-Zhost-Agent", "100"), ("X-Zhost-Account", account)],
            "",
        );
        r.json()["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert!(bodies(&sandbox).iter().any(|b| b == "sandbox only"));
    assert!(
        !bodies(&main).iter().any(|b| b == "sandbox only"),
        "the main account is untouched"
    );
    // ZAF data names the account it is for.
    let data = h
        .get(&format!(
            "/_zaf/data?ticket=201&agent=100&account={sandbox}"
        ))
        .json();
    assert_eq!(data["data"]["currentAccount.subdomain"], sandbox.as_str());
    let data = h.get("/_zaf/data?ticket=201&agent=100").json();
    assert_eq!(data["data"]["currentAccount.subdomain"], main.as_str());
}
