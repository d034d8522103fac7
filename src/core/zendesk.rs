//! Zendesk wire types: what ZAF `client.get` returns and what the REST API sends and accepts.
//! Only the fields the app reads are declared; unknown fields are ignored on decode.
use super::map::SmallMap;
use serde::{Deserialize, Serialize};

/// A custom field value as Zendesk sends it: text, number, checkbox, a multi-select's option
/// values, or unset.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum FieldValueDto {
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
    Null,
}

// ---- ZAF data API (client.get) ----

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ZafUserDto {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The name end users see instead of `name`, when the agent set one.
    #[serde(default)]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ZafOrganizationDto {
    pub id: u64,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ZafFormDto {
    #[serde(default)]
    pub id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ZafAssigneeDto {
    #[serde(default)]
    pub user: Option<ZafUserDto>,
}

/// `client.get('ticket')` in the ticket sidebar (camelCase, as ZAF sends it).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ZafTicketDto {
    pub id: u64,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub form: Option<ZafFormDto>,
    #[serde(default)]
    pub organization: Option<ZafOrganizationDto>,
    #[serde(default)]
    pub assignee: Option<ZafAssigneeDto>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

// ---- REST API ----

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationDto {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub organization_fields: SmallMap<FieldValueDto>,
}

/// One organization field's definition (`GET /api/v2/organization_fields`): its key, its
/// title, and for a dropdown the names of its values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationFieldDto {
    pub key: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub custom_field_options: Vec<FieldOptionDto>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FieldOptionDto {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// `GET /api/v2/organization_fields` (offset pages, `next_page` absolute or null).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationFieldsResponseDto {
    pub organization_fields: Vec<OrganizationFieldDto>,
    #[serde(default)]
    pub next_page: Option<String>,
}

/// `GET /api/v2/organizations/{id}`
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationResponseDto {
    pub organization: OrganizationDto,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CommentDto {
    pub id: u64,
    #[serde(default)]
    pub author_id: u64,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    pub created_at: String,
}

/// A user side-loaded with `include=users`: who wrote a comment.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ZendeskUserDto {
    pub id: u64,
    /// `end-user`, `agent` or `admin`.
    #[serde(default)]
    pub role: String,
}

/// Cursor pagination's `meta` (`page[size]`, `page[after]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct CursorMetaDto {
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub after_cursor: Option<String>,
}

/// `GET /api/v2/tickets/{id}/comments`
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct CommentsResponseDto {
    pub comments: Vec<CommentDto>,
    #[serde(default)]
    pub next_page: Option<String>,
    /// The comments' authors (`include=users`).
    #[serde(default)]
    pub users: Vec<ZendeskUserDto>,
    /// Present with cursor pagination.
    #[serde(default)]
    pub meta: Option<CursorMetaDto>,
}

impl CommentsResponseDto {
    /// The cursor of the next page, when there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        let meta = self.meta.as_ref().filter(|m| m.has_more)?;
        meta.after_cursor.as_deref().filter(|c| !c.is_empty())
    }

    /// Whether comment author `id` is staff (an agent or an admin), as the side-loaded users say.
    pub fn by_staff(&self, id: u64) -> bool {
        self.users
            .iter()
            .any(|u| u.id == id && matches!(u.role.as_str(), "agent" | "admin"))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketDto {
    pub id: u64,
    #[serde(default)]
    pub updated_at: String,
    /// The ticket's tags, where the ping's claim lives (`claim.rs`).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `GET /api/v2/tickets/{id}` and the answer to `PUT /api/v2/tickets/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketResponseDto {
    pub ticket: TicketDto,
}

/// Zendesk's error body: `{"error":"RecordNotFound","description":"Not found"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ZendeskErrorDto {
    #[serde(default)]
    pub error: Option<serde_error::ErrorField>,
    #[serde(default)]
    pub description: Option<String>,
}

pub mod serde_error {
    use serde::Deserialize;
    /// `error` is a string for most errors and an object (`{title, message}`) for some.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[serde(untagged)]
    pub enum ErrorField {
        Code(String),
        Object {
            title: Option<String>,
            message: Option<String>,
        },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentInputDto {
    pub body: String,
    pub public: bool,
}

/// The parts of a ticket the app updates: an internal note and/or the claim tags, guarded by
/// Zendesk's safe update when `safe_update` (an unguarded update sends neither field).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TicketUpdateInnerDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<CommentInputDto>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_tags: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub safe_update: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub updated_stamp: String,
}

/// `PUT /api/v2/tickets/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketUpdateDto {
    pub ticket: TicketUpdateInnerDto,
}

/// One result of `GET /api/v2/search` for `type:ticket` (a ticket with `result_type`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SearchResultDto {
    pub id: u64,
    #[serde(default)]
    pub subject: Option<String>,
}

/// `GET /api/v2/search` (offset pages; at most 1,000 results).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SearchResponseDto {
    pub results: Vec<SearchResultDto>,
    #[serde(default)]
    pub next_page: Option<String>,
}
