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

/// A POST as a caller without a token sends it.
fn post_body(body: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

async fn answer(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_repeated_anonymous_request_is_answered_by_its_raw_form_until_a_write() {
    let t = crate::support::searchable_hub().await;
    let body = r#"{"query":"{ fact(slug: \"bezwaartermijn\") { value } search(query: \"paspoort\") { totalCount } }"}"#;
    let (status, h, first) = answer(&t.app, post_body(body, None)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(h.get("x-bron-cache").is_none());
    let (_, h, again) = answer(&t.app, post_body(body, None)).await;
    assert_eq!(h.get("x-bron-cache").unwrap(), "hit");
    assert_eq!(again, first);
    // The same over GET: the second is found by its query string, with the
    // same tag the first got.
    let path = format!(
        "/graphql?query={}",
        form_urlencoded::byte_serialize(
            br#"{ fact(slug: "bezwaartermijn") { value } search(query: "paspoort") { totalCount } }"#
        )
        .collect::<String>()
    );
    let (_, h1, b1) = get(&t.app, &path, &[]).await;
    let (_, h2, b2) = get(&t.app, &path, &[]).await;
    assert_eq!(b1, first);
    assert_eq!(b2, first);
    assert_eq!(h2.get("x-bron-cache").unwrap(), "hit");
    assert_eq!(h1.get("etag"), h2.get("etag"));
    assert_eq!(h2.get("cache-control").unwrap(), "public, no-cache");
    // Every answer counted its search, the cached ones too.
    let stats = t
        .hub
        .search_stats(&Viewer::cli(), None, None, None, 10)
        .await
        .unwrap();
    assert_eq!(stats.searches, 4, "{:?}", stats.top);

    // A write moves the sequence: the raw form's answer is not served again.
    let publisher = t.token(Role::Publisher).await;
    t.set_fact(&publisher, "bezwaartermijn", "elf weken").await;
    let (_, h, after) = answer(&t.app, post_body(body, None)).await;
    assert!(h.get("x-bron-cache").is_none(), "{after}");
    assert!(after.contains("elf weken"), "{after}");
    let (_, _, after_get) = get(&t.app, &path, &[]).await;
    assert_eq!(after_get, after);
}

#[tokio::test]
async fn the_raw_form_never_crosses_callers_or_server_settings() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    // A draft: the public sees nothing, an editor sees it.
    let draft = t
        .ok(
            Some(&editor),
            "mutation { createStep(fields: {title: \"Conceptstap\", instruction: \"Nog niet klaar.\"}) { item { slug } } }",
            serde_json::json!({}),
        )
        .await["createStep"]["item"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let body = serde_json::json!({
        "query": "query($s: String!) { step(slug: $s) { title } }",
        "variables": {"s": draft},
    })
    .to_string();
    for _ in 0..2 {
        let (_, _, public) = answer(&t.app, post_body(&body, None)).await;
        assert!(!public.contains("Conceptstap"), "{public}");
    }
    let (_, h, with_token) = answer(&t.app, post_body(&body, Some(&editor))).await;
    assert!(with_token.contains("Conceptstap"), "{with_token}");
    assert!(h.get("x-bron-cache").is_none());

    // One API behind two routers: the open one caches a query by its raw
    // form; the trusted-documents one still refuses it.
    let api = Arc::new(Api::new(t.hub.clone()).unwrap());
    let open = bron::http::app(api.clone());
    let trusted = bron::http::app_with(
        api,
        bron::http::HttpOptions {
            trusted_documents: true,
            ..Default::default()
        },
    );
    let q = r#"{"query":"{ __typename }"}"#;
    for _ in 0..2 {
        let (status, _, _) = answer(&open, post_body(q, None)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _, refused) = answer(&trusted, post_body(q, None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.contains("PERSISTED_QUERY_NOT_IN_LIST"), "{refused}");
    let (status, _, refused) = get(&trusted, "/graphql?query=%7B__typename%7D", &[]).await;
    assert!(
        refused.contains("PERSISTED_QUERY_NOT_IN_LIST"),
        "{status} {refused}"
    );
}

#[tokio::test]
async fn a_get_parameter_given_twice_is_refused() {
    let t = example_hub().await;
    let (status, _, body) = get(
        &t.app,
        "/graphql?query=%7B__typename%7D&query=%7Bproducts%7BtotalCount%7D%7D",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("`query` is given twice"), "{body}");
}

/// The headers that say how an answer may be cached, in order.
fn cache_headers(h: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in [
        "etag",
        "cache-control",
        "content-type",
        "vary",
        "x-bron-cache",
        "access-control-allow-origin",
    ] {
        for v in h.get_all(name) {
            out.push((name.to_string(), v.to_str().unwrap().to_string()));
        }
    }
    out
}

#[tokio::test]
async fn a_repeated_request_answered_before_the_router_gets_the_headers_the_router_gives() {
    let t = example_hub().await;
    // Small answers: found before the router (no compression asked for)
    // and through it (gzip asked for, too small to compress) alike.
    get(&t.app, PAGE, &[]).await;
    let (s1, front, b1) = get(&t.app, PAGE, &[]).await;
    let (s2, routed, b2) = get(&t.app, PAGE, &[("accept-encoding", "gzip")]).await;
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(front.get("x-bron-cache").unwrap(), "hit");
    assert_eq!(cache_headers(&front), cache_headers(&routed));
    let body = r#"{"query":"{ __typename products(first: 1) { totalCount } }"}"#;
    answer(&t.app, post_body(body, None)).await;
    let (_, front, b1) = answer(&t.app, post_body(body, None)).await;
    let mut gzip = post_body(body, None);
    gzip.headers_mut()
        .insert("accept-encoding", "gzip".parse().unwrap());
    let (_, routed, b2) = answer(&t.app, gzip).await;
    assert_eq!(b1, b2);
    assert_eq!(front.get("x-bron-cache").unwrap(), "hit");
    assert_eq!(cache_headers(&front), cache_headers(&routed));

    // A large answer says it varies by encoding either way.
    let large =
        "/graphql?query=%7Bproducts(first%3A50)%7Bedges%7Bnode%7Btitle%20summary%7D%7D%7D%7D";
    let (_, _, first) = get(&t.app, large, &[]).await;
    assert!(first.len() > 1024, "{}", first.len());
    let (_, front, _) = get(&t.app, large, &[]).await;
    let (_, routed, _) = get(&t.app, large, &[("accept-encoding", "gzip")]).await;
    assert_eq!(front.get("x-bron-cache").unwrap(), "hit");
    assert_eq!(routed.get("content-encoding").unwrap(), "gzip");
    for h in [&front, &routed] {
        assert!(
            h.get_all("vary").iter().any(|v| v == "accept-encoding"),
            "{h:?}"
        );
    }

    // With origins allowed, an answer without the CORS layer still varies
    // by origin; a request with an origin gets its CORS headers.
    let api = Arc::new(Api::new(t.hub.clone()).unwrap());
    let mut options =
        bron::http::HttpOptions::new("https://www.gemeente.nl", "public, no-cache").unwrap();
    options.log_requests = false;
    let app = bron::http::app_with(api, options);
    get(&app, PAGE, &[]).await;
    let (_, front, _) = get(&app, PAGE, &[]).await;
    assert_eq!(front.get("x-bron-cache").unwrap(), "hit");
    assert!(
        front.get_all("vary").iter().any(|v| v == "Origin"),
        "{front:?}"
    );
    let (_, cors, _) = get(&app, PAGE, &[("origin", "https://www.gemeente.nl")]).await;
    assert_eq!(
        cors.get("access-control-allow-origin").unwrap(),
        "https://www.gemeente.nl"
    );
    assert_eq!(cors.get("x-bron-cache").unwrap(), "hit");
}
