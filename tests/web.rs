//! Browser tests of the host layer (wasm-bindgen-test in headless Chromium): the Intl timezone
//! and locale ports, the DOM renderer, `client.request` options and the decoding of ZAF answers.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test web`
#![cfg(target_arch = "wasm32")]
// wasm-bindgen-test functions are not `#[test]`, so clippy's allow-unwrap-in-tests misses them.
#![allow(
    clippy::unwrap_used,
    reason = "in a test, a failing unwrap is a failing test"
)]

use ase_emergency_assist::core::availability::TzOffsets;
use ase_emergency_assist::core::locale::{Intl, Plural, TimeUnit};
use ase_emergency_assist::core::settings::{RawSettings, SettingValue};
use ase_emergency_assist::core::sidebar::{Body, Expect, Failure, Method, Reply, Request};
use ase_emergency_assist::core::slack::{EventPayloadDto, MetadataDto, PostMessageDto};
use ase_emergency_assist::core::view::{
    AseCard, AseView, Badge, ContextItem, ContextView, EmergencyView, FollowUpView, Message, Phase,
    PingView, Tone, View,
};
use ase_emergency_assist::core::zendesk::{
    CommentInputDto, FieldValueDto, TicketUpdateDto, TicketUpdateInnerDto,
};
use ase_emergency_assist::host::boot::{catalog, custom_field_id, decode_boot, decode_settings};
use ase_emergency_assist::host::http::{decode_answer, decode_response, HttpResponse};
use ase_emergency_assist::host::intl::BrowserIntl;
use ase_emergency_assist::host::render::Renderer;
use ase_emergency_assist::host::tz::IntlTz;
use ase_emergency_assist::host::zaf::GetResult;
use ase_emergency_assist::host::HostError;
use ase_emergency_assist::k;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

