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

/// Serializes a stored timestamp as RFC 3339 UTC (`2026-11-26T10:49:59.484844Z`),
/// which clients parse unambiguously. Use with `#[serde(serialize_with)]`.
pub fn as_utc<S: serde::Serializer>(at: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// [`as_utc`] for optional timestamps (`null` when absent).
pub fn as_utc_opt<S: serde::Serializer>(at: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => as_utc(at, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_serialize_as_utc() {
        #[derive(serde::Serialize)]
        struct T {
            #[serde(serialize_with = "super::as_utc")]
            at: super::Timestamp,
        }
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T10:49:59.123456789Z").unwrap();
        let t = T {
            at: super::truncate(at.into()),
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"at":"2026-11-26T10:49:59.123456Z"}"#
        );
    }
}
