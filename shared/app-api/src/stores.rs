//! Where each account's records live on this device: one engine database per account
//! (organisation and user), so one account's records are never shown to, nor synced with,
//! another.
//!
//! - `<data dir>/fieldstone.db`: the store of a device that has never signed in. The first
//!   account signed in to adopts it (work done offline before joining goes to that account),
//!   and it stays that account's.
//! - `<data dir>/accounts/<organisation id>/<user id>/fieldstone.db`: every other account's.
//!
//! Which account a store belongs to is recorded in the store itself
//! ([`fieldstone_replica::AccountBinding`]); these paths only find it. An account is found by
//! organisation and user, not by server address: a server that moves keeps its accounts.

use fieldstone_model::{OrgId, UserId};
use fieldstone_replica::{AccountBinding, Replica};
use std::path::{Path, PathBuf};

const DB_FILE: &str = "fieldstone.db";
const ACCOUNTS_DIR: &str = "accounts";

#[derive(Debug, Clone)]
pub struct Stores {
    data_dir: PathBuf,
}

impl Stores {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
        }
    }

    /// The first store: a device's records before any sign-in.
    pub fn local(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    fn own(&self, org: OrgId, user: UserId) -> PathBuf {
        self.data_dir
            .join(ACCOUNTS_DIR)
            .join(org.to_string())
            .join(user.to_string())
            .join(DB_FILE)
    }

    /// Where the records of `org`'s `user` are (or will be): the first store if that account
    /// adopted it, else the account's own.
    pub fn path_for(&self, org: OrgId, user: UserId) -> PathBuf {
        let local = self.local();
        match Replica::peek_account_binding(&local) {
            Ok(Some(bound)) if bound.org_id == org && bound.user_id == user => local,
            Ok(_) => self.own(org, user),
            Err(error) => {
                // Unreadable: never take it for this account's; it stays as it is.
                tracing::warn!(%error, "cannot read whose the first store is");
                self.own(org, user)
            }
        }
    }

    /// Every store on this device that belongs to an account, with its path.
    pub fn accounts(&self) -> Vec<(PathBuf, AccountBinding)> {
        let mut found = Vec::new();
        let mut candidates = vec![self.local()];
        let orgs = std::fs::read_dir(self.data_dir.join(ACCOUNTS_DIR))
            .into_iter()
            .flatten();
        for org in orgs.flatten() {
            for user in std::fs::read_dir(org.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                candidates.push(user.path().join(DB_FILE));
            }
        }
        for path in candidates {
            match Replica::peek_account_binding(&path) {
                Ok(Some(binding)) => found.push((path, binding)),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, path = %path.display(), "cannot read whose a store is")
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::FixedClock;
    use std::sync::Arc;

    fn account(org: u128, user: u128) -> AccountBinding {
        AccountBinding {
            server_url: "https://sync.example.com".into(),
            org_id: OrgId::from_uuid(uuid::Uuid::from_u128(org)),
            org_name: format!("Org {org}"),
            user_id: UserId::from_uuid(uuid::Uuid::from_u128(user)),
            email: format!("user{user}@example.com"),
        }
    }

    fn open(path: &Path) -> Replica {
        let clock = Arc::new(FixedClock::new(chrono::DateTime::UNIX_EPOCH));
        Replica::open(path, clock).expect("open")
    }

    #[test]
    fn the_first_store_is_found_for_the_account_that_adopted_it_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stores = Stores::new(dir.path());
        let (first, second) = (account(1, 10), account(2, 20));
        assert_eq!(
            stores.path_for(first.org_id, first.user_id),
            stores.own(first.org_id, first.user_id)
        );
        open(&stores.local()).bind_account(&first).expect("adopt");
        assert_eq!(stores.path_for(first.org_id, first.user_id), stores.local());
        let elsewhere = stores.path_for(second.org_id, second.user_id);
        assert_ne!(elsewhere, stores.local());
        open(&elsewhere).bind_account(&second).expect("bind");
        let mut listed: Vec<String> = stores
            .accounts()
            .into_iter()
            .map(|(_, b)| b.org_name)
            .collect();
        listed.sort();
        assert_eq!(listed, ["Org 1", "Org 2"]);
    }
}
