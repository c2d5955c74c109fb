//! `/graphql` over HTTP: authentication, content negotiation, body limits,
//! the POST handler, and what it shares with the GET handler (`get.rs`):
//! running a request, answering by the raw form, shaping the response.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::caching;
use super::log::GraphqlFacts;
use super::{MAX_BODY_BYTES, error_response, json_response};
use crate::graphql::{Api, GqlResponse, RawKey};
use crate::hub::Viewer;
use crate::metrics::RequestKind;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Which media type the response uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    pub(super) fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`; None when we cannot serve any.
pub(super) fn negotiate(headers: &HeaderMap) -> Option<Media> {
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

pub(super) fn not_acceptable() -> Response {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "this endpoint answers with application/graphql-response+json or application/json; say so in the Accept header",
    )
}

/// The caller, from `Authorization: Bearer …`; no header means anonymous.
pub(super) async fn viewer(api: &Api, headers: &HeaderMap) -> Result<Viewer, Response> {
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

/// Tells the log and the metrics what kind of request `r` answered.
pub(super) fn tagged(mut r: Response, kind: RequestKind) -> Response {
    r.extensions_mut().insert(GraphqlFacts::of(kind));
    r
}

/// Whether a request names its query by hash (`extensions.persistedQuery`).
pub(super) fn names_hash(extensions: Option<&serde_json::Value>) -> bool {
    extensions.is_some_and(|e| e.get("persistedQuery").is_some())
}

/// Runs a request; the response, and the sequence it was made at when HTTP
/// may cache it (a query answered without errors). `persisted`: the
/// request named its query by hash. `raw`: the request's raw form, for a
/// caller without a token, under which the answer is cached too.
pub(super) async fn run(
    api: &Api,
    viewer: Viewer,
    mut request: async_graphql::Request,
    media: Media,
    options: &super::HttpOptions,
    persisted: bool,
    raw: Option<RawKey>,
) -> (Response, Option<i64>) {
    let kind = if persisted {
        RequestKind::Persisted
    } else {
        super::log::operation_kind(&request.query)
    };
    if !options.public_introspection && viewer.role == crate::hub::Role::Anonymous {
        if asks_for_schema(&request.query) {
            let r = error_response(
                StatusCode::FORBIDDEN,
                "INTROSPECTION_DISABLED",
                "this server shows its schema only to callers with a token; send one as `Authorization: Bearer <token>`",
            );
            return (tagged(r, kind), None);
        }
        request = request.disable_introspection();
    }
    let result = api.execute_keyed(viewer, request, raw).await;
    let seq = result.cacheable.then_some(result.seq);
    (respond(result, media, kind), seq)
}

/// The HTTP answer to an executed (or cached) request.
pub(super) fn respond(result: GqlResponse, media: Media, kind: RequestKind) -> Response {
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
    r.extensions_mut().insert(GraphqlFacts {
        kind,
        cached: result.cached,
        request_error: result.request_error,
    });
    r
}

/// The kind of a cached answer's request, for the log and the metrics.
pub(super) fn cached_kind(persisted: bool) -> RequestKind {
    if persisted {
        RequestKind::Persisted
    } else {
        RequestKind::Query
    }
}

/// Whether a document asks for `__schema` or `__type` (not `__typename`,
/// which every client may ask).
fn asks_for_schema(query: &str) -> bool {
    query.contains("__schema")
        || query
            .match_indices("__type")
            .any(|(i, _)| !query[i + "__type".len()..].starts_with("name"))
}

pub(super) fn bad_request(message: String) -> Response {
    error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message)
}

/// Builds a GraphQL request from the parts of a JSON body or a query string.
pub(super) fn graphql_request(
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

/// A POST's body must be JSON in UTF-8.
pub(super) fn json_content_type(headers: &HeaderMap) -> Result<(), Box<Response>> {
    let content_type = headers
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
        return Err(Box::new(error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!(
                "send the request as Content-Type: application/json in UTF-8 (got `{content_type}`)"
            ),
        )));
    }
    Ok(())
}

/// The body, up to `MAX_BODY_BYTES`.
pub(super) async fn read_body(body: axum::body::Body) -> Result<bytes::Bytes, Box<Response>> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            Box::new(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            ))
        })
}

/// A POST from a caller without a token answered by its raw form alone
/// (`key`): the answer cached under it at the current sequence.
pub(super) fn by_raw_post(api: &Api, key: &[u8; 32], media: Media) -> Option<Response> {
    let (hit, persisted) = api.cached_raw(key)?;
    Some(respond(hit, media, cached_kind(persisted)))
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
    if let Err(r) = json_content_type(&parts.headers) {
        return *r;
    }
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    // A caller without a token sending the same body again is answered
    // from the cache before the body is parsed.
    let raw_key = (!parts.headers.contains_key(header::AUTHORIZATION))
        .then(|| caching::raw_key("POST", media.content_type(), &options, &bytes));
    if let Some(key) = &raw_key
        && let Some(r) = by_raw_post(&api, key, media)
    {
        return r;
    }
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
        serde_json::Value::Array(ops) => tagged(
            super::batch::batch(&api, viewer, ops, media, &options, &known).await,
            RequestKind::Batch,
        ),
        serde_json::Value::Object(obj) => {
            let persisted = names_hash(obj.get("extensions")) || obj.contains_key("documentId");
            match super::batch::request_of(obj, &options, &known) {
                Ok(request) => {
                    let raw = raw_key.map(|key| RawKey { key, persisted });
                    run(&api, viewer, request, media, &options, persisted, raw)
                        .await
                        .0
                }
                Err(r) if persisted => tagged(*r, RequestKind::Persisted),
                Err(r) => *r,
            }
        }
        _ => bad_request(
            "the body must be a JSON object with a `query`, or an array of them (a batch)".into(),
        ),
    }
}

/// The registered documents, and whether this caller may run only those.
pub(super) async fn known_documents(
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
