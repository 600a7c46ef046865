//! Walks every route in `routes::ROUTES` with another organisation's ids and with bad tokens:
//! the answer is 401 or 404 (or the caller's own data), never a byte of the other organisation.
//! A route added without a case here fails the walk.

use crate::support::*;
use fieldstone_model::{DeviceId, OrgId, TeamId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::*;
use fieldstone_server::routes::ROUTES;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Tenant {
    org: OrgId,
    team: TeamId,
    admin: (UserId, String),
    agent: (UserId, String),
    device: DeviceId,
    doc: DocId,
}

async fn tenant(s: &TestServer, name: &str, n: u32) -> Tenant {
    let org = s.org(name);
    let team = s.team(org, &format!("{name} team"));
    let admin_id = s.user(org, &format!("admin@{n}.example.com"), Role::Owner, None);
    let agent_id = s.user(
        org,
        &format!("agent@{n}.example.com"),
        Role::Agent,
        Some(team),
    );
    let admin = (admin_id, s.token(org, admin_id));
    let agent = (agent_id, s.token(org, agent_id));
    let device = s.with_store(|st| st.devices(org, Some(agent_id)).expect("devices")[0].id);
    let doc = doc_id(n);
    let mut device_doc = Device::create(agent_id);
    device_doc.set("secret", &format!("{name} secret"));
    let answer = s.push(&agent.1, vec![device_doc.unsent(&doc)]).await;
    assert_eq!(answer.accepted, 2);
    Tenant {
        org,
        team,
        admin,
        agent,
        device,
        doc,
    }
}

/// Fills a route template with the other tenant's ids.
fn path_for(template: &str, other: &Tenant) -> String {
    template
        .replace("{device_id}", &other.device.to_string())
        .replace("{user_id}", &other.agent.0.to_string())
        .replace("{team_id}", &other.team.to_string())
        .replace("{doc_id}", other.doc.as_str())
        .replace("{scope}", &Scope::User(other.agent.0).to_string())
        .replace("{kind}", "sms")
        .replace("{number}", B_DNC)
        .replace("{name}", &b_blob().file_name())
}

/// B's photo, kept by B's organisation only.
fn b_blob() -> fieldstone_model::blob::BlobRef {
    fieldstone_media::identify(&b_photo()).expect("a picture")
}

fn b_photo() -> Vec<u8> {
    fieldstone_media::sample_picture(64, 48, fieldstone_model::blob::BlobType::Png, 2)
}

/// B's do-not-call number and text provider account: A never sees or changes them.
const B_DNC: &str = "+15559990000";
const B_ACCOUNT: &str = "AC00000000000000000000000000000b0b";

/// B's outreach set-up, written straight to the store.
fn b_outreach(s: &TestServer, b: &Tenant) {
    let org = b.org;
    s.with_store(|st| {
        st.set_provider(
            org,
            &fieldstone_server::store::ProviderRow {
                kind: "sms".into(),
                settings: format!(r#"{{"account_sid":"{B_ACCOUNT}","from":"+15550001111"}}"#),
                sealed_secret: Some(vec![0; 40]),
                updated_at: now(),
                updated_by: None,
            },
        )
        .expect("provider");
        st.add_dnc(
            org,
            &[fieldstone_server::store::DncRow {
                number: B_DNC.into(),
                source: "B's list".into(),
                added_at: now(),
                added_by: None,
            }],
        )
        .expect("dnc");
    });
}

/// B's outreach set-up is as it was.
fn b_outreach_intact(s: &TestServer, b: &Tenant) {
    let org = b.org;
    s.with_store(|st| {
        assert!(st.provider(org, "sms").expect("read").is_some());
        assert!(st.on_dnc(org, B_DNC).expect("read"));
    });
}

/// Every id and secret of `other` that must never appear in an answer to `me`.
fn secrets(other: &Tenant) -> Vec<String> {
    vec![
        other.org.to_string(),
        other.team.to_string(),
        other.admin.0.to_string(),
        other.agent.0.to_string(),
        other.device.to_string(),
        "B secret".to_owned(),
        "B team".to_owned(),
        "@2.example.com".to_owned(),
    ]
}

fn assert_no_leak(route: &str, text: &str, other: &Tenant) {
    for secret in secrets(other) {
        assert!(
            !text.contains(&secret),
            "{route} leaked {secret:?}: {text:.300}"
        );
    }
}

on_both_stores! {
    every_route_with_another_organisations_ids_and_tokens_answers_404_or_401(
        fieldstone_server::Config::default()
    );
}

async fn every_route_with_another_organisations_ids_and_tokens_answers_404_or_401(s: TestServer) {
    let a = tenant(&s, "A", 1).await;
    let b = tenant(&s, "B", 2).await;
    b_outreach(&s, &b);
    s.state.blobs.keep(b.org, &b_photo()).expect("B's photo");
    // B has security events of its own, which A's audit log must never show.
    assert_eq!(
        s.login("agent@2.example.com", "not the password").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, log) = s.json("GET", "/v2/audit", Some(&b.admin.1), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(log.to_string().contains("agent@2.example.com"), "{log}");
    for (method, template, needs_session) in ROUTES {
        let route = format!("{method} {template}");
        if !needs_session {
            continue; // public routes hold no organisation data (checked in ops.rs)
        }
        let path = path_for(template, &b);
        // A bad token never gets past authentication, whatever the ids.
        for token in ["fst_forged", ""] {
            let (status, _) = s.json(method, &path, Some(token), None).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{route} with token {token:?}"
            );
        }
        for me in [&a.admin, &a.agent] {
            check_route(&s, method, template, &path, me, &a, &b).await;
        }
    }
    // B is untouched: its document has only its own changes, its devices are not revoked.
    b_outreach_intact(&s, &b);
    let (docs, _) = s.pull_all(&b.agent.1, vec![]).await;
    let mine = docs.iter().find(|d| d.doc_id == b.doc).expect("B's doc");
    let copy = Device::from_snapshot(mine.snapshot.as_deref().expect("whole"));
    assert_eq!(copy.get("secret").as_deref(), Some("B secret"));
    assert_eq!(copy.get("stage").as_deref(), Some("new"));
    assert!(s.with_store(|st| st
        .devices(b.org, None)
        .expect("devices")
        .iter()
        .all(|d| d.revoked_at.is_none())));
    let (status, _) = s.json("GET", "/v2/me", Some(&b.agent.1), None).await;
    assert_eq!(status, StatusCode::OK, "B's sessions were not ended by A");
}

async fn check_route(
    s: &TestServer,
    method: &str,
    template: &str,
    path: &str,
    (my_id, me): &(UserId, String),
    a: &Tenant,
    b: &Tenant,
) {
    let me = me.as_str();
    let route = format!("{method} {template}");
    let json_call = |body: Option<Value>| s.json(method, path, Some(me), body);
    match template {
        // Routes naming a record by id: another organisation's id is "not found".
        "/v2/devices/{device_id}"
        | "/v2/users/{user_id}"
        | "/v2/teams/{team_id}"
        | "/v2/teams/{team_id}/members/{user_id}"
        | "/v2/docs/{doc_id}/shares/{scope}"
        | "/v2/docs/{doc_id}"
        | "/v2/docs/{doc_id}/shares" => {
            let body = match method {
                "POST" => Some(json!({"user_id": a.agent.0.to_string()})),
                _ => None,
            };
            let (status, text) = json_call(body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        "/v2/users/{user_id}/role" => {
            let (status, text) = json_call(Some(json!({"role": "viewer"}))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
        }
        "/v2/teams/{team_id}/members" => {
            let (status, text) = json_call(Some(json!({"user_id": a.agent.0.to_string()}))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
            // And A's own team with B's user: not found either.
            let own = format!("/v2/teams/{}/members", a.team);
            let (status, _) = s
                .json(
                    "POST",
                    &own,
                    Some(me),
                    Some(json!({"user_id": b.agent.0.to_string()})),
                )
                .await;
            assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                "{route} (own team, other's user): {status}"
            );
        }
        "/v2/invitations" => {
            let (status, text) = json_call(Some(json!({
                "email": "x@example.com", "role": "agent", "team_id": b.team.to_string()
            })))
            .await;
            assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                "{route}: {status} {text}"
            );
        }
        "/v2/teams" if method == "POST" => {
            let (status, text) = json_call(Some(json!({"name": "Another A team"}))).await;
            assert!(
                status == StatusCode::CREATED
                    || status == StatusCode::FORBIDDEN
                    || status == StatusCode::CONFLICT,
                "{route}: {status} {text}"
            );
            assert_no_leak(&route, &text.to_string(), b);
        }
        // Routes about the caller: their own data only.
        "/v2/me" | "/v2/devices" | "/v2/users" | "/v2/teams" => {
            let (status, text) = json_call(None).await;
            assert_eq!(status, StatusCode::OK, "{route}");
            assert_no_leak(&route, &text.to_string(), b);
            // Asking for another organisation's user's devices by query: not found.
            if template == "/v2/devices" {
                let other = format!("/v2/devices?user_id={}", b.agent.0);
                let (status, _) = s.json("GET", &other, Some(me), None).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{route}?user_id");
            }
        }
        "/v2/auth/refresh" | "/v2/auth/logout" | "/v2/auth/logout-all" | "/v2/auth/password" => {
            // Acting on oneself, as a user of A's of its own (signing out everywhere or changing
            // the password would end the walk's sessions): it works on A's session and B's
            // are untouched (the final assertions).
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let role = s.with_store(|st| st.user(a.org, *my_id).expect("user").expect("mine").role);
            let user = s.user(a.org, &format!("session{n}@1.example.com"), role, None);
            let own = s.token(a.org, user);
            let body = (template == "/v2/auth/password")
                .then(|| json!({"current_password": PASSWORD, "new_password": PASSWORD}));
            let (status, text) = s.json(method, path, Some(&own), body).await;
            assert!(status.is_success(), "{route}: {status} {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        "/v2/audit" => {
            let (status, text) = json_call(None).await;
            if me == a.admin.1 {
                assert_eq!(status, StatusCode::OK, "{route}: {text}");
                assert_no_leak(&route, &text.to_string(), b);
                let other = format!("/v2/audit?before={}", i64::MAX);
                let (status, text) = s.json("GET", &other, Some(me), None).await;
                assert_eq!(status, StatusCode::OK, "{route}");
                assert_no_leak(&route, &text.to_string(), b);
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{route}: agents do not read it"
                );
            }
        }
        "/v2/sync/pull" | "/v3/sync/pull" => {
            let cursors = vec![
                ScopeCursor::start(Scope::User(b.agent.0)),
                ScopeCursor::start(Scope::Team(b.team)),
                ScopeCursor::start(Scope::Org(b.org)),
            ];
            let request = PullRequest {
                cursors,
                max_docs: 100,
            };
            let page: PullResponse = if path == "/v3/sync/pull" {
                let answer: fieldstone_protocol::PullResponseV3 =
                    s.sync(path, me, &request).await.expect("pull");
                // The marks name only documents of the page, never B's.
                assert_no_leak(&route, &format!("{:?}", answer.not_mine), b);
                assert!(answer.not_mine.iter().all(|id| answer
                    .page
                    .docs
                    .iter()
                    .any(|d| d.doc_id == *id)));
                answer.page
            } else {
                s.sync(path, me, &request).await.expect("pull")
            };
            assert!(
                page.cursors.iter().all(|c| !matches!(c.scope,
                Scope::User(u) if u == b.agent.0 || u == b.admin.0)),
                "{route}: B's scope listed"
            );
            assert!(page
                .cursors
                .iter()
                .all(|c| c.scope != Scope::Team(b.team) && c.scope != Scope::Org(b.org)));
            for doc in &page.docs {
                let text = format!("{doc:?}");
                assert_no_leak(&route, &text, b);
                if let Some(snapshot) = &doc.snapshot {
                    assert_ne!(
                        field(snapshot, "secret").as_deref(),
                        Some("B secret"),
                        "{route}"
                    );
                }
            }
        }
        "/v2/sync/push" => {
            // Writing B's document id from A lands in A's own namespace, never in B's document.
            let mut forged = Device::create(a.agent.0);
            forged.set("secret", "overwritten by A");
            let answer: Result<PushResponse, _> = s
                .sync(
                    path,
                    me,
                    &PushRequest {
                        docs: vec![forged.unsent(&b.doc)],
                    },
                )
                .await;
            let answer = answer.expect("push");
            for rejection in &answer.rejected {
                if let Some(doc) = &rejection.server_doc {
                    assert_ne!(field(doc, "secret").as_deref(), Some("B secret"), "{route}");
                }
            }
        }
        "/v2/sync/repair" => {
            let answer: RepairResponse = s
                .sync(
                    path,
                    me,
                    &RepairRequest {
                        after: None,
                        last: true,
                        docs: vec![DocDigest {
                            doc_id: b.doc.clone(),
                            heads: [0; 16],
                        }],
                    },
                )
                .await
                .expect("repair");
            for doc in &answer.differing {
                if let Some(snapshot) = &doc.snapshot {
                    assert_ne!(
                        field(snapshot, "secret").as_deref(),
                        Some("B secret"),
                        "{route}"
                    );
                }
            }
        }
        "/v2/sync/live" => {
            // The WebSocket only carries news of the caller's own scopes (see sync.rs); a plain
            // GET without the upgrade headers is refused.
            let (status, _) = json_call(None).await;
            assert!(status.is_client_error(), "{route}: {status}");
        }
        "/v2/ai/draft" => {
            // A draft for B's contact: "not found", and not a word of it.
            let contact = b.doc.as_str().split_once(':').map_or("", |(_, id)| id);
            let (status, text) =
                json_call(Some(json!({"contact": contact, "kind": "day_1"}))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        "/v2/ai/enhance" => {
            // About the caller's own text only.
            let (status, text) =
                json_call(Some(json!({"text": "See you at 5.", "tone": "formal"}))).await;
            assert_eq!(status, StatusCode::OK, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        // The organisation's outreach set-up: admins only (agents add DNC numbers and see
        // usage); only the caller's organisation's, whatever the ids.
        "/v2/org/providers"
        | "/v2/org/dnc"
        | "/v2/org/dnc/import"
        | "/v2/org/usage"
        | "/v2/org/providers/{kind}"
        | "/v2/org/dnc/{number}" => {
            let body = match (method, template) {
                ("PUT", _) => Some(json!({
                    "settings": {"account_sid": B_ACCOUNT, "from": "+15550001111"},
                    "secret": "token"
                })),
                // A's own numbers (B's is on B's list only).
                ("POST", "/v2/org/dnc") => Some(json!({"number": "+15551112222"})),
                ("POST", _) => Some(json!("+15551113333")),
                _ => None,
            };
            let (status, text) = json_call(body).await;
            let admin = me == a.admin.1;
            let expected = match (method, template, admin) {
                ("GET", "/v2/org/usage", _) => StatusCode::OK,
                ("POST", "/v2/org/dnc", true) => StatusCode::CREATED,
                ("POST", "/v2/org/dnc", false) => StatusCode::OK, // the admin added it
                (_, _, false) => StatusCode::FORBIDDEN,
                // No secret_key on this server: nothing can be sealed.
                ("PUT", _, true) => StatusCode::CONFLICT,
                ("DELETE", _, true) => StatusCode::NOT_FOUND,
                (_, _, true) => StatusCode::OK,
            };
            let text = text.to_string();
            assert_eq!(
                status,
                expected,
                "{route} as {}: {text}",
                if admin { "admin" } else { "agent" }
            );
            assert_no_leak(&route, &text, b);
            assert!(!text.contains(B_ACCOUNT), "{route}: {text}");
            assert!(
                !text.contains(B_DNC) && !text.contains("B's list"),
                "{route}: {text}"
            );
        }
        "/v2/calls" => {
            // Calling B's contact: "not found", and nothing rings.
            let contact = b.doc.as_str().split_once(':').map_or("", |(_, id)| id);
            let body =
                json!({"contact": contact, "to": "+15550001111", "agent_phone": "+15550002222"});
            let (status, text) = json_call(Some(body)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        // Lead intake set-up: admins only, and only the caller's organisation's; B's key is
        // "not found" to A and stays valid.
        "/v2/org/intake-keys" | "/v2/org/intake-keys/{key_id}" | "/v2/org/meta" => {
            let b_key = s.with_store(|st| {
                fieldstone_server::intake::keys::create(st, b.org, "B website", None, now())
                    .expect("key")
            });
            let path = path.replace("{key_id}", &b_key.info.id);
            let body = match method {
                "POST" => Some(json!({"label": "A website"})),
                "PUT" => Some(json!({"app_secret": "a-secret-123", "verify_token": "a-token-123"})),
                _ => None,
            };
            let (status, text) = s.json(method, &path, Some(me), body).await;
            let expected = match (method, me == a.admin.1) {
                (_, false) => StatusCode::FORBIDDEN,
                ("DELETE", true) => StatusCode::NOT_FOUND,
                ("POST", true) => StatusCode::CREATED,
                // No secret_key on this server: nothing can be sealed.
                ("PUT", true) => StatusCode::CONFLICT,
                _ => StatusCode::OK,
            };
            let text = text.to_string();
            assert_eq!(status, expected, "{route}: {text}");
            assert_no_leak(&route, &text, b);
            assert!(!text.contains("B website"), "{route}: {text}");
            let b_keys = s.with_store(|st| st.intake_keys(b.org).expect("keys"));
            assert!(b_keys.iter().all(|k| k.revoked_at.is_none()), "{route}");
        }
        // Lead routing: B's agents, rules and leads are "not found" or absent, never changed.
        "/v2/org/agents/{user_id}/profile"
        | "/v2/org/routing"
        | "/v2/leads/routing"
        | "/v2/leads/{contact_id}/claim"
        | "/v2/leads/{contact_id}/assign" => {
            let b_contact = b_routing(s, b);
            let path = path.replace("{contact_id}", &b_contact);
            let body = match template {
                "/v2/org/agents/{user_id}/profile" => {
                    Some(json!({"active": true, "max_open_leads": 5}))
                }
                "/v2/org/routing" => Some(json!({"rules": []})),
                "/v2/leads/{contact_id}/assign" => Some(json!({"agent": a.agent.0.to_string()})),
                _ => None,
            };
            let body = if method == "GET" { None } else { body };
            let (status, text) = s.json(method, &path, Some(me), body).await;
            let admin = me == a.admin.1;
            let expected = match (template, method, admin) {
                ("/v2/org/routing", "PUT", false) => StatusCode::FORBIDDEN,
                ("/v2/org/routing" | "/v2/leads/routing", _, _) => StatusCode::OK,
                _ => StatusCode::NOT_FOUND,
            };
            let text = text.to_string();
            assert_eq!(status, expected, "{route}: {text}");
            assert_no_leak(&route, &text, b);
            assert!(
                !text.contains("B's rule") && !text.contains("B's lead"),
                "{route}: {text}"
            );
            b_routing_intact(s, b, &b_contact);
        }
        // The organisation's settings: A's admin changes A's plan only; B's stays standard
        // and B's settings document is never A's to read.
        "/v2/org/settings/follow-up" => {
            let body = (method == "PUT").then(
                || json!({"steps": [{"kind": "day_1", "offset_days": 2, "priority": "high"}]}),
            );
            let (status, text) = s.json(method, path, Some(me), body).await;
            let expected = match (method, me == a.admin.1) {
                ("PUT", false) => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            let text = text.to_string();
            assert_eq!(status, expected, "{route}: {text}");
            assert_no_leak(&route, &text, b);
            let b_plan = s.with_store(|st| {
                fieldstone_server::org_settings::follow_up(st, b.org).expect("B's plan")
            });
            assert_eq!(
                b_plan,
                fieldstone_model::FollowUpSettings::default(),
                "{route}"
            );
        }
        // MLS import and CSV listings: admins only, about the caller's organisation alone (B has
        // a connection and a listing; A sees neither and changes nothing of B's).
        "/v2/org/mls" | "/v2/org/mls/run" | "/v2/org/listings/import" => {
            let (status, text) = match template {
                // A JSON body is not a listing CSV: refused whole, nothing written.
                "/v2/org/listings/import" => json_call(Some(json!({"ListingKey": "x"}))).await,
                _ => json_call(None).await,
            };
            let admin = me == a.admin.1;
            let expected = match (template, admin) {
                (_, false) => StatusCode::FORBIDDEN,
                ("/v2/org/mls", true) => StatusCode::OK,
                // A has no connection of its own.
                ("/v2/org/mls/run", true) => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            let text = text.to_string();
            assert_eq!(status, expected, "{route}: {text}");
            assert_no_leak(&route, &text, b);
            if template == "/v2/org/mls" && admin {
                assert!(text.contains("\"connected\":false"), "{route}: {text}");
            }
        }
        // The caller's own calendar feed address: this server has no secret_key, so none.
        "/v2/calendar/feed" => {
            let (status, text) = json_call(None).await;
            assert_eq!(status, StatusCode::CONFLICT, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        // Media: A's organisation has none of B's files (the progress is A's own: nothing), a
        // piece without its headers is refused, and reading needs a listing A may read.
        "/v2/blobs/{name}/upload" => {
            let (status, text) = json_call(None).await;
            assert_eq!(status, StatusCode::OK, "{route}: {text}");
            assert_eq!(text["received"], 0, "{route}: {text}");
            assert_eq!(text["complete"], false, "{route}: {text}");
        }
        "/v2/blobs/{name}" | "/v2/blobs/{name}/thumb" => {
            let (status, text) = json_call(None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
            if method == "GET" {
                let (_, b_id) = b.doc.as_str().split_once(':').expect("kind:id");
                let through = format!("{path}?listing={b_id}");
                let (status, text) = s.json(method, &through, Some(me), None).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
                assert_no_leak(&route, &text.to_string(), b);
            }
        }
        // Branding: A's admin changes A's alone; B's stays the default.
        "/v2/org/settings/branding" => {
            let body = (method == "PUT").then(|| json!({"disclaimer": "A's words"}));
            let (status, text) = s.json(method, path, Some(me), body).await;
            let expected = match (method, me == a.admin.1) {
                ("PUT", false) => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            assert_eq!(status, expected, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
            let b_branding = s.with_store(|st| {
                fieldstone_server::org_settings::branding(st, b.org).expect("B's branding")
            });
            assert_eq!(b_branding, Default::default(), "{route}");
        }
        // Another organisation's listing id: not found.
        "/v2/listings/{listing_id}/tour" => {
            let (_, b_id) = b.doc.as_str().split_once(':').expect("kind:id");
            let path = path.replace("{listing_id}", b_id);
            let (status, text) = s.json(method, &path, Some(me), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{route}: {text}");
            assert_no_leak(&route, &text.to_string(), b);
        }
        other => panic!("no tenancy case for route {method} {other}: add one"),
    }
}

/// B's routing: a rule, its agent's profile and a lead in the pond (which A could claim if a
/// route forgot the tenant). Answers the lead's contact id.
fn b_routing(s: &TestServer, b: &Tenant) -> String {
    let contact = b
        .doc
        .as_str()
        .split_once(':')
        .map_or("", |(_, id)| id)
        .to_owned();
    s.with_store(|st| {
        st.set_routing_rules(
            b.org,
            r#"{"rules":[{"name":"B's rule","strategy":{"kind":"best_agent"}}]}"#,
            now(),
        )
        .expect("rules");
        st.set_routing_profile(
            b.org,
            b.agent.0,
            r#"{"active":true,"max_open_leads":7}"#,
            now(),
        )
        .expect("profile");
        st.record_lead_routing(
            b.org,
            &fieldstone_server::store::routing::LeadRoutingRow {
                contact: contact.clone(),
                decision: "pond".into(),
                agent: None,
                offered: Vec::new(),
                rule: None,
                reason: "B's lead".into(),
                decided_at: now(),
                claim_until: None,
                claimed_by: None,
                claimed_at: None,
                interaction: None,
            },
        )
        .expect("lead");
    });
    contact
}

fn b_routing_intact(s: &TestServer, b: &Tenant, contact: &str) {
    s.with_store(|st| {
        let rules = st.routing_rules(b.org).expect("rules").expect("B's rules");
        assert!(rules.contains("B's rule"), "{rules}");
        let profile = st.routing_profile(b.org, b.agent.0).expect("profile");
        assert!(profile.expect("B's profile").contains("7"));
        let lead = st
            .lead_routing(b.org, contact)
            .expect("lead")
            .expect("B's lead");
        assert_eq!((lead.agent, lead.decision.as_str()), (None, "pond"));
    });
}
