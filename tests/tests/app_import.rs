//! End-to-end test of the contact import in the real Tauri window (tauri-driver +
//! WebKitWebDriver under a real X display): a real CSV file written to disk (a byte-order mark,
//! a note with a line break inside quotes, a bad email address, a duplicate) is picked in the
//! dialog, uploaded, its guessed columns checked and edited, imported with progress, and the
//! report read; then the contacts are in the list. Files from Excel on Windows and in UTF-16
//! keep their accents; a file read in another encoding on request, with a stage the app does
//! not know mapped before importing; an iPhone's vCard imported. Screenshots of the columns,
//! the values to match, the vCard preview and the reports.

mod app_support;

use app_support::App;

const GIVEN: [&str; 50] = [
    "Ada", "Grace", "Alan", "Barbara", "Claude", "Dorothy", "Edsger", "Frances", "Gordon", "Hedy",
    "Ivan", "Joan", "Ken", "Lynn", "Margaret", "Niklaus", "Olga", "Peter", "Radia", "Sophie",
    "Tim", "Ursula", "Vint", "Wendy", "Xavier", "Yukihiro", "Zoe", "Annie", "Bjarne", "Carol",
    "Dennis", "Evelyn", "Fran", "Guido", "Hal", "Irene", "James", "Karen", "Leslie", "Mary",
    "Nancy", "Ole", "Pat", "Quentin", "Rosalind", "Shafi", "Telle", "Ulf", "Vera", "Whit",
];
const FAMILY: [&str; 50] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Liskov",
    "Shannon",
    "Vaughan",
    "Dijkstra",
    "Allen",
    "Moore",
    "Lamarr",
    "Sutherland",
    "Clarke",
    "Thompson",
    "Conway",
    "Hamilton",
    "Wirth",
    "Ladyzhenskaya",
    "Naur",
    "Perlman",
    "Wilson",
    "Berners",
    "Franklin",
    "Cerf",
    "Hall",
    "Leroy",
    "Matsumoto",
    "Quinn",
    "Easley",
    "Stroustrup",
    "Shaw",
    "Ritchie",
    "Boyd",
    "Bilas",
    "Rossum",
    "Abelson",
    "Greif",
    "Gosling",
    "Jones",
    "Lamport",
    "Keller",
    "Lynch",
    "Dahl",
    "Selinger",
    "Tarantino",
    "Franklyn",
    "Goldwasser",
    "Whitney",
    "Svensson",
    "Rubin",
    "Diffie",
];

/// Data rows in the file: over two of the engine's 1,000-row batches, so progress events come
/// while the import runs (a few hundred rows make a single event, at the very end).
const ROWS: usize = 2_500;

/// The CSV and the file line where the bad row starts (line 1 is the header).
fn contacts_csv() -> (String, u64) {
    let mut csv =
        String::from("\u{feff}First Name,Last Name,Email,Mobile,Tags,Notes,Favourite colour\n");
    let mut bad_line = 0;
    for i in 0..ROWS {
        let (given, family) = (GIVEN[i % 50], FAMILY[i / 50 % 50]);
        let email = format!(
            "{}.{}.{i}@example.com",
            given.to_lowercase(),
            family.to_lowercase()
        );
        let row = match i {
            // A note with a line break inside quotes: one row, over two lines of the file.
            7 => "Marguerite,Okonkwo,marguerite@example.com,+1 415 555 9999,\"buyer, first home\",\"Met at the Elm St open house.\nWants a garden.\",green\n".to_owned(),
            // Shares row 3's email address: a duplicate.
            40 => format!("Someone,Else,{},,,,\n", email_of(3)),
            100 => "Bad,Address,ada@,,,,\n".to_owned(),
            _ => format!("{given},{family},{email},+1 415 555 {i:04},buyer,,blue\n"),
        };
        if i == 100 {
            bad_line = csv.matches('\n').count() as u64 + 1;
        }
        csv.push_str(&row);
    }
    (csv, bad_line)
}

fn email_of(i: usize) -> String {
    let (given, family) = (GIVEN[i % 50], FAMILY[i / 50 % 50]);
    format!(
        "{}.{}.{i}@example.com",
        given.to_lowercase(),
        family.to_lowercase()
    )
}

