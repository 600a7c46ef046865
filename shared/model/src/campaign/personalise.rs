//! Personalisation: `{{ first_name }}`, `{{ property }}` and the rest in a campaign's subject and
//! body, filled per recipient. The template language is MiniJinja's (Jinja syntax, so
//! `{{ first_name | default("there") }}` gives a fallback and `{% if area %}…{% endif %}` a
//! condition); what a template may name is a fixed list, checked when the campaign is saved, so
//! a typo is refused at the desk instead of reaching a thousand inboxes as a blank.
//!
//! Rendering runs with a fuel limit: a template is agent-written input, and a loop over a huge
//! range must stop, not hang the server's sender.

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest subject or body a template may be, in characters.
pub const TEMPLATE_MAX_CHARS: usize = 50_000;
/// Instructions one rendering may run (MiniJinja fuel); plenty for a letter with conditions.
const FUEL: u64 = 100_000;

/// Every variable a campaign's text may use, and what it holds.
pub const VARIABLES: [(&str, &str); 11] = [
    ("first_name", "The contact's first name"),
    ("last_name", "The contact's last name"),
    ("full_name", "The contact's full name"),
    ("email", "The contact's email address"),
    ("area", "The first area the contact is looking in"),
    ("property", "The listing this step is about (address)"),
    ("property_price", "That listing's price"),
    ("property_url", "That listing's public page"),
    ("agent_name", "Your name"),
    ("agent_phone", "Your phone"),
    ("org_name", "Your organisation's name"),
];

/// The values for one recipient. A value left `None` (or blank) is undefined in the template,
/// so `default(...)` supplies the fallback and a bare `{{ first_name }}` renders empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variables {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub area: Option<String>,
    pub property: Option<String>,
    pub property_price: Option<String>,
    pub property_url: Option<String>,
    pub agent_name: Option<String>,
    pub agent_phone: Option<String>,
    pub org_name: Option<String>,
}

impl Variables {
    /// What a recipient's text can say about `contact`, sent by `agent_name` for `org_name`:
    /// the same on the device's preview and in what the server sends.
    pub fn for_contact(
        contact: &crate::contact::Contact,
        agent_name: &str,
        org_name: Option<&str>,
    ) -> Self {
        Variables {
            first_name: Some(contact.given_name.clone()),
            last_name: Some(contact.family_name.clone()),
            email: contact
                .emails
                .iter()
                .find(|e| e.primary)
                .or_else(|| contact.emails.first())
                .map(|e| e.address.clone()),
            area: contact.preferences.areas.first().cloned(),
            agent_name: Some(agent_name.to_owned()),
            org_name: org_name.map(str::to_owned),
            ..Variables::default()
        }
    }

    fn context(&self) -> BTreeMap<&'static str, String> {
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let pairs = [
            ("first_name", self.first_name.clone()),
            ("last_name", self.last_name.clone()),
            ("full_name", Some(full)),
            ("email", self.email.clone()),
            ("area", self.area.clone()),
            ("property", self.property.clone()),
            ("property_price", self.property_price.clone()),
            ("property_url", self.property_url.clone()),
            ("agent_name", self.agent_name.clone()),
            ("agent_phone", self.agent_phone.clone()),
            ("org_name", self.org_name.clone()),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| {
                let v = v?.trim().to_owned();
                (!v.is_empty()).then_some((k, v))
            })
            .collect()
    }

    /// The variables `used` names that this recipient has no value for (the preview warns).
    pub fn missing<'a>(&self, used: &'a [String]) -> Vec<&'a str> {
        let have = self.context();
        used.iter()
            .map(String::as_str)
            .filter(|name| !have.contains_key(name))
            .collect()
    }
}

/// Why a template was refused or could not be filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("This is longer than {TEMPLATE_MAX_CHARS} characters.")]
    TooLong,
    #[error("{0}")]
    Syntax(String),
    #[error("{{{{ {name} }}}} is not a variable here. Use one of: {known}.")]
    Unknown { name: String, known: String },
    #[error("This text does too much work to fill in (a loop that does not end?).")]
    TooMuchWork,
    #[error("It could not be filled in: {0}")]
    Render(String),
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Plain text: the sender escapes it when it makes the HTML part, once.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_fuel(Some(FUEL));
    env
}

/// Checks `text` and returns the variables it uses (sorted), or why it is refused.
pub fn check(text: &str) -> Result<Vec<String>, TemplateError> {
    if text.chars().count() > TEMPLATE_MAX_CHARS {
        return Err(TemplateError::TooLong);
    }
    let env = environment();
    let template = env
        .template_from_str(text)
        .map_err(|e| TemplateError::Syntax(syntax_sentence(&e)))?;
    let mut used: Vec<String> = template.undeclared_variables(false).into_iter().collect();
    used.sort();
    if let Some(unknown) = used
        .iter()
        .find(|name| !VARIABLES.iter().any(|(known, _)| known == name))
    {
        return Err(TemplateError::Unknown {
            name: unknown.clone(),
            known: VARIABLES
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(used)
}

/// Fills `text` for one recipient. `text` should have passed [`check`]; a template that was
/// not is checked again here, so nothing unknown is ever filled.
pub fn render(text: &str, vars: &Variables) -> Result<String, TemplateError> {
    check(text)?;
    let env = environment();
    let template = env
        .template_from_str(text)
        .map_err(|e| TemplateError::Syntax(syntax_sentence(&e)))?;
    template.render(vars.context()).map_err(|e| {
        if e.kind() == minijinja::ErrorKind::OutOfFuel {
            TemplateError::TooMuchWork
        } else {
            TemplateError::Render(syntax_sentence(&e))
        }
    })
}

/// MiniJinja's error as one sentence with its line ("Line 2: unexpected end of input.").
fn syntax_sentence(e: &minijinja::Error) -> String {
    let detail = e
        .detail()
        .map(str::to_owned)
        .unwrap_or_else(|| e.to_string());
    match e.line() {
        Some(line) => format!("Line {line}: {detail}."),
        None => format!("{detail}."),
    }
}
