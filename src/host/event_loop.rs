//! The event loop: owns the core [`Sidebar`], feeds it replies, clicks and the clock, and
//! performs what it asks for. After every input: render the view, then drain `poll_request`.
//!
//! Invariant: no business rule lives here; and no `RefCell` borrow is held across an `.await`
//! or across a call back into the DOM that could re-enter.
use super::http;
use super::intl::BrowserIntl;
use super::render::Renderer;
use super::zaf::ZafClient;
use crate::core::sidebar::{Action, Boot, Sidebar};
use gloo::events::EventListener;
use gloo::timers::callback::{Interval, Timeout};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement};

/// How often the view is redrawn so the ASE's local time stays current.
const TICK_MS: u32 = 30_000;

/// The running app; lives as long as the page (its listeners are never removed).
#[derive(Debug)]
pub struct App {
    sidebar: RefCell<Sidebar>,
    client: ZafClient,
    intl: BrowserIntl,
    renderer: RefCell<Renderer>,
    height: Cell<u32>,
    /// The pending wake-up the core asked for (dropping it cancels it).
    wake: RefCell<Option<Timeout>>,
    /// `ticket.customField:custom_field_<id>` of the emergency field rule, if one is set.
    field_path: Option<String>,
    /// A re-read of the ticket is under way; `again`: another event came meanwhile.
    reading: Cell<bool>,
    again: Cell<bool>,
    /// An event since the last re-read says someone may have changed the shared state.
    shared: Cell<bool>,
}

/// The browser clock, read once per event (time is an argument of the core).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn log_error(what: &str) {
    web_sys::console::error_1(&what.into());
}

/// Starts the core with `boot` and wires clicks and the redraw timer.
pub fn start(client: ZafClient, boot: Boot, renderer: Renderer) {
    let intl = BrowserIntl::new(&crate::core::text::format_locale(&boot.locale));
    let field_id = super::boot::custom_field_id(&boot.settings);
    let sidebar = Sidebar::new(boot, now_ms(), &intl);
    let app = Rc::new(App {
        sidebar: RefCell::new(sidebar),
        client,
        intl,
        renderer: RefCell::new(renderer),
        height: Cell::new(0),
        wake: RefCell::new(None),
        field_path: field_id
            .as_ref()
            .map(|id| format!("ticket.customField:custom_field_{id}")),
        reading: Cell::new(false),
        again: Cell::new(false),
        shared: Cell::new(false),
    });
    app.pump();

    // Live state: the ticket as the agent edits it (before saving): detection again; a save by
    // anyone and the app coming back into view: also the shared state (claims, notes) again.
    let field_event = field_id.map(|id| format!("ticket.custom_field_{id}.changed"));
    let names = [
        "ticket.updated",
        "app.activated",
        "ticket.priority.changed",
        "ticket.tags.changed",
        "ticket.assignee.changed",
        "ticket.form.id.changed",
        "ticket.subject.changed",
        "ticket.organization.changed",
    ];
    let on_event = Rc::clone(&app);
    let shared = Closure::<dyn FnMut()>::new(move || on_event.ticket_event(true));
    let on_event = Rc::clone(&app);
    let edited = Closure::<dyn FnMut()>::new(move || on_event.ticket_event(false));
    // The first two are the shared ones: a save by anyone, the app shown again.
    for (i, name) in names
        .iter()
        .copied()
        .chain(field_event.as_deref())
        .enumerate()
    {
        let handler = if i < 2 { &shared } else { &edited };
        app.client.on(name, handler.as_ref().unchecked_ref());
    }
    shared.forget();
    edited.forget();

    if let Some(root) = app.renderer.try_borrow().ok().map(|r| r.root()) {
        let on_click = Rc::clone(&app);
        EventListener::new(&root, "click", move |event| on_click.on_click(event)).forget();
    }
    let on_tick = Rc::clone(&app);
    Interval::new(TICK_MS, move || on_tick.pump()).forget();
}

