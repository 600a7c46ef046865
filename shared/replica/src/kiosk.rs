//! Open-house sign-in (kiosk mode) on the device: which listing the device is locked to, the
//! agent's PIN that ends it, and each visitor written as a lead or as a visit on the contact
//! they already are. Kept in the device's own `meta` table: a kiosk is this device's state, not
//! a record to sync, and it survives a restart (a visitor closing the app does not unlock it).
//!
//! The PIN is stored salted and hashed (SHA-256: it guards a screen for an afternoon, not an
//! account; a slow hash would not stop 10,000 guesses, the lockout below does).

use crate::batch::new_uuid;
use crate::error::ReplicaError;
use crate::records;
use crate::store::Replica;
use chrono::{DateTime, Duration, Utc};
use fieldstone_model::contact::{Consent, MatchKey};
use fieldstone_model::sign_in::{check_pin, consent_text, SignIn};
use fieldstone_model::{
    Contact, ContactId, FollowUpPlanning, Interaction, InteractionId, ListingId, Task, TaskId,
    UserId, ValidationErrors,
};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const KEY: &str = "kiosk";
/// Wrong PINs in a row before the kiosk stops listening for a while.
pub const PIN_TRIES: u32 = 5;
/// How long it stops listening after [`PIN_TRIES`] wrong PINs.
pub const PIN_LOCKOUT_SECS: i64 = 60;

/// The running kiosk as the device keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stored {
    listing: ListingId,
    place: String,
    salt: String,
    pin_sha256: String,
    started_at: DateTime<Utc>,
    visitors: u32,
    wrong_pins: u32,
    #[serde(default)]
    quiet_until: Option<DateTime<Utc>>,
}

/// The running kiosk, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskState {
    pub listing: ListingId,
    pub place: String,
    pub consent_text: String,
    pub started_at: DateTime<Utc>,
    pub visitors: u32,
}

/// A visitor written: on which contact, and whether they were one already.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub contact: Contact,
    pub returning: bool,
    pub interaction: Interaction,
    pub visitors: u32,
}

