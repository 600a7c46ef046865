//! Record identifiers. Every id is a UUID wrapped in its own type so a `ContactId` can never
//! be passed where a listing id is expected.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(::uuid::Uuid);

        impl $name {
            /// Wraps an existing UUID (fresh ids are minted by the engine, which owns randomness).
            pub const fn from_uuid(uuid: ::uuid::Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &::uuid::Uuid {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                ::uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

/// A record kind declares its id next to the record (`id_type!(OfferId)` in `offer.rs`), so a
/// new kind adds no line here; the ids below are the ones shared by several kinds or by the
/// server.
pub(crate) use id_type;

id_type!(
    /// A contact: a lead or a client, buyer or seller.
    ContactId
);

id_type!(
    /// A note attached to a contact, listing or booking.
    NoteId
);

id_type!(
    /// A logged call, message or meeting with a contact.
    InteractionId
);

id_type!(
    /// A showing, open house, meeting or call in the calendar.
    BookingId
);

id_type!(
    /// A task or follow-up.
    TaskId
);

id_type!(
    /// A person who signs in: an agent, broker or admin.
    UserId
);

id_type!(
    /// An organisation (a brokerage): the tenant every server record belongs to.
    OrgId
);

id_type!(
    /// A team of agents inside an organisation, led by brokers.
    TeamId
);

id_type!(
    /// One registered device (a laptop or phone) of one user.
    DeviceId
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::ListingId;
    use uuid::Uuid;

    #[test]
    fn id_round_trips_through_text_and_json() {
        let id = ContactId::from_uuid(Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0));
        let text = id.to_string();
        assert_eq!(text, "12345678-9abc-def0-1234-56789abcdef0");
        assert_eq!(text.parse::<ContactId>().ok(), Some(id));
        let json = serde_json::to_string(&id).unwrap_or_default();
        assert_eq!(json, format!("\"{text}\""));
    }

    #[test]
    fn every_id_kind_round_trips() {
        let uuid = Uuid::from_u128(0x00ff_00ff_00ff_4000_8000_0000_0000_0001);
        let text = "00ff00ff-00ff-4000-8000-000000000001";
        assert_eq!(ContactId::from_uuid(uuid).to_string(), text);
        assert_eq!(text.parse::<NoteId>().ok(), Some(NoteId::from_uuid(uuid)));
        assert_eq!(
            text.parse::<InteractionId>().ok(),
            Some(InteractionId::from_uuid(uuid))
        );
        assert_eq!(
            text.parse::<BookingId>().ok(),
            Some(BookingId::from_uuid(uuid))
        );
        assert_eq!(
            text.parse::<ListingId>().ok(),
            Some(ListingId::from_uuid(uuid))
        );
        assert_eq!(text.parse::<TaskId>().ok(), Some(TaskId::from_uuid(uuid)));
        let user = UserId::from_uuid(uuid);
        assert_eq!(user.as_uuid(), &uuid);
        let json = serde_json::to_string(&user).expect("serialises");
        assert_eq!(json, format!("\"{text}\""));
    }

    #[test]
    fn malformed_id_is_rejected() {
        assert!("not-a-uuid".parse::<ContactId>().is_err());
    }
}
