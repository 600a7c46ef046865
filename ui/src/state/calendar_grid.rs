//! Where bookings sit on the calendar's time grid: each at its true start and length (on the
//! local wall clock, clipped to the day), overlapping ones side by side in lanes, and how many
//! others each overlaps ("overlaps 2"). Cancelled bookings keep their place but take no lane
//! from the others' count of clashes.

use super::format::Local;
use chrono::{NaiveDate, Timelike};
use fieldstone_model::BookingStatus;
use fieldstone_protocol::views::BookingSummary;

/// Height of one hour on the grid, in pixels (the same at every width, so a glance reads time).
pub const HOUR_PX: u32 = 56;
/// The shortest a booking is drawn, in minutes: a five-minute call stays tappable.
pub const MIN_DRAWN_MINUTES: u32 = 20;

/// One booking placed on a day's grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed<'a> {
    pub booking: &'a BookingSummary,
    /// Minutes from the grid's first hour to the booking's start (clipped to the grid).
    pub top: u32,
    /// Drawn length in minutes (at least [`MIN_DRAWN_MINUTES`], clipped to the grid's end).
    pub length: u32,
    pub lane: u32,
    /// Lanes in its group of overlapping bookings.
    pub lanes: u32,
    /// How many other bookings (not cancelled) share time with it.
    pub overlaps: u32,
}

impl Placed<'_> {
    /// The CSS the grid needs, as `property:value;` pairs for [`crate::services::platform`] to
    /// set through the CSSOM (the CSP allows no inline style attributes).
    pub fn layout(&self, grid_minutes: u32) -> String {
        let pct = |minutes: u32| f64::from(minutes) * 100.0 / f64::from(grid_minutes.max(1));
        let width = 100.0 / f64::from(self.lanes.max(1));
        format!(
            "top:{:.3}%;height:{:.3}%;left:{:.3}%;width:{:.3}%",
            pct(self.top),
            pct(self.length),
            width * f64::from(self.lane),
            width
        )
    }
}

fn takes_time(b: &BookingSummary) -> bool {
    b.status != BookingStatus::Cancelled && b.deleted_at.is_none()
}

/// The bookings of local day `day` on a grid running `first_hour..last_hour` (exclusive end).
pub fn place<'a>(
    bookings: &[&'a BookingSummary],
    local: Local,
    day: NaiveDate,
    first_hour: u32,
    last_hour: u32,
) -> Vec<Placed<'a>> {
    let grid = last_hour.saturating_sub(first_hour) * 60;
    let (day_start, day_end) = local.day(day);
    let minute_of = |at: chrono::DateTime<chrono::Utc>| -> u32 {
        if at <= day_start {
            0
        } else if at >= day_end {
            24 * 60
        } else {
            let t = local.naive(at).time();
            t.hour() * 60 + t.minute()
        }
    };
    let mut spans: Vec<(u32, u32, &'a BookingSummary)> = bookings
        .iter()
        .map(|b| {
            let start = minute_of(b.starts_at);
            let end = minute_of(b.ends_at).max(start);
            (start, end, *b)
        })
        .collect();
    spans.sort_by_key(|(start, end, b)| (*start, std::cmp::Reverse(*end), b.id));

    // Lanes: each booking takes the first lane free at its start; a group ends when every
    // booking in it has ended, and all of the group share its lane count.
    let mut placed: Vec<Placed<'a>> = Vec::with_capacity(spans.len());
    let mut lane_ends: Vec<u32> = Vec::new();
    let mut group_start = 0;
    let mut group_end = 0;
    for (i, &(start, end, booking)) in spans.iter().enumerate() {
        let drawn_end = end.max(start + MIN_DRAWN_MINUTES);
        if i > 0 && start >= group_end {
            close_group(&mut placed[group_start..], lane_ends.len());
            lane_ends.clear();
            group_start = i;
        }
        let lane = match lane_ends.iter().position(|e| *e <= start) {
            Some(free) => {
                lane_ends[free] = drawn_end;
                free
            }
            None => {
                lane_ends.push(drawn_end);
                lane_ends.len() - 1
            }
        };
        group_end = if i == group_start {
            drawn_end
        } else {
            group_end.max(drawn_end)
        };
        let overlaps = if takes_time(booking) {
            spans
                .iter()
                .filter(|(s, e, other)| {
                    other.id != booking.id && takes_time(other) && *s < end && start < *e
                })
                .count()
        } else {
            0
        };
        let grid_start = first_hour * 60;
        let top = start.saturating_sub(grid_start).min(grid);
        let length = drawn_end
            .saturating_sub(grid_start)
            .min(grid)
            .saturating_sub(top);
        placed.push(Placed {
            booking,
            top,
            length,
            lane: u32::try_from(lane).unwrap_or(0),
            lanes: 1,
            overlaps: u32::try_from(overlaps).unwrap_or(u32::MAX),
        });
    }
    let lanes = lane_ends.len();
    if let Some(group) = placed.get_mut(group_start..) {
        close_group(group, lanes);
    }
    placed
}

