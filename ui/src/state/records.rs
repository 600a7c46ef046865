//! How Settings says whose records this device shows (the `device_records` command's
//! [`DeviceRecords`], shared with the shell through the protocol crate).

use fieldstone_protocol::commands::DeviceRecords;

/// Whose records these are and what happens to them, in a sentence.
pub fn shown_sentence(records: &DeviceRecords) -> String {
    match &records.shown {
        Some(account) if records.synced => format!(
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
pub fn apart_lines(records: &DeviceRecords) -> Vec<String> {
    records
        .apart
        .iter()
        .map(|a| format!("{} ({})", a.org_name, a.email))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_protocol::commands::RecordsAccount;

    fn account(org: &str, email: &str) -> RecordsAccount {
        RecordsAccount {
            org_name: org.into(),
            email: email.into(),
            server_url: "https://sync.example.com".into(),
        }
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
            shown_sentence(&records),
            "This device shows Harbour Realty's records and keeps them in sync with https://sync.example.com."
        );
        records.synced = false;
        let signed_out = shown_sentence(&records);
        assert!(
            signed_out.contains("not synced while you are signed out"),
            "{signed_out}"
        );
        assert!(signed_out.contains("until you sign in to Harbour Realty again"));
        assert_eq!(apart_lines(&records), ["Cedar Homes (bea@cedar.test)"]);
        records.shown = None;
        assert!(shown_sentence(&records).contains("The first account you sign in to receives them"));
    }
}
