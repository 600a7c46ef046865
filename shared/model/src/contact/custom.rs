//! Custom fields: the agent's own typed key/values ("School district": text, "Pre-approved":
//! yes/no...). Typed, so they can be sorted and filtered like built-in fields.

use crate::checks::{check_count, Text};
use crate::choice::choice_enum;
use crate::validation::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const CUSTOM_FIELDS_MAX: usize = 50;
pub const CUSTOM_KEY_MAX_CHARS: usize = 40;
pub const CUSTOM_TEXT_MAX_CHARS: usize = 1000;

choice_enum! {
    /// The type of a custom field's value.
    pub enum CustomFieldType as "custom field type" {
        Text => ("text", "Text"),
        Number => ("number", "Number"),
        Date => ("date", "Date"),
        Bool => ("bool", "Yes/no"),
    }
}

/// A custom field's value. Serialised as `{"type": "number", "value": 3.5}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum CustomValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl CustomValue {
    pub const fn field_type(&self) -> CustomFieldType {
        match self {
            CustomValue::Text(_) => CustomFieldType::Text,
            CustomValue::Number(_) => CustomFieldType::Number,
            CustomValue::Date(_) => CustomFieldType::Date,
            CustomValue::Bool(_) => CustomFieldType::Bool,
        }
    }
}

/// One custom field as a form sends it. Stored contacts keep them as a map from key to value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    pub key: String,
    pub value: CustomValue,
}

/// Checks the fields and turns them into a map. Keys are trimmed, at most 40 characters, without
/// `.` (keys appear in dotted error paths and read-model column names) and unique ignoring case.
/// Problems are keyed `custom_fields.N.key` / `custom_fields.N.value`.
pub(crate) fn custom_fields(
    errors: &mut ValidationErrors,
    input: &[CustomField],
) -> BTreeMap<String, CustomValue> {
    check_count(
        errors,
        "custom_fields",
        input.len(),
        CUSTOM_FIELDS_MAX,
        "custom fields",
    );
    let key_rule = Text::line("a field name", CUSTOM_KEY_MAX_CHARS);
    let text_rule = Text::multiline("a custom text value", CUSTOM_TEXT_MAX_CHARS);
    let mut out = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, field) in input.iter().enumerate() {
        let key_path = format!("custom_fields.{i}.key");
        let value_path = format!("custom_fields.{i}.value");
        let before = errors.0.len();
        let key = key_rule.required(errors, &key_path, &field.key);
        if errors.0.len() == before {
            if key.contains('.') {
                errors.push(&key_path, "A field name cannot contain a full stop (.).");
            } else if !seen.insert(key.to_lowercase()) {
                errors.push(&key_path, "This field name is already used.");
            }
        }
        let value = match &field.value {
            CustomValue::Text(text) => {
                CustomValue::Text(text_rule.required(errors, &value_path, text))
            }
            CustomValue::Number(number) => {
                if !number.is_finite() {
                    errors.push(&value_path, "A number field needs a finite number.");
                }
                CustomValue::Number(*number)
            }
            other => other.clone(),
        };
        out.insert(key, value);
    }
    out
}

/// The stored map as a form's list, in key order.
pub(crate) fn to_fields(map: &BTreeMap<String, CustomValue>) -> Vec<CustomField> {
    map.iter()
        .map(|(key, value)| CustomField {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;

    fn field(key: &str, value: CustomValue) -> CustomField {
        CustomField {
            key: key.into(),
            value,
        }
    }

    #[test]
    fn types_are_consistent() {
        assert_choice_names::<CustomFieldType>();
        assert_eq!(CustomValue::Bool(true).field_type(), CustomFieldType::Bool);
        assert_eq!(
            CustomValue::Number(1.0).field_type(),
            CustomFieldType::Number
        );
    }

    #[test]
    fn typed_values_become_a_map() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
        let mut errors = ValidationErrors::default();
        let map = custom_fields(
            &mut errors,
            &[
                field(" School district ", CustomValue::Text(" North ".into())),
                field("Pre-approved", CustomValue::Bool(true)),
                field("Deposit %", CustomValue::Number(10.5)),
                field("Lease ends", CustomValue::Date(date)),
            ],
        );
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(
            map.get("School district"),
            Some(&CustomValue::Text("North".into()))
        );
        assert_eq!(map.get("Lease ends"), Some(&CustomValue::Date(date)));
        assert_eq!(to_fields(&map).len(), 4);
        assert_eq!(to_fields(&map)[0].key, "Deposit %");
    }

    #[test]
    fn values_serialise_with_their_type() {
        let json = serde_json::to_string(&CustomValue::Number(3.5)).expect("json");
        assert_eq!(json, r#"{"type":"number","value":3.5}"#);
        let back: CustomValue =
            serde_json::from_str(r#"{"type":"date","value":"2025-01-31"}"#).expect("json");
        assert_eq!(
            back,
            CustomValue::Date(NaiveDate::from_ymd_opt(2025, 1, 31).expect("date"))
        );
    }

    #[test]
    fn bad_fields_are_reported_by_index() {
        let mut errors = ValidationErrors::default();
        custom_fields(
            &mut errors,
            &[
                field("Budget", CustomValue::Bool(false)),
                field(" ", CustomValue::Bool(true)),
                field("budget", CustomValue::Bool(true)),
                field("a.b", CustomValue::Bool(true)),
                field("Score", CustomValue::Number(f64::NAN)),
                field("Note", CustomValue::Text("   ".into())),
                field(
                    &"k".repeat(CUSTOM_KEY_MAX_CHARS + 1),
                    CustomValue::Bool(true),
                ),
            ],
        );
        assert_eq!(
            errors.fields(),
            [
                "custom_fields.1.key",
                "custom_fields.2.key",
                "custom_fields.3.key",
                "custom_fields.4.value",
                "custom_fields.5.value",
                "custom_fields.6.key",
            ]
        );
    }

    #[test]
    fn too_many_fields() {
        let mut errors = ValidationErrors::default();
        let input: Vec<_> = (0..=CUSTOM_FIELDS_MAX)
            .map(|i| field(&format!("f{i}"), CustomValue::Bool(true)))
            .collect();
        custom_fields(&mut errors, &input);
        assert_eq!(errors.fields(), ["custom_fields"]);
    }
}
