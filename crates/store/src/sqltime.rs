//! Timestamps bound and read on the hot path without chrono's formatter and
//! parser.
//!
//! diesel stores a SQLite `Timestamp` as the text of chrono's
//! `format("%F %T%.f")` and reads it back by trying `parse_from_str` with a
//! list of patterns. Both interpret their pattern on every call: binding and
//! reading the append's timestamps cost several thousand instructions per
//! message on the SQLite writer thread (docs/BENCHMARKS.md, "CPU per message").
//! [`SqlTime`] writes and reads the same text by hand: byte-identical to
//! diesel's for every value (a test compares them), so existing databases and
//! the rows other code writes through diesel stay readable both ways. Any
//! text it does not recognise exactly (other shapes diesel accepts: `T`
//! separators, zone suffixes, Julian day numbers, leap seconds) goes to
//! diesel's own parser, and any value it cannot write exactly (years outside
//! 0–9999, leap seconds) to diesel's own formatter. MySQL binds a
//! `DATETIME` as a binary struct, not text: there it is diesel's code as is.

use chat_domain::time::Timestamp;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::mysql::{Mysql, MysqlValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Timestamp as SqlTimestamp;
use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};

/// A stored timestamp (UTC, naive) that SQLite binds and reads through a
/// fixed-width writer and parser; see the module's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = SqlTimestamp)]
pub(crate) struct SqlTime(pub(crate) Timestamp);

impl From<SqlTime> for Timestamp {
    fn from(t: SqlTime) -> Self {
        t.0
    }
}

/// The longest text [`format`] writes: `YYYY-MM-DD HH:MM:SS.fffffffff`.
const MAX_LEN: usize = 29;

/// `at` as chrono's `%F %T%.f` writes it, for years 0–9999 and no leap
/// second; `None` otherwise. `%.f` writes no fraction for a whole second,
/// else 3, 6 or 9 digits, the fewest that hold the nanoseconds exactly.
fn format(at: &Timestamp) -> Option<([u8; MAX_LEN], usize)> {
    use chrono::{Datelike as _, Timelike as _};
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut out = [0u8; MAX_LEN];
    let mut put = |at: usize, value: u32, digits: usize| {
        let mut v = value;
        for i in (0..digits).rev() {
            // `v % 10` < 10: the cast cannot truncate.
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, at.month(), 2);
    put(8, at.day(), 2);
    put(11, at.hour(), 2);
    put(14, at.minute(), 2);
    put(17, at.second(), 2);
    let len = match nanos {
        0 => 19,
        n if n % 1_000_000 == 0 => {
            put(20, n / 1_000_000, 3);
            23
        }
        n if n % 1_000 == 0 => {
            put(20, n / 1_000, 6);
            26
        }
        n => {
            put(20, n, 9);
            29
        }
    };
    out[4] = b'-';
    out[7] = b'-';
    out[10] = b' ';
    out[13] = b':';
    out[16] = b':';
    if len > 19 {
        out[19] = b'.';
    }
    Some((out, len))
}

/// Parses exactly the texts [`format`] writes (`YYYY-MM-DD HH:MM:SS` with
/// no fraction or one of 3, 6 or 9 digits) into the value chrono's
/// `%F %T%.f` parser gives for them; `None` for anything else, including
/// dates or times that do not exist.
fn parse(text: &[u8]) -> Option<Timestamp> {
    let len = text.len();
    if !matches!(len, 19 | 23 | 26 | 29) {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        text[from..to].iter().try_fold(0u32, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if separators.iter().any(|(at, c)| text[*at] != *c) || (len > 19 && text[19] != b'.') {
        return None;
    }
    let nanos = if len > 19 {
        let digits = len - 20;
        number(20, len)? * 10u32.pow(9 - u32::try_from(digits).ok()?)
    } else {
        0
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?.and_hms_nano_opt(
        number(11, 13)?,
        number(14, 16)?,
        number(17, 19)?,
        nanos,
    )
}

impl ToSql<SqlTimestamp, Sqlite> for SqlTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        match format(&self.0) {
            Some((bytes, len)) => {
                // Only ASCII digits and separators were written.
                let text = std::str::from_utf8(&bytes[..len])?;
                out.set_value(text.to_owned());
                Ok(serialize::IsNull::No)
            }
            None => <Timestamp as ToSql<SqlTimestamp, Sqlite>>::to_sql(&self.0, out),
        }
    }
}

impl FromSql<SqlTimestamp, Sqlite> for SqlTime {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if value.value_type() == Some(SqliteType::Text)
            && let Some(at) = parse(value.read_text().as_bytes())
        {
            return Ok(Self(at));
        }
        <Timestamp as FromSql<SqlTimestamp, Sqlite>>::from_sql(value).map(Self)
    }
}

impl ToSql<SqlTimestamp, Mysql> for SqlTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
        <Timestamp as ToSql<SqlTimestamp, Mysql>>::to_sql(&self.0, out)
    }
}

impl FromSql<SqlTimestamp, Mysql> for SqlTime {
    fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
        <Timestamp as FromSql<SqlTimestamp, Mysql>>::from_sql(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    fn diesel_text(at: &NaiveDateTime) -> String {
        at.format("%F %T%.f").to_string()
    }

    fn ours(at: &NaiveDateTime) -> Option<String> {
        format(at).map(|(b, len)| String::from_utf8(b[..len].to_vec()).unwrap())
    }

    fn sample_times() -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let dates = [
            (0, 1, 1),
            (1, 2, 3),
            (999, 12, 31),
            (1970, 1, 1),
            (2000, 2, 29),
            (2026, 12, 7),
            (9999, 12, 31),
        ];
        let nanos = [
            0,
            1,
            999_999_999,
            1_000,
            123_456_000,
            123_000_000,
            100_000_000,
            10_000,
            120_000,
            999_000,
            1_000_000,
            5_000_001,
            500_000_000,
        ];
        for (y, m, d) in dates {
            for (h, mi, s) in [(0, 0, 0), (9, 5, 7), (23, 59, 59), (12, 30, 0)] {
                for n in nanos {
                    out.push(
                        NaiveDate::from_ymd_opt(y, m, d)
                            .unwrap()
                            .and_hms_nano_opt(h, mi, s, n)
                            .unwrap(),
                    );
                }
            }
        }
        out
    }

