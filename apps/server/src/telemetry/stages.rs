//! The per-stage latency histograms of a message, kept outside the
//! Prometheus recorder.
//!
//! The recorder stores every histogram sample as it comes (value and an
//! `Instant::now()` of its own, pushed onto a lock-free list that grows in
//! blocks) and folds the samples into buckets later, on the upkeep thread.
//! That is fine for a request's duration; the stage histograms take one
//! to three samples per message on the hot path, and there a sample can go
//! straight into its bucket: a search among a few bounds and two relaxed
//! atomic updates, no clock read, no allocation, nothing left to fold.
//!
//! [`StagedRecorder`] hands these histograms out for the stage names (the
//! code that records keeps using `metrics::histogram!`), everything else goes
//! to the Prometheus recorder, and [`Stages::render`] writes them in the
//! exporter's text format, so `/metrics` reads as before.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use metrics::{
    Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};

/// One histogram with fixed bounds, recorded in place.
#[derive(Debug)]
pub struct StageHistogram {
    /// Upper bounds (inclusive, ascending); one more bucket holds the rest.
    bounds: &'static [f64],
    /// Samples per bucket, not cumulative: bucket `i` holds the samples
    /// above `bounds[i - 1]` and at most `bounds[i]`.
    counts: Box<[AtomicU64]>,
    /// The sum of the samples, as `f64` bits.
    sum: AtomicU64,
    /// Whether any code registered it: the exporter shows a histogram only
    /// once registered, and so does [`Stages::render`].
    registered: AtomicBool,
}

impl StageHistogram {
    fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
            registered: AtomicBool::new(false),
        }
    }

    /// Writes the histogram as the Prometheus exporter does: cumulative
    /// buckets, `+Inf`, sum, count, then a blank line. The count is the sum
    /// of the buckets read, so `+Inf` and `_count` always agree even while
    /// samples arrive.
    fn render(&self, name: &str, out: &mut String) {
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0u64;
        for (bound, count) in self.bounds.iter().zip(self.counts.iter()) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        if let Some(rest) = self.counts.last() {
            cumulative += rest.load(Ordering::Relaxed);
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {cumulative}");
        out.push('\n');
    }
}

impl HistogramFn for StageHistogram {
    fn record(&self, value: f64) {
        // The first bound at or above the value, as the exporter counts
        // (`sample <= bound`); NaN is at or below no bound: only `+Inf`.
        let bucket = if value.is_nan() {
            self.bounds.len()
        } else {
            self.bounds.partition_point(|bound| *bound < value)
        };
        if let Some(count) = self.counts.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        // One writer per histogram most of the time (the message writer;
        // a few socket threads for delivery and ack): the loop rarely runs
        // twice.
        let mut current = self.sum.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(current) + value).to_bits();
            match self.sum.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(seen) => current = seen,
            }
        }
    }
}

/// The stage histograms of a process, by name.
#[derive(Debug)]
pub struct Stages {
    histograms: Vec<(&'static str, Arc<StageHistogram>)>,
}

impl Stages {
    /// One histogram per name, all with `bounds`.
    pub fn new(names: impl IntoIterator<Item = &'static str>, bounds: &'static [f64]) -> Self {
        Self {
            histograms: names
                .into_iter()
                .map(|name| (name, Arc::new(StageHistogram::new(bounds))))
                .collect(),
        }
    }

    /// The histogram of `name`, if it is a stage.
    fn get(&self, name: &str) -> Option<&Arc<StageHistogram>> {
        self.histograms
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, h)| h)
    }

    /// Appends every registered stage histogram to `out`, in the exporter's
    /// text format.
    pub fn render(&self, out: &mut String) {
        for (name, histogram) in &self.histograms {
            if histogram.registered.load(Ordering::Relaxed) {
                histogram.render(name, out);
            }
        }
    }
}

/// A recorder that serves the stage histograms itself and passes every
/// other metric to `inner`.
pub struct StagedRecorder<R> {
    inner: R,
    stages: Arc<Stages>,
}

