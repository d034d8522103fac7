//! What ZAF answers `client.get` with (the shell, `shell.js`, makes the calls).
//!
//! Invariant: only `host` knows ZAF JSON; decoded, typed values leave this module, never raw
//! results of `client.get`.
use super::decode::{self, Decode};
use super::js;
use super::HostError;
use wasm_bindgen::prelude::*;

/// The answer of a bulk `client.get`: one value or one error per path (ZAF.md §1.4).
#[derive(Debug)]
pub struct GetResult {
    result: JsValue,
}

impl GetResult {
    /// Wraps a raw `result` object; exposed so browser tests can feed ZAF-shaped fixtures.
    pub fn from_js(result: JsValue) -> GetResult {
        GetResult { result }
    }

    /// The value at `path`, or why Zendesk did not provide it.
    fn raw(&self, path: &str) -> Result<JsValue, HostError> {
        let reported =
            js::field(&self.result, "errors").and_then(|errors| js::field(&errors, path));
        if let Some(error) = reported {
            return Err(HostError::Data {
                path: path.to_string(),
                detail: js::describe(&error),
            });
        }
        match js::field(&self.result, path) {
            Some(value) => Ok(value),
            None => Err(HostError::Data {
                path: path.to_string(),
                detail: "no value".to_string(),
            }),
        }
    }

    /// The value at `path` decoded into `T`; a missing value or a wrong shape names the path
    /// (`ticket.assignee.user.id`).
    pub fn decode<T: Decode>(&self, path: &str) -> Result<T, HostError> {
        let value = self.raw(path)?;
        decode::decode(&value, path).map_err(|e| HostError::Data {
            path: e.path,
            detail: e.detail,
        })
    }

    /// A custom field value as text: checkbox → "true"/"false", number → its decimal form,
    /// unset, missing or unknown field → `None`.
    pub fn field_text(&self, path: &str) -> Option<String> {
        let value = self.raw(path).ok()?;
        if let Some(b) = value.as_bool() {
            return Some(b.to_string());
        }
        if let Some(n) = value.as_f64() {
            return Some(number_text(n));
        }
        value.as_string()
    }
}

pub(crate) use crate::core::text::number_text;
