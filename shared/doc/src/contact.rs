//! A contact as an Automerge document. This is where a lead becomes a document: a lead is a
//! contact in the `lead` stage (or any stage of the pipeline), not a kind of its own; the
//! walking skeleton's `lead` documents are retired (see [`crate::RETIRED_KINDS`]).
//!
//! Mapping decisions (DESIGN decision 1: concurrent edits must merge well):
//! - `tags` is a map `{ "<tag>": true }`, i.e. a set: two devices adding different tags both
//!   survive a merge, and removing one tag deletes only that key, never a concurrent add.
//! - `emails` / `phones` are lists of maps keyed (`#[key]`) by address / number. Order matters
//!   (display order), so a list; the key makes autosurgeon diff by entry, inserting and deleting
//!   single entries instead of overwriting by position, so concurrent adds both survive.
//! - `custom_fields` is a map keyed by field name: concurrent edits of different fields merge, an
//!   edit of the same field is a per-field conflict. Each value is `{ "<type>": value }`.
//! - `stage_history` is a list only appended to (and trimmed at the front to
//!   [`STAGE_HISTORY_MAX`](fieldstone_model::contact::STAGE_HISTORY_MAX) by the model); entries are
//!   keyed by time so trimming deletes the oldest entries rather than rewriting every slot.
//! - `preferences.property_types` is a set map like `tags`; consents are a map per channel.
//! - Timestamps are i64 milliseconds (`*_ms`), money is u64, ids are strings, enums their
//!   `as_str()` names, dates ISO `YYYY-MM-DD`.

use crate::util::{
    check_kind, commit, date, ensure_readable, millis, narrow, opt_millis, opt_parse, parse,
    root_doc,
};
use crate::DocError;
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{reconcile, Hydrate, MaybeMissing, Reconcile};
use fieldstone_model::contact::Preferences;
use fieldstone_model::{
    Baths, Consent, Consents, Contact, CustomValue, EmailEntry, PhoneEntry, StageChange,
};
use std::collections::{BTreeMap, BTreeSet};

#[cfg(test)]
mod tests;

