//! What a buyer is looking for: budget, areas, property types, size, move-in date, must-haves.
//! Later issues match listings against this.

use crate::checks::{check_money, path, Text};
use crate::listing::PropertyType;
use crate::measure::{Baths, BEDS_MAX};
use crate::validation::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const AREAS_MAX: usize = 20;
pub const AREA_NAME_MAX_CHARS: usize = 100;
pub const MUST_HAVES_MAX: usize = 20;
pub const MUST_HAVE_MAX_CHARS: usize = 100;

/// A buyer's wish list. Budgets are whole units of the agent's working currency (listings carry
/// their own currency code; a contact's budget is in the currency the agent works in).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default)]
    pub budget_min: Option<u64>,
    #[serde(default)]
    pub budget_max: Option<u64>,
    /// Neighbourhoods, towns or postcodes, as the buyer names them.
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub property_types: BTreeSet<PropertyType>,
    #[serde(default)]
    pub bedrooms_min: Option<u8>,
    #[serde(default)]
    pub bathrooms_min: Option<Baths>,
    #[serde(default)]
    pub move_in: Option<NaiveDate>,
    #[serde(default)]
    pub must_haves: Vec<String>,
}

impl Preferences {
    /// Whether `price` is inside the budget (a missing bound is open).
    pub fn budget_allows(&self, price: u64) -> bool {
        self.budget_min.is_none_or(|min| price >= min)
            && self.budget_max.is_none_or(|max| price <= max)
    }

    /// Checks and normalises; problems are keyed under `prefix` (e.g. `preferences.budget_max`).
    pub(crate) fn normalised(&self, errors: &mut ValidationErrors, prefix: &str) -> Preferences {
        let key = |field: &str| path(prefix, field);
        if let Some(min) = self.budget_min {
            check_money(errors, &key("budget_min"), min, "a minimum budget");
        }
        if let Some(max) = self.budget_max {
            check_money(errors, &key("budget_max"), max, "a maximum budget");
        }
        if let (Some(min), Some(max)) = (self.budget_min, self.budget_max) {
            if min > max {
                errors.push(
                    &key("budget_max"),
                    "The maximum budget must be at least the minimum budget.",
                );
            }
        }
        if self.bedrooms_min.is_some_and(|beds| beds > BEDS_MAX) {
            errors.push(
                &key("bedrooms_min"),
                format!("The minimum number of bedrooms can be at most {BEDS_MAX}."),
            );
        }
        if let Some(Err(message)) = self.bathrooms_min.map(Baths::check) {
            errors.push(&key("bathrooms_min"), message);
        }
        let areas = Text::line("an area", AREA_NAME_MAX_CHARS).list(
            errors,
            &key("areas"),
            &self.areas,
            AREAS_MAX,
            "areas",
        );
        let must_haves = Text::line("a must-have", MUST_HAVE_MAX_CHARS).list(
            errors,
            &key("must_haves"),
            &self.must_haves,
            MUST_HAVES_MAX,
            "must-haves",
        );
        Preferences {
            areas,
            must_haves,
            property_types: self.property_types.clone(),
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(prefs: &Preferences) -> Result<Preferences, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let out = prefs.normalised(&mut errors, "preferences");
        errors.into_result().map(|()| out)
    }

    fn fields(prefs: &Preferences) -> Vec<String> {
        check(prefs)
            .expect_err("invalid")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_full_wish_list_is_normalised() {
        let prefs = Preferences {
            budget_min: Some(300_000),
            budget_max: Some(450_000),
            areas: vec![" Soho ".into(), "soho".into(), "".into(), "Chelsea".into()],
            property_types: [PropertyType::Condo, PropertyType::Townhouse].into(),
            bedrooms_min: Some(2),
            bathrooms_min: Some(Baths(15)),
            move_in: NaiveDate::from_ymd_opt(2025, 9, 1),
            must_haves: vec!["Garden".into(), " parking ".into()],
        };
        let out = check(&prefs).expect("valid");
        assert_eq!(out.areas, ["Soho", "Chelsea"]);
        assert_eq!(out.must_haves, ["Garden", "parking"]);
        assert_eq!(out.budget_max, Some(450_000));
        assert_eq!(out.bathrooms_min, Some(Baths(15)));
        assert_eq!(check(&Preferences::default()), Ok(Preferences::default()));
    }

    #[test]
    fn equal_budget_bounds_are_fine() {
        let prefs = Preferences {
            budget_min: Some(500_000),
            budget_max: Some(500_000),
            ..Preferences::default()
        };
        assert!(check(&prefs).is_ok());
    }

    #[test]
    fn budget_min_above_max_is_reported_on_max() {
        let prefs = Preferences {
            budget_min: Some(500_000),
            budget_max: Some(400_000),
            ..Preferences::default()
        };
        assert_eq!(fields(&prefs), ["preferences.budget_max"]);
    }

    #[test]
    fn absurd_budgets_are_rejected() {
        let prefs = Preferences {
            budget_min: Some(crate::MONEY_MAX + 1),
            ..Preferences::default()
        };
        assert_eq!(fields(&prefs), ["preferences.budget_min"]);
    }

    #[test]
    fn size_limits() {
        let prefs = Preferences {
            bedrooms_min: Some(BEDS_MAX + 1),
            bathrooms_min: Some(Baths(12)),
            ..Preferences::default()
        };
        assert_eq!(
            fields(&prefs),
            ["preferences.bedrooms_min", "preferences.bathrooms_min"]
        );
    }

    #[test]
    fn list_limits() {
        let prefs = Preferences {
            areas: (0..=AREAS_MAX).map(|i| format!("area {i}")).collect(),
            must_haves: vec!["ok".into(), "x".repeat(MUST_HAVE_MAX_CHARS + 1)],
            ..Preferences::default()
        };
        assert_eq!(
            fields(&prefs),
            ["preferences.areas", "preferences.must_haves.1"]
        );
    }

    #[test]
    fn budget_matching_treats_missing_bounds_as_open() {
        let prefs = Preferences {
            budget_min: Some(100),
            budget_max: Some(200),
            ..Preferences::default()
        };
        assert!(prefs.budget_allows(100) && prefs.budget_allows(200));
        assert!(!prefs.budget_allows(99) && !prefs.budget_allows(201));
        assert!(Preferences::default().budget_allows(u64::MAX));
    }
}
