//! The learned lead score per agent on the device (issue 15, seed 003: "User A's model ≠ User
//! B's"), and the contact's score as its header shows it.
//!
//! - **Whose outcomes**: an agent's contacts are those assigned to them, else those they own
//!   (`coalesce(assigned_agent, owner)`), so each contact belongs to exactly one agent and no
//!   fit ever mixes two agents' leads. Outcomes are those contacts in stage Closed (won) or Lost
//!   (lost), not deleted.
//! - **Features** ([`LeadFeatures`]), from the read model only: the contact's source; response
//!   time = first outbound interaction minus the contact's creation; calls, emails, texts (SMS,
//!   WhatsApp, Instagram) and meetings among its interactions, showings also counting showing
//!   bookings; bookings it attends; property views = distinct listings of interest (as the rule
//!   score counts them); email opens and clicks = its messages whose provider events took them
//!   to opened or clicked (`messages.status`: one each per message, repeats not counted); budget
//!   fit = the share of those listings priced within its budget (0 with no budget or listing).
//! - **When**: the model is fitted once an agent has [`MIN_OUTCOMES`] outcomes of both classes,
//!   and kept in `agent_score_models` with the signature of the outcomes it was fitted on
//!   (counts and update times); when a contact enters or leaves Closed/Lost the signature
//!   changes and the next look refits (a fit on 10k outcomes takes ~30 ms).

use crate::error::ReplicaError;
use crate::store::Replica;
use fieldstone_model::score::{
    check_outcomes, fit, rule_score, LeadFeatures, LearnedModel, Outcome, WhichScore,
};
use fieldstone_model::{ContactId, LeadSource, UserId};
use fieldstone_protocol::views::{ContactScore, LearnedScore, ScoreFactor};
use rusqlite::{params, Connection, OptionalExtension};

/// How many of the agent's factors the header shows.
pub const FACTORS_SHOWN: usize = 3;

/// The listings a contact is interested in (`c` is the contact row), as the rule score counts
/// them.
const INTEREST: &str = "
  SELECT i.listing_id FROM interactions i
    WHERE i.contact_id = c.id AND i.deleted_at IS NULL AND i.listing_id IS NOT NULL
  UNION
  SELECT b.listing_id FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
    WHERE a.attendee_id = c.id AND a.attendee_kind = 'contact' AND b.deleted_at IS NULL
      AND b.listing_id IS NOT NULL";

/// The learned score's features of the contacts `c` the caller's `WHERE` selects.
fn features_sql(filter: &str) -> String {
    let count = |cond: &str| {
        format!(
            "(SELECT count(*) FROM interactions i
               WHERE i.contact_id = c.id AND i.deleted_at IS NULL AND {cond})"
        )
    };
    format!(
        "SELECT c.stage, c.source, c.created_at,
           (SELECT min(i.occurred_at) FROM interactions i
              WHERE i.contact_id = c.id AND i.deleted_at IS NULL AND i.direction = 'outbound'),
           {calls}, {emails}, {texts}, {meetings},
           (SELECT count(*) FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
              WHERE a.attendee_id = c.id AND a.attendee_kind = 'contact' AND b.deleted_at IS NULL),
           (SELECT count(*) FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
              WHERE a.attendee_id = c.id AND a.attendee_kind = 'contact' AND b.deleted_at IS NULL
                AND b.kind = 'showing'),
           (SELECT count(*) FROM ({INTEREST})),
           (SELECT count(*) FROM messages m WHERE m.contact_id = c.id AND m.deleted_at IS NULL
              AND m.status IN ('opened', 'clicked')),
           (SELECT count(*) FROM messages m WHERE m.contact_id = c.id AND m.deleted_at IS NULL
              AND m.status = 'clicked'),
           (SELECT count(*) FROM listings l WHERE l.id IN ({INTEREST})
              AND c.budget IS NOT NULL AND l.price <= c.budget),
           (SELECT count(*) FROM listings l WHERE l.id IN ({INTEREST}))
         FROM contacts c WHERE {filter}",
        calls = count("i.channel = 'call'"),
        emails = count("i.channel = 'email'"),
        texts = count("i.channel IN ('sms', 'whatsapp', 'instagram')"),
        meetings = count("i.channel = 'meeting'"),
    )
}

