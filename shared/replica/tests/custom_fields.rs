//! Contacts filtered by their custom fields, the names in use, and a store from before the
//! read model held custom fields: real SQLite files in temp dirs.

mod support;

use chrono::NaiveDate;
use fieldstone_model::{Contact, ContactInput, CustomField, CustomFieldType, CustomValue};
use fieldstone_protocol::views::{CustomFieldName, CustomFilter, CustomOp};
use fieldstone_replica::{ContactQuery, Replica, ReplicaError, SCHEMA_VERSION};
use support::*;

fn text(key: &str, value: &str) -> CustomField {
    CustomField {
        key: key.into(),
        value: CustomValue::Text(value.into()),
    }
}

fn number(key: &str, value: f64) -> CustomField {
    CustomField {
        key: key.into(),
        value: CustomValue::Number(value),
    }
}

fn date(key: &str, value: &str) -> CustomField {
    CustomField {
        key: key.into(),
        value: CustomValue::Date(NaiveDate::parse_from_str(value, "%Y-%m-%d").expect("date")),
    }
}

fn yes_no(key: &str, value: bool) -> CustomField {
    CustomField {
        key: key.into(),
        value: CustomValue::Bool(value),
    }
}

fn with(given: &str, fields: Vec<CustomField>) -> ContactInput {
    ContactInput {
        custom_fields: fields,
        ..person(given, "Test")
    }
}

fn cond(key: &str, kind: CustomFieldType, op: CustomOp, value: &str) -> CustomFilter {
    CustomFilter {
        key: key.into(),
        field_type: kind,
        op,
        value: value.into(),
    }
}

/// The given names of the contacts matching `filters`, sorted.
fn matching(replica: &Replica, filters: Vec<CustomFilter>) -> Vec<String> {
    let q = ContactQuery {
        custom: filters,
        ..query()
    };
    let page = replica.list_contacts(&q).expect("list");
    let count = replica.count_contacts(&q).expect("count");
    assert_eq!(count, page.items.len() as u64, "count agrees with the list");
    let mut names: Vec<String> = page
        .items
        .iter()
        .map(|c| c.display_name.trim_end_matches(" Test").to_owned())
        .collect();
    names.sort();
    names
}

/// Ada, Ben and Cy (no custom fields), and Dee, deleted, who would match most filters.
fn agents_contacts(replica: &Replica) -> [Contact; 4] {
    let ada = replica
        .create_contact(
            &with(
                "Ada",
                vec![
                    text("School district", "Lincoln"),
                    number("Deposit %", 10.0),
                    date("Lease ends", "2026-03-01"),
                    yes_no("Pre-approved", true),
                ],
            ),
            user(),
        )
        .expect("ada");
    let ben = replica
        .create_contact(
            &with(
                "Ben",
                vec![
                    text("school district", "Lincoln Park"),
                    number("Deposit %", 5.5),
                    date("Lease ends", "2026-06-30"),
                    yes_no("Pre-approved", false),
                ],
            ),
            user(),
        )
        .expect("ben");
    let cy = replica
        .create_contact(&with("Cy", vec![]), user())
        .expect("cy");
    let dee = replica
        .create_contact(
            &with(
                "Dee",
                vec![
                    text("School district", "Lincoln"),
                    number("Deposit %", 10.0),
                    date("Lease ends", "2026-03-01"),
                    yes_no("Pre-approved", true),
                ],
            ),
            user(),
        )
        .expect("dee");
    replica.soft_delete_contact(&dee.id).expect("delete dee");
    [ada, ben, cy, dee]
}

