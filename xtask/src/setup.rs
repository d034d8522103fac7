//! The set-up step every command that builds or tests runs first: it checks for the tools the
//! command needs and installs the missing ones, so `cargo xtask demo` and `cargo xtask test` work
//! on a fresh Debian machine that has only Rust (rustup) and Node.
//!
//! It prints one line per tool (`setup: <tool>: found` or what it installs), installs what is
//! missing, then probes again and fails unless everything is there. A second run installs nothing.
//!
//! What is needed:
//! - every building command: the rustup target wasm32-unknown-unknown; the wasm-bindgen CLI at
//!   exactly the version of the `wasm-bindgen` package in Cargo.lock; `node_modules` installed
//!   from package-lock.json (`npm ci`), and npm itself when that install is due;
//! - `screenshot` also: Chromium (`/usr/bin/chromium`, Debian package `chromium`);
//! - `test` also: the rustfmt and clippy components, Chromium's driver (`/usr/bin/chromedriver`,
//!   Debian package `chromium-driver`) and npm.
//!
//! Debian packages are installed with apt-get when xtask runs as root; otherwise the exact command
//! is printed and the step fails.

use crate::build::Paths;
use crate::command::{self, io_err, Error};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const NPM_CI: &[&str] = &["ci", "--no-audit", "--no-fund"];

/// What a command needs installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// build, package, demo, bench: the wasm toolchain and the npm packages.
    Build,
    /// screenshot: the build's tools and Chromium.
    Screenshot,
    /// test: everything, including rustfmt, clippy and Chromium's driver.
    Test,
}

impl Need {
    fn rust_components(self) -> bool {
        self == Need::Test
    }

    fn chromium(self) -> bool {
        self != Need::Build
    }

    fn chromedriver(self) -> bool {
        self == Need::Test
    }
}

/// Where the wasm-bindgen CLI of the locked version was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bindgen {
    /// `wasm-bindgen` on PATH is the locked version.
    OnPath,
    /// The locked version is in this directory, which is not (first) on PATH.
    InDir(PathBuf),
    /// Not found at the locked version; the version that was found instead, if any.
    Missing(Option<String>),
}

/// The state of `node_modules` against package-lock.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeModules {
    Fresh,
    Missing,
    /// Installed, but not what package-lock.json says; the text says why.
    Stale(String),
}

/// What is on the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub rustfmt: bool,
    pub clippy: bool,
    pub wasm_target: bool,
    /// The wasm-bindgen version Cargo.lock pins.
    pub bindgen_version: String,
    pub bindgen: Bindgen,
    pub chromium: bool,
    pub chromedriver: bool,
    pub npm: bool,
    pub node_modules: NodeModules,
}

/// One installing step, in the order they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `apt-get update` then `apt-get install -y` these Debian packages.
    Apt(Vec<&'static str>),
    /// `rustup component add` these components.
    RustupComponents(Vec<&'static str>),
    /// `rustup target add wasm32-unknown-unknown`.
    RustupTarget,
    /// Put this directory first on PATH for this run (the locked wasm-bindgen is there).
    PrependPath(PathBuf),
    /// `cargo install wasm-bindgen-cli --version <v>`.
    InstallBindgen(String),
    /// `npm ci --no-audit --no-fund`.
    NpmCi,
}

impl Action {
    /// The command line a person would type (PATH changes are described instead).
    fn describe(&self) -> String {
        match self {
            Action::Apt(pkgs) => format!("apt-get install -y {}", pkgs.join(" ")),
            Action::RustupComponents(c) => format!("rustup component add {}", c.join(" ")),
            Action::RustupTarget => format!("rustup target add {WASM_TARGET}"),
            Action::PrependPath(dir) => format!("adding {} to PATH for this run", dir.display()),
            Action::InstallBindgen(v) => format!("cargo install wasm-bindgen-cli --version {v}"),
            Action::NpmCi => format!("npm {}", NPM_CI.join(" ")),
        }
    }
}

/// The lines to print, one per tool, and the actions that install what is missing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub lines: Vec<String>,
    pub actions: Vec<Action>,
}

