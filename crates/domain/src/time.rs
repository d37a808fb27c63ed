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

/// Serde for stored timestamps as RFC 3339 UTC (`2026-11-26T10:49:59.484844Z`),
/// which clients parse unambiguously. Use with `#[serde(with = "crate::time::utc")]`.
pub mod utc {
    use super::Timestamp;
    use serde::Deserialize as _;

    /// Writes `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub fn serialize<S: serde::Serializer>(at: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ"))
    }

    /// Reads any RFC 3339 instant and converts it to UTC.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        chrono::DateTime::parse_from_rfc3339(&text)
            .map(|t| t.naive_utc())
            .map_err(serde::de::Error::custom)
    }
}

/// [`utc`] for optional timestamps (`null` when absent).
pub mod utc_opt {
    use super::Timestamp;
    use serde::Deserialize as _;

    /// Writes the timestamp, or `null`.
    pub fn serialize<S: serde::Serializer>(
        at: &Option<Timestamp>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::utc::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    /// Reads an RFC 3339 instant or `null`.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        Option::<std::borrow::Cow<str>>::deserialize(d)?
            .map(|text| {
                chrono::DateTime::parse_from_rfc3339(&text)
                    .map(|t| t.naive_utc())
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_round_trip_as_utc() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct T {
            #[serde(with = "super::utc")]
            at: super::Timestamp,
            #[serde(with = "super::utc_opt")]
            maybe: Option<super::Timestamp>,
        }
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T10:49:59.123456789Z").unwrap();
        let t = T {
            at: super::truncate(at.into()),
            maybe: None,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"at":"2026-11-26T10:49:59.123456Z","maybe":null}"#);
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
        let shifted: T = serde_json::from_str(
            r#"{"at":"2026-11-26T18:49:59.123456+08:00","maybe":"2026-11-26T10:49:59Z"}"#,
        )
        .unwrap();
        assert_eq!(shifted.at, t.at);
        assert!(shifted.maybe.is_some());
    }
}