#[test]
fn each_type_filters_by_each_of_its_conditions() {
    use CustomFieldType::{Bool, Date, Number, Text};
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    agents_contacts(&replica);
    let cases: Vec<(CustomFilter, &[&str])> = vec![
        (
            cond("School district", Text, CustomOp::Contains, "linc"),
            &["Ada", "Ben"],
        ),
        (
            cond("SCHOOL DISTRICT", Text, CustomOp::Contains, "PARK"),
            &["Ben"],
        ),
        (
            cond("School district", Text, CustomOp::Equals, " lincoln "),
            &["Ada"],
        ),
        (
            cond("School district", Text, CustomOp::IsSet, ""),
            &["Ada", "Ben"],
        ),
        (cond("Deposit %", Number, CustomOp::Equals, "10"), &["Ada"]),
        (cond("Deposit %", Number, CustomOp::Less, "10"), &["Ben"]),
        (
            cond("Deposit %", Number, CustomOp::Greater, "5.5"),
            &["Ada"],
        ),
        (
            cond("Deposit %", Number, CustomOp::Greater, "-1"),
            &["Ada", "Ben"],
        ),
        (
            cond("Lease ends", Date, CustomOp::Before, "2026-04-01"),
            &["Ada"],
        ),
        (
            cond("Lease ends", Date, CustomOp::After, "2026-03-01"),
            &["Ben"],
        ),
        (
            cond("Lease ends", Date, CustomOp::On, "2026-06-30"),
            &["Ben"],
        ),
        (cond("Pre-approved", Bool, CustomOp::Is, "yes"), &["Ada"]),
        (cond("Pre-approved", Bool, CustomOp::Is, "no"), &["Ben"]),
        (
            cond("Pre-approved", Bool, CustomOp::IsSet, ""),
            &["Ada", "Ben"],
        ),
        // Compared as the type the filter names: a text field is no number.
        (cond("School district", Number, CustomOp::Equals, "1"), &[]),
        (cond("Nobody uses this", Text, CustomOp::IsSet, ""), &[]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            matching(&replica, vec![filter.clone()]),
            expected,
            "{filter:?}"
        );
    }
    // Several conditions: all must hold.
    assert_eq!(
        matching(
            &replica,
            vec![
                cond("School district", Text, CustomOp::Contains, "lincoln"),
                cond("Pre-approved", Bool, CustomOp::Is, "no"),
            ]
        ),
        ["Ben"]
    );
    // The deleted contact is there only when deleted contacts are asked for.
    let with_deleted = ContactQuery {
        include_deleted: true,
        custom: vec![cond("School district", Text, CustomOp::Equals, "lincoln")],
        ..query()
    };
    assert_eq!(
        display_names(&replica.list_contacts(&with_deleted).expect("list").items).len(),
        2
    );
    // Other filters still apply alongside.
    let searched = ContactQuery {
        search: Some("ben".into()),
        custom: vec![cond("Deposit %", Number, CustomOp::IsSet, "")],
        ..query()
    };
    assert_eq!(
        display_names(&replica.list_contacts(&searched).expect("list").items),
        ["Ben Test"]
    );
}

