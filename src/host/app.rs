//! The core as the shell (`shell.js`) drives it: [`Core`] owns the [`Sidebar`], decodes what
//! the shell read from ZAF, feeds the sidebar replies, clicks, ticket events and the clock, draws
//! its view, and hands the shell the requests to send.
//!
//! Invariants: no business rule lives here; every method answers from decoded, typed values and
//! never panics on runtime data (bad data is an error panel naming what is wrong, or a console
//! line for an event); a reply whose id the core did not send is dropped.
use super::boot::{self, custom_field_id, decode_boot, decode_settings};
use super::http::{self, REQUEST_TIMEOUT_S};
use super::intl::BrowserIntl;
use super::render::Renderer;
use super::zaf::GetResult;
use super::{crash, strings, tz, HostError};
use crate::core::prep::Draft;
use crate::core::sidebar::{Action, Boot, Expect, Failure, Sidebar};
use crate::core::text::{self, digits, Catalog};
use crate::core::workflow::composer::Ask;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/host/shell.js")]
extern "C" {
    /// Starts the shell with a fresh core and the strings loader of `app.js`.
    fn start(core: Core, load_strings: &js_sys::Function);
    /// `client.invoke('resize')` to `height` CSS pixels, once the shell has a client.
    pub(crate) fn resize(height: u32);
}

/// Entry point, called by `app.js` after the wasm module is initialised. `load_strings(file)`
/// returns a promise of the strings array of `i18n/<file>.json` (see [`strings`]).
#[wasm_bindgen]
pub fn run(load_strings: js_sys::Function) {
    let catalog = boot::catalog();
    crash::install_hook(&catalog);
    let loading = crate::core::view::View {
        phase: crate::core::view::Phase::Loading,
        details_label: String::new(),
        headline: catalog.get(k!("host.loading")),
        problems: Vec::new(),
        emergency: None,
        collapsed: false,
        composer: None,
    };
    if let Err(e) = Renderer::for_app().and_then(|mut r| r.render(loading)) {
        log(e.detail());
    }
    let core = Core {
        catalog,
        boot: None,
        field_path: None,
        ase_path: String::new(),
        running: None,
    };
    start(core, &load_strings);
}

fn log(what: &str) {
    web_sys::console::error_1(&what.into());
}

/// The app, from the first ZAF answers to the end of the page.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Core {
    /// English until [`Core::start`] lays the agent's strings over it.
    catalog: Catalog,
    /// Decoded by [`Core::boot`], until [`Core::start`] hands it to the sidebar.
    boot: Option<Boot>,
    /// `ticket.customField:custom_field_<id>` of the emergency field rule, if one is set.
    field_path: Option<String>,
    /// `ticket.organization.customField:<ase_org_field>`: whether the organization has an ASE.
    ase_path: String,
    running: Option<Running>,
}

#[derive(Debug)]
struct Running {
    sidebar: Sidebar,
    intl: BrowserIntl,
    renderer: Renderer,
    /// Requests handed to the shell and not yet answered, with what their answer must be.
    pending: Vec<(u32, Expect)>,
}

#[wasm_bindgen]
impl Core {
    /// A start-up failure before the core had data: `kind` 0, the ZAF SDK is missing or threw;
    /// 1, the page is not inside Zendesk; else the ZAF call `call` failed with `detail`.
    pub fn fail(&self, kind: u32, call: String, detail: String) {
        self.show(match kind {
            0 => HostError::SdkMissing(detail),
            1 => HostError::NotInZendesk,
            _ => HostError::Zaf { call, detail },
        });
    }

    fn show(&self, error: HostError) {
        log(error.detail());
        crash::show_error(&self.catalog, vec![error.message(&self.catalog)]);
    }

