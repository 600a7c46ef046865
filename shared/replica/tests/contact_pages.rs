//! Contact lists in pages: every filter, sort and search walked page by page covers each
//! matching contact exactly once, in order, and agrees with the counts.

mod support;

use chrono::Duration;
use fieldstone_model::{Clock, Stage, UserId};
use fieldstone_replica::{ContactQuery, ReplicaError};
use std::collections::BTreeSet;
use support::*;

#[test]
fn keyset_pages_cover_everything_once_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = open(&dir.path().join("f.db"), &clock);
    let start = clock.now();
    let mut created = Vec::new();
    for i in 0..25 {
        // Groups of three share a timestamp, so ties are broken by id.
        clock.set(start + Duration::milliseconds(i / 3));
        created.push(
            replica
                .create_contact(&person(&format!("Person{i}"), "Example"), user())
                .expect("create"),
        );
    }
    let mut expected: Vec<_> = created
        .iter()
        .map(|c| (c.updated_at, c.id.to_string()))
        .collect();
    expected.sort();
    expected.reverse();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut after = None;
    loop {
        let page = replica
            .list_contacts(&ContactQuery {
                limit: 10,
                after,
                ..query()
            })
            .expect("page");
        sizes.push(page.items.len());
        seen.extend(page.items.iter().map(|c| (c.updated_at, c.id.to_string())));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(seen, expected, "no repeats, no gaps, newest first");
    let unique: BTreeSet<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(unique.len(), 25);

    // Exactly one full page: no next cursor.
    let page = replica
        .list_contacts(&ContactQuery {
            limit: 25,
            ..query()
        })
        .expect("page");
    assert_eq!((page.items.len(), page.next), (25, None));
}

#[test]
fn filters_sorts_counts_and_keyset_pages_in_any_order() {
    use fieldstone_model::{ContactKind, LeadSource, Priority};
    use fieldstone_replica::{ContactSort, SortField, TimeRange};
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = open(&dir.path().join("f.db"), &clock);
    let start = clock.now();
    let mut ids = Vec::new();
    for (i, name) in ["delta", "Alpha", "charlie", "Echo", "bravo"]
        .iter()
        .enumerate()
    {
        clock.set(start + Duration::minutes(i as i64));
        let mut input = person(name, "Test");
        input.kind = if i % 2 == 0 {
            ContactKind::Buyer
        } else {
            ContactKind::Seller
        };
        input.source = if i < 2 {
            LeadSource::Zillow
        } else {
            LeadSource::Referral
        };
        input.priority = if i == 4 {
            Priority::High
        } else {
            Priority::Low
        };
        if i == 4 {
            // A phone as well: the lead score (seed 001) gives bravo the top score.
            input = with_phone(input, "+1 555 0100 222");
        }
        ids.push(replica.create_contact(&input, user()).expect("create").id);
    }
    let by_name = ContactSort {
        field: SortField::Name,
        descending: false,
    };
    // Name order, two per page, across pages.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = replica
            .list_contacts(&ContactQuery {
                sort: by_name,
                limit: 2,
                after: after.clone(),
                ..query()
            })
            .expect("page");
        seen.extend(display_names(&page.items));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "Alpha Test",
            "bravo Test",
            "charlie Test",
            "delta Test",
            "Echo Test"
        ]
    );
    // A cursor from another sort order is refused, not misread.
    let page = replica
        .list_contacts(&ContactQuery {
            sort: by_name,
            limit: 1,
            ..query()
        })
        .expect("page");
    let wrong = replica.list_contacts(&ContactQuery {
        after: page.next,
        ..query()
    });
    assert!(matches!(wrong, Err(ReplicaError::Validation(e)) if e.for_field("after").is_some()));

    let filtered = |q: ContactQuery| display_names(&replica.list_contacts(&q).expect("list").items);
    assert_eq!(
        filtered(ContactQuery {
            sources: vec![LeadSource::Zillow],
            sort: by_name,
            ..query()
        }),
        ["Alpha Test", "delta Test"]
    );
    assert_eq!(
        filtered(ContactQuery {
            kinds: vec![ContactKind::Seller],
            sort: by_name,
            ..query()
        }),
        ["Alpha Test", "Echo Test"]
    );
    assert_eq!(
        filtered(ContactQuery {
            created: TimeRange {
                from: Some(start + Duration::minutes(1)),
                to: Some(start + Duration::minutes(3)),
            },
            sort: by_name,
            ..query()
        }),
        ["Alpha Test", "charlie Test"]
    );
    // Score: the high-priority contact scores highest.
    let top = replica
        .list_contacts(&ContactQuery {
            sort: ContactSort {
                field: SortField::Score,
                descending: true,
            },
            limit: 1,
            ..query()
        })
        .expect("top");
    assert_eq!(display_names(&top.items), ["bravo Test"]);
    let high = top.items[0].score;
    assert_eq!(
        filtered(ContactQuery {
            min_score: Some(high),
            ..query()
        }),
        ["bravo Test"]
    );
    let other_owner: UserId = "00000000-0000-4000-8000-000000000002".parse().expect("id");
    assert!(filtered(ContactQuery {
        owner: Some(other_owner),
        ..query()
    })
    .is_empty());

    // Counts and per-stage counts follow the same filters.
    assert_eq!(replica.count_contacts(&query()).expect("count"), 5);
    replica
        .set_contact_stage(&ids[0], Stage::Showing, user())
        .expect("stage");
    replica
        .tag_contact(&ids[1], &["Hot Lead".into()], &[])
        .expect("tag");
    let counts = replica.stage_counts(&query()).expect("counts");
    assert_eq!(counts[0], (Stage::Lead, 4));
    assert!(counts.contains(&(Stage::Showing, 1)));
    assert_eq!(counts.len(), Stage::ALL.len());
    assert_eq!(
        replica
            .count_contacts(&ContactQuery {
                tags: vec!["hot lead".into()],
                ..query()
            })
            .expect("count"),
        1
    );
    let untag = replica
        .tag_contact(&ids[1], &[], &["HOT LEAD".into()])
        .expect("untag");
    assert!(untag.tags.is_empty());
    let bad = replica.tag_contact(&ids[1], &["a,b".into()], &[]);
    assert!(matches!(bad, Err(ReplicaError::Validation(_))));
}

#[test]
fn searches_with_many_matches_page_the_same_as_rare_ones() {
    // Past 1,500 index matches the engine walks the sort order instead of sorting the matches;
    // both must give the same pages.
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = open(&dir.path().join("f.db"), &clock);
    let start = clock.now();
    for chunk in 0..4 {
        clock.set(start + Duration::minutes(chunk));
        replica
            .batch(|b| {
                for i in 0..400 {
                    b.create_contact(&person(&format!("Mara{chunk}x{i}"), "Quill"), user())?;
                }
                Ok(())
            })
            .expect("batch");
    }
    replica
        .create_contact(&person("Zed", "Quill"), user())
        .expect("zed");
    let all = |text: &str| {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = replica
                .list_contacts(&ContactQuery {
                    search: Some(text.into()),
                    limit: 200,
                    after: after.clone(),
                    ..query()
                })
                .expect("page");
            seen.extend(page.items.iter().map(|c| (c.updated_at, c.id)));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        seen
    };
    let dense = all("m");
    assert_eq!(dense.len(), 1600);
    let mut sorted = dense.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dense, sorted, "newest first, ties by id");
    assert_eq!(all("quill").len(), 1601);
    assert_eq!(all("zed").len(), 1);
    assert_eq!(search(&replica, "mara3x399"), ["Mara3x399 Quill"]);
}
