//! Filling a [`ScoreInput`] from what the contact record itself knows. The rest (interactions,
//! last touch, the first message, properties of interest) lives in other records, which the
//! engine reads from its read model and adds.

use super::rule::ScoreInput;
use crate::Contact;

impl ScoreInput {
    /// The parts of the rule score the contact alone decides: ways to reach them and what they
    /// told about their needs. Blank entries do not count (a phone entry of spaces is no phone).
    pub fn of_contact(c: &Contact) -> Self {
        let filled = |s: &str| !s.trim().is_empty();
        let p = &c.preferences;
        ScoreInput {
            has_phone: c.phones.iter().any(|ph| filled(&ph.number)),
            has_email: c.emails.iter().any(|e| filled(&e.address)),
            has_full_name: filled(&c.given_name) && filled(&c.family_name),
            has_whatsapp: c.whatsapp.as_deref().is_some_and(filled),
            has_budget: p.budget_min.is_some() || p.budget_max.is_some(),
            has_preferred_areas: p.areas.iter().any(|a| filled(a)),
            has_move_in_date: p.move_in.is_some(),
            ..ScoreInput::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{EmailEntry, PhoneEntry};
    use crate::test_support::{at, user, uuid};
    use crate::{ContactId, ContactInput};

    #[test]
    fn a_contact_fills_the_parts_it_knows_and_nothing_else() {
        let input = ContactInput {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            emails: vec![EmailEntry {
                address: "ada@example.com".into(),
                label: Default::default(),
                primary: true,
            }],
            phones: vec![PhoneEntry {
                number: "+44 20 7946 0958".into(),
                label: Default::default(),
                primary: true,
            }],
            ..Default::default()
        };
        let mut c = Contact::create(
            ContactId::from_uuid(uuid(3)),
            input.validate().expect("valid"),
            user(1),
            at(2026, 1, 2, 9, 0),
        );
        c.preferences.budget_max = Some(500_000);
        c.preferences.areas = vec!["Central".into()];
        let got = ScoreInput::of_contact(&c);
        assert_eq!(
            got,
            ScoreInput {
                has_phone: true,
                has_email: true,
                has_full_name: true,
                has_budget: true,
                has_preferred_areas: true,
                ..ScoreInput::default()
            }
        );
        c.family_name.clear();
        c.whatsapp = Some("+442079460958".into());
        let got = ScoreInput::of_contact(&c);
        assert!(!got.has_full_name && got.has_whatsapp);
        assert_eq!(got.interactions, 0, "interactions come from the engine");
    }
}