impl<R> StagedRecorder<R> {
    /// Wraps `inner`; `stages` are the histograms it serves.
    pub fn new(inner: R, stages: Arc<Stages>) -> Self {
        Self { inner, stages }
    }
}

impl<R: Recorder> Recorder for StagedRecorder<R> {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.inner.describe_counter(key, unit, description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.inner.describe_gauge(key, unit, description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.inner.describe_histogram(key, unit, description);
    }

    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        self.inner.register_counter(key, metadata)
    }

    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        self.inner.register_gauge(key, metadata)
    }

    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        // Only the unlabelled stage names: a labelled one would need a
        // histogram per label set, which the exporter already does.
        if key.labels().next().is_none()
            && let Some(histogram) = self.stages.get(key.name())
        {
            histogram.registered.store(true, Ordering::Relaxed);
            return Histogram::from_arc(histogram.clone());
        }
        self.inner.register_histogram(key, metadata)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use metrics_exporter_prometheus::PrometheusBuilder;

    const BOUNDS: &[f64] = &[0.0001, 0.001, 0.0015, 1.0, 2.5];

    /// The same samples through the exporter's own histogram and through
    /// a stage histogram give the same lines, bound by bound.
    #[test]
    fn renders_what_the_exporter_renders() {
        let samples = [
            0.0, 0.00005, 0.0001, 0.0002, 0.001, 0.0012, 0.0015, 0.7, 1.0, 2.5, 3.0, 100.0,
        ];
        let exporter = PrometheusBuilder::new()
            .set_buckets(BOUNDS)
            .expect("bounds")
            .build_recorder();
        let handle = exporter.handle();
        let key = Key::from_name("stage_seconds");
        let meta = Metadata::new("t", metrics::Level::INFO, None);
        let theirs = exporter.register_histogram(&key, &meta);
        let stages = Arc::new(Stages::new(["stage_seconds"], BOUNDS));
        let ours = StagedRecorder::new(metrics::NoopRecorder, stages.clone())
            .register_histogram(&key, &meta);
        for s in samples {
            theirs.record(s);
            ours.record(s);
        }
        let mut rendered = String::new();
        stages.render(&mut rendered);
        assert_eq!(rendered, handle.render());
        assert!(rendered.contains("stage_seconds_bucket{le=\"0.0001\"} 3\n"));
        assert!(rendered.contains("stage_seconds_bucket{le=\"+Inf\"} 12\n"));
    }

    #[test]
    fn a_stage_shows_only_once_registered_and_others_pass_through() {
        let stages = Arc::new(Stages::new(["a_seconds", "b_seconds"], BOUNDS));
        let recorder = StagedRecorder::new(metrics::NoopRecorder, stages.clone());
        let meta = Metadata::new("t", metrics::Level::INFO, None);
        let mut out = String::new();
        stages.render(&mut out);
        assert_eq!(out, "");
        recorder
            .register_histogram(&Key::from_name("b_seconds"), &meta)
            .record(0.5);
        // A labelled use of a stage name is not a stage histogram.
        recorder
            .register_histogram(
                &Key::from_parts("a_seconds", vec![metrics::Label::new("x", "y")]),
                &meta,
            )
            .record(0.5);
        stages.render(&mut out);
        assert!(!out.contains("a_seconds"), "{out}");
        assert!(out.contains("b_seconds_bucket{le=\"1\"} 1\n"), "{out}");
        assert!(out.contains("b_seconds_sum 0.5\n"), "{out}");
        assert!(out.contains("b_seconds_count 1\n"), "{out}");
    }

    #[test]
    fn nan_counts_only_in_inf() {
        let h = StageHistogram::new(BOUNDS);
        h.record(f64::NAN);
        h.record(0.0001);
        let mut out = String::new();
        h.render("n", &mut out);
        assert!(out.contains("n_bucket{le=\"2.5\"} 1\n"), "{out}");
        assert!(out.contains("n_bucket{le=\"+Inf\"} 2\n"), "{out}");
    }
}
