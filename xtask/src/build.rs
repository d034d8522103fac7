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
    t.time("esbuild --bundle the glue's JS snippets", || {
        bundle_snippets(paths)
    })?;
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
        "node_modules/@slack/web-api/package.json",
        "node_modules/node-zendesk/package.json",
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
/// native build): `-O2` at shrink level 1 (`-s 1`), inlining only tiny functions: those of one
/// caller up to 15 bytes (`-ocimfs=15`) and any up to 3 bytes (`-aimfs=3`), never the larger
/// "flexible" ones (`-fimfs=0`), then `--code-folding` (merges identical code tails). Inlining
/// more makes the raw file smaller but the gzipped one larger (measured on this app: -Oz 74.9 KB
/// gz, -O2 with inlining 75.0, -O2 without 71.3, none 73.3, gzip -9), and gzipped bytes are what
/// the agent downloads; the tiny-function inlining, `-s 1` and `--code-folding` took another
/// 0.75 KB gzipped off `-O2` without inlining (`-ocimfs` 10 to 20 all help; `-Os`/`-Oz`, `-O3`,
/// `--converge` and `--merge-similar-functions` do not, or by a few bytes only).
///
/// It also shortens the ~120 import names (`./ase_emergency_assist_bg.js` +
/// `__wbg_<name>_<16 hex digits>`, which gzip cannot squeeze) and the export names to one or two
/// letters, and renames them to match in wasm-bindgen's JS glue ([`rename_in_glue`]): -2.9 KB
/// gzipped on the wasm alone.
fn wasm_opt(paths: &Paths) -> Result<(), Error> {
    let assets = paths.assets();
    let wasm = assets.join("ase_emergency_assist_bg.wasm");
    let mut cmd = Command::new("node");
    cmd.arg(paths.root.join("node_modules/binaryen/bin/wasm-opt"))
        .args(["-O2", "-s", "1", "-ocimfs=15", "-aimfs=3", "-fimfs=0"])
        .arg("--code-folding")
        .args(WASM_FEATURES)
        .arg("--minify-imports-and-exports-and-modules")
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm)
        .current_dir(&paths.root);
    let line = command::display(&cmd);
    eprintln!("$ {line}");
    let out = cmd
        .output()
        .map_err(io_err(format!("cannot run `{line}`")))?;
    if !out.status.success() {
        return Err(Error::Failed {
            command: line,
            status: out.status,
        });
    }
    let map: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        Error::Tool(format!(
            "wasm-opt printed no name map ({e}); is binaryen too old?"
        ))
    })?;
    let glue_path = assets.join("ase_emergency_assist.js");
    let glue = fs::read_to_string(&glue_path)
        .map_err(io_err(format!("cannot read {}", glue_path.display())))?;
    let renamed = rename_in_glue(&glue, &map).map_err(Error::Tool)?;
    fs::write(&glue_path, renamed).map_err(io_err(format!("cannot write {}", glue_path.display())))
}

/// The module name wasm-opt gives every import with `--minify-imports-and-exports-and-modules`.
const MINIFIED_MODULE: &str = "a";

/// Rewrites wasm-bindgen's JS glue for the names `wasm-opt` minified: `map` is the JSON it
/// prints, `{"imports": [[module, old, new], …], "exports": [[old, new], …]}`. Import names are
/// the keys of the glue's import object (whole identifiers), exports are read as `wasm.<old>`,
/// and the one import module becomes [`MINIFIED_MODULE`]. Fails when the glue does not look as
/// expected (a wasm-bindgen update that changed it), rather than shipping a broken app.
pub fn rename_in_glue(glue: &str, map: &serde_json::Value) -> Result<String, String> {
    use std::collections::HashMap;
    let pairs = |key: &str, from: usize, to: usize| -> HashMap<String, String> {
        map[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| {
                Some((
                    e.get(from)?.as_str()?.to_string(),
                    e.get(to)?.as_str()?.to_string(),
                ))
            })
            .collect()
    };
    let imports = pairs("imports", 1, 2);
    let exports = pairs("exports", 0, 1);
    let modules: Vec<&str> = map["imports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.get(0)?.as_str())
        .collect();
    if imports.is_empty() || exports.is_empty() {
        return Err("wasm-opt's name map lists no imports or exports".into());
    }
    let mut out = String::with_capacity(glue.len());
    let mut renamed = 0;
    let bytes = glue.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && is_ident(bytes[i - 1])) {
            let ch = glue[i..].chars().next().unwrap_or('\0');
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        }
        let end = (i..bytes.len())
            .find(|&j| !is_ident(bytes[j]))
            .unwrap_or(bytes.len());
        let word = &glue[i..end];
        let after_wasm = glue[..i].ends_with("wasm.");
        let new = if after_wasm {
            exports.get(word)
        } else {
            imports.get(word)
        };
        match new {
            Some(new) => {
                out.push_str(new);
                renamed += 1;
            }
            None => out.push_str(word),
        }
        i = end;
    }
    for module in modules {
        for quote in ['"', '\''] {
            let from = format!("{quote}{module}{quote}");
            if out.contains(&from) {
                out = out.replace(&from, &format!("{quote}{MINIFIED_MODULE}{quote}"));
                renamed += 1;
            }
        }
    }
    if renamed < imports.len() {
        return Err(format!(
            "the JS glue names only {renamed} of {} minified imports and exports; not shipping it",
            imports.len() + exports.len()
        ));
    }
    Ok(out)
}