fn close_group(group: &mut [Placed<'_>], lanes: usize) {
    let lanes = u32::try_from(lanes.max(1)).unwrap_or(1);
    for p in group {
        p.lanes = lanes;
    }
}

/// The hours a grid shows for these days' bookings: 08:00–20:00, widened to fit them.
pub fn hours(bookings: &[&BookingSummary], local: Local) -> (u32, u32) {
    let mut first = 8;
    let mut last = 20;
    for b in bookings {
        let start = local.naive(b.starts_at);
        let end = local.naive(b.ends_at);
        first = first.min(start.hour());
        // A booking ending on a later day runs to midnight on this grid.
        let end_hour = if end.date() > start.date() {
            24
        } else {
            end.hour() + u32::from(end.minute() > 0)
        };
        last = last.max(end_hour).min(24);
    }
    (first, last.max(first + 1))
}

/// "overlaps 2", or nothing.
pub fn clash_label(overlaps: u32) -> Option<String> {
    (overlaps > 0).then(|| format!("overlaps {overlaps}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use fieldstone_model::BookingKind;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 3).expect("date")
    }

    fn booking(n: u32, from: (u32, u32), to: (u32, u32)) -> BookingSummary {
        let at = |(h, m): (u32, u32)| {
            Utc.with_ymd_and_hms(2026, 11, 3, h, m, 0)
                .single()
                .expect("time")
        };
        BookingSummary {
            id: format!("00000000-0000-4000-8000-{n:012}")
                .parse()
                .expect("id"),
            kind: BookingKind::Showing,
            title: Some(format!("b{n}")),
            starts_at: at(from),
            ends_at: at(to),
            time_zone: "UTC".into(),
            location: None,
            listing: None,
            status: BookingStatus::Scheduled,
            deleted_at: None,
            with: Vec::new(),
            listing_address: None,
        }
    }

    fn summary(placed: &[Placed<'_>]) -> Vec<(String, u32, u32, u32, u32, u32)> {
        placed
            .iter()
            .map(|p| {
                (
                    p.booking.title.clone().unwrap_or_default(),
                    p.top,
                    p.length,
                    p.lane,
                    p.lanes,
                    p.overlaps,
                )
            })
            .collect()
    }

    #[test]
    fn overlapping_bookings_sit_side_by_side_at_their_true_length() {
        let a = booking(1, (10, 0), (11, 0));
        let b = booking(2, (10, 30), (11, 30));
        let c = booking(3, (11, 0), (12, 0));
        let d = booking(4, (14, 0), (14, 5));
        let refs = [&a, &b, &c, &d];
        let placed = place(&refs, Local::UTC, day(), 8, 20);
        assert_eq!(
            summary(&placed),
            [
                ("b1".into(), 120, 60, 0, 2, 1),
                ("b2".into(), 150, 60, 1, 2, 2),
                ("b3".into(), 180, 60, 0, 2, 1),
                // Alone: a full-width lane; a five-minute call is drawn 20 minutes tall.
                ("b4".into(), 360, 20, 0, 1, 0),
            ]
        );
        assert_eq!(
            placed[1].layout(12 * 60),
            "top:20.833%;height:8.333%;left:50.000%;width:50.000%"
        );
        assert_eq!(
            clash_label(placed[1].overlaps).as_deref(),
            Some("overlaps 2")
        );
        assert_eq!(clash_label(0), None);
    }

    #[test]
    fn a_cancelled_booking_keeps_its_place_but_clashes_with_nobody() {
        let a = booking(1, (9, 0), (10, 0));
        let mut b = booking(2, (9, 0), (10, 0));
        b.status = BookingStatus::Cancelled;
        let refs = [&a, &b];
        let placed = place(&refs, Local::UTC, day(), 8, 20);
        assert_eq!(
            placed.iter().map(|p| p.overlaps).collect::<Vec<_>>(),
            [0, 0]
        );
        assert_eq!(placed.iter().map(|p| p.lanes).collect::<Vec<_>>(), [2, 2]);
    }

    #[test]
    fn the_grid_widens_to_fit_early_late_and_overnight_bookings() {
        let early = booking(1, (6, 30), (7, 0));
        let late = booking(2, (21, 0), (21, 30));
        assert_eq!(hours(&[&early, &late], Local::UTC), (6, 22));
        assert_eq!(hours(&[], Local::UTC), (8, 20));
        let mut overnight = booking(3, (23, 0), (23, 30));
        overnight.ends_at += chrono::Duration::hours(2);
        assert_eq!(hours(&[&overnight], Local::UTC), (8, 24));
        // Clipped to the day's end on this grid.
        let placed = place(&[&overnight], Local::UTC, day(), 8, 24);
        assert_eq!((placed[0].top, placed[0].length), (15 * 60, 60));
    }
}
