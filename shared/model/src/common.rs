//! Small types several record kinds share: what a note or task is attached to, priorities, and
//! soft deletion.

use crate::choice::{choice_enum, UnknownChoice};
use crate::ids::{BookingId, ContactId};
use crate::listing::ListingId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

choice_enum! {
    /// How urgent a contact or task is.
    #[derive(Default)]
    pub enum Priority as "priority" {
        Low => ("low", "Low"),
        #[default]
        Medium => ("medium", "Medium"),
        High => ("high", "High"),
    }
}

choice_enum! {
    /// The kinds of record a note or task can be attached to.
    pub enum RecordKind as "record kind" {
        Contact => ("contact", "Contact"),
        Listing => ("listing", "Listing"),
        Booking => ("booking", "Booking"),
    }
}

/// A link to one record: what a note or task is about.
///
/// Serialised as `{"kind": "contact", "id": "<uuid>"}`; as text (`Display`/`FromStr`) it is
/// `contact:<uuid>`, handy in URLs and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RecordRef {
    Contact(ContactId),
    Listing(ListingId),
    Booking(BookingId),
}

impl RecordRef {
    pub const fn kind(&self) -> RecordKind {
        match self {
            RecordRef::Contact(_) => RecordKind::Contact,
            RecordRef::Listing(_) => RecordKind::Listing,
            RecordRef::Booking(_) => RecordKind::Booking,
        }
    }

    pub const fn as_contact(&self) -> Option<ContactId> {
        match self {
            RecordRef::Contact(id) => Some(*id),
            _ => None,
        }
    }
}

impl From<ContactId> for RecordRef {
    fn from(id: ContactId) -> Self {
        RecordRef::Contact(id)
    }
}

impl From<ListingId> for RecordRef {
    fn from(id: ListingId) -> Self {
        RecordRef::Listing(id)
    }
}

impl From<BookingId> for RecordRef {
    fn from(id: BookingId) -> Self {
        RecordRef::Booking(id)
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordRef::Contact(id) => write!(f, "contact:{id}"),
            RecordRef::Listing(id) => write!(f, "listing:{id}"),
            RecordRef::Booking(id) => write!(f, "booking:{id}"),
        }
    }
}

/// Text that is not `kind:uuid` with a known kind and a well-formed id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecordRef(pub String);

impl fmt::Display for BadRecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a record reference (expected kind:uuid)",
            self.0
        )
    }
}

impl std::error::Error for BadRecordRef {}

impl FromStr for RecordRef {
    type Err = BadRecordRef;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadRecordRef(s.to_owned());
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let kind: RecordKind = kind.parse().map_err(|_: UnknownChoice| bad())?;
        Ok(match kind {
            RecordKind::Contact => RecordRef::Contact(id.parse().map_err(|_| bad())?),
            RecordKind::Listing => RecordRef::Listing(id.parse().map_err(|_| bad())?),
            RecordKind::Booking => RecordRef::Booking(id.parse().map_err(|_| bad())?),
        })
    }
}

/// Records are never erased by a person, only marked deleted, so a delete syncs like any other
/// edit and can be undone.
pub trait SoftDelete {
    fn deleted_at(&self) -> Option<DateTime<Utc>>;
    fn set_deleted_at(&mut self, at: Option<DateTime<Utc>>);

    fn is_deleted(&self) -> bool {
        self.deleted_at().is_some()
    }

    /// Marks the record deleted at `at`; deleting again keeps the first time.
    fn soft_delete(&mut self, at: DateTime<Utc>) {
        if self.deleted_at().is_none() {
            self.set_deleted_at(Some(at));
        }
    }

    fn restore(&mut self) {
        self.set_deleted_at(None);
    }
}

/// Implements [`SoftDelete`] for a struct with a `deleted_at: Option<DateTime<Utc>>` field.
macro_rules! soft_delete_by_field {
    ($($name:ty),+) => {
        $(
            impl $crate::common::SoftDelete for $name {
                fn deleted_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
                    self.deleted_at
                }

                fn set_deleted_at(&mut self, at: Option<chrono::DateTime<chrono::Utc>>) {
                    self.deleted_at = at;
                }
            }
        )+
    };
}

pub(crate) use soft_delete_by_field;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;

    const UUID: &str = "00000000-0000-4000-8000-00000000000a";

    #[test]
    fn choices_are_consistent() {
        assert_choice_names::<Priority>();
        assert_choice_names::<RecordKind>();
        assert_eq!(Priority::default(), Priority::Medium);
        assert_eq!(Priority::High.label(), "High");
        assert!(Priority::Low < Priority::Medium && Priority::Medium < Priority::High);
    }

    #[test]
    fn record_ref_serialises_with_kind_and_id() {
        let id: ContactId = UUID.parse().expect("a uuid");
        let record = RecordRef::from(id);
        let json = serde_json::to_string(&record).expect("serialises");
        assert_eq!(json, format!(r#"{{"kind":"contact","id":"{UUID}"}}"#));
        let back: RecordRef = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, record);
        assert_eq!(back.kind(), RecordKind::Contact);
        assert_eq!(back.as_contact(), Some(id));
    }

    #[test]
    fn record_ref_text_round_trips() {
        for text in [
            format!("contact:{UUID}"),
            format!("listing:{UUID}"),
            format!("booking:{UUID}"),
        ] {
            let record: RecordRef = text.parse().expect("parses");
            assert_eq!(record.to_string(), text);
        }
        assert_eq!(
            format!("listing:{UUID}")
                .parse::<RecordRef>()
                .expect("parses")
                .as_contact(),
            None
        );
        for bad in [
            UUID.to_owned(),
            format!("task:{UUID}"),
            "contact:nope".to_owned(),
            String::new(),
        ] {
            assert!(bad.parse::<RecordRef>().is_err(), "{bad} accepted");
        }
    }
}
