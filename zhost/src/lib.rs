//! zhost: the local Zendesk host for ASE Emergency Assist.
//!
//! One HTTP server (`server`: `std::net`, a thread per connection) that plays everything the app meets in
//! production (CONTRACTS.md §1–5):
//! - host pages at `http://127.0.0.1:P` (ticket list, Zendesk-like ticket view with the app iframe
//!   and a live Slack channel panel) whose JavaScript is the ZAF parent frame for the real SDK;
//! - the packaged app at the second origin `http://localhost:P/app/...`;
//! - the ZAF request proxy (`/_zaf/request`), a Zendesk REST emulator (`/api/v2/`) and a Slack
//!   Web API emulator (`/slack/api/<method>`), plus test endpoints under `/_emulator/`.
//!
//! ```no_run
//! let server = zhost::serve(zhost::Config {
//!     port: 0,
//!     world_path: "worlds/demo.json".into(),
//!     app_dir: "target/app".into(),
//!     sdk_path: "target/zaf/zaf_sdk.js".into(),
//! })?;
//! println!("http://127.0.0.1:{}/", server.port());
//! server.wait();
//! # Ok::<(), zhost::Error>(())
//! ```

mod faults;
mod http;
mod pages;
mod proxy;
mod search;
mod server;
mod slack;
mod state;
mod util;
mod world;
mod zendesk;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use serde_json::json;

pub use http::{compress, Coding};
pub use world::{load_world, World};

use http::{Req, Resp};
use state::{FailRule, Manifest, State};

/// Largest request body zhost reads (bigger bodies get 413).
pub(crate) const MAX_BODY: u64 = 8 * 1024 * 1024;

/// How to run the host.
#[derive(Debug, Clone)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 picks a free one (see [`Server::port`]).
    pub port: u16,
    /// World file (JSON, CONTRACTS.md §5).
    pub world_path: PathBuf,
    /// Built app package: manifest.json, assets/, translations/.
    pub app_dir: PathBuf,
    /// esbuild bundle of the npm ZAF SDK, served as `/zaf/zaf_sdk.js`.
    pub sdk_path: PathBuf,
}

