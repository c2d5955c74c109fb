//! The one error type of the crate. Every variant has a stable machine
//! [`Error::code`] that GraphQL puts in `extensions.code` and HTTP puts in its
//! JSON bodies; the message is for people and says what to do.

use std::fmt;

/// A problem with one field of an item, with the path of that field
/// (`fields.title`, `fields.steps[2]`, `slug`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// The same problem in plain Dutch, for the editor UI (which falls back
    /// to `message` where there is none). Not part of the API's errors.
    #[serde(skip)]
    pub dutch: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
            dutch: None,
        }
    }

    /// Adds the Dutch wording of the problem.
    pub fn nl(mut self, dutch: impl Into<String>) -> FieldError {
        self.dutch = Some(dutch.into());
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid content: {}", join(.0))]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    BadInput(String),
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{0}")]
    DuplicateSlug(String),
    #[error("{0}")]
    DuplicateExternalId(String),
    #[error(
        "version conflict: you edited version {expected}, but the item is now at version {actual}; reload it and apply your change again"
    )]
    VersionConflict { expected: i64, actual: i64 },
    #[error("{0}")]
    ReferenceNotPublished(String),
    #[error("{0}")]
    StillReferenced(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{file}:{line}: {message}")]
    Import {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    StoreBusy(String),
    /// Too many failed logins for a name or from an address; nothing was
    /// checked. Try again after `retry_after_seconds`.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        retry_after_seconds: u64,
    },
    #[error("{0}")]
    SearchUnavailable(String),
    #[error("database error: {0}")]
    Store(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Internal(String),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "VALIDATION_FAILED",
            Error::BadInput(_) => "BAD_USER_INPUT",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::DuplicateSlug(_) => "DUPLICATE_SLUG",
            Error::DuplicateExternalId(_) => "DUPLICATE_EXTERNAL_ID",
            Error::VersionConflict { .. } => "VERSION_CONFLICT",
            Error::ReferenceNotPublished(_) => "REFERENCE_NOT_PUBLISHED",
            Error::StillReferenced(_) => "STILL_REFERENCED",
            Error::InvalidState(_) => "INVALID_STATE",
            Error::Unauthenticated(_) => "UNAUTHENTICATED",
            Error::Forbidden(_) => "FORBIDDEN",
            Error::Import { .. } => "IMPORT_FAILED",
            Error::StoreBusy(_) => "STORE_BUSY",
            Error::TooManyAttempts { .. } => "TOO_MANY_ATTEMPTS",
            Error::SearchUnavailable(_) => "SEARCH_UNAVAILABLE",
            Error::Store(_) | Error::Migrate(_) | Error::Internal(_) => "INTERNAL",
        }
    }

    /// HTTP status for this error when it is the whole answer.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Unauthenticated(_) => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound { .. } => 404,
            Error::VersionConflict { .. }
            | Error::DuplicateSlug(_)
            | Error::DuplicateExternalId(_)
            | Error::StillReferenced(_)
            | Error::ReferenceNotPublished(_)
            | Error::InvalidState(_) => 409,
            Error::Validation(_) | Error::BadInput(_) | Error::Import { .. } => 400,
            Error::TooManyAttempts { .. } => 429,
            Error::StoreBusy(_) | Error::SearchUnavailable(_) => 503,
            Error::Store(_) | Error::Migrate(_) | Error::Internal(_) => 500,
        }
    }

    /// The field problems, when this is a validation error.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Validation(v) => v,
            _ => &[],
        }
    }

    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound { what: what.into() }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    /// Adds a Dutch wording to a one-field validation error.
    pub fn with_dutch(self, dutch: impl Into<String>) -> Error {
        match self {
            Error::Validation(mut v) if v.len() == 1 => {
                let e = v.remove(0).nl(dutch);
                Error::Validation(vec![e])
            }
            other => other,
        }
    }
}

/// Seconds a caller should wait before retrying a `STORE_BUSY` write.
pub const RETRY_AFTER_SECONDS: u64 = 1;

impl From<sqlx::Error> for Error {
    /// A store that another writer holds longer than the wait allows (an
    /// import in another process, a write queue that does not drain) is a
    /// specific, retryable error, not an internal one.
    fn from(e: sqlx::Error) -> Error {
        let busy = match &e {
            sqlx::Error::PoolTimedOut => true,
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with extended codes.
            sqlx::Error::Database(db) => db
                .code()
                .and_then(|c| c.parse::<i64>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
            _ => false,
        };
        if busy {
            Error::StoreBusy(format!(
                "the store is busy with another write (such as a large import); nothing was changed, try again in {RETRY_AFTER_SECONDS} s"
            ))
        } else {
            Error::Store(e)
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
