//! The agent's preferences: their locale and their smart lists. Signed in (and allowed to
//! write), they live in the agent's own preferences document (`fieldstone_replica::prefs`), so
//! they follow the agent to every device they sign in on; local only, or as a viewer (the
//! server takes no writes from a viewer), they stay in this device's settings file.
//!
//! The first time an account's document is read on a device, the lists made on that device
//! before are copied into it: signing in loses nothing.

use super::{settings_error, Api};
use fieldstone_model::{Locale, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::commands::{
    CalendarFeedAction, CalendarFeedChange, CalendarFeedLink, CommandError, CommandErrorCode,
    Preferences, SaveSmartList, SmartList, WeeklyReportChoice, SMART_LISTS_MAX,
    SMART_LIST_NAME_MAX_CHARS,
};
use fieldstone_protocol::views::ContactQuery;
use std::collections::BTreeMap;

const LOCALE_KEY: &str = "locale";
/// The agent's own phone, E.164 as a JSON string.
const PHONE_KEY: &str = "agent_phone";
const LIST_PREFIX: &str = "smart_list:";
/// What the agent lets the server send without review (`AutoSend` as JSON); the server reads
/// it when a follow-up falls due (`fieldstone_server::follow_up::AUTO_SEND_PREF`).
pub(crate) const AUTO_SEND_KEY: &str = "follow_up_auto_send";
/// The zone the agent works in, an IANA name as a JSON string. The server reads it too, to
/// schedule the follow-ups of leads it places with the agent.
const TIME_ZONE_KEY: &str = "time_zone";
/// Whether the agent gets the weekly report email (JSON `false` to stop it); the server reads
/// it (`fieldstone_server::weekly::WEEKLY_REPORT_PREF`).
const WEEKLY_KEY: &str = "weekly_report";
/// The calendar feed's live generation (a JSON integer; 0 or below: off). The server reads it
/// (`fieldstone_server::calendar_feed::CALENDAR_FEED_PREF`) and serves only that generation's
/// address, so a new one retires the old. Turned off, it keeps minus the last generation, so
/// turning it on again never brings an old address back.
const CALENDAR_FEED_KEY: &str = "calendar_feed";

/// Where the preferences are kept now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    /// This device's settings file.
    Device,
    /// The preferences document of this user.
    Synced(UserId),
}

/// The preferences as stored, before defaults.
#[derive(Debug, Clone, Default, PartialEq)]
struct Stored {
    locale: Option<Locale>,
    smart_lists: Vec<SmartList>,
    agent_phone: Option<String>,
    time_zone: Option<String>,
    /// `None`: never chosen (on).
    weekly_report: Option<bool>,
    /// The calendar feed's generation: positive while on, minus the last one when turned off.
    calendar_feed: Option<i64>,
}

/// Reads the document's entries; an entry this build cannot read (written by a newer one, or
/// damaged) is left out rather than failing the whole screen.
fn from_entries(entries: &BTreeMap<String, String>) -> Stored {
    let locale = entries
        .get(LOCALE_KEY)
        .and_then(|json| serde_json::from_str(json).ok());
    let mut smart_lists: Vec<SmartList> = entries
        .iter()
        .filter(|(key, _)| key.starts_with(LIST_PREFIX))
        .filter_map(|(_, json)| serde_json::from_str(json).ok())
        .collect();
    smart_lists.sort_by_key(|l| l.name.to_lowercase());
    // Checked again: a number another build wrote that this one cannot dial is left out.
    let agent_phone = entries
        .get(PHONE_KEY)
        .and_then(|json| serde_json::from_str::<String>(json).ok())
        .and_then(|phone| fieldstone_model::e164(&phone).ok());
    let time_zone = entries
        .get(TIME_ZONE_KEY)
        .and_then(|json| serde_json::from_str::<String>(json).ok())
        .filter(|name| name.parse::<chrono_tz::Tz>().is_ok());
    let weekly_report = entries
        .get(WEEKLY_KEY)
        .and_then(|json| serde_json::from_str::<bool>(json).ok());
    let calendar_feed = entries
        .get(CALENDAR_FEED_KEY)
        .and_then(|json| serde_json::from_str::<i64>(json).ok());
    Stored {
        locale,
        smart_lists,
        agent_phone,
        time_zone,
        weekly_report,
        calendar_feed,
    }
}

