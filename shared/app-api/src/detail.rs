//! A contact's detail screen beyond the contact itself: its timeline, adding a note, logging a
//! call, tasks, and conflicts with their resolution.

use super::{check_limit, Api};
use fieldstone_model::{
    Interaction, InteractionInput, Note, NoteInput, RecordRef, Task, TaskInput,
};
use fieldstone_protocol::commands::{
    CommandError, ConflictedDoc, ResolveConflict, SetTaskStatus, TimelineRequest, UpdateTask,
};
use fieldstone_protocol::views::{FieldConflict, TimelinePage};
use fieldstone_protocol::DocId;
use fieldstone_replica::TIMELINE_PAGE_MAX;

impl Api {
    /// Notes, interactions, bookings and tasks of a contact, newest first.
    pub async fn timeline(&self, request: TimelineRequest) -> Result<TimelinePage, CommandError> {
        check_limit("limit", request.limit, TIMELINE_PAGE_MAX)?;
        self.read(move |r| r.timeline(&request.contact, request.limit, request.after.as_ref()))
            .await
    }

    pub async fn add_note(&self, input: NoteInput) -> Result<Note, CommandError> {
        let author = self.user();
        self.write(move |r| r.create_note(&input, author)).await
    }

    /// Logs a call (or any interaction); the contact's "last contacted" moves with it.
    pub async fn log_interaction(
        &self,
        input: InteractionInput,
    ) -> Result<Interaction, CommandError> {
        let by = self.user();
        self.write(move |r| r.log_interaction(&input, by)).await
    }

    pub async fn create_task(&self, input: TaskInput) -> Result<Task, CommandError> {
        let owner = self.user();
        self.write(move |r| r.create_task(&input, owner)).await
    }

    pub async fn update_task(&self, request: UpdateTask) -> Result<Task, CommandError> {
        self.write(move |r| r.update_task(&request.id, &request.input))
            .await
    }

    pub async fn set_task_status(&self, request: SetTaskStatus) -> Result<Task, CommandError> {
        let by = self.user();
        self.write(move |r| r.close_task(&request.id, request.status, request.note.as_deref(), by))
            .await
    }

    /// The fields of a record holding concurrent values, with every value.
    pub async fn conflicts(&self, record: RecordRef) -> Result<Vec<FieldConflict>, CommandError> {
        let doc_id = doc_id(&record)?;
        self.read(move |r| r.conflicts(&doc_id)).await
    }

    /// Writes the chosen value; answers what is still in conflict.
    pub async fn resolve_conflict(
        &self,
        request: ResolveConflict,
    ) -> Result<Vec<FieldConflict>, CommandError> {
        let doc_id = doc_id(&request.record)?;
        self.write(move |r| {
            r.resolve_conflict(&doc_id, &request.field, &request.choice)?;
            r.conflicts(&doc_id)
        })
        .await
    }

    /// Every record with concurrent values, for list markers.
    pub async fn conflicted_docs(&self) -> Result<Vec<ConflictedDoc>, CommandError> {
        let docs = self.read(|r| r.documents_with_conflicts()).await?;
        Ok(docs
            .into_iter()
            .map(|(doc_id, fields)| ConflictedDoc { doc_id, fields })
            .collect())
    }
}

fn doc_id(record: &RecordRef) -> Result<DocId, CommandError> {
    record
        .to_string()
        .parse()
        .map_err(|e: fieldstone_protocol::InvalidDocId| {
            CommandError::invalid("record", e.to_string())
        })
}
