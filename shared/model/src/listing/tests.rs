use super::*;
use crate::choice::assert_choice_names;
use crate::common::SoftDelete;
use crate::measure::AreaUnit;
use crate::test_support::{assert_json_round_trip, at, user, uuid};

fn input() -> ListingInput {
    ListingInput {
        address: Address {
            line1: "12 Elm Street".into(),
            line2: None,
            city: "Springfield".into(),
            region: Some("IL".into()),
            postal_code: Some("62701".into()),
            country: "us".into(),
            latitude: Some(39.78),
            longitude: Some(-89.65),
        },
        price: 425_000,
        currency: " usd ".into(),
        beds: Some(3),
        baths: Some(Baths(25)),
        living_area: Some(Area::new(1850, AreaUnit::SquareFeet)),
        lot_area: Some(Area::new(650, AreaUnit::SquareMetres)),
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        description: "  Bright family home.\n\nNew roof 2023.  ".into(),
        features: vec!["Garage".into(), "garage".into(), " Fireplace ".into()],
        media: vec![
            Media {
                kind: MediaKind::Floorplan,
                uri: "plans/ground.pdf".into(),
                caption: None,
            },
            Media {
                kind: MediaKind::Photo,
                uri: "photos/front.jpg".into(),
                caption: Some("Front".into()),
            },
            Media {
                kind: MediaKind::ExternalTour,
                uri: "https://tours.example.com/12-elm".into(),
                caption: None,
            },
        ],
        open_houses: vec![OpenHouse {
            starts_at: at(2025, 5, 10, 14, 0),
            ends_at: at(2025, 5, 10, 16, 0),
        }],
        mls_number: Some(" IL-2025-00123 ".into()),
    }
}

fn fields(input: &ListingInput) -> Vec<String> {
    let errors = input.validate().expect_err("invalid");
    errors.0.into_iter().map(|e| e.field).collect()
}

fn stored() -> Listing {
    let valid = input().validate().expect("valid");
    Listing::create(
        ListingId::from_uuid(uuid(5)),
        valid,
        user(1),
        at(2025, 4, 1, 9, 0),
    )
}

#[test]
fn choices_are_consistent() {
    assert_choice_names::<PropertyType>();
    assert_choice_names::<ListingStatus>();
    assert_choice_names::<Visibility>();
    assert_eq!(PropertyType::MultiFamily.as_str(), "multi_family");
    assert_eq!(Visibility::default(), Visibility::Private);
}

#[test]
fn a_full_listing_is_normalised() {
    let valid = input().validate().expect("valid");
    assert_eq!(valid.currency, "USD");
    assert_eq!(valid.address.country, "US");
    assert_eq!(valid.description, "Bright family home.\n\nNew roof 2023.");
    assert_eq!(valid.features, ["Garage", "Fireplace"]);
    assert_eq!(valid.mls_number.as_deref(), Some("IL-2025-00123"));
}

#[test]
fn price_must_be_positive_and_plausible() {
    let mut bad = input();
    bad.price = 0;
    assert_eq!(fields(&bad), ["price"]);
    bad.price = crate::MONEY_MAX + 1;
    assert_eq!(fields(&bad), ["price"]);
}

#[test]
fn currency_must_be_iso_4217() {
    for code in ["", "US", "DOLLARS", "ABC"] {
        let mut bad = input();
        bad.currency = code.into();
        assert_eq!(fields(&bad), ["currency"], "{code}");
    }
}

#[test]
fn rooms_and_areas_are_bounded() {
    let mut bad = input();
    bad.beds = Some(crate::measure::BEDS_MAX + 1);
    bad.baths = Some(Baths(22));
    bad.living_area = Some(Area::new(0, AreaUnit::SquareFeet));
    bad.lot_area = Some(Area::new(
        crate::measure::AREA_MAX + 1,
        AreaUnit::SquareMetres,
    ));
    assert_eq!(fields(&bad), ["beds", "baths", "living_area", "lot_area"]);
}

