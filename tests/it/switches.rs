//! Production switches: GraphiQL's scripts pinned by integrity hashes or
//! served from a local copy, GraphiQL off, and the schema for token holders
//! only.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bron::graphql::Api;
use bron::http::HttpOptions;
use bron::http::graphiql::{ASSETS, Graphiql};
use bron::hub::Role;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{TestHub, empty_hub};

fn app(t: &TestHub, options: HttpOptions) -> Router {
    bron::http::app_with(Arc::new(Api::new(t.hub.clone()).unwrap()), options)
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn page() -> Request<Body> {
    Request::get("/graphql")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn graphiql_is_pinned_served_locally_or_off() {
    let t = empty_hub().await;
    let (status, html) = send(&app(&t, HttpOptions::default()), page()).await;
    assert_eq!(status, StatusCode::OK);
    for (_, url) in ASSETS {
        let at = html.find(url).unwrap_or_else(|| panic!("{url}"));
        let tag_end = at + html[at..].find('>').unwrap();
        assert!(
            html[at..tag_end].contains("integrity=\"sha384-"),
            "{}",
            &html[at..tag_end]
        );
    }

    let dir = tempfile::tempdir().unwrap();
    for (name, _) in ASSETS {
        std::fs::write(dir.path().join(name), format!("/* {name} */")).unwrap();
    }
    let local = HttpOptions {
        graphiql: Graphiql::local(dir.path().to_path_buf()).unwrap(),
        ..Default::default()
    };
    let a = app(&t, local);
    let (_, html) = send(&a, page()).await;
    assert!(!html.contains("unpkg.com"), "no third party: {html}");
    let (status, js) = send(
        &a,
        Request::get("/graphql/assets/graphiql.min.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(js, "/* graphiql.min.js */");
    for bad in ["/graphql/assets/..%2Fbron.db", "/graphql/assets/other.js"] {
        let (status, _) = send(&a, Request::get(bad).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    let empty = tempfile::tempdir().unwrap();
    let e = Graphiql::local(empty.path().to_path_buf()).unwrap_err();
    assert!(e.contains("graphiql.min.css"), "{e}");

    let off = HttpOptions {
        graphiql: Graphiql::Off,
        ..Default::default()
    };
    let (status, body) = send(&app(&t, off), page()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("GraphiQL is turned off"), "{body}");
}

#[tokio::test]
async fn the_schema_can_be_kept_for_token_holders() {
    let t = empty_hub().await;
    let token = t.token(Role::Agent).await;
    let closed = app(
        &t,
        HttpOptions {
            public_introspection: false,
            ..Default::default()
        },
    );
    let introspect = |auth: Option<&str>| {
        let mut r = Request::post("/graphql").header("content-type", "application/json");
        if let Some(t) = auth {
            r = r.header("authorization", format!("Bearer {t}"));
        }
        r.body(Body::from(
            r#"{"query":"{ __schema { queryType { name } } }"}"#,
        ))
        .unwrap()
    };
    let (_, body) = send(&closed, introspect(None)).await;
    assert!(
        body.contains("\"errors\"") && !body.contains("\"Query\""),
        "{body}"
    );
    let (_, body) = send(&closed, introspect(Some(&token))).await;
    assert!(body.contains("\"Query\""), "{body}");
    let sdl = |auth: Option<&str>| {
        let mut r = Request::get("/graphql/schema.graphql");
        if let Some(t) = auth {
            r = r.header("authorization", format!("Bearer {t}"));
        }
        r.body(Body::empty()).unwrap()
    };
    assert_eq!(send(&closed, sdl(None)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(&closed, sdl(Some("bron_vals"))).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(&closed, sdl(Some(&token))).await.0, StatusCode::OK);
    // Ordinary queries still work anonymously.
    let (status, body) = send(
        &closed,
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"query":"{ products(first: 1) { totalCount } }"}"#,
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("\"errors\""), "{body}");
    // By default the schema is public.
    let (_, body) = send(&app(&t, HttpOptions::default()), introspect(None)).await;
    assert!(body.contains("\"Query\""), "{body}");
}
