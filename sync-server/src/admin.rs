//! `fieldstone-server admin …`: organisations, teams, users, roles, passwords, devices,
//! backups and statistics, straight on the database.

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use fieldstone_model::{DeviceId, OrgId, TeamId};
use fieldstone_protocol::account::{check_name, check_password, Role};
use fieldstone_server::auth::{hash_token, new_token, Passwords};
use fieldstone_server::config::Config;
use fieldstone_server::hub::Event;
use fieldstone_server::store::{NewUser, OrgRow, Store, TeamRow, UserRow};
use rand::Rng;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

mod intake;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an organisation and its owner. Prints the org id (and a generated password unless
    /// --password-stdin).
    CreateOrg {
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long, default_value = "Owner")]
        owner_name: String,
        /// Read the owner's password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List organisations.
    ListOrgs,
    /// Create a team. --org takes an id or an exact name, as everywhere.
    CreateTeam {
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
    },
    /// Create a user with a role (owner, admin, broker, agent, viewer), optionally in a team.
    CreateUser {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List an organisation's users with their roles and teams.
    ListUsers {
        #[arg(long)]
        org: String,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
    /// Put a user in a team.
    AddMember {
        #[arg(long)]
        org: String,
        #[arg(long)]
        team: String,
        #[arg(long)]
        email: String,
    },
    /// Take a user out of a team.
    RemoveMember {
        #[arg(long)]
        org: String,
        #[arg(long)]
        team: String,
        #[arg(long)]
        email: String,
    },
    /// Set a new password (generated unless --password-stdin); ends every session of the user.
    ResetPassword {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List devices of an organisation, or of one user.
    Devices {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke a device: refused at once, told to wipe its copy on its next contact.
    RevokeDevice {
        #[arg(long)]
        org: String,
        #[arg(long)]
        device: String,
    },
    /// Register a device for a user and print its session token (shown once), e.g. for a
    /// headless device or a local development server.
    IssueToken {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "command-line device")]
        device_name: String,
    },
    /// Write a consistent copy of the whole database (SQLite: a new database file).
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Counts: organisations, users, devices, sessions, documents, changes, bytes.
    Stats,
    /// An organisation's security events, newest first (failed sign-ins, lockouts, role and
    /// team changes, revoked devices, refused changes, unreadable documents).
    Audit {
        #[arg(long)]
        org: String,
        /// How many events.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    #[command(flatten)]
    Outreach(crate::admin_outreach::OutreachCommand),
    #[command(flatten)]
    Intake(intake::IntakeCommand),
}

pub fn run(store: &dyn Store, config: &Config, command: AdminCommand) -> Result<()> {
    let now = chrono::Utc::now();
    let passwords = || {
        Passwords::new(config.auth.argon2_memory_kib, config.auth.argon2_iterations)
            .map_err(anyhow::Error::msg)
    };
    match command {
        AdminCommand::Outreach(command) => {
            return crate::admin_outreach::run(store, config, |key| find_org(store, key), command)
        }
        AdminCommand::Intake(command) => {
            return intake::run(store, config, |key| find_org(store, key), command)
        }
        AdminCommand::CreateOrg {
            name,
            owner_email,
            owner_name,
            password_stdin,
        } => {
            let name = check_name("organisation name", &name).map_err(anyhow::Error::msg)?;
            let email = checked_email(&owner_email)?;
            let display = check_name("owner name", &owner_name).map_err(anyhow::Error::msg)?;
            let (password, generated) = password(password_stdin)?;
            let hash = passwords()?.hash(&password).map_err(anyhow::Error::msg)?;
            let org = store.create_org(&name, now)?;
            store.create_user(
                org.id,
                &NewUser {
                    email: email.clone(),
                    display_name: display,
                    role: Role::Owner,
                    password_hash: hash,
                },
                now,
            )?;
            println!("{}", org.id);
            eprintln!("created organisation {name:?} owned by {email}");
            if generated {
                eprintln!("owner password (shown once): {password}");
            }
        }
        AdminCommand::ListOrgs => {
            for org in store.orgs()? {
                println!("{}\t{}", org.id, org.name);
            }
        }
        AdminCommand::CreateTeam { org, name } => {
            let org = find_org(store, &org)?;
            let name = check_name("team name", &name).map_err(anyhow::Error::msg)?;
            let team = store.create_team(org.id, &name)?;
            store.announce(&Event::AccessChanged { org: org.id })?;
            println!("{}", team.id);
        }
        AdminCommand::CreateUser {
            org,
            email,
            role,
            name,
            team,
            password_stdin,
        } => {
            let org = find_org(store, &org)?;
            let email = checked_email(&email)?;
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let team = team.map(|t| find_team(store, &org, &t)).transpose()?;
            let display = check_name("display name", name.as_deref().unwrap_or(&email))
                .map_err(anyhow::Error::msg)?;
            let (password, generated) = password(password_stdin)?;
            let hash = passwords()?.hash(&password).map_err(anyhow::Error::msg)?;
            let user = store.create_user(
                org.id,
                &NewUser {
                    email: email.clone(),
                    display_name: display,
                    role,
                    password_hash: hash,
                },
                now,
            )?;
            if let Some(team) = team {
                store.add_member(org.id, team.id, user.id)?;
            }
            store.announce(&Event::AccessChanged { org: org.id })?;
            println!("{}", user.id);
            if generated {
                eprintln!("password for {email} (shown once): {password}");
            }
        }
        AdminCommand::ListUsers { org } => {
            let org = find_org(store, &org)?;
            let teams = store.teams(org.id)?;
            let members = store.memberships(org.id)?;
            for user in store.users(org.id)? {
                let names: Vec<&str> = members
                    .iter()
                    .filter(|(_, u)| *u == user.id)
                    .filter_map(|(t, _)| teams.iter().find(|x| x.id == *t))
                    .map(|t| t.name.as_str())
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.role,
                    names.join(",")
                );
            }
        }
        AdminCommand::SetRole { org, email, role } => {
            let org = find_org(store, &org)?;
            let user = find_user(store, &org, &email)?;
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            store.set_role(org.id, user.id, role)?;
            store.announce(&Event::AccessChanged { org: org.id })?;
            eprintln!("{} is now {role}", user.email);
        }
        AdminCommand::AddMember { org, team, email } => {
            let org = find_org(store, &org)?;
            let team = find_team(store, &org, &team)?;
            let user = find_user(store, &org, &email)?;
            store.add_member(org.id, team.id, user.id)?;
            store.announce(&Event::AccessChanged { org: org.id })?;
        }
        AdminCommand::RemoveMember { org, team, email } => {
            let org = find_org(store, &org)?;
            let team = find_team(store, &org, &team)?;
            let user = find_user(store, &org, &email)?;
            if !store.remove_member(org.id, team.id, user.id)? {
                bail!("{} is not in team {}", user.email, team.name);
            }
            store.announce(&Event::AccessChanged { org: org.id })?;
        }
        AdminCommand::ResetPassword {
            org,
            email,
            password_stdin,
        } => {
            let org = find_org(store, &org)?;
            let user = find_user(store, &org, &email)?;
            let (password, generated) = password(password_stdin)?;
            let hash = passwords()?.hash(&password).map_err(anyhow::Error::msg)?;
            store.set_password(org.id, user.id, &hash)?;
            store.announce(&Event::SessionsEnded {
                org: org.id,
                user: user.id,
            })?;
            eprintln!("password reset; every session of {} ended", user.email);
            if generated {
                eprintln!("new password (shown once): {password}");
            }
        }
        AdminCommand::Devices { org, email } => {
            let org = find_org(store, &org)?;
            let user = email.map(|e| find_user(store, &org, &e)).transpose()?;
            let users = store.users(org.id)?;
            for device in store.devices(org.id, user.map(|u| u.id))? {
                let owner = users
                    .iter()
                    .find(|u| u.id == device.user_id)
                    .map_or("?", |u| u.email.as_str());
                let state = match device.revoked_at {
                    Some(at) => format!("revoked {}", at.to_rfc3339()),
                    None => device.last_seen_at.map_or("never seen".into(), |at| {
                        format!("seen {}", at.to_rfc3339())
                    }),
                };
                println!("{}\t{}\t{}\t{}", device.id, owner, device.name, state);
            }
        }
        AdminCommand::RevokeDevice { org, device } => {
            let org = find_org(store, &org)?;
            let id: DeviceId = device
                .parse()
                .map_err(|_| anyhow!("--device: {device:?} is not a device id"))?;
            if !store.revoke_device(org.id, id, now)? {
                bail!("no device {device} in {}", org.name);
            }
            store.announce(&Event::DeviceRevoked {
                org: org.id,
                device: id,
            })?;
            eprintln!("device {id} revoked");
        }
        AdminCommand::IssueToken {
            org,
            email,
            device_name,
        } => {
            let org = find_org(store, &org)?;
            let user = find_user(store, &org, &email)?;
            let name = check_name("device name", &device_name).map_err(anyhow::Error::msg)?;
            let device = store.create_device(org.id, user.id, &name, now)?;
            let token = new_token();
            let expires = now + chrono::Duration::days(i64::from(config.auth.session_days));
            store.create_session(org.id, user.id, device.id, &hash_token(&token), expires)?;
            println!("{token}");
            eprintln!(
                "device {} registered for {}; the token above is shown only once",
                device.id, user.email
            );
        }
        AdminCommand::Backup { to } => {
            store.backup(&to)?;
            eprintln!("backup written to {}", to.display());
        }
        AdminCommand::Stats => {
            let s = store.stats()?;
            println!("backend\t{}", store.backend());
            println!("organisations\t{}", s.orgs);
            println!("users\t{}", s.users);
            println!("active devices\t{}", s.devices);
            println!("sessions\t{}", s.active_sessions);
            println!("documents\t{}", s.documents);
            println!("changes\t{}", s.changes);
            println!("stored bytes\t{}", s.stored_bytes);
        }
        AdminCommand::Audit { org, limit } => {
            let org = find_org(store, &org)?;
            for row in store.audit_log(org.id, None, limit.clamp(1, 10_000))? {
                let e = row.event;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    e.at.to_rfc3339(),
                    e.kind,
                    e.user.map(|u| u.to_string()).unwrap_or_else(|| "-".into()),
                    e.subject.unwrap_or_else(|| "-".into()),
                    e.ip.unwrap_or_else(|| "-".into()),
                    e.detail
                );
            }
        }
    }
    Ok(())
}

