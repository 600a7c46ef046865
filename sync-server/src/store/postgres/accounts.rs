//! Organisations, teams, users, devices, sessions and invitations in PostgreSQL.

use super::ms;
use crate::store::*;
use ::postgres::{Client, Row};
use uuid::Uuid;

fn new_id() -> String {
    Uuid::new_v4().to_string()
}

/// Maps an integrity violation (a taken unique value, a missing referenced row) to a readable
/// conflict, as the SQLite store does.
fn conflict(error: ::postgres::Error, message: impl FnOnce() -> String) -> StoreError {
    match error.code() {
        Some(code) if code.code().starts_with("23") => StoreError::Conflict(message()),
        _ => error.into(),
    }
}

fn to_org(r: &Row, at: usize) -> Result<OrgRow, StoreError> {
    Ok(OrgRow {
        id: parse_uuid(r.try_get::<_, &str>(at)?)?,
        name: r.try_get(at + 1)?,
        created_at: from_ms(r.try_get(at + 2)?),
    })
}

pub fn create_org(c: &mut Client, name: &str, now: DateTime<Utc>) -> Result<OrgRow, StoreError> {
    let id = new_id();
    c.execute(
        "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)",
        &[&id, &name, &ms(now)],
    )?;
    Ok(OrgRow {
        id: parse_uuid(&id)?,
        name: name.to_owned(),
        created_at: from_ms(ms(now)),
    })
}

pub fn org(c: &mut Client, org: OrgId) -> Result<Option<OrgRow>, StoreError> {
    c.query_opt(
        "SELECT id, name, created_at FROM orgs WHERE id = $1",
        &[&org.to_string()],
    )?
    .map(|r| to_org(&r, 0))
    .transpose()
}

pub fn orgs(c: &mut Client) -> Result<Vec<OrgRow>, StoreError> {
    c.query("SELECT id, name, created_at FROM orgs ORDER BY name", &[])?
        .iter()
        .map(|r| to_org(r, 0))
        .collect()
}

pub fn create_team(c: &mut Client, org: OrgId, name: &str) -> Result<TeamRow, StoreError> {
    let id = new_id();
    c.execute(
        "INSERT INTO teams (id, org_id, name) VALUES ($1, $2, $3)",
        &[&id, &org.to_string(), &name],
    )
    .map_err(|e| conflict(e, || format!("a team named {name:?} already exists")))?;
    Ok(TeamRow {
        id: parse_uuid(&id)?,
        org_id: org,
        name: name.to_owned(),
    })
}

fn to_team(org: OrgId, r: &Row) -> Result<TeamRow, StoreError> {
    Ok(TeamRow {
        id: parse_uuid(r.try_get::<_, &str>(0)?)?,
        org_id: org,
        name: r.try_get(1)?,
    })
}

pub fn team(c: &mut Client, org: OrgId, team: TeamId) -> Result<Option<TeamRow>, StoreError> {
    c.query_opt(
        "SELECT id, name FROM teams WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &team.to_string()],
    )?
    .map(|r| to_team(org, &r))
    .transpose()
}

pub fn teams(c: &mut Client, org: OrgId) -> Result<Vec<TeamRow>, StoreError> {
    c.query(
        "SELECT id, name FROM teams WHERE org_id = $1 ORDER BY name",
        &[&org.to_string()],
    )?
    .iter()
    .map(|r| to_team(org, r))
    .collect()
}

const USER_COLUMNS: &str = "u.id, u.org_id, u.email, u.display_name, u.role, u.password_hash, \
                            u.created_at";

fn to_user(r: &Row) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: parse_uuid(r.try_get::<_, &str>(0)?)?,
        org_id: parse_uuid(r.try_get::<_, &str>(1)?)?,
        email: r.try_get(2)?,
        display_name: r.try_get(3)?,
        role: parse_role(r.try_get(4)?)?,
        password_hash: r.try_get(5)?,
        created_at: from_ms(r.try_get(6)?),
    })
}

pub fn create_user(
    c: &mut Client,
    org: OrgId,
    user: &NewUser,
    now: DateTime<Utc>,
) -> Result<UserRow, StoreError> {
    let id = new_id();
    c.execute(
        "INSERT INTO users (id, org_id, email, display_name, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &id,
            &org.to_string(),
            &user.email,
            &user.display_name,
            &user.role.as_str(),
            &user.password_hash,
            &ms(now),
        ],
    )
    .map_err(|e| {
        conflict(e, || {
            format!("{} already has an account in this organisation", user.email)
        })
    })?;
    Ok(UserRow {
        id: parse_uuid(&id)?,
        org_id: org,
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        password_hash: user.password_hash.clone(),
        created_at: from_ms(ms(now)),
    })
}

