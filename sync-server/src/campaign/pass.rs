//! One pass of a campaign over its owner's contacts: for each recipient, the steps already
//! made are counted, and the first one not made is made when it is due (unless the recipient
//! left, is in the control group, or waits for the test's winner).

use super::CampaignError;
use crate::access::Access;
use crate::sync::server_write::{create_all_as_server, server_actor_id, NewDoc};
use crate::AppState;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::campaign::personalise::{render, Variables};
use fieldstone_model::campaign::record::{Campaign, StepCounts};
use fieldstone_model::campaign::run::{self, StepPlan};
use fieldstone_model::campaign::StepChannel;
use fieldstone_model::{
    Contact, Message, MessageChannel, MessageId, MessageInput, MessagePurpose, OrgId, Priority,
    RecordRef, Task, TaskId, TaskInput, TaskKind, TaskStatus,
};
use fieldstone_protocol::{DocId, Scope};
use std::collections::{BTreeMap, HashMap};

/// Contacts read per page of the owner's documents.
const PAGE: usize = 500;
/// New documents stored per commit.
const BATCH: usize = 500;

/// The document step `step` of `campaign` makes for `contact`: a message, or a call task on a
/// multi-touch campaign's call step. The same id however often it is made.
pub fn step_doc(
    campaign: &Campaign,
    step: usize,
    contact: fieldstone_model::ContactId,
) -> Option<DocId> {
    let channel = campaign.spec.steps.get(step)?.channel;
    let uuid = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("campaign-step:{}:{step}:{contact}", campaign.id).as_bytes(),
    );
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
            Some(user) => {
                let teams: Vec<_> = store.teams(org)?.iter().map(|t| t.id).collect();
                Access::compute(
                    org,
                    user.id,
                    user.role,
                    &store.users(org)?,
                    &teams,
                    &store.memberships(org)?,
                )
                .readable
                .into_iter()
                .collect()
            }
            None => Vec::new(),
        };
        let zone = crate::org_settings::agent_zone(state, org, campaign.owner)?;
        Ok(Pass {
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
            out: PassOutcome {
                agent_times: run::step_times(&campaign.spec, launched, zone),
                ..PassOutcome::default()
            },
        })
    }

    /// Goes through every contact the owner reads, then stores what is left to store.
    pub fn run(mut self) -> Result<PassOutcome, CampaignError> {
        if !self.scopes.is_empty() {
            let mut after = DocId::new(fieldstone_doc::contact::KIND, "0")
                .map_err(|e| CampaignError::Invalid(e.to_string()))?;
            // Past every contact id (ids are lowercase hex and '-').
            let upto = DocId::new(fieldstone_doc::contact::KIND, "z")
                .map_err(|e| CampaignError::Invalid(e.to_string()))?;
            loop {
                let page = self.state.store.doc_ids_in_range(
                    self.org,
                    &self.scopes,
                    Some(&after),
                    Some(&upto),
                    PAGE,
                )?;
                let Some(last) = page.last().cloned() else {
                    break;
                };
                for doc_id in page {
                    self.contact(&doc_id)?;
                }
                if self.fresh.len() >= BATCH {
                    self.flush()?;
                }
                after = last;
            }
        }
        self.flush()?;
        self.out.counts = std::mem::take(&mut self.counts).into_values().collect();
        Ok(self.out)
    }

    fn flush(&mut self) -> Result<(), CampaignError> {
        if self.fresh.is_empty() {
            return Ok(());
        }
        let docs = std::mem::take(&mut self.fresh);
        self.out.created += docs.len() as u64;
        create_all_as_server(self.state, self.org, docs, None, None)?;
        Ok(())
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
        let Some(contact) = crate::sync::guard::load(&stored.bytes)
            .ok()
            .and_then(|doc| fieldstone_doc::contact::read(&doc).ok())
        else {
            return Ok(());
        };
        let campaign = self.campaign;
        let spec = &campaign.spec;
        let zone = contact
            .time_zone
            .as_deref()
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(self.zone);
        let times = run::step_times(spec, self.launched, zone);
        let replied_at = self.replies.get(&contact.id.to_string()).copied();
        let replied_after = |at: DateTime<Utc>| replied_at.is_some_and(|r| r >= at);
        for (k, at) in times.iter().enumerate() {
            let Some(plan) = run::plan_for(campaign, k, contact.id) else {
                break;
            };
            let Some(step_id) = step_doc(campaign, k, contact.id) else {
                break;
            };
            if let Some(made) = store.load_doc(self.org, &step_id)? {
                if k == 0 {
                    self.out.enrolled += 1;
                }
                let label = match plan {
                    StepPlan::Send(v) => spec.steps[k].variations[v].label.clone(),
                    _ => String::new(),
                };
                if step_id.kind() == fieldstone_doc::message::KIND {
                    let message = crate::sync::guard::load(&made.bytes)
                        .ok()
                        .and_then(|doc| fieldstone_doc::message::read(&doc).ok());
                    if let Some(message) = message {
                        let replied = replied_after(*at);
                        run::count(self.tally(k, &label), &message.result, replied, false);
                    }
                } else {
                    self.tally(k, &label).sent += 1;
                }
                continue;
            }
            if k == 0 && !spec.audience.includes(&contact, None) {
                return Ok(());
            }
            if *at > self.now {
                self.soonest(*at);
                return Ok(());
            }
            if k == 0 {
                self.out.enrolled += 1;
            }
            if run::leaves(spec, k, &contact, replied_after(times[0])).is_some() {
                self.out.left += 1;
                return Ok(());
            }
            match plan {
                StepPlan::Control => {
                    self.tally(k, "control");
                }
                StepPlan::WaitForWinner => self.out.waiting_for_winner = true,
                StepPlan::Send(v) => {
                    self.make(k, v, &contact, *at, step_id, stored.scopes)?;
                    // The campaign is not over while a later step is to come.
                    if let Some(later) = times.get(k + 1) {
                        self.soonest(*later);
                    }
                }
            }
            return Ok(());
        }
        Ok(())
    }

    /// Makes step `k`'s document (variation `v`) for `contact`; a recipient it cannot be made
    /// for (no address, a template that does not fill) is counted as refused.
    fn make(
        &mut self,
        k: usize,
        v: usize,
        contact: &Contact,
        at: DateTime<Utc>,
        doc_id: DocId,
        scopes: Vec<Scope>,
    ) -> Result<(), CampaignError> {
        let campaign = self.campaign;
        let step = &campaign.spec.steps[k];
        let variation = &step.variations[v];
        let vars = Variables::for_contact(contact, &self.agent_name, Some(&self.org_name));
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