fn checked_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    fieldstone_model::check_email(&email).map_err(|m| anyhow!("--email: {m}"))?;
    Ok(email)
}

/// A password from standard input (first line), or a generated one.
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        if std::io::stdin().is_terminal() {
            eprint!("password: ");
        }
        let mut text = String::new();
        std::io::stdin()
            .take(4096)
            .read_to_string(&mut text)
            .context("reading the password from standard input")?;
        let password = text.lines().next().unwrap_or("").to_owned();
        check_password(&password).map_err(|m| anyhow!("password: {m}"))?;
        return Ok((password, false));
    }
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let password = (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    Ok((password, true))
}

fn find_org(store: &dyn Store, key: &str) -> Result<OrgRow> {
    if let Ok(id) = key.parse::<OrgId>() {
        if let Some(org) = store.org(id)? {
            return Ok(org);
        }
    }
    let matches: Vec<OrgRow> = store
        .orgs()?
        .into_iter()
        .filter(|o| o.name == key)
        .collect();
    match matches.len() {
        1 => Ok(matches
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("unreachable"))?),
        0 => bail!("no organisation {key:?} (admin list-orgs shows them)"),
        _ => bail!("several organisations are named {key:?}: use the id"),
    }
}

fn find_team(store: &dyn Store, org: &OrgRow, key: &str) -> Result<TeamRow> {
    let teams = store.teams(org.id)?;
    let by_id = key.parse::<TeamId>().ok();
    teams
        .into_iter()
        .find(|t| Some(t.id) == by_id || t.name == key)
        .ok_or_else(|| anyhow!("no team {key:?} in {}", org.name))
}

fn find_user(store: &dyn Store, org: &OrgRow, email: &str) -> Result<UserRow> {
    let email = checked_email(email)?;
    store
        .users(org.id)?
        .into_iter()
        .find(|u| u.email == email)
        .ok_or_else(|| anyhow!("no user {email} in {}", org.name))
}