fn hash(salt: &str, pin: &str) -> String {
    let digest = Sha256::digest(format!("{salt}:{pin}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn invalid(field: &str, message: impl Into<String>) -> ReplicaError {
    let mut errors = ValidationErrors::default();
    errors.push(field, message);
    ReplicaError::Validation(errors)
}

fn load(tx: &rusqlite::Connection) -> Result<Option<Stored>, ReplicaError> {
    let text: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
        .optional()?;
    // An unreadable entry (written by a future build) is no kiosk rather than a locked device.
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn store(tx: &Transaction<'_>, kiosk: &Stored) -> Result<(), ReplicaError> {
    let text = serde_json::to_string(kiosk)
        .map_err(|e| invalid("kiosk", format!("the kiosk could not be kept: {e}")))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![KEY, text],
    )?;
    Ok(())
}

impl Stored {
    fn state(&self) -> KioskState {
        KioskState {
            listing: self.listing,
            place: self.place.clone(),
            consent_text: consent_text(&self.place),
            started_at: self.started_at,
            visitors: self.visitors,
        }
    }
}

/// The contact (not deleted) with one of `keys`, the earliest made first.
fn existing(tx: &Transaction<'_>, keys: &[MatchKey]) -> Result<Option<ContactId>, ReplicaError> {
    let mut find = tx.prepare_cached(
        "SELECT c.id FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
         WHERE k.kind = ?1 AND k.value = ?2 AND c.deleted_at IS NULL
         ORDER BY c.created_at, c.id LIMIT 1",
    )?;
    for key in keys {
        let found: Option<String> = find
            .query_row(params![key.kind(), key.value()], |r| r.get(0))
            .optional()?;
        if let Some(id) = found.and_then(|id| id.parse().ok()) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

impl Replica {
    /// The running kiosk, if this device is locked to one.
    pub fn kiosk(&self) -> Result<Option<KioskState>, ReplicaError> {
        Ok(load(&self.reader())?.map(|k| k.state()))
    }

    /// Locks the device to `listing`'s sign-in form until [`Replica::end_kiosk`] with `pin`.
    /// One kiosk at a time: a running one must be ended first.
    pub fn start_kiosk(&self, listing: ListingId, pin: &str) -> Result<KioskState, ReplicaError> {
        check_pin(pin).map_err(|m| invalid("pin", m))?;
        let found = self
            .get_listing(&listing)?
            .filter(|l| l.deleted_at.is_none())
            .ok_or_else(|| ReplicaError::NotFound {
                what: format!("listing {listing}"),
            })?;
        self.write(|tx, now| {
            if load(tx)?.is_some() {
                return Err(invalid(
                    "pin",
                    "Sign-in mode is already on on this device; end it with its PIN first.",
                ));
            }
            let salt = new_uuid().simple().to_string();
            let kiosk = Stored {
                listing,
                place: found.address.one_line(),
                pin_sha256: hash(&salt, pin),
                salt,
                started_at: now,
                visitors: 0,
                wrong_pins: 0,
                quiet_until: None,
            };
            store(tx, &kiosk)?;
            Ok(kiosk.state())
        })
    }

    /// Ends the kiosk when `pin` is its PIN; answers the listing it was for. A wrong PIN is
    /// refused; after [`PIN_TRIES`] in a row every PIN is refused for [`PIN_LOCKOUT_SECS`].
    pub fn end_kiosk(&self, pin: &str) -> Result<ListingId, ReplicaError> {
        // The refusal is counted, so it is committed: an Err would roll the count back.
        let outcome = self.write(|tx, now| {
            let Some(mut kiosk) = load(tx)? else {
                return Ok(Err(invalid(
                    "pin",
                    "Sign-in mode is not on on this device.",
                )));
            };
            if let Some(until) = kiosk.quiet_until.filter(|until| *until > now) {
                let wait = (until - now).num_seconds().max(1);
                return Ok(Err(invalid(
                    "pin",
                    format!("Too many wrong PINs: try again in {wait} seconds."),
                )));
            }
            if hash(&kiosk.salt, pin) == kiosk.pin_sha256 {
                tx.execute("DELETE FROM meta WHERE key = ?1", [KEY])?;
                return Ok(Ok(kiosk.listing));
            }
            kiosk.wrong_pins += 1;
            if kiosk.wrong_pins >= PIN_TRIES {
                kiosk.wrong_pins = 0;
                kiosk.quiet_until = Some(now + Duration::seconds(PIN_LOCKOUT_SECS));
            }
            store(tx, &kiosk)?;
            Ok(Err(invalid("pin", "That PIN is not right.")))
        })?;
        outcome
    }

    /// A visitor signs in at the running kiosk, written by `by` from `device`: a new lead from
    /// the open house, or — when their email or phone is a contact's already — a visit on that
    /// contact (with consent granted from the open house if they ticked the box). Either way
    /// an in-person interaction on the listing keeps the consent text they saw. One
    /// transaction: the contact and the visit are written together or not at all.
    pub fn kiosk_sign_in(
        &self,
        sign_in: &SignIn,
        by: UserId,
        device: &str,
        planning: Option<&FollowUpPlanning>,
    ) -> Result<Visit, ReplicaError> {
        let visitor = sign_in.validate()?.into_inner();
        self.write(|tx, now| {
            let mut kiosk = load(tx)?
                .ok_or_else(|| invalid("given_name", "Sign-in mode is not on on this device."))?;
            let input = visitor.contact_input(&kiosk.place, now);
            let keys: Vec<MatchKey> = MatchKey::email(&visitor.email)
                .into_iter()
                .chain(MatchKey::phone(&visitor.phone))
                .collect();
            let (contact, returning) = match existing(tx, &keys)? {
                Some(id) => {
                    let contact = records::modify::<Contact>(tx, self.actor(), id, now, |c| {
                        if !visitor.consent {
                            return Ok(false);
                        }
                        let granted = input.consent.email.clone();
                        let mut changed = false;
                        for channel in fieldstone_model::ConsentChannel::ALL {
                            if c.consent.get(channel).status != granted.status {
                                c.consent.set(channel, Consent { ..granted.clone() });
                                changed = true;
                            }
                        }
                        if changed {
                            c.updated_at = now;
                        }
                        Ok(changed)
                    })?;
                    (contact, true)
                }
                None => {
                    let contact = Contact::create(
                        ContactId::from_uuid(new_uuid()),
                        input.validate()?,
                        by,
                        now,
                    );
                    records::insert(tx, self.actor(), now, &contact)?;
                    for input in planning.map(|p| p.tasks_for(&contact)).unwrap_or_default() {
                        let task =
                            Task::create(TaskId::from_uuid(new_uuid()), input.validate()?, by, now);
                        records::insert(tx, self.actor(), now, &task)?;
                    }
                    (contact, false)
                }
            };
            let visit = visitor
                .visit(contact.id, kiosk.listing, &kiosk.place, device, now)
                .validate()?;
            let interaction =
                Interaction::create(InteractionId::from_uuid(new_uuid()), visit, by, now);
            crate::interactions::note_contacted(tx, self.actor(), contact.id, now, now)?;
            records::insert(tx, self.actor(), now, &interaction)?;
            kiosk.visitors += 1;
            store(tx, &kiosk)?;
            let contact = records::get::<Contact>(tx, self.actor(), contact.id)?.unwrap_or(contact);
            Ok(Visit {
                contact,
                returning,
                interaction,
                visitors: kiosk.visitors,
            })
        })
    }
}
