//! The last line of defence: a panic hook that replaces the sidebar with a translated error
//! panel (a panic kills the wasm instance; a dead, blank sidebar would tell the agent nothing),
//! and the panel for start-up errors.
//!
//! Invariant: nothing here borrows app state; the panel is drawn by a fresh [`Renderer`].
use super::render::Renderer;
use crate::core::text::Catalog;
use crate::core::view::{Message, Phase, View};

/// Installs the panic hook (again, once the agent's language is known); the words are
/// translated now, while translating is still safe.
pub fn install_hook(catalog: &Catalog) {
    let catalog = catalog.clone();
    std::panic::set_hook(Box::new(move |info| {
        // The message and where, without `Display for PanicHookInfo` (its formatting machinery
        // is 0.2 KB gzipped the panel does not need).
        let mut detail = info.payload_as_str().unwrap_or_default().to_string();
        if let Some(at) = info.location() {
            detail.push_str(" @ ");
            detail.push_str(at.file());
            detail.push(':');
            detail.push_str(&crate::core::text::number_text(f64::from(at.line())));
        }
        web_sys::console::error_2(
            &"ase-emergency-assist panicked:".into(),
            &detail.as_str().into(),
        );
        let message = Message::with_detail(catalog.get(k!("host.error.crashed")), detail);
        show_error(&catalog, vec![message]);
    }));
}

/// Replaces the sidebar's content with an error panel (`data-phase="misconfigured"`).
pub fn show_error(catalog: &Catalog, problems: Vec<Message>) {
    let view = View {
        phase: Phase::Misconfigured,
        details_label: catalog.get(k!("ui.details")),
        headline: catalog.get(k!("host.error.headline")),
        problems,
        emergency: None,
        collapsed: false,
        composer: None,
    };
    match Renderer::for_app().and_then(|mut r| r.render(view)) {
        Ok(height) => super::app::resize(height),
        Err(e) => web_sys::console::error_1(&e.detail().into()),
    }
}
