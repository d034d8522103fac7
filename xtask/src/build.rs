//! `cargo xtask build`: turns the repository into the app directory Zendesk would install
//! (`target/app/` = manifest.json, translations/, assets/) plus the bundled ZAF SDK the local host
//! serves in place of Zendesk's CDN copy (`target/zaf/zaf_sdk.js`).

use crate::command::{self, io_err, Error};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The app crate's wasm artefact name (the crate is `ase-emergency-assist`).
const WASM_NAME: &str = "ase_emergency_assist.wasm";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where everything lives. Outputs are under the workspace root; the wasm artefact is wherever
/// cargo puts it (it honours `CARGO_TARGET_DIR` and `build.target-dir`).
#[derive(Debug, Clone)]
pub struct Paths {
    pub root: PathBuf,
    pub cargo_target: PathBuf,
    pub app_dir: PathBuf,
    pub sdk: PathBuf,
    pub dist: PathBuf,
}

impl Paths {
    pub fn discover() -> Paths {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let cargo_target = cargo_target_dir(&root).unwrap_or_else(|| root.join("target"));
        Paths {
            app_dir: root.join("target").join("app"),
            sdk: root.join("target").join("zaf").join("zaf_sdk.js"),
            dist: root.join("dist"),
            cargo_target,
            root,
        }
    }

    pub fn wasm(&self) -> PathBuf {
        self.cargo_target
            .join(WASM_TARGET)
            .join("release")
            .join(WASM_NAME)
    }

    pub fn assets(&self) -> PathBuf {
        self.app_dir.join("assets")
    }
}

/// Asks cargo where its target directory is, so `CARGO_TARGET_DIR` is honoured the same way the
/// wasm build honours it.
fn cargo_target_dir(root: &Path) -> Option<PathBuf> {
    let out = command::cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    meta.get("target_directory")?.as_str().map(PathBuf::from)
}

/// How long each phase of a build took.
#[derive(Debug, Default)]
pub struct Timings {
    pub phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn time<T>(
        &mut self,
        phase: &'static str,
        f: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let start = Instant::now();
        let out = f();
        self.phases.push((phase, start.elapsed()));
        out
    }

    pub fn total(&self) -> Duration {
        self.phases.iter().map(|(_, d)| *d).sum()
    }
}

/// Builds `target/app/` and `target/zaf/zaf_sdk.js`.
pub fn build(paths: &Paths) -> Result<Timings, Error> {
    let mut t = Timings::default();
    t.time("node_modules (npm ci if missing)", || {
        ensure_node_modules(&paths.root)
    })?;
    t.time("esbuild ZAF SDK", || bundle_sdk(paths))?;
    // Missing tools fail here, in a second, with the command that installs them.
    check_wasm_target(&paths.root)?;
    check_bindgen(&paths.root)?;
    t.time("cargo build (wasm32, release)", || {
        command::run(
            command::cargo()
                .args([
                    "build",
                    "--lib",
                    "--release",
                    "--locked",
                    "--target",
                    WASM_TARGET,
                ])
                .args(["-p", "ase-emergency-assist"])
                .current_dir(&paths.root),
        )
    })?;
    t.time("wasm-bindgen", || bindgen(paths))?;
    t.time("wasm-opt (binaryen)", || wasm_opt(paths))?;
    t.time("copy www, manifest, translations", || assemble(paths))?;
    t.time("esbuild --minify assets JS and CSS", || {
        minify_assets(paths)
    })?;
    Ok(t)
}

/// Runs `npm ci` when the node packages the build and tests need are missing.
pub fn ensure_node_modules(root: &Path) -> Result<(), Error> {
    let needed = [
        "node_modules/.bin/esbuild",
        "node_modules/zendesk_app_framework_sdk/lib/index.js",
        "node_modules/playwright-core/package.json",
        "node_modules/axe-core/axe.min.js",
        "node_modules/binaryen/bin/wasm-opt",
    ];
    if needed.iter().all(|p| root.join(p).exists()) {
        return Ok(());
    }
    if command::which("npm").is_none() {
        return Err(Error::Tool(
            "node_modules is missing and npm is not on PATH: install Node.js (with npm), then run `npm ci`".into(),
        ));
    }
    command::run(Command::new("npm").arg("ci").current_dir(root))
}

fn bundle_sdk(paths: &Paths) -> Result<(), Error> {
    if let Some(dir) = paths.sdk.parent() {
        fs::create_dir_all(dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
    }
    let esbuild = paths.root.join("node_modules/.bin/esbuild");
    command::run(
        Command::new(esbuild)
            .arg("node_modules/zendesk_app_framework_sdk/lib/index.js")
            .args([
                "--bundle",
                "--format=iife",
                "--global-name=ZAFClient",
                "--minify",
            ])
            .arg("--log-level=warning")
            .arg(format!("--outfile={}", paths.sdk.display()))
            .current_dir(&paths.root),
    )
}

/// Fails with the install command when the toolchain has no wasm32 standard library.
fn check_wasm_target(root: &Path) -> Result<(), Error> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    match sysroot {
        Some(dir) if !dir.join("lib/rustlib").join(WASM_TARGET).is_dir() => {
            Err(Error::Tool(format!(
                "the {WASM_TARGET} target is not installed: run `rustup target add {WASM_TARGET}`"
            )))
        }
        // No sysroot answer: let cargo report whatever is wrong.
        _ => Ok(()),
    }
}

