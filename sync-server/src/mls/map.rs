//! A RESO Data Dictionary `Property` record as a Fieldstone listing: status, prices, address
//! parts, rooms, areas, kind, remarks and the MLS number map onto `ListingInput`; what does
//! not fit the listing is refused with the reasons a person can read (the run's report lists
//! them). Plain data in, plain data out, so it is tested without a network.

use fieldstone_model::listing::DESCRIPTION_MAX_CHARS;
use fieldstone_model::{
    Address, Area, AreaUnit, Baths, ListingInput, ListingStatus, PropertyType, Visibility,
};
use serde::Deserialize;
use serde_json::Value;

/// The Property fields Fieldstone maps (its `$select`, less what the server's `$metadata`
/// does not have).
pub const FIELDS: &[&str] = &[
    "ListingKey",
    "ListingId",
    "StandardStatus",
    "ListPrice",
    "ClosePrice",
    "UnparsedAddress",
    "StreetNumber",
    "StreetName",
    "StreetSuffix",
    "UnitNumber",
    "City",
    "StateOrProvince",
    "PostalCode",
    "Country",
    "Latitude",
    "Longitude",
    "BedroomsTotal",
    "BathroomsTotalInteger",
    "BathroomsFull",
    "BathroomsHalf",
    "LivingArea",
    "LivingAreaUnits",
    "LotSizeArea",
    "LotSizeUnits",
    "PropertyType",
    "PropertySubType",
    "YearBuilt",
    "PublicRemarks",
    "ListAgentKey",
    "ListOfficeMlsId",
    "ModificationTimestamp",
    "OriginatingSystemName",
];

/// One `Property` record as the Web API sends it (unknown fields ignored; every field may be
/// missing or null).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Property {
    pub listing_key: Option<String>,
    pub listing_id: Option<String>,
    pub standard_status: Option<String>,
    pub list_price: Option<f64>,
    pub close_price: Option<f64>,
    pub unparsed_address: Option<String>,
    pub street_number: Option<String>,
    pub street_name: Option<String>,
    pub street_suffix: Option<String>,
    pub unit_number: Option<String>,
    pub city: Option<String>,
    pub state_or_province: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub bedrooms_total: Option<f64>,
    pub bathrooms_total_integer: Option<f64>,
    pub bathrooms_full: Option<f64>,
    pub bathrooms_half: Option<f64>,
    pub living_area: Option<f64>,
    pub living_area_units: Option<String>,
    pub lot_size_area: Option<f64>,
    pub lot_size_units: Option<String>,
    pub property_type: Option<String>,
    pub property_sub_type: Option<String>,
    pub year_built: Option<i64>,
    pub public_remarks: Option<String>,
    pub list_agent_key: Option<String>,
    pub list_office_mls_id: Option<String>,
    pub modification_timestamp: Option<String>,
    #[serde(rename = "Media")]
    pub media: Option<Vec<Value>>,
}

/// What the organisation's MLS settings add to every record.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// ISO 4217, for prices (RESO prices carry no currency).
    pub currency: String,
    /// ISO 3166-1 alpha-2, when a record names no country.
    pub country: String,
    pub visibility: Visibility,
}

/// `StandardStatus` as a listing's status; `None` for a value the Data Dictionary does not
/// have.
pub fn status(standard: &str) -> Option<ListingStatus> {
    Some(match standard {
        "Active" | "ComingSoon" | "Coming Soon" => ListingStatus::Active,
        "ActiveUnderContract" | "Active Under Contract" | "Pending" => ListingStatus::Pending,
        "Closed" => ListingStatus::Sold,
        "Hold" | "Withdrawn" | "Expired" | "Canceled" | "Cancelled" | "Delete" | "Incomplete" => {
            ListingStatus::Withdrawn
        }
        _ => return None,
    })
}

fn kind(property_type: Option<&str>, sub_type: Option<&str>) -> PropertyType {
    match sub_type.unwrap_or_default() {
        "Condominium" | "Apartment" | "Stock Cooperative" | "StockCooperative" => {
            return PropertyType::Condo
        }
        "Townhouse" => return PropertyType::Townhouse,
        "Duplex" | "Triplex" | "Quadruplex" | "MultiFamily" => return PropertyType::MultiFamily,
        _ => {}
    }
    match property_type.unwrap_or_default() {
        "Land" | "Farm" => PropertyType::Land,
        "Commercial Sale" | "Commercial Lease" | "Business Opportunity" => PropertyType::Commercial,
        "Residential Income" => PropertyType::MultiFamily,
        "Residential" | "Residential Lease" => PropertyType::House,
        _ => PropertyType::Other,
    }
}

