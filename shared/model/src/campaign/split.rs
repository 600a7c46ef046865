//! Which variation a recipient gets: decided from the campaign's and the contact's ids alone,
//! so the server that sends and the device that shows the split agree without talking, a
//! restart or a second server process gives the same answer, and a contact never gets A on one
//! step and B on the next.
//!
//! The bucket is a hash of the two ids into 0..10,000 (hundredths of a percent). The hash is
//! FNV-1a over the 32 id bytes followed by MurmurHash3's 64-bit finaliser, written out here on
//! purpose: it must give the same bucket for ever, on every platform, and `std`'s hasher (or a
//! crate's "fast" hasher) promises no such thing across versions.

use super::Split;
use uuid::Uuid;

/// Buckets in the whole audience (hundredths of a percent).
pub const BUCKETS: u32 = 10_000;

/// Where one recipient falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Assignment {
    /// Held back: gets nothing, so the campaign's effect can be measured against them.
    Control,
    /// In the test, with this variation (index into the step's variations).
    Variation(usize),
    /// Outside the test: waits for the winner (when the agent asked to send it to the rest).
    Rest,
}

/// `contact`'s bucket in `campaign`, 0..[`BUCKETS`].
pub fn bucket(campaign: Uuid, contact: Uuid) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for byte in campaign.as_bytes().iter().chain(contact.as_bytes()) {
        h ^= u64::from(*byte);
        h = h.wrapping_mul(PRIME);
    }
    // FNV alone leaves the last bytes poorly mixed into the high bits; the finaliser spreads
    // every input bit over the whole word before the modulo.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h % u64::from(BUCKETS)) as u32
}

/// Where `contact` falls in `campaign` with `split` over variations of `percents` (summing to
/// 100, as a checked campaign has them): the first `control_percent` of the buckets are the
/// control group, the next `test_percent` are shared among the variations by their percents,
/// and the remainder (if any) is the rest.
pub fn assign(campaign: Uuid, contact: Uuid, split: &Split, percents: &[u8]) -> Assignment {
    place(bucket(campaign, contact), split, percents)
}

/// [`assign`] for a known bucket.
pub fn place(bucket: u32, split: &Split, percents: &[u8]) -> Assignment {
    let control = u32::from(split.control_percent) * 100;
    if bucket < control {
        return Assignment::Control;
    }
    let test = u32::from(split.test_percent()) * 100;
    let into_test = bucket - control;
    if into_test >= test || percents.is_empty() {
        return Assignment::Rest;
    }
    // Shares of the test group by the variations' percents; the last variation takes what
    // integer division leaves, so every bucket of the test group has a variation.
    let mut edge = 0u32;
    for (i, pct) in percents.iter().enumerate() {
        edge += test * u32::from(*pct) / 100;
        if into_test < edge {
            return Assignment::Variation(i);
        }
    }
    Assignment::Variation(percents.len() - 1)
}