fn js(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn json_text(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

// ---- Intl timezone port ----

/// Milliseconds since the epoch of a UTC date-time.
fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    js_sys::Date::utc(y as f64, (m - 1) as f64) as i64
        + ((d as i64 - 1) * 86_400 + h as i64 * 3600 + min as i64 * 60) * 1000
}

#[wasm_bindgen_test]
fn intl_offsets_follow_zone_and_dst() {
    let tz = IntlTz::new();
    let check = |zone: &str, at: i64, expect: Option<i32>| {
        assert_eq!(tz.offset_minutes(zone, at), expect, "{zone} at {at}");
    };
    check("America/New_York", utc(2026, 1, 15, 12, 0), Some(-300));
    check("America/New_York", utc(2026, 7, 15, 12, 0), Some(-240));
    check("Asia/Kolkata", utc(2026, 1, 15, 12, 0), Some(330));
    check("Asia/Kathmandu", utc(2026, 1, 15, 12, 0), Some(345));
    check("Australia/Sydney", utc(2026, 1, 15, 12, 0), Some(660));
    check("Australia/Sydney", utc(2026, 7, 15, 12, 0), Some(600));
    check("UTC", utc(2026, 7, 15, 12, 0), Some(0));
    // US spring-forward 2026-03-08 07:00 UTC: a minute before and the instant itself.
    check("America/New_York", utc(2026, 3, 8, 6, 59), Some(-300));
    check("America/New_York", utc(2026, 3, 8, 7, 0), Some(-240));
    // Sydney DST ends 2026-04-05 03:00 local (16:00 UTC the day before).
    check("Australia/Sydney", utc(2026, 4, 4, 15, 59), Some(660));
    check("Australia/Sydney", utc(2026, 4, 4, 16, 0), Some(600));
    // Milliseconds inside a second and instants before 1970 still give whole offsets.
    check("Asia/Kolkata", utc(2026, 1, 15, 12, 0) + 999, Some(330));
    check("America/New_York", -86_400_000, Some(-300));
    // Unknown zones are None, also when asked twice (the cache keeps the miss).
    check("Mars/Olympus_Mons", 0, None);
    check("Mars/Olympus_Mons", 0, None);
    check("", 0, None);
}

// ---- The locale port ----

/// 2026-11-26 14:03 UTC, a Thursday.
fn thursday_1403() -> i64 {
    utc(2026, 11, 26, 14, 3)
}

#[wasm_bindgen_test]
fn intl_writes_times_as_each_locale_does() {
    let at = thursday_1403();
    let check = |locale: &str, zone: &str, time: &str, weekday: &str| {
        let intl = BrowserIntl::new(locale);
        assert_eq!(
            intl.time(at, zone).as_deref(),
            Some(time),
            "{locale} time in {zone}"
        );
        assert_eq!(
            intl.weekday(at, zone).as_deref(),
            Some(weekday),
            "{locale} weekday in {zone}"
        );
    };
    // The locale's own clock: 12-hour with a day period in en-US, 24-hour in German and French.
    check("en-US", "UTC", "2:03 PM", "Thu");
    check("de", "Europe/Berlin", "15:03", "Do");
    check("fr", "Asia/Kolkata", "19:33", "jeu.");
    check("ja", "Asia/Tokyo", "23:03", "木");
    // The weekday is the zone's, not UTC's: in Auckland it is already Friday.
    check("en-US", "Pacific/Auckland", "3:03 AM", "Fri");
    let en = BrowserIntl::new("en-US");
    assert_eq!(en.date(at, "UTC").as_deref(), Some("Nov 26"));
    assert_eq!(
        BrowserIntl::new("de").date(at, "UTC").as_deref(),
        Some("26. Nov.")
    );
    assert_eq!(
        BrowserIntl::new("ja").date(at, "UTC").as_deref(),
        Some("11月26日")
    );
    assert_eq!(en.date(at, "Pacific/Auckland").as_deref(), Some("Nov 27"));
    assert_eq!(
        en.offset_name(at, "America/New_York").as_deref(),
        Some("GMT-5")
    );
    assert_eq!(
        en.offset_name(at, "Asia/Kolkata").as_deref(),
        Some("GMT+5:30")
    );
    assert_eq!(
        en.time(at, "Mars/Olympus_Mons"),
        None,
        "an unknown zone is None, not a throw"
    );
    assert_eq!(en.offset_minutes("Asia/Kolkata", at), Some(330));
}

#[wasm_bindgen_test]
fn intl_durations_numbers_lists_and_plurals() {
    use TimeUnit::{Day, Hour, Minute};
    let en = BrowserIntl::new("en-US");
    let de = BrowserIntl::new("de");
    assert_eq!(en.duration(&[(Hour, 2), (Minute, 5)]), "2 hr, 5 min");
    assert_eq!(de.duration(&[(Day, 1), (Hour, 3)]), "1 Tg., 3 Std.");
    assert_eq!(en.number(1234567), "1,234,567");
    assert_eq!(de.number(1234567), "1.234.567");
    let three = ["a".to_string(), "b".to_string(), "c".to_string()];
    assert_eq!(en.or_list(&three), "a, b, or c");
    assert_eq!(de.or_list(&three), "a, b oder c");
    let plural = |locale: &str, n: i64| BrowserIntl::new(locale).plural(n);
    assert_eq!(
        (plural("en", 1), plural("en", 2)),
        (Plural::One, Plural::Other)
    );
    assert_eq!(
        (plural("fr", 0), plural("fr", 1)),
        (Plural::One, Plural::One)
    );
    assert_eq!(plural("he", 2), Plural::Two);
    assert_eq!(plural("ja", 1), Plural::Other);
    // A tag the browser rejects means English, never a throw or a blank.
    let bad = BrowserIntl::new("xx-invalid-@@");
    assert_eq!(bad.time(thursday_1403(), "UTC").as_deref(), Some("2:03 PM"));
    assert_eq!(bad.plural(1), Plural::One);
}

#[wasm_bindgen_test]
fn intl_lowercases_and_splits_words_with_unicode_data() {
    let intl = BrowserIntl::new("en-US");
    assert_eq!(
        intl.lower("ÉMERGENCE ΣΟΣ İstanbul"),
        "émergence σος i̇stanbul"
    );
    let words = |s: &str| intl.words(s);
    splits_words(&words);
    // Scripts written without spaces are split into words by the browser's dictionaries.
    assert!(
        words("サーバー障害発生").iter().any(|w| w == "障害"),
        "{:?}",
        words("サーバー障害発生")
    );
    assert_eq!(words("download"), ["download"]);
}

/// What every way of splitting words does: lowercases, splits on punctuation and emoji, keeps
/// decomposed accents in their word, and finds no word in punctuation alone.
fn splits_words(words: &dyn Fn(&str) -> Vec<String>) {
    assert_eq!(words("Site DOWN!! (prod)"), ["site", "down", "prod"]);
    assert_eq!(
        words("Ausfall: Zahlungs-API"),
        ["ausfall", "zahlungs", "api"]
    );
    assert_eq!(words("cafe\u{301}🔥panne"), ["cafe\u{301}", "panne"]);
    assert_eq!(words("障害 発生"), ["障害", "発生"]);
    assert!(words("  ,;!  ").is_empty());
}

/// A browser without `Intl.Segmenter` (Firefox before 125): words are runs of letters, digits
/// and marks, lowercased, so the keyword rules still match across punctuation and case.
#[wasm_bindgen_test]
fn intl_splits_words_without_a_segmenter() {
    js_sys::eval("globalThis.__segmenter = Intl.Segmenter; delete Intl.Segmenter;").unwrap();
    let intl = BrowserIntl::new("en-US");
    js_sys::eval("Intl.Segmenter = globalThis.__segmenter;").unwrap();
    let words = |s: &str| intl.words(s);
    splits_words(&words);
    // Without dictionaries, a script written without spaces is one word.
    assert_eq!(words("サーバー障害発生"), ["サーバー障害発生"]);
}

// ---- Renderer ----

fn fresh_root() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    if let Some(old) = document.get_element_by_id("app") {
        old.remove();
    }
    let root = document.create_element("main").unwrap();
    root.set_id("app");
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn text_of(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .text_content()
        .unwrap()
}

fn attr_of(root: &Element, selector: &str, name: &str) -> Option<String> {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .get_attribute(name)
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn emergency_view(ase: AseView, ping: PingView) -> View {
    View {
        phase: Phase::Emergency,
        details_label: "Details".to_string(),
        headline: "Emergency".to_string(),
        problems: vec![],
        emergency: Some(EmergencyView {
            reasons: vec!["Priority is urgent".to_string(), HOSTILE.to_string()],
            ase,
            ase_retry: None,
            viewer_role: "You are the DRI (assignee)".to_string(),
            follow_up: None,
            ping,
            context: None,
            prep: None,
        }),
        collapsed: false,
        composer: None,
    }
}

fn card(name: &str, time: &str) -> AseView {
    AseView::Found(AseCard {
        name: name.to_string(),
        handle: "@maria".to_string(),
        local_time: Some(time.to_string()),
        hours: Some(Badge {
            text: "Inside working hours".to_string(),
            tone: Tone::Good,
        }),
        presence: Some(Badge {
            text: "Away on Slack".to_string(),
            tone: Tone::Warn,
        }),
        dnd: Some(Badge {
            text: "Do Not Disturb · ends in 7 hr".to_string(),
            tone: Tone::Warn,
        }),
        presence_problem: None,
    })
}

#[wasm_bindgen_test]
fn an_opened_details_stays_open_across_redraws() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let with_problem = |time: &str| {
        let AseView::Found(mut card) = card("Maria", time) else {
            unreachable!()
        };
        card.presence_problem = Some(Message::with_detail(
            "Slack presence unknown".to_string(),
            "users.getPresence: missing_scope",
        ));
        emergency_view(AseView::Found(card), PingView::Hidden)
    };
    renderer.render(with_problem("10:55")).unwrap();
    let details = root
        .query_selector("#ase-presence-details")
        .unwrap()
        .unwrap();
    assert!(!details.has_attribute("open"), "details start closed");
    assert_eq!(
        attr_of(&root, "#ase-presence-details code", "dir").as_deref(),
        Some("ltr")
    );
    assert_eq!(attr_of(&root, "#ase-name", "dir").as_deref(), Some("auto"));
    details.set_attribute("open", "").unwrap();
    // The minute changes: the card is drawn again, and what the agent opened stays open.
    renderer.render(with_problem("10:56")).unwrap();
    assert_eq!(text_of(&root, "#ase-local-time"), "10:56");
    let again = root
        .query_selector("#ase-presence-details")
        .unwrap()
        .unwrap();
    assert!(
        again.has_attribute("open"),
        "the agent's open details survive the redraw"
    );
}

#[wasm_bindgen_test]
fn renderer_keeps_hostile_text_as_text() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let mut view = emergency_view(
        card(HOSTILE, HOSTILE),
        PingView::Done {
            text: HOSTILE.to_string(),
            permalink: "javascript:alert(1)".to_string(),
            link_label: HOSTILE.to_string(),
        },
    );
    view.headline = HOSTILE.to_string();
    view.problems = vec![Message::new(HOSTILE.to_string())];
    assert!(renderer.render(view.clone()).unwrap() > 0);

    assert_eq!(count(&root, "img"), 0, "no element may come out of text");
    assert_eq!(text_of(&root, "#headline"), HOSTILE);
    assert_eq!(text_of(&root, "#problems li"), HOSTILE);
    assert_eq!(text_of(&root, "#reasons li:nth-child(2)"), HOSTILE);
    assert_eq!(text_of(&root, "#ase-name"), HOSTILE);
    assert_eq!(text_of(&root, "#ase-local-time"), HOSTILE);
    assert_eq!(text_of(&root, "#thread-link"), HOSTILE);
    assert_eq!(
        attr_of(&root, "#thread-link", "href"),
        None,
        "javascript: URLs never become links"
    );
    assert!(!root.inner_html().contains("<img"));
}

/// The ASE's follow-up (C2): a button (disabled and busy while the draft goes), then a status
/// line in its place; text only.
#[wasm_bindgen_test]
fn renderer_draws_the_follow_up_button_then_its_status() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let mut view = emergency_view(card("Maria", "3:12 AM"), PingView::Hidden);
    let mut show = |busy: bool, done: bool| {
        if let Some(e) = view.emergency.as_mut() {
            e.follow_up = Some(FollowUpView {
                label: HOSTILE.to_string(),
                busy,
                done,
            });
        }
        renderer.render(view.clone()).unwrap();
    };
    show(false, false);
    assert_eq!(text_of(&root, "button#follow-up-button:enabled"), HOSTILE);
    assert_eq!(attr_of(&root, "#follow-up-button", "aria-busy"), None);
    show(true, false);
    assert_eq!(count(&root, "button#follow-up-button:disabled"), 1);
    assert_eq!(
        attr_of(&root, "#follow-up-button", "aria-busy").as_deref(),
        Some("true")
    );
    show(false, true);
    assert_eq!(count(&root, "#follow-up-button"), 0);
    assert_eq!(text_of(&root, "p#follow-up-status"), HOSTILE);
    assert_eq!(count(&root, "img"), 0);
}

