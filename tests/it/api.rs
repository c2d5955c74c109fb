//! The API as a client sees it: GraphQL over HTTP (media types, status codes,
//! GET and POST, limits, the response cache), tokens and roles, and bad input
//! that must be refused with a specific error and leave nothing written.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use bron::hub::{Role, Viewer};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{TestHub, code, empty_hub, example_hub, hub_with_model, repo};

// ---------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------

const GQL_RESPONSE: &str = "application/graphql-response+json";

/// A whole HTTP answer: status, headers and the body as JSON (or as a JSON
/// string holding the text when it is not JSON).
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// The media type without parameters (`; charset=utf-8`).
    fn media_type(&self) -> String {
        self.content_type()
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    fn errors(&self) -> &Vec<Value> {
        self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors, got {} {}", self.status, self.body))
    }

    fn first_error(&self) -> &Value {
        &self.errors()[0]
    }
}

async fn call(t: &TestHub, req: Request<Body>) -> Reply {
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply {
        status,
        headers,
        body,
    }
}

fn gql_body(query: &str, variables: Value) -> String {
    json!({ "query": query, "variables": variables }).to_string()
}

/// `POST /graphql` with a JSON body, an optional Accept header and token.
fn post_req(body: impl Into<Body>, accept: Option<&str>, token: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(body.into()).unwrap()
}

