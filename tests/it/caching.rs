//! HTTP caching of anonymous GET answers: an ETag that follows the change
//! log, 304 on a match, the operator's Cache-Control, `private, no-store`
//! with a token, and nothing cacheable about errors or hand-overs.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use bron::graphql::Api;
use bron::hub::{Role, Viewer};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{TestHub, example_hub};

const PAGE: &str = "/graphql?query=%7Bproduct(slug%3A%22paspoort-aanvragen%22)%7Btitle%7D%7D";

async fn get(app: &Router, path: &str, extra: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(path).header("accept", "application/json");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

async fn write(t: &TestHub) {
    t.hub
        .create(
            &Viewer::cli(),
            bron::hub::NewItem {
                type_name: "step".into(),
                fields: serde_json::from_value(
                    serde_json::json!({"title": "Nieuwe stap", "instruction": "Doe iets."}),
                )
                .unwrap(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_anonymous_get_gets_an_etag_and_304_until_something_changes() {
    let t = example_hub().await;
    let (status, h, body) = get(&t.app, PAGE, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tag = h.get("etag").unwrap().to_str().unwrap().to_string();
    assert_eq!(h.get("cache-control").unwrap(), "public, no-cache");
    let vary: Vec<_> = h
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        vary.iter()
            .any(|v| v.contains("Accept") && v.contains("Authorization")),
        "{vary:?}"
    );

    let (status, h, body) = get(&t.app, PAGE, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(h.get("etag").unwrap().to_str().unwrap(), tag);
    // Another query is another tag.
    let (_, h2, _) = get(&t.app, "/graphql?query=%7B__typename%7D", &[]).await;
    assert_ne!(h2.get("etag").unwrap().to_str().unwrap(), tag);

    // Any write moves the sequence: the old tag no longer matches.
    write(&t).await;
    let (status, h, body) = get(&t.app, PAGE, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Paspoort aanvragen"));
    assert_ne!(h.get("etag").unwrap().to_str().unwrap(), tag);
}

#[tokio::test]
async fn tokens_errors_and_hand_overs_are_not_cacheable() {
    let t = example_hub().await;
    let token = t.token(Role::Editor).await;
    let (status, h, _) = get(
        &t.app,
        PAGE,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.get("cache-control").unwrap(), "private, no-store");
    assert!(h.get("etag").is_none());

    let (_, h, _) = get(&t.app, "/graphql?query=%7Bnope%7D", &[]).await;
    assert_eq!(h.get("cache-control").unwrap(), "no-store");
    assert!(h.get("etag").is_none());

    // A chatbot answer may hand out a hand-over code: never cached.
    let (status, h, body) = get(
        &t.app,
        "/graphql?query=%7Banswer(question%3A%22ik%20wil%20een%20medewerker%20spreken%22)%7Bhandover%7Bcode%7D%7D%7D",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(h.get("etag").is_none(), "{body}");
}

#[tokio::test]
async fn the_operator_sets_cache_control() {
    let t = example_hub().await;
    let api = Arc::new(Api::new(t.hub.clone()).unwrap());
    let options =
        bron::http::HttpOptions::new("", "public, max-age=60, stale-while-revalidate=600").unwrap();
    let app = bron::http::app_with(api, options);
    let (_, h, _) = get(&app, PAGE, &[]).await;
    assert_eq!(
        h.get("cache-control").unwrap(),
        "public, max-age=60, stale-while-revalidate=600"
    );
    assert!(bron::http::HttpOptions::new("", "bad\nvalue").is_err());
    assert!(bron::http::HttpOptions::new("", "").is_err());
}

#[tokio::test]
async fn large_answers_are_compressed_for_callers_that_accept_it() {
    use std::io::Write;
    let t = example_hub().await;
    let query = serde_json::json!({"query": "{ products(first: 20) { nodes { title summary introduction } } }"}).to_string();
    let send = |encoding: Option<&'static str>, body: String| {
        let app = t.app.clone();
        async move {
            let mut req = Request::post("/graphql").header("content-type", "application/json");
            if let Some(e) = encoding {
                req = req.header("accept-encoding", e);
            }
            let resp = app
                .oneshot(req.body(Body::from(body)).unwrap())
                .await
                .unwrap();
            let headers = resp.headers().clone();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            (headers, bytes.to_vec())
        }
    };
    let (h, plain) = send(None, query.clone()).await;
    assert!(h.get("content-encoding").is_none());
    assert!(plain.len() > 4096, "a large answer: {}", plain.len());
    let (h, gz) = send(Some("gzip"), query.clone()).await;
    assert_eq!(h.get("content-encoding").unwrap(), "gzip");
    assert!(h.get_all("vary").iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_lowercase()
            .contains("accept-encoding")
    }));
    assert!(
        gz.len() * 2 < plain.len(),
        "{} of {}",
        gz.len(),
        plain.len()
    );
    let mut gunzip = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    gunzip.stdin.take().unwrap().write_all(&gz).unwrap();
    assert_eq!(gunzip.wait_with_output().unwrap().stdout, plain);
    let (h, br) = send(Some("br"), query.clone()).await;
    assert_eq!(h.get("content-encoding").unwrap(), "br");
    assert!(br.len() * 2 < plain.len());
    // Small answers are sent as they are.
    let (h, _) = send(
        Some("gzip, br"),
        r#"{"query":"{ __typename }"}"#.to_string(),
    )
    .await;
    assert!(h.get("content-encoding").is_none());
}
