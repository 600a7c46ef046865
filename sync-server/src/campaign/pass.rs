//! One pass of a campaign over its owner's contacts: for each recipient, the steps already
//! made are counted, and the first one not made is made when it is due (unless the recipient
//! left, is in the control group, or waits for the test's winner).
//!
//! A recipient goes through the steps once per **run**: a campaign sent to its audience at
//! launch has one run each; a triggered sequence one per occasion its trigger found (a tag
//! added, a birthday, …), enrolled once in the store; a repeating broadcast one per sending.

mod runs;

use super::occasion::{BookingFact, ListingFact};
use super::CampaignError;
use crate::store::jobs::Enrolment;
use crate::sync::server_write::{create_all_as_server, server_actor_id, NewDoc};
use crate::AppState;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::campaign::personalise::{render, Variables};
use fieldstone_model::campaign::record::{Campaign, StepCounts};
use fieldstone_model::campaign::run::{self, StepPlan};
use fieldstone_model::campaign::{Repeat, StepChannel};
use fieldstone_model::{
    Contact, Message, MessageChannel, MessageId, MessageInput, MessagePurpose, OrgId, Priority,
    RecordRef, Task, TaskId, TaskInput, TaskKind, TaskStatus,
};
use fieldstone_protocol::{DocId, Scope};
use runs::{closed_mark, Run};
use std::collections::{BTreeMap, HashMap};

/// Contacts gone through between two looks at what waits to be stored.
const PAGE: usize = 500;
/// New documents stored per commit.
const BATCH: usize = 500;
/// How long a repeating broadcast's sending keeps being counted; older sendings' figures are
/// kept as they were (so a year of daily sendings is not read again every round).
pub const COUNT_DAYS: i64 = 7;
/// The store's mark that a triggered campaign has seen its launch-time state.
const BASELINE: &str = "baseline";
/// The store's mark (before the run's occasion) that a contact left a run for good.
const LEFT: &str = "left:";

/// The document step `step` of `campaign` makes for `contact`: a message, or a call task on a
/// multi-touch campaign's call step. The same id however often it is made.
pub fn step_doc(
    campaign: &Campaign,
    step: usize,
    contact: fieldstone_model::ContactId,
) -> Option<DocId> {
    step_doc_in(campaign, None, step, contact)
}

/// [`step_doc`] in one run of a triggered or repeating campaign (`episode`: the occasion).
pub fn step_doc_in(
    campaign: &Campaign,
    episode: Option<&str>,
    step: usize,
    contact: fieldstone_model::ContactId,
) -> Option<DocId> {
    let channel = campaign.spec.steps.get(step)?.channel;
    let name = match episode {
        None => format!("campaign-step:{}:{step}:{contact}", campaign.id),
        Some(e) => format!("campaign-step:{}:{e}:{step}:{contact}", campaign.id),
    };
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes());
    let doc = match channel {
        StepChannel::Call => DocId::new(fieldstone_doc::task::KIND, TaskId::from_uuid(uuid)),
        StepChannel::Email | StepChannel::Sms => {
            DocId::new(fieldstone_doc::message::KIND, MessageId::from_uuid(uuid))
        }
    };
    doc.ok()
}

/// What a pass found and did.
#[derive(Debug, Default)]
pub struct PassOutcome {
    pub enrolled: u64,
    pub left: u64,
    pub counts: Vec<StepCounts>,
    /// Documents made this pass.
    pub created: u64,
    /// The earliest step time still to come for someone.
    pub next_due: Option<DateTime<Utc>>,
    /// Someone outside the test waits for its winner.
    pub waiting_for_winner: bool,
    /// Each step's time in the owner's zone (the test's clock).
    pub agent_times: Vec<DateTime<Utc>>,
}

