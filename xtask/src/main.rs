//! `cargo xtask <command>`: the project's build, package, demo, test and bench commands.
//!
//! Paths are derived from the workspace root (this crate's parent directory), never from the
//! current directory, so the commands work from anywhere inside the repository.
//!
//! Every command that builds or tests first runs the set-up step (`setup`), which installs the
//! tools it needs that the machine lacks; `validate` needs none.

mod bench;
mod build;
mod command;
mod host;
mod i18n;
mod package;
mod runtime_keys;
mod setup;
mod suite;
mod validate;

use build::Paths;
use command::Error;
use setup::Need;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  build                      build the app into target/app/ (wasm, JS glue, www/, manifest, translations)
  package                    build, validate and write dist/<name>-<version>.zip (a Zendesk private app)
  validate [DIR|ZIP]         check a package against Zendesk's rules (default: target/app)
  demo [--port P] [--world FILE]
                             build and run the local Zendesk host on http://127.0.0.1:P/ (default 8080,
                             worlds/demo.json)
  test                       run every check: fmt, clippy (native + wasm32), native tests, browser tests,
                             package validation, end-to-end tests
  bench [--clean]            build time, package size, wasm/JS/CSS bytes raw and gzipped
  screenshot [--out FILE]    save a screenshot of ticket 201's sidebar (default docs/sidebar.png)
  race [--rounds N]          N rounds (default 50) of two agents in two browser contexts clicking Ping
                             on ticket 201 together; prints roots, mentions, notes and claims left per
                             round and a JSON summary; fails unless every round pinged exactly once

All but validate first check for the tools they need and install the missing ones (one `setup:` line
each): the wasm32 target, the wasm-bindgen CLI of Cargo.lock's version and the npm packages; screenshot
also Chromium; test also rustfmt, clippy, Chromium, chromedriver and npm (apt-get, as root).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Error::Usage(msg)) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parsed `--name value` / `--name=value` options.
struct Options {
    values: Vec<(String, Option<String>)>,
}

impl Options {
    fn parse(args: &[String], with_value: &[&str], flags: &[&str]) -> Result<Options, Error> {
        let mut values = Vec::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            if with_value.contains(&name) {
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| Error::Usage(format!("{name} needs a value")))?,
                };
                values.push((name.to_string(), Some(value)));
            } else if flags.contains(&name) && inline.is_none() {
                values.push((name.to_string(), None));
            } else {
                return Err(Error::Usage(format!("unexpected argument {arg:?}")));
            }
        }
        Ok(Options { values })
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn flag(&self, name: &str) -> bool {
        self.values.iter().any(|(n, _)| n == name)
    }
}

fn run(args: &[String]) -> Result<bool, Error> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(Error::Usage("no command given".into()));
    };
    let paths = Paths::discover();
    match cmd.as_str() {
        "build" => {
            Options::parse(rest, &[], &[])?;
            setup::ensure(&paths, Need::Build)?;
            let t = build::build(&paths)?;
            println!(
                "built {} in {:.1} s",
                paths.app_dir.display(),
                t.total().as_secs_f64()
            );
        }
        "package" => {
            Options::parse(rest, &[], &[])?;
            setup::ensure(&paths, Need::Build)?;
            build::build(&paths)?;
            let zip = package::package(&paths.app_dir, &paths.dist)?;
            println!("{}", zip.display());
        }
        "validate" => validate_cmd(&paths, rest)?,
        "demo" => demo(&paths, rest)?,
        "test" => {
            Options::parse(rest, &[], &[])?;
            setup::ensure(&paths, Need::Test)?;
            return Ok(suite::run(&paths));
        }
        "bench" => {
            let opts = Options::parse(rest, &[], &["--clean"])?;
            setup::ensure(&paths, Need::Build)?;
            bench::run(&paths, opts.flag("--clean"))?;
        }
        "screenshot" => screenshot(&paths, rest)?,
        "race" => return race(&paths, rest),
        "help" | "--help" | "-h" => print!("{USAGE}"),
        other => return Err(Error::Usage(format!("unknown command {other:?}"))),
    }
    Ok(true)
}

fn validate_cmd(paths: &Paths, rest: &[String]) -> Result<(), Error> {
    let target = match rest {
        [] => paths.app_dir.clone(),
        [one] => PathBuf::from(one),
        _ => return Err(Error::Usage("validate takes one directory or zip".into())),
    };
    if target.is_dir() {
        let pkg = package::read_dir(&target)?;
        package::enforce(&target.display().to_string(), &validate::validate(&pkg))?;
    } else {
        package::validate_zip(&target)?;
    }
    println!("{}: valid", target.display());
    Ok(())
}

fn demo(paths: &Paths, rest: &[String]) -> Result<(), Error> {
    let opts = Options::parse(rest, &["--port", "--world"], &[])?;
    let port = match opts.value("--port") {
        None => 8080,
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| Error::Usage(format!("--port {p:?} is not a port number")))?,
    };
    let world = opts
        .value("--world")
        .map(PathBuf::from)
        .unwrap_or_else(|| host::demo_world(paths));
    setup::ensure(paths, Need::Build)?;
    build::build(paths)?;
    let server = host::start(paths, port, world.clone())?;
    println!();
    println!("ASE Emergency Assist is running in the local Zendesk host:");
    println!();
    println!("    {}/", host::url(&server));
    println!();
    println!(
        "world: {}  (Ctrl-C to stop)",
        world.canonicalize().unwrap_or(world).display()
    );
    server.wait();
    Ok(())
}

/// `cargo xtask race`: tests/e2e/race.mjs against the demo world on an ephemeral port.
fn race(paths: &Paths, rest: &[String]) -> Result<bool, Error> {
    let opts = Options::parse(rest, &["--rounds"], &[])?;
    let rounds: u32 = match opts.value("--rounds") {
        None => 50,
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| Error::Usage(format!("--rounds {n:?} is not a positive number")))?,
    };
    setup::ensure(paths, Need::Screenshot)?;
    build::build(paths)?;
    let server = host::start(paths, 0, host::demo_world(paths))?;
    let status = Command::new("node")
        .arg("tests/e2e/race.mjs")
        .env("ZHOST_URL", host::url(&server))
        .env("ROUNDS", rounds.to_string())
        .current_dir(&paths.root)
        .status()
        .map_err(command::io_err("cannot run node tests/e2e/race.mjs"))?;
    server.stop();
    Ok(status.success())
}

fn screenshot(paths: &Paths, rest: &[String]) -> Result<(), Error> {
    let opts = Options::parse(rest, &["--out"], &[])?;
    let out = opts
        .value("--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| paths.root.join("docs").join("sidebar.png"));
    let out = if out.is_absolute() {
        out
    } else {
        std::env::current_dir()
            .map_err(command::io_err("cannot read the current directory"))?
            .join(out)
    };
    setup::ensure(paths, Need::Screenshot)?;
    build::build(paths)?;
    let server = host::start(paths, 0, host::demo_world(paths))?;
    command::run(
        Command::new("node")
            .arg("tests/e2e/screenshot.mjs")
            .env("ZHOST_URL", host::url(&server))
            .env("SCREENSHOT_OUT", &out)
            .current_dir(&paths.root),
    )?;
    println!("{}", out.display());
    Ok(())
}