impl Plan {
    /// True when nothing needs installing.
    pub fn is_complete(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Decides, from what is on the machine, what `need` lacks and how to install it.
pub fn plan(p: &Probe, need: Need) -> Plan {
    let mut plan = Plan::default();
    let mut line = |tool: &str, missing: Option<String>| {
        plan.lines.push(match missing {
            None => format!("setup: {tool}: found"),
            Some(what) => format!("setup: {tool}: {what}"),
        });
    };
    let installing =
        |what: &str, action: &Action| format!("{what}, installing: {}", action.describe());
    let mut apt = Vec::new();
    let mut actions = Vec::new();

    if need.rust_components() {
        let missing: Vec<&'static str> = [("rustfmt", p.rustfmt), ("clippy", p.clippy)]
            .into_iter()
            .filter_map(|(name, present)| (!present).then_some(name))
            .collect();
        let action = Action::RustupComponents(missing.clone());
        line(
            "rustfmt and clippy components",
            (!missing.is_empty())
                .then(|| installing(&format!("missing {}", missing.join(" and ")), &action)),
        );
        if !missing.is_empty() {
            actions.push(action);
        }
    }

    line(
        &format!("{WASM_TARGET} target"),
        (!p.wasm_target).then(|| installing("missing", &Action::RustupTarget)),
    );
    if !p.wasm_target {
        actions.push(Action::RustupTarget);
    }

    let install = Action::InstallBindgen(p.bindgen_version.clone());
    line(
        &format!("wasm-bindgen CLI {} (as in Cargo.lock)", p.bindgen_version),
        match &p.bindgen {
            Bindgen::OnPath => None,
            Bindgen::InDir(dir) => Some(format!(
                "found in {}, not first on PATH; adding it to PATH for this run",
                dir.display()
            )),
            Bindgen::Missing(None) => Some(installing("missing", &install)),
            Bindgen::Missing(Some(other)) => Some(installing(
                &format!("wasm-bindgen on PATH is {other}"),
                &install,
            )),
        },
    );
    match &p.bindgen {
        Bindgen::OnPath => {}
        Bindgen::InDir(dir) => actions.push(Action::PrependPath(dir.clone())),
        Bindgen::Missing(_) => actions.push(install),
    }

    let npm_ci = p.node_modules != NodeModules::Fresh;
    for (wanted, present, tool, package) in [
        (need.chromium(), p.chromium, "chromium", "chromium"),
        (
            need.chromedriver(),
            p.chromedriver,
            "chromedriver",
            "chromium-driver",
        ),
        // The build needs npm only to install the packages; the tests want it in any case.
        (need == Need::Test || npm_ci, p.npm, "npm", "npm"),
    ] {
        if wanted {
            line(
                tool,
                (!present).then(|| format!("missing, installing Debian package {package}")),
            );
            if !present {
                apt.push(package);
            }
        }
    }
    if !apt.is_empty() {
        // First: npm ci needs npm.
        actions.insert(0, Action::Apt(apt));
    }

    line(
        "npm packages (node_modules)",
        match &p.node_modules {
            NodeModules::Fresh => None,
            NodeModules::Missing => Some(installing("missing", &Action::NpmCi)),
            NodeModules::Stale(why) => {
                Some(installing(&format!("out of date ({why})"), &Action::NpmCi))
            }
        },
    );
    if npm_ci {
        actions.push(Action::NpmCi);
    }
    plan.actions = actions;
    plan
}

/// Checks for what `need` requires, installs what is missing, and fails unless it is all there
/// afterwards.
pub fn ensure(paths: &Paths, need: Need) -> Result<(), Error> {
    let root = paths.root.as_path();
    let first = probe(root, need)?;
    let plan = plan(&first, need);
    for line in &plan.lines {
        eprintln!("{line}");
    }
    if plan.is_complete() {
        return Ok(());
    }
    for action in &plan.actions {
        run(action, root)?;
    }
    let after = plan_after_install(root, need)?;
    if !after.is_complete() {
        let still: Vec<String> = after.actions.iter().map(Action::describe).collect();
        return Err(Error::Tool(format!(
            "setup: still missing after installing: {}",
            still.join("; ")
        )));
    }
    eprintln!("setup: done");
    Ok(())
}

fn plan_after_install(root: &Path, need: Need) -> Result<Plan, Error> {
    let p = probe(root, need)?;
    let mut plan = plan(&p, need);
    // A PATH change made during the run is enough; it is not "missing".
    plan.actions
        .retain(|a| !matches!(a, Action::PrependPath(_)));
    Ok(plan)
}

fn run(action: &Action, root: &Path) -> Result<(), Error> {
    match action {
        Action::Apt(pkgs) => apt_install(pkgs),
        Action::RustupComponents(components) => command::run(
            rustup()?
                .args(["component", "add"])
                .args(components)
                .current_dir(root),
        ),
        Action::RustupTarget => command::run(
            rustup()?
                .args(["target", "add", WASM_TARGET])
                .current_dir(root),
        ),
        Action::PrependPath(dir) => {
            prepend_path(dir);
            Ok(())
        }
        Action::InstallBindgen(version) => {
            // Not --locked: installing with the CLI's own Cargo.lock fails on this project's
            // registry today; the version itself is pinned exactly.
            command::run(
                command::cargo()
                    .args(["install", "wasm-bindgen-cli", "--version", version])
                    .current_dir(root),
            )?;
            // Make the fresh install the one `wasm-bindgen` finds, whatever PATH holds.
            for dir in install_dirs() {
                if bindgen_version_at(&dir.join("wasm-bindgen")).as_deref() == Some(version) {
                    prepend_path(&dir);
                    break;
                }
            }
            Ok(())
        }
        Action::NpmCi => command::run(Command::new("npm").args(NPM_CI).current_dir(root)),
    }
}

fn rustup() -> Result<Command, Error> {
    let rustup = command::which("rustup").or_else(|| {
        install_dirs()
            .into_iter()
            .map(|d| d.join("rustup"))
            .find(|p| p.is_file())
    });
    match rustup {
        Some(path) => Ok(Command::new(path)),
        None => Err(Error::Tool(
            "rustup is not on PATH: install Rust with rustup (https://rustup.rs), then rerun"
                .into(),
        )),
    }
}

fn apt_install(pkgs: &[&str]) -> Result<(), Error> {
    let list = pkgs.join(" ");
    if !is_root() {
        return Err(Error::Tool(format!(
            "setup: the Debian packages {list} are needed and xtask is not running as root; run\n\n    \
             sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y {list}\n\n\
             then run this command again"
        )));
    }
    command::run(
        Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    command::run(
        Command::new("apt-get")
            .args(["install", "-y"])
            .args(pkgs)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn prepend_path(dir: &Path) {
    let old = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&old));
    if let Ok(new) = std::env::join_paths(dirs) {
        // xtask is single-threaded here; the commands it starts later inherit the new PATH.
        std::env::set_var("PATH", new);
    }
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, `$CARGO_HOME/bin` or
/// `~/.cargo/bin`.
fn install_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(root) = std::env::var_os("CARGO_INSTALL_ROOT") {
        dirs.push(PathBuf::from(root).join("bin"));
    }
    match std::env::var_os("CARGO_HOME") {
        Some(home) => dirs.push(PathBuf::from(home).join("bin")),
        None => {
            if let Some(home) = std::env::var_os("HOME") {
                dirs.push(PathBuf::from(home).join(".cargo").join("bin"));
            }
        }
    }
    dirs
}

/// Looks at the machine.
fn probe(root: &Path, need: Need) -> Result<Probe, Error> {
    let lock =
        fs::read_to_string(root.join("Cargo.lock")).map_err(io_err("cannot read Cargo.lock"))?;
    let bindgen_version = locked_version(&lock, "wasm-bindgen").map_err(Error::Tool)?;
    let (rustfmt, clippy) = if need.rust_components() {
        (
            succeeds(
                command::cargo()
                    .args(["fmt", "--version"])
                    .current_dir(root),
            ),
            succeeds(
                command::cargo()
                    .args(["clippy", "--version"])
                    .current_dir(root),
            ),
        )
    } else {
        (true, true)
    };
    Ok(Probe {
        rustfmt,
        clippy,
        wasm_target: has_wasm_target(root),
        bindgen: find_bindgen(&bindgen_version),
        bindgen_version,
        chromium: browser_present("CHROMIUM", CHROMIUM),
        chromedriver: browser_present("CHROMEDRIVER", CHROMEDRIVER),
        npm: command::which("npm").is_some(),
        node_modules: node_modules(root)?,
    })
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `/usr/bin/chromium` exists, or the file the tests are told to use instead (`CHROMIUM`,
/// `CHROMEDRIVER`); apt-get can only provide the former.
fn browser_present(env: &str, default: &str) -> bool {
    let chosen = std::env::var_os(env).filter(|p| !p.is_empty());
    chosen.is_some_and(|p| Path::new(&p).is_file()) || Path::new(default).is_file()
}

/// The toolchain's sysroot has the wasm32 standard library.
fn has_wasm_target(root: &Path) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(["--print", "sysroot"])
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|sysroot| sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir())
}

/// `wasm-bindgen --version` of one binary.
fn bindgen_version_at(program: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    parse_bindgen_version(&String::from_utf8_lossy(&out.stdout))
}

/// Finds the locked wasm-bindgen CLI on PATH, else where `cargo install` puts it.
fn find_bindgen(want: &str) -> Bindgen {
    let on_path = command::which("wasm-bindgen").and_then(|p| bindgen_version_at(&p));
    if on_path.as_deref() == Some(want) {
        return Bindgen::OnPath;
    }
    for dir in install_dirs() {
        if bindgen_version_at(&dir.join("wasm-bindgen")).as_deref() == Some(want) {
            return Bindgen::InDir(dir);
        }
    }
    Bindgen::Missing(on_path)
}

fn node_modules(root: &Path) -> Result<NodeModules, Error> {
    let lock = fs::read_to_string(root.join("package-lock.json"))
        .map_err(io_err("cannot read package-lock.json"))?;
    let dir = root.join("node_modules");
    if !dir.is_dir() {
        return Ok(NodeModules::Missing);
    }
    let Ok(installed) = fs::read_to_string(dir.join(".package-lock.json")) else {
        return Ok(NodeModules::Stale(
            "node_modules/.package-lock.json is missing".into(),
        ));
    };
    node_modules_state(
        &lock,
        &installed,
        |key| root.join(key).is_dir(),
        node_os(),
        node_cpu(),
    )
    .map_err(|e| Error::Tool(format!("package-lock.json: {e}")))
}

/// Node's name for this operating system (`process.platform`).
fn node_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    }
}

/// Node's name for this processor (`process.arch`).
fn node_cpu() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x64",
        "x86" => "ia32",
        "aarch64" => "arm64",
        "loongarch64" => "loong64",
        other => other,
    }
}