/// The account context: untrusted text with its line breaks, only http(s) words as links (less
/// trailing punctuation), and a long value folded behind a disclosure that survives redraws.
#[wasm_bindgen_test]
fn renderer_shows_account_context_as_text_with_safe_links() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let mut view = emergency_view(card("Maria", "14:03"), PingView::Hidden);
    let notes = format!(
        "{HOSTILE} see https://status.example/a?b=1&c=2.\njavascript:alert(1) (http://x.example/p) https:// https://en.wikipedia.org/wiki/Foo_(bar)). (https://x.example/q_(1)),"
    );
    let context = ContextView {
        id: "account-context",
        heading: "Account context".into(),
        items: vec![
            ContextItem {
                label: HOSTILE.into(),
                text: notes.clone(),
                fold: false,
                link: None,
                now: false,
            },
            ContextItem {
                label: "Architecture".into(),
                text: "line\n".repeat(40),
                fold: true,
                link: None,
                now: false,
            },
        ],
        more: "Show more".into(),
        less: "Show less".into(),
    };
    if let Some(e) = view.emergency.as_mut() {
        e.context = Some(context);
    }
    renderer.render(view.clone()).unwrap();
    assert_eq!(count(&root, "img"), 0);
    assert_eq!(text_of(&root, "#account-context h2"), "Account context");
    assert_eq!(text_of(&root, "#account-context .context-label"), HOSTILE);
    assert_eq!(text_of(&root, "#account-context .context-text"), notes);
    let hrefs: Vec<String> = {
        let list = root.query_selector_all("#account-context a").unwrap();
        (0..list.length())
            .map(|i| {
                let el: Element = list.item(i).unwrap().dyn_into().unwrap();
                el.get_attribute("href").unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(
        hrefs,
        [
            "https://status.example/a?b=1&c=2",
            "http://x.example/p",
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            "https://x.example/q_(1)"
        ]
    );
    assert_eq!(count(&root, "#account-context .fold"), 1);
    assert_eq!(
        text_of(&root, "#account-context-more-1 summary"),
        "Show moreShow less"
    );
    // Opened, it stays open across a redraw.
    let more = root
        .query_selector("#account-context-more-1")
        .unwrap()
        .unwrap();
    more.set_attribute("open", "").unwrap();
    renderer.render(view).unwrap();
    assert!(root
        .query_selector("#account-context-more-1[open]")
        .unwrap()
        .is_some());
}

/// The prep notes: a section of its own before the account context, the note planned now
/// marked, its ticket linked (no opener), its fold its own.
#[wasm_bindgen_test]
fn renderer_shows_prep_notes_with_the_one_planned_now_marked() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let mut view = emergency_view(card("Maria", "14:03"), PingView::Hidden);
    let item = |label: &str, now: bool, link: Option<(&str, &str)>| ContextItem {
        label: label.into(),
        text: format!("{HOSTILE}\n").repeat(6),
        fold: true,
        link: link.map(|(w, h)| (w.into(), h.into())),
        now,
    };
    let section = |id: &'static str, items| ContextView {
        id,
        heading: id.into(),
        items,
        more: "Show more".into(),
        less: "Show less".into(),
    };
    if let Some(e) = view.emergency.as_mut() {
        e.prep = Some(section(
            "prep-notes",
            vec![
                item(
                    "Planned now: ETL",
                    true,
                    Some((
                        "In ticket #205",
                        "https://acme.zendesk.com/agent/tickets/205",
                    )),
                ),
                item("index rebuild", false, None),
            ],
        ));
        e.context = Some(section("account-context", vec![item("Notes", false, None)]));
    }
    renderer.render(view).unwrap();
    assert_eq!(count(&root, "img"), 0);
    let order: Vec<String> = {
        let list = root.query_selector_all("section.context").unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap().id())
            .collect()
    };
    assert_eq!(order, ["prep-notes", "account-context"]);
    assert_eq!(count(&root, "#prep-notes .context-item.now"), 1);
    assert_eq!(
        text_of(&root, "#prep-notes .context-item.now .context-label"),
        "Planned now: ETL"
    );
    let a = root
        .query_selector("#prep-notes .context-item.now > a.link")
        .unwrap()
        .unwrap();
    assert_eq!(
        a.get_attribute("href").as_deref(),
        Some("https://acme.zendesk.com/agent/tickets/205")
    );
    assert_eq!(
        a.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    // Each section's folds have ids of their own.
    assert_eq!(count(&root, "#prep-notes-more-0, #prep-notes-more-1"), 2);
    assert_eq!(count(&root, "#account-context-more-0"), 1);
}

#[wasm_bindgen_test]
fn renderer_sets_contract_ids_and_data_attributes() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let view = emergency_view(
        card("Maria Ase", "03:12 Fri · America/New_York (UTC−05:00)"),
        PingView::Ready {
            label: "Ping ASE in Slack".to_string(),
        },
    );
    renderer.render(view.clone()).unwrap();

    assert_eq!(
        root.get_attribute("data-phase").as_deref(),
        Some("emergency")
    );
    assert_eq!(text_of(&root, "#headline"), "Emergency");
    assert_eq!(count(&root, "#problems li"), 0);
    assert_eq!(count(&root, "#reasons li"), 2);
    assert_eq!(attr_of(&root, "#ase", "data-ase").as_deref(), Some("found"));
    assert_eq!(text_of(&root, "#ase-name"), "Maria Ase");
    assert_eq!(text_of(&root, "#ase-handle"), "@maria");
    assert_eq!(
        attr_of(&root, "#ase-hours", "data-tone").as_deref(),
        Some("good")
    );
    assert_eq!(
        attr_of(&root, "#ase-presence", "data-tone").as_deref(),
        Some("warn")
    );
    assert_eq!(
        text_of(&root, "span#ase-dnd.badge[data-tone=warn]"),
        "Do Not Disturb · ends in 7 hr"
    );
    assert_eq!(text_of(&root, "#viewer-role"), "You are the DRI (assignee)");
    assert_eq!(
        root.query_selector("#ping-button")
            .unwrap()
            .unwrap()
            .tag_name(),
        "BUTTON"
    );
    assert_eq!(
        attr_of(&root, "#ping-button", "type").as_deref(),
        Some("button")
    );
    assert_eq!(
        attr_of(&root, "#ping-region", "aria-live").as_deref(),
        Some("polite")
    );

    // The same view again leaves the live region's content alone (no announcement of a
    // redraw): the button is the very element drawn before.
    root.query_selector("#ping-button")
        .unwrap()
        .unwrap()
        .set_attribute("data-mark", "first")
        .unwrap();
    assert!(renderer.render(view.clone()).unwrap() > 0);
    assert_eq!(
        attr_of(&root, "#ping-button", "data-mark").as_deref(),
        Some("first")
    );

    let done = emergency_view(
        card("Maria Ase", "03:13 Fri"),
        PingView::Done {
            text: "Pinged by Olivia at 09:12".to_string(),
            permalink: "https://acme.slack.com/archives/C1/p1".to_string(),
            link_label: "Open Slack thread".to_string(),
        },
    );
    renderer.render(done.clone()).unwrap();
    assert_eq!(count(&root, "#ping-button"), 0);
    assert_eq!(
        attr_of(&root, "#thread-link", "href").as_deref(),
        Some("https://acme.slack.com/archives/C1/p1")
    );
    assert_eq!(
        attr_of(&root, "#thread-link", "target").as_deref(),
        Some("_blank")
    );
    assert_eq!(
        attr_of(&root, "#thread-link", "rel").as_deref(),
        Some("noopener")
    );
    assert!(text_of(&root, "#ping-status").starts_with("Pinged by Olivia"));

    let mut failed = emergency_view(
        AseView::Failed(Message::new("Could not read the organization".to_string())),
        PingView::Failed {
            message: Message::new("Slack is rate-limiting".to_string()),
            retry_label: "Retry".to_string(),
            copy: Some(("Copy ping text".to_string(), format!("Emergency {HOSTILE}"))),
        },
    );
    if let Some(e) = failed.emergency.as_mut() {
        e.ase_retry = Some("Retry now (retrying by itself in 5 seconds)".to_string());
    }
    renderer.render(failed.clone()).unwrap();
    // Degraded mode: the text to post by hand is text (never markup) in a read-only textarea.
    assert_eq!(
        text_of(&root, "#ping-error #ping-text"),
        format!("Emergency {HOSTILE}")
    );
    assert_eq!(
        attr_of(&root, "#ping-text", "readonly").as_deref(),
        Some("")
    );
    assert_eq!(text_of(&root, "#ping-error #copy-button"), "Copy ping text");
    // The lookup's own Retry sits in the ASE card, apart from the ping's.
    assert_eq!(
        text_of(&root, "#ase #ase-retry-button"),
        "Retry now (retrying by itself in 5 seconds)"
    );
    assert_eq!(
        attr_of(&root, "#ase-retry-button", "type").as_deref(),
        Some("button")
    );
    assert_eq!(
        attr_of(&root, "#ase", "data-ase").as_deref(),
        Some("failed")
    );
    assert_eq!(text_of(&root, "#ping-error p"), "Slack is rate-limiting");
    assert_eq!(text_of(&root, "#retry-button"), "Retry");
    assert_eq!(
        root.query_selector("#ping-error #retry-button")
            .unwrap()
            .unwrap()
            .tag_name(),
        "BUTTON"
    );
}

