//! The HTTP layer: the only module that knows axum. `/graphql` follows the
//! GraphQL-over-HTTP specification (POST with JSON, GET for queries,
//! `application/graphql-response+json` and `application/json`, 4xx for
//! requests that are not GraphQL at all); `/healthz` answers 200 once the
//! store is usable. Errors are JSON with `extensions.code`, like GraphQL's.
//! `/metrics` is not on this router: it has a listener of its own
//! (`metrics_app`, see `metrics.rs`).

mod admin;
mod batch;
pub mod caching;
pub mod cors;
mod front;
mod get;
pub mod graphiql;
mod graphql;
pub mod log;
pub mod metrics;
pub mod persisted;
pub mod request_lines;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::graphql::Api;

/// Requests larger than this are refused with 413 before they are parsed.
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// The API's answers from this size on are compressed for callers that
/// accept gzip or brotli.
const COMPRESS_FROM_BYTES: u16 = 1024;

/// The future of an answer made by one of our tower layers (`cors.rs`,
/// `front.rs`, `log.rs`).
type Answering = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Response, std::convert::Infallible>> + Send>,
>;

/// What an operator sets about the HTTP side.
#[derive(Clone)]
pub struct HttpOptions {
    /// Who may call the API from a browser on another site.
    pub cors: cors::Origins,
    /// `Cache-Control` of anonymous GET answers.
    pub cache_control: HeaderValue,
    /// Where GraphiQL's scripts come from, or that it is off.
    pub graphiql: graphiql::Graphiql,
    /// Whether callers without a token may ask for the schema
    /// (introspection and `/graphql/schema.graphql`).
    pub public_introspection: bool,
    /// Queries remembered by hash (automatic persisted queries).
    pub persisted: Arc<persisted::Persisted>,
    /// Callers without a token may run only registered documents.
    pub trusted_documents: bool,
    /// One log line per request (`log.rs`).
    pub log_requests: bool,
    /// Requests counted in the metrics, by kind and outcome.
    pub metrics: bool,
}

impl HttpOptions {
    /// From the command line: `--cors-origins` and `--cache-control`.
    pub fn new(cors_origins: &str, cache_control: &str) -> Result<HttpOptions, String> {
        let cors =
            cors::Origins::parse(cors_origins).map_err(|e| format!("--cors-origins: {e}"))?;
        let cache_control = HeaderValue::from_str(cache_control.trim())
            .ok()
            .filter(|_| !cache_control.trim().is_empty())
            .ok_or_else(|| format!("--cache-control: `{cache_control}` is not a header value"))?;
        Ok(HttpOptions {
            cors,
            cache_control,
            ..HttpOptions::default()
        })
    }
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            cors: cors::Origins::None,
            cache_control: HeaderValue::from_static(caching::DEFAULT_CACHE_CONTROL),
            graphiql: graphiql::Graphiql::Cdn,
            public_introspection: true,
            persisted: Arc::default(),
            trusted_documents: false,
            log_requests: true,
            metrics: true,
        }
    }
}

/// The whole HTTP application with the default options. Tests drive it
/// directly with `oneshot`.
pub fn app(api: Arc<Api>) -> Router {
    app_with(api, HttpOptions::default())
}

/// The HTTP application with an operator's options.
pub fn app_with(api: Arc<Api>, options: HttpOptions) -> Router {
    let origins = options.cors.clone();
    let options = Arc::new(options);
    let front = front::FrontLayer(Arc::new(front::Front {
        api: api.clone(),
        options: options.clone(),
    }));
    let observe = Arc::new(log::Observe {
        api: api.clone(),
        log: options.log_requests,
        count: options.metrics,
    });
    // The API's layers as one stack: axum clones a route's service for
    // every request, and each `Router::layer` would add a boxed level.
    let api_layers = tower::ServiceBuilder::new()
        .layer(cors::CorsLayer(Arc::new(origins)))
        .map_response(IntoResponse::into_response)
        // Answers of 1 KiB and more are compressed when the caller accepts
        // gzip or brotli (`Vary: Accept-Encoding` is added). Only the API:
        // the editor's pages carry CSRF tokens beside reflected input, which
        // compression would expose (BREACH).
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .br(true)
                .compress_when(tower_http::compression::predicate::SizeAbove::new(
                    COMPRESS_FROM_BYTES,
                )),
        )
        .layer(axum::Extension(options));
    let api_routes = Router::new()
        .route(
            "/graphql",
            get(get::get_graphql).post(graphql::post_graphql),
        )
        .route("/graphql/schema.graphql", get(schema_sdl))
        .route("/graphql/assets/{file}", get(graphiql::asset))
        .layer(api_layers);
    let routes = Router::new()
        .merge(api_routes)
        .route("/healthz", get(healthz))
        .merge(admin::router())
        .fallback(not_found)
        .with_state(api);
    // Around the whole router once, rather than around each route: the
    // front (repeated anonymous requests), and the log and metrics.
    let fronted = tower::Layer::layer(&front, routes);
    if observe.log || observe.count {
        let observed = tower::Layer::layer(&log::ObserveLayer(observe), fronted);
        Router::new().fallback_service(observed)
    } else {
        Router::new().fallback_service(fronted)
    }
}

/// The metrics listener's application: `GET /metrics` and nothing else.
pub fn metrics_app(api: Arc<Api>) -> Router {
    metrics::router(api)
}

async fn healthz(axum::extract::State(api): axum::extract::State<Arc<Api>>) -> Response {
    if api.hub().ready().await {
        json_response(
            StatusCode::OK,
            br#"{"status":"ok"}"#.to_vec(),
            "application/json",
        )
    } else {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "the store does not answer",
        )
    }
}

/// The schema as SDL, for people and for code generators that read files;
/// with a token only, when the operator turned public introspection off.
async fn schema_sdl(
    axum::extract::State(api): axum::extract::State<Arc<Api>>,
    axum::Extension(options): axum::Extension<Arc<HttpOptions>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let known = match token {
        Some(t) => api.hub().authenticate(t.trim()).await.is_ok(),
        None => false,
    };
    if !options.public_introspection && !known {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "the schema is only shown to callers with a token on this server",
        );
    }
    let mut r = (StatusCode::OK, api.sdl().to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("no such path `{}`; the API is at /graphql", uri.path()),
    )
}

pub(crate) fn json_response(
    status: StatusCode,
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
) -> Response {
    let mut r = (status, body.into()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A JSON error body shaped like a GraphQL response with one error.
pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    json_response(status, body.to_string(), "application/json")
}
