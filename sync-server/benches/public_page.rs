//! A public listing page served (issue 17, target p99 ≤ 50 ms): a real server on a loopback
//! port (SQLite store in a temp dir) holding Harbour with `LISTINGS` listings, one of them
//! public with 24 photos, a floor plan, a 360° picture, a 3D tour link and open houses, and the
//! organisation's branding. A sample is one `GET /l/{org}/{listing}`, from sending to the last
//! byte of the page, one at a time (`SAMPLES`); then the same for the 24 thumbnails the page
//! names, and for the beacon. Prints p50, p90, p99 and the worst of each.
//!
//! A timed run rather than criterion (a real server answering HTTP). Run with
//! `cargo bench -p fieldstone-server --bench public_page` (`SAMPLES`, `LISTINGS`).

mod common;

use automerge::ActorId;
use common::{env, ms, percentile, write, Harbour, Serving};
use fieldstone_model::blob::BlobType;
use fieldstone_model::branding::Branding;
use fieldstone_model::*;
use fieldstone_protocol::DocId;
use fieldstone_server::config::Config;
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label}: {} samples, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
        samples.len(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.9)),
        ms(percentile(&samples, 0.99)),
        ms(samples[samples.len() - 1]),
    );
}

fn listing(
    i: usize,
    owner: UserId,
    at: chrono::DateTime<chrono::Utc>,
    media: Vec<Media>,
) -> Listing {
    let input = ListingInput {
        address: Address {
            line1: format!("{} Canonbury Square", i + 1),
            line2: None,
            city: "London".into(),
            region: None,
            postal_code: Some("N1 2AN".into()),
            country: "GB".into(),
            latitude: Some(51.5448),
            longitude: Some(-0.0955),
        },
        price: 455_000 + i as u64,
        currency: "GBP".into(),
        beds: Some(3),
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: if media.is_empty() {
            Visibility::Private
        } else {
            Visibility::Public
        },
        description: "Bright rooms over two floors.\n\nA south-facing garden with a shed.".into(),
        features: vec!["garden".into(), "fireplace".into(), "parking".into()],
        media,
        open_houses: (1..4)
            .map(|d| OpenHouse {
                starts_at: at + chrono::Duration::days(d),
                ends_at: at + chrono::Duration::days(d) + chrono::Duration::hours(2),
            })
            .collect(),
        mls_number: Some(format!("N{i:06}")),
    };
    Listing::create(
        ListingId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        at,
    )
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let samples = env("SAMPLES", 1_000).max(1);
    let listings = env("LISTINGS", 1_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let at = chrono::Utc::now();
    let h = Harbour::open(&dir.path().join("data"), at);
    let mut config = Config::default();
    config.blobs.dir = Some(dir.path().join("blobs"));
    config.limits.links_per_ip_per_minute = 1_000_000;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let state = runtime
        .block_on(async { AppState::new(h.store.clone(), config, clock) })
        .expect("state");

    // The pictures, kept as the server keeps uploads (thumbnails made once).
    let mut media = Vec::new();
    let mut thumbs = Vec::new();
    for seed in 0..24u8 {
        let bytes = fieldstone_media::sample_picture(1600, 1067, BlobType::Jpeg, seed);
        let blob = state.blobs.keep(h.org, &bytes).expect("kept");
        thumbs.push(blob.file_name());
        media.push(Media {
            kind: MediaKind::Photo,
            uri: blob.uri(),
            caption: None,
        });
    }
    for (kind, seed) in [(MediaKind::Floorplan, 100u8), (MediaKind::Media360, 101)] {
        let bytes = fieldstone_media::sample_picture(2400, 1200, BlobType::Jpeg, seed);
        let blob = state.blobs.keep(h.org, &bytes).expect("kept");
        media.push(Media {
            kind,
            uri: blob.uri(),
            caption: None,
        });
    }
    media.push(Media {
        kind: MediaKind::ExternalTour,
        uri: "https://my.matterport.com/show/?m=SxQL3iGyoDo".into(),
        caption: None,
    });
    let public = listing(0, h.owner, at, media);
    let mut writes = Vec::new();
    for i in 0..listings {
        let l = if i == 0 {
            public.clone()
        } else {
            listing(i, h.owner, at, Vec::new())
        };
        let (mut doc, _) = fieldstone_doc::listing::create(ActorId::random(), &l).expect("doc");
        let doc_id = DocId::new(fieldstone_doc::listing::KIND, l.id).expect("id");
        writes.push(write(doc_id, &mut doc, h.owner, false));
        if writes.len() == 500 {
            h.store
                .commit(h.org, std::mem::take(&mut writes), at)
                .expect("listings");
        }
    }
    if !writes.is_empty() {
        h.store.commit(h.org, writes, at).expect("listings");
    }
    let branding = Branding {
        accent: Some("#0f766e".into()),
        tagline: Some("Homes in North London".into()),
        disclaimer: Some("Information deemed reliable but not guaranteed.".into()),
    }
    .validate()
    .expect("valid");
    fieldstone_server::org_settings::set_branding(&state, h.org, h.owner, &branding)
        .expect("branding");

    let org = h.org;
    runtime.block_on(async move {
        let serving = Serving::start(state).await;
        let http = reqwest::Client::new();
        let page = format!("{}/l/{org}/{}", serving.base, public.id);
        let get = |url: String| {
            let http = http.clone();
            async move {
                let started = Instant::now();
                let answer = http.get(&url).send().await.expect("get");
                assert!(answer.status().is_success(), "{url}: {}", answer.status());
                let body = answer.bytes().await.expect("body");
                (started.elapsed(), body.len())
            }
        };
        // Warm: the first request opens the connection and loads the document.
        let (_, size) = get(page.clone()).await;
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            times.push(get(page.clone()).await.0);
        }
        println!("page: {size} bytes of HTML");
        report("GET /l/{org}/{listing}", times);
        let mut times = Vec::with_capacity(samples);
        for i in 0..samples {
            let name = &thumbs[i % thumbs.len()];
            times.push(get(format!("{page}/thumb/{name}")).await.0);
        }
        report("GET …/thumb/{name}", times);
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let started = Instant::now();
            let answer = http
                .post(format!("{page}/beacon"))
                .header("content-type", "application/json")
                .body(r#"{"kind":"view"}"#)
                .send()
                .await
                .expect("beacon");
            assert_eq!(answer.status(), reqwest::StatusCode::NO_CONTENT);
            times.push(started.elapsed());
        }
        report("POST …/beacon", times);
        serving.stop().await;
    });
}
