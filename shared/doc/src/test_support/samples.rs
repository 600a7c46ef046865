//! One fixed record of every kind (and a minimal one where the kind has optional parts), used by
//! each kind's tests and frozen by the golden documents: change one and its golden file no
//! longer matches.

use super::{at, contact_id, user};
use fieldstone_model::contact::Preferences;
use fieldstone_model::{
    Address, Area, AreaUnit, Attendees, Baths, Booking, BookingId, BookingKind, BookingStatus,
    Channel, Consent, Consents, Contact, ContactKind, ContactLabel, CustomValue, Direction,
    EmailEntry, Interaction, InteractionId, LeadSource, Listing, ListingId, ListingStatus, Media,
    MediaKind, Message, MessageChannel, MessageEvent, MessageEventKind, MessageId, MessagePurpose,
    MessageResult, MessageStatus, Note, NoteId, OpenHouse, PhoneEntry, Priority, PropertyType,
    RecordRef, Stage, Task, TaskId, TaskKind, TaskStatus, Visibility,
};

fn listing_id() -> ListingId {
    ListingId::from_uuid(uuid::Uuid::from_u128(5))
}

/// Every part of a contact filled in, with a stage change in its history.
pub(crate) fn contact() -> Contact {
    let mut c = Contact {
        id: contact_id(7),
        kind: ContactKind::Both,
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        emails: vec![
            EmailEntry {
                address: "ada@example.com".into(),
                label: ContactLabel::Home,
                primary: true,
            },
            EmailEntry {
                address: "ada@work.example.com".into(),
                label: ContactLabel::Work,
                primary: false,
            },
        ],
        phones: vec![PhoneEntry {
            number: "+44 20 7946 0958".into(),
            label: ContactLabel::Mobile,
            primary: true,
        }],
        instagram: Some("adahomes".into()),
        whatsapp: None,
        source: LeadSource::Zillow,
        source_detail: Some("Zillow premier".into()),
        tags: ["vip".to_owned(), "first time buyer".to_owned()].into(),
        stage: Stage::Lead,
        stage_history: Vec::new(),
        priority: Priority::High,
        preferences: Preferences {
            budget_min: Some(300_000),
            budget_max: Some(450_000),
            areas: vec!["Camden".into(), "Islington".into()],
            property_types: [PropertyType::House, PropertyType::Condo].into(),
            bedrooms_min: Some(2),
            bathrooms_min: Some(Baths::from_halves(3)),
            move_in: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
            must_haves: vec!["garden".into()],
        },
        custom_fields: [
            ("Score".to_owned(), CustomValue::Number(7.5)),
            ("Pre-approved".to_owned(), CustomValue::Bool(true)),
            (
                "Lease ends".to_owned(),
                CustomValue::Date(chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")),
            ),
            (
                "Broker".to_owned(),
                CustomValue::Text("Jane at Acme".into()),
            ),
        ]
        .into(),
        consent: Consents {
            email: Consent::granted("web form opt-in", at(1)),
            sms: Consent::denied("said so on a call", at(2)),
            call: Consent::default(),
        },
        owner: user(1),
        assigned_agent: Some(user(2)),
        last_contacted_at: Some(at(5)),
        time_zone: Some("America/Los_Angeles".into()),
        created_at: at(0),
        updated_at: at(10),
        deleted_at: None,
    };
    c.set_stage(Stage::Qualified, at(3), user(2));
    c
}

pub(crate) fn listing() -> Listing {
    Listing {
        id: listing_id(),
        address: Address {
            line1: "12 Elm St".into(),
            line2: Some("Flat 2".into()),
            city: "Camden".into(),
            region: None,
            postal_code: Some("NW1 8AB".into()),
            country: "GB".into(),
            latitude: Some(51.539),
            longitude: Some(-0.1426),
        },
        price: 425_000,
        currency: "GBP".into(),
        beds: Some(3),
        baths: Some(Baths::from_halves(3)),
        living_area: Some(Area {
            value: 1200,
            unit: AreaUnit::SquareFeet,
        }),
        lot_area: None,
        property_type: PropertyType::Townhouse,
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        description: "Bright townhouse — café on the corner.".into(),
        features: vec!["garden".into(), "parking".into()],
        media: vec![
            Media {
                kind: MediaKind::Photo,
                uri: "photos/front.jpg".into(),
                caption: Some("Front".into()),
            },
            Media {
                kind: MediaKind::ExternalTour,
                uri: "https://tours.example.com/elm".into(),
                caption: None,
            },
        ],
        open_houses: vec![OpenHouse {
            starts_at: at(3_600_000),
            ends_at: at(7_200_000),
        }],
        mls_number: Some("MLS-1".into()),
        owner: user(1),
        created_at: at(0),
        updated_at: at(0),
        deleted_at: None,
    }
}

/// Every optional field set, every list populated.
pub(crate) fn booking() -> Booking {
    Booking {
        id: BookingId::from_uuid(uuid::Uuid::from_u128(21)),
        kind: BookingKind::Showing,
        title: Some("Besichtigung — Müllerstraße 5".into()),
        starts_at: at(86_400_000),
        ends_at: at(86_400_000 + 3_600_000),
        time_zone: "Europe/Berlin".into(),
        location: Some("Café am Eck, Müllerstraße 5".into()),
        attendees: Attendees {
            contacts: vec![contact_id(7), contact_id(8)],
            users: vec![user(1)],
        },
        listing: Some(listing_id()),
        status: BookingStatus::Scheduled,
        reminders: vec![15, 60, 1_440],
        created_by: user(1),
        created_at: at(0),
        updated_at: at(0),
        deleted_at: Some(at(60_000)),
    }
}

/// Every optional field empty, every list empty. (The only required text is the IANA zone name,
/// which is ASCII; non-ASCII text is covered by the full booking's title and location.)
pub(crate) fn minimal_booking() -> Booking {
    Booking {
        kind: BookingKind::Call,
        title: None,
        time_zone: "Asia/Tokyo".into(),
        location: None,
        attendees: Attendees::default(),
        listing: None,
        reminders: Vec::new(),
        deleted_at: None,
        ..booking()
    }
}

pub(crate) fn note(body: &str) -> Note {
    Note {
        id: NoteId::from_uuid(uuid::Uuid::from_u128(3)),
        record: RecordRef::Contact(contact_id(7)),
        author: user(1),
        body: body.into(),
        pinned: true,
        created_at: at(0),
        updated_at: at(0),
        deleted_at: None,
    }
}

/// Every optional field set.
pub(crate) fn interaction() -> Interaction {
    Interaction {
        id: InteractionId::from_uuid(uuid::Uuid::from_u128(11)),
        contact: contact_id(7),
        listing: Some(listing_id()),
        channel: Channel::Call,
        direction: Direction::Outbound,
        summary: "Discussed the Elm St offer.\nThey want a second viewing.".into(),
        outcome: Some("Will counter at 410k".into()),
        duration_seconds: Some(300),
        occurred_at: at(-3_600_000),
        logged_by: user(1),
        created_at: at(0),
        updated_at: at(0),
        deleted_at: Some(at(60_000)),
    }
}

/// Every optional field empty, non-ASCII text.
pub(crate) fn minimal_interaction() -> Interaction {
    Interaction {
        listing: None,
        channel: Channel::WhatsApp,
        direction: Direction::Inbound,
        summary: "Zpráva od pí. Dvořákové — café à 9 h, 東京の物件 🏡".into(),
        outcome: None,
        duration_seconds: None,
        deleted_at: None,
        ..interaction()
    }
}

/// Every optional field set.
pub(crate) fn task() -> Task {
    Task {
        id: TaskId::from_uuid(uuid::Uuid::from_u128(31)),
        title: "Day 1 follow-up".into(),
        due_at: Some(at(86_400_000)),
        priority: Priority::High,
        status: TaskStatus::Completed,
        kind: TaskKind::Day1,
        record: Some(RecordRef::Contact(contact_id(7))),
        owner: user(1),
        closed_at: Some(at(3_600_000)),
        created_at: at(0),
        updated_at: at(3_600_000),
        deleted_at: Some(at(7_200_000)),
    }
}

/// Every optional field empty, non-ASCII text; an open task.
pub(crate) fn minimal_task() -> Task {
    Task {
        title: "Rappeler Mme Lefèvre — 電話 📞".into(),
        due_at: None,
        priority: Priority::Medium,
        status: TaskStatus::Pending,
        kind: TaskKind::Custom,
        record: None,
        closed_at: None,
        deleted_at: None,
        ..task()
    }
}

/// An email the server has sent, with a delivery, an open and a click reported.
pub(crate) fn message() -> Message {
    Message {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(13)),
        contact: contact_id(7),
        channel: MessageChannel::Email,
        purpose: MessagePurpose::Marketing,
        to: "ada@example.com".into(),
        subject: Some("Three homes near the park".into()),
        body: "Hi Ada,\n\nThree homes fit what you asked for.".into(),
        body_html: Some("<p>Hi Ada,</p><p>Three homes fit what you asked for.</p>".into()),
        task: Some(TaskId::from_uuid(uuid::Uuid::from_u128(12))),
        written_by: user(1),
        result: MessageResult {
            status: MessageStatus::Clicked,
            reason: None,
            provider_id: Some("<m-13@mail.example.com>".into()),
            attempts: 1,
            status_at: Some(at(180_000)),
            events: vec![
                MessageEvent {
                    at: at(60_000),
                    kind: MessageEventKind::Delivered,
                    url: None,
                    user_agent: None,
                    provider_event: Some("sg-delivered-1".into()),
                },
                MessageEvent {
                    at: at(120_000),
                    kind: MessageEventKind::Opened,
                    url: None,
                    user_agent: Some("Mozilla/5.0 (iPhone)".into()),
                    provider_event: None,
                },
                MessageEvent {
                    at: at(180_000),
                    kind: MessageEventKind::Clicked,
                    url: Some("https://homes.example.com/12-elm".into()),
                    user_agent: Some("Mozilla/5.0 (iPhone)".into()),
                    provider_event: None,
                },
            ],
        },
        created_at: at(0),
        updated_at: at(180_000),
        deleted_at: None,
    }
}

