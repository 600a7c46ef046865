//! Organisations, teams, users, devices, sessions and invitations in SQLite.

use super::ms;
use crate::store::*;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row};
use uuid::Uuid;

fn new_id() -> String {
    Uuid::new_v4().to_string()
}

/// Maps a UNIQUE violation to a readable conflict.
fn unique(error: rusqlite::Error, message: impl FnOnce() -> String) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::ConstraintViolation => {
            StoreError::Conflict(message())
        }
        _ => error.into(),
    }
}

fn org_row(r: &Row<'_>) -> rusqlite::Result<(String, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn to_org((id, name, created): (String, String, i64)) -> Result<OrgRow, StoreError> {
    Ok(OrgRow {
        id: parse_uuid(&id)?,
        name,
        created_at: from_ms(created),
    })
}

pub fn create_org(conn: &Connection, name: &str, now: DateTime<Utc>) -> Result<OrgRow, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![id, name, ms(now)],
    )?;
    to_org((id, name.to_owned(), ms(now)))
}

pub fn org(conn: &Connection, org: OrgId) -> Result<Option<OrgRow>, StoreError> {
    conn.prepare_cached("SELECT id, name, created_at FROM orgs WHERE id = ?1")?
        .query_row([org.to_string()], org_row)
        .optional()?
        .map(to_org)
        .transpose()
}

pub fn orgs(conn: &Connection) -> Result<Vec<OrgRow>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, name, created_at FROM orgs ORDER BY name")?;
    let rows = stmt.query_map([], org_row)?;
    rows.map(|r| to_org(r?)).collect()
}

pub fn create_team(conn: &Connection, org: OrgId, name: &str) -> Result<TeamRow, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO teams (id, org_id, name) VALUES (?1, ?2, ?3)",
        params![id, org.to_string(), name],
    )
    .map_err(|e| unique(e, || format!("a team named {name:?} already exists")))?;
    Ok(TeamRow {
        id: parse_uuid(&id)?,
        org_id: org,
        name: name.to_owned(),
    })
}

fn to_team(org: OrgId, (id, name): (String, String)) -> Result<TeamRow, StoreError> {
    Ok(TeamRow {
        id: parse_uuid(&id)?,
        org_id: org,
        name,
    })
}

pub fn team(conn: &Connection, org: OrgId, team: TeamId) -> Result<Option<TeamRow>, StoreError> {
    conn.prepare_cached("SELECT id, name FROM teams WHERE org_id = ?1 AND id = ?2")?
        .query_row(params![org.to_string(), team.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .map(|row| to_team(org, row))
        .transpose()
}

pub fn teams(conn: &Connection, org: OrgId) -> Result<Vec<TeamRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name FROM teams WHERE org_id = ?1 ORDER BY name")?;
    let rows = stmt.query_map([org.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.map(|r| to_team(org, r?)).collect()
}

const USER_COLUMNS: &str = "id, org_id, email, display_name, role, password_hash, created_at";

type UserTuple = (String, String, String, String, String, String, i64);

fn user_tuple(r: &Row<'_>) -> rusqlite::Result<UserTuple> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn to_user(t: UserTuple) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: parse_uuid(&t.0)?,
        org_id: parse_uuid(&t.1)?,
        email: t.2,
        display_name: t.3,
        role: parse_role(&t.4)?,
        password_hash: t.5,
        created_at: from_ms(t.6),
    })
}

pub fn create_user(
    conn: &Connection,
    org: OrgId,
    user: &NewUser,
    now: DateTime<Utc>,
) -> Result<UserRow, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO users (id, org_id, email, display_name, role, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            org.to_string(),
            user.email,
            user.display_name,
            user.role.as_str(),
            user.password_hash,
            ms(now)
        ],
    )
    .map_err(|e| {
        unique(e, || {
            format!("{} already has an account in this organisation", user.email)
        })
    })?;
    to_user((
        id,
        org.to_string(),
        user.email.clone(),
        user.display_name.clone(),
        user.role.as_str().to_owned(),
        user.password_hash.clone(),
        ms(now),
    ))
}

pub fn user(conn: &Connection, org: OrgId, user: UserId) -> Result<Option<UserRow>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE org_id = ?1 AND id = ?2"
    ))?
    .query_row(params![org.to_string(), user.to_string()], user_tuple)
    .optional()?
    .map(to_user)
    .transpose()
}

