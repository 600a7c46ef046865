//! Fieldstone's domain: plain data and the rules every layer agrees on.
//!
//! Nothing here does I/O, reads the clock or makes random numbers (ids are minted and the time is
//! passed in by the engine), so the same validation runs in the engine (which enforces it) and in
//! the UI (which only displays the engine's verdict), and it all builds for wasm32.
//!
//! Every record kind has a stored struct ([`Contact`], [`Note`], [`Interaction`], [`Booking`],
//! [`Listing`], [`Task`]) and an input struct ([`ContactInput`], ...) whose `validate()` returns the
//! input normalised and marked [`Valid`], or every problem at once as [`ValidationErrors`] keyed by
//! dotted field paths (`emails.1.address`, `preferences.budget_max`, `address.country`).

pub mod blob;
pub mod booking;
pub mod branding;
pub mod campaign;
pub mod checks;
pub mod choice;
pub mod clock;
pub mod common;
pub mod contact;
pub mod drafting;
pub mod follow_up;
pub mod ids;
pub mod interaction;
pub mod iso;
pub mod listing;
pub mod locale;
pub mod measure;
pub mod message;
pub mod note;
pub mod outreach;
pub mod plan;
pub mod property_match;
pub mod routing;
pub mod score;
pub mod sign_in;
pub mod task;
pub mod uri;
pub mod validation;
pub mod weekly;

#[cfg(test)]
mod test_support;

pub use booking::{Attendees, Booking, BookingInput, BookingKind, BookingStatus};
pub use checks::{normalise_tag, MONEY_MAX};
pub use choice::{Choice, UnknownChoice};
pub use clock::{Clock, FixedClock};
pub use common::{Priority, RecordKind, RecordRef, SoftDelete};
pub use contact::{
    Consent, ConsentChannel, ConsentStatus, Consents, Contact, ContactInput, ContactKind,
    ContactLabel, CustomField, CustomFieldType, CustomValue, EmailEntry, LeadSource, MatchKey,
    PhoneEntry, Preferences, ScoreBand, Stage, StageChange,
};
pub use follow_up::{FollowUpPlanning, FollowUpSettings, FollowUpStep};
pub use ids::{
    BookingId, ContactId, DeviceId, InteractionId, NoteId, OrgId, TaskId, TeamId, UserId,
};
pub use interaction::{Channel, Direction, Interaction, InteractionInput};
pub use listing::{
    Address, Listing, ListingId, ListingInput, ListingStatus, Media, MediaKind, OpenHouse,
    PropertyType, Visibility,
};
pub use locale::{DateOrder, Locale, NumberStyle};
pub use measure::{Area, AreaUnit, Baths};
pub use message::{
    Message, MessageChannel, MessageEvent, MessageEventKind, MessageId, MessageInput,
    MessagePurpose, MessageResult, MessageStatus,
};
pub use note::{Note, NoteInput};
pub use outreach::{ConsentRules, Marketing, Refusal};
pub use task::{Task, TaskInput, TaskKind, TaskStatus};
pub use validation::{check_email, check_phone, e164, FieldError, Valid, ValidationErrors};
