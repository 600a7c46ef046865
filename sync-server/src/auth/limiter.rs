//! Sign-in attempts limited so that guessing gets nowhere and nobody can lock anyone else out:
//!
//! - per client address, every attempt (a spray over many accounts from one place);
//! - per account *and* address, failures with doubling backoff after a few free tries (one
//!   place guessing one password), cleared by a success from that place;
//! - per account, failures from devices the server does not know, in a sliding window (many
//!   places guessing one password). A device that signed in to the account before shows a
//!   known-device proof and is not held back by this one: an attacker who makes an account's
//!   strangers wait cannot keep its owner out.
//!
//! The same pair-and-backoff shape limits invitation acceptances (per invitation token) and
//! the current password on the password-change route (per user).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Free failures before backoff starts (the default; the pair limit's is configured).
const FREE_FAILURES: u32 = 5;
/// The longest one pair is made to wait.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Window of the per-account count of strangers' failures.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys kept before the least useful are dropped (memory follows recent attempts only).
const MAX_KEYS: usize = 100_000;

/// Failures of one key, with doubling backoff once past the free ones.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    until: Option<Instant>,
}

/// Keyed failure counters with doubling backoff.
pub struct Backoff<K> {
    map: Mutex<HashMap<K, Failures>>,
    free: u32,
}

impl<K: Hash + Eq + Clone> Backoff<K> {
    pub fn new(free: u32) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            free,
        }
    }

    /// `Err(wait)` while `key` is held back.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key).and_then(|f| f.until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure; past the free ones, the key waits 1 s, 2 s, 4 s … up to 15 min.
    pub fn fail(&self, key: &K, now: Instant) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, f| f.until.is_some_and(|u| u > now));
        }
        let entry = map.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
            until: None,
        });
        // A long quiet spell forgives old failures.
        if now.duration_since(entry.last) > MAX_BACKOFF * 4 {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        if entry.count > self.free {
            let doublings = (entry.count - self.free - 1).min(20);
            let wait = Duration::from_secs(1u64 << doublings).min(MAX_BACKOFF);
            entry.until = Some(now + wait);
        }
    }

    pub fn succeed(&self, key: &K) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    /// Forgets keys whose backoff is over and that have been quiet a while.
    pub fn shrink(&self, now: Instant) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, f| now.duration_since(f.last) < MAX_BACKOFF * 4);
    }
}

/// Failures in a sliding window, per key.
struct Window<K> {
    map: Mutex<HashMap<K, Vec<Instant>>>,
    max: usize,
}

impl<K: Hash + Eq + Clone> Window<K> {
    fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = map.get(key) else {
            return Ok(());
        };
        let recent: Vec<&Instant> = times
            .iter()
            .filter(|t| now.duration_since(**t) < WINDOW)
            .collect();
        if recent.len() < self.max {
            return Ok(());
        }
        // Free again when the oldest failure in the window leaves it.
        let oldest = recent.iter().map(|t| **t).min().unwrap_or(now);
        Err(WINDOW.saturating_sub(now.duration_since(oldest)))
    }

    fn fail(&self, key: &K, now: Instant) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, t| t.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        let times = map.entry(key.clone()).or_default();
        times.retain(|t| now.duration_since(*t) < WINDOW);
        if times.len() < self.max * 2 {
            times.push(now);
        }
    }

    fn shrink(&self, now: Instant) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, t| t.iter().any(|t| now.duration_since(*t) < WINDOW));
    }
}

pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    pairs: Backoff<(String, IpAddr)>,
    strangers: Window<String>,
    invitations: Backoff<String>,
    passwords: Backoff<String>,
    clock: DefaultClock,
}

impl LoginLimiter {
    /// `per_ip_per_minute`: attempts from one address; `strangers_per_window`: failures on one
    /// account from unknown devices per 15 minutes; `free_failures`: failures on one account
    /// from one address before backoff.
    pub fn new(per_ip_per_minute: u32, strangers_per_window: u32, free_failures: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            pairs: Backoff::new(free_failures),
            strangers: Window {
                map: Mutex::new(HashMap::new()),
                max: strangers_per_window.max(1) as usize,
            },
            invitations: Backoff::new(FREE_FAILURES),
            passwords: Backoff::new(FREE_FAILURES),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one sign-in attempt; `Err(wait)` when it must not be tried now. `known` is true
    /// when the request proved it comes from a device that signed in to this account before.
    pub fn check_login(&self, email: &str, ip: IpAddr, known: bool) -> Result<(), Duration> {
        let email = email.to_lowercase();
        let now = Instant::now();
        self.pairs.check(&(email.clone(), ip), now)?;
        if !known {
            self.strangers.check(&email, now)?;
        }
        let clock_now = self.clock.now();
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(clock_now))
    }

    /// Counts a failed sign-in; returns the wait it now imposes, if it starts or lengthens one
    /// (a lockout, for the audit log).
    pub fn login_failed(&self, email: &str, ip: IpAddr, known: bool) -> Option<Duration> {
        let email = email.to_lowercase();
        let now = Instant::now();
        let pair = (email.clone(), ip);
        self.pairs.fail(&pair, now);
        let mut wait = self.pairs.check(&pair, now).err();
        if !known {
            self.strangers.fail(&email, now);
            wait = wait.or(self.strangers.check(&email, now).err());
        }
        wait
    }

    pub fn login_succeeded(&self, email: &str, ip: IpAddr) {
        self.pairs.succeed(&(email.to_lowercase(), ip));
    }

