//! Test harness: starts zhost on an ephemeral port with the demo world and a scratch app dir,
//! and talks HTTP/1.1 over `std::net::TcpStream`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

pub const TOKEN: &str = "xoxb-local-demo-token";
pub const CHANNEL: &str = "C0EMERGENCY";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh scratch directory under the system temp dir.
pub fn scratch(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "zhost-test-{}-{}-{tag}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    dir
}

pub struct Host {
    pub port: u16,
    pub app_dir: PathBuf,
    server: Option<zhost::Server>,
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
        let _ = std::fs::remove_dir_all(&self.app_dir);
    }
}

/// Starts zhost with the demo world.
pub fn start() -> Host {
    start_with_world(repo().join("worlds/demo.json"))
}

/// Starts zhost with a given world file.
pub fn start_with_world(world: PathBuf) -> Host {
    let app_dir = scratch("app");
    std::fs::copy(repo().join("manifest.json"), app_dir.join("manifest.json")).unwrap();
    std::fs::write(
        app_dir.join("assets/iframe.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <script src=\"https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js\"></script>\
         </head><body><div id=\"app\"></div><script src=\"main.js\"></script></body></html>",
    )
    .unwrap();
    std::fs::write(app_dir.join("assets/main.js"), "console.log('app');").unwrap();
    let sdk = app_dir.join("sdk.js");
    std::fs::write(&sdk, "var ZAFClient = {};").unwrap();
    let server = zhost::serve(zhost::Config {
        port: 0,
        world_path: world,
        app_dir: app_dir.clone(),
        sdk_path: sdk,
    })
    .expect("zhost starts");
    Host {
        port: server.port(),
        app_dir,
        server: Some(server),
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as sent (still content-coded), for tests of compression.
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Host {
    /// One raw request. `headers` must not include Host/Content-Length/Connection.
    pub fn raw(
        &self,
        host: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}:{}\r\nConnection: close\r\n",
            self.port
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        parse(&buf)
    }

    pub fn req(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        self.raw("127.0.0.1", method, path, headers, body.as_bytes())
    }

    pub fn get(&self, path: &str) -> Response {
        self.req("GET", path, &[], "")
    }

    /// A Slack call with the right token and a JSON body.
    pub fn slack_json(&self, method: &str, body: &Value) -> Response {
        self.req(
            "POST",
            &format!("/slack/api/{method}"),
            &[
                ("Authorization", &format!("Bearer {TOKEN}")),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
            &body.to_string(),
        )
    }

    /// A Slack GET with the right token.
    pub fn slack_get(&self, method: &str, query: &str) -> Response {
        self.req(
            "GET",
            &format!("/slack/api/{method}?{query}"),
            &[("Authorization", &format!("Bearer {TOKEN}"))],
            "",
        )
    }

    /// A Zendesk REST call as agent 100.
    pub fn zd(&self, method: &str, path: &str, body: Option<&Value>) -> Response {
        match body {
            Some(b) => self.req(
                method,
                path,
                &[
                    ("X-Zhost-Agent", "100"),
                    ("Content-Type", "application/json"),
                ],
                &b.to_string(),
            ),
            None => self.req(method, path, &[("X-Zhost-Agent", "100")], ""),
        }
    }

    /// A `client.request` through the ZAF proxy as agent 100 on ticket 201.
    pub fn proxy(&self, options: Value) -> Value {
        let body = serde_json::json!({"options": options, "ticket": 201, "agent": 100});
        let r = self.req(
            "POST",
            "/_zaf/request",
            &[("Content-Type", "application/json")],
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }
}

fn parse(buf: &[u8]) -> Response {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP head");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut body = buf[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + size]);
            rest = &rest[nl + 2 + size + 2..];
        }
        body = out;
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}