/// A pass in progress.
pub struct Pass<'a> {
    state: &'a AppState,
    org: OrgId,
    campaign: &'a Campaign,
    now: DateTime<Utc>,
    launched: DateTime<Utc>,
    zone: Tz,
    scopes: Vec<Scope>,
    replies: HashMap<String, DateTime<Utc>>,
    agent_name: String,
    org_name: String,
    counts: BTreeMap<(u16, String), StepCounts>,
    fresh: Vec<NewDoc>,
    /// Triggered and repeating campaigns: the occasions recorded so far, per contact.
    enrolments: HashMap<String, Vec<Enrolment>>,
    /// Occasions found this pass, stored with the next batch.
    enrol: Vec<Enrolment>,
    /// A triggered campaign's first pass: occasions already there enrol nobody.
    baseline: bool,
    /// The bookings the owner reads, per contact (a trigger and the "bookings after" figure).
    bookings: HashMap<String, Vec<BookingFact>>,
    /// A "fits a buyer" trigger's listings: this week's, made or changed since launch.
    listings: Vec<ListingFact>,
    /// A repeating broadcast's sendings up to the next one, per zone.
    sendings: HashMap<Tz, Vec<DateTime<Utc>>>,
    /// A repeating broadcast's sendings from this one on are counted again.
    recount_from: usize,
    out: PassOutcome,
}

impl<'a> Pass<'a> {
    pub fn new(
        state: &'a AppState,
        org: OrgId,
        campaign: &'a Campaign,
        now: DateTime<Utc>,
    ) -> Result<Self, CampaignError> {
        let store = state.store.as_ref();
        let launched = campaign.launched_at.or(campaign.status_at).unwrap_or(now);
        let owner = store.user(org, campaign.owner)?;
        // The owner's contacts as they read them now (an owner who left reads nothing).
        let scopes: Vec<Scope> = match &owner {
            Some(user) => state
                .access
                .for_user(store, org, user.id, user.role)?
                .readable
                .iter()
                .copied()
                .collect(),
            None => Vec::new(),
        };
        let zone = crate::org_settings::agent_zone(state, org, campaign.owner)?;
        let spec = &campaign.spec;
        // Occasions, sendings gone out, and who left which run for good.
        let mut enrolments: HashMap<String, Vec<Enrolment>> = HashMap::new();
        for row in store.enrolments(org, &campaign.id.to_string())? {
            enrolments.entry(row.contact.clone()).or_default().push(row);
        }
        let baseline = spec.trigger.is_some()
            && !enrolments
                .get("")
                .is_some_and(|rows| rows.iter().any(|r| r.episode == BASELINE));
        let mut pass = Pass {
            state,
            org,
            campaign,
            now,
            launched,
            zone,
            scopes,
            replies: store.replies(org, launched)?.into_iter().collect(),
            agent_name: owner.map(|u| u.display_name).unwrap_or_default(),
            org_name: store.org(org)?.map(|o| o.name).unwrap_or_default(),
            counts: BTreeMap::new(),
            fresh: Vec::new(),
            enrolments,
            enrol: Vec::new(),
            baseline,
            bookings: HashMap::new(),
            listings: Vec::new(),
            sendings: HashMap::new(),
            recount_from: 0,
            out: PassOutcome {
                agent_times: run::step_times(spec, launched, zone),
                ..PassOutcome::default()
            },
        };
        pass.read_bookings()?;
        if spec.trigger == Some(fieldstone_model::campaign::trigger::Trigger::ListingMatch) {
            pass.read_listings()?;
        }
        if spec.schedule.repeat != Repeat::Once {
            // Sendings older than the counting window keep the figures they had.
            let agent = pass.sendings_in(zone);
            let window = now - chrono::Duration::days(COUNT_DAYS);
            pass.recount_from = agent
                .iter()
                .position(|t| *t >= window)
                .unwrap_or(agent.len())
                .saturating_sub(1);
            for kept in campaign
                .result
                .counts
                .iter()
                .filter(|c| usize::from(c.step) < pass.recount_from)
            {
                pass.counts
                    .insert((kept.step, kept.variation.clone()), kept.clone());
            }
        }
        Ok(pass)
    }

