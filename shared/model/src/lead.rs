//! A lead: someone who may buy or sell through the agent.

use crate::ids::LeadId;
use crate::validation::{check_email, check_phone, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::validation::PHONE_MAX_CHARS;

pub const NAME_MAX_CHARS: usize = 200;

/// Where a lead stands in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[default]
    Lead,
    Qualified,
    Showing,
    Offer,
    Closed,
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Lead,
        Stage::Qualified,
        Stage::Showing,
        Stage::Offer,
        Stage::Closed,
        Stage::Lost,
    ];

    /// Stable machine name, used in documents, SQLite and the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Qualified => "qualified",
            Stage::Showing => "showing",
            Stage::Offer => "offer",
            Stage::Closed => "closed",
            Stage::Lost => "lost",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Stage::Lead => "Lead",
            Stage::Qualified => "Qualified",
            Stage::Showing => "Showing",
            Stage::Offer => "Offer",
            Stage::Closed => "Closed",
            Stage::Lost => "Lost",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStage(pub String);

impl fmt::Display for UnknownStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown stage {:?}", self.0)
    }
}

impl std::error::Error for UnknownStage {}

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| UnknownStage(s.to_owned()))
    }
}

/// What a person types to create a lead. Untrusted until [`LeadInput::validate`] accepts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadInput {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub stage: Stage,
}

impl LeadInput {
    /// Checks every field and returns the input normalised (trimmed, email lower-cased domain
    /// kept as typed) or every problem found.
    pub fn validate(&self) -> Result<LeadInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push("name", "Enter a name.");
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.push(
                "name",
                format!("A name can be at most {NAME_MAX_CHARS} characters."),
            );
        } else if name.chars().any(char::is_control) {
            errors.push("name", "A name cannot contain control characters.");
        }

        let email = self.email.trim();
        if !email.is_empty() {
            if let Err(message) = check_email(email) {
                errors.push("email", message);
            }
        }

        let phone = self.phone.trim();
        if !phone.is_empty() {
            if let Err(message) = check_phone(phone) {
                errors.push("phone", message);
            }
        }

        errors.into_result().map(|()| LeadInput {
            name: name.to_owned(),
            email: email.to_owned(),
            phone: phone.to_owned(),
            stage: self.stage,
        })
    }
}

/// A stored lead, as read back from the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub id: LeadId,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, email: &str, phone: &str) -> LeadInput {
        LeadInput {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            stage: Stage::Lead,
        }
    }

    #[test]
    fn valid_input_is_trimmed() {
        let ok = input("  Ada Lovelace ", " ada@example.com ", " +44 20 7946 0958 ")
            .validate()
            .expect("valid");
        assert_eq!(ok.name, "Ada Lovelace");
        assert_eq!(ok.email, "ada@example.com");
        assert_eq!(ok.phone, "+44 20 7946 0958");
    }

    #[test]
    fn email_and_phone_are_optional() {
        assert!(input("Ada", "", "").validate().is_ok());
    }

    #[test]
    fn empty_name_is_rejected_on_the_name_field() {
        let errors = input("   ", "", "").validate().expect_err("invalid");
        assert_eq!(errors.for_field("name"), Some("Enter a name."));
        assert_eq!(errors.0.len(), 1);
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada @example.com",
            "ada@.com",
        ] {
            let errors = input("Ada", bad, "").validate().expect_err(bad);
            assert!(errors.for_field("email").is_some(), "{bad} accepted");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = input("", "nope", "12").validate().expect_err("invalid");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone"]);
    }

    #[test]
    fn phone_rules() {
        assert!(check_phone("(555) 010-9999").is_ok());
        assert!(check_phone("555.010.9999").is_ok());
        assert!(check_phone("555-CALL-NOW").is_err());
        assert!(check_phone("55+5 0100").is_err());
        assert!(check_phone("1234").is_err());
        assert!(check_phone("1234567890123456").is_err());
    }

    #[test]
    fn overlong_name_is_rejected() {
        let long = "x".repeat(NAME_MAX_CHARS + 1);
        assert!(input(&long, "", "").validate().is_err());
        let max = "x".repeat(NAME_MAX_CHARS);
        assert!(input(&max, "", "").validate().is_ok());
    }

    #[test]
    fn stage_names_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(stage));
        }
        assert!("won".parse::<Stage>().is_err());
    }
}
