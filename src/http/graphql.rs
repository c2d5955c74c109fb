//! `/graphql` over HTTP: authentication, content negotiation, body limits,
//! GET and POST, and the GraphiQL page for browsers.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{MAX_BODY_BYTES, error_response, json_response};
use crate::graphql::{Api, operation_type};
use crate::hub::Viewer;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Which media type the response uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`; None when we cannot serve any.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut json = false;
    for part in accept.split(',') {
        let mut bits = part.split(';');
        let media = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = bits.any(|p| p.trim().replace(' ', "") == "q=0");
        if refused {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE => return Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => json = true,
            _ => {}
        }
    }
    json.then_some(Media::Json)
}

fn not_acceptable() -> Response {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "this endpoint answers with application/graphql-response+json or application/json; say so in the Accept header",
    )
}

/// The caller, from `Authorization: Bearer …`; no header means anonymous.
async fn viewer(api: &Api, headers: &HeaderMap) -> Result<Viewer, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Viewer::anonymous());
    };
    let text = value.to_str().unwrap_or("");
    let token = match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            token.trim()
        }
        _ => {
            return Err(unauthorized(
                "UNAUTHENTICATED",
                "the Authorization header must be `Bearer <token>`",
            ));
        }
    };
    api.hub()
        .authenticate(token)
        .await
        .map_err(|e| unauthorized(e.code(), &e.to_string()))
}

/// A 401 always carries the challenge (RFC 9110).
fn unauthorized(code: &str, message: &str) -> Response {
    let mut r = error_response(StatusCode::UNAUTHORIZED, code, message);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"bron\""),
    );
    r
}

/// Runs a request; the response, and the sequence it was made at when HTTP
/// may cache it (a query answered without errors).
async fn run(
    api: &Api,
    viewer: Viewer,
    mut request: async_graphql::Request,
    media: Media,
    options: &super::HttpOptions,
) -> (Response, Option<i64>) {
    if !options.public_introspection && viewer.role == crate::hub::Role::Anonymous {
        if asks_for_schema(&request.query) {
            return (
                error_response(
                    StatusCode::FORBIDDEN,
                    "INTROSPECTION_DISABLED",
                    "this server shows its schema only to callers with a token; send one as `Authorization: Bearer <token>`",
                ),
                None,
            );
        }
        request = request.disable_introspection();
    }
    let operation = super::log::operation_kind(&request.query);
    let result = api.execute(viewer, request).await;
    let status = if result.request_error && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut r = json_response(status, result.body, media.content_type());
    if result.cached {
        r.headers_mut()
            .insert("x-bron-cache", HeaderValue::from_static("hit"));
    }
    r.extensions_mut().insert(super::log::GraphqlFacts {
        operation,
        cached: result.cached,
    });
    (r, result.cacheable.then_some(result.seq))
}

/// Whether a document asks for `__schema` or `__type` (not `__typename`,
/// which every client may ask).
fn asks_for_schema(query: &str) -> bool {
    query.contains("__schema")
        || query
            .match_indices("__type")
            .any(|(i, _)| !query[i + "__type".len()..].starts_with("name"))
}

fn bad_request(message: String) -> Response {
    error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message)
}

/// Builds a GraphQL request from the parts of a JSON body or a query string.
fn graphql_request(
    query: Option<&serde_json::Value>,
    variables: Option<serde_json::Value>,
    operation_name: Option<&serde_json::Value>,
) -> Result<async_graphql::Request, Box<Response>> {
    let query = match query {
        Some(serde_json::Value::String(q)) => q.clone(),
        Some(_) => return Err(Box::new(bad_request("`query` must be a string".into()))),
        None => return Err(Box::new(bad_request("the request has no `query`".into()))),
    };
    let mut request = async_graphql::Request::new(query);
    match variables {
        None | Some(serde_json::Value::Null) => {}
        Some(v @ serde_json::Value::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(v));
        }
        Some(_) => {
            return Err(Box::new(bad_request(
                "`variables` must be a JSON object".into(),
            )));
        }
    }
    match operation_name {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(n)) => request = request.operation_name(n.clone()),
        Some(_) => {
            return Err(Box::new(bad_request(
                "`operationName` must be a string".into(),
            )));
        }
    }
    Ok(request)
}

pub(super) async fn post_graphql(
    State(api): State<Arc<Api>>,
    axum::Extension(options): axum::Extension<Arc<super::HttpOptions>>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let Some(media) = negotiate(&parts.headers) else {
        return not_acceptable();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let charset_ok = content_type.split(';').skip(1).all(|p| {
        let p = p.trim().to_ascii_lowercase().replace('"', "");
        !p.starts_with("charset=") || p == "charset=utf-8"
    });
    if essence != "application/json" || !charset_ok {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!(
                "send the request as Content-Type: application/json in UTF-8 (got `{content_type}`)"
            ),
        );
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            );
        }
    };
    let json: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return bad_request(format!("the body is not valid JSON: {e}")),
    };
    let viewer = match viewer(&api, &parts.headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let known = match known_documents(&api, &viewer, &options).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    match json {
        serde_json::Value::Array(ops) => batch(&api, viewer, ops, media, &options, &known).await,
        serde_json::Value::Object(obj) => match request_of(obj, &options, &known) {
            Ok(request) => run(&api, viewer, request, media, &options).await.0,
            Err(r) => *r,
        },
        _ => bad_request(
            "the body must be a JSON object with a `query`, or an array of them (a batch)".into(),
        ),
    }
}

/// The most operations one batch may hold.
pub const MAX_BATCH: usize = 10;

/// The registered documents, and whether this caller may run only those.
async fn known_documents(
    api: &Api,
    viewer: &Viewer,
    options: &super::HttpOptions,
) -> Result<super::persisted::Known, Response> {
    let documents = api.hub().trusted_documents().await.map_err(|e| {
        tracing::error!(error = %e, "cannot read the trusted documents");
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORE_BUSY",
            "the registered documents cannot be read now; try again",
        )
    })?;
    Ok(super::persisted::Known {
        documents,
        only: options.trusted_documents && viewer.role == crate::hub::Role::Anonymous,
    })
}

/// One operation of a POST body.
fn request_of(
    mut obj: serde_json::Map<String, serde_json::Value>,
    options: &super::HttpOptions,
    known: &super::persisted::Known,
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
async fn batch(
    api: &Api,
    viewer: Viewer,
    ops: Vec<serde_json::Value>,
    media: Media,
    options: &super::HttpOptions,
    known: &super::persisted::Known,
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
            serde_json::Value::Object(obj) => match request_of(obj, options, known) {
                Ok(request) => run(api, viewer.clone(), request, media, options).await.0,
                Err(r) => *r,
            },
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

pub(super) async fn get_graphql(
    State(api): State<Arc<Api>>,
    axum::Extension(options): axum::Extension<Arc<super::HttpOptions>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !["query", "extensions", "documentId"]
        .iter()
        .any(|k| params.contains_key(*k))
    {
        if wants_html {
            return super::graphiql::page(&options);
        }
        return bad_request("a GET request needs a `query` parameter (or open this address in a browser for GraphiQL)".into());
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let variables = match params.get("variables").filter(|v| !v.is_empty()) {
        Some(text) => match serde_json::from_str(text) {
            Ok(v) => Some(v),
            Err(e) => return bad_request(format!("`variables` is not valid JSON: {e}")),
        },
        None => None,
    };
    let extensions = match params.get("extensions").filter(|v| !v.is_empty()) {
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v @ serde_json::Value::Object(_)) => Some(v),
            _ => return bad_request("`extensions` must be a JSON object".into()),
        },
        None => None,
    };
    let viewer = match viewer(&api, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let known = match known_documents(&api, &viewer, &options).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let query = params.get("query").cloned().map(serde_json::Value::String);
    let document_id = params
        .get("documentId")
        .cloned()
        .map(serde_json::Value::String);
    let query = match options.persisted.resolve(
        query.as_ref(),
        extensions.as_ref(),
        document_id.as_ref(),
        &known,
    ) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let op = params
        .get("operationName")
        .filter(|v| !v.is_empty())
        .cloned()
        .map(serde_json::Value::String);
    let request = match graphql_request(query.as_ref(), variables, op.as_ref()) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if operation_type(&request.query, request.operation_name.as_deref())
        == Some(OperationType::Mutation)
    {
        let mut r = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations are only accepted over POST",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let anonymous = viewer.role == crate::hub::Role::Anonymous;
    let (mut r, seq) = run(&api, viewer, request, media, &options).await;
    super::caching::conditional(
        &mut r,
        &headers,
        anonymous,
        seq,
        &params,
        media.content_type(),
        &options,
    );
    r
}
