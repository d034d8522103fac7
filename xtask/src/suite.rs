//! `cargo xtask test`: every check the project has, in one command, in a fixed order. A failing
//! step does not stop the run, so one run shows every failure; the last line is
//! `N passed, N failed` and the exit code is non-zero when anything failed.

use crate::build::{self, Paths};
use crate::command::{self, Error};
use crate::{host, package};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the browser-driving steps may run before they are killed.
const BROWSER_STEP_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The result of one step.
#[derive(Debug)]
pub struct Outcome {
    pub name: &'static str,
    pub error: Option<String>,
    pub took: Duration,
}

/// Runs every step and returns true when all passed.
pub fn run(paths: &Paths) -> bool {
    let mut outcomes: Vec<Outcome> = Vec::new();
    let root = paths.root.as_path();
    let cargo = |args: &[&str]| {
        let mut c = command::cargo();
        c.args(args).current_dir(root);
        c
    };
    let total = 7;
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<(), Error>| {
        eprintln!("\n==> [{}/{total}] {name}", outcomes.len() + 1);
        let start = Instant::now();
        let error = f().err().map(|e| e.to_string());
        if let Some(e) = &error {
            eprintln!("==> FAILED: {name}: {e}");
        }
        let ok = error.is_none();
        outcomes.push(Outcome {
            name,
            error,
            took: start.elapsed(),
        });
        ok
    };

    step("cargo fmt --all --check", &mut || {
        command::run(&mut cargo(&["fmt", "--all", "--check"]))
    });
    step("clippy (native, all targets)", &mut || {
        command::run(&mut cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step("clippy (wasm32: lib + tests)", &mut || {
        command::run(&mut cargo(&[
            "clippy",
            "--lib",
            "--tests",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step("native tests (core, zhost, xtask)", &mut || {
        command::run(&mut cargo(&["test", "--workspace", "--locked"]))
    });
    step(
        "browser tests of the host (wasm, chromedriver)",
        &mut || {
            let mut c = cargo(&[
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "web",
                "--locked",
            ]);
            if std::env::var_os("CHROMEDRIVER").is_none()
                && Path::new("/usr/bin/chromedriver").exists()
            {
                c.env("CHROMEDRIVER", "/usr/bin/chromedriver");
            }
            command::run_with_deadline(&mut c, BROWSER_STEP_DEADLINE)
        },
    );
    let packaged = step("build + package + package validation", &mut || {
        build::build(paths)?;
        let zip = package::package(&paths.app_dir, &paths.dist)?;
        eprintln!("wrote {}", zip.display());
        Ok(())
    });
    step("end-to-end tests (zhost + headless Chromium)", &mut || {
        if !packaged {
            return Err(Error::Tool(
                "not run: the build or package step failed".into(),
            ));
        }
        e2e(paths)
    });

    print_summary(&outcomes);
    outcomes.iter().all(|o| o.error.is_none())
}

/// Runs the node end-to-end tests against an in-process zhost on an ephemeral port.
fn e2e(paths: &Paths) -> Result<(), Error> {
    if command::which("node").is_none() {
        return Err(Error::Tool("node is not on PATH: install Node.js".into()));
    }
    let server = host::start(paths, 0, host::demo_world(paths))?;
    let url = host::url(&server);
    eprintln!("local Zendesk host on {url}");
    let result = command::run_with_deadline(
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "tests/e2e/"])
            .env("ZHOST_URL", &url)
            .current_dir(&paths.root),
        BROWSER_STEP_DEADLINE,
    );
    server.stop();
    result
}

fn print_summary(outcomes: &[Outcome]) {
    let width = outcomes.iter().map(|o| o.name.len()).max().unwrap_or(4);
    println!();
    println!("{:<width$}  result  time", "step");
    println!("{}", "-".repeat(width + 16));
    for o in outcomes {
        let result = if o.error.is_none() { "pass" } else { "FAIL" };
        println!(
            "{:<width$}  {result:<6}  {:>6.1} s",
            o.name,
            o.took.as_secs_f64()
        );
    }
    let total: Duration = outcomes.iter().map(|o| o.took).sum();
    println!(
        "{:<width$}          {:>6.1} s",
        "total",
        total.as_secs_f64()
    );
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    if !failed.is_empty() {
        println!();
        for o in &failed {
            println!("FAILED {}: {}", o.name, o.error.as_deref().unwrap_or(""));
        }
    }
    println!(
        "{} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
}
