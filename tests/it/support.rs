//! Shared set-up: a hub on a fresh SQLite file, the router, tokens, and a
//! helper to send GraphQL requests through the router.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bron::graphql::Api;
use bron::hub::{Hub, Role, Viewer};
use bron::model::ContentModel;
use bron::store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn shared_data(rel: &str) -> PathBuf {
    repo().join("../shared/data").join(rel)
}

pub struct TestHub {
    pub hub: Arc<Hub>,
    pub app: Router,
    pub dir: tempfile::TempDir,
}

/// A hub with the shipped model on an empty database file.
pub async fn empty_hub() -> TestHub {
    hub_with_model(&repo().join("content-model")).await
}

pub async fn hub_with_model(model_dir: &Path) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    let model = ContentModel::load(model_dir).unwrap();
    let store = Store::open(&dir.path().join("bron.db")).await.unwrap();
    let hub = Arc::new(Hub::new(Arc::new(model), store).await.unwrap());
    let api = Arc::new(Api::new(hub.clone()).unwrap());
    let app = bron::http::app(api);
    TestHub { hub, app, dir }
}

/// A hub with a search index on disk in its directory (as `bron serve`
/// opens it), loaded with the example content.
pub async fn searchable_hub() -> TestHub {
    let t = empty_hub().await;
    bron::server::open_search(&t.hub, t.dir.path(), &repo().join("content-model"))
        .await
        .unwrap();
    bron::server::seed_if_empty(&t.hub, &repo().join("examples/content"))
        .await
        .unwrap();
    t
}

/// A hub loaded with the example content.
pub async fn example_hub() -> TestHub {
    let t = empty_hub().await;
    bron::server::seed_if_empty(&t.hub, &repo().join("examples/content"))
        .await
        .unwrap();
    t
}

impl TestHub {
    pub async fn token(&self, role: Role) -> String {
        let name = format!("{}-{}", role.as_str(), rand_suffix());
        self.hub
            .create_token(&Viewer::cli(), &name, role)
            .await
            .unwrap()
            .secret
    }

    /// POSTs a GraphQL request; returns the status and the JSON body.
    pub async fn post(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let mut req = Request::post("/graphql").header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, value)
    }

    /// Runs a GraphQL request that must succeed; returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(token, query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Sets a fact's value and publishes it, as a publisher does.
    pub async fn set_fact(&self, publisher: &str, slug: &str, value: &str) {
        self.ok(
            Some(publisher),
            "mutation($s: String!, $v: String!) { setFact(slug: $s, value: $v) { item { id } } }",
            json!({"s": slug, "v": value}),
        )
        .await;
    }

    /// Runs a GraphQL request that must fail; returns the first error.
    pub async fn err(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (_, body) = self.post(token, query, variables).await;
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors: {body}"));
        errors[0].clone()
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

/// The error code of a GraphQL error.
pub fn code(err: &Value) -> &str {
    err["extensions"]["code"].as_str().unwrap_or("")
}
