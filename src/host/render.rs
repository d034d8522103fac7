//! The DOM renderer: draws a core [`View`] inside `#app` with the element ids of CONTRACTS.md §6.
//! A message's technical detail goes into a closed `<details>` disclosure after its sentence.
//!
//! Invariants: untrusted text stays text: nodes are made with `createElement` and filled with
//! `textContent` only (no HTML parsing anywhere in the app), and links accept only http(s) URLs.
//! The renderer decides nothing: what to show is the view-model's business.
use super::HostError;
use crate::core::view::{AseCard, AseView, Badge, ContextView, Message, PingView, Tone, View};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlButtonElement, HtmlElement, Node};

// The DOM calls the renderer makes on its own elements, with constant tag and attribute names:
// they cannot throw, so they are imported without `catch` and the drawing code carries no error
// paths (a smaller bundle). Calls that can fail on the page's state keep web-sys's `catch`.
#[wasm_bindgen]
extern "C" {
    /// Any DOM node or the document, seen through the few methods above.
    pub(crate) type Dom;
    #[wasm_bindgen(method, js_name = createElement)]
    fn new_element(this: &Dom, tag: &str) -> Element;
    #[wasm_bindgen(method, js_name = setAttribute)]
    pub(crate) fn put(this: &Dom, name: &str, value: &str);
    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn unset(this: &Dom, name: &str);
    #[wasm_bindgen(method, js_name = appendChild)]
    fn add(this: &Dom, child: &Node);
    #[wasm_bindgen(method, js_name = insertBefore)]
    fn add_before(this: &Dom, child: &Node, before: &Node);
    #[wasm_bindgen(method, js_name = removeChild)]
    fn take(this: &Dom, child: &Node);
}

/// `node` through the non-throwing imports (also for `strings`, which sets `lang` and `dir`).
pub(crate) fn raw(node: &JsValue) -> &Dom {
    node.unchecked_ref()
}

/// Id of the persistent polite live region that holds the ping status, error and buttons.
pub const LIVE_REGION_ID: &str = "ping-region";

/// Renders views into one root element, skipping work when nothing changed.
#[derive(Debug)]
pub struct Renderer {
    document: Document,
    root: Element,
    /// Kept across renders so screen readers announce its changes (a recreated live region
    /// is often not announced).
    live: Element,
    /// The ping part last drawn in the live region (`None`: redraw it).
    last_ping: Option<Option<PingView>>,
}

impl Renderer {
    /// Takes over `root` (normally `main#app`).
    pub fn new(root: Element) -> Result<Renderer, HostError> {
        let document = root
            .owner_document()
            .ok_or_else(|| HostError::Dom("root has no document".into()))?;
        let live = match root
            .query_selector(&format!("#{LIVE_REGION_ID}"))
            .map_err(dom)?
        {
            Some(live) => live,
            None => {
                let live = create(&document, "div", Some(LIVE_REGION_ID), Some("ping"));
                attr(&live, "aria-live", "polite");
                attr(&live, "tabindex", "-1");
                live
            }
        };
        // The live region stays in the root across renders; content is drawn around it. It is
        // the root's own descendant (found or made above), so appending it cannot throw.
        append(&root, &live);
        Ok(Renderer {
            document,
            root,
            live,
            last_ping: None,
        })
    }

