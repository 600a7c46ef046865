//! Local only (the default): every screen's commands against real SQLite files, good input and
//! bad, with no server and no account.

use crate::support::{open, person, t0};
use base64::Engine;
use chrono::Duration;
use fieldstone_model::{
    Attendees, BookingInput, BookingKind, BookingStatus, Channel, ContactId, Direction,
    InteractionInput, NoteInput, RecordRef, Stage, TaskInput,
};
use fieldstone_protocol::commands::{
    AddPhoto, BookingWindow, BulkStage, BulkTag, CommandErrorCode, ExportFormat, ExportRequest,
    ImportRequest, MoveStage, OverlapCheck, PhotoRequest, PhotoSize, PipelineRequest,
    SaveSmartList, SyncState, TimelineRequest, TodayRequest, UpdateContact, UploadChunk, BULK_MAX,
};
use fieldstone_protocol::views::{ActivityKind, ContactQuery, TimelineEntry};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn contacts_are_created_listed_searched_counted_and_edited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let ada = api
        .create_contact(person("Ada", "Lovelace", "ada@example.com"))
        .await
        .expect("create");
    api.create_contact(person("Grace", "Lovelace", "grace@example.com"))
        .await
        .expect("create");
    assert_eq!(ada.owner, api.account().user_id, "owned by the local user");

    let found = api
        .list_contacts(ContactQuery {
            search: Some("ada".into()),
            ..ContactQuery::default()
        })
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, ada.id);

    let moved = api
        .move_stage(MoveStage {
            id: ada.id,
            stage: Stage::Showing,
        })
        .await
        .expect("move");
    assert_eq!(moved.stage, Stage::Showing);
    let counts = api
        .contact_counts(ContactQuery::default())
        .await
        .expect("counts");
    assert_eq!(counts.total, 2);
    assert_eq!(counts.by_stage.len(), Stage::ALL.len());
    let showing = counts
        .by_stage
        .iter()
        .find(|c| c.stage == Stage::Showing)
        .expect("showing");
    assert_eq!(showing.count, 1);

    let pipeline = api
        .pipeline(PipelineRequest {
            filter: ContactQuery::default(),
            per_stage: 10,
        })
        .await
        .expect("pipeline");
    let column = |stage| {
        pipeline
            .columns
            .iter()
            .find(|c| c.stage == stage)
            .expect("column")
    };
    assert_eq!(column(Stage::Showing).contacts[0].id, ada.id);
    assert_eq!(column(Stage::Lead).count, 1);

    let detail = api.get_contact(ada.id).await.expect("get");
    assert_eq!(detail.contact.given_name, "Ada");
    assert!(detail.conflicts.is_empty());
}

#[tokio::test]
async fn bad_input_is_refused_with_field_errors_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let ada = api
        .create_contact(person("Ada", "Lovelace", "ada@example.com"))
        .await
        .expect("create");
    let pending = api.replica().pending_changes().expect("pending");

    let error = api
        .update_contact(UpdateContact {
            id: ada.id,
            input: person("Ada", "Lovelace", "not-an-email"),
        })
        .await
        .expect_err("bad email");
    assert_eq!(error.code, CommandErrorCode::Validation);
    assert!(error.field("emails.0.address").is_some(), "{error:?}");
    assert_eq!(api.replica().pending_changes().expect("pending"), pending);

    let unknown = ContactId::from_uuid(uuid::Uuid::from_u128(42));
    let error = api.get_contact(unknown).await.expect_err("unknown");
    assert_eq!(error.code, CommandErrorCode::NotFound);

    let error = api
        .list_contacts(ContactQuery {
            limit: 0,
            ..ContactQuery::default()
        })
        .await
        .expect_err("limit");
    assert!(error.field("limit").is_some());
    let error = api
        .pipeline(PipelineRequest {
            filter: ContactQuery::default(),
            per_stage: 100_000,
        })
        .await
        .expect_err("per stage");
    assert!(error.field("per_stage").is_some());
    let error = api
        .today(TodayRequest {
            day_start: t0(),
            day_end: t0() - Duration::hours(1),
            rows: 5,
        })
        .await
        .expect_err("backwards day");
    assert!(error.field("day_end").is_some());
    let error = api
        .bookings_between(BookingWindow {
            from: t0(),
            to: t0() + Duration::days(400),
        })
        .await
        .expect_err("a year");
    assert!(error.field("to").is_some());
    let error = api
        .photo(PhotoRequest {
            uri: "../config/settings.json".into(),
            listing: None,
            size: PhotoSize::Full,
        })
        .await
        .expect_err("traversal");
    assert_eq!(error.code, CommandErrorCode::Validation);
    let error = api
        .import_preview("../../etc/passwd".into())
        .await
        .expect_err("traversal");
    assert!(error.field("upload_id").is_some());
    let error = api
        .upload_chunk(UploadChunk {
            upload_id: None,
            data_base64: "%%% not base64".into(),
        })
        .await
        .expect_err("base64");
    assert!(error.field("data_base64").is_some());
    let error = api
        .set_device_name("two\nlines".into())
        .expect_err("device name");
    assert!(error.field("device_name").is_some());
    let error = api.sign_out().await.expect_err("not signed in");
    assert_eq!(error.code, CommandErrorCode::WrongState);
    assert_eq!(api.replica().pending_changes().expect("pending"), pending);
}

