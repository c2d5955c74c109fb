//! Automatic persisted queries as Apollo's link sends them: a hash alone
//! is not found at first, the hash with its query registers it, then the
//! hash alone runs it, over POST and GET; a wrong hash is refused.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::example_hub;

const QUERY: &str = "query($s: String!) { product(slug: $s) { title } }";

fn hash(q: &str) -> String {
    Sha256::digest(q.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn post(body: serde_json::Value) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_hash_is_not_found_then_registered_then_enough_over_post_and_get() {
    let t = example_hub().await;
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash(QUERY)}});
    let vars = json!({"s": "paspoort-aanvragen"});
    let (status, body) = t
        .send(post(json!({"variables": vars, "extensions": ext})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );

    let (status, body) = t
        .send(post(
            json!({"query": QUERY, "variables": vars, "extensions": ext}),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["product"]["title"], "Paspoort aanvragen",
        "{body}"
    );

    let (_, body) = t
        .send(post(json!({"variables": vars, "extensions": ext})))
        .await;
    assert_eq!(
        body["data"]["product"]["title"], "Paspoort aanvragen",
        "{body}"
    );

    let get = format!(
        "/graphql?variables={}&extensions={}",
        enc(&vars.to_string()),
        enc(&ext.to_string())
    );
    let (status, body) = t.send(Request::get(get).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["product"]["title"], "Paspoort aanvragen",
        "{body}"
    );
}

#[tokio::test]
async fn a_hash_that_is_not_its_querys_is_refused_and_stores_nothing() {
    let t = example_hub().await;
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash("{ __typename }")}});
    let (status, body) = t
        .send(post(json!({"query": QUERY, "extensions": ext})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_HASH_MISMATCH",
        "{body}"
    );
    let (_, body) = t.send(post(json!({"extensions": ext}))).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let bad = json!({"persistedQuery": {"version": 1, "sha256Hash": "abc"}});
    let (status, _) = t.send(post(json!({"extensions": bad}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
