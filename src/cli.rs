//! The `bron` command line: serve, import, export, backup, restore, check,
//! reindex, token, user, webhook, documents, schema.
//! Every subcommand takes `--data-dir` (default `./data`, or `BRON_DATA_DIR`)
//! and `--model-dir` (default `./content-model`, or `BRON_MODEL_DIR`).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::hub::Viewer;
use crate::import::{ImportOptions, export_lines, import_path};
use crate::model::ContentModel;
use crate::server::{ServeConfig, open_hub, open_hub_with};

mod accounts;
mod documents;
mod webhooks;

#[derive(Parser)]
#[command(
    name = "bron",
    version,
    about = "Bron: one source, every channel. A structured-content hub for public service."
)]
pub struct Cli {
    /// Log lines as text for people, or as JSON objects for a log collector.
    #[arg(long, global = true, env = "BRON_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    /// Where Bron keeps its SQLite database.
    #[arg(long, global = true, env = "BRON_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The content model: one TOML file per type plus channels.toml.
    #[arg(
        long,
        global = true,
        env = "BRON_MODEL_DIR",
        default_value = "content-model"
    )]
    pub model_dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (GraphiQL at /graphql in a browser).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BRON_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Content loaded into an empty store at start-up.
        #[arg(long, env = "BRON_SEED", default_value = "examples/content")]
        seed: PathBuf,
        /// Days of search statistics kept; older days are deleted.
        #[arg(long, env = "BRON_SEARCH_STATS_DAYS", default_value_t = crate::hub::DEFAULT_RETENTION_DAYS)]
        search_stats_days: u32,
        /// Hours a hand-over code (gesprekscode) stays valid.
        #[arg(long, env = "BRON_HANDOVER_HOURS", default_value_t = crate::hub::DEFAULT_HANDOVER_HOURS, value_parser = clap::value_parser!(u32).range(1..=720))]
        handover_hours: u32,
        /// Origins whose pages may call the API from a browser (CORS),
        /// comma-separated, such as https://www.gemeente.nl; `*` for any.
        /// None by default.
        #[arg(long, env = "BRON_CORS_ORIGINS", default_value = "")]
        cors_origins: String,
        /// `Cache-Control` of anonymous GET answers (they also get an ETag),
        /// such as "public, max-age=60, stale-while-revalidate=600".
        #[arg(long, env = "BRON_CACHE_CONTROL", default_value = crate::http::caching::DEFAULT_CACHE_CONTROL)]
        cache_control: String,
        /// GraphiQL at GET /graphql for browsers: `on` or `off`.
        #[arg(long, env = "BRON_GRAPHIQL", default_value = "on", value_parser = ["on", "off"])]
        graphiql: String,
        /// Serve GraphiQL's four script and style files from this directory
        /// instead of unpkg.com (README: "Running Bron in production").
        #[arg(long, env = "BRON_GRAPHIQL_ASSETS")]
        graphiql_assets: Option<PathBuf>,
        /// Who may ask for the schema (introspection, /graphql/schema.graphql):
        /// `public`, or `token` for callers with a token only.
        #[arg(long, env = "BRON_INTROSPECTION", default_value = "public", value_parser = ["public", "token"])]
        introspection: String,
        /// Callers without a token may run only the documents registered
        /// with `bron documents add` (by id, or by their exact text).
        #[arg(long, env = "BRON_TRUSTED_DOCUMENTS")]
        trusted_documents: bool,
        /// Let webhooks reach loopback and private-network addresses (off:
        /// a webhook must not become a way into the internal network).
        #[arg(long, env = "BRON_WEBHOOKS_ALLOW_PRIVATE")]
        webhooks_allow_private: bool,
        /// Seconds before the first retry of a failed webhook delivery;
        /// each next retry waits twice as long, up to an hour.
        #[arg(long, env = "BRON_WEBHOOK_FIRST_RETRY", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
        webhook_first_retry: u64,
        /// Serve Prometheus metrics at /metrics on this address, such as
        /// 127.0.0.1:9184 (never on --listen; no token asked: choose an
        /// interface only the scraper reaches). Off when not given.
        #[arg(long, env = "BRON_METRICS_LISTEN")]
        metrics_listen: Option<String>,
        /// One log line per request: `on` or `off`.
        #[arg(long, env = "BRON_REQUEST_LOG", default_value = "on", value_parser = ["on", "off"])]
        request_log: String,
    },
    /// Import a JSON Lines file or a directory of them (Bron format or Rijksoverheid VAC), all or nothing.
    Import {
        path: PathBuf,
        /// Publish imported VAC questions at once (they arrive as drafts otherwise).
        #[arg(long)]
        publish: bool,
    },
    /// Write a consistent copy of the store to PATH, also while `bron serve`
    /// runs and writes.
    Backup { path: PathBuf },
    /// Bring a backup back as the store (stop `bron serve` first); the
    /// search index is rebuilt from it.
    Restore { path: PathBuf },
    /// Export every item as JSON Lines to PATH (`-` for standard output).
    Export { path: PathBuf },
    /// Validate the content model and lint the content.
    Check,
    /// Rebuild the search index from the store (stop `bron serve` first).
    Reindex {
        /// Do not rebuild: compare the index with the store, item by item,
        /// and fail when they disagree.
        #[arg(long)]
        check: bool,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: accounts::TokenCommand,
    },
    /// Manage accounts of the editor UI.
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// Register the GraphQL documents a production site may run (see
    /// `serve --trusted-documents`).
    Documents {
        #[command(subcommand)]
        command: documents::DocumentsCommand,
    },
    /// Manage webhooks (also possible through GraphQL with an admin token).
    Webhook {
        #[command(subcommand)]
        command: webhooks::WebhookCommand,
    },
    /// Print the GraphQL schema generated from the model (or write it to --out).
    Schema {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let viewer = Viewer::cli();
    match cli.command {
        Command::Serve {
            listen,
            seed,
            search_stats_days,
            handover_hours,
            cors_origins,
            cache_control,
            graphiql,
            graphiql_assets,
            introspection,
            trusted_documents,
            webhooks_allow_private,
            webhook_first_retry,
            metrics_listen,
            request_log,
        } => {
            let mut http = crate::http::HttpOptions::new(&cors_origins, &cache_control)
                .map_err(|e| anyhow::anyhow!(e))?;
            http.graphiql = match (graphiql.as_str(), graphiql_assets) {
                ("off", _) => crate::http::graphiql::Graphiql::Off,
                (_, Some(dir)) => crate::http::graphiql::Graphiql::local(dir)
                    .map_err(|e| anyhow::anyhow!("--graphiql-assets: {e}"))?,
                _ => crate::http::graphiql::Graphiql::Cdn,
            };
            http.public_introspection = introspection == "public";
            http.trusted_documents = trusted_documents;
            http.log_requests = request_log == "on";
            // Requests are counted only when someone can read the counts.
            http.metrics = metrics_listen.is_some();
            crate::server::serve(ServeConfig {
                data_dir: cli.data_dir,
                model_dir: cli.model_dir,
                listen,
                seed,
                search_stats_days,
                handover_hours,
                http,
                webhooks_allow_private,
                webhook_first_retry: std::time::Duration::from_secs(webhook_first_retry),
                metrics_listen,
            })
            .await
        }
        Command::Backup { path } => {
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            let info = hub.backup(&viewer, &path).await;
            hub.close().await;
            let info = info?;
            eprintln!(
                "Backed up {} items and {} revisions, up to change {}, to {} ({} KB).",
                info.items,
                info.revisions,
                info.seq,
                path.display(),
                info.bytes / 1024
            );
            Ok(())
        }
        Command::Restore { path } => {
            let info = crate::server::restore(&cli.data_dir, &cli.model_dir, &path).await?;
            eprintln!(
                "Restored {} items and {} revisions, up to change {}, and rebuilt the search index.",
                info.items, info.revisions, info.seq
            );
            Ok(())
        }
        Command::Import { path, publish } => {
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            let started = std::time::Instant::now();
            let report = import_path(
                &hub,
                &viewer,
                &path,
                ImportOptions {
                    publish_foreign: publish,
                },
            )
            .await?;
            println!(
                "imported {}: {} created, {} updated, {} unchanged in {:.2} s",
                path.display(),
                report.created,
                report.updated,
                report.unchanged,
                started.elapsed().as_secs_f64()
            );
            hub.close().await;
            Ok(())
        }
        Command::Export { path } => {
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            let rows = hub.export_rows(&viewer).await?;
            let text = export_lines(hub.model(), &rows)?;
            if path.as_os_str() == "-" {
                print!("{text}");
            } else {
                std::fs::write(&path, &text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("exported {} items to {}", rows.len(), path.display());
            }
            hub.close().await;
            Ok(())
        }
        Command::Check => {
            let model = ContentModel::load(&cli.model_dir)?;
            println!(
                "content model: {} types, {} channels: ok",
                model.types.len(),
                model.channels.len()
            );
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            let today = crate::model::values::format_date(time::OffsetDateTime::now_utc().date());
            let report = hub.check(&viewer, &today).await?;
            for w in &report.warnings {
                println!("warning: {w}");
            }
            for e in &report.errors {
                println!("error: {e}");
            }
            println!(
                "content: {} items, {} errors, {} warnings",
                report.items,
                report.errors.len(),
                report.warnings.len()
            );
            hub.close().await;
            if report.errors.is_empty() {
                Ok(())
            } else {
                anyhow::bail!("the content has {} errors", report.errors.len())
            }
        }
        Command::Reindex { check: true } => {
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            crate::server::open_search(&hub, &cli.data_dir, &cli.model_dir).await?;
            let report = hub.check_index().await?;
            hub.close().await;
            for (stage, id) in &report.missing {
                println!(
                    "missing from the index ({}): {id}",
                    crate::search::stage_name(*stage)
                );
            }
            for (stage, id) in &report.extra {
                println!(
                    "in the index but not in the store ({}): {id}",
                    crate::search::stage_name(*stage)
                );
            }
            println!(
                "index at change {} of {}: {} missing, {} extra",
                report.applied_seq,
                report.store_seq,
                report.missing.len(),
                report.extra.len()
            );
            if report.agrees() {
                Ok(())
            } else {
                anyhow::bail!("the search index and the store disagree; run `bron reindex`")
            }
        }
        Command::Reindex { check: false } => {
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            crate::server::open_search(&hub, &cli.data_dir, &cli.model_dir).await?;
            let started = std::time::Instant::now();
            let items = hub.rebuild_index().await?;
            println!(
                "rebuilt the search index from {items} items in {:.2} s",
                started.elapsed().as_secs_f64()
            );
            hub.close().await;
            Ok(())
        }
        Command::Token { command } => {
            // Tokens do not depend on the content model.
            let hub = open_hub_with(&cli.data_dir, ContentModel::default()).await?;
            let done = accounts::tokens(&hub, command).await;
            hub.close().await;
            done
        }
        Command::User { command } => {
            let hub = open_hub_with(&cli.data_dir, ContentModel::default()).await?;
            let done = accounts::users(&hub, command).await;
            hub.close().await;
            done
        }
        Command::Documents { command } => {
            let hub = open_hub_with(&cli.data_dir, ContentModel::default()).await?;
            let done = documents::run(&hub, command).await;
            hub.close().await;
            done
        }
        Command::Webhook { command } => {
            let hub = open_hub(&cli.data_dir, &cli.model_dir).await?;
            let done = webhooks::run(&hub, command).await;
            hub.close().await;
            done
        }
        Command::Schema { out } => {
            let model = ContentModel::load(&cli.model_dir)?;
            let sdl = crate::graphql::sdl(&model).map_err(|e| anyhow::anyhow!("{e}"))?;
            match out {
                Some(p) => std::fs::write(&p, sdl)
                    .with_context(|| format!("cannot write {}", p.display()))?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
    }
}

/// A password of 20 letters and digits that cannot be mistaken for one another.
pub(crate) fn new_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
