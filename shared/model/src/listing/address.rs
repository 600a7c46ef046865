//! A property's postal address, with an optional map position.

use crate::checks::{path, Text};
use crate::iso::check_country_code;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

pub const ADDRESS_LINE_MAX_CHARS: usize = 200;
pub const CITY_MAX_CHARS: usize = 100;
pub const REGION_MAX_CHARS: usize = 100;
pub const POSTAL_CODE_MAX_CHARS: usize = 16;

/// A postal address. `country` is an ISO 3166-1 alpha-2 code ("US", "GB").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    /// State, province or county.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    pub country: String,
    /// Degrees, WGS 84. Both or neither.
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

impl Address {
    /// The address on one line, as lists and calendar entries show it.
    pub fn one_line(&self) -> String {
        let region_postal = [self.region.as_deref(), self.postal_code.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [
            Some(self.line1.as_str()),
            self.line2.as_deref(),
            Some(self.city.as_str()),
            Some(region_postal.as_str()),
            Some(self.country.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// Checks and normalises (trimmed; postal code and country upper-cased); problems are keyed
    /// under `prefix`, e.g. `address.country`.
    pub(crate) fn normalised(&self, errors: &mut ValidationErrors, prefix: &str) -> Address {
        let key = |field: &str| path(prefix, field);
        let line_rule = Text::line("the first address line", ADDRESS_LINE_MAX_CHARS);
        let line1 = line_rule.required(errors, &key("line1"), &self.line1);
        let line2 = Text::line("the second address line", ADDRESS_LINE_MAX_CHARS).optional(
            errors,
            &key("line2"),
            self.line2.as_deref(),
        );
        let city = Text::line("a city", CITY_MAX_CHARS).required(errors, &key("city"), &self.city);
        let region = Text::line("a region", REGION_MAX_CHARS).optional(
            errors,
            &key("region"),
            self.region.as_deref(),
        );
        let postal_code = self
            .postal_code
            .as_deref()
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(str::to_uppercase);
        if let Some(code) = &postal_code {
            if code.chars().count() > POSTAL_CODE_MAX_CHARS
                || !code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-'))
            {
                errors.push(
                    &key("postal_code"),
                    format!(
                        "A postal code has at most {POSTAL_CODE_MAX_CHARS} letters, digits, spaces and hyphens."
                    ),
                );
            }
        }
        let country = match check_country_code(&self.country) {
            Ok(code) => code,
            Err(message) => {
                errors.push(&key("country"), message);
                self.country.trim().to_owned()
            }
        };
        check_position(errors, prefix, self.latitude, self.longitude);
        Address {
            line1,
            line2,
            city,
            region,
            postal_code,
            country,
            latitude: self.latitude,
            longitude: self.longitude,
        }
    }
}

fn check_position(
    errors: &mut ValidationErrors,
    prefix: &str,
    latitude: Option<f64>,
    longitude: Option<f64>,
) {
    let both = "Enter both latitude and longitude, or neither.";
    match (latitude, longitude) {
        (Some(_), None) => errors.push(&path(prefix, "longitude"), both),
        (None, Some(_)) => errors.push(&path(prefix, "latitude"), both),
        _ => {}
    }
    if latitude.is_some_and(|lat| !(-90.0..=90.0).contains(&lat)) {
        errors.push(
            &path(prefix, "latitude"),
            "A latitude is between -90 and 90 degrees.",
        );
    }
    if longitude.is_some_and(|lng| !(-180.0..=180.0).contains(&lng)) {
        errors.push(
            &path(prefix, "longitude"),
            "A longitude is between -180 and 180 degrees.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> Address {
        Address {
            line1: " 12 Elm Street ".into(),
            line2: Some(" ".into()),
            city: " Springfield ".into(),
            region: Some("IL".into()),
            postal_code: Some(" 62701-1234 ".into()),
            country: " us ".into(),
            latitude: Some(39.78),
            longitude: Some(-89.65),
        }
    }

    fn fields(address: &Address) -> Vec<String> {
        let mut errors = ValidationErrors::default();
        address.normalised(&mut errors, "address");
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_address_is_normalised() {
        let mut errors = ValidationErrors::default();
        let out = address().normalised(&mut errors, "address");
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(out.line1, "12 Elm Street");
        assert_eq!(out.line2, None);
        assert_eq!(out.city, "Springfield");
        assert_eq!(out.postal_code.as_deref(), Some("62701-1234"));
        assert_eq!(out.country, "US");
        assert_eq!(
            out.one_line(),
            "12 Elm Street, Springfield, IL 62701-1234, US"
        );
    }

    #[test]
    fn position_is_optional_but_both_or_neither() {
        let mut no_position = address();
        no_position.latitude = None;
        no_position.longitude = None;
        assert!(fields(&no_position).is_empty());
        let mut half = address();
        half.longitude = None;
        assert_eq!(fields(&half), ["address.longitude"]);
        let mut half = address();
        half.latitude = None;
        assert_eq!(fields(&half), ["address.latitude"]);
    }

    #[test]
    fn position_ranges() {
        let mut edge = address();
        edge.latitude = Some(-90.0);
        edge.longitude = Some(180.0);
        assert!(fields(&edge).is_empty());
        let mut bad = address();
        bad.latitude = Some(90.5);
        bad.longitude = Some(f64::NAN);
        assert_eq!(fields(&bad), ["address.latitude", "address.longitude"]);
    }

    #[test]
    fn required_parts_and_codes() {
        let mut bad = address();
        bad.line1 = " ".into();
        bad.city = String::new();
        bad.postal_code = Some("62701/1".into());
        bad.country = "UK".into();
        assert_eq!(
            fields(&bad),
            [
                "address.line1",
                "address.city",
                "address.postal_code",
                "address.country"
            ]
        );
        let mut long = address();
        long.line2 = Some("x".repeat(ADDRESS_LINE_MAX_CHARS + 1));
        long.region = Some("r".repeat(REGION_MAX_CHARS + 1));
        long.postal_code = Some("1".repeat(POSTAL_CODE_MAX_CHARS + 1));
        assert_eq!(
            fields(&long),
            ["address.line2", "address.region", "address.postal_code"]
        );
    }
}
