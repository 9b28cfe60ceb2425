//! Rate limits with `governor`, keyed by client address or user.
//!
//! Failed sign-ins are counted from the audit log instead (10 per 15
//! minutes per address and per username), so that only failures count and
//! the count survives restarts. `governor` cannot give a request back, and
//! a successful sign-in must not count; so the attempts whose outcome is
//! not written yet are reserved in memory ([`SignInAttempts`]) before the
//! password is verified, and counted with the logged failures.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
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
                ApiError::rate_limited(whole_seconds(wait))
            })
    }
}

/// A wait rounded up to whole seconds, so that a client retrying after
/// `Retry-After` seconds is not early.
pub fn whole_seconds(wait: Duration) -> Duration {
    Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
}

/// Local sign-ins in flight, keyed by client address and by lower-cased
/// username. An attempt is reserved before its password is verified and
/// released after its outcome is in the audit log, so that parallel
/// attempts cannot all pass the count of logged failures.
#[derive(Clone, Debug, Default)]
pub struct SignInAttempts {
    in_flight: Arc<Mutex<HashMap<String, u32>>>,
}

impl SignInAttempts {
    /// Reserves one attempt from `ip` for `username`.
    pub fn reserve(&self, ip: &str, username: &str) -> Reservation {
        let keys = [
            format!("ip:{ip}"),
            format!("user:{}", username.to_lowercase()),
        ];
        let mut in_flight = self.lock();
        let counts = keys.clone().map(|key| {
            let count = in_flight.entry(key).or_default();
            *count += 1;
            *count
        });
        Reservation {
            attempts: self.clone(),
            keys,
            by_ip: counts[0],
            by_user: counts[1],
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        // The map stays consistent whatever panicked while holding it.
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// One reserved sign-in attempt; released when dropped.
#[derive(Debug)]
pub struct Reservation {
    attempts: SignInAttempts,
    keys: [String; 2],
    /// Attempts in flight from the address when this one was reserved,
    /// itself included.
    pub by_ip: u32,
    /// Attempts in flight for the username when this one was reserved,
    /// itself included.
    pub by_user: u32,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut in_flight = self.attempts.lock();
        for key in &self.keys {
            if let Some(count) = in_flight.get_mut(key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    in_flight.remove(key);
                }
            }
        }
    }
}

/// Password hashing (Argon2id, 19 MiB and some CPU each) off the async
/// threads, a few at a time, so that a burst of sign-ins cannot take all
/// memory and cores.
#[derive(Clone, Debug)]
pub struct PasswordHashing {
    permits: Arc<tokio::sync::Semaphore>,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        let parallel = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 4);
        PasswordHashing {
            permits: Arc::new(tokio::sync::Semaphore::new(parallel)),
        }
    }
}

impl PasswordHashing {
    /// Runs `work` on a blocking thread once a permit is free.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(ApiError::internal)
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
    /// Local sign-ins whose outcome is not logged yet.
    pub sign_in: SignInAttempts,
    /// Password hashing and verification.
    pub password_hashing: PasswordHashing,
}

impl Default for Limits {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Limits {
            password_change: Limit::new(5, quarter_hour),
            oidc: Limit::new(20, quarter_hour),
            backup: Limit::new(5, Duration::from_secs(60 * 60)),
            feed: Limit::new(60, Duration::from_secs(60 * 60)),
            sign_in: SignInAttempts::default(),
            password_hashing: PasswordHashing::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_count_per_address_and_per_username_until_dropped() {
        let attempts = SignInAttempts::default();
        let first = attempts.reserve("10.0.0.7", "Ann");
        assert_eq!((first.by_ip, first.by_user), (1, 1));
        let second = attempts.reserve("10.0.0.7", "ANN");
        assert_eq!(
            (second.by_ip, second.by_user),
            (2, 2),
            "usernames fold case"
        );
        let elsewhere = attempts.reserve("10.0.0.8", "bob");
        assert_eq!((elsewhere.by_ip, elsewhere.by_user), (1, 1));

        drop((first, second, elsewhere));
        assert!(attempts.lock().is_empty(), "released keys are forgotten");
        let again = attempts.reserve("10.0.0.7", "ann");
        assert_eq!((again.by_ip, again.by_user), (1, 1));
    }

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(14_001)).as_secs(), 15);
        assert_eq!(whole_seconds(Duration::from_secs(14)).as_secs(), 14);
    }
}
