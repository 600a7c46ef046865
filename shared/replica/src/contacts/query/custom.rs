//! Conditions on custom fields ("School district contains lincoln", "Deposit % > 5"), answered
//! from `contact_custom` through its indexes. The value arrives as the person typed it, so
//! every condition is checked here first and a bad one is refused with a message naming it
//! (`custom.N.value`), never turned into a filter that quietly matches nothing.

use super::Filter;
use chrono::NaiveDate;
use fieldstone_model::contact::CUSTOM_TEXT_MAX_CHARS;
use fieldstone_model::{CustomFieldType, ValidationErrors};
use fieldstone_protocol::views::{CustomFilter, CustomOp, CUSTOM_FILTERS_MAX};
use rusqlite::types::Value;

/// A checked condition: the name as rows hold it (`key_lower`) and what to compare.
#[derive(Debug, Clone, PartialEq)]
struct Condition {
    key_lower: String,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    IsSet,
    /// Lower-cased, as text values are stored.
    TextContains(String),
    TextEquals(String),
    Number(CustomOp, f64),
    /// `YYYY-MM-DD`, as dates are stored.
    Date(CustomOp, String),
    Bool(bool),
}

/// Checks every condition of a query, reporting each problem under `custom.N.*`.
pub(crate) fn check(errors: &mut ValidationErrors, filters: &[CustomFilter]) {
    if filters.len() > CUSTOM_FILTERS_MAX {
        errors.push(
            "custom",
            format!("A list filters by at most {CUSTOM_FILTERS_MAX} custom fields."),
        );
    }
    for (i, filter) in filters.iter().enumerate() {
        condition(errors, i, filter);
    }
}

/// Adds each condition to `f`. The query was [`check`]ed first; a condition that is still
/// not valid matches nothing rather than being dropped (which would widen the list).
pub(crate) fn push(f: &mut Filter, filters: &[CustomFilter]) {
    for (i, filter) in filters.iter().enumerate() {
        let mut ignored = ValidationErrors::default();
        let Some(condition) = condition(&mut ignored, i, filter) else {
            f.sql.push_str(" AND 0");
            continue;
        };
        let key = f.arg(Value::Text(condition.key_lower));
        let kind = |f: &mut Filter, kind: CustomFieldType| {
            format!(
                " AND cc.kind = {}",
                f.arg(Value::Text(kind.as_str().into()))
            )
        };
        let test = match condition.test {
            Test::IsSet => String::new(),
            Test::TextContains(text) => {
                let k = kind(f, CustomFieldType::Text);
                format!("{k} AND instr(cc.text, {}) > 0", f.arg(Value::Text(text)))
            }
            Test::TextEquals(text) => {
                let k = kind(f, CustomFieldType::Text);
                format!("{k} AND cc.text = {}", f.arg(Value::Text(text)))
            }
            Test::Number(op, n) => {
                let k = kind(f, CustomFieldType::Number);
                format!("{k} AND cc.num {} {}", compare(op), f.arg(Value::Real(n)))
            }
            Test::Date(op, day) => {
                let k = kind(f, CustomFieldType::Date);
                format!(
                    "{k} AND cc.text {} {}",
                    compare(op),
                    f.arg(Value::Text(day))
                )
            }
            Test::Bool(yes) => {
                let k = kind(f, CustomFieldType::Bool);
                let n = f.arg(Value::Real(if yes { 1.0 } else { 0.0 }));
                format!("{k} AND cc.num = {n}")
            }
        };
        f.sql.push_str(&format!(
            " AND c.id IN (SELECT cc.contact_id FROM contact_custom cc
                WHERE cc.key_lower = {key}{test})"
        ));
    }
}

/// The SQL comparison of an ordering condition.
fn compare(op: CustomOp) -> &'static str {
    match op {
        CustomOp::Less | CustomOp::Before => "<",
        CustomOp::Greater | CustomOp::After => ">",
        _ => "=",
    }
}

