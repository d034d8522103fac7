//! `cargo xtask bench`: what the app costs to build, to download and to start. Prints the build
//! time per phase, the package zip size, every file of the package's `assets/` the browser
//! downloads (wasm, JS, CSS, HTML, JSON strings) raw, gzip -9 and brotli 11, the gzipped total
//! against [`BUDGET_GZ_BYTES`], and the cold-start marks of `tests/bench/coldstart.mjs`
//! (headless Chromium against the local Zendesk host, loopback and throttled).

use crate::build::{self, Paths};
use crate::command::{self, io_err, Error};
use crate::host;
use crate::package;
use crate::validate::Entry;
use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The download budget of the app: wasm + JS glue + app.js + CSS + HTML (and the English
/// strings, once they are a file of their own), gzipped, summed. The one place it is set.
pub const BUDGET_GZ_BYTES: u64 = 80 * 1024;

/// For scale: a React + Zendesk Garden "hello" button app, gzipped.
const REACT_GARDEN_HELLO_GZ: u64 = 75 * 1024;

/// The cold-start driver, run with node from the repository root.
const COLDSTART_SCRIPT: &str = "tests/bench/coldstart.mjs";

/// How long the cold-start driver may run before it is stopped.
const COLDSTART_DEADLINE: Duration = Duration::from_secs(300);

/// gzip, best compression: the size the budget counts (the same coder zhost serves with).
pub fn gzip_len(bytes: &[u8]) -> u64 {
    zhost::compress(zhost::Coding::Gzip, bytes).len() as u64
}

/// Brotli, quality 11, the way a CDN serves precompressed assets (zhost's coder).
pub fn brotli_len(bytes: &[u8]) -> u64 {
    zhost::compress(zhost::Coding::Br, bytes).len() as u64
}

/// One file of the package's `assets/` that the browser downloads.
#[derive(Debug)]
struct Asset {
    path: String,
    raw: u64,
    gz: u64,
    /// Computed for the report only (brotli 11 is slow).
    br: Option<u64>,
    /// Counted in the budget total.
    budgeted: bool,
}

/// Whether a package path is a downloaded asset, and whether it counts in the budget: wasm, JS,
/// CSS and HTML do; JSON string files are listed, but only the English one counts (the one
/// every agent downloads). `None`: not an asset the report lists.
fn classify(path: &str) -> Option<bool> {
    let rel = path.strip_prefix("assets/")?;
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let (stem, ext) = name.rsplit_once('.')?;
    match ext {
        "wasm" | "js" | "mjs" | "css" | "html" | "htm" => Some(true),
        "json" => Some(is_english(stem) || rel.to_ascii_lowercase().contains("/en/")),
        _ => None,
    }
}

/// `en`, `en-US`, `en_us`, `strings.en`, `messages-en`: a file stem naming English.
fn is_english(stem: &str) -> bool {
    let last = stem.rsplit(['.', '_', '-']).next().unwrap_or(stem);
    stem == "en"
        || stem == "en-us"
        || stem == "en_us"
        || last == "en"
        || stem.ends_with(".en-us")
        || stem.ends_with(".en_us")
}

fn assets(app_dir: &Path, with_brotli: bool) -> Result<Vec<Asset>, Error> {
    let pkg = package::read_dir(app_dir)?;
    let mut out = Vec::new();
    for (path, entry) in &pkg.entries {
        let (Some(budgeted), Entry::File(bytes)) = (classify(path), entry) else {
            continue;
        };
        out.push(Asset {
            path: path.clone(),
            raw: bytes.len() as u64,
            gz: gzip_len(bytes),
            br: if with_brotli {
                Some(brotli_len(bytes))
            } else {
                None
            },
            budgeted,
        });
    }
    out.sort_by(|a, b| b.gz.cmp(&a.gz).then_with(|| a.path.cmp(&b.path)));
    Ok(out)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Checks the gzipped total of the budgeted assets of `app_dir` (a built package directory)
/// against [`BUDGET_GZ_BYTES`]. Ok: a one-line summary. Err: the total, the budget and the
/// biggest files.
pub fn check_budget(app_dir: &Path) -> Result<String, Error> {
    verdict(&assets(app_dir, false)?, BUDGET_GZ_BYTES)
}

fn verdict(assets: &[Asset], budget: u64) -> Result<String, Error> {
    let counted: Vec<&Asset> = assets.iter().filter(|a| a.budgeted).collect();
    let total: u64 = counted.iter().map(|a| a.gz).sum();
    if counted.is_empty() {
        return Err(Error::Invalid(
            "size budget: no wasm, JS, CSS or HTML under assets/; build the app first".into(),
        ));
    }
    if total <= budget {
        return Ok(format!(
            "size budget: {} gzipped ({total} bytes, {} files) is within the {} budget ({:.0}% used)",
            kb(total),
            counted.len(),
            kb(budget),
            100.0 * total as f64 / budget as f64
        ));
    }
    let mut biggest = counted.clone();
    biggest.sort_by(|a, b| b.gz.cmp(&a.gz).then_with(|| a.path.cmp(&b.path)));
    let biggest: Vec<String> = biggest
        .iter()
        .take(3)
        .map(|a| format!("{} {}", a.path, kb(a.gz)))
        .collect();
    Err(Error::Invalid(format!(
        "size budget: {} gzipped ({total} bytes) is over the {} budget ({budget} bytes) by {}; biggest gzipped: {}",
        kb(total),
        kb(budget),
        kb(total - budget),
        biggest.join(", ")
    )))
}

pub fn run(paths: &Paths, clean: bool) -> Result<(), Error> {
    if clean {
        // Only the app crate is cleaned: the number is the app's own compile, not its deps'.
        command::run(
            command::cargo()
                .args(["clean", "--release", "--target", "wasm32-unknown-unknown"])
                .args(["-p", "ase-emergency-assist"])
                .current_dir(&paths.root),
        )?;
    }
    let timings = build::build(paths)?;
    let zip = package::package(&paths.app_dir, &paths.dist)?;
    let zip_len = fs::metadata(&zip)
        .map_err(io_err(format!("cannot stat {}", zip.display())))?
        .len();
    let assets = assets(&paths.app_dir, true)?;

    println!(
        "\nbuild time{}",
        if clean {
            " (app crate cleaned first)"
        } else {
            ""
        }
    );
    for (phase, took) in &timings.phases {
        println!("  {phase:<36} {:>7.2} s", took.as_secs_f64());
    }
    println!("  {:<36} {:>7.2} s", "total", timings.total().as_secs_f64());

    println!("\npackage");
    println!(
        "  {:<44} {:>10} ({zip_len} bytes; Zendesk limit 2048.0 KB)",
        zip.strip_prefix(&paths.root).unwrap_or(&zip).display(),
        kb(zip_len)
    );

    print_sizes(paths, &assets)?;
    // What `check_budget` says (the check the test command runs), from the same files.
    match check_budget(&paths.app_dir) {
        Ok(line) => println!("\n{line}"),
        Err(e) => println!("\nOVER BUDGET: {e}"),
    }
    coldstart(paths)
}

fn print_sizes(paths: &Paths, assets: &[Asset]) -> Result<(), Error> {
    let row = |name: &str, raw: String, gz: String, br: String| {
        println!("  {name:<44} {raw:>10} {gz:>10} {br:>10}");
    };
    println!();
    row("assets", "raw".into(), "gzip -9".into(), "brotli 11".into());
    for a in assets {
        let name = if a.budgeted {
            a.path.clone()
        } else {
            format!("{} (not in budget)", a.path)
        };
        row(&name, kb(a.raw), kb(a.gz), a.br.map(kb).unwrap_or_default());
    }
    let counted = || assets.iter().filter(|a| a.budgeted);
    row(
        "total in the budget",
        kb(counted().map(|a| a.raw).sum()),
        kb(counted().map(|a| a.gz).sum()),
        kb(counted().map(|a| a.br.unwrap_or(0)).sum()),
    );
    row(
        "budget (gzipped)",
        String::new(),
        kb(BUDGET_GZ_BYTES),
        String::new(),
    );
    if let Ok(sdk) = fs::read(&paths.sdk) {
        row(
            "(not in the package) ZAF SDK, Zendesk's CDN",
            kb(sdk.len() as u64),
            kb(gzip_len(&sdk)),
            kb(brotli_len(&sdk)),
        );
    }
    let total_gz: u64 = counted().map(|a| a.gz).sum();
    println!(
        "\nfor scale: a React + Garden hello button is about {} gzipped ({:.0}% of it)",
        kb(REACT_GARDEN_HELLO_GZ),
        100.0 * total_gz as f64 / REACT_GARDEN_HELLO_GZ as f64
    );
    Ok(())
}

/// Runs the cold-start driver against an in-process zhost and prints its medians.
fn coldstart(paths: &Paths) -> Result<(), Error> {
    if command::which("node").is_none() {
        return Err(Error::Tool("node is not on PATH: install Node.js".into()));
    }
    let server = host::start(paths, 0, host::demo_world(paths))?;
    // zhost compresses each asset once; do it now, not during the first measured load.
    host::warm(&paths.app_dir, server.port());
    let mut cmd = Command::new("node");
    cmd.arg(COLDSTART_SCRIPT)
        .env("ZHOST_URL", host::url(&server))
        .current_dir(&paths.root)
        .stdout(Stdio::piped());
    let out = run_capturing(&mut cmd, COLDSTART_DEADLINE);
    server.stop();
    let out = out?;
    let report = out
        .lines()
        .rev()
        .find_map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(|v| v.get("coldstart").is_some())
        })
        .ok_or_else(|| {
            Error::Tool(format!(
                "{COLDSTART_SCRIPT} printed no {{\"coldstart\": ...}} line; it printed:\n{out}"
            ))
        })?;
    print_coldstart(&report["coldstart"]);
    Ok(())
}

