//! Listings: one document each; the grid and search read them from SQLite.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{parsed, required_time, time};
use crate::store::Replica;
use fieldstone_model::{Listing, ListingId, ListingInput, ListingStatus, UserId, ValidationErrors};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};

record_kind!(
    Listing,
    ListingId,
    fieldstone_doc::listing,
    project_listing,
    crate::records::Tables {
        main: "listings",
        children: &[
            ("listing_open_houses", "listing_id"),
            ("listing_match", "listing_id"),
        ],
        search: Some(("listings_fts", "f.address, f.mls_number, f.description")),
    }
);

pub use fieldstone_protocol::views::{
    ListingCounts, ListingQuery, ListingSummary, OpenHouseSummary, LISTING_PAGE_MAX,
};

fn project_listing(conn: &Connection, l: &Listing) -> Result<(), ReplicaError> {
    let a = &l.address;
    conn.prepare_cached(
        "INSERT INTO listings (id, address_line, city, postal_code, country, latitude,
               longitude, price, currency, beds, baths_tenths, property_type, status,
               visibility, mls_number, cover_photo, owner, created_at, updated_at, deleted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
               ?18, ?19, ?20)
             ON CONFLICT (id) DO UPDATE SET address_line = excluded.address_line,
               city = excluded.city, postal_code = excluded.postal_code,
               country = excluded.country, latitude = excluded.latitude,
               longitude = excluded.longitude, price = excluded.price,
               currency = excluded.currency, beds = excluded.beds,
               baths_tenths = excluded.baths_tenths, property_type = excluded.property_type,
               status = excluded.status, visibility = excluded.visibility,
               mls_number = excluded.mls_number, cover_photo = excluded.cover_photo,
               owner = excluded.owner, created_at = excluded.created_at,
               updated_at = excluded.updated_at, deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        l.id.to_string(),
        a.line1,
        a.city,
        a.postal_code,
        a.country,
        a.latitude,
        a.longitude,
        i64::try_from(l.price).unwrap_or(i64::MAX),
        l.currency,
        l.beds,
        l.baths.map(|b| b.0),
        l.property_type.as_str(),
        l.status.as_str(),
        l.visibility.as_str(),
        l.mls_number,
        l.cover_photo().map(|m| m.uri.as_str()),
        l.owner.to_string(),
        l.created_at.timestamp_millis(),
        l.updated_at.timestamp_millis(),
        l.deleted_at.map(|t| t.timestamp_millis()),
    ])?;
    let seq = crate::projection::row_seq(conn, "listings", &l.id.to_string())?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO listings_fts (rowid, address, mls_number, description)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        seq,
        a.one_line(),
        l.mls_number.as_deref().unwrap_or_default(),
        format!("{} {}", l.description, l.features.join(" ")),
    ])?;
    crate::matches::project_listing(conn, l)?;
    project_open_houses(conn, l)
}

