//! Transport-neutral request and response values.
//!
//! The server (`server.rs`) turns every request into a [`Req`]; the emulators answer with a [`Resp`].
//! The ZAF proxy builds `Req`s itself and calls the emulators in-process, exactly as if the
//! request had come over the wire.
//!
//! [`Resp::encoded`] compresses a response the way Zendesk's CDN serves app assets: `br` when the
//! client accepts it, else `gzip`, else identity, each body compressed once per content.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::util;

/// One HTTP request: method upper-case, header names lower-case, query without `?`.
#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    /// First header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Query string pairs, percent-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        util::parse_form(&self.query)
    }

    /// One decoded query parameter.
    pub fn query_param(&self, key: &str) -> Option<String> {
        util::query_get(&self.query_pairs(), key).map(str::to_owned)
    }

    /// The media type of the body (`application/json`), lower-case, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// A JSON response (`application/json; charset=utf-8`).
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: v.to_string().into_bytes(),
        }
    }

    /// A response with an explicit content type.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// An empty response (204 and the like).
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Plain-text response.
    pub fn text(status: u16, body: &str) -> Resp {
        Resp::bytes(
            status,
            "text/plain; charset=utf-8",
            body.as_bytes().to_vec(),
        )
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Resp {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// This response with its body content-coded for `req`'s `Accept-Encoding` (see
    /// [`Coding::negotiate`]): `Content-Encoding` when coded, `Vary: Accept-Encoding` always,
    /// `Content-Length` matching the coded body. Only successful responses with a body of a
    /// compressible type are coded. With `cache`, each coded body is kept (keyed by a hash of
    /// the content), so a file is compressed once however often it is served; dynamic bodies
    /// (pages rewritten per request) should pass `false`.
    pub fn encoded(mut self, req: &Req, cache: bool) -> Resp {
        let compressible = self
            .header("content-type")
            .is_some_and(is_compressible_type);
        if self.status != 200 || !compressible || self.header("content-encoding").is_some() {
            return self;
        }
        self.headers.push(("Vary".into(), "Accept-Encoding".into()));
        let coding = Coding::negotiate(req.header("accept-encoding"));
        if coding != Coding::Identity {
            let body = if cache {
                cached_compress(coding, &self.body).as_ref().clone()
            } else {
                compress(coding, &self.body)
            };
            self.body = body;
            self.headers
                .push(("Content-Encoding".into(), coding.token().into()));
        }
        self.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-length"));
        let len = self.body.len().to_string();
        self.headers.push(("Content-Length".into(), len));
        self
    }
}

/// A content coding zhost can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// Brotli, quality 11 (what a CDN serves precompressed assets with).
    Br,
    /// gzip, best compression.
    Gzip,
    /// No coding.
    Identity,
}

impl Coding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }

    /// What to send for an `Accept-Encoding` value: `br` when it is accepted, else `gzip`, else
    /// identity. A coding is accepted when listed (or covered by `*`) with a q-value above 0
    /// (RFC 9110 §12.5.3); `x-gzip` counts as `gzip`.
    pub fn negotiate(accept: Option<&str>) -> Coding {
        let Some(accept) = accept else {
            return Coding::Identity;
        };
        let mut listed: Vec<(String, bool)> = Vec::new();
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            let mut q = 1.0f32;
            for p in parts {
                if let Some((k, v)) = p.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v.trim().parse().unwrap_or(0.0);
                    }
                }
            }
            let name = if name == "x-gzip" {
                "gzip".into()
            } else {
                name
            };
            listed.push((name, q > 0.0));
        }
        let accepts = |coding: &str| match listed.iter().find(|(n, _)| n == coding) {
            Some((_, ok)) => *ok,
            None => listed.iter().any(|(n, ok)| n == "*" && *ok),
        };
        if accepts("br") {
            Coding::Br
        } else if accepts("gzip") {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }
}

