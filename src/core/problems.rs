//! Every problem text in one place: wrong settings, and failed Zendesk or Slack requests in
//! words a support engineer can act on (naming the setting to fix where there is one).
//!
//! Invariant: the words come from the [`Catalog`]; Slack error codes and HTTP details appear
//! only inside a translated sentence, never alone.
use super::request::{Failure, Outcome, Reply};
use super::settings::{Expected, SettingProblem};
use super::slack::SlackResponseDto;
use super::text::Catalog;

/// Which service a failed request went to, for the wording of the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Zendesk,
    /// A Slack Web API method, such as `chat.postMessage`.
    Slack(&'static str),
}

/// Words for failures, bound to the catalog and the configured channel they may name.
#[derive(Debug, Clone, Copy)]
pub struct Problems<'a> {
    pub catalog: &'a Catalog,
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
    ) -> Result<SlackResponseDto, String> {
        match reply {
            Ok(Reply::Slack(r)) if r.ok => Ok(r),
            Ok(Reply::Slack(r)) => {
                let error = r.error.unwrap_or_default();
                Err(self.slack_error(method, &error, None))
            }
            Ok(_) => Err(self.decode(Service::Slack(method), "problems.detail.unexpected_answer")),
            Err(failure) => Err(self.failure(Service::Slack(method), &failure)),
        }
    }

    /// A Zendesk answer that was not the expected one, in words.
    pub fn zendesk(&self, reply: Outcome) -> String {
        match reply {
            Ok(_) => self.decode(Service::Zendesk, "problems.detail.unexpected_answer"),
            Err(failure) => self.failure(Service::Zendesk, &failure),
        }
    }

    /// An answer of the wrong shape; `detail_key` names what was wrong.
    pub fn decode(&self, service: Service, detail_key: &str) -> String {
        self.decode_detail(service, &self.catalog.get(detail_key))
    }

    fn decode_detail(&self, service: Service, detail: &str) -> String {
        let key = match service {
            Service::Zendesk => "problems.zendesk.decode",
            Service::Slack(_) => "problems.slack.decode",
        };
        self.catalog.render(key, &[("detail", detail)])
    }

    /// A request that produced no usable answer, in words.
    pub fn failure(&self, service: Service, failure: &Failure) -> String {
        let c = self.catalog;
        match (service, failure) {
            (_, Failure::Decode { detail }) => self.decode_detail(service, detail),
            (Service::Zendesk, Failure::Transport { detail }) => {
                c.render("problems.zendesk.transport", &[("detail", detail)])
            }
            (Service::Slack(_), Failure::Transport { detail }) => {
                c.render("problems.slack.transport", &[("detail", detail)])
            }
            (Service::Zendesk, Failure::Http { status, body, .. }) => {
                let error = zendesk_error_text(body);
                let status = status.to_string();
                if error.is_empty() {
                    c.render("problems.zendesk.http_status", &[("status", &status)])
                } else {
                    c.render(
                        "problems.zendesk.http",
                        &[("status", &status), ("error", &error)],
                    )
                }
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
                match json_string_field(body, "error").filter(|e| !e.is_empty()) {
                    Some(error) => self.slack_error(method, &error, None),
                    None => c.render(
                        "problems.slack.http_status",
                        &[("status", &status.to_string())],
                    ),
                }
            }
        }
    }

    /// A Slack `error` code in words (SLACK.md §4), naming the setting to fix where there is one.
    pub fn slack_error(&self, method: &str, error: &str, retry_after_s: Option<u32>) -> String {
        let c = self.catalog;
        let channel = self.channel;
        let channel_setting = setting_label(c, "slack_channel_id");
        match error {
            "users_not_found" | "user_not_found" => {
                c.render("problems.slack.users_not_found", &[("email", self.email)])
            }
            "invalid_auth" | "not_authed" | "token_revoked" | "token_expired"
            | "account_inactive" => c.render(
                "problems.slack.token",
                &[
                    ("setting", &setting_label(c, "slack_bot_token")),
                    ("error", error),
                ],
            ),
            "channel_not_found" => c.render(
                "problems.slack.channel_not_found",
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "not_in_channel" => c.render(
                "problems.slack.not_in_channel",
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "is_archived" => c.render(
                "problems.slack.is_archived",
                &[("setting", &channel_setting), ("channel", channel)],
            ),
            "missing_scope" => match needed_scope(method) {
                Some(scope) => c.render(
                    "problems.slack.missing_scope",
                    &[("scope", scope), ("method", method)],
                ),
                None => c.render("problems.slack.missing_scope_any", &[("method", method)]),
            },
            "ratelimited" | "rate_limited" => match retry_after_s {
                Some(seconds) => c.render(
                    "problems.slack.rate_limited",
                    &[("seconds", &seconds.to_string())],
                ),
                None => c.get("problems.slack.rate_limited_soon"),
            },
            "" => c.get("problems.slack.no_error"),
            other => c.render("problems.slack.other", &[("error", other)]),
        }
    }
}

/// The bot scope a Slack method needs (SLACK.md §3), for `missing_scope`.
fn needed_scope(method: &str) -> Option<&'static str> {
    match method {
        "users.lookupByEmail" => Some("users:read.email"),
        "users.getPresence" | "users.info" => Some("users:read"),
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
    let key = format!("app.parameters.{setting}.label");
    if catalog.contains(&key) {
        catalog.get(&key)
    } else {
        setting.to_string()
    }
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
            "problems.setting_invalid",
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
        "problems.setting_missing",
        &[("setting", &setting_label(catalog, setting))],
    )
}

fn expected_key(expected: &Expected) -> &'static str {
    match expected {
        Expected::ChannelId => "problems.expected.channel_id",
        Expected::NumberList => "problems.expected.number_list",
        Expected::Number => "problems.expected.number",
        Expected::WorkingHours => "problems.expected.working_hours",
        Expected::FieldKey => "problems.expected.field_key",
        Expected::Priorities => "problems.expected.priorities",
        Expected::Checkbox => "problems.expected.checkbox",
    }
}

/// No emergency rule is configured: names every setting that could hold one.
pub fn no_rules(catalog: &Catalog) -> String {
    let labels: Vec<String> = [
        "emergency_priorities",
        "emergency_tags",
        "emergency_form_ids",
        "emergency_field_id",
        "emergency_keywords",
    ]
    .iter()
    .map(|s| format!("“{}”", setting_label(catalog, s)))
    .collect();
    catalog.render("problems.no_rules", &[("settings", &labels.join(", "))])
}

// ---- Error bodies ----

/// The readable part of a Zendesk error body (`description`, `message` or `error`), without a
/// JSON parser: the core carries none, and a body that is not JSON is shown trimmed instead.
fn zendesk_error_text(body: &str) -> String {
    ["description", "message", "error", "title"]
        .iter()
        .find_map(|field| json_string_field(body, field).filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| {
            let trimmed = body.trim();
            if trimmed.starts_with('{') || trimmed.starts_with('<') {
                String::new()
            } else {
                trimmed.chars().take(200).collect()
            }
        })
}

/// The first string value of `"field": "..."` in a JSON text, unescaped; `None` when absent or
/// not a string.
fn json_string_field(body: &str, field: &str) -> Option<String> {
    let pattern = format!("\"{field}\"");
    let start = body.find(&pattern)? + pattern.len();
    let rest = body
        .get(start..)?
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' | 'r' | 't' => out.push(' '),
                'u' => {
                    let code: String = chars.by_ref().take(4).collect();
                    let c = u32::from_str_radix(&code, 16).ok().and_then(char::from_u32);
                    out.push(c.unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}
