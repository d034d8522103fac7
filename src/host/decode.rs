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
use super::js;
use crate::core::map::SmallMap;
use crate::core::settings::SettingValue;
use crate::core::slack::{
    EventPayloadDto, MetadataDto, SlackMessageDto, SlackProfileDto, SlackResponseDto, SlackUserDto,
};
use crate::core::zendesk::{
    CommentDto, CommentsResponseDto, FieldValueDto, OrganizationDto, OrganizationResponseDto,
    TicketDto, TicketResponseDto, ZafAssigneeDto, ZafFormDto, ZafOrganizationDto, ZafTicketDto,
    ZafUserDto,
};
use js_sys::{Array, Reflect};
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

/// Where a value sits in the document being decoded; spelled out only when decoding fails.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    key: Key<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    Name(&'a str),
    Index(u32),
}

impl<'a> At<'a> {
    /// The document itself, named `name` in errors (`""` for an HTTP answer, or a ZAF path).
    pub fn root(name: &'a str) -> At<'a> {
        At {
            parent: None,
            key: Key::Name(name),
        }
    }

    fn field(&'a self, name: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            key: Key::Name(name),
        }
    }

    fn index(&'a self, i: u32) -> At<'a> {
        At {
            parent: Some(self),
            key: Key::Index(i),
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
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }

    fn error(&self, detail: String) -> DecodeError {
        let mut path = String::new();
        self.write_path(&mut path);
        DecodeError { path, detail }
    }

    /// "invalid type: expected `what`, found <kind of value>".
    fn invalid(&self, what: &str, found: &JsValue) -> DecodeError {
        self.error(format!(
            "invalid type: expected {what}, found {}",
            kind(found)
        ))
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

/// A type decodable from a JavaScript value.
pub trait Decode: Sized {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError>;
}

/// Decodes a whole document; errors name paths below `root` (`""` for an HTTP answer).
pub fn decode<T: Decode>(value: &JsValue, root: &str) -> Result<T, DecodeError> {
    T::decode(value, &At::root(root))
}

/// `value` when it is an object (or an array, which has no named fields), else an error.
fn object<'v>(value: &'v JsValue, at: &At<'_>) -> Result<&'v JsValue, DecodeError> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(at.invalid("an object", value))
    }
}

/// `object[name]`; `undefined` when absent.
fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A field without `#[serde(default)]`: absent is an error (an `Option` field uses [`opt`]).
fn req<T: Decode>(object: &JsValue, name: &str, at: &At<'_>) -> Result<T, DecodeError> {
    let at = at.field(name);
    let value = get(object, name);
    if value.is_undefined() {
        return Err(at.error("missing field".to_string()));
    }
    T::decode(&value, &at)
}

/// A field with `#[serde(default)]`, or an `Option` field: absent is the default.
fn opt<T: Decode + Default>(object: &JsValue, name: &str, at: &At<'_>) -> Result<T, DecodeError> {
    let value = get(object, name);
    if value.is_undefined() {
        return Ok(T::default());
    }
    T::decode(&value, &at.field(name))
}

impl Decode for String {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        value
            .as_string()
            .ok_or_else(|| at.invalid("a string", value))
    }
}

impl Decode for bool {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        value
            .as_bool()
            .ok_or_else(|| at.invalid("a boolean", value))
    }
}

/// Largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A whole number within `min..=MAX_SAFE`.
fn whole(value: &JsValue, at: &At<'_>, min: f64, what: &str) -> Result<f64, DecodeError> {
    match value.as_f64() {
        Some(n) if n >= min && n <= MAX_SAFE && n.fract() == 0.0 => Ok(n),
        _ => Err(at.invalid(what, value)),
    }
}

impl Decode for u64 {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        whole(value, at, 0.0, "a non-negative whole number").map(|n| n as u64)
    }
}

impl Decode for i64 {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        whole(value, at, -MAX_SAFE, "a whole number").map(|n| n as i64)
    }
}

/// `null` (or `undefined`) is `None`.
impl<T: Decode> Decode for Option<T> {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        if value.is_null() || value.is_undefined() {
            Ok(None)
        } else {
            T::decode(value, at).map(Some)
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let Some(array) = value.dyn_ref::<Array>() else {
            return Err(at.invalid("an array", value));
        };
        (0..array.length())
            .map(|i| T::decode(&array.get(i), &at.index(i)))
            .collect()
    }
}

impl<T: Decode> Decode for SmallMap<T> {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        if !value.is_object() || Array::is_array(value) {
            return Err(at.invalid("an object", value));
        }
        js::entries(value)
            .into_iter()
            .map(|(name, v)| {
                let decoded = T::decode(&v, &at.field(&name))?;
                Ok((name, decoded))
            })
            .collect()
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
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        if let Some(b) = value.as_bool() {
            Ok(Scalar::Bool(b))
        } else if let Some(n) = value.as_f64() {
            Ok(Scalar::Number(n))
        } else if let Some(s) = value.as_string() {
            Ok(Scalar::Text(s))
        } else if value.is_null() || value.is_undefined() {
            Ok(Scalar::Null)
        } else {
            Err(at.invalid("a string, number, boolean or null", value))
        }
    }
}

