//! A loopback RESO Web API double: a real HTTP server on 127.0.0.1 that speaks the OData 4
//! profile an MLS serves — an OAuth2 client-credentials token endpoint, `$metadata` (CSDL),
//! `Property` with `$select`, `$top`, `$expand=Media` and `$filter=ModificationTimestamp gt
//! …`, server-driven paging through absolute `@odata.nextLink`s (records in key order, not
//! time order), and the `Member` roster. It refuses what a real one refuses (a bad token, a
//! `$select` of a field it does not have) and can fail one page on purpose.
//!
//! Self-contained: the MLS benchmark (`benches/mls_import.rs`) serves the same double.
#![allow(dead_code)] // the bench uses part of it
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "fieldstone-test-client";
pub const CLIENT_SECRET: &str = "reso-client-secret-0123";
const TOKEN: &str = "reso-access-token-abc";
/// The most records a page holds, whatever `$top` asks.
pub const PAGE_MAX: usize = 400;
/// Fields the double's Property has: everything Fieldstone maps but `ClosePrice` (asking for
/// it is refused, as a real server refuses an unknown field).
const MISSING: &str = "ClosePrice";

#[derive(Default)]
pub struct Feed {
    pub properties: Vec<Value>,
    pub members: Vec<Value>,
    /// Fail the Property page with this index (0-based) once, with a 503.
    pub fail_page: Option<usize>,
    /// Answer Property requests with something that is not an OData page.
    pub malformed: bool,
    /// Each request's path and query, in order.
    pub seen: Vec<String>,
    /// Property records served by replication requests (not the key sweeps).
    pub served: usize,
}

#[derive(Clone)]
pub struct Reso {
    pub feed: Arc<Mutex<Feed>>,
    base: Arc<Mutex<String>>,
}

impl Reso {
    /// Starts the double; answers it and its service root (`http://127.0.0.1:N/odata`).
    pub async fn start(properties: Vec<Value>, members: Vec<Value>) -> (Reso, String) {
        let reso = Reso {
            feed: Arc::new(Mutex::new(Feed {
                properties,
                members,
                ..Feed::default()
            })),
            base: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/token", post(token))
            .route("/odata/$metadata", get(metadata))
            .route("/odata/Property", get(property))
            .route("/odata/Member", get(member))
            .with_state(reso.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let base = format!("http://{addr}/odata");
        *reso.base.lock().unwrap_or_else(|p| p.into_inner()) = base.clone();
        (reso, base)
    }

    pub fn token_url(base: &str) -> String {
        base.replace("/odata", "/token")
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Feed) -> T) -> T {
        f(&mut self.feed.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"))
}

fn odata_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": status.as_u16().to_string(), "message": message}})),
    )
        .into_response()
}

async fn token(body: String) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if get("grant_type") != Some("client_credentials")
        || get("client_id") != Some(CLIENT_ID)
        || get("client_secret") != Some(CLIENT_SECRET)
    {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    axum::Json(json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}))
        .into_response()
}

/// The fields of the double's Property.
fn fields() -> Vec<&'static str> {
    fieldstone_server::mls::map::FIELDS
        .iter()
        .copied()
        .filter(|f| *f != MISSING)
        .collect()
}

