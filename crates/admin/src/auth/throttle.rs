//! Login throttling: at most N failed attempts per key in a sliding window.
//!
//! Keys are the account (e-mail) and the client address, so neither a
//! password-guessing run against one account nor one address spraying many
//! accounts gets far. State is per process; across nodes each node counts on
//! its own (a shared counter in Redis arrives with the session store).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chat_domain::{DomainError, DomainResult};

/// Above this many tracked keys, expired ones are swept before inserting, so
/// an attacker cycling addresses cannot grow the map without bound.
const SWEEP_ABOVE: usize = 10_000;

/// Counts failures per key; see the module docs.
#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// At most `max_failures` failures per key within `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1) as usize,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `RateLimited` (with the seconds until the oldest failure expires) if
    /// any key is at its limit; otherwise `Ok`.
    pub fn check(&self, keys: &[&str]) -> DomainResult<()> {
        self.check_at(keys, Instant::now())
    }

    /// Records one failure for every key.
    pub fn record_failure(&self, keys: &[&str]) {
        self.record_failure_at(keys, Instant::now());
    }

    /// Forgets the failures of a key (after a successful login).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check_at(&self, keys: &[&str], now: Instant) -> DomainResult<()> {
        let mut map = self.lock();
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(q) = map.get_mut(*key) {
                prune(q, now, self.window);
                if q.len() >= self.max_failures
                    && let Some(oldest) = q.front()
                {
                    wait = wait.max(self.window.saturating_sub(now - *oldest));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(DomainError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            })
        }
    }

    fn record_failure_at(&self, keys: &[&str], now: Instant) {
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            let window = self.window;
            map.retain(|_, q| {
                prune(q, now, window);
                !q.is_empty()
            });
        }
        for key in keys {
            let q = map.entry((*key).to_owned()).or_default();
            prune(q, now, self.window);
            q.push_back(now);
            // Older entries than the limit never matter.
            while q.len() > self.max_failures {
                q.pop_front();
            }
        }
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_within_the_window() {
        let t = LoginThrottle::new(3, Duration::from_secs(300));
        let start = Instant::now();
        for i in 0..3 {
            t.check_at(&["acct:a", "ip:1"], start).unwrap();
            t.record_failure_at(&["acct:a", "ip:1"], start + Duration::from_secs(i));
        }
        let err = t
            .check_at(&["acct:a", "ip:2"], start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(
            err,
            DomainError::RateLimited {
                retry_after_secs: 290
            }
        );
        // Another account from the same address is also blocked: the IP key is full.
        assert!(
            t.check_at(&["acct:b", "ip:1"], start + Duration::from_secs(10))
                .is_err()
        );
        // Another account from another address is not.
        t.check_at(&["acct:b", "ip:2"], start + Duration::from_secs(10))
            .unwrap();
        // After the window, allowed again.
        t.check_at(&["acct:a", "ip:1"], start + Duration::from_secs(302))
            .unwrap();
        // Clearing the account key lifts its block.
        t.record_failure_at(&["acct:c"], start);
        t.record_failure_at(&["acct:c"], start);
        t.record_failure_at(&["acct:c"], start);
        assert!(t.check_at(&["acct:c"], start).is_err());
        t.clear("acct:c");
        t.check_at(&["acct:c"], start).unwrap();
    }
}