/// The versions of package `name` in a Cargo.lock text, in file order.
pub fn lock_versions(lock: &str, name: &str) -> Vec<String> {
    let wanted = format!("name = \"{name}\"");
    let mut versions = Vec::new();
    let mut in_package = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = false;
        } else if line == wanted {
            in_package = true;
        } else if in_package {
            if let Some(v) = line
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
            {
                versions.push(v.to_string());
                in_package = false;
            }
        }
    }
    versions
}

/// The one version of `name` Cargo.lock pins.
pub fn locked_version(lock: &str, name: &str) -> Result<String, String> {
    let mut versions = lock_versions(lock, name);
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("Cargo.lock has no {name} package")),
        many => Err(format!(
            "Cargo.lock has {name} at {}; the wasm-bindgen CLI can match only one",
            many.join(" and ")
        )),
    }
}

/// The version in `wasm-bindgen --version` output: `wasm-bindgen 0.2.130` (some builds add a
/// commit hash after it).
pub fn parse_bindgen_version(output: &str) -> Option<String> {
    let first = output.lines().next()?.trim();
    let version = first
        .strip_prefix("wasm-bindgen ")?
        .split_whitespace()
        .next()?;
    let core = version.split(['-', '+']).next()?;
    let numbers: Vec<&str> = core.split('.').collect();
    let valid = numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    valid.then(|| version.to_string())
}

