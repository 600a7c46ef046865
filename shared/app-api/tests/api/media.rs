//! Photos that sync (issue 17): a photo added on Ann's laptop is uploaded after the listing
//! that shows it (resuming an upload the server already has part of), and her phone, a second
//! store, fetches it through that listing when it is first shown — thumbnail and whole — and
//! keeps it. Until the file is on the server the phone says it is on its way.

use crate::support::{syncing_at, t0, TestApp};
use base64::Engine;
use fieldstone_model::blob::{BlobRef, BlobType};
use fieldstone_model::{ListingId, Media, MediaKind};
use fieldstone_protocol::commands::{
    AddPhoto, CommandErrorCode, PhotoRequest, PhotoSize, SyncState,
};
use fieldstone_tests::{free_port, Org, ServerProcess};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn ask(blob: &BlobRef, listing: ListingId, size: PhotoSize) -> PhotoRequest {
    PhotoRequest {
        uri: blob.uri(),
        listing: Some(listing),
        size,
    }
}

async fn until_synced(app: &TestApp, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        app.api.sync_now();
        let status = app.api.sync_status();
        let media_left = app.api.replica().media().pending().expect("outbox").len();
        if status.state == SyncState::UpToDate && status.pending == 0 && media_left == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {status:?}, {media_left} files waiting"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_added_on_the_laptop_reaches_the_phone_through_its_listing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let harbour = Org::create(&server_dir, "Harbour");
    harbour.user("ann@harbour.test", "agent", None);
    let server = ServerProcess::start(&server_dir, &format!("127.0.0.1:{}", free_port()));
    let url = server.url.clone();
    let laptop_token = harbour.device_token("ann@harbour.test", "laptop");
    let laptop = syncing_at(&tmp.path().join("laptop"), &url, &laptop_token, t0()).await;
    let phone = syncing_at(
        &tmp.path().join("phone"),
        &url,
        &harbour.device_token("ann@harbour.test", "phone"),
        t0(),
    )
    .await;

    // Two photos on the laptop; the server already has the first 100 kB of one (an upload
    // cut off earlier), so the laptop must go on from there, not start over.
    let front = fieldstone_media::sample_picture(1800, 1200, BlobType::Jpeg, 21);
    let garden = fieldstone_media::sample_picture(900, 900, BlobType::Png, 22);
    let front_blob = fieldstone_media::identify(&front).expect("jpeg");
    let garden_blob = fieldstone_media::identify(&garden).expect("png");
    let http = reqwest::Client::new();
    let cut = 100_000.min(front.len() / 2);
    let first = http
        .put(format!("{url}/v2/blobs/{}", front_blob.file_name()))
        .bearer_auth(&laptop_token)
        .header("upload-offset", "0")
        .header("upload-length", front.len().to_string())
        .body(front[..cut].to_vec())
        .send()
        .await
        .expect("first piece");
    assert!(first.status().is_success());

    let mut added = Vec::new();
    for bytes in [&front, &garden] {
        let stored = laptop
            .api
            .add_photo(AddPhoto {
                data_base64: b64(bytes),
            })
            .await
            .expect("kept");
        added.push(stored.uri);
    }
    assert_eq!(added, vec![front_blob.uri(), garden_blob.uri()]);
    let mut input = fieldstone_tests::elm_street();
    input.media = added
        .iter()
        .map(|uri| Media {
            kind: MediaKind::Photo,
            uri: uri.clone(),
            caption: None,
        })
        .collect();
    let listing = laptop.api.create_listing(input).await.expect("listing");
    until_synced(&laptop, "the laptop sends the listing and its photos").await;

    // The server holds the very bytes of both.
    let progress: serde_json::Value = http
        .get(format!("{url}/v2/blobs/{}/upload", front_blob.file_name()))
        .bearer_auth(&laptop_token)
        .send()
        .await
        .expect("progress")
        .json()
        .await
        .expect("json");
    assert_eq!(progress["complete"], true, "{progress}");
    assert_eq!(progress["received"], front.len() as u64, "{progress}");

    // The phone gets the listing, then its photos on demand.
    let deadline = Instant::now() + WAIT;
    while phone.api.get_listing(listing.id).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the listing never reached the phone"
        );
        phone.api.sync_now();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let media = phone.api.replica().media().clone();
    assert_eq!(
        media.read(&front_blob, false).expect("read"),
        None,
        "not fetched yet"
    );
    let thumb = phone
        .api
        .photo(ask(&front_blob, listing.id, PhotoSize::Thumbnail))
        .await
        .expect("thumbnail");
    assert_eq!(thumb.mime, "image/jpeg");
    let whole = phone
        .api
        .photo(ask(&front_blob, listing.id, PhotoSize::Full))
        .await
        .expect("whole photo");
    assert_eq!(whole.data_base64, b64(&front), "the very bytes");
    let png = phone
        .api
        .photo(ask(&garden_blob, listing.id, PhotoSize::Full))
        .await
        .expect("the second photo");
    assert_eq!(
        (png.mime.as_str(), png.data_base64),
        ("image/png", b64(&garden))
    );
    // Kept on the phone: shown again with no server at all.
    assert_eq!(
        media.read(&front_blob, false).expect("read"),
        Some(front.clone())
    );
    assert!(media.read(&front_blob, true).expect("read").is_some());
    drop(server);
    let again = phone
        .api
        .photo(ask(&front_blob, listing.id, PhotoSize::Thumbnail))
        .await
        .expect("from the phone's own cache");
    assert_eq!(again.data_base64, thumb.data_base64);

    // A photo named by a listing but never uploaded (the laptop that added it went offline):
    // the phone says so in words, and nothing is kept.
    let never = fieldstone_media::sample_picture(50, 50, BlobType::Jpeg, 23);
    let never_blob = fieldstone_media::identify(&never).expect("jpeg");
    let error = phone
        .api
        .photo(ask(&never_blob, listing.id, PhotoSize::Thumbnail))
        .await
        .expect_err("not on the phone, no server");
    assert_eq!(error.code, CommandErrorCode::NotFound);
    assert!(
        error.message.contains("once you are online"),
        "{}",
        error.message
    );
}
