//! Starting the local Zendesk host (`zhost`) in-process on the built app, for `demo`, the
//! end-to-end tests, the README screenshot and the cold-start bench.

use crate::build::Paths;
use crate::command::Error;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Starts zhost on `127.0.0.1:port` (0 = any free port) serving `target/app/` and the world.
///
/// zhost serves the app's files brotli- or gzip-coded and compresses each file once, on its
/// first request; a background thread asks for every asset right away (see [`warm`]) so that the
/// first browser load does not wait for brotli.
pub fn start(paths: &Paths, port: u16, world: PathBuf) -> Result<zhost::Server, Error> {
    if !world.is_file() {
        return Err(Error::Usage(format!(
            "world file {} does not exist",
            world.display()
        )));
    }
    let server = zhost::serve(zhost::Config {
        port,
        world_path: world,
        app_dir: paths.app_dir.clone(),
        sdk_path: paths.sdk.clone(),
    })
    .map_err(|e| Error::Host(format!("cannot start the local Zendesk host: {e}")))?;
    let (app_dir, port) = (paths.app_dir.clone(), server.port());
    let _ = std::thread::Builder::new()
        .name("zhost-warm".into())
        .spawn(move || warm(&app_dir, port));
    Ok(server)
}

/// Requests every file under `app_dir/assets/` from the app origin of the zhost on `port`, with
/// `Accept-Encoding: br` and `gzip`, so zhost has compressed each of them. Best effort: returns
/// how many responses were 200.
pub fn warm(app_dir: &Path, port: u16) -> usize {
    fn files(dir: &Path, rel: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = format!("{rel}/{}", e.file_name().to_string_lossy());
            if e.path().is_dir() {
                files(&e.path(), &name, out);
            } else {
                out.push(name);
            }
        }
    }
    let mut paths = Vec::new();
    files(&app_dir.join("assets"), "/app/assets", &mut paths);
    let mut ok = 0;
    for path in &paths {
        for coding in ["br", "gzip"] {
            if get_status(port, path, coding) == Some(200) {
                ok += 1;
            }
        }
    }
    ok
}

/// One `GET` to the app origin (`localhost`), the body read and dropped.
fn get_status(port: u16, path: &str, accept_encoding: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let line = buf.split(|b| *b == b'\r').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// The default demo and test world.
pub fn demo_world(paths: &Paths) -> PathBuf {
    paths.root.join("worlds").join("demo.json")
}

/// The URL of the host pages of a running server.
pub fn url(server: &zhost::Server) -> String {
    format!("http://127.0.0.1:{}", server.port())
}
