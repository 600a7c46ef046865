//! Contacts: keyset-paged lists with search, filters and sorts, counts per stage, the pipeline,
//! one contact with its conflict markers, edits, bulk tag and stage changes, smart lists.

use super::{check_limit, settings_error, Api};
use fieldstone_model::{Contact, ContactId, ContactInput};
use fieldstone_protocol::commands::{
    BulkFailure, BulkResult, BulkStage, BulkTag, CommandError, CommandErrorCode, ContactCounts,
    ContactDetail, MoveStage, Pipeline, PipelineColumn, PipelineRequest, SaveSmartList, SmartList,
    StageCount, UpdateContact, BULK_MAX, SMART_LISTS_MAX, SMART_LIST_NAME_MAX_CHARS,
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
        self.read(move |r| {
            let contact = r.get_contact(&id)?.ok_or_else(|| not_found(&id))?;
            let conflicts = r.conflicts(&contact_doc_id(&id)?)?;
            let next_task = r.next_task_for(&id.to_string())?;
            Ok(ContactDetail {
                contact,
                conflicts,
                next_task,
            })
        })
        .await
    }

    pub async fn create_contact(&self, input: ContactInput) -> Result<Contact, CommandError> {
        let by = self.user();
        self.write(move |r| r.create_contact(&input, by)).await
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

    pub fn smart_lists(&self) -> Vec<SmartList> {
        self.settings.get().smart_lists
    }

    /// Creates (no id) or replaces a smart list; names are unique regardless of case.
    pub async fn save_smart_list(&self, request: SaveSmartList) -> Result<SmartList, CommandError> {
        let name = request.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > SMART_LIST_NAME_MAX_CHARS {
            return Err(CommandError::invalid(
                "name",
                format!("Name the list in 1 to {SMART_LIST_NAME_MAX_CHARS} characters."),
            ));
        }
        // The query must be one the engine accepts; it is stored from its first page.
        let query = ContactQuery {
            after: None,
            ..request.query
        };
        let probe = ContactQuery {
            limit: 1,
            ..query.clone()
        };
        self.read(move |r| r.list_contacts(&probe).map(|_| ()))
            .await
            .map_err(|mut e| {
                e.fields
                    .iter_mut()
                    .for_each(|f| f.field = format!("query.{}", f.field));
                e
            })?;
        let list = SmartList {
            id: request
                .id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            name,
            query,
        };
        let saved = list.clone();
        self.settings
            .try_update(move |s| {
                let clash = s.smart_lists.iter().any(|l| {
                    l.id != saved.id && l.name.to_lowercase() == saved.name.to_lowercase()
                });
                if clash {
                    return Err(CommandError::invalid(
                        "name",
                        "There is already a list with this name.",
                    ));
                }
                let count = s.smart_lists.len();
                match s.smart_lists.iter_mut().find(|l| l.id == saved.id) {
                    Some(existing) => *existing = saved,
                    None if request.id.is_some() => {
                        return Err(CommandError::new(
                            CommandErrorCode::NotFound,
                            "This smart list no longer exists.",
                        ))
                    }
                    None if count >= SMART_LISTS_MAX => {
                        return Err(CommandError::invalid(
                            "name",
                            format!("You can keep up to {SMART_LISTS_MAX} smart lists."),
                        ))
                    }
                    None => s.smart_lists.push(saved),
                }
                Ok(())
            })
            .map_err(settings_error)??;
        Ok(list)
    }

    pub fn delete_smart_list(&self, id: String) -> Result<(), CommandError> {
        let removed = self
            .settings
            .update(|s| {
                let before = s.smart_lists.len();
                s.smart_lists.retain(|l| l.id != id);
                before != s.smart_lists.len()
            })
            .map_err(settings_error)?;
        if removed {
            Ok(())
        } else {
            Err(CommandError::new(
                CommandErrorCode::NotFound,
                "This smart list no longer exists.",
            ))
        }
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