impl Decode for SettingValue {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        Ok(match Scalar::decode(value, at)? {
            Scalar::Bool(b) => SettingValue::Bool(b),
            Scalar::Number(n) => SettingValue::Number(n),
            Scalar::Text(s) => SettingValue::Text(s),
            Scalar::Null => SettingValue::Null,
        })
    }
}

impl Decode for FieldValueDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        Ok(match Scalar::decode(value, at)? {
            Scalar::Bool(b) => FieldValueDto::Bool(b),
            Scalar::Number(n) => FieldValueDto::Number(n),
            Scalar::Text(s) => FieldValueDto::Text(s),
            Scalar::Null => FieldValueDto::Null,
        })
    }
}

// ---- ZAF data API (client.get) ----

impl Decode for ZafUserDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(ZafUserDto {
            id: req(o, "id", at)?,
            name: opt(o, "name", at)?,
            email: opt(o, "email", at)?,
        })
    }
}

impl Decode for ZafOrganizationDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(ZafOrganizationDto {
            id: req(o, "id", at)?,
            name: opt(o, "name", at)?,
        })
    }
}

impl Decode for ZafFormDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(ZafFormDto {
            id: opt(o, "id", at)?,
        })
    }
}

impl Decode for ZafAssigneeDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(ZafAssigneeDto {
            user: opt(o, "user", at)?,
        })
    }
}

impl Decode for ZafTicketDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(ZafTicketDto {
            id: req(o, "id", at)?,
            subject: opt(o, "subject", at)?,
            priority: opt(o, "priority", at)?,
            tags: opt(o, "tags", at)?,
            form: opt(o, "form", at)?,
            organization: opt(o, "organization", at)?,
            assignee: opt(o, "assignee", at)?,
            updated_at: opt(o, "updatedAt", at)?,
        })
    }
}

// ---- Zendesk REST API ----

impl Decode for OrganizationDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(OrganizationDto {
            id: req(o, "id", at)?,
            name: opt(o, "name", at)?,
            details: opt(o, "details", at)?,
            notes: opt(o, "notes", at)?,
            organization_fields: opt(o, "organization_fields", at)?,
        })
    }
}

impl Decode for OrganizationResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(OrganizationResponseDto {
            organization: req(o, "organization", at)?,
        })
    }
}

impl Decode for CommentDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(CommentDto {
            id: req(o, "id", at)?,
            author_id: opt(o, "author_id", at)?,
            body: opt(o, "body", at)?,
            public: opt(o, "public", at)?,
            created_at: opt(o, "created_at", at)?,
        })
    }
}

impl Decode for CommentsResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(CommentsResponseDto {
            comments: req(o, "comments", at)?,
            next_page: opt(o, "next_page", at)?,
        })
    }
}

impl Decode for TicketDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(TicketDto {
            id: req(o, "id", at)?,
            updated_at: opt(o, "updated_at", at)?,
        })
    }
}

impl Decode for TicketResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(TicketResponseDto {
            ticket: req(o, "ticket", at)?,
        })
    }
}

// ---- Slack Web API ----

impl Decode for EventPayloadDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(EventPayloadDto {
            ticket_id: req(o, "ticket_id", at)?,
            action: req(o, "action", at)?,
            nonce: req(o, "nonce", at)?,
        })
    }
}

impl Decode for MetadataDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(MetadataDto {
            event_type: req(o, "event_type", at)?,
            event_payload: req(o, "event_payload", at)?,
        })
    }
}

impl Decode for SlackMessageDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(SlackMessageDto {
            ts: opt(o, "ts", at)?,
            text: opt(o, "text", at)?,
            user: opt(o, "user", at)?,
            bot_id: opt(o, "bot_id", at)?,
            thread_ts: opt(o, "thread_ts", at)?,
            metadata: opt(o, "metadata", at)?,
        })
    }
}

impl Decode for SlackProfileDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(SlackProfileDto {
            display_name: opt(o, "display_name", at)?,
            real_name: opt(o, "real_name", at)?,
            email: opt(o, "email", at)?,
        })
    }
}

impl Decode for SlackUserDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(SlackUserDto {
            id: req(o, "id", at)?,
            name: opt(o, "name", at)?,
            real_name: opt(o, "real_name", at)?,
            deleted: opt(o, "deleted", at)?,
            tz: opt(o, "tz", at)?,
            tz_offset: opt(o, "tz_offset", at)?,
            profile: opt(o, "profile", at)?,
        })
    }
}

impl Decode for SlackResponseDto {
    fn decode(value: &JsValue, at: &At<'_>) -> Result<Self, DecodeError> {
        let o = object(value, at)?;
        Ok(SlackResponseDto {
            ok: req(o, "ok", at)?,
            error: opt(o, "error", at)?,
            ts: opt(o, "ts", at)?,
            channel: opt(o, "channel", at)?,
            message: opt(o, "message", at)?,
            permalink: opt(o, "permalink", at)?,
            user: opt(o, "user", at)?,
            presence: opt(o, "presence", at)?,
            messages: opt(o, "messages", at)?,
            has_more: opt(o, "has_more", at)?,
        })
    }
}
