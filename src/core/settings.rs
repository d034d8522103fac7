//! The app's settings (manifest parameters), parsed with diagnostics that name the setting.
//!
//! This module owns the meaning of every manifest parameter except the secure
//! `slack_bot_token`, which the app never sees. [`parse_settings`] never fails and never
//! panics: a bad setting falls back to its manifest default (or to "no rule") and is
//! reported as a [`SettingProblem`]. A setting absent from the map (or null) takes the
//! manifest default; a present value is always validated.
use super::availability::WorkingHours;
use super::detection::{FieldRule, Rules};
use super::map::SmallMap;
use serde::Deserialize;

/// A setting value as ZAF delivers it in `metadata.settings`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum SettingValue {
    Bool(bool),
    Number(f64),
    Text(String),
    Null,
}

/// `metadata.settings`: parameter name → value.
pub type RawSettings = SmallMap<SettingValue>;

/// Manifest parameter names (see manifest.json).
pub mod names {
    pub const SLACK_CHANNEL_ID: &str = "slack_channel_id";
    pub const EMERGENCY_PRIORITIES: &str = "emergency_priorities";
    pub const EMERGENCY_TAGS: &str = "emergency_tags";
    pub const EMERGENCY_FORM_IDS: &str = "emergency_form_ids";
    pub const EMERGENCY_FIELD_ID: &str = "emergency_field_id";
    pub const EMERGENCY_FIELD_VALUES: &str = "emergency_field_values";
    pub const EMERGENCY_SUBJECT_WORDS: &str = "emergency_subject_words";
    /// The name `emergency_subject_words` had before 0.2.0. Zendesk's validator warns about
    /// non-secure settings whose name contains "key"; installed apps may still hold it.
    pub const EMERGENCY_KEYWORDS_OLD: &str = "emergency_keywords";
    pub const ASE_ORG_FIELD: &str = "ase_org_field";
    pub const CONTEXT_FIELDS: &str = "context_fields";
    pub const PREP_NOTE_TAG: &str = "prep_note_tag";
    pub const PREP_LOOKBACK_DAYS: &str = "prep_lookback_days";
    pub const WORKING_HOURS: &str = "working_hours";
    pub const HIDE_WHEN_NOT_EMERGENCY: &str = "hide_when_not_emergency";
}

/// Manifest defaults, as the manifest writes them.
mod defaults {
    pub const EMERGENCY_PRIORITIES: &str = "urgent";
    pub const EMERGENCY_TAGS: &str = "emergency";
    pub const ASE_ORG_FIELD: &str = "ase_email";
    pub const PREP_NOTE_TAG: &str = "ase_prep_note";
    pub const PREP_LOOKBACK_DAYS: i64 = 14;
    pub const HIDE_WHEN_NOT_EMERGENCY: bool = true;
}

/// The ticket priorities Zendesk knows.
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

/// The longest look-back of the prep-notes finder, in days.
pub const MAX_LOOKBACK_DAYS: i64 = 90;

/// Longest problem value kept, in characters; longer untrusted text is cut with "…".
const MAX_PROBLEM_VALUE_CHARS: usize = 80;

/// The settings the app runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The emergency Slack channel; empty when missing or invalid (a problem says so).
    pub channel_id: String,
    pub rules: Rules,
    /// Organization field key holding the ASE's email.
    pub ase_org_field: String,
    /// Keys of the organization fields shown as account context (N1), in the admin's order.
    pub context_fields: Vec<String>,
    /// The tag of tickets that hold prep notes (N2, N3).
    pub prep_tag: String,
    /// How many days back the prep-notes finder searches, 1 to [`MAX_LOOKBACK_DAYS`].
    pub prep_lookback_days: i64,
    pub working_hours: WorkingHours,
    pub hide_when_not_emergency: bool,
}

/// Something wrong with one setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingProblem {
    /// A setting the app needs is not set (`setting` is the manifest parameter name).
    Missing { setting: &'static str },
    /// The value does not have the expected form; `value` is the offending text (for lists,
    /// the offending entries joined by ", "), at most 80 characters.
    Invalid {
        setting: &'static str,
        value: String,
        expected: Expected,
    },
}

/// The form a setting value should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A Slack channel id: `C` or `G` then 8 or more uppercase letters or digits.
    ChannelId,
    /// Comma-separated whole numbers.
    NumberList,
    /// A whole number (a field id; `custom_field_<id>` is accepted too).
    Number,
    /// `"Mon-Fri 09:00-17:00"`.
    WorkingHours,
    /// An organization field key: letters, digits, `_` or `-`.
    FieldKey,
    /// Comma-separated ticket priorities: low, normal, high, urgent.
    Priorities,
    /// true or false.
    Checkbox,
    /// A ticket tag: letters, digits, `_` or `-`.
    Tag,
    /// A whole number of days, 1 to 90.
    Days,
}

