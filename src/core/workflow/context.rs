//! The account's context (N1): the organization's notes and details and the organization
//! fields an admin lists (`context_fields`), shown inline on an emergency with the fields'
//! titles from Zendesk's organization fields API.
//!
//! Invariants: the organization itself is the ASE lookup's read (handed over by the sidebar), so
//! this workflow asks for the fields' titles only, and only when fields are listed; a failed
//! titles read shows the fields under their keys, never nothing. Every value is untrusted text.
use super::{Context, Outbox};
use crate::core::request::{Expect, Method, Outcome, Reply, Request};
use crate::core::text;
use crate::core::view::{folds, ContextItem, ContextView};
use crate::core::zendesk::{FieldValueDto, OrganizationDto, OrganizationFieldDto};

/// How many pages of field definitions one sidebar reads (100 a page).
const MAX_PAGES: u8 = 5;

/// What a pending request of this workflow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Fields,
}

/// The context part of one emergency.
#[derive(Debug)]
pub struct AccountContext {
    /// The field definitions read so far.
    fields: Vec<OrganizationFieldDto>,
    pages: u8,
    out: Outbox<Step>,
}

impl AccountContext {
    /// Reads the field definitions when the admin listed fields.
    pub fn start(ctx: &Context) -> AccountContext {
        let mut context = AccountContext {
            fields: Vec::new(),
            pages: 0,
            out: Outbox::default(),
        };
        if !ctx.settings.context_fields.is_empty() {
            context.read("/api/v2/organization_fields".to_string());
        }
        context
    }

    fn read(&mut self, url: String) {
        self.pages += 1;
        let request = Request::zendesk(Method::Get, url, None, Expect::OrganizationFields);
        self.out.push(request, Step::Fields);
    }

    pub fn poll_request(&mut self) -> Option<(Request, Step)> {
        self.out.pop()
    }

    /// A page of definitions: kept, and the next one read while there is one (Zendesk's
    /// `next_page` is absolute; the path is what `client.request` takes).
    pub fn handle_reply(&mut self, reply: Outcome) {
        if let Ok(Reply::OrganizationFields(mut page)) = reply {
            self.fields.append(&mut page.organization_fields);
            let next = page.next_page.as_deref().and_then(|u| {
                let at = text::find(u, "/api/v2/")?;
                u.get(at..).map(str::to_string)
            });
            if let Some(url) = next.filter(|_| self.pages < MAX_PAGES) {
                self.read(url);
            }
        }
    }

    /// The context of `org` (`None` until the organization is read): its notes and details,
    /// then the listed fields that hold a value, in the admin's order.
    pub fn view(&self, ctx: &Context, org: Option<&OrganizationDto>) -> Option<ContextView> {
        let org = org?;
        let c = &ctx.catalog;
        let mut items = Vec::new();
        let mut add = |label: String, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                items.push(ContextItem {
                    label,
                    fold: folds(value),
                    text: value.to_string(),
                    link: None,
                    now: false,
                });
            }
        };
        add(
            c.get(k!("ui.context.notes")),
            org.notes.as_deref().unwrap_or_default(),
        );
        add(
            c.get(k!("ui.context.details")),
            org.details.as_deref().unwrap_or_default(),
        );
        for key in &ctx.settings.context_fields {
            let field = self.fields.iter().find(|f| &f.key == key);
            // A dropdown or multi-select holds options' values (tags): show their names.
            let name = |value: &str| {
                field
                    .and_then(|f| f.custom_field_options.iter().find(|o| o.value == value))
                    .map_or(value.to_string(), |o| o.name.clone())
            };
            let shown = match org.organization_fields.get(key) {
                Some(FieldValueDto::Text(s)) => name(s),
                Some(FieldValueDto::Number(n)) => text::number_text(*n),
                Some(FieldValueDto::Bool(b)) => c.get(if *b {
                    k!("ui.context.yes")
                } else {
                    k!("ui.context.no")
                }),
                Some(FieldValueDto::List(values)) => {
                    let mut names = String::new();
                    for value in values {
                        if !names.is_empty() {
                            names.push_str(", ");
                        }
                        names.push_str(&name(value));
                    }
                    names
                }
                _ => continue,
            };
            let title = field
                .map(|f| f.title.trim())
                .filter(|t| !t.is_empty())
                .unwrap_or(key);
            add(title.to_string(), &shown);
        }
        (!items.is_empty()).then(|| ContextView {
            id: "account-context",
            heading: c.get(k!("ui.context.heading")),
            items,
            more: c.get(k!("ui.context.more")),
            less: c.get(k!("ui.context.less")),
        })
    }
}