    /// Goes through every contact the owner reads, then stores what is left to store.
    pub fn run(mut self) -> Result<PassOutcome, CampaignError> {
        let contacts = crate::store::doc_ids_of_kind(
            self.state.store.as_ref(),
            self.org,
            &self.scopes,
            fieldstone_doc::contact::KIND,
        )?;
        for page in contacts.chunks(PAGE) {
            for doc_id in page {
                self.contact(doc_id)?;
            }
            if self.fresh.len() >= BATCH || self.enrol.len() >= BATCH {
                self.flush()?;
            }
        }
        // The sendings this round went out with are closed to later joiners.
        let went: Vec<String> = self
            .sendings
            .iter()
            .filter_map(|(zone, all)| {
                let n = all.iter().rposition(|t| *t <= self.now)?;
                (!self.is_closed(*zone, n)).then(|| closed_mark(*zone, n))
            })
            .collect();
        for episode in went {
            self.enrol.push(Enrolment {
                contact: String::new(),
                episode,
                enrolled_at: Some(self.now),
            });
        }
        if self.baseline {
            self.enrol.push(Enrolment {
                contact: String::new(),
                episode: BASELINE.to_owned(),
                enrolled_at: None,
            });
        }
        self.flush()?;
        self.out.counts = std::mem::take(&mut self.counts).into_values().collect();
        Ok(self.out)
    }

    fn flush(&mut self) -> Result<(), CampaignError> {
        // Enrolments first: a stop in between leaves someone enrolled whose step the next
        // round makes, never a step made for an occasion that was not recorded.
        if !self.enrol.is_empty() {
            let rows = std::mem::take(&mut self.enrol);
            self.state
                .store
                .enrol(self.org, &self.campaign.id.to_string(), &rows)?;
        }
        if self.fresh.is_empty() {
            return Ok(());
        }
        let docs = std::mem::take(&mut self.fresh);
        self.out.created += docs.len() as u64;
        create_all_as_server(self.state, self.org, docs, None, None)?;
        Ok(())
    }

    /// The address and price of the listing a "fits a buyer" run (`episode`) is about: from
    /// this week's listings, else (a later step, weeks on) read from the store.
    fn listing_of(&self, episode: &str) -> Option<(String, String)> {
        let id = episode.strip_prefix("listing:")?;
        if let Some(l) = self.listings.iter().find(|l| l.id.to_string() == id) {
            return Some((l.address.clone(), l.price.clone()));
        }
        let doc_id = DocId::new(fieldstone_doc::listing::KIND, id).ok()?;
        let stored = self.state.store.load_doc(self.org, &doc_id).ok()??;
        let listing = crate::sync::guard::load(&stored.bytes)
            .ok()
            .and_then(|doc| fieldstone_doc::listing::read(&doc).ok())?;
        Some((
            listing.address.one_line(),
            runs::price_words(&listing.currency, listing.price),
        ))
    }

    fn soonest(&mut self, at: DateTime<Utc>) {
        self.out.next_due = Some(self.out.next_due.map_or(at, |n| n.min(at)));
    }

    fn tally(&mut self, step: usize, variation: &str) -> &mut StepCounts {
        let step = u16::try_from(step).unwrap_or(u16::MAX);
        self.counts
            .entry((step, variation.to_owned()))
            .or_insert_with(|| StepCounts {
                step,
                variation: variation.to_owned(),
                ..StepCounts::default()
            })
    }

    /// One contact: counts its steps made so far and makes the next one when it is due.
    fn contact(&mut self, doc_id: &DocId) -> Result<(), CampaignError> {
        let store = self.state.store.as_ref();
        let Some(stored) = store.load_doc(self.org, doc_id)? else {
            return Ok(());
        };
        let Some((doc, contact)) = crate::sync::guard::load(&stored.bytes)
            .ok()
            .and_then(|doc| fieldstone_doc::contact::read(&doc).ok().map(|c| (doc, c)))
        else {
            return Ok(());
        };
        let zone = contact
            .time_zone
            .as_deref()
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(self.zone);
        let (mut enrolled, mut left) = (false, false);
        for one in self.runs(&doc, &contact, zone) {
            let (e, l) = self.run_steps(&contact, &one, &stored.scopes)?;
            enrolled |= e;
            left |= l;
        }
        self.out.enrolled += u64::from(enrolled);
        self.out.left += u64::from(left);
        Ok(())
    }

