//! The numbers of the broker's Team screen (issue 15, seed 001's agent performance), read from
//! this device's read model: a broker's device holds the team's records, so the screen works
//! offline and costs one grouped scan of the contacts plus an index probe per new lead.
//!
//! A lead belongs to its assigned agent, else its owner. "Closed in the period" uses the time
//! the contact entered its current stage (`contacts.stage_since`, from its stage history), so a
//! deal closed and later reopened no longer counts. The member list the server gave last is
//! kept in `meta` so the agents keep their names offline.

use crate::error::ReplicaError;
use crate::rows::{parsed, time};
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{ContactId, Stage, UserId};
use fieldstone_protocol::DocId;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MEMBERS_KEY: &str = "team_members";
const TARGET_KEY: &str = "response_target_minutes";
/// The most leads `team_pipeline` lists (the screen says when there are more).
pub const TEAM_PIPELINE_MAX: u32 = 500;

/// One agent's counts over a period (see [`Replica::team_counts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentCounts {
    pub new_leads: u32,
    pub open_leads: u32,
    pub appointments: u32,
    pub deals_closed: u32,
    pub deals_lost: u32,
    /// Sum and number of first-response delays of the period's new leads that had one.
    pub response_ms_total: i64,
    pub responded: u32,
    pub awaiting_response: u32,
    /// Of those awaiting, how many arrived before the response-time target's cut-off.
    pub late: u32,
}

/// A member as the server last listed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedMember {
    pub user_id: UserId,
    pub name: String,
    /// Works leads (not a viewer): may be given one.
    pub takes_leads: bool,
}

/// An open lead of the team pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineLead {
    pub contact: ContactId,
    pub name: String,
    pub stage: Stage,
    pub agent: UserId,
    pub updated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Someone reached out to them since they arrived (see [`Replica::team_counts`]).
    pub replied: bool,
}

/// The first time the agent reached the lead: an outbound call, text or email logged, a
/// meeting, or a message the server sent — whichever came first after the lead arrived.
const FIRST_REPLY: &str = "(SELECT min(at) FROM (
       SELECT i.occurred_at AS at FROM interactions i
        WHERE i.contact_id = c.id AND i.deleted_at IS NULL
          AND (i.direction = 'outbound' OR i.channel = 'meeting')
          AND i.occurred_at >= c.created_at
       UNION ALL
       SELECT coalesce(m.status_at, m.created_at) FROM messages m
        WHERE m.contact_id = c.id AND m.deleted_at IS NULL
          AND m.status IN ('sent', 'delivered', 'opened', 'clicked')))";

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A lead someone else gave this agent (routing, a claim, a broker's move), for the "new lead"
/// notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandedLead {
    pub contact: ContactId,
    pub name: String,
    pub source: fieldstone_model::LeadSource,
    pub updated_at: DateTime<Utc>,
}

