//! Batches (Apollo's `BatchHttpLink`): a POST whose body is an array of
//! operations. Each runs as if posted alone, one after the other, with its
//! own cost limit and errors; the answer is the array of their answers.
//! The request as a whole counts as one `batch` in the metrics.

use axum::http::StatusCode;
use axum::response::Response;

use super::graphql::{Media, bad_request, graphql_request, names_hash, run};
use super::persisted::Known;
use super::{HttpOptions, error_response, json_response};
use crate::graphql::Api;
use crate::hub::Viewer;

/// The most operations one batch may hold.
pub const MAX_BATCH: usize = 10;

/// One operation of a POST body.
pub(super) fn request_of(
    mut obj: serde_json::Map<String, serde_json::Value>,
    options: &HttpOptions,
    known: &Known,
) -> Result<async_graphql::Request, Box<Response>> {
    if !matches!(
        obj.get("extensions"),
        None | Some(serde_json::Value::Null) | Some(serde_json::Value::Object(_))
    ) {
        return Err(Box::new(bad_request(
            "`extensions` must be a JSON object".into(),
        )));
    }
    let query = options.persisted.resolve(
        obj.get("query"),
        obj.get("extensions"),
        obj.get("documentId"),
        known,
    )?;
    let variables = obj.remove("variables");
    graphql_request(query.as_ref(), variables, obj.get("operationName"))
}

/// A batch (Apollo's `BatchHttpLink`): the operations run one after the
/// other, in order, each with its own cost limit and its own errors; the
/// answer is the array of their answers.
pub(super) async fn batch(
    api: &Api,
    viewer: Viewer,
    ops: Vec<serde_json::Value>,
    media: Media,
    options: &HttpOptions,
    known: &Known,
) -> Response {
    if ops.is_empty() {
        return bad_request("the batch is empty; send at least one operation".into());
    }
    if ops.len() > MAX_BATCH {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BATCH_TOO_LARGE",
            &format!(
                "a batch holds at most {MAX_BATCH} operations, this one {}; send it in parts",
                ops.len()
            ),
        );
    }
    let mut out = Vec::with_capacity(ops.len() * 256);
    out.push(b'[');
    for (i, op) in ops.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let answer = match op {
            serde_json::Value::Object(obj) => {
                let persisted = names_hash(obj.get("extensions")) || obj.contains_key("documentId");
                match request_of(obj, options, known) {
                    Ok(request) => {
                        run(
                            api,
                            viewer.clone(),
                            request,
                            media,
                            options,
                            persisted,
                            None,
                        )
                        .await
                        .0
                    }
                    Err(r) => *r,
                }
            }
            _ => bad_request("each operation of a batch is a JSON object with a `query`".into()),
        };
        let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        out.extend_from_slice(&body);
    }
    out.push(b']');
    json_response(StatusCode::OK, out, media.content_type())
}
