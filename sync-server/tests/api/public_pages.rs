//! Public listing pages: a public listing's page, pictures and beacon for anyone; a private or
//! exclusive listing, a picture the listing does not show, another organisation's ids and a
//! listing taken off the market all "not listed"; the beacon's counts reach the figures the
//! agent reads, and only they; branding set by an admin shows on the page.

use crate::blobs::{push_listing, upload};
use crate::support::*;
use fieldstone_model::blob::BlobType;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn get(s: &TestServer, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = s
        .http
        .get(format!("{}{path}", s.url))
        .send()
        .await
        .expect("send");
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.bytes().await.expect("body").to_vec(),
    )
}

async fn beacon(s: &TestServer, path: &str, body: &str) -> StatusCode {
    s.http
        .post(format!("{}{path}/beacon", s.url))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("send")
        .status()
}

fn config() -> fieldstone_server::Config {
    let mut config = fieldstone_server::Config::default();
    config.http.public_url = Some("https://crm.example.com".into());
    config
}

on_both_stores! {
    a_public_listing_has_a_page_its_pictures_and_counted_visits_and_nothing_else_shows(config());
}

async fn a_public_listing_has_a_page_its_pictures_and_counted_visits_and_nothing_else_shows(
    s: TestServer,
) {
    let org = s.org("Canonbury Homes");
    let ada = s.user(org, "ada@canonbury.example", Role::Agent, None);
    let boss = s.user(org, "boss@canonbury.example", Role::Admin, None);
    let (ada_t, boss_t) = (s.token(org, ada), s.token(org, boss));
    let front = fieldstone_media::sample_picture(1200, 800, BlobType::Jpeg, 31);
    let kitchen = fieldstone_media::sample_picture(800, 600, BlobType::Png, 32);
    let secret = fieldstone_media::sample_picture(600, 400, BlobType::Jpeg, 33);
    let front_b = upload(&s, &ada_t, &front, 64 * 1024).await;
    let kitchen_b = upload(&s, &ada_t, &kitchen, 64 * 1024).await;
    let secret_b = upload(&s, &ada_t, &secret, 64 * 1024).await;
    let public = push_listing(&s, &ada_t, ada, Visibility::Public, &[front_b, kitchen_b]).await;
    let private = push_listing(&s, &ada_t, ada, Visibility::Private, &[secret_b]).await;
    let exclusive = push_listing(&s, &ada_t, ada, Visibility::Exclusive, &[secret_b]).await;
    let page = format!("/l/{org}/{}", public.id);

    // The page, for anyone, with a strict CSP.
    let (status, headers, body) = get(&s, &page).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("utf-8");
    assert!(
        html.contains("4 Canonbury Square") && html.contains("£455,000"),
        "{html}"
    );
    assert!(html.contains("Canonbury Homes"));
    assert!(html.contains(&format!("{page}/thumb/{}", kitchen_b.file_name())));
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.starts_with("default-src 'none'; img-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe"), "{csp}");
    // Its pictures, the very bytes, and their thumbnails.
    let (status, headers, bytes) = get(&s, &format!("{page}/photo/{}", front_b.file_name())).await;
    assert_eq!(
        (status, headers["content-type"].to_str().ok()),
        (StatusCode::OK, Some("image/jpeg"))
    );
    assert_eq!(bytes, front);
    let (status, _, thumb) = get(&s, &format!("{page}/thumb/{}", kitchen_b.file_name())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(BlobType::sniff(&thumb), Some(BlobType::Jpeg));

    // Nothing else: the private and exclusive listings, a picture the page does not show
    // (though the organisation has it), another organisation's id, made-up ids.
    for hidden in [&private, &exclusive] {
        let path = format!("/l/{org}/{}", hidden.id);
        let (status, _, body) = get(&s, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("not listed") && !text.contains("Canonbury Square"),
            "{text}"
        );
        let photo = format!("{path}/photo/{}", secret_b.file_name());
        assert_eq!(get(&s, &photo).await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            beacon(&s, &path, r#"{"kind":"view"}"#).await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        get(&s, &format!("{page}/photo/{}", secret_b.file_name()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let other = s.org("Elsewhere");
    assert_eq!(
        get(&s, &format!("/l/{other}/{}", public.id)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &s,
            &format!("/l/{other}/{}/photo/{}", public.id, front_b.file_name())
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&s, &format!("/l/{org}/not-an-id")).await.0,
        StatusCode::BAD_REQUEST
    );

    // Visits: two views, one visit's time, parts opened; bad beacons refused.
    for body in [
        r#"{"kind":"view"}"#,
        r#"{"kind":"view"}"#,
        r#"{"kind":"time","seconds":42}"#,
        r#"{"kind":"hotspot","hotspot":"photo-2"}"#,
        r#"{"kind":"hotspot","hotspot":"photo-2"}"#,
        r#"{"kind":"hotspot","hotspot":"ask"}"#,
    ] {
        assert_eq!(
            beacon(&s, &page, body).await,
            StatusCode::NO_CONTENT,
            "{body}"
        );
    }
    for bad in [
        r#"{"kind":"hotspot","hotspot":"<script>"}"#,
        r#"{"kind":"time"}"#,
        r#"{"kind":"view","extra":1}"#,
        "not json",
    ] {
        assert_eq!(
            beacon(&s, &page, bad).await,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let huge = format!(r#"{{"kind":"view","pad":"{}"}}"#, "x".repeat(600));
    assert_eq!(
        beacon(&s, &page, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let tour = format!("/v2/listings/{}/tour", public.id);
    let (status, figures) = s.json("GET", &tour, Some(&ada_t), None).await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(figures["views"], 2, "{figures}");
    assert_eq!(
        (figures["timed_visits"].clone(), figures["seconds"].clone()),
        (json!(1), json!(42))
    );
    assert_eq!(
        figures["hotspots"],
        json!([{"hotspot": "photo-2", "opened": 2}, {"hotspot": "ask", "opened": 1}])
    );
    assert_eq!(figures["days"][0]["views"], 2);
    assert_eq!(
        figures["page_url"],
        json!(format!("https://crm.example.com/l/{org}/{}", public.id))
    );
    // Another organisation's people read nothing of it.
    let eve = s.user(other, "eve@elsewhere.example", Role::Owner, None);
    let (status, _) = s.json("GET", &tour, Some(&s.token(other, eve)), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Branding: an agent may not set it; bad values are named; the admin's shows on the page.
    let brand = json!({"accent": "#0F766E", "disclaimer": "Information deemed reliable but not guaranteed."});
    let (status, _) = s
        .json(
            "PUT",
            "/v2/org/settings/branding",
            Some(&ada_t),
            Some(brand.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = s
        .json(
            "PUT",
            "/v2/org/settings/branding",
            Some(&boss_t),
            Some(json!({"accent": "red"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "accent");
    let (status, body) = s
        .json(
            "PUT",
            "/v2/org/settings/branding",
            Some(&boss_t),
            Some(brand),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = s
        .json("GET", "/v2/org/settings/branding", Some(&ada_t), None)
        .await;
    assert_eq!(read["accent"], "#0f766e");
    let html = String::from_utf8(get(&s, &page).await.2).expect("utf-8");
    assert!(
        html.contains("--accent:#0f766e") && html.contains("deemed reliable"),
        "{html}"
    );

    // Sold: the page goes, and so do its pictures; the figures stay for the agent.
    let doc_id = DocId::new(fieldstone_doc::listing::KIND, public.id).expect("id");
    let (docs, _) = s.pull_all(&ada_t, vec![]).await;
    let mine = docs
        .iter()
        .find(|d| d.doc_id == doc_id)
        .expect("the listing");
    let mut device = Device::from_snapshot(mine.snapshot.as_deref().expect("whole"));
    let mut sold = public.clone();
    sold.status = ListingStatus::Sold;
    fieldstone_doc::listing::update(&mut device.doc, &sold).expect("update");
    let answer = s.push(&ada_t, vec![device.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    assert_eq!(get(&s, &page).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&s, &format!("{page}/photo/{}", front_b.file_name()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, figures) = s.json("GET", &tour, Some(&ada_t), None).await;
    assert_eq!(
        (status, figures["views"].clone()),
        (StatusCode::OK, Value::from(2))
    );
    assert_eq!(figures["page_url"], Value::Null);
}
