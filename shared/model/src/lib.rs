//! Fieldstone's domain: plain data and the rules every layer agrees on.
//!
//! Nothing here does I/O, so the same validation runs in the engine (which enforces it) and in
//! the UI (which only displays the engine's verdict).

pub mod clock;
pub mod ids;
pub mod lead;
pub mod validation;

pub use clock::{Clock, FixedClock};
pub use ids::LeadId;
pub use lead::{Lead, LeadInput, Stage};
pub use validation::{check_email, FieldError, ValidationErrors};
