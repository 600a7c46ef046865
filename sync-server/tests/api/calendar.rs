//! Each person's calendar feed (issue 17): turned on from a device (a preference), its secret
//! address asked of the server, then fetched like a calendar app does — no session — and read
//! back by a second iCalendar implementation (the `ical` crate): every booking made by or with
//! the person and the open houses at their listings, with stable UIDs, UTC times, the contact's
//! name and the place; a teammate's bookings are not in it (they are not the person's to read). A new link (the next
//! generation) retires the old one; a made-up, altered or turned-off link is 404; another
//! organisation's person gets their own empty feed.

use crate::dispatch::{agent, at, config, Agent};
use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use reqwest::StatusCode;

/// Writes `generation` as the person's `calendar_feed` preference from their device.
async fn set_feed(s: &TestServer, who: &Agent, device: &mut Option<Device>, generation: u32) {
    let now = fieldstone_model::clock::Clock::now(&*s.clock);
    let (doc, _) = fieldstone_doc::prefs::write(
        device.as_ref().map(|d| d.doc.clone()),
        automerge::ActorId::random(),
        now,
        &[("calendar_feed".into(), Some(generation.to_string()))],
    )
    .expect("prefs");
    let mut d = device.take().unwrap_or_else(Device::new);
    d.doc = doc;
    let id = DocId::new(fieldstone_doc::prefs::KIND, who.user).expect("id");
    let answer = s.push(&who.token, vec![d.unsent(&id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    *device = Some(d);
}

/// A booking of `kind` pushed by `who`'s device, with `contacts`, at `starts` for an hour.
async fn push_booking(
    s: &TestServer,
    who: &Agent,
    contacts: Vec<ContactId>,
    users: Vec<UserId>,
    starts: DateTime<Utc>,
    title: Option<&str>,
    status: BookingStatus,
) -> Booking {
    let input = BookingInput {
        kind: BookingKind::Showing,
        title: title.map(str::to_owned),
        starts_at: starts,
        ends_at: starts + Duration::hours(1),
        time_zone: "Europe/London".into(),
        location: Some("12 Elm Street, Springfield".into()),
        attendees: Attendees { contacts, users },
        listing: None,
        status,
        reminders: Vec::new(),
    };
    let booking = Booking::create(
        BookingId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        who.user,
        starts,
    );
    let (doc, _) =
        fieldstone_doc::booking::create(automerge::ActorId::random(), &booking).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let id = DocId::new(fieldstone_doc::booking::KIND, booking.id).expect("id");
    let answer = s.push(&who.token, vec![device.unsent(&id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    booking
}

/// GETs `url` with no session, as a calendar app would.
async fn fetch(url: &str) -> (StatusCode, String, String) {
    let answer = reqwest::get(url).await.expect("get");
    let status = answer.status();
    let kind = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, answer.text().await.expect("body"))
}

/// The feed's events as the `ical` crate reads them: each a map of property name to value.
fn events(ics: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = parser
        .next()
        .expect("one calendar")
        .expect("a valid calendar");
    assert!(parser.next().is_none(), "exactly one calendar");
    let has = |name: &str, value: &str| {
        calendar
            .properties
            .iter()
            .any(|p| p.name == name && p.value.as_deref() == Some(value))
    };
    assert!(has("VERSION", "2.0") && has("METHOD", "PUBLISH"), "{ics}");
    assert!(calendar.properties.iter().any(|p| p.name == "PRODID"));
    calendar
        .events
        .iter()
        .map(|e| {
            e.properties
                .iter()
                .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_calendar_feed_holds_their_bookings_and_open_houses_until_they_make_a_new_link() {
    let s = TestServer::start_with(config("smtp://127.0.0.1:1")).await;
    s.clock.set(at());
    let ada = agent(&s);
    let bo_id = s.user(ada.org, "bo@harbour.test", Role::Agent, None);
    let bo = Agent {
        org: ada.org,
        user: bo_id,
        token: s.token(ada.org, bo_id),
    };
    let lena = new_contact(ada.user, "Lena", "Park");
    push_new_contact(&s, &ada.token, &lena).await;

    // Off until turned on: the address is refused, saying why.
    let (status, body) = s
        .json("GET", "/v2/calendar/feed", Some(&ada.token), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["message"].as_str().unwrap_or_default().contains("off"),
        "{body}"
    );

    let tomorrow = at() + Duration::days(1);
    let showing = push_booking(
        &s,
        &ada,
        vec![lena.id],
        vec![ada.user],
        tomorrow,
        None,
        BookingStatus::Scheduled,
    )
    .await;
    let cancelled = push_booking(
        &s,
        &ada,
        Vec::new(),
        vec![ada.user],
        tomorrow + Duration::hours(3),
        Some("Valuation, Oak Road"),
        BookingStatus::Cancelled,
    )
    .await;
    // Bo's bookings are in Bo's scope: not in Ada's feed, even one naming her, until he shares
    // it (the feed shows what its person reads, nothing more).
    push_booking(
        &s,
        &bo,
        Vec::new(),
        vec![bo.user],
        tomorrow,
        Some("Bo's own"),
        BookingStatus::Scheduled,
    )
    .await;
    let with_ada = push_booking(
        &s,
        &bo,
        Vec::new(),
        vec![bo.user, ada.user],
        tomorrow + Duration::days(1),
        Some("Team viewing"),
        BookingStatus::Scheduled,
    )
    .await;

    // An open house at Ada's listing.
    let open_at = tomorrow + Duration::hours(5);
    let mut listing_input = ListingInput {
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
        visibility: Visibility::Private,
        description: String::new(),
        features: Vec::new(),
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
    };
    listing_input.open_houses = vec![OpenHouse {
        starts_at: open_at,
        ends_at: open_at + Duration::hours(2),
    }];
    let listing = Listing::create(
        ListingId::from_uuid(uuid::Uuid::new_v4()),
        listing_input.validate().expect("valid"),
        ada.user,
        at(),
    );
    let (doc, _) =
        fieldstone_doc::listing::create(automerge::ActorId::random(), &listing).expect("doc");
    let mut listing_device = Device::new();
    listing_device.doc = doc;
    let listing_doc = DocId::new(fieldstone_doc::listing::KIND, listing.id).expect("id");
    let answer = s
        .push(&ada.token, vec![listing_device.unsent(&listing_doc)])
        .await;
    assert_eq!(answer.accepted, 1, "{answer:?}");

    let mut device = None;
    set_feed(&s, &ada, &mut device, 1).await;
    let (status, link) = s
        .json("GET", "/v2/calendar/feed", Some(&ada.token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let url = link["url"].as_str().expect("url").to_owned();
    assert!(url.ends_with(".ics") && url.contains("/cal/"), "{url}");
    // The address is on the server's public URL; fetch it on the test server's own.
    let local = format!(
        "{}/cal/{}",
        s.url,
        url.rsplit("/cal/").next().expect("token")
    );

    let (status, kind, ics) = fetch(&local).await;
    assert_eq!(status, StatusCode::OK, "{ics}");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(ics.contains("\r\n"), "lines end in CRLF");
    let found = events(&ics);
    assert_eq!(found.len(), 3, "{ics}");
    let by_uid = |id: String| {
        found
            .iter()
            .find(|e| e.get("UID") == Some(&id))
            .unwrap_or_else(|| panic!("no event {id} in {ics}"))
    };
    let first = by_uid(format!("booking-{}@fieldstone", showing.id));
    assert_eq!(first["SUMMARY"], "Showing with Lena Park");
    assert_eq!(
        first["DTSTART"],
        tomorrow.format("%Y%m%dT%H%M%SZ").to_string()
    );
    assert_eq!(
        first["DTEND"],
        (tomorrow + Duration::hours(1))
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    );
    assert_eq!(first["STATUS"], "CONFIRMED");
    assert!(first["LOCATION"].starts_with("12 Elm Street"), "{first:?}");
    assert_eq!(
        by_uid(format!("booking-{}@fieldstone", cancelled.id))["STATUS"],
        "CANCELLED"
    );
    assert!(!ics.contains("Bo's own") && !ics.contains(&with_ada.id.to_string()));
    let open = by_uid(format!(
        "open-house-{}-{}@fieldstone",
        listing.id,
        open_at.timestamp()
    ));
    assert_eq!(open["SUMMARY"], "Open house: 4 Canonbury Square");
    assert!(open["LOCATION"].contains("N1 2AN"), "{open:?}");

    // A new link: the old address is gone, the new one works.
    set_feed(&s, &ada, &mut device, 2).await;
    let (status, _, _) = fetch(&local).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old link stops working");
    let (_, link) = s
        .json("GET", "/v2/calendar/feed", Some(&ada.token), None)
        .await;
    let token = link["url"]
        .as_str()
        .expect("url")
        .rsplit("/cal/")
        .next()
        .expect("token")
        .to_owned();
    let (status, _, _) = fetch(&format!("{}/cal/{token}", s.url)).await;
    assert_eq!(status, StatusCode::OK);
    // An altered token, a made-up one and Bo's own (never turned on) are all 404.
    let mut altered = token.clone();
    altered.replace_range(3..4, if &token[3..4] == "A" { "B" } else { "A" });
    for bad in [altered.as_str(), "nonsense.ics", "AAAA.BBBB.ics"] {
        let (status, _, _) = fetch(&format!("{}/cal/{bad}", s.url)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Turned off: 404 too.
    set_feed(&s, &ada, &mut device, 0).await;
    let (status, _, _) = fetch(&format!("{}/cal/{token}", s.url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Someone in another organisation gets a feed of their own, holding none of Ada's.
    let other = s.org("Elsewhere");
    let eve_id = s.user(other, "eve@elsewhere.test", Role::Agent, None);
    let eve = Agent {
        org: other,
        user: eve_id,
        token: s.token(other, eve_id),
    };
    let mut eve_device = None;
    set_feed(&s, &eve, &mut eve_device, 1).await;
    let (_, link) = s
        .json("GET", "/v2/calendar/feed", Some(&eve.token), None)
        .await;
    let eve_token = link["url"]
        .as_str()
        .expect("url")
        .rsplit("/cal/")
        .next()
        .expect("token")
        .to_owned();
    let (status, _, ics) = fetch(&format!("{}/cal/{eve_token}", s.url)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(events(&ics).is_empty(), "{ics}");
}