#[wasm_bindgen_test]
fn renderer_keeps_focus_on_the_same_id() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let ready = |time: &str| {
        emergency_view(
            card("Maria", time),
            PingView::Ready {
                label: "Ping".to_string(),
            },
        )
    };
    renderer.render(ready("03:12")).unwrap();
    let button: HtmlElement = root
        .query_selector("#ping-button")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    button.focus().unwrap();
    // A new local time rebuilds the content; focus stays on #ping-button.
    renderer.render(ready("03:13")).unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    assert_eq!(document.active_element().unwrap().id(), "ping-button");
    // While the ping runs the button is disabled; focus moves to the live region beside it,
    // then to the first control that appears there (Retry), then to the thread link.
    let at = |ping: PingView| emergency_view(card("Maria", "03:13"), ping);
    let focused = || document.active_element().unwrap().id();
    renderer
        .render(at(PingView::InFlight {
            label: "Pinging".to_string(),
        }))
        .unwrap();
    assert_eq!(focused(), "ping-region");
    renderer
        .render(at(PingView::Failed {
            message: Message::new("failed".to_string()),
            retry_label: "Retry".to_string(),
            copy: None,
        }))
        .unwrap();
    assert_eq!(focused(), "retry-button");
    renderer
        .render(at(PingView::InFlight {
            label: "Pinging".to_string(),
        }))
        .unwrap();
    assert_eq!(focused(), "ping-region");
    renderer
        .render(at(PingView::Done {
            text: "Pinged".to_string(),
            permalink: "https://acme.slack.com/archives/C1/p1".to_string(),
            link_label: "Open Slack thread".to_string(),
        }))
        .unwrap();
    assert_eq!(focused(), "thread-link");
}

#[wasm_bindgen_test]
fn renderer_not_emergency_is_one_line() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    let view = View {
        phase: Phase::NotEmergency,
        details_label: "Details".to_string(),
        headline: "Not an emergency".to_string(),
        problems: vec![],
        emergency: None,
        collapsed: true,
        composer: None,
    };
    let height = renderer.render(view.clone()).unwrap();
    assert_eq!(
        root.get_attribute("data-phase").as_deref(),
        Some("not-emergency")
    );
    assert_eq!(count(&root, "#headline"), 1);
    assert_eq!(count(&root, "#ase, #reasons, #ping-button, #problems"), 0);
    assert!(height <= 40, "height {height}");
}

// ---- client.request options ----

/// The metadata of ticket 201's thread root, as a pre-0.2 app wrote it (no account named).
fn root_metadata() -> MetadataDto {
    MetadataDto {
        event_type: "ase_emergency".to_string(),
        event_payload: EventPayloadDto {
            ticket_id: 201,
            action: "root".to_string(),
            nonce: "n1".to_string(),
            subdomain: None,
        },
    }
}

fn slack_post() -> Request {
    Request {
        id: 7,
        method: Method::Post,
        url: "https://slack.com/api/chat.postMessage".to_string(),
        body: Some(Rc::new(Body::SlackPost(PostMessageDto {
            channel: "C0EMERGENCY".to_string(),
            text: "Emergency".to_string(),
            thread_ts: None,
            metadata: root_metadata(),
            unfurl_links: false,
            unfurl_media: false,
        }))),
        headers: vec![(
            "Authorization".to_string(),
            "Bearer {{setting.slack_bot_token}}".to_string(),
        )],
        secure: true,
        expect: Expect::Slack,
    }
}

/// The `client.request` options the shell gets, parsed as the shell parses them.
fn request_options(request: &Request) -> Result<JsValue, HostError> {
    Ok(js(&ase_emergency_assist::host::http::request_options(
        request,
    )?))
}