/// Percent-encodes a query-string value (everything but RFC 3986 unreserved).
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /graphql?k=v&…` with an optional Accept header and token.
fn get_req(params: &[(&str, &str)], accept: Option<&str>, token: Option<&str>) -> Request<Body> {
    let qs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let uri = if qs.is_empty() {
        "/graphql".to_string()
    } else {
        format!("/graphql?{}", qs.join("&"))
    };
    let mut req = Request::get(uri);
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::empty()).unwrap()
}

/// Every error has a message and an application `extensions.code` that is
/// not INTERNAL.
fn assert_coded(body: &Value) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {body}"));
    assert!(!errors.is_empty(), "{body}");
    for e in errors {
        let msg = e["message"].as_str().unwrap_or("");
        assert!(!msg.trim().is_empty(), "error without a message: {e}");
        assert!(!code(e).is_empty(), "error without extensions.code: {e}");
        assert_ne!(code(e), "INTERNAL", "{e}");
    }
}

/// For errors raised by the GraphQL layer itself (parse, validation,
/// coercion): a message, and never INTERNAL.
fn assert_explained(body: &Value) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {body}"));
    assert!(!errors.is_empty(), "{body}");
    for e in errors {
        let msg = e["message"].as_str().unwrap_or("");
        assert!(!msg.trim().is_empty(), "error without a message: {e}");
        assert_ne!(code(e), "INTERNAL", "{e}");
    }
}

/// Runs a request that must fail with an application error; checks the
/// shape of every error and that the first has `expected` as its code.
async fn fails_with(
    t: &TestHub,
    token: Option<&str>,
    query: &str,
    variables: Value,
    expected: &str,
) -> Value {
    let (status, body) = t.post(token, query, variables).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "application/json answers 200: {body}"
    );
    assert_coded(&body);
    let err = body["errors"][0].clone();
    assert_eq!(code(&err), expected, "{body}");
    err
}

/// Runs a request that the GraphQL layer must refuse before execution (parse,
/// validation or variable coercion); returns the body.
async fn refused_by_graphql(
    t: &TestHub,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let reply = call(
        t,
        post_req(gql_body(query, variables), Some(GQL_RESPONSE), token),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_explained(&reply.body);
    assert!(reply.body["data"].is_null(), "{}", reply.body);
    reply.body
}

// ---------------------------------------------------------------------------
// Content helpers
// ---------------------------------------------------------------------------

const CREATE_PRODUCT: &str = "mutation($f: ProductCreateFields!, $slug: String, $locale: String) {
    createProduct(fields: $f, slug: $slug, locale: $locale) { item { id slug version status } changeSeq }
}";

const CREATE_STEP: &str = "mutation($f: StepCreateFields!) {
    createStep(fields: $f) { item { id slug version status } }
}";

const PUBLISH: &str = "mutation($ids: [ID!]!) { publish(ids: $ids) { items { id status } } }";
const UNPUBLISH: &str = "mutation($ids: [ID!]!) { unpublish(ids: $ids) { items { id status } } }";
const DELETE: &str = "mutation($id: ID!) { deleteItem(id: $id) { id } }";

fn product_fields(title: &str) -> Value {
    json!({ "title": title, "summary": "Een korte samenvatting voor inwoners." })
}

/// Creates a draft product; returns `{ id slug version status }`.
async fn create_product(t: &TestHub, token: &str, fields: Value) -> Value {
    let data = t
        .ok(Some(token), CREATE_PRODUCT, json!({ "f": fields }))
        .await;
    data["createProduct"]["item"].clone()
}

/// Creates a draft step; returns its id.
async fn create_step(t: &TestHub, token: &str, title: &str) -> String {
    let f = json!({ "title": title, "instruction": "Neem uw paspoort mee." });
    let data = t.ok(Some(token), CREATE_STEP, json!({ "f": f })).await;
    data["createStep"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Creates a draft question; returns its id.
async fn create_question(t: &TestHub, token: &str) -> String {
    let q = "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }";
    let f = json!({ "question": "Hoe lang is een paspoort geldig?", "shortAnswer": "Tien jaar." });
    let data = t.ok(Some(token), q, json!({ "f": f })).await;
    data["createQuestion"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn publish(t: &TestHub, token: &str, ids: &[&str]) -> Value {
    t.ok(Some(token), PUBLISH, json!({ "ids": ids })).await
}

/// How many items of a type a caller sees (all stages for editors and up).
async fn count(t: &TestHub, token: Option<&str>, plural: &str) -> i64 {
    let data = t
        .ok(
            token,
            &format!("{{ {plural} {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    data[plural]["totalCount"].as_i64().unwrap()
}

/// A product by id as `token` sees it (null when invisible).
async fn product_by_id(t: &TestHub, token: Option<&str>, id: &str) -> Value {
    let q = "query($id: ID) { product(id: $id) { id slug title summary status version } }";
    t.ok(token, q, json!({ "id": id })).await["product"].clone()
}

async fn product_by_slug(t: &TestHub, token: Option<&str>, slug: &str) -> Value {
    let q = "query($s: String) { product(slug: $s) { id slug title status } }";
    t.ok(token, q, json!({ "s": slug })).await["product"].clone()
}

const A_PUBLISHED_PRODUCT: &str = "paspoort-aanvragen";

// ===========================================================================
// A. GraphQL over HTTP
// ===========================================================================

#[tokio::test]
async fn post_with_graphql_response_json_answers_in_that_media_type() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { role } }", json!({})),
            Some(GQL_RESPONSE),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.media_type(), GQL_RESPONSE);
    assert_eq!(reply.body["data"]["viewer"]["role"], "anonymous");
    assert!(reply.body.get("errors").is_none(), "{}", reply.body);
}

#[tokio::test]
async fn syntax_error_is_400_under_graphql_response_json() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { role }", json!({})),
            Some(GQL_RESPONSE),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.media_type(), GQL_RESPONSE);
    assert_explained(&reply.body);
    assert!(reply.body["data"].is_null());
}

#[tokio::test]
async fn validation_error_is_400_under_graphql_response_json() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { shoeSize } }", json!({})),
            Some(GQL_RESPONSE),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.media_type(), GQL_RESPONSE);
    assert_explained(&reply.body);
    let msg = reply.first_error()["message"].as_str().unwrap();
    assert!(
        msg.contains("shoeSize"),
        "the message names the unknown field: {msg}"
    );
}

#[tokio::test]
async fn request_errors_are_200_under_application_json() {
    let t = empty_hub().await;
    for query in ["{ viewer { role }", "{ viewer { shoeSize } }"] {
        let reply = call(
            &t,
            post_req(gql_body(query, json!({})), Some("application/json"), None),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
        assert_eq!(reply.media_type(), "application/json");
        assert_explained(&reply.body);
    }
}

#[tokio::test]
async fn without_accept_the_answer_is_application_json() {
    let t = empty_hub().await;
    let ok = call(
        &t,
        post_req(gql_body("{ viewer { role } }", json!({})), None, None),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.media_type(), "application/json");
    assert_eq!(ok.body["data"]["viewer"]["role"], "anonymous");
    let bad = call(
        &t,
        post_req(gql_body("{ viewer { shoeSize } }", json!({})), None, None),
    )
    .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert_eq!(bad.media_type(), "application/json");
}

#[tokio::test]
async fn accept_prefers_graphql_response_json_and_honours_q_zero() {
    let t = empty_hub().await;
    let body = || gql_body("{ viewer { role } }", json!({}));
    let both = call(
        &t,
        post_req(
            body(),
            Some("application/json, application/graphql-response+json"),
            None,
        ),
    )
    .await;
    assert_eq!(both.media_type(), GQL_RESPONSE);
    let refused = call(
        &t,
        post_req(
            body(),
            Some("application/graphql-response+json;q=0, application/json"),
            None,
        ),
    )
    .await;
    assert_eq!(refused.media_type(), "application/json");
    let any = call(&t, post_req(body(), Some("*/*"), None)).await;
    assert_eq!(any.status, StatusCode::OK);
    assert_eq!(any.media_type(), "application/json");
}

#[tokio::test]
async fn get_runs_a_query_with_url_encoded_variables() {
    let t = example_hub().await;
    let query = "query One($slug: String!) { product(slug: $slug) { slug title } }";
    let vars = json!({ "slug": A_PUBLISHED_PRODUCT }).to_string();
    let reply = call(
        &t,
        get_req(
            &[("query", query), ("variables", &vars)],
            Some(GQL_RESPONSE),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.media_type(), GQL_RESPONSE);
    assert_eq!(reply.body["data"]["product"]["slug"], A_PUBLISHED_PRODUCT);
    assert_eq!(reply.body["data"]["product"]["title"], "Paspoort aanvragen");

    // With an operation name, and without an Accept header.
    let reply = call(
        &t,
        get_req(
            &[
                ("query", query),
                ("variables", &vars),
                ("operationName", "One"),
            ],
            None,
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.media_type(), "application/json");
    assert_eq!(reply.body["data"]["product"]["slug"], A_PUBLISHED_PRODUCT);
}

#[tokio::test]
async fn get_with_bad_variables_is_400() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        get_req(
            &[("query", "{ viewer { role } }"), ("variables", "{not json")],
            None,
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(reply.first_error()), "BAD_REQUEST");
    assert_coded(&reply.body);
    let reply = call(
        &t,
        get_req(
            &[("query", "{ viewer { role } }"), ("variables", "[1]")],
            None,
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(reply.first_error()), "BAD_REQUEST");
}

#[tokio::test]
async fn get_with_a_mutation_is_405_allow_post_and_writes_nothing() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let mutation = r#"mutation { createProduct(fields: { title: "Via GET", summary: "Mag niet." }) { item { id } } }"#;
    let reply = call(
        &t,
        get_req(&[("query", mutation)], Some(GQL_RESPONSE), Some(&editor)),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("allow"), Some("POST"));
    assert_eq!(code(reply.first_error()), "METHOD_NOT_ALLOWED");
    assert_coded(&reply.body);

    // Also when the mutation is picked from a document by operation name.
    let doc = format!(
        "query Q {{ viewer {{ role }} }} {}",
        mutation.replacen("mutation", "mutation M", 1)
    );
    let reply = call(
        &t,
        get_req(
            &[("query", &doc), ("operationName", "M")],
            None,
            Some(&editor),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("allow"), Some("POST"));

    assert_eq!(count(&t, Some(&editor), "products").await, 0);
}

#[tokio::test]
async fn get_without_query_serves_graphiql_to_a_browser() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        get_req(&[], Some("text/html,application/xhtml+xml,*/*;q=0.8"), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.content_type().starts_with("text/html"),
        "{}",
        reply.content_type()
    );
    let html = reply.body.as_str().expect("an HTML page");
    assert!(html.to_ascii_lowercase().contains("graphiql"), "{html}");
}

#[tokio::test]
async fn get_without_query_and_without_html_is_400() {
    let t = empty_hub().await;
    for accept in [None, Some("application/json"), Some(GQL_RESPONSE)] {
        let reply = call(&t, get_req(&[], accept, None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{accept:?}");
        assert_eq!(reply.media_type(), "application/json");
        assert_eq!(code(reply.first_error()), "BAD_REQUEST");
        assert_coded(&reply.body);
    }
}

#[tokio::test]
async fn post_with_text_plain_is_415() {
    let t = empty_hub().await;
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(gql_body("{ viewer { role } }", json!({}))))
        .unwrap();
    let reply = call(&t, req).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code(reply.first_error()), "UNSUPPORTED_MEDIA_TYPE");
    assert_coded(&reply.body);

    // No Content-Type at all is refused the same way.
    let req = Request::post("/graphql")
        .body(Body::from(gql_body("{ viewer { role } }", json!({}))))
        .unwrap();
    assert_eq!(
        call(&t, req).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    // A charset parameter is fine.
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(gql_body("{ viewer { role } }", json!({}))))
        .unwrap();
    assert_eq!(call(&t, req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn post_body_that_is_not_json_is_400_bad_request() {
    let t = empty_hub().await;
    for body in ["{ viewer { role } }", "", "{\"query\": "] {
        let reply = call(&t, post_req(body, Some(GQL_RESPONSE), None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(reply.media_type(), "application/json");
        assert_eq!(code(reply.first_error()), "BAD_REQUEST", "{body:?}");
        assert_coded(&reply.body);
    }
}

#[tokio::test]
async fn post_json_without_a_query_string_is_400() {
    let t = empty_hub().await;
    for body in [
        json!({ "variables": {} }),
        json!({ "query": 42 }),
        json!({ "query": null }),
        // (An array is a batch: tests/it/batch.rs.)
        json!("{ viewer { role } }"),
    ] {
        let reply = call(&t, post_req(body.to_string(), None, None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code(reply.first_error()), "BAD_REQUEST", "{body}");
        assert_coded(&reply.body);
    }
}

#[tokio::test]
async fn post_with_variables_that_are_not_an_object_is_400() {
    let t = empty_hub().await;
    for vars in [json!([1, 2]), json!("{\"a\":1}"), json!(7)] {
        let body = json!({ "query": "{ viewer { role } }", "variables": vars }).to_string();
        let reply = call(&t, post_req(body, None, None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{vars}");
        assert_eq!(code(reply.first_error()), "BAD_REQUEST");
        assert_coded(&reply.body);
    }
    // null variables are the same as none.
    let body = json!({ "query": "{ viewer { role } }", "variables": null }).to_string();
    assert_eq!(
        call(&t, post_req(body, None, None)).await.status,
        StatusCode::OK
    );
    // A non-string operationName is refused too.
    let body = json!({ "query": "{ viewer { role } }", "operationName": 3 }).to_string();
    assert_eq!(
        call(&t, post_req(body, None, None)).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn body_over_128_kib_is_413_and_nothing_is_written() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let q = "mutation($f: ProductCreateFields!, $m: String) { createProduct(fields: $f, message: $m) { item { id } } }";
    let body = gql_body(
        q,
        json!({ "f": product_fields("Te groot"), "m": "x".repeat(130 * 1024) }),
    );
    assert!(body.len() > bron::http::MAX_BODY_BYTES);
    let reply = call(&t, post_req(body, Some(GQL_RESPONSE), Some(&editor))).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(code(reply.first_error()), "PAYLOAD_TOO_LARGE");
    assert_coded(&reply.body);
    assert_eq!(count(&t, Some(&editor), "products").await, 0);

    // Just under the limit is accepted.
    let body = gql_body(
        q,
        json!({ "f": product_fields("Net niet te groot"), "m": "x".repeat(100 * 1024) }),
    );
    assert!(body.len() < bron::http::MAX_BODY_BYTES);
    let reply = call(&t, post_req(body, Some(GQL_RESPONSE), Some(&editor))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(count(&t, Some(&editor), "products").await, 1);
}

#[tokio::test]
async fn accept_without_a_json_media_type_is_406() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { role } }", json!({})),
            Some("text/csv"),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(code(reply.first_error()), "NOT_ACCEPTABLE");
    assert_coded(&reply.body);
    let reply = call(
        &t,
        get_req(&[("query", "{ viewer { role } }")], Some("text/csv"), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    // Refusing JSON explicitly leaves nothing to answer with.
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { role } }", json!({})),
            Some("application/json;q=0"),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn unknown_path_is_404_json() {
    let t = empty_hub().await;
    let reply = call(&t, Request::get("/graphq").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.media_type(), "application/json");
    assert_eq!(code(reply.first_error()), "NOT_FOUND");
    assert_coded(&reply.body);
    let reply = call(
        &t,
        Request::post("/api/v1/things").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn healthz_is_ok() {
    let t = empty_hub().await;
    let reply = call(&t, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.media_type(), "application/json");
    assert_eq!(reply.body, json!({ "status": "ok" }));
}

// --- the response cache ----------------------------------------------------

#[tokio::test]
async fn the_same_anonymous_query_twice_is_served_from_cache() {
    let t = example_hub().await;
    let q = "{ products(first: 5) { totalCount nodes { slug title summary } } }";
    let first = call(
        &t,
        post_req(gql_body(q, json!({})), Some(GQL_RESPONSE), None),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("x-bron-cache"), None);
    let second = call(
        &t,
        post_req(gql_body(q, json!({})), Some(GQL_RESPONSE), None),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.header("x-bron-cache"), Some("hit"));
    assert_eq!(second.media_type(), GQL_RESPONSE);
    assert_eq!(first.body, second.body);
    // Other variables are another entry.
    let other = call(
        &t,
        post_req(
            gql_body(
                "query($n: Int) { products(first: $n) { totalCount } }",
                json!({ "n": 2 }),
            ),
            None,
            None,
        ),
    )
    .await;
    assert_eq!(other.header("x-bron-cache"), None);
}

#[tokio::test]
async fn set_fact_is_visible_at_once_despite_the_cache() {
    let t = example_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let q = "{ fact(slug: \"gemeente-telefoonnummer\") { value version } }";
    let before = call(&t, post_req(gql_body(q, json!({})), None, None)).await;
    let again = call(&t, post_req(gql_body(q, json!({})), None, None)).await;
    assert_eq!(again.header("x-bron-cache"), Some("hit"));
    assert_eq!(before.body, again.body);
    assert_eq!(before.body["data"]["fact"]["value"], "(0599) 12 34 56");

    let set = "mutation { setFact(slug: \"gemeente-telefoonnummer\", value: \"14 0599\") { item { value status } changeSeq } }";
    let data = t.ok(Some(&publisher), set, json!({})).await;
    assert_eq!(data["setFact"]["item"]["value"], "14 0599");
    assert_eq!(data["setFact"]["item"]["status"], "PUBLISHED");

    let after = call(&t, post_req(gql_body(q, json!({})), None, None)).await;
    assert_eq!(
        after.header("x-bron-cache"),
        None,
        "a write empties the cache"
    );
    assert_eq!(
        after.body["data"]["fact"]["value"], "14 0599",
        "{}",
        after.body
    );
}

#[tokio::test]
async fn publish_is_visible_at_once_despite_the_cache() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let q = "{ products { totalCount nodes { slug } } }";
    assert_eq!(t.ok(None, q, json!({})).await["products"]["totalCount"], 0);
    let hit = call(&t, post_req(gql_body(q, json!({})), None, None)).await;
    assert_eq!(hit.header("x-bron-cache"), Some("hit"));

    let p = create_product(&t, &editor, product_fields("Hondenbelasting")).await;
    // A draft does not change what anonymous callers see…
    assert_eq!(t.ok(None, q, json!({})).await["products"]["totalCount"], 0);
    publish(&t, &publisher, &[p["id"].as_str().unwrap()]).await;
    // …but publishing does, at once.
    let data = t.ok(None, q, json!({})).await;
    assert_eq!(data["products"]["totalCount"], 1);
    assert_eq!(data["products"]["nodes"][0]["slug"], "hondenbelasting");
}

#[tokio::test]
async fn the_cache_does_not_leak_internal_fields_between_roles() {
    let t = example_hub().await;
    let agent = t.token(Role::Agent).await;
    let q = format!("{{ product(slug: \"{A_PUBLISHED_PRODUCT}\") {{ deskMemo }} }}");
    for _ in 0..2 {
        assert!(t.ok(None, &q, json!({})).await["product"]["deskMemo"].is_null());
    }
    for _ in 0..2 {
        assert!(t.ok(Some(&agent), &q, json!({})).await["product"]["deskMemo"].is_string());
    }
    assert!(t.ok(None, &q, json!({})).await["product"]["deskMemo"].is_null());
}

#[tokio::test]
async fn the_cache_does_not_mix_up_callers_of_the_same_role() {
    let t = empty_hub().await;
    let admin = t.token(Role::Admin).await;
    let mk = "mutation($n: String!) { createToken(name: $n, role: EDITOR) { token } }";
    let alice = t.ok(Some(&admin), mk, json!({ "n": "alice" })).await["createToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bob = t.ok(Some(&admin), mk, json!({ "n": "bob" })).await["createToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let q = "{ viewer { name role } }";
    assert_eq!(
        t.ok(Some(&alice), q, json!({})).await["viewer"]["name"],
        "alice"
    );
    assert_eq!(
        t.ok(Some(&bob), q, json!({})).await["viewer"]["name"],
        "bob"
    );
}

// --- limits ------------------------------------------------------------------

fn nested_related(depth: usize) -> String {
    let mut q = format!("{{ product(slug: \"{A_PUBLISHED_PRODUCT}\") {{ ");
    for _ in 0..depth {
        q.push_str("relatedProducts { ");
    }
    q.push_str("slug");
    for _ in 0..depth {
        q.push_str(" }");
    }
    q.push_str(" } }");
    q
}

#[tokio::test]
async fn a_query_nested_too_deep_is_refused() {
    let t = example_hub().await;
    let deep = nested_related(20);
    let reply = call(
        &t,
        post_req(gql_body(&deep, json!({})), Some(GQL_RESPONSE), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.media_type(), GQL_RESPONSE);
    assert_explained(&reply.body);
    assert!(reply.body["data"].is_null());

    // A query within the limits runs.
    let shallow = nested_related(2);
    let reply = call(
        &t,
        post_req(gql_body(&shallow, json!({})), Some(GQL_RESPONSE), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body["data"]["product"]["relatedProducts"].is_array());
}

// ===========================================================================
// B. Tokens and roles
// ===========================================================================

#[tokio::test]
async fn an_unknown_bearer_token_is_401_with_www_authenticate() {
    let t = empty_hub().await;
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { role } }", json!({})),
            Some(GQL_RESPONSE),
            Some("bron_nonsense"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(reply.first_error()), "UNAUTHENTICATED");
    assert_coded(&reply.body);
    let challenge = reply
        .header("www-authenticate")
        .expect("a WWW-Authenticate header");
    assert!(
        challenge.to_ascii_lowercase().starts_with("bearer"),
        "{challenge}"
    );

    // Over GET too.
    let reply = call(
        &t,
        get_req(
            &[("query", "{ viewer { role } }")],
            None,
            Some("bron_nonsense"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(reply.first_error()), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_revoked_token_is_401() {
    let t = empty_hub().await;
    let admin = t.token(Role::Admin).await;
    let mk = "mutation { createToken(name: \"tmp-bot\", role: AGENT) { token } }";
    let secret = t.ok(Some(&admin), mk, json!({})).await["createToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        t.ok(Some(&secret), "{ viewer { role } }", json!({})).await["viewer"]["role"],
        "agent"
    );
    t.ok(
        Some(&admin),
        "mutation { revokeToken(name: \"tmp-bot\") }",
        json!({}),
    )
    .await;
    let (status, body) = t
        .post(Some(&secret), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_non_bearer_authorization_header_is_401() {
    let t = empty_hub().await;
    for value in ["Basic x", "Bearer", "Bearer   ", "bron_abc"] {
        let req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, value)
            .body(Body::from(gql_body("{ viewer { role } }", json!({}))))
            .unwrap();
        let reply = call(&t, req).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{value:?}");
        assert_eq!(code(reply.first_error()), "UNAUTHENTICATED", "{value:?}");
        assert_coded(&reply.body);
    }
}

#[tokio::test]
async fn every_401_carries_a_www_authenticate_challenge() {
    let t = empty_hub().await;
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Basic x")
        .body(Body::from(gql_body("{ viewer { role } }", json!({}))))
        .unwrap();
    let reply = call(&t, req).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply.header("www-authenticate").is_some(),
        "{:?}",
        reply.headers
    );
}

#[tokio::test]
async fn writes_need_the_right_role() {
    let t = empty_hub().await;
    let agent = t.token(Role::Agent).await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let vars = || json!({ "f": product_fields("Parkeervergunning") });

    fails_with(&t, None, CREATE_PRODUCT, vars(), "UNAUTHENTICATED").await;
    fails_with(&t, Some(&agent), CREATE_PRODUCT, vars(), "FORBIDDEN").await;
    assert_eq!(count(&t, Some(&editor), "products").await, 0);

    let p = create_product(&t, &editor, product_fields("Parkeervergunning")).await;
    assert_eq!(p["status"], "DRAFT");
    let id = p["id"].as_str().unwrap();

    fails_with(
        &t,
        Some(&editor),
        PUBLISH,
        json!({ "ids": [id] }),
        "FORBIDDEN",
    )
    .await;
    fails_with(&t, None, PUBLISH, json!({ "ids": [id] }), "UNAUTHENTICATED").await;
    assert_eq!(
        product_by_id(&t, Some(&editor), id).await["status"],
        "DRAFT"
    );

    let data = publish(&t, &publisher, &[id]).await;
    assert_eq!(data["publish"]["items"][0]["status"], "PUBLISHED");
    // setFact is for publishers too.
    let set = "mutation { setFact(slug: \"leges-paspoort\", value: \"€ 84,70\", label: \"Leges paspoort\") { item { id } } }";
    fails_with(&t, Some(&editor), set, json!({}), "FORBIDDEN").await;
    t.ok(Some(&publisher), set, json!({})).await;
}

#[tokio::test]
async fn only_admins_create_tokens_and_the_token_works() {
    let t = empty_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let admin = t.token(Role::Admin).await;
    let mk =
        "mutation($n: String!, $r: Role!) { createToken(name: $n, role: $r) { name role token } }";
    let vars = json!({ "n": "website", "r": "EDITOR" });

    fails_with(&t, None, mk, vars.clone(), "UNAUTHENTICATED").await;
    fails_with(&t, Some(&publisher), mk, vars.clone(), "FORBIDDEN").await;

    let data = t.ok(Some(&admin), mk, vars).await;
    assert_eq!(data["createToken"]["name"], "website");
    assert_eq!(data["createToken"]["role"], "editor");
    let secret = data["createToken"]["token"].as_str().unwrap();
    assert!(!secret.is_empty());
    let me = t
        .ok(Some(secret), "{ viewer { name role } }", json!({}))
        .await;
    assert_eq!(me["viewer"]["role"], "editor");
    assert_eq!(me["viewer"]["name"], "website");
    // And it can do what an editor does.
    create_product(&t, secret, product_fields("Met de nieuwe token")).await;
}

#[tokio::test]
async fn anonymous_callers_see_published_content_only() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let agent = t.token(Role::Agent).await;
    let p = create_product(&t, &editor, product_fields("Rijbewijs verlengen")).await;
    let id = p["id"].as_str().unwrap();
    let slug = p["slug"].as_str().unwrap();
    assert_eq!(slug, "rijbewijs-verlengen");

    // The draft: invisible to anonymous callers and agents, by slug, id and list.
    for viewer in [None, Some(agent.as_str())] {
        assert!(product_by_slug(&t, viewer, slug).await.is_null());
        assert!(product_by_id(&t, viewer, id).await.is_null());
        let item = t
            .ok(
                viewer,
                "query($id: ID!) { item(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert!(item["item"].is_null());
        let list = t
            .ok(
                viewer,
                "{ products { totalCount nodes { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(list["products"]["totalCount"], 0);
        assert_eq!(list["products"]["nodes"], json!([]));
    }
    // The editor sees it.
    assert_eq!(product_by_slug(&t, Some(&editor), slug).await["id"], id);
    assert_eq!(count(&t, Some(&editor), "products").await, 1);

    publish(&t, &publisher, &[id]).await;
    let seen = product_by_slug(&t, None, slug).await;
    assert_eq!(seen["id"], id);
    assert_eq!(seen["status"], "PUBLISHED");
    assert_eq!(count(&t, None, "products").await, 1);

    // A later draft revision stays invisible: anonymous callers keep the live text.
    let upd = "mutation($id: ID!, $v: Int!) { updateProduct(id: $id, version: $v, fields: { title: \"Rijbewijs verlengen (nieuw)\" }) { item { version } } }";
    t.ok(Some(&editor), upd, json!({ "id": id, "v": 1 })).await;
    assert_eq!(
        product_by_slug(&t, None, slug).await["title"],
        "Rijbewijs verlengen"
    );
    assert_eq!(
        product_by_slug(&t, Some(&editor), slug).await["title"],
        "Rijbewijs verlengen (nieuw)"
    );
}

#[tokio::test]
async fn kcc_fields_are_for_agents_and_up() {
    let t = example_hub().await;
    let agent = t.token(Role::Agent).await;
    let editor = t.token(Role::Editor).await;
    let q = "query($s: String) { product(slug: $s) { title deskMemo questions { internalNote } } }";
    let vars = json!({ "s": A_PUBLISHED_PRODUCT });

    let anon = t.ok(None, q, vars.clone()).await;
    assert_eq!(anon["product"]["title"], "Paspoort aanvragen");
    assert!(anon["product"]["deskMemo"].is_null(), "{anon}");
    for question in anon["product"]["questions"].as_array().unwrap() {
        assert!(question["internalNote"].is_null(), "{question}");
    }

    for token in [&agent, &editor] {
        let memo = t.ok(Some(token), q, vars.clone()).await;
        let memo = memo["product"]["deskMemo"]
            .as_str()
            .expect("deskMemo for staff");
        assert!(!memo.trim().is_empty());
    }
}

#[tokio::test]
async fn revisions_do_not_leak_drafts_or_internal_fields_to_anonymous_callers() {
    let t = example_hub().await;
    let q = "query($s: String) { product(slug: $s) { revisions { version content } } }";
    let (status, body) = t.post(None, q, json!({ "s": A_PUBLISHED_PRODUCT })).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.to_string();
    assert!(
        !text.contains("desk_memo") && !text.contains("deskMemo"),
        "{text}"
    );
    if body.get("errors").is_some() {
        assert_coded(&body);
        assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED", "{body}");
    }
}

/// The shipped model has no filterable internal field (both are Markdown), so
/// this test makes one: `owner_team` limited to the internal `kcc` channel.
#[tokio::test]
async fn filtering_or_sorting_on_an_internal_field_is_refused_for_anonymous_callers() {
    let model = tempfile::tempdir().unwrap();
    let src = repo().join("content-model");
    copy_dir(&src, model.path());
    let product = std::fs::read_to_string(src.join("product.toml")).unwrap();
    let marker = "name = \"owner_team\"\n";
    assert!(product.contains(marker));
    let patched = product.replacen(marker, &format!("{marker}channels = [\"kcc\"]\n"), 1);
    std::fs::write(model.path().join("product.toml"), patched).unwrap();

    let t = hub_with_model(model.path()).await;
    let agent = t.token(Role::Agent).await;
    let filter = "{ products(filter: { ownerTeam: \"Publiekszaken\" }) { totalCount } }";
    let sort = "{ products(orderBy: { field: OWNER_TEAM }) { totalCount } }";
    let err = fails_with(&t, None, filter, json!({}), "UNAUTHENTICATED").await;
    assert!(
        err["message"].as_str().unwrap().contains("owner_team"),
        "{err}"
    );
    fails_with(&t, None, sort, json!({}), "UNAUTHENTICATED").await;
    t.ok(Some(&agent), filter, json!({})).await;
    t.ok(Some(&agent), sort, json!({})).await;
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

// ===========================================================================
// C. Bad input: a specific error, and nothing written
// ===========================================================================

#[tokio::test]
async fn a_value_of_the_wrong_kind_is_refused_by_graphql() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;

    // A string for an Int.
    let f = json!({ "title": "Afspraak maken", "instruction": "Maak een afspraak.", "durationMinutes": "ten" });
    refused_by_graphql(&t, Some(&editor), CREATE_STEP, json!({ "f": f })).await;
    // An integer for a String, as a variable and as a literal.
    let f = json!({ "title": 10, "instruction": "Maak een afspraak." });
    refused_by_graphql(&t, Some(&editor), CREATE_STEP, json!({ "f": f })).await;
    let literal =
        "mutation { createStep(fields: { title: 10, instruction: \"x\" }) { item { id } } }";
    refused_by_graphql(&t, Some(&editor), literal, json!({})).await;
    // A fraction for an Int.
    let f = json!({ "title": "Afspraak maken", "instruction": "x", "durationMinutes": 1.5 });
    refused_by_graphql(&t, Some(&editor), CREATE_STEP, json!({ "f": f })).await;

    assert_eq!(count(&t, Some(&editor), "steps").await, 0);
}

#[tokio::test]
async fn an_integer_out_of_range_names_the_field() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let f = json!({ "title": "Afspraak maken", "instruction": "x", "durationMinutes": -5 });
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_STEP,
        json!({ "f": f }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.durationMinutes");
    assert_eq!(count(&t, Some(&editor), "steps").await, 0);
}

#[tokio::test]
async fn a_title_over_its_max_length_names_the_field() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": product_fields(&"a".repeat(121)) }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.title");
    assert!(err["message"].as_str().unwrap().contains("120"), "{err}");
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
    // 120 characters (not bytes: é is two bytes) is fine.
    create_product(&t, &editor, product_fields(&"é".repeat(120))).await;
}

#[tokio::test]
async fn a_missing_required_field_names_the_field() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    // A required field is non-null in the create input: leaving it out or
    // sending null is refused before anything runs, naming the field.
    for f in [
        json!({ "title": "Paspoort" }),
        json!({ "title": "Paspoort", "summary": null }),
    ] {
        let body = refused_by_graphql(&t, Some(&editor), CREATE_PRODUCT, json!({ "f": f })).await;
        assert!(body.to_string().contains("summary"), "{body}");
    }
    // Blank text passes the type but not the hub, which names the field.
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": { "title": "Paspoort", "summary": "   " } }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.summary");
    let problems = err["extensions"]["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["field"] == "fields.summary"));
    // Every problem is reported, not only the first.
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": { "title": " ", "summary": "" } }),
        "VALIDATION_FAILED",
    )
    .await;
    let fields: Vec<&str> = err["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"fields.title") && fields.contains(&"fields.summary"),
        "{fields:?}"
    );
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
}

#[tokio::test]
async fn clearing_a_required_field_on_update_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let p = create_product(&t, &editor, product_fields("Paspoort")).await;
    let upd = "mutation($id: ID!, $v: Int!, $f: ProductUpdateFields) { updateProduct(id: $id, version: $v, fields: $f) { item { version } } }";
    let err = fails_with(
        &t,
        Some(&editor),
        upd,
        json!({ "id": p["id"], "v": 1, "f": { "summary": null } }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.summary");
    let now = product_by_id(&t, Some(&editor), p["id"].as_str().unwrap()).await;
    assert_eq!(now["version"], 1);
    assert_eq!(now["summary"], "Een korte samenvatting voor inwoners.");
}

#[tokio::test]
async fn an_enum_value_not_in_the_list_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let mut f = product_fields("Paspoort");
    f["audience"] = json!(["TOERIST"]);
    refused_by_graphql(&t, Some(&editor), CREATE_PRODUCT, json!({ "f": f })).await;
    let mut f = product_fields("Paspoort");
    f["loginLevel"] = json!("DIGID_MAXIMAAL");
    refused_by_graphql(&t, Some(&editor), CREATE_PRODUCT, json!({ "f": f })).await;
    let literal = "mutation { createProduct(fields: { title: \"P\", summary: \"S\", audience: [TOERIST] }) { item { id } } }";
    refused_by_graphql(&t, Some(&editor), literal, json!({})).await;
    assert_eq!(count(&t, Some(&editor), "products").await, 0);

    // Allowed values round-trip.
    let mut f = product_fields("Paspoort");
    f["audience"] = json!(["BURGER", "BEDRIJF"]);
    f["loginLevel"] = json!("DIGID_SUBSTANTIEEL");
    let q = "mutation($f: ProductCreateFields!) { createProduct(fields: $f) { item { audience loginLevel } } }";
    let data = t.ok(Some(&editor), q, json!({ "f": f })).await;
    assert_eq!(
        data["createProduct"]["item"]["audience"],
        json!(["BURGER", "BEDRIJF"])
    );
    assert_eq!(
        data["createProduct"]["item"]["loginLevel"],
        "DIGID_SUBSTANTIEEL"
    );
}

#[tokio::test]
async fn a_upl_uri_not_in_the_list_names_the_field() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    for uri in [
        "http://standaarden.overheid.nl/owms/terms/bestaat-niet",
        "http://standaarden.overheid.nl/owms/terms/Paspoort",
        "geen uri",
    ] {
        let mut f = product_fields("Paspoort");
        f["uplUri"] = json!(uri);
        let err = fails_with(
            &t,
            Some(&editor),
            CREATE_PRODUCT,
            json!({ "f": f }),
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(err["extensions"]["field"], "fields.uplUri", "{uri}");
    }
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
    let mut f = product_fields("Paspoort");
    f["uplUri"] = json!("http://standaarden.overheid.nl/owms/terms/paspoort");
    create_product(&t, &editor, f).await;
}

#[tokio::test]
async fn a_reference_to_a_missing_item_names_the_list_position() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let step = create_step(&t, &editor, "Afspraak maken").await;
    let mut f = product_fields("Paspoort");
    f["steps"] = json!(["0190b5a0-0000-7000-8000-000000000000"]);
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": f }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.steps[0]");

    f["steps"] = json!([step, "not-an-id"]);
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": f }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.steps[1]");
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
}

#[tokio::test]
async fn a_reference_to_an_item_of_the_wrong_type_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let question = create_question(&t, &editor).await;
    let mut f = product_fields("Paspoort");
    f["steps"] = json!([question]);
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": f }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "fields.steps[0]");
    assert!(
        err["message"].as_str().unwrap().contains("question"),
        "{err}"
    );
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
    // In the right field it is fine.
    let mut f = product_fields("Paspoort");
    f["questions"] = json!([question]);
    create_product(&t, &editor, f).await;
}

#[tokio::test]
async fn an_unknown_input_field_is_a_graphql_validation_error() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let mut f = product_fields("Paspoort");
    f["colour"] = json!("rood");
    let body = refused_by_graphql(&t, Some(&editor), CREATE_PRODUCT, json!({ "f": f })).await;
    assert!(
        body.to_string().contains("colour"),
        "the error names the field: {body}"
    );
    // snake_case, as in the stored content, is not the API's spelling.
    let mut f = product_fields("Paspoort");
    f["desk_memo"] = json!("intern");
    refused_by_graphql(&t, Some(&editor), CREATE_PRODUCT, json!({ "f": f })).await;
    let literal = "mutation { createProduct(fields: { title: \"P\", summary: \"S\", colour: \"rood\" }) { item { id } } }";
    refused_by_graphql(&t, Some(&editor), literal, json!({})).await;
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
}

#[tokio::test]
async fn an_unknown_root_field_is_a_graphql_validation_error() {
    let t = empty_hub().await;
    let body = refused_by_graphql(&t, None, "{ foo { x } }", json!({})).await;
    assert!(body.to_string().contains("foo"), "{body}");
    refused_by_graphql(
        &t,
        None,
        "mutation { createWidget(fields: {}) { id } }",
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn graphql_request_errors_carry_an_extensions_code() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let bad_var = json!({ "f": { "title": "T", "instruction": "I", "durationMinutes": "ten" } });
    for (query, vars) in [
        ("{ viewer { role }", json!({})),
        ("{ foo { x } }", json!({})),
        (CREATE_STEP, bad_var),
        (nested_related(20).as_str(), json!({})),
    ] {
        let (_, body) = t.post(Some(&editor), query, vars).await;
        assert_coded(&body);
    }
}

#[tokio::test]
async fn a_duplicate_slug_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    create_product(&t, &editor, product_fields("Paspoort aanvragen")).await;
    // Same title: the derived slug collides.
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": product_fields("Paspoort aanvragen") }),
        "DUPLICATE_SLUG",
    )
    .await;
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("paspoort-aanvragen"),
        "{err}"
    );
    // An explicit slug collides too.
    let vars = json!({ "f": product_fields("Een paspoort"), "slug": "paspoort-aanvragen" });
    fails_with(&t, Some(&editor), CREATE_PRODUCT, vars, "DUPLICATE_SLUG").await;
    assert_eq!(count(&t, Some(&editor), "products").await, 1);
    // Another locale has its own slugs.
    let vars =
        json!({ "f": product_fields("Passport"), "slug": "paspoort-aanvragen", "locale": "en" });
    t.ok(Some(&editor), CREATE_PRODUCT, vars).await;
    // Renaming another item onto a taken slug is refused as well.
    let other = create_product(&t, &editor, product_fields("Identiteitskaart")).await;
    let upd = "mutation($id: ID!, $v: Int!, $slug: String) { updateProduct(id: $id, version: $v, slug: $slug) { item { slug } } }";
    fails_with(
        &t,
        Some(&editor),
        upd,
        json!({ "id": other["id"], "v": 1, "slug": "paspoort-aanvragen" }),
        "DUPLICATE_SLUG",
    )
    .await;
    assert_eq!(
        product_by_id(&t, Some(&editor), other["id"].as_str().unwrap()).await["slug"],
        "identiteitskaart"
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let p = create_product(&t, &editor, product_fields("Paspoort")).await;
    let id = p["id"].as_str().unwrap();
    let upd = "mutation($id: ID!, $v: Int!, $f: ProductUpdateFields) { updateProduct(id: $id, version: $v, fields: $f) { item { version title } } }";
    let data = t
        .ok(
            Some(&editor),
            upd,
            json!({ "id": id, "v": 1, "f": { "title": "Paspoort (1)" } }),
        )
        .await;
    assert_eq!(data["updateProduct"]["item"]["version"], 2);

    // A second editor still looking at version 1.
    let err = fails_with(
        &t,
        Some(&editor),
        upd,
        json!({ "id": id, "v": 1, "f": { "title": "Paspoort (2)" } }),
        "VERSION_CONFLICT",
    )
    .await;
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains('1') && msg.contains('2'), "{msg}");
    let now = product_by_id(&t, Some(&editor), id).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["title"], "Paspoort (1)");
    // A version from the future conflicts too.
    fails_with(
        &t,
        Some(&editor),
        upd,
        json!({ "id": id, "v": 9, "f": { "title": "X" } }),
        "VERSION_CONFLICT",
    )
    .await;
}

#[tokio::test]
async fn updating_a_missing_item_is_not_found() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let upd = "mutation($id: ID!) { updateProduct(id: $id, version: 1, fields: { title: \"X\" }) { item { id } } }";
    fails_with(
        &t,
        Some(&editor),
        upd,
        json!({ "id": "0190b5a0-0000-7000-8000-000000000000" }),
        "NOT_FOUND",
    )
    .await;
    // An id of another type is not a product.
    let step = create_step(&t, &editor, "Afspraak").await;
    let (_, body) = t.post(Some(&editor), upd, json!({ "id": step })).await;
    assert_coded(&body);
    assert!(
        matches!(code(&body["errors"][0]), "NOT_FOUND" | "BAD_USER_INPUT"),
        "{body}"
    );
}

#[tokio::test]
async fn an_invalid_slug_names_the_slug() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    for slug in [
        "Paspoort Aanvragen",
        "paspoort--aanvragen",
        "-paspoort",
        "paspoort_aanvragen",
        "paspoört",
    ] {
        let vars = json!({ "f": product_fields("Paspoort"), "slug": slug });
        let err = fails_with(&t, Some(&editor), CREATE_PRODUCT, vars, "VALIDATION_FAILED").await;
        assert_eq!(err["extensions"]["field"], "slug", "{slug}");
    }
    let long = "a".repeat(121);
    let err = fails_with(
        &t,
        Some(&editor),
        CREATE_PRODUCT,
        json!({ "f": product_fields("P"), "slug": long }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "slug");
    assert_eq!(count(&t, Some(&editor), "products").await, 0);

    // On update as well; the item keeps its slug.
    let p = create_product(&t, &editor, product_fields("Paspoort")).await;
    let upd = "mutation($id: ID!, $slug: String) { updateProduct(id: $id, version: 1, slug: $slug) { item { slug } } }";
    let err = fails_with(
        &t,
        Some(&editor),
        upd,
        json!({ "id": p["id"], "slug": "Niet Goed" }),
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(err["extensions"]["field"], "slug");
    assert_eq!(
        product_by_id(&t, Some(&editor), p["id"].as_str().unwrap()).await["slug"],
        "paspoort"
    );
}

#[tokio::test]
async fn an_invalid_locale_names_the_locale() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    for locale in ["dutch", "NL", "nl_NL", "", "n"] {
        let vars = json!({ "f": product_fields("Paspoort"), "locale": locale });
        let err = fails_with(&t, Some(&editor), CREATE_PRODUCT, vars, "VALIDATION_FAILED").await;
        assert_eq!(err["extensions"]["field"], "locale", "{locale:?}");
    }
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
    let vars = json!({ "f": product_fields("Paspoort"), "locale": "nl-BE" });
    t.ok(Some(&editor), CREATE_PRODUCT, vars).await;
}

#[tokio::test]
async fn a_bad_review_date_names_the_field() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let q = "mutation($f: ProductCreateFields!, $r: Date) { createProduct(fields: $f, reviewBy: $r) { item { reviewBy } } }";
    // The Date scalar refuses it before the hub sees it.
    refused_by_graphql(
        &t,
        Some(&editor),
        q,
        json!({ "f": product_fields("P"), "r": "31-12-2027" }),
    )
    .await;
    refused_by_graphql(
        &t,
        Some(&editor),
        q,
        json!({ "f": product_fields("P"), "r": "2027-02-30" }),
    )
    .await;
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
    let data = t
        .ok(
            Some(&editor),
            q,
            json!({ "f": product_fields("P"), "r": "2027-12-31" }),
        )
        .await;
    assert_eq!(data["createProduct"]["item"]["reviewBy"], "2027-12-31");
}

#[tokio::test]
async fn paging_arguments_out_of_range_are_bad_user_input() {
    let t = example_hub().await;
    fails_with(
        &t,
        None,
        "{ products(first: 1000) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    fails_with(
        &t,
        None,
        "{ products(first: -1) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    fails_with(
        &t,
        None,
        "{ products(first: 1, last: 1) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    let (_, body) = t
        .post(
            None,
            "{ products(after: \"garbage\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_coded(&body);
    fails_with(
        &t,
        None,
        "{ product(id: \"x\", slug: \"y\") { id } }",
        json!({}),
        "VALIDATION_FAILED",
    )
    .await;
}

// --- workflow rules through the API -----------------------------------------

/// A draft step and a draft product that uses it; returns (step, product).
async fn product_with_draft_step(t: &TestHub, editor: &str) -> (String, String) {
    let step = create_step(t, editor, "Afspraak maken").await;
    let mut f = product_fields("Paspoort aanvragen");
    f["steps"] = json!([step]);
    let p = create_product(t, editor, f).await;
    (step, p["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn publishing_a_product_whose_step_is_a_draft_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (_step, product) = product_with_draft_step(&t, &editor).await;

    let err = fails_with(
        &t,
        Some(&publisher),
        PUBLISH,
        json!({ "ids": [product] }),
        "REFERENCE_NOT_PUBLISHED",
    )
    .await;
    assert!(
        err["message"].as_str().unwrap().contains("afspraak-maken"),
        "the message names the draft: {err}"
    );
    assert_eq!(
        product_by_id(&t, Some(&editor), &product).await["status"],
        "DRAFT"
    );
    assert!(product_by_id(&t, None, &product).await.is_null());
    assert_eq!(count(&t, None, "products").await, 0);
}

#[tokio::test]
async fn publishing_a_product_and_its_step_together_works() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (step, product) = product_with_draft_step(&t, &editor).await;

    let data = publish(&t, &publisher, &[&product, &step]).await;
    let statuses: Vec<&str> = data["publish"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["PUBLISHED", "PUBLISHED"]);
    let q = "query($id: ID) { product(id: $id) { status steps { id status } } }";
    let anon = t.ok(None, q, json!({ "id": product })).await;
    assert_eq!(anon["product"]["status"], "PUBLISHED");
    assert_eq!(anon["product"]["steps"][0]["id"], step.as_str());
}

#[tokio::test]
async fn a_failed_publish_of_several_items_publishes_none() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (_step, product) = product_with_draft_step(&t, &editor).await;
    let lonely = create_step(&t, &editor, "Losse stap").await;
    fails_with(
        &t,
        Some(&publisher),
        PUBLISH,
        json!({ "ids": [lonely, product] }),
        "REFERENCE_NOT_PUBLISHED",
    )
    .await;
    assert_eq!(count(&t, None, "steps").await, 0, "all or none");
    assert_eq!(count(&t, None, "products").await, 0);
}

#[tokio::test]
async fn unpublishing_a_step_a_published_product_uses_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (step, product) = product_with_draft_step(&t, &editor).await;
    publish(&t, &publisher, &[&product, &step]).await;

    let err = fails_with(
        &t,
        Some(&publisher),
        UNPUBLISH,
        json!({ "ids": [step] }),
        "STILL_REFERENCED",
    )
    .await;
    assert!(!err["message"].as_str().unwrap().is_empty());
    let archive = "mutation($ids: [ID!]!) { archive(ids: $ids) { items { id } } }";
    fails_with(
        &t,
        Some(&publisher),
        archive,
        json!({ "ids": [step] }),
        "STILL_REFERENCED",
    )
    .await;
    assert_eq!(count(&t, None, "steps").await, 1, "the step stays live");

    // Together with the product that uses it, it may go.
    let data = t
        .ok(
            Some(&publisher),
            UNPUBLISH,
            json!({ "ids": [step, product] }),
        )
        .await;
    assert_eq!(data["unpublish"]["items"][0]["status"], "DRAFT");
    assert_eq!(count(&t, None, "steps").await, 0);
    assert_eq!(count(&t, None, "products").await, 0);
}

#[tokio::test]
async fn deleting_a_referenced_item_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let (step, product) = product_with_draft_step(&t, &editor).await;
    let err = fails_with(
        &t,
        Some(&editor),
        DELETE,
        json!({ "id": step }),
        "STILL_REFERENCED",
    )
    .await;
    assert!(!err["message"].as_str().unwrap().is_empty());
    assert_eq!(count(&t, Some(&editor), "steps").await, 1);
    let q = "query($id: ID) { product(id: $id) { steps { id } } }";
    let data = t.ok(Some(&editor), q, json!({ "id": product })).await;
    assert_eq!(data["product"]["steps"][0]["id"], step.as_str());
}

#[tokio::test]
async fn deleting_an_unreferenced_draft_removes_it() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let agent = t.token(Role::Agent).await;
    let p = create_product(&t, &editor, product_fields("Weg ermee")).await;
    let id = p["id"].as_str().unwrap();
    fails_with(&t, None, DELETE, json!({ "id": id }), "UNAUTHENTICATED").await;
    fails_with(&t, Some(&agent), DELETE, json!({ "id": id }), "FORBIDDEN").await;

    let data = t.ok(Some(&editor), DELETE, json!({ "id": id })).await;
    assert_eq!(data["deleteItem"]["id"], id);
    assert!(product_by_id(&t, Some(&editor), id).await.is_null());
    assert!(
        product_by_slug(&t, Some(&editor), "weg-ermee")
            .await
            .is_null()
    );
    assert_eq!(count(&t, Some(&editor), "products").await, 0);
    // Gone means gone: a second delete is NOT_FOUND, and the slug is free again.
    fails_with(&t, Some(&editor), DELETE, json!({ "id": id }), "NOT_FOUND").await;
    create_product(&t, &editor, product_fields("Weg ermee")).await;
}

#[tokio::test]
async fn deleting_a_published_item_needs_a_publisher() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let p = create_product(&t, &editor, product_fields("Live")).await;
    let id = p["id"].as_str().unwrap();
    publish(&t, &publisher, &[id]).await;
    fails_with(&t, Some(&editor), DELETE, json!({ "id": id }), "FORBIDDEN").await;
    assert_eq!(count(&t, None, "products").await, 1);
    t.ok(Some(&publisher), DELETE, json!({ "id": id })).await;
    assert_eq!(count(&t, None, "products").await, 0);
}

#[tokio::test]
async fn a_stale_version_on_delete_is_a_conflict() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let p = create_product(&t, &editor, product_fields("Paspoort")).await;
    let upd = "mutation($id: ID!) { updateProduct(id: $id, version: 1, fields: { title: \"Paspoort 2\" }) { item { version } } }";
    t.ok(Some(&editor), upd, json!({ "id": p["id"] })).await;
    let del = "mutation($id: ID!) { deleteItem(id: $id, version: 1) { id } }";
    fails_with(
        &t,
        Some(&editor),
        del,
        json!({ "id": p["id"] }),
        "VERSION_CONFLICT",
    )
    .await;
    assert_eq!(count(&t, Some(&editor), "products").await, 1);
}

#[tokio::test]
async fn archived_items_are_gone_for_anonymous_callers_but_kept_for_editors() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let p = create_product(&t, &editor, product_fields("Oud product")).await;
    let id = p["id"].as_str().unwrap();
    publish(&t, &publisher, &[id]).await;
    let archive = "mutation($ids: [ID!]!) { archive(ids: $ids) { items { status } } }";
    fails_with(
        &t,
        Some(&editor),
        archive,
        json!({ "ids": [id] }),
        "FORBIDDEN",
    )
    .await;
    let data = t
        .ok(Some(&publisher), archive, json!({ "ids": [id] }))
        .await;
    assert_eq!(data["archive"]["items"][0]["status"], "ARCHIVED");
    assert!(product_by_id(&t, None, id).await.is_null());
    assert_eq!(count(&t, None, "products").await, 0);
    assert_eq!(
        product_by_id(&t, Some(&editor), id).await["status"],
        "ARCHIVED"
    );
}

// --- setFact ------------------------------------------------------------------

const SET_FACT: &str = "mutation($slug: String!, $value: String!, $label: String, $amount: Money, $locale: String) {
    setFact(slug: $slug, value: $value, label: $label, amount: $amount, locale: $locale) { item { slug label value amount status } }
}";

#[tokio::test]
async fn set_fact_creates_and_publishes_a_fact() {
    let t = empty_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let vars = json!({ "slug": "leges-paspoort", "value": "€ 84,70", "label": "Leges paspoort", "amount": "84.7" });
    let data = t.ok(Some(&publisher), SET_FACT, vars).await;
    let item = &data["setFact"]["item"];
    assert_eq!(item["status"], "PUBLISHED");
    assert_eq!(item["amount"], "84.70");
    let anon = t
        .ok(
            None,
            "{ fact(slug: \"leges-paspoort\") { value label } }",
            json!({}),
        )
        .await;
    assert_eq!(anon["fact"]["value"], "€ 84,70");
    assert_eq!(anon["fact"]["label"], "Leges paspoort");
}

#[tokio::test]
async fn set_fact_with_bad_input_names_the_field_and_writes_nothing() {
    let t = empty_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let editor = t.token(Role::Editor).await;
    let cases = [
        (
            json!({ "slug": "Leges Paspoort", "value": "x", "label": "l" }),
            "slug",
        ),
        (
            json!({ "slug": "leges", "value": "x", "label": "l", "locale": "nl_NL" }),
            "locale",
        ),
        (
            json!({ "slug": "leges", "value": "x", "label": "l", "amount": "veel" }),
            "fields.amount",
        ),
        (
            json!({ "slug": "leges", "value": "  ", "label": "l" }),
            "fields.value",
        ),
        (
            json!({ "slug": "leges", "value": "x", "label": "l".repeat(1000) }),
            "fields.label",
        ),
    ];
    for (vars, field) in cases {
        let err = fails_with(
            &t,
            Some(&publisher),
            SET_FACT,
            vars.clone(),
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(err["extensions"]["field"], field, "{vars}");
    }
    assert_eq!(count(&t, Some(&editor), "facts").await, 0);
}

#[tokio::test]
async fn set_fact_does_not_publish_pending_draft_edits() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let q = "{ fact(slug: \"gemeente-telefoonnummer\") { id version label value } }";
    let before = t.ok(Some(&editor), q, json!({})).await["fact"].clone();
    let upd = "mutation($id: ID!, $v: Int!) { updateFact(id: $id, version: $v, fields: { label: \"NOG NIET GOEDGEKEURD\" }) { item { version } } }";
    t.ok(
        Some(&editor),
        upd,
        json!({ "id": before["id"], "v": before["version"] }),
    )
    .await;

    // Setting the value would also publish the unreviewed label: refused, nothing changes.
    let set = "mutation { setFact(slug: \"gemeente-telefoonnummer\", value: \"14 0599\") { item { value } } }";
    let e = t.err(Some(&publisher), set, json!({})).await;
    assert_eq!(code(&e), "INVALID_STATE");
    let live = t.ok(None, q, json!({})).await["fact"].clone();
    assert_eq!(live["value"], before["value"]);
    assert_eq!(
        live["label"], before["label"],
        "the unreviewed label must not go live: {live}"
    );
}

// --- concurrent writers ---------------------------------------------------------

/// Sends the same request `n` times at once, from separate tasks.
async fn at_once(t: &TestHub, n: usize, token: &str, query: &str, variables: Value) -> Vec<Value> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let app = t.app.clone();
        let req = post_req(gql_body(query, variables.clone()), None, Some(token));
        tasks.push(tokio::spawn(async move {
            let resp = app.oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// How many answers succeeded; every other one must have `expected` as code.
fn winners(answers: &[Value], expected: &str) -> usize {
    let mut ok = 0;
    for a in answers {
        if a.get("errors").is_none() {
            ok += 1;
        } else {
            assert_coded(a);
            assert_eq!(code(&a["errors"][0]), expected, "{a}");
        }
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_with_one_slug_give_one_item_and_clean_errors() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let answers = at_once(
        &t,
        8,
        &editor,
        CREATE_PRODUCT,
        json!({ "f": product_fields("Tegelijk") }),
    )
    .await;
    assert_eq!(winners(&answers, "DUPLICATE_SLUG"), 1);
    assert_eq!(count(&t, Some(&editor), "products").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_of_one_version_give_one_winner() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let p = create_product(&t, &editor, product_fields("Tegelijk")).await;
    let upd = "mutation($id: ID!) { updateProduct(id: $id, version: 1, fields: { title: \"Tegelijk bewerkt\" }) { item { version } } }";
    let answers = at_once(&t, 8, &editor, upd, json!({ "id": p["id"] })).await;
    assert_eq!(winners(&answers, "VERSION_CONFLICT"), 1);
    assert_eq!(
        product_by_id(&t, Some(&editor), p["id"].as_str().unwrap()).await["version"],
        2
    );
}

// --- the shape of errors in a response ----------------------------------------

#[tokio::test]
async fn a_field_error_is_not_a_request_error() {
    let t = empty_hub().await;
    let vars = json!({ "f": product_fields("Zonder token") });
    let reply = call(
        &t,
        post_req(gql_body(CREATE_PRODUCT, vars), Some(GQL_RESPONSE), None),
    )
    .await;
    assert_eq!(code(reply.first_error()), "UNAUTHENTICATED");
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // The same error next to a field that succeeds is already a 200.
    let reply = call(
        &t,
        post_req(
            gql_body("{ viewer { role } changes { seq } }", json!({})),
            Some(GQL_RESPONSE),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = call(
        &t,
        post_req(
            gql_body("{ changes { seq } }", json!({})),
            Some(GQL_RESPONSE),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn field_errors_carry_a_path() {
    let t = empty_hub().await;
    let (_, body) = t
        .post(
            None,
            CREATE_PRODUCT,
            json!({ "f": product_fields("Zonder token") }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["path"],
        json!(["createProduct"]),
        "{body}"
    );
}

#[tokio::test]
async fn answers_respect_non_null_types_after_a_field_error() {
    let t = example_hub().await;
    let agent = t.token(Role::Agent).await;
    // `revisions: [Revision!]` needs an editor; for an agent it fails and is null.
    let (_, body) = t
        .post(
            Some(&agent),
            "{ products(first: 2) { nodes { slug revisions { version } } } }",
            json!({}),
        )
        .await;
    assert_coded(&body);
    assert_eq!(code(&body["errors"][0]), "FORBIDDEN");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["products", "nodes", 0, "revisions"])
    );
    let nodes = body["data"]["products"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert!(
        nodes
            .iter()
            .all(|n| n["slug"].is_string() && n.get("revisions") == Some(&Value::Null)),
        "a failed nullable field is present as null: {body}"
    );
    // At the root: a failing `changes` (drafts need an editor) is null next
    // to the fields that worked.
    let (_, body) = t
        .post(
            None,
            "{ viewer { role } changes(events: [CREATED]) { seq } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "anonymous", "{body}");
    assert_eq!(body["data"].get("changes"), Some(&Value::Null), "{body}");
}

#[tokio::test]
async fn the_schema_is_served_as_sdl_and_the_browser_page_works_offline() {
    let t = empty_hub().await;
    let resp = t
        .app
        .clone()
        .oneshot(
            Request::get("/graphql/schema.graphql")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let sdl = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let checked_in = std::fs::read_to_string(repo().join("schema/schema.graphql")).unwrap();
    assert!(sdl.contains("type Product implements Node & Item"), "{sdl}");
    assert!(
        checked_in.contains(sdl.trim()),
        "the served SDL is the checked-in contract"
    );
    // Without the CDN the page falls back to a plain query form of its own.
    let resp = t
        .app
        .clone()
        .oneshot(
            Request::get("/graphql")
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let html = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains("<template id=\"plain\">") && html.contains("schema.graphql"));
}

#[tokio::test]
async fn only_utf8_json_is_accepted_and_extensions_must_be_a_map() {
    let t = empty_hub().await;
    let body = r#"{"query":"{ viewer { role } }"}"#;
    let send = |ct: &'static str, body: &'static str| {
        Request::post("/graphql")
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _) = t.send(send("application/json; charset=utf-16", body)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = t.send(send("application/json; charset=UTF-8", body)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = t
        .send(send(
            "application/json",
            r#"{"query":"{ viewer { role } }","extensions":"x"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&err["errors"][0]), "BAD_REQUEST");
    let resp = t
        .app
        .clone()
        .oneshot(send("application/json", body))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-type"],
        "application/json; charset=utf-8"
    );
}

#[tokio::test]
async fn queries_padded_with_long_comments_do_not_fill_the_cache_with_their_text() {
    let t = example_hub().await;
    let api = bron::graphql::Api::new(t.hub.clone()).unwrap();
    let padding = "#".repeat(100 * 1024);
    for i in 0..1000 {
        let q = format!("{{ viewer {{ role }} }}\n{padding}{i}\n");
        let r = api
            .execute(Viewer::anonymous(), async_graphql::Request::new(q))
            .await;
        assert!(!r.request_error);
    }
    // A key is a 32-byte hash: 1,000 entries of a tiny answer, not 100 MB of
    // query text.
    let weight = api.cache_weight();
    assert!(weight < 300 * 1024, "the cache holds {weight} bytes");
}

#[tokio::test]
async fn a_flood_of_one_off_queries_does_not_flush_what_everyone_reads() {
    let t = example_hub().await;
    let api = bron::graphql::Api::new(t.hub.clone())
        .unwrap()
        .with_cache_bytes(256 * 1024);
    let page = r#"{ product(slug: "paspoort-aanvragen") { title summary steps { title } } }"#;
    let ask = |q: String| api.execute(Viewer::anonymous(), async_graphql::Request::new(q));
    for _ in 0..3 {
        ask(page.to_string()).await;
    }
    assert!(ask(page.to_string()).await.cached);
    for i in 0..3000 {
        ask(format!(
            "{{ products(first: {}) {{ totalCount }} }} # {i}",
            i % 50
        ))
        .await;
    }
    assert!(api.cache_weight() <= 256 * 1024);
    assert!(
        ask(page.to_string()).await.cached,
        "the page everyone reads survived the flood"
    );
}

// --- what a query may cost ---------------------------------------------------

#[tokio::test]
async fn a_reference_list_refuses_duplicates_and_more_than_its_maximum() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let d = t
        .ok(
            None,
            &format!("{{ product(slug: \"{A_PUBLISHED_PRODUCT}\") {{ id version }} }}"),
            json!({}),
        )
        .await;
    let id = d["product"]["id"].as_str().unwrap().to_string();
    let update = "mutation($id: ID!, $v: Int!, $r: [ID!]) { updateProduct(id: $id, version: $v, fields: {relatedProducts: $r}) { item { version } } }";
    let hundred: Vec<&str> = std::iter::repeat_n(id.as_str(), 100).collect();
    let err = t
        .err(
            Some(&editor),
            update,
            json!({"id": id, "v": d["product"]["version"], "r": hundred}),
        )
        .await;
    assert_eq!(code(&err), "VALIDATION_FAILED", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("at most 20 entries, got 100"),
        "{err}"
    );
    let twice = [id.as_str(), id.as_str()];
    let err = t
        .err(
            Some(&editor),
            update,
            json!({"id": id, "v": d["product"]["version"], "r": twice}),
        )
        .await;
    assert_eq!(code(&err), "VALIDATION_FAILED", "{err}");
    assert_eq!(
        err["extensions"]["field"], "fields.relatedProducts[1]",
        "{err}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("already in this list"),
        "{err}"
    );
}

#[tokio::test]
async fn queries_whose_fan_out_multiplies_are_refused_before_they_run() {
    let t = example_hub().await;
    // 131 bytes, four levels of a reference list: 50^4 products.
    let nested = "{products(first:100){nodes{relatedProducts{relatedProducts{relatedProducts{relatedProducts{title summary}}}}}}}";
    // 220 aliases of a full page with references.
    let mut aliases = String::from("{");
    for i in 0..220 {
        aliases.push_str(&format!(
            " a{i}: products(first: 100) {{ nodes {{ steps {{ title }} }} }}"
        ));
    }
    aliases.push('}');
    for (query, vars) in [
        (nested.to_string(), json!({})),
        (aliases, json!({})),
        (
            "query($n: Int) { products(first: $n) { nodes { relatedProducts { relatedProducts { body: introduction } } } } }".to_string(),
            json!({"n": 100}),
        ),
    ] {
        let started = std::time::Instant::now();
        let reply = call(&t, post_req(gql_body(&query, vars), Some(GQL_RESPONSE), None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        let err = &reply.body["errors"][0];
        assert_eq!(code(err), "QUERY_TOO_EXPENSIVE", "{err}");
        assert!(err["extensions"]["cost"].as_u64().unwrap() > bron::graphql::MAX_COST);
        assert_eq!(err["extensions"]["limit"], bron::graphql::MAX_COST);
        assert!(reply.body.get("data").is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
    // The same shapes at a size a site asks for run.
    let page = "{ products(first: 20) { nodes { title steps { title } conditions { text } questions { question } } } }";
    t.ok(None, page, json!({})).await;
    let related =
        "{ products(first: 10) { nodes { relatedProducts { title relatedProducts { slug } } } } }";
    t.ok(None, related, json!({})).await;
}

#[tokio::test]
async fn the_checked_in_schema_declares_exactly_the_types_the_server_serves() {
    let t = empty_hub().await;
    let d = t
        .ok(None, "{ __schema { types { name } } }", json!({}))
        .await;
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let mut served: Vec<String> = d["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .filter(|n| !n.starts_with("__") && !builtin.contains(&n.as_str()))
        .collect();
    served.sort();
    let sdl = std::fs::read_to_string(repo().join("schema/schema.graphql")).unwrap();
    let mut declared: Vec<String> = sdl
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let kind = words.next()?;
            ["type", "scalar", "enum", "input", "interface", "union"]
                .contains(&kind)
                .then(|| words.next())
                .flatten()
                .map(|n| n.trim_end_matches('{').to_string())
        })
        .collect();
    declared.sort();
    assert_eq!(declared, served);
}
