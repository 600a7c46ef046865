//! What each column of a file can be imported as, in the words of the column `<select>`s, and
//! the keys their options carry.

use fieldstone_model::ContactLabel;
use fieldstone_protocol::views::{ColumnMapping, ColumnTarget};

fn label_key(label: ContactLabel) -> &'static str {
    match label {
        ContactLabel::Mobile => "mobile",
        ContactLabel::Home => "home",
        ContactLabel::Work => "work",
        ContactLabel::Other => "other",
    }
}

fn label_from_key(key: &str) -> Option<ContactLabel> {
    Some(match key {
        "mobile" => ContactLabel::Mobile,
        "home" => ContactLabel::Home,
        "work" => ContactLabel::Work,
        "other" => ContactLabel::Other,
        _ => return None,
    })
}

/// The `<option>` value of a target.
pub fn target_key(target: ColumnTarget) -> String {
    use ColumnTarget as T;
    match target {
        T::Ignore => "skip".into(),
        T::GivenName => "given_name".into(),
        T::FamilyName => "family_name".into(),
        T::FullName => "full_name".into(),
        T::Email { label } => format!("email:{}", label_key(label)),
        T::EmailLabel { of } => format!("email_label:{of}"),
        T::Phone { label } => format!("phone:{}", label_key(label)),
        T::PhoneLabel { of } => format!("phone_label:{of}"),
        T::Instagram => "instagram".into(),
        T::WhatsApp => "whatsapp".into(),
        T::Tags => "tags".into(),
        T::Stage => "stage".into(),
        T::Source => "source".into(),
        T::SourceDetail => "source_detail".into(),
        T::Kind => "kind".into(),
        T::Priority => "priority".into(),
        T::Note => "note".into(),
        T::Budget => "budget".into(),
        T::BudgetMin => "budget_min".into(),
        T::BudgetMax => "budget_max".into(),
        T::Areas => "areas".into(),
        T::Bedrooms => "bedrooms".into(),
        T::MoveIn => "move_in".into(),
        T::PropertyTypes => "property_types".into(),
    }
}

pub fn target_from_key(key: &str) -> Option<ColumnTarget> {
    use ColumnTarget as T;
    if let Some((kind, rest)) = key.split_once(':') {
        return match kind {
            "email" => label_from_key(rest).map(|label| T::Email { label }),
            "phone" => label_from_key(rest).map(|label| T::Phone { label }),
            "email_label" => rest.parse().ok().map(|of| T::EmailLabel { of }),
            "phone_label" => rest.parse().ok().map(|of| T::PhoneLabel { of }),
            _ => None,
        };
    }
    Some(match key {
        "skip" => T::Ignore,
        "given_name" => T::GivenName,
        "family_name" => T::FamilyName,
        "full_name" => T::FullName,
        "instagram" => T::Instagram,
        "whatsapp" => T::WhatsApp,
        "tags" => T::Tags,
        "stage" => T::Stage,
        "source" => T::Source,
        "source_detail" => T::SourceDetail,
        "kind" => T::Kind,
        "priority" => T::Priority,
        "note" => T::Note,
        "budget" => T::Budget,
        "budget_min" => T::BudgetMin,
        "budget_max" => T::BudgetMax,
        "areas" => T::Areas,
        "bedrooms" => T::Bedrooms,
        "move_in" => T::MoveIn,
        "property_types" => T::PropertyTypes,
        _ => return None,
    })
}

/// The choices for column `column`'s `<select>`, in groups: `(group, [(key, words)])`. Label
/// targets are offered for each other email/phone column, named by its header.
pub fn target_options(
    mapping: &ColumnMapping,
    column: usize,
) -> Vec<(&'static str, Vec<(String, String)>)> {
    use ColumnTarget as T;
    let one = |t: ColumnTarget, words: &str| (target_key(t), words.to_owned());
    let mut groups = vec![
        ("", vec![one(T::Ignore, "Skip this column")]),
        (
            "Name",
            vec![
                one(T::GivenName, "First name"),
                one(T::FamilyName, "Last name"),
                one(T::FullName, "Full name"),
            ],
        ),
        (
            "Email",
            [ContactLabel::Other, ContactLabel::Work, ContactLabel::Home]
                .into_iter()
                .map(|label| {
                    let words = match label {
                        ContactLabel::Other => "Email".to_owned(),
                        label => format!("Email ({})", label_key(label)),
                    };
                    (target_key(T::Email { label }), words)
                })
                .collect(),
        ),
        (
            "Phone",
            [
                ContactLabel::Mobile,
                ContactLabel::Other,
                ContactLabel::Home,
                ContactLabel::Work,
            ]
            .into_iter()
            .map(|label| {
                let words = match label {
                    ContactLabel::Other => "Phone".to_owned(),
                    label => format!("Phone ({})", label_key(label)),
                };
                (target_key(T::Phone { label }), words)
            })
            .collect(),
        ),
        (
            "Details",
            vec![
                one(T::Stage, "Stage"),
                one(T::Kind, "Buyer or seller"),
                one(T::Priority, "Priority"),
                one(T::Source, "Lead source"),
                one(T::SourceDetail, "Source detail"),
                one(T::Tags, "Tags"),
                one(T::Note, "Note"),
                one(T::Instagram, "Instagram"),
                one(T::WhatsApp, "WhatsApp"),
            ],
        ),
        (
            "What they are looking for",
            vec![
                one(T::Budget, "Budget"),
                one(T::BudgetMin, "Lowest price"),
                one(T::BudgetMax, "Highest price"),
                one(T::Areas, "Preferred areas"),
                one(T::Bedrooms, "Bedrooms"),
                one(T::MoveIn, "Move-in date"),
                one(T::PropertyTypes, "Property types"),
            ],
        ),
    ];
    let mut labels = Vec::new();
    for (of, c) in mapping.columns.iter().enumerate() {
        if of == column {
            continue;
        }
        match c.target {
            T::Email { .. } => labels.push((
                target_key(T::EmailLabel { of }),
                format!("Label of “{}”", c.header),
            )),
            T::Phone { .. } => labels.push((
                target_key(T::PhoneLabel { of }),
                format!("Label of “{}”", c.header),
            )),
            _ => {}
        }
    }
    if !labels.is_empty() {
        groups.push(("Labels (work, home, mobile…)", labels));
    }
    // A guess not among the usual choices (an email labelled "mobile") stays selectable.
    let current = target_key(mapping.target(column));
    if !groups
        .iter()
        .any(|(_, options)| options.iter().any(|(key, _)| *key == current))
    {
        groups[0].1.push((current.clone(), current));
    }
    groups
}