#[wasm_bindgen_test]
fn request_options_are_plain_json_with_the_token_placeholder() {
    let options = request_options(&slack_post()).unwrap();
    let text = json_text(&options);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["url"], "https://slack.com/api/chat.postMessage");
    assert_eq!(json["type"], "POST");
    assert_eq!(json["secure"], true);
    assert_eq!(json["httpCompleteResponse"], true);
    assert_eq!(json["dataType"], "json");
    assert_eq!(json["contentType"], "application/json; charset=utf-8");
    // Headers are a plain object that survives JSON.stringify (an ES Map would become {}).
    assert_eq!(
        json["headers"]["Authorization"],
        "Bearer {{setting.slack_bot_token}}"
    );
    let data: serde_json::Value = serde_json::from_str(json["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["channel"], "C0EMERGENCY");
    assert_eq!(data["metadata"]["event_payload"]["ticket_id"], 201);
    assert_eq!(data["metadata"]["event_payload"]["action"], "root");
    assert!(data.get("thread_ts").is_none());
    assert!(
        !text.contains("xox"),
        "a token never appears in what the app sends: {text}"
    );
}

#[wasm_bindgen_test]
fn request_bodies_are_json_text_that_keeps_hostile_text_as_text() {
    let hostile = "quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} </script> é ✓ 𝄞";
    let post = Request {
        body: Some(Rc::new(Body::SlackPost(PostMessageDto {
            channel: "C0EMERGENCY".to_string(),
            text: hostile.to_string(),
            thread_ts: Some("1795697000.000100".to_string()),
            metadata: MetadataDto {
                event_type: "ase_emergency".to_string(),
                event_payload: EventPayloadDto {
                    ticket_id: 201,
                    action: "ping".to_string(),
                    nonce: hostile.to_string(),
                    subdomain: Some(hostile.to_string()),
                },
            },
            unfurl_links: false,
            unfurl_media: true,
        }))),
        ..slack_post()
    };
    let options = request_options(&post).unwrap();
    let data = js_sys::Reflect::get(&options, &"data".into())
        .unwrap()
        .as_string()
        .unwrap();
    // The text is what the browser's JSON.stringify would write for the same value.
    assert_eq!(json_text(&js(&data)), data);
    let json: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(json["text"], hostile);
    assert_eq!(json["metadata"]["event_payload"]["nonce"], hostile);
    assert_eq!(json["metadata"]["event_payload"]["ticket_id"], 201);
    assert_eq!(json["thread_ts"], "1795697000.000100");
    assert_eq!(
        (json["unfurl_links"].clone(), json["unfurl_media"].clone()),
        (false.into(), true.into())
    );
    assert_eq!(json.as_object().unwrap().len(), 6, "{data}");
}

#[wasm_bindgen_test]
fn request_options_for_ticket_update_and_get() {
    let update = Request {
        id: 8,
        method: Method::Put,
        url: "/api/v2/tickets/201".to_string(),
        body: Some(Rc::new(Body::TicketUpdate(TicketUpdateDto {
            ticket: TicketUpdateInnerDto {
                comment: Some(CommentInputDto {
                    body: "ASE pinged".to_string(),
                    public: false,
                }),
                remove_tags: vec!["ase_ping_claim_1_2_ab".to_string()],
                safe_update: true,
                updated_stamp: "2026-11-26T14:00:00Z".to_string(),
                ..TicketUpdateInnerDto::default()
            },
        }))),
        headers: vec![],
        secure: false,
        expect: Expect::Ticket,
    };
    let json: serde_json::Value =
        serde_json::from_str(&json_text(&request_options(&update).unwrap())).unwrap();
    assert_eq!(json["type"], "PUT");
    assert_eq!(json["headers"], serde_json::json!({}));
    let data: serde_json::Value = serde_json::from_str(json["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["ticket"]["comment"]["public"], false);
    assert_eq!(data["ticket"]["safe_update"], true);
    assert_eq!(
        data["ticket"]["remove_tags"],
        serde_json::json!(["ase_ping_claim_1_2_ab"])
    );
    // Empty lists are left out, not sent as [] (an empty `tags`-like list is not "no change").
    assert!(data["ticket"].get("additional_tags").is_none(), "{data}");

    // A release: no comment, no safe update, only the tag to remove.
    let release = Request {
        body: Some(Rc::new(Body::TicketUpdate(TicketUpdateDto {
            ticket: TicketUpdateInnerDto {
                remove_tags: vec!["t".to_string()],
                ..TicketUpdateInnerDto::default()
            },
        }))),
        ..update.clone()
    };
    let json: serde_json::Value =
        serde_json::from_str(&json_text(&request_options(&release).unwrap())).unwrap();
    let data: serde_json::Value = serde_json::from_str(json["data"].as_str().unwrap()).unwrap();
    assert_eq!(data, serde_json::json!({"ticket": {"remove_tags": ["t"]}}));

    let get = Request {
        id: 9,
        method: Method::Get,
        url: "/api/v2/organizations/5".to_string(),
        body: None,
        headers: vec![],
        secure: false,
        expect: Expect::Organization,
    };
    let json: serde_json::Value =
        serde_json::from_str(&json_text(&request_options(&get).unwrap())).unwrap();
    assert_eq!(json["type"], "GET");
    assert!(
        json.get("data").is_none() && json.get("contentType").is_none(),
        "{json}"
    );
}

// ---- response decoding ----

fn response(status: u16, headers: &[(&str, &str)], text: &str, with_json: bool) -> HttpResponse {
    HttpResponse {
        status,
        retry_after: headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .map(|(_, v)| v.to_string()),
        text: text.to_string(),
        json: if with_json {
            js_sys::JSON::parse(text).ok()
        } else {
            None
        },
    }
}

#[wasm_bindgen_test]
fn decode_response_by_expectation_and_status() {
    let org = r#"{"organization":{"id":5,"name":"Acme","organization_fields":{"ase_email":"maria@example.com","tier":3,"vip":true,"empty":null}}}"#;
    match decode_response(Expect::Organization, response(200, &[], org, true)) {
        Ok(Reply::Organization(dto)) => {
            assert_eq!(dto.organization.id, 5);
            assert_eq!(
                dto.organization.organization_fields.get("ase_email"),
                Some(&FieldValueDto::Text("maria@example.com".to_string()))
            );
            assert_eq!(
                dto.organization.organization_fields.get("vip"),
                Some(&FieldValueDto::Bool(true))
            );
            assert_eq!(
                dto.organization.organization_fields.get("empty"),
                Some(&FieldValueDto::Null)
            );
        }
        other => panic!("{other:?}"),
    }
    // Without responseJSON the shell parses the text.
    let slack =
        js(r#"{"status":200,"responseText":"{\"ok\":false,\"error\":\"channel_not_found\"}"}"#);
    match decode_settled(Expect::Slack, &slack) {
        Ok(Reply::Slack(dto)) => assert_eq!(
            (dto.ok, dto.error.as_deref()),
            (false, Some("channel_not_found"))
        ),
        other => panic!("{other:?}"),
    }
    // 2xx with the wrong shape: Decode, carrying serde's message.
    match decode_response(
        Expect::Organization,
        response(200, &[], r#"{"organization":{"id":"five"}}"#, true),
    ) {
        Err(Failure::Decode { detail }) => assert!(detail.contains("invalid type"), "{detail}"),
        other => panic!("{other:?}"),
    }
    match decode_response(
        Expect::Ticket,
        response(201, &[], "<html>oops</html>", false),
    ) {
        Err(Failure::Decode { detail }) => assert!(detail.contains("not JSON"), "{detail}"),
        other => panic!("{other:?}"),
    }
    // Non-2xx: Http with the body and Retry-After.
    let limited = response(
        429,
        &[("retry-after", "2"), ("content-type", "application/json")],
        r#"{"ok":false,"error":"ratelimited"}"#,
        true,
    );
    assert_eq!(
        decode_response(Expect::Slack, limited),
        Err(Failure::Http {
            status: 429,
            body: r#"{"ok":false,"error":"ratelimited"}"#.to_string(),
            retry_after_s: Some(2)
        })
    );
    let conflict = response(409, &[], r#"{"error":"UpdateConflict"}"#, true);
    assert_eq!(
        decode_response(Expect::Ticket, conflict),
        Err(Failure::Http {
            status: 409,
            body: r#"{"error":"UpdateConflict"}"#.to_string(),
            retry_after_s: None
        })
    );
}

fn decode_failure(expect: Expect, text: &str) -> String {
    match decode_response(expect, response(200, &[], text, true)) {
        Err(Failure::Decode { detail }) => detail,
        other => panic!("{text}: {other:?}"),
    }
}

#[wasm_bindgen_test]
fn decoders_read_every_field_and_name_the_path_of_bad_data() {
    let slack = r#"{"ok":true,"ts":"1.2","channel":"C1","permalink":"https://x/p","presence":"away",
        "has_more":false,"extra":{"ignored":[1,2]},
        "message":{"ts":"1.2","text":"hi","bot_id":"B1","metadata":{"event_type":"ase_emergency",
            "event_payload":{"ticket_id":201,"action":"root","nonce":"n1"}}},
        "messages":[{"ts":"1.1"},{"ts":"1.3","user":"U1","thread_ts":"1.1"}],
        "user":{"id":"U1","name":"maria","real_name":"Maria","deleted":false,"tz":null,
            "tz_offset":-18000,"profile":{"display_name":"m","real_name":"Maria L","email":"m@x.test"}}}"#;
    let Ok(Reply::Slack(dto)) = decode_response(Expect::Slack, response(200, &[], slack, true))
    else {
        panic!("slack answer not decoded");
    };
    assert!(dto.ok);
    assert_eq!(dto.error, None);
    assert_eq!(dto.ts.as_deref(), Some("1.2"));
    assert_eq!(dto.channel.as_deref(), Some("C1"));
    assert_eq!(dto.permalink.as_deref(), Some("https://x/p"));
    assert_eq!(dto.presence.as_deref(), Some("away"));
    assert_eq!(dto.has_more, Some(false));
    let message = dto.message.unwrap();
    assert_eq!(message.bot_id.as_deref(), Some("B1"));
    assert_eq!(message.metadata, Some(root_metadata()));
    let messages = dto.messages.unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].text, "");
    assert_eq!(messages[1].user.as_deref(), Some("U1"));
    assert_eq!(messages[1].thread_ts.as_deref(), Some("1.1"));
    let user = dto.user.unwrap();
    assert_eq!((user.id.as_str(), user.tz.as_deref()), ("U1", None));
    assert_eq!(user.tz_offset, Some(-18000));
    assert_eq!(user.real_name.as_deref(), Some("Maria"));
    assert_eq!(user.profile.email.as_deref(), Some("m@x.test"));
    assert_eq!(user.profile.display_name, "m");

    let comments = r#"{"comments":[{"id":1,"author_id":7,"body":"b","public":true,"created_at":"t"}],
        "next_page":"https://acme/p2"}"#;
    let Ok(Reply::Comments(dto)) =
        decode_response(Expect::Comments, response(200, &[], comments, true))
    else {
        panic!("comments not decoded");
    };
    assert_eq!(dto.next_page.as_deref(), Some("https://acme/p2"));
    let paged = r#"{"comments":[{"id":1,"author_id":7}],"users":[{"id":7,"role":"agent","name":"A"}],
        "meta":{"has_more":true,"after_cursor":"xyz","before_cursor":null},"links":{"next":"/p"}}"#;
    let Ok(Reply::Comments(page)) =
        decode_response(Expect::Comments, response(200, &[], paged, true))
    else {
        panic!("cursor page not decoded");
    };
    assert_eq!(page.next_cursor(), Some("xyz"));
    assert!(page.by_staff(7) && !page.by_staff(8));
    assert_eq!(
        (dto.comments[0].author_id, dto.comments[0].public),
        (7, true)
    );

    // Wrong types and missing required fields name their path; `null` is not a string.
    for (expect, text, path) in [
        (
            Expect::Comments,
            r#"{"comments":[{"id":1},{"id":2},{"id":3},{"id":4,"author_id":"x"}]}"#,
            "comments[3].author_id: invalid type",
        ),
        (
            Expect::Comments,
            r#"{"next_page":null}"#,
            "comments: missing field",
        ),
        (
            Expect::Ticket,
            r#"{"ticket":{}}"#,
            "ticket.id: missing field",
        ),
        (
            Expect::Ticket,
            r#"{"ticket":{"id":1.5}}"#,
            "ticket.id: invalid type",
        ),
        (
            Expect::Ticket,
            r#"{"ticket":{"id":-1}}"#,
            "ticket.id: invalid type",
        ),
        (
            Expect::Slack,
            r#"{"ok":true,"messages":[{"text":null}]}"#,
            "messages[0].text",
        ),
        (
            Expect::Slack,
            r#"{"ok":true,"user":{"id":"U1","profile":null}}"#,
            "user.profile",
        ),
        (Expect::Slack, r#"[]"#, "ok: missing field"),
        (
            Expect::Slack,
            r#""text""#,
            "invalid type: expected an object, found a string",
        ),
        (
            Expect::Organization,
            r#"{"organization":{"id":5,"organization_fields":[]}}"#,
            "organization.organization_fields: invalid type",
        ),
    ] {
        let detail = decode_failure(expect, text);
        assert!(detail.starts_with(path), "{text}: {detail}");
    }

    // What other integrations write never makes an answer unreadable: another app's message
    // metadata is dropped (the app trusts only its own shape), and an organization field of a
    // list or object type is kept as its JSON text.
    let history = r#"{"ok":true,"messages":[
        {"ts":"1.1","metadata":{"event_type":"deploy","event_payload":{"build":7}}},
        {"ts":"1.2","metadata":"not an object"},
        {"ts":"1.3","metadata":{"event_type":"ase_emergency","event_payload":{"ticket_id":201,"action":"root","nonce":"n"}}}]}"#;
    let Ok(Reply::Slack(dto)) = decode_response(Expect::Slack, response(200, &[], history, true))
    else {
        panic!("a history with foreign metadata is readable");
    };
    let kept: Vec<Option<u64>> = dto
        .messages
        .unwrap()
        .iter()
        .map(|m| m.metadata.as_ref().map(|md| md.event_payload.ticket_id))
        .collect();
    assert_eq!(kept, [None, None, Some(201)]);
    let paged = r#"{"ok":true,"messages":[],"has_more":true,"response_metadata":{"next_cursor":"dXNlcjpVMEc5V0ZYTlo="}}"#;
    let Ok(Reply::Slack(page)) = decode_response(Expect::Slack, response(200, &[], paged, true))
    else {
        panic!("a history page with a cursor is readable");
    };
    assert_eq!(page.next_cursor(), Some("dXNlcjpVMEc5V0ZYTlo="));
    let last =
        r#"{"ok":true,"messages":[],"has_more":false,"response_metadata":{"next_cursor":""}}"#;
    let Ok(Reply::Slack(page)) = decode_response(Expect::Slack, response(200, &[], last, true))
    else {
        panic!("a last page is readable");
    };
    assert_eq!(page.next_cursor(), None);
    let org = r#"{"organization":{"id":5,"organization_fields":{"regions":["eu","us"],"lookup":[{"id":1}],"ase_email":"m@x.test"}}}"#;
    let Ok(Reply::Organization(dto)) =
        decode_response(Expect::Organization, response(200, &[], org, true))
    else {
        panic!("an organization with a list field is readable");
    };
    let fields = &dto.organization.organization_fields;
    assert_eq!(
        fields.get("regions"),
        Some(&FieldValueDto::List(vec![
            "eu".to_string(),
            "us".to_string()
        ])),
        "a multi-select's values"
    );
    assert_eq!(
        fields.get("lookup"),
        Some(&FieldValueDto::Text(r#"[{"id":1}]"#.to_string())),
        "any other list stays its JSON text"
    );
    assert_eq!(
        fields.get("ase_email"),
        Some(&FieldValueDto::Text("m@x.test".to_string()))
    );
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/host/shell.js")]
extern "C" {
    /// The shell's reduction of a settled `client.request`: `[status, text, json, retryAfter]`.
    #[wasm_bindgen::prelude::wasm_bindgen(js_name = answerOf)]
    fn answer_of(settled: &JsValue) -> js_sys::Array;
}

/// A settled `client.request` as the app reads it: reduced by the shell, decoded by the host.
fn decode_settled(expect: Expect, settled: &JsValue) -> Result<Reply, Failure> {
    let answer = answer_of(settled);
    decode_answer(
        expect,
        answer.get(0).as_f64().unwrap() as u16,
        answer.get(1).as_string().unwrap(),
        answer.get(2),
        answer.get(3).as_string(),
    )
}

#[wasm_bindgen_test]
fn decode_settled_values_from_zaf() {
    // A complete response as ZAF resolves it (httpCompleteResponse), header names in any case.
    let resolved = js(
        r#"{"status":429,"headers":{"Retry-After":"3"},"responseText":"{\"ok\":false}","responseJSON":{"ok":false}}"#,
    );
    assert_eq!(
        decode_settled(Expect::Slack, &resolved),
        Err(Failure::Http {
            status: 429,
            body: r#"{"ok":false}"#.to_string(),
            retry_after_s: Some(3)
        })
    );
    let ok = js(
        r#"{"status":200,"headers":{},"responseText":"{\"ticket\":{\"id\":201,\"updated_at\":\"2026-11-26T14:00:00Z\"}}"}"#,
    );
    match decode_settled(Expect::Ticket, &ok) {
        Ok(Reply::Ticket(dto)) => assert_eq!(dto.ticket.id, 201),
        other => panic!("{other:?}"),
    }
    // A rejected jqXHR-like object with getResponseHeader instead of a headers map.
    let xhr = js(r#"{"status":503,"statusText":"error","responseText":"busy"}"#);
    let getter = js_sys::Function::new_with_args(
        "name",
        "return name.toLowerCase() === 'retry-after' ? '7' : null;",
    );
    js_sys::Reflect::set(&xhr, &"getResponseHeader".into(), &getter).unwrap();
    assert_eq!(
        decode_settled(Expect::Comments, &xhr),
        Err(Failure::Http {
            status: 503,
            body: "busy".to_string(),
            retry_after_s: Some(7)
        })
    );
    // A JSON error reaches the core as its readable part: Zendesk's description, message (at any
    // depth), error or title, Slack's error code; blank fields do not count; a JSON error
    // without any stays its text.
    for (body, expect) in [
        (
            r#"{"error":"RecordNotFound","description":"Not found"}"#,
            "Not found",
        ),
        (
            r#"{"error":{"title":"Forbidden","message":"You do not have access"}}"#,
            "You do not have access",
        ),
        (
            r#"{"error":"RecordInvalid","description":"  ","details":{"base":[]}}"#,
            "RecordInvalid",
        ),
        (r#"{"error":{"title":"Forbidden"}}"#, "Forbidden"),
        (
            r#"{"ok":false,"error":"service_unavailable"}"#,
            "service_unavailable",
        ),
        (r#"{"ok":false,"error":42}"#, r#"{"ok":false,"error":42}"#),
        ("<html>Bad gateway</html>", "<html>Bad gateway</html>"),
    ] {
        let settled = js_sys::Object::new();
        js_sys::Reflect::set(&settled, &"status".into(), &503.into()).unwrap();
        js_sys::Reflect::set(&settled, &"headers".into(), &js_sys::Object::new()).unwrap();
        js_sys::Reflect::set(&settled, &"responseText".into(), &body.into()).unwrap();
        match decode_settled(Expect::Ticket, &settled.into()) {
            Err(Failure::Http { body, .. }) => assert_eq!(body, expect),
            other => panic!("{other:?}"),
        }
    }
    // No HTTP answer at all.
    let no_answer = js(r#"{"status":0,"statusText":"error","responseText":""}"#);
    assert!(matches!(
        decode_settled(Expect::Slack, &no_answer),
        Err(Failure::Transport { .. })
    ));
    let thrown = js_sys::Error::new("proxy refused");
    match decode_settled(Expect::Slack, &thrown.into()) {
        Err(Failure::Transport { detail }) => assert!(detail.contains("proxy refused"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

// ---- boot data ----

#[wasm_bindgen_test]
fn boot_decodes_zaf_get_results_and_names_bad_data() {
    let settings = decode_settings(&js(
        r#"{"settings":{"slack_channel_id":"C1","emergency_field_id":360001,"hide_when_not_emergency":true,"working_hours":null}}"#,
    ))
    .unwrap();
    assert_eq!(
        settings.get("emergency_field_id"),
        Some(&SettingValue::Number(360001.0))
    );
    assert_eq!(custom_field_id(&settings).as_deref(), Some("360001"));
    assert_eq!(
        decode_settings(&js(r#"{"appId":0}"#)).unwrap(),
        RawSettings::new()
    );
    match decode_settings(&js(r#"{"settings":{"emergency_tags":["a"]}}"#)) {
        Err(HostError::Settings { name, .. }) => assert_eq!(name, "emergency_tags"),
        other => panic!("{other:?}"),
    }
    let mut text_id = RawSettings::new();
    text_id.insert(
        "emergency_field_id".to_string(),
        SettingValue::Text(" 42 ".to_string()),
    );
    assert_eq!(custom_field_id(&text_id).as_deref(), Some("42"));
    text_id.insert(
        "emergency_field_id".to_string(),
        SettingValue::Text("abc".to_string()),
    );
    assert_eq!(custom_field_id(&text_id), None);

    let field = "ticket.customField:custom_field_360001";
    let data = GetResult::from_js(js(&format!(
        r#"{{"ticket":{{"id":201,"subject":"{subject}","priority":"urgent","tags":["vip"],"organization":null,
            "assignee":{{"user":{{"id":100,"name":"Olivia"}}}},"updatedAt":"2026-11-26T14:00:00Z"}},
           "currentUser":{{"id":100,"name":"Olivia On-call","email":"olivia@example.com"}},
           "currentUser.locale":"en-GB","currentAccount.subdomain":"acme"}}"#,
        subject = "Site down \\u003cimg\\u003e"
    )));
    let field_data = GetResult::from_js(js(&format!(r#"{{"{field}":true}}"#)));
    let boot = decode_boot(
        settings.clone(),
        &data,
        field_data.field_text(field),
        "Europe/Paris".to_string(),
        catalog(),
    )
    .unwrap();
    assert_eq!(boot.ticket.id, 201);
    assert_eq!(boot.ticket.subject.as_deref(), Some("Site down <img>"));
    assert_eq!(boot.ticket.organization, None);
    assert_eq!(boot.custom_field_value.as_deref(), Some("true"));
    assert_eq!(boot.current_user.id, 100);
    assert_eq!(boot.locale, "en-GB");
    assert_eq!(boot.subdomain, "acme");

    // An errors map names the path; a custom field Zendesk does not know is just "no value".
    let unknown_field = GetResult::from_js(js(&format!(
        r#"{{"errors":{{"{field}":{{"name":"APIUnavailable","message":"No such Api","path":"{field}"}}}}}}"#
    )));
    assert_eq!(unknown_field.field_text(field), None);
    let data = GetResult::from_js(js(
        r#"{"currentUser":{"id":100},"currentUser.locale":"en-US","currentAccount.subdomain":"acme",
           "errors":{"ticket":{"name":"APIUnavailable","message":"No such Api","path":"ticket"}}}"#,
    ));
    match decode_boot(settings.clone(), &data, None, "UTC".to_string(), catalog()) {
        Err(HostError::Data { path, detail }) => {
            assert_eq!(path, "ticket");
            assert!(detail.contains("No such Api"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let data = GetResult::from_js(js(
        r#"{"ticket":{"id":"not a number"},"currentUser":{"id":100},"currentUser.locale":"en-US","currentAccount.subdomain":"acme"}"#,
    ));
    match decode_boot(settings.clone(), &data, None, "UTC".to_string(), catalog()) {
        Err(e @ HostError::Data { .. }) => {
            assert!(
                matches!(&e, HostError::Data { path, .. } if path == "ticket.id"),
                "{e:?}"
            );
            let message = e.message(&catalog());
            let detail = message.detail.clone().unwrap_or_default();
            assert!(
                !message.text.contains("host.error") && detail.contains("ticket.id"),
                "{message:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn boot_reads_english_without_a_locale_and_names_a_bad_user() {
    let settings = RawSettings::new();
    let ticket = r#""ticket":{"id":201},"currentAccount.subdomain":"acme""#;
    // No locale, or one of the wrong type, is English, not a dead sidebar.
    for user in [
        r#""currentUser":{"id":100}"#,
        r#""currentUser":{"id":100},"currentUser.locale":7"#,
    ] {
        let data = GetResult::from_js(js(&format!("{{{ticket},{user}}}")));
        let boot = decode_boot(settings.clone(), &data, None, "UTC".to_string(), catalog());
        assert_eq!(boot.map(|b| b.locale).ok().as_deref(), Some(""), "{user}");
    }
    let data = GetResult::from_js(js(&format!(
        r#"{{{ticket},"currentUser":{{"name":"x"}},"currentUser.locale":"fr"}}"#
    )));
    match decode_boot(settings, &data, None, "UTC".to_string(), catalog()) {
        Err(HostError::Data { path, detail }) => {
            assert_eq!(
                (path.as_str(), detail.as_str()),
                ("currentUser.id", "missing field")
            )
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn embedded_catalog_has_every_host_message() {
    let catalog = catalog();
    // `k!` already refuses a key en.json lacks; the compiled-in English must have its text.
    for key in [
        k!("host.loading"),
        k!("host.error.headline"),
        k!("host.error.not_in_zendesk"),
        k!("host.error.sdk_missing"),
        k!("host.error.zaf"),
        k!("host.error.data"),
        k!("host.error.settings"),
        k!("host.error.internal"),
        k!("host.error.crashed"),
    ] {
        assert!(
            !catalog.get(key).trim().is_empty(),
            "{key:?} has no English text"
        );
    }
}

#[wasm_bindgen_test]
fn error_panel_replaces_the_sidebar() {
    let root = fresh_root();
    let mut renderer = Renderer::new(root.clone()).unwrap();
    renderer
        .render(emergency_view(
            card("Maria", "03:12"),
            PingView::Ready {
                label: "Ping".to_string(),
            },
        ))
        .unwrap();
    let catalog = catalog();
    let message = HostError::NotInZendesk.message(&catalog);
    ase_emergency_assist::host::crash::show_error(&catalog, vec![message.clone()]);
    assert_eq!(
        root.get_attribute("data-phase").as_deref(),
        Some("misconfigured")
    );
    assert_eq!(
        text_of(&root, "#headline"),
        catalog.get(k!("host.error.headline"))
    );
    assert_eq!(text_of(&root, "#problems li"), message.text);
    assert_eq!(count(&root, "#ase, #ping-button"), 0);
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/host/shell.js")]
extern "C" {
    /// The shell's `client.request` with its time-out: `[kind, answer]`.
    #[wasm_bindgen::prelude::wasm_bindgen(js_name = send)]
    fn shell_send(client: &JsValue, options: &JsValue, ms: u32) -> js_sys::Promise;
}

/// What the shell's `send` settles with when `request()` returns `promise_js` (a JS
/// expression) and the time-out is `ms`: the kind (0 resolved, 1 rejected or thrown, 2 timed
/// out) and the answer's `status`.
async fn shell_settles(promise_js: &str, ms: u32) -> (f64, Option<f64>) {
    let make = js_sys::Function::new_no_args(&format!(
        "return {{ request: function () {{ return {promise_js}; }} }};"
    ));
    let client = make.call0(&JsValue::NULL).unwrap();
    let options = js_sys::Object::new().into();
    let settled = wasm_bindgen_futures::JsFuture::from(shell_send(&client, &options, ms))
        .await
        .unwrap();
    let pair = js_sys::Array::from(&settled);
    let status = js_sys::Reflect::get(&pair.get(1), &"status".into())
        .ok()
        .and_then(|s| s.as_f64());
    (pair.get(0).as_f64().unwrap(), status)
}

#[wasm_bindgen_test]
async fn a_request_without_an_answer_times_out_and_an_answer_in_time_does_not() {
    let silent = shell_settles("new Promise(function () {})", 50).await;
    assert_eq!(silent, (2.0, None), "no answer: timed out");
    let quick = shell_settles("Promise.resolve({status: 200})", 5_000).await;
    assert_eq!(quick, (0.0, Some(200.0)));
    let refused = shell_settles("Promise.reject({status: 0})", 5_000).await;
    assert_eq!(refused, (1.0, Some(0.0)));
    let thrown = shell_settles("(function () { throw {status: 0}; })()", 5_000).await;
    assert_eq!(thrown, (1.0, Some(0.0)), "a throw settles as a rejection");
}

/// Slack names a channel by ID in `chat.postMessage` answers and with an object in
/// `conversations.invite` answers; `auth.test` names its user with a string and
/// `users.lookupByEmail` with an object. Every one of them decodes.
#[wasm_bindgen_test]
fn slack_answers_with_objects_or_strings_in_the_same_field_decode() {
    for text in [
        r#"{"ok":true,"channel":{"id":"C1","is_channel":true}}"#,
        r#"{"ok":true,"channel":"C1","ts":"1.1"}"#,
        r#"{"ok":true,"user":"ase_bot","user_id":"U1","bot_id":"B1"}"#,
        r#"{"ok":true,"members":["U1","U2"],"response_metadata":{"next_cursor":""}}"#,
    ] {
        let reply = decode_response(Expect::Slack, response(200, &[], text, true));
        assert!(
            matches!(reply, Ok(Reply::Slack(ref r)) if r.ok),
            "{text}: {reply:?}"
        );
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/host/intl.js")]
extern "C" {
    /// `intl.js`'s reading of a `longOffset` name.
    #[wasm_bindgen::prelude::wasm_bindgen(js_name = parseGmtOffset)]
    fn parse_gmt_offset(name: &str) -> Option<i32>;
}

/// `Intl`'s `longOffset` names, in minutes east of UTC.
#[wasm_bindgen_test]
fn gmt_offset_names_parse() {
    for (name, minutes) in [
        ("GMT", Some(0)),
        ("GMT+05:30", Some(330)),
        ("GMT-08:00", Some(-480)),
        ("GMT\u{2212}03:00", Some(-180)),
        ("GMT+5", Some(300)),
        ("GMT+00:09:21", Some(9)),
        ("GMT+00:09:30", Some(10)),
        ("UTC", None),
        ("GMT+05:75", None),
        ("GMT+", None),
        ("GMT*05", None),
    ] {
        assert_eq!(parse_gmt_offset(name), minutes, "{name}");
    }
}