impl Expected {
    /// Stable snake_case name, for translation keys.
    pub fn key(self) -> &'static str {
        match self {
            Expected::ChannelId => "channel_id",
            Expected::NumberList => "number_list",
            Expected::Number => "number",
            Expected::WorkingHours => "working_hours",
            Expected::FieldKey => "field_key",
            Expected::Priorities => "priorities",
            Expected::Checkbox => "checkbox",
            Expected::Tag => "tag",
            Expected::Days => "days",
        }
    }
}

/// Reads every setting; never fails. See the module doc for the fallback rules.
pub fn parse_settings(raw: &RawSettings) -> (Settings, Vec<SettingProblem>) {
    let mut problems = Vec::new();

    let channel_id = match text(raw, names::SLACK_CHANNEL_ID).map(|s| s.trim().to_string()) {
        None => String::new(),
        Some(id) if id.is_empty() => String::new(),
        Some(id) if is_channel_id(&id) => id,
        Some(id) => {
            invalid(
                &mut problems,
                names::SLACK_CHANNEL_ID,
                &id,
                Expected::ChannelId,
            );
            String::new()
        }
    };

    let priorities = {
        let given = list_or(
            raw,
            names::EMERGENCY_PRIORITIES,
            defaults::EMERGENCY_PRIORITIES,
        );
        // Priorities are ASCII words, so ASCII folding is exact here. (Push loops here and
        // below: each `collect` over its own iterator type is its own copy in the bundle.)
        let mut lowered = Vec::new();
        let mut bad = Vec::new();
        for given in &given {
            let priority = given.to_ascii_lowercase();
            if !PRIORITIES.contains(&priority.as_str()) {
                bad.push(given.as_str());
            }
            lowered.push(priority);
        }
        if bad.is_empty() {
            lowered
        } else {
            invalid(
                &mut problems,
                names::EMERGENCY_PRIORITIES,
                &commas(&bad),
                Expected::Priorities,
            );
            split_list(defaults::EMERGENCY_PRIORITIES)
        }
    };

    let tags = list_or(raw, names::EMERGENCY_TAGS, defaults::EMERGENCY_TAGS);

    let form_ids = {
        let given = list_or(raw, names::EMERGENCY_FORM_IDS, "");
        let mut ids = Vec::new();
        let mut bad = Vec::new();
        for given in &given {
            match whole_number(given) {
                Some(id) => ids.push(id),
                None => bad.push(given.as_str()),
            }
        }
        if bad.is_empty() {
            ids
        } else {
            invalid(
                &mut problems,
                names::EMERGENCY_FORM_IDS,
                &commas(&bad),
                Expected::NumberList,
            );
            Vec::new()
        }
    };

    let field_values = list_or(raw, names::EMERGENCY_FIELD_VALUES, "");
    let field = match text(raw, names::EMERGENCY_FIELD_ID).map(|s| s.trim().to_string()) {
        Some(id) if !id.is_empty() => match field_id(&id) {
            Some(field_id) => Some(FieldRule {
                field_id,
                values: field_values,
            }),
            None => {
                invalid(
                    &mut problems,
                    names::EMERGENCY_FIELD_ID,
                    &id,
                    Expected::Number,
                );
                None
            }
        },
        _ => {
            // Values without a field cannot match anything: say which setting is missing.
            if !field_values.is_empty() {
                problems.push(SettingProblem::Missing {
                    setting: names::EMERGENCY_FIELD_ID,
                });
            }
            None
        }
    };

    // The new name wins once it holds anything; until an admin saves the settings again, an
    // installed app still has its words under the old name.
    let keywords = match list_or(raw, names::EMERGENCY_SUBJECT_WORDS, "") {
        words if words.is_empty() => list_or(raw, names::EMERGENCY_KEYWORDS_OLD, ""),
        words => words,
    };

    let ase_org_field = match text(raw, names::ASE_ORG_FIELD).map(|s| s.trim().to_string()) {
        None => defaults::ASE_ORG_FIELD.to_string(),
        Some(key) if is_field_key(&key) => key,
        Some(key) => {
            invalid(
                &mut problems,
                names::ASE_ORG_FIELD,
                &key,
                Expected::FieldKey,
            );
            defaults::ASE_ORG_FIELD.to_string()
        }
    };

    let context_fields = {
        let given = list_or(raw, names::CONTEXT_FIELDS, "");
        let mut keys = Vec::new();
        let mut bad = Vec::new();
        for key in &given {
            match is_field_key(key) {
                // A key listed twice shows once.
                true if keys.contains(key) => {}
                true => keys.push(key.clone()),
                false => bad.push(key.as_str()),
            }
        }
        if !bad.is_empty() {
            let bad = commas(&bad);
            invalid(
                &mut problems,
                names::CONTEXT_FIELDS,
                &bad,
                Expected::FieldKey,
            );
        }
        keys
    };

    // A Zendesk tag: no spaces (Zendesk splits on them) and nothing a search query would read
    // as syntax; the field key rule (letters, digits, `_`, `-`) is that.
    let prep_tag = match text(raw, names::PREP_NOTE_TAG).map(|s| s.trim().to_ascii_lowercase()) {
        Some(tag) if is_field_key(&tag) => tag,
        Some(tag) if !tag.is_empty() => {
            invalid(&mut problems, names::PREP_NOTE_TAG, &tag, Expected::Tag);
            defaults::PREP_NOTE_TAG.to_string()
        }
        _ => defaults::PREP_NOTE_TAG.to_string(),
    };

    // A cleared number setting may arrive as empty text: the default, as for the tag.
    let prep_lookback_days =
        match text(raw, names::PREP_LOOKBACK_DAYS).filter(|s| !s.trim().is_empty()) {
            None => defaults::PREP_LOOKBACK_DAYS,
            Some(s) => match super::text::whole_number(s.trim()) {
                Some(days @ 1..=90) => days as i64, // MAX_LOOKBACK_DAYS
                _ => {
                    invalid(
                        &mut problems,
                        names::PREP_LOOKBACK_DAYS,
                        s.trim(),
                        Expected::Days,
                    );
                    defaults::PREP_LOOKBACK_DAYS
                }
            },
        };

    let working_hours = match text(raw, names::WORKING_HOURS) {
        None => WorkingHours::default(),
        Some(s) => WorkingHours::parse(&s).unwrap_or_else(|_| {
            invalid(
                &mut problems,
                names::WORKING_HOURS,
                s.trim(),
                Expected::WorkingHours,
            );
            WorkingHours::default()
        }),
    };

    let hide_when_not_emergency = match raw.get(names::HIDE_WHEN_NOT_EMERGENCY) {
        None | Some(SettingValue::Null) => defaults::HIDE_WHEN_NOT_EMERGENCY,
        Some(SettingValue::Bool(b)) => *b,
        Some(other) => {
            let s = value_text(other).unwrap_or_default();
            match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    invalid(
                        &mut problems,
                        names::HIDE_WHEN_NOT_EMERGENCY,
                        s.trim(),
                        Expected::Checkbox,
                    );
                    defaults::HIDE_WHEN_NOT_EMERGENCY
                }
            }
        }
    };

    // Missing channel is reported first: it is the one problem that stops pings entirely.
    if channel_id.is_empty()
        && !problems
            .iter()
            .any(|p| is_about(p, names::SLACK_CHANNEL_ID))
    {
        problems.insert(
            0,
            SettingProblem::Missing {
                setting: names::SLACK_CHANNEL_ID,
            },
        );
    }

    let settings = Settings {
        channel_id,
        rules: Rules {
            priorities,
            tags,
            form_ids,
            field,
            keywords,
        },
        ase_org_field,
        context_fields,
        prep_tag,
        prep_lookback_days,
        working_hours,
        hide_when_not_emergency,
    };
    (settings, problems)
}