#[tokio::test]
async fn bulk_changes_report_each_failure_and_do_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let a = api
        .create_contact(person("Ada", "Lovelace", "a@example.com"))
        .await
        .expect("a");
    let b = api
        .create_contact(person("Bea", "Lovelace", "b@example.com"))
        .await
        .expect("b");
    let ghost = ContactId::from_uuid(uuid::Uuid::from_u128(7));
    let result = api
        .bulk_tag(BulkTag {
            ids: vec![a.id, ghost, b.id],
            add: vec!["Open House".into()],
            remove: Vec::new(),
        })
        .await
        .expect("bulk tag");
    assert_eq!(result.done, 2);
    assert_eq!(result.failed.len(), 1);
    assert_eq!(result.failed[0].id, ghost);
    assert_eq!(result.failed[0].error.code, CommandErrorCode::NotFound);
    let tagged = api
        .list_contacts(ContactQuery {
            tags: vec!["open house".into()],
            ..ContactQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(tagged.items.len(), 2);

    let result = api
        .bulk_stage(BulkStage {
            ids: vec![a.id, b.id],
            stage: Stage::Qualified,
        })
        .await
        .expect("bulk stage");
    assert_eq!((result.done, result.failed.len()), (2, 0));
    let too_many = api
        .bulk_stage(BulkStage {
            ids: vec![a.id; BULK_MAX + 1],
            stage: Stage::Lost,
        })
        .await
        .expect_err("too many");
    assert!(too_many.field("ids").is_some());
    let bad_tag = api
        .bulk_tag(BulkTag {
            ids: vec![a.id],
            add: vec!["x".repeat(500)],
            remove: Vec::new(),
        })
        .await
        .expect("answered");
    assert_eq!(bad_tag.failed[0].error.code, CommandErrorCode::Validation);
}

#[tokio::test]
async fn smart_lists_are_kept_on_this_device_across_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = {
        let app = open(dir.path(), t0());
        let list = app
            .api
            .save_smart_list(SaveSmartList {
                id: None,
                name: "Hot buyers".into(),
                query: ContactQuery {
                    stages: vec![Stage::Offer],
                    ..ContactQuery::default()
                },
            })
            .await
            .expect("save");
        let clash = app
            .api
            .save_smart_list(SaveSmartList {
                id: None,
                name: "hot BUYERS".into(),
                query: ContactQuery::default(),
            })
            .await
            .expect_err("same name");
        assert!(clash.field("name").is_some());
        let blank = app
            .api
            .save_smart_list(SaveSmartList {
                id: None,
                name: "  ".into(),
                query: ContactQuery::default(),
            })
            .await
            .expect_err("blank");
        assert!(blank.field("name").is_some());
        list
    };
    let app = open(dir.path(), t0());
    assert_eq!(
        app.api.smart_lists().await.expect("lists"),
        vec![list.clone()]
    );
    app.api
        .delete_smart_list(list.id.clone())
        .await
        .expect("delete");
    assert!(app.api.smart_lists().await.expect("lists").is_empty());
    let gone = app.api.delete_smart_list(list.id).await.expect_err("gone");
    assert_eq!(gone.code, CommandErrorCode::NotFound);
}

