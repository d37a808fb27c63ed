//! Availability: business hours (opening spans per weekday in an IANA time
//! zone, and holidays closed all day), the pure rules "is support open at
//! instant T" and "when does it next open", the reply-time estimate the
//! widget shows, and the port that keeps the configuration and the
//! messages customers leave while support is away.
//!
//! Every rule takes the instant it judges as an argument, and the services
//! that need "now" read it from a [`Clock`], so tests move time freely
//! (across daylight-saving changes too) without waiting for it.
//!
//! ~670 lines, of which ~220 are the table-driven tests: the rules, their
//! configuration checks and their cases across time zones are read together.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{
    DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, CustomerId, UserId};
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

/// Most opening spans in a week (several per day: a lunch break).
pub const MAX_SPANS: usize = 28;
/// Most holiday dates kept.
pub const MAX_HOLIDAYS: usize = 400;
/// How far ahead [`Schedule::next_opening`] looks (a year of holidays, and
/// then some): beyond it, support is taken to be closed for good.
const LOOKAHEAD_DAYS: i64 = 400;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FULL_DAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// One opening span: on `day`, from `open` until `close` (local times).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpeningSpan {
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(mon|tue|wed|thu|fri|sat|sun)$")
    )]
    pub day: String,
    /// Opening time, `HH:MM` (24-hour clock, local to the time zone).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,2}:\d{2}$"))]
    pub open: String,
    /// Closing time, `HH:MM`, after `open`; `24:00` is the end of the day.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,2}:\d{2}$"))]
    pub close: String,
}

/// The business-hours configuration, as an admin sets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BusinessHours {
    /// `false`: no business hours (always open; availability then depends
    /// on agents being online only).
    pub enabled: bool,
    /// IANA time zone the spans and holidays are read in (`Europe/Paris`).
    pub time_zone: String,
    /// Opening spans, by day then time.
    pub days: Vec<OpeningSpan>,
    /// Dates (`YYYY-MM-DD`, local) closed all day, ascending.
    pub holidays: Vec<String>,
    /// Last change (UTC); `null` while never configured.
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<Timestamp>,
    /// Who changed it last.
    pub updated_by: Option<UserId>,
}

impl Default for BusinessHours {
    /// Never configured: disabled, UTC, no spans.
    fn default() -> Self {
        Self {
            enabled: false,
            time_zone: "UTC".into(),
            days: Vec::new(),
            holidays: Vec::new(),
            updated_at: None,
            updated_by: None,
        }
    }
}

