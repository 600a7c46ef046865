//! The pure part of launching a campaign to 10,000 recipients (issue 16's launch target is
//! ≤ 5 s on the server, expansion and queueing together): the audience rule over every contact,
//! the variation split, and the personalised subject and body for each recipient. Queueing the
//! messages is the server's and is not measured here.
//!
//! `cargo bench -p fieldstone-model --bench campaign_expand` runs criterion over whole passes,
//! then prints the p50 and max of ten more passes. `FIELDSTONE_BENCH_CONTACTS=n` for another
//! size. One thread.

use criterion::Criterion;
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::personalise::{render, Variables};
use fieldstone_model::campaign::split::{assign, Assignment};
use fieldstone_model::campaign::Split;
use fieldstone_model::{Contact, ContactId, ContactInput, LeadSource, Stage, UserId};
use std::hint::black_box;
use std::time::{Duration, Instant};

const TARGET: Duration = Duration::from_secs(5);
const SUBJECT: &str =
    "{{ first_name | default('Hello') }}, three homes in {{ area | default('your area') }}";
const BODY: &str = "Hi {{ first_name | default('there') }},\n\nSpring brought new homes to \
{{ area | default('the places you asked about') }}.{% if property %} {{ property }} is one of \
them.{% endif %}\n\nShall I book you a viewing?\n\n{{ agent_name }}\n{{ agent_phone }}";

fn contacts(n: usize) -> Vec<Contact> {
    let at = chrono::DateTime::from_timestamp(1_773_144_000, 0).expect("time");
    let stages = [Stage::Lead, Stage::Qualified, Stage::Showing, Stage::Closed];
    let sources = [
        LeadSource::Zillow,
        LeadSource::WebForm,
        LeadSource::Referral,
    ];
    (0..n)
        .map(|i| {
            let input = ContactInput {
                given_name: if i % 10 == 0 {
                    String::new()
                } else {
                    format!("Ada{i}")
                },
                family_name: format!("Diaz{i}"),
                stage: stages[i % stages.len()],
                source: sources[i % sources.len()],
                tags: if i % 3 == 0 {
                    vec!["buyer".into()]
                } else {
                    Vec::new()
                },
                ..ContactInput::default()
            };
            Contact::create(
                ContactId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1)),
                input.validate().expect("valid"),
                UserId::from_uuid(uuid::Uuid::from_u128(1)),
                at,
            )
        })
        .collect()
}

/// Recipients reached and the bytes personalised (so nothing is optimised away).
fn expand(contacts: &[Contact], audience: &Audience, split: &Split) -> (usize, usize) {
    let campaign = uuid::Uuid::from_u128(77);
    let (mut reached, mut bytes) = (0, 0);
    for c in contacts.iter().filter(|c| audience.includes(c, Some(60))) {
        let Assignment::Variation(_) = assign(campaign, *c.id.as_uuid(), split, &[50, 50]) else {
            continue;
        };
        let vars = Variables {
            first_name: Some(c.given_name.clone()),
            last_name: Some(c.family_name.clone()),
            area: Some("Islington".into()),
            property: (reached % 2 == 0).then(|| "12 Elm Road".into()),
            agent_name: Some("Bea Broker".into()),
            agent_phone: Some("+44 20 7946 0000".into()),
            ..Variables::default()
        };
        bytes += render(SUBJECT, &vars).expect("subject").len();
        bytes += render(BODY, &vars).expect("body").len();
        reached += 1;
    }
    (reached, bytes)
}

fn main() {
    let n: usize = std::env::var("FIELDSTONE_BENCH_CONTACTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let contacts = contacts(n);
    // Everyone but the closed: three quarters of the contacts, a 10% control group held back.
    let audience = Audience {
        stages: vec![Stage::Lead, Stage::Qualified, Stage::Showing],
        ..Audience::default()
    };
    let split = Split {
        control_percent: 10,
        ..Split::default()
    };
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    c.bench_function(&format!("campaign_expand_{n}_contacts"), |b| {
        b.iter(|| expand(black_box(&contacts), &audience, &split))
    });
    c.final_summary();
    let (reached, _) = expand(&contacts, &audience, &split);
    let mut passes: Vec<Duration> = (0..10)
        .map(|_| {
            let start = Instant::now();
            black_box(expand(&contacts, &audience, &split));
            start.elapsed()
        })
        .collect();
    passes.sort();
    let (p50, max) = (passes[passes.len() / 2], passes[passes.len() - 1]);
    println!(
        "expand a campaign over {n} contacts ({reached} recipients personalised, 1 thread): \
         p50 {:.1} ms, max {:.1} ms over {} passes; the launch target ≤ {} s also holds the \
         server's queueing, not measured here (this part: {})",
        p50.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        passes.len(),
        TARGET.as_secs(),
        if max <= TARGET {
            "within it"
        } else {
            "already over it"
        }
    );
}
