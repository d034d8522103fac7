//! Decoding untyped JavaScript values (ZAF data, settings, `client.request` answers) into the
//! core's wire types, by hand: a few helpers ("field", "optional field", "list of", "map of")
//! and one [`Decode`] impl per type. The DTOs keep their serde `Deserialize` derives for native
//! tests; the wasm build never calls them, so serde's deserialising machinery stays out of the
//! bundle.
//!
//! Invariants: the impls mirror the DTOs' serde attributes (a field without `#[serde(default)]`
//! is required unless it is an `Option`; `rename` and `rename_all` become the JavaScript names);
//! unknown fields are ignored; a missing required field or a value of the wrong type is a
//! [`DecodeError`] naming its path (`comments[3].author_id`), never a panic.
//!
//! For a small bundle the impls never return early: a bad value is recorded at its [`At`] (the
//! first one wins) and replaced by a placeholder, and [`decode`] turns a recorded error into
//! `Err`, so the placeholders never leave this module.
use super::js;
use crate::core::map::SmallMap;
use crate::core::settings::SettingValue;
use crate::core::slack::{
    EventPayloadDto, MetadataDto, ResponseMetadataDto, SlackMessageDto, SlackProfileDto,
    SlackResponseDto, SlackUserDto,
};
use crate::core::zendesk::{
    CommentDto, CommentsResponseDto, CursorMetaDto, FieldOptionDto, FieldValueDto, OrganizationDto,
    OrganizationFieldDto, OrganizationFieldsResponseDto, OrganizationResponseDto,
    SearchResponseDto, SearchResultDto, TicketDto, TicketResponseDto, ZafAssigneeDto, ZafFormDto,
    ZafOrganizationDto, ZafTicketDto, ZafUserDto, ZendeskUserDto,
};
use js_sys::{Array, Reflect};
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};

/// Why a value could not be decoded: where it is, and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// `ticket.id`, `comments[3].author_id`; empty for the document itself.
    pub path: String,
    pub detail: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.detail)
        } else {
            write!(f, "{}: {}", self.path, self.detail)
        }
    }
}

/// Where a value sits in the document being decoded (spelled out only when decoding fails),
/// and where the first failure of the document is recorded.
#[derive(Clone, Copy)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    key: Key<'a>,
    failure: &'a Cell<Option<DecodeError>>,
}

impl std::fmt::Debug for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut path = String::new();
        self.write_path(&mut path);
        f.write_str(&path)
    }
}

#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    Name(&'a str),
    Index(u32),
}

impl<'a> At<'a> {
    fn field(&'a self, name: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            key: Key::Name(name),
            failure: self.failure,
        }
    }

    fn index(&'a self, i: u32) -> At<'a> {
        At {
            parent: Some(self),
            key: Key::Index(i),
            failure: self.failure,
        }
    }

    fn write_path(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write_path(out);
        }
        match self.key {
            Key::Name(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Key::Index(i) => {
                out.push('[');
                out.push_str(&crate::core::text::digits(u64::from(i), 0));
                out.push(']');
            }
        }
    }

    /// Records `detail` here, unless the document already failed elsewhere.
    fn fail(&self, detail: &str) {
        match self.failure.take() {
            Some(first) => self.failure.set(Some(first)),
            None => {
                let mut path = String::new();
                self.write_path(&mut path);
                let detail = detail.to_string();
                self.failure.set(Some(DecodeError { path, detail }));
            }
        }
    }

    /// Records "invalid type: expected `what`, found <kind of value>".
    fn invalid(&self, what: &str, found: &JsValue) {
        self.fail(&format!(
            "invalid type: expected {what}, found {}",
            kind(found)
        ));
    }
}

/// The kind of a JavaScript value, for error messages (never the value: it may be long).
fn kind(value: &JsValue) -> &'static str {
    if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if value.is_string() {
        "a string"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_f64().is_some() {
        "a number"
    } else if Array::is_array(value) {
        "an array"
    } else {
        "an object"
    }
}