/// This device's zone, as the operating system names it; UTC when it cannot say.
fn device_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|name| name.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_owned())
}

fn list_entry(list: &SmartList) -> Result<(String, Option<String>), CommandError> {
    let json = serde_json::to_string(list).map_err(|e| {
        CommandError::new(
            CommandErrorCode::Internal,
            format!("Could not write the smart list: {e}."),
        )
    })?;
    Ok((format!("{LIST_PREFIX}{}", list.id), Some(json)))
}

fn no_such_list() -> CommandError {
    CommandError::new(
        CommandErrorCode::NotFound,
        "This smart list no longer exists.",
    )
}

impl Api {
    fn kept(&self) -> Kept {
        match self.settings.get().session {
            Some(session) if session.role != Role::Viewer => Kept::Synced(session.user_id),
            _ => Kept::Device,
        }
    }

    /// The preferences where they are kept now (copying this device's lists into an account's
    /// document the first time it is read here).
    async fn stored(&self) -> Result<Stored, CommandError> {
        match self.kept() {
            Kept::Device => {
                let settings = self.settings.get();
                Ok(Stored {
                    locale: settings.locale,
                    smart_lists: settings.smart_lists,
                    agent_phone: settings.agent_phone,
                    time_zone: settings.time_zone,
                    // Only the server sends it: nothing kept on the device.
                    weekly_report: None,
                    calendar_feed: None,
                })
            }
            Kept::Synced(user) => {
                let settings = self.settings.get();
                let device = Stored {
                    locale: settings.locale.clone(),
                    smart_lists: settings.smart_lists.clone(),
                    agent_phone: settings.agent_phone.clone(),
                    time_zone: settings.time_zone.clone(),
                    weekly_report: None,
                    calendar_feed: None,
                };
                let first_time = !settings.prefs_copied_for.contains(&user);
                let stored = self
                    .read(move |r| {
                        let mut entries = r.preferences(&user)?;
                        if first_time {
                            let mut copy = Vec::new();
                            for list in &device.smart_lists {
                                let key = format!("{LIST_PREFIX}{}", list.id);
                                if !entries.contains_key(&key) {
                                    if let Ok(json) = serde_json::to_string(list) {
                                        copy.push((key, Some(json)));
                                    }
                                }
                            }
                            if !entries.contains_key(LOCALE_KEY) {
                                if let Some(json) = device
                                    .locale
                                    .as_ref()
                                    .and_then(|l| serde_json::to_string(l).ok())
                                {
                                    copy.push((LOCALE_KEY.to_owned(), Some(json)));
                                }
                            }
                            if !entries.contains_key(PHONE_KEY) {
                                if let Some(json) = device
                                    .agent_phone
                                    .as_ref()
                                    .and_then(|p| serde_json::to_string(p).ok())
                                {
                                    copy.push((PHONE_KEY.to_owned(), Some(json)));
                                }
                            }
                            if !entries.contains_key(TIME_ZONE_KEY) {
                                if let Some(json) = device
                                    .time_zone
                                    .as_ref()
                                    .and_then(|z| serde_json::to_string(z).ok())
                                {
                                    copy.push((TIME_ZONE_KEY.to_owned(), Some(json)));
                                }
                            }
                            if !copy.is_empty() {
                                r.set_preferences(&user, &copy)?;
                                entries = r.preferences(&user)?;
                            }
                        }
                        Ok(from_entries(&entries))
                    })
                    .await?;
                if first_time {
                    self.wrote();
                    self.settings
                        .update(|s| s.prefs_copied_for.push(user))
                        .map_err(settings_error)?;
                }
                Ok(stored)
            }
        }
    }

    /// Writes document entries (signed in) or changes the settings file (on this device).
    async fn store(
        &self,
        entries: Vec<(String, Option<String>)>,
        on_device: impl FnOnce(&mut Stored) + Send + 'static,
    ) -> Result<(), CommandError> {
        match self.kept() {
            Kept::Device => self
                .settings
                .update(move |s| {
                    let mut stored = Stored {
                        locale: s.locale.clone(),
                        smart_lists: std::mem::take(&mut s.smart_lists),
                        agent_phone: s.agent_phone.take(),
                        time_zone: s.time_zone.take(),
                        weekly_report: None,
                        calendar_feed: None,
                    };
                    on_device(&mut stored);
                    s.locale = stored.locale;
                    s.smart_lists = stored.smart_lists;
                    s.agent_phone = stored.agent_phone;
                    s.time_zone = stored.time_zone;
                })
                .map_err(settings_error),
            Kept::Synced(user) => {
                self.read(move |r| r.set_preferences(&user, &entries))
                    .await?;
                self.wrote();
                Ok(())
            }
        }
    }

