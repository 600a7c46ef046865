//! Custom fields in the real window: a contact added with "School district" and a number
//! field shows them on its page, an edit changes one and adds a yes/no field, a name with a
//! full stop gets the model's message on its row, and the contact list filtered by a custom
//! field shows only the matching contact (a value that is not a number is refused by the
//! filter). Screenshots at both sizes; the phone layout checked on each screen.

mod app_support;

use app_support::{App, DESKTOP, PHONE};

/// The names in the contact list's rows.
async fn row_names(app: &App) -> Vec<String> {
    app.texts("#contact-rows [data-contact-id] .contact-row__name")
        .await
}

async fn until_rows(app: &App, expected: &[&str]) {
    app.until(&format!("the list shows {expected:?}"), || async {
        row_names(app).await == expected
    })
    .await;
}

/// `{name}-desktop.png` and `{name}-phone.png` of the contact page's Details with `css` in
/// the middle of the view (on a phone, Details is a tab of its own).
async fn details_screens(app: &App, name: &str, css: &str) {
    let centre = || async {
        app.js(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
            vec![css.into()],
        )
        .await;
    };
    app.wait_for(css).await;
    centre().await;
    app.screenshot(&format!("{name}-desktop.png")).await;
    app.resize(PHONE).await;
    app.click("#detail-tab-details").await;
    centre().await;
    app.screenshot(&format!("{name}-phone.png")).await;
    app.resize(DESKTOP).await;
}

