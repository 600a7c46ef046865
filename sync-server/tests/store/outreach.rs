//! What the server keeps per organisation to act for it: providers (their secrets stored as
//! given: sealing is the caller's), the do-not-call list, the plan and the usage ledger — on
//! each backend, never crossing organisations, with metering that racing server processes
//! cannot push past an allowance.

use crate::org_with_owner;
use crate::support::{at, Backend, Kind};
use fieldstone_server::store::{DncRow, Metered, PlanRow, ProviderRow, Store, UsageRow};

fn provider(kind: &str, settings: &str) -> ProviderRow {
    ProviderRow {
        kind: kind.into(),
        settings: settings.into(),
        sealed_secret: Some(vec![1, 2, 3]),
        updated_at: at(1),
        updated_by: None,
    }
}

pub fn providers_are_set_replaced_listed_and_removed_per_organisation(b: &Backend) {
    let store = b.store();
    let (org, admin) = org_with_owner(store, "acme");
    let (other, _) = org_with_owner(store, "other");
    assert_eq!(store.provider(org, "sms").expect("read"), None);
    store
        .set_provider(org, &provider("sms", r#"{"from":"+15550001"}"#))
        .expect("set");
    store
        .set_provider(org, &provider("email", "{}"))
        .expect("set");
    let mut replaced = provider("sms", r#"{"from":"+15550002"}"#);
    replaced.sealed_secret = None;
    replaced.updated_by = Some(admin);
    store.set_provider(org, &replaced).expect("replace");
    assert_eq!(store.provider(org, "sms").expect("read"), Some(replaced));
    let kinds: Vec<String> = store
        .providers(org)
        .expect("list")
        .into_iter()
        .map(|p| p.kind)
        .collect();
    assert_eq!(kinds, ["email", "sms"]);
    assert!(store.providers(other).expect("list").is_empty());
    assert!(
        !store.remove_provider(other, "sms").expect("remove"),
        "not theirs"
    );
    assert!(store.remove_provider(org, "sms").expect("remove"));
    assert_eq!(store.provider(org, "sms").expect("read"), None);
}

fn dnc(number: &str) -> DncRow {
    DncRow {
        number: number.into(),
        source: "import: list.csv".into(),
        added_at: at(2),
        added_by: None,
    }
}

pub fn the_do_not_call_list_dedupes_pages_and_stays_in_its_organisation(b: &Backend) {
    let store = b.store();
    let (org, ada) = org_with_owner(store, "acme");
    let (other, _) = org_with_owner(store, "other");
    let mut rows: Vec<DncRow> = (0..250).map(|n| dnc(&format!("+1555{n:07}"))).collect();
    // One a member added: who and when come back as written (the list's audit trail).
    rows[3].added_by = Some(ada);
    rows[3].source = "added by a member".into();
    assert_eq!(store.add_dnc(org, &rows).expect("add"), 250);
    let listed = store.dnc(org, Some("+15550000002"), 1).expect("page");
    assert_eq!(listed, [rows[3].clone()]);
    assert_eq!(
        store.add_dnc(org, &rows[..10]).expect("again"),
        0,
        "known numbers"
    );
    assert!(store.on_dnc(org, "+15550000007").expect("check"));
    assert!(!store.on_dnc(other, "+15550000007").expect("check"));
    let first = store.dnc(org, None, 100).expect("page");
    assert_eq!(first.len(), 100);
    let next = store.dnc(org, Some(&first[99].number), 1000).expect("page");
    assert_eq!(next.len(), 150);
    assert!(next[0].number > first[99].number);
    assert!(store.remove_dnc(org, "+15550000007").expect("remove"));
    assert!(!store.on_dnc(org, "+15550000007").expect("check"));
}

pub fn metering_stops_at_the_allowance_and_gives_back(b: &Backend) {
    let store = b.store();
    let (org, ada) = org_with_owner(store, "acme");
    let (other, _) = org_with_owner(store, "other");
    assert_eq!(store.plan(org).expect("plan"), None);
    let plan = PlanRow {
        plan: "starter".into(),
        time_zone: "Europe/Paris".into(),
        updated_at: at(1),
    };
    store.set_plan(org, &plan).expect("set");
    assert_eq!(store.plan(org).expect("plan"), Some(plan));
    let use_ = |amount, allowance| Metered {
        user: ada,
        period: "2026-12",
        meter: "sms",
        amount,
        allowance,
    };
    assert_eq!(store.meter(org, &use_(2, Some(3))).expect("meter"), Some(2));
    assert_eq!(
        store.meter(org, &use_(2, Some(3))).expect("meter"),
        None,
        "over"
    );
    assert_eq!(store.meter(org, &use_(1, Some(3))).expect("meter"), Some(3));
    assert_eq!(
        store.meter(org, &use_(-1, Some(3))).expect("give back"),
        Some(2)
    );
    assert_eq!(store.meter(org, &use_(5, None)).expect("no cap"), Some(7));
    // Another month and another organisation start from nothing.
    let december = store.usage_in(org, "2026-12").expect("usage");
    assert!(december.contains(&UsageRow {
        user: Some(ada),
        meter: "sms".into(),
        used: 7
    }));
    assert!(december.contains(&UsageRow {
        user: None,
        meter: "sms".into(),
        used: 7
    }));
    assert!(store.usage_in(org, "2027-01").expect("usage").is_empty());
    assert!(store.usage_in(other, "2026-12").expect("usage").is_empty());
}

pub fn racing_servers_never_meter_past_the_allowance(b: &Backend) {
    let store = b.store();
    let (org, ada) = org_with_owner(store, "acme");
    let second = match b.kind {
        Kind::Postgres => Some(b.another_postgres_store()),
        Kind::Sqlite => None,
    };
    let granted: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let store: &dyn Store = match (&second, w % 2) {
                    (Some(other), 1) => other,
                    _ => store,
                };
                s.spawn(move || {
                    (0..20)
                        .filter(|_| {
                            let use_ = Metered {
                                user: ada,
                                period: "2026-12",
                                meter: "emails",
                                amount: 1,
                                allowance: Some(50),
                            };
                            store.meter(org, &use_).expect("meter").is_some()
                        })
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker")).sum()
    });
    assert_eq!(granted, 50, "80 asked, 50 allowed");
    let total = store
        .usage_in(org, "2026-12")
        .expect("usage")
        .into_iter()
        .find(|r| r.user.is_none())
        .expect("total");
    assert_eq!(total.used, 50);
}