#[tokio::test]
async fn today_calendar_and_timeline_show_what_was_booked_noted_and_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let ada = api
        .create_contact(person("Ada", "Lovelace", "a@example.com"))
        .await
        .expect("ada");
    let showing = BookingInput {
        kind: BookingKind::Showing,
        title: Some("12 Oak St".into()),
        starts_at: t0() + Duration::hours(2),
        ends_at: t0() + Duration::hours(3),
        time_zone: "Europe/London".into(),
        location: None,
        attendees: Attendees {
            contacts: vec![ada.id],
            ..Attendees::default()
        },
        listing: None,
        status: BookingStatus::Scheduled,
        reminders: Vec::new(),
    };
    let first = api.create_booking(showing.clone()).await.expect("booking");
    assert!(first.overlaps.is_empty());
    let second = api
        .create_booking(BookingInput {
            starts_at: t0() + Duration::minutes(150),
            ends_at: t0() + Duration::minutes(200),
            ..showing.clone()
        })
        .await
        .expect("overlapping booking is saved");
    assert_eq!(second.overlaps.len(), 1, "with a warning");
    assert_eq!(second.overlaps[0].id, first.booking.id);
    let check = api
        .check_overlaps(OverlapCheck {
            starts_at: t0() + Duration::minutes(170),
            ends_at: t0() + Duration::minutes(180),
            except: Some(second.booking.id),
        })
        .await
        .expect("check");
    assert_eq!(check.len(), 1);

    let task = |title: &str, hours: i64| TaskInput {
        title: title.into(),
        due_at: Some(t0() + Duration::hours(hours)),
        priority: Default::default(),
        status: Default::default(),
        kind: Default::default(),
        record: Some(RecordRef::Contact(ada.id)),
    };
    api.create_task(task("Send the brochure", -30))
        .await
        .expect("overdue");
    api.create_task(task("Call back", 5)).await.expect("today");
    api.create_task(task("Next week", 24 * 7))
        .await
        .expect("later");
    api.add_note(NoteInput {
        record: RecordRef::Contact(ada.id),
        body: "Wants a garden.".into(),
        pinned: false,
    })
    .await
    .expect("note");
    api.log_interaction(InteractionInput {
        contact: ada.id,
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

    let today = api
        .today(TodayRequest {
            day_start: t0() - Duration::hours(1),
            day_end: t0() + Duration::hours(23),
            rows: 5,
        })
        .await
        .expect("today");
    assert_eq!(today.bookings.len(), 2);
    assert_eq!(today.overdue.len(), 1);
    assert_eq!(today.due_today.len(), 1);
    assert!(today.has_contacts);
    assert!(
        today.call_now.iter().all(|c| c.id != ada.id),
        "Ada was called and is not hot: she is not on the call list"
    );
    assert_eq!(
        today.new_leads.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ada.id]
    );
    let what: Vec<(ActivityKind, &str)> = today
        .activity
        .iter()
        .filter(|a| a.contact == ada.id)
        .map(|a| (a.kind, a.detail.as_str()))
        .collect();
    assert!(what.contains(&(ActivityKind::Logged, "Talked about Oak St")));
    assert!(what.contains(&(ActivityKind::NoteAdded, "Wants a garden.")));
    assert!(what.contains(&(ActivityKind::ContactAdded, "")));
    assert!(today
        .activity
        .iter()
        .all(|a| a.contact_name == "Ada Lovelace"));

    // Someone never contacted makes the call list.
    let bob = api
        .create_contact(person("Bob", "Stone", "b@example.com"))
        .await
        .expect("bob");
    let today = api
        .today(TodayRequest {
            day_start: t0() - Duration::hours(1),
            day_end: t0() + Duration::hours(23),
            rows: 5,
        })
        .await
        .expect("today");
    assert_eq!(
        today.call_now.iter().map(|c| c.id).collect::<Vec<_>>(),
        [bob.id]
    );
    assert_eq!(
        today.new_leads.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ada.id],
        "Bob is on the call list already: each person shows once"
    );

    let page = api
        .timeline(TimelineRequest {
            contact: ada.id,
            limit: 50,
            after: None,
        })
        .await
        .expect("timeline");
    let kinds: Vec<&str> = page
        .entries
        .iter()
        .map(|e| match e {
            TimelineEntry::Note(_) => "note",
            TimelineEntry::Interaction(_) => "interaction",
            TimelineEntry::Booking(_) => "booking",
            TimelineEntry::Task(_) => "task",
        })
        .collect();
    for kind in ["note", "interaction", "booking", "task"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let window = api
        .bookings_between(BookingWindow {
            from: t0(),
            to: t0() + Duration::days(1),
        })
        .await
        .expect("calendar");
    assert_eq!(window.len(), 2);
}