fn parse_time(field: &str, raw: &str, end_of_day_ok: bool) -> DomainResult<u32> {
    let bad = || {
        DomainError::invalid(
            field,
            "must be a time HH:MM (00:00 to 23:59, or 24:00 to close at midnight)",
        )
    };
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && (m != 0 || !end_of_day_ok)) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn clock_text(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn weekday_index(field: &str, raw: &str) -> DomainResult<usize> {
    let day = raw.trim().to_ascii_lowercase();
    DAY_NAMES
        .iter()
        .position(|d| *d == day)
        .or_else(|| FULL_DAY_NAMES.iter().position(|d| *d == day))
        .ok_or_else(|| {
            DomainError::invalid(field, "must be one of mon, tue, wed, thu, fri, sat, sun")
        })
}

/// Reads an IANA time-zone name (`Validation` on `time_zone` otherwise).
pub fn parse_time_zone(raw: &str) -> DomainResult<Tz> {
    raw.trim().parse::<Tz>().map_err(|_| {
        DomainError::invalid("time_zone", "must be an IANA time zone, e.g. Europe/Paris")
    })
}

impl BusinessHours {
    /// A configuration from what an admin sent, validated and normalized
    /// (days in lower case, times as `HH:MM`, spans by day then time,
    /// holidays sorted without repeats). Each error names the field:
    /// `time_zone`, `days[i].day|open|close`, `holidays[i]`.
    pub fn new(
        enabled: bool,
        time_zone: &str,
        days: &[OpeningSpan],
        holidays: &[String],
        at: Timestamp,
        by: Option<UserId>,
    ) -> DomainResult<Self> {
        let tz = parse_time_zone(time_zone)?;
        if days.len() > MAX_SPANS {
            return Err(DomainError::invalid(
                "days",
                format!("at most {MAX_SPANS} spans"),
            ));
        }
        let mut spans: Vec<(usize, u32, u32)> = Vec::with_capacity(days.len());
        for (i, span) in days.iter().enumerate() {
            let day = weekday_index(&format!("days[{i}].day"), &span.day)?;
            let open = parse_time(&format!("days[{i}].open"), &span.open, false)?;
            let close = parse_time(&format!("days[{i}].close"), &span.close, true)?;
            if close <= open {
                return Err(DomainError::invalid(
                    format!("days[{i}].close"),
                    "must be after open (a span ends on the day it starts)",
                ));
            }
            spans.push((day, open, close));
        }
        spans.sort_unstable();
        for pair in spans.windows(2) {
            if pair[0].0 == pair[1].0 && pair[1].1 < pair[0].2 {
                return Err(DomainError::invalid(
                    "days",
                    format!("spans on {} overlap", DAY_NAMES[pair[0].0]),
                ));
            }
        }
        if holidays.len() > MAX_HOLIDAYS {
            return Err(DomainError::invalid(
                "holidays",
                format!("at most {MAX_HOLIDAYS} dates"),
            ));
        }
        let mut dates = BTreeSet::new();
        for (i, raw) in holidays.iter().enumerate() {
            let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                DomainError::invalid(format!("holidays[{i}]"), "must be a date YYYY-MM-DD")
            })?;
            dates.insert(date);
        }
        Ok(Self {
            enabled,
            time_zone: tz.name().to_owned(),
            days: spans
                .into_iter()
                .map(|(d, o, c)| OpeningSpan {
                    day: DAY_NAMES[d].to_owned(),
                    open: clock_text(o),
                    close: clock_text(c),
                })
                .collect(),
            holidays: dates
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect(),
            updated_at: Some(at),
            updated_by: by,
        })
    }

    /// The rules of this configuration, ready to judge instants. A stored
    /// configuration that no longer reads (hand-edited) is `Internal`.
    pub fn schedule(&self) -> DomainResult<Schedule> {
        let corrupt = |e: DomainError| DomainError::Internal(format!("business hours: {e}"));
        let checked = Self::new(
            self.enabled,
            &self.time_zone,
            &self.days,
            &self.holidays,
            self.updated_at.unwrap_or_default(),
            self.updated_by,
        )
        .map_err(corrupt)?;
        let tz = parse_time_zone(&checked.time_zone).map_err(corrupt)?;
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for span in &checked.days {
            let day = weekday_index("day", &span.day).map_err(corrupt)?;
            let open = parse_time("open", &span.open, false).map_err(corrupt)?;
            let close = parse_time("close", &span.close, true).map_err(corrupt)?;
            week[day].push((open, close));
        }
        let holidays = checked
            .holidays
            .iter()
            .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .collect();
        Ok(Schedule {
            enabled: checked.enabled,
            tz,
            week,
            holidays,
        })
    }
}

/// Business hours compiled for judging instants (see
/// [`BusinessHours::schedule`]). Pure: every answer depends on its
/// arguments only.
#[derive(Clone, Debug)]
pub struct Schedule {
    enabled: bool,
    tz: Tz,
    /// Per weekday (Monday first), spans in local minutes `[open, close)`.
    week: [Vec<(u32, u32)>; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl Schedule {
    /// Whether hours apply at all (`false`: always open).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The time zone the hours are read in.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Whether support is open at `at`: the local date is no holiday and
    /// the local time falls in one of its weekday's spans. Local time is
    /// what the wall clock shows there, so an opening at 09:00 stays 09:00
    /// across a daylight-saving change.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if !self.enabled {
            return true;
        }
        let local = at.with_timezone(&self.tz).naive_local();
        self.open_at_local(local)
    }

    fn open_at_local(&self, local: NaiveDateTime) -> bool {
        let date = local.date();
        if self.holidays.contains(&date) {
            return false;
        }
        let minute = minutes_of(local.time());
        self.spans(date.weekday())
            .iter()
            .any(|&(open, close)| minute >= open && minute < close)
    }

    fn spans(&self, day: Weekday) -> &[(u32, u32)] {
        &self.week[day.num_days_from_monday() as usize]
    }

