//! Contacts: keyset-paged lists with search, filters and sorts, counts per stage, the pipeline,
//! one contact with its conflict markers, edits, bulk tag and stage changes (smart lists are
//! the agent's preferences: `preferences.rs`).

use super::{check_limit, Api};
use fieldstone_model::{Contact, ContactId, ContactInput};
use fieldstone_protocol::commands::{
    BulkFailure, BulkResult, BulkStage, BulkTag, CommandError, ContactCounts, ContactDetail,
    MoveStage, Pipeline, PipelineColumn, PipelineRequest, StageCount, UpdateContact, BULK_MAX,
};
use fieldstone_protocol::views::{
    ContactPage, ContactQuery, ContactSort, CustomFieldName, SortField, CUSTOM_FIELD_NAMES_MAX,
};
use fieldstone_replica::{contact_doc_id, Replica, ReplicaError, StageTotal, CONTACT_PAGE_MAX};

impl Api {
    pub async fn list_contacts(&self, query: ContactQuery) -> Result<ContactPage, CommandError> {
        self.read(move |r| r.list_contacts(&query)).await
    }

    pub async fn contact_counts(&self, query: ContactQuery) -> Result<ContactCounts, CommandError> {
        self.read(move |r| {
            let by_stage: Vec<StageCount> = r
                .stage_counts(&query)?
                .into_iter()
                .map(|(stage, count)| StageCount { stage, count })
                .collect();
            // Counted per stage once; a stage filter keeps only those stages in the total.
            let total = by_stage
                .iter()
                .filter(|c| query.stages.is_empty() || query.stages.contains(&c.stage))
                .map(|c| c.count)
                .sum();
            Ok(ContactCounts { total, by_stage })
        })
        .await
    }

    /// The contact and the fields holding concurrent values (for the conflict marker).
    pub async fn get_contact(&self, id: ContactId) -> Result<ContactDetail, CommandError> {
        // The lead score's learned part is the signed-in agent's own model (issue 15).
        let agent = self.user();
        self.read(move |r| {
            let contact = r.get_contact(&id)?.ok_or_else(|| not_found(&id))?;
            let conflicts = r.conflicts(&contact_doc_id(&id)?)?;
            let next_task = r.next_task_for(&id.to_string())?;
            let score = r.contact_score(&id, &agent)?;
            let follow_ups_open = r.follow_ups_open(&id)?;
            Ok(ContactDetail {
                contact,
                conflicts,
                next_task,
                score,
                follow_ups_open,
            })
        })
        .await
    }

    /// Stores a new contact with its follow-up plan (the organisation's, in the agent's zone),
    /// in one transaction.
    pub async fn create_contact(&self, input: ContactInput) -> Result<Contact, CommandError> {
        let by = self.user();
        let planning = self.planning().await?;
        self.write(move |r| {
            r.batch(|b| {
                let contact = b.create_contact(&input, by)?;
                b.plan_follow_ups(&contact, by, &planning)?;
                Ok(contact)
            })
        })
        .await
    }

    pub async fn update_contact(&self, request: UpdateContact) -> Result<Contact, CommandError> {
        let by = self.user();
        self.write(move |r| r.update_contact(&request.id, &request.input, by))
            .await
    }

    pub async fn delete_contact(&self, id: ContactId) -> Result<Contact, CommandError> {
        self.write(move |r| r.soft_delete_contact(&id)).await
    }

    pub async fn restore_contact(&self, id: ContactId) -> Result<Contact, CommandError> {
        self.write(move |r| r.restore_contact(&id)).await
    }

    /// One pipeline move; moving to the stage it is in writes nothing.
    pub async fn move_stage(&self, request: MoveStage) -> Result<Contact, CommandError> {
        let by = self.user();
        self.write(move |r| r.set_contact_stage(&request.id, request.stage, by))
            .await
    }

    pub async fn bulk_tag(&self, request: BulkTag) -> Result<BulkResult, CommandError> {
        check_bulk(&request.ids)?;
        if request.add.is_empty() && request.remove.is_empty() {
            return Err(CommandError::invalid(
                "add",
                "Choose tags to add or remove.",
            ));
        }
        self.write(move |r| {
            Ok(bulk(r, &request.ids, |r, id| {
                r.tag_contact(id, &request.add, &request.remove)
            }))
        })
        .await
    }

    pub async fn bulk_stage(&self, request: BulkStage) -> Result<BulkResult, CommandError> {
        check_bulk(&request.ids)?;
        let by = self.user();
        self.write(move |r| {
            Ok(bulk(r, &request.ids, |r, id| {
                r.set_contact_stage(id, request.stage, by)
            }))
        })
        .await
    }

    /// Every stage's count and first page (most recently updated first).
    pub async fn pipeline(&self, request: PipelineRequest) -> Result<Pipeline, CommandError> {
        check_limit("per_stage", request.per_stage, CONTACT_PAGE_MAX)?;
        self.read(move |r| {
            let filter = ContactQuery {
                stages: Vec::new(),
                sort: ContactSort {
                    field: SortField::Updated,
                    descending: true,
                },
                after: None,
                limit: request.per_stage,
                ..request.filter
            };
            let totals = r.stage_totals(&filter)?;
            let mut columns = Vec::with_capacity(totals.len());
            for StageTotal {
                stage,
                count,
                budget,
            } in totals
            {
                let page = r.list_contacts(&ContactQuery {
                    stages: vec![stage],
                    ..filter.clone()
                })?;
                columns.push(PipelineColumn {
                    stage,
                    count,
                    budget,
                    contacts: page.items,
                    next: page.next,
                });
            }
            Ok(Pipeline { columns })
        })
        .await
    }

    /// The custom field names in use, for the form's suggestions and the custom filter.
    pub async fn custom_field_names(&self) -> Result<Vec<CustomFieldName>, CommandError> {
        self.read(|r| r.custom_field_names(CUSTOM_FIELD_NAMES_MAX))
            .await
    }
}

fn not_found(id: &ContactId) -> ReplicaError {
    ReplicaError::NotFound {
        what: format!("contact {id}"),
    }
}

fn check_bulk(ids: &[ContactId]) -> Result<(), CommandError> {
    if ids.is_empty() || ids.len() > BULK_MAX {
        return Err(CommandError::invalid(
            "ids",
            format!("Select 1 to {BULK_MAX} contacts."),
        ));
    }
    Ok(())
}

/// Applies `change` to each contact on its own, so one failure leaves the others done.
fn bulk(
    replica: &Replica,
    ids: &[ContactId],
    change: impl Fn(&Replica, &ContactId) -> Result<Contact, ReplicaError>,
) -> BulkResult {
    let mut result = BulkResult {
        done: 0,
        failed: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for id in ids.iter().filter(|id| seen.insert(**id)) {
        match change(replica, id) {
            Ok(_) => result.done += 1,
            Err(error) => result.failed.push(BulkFailure {
                id: *id,
                error: crate::error::from_replica(error),
            }),
        }
    }
    result
}
