//! Quantities a listing or a buyer's wish list is measured in: bathrooms and floor/lot areas.

use crate::choice::choice_enum;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub const BEDS_MAX: u8 = 50;
/// 50 bathrooms, in tenths.
pub const BATHS_MAX_TENTHS: u16 = 500;
pub const AREA_MAX: u32 = 1_000_000_000;

/// A number of bathrooms, stored as **tenths** (2.5 baths is `Baths(25)`; JSON holds `25`).
///
/// Why tenths and not an `f32` with 0.5 steps: an integer compares and hashes exactly (`Eq`, `Ord`,
/// no NaN), sorts and filters exactly in SQLite (`baths >= 25`), merges as a plain Automerge integer,
/// and reads back the same on every platform. Tenths rather than halves because listings write
/// baths with one decimal; validation currently accepts whole and half baths only (multiples of 5),
/// and quarter-style counts would need no change of format if a market wants them later.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Baths(pub u16);

impl Baths {
    pub const fn from_tenths(tenths: u16) -> Self {
        Self(tenths)
    }

    /// `from_halves(5)` is 2.5 baths.
    pub const fn from_halves(halves: u16) -> Self {
        Self(halves.saturating_mul(5))
    }

    pub const fn tenths(self) -> u16 {
        self.0
    }

    /// Whole and half baths only, at most [`BATHS_MAX_TENTHS`]. The error is a sentence for people.
    pub fn check(self) -> Result<(), String> {
        if self.0 > BATHS_MAX_TENTHS {
            Err(format!(
                "A number of bathrooms can be at most {}.",
                BATHS_MAX_TENTHS / 10
            ))
        } else if !self.0.is_multiple_of(5) {
            Err(format!(
                "Bathrooms are counted in whole or half baths (such as 2 or 2.5), not {self}."
            ))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for Baths {
    /// "2", "2.5": the way people write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, tenth) = (self.0 / 10, self.0 % 10);
        if tenth == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{tenth}")
        }
    }
}

/// Text that is not a count of baths with at most one decimal, such as "2" or "2.5".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBaths(pub String);

impl fmt::Display for BadBaths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a number of baths such as 2 or 2.5", self.0)
    }
}

impl std::error::Error for BadBaths {}

impl FromStr for Baths {
    type Err = BadBaths;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadBaths(s.to_owned());
        let text = s.trim();
        let (whole, tenth) = text.split_once('.').unwrap_or((text, "0"));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(tenth) || tenth.len() != 1 {
            return Err(bad());
        }
        let whole: u16 = whole.parse().map_err(|_| bad())?;
        let tenth: u16 = tenth.parse().map_err(|_| bad())?;
        whole
            .checked_mul(10)
            .and_then(|t| t.checked_add(tenth))
            .map(Baths)
            .ok_or_else(bad)
    }
}

choice_enum! {
    /// The unit an area was given in; kept as typed so the agent sees their own numbers back.
    pub enum AreaUnit as "area unit" {
        SquareMetres => ("square_metres", "m²"),
        SquareFeet => ("square_feet", "sq ft"),
    }
}

impl AreaUnit {
    /// How many square metres one of this unit is.
    pub const fn square_metres(self) -> f64 {
        match self {
            AreaUnit::SquareMetres => 1.0,
            AreaUnit::SquareFeet => 0.092_903_04,
        }
    }
}

/// A floor or lot area: a whole number in the unit it was given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Area {
    pub value: u32,
    pub unit: AreaUnit,
}

impl Area {
    pub const fn new(value: u32, unit: AreaUnit) -> Self {
        Self { value, unit }
    }

    /// The area in square metres, for comparing areas given in different units.
    pub fn to_square_metres(self) -> f64 {
        f64::from(self.value) * self.unit.square_metres()
    }

    /// 1 to [`AREA_MAX`] units. The error is a sentence for people.
    pub fn check(self) -> Result<(), String> {
        if (1..=AREA_MAX).contains(&self.value) {
            Ok(())
        } else {
            Err(format!(
                "An area is a whole number from 1 to {AREA_MAX} {}.",
                self.unit.label()
            ))
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;

    #[test]
    fn baths_read_and_print_like_people_write_them() {
        assert_eq!("2.5".parse::<Baths>(), Ok(Baths(25)));
        assert_eq!(" 3 ".parse::<Baths>(), Ok(Baths(30)));
        assert_eq!("1.0".parse::<Baths>(), Ok(Baths(10)));
        assert_eq!(Baths(25).to_string(), "2.5");
        assert_eq!(Baths(30).to_string(), "3");
        assert_eq!(Baths::from_halves(5), Baths(25));
        assert_eq!(Baths::from_tenths(15).tenths(), 15);
        for bad in ["", "2.", ".5", "2.25", "-1", "two", "1e1", "99999"] {
            assert!(bad.parse::<Baths>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn baths_allow_whole_and_half_only() {
        assert!(Baths(0).check().is_ok());
        assert!(Baths(25).check().is_ok());
        assert!(Baths(BATHS_MAX_TENTHS).check().is_ok());
        assert!(Baths(23).check().is_err());
        assert!(Baths(BATHS_MAX_TENTHS + 5).check().is_err());
        assert!(Baths(20) < Baths(25), "orders exactly");
    }

    #[test]
    fn baths_serialise_as_tenths() {
        assert_eq!(serde_json::to_string(&Baths(25)).expect("json"), "25");
        assert_eq!(
            serde_json::from_str::<Baths>("15").expect("json"),
            Baths(15)
        );
    }

    #[test]
    fn areas_convert_and_check() {
        assert_choice_names::<AreaUnit>();
        let feet = Area::new(1000, AreaUnit::SquareFeet);
        assert!((feet.to_square_metres() - 92.903_04).abs() < 1e-9);
        assert_eq!(
            Area::new(90, AreaUnit::SquareMetres).to_square_metres(),
            90.0
        );
        assert_eq!(feet.to_string(), "1000 sq ft");
        assert!(feet.check().is_ok());
        assert!(Area::new(0, AreaUnit::SquareMetres).check().is_err());
        assert!(Area::new(AREA_MAX + 1, AreaUnit::SquareFeet)
            .check()
            .is_err());
        let json = serde_json::to_string(&feet).expect("json");
        assert_eq!(json, r#"{"value":1000,"unit":"square_feet"}"#);
    }
}
