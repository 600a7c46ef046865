//! A contact: a lead or a client, buyer or seller, with how to reach them, where they came from,
//! where they stand in the pipeline and what they are looking for.
//!
//! A lead is not a record kind of its own: it is a contact in a [`Stage`] of the pipeline
//! (`lead`, `qualified`, ...). `fieldstone_doc::contact` is where it becomes a document.

mod channels;
mod consent;
mod custom;
mod input;
mod matching;
mod preferences;
#[cfg(test)]
mod tests;

pub use channels::{
    ContactLabel, EmailEntry, PhoneEntry, EMAILS_MAX, INSTAGRAM_MAX_CHARS, PHONES_MAX,
};
pub use consent::{Consent, ConsentChannel, ConsentStatus, Consents, CONSENT_SOURCE_MAX_CHARS};
pub use custom::{
    CustomField, CustomFieldType, CustomValue, CUSTOM_FIELDS_MAX, CUSTOM_KEY_MAX_CHARS,
    CUSTOM_TEXT_MAX_CHARS,
};
pub use input::{ContactInput, NAME_MAX_CHARS, SOURCE_DETAIL_MAX_CHARS};
pub use matching::{MatchKey, ScoreBand, PHONE_MATCH_DIGITS};
pub use preferences::{
    Preferences, AREAS_MAX, AREA_NAME_MAX_CHARS, MUST_HAVES_MAX, MUST_HAVE_MAX_CHARS,
};

use crate::choice::choice_enum;
use crate::common::{soft_delete_by_field, Priority};
use crate::ids::{ContactId, UserId};
use crate::validation::Valid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Stage history keeps the newest entries up to this many, so a contact's document stays bounded
/// even if a stage is flipped back and forth for years (DESIGN decision 1).
pub const STAGE_HISTORY_MAX: usize = 200;

choice_enum! {
    /// What the contact wants to do.
    #[derive(Default)]
    pub enum ContactKind as "contact kind" {
        #[default]
        Buyer => ("buyer", "Buyer"),
        Seller => ("seller", "Seller"),
        Both => ("both", "Buyer and seller"),
        Other => ("other", "Other"),
    }
}

choice_enum! {
    /// Where a contact came from.
    #[derive(Default)]
    pub enum LeadSource as "lead source" {
        WebForm => ("web_form", "Web form"),
        OpenHouse => ("open_house", "Open house"),
        Referral => ("referral", "Referral"),
        Facebook => ("facebook", "Facebook"),
        Instagram => ("instagram", "Instagram"),
        WhatsApp => ("whatsapp", "WhatsApp"),
        Zillow => ("zillow", "Zillow"),
        #[default]
        Manual => ("manual", "Entered by hand"),
        Import => ("import", "Import"),
        Other => ("other", "Other"),
    }
}

choice_enum! {
    /// Where a contact stands in the pipeline. A new contact starts as a lead.
    #[derive(Default)]
    pub enum Stage as "stage" {
        #[default]
        Lead => ("lead", "Lead"),
        Qualified => ("qualified", "Qualified"),
        Showing => ("showing", "Showing"),
        Offer => ("offer", "Offer"),
        Closed => ("closed", "Closed"),
        Lost => ("lost", "Lost"),
    }
}

/// One move through the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    pub from: Stage,
    pub to: Stage,
    pub at: DateTime<Utc>,
    pub by: UserId,
}

/// A stored contact, as read back from the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub kind: ContactKind,
    /// May be blank when the contact is known only by email or phone.
    pub given_name: String,
    pub family_name: String,
    pub emails: Vec<EmailEntry>,
    pub phones: Vec<PhoneEntry>,
    pub instagram: Option<String>,
    pub whatsapp: Option<String>,
    pub source: LeadSource,
    pub source_detail: Option<String>,
    pub tags: BTreeSet<String>,
    pub stage: Stage,
    /// Oldest first; see [`STAGE_HISTORY_MAX`].
    pub stage_history: Vec<StageChange>,
    pub priority: Priority,
    pub preferences: Preferences,
    pub custom_fields: BTreeMap<String, CustomValue>,
    pub consent: Consents,
    /// Who created the contact (and whose scope it starts in).
    pub owner: UserId,
    /// Who works it now; only a broker may change this (enforced by the server).
    pub assigned_agent: Option<UserId>,
    pub last_contacted_at: Option<DateTime<Utc>>,
    /// The contact's IANA time zone when it is not the organisation's (see
    /// [`Contact::zone_or`]). Absent in what older builds sent.
    #[serde(default)]
    pub time_zone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Contact);

