//! Merging duplicates in the real window: two contacts added with the same email are found as a
//! group, compared side by side, merged (the duplicate's note lands on the survivor's timeline,
//! the duplicate leaves the list) and the merge undone (both back, the note with its owner).

mod app_support;

use app_support::App;

/// The names in the contact list's rows.
async fn row_names(app: &App) -> Vec<String> {
    app.texts("#contact-rows [data-contact-id] .contact-row__name")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn two_contacts_sharing_an_email_are_merged_and_the_merge_undone() {
    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.new_contact("Ada", "Diaz", "ada@example.com").await;
    app.goto("contacts").await;
    app.new_contact("Bo", "Diaz", "ada@example.com").await;
    app.type_into("#composer-body", "Wants a garden.").await;
    app.click("#composer-submit").await;
    app.until_text("#timeline", "Wants a garden.").await;

    // The toolbar counts the groups; the dialog lists them; Escape closes it.
    app.goto("contacts").await;
    app.until_text("#duplicates-button", "Duplicates · 1").await;
    app.screens("duplicates-toolbar").await;
    app.click("#duplicates-button").await;
    app.until_text("#duplicate-groups", "Same email: ada@example.com")
        .await;
    app.until_text("#duplicate-groups", "2 contacts: Ada Diaz, Bo Diaz")
        .await;
    app.screens("duplicates-groups").await;
    app.press("\u{e00c}").await;
    app.until_gone("#duplicates").await;
    app.click("#duplicates-button").await;

    // Side by side: the older one kept unless the other is chosen; the sentence follows.
    app.click("#duplicate-group-0").await;
    app.wait_for("#duplicates-pair").await;
    let sides = app.texts("#duplicates-pair .dupes-side__name").await;
    assert_eq!(sides, vec!["Ada Diaz", "Bo Diaz"]);
    app.until_text("#duplicates-pair", "1 note").await;
    // The note, and the five tasks of Bo's follow-up plan (cancelled by the merge: Ada has a
    // plan running).
    app.until_text(
        "#duplicates-consequence",
        "Bo Diaz's 1 note and 5 tasks move to Ada Diaz",
    )
    .await;
    app.until_text("#duplicates-consequence", "Bo Diaz is deleted")
        .await;
    app.until_text("#duplicates-merge", "Merge into Ada Diaz")
        .await;
    app.click("#duplicates-pair .dupes-side:nth-child(2) .dupes-keep")
        .await;
    app.until_text("#duplicates-merge", "Merge into Bo Diaz")
        .await;
    app.until_text("#duplicates-consequence", "Ada Diaz is deleted")
        .await;
    app.until_text(
        "#duplicates-pair .dupes-side:nth-child(1)",
        "Merged into Bo Diaz, then deleted",
    )
    .await;
    app.click("#duplicates-pair .dupes-side:nth-child(1) .dupes-keep")
        .await;
    app.until_text("#duplicates-merge", "Merge into Ada Diaz")
        .await;
    app.screens_at("duplicates-compare", "#duplicates-merge")
        .await;
    app.assert_phone_layout("the merge screen").await;

    // Merged: Ada's timeline has Bo's note, Bo is gone from the list and the groups.
    app.click("#duplicates-merge").await;
    app.until_text(
        "#duplicates-undo-banner",
        "Bo Diaz was merged into Ada Diaz",
    )
    .await;
    app.until_text("#duplicates-result-timeline", "Wants a garden.")
        .await;
    app.screens("duplicates-merged").await;
    app.assert_phone_layout("the merged screen").await;
    app.click("#duplicates-done").await;
    app.until_gone("#duplicates").await;
    app.until_text("#merge-toast", "Bo Diaz was merged into Ada Diaz")
        .await;
    app.until("Bo is gone from the list", || async {
        row_names(&app).await == vec!["Ada Diaz".to_owned()]
    })
    .await;
    app.until_gone("#duplicates-button").await;
    app.screens("duplicates-merge-toast").await;
    app.assert_phone_layout("the merge's undo offer").await;

    // Undone: both back, the group with them, and the note is Bo's again.
    app.click("#merge-undo").await;
    app.until_text(
        "#merge-toast",
        "Merge undone: Ada Diaz and Bo Diaz are both back.",
    )
    .await;
    app.until("both are back in the list", || async {
        let mut names = row_names(&app).await;
        names.sort();
        names == vec!["Ada Diaz".to_owned(), "Bo Diaz".to_owned()]
    })
    .await;
    app.until_text("#duplicates-button", "Duplicates · 1").await;
    let bo = app.card_id("Bo Diaz").await;
    app.click(&format!(
        "#contact-rows [data-contact-id='{bo}'] a.contact-row__link"
    ))
    .await;
    app.until_text("#contact-name", "Bo Diaz").await;
    app.until_text("#timeline", "Wants a garden.").await;
    app.close().await;
}
