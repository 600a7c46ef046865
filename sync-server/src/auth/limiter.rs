//! Sign-in attempts limited per account (email) and per client address, so neither guessing one
//! password nor spraying many accounts from one place gets far.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimiter {
    pub fn new(per_account_per_minute: u32, per_ip_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; `Err(wait)` when the account or the address is over its limit.
    pub fn check(&self, email: &str, ip: IpAddr) -> Result<(), Duration> {
        let now = self.clock.now();
        if let Err(not_until) = self.per_ip.check_key(&ip) {
            return Err(not_until.wait_time_from(now));
        }
        if let Err(not_until) = self.per_account.check_key(&email.to_lowercase()) {
            return Err(not_until.wait_time_from(now));
        }
        Ok(())
    }

    /// Forgets keys that are back to a full quota, so memory follows recent attempts only.
    pub fn shrink(&self) {
        self.per_account.retain_recent();
        self.per_ip.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_account_and_per_address() {
        let limiter = LoginLimiter::new(3, 5);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(limiter.check("a@example.com", ip).is_ok());
        }
        assert!(limiter.check("A@example.com", ip).is_err(), "same account");
        // Another account from the same address still has room, until the address runs out.
        assert!(limiter.check("b@example.com", ip).is_ok());
        assert!(limiter.check("c@example.com", ip).is_err());
        let other: IpAddr = [10, 0, 0, 2].into();
        assert!(limiter.check("d@example.com", other).is_ok());
    }
}
