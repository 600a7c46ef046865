//! Duplicates through the app API: the groups, two contacts side by side, a merge that moves
//! the timeline, its undo, and what a person can get wrong refused in words.

use crate::support::{open, person, t0};
use chrono::Duration;
use fieldstone_app_api::Api;
use fieldstone_model::{Channel, ContactId, Direction, InteractionInput, NoteInput, RecordRef};
use fieldstone_protocol::commands::{CommandErrorCode, MergeRequest, TimelineRequest};
use fieldstone_protocol::views::{ContactQuery, TimelineEntry};
use serde_json::json;

/// What the timeline of `contact` says, one line per entry.
async fn timeline(api: &Api, contact: ContactId) -> Vec<String> {
    let page = api
        .timeline(TimelineRequest {
            contact,
            limit: 50,
            after: None,
        })
        .await
        .expect("timeline");
    // The follow-up plan every new contact gets is counted apart (`plan`).
    page.entries
        .iter()
        .filter_map(|entry| match entry {
            TimelineEntry::Note(note) => Some(format!("note: {}", note.preview)),
            TimelineEntry::Interaction(call) => Some(format!("call: {}", call.summary)),
            TimelineEntry::Booking(booking) => Some(format!("booking: {}", booking.id)),
            TimelineEntry::Task(task) if task.kind.is_plan_step() => None,
            TimelineEntry::Task(task) => Some(format!("task: {}", task.title)),
        })
        .collect()
}

/// The contact's follow-up plan steps: (open, cancelled).
async fn plan(api: &Api, contact: ContactId) -> (usize, usize) {
    let page = api
        .timeline(TimelineRequest {
            contact,
            limit: 50,
            after: None,
        })
        .await
        .expect("timeline");
    let steps: Vec<_> = page
        .entries
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Task(t) if t.kind.is_plan_step() => Some(t.status),
            _ => None,
        })
        .collect();
    (
        steps.iter().filter(|s| s.is_open()).count(),
        steps
            .iter()
            .filter(|s| **s == fieldstone_model::TaskStatus::Cancelled)
            .count(),
    )
}

async fn listed(api: &Api) -> Vec<String> {
    let mut names: Vec<String> = api
        .list_contacts(ContactQuery::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.display_name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn duplicates_are_grouped_merged_with_their_timeline_and_undone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let ada = api
        .create_contact(person("Ada", "Diaz", "ada@example.com"))
        .await
        .expect("ada");
    let mut bo_input = person("Bo", "Diaz", "ADA@example.com");
    bo_input.emails.push(fieldstone_model::EmailEntry {
        address: "bo@work.example".into(),
        label: Default::default(),
        primary: false,
    });
    let bo = api.create_contact(bo_input).await.expect("bo");
    api.create_contact(person("Cy", "Park", "cy@example.com"))
        .await
        .expect("cy");
    api.add_note(NoteInput {
        record: RecordRef::Contact(bo.id),
        body: "Wants a garden.".into(),
        pinned: false,
    })
    .await
    .expect("note");
    api.log_interaction(InteractionInput {
        contact: bo.id,
        listing: None,
        channel: Channel::Call,
        direction: Direction::Outbound,
        summary: "Talked about Oak St".into(),
        outcome: None,
        duration_seconds: Some(300),
        occurred_at: t0() - Duration::minutes(10),
    })
    .await
    .expect("call");

    // One group: the email the two share, however it was typed. (Both were added at the same
    // instant of the test's clock, so the group's order is the ids'.)
    let groups = api.duplicate_groups(50).await.expect("groups");
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].key_kind, "email");
    assert_eq!(groups[0].key_value, "ada@example.com");
    let mut ids: Vec<ContactId> = groups[0].contacts.iter().map(|c| c.id).collect();
    ids.sort();
    let mut expected = vec![ada.id, bo.id];
    expected.sort();
    assert_eq!(ids, expected);

    // Side by side: each with its own timeline counted.
    let pair = MergeRequest {
        survivor: ada.id,
        merged: bo.id,
    };
    let preview = api.merge_preview(pair).await.expect("preview");
    assert_eq!(preview.survivor.contact.id, ada.id);
    // Each has only the follow-up plan it got when added.
    assert_eq!(preview.survivor.entries(), 5);
    assert_eq!(preview.merged.contact.emails.len(), 2);
    assert_eq!(
        (
            preview.merged.notes,
            preview.merged.interactions,
            preview.merged.bookings,
            preview.merged.tasks,
            preview.merged.more
        ),
        (1, 1, 0, 5, false)
    );

    // The merge: Bo's note and call are Ada's, Bo's other email is added, Bo is gone.
    let receipt = api.merge_contacts(pair).await.expect("merge");
    assert_eq!((receipt.survivor, receipt.merged), (ada.id, bo.id));
    assert_eq!(
        receipt.moved_records, 7,
        "a note, a call and Bo's five plan steps"
    );
    // One person, one plan: Bo's open steps are cancelled, Ada's run on.
    assert_eq!(plan(api, ada.id).await, (5, 5));
    assert_eq!(receipt.merged_at, t0());
    let mut ada_timeline = timeline(api, ada.id).await;
    ada_timeline.sort();
    assert_eq!(
        ada_timeline,
        vec!["call: Talked about Oak St", "note: Wants a garden."]
    );
    assert!(timeline(api, bo.id).await.is_empty());
    let ada_now = api.get_contact(ada.id).await.expect("ada").contact;
    let emails: Vec<&str> = ada_now.emails.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(emails, vec!["ada@example.com", "bo@work.example"]);
    assert_eq!(listed(api).await, vec!["Ada Diaz", "Cy Park"]);
    assert!(api.duplicate_groups(50).await.expect("groups").is_empty());

    // Undo: both back, each with its own timeline, and the group with them.
    api.undo_merge(receipt.merge_id.clone())
        .await
        .expect("undo");
    assert_eq!(listed(api).await, vec!["Ada Diaz", "Bo Diaz", "Cy Park"]);
    assert!(timeline(api, ada.id).await.is_empty());
    assert_eq!(timeline(api, bo.id).await.len(), 2);
    assert_eq!(plan(api, ada.id).await, (5, 0));
    assert_eq!(plan(api, bo.id).await, (5, 0), "Bo's plan is open again");
    let ada_now = api.get_contact(ada.id).await.expect("ada").contact;
    assert_eq!(
        ada_now.emails.len(),
        1,
        "the added email is taken off again"
    );
    assert_eq!(api.duplicate_groups(50).await.expect("groups").len(), 1);

    // Once undone, it stays undone.
    let again = api
        .undo_merge(receipt.merge_id)
        .await
        .expect_err("undone twice");
    assert_eq!(again.code, CommandErrorCode::Validation);
    assert_eq!(again.message, "This merge has already been undone.");
    assert!(again.field("merge_id").is_some());
}