    #[test]
    fn writes_exactly_what_diesel_writes() {
        for at in sample_times() {
            assert_eq!(
                ours(&at).as_deref(),
                Some(diesel_text(&at).as_str()),
                "{at:?}"
            );
        }
        // Today's clock, microseconds as the application stores them.
        let now = chat_domain::time::now();
        assert_eq!(ours(&now).unwrap(), diesel_text(&now));
    }

    #[test]
    fn reads_back_what_it_and_diesel_write() {
        for at in sample_times() {
            let text = diesel_text(&at);
            assert_eq!(parse(text.as_bytes()), Some(at), "{text}");
        }
    }

    #[test]
    fn leaves_other_values_and_texts_to_diesel() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap();
        assert_eq!(ours(&leap), None);
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(ours(&far), None);
        let before = NaiveDate::from_ymd_opt(-1, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(ours(&before), None);
        for text in [
            "2026-12-07T10:11:12",
            "2026-12-07 10:11:12Z",
            "2026-12-07 10:11:12+02:00",
            "2026-12-07 10:11:12.123456+02:00",
            "2026-12-07 10:11",
            "2026-12-07 10:11:12.1",
            "2026-12-07 10:11:12.12345",
            "2026-02-30 10:11:12",
            "2026-12-07 24:00:00",
            "2016-12-31 23:59:60",
            "2026-12-07 10:11:1x",
            "2026-12-07 10:11:12,123",
            "2459000.5",
            "",
        ] {
            assert_eq!(parse(text.as_bytes()), None, "{text}");
        }
    }

    /// Through a real SQLite connection: what `SqlTime` binds is stored as
    /// the same bytes diesel's binding stores, and every stored text, in the
    /// shapes other writers leave (zones, `T`, Julian days, leap seconds),
    /// reads back as diesel reads it.
    #[test]
    fn sqlite_stores_the_same_text_and_reads_what_diesel_reads() {
        use diesel::prelude::*;
        use diesel::sql_types::{Integer, Text};

        #[derive(QueryableByName)]
        struct Stored {
            #[diesel(sql_type = Text)]
            text: String,
        }
        #[derive(QueryableByName)]
        struct Ours {
            #[diesel(sql_type = SqlTimestamp)]
            at: SqlTime,
        }
        #[derive(QueryableByName)]
        struct Theirs {
            #[diesel(sql_type = SqlTimestamp)]
            at: NaiveDateTime,
        }

        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        diesel::sql_query("CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP)")
            .execute(&mut conn)
            .unwrap();
        for (i, at) in sample_times().into_iter().enumerate() {
            let i = i32::try_from(i).unwrap();
            diesel::sql_query("INSERT INTO t (id, at) VALUES (?, ?)")
                .bind::<Integer, _>(2 * i)
                .bind::<SqlTimestamp, _>(SqlTime(at))
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query("INSERT INTO t (id, at) VALUES (?, ?)")
                .bind::<Integer, _>(2 * i + 1)
                .bind::<SqlTimestamp, _>(at)
                .execute(&mut conn)
                .unwrap();
            let texts: Vec<Stored> =
                diesel::sql_query("SELECT at AS text FROM t WHERE id IN (?, ?) ORDER BY id")
                    .bind::<Integer, _>(2 * i)
                    .bind::<Integer, _>(2 * i + 1)
                    .load(&mut conn)
                    .unwrap();
            assert_eq!(texts[0].text, texts[1].text, "{at:?}");
            let ours: Vec<Ours> = diesel::sql_query("SELECT at FROM t WHERE id = ?")
                .bind::<Integer, _>(2 * i + 1)
                .load(&mut conn)
                .unwrap();
            assert_eq!(ours[0].at.0, at);
        }
        diesel::sql_query("DELETE FROM t")
            .execute(&mut conn)
            .unwrap();
        let stored = [
            "'2026-12-07 10:11:12.123456'",
            "'2026-12-07 10:11:12.123456789'",
            "'2026-12-07 10:11:12.5'",
            "'2026-12-07 10:11:12'",
            "'2026-12-07T10:11:12'",
            "'2026-12-07T10:11:12.250Z'",
            "'2026-12-07 10:11:12+02:00'",
            "'2026-12-07 10:11:12.123456-05:30'",
            "'2016-12-31 23:59:60.5'",
            "'2026-12-07 10:11'",
            "2461017.5",
            "'yesterday'",
        ];
        for (i, text) in stored.iter().enumerate() {
            diesel::sql_query(format!("INSERT INTO t (id, at) VALUES ({i}, {text})"))
                .execute(&mut conn)
                .unwrap();
            let select = || {
                diesel::sql_query("SELECT at FROM t WHERE id = ?")
                    .bind::<Integer, _>(i32::try_from(i).unwrap())
            };
            let ours = select().load::<Ours>(&mut conn).map(|r| r[0].at.0);
            let theirs = select().load::<Theirs>(&mut conn).map(|r| r[0].at);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{text}: ours {a:?}, diesel's {b:?}"),
            }
        }
    }
}