fn project_open_houses(conn: &Connection, l: &Listing) -> Result<(), ReplicaError> {
    let id = l.id.to_string();
    conn.prepare_cached("DELETE FROM listing_open_houses WHERE listing_id = ?1")?
        .execute([&id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO listing_open_houses (listing_id, starts_at, ends_at)
         VALUES (?1, ?2, ?3)",
    )?;
    for open_house in &l.open_houses {
        insert.execute(params![
            id,
            open_house.starts_at.timestamp_millis(),
            open_house.ends_at.timestamp_millis()
        ])?;
    }
    Ok(())
}

/// Fills `listing_open_houses` from every listing's document (the version 9 migration). A
/// document that cannot be read is left for the quarantine that meets it next.
pub(crate) fn project_open_houses_of_all(
    tx: &rusqlite::Transaction<'_>,
) -> Result<(), ReplicaError> {
    let mut stmt = tx.prepare("SELECT bytes FROM documents WHERE kind = ?1")?;
    let docs = stmt
        .query_map([fieldstone_doc::listing::KIND], |r| r.get::<_, Vec<u8>>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for bytes in docs {
        let Ok(doc) = fieldstone_doc::load(&bytes) else {
            continue;
        };
        if let Ok(listing) = fieldstone_doc::listing::read(&doc) {
            project_open_houses(tx, &listing)?;
        }
    }
    Ok(())
}

pub(crate) const LISTING_COLUMNS: &str =
    "l.id, l.address_line, l.city, l.price, l.currency, l.beds, l.baths_tenths, l.property_type,
     l.status, l.visibility, l.mls_number, l.cover_photo, l.updated_at, l.deleted_at";

pub(crate) fn listing_from_row(row: &Row<'_>) -> rusqlite::Result<ListingSummary> {
    Ok(ListingSummary {
        id: parsed(row, 0)?,
        address: row.get(1)?,
        city: row.get(2)?,
        price: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
        currency: row.get(4)?,
        beds: row.get(5)?,
        baths_tenths: row.get(6)?,
        property_type: parsed(row, 7)?,
        status: parsed(row, 8)?,
        visibility: parsed(row, 9)?,
        mls_number: row.get(10)?,
        cover_photo: row.get(11)?,
        updated_at: required_time(row, 12)?,
        deleted_at: time(row, 13)?,
    })
}

impl Replica {
    /// Validates `input` and stores a new listing owned by `owner`.
    pub fn create_listing(
        &self,
        input: &ListingInput,
        owner: UserId,
    ) -> Result<Listing, ReplicaError> {
        self.batch(|b| b.create_listing(input, owner))
    }

    /// Replaces listing `id`'s editable fields with `input`.
    pub fn update_listing(
        &self,
        id: &ListingId,
        input: &ListingInput,
    ) -> Result<Listing, ReplicaError> {
        let input = input.validate()?;
        self.write(|tx, now| {
            records::modify::<Listing>(tx, self.actor(), *id, now, |l| {
                Ok(records::edit_changes(l, now, |l| l.apply(input, now)))
            })
        })
    }

    pub fn soft_delete_listing(&self, id: &ListingId) -> Result<Listing, ReplicaError> {
        self.set_deleted::<Listing>(*id, true)
    }

    pub fn restore_listing(&self, id: &ListingId) -> Result<Listing, ReplicaError> {
        self.set_deleted::<Listing>(*id, false)
    }

    /// The media files of `owner`'s live listings: what the device keeps whatever its cache
    /// budget, so the agent's own photos are there offline.
    pub fn own_media(
        &self,
        owner: &fieldstone_model::UserId,
    ) -> Result<std::collections::HashSet<fieldstone_model::blob::BlobHash>, ReplicaError> {
        let ids: Vec<String> = {
            let conn = self.reader();
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM listings WHERE owner = ?1 AND deleted_at IS NULL",
            )?;
            let rows = stmt.query_map([owner.to_string()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut hashes = std::collections::HashSet::new();
        for id in ids {
            let Ok(id) = id.parse::<ListingId>() else {
                continue;
            };
            for media in self.get_listing(&id)?.map(|l| l.media).unwrap_or_default() {
                if let Some(blob) = fieldstone_model::blob::BlobRef::parse(&media.uri) {
                    hashes.insert(blob.hash);
                }
            }
        }
        Ok(hashes)
    }

    pub fn get_listing(&self, id: &ListingId) -> Result<Option<Listing>, ReplicaError> {
        self.read::<Listing>(*id)
    }

    /// Listings matching `query`, most recently updated first.
    pub fn list_listings(&self, query: &ListingQuery) -> Result<Vec<ListingSummary>, ReplicaError> {
        if query.limit == 0 || query.limit > LISTING_PAGE_MAX {
            let mut errors = ValidationErrors::default();
            errors.push(
                "limit",
                format!("A page holds 1 to {LISTING_PAGE_MAX} listings."),
            );
            return Err(errors.into());
        }
        let (filter, mut args) = listing_filter(query, true);
        let mut sql = format!("SELECT {LISTING_COLUMNS} FROM listings l WHERE {filter}");
        let arg = |args: &mut Vec<Value>, v: Value| {
            args.push(v);
            format!("?{}", args.len())
        };
        let limit = arg(&mut args, Value::Integer(i64::from(query.limit)));
        let offset = arg(&mut args, Value::Integer(i64::from(query.offset)));
        sql.push_str(&format!(
            " ORDER BY l.updated_at DESC, l.id DESC LIMIT {limit} OFFSET {offset}"
        ));
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), listing_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open houses at the user's live listings (their own and those shared with them, see
    /// `crate::mine`) overlapping `[from, to)`, soonest first, at most `limit`.
    pub fn upcoming_open_houses(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<OpenHouseSummary>, ReplicaError> {
        let conn = self.reader();
        let mine = crate::mine::sql(fieldstone_doc::listing::KIND, "l.id");
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT o.listing_id, l.address_line || ', ' || l.city, o.starts_at, o.ends_at
             FROM listing_open_houses o JOIN listings l ON l.id = o.listing_id
             WHERE o.ends_at > ?1 AND o.starts_at < ?2 AND l.deleted_at IS NULL AND {mine}
             ORDER BY o.starts_at, o.listing_id LIMIT ?3",
        ))?;
        let rows = stmt.query_map(
            params![from.timestamp_millis(), to.timestamp_millis(), limit],
            |row| {
                Ok(OpenHouseSummary {
                    listing: parsed(row, 0)?,
                    address: row.get(1)?,
                    starts_at: required_time(row, 2)?,
                    ends_at: required_time(row, 3)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many listings each status chip would show with `query`'s other filters (search,
    /// prices): one grouped count over the filtered rows.
    pub fn listing_counts(&self, query: &ListingQuery) -> Result<ListingCounts, ReplicaError> {
        let (filter, args) = listing_filter(query, false);
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT l.status, count(*) FROM listings l WHERE {filter} GROUP BY l.status"
        ))?;
        let rows = stmt.query_map(params_from_iter(args), |row| {
            Ok((parsed::<ListingStatus>(row, 0)?, row.get::<_, i64>(1)?))
        })?;
        let mut counts = ListingCounts::default();
        for row in rows {
            let (status, n) = row?;
            let n = u64::try_from(n).unwrap_or(0);
            counts.all += n;
            counts.by_status.push((status, n));
        }
        Ok(counts)
    }
}

/// The `WHERE` condition (on `listings l`) and its arguments for `query`'s filters; the status
/// filter only `with_statuses` (the chips' counts are per status whatever is chosen).
fn listing_filter(query: &ListingQuery, with_statuses: bool) -> (String, Vec<Value>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<Value> = Vec::new();
    let arg = |args: &mut Vec<Value>, v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    if !query.include_deleted {
        sql.push_str(" AND l.deleted_at IS NULL");
    }
    if with_statuses && !query.statuses.is_empty() {
        let ps: Vec<String> = query
            .statuses
            .iter()
            .map(|s| arg(&mut args, Value::Text(s.as_str().to_owned())))
            .collect();
        sql.push_str(&format!(" AND l.status IN ({})", ps.join(", ")));
    }
    if let Some(min) = query.min_price {
        let p = arg(
            &mut args,
            Value::Integer(i64::try_from(min).unwrap_or(i64::MAX)),
        );
        sql.push_str(&format!(" AND l.price >= {p}"));
    }
    if let Some(max) = query.max_price {
        let p = arg(
            &mut args,
            Value::Integer(i64::try_from(max).unwrap_or(i64::MAX)),
        );
        sql.push_str(&format!(" AND l.price <= {p}"));
    }
    if let Some(search) = query.search.as_deref().and_then(crate::contacts::fts_query) {
        let p = arg(&mut args, Value::Text(search));
        sql.push_str(&format!(
            " AND l.seq IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH {p})"
        ));
    }
    (sql, args)
}
