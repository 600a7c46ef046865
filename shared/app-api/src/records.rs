//! Whose records this device shows, which other accounts' it keeps apart, and what the last
//! sign-in did to them — for the Settings screen — and choosing the store a sign-in uses.

use super::Api;
use fieldstone_protocol::commands::{CommandError, DeviceRecords, RecordsAccount};
use fieldstone_replica::{AccountBinding, Replica, ReplicaError};
use std::sync::Arc;

/// The part of an account binding the Settings screen names.
fn records_account(account: &AccountBinding) -> RecordsAccount {
    RecordsAccount {
        org_name: account.org_name.clone(),
        email: account.email.clone(),
        server_url: account.server_url.clone(),
    }
}

/// The store a sign-in will use, chosen before anything is saved.
pub(super) struct StorePlan {
    pub replica: Arc<Replica>,
    /// Another store than the one shown now.
    pub switches: bool,
    /// Whose the store shown now is (`None`: nobody's yet).
    pub previous: Option<AccountBinding>,
    /// The store was there before (the account's records come back).
    pub existed: bool,
    /// The store shown now has never synced and holds records: the account adopts them.
    pub adopts_records: bool,
}

impl StorePlan {
    /// What happened, for the person: `None` when nothing they see changes.
    pub fn note(&self, account: &AccountBinding) -> Option<String> {
        let org = &account.org_name;
        if !self.switches {
            return self.adopts_records.then(|| {
                format!(
                    "You are signed in to {org}. The records you made on this device before \
                     signing in now belong to {org} and sync with it."
                )
            });
        }
        let back = if self.existed {
            format!("You are signed in to {org}; its records on this device are back.")
        } else {
            format!("You are signed in to {org}.")
        };
        let kept = match &self.previous {
            // Same organisation, another person: name the person.
            Some(previous) if previous.org_id == account.org_id => format!(
                "The records of {} stay on this device and come back when that account signs in again.",
                previous.email
            ),
            Some(previous) => format!(
                "{}'s records stay on this device and come back when you sign in to it again.",
                previous.org_name
            ),
            None => format!(
                "The records that were on this device stay on it, apart, and are not sent to {org}."
            ),
        };
        Some(format!("{back} {kept}"))
    }
}

impl Api {
    /// Whose records are shown and kept on this device.
    pub async fn device_records(&self) -> Result<DeviceRecords, CommandError> {
        let shown = self.lock_current().account.clone();
        let synced = self.settings.get().session.is_some();
        let stores = self.stores.clone();
        let others = super::blocking(move || Ok(stores.accounts())).await?;
        let apart = others
            .iter()
            .map(|(_, binding)| binding)
            .filter(|binding| !shown.as_ref().is_some_and(|s| s.same_account(binding)))
            .map(records_account)
            .collect();
        let note = self
            .records_note
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(DeviceRecords {
            shown: shown.as_ref().map(records_account),
            synced,
            apart,
            note,
        })
    }

    pub(super) fn set_records_note(&self, note: Option<String>) {
        *self.records_note.lock().unwrap_or_else(|p| p.into_inner()) = note;
    }

    /// Chooses the store for `account`: the one shown if it is the account's or has never
    /// synced (the first sign-in adopts what was made before), else the account's own (opened,
    /// or made empty). Nothing is bound or switched yet.
    pub(super) async fn plan_store(
        &self,
        account: &AccountBinding,
    ) -> Result<StorePlan, CommandError> {
        let current = self.replica();
        let stores = self.stores.clone();
        let clock = Arc::clone(&self.clock);
        let account = account.clone();
        super::blocking(move || {
            let plan = || -> Result<StorePlan, ReplicaError> {
                let previous = current.account_binding()?;
                let keep = match &previous {
                    Some(bound) => bound.same_account(&account),
                    None => !current.has_synced()?,
                };
                if keep {
                    let adopts_records = previous.is_none() && !current.document_ids()?.is_empty();
                    return Ok(StorePlan {
                        replica: current,
                        switches: false,
                        previous,
                        existed: true,
                        adopts_records,
                    });
                }
                let path = stores.path_for(account.org_id, account.user_id);
                let existed = path.exists();
                let replica = Arc::new(Replica::open(&path, clock)?);
                if let Some(bound) = replica.account_binding()? {
                    if !bound.same_account(&account) {
                        return Err(ReplicaError::OtherAccount {
                            bound_to: format!("{} ({})", bound.org_name, bound.email),
                            asked_for: format!("{} ({})", account.org_name, account.email),
                        });
                    }
                }
                Ok(StorePlan {
                    replica,
                    switches: true,
                    previous,
                    existed,
                    adopts_records: false,
                })
            };
            plan().map_err(crate::error::from_replica)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(org: u128, user: u128, name: &str, email: &str) -> AccountBinding {
        AccountBinding {
            server_url: "https://sync.example.com".into(),
            org_id: fieldstone_model::OrgId::from_uuid(uuid::Uuid::from_u128(org)),
            org_name: name.into(),
            user_id: fieldstone_model::UserId::from_uuid(uuid::Uuid::from_u128(user)),
            email: email.into(),
        }
    }

    #[test]
    fn a_switch_says_whose_records_stay_and_come_back() {
        let harbour = account(1, 10, "Harbour Realty", "ada@harbour.test");
        let cedar = account(2, 20, "Cedar Homes", "bea@cedar.test");
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(fieldstone_model::FixedClock::new(
            chrono::DateTime::UNIX_EPOCH,
        ));
        let replica = Arc::new(Replica::open(&dir.path().join("f.db"), clock).expect("open"));
        let plan =
            |previous: Option<AccountBinding>, switches, existed, adopts_records| StorePlan {
                replica: Arc::clone(&replica),
                switches,
                previous,
                existed,
                adopts_records,
            };
        assert_eq!(
            plan(Some(harbour.clone()), true, false, false).note(&cedar).as_deref(),
            Some("You are signed in to Cedar Homes. Harbour Realty's records stay on this device and come back when you sign in to it again.")
        );
        assert_eq!(
            plan(Some(cedar.clone()), true, true, false).note(&harbour).as_deref(),
            Some("You are signed in to Harbour Realty; its records on this device are back. Cedar Homes's records stay on this device and come back when you sign in to it again.")
        );
        let colleague = account(1, 11, "Harbour Realty", "cy@harbour.test");
        assert!(plan(Some(harbour.clone()), true, false, false)
            .note(&colleague)
            .is_some_and(|n| n.contains("The records of ada@harbour.test stay")));
        assert!(plan(None, false, true, true)
            .note(&harbour)
            .is_some_and(|n| n.contains("before signing in now belong to Harbour Realty")));
        assert_eq!(
            plan(Some(harbour.clone()), false, true, false).note(&harbour),
            None
        );
    }
}