/// A type decodable from a JavaScript value. A bad value is recorded at `at` and decodes to a
/// placeholder, which [`decode`] never returns.
pub trait Decode: Sized {
    fn decode(value: &JsValue, at: &At<'_>) -> Self;
}

/// Decodes a whole document; errors name paths below `root` (`""` for an HTTP answer).
pub fn decode<T: Decode>(value: &JsValue, root: &str) -> Result<T, DecodeError> {
    let failure = Cell::new(None);
    let at = At {
        parent: None,
        key: Key::Name(root),
        failure: &failure,
    };
    let decoded = T::decode(value, &at);
    match failure.take() {
        Some(e) => Err(e),
        None => Ok(decoded),
    }
}

/// `value`, recording an error when it is not an object (an array is one, with no fields).
fn object<'v>(value: &'v JsValue, at: &At<'_>) -> &'v JsValue {
    if !value.is_object() {
        at.invalid("an object", value);
    }
    value
}

/// `object[name]`; `undefined` when absent or `object` is not an object.
fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A field without `#[serde(default)]`: absent is an error (an `Option` field uses [`opt`]).
fn req<T: Decode>(object: &JsValue, name: &str, at: &At<'_>) -> T {
    let at = at.field(name);
    let value = get(object, name);
    if value.is_undefined() {
        at.fail("missing field");
    }
    T::decode(&value, &at)
}

/// `object[name]` decoded on its own: `None` when absent or malformed. For values other apps
/// write (Slack message metadata from another integration), which must never make a whole
/// answer unreadable: the app only ever trusts metadata of its own shape.
fn lenient<T: Decode>(object: &JsValue, name: &str) -> Option<T> {
    let value = get(object, name);
    if value.is_undefined() || value.is_null() {
        return None;
    }
    decode(&value, name).ok()
}

/// A field with `#[serde(default)]`, or an `Option` field: absent is the default.
fn opt<T: Decode + Default>(object: &JsValue, name: &str, at: &At<'_>) -> T {
    let value = get(object, name);
    if value.is_undefined() {
        return T::default();
    }
    T::decode(&value, &at.field(name))
}

impl Decode for String {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        value.as_string().unwrap_or_else(|| {
            at.invalid("a string", value);
            String::new()
        })
    }
}

impl Decode for bool {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        value.as_bool().unwrap_or_else(|| {
            at.invalid("a boolean", value);
            false
        })
    }
}

/// Largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A whole number within `min..=MAX_SAFE` (0 when it is not one).
fn whole(value: &JsValue, at: &At<'_>, min: f64, what: &str) -> f64 {
    match value.as_f64() {
        Some(n) if n >= min && n <= MAX_SAFE && n.fract() == 0.0 => n,
        _ => {
            at.invalid(what, value);
            0.0
        }
    }
}

impl Decode for u64 {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        whole(value, at, 0.0, "a non-negative whole number") as u64
    }
}

impl Decode for i64 {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        whole(value, at, -MAX_SAFE, "a whole number") as i64
    }
}

/// `null` (or `undefined`) is `None`.
impl<T: Decode> Decode for Option<T> {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        if value.is_null() || value.is_undefined() {
            None
        } else {
            Some(T::decode(value, at))
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let Some(array) = value.dyn_ref::<Array>() else {
            at.invalid("an array", value);
            return Vec::new();
        };
        let mut items = Vec::new();
        for i in 0..array.length() {
            items.push(T::decode(&array.get(i), &at.index(i)));
        }
        items
    }
}

impl<T: Decode> Decode for SmallMap<T> {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        if !value.is_object() || Array::is_array(value) {
            at.invalid("an object", value);
            return SmallMap::new();
        }
        let mut map = SmallMap::new();
        for (name, v) in js::entries(value) {
            let decoded = T::decode(&v, &at.field(&name));
            map.insert(name, decoded);
        }
        map
    }
}

/// A scalar as ZAF and JSON carry it: boolean, number, string or null (serde's untagged order).
enum Scalar {
    Bool(bool),
    Number(f64),
    Text(String),
    Null,
}

