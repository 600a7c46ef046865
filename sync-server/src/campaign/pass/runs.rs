//! Who a pass goes through the steps with, and how many times: the one run of a campaign
//! sent at launch, a triggered sequence's runs (one per occasion, recorded once in the store),
//! a repeating broadcast's (one per sending), and the bookings a trigger and the figures read.

use super::Pass;
use crate::campaign::occasion::{occasions, Around, BookingFact, ListingFact};
use crate::campaign::CampaignError;
use crate::store::jobs::Enrolment;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::campaign::run;
use fieldstone_model::campaign::Repeat;
use fieldstone_model::Contact;
use fieldstone_protocol::DocId;
use std::collections::HashSet;

/// One time through the steps for one recipient.
pub(super) struct Run {
    /// The occasion (`None`: the one run of a campaign sent at launch).
    pub(super) episode: Option<String>,
    /// When each step reaches them.
    pub(super) times: Vec<DateTime<Utc>>,
    /// The row of the figures its steps add to: the step's own, or a repeating broadcast's
    /// sending number.
    pub(super) report_step: Option<usize>,
    /// A repeating broadcast's earlier sending is counted, never sent late.
    pub(super) may_send: bool,
}

impl Pass<'_> {
    /// The bookings the owner reads, by contact.
    pub(super) fn read_bookings(&mut self) -> Result<(), CampaignError> {
        for doc_id in self.all_of(fieldstone_doc::booking::KIND)? {
            let Some(stored) = self.state.store.load_doc(self.org, &doc_id)? else {
                continue;
            };
            let Some(booking) = crate::sync::guard::load(&stored.bytes)
                .ok()
                .and_then(|doc| fieldstone_doc::booking::read(&doc).ok())
            else {
                continue;
            };
            if booking.deleted_at.is_some() {
                continue;
            }
            for contact in &booking.attendees.contacts {
                self.bookings
                    .entry(contact.to_string())
                    .or_default()
                    .push(BookingFact {
                        id: *booking.id.as_uuid(),
                        created_at: booking.created_at,
                        ends_at: booking.ends_at,
                        status: booking.status,
                    });
            }
        }
        Ok(())
    }

    /// The active listings the owner reads that were made or changed since the later of the
    /// launch and the counting window (a "fits a buyer" trigger reads only these, so a round
    /// scores each buyer against this week's listings, not every listing there is).
    pub(super) fn read_listings(&mut self) -> Result<(), CampaignError> {
        let since = self
            .launched
            .max(self.now - chrono::Duration::days(super::COUNT_DAYS));
        for doc_id in self.all_of(fieldstone_doc::listing::KIND)? {
            let Some(stored) = self.state.store.load_doc(self.org, &doc_id)? else {
                continue;
            };
            let Some(listing) = crate::sync::guard::load(&stored.bytes)
                .ok()
                .and_then(|doc| fieldstone_doc::listing::read(&doc).ok())
            else {
                continue;
            };
            if listing.updated_at < since
                || listing.deleted_at.is_some()
                || listing.status != fieldstone_model::ListingStatus::Active
            {
                continue;
            }
            self.listings.push(ListingFact {
                id: *listing.id.as_uuid(),
                facts: fieldstone_model::property_match::ListingFacts::of(&listing),
                address: listing.address.one_line(),
                price: price_words(&listing.currency, listing.price),
            });
        }
        Ok(())
    }

    /// Every document of `kind` the owner reads.
    pub(super) fn all_of(&self, kind: &str) -> Result<Vec<DocId>, CampaignError> {
        Ok(crate::store::doc_ids_of_kind(
            self.state.store.as_ref(),
            self.org,
            &self.scopes,
            kind,
        )?)
    }

    /// Whether the store holds `mark` for `contact` (a `ContactId`'s text; `""`: the campaign).
    pub(super) fn has_mark(&self, contact: &str, mark: &str) -> bool {
        self.enrolments
            .get(contact)
            .is_some_and(|rows| rows.iter().any(|r| r.episode == mark))
    }

    /// Whether sending `n` in `zone` has gone out to everyone it will go to.
    pub(super) fn is_closed(&self, zone: Tz, n: usize) -> bool {
        self.has_mark("", &closed_mark(zone, n))
    }

    /// A repeating broadcast's sendings in `zone`: every one due so far and the next.
    pub(super) fn sendings_in(&mut self, zone: Tz) -> Vec<DateTime<Utc>> {
        let (spec, launched, now) = (&self.campaign.spec, self.launched, self.now);
        self.sendings
            .entry(zone)
            .or_insert_with(|| {
                let mut all = Vec::new();
                let mut at = run::step_times(spec, launched, zone).first().copied();
                while let Some(t) = at {
                    all.push(t);
                    if t > now {
                        break;
                    }
                    at = spec.schedule.next_after(t, zone).filter(|n| *n > t);
                }
                all
            })
            .clone()
    }

    /// The runs `contact` has now: one for a campaign sent at launch, one per occasion of a
    /// triggered sequence (recording the new ones), one per counted sending of a repeat.
    pub(super) fn runs(
        &mut self,
        doc: &automerge::AutoCommit,
        contact: &Contact,
        zone: Tz,
    ) -> Vec<Run> {
        let spec = &self.campaign.spec;
        if let Some(trigger) = &spec.trigger {
            let key = contact.id.to_string();
            let known = self.enrolments.get(&key).cloned().unwrap_or_default();
            let around = Around {
                bookings: self.bookings.get(&key).map_or(&[][..], Vec::as_slice),
                listings: &self.listings,
            };
            let found = occasions(
                trigger,
                self.launched,
                doc,
                contact,
                &around,
                self.now,
                zone,
            );
            let mut runs: Vec<(String, DateTime<Utc>)> = known
                .iter()
                .filter(|r| !r.episode.starts_with(super::LEFT))
                .filter_map(|r| Some((r.episode.clone(), r.enrolled_at?)))
                .collect();
            let seen: HashSet<&str> = known.iter().map(|r| r.episode.as_str()).collect();
            for occasion in found {
                if seen.contains(occasion.episode.as_str()) {
                    continue;
                }
                // Already so at launch (a tag the contact had): not an occasion.
                let at_launch = self.baseline && trigger.is_stateful();
                let enrols = !at_launch && spec.audience.includes(contact, None);
                if !at_launch && !enrols {
                    continue;
                }
                let enrolled_at = enrols.then_some(occasion.start);
                self.enrol.push(Enrolment {
                    contact: key.clone(),
                    episode: occasion.episode.clone(),
                    enrolled_at,
                });
                if let Some(at) = enrolled_at {
                    runs.push((occasion.episode, at));
                }
            }
            runs.sort_by_key(|r| r.1);
            return runs
                .into_iter()
                .map(|(episode, at)| Run {
                    episode: Some(episode),
                    times: run::step_times(spec, at, zone),
                    report_step: None,
                    may_send: true,
                })
                .collect();
        }
        if spec.schedule.repeat != Repeat::Once {
            let sendings = self.sendings_in(zone);
            let last_due = sendings.iter().rposition(|t| *t <= self.now);
            // A sending goes to whoever is in the audience when it goes out: once a round
            // has gone through everyone for it, someone who joins later waits for the next.
            let open = last_due.filter(|n| !self.is_closed(zone, *n));
            let mut runs = Vec::new();
            for (n, at) in sendings.iter().enumerate() {
                if n < self.recount_from {
                    continue;
                }
                if *at > self.now {
                    self.soonest(*at);
                    break;
                }
                runs.push(Run {
                    episode: Some(format!("repeat:{n}")),
                    times: vec![*at],
                    report_step: Some(n),
                    may_send: Some(n) == open,
                });
            }
            return runs;
        }
        vec![Run {
            episode: None,
            times: run::step_times(spec, self.launched, zone),
            report_step: None,
            may_send: true,
        }]
    }
}

/// The store's mark that sending `n` went out in `zone`.
pub(super) fn closed_mark(zone: Tz, n: usize) -> String {
    format!("sent:{}:{n}", zone.name())
}

/// "GBP 480,000": a price as a step's `{{property_price}}` says it.
pub(super) fn price_words(currency: &str, price: u64) -> String {
    format!("{currency} {}", thousands(price))
}

/// 480000 as "480,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
