//! Conflict inspection: when two devices set the same field concurrently, automerge keeps every
//! value and picks a deterministic winner. These functions show all of them so a person can pick,
//! and write the pick so the conflict disappears on every device once synced.
//!
//! Fields are top-level scalar fields of a record document (`stage`, `priority`, `price`...).
//! Resolving only re-writes a value already in the document, so it never introduces a shape the
//! document's schema does not have.

use crate::DocError;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, Change, ObjId, ReadDoc, ScalarValue, Value};

/// One of the concurrent values of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictValue {
    /// The value for people: strings unquoted, numbers and booleans as written.
    pub display: String,
    /// Opaque: the id of the operation that wrote this value, needed by [`resolve`].
    pub id: ObjId,
}

fn display(value: &Value<'_>) -> String {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            other => other.to_string(),
        },
        Value::Object(kind) => format!("({kind})"),
    }
}

/// Every concurrent value of `field` on the document root: empty if the field is absent, one
/// value if there is no conflict, two or more if devices wrote it concurrently.
pub fn conflicts(doc: &AutoCommit, field: &str) -> Result<Vec<ConflictValue>, DocError> {
    Ok(doc
        .get_all(automerge::ROOT, field)?
        .into_iter()
        .map(|(value, id)| ConflictValue {
            display: display(&value),
            id,
        })
        .collect())
}

/// Writes `chosen` (one of [`conflicts`]' values) as the field's value, superseding every
/// concurrent value. Returns the change to sync, or `None` if nothing needed writing.
pub fn resolve(
    doc: &mut AutoCommit,
    field: &str,
    chosen: &ConflictValue,
) -> Result<Option<Change>, DocError> {
    let values = doc.get_all(automerge::ROOT, field)?;
    let value = values
        .into_iter()
        .find(|(_, id)| *id == chosen.id)
        .map(|(value, _)| value)
        .ok_or_else(|| {
            DocError::InvalidValue(format!(
                "{field}: {:?} is no longer one of its values",
                chosen.display
            ))
        })?;
    let scalar = match value {
        Value::Scalar(s) => s.into_owned(),
        Value::Object(_) => {
            return Err(DocError::InvalidValue(format!(
                "{field}: only scalar conflicts can be resolved here"
            )))
        }
    };
    doc.put(automerge::ROOT, field, scalar)?;
    let options = CommitOptions::default().with_message(format!("resolve conflict on {field}"));
    if doc.commit_with(options).is_none() {
        return Ok(None);
    }
    Ok(doc.get_last_local_change())
}

/// Bookkeeping fields every edit writes: concurrent edits of *different* fields always leave
/// competing values here, which nobody needs to choose between.
const BOOKKEEPING: &[&str] = &["schema", "kind", "id", "updated_at_ms"];

/// A field (dotted path through nested maps, e.g. `preferences.budget_max`) holding concurrent
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    pub path: String,
    pub values: Vec<ConflictValue>,
}

/// Every scalar field of the document, at the root or in nested maps, that holds two or more
/// concurrent values, sorted by path. Lists and text merge element by element and never appear.
pub fn all_conflicts(doc: &AutoCommit) -> Result<Vec<FieldConflict>, DocError> {
    let mut found = Vec::new();
    walk(doc, &automerge::ROOT, "", &mut found)?;
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

fn walk(
    doc: &AutoCommit,
    obj: &ObjId,
    prefix: &str,
    found: &mut Vec<FieldConflict>,
) -> Result<(), DocError> {
    for key in doc.keys(obj) {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if prefix.is_empty() && BOOKKEEPING.contains(&key.as_str()) {
            continue;
        }
        let values = doc.get_all(obj, key.as_str())?;
        if values.len() > 1 {
            if values.iter().all(|(v, _)| matches!(v, Value::Scalar(_))) {
                found.push(FieldConflict {
                    path: path.clone(),
                    values: values
                        .iter()
                        .map(|(value, id)| ConflictValue {
                            display: display(value),
                            id: id.clone(),
                        })
                        .collect(),
                });
            }
            continue;
        }
        if let Some((Value::Object(automerge::ObjType::Map), child)) = values.into_iter().next() {
            walk(doc, &child, &path, found)?;
        }
    }
    Ok(())
}

/// The map holding the last segment of `path`, and that segment.
fn parent_of<'p>(doc: &AutoCommit, path: &'p str) -> Result<(ObjId, &'p str), DocError> {
    let mut obj = automerge::ROOT;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            return Ok((obj, segment));
        }
        obj = match doc.get(&obj, segment)? {
            Some((Value::Object(automerge::ObjType::Map), id)) => id,
            _ => {
                return Err(DocError::InvalidValue(format!(
                    "{path}: {segment} is not a map in this document"
                )))
            }
        };
    }
    Err(DocError::InvalidValue("empty field path".into()))
}