impl Decode for Scalar {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        if let Some(b) = value.as_bool() {
            Scalar::Bool(b)
        } else if let Some(n) = value.as_f64() {
            Scalar::Number(n)
        } else if let Some(s) = value.as_string() {
            Scalar::Text(s)
        } else {
            if !value.is_null() && !value.is_undefined() {
                at.invalid("a string, number, boolean or null", value);
            }
            Scalar::Null
        }
    }
}

impl Decode for SettingValue {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        match Scalar::decode(value, at) {
            Scalar::Bool(b) => SettingValue::Bool(b),
            Scalar::Number(n) => SettingValue::Number(n),
            Scalar::Text(s) => SettingValue::Text(s),
            Scalar::Null => SettingValue::Null,
        }
    }
}

impl Decode for FieldValueDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        // A multi-select holds its options' values: a list of strings.
        if Array::is_array(value) {
            let array: &Array = value.unchecked_ref();
            let mut list = Vec::new();
            for i in 0..array.length() {
                match array.get(i).as_string() {
                    Some(s) => list.push(s),
                    None => break,
                }
            }
            if list.len() == array.length() as usize {
                return FieldValueDto::List(list);
            }
        }
        // Any other list or object (a lookup) must not make the organization unreadable: it is
        // kept as its JSON text, which the ASE rule then reports as "not an email address" if
        // an admin pointed it at such a field.
        if value.is_object() {
            let text = js_sys::JSON::stringify(value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            return FieldValueDto::Text(text);
        }
        match Scalar::decode(value, at) {
            Scalar::Bool(b) => FieldValueDto::Bool(b),
            Scalar::Number(n) => FieldValueDto::Number(n),
            Scalar::Text(s) => FieldValueDto::Text(s),
            Scalar::Null => FieldValueDto::Null,
        }
    }
}

// ---- ZAF data API (client.get) ----

impl Decode for ZafUserDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ZafUserDto {
            id: req(o, "id", at),
            name: opt(o, "name", at),
            email: opt(o, "email", at),
            alias: opt(o, "alias", at),
        }
    }
}

impl Decode for ZafOrganizationDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ZafOrganizationDto {
            id: req(o, "id", at),
            name: opt(o, "name", at),
        }
    }
}

impl Decode for ZafFormDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ZafFormDto {
            id: opt(o, "id", at),
        }
    }
}

impl Decode for ZafAssigneeDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ZafAssigneeDto {
            user: opt(o, "user", at),
        }
    }
}

impl Decode for ZafTicketDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ZafTicketDto {
            id: req(o, "id", at),
            subject: opt(o, "subject", at),
            priority: opt(o, "priority", at),
            tags: opt(o, "tags", at),
            form: opt(o, "form", at),
            organization: opt(o, "organization", at),
            assignee: opt(o, "assignee", at),
            updated_at: opt(o, "updatedAt", at),
            created_at: opt(o, "createdAt", at),
        }
    }
}

// ---- Zendesk REST API ----

impl Decode for OrganizationDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        OrganizationDto {
            id: req(o, "id", at),
            name: opt(o, "name", at),
            details: opt(o, "details", at),
            notes: opt(o, "notes", at),
            organization_fields: opt(o, "organization_fields", at),
        }
    }
}

impl Decode for OrganizationFieldsResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        OrganizationFieldsResponseDto {
            organization_fields: req(o, "organization_fields", at),
            next_page: opt(o, "next_page", at),
        }
    }
}

impl Decode for OrganizationFieldDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        OrganizationFieldDto {
            key: req(o, "key", at),
            title: opt(o, "title", at),
            // Only dropdowns have options; anything unreadable there costs the names only.
            custom_field_options: lenient(o, "custom_field_options").unwrap_or_default(),
        }
    }
}

impl Decode for FieldOptionDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        FieldOptionDto {
            name: opt(o, "name", at),
            value: opt(o, "value", at),
        }
    }
}

impl Decode for SearchResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        SearchResponseDto {
            results: req(o, "results", at),
            next_page: opt(o, "next_page", at),
        }
    }
}

impl Decode for SearchResultDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        SearchResultDto {
            id: req(o, "id", at),
            subject: opt(o, "subject", at),
        }
    }
}

