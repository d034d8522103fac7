//! The imperative shell (wasm32 only): binds Zendesk's ZAF SDK, performs HTTP through
//! `client.request`, renders the core's view into the DOM and runs the event loop.
//!
//! Architecture invariants kept here: only `host` knows ZAF JSON and the DOM (the core gets
//! typed values and returns typed requests and view-models); the host holds no business rule;
//! untrusted text reaches the DOM only through `textContent`; nothing in `host` panics on
//! runtime data, and a panic hook draws an error panel should something still panic.
mod alloc;
pub mod boot;
pub mod crash;
pub mod decode;
pub mod event_loop;
pub mod http;
mod js;
pub mod render;
pub mod tz;
pub mod zaf;

use crate::core::text::Catalog;
use crate::core::view::{Phase, View};
use std::fmt;
use wasm_bindgen::prelude::*;

/// Everything that can go wrong at the boundary between the app and the browser or ZAF.
#[derive(Debug, Clone, PartialEq)]
pub enum HostError {
    /// The ZAF SDK is not there (script blocked or not loaded) or `ZAFClient.init` threw.
    SdkMissing(String),
    /// `ZAFClient.init` returned `false`: the page was opened outside Zendesk.
    NotInZendesk,
    /// A ZAF call rejected.
    Zaf { call: &'static str, detail: String },
    /// `client.get` did not provide `path`, or gave it an unexpected shape.
    Data { path: String, detail: String },
    /// A setting in `metadata.settings` has a value of an unsupported type.
    Settings { name: String, detail: String },
    /// A value could not be encoded for ZAF.
    Encode(String),
    /// A DOM call failed.
    Dom(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::SdkMissing(d) => write!(f, "the ZAF SDK is unavailable: {d}"),
            HostError::NotInZendesk => {
                write!(f, "ZAFClient.init returned false (no origin or app_guid)")
            }
            HostError::Zaf { call, detail } => write!(f, "ZAF {call} failed: {detail}"),
            HostError::Data { path, detail } => write!(f, "ZAF data {path} is unusable: {detail}"),
            HostError::Settings { name, detail } => {
                write!(f, "setting {name} is unusable: {detail}")
            }
            HostError::Encode(d) => write!(f, "cannot encode a value for ZAF: {d}"),
            HostError::Dom(d) => write!(f, "DOM call failed: {d}"),
        }
    }
}

impl std::error::Error for HostError {}

impl HostError {
    /// The message a person reads, from the `host.error.*` translations.
    pub fn message(&self, catalog: &Catalog) -> String {
        match self {
            HostError::SdkMissing(detail) => {
                catalog.render("host.error.sdk_missing", &[("detail", detail)])
            }
            HostError::NotInZendesk => catalog.get("host.error.not_in_zendesk"),
            HostError::Zaf { call, detail } => {
                catalog.render("host.error.zaf", &[("call", call), ("detail", detail)])
            }
            HostError::Data { path, detail } => {
                catalog.render("host.error.data", &[("path", path), ("detail", detail)])
            }
            HostError::Settings { name, detail } => {
                catalog.render("host.error.settings", &[("name", name), ("detail", detail)])
            }
            HostError::Encode(detail) | HostError::Dom(detail) => {
                catalog.render("host.error.internal", &[("detail", detail)])
            }
        }
    }
}

/// Entry point, called by `app.js` after the wasm module is initialised.
#[wasm_bindgen]
pub fn run() {
    let catalog = boot::catalog();
    crash::install_hook(
        catalog.get("host.error.headline"),
        catalog.get("host.error.crashed"),
    );
    let loading = View {
        phase: Phase::Loading,
        headline: catalog.get("host.loading"),
        problems: Vec::new(),
        emergency: None,
        collapsed: false,
    };
    if let Err(e) = render::Renderer::for_app().and_then(|mut r| r.render(&loading)) {
        web_sys::console::error_1(&format!("cannot render: {e}").into());
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = start(catalog.clone()).await {
            web_sys::console::error_1(&e.to_string().into());
            crash::show_error(
                &catalog.get("host.error.headline"),
                vec![e.message(&catalog)],
            );
        }
    });
}

async fn start(catalog: Catalog) -> Result<(), HostError> {
    let client = zaf::ZafClient::connect().await?;
    crash::remember_client(&client);
    let boot = boot::read(&client, catalog).await?;
    let renderer = render::Renderer::for_app()?;
    event_loop::start(client, boot, renderer);
    Ok(())
}
