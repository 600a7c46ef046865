//! The Today screen: the day's bookings, overdue and due follow-ups, the hottest open leads and
//! the contacts most recently active, in one call.

use super::Api;
use fieldstone_model::Stage;
use fieldstone_protocol::commands::{CommandError, Today, TodayRequest, TODAY_ROWS_MAX};
use fieldstone_protocol::views::{ContactQuery, ContactSort, SortField};

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
            let bookings = r.bookings_between(request.day_start, request.day_end)?;
            let (overdue, due_today) = r
                .tasks_due(request.day_end)?
                .into_iter()
                .partition(|t| t.due_at.is_some_and(|d| d < request.day_start));
            let hottest = r
                .list_contacts(&ContactQuery {
                    stages: vec![Stage::Lead, Stage::Qualified, Stage::Showing, Stage::Offer],
                    sort: ContactSort {
                        field: SortField::Score,
                        descending: true,
                    },
                    limit: request.rows,
                    ..ContactQuery::default()
                })?
                .items;
            let recent = r
                .list_contacts(&ContactQuery {
                    sort: ContactSort {
                        field: SortField::Updated,
                        descending: true,
                    },
                    limit: request.rows,
                    ..ContactQuery::default()
                })?
                .items;
            Ok(Today {
                bookings,
                overdue,
                due_today,
                hottest,
                recent,
            })
        })
        .await
    }
}
