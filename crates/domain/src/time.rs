//! The clock rule: every timestamp is UTC, produced by the application and
//! truncated to microseconds.
//!
//! MySQL `DATETIME(6)` keeps microseconds and silently drops the rest while
//! SQLite keeps whatever text it is given; truncating before writing makes a
//! value read back equal to the value written on both backends.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// Timestamps as stored: naive, implicitly UTC.
pub type Timestamp = NaiveDateTime;

/// Current UTC time, truncated to microseconds.
pub fn now() -> Timestamp {
    truncate(Utc::now())
}

/// Truncates any UTC instant to the stored precision.
pub fn truncate(at: DateTime<Utc>) -> Timestamp {
    at.naive_utc().trunc_subsecs(6)
}
