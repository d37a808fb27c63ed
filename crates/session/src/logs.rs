//! Rate-limited logging for failures that repeat while a dependency is down.
//!
//! During a database or Redis outage the same failure happens for every
//! batch, every reconnect attempt, every heartbeat: logging each one buried
//! the logs under ~1,700 WARN lines in 6 s. A [`LogGate`] lets one line
//! through per period and counts the ones it held back, so the next line
//! says how many there were.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lets one log line through per period; see the module docs.
#[derive(Debug)]
pub struct LogGate {
    period: Duration,
    state: Mutex<GateState>,
}

#[derive(Debug)]
struct GateState {
    next: Option<Instant>,
    held_back: u64,
}

impl LogGate {
    /// One line per `period`.
    pub const fn new(period: Duration) -> Self {
        Self {
            period,
            state: Mutex::new(GateState {
                next: None,
                held_back: 0,
            }),
        }
    }

    /// `Some(n)` when a line may be logged now, `n` being how many were held
    /// back since the last one; `None` (and one more held back) otherwise.
    pub fn pass(&self) -> Option<u64> {
        let now = Instant::now();
        // A panic while holding this lock cannot leave the state inconsistent.
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.next.is_some_and(|next| now < next) {
            s.held_back += 1;
            return None;
        }
        s.next = Some(now + self.period);
        Some(std::mem::take(&mut s.held_back))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_period_and_a_count_of_the_rest() {
        let gate = LogGate::new(Duration::from_millis(50));
        assert_eq!(gate.pass(), Some(0));
        assert_eq!(gate.pass(), None);
        assert_eq!(gate.pass(), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(gate.pass(), Some(2));
    }
}
