//! Cross-process news through LISTEN/NOTIFY: `announce` sends an [`Announcement`] as JSON on
//! one channel; `listen` keeps a connection of its own listening on it (reconnecting with
//! backoff) and hands every other process's events to the hub.

use super::pool::{self, Pool};
use crate::hub::{Announcement, Event, Hub};
use crate::store::StoreError;
use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::Client;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const CHANNEL: &str = "fieldstone";
/// PostgreSQL refuses a payload of 8000 bytes or more.
pub const MAX_PAYLOAD: usize = 7999;
/// How often the listener looks up from waiting to see whether its store was dropped.
const POLL: Duration = Duration::from_millis(250);
const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(10);

pub struct Notifier {
    /// The hub's origin once `listen` was called (until then a random one: nobody listens
    /// in this process yet, so no echo can be mistaken for news).
    origin: Mutex<Uuid>,
    /// Set when the store is dropped: the listener thread then closes its connection and ends.
    stop: Arc<AtomicBool>,
}

impl Notifier {
    pub fn new() -> Self {
        Self {
            origin: Mutex::new(Uuid::new_v4()),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    fn origin(&self) -> Uuid {
        *self.origin.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn announce(&self, pool: &Pool, event: &Event) -> Result<(), StoreError> {
        let payload = payload(self.origin(), event)?;
        pool.with(|c| {
            c.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])?;
            Ok(())
        })
    }

    /// Returns at once; the thread connects (and reconnects) on its own.
    pub fn listen(&self, url: &str, hub: Hub) -> Result<(), StoreError> {
        *self.origin.lock().unwrap_or_else(|p| p.into_inner()) = hub.origin;
        let url = url.to_owned();
        let stop = Arc::clone(&self.stop);
        std::thread::Builder::new()
            .name("pg-listen".into())
            .spawn(move || listen_until_stopped(&url, &hub, &stop))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the listener: {e}")))?;
        Ok(())
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The NOTIFY payload for `event`: its JSON, or, when that is too long (a change in very many
/// scopes), "access changed" for its organisation, which makes listeners reload what they
/// know about it.
pub fn payload(origin: Uuid, event: &Event) -> Result<String, StoreError> {
    let json = |event: Event| {
        serde_json::to_string(&Announcement { origin, event })
            .map_err(|e| StoreError::Database(format!("cannot encode an announcement: {e}")))
    };
    let full = json(event.clone())?;
    if full.len() <= MAX_PAYLOAD {
        return Ok(full);
    }
    let org = match event {
        Event::Changed { org, .. }
        | Event::AccessChanged { org }
        | Event::DeviceRevoked { org, .. }
        | Event::SessionsEnded { org, .. } => *org,
    };
    json(Event::AccessChanged { org })
}

/// The event in another process's payload; `None` for our own echo (or an unreadable one).
pub fn received(own_origin: Uuid, payload: &str) -> Option<Event> {
    match serde_json::from_str::<Announcement>(payload) {
        Ok(a) if a.origin == own_origin => None,
        Ok(a) => Some(a.event),
        Err(error) => {
            tracing::warn!(%error, "ignoring an unreadable announcement");
            None
        }
    }
}

fn listen_until_stopped(url: &str, hub: &Hub, stop: &AtomicBool) {
    let mut retry = FIRST_RETRY;
    let mut connected_before = false;
    while !stop.load(Ordering::Relaxed) {
        match connect(url) {
            Ok(mut client) => {
                if connected_before {
                    tracing::info!("listening for other server processes' changes again");
                }
                connected_before = true;
                retry = FIRST_RETRY;
                let ended = forward(&mut client, hub, stop);
                pool::close(client);
                match ended {
                    Ok(()) => return,
                    Err(error) => tracing::warn!(
                        %error,
                        "lost the connection that hears other server processes; reconnecting"
                    ),
                }
            }
            Err(error) => {
                tracing::warn!(%error, retry_in = ?retry, "cannot listen for other server processes");
            }
        }
        pause(retry, stop);
        retry = (retry * 2).min(LAST_RETRY);
    }
}

fn connect(url: &str) -> Result<Client, StoreError> {
    let mut client = pool::connect(url)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

/// Hands notifications to the hub until the store is dropped (`Ok`) or the connection breaks.
fn forward(client: &mut Client, hub: &Hub, stop: &AtomicBool) -> Result<(), StoreError> {
    while !stop.load(Ordering::Relaxed) {
        {
            let mut notifications = client.notifications();
            let mut waiting = notifications.timeout_iter(POLL);
            while let Some(notification) = waiting.next()? {
                if let Some(event) = received(hub.origin, notification.payload()) {
                    hub.remote(event);
                }
            }
        }
        // `None` means "nothing within POLL" or "the server hung up".
        if client.is_closed() {
            return Err(StoreError::Unavailable(
                "the server closed the connection".into(),
            ));
        }
    }
    Ok(())
}

/// Sleeps `how_long`, waking early when the store is dropped.
fn pause(how_long: Duration, stop: &AtomicBool) {
    let until = Instant::now() + how_long;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep((until - now).min(POLL));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::OrgId;
    use fieldstone_protocol::{DocId, Scope};

    fn org() -> OrgId {
        OrgId::from_uuid(Uuid::from_u128(7))
    }

    #[test]
    fn small_events_travel_whole_and_echoes_are_ignored() {
        let origin = Uuid::from_u128(1);
        let event = Event::Changed {
            org: org(),
            doc: DocId::new("contact", "a").expect("doc id"),
            scopes: vec![Scope::Org(org())],
            seq: 9,
        };
        let text = payload(origin, &event).expect("payload");
        assert_eq!(received(Uuid::from_u128(2), &text), Some(event));
        assert_eq!(received(origin, &text), None);
        assert_eq!(received(origin, "not json"), None);
    }

    #[test]
    fn a_change_in_too_many_scopes_becomes_access_changed() {
        let scopes = (0..400u128)
            .map(|n| Scope::User(fieldstone_model::UserId::from_uuid(Uuid::from_u128(n))))
            .collect();
        let event = Event::Changed {
            org: org(),
            doc: DocId::new("contact", "a").expect("doc id"),
            scopes,
            seq: 9,
        };
        let text = payload(Uuid::from_u128(1), &event).expect("payload");
        assert!(text.len() <= MAX_PAYLOAD);
        assert_eq!(
            received(Uuid::from_u128(2), &text),
            Some(Event::AccessChanged { org: org() })
        );
    }
}
