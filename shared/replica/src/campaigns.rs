//! Campaigns (issue 16): written here, offline too, as one document each; the sync server runs
//! a launched one and writes its figures into the same document (`result`, which the device
//! never writes). The device counts an audience from its own tables with the same rule the
//! server sends by (`Audience::includes_facts`), fills a variation's text for a real contact,
//! and checks a launch.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{parsed, required_time, time};
use crate::store::Replica;
use chrono_tz::Tz;
use fieldstone_model::campaign::audience::{Audience, AudienceFacts};
use fieldstone_model::campaign::personalise::{check, render, Variables};
use fieldstone_model::campaign::record::{Campaign, CampaignId};
use fieldstone_model::campaign::{CampaignInput, CampaignStatus, LaunchContext, Start};
use fieldstone_model::plan::{Meter, Plan};
use fieldstone_model::{Contact, ContactId, UserId, ValidationErrors};
use fieldstone_protocol::campaigns::{
    AudienceMember, AudienceSize, CampaignPreview, CampaignSummary, PastedList, AUDIENCE_SAMPLE,
};
use rusqlite::{params, Connection, Row};
use std::collections::{BTreeSet, HashMap};

record_kind!(
    Campaign,
    CampaignId,
    fieldstone_doc::campaign,
    project_campaign,
    crate::records::Tables {
        main: "campaigns",
        children: &[],
        search: None,
    }
);

fn project_campaign(conn: &Connection, c: &Campaign) -> Result<(), ReplicaError> {
    let sum = |f: fn(&fieldstone_model::campaign::record::StepCounts) -> u64| -> i64 {
        let total: u64 = c.result.counts.iter().map(f).sum();
        i64::try_from(total).unwrap_or(i64::MAX)
    };
    conn.prepare_cached(
        "INSERT INTO campaigns (id, name, kind, status, status_at, steps, enrolled, sent, opened,
           clicked, refused, owner, created_at, updated_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
           status = excluded.status, status_at = excluded.status_at, steps = excluded.steps,
           enrolled = excluded.enrolled, sent = excluded.sent, opened = excluded.opened,
           clicked = excluded.clicked, refused = excluded.refused, owner = excluded.owner,
           created_at = excluded.created_at, updated_at = excluded.updated_at,
           deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        c.id.to_string(),
        c.spec.name,
        c.spec.kind.as_str(),
        c.status.as_str(),
        c.status_at.map(|t| t.timestamp_millis()),
        c.spec.steps.len() as i64,
        i64::try_from(c.result.enrolled).unwrap_or(i64::MAX),
        sum(|k| k.sent),
        sum(|k| k.opened),
        sum(|k| k.clicked),
        sum(|k| k.refused),
        c.owner.to_string(),
        c.created_at.timestamp_millis(),
        c.updated_at.timestamp_millis(),
        c.deleted_at.map(|t| t.timestamp_millis()),
    ])?;
    Ok(())
}

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<CampaignSummary> {
    let count = |col: usize| -> rusqlite::Result<u64> {
        Ok(u64::try_from(row.get::<_, i64>(col)?).unwrap_or(0))
    };
    Ok(CampaignSummary {
        id: parsed(row, 0)?,
        name: row.get(1)?,
        kind: parsed(row, 2)?,
        status: parsed(row, 3)?,
        status_at: time(row, 4)?,
        steps: u16::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
        enrolled: count(6)?,
        sent: count(7)?,
        opened: count(8)?,
        clicked: count(9)?,
        refused: count(10)?,
        updated_at: required_time(row, 11)?,
    })
}

/// Campaigns one list shows at most.
pub const CAMPAIGN_LIST_MAX: u32 = 500;

/// Why a launch is checked against the plan with what this device knows.
pub struct PlanKnown {
    /// `None`: never told (signed out): no cap is checked here; the server's quota still holds.
    pub plan: Option<Plan>,
    /// This month's use of each meter, when the server just said.
    pub used: HashMap<Meter, u64>,
}

impl Replica {
    /// This device's campaigns (deleted ones left out), newest first.
    pub fn list_campaigns(&self) -> Result<Vec<CampaignSummary>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT id, name, kind, status, status_at, steps, enrolled, sent, opened, clicked,
               refused, updated_at FROM campaigns
             WHERE deleted_at IS NULL ORDER BY created_at DESC, id LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![CAMPAIGN_LIST_MAX], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn get_campaign(&self, id: &CampaignId) -> Result<Option<Campaign>, ReplicaError> {
        self.read::<Campaign>(*id)
    }

