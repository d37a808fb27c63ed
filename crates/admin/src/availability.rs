//! Availability: the use cases behind the business-hours routes and the
//! widget's availability and leave-a-message routes
//! (`http/routes/availability.rs`).
//!
//! Support is *available* when it is within business hours (or hours are
//! off) and at least one agent is online; then the widget shows the reply
//! estimate (the median first-response time of the last week). Otherwise
//! it is *away*: the widget says when support is back (the next opening,
//! when hours are on) and offers to leave a message.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_domain::DomainResult;
use chat_domain::availability::{
    AvailabilityRepository, AwayDesk, BusinessHours, Clock, reply_estimate_minutes,
};
use chat_domain::events::PresenceStatus;
use chat_domain::ports::{PresenceRegistry, Store};
use chat_domain::time::{Timestamp, truncate};
use serde::Serialize;

/// How long a computed reply estimate is reused: the widget asks on every
/// page load, and a week of conversations does not change by the second.
const ESTIMATE_TTL: Duration = Duration::from_secs(60);
/// The window the estimate is computed over.
const ESTIMATE_WINDOW_DAYS: i64 = 7;

/// What the widget shows (`GET /api/v1/widget/availability`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AvailabilityStatus {
    /// Within business hours and an agent is online: a person can answer now.
    pub available: bool,
    /// Within business hours (always `true` while hours are off).
    pub within_hours: bool,
    /// At least one agent is online (not away).
    pub agents_online: bool,
    /// "We reply in about N minutes": the median first response of the
    /// last week, rounded up; `null` while away or without data.
    pub reply_minutes: Option<u32>,
    /// When support opens next, while outside business hours (`null` when
    /// within them, or when hours are off).
    #[serde(with = "chat_domain::time::utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_opening: Option<Timestamp>,
    /// The business hours' time zone (IANA).
    pub time_zone: String,
}

/// The availability use cases and what they read.
pub struct Availability {
    /// Hours and left messages.
    pub repo: Arc<dyn AvailabilityRepository>,
    /// Conversations (first-response times).
    pub store: Arc<dyn Store>,
    /// Who is online.
    pub presence: Arc<dyn PresenceRegistry>,
    /// The leave-a-message use case (the route calls it with the
    /// [`status`](Self::status)'s next opening).
    pub desk: Arc<dyn AwayDesk>,
    /// "Now".
    pub clock: Arc<dyn Clock>,
    estimate: Mutex<Option<(Instant, Option<u32>)>>,
}

impl Availability {
    /// Wires the use cases.
    pub fn new(
        repo: Arc<dyn AvailabilityRepository>,
        store: Arc<dyn Store>,
        presence: Arc<dyn PresenceRegistry>,
        desk: Arc<dyn AwayDesk>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            repo,
            store,
            presence,
            desk,
            clock,
            estimate: Mutex::new(None),
        }
    }

    /// Whether support is available now, and what to tell the customer.
    pub async fn status(&self) -> DomainResult<AvailabilityStatus> {
        let hours = self.repo.business_hours().await?;
        let schedule = hours.schedule()?;
        let now = self.clock.now();
        let within_hours = schedule.is_open(now);
        let agents_online = self
            .presence
            .live_agents()
            .await?
            .iter()
            .any(|(_, s)| *s == PresenceStatus::Online);
        let available = within_hours && agents_online;
        let next_opening = if within_hours {
            None
        } else {
            schedule.next_opening(now).map(truncate)
        };
        let reply_minutes = if available {
            self.reply_estimate().await?
        } else {
            None
        };
        Ok(AvailabilityStatus {
            available,
            within_hours,
            agents_online,
            reply_minutes,
            next_opening,
            time_zone: hours.time_zone,
        })
    }

    async fn reply_estimate(&self) -> DomainResult<Option<u32>> {
        if let Ok(cached) = self.estimate.lock()
            && let Some((at, minutes)) = *cached
            && at.elapsed() < ESTIMATE_TTL
        {
            return Ok(minutes);
        }
        let to = truncate(self.clock.now());
        let from = to - chrono::Duration::days(ESTIMATE_WINDOW_DAYS);
        let samples: Vec<i64> = self
            .store
            .conversations_active_between(from, to)
            .await?
            .iter()
            .filter_map(|c| match (c.handed_off_at, c.first_response_at) {
                (Some(asked), Some(answered)) if answered >= from => {
                    Some((answered - asked).num_seconds())
                }
                _ => None,
            })
            .collect();
        let minutes = reply_estimate_minutes(&samples);
        if let Ok(mut cached) = self.estimate.lock() {
            *cached = Some((Instant::now(), minutes));
        }
        Ok(minutes)
    }

    /// The business hours (readable by staff).
    pub async fn hours(&self) -> DomainResult<BusinessHours> {
        self.repo.business_hours().await
    }

    /// Replaces the business hours (already validated).
    pub async fn set_hours(&self, hours: &BusinessHours) -> DomainResult<()> {
        self.repo.set_business_hours(hours).await
    }
}
