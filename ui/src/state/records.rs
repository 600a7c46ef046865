//! Whose records this device shows (the `device_records` command) and how Settings says it.
//!
//! The shell declares these types too (`src-tauri/src/api/records.rs`), field for field; both
//! sides test the same JSON. They belong in `fieldstone_protocol::commands` with the other
//! command types, and move there when that crate is next opened for changes.

use serde::{Deserialize, Serialize};

/// One account whose records are on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsAccount {
    pub org_name: String,
    pub email: String,
    pub server_url: String,
}

/// Whose records the app shows and keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecords {
    /// The account whose records are shown; `None`: never signed in (this device's own).
    pub shown: Option<RecordsAccount>,
    /// The shown records are synced (signed in to their account).
    pub synced: bool,
    /// Other accounts' records kept on this device, apart: not shown, not synced.
    pub apart: Vec<RecordsAccount>,
    /// What the last sign-in did to the records shown, in a sentence.
    pub note: Option<String>,
}

impl DeviceRecords {
    /// Whose records these are and what happens to them, in a sentence.
    pub fn shown_sentence(&self) -> String {
        match &self.shown {
            Some(account) if self.synced => format!(
                "This device shows {}'s records and keeps them in sync with {}.",
                account.org_name, account.server_url
            ),
            Some(account) => format!(
                "This device shows {org}'s records, as {email} left them. They are not synced \
                 while you are signed out: changes you make wait here until you sign in to {org} \
                 again.",
                org = account.org_name,
                email = account.email
            ),
            None => "Records you make are kept on this device. The first account you sign in \
                     to receives them; each account you sign in to after that keeps its own \
                     records here, apart."
                .to_owned(),
        }
    }

    /// One line per account kept apart.
    pub fn apart_lines(&self) -> Vec<String> {
        self.apart
            .iter()
            .map(|a| format!("{} ({})", a.org_name, a.email))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(org: &str, email: &str) -> RecordsAccount {
        RecordsAccount {
            org_name: org.into(),
            email: email.into(),
            server_url: "https://sync.example.com".into(),
        }
    }

    /// The JSON the shell writes (`src-tauri/src/api/records.rs` tests the same text).
    #[test]
    fn reads_the_shells_json() {
        let json = r#"{"shown":{"org_name":"Cedar Homes","email":"bea@cedar.test","server_url":"https://sync.example.com"},"synced":true,"apart":[{"org_name":"Harbour Realty","email":"ada@harbour.test","server_url":"https://sync.example.com"}],"note":"You are signed in to Cedar Homes."}"#;
        let records: DeviceRecords = serde_json::from_str(json).expect("json");
        assert_eq!(
            records,
            DeviceRecords {
                shown: Some(account("Cedar Homes", "bea@cedar.test")),
                synced: true,
                apart: vec![account("Harbour Realty", "ada@harbour.test")],
                note: Some("You are signed in to Cedar Homes.".into()),
            }
        );
    }

    #[test]
    fn says_whose_records_are_shown_and_whether_they_sync() {
        let mut records = DeviceRecords {
            shown: Some(account("Harbour Realty", "ada@harbour.test")),
            synced: true,
            apart: vec![account("Cedar Homes", "bea@cedar.test")],
            note: None,
        };
        assert_eq!(
            records.shown_sentence(),
            "This device shows Harbour Realty's records and keeps them in sync with https://sync.example.com."
        );
        records.synced = false;
        let signed_out = records.shown_sentence();
        assert!(
            signed_out.contains("not synced while you are signed out"),
            "{signed_out}"
        );
        assert!(signed_out.contains("until you sign in to Harbour Realty again"));
        assert_eq!(records.apart_lines(), ["Cedar Homes (bea@cedar.test)"]);
        records.shown = None;
        assert!(records
            .shown_sentence()
            .contains("The first account you sign in to receives them"));
    }
}
