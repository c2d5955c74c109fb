//! The application core. Every write goes through here: checked against the
//! model, written in one store transaction with a change-log entry, then the
//! change sequence is advanced so caches drop what they hold. Every read
//! policy (which stage a caller sees, which fields are internal) is decided
//! here too. GraphQL, the CLI, import and the scheduler call the hub and never
//! the store directly.

mod answer;
mod changes;
mod check;
mod documents;
mod eligibility;
mod follow;
mod import;
mod index;
mod item;
mod publish;
mod read;
mod render;
mod revise;
mod rows;
mod search;
mod sessions;
mod stats;
mod tokens;
mod users;
mod webhooks;
mod worklist;
mod write;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub use answer::{Answer, DEFAULT_HANDOVER_HOURS, MAX_QUESTION_CHARS, WEAK_MATCH};
pub use changes::{ALL_EVENTS, DEFAULT_AFFECTED, Event, FeedFilter, MAX_AFFECTED, PUBLIC_EVENTS};
pub use check::CheckReport;
pub use documents::{DocumentMap, DocumentsAdded, NewDocument, document_hash};
pub use eligibility::{ConditionCheck, Eligibility, NextQuestion};
pub use import::{ImportRecord, ImportReport, MatchBy};
pub use index::IndexCheck;
pub use item::{ItemView, slugify};
pub use read::{DEFAULT_PAGE, ItemKey, ListPage, ListRequest, MAX_PAGE};
pub use revise::Deleted;
pub use search::{SearchPage, SearchQuery};
pub use sessions::{IDLE_MINUTES, NewSession, SESSION_HOURS, Session};
pub use stats::{DEFAULT_CHANNEL, DEFAULT_RETENTION_DAYS, SearchCount, SearchStats, kept_query};
pub use tokens::NewToken;
pub use users::{MIN_PASSWORD_CHARS, NewUser};
pub use webhooks::{
    DELIVERY_LOG_DAYS, MAX_ATTEMPTS, NewWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    WEBHOOK_ID_HEADER, Webhook, WebhookInput, refused_address, sign,
};
pub use worklist::{EXPIRING_DAYS, WORK_LIMIT, Worklist};
pub use write::{NewItem, Patch, Written};

use crate::error::{Error, Result};
use crate::model::ContentModel;
pub use crate::store::BackupInfo;
use crate::store::{Stage, Store};

/// What a caller may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// No token: published content, public fields.
    Anonymous,
    /// KCC agent: adds fields shown only in internal channels.
    Agent,
    /// Sees drafts, creates and edits content.
    Editor,
    /// Publishes, unpublishes, schedules, sets facts.
    Publisher,
    /// Manages tokens.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::Agent => "agent",
            Role::Editor => "editor",
            Role::Publisher => "publisher",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "agent" => Ok(Role::Agent),
            "editor" => Ok(Role::Editor),
            "publisher" => Ok(Role::Publisher),
            "admin" => Ok(Role::Admin),
            other => Err(Error::BadInput(format!(
                "unknown role `{other}`; use agent, editor, publisher or admin"
            ))),
        }
    }

    /// The content a read by this role sees.
    pub fn stage(self) -> Stage {
        if self >= Role::Editor {
            Stage::Latest
        } else {
            Stage::Published
        }
    }

    pub fn sees_internal(self) -> bool {
        self >= Role::Agent
    }
}

