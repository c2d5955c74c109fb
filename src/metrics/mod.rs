//! Operational metrics in Prometheus's text format: what the HTTP layer,
//! the response cache, the store's writer, the change-log followers, the
//! scheduler and webhook deliveries did. Every name and label is listed
//! here, so nothing else invents one: labels take only the fixed values of
//! the enums below (never a token, a user name, a query or a variable), and
//! the number of series is known before the server starts.
//!
//! There is no global recorder. Each [`Metrics`] owns its own Prometheus
//! recorder (the hub makes one), registers every series up front and keeps
//! their handles, so recording is an atomic addition (a histogram sample:
//! a push onto a lock-free list) and tests that build many hubs in one
//! process each read exactly their own numbers. The `metrics` facade's
//! macros are not used and would record nowhere.
//!
//! Histogram samples wait in memory until the next [`Metrics::upkeep`] or
//! [`Metrics::render`] folds them into their buckets: whoever keeps a hub
//! for long must call `upkeep` every few seconds (`bron serve` does).

mod labels;

pub use labels::{Follower, Outcome, RequestKind, SchedulerTask, WebhookOutcome};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// HTTP requests answered, by `kind` ([`RequestKind`]) and `outcome` ([`Outcome`]).
pub const HTTP_REQUESTS: &str = "bron_http_requests_total";
/// Time from a request's arrival to its answer's head, by `kind`.
pub const HTTP_DURATION: &str = "bron_http_request_duration_seconds";
/// Response-cache lookups of GraphQL queries, by `result` (`hit`, `miss`).
pub const CACHE_LOOKUPS: &str = "bron_response_cache_lookups_total";
/// Bytes the response cache holds (keys, bodies, bookkeeping).
pub const CACHE_BYTES: &str = "bron_response_cache_bytes";
/// A store write, from asking for the writer to the end of its commit.
pub const STORE_WRITE: &str = "bron_store_write_duration_seconds";
/// The newest change-log sequence in the store.
pub const CHANGE_SEQ: &str = "bron_change_seq";
/// Change-log entries a follower has yet to apply, by `follower` ([`Follower`]).
pub const FOLLOWER_LAG: &str = "bron_follower_lag_entries";
/// Scheduler runs, by `task` ([`SchedulerTask`]) and `outcome` (`ok`, `failed`).
pub const SCHEDULER_RUNS: &str = "bron_scheduler_runs_total";
/// Webhook delivery attempts, by `outcome` ([`WebhookOutcome`]).
pub const WEBHOOK_DELIVERIES: &str = "bron_webhook_deliveries_total";
/// Time of one webhook delivery attempt, whatever its outcome.
pub const WEBHOOK_DURATION: &str = "bron_webhook_delivery_duration_seconds";

