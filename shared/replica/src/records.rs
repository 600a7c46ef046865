//! The write path every record kind shares: a record becomes (or edits) its Automerge document,
//! its read-model rows and an outbox entry, all in the caller's transaction.

use crate::error::ReplicaError;
use crate::store::{enqueue, load_doc, save_doc, Replica};
use automerge::{ActorId, AutoCommit, Change};
use chrono::{DateTime, Utc};
use fieldstone_doc::DocError;
use fieldstone_model::SoftDelete;
use fieldstone_protocol::DocId;
use rusqlite::{Connection, Transaction};
use std::fmt::Display;

/// Where a kind's read-model rows live, so removing a document's rows, rebuilding the read
/// model and comparing two read models need no code per kind.
pub(crate) struct Tables {
    /// One row per record, keyed by `id`, with `seq` (the search index's rowid).
    pub main: &'static str,
    /// Tables of several rows per record: `(table, column holding the record's id)`.
    pub children: &'static [(&'static str, &'static str)],
    /// The kind's FTS5 table (rowid = `seq` of `main`) and the columns a read-model dump shows
    /// (`f.` is the FTS table).
    pub search: Option<(&'static str, &'static str)>,
}

/// A record kind stored as one document per record.
// The document layer's own error type; the engine boxes it (`ReplicaError::Document`).
#[allow(clippy::result_large_err)]
pub(crate) trait Record: Sized + SoftDelete {
    /// The document kind (`DocId` prefix).
    const KIND: &'static str;
    /// Its read-model tables.
    const TABLES: Tables;
    type Id: Display + Copy;

    fn id(&self) -> Self::Id;
    fn updated_at(&self) -> DateTime<Utc>;
    fn set_updated_at(&mut self, at: DateTime<Utc>);
    fn create_doc(actor: ActorId, record: &Self) -> Result<(AutoCommit, Change), DocError>;
    fn update_doc(doc: &mut AutoCommit, record: &Self) -> Result<Option<Change>, DocError>;
    fn read_doc(doc: &AutoCommit) -> Result<Self, DocError>;
    /// Writes the record's read-model rows, replacing what was there.
    fn project(conn: &Connection, record: &Self) -> Result<(), ReplicaError>;
}

pub(crate) fn doc_id(kind: &str, id: impl Display) -> Result<DocId, ReplicaError> {
    DocId::new(kind, id).map_err(|e| ReplicaError::doc(&e.0, DocError::InvalidValue(e.to_string())))
}

pub(crate) fn record_doc_id<R: Record>(id: R::Id) -> Result<DocId, ReplicaError> {
    doc_id(R::KIND, id)
}

/// Stores a new record: document, read model and outbox.
pub(crate) fn insert<R: Record>(
    tx: &Transaction<'_>,
    actor: &ActorId,
    now: DateTime<Utc>,
    record: &R,
) -> Result<(), ReplicaError> {
    let doc_id = record_doc_id::<R>(record.id())?;
    let (mut doc, change) =
        R::create_doc(actor.clone(), record).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    save_doc(tx, &doc_id, &mut doc, now.timestamp_millis())?;
    R::project(tx, record)?;
    enqueue(tx, &doc_id, &change)?;
    Ok(())
}

/// A new record with its document already made: [`prepare`] does the CPU work (building and
/// compressing the document) wherever suits the caller, e.g. a thread beside the writer, and
/// [`insert_prepared`] stores it like [`insert`].
pub(crate) struct PreparedDoc<R> {
    record: R,
    doc_id: DocId,
    bytes: Vec<u8>,
    change: Change,
}

impl<R> PreparedDoc<R> {
    pub(crate) fn record(&self) -> &R {
        &self.record
    }
}

// The document layer's own error type; the engine boxes it (`ReplicaError::Document`).
#[allow(clippy::result_large_err)]
pub(crate) fn prepare<R: Record>(
    actor: &ActorId,
    record: R,
) -> Result<PreparedDoc<R>, ReplicaError> {
    let doc_id = record_doc_id::<R>(record.id())?;
    let (mut doc, change) =
        R::create_doc(actor.clone(), &record).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    Ok(PreparedDoc {
        bytes: doc.save(),
        record,
        doc_id,
        change,
    })
}

/// Stores a prepared record: document, read model and outbox, in the caller's transaction.
pub(crate) fn insert_prepared<R: Record>(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    prepared: &PreparedDoc<R>,
) -> Result<(), ReplicaError> {
    crate::store::save_doc_bytes(
        tx,
        &prepared.doc_id,
        &prepared.bytes,
        now.timestamp_millis(),
    )?;
    R::project(tx, &prepared.record)?;
    enqueue(tx, &prepared.doc_id, &prepared.change)?;
    Ok(())
}