#[test]
fn a_field_renamed_or_removed_on_edit_no_longer_matches() {
    use CustomFieldType::Text;
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    let [ada, ben, ..] = agents_contacts(&replica);
    let district = || vec![cond("School district", Text, CustomOp::IsSet, "")];
    let mut input = ada.to_input();
    for field in &mut input.custom_fields {
        if field.key == "School district" {
            field.key = "School zone".into();
        }
    }
    replica
        .update_contact(&ada.id, &input, user())
        .expect("rename");
    assert_eq!(matching(&replica, district()), ["Ben"]);
    assert_eq!(
        matching(
            &replica,
            vec![cond("school zone", Text, CustomOp::Equals, "lincoln")]
        ),
        ["Ada"]
    );
    let mut input = ben.to_input();
    input.custom_fields.retain(|f| f.key != "school district");
    replica
        .update_contact(&ben.id, &input, user())
        .expect("remove");
    assert_eq!(matching(&replica, district()), Vec::<String>::new());
    // A changed value is matched by its new value only.
    let mut input = replica
        .get_contact(&ada.id)
        .expect("get")
        .expect("ada")
        .to_input();
    input.custom_fields = vec![text("School zone", "Roosevelt")];
    replica
        .update_contact(&ada.id, &input, user())
        .expect("change");
    assert_eq!(
        matching(
            &replica,
            vec![cond("School zone", Text, CustomOp::Contains, "lincoln")]
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        matching(
            &replica,
            vec![cond("School zone", Text, CustomOp::Contains, "roose")]
        ),
        ["Ada"]
    );
}

#[test]
fn a_bad_condition_is_refused_with_the_field_it_is_about() {
    use CustomFieldType::{Bool, Date, Number, Text};
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    agents_contacts(&replica);
    for (filter, path) in [
        (
            cond("Deposit %", Number, CustomOp::Less, "NaN"),
            "custom.0.value",
        ),
        (
            cond("Deposit %", Number, CustomOp::Less, "ten"),
            "custom.0.value",
        ),
        (
            cond("Lease ends", Date, CustomOp::On, "2026-13-01"),
            "custom.0.value",
        ),
        (
            cond("Pre-approved", Bool, CustomOp::Contains, "yes"),
            "custom.0.op",
        ),
        (
            cond("School district", Text, CustomOp::Less, "b"),
            "custom.0.op",
        ),
        (cond("", Text, CustomOp::IsSet, ""), "custom.0.key"),
    ] {
        let q = ContactQuery {
            custom: vec![filter.clone()],
            ..query()
        };
        for error in [
            replica.list_contacts(&q).expect_err("list refused"),
            replica.count_contacts(&q).expect_err("count refused"),
            replica.stage_totals(&q).expect_err("totals refused"),
        ] {
            let ReplicaError::Validation(errors) = error else {
                panic!("expected a validation error for {filter:?}, got {error:?}");
            };
            assert_eq!(errors.fields(), [path], "{filter:?}");
        }
    }
}

#[test]
fn the_names_in_use_are_listed_once_per_type_most_used_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    agents_contacts(&replica);
    replica
        .create_contact(&with("Eve", vec![text("Deposit %", "ten percent")]), user())
        .expect("eve");
    let names = replica.custom_field_names(100).expect("names");
    let name = |key: &str, field_type, contacts| CustomFieldName {
        key: key.into(),
        field_type,
        contacts,
    };
    assert_eq!(
        names,
        [
            // Dee is deleted: two each, not three. "school district" and "School district"
            // are one name.
            name("Deposit %", CustomFieldType::Number, 2),
            name("Lease ends", CustomFieldType::Date, 2),
            name("Pre-approved", CustomFieldType::Bool, 2),
            name("School district", CustomFieldType::Text, 2),
            name("Deposit %", CustomFieldType::Text, 1),
        ]
    );
    assert_eq!(replica.custom_field_names(1).expect("names").len(), 1);
}

#[test]
fn a_version_7_store_gets_its_custom_fields_into_the_read_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let ada = open(&db, &clock())
        .create_contact(
            &with("Ada", vec![text("School district", "Lincoln")]),
            user(),
        )
        .expect("ada");
    {
        // As a build before custom fields were projected left it: the documents hold them,
        // the read model has no table for them.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch(
            "DROP TABLE contact_custom; DROP TABLE listing_open_houses; DROP TABLE messages;
             DROP TABLE agent_score_models; ALTER TABLE contacts DROP COLUMN score_facts;
             DROP TABLE campaigns; DROP TABLE listing_match; DROP TABLE buyer_wishes;
             DROP TABLE match_dismissed; PRAGMA user_version = 7;",
        )
        .expect("downgrade");
    }
    let replica = open(&db, &clock());
    let version: i64 = rusqlite::Connection::open(&db)
        .expect("raw")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 14);
    let q = ContactQuery {
        custom: vec![cond(
            "School district",
            CustomFieldType::Text,
            CustomOp::Equals,
            "Lincoln",
        )],
        ..query()
    };
    let page = replica.list_contacts(&q).expect("list");
    assert_eq!(
        page.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ada.id]
    );
    assert_eq!(replica.custom_field_names(10).expect("names").len(), 1);
    assert_eq!(replica.get_contact(&ada.id).expect("get"), Some(ada));
}

#[test]
fn the_filter_uses_the_custom_field_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    open(&db, &clock());
    let conn = rusqlite::Connection::open(&db).expect("raw");
    for (sql, index) in [
        (
            "SELECT contact_id FROM contact_custom WHERE key_lower = 'a' AND kind = 'number' AND num < 3",
            "contact_custom_by_num",
        ),
        (
            "SELECT contact_id FROM contact_custom WHERE key_lower = 'a' AND kind = 'date' AND text < '2026-01-01'",
            "contact_custom_by_text",
        ),
    ] {
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        assert!(
            plan.iter().any(|step| step.contains(index)),
            "{sql}: {plan:?}"
        );
    }
}