    /// The first instant at or after `at` at which support is open: `at`
    /// itself while open; `None` when it never opens within a year or so
    /// (no spans, or every day a holiday).
    ///
    /// An opening time that the clocks skip (02:30 on a night they spring
    /// forward) opens at the first local time after the gap; one they pass
    /// twice (falling back) opens the first time.
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(at) {
            return Some(at);
        }
        let today = at.with_timezone(&self.tz).date_naive();
        for offset in 0..LOOKAHEAD_DAYS {
            let date = today + Duration::days(offset);
            if self.holidays.contains(&date) {
                continue;
            }
            for &(open, close) in self.spans(date.weekday()) {
                let Some(start) = self.instant_of(date, open, close) else {
                    continue;
                };
                if start > at {
                    return Some(start);
                }
            }
        }
        None
    }

    /// The instant local `minutes` on `date` happen (the earlier of two, or
    /// the end of a gap), if still before `close` the same day.
    fn instant_of(&self, date: NaiveDate, minutes: u32, close: u32) -> Option<DateTime<Utc>> {
        use chrono::TimeZone as _;
        let mut minute = minutes;
        while minute < close {
            let local = date.and_time(NaiveTime::from_num_seconds_from_midnight_opt(
                minute * 60,
                0,
            )?);
            if let Some(t) = self.tz.from_local_datetime(&local).earliest() {
                return Some(t.with_timezone(&Utc));
            }
            // In a gap: the wall clock jumps; try the next minute.
            minute += 1;
        }
        None
    }
}

fn minutes_of(time: NaiveTime) -> u32 {
    use chrono::Timelike as _;
    time.hour() * 60 + time.minute()
}

/// "Now", for the services that judge availability; tests inject their own.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// How long a customer should expect to wait for a person, in whole
/// minutes (at least 1), from recent first-response times in seconds: the
/// median, rounded up, so one slow answer does not scare everyone off.
/// `None` without any sample.
pub fn reply_estimate_minutes(first_response_secs: &[i64]) -> Option<u32> {
    let mut samples: Vec<i64> = first_response_secs
        .iter()
        .copied()
        .filter(|s| *s >= 0)
        .collect();
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let mid = samples.len() / 2;
    let median = if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2
    };
    let minutes = (median + 59) / 60;
    Some(u32::try_from(minutes.clamp(1, 24 * 60)).unwrap_or(1))
}

/// Keeps the business-hours configuration and the record of messages left
/// while support was away.
#[async_trait]
pub trait AvailabilityRepository: Send + Sync {
    /// The configuration ([`BusinessHours::default`] while never set).
    async fn business_hours(&self) -> DomainResult<BusinessHours>;
    /// Replaces the configuration.
    async fn set_business_hours(&self, hours: &BusinessHours) -> DomainResult<()>;
    /// Records that the customer left a message in `conversation` at `at`
    /// (again: the time moves on). The idle sweeper leaves such a
    /// conversation alone while it is queued: it waits for the next shift.
    async fn record_left_message(
        &self,
        conversation: ConversationId,
        customer: CustomerId,
        at: Timestamp,
    ) -> DomainResult<()>;
    /// When the customer last left a message in `conversation`, if ever.
    async fn left_message_at(
        &self,
        conversation: ConversationId,
    ) -> DomainResult<Option<Timestamp>>;
}

/// What a customer leaves while support is away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftMessage {
    /// Where the customer can be reached (already normalized).
    pub email: String,
    /// Their message, if they wrote one.
    pub text: Option<String>,
    /// The client's id for the message: a retry is stored once.
    pub client_msg_id: Option<String>,
    /// When support opens next, for the away notice (`None` when business
    /// hours are off or never open).
    pub next_opening: Option<Timestamp>,
}

/// Leaving a message while support is away (implemented by the
/// conversation service, which owns transitions and notices).
#[async_trait]
pub trait AwayDesk: Send + Sync {
    /// The customer `customer` leaves `left` in their conversation
    /// `conversation`: the e-mail is recorded on the customer, the text
    /// posted as their message, the conversation queued for the next shift
    /// (and kept there), and the away notice (saying when support is back)
    /// posted as a system notice. Returns the conversation as it is now.
    async fn leave_message(
        &self,
        customer: CustomerId,
        conversation: ConversationId,
        left: LeftMessage,
    ) -> DomainResult<crate::model::Conversation>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(day: &str, open: &str, close: &str) -> OpeningSpan {
        OpeningSpan {
            day: day.into(),
            open: open.into(),
            close: close.into(),
        }
    }