pub fn users(conn: &Connection, org: OrgId) -> Result<Vec<UserRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE org_id = ?1 ORDER BY email"
    ))?;
    let rows = stmt.query_map([org.to_string()], user_tuple)?;
    rows.map(|r| to_user(r?)).collect()
}

pub fn accounts_by_email(
    conn: &Connection,
    email: &str,
) -> Result<Vec<(OrgRow, UserRow)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.org_id, u.email, u.display_name, u.role, u.password_hash, u.created_at,
                o.id, o.name, o.created_at
         FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.email = ?1 ORDER BY o.name",
    )?;
    let rows = stmt.query_map([email], |r| {
        Ok((user_tuple(r)?, (r.get(7)?, r.get(8)?, r.get(9)?)))
    })?;
    rows.map(|r| {
        let (user, org) = r?;
        Ok((to_org(org)?, to_user(user)?))
    })
    .collect()
}

pub fn set_role(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    role: Role,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE users SET role = ?3 WHERE org_id = ?1 AND id = ?2",
        params![org.to_string(), user.to_string(), role.as_str()],
    )? > 0)
}

pub fn set_password(
    conn: &mut Connection,
    org: OrgId,
    user: UserId,
    hash: &str,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE users SET password_hash = ?3 WHERE org_id = ?1 AND id = ?2",
        params![org.to_string(), user.to_string(), hash],
    )? > 0;
    tx.execute(
        "DELETE FROM sessions WHERE org_id = ?1 AND user_id = ?2",
        params![org.to_string(), user.to_string()],
    )?;
    tx.commit()?;
    Ok(changed)
}

/// Both the team and the user must belong to `org`.
pub fn add_member(
    conn: &Connection,
    org: OrgId,
    team: TeamId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO team_members (org_id, team_id, user_id)
         SELECT ?1, t.id, u.id FROM teams t, users u
         WHERE t.org_id = ?1 AND t.id = ?2 AND u.org_id = ?1 AND u.id = ?3",
        params![org.to_string(), team.to_string(), user.to_string()],
    )? > 0)
}

pub fn remove_member(
    conn: &Connection,
    org: OrgId,
    team: TeamId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM team_members WHERE org_id = ?1 AND team_id = ?2 AND user_id = ?3",
        params![org.to_string(), team.to_string(), user.to_string()],
    )? > 0)
}

pub fn memberships(conn: &Connection, org: OrgId) -> Result<Vec<(TeamId, UserId)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT team_id, user_id FROM team_members WHERE org_id = ?1")?;
    let rows = stmt.query_map([org.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    rows.map(|r| {
        let (team, user) = r?;
        Ok((parse_uuid(&team)?, parse_uuid(&user)?))
    })
    .collect()
}

const DEVICE_COLUMNS: &str = "id, org_id, user_id, name, created_at, last_seen_at, revoked_at";

type DeviceTuple = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

fn device_tuple(r: &Row<'_>) -> rusqlite::Result<DeviceTuple> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn to_device(t: DeviceTuple) -> Result<DeviceRow, StoreError> {
    Ok(DeviceRow {
        id: parse_uuid(&t.0)?,
        org_id: parse_uuid(&t.1)?,
        user_id: parse_uuid(&t.2)?,
        name: t.3,
        created_at: from_ms(t.4),
        last_seen_at: t.5.map(from_ms),
        revoked_at: t.6.map(from_ms),
    })
}

pub fn create_device(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<DeviceRow, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO devices (id, org_id, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, org.to_string(), user.to_string(), name, ms(now)],
    )?;
    to_device((
        id,
        org.to_string(),
        user.to_string(),
        name.to_owned(),
        ms(now),
        None,
        None,
    ))
}

pub fn device(
    conn: &Connection,
    org: OrgId,
    device: DeviceId,
) -> Result<Option<DeviceRow>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = ?1 AND id = ?2"
    ))?
    .query_row(params![org.to_string(), device.to_string()], device_tuple)
    .optional()?
    .map(to_device)
    .transpose()
}

