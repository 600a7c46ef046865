//! Closed sets of named choices (kinds, statuses, labels...): one macro gives every such enum the
//! same shape, so documents, SQLite, the wire and the UI all agree on the names.
//!
//! Each enum gets serde names in `snake_case` (spelled out per variant so they can never drift
//! from [`Choice::as_str`]), `as_str()` (the stable machine name), `label()` (for people),
//! `Display` (the machine name), `FromStr` (the machine name back) and `ALL` (every variant, in
//! the order a form should offer them).

use std::fmt;

/// What every closed-set enum offers, so the UI can build a picker for any of them generically.
pub trait Choice: Copy + Eq + 'static {
    /// Every variant, in display order.
    fn all() -> &'static [Self];
    /// Stable machine name, used in documents, SQLite and the wire.
    fn as_str(self) -> &'static str;
    /// Name for people.
    fn label(self) -> &'static str;
}

/// A machine name that is not one of the enum's variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownChoice {
    /// What was being parsed, e.g. "priority".
    pub kind: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.kind, self.value)
    }
}

impl std::error::Error for UnknownChoice {}

macro_rules! count {
    () => { 0usize };
    ($head:ident $($tail:ident)*) => { 1usize + $crate::choice::count!($($tail)*) };
}

pub(crate) use count;

/// Declares a closed-set enum: `Variant => ("machine_name", "Label for people")`.
macro_rules! choice_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident as $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => ($machine:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $machine)] $variant ),+
        }

        impl $name {
            pub const ALL: [$name; $crate::choice::count!($($variant)+)] = [$($name::$variant),+];

            /// Stable machine name, used in documents, SQLite and the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $machine),+
                }
            }

            /// Name for people.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl $crate::choice::Choice for $name {
            fn all() -> &'static [Self] {
                &Self::ALL
            }

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::choice::UnknownChoice;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|choice| choice.as_str() == s)
                    .ok_or_else(|| $crate::choice::UnknownChoice {
                        kind: $kind,
                        value: s.to_owned(),
                    })
            }
        }
    };
}

pub(crate) use choice_enum;

/// Checks the promises above for one enum; every module's tests call it for its enums.
#[cfg(test)]
pub(crate) fn assert_choice_names<T>()
where
    T: Choice + fmt::Debug + std::str::FromStr + serde::Serialize + serde::de::DeserializeOwned,
{
    let mut seen = std::collections::BTreeSet::new();
    for &choice in T::all() {
        let name = choice.as_str();
        assert!(seen.insert(name), "{name} is used twice");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name} is not snake_case"
        );
        assert!(!choice.label().is_empty(), "{choice:?} has no label");
        let json = serde_json::to_string(&choice).expect("serialises");
        assert_eq!(json, format!("\"{name}\""), "serde and as_str disagree");
        let back: T = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, choice);
        assert_eq!(name.parse::<T>().ok(), Some(choice), "FromStr({name})");
    }
    assert!("no_such_choice".parse::<T>().is_err());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_choice_names_the_kind() {
        let error = UnknownChoice {
            kind: "priority",
            value: "urgent".into(),
        };
        assert_eq!(error.to_string(), "unknown priority \"urgent\"");
    }
}