impl Decode for OrganizationResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        OrganizationResponseDto {
            organization: req(o, "organization", at),
        }
    }
}

impl Decode for CommentDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        CommentDto {
            id: req(o, "id", at),
            author_id: opt(o, "author_id", at),
            body: opt(o, "body", at),
            public: opt(o, "public", at),
            created_at: opt(o, "created_at", at),
        }
    }
}

impl Decode for CommentsResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        CommentsResponseDto {
            comments: req(o, "comments", at),
            next_page: opt(o, "next_page", at),
            users: opt(o, "users", at),
            meta: opt(o, "meta", at),
        }
    }
}

impl Decode for ZendeskUserDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ZendeskUserDto {
            id: req(o, "id", at),
            role: opt(o, "role", at),
        }
    }
}

impl Decode for CursorMetaDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        CursorMetaDto {
            has_more: opt(o, "has_more", at),
            after_cursor: opt(o, "after_cursor", at),
        }
    }
}

impl Decode for TicketDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        TicketDto {
            id: req(o, "id", at),
            updated_at: opt(o, "updated_at", at),
            tags: opt(o, "tags", at),
        }
    }
}

impl Decode for TicketResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        TicketResponseDto {
            ticket: req(o, "ticket", at),
        }
    }
}

// ---- Slack Web API ----

impl Decode for EventPayloadDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        EventPayloadDto {
            ticket_id: req(o, "ticket_id", at),
            action: req(o, "action", at),
            nonce: req(o, "nonce", at),
            subdomain: opt(o, "subdomain", at),
        }
    }
}

impl Decode for MetadataDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        MetadataDto {
            event_type: req(o, "event_type", at),
            event_payload: req(o, "event_payload", at),
        }
    }
}

impl Decode for SlackMessageDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        SlackMessageDto {
            ts: opt(o, "ts", at),
            text: opt(o, "text", at),
            user: opt(o, "user", at),
            bot_id: opt(o, "bot_id", at),
            thread_ts: opt(o, "thread_ts", at),
            metadata: lenient(o, "metadata"),
        }
    }
}

impl Decode for SlackProfileDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        SlackProfileDto {
            display_name: opt(o, "display_name", at),
            real_name: opt(o, "real_name", at),
            email: opt(o, "email", at),
        }
    }
}

impl Decode for SlackUserDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        SlackUserDto {
            id: req(o, "id", at),
            name: opt(o, "name", at),
            real_name: opt(o, "real_name", at),
            deleted: opt(o, "deleted", at),
            tz: opt(o, "tz", at),
            tz_offset: opt(o, "tz_offset", at),
            profile: opt(o, "profile", at),
        }
    }
}

impl Decode for SlackResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        SlackResponseDto {
            ok: req(o, "ok", at),
            error: opt(o, "error", at),
            ts: opt(o, "ts", at),
            // `chat.postMessage` names the channel by ID, `conversations.open` (and `.invite`)
            // with an object that has one.
            channel: {
                let channel = get(o, "channel");
                match channel.is_object() {
                    true => get(&channel, "id").as_string(),
                    false => channel.as_string(),
                }
            },
            message: opt(o, "message", at),
            permalink: opt(o, "permalink", at),
            // `auth.test` names its user with a string: only an object is a Slack user (and a
            // malformed one still names its path).
            user: if get(o, "user").is_object() {
                opt(o, "user", at)
            } else {
                None
            },
            presence: opt(o, "presence", at),
            dnd_enabled: opt(o, "dnd_enabled", at),
            next_dnd_start_ts: opt(o, "next_dnd_start_ts", at),
            next_dnd_end_ts: opt(o, "next_dnd_end_ts", at),
            messages: opt(o, "messages", at),
            has_more: opt(o, "has_more", at),
            response_metadata: opt(o, "response_metadata", at),
            bot_id: opt(o, "bot_id", at),
            members: opt(o, "members", at),
        }
    }
}

impl Decode for ResponseMetadataDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Self {
        let o = object(value, at);
        ResponseMetadataDto {
            next_cursor: opt(o, "next_cursor", at),
        }
    }
}
