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

/// A router over the same hub in trusted-documents mode.
fn trusted(t: &crate::support::TestHub) -> axum::Router {
    let api = std::sync::Arc::new(bron::graphql::Api::new(t.hub.clone()).unwrap());
    let options = bron::http::HttpOptions {
        trusted_documents: true,
        ..Default::default()
    };
    bron::http::app_with(api, options)
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn with_trusted_documents_the_public_runs_only_registered_ones_and_tokens_anything() {
    use bron::hub::{NewDocument, Role, Viewer};
    let t = example_hub().await;
    let added = t
        .hub
        .add_documents(
            &Viewer::cli(),
            vec![NewDocument {
                id: Some(format!("sha256:{}", hash(QUERY))),
                name: None,
                body: QUERY.into(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(added.added, 1);
    let app = trusted(&t);
    let vars = json!({"s": "paspoort-aanvragen"});
    // By id, over POST (documentId), GET and Apollo's extension.
    let (status, body) = send(
        &app,
        post(json!({"documentId": format!("sha256:{}", hash(QUERY)), "variables": vars})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["product"]["title"], "Paspoort aanvragen");
    let get = format!(
        "/graphql?documentId=sha256:{}&variables={}",
        hash(QUERY),
        enc(&vars.to_string())
    );
    let (status, body) = send(&app, Request::get(get).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["product"]["title"], "Paspoort aanvragen");
    // By its exact text.
    let (status, _) = send(&app, post(json!({"query": QUERY, "variables": vars}))).await;
    assert_eq!(status, StatusCode::OK);
    // Anything else is refused, and not learnt through APQ either.
    let other = "{ products(first: 100) { nodes { title } } }";
    let (status, body) = send(&app, post(json!({"query": other}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_IN_LIST"
    );
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash(other)}});
    let (status, _) = send(&app, post(json!({"query": other, "extensions": ext}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = send(&app, post(json!({"extensions": ext}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_IN_LIST"
    );
    // A batch is held to the same rule, operation by operation.
    let (_, body) = send(
        &app,
        post(json!([{"query": QUERY, "variables": vars}, {"query": other}])),
    )
    .await;
    assert_eq!(body[0]["data"]["product"]["title"], "Paspoort aanvragen");
    assert_eq!(
        body[1]["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_IN_LIST"
    );
    // A caller with a token is not bound.
    let agent = t.token(Role::Agent).await;
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {agent}"))
        .body(Body::from(json!({"query": other}).to_string()))
        .unwrap();
    let (status, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Removing it takes effect at once.
    t.hub
        .remove_document(&Viewer::cli(), &hash(QUERY))
        .await
        .unwrap();
    let (status, _) = send(&app, post(json!({"query": QUERY, "variables": vars}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_registered_document_is_found_by_hash_without_the_mode_and_a_wrong_id_is_refused() {
    use bron::hub::{NewDocument, Viewer};
    let t = example_hub().await;
    let wrong = t
        .hub
        .add_documents(
            &Viewer::cli(),
            vec![NewDocument {
                id: Some(hash("{ something { else } }")),
                name: Some("Wrong".into()),
                body: QUERY.into(),
            }],
        )
        .await
        .unwrap_err();
    assert!(
        wrong.to_string().contains("not the SHA-256 of its text"),
        "{wrong}"
    );
    t.hub
        .add_documents(
            &Viewer::cli(),
            vec![NewDocument {
                id: None,
                name: None,
                body: QUERY.into(),
            }],
        )
        .await
        .unwrap();
    // The first hash-only request already runs: no APQ round trip.
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash(QUERY)}});
    let (status, body) = t
        .send(post(
            json!({"extensions": ext, "variables": {"s": "paspoort-aanvragen"}}),
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["product"]["title"], "Paspoort aanvragen");
}

#[test]
fn documents_are_registered_from_the_manifests_clients_write_all_or_nothing() {
    use crate::cli::{bron, run};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let q = "query Paspoort { product(slug: \"paspoort-aanvragen\") { title } }";
    let id = hash(q);
    let apollo = dir.path().join("persisted-query-manifest.json");
    std::fs::write(
        &apollo,
        json!({"format": "apollo-persisted-query-manifest", "version": 1,
               "operations": [{"id": id, "name": "Paspoort", "type": "query", "body": q}]})
        .to_string(),
    )
    .unwrap();
    let relay_bad = dir.path().join("persisted_queries.json");
    std::fs::write(
        &relay_bad,
        json!({"0123abcd": "{ viewer { role } }"}).to_string(),
    )
    .unwrap();
    let broken = dir.path().join("broken.graphql");
    std::fs::write(&broken, "query { product(slug: ").unwrap();
    // A wrong id or a broken document: nothing is registered.
    let (ok, _, err) = run(bron(&data)
        .args(["documents", "add"])
        .arg(&apollo)
        .arg(&relay_bad));
    assert!(!ok);
    assert!(err.contains("not the SHA-256"), "{err}");
    let (ok, _, err) = run(bron(&data).args(["documents", "add"]).arg(&broken));
    assert!(!ok);
    assert!(
        err.contains("broken.graphql") && err.contains("not a GraphQL document"),
        "{err}"
    );
    let (_, list, _) = run(bron(&data).args(["documents", "list"]));
    assert_eq!(list.trim(), "");
    let (ok, _, err) = run(bron(&data).args(["documents", "add"]).arg(&apollo));
    assert!(ok, "{err}");
    assert!(err.contains("Registered 1 new"), "{err}");
    let (_, list, _) = run(bron(&data).args(["documents", "list"]));
    assert!(
        list.starts_with(&format!("sha256:{id}\tPaspoort\t")),
        "{list}"
    );
    let (ok, _, err) = run(bron(&data).args(["documents", "add"]).arg(&apollo));
    assert!(ok && err.contains("1 were registered already"), "{err}");
}