#[tokio::test]
async fn a_csv_uploads_in_chunks_previews_imports_with_progress_and_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let csv = "First Name,Last Name,Email,Notes\n\
               Ada,Lovelace,ada@example.com,Met at the open house\n\
               Bad,Row,not-an-email,\n\
               Grace,Hopper,grace@example.com,\n";
    let (head, tail) = csv.as_bytes().split_at(40);
    let first = api
        .upload_chunk(UploadChunk {
            upload_id: None,
            data_base64: b64(head),
        })
        .await
        .expect("chunk 1");
    let second = api
        .upload_chunk(UploadChunk {
            upload_id: Some(first.upload_id.clone()),
            data_base64: format!("data:text/csv;base64,{}", b64(tail)),
        })
        .await
        .expect("chunk 2");
    assert_eq!(second.bytes, csv.len() as u64);
    let preview = api
        .import_preview(first.upload_id.clone().into())
        .await
        .expect("preview");
    assert_eq!(preview.headers.len(), 4);
    assert_eq!(preview.sample.len(), 3);
    let report = api
        .import_contacts(ImportRequest {
            upload_id: first.upload_id.clone(),
            mapping: None,
            mode: Default::default(),
            duplicates: Default::default(),
            source: None,
            encoding: None,
            values: Default::default(),
        })
        .await
        .expect("import");
    assert_eq!(report.imported, 2);
    assert_eq!(report.rejected_count, 1);
    assert_eq!(report.rejected[0].line, 3);
    let progress = app.events.progress.lock().expect("lock").clone();
    assert!(!progress.is_empty());
    assert!(progress.iter().all(|p| p.upload_id == first.upload_id));
    let gone = api
        .import_preview(first.upload_id.into())
        .await
        .expect_err("the upload is removed after the import");
    assert_eq!(gone.code, CommandErrorCode::NotFound);

    for (format, ext) in [
        (ExportFormat::Csv, "csv"),
        (ExportFormat::Vcard, "vcf"),
        (ExportFormat::Json, "json"),
    ] {
        let done = api
            .export(ExportRequest {
                format,
                query: None,
            })
            .await
            .expect("export");
        assert!(done.path.ends_with(ext), "{}", done.path);
        assert!(done
            .path
            .starts_with(&dir.path().join("downloads").display().to_string()));
        assert!(done.records >= 2);
        let written = std::fs::metadata(&done.path).expect("file").len();
        assert_eq!(written, done.bytes);
    }
}

#[tokio::test]
async fn photos_are_kept_by_content_with_a_thumbnail_and_only_images_are_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let jpeg =
        fieldstone_media::sample_picture(1000, 500, fieldstone_model::blob::BlobType::Jpeg, 4);
    let stored = api
        .add_photo(AddPhoto {
            data_base64: b64(&jpeg),
        })
        .await
        .expect("photo");
    let blob = fieldstone_media::identify(&jpeg).expect("a JPEG");
    assert_eq!(stored.uri, blob.uri(), "named by its SHA-256");
    let ask = |size| PhotoRequest {
        uri: stored.uri.clone(),
        listing: None,
        size,
    };
    let photo = api.photo(ask(PhotoSize::Full)).await.expect("read back");
    assert_eq!(photo.mime, "image/jpeg");
    assert_eq!(photo.data_base64, b64(&jpeg));
    let thumb = api
        .photo(ask(PhotoSize::Thumbnail))
        .await
        .expect("thumbnail");
    assert_eq!(thumb.mime, "image/jpeg");
    assert!(thumb.data_base64.len() < photo.data_base64.len() / 4);
    // Waiting for upload until a sync sends it.
    assert_eq!(api.replica().media().pending().expect("outbox"), vec![blob]);
    for (bad, why) in [
        (b"<svg onload='alert(1)'/>".to_vec(), "not a JPEG"),
        (
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 pretend the rest is a photo".to_vec(),
            "cannot be read",
        ),
    ] {
        let refused = api
            .add_photo(AddPhoto {
                data_base64: b64(&bad),
            })
            .await
            .expect_err("not an image");
        let message = refused.field("data_base64").expect("field").to_owned();
        assert!(message.contains(why), "{message}");
    }
    assert_eq!(api.replica().media().pending().expect("outbox").len(), 1);
    // A photo this device never had, with no listing to fetch it through.
    let elsewhere =
        fieldstone_media::sample_picture(10, 10, fieldstone_model::blob::BlobType::Png, 1);
    let error = api
        .photo(PhotoRequest {
            uri: fieldstone_media::identify(&elsewhere).expect("png").uri(),
            listing: None,
            size: PhotoSize::Thumbnail,
        })
        .await
        .expect_err("not here");
    assert_eq!(error.code, CommandErrorCode::NotFound);
}

#[tokio::test]
async fn with_no_account_the_app_is_local_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    app.api.resume_sync().await;
    assert_eq!(app.api.sync_status().state, SyncState::LocalOnly);
    let account = app.api.account();
    assert!(account.session.is_none());
    assert!(account.server_override.is_none());
    let renamed = app
        .api
        .set_device_name("Ada's laptop".into())
        .expect("rename");
    assert_eq!(renamed.device_name, "Ada's laptop");
    assert!(app.api.sync_notices().await.expect("notices").is_empty());
    assert_eq!(
        app.api.about().protocol_version,
        fieldstone_protocol::PROTOCOL_VERSION
    );
}