pub fn user(c: &mut Client, org: OrgId, user: UserId) -> Result<Option<UserRow>, StoreError> {
    c.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.org_id = $1 AND u.id = $2"),
        &[&org.to_string(), &user.to_string()],
    )?
    .map(|r| to_user(&r))
    .transpose()
}

pub fn users(c: &mut Client, org: OrgId) -> Result<Vec<UserRow>, StoreError> {
    c.query(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.org_id = $1 ORDER BY u.email"),
        &[&org.to_string()],
    )?
    .iter()
    .map(to_user)
    .collect()
}

pub fn accounts_by_email(
    c: &mut Client,
    email: &str,
) -> Result<Vec<(OrgRow, UserRow)>, StoreError> {
    c.query(
        &format!(
            "SELECT {USER_COLUMNS}, o.id, o.name, o.created_at
             FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.email = $1 ORDER BY o.name"
        ),
        &[&email],
    )?
    .iter()
    .map(|r| Ok((to_org(r, 7)?, to_user(r)?)))
    .collect()
}

pub fn set_role(c: &mut Client, org: OrgId, user: UserId, role: Role) -> Result<bool, StoreError> {
    Ok(c.execute(
        "UPDATE users SET role = $3 WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &user.to_string(), &role.as_str()],
    )? > 0)
}

pub fn set_password(
    c: &mut Client,
    org: OrgId,
    user: UserId,
    hash: &str,
) -> Result<bool, StoreError> {
    let mut tx = c.transaction()?;
    let changed = tx.execute(
        "UPDATE users SET password_hash = $3 WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &user.to_string(), &hash],
    )? > 0;
    tx.execute(
        "DELETE FROM sessions WHERE org_id = $1 AND user_id = $2",
        &[&org.to_string(), &user.to_string()],
    )?;
    tx.commit()?;
    Ok(changed)
}

/// Both the team and the user must belong to `org`.
pub fn add_member(
    c: &mut Client,
    org: OrgId,
    team: TeamId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "INSERT INTO team_members (org_id, team_id, user_id)
         SELECT $1::text, t.id, u.id FROM teams t, users u
         WHERE t.org_id = $1 AND t.id = $2 AND u.org_id = $1 AND u.id = $3
         ON CONFLICT DO NOTHING",
        &[&org.to_string(), &team.to_string(), &user.to_string()],
    )? > 0)
}

pub fn remove_member(
    c: &mut Client,
    org: OrgId,
    team: TeamId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "DELETE FROM team_members WHERE org_id = $1 AND team_id = $2 AND user_id = $3",
        &[&org.to_string(), &team.to_string(), &user.to_string()],
    )? > 0)
}

pub fn memberships(c: &mut Client, org: OrgId) -> Result<Vec<(TeamId, UserId)>, StoreError> {
    c.query(
        "SELECT team_id, user_id FROM team_members WHERE org_id = $1",
        &[&org.to_string()],
    )?
    .iter()
    .map(|r| {
        Ok((
            parse_uuid(r.try_get::<_, &str>(0)?)?,
            parse_uuid(r.try_get::<_, &str>(1)?)?,
        ))
    })
    .collect()
}

const DEVICE_COLUMNS: &str = "id, org_id, user_id, name, created_at, last_seen_at, revoked_at";

fn to_device(r: &Row) -> Result<DeviceRow, StoreError> {
    Ok(DeviceRow {
        id: parse_uuid(r.try_get::<_, &str>(0)?)?,
        org_id: parse_uuid(r.try_get::<_, &str>(1)?)?,
        user_id: parse_uuid(r.try_get::<_, &str>(2)?)?,
        name: r.try_get(3)?,
        created_at: from_ms(r.try_get(4)?),
        last_seen_at: r.try_get::<_, Option<i64>>(5)?.map(from_ms),
        revoked_at: r.try_get::<_, Option<i64>>(6)?.map(from_ms),
    })
}

pub fn create_device(
    c: &mut Client,
    org: OrgId,
    user: UserId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<DeviceRow, StoreError> {
    let id = new_id();
    c.execute(
        "INSERT INTO devices (id, org_id, user_id, name, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[&id, &org.to_string(), &user.to_string(), &name, &ms(now)],
    )?;
    Ok(DeviceRow {
        id: parse_uuid(&id)?,
        org_id: org,
        user_id: user,
        name: name.to_owned(),
        created_at: from_ms(ms(now)),
        last_seen_at: None,
        revoked_at: None,
    })
}

pub fn device(
    c: &mut Client,
    org: OrgId,
    device: DeviceId,
) -> Result<Option<DeviceRow>, StoreError> {
    c.query_opt(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = $1 AND id = $2"),
        &[&org.to_string(), &device.to_string()],
    )?
    .map(|r| to_device(&r))
    .transpose()
}

pub fn devices(
    c: &mut Client,
    org: OrgId,
    user: Option<UserId>,
) -> Result<Vec<DeviceRow>, StoreError> {
    c.query(
        &format!(
            "SELECT {DEVICE_COLUMNS} FROM devices
             WHERE org_id = $1 AND ($2::text IS NULL OR user_id = $2) ORDER BY created_at, id"
        ),
        &[&org.to_string(), &user.map(|u| u.to_string())],
    )?
    .iter()
    .map(to_device)
    .collect()
}

pub fn revoke_device(
    c: &mut Client,
    org: OrgId,
    device: DeviceId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, $3) WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &device.to_string(), &ms(now)],
    )? > 0)
}