/// Reads record `id` from its document, lets `edit` change it (returning whether it did) and, if
/// the document changed, writes document, read model and outbox. Returns the record as stored.
pub(crate) fn modify<R: Record>(
    tx: &Transaction<'_>,
    actor: &ActorId,
    id: R::Id,
    now: DateTime<Utc>,
    edit: impl FnOnce(&mut R) -> Result<bool, ReplicaError>,
) -> Result<R, ReplicaError> {
    let doc_id = record_doc_id::<R>(id)?;
    let mut doc = load_doc(tx, &doc_id, actor)?.ok_or_else(|| ReplicaError::NotFound {
        what: format!("{} {id}", R::KIND),
    })?;
    let mut record = R::read_doc(&doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    if !edit(&mut record)? {
        return Ok(record);
    }
    let written =
        R::update_doc(&mut doc, &record).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    if let Some(written) = written {
        save_doc(tx, &doc_id, &mut doc, now.timestamp_millis())?;
        R::project(tx, &record)?;
        // Writing a field supersedes the concurrent values it had.
        crate::conflicts::record_conflicts(tx, &doc_id, &doc)?;
        enqueue(tx, &doc_id, &written)?;
    }
    Ok(record)
}

/// Applies an edit form's `edit` to `record` and says whether anything but `updated_at` changed;
/// `updated_at` becomes `now` only then. A form saved without changes writes nothing, so it makes
/// no change to sync and no conflict.
pub(crate) fn edit_changes<R: Record + Clone + PartialEq>(
    record: &mut R,
    now: DateTime<Utc>,
    edit: impl FnOnce(&mut R),
) -> bool {
    let before = record.clone();
    edit(record);
    record.set_updated_at(before.updated_at());
    if *record == before {
        return false;
    }
    record.set_updated_at(now);
    true
}

/// The record as its document says, or `None` if there is no such document.
pub(crate) fn get<R: Record>(
    conn: &Connection,
    actor: &ActorId,
    id: R::Id,
) -> Result<Option<R>, ReplicaError> {
    let doc_id = record_doc_id::<R>(id)?;
    load_doc(conn, &doc_id, actor)?
        .map(|doc| R::read_doc(&doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e)))
        .transpose()
}

impl Replica {
    /// Runs `work` in one write transaction, quarantining a document found corrupt on the way
    /// (then reporting [`ReplicaError::Quarantined`]) instead of failing the same way forever.
    pub(crate) fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>, DateTime<Utc>) -> Result<T, ReplicaError>,
    ) -> Result<T, ReplicaError> {
        let now = self.now_ms();
        let result = {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            work(&tx, now).and_then(|value| {
                tx.commit()?;
                Ok(value)
            })
        };
        self.quarantine_if_corrupt(result)
    }

    /// Reads record `id` of kind `R`, quarantining it if its document is corrupt.
    pub(crate) fn read<R: Record>(&self, id: R::Id) -> Result<Option<R>, ReplicaError> {
        let result = get::<R>(&self.reader(), self.actor(), id);
        self.quarantine_if_corrupt(result)
    }

    /// Soft-deletes (`deleted = true`) or restores record `id`; a no-op writes nothing.
    pub(crate) fn set_deleted<R: Record>(
        &self,
        id: R::Id,
        deleted: bool,
    ) -> Result<R, ReplicaError> {
        self.write(|tx, now| {
            modify::<R>(tx, self.actor(), id, now, |record| {
                if record.is_deleted() == deleted {
                    return Ok(false);
                }
                if deleted {
                    record.soft_delete(now);
                } else {
                    record.restore();
                }
                record.set_updated_at(now);
                Ok(true)
            })
        })
    }
}

/// Something done with one record kind, picked by its document kind at run time
/// ([`kinds!`] writes the dispatch): project a document, read it as JSON...
pub(crate) trait KindVisitor {
    type Output;
    fn visit<R: Record + serde::Serialize>(self) -> Self::Output;
}

/// The list of every record kind the engine stores, written once (in `lib.rs`). Expands to
/// `visit_kind(kind, visitor)`, which runs `visitor` with the kind whose document kind is
/// `kind` (`None` for a kind this build does not know), and `KIND_TABLES`, every kind's
/// tables. Projection, removal of a document's rows, rebuild, dump and export use these, so a
/// new kind is one more entry here and nothing else in the engine's shared code.
macro_rules! kinds {
    ($($ty:ty),+ $(,)?) => {
        /// Runs `visitor` with the record kind whose documents are of kind `kind`.
        pub(crate) fn visit_kind<V: $crate::records::KindVisitor>(
            kind: &str,
            visitor: V,
        ) -> Option<V::Output> {
            $(
                if kind == <$ty as $crate::records::Record>::KIND {
                    return Some(visitor.visit::<$ty>());
                }
            )+
            None
        }

        /// Every record kind's read-model tables.
        pub(crate) const KIND_TABLES: &[&$crate::records::Tables] =
            &[$(&<$ty as $crate::records::Record>::TABLES),+];
    };
}

pub(crate) use kinds;

/// Implements [`Record`] for a model type whose document module has the usual
/// `create`/`update`/`read` and which has `id`, `updated_at` fields.
macro_rules! record_kind {
    ($ty:ty, $id:ty, $($module:ident)::+, $project:path, $tables:expr) => {
        impl $crate::records::Record for $ty {
            const KIND: &'static str = $($module)::+::KIND;
            const TABLES: $crate::records::Tables = $tables;
            type Id = $id;

            fn id(&self) -> $id {
                self.id
            }
            fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.updated_at
            }
            fn set_updated_at(&mut self, at: chrono::DateTime<chrono::Utc>) {
                self.updated_at = at;
            }
            fn create_doc(
                actor: automerge::ActorId,
                record: &Self,
            ) -> Result<(automerge::AutoCommit, automerge::Change), fieldstone_doc::DocError> {
                $($module)::+::create(actor, record)
            }
            fn update_doc(
                doc: &mut automerge::AutoCommit,
                record: &Self,
            ) -> Result<Option<automerge::Change>, fieldstone_doc::DocError> {
                $($module)::+::update(doc, record)
            }
            fn read_doc(doc: &automerge::AutoCommit) -> Result<Self, fieldstone_doc::DocError> {
                $($module)::+::read(doc)
            }
            fn project(
                conn: &rusqlite::Connection,
                record: &Self,
            ) -> Result<(), $crate::error::ReplicaError> {
                $project(conn, record)
            }
        }
    };
}

pub(crate) use record_kind;
