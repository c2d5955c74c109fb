//! `GET /metrics` in Prometheus's text format, on a listener of its own
//! (`bron serve --metrics-listen`), never on the API's port: a scraper
//! needs no token, and the numbers of a server's traffic, writes and
//! followers stay on the network the operator chooses (the loopback
//! interface or a management network). The API's port answers `/metrics`
//! with 404 like any unknown path. What is counted is `crate::metrics`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::graphql::Api;

/// The media type of Prometheus's text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(super::not_found)
        .with_state(api)
}

/// The gauges read at scrape time (sequences, follower lag, cache size),
/// then every series.
async fn metrics(State(api): State<Arc<Api>>) -> Response {
    let hub = api.hub();
    hub.observe_sequences().await;
    hub.metrics().set_cache_bytes(api.cache_weight());
    let mut r = (StatusCode::OK, hub.metrics().render()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
