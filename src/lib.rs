//! ASE Emergency Assist: a Zendesk ticket-sidebar app for the ASE emergency workflow.
pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod host;
