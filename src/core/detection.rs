//! Emergency detection: which configured rules a ticket matches, and why.
//!
//! The rules come from the settings ([`crate::core::settings`]); the ticket facts from ZAF.
//! A ticket is an emergency when any rule matches ([`detect`] returns at least one reason).
//!
//! Invariants: matching is case-insensitive (Unicode lowercase) for priorities, tags, field
//! values and keywords; keywords match whole words or phrases only, so "down" never matches
//! "download"; a reason names the configured rule entry that matched, so an admin recognises
//! their own setting.
use super::locale::Intl;

/// The configured emergency rules; an empty list (or `None`) is "no rule of that kind".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    /// Ticket priorities (low, normal, high, urgent).
    pub priorities: Vec<String>,
    pub tags: Vec<String>,
    pub form_ids: Vec<u64>,
    pub field: Option<FieldRule>,
    /// Words or phrases to find in the ticket subject.
    pub keywords: Vec<String>,
}

impl Rules {
    /// True when no rule is configured, so no ticket can ever be an emergency.
    pub fn is_empty(&self) -> bool {
        self.priorities.is_empty()
            && self.tags.is_empty()
            && self.form_ids.is_empty()
            && self.field.is_none()
            && self.keywords.is_empty()
    }
}

/// A custom ticket field whose value marks an emergency.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRule {
    pub field_id: u64,
    /// Values that mark an emergency. Empty means "the field is set": any value other than
    /// empty, `false` or `0` matches (what a checkbox field needs).
    pub values: Vec<String>,
}

/// What detection needs to know about a ticket.
#[derive(Debug, Clone, Copy)]
pub struct TicketFacts<'a> {
    pub priority: Option<&'a str>,
    pub tags: &'a [String],
    pub form_id: Option<u64>,
    pub subject: &'a str,
    /// Value of the rule's custom field (stringified: checkbox → "true"/"false").
    pub field_value: Option<&'a str>,
}

/// One reason a ticket is an emergency. Text carries the configured rule entry that matched,
/// except [`MatchReason::Field`] with an empty value list, which carries the ticket's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchReason {
    Priority(String),
    Tag(String),
    Form(u64),
    Field { field_id: u64, value: String },
    Keyword(String),
}

/// Every rule the ticket matches, in the order priority, form, tags, field, keywords (each
/// kind in the order the rules list them, without duplicates). Empty: not an emergency.
/// Case folding and word splitting come from the locale port (the browser's Unicode data).
pub fn detect(rules: &Rules, ticket: &TicketFacts, intl: &dyn Intl) -> Vec<MatchReason> {
    let mut reasons = Vec::new();
    let fold = |s: &str| intl.lower(s.trim());
    let words = |s: &str| intl.words(s);

    if let Some(priority) = ticket.priority.map(fold) {
        if let Some(rule) = rules.priorities.iter().find(|p| fold(p) == priority) {
            reasons.push(MatchReason::Priority(rule.trim().to_string()));
        }
    }

    if let Some(form_id) = ticket.form_id {
        if rules.form_ids.contains(&form_id) {
            reasons.push(MatchReason::Form(form_id));
        }
    }

    let mut ticket_tags = Vec::new();
    for tag in ticket.tags {
        ticket_tags.push(fold(tag));
    }
    let mut seen_tags: Vec<String> = Vec::new();
    for rule in &rules.tags {
        let key = fold(rule);
        if !key.is_empty() && !seen_tags.contains(&key) && ticket_tags.contains(&key) {
            reasons.push(MatchReason::Tag(rule.trim().to_string()));
            seen_tags.push(key);
        }
    }

    if let (Some(field), Some(value)) = (&rules.field, ticket.field_value) {
        let folded = fold(value);
        let matched = if field.values.is_empty() {
            let set = !folded.is_empty() && folded != "false" && folded != "0";
            set.then(|| value.trim().to_string())
        } else {
            field
                .values
                .iter()
                .find(|v| fold(v) == folded)
                .map(|v| v.trim().to_string())
        };
        if let Some(value) = matched {
            reasons.push(MatchReason::Field {
                field_id: field.field_id,
                value,
            });
        }
    }

    let subject_words = words(ticket.subject);
    let mut seen_keywords: Vec<Vec<String>> = Vec::new();
    for keyword in &rules.keywords {
        let phrase = words(keyword);
        if phrase.is_empty() || seen_keywords.contains(&phrase) {
            continue;
        }
        if subject_words
            .windows(phrase.len())
            .any(|w| w == phrase.as_slice())
        {
            reasons.push(MatchReason::Keyword(keyword.trim().to_string()));
            seen_keywords.push(phrase);
        }
    }

    reasons
}