    fn schedule(tz: &str, days: &[OpeningSpan], holidays: &[&str]) -> Schedule {
        let holidays: Vec<String> = holidays.iter().map(|h| (*h).to_owned()).collect();
        BusinessHours::new(true, tz, days, &holidays, Timestamp::default(), None)
            .unwrap()
            .schedule()
            .unwrap()
    }

    fn weekdays(tz: &str, open: &str, close: &str, holidays: &[&str]) -> Schedule {
        let days: Vec<OpeningSpan> = ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(|d| span(d, open, close))
            .collect();
        schedule(tz, &days, holidays)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// What a schedule says at an instant.
    #[derive(Clone, Copy, Debug)]
    enum At {
        /// Open: its next opening is that very instant.
        Open,
        /// Closed until this instant (RFC 3339, UTC).
        Opens(&'static str),
        /// Closed for good.
        Never,
    }
    use At::{Never, Open, Opens};

    /// Checks `s` at each instant of `cases`: open or not, and when it
    /// opens next.
    fn check(s: &Schedule, cases: &[(&str, At)]) {
        for (at, want) in cases {
            let t = utc(at);
            let (open, next) = match want {
                Open => (true, Some(t)),
                Opens(next) => (false, Some(utc(next))),
                Never => (false, None),
            };
            assert_eq!(s.is_open(t), open, "open at {at}");
            assert_eq!(s.next_opening(t), next, "next opening from {at}");
        }
    }

    #[test]
    fn open_inside_spans_closed_outside_in_local_time() {
        // Paris is UTC+1 in winter; Wednesday 2026-01-14.
        check(
            &weekdays("Europe/Paris", "09:00", "17:00", &[]),
            &[
                ("2026-01-14T07:59:59Z", Opens("2026-01-14T08:00:00Z")),
                ("2026-01-14T08:00:00Z", Open),
                ("2026-01-14T10:00:00Z", Open),
                ("2026-01-14T15:59:59Z", Open),
                // The close is exclusive.
                ("2026-01-14T16:00:00Z", Opens("2026-01-15T08:00:00Z")),
                ("2026-01-14T16:30:00Z", Opens("2026-01-15T08:00:00Z")),
                // From Saturday to Monday 09:00 Paris.
                ("2026-01-17T10:00:00Z", Opens("2026-01-19T08:00:00Z")),
            ],
        );
    }

    #[test]
    fn opening_follows_the_wall_clock_across_daylight_saving() {
        check(
            &weekdays("Europe/Paris", "09:00", "17:00", &[]),
            &[
                // Friday 2026-03-27 (UTC+1) → Monday 2026-03-30 (UTC+2,
                // clocks sprang forward on Sunday 29th): 09:00 local is
                // 07:00 UTC.
                ("2026-03-27T17:00:00Z", Opens("2026-03-30T07:00:00Z")),
                ("2026-03-30T06:59:00Z", Opens("2026-03-30T07:00:00Z")),
                ("2026-03-30T07:00:00Z", Open),
                // And back in autumn (Sunday 2026-10-25): Monday 09:00 is
                // 08:00 UTC.
                ("2026-10-23T16:00:00Z", Opens("2026-10-26T08:00:00Z")),
            ],
        );
        // New York, spring forward on Sunday 2026-03-08.
        check(
            &weekdays("America/New_York", "08:30", "18:00", &[]),
            &[("2026-03-06T23:30:00Z", Opens("2026-03-09T12:30:00Z"))],
        );
    }

    #[test]
    fn an_opening_in_the_skipped_hour_opens_after_the_gap_and_a_repeated_one_the_first_time() {
        // Sunday spans at 02:30, the night Paris springs forward (02:00 → 03:00).
        check(
            &schedule("Europe/Paris", &[span("sun", "02:30", "04:00")], &[]),
            &[
                // 03:00 local (UTC+2) = 01:00 UTC.
                ("2026-03-28T12:00:00Z", Opens("2026-03-29T01:00:00Z")),
                ("2026-03-29T01:00:00Z", Open),
                // Falling back on 2026-10-25, 02:30 happens twice: first at
                // 00:30 UTC.
                ("2026-10-24T12:00:00Z", Opens("2026-10-25T00:30:00Z")),
            ],
        );
    }

    #[test]
    fn holidays_are_closed_all_day_in_local_dates() {
        let holidays = ["2026-10-01", "2026-10-02"];
        check(
            &weekdays("Asia/Shanghai", "09:00", "18:00", &holidays),
            &[
                // Thursday 2026-10-01 10:00 Shanghai (UTC+8) = 02:00 UTC;
                // next, Monday 2026-10-05 09:00 local (Saturday and Sunday
                // closed).
                ("2026-10-01T02:00:00Z", Opens("2026-10-05T01:00:00Z")),
                // 23:30 UTC on the 30th is already October 1st in Shanghai.
                ("2026-09-30T23:30:00Z", Opens("2026-10-05T01:00:00Z")),
                ("2026-09-30T03:00:00Z", Open),
            ],
        );
    }

    #[test]
    fn several_spans_a_day_and_the_end_of_day() {
        let days = [
            span("Monday", "13:00", "24:00"),
            span("mon", "8:00", "12:00"),
        ];
        let h = BusinessHours::new(true, "UTC", &days, &[], Timestamp::default(), None).unwrap();
        assert_eq!(
            h.days[0],
            span("mon", "08:00", "12:00"),
            "normalized and sorted"
        );
        check(
            &h.schedule().unwrap(),
            &[
                ("2026-01-12T11:59:00Z", Open),
                ("2026-01-12T12:30:00Z", Opens("2026-01-12T13:00:00Z")),
                ("2026-01-12T23:59:59Z", Open),
                ("2026-01-13T00:00:00Z", Opens("2026-01-19T08:00:00Z")),
            ],
        );
    }

    #[test]
    fn disabled_is_always_open_and_no_spans_never_opens() {
        let off = BusinessHours::default().schedule().unwrap();
        check(&off, &[("2026-01-17T03:00:00Z", Open)]);
        let never = schedule("UTC", &[], &[]);
        check(&never, &[("2026-01-14T10:00:00Z", Never)]);
    }

    #[test]
    fn bad_configurations_name_the_field() {
        type Case<'a> = (&'a str, &'a [OpeningSpan], &'a [&'a str], &'a str);
        let cases: [Case; 8] = [
            ("Mars/Olympus", &[], &[], "time_zone"),
            (
                "UTC",
                &[span("funday", "09:00", "10:00")],
                &[],
                "days[0].day",
            ),
            ("UTC", &[span("mon", "9h", "10:00")], &[], "days[0].open"),
            ("UTC", &[span("mon", "24:00", "10:00")], &[], "days[0].open"),
            (
                "UTC",
                &[span("mon", "10:00", "09:00")],
                &[],
                "days[0].close",
            ),
            (
                "UTC",
                &[span("mon", "10:00", "10:60")],
                &[],
                "days[0].close",
            ),
            (
                "UTC",
                &[span("mon", "09:00", "12:00"), span("mon", "11:00", "13:00")],
                &[],
                "days",
            ),
            ("UTC", &[], &["2026-13-01"], "holidays[0]"),
        ];
        for (tz, days, holidays, want) in cases {
            let holidays: Vec<String> = holidays.iter().map(|h| (*h).to_owned()).collect();
            match BusinessHours::new(true, tz, days, &holidays, Timestamp::default(), None) {
                Err(DomainError::Validation { field, .. }) => assert_eq!(field, want),
                other => panic!("{want}: expected a validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_reply_estimate_is_the_median_in_whole_minutes() {
        assert_eq!(reply_estimate_minutes(&[]), None);
        assert_eq!(reply_estimate_minutes(&[5]), Some(1), "at least a minute");
        assert_eq!(reply_estimate_minutes(&[60, 120, 3600]), Some(2));
        assert_eq!(reply_estimate_minutes(&[60, 180]), Some(2));
        assert_eq!(reply_estimate_minutes(&[61]), Some(2), "rounded up");
        assert_eq!(
            reply_estimate_minutes(&[-5]),
            None,
            "clock skew is no sample"
        );
    }
}
