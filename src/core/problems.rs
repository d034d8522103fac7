//! Every problem text in one place: wrong settings, and failed Zendesk or Slack requests in
//! words a support engineer can act on (naming the setting to fix where there is one).
//!
//! Invariant: the words come from the [`Catalog`]; Slack error codes and HTTP details appear
//! only inside a translated sentence, never alone.
use super::locale::Intl;
use super::request::{Failure, Outcome, Reply};
use super::settings::{Expected, SettingProblem};
use super::slack::SlackResponseDto;
use super::text::digits;
use super::text::{Catalog, Key, PluralKey};
use super::view::Message;

/// Which service a failed request went to, for the wording of the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Zendesk,
    /// A Slack Web API method, such as `chat.postMessage`.
    Slack(&'static str),
}

/// Words for failures, bound to the catalog, the locale and the values they may name.
#[derive(Clone, Copy)]
pub struct Problems<'a> {
    pub catalog: &'a Catalog,
    pub intl: &'a dyn Intl,
    /// The configured emergency channel, named in channel errors.
    pub channel: &'a str,
    /// The email the ASE lookup asked Slack about, named when Slack knows no such user.
    pub email: &'a str,
}

impl Problems<'_> {
    /// The successful Slack answer, or the failure in words.
    pub fn slack_ok(
        &self,
        method: &'static str,
        reply: Outcome,
    ) -> Result<SlackResponseDto, Message> {
        match reply {
            Ok(Reply::Slack(r)) if r.ok => Ok(r),
            Ok(Reply::Slack(r)) => {
                let error = r.error.unwrap_or_default();
                Err(self.slack_error(method, &error, None))
            }
            Ok(_) => Err(self.decode(
                Service::Slack(method),
                k!("problems.detail.unexpected_answer"),
            )),
            Err(failure) => Err(self.failure(Service::Slack(method), &failure)),
        }
    }

    /// A Zendesk answer that was not the expected one, in words.
    pub fn zendesk(&self, reply: Outcome) -> Message {
        match reply {
            Ok(_) => self.decode(Service::Zendesk, k!("problems.detail.unexpected_answer")),
            Err(failure) => self.failure(Service::Zendesk, &failure),
        }
    }

    /// An answer of the wrong shape; `detail_key` names what was wrong.
    pub fn decode(&self, service: Service, detail_key: Key) -> Message {
        self.decode_detail(service, self.catalog.get(detail_key))
    }

    fn decode_detail(&self, service: Service, detail: String) -> Message {
        let (key, detail) = match service {
            Service::Zendesk => (k!("problems.zendesk.decode"), detail),
            Service::Slack(method) => (k!("problems.slack.decode"), format!("{method}: {detail}")),
        };
        Message::with_detail(self.catalog.get(key), detail)
    }

    /// A request that produced no usable answer, in words.
    pub fn failure(&self, service: Service, failure: &Failure) -> Message {
        let c = self.catalog;
        match (service, failure) {
            (_, Failure::Decode { detail }) => self.decode_detail(service, detail.clone()),
            (Service::Zendesk, Failure::Transport { detail }) => {
                Message::with_detail(c.get(k!("problems.zendesk.transport")), detail.as_str())
            }
            (Service::Slack(method), Failure::Transport { detail }) => Message::with_detail(
                c.get(k!("problems.slack.transport")),
                format!("{method}: {detail}"),
            ),
            (Service::Zendesk, Failure::Timeout { after_s }) => Message::with_detail(
                c.get(k!("problems.zendesk.timeout")),
                format!("no answer within {} s", digits(u64::from(*after_s), 0)),
            ),
            (Service::Slack(method), Failure::Timeout { after_s }) => Message::with_detail(
                c.get(k!("problems.slack.timeout")),
                format!(
                    "{method}: no answer within {} s",
                    digits(u64::from(*after_s), 0)
                ),
            ),
            (
                Service::Zendesk,
                Failure::Http {
                    status,
                    body,
                    retry_after_s,
                },
            ) => {
                let text = match (*status, retry_after_s) {
                    (401 | 403, _) => c.get(k!("problems.zendesk.forbidden")),
                    (404, _) => c.get(k!("problems.zendesk.not_found")),
                    (409, _) => c.get(k!("problems.zendesk.changed")),
                    (429, Some(seconds)) => {
                        self.retry_in(pk!("problems.zendesk.rate_limited"), *seconds)
                    }
                    (429, None) => c.get(k!("problems.zendesk.rate_limited_soon")),
                    (500..=599, _) => c.get(k!("problems.zendesk.server")),
                    _ => c.get(k!("problems.zendesk.refused")),
                };
                let error = zendesk_error_text(body);
                let status = digits(u64::from(*status), 0);
                let detail = match error.is_empty() {
                    true => format!("HTTP {status}"),
                    false => format!("HTTP {status}: {error}"),
                };
                Message::with_detail(text, detail)
            }
            (
                Service::Slack(method),
                Failure::Http {
                    status: 429,
                    retry_after_s,
                    ..
                },
            ) => self.slack_error(method, "ratelimited", *retry_after_s),
            (Service::Slack(method), Failure::Http { status, body, .. }) => {
                // A Slack error code (the body's `error`), or an HTML or text page.
                let error = body.trim();
                let code = error
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                match !error.is_empty() && code {
                    true => self.slack_error(method, error, None),
                    false => Message::with_detail(
                        c.get(k!("problems.slack.http_status")),
                        format!("{method}: HTTP {}", digits(u64::from(*status), 0)),
                    ),
                }
            }
        }
    }

    /// "… try again in 30 seconds", with the count's plural form.
    fn retry_in(&self, key: PluralKey, seconds: u32) -> String {
        let n = i64::from(seconds);
        let count = self.intl.number(n);
        self.catalog
            .render_plural(key, self.intl.plural(n), &[("count", &count)])
    }

    /// A Slack `error` code in words (SLACK.md §4), naming the setting to fix where there is
    /// one; the code itself goes to the detail.
    pub fn slack_error(&self, method: &str, error: &str, retry_after_s: Option<u32>) -> Message {
        let c = self.catalog;
        let channel = self.channel;
        let channel_setting = setting_label(c, "slack_channel_id");
        let text = match error {
            "users_not_found" | "user_not_found" => c.render(
                k!("problems.slack.users_not_found"),
                &[("email", self.email)],
            ),
            "invalid_auth" | "not_authed" | "token_revoked" | "token_expired"
            | "account_inactive" => c.render(
                k!("problems.slack.token"),
                &[("setting", &setting_label(c, "slack_bot_token"))],
            ),
            "channel_not_found" => c.render(
                k!("problems.slack.channel_not_found"),
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "not_in_channel" => c.render(
                k!("problems.slack.not_in_channel"),
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "is_archived" => c.render(
                k!("problems.slack.is_archived"),
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "missing_scope" => match needed_scope(method) {
                Some(scope) => c.render(k!("problems.slack.missing_scope"), &[("scope", scope)]),
                None => c.get(k!("problems.slack.missing_scope_any")),
            },
            "ratelimited" | "rate_limited" => match retry_after_s {
                Some(seconds) => self.retry_in(pk!("problems.slack.rate_limited"), seconds),
                None => c.get(k!("problems.slack.rate_limited_soon")),
            },
            "" => c.get(k!("problems.slack.no_error")),
            _ => c.get(k!("problems.slack.other")),
        };
        let code = if error.is_empty() { "?" } else { error };
        Message::with_detail(text, format!("{method}: {code}"))
    }
}

impl std::fmt::Debug for Problems<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Problems")
            .field("channel", &self.channel)
            .finish()
    }
}

