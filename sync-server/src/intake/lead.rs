//! The JSON intake API's lead event, shaped like the lead event APIs agents' websites and
//! portals already speak (Follow Up Boss's "events"): who (person), where from (source), what
//! they said (message) and the property they asked about. Checked with the model's contact
//! validation (DESIGN decision 9); every problem is reported at its path in the event.

use super::{IntakeChannel, Lead};
use chrono::{DateTime, Utc};
use fieldstone_model::contact::{EmailEntry, PhoneEntry, SOURCE_DETAIL_MAX_CHARS};
use fieldstone_model::{ContactInput, LeadSource, Preferences, PropertyType, ValidationErrors};
use serde::Deserialize;

/// Longest event id kept (senders use UUIDs or their own row ids).
pub const EVENT_ID_MAX_CHARS: usize = 200;
/// Longest message kept; the rest of the interaction's summary names the source and property.
pub const MESSAGE_MAX_CHARS: usize = 4_000;
/// Longest property address or MLS number.
pub const PROPERTY_MAX_CHARS: usize = 300;
/// Longest language name or tag.
pub const LANGUAGE_MAX_CHARS: usize = 35;

/// `POST /v2/intake/leads`'s body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadEvent {
    /// The sender's id for this event: sending it again changes nothing.
    #[serde(default)]
    pub event_id: Option<String>,
    /// Where the lead came from: `zillow`, `web_form`, `realtor.com`, ...
    #[serde(default)]
    pub source: Option<String>,
    /// What happened: `inquiry`, `showing_request`, `registration`, ...
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub person: Option<Person>,
    #[serde(default)]
    pub property: Option<Property>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    /// The language they wrote in or asked for ("es", "Spanish"): routing may match on it.
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Property {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub mls_number: Option<String>,
    #[serde(default)]
    pub price: Option<f64>,
    /// The neighbourhood, town or postcode: becomes the contact's preferred area (routing
    /// matches agents' areas on it).
    #[serde(default)]
    pub area: Option<String>,
    /// `house`, `condo`, ...: becomes the contact's preferred property type.
    #[serde(default, rename = "type")]
    pub property_type: Option<String>,
}

/// Where a source name lands in the model's sources: a known name (in any case, with spaces or
/// dashes for underscores, and a few common spellings) is itself; anything else is `Other`
/// with the sender's words kept as the detail.
pub fn source_of(text: &str) -> (LeadSource, Option<String>) {
    let name = text.trim().to_lowercase().replace([' ', '-'], "_");
    let known = match name.as_str() {
        "website" | "web" | "form" | "webform" | "landing_page" => Some(LeadSource::WebForm),
        "zillow.com" | "trulia" => Some(LeadSource::Zillow),
        "ig" => Some(LeadSource::Instagram),
        "fb" | "facebook_ads" => Some(LeadSource::Facebook),
        "wa" => Some(LeadSource::WhatsApp),
        other => other.parse().ok(),
    };
    match known {
        // A lead from outside is never "entered by hand" or an "import".
        Some(LeadSource::Manual | LeadSource::Import) | None => {
            (LeadSource::Other, Some(text.trim().to_owned()))
        }
        Some(source) => (source, None),
    }
}

/// Where a model field's problem is in the event.
fn event_path(field: &str) -> String {
    let mut parts = field.splitn(3, '.');
    match (parts.next(), parts.next()) {
        (Some("given_name"), _) => "person.first_name".to_owned(),
        (Some("family_name"), _) => "person.last_name".to_owned(),
        (Some("emails"), Some(i)) => format!("person.emails.{i}"),
        (Some("phones"), Some(i)) => format!("person.phones.{i}"),
        (Some("source_detail"), _) => "source".to_owned(),
        _ => field.to_owned(),
    }
}

/// `text` trimmed, refused past `max` characters or when required and blank.
fn text(
    errors: &mut ValidationErrors,
    path: &str,
    value: Option<&str>,
    max: usize,
    required: bool,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None if required => {
            errors.push(path, "Required.");
            None
        }
        Some(v) if v.chars().count() > max => {
            errors.push(path, format!("At most {max} characters."));
            None
        }
        v => v.map(str::to_owned),
    }
}

