//! ASE Emergency Assist: a Zendesk ticket-sidebar app for the ASE emergency workflow.
/// A translation key, checked and numbered at compile time: `k!("ui.ping.button")`.
#[macro_export]
macro_rules! k {
    ($name:literal) => {
        const { $crate::core::text::key($name) }
    };
}

/// A plural message's keys, checked and numbered at compile time: `pk!("ui.ping.retry_in")`.
#[macro_export]
macro_rules! pk {
    ($base:literal) => {
        const { $crate::core::text::plural_key($base) }
    };
}

pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod host;
