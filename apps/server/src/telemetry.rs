//! Logs, request ids and metrics.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, HttpResponse, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global tracing subscriber. Safe to call more than once (later
/// calls are ignored), which tests rely on.
pub fn init_logging(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Colour codes only on a terminal, and never with `NO_COLOR` set (to
/// anything non-empty, as <https://no-color.org> says): a file or a pipe
/// gets plain text.
fn colour() -> bool {
    use std::io::IsTerminal as _;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

mod stages;

/// What `/metrics` shows: the Prometheus recorder's metrics and the
/// per-stage histograms of a message, which are kept apart from it (see
/// [`stages`]: recorded in place, without the recorder's per-sample clock
/// read, allocation and upkeep).
#[derive(Clone)]
pub struct MetricsHandle {
    prometheus: PrometheusHandle,
    stages: Arc<stages::Stages>,
}

impl MetricsHandle {
    /// The Prometheus text format of every metric.
    pub fn render(&self) -> String {
        let mut out = self.prometheus.render();
        self.stages.render(&mut out);
        out
    }
}

/// The process-wide recorder (a process has one metrics registry, however
/// many servers a test starts in it).
pub fn metrics_handle() -> MetricsHandle {
    static HANDLE: OnceLock<MetricsHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let stage_names = || {
                chat_session::MESSAGE_STAGE_HISTOGRAMS
                    .iter()
                    .chain(chat_gateway::STAGE_HISTOGRAMS)
                    .copied()
            };
            let recorder = stage_names()
                .fold(
                    PrometheusBuilder::new().set_buckets_for_metric(
                        Matcher::Suffix("duration_seconds".into()),
                        &[
                            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                            2.5, 5.0,
                        ],
                    ),
                    // A full name is matched before a suffix. Only a
                    // labelled use of a stage name reaches the exporter.
                    |builder, name| {
                        builder.and_then(|b| {
                            b.set_buckets_for_metric(Matcher::Full(name.into()), STAGE_BUCKETS)
                        })
                    },
                )
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = MetricsHandle {
                prometheus: recorder.handle(),
                stages: Arc::new(stages::Stages::new(stage_names(), STAGE_BUCKETS)),
            };
            // Fails only if another recorder was installed first; then ours
            // simply records nothing, which is better than not starting.
            let _ = metrics::set_global_recorder(stages::StagedRecorder::new(
                recorder,
                handle.stages.clone(),
            ));
            spawn_upkeep(handle.prometheus.clone());
            handle
        })
        .clone()
}

/// Buckets of the per-stage latency histograms of a message (queue wait,
/// commit, publish, delivery, ack): most stages take tens to hundreds of
/// microseconds, and telling a 2 ms p99 from a 5 ms one needs bounds
/// between them.
const STAGE_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 2.5,
];

/// How often histogram samples are folded into their buckets and summaries.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Folds the recorder's histogram samples into their aggregates every
/// [`UPKEEP_EVERY`], on a thread of its own. The recorder keeps every raw
/// sample until then, and only a scrape of `/metrics` or this upkeep folds
/// them: unscraped (no Prometheus, or a soak that does not scrape), every
/// message added samples that were never freed, about 4 MB a minute at
/// 2,000 messages per second (docs/BENCHMARKS.md). `install()` would spawn
/// this, but the binary serves the metrics itself and only builds the
/// recorder. The thread ends with the process.
fn spawn_upkeep(handle: PrometheusHandle) {
    let started = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(e) = started {
        tracing::warn!(error = %e, "no metrics upkeep thread: histograms grow until scraped");
    }
}

/// The request span of `TracingLogger`, as its default one but with the
/// path alone as `http.target`: query strings can carry personal data (a
/// customer search by e-mail or phone), and every event logged inside a
/// request repeats its span's fields.
pub struct RequestSpan;

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        use tracing::field::Empty;
        // A WebSocket upgrade's response body lives as long as the socket,
        // and tracing-actix-web keeps the request's span (with its formatted
        // fields) until the body ends: 1.5 KiB per idle socket at the
        // default log level (docs/BENCHMARKS.md). Nothing is logged inside
        // that span (the socket's task is not in it), so upgrades get none.
        if is_websocket_upgrade(request) {
            return tracing::Span::none();
        }
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_owned();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.client_ip = %request.connection_info().realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %request.path(),
            http.status_code = Empty,
            otel.status_code = Empty,
            exception.message = Empty,
            exception.details = Empty,
            request_id = %request_id,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

fn is_websocket_upgrade(request: &ServiceRequest) -> bool {
    request
        .headers()
        .get(actix_web::http::header::UPGRADE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Middleware: counts requests and their latency by route pattern (never by
/// raw path: ids in paths would explode the label set), and echoes the
/// request id that `TracingLogger` put on the request span.
pub async fn track_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let mut res = next.call(req).await?;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut().insert(REQUEST_ID.clone(), id);
    }
    Ok(res)
}

/// `GET /metrics`: Prometheus text format. Pool gauges (and SQLite's
/// checkpoint figures) are sampled here, at scrape time, instead of on
/// every checkout.
pub async fn metrics_endpoint(
    handle: web::Data<MetricsHandle>,
    store: web::Data<chat_store::SqlStore>,
) -> HttpResponse {
    let pool = store.pool_status();
    metrics::gauge!("db_pool_connections", "state" => "idle").set(pool.idle as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(pool.size.saturating_sub(pool.idle) as f64);
    metrics::gauge!("db_pool_max_connections").set(pool.max as f64);
    // SQLite: checkpoints that stop (a panic, a database error) leave
    // appends running while the `-wal` file grows; these show it.
    if let Some(c) = store.checkpoint_status() {
        metrics::counter!("sqlite_checkpoint_passes_total").absolute(c.passes);
        metrics::counter!("sqlite_checkpoint_failures_total").absolute(c.failures);
        metrics::counter!("sqlite_checkpoint_panics_total").absolute(c.panics);
        metrics::gauge!("sqlite_wal_frames").set(c.log_frames as f64);
        // What the log restarts cost the appends: the writer thread waits
        // while one is attempted (docs/DEPLOYMENT.md, "Where a message's
        // time goes").
        metrics::counter!("sqlite_checkpoint_restarts_total").absolute(c.restarts);
        metrics::gauge!("sqlite_checkpoint_writer_held_seconds_total")
            .set(c.writer_held.as_secs_f64());
        metrics::gauge!("sqlite_checkpoint_longest_hold_seconds").set(c.longest_hold.as_secs_f64());
        metrics::gauge!("sqlite_checkpoint_flush_seconds_total").set(c.flushing.as_secs_f64());
        if let Some(age) = c.since_last_pass {
            metrics::gauge!("sqlite_checkpoint_age_seconds").set(age.as_secs_f64());
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(handle.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_actix_web::RootSpanBuilder as _;

    #[test]
    fn websocket_upgrades_get_no_request_span() {
        let subscriber = tracing_subscriber::registry();
        tracing::subscriber::with_default(subscriber, || {
            let plain = actix_web::test::TestRequest::get()
                .uri("/api/v1/conversations")
                .to_srv_request();
            assert!(!RequestSpan::on_request_start(&plain).is_none());
            let upgrade = actix_web::test::TestRequest::get()
                .uri("/ws")
                .insert_header(("upgrade", "WebSocket"))
                .insert_header(("connection", "Upgrade"))
                .to_srv_request();
            assert!(RequestSpan::on_request_start(&upgrade).is_none());
        });
    }
}
