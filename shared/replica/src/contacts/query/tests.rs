use super::*;
use chrono::DateTime;
use fieldstone_model::{ContactId, UserId};

/// Every plan must give the same pages; which one runs only changes the cost.
#[test]
fn all_search_plans_give_the_same_pages() {
    use crate::Replica;
    use fieldstone_model::{Clock, ContactInput, FixedClock, NoteInput, RecordRef};
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = std::sync::Arc::new(FixedClock::new(
        DateTime::from_timestamp_millis(1_763_700_000_000).expect("time"),
    ));
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
    let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
    for i in 0..60 {
        clock.set(clock.now() + chrono::Duration::seconds(i % 7));
        let contact = replica
            .create_contact(
                &ContactInput {
                    given_name: format!("{} {i}", ["Mara", "Milo", "Zed"][i as usize % 3]),
                    family_name: "Quill".into(),
                    ..Default::default()
                },
                user,
            )
            .expect("contact");
        if i % 4 == 0 {
            replica
                .create_note(
                    &NoteInput {
                        record: RecordRef::Contact(contact.id),
                        body: "garden flat".into(),
                        pinned: false,
                    },
                    user,
                )
                .expect("note");
        }
    }
    let run = |text: &str, plan: SearchPlan| -> Vec<ContactId> {
        let mut seen = Vec::new();
        let mut query = ContactQuery {
            search: Some(text.into()),
            limit: 7,
            ..Default::default()
        };
        loop {
            let (sql, args) = page_sql(&query, plan);
            let conn = replica.conn();
            let mut stmt = conn.prepare(&sql).expect("prepare");
            let items = stmt
                .query_map(rusqlite::params_from_iter(args), summary_from_row)
                .expect("query")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows");
            let page = into_page(&query, items);
            seen.extend(page.items.iter().map(|c| c.id));
            match page.next {
                Some(next) => query.after = Some(next),
                None => return seen,
            }
        }
    };
    let walks = [Side::WalkList, Side::WalkCheck];
    for text in ["m", "mi", "quill", "gar", "garden fla", "zed 5"] {
        let sparse = run(text, SearchPlan::SPARSE);
        assert!(!sparse.is_empty(), "{text}");
        for contacts in walks {
            for notes in walks {
                let plan = SearchPlan { contacts, notes };
                assert_eq!(run(text, plan), sparse, "{text} {plan:?}");
            }
        }
    }
    assert_eq!(run("m", SearchPlan::SPARSE).len(), 40);
    assert_eq!(run("gar", SearchPlan::SPARSE).len(), 15, "note matches");
}

#[test]
fn note_bodies_are_searched_from_three_letters() {
    assert_eq!(notes_fts_query("ga"), None);
    assert_eq!(
        notes_fts_query("garden ab").as_deref(),
        Some("\"garden\"*"),
        "a short word filters nothing in notes"
    );
    assert_eq!(
        notes_fts_query("elm s str").as_deref(),
        Some("\"elm\"* AND \"str\"*")
    );
    assert_eq!(notes_fts_query("a b"), None);
    assert_eq!(notes_fts_query("gar").as_deref(), Some("\"gar\"*"));
}

#[test]
fn search_words_become_quoted_prefix_terms() {
    assert_eq!(fts_query("  "), None);
    assert_eq!(fts_query("- ,"), None);
    assert_eq!(
        fts_query(r#"ada "lov"#).as_deref(),
        Some(r#""ada"* AND """lov"*"#)
    );
}