    /// An invitation acceptance: limited per address (all attempts) and per token (failures).
    pub fn check_invitation(&self, token_hash: &str, ip: IpAddr) -> Result<(), Duration> {
        self.invitations
            .check(&token_hash.to_owned(), Instant::now())?;
        let now = self.clock.now();
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(now))
    }

    pub fn invitation_failed(&self, token_hash: &str) {
        self.invitations
            .fail(&token_hash.to_owned(), Instant::now());
    }

    /// The current password on the password-change route, per user.
    pub fn check_password(&self, user: &str) -> Result<(), Duration> {
        self.passwords.check(&user.to_owned(), Instant::now())
    }

    pub fn password_failed(&self, user: &str) {
        self.passwords.fail(&user.to_owned(), Instant::now());
    }

    pub fn password_succeeded(&self, user: &str) {
        self.passwords.succeed(&user.to_owned());
    }

    /// Forgets keys that are back to a full quota, so memory follows recent attempts only.
    pub fn shrink(&self) {
        let now = Instant::now();
        self.per_ip.retain_recent();
        self.pairs.shrink(now);
        self.strangers.shrink(now);
        self.invitations.shrink(now);
        self.passwords.shrink(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a@example.com";

    #[test]
    fn one_place_guessing_one_account_backs_off_and_others_are_not_held() {
        let limiter = LoginLimiter::new(1000, 1000, FREE_FAILURES);
        let attacker: IpAddr = [10, 0, 0, 1].into();
        let owner: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..FREE_FAILURES {
            assert!(limiter.check_login(A, attacker, false).is_ok());
            limiter.login_failed(A, attacker, false);
        }
        assert!(
            limiter.check_login(A, attacker, false).is_ok(),
            "last free try"
        );
        limiter.login_failed(A, attacker, false);
        let wait = limiter
            .check_login(A, attacker, false)
            .expect_err("backoff");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(
            limiter.check_login(A, owner, false).is_ok(),
            "the owner, elsewhere, is not locked out"
        );
        assert!(
            limiter
                .check_login("B@example.com", attacker, false)
                .is_ok(),
            "another account from the attacker's address has its own pair"
        );
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let b: Backoff<u8> = Backoff::new(2);
        let t0 = Instant::now();
        let mut waits = Vec::new();
        for i in 0..30u64 {
            let now = t0 + Duration::from_secs(i);
            b.fail(&1, now);
            waits.push(b.check(&1, now).err().unwrap_or_default().as_secs());
        }
        assert_eq!(&waits[..6], &[0, 0, 1, 2, 4, 8]);
        assert_eq!(*waits.last().unwrap_or(&0), MAX_BACKOFF.as_secs());
        b.succeed(&1);
        assert!(b.check(&1, t0 + Duration::from_secs(30)).is_ok());
    }

    #[test]
    fn many_places_hold_strangers_back_but_not_a_known_device() {
        let limiter = LoginLimiter::new(1000, 10, FREE_FAILURES);
        for n in 0..10u8 {
            let ip: IpAddr = [10, 1, 0, n].into();
            assert!(limiter.check_login(A, ip, false).is_ok());
            limiter.login_failed(A, ip, false);
        }
        let fresh: IpAddr = [10, 2, 0, 1].into();
        assert!(
            limiter.check_login(A, fresh, false).is_err(),
            "an eleventh stranger waits"
        );
        assert!(
            limiter.check_login(A, fresh, true).is_ok(),
            "the account's own known device signs in"
        );
    }

    #[test]
    fn per_address_caps_every_attempt() {
        let limiter = LoginLimiter::new(3, 1000, FREE_FAILURES);
        let ip: IpAddr = [10, 0, 0, 9].into();
        for n in 0..3 {
            assert!(limiter
                .check_login(&format!("u{n}@example.com"), ip, false)
                .is_ok());
        }
        assert!(limiter.check_login("u9@example.com", ip, false).is_err());
    }

    #[test]
    fn invitations_back_off_per_token_not_for_everyone() {
        let limiter = LoginLimiter::new(1000, 1000, FREE_FAILURES);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..=FREE_FAILURES {
            assert!(limiter.check_invitation("bogus", ip).is_ok());
            limiter.invitation_failed("bogus");
        }
        assert!(limiter.check_invitation("bogus", ip).is_err());
        assert!(
            limiter.check_invitation("a real one", ip).is_ok(),
            "another invitation is not blocked"
        );
    }
}

/// Requests per client address on the public routes people and providers reach without a
/// session (unsubscribe, tracking links, webhooks): a flood from one address is answered 429
/// before anything is read or verified.
pub struct PublicLimiter {
    links: DefaultKeyedRateLimiter<IpAddr>,
    hooks: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

/// What a public request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicRoute {
    /// A person following a link in an email.
    Link,
    /// A provider's webhook (one request carries many events).
    Hook,
}

impl PublicLimiter {
    pub fn new(links_per_minute: u32, hooks_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            links: RateLimiter::keyed(quota(links_per_minute)),
            hooks: RateLimiter::keyed(quota(hooks_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(wait)` when `ip` is over its rate for `route`.
    pub fn check(&self, route: PublicRoute, ip: IpAddr) -> Result<(), Duration> {
        let limiter = match route {
            PublicRoute::Link => &self.links,
            PublicRoute::Hook => &self.hooks,
        };
        let now = self.clock.now();
        limiter
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(now))
    }

    /// Forgets addresses that have not been seen lately.
    pub fn shrink(&self) {
        self.links.retain_recent();
        self.hooks.retain_recent();
    }
}
