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

/// When a stored entity was created and last changed. Entities carry it as
/// `times`, flattened: on the wire it is their `created_at` and `updated_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timestamps {
    /// Creation time (UTC).
    #[serde(with = "utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last change (UTC).
    #[serde(with = "utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

impl Timestamps {
    /// Created, and last changed, at `at`.
    pub fn new(at: Timestamp) -> Self {
        Self {
            created_at: at,
            updated_at: at,
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` written by hand, for years 0–9999 (`None`
/// outside them). Every message frame carries timestamps, and chrono's
/// `format` re-parses its pattern on each call: it was ~2 % of the server's
/// CPU under message load.
fn rfc3339_micros(at: &Timestamp) -> Option<[u8; 27]> {
    use chrono::{Datelike as _, Timelike as _};
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    // A leap second shows as nanosecond ≥ 1e9; chrono's %.6f prints it as
    // the second's fraction, so keep its text for that rare case.
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut buf = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, at.month());
    put(8, 2, at.day());
    put(11, 2, at.hour());
    put(14, 2, at.minute());
    put(17, 2, at.second());
    put(20, 6, nanos / 1_000);
    Some(buf)
}

/// Serde for stored timestamps as RFC 3339 UTC (`2026-11-26T10:49:59.484844Z`),
/// which clients parse unambiguously. Use with `#[serde(with = "crate::time::utc")]`.
pub mod utc {
    use super::Timestamp;
    use serde::Deserialize as _;

    /// Writes `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub fn serialize<S: serde::Serializer>(at: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        match super::rfc3339_micros(at) {
            Some(buf) => {
                s.serialize_str(std::str::from_utf8(&buf).map_err(serde::ser::Error::custom)?)
            }
            None => s.collect_str(&at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ")),
        }
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

    #[test]
    fn the_hand_written_format_matches_chrono() {
        let chrono_text =
            |at: &super::Timestamp| at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let mut cases: Vec<super::Timestamp> = [
            "0001-01-01T00:00:00Z",
            "1970-01-01T00:00:00.000001Z",
            "2026-02-28T23:59:59.999999Z",
            "2028-02-29T12:05:09.100000Z",
            "9999-12-31T23:59:59.999999Z",
        ]
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap().naive_utc())
        .collect();
        cases.push(super::now());
        // Every second of one day, with varied fractions.
        let start = cases[2];
        for i in 0..86_400i64 {
            cases.push(
                start
                    + chrono::Duration::seconds(i)
                    + chrono::Duration::microseconds(i * 7919 % 1_000_000),
            );
        }
        for at in &cases {
            let fast = super::rfc3339_micros(at).unwrap();
            assert_eq!(std::str::from_utf8(&fast).unwrap(), chrono_text(at));
        }
        // Outside 0–9999 it declines, and chrono's text is used.
        let far = chrono::NaiveDate::from_ymd_opt(12_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert!(super::rfc3339_micros(&far).is_none());
        #[derive(serde::Serialize)]
        struct T {
            #[serde(with = "super::utc")]
            at: super::Timestamp,
        }
        assert_eq!(
            serde_json::to_string(&T { at: far }).unwrap(),
            format!(r#"{{"at":"{}"}}"#, chrono_text(&far))
        );
    }
}
