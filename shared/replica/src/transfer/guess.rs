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
        "budget" | "pricerange" | "budgetrange" | "pricepoint" | "targetprice" | "price"
        | "desiredprice" | "priceband" => T::Budget,
        "minbudget" | "budgetmin" | "minprice" | "pricemin" | "minimumprice" | "minimumbudget"
        | "pricefrom" | "budgetfrom" | "pricelow" | "budgetlow" => T::BudgetMin,
        "maxbudget" | "budgetmax" | "maxprice" | "pricemax" | "maximumprice" | "maximumbudget"
        | "priceto" | "budgetto" | "pricehigh" | "budgethigh" => T::BudgetMax,
        "areas"
        | "area"
        | "preferredareas"
        | "preferredarea"
        | "desiredareas"
        | "targetareas"
        | "neighborhoods"
        | "neighbourhoods"
        | "neighborhood"
        | "neighbourhood"
        | "preferredneighborhoods"
        | "preferredneighbourhoods"
        | "preferredlocations"
        | "preferredlocation"
        | "locations"
        | "districts"
        | "searchareas" => T::Areas,
        "bedrooms" | "bedroom" | "beds" | "bed" | "br" | "minbedrooms" | "bedroomsmin"
        | "minbeds" | "bedsmin" | "bedroomsminimum" => T::Bedrooms,
        "moveindate" | "movein" | "movedate" | "moveby" | "movingdate" | "desiredmoveindate"
        | "targetmoveindate" | "moveintimeframe" | "possessiondate" => T::MoveIn,
        "propertytype"
        | "propertytypes"
        | "hometype"
        | "hometypes"
        | "buildingtype"
        | "dwellingtype"
        | "preferredpropertytype"
        | "preferredpropertytypes" => T::PropertyTypes,
        _ => T::Ignore,
    };
    Guess::Target(target)
}

/// A header less anything in brackets: "Budget (HKD)" is a budget column, "Areas [comma
/// separated]" an areas column.
fn without_brackets(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut depth = 0_u32;
    for c in header.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The guess for a header: as written, else without what is in brackets.
fn guess_header(header: &str) -> (Guess, Option<u32>) {
    let (letters, number) = header_key(header);
    match guess_one(&letters) {
        Guess::Target(ColumnTarget::Ignore) => {
            let (letters, number) = header_key(&without_brackets(header));
            (guess_one(&letters), number)
        }
        guess => (guess, number),
    }
}

/// Guesses what each column is from its header. Unknown headers are ignored; a label column
/// ("E-mail 1 - Type", "Phone 2 Label") is paired with the email/phone column carrying the same
/// number, or with the nearest such column before it when there is none.
pub fn guess_mapping(headers: &[String]) -> ColumnMapping {
    let (guesses, numbers): (Vec<Guess>, Vec<Option<u32>>) =
        headers.iter().map(|h| guess_header(h)).unzip();
    let value_column = |i: usize, wanted: fn(ColumnTarget) -> bool| -> Option<usize> {
        let number = numbers[i];
        let is_value = |j: &usize| matches!(guesses[*j], Guess::Target(t) if wanted(t));
        (0..guesses.len())
            .filter(is_value)
            .find(|&j| numbers[j] == number)
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
    fn wish_list_headers_are_guessed_brackets_and_all() {
        let headers: Vec<String> = [
            "Budget (HKD)",
            "Preferred Areas",
            "Beds",
            "Move-in date",
            "Property Type",
            "Min Price",
            "Max. price",
            "Phone (Mobile)",
        ]
        .map(String::from)
        .to_vec();
        let mapping = guess_mapping(&headers);
        let targets: Vec<ColumnTarget> = mapping.columns.iter().map(|c| c.target).collect();
        assert_eq!(
            targets,
            [
                ColumnTarget::Budget,
                ColumnTarget::Areas,
                ColumnTarget::Bedrooms,
                ColumnTarget::MoveIn,
                ColumnTarget::PropertyTypes,
                ColumnTarget::BudgetMin,
                ColumnTarget::BudgetMax,
                ColumnTarget::Phone {
                    label: ContactLabel::Other
                },
            ]
        );
    }

    #[test]
    fn a_mapping_with_nothing_identifying_is_refused() {
        let mapping = guess_mapping(&["Stage".to_owned(), "Tags".to_owned()]);
        assert!(mapping.check().is_err());
    }
}
