//! Support statistics over a time window, computed from the conversation
//! facts the store maintains (`created_at`, `handed_off_at`,
//! `first_response_at`, `closed_at`, the CSAT score): no message is read.
//!
//! Definitions (UTC days):
//! - **opened**: conversations created in the window, counted on the day
//!   they were created; **handed off**: those of them a person was asked
//!   for or took part in; **handoff rate** = handed off / opened;
//! - **closed**: conversations closed in the window, on the day of closing;
//!   **bot resolved**: closed ones no person ever took part in;
//!   **bot resolved share** = bot resolved / closed; **resolution time** =
//!   closing − creation; **CSAT**: the scores of those closed ones;
//! - **first response time** = first agent answer − handoff, counted on the
//!   day of the answer (the customer waits for a person from the handoff,
//!   not from the assistant's first words).
//!
//! Per agent, a conversation counts for its assignee (the agent who had it
//! last): a transferred conversation's first response is credited to whoever
//! holds it, a simplification stated in docs/API.md.
//! Medians and 90th percentiles use the nearest-rank method.

use std::collections::BTreeMap;

use chat_domain::ids::UserId;
use chat_domain::model::Conversation;
use chat_domain::time::Timestamp;
use chrono::NaiveDate;
use serde::Serialize;

/// The middle and the 90th percentile of a set of durations, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Spread {
    /// How many samples.
    pub count: u64,
    /// Nearest-rank median; `None` without samples.
    pub median: Option<f64>,
    /// Nearest-rank 90th percentile; `None` without samples.
    pub p90: Option<f64>,
}

impl Spread {
    fn of(mut samples: Vec<f64>) -> Self {
        samples.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            // Nearest rank: the smallest value with at least p of the samples
            // at or below it.
            let n = samples.len();
            let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            samples[i]
        };
        if samples.is_empty() {
            return Self::default();
        }
        Self {
            count: samples.len() as u64,
            median: Some(rank(0.5)),
            p90: Some(rank(0.9)),
        }
    }
}

/// Customer satisfaction scores (1–5).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Csat {
    /// How many ratings.
    pub count: u64,
    /// Their mean, rounded to two decimals; `None` without ratings.
    pub average: Option<f64>,
}

/// The figures of one bucket (the whole window, a day, an agent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Conversations created.
    pub opened: u64,
    /// Conversations closed.
    pub closed: u64,
    /// Closed without a person ever taking part.
    pub bot_resolved: u64,
    /// Of the opened ones, those handed to a person.
    pub handed_off: u64,
    /// `bot_resolved / closed`; `None` when nothing closed.
    pub bot_resolved_share: Option<f64>,
    /// `handed_off / opened`; `None` when nothing opened.
    pub handoff_rate: Option<f64>,
    /// First agent answer after the handoff.
    pub first_response_secs: Spread,
    /// Creation to closing.
    pub resolution_secs: Spread,
    /// Ratings of the closed ones.
    pub csat: Csat,
}

/// One UTC day's figures.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DayFigures {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: NaiveDate,
    /// Its figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// One agent's figures.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgentFigures {
    /// The agent.
    pub agent_id: UserId,
    /// Their display name at the time of the report.
    pub display_name: String,
    /// Their figures (`opened`: conversations created in the window that
    /// they hold).
    #[serde(flatten)]
    pub figures: Figures,
}

/// What is true right now, whatever the window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Now {
    /// Conversations waiting in the queue.
    pub queue_length: u64,
    /// Agents whose presence is `online`.
    pub agents_online: u64,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// Window start (inclusive).
    #[serde(with = "chat_domain::time::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    /// Window end (exclusive).
    #[serde(with = "chat_domain::time::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    /// Over the whole window.
    pub totals: Figures,
    /// Every UTC day the window touches, oldest first, empty days included.
    pub days: Vec<DayFigures>,
    /// Every agent with something in the window, by id.
    pub agents: Vec<AgentFigures>,
    /// Queue and presence now.
    pub now: Now,
}

/// Samples collected for one bucket before they are summarised.
#[derive(Default)]
struct Tally {
    opened: u64,
    closed: u64,
    bot_resolved: u64,
    handed_off: u64,
    first_response: Vec<f64>,
    resolution: Vec<f64>,
    csat: Vec<i32>,
}