#[tokio::test]
async fn a_merge_a_person_could_not_mean_is_refused_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let ada = api
        .create_contact(person("Ada", "Diaz", "ada@example.com"))
        .await
        .expect("ada");
    let bo = api
        .create_contact(person("Bo", "Diaz", "bo@example.com"))
        .await
        .expect("bo");
    let nobody: ContactId = "00000000-0000-4000-8000-000000000099"
        .parse()
        .expect("an id");

    let refused = |survivor, merged| MergeRequest { survivor, merged };
    let itself = api
        .merge_contacts(refused(ada.id, ada.id))
        .await
        .expect_err("itself");
    assert_eq!(itself.code, CommandErrorCode::Validation);
    assert!(
        itself.message.contains("cannot be merged into itself"),
        "{}",
        itself.message
    );
    assert!(itself.field("merged").is_some());

    let unknown = api
        .merge_contacts(refused(nobody, bo.id))
        .await
        .expect_err("unknown survivor");
    assert_eq!(unknown.code, CommandErrorCode::Validation);
    assert_eq!(
        unknown.field("survivor"),
        Some("The contact to keep is not on this device.")
    );
    let unknown = api
        .merge_preview(refused(ada.id, nobody))
        .await
        .expect_err("unknown merged");
    assert_eq!(
        unknown.field("merged"),
        Some("The contact to merge is not on this device.")
    );

    api.delete_contact(bo.id).await.expect("delete");
    let deleted = api
        .merge_contacts(refused(ada.id, bo.id))
        .await
        .expect_err("deleted");
    assert_eq!(
        deleted.message,
        "The contact to merge, Bo Diaz, was deleted (or merged already)."
    );
    // Nothing was written by any of them.
    assert!(api
        .get_contact(bo.id)
        .await
        .expect("bo")
        .contact
        .deleted_at
        .is_some());
    assert_eq!(
        api.get_contact(ada.id)
            .await
            .expect("ada")
            .contact
            .emails
            .len(),
        1
    );

    let not_an_id = api
        .undo_merge("yesterday's".into())
        .await
        .expect_err("not an id");
    assert_eq!(not_an_id.code, CommandErrorCode::Validation);
    assert!(not_an_id.field("merge_id").is_some());
    let unknown = api
        .undo_merge("00000000-0000-4000-8000-000000000001".into())
        .await
        .expect_err("no such merge");
    assert_eq!(unknown.code, CommandErrorCode::Validation);
    assert!(
        unknown.message.starts_with("No merge with this id"),
        "{}",
        unknown.message
    );

    for limit in [0, 501] {
        let error = api.duplicate_groups(limit).await.expect_err("limit");
        assert!(error.field("limit").is_some(), "{limit}: {error:?}");
    }

    // As the window sends them: the pair by name, the merge id as a bare string.
    let answer = api
        .dispatch(
            "merge_preview",
            json!({ "survivor": bo.id, "merged": bo.id }),
        )
        .await
        .expect_err("itself, by JSON");
    assert!(answer.field("merged").is_some());
    let groups = api
        .dispatch("duplicate_groups", json!(10))
        .await
        .expect("groups by JSON");
    assert_eq!(groups, json!([]));
}
