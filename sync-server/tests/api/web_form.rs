//! The hosted lead form on a real server: the page (strict CSP, the consent sentence, a public
//! listing named and a private one not), a post that becomes a lead the organisation's devices
//! pull with the exact consent text on its interaction, the same person again enriching that
//! contact, a filled honeypot thanked and dropped, bad fields re-shown with their messages and
//! nothing stored, an oversized post, the per-address rate, and another organisation's id.

use crate::dispatch::at;
use crate::intake::{office, pulled, Office};
use crate::support::*;
use fieldstone_model::*;
use fieldstone_protocol::DocId;
use fieldstone_server::config::{Config, Secret};
use reqwest::StatusCode;

fn config() -> Config {
    Config {
        secret_key: Some(Secret::new(
            "d2ViIGZvcm0gc3Rvcmllcycgc2VjcmV0IGtleSwgdGhpcnR5LXR3byBieXRlcyE=",
        )),
        ..Config::default()
    }
}

fn tight() -> Config {
    let mut config = config();
    config.intake.leads_per_ip_per_minute = 4;
    config.limits.links_per_ip_per_minute = 3;
    config
}

crate::support::on_both_stores! {
    a_form_post_is_a_lead_with_the_consent_sentence_it_showed(config());
    bad_posts_store_nothing_and_say_what_to_fix(tight());
}

async fn get(s: &TestServer, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let answer = s
        .http
        .get(format!("{}{path}", s.url))
        .send()
        .await
        .expect("get");
    let (status, headers) = (answer.status(), answer.headers().clone());
    (status, headers, answer.text().await.expect("text"))
}

async fn post(s: &TestServer, org: OrgId, form: &[(&str, &str)]) -> (StatusCode, String) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let answer = s
        .http
        .post(format!("{}/forms/{org}", s.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    (answer.status(), answer.text().await.expect("text"))
}

fn maya<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("given_name", "Maya"),
        ("family_name", "Chen"),
        ("email", "maya@example.com"),
        ("message", "Is the garden south-facing?"),
        ("consent", "yes"),
        ("website", ""),
    ]
}

