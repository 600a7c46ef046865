//! The Today screen: the day's bookings, overdue and due follow-ups, who to call now (hot or
//! never contacted), new leads and what happened lately, in one call. All of it is the user's
//! own and what was shared with them: a broker's device holds the team's records too (for the
//! Team screen and the lists), and their day is not the team's (`fieldstone_replica`'s "mine").

use super::Api;
use fieldstone_model::Stage;
use fieldstone_protocol::commands::{
    CommandError, Today, TodayRequest, HOT_SCORE, NEW_LEAD_DAYS, OPEN_HOUSE_DAYS, TODAY_ROWS_MAX,
};
use fieldstone_protocol::views::{ContactQuery, ContactSort, SortField, TimeRange};

/// A "day" longer than this is a mistake in the request (days of 23 and 25 hours exist).
const DAY_MAX_HOURS: i64 = 26;

impl Api {
    pub async fn today(&self, request: TodayRequest) -> Result<Today, CommandError> {
        let span = request.day_end - request.day_start;
        if span <= chrono::Duration::zero() || span > chrono::Duration::hours(DAY_MAX_HOURS) {
            return Err(CommandError::invalid(
                "day_end",
                "The day must end after it starts, at most a day later.",
            ));
        }
        super::check_limit("rows", request.rows, TODAY_ROWS_MAX)?;
        self.read(move |r| {
            let bookings = r.my_bookings_between(request.day_start, request.day_end)?;
            let (overdue, due_today) = r
                .tasks_due(request.day_end)?
                .into_iter()
                .partition(|t| t.due_at.is_some_and(|d| d < request.day_start));
            let open = vec![Stage::Lead, Stage::Qualified, Stage::Showing, Stage::Offer];
            let query = |sort: ContactSort| ContactQuery {
                stages: open.clone(),
                sort,
                limit: request.rows,
                mine_only: true,
                ..ContactQuery::default()
            };
            // Hot first (best score first), then the never-contacted (the contacted sort
            // puts them first), each person once.
            let hot = r.list_contacts(&ContactQuery {
                min_score: Some(HOT_SCORE),
                ..query(ContactSort {
                    field: SortField::Score,
                    descending: true,
                })
            })?;
            let never = r.list_contacts(&query(ContactSort {
                field: SortField::LastContacted,
                descending: false,
            }))?;
            let mut call_now = hot.items;
            for contact in never.items {
                let rows = usize::try_from(request.rows).unwrap_or(usize::MAX);
                if call_now.len() >= rows {
                    break;
                }
                if contact.last_contacted_at.is_none()
                    && !call_now.iter().any(|c| c.id == contact.id)
                {
                    call_now.push(contact);
                }
            }
            let new_leads = r
                .list_contacts(&ContactQuery {
                    stages: vec![Stage::Lead],
                    created: TimeRange {
                        from: Some(request.day_end - chrono::Duration::days(NEW_LEAD_DAYS)),
                        to: None,
                    },
                    ..query(ContactSort {
                        field: SortField::Created,
                        descending: true,
                    })
                })?
                .items
                .into_iter()
                // Each person once on the screen: already on the call list, not again here.
                .filter(|lead| !call_now.iter().any(|c| c.id == lead.id))
                .collect();
            let activity = r.recent_activity(request.rows)?;
            // From the start of the day: one under way or later today shows with the rest.
            let open_houses = r.upcoming_open_houses(
                request.day_start,
                request.day_end + chrono::Duration::days(OPEN_HOUSE_DAYS),
                request.rows,
            )?;
            let has_contacts = !activity.is_empty()
                || !r
                    .list_contacts(&ContactQuery {
                        limit: 1,
                        ..ContactQuery::default()
                    })?
                    .items
                    .is_empty();
            let ready_to_send = r.ready_to_send(request.rows)?;
            Ok(Today {
                bookings,
                overdue,
                due_today,
                call_now,
                new_leads,
                activity,
                has_contacts,
                open_houses,
                ready_to_send,
            })
        })
        .await
    }
}
