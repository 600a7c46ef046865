//! Which CSV column feeds which contact field: a plain, editable mapping the import preview
//! shows and the import request carries. The engine guesses it from a file's header
//! (`fieldstone_replica::guess_mapping`).

use fieldstone_model::ContactLabel;
use serde::{Deserialize, Serialize};

/// What one CSV column is imported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum ColumnTarget {
    /// The column is not imported.
    Ignore,
    GivenName,
    FamilyName,
    /// "Ada Lovelace" or "Lovelace, Ada": split into given and family name. Used only when the
    /// row's given and family name columns are blank.
    FullName,
    /// One email address per cell, with this label unless a label column says otherwise.
    Email {
        label: ContactLabel,
    },
    /// The label ("Work", "home", "Mobile"...) of the email address in column `of`.
    EmailLabel {
        of: usize,
    },
    /// One phone number per cell, with this label unless a label column says otherwise.
    Phone {
        label: ContactLabel,
    },
    /// The label of the phone number in column `of`.
    PhoneLabel {
        of: usize,
    },
    Instagram,
    #[serde(rename = "whatsapp")]
    WhatsApp,
    /// Tags separated by commas, semicolons or Google's " ::: ".
    Tags,
    Stage,
    Source,
    SourceDetail,
    /// Buyer, seller, both or other.
    Kind,
    Priority,
    /// The cell becomes a note on the contact (notes are records of their own, so a long
    /// history pasted into a "Notes" column stays readable and searchable).
    Note,
    /// What the buyer can spend: "450,000", "$450k", "1.2m HKD" (a ceiling), "400k-600k" (a
    /// range), "from 500k" (a floor). The currency is the agent's; a code or symbol is dropped.
    Budget,
    /// The lowest price the buyer considers.
    BudgetMin,
    /// The highest price the buyer considers.
    BudgetMax,
    /// Preferred areas, separated by commas or semicolons.
    Areas,
    /// The fewest bedrooms: "3", "3+", "3-4", "studio".
    Bedrooms,
    /// When the buyer wants to move in: "2025-09-01", "1 Sep 2025", "Sep 2025", "01/09/2025"
    /// (day or month first as the rest of the column shows).
    MoveIn,
    /// Property types (house, condo...), separated by commas or semicolons.
    PropertyTypes,
}

impl ColumnTarget {
    /// Whether the column can, on its own, make a row a contact (a name, email or phone).
    fn identifies(self) -> bool {
        matches!(
            self,
            ColumnTarget::GivenName
                | ColumnTarget::FamilyName
                | ColumnTarget::FullName
                | ColumnTarget::Email { .. }
                | ColumnTarget::Phone { .. }
        )
    }
}

/// One column of the file: its header as written and what it is imported as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedColumn {
    pub header: String,
    pub target: ColumnTarget,
}

/// Column `i` of the file is imported as `columns[i].target`; columns past the end are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub columns: Vec<MappedColumn>,
}

impl ColumnMapping {
    pub fn target(&self, column: usize) -> ColumnTarget {
        self.columns
            .get(column)
            .map_or(ColumnTarget::Ignore, |c| c.target)
    }

    /// The header of column `column`, for messages.
    pub fn header(&self, column: usize) -> &str {
        self.columns.get(column).map_or("", |c| c.header.as_str())
    }

    /// Checks a mapping (perhaps edited by hand) before anything is imported with it: label
    /// columns must point at an email/phone column, and something must identify a contact.
    pub fn check(&self) -> Result<(), String> {
        for (i, column) in self.columns.iter().enumerate() {
            let ok = match column.target {
                ColumnTarget::EmailLabel { of } => {
                    matches!(self.target(of), ColumnTarget::Email { .. })
                }
                ColumnTarget::PhoneLabel { of } => {
                    matches!(self.target(of), ColumnTarget::Phone { .. })
                }
                _ => true,
            };
            if !ok {
                return Err(format!(
                    "Column {} ({:?}) is a label for a column that is not an email or phone column.",
                    i + 1,
                    column.header
                ));
            }
        }
        if !self.columns.iter().any(|c| c.target.identifies()) {
            return Err(
                "No column is imported as a name, email address or phone number, so no row could \
                 become a contact. Check that the file is a CSV of contacts with a header row, or \
                 choose the columns by hand."
                    .to_owned(),
            );
        }
        Ok(())
    }
}
