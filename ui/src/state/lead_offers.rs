//! Today's "Leads offered to you": first-to-claim offers and the pond, asked of the server, with
//! Claim on each. Pure; the component runs the commands. An offered lead is not on the device
//! until it is claimed, so the list is read again now and then, not only when changes arrive.

use crate::hooks::Outcome;
use fieldstone_model::ContactId;
use fieldstone_protocol::commands::{Claimed, LeadOffer};
use std::rc::Rc;
use yew::Reducible;

/// How often the offers are read again while Today is shown.
pub const REREAD_MS: u32 = 60_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OffersState {
    pub offers: Vec<LeadOffer>,
    /// The offer being claimed.
    pub claiming: Option<ContactId>,
    /// What the last claim did: (taken, sentence).
    pub said: Option<(bool, String)>,
    /// Grows to read the offers again.
    pub revision: u64,
}

pub enum OffersAction {
    Loaded(u64, Outcome<Vec<LeadOffer>>),
    Claim(ContactId),
    Claimed(ContactId, Outcome<Claimed>),
    Reload,
}

impl Reducible for OffersState {
    type Action = OffersAction;

    fn reduce(self: Rc<Self>, action: OffersAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            OffersAction::Loaded(revision, _) if revision != self.revision => return self,
            OffersAction::Loaded(_, Ok(offers)) => {
                next.offers = offers;
            }
            // Offline or refused: the card just keeps what it had (empty at first: no card).
            OffersAction::Loaded(_, Err(_)) => return self,
            OffersAction::Claim(_) if self.claiming.is_some() => return self,
            OffersAction::Claim(contact) => {
                next.claiming = Some(contact);
                next.said = None;
            }
            OffersAction::Claimed(contact, outcome) => {
                next.claiming = None;
                let name = self
                    .offers
                    .iter()
                    .find(|o| o.contact == contact)
                    .map_or_else(|| "The lead".to_owned(), |o| o.name.clone());
                next.said = Some(match outcome {
                    Ok(_) => (
                        true,
                        format!(
                            "{name} is yours: they arrive in your contacts with the next sync."
                        ),
                    ),
                    Err(e) => (false, e.message),
                });
                // Taken either way (by this agent, or someone was faster): read the list again.
                next.offers.retain(|o| o.contact != contact);
                next.revision += 1;
            }
            OffersAction::Reload => next.revision += 1,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use fieldstone_protocol::commands::{CommandError, CommandErrorCode};

    fn offer(n: u8) -> LeadOffer {
        LeadOffer {
            contact: format!("00000000-0000-4000-8000-0000000006{n:02}")
                .parse()
                .expect("id"),
            name: format!("Lead {n}"),
            source: Some("Web form".into()),
            pond: false,
            reason: "Offered to Ana and Ben".into(),
            offered_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            claim_until: None,
        }
    }

    fn run(actions: Vec<OffersAction>) -> OffersState {
        let mut state = Rc::new(OffersState::default());
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn a_claim_names_the_lead_and_a_lost_race_says_who_won() {
        let won = run(vec![
            OffersAction::Loaded(0, Ok(vec![offer(1), offer(2)])),
            OffersAction::Claim(offer(1).contact),
            // A second tap while the first is in flight does nothing.
            OffersAction::Claim(offer(2).contact),
            OffersAction::Claimed(
                offer(1).contact,
                Ok(Claimed {
                    contact: offer(1).contact,
                    reason: String::new(),
                }),
            ),
        ]);
        assert_eq!(won.offers, vec![offer(2)]);
        let (taken, said) = won.said.expect("said");
        assert!(taken && said.starts_with("Lead 1 is yours"), "{said}");
        assert_eq!(won.revision, 1);
        let lost = run(vec![
            OffersAction::Loaded(0, Ok(vec![offer(1)])),
            OffersAction::Claim(offer(1).contact),
            OffersAction::Claimed(
                offer(1).contact,
                Err(CommandError::new(
                    CommandErrorCode::WrongState,
                    "Ben Diaz has this lead already.",
                )),
            ),
        ]);
        assert_eq!(
            lost.said,
            Some((false, "Ben Diaz has this lead already.".into()))
        );
        assert!(lost.offers.is_empty());
    }

    #[test]
    fn a_stale_or_failed_read_changes_nothing() {
        let state = run(vec![
            OffersAction::Loaded(0, Ok(vec![offer(1)])),
            OffersAction::Reload,
            OffersAction::Loaded(0, Ok(vec![])),
            OffersAction::Loaded(
                1,
                Err(CommandError::new(CommandErrorCode::Offline, "offline")),
            ),
        ]);
        assert_eq!(state.offers, vec![offer(1)]);
    }
}
