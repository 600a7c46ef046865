//! In-process fan-out of what happened (a change accepted, access changed, a device revoked) to
//! live connections and caches, and, through the store, to other server processes.

use fieldstone_model::{DeviceId, OrgId, UserId};
use fieldstone_protocol::{DocId, Scope};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Enough buffered events for a burst; a live connection that falls further behind is told to
/// pull everything (it cannot miss data, only notifications).
const CAPACITY: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Changes to `doc` were accepted; its scopes' feeds reached `seq`.
    Changed {
        org: OrgId,
        doc: DocId,
        scopes: Vec<Scope>,
        seq: u64,
    },
    /// Team membership, roles or document shares changed in `org`.
    AccessChanged {
        org: OrgId,
    },
    DeviceRevoked {
        org: OrgId,
        device: DeviceId,
    },
    /// Every session of `user` ended (sign out everywhere, password change).
    SessionsEnded {
        org: OrgId,
        user: UserId,
    },
}

/// An event with where it came from.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event: Event,
    /// From another server process (through the database), not this one.
    pub remote: bool,
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Delivery>>,
    /// Shared by the server's clones; a listener thread holding the last one stops.
    alive: Arc<()>,
    /// Identifies this process in cross-process announcements, so it ignores its own echo.
    pub origin: Uuid,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(CAPACITY);
        Self {
            tx,
            alive: Arc::new(()),
            origin: Uuid::new_v4(),
        }
    }

    /// Delivers an event that happened in this process.
    pub fn local(&self, event: Event) {
        let _ = self.tx.send(Arc::new(Delivery {
            event,
            remote: false,
        }));
    }

    /// Delivers an event another process announced.
    pub fn remote(&self, event: Event) {
        let _ = self.tx.send(Arc::new(Delivery {
            event,
            remote: true,
        }));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delivery>> {
        self.tx.subscribe()
    }

    /// How many subscribers are listening now.
    pub fn receivers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// True once the server that owned this hub is gone (only background threads hold clones).
    pub fn closed(&self) -> bool {
        std::sync::Arc::strong_count(&self.alive) <= 1
    }
}

/// What one process announces to the others (JSON in a NOTIFY payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub origin: Uuid,
    pub event: Event,
}
