//! Tour analytics in SQLite (see `store::tour`).

use crate::store::tour::{HotspotCount, TourEvent, TourStats};
use crate::store::*;
use rusqlite::{params, Connection};

/// Version 13's tables.
pub const V13: &str = r#"
CREATE TABLE tour_days (
    org_id       TEXT NOT NULL,
    listing_id   TEXT NOT NULL,
    day          TEXT NOT NULL,     -- YYYY-MM-DD, UTC
    views        INTEGER NOT NULL DEFAULT 0,
    timed_visits INTEGER NOT NULL DEFAULT 0,
    seconds      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, listing_id, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE tour_hotspots (
    org_id     TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    hotspot    TEXT NOT NULL,
    opened     INTEGER NOT NULL,
    PRIMARY KEY (org_id, listing_id, hotspot)
) STRICT, WITHOUT ROWID;
"#;

pub fn record(
    conn: &Connection,
    org: OrgId,
    listing: &str,
    day: &str,
    event: &TourEvent,
) -> Result<(), StoreError> {
    let org = org.to_string();
    match event {
        TourEvent::Hotspot(name) => {
            conn.prepare_cached(
                "INSERT INTO tour_hotspots (org_id, listing_id, hotspot, opened) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (org_id, listing_id, hotspot) DO UPDATE SET opened = opened + 1",
            )?
            .execute(params![org, listing, name])?;
        }
        TourEvent::View | TourEvent::Time(_) => {
            let (views, timed, seconds) = event.day_counts().unwrap_or_default();
            conn.prepare_cached(
                "INSERT INTO tour_days (org_id, listing_id, day, views, timed_visits, seconds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (org_id, listing_id, day) DO UPDATE SET
                   views = views + excluded.views,
                   timed_visits = timed_visits + excluded.timed_visits,
                   seconds = seconds + excluded.seconds",
            )?
            .execute(params![org, listing, day, views, timed, seconds])?;
        }
    }
    Ok(())
}

pub fn stats(
    conn: &Connection,
    org: OrgId,
    listing: &str,
    since: &str,
) -> Result<TourStats, StoreError> {
    let org = org.to_string();
    let mut stats = TourStats::default();
    let mut days = conn.prepare_cached(
        "SELECT day, views, timed_visits, seconds FROM tour_days
         WHERE org_id = ?1 AND listing_id = ?2 AND day >= ?3 ORDER BY day",
    )?;
    let rows = days.query_map(params![org, listing, since], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (day, views, timed, seconds) = row?;
        stats.add_day(day, views, timed, seconds);
    }
    let mut spots = conn.prepare_cached(
        "SELECT hotspot, opened FROM tour_hotspots WHERE org_id = ?1 AND listing_id = ?2
         ORDER BY opened DESC, hotspot",
    )?;
    let rows = spots.query_map(params![org, listing], |r| {
        Ok(HotspotCount::from_row(r.get(0)?, r.get(1)?))
    })?;
    stats.hotspots = rows.collect::<Result<_, _>>()?;
    Ok(stats)
}