/// The wasm-bindgen version the app is locked to.
pub fn locked_bindgen_version(root: &Path) -> Result<String, Error> {
    let lock =
        fs::read_to_string(root.join("Cargo.lock")).map_err(io_err("cannot read Cargo.lock"))?;
    crate::setup::locked_version(&lock, "wasm-bindgen").map_err(Error::Tool)
}

/// Fails with install instructions unless `wasm-bindgen --version` matches Cargo.lock.
pub fn check_bindgen(root: &Path) -> Result<(), Error> {
    let want = locked_bindgen_version(root)?;
    let install = format!(
        "install it with `cargo install wasm-bindgen-cli --version {want}` (the CLI must equal the wasm-bindgen crate version in Cargo.lock)"
    );
    let out = Command::new("wasm-bindgen").arg("--version").output();
    let have = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            return Err(Error::Tool(format!(
                "wasm-bindgen CLI not found on PATH; {install}"
            )))
        }
    };
    if have.split_whitespace().nth(1) != Some(want.as_str()) {
        return Err(Error::Tool(format!(
            "`wasm-bindgen --version` says {have:?} but Cargo.lock pins {want}; {install}"
        )));
    }
    Ok(())
}

fn bindgen(paths: &Paths) -> Result<(), Error> {
    if paths.app_dir.exists() {
        fs::remove_dir_all(&paths.app_dir)
            .map_err(io_err(format!("cannot clean {}", paths.app_dir.display())))?;
    }
    let assets = paths.assets();
    fs::create_dir_all(&assets).map_err(io_err(format!("cannot create {}", assets.display())))?;
    command::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            // Function names and the toolchain list are for debuggers only: not shipped.
            .args(["--remove-name-section", "--remove-producers-section"])
            .arg("--out-dir")
            .arg(&assets)
            .arg(paths.wasm())
            .current_dir(&paths.root),
    )
}

/// The WebAssembly features rustc's wasm32-unknown-unknown target enables by default (the
/// release profile strips the `target_features` section that would tell wasm-opt).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// Optimises wasm-bindgen's output in place with binaryen's `wasm-opt` (the npm package, so no
/// native build): `-O2` without inlining. Inlining makes the raw file smaller but the gzipped one
/// larger (measured on this app: -Oz 74.9 KB gz, -O2 with inlining 75.0, -O2 without 71.3, none
/// 73.3, gzip -9), and gzipped bytes are what the agent downloads.
fn wasm_opt(paths: &Paths) -> Result<(), Error> {
    let wasm = paths.assets().join("ase_emergency_assist_bg.wasm");
    command::run(
        Command::new("node")
            .arg(paths.root.join("node_modules/binaryen/bin/wasm-opt"))
            .args(["-O2", "-ocimfs=0", "-aimfs=0", "-fimfs=0"])
            .args(WASM_FEATURES)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm)
            .current_dir(&paths.root),
    )
}

/// Minifies the JavaScript (wasm-bindgen's glue, `app.js`) and CSS at the top of `assets/` in
/// place: whitespace, comments and local names go, every exported and imported name stays.
fn minify_assets(paths: &Paths) -> Result<(), Error> {
    let assets = paths.assets();
    let mut files: Vec<PathBuf> = fs::read_dir(&assets)
        .map_err(io_err(format!("cannot read {}", assets.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("js" | "css"))
        })
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    files.sort();
    command::run(
        Command::new(paths.root.join("node_modules/.bin/esbuild"))
            .args(&files)
            .args(["--minify", "--allow-overwrite", "--log-level=warning"])
            .arg(format!("--outdir={}", assets.display()))
            .current_dir(&paths.root),
    )
}

fn assemble(paths: &Paths) -> Result<(), Error> {
    let www = paths.root.join("www");
    if !www.join("iframe.html").is_file() {
        return Err(Error::Tool(format!(
            "{} is missing: the app's page must exist before it can be packaged",
            www.join("iframe.html").display()
        )));
    }
    copy_tree(&www, &paths.assets())?;
    copy_file(
        &paths.root.join("manifest.json"),
        &paths.app_dir.join("manifest.json"),
    )?;
    copy_tree(
        &paths.root.join("translations"),
        &paths.app_dir.join("translations"),
    )?;
    crate::i18n::write_assets(&paths.root.join("translations"), &paths.assets())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), Error> {
    fs::copy(from, to).map_err(io_err(format!(
        "cannot copy {} to {}",
        from.display(),
        to.display()
    )))?;
    Ok(())
}

/// Copies a directory tree, following symlinks so the package never contains one.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    fs::create_dir_all(to).map_err(io_err(format!("cannot create {}", to.display())))?;
    let mut entries: Vec<_> = fs::read_dir(from)
        .map_err(io_err(format!("cannot read {}", from.display())))?
        .collect::<Result<_, _>>()
        .map_err(io_err(format!("cannot read {}", from.display())))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            copy_file(&src, &dst)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_lock_pins_wasm_bindgen() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let v = locked_bindgen_version(&root).unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }
}
