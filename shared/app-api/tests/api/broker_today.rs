//! A broker's Today against a real server (issue 15): their device holds the team's records
//! (the lists show them), but Today, its follow-ups and the overlap warning count only the
//! broker's own and what an agent shared with them.

use crate::support::{person, syncing_at, t0, TestApp};
use chrono::Duration as Span;
use fieldstone_model::{
    Attendees, BookingInput, BookingKind, BookingStatus, RecordRef, TaskInput, UserId,
};
use fieldstone_protocol::commands::{
    OverlapCheck, ShareContact, ShareWith, SyncState, TodayRequest,
};
use fieldstone_protocol::views::ContactQuery;
use fieldstone_tests::{Org, ServerProcess};
use std::path::Path;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

async fn device(dir: &Path, url: &str, token: &str) -> TestApp {
    let app = syncing_at(dir, url, token, t0()).await;
    // The first round binds the device to its account: records made after it are the user's.
    let deadline = Instant::now() + WAIT;
    while app.api.sync_status().state != SyncState::UpToDate {
        assert!(Instant::now() < deadline, "the device never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app
}

/// The day around `t0()` as `app`'s Today shows it.
async fn today(app: &TestApp) -> fieldstone_protocol::commands::Today {
    app.api
        .today(TodayRequest {
            day_start: t0() - Span::hours(12),
            day_end: t0() + Span::hours(12),
            rows: 20,
        })
        .await
        .expect("today")
}

fn task(title: &str, contact: fieldstone_model::ContactId) -> TaskInput {
    TaskInput {
        title: title.into(),
        due_at: Some(t0() + Span::hours(2)),
        priority: Default::default(),
        status: Default::default(),
        kind: Default::default(),
        record: Some(RecordRef::Contact(contact)),
    }
}

fn showing(contact: fieldstone_model::ContactId, hour: i64) -> BookingInput {
    BookingInput {
        kind: BookingKind::Showing,
        title: None,
        starts_at: t0() + Span::hours(hour),
        ends_at: t0() + Span::hours(hour) + Span::minutes(30),
        time_zone: "Europe/London".into(),
        location: None,
        attendees: Attendees {
            contacts: vec![contact],
            ..Attendees::default()
        },
        listing: None,
        status: BookingStatus::Scheduled,
        reminders: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brokers_today_counts_their_own_and_shared_items_not_the_teams() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let harbour = Org::create(&server_dir, "Harbour");
    let sales = harbour.team("Sales");
    harbour.agent_in("ann@harbour.test", "Ann Lee", &sales);
    let broker: UserId = harbour
        .user("bea@harbour.test", "broker", Some(&sales))
        .parse()
        .expect("id");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let ann = device(
        &tmp.path().join("ann"),
        &server.url,
        &harbour.device_token("ann@harbour.test", "ann's laptop"),
    )
    .await;

    // Ann's day: her lead with a follow-up and a showing, and a client she shares with Bea.
    let tess = ann
        .api
        .create_contact(person("Tess", "Lead", "tess@example.com"))
        .await
        .expect("tess");
    ann.api
        .create_task(task("Call Tess back", tess.id))
        .await
        .expect("task");
    ann.api
        .create_booking(showing(tess.id, 3))
        .await
        .expect("showing");
    let sam = ann
        .api
        .create_contact(person("Sam", "Shared", "sam@example.com"))
        .await
        .expect("sam");
    ann.api
        .share_contact(ShareContact {
            contact: sam.id,
            with: ShareWith::User(broker),
        })
        .await
        .expect("share");

    // Bea's device, and her own day.
    let bea = device(
        &tmp.path().join("bea"),
        &server.url,
        &harbour.device_token("bea@harbour.test", "bea's phone"),
    )
    .await;
    let own = bea
        .api
        .create_contact(person("Olga", "Own", "olga@example.com"))
        .await
        .expect("own");
    bea.api
        .create_task(task("Call Olga", own.id))
        .await
        .expect("task");

    // The team's records reach her device: the list shows all four people.
    let deadline = Instant::now() + WAIT;
    loop {
        let held = bea
            .api
            .list_contacts(ContactQuery::default())
            .await
            .expect("list")
            .items;
        // Ann's follow-up shows on Tess's timeline once it is here.
        let has_task = bea
            .api
            .timeline(fieldstone_protocol::commands::TimelineRequest {
                contact: tess.id,
                limit: 20,
                after: None,
            })
            .await
            .is_ok_and(|page| {
                page.entries
                    .iter()
                    .any(|e| matches!(e, fieldstone_protocol::views::TimelineEntry::Task(_)))
            });
        let calendar = bea
            .api
            .bookings_between(fieldstone_protocol::commands::BookingWindow {
                from: t0(),
                to: t0() + Span::hours(12),
            })
            .await;
        let has_showing = calendar.is_ok_and(|b| !b.is_empty());
        if held.len() == 3 && has_showing && has_task {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the team's records never arrived: {held:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let day = today(&bea).await;
    let titles: Vec<&str> = day.due_today.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Call Olga"], "Ann's follow-up is not Bea's to do");
    assert!(day.bookings.is_empty(), "{:?}", day.bookings);
    let people: Vec<String> = day
        .call_now
        .iter()
        .chain(&day.new_leads)
        .map(|c| c.display_name.clone())
        .collect();
    assert!(people.contains(&"Olga Own".to_owned()), "{people:?}");
    assert!(
        people.contains(&"Sam Shared".to_owned()),
        "shared: {people:?}"
    );
    assert!(!people.contains(&"Tess Lead".to_owned()), "{people:?}");
    assert!(
        day.activity.iter().all(|a| a.contact != tess.id),
        "{:?}",
        day.activity
    );
    // A showing at the time of Ann's is no clash for Bea.
    let clashes = bea
        .api
        .check_overlaps(OverlapCheck {
            starts_at: t0() + Span::hours(3),
            ends_at: t0() + Span::hours(4),
            except: None,
        })
        .await
        .expect("overlaps");
    assert!(clashes.is_empty(), "{clashes:?}");
    // Ann's own Today is all hers, as before.
    let hers = today(&ann).await;
    assert_eq!(hers.due_today.len(), 1);
    assert_eq!(hers.bookings.len(), 1);
    drop(server);
}