/// A listing of `office`'s, stored as its owner's device would push it.
async fn push_listing(s: &TestServer, office: &Office, line1: &str, visibility: &str) -> ListingId {
    let input = ListingInput {
        address: Address {
            line1: line1.into(),
            city: "Springfield".into(),
            country: "US".into(),
            ..Default::default()
        },
        price: 450_000,
        currency: "USD".into(),
        visibility: visibility.parse().expect("visibility"),
        beds: None,
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: Default::default(),
        description: String::new(),
        features: Vec::new(),
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
    };
    let id = ListingId::from_uuid(uuid::Uuid::new_v4());
    let listing = Listing::create(id, input.validate().expect("valid"), office.owner, at());
    let owner = s.token(office.org, office.owner);
    let (doc, _) =
        fieldstone_doc::listing::create(automerge::ActorId::random(), &listing).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let doc_id = DocId::new(fieldstone_doc::listing::KIND, id).expect("id");
    let answer = s.push(&owner, vec![device.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    id
}

async fn a_form_post_is_a_lead_with_the_consent_sentence_it_showed(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let (status, headers, page) = get(&s, &format!("/forms/{}", harbour.org)).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(page.contains("Contact Harbour"), "{page}");
    let sentence = "Yes, Harbour may contact me by email, text and phone about homes.";
    assert!(page.contains(sentence));
    assert!(page.contains("name=\"website\""), "the honeypot is there");

    // A public listing is named; a private one is not, on a page anyone can open.
    let open = push_listing(&s, &harbour, "12 Elm Street", "public").await;
    let hidden = push_listing(&s, &harbour, "9 Secret Lane", "private").await;
    let (_, _, page) = get(&s, &format!("/forms/{}?listing={open}", harbour.org)).await;
    assert!(page.contains("Ask about 12 Elm Street"), "{page}");
    let (_, _, page) = get(&s, &format!("/forms/{}?listing={hidden}", harbour.org)).await;
    assert!(!page.contains("Secret Lane"), "{page}");

    let mut form = maya();
    let listing = open.to_string();
    form.push(("listing", &listing));
    let (status, page) = post(&s, harbour.org, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Thank you"));

    let (contacts, interactions) = pulled(&s, &harbour.admin).await;
    let lead = contacts
        .iter()
        .find(|c| c.given_name == "Maya")
        .expect("the lead reached the admin's device");
    assert_eq!(lead.source, LeadSource::WebForm);
    assert_eq!(
        lead.source_detail.as_deref(),
        Some("12 Elm Street, Springfield, US")
    );
    assert_eq!(lead.consent.email.status, ConsentStatus::Granted);
    let visit = interactions
        .iter()
        .find(|i| i.contact == lead.id)
        .expect("the lead's interaction");
    assert!(
        visit.summary.contains("Is the garden south-facing?"),
        "{}",
        visit.summary
    );
    assert!(
        visit
            .summary
            .contains(&format!("Consent shown (ticked): \"{sentence}")),
        "{}",
        visit.summary
    );

    // The same person again, by email in capitals: the same contact, a second interaction.
    let again = [
        ("given_name", "Maya"),
        ("email", "MAYA@example.com"),
        ("message", "Also: parking?"),
    ];
    assert_eq!(post(&s, harbour.org, &again).await.0, StatusCode::OK);
    let (contacts, interactions) = pulled(&s, &harbour.admin).await;
    assert_eq!(
        contacts.iter().filter(|c| c.given_name == "Maya").count(),
        1
    );
    assert_eq!(
        interactions.iter().filter(|i| i.contact == lead.id).count(),
        2
    );

    // The snippet is the same form, posting to this server, shown as text.
    let (status, headers, snippet) = get(&s, &format!("/forms/{}/snippet", harbour.org)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/plain"));
    assert!(snippet.contains("<form method=\"post\""), "{snippet}");
    assert!(!snippet.contains("<script"), "{snippet}");
}

async fn bad_posts_store_nothing_and_say_what_to_fix(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let other = office(&s, "Quay");

    // A bot fills the honeypot: thanked, nothing stored.
    let mut bot = maya();
    bot.retain(|(k, _)| *k != "website");
    bot.push(("website", "http://spam.example"));
    let (status, page) = post(&s, harbour.org, &bot).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thank you"));

    // Fields that cannot be a lead: the form again, with the typed values and the messages.
    let (status, page) = post(
        &s,
        harbour.org,
        &[
            ("given_name", "Dan <b>"),
            ("email", "dan@"),
            ("website", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("id=\"email-error\""), "{page}");
    assert!(
        page.contains("value=\"Dan &lt;b&gt;\""),
        "typed text is kept, escaped: {page}"
    );
    assert!(!page.contains("<b>"), "{page}");
    let (status, page) = post(&s, harbour.org, &[("message", "hello")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Enter your name."));
    assert!(page.contains("Enter an email address or a phone number."));

    // Too large, and over the address's rate.
    let huge = "x".repeat(40 * 1024);
    let (status, _) = post(&s, harbour.org, &[("message", &huge)]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = post(&s, harbour.org, &maya()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the fifth post a minute"
    );

    let (contacts, _) = pulled(&s, &harbour.admin).await;
    assert!(contacts.is_empty(), "nothing was stored: {contacts:?}");

    // An organisation that does not exist, or another's page, is only what its id says.
    let (status, _, _) = get(&s, &format!("/forms/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, page) = get(&s, &format!("/forms/{}", other.org)).await;
    assert!(page.contains("Contact Quay") && !page.contains("Harbour"));

    // Viewing the page is rate-limited per address too (each view reads the organisation).
    let (status, _, _) = get(&s, &format!("/forms/{}/snippet", harbour.org)).await;
    assert_eq!(status, StatusCode::OK, "the third view a minute");
    let (status, headers, _) = get(&s, &format!("/forms/{}", harbour.org)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the fourth");
    assert!(headers.contains_key("retry-after"));
}