/// Runs `cmd` (stdout piped, stderr inherited), killing it after `deadline`; its stdout.
fn run_capturing(cmd: &mut Command, deadline: Duration) -> Result<String, Error> {
    let line = command::display(cmd);
    eprintln!("$ {line}");
    let mut child = cmd
        .spawn()
        .map_err(io_err(format!("cannot run `{line}`")))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_string(&mut s);
        }
        s
    });
    let waited = command::wait_with_deadline(&mut child, line, deadline);
    let out = reader.join().unwrap_or_default();
    waited.map(|()| out)
}

/// The cold-start table: one row per (ticket, mark), one column per network condition.
fn print_coldstart(report: &Value) {
    let conditions: Vec<&Value> = report["conditions"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let loads = report["loads"].as_u64().unwrap_or(0);
    println!(
        "\ncold start: median (min-max) of {loads} cold loads per ticket, headless Chromium, cache disabled;"
    );
    println!("ms from the app iframe's navigation start (its performance.timeOrigin)");
    print!("  {:<44}", "");
    for c in &conditions {
        print!(" {:>22}", c["label"].as_str().unwrap_or("?"));
    }
    println!();
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    for r in &rows {
        print!("  {:<44}", r["label"].as_str().unwrap_or("?"));
        for c in &conditions {
            let name = c["name"].as_str().unwrap_or("");
            let s = &r["stats"][name];
            let cell = match (s["median"].as_f64(), s["min"].as_f64(), s["max"].as_f64()) {
                (Some(m), Some(lo), Some(hi)) => format!("{m:.0} ({lo:.0}-{hi:.0})"),
                _ => "-".into(),
            };
            print!(" {cell:>22}");
        }
        println!();
    }
    if let Some(notes) = report["notes"].as_array() {
        for n in notes.iter().filter_map(Value::as_str) {
            println!("  {n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_shrinks_repetitive_text() {
        let text = "fn main() {}\n".repeat(1000);
        let gz = gzip_len(text.as_bytes());
        assert!(gz > 18 && gz < 200, "{gz}");
        let br = brotli_len(text.as_bytes());
        assert!(br > 0 && br < gz, "{br} {gz}");
    }

    #[test]
    fn what_is_listed_and_what_is_budgeted() {
        assert_eq!(classify("assets/a_bg.wasm"), Some(true));
        assert_eq!(classify("assets/app.js"), Some(true));
        assert_eq!(classify("assets/app.css"), Some(true));
        assert_eq!(classify("assets/iframe.html"), Some(true));
        assert_eq!(classify("assets/en.json"), Some(true));
        assert_eq!(classify("assets/i18n/en-US.json"), Some(true));
        assert_eq!(classify("assets/strings.en.json"), Some(true));
        assert_eq!(classify("assets/strings/en/app.json"), Some(true));
        assert_eq!(classify("assets/fr.json"), Some(false));
        assert_eq!(classify("assets/i18n/pt-BR.json"), Some(false));
        assert_eq!(classify("assets/strings.de.json"), Some(false));
        assert_eq!(classify("assets/logo.png"), None);
        assert_eq!(classify("manifest.json"), None);
        assert_eq!(classify("translations/en.json"), None);
    }

    /// A scratch package directory with `files` under it.
    fn package_dir(tag: &str, files: &[(&str, &[u8])]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, bytes) in files {
            let p = dir.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, bytes).unwrap();
        }
        dir
    }

    /// Bytes gzip cannot shrink (xorshift noise).
    fn noise(len: usize, seed: u32) -> Vec<u8> {
        let mut x = seed.max(1);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    #[test]
    fn check_budget_sums_the_gzipped_budgeted_files() {
        let js = "export function run() {}\n".repeat(40);
        let wasm = noise(20_000, 7);
        let french = noise(30_000, 9);
        let english = b"{\"ui\":{\"headline\":\"Emergency\"}}".to_vec();
        let dir = package_dir(
            "within",
            &[
                ("manifest.json", b"{}"),
                ("translations/en.json", &noise(200_000, 3)),
                (
                    "assets/iframe.html",
                    b"<!doctype html><script src=app.js></script>",
                ),
                ("assets/app.js", js.as_bytes()),
                ("assets/a_bg.wasm", &wasm),
                ("assets/app.css", b"body{margin:0}"),
                ("assets/logo.png", &noise(200_000, 5)),
                ("assets/strings/en.json", &english),
                ("assets/strings/fr.json", &french),
            ],
        );
        let expected = gzip_len(b"<!doctype html><script src=app.js></script>")
            + gzip_len(js.as_bytes())
            + gzip_len(&wasm)
            + gzip_len(b"body{margin:0}")
            + gzip_len(&english);
        let listed = assets(&dir, false).unwrap();
        assert_eq!(listed.len(), 6, "{listed:?}");
        let counted: u64 = listed.iter().filter(|a| a.budgeted).map(|a| a.gz).sum();
        assert_eq!(counted, expected);

        let line = check_budget(&dir).unwrap();
        assert!(
            line.contains(&format!("({expected} bytes, 5 files)")),
            "{line}"
        );
        assert!(line.contains("within the 80.0 KB budget"), "{line}");
        // The same files against a budget one byte short: over by exactly one byte.
        let err = verdict(&listed, expected - 1).unwrap_err().to_string();
        assert!(
            err.contains(&format!("({expected} bytes) is over")),
            "{err}"
        );
        assert!(
            err.contains(&format!("({} bytes) by 0.0 KB", expected - 1)),
            "{err}"
        );
        assert!(verdict(&listed, expected).is_ok());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn check_budget_names_the_biggest_files_when_over() {
        let big = noise(90 * 1024, 11);
        let glue = noise(5_000, 13);
        let dir = package_dir(
            "over",
            &[
                ("assets/app_bg.wasm", &big),
                ("assets/glue.js", &glue),
                ("assets/iframe.html", b"<!doctype html>"),
                ("assets/app.css", b"p{}"),
                ("assets/de.json", &noise(50_000, 17)),
            ],
        );
        let total =
            gzip_len(&big) + gzip_len(&glue) + gzip_len(b"<!doctype html>") + gzip_len(b"p{}");
        assert!(total > BUDGET_GZ_BYTES);
        let err = check_budget(&dir).unwrap_err().to_string();
        assert!(
            err.contains(&format!("{} gzipped ({total} bytes)", kb(total))),
            "{err}"
        );
        assert!(
            err.contains("over the 80.0 KB budget (81920 bytes)"),
            "{err}"
        );
        assert!(
            err.contains(&format!("by {}", kb(total - BUDGET_GZ_BYTES))),
            "{err}"
        );
        let biggest = err.split("biggest gzipped: ").nth(1).unwrap();
        assert!(biggest.starts_with("assets/app_bg.wasm "), "{err}");
        assert!(biggest.contains("assets/glue.js"), "{err}");
        assert!(!err.contains("de.json"), "{err}");
        let _ = fs::remove_dir_all(dir);

        let empty = package_dir("empty", &[("manifest.json", b"{}")]);
        assert!(check_budget(&empty).is_err());
        let _ = fs::remove_dir_all(empty);
    }
}