/// Whether `node_modules` holds what package-lock.json says, judged from npm's own record of
/// what it installed (`node_modules/.package-lock.json`, written by every npm install):
/// every package npm would install here (optional ones only when they are for this `os`/`cpu`)
/// is recorded at the locked version and its directory exists (`exists` gets the lock key, e.g.
/// `node_modules/esbuild`), and nothing is recorded that the lock no longer has.
pub fn node_modules_state(
    lock: &str,
    installed: &str,
    exists: impl Fn(&str) -> bool,
    os: &str,
    cpu: &str,
) -> Result<NodeModules, String> {
    let packages = |text: &str| -> Option<BTreeMap<String, Value>> {
        let json: Value = serde_json::from_str(text).ok()?;
        let map = json.get("packages")?.as_object()?;
        Some(
            map.iter()
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    };
    let locked = packages(lock).ok_or("not a lockfile with a \"packages\" object (npm 7+)")?;
    let Some(have) = packages(installed) else {
        return Ok(NodeModules::Stale(
            "node_modules/.package-lock.json is unreadable".into(),
        ));
    };
    let short = |key: &str| {
        key.rsplit_once("node_modules/")
            .map_or(key, |(_, name)| name)
            .to_string()
    };
    let version = |v: &Value| v.get("version").and_then(Value::as_str).map(str::to_string);
    for (key, entry) in &locked {
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let optional = entry.get("optional").and_then(Value::as_bool) == Some(true);
        let for_here =
            platform_matches(entry.get("os"), os) && platform_matches(entry.get("cpu"), cpu);
        let needed = !optional || for_here;
        match have.get(key) {
            None if needed => {
                return Ok(NodeModules::Stale(format!(
                    "{} is not installed",
                    short(key)
                )))
            }
            None => continue,
            Some(got) if version(got) != version(entry) => {
                return Ok(NodeModules::Stale(format!(
                    "{} is {}, package-lock.json has {}",
                    short(key),
                    version(got).unwrap_or_else(|| "unversioned".into()),
                    version(entry).unwrap_or_else(|| "no version".into()),
                )))
            }
            Some(_) => {}
        }
        if !exists(key) {
            return Ok(NodeModules::Stale(format!("{key} is missing")));
        }
    }
    if let Some(extra) = have.keys().find(|k| !locked.contains_key(*k)) {
        return Ok(NodeModules::Stale(format!(
            "{} is installed but not in package-lock.json",
            short(extra)
        )));
    }
    Ok(NodeModules::Fresh)
}

/// npm's `os`/`cpu` lists: absent = any; `!x` excludes x; otherwise the value must be listed.
fn platform_matches(list: Option<&Value>, value: &str) -> bool {
    let Some(items) = list.and_then(Value::as_array) else {
        return true;
    };
    let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    if items.iter().any(|i| i.strip_prefix('!') == Some(value)) {
        return false;
    }
    let allowed: Vec<&&str> = items.iter().filter(|i| !i.starts_with('!')).collect();
    allowed.is_empty() || allowed.iter().any(|i| **i == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_found() -> Probe {
        Probe {
            rustfmt: true,
            clippy: true,
            wasm_target: true,
            bindgen_version: "0.2.130".into(),
            bindgen: Bindgen::OnPath,
            chromium: true,
            chromedriver: true,
            npm: true,
            node_modules: NodeModules::Fresh,
        }
    }

    fn nothing_found() -> Probe {
        Probe {
            rustfmt: false,
            clippy: false,
            wasm_target: false,
            bindgen_version: "0.2.130".into(),
            bindgen: Bindgen::Missing(None),
            chromium: false,
            chromedriver: false,
            npm: false,
            node_modules: NodeModules::Missing,
        }
    }

    #[test]
    fn lock_versions_find_the_exact_package() {
        let lock = r#"
[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "wasm-bindgen-cli-support"
version = "0.2.100"
"#;
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Ok("0.2.130")
        );
        assert!(locked_version(lock, "serde")
            .unwrap_err()
            .contains("no serde"));
        let two = format!("{lock}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.84\"\n");
        assert_eq!(lock_versions(&two, "wasm-bindgen"), ["0.2.130", "0.2.84"]);
        assert!(locked_version(&two, "wasm-bindgen")
            .unwrap_err()
            .contains("0.2.130 and 0.2.84"));
    }

    #[test]
    fn the_repository_lock_pins_one_wasm_bindgen() {
        let lock =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
                .unwrap();
        let v = locked_version(&lock, "wasm-bindgen").unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }

    #[test]
    fn bindgen_version_output() {
        for (out, want) in [
            ("wasm-bindgen 0.2.130\n", Some("0.2.130")),
            ("wasm-bindgen 0.2.92 (2a4a49362)\n", Some("0.2.92")),
            ("wasm-bindgen 0.3.0-alpha.1\n", Some("0.3.0-alpha.1")),
            ("  wasm-bindgen 0.2.100  ", Some("0.2.100")),
            ("wasm-bindgen-test-runner 0.2.130", None),
            ("wasm-bindgen", None),
            ("wasm-bindgen 0.2", None),
            ("wasm-bindgen x.y.z", None),
            ("", None),
        ] {
            assert_eq!(parse_bindgen_version(out).as_deref(), want, "{out:?}");
        }
    }

    #[test]
    fn a_machine_with_everything_installs_nothing() {
        for need in [Need::Build, Need::Screenshot, Need::Test] {
            let plan = plan(&all_found(), need);
            assert!(plan.is_complete(), "{need:?}: {plan:#?}");
            assert!(
                plan.lines
                    .iter()
                    .all(|l| l.starts_with("setup: ") && l.ends_with(": found")),
                "{plan:#?}"
            );
        }
        assert_eq!(
            plan(&all_found(), Need::Build).lines,
            [
                "setup: wasm32-unknown-unknown target: found",
                "setup: wasm-bindgen CLI 0.2.130 (as in Cargo.lock): found",
                "setup: npm packages (node_modules): found",
            ]
        );
        assert_eq!(plan(&all_found(), Need::Test).lines.len(), 7);
    }

    #[test]
    fn a_fresh_machine_gets_everything_it_lacks_in_order() {
        assert_eq!(
            plan(&nothing_found(), Need::Test).actions,
            [
                Action::Apt(vec!["chromium", "chromium-driver", "npm"]),
                Action::RustupComponents(vec!["rustfmt", "clippy"]),
                Action::RustupTarget,
                Action::InstallBindgen("0.2.130".into()),
                Action::NpmCi,
            ]
        );
        // The build asks for no browser and no rust components.
        assert_eq!(
            plan(&nothing_found(), Need::Build).actions,
            [
                Action::Apt(vec!["npm"]),
                Action::RustupTarget,
                Action::InstallBindgen("0.2.130".into()),
                Action::NpmCi,
            ]
        );
        assert_eq!(
            plan(&nothing_found(), Need::Screenshot).actions[0],
            Action::Apt(vec!["chromium", "npm"])
        );
    }

    #[test]
    fn only_what_is_missing_is_installed() {
        let mut p = all_found();
        p.clippy = false;
        p.chromedriver = false;
        p.bindgen = Bindgen::Missing(Some("0.2.100".into()));
        let test = plan(&p, Need::Test);
        assert_eq!(
            test.actions,
            [
                Action::Apt(vec!["chromium-driver"]),
                Action::RustupComponents(vec!["clippy"]),
                Action::InstallBindgen("0.2.130".into()),
            ]
        );
        assert!(test.lines.contains(
            &"setup: wasm-bindgen CLI 0.2.130 (as in Cargo.lock): wasm-bindgen on PATH is 0.2.100, \
              installing: cargo install wasm-bindgen-cli --version 0.2.130"
                .to_string()
        ));
        // Neither clippy nor chromedriver matter to the build.
        assert_eq!(
            plan(&p, Need::Build).actions,
            [Action::InstallBindgen("0.2.130".into())]
        );

        // npm is needed by the build only when the packages must be installed.
        let mut p = all_found();
        p.npm = false;
        assert!(plan(&p, Need::Build).is_complete());
        assert_eq!(plan(&p, Need::Test).actions, [Action::Apt(vec!["npm"])]);
        p.node_modules = NodeModules::Stale("esbuild is not installed".into());
        assert_eq!(
            plan(&p, Need::Build).actions,
            [Action::Apt(vec!["npm"]), Action::NpmCi]
        );

        let mut p = all_found();
        p.bindgen = Bindgen::InDir(PathBuf::from("/root/.cargo/bin"));
        assert_eq!(
            plan(&p, Need::Build).actions,
            [Action::PrependPath(PathBuf::from("/root/.cargo/bin"))]
        );
    }

    const LOCK: &str = r#"{
      "name": "t", "lockfileVersion": 3, "requires": true,
      "packages": {
        "": {"name": "t", "devDependencies": {"esbuild": "0.25.9"}},
        "node_modules/@esbuild/darwin-arm64": {"version": "0.25.9", "optional": true, "os": ["darwin"], "cpu": ["arm64"]},
        "node_modules/@esbuild/linux-x64": {"version": "0.25.9", "optional": true, "os": ["linux"], "cpu": ["x64"]},
        "node_modules/esbuild": {"version": "0.25.9"},
        "node_modules/axe-core": {"version": "4.11.4"}
      }
    }"#;

    /// What npm records after installing LOCK on linux/x64.
    const INSTALLED: &str = r#"{
      "name": "t", "lockfileVersion": 3, "requires": true,
      "packages": {
        "node_modules/@esbuild/linux-x64": {"version": "0.25.9", "optional": true, "os": ["linux"], "cpu": ["x64"]},
        "node_modules/esbuild": {"version": "0.25.9"},
        "node_modules/axe-core": {"version": "4.11.4"}
      }
    }"#;

    fn state(lock: &str, installed: &str, os: &str, cpu: &str) -> NodeModules {
        node_modules_state(lock, installed, |_| true, os, cpu).unwrap()
    }

    #[test]
    fn node_modules_matching_the_lock_are_fresh() {
        assert_eq!(state(LOCK, INSTALLED, "linux", "x64"), NodeModules::Fresh);
    }

    #[test]
    fn node_modules_that_differ_from_the_lock_are_stale() {
        let older = INSTALLED.replace("4.11.4", "4.10.0");
        assert_eq!(
            state(LOCK, &older, "linux", "x64"),
            NodeModules::Stale("axe-core is 4.10.0, package-lock.json has 4.11.4".into())
        );
        let without = INSTALLED.replace("\"node_modules/esbuild\"", "\"node_modules/other\"");
        assert_eq!(
            state(LOCK, &without, "linux", "x64"),
            NodeModules::Stale("esbuild is not installed".into())
        );
        // The platform's optional package is needed; on a Mac it is darwin-arm64's.
        assert_eq!(
            state(LOCK, INSTALLED, "darwin", "arm64"),
            NodeModules::Stale("@esbuild/darwin-arm64 is not installed".into())
        );
        let extra = LOCK.replace(
            ",\n        \"node_modules/axe-core\": {\"version\": \"4.11.4\"}",
            "",
        );
        assert_eq!(
            state(&extra, INSTALLED, "linux", "x64"),
            NodeModules::Stale("axe-core is installed but not in package-lock.json".into())
        );
        let deleted = node_modules_state(
            LOCK,
            INSTALLED,
            |k| k != "node_modules/esbuild",
            "linux",
            "x64",
        );
        assert_eq!(
            deleted,
            Ok(NodeModules::Stale("node_modules/esbuild is missing".into()))
        );
        assert!(matches!(
            state(LOCK, "{", "linux", "x64"),
            NodeModules::Stale(_)
        ));
        assert!(node_modules_state("{}", INSTALLED, |_| true, "linux", "x64").is_err());
    }

    #[test]
    fn npm_platform_lists() {
        let list = |items: &[&str]| serde_json::json!(items);
        assert!(platform_matches(None, "linux"));
        assert!(platform_matches(Some(&list(&["linux"])), "linux"));
        assert!(!platform_matches(Some(&list(&["darwin"])), "linux"));
        assert!(!platform_matches(Some(&list(&["!linux"])), "linux"));
        assert!(platform_matches(Some(&list(&["!win32"])), "linux"));
    }

    #[test]
    fn the_repository_lock_is_an_npm_7_lockfile() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lock = std::fs::read_to_string(root.join("package-lock.json")).unwrap();
        // Installed exactly as locked: fresh, whatever this machine's node_modules holds.
        let json: Value = serde_json::from_str(&lock).unwrap();
        let mut installed = json.clone();
        let packages = installed["packages"].as_object_mut().unwrap();
        packages.remove("");
        packages.retain(|_, v| {
            v.get("optional").and_then(Value::as_bool) != Some(true)
                || (platform_matches(v.get("os"), node_os())
                    && platform_matches(v.get("cpu"), node_cpu()))
        });
        assert_eq!(
            node_modules_state(
                &lock,
                &installed.to_string(),
                |_| true,
                node_os(),
                node_cpu()
            ),
            Ok(NodeModules::Fresh)
        );
    }
}
