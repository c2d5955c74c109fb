//! `/graphql` over GET: the parameters decoded from the query string, a
//! repeated request answered by its raw form (304 or the cached answer),
//! GraphiQL for a browser that asks for the bare address, and queries only:
//! a mutation is refused with 405.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::graphql::{
    Media, bad_request, cached_kind, graphql_request, known_documents, names_hash, negotiate,
    not_acceptable, respond, run, tagged, viewer,
};
use super::{caching, error_response};
use crate::graphql::{Api, RawKey};
use crate::metrics::RequestKind;

/// Whether a GET's raw query string names its query by id rather than by
/// text (`documentId`, or `extensions` with `persistedQuery`).
fn names_hash_raw(raw: &str) -> bool {
    raw.split('&').any(|p| {
        p.starts_with("documentId=")
            || (p.starts_with("extensions=") && p.contains("persistedQuery"))
    })
}

/// The parameters of a GET, decoded from its query string.
#[derive(Default)]
struct Params {
    query: Option<String>,
    variables: Option<String>,
    operation_name: Option<String>,
    extensions: Option<String>,
    document_id: Option<String>,
}

impl Params {
    /// Other parameters are ignored; one of these given twice is refused.
    fn parse(raw: &str) -> Result<Params, Box<Response>> {
        let mut p = Params::default();
        for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
            let slot = match name.as_ref() {
                "query" => &mut p.query,
                "variables" => &mut p.variables,
                "operationName" => &mut p.operation_name,
                "extensions" => &mut p.extensions,
                "documentId" => &mut p.document_id,
                _ => continue,
            };
            if slot.is_some() {
                return Err(Box::new(bad_request(format!(
                    "`{name}` is given twice; give each parameter once"
                ))));
            }
            *slot = Some(value.into_owned());
        }
        Ok(p)
    }
}

/// A GET from a caller without a token answered by its raw form alone
/// (`key`, of the raw query string `raw`): 304 when the tag it holds is
/// current, else the answer cached under it. None: decode and run it.
pub(super) fn by_raw_get(
    api: &Api,
    options: &super::HttpOptions,
    headers: &HeaderMap,
    key: &[u8; 32],
    raw: &str,
    media: Media,
) -> Option<Response> {
    let seq = api.hub().seq();
    if let Some(r) = caching::not_modified_now(headers, seq, key, options) {
        return Some(tagged(r, cached_kind(names_hash_raw(raw))));
    }
    let (hit, persisted) = api.cached_raw(key)?;
    let seq = hit.seq;
    let mut r = respond(hit, media, cached_kind(persisted));
    caching::conditional(&mut r, headers, true, Some(seq), key, options);
    Some(r)
}

pub(super) async fn get_graphql(
    State(api): State<Arc<Api>>,
    axum::Extension(options): axum::Extension<Arc<super::HttpOptions>>,
    req: Request,
) -> Response {
    // The request by reference: the `HeaderMap` extractor would copy it.
    let (uri, headers) = (req.uri(), req.headers());
    let raw = uri.query().unwrap_or("");
    let media = negotiate(headers);
    // A caller without a token asking again is answered by the raw query
    // string, before anything is decoded: 304 when the tag it holds is
    // current, else the answer cached under it.
    let raw_key = match media {
        Some(media) if !headers.contains_key(header::AUTHORIZATION) => Some(caching::raw_key(
            "GET",
            media.content_type(),
            &options,
            raw.as_bytes(),
        )),
        _ => None,
    };
    if let (Some(media), Some(key)) = (media, &raw_key)
        && let Some(r) = by_raw_get(&api, &options, headers, key, raw, media)
    {
        return r;
    }
    let params = match Params::parse(raw) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    if params.query.is_none() && params.extensions.is_none() && params.document_id.is_none() {
        let wants_html = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
        if wants_html {
            return super::graphiql::page(&options);
        }
        return bad_request("a GET request needs a `query` parameter (or open this address in a browser for GraphiQL)".into());
    }
    let Some(media) = media else {
        return not_acceptable();
    };
    let variables = match params.variables.as_deref().filter(|v| !v.is_empty()) {
        Some(text) => match serde_json::from_str(text) {
            Ok(v) => Some(v),
            Err(e) => return bad_request(format!("`variables` is not valid JSON: {e}")),
        },
        None => None,
    };
    let extensions = match params.extensions.as_deref().filter(|v| !v.is_empty()) {
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v @ serde_json::Value::Object(_)) => Some(v),
            _ => return bad_request("`extensions` must be a JSON object".into()),
        },
        None => None,
    };
    let viewer = match viewer(&api, headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let known = match known_documents(&api, &viewer, &options).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let persisted = names_hash(extensions.as_ref()) || params.document_id.is_some();
    let query = params.query.map(serde_json::Value::String);
    let document_id = params.document_id.map(serde_json::Value::String);
    let query = match options.persisted.resolve(
        query.as_ref(),
        extensions.as_ref(),
        document_id.as_ref(),
        &known,
    ) {
        Ok(q) => q,
        Err(r) if persisted => return tagged(*r, RequestKind::Persisted),
        Err(r) => return *r,
    };
    let op = params
        .operation_name
        .filter(|v| !v.is_empty())
        .map(serde_json::Value::String);
    let request = match graphql_request(query.as_ref(), variables, op.as_ref()) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if api.operation_type(&request.query, request.operation_name.as_deref())
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
    let raw = raw_key.map(|key| RawKey { key, persisted });
    let (mut r, seq) = run(&api, viewer, request, media, &options, persisted, raw).await;
    let key = raw_key.unwrap_or_default();
    caching::conditional(&mut r, headers, anonymous, seq, &key, &options);
    r
}
