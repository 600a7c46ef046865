//! Tour analytics in PostgreSQL (see `store::tour`). Two processes counting the same day
//! meet on the primary key; the upsert adds both.

use crate::store::tour::{HotspotCount, TourEvent, TourStats};
use crate::store::*;
use ::postgres::Client;

/// Created with the others (the schema is idempotent).
pub const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS tour_days (
    org_id       TEXT COLLATE "C" NOT NULL,
    listing_id   TEXT COLLATE "C" NOT NULL,
    day          TEXT COLLATE "C" NOT NULL,
    views        BIGINT NOT NULL DEFAULT 0,
    timed_visits BIGINT NOT NULL DEFAULT 0,
    seconds      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, listing_id, day)
);
CREATE TABLE IF NOT EXISTS tour_hotspots (
    org_id     TEXT COLLATE "C" NOT NULL,
    listing_id TEXT COLLATE "C" NOT NULL,
    hotspot    TEXT COLLATE "C" NOT NULL,
    opened     BIGINT NOT NULL,
    PRIMARY KEY (org_id, listing_id, hotspot)
);
"#;

pub fn record(
    c: &mut Client,
    org: OrgId,
    listing: &str,
    day: &str,
    event: &TourEvent,
) -> Result<(), StoreError> {
    let org = org.to_string();
    match event {
        TourEvent::Hotspot(name) => {
            c.execute(
                "INSERT INTO tour_hotspots (org_id, listing_id, hotspot, opened) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (org_id, listing_id, hotspot)
                 DO UPDATE SET opened = tour_hotspots.opened + 1",
                &[&org, &listing, name],
            )?;
        }
        TourEvent::View | TourEvent::Time(_) => {
            let (views, timed, seconds) = event.day_counts().unwrap_or_default();
            c.execute(
                "INSERT INTO tour_days (org_id, listing_id, day, views, timed_visits, seconds)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, listing_id, day) DO UPDATE SET
                   views = tour_days.views + excluded.views,
                   timed_visits = tour_days.timed_visits + excluded.timed_visits,
                   seconds = tour_days.seconds + excluded.seconds",
                &[&org, &listing, &day, &views, &timed, &seconds],
            )?;
        }
    }
    Ok(())
}

pub fn stats(
    c: &mut Client,
    org: OrgId,
    listing: &str,
    since: &str,
) -> Result<TourStats, StoreError> {
    let org = org.to_string();
    let mut stats = TourStats::default();
    for row in c.query(
        "SELECT day, views, timed_visits, seconds FROM tour_days
         WHERE org_id = $1 AND listing_id = $2 AND day >= $3 ORDER BY day",
        &[&org, &listing, &since],
    )? {
        stats.add_day(row.get(0), row.get(1), row.get(2), row.get(3));
    }
    stats.hotspots = c
        .query(
            "SELECT hotspot, opened FROM tour_hotspots WHERE org_id = $1 AND listing_id = $2
             ORDER BY opened DESC, hotspot",
            &[&org, &listing],
        )?
        .iter()
        .map(|row| HotspotCount::from_row(row.get(0), row.get(1)))
        .collect();
    Ok(stats)
}