/// The bot scope a Slack method needs (SLACK.md §3), for `missing_scope`.
fn needed_scope(method: &str) -> Option<&'static str> {
    match method {
        "users.lookupByEmail" => Some("users:read.email"),
        "users.getPresence" | "users.info" => Some("users:read"),
        "dnd.info" => Some("dnd:read"),
        "conversations.history" | "conversations.replies" => {
            Some("channels:history, groups:history")
        }
        "chat.postMessage" => Some("chat:write"),
        _ => None,
    }
}

// ---- Settings ----

/// The setting's label from the manifest translations, or its name when there is none.
pub fn setting_label(catalog: &Catalog, setting: &str) -> String {
    let key = match setting {
        "slack_bot_token" => k!("app.parameters.slack_bot_token.label"),
        "slack_channel_id" => k!("app.parameters.slack_channel_id.label"),
        "emergency_priorities" => k!("app.parameters.emergency_priorities.label"),
        "emergency_tags" => k!("app.parameters.emergency_tags.label"),
        "emergency_form_ids" => k!("app.parameters.emergency_form_ids.label"),
        "emergency_field_id" => k!("app.parameters.emergency_field_id.label"),
        "emergency_field_values" => k!("app.parameters.emergency_field_values.label"),
        "emergency_subject_words" => k!("app.parameters.emergency_subject_words.label"),
        "ase_org_field" => k!("app.parameters.ase_org_field.label"),
        "context_fields" => k!("app.parameters.context_fields.label"),
        "prep_note_tag" => k!("app.parameters.prep_note_tag.label"),
        "prep_lookback_days" => k!("app.parameters.prep_lookback_days.label"),
        "working_hours" => k!("app.parameters.working_hours.label"),
        "hide_when_not_emergency" => k!("app.parameters.hide_when_not_emergency.label"),
        _ => return setting.to_string(),
    };
    catalog.get(key)
}