    /// One run of the steps for `contact`; answers whether they are in it and whether they
    /// left it.
    fn run_steps(
        &mut self,
        contact: &Contact,
        one: &Run,
        scopes: &[Scope],
    ) -> Result<(bool, bool), CampaignError> {
        let store = self.state.store.as_ref();
        let campaign = self.campaign;
        let spec = &campaign.spec;
        let times = &one.times;
        let replied_at = self.replies.get(&contact.id.to_string()).copied();
        let replied_after = |at: DateTime<Utc>| replied_at.is_some_and(|r| r >= at);
        let booked: Vec<DateTime<Utc>> = self
            .bookings
            .get(&contact.id.to_string())
            .map(|b| b.iter().map(|b| b.created_at).collect())
            .unwrap_or_default();
        let booked_after = |at: DateTime<Utc>| booked.iter().any(|b| *b >= at);
        let mut enrolled = false;
        for (k, at) in times.iter().enumerate() {
            let Some(plan) = run::plan_for(campaign, k, contact.id) else {
                break;
            };
            let Some(step_id) = step_doc_in(campaign, one.episode.as_deref(), k, contact.id) else {
                break;
            };
            let row = one.report_step.unwrap_or(k);
            if let Some(made) = store.load_doc(self.org, &step_id)? {
                enrolled |= k == 0;
                let label = match plan {
                    StepPlan::Send(v) => spec.steps[k].variations[v].label.clone(),
                    _ => String::new(),
                };
                if step_id.kind() == fieldstone_doc::message::KIND {
                    let message = crate::sync::guard::load(&made.bytes)
                        .ok()
                        .and_then(|doc| fieldstone_doc::message::read(&doc).ok());
                    if let Some(message) = message {
                        let (replied, booked) = (replied_after(*at), booked_after(*at));
                        run::count(self.tally(row, &label), &message.result, replied, booked);
                    }
                } else {
                    let booked = booked_after(*at);
                    let counts = self.tally(row, &label);
                    counts.sent += 1;
                    counts.bookings += u64::from(booked);
                }
                continue;
            }
            if !one.may_send {
                return Ok((enrolled, false));
            }
            // A triggered run checked the audience when it enrolled them.
            if k == 0 && one.episode.is_none() && !spec.audience.includes(contact, None) {
                return Ok((false, false));
            }
            if k == 0 && one.report_step.is_some() && !spec.audience.includes(contact, None) {
                return Ok((false, false));
            }
            if *at > self.now {
                self.soonest(*at);
                return Ok((enrolled, false));
            }
            enrolled |= k == 0;
            // Leaving is for good: a contact who reached an exit stage and moved back, or
            // whose reply is forgotten, does not come back into the run.
            let left_mark = format!("{LEFT}{}", one.episode.as_deref().unwrap_or(""));
            if self.has_mark(&contact.id.to_string(), &left_mark) {
                return Ok((enrolled, true));
            }
            if run::leaves(spec, k, contact, replied_after(times[0])).is_some() {
                self.enrol.push(Enrolment {
                    contact: contact.id.to_string(),
                    episode: left_mark,
                    enrolled_at: Some(self.now),
                });
                return Ok((enrolled, true));
            }
            match plan {
                // The control group gets nothing; what it does anyway (answers, books) is
                // what the campaign is measured against.
                StepPlan::Control => {
                    let (replied, booked) = (replied_after(*at), booked_after(*at));
                    let control = self.tally(row, "control");
                    control.replied += u64::from(replied);
                    control.bookings += u64::from(booked);
                }
                StepPlan::WaitForWinner => self.out.waiting_for_winner = true,
                StepPlan::Send(v) => {
                    let about = one.episode.as_deref().and_then(|e| self.listing_of(e));
                    self.make(k, v, contact, (*at, about), step_id, scopes.to_vec())?;
                    // The campaign is not over while a later step is to come.
                    if let Some(later) = times.get(k + 1) {
                        self.soonest(*later);
                    }
                }
            }
            return Ok((enrolled, false));
        }
        Ok((enrolled, false))
    }

