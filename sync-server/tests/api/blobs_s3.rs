//! Blobs kept in an S3-compatible bucket (`[blobs.s3]`): the loopback S3 double checks every
//! request's signature, so these prove the server signs as S3 wants, keeps each
//! organisation's files under its own keys, reads them back through the listing, and refuses
//! cleanly (keeping nothing) when the bucket refuses it.

use crate::blobs::{push_listing, upload};
use crate::s3::{self, S3};
use crate::support::*;
use fieldstone_model::blob::BlobType;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::blobs::S3Config;
use fieldstone_server::config::Secret;
use reqwest::StatusCode;

fn config(endpoint: &str, secret: &str) -> fieldstone_server::Config {
    let mut config = fieldstone_server::Config::default();
    config.blobs.s3 = Some(S3Config {
        bucket: s3::BUCKET.into(),
        endpoint: Some(endpoint.into()),
        region: s3::REGION.into(),
        access_key_id: s3::ACCESS_KEY.into(),
        secret_access_key: Secret::new(secret),
        prefix: "fieldstone/blobs".into(),
        allow_http: true,
        timeout_secs: 10,
    });
    config
}

async fn read(s: &TestServer, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let response = s
        .http
        .get(format!("{}{path}", s.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    let status = response.status();
    (status, response.bytes().await.expect("body").to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_go_to_the_bucket_signed_under_each_organisation_and_come_back_through_the_listing()
{
    let (bucket, endpoint) = S3::start().await;
    let s = TestServer::start_with(config(&endpoint, s3::SECRET_KEY)).await;
    let harbour = s.org("Harbour Homes");
    let ada = s.user(harbour, "ada@harbour.example", Role::Agent, None);
    let ada_t = s.token(harbour, ada);
    let summit = s.org("Summit Realty");
    let cy = s.user(summit, "cy@summit.example", Role::Agent, None);
    let cy_t = s.token(summit, cy);

    let photo = fieldstone_media::sample_picture(1200, 900, BlobType::Jpeg, 11);
    // In three pieces: the unfinished file waits on the server's disk, the finished one goes
    // to the bucket with its thumbnail.
    let blob = upload(&s, &ada_t, &photo, photo.len() / 3 + 1).await;
    let name = blob.file_name();
    let hash = blob.hash.to_string();
    assert_eq!(
        bucket.keys(),
        vec![
            format!("fieldstone/blobs/{harbour}/{name}"),
            format!("fieldstone/blobs/{harbour}/{hash}.thumb.jpg"),
        ],
        "the photo and its thumbnail, under Harbour's prefix"
    );
    let kept_on_disk = s
        .state
        .config
        .blobs
        .dir
        .clone()
        .expect("the test server's blob folder")
        .join("kept");
    assert!(
        !kept_on_disk.exists(),
        "nothing kept on the server's own disk"
    );
    let stored = bucket.bucket.lock().expect("bucket").objects
        [&format!("fieldstone/blobs/{harbour}/{name}")]
        .clone();
    assert_eq!(stored, photo, "the very bytes");

    // The server asks the bucket whether it has it (HEAD): complete, nothing to send again.
    let (status, body) = s
        .json(
            "GET",
            &format!("/v2/blobs/{name}/upload"),
            Some(&ada_t),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["complete"], true);
    assert_eq!(body["received"], photo.len() as u64);

    // Read back through Ada's listing: the photo and its thumbnail.
    let listing = push_listing(&s, &ada_t, ada, Visibility::Private, &[blob]).await;
    let (status, bytes) = read(
        &s,
        &ada_t,
        &format!("/v2/blobs/{name}?listing={}", listing.id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, photo);
    let (status, thumb) = read(
        &s,
        &ada_t,
        &format!("/v2/blobs/{name}/thumb?listing={}", listing.id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(BlobType::sniff(&thumb), Some(BlobType::Jpeg));
    assert!(thumb.len() < photo.len());

    // Summit has not sent it: to Summit the server has nothing, even with the same bytes'
    // name, and Summit's own upload is a separate object under Summit.
    let (_, body) = s
        .json(
            "GET",
            &format!("/v2/blobs/{name}/upload"),
            Some(&cy_t),
            None,
        )
        .await;
    assert_eq!(body["complete"], false, "{body}");
    assert_eq!(body["received"], 0, "{body}");
    upload(&s, &cy_t, &photo, photo.len()).await;
    assert!(bucket
        .keys()
        .contains(&format!("fieldstone/blobs/{summit}/{name}")));
    assert_eq!(bucket.keys().len(), 4);

    // Every request the double saw was signed right.
    let seen = bucket.seen();
    assert!(seen.iter().any(|r| r.starts_with("PUT ")), "{seen:?}");
    assert!(seen.iter().any(|r| r.starts_with("HEAD ")), "{seen:?}");
    assert!(seen.iter().any(|r| r.starts_with("GET ")), "{seen:?}");
    assert!(
        seen.iter()
            .all(|r| r.ends_with(" 200") || r.ends_with(" 404")),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_that_refuses_the_servers_signature_keeps_nothing_and_the_upload_says_so() {
    let (bucket, endpoint) = S3::start().await;
    let s = TestServer::start_with(config(&endpoint, "not-the-bucket's-secret")).await;
    let org = s.org("Harbour Homes");
    let ada = s.user(org, "ada@harbour.example", Role::Agent, None);
    let ada_t = s.token(org, ada);
    let photo = fieldstone_media::sample_picture(640, 480, BlobType::Png, 2);
    let blob = fieldstone_media::identify(&photo).expect("a PNG");
    let response = s
        .http
        .put(format!("{}/v2/blobs/{}", s.url, blob.file_name()))
        .bearer_auth(&ada_t)
        .header("upload-offset", "0")
        .header("upload-length", photo.len().to_string())
        .body(photo.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(bucket.keys().is_empty(), "nothing kept");
    let seen = bucket.seen();
    assert!(
        seen.iter().any(|r| r.ends_with(" 403")),
        "the double refused the signature: {seen:?}"
    );
    // Asking how far it came fails the same way (the bucket refuses that request too) rather
    // than pretending the server has nothing: the device tries again later.
    let (status, body) = s
        .json(
            "GET",
            &format!("/v2/blobs/{}/upload", blob.file_name()),
            Some(&ada_t),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
}

#[test]
fn a_bad_bucket_section_is_refused_with_each_problem_named() {
    let mut config = config("ftp://example.com", "x");
    if let Some(s3) = config.blobs.s3.as_mut() {
        s3.bucket = "Not_A_Bucket".into();
        s3.prefix = "/leading".into();
        s3.access_key_id = String::new();
    }
    let problems = config.validate().expect_err("refused");
    for expected in [
        "blobs.s3.bucket",
        "blobs.s3.endpoint",
        "blobs.s3.prefix",
        "blobs.s3.access_key_id",
    ] {
        assert!(problems.contains(expected), "{expected} in {problems}");
    }
    let mut plain_http = self::config("http://127.0.0.1:9000", "x");
    if let Some(s3) = plain_http.blobs.s3.as_mut() {
        s3.allow_http = false;
    }
    let problems = plain_http.validate().expect_err("refused");
    assert!(problems.contains("allow_http"), "{problems}");
}