/// The setting a problem is about.
pub fn problem_setting(problem: &SettingProblem) -> &'static str {
    match problem {
        SettingProblem::Missing { setting } | SettingProblem::Invalid { setting, .. } => setting,
    }
}

/// A setting problem in words, naming the setting by its label.
pub fn setting_problem(catalog: &Catalog, problem: &SettingProblem) -> String {
    match problem {
        SettingProblem::Missing { setting } => setting_missing(catalog, setting),
        SettingProblem::Invalid {
            setting,
            value,
            expected,
        } => catalog.render(
            k!("problems.setting_invalid"),
            &[
                ("setting", &setting_label(catalog, setting)),
                ("value", value),
                ("expected", &catalog.get(expected_key(expected))),
            ],
        ),
    }
}

/// "“Emergency Slack channel ID” is not set".
pub fn setting_missing(catalog: &Catalog, setting: &str) -> String {
    catalog.render(
        k!("problems.setting_missing"),
        &[("setting", &setting_label(catalog, setting))],
    )
}

fn expected_key(expected: &Expected) -> Key {
    match expected {
        Expected::ChannelId => k!("problems.expected.channel_id"),
        Expected::NumberList => k!("problems.expected.number_list"),
        Expected::Number => k!("problems.expected.number"),
        Expected::WorkingHours => k!("problems.expected.working_hours"),
        Expected::FieldKey => k!("problems.expected.field_key"),
        Expected::Priorities => k!("problems.expected.priorities"),
        Expected::Checkbox => k!("problems.expected.checkbox"),
        Expected::Tag => k!("problems.expected.tag"),
        Expected::Days => k!("problems.expected.days"),
    }
}

/// No emergency rule is configured: names every setting that could hold one.
pub fn no_rules(catalog: &Catalog, intl: &dyn Intl) -> String {
    let mut labels = Vec::new();
    for setting in [
        "emergency_priorities",
        "emergency_tags",
        "emergency_form_ids",
        "emergency_field_id",
        "emergency_subject_words",
    ] {
        let label = setting_label(catalog, setting);
        labels.push(catalog.render(k!("problems.quoted"), &[("text", &label)]));
    }
    catalog.render(
        k!("problems.no_rules"),
        &[("settings", &intl.or_list(&labels))],
    )
}

// ---- Error bodies ----

/// The readable part of a Zendesk error body (the shell has taken it out of a JSON error); a
/// JSON or HTML body it could not read is left out, any other text is shown trimmed.
fn zendesk_error_text(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('<') {
        String::new()
    } else {
        super::text::first_chars(trimmed, 200).to_string()
    }
}
