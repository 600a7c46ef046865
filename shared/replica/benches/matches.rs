//! Property match on the device (issue 17): a buyer's top 10 over 10,000 listings (target
//! ≤ 20 ms) and the buyers one new listing fits among 100,000 contacts who all have a wish list
//! (target ≤ 200 ms), both through the engine's calls the screens use.
//!
//! `cargo bench -p fieldstone-replica --bench matches` (release). `LISTINGS=n BUYERS=n` for
//! other sizes. Builds its database in a temp dir first (about a minute); prints percentiles;
//! nothing is asserted.

use chrono::{DateTime, Utc};
use fieldstone_model::{
    Address, ContactId, ContactInput, FixedClock, ListingId, ListingInput, ListingStatus,
    Preferences, PropertyType, Stage, UserId, Visibility,
};
use fieldstone_replica::Replica;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CITIES: &[&str] = &[
    "Islington",
    "Hackney",
    "Camden",
    "Brixton",
    "Chelsea",
    "Fulham",
    "Clapham",
    "Putney",
    "Richmond",
    "Ealing",
    "Greenwich",
    "Stratford",
    "Wimbledon",
    "Barnet",
    "Croydon",
    "Harrow",
    "Kingston",
    "Bromley",
    "Enfield",
    "Hounslow",
];
const TYPES: &[PropertyType] = &[
    PropertyType::House,
    PropertyType::Condo,
    PropertyType::Townhouse,
    PropertyType::MultiFamily,
];
const FEATURES: &[&str] = &[
    "garden",
    "parking",
    "garage",
    "balcony",
    "roof terrace",
    "fireplace",
    "pool",
    "gym",
    "lift",
    "cellar",
    "home office",
    "solar panels",
];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).expect("time")
}

fn user() -> UserId {
    "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("user")
}

fn listing(i: usize, rng: &mut StdRng) -> ListingInput {
    let city = CITIES[rng.random_range(0..CITIES.len())];
    let features: Vec<String> = (0..rng.random_range(1..5))
        .map(|_| FEATURES[rng.random_range(0..FEATURES.len())].to_owned())
        .collect();
    ListingInput {
        address: Address {
            line1: format!("{} {} Road", i % 300 + 1, CITIES[i % CITIES.len()]),
            line2: None,
            city: city.into(),
            region: Some("Greater London".into()),
            postal_code: Some(format!("N{} {}AB", rng.random_range(1..20), i % 10)),
            country: "GB".into(),
            latitude: None,
            longitude: None,
        },
        price: rng.random_range(15..150) * 10_000,
        currency: "GBP".into(),
        beds: Some(rng.random_range(1..7)),
        baths: Some(fieldstone_model::Baths::from_halves(rng.random_range(2..7))),
        living_area: None,
        lot_area: None,
        property_type: TYPES[rng.random_range(0..TYPES.len())],
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        description: format!(
            "A bright {} in {city}, close to shops, schools and the station. Recently \
             renovated kitchen and bathrooms, original features throughout, and a quiet \
             street. With {}.",
            ["home", "flat", "family house", "maisonette"][i % 4],
            features.join(", ")
        ),
        features,
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
    }
}

fn buyer(i: usize, rng: &mut StdRng) -> ContactInput {
    let top = rng.random_range(20..130) * 10_000;
    let prefs = Preferences {
        budget_min: Some(top * 7 / 10),
        budget_max: Some(top),
        areas: (0..rng.random_range(1..4))
            .map(|_| CITIES[rng.random_range(0..CITIES.len())].to_owned())
            .collect(),
        property_types: (0..rng.random_range(0..3))
            .map(|_| TYPES[rng.random_range(0..TYPES.len())])
            .collect(),
        bedrooms_min: Some(rng.random_range(1..5)),
        bathrooms_min: None,
        move_in: None,
        must_haves: (0..rng.random_range(0..3))
            .map(|_| FEATURES[rng.random_range(0..FEATURES.len())].to_owned())
            .collect(),
    };
    ContactInput {
        given_name: format!("Buyer{i}"),
        family_name: "Test".into(),
        stage: Stage::Qualified,
        preferences: prefs,
        ..Default::default()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(label: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let at = |p: f64| {
        values[((p / 100.0 * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1]
    };
    println!(
        "{label}: n={} p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        values.len(),
        at(50.0),
        at(95.0),
        values[values.len() - 1]
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (n_listings, n_buyers) = (env("LISTINGS", 10_000), env("BUYERS", 100_000));
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(FixedClock::new(t0()));
    let r = Replica::open(&dir.path().join("m.db"), clock).expect("open");
    let mut rng = StdRng::seed_from_u64(17);
    let start = Instant::now();
    let mut listings: Vec<ListingId> = Vec::new();
    for chunk in (0..n_listings).collect::<Vec<_>>().chunks(1_000) {
        r.batch(|b| {
            for &i in chunk {
                listings.push(b.create_listing(&listing(i, &mut rng), user())?.id);
            }
            Ok(())
        })
        .expect("listings");
    }
    let mut buyers: Vec<ContactId> = Vec::new();
    for chunk in (0..n_buyers).collect::<Vec<_>>().chunks(1_000) {
        r.batch(|b| {
            for &i in chunk {
                buyers.push(b.create_contact(&buyer(i, &mut rng), user())?.id);
            }
            Ok(())
        })
        .expect("buyers");
    }
    println!(
        "built {n_listings} listings and {n_buyers} buyers in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    // Warm the page cache the way a screen that was just opened would have.
    r.listing_matches(&buyers[0]).expect("warm");
    let mut found = 0;
    let times: Vec<f64> = (0..100)
        .map(|k| {
            let who = buyers[(k * 7919) % buyers.len()];
            let start = Instant::now();
            let got = r.listing_matches(&who).expect("matches");
            let took = ms(start.elapsed());
            found += got.listings.len();
            took
        })
        .collect();
    report(
        &format!("top 10 listings for one buyer over {n_listings} listings ({found} shown in all)"),
        times,
    );

    r.listing_buyers(&listings[0]).expect("warm");
    let mut named = 0;
    let times: Vec<f64> = (0..30)
        .map(|k| {
            let which = listings[(k * 331) % listings.len()];
            let start = Instant::now();
            let got = r.listing_buyers(&which).expect("buyers");
            let took = ms(start.elapsed());
            named += got.len();
            took
        })
        .collect();
    report(
        &format!("buyers one listing fits among {n_buyers} contacts ({named} named in all)"),
        times,
    );

    let times: Vec<f64> = (0..10)
        .map(|_| {
            let start = Instant::now();
            r.match_suggestions().expect("suggestions");
            ms(start.elapsed())
        })
        .collect();
    report(
        &format!("Today's suggestions ({n_listings} listings new this week, {n_buyers} buyers)"),
        times,
    );
}
