//! Rate limits with `governor`, keyed by client address or user.
//!
//! Failed sign-ins are counted from the audit log instead (10 per 15
//! minutes per address and per username), so that only failures count and
//! the count survives restarts.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// A keyed limit: `burst` requests per `period`, refilled evenly.
#[derive(Clone)]
pub struct Limit {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limit")
    }
}

impl Limit {
    pub fn new(burst: u32, period: Duration) -> Limit {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period / burst.get())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Limit {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request for `key`; a 429 with `Retry-After` when over.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        self.limiter
            .check_key(&key.to_string())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.clock.now());
                ApiError::rate_limited(wait)
            })
    }
}

/// The limits of the web process.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Password changes: 5 per 15 minutes per user.
    pub password_change: Limit,
    /// OIDC login and callback: 20 per 15 minutes per address.
    pub oidc: Limit,
    /// Backups, restores and uploads together: 5 per hour per address.
    pub backup: Limit,
    /// iCal feed fetches: 60 per hour per address.
    pub feed: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Limits {
            password_change: Limit::new(5, quarter_hour),
            oidc: Limit::new(20, quarter_hour),
            backup: Limit::new(5, Duration::from_secs(60 * 60)),
            feed: Limit::new(60, Duration::from_secs(60 * 60)),
        }
    }
}