impl LeadEvent {
    /// The lead this event describes, or every problem at once.
    pub fn into_lead(self, now: DateTime<Utc>) -> Result<Lead, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let event_id = text(
            &mut errors,
            "event_id",
            self.event_id.as_deref(),
            EVENT_ID_MAX_CHARS,
            false,
        );
        let source = text(
            &mut errors,
            "source",
            self.source.as_deref(),
            SOURCE_DETAIL_MAX_CHARS,
            true,
        );
        let kind = text(&mut errors, "type", self.kind.as_deref(), 100, false);
        let message = text(
            &mut errors,
            "message",
            self.message.as_deref(),
            MESSAGE_MAX_CHARS,
            false,
        );
        let property = self.property.unwrap_or_default();
        let address = text(
            &mut errors,
            "property.address",
            property.address.as_deref(),
            PROPERTY_MAX_CHARS,
            false,
        );
        let mls = text(
            &mut errors,
            "property.mls_number",
            property.mls_number.as_deref(),
            PROPERTY_MAX_CHARS,
            false,
        );
        if property.price.is_some_and(|p| !p.is_finite() || p < 0.0) {
            errors.push("property.price", "A price is a positive amount.");
        }
        let area = text(
            &mut errors,
            "property.area",
            property.area.as_deref(),
            fieldstone_model::contact::AREA_NAME_MAX_CHARS,
            false,
        );
        let property_type = match property.property_type.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => match name.to_lowercase().parse::<PropertyType>() {
                Ok(kind) => Some(kind),
                Err(_) => {
                    errors.push("property.type", "Not a property type: house, condo, townhouse, land, multi_family, commercial or other.");
                    None
                }
            },
        };
        let language = text(
            &mut errors,
            "person.language",
            self.person.as_ref().and_then(|p| p.language.as_deref()),
            LANGUAGE_MAX_CHARS,
            false,
        );
        let Some(person) = self.person else {
            errors.push("person", "Required: who the lead is.");
            return Err(errors);
        };
        let (source, source_detail) = source.as_deref().map(source_of).unwrap_or_default();
        let input = ContactInput {
            given_name: person.first_name.unwrap_or_default(),
            family_name: person.last_name.unwrap_or_default(),
            emails: person
                .emails
                .into_iter()
                .map(|address| EmailEntry {
                    address,
                    label: Default::default(),
                    primary: false,
                })
                .collect(),
            phones: person
                .phones
                .into_iter()
                .map(|number| PhoneEntry {
                    number,
                    label: Default::default(),
                    primary: false,
                })
                .collect(),
            source,
            source_detail,
            preferences: Preferences {
                areas: area.into_iter().collect(),
                property_types: property_type.into_iter().collect(),
                ..Preferences::default()
            },
            ..Default::default()
        };
        let person = match input.validate() {
            Ok(valid) => Some(valid),
            Err(problems) => {
                for problem in problems.0 {
                    errors.push(&event_path(&problem.field), problem.message);
                }
                None
            }
        };
        let (Some(person), true) = (person, errors.is_empty()) else {
            return Err(errors);
        };
        let from = match &person.source_detail {
            Some(detail) => detail.clone(),
            None => person.source.label().to_owned(),
        };
        let mut summary = format!(
            "{} from {from}",
            kind.as_deref()
                .map_or("New lead".to_owned(), |k| format!("Lead ({k})"))
        );
        if let Some(message) = &message {
            summary.push_str(&format!(": {message}"));
        }
        if let Some(line) = property_line(address.as_deref(), mls.as_deref(), property.price) {
            summary.push_str(&format!("\nProperty: {line}"));
        }
        Ok(Lead {
            channel: IntakeChannel::Api,
            event_id,
            sender: None,
            person,
            summary,
            occurred_at: now,
            // Whole currency units; a fraction of one does not change a price band.
            price: property.price.map(|p| p as u64),
            language,
        })
    }
}

