//! Login throttling: at most N failed attempts per key in a sliding window.
//!
//! Keys are the account (e-mail) and the client address, so neither a
//! password-guessing run against one account nor one address spraying many
//! accounts gets far. With Redis configured the count is shared by every
//! node ([`SharedAttempts`], attached at start-up), so two nodes allow no more
//! guesses than one; without it, or while Redis cannot be reached, each
//! process counts on its own, with the same limits.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chat_domain::ports::SharedAttempts;
use chat_domain::{DomainError, DomainResult};

/// Above this many tracked keys, expired ones are swept before inserting, so
/// an attacker cycling addresses cannot grow the map without bound.
const SWEEP_ABOVE: usize = 10_000;

/// Counts failures per key; see the module docs.
pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    shared: OnceLock<Arc<dyn SharedAttempts>>,
}

/// One login attempt in progress, as [`LoginThrottle::begin`] counted it.
#[derive(Debug)]
pub enum Attempt {
    /// Counted in this process.
    Local,
    /// Counted in the shared store under this id.
    Shared(String),
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("max_failures", &self.max_failures)
            .field("window", &self.window)
            .field("shared", &self.shared.get().is_some())
            .finish_non_exhaustive()
    }
}

impl LoginThrottle {
    /// At most `max_failures` failures per key within `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1) as usize,
            window,
            failures: Mutex::new(HashMap::new()),
            shared: OnceLock::new(),
        }
    }

    /// Counts attempts in `shared` (Redis) from now on; a second call is ignored.
    pub fn share(&self, shared: Arc<dyn SharedAttempts>) {
        let _ = self.shared.set(shared);
    }

    /// Starts a login attempt: `RateLimited` (with the seconds until the
    /// oldest counted attempt expires) if any key is at its limit; otherwise
    /// counts the attempt against every key *now*, so that parallel attempts
    /// cannot all pass the check before the first failure is recorded. A
    /// successful attempt is taken back with [`Self::succeeded`].
    pub async fn begin(&self, keys: &[&str]) -> DomainResult<Attempt> {
        if let Some(shared) = self.shared.get() {
            let id = format!("{:032x}", rand::random::<u128>());
            let max = u32::try_from(self.max_failures).unwrap_or(u32::MAX);
            match shared.begin(keys, &id, max, self.window).await {
                Ok(None) => return Ok(Attempt::Shared(id)),
                Ok(Some(retry_after_secs)) => {
                    return Err(DomainError::RateLimited { retry_after_secs });
                }
                // Redis down: the limit still holds on each node.
                Err(e) => {
                    tracing::warn!(error = %e, "login throttle: counting on this node only");
                }
            }
        }
        self.begin_at(keys, Instant::now()).map(|()| Attempt::Local)
    }

    /// Takes back a successful attempt: the account's count is cleared, and
    /// the other keys (addresses, shared by many users behind one NAT) lose
    /// the one attempt [`Self::begin`] added.
    pub async fn succeeded(&self, attempt: &Attempt, account_key: &str, other_keys: &[&str]) {
        match attempt {
            Attempt::Local => self.local_succeeded(account_key, other_keys),
            Attempt::Shared(id) => {
                self.take_back_shared(other_keys, id, Some(account_key))
                    .await
            }
        }
    }

    /// Takes back an attempt that could not be checked (the database was
    /// down): it proves nothing about the password, so it counts against no
    /// key.
    pub async fn abandoned(&self, attempt: &Attempt, keys: &[&str]) {
        match attempt {
            Attempt::Local => self.local_abandoned(keys),
            Attempt::Shared(id) => self.take_back_shared(keys, id, None).await,
        }
    }

    async fn take_back_shared(&self, keys: &[&str], id: &str, clear: Option<&str>) {
        if let Some(shared) = self.shared.get()
            && let Err(e) = shared.take_back(keys, id, clear).await
        {
            tracing::warn!(error = %e, "login throttle: an attempt could not be taken back");
        }
    }

    fn local_succeeded(&self, account_key: &str, other_keys: &[&str]) {
        let mut map = self.lock();
        map.remove(account_key);
        for key in other_keys {
            if let Some(q) = map.get_mut(*key) {
                q.pop_back();
            }
        }
    }

    fn local_abandoned(&self, keys: &[&str]) {
        let mut map = self.lock();
        for key in keys {
            if let Some(q) = map.get_mut(*key) {
                q.pop_back();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn begin_at(&self, keys: &[&str], now: Instant) -> DomainResult<()> {
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
        if !wait.is_zero() {
            return Err(DomainError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        if map.len() > SWEEP_ABOVE {
            let window = self.window;
            map.retain(|_, q| {
                prune(q, now, window);
                !q.is_empty()
            });
        }
        for key in keys {
            let q = map.entry((*key).to_owned()).or_default();
            q.push_back(now);
            // Older entries than the limit never matter.
            while q.len() > self.max_failures {
                q.pop_front();
            }
        }
        Ok(())
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
            t.begin_at(&["acct:a", "ip:1"], start + Duration::from_secs(i))
                .unwrap();
        }
        let err = t
            .begin_at(&["acct:a", "ip:2"], start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(
            err,
            DomainError::RateLimited {
                retry_after_secs: 290
            }
        );
        // Another account from the same address is also blocked: the IP key is full.
        assert!(
            t.begin_at(&["acct:b", "ip:1"], start + Duration::from_secs(10))
                .is_err()
        );
        // Another account from another address is not.
        t.begin_at(&["acct:b", "ip:2"], start + Duration::from_secs(10))
            .unwrap();
        // After the window, allowed again.
        t.begin_at(&["acct:a", "ip:1"], start + Duration::from_secs(302))
            .unwrap();
    }

    #[test]
    fn attempts_count_before_they_finish_and_successes_are_taken_back() {
        let t = LoginThrottle::new(3, Duration::from_secs(300));
        let now = Instant::now();
        // Three attempts in flight at once: the fourth is refused immediately.
        for _ in 0..3 {
            t.begin_at(&["acct:c", "ip:9"], now).unwrap();
        }
        assert!(t.begin_at(&["acct:c", "ip:9"], now).is_err());
        // One of them succeeds: the account is cleared, the address gets one back.
        t.local_succeeded("acct:c", &["ip:9"]);
        t.begin_at(&["acct:d", "ip:9"], now).unwrap();
        assert!(t.begin_at(&["acct:e", "ip:9"], now).is_err());
    }

    #[test]
    fn abandoned_attempts_count_against_nobody() {
        let t = LoginThrottle::new(2, Duration::from_secs(300));
        let now = Instant::now();
        for _ in 0..5 {
            t.begin_at(&["acct:f", "ip:8"], now).unwrap();
            t.local_abandoned(&["acct:f", "ip:8"]);
        }
        t.begin_at(&["acct:f", "ip:8"], now).unwrap();
        t.begin_at(&["acct:f", "ip:8"], now).unwrap();
        assert!(t.begin_at(&["acct:f", "ip:8"], now).is_err());
    }
}