fn whole(value: f64, what: &str) -> Result<u64, String> {
    if !value.is_finite() || !(0.0..=1e15).contains(&value) {
        return Err(format!("{what} is not an amount ({value})"));
    }
    Ok(value.round() as u64)
}

fn area(value: Option<f64>, units: Option<&str>, what: &str) -> Result<Option<Area>, String> {
    let Some(value) = value.filter(|v| *v > 0.0) else {
        return Ok(None);
    };
    let (value, unit) = match units.unwrap_or("Square Feet") {
        "Square Feet" | "SquareFeet" => (value, AreaUnit::SquareFeet),
        "Square Meters" | "SquareMeters" | "Square Metres" => (value, AreaUnit::SquareMetres),
        "Acres" => (value * 43_560.0, AreaUnit::SquareFeet),
        "Hectares" => (value * 10_000.0, AreaUnit::SquareMetres),
        other => {
            return Err(format!(
                "{what} is in a unit Fieldstone does not know ({other})"
            ))
        }
    };
    let value = u32::try_from(whole(value, what)?).map_err(|_| format!("{what} is too large"))?;
    Ok(Some(Area::new(value, unit)))
}

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The listing a record describes, before the model's own checks; or why it cannot be one.
pub fn listing_input(p: &Property, defaults: &Defaults) -> Result<ListingInput, String> {
    let standard = p.standard_status.as_deref().unwrap_or_default();
    let status = status(standard)
        .ok_or_else(|| format!("StandardStatus {standard:?} is not one the Data Dictionary has"))?;
    let price = match (status, p.close_price, p.list_price) {
        (ListingStatus::Sold, Some(close), _) => whole(close, "ClosePrice")?,
        (_, _, Some(list)) => whole(list, "ListPrice")?,
        _ => return Err("it has no ListPrice".into()),
    };
    let street = [&p.street_number, &p.street_name, &p.street_suffix]
        .into_iter()
        .filter_map(text)
        .collect::<Vec<_>>()
        .join(" ");
    let line1 = if street.is_empty() {
        text(&p.unparsed_address).unwrap_or_default()
    } else {
        street
    };
    let beds = p
        .bedrooms_total
        .map(|b| whole(b, "BedroomsTotal"))
        .transpose()?
        .map(|b| u8::try_from(b).map_err(|_| format!("BedroomsTotal {b} is too many")))
        .transpose()?;
    let baths = match (
        p.bathrooms_full,
        p.bathrooms_half,
        p.bathrooms_total_integer,
    ) {
        (Some(full), half, _) => {
            let full = whole(full, "BathroomsFull")?;
            let half = half
                .map(|h| whole(h, "BathroomsHalf"))
                .transpose()?
                .unwrap_or(0);
            Some(full * 10 + if half > 0 { 5 } else { 0 })
        }
        (None, _, Some(total)) => Some(whole(total, "BathroomsTotalInteger")? * 10),
        _ => None,
    }
    .map(|tenths| {
        u16::try_from(tenths)
            .map(Baths::from_tenths)
            .map_err(|_| "the bathrooms are too many".to_owned())
    })
    .transpose()?;
    let mut description = text(&p.public_remarks).unwrap_or_default();
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        description = description.chars().take(DESCRIPTION_MAX_CHARS).collect();
    }
    let features = p
        .year_built
        .filter(|y| (1600..=2200).contains(y))
        .map(|y| vec![format!("Built {y}")])
        .unwrap_or_default();
    Ok(ListingInput {
        address: Address {
            line1,
            line2: text(&p.unit_number).map(|u| format!("Unit {u}")),
            city: text(&p.city).unwrap_or_default(),
            region: text(&p.state_or_province),
            postal_code: text(&p.postal_code),
            country: text(&p.country).unwrap_or_else(|| defaults.country.clone()),
            latitude: p.latitude.filter(|_| p.longitude.is_some()),
            longitude: p.longitude.filter(|_| p.latitude.is_some()),
        },
        price,
        currency: defaults.currency.clone(),
        beds,
        baths,
        living_area: area(p.living_area, p.living_area_units.as_deref(), "LivingArea")?,
        lot_area: area(p.lot_size_area, p.lot_size_units.as_deref(), "LotSizeArea")?,
        property_type: kind(p.property_type.as_deref(), p.property_sub_type.as_deref()),
        status,
        visibility: defaults.visibility,
        description,
        features,
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: text(&p.listing_id).or_else(|| text(&p.listing_key)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults {
            currency: "USD".into(),
            country: "US".into(),
            visibility: Visibility::Private,
        }
    }

    fn record(json: Value) -> Property {
        serde_json::from_value(json).expect("a record")
    }

    #[test]
    fn a_full_record_maps_onto_a_listing_that_the_model_accepts() {
        let p = record(serde_json::json!({
            "ListingKey": "K1", "ListingId": "MLS-1001", "StandardStatus": "ActiveUnderContract",
            "ListPrice": 425000.0, "StreetNumber": "12", "StreetName": "Elm", "StreetSuffix": "St",
            "UnitNumber": "4B", "City": "Springfield", "StateOrProvince": "IL", "PostalCode": "62701",
            "Latitude": 39.78, "Longitude": -89.65, "BedroomsTotal": 3, "BathroomsFull": 2,
            "BathroomsHalf": 1, "LivingArea": 1850, "LivingAreaUnits": "Square Feet",
            "LotSizeArea": 0.25, "LotSizeUnits": "Acres", "PropertyType": "Residential",
            "PropertySubType": "Townhouse", "YearBuilt": 1998, "PublicRemarks": "Sunny.",
            "ModificationTimestamp": "2026-11-01T10:00:00Z", "Media": [{"MediaURL": "https://x/1.jpg"}],
            "SomethingElse": 1
        }));
        let input = listing_input(&p, &defaults()).expect("maps");
        assert_eq!(input.status, ListingStatus::Pending);
        assert_eq!(input.price, 425_000);
        assert_eq!(input.address.line1, "12 Elm St");
        assert_eq!(input.address.line2.as_deref(), Some("Unit 4B"));
        assert_eq!(input.address.country, "US");
        assert_eq!(input.baths, Some(Baths::from_halves(5)));
        assert_eq!(
            input.lot_area,
            Some(Area::new(10_890, AreaUnit::SquareFeet))
        );
        assert_eq!(input.property_type, PropertyType::Townhouse);
        assert_eq!(input.features, ["Built 1998"]);
        assert_eq!(input.mls_number.as_deref(), Some("MLS-1001"));
        assert_eq!(p.media.as_ref().map(Vec::len), Some(1));
        input.validate().expect("the model accepts it");
    }

    #[test]
    fn what_cannot_be_a_listing_says_why() {
        let no_price = record(serde_json::json!({"ListingKey": "K", "StandardStatus": "Active"}));
        assert_eq!(
            listing_input(&no_price, &defaults()).expect_err("refused"),
            "it has no ListPrice"
        );
        let odd = record(
            serde_json::json!({"ListingKey": "K", "StandardStatus": "Sideways", "ListPrice": 1.0}),
        );
        assert!(listing_input(&odd, &defaults())
            .expect_err("refused")
            .contains("Sideways"));
        let negative = record(serde_json::json!({"StandardStatus": "Active", "ListPrice": -5.0}));
        assert!(listing_input(&negative, &defaults())
            .expect_err("refused")
            .contains("not an amount"));
        let unit = record(
            serde_json::json!({"StandardStatus": "Active", "ListPrice": 5.0, "LivingArea": 3.0, "LivingAreaUnits": "Cubits"}),
        );
        assert!(listing_input(&unit, &defaults())
            .expect_err("refused")
            .contains("Cubits"));
        // A sold listing's price is what it closed at.
        let sold = record(
            serde_json::json!({"StandardStatus": "Closed", "ListPrice": 500.0, "ClosePrice": 480.0}),
        );
        assert_eq!(listing_input(&sold, &defaults()).expect("maps").price, 480);
        // No address: mapped, and the model's own check names the field.
        let bare = record(serde_json::json!({"StandardStatus": "Active", "ListPrice": 5.0}));
        let errors = listing_input(&bare, &defaults())
            .expect("maps")
            .validate()
            .expect_err("no address");
        assert!(errors.for_field("address.line1").is_some(), "{errors:?}");
    }
}