    /// Decodes `client.metadata()` and the first `client.get` (`BOOT_PATHS` of the shell).
    /// `false` after drawing the error panel that names the bad setting or path.
    pub fn boot(&mut self, metadata: JsValue, data: JsValue) -> bool {
        let decoded = decode_settings(&metadata).and_then(|settings| {
            decode_boot(
                settings,
                &GetResult::from_js(data),
                None,
                tz::viewer_zone(),
                self.catalog.clone(),
            )
        });
        match decoded {
            Ok(boot) => {
                self.field_path = custom_field_id(&boot.settings)
                    .map(|id| format!("ticket.customField:custom_field_{id}"));
                let ase_field = crate::core::settings::parse_settings(&boot.settings)
                    .0
                    .ase_org_field;
                self.ase_path = format!("ticket.organization.customField:{ase_field}");
                self.boot = Some(boot);
                true
            }
            Err(e) => {
                self.show(e);
                false
            }
        }
    }

    /// What the shell reads with the ticket besides `ticket`, one path a line: the
    /// organization's ASE field and, when the emergency field rule is set, its custom field.
    pub fn paths(&self) -> String {
        let mut paths = self.ase_path.clone();
        if let Some(field) = &self.field_path {
            paths.push('\n');
            paths.push_str(field);
        }
        paths
    }

    /// The custom field's and the ASE field's values in a `client.get` answer.
    fn fields(&self, data: &GetResult) -> (Option<String>, Option<String>) {
        let field = self.field_path.as_deref().and_then(|p| data.field_text(p));
        (field, data.field_text(&self.ase_path))
    }

    /// The strings file (`i18n/<file>.json`) of the agent's language; none for English.
    pub fn strings_file(&self) -> Option<String> {
        let locale = &self.boot.as_ref()?.locale;
        text::pick_locale(locale).map(str::to_string)
    }

    /// Starts the sidebar with the `client.get` answer of [`Core::paths`] (or null) and the
    /// agent's strings (or null: English). `false` when there was nothing to start.
    pub fn start(&mut self, fields: JsValue, strings: JsValue, now: f64) -> bool {
        let Some(mut boot) = self.boot.take() else {
            return false;
        };
        let renderer = match Renderer::for_app() {
            Ok(renderer) => renderer,
            Err(e) => {
                self.show(e);
                return false;
            }
        };
        (boot.custom_field_value, boot.ase_field_value) = self.fields(&GetResult::from_js(fields));
        if !strings::localize(&mut self.catalog, &boot.locale, &strings) {
            boot.locale = "en".to_string();
        }
        crash::install_hook(&self.catalog);
        boot.catalog = self.catalog.clone();
        let intl = BrowserIntl::new(&text::format_locale(&boot.locale));
        let sidebar = Sidebar::new(boot, now as i64, &intl);
        self.running = Some(Running {
            sidebar,
            intl,
            renderer,
            pending: Vec::new(),
        });
        true
    }

