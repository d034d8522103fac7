//! Running the external tools xtask drives (cargo, npm, node, wasm-bindgen) and the one error
//! type of xtask. Every command is echoed before it runs so a failing CI log shows what to rerun.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// Everything that can go wrong in an xtask command.
#[derive(Debug)]
pub enum Error {
    /// A file-system or process operation failed.
    Io { what: String, source: io::Error },
    /// A tool ran and exited unsuccessfully.
    Failed { command: String, status: ExitStatus },
    /// A tool is missing or has the wrong version; the text says how to fix it.
    Tool(String),
    /// The package breaks Zendesk's rules.
    Invalid(String),
    /// Bad command-line arguments.
    Usage(String),
    /// The local Zendesk host could not start.
    Host(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::Failed { command, status } => write!(f, "`{command}` failed ({status})"),
            Error::Tool(msg) | Error::Invalid(msg) | Error::Usage(msg) | Error::Host(msg) => {
                f.write_str(msg)
            }
        }
    }
}

impl std::error::Error for Error {}

/// Wraps an `io::Error` with what was being done.
pub fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// The command line as a person would type it.
pub fn display(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| format!("{}={}", k.to_string_lossy(), v.to_string_lossy())))
        .collect();
    parts.push(cmd.get_program().to_string_lossy().into_owned());
    parts.extend(cmd.get_args().map(|a| {
        let a = a.to_string_lossy();
        if a.contains(' ') {
            format!("'{a}'")
        } else {
            a.into_owned()
        }
    }));
    parts.join(" ")
}

/// Runs a command with inherited stdio and fails unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<(), Error> {
    let line = display(cmd);
    eprintln!("$ {line}");
    let status = cmd
        .status()
        .map_err(io_err(format!("cannot run `{line}`")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed {
            command: line,
            status,
        })
    }
}

/// `cargo`, as the one running xtask (so `cargo +toolchain xtask` keeps its toolchain).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The first of `names` found on PATH (or the path itself when it contains a slash).
pub fn which(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return Path::new(name).is_file().then(|| PathBuf::from(name));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Runs a command like [`run`], killing it when it outlives `deadline` (for steps that drive a
/// browser, which can hang where a compiler cannot).
pub fn run_with_deadline(cmd: &mut Command, deadline: std::time::Duration) -> Result<(), Error> {
    let line = display(cmd);
    eprintln!("$ {line}");
    let mut child = cmd
        .spawn()
        .map_err(io_err(format!("cannot run `{line}`")))?;
    let start = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(Error::Failed {
                    command: line,
                    status,
                })
            }
            Ok(None) if start.elapsed() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Tool(format!(
                    "`{line}` did not finish within {} s and was killed",
                    deadline.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(200)),
            Err(e) => return Err(io_err(format!("cannot wait for `{line}`"))(e)),
        }
    }
}
