//! The tasks `bron serve` runs beside the HTTP server: the scheduler, the
//! change-log follower, the search-statistics writer, the metrics' upkeep
//! and the webhook sender. Each runs in rounds and, asked to stop, finishes
//! the round it is in: a schedule being carried out or a delivery attempt
//! being recorded is never cut off halfway.

use std::sync::Arc;
use std::time::Duration;

use crate::hub::{Hub, now_ms};
use crate::metrics::SchedulerTask;

/// Tells the background tasks to stop; each finishes the round it is in.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Runs `round` every `period` until `stop` turns true. A round in progress
/// is finished, never cut off: a delivery being recorded or a schedule
/// being carried out completes.
fn spawn_every<F, Fut>(
    period: Duration,
    mut stop: Stop,
    mut round: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !*stop.borrow() {
            tokio::select! {
                biased;
                // A change of the flag (or a dropped sender) is checked above.
                changed = stop.changed() => if changed.is_err() { break },
                _ = tick.tick() => round().await,
            }
        }
    })
}

/// Runs the scheduler: every second, carries out what is due; once a
/// minute, deletes expired hand-over codes and ended sessions; once an hour,
/// old webhook deliveries.
pub fn spawn_scheduler(hub: Arc<Hub>, stop: Stop) -> tokio::task::JoinHandle<()> {
    let ticks = Arc::new(std::sync::atomic::AtomicU64::new(0));
    spawn_every(Duration::from_secs(1), stop, move || {
        let hub = hub.clone();
        let n = ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        async move {
            let result = hub.run_due_schedules(now_ms()).await;
            hub.metrics()
                .scheduler_run(SchedulerTask::Schedules, result.is_ok());
            match result {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "carried out scheduled changes"),
                Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
            }
            if n % 60 == 1 {
                let result = hub.purge_handovers().await;
                hub.metrics()
                    .scheduler_run(SchedulerTask::Handovers, result.is_ok());
                if let Err(e) = result {
                    tracing::warn!(error = %e, "deleting expired hand-over codes failed");
                }
            }
            if n % 60 == 2 {
                let result = hub.purge_sessions().await;
                hub.metrics()
                    .scheduler_run(SchedulerTask::Sessions, result.is_ok());
                if let Err(e) = result {
                    tracing::warn!(error = %e, "deleting ended sessions failed");
                }
            }
            if n % 3600 == 3
                && let Err(e) = hub.purge_deliveries().await
            {
                tracing::warn!(error = %e, "deleting old webhook deliveries failed");
            }
        }
    })
}

/// Writes the counted searches to the store every 10 s.
pub fn spawn_stats_writer(hub: Arc<Hub>, stop: Stop) -> tokio::task::JoinHandle<()> {
    spawn_every(Duration::from_secs(10), stop, move || {
        let hub = hub.clone();
        async move {
            if let Err(e) = hub.flush_search_stats().await {
                tracing::warn!(error = %e, "writing search statistics failed; kept for the next try");
            }
        }
    })
}

/// Follows the change log every 200 ms, so writes made by another process
/// (e.g. `bron import` or `bron token revoke` while the server runs) reach
/// the caches quickly.
pub fn spawn_follower(hub: Arc<Hub>, stop: Stop) -> tokio::task::JoinHandle<()> {
    spawn_every(Duration::from_millis(200), stop, move || {
        let hub = hub.clone();
        async move {
            if let Err(e) = hub.follow_store().await {
                tracing::warn!(error = %e, "following the change log failed");
            }
        }
    })
}

/// Every second: queues webhook deliveries for new change-log entries, then
/// sends the deliveries that are due.
pub fn spawn_webhooks(hub: Arc<Hub>, stop: Stop) -> tokio::task::JoinHandle<()> {
    spawn_every(Duration::from_secs(1), stop, move || {
        let hub = hub.clone();
        async move {
            if let Err(e) = hub.dispatch_webhooks().await {
                tracing::warn!(error = %e, "queueing webhook deliveries failed; retried next round");
            }
            match hub.deliver_webhooks().await {
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sending webhook deliveries failed"),
            }
        }
    })
}

/// Folds the metrics' histogram samples into their buckets every 5 s, so
/// they take bounded memory whether or not anyone scrapes.
pub fn spawn_metrics_upkeep(hub: Arc<Hub>, stop: Stop) -> tokio::task::JoinHandle<()> {
    spawn_every(Duration::from_secs(5), stop, move || {
        let hub = hub.clone();
        async move { hub.metrics().upkeep() }
    })
}

/// The tasks `bron serve` runs beside the HTTP server.
pub struct Background {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<(&'static str, tokio::task::JoinHandle<()>)>,
}

impl Background {
    pub fn start(hub: &Arc<Hub>) -> Background {
        let (stop, rx) = tokio::sync::watch::channel(false);
        let tasks = vec![
            ("scheduler", spawn_scheduler(hub.clone(), rx.clone())),
            ("follower", spawn_follower(hub.clone(), rx.clone())),
            (
                "search statistics",
                spawn_stats_writer(hub.clone(), rx.clone()),
            ),
            (
                "metrics upkeep",
                spawn_metrics_upkeep(hub.clone(), rx.clone()),
            ),
            ("webhooks", spawn_webhooks(hub.clone(), rx)),
        ];
        Background { stop, tasks }
    }

    /// Asks every task to stop after its current round and waits for them;
    /// a task still busy after `grace` (a webhook receiver that does not
    /// answer) is cut off.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        for (name, mut task) in self.tasks {
            match tokio::time::timeout(grace, &mut task).await {
                Ok(_) => {}
                Err(_) => {
                    tracing::warn!(
                        task = name,
                        "a background task did not stop in time; cut off"
                    );
                    task.abort();
                }
            }
        }
    }
}
