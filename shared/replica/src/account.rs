//! Which account a store belongs to. A store that has never synced belongs to nobody; the first
//! account it syncs with (or that adopts it at sign-in) binds it for good, and from then on the
//! store refuses to sync with any other organisation or user. The binding lives in the store
//! itself, so no mistake outside the engine can send one organisation's records to another.

use crate::error::ReplicaError;
use crate::records::modify;
use crate::store::Replica;
use fieldstone_model::{Contact, ContactId, Listing, ListingId, OrgId, Task, TaskId, UserId};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::Path;

/// The account a store is bound to. Only `org_id` and `user_id` decide whether an account may
/// sync the store; the rest says which account it is to people (and where it was last synced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBinding {
    pub server_url: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub user_id: UserId,
    pub email: String,
}

impl AccountBinding {
    /// The same organisation and user (names and address may have changed since).
    pub fn same_account(&self, other: &AccountBinding) -> bool {
        self.org_id == other.org_id && self.user_id == other.user_id
    }
}

fn read_binding(conn: &Connection) -> Result<Option<AccountBinding>, ReplicaError> {
    let row = conn
        .query_row(
            "SELECT server_url, org_id, org_name, user_id, email FROM account_binding",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((server_url, org, org_name, user, email)) = row else {
        return Ok(None);
    };
    let corrupt = |what: &str, value: &str| ReplicaError::AccountBindingUnreadable {
        detail: format!("{what} {value:?} is not an id"),
    };
    Ok(Some(AccountBinding {
        server_url,
        org_id: org.parse().map_err(|_| corrupt("organisation", &org))?,
        org_name,
        user_id: user.parse().map_err(|_| corrupt("user", &user))?,
        email,
    }))
}

impl Replica {
    /// The account this store belongs to, if it has one yet.
    pub fn account_binding(&self) -> Result<Option<AccountBinding>, ReplicaError> {
        read_binding(&self.conn())
    }

    /// Whether this store ever synced with a server (it has cursors, or a binding). A store that
    /// synced before bindings existed has cursors but no binding: it holds some account's
    /// records, and which one is unknown.
    pub fn has_synced(&self) -> Result<bool, ReplicaError> {
        let conn = self.conn();
        let cursors: i64 = conn.query_row("SELECT count(*) FROM sync_cursors", [], |r| r.get(0))?;
        Ok(cursors > 0 || read_binding(&conn)?.is_some())
    }

    /// Binds this store to `account`, or refreshes the names and address of the account it is
    /// already bound to. Refused ([`ReplicaError::OtherAccount`]) when it belongs to another
    /// organisation or user: nothing changes then.
    pub fn bind_account(&self, account: &AccountBinding) -> Result<(), ReplicaError> {
        let now = self.clock.now().timestamp_millis();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some(bound) = read_binding(&tx)? {
            if !bound.same_account(account) {
                return Err(ReplicaError::OtherAccount {
                    bound_to: describe(&bound),
                    asked_for: describe(account),
                });
            }
            if bound == *account {
                return Ok(()); // every sync round checks: no write when nothing changed
            }
        }
        tx.execute(
            "INSERT INTO account_binding (id, server_url, org_id, org_name, user_id, email, bound_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url,
               org_name = excluded.org_name, email = excluded.email",
            params![
                account.server_url,
                account.org_id.to_string(),
                account.org_name,
                account.user_id.to_string(),
                account.email,
                now
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Gives the records `from` owns (or is assigned) to `to`: for the first sign-in, which
    /// adopts work made on the device before it, owned by the device's local user. The server
    /// lets only brokers and admins create records for someone else, so the account's own user
    /// must own them before they are sent. Each is an ordinary edit (document, read model and
    /// outbox in one transaction); returns how many records changed.
    pub fn hand_over_records(&self, from: UserId, to: UserId) -> Result<usize, ReplicaError> {
        if from == to {
            return Ok(0);
        }
        let ids = |sql: &str| -> Result<Vec<String>, ReplicaError> {
            let conn = self.conn();
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([from.to_string()], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let contacts = ids("SELECT id FROM contacts WHERE owner = ?1 OR assigned_agent = ?1")?;
        let listings = ids("SELECT id FROM listings WHERE owner = ?1")?;
        let tasks = ids("SELECT id FROM tasks WHERE owner = ?1")?;
        // A campaign is its owner's alone on the server (it runs over their contacts).
        let campaigns = ids("SELECT id FROM campaigns WHERE owner = ?1")?;
        let parse = |id: &String| {
            id.parse::<uuid::Uuid>().map_err(|_| {
                ReplicaError::doc(
                    id,
                    fieldstone_doc::DocError::InvalidValue(format!("{id} is not an id")),
                )
            })
        };
        self.write(|tx, now| {
            let mut changed = 0;
            for id in &contacts {
                let id = ContactId::from_uuid(parse(id)?);
                modify::<Contact>(tx, self.actor(), id, now, |c| {
                    let before = (c.owner, c.assigned_agent);
                    if c.owner == from {
                        c.owner = to;
                    }
                    if c.assigned_agent == Some(from) {
                        c.assigned_agent = Some(to);
                    }
                    changed += usize::from(before != (c.owner, c.assigned_agent));
                    Ok(before != (c.owner, c.assigned_agent))
                })?;
            }
            for id in &listings {
                let id = ListingId::from_uuid(parse(id)?);
                modify::<Listing>(tx, self.actor(), id, now, |l| {
                    let mine = l.owner == from;
                    l.owner = to;
                    changed += usize::from(mine);
                    Ok(mine)
                })?;
            }
            for id in &tasks {
                let id = TaskId::from_uuid(parse(id)?);
                modify::<Task>(tx, self.actor(), id, now, |t| {
                    let mine = t.owner == from;
                    t.owner = to;
                    changed += usize::from(mine);
                    Ok(mine)
                })?;
            }
            for id in &campaigns {
                let id = fieldstone_model::campaign::record::CampaignId::from_uuid(parse(id)?);
                modify::<fieldstone_model::campaign::record::Campaign>(
                    tx,
                    self.actor(),
                    id,
                    now,
                    |c| {
                        let mine = c.owner == from;
                        c.owner = to;
                        changed += usize::from(mine);
                        Ok(mine)
                    },
                )?;
            }
            Ok(changed)
        })
    }

    /// Reads the binding of the store at `path` without opening it as an engine (no
    /// migration, no rebuild): `None` when the file does not exist, predates bindings, or is
    /// bound to nobody yet.
    pub fn peek_account_binding(path: &Path) -> Result<Option<AccountBinding>, ReplicaError> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let has_table: bool = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'account_binding'",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !has_table {
            return Ok(None);
        }
        read_binding(&conn)
    }
}

/// "Harbour Realty (ada@harbour.example)", for errors.
fn describe(account: &AccountBinding) -> String {
    format!("{} ({})", account.org_name, account.email)
}