impl App {
    /// A ticket event: re-reads the ticket from ZAF (once for a burst of events), lets the core
    /// detect again and, after a `shared` event, re-read the shared state; then redraws.
    fn ticket_event(self: &Rc<Self>, shared: bool) {
        if shared {
            self.shared.set(true);
        }
        if self.reading.replace(true) {
            self.again.set(true);
            return;
        }
        let app = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                app.again.set(false);
                let mut paths = vec!["ticket"];
                if let Some(path) = app.field_path.as_deref() {
                    paths.push(path);
                }
                match app.client.get(&paths).await.and_then(|data| {
                    let field = app.field_path.as_deref().and_then(|p| data.field_text(p));
                    Ok((data.decode("ticket")?, field))
                }) {
                    Ok((ticket, field)) => {
                        if let Ok(mut sidebar) = app.sidebar.try_borrow_mut() {
                            sidebar.ticket_changed(ticket, field, &app.intl);
                            if app.shared.replace(false) {
                                sidebar.refresh(now_ms());
                            }
                        }
                    }
                    Err(_) => log_error("cannot re-read the ticket"),
                }
                app.pump();
                if !app.again.get() {
                    break;
                }
            }
            app.reading.set(false);
        });
    }

    /// Renders the current view, then performs every request the core has queued.
    fn pump(self: &Rc<Self>) {
        let now = now_ms();
        let view = match self.sidebar.try_borrow() {
            Ok(sidebar) => sidebar.view(now, &self.intl),
            Err(_) => return log_error("sidebar busy during render"),
        };
        let rendered = match self.renderer.try_borrow_mut() {
            Ok(mut renderer) => renderer.render(view),
            Err(_) => return log_error("renderer busy during render"),
        };
        match rendered {
            Ok(Some(height)) if height != self.height.get() => {
                self.height.set(height);
                self.client.resize(height);
            }
            Ok(_) => {}
            Err(e) => log_error(e.detail()),
        }
        let wake_at = self
            .sidebar
            .try_borrow()
            .ok()
            .and_then(|s| s.next_wake(now));
        if let Ok(mut wake) = self.wake.try_borrow_mut() {
            *wake = wake_at.map(|at| {
                let app = Rc::clone(self);
                Timeout::new((at - now).clamp(0, 600_000) as u32, move || {
                    if let Ok(mut sidebar) = app.sidebar.try_borrow_mut() {
                        sidebar.tick(now_ms());
                    }
                    app.pump();
                })
            });
        }
        loop {
            let next = match self.sidebar.try_borrow_mut() {
                Ok(mut sidebar) => sidebar.poll_request(),
                Err(_) => return log_error("sidebar busy during poll"),
            };
            let Some(request) = next else { break };
            let app = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                let reply = http::send(&app.client, &request).await;
                match app.sidebar.try_borrow_mut() {
                    Ok(mut sidebar) => sidebar.handle_reply(request.id, reply, now_ms(), &app.intl),
                    Err(_) => return log_error("sidebar busy when a reply arrived"),
                }
                app.pump();
            });
        }
    }

    fn on_click(self: &Rc<Self>, event: &web_sys::Event) {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("button").ok().flatten())
        else {
            return;
        };
        let action = match button.id().as_str() {
            "copy-button" => return copy_ping_text(),
            "ping-button" => Action::Ping,
            "retry-button" => Action::Retry,
            "ase-retry-button" => Action::RetryLookup,
            _ => return,
        };
        // Disable first, synchronously: a second click of a double click must find nothing.
        if let Some(b) = button.dyn_ref::<HtmlButtonElement>() {
            if b.disabled() {
                return;
            }
            b.set_disabled(true);
        }
        // The next render must redraw even if the core ignores the click, or the button
        // would stay disabled.
        if let Ok(mut renderer) = self.renderer.try_borrow_mut() {
            renderer.invalidate();
        }
        match self.sidebar.try_borrow_mut() {
            Ok(mut sidebar) => sidebar.handle_action(action, now_ms(), &self.intl),
            Err(_) => return log_error("sidebar busy during click"),
        }
        self.pump();
    }
}

/// Degraded mode: selects the ping's text and copies it (`execCommand('copy')` on the click, which
/// needs no clipboard permission in Zendesk's iframe); the selection stays for Ctrl+C should the
/// browser refuse.
fn copy_ping_text() {
    use js_sys::{Function, Reflect};
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(area) = document.get_element_by_id("ping-text") else {
        return;
    };
    let call = |target: &wasm_bindgen::JsValue, method: &str, arg: &wasm_bindgen::JsValue| {
        if let Ok(f) = Reflect::get(target, &method.into()).and_then(|f| f.dyn_into::<Function>()) {
            let _ = f.call1(target, arg);
        }
    };
    let none = wasm_bindgen::JsValue::UNDEFINED;
    call(&area, "focus", &none);
    call(&area, "select", &none);
    call(&document, "execCommand", &"copy".into());
}