/// The contact page's Details at phone size (a tab there), checked for the phone layout.
async fn details_phone_layout(app: &App, screen: &str) {
    app.resize(PHONE).await;
    app.click("#detail-tab-details").await;
    app.assert_phone_layout(screen).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn custom_fields_are_added_shown_edited_and_filtered_by() {
    let app = App::launch(None).await;
    app.goto("contacts").await;

    // A new contact with a text and a number field.
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.until_text("#new-contact-custom-empty", "filter your contacts")
        .await;
    app.type_into("#new-contact-given-name", "Ada").await;
    app.type_into("#new-contact-family-name", "Diaz").await;
    app.click("#new-contact-custom-add").await;
    app.type_into("#new-contact-custom-fields-0-key", "School district")
        .await;
    app.type_into("#new-contact-custom-fields-0-value", "Lincoln")
        .await;
    app.click("#new-contact-custom-add").await;
    app.type_into("#new-contact-custom-fields-1-key", "Bedrooms wanted")
        .await;
    app.select("#new-contact-custom-fields-1-type", "number")
        .await;
    app.type_into("#new-contact-custom-fields-1-value", "3")
        .await;
    app.screens_at("custom-fields-new-contact", "#new-contact-custom-add")
        .await;
    app.resize(PHONE).await;
    app.assert_phone_layout("the new contact's custom fields")
        .await;
    app.click("#new-contact-save").await;
    app.until_text("#contact-name", "Ada Diaz").await;

    // Shown on the contact's page, in name order.
    app.until_text("#contact-custom", "School district").await;
    assert_eq!(
        app.texts("#contact-custom .custom-view__item").await,
        ["Bedrooms wanted3", "School districtLincoln"]
    );
    details_screens(&app, "custom-fields-contact", "#contact-custom").await;

    // Edited: the number changed, a yes/no field added.
    assert_eq!(
        app.value_of("#contact-custom-fields-0-key").await,
        "Bedrooms wanted"
    );
    app.type_into("#contact-custom-fields-0-value", "4").await;
    app.click("#contact-custom-add").await;
    app.type_into("#contact-custom-fields-2-key", "Pre-approved")
        .await;
    app.select("#contact-custom-fields-2-type", "bool").await;
    app.select("#contact-custom-fields-2-value", "yes").await;
    app.click("#contact-save").await;
    app.wait_for("#contact-saved").await;
    app.until_text("#contact-custom", "Pre-approved").await;
    assert_eq!(
        app.texts("#contact-custom .custom-view__item").await,
        [
            "Bedrooms wanted4",
            "Pre-approvedYes",
            "School districtLincoln"
        ]
    );

    // A name with a full stop: the model's message, on its row.
    app.click("#contact-custom-add").await;
    app.type_into("#contact-custom-fields-3-key", "Loan.type")
        .await;
    app.type_into("#contact-custom-fields-3-value", "Fixed")
        .await;
    app.click("#contact-save").await;
    app.until_text(
        "#contact-custom-fields-3-key-error",
        "A field name cannot contain a full stop (.).",
    )
    .await;
    details_screens(&app, "custom-fields-error", "#contact-custom-fields-3-key").await;
    details_phone_layout(&app, "the contact's custom fields with an error").await;
    app.click("#contact-form .custom-row[data-custom-row='3'] .custom-row__remove")
        .await;
    app.until_gone("#contact-custom-fields-3-key").await;

    // Removing a row moves the ones below up: each shows its own type, not the removed one's
    // (a select the person had set keeps its old choice unless the app sets it again).
    app.click("#contact-form .custom-row[data-custom-row='0'] .custom-row__remove")
        .await;
    app.until_gone("#contact-custom-fields-2-key").await;
    assert_eq!(
        app.value_of("#contact-custom-fields-0-key").await,
        "Pre-approved"
    );
    assert_eq!(app.value_of("#contact-custom-fields-0-type").await, "bool");
    assert_eq!(app.value_of("#contact-custom-fields-1-type").await, "text");
    app.click("#contact-form .save-bar .button--ghost").await;
    app.until("Discard brings the removed row back", || async {
        app.value_of("#contact-custom-fields-0-key").await == "Bedrooms wanted"
    })
    .await;
    assert_eq!(
        app.value_of("#contact-custom-fields-0-type").await,
        "number"
    );

    // Two more contacts: one in another district, one with no custom fields.
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.type_into("#new-contact-given-name", "Bo").await;
    app.type_into("#new-contact-family-name", "Diaz").await;
    app.click("#new-contact-custom-add").await;
    app.type_into("#new-contact-custom-fields-0-key", "School district")
        .await;
    app.type_into("#new-contact-custom-fields-0-value", "Roosevelt")
        .await;
    app.click("#new-contact-save").await;
    app.until_text("#contact-name", "Bo Diaz").await;
    app.goto("contacts").await;
    app.new_contact("Cy", "Diaz", "cy@example.com").await;

    // Filtered by the district: only Ada.
    app.goto("contacts").await;
    until_rows(&app, &["Cy Diaz", "Bo Diaz", "Ada Diaz"]).await;
    app.select("#filter-custom-field", "text:School district")
        .await;
    app.select("#filter-custom-op", "equals").await;
    app.type_into("#filter-custom-value", "lincoln").await;
    until_rows(&app, &["Ada Diaz"]).await;
    app.until_text("#filters-toggle", "Filters · 1").await;
    app.screens("custom-fields-filter").await;
    app.resize(PHONE).await;
    app.click("#filters-toggle").await;
    app.assert_phone_layout("the custom field filter").await;

    // "Is set": both with a district; a number compared; a value that is no number refused.
    app.select("#filter-custom-op", "is_set").await;
    until_rows(&app, &["Bo Diaz", "Ada Diaz"]).await;
    app.select("#filter-custom-field", "number:Bedrooms wanted")
        .await;
    app.select("#filter-custom-op", "greater").await;
    app.type_into("#filter-custom-value", "3").await;
    until_rows(&app, &["Ada Diaz"]).await;
    app.type_into("#filter-custom-value", "three").await;
    app.until_text("#filter-custom-error", "Enter a number, such as 3 or 2.5.")
        .await;
    app.screens("custom-fields-filter-refused").await;
    app.resize(PHONE).await;
    app.assert_phone_layout("the custom field filter's refusal")
        .await;
    app.type_into("#filter-custom-value", "5").await;
    app.until_gone("#filter-custom-error").await;
    app.wait_for("#contacts-none").await;
    app.close().await;
}