pub const KIND: &str = "contact";
/// Shape version of contact documents written by this build. Version 2 added `time_zone`; a
/// version 1 document (without it) reads as a contact in the organisation's zone.
pub const SCHEMA: u64 = 2;

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/contact_v2.hex` (and `contact_v1.hex`, still read): a changed
    /// shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct ContactDoc {
        schema: u64,
        kind: String,
        id: String,
        contact_kind: String,
        given_name: String,
        family_name: String,
        emails: Vec<EmailDoc>,
        phones: Vec<PhoneDoc>,
        instagram: Option<String>,
        whatsapp: Option<String>,
        source: String,
        source_detail: Option<String>,
        tags: BTreeMap<String, bool>,
        stage: String,
        stage_history: Vec<StageChangeDoc>,
        priority: String,
        preferences: PreferencesDoc,
        custom_fields: BTreeMap<String, CustomDoc>,
        consent: ConsentsDoc,
        owner: String,
        assigned_agent: Option<String>,
        last_contacted_at_ms: Option<i64>,
        // Schema 2. Missing in a version 1 document, which is read as `None`; every write
        // stores it (null when unset).
        time_zone: MaybeMissing<Option<String>>,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct EmailDoc {
    #[key]
    address: String,
    label: String,
    primary: bool,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct PhoneDoc {
    #[key]
    number: String,
    label: String,
    primary: bool,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct StageChangeDoc {
    #[key]
    at_ms: i64,
    from: String,
    to: String,
    by: String,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct PreferencesDoc {
    budget_min: Option<u64>,
    budget_max: Option<u64>,
    areas: Vec<String>,
    property_types: BTreeMap<String, bool>,
    bedrooms_min: Option<u64>,
    bathrooms_min_tenths: Option<u64>,
    move_in: Option<String>,
    must_haves: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
enum CustomDoc {
    #[autosurgeon(rename = "text")]
    Text(String),
    #[autosurgeon(rename = "number")]
    Number(f64),
    #[autosurgeon(rename = "date")]
    Date(String),
    #[autosurgeon(rename = "bool")]
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct ConsentDoc {
    status: String,
    source: Option<String>,
    recorded_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct ConsentsDoc {
    email: ConsentDoc,
    sms: ConsentDoc,
    call: ConsentDoc,
}

/// A set as a map of `true`s; keys whose value is not `true` are not members.
fn set_doc<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, bool> {
    items.into_iter().map(|s| (s.to_owned(), true)).collect()
}

fn set_members(map: BTreeMap<String, bool>) -> impl Iterator<Item = String> {
    map.into_iter().filter(|(_, v)| *v).map(|(k, _)| k)
}

impl ConsentDoc {
    fn from_model(c: &Consent) -> Self {
        Self {
            status: c.status.as_str().to_owned(),
            source: c.source.clone(),
            recorded_at_ms: c.recorded_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_model(self, channel: &str) -> Result<Consent, DocError> {
        Ok(Consent {
            status: parse(&format!("consent.{channel}.status"), &self.status)?,
            source: self.source,
            recorded_at: opt_millis(
                &format!("consent.{channel}.recorded_at_ms"),
                self.recorded_at_ms,
            )?,
        })
    }
}

impl PreferencesDoc {
    fn from_model(p: &Preferences) -> Self {
        Self {
            budget_min: p.budget_min,
            budget_max: p.budget_max,
            areas: p.areas.clone(),
            property_types: set_doc(p.property_types.iter().map(|t| t.as_str())),
            bedrooms_min: p.bedrooms_min.map(u64::from),
            bathrooms_min_tenths: p.bathrooms_min.map(|b| u64::from(b.tenths())),
            move_in: p.move_in.map(|d| d.format("%Y-%m-%d").to_string()),
            must_haves: p.must_haves.clone(),
        }
    }

    fn into_model(self) -> Result<Preferences, DocError> {
        let property_types = set_members(self.property_types)
            .map(|t| parse("preferences.property_types", &t))
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(Preferences {
            budget_min: self.budget_min,
            budget_max: self.budget_max,
            areas: self.areas,
            property_types,
            bedrooms_min: self
                .bedrooms_min
                .map(|b| narrow("preferences.bedrooms_min", b))
                .transpose()?,
            bathrooms_min: self
                .bathrooms_min_tenths
                .map(|b| narrow("preferences.bathrooms_min_tenths", b).map(Baths::from_tenths))
                .transpose()?,
            move_in: self
                .move_in
                .map(|d| date("preferences.move_in", &d))
                .transpose()?,
            must_haves: self.must_haves,
        })
    }
}

impl CustomDoc {
    fn from_model(v: &CustomValue) -> Self {
        match v {
            CustomValue::Text(s) => Self::Text(s.clone()),
            CustomValue::Number(n) => Self::Number(*n),
            CustomValue::Date(d) => Self::Date(d.format("%Y-%m-%d").to_string()),
            CustomValue::Bool(b) => Self::Bool(*b),
        }
    }

    fn into_model(self, key: &str) -> Result<CustomValue, DocError> {
        Ok(match self {
            Self::Text(s) => CustomValue::Text(s),
            Self::Number(n) => CustomValue::Number(n),
            Self::Date(d) => CustomValue::Date(date(&format!("custom_fields.{key}"), &d)?),
            Self::Bool(b) => CustomValue::Bool(b),
        })
    }
}

impl ContactDoc {
    fn from_contact(c: &Contact) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: c.id.to_string(),
            contact_kind: c.kind.as_str().to_owned(),
            given_name: c.given_name.clone(),
            family_name: c.family_name.clone(),
            emails: c
                .emails
                .iter()
                .map(|e| EmailDoc {
                    address: e.address.clone(),
                    label: e.label.as_str().to_owned(),
                    primary: e.primary,
                })
                .collect(),
            phones: c
                .phones
                .iter()
                .map(|p| PhoneDoc {
                    number: p.number.clone(),
                    label: p.label.as_str().to_owned(),
                    primary: p.primary,
                })
                .collect(),
            instagram: c.instagram.clone(),
            whatsapp: c.whatsapp.clone(),
            source: c.source.as_str().to_owned(),
            source_detail: c.source_detail.clone(),
            tags: set_doc(c.tags.iter().map(String::as_str)),
            stage: c.stage.as_str().to_owned(),
            stage_history: c
                .stage_history
                .iter()
                .map(|s| StageChangeDoc {
                    at_ms: s.at.timestamp_millis(),
                    from: s.from.as_str().to_owned(),
                    to: s.to.as_str().to_owned(),
                    by: s.by.to_string(),
                })
                .collect(),
            priority: c.priority.as_str().to_owned(),
            preferences: PreferencesDoc::from_model(&c.preferences),
            custom_fields: c
                .custom_fields
                .iter()
                .map(|(k, v)| (k.clone(), CustomDoc::from_model(v)))
                .collect(),
            consent: ConsentsDoc {
                email: ConsentDoc::from_model(&c.consent.email),
                sms: ConsentDoc::from_model(&c.consent.sms),
                call: ConsentDoc::from_model(&c.consent.call),
            },
            owner: c.owner.to_string(),
            assigned_agent: c.assigned_agent.map(|a| a.to_string()),
            last_contacted_at_ms: c.last_contacted_at.map(|t| t.timestamp_millis()),
            time_zone: MaybeMissing::Present(c.time_zone.clone()),
            created_at_ms: c.created_at.timestamp_millis(),
            updated_at_ms: c.updated_at.timestamp_millis(),
            deleted_at_ms: c.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_contact(self) -> Result<Contact, DocError> {
        check_kind(KIND, self.kind)?;
        let emails = self
            .emails
            .into_iter()
            .map(|e| {
                Ok(EmailEntry {
                    label: parse("emails.label", &e.label)?,
                    address: e.address,
                    primary: e.primary,
                })
            })
            .collect::<Result<Vec<EmailEntry>, DocError>>()?;
        let emails = settle_channels(emails, |e| e.address.to_lowercase(), |e| &mut e.primary);
        let phones = self
            .phones
            .into_iter()
            .map(|p| {
                Ok(PhoneEntry {
                    label: parse("phones.label", &p.label)?,
                    number: p.number,
                    primary: p.primary,
                })
            })
            .collect::<Result<Vec<PhoneEntry>, DocError>>()?;
        let phones = settle_channels(
            phones,
            |p| {
                p.number
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            },
            |p| &mut p.primary,
        );
        let stage_history = self
            .stage_history
            .into_iter()
            .map(|s| {
                Ok(StageChange {
                    from: parse("stage_history.from", &s.from)?,
                    to: parse("stage_history.to", &s.to)?,
                    at: millis("stage_history.at_ms", s.at_ms)?,
                    by: parse("stage_history.by", &s.by)?,
                })
            })
            .collect::<Result<_, DocError>>()?;
        let custom_fields = self
            .custom_fields
            .into_iter()
            .map(|(k, v)| {
                let value = v.into_model(&k)?;
                Ok((k, value))
            })
            .collect::<Result<_, DocError>>()?;
        Ok(Contact {
            id: parse("id", &self.id)?,
            kind: parse("contact_kind", &self.contact_kind)?,
            given_name: self.given_name,
            family_name: self.family_name,
            emails,
            phones,
            instagram: self.instagram,
            whatsapp: self.whatsapp,
            source: parse("source", &self.source)?,
            source_detail: self.source_detail,
            tags: set_members(self.tags).collect(),
            stage: parse("stage", &self.stage)?,
            stage_history,
            priority: parse("priority", &self.priority)?,
            preferences: self.preferences.into_model()?,
            custom_fields,
            consent: Consents {
                email: self.consent.email.into_model("email")?,
                sms: self.consent.sms.into_model("sms")?,
                call: self.consent.call.into_model("call")?,
            },
            owner: parse("owner", &self.owner)?,
            assigned_agent: opt_parse("assigned_agent", self.assigned_agent.as_deref())?,
            last_contacted_at: opt_millis("last_contacted_at_ms", self.last_contacted_at_ms)?,
            time_zone: self.time_zone.unwrap_or_else(|| None),
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        })
    }
}

/// Two devices each adding an address (or the same address) to a contact merge into a list with
/// two primaries or a repeat, which the model's rules forbid and which would make every later
/// edit of the contact fail validation. A read settles the merge the way the model would: the
/// first of each address (by `key`) is kept, and exactly one entry is primary (the first one
/// marked, else the first). The next write stores the settled list.
fn settle_channels<T>(
    entries: Vec<T>,
    key: impl Fn(&T) -> String,
    primary: impl Fn(&mut T) -> &mut bool,
) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out: Vec<T> = entries
        .into_iter()
        .filter(|e| seen.insert(key(e)))
        .collect();
    let first_primary = out.iter_mut().position(|e| *primary(e));
    let keep = first_primary.unwrap_or(0);
    for (i, entry) in out.iter_mut().enumerate() {
        *primary(entry) = i == keep;
    }
    out
}

/// Creates the document for a new contact, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, contact: &Contact) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, ContactDoc::from_contact(contact))?;
    let change = commit(&mut doc, contact.updated_at, "create contact")
        .ok_or_else(|| DocError::InvalidValue("creating a contact produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `contact` into an existing document, touching only what differs. Returns the change,
/// or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, contact: &Contact) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, ContactDoc::from_contact(contact))?;
    Ok(commit(doc, contact.updated_at, "update contact"))
}

/// Reads the contact held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Contact, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    ContactDoc::hydrate_root(doc)?.into_contact()
}
