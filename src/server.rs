//! Start-up and the running server: load and validate the model, open the
//! store, seed an empty store with the example content, serve HTTP, and run
//! the scheduler that carries out scheduled publishes and unpublishes and the
//! follower that notices writes made by other processes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::graphql::Api;
use crate::hub::{Hub, Viewer, now_ms};
use crate::import::{ImportOptions, import_path};
use crate::model::ContentModel;
use crate::store::Store;

mod background;
pub use background::{
    Background, Stop, spawn_follower, spawn_metrics_upkeep, spawn_scheduler, spawn_stats_writer,
    spawn_webhooks,
};

/// Where Bron keeps its database inside the data directory.
pub const DB_FILE: &str = "bron.db";
/// Where Bron keeps its search index inside the data directory.
pub const INDEX_DIR: &str = "index";
/// The synonym groups, one per line, in the model directory.
pub const SYNONYMS_FILE: &str = "synonyms.txt";

/// Opens (or creates, or rebuilds) the search index of `hub` in `data_dir`.
pub async fn open_search(hub: &Hub, data_dir: &Path, model_dir: &Path) -> anyhow::Result<()> {
    let synonyms = crate::search::Synonyms::load(&model_dir.join(SYNONYMS_FILE))?;
    let dir = data_dir.join(INDEX_DIR);
    let started = std::time::Instant::now();
    let opened = hub.open_search(&dir, synonyms).await.with_context(|| {
        format!(
            "cannot open the search index in {} (is another `bron serve` using this data directory?)",
            dir.display()
        )
    })?;
    tracing::info!(
        ?opened,
        seconds = started.elapsed().as_secs_f64(),
        "search index ready"
    );
    Ok(())
}

/// Loads the model and opens the store in `data_dir`.
pub async fn open_hub(data_dir: &Path, model_dir: &Path) -> anyhow::Result<Arc<Hub>> {
    let model = ContentModel::load(model_dir)?;
    open_hub_with(data_dir, model).await
}

/// Opens the store in `data_dir` with an already loaded model.
pub async fn open_hub_with(data_dir: &Path, model: ContentModel) -> anyhow::Result<Arc<Hub>> {
    let store = Store::open(&data_dir.join(DB_FILE))
        .await
        .with_context(|| format!("cannot open the store in {}", data_dir.display()))?;
    Ok(Arc::new(Hub::new(Arc::new(model), store).await?))
}

/// Imports `seed` when the store holds no items yet.
pub async fn seed_if_empty(hub: &Hub, seed: &Path) -> anyhow::Result<()> {
    if hub.item_count().await? > 0 {
        return Ok(());
    }
    if !seed.exists() {
        tracing::warn!(path = %seed.display(), "the store is empty and there is no example content at this path; pass --seed (or set BRON_SEED) to load it from elsewhere");
        return Ok(());
    }
    let report = import_path(hub, &Viewer::cli(), seed, ImportOptions::default())
        .await
        .with_context(|| format!("cannot load the example content from {}", seed.display()))?;
    tracing::info!(items = report.created, path = %seed.display(), "loaded the example content into the empty store");
    Ok(())
}

pub struct ServeConfig {
    pub data_dir: PathBuf,
    pub model_dir: PathBuf,
    pub listen: String,
    pub seed: PathBuf,
    pub search_stats_days: u32,
    pub handover_hours: u32,
    /// CORS and HTTP caching.
    pub http: crate::http::HttpOptions,
    /// Whether webhooks may reach loopback and private addresses.
    pub webhooks_allow_private: bool,
    /// The wait before the first retry of a failed webhook delivery.
    pub webhook_first_retry: Duration,
    /// Where `/metrics` is served, if anywhere (not on `listen`).
    pub metrics_listen: Option<String>,
}

/// Serves `/metrics` on `addr`, apart from the API (see `http/metrics.rs`).
async fn spawn_metrics_listener(
    api: Arc<Api>,
    addr: &str,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let addr: SocketAddr = addr.parse().with_context(|| {
        format!("--metrics-listen: `{addr}` is not an address such as 127.0.0.1:9184")
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for metrics on {addr}"))?;
    tracing::info!("metrics at http://{addr}/metrics");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, crate::http::metrics_app(api)).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    }))
}

