//! Room for leads under the organisation's plan, asked before a contact is written: the free
//! plan holds 50, and the server refuses the 51st at sync (the device keeps it, unsynced, with
//! the reason). The app warns first, in the same words wherever a contact is made.

use serde::{Deserialize, Serialize};

/// What `lead_room` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadRoom {
    /// The plan's name as people read it ("Free"), when known (signed in, and asked of the
    /// server once at least).
    pub plan_label: Option<String>,
    /// How many leads the plan holds; `None`: no cap, or no plan known.
    pub cap: Option<u64>,
    /// The organisation's contacts as far as this device knows (its own copy: never more
    /// than the server counts).
    pub count: u64,
}

impl LeadRoom {
    /// No cap known: nothing to warn about.
    pub fn unknown() -> Self {
        LeadRoom {
            plan_label: None,
            cap: None,
            count: 0,
        }
    }

    /// How many of `adding` new contacts would stay on this device past the cap.
    pub fn over(&self, adding: u64) -> u64 {
        let Some(cap) = self.cap else { return 0 };
        let room = cap.saturating_sub(self.count);
        adding.saturating_sub(room)
    }

    /// The warning to show before `adding` contacts are written, when some would stay on this
    /// device: what the plan holds, what happens to them, and that saving is still safe.
    pub fn warning(&self, adding: u64) -> Option<String> {
        let over = self.over(adding);
        let cap = self.cap?;
        if over == 0 {
            return None;
        }
        let plan = self.plan_label.as_deref().unwrap_or("Your");
        let holds = format!("The {plan} plan holds {cap} leads");
        Some(if adding == 1 {
            format!(
                "{holds}, and your organisation has them. You can still save: this contact \
                 stays on this device, unsynced, until an admin changes the plan."
            )
        } else if over == adding {
            format!(
                "{holds}, and your organisation has them. You can still import: these \
                 {adding} contacts stay on this device, unsynced, until an admin changes the \
                 plan."
            )
        } else {
            format!(
                "{holds}; {} of these {adding} contacts fit. You can still import: the other \
                 {over} stay on this device, unsynced, until an admin changes the plan.",
                adding - over
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(count: u64) -> LeadRoom {
        LeadRoom {
            plan_label: Some("Free".into()),
            cap: Some(50),
            count,
        }
    }

    #[test]
    fn the_fifty_first_contact_is_warned_about_and_the_fiftieth_is_not() {
        assert_eq!(free(49).warning(1), None, "the 50th fits");
        let warning = free(50).warning(1).expect("the 51st");
        assert_eq!(
            warning,
            "The Free plan holds 50 leads, and your organisation has them. You can still save: \
             this contact stays on this device, unsynced, until an admin changes the plan."
        );
        // A count past the cap (contacts kept unsynced already) says the same.
        assert_eq!(free(57).warning(1), Some(warning));
    }

    #[test]
    fn an_import_says_how_many_fit_and_how_many_stay() {
        assert_eq!(free(40).warning(10), None);
        assert_eq!(free(40).over(12), 2);
        assert_eq!(
            free(40).warning(12).expect("two over"),
            "The Free plan holds 50 leads; 10 of these 12 contacts fit. You can still import: \
             the other 2 stay on this device, unsynced, until an admin changes the plan."
        );
        assert!(free(50)
            .warning(3)
            .expect("all over")
            .contains("these 3 contacts stay on this device"));
        assert_eq!(free(50).warning(0), None, "nothing to add");
    }

    #[test]
    fn no_cap_or_no_known_plan_warns_of_nothing() {
        let starter = LeadRoom {
            plan_label: Some("Starter".into()),
            cap: None,
            count: 5_000,
        };
        assert_eq!(starter.warning(1), None);
        assert_eq!(LeadRoom::unknown().warning(1_000), None);
    }
}