/// The upper bounds of every histogram's buckets, in seconds: from 100 µs
/// (a cached answer) to 10 s (the query timeout). Buckets, not summaries,
/// so nodes can be summed.
pub const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// One process's metrics: a recorder of its own and a handle per series.
pub struct Metrics {
    handle: PrometheusHandle,
    requests: Vec<Counter>,
    durations: Vec<Histogram>,
    cache_hits: Counter,
    cache_misses: Counter,
    cache_bytes: Gauge,
    store_write: Histogram,
    change_seq: Gauge,
    lag: [Gauge; 2],
    scheduler: Vec<Counter>,
    webhooks: Vec<Counter>,
    webhook_duration: Histogram,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        let r = Register(recorder);
        r.describe(
            HTTP_REQUESTS,
            "HTTP requests answered, by kind and outcome.",
        );
        r.describe(
            HTTP_DURATION,
            "Seconds from a request's arrival to its answer, by kind.",
        );
        r.describe(CACHE_LOOKUPS, "Response-cache lookups of GraphQL queries.");
        r.describe(CACHE_BYTES, "Bytes the response cache holds.");
        r.describe(
            STORE_WRITE,
            "Seconds of a store write, from asking for the writer to the end of its commit.",
        );
        r.describe(CHANGE_SEQ, "The newest change-log sequence in the store.");
        r.describe(
            FOLLOWER_LAG,
            "Change-log entries a follower of this process has yet to apply.",
        );
        r.describe(SCHEDULER_RUNS, "Scheduler runs, by task and outcome.");
        r.describe(WEBHOOK_DELIVERIES, "Webhook delivery attempts, by outcome.");
        r.describe(WEBHOOK_DURATION, "Seconds of one webhook delivery attempt.");
        let mut requests = Vec::new();
        for kind in RequestKind::ALL {
            for outcome in Outcome::ALL {
                requests.push(r.counter(
                    HTTP_REQUESTS,
                    &[("kind", kind.as_str()), ("outcome", outcome.as_str())],
                ));
            }
        }
        let durations = RequestKind::ALL
            .iter()
            .map(|k| r.histogram(HTTP_DURATION, &[("kind", k.as_str())]))
            .collect();
        let mut scheduler = Vec::new();
        for task in SchedulerTask::ALL {
            for outcome in ["ok", "failed"] {
                scheduler.push(r.counter(
                    SCHEDULER_RUNS,
                    &[("task", task.as_str()), ("outcome", outcome)],
                ));
            }
        }
        Metrics {
            requests,
            durations,
            cache_hits: r.counter(CACHE_LOOKUPS, &[("result", "hit")]),
            cache_misses: r.counter(CACHE_LOOKUPS, &[("result", "miss")]),
            cache_bytes: r.gauge(CACHE_BYTES, &[]),
            store_write: r.histogram(STORE_WRITE, &[]),
            change_seq: r.gauge(CHANGE_SEQ, &[]),
            lag: [Follower::Caches, Follower::SearchIndex]
                .map(|f| r.gauge(FOLLOWER_LAG, &[("follower", f.as_str())])),
            scheduler,
            webhooks: WebhookOutcome::ALL
                .iter()
                .map(|o| r.counter(WEBHOOK_DELIVERIES, &[("outcome", o.as_str())]))
                .collect(),
            webhook_duration: r.histogram(WEBHOOK_DURATION, &[]),
            handle,
        }
    }

    /// One HTTP request answered.
    pub fn request(&self, kind: RequestKind, outcome: Outcome, seconds: f64) {
        let k = kind as usize;
        self.requests[k * Outcome::ALL.len() + outcome as usize].increment(1);
        self.durations[k].record(seconds);
    }

    /// A GraphQL query looked up in the response cache.
    pub fn cache_lookup(&self, hit: bool) {
        if hit {
            self.cache_hits.increment(1);
        } else {
            self.cache_misses.increment(1);
        }
    }

    pub fn set_cache_bytes(&self, bytes: u64) {
        self.cache_bytes.set(bytes as f64);
    }

    /// The handle the store records each committed write into.
    pub fn store_write_histogram(&self) -> Histogram {
        self.store_write.clone()
    }

    /// The store's newest sequence and how far each follower is behind it.
    pub fn set_sequences(&self, newest: i64, caches: i64, index: Option<i64>) {
        self.change_seq.set(newest as f64);
        self.lag[0].set((newest - caches).max(0) as f64);
        if let Some(index) = index {
            self.lag[1].set((newest - index).max(0) as f64);
        }
    }

    /// One run of a scheduler task.
    pub fn scheduler_run(&self, task: SchedulerTask, ok: bool) {
        self.scheduler[task as usize * 2 + usize::from(!ok)].increment(1);
    }

    /// One webhook delivery attempt and how long it took.
    pub fn webhook_delivery(&self, outcome: WebhookOutcome, seconds: f64) {
        self.webhooks[outcome as usize].increment(1);
        self.webhook_duration.record(seconds);
    }

    /// Folds waiting histogram samples into their buckets, so memory stays
    /// bounded between scrapes. Call it every few seconds.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// Every series in Prometheus's text format (version 0.0.4).
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Registers series on one recorder, without installing it anywhere.
struct Register(PrometheusRecorder);

const METADATA: Metadata<'static> = Metadata::new("bron", Level::INFO, Some("bron::metrics"));

impl Register {
    fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key {
        let labels: Vec<Label> = labels
            .iter()
            .map(|(k, v)| Label::from_static_parts(k, v))
            .collect();
        Key::from_parts(name, labels)
    }

    fn describe(&self, name: &'static str, help: &'static str) {
        // The kind does not matter to this recorder: one description per name.
        self.0
            .describe_counter(KeyName::from_const_str(name), None, help.into());
    }

    fn counter(&self, name: &'static str, labels: &[(&'static str, &'static str)]) -> Counter {
        self.0.register_counter(&Self::key(name, labels), &METADATA)
    }

    fn gauge(&self, name: &'static str, labels: &[(&'static str, &'static str)]) -> Gauge {
        self.0.register_gauge(&Self::key(name, labels), &METADATA)
    }

    fn histogram(&self, name: &'static str, labels: &[(&'static str, &'static str)]) -> Histogram {
        self.0
            .register_histogram(&Self::key(name, labels), &METADATA)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_is_there_from_the_start_and_histograms_have_buckets() {
        let m = Metrics::new();
        m.request(RequestKind::Persisted, Outcome::NotModified, 0.0003);
        m.scheduler_run(SchedulerTask::Handovers, false);
        let text = m.render();
        assert!(
            text.contains(r#"bron_http_requests_total{kind="persisted",outcome="not_modified"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"bron_http_requests_total{kind="admin",outcome="ok"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"bron_http_request_duration_seconds_bucket{kind="persisted",le="0.0005"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"bron_http_request_duration_seconds_bucket{kind="persisted",le="0.00025"} 0"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"bron_scheduler_runs_total{task="handovers",outcome="failed"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"bron_webhook_deliveries_total{outcome="gave_up"} 0"#));
        assert!(text.contains("# TYPE bron_store_write_duration_seconds histogram"));
        assert!(!text.contains("quantile"), "no summaries: {text}");
    }

    #[test]
    fn two_instances_count_apart() {
        let (a, b) = (Metrics::new(), Metrics::new());
        a.cache_lookup(true);
        assert!(
            a.render()
                .contains(r#"bron_response_cache_lookups_total{result="hit"} 1"#)
        );
        assert!(
            b.render()
                .contains(r#"bron_response_cache_lookups_total{result="hit"} 0"#)
        );
    }
}
