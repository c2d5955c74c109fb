//! CORS on the API, over the router: none by default, an operator's
//! allowlist answered with preflights a browser accepts, `Vary: Origin`
//! always, and nothing of it on `/admin`. `browser/cors.rs` checks the same
//! with a real page on another origin in Chromium.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bron::graphql::Api;
use bron::http::cors::Origins;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::empty_hub;

async fn app(origins: &str) -> (crate::support::TestHub, Router) {
    let t = empty_hub().await;
    let api = Arc::new(Api::new(t.hub.clone()).unwrap());
    let options = bron::http::HttpOptions {
        cors: Origins::parse(origins).unwrap(),
        ..Default::default()
    };
    let app = bron::http::app_with(api, options);
    (t, app)
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn preflight(origin: &str) -> Request<Body> {
    Request::options("/graphql")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .body(Body::empty())
        .unwrap()
}

fn post(origin: Option<&str>) -> Request<Body> {
    let mut r = Request::post("/graphql").header("content-type", "application/json");
    if let Some(o) = origin {
        r = r.header("origin", o);
    }
    r.body(Body::from(r#"{"query":"{ __typename }"}"#)).unwrap()
}

#[tokio::test]
async fn no_origin_may_call_by_default() {
    let (_t, app) = app("").await;
    let (status, h, body) = send(&app, preflight("https://www.gemeente.nl")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("CORS_ORIGIN_NOT_ALLOWED"), "{body}");
    assert!(h.get("access-control-allow-origin").is_none());
    let (status, h, _) = send(&app, post(Some("https://www.gemeente.nl"))).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the request runs; the browser withholds the answer"
    );
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h.get("vary").unwrap(), "Origin");
}

#[tokio::test]
async fn an_allowed_origin_gets_a_preflight_a_browser_accepts() {
    let (_t, app) = app("https://www.gemeente.nl, http://localhost:5173").await;
    let (status, h, _) = send(&app, preflight("https://www.gemeente.nl")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get("access-control-allow-origin").unwrap(),
        "https://www.gemeente.nl"
    );
    let methods = h
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let headers = h
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );
    assert_eq!(h.get("access-control-max-age").unwrap(), "600");
    assert_eq!(h.get("vary").unwrap(), "Origin");
    assert!(
        h.get("access-control-allow-credentials").is_none(),
        "tokens, not cookies"
    );

    let (status, h, body) = send(&app, post(Some("http://localhost:5173"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        h.get("access-control-allow-origin").unwrap(),
        "http://localhost:5173"
    );
    // Another origin, and a look-alike, get nothing.
    for other in [
        "https://evil.example",
        "https://www.gemeente.nl.evil.example",
    ] {
        let (status, h, _) = send(&app, preflight(other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
        assert!(h.get("access-control-allow-origin").is_none());
    }
    // Same-origin and server-to-server requests get no CORS headers, but
    // `Vary: Origin`: a shared cache must not hand that answer to a page
    // on another site.
    let (status, h, _) = send(&app, post(None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert!(h.get_all("vary").iter().any(|v| v == "Origin"));
}

#[tokio::test]
async fn the_editor_ui_gets_no_cors_headers() {
    let (_t, app) = app("*").await;
    let req = Request::get("/admin/login")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = send(&app, req).await;
    assert!(h.get("access-control-allow-origin").is_none());
    let (status, h, _) = send(&app, preflight("https://anyone.example")).await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "`*` allows any origin for the API"
    );
    assert_eq!(
        h.get("access-control-allow-origin").unwrap(),
        "https://anyone.example"
    );
}
