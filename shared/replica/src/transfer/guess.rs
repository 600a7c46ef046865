//! A column mapping guessed from a CSV header: the names other CRMs and address books write
//! (Follow Up Boss, kvCORE, Google Contacts, Outlook, our own export). The import uses it when
//! no mapping is given, and the app's preview shows it for the person to correct.

use fieldstone_model::ContactLabel;
use fieldstone_protocol::views::{ColumnMapping, ColumnTarget, MappedColumn};

/// A header reduced to what people vary least: its letters, lower-cased, and the first run of
/// digits ("E-mail 2 - Value" → ("emailvalue", Some(2))), so case, spaces, punctuation and
/// numbering do not matter.
fn header_key(header: &str) -> (String, Option<u32>) {
    let letters: String = header
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    let digits: String = header
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    (letters, digits.parse().ok())
}

/// What a header names, before label columns are paired with their value columns.
enum Guess {
    Target(ColumnTarget),
    EmailLabel,
    PhoneLabel,
}

fn guess_one(letters: &str) -> Guess {
    use ColumnTarget as T;
    use ContactLabel as L;
    let target = match letters {
        "firstname" | "givenname" | "first" | "fname" | "forename" | "preferredname" => {
            T::GivenName
        }
        "lastname" | "surname" | "familyname" | "last" | "lname" => T::FamilyName,
        "name" | "fullname" | "contactname" | "displayname" | "clientname" | "leadname" => {
            T::FullName
        }
        "email" | "emails" | "mail" | "emailaddress" | "emailvalue" | "primaryemail"
        | "secondaryemail" | "otheremail" | "emailaddressvalue" => T::Email { label: L::Other },
        "workemail" | "businessemail" | "officeemail" => T::Email { label: L::Work },
        "homeemail" | "personalemail" => T::Email { label: L::Home },
        "emailtype" | "emaillabel" | "emailaddresstype" => return Guess::EmailLabel,
        "phone" | "phones" | "phonenumber" | "phonevalue" | "telephone" | "tel"
        | "primaryphone" | "secondaryphone" | "otherphone" | "phonenumbervalue" => {
            T::Phone { label: L::Other }
        }
        "mobile" | "mobilephone" | "mobilenumber" | "cell" | "cellphone" | "cellular"
        | "cellnumber" | "mobilephonenumber" | "cellphonenumber" => T::Phone { label: L::Mobile },
        "homephone" | "homenumber" | "homephonenumber" => T::Phone { label: L::Home },
        "workphone" | "businessphone" | "officephone" | "worknumber" | "companymainphone" => {
            T::Phone { label: L::Work }
        }
        "phonetype" | "phonelabel" | "phonenumbertype" => return Guess::PhoneLabel,
        "instagram" | "instagramhandle" | "instagramusername" | "ig" => T::Instagram,
        "whatsapp" | "whatsappnumber" | "whatsappphone" => T::WhatsApp,
        "tags" | "tag" | "labels" | "groups" | "groupmembership" | "categories" => T::Tags,
        "stage" | "status" | "leadstatus" | "pipelinestage" | "dealstage" | "leadstage" => T::Stage,
        "source" | "leadsource" | "sourcename" | "origin" | "leadorigin" => T::Source,
        "sourcedetail" | "sourcedetails" | "leadsourcedetail" | "campaign" => T::SourceDetail,
        "type" | "contacttype" | "leadtype" | "kind" | "clienttype" | "buyerseller" => T::Kind,
        "priority" | "importance" => T::Priority,
        "notes" | "note" | "comments" | "comment" | "description" => T::Note,
        _ => T::Ignore,
    };
    Guess::Target(target)
}

/// Guesses what each column is from its header. Unknown headers are ignored; a label column
/// ("E-mail 1 - Type", "Phone 2 Label") is paired with the email/phone column carrying the same
/// number, or with the nearest such column before it when there is none.
pub fn guess_mapping(headers: &[String]) -> ColumnMapping {
    let keys: Vec<(String, Option<u32>)> = headers.iter().map(|h| header_key(h)).collect();
    let guesses: Vec<Guess> = keys.iter().map(|(letters, _)| guess_one(letters)).collect();
    let value_column = |i: usize, wanted: fn(ColumnTarget) -> bool| -> Option<usize> {
        let number = keys[i].1;
        let is_value = |j: &usize| matches!(guesses[*j], Guess::Target(t) if wanted(t));
        (0..guesses.len())
            .filter(is_value)
            .find(|&j| keys[j].1 == number)
            .or_else(|| (0..i).rev().find(is_value))
    };
    let is_email = |t: ColumnTarget| matches!(t, ColumnTarget::Email { .. });
    let is_phone = |t: ColumnTarget| matches!(t, ColumnTarget::Phone { .. });
    let columns = headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let target = match guesses[i] {
                Guess::Target(t) => t,
                Guess::EmailLabel => value_column(i, is_email)
                    .map_or(ColumnTarget::Ignore, |of| ColumnTarget::EmailLabel { of }),
                Guess::PhoneLabel => value_column(i, is_phone)
                    .map_or(ColumnTarget::Ignore, |of| ColumnTarget::PhoneLabel { of }),
            };
            MappedColumn {
                header: header.clone(),
                target,
            }
        })
        .collect();
    ColumnMapping { columns }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_keys_ignore_case_spacing_punctuation_and_numbers() {
        assert_eq!(
            header_key(" E-mail 2 - Value"),
            ("emailvalue".into(), Some(2))
        );
        assert_eq!(header_key("First_Name"), ("firstname".into(), None));
    }

    #[test]
    fn a_label_without_a_value_column_is_ignored() {
        let mapping = guess_mapping(&["Phone Type".to_owned(), "Name".to_owned()]);
        assert_eq!(mapping.target(0), ColumnTarget::Ignore);
        assert_eq!(mapping.target(1), ColumnTarget::FullName);
    }

    #[test]
    fn a_mapping_with_nothing_identifying_is_refused() {
        let mapping = guess_mapping(&["Stage".to_owned(), "Tags".to_owned()]);
        assert!(mapping.check().is_err());
    }
}
