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

/// Waits for `child`, killing it once `deadline` has passed.
pub fn wait_with_deadline(
    child: &mut std::process::Child,
    line: String,
    deadline: std::time::Duration,
) -> Result<(), Error> {
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

/// How many tests a test runner reported, read from its own summary lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: u64,
    pub failed: u64,
}

impl TestCounts {
    /// Adds what one output line reports: cargo's and wasm-bindgen-test's
    /// `test result: ok. 25 passed; 0 failed; ...`, or node's TAP `# pass 18` / `# fail 0`.
    pub fn read_line(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(n)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(n) = n.parse::<u64>() else { continue };
                match label {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    _ => {}
                }
            }
        } else if let Some(n) = line.strip_prefix("# pass ") {
            self.passed += n.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            self.failed += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
}

/// Runs a test runner with a deadline (it is killed after it), echoing its standard output line by line while
/// counting the tests it reports.
pub fn run_tests(
    cmd: &mut Command,
    deadline: std::time::Duration,
) -> (Result<(), Error>, TestCounts) {
    use std::io::BufRead;
    let counts = std::sync::Arc::new(std::sync::Mutex::new(TestCounts::default()));
    cmd.stdout(std::process::Stdio::piped());
    let line = display(cmd);
    eprintln!("$ {line}");
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return (
                Err(io_err(format!("cannot run `{line}`"))(e)),
                TestCounts::default(),
            )
        }
    };
    let reader = child.stdout.take().map(|stdout| {
        let counts = std::sync::Arc::clone(&counts);
        std::thread::spawn(move || {
            for text in io::BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("{text}");
                if let Ok(mut c) = counts.lock() {
                    c.read_line(&text);
                }
            }
        })
    });
    let result = wait_with_deadline(&mut child, line, deadline);
    if let Some(reader) = reader {
        let _ = reader.join();
    }
    let counts = counts.lock().map(|c| *c).unwrap_or_default();
    (result, counts)
}

#[cfg(test)]
mod tests {
    use super::TestCounts;

    #[test]
    fn counts_tests_from_cargo_wasm_and_node_summaries() {
        let mut c = TestCounts::default();
        for line in [
            "test result: ok. 25 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.06s",
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
            "test result: ok. 12 passed; 0 failed; 0 ignored; 0 filtered out; finished in 1.20s",
            "# pass 18",
            "# fail 1",
            "# passed the gate",
            "running 25 tests",
        ] {
            c.read_line(line);
        }
        assert_eq!(
            c,
            TestCounts {
                passed: 58,
                failed: 3
            }
        );
    }
}