    /// The `#app` element of the current document.
    pub fn for_app() -> Result<Renderer, HostError> {
        let root = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("app"))
            .ok_or_else(|| HostError::Dom("no #app element".into()))?;
        Renderer::new(root)
    }

    /// The element views are drawn into.
    pub fn root(&self) -> Element {
        self.root.clone()
    }

    /// Forces the next [`Renderer::render`] to redraw the ping region (after a click disabled a
    /// button).
    pub fn invalidate(&mut self) {
        self.last_ping = None;
    }

    /// Draws `view`. Returns the content height in CSS pixels, for `resize`. Everything but the
    /// ping's live region is drawn anew each time (the sidebar is small, and comparing whole
    /// views cost the bundle more than drawing them); the live region only when the ping part
    /// changed, so screen readers announce changes, not redraws. Drawing uses only calls that
    /// cannot throw on the app's own elements, so today it always returns `Ok`.
    pub fn render(&mut self, view: View) -> Result<Option<u32>, HostError> {
        let focused = self.focused();
        let open = self.open_details();
        attr(&self.root, "data-phase", view.phase.as_str());
        attr(
            &self.root,
            "data-collapsed",
            if view.collapsed { "true" } else { "false" },
        );
        if view.phase == crate::core::view::Phase::Loading {
            attr(&self.root, "aria-busy", "true");
        } else {
            raw(&self.root).unset("aria-busy");
        }

        while let Some(old) = self.live.previous_sibling() {
            raw(&self.root).take(&old);
        }
        while let Some(old) = self.live.next_sibling() {
            raw(&self.root).take(&old);
        }
        let (above, below) = self.content(&view);
        for node in above {
            raw(&self.root).add_before(&node, &self.live);
        }
        for node in below {
            append(&self.root, &node);
        }

        let ping = view.emergency.as_ref().map(|e| &e.ping);
        let unchanged = matches!(&self.last_ping, Some(last) if last.as_ref() == ping);
        if !unchanged {
            let nodes = match ping {
                Some(ping) => self.ping(ping, &view.details_label),
                None => Vec::new(),
            };
            self.live.replace_children_with_node_0();
            for node in nodes {
                append(&self.live, &node);
            }
        }

        self.reopen_details(&open);
        self.restore_focus(focused);
        self.last_ping = Some(view.emergency.map(|e| e.ping));
        let height = self.root.get_bounding_client_rect().height().ceil();
        Ok(Some(if height.is_finite() && height > 0.0 {
            height as u32
        } else {
            0
        }))
    }

    /// The id of the focused element inside the root, and whether it sits in the live region.
    fn focused(&self) -> Option<(String, bool)> {
        let active = self.document.active_element()?;
        if !self.root.contains(Some(&active)) || active.id().is_empty() {
            return None;
        }
        Some((active.id(), self.live.contains(Some(&active))))
    }

    /// Puts keyboard focus back on the element with the same id. When focus was in the ping
    /// region and that element is gone or disabled (the ping button while the ping runs), it
    /// moves to the region's first usable control (Retry, the thread link), else the region.
    fn restore_focus(&self, focused: Option<(String, bool)>) {
        let Some((id, in_live)) = focused else { return };
        let same = self
            .document
            .get_element_by_id(&id)
            .filter(|el| id != LIVE_REGION_ID && self.root.contains(Some(el)) && !is_disabled(el));
        let target = same.or_else(|| {
            in_live.then(|| {
                self.live
                    .query_selector("button:not([disabled]), a[href]")
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| self.live.clone())
            })
        });
        if let Some(el) = target.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
            if self.document.active_element().as_ref() != Some(el.as_ref()) {
                let _ = el.focus();
            }
        }
    }

    /// What goes above the ping region and what below it. The ASE card, whose text changes with
    /// the minute (and may wrap to another line), is below, so the Ping button never moves under
    /// the agent's pointer.
    fn content(&self, view: &View) -> (Vec<Element>, Vec<Element>) {
        let d = &self.document;
        let mut nodes = vec![create_text(
            d,
            "h1",
            Some("headline"),
            Some("headline"),
            &view.headline,
        )];
        if !view.problems.is_empty() {
            let ul = create(d, "ul", Some("problems"), Some("problems"));
            for problem in &view.problems {
                let li = create(d, "li", None, None);
                let id = format!("problem-{}-details", ul.child_element_count());
                self.message(&li, problem, &view.details_label, &id);
                append(&ul, &li);
            }
            nodes.push(ul);
        }
        let Some(emergency) = &view.emergency else {
            return (nodes, Vec::new());
        };
        if !emergency.reasons.is_empty() {
            nodes.push(list(d, "reasons", "reasons", &emergency.reasons));
        }
        nodes.push(create_text(
            d,
            "p",
            Some("viewer-role"),
            Some("secondary"),
            &emergency.viewer_role,
        ));
        let ase = self.ase(&emergency.ase, &view.details_label);
        if let Some(label) = &emergency.ase_retry {
            let b = button(
                d,
                "ase-retry-button",
                "button button-secondary",
                label,
                false,
            );
            append(&ase, &b);
        }
        let mut below = vec![ase];
        if let Some(context) = &emergency.context {
            below.push(self.context(context));
        }
        (nodes, below)
    }

    /// The account's context: each value as text with its line breaks (CSS), its http(s) links
    /// as links, and a long one folded, with a "Show more" disclosure (CSS unfolds the value
    /// while the disclosure is open; its id keeps it open across redraws).
    fn context(&self, view: &ContextView) -> Element {
        let d = &self.document;
        let section = create(d, "section", Some("account-context"), Some("context"));
        append(
            &section,
            &create_text(d, "h2", None, Some("context-heading"), &view.heading),
        );
        for (i, item) in view.items.iter().enumerate() {
            let div = create(d, "div", None, Some("context-item"));
            append(
                &div,
                &create_text(d, "p", None, Some("context-label"), &item.label),
            );
            let p = create(
                d,
                "p",
                None,
                Some(if item.fold {
                    "context-text fold"
                } else {
                    "context-text"
                }),
            );
            attr(&p, "dir", "auto");
            // Words that are http(s) URLs (less trailing punctuation) become links; the rest
            // stays text, whitespace and line breaks included.
            let mut plain = String::new();
            for piece in item.text.split_inclusive(char::is_whitespace) {
                // "(https://…)": the parenthesis stays text.
                let (open, word) = match piece.strip_prefix('(') {
                    Some(word) => ("(", word),
                    None => ("", piece),
                };
                // Trailing punctuation is the sentence's, and so is a `)` the URL did not
                // open: `(see https://x.example/a)` ends at `a`, `…/Foo_(bar)` keeps its own.
                let mut url = word.trim_end();
                loop {
                    url = url.trim_end_matches(|c: char| {
                        matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\'')
                    });
                    let count = |b: u8| url.bytes().filter(|x| *x == b).count();
                    match url.strip_suffix(')') {
                        Some(shorter) if count(b'(') < count(b')') => url = shorter,
                        _ => break,
                    }
                }
                if url.len() > 8 && is_web_url(url) {
                    plain.push_str(open);
                    raw(&p).add(&d.create_text_node(&std::mem::take(&mut plain)));
                    let a = create_text(d, "a", None, Some("link"), url);
                    attr(&a, "href", url);
                    attr(&a, "target", "_blank");
                    attr(&a, "rel", "noopener noreferrer");
                    append(&p, &a);
                    plain.push_str(word.get(url.len()..).unwrap_or_default());
                } else {
                    plain.push_str(piece);
                }
            }
            raw(&p).add(&d.create_text_node(&plain));
            append(&div, &p);
            if item.fold {
                let details = create(
                    d,
                    "details",
                    Some(&format!("context-more-{i}")),
                    Some("context-more"),
                );
                let summary = create(d, "summary", None, None);
                append(
                    &summary,
                    &create_text(d, "span", None, Some("more"), &view.more),
                );
                append(
                    &summary,
                    &create_text(d, "span", None, Some("less"), &view.less),
                );
                append(&details, &summary);
                append(&div, &details);
            }
            append(&section, &div);
        }
        section
    }

    /// A message: its sentence in `parent`, and its technical detail, when there is one, in a
    /// closed "Details" disclosure `id` after it (opened again by [`Renderer::render`] if the
    /// agent had opened it). The detail is code, left to right in any language.
    fn message(&self, parent: &Element, message: &Message, label: &str, id: &str) {
        let d = &self.document;
        append(
            parent,
            &create_text(d, "span", None, Some("message-text"), &message.text),
        );
        if let Some(detail) = &message.detail {
            let details = create(d, "details", Some(id), Some("details"));
            let summary_id = format!("{id}-summary");
            append(
                &details,
                &create_text(d, "summary", Some(&summary_id), None, label),
            );
            let code = create_text(d, "code", None, Some("detail"), detail);
            attr(&code, "dir", "ltr");
            append(&details, &code);
            append(parent, &details);
        }
    }

    /// The ids of the disclosures the agent has open, to keep them open across a redraw.
    fn open_details(&self) -> Vec<String> {
        let Ok(list) = self.root.query_selector_all("details[open]") else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let id = el.id();
                if !id.is_empty() {
                    ids.push(id);
                }
            }
        }
        ids
    }

    fn reopen_details(&self, ids: &[String]) {
        for id in ids {
            if let Some(el) = self.document.get_element_by_id(id) {
                if self.root.contains(Some(&el)) {
                    attr(&el, "open", "");
                }
            }
        }
    }

    fn ase(&self, ase: &AseView, details_label: &str) -> Element {
        let d = &self.document;
        let section = create(d, "section", Some("ase"), Some("ase"));
        let (state, message) = match ase {
            AseView::Loading { text } => ("loading", Some(Message::new(text.clone()))),
            AseView::None { text } => ("none", Some(Message::new(text.clone()))),
            AseView::Failed(message) => ("failed", Some(message.clone())),
            AseView::Found(_) => ("found", None),
        };
        attr(&section, "data-ase", state);
        if let Some(message) = message {
            let p = create(d, "p", None, Some("ase-text"));
            self.message(&p, &message, details_label, "ase-details");
            append(&section, &p);
        }
        if let AseView::Found(card) = ase {
            self.card(&section, card, details_label);
        }
        section
    }

    fn card(&self, section: &Element, card: &AseCard, details_label: &str) {
        let d = &self.document;
        let mut children = vec![
            create_text(d, "p", Some("ase-name"), Some("ase-name"), &card.name),
            create_text(d, "p", Some("ase-handle"), Some("secondary"), &card.handle),
        ];
        // Names and handles are written in any script: each takes its own direction.
        for el in &children {
            attr(el, "dir", "auto");
        }
        if let Some(time) = &card.local_time {
            children.push(create_text(
                d,
                "p",
                Some("ase-local-time"),
                Some("ase-time"),
                time,
            ));
        }
        let mut badges: Vec<(&str, &Badge)> = Vec::new();
        for (id, badge) in [
            ("ase-hours", card.hours.as_ref()),
            ("ase-presence", card.presence.as_ref()),
        ] {
            if let Some(badge) = badge {
                badges.push((id, badge));
            }
        }
        if !badges.is_empty() {
            let row = create(d, "p", None, Some("badges"));
            for (id, badge) in badges {
                let el = create_text(d, "span", Some(id), Some("badge"), &badge.text);
                attr(&el, "data-tone", tone(badge.tone));
                append(&row, &el);
            }
            children.push(row);
        }
        if let Some(problem) = &card.presence_problem {
            let p = create(d, "p", Some("ase-presence-problem"), Some("secondary"));
            self.message(&p, problem, details_label, "ase-presence-details");
            children.push(p);
        }
        for child in children {
            append(section, &child);
        }
    }

    fn ping(&self, ping: &PingView, details_label: &str) -> Vec<Element> {
        let d = &self.document;
        match ping {
            PingView::Hidden => Vec::new(),
            PingView::Ready { label } => vec![button(
                d,
                "ping-button",
                "button button-primary",
                label,
                false,
            )],
            PingView::InFlight { label } => {
                let b = button(d, "ping-button", "button button-primary", label, true);
                attr(&b, "aria-busy", "true");
                vec![b]
            }
            PingView::Done {
                text,
                permalink,
                link_label,
            } => {
                let status = create(d, "p", Some("ping-status"), Some("ping-status"));
                append(&status, &create_text(d, "span", None, None, text));
                raw(&status).add(&d.create_text_node(" "));
                let link = create_text(d, "a", Some("thread-link"), Some("link"), link_label);
                if is_web_url(permalink) {
                    attr(&link, "href", permalink);
                }
                attr(&link, "target", "_blank");
                attr(&link, "rel", "noopener");
                append(&status, &link);
                vec![status]
            }
            PingView::Failed {
                message,
                retry_label,
                copy,
            } => {
                let error = create(d, "div", Some("ping-error"), Some("ping-error"));
                let p = create(d, "p", None, Some("error-message"));
                self.message(&p, message, details_label, "ping-details");
                append(&error, &p);
                append(
                    &error,
                    &button(
                        d,
                        "retry-button",
                        "button button-secondary",
                        retry_label,
                        false,
                    ),
                );
                // Degraded mode: the text to post by hand, selectable, and a button that copies it.
                if let Some((label, text)) = copy {
                    let area =
                        create_text(d, "textarea", Some("ping-text"), Some("ping-text"), text);
                    attr(&area, "readonly", "");
                    attr(&area, "aria-label", label);
                    attr(&area, "rows", "6");
                    append(&error, &area);
                    append(
                        &error,
                        &button(d, "copy-button", "button button-secondary", label, false),
                    );
                }
                vec![error]
            }
        }
    }
}

