//! Media blobs: a photo uploaded in pieces (resuming after a dropped piece) is kept once,
//! checked against its name, with a thumbnail; it is read only through a listing the caller
//! may read that shows it. Bad uploads are refused with the reason and leave nothing behind.

use crate::support::*;
use fieldstone_model::blob::{BlobRef, BlobType};
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use reqwest::StatusCode;
use serde_json::Value;

async fn put_piece(
    s: &TestServer,
    token: &str,
    name: &str,
    offset: u64,
    total: u64,
    piece: &[u8],
) -> (StatusCode, Value) {
    let response = s
        .http
        .put(format!("{}/v2/blobs/{name}", s.url))
        .bearer_auth(token)
        .header("upload-offset", offset.to_string())
        .header("upload-length", total.to_string())
        .body(piece.to_vec())
        .send()
        .await
        .expect("send");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get_bytes(
    s: &TestServer,
    token: Option<&str>,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = s.http.get(format!("{}{path}", s.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let mime = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, mime, response.bytes().await.expect("body").to_vec())
}

/// Uploads `bytes` whole in pieces of `piece` bytes.
pub async fn upload(s: &TestServer, token: &str, bytes: &[u8], piece: usize) -> BlobRef {
    let blob = fieldstone_media::identify(bytes).expect("media");
    let mut offset = 0;
    for chunk in bytes.chunks(piece) {
        let (status, body) = put_piece(
            s,
            token,
            &blob.file_name(),
            offset,
            bytes.len() as u64,
            chunk,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        offset += chunk.len() as u64;
    }
    blob
}

/// A listing of `owner`'s showing `media`, pushed with `token`.
pub async fn push_listing(
    s: &TestServer,
    token: &str,
    owner: UserId,
    visibility: Visibility,
    media: &[BlobRef],
) -> Listing {
    let input = ListingInput {
        address: Address {
            line1: "4 Canonbury Square".into(),
            line2: None,
            city: "London".into(),
            region: None,
            postal_code: Some("N1 2AN".into()),
            country: "GB".into(),
            latitude: None,
            longitude: None,
        },
        price: 455_000,
        currency: "GBP".into(),
        beds: Some(3),
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility,
        description: String::new(),
        features: Vec::new(),
        media: media
            .iter()
            .map(|blob| Media {
                kind: MediaKind::Photo,
                uri: blob.uri(),
                caption: None,
            })
            .collect(),
        open_houses: Vec::new(),
        mls_number: None,
    };
    let listing = Listing::create(
        ListingId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        now(),
    );
    let (doc, _) =
        fieldstone_doc::listing::create(automerge::ActorId::random(), &listing).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let id = DocId::new(fieldstone_doc::listing::KIND, listing.id).expect("id");
    let answer = s.push(token, vec![device.unsent(&id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    listing
}

on_both_stores! {
    a_photo_uploaded_in_pieces_resumes_is_kept_once_and_read_through_its_listing(
        fieldstone_server::Config::default()
    );
}

async fn a_photo_uploaded_in_pieces_resumes_is_kept_once_and_read_through_its_listing(
    s: TestServer,
) {
    let org = s.org("Canonbury Homes");
    let team = s.team(org, "North");
    let other_team = s.team(org, "South");
    let ada = s.user(org, "ada@canonbury.example", Role::Agent, Some(team));
    let bo = s.user(org, "bo@canonbury.example", Role::Agent, Some(other_team));
    let boss = s.user(org, "boss@canonbury.example", Role::Admin, None);
    let (ada_t, bo_t, boss_t) = (s.token(org, ada), s.token(org, bo), s.token(org, boss));
    let photo = fieldstone_media::sample_picture(1600, 1200, BlobType::Jpeg, 3);
    let blob = fieldstone_media::identify(&photo).expect("a JPEG");
    let name = blob.file_name();
    let total = photo.len() as u64;
    let progress = |token: String| {
        let path = format!("/v2/blobs/{name}/upload");
        let s = &s;
        async move { s.json("GET", &path, Some(&token), None).await }
    };

    // Nothing yet.
    let (status, body) = progress(ada_t.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["received"], 0);
    assert_eq!(body["complete"], false);

    // The first piece, then the connection drops; the device asks where to resume.
    let cut = photo.len() / 3;
    let (status, body) = put_piece(&s, &ada_t, &name, 0, total, &photo[..cut]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["received"], cut as u64);
    // A piece from the wrong place is refused with where to go on from.
    let (status, body) = put_piece(&s, &ada_t, &name, 0, total, &photo[..cut]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.to_string().contains(&format!("send from byte {cut}")),
        "{body}"
    );
    let (_, body) = progress(ada_t.clone()).await;
    assert_eq!(body["received"], cut as u64);
    let (status, body) = put_piece(&s, &ada_t, &name, cut as u64, total, &photo[cut..]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["complete"], true);
    // Sending it again costs nothing: the server says it has it.
    let (status, body) = put_piece(&s, &ada_t, &name, 0, total, &photo[..10]).await;
    assert_eq!(
        (status, body["complete"].clone()),
        (StatusCode::OK, Value::Bool(true))
    );

    // Ada's private listing shows it.
    let listing = push_listing(&s, &ada_t, ada, Visibility::Private, &[blob]).await;
    let path = format!("/v2/blobs/{name}?listing={}", listing.id);
    let (status, mime, bytes) = get_bytes(&s, Some(&ada_t), &path).await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(bytes, photo, "the very bytes");
    let thumb_path = format!("/v2/blobs/{name}/thumb?listing={}", listing.id);
    let (status, mime, thumb) = get_bytes(&s, Some(&ada_t), &thumb_path).await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(
        thumb.len() < photo.len() / 4,
        "{} vs {}",
        thumb.len(),
        photo.len()
    );
    // Her broker (admin) reads what she reads; an agent of another team does not, nor anyone
    // through a listing that does not show the file, nor without a session.
    assert_eq!(get_bytes(&s, Some(&boss_t), &path).await.0, StatusCode::OK);
    assert_eq!(
        get_bytes(&s, Some(&bo_t), &path).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get_bytes(&s, None, &path).await.0, StatusCode::UNAUTHORIZED);
    let bare = push_listing(&s, &ada_t, ada, Visibility::Private, &[]).await;
    let through_bare = format!("/v2/blobs/{name}?listing={}", bare.id);
    assert_eq!(
        get_bytes(&s, Some(&ada_t), &through_bare).await.0,
        StatusCode::NOT_FOUND
    );

    // Another organisation: the same name through its own listing finds nothing (its files
    // are its own; the bytes were never uploaded there).
    let other = s.org("Elsewhere");
    let eve = s.user(other, "eve@elsewhere.example", Role::Owner, None);
    let eve_t = s.token(other, eve);
    let (status, body) = progress(eve_t.clone()).await;
    assert_eq!(
        (status, body["received"].clone()),
        (StatusCode::OK, Value::from(0))
    );
    let eve_listing = push_listing(&s, &eve_t, eve, Visibility::Private, &[blob]).await;
    let eve_path = format!("/v2/blobs/{name}?listing={}", eve_listing.id);
    assert_eq!(
        get_bytes(&s, Some(&eve_t), &eve_path).await.0,
        StatusCode::NOT_FOUND
    );
    // Nor through Ada's listing id.
    assert_eq!(
        get_bytes(&s, Some(&eve_t), &path).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_with_the_reason_and_leave_nothing() {
    let s = TestServer::start().await;
    let org = s.org("Canonbury Homes");
    let ada = s.user(org, "ada@canonbury.example", Role::Agent, None);
    let token = s.token(org, ada);
    let photo = fieldstone_media::sample_picture(300, 200, BlobType::Png, 9);
    let blob = fieldstone_media::identify(&photo).expect("a PNG");

    // A name that is not a hash.
    let (status, body) = put_piece(&s, &token, "../../etc/passwd", 0, 4, b"abcd").await;
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
        "{status} {body}"
    );
    let (status, body) = put_piece(&s, &token, "abc.jpg", 0, 4, b"abcd").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("64 lower-case hex"), "{body}");
    // Missing headers.
    let response = s
        .http
        .put(format!("{}/v2/blobs/{}", s.url, blob.file_name()))
        .bearer_auth(&token)
        .body(photo.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Too large.
    let (status, _) = put_piece(&s, &token, &blob.file_name(), 0, 41 * 1024 * 1024, &photo).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Not a picture, under a picture's name.
    let script = b"#!/bin/sh\nrm -rf /\n";
    let (status, body) = put_piece(
        &s,
        &token,
        &blob.file_name(),
        0,
        script.len() as u64,
        script,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.to_string().contains("not a JPEG, PNG or WebP"),
        "{body}"
    );
    // A JPEG under a PNG's name.
    let jpeg = fieldstone_media::sample_picture(30, 20, BlobType::Jpeg, 1);
    let (status, body) =
        put_piece(&s, &token, &blob.file_name(), 0, jpeg.len() as u64, &jpeg).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("its name says .png"), "{body}");
    // A piece past the end.
    let (status, _) = put_piece(&s, &token, &blob.file_name(), 0, 10, &photo[..20]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Another picture's bytes under this name: refused at the end, and nothing is kept, so the
    // right bytes can be sent from the start.
    let other = fieldstone_media::sample_picture(300, 200, BlobType::Png, 10);
    let (status, body) =
        put_piece(&s, &token, &blob.file_name(), 0, other.len() as u64, &other).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("do not match its name"), "{body}");
    let (_, body) = s
        .json(
            "GET",
            &format!("/v2/blobs/{}/upload", blob.file_name()),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (body["received"].clone(), body["complete"].clone()),
        (Value::from(0), Value::Bool(false))
    );
    // A PNG that is not a picture inside: refused whole.
    let mut broken = photo.clone();
    broken.truncate(60);
    let broken_blob = fieldstone_media::identify(&broken).expect("sniffs as PNG");
    let (status, body) = put_piece(
        &s,
        &token,
        &broken_blob.file_name(),
        0,
        broken.len() as u64,
        &broken,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("cannot be read"), "{body}");
    // The right bytes then go through.
    let kept = upload(&s, &token, &photo, 1000).await;
    assert_eq!(kept, blob);
    // Reading needs a listing named in the query.
    let (status, _, _) =
        get_bytes(&s, Some(&token), &format!("/v2/blobs/{}", blob.file_name())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
