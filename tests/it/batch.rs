//! Batches as Apollo's `BatchHttpLink` sends them: a JSON array of
//! operations, answered with the array of their answers in order, each
//! with its own errors; at most `MAX_BATCH` operations.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::support::example_hub;

fn post(body: Value) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_batch_is_answered_in_order_each_with_its_own_errors() {
    let t = example_hub().await;
    let (status, body) = t
        .send(post(json!([
            {"query": "query($s: String!) { product(slug: $s) { title } }", "variables": {"s": "paspoort-aanvragen"}, "operationName": null},
            {"query": "{ nope }"},
            {"query": "{ __typename }"},
            "not an operation"
        ])))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answers = body.as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(answers.len(), 4);
    assert_eq!(answers[0]["data"]["product"]["title"], "Paspoort aanvragen");
    assert!(answers[1]["errors"].is_array(), "{}", answers[1]);
    assert_eq!(answers[2]["data"]["__typename"], "Query");
    assert_eq!(answers[3]["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn an_empty_or_oversized_batch_is_refused() {
    let t = example_hub().await;
    let (status, body) = t.send(post(json!([]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let ops: Vec<Value> = (0..11)
        .map(|_| json!({"query": "{ __typename }"}))
        .collect();
    let (status, body) = t.send(post(Value::Array(ops))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BATCH_TOO_LARGE",
        "{body}"
    );
}