/// A link target the app will put in `href`: an absolute http(s) URL, never `javascript:`.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn is_disabled(el: &Element) -> bool {
    el.dyn_ref::<HtmlButtonElement>()
        .is_some_and(|b| b.disabled())
}

fn tone(tone: Tone) -> &'static str {
    match tone {
        Tone::Good => "good",
        Tone::Warn => "warn",
        Tone::Neutral => "neutral",
    }
}

fn dom(e: JsValue) -> HostError {
    HostError::Dom(super::js::describe(&e))
}

fn append(parent: &Element, child: &Element) {
    raw(parent).add(child);
}

fn attr(el: &Element, name: &str, value: &str) {
    raw(el).put(name, value);
}

fn create(d: &Document, tag: &str, id: Option<&str>, class: Option<&str>) -> Element {
    let el = raw(d).new_element(tag);
    if let Some(id) = id {
        el.set_id(id);
    }
    if let Some(class) = class {
        el.set_class_name(class);
    }
    el
}

fn create_text(
    d: &Document,
    tag: &str,
    id: Option<&str>,
    class: Option<&str>,
    text: &str,
) -> Element {
    let el = create(d, tag, id, class);
    el.set_text_content(Some(text));
    el
}

fn list(d: &Document, id: &str, class: &str, items: &[String]) -> Element {
    let ul = create(d, "ul", Some(id), Some(class));
    for item in items {
        append(&ul, &create_text(d, "li", None, None, item));
    }
    ul
}

fn button(d: &Document, id: &str, class: &str, label: &str, disabled: bool) -> Element {
    let el = create_text(d, "button", Some(id), Some(class), label);
    attr(&el, "type", "button");
    if let Some(b) = el.dyn_ref::<HtmlButtonElement>() {
        b.set_disabled(disabled);
    }
    el
}