    /// A new campaign kept as a draft (`id: None`), or a draft's or paused campaign's content
    /// replaced. Checked whole: every problem at its field.
    pub fn save_campaign(
        &self,
        id: Option<CampaignId>,
        input: &CampaignInput,
        by: UserId,
    ) -> Result<Campaign, ReplicaError> {
        let valid = input.validate()?;
        self.write(|tx, now| match id {
            None => {
                let campaign = Campaign::create(
                    CampaignId::from_uuid(crate::batch::new_uuid()),
                    valid,
                    by,
                    now,
                );
                records::insert(tx, self.actor(), now, &campaign)?;
                Ok(campaign)
            }
            Some(id) => records::modify::<Campaign>(tx, self.actor(), id, now, |c| {
                if c.spec == *valid {
                    return Ok(false);
                }
                c.edit(valid, now)
                    .map_err(|e| change_error(&e.to_string()))?;
                Ok(true)
            }),
        })
    }

    /// Launches (after [`Replica::launch_problems`] finds none), pauses, resumes or stops.
    /// `send_now`: a launch whose set time has passed starts now instead.
    pub fn set_campaign_status(
        &self,
        id: &CampaignId,
        status: CampaignStatus,
        send_now: bool,
        plan: &PlanKnown,
        zone: Tz,
    ) -> Result<Campaign, ReplicaError> {
        let current = self
            .get_campaign(id)?
            .ok_or_else(|| ReplicaError::NotFound {
                what: format!("campaign {id}"),
            })?;
        let launching = status == CampaignStatus::Running && current.launched_at.is_none();
        let mut spec = current.spec.clone();
        if launching {
            if send_now {
                spec.schedule.start = Start::Now;
            }
            let problems = self.launch_problems(&spec, plan, zone)?;
            if !problems.0.is_empty() {
                return Err(problems.into());
            }
        }
        // The server keeps no lead scores: an audience chosen by score is launched as the
        // contacts it holds on this device now.
        let frozen = if launching
            && (spec.audience.min_score.is_some() || spec.audience.max_score.is_some())
            && spec.audience.contacts.is_empty()
        {
            let (_, members) = self.audience_members(&spec.audience, usize::MAX)?;
            let mut ids: Vec<ContactId> = members.into_iter().map(|m| m.id).collect();
            ids.sort();
            Some(ids)
        } else {
            None
        };
        self.write(|tx, now| {
            records::modify::<Campaign>(tx, self.actor(), *id, now, |c| {
                if launching && send_now {
                    c.spec.schedule.start = Start::Now;
                }
                if let Some(ids) = &frozen {
                    c.spec.audience.contacts = ids.clone();
                }
                c.set_status(status, now)
                    .map_err(|e| change_error(&e.to_string()))?;
                Ok(true)
            })
        })
    }

    /// Every reason `spec` cannot launch now, at its field (none: it can).
    pub fn launch_problems(
        &self,
        spec: &CampaignInput,
        plan: &PlanKnown,
        zone: Tz,
    ) -> Result<ValidationErrors, ReplicaError> {
        let size = self.campaign_audience(&spec.audience)?.size;
        let ctx = LaunchContext {
            audience_size: size,
            now: self.clock.now(),
            zone,
            // Unknown: no cap is checked on the device.
            plan: plan.plan.unwrap_or(Plan::Enterprise),
            used: |m: Meter| plan.used.get(&m).copied().unwrap_or(0),
        };
        Ok(match spec.launch_check(&ctx) {
            Ok(()) => ValidationErrors::default(),
            Err(errors) => errors,
        })
    }