/// A queued text with non-ASCII text: nothing optional set.
pub(crate) fn minimal_message() -> Message {
    Message {
        channel: MessageChannel::Sms,
        purpose: MessagePurpose::OneToOne,
        to: "+420 601 234 567".into(),
        subject: None,
        body: "Dobrý den, prohlídka v sobotu ve 14 h? 🏡".into(),
        body_html: None,
        task: None,
        result: MessageResult::queued(),
        updated_at: at(0),
        ..message()
    }
}

/// A running A/B-tested broadcast with the server's counts so far and a winner.
pub(crate) fn campaign() -> fieldstone_model::campaign::record::Campaign {
    use fieldstone_model::campaign::audience::Audience;
    use fieldstone_model::campaign::record::{
        Campaign, CampaignId, CampaignResult, StepCounts, StepWinner,
    };
    use fieldstone_model::campaign::{
        AbMetric, AbTest, CampaignInput, CampaignKind, CampaignStatus, CampaignStep, Schedule,
        Split, StepChannel, Variation,
    };
    let variation = |label: &str, subject: &str| Variation {
        label: label.into(),
        percent: 50,
        subject: subject.into(),
        body: "Hi {{ first_name | default('there') }}, three homes near the park — café included."
            .into(),
    };
    let counts = |variation: &str, sent: u64, opened: u64| StepCounts {
        step: 0,
        variation: variation.into(),
        sent,
        delivered: sent - 1,
        opened,
        clicked: opened / 4,
        replied: 2,
        unsubscribed: 1,
        bounced: 1,
        refused: 3,
        bookings: 1,
    };
    Campaign {
        id: CampaignId::from_uuid(uuid::Uuid::from_u128(31)),
        spec: CampaignInput {
            name: "Spring near the park".into(),
            kind: CampaignKind::Broadcast,
            audience: Audience {
                stages: vec![Stage::Lead, Stage::Qualified],
                tags: vec!["buyer".into()],
                ..Audience::default()
            },
            trigger: None,
            steps: vec![CampaignStep {
                channel: StepChannel::Email,
                wait_days: 0,
                variations: vec![
                    variation("A", "Homes near the park"),
                    variation("B", "Three homes you asked about"),
                ],
            }],
            schedule: Schedule::default(),
            ab: Some(AbTest {
                metric: AbMetric::Open,
                decide_after_hours: Some(24),
                min_per_variation: 100,
                split: Split {
                    control_percent: 10,
                    winner_to_rest: true,
                    test_percent: 30,
                },
                ..AbTest::default()
            }),
            exit: Default::default(),
        },
        status: CampaignStatus::Running,
        status_at: Some(at(60_000)),
        launched_at: Some(at(60_000)),
        owner: user(1),
        result: CampaignResult {
            enrolled: 1_000,
            left: 0,
            counts: vec![
                counts("A", 150, 40),
                counts("B", 150, 61),
                // The control group is sent nothing; its bookings are the baseline.
                StepCounts {
                    step: 0,
                    variation: "control".into(),
                    bookings: 1,
                    ..StepCounts::default()
                },
            ],
            winners: vec![StepWinner {
                step: 0,
                variation: "B".into(),
                decided_at: at(86_460_000),
            }],
            finished_at: None,
        },
        created_at: at(0),
        updated_at: at(60_000),
        deleted_at: None,
    }
}
