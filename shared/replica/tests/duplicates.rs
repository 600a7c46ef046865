//! Likely duplicates are found; merging moves everything to the survivor and can be undone.

mod support;

use fieldstone_model::{MatchKey, RecordRef};
use fieldstone_replica::{ContactQuery, ReplicaError, TimelineEntry};
use support::*;

#[test]
fn duplicates_are_grouped_by_email_phone_and_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(
            &with_phone(person("Ada", "Lovelace"), "+44 20 7946 0958"),
            user(),
        )
        .expect("ada");
    clock.set(t(1));
    let mut same_phone = person("Augusta", "King");
    same_phone = with_phone(same_phone, "020 7946 0958");
    let augusta = r.create_contact(&same_phone, user()).expect("augusta");
    let mut same_email = person("A.", "L.");
    same_email.emails[0].address = "ADA.LOVELACE@example.com".into();
    let initials = r.create_contact(&same_email, user()).expect("initials");
    r.create_contact(&person("Grace", "Hopper"), user())
        .expect("grace");

    let groups = r.find_duplicates(50).expect("groups");
    let summary: Vec<(String, Vec<_>)> = groups
        .iter()
        .map(|g| {
            (
                g.key_kind.clone(),
                g.contacts.iter().map(|c| c.id).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("email".to_owned(), vec![ada.id, initials.id]),
            ("phone".to_owned(), vec![ada.id, augusta.id]),
        ]
    );
    let mut of_ada = r.duplicates_of(&ada.id).expect("of ada");
    of_ada.sort();
    let mut expected = vec![augusta.id, initials.id];
    expected.sort();
    assert_eq!(of_ada, expected);
    assert_eq!(
        r.contacts_with_key(&MatchKey::email("ada.lovelace@EXAMPLE.com").expect("key"))
            .expect("lookup"),
        vec![ada.id, initials.id]
    );
    assert!(r.find_duplicates(0).is_err());
}

#[test]
fn a_merge_moves_everything_to_the_survivor_and_undo_puts_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let mut survivor_input = person("Ada", "Lovelace");
    survivor_input.tags = vec!["vip".into()];
    let ada = r.create_contact(&survivor_input, user()).expect("ada");
    let mut dup_input = with_phone(person("Ada", "Lovelace"), "+44 20 7946 0958");
    dup_input.emails[0].address = "ada@work.example".into();
    dup_input.tags = vec!["investor".into()];
    dup_input.instagram = Some("ada_l".into());
    dup_input.time_zone = Some("Europe/London".into());
    let dup = r.create_contact(&dup_input, user()).expect("dup");
    clock.set(t(1));
    let n = r
        .create_note(&note(dup.id, "met at open house"), user())
        .expect("note");
    let i = r
        .log_interaction(&call(dup.id, t(1), "call"), user())
        .expect("call");
    let b = r
        .create_booking(&showing(vec![dup.id], t(100), 30), user())
        .expect("booking");
    let k = r
        .create_task(
            &task("send brochure", None, Some(RecordRef::Contact(dup.id))),
            user(),
        )
        .expect("task");
    let ada_before = r.get_contact(&ada.id).expect("get").expect("ada");

    clock.set(t(2));
    let receipt = r.merge_contacts(&ada.id, &dup.id).expect("merge");
    assert_eq!(receipt.moved_records, 4);
    let merged = r.get_contact(&ada.id).expect("get").expect("ada");
    let emails: Vec<&str> = merged.emails.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(emails, ["ada.lovelace@example.com", "ada@work.example"]);
    assert_eq!(merged.phones.len(), 1);
    assert!(merged.tags.contains("vip") && merged.tags.contains("investor"));
    assert_eq!(merged.instagram.as_deref(), Some("ada_l"));
    assert_eq!(merged.time_zone.as_deref(), Some("Europe/London"));
    assert_eq!(merged.last_contacted_at, Some(t(1)));
    assert!(r
        .get_contact(&dup.id)
        .expect("get")
        .expect("dup")
        .deleted_at
        .is_some());
    let timeline: Vec<String> = r
        .timeline(&ada.id, 50, None)
        .expect("timeline")
        .entries
        .iter()
        .map(TimelineEntry::id)
        .collect();
    for id in [
        n.id.to_string(),
        i.id.to_string(),
        b.id.to_string(),
        k.id.to_string(),
    ] {
        assert!(timeline.contains(&id), "{id} moved to the survivor");
    }
    assert!(r
        .timeline(&dup.id, 50, None)
        .expect("dup timeline")
        .entries
        .is_empty());
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        1
    );
    assert!(r.find_duplicates(10).expect("groups").is_empty());

    // An edit after the merge survives the undo.
    let mut edited = merged.to_input();
    edited.given_name = "Augusta Ada".into();
    r.update_contact(&ada.id, &edited, user()).expect("edit");

    r.undo_merge(&receipt.merge_id).expect("undo");
    let back = r.get_contact(&ada.id).expect("get").expect("ada");
    assert_eq!(back.emails, ada_before.emails);
    assert_eq!(back.phones, ada_before.phones);
    assert_eq!(back.tags, ada_before.tags);
    assert_eq!(back.instagram, None);
    assert_eq!(back.time_zone, None);
    assert_eq!(back.last_contacted_at, None);
    assert_eq!(back.given_name, "Augusta Ada", "later edit kept");
    assert!(r
        .get_contact(&dup.id)
        .expect("get")
        .expect("dup")
        .deleted_at
        .is_none());
    assert_eq!(r.timeline(&dup.id, 50, None).expect("dup").entries.len(), 4);
    assert_eq!(
        r.get_note(&n.id).expect("get").expect("n").record,
        RecordRef::Contact(dup.id)
    );
    assert!(matches!(
        r.undo_merge(&receipt.merge_id),
        Err(ReplicaError::Validation(_))
    ));
    assert!(matches!(
        r.undo_merge("nope"),
        Err(ReplicaError::NotFound { .. })
    ));
    assert!(matches!(
        r.merge_contacts(&ada.id, &ada.id),
        Err(ReplicaError::Validation(_))
    ));
}