impl Replica {
    /// Open leads assigned to `agent` that someone else owns (so not the ones they typed in),
    /// most recently changed first, at most `limit`.
    pub fn leads_handed_to(
        &self,
        agent: UserId,
        limit: u32,
    ) -> Result<Vec<HandedLead>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT id, display_name, source, updated_at FROM contacts
              WHERE assigned_agent = ?1 AND owner != ?1 AND deleted_at IS NULL
                AND stage NOT IN ('closed', 'lost')
              ORDER BY updated_at DESC, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![agent.to_string(), limit], |r| {
            Ok(HandedLead {
                contact: parsed(r, 0)?,
                name: r.get(1)?,
                source: parsed(r, 2)?,
                updated_at: time(r, 3)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The document ids of the records about `contact` on this device (not deleted): its
    /// interactions, messages, notes, tasks and the bookings it attends. A broker's
    /// reassignment names them so the lead's history moves with it (the server checks each).
    pub fn records_about_contact(&self, contact: ContactId) -> Result<Vec<DocId>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT 'interaction', id FROM interactions WHERE contact_id = ?1 AND deleted_at IS NULL
             UNION ALL SELECT 'message', id FROM messages WHERE contact_id = ?1 AND deleted_at IS NULL
             UNION ALL SELECT 'note', id FROM notes
                 WHERE record_kind = 'contact' AND record_id = ?1 AND deleted_at IS NULL
             UNION ALL SELECT 'task', id FROM tasks
                 WHERE record_kind = 'contact' AND record_id = ?1 AND deleted_at IS NULL
             UNION ALL SELECT 'booking', b.id FROM booking_attendees a JOIN bookings b
                 ON b.id = a.booking_id
                 WHERE a.attendee_kind = 'contact' AND a.attendee_id = ?1 AND b.deleted_at IS NULL",
        )?;
        let rows = stmt.query_map([contact.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, id) = row?;
            // Kinds are this query's constants; an id that does not make a document id is not
            // one this device could have synced.
            if let Ok(doc) = DocId::new(&kind, &id) {
                out.push(doc);
            }
        }
        Ok(out)
    }

    /// Every agent's counts over `[from, to)`, keyed by agent. A lead still awaiting its first
    /// reply that arrived before `late_before` (now less the response-time target) is late.
    pub fn team_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        late_before: Option<DateTime<Utc>>,
    ) -> Result<BTreeMap<UserId, AgentCounts>, ReplicaError> {
        let (from, to) = (from.timestamp_millis(), to.timestamp_millis());
        let late_before = late_before.map(|t| t.timestamp_millis());
        let conn = self.reader();
        let mut out: BTreeMap<UserId, AgentCounts> = BTreeMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT coalesce(assigned_agent, owner) AS agent,
                        sum(created_at >= ?1 AND created_at < ?2),
                        sum(stage NOT IN ('closed', 'lost')),
                        sum(stage = 'closed' AND stage_since >= ?1 AND stage_since < ?2),
                        sum(stage = 'lost' AND stage_since >= ?1 AND stage_since < ?2)
                   FROM contacts WHERE deleted_at IS NULL GROUP BY agent",
            )?;
            let rows = stmt.query_map(params![from, to], |r| {
                Ok((
                    parsed::<UserId>(r, 0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?;
            for row in rows {
                let (agent, new, open, closed, lost) = row?;
                let c = out.entry(agent).or_default();
                c.new_leads = count(new);
                c.open_leads = count(open);
                c.deals_closed = count(closed);
                c.deals_lost = count(lost);
            }
        }
        {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT coalesce(c.assigned_agent, c.owner), c.created_at, {FIRST_REPLY}
                   FROM contacts c
                  WHERE c.deleted_at IS NULL AND c.created_at >= ?1 AND c.created_at < ?2"
            ))?;
            let rows = stmt.query_map(params![from, to], |r| {
                Ok((
                    parsed::<UserId>(r, 0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })?;
            for row in rows {
                let (agent, created, first) = row?;
                let c = out.entry(agent).or_default();
                match first {
                    Some(at) => {
                        c.response_ms_total += (at - created).max(0);
                        c.responded += 1;
                    }
                    None => {
                        c.awaiting_response += 1;
                        if late_before.is_some_and(|cut| created < cut) {
                            c.late += 1;
                        }
                    }
                }
            }
        }
        {
            let mut stmt = conn.prepare_cached(
                "SELECT created_by, count(*) FROM bookings
                  WHERE deleted_at IS NULL AND status != 'cancelled'
                    AND created_at >= ?1 AND created_at < ?2
                  GROUP BY created_by",
            )?;
            let rows = stmt.query_map(params![from, to], |r| {
                Ok((parsed::<UserId>(r, 0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (agent, n) = row?;
                out.entry(agent).or_default().appointments = count(n);
            }
        }
        Ok(out)
    }

    /// The team's open leads (not closed or lost), one agent's or everyone's, newest change
    /// first, at most [`TEAM_PIPELINE_MAX`].
    pub fn team_pipeline(&self, agent: Option<UserId>) -> Result<Vec<PipelineLead>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id, c.display_name, c.stage, coalesce(c.assigned_agent, c.owner) AS agent,
                    c.updated_at, c.created_at, {FIRST_REPLY} IS NOT NULL
               FROM contacts c
              WHERE c.deleted_at IS NULL AND c.stage NOT IN ('closed', 'lost')
                AND (?1 IS NULL OR coalesce(c.assigned_agent, c.owner) = ?1)
              ORDER BY c.updated_at DESC, c.id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(
            params![agent.map(|a| a.to_string()), TEAM_PIPELINE_MAX],
            |r| {
                Ok(PipelineLead {
                    contact: parsed(r, 0)?,
                    name: r.get(1)?,
                    stage: parsed(r, 2)?,
                    agent: parsed(r, 3)?,
                    updated_at: time(r, 4)?.unwrap_or_default(),
                    created_at: time(r, 5)?.unwrap_or_default(),
                    replied: r.get(6)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keeps the server's member list for offline naming.
    pub fn remember_team(&self, members: &[RememberedMember]) -> Result<(), ReplicaError> {
        // Plain strings and ids: this cannot fail to serialise; if it ever did, an empty
        // list only means names come from the server next time.
        let text = serde_json::to_string(members).unwrap_or_else(|_| "[]".into());
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![MEMBERS_KEY, text],
            )?;
            Ok(())
        })
    }

    /// The member list the server gave last, if any.
    pub fn remembered_team(&self) -> Result<Option<Vec<RememberedMember>>, ReplicaError> {
        let text: Option<String> = self
            .reader()
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [MEMBERS_KEY],
                |r| r.get(0),
            )
            .optional()?;
        // Unreadable (a future build's shape) is the same as never heard: names come back
        // with the next answer.
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Keeps the organisation's response-time target (minutes; none clears it) for offline.
    pub fn remember_response_target(&self, minutes: Option<u32>) -> Result<(), ReplicaError> {
        self.write(|tx, _| {
            match minutes {
                Some(m) => tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![TARGET_KEY, i64::from(m)],
                )?,
                None => tx.execute("DELETE FROM meta WHERE key = ?1", [TARGET_KEY])?,
            };
            Ok(())
        })
    }

    /// The response-time target the server gave last, if any.
    pub fn remembered_response_target(&self) -> Result<Option<u32>, ReplicaError> {
        let value: Option<i64> = self
            .reader()
            .query_row("SELECT value FROM meta WHERE key = ?1", [TARGET_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value.and_then(|v| u32::try_from(v).ok()))
    }
}
