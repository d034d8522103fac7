//! A small HTTP/1.1 server on `std::net`: one thread per connection, keep-alive, bodies by
//! `Content-Length`. It replaced tiny_http 0.12, whose connection pool could leave a new
//! connection queued behind idle kept-alive ones (its `TaskPool::spawn` queues a connection when
//! it counts a waiting worker that another connection is about to take; the browser then waits
//! for ever for a script: the end-to-end tests saw `zaf_sdk.js` and the app's glue stay pending).
//! Here no connection waits for another.
//!
//! What it does not do, since nothing the host serves needs it: chunked request bodies (answered
//! 411), TLS, HTTP/2, pipelining beyond reading the next request after a response.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::http::{reason, Req, Resp};

/// The largest request head (request line and headers) read.
const MAX_HEAD: usize = 64 * 1024;
/// How long an idle kept-alive connection is held before it is closed.
const IDLE: Duration = Duration::from_secs(120);

/// What the handler answers: a response, or a connection dropped after `raw` bytes (a fault).
pub enum Answer {
    Response(Resp),
    Drop(&'static [u8]),
}

/// A bound listener; [`Listener::run`] serves until [`Stopper::stop`].
pub struct Listener {
    listener: TcpListener,
    stopped: Arc<AtomicBool>,
}

/// Ends a running [`Listener::run`] from another thread.
#[derive(Clone)]
pub struct Stopper {
    port: u16,
    stopped: Arc<AtomicBool>,
}

impl Stopper {
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the blocking `accept`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Listener {
    pub fn bind(addr: &str) -> std::io::Result<Listener> {
        Ok(Listener {
            listener: TcpListener::bind(addr)?,
            stopped: Arc::new(AtomicBool::new(false)),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn stopper(&self) -> Stopper {
        Stopper {
            port: self.port(),
            stopped: Arc::clone(&self.stopped),
        }
    }

    /// Accepts connections until stopped; each gets its own thread, which calls `handle` for
    /// every request on it.
    pub fn run<H>(self, handle: H)
    where
        H: Fn(Req) -> Answer + Send + Sync + 'static,
    {
        let handle = Arc::new(handle);
        for stream in self.listener.incoming() {
            if self.stopped.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let handle = Arc::clone(&handle);
            let _ = std::thread::Builder::new()
                .name("zhost-conn".into())
                .spawn(move || serve_connection(stream, &*handle));
        }
    }
}

fn serve_connection(stream: TcpStream, handle: &dyn Fn(Req) -> Answer) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let head = match read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(status) => {
                let _ = write_response(
                    &mut writer,
                    &Resp::text(status, "bad request"),
                    false,
                    false,
                );
                return;
            }
        };
        let Some((req, version_10)) = parse_head(&head) else {
            let _ = write_response(&mut writer, &Resp::text(400, "bad request"), false, false);
            return;
        };
        let connection = req.header("connection").unwrap_or("").to_ascii_lowercase();
        let keep_alive = if version_10 {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        };
        let req = match read_body(&mut reader, &mut writer, req, version_10) {
            Ok(req) => req,
            Err(resp) => {
                // The client may still be sending the refused body: closing with it unread
                // would reset the connection before the client reads the answer, so it is
                // read and dropped first (a second at most between reads).
                if write_response(&mut writer, &resp, false, false).is_ok() {
                    let _ = writer.shutdown(Shutdown::Write);
                    let _ = reader
                        .get_ref()
                        .set_read_timeout(Some(Duration::from_secs(1)));
                    let _ = std::io::copy(&mut reader.take(crate::MAX_BODY), &mut std::io::sink());
                }
                return;
            }
        };
        let head_only = req.method == "HEAD";
        match handle(req) {
            Answer::Response(resp) => {
                if write_response(&mut writer, &resp, keep_alive, head_only).is_err() || !keep_alive
                {
                    let _ = writer.shutdown(Shutdown::Both);
                    return;
                }
            }
            Answer::Drop(raw) => {
                let _ = writer.write_all(raw);
                let _ = writer.flush();
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// The request head up to its blank line: `None` at a clean end of the connection (or an idle
/// time-out), `Err(status)` for a head too large or cut short.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<String>, u16> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) if head.is_empty() => return Ok(None),
            Ok(0) => return Err(400),
            Ok(_) => {}
            Err(_) if head.is_empty() => return Ok(None),
            Err(_) => return Err(400),
        }
        // Blank lines before a request line are allowed (RFC 9112 §2.2).
        if head.is_empty() && (line == b"\r\n" || line == b"\n") {
            continue;
        }
        let end = line == b"\r\n" || line == b"\n";
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD {
            return Err(431);
        }
        if end {
            return String::from_utf8(head).map(Some).map_err(|_| 400);
        }
    }
}

/// The request line and headers; the flag says HTTP/1.0.
fn parse_head(head: &str) -> Option<(Req, bool)> {
    let mut lines = head.lines();
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || method.is_empty() || !target.starts_with('/') {
        return None;
    }
    let version_10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return None,
    };
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let req = Req {
        method: method.to_ascii_uppercase(),
        path: crate::util::pct_decode(path, false),
        query: query.to_owned(),
        headers,
        body: Vec::new(),
    };
    Some((req, version_10))
}

/// Reads the body `Content-Length` announces (answering an HTTP/1.1 `Expect: 100-continue`
/// first; HTTP/1.0 has no interim responses).
fn read_body(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
    mut req: Req,
    version_10: bool,
) -> Result<Req, Resp> {
    if req
        .header("transfer-encoding")
        .is_some_and(|t| !t.eq_ignore_ascii_case("identity"))
    {
        return Err(Resp::text(411, "send the body with a Content-Length"));
    }
    let length = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map_err(|_| Resp::text(400, "bad Content-Length"))?,
    };
    if length > crate::MAX_BODY {
        return Err(Resp::text(413, "request body too large"));
    }
    if length > 0
        && !version_10
        && req
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut body = Vec::with_capacity(length as usize);
    reader
        .take(length)
        .read_to_end(&mut body)
        .map_err(|_| Resp::text(400, "could not read the request body"))?;
    if body.len() as u64 != length {
        return Err(Resp::text(
            400,
            "request body shorter than its Content-Length",
        ));
    }
    req.body = body;
    Ok(req)
}

/// Writes `resp` whole, with its `Content-Length` (as Zendesk's CDN sends assets).
fn write_response(
    writer: &mut TcpStream,
    resp: &Resp,
    keep_alive: bool,
    head_only: bool,
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (name, value) in &resp.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "content-length" | "connection" | "transfer-encoding"
        ) || name.contains(['\r', '\n'])
            || value.contains(['\r', '\n'])
        {
            continue;
        }
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    // No body, and so no length, for 1xx, 204 and 304 (RFC 9110 §8.6).
    let bodyless = resp.status < 200 || resp.status == 204 || resp.status == 304;
    if !bodyless {
        out.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    out.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut bytes = out.into_bytes();
    if !head_only && !bodyless {
        bytes.extend_from_slice(&resp.body);
    }
    writer.write_all(&bytes)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server answering every request with its method, path and body length.
    fn echo() -> (u16, Stopper) {
        let listener = Listener::bind("127.0.0.1:0").unwrap();
        let (port, stopper) = (listener.port(), listener.stopper());
        std::thread::spawn(move || {
            listener.run(|req| {
                let text = format!("{} {} {}", req.method, req.path, req.body.len());
                Answer::Response(Resp::text(200, &text))
            })
        });
        (port, stopper)
    }

    /// Sends `raw` on `stream` and reads one response: (status line, body).
    fn exchange(stream: &mut TcpStream, raw: &str) -> (String, String) {
        stream.write_all(raw.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (status.trim().to_owned(), String::from_utf8(body).unwrap())
    }

    fn connect(port: u16) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }

    /// tiny_http's pool left a new connection queued behind idle kept-alive ones; here forty
    /// idle connections do not keep the forty-first waiting.
    #[test]
    fn idle_kept_alive_connections_never_hold_up_a_new_one() {
        let (port, stopper) = echo();
        let mut idle = Vec::new();
        for i in 0..40 {
            let mut stream = connect(port);
            let (status, body) = exchange(
                &mut stream,
                &format!("GET /idle/{i} HTTP/1.1\r\nHost: x\r\n\r\n"),
            );
            assert_eq!(status, "HTTP/1.1 200 OK");
            assert_eq!(body, format!("GET /idle/{i} 0"));
            idle.push(stream);
        }
        let mut fresh = connect(port);
        let (_, body) = exchange(&mut fresh, "GET /fresh HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(body, "GET /fresh 0");
        // And each idle one still answers its next request.
        let (_, body) = exchange(
            &mut idle[0],
            "POST /again HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        );
        assert_eq!(body, "POST /again 3");
        stopper.stop();
    }

    #[test]
    fn bodies_by_length_continue_and_refusals() {
        let (port, stopper) = echo();
        let mut stream = connect(port);
        let (status, body) = exchange(
            &mut stream,
            "PUT /x%20y?q=1 HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        );
        assert_eq!(status, "HTTP/1.1 100 Continue");
        assert_eq!(body, "");
        stream.write_all(b"hello").unwrap();
        let (status, body) = exchange(&mut stream, "");
        assert_eq!(
            (status.as_str(), body.as_str()),
            ("HTTP/1.1 200 OK", "PUT /x y 5")
        );

        let mut chunked = connect(port);
        let (status, _) = exchange(
            &mut chunked,
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        );
        assert_eq!(status, "HTTP/1.1 411 Length Required");

        let mut garbage = connect(port);
        let (status, _) = exchange(&mut garbage, "NOT HTTP\r\n\r\n");
        assert_eq!(status, "HTTP/1.1 400 Bad Request");

        // A body too large, sent without waiting: refused with 413 (the server reads and drops
        // the rest before closing; on loopback the answer arrives either way).
        let mut big = connect(port);
        let length = crate::MAX_BODY + 1;
        let head = format!("POST /big HTTP/1.1\r\nContent-Length: {length}\r\n\r\n");
        big.write_all(head.as_bytes()).unwrap();
        let _ = big.write_all(&vec![b'x'; 4 * 1024 * 1024]);
        let (status, _) = exchange(&mut big, "");
        assert_eq!(status, "HTTP/1.1 413 Payload Too Large");

        // HTTP/1.0 knows no 100 Continue: the body is read without one.
        let mut old = connect(port);
        let (status, body) = exchange(
            &mut old,
            "PUT /old HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi",
        );
        assert_eq!(
            (status.as_str(), body.as_str()),
            ("HTTP/1.1 200 OK", "PUT /old 2")
        );

        // HTTP/1.0 without keep-alive: answered, then closed.
        let mut old = connect(port);
        let (_, body) = exchange(&mut old, "GET /old HTTP/1.0\r\n\r\n");
        assert_eq!(body, "GET /old 0");
        let mut rest = Vec::new();
        assert_eq!(
            old.read_to_end(&mut rest).unwrap(),
            0,
            "closed after the answer"
        );
        stopper.stop();
    }
}
