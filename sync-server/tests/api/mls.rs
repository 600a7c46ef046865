//! MLS import (issue 17) against the loopback RESO double with the clock passed in: an admin
//! connects the organisation's MLS (OAuth2 client credentials), the job runner replicates a
//! few thousand properties into listings every member's device pulls — mapped, owned by the
//! member the roster names, the unmappable refused with reasons — asking only for fields the
//! server's `$metadata` has; a later run that fails on a page starts again from its mark, then
//! fetches only what changed and withdraws what left the feed; another organisation sees none
//! of it.

use crate::campaigns::advance;
use crate::dispatch::{agent, at, config};
use crate::reso::{fixture, stamp, Reso, CLIENT_ID, CLIENT_SECRET};
use crate::support::*;
use chrono::Duration;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PROPERTIES: usize = 3_000;

fn settings(base: &str) -> Value {
    json!({
        "base_url": base,
        "originating_system": "Test MLS",
        "token_url": Reso::token_url(base),
        "client_id": CLIENT_ID,
        "page_size": 1000,
    })
}

/// Polls the organisation's MLS status until `done` holds for it (real time: the job runner
/// looks every second).
async fn until_status(
    s: &TestServer,
    admin: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        let (status, body) = s.json("GET", "/v2/org/mls", Some(admin), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if done(&body) {
            return body;
        }
        last = body;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the MLS import never got to: {what}; last seen {last}");
}

/// The listing stored for MLS key `key`.
fn listing(s: &TestServer, org: OrgId, key: &str) -> Listing {
    let id = fieldstone_server::mls::listing_id("Test MLS", key);
    let doc_id = DocId::new(fieldstone_doc::listing::KIND, id).expect("id");
    let stored = s
        .with_store(|st| st.load_doc(org, &doc_id).expect("read"))
        .expect("stored");
    let doc = fieldstone_doc::load(&stored.bytes).expect("doc");
    fieldstone_doc::listing::read(&doc).expect("listing")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mls_feed_becomes_the_organisations_listings_and_later_runs_fetch_only_changes() {
    let properties = fixture(PROPERTIES);
    let members = vec![
        json!({"MemberKey": "M1", "MemberEmail": "Ada@Harbour.test"}),
        json!({"MemberKey": "M9", "MemberEmail": "someone@elsewhere.test"}),
    ];
    let (reso, base) = Reso::start(properties.clone(), members).await;
    let s = TestServer::start_with(config("smtp://127.0.0.1:1")).await;
    s.clock.set(at());
    let ada = agent(&s);
    let admin_id = s.user(ada.org, "owner@harbour.test", Role::Admin, None);
    let admin = s.token(ada.org, admin_id);
    let path = "/v2/org/providers/mls";

    // Only admins connect it; bad settings are refused with every problem named.
    let body = json!({"settings": settings(&base), "secret": CLIENT_SECRET});
    let (status, _) = s
        .json("PUT", path, Some(&ada.token), Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.json("GET", "/v2/org/mls", Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let bad = json!({"settings": {"base_url": "ftp://x", "originating_system": "", "every_minutes": 1}, "secret": "x"});
    let (status, text) = s.json("PUT", path, Some(&admin), Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = text["message"].as_str().unwrap_or_default();
    for field in [
        "mls.base_url",
        "mls.originating_system",
        "mls.every_minutes",
    ] {
        assert!(message.contains(field), "{message}");
    }
    let (status, text) = s.json("POST", "/v2/org/mls/run", Some(&admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");

    // Connected: the first run reads everything.
    let (status, text) = s.json("PUT", path, Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(!text.to_string().contains(CLIENT_SECRET));
    let first = until_status(&s, &admin, "the first run ended", |b| {
        b["state"]["last_run"]["finished_at"].is_string()
    })
    .await;
    let run = &first["state"]["last_run"];
    let refused = PROPERTIES / 100;
    assert_eq!(run["new"], (PROPERTIES - refused) as u64, "{first}");
    assert_eq!(run["rejected"], refused as u64);
    assert_eq!(run["rejections"][0]["key"], "P00099");
    assert_eq!(run["rejections"][0]["reason"], "it has no ListPrice");
    let media: usize = properties
        .iter()
        .filter(|p| p.get("ListPrice").is_some())
        .map(|p| p["Media"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(run["media"], media as u64);
    assert_eq!(run["pages"], (PROPERTIES / 400) as u64 + 1, "{first}");
    assert_eq!(run["members_here"], 1);
    assert_eq!(first["state"]["high_water"], stamp(PROPERTIES - 1));
    assert!(first["state"]["error"].is_null());
    // It asked with a token, for what $metadata has (no ClosePrice), Media expanded.
    let asked = reso.with(|f| f.seen.clone());
    let replication = asked
        .iter()
        .find(|q| q.starts_with("/odata/Property?") && q.contains("Media"))
        .expect("a replication request");
    assert!(!replication.contains("ClosePrice"), "{replication}");
    assert!(!replication.contains("filter"), "{replication}");

    // Mapped onto listings, owned by the member the roster names (or whoever connected it).
    let first_home = listing(&s, ada.org, "P00000");
    assert_eq!(first_home.address.line1, "100 Elm St");
    assert_eq!(first_home.address.city, "Springfield");
    assert_eq!(first_home.price, 150_000);
    assert_eq!(first_home.status, ListingStatus::Active);
    assert_eq!(first_home.owner, ada.user);
    assert_eq!(first_home.mls_number.as_deref(), Some("MLS-10000"));
    assert_eq!(first_home.baths, Some(Baths::from_halves(2)));
    let closed = listing(&s, ada.org, "P00011");
    assert_eq!(closed.status, ListingStatus::Sold);
    assert_eq!(closed.property_type, PropertyType::Townhouse);
    assert_eq!(closed.owner, admin_id, "M9 is nobody here");
    // Every member's device pulls them (they are the organisation's).
    let (docs, _) = s.pull_all(&ada.token, Vec::new()).await;
    let listings = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::listing::KIND)
        .count();
    assert_eq!(listings, PROPERTIES - refused);

    // Another organisation has no MLS and sees none of it.
    let other = s.org("Elsewhere");
    let other_admin = s.user(other, "boss@elsewhere.test", Role::Admin, None);
    let other_token = s.token(other, other_admin);
    let (_, theirs) = s.json("GET", "/v2/org/mls", Some(&other_token), None).await;
    assert_eq!(theirs["connected"], false, "{theirs}");
    let (docs, _) = s.pull_all(&other_token, Vec::new()).await;
    assert!(docs.is_empty(), "{} documents leaked", docs.len());

    // Ten homes change, five leave the feed; the next run fails on its first page once.
    reso.with(|f| {
        for (k, p) in f.properties.iter_mut().take(10).enumerate() {
            p["ListPrice"] = json!(99_000 + k);
            p["ModificationTimestamp"] = json!(stamp(PROPERTIES + k));
        }
        f.properties.retain(|p| {
            !["P00020", "P00021", "P00022", "P00023", "P00024"]
                .contains(&p["ListingKey"].as_str().unwrap_or_default())
        });
        f.fail_page = Some(0);
        f.served = 0;
    });
    let (status, _) = s.json("POST", "/v2/org/mls/run", Some(&admin), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let failed = until_status(&s, &admin, "the failed run was recorded", |b| {
        b["state"]["error"].is_string()
    })
    .await;
    assert!(
        failed["state"]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("503"),
        "{failed}"
    );
    assert_eq!(
        failed["state"]["high_water"],
        stamp(PROPERTIES - 1),
        "the mark stays"
    );
    // Five minutes on it tries again from the same mark, and asks only for what changed.
    advance(&s, Duration::minutes(6));
    let second = until_status(&s, &admin, "the second run ended", |b| {
        b["state"]["error"].is_null() && b["state"]["high_water"] == stamp(PROPERTIES + 9)
    })
    .await;
    let run = &second["state"]["last_run"];
    assert_eq!(
        (run["new"].as_u64(), run["updated"].as_u64()),
        (Some(0), Some(10)),
        "{second}"
    );
    assert_eq!(run["withdrawn"], 5);
    assert_eq!(
        reso.with(|f| f.served),
        10,
        "only the changed records were sent"
    );
    let asked = reso.with(|f| f.seen.clone());
    let mark = format!("ModificationTimestamp gt {}", stamp(PROPERTIES - 1));
    assert!(
        asked.iter().any(|q| {
            form_urlencoded::parse(q.split_once('?').map_or("", |(_, q)| q).as_bytes())
                .any(|(k, v)| k == "$filter" && v == mark)
        }),
        "{asked:?}"
    );
    assert_eq!(listing(&s, ada.org, "P00003").price, 99_003);
    let gone = listing(&s, ada.org, "P00020");
    assert_eq!(
        gone.status,
        ListingStatus::Withdrawn,
        "withdrawn, not deleted"
    );
    assert!(gone.deleted_at.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_or_a_malformed_answer_is_reported_and_nothing_stored_is_lost() {
    let (reso, base) = Reso::start(fixture(50), Vec::new()).await;
    let s = TestServer::start_with(config("smtp://127.0.0.1:1")).await;
    s.clock.set(at());
    let ada = agent(&s);
    let admin_id = s.user(ada.org, "owner@harbour.test", Role::Admin, None);
    let admin = s.token(ada.org, admin_id);
    let path = "/v2/org/providers/mls";
    let wrong = json!({"settings": settings(&base), "secret": "not-the-secret"});
    let (status, _) = s.json("PUT", path, Some(&admin), Some(wrong)).await;
    assert_eq!(status, StatusCode::OK);
    let failed = until_status(&s, &admin, "the refused token was reported", |b| {
        b["state"]["error"].is_string()
    })
    .await;
    let error = failed["state"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("token request") && error.contains("401"),
        "{error}"
    );

    // The right secret: 50 listings.
    let right = json!({"settings": settings(&base), "secret": CLIENT_SECRET});
    let (status, _) = s.json("PUT", path, Some(&admin), Some(right)).await;
    assert_eq!(status, StatusCode::OK);
    until_status(&s, &admin, "the first run ended", |b| {
        b["state"]["error"].is_null() && b["state"]["last_run"]["new"] == 50
    })
    .await;

    // A garbled answer stops the run with the reason; the listings stay as they were.
    reso.with(|f| f.malformed = true);
    let (status, _) = s.json("POST", "/v2/org/mls/run", Some(&admin), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let failed = until_status(&s, &admin, "the garbled answer was reported", |b| {
        b["state"]["error"].is_string()
    })
    .await;
    let error = failed["state"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("not what the Web API sends"), "{error}");
    assert_eq!(failed["state"]["high_water"], stamp(49));
    assert_eq!(listing(&s, ada.org, "P00001").status, ListingStatus::Active);
    let (docs, _) = s.pull_all(&ada.token, Vec::new()).await;
    assert_eq!(docs.len(), 50);
}

/// Posts `csv` to the CSV listing import as `token`.
async fn import_csv(s: &TestServer, token: &str, query: &str, csv: &str) -> (StatusCode, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}/v2/org/listings/import{query}", s.url))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("send");
    let status = answer.status();
    let text = answer.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_without_a_feed_imports_its_listings_from_a_csv_with_each_refusal_said() {
    let s = TestServer::start_with(config("smtp://127.0.0.1:1")).await;
    s.clock.set(at());
    let ada = agent(&s);
    let admin_id = s.user(ada.org, "owner@harbour.test", Role::Admin, None);
    let admin = s.token(ada.org, admin_id);
    let csv = "\u{feff}ListingKey,ListPrice,StreetNumber,StreetName,City,PostalCode,BedroomsTotal,StandardStatus,ListAgentEmail,Notes\n\
               H1,\"455,000\",4,Canonbury Square,London,N1 2AN,3,Active,ada@harbour.test,corner plot\n\
               H2,480000,12,Upper Street,London,N1 2AB,2,Pending,,\n\
               H3,,9,Mare Street,London,E8 4RP,3,Active,,\n\
               H4,lots,1,Essex Road,London,N1 3PD,1,Active,,\n\
               H5,300000,,,London,,2,Active,,\n";

    // Agents may not; a file without the key column is refused whole.
    let (status, _) = import_csv(&s, &ada.token, "", csv).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = import_csv(&s, &admin, "", "Price,City\n1,London\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ListingKey"),
        "{body}"
    );
    let (status, body) = import_csv(&s, &admin, "?currency=pounds", csv).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, report) = import_csv(&s, &admin, "?currency=GBP&country=GB", csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["new"], 2, "{report}");
    assert_eq!(report["rejected"], 3, "{report}");
    let reasons: Vec<String> = report["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r["key"].as_str().unwrap_or(""),
                r["reason"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        reasons.contains(&"H3: it has no ListPrice".to_owned()),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"H4: line 5: ListPrice is not a number (\"lots\")".to_owned()),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("H5: ") && r.contains("address")),
        "{reasons:?}"
    );

    let key = |k: &str| {
        fieldstone_server::mls::listing_id(fieldstone_server::mls::csv_import::CSV_SYSTEM, k)
    };
    let read = |k: &str| {
        let doc_id = DocId::new(fieldstone_doc::listing::KIND, key(k)).expect("id");
        let stored = s
            .with_store(|st| st.load_doc(ada.org, &doc_id).expect("read"))
            .expect("stored");
        fieldstone_doc::listing::read(&fieldstone_doc::load(&stored.bytes).expect("doc"))
            .expect("listing")
    };
    let h1 = read("H1");
    assert_eq!((h1.price, h1.currency.as_str()), (455_000, "GBP"));
    assert_eq!(h1.address.line1, "4 Canonbury Square");
    assert_eq!(h1.owner, ada.user, "the agent the row names");
    assert_eq!(
        read("H2").owner,
        admin_id,
        "nobody named: whoever imported it"
    );
    assert_eq!(read("H2").status, ListingStatus::Pending);

    // The same file again changes nothing; a corrected row updates its listing.
    let (_, again) = import_csv(&s, &admin, "?currency=GBP&country=GB", csv).await;
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2)),
        "{again}"
    );
    let fixed = "ListingKey,ListPrice,StreetNumber,StreetName,City,StandardStatus\nH2,470000,12,Upper Street,London,Active\n";
    let (_, fixed) = import_csv(&s, &admin, "?currency=GBP&country=GB", fixed).await;
    assert_eq!(fixed["updated"], 1, "{fixed}");
    assert_eq!(read("H2").price, 470_000);

    // Every member pulls them; another organisation has none.
    let (docs, _) = s.pull_all(&ada.token, Vec::new()).await;
    assert_eq!(
        docs.iter().filter(|d| d.doc_id.kind() == "listing").count(),
        2
    );
    let other = s.org("Elsewhere");
    let eve = s.user(other, "eve@elsewhere.test", Role::Admin, None);
    let (docs, _) = s.pull_all(&s.token(other, eve), Vec::new()).await;
    assert!(docs.is_empty());
}
