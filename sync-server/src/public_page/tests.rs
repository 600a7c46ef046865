use super::*;
use chrono::TimeZone;
use fieldstone_model::blob::BlobType;
use fieldstone_model::{
    Address, ListingId, ListingInput, ListingStatus, Media, OpenHouse, PropertyType, UserId,
    Visibility,
};

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, h, 0, 0)
        .single()
        .expect("time")
}

fn blob(seed: u8) -> BlobRef {
    fieldstone_media::identify(&fieldstone_media::sample_picture(8, 8, BlobType::Png, seed))
        .expect("png")
}

fn listing(media: Vec<Media>) -> Listing {
    let input = ListingInput {
        address: Address {
            line1: "4 <b>Canonbury</b> Square".into(),
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
        visibility: Visibility::Public,
        description: "Light rooms.\n\n<script>alert(1)</script>".into(),
        features: vec!["garden".into()],
        media,
        open_houses: vec![
            OpenHouse {
                starts_at: at(1),
                ends_at: at(2),
            },
            OpenHouse {
                starts_at: at(14),
                ends_at: at(16),
            },
        ],
        mls_number: None,
    };
    Listing::create(
        ListingId::from_uuid(uuid::Uuid::from_u128(7)),
        input.validate().expect("valid"),
        UserId::from_uuid(uuid::Uuid::from_u128(8)),
        at(0),
    )
}

fn media(kind: MediaKind, uri: String) -> Media {
    Media {
        kind,
        uri,
        caption: None,
    }
}

fn page(listing: &Listing, branding: &Branding) -> Rendered {
    render(&PageInput {
        org: OrgId::from_uuid(uuid::Uuid::from_u128(9)),
        org_name: "Canonbury & Co",
        branding,
        listing,
        zone: "Europe/London".parse().expect("zone"),
        now: at(10),
    })
}

#[test]
fn the_page_shows_the_listing_escaped_with_its_media_tour_and_open_houses() {
    let (a, b, plan, pano) = (blob(1), blob(2), blob(3), blob(4));
    let home = listing(vec![
        media(MediaKind::Photo, a.uri()),
        media(MediaKind::Photo, b.uri()),
        media(MediaKind::Floorplan, plan.uri()),
        media(MediaKind::Media360, pano.uri()),
        media(
            MediaKind::ExternalTour,
            "https://my.matterport.com/show/?m=abc".into(),
        ),
    ]);
    let branding = Branding {
        accent: Some("#0f766e".into()),
        tagline: None,
        disclaimer: Some("Deemed reliable, not guaranteed.".into()),
    };
    let Rendered { html, csp } = page(&home, &branding);
    let base = format!(
        "/l/{}/{}",
        OrgId::from_uuid(uuid::Uuid::from_u128(9)),
        home.id
    );
    assert!(
        html.contains("4 &lt;b&gt;Canonbury&lt;/b&gt; Square"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("Canonbury &amp; Co"));
    assert!(html.contains("£455,000"));
    assert!(html.contains("3 beds"));
    assert!(html.contains(&format!("{base}/photo/{}", a.file_name())));
    assert!(html.contains(&format!("{base}/thumb/{}", b.file_name())));
    assert!(html.contains("data-hotspot=\"photo-2\""));
    assert!(html.contains("data-hotspot=\"floorplan-1\""));
    assert!(html.contains("data-hotspot=\"pano\""));
    assert!(html.contains("src=\"https://my.matterport.com/show/?m=abc\""));
    assert!(html.contains(&format!(
        "href=\"/forms/{}?listing={}\"",
        OrgId::from_uuid(uuid::Uuid::from_u128(9)),
        home.id
    )));
    assert!(html.contains("openstreetmap.org/search?query=4%20%3Cb%3ECanonbury"));
    assert!(html.contains("Deemed reliable, not guaranteed."));
    // The past open house is gone; the coming one reads in London time.
    assert!(html.contains("Sat 5 Dec 2026, 14:00–16:00"), "{html}");
    assert!(!html.contains("01:00–02:00"));
    assert!(html.contains("Times in Europe/London"));
    // The CSP lets this page's own style and script run, and nothing else.
    let style = format!(":root{{--accent:#0f766e}}{STYLE}");
    assert!(csp.contains(&format!("style-src 'sha256-{}'", sha256_b64(&style))));
    assert!(csp.contains(&format!("script-src 'sha256-{}'", sha256_b64(SCRIPT))));
    assert!(csp.contains("frame-src https://my.matterport.com https://app.cloudpano.com;"));
    assert!(html.contains(&format!("<style>{style}</style>")));
    assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
}

#[test]
fn tours_from_other_sites_are_links_never_frames_and_old_paths_are_not_shown() {
    let mut home = listing(vec![
        media(
            MediaKind::Photo,
            "photos/0d6f4c1e-2a6b-4f0e-9a51-0c3c2f6b9e10.jpg".into(),
        ),
        media(MediaKind::ExternalTour, "https://evil.example/tour".into()),
    ]);
    // As a document pushed by a device that skipped the editor's checks may hold.
    home.media.extend([
        media(MediaKind::ExternalTour, "javascript:alert(1)".into()),
        media(MediaKind::ExternalTour, "http://plain.example/tour".into()),
    ]);
    let Rendered { html, .. } = page(&home, &Branding::default());
    assert!(!html.contains("<iframe"));
    assert!(html.contains("href=\"https://evil.example/tour\""));
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("http://plain.example"), "{html}");
    assert!(
        !html.contains("photos/0d6f"),
        "a path on one device means nothing here"
    );
    assert!(!html.contains("class=\"hero\""));
    assert!(html.contains(&format!(
        ":root{{--accent:{}}}",
        fieldstone_model::branding::DEFAULT_ACCENT
    )));
}

#[test]
fn only_the_pages_own_hotspots_are_counted() {
    for ok in [
        "photo-1",
        "photo-100",
        "floorplan-2",
        "tour",
        "pano",
        "ask",
        "map",
    ] {
        assert!(known_hotspot(ok), "{ok}");
    }
    for bad in [
        "photo-",
        "photo-0",
        "photo-01",
        "photo-1000",
        "photo-x",
        "Tour",
        "<b>",
        "",
    ] {
        assert!(!known_hotspot(bad), "{bad}");
    }
}