async fn pick(app: &App, path: &std::path::Path) {
    let picker = app.wait_for("#import-file").await;
    picker
        .send_keys(&path.to_string_lossy())
        .await
        .expect("pick a file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_csv_is_imported_with_progress_and_a_report_then_listed() {
    let files = tempfile::tempdir().expect("tempdir");
    let (csv, bad_line) = contacts_csv();
    assert!(
        bad_line > 102,
        "the quoted line break moves later lines down"
    );
    let path = files.path().join("old-crm-export.csv");
    std::fs::write(&path, csv.as_bytes()).expect("write the csv");
    let photo = files.path().join("house.jpg");
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0 not really a photo").expect("write the file");

    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;

    // Escape closes the dialog before anything is picked.
    app.click("#import-button").await;
    app.wait_for("#import-dialog").await;
    app.press("\u{e00c}").await;
    app.until_gone("#import-dialog").await;

    // A file that is not a CSV is refused by name, before any upload.
    app.click("#import-button").await;
    pick(&app, &photo).await;
    app.until_text("#import-error", "house.jpg is not a CSV or vCard file")
        .await;
    app.screens("import-refused").await;

    pick(&app, &path).await;
    app.wait_for("#import-columns").await;
    assert_eq!(
        app.dom_text("#import-file-name").await,
        format!("old-crm-export.csv{}", size_words(csv.len() as u64)),
    );
    // The guess, column by column; the byte-order mark is not part of the first header.
    let guessed = [
        "given_name",
        "family_name",
        "email:other",
        "phone:mobile",
        "tags",
        "note",
        "skip",
    ];
    for (i, key) in guessed.iter().enumerate() {
        assert_eq!(
            app.value_of(&format!("#import-column-{i}")).await,
            *key,
            "column {i}"
        );
    }
    assert_eq!(
        app.texts("#import-columns .import-column__name").await[0],
        "First Name"
    );
    assert_eq!(app.texts("#import-sample tbody tr").await.len(), 5);

    // Skipping every name, email and phone column leaves nothing to make a contact of.
    for i in 0..4 {
        app.select(&format!("#import-column-{i}"), "skip").await;
    }
    app.until_text("#import-mapping-error", "No column is imported as a name")
        .await;
    assert_eq!(
        app.js(
            "return document.querySelector('#import-start').disabled",
            vec![]
        )
        .await,
        true
    );
    for (i, key) in guessed.iter().enumerate().take(4) {
        app.select(&format!("#import-column-{i}"), key).await;
    }
    app.until_gone("#import-mapping-error").await;
    app.screens_at("import-mapping", "#import-columns").await;
    app.screens_at("import-choices", "#import-mode-keep").await;

    // Every text the progress line shows while importing, recorded as the page changes.
    app.js(
        "window.__importProgress = [];
         new MutationObserver(() => {
           const line = document.querySelector('#import-progress-text');
           if (line) window.__importProgress.push(line.textContent);
         }).observe(document.body, {subtree: true, childList: true, characterData: true});",
        vec![],
    )
    .await;
    app.click("#import-start").await;
    // A picture of the bar if the import is still running (nothing is asserted on timing).
    if app.exists("#import-progress").await {
        app.screenshot("import-progress-desktop.png").await;
    }
    app.wait_for("#import-report").await;
    let seen: Vec<String> =
        serde_json::from_value(app.js("return window.__importProgress", vec![]).await)
            .expect("texts");
    let total = thousands(ROWS as u64);
    assert!(
        seen.contains(&format!("1,000 of {total} rows done"))
            && seen.contains(&format!("2,000 of {total} rows done")),
        "the bar followed the engine's batches: {seen:?}"
    );

    // Every row but the bad one and the duplicate; the bad one named by its line and reason.
    assert_eq!(
        app.dom_text("#import-count-imported").await,
        thousands(ROWS as u64 - 2)
    );
    assert_eq!(app.dom_text("#import-count-rejected").await, "1");
    assert_eq!(app.dom_text("#import-count-duplicates").await, "1");
    let rejected = app.texts("#import-rejected .import-row").await;
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(
        rejected[0].starts_with(&format!("Line {bad_line}"))
            && rejected[0].contains("\"ada@\" is not an email address"),
        "{rejected:?}"
    );
    let duplicates = app.texts("#import-duplicates .import-row").await;
    assert_eq!(duplicates.len(), 1, "{duplicates:?}");
    assert!(duplicates[0].contains(&email_of(3)), "{duplicates:?}");
    app.screens_at("import-report", "#import-rejected").await;

    // Done closes the dialog and the list shows what came in.
    app.click("#import-done").await;
    app.until_gone("#import-dialog").await;
    app.until_text(
        "#contacts-heading",
        &format!("{} contacts", thousands(ROWS as u64 - 2)),
    )
    .await;
    app.type_into("#contact-search", "Okonkwo").await;
    app.until("the row with the quoted line break is found", || async {
        app.texts("#contact-rows .contact-row__name").await == ["Marguerite Okonkwo"]
    })
    .await;
    app.screens("import-listed").await;
    app.close().await;
}

/// "4,500".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The dialog's file size words ("152 KB").
fn size_words(bytes: u64) -> String {
    format!("{} KB", bytes.div_ceil(1024))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn files_from_excel_on_windows_and_unicode_text_keep_their_accents() {
    let files = tempfile::tempdir().expect("tempdir");
    // "CSV" as Excel for Windows saves it: Windows-1252, no byte-order mark.
    let windows = files.path().join("excel-on-windows.csv");
    std::fs::write(
        &windows,
        b"Name,Email,Notes\r\nZo\xEB M\xFCller,zoe@example.com,Caf\xE9 cr\xE8me \xE0 emporter\r\n",
    )
    .expect("write the csv");
    // Excel's "Unicode text": UTF-16 with its byte-order mark.
    let unicode = files.path().join("unicode-text.csv");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Name,Email\r\nJosé García,jose@example.com\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(&unicode, utf16).expect("write the csv");

    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;
    for (path, read_as, name, shot) in [
        (
            &windows,
            "Read as Western European (Windows-1252).",
            "Zoë Müller",
            Some("import-encoding"),
        ),
        (&unicode, "Read as Unicode (UTF-16).", "José García", None),
    ] {
        app.click("#import-button").await;
        pick(&app, path).await;
        // Said before anything is imported, and the first rows shown already decoded.
        app.until_text("#import-encoding", read_as).await;
        app.until_text("#import-sample", name).await;
        if let Some(shot) = shot {
            app.screens_at(shot, "#import-encoding").await;
        }
        app.click("#import-start").await;
        app.wait_for("#import-report").await;
        assert_eq!(app.dom_text("#import-count-imported").await, "1");
        assert_eq!(app.dom_text("#import-count-rejected").await, "0");
        app.click("#import-done").await;
        app.until_gone("#import-dialog").await;
    }
    app.until_text("#contacts-heading", "2 contacts").await;
    for (search, name) in [("Zoë", "Zoë Müller"), ("García", "José García")] {
        app.type_into("#contact-search", search).await;
        app.until("the contact is found by its accented name", || async {
            app.texts("#contact-rows .contact-row__name").await == [name]
        })
        .await;
    }
    app.close().await;
}

/// Stages another CRM uses that Fieldstone does not know: listed with their rows in the
/// preview, one mapped to Offer, the other left at the default; the file read in another
/// encoding and back, the choices kept; then the contacts are in the stages chosen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn an_unknown_stage_is_matched_in_the_preview_and_imported_as_chosen() {
    let files = tempfile::tempdir().expect("tempdir");
    let path = files.path().join("kvcore-leads.csv");
    std::fs::write(
        &path,
        "Name,Email,Status,Budget,Preferred areas\n\
         Renée Dubois,renee@example.com,Negotiating,$450k,Soho\n\
         Ada Lovelace,ada@example.com,negotiating,1.2m,\n\
         Grace Hopper,grace@example.com,Nurture,\"8,500,000 HKD\",Mid-Levels\n\
         Alan Turing,alan@example.com,Lead,lots,\n",
    )
    .expect("write the csv");

    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;
    app.click("#import-button").await;
    pick(&app, &path).await;
    app.wait_for("#import-values").await;
    assert_eq!(
        app.texts("#import-stage-values .import-column__name").await,
        ["Negotiating", "Nurture"]
    );
    assert_eq!(
        app.texts("#import-stage-values .import-column__sample")
            .await,
        ["2 rows", "1 row"]
    );
    // Both start at the default, which the dialog says.
    assert_eq!(app.value_of("#import-stage-value-0").await, "lead");
    assert_eq!(app.value_of("#import-stage-value-1").await, "lead");
    assert_eq!(app.value_of("#import-column-3").await, "budget");
    assert_eq!(app.value_of("#import-column-4").await, "areas");
    app.select("#import-stage-value-0", "offer").await;

    // Read as Windows-1252 the UTF-8 "é" is two letters; read as UTF-8 again it is one, and
    // the stage chosen is still chosen.
    app.until_text("#import-encoding", "Read as Unicode (UTF-8).")
        .await;
    app.select("#import-encoding-choice", "windows-1252").await;
    app.until_text(
        "#import-encoding",
        "Read as Western European (Windows-1252).",
    )
    .await;
    app.until_text("#import-sample", "RenÃ©e Dubois").await;
    app.select("#import-encoding-choice", "UTF-8").await;
    app.until_text("#import-encoding", "Read as Unicode (UTF-8).")
        .await;
    app.until_text("#import-sample", "Renée Dubois").await;
    assert_eq!(app.value_of("#import-stage-value-0").await, "offer");
    app.screens_at("import-values", "#import-values").await;

    app.click("#import-start").await;
    app.wait_for("#import-report").await;
    // Alan's budget is not an amount: left out, saying why.
    assert_eq!(app.dom_text("#import-count-imported").await, "3");
    assert_eq!(app.dom_text("#import-count-rejected").await, "1");
    let rejected = app.texts("#import-rejected .import-row").await;
    assert!(
        rejected[0].starts_with("Line 5")
            && rejected[0].contains("Budget: \"lots\" is not an amount"),
        "{rejected:?}"
    );
    app.click("#import-done").await;
    app.until_gone("#import-dialog").await;
    for (name, stage) in [
        ("Renée Dubois", "offer"),
        ("Ada Lovelace", "offer"),
        ("Grace Hopper", "lead"),
    ] {
        app.type_into("#contact-search", name).await;
        app.until(&format!("{name} is listed as {stage}"), || async {
            app.texts("#contact-rows .contact-row__name").await == [name]
                && app
                    .js(
                        "return document.querySelector('#contact-rows .stage-pill').dataset.stage",
                        vec![],
                    )
                    .await
                    == stage
        })
        .await;
    }
    app.close().await;
}

/// An iPhone's export (vCard 3.0: folded lines, Apple's labels, a photo) picked like a CSV: no
/// columns to choose, its first contacts shown, imported card by card.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_vcard_from_a_phone_is_imported() {
    let files = tempfile::tempdir().expect("tempdir");
    let path = files.path().join("iPhone contacts.vcf");
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.5.1//EN\r\n\
        N:Okonkwo;Marguerite;;;\r\nFN:Marguerite Okonkwo\r\nORG:Harbour Realty;\r\n\
        EMAIL;type=INTERNET;type=HOME;type=pref:marguerite@example.com\r\n\
        TEL;type=CELL;type=VOICE;type=pref:+1 415 555 0134\r\n\
        item1.TEL:+1 415 555 0199\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n\
        NOTE:Met at the Elm St open house.\\nWants a garden and a quiet street near the\r\n  \
        school.\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQg\r\n \
        HBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4z\r\n\
        END:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nN:Watanabe;Kenji;;;\r\nFN:Kenji Watanabe\r\n\
        TEL;type=CELL:+81 90-1234-5678\r\nCATEGORIES:Buyers\r\nEND:VCARD\r\n";
    std::fs::write(&path, vcf).expect("write the vcard");

    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;
    app.click("#import-button").await;
    pick(&app, &path).await;
    app.until_text("#import-vcard", "2 contacts").await;
    assert!(!app.exists("#import-columns").await, "no columns to choose");
    assert_eq!(
        app.texts("#import-sample tbody tr td:first-child").await,
        ["Marguerite Okonkwo", "Kenji Watanabe"]
    );
    app.screens_at("import-vcard", "#import-sample").await;
    app.click("#import-start").await;
    app.wait_for("#import-report").await;
    assert_eq!(app.dom_text("#import-count-imported").await, "2");
    assert_eq!(app.dom_text("#import-count-rejected").await, "0");
    app.screens("import-vcard-report").await;
    app.click("#import-done").await;
    app.until_gone("#import-dialog").await;
    app.until_text("#contacts-heading", "2 contacts").await;
    app.type_into("#contact-search", "garden").await;
    app.until("the card's note is searchable", || async {
        app.texts("#contact-rows .contact-row__name").await == ["Marguerite Okonkwo"]
    })
    .await;
    app.close().await;
}