    pub async fn preferences(&self) -> Result<Preferences, CommandError> {
        let stored = self.stored().await?;
        Ok(Preferences {
            locale: stored.locale.unwrap_or_default(),
            smart_lists: stored.smart_lists,
            follows_you: matches!(self.kept(), Kept::Synced(_)),
            agent_phone: stored.agent_phone,
            time_zone: stored.time_zone.clone().unwrap_or_else(device_zone),
            time_zone_chosen: stored.time_zone.is_some(),
            weekly_report: stored.weekly_report.unwrap_or(true),
            calendar_feed: stored.calendar_feed.is_some_and(|g| g > 0),
        })
    }

    /// The zone the agent works in: the one they chose, else this device's. Signed in, the
    /// first time it is asked the device's zone is kept in their preferences, so the server
    /// schedules their leads' follow-ups in it too.
    pub(crate) async fn agent_zone(&self) -> Result<chrono_tz::Tz, CommandError> {
        let stored = self.stored().await?;
        if let Some(zone) = stored.time_zone.and_then(|z| z.parse().ok()) {
            return Ok(zone);
        }
        let name = device_zone();
        if let (Kept::Synced(_), Ok(json)) = (self.kept(), serde_json::to_string(&name)) {
            let kept = name.clone();
            self.store(vec![(TIME_ZONE_KEY.to_owned(), Some(json))], move |s| {
                s.time_zone = Some(kept)
            })
            .await?;
        }
        Ok(fieldstone_model::follow_up::zone_or_utc(Some(&name)))
    }

    /// What the agent lets the server send without review; nothing until they choose, and
    /// nothing on a device that is not signed in (only the server sends).
    pub async fn follow_up_auto_send(
        &self,
    ) -> Result<fieldstone_model::follow_up::AutoSend, CommandError> {
        let Kept::Synced(user) = self.kept() else {
            return Ok(Default::default());
        };
        let entries = self.read(move |r| r.preferences(&user)).await?;
        Ok(entries
            .get(AUTO_SEND_KEY)
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default())
    }