/// Like [`resolve`] for a dotted path; `choice` is a [`ConflictValue::id`] as text (what a UI
/// round-trips). Returns the change to sync, or `None` if nothing needed writing.
pub fn resolve_path(
    doc: &mut AutoCommit,
    path: &str,
    choice: &str,
) -> Result<Option<Change>, DocError> {
    let (obj, key) = parent_of(doc, path)?;
    let values = doc.get_all(&obj, key)?;
    let value = values
        .into_iter()
        .find(|(_, id)| id.to_string() == choice)
        .map(|(value, _)| value)
        .ok_or_else(|| {
            DocError::InvalidValue(format!("{path}: that value is no longer one of its values"))
        })?;
    let scalar = match value {
        Value::Scalar(s) => s.into_owned(),
        Value::Object(_) => {
            return Err(DocError::InvalidValue(format!(
                "{path}: only scalar conflicts can be resolved here"
            )))
        }
    };
    doc.put(&obj, key, scalar)?;
    let options = CommitOptions::default().with_message(format!("resolve conflict on {path}"));
    if doc.commit_with(options).is_none() {
        return Ok(None);
    }
    Ok(doc.get_last_local_change())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact;
    use crate::test_support::{actor, at, contact_id, displays, user};
    use fieldstone_model::{
        Consents, Contact, ContactKind, LeadSource, Preferences, Priority, Stage,
    };

    /// A contact with only a name: every field a test changes is its own.
    fn base() -> Contact {
        Contact {
            id: contact_id(7),
            kind: ContactKind::Buyer,
            given_name: "Ada".into(),
            family_name: String::new(),
            emails: Vec::new(),
            phones: Vec::new(),
            instagram: None,
            whatsapp: None,
            source: LeadSource::Manual,
            source_detail: None,
            tags: Default::default(),
            stage: Stage::Lead,
            stage_history: Vec::new(),
            priority: Priority::Medium,
            preferences: Preferences::default(),
            custom_fields: Default::default(),
            consent: Consents::default(),
            owner: user(1),
            assigned_agent: None,
            last_contacted_at: None,
            time_zone: None,
            created_at: at(0),
            updated_at: at(0),
            deleted_at: None,
        }
    }

    /// Two devices write `edit_a` / `edit_b` concurrently; returns both merged documents.
    fn concurrent(
        edit_a: impl Fn(&mut Contact),
        edit_b: impl Fn(&mut Contact),
    ) -> (AutoCommit, AutoCommit) {
        let original = base();
        let (mut a, _) = contact::create(actor(1), &original).expect("create");
        let mut b = a.fork().with_actor(actor(2));
        let mut on_a = original.clone();
        edit_a(&mut on_a);
        contact::update(&mut a, &on_a).expect("update a");
        let mut on_b = original;
        edit_b(&mut on_b);
        contact::update(&mut b, &on_b).expect("update b");
        a.merge(&mut b).expect("merge into a");
        b.merge(&mut a).expect("merge into b");
        (a, b)
    }

    #[test]
    fn concurrent_stage_changes_show_both_values_until_resolved() {
        let (mut a, mut b) = concurrent(|c| c.stage = Stage::Offer, |c| c.stage = Stage::Lost);
        assert_eq!(displays(&a, "stage"), ["lost", "offer"]);
        assert_eq!(displays(&b, "stage"), ["lost", "offer"]);
        let offer = conflicts(&a, "stage")
            .expect("conflicts")
            .into_iter()
            .find(|c| c.display == "offer")
            .expect("offer present");
        let change = resolve(&mut a, "stage", &offer)
            .expect("resolve")
            .expect("a change");
        assert_eq!(displays(&a, "stage"), ["offer"]);
        assert_eq!(contact::read(&a).expect("read").stage, Stage::Offer);
        // The resolution syncs: the other device sees the conflict gone too.
        b.apply_changes([change]).expect("apply");
        assert_eq!(displays(&b, "stage"), ["offer"]);
        assert_eq!(contact::read(&b).expect("read").stage, Stage::Offer);
    }

    #[test]
    fn a_second_scalar_field_priority_conflicts_and_resolves_the_same_way() {
        let (mut a, _) = concurrent(
            |c| c.priority = Priority::High,
            |c| c.priority = Priority::Low,
        );
        let values = conflicts(&a, "priority").expect("conflicts");
        assert_eq!(values.len(), 2);
        let low = values
            .iter()
            .find(|c| c.display == "low")
            .expect("low present");
        resolve(&mut a, "priority", low).expect("resolve");
        assert_eq!(displays(&a, "priority"), ["low"]);
        assert_eq!(contact::read(&a).expect("read").priority, Priority::Low);
    }

    #[test]
    fn a_field_without_conflict_has_one_value_and_a_missing_field_none() {
        let (a, _) = concurrent(|c| c.stage = Stage::Offer, |c| c.given_name = "Ava".into());
        assert_eq!(displays(&a, "stage"), ["offer"]);
        assert_eq!(displays(&a, "given_name"), ["Ava"]);
        assert_eq!(displays(&a, "created_at_ms"), ["1763700000000"]);
        assert!(conflicts(&a, "no_such_field")
            .expect("conflicts")
            .is_empty());
    }

    #[test]
    fn all_conflicts_lists_nested_fields_but_not_bookkeeping() {
        let (mut a, _) = concurrent(
            |c| {
                c.stage = Stage::Offer;
                c.preferences.budget_max = Some(500_000);
            },
            |c| {
                c.stage = Stage::Lost;
                c.preferences.budget_max = Some(650_000);
                c.updated_at += chrono::Duration::seconds(1);
            },
        );
        let found = all_conflicts(&a).expect("conflicts");
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["preferences.budget_max", "stage"]);
        let budget = &found[0];
        let pick = budget
            .values
            .iter()
            .find(|v| v.display == "650000")
            .expect("650000 offered");
        resolve_path(&mut a, "preferences.budget_max", &pick.id.to_string())
            .expect("resolve")
            .expect("a change");
        let contact = contact::read(&a).expect("read");
        assert_eq!(contact.preferences.budget_max, Some(650_000));
        let paths: Vec<String> = all_conflicts(&a)
            .expect("conflicts")
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(paths, ["stage"]);
        assert!(matches!(
            resolve_path(&mut a, "stage", "1@00"),
            Err(DocError::InvalidValue(_))
        ));
        assert!(matches!(
            resolve_path(&mut a, "stage.deeper", "x"),
            Err(DocError::InvalidValue(_))
        ));
    }

    #[test]
    fn a_stale_or_object_choice_is_refused() {
        let (mut a, _) = concurrent(|c| c.stage = Stage::Offer, |c| c.stage = Stage::Lost);
        let stale = conflicts(&a, "stage").expect("conflicts").remove(0);
        resolve(&mut a, "stage", &stale).expect("resolve");
        let remaining = conflicts(&a, "stage").expect("conflicts").remove(0);
        assert_ne!(remaining.id, stale.id);
        assert!(matches!(
            resolve(&mut a, "stage", &stale),
            Err(DocError::InvalidValue(m)) if m.contains("stage")
        ));
        let tags = conflicts(&a, "tags").expect("conflicts").remove(0);
        assert_eq!(tags.display, "(map)");
        assert!(matches!(
            resolve(&mut a, "tags", &tags),
            Err(DocError::InvalidValue(_))
        ));
    }
}
