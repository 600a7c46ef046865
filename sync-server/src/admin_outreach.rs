//! `fieldstone-server admin …` for an organisation's outreach: its plan and this month's usage,
//! its providers — email, texts, AI — (the secret read from standard input, sealed, never
//! printed), and its do-not-call list.

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use fieldstone_model::plan::{period_of, Meter, Plan};
use fieldstone_server::config::Config;
use fieldstone_server::providers::{self, ProviderChange, SecretChange};
use fieldstone_server::secrets::Sealer;
use fieldstone_server::store::{DncRow, OrgRow, PlanRow, Store};
use std::io::Read;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum OutreachCommand {
    /// Set an organisation's plan (free, starter, pro, enterprise) and the time zone its
    /// months are counted in.
    SetPlan {
        #[arg(long)]
        org: String,
        #[arg(long)]
        plan: String,
        /// IANA name, such as Europe/Paris (kept when left out; UTC at first).
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// The plan and this month's use of each allowance, by user.
    Usage {
        #[arg(long)]
        org: String,
    },
    /// Set an organisation's email, sms, ai or mls provider. Settings are JSON (see the HTTP
    /// API; `{"off": true}` switches AI off); the secret (the SMTP URL, the auth token, the AI
    /// provider's API key, the MLS token or client secret) is read from standard input. An MLS
    /// connection runs at once.
    SetProvider {
        #[arg(long)]
        org: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        settings: String,
        /// Keep the stored secret instead of reading a new one.
        #[arg(long, conflicts_with = "no_secret")]
        keep_secret: bool,
        /// No secret at all (an AI server that needs no key); a stored one is dropped.
        #[arg(long)]
        no_secret: bool,
    },
    /// An organisation's providers (secrets are never shown).
    Providers {
        #[arg(long)]
        org: String,
    },
    RemoveProvider {
        #[arg(long)]
        org: String,
        #[arg(long)]
        kind: String,
    },
    /// Add the numbers of a CSV file to the do-not-call list (first column, or the column
    /// headed phone or number).
    ImportDnc {
        #[arg(long)]
        org: String,
        #[arg(long)]
        file: PathBuf,
    },
}

pub fn run(
    store: &dyn Store,
    config: &Config,
    org_of: impl Fn(&str) -> Result<OrgRow>,
    command: OutreachCommand,
) -> Result<()> {
    let now = chrono::Utc::now();
    match command {
        OutreachCommand::SetPlan {
            org,
            plan,
            time_zone,
        } => {
            let org = org_of(&org)?;
            let plan: Plan = plan
                .parse()
                .map_err(|_| anyhow!("--plan must be free, starter, pro or enterprise"))?;
            let time_zone = match time_zone {
                Some(zone) => {
                    zone.parse::<chrono_tz::Tz>()
                        .map_err(|_| anyhow!("--time-zone {zone:?} is not an IANA time zone"))?;
                    zone
                }
                None => store
                    .plan(org.id)?
                    .map_or_else(|| "UTC".to_owned(), |p| p.time_zone),
            };
            store.set_plan(
                org.id,
                &PlanRow {
                    plan: plan.as_str().into(),
                    time_zone: time_zone.clone(),
                    updated_at: now,
                },
            )?;
            eprintln!("{}: {} plan, months in {time_zone}", org.name, plan.label());
        }
        OutreachCommand::Usage { org } => {
            let org = org_of(&org)?;
            let row = store.plan(org.id)?;
            let plan = row
                .as_ref()
                .and_then(|r| r.plan.parse().ok())
                .unwrap_or(config.default_plan);
            let zone: chrono_tz::Tz = row
                .as_ref()
                .and_then(|r| r.time_zone.parse().ok())
                .unwrap_or(chrono_tz::Tz::UTC);
            let (period, resets) = period_of(now, zone);
            println!("plan\t{}\nmonth\t{period}\nresets\t{resets}", plan.as_str());
            let users = store.users(org.id)?;
            for usage in store.usage_in(org.id, &period)? {
                let who = match usage.user {
                    None => "(organisation)".to_owned(),
                    Some(id) => users
                        .iter()
                        .find(|u| u.id == id)
                        .map_or_else(|| id.to_string(), |u| u.email.clone()),
                };
                let allowance = usage
                    .meter
                    .parse::<Meter>()
                    .ok()
                    .and_then(|m| plan.allowance(m))
                    .map_or_else(|| "no cap".to_owned(), |a| a.to_string());
                println!("{}\t{who}\t{}\t{allowance}", usage.meter, usage.used);
            }
        }
        OutreachCommand::SetProvider {
            org,
            kind,
            settings,
            keep_secret,
            no_secret,
        } => {
            let org = org_of(&org)?;
            let settings: serde_json::Value =
                serde_json::from_str(&settings).context("--settings is not JSON")?;
            let read = if keep_secret || no_secret {
                None
            } else {
                let mut secret = String::new();
                std::io::stdin()
                    .read_to_string(&mut secret)
                    .context("reading the secret from standard input")?;
                let secret = secret.trim().to_owned();
                if secret.is_empty() {
                    bail!("no secret on standard input (or pass --keep-secret or --no-secret)");
                }
                Some(secret)
            };
            let secret = match (&read, no_secret) {
                (Some(secret), _) => SecretChange::Set(secret),
                (None, true) => SecretChange::Drop,
                (None, false) => SecretChange::Keep,
            };
            let sealer = config.secret_key_bytes().map(|key| Sealer::new(&key));
            let change = ProviderChange {
                kind: &kind,
                settings: &settings,
                secret,
                by: None,
            };
            let row = providers::prepare(store, sealer.as_ref(), config, org.id, &change, now)
                .map_err(|e| anyhow!("{e}"))?;
            store.set_provider(org.id, &row)?;
            if kind == fieldstone_server::mls::MLS {
                // A serving process's job runner takes it within a second.
                store.schedule_job(
                    org.id,
                    &fieldstone_server::store::jobs::JobSchedule {
                        kind: fieldstone_server::mls::MLS,
                        key: String::new(),
                        due_at: Some(now),
                    },
                    now,
                )?;
            }
            eprintln!("{}: {kind} provider set", org.name);
        }
        OutreachCommand::Providers { org } => {
            let org = org_of(&org)?;
            for row in store.providers(org.id)? {
                let secret = if row.sealed_secret.is_some() {
                    "secret set"
                } else {
                    "no secret"
                };
                println!(
                    "{}\t{}\t{secret}\t{}",
                    row.kind, row.settings, row.updated_at
                );
            }
        }
        OutreachCommand::RemoveProvider { org, kind } => {
            let org = org_of(&org)?;
            if !store.remove_provider(org.id, &kind)? {
                bail!("{} has no {kind} provider", org.name);
            }
            eprintln!("{}: {kind} provider removed", org.name);
        }
        OutreachCommand::ImportDnc { org, file } => {
            let org = org_of(&org)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let list = fieldstone_server::dnc::parse_csv(&bytes);
            let rows: Vec<DncRow> = list
                .numbers
                .iter()
                .map(|number| DncRow {
                    number: number.clone(),
                    source: format!(
                        "imported from {}",
                        file.file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    ),
                    added_at: now,
                    added_by: None,
                })
                .collect();
            let added = store.add_dnc(org.id, &rows)?;
            for (line, reason) in &list.rejected {
                eprintln!("line {line}: {reason}");
            }
            println!(
                "added {added}, already listed {}, rejected {}",
                rows.len() - added,
                list.rejected_count
            );
        }
    }
    Ok(())
}
