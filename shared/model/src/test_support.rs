//! Fixtures shared by the unit tests.

use crate::ids::UserId;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

/// A UTC instant from calendar parts.
pub(crate) fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("a valid test time")
}

/// A deterministic UUID: `n` in the low bits.
pub(crate) fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub(crate) fn user(n: u128) -> UserId {
    UserId::from_uuid(uuid(n))
}

/// Asserts a value survives a JSON round trip unchanged.
pub(crate) fn assert_json_round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).expect("serialises");
    let back: T = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(&back, value, "changed by a JSON round trip: {json}");
}