/// On a fresh install there is no account to log in to the editor UI with:
/// makes `admin`, with the password in `BRON_ADMIN_PASSWORD` or a new one
/// printed once to the terminal.
pub async fn first_admin(hub: &Hub, addr: SocketAddr) -> anyhow::Result<()> {
    let cli = Viewer::cli();
    if !hub.users(&cli).await?.is_empty() {
        return Ok(());
    }
    let given = std::env::var("BRON_ADMIN_PASSWORD").unwrap_or_default();
    let password = if given.is_empty() {
        crate::cli::new_password()
    } else {
        given.clone()
    };
    hub.create_user(
        &cli,
        crate::hub::NewUser {
            name: "admin".into(),
            display_name: Some("Beheerder".into()),
            role: crate::hub::Role::Admin,
            team: None,
            password: password.clone(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot create the first admin: {e}"))?;
    eprintln!("No accounts yet, so Bron made the first one.");
    if given.is_empty() {
        eprintln!(
            "  Log in at http://{addr}/admin as `admin` with password {password}\n  (shown only now; add people with `bron user create --name NAME --role editor`)"
        );
    } else {
        eprintln!(
            "  Log in at http://{addr}/admin as `admin` with the password in BRON_ADMIN_PASSWORD."
        );
    }
    Ok(())
}

/// Brings back the backup at `backup` as the store of `data_dir`, and
/// rebuilds the search index from it. The server must be stopped (the
/// index lock tells). The store it replaces is kept beside it as
/// `bron.db.before-restore-<time>`.
pub async fn restore(
    data_dir: &Path,
    model_dir: &Path,
    backup: &Path,
) -> anyhow::Result<crate::hub::BackupInfo> {
    let info = Hub::inspect_backup(backup).await?;
    {
        let hub = open_hub(data_dir, model_dir).await?;
        open_search(&hub, data_dir, model_dir)
            .await
            .context("stop `bron serve` on this data directory before restoring")?;
        hub.close().await;
    }
    let db = data_dir.join(DB_FILE);
    let incoming = data_dir.join(format!("{DB_FILE}.restoring"));
    std::fs::copy(backup, &incoming).with_context(|| {
        format!(
            "cannot copy {} into {}",
            backup.display(),
            data_dir.display()
        )
    })?;
    if db.exists() {
        let stamp = crate::hub::ms_to_datetime(now_ms()).replace(':', "");
        let kept = data_dir.join(format!("{DB_FILE}.before-restore-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = data_dir.join(format!("{DB_FILE}{suffix}"));
            if from.exists() {
                std::fs::rename(&from, data_dir.join(format!("{}{suffix}", kept.display())))?;
            }
        }
        eprintln!("The store it replaces is kept as {}.", kept.display());
    }
    std::fs::rename(&incoming, &db)?;
    let index = data_dir.join(INDEX_DIR);
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    let hub = open_hub(data_dir, model_dir).await?;
    open_search(&hub, data_dir, model_dir).await?;
    hub.rebuild_index().await?;
    hub.close().await;
    Ok(info)
}

/// How long a stopping server waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How long it then waits for the background tasks' current rounds.
pub const BACKGROUND_GRACE: Duration = Duration::from_secs(15);

pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let hub = open_hub(&config.data_dir, &config.model_dir).await?;
    // The schema is built before anything is written: a model it cannot
    // serve must not leave example content behind.
    let api = Arc::new(
        Api::new(hub.clone())
            .map_err(|e| anyhow::anyhow!("cannot build the GraphQL schema: {e}"))?,
    );
    open_search(&hub, &config.data_dir, &config.model_dir).await?;
    seed_if_empty(&hub, &config.seed).await?;
    let addr: SocketAddr = config.listen.parse().with_context(|| {
        format!(
            "`{}` is not an address such as 127.0.0.1:8080",
            config.listen
        )
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}; is another program using that port?"))?;
    first_admin(&hub, addr).await?;
    hub.set_search_stats_retention(config.search_stats_days);
    hub.set_handover_ttl(Duration::from_secs(u64::from(config.handover_hours) * 3600));
    hub.set_webhooks_allow_private(config.webhooks_allow_private);
    hub.set_webhook_first_retry(config.webhook_first_retry);
    let background = Background::start(&hub);
    let metrics = match &config.metrics_listen {
        Some(addr) => Some(spawn_metrics_listener(api.clone(), addr).await?),
        None => None,
    };
    tracing::info!("Bron listens on http://{addr}/graphql (GraphiQL in a browser)");
    // On SIGTERM or Ctrl-C: stop accepting, let requests in flight finish,
    // but give up on connections still open after the grace period.
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let serve = axum::serve(
        listener,
        crate::http::app_with(api, config.http.clone())
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    });
    let grace = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        r = serve => r?,
        () = grace => tracing::warn!(
            seconds = SHUTDOWN_GRACE.as_secs(),
            "connections still open after the grace period; stopping anyway"
        ),
    }
    // The HTTP side has stopped: let the scheduler and the webhook sender
    // finish what they are doing (an attempt times out after 10 s).
    background.stop(BACKGROUND_GRACE).await;
    if let Some(m) = metrics {
        m.abort();
    }
    if let Err(e) = hub.flush_search_stats().await {
        tracing::warn!(error = %e, "the last search statistics could not be written");
    }
    hub.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
