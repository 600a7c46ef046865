//! What happened lately across every contact, newest first, for Today's "Recent activity":
//! contacts added, notes added, calls and messages logged, tasks done. Read from the read model
//! with one index per source (schema version 7), so it costs the same at 100k contacts.

use crate::error::ReplicaError;
use crate::rows::time;
use crate::store::Replica;
use fieldstone_model::{Channel, ContactId};
use fieldstone_protocol::views::{ActivityItem, ActivityKind};

/// The most one call returns.
pub const ACTIVITY_MAX: u32 = 200;

impl Replica {
    /// The `limit` latest things that happened to the user's live contacts (their own and
    /// those shared with them: a broker's Today is not the team's feed), newest first.
    pub fn recent_activity(&self, limit: u32) -> Result<Vec<ActivityItem>, ReplicaError> {
        let limit = limit.clamp(1, ACTIVITY_MAX);
        let conn = self.reader();
        let mine = crate::mine::sql(fieldstone_doc::contact::KIND, "c.id");
        // Each source takes its own newest `limit` through its index before the merge.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT kind, at, contact_id, display_name, detail, channel FROM (
                 SELECT * FROM (SELECT 'contact_added' AS kind, c.created_at AS at,
                        c.id AS contact_id, c.display_name, '' AS detail, NULL AS channel
                   FROM contacts c WHERE c.deleted_at IS NULL AND {mine}
                   ORDER BY c.created_at DESC LIMIT ?1)
                 UNION ALL
                 SELECT * FROM (SELECT 'note_added', n.created_at, c.id, c.display_name,
                        n.preview, NULL
                   FROM notes n JOIN contacts c ON c.id = n.record_id
                   WHERE n.record_kind = 'contact' AND n.deleted_at IS NULL
                     AND c.deleted_at IS NULL AND {mine}
                   ORDER BY n.created_at DESC LIMIT ?1)
                 UNION ALL
                 SELECT * FROM (SELECT 'logged', i.created_at, c.id, c.display_name,
                        i.summary, i.channel
                   FROM interactions i JOIN contacts c ON c.id = i.contact_id
                   WHERE i.deleted_at IS NULL AND c.deleted_at IS NULL AND {mine}
                   ORDER BY i.created_at DESC LIMIT ?1)
                 UNION ALL
                 SELECT * FROM (SELECT 'task_done', t.closed_at, c.id, c.display_name,
                        t.title, NULL
                   FROM tasks t JOIN contacts c ON c.id = t.record_id
                   WHERE t.closed_at IS NOT NULL AND t.status = 'completed'
                     AND t.record_kind = 'contact' AND t.deleted_at IS NULL
                     AND c.deleted_at IS NULL AND {mine}
                   ORDER BY t.closed_at DESC LIMIT ?1)
             )
             ORDER BY at DESC, kind, contact_id
             LIMIT ?1",
        ))?;
        let rows = stmt.query_map([limit], |row| {
            let kind: String = row.get(0)?;
            let contact: String = row.get(2)?;
            let channel: Option<String> = row.get(5)?;
            Ok((
                kind,
                time(row, 1)?,
                contact,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                channel,
            ))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (kind, at, contact, contact_name, detail, channel) = row?;
            let kind = match kind.as_str() {
                "contact_added" => ActivityKind::ContactAdded,
                "note_added" => ActivityKind::NoteAdded,
                "logged" => ActivityKind::Logged,
                _ => ActivityKind::TaskDone,
            };
            // Rows the read model wrote itself: a bad one is skipped, never the whole list.
            let (Some(at), Ok(contact)) = (at, contact.parse::<ContactId>()) else {
                continue;
            };
            items.push(ActivityItem {
                kind,
                at,
                contact,
                contact_name,
                // The note's preview may run long; the list shows one line.
                detail: detail.lines().next().unwrap_or_default().to_owned(),
                channel: channel.and_then(|c| c.parse::<Channel>().ok()),
            });
        }
        Ok(items)
    }
}
