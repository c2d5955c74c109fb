//! The domain's vocabulary, shared by every layer: the statuses and stages
//! of items, the records the hub hands upward (an item row, a revision, a
//! change-log entry, a token) and the keys lists are sorted by. Plain data:
//! no SQL and no rules. `store/` fills these records and the hub passes them
//! on, so `graphql/` and `import/` never name the store, and a second store
//! backend (PostgreSQL) fills the same records. (The `sqlx::FromRow` derives
//! are generic over the database.)

use std::str::FromStr;

use crate::error::{Error, Result};

/// Which content of an item a read sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The live snapshot; only published items have one.
    Published,
    /// The latest content, drafts included.
    Latest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }
}

impl FromStr for Status {
    type Err = Error;
    fn from_str(s: &str) -> Result<Status> {
        match s {
            "draft" => Ok(Status::Draft),
            "published" => Ok(Status::Published),
            "archived" => Ok(Status::Archived),
            other => Err(Error::BadInput(format!(
                "unknown status `{other}`; use draft, published or archived"
            ))),
        }
    }
}

/// One row of `items`, with both the latest and the published content as JSON text.
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: String,
    pub type_name: String,
    pub slug: String,
    pub locale: String,
    pub status: Status,
    pub version: i64,
    pub external_id: Option<String>,
    pub fields: String,
    pub published_version: Option<i64>,
    pub published_fields: Option<String>,
    pub review_by: Option<String>,
    pub publish_at: Option<i64>,
    pub unpublish_at: Option<i64>,
    pub schedule_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    /// The slug, external id and review date of the live revision: the
    /// public's address of the item, which a draft rename does not move.
    pub published_slug: Option<String>,
    pub published_external_id: Option<String>,
    pub published_review_by: Option<String>,
}

impl ItemRow {
    /// The content a read at `stage` sees.
    pub fn content(&self, stage: Stage) -> Option<&str> {
        match stage {
            Stage::Published => self.published_fields.as_deref(),
            Stage::Latest => Some(&self.fields),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub item_id: String,
    pub version: i64,
    pub author: String,
    pub created_at: i64,
    pub message: String,
    pub content: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub item_id: Option<String>,
    pub item_type: Option<String>,
    pub version: Option<i64>,
    pub detail: Option<String>,
}

/// A webhook as stored (`events` and `types` are JSON arrays).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub events: String,
    pub types: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub created_by: String,
    pub after_seq: i64,
}

/// One queued or sent webhook delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub first_seq: i64,
    pub last_seq: i64,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub response_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// How a sort key compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Text,
    Integer,
    Real,
}

/// What a list is ordered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderKey {
    Slug,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    ReviewBy,
    /// A single-valued model field.
    Field {
        name: String,
        kind: SortKind,
    },
}

/// A hand-over code and the content context it holds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HandoverRow {
    pub code: String,
    /// The question as typed, scrubbed of personal data.
    pub question: String,
    pub item_id: Option<String>,
    pub item_version: Option<i64>,
    pub channel: String,
    /// `weak_match`, `no_match`, `sensitive` or `asked_for_person`.
    pub reason: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// An account of the editor UI. `password_hash` is an argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub team: Option<String>,
    pub password_hash: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

/// A login session of the editor UI, with the account it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// Hex SHA-256 of the cookie value; the value itself is never stored.
    pub key_hash: String,
    pub csrf: String,
    #[sqlx(rename = "session_created_at")]
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    #[sqlx(flatten)]
    pub user: UserRow,
}

/// An item in short, as the editor UI's worklist and lists show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkRow {
    pub id: String,
    pub type_name: String,
    pub slug: String,
    pub locale: String,
    /// `draft`, `published` or `archived`.
    pub status: String,
    pub version: i64,
    pub published_version: Option<i64>,
    pub review_by: Option<String>,
    pub publish_at: Option<i64>,
    pub unpublish_at: Option<i64>,
    pub schedule_error: Option<String>,
    pub updated_at: i64,
    pub owner_team: Option<String>,
    /// The title field's latest value (the slug when it has none).
    pub title: Option<String>,
}