impl Tally {
    fn figures(self) -> Figures {
        let ratio = |part: u64, whole: u64| {
            (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
        };
        let csat = Csat {
            count: self.csat.len() as u64,
            average: (!self.csat.is_empty()).then(|| {
                let sum: i64 = self.csat.iter().map(|s| i64::from(*s)).sum();
                (sum as f64 / self.csat.len() as f64 * 100.0).round() / 100.0
            }),
        };
        Figures {
            opened: self.opened,
            closed: self.closed,
            bot_resolved: self.bot_resolved,
            handed_off: self.handed_off,
            bot_resolved_share: ratio(self.bot_resolved, self.closed),
            handoff_rate: ratio(self.handed_off, self.opened),
            first_response_secs: Spread::of(self.first_response),
            resolution_secs: Spread::of(self.resolution),
            csat,
        }
    }
}

fn seconds(from: Timestamp, to: Timestamp) -> f64 {
    ((to - from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6).max(0.0)
}

/// Computes the report for `[from, to)` from the conversations the store
/// returned for that window (any conversation outside it is ignored), the
/// agents' names and the current queue and presence.
pub fn report(
    from: Timestamp,
    to: Timestamp,
    conversations: &[Conversation],
    names: &BTreeMap<UserId, String>,
    now: Now,
) -> Report {
    let inside = |t: Option<Timestamp>| t.filter(|t| *t >= from && *t < to);
    let mut totals = Tally::default();
    let mut days: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut day = from.date();
    while day.and_hms_opt(0, 0, 0).is_some_and(|d| d < to) {
        days.insert(day, Tally::default());
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let mut agents: BTreeMap<UserId, Tally> = BTreeMap::new();

    for c in conversations {
        // Each fact is recorded in the totals, the day it happened and the
        // bucket of the agent it belongs to: the assignee, except for the
        // first response, which is its sender's (a transfer comes later).
        let mut record = |agent: Option<UserId>, at: Timestamp, f: &dyn Fn(&mut Tally)| {
            f(&mut totals);
            f(days.entry(at.date()).or_default());
            if let Some(a) = agent {
                f(agents.entry(a).or_default());
            }
        };
        if let Some(at) = inside(Some(c.times.created_at)) {
            let handed_off = c.handed_off_at.is_some();
            record(c.assignee_id, at, &|t| {
                t.opened += 1;
                t.handed_off += u64::from(handed_off);
            });
        }
        if let Some(at) = inside(c.closed_at) {
            let bot = c.handed_off_at.is_none();
            let resolution = seconds(c.times.created_at, at);
            let score = c.csat_score;
            record(c.assignee_id, at, &|t| {
                t.closed += 1;
                t.bot_resolved += u64::from(bot);
                t.resolution.push(resolution);
                if let Some(s) = score {
                    t.csat.push(s);
                }
            });
        }
        if let (Some(at), Some(handoff)) = (inside(c.first_response_at), c.handed_off_at) {
            let wait = seconds(handoff, at);
            let responder = c.first_responder_id.or(c.assignee_id);
            record(responder, at, &|t| t.first_response.push(wait));
        }
    }

    Report {
        from,
        to,
        totals: totals.figures(),
        days: days
            .into_iter()
            .map(|(day, t)| DayFigures {
                day,
                figures: t.figures(),
            })
            .collect(),
        agents: agents
            .into_iter()
            .map(|(agent_id, t)| AgentFigures {
                agent_id,
                display_name: names.get(&agent_id).cloned().unwrap_or_default(),
                figures: t.figures(),
            })
            .collect(),
        now,
    }
}

/// The report as CSV, one row per day (`by_agent = false`) or per agent.
/// Text cells that a spreadsheet would run as a formula are prefixed with `'`.
pub fn csv(report: &Report, by_agent: bool) -> String {
    let mut out = String::new();
    let head = if by_agent {
        "agent_id,display_name"
    } else {
        "day"
    };
    out.push_str(head);
    out.push_str(
        ",opened,closed,bot_resolved,handed_off,bot_resolved_share,handoff_rate,\
         first_response_count,first_response_median_secs,first_response_p90_secs,\
         resolution_count,resolution_median_secs,resolution_p90_secs,csat_count,csat_average\r\n",
    );
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut row = |keys: Vec<String>, f: &Figures| {
        let mut cells = keys;
        cells.extend([
            f.opened.to_string(),
            f.closed.to_string(),
            f.bot_resolved.to_string(),
            f.handed_off.to_string(),
            num(f.bot_resolved_share),
            num(f.handoff_rate),
            f.first_response_secs.count.to_string(),
            num(f.first_response_secs.median),
            num(f.first_response_secs.p90),
            f.resolution_secs.count.to_string(),
            num(f.resolution_secs.median),
            num(f.resolution_secs.p90),
            f.csat.count.to_string(),
            num(f.csat.average),
        ]);
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    if by_agent {
        for a in &report.agents {
            row(
                vec![a.agent_id.to_string(), a.display_name.clone()],
                &a.figures,
            );
        }
    } else {
        for d in &report.days {
            row(vec![d.day.to_string()], &d.figures);
        }
    }
    out
}

/// One CSV cell (RFC 4180 quoting), defused against formula injection.
fn cell(raw: &str) -> String {
    let defused =
        if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) && raw.parse::<f64>().is_err() {
            format!("'{raw}")
        } else {
            raw.to_owned()
        };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_domain::ids::CustomerId;
    use chrono::Duration;

    fn at(h: i64, m: i64) -> Timestamp {
        NaiveDate::from_ymd_opt(2026, 11, 20)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t + Duration::hours(h) + Duration::minutes(m))
            .expect("valid time")
    }

    #[test]
    fn nearest_rank() {
        let s = Spread::of(vec![30.0, 10.0, 20.0]);
        assert_eq!((s.count, s.median, s.p90), (3, Some(20.0), Some(30.0)));
        let s = Spread::of((1..=10).map(f64::from).collect());
        assert_eq!((s.median, s.p90), (Some(5.0), Some(9.0)));
        assert_eq!(Spread::of(vec![]), Spread::default());
    }

    #[test]
    fn buckets_by_fact_day_and_assignee() {
        let agent = UserId::new();
        let mut bot_only = Conversation::open(CustomerId::new(), at(1, 0));
        bot_only.closed_at = Some(at(1, 10));
        let mut human = Conversation::open(CustomerId::new(), at(2, 0));
        human.assignee_id = Some(agent);
        human.handed_off_at = Some(at(2, 1));
        human.first_response_at = Some(at(2, 3));
        human.closed_at = Some(at(26, 0)); // next day
        human.csat_score = Some(4);
        let names = BTreeMap::from([(agent, "Ann".to_owned())]);
        let r = report(
            at(0, 0),
            at(48, 0),
            &[bot_only, human],
            &names,
            Now::default(),
        );
        assert_eq!(r.totals.opened, 2);
        assert_eq!(r.totals.closed, 2);
        assert_eq!(r.totals.bot_resolved, 1);
        assert_eq!(r.totals.handoff_rate, Some(0.5));
        assert_eq!(r.totals.first_response_secs.median, Some(120.0));
        assert_eq!(r.totals.resolution_secs.median, Some(600.0));
        assert_eq!(r.totals.resolution_secs.p90, Some(86_400.0));
        assert_eq!(r.days.len(), 2);
        assert_eq!(r.days[0].figures.opened, 2);
        assert_eq!(r.days[0].figures.closed, 1);
        assert_eq!(r.days[1].figures.closed, 1);
        assert_eq!(r.days[1].figures.csat.average, Some(4.0));
        assert_eq!(r.agents.len(), 1);
        assert_eq!(r.agents[0].display_name, "Ann");
        assert_eq!(r.agents[0].figures.closed, 1);
        let text = csv(&r, false);
        assert!(text.starts_with("day,opened,closed"), "{text}");
        assert!(text.contains("\r\n2026-11-21,0,1,0,0,0,"), "{text}");
    }

    #[test]
    fn csv_cells_are_defused_and_quoted() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1.5"), "-1.5");
        assert_eq!(cell("a,b"), "\"a,b\"");
    }
}