async fn metadata(State(reso): State<Reso>, headers: HeaderMap) -> Response {
    reso.with(|f| f.seen.push("/odata/$metadata".into()));
    if !authorised(&headers) {
        return odata_error(StatusCode::UNAUTHORIZED, "no valid token");
    }
    let properties: String = fields()
        .iter()
        .map(|f| format!(r#"<Property Name="{f}" Type="Edm.String"/>"#))
        .collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
<edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="org.reso.metadata">
<EntityType Name="Property"><Key><PropertyRef Name="ListingKey"/></Key>{properties}
<NavigationProperty Name="Media" Type="Collection(org.reso.metadata.Media)"/></EntityType>
<EntityType Name="Media"><Key><PropertyRef Name="MediaKey"/></Key><Property Name="MediaKey" Type="Edm.String"/><Property Name="MediaURL" Type="Edm.String"/></EntityType>
<EntityType Name="Member"><Key><PropertyRef Name="MemberKey"/></Key><Property Name="MemberKey" Type="Edm.String"/><Property Name="MemberEmail" Type="Edm.String"/></EntityType>
</Schema></edmx:DataServices></edmx:Edmx>"#
    );
    ([("content-type", "application/xml")], xml).into_response()
}

fn params(query: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn property(
    State(reso): State<Reso>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let base = reso.base.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut feed = reso.feed.lock().unwrap_or_else(|p| p.into_inner());
    feed.seen.push(format!(
        "/odata/Property?{}",
        query.clone().unwrap_or_default()
    ));
    if !authorised(&headers) {
        return odata_error(StatusCode::UNAUTHORIZED, "no valid token");
    }
    let params = params(&query);
    let known: BTreeSet<&str> = fields().into_iter().collect();
    let select: Option<Vec<String>> =
        param(&params, "$select").map(|s| s.split(',').map(|f| f.trim().to_owned()).collect());
    if let Some(select) = &select {
        if let Some(unknown) = select.iter().find(|f| !known.contains(f.as_str())) {
            return odata_error(
                StatusCode::BAD_REQUEST,
                &format!("Could not find a property named '{unknown}' on type 'Property'."),
            );
        }
    }
    let since = match param(&params, "$filter") {
        None => None,
        Some(filter) => match filter.strip_prefix("ModificationTimestamp gt ") {
            Some(at) if at.ends_with('Z') => Some(at.to_owned()),
            _ => {
                return odata_error(
                    StatusCode::BAD_REQUEST,
                    &format!("The filter '{filter}' is not supported."),
                )
            }
        },
    };
    let top: usize = param(&params, "$top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(PAGE_MAX)
        .min(PAGE_MAX);
    let skip: usize = param(&params, "$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let expand = param(&params, "$expand") == Some("Media");
    let keys_only = select.as_ref().is_some_and(|s| s == &["ListingKey"]);
    if feed.malformed {
        return ([("content-type", "application/json")], "{\"value\": 42").into_response();
    }
    if !keys_only && feed.fail_page == Some(skip / top.max(1)) {
        feed.fail_page = None;
        return odata_error(StatusCode::SERVICE_UNAVAILABLE, "try again later");
    }
    let (page, total) = {
        let mut matching: Vec<&Value> = feed
            .properties
            .iter()
            .filter(|p| {
                since.as_deref().is_none_or(|since| {
                    p["ModificationTimestamp"]
                        .as_str()
                        .is_some_and(|at| at > since)
                })
            })
            .collect();
        matching.sort_by(|a, b| a["ListingKey"].as_str().cmp(&b["ListingKey"].as_str()));
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(top)
            .map(|p| {
                let mut out = Map::new();
                for (k, v) in p.as_object().into_iter().flatten() {
                    let wanted = match &select {
                        Some(select) => select.iter().any(|f| f == k),
                        None => k != "Media",
                    } || (k == "Media" && expand);
                    if wanted {
                        out.insert(k.clone(), v.clone());
                    }
                }
                Value::Object(out)
            })
            .collect();
        (page, matching.len())
    };
    if !keys_only {
        feed.served += page.len();
    }
    let mut answer = json!({
        "@odata.context": format!("{base}/$metadata#Property"),
        "value": page,
    });
    if skip + top < total {
        let rest: Vec<String> = params
            .iter()
            .filter(|(k, _)| k != "$skiptoken")
            .map(|(k, v)| {
                form_urlencoded::Serializer::new(String::new())
                    .append_pair(k, v)
                    .finish()
            })
            .collect();
        answer["@odata.nextLink"] = Value::String(format!(
            "{base}/Property?{}&$skiptoken={}",
            rest.join("&"),
            skip + top
        ));
    }
    axum::Json(answer).into_response()
}

async fn member(State(reso): State<Reso>, headers: HeaderMap) -> Response {
    let feed = reso.feed.lock().unwrap_or_else(|p| p.into_inner());
    if !authorised(&headers) {
        return odata_error(StatusCode::UNAUTHORIZED, "no valid token");
    }
    axum::Json(json!({"value": feed.members})).into_response()
}

/// `n` properties in a few towns, modified on 1 November 2026 in key order (a minute apart);
/// every 100th has no price (refused), every 3rd carries three Media records, and the first
/// ten are listed by member `M1`.
pub fn fixture(n: usize) -> Vec<Value> {
    let towns = [
        ("Springfield", "IL", "62701"),
        ("Shelbyville", "IL", "62565"),
        ("Capital City", "IL", "62702"),
    ];
    (0..n)
        .map(|i| {
            let (city, state, zip) = towns[i % towns.len()];
            let status = ["Active", "Active", "Pending", "Closed"][i % 4];
            let street = ["Elm", "Oak", "Maple", "Cedar"][i % 4];
            let sub_type = ["SingleFamilyResidence", "Condominium", "Townhouse"][i % 3];
            let mut p = json!({
                "ListingKey": format!("P{i:05}"),
                "ListingId": format!("MLS-{}", 10_000 + i),
                "StandardStatus": status,
                "StreetNumber": format!("{}", 100 + i % 900),
                "StreetName": street,
                "StreetSuffix": "St",
                "City": city,
                "StateOrProvince": state,
                "PostalCode": zip,
                "BedroomsTotal": 1 + i % 5,
                "BathroomsFull": 1 + i % 3,
                "BathroomsHalf": i % 2,
                "LivingArea": 900 + (i % 40) * 50,
                "LivingAreaUnits": "Square Feet",
                "PropertyType": "Residential",
                "PropertySubType": sub_type,
                "YearBuilt": 1950 + i % 70,
                "PublicRemarks": format!("Home {i}: bright rooms, a garden and a garage."),
                "ListAgentKey": if i < 10 { "M1" } else { "M9" },
                "ListOfficeMlsId": "OFF1",
                "OriginatingSystemName": "Test MLS",
                "ModificationTimestamp": stamp(i),
            });
            if i % 100 != 99 {
                p["ListPrice"] = json!(150_000 + (i % 50) * 10_000);
            }
            if i % 3 == 0 {
                p["Media"] = json!((0..3)
                    .map(|m| json!({
                        "MediaKey": format!("P{i:05}-{m}"),
                        "MediaURL": format!("https://photos.example-mls.test/P{i:05}/{m}.jpg"),
                        "Order": m,
                    }))
                    .collect::<Vec<_>>());
            }
            p
        })
        .collect()
}

/// The modification time of the `i`th record: 1 November 2026, `i` minutes after midnight.
pub fn stamp(i: usize) -> String {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc)
        + chrono::Duration::minutes(i as i64);
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