#[test]
fn land_needs_no_rooms() {
    let mut land = input();
    land.property_type = PropertyType::Land;
    land.beds = None;
    land.baths = None;
    land.living_area = None;
    assert!(land.validate().is_ok());
}

#[test]
fn text_limits() {
    let mut bad = input();
    bad.description = "d".repeat(DESCRIPTION_MAX_CHARS + 1);
    bad.features = vec!["f".repeat(FEATURE_MAX_CHARS + 1)];
    assert_eq!(fields(&bad), ["description", "features.0"]);
    let mut many = input();
    many.features = (0..=FEATURES_MAX).map(|i| format!("feature {i}")).collect();
    assert_eq!(fields(&many), ["features"]);
}

#[test]
fn mls_numbers() {
    let mut ok = input();
    ok.mls_number = Some("  ".into());
    assert_eq!(ok.validate().expect("valid").mls_number, None);
    for bad_number in ["ML S1", "MLS#1", &"1".repeat(MLS_NUMBER_MAX_CHARS + 1)] {
        let mut bad = input();
        bad.mls_number = Some(bad_number.into());
        assert_eq!(fields(&bad), ["mls_number"], "{bad_number}");
    }
    let mut max = input();
    max.mls_number = Some("A".repeat(MLS_NUMBER_MAX_CHARS));
    assert!(max.validate().is_ok());
}

#[test]
fn nested_problems_use_dotted_paths() {
    let mut bad = input();
    bad.address.country = "XX".into();
    bad.media[1].uri = "../secret.jpg".into();
    bad.open_houses[0].ends_at = bad.open_houses[0].starts_at;
    assert_eq!(
        fields(&bad),
        ["address.country", "media.1.uri", "open_houses.0.ends_at"]
    );
}

#[test]
fn public_listing_rules() {
    let mut listing = stored();
    assert!(listing.is_publicly_listed());
    listing.status = ListingStatus::Pending;
    assert!(listing.is_publicly_listed());
    listing.status = ListingStatus::Sold;
    assert!(!listing.is_publicly_listed());
    listing.status = ListingStatus::Active;
    listing.visibility = Visibility::Exclusive;
    assert!(!listing.is_publicly_listed());
    listing.visibility = Visibility::Public;
    listing.soft_delete(at(2025, 6, 1, 0, 0));
    assert!(!listing.is_publicly_listed());
}

#[test]
fn next_open_house_and_cover_photo() {
    let mut listing = stored();
    listing.open_houses.push(OpenHouse {
        starts_at: at(2025, 5, 17, 14, 0),
        ends_at: at(2025, 5, 17, 16, 0),
    });
    let first = listing.open_houses[0];
    assert_eq!(listing.next_open_house(at(2025, 5, 1, 0, 0)), Some(&first));
    assert_eq!(
        listing.next_open_house(at(2025, 5, 10, 15, 0)),
        Some(&first)
    );
    let second = listing.open_houses[1];
    assert_eq!(
        listing.next_open_house(at(2025, 5, 10, 16, 0)),
        Some(&second)
    );
    assert_eq!(listing.next_open_house(at(2025, 6, 1, 0, 0)), None);
    assert_eq!(
        listing.cover_photo().map(|m| m.uri.as_str()),
        Some("photos/front.jpg")
    );
}

#[test]
fn apply_and_to_input_round_trip() {
    let mut listing = stored();
    assert_eq!(
        listing.to_input().validate().expect("valid").into_inner(),
        listing.to_input()
    );
    let mut edit = listing.to_input();
    edit.price = 410_000;
    edit.status = ListingStatus::Pending;
    listing.apply(edit.validate().expect("valid"), at(2025, 5, 1, 0, 0));
    assert_eq!(listing.price, 410_000);
    assert_eq!(listing.status, ListingStatus::Pending);
    assert_eq!(listing.id, ListingId::from_uuid(uuid(5)));
    assert_eq!(listing.created_at, at(2025, 4, 1, 9, 0));
    assert_eq!(listing.updated_at, at(2025, 5, 1, 0, 0));
}

#[test]
fn listings_round_trip_through_json() {
    assert_json_round_trip(&stored());
    assert_json_round_trip(&input());
}
