//! Per-connection rate limit: a token bucket.

use std::time::Instant;

/// Refills `rate` tokens per second up to a burst of three seconds' worth.
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate_per_sec: u32) -> Self {
        let rate = f64::from(rate_per_sec.max(1));
        Self {
            rate,
            burst: rate * 3.0,
            tokens: rate * 3.0,
            last: Instant::now(),
        }
    }

    /// Takes a token if there is one.
    pub fn take(&mut self) -> bool {
        self.take_at(Instant::now())
    }

    fn take_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bursts_then_refills() {
        let mut b = TokenBucket::new(10);
        let t0 = Instant::now();
        assert_eq!(
            (0..40).filter(|_| b.take_at(t0)).count(),
            30,
            "burst of 3 s"
        );
        assert!(!b.take_at(t0));
        assert!(b.take_at(t0 + Duration::from_millis(150)), "refilled");
    }
}