pub fn devices(
    conn: &Connection,
    org: OrgId,
    user: Option<UserId>,
) -> Result<Vec<DeviceRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DEVICE_COLUMNS} FROM devices
         WHERE org_id = ?1 AND (?2 IS NULL OR user_id = ?2) ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map(
        params![org.to_string(), user.map(|u| u.to_string())],
        device_tuple,
    )?;
    rows.map(|r| to_device(r?)).collect()
}

pub fn revoke_device(
    conn: &Connection,
    org: OrgId,
    device: DeviceId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, ?3) WHERE org_id = ?1 AND id = ?2",
        params![org.to_string(), device.to_string(), ms(now)],
    )? > 0)
}

pub fn touch_device(
    conn: &Connection,
    org: OrgId,
    device: DeviceId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE devices SET last_seen_at = ?3 WHERE org_id = ?1 AND id = ?2")?
        .execute(params![org.to_string(), device.to_string(), ms(now)])?;
    Ok(())
}

pub fn create_session(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    device: DeviceId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sessions (token_hash, org_id, user_id, device_id, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            token_hash,
            org.to_string(),
            user.to_string(),
            device.to_string(),
            ms(expires_at)
        ],
    )?;
    Ok(())
}

pub fn session(conn: &Connection, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT s.org_id, s.user_id, s.device_id, u.role, s.expires_at, d.revoked_at
             FROM sessions s
             JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
             JOIN devices d ON d.id = s.device_id AND d.org_id = s.org_id
             WHERE s.token_hash = ?1",
        )?
        .query_row([token_hash], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })
        .optional()?;
    row.map(|(org, user, device, role, expires, revoked)| {
        Ok(SessionRow {
            org_id: parse_uuid(&org)?,
            user_id: parse_uuid(&user)?,
            device_id: parse_uuid(&device)?,
            role: parse_role(&role)?,
            expires_at: from_ms(expires),
            device_revoked: revoked.is_some(),
        })
    })
    .transpose()
}

pub fn end_session(conn: &Connection, org: OrgId, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions WHERE org_id = ?1 AND token_hash = ?2",
        params![org.to_string(), token_hash],
    )?;
    Ok(())
}

pub fn end_sessions(conn: &Connection, org: OrgId, user: UserId) -> Result<u64, StoreError> {
    let n = conn.execute(
        "DELETE FROM sessions WHERE org_id = ?1 AND user_id = ?2",
        params![org.to_string(), user.to_string()],
    )?;
    Ok(n as u64)
}

pub fn create_invitation(conn: &Connection, i: &InvitationRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO invitations (token_hash, org_id, email, role, team_id, created_by, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            i.token_hash,
            i.org_id.to_string(),
            i.email,
            i.role.as_str(),
            i.team_id.map(|t| t.to_string()),
            i.created_by.to_string(),
            ms(i.expires_at)
        ],
    )?;
    Ok(())
}

pub fn take_invitation(
    conn: &mut Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<InvitationRow>, StoreError> {
    let tx = conn.transaction()?;
    let row = tx
        .query_row(
            "SELECT org_id, email, role, team_id, created_by, expires_at FROM invitations
             WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            params![token_hash, ms(now)],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((org, email, role, team, by, expires)) = row else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE invitations SET used_at = ?2 WHERE token_hash = ?1",
        params![token_hash, ms(now)],
    )?;
    tx.commit()?;
    Ok(Some(InvitationRow {
        token_hash: token_hash.to_owned(),
        org_id: parse_uuid(&org)?,
        email,
        role: parse_role(&role)?,
        team_id: team.as_deref().map(parse_uuid).transpose()?,
        created_by: parse_uuid(&by)?,
        expires_at: from_ms(expires),
    }))
}

pub fn stats(conn: &Connection) -> Result<Stats, StoreError> {
    let count = |sql: &str| -> Result<u64, StoreError> {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(Stats {
        orgs: count("SELECT count(*) FROM orgs")?,
        users: count("SELECT count(*) FROM users")?,
        devices: count("SELECT count(*) FROM devices WHERE revoked_at IS NULL")?,
        active_sessions: count("SELECT count(*) FROM sessions")?,
        documents: count("SELECT count(*) FROM documents")?,
        changes: count("SELECT count(*) FROM changes")?,
        stored_bytes: count(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        )?,
    })
}
