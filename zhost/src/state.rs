//! Shared server state: the live world, the app manifest, the clock, the request log and the
//! Slack failure-injection rules. One `Mutex<State>` guards it all.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::world::{load_world, World};
use crate::Error;

/// What zhost needs from the app's manifest.json.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    /// `(name, scopes)` of every `secure: true` parameter.
    pub secure: Vec<(String, Vec<String>)>,
    pub domain_whitelist: Vec<String>,
    /// `(name, default)` of every parameter.
    pub params: Vec<(String, Option<Value>)>,
    /// The ticket_sidebar location URL (`assets/iframe.html`).
    pub sidebar_url: String,
}

impl Manifest {
    /// Reads `<app_dir>/manifest.json`.
    pub fn load(app_dir: &Path) -> Result<Manifest, Error> {
        let path = app_dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| Error::Manifest {
            path: path.clone(),
            message: format!("not valid JSON: {e}"),
        })?;
        let params = v
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut m = Manifest {
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("App")
                .to_owned(),
            version: v
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or("0.0.0")
                .to_owned(),
            ..Manifest::default()
        };
        for p in &params {
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                return Err(Error::Manifest {
                    path,
                    message: "a parameter has no \"name\"".into(),
                });
            };
            m.params.push((name.to_owned(), p.get("default").cloned()));
            if p.get("secure").and_then(Value::as_bool) == Some(true) {
                let scopes = p
                    .get("scopes")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                m.secure.push((name.to_owned(), scopes));
            }
        }
        m.sidebar_url = match v.pointer("/location/support/ticket_sidebar") {
            Some(Value::String(u)) => u.clone(),
            Some(o) => o
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or("assets/iframe.html")
                .to_owned(),
            None => "assets/iframe.html".to_owned(),
        };
        m.domain_whitelist = v
            .get("domainWhitelist")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(m)
    }

    /// Is `name` a secure parameter?
    pub fn is_secure(&self, name: &str) -> bool {
        self.secure.iter().any(|(n, _)| n == name)
    }

    /// Is `host` one of the whitelisted domains or a subdomain of one?
    pub fn host_whitelisted(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.domain_whitelist.iter().any(|d| {
            let d = d.trim().trim_start_matches("*.").to_ascii_lowercase();
            !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
        })
    }
}

pub use crate::faults::FailRule;

/// Everything mutable, behind one mutex.
#[derive(Debug)]
pub struct State {
    pub world: World,
    pub world_path: PathBuf,
    pub manifest: Manifest,
    pub app_dir: PathBuf,
    pub sdk_path: PathBuf,
    pub port: u16,
    /// Real time (ms) when the world clock started.
    pub clock_epoch_real_ms: i64,
    pub last_slack_ts_us: i64,
    pub next_zendesk_id: u64,
    pub failures: Vec<FailRule>,
    pub log: Vec<Value>,
    /// Recent calls per rate-limit bucket (Slack method, or chat.postMessage per channel), in
    /// real ms, for the emulator's own rate limits (`slack.rs`).
    pub calls: std::collections::HashMap<String, std::collections::VecDeque<i64>>,
    /// The sandbox account's Zendesk data while the main account's is in `world` (see
    /// [`State::in_account`]).
    pub sandbox: Option<Value>,
}

/// Wall-clock milliseconds. The workspace bans `SystemTime::now` because it panics on wasm32;
/// zhost is a native server, so this is the one place allowed to read the system clock.
#[allow(clippy::disallowed_methods)]
pub fn real_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl State {
    /// Fresh state for a world.
    pub fn new(
        world: World,
        world_path: PathBuf,
        manifest: Manifest,
        app_dir: PathBuf,
        sdk_path: PathBuf,
    ) -> State {
        let mut s = State {
            last_slack_ts_us: 0,
            next_zendesk_id: 0,
            world,
            world_path,
            manifest,
            app_dir,
            sdk_path,
            port: 0,
            clock_epoch_real_ms: real_now_ms(),
            failures: Vec::new(),
            log: Vec::new(),
            calls: std::collections::HashMap::new(),
            sandbox: None,
        };
        s.reset_counters();
        s
    }

    fn reset_counters(&mut self) {
        self.sandbox = self
            .world
            .sandbox_subdomain()
            .map(|s| self.world.account_copy(s));
        self.clock_epoch_real_ms = real_now_ms();
        self.last_slack_ts_us = self.world.max_slack_ts_us();
        self.next_zendesk_id = self.world.max_comment_id().max(9_000_000_000) + 1;
    }

    /// Reloads the world file and the manifest; clears logs and failure rules.
    pub fn reset(&mut self) -> Result<(), Error> {
        let world = load_world(&self.world_path)?;
        if let Ok(m) = Manifest::load(&self.app_dir) {
            self.manifest = m;
        }
        self.world = world;
        self.failures.clear();
        self.log.clear();
        self.calls.clear();
        self.reset_counters();
        Ok(())
    }

    /// Runs `f` with the Zendesk account `account` (a subdomain) in `world`: the sandbox's when
    /// `account` names it, else the main one. Slack is the same for both.
    pub fn in_account<R>(&mut self, account: Option<&str>, f: impl FnOnce(&mut State) -> R) -> R {
        let sandbox = account.is_some_and(|a| self.world.sandbox_subdomain() == Some(a));
        let Some(mut other) = (if sandbox { self.sandbox.take() } else { None }) else {
            return f(self);
        };
        self.world.swap_account(&mut other);
        let out = f(self);
        self.world.swap_account(&mut other);
        self.sandbox = Some(other);
        out
    }

    /// World time in ms: `clock.start` + elapsed real time, or real time without a clock.
    pub fn now_ms(&self) -> i64 {
        let real = real_now_ms();
        match self.world.clock_start_ms() {
            Some(start) => start + (real - self.clock_epoch_real_ms).max(0),
            None => real,
        }
    }

    /// A fresh id for comments and audits.
    pub fn next_id(&mut self) -> u64 {
        self.next_zendesk_id += 1;
        self.next_zendesk_id
    }

    /// A strictly increasing Slack ts based on world time.
    pub fn next_slack_ts(&mut self) -> String {
        let us = (self.now_ms() * 1000).max(self.last_slack_ts_us + 1);
        self.last_slack_ts_us = us;
        crate::world::us_to_ts(us)
    }

    /// `http://127.0.0.1:P`
    pub fn host_origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://localhost:P`
    pub fn app_origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Settings the app may read: world settings minus secure parameters (plus `title`, which
    /// Zendesk always adds).
    pub fn public_settings(&self) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        out.insert("title".into(), json!(self.manifest.name));
        for (k, v) in self.world.settings() {
            if !self.manifest.is_secure(&k) {
                out.insert(k, v);
            }
        }
        out
    }
}
