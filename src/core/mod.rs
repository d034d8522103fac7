//! The pure core: every business rule of the sidebar, value in and value out.
//!
//! Architecture invariant: nothing under `core` performs I/O, reads a clock or imports a
//! browser crate. Time arrives as `now_ms`, timezone offsets through [`availability::TzOffsets`],
//! and every network call leaves as a [`sidebar::Request`] value for the host to perform.
pub mod ase;
pub mod availability;
pub mod claim;
pub mod clock;
pub mod detection;
pub mod locale;
pub mod map;
pub mod notes;
pub mod prep;
pub mod problems;
pub mod request;
pub mod settings;
pub mod sidebar;
pub mod slack;
pub mod text;
pub mod view;
pub mod workflow;
pub mod zendesk;
