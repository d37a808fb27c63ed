//! Each staff member's last session revocation, as seen by this node: the
//! instant before which their access tokens are refused
//! ([`chat_domain::auth::SessionCheck`]).
//!
//! Read from the database on first use and kept for [`TTL`]; an
//! [`Event::SessionsRevoked`] from any node (or this one) drops the entry at
//! once, and a lost event (`Delivery::Missed`) drops them all, so a
//! revocation applies on every node as soon as its event arrives, and within
//! [`TTL`] even if the event is lost.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_domain::events::Event;
use chat_domain::ids::UserId;
use chat_domain::ports::{Delivery, EventBus, Listener, Store};
use chat_domain::{DomainError, DomainResult};

/// How long an entry is trusted without an event: the bound on how late a
/// revocation whose event was lost applies here.
pub const TTL: Duration = Duration::from_secs(10);

/// Most entries kept; past it the cache starts over (one entry per active
/// staff member, so this is never reached in practice).
const CAPACITY: usize = 50_000;

#[derive(Default)]
struct Entries {
    /// User → (last revocation in unix ms, when it was read).
    by_user: HashMap<UserId, (Option<i64>, Instant)>,
    /// Bumped by every invalidation: a read that started before one must
    /// not store what it read (it may predate the revocation).
    generation: u64,
}

/// See the module documentation.
#[derive(Default)]
pub struct Revocations {
    entries: Mutex<Entries>,
}

impl Revocations {
    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets `user`'s entry (their sessions were just revoked).
    pub fn invalidate(&self, user: UserId) {
        let mut e = self.entries();
        e.generation += 1;
        e.by_user.remove(&user);
    }

    /// Forgets every entry (revocation events may have been lost).
    pub fn clear(&self) {
        let mut e = self.entries();
        e.generation += 1;
        e.by_user.clear();
    }

    /// Starts following `bus`: revocations announced by any node invalidate
    /// their entries here. Inline when the bus can call listeners, otherwise
    /// on a task of the current runtime (when there is one).
    pub fn follow(self: &Arc<Self>, bus: &dyn EventBus) {
        let weak = Arc::downgrade(self);
        let listener: Listener = Box::new(move |delivery| {
            let Some(this) = weak.upgrade() else {
                return ControlFlow::Break(());
            };
            match delivery {
                Delivery::Event(e) => {
                    if let Event::SessionsRevoked { user_id } = e.as_ref() {
                        this.invalidate(*user_id);
                    }
                }
                Delivery::Missed => this.clear(),
            }
            ControlFlow::Continue(())
        });
        // A bus that needs a task is followed only where a runtime runs it.
        if let Some(follow) = chat_domain::ports::listen(bus, listener)
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(follow);
        }
    }

    /// `Unauthenticated` when `user`'s sessions were revoked after
    /// `issued_at_ms`.
    pub async fn ensure_current(
        &self,
        store: &dyn Store,
        user: UserId,
        issued_at_ms: i64,
    ) -> DomainResult<()> {
        let not_before = self.not_before(store, user).await?;
        match not_before {
            Some(cut) if issued_at_ms < cut => Err(DomainError::Unauthenticated(
                "this session was revoked: sign in again".into(),
            )),
            _ => Ok(()),
        }
    }

    async fn not_before(&self, store: &dyn Store, user: UserId) -> DomainResult<Option<i64>> {
        let generation = {
            let e = self.entries();
            if let Some((cut, at)) = e.by_user.get(&user)
                && at.elapsed() < TTL
            {
                return Ok(*cut);
            }
            e.generation
        };
        let cut = store
            .sessions_not_before(user)
            .await?
            .map(|t| t.and_utc().timestamp_millis());
        let mut e = self.entries();
        if e.generation == generation {
            if e.by_user.len() >= CAPACITY {
                e.by_user.clear();
            }
            e.by_user.insert(user, (cut, Instant::now()));
        }
        Ok(cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidation_bumps_the_generation() {
        let r = Revocations::default();
        let user = UserId::new();
        r.entries().by_user.insert(user, (Some(5), Instant::now()));
        r.invalidate(user);
        assert!(r.entries().by_user.is_empty());
        assert_eq!(r.entries().generation, 1);
        r.clear();
        assert_eq!(r.entries().generation, 2);
    }
}