    /// Draws the view, then hands over what the core asks for, as JSON text:
    /// `{"h": content height, "w": ms until the core wants a tick (-1: none), "r": requests}`,
    /// each request `{"i": id, "t": time-out in ms, "o": client.request options}`.
    pub fn pump(&mut self, now: f64) -> String {
        let Some(run) = &mut self.running else {
            return r#"{"h":0,"w":-1,"r":[]}"#.to_string();
        };
        let now = now as i64;
        let height = match run.renderer.render(run.sidebar.view(now, &run.intl)) {
            Ok(height) => height,
            Err(e) => {
                log(e.detail());
                0
            }
        };
        let wake = run
            .sidebar
            .next_wake(now)
            .map_or(-1, |at| (at - now).clamp(0, 600_000));
        let mut requests = String::new();
        while let Some(request) = run.sidebar.poll_request() {
            match http::request_options(&request) {
                Ok(options) => {
                    run.pending.push((request.id, request.expect));
                    if !requests.is_empty() {
                        requests.push(',');
                    }
                    requests.push_str(&format!(
                        r#"{{"i":{},"t":{},"o":{options}}}"#,
                        digits(u64::from(request.id), 0),
                        digits(u64::from(REQUEST_TIMEOUT_S) * 1000, 0)
                    ));
                }
                Err(e) => {
                    let failure = Failure::Transport {
                        detail: e.detail().to_string(),
                    };
                    run.sidebar
                        .handle_reply(request.id, Err(failure), now, &run.intl);
                }
            }
        }
        // The follow-up draft a click asked for (`a`), once.
        requests.push(']');
        if let Some(draft) = run.sidebar.take_draft() {
            requests.push_str(r#","a":"#);
            super::json::write_str(&mut requests, &draft);
        }
        format!(
            r#"{{"h":{},"w":{},"r":[{requests}}}"#,
            digits(u64::from(height), 0),
            text::signed(wake)
        )
    }

    /// The answer to request `id`: `kind` 2 when nothing settled in time; else what it settled
    /// with, as the shell's `answerOf` reduces it (HTTP `status`, 0 for none with `text` saying
    /// why; the body's `text` and `json`; `Retry-After`).
    // Plain values across the JavaScript boundary: one argument each.
    #[allow(clippy::too_many_arguments)]
    pub fn reply(
        &mut self,
        id: u32,
        kind: u32,
        status: u16,
        text: String,
        json: JsValue,
        retry_after: Option<String>,
        now: f64,
    ) {
        let Some(run) = &mut self.running else {
            return;
        };
        let Some(at) = run.pending.iter().position(|(pending, _)| *pending == id) else {
            return log("reply to a request the app did not send");
        };
        let (_, expect) = run.pending.swap_remove(at);
        let outcome = match kind {
            2 => Err(Failure::Timeout {
                after_s: REQUEST_TIMEOUT_S,
            }),
            _ => http::decode_answer(expect, status, text, json, retry_after),
        };
        run.sidebar.handle_reply(id, outcome, now as i64, &run.intl);
    }

    /// A click on the button with element id `button` (the shell has disabled it already), or
    /// `prep-check`: the sidebar opened on a prep-note draft kept with a nonce. `draft`: the
    /// prep-note form's values in [`Draft`]'s order (task, start, end, zone, then the five
    /// parts) and last the nonce kept with the draft; null without a form.
    pub fn click(&mut self, button: &str, draft: JsValue, now: f64) {
        let Some(run) = &mut self.running else {
            return;
        };
        let (now, intl) = (now as i64, &run.intl);
        let ask = match button {
            "prep-preview-button" => Ask::Preview,
            "prep-save-button" => Ask::Save,
            "prep-check" => Ask::Check,
            _ => {
                let action = match button {
                    "ping-button" => Action::Ping,
                    "retry-button" => Action::Retry,
                    "ase-retry-button" => Action::RetryLookup,
                    "follow-up-button" => Action::FollowUp,
                    "follow-up-done" => Action::FollowedUp(true),
                    "follow-up-refused" => Action::FollowedUp(false),
                    _ => return,
                };
                // The next render must redraw even if the core ignores the click, or the
                // button would stay disabled.
                run.renderer.invalidate();
                return run.sidebar.handle_action(action, now, intl);
            }
        };
        let Some(values) = draft.dyn_ref::<js_sys::Array>() else {
            return;
        };
        let text = |i: u32| values.get(i).as_string().unwrap_or_default();
        let mut parts: [String; 5] = Default::default();
        for (i, part) in parts.iter_mut().enumerate() {
            *part = text(4 + i as u32);
        }
        let form = Draft {
            task: text(0),
            start: text(1),
            end: text(2),
            zone: text(3),
            parts,
        };
        let kept = Some(text(9)).filter(|n| !n.is_empty());
        run.sidebar.compose(ask, &form, kept, now, intl);
    }

    /// The ticket as the agent edits it (`client.get` of `ticket` and the custom field): the
    /// core detects again and, when `shared` (a save by anyone, the app shown again), re-reads
    /// the shared state. `false` when the answer could not be read (logged).
    pub fn ticket(&mut self, data: JsValue, shared: bool, now: f64) -> bool {
        let data = GetResult::from_js(data);
        let (field, ase_field) = self.fields(&data);
        let Some(run) = &mut self.running else {
            return false;
        };
        match data.decode("ticket") {
            Ok(ticket) => {
                run.sidebar
                    .ticket_changed(ticket, field, ase_field, &run.intl);
                if shared {
                    run.sidebar.refresh(now as i64);
                }
                true
            }
            Err(e) => {
                log(e.detail());
                false
            }
        }
    }

    /// The wake-up the core asked for (in `pump`'s `"w"`) is due.
    pub fn tick(&mut self, now: f64) {
        if let Some(run) = &mut self.running {
            run.sidebar.tick(now as i64);
        }
    }
}
