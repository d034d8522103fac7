//! The host (wasm32 only): what stands between the core and the browser. The imperative shell,
//! `shell.js`, talks to Zendesk's ZAF SDK (connect, reads, `client.request`, events, timers) and
//! drives [`app::Core`], which decodes ZAF's answers for the core and draws its view-model
//! through `render.js`.
//!
//! Architecture invariants kept here: only `host` knows ZAF JSON and the DOM (the core gets
//! typed values and returns typed requests and view-models); the host holds no business rule;
//! untrusted text reaches the DOM only through `textContent`; nothing in `host` panics on
//! runtime data, and a panic hook draws an error panel should something still panic.
mod alloc;
pub mod app;
pub mod boot;
pub mod crash;
pub mod decode;
pub mod http;
pub mod intl;
mod js;
pub mod json;
pub mod render;
pub mod strings;
pub mod tz;
pub mod zaf;

use crate::core::text::{Catalog, Key};
use crate::core::view::Message;

/// Everything that can go wrong at the boundary between the app and the browser or ZAF.
#[derive(Debug, Clone, PartialEq)]
pub enum HostError {
    /// The ZAF SDK is not there (script blocked or not loaded) or `ZAFClient.init` threw.
    SdkMissing(String),
    /// `ZAFClient.init` returned `false`: the page was opened outside Zendesk.
    NotInZendesk,
    /// A ZAF call rejected.
    Zaf { call: String, detail: String },
    /// `client.get` did not provide `path`, or gave it an unexpected shape.
    Data { path: String, detail: String },
    /// A setting in `metadata.settings` has a value of an unsupported type.
    Settings { name: String, detail: String },
    /// A value could not be encoded for ZAF.
    Encode(String),
    /// A DOM call failed.
    Dom(String),
}

impl HostError {
    /// The technical detail alone, for the console (no `Display`: its texts and formatting
    /// cost the bundle more than they tell).
    pub fn detail(&self) -> &str {
        match self {
            HostError::NotInZendesk => "ZAFClient.init returned false",
            HostError::SdkMissing(d) | HostError::Encode(d) | HostError::Dom(d) => d,
            HostError::Zaf { detail, .. }
            | HostError::Data { detail, .. }
            | HostError::Settings { detail, .. } => detail,
        }
    }

    /// What a person reads, from the `host.error.*` translations; the technical detail goes to
    /// the panel's "Details" disclosure.
    pub fn message(&self, catalog: &Catalog) -> Message {
        let (key, args, detail): (Key, &[(&str, &str)], String) = match self {
            HostError::SdkMissing(detail) => (k!("host.error.sdk_missing"), &[], detail.clone()),
            HostError::NotInZendesk => (k!("host.error.not_in_zendesk"), &[], String::new()),
            HostError::Zaf { call, detail } => {
                (k!("host.error.zaf"), &[], format!("{call}: {detail}"))
            }
            HostError::Data { path, detail } => {
                (k!("host.error.data"), &[], format!("{path}: {detail}"))
            }
            HostError::Settings { name, detail } => {
                let label = crate::core::problems::setting_label(catalog, name);
                let text = catalog.render(k!("host.error.settings"), &[("name", &label)]);
                return Message::with_detail(text, format!("{name}: {detail}"));
            }
            HostError::Encode(detail) | HostError::Dom(detail) => {
                (k!("host.error.internal"), &[], detail.clone())
            }
        };
        Message::with_detail(catalog.render(key, args), detail)
    }
}