/// Whose contacts are an agent's (`?1`).
const AGENT_OUTCOMES: &str = "coalesce(c.assigned_agent, c.owner) = ?1
  AND c.stage IN ('closed', 'lost') AND c.deleted_at IS NULL";

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// `(stage, features)` of each row of [`features_sql`].
fn read_features(
    conn: &Connection,
    filter: &str,
    param: &str,
) -> Result<Vec<(String, LeadFeatures)>, ReplicaError> {
    let mut stmt = conn.prepare_cached(&features_sql(filter))?;
    let rows = stmt.query_map([param], |r| {
        let stage: String = r.get(0)?;
        let source: String = r.get(1)?;
        let created: i64 = r.get(2)?;
        let first_out: Option<i64> = r.get(3)?;
        let meetings: i64 = r.get(7)?;
        let showing_bookings: i64 = r.get(9)?;
        let within: i64 = r.get(13)?;
        let priced: i64 = r.get(14)?;
        Ok((
            stage,
            LeadFeatures {
                // A source this build does not know counts as the baseline ("other").
                source: source.parse().unwrap_or(LeadSource::Other),
                response_hours: first_out.map(|at| (at - created) as f64 / 3_600_000.0),
                calls: count(r.get(4)?),
                emails: count(r.get(5)?),
                texts: count(r.get(6)?),
                showings: count(meetings.saturating_add(showing_bookings)),
                bookings: count(r.get(8)?),
                property_views: count(r.get(10)?),
                email_opens: count(r.get(11)?),
                email_clicks: count(r.get(12)?),
                budget_fit: if priced > 0 {
                    within as f64 / priced as f64
                } else {
                    0.0
                },
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An agent's closed and lost contacts with their features.
pub(crate) fn outcomes_of(conn: &Connection, agent: &UserId) -> Result<Vec<Outcome>, ReplicaError> {
    Ok(read_features(conn, AGENT_OUTCOMES, &agent.to_string())?
        .into_iter()
        .map(|(stage, features)| Outcome {
            features,
            won: stage == "closed",
        })
        .collect())
}

/// `(won, lost, signature)` of an agent's outcomes: the signature changes whenever a contact
/// enters or leaves Closed/Lost or one of them is edited.
fn outcome_signature(conn: &Connection, agent: &str) -> Result<(u32, u32, String), ReplicaError> {
    let (won, lost, latest, sum): (i64, i64, Option<i64>, f64) = conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(c.stage = 'closed'), 0), coalesce(sum(c.stage = 'lost'), 0),
               max(c.updated_at), total(c.updated_at)
             FROM contacts c WHERE {AGENT_OUTCOMES}"
        ))?
        .query_row([agent], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    Ok((
        count(won),
        count(lost),
        format!("{won}/{lost}/{}/{sum}", latest.unwrap_or(0)),
    ))
}

impl Replica {
    /// The signed-in agent's own model, fitted on their outcomes only, from the cache while
    /// the outcomes are unchanged; `None` while they have too few (or one class only) or the
    /// fit fails (then the rule score stands and the failure is logged).
    pub fn agent_model(
        &self,
        agent: &UserId,
    ) -> Result<(u32, u32, Option<LearnedModel>), ReplicaError> {
        let key = agent.to_string();
        let (won, lost, signature) = outcome_signature(&self.reader(), &key)?;
        if check_outcomes(won as usize, lost as usize).is_err() {
            return Ok((won, lost, None));
        }
        let cached: Option<String> = self
            .reader()
            .query_row(
                "SELECT model FROM agent_score_models WHERE agent = ?1 AND signature = ?2",
                params![key, signature],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(model) = cached.and_then(|json| serde_json::from_str(&json).ok()) {
            return Ok((won, lost, Some(model)));
        }
        let outcomes = outcomes_of(&self.reader(), agent)?;
        let model = match fit(&outcomes) {
            Ok(model) => model,
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "the agent's lead model was not fitted");
                return Ok((won, lost, None));
            }
        };
        if let Ok(json) = serde_json::to_string(&model) {
            self.conn().execute(
                "INSERT INTO agent_score_models (agent, signature, model) VALUES (?1, ?2, ?3)
                 ON CONFLICT (agent) DO UPDATE SET signature = excluded.signature,
                   model = excluded.model",
                params![key, signature, json],
            )?;
        }
        Ok((won, lost, Some(model)))
    }

    /// Contact `id`'s score as its header shows it, for agent `agent`: the rule score at the
    /// clock's now with every line, and the agent's own close probability with its top
    /// factors once they have a model. `None` if the contact has no row.
    pub fn contact_score(
        &self,
        id: &ContactId,
        agent: &UserId,
    ) -> Result<Option<ContactScore>, ReplicaError> {
        let key = id.to_string();
        let Some(row) = crate::score::inputs_of(&self.reader(), &key)? else {
            return Ok(None);
        };
        let rule = rule_score(&row.input(), self.now_ms());
        let (won, lost, model) = self.agent_model(agent)?;
        let learned = match &model {
            Some(model) => read_features(&self.reader(), "c.id = ?1", &key)?
                .into_iter()
                .next()
                .map(|(_, features)| LearnedScore {
                    probability: model.predict(&features),
                    factors: model
                        .top_factors(FACTORS_SHOWN)
                        .into_iter()
                        .map(|f| ScoreFactor {
                            feature: f.feature.as_str().to_owned(),
                            weight: f.weight,
                            sentence: f.sentence,
                        })
                        .collect(),
                }),
            None => None,
        };
        let which = match (&model, &learned) {
            (Some(model), Some(_)) => model.which(),
            _ => WhichScore::Rule,
        };
        Ok(Some(ContactScore {
            rule,
            which,
            learned,
            won,
            lost,
        }))
    }
}
