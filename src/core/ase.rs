//! The Assigned Support Engineer (ASE): reading their email from the organization, and who
//! the person looking at the sidebar is in the emergency workflow (ASE, DRI, both, neither).
//!
//! Invariant: emails are compared case-insensitively; a value that is not a plausible single
//! email address is reported as [`AseLookup::Invalid`], never used.
use super::zendesk::{FieldValueDto, OrganizationDto, ZafUserDto};

/// The organization's ASE email, as far as the org field tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AseLookup {
    /// Trimmed and lowercased.
    Email(String),
    /// The field is absent, null or blank: the organization has no ASE.
    NotSet,
    /// The field holds something that is not one email address (as written, trimmed).
    Invalid { value: String },
}

/// The ASE email in the organization field `field_key`; `lower` is Unicode lowercasing.
pub fn ase_email(
    org: &OrganizationDto,
    field_key: &str,
    lower: &dyn Fn(&str) -> String,
) -> AseLookup {
    let raw = match org.organization_fields.get(field_key.trim()) {
        None | Some(FieldValueDto::Null) => return AseLookup::NotSet,
        Some(FieldValueDto::Text(s)) => s.trim().to_string(),
        Some(FieldValueDto::Bool(b)) => {
            return AseLookup::Invalid {
                value: b.to_string(),
            }
        }
        Some(FieldValueDto::Number(n)) => {
            return AseLookup::Invalid {
                value: crate::core::text::number_text(*n),
            }
        }
        Some(FieldValueDto::List(values)) if values.is_empty() => return AseLookup::NotSet,
        Some(FieldValueDto::List(values)) => {
            let mut items = Vec::new();
            for v in values {
                items.push(v.as_str());
            }
            return AseLookup::Invalid {
                value: crate::core::text::join(&items, ", "),
            };
        }
    };
    if raw.is_empty() {
        return AseLookup::NotSet;
    }
    // People paste links from mail clients; "mailto:" adds nothing.
    let email = match raw.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => {
            raw.get(7..).unwrap_or_default().trim()
        }
        _ => raw.as_str(),
    };
    if is_plausible_email(email) {
        AseLookup::Email(lower(email))
    } else {
        AseLookup::Invalid { value: raw }
    }
}

/// One `@`, a non-empty local part, and a dotted domain without empty labels; no spaces,
/// control characters or address-list punctuation (`<>,;:"()[]\`).
pub fn is_plausible_email(s: &str) -> bool {
    if s.len() > 254
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || is_list_punctuation(c))
    {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    // Byte tests: `str::contains` carries a substring searcher (about 2 KB of the bundle)
    // whenever the optimiser keeps it out of line.
    !local.is_empty()
        && !domain.bytes().any(|b| b == b'@')
        && domain.bytes().any(|b| b == b'.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// `<>,;:"()[]\`: what separates or decorates addresses in a list, never part of one.
fn is_list_punctuation(c: char) -> bool {
    matches!(
        c,
        '<' | '>' | ',' | ';' | ':' | '"' | '(' | ')' | '[' | ']' | '\\'
    )
}

/// Who the viewer is in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerRole {
    /// The organization's ASE.
    Ase,
    /// The ticket assignee: the on-call engineer who owns the emergency.
    Dri,
    AseAndDri,
    Other,
}

/// The viewer's role: ASE when their email equals `ase_email` (case-insensitive through
/// `lower`, Unicode lowercasing), DRI when they are the ticket's assignee.
pub fn viewer_role(
    viewer: &ZafUserDto,
    ase_email: Option<&str>,
    assignee_id: Option<u64>,
    lower: &dyn Fn(&str) -> String,
) -> ViewerRole {
    let same_email = |a: &str, b: &str| {
        let (a, b) = (a.trim(), b.trim());
        !a.is_empty() && lower(a) == lower(b)
    };
    let is_ase = match (viewer.email.as_deref(), ase_email) {
        (Some(mine), Some(ase)) => same_email(mine, ase),
        _ => false,
    };
    let is_dri = assignee_id == Some(viewer.id);
    match (is_ase, is_dri) {
        (true, true) => ViewerRole::AseAndDri,
        (true, false) => ViewerRole::Ase,
        (false, true) => ViewerRole::Dri,
        (false, false) => ViewerRole::Other,
    }
}