/// "12 Main St (MLS 123), 450000": what the lead asked about, in one line.
fn property_line(address: Option<&str>, mls: Option<&str>, price: Option<f64>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(address) = address {
        parts.push(address.to_owned());
    }
    if let Some(mls) = mls {
        parts.push(format!("MLS {mls}"));
    }
    if let Some(price) = price {
        parts.push(format!("price {price}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lead(body: serde_json::Value) -> Result<Lead, ValidationErrors> {
        serde_json::from_value::<LeadEvent>(body)
            .expect("shape")
            .into_lead(Utc::now())
    }

    #[test]
    fn sources_map_onto_the_models_and_unknown_ones_keep_their_words() {
        assert_eq!(source_of("Zillow"), (LeadSource::Zillow, None));
        assert_eq!(source_of("web form"), (LeadSource::WebForm, None));
        assert_eq!(source_of("open-house"), (LeadSource::OpenHouse, None));
        assert_eq!(
            source_of("Realtor.com"),
            (LeadSource::Other, Some("Realtor.com".to_owned()))
        );
        assert_eq!(
            source_of("manual"),
            (LeadSource::Other, Some("manual".to_owned()))
        );
    }

    #[test]
    fn problems_are_reported_at_their_path_in_the_event() {
        let errors = lead(json!({"source": "zillow"})).expect_err("no person");
        assert_eq!(errors.fields(), vec!["person"]);
        let errors = lead(json!({
            "person": {"first_name": "Ada", "emails": ["ok@example.com", "not an email"]},
            "property": {"price": -1.0}
        }))
        .expect_err("bad");
        let fields = errors.fields();
        assert!(fields.contains(&"source"), "{fields:?}");
        assert!(fields.contains(&"person.emails.1"), "{fields:?}");
        assert!(fields.contains(&"property.price"), "{fields:?}");
        let errors = lead(json!({"source": "x", "person": {}})).expect_err("nobody");
        assert_eq!(errors.fields(), vec!["person.first_name"]);
    }

    #[test]
    fn the_area_type_and_language_a_lead_names_are_what_routing_reads() {
        let lead = lead(json!({
            "source": "zillow", "person": {"first_name": "Ada", "language": " Spanish "},
            "property": {"area": "Central", "type": "Condo", "price": 450000.7}
        }))
        .expect("valid");
        assert_eq!(lead.person.preferences.areas, ["Central"]);
        assert!(lead
            .person
            .preferences
            .property_types
            .contains(&PropertyType::Condo));
        assert_eq!(
            (lead.price, lead.language.as_deref()),
            (Some(450_000), Some("Spanish"))
        );
        let errors = lead_or_errors(json!({
            "source": "zillow", "person": {"first_name": "Ada", "language": "x".repeat(36)},
            "property": {"type": "castle", "area": "y".repeat(500)}
        }));
        assert_eq!(
            errors.fields(),
            vec!["property.area", "property.type", "person.language"]
        );
    }

    fn lead_or_errors(body: serde_json::Value) -> ValidationErrors {
        lead(body).expect_err("refused")
    }

    #[test]
    fn a_good_event_reads_as_a_lead_with_its_property() {
        let lead = lead(json!({
            "event_id": "e-1", "source": "Realtor.com", "type": "inquiry",
            "message": "Is it still available?",
            "person": {"first_name": "Ada", "last_name": "Lovelace", "emails": ["Ada@Example.COM"]},
            "property": {"address": "12 Main St", "mls_number": "A123", "price": 450000}
        }))
        .expect("valid");
        assert_eq!(lead.event_id.as_deref(), Some("e-1"));
        assert_eq!(lead.person.source, LeadSource::Other);
        assert_eq!(lead.person.source_detail.as_deref(), Some("Realtor.com"));
        assert_eq!(lead.person.emails[0].address, "Ada@example.com");
        assert_eq!(
            lead.summary,
            "Lead (inquiry) from Realtor.com: Is it still available?\n\
             Property: 12 Main St, MLS A123, price 450000"
        );
    }
}