impl Contact {
    /// A new contact from a validated input. The engine mints the id and passes the time in.
    pub fn create(
        id: ContactId,
        input: Valid<ContactInput>,
        owner: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        let input = input.into_inner();
        Contact {
            id,
            kind: input.kind,
            given_name: input.given_name,
            family_name: input.family_name,
            emails: input.emails,
            phones: input.phones,
            instagram: input.instagram,
            whatsapp: input.whatsapp,
            source: input.source,
            source_detail: input.source_detail,
            tags: input.tags.into_iter().collect(),
            stage: input.stage,
            stage_history: Vec::new(),
            priority: input.priority,
            preferences: input.preferences,
            custom_fields: input
                .custom_fields
                .into_iter()
                .map(|field| (field.key, field.value))
                .collect(),
            consent: input.consent,
            owner,
            assigned_agent: input.assigned_agent,
            last_contacted_at: None,
            time_zone: input.time_zone,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    /// Replaces the editable fields with a validated input (an edit form's submit). A stage change
    /// is recorded in the history as by [`Contact::set_stage`].
    pub fn apply(&mut self, input: Valid<ContactInput>, at: DateTime<Utc>, by: UserId) {
        let stage = input.stage;
        let mut next = Contact::create(self.id, input, self.owner, self.created_at);
        next.stage = self.stage;
        next.stage_history = std::mem::take(&mut self.stage_history);
        next.last_contacted_at = self.last_contacted_at;
        next.deleted_at = self.deleted_at;
        next.updated_at = at;
        *self = next;
        self.set_stage(stage, at, by);
    }

    /// The contact as an edit form's starting values.
    pub fn to_input(&self) -> ContactInput {
        ContactInput {
            kind: self.kind,
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            emails: self.emails.clone(),
            phones: self.phones.clone(),
            instagram: self.instagram.clone(),
            whatsapp: self.whatsapp.clone(),
            source: self.source,
            source_detail: self.source_detail.clone(),
            tags: self.tags.iter().cloned().collect(),
            stage: self.stage,
            priority: self.priority,
            preferences: self.preferences.clone(),
            custom_fields: custom::to_fields(&self.custom_fields),
            consent: self.consent.clone(),
            assigned_agent: self.assigned_agent,
            time_zone: self.time_zone.clone(),
        }
    }

    /// The zone the contact's day is judged in (quiet hours for texts and calls): their own when
    /// set and known, else `organisation`'s.
    pub fn zone_or(&self, organisation: chrono_tz::Tz) -> chrono_tz::Tz {
        self.time_zone
            .as_deref()
            .and_then(|name| name.parse().ok())
            .unwrap_or(organisation)
    }

    /// What lists and headers call the contact: "Given Family" (either part alone if the other is
    /// blank), else the primary email, else the primary phone, else the Instagram handle or
    /// WhatsApp number, else "Unnamed contact".
    pub fn display_name(&self) -> String {
        let name = [self.given_name.trim(), self.family_name.trim()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            return name;
        }
        if let Some(email) = self.primary_email() {
            return email.address.clone();
        }
        if let Some(phone) = self.primary_phone() {
            return phone.number.clone();
        }
        if let Some(handle) = &self.instagram {
            return format!("@{handle}");
        }
        if let Some(number) = &self.whatsapp {
            return number.clone();
        }
        "Unnamed contact".to_owned()
    }

    /// The email marked primary, or the first one.
    pub fn primary_email(&self) -> Option<&EmailEntry> {
        self.emails
            .iter()
            .find(|e| e.primary)
            .or_else(|| self.emails.first())
    }

    /// The phone marked primary, or the first one.
    pub fn primary_phone(&self) -> Option<&PhoneEntry> {
        self.phones
            .iter()
            .find(|p| p.primary)
            .or_else(|| self.phones.first())
    }

    /// Moves the contact to `new`, appending `{from, to, at, by}` to the history only when the
    /// stage actually changes. Returns whether it changed. `updated_at` is left to the caller,
    /// which may be changing other fields in the same edit.
    pub fn set_stage(&mut self, new: Stage, at: DateTime<Utc>, by: UserId) -> bool {
        if new == self.stage {
            return false;
        }
        self.stage_history.push(StageChange {
            from: self.stage,
            to: new,
            at,
            by,
        });
        if self.stage_history.len() > STAGE_HISTORY_MAX {
            let excess = self.stage_history.len() - STAGE_HISTORY_MAX;
            self.stage_history.drain(..excess);
        }
        self.stage = new;
        true
    }

    /// Records that the agent was in touch at `at`; an older interaction logged late never moves
    /// the time backwards.
    pub fn record_contacted(&mut self, at: DateTime<Utc>) {
        if self.last_contacted_at.is_none_or(|last| at > last) {
            self.last_contacted_at = Some(at);
        }
    }
}
