//! Custom fields in a form and on screen: a row as typed (name, type, value as text), turned
//! into the model's typed value on submit; how a stored value reads ("Yes", "1 Mar 2026",
//! "250,000"); and which type a name already has on the agent's other contacts.

use super::format::thousands;
use chrono::NaiveDate;
use fieldstone_model::{CustomField, CustomFieldType, CustomValue};
use fieldstone_protocol::views::CustomFieldName;

/// One custom field as the form holds it. The value stays text until the submit: a number
/// or a date is parsed then, and a yes/no is `yes` or `no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRow {
    pub key: String,
    pub kind: CustomFieldType,
    pub value: String,
}

/// A yes/no row's value text.
pub const YES: &str = "yes";
pub const NO: &str = "no";

impl CustomRow {
    /// The row "Add field" makes.
    pub fn blank() -> Self {
        CustomRow {
            key: String::new(),
            kind: CustomFieldType::Text,
            value: String::new(),
        }
    }

    pub fn from_field(field: &CustomField) -> Self {
        let value = match &field.value {
            CustomValue::Text(text) => text.clone(),
            CustomValue::Number(n) => n.to_string(),
            CustomValue::Date(day) => day.format("%Y-%m-%d").to_string(),
            CustomValue::Bool(yes) => if *yes { YES } else { NO }.to_owned(),
        };
        CustomRow {
            key: field.key.clone(),
            kind: field.value.field_type(),
            value,
        }
    }

    /// Nothing typed: the form's affordance, not a field (dropped on submit).
    pub fn is_blank(&self) -> bool {
        self.key.trim().is_empty()
            && (self.kind == CustomFieldType::Bool || self.value.trim().is_empty())
    }

    /// Changes the type, keeping the value where it still reads as one of the new type (text
    /// always does; "12" stays a number).
    pub fn set_kind(&mut self, kind: CustomFieldType) {
        if kind == self.kind {
            return;
        }
        let keep = match kind {
            CustomFieldType::Text => self.kind != CustomFieldType::Bool,
            CustomFieldType::Number => number(&self.value).is_some(),
            CustomFieldType::Date => date(&self.value).is_some(),
            CustomFieldType::Bool => false,
        };
        self.kind = kind;
        if kind == CustomFieldType::Bool {
            self.value = YES.to_owned();
        } else if !keep {
            self.value.clear();
        }
    }

    /// The model's field, or why the value is not one of its type (the engine checks the
    /// rest: names, lengths, duplicates).
    pub fn to_field(&self) -> Result<CustomField, &'static str> {
        let value = match self.kind {
            CustomFieldType::Text => CustomValue::Text(self.value.clone()),
            CustomFieldType::Number => {
                CustomValue::Number(number(&self.value).ok_or("Enter a number, such as 3 or 2.5.")?)
            }
            CustomFieldType::Date => {
                CustomValue::Date(date(&self.value).ok_or("Enter a date, such as 2027-03-01.")?)
            }
            CustomFieldType::Bool => CustomValue::Bool(self.value == YES),
        };
        Ok(CustomField {
            key: self.key.clone(),
            value,
        })
    }
}

fn number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// A stored value as people read it: "Yes", "1 Mar 2026", "250,000", "2.5".
pub fn display_value(value: &CustomValue) -> String {
    match value {
        CustomValue::Text(text) => text.clone(),
        CustomValue::Number(n) => number_label(*n),
        CustomValue::Date(day) => day.format("%-d %b %Y").to_string(),
        CustomValue::Bool(true) => "Yes".to_owned(),
        CustomValue::Bool(false) => "No".to_owned(),
    }
}

/// Whole numbers with thousands separators; others as they are.
fn number_label(n: f64) -> String {
    // Whole and small enough to be exact as an integer.
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = thousands(n.abs() as u64);
        if n < 0.0 {
            format!("-{whole}")
        } else {
            whole
        }
    } else {
        n.to_string()
    }
}

/// The type `key` has on the agent's other contacts (its most used one), matched ignoring
/// case and surrounding spaces. `names` come most used first.
pub fn known_type(names: &[CustomFieldName], key: &str) -> Option<CustomFieldType> {
    let key = key.trim().to_lowercase();
    if key.is_empty() {
        return None;
    }
    names
        .iter()
        .find(|name| name.key.to_lowercase() == key)
        .map(|name| name.field_type)
}

/// Each name once (a name used with two types is suggested once), most used first.
pub fn distinct_names(names: &[CustomFieldName]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    names
        .iter()
        .filter(|name| seen.insert(name.key.to_lowercase()))
        .map(|name| name.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, kind: CustomFieldType, value: &str) -> CustomRow {
        CustomRow {
            key: key.into(),
            kind,
            value: value.into(),
        }
    }

    #[test]
    fn rows_become_typed_fields_and_back() {
        let fields = [
            row("School district", CustomFieldType::Text, "Lincoln"),
            row("Deposit", CustomFieldType::Number, "12,500.5"),
            row("Lease ends", CustomFieldType::Date, "2027-03-01"),
            row("Pre-approved", CustomFieldType::Bool, "yes"),
        ]
        .map(|r| r.to_field().expect("valid"));
        assert_eq!(fields[1].value, CustomValue::Number(12_500.5));
        assert_eq!(fields[3].value, CustomValue::Bool(true));
        let back = CustomRow::from_field(&fields[2]);
        assert_eq!(back.value, "2027-03-01");
        assert_eq!(CustomRow::from_field(&fields[1]).value, "12500.5");
        assert_eq!(
            row("n", CustomFieldType::Number, "NaN").to_field(),
            Err("Enter a number, such as 3 or 2.5.")
        );
        assert!(row("d", CustomFieldType::Date, "soon").to_field().is_err());
    }

    #[test]
    fn a_type_change_keeps_a_value_that_still_fits() {
        let mut r = row("Beds", CustomFieldType::Text, "3");
        r.set_kind(CustomFieldType::Number);
        assert_eq!(r.value, "3");
        r.set_kind(CustomFieldType::Date);
        assert_eq!(r.value, "");
        r.set_kind(CustomFieldType::Bool);
        assert_eq!(r.value, YES);
        r.set_kind(CustomFieldType::Text);
        assert_eq!(r.value, "", "not the word yes");
        assert!(CustomRow::blank().is_blank());
        assert!(row(" ", CustomFieldType::Bool, NO).is_blank());
        assert!(!row("", CustomFieldType::Text, "x").is_blank());
    }

    #[test]
    fn values_read_as_people_write_them() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("day");
        assert_eq!(display_value(&CustomValue::Date(day)), "1 Mar 2026");
        assert_eq!(display_value(&CustomValue::Bool(false)), "No");
        assert_eq!(display_value(&CustomValue::Number(250_000.0)), "250,000");
        assert_eq!(display_value(&CustomValue::Number(-3.0)), "-3");
        assert_eq!(display_value(&CustomValue::Number(2.5)), "2.5");
    }

    #[test]
    fn a_known_name_brings_its_type() {
        let names = vec![
            CustomFieldName {
                key: "Deposit %".into(),
                field_type: CustomFieldType::Number,
                contacts: 5,
            },
            CustomFieldName {
                key: "deposit %".into(),
                field_type: CustomFieldType::Text,
                contacts: 1,
            },
        ];
        assert_eq!(
            known_type(&names, " DEPOSIT % "),
            Some(CustomFieldType::Number)
        );
        assert_eq!(known_type(&names, "Deposit"), None);
        assert_eq!(distinct_names(&names), ["Deposit %"]);
    }
}