    /// Makes step `k`'s document (variation `v`) for `contact`; a recipient it cannot be made
    /// for (no address, a template that does not fill) is counted as refused.
    fn make(
        &mut self,
        k: usize,
        v: usize,
        contact: &Contact,
        (at, about): (DateTime<Utc>, Option<(String, String)>),
        doc_id: DocId,
        scopes: Vec<Scope>,
    ) -> Result<(), CampaignError> {
        let campaign = self.campaign;
        let step = &campaign.spec.steps[k];
        let variation = &step.variations[v];
        let mut vars = Variables::for_contact(contact, &self.agent_name, Some(&self.org_name));
        // A run started by a listing that fits them is about that listing.
        if let Some((address, price)) = about {
            vars.property = Some(address);
            vars.property_price = Some(price);
        }
        let primary_email = vars.email.clone();
        let filled = render(&variation.body, &vars).and_then(|body| {
            let subject = if step.channel == StepChannel::Email {
                Some(render(&variation.subject, &vars)?)
            } else {
                None
            };
            Ok((subject, body))
        });
        let Ok((subject, body)) = filled else {
            self.tally(k, &variation.label).refused += 1;
            return Ok(());
        };
        let owner = campaign.owner;
        let doc = match step.channel {
            StepChannel::Call => {
                let input = TaskInput {
                    title: format!("Call {}: {}", contact.display_name(), campaign.spec.name),
                    due_at: Some(at),
                    priority: Priority::Medium,
                    status: TaskStatus::Pending,
                    kind: TaskKind::Custom,
                    record: Some(RecordRef::Contact(contact.id)),
                };
                let Ok(valid) = input.validate() else {
                    self.tally(k, &variation.label).refused += 1;
                    return Ok(());
                };
                let task =
                    Task::create(TaskId::from_uuid(uuid_of(&doc_id)?), valid, owner, self.now);
                fieldstone_doc::task::create(server_actor_id(), &task)
                    .map_err(|e| CampaignError::Invalid(e.to_string()))?
                    .0
            }
            StepChannel::Email | StepChannel::Sms => {
                let (channel, to) = if step.channel == StepChannel::Email {
                    (MessageChannel::Email, primary_email)
                } else {
                    let phone = contact
                        .phones
                        .iter()
                        .find(|p| p.primary)
                        .or_else(|| contact.phones.first())
                        .map(|p| p.number.clone());
                    (MessageChannel::Sms, phone)
                };
                let input = MessageInput {
                    contact: contact.id,
                    channel,
                    purpose: MessagePurpose::Marketing,
                    to: to.unwrap_or_default(),
                    subject,
                    // Email goes with an HTML part too: the broker tracks opens and clicks in
                    // it, which the figures and the open-rate test count.
                    body_html: (channel == MessageChannel::Email).then(|| html_of(&body)),
                    body,
                    task: None,
                };
                // No address to send to: refused here, as the broker would.
                let Ok(valid) = input.validate() else {
                    self.tally(k, &variation.label).refused += 1;
                    return Ok(());
                };
                let message = Message::create(
                    MessageId::from_uuid(uuid_of(&doc_id)?),
                    valid,
                    owner,
                    self.now,
                );
                fieldstone_doc::message::create(server_actor_id(), &message)
                    .map_err(|e| CampaignError::Invalid(e.to_string()))?
                    .0
            }
        };
        self.fresh.push(NewDoc {
            doc_id,
            scopes,
            writer: owner,
            doc,
            index: None,
        });
        Ok(())
    }
}

fn uuid_of(doc_id: &DocId) -> Result<uuid::Uuid, CampaignError> {
    doc_id
        .record_id()
        .parse::<uuid::Uuid>()
        .map_err(|e| CampaignError::Invalid(e.to_string()))
}

/// The HTML part of a campaign email whose text is `text`: each paragraph (a blank line
/// between) a `<p>`, line breaks kept, everything escaped.
fn html_of(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(crate::links::escape).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect();
    format!("<html><body>{}</body></html>", paragraphs.join(""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_html_part_escapes_and_keeps_paragraphs() {
        assert_eq!(
            super::html_of("Hi <Ana> & co,\nline two\n\n\nBye"),
            "<html><body><p>Hi &lt;Ana&gt; &amp; co,<br>line two</p><p>Bye</p></body></html>"
        );
    }
}
