//! "New lead" OS notifications: a lead routed to this agent, claimed by them or moved to them by
//! a broker reaches the device by sync; the first time the device sees it assigned to the agent
//! (and owned by someone else, so not one they typed in) the OS says so with the lead's name and
//! source. Offline devices say it when the lead arrives on reconnect.
//!
//! Pure: [`LeadNews::news`] takes what the engine lists and the time, so it is tested without a
//! window. What was announced is kept in memory: after a restart, leads that changed within
//! [`crate::reminders::CATCH_UP`] are announced again, like reminders.

use crate::reminders::CATCH_UP;
use chrono::{DateTime, Utc};
use fieldstone_model::ContactId;
use fieldstone_replica::HandedLead;
use std::collections::HashSet;

/// The most leads read per check (the newest changed first).
pub const READ_AT_MOST: u32 = 500;

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Default)]
pub struct LeadNews {
    /// Leads already announced or already held at start; `None` before the first check.
    known: Option<HashSet<ContactId>>,
}

impl LeadNews {
    /// What to announce of `leads` (the agent's handed leads now). The first check announces
    /// only those changed within the catch-up window; later ones, every lead not seen before.
    pub fn news(&mut self, leads: &[HandedLead], now: DateTime<Utc>) -> Vec<News> {
        let first = self.known.is_none();
        let known = self.known.get_or_insert_with(HashSet::new);
        let mut out = Vec::new();
        for lead in leads {
            if !known.insert(lead.contact) {
                continue;
            }
            if first && lead.updated_at <= now - CATCH_UP {
                continue;
            }
            out.push(News {
                title: format!("New lead: {}", lead.name),
                body: format!("From {} · assigned to you", lead.source.label()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use fieldstone_model::LeadSource;

    fn lead(n: u8, updated: DateTime<Utc>) -> HandedLead {
        HandedLead {
            contact: format!("00000000-0000-4000-8000-0000000007{n:02}")
                .parse()
                .expect("id"),
            name: format!("Lead {n}"),
            source: LeadSource::WebForm,
            updated_at: updated,
        }
    }

    #[test]
    fn each_lead_is_announced_once_and_old_ones_not_at_start() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        let mut news = LeadNews::default();
        let old = lead(1, now - Duration::hours(5));
        let fresh = lead(2, now - Duration::minutes(5));
        let said = news.news(&[old.clone(), fresh.clone()], now);
        assert_eq!(
            said,
            [News {
                title: "New lead: Lead 2".into(),
                body: "From Web form · assigned to you".into()
            }]
        );
        // Nothing new: nothing said. A lead arriving later is announced, however old its
        // last change (it was offline a while).
        assert!(news.news(&[old.clone(), fresh.clone()], now).is_empty());
        let late = lead(3, now - Duration::days(2));
        let said = news.news(&[late, old, fresh], now + Duration::minutes(1));
        assert_eq!(said.len(), 1);
        assert_eq!(said[0].title, "New lead: Lead 3");
    }
}
