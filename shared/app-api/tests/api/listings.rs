//! A listing through the app's commands: calls and bookings about it show on its page, and a
//! deleted listing leaves the list and comes back whole with Undo.

use crate::support::{open, person, t0};
use chrono::Duration;
use fieldstone_model::{
    Attendees, BookingInput, BookingKind, BookingStatus, Channel, Direction, InteractionInput,
};
use fieldstone_protocol::commands::CommandErrorCode;
use fieldstone_protocol::views::ListingQuery;

#[tokio::test]
async fn calls_and_bookings_about_a_listing_show_on_it_and_a_delete_is_undone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;
    let home = api
        .create_listing(fieldstone_tests::elm_street())
        .await
        .expect("listing");
    let ada = api
        .create_contact(person("Ada", "King", "ada@example.com"))
        .await
        .expect("ada");
    let call = api
        .log_interaction(InteractionInput {
            contact: ada.id,
            listing: Some(home.id),
            channel: Channel::Call,
            direction: Direction::Outbound,
            summary: "Asked about the roof".into(),
            outcome: Some("Interested".into()),
            duration_seconds: Some(300),
            occurred_at: t0(),
        })
        .await
        .expect("call");
    let visit = api
        .create_booking(BookingInput {
            kind: BookingKind::Showing,
            title: None,
            starts_at: t0() + Duration::days(1),
            ends_at: t0() + Duration::days(1) + Duration::minutes(30),
            time_zone: "America/Chicago".into(),
            location: None,
            attendees: Attendees {
                contacts: vec![ada.id],
                ..Attendees::default()
            },
            listing: Some(home.id),
            status: BookingStatus::Scheduled,
            reminders: Vec::new(),
        })
        .await
        .expect("booking");

    let activity = api.listing_activity(home.id).await.expect("activity");
    assert_eq!(activity.bookings.len(), 1);
    assert_eq!(activity.bookings[0].id, visit.booking.id);
    assert_eq!(activity.touches.len(), 1);
    assert_eq!(activity.touches[0].interaction.id, call.id);
    assert_eq!(activity.touches[0].contact_name, "Ada King");

    api.delete_listing(home.id).await.expect("delete");
    let listed = api
        .list_listings(ListingQuery::default())
        .await
        .expect("list");
    assert!(listed.is_empty(), "a deleted listing leaves the list");
    // Deleting twice is not an error: the second writes nothing.
    api.delete_listing(home.id).await.expect("again");
    let back = api.restore_listing(home.id).await.expect("restore");
    assert_eq!(back.deleted_at, None);
    let listed = api
        .list_listings(ListingQuery::default())
        .await
        .expect("list");
    assert_eq!(listed.iter().map(|l| l.id).collect::<Vec<_>>(), [home.id]);

    let ghost: fieldstone_model::ListingId =
        "00000000-0000-4000-8000-0000000000ff".parse().expect("id");
    let missing = api.delete_listing(ghost).await.expect_err("unknown");
    assert_eq!(missing.code, CommandErrorCode::NotFound);
}