/// Text, JavaScript, JSON, SVG and WebAssembly compress well; images and fonts already are.
fn is_compressible_type(content_type: &str) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media.starts_with("text/")
        || matches!(
            media.as_str(),
            "application/javascript"
                | "application/json"
                | "application/wasm"
                | "application/manifest+json"
                | "image/svg+xml"
        )
}

/// `bytes` compressed with `coding` (identity returns them unchanged).
pub fn compress(coding: Coding, bytes: &[u8]) -> Vec<u8> {
    match coding {
        Coding::Identity => bytes.to_vec(),
        Coding::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            // Writing into a Vec cannot fail.
            let _ = enc.write_all(bytes);
            enc.finish().unwrap_or_default()
        }
        Coding::Br => {
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 22,
                size_hint: bytes.len(),
                ..Default::default()
            };
            let mut out = Vec::new();
            let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
            out
        }
    }
}

/// Coded bodies by (coding, content length, content hash). Cleared when it grows past
/// [`CACHE_MAX_BYTES`], which only a long session of rebuilt packages reaches.
type Cache = HashMap<(Coding, usize, u64), Arc<Vec<u8>>>;

const CACHE_MAX_BYTES: usize = 64 * 1024 * 1024;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `compress`, once per (coding, content).
fn cached_compress(coding: Coding, bytes: &[u8]) -> Arc<Vec<u8>> {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    let key = (coding, bytes.len(), h.finish());
    let lock = || cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(hit) = lock().get(&key) {
        return Arc::clone(hit);
    }
    // Compressed outside the lock: two first requests for one file may both compress it, but
    // requests for other files never wait on it.
    let coded = Arc::new(compress(coding, bytes));
    let mut c = lock();
    let held: usize = c.values().map(|v| v.len()).sum();
    if held + coded.len() > CACHE_MAX_BYTES {
        c.clear();
    }
    c.insert(key, Arc::clone(&coded));
    coded
}

/// The canonical reason phrase for a status code.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_br_then_gzip_then_identity() {
        let n = |a: &str| Coding::negotiate(Some(a));
        assert_eq!(n("gzip, deflate, br, zstd"), Coding::Br);
        assert_eq!(n("gzip, deflate"), Coding::Gzip);
        assert_eq!(n("br;q=0, gzip;q=0.5"), Coding::Gzip);
        assert_eq!(n("BR ; Q=0.1"), Coding::Br);
        assert_eq!(n("x-gzip"), Coding::Gzip);
        assert_eq!(n("*"), Coding::Br);
        assert_eq!(n("*;q=0, gzip"), Coding::Gzip);
        assert_eq!(n("gzip;q=0, br;q=0"), Coding::Identity);
        assert_eq!(n("identity"), Coding::Identity);
        assert_eq!(n(""), Coding::Identity);
        assert_eq!(Coding::negotiate(None), Coding::Identity);
    }

    #[test]
    fn each_content_is_compressed_once() {
        let body = b"compress me once ".repeat(100);
        let a = cached_compress(Coding::Br, &body);
        let b = cached_compress(Coding::Br, &body);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.len() < body.len());
        let g = cached_compress(Coding::Gzip, &body);
        assert!(!Arc::ptr_eq(&a, &g));
        assert_eq!(&g[..2], b"\x1f\x8b");
    }

    #[test]
    fn only_successful_compressible_responses_are_coded() {
        let req = Req {
            headers: vec![("accept-encoding".into(), "br".into())],
            ..Req::default()
        };
        let png = Resp::bytes(200, "image/png", vec![1; 100]).encoded(&req, false);
        assert_eq!(png.header("content-encoding"), None);
        let missing = Resp::text(404, "not found").encoded(&req, false);
        assert_eq!(missing.body, b"not found");
        let wasm = Resp::bytes(200, "application/wasm", vec![0; 1000]).encoded(&req, false);
        assert_eq!(wasm.header("content-encoding"), Some("br"));
        assert_eq!(wasm.header("content-type"), Some("application/wasm"));
        assert_eq!(wasm.header("vary"), Some("Accept-Encoding"));
        assert_eq!(
            wasm.header("content-length"),
            Some(wasm.body.len().to_string().as_str())
        );
    }
}