    /// Keeps what the agent lets the server send without review (it follows them to every
    /// device and the server reads it). Signed in only: the server is what sends.
    pub async fn set_follow_up_auto_send(
        &self,
        auto: fieldstone_model::follow_up::AutoSend,
    ) -> Result<fieldstone_model::follow_up::AutoSend, CommandError> {
        use fieldstone_model::follow_up::AUTO_SEND_CONTACTS_MAX;
        let Kept::Synced(user) = self.kept() else {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "Sending follow-ups for you is done by your team's server: sign in to it first.",
            ));
        };
        let mut auto = auto;
        auto.sources.sort_by_key(|s| s.as_str());
        auto.sources.dedup();
        auto.contacts.sort();
        auto.contacts.dedup();
        if auto.contacts.len() > AUTO_SEND_CONTACTS_MAX {
            return Err(CommandError::invalid(
                "contacts",
                format!(
                    "At most {AUTO_SEND_CONTACTS_MAX} contacts can be sent to without review; choose their source instead."
                ),
            ));
        }
        let json = serde_json::to_string(&auto).map_err(|e| {
            CommandError::new(
                CommandErrorCode::Internal,
                format!("Could not write the choice: {e}."),
            )
        })?;
        self.read(move |r| r.set_preferences(&user, &[(AUTO_SEND_KEY.to_owned(), Some(json))]))
            .await?;
        self.wrote();
        Ok(auto)
    }

    /// Keeps the zone the agent works in (an IANA name such as Europe/Paris); blank goes back
    /// to this device's zone.
    pub async fn set_time_zone(&self, name: String) -> Result<Preferences, CommandError> {
        let name = name.trim().to_owned();
        let zone = if name.is_empty() {
            None
        } else if name.parse::<chrono_tz::Tz>().is_ok() {
            Some(name)
        } else {
            return Err(CommandError::invalid(
                "time_zone",
                format!("{name:?} is not a time zone; choose one such as Europe/London or America/New_York."),
            ));
        };
        let json = zone.as_ref().and_then(|z| serde_json::to_string(z).ok());
        self.store(vec![(TIME_ZONE_KEY.to_owned(), json)], move |s| {
            s.time_zone = zone
        })
        .await?;
        self.preferences().await
    }

    /// The agent's own phone, E.164, if set.
    pub(crate) async fn agent_phone(&self) -> Result<Option<String>, CommandError> {
        Ok(self.stored().await?.agent_phone)
    }

    /// Checks and keeps the agent's own phone as E.164 (`+14155550100`), typed the way people
    /// write numbers; blank clears it (calls are then dialled from the device).
    pub async fn set_agent_phone(&self, phone: String) -> Result<Preferences, CommandError> {
        let phone = if phone.trim().is_empty() {
            None
        } else {
            Some(
                fieldstone_model::e164(&phone)
                    .map_err(|problem| CommandError::invalid("agent_phone", problem))?,
            )
        };
        let json = match &phone {
            Some(number) => Some(serde_json::to_string(number).map_err(|e| {
                CommandError::new(
                    CommandErrorCode::Internal,
                    format!("Could not write the phone number: {e}."),
                )
            })?),
            None => None,
        };
        self.store(vec![(PHONE_KEY.to_owned(), json)], move |s| {
            s.agent_phone = phone
        })
        .await?;
        self.preferences().await
    }

    /// Turns the weekly report email on or off. It follows the agent (the server reads it),
    /// so only signed in.
    pub async fn set_weekly_report(
        &self,
        choice: WeeklyReportChoice,
    ) -> Result<Preferences, CommandError> {
        let on = choice.on;
        if !matches!(self.kept(), Kept::Synced(_)) {
            return Err(CommandError::invalid(
                "weekly_report",
                "The weekly report is emailed by the sync server: sign in to choose it.",
            ));
        }
        self.store(
            vec![(WEEKLY_KEY.to_owned(), Some(on.to_string()))],
            move |s| s.weekly_report = Some(on),
        )
        .await?;
        self.preferences().await
    }

    /// Turns the calendar feed on or off, or moves it to a new address. The server serves it,
    /// so only signed in; offline the choice waits to sync like any change.
    pub async fn set_calendar_feed(
        &self,
        change: CalendarFeedChange,
    ) -> Result<Preferences, CommandError> {
        if !matches!(self.kept(), Kept::Synced(_)) {
            return Err(CommandError::invalid(
                "calendar_feed",
                "The calendar feed is served by the sync server: sign in to turn it on.",
            ));
        }
        let current = self.stored().await?.calendar_feed.unwrap_or(0);
        let last = current.abs();
        let next = match change.action {
            CalendarFeedAction::TurnOn if current > 0 => current,
            CalendarFeedAction::TurnOn | CalendarFeedAction::NewLink => last + 1,
            CalendarFeedAction::TurnOff => -last,
        };
        if i64::from(u32::MAX) < next {
            return Err(CommandError::invalid(
                "calendar_feed",
                "This calendar feed has had too many addresses.",
            ));
        }
        self.store(
            vec![(CALENDAR_FEED_KEY.to_owned(), Some(next.to_string()))],
            move |s| s.calendar_feed = Some(next),
        )
        .await?;
        self.preferences().await
    }

    /// The calendar feed's address, asked of the server.
    pub async fn calendar_feed_link(&self) -> Result<CalendarFeedLink, CommandError> {
        use fieldstone_protocol::ErrorCode;
        use fieldstone_replica::SyncError;
        let Some(client) = self.lock_sync().client.clone() else {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "Sign in to use a calendar feed.",
            ));
        };
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            client.calendar_feed_link(),
        )
        .await
        .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())));
        answer.map_err(|error| match error {
            SyncError::Unreachable(_) => CommandError::new(
                CommandErrorCode::Offline,
                "The link needs a connection to the server.",
            ),
            SyncError::Rejected {
                code: ErrorCode::NotFound,
                ..
            } => CommandError::new(
                CommandErrorCode::NotFound,
                "The server has not seen the feed turned on yet: the link appears once this device has synced.",
            ),
            SyncError::Rejected { message, .. } => CommandError::new(
                CommandErrorCode::Refused,
                format!("The server cannot make the link: {message}"),
            ),
            SyncError::Local(error) => crate::error::from_replica(error),
            other => CommandError::new(CommandErrorCode::Refused, other.to_string()),
        })
    }

    /// Checks and keeps the agent's locale (the currency upper-cased).
    pub async fn set_locale(&self, locale: Locale) -> Result<Preferences, CommandError> {
        let locale = locale
            .validate()
            .map_err(|e| {
                crate::error::from_replica(fieldstone_replica::ReplicaError::Validation(e))
            })?
            .into_inner();
        let json = serde_json::to_string(&locale).map_err(|e| {
            CommandError::new(
                CommandErrorCode::Internal,
                format!("Could not write the locale: {e}."),
            )
        })?;
        self.store(vec![(LOCALE_KEY.to_owned(), Some(json))], move |s| {
            s.locale = Some(locale)
        })
        .await?;
        self.preferences().await
    }

    pub async fn smart_lists(&self) -> Result<Vec<SmartList>, CommandError> {
        Ok(self.stored().await?.smart_lists)
    }

    /// Creates (no id) or replaces a smart list; names are unique regardless of case.
    pub async fn save_smart_list(&self, request: SaveSmartList) -> Result<SmartList, CommandError> {
        let name = request.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > SMART_LIST_NAME_MAX_CHARS {
            return Err(CommandError::invalid(
                "name",
                format!("Name the list in 1 to {SMART_LIST_NAME_MAX_CHARS} characters."),
            ));
        }
        // The query must be one the engine accepts; it is stored from its first page.
        let query = ContactQuery {
            after: None,
            ..request.query
        };
        let probe = ContactQuery {
            limit: 1,
            ..query.clone()
        };
        self.read(move |r| r.list_contacts(&probe).map(|_| ()))
            .await
            .map_err(|mut e| {
                e.fields
                    .iter_mut()
                    .for_each(|f| f.field = format!("query.{}", f.field));
                e
            })?;
        let list = SmartList {
            id: request
                .id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            name,
            query,
        };
        let lists = self.stored().await?.smart_lists;
        let clash = lists
            .iter()
            .any(|l| l.id != list.id && l.name.to_lowercase() == list.name.to_lowercase());
        if clash {
            return Err(CommandError::invalid(
                "name",
                "There is already a list with this name.",
            ));
        }
        let exists = lists.iter().any(|l| l.id == list.id);
        if !exists && request.id.is_some() {
            return Err(no_such_list());
        }
        if !exists && lists.len() >= SMART_LISTS_MAX {
            return Err(CommandError::invalid(
                "name",
                format!("You can keep up to {SMART_LISTS_MAX} smart lists."),
            ));
        }
        let saved = list.clone();
        self.store(vec![list_entry(&list)?], move |s| {
            match s.smart_lists.iter_mut().find(|l| l.id == saved.id) {
                Some(existing) => *existing = saved,
                None => s.smart_lists.push(saved),
            }
        })
        .await?;
        Ok(list)
    }

    pub async fn delete_smart_list(&self, id: String) -> Result<(), CommandError> {
        let lists = self.stored().await?.smart_lists;
        if !lists.iter().any(|l| l.id == id) {
            return Err(no_such_list());
        }
        let key = format!("{LIST_PREFIX}{id}");
        self.store(vec![(key, None)], move |s| {
            s.smart_lists.retain(|l| l.id != id)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_entries_are_left_out_and_lists_come_by_name() {
        let list = |id: &str, name: &str| SmartList {
            id: id.into(),
            name: name.into(),
            query: ContactQuery::default(),
        };
        let mut entries = BTreeMap::new();
        for l in [list("1", "zed"), list("2", "Alpha")] {
            let (key, json) = list_entry(&l).expect("entry");
            entries.insert(key, json.expect("json"));
        }
        entries.insert("smart_list:3".into(), "{not json".into());
        entries.insert(LOCALE_KEY.into(), "{\"date_order\":\"nope\"}".into());
        entries.insert("something_newer".into(), "{}".into());
        let stored = from_entries(&entries);
        assert_eq!(
            stored
                .smart_lists
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>(),
            ["Alpha", "zed"]
        );
        assert_eq!(stored.locale, None, "an unreadable locale falls back");
    }
}