/// Folds the JavaScript modules the Rust code imports (`#[wasm_bindgen(module = …)]`, which
/// wasm-bindgen copies to `assets/snippets/`) into the glue, so the browser makes no request
/// for them after it has parsed the glue, then deletes `assets/snippets/`.
fn bundle_snippets(paths: &Paths) -> Result<(), Error> {
    let assets = paths.assets();
    let snippets = assets.join("snippets");
    if !snippets.exists() {
        return Ok(());
    }
    let glue = assets.join("ase_emergency_assist.js");
    let bundled = assets.join("ase_emergency_assist.bundled.js");
    command::run(
        Command::new(paths.root.join("node_modules/.bin/esbuild"))
            .arg(&glue)
            .args(["--bundle", "--format=esm", "--log-level=warning"])
            .arg(format!("--outfile={}", bundled.display()))
            .current_dir(&paths.root),
    )?;
    fs::rename(&bundled, &glue).map_err(io_err(format!("cannot replace {}", glue.display())))?;
    fs::remove_dir_all(&snippets).map_err(io_err(format!("cannot remove {}", snippets.display())))
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
    #[test]
    fn glue_names_follow_the_minified_wasm() {
        let glue = r#"
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_get_5c53f3487ad2a906: function(a, b) { return a[b]; },
        __wbg_get_5c53f3487ad2a9061: function() {},
        __wbindgen_throw: function(p, l) { throw new Error(getString(p, l)); },
    };
    return { __proto__: null, "./ase_emergency_assist_bg.js": import0 };
}
export function run(x) { wasm.run(x); wasm.__wbindgen_export2(1); wasm.__wbindgen_export(2); }
const memory = wasm.memory; const run_ = run;
"#;
        let map = serde_json::json!({
            "imports": [
                ["./ase_emergency_assist_bg.js", "__wbg_get_5c53f3487ad2a906", "a"],
                ["./ase_emergency_assist_bg.js", "__wbindgen_throw", "$b"],
            ],
            "exports": [["run", "pb"], ["memory", "ob"], ["__wbindgen_export", "c"], ["__wbindgen_export2", "d"]],
        });
        let out = rename_in_glue(glue, &map).unwrap();
        assert!(out.contains("        a: function(a, b)"), "{out}");
        // Whole identifiers only: a longer name that starts like an import stays.
        assert!(
            out.contains("__wbg_get_5c53f3487ad2a9061: function()"),
            "{out}"
        );
        assert!(out.contains("$b: function(p, l)"), "{out}");
        assert!(out.contains(r#""a": import0"#), "{out}");
        // Exports only after `wasm.`; the module's own `run` and local names stay.
        assert!(
            out.contains("export function run(x) { wasm.pb(x); wasm.d(1); wasm.c(2); }"),
            "{out}"
        );
        assert!(
            out.contains("const memory = wasm.ob; const run_ = run;"),
            "{out}"
        );
        // A glue that does not name what the map says is refused.
        assert!(rename_in_glue("const x = 1;", &map).is_err());
        assert!(rename_in_glue(glue, &serde_json::json!({})).is_err());
    }

    use super::*;

    #[test]
    fn the_repository_lock_pins_wasm_bindgen() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let v = locked_bindgen_version(&root).unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }
}