/// Checks one condition; `None` (with its problems in `errors`) if it cannot be run.
fn condition(errors: &mut ValidationErrors, i: usize, filter: &CustomFilter) -> Option<Condition> {
    let before = errors.0.len();
    let key = filter.key.trim();
    if key.is_empty() {
        errors.push(
            &format!("custom.{i}.key"),
            "Choose a custom field to filter by.",
        );
    }
    let kind = filter.field_type;
    if !filter.op.applies_to(kind) {
        let offered: Vec<&str> = CustomOp::for_type(kind)
            .iter()
            .map(|op| op.label(kind))
            .collect();
        let (last, rest) = offered.split_last().unwrap_or((&"is set", &[]));
        errors.push(
            &format!("custom.{i}.op"),
            format!(
                "A {} field is compared with {} or {last}.",
                kind.label().to_lowercase(),
                rest.join(", ")
            ),
        );
        return None;
    }
    let value = filter.value.trim();
    let value_path = format!("custom.{i}.value");
    let test = match (filter.op, kind) {
        (CustomOp::IsSet, _) => Some(Test::IsSet),
        (op, CustomFieldType::Text) => {
            if value.is_empty() {
                errors.push(&value_path, "Type the text to look for.");
                None
            } else if value.chars().count() > CUSTOM_TEXT_MAX_CHARS {
                errors.push(
                    &value_path,
                    format!("Look for at most {CUSTOM_TEXT_MAX_CHARS} characters."),
                );
                None
            } else if op == CustomOp::Contains {
                Some(Test::TextContains(value.to_lowercase()))
            } else {
                Some(Test::TextEquals(value.to_lowercase()))
            }
        }
        (op, CustomFieldType::Number) => match value.parse::<f64>() {
            // "NaN" and "inf" parse as numbers but compare with nothing.
            Ok(n) if n.is_finite() => Some(Test::Number(op, n)),
            _ => {
                errors.push(&value_path, "Enter a number, such as 3 or 2.5.");
                None
            }
        },
        (op, CustomFieldType::Date) => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(day) => Some(Test::Date(op, day.format("%Y-%m-%d").to_string())),
            Err(_) => {
                errors.push(
                    &value_path,
                    "Enter a date as year-month-day, such as 2026-03-01.",
                );
                None
            }
        },
        (_, CustomFieldType::Bool) => match value.to_lowercase().as_str() {
            "yes" | "true" => Some(Test::Bool(true)),
            "no" | "false" => Some(Test::Bool(false)),
            _ => {
                errors.push(&value_path, "Choose yes or no.");
                None
            }
        },
    };
    if errors.0.len() != before {
        return None;
    }
    Some(Condition {
        key_lower: key.to_lowercase(),
        test: test?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(kind: CustomFieldType, op: CustomOp, value: &str) -> CustomFilter {
        CustomFilter {
            key: " School District ".into(),
            field_type: kind,
            op,
            value: value.into(),
        }
    }

    fn problems(filters: &[CustomFilter]) -> Vec<(String, String)> {
        let mut errors = ValidationErrors::default();
        check(&mut errors, filters);
        errors
            .0
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect()
    }

    #[test]
    fn good_conditions_are_parsed_for_sql() {
        use CustomFieldType as T;
        let mut errors = ValidationErrors::default();
        let parsed = |f: CustomFilter, errors: &mut ValidationErrors| {
            condition(errors, 0, &f).map(|c| c.test)
        };
        assert_eq!(
            parsed(filter(T::Text, CustomOp::Contains, " LinCo "), &mut errors),
            Some(Test::TextContains("linco".into()))
        );
        assert_eq!(
            parsed(filter(T::Number, CustomOp::Less, "2.5"), &mut errors),
            Some(Test::Number(CustomOp::Less, 2.5))
        );
        assert_eq!(
            parsed(filter(T::Date, CustomOp::On, "2026-03-01"), &mut errors),
            Some(Test::Date(CustomOp::On, "2026-03-01".into()))
        );
        assert_eq!(
            parsed(filter(T::Bool, CustomOp::Is, "No"), &mut errors),
            Some(Test::Bool(false))
        );
        assert_eq!(
            parsed(filter(T::Bool, CustomOp::IsSet, ""), &mut errors),
            Some(Test::IsSet)
        );
        assert!(errors.is_empty(), "{errors}");
        let c = condition(&mut errors, 0, &filter(T::Text, CustomOp::IsSet, "")).expect("ok");
        assert_eq!(c.key_lower, "school district");
    }

    #[test]
    fn bad_conditions_are_refused_by_path() {
        use CustomFieldType as T;
        let found = problems(&[
            filter(T::Number, CustomOp::Less, "NaN"),
            filter(T::Number, CustomOp::Greater, "inf"),
            filter(T::Number, CustomOp::Equals, "three"),
            filter(T::Date, CustomOp::Before, "2026-02-30"),
            filter(T::Date, CustomOp::After, "01/03/2026"),
            filter(T::Bool, CustomOp::Is, "maybe"),
            filter(T::Text, CustomOp::Contains, "  "),
            filter(T::Number, CustomOp::Contains, "3"),
            CustomFilter {
                key: " ".into(),
                ..filter(T::Text, CustomOp::IsSet, "")
            },
        ]);
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "custom.0.value",
                "custom.1.value",
                "custom.2.value",
                "custom.3.value",
                "custom.4.value",
                "custom.5.value",
                "custom.6.value",
                "custom.7.op",
                "custom.8.key",
            ]
        );
        assert_eq!(found[0].1, "Enter a number, such as 3 or 2.5.");
        assert_eq!(
            found[7].1,
            "A number field is compared with =, <, > or is set."
        );
        let many = vec![filter(T::Text, CustomOp::IsSet, ""); CUSTOM_FILTERS_MAX + 1];
        assert_eq!(problems(&many)[0].0, "custom");
    }

    #[test]
    fn a_condition_that_slipped_past_the_check_matches_nothing() {
        let mut f = Filter::default();
        push(
            &mut f,
            &[filter(CustomFieldType::Date, CustomOp::On, "soon")],
        );
        assert_eq!(f.sql, " AND 0");
        assert!(f.args.is_empty());
    }
}