/// Who is asking: a role, a name for the revision log, and for people who
/// log in to the editor UI, their team (publishing rights can be scoped to
/// the team that owns an item; see `publish.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Viewer {
    pub role: Role,
    pub name: String,
    pub team: Option<String>,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer {
            role: Role::Anonymous,
            name: "anonymous".into(),
            team: None,
        }
    }

    /// The operator at the command line: all rights.
    pub fn cli() -> Viewer {
        Viewer {
            role: Role::Admin,
            name: "cli".into(),
            team: None,
        }
    }

    pub(crate) fn require(&self, role: Role, action: &str) -> Result<()> {
        if self.role >= role {
            Ok(())
        } else if self.role == Role::Anonymous {
            Err(Error::Unauthenticated(format!(
                "{action} needs a token with role {} or higher; send it as `Authorization: Bearer <token>`",
                role.as_str()
            )))
        } else {
            Err(Error::Forbidden(format!(
                "{action} needs role {} or higher; your token has role {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }
}

pub struct Hub {
    model: Arc<ContentModel>,
    store: Store,
    /// The newest change-log sequence this process has committed or seen.
    seq: AtomicI64,
    tokens: tokens::TokenCache,
    follower: follow::Follower,
    /// The search index, when this process keeps one (`bron serve`).
    search: std::sync::OnceLock<Arc<crate::search::SearchIndex>>,
    /// One index sync at a time (see `search.rs`).
    index_sync: tokio::sync::Mutex<()>,
    /// Searches counted since the last flush (see `stats.rs`).
    stats: stats::SearchCounter,
    /// Renderings and fact values at the sequence they were made at.
    renders: render::RenderCache,
    /// How long a hand-over code lasts, in ms.
    handover_ms: AtomicI64,
    /// Failed logins of the editor UI (see `sessions.rs`).
    throttle: sessions::Throttle,
    /// Owner teams for the worklist's filter (see `worklist.rs`).
    teams: worklist::TeamCache,
    /// Registered GraphQL documents (see `documents.rs`).
    documents: documents::DocumentCache,
    /// Webhook settings and HTTP clients (see `webhooks/`).
    webhooks: webhooks::WebhookSettings,
    /// This process's metrics; the store records its writes into them.
    metrics: crate::metrics::Metrics,
}

impl Hub {
    pub async fn new(model: Arc<ContentModel>, mut store: Store) -> Result<Hub> {
        let seq = store.last_seq().await?;
        let metrics = crate::metrics::Metrics::new();
        store.time_writes(metrics.store_write_histogram());
        Ok(Hub {
            model,
            store,
            seq: AtomicI64::new(seq),
            tokens: tokens::TokenCache::default(),
            follower: follow::Follower::new(seq),
            search: std::sync::OnceLock::new(),
            index_sync: tokio::sync::Mutex::new(()),
            stats: stats::SearchCounter::default(),
            renders: render::RenderCache::default(),
            handover_ms: AtomicI64::new(i64::from(answer::DEFAULT_HANDOVER_HOURS) * 3_600_000),
            throttle: sessions::Throttle::default(),
            teams: worklist::TeamCache::default(),
            documents: documents::DocumentCache::default(),
            webhooks: webhooks::WebhookSettings::default(),
            metrics,
        })
    }

    pub fn model(&self) -> &Arc<ContentModel> {
        &self.model
    }

    /// The metrics of this process (`/metrics`).
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The change sequence: it grows with every committed write, before the
    /// write returns, so a cache entry made at an older sequence is stale.
    pub fn seq(&self) -> i64 {
        self.seq.load(Ordering::Acquire)
    }

    fn advance(&self, seq: i64) {
        self.seq.fetch_max(seq, Ordering::AcqRel);
    }

    pub async fn ready(&self) -> bool {
        self.store.ping().await
    }

    pub async fn item_count(&self) -> Result<i64> {
        self.store.count_items().await
    }

    /// Every item, for export. Editors and up.
    pub async fn export_rows(&self, viewer: &Viewer) -> Result<Vec<crate::domain::ItemRow>> {
        viewer.require(Role::Editor, "exporting")?;
        self.store.all_items().await
    }

    /// A consistent copy of the whole store at `path` (which must not
    /// exist), made while writes go on; what it holds. Admins only.
    pub async fn backup(&self, viewer: &Viewer, path: &std::path::Path) -> Result<BackupInfo> {
        viewer.require(Role::Admin, "making a backup")?;
        self.store.backup_to(path).await?;
        Store::inspect(path).await
    }

    /// Checks that `path` is a whole Bron database; what it holds.
    pub async fn inspect_backup(path: &std::path::Path) -> Result<BackupInfo> {
        Store::inspect(path).await
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn ms_to_datetime(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    crate::model::values::format_datetime(t)
}

pub fn datetime_to_ms(s: &str) -> std::result::Result<i64, String> {
    let t = crate::model::values::parse_datetime(s)?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}
