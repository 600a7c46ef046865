//! The contact list's custom-field filter as the person sets it: a field (name and type, picked
//! from the names in use), a condition offered for that type, and the value as typed. It joins
//! the query once it is complete; the engine checks the value and its refusal is shown by the
//! filter.

use fieldstone_model::CustomFieldType;
use fieldstone_protocol::commands::CommandError;
use fieldstone_protocol::views::{CustomFieldName, CustomFilter, CustomOp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFilterDraft {
    /// Empty: no custom filter.
    pub key: String,
    pub kind: CustomFieldType,
    pub op: CustomOp,
    pub value: String,
}

impl Default for CustomFilterDraft {
    fn default() -> Self {
        CustomFilterDraft {
            key: String::new(),
            kind: CustomFieldType::Text,
            op: CustomOp::Contains,
            value: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomFilterEdit {
    /// A field picked (its name and type); an empty name clears the filter.
    Field(String, CustomFieldType),
    Op(CustomOp),
    Value(String),
}

impl CustomFilterDraft {
    pub fn from_filter(filter: &CustomFilter) -> Self {
        CustomFilterDraft {
            key: filter.key.clone(),
            kind: filter.field_type,
            op: filter.op,
            value: filter.value.clone(),
        }
    }

    pub fn apply(&mut self, edit: CustomFilterEdit) {
        match edit {
            CustomFilterEdit::Field(key, _) if key.trim().is_empty() => {
                *self = CustomFilterDraft::default();
            }
            CustomFilterEdit::Field(key, kind) => {
                let same_type = kind == self.kind && !self.key.is_empty();
                self.key = key;
                if !same_type {
                    self.kind = kind;
                    self.op = CustomOp::for_type(kind)
                        .first()
                        .copied()
                        .unwrap_or(CustomOp::IsSet);
                    self.value = if kind == CustomFieldType::Bool {
                        "yes".into()
                    } else {
                        String::new()
                    };
                }
            }
            CustomFilterEdit::Op(op) => {
                if op.applies_to(self.kind) {
                    self.op = op;
                }
            }
            CustomFilterEdit::Value(value) => self.value = value,
        }
    }

    /// Whether a field is picked.
    pub fn is_set(&self) -> bool {
        !self.key.trim().is_empty()
    }

    /// Whether the condition needs a value typed.
    pub fn needs_value(&self) -> bool {
        self.op != CustomOp::IsSet
    }

    /// The condition to send: none until a field is picked and, unless it is "is set", a
    /// value typed.
    pub fn to_filter(&self) -> Option<CustomFilter> {
        if !self.is_set() || (self.needs_value() && self.value.trim().is_empty()) {
            return None;
        }
        Some(CustomFilter {
            key: self.key.clone(),
            field_type: self.kind,
            op: self.op,
            value: if self.needs_value() {
                self.value.trim().to_owned()
            } else {
                String::new()
            },
        })
    }
}

/// How a field is named in the picker's options: `{type}:{name}` (a type's machine name has
/// no colon), so a name used with two types is two options.
pub fn option_value(key: &str, kind: CustomFieldType) -> String {
    format!("{}:{key}", kind.as_str())
}

/// The field an option names; an unknown type or "Any" clears the filter.
pub fn parse_option(value: &str) -> (String, CustomFieldType) {
    value
        .split_once(':')
        .and_then(|(kind, key)| {
            CustomFieldType::ALL
                .iter()
                .find(|k| k.as_str() == kind)
                .map(|kind| (key.to_owned(), *kind))
        })
        .unwrap_or((String::new(), CustomFieldType::Text))
}

/// The picker's fields: the names in use, plus the one set if it is not among them (a smart
/// list saved before its last contact lost the field); `(option value, label)`. A name used
/// with two types says which is which.
pub fn field_options(
    names: &[CustomFieldName],
    current: &CustomFilterDraft,
) -> Vec<(String, String)> {
    let mut listed: Vec<(String, CustomFieldType)> = names
        .iter()
        .map(|n| (n.key.clone(), n.field_type))
        .collect();
    if current.is_set()
        && !listed
            .iter()
            .any(|(k, t)| k.to_lowercase() == current.key.to_lowercase() && *t == current.kind)
    {
        listed.push((current.key.clone(), current.kind));
    }
    let twice = |key: &str| {
        listed
            .iter()
            .filter(|(k, _)| k.to_lowercase() == key.to_lowercase())
            .count()
            > 1
    };
    let mut options: Vec<(String, String)> = listed
        .iter()
        .map(|(key, kind)| {
            let label = if twice(key) {
                format!("{key} ({})", kind.label().to_lowercase())
            } else {
                key.clone()
            };
            (option_value(key, *kind), label)
        })
        .collect();
    options.sort_by_key(|(_, label)| label.to_lowercase());
    options
}

/// The engine's message about the custom filter, if that is what it refused.
pub fn refusal(error: &CommandError) -> Option<String> {
    error
        .fields
        .iter()
        .find(|f| f.field == "custom" || f.field.starts_with("custom."))
        .map(|f| f.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::FieldError;
    use fieldstone_protocol::commands::CommandErrorCode;

    #[test]
    fn a_picked_field_offers_its_types_first_condition_and_waits_for_a_value() {
        let mut draft = CustomFilterDraft::default();
        assert_eq!(draft.to_filter(), None);
        draft.apply(CustomFilterEdit::Field(
            "Deposit %".into(),
            CustomFieldType::Number,
        ));
        assert_eq!(draft.op, CustomOp::Equals);
        assert_eq!(draft.to_filter(), None, "no value yet");
        draft.apply(CustomFilterEdit::Op(CustomOp::Contains));
        assert_eq!(draft.op, CustomOp::Equals, "not a number's condition");
        draft.apply(CustomFilterEdit::Op(CustomOp::Greater));
        draft.apply(CustomFilterEdit::Value(" 5 ".into()));
        assert_eq!(
            draft.to_filter(),
            Some(CustomFilter {
                key: "Deposit %".into(),
                field_type: CustomFieldType::Number,
                op: CustomOp::Greater,
                value: "5".into(),
            })
        );
        draft.apply(CustomFilterEdit::Op(CustomOp::IsSet));
        assert_eq!(draft.to_filter().map(|f| f.value), Some(String::new()));
        draft.apply(CustomFilterEdit::Field(
            "Pre-approved".into(),
            CustomFieldType::Bool,
        ));
        assert_eq!((draft.op, draft.value.as_str()), (CustomOp::Is, "yes"));
        assert!(draft.to_filter().is_some(), "yes is a value");
        draft.apply(CustomFilterEdit::Field(
            String::new(),
            CustomFieldType::Text,
        ));
        assert_eq!(draft, CustomFilterDraft::default());
    }

    #[test]
    fn options_name_each_field_and_type_once() {
        let names = vec![
            CustomFieldName {
                key: "School district".into(),
                field_type: CustomFieldType::Text,
                contacts: 4,
            },
            CustomFieldName {
                key: "Deposit".into(),
                field_type: CustomFieldType::Number,
                contacts: 2,
            },
            CustomFieldName {
                key: "deposit".into(),
                field_type: CustomFieldType::Text,
                contacts: 1,
            },
        ];
        let saved = CustomFilterDraft {
            key: "Gone field".into(),
            kind: CustomFieldType::Date,
            op: CustomOp::On,
            value: "2026-01-01".into(),
        };
        let options = field_options(&names, &saved);
        let labels: Vec<&str> = options.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Deposit (number)",
                "deposit (text)",
                "Gone field",
                "School district"
            ]
        );
        assert_eq!(
            parse_option(&options[0].0),
            ("Deposit".into(), CustomFieldType::Number)
        );
        assert_eq!(parse_option("").0, "");
        assert_eq!(parse_option("colour:x").0, "");
    }

    #[test]
    fn the_engines_refusal_of_the_filter_is_picked_out() {
        let error = CommandError {
            code: CommandErrorCode::Validation,
            message: "Some fields need attention.".into(),
            fields: vec![FieldError {
                field: "custom.0.value".into(),
                message: "Enter a number, such as 3 or 2.5.".into(),
            }],
            detail: None,
        };
        assert_eq!(
            refusal(&error).as_deref(),
            Some("Enter a number, such as 3 or 2.5.")
        );
        assert_eq!(
            refusal(&CommandError::new(CommandErrorCode::Storage, "Disk full.")),
            None
        );
    }
}