fn invalid(
    problems: &mut Vec<SettingProblem>,
    setting: &'static str,
    value: &str,
    expected: Expected,
) {
    problems.push(SettingProblem::Invalid {
        setting,
        value: clip(value),
        expected,
    });
}

fn is_about(problem: &SettingProblem, name: &str) -> bool {
    match problem {
        SettingProblem::Missing { setting } | SettingProblem::Invalid { setting, .. } => {
            *setting == name
        }
    }
}

/// The setting as text; `None` when absent or null. Numbers that are whole print without a
/// fraction (`360001234`, not `360001234.0`).
fn text(raw: &RawSettings, name: &str) -> Option<String> {
    raw.get(name).and_then(value_text)
}

fn value_text(value: &SettingValue) -> Option<String> {
    match value {
        SettingValue::Null => None,
        SettingValue::Text(s) => Some(s.clone()),
        SettingValue::Bool(b) => Some(b.to_string()),
        SettingValue::Number(n) => Some(crate::core::text::number_text(*n)),
    }
}

/// The comma list in setting `name`, or in `default` when the setting is absent.
fn list_or(raw: &RawSettings, name: &str, default: &str) -> Vec<String> {
    split_list(&text(raw, name).unwrap_or_else(|| default.to_string()))
}

/// Comma-separated entries, trimmed, empties dropped.
fn split_list(s: &str) -> Vec<String> {
    let mut entries = Vec::new();
    for entry in s.split(',').map(str::trim) {
        if !entry.is_empty() {
            entries.push(entry.to_string());
        }
    }
    entries
}

use super::text::whole_number;

/// A custom field id: `123` or `custom_field_123`, and not 0.
fn field_id(s: &str) -> Option<u64> {
    let digits = match s.get(..13) {
        Some(prefix) if prefix.eq_ignore_ascii_case("custom_field_") => s.get(13..)?,
        _ => s,
    };
    whole_number(digits).filter(|&id| id != 0)
}

/// `^[CG][A-Z0-9]{8,}$`
fn is_channel_id(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'C' | b'G'))
        && b.len() >= 9
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Letters, digits, `_` and `-`, at most 128 characters.
fn is_field_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The offending entries of a comma-separated setting, in the setting's own grammar.
fn commas(items: &[&str]) -> String {
    crate::core::text::join(items, ", ")
}

/// Untrusted text cut to a displayable length.
fn clip(s: &str) -> String {
    crate::core::text::clip(s, MAX_PROBLEM_VALUE_CHARS)
}
