//! Custom fields through the app API: the names in use, lists filtered by them, refusals of a
//! bad condition, and a smart list holding one kept across restarts.

use crate::support::{open, person, t0};
use fieldstone_model::{CustomField, CustomFieldType, CustomValue};
use fieldstone_protocol::commands::{CommandErrorCode, SaveSmartList};
use fieldstone_protocol::views::{ContactQuery, CustomFieldName, CustomFilter, CustomOp};

fn district(value: &str) -> Vec<CustomField> {
    vec![
        CustomField {
            key: "School district".into(),
            value: CustomValue::Text(value.into()),
        },
        CustomField {
            key: "Bedrooms wanted".into(),
            value: CustomValue::Number(3.0),
        },
    ]
}

fn lincoln() -> CustomFilter {
    CustomFilter {
        key: "school district".into(),
        field_type: CustomFieldType::Text,
        op: CustomOp::Equals,
        value: "Lincoln".into(),
    }
}

#[tokio::test]
async fn contacts_are_filtered_by_custom_fields_and_a_smart_list_keeps_the_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = {
        let app = open(dir.path(), t0());
        let api = &app.api;
        let ada = api
            .create_contact(fieldstone_model::ContactInput {
                custom_fields: district("Lincoln"),
                ..person("Ada", "Lovelace", "ada@example.com")
            })
            .await
            .expect("ada");
        api.create_contact(fieldstone_model::ContactInput {
            custom_fields: district("Roosevelt"),
            ..person("Grace", "Hopper", "grace@example.com")
        })
        .await
        .expect("grace");
        assert_eq!(
            api.custom_field_names().await.expect("names"),
            [
                CustomFieldName {
                    key: "Bedrooms wanted".into(),
                    field_type: CustomFieldType::Number,
                    contacts: 2,
                },
                CustomFieldName {
                    key: "School district".into(),
                    field_type: CustomFieldType::Text,
                    contacts: 2,
                },
            ]
        );
        let query = ContactQuery {
            custom: vec![lincoln()],
            ..ContactQuery::default()
        };
        let page = api.list_contacts(query.clone()).await.expect("list");
        assert_eq!(
            page.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            [ada.id]
        );
        assert_eq!(
            api.contact_counts(query.clone())
                .await
                .expect("counts")
                .total,
            1
        );

        let bad = ContactQuery {
            custom: vec![CustomFilter {
                key: "Bedrooms wanted".into(),
                field_type: CustomFieldType::Number,
                op: CustomOp::Greater,
                value: "NaN".into(),
            }],
            ..ContactQuery::default()
        };
        let refused = api.list_contacts(bad.clone()).await.expect_err("NaN");
        assert_eq!(refused.code, CommandErrorCode::Validation);
        assert_eq!(
            refused.field("custom.0.value"),
            Some("Enter a number, such as 3 or 2.5.")
        );
        let refused = api
            .save_smart_list(SaveSmartList {
                id: None,
                name: "Broken".into(),
                query: bad,
            })
            .await
            .expect_err("not saved");
        assert!(
            refused.field("query.custom.0.value").is_some(),
            "{refused:?}"
        );

        api.save_smart_list(SaveSmartList {
            id: None,
            name: "Lincoln families".into(),
            query,
        })
        .await
        .expect("save")
    };
    let app = open(dir.path(), t0());
    let lists = app.api.smart_lists().await.expect("lists");
    assert_eq!(lists, vec![list.clone()], "read back after a restart");
    assert_eq!(lists[0].query.custom, [lincoln()]);
    let page = app
        .api
        .list_contacts(lists[0].query.clone())
        .await
        .expect("list");
    assert_eq!(
        page.items
            .iter()
            .map(|c| c.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Ada Lovelace"]
    );
}
