//! Per-connection rate limit: a token bucket that every frame from the
//! peer draws on (text, binary, continuations, pings, pongs, closes), and
//! the rule that closes a socket whose frames keep being refused.

use std::time::Instant;

/// A socket is closed once more than this many of its last 64 frames were
/// refused: a client that sends faster than its rate
/// most of the time is flooding, whether or not a token trickles in between
/// (a refill used to reset a count of refusals "in a row", so a steady
/// flood was refused forever and never closed).
pub const MAX_REFUSED: u32 = 32;

/// What to do with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the rate: handle it.
    Allow,
    /// Over the rate: refuse it (a text frame is answered `rate_limited`,
    /// a ping is not answered, other frames are only counted).
    Refuse,
    /// Refused too often lately: close the socket (1008).
    Close,
}

/// The bucket and the record of recent refusals of one socket: 40 bytes.
pub struct Limiter {
    bucket: TokenBucket,
    /// The last 64 frames, newest in bit 0; a set bit was refused.
    refused: u64,
}

impl Limiter {
    /// A full bucket of `rate_per_sec` frames per second, nothing refused.
    pub fn new(rate_per_sec: u32) -> Self {
        Self {
            bucket: TokenBucket::new(rate_per_sec),
            refused: 0,
        }
    }

    /// Charges one frame.
    pub fn check(&mut self) -> Verdict {
        self.check_at(Instant::now())
    }

    fn check_at(&mut self, now: Instant) -> Verdict {
        let ok = self.bucket.take_at(now);
        self.refused = (self.refused << 1) | u64::from(!ok);
        if ok {
            Verdict::Allow
        } else if self.refused.count_ones() > MAX_REFUSED {
            Verdict::Close
        } else {
            Verdict::Refuse
        }
    }
}

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

    /// Frames sent `per_sec` a second for `secs` seconds against a limit of
    /// 20/s: the verdicts, in order.
    fn flood(per_sec: u32, secs: u32) -> Vec<Verdict> {
        let mut l = Limiter::new(20);
        let t0 = Instant::now();
        (0..per_sec * secs)
            .map(|i| l.check_at(t0 + Duration::from_secs_f64(f64::from(i) / f64::from(per_sec))))
            .collect()
    }

    #[test]
    fn a_steady_flood_is_closed_even_though_tokens_trickle_in() {
        // 1,000 frames/s: a token every 50 frames, so never 50 refusals in
        // a row; closed all the same, soon after the burst is spent.
        let v = flood(1000, 2);
        let first_close = v.iter().position(|v| *v == Verdict::Close).unwrap();
        assert!(v[..60].iter().all(|v| *v == Verdict::Allow), "the burst");
        assert!(
            (60..=60 + 40).contains(&first_close),
            "closed at frame {first_close}"
        );
        assert!(v[60..first_close].contains(&Verdict::Refuse));
    }

    #[test]
    fn within_the_rate_or_slightly_over_is_never_closed() {
        assert!(flood(20, 30).iter().all(|v| *v == Verdict::Allow));
        // 25/s against 20/s: a fifth refused, steadily; throttled, not closed.
        let v = flood(25, 30);
        assert!(v.contains(&Verdict::Refuse));
        assert!(!v.contains(&Verdict::Close));
    }
}