pub fn touch_device(
    c: &mut Client,
    org: OrgId,
    device: DeviceId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "UPDATE devices SET last_seen_at = $3 WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &device.to_string(), &ms(now)],
    )?;
    Ok(())
}

pub fn create_session(
    c: &mut Client,
    org: OrgId,
    user: UserId,
    device: DeviceId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO sessions (token_hash, org_id, user_id, device_id, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &token_hash,
            &org.to_string(),
            &user.to_string(),
            &device.to_string(),
            &ms(expires_at),
        ],
    )?;
    Ok(())
}

pub fn session(c: &mut Client, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
    let row = c.query_opt(
        "SELECT s.org_id, s.user_id, s.device_id, u.role, s.expires_at, d.revoked_at
         FROM sessions s
         JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
         JOIN devices d ON d.id = s.device_id AND d.org_id = s.org_id
         WHERE s.token_hash = $1",
        &[&token_hash],
    )?;
    row.map(|r| {
        Ok(SessionRow {
            org_id: parse_uuid(r.try_get::<_, &str>(0)?)?,
            user_id: parse_uuid(r.try_get::<_, &str>(1)?)?,
            device_id: parse_uuid(r.try_get::<_, &str>(2)?)?,
            role: parse_role(r.try_get(3)?)?,
            expires_at: from_ms(r.try_get(4)?),
            device_revoked: r.try_get::<_, Option<i64>>(5)?.is_some(),
        })
    })
    .transpose()
}

pub fn end_session(c: &mut Client, org: OrgId, token_hash: &str) -> Result<(), StoreError> {
    c.execute(
        "DELETE FROM sessions WHERE org_id = $1 AND token_hash = $2",
        &[&org.to_string(), &token_hash],
    )?;
    Ok(())
}

pub fn end_sessions(c: &mut Client, org: OrgId, user: UserId) -> Result<u64, StoreError> {
    Ok(c.execute(
        "DELETE FROM sessions WHERE org_id = $1 AND user_id = $2",
        &[&org.to_string(), &user.to_string()],
    )?)
}

pub fn create_invitation(c: &mut Client, i: &InvitationRow) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO invitations (token_hash, org_id, email, role, team_id, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &i.token_hash,
            &i.org_id.to_string(),
            &i.email,
            &i.role.as_str(),
            &i.team_id.map(|t| t.to_string()),
            &i.created_by.to_string(),
            &ms(i.expires_at),
        ],
    )?;
    Ok(())
}

/// One statement: of two concurrent takers, the second re-checks `used_at` after the first
/// commits and gets nothing.
pub fn take_invitation(
    c: &mut Client,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<InvitationRow>, StoreError> {
    let row = c.query_opt(
        "UPDATE invitations SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING org_id, email, role, team_id, created_by, expires_at",
        &[&token_hash, &ms(now)],
    )?;
    row.map(|r| {
        Ok(InvitationRow {
            token_hash: token_hash.to_owned(),
            org_id: parse_uuid(r.try_get::<_, &str>(0)?)?,
            email: r.try_get(1)?,
            role: parse_role(r.try_get(2)?)?,
            team_id: r
                .try_get::<_, Option<&str>>(3)?
                .map(parse_uuid)
                .transpose()?,
            created_by: parse_uuid(r.try_get::<_, &str>(4)?)?,
            expires_at: from_ms(r.try_get(5)?),
        })
    })
    .transpose()
}

pub fn stats(c: &mut Client) -> Result<Stats, StoreError> {
    // One statement, so the counts are of one moment.
    let r = c.query_one(
        "SELECT (SELECT count(*) FROM orgs),
                (SELECT count(*) FROM users),
                (SELECT count(*) FROM devices WHERE revoked_at IS NULL),
                (SELECT count(*) FROM sessions),
                (SELECT count(*) FROM documents),
                (SELECT count(*) FROM changes),
                pg_database_size(current_database())",
        &[],
    )?;
    let n = |i: usize| -> Result<u64, StoreError> {
        Ok(u64::try_from(r.try_get::<_, i64>(i)?).unwrap_or(0))
    };
    Ok(Stats {
        orgs: n(0)?,
        users: n(1)?,
        devices: n(2)?,
        active_sessions: n(3)?,
        documents: n(4)?,
        changes: n(5)?,
        stored_bytes: n(6)?,
    })
}