/// Everything that can go wrong starting zhost or loading a world.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The world file is not usable; every problem is listed with its JSON path.
    World {
        path: PathBuf,
        problems: Vec<String>,
    },
    /// The app's manifest.json is not usable.
    Manifest { path: PathBuf, message: String },
    /// The port could not be bound.
    Bind { addr: String, message: String },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Error::World { path, problems } => {
                write!(f, "world file {} is invalid:", path.display())?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
            Error::Manifest { path, message } => {
                write!(f, "app manifest {} is invalid: {message}", path.display())
            }
            Error::Bind { addr, message } => write!(f, "cannot listen on {addr}: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A running host. Dropping it leaves the server running; call [`Server::stop`] to end it.
pub struct Server {
    port: u16,
    stopper: server::Stopper,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:P` (host pages).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Blocks until the server stops.
    pub fn wait(mut self) {
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }

    /// Stops accepting requests and waits for the accept loop to end.
    pub fn stop(mut self) {
        self.stopper.stop();
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Starts the host in background threads.
pub fn serve(config: Config) -> Result<Server, Error> {
    let world = load_world(&config.world_path)?;
    let manifest = Manifest::load(&config.app_dir)?;
    let addr = format!("127.0.0.1:{}", config.port);
    let listener = server::Listener::bind(&addr).map_err(|e| Error::Bind {
        addr: addr.clone(),
        message: e.to_string(),
    })?;
    let port = listener.port();
    let mut st = State::new(
        world,
        config.world_path.clone(),
        manifest,
        config.app_dir.clone(),
        config.sdk_path.clone(),
    );
    st.port = port;
    let state = Arc::new(Mutex::new(st));
    let stopper = listener.stopper();
    let accept = std::thread::Builder::new()
        .name("zhost-accept".into())
        .spawn(move || listener.run(move |req| respond(&state, req)))
        .map_err(|e| Error::Bind {
            addr: addr.clone(),
            message: e.to_string(),
        })?;
    Ok(Server {
        port,
        stopper,
        accept: Some(accept),
    })
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn respond(state: &Mutex<State>, req: Req) -> server::Answer {
    let mut resp = route(state, &req);
    let (delay_ms, drop) = faults::disposition(&mut resp);
    if delay_ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    }
    if drop {
        // Not HTTP: the client sees a broken connection, whatever happened on this side. Long
        // enough that a browser sees at once it is not HTTP (it sniffs the first bytes).
        return server::Answer::Drop(b"zhost: connection dropped by an injected fault\r\n\r\n");
    }
    if !resp
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("cache-control"))
    {
        resp.headers
            .push(("Cache-Control".to_owned(), "no-store".to_owned()));
    }
    server::Answer::Response(resp)
}

/// Which of the two origins the request came to.
fn is_app_origin(req: &Req) -> bool {
    req.header("host")
        .map(|h| {
            h.split(':')
                .next()
                .unwrap_or("")
                .eq_ignore_ascii_case("localhost")
        })
        .unwrap_or(false)
}

/// Which Zendesk account a request is for (a sandbox's subdomain, else the main account): the
/// `account` query parameter (pages, ZAF data), the `X-Zhost-Account` header (REST), or the
/// proxy body's `account`.
fn account_of(req: &Req) -> Option<String> {
    req.query_param("account")
        .or_else(|| req.header("x-zhost-account").map(str::to_owned))
        .or_else(|| {
            (req.path == "/_zaf/request")
                .then(|| req.json_body())
                .flatten()
                .and_then(|b| b.get("account").and_then(|a| a.as_str()).map(str::to_owned))
        })
        .filter(|a| !a.is_empty())
}

fn route(state: &Mutex<State>, req: &Req) -> Resp {
    let path = req.path.as_str();
    let m = req.method.as_str();
    if let Some(rest) = path.strip_prefix("/slack/api/") {
        return slack::handle(&mut lock(state), rest, req);
    }
    let account = account_of(req);
    let account = account.as_deref();
    if path.starts_with("/api/v2/") || path == "/api/v2" {
        return lock(state).in_account(account, |st| zendesk::handle(st, req));
    }
    if path.starts_with("/app/") {
        // Compressed after the state lock is released: brotli takes a while on a first request,
        // and the emulators must not wait for it.
        let (resp, cache) = pages::app_asset(&lock(state), req);
        return resp.encoded(req, cache);
    }
    if path == "/zaf/zaf_sdk.js" {
        return pages::sdk(&lock(state));
    }
    match (m, path) {
        ("POST", "/_zaf/request") => lock(state).in_account(account, |st| proxy::handle(st, req)),
        ("GET", "/_zaf/data") => lock(state).in_account(account, |st| pages::zaf_data(st, req)),
        ("GET", "/_zhost/ticket_view") => {
            lock(state).in_account(account, |st| pages::ticket_view(st, req))
        }
        ("GET", "/_emulator/requests") => {
            Resp::json(200, &json!({"requests": lock(state).log.clone()}))
        }
        ("DELETE", "/_emulator/requests") => {
            lock(state).log.clear();
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/_emulator/fail" | "/_emulator/slack/fail") => add_failure(&mut lock(state), req),
        ("DELETE", "/_emulator/fail" | "/_emulator/slack/fail") => {
            lock(state).failures.clear();
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", "/_emulator/slack/messages") => {
            let body = req.json_body().unwrap_or_default();
            let channel = body
                .get("channel")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let count = body.get("count").and_then(|v| v.as_u64()).unwrap_or(1) as usize;
            let text = body
                .get("text")
                .and_then(|v| v.as_str())
                .unwrap_or("message");
            match slack::seed(&mut lock(state), channel, count, text) {
                Ok(n) => Resp::json(200, &json!({"ok": true, "added": n})),
                Err(e) => Resp::json(404, &json!({"error": e})),
            }
        }
        ("GET", "/_emulator/slack/channel") => {
            let st = lock(state);
            let id = req.query_param("id").unwrap_or_default();
            if st.world.slack_channel(&id).is_none() {
                return Resp::json(
                    404,
                    &json!({"error": format!("no channel {id:?} in the world")}),
                );
            }
            Resp::json(200, &slack::channel_view(&st, &id))
        }
        ("POST", "/_emulator/reset") => match lock(state).reset() {
            Ok(()) => Resp::json(200, &json!({"ok": true})),
            Err(e) => Resp::json(500, &json!({"ok": false, "error": e.to_string()})),
        },
        ("GET", "/_emulator/world") => Resp::json(200, lock(state).world.json()),
        ("GET", "/_emulator/clock") => {
            let st = lock(state);
            let now = st.now_ms();
            Resp::json(
                200,
                &json!({"now_ms": now, "now": util::format_rfc3339(now)}),
            )
        }
        _ => lock(state).in_account(account, |st| pages::route(st, req, is_app_origin(req))),
    }
}

fn add_failure(state: &mut State, req: &Req) -> Resp {
    let Some(body) = req.json_body() else {
        return Resp::json(
            400,
            &json!({"error": "body must be JSON {route, error?, status?, retry_after?, count?, after?, delay_ms?, drop?}"}),
        );
    };
    match FailRule::from_json(&body) {
        Ok(rule) => {
            state.failures.push(rule);
            Resp::json(200, &json!({"ok": true}))
        }
        Err(e) => Resp::json(400, &json!({"error": e})),
    }
}
