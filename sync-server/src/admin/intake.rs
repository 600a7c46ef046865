//! `fieldstone-server admin …` for lead intake: an organisation's intake API keys (the whole
//! key printed once, on standard output) and its Meta app secrets for the Instagram and
//! WhatsApp webhooks (read from standard input, sealed, never printed).

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use fieldstone_server::config::Config;
use fieldstone_server::intake::keys;
use fieldstone_server::intake::meta::{MetaSecrets, PROVIDER_KIND};
use fieldstone_server::secrets::Sealer;
use fieldstone_server::store::{OrgRow, Store};
use std::io::Read;

#[derive(Subcommand)]
pub enum IntakeCommand {
    /// Make an intake API key for a website or portal; the key is printed once.
    CreateIntakeKey {
        #[arg(long)]
        org: String,
        /// What the key is for ("Website", "Zillow").
        #[arg(long)]
        label: String,
    },
    /// An organisation's intake API keys: id, label, prefix, created, last used, revoked.
    IntakeKeys {
        #[arg(long)]
        org: String,
    },
    /// Revoke an intake API key: leads sent with it are refused from now on.
    RevokeIntakeKey {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
    },
    /// Set the Meta app secret and the webhook verify token (Instagram and WhatsApp), read
    /// from standard input: the secret on the first line, the token on the second.
    SetMeta {
        #[arg(long)]
        org: String,
    },
}

pub fn run(
    store: &dyn Store,
    config: &Config,
    find_org: impl Fn(&str) -> Result<OrgRow>,
    command: IntakeCommand,
) -> Result<()> {
    let now = chrono::Utc::now();
    match command {
        IntakeCommand::CreateIntakeKey { org, label } => {
            let org = find_org(&org)?;
            let made = keys::create(store, org.id, &label, None, now)?;
            println!("{}", made.key);
            eprintln!(
                "intake key {} ({:?}) for {}: shown once, keep it with the sender",
                made.info.id, made.info.label, org.name
            );
        }
        IntakeCommand::IntakeKeys { org } => {
            let org = find_org(&org)?;
            let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
            };
            for key in store.intake_keys(org.id)? {
                println!(
                    "{}\t{}\t{}…\t{}\t{}\t{}",
                    key.id,
                    key.label,
                    key.prefix,
                    key.created_at.to_rfc3339(),
                    time(key.last_used_at),
                    time(key.revoked_at)
                );
            }
        }
        IntakeCommand::RevokeIntakeKey { org, id } => {
            let org = find_org(&org)?;
            if !store.revoke_intake_key(org.id, id.trim(), now)? {
                bail!("{} has no intake key {id}", org.name);
            }
            eprintln!("intake key {id} revoked");
        }
        IntakeCommand::SetMeta { org } => {
            let org = find_org(&org)?;
            let key = config.secret_key_bytes().ok_or_else(|| {
                anyhow!("the server has no secret_key, so it cannot seal secrets")
            })?;
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("reading the app secret and verify token from standard input")?;
            let mut lines = input.lines().map(str::trim).filter(|l| !l.is_empty());
            let secrets = MetaSecrets {
                app_secret: lines.next().unwrap_or_default().to_owned(),
                verify_token: lines.next().unwrap_or_default().to_owned(),
            };
            let problems = secrets.problems();
            if !problems.is_empty() {
                bail!("{}", problems.join("; "));
            }
            let row = secrets.seal(&Sealer::new(&key), org.id, None, now);
            store.set_provider(org.id, &row)?;
            eprintln!(
                "{PROVIDER_KIND} set for {}: point the webhooks at /hooks/meta/{}",
                org.name, org.id
            );
        }
    }
    Ok(())
}
