//! The label values: a fixed enum for each label, so no series is named
//! after anything a caller sent and their number is known at start-up.

/// What kind of request the HTTP layer answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A GraphQL query (GET or POST).
    Query,
    /// A GraphQL mutation.
    Mutation,
    /// A POST of several operations at once.
    Batch,
    /// A GraphQL request naming its query by hash (automatic persisted
    /// queries), whether the hash was known or not.
    Persisted,
    /// The editor UI (`/admin`).
    Admin,
    /// Everything else: `/healthz`, the SDL, GraphiQL, unknown paths, and
    /// requests to `/graphql` refused before an operation could be read.
    Other,
}

impl RequestKind {
    pub const ALL: [RequestKind; 6] = [
        RequestKind::Query,
        RequestKind::Mutation,
        RequestKind::Batch,
        RequestKind::Persisted,
        RequestKind::Admin,
        RequestKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Query => "query",
            RequestKind::Mutation => "mutation",
            RequestKind::Batch => "batch",
            RequestKind::Persisted => "persisted",
            RequestKind::Admin => "admin",
            RequestKind::Other => "other",
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A 4xx, or a GraphQL request refused as a whole (it did not parse or
    /// validate, or was too expensive) even when answered with 200.
    ClientError,
    /// A 5xx.
    ServerError,
    /// 304: the caller's copy is still current.
    NotModified,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Ok,
        Outcome::ClientError,
        Outcome::ServerError,
        Outcome::NotModified,
    ];

    /// The outcome an HTTP status says.
    pub fn of_status(status: u16) -> Outcome {
        match status {
            304 => Outcome::NotModified,
            500.. => Outcome::ServerError,
            400.. => Outcome::ClientError,
            _ => Outcome::Ok,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ClientError => "client_error",
            Outcome::ServerError => "server_error",
            Outcome::NotModified => "not_modified",
        }
    }
}

/// What follows the change log in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follower {
    /// The response cache, token cache and renderings (`hub/follow.rs`).
    Caches,
    /// The search index (`hub/index.rs`).
    SearchIndex,
}

impl Follower {
    pub fn as_str(self) -> &'static str {
        match self {
            Follower::Caches => "caches",
            Follower::SearchIndex => "search_index",
        }
    }
}

/// The scheduler's jobs (`server::spawn_scheduler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerTask {
    /// Scheduled publishes and unpublishes, every second.
    Schedules,
    /// Deleting expired hand-over codes, every minute.
    Handovers,
    /// Deleting ended editor sessions, every minute.
    Sessions,
}

impl SchedulerTask {
    pub const ALL: [SchedulerTask; 3] = [
        SchedulerTask::Schedules,
        SchedulerTask::Handovers,
        SchedulerTask::Sessions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchedulerTask::Schedules => "schedules",
            SchedulerTask::Handovers => "handovers",
            SchedulerTask::Sessions => "sessions",
        }
    }
}

/// How one webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// Another answer, a timeout or no connection; it will be tried again.
    Failed,
    /// Failed for the last time: no more attempts.
    GaveUp,
}

impl WebhookOutcome {
    pub const ALL: [WebhookOutcome; 3] = [
        WebhookOutcome::Delivered,
        WebhookOutcome::Failed,
        WebhookOutcome::GaveUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Delivered => "delivered",
            WebhookOutcome::Failed => "failed",
            WebhookOutcome::GaveUp => "gave_up",
        }
    }
}