    /// Matches a pasted list against this device's live contacts: each line by email, phone
    /// or full name (`fieldstone_model::campaign::audience::pasted_key`). A name shared by
    /// several contacts takes none of them (the agent pastes their email instead); an email
    /// or phone shared by several (one person entered twice) takes them all.
    pub fn match_pasted_list(&self, text: &str) -> Result<PastedList, ReplicaError> {
        use fieldstone_model::campaign::audience::{
            pasted_key, pasted_lines, PASTED_MAX, PASTED_TEXT_MAX_BYTES,
        };
        let mut errors = ValidationErrors::default();
        if text.len() > PASTED_TEXT_MAX_BYTES {
            errors.push(
                "list",
                format!(
                    "A pasted list can be at most {} MB; use criteria, or paste it in parts.",
                    PASTED_TEXT_MAX_BYTES / (1024 * 1024)
                ),
            );
            return Err(errors.into());
        }
        let lines = pasted_lines(text);
        if lines.len() > PASTED_MAX {
            errors.push(
                "list",
                format!("A pasted list takes at most {PASTED_MAX} lines; use criteria instead."),
            );
            return Err(errors.into());
        }
        const SHOWN: usize = 20;
        let conn = self.reader();
        let mut out = PastedList {
            contacts: Vec::new(),
            lines: lines.len() as u64,
            not_found: Vec::new(),
            ambiguous: Vec::new(),
            not_found_count: 0,
            ambiguous_count: 0,
        };
        let mut taken = std::collections::HashSet::new();
        for line in lines {
            let found = match pasted_key(line) {
                Some(key) => crate::contacts::contacts_with_key(&conn, &key)?
                    .into_iter()
                    .map(|id| (key.kind(), id))
                    .collect::<Vec<_>>(),
                None => Vec::new(),
            };
            match found.as_slice() {
                [] => {
                    out.not_found_count += 1;
                    if out.not_found.len() < SHOWN {
                        out.not_found.push(line.to_owned());
                    }
                }
                [(kind, _), _, ..] if *kind == "name" => {
                    out.ambiguous_count += 1;
                    if out.ambiguous.len() < SHOWN {
                        out.ambiguous.push(line.to_owned());
                    }
                }
                ids => {
                    for (_, id) in ids {
                        if taken.insert(*id) {
                            out.contacts.push(*id);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// How many of this device's contacts `audience` holds (by the rule the server sends by),
    /// with the first few by name.
    pub fn campaign_audience(&self, audience: &Audience) -> Result<AudienceSize, ReplicaError> {
        let (size, sample) = self.audience_members(audience, AUDIENCE_SAMPLE)?;
        Ok(AudienceSize {
            size,
            summary: audience.summary(),
            sample,
        })
    }

    fn audience_members(
        &self,
        audience: &Audience,
        keep: usize,
    ) -> Result<(u64, Vec<AudienceMember>), ReplicaError> {
        let conn = self.reader();
        let mut tags: HashMap<String, BTreeSet<String>> = HashMap::new();
        if !audience.tags.is_empty() {
            let mut stmt = conn.prepare_cached("SELECT contact_id, tag FROM contact_tags")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
            for row in rows {
                let (contact, tag) = row?;
                tags.entry(contact).or_default().insert(tag);
            }
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, stage, source, score, display_name FROM contacts
             WHERE deleted_at IS NULL ORDER BY sort_name, id",
        )?;
        let mut rows = stmt.query([])?;
        let (mut size, mut sample) = (0u64, Vec::new());
        let none = BTreeSet::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let has = tags.get(&id).unwrap_or(&none);
            let facts = AudienceFacts {
                id: parsed(row, 0)?,
                deleted: false,
                stage: parsed(row, 1)?,
                source: parsed(row, 2)?,
                has_tag: &|t: &str| has.contains(t),
                score: u8::try_from(row.get::<_, i64>(3)?).ok(),
            };
            if audience.includes_facts(&facts) {
                size += 1;
                if sample.len() < keep {
                    sample.push(AudienceMember {
                        id: facts.id,
                        name: row.get(4)?,
                    });
                }
            }
        }
        Ok((size, sample))
    }

    /// A variation's `subject` and `body` filled for `contact` (else the audience's first):
    /// what that recipient would get. A template with an unknown variable or bad syntax is
    /// refused with the variable or the place named.
    pub fn preview_campaign(
        &self,
        audience: &Audience,
        subject: &str,
        body: &str,
        contact: Option<ContactId>,
        agent_name: &str,
    ) -> Result<CampaignPreview, ReplicaError> {
        let mut errors = ValidationErrors::default();
        let mut used = Vec::new();
        for (field, text) in [("subject", subject), ("body", body)] {
            match check(text) {
                Ok(names) => used.extend(names),
                Err(e) => errors.push(field, e.to_string()),
            }
        }
        if !errors.0.is_empty() {
            return Err(errors.into());
        }
        let who = match contact {
            Some(id) => Some(id),
            None => self.audience_members(audience, 1)?.1.first().map(|m| m.id),
        };
        let record = match who {
            Some(id) => self.read::<Contact>(id)?,
            None => None,
        };
        let vars = record
            .as_ref()
            .map(|c| Variables::for_contact(c, agent_name, None))
            .unwrap_or_else(|| Variables {
                agent_name: Some(agent_name.to_owned()),
                ..Variables::default()
            });
        let fill = |text: &str| render(text, &vars).map_err(|e| change_error(&e.to_string()));
        used.sort();
        used.dedup();
        Ok(CampaignPreview {
            contact: record.as_ref().map(|c| AudienceMember {
                id: c.id,
                name: c.display_name(),
            }),
            subject: fill(subject)?,
            body: fill(body)?,
            missing: vars.missing(&used).into_iter().map(str::to_owned).collect(),
        })
    }
}

fn change_error(sentence: &str) -> ReplicaError {
    let mut errors = ValidationErrors::default();
    errors.push("status", sentence);
    errors.into()
}
