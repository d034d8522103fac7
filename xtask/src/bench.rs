//! `cargo xtask bench`: what the app costs to build and to download. Prints the build time per
//! phase, the package zip size, and the wasm, JS and CSS bytes of the package raw and gzipped
//! (flate2, best compression), with their gzipped total.

use crate::build::{self, Paths};
use crate::command::{self, io_err, Error};
use crate::package;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fs;
use std::io::Write;
use std::path::Path;

/// For scale: a React + Zendesk Garden "hello" button app, gzipped.
const REACT_GARDEN_HELLO_GZ: u64 = 75 * 1024;

pub fn gzip_len(bytes: &[u8]) -> Result<u64, Error> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).map_err(io_err("gzip"))?;
    Ok(enc.finish().map_err(io_err("gzip"))?.len() as u64)
}

/// One asset of the package.
#[derive(Debug)]
struct Asset {
    path: String,
    kind: &'static str,
    raw: u64,
    gz: u64,
}

fn kind_of(path: &str) -> Option<&'static str> {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("wasm") => Some("wasm"),
        Some("js" | "mjs") => Some("js"),
        Some("css") => Some("css"),
        _ => None,
    }
}

fn assets(dir: &Path) -> Result<Vec<Asset>, Error> {
    let pkg = package::read_dir(dir)?;
    let mut out = Vec::new();
    for (path, entry) in &pkg.entries {
        let (Some(kind), crate::validate::Entry::File(bytes)) = (kind_of(path), entry) else {
            continue;
        };
        out.push(Asset {
            path: path.clone(),
            kind,
            raw: bytes.len() as u64,
            gz: gzip_len(bytes)?,
        });
    }
    Ok(out)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
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
    let assets = assets(&paths.app_dir)?;

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
        "  {:<48} {:>10} ({zip_len} bytes; Zendesk limit 2048.0 KB)",
        zip.strip_prefix(&paths.root).unwrap_or(&zip).display(),
        kb(zip_len)
    );

    println!("\nassets (raw / gzip -9)");
    for a in &assets {
        println!("  {:<48} {:>10} {:>10}", a.path, kb(a.raw), kb(a.gz));
    }
    println!();
    let mut total_gz = 0;
    for kind in ["wasm", "js", "css"] {
        let raw: u64 = assets
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.raw)
            .sum();
        let gz: u64 = assets.iter().filter(|a| a.kind == kind).map(|a| a.gz).sum();
        total_gz += gz;
        println!(
            "  {:<48} {:>10} {:>10}",
            format!("{kind} total"),
            kb(raw),
            kb(gz)
        );
    }
    println!(
        "  {:<48} {:>10} {:>10}",
        "wasm + js + css, gzipped",
        "",
        kb(total_gz)
    );
    if let Ok(sdk) = fs::read(&paths.sdk) {
        println!(
            "  {:<48} {:>10} {:>10}",
            "(not in the package) ZAF SDK, from Zendesk's CDN",
            kb(sdk.len() as u64),
            kb(gzip_len(&sdk)?)
        );
    }
    println!(
        "\nfor scale: a React + Garden hello button is about {} gzipped ({:.0}% of it)",
        kb(REACT_GARDEN_HELLO_GZ),
        100.0 * total_gz as f64 / REACT_GARDEN_HELLO_GZ as f64
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_shrinks_repetitive_text() {
        let text = "fn main() {}\n".repeat(1000);
        let gz = gzip_len(text.as_bytes()).unwrap();
        assert!(gz > 18 && gz < 200, "{gz}");
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of("assets/a_bg.wasm"), Some("wasm"));
        assert_eq!(kind_of("assets/app.js"), Some("js"));
        assert_eq!(kind_of("assets/app.css"), Some("css"));
        assert_eq!(kind_of("assets/iframe.html"), None);
    }
}
