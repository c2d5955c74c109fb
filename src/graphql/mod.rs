//! The GraphQL API, built at start-up from the content model with
//! `async_graphql::dynamic`. This module knows nothing of HTTP: it takes a
//! GraphQL request and a viewer and gives back the serialised response.
//!
//! Published answers are served from a cache of serialised bytes, keyed by
//! role, document, operation and variables. The cache is only valid at the
//! change sequence it was filled at: every write advances the hub's sequence
//! before it returns, so nothing stale is ever served.

mod answer;
mod cache;
mod changes;
mod convert;
mod cost;
mod documents;
mod errors;
mod inputs;
mod loader;
mod model_fields;
mod mutation;
mod node;
mod query;
mod render;
mod search;
mod search_stats;
mod shared;
mod suggest;
mod types;
mod webhooks;

use std::sync::Arc;

use async_graphql::dynamic::{Schema, SchemaError};
use async_graphql::parser::types::OperationType;
use bytes::Bytes;
use cache::{CACHE_MAX_BYTES, ResponseCache, cache_key};

pub use convert::gql_error;
pub use cost::MAX_COST;
pub use documents::check_document;
pub use loader::RequestCtx;

use crate::hub::{Hub, Viewer};
use crate::model::ContentModel;

/// Query depth, complexity and nesting limits (see ARCHITECTURE.md).
pub const MAX_DEPTH: usize = 16;
pub const MAX_COMPLEXITY: usize = 2000;
pub const MAX_RECURSION: usize = 32;

/// Builds the schema for `model`. Resolvers find the hub in the request data,
/// so the schema can also be built without one (for `schema/schema.graphql`).
pub fn build_schema(model: &ContentModel) -> Result<Schema, SchemaError> {
    let types: Vec<_> = model.types.values().collect();
    let mut builder = Schema::build("Query", Some("Mutation"), None)
        .register(webhooks::query_fields(query::query_root(model, &types)))
        .register(webhooks::mutation_fields(mutation::mutation_root(&types)))
        .register(node::node_interface())
        .register(types::item_interface(&types))
        .register(changes::change_type())
        .register(changes::event_enum())
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSION)
        .limit_directives(16)
        .extension(errors::ErrorPaths)
        .extension(node::NullNodes);
    let (webhook_objects, delivery_status) = webhooks::webhook_types();
    builder = builder.register(delivery_status);
    for o in webhook_objects {
        builder = builder.register(o);
    }
    let (objects, enums, scalars) = shared::shared_types();
    let (search_objects, search_filter) = search::search_types();
    let (answer_objects, answer_enums, answer_input) = answer::answer_types();
    for o in objects
        .into_iter()
        .chain(mutation::shared_payloads())
        .chain(search_objects)
        .chain(search_stats::search_stats_types())
        .chain(render::rendering_types())
        .chain(answer_objects)
    {
        builder = builder.register(o);
    }
    builder = builder
        .register(search_filter)
        .register(render::channel_enum(model))
        .register(render::merge_variable_input())
        .register(answer_input);
    for e in answer_enums {
        builder = builder.register(e);
    }
    for e in enums {
        builder = builder.register(e);
    }
    // Only the scalars something uses: the served schema (introspection)
    // leaves unused types out, and the SDL must say exactly what is served.
    let used: std::collections::HashSet<String> = types
        .iter()
        .flat_map(|ty| ty.fields.iter().map(|f| convert::element_type(&ty.name, f)))
        .chain(shared::SYSTEM_SCALARS.iter().map(|s| s.to_string()))
        .collect();
    for s in scalars {
        if used.contains(s.type_name()) {
            builder = builder.register(s);
        }
    }
    for ty in &types {
        builder = builder.register(types::item_object(ty));
        for e in model_fields::field_enums(ty) {
            builder = builder.register(e);
        }
        let (conn, edge) = shared::connection_types(ty);
        let (filter, order_field, order) = query::list_inputs(ty);
        let name = crate::model::pascal(&ty.name);
        builder = builder
            .register(conn)
            .register(edge)
            .register(filter)
            .register(order_field)
            .register(order)
            .register(inputs::create_input(ty))
            .register(inputs::update_input(ty))
            .register(mutation::payload_type(
                &format!("{name}Payload"),
                &name,
                false,
            ));
    }
    builder.finish()
}

/// The schema as SDL: what `schema/schema.graphql` holds.
pub fn sdl(model: &ContentModel) -> Result<String, SchemaError> {
    let sdl = schema_sdl(&build_schema(model)?);
    Ok(format!(
        "# Generated from content-model/ by `bron schema`. Do not edit: a test fails when it drifts.\n\n{}\n",
        sdl.trim()
    ))
}

/// `schema.sdl()`, with `interface Item implements Node`: async-graphql
/// 7.2's dynamic `Interface::implement` does not reach its registry, so the
/// SDL would leave it out (introspection cannot say it at all).
fn schema_sdl(schema: &Schema) -> String {
    let options = async_graphql::SDLExportOptions::new().include_specified_by();
    let sdl = schema.sdl_with_options(options);
    let plain = format!("interface {} {{", types::ITEM);
    let implementing = format!("interface {} implements {} {{", types::ITEM, node::NODE);
    if sdl.contains(&implementing) {
        sdl
    } else {
        sdl.replacen(&plain, &implementing, 1)
    }
}

/// The type of the operation a request would run, if the document parses
/// and the operation exists.
pub fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    operation_of(&doc, operation_name).map(|op| op.ty)
}

/// A response: its JSON body and whether the request failed as a whole
/// (a parse or validation error: no data at all).
pub struct GqlResponse {
    pub body: Bytes,
    pub request_error: bool,
    pub cached: bool,
    /// A query answered without errors that may be served again until the
    /// next write (not `answer` or `handover`): HTTP may give it an ETag.
    pub cacheable: bool,
    /// The change sequence the answer was made at (or before).
    pub seq: i64,
}

/// A request by its raw form, as HTTP received it: a hash of its bytes
/// (query string or body) and of what else decides the answer (see
/// `http::caching::raw_key`). Only for callers without a token.
#[derive(Clone, Copy)]
pub struct RawKey {
    pub key: [u8; 32],
    /// The request named its query by hash (the metrics count it so).
    pub persisted: bool,
}

/// The GraphQL service: schema, hub and response cache.
pub struct Api {
    schema: Schema,
    documents: documents::Documents,
    costs: cost::CostModel,
    sdl: String,
    hub: Arc<Hub>,
    cache: Option<ResponseCache>,
}

impl Api {
    pub fn new(hub: Arc<Hub>) -> Result<Api, SchemaError> {
        let schema = build_schema(hub.model())?;
        Ok(Api {
            documents: documents::Documents::default(),
            costs: cost::CostModel::new(hub.model()),
            sdl: schema_sdl(&schema),
            schema,
            hub,
            cache: Some(ResponseCache::new(CACHE_MAX_BYTES)),
        })
    }

    /// The same API with a response cache of at most `bytes` (keys and bodies).
    pub fn with_cache_bytes(mut self, bytes: u64) -> Api {
        self.cache = Some(ResponseCache::new(bytes));
        self
    }

    /// The same API without the response cache (for measuring what it saves).
    pub fn without_cache(mut self) -> Api {
        self.cache = None;
        self
    }

    /// Bytes the response cache holds: keys, bodies and bookkeeping.
    pub fn cache_weight(&self) -> u64 {
        self.cache.as_ref().map_or(0, ResponseCache::weight)
    }

    /// The schema in SDL.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// As [`operation_type`], through the cache of parsed documents: a GET
    /// that checks for a mutation does not parse its query again.
    pub fn operation_type(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Option<OperationType> {
        let doc = self.documents.parse(query)?;
        operation_of(&doc, operation_name).map(|op| op.ty)
    }

    pub async fn execute(&self, viewer: Viewer, request: async_graphql::Request) -> GqlResponse {
        self.execute_keyed(viewer, request, None).await
    }

    /// The answer cached for a request by its raw form (`RawKey`) at the
    /// current sequence, and whether that request named its query by
    /// hash. Counted, and its searches replayed, like any cached answer.
    pub fn cached_raw(&self, key: &[u8; 32]) -> Option<(GqlResponse, bool)> {
        let cache = self.cache.as_ref()?;
        let seq = self.hub.seq();
        let (body, searches, persisted) = cache.get(key, seq)?;
        for (channel, query, zero) in searches.iter() {
            self.hub.record_search(channel, query, *zero);
        }
        self.hub.metrics().cache_lookup(true);
        let r = GqlResponse {
            body,
            request_error: false,
            cached: true,
            cacheable: true,
            seq,
        };
        Some((r, persisted))
    }

    /// As `execute`; a cacheable answer is also kept under `raw`, the key
    /// of the request's raw form, so the next identical request is found
    /// by `cached_raw` before it is parsed at all.
    pub async fn execute_keyed(
        &self,
        viewer: Viewer,
        request: async_graphql::Request,
        raw: Option<RawKey>,
    ) -> GqlResponse {
        let seq = self.hub.seq();
        let key = self.cache.as_ref().map(|_| cache_key(&viewer, &request));
        if let (Some(cache), Some(key)) = (&self.cache, &key)
            && let Some((body, searches, _)) = cache.get(key, seq)
        {
            for (channel, query, zero) in searches.iter() {
                self.hub.record_search(channel, query, *zero);
            }
            self.hub.metrics().cache_lookup(true);
            if let Some(raw) = raw {
                cache.put(raw.key, body.clone(), searches, seq, raw.persisted);
            }
            return GqlResponse {
                body,
                request_error: false,
                cached: true,
                cacheable: true,
                seq,
            };
        }
        // A document that does not parse is left to execution, which says why.
        let mut is_query = false;
        let mut request = request;
        if let Some(doc) = self.documents.parse(&request.query) {
            let op = operation_of(&doc, request.operation_name.as_deref());
            is_query = op.is_some_and(|o| o.ty == OperationType::Query);
            if self.cache.is_some() && is_query {
                // A miss is counted for queries only: a mutation is never
                // looked for, and would only lower the hit ratio.
                self.hub.metrics().cache_lookup(false);
            }
            let cost = op.map_or(0, |op| self.costs.cost(&doc, op, &request.variables));
            if cost > MAX_COST {
                return refusal(
                    "QUERY_TOO_EXPENSIVE",
                    &format!(
                        "this query may cost up to {cost}, more than the limit of {MAX_COST}: every field costs 1 (a text field 1 per KiB it may hold) for each item it is asked of, and page sizes (`first`, 20 when not given) and reference lists multiply; ask for smaller pages, fewer nested references or fewer aliases, or split the query"
                    ),
                    &[("cost", cost), ("limit", MAX_COST)],
                );
            }
            // Execution takes the document parsed here instead of parsing again.
            request.set_parsed_query(async_graphql::parser::types::ExecutableDocument::clone(
                &doc,
            ));
        }
        let ctx = RequestCtx::new(self.hub.clone(), viewer);
        let searches_run = ctx.searches.clone();
        let uncacheable = ctx.uncacheable.clone();
        let request = request.data(self.hub.clone()).data(ctx);
        let response = if is_query {
            match tokio::time::timeout(QUERY_TIMEOUT, self.schema.execute(request)).await {
                Ok(r) => r,
                Err(_) => {
                    return refusal(
                        "QUERY_TIMEOUT",
                        &format!(
                            "the query did not finish within {} s; ask for less, or try again when the server is less busy",
                            QUERY_TIMEOUT.as_secs()
                        ),
                        &[("timeoutSeconds", QUERY_TIMEOUT.as_secs())],
                    );
                }
            }
        } else {
            // A mutation is not cut off halfway: its transaction decides.
            self.schema.execute(request).await
        };
        let ok = response.errors.is_empty();
        let searches: cache::Searches =
            std::mem::take(&mut *searches_run.lock().unwrap_or_else(|e| e.into_inner())).into();
        for (channel, query, zero) in searches.iter() {
            self.hub.record_search(channel, query, *zero);
        }
        let (body, request_error) = errors::finish(response);
        if body.len() > MAX_RESPONSE_BYTES {
            return refusal(
                "RESPONSE_TOO_LARGE",
                &format!(
                    "the answer is {} bytes, more than the limit of {MAX_RESPONSE_BYTES}; ask for fewer items or fields",
                    body.len()
                ),
                &[("limit", MAX_RESPONSE_BYTES as u64)],
            );
        }
        let body = Bytes::from(body);
        let cacheable = ok && is_query && !uncacheable.load(std::sync::atomic::Ordering::Relaxed);
        if cacheable && let (Some(cache), Some(key)) = (&self.cache, key) {
            if let Some(raw) = raw {
                cache.put(raw.key, body.clone(), searches.clone(), seq, raw.persisted);
            }
            cache.put(key, body.clone(), searches, seq, false);
        }
        GqlResponse {
            body,
            request_error,
            cached: false,
            cacheable,
            seq,
        }
    }
}

/// The most time a query may take.
pub const QUERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The largest answer sent; the cost limit keeps real answers far below it.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The operation a request runs, if the document has it.
fn operation_of<'a>(
    doc: &'a async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a async_graphql::parser::types::OperationDefinition> {
    use async_graphql::parser::types::DocumentOperations;
    match (&doc.operations, name) {
        // A lone anonymous operation has no name to match.
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(n)) => ops.get(n).map(|o| &o.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|o| &o.node)
        }
        _ => None,
    }
}

/// A request refused as a whole, with a code and numbers in `extensions`.
fn refusal(code: &str, message: &str, numbers: &[(&str, u64)]) -> GqlResponse {
    let mut ext = serde_json::Map::new();
    ext.insert("code".into(), code.into());
    for (k, v) in numbers {
        ext.insert((*k).into(), (*v).into());
    }
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": ext }] });
    GqlResponse {
        body: Bytes::from(body.to_string()),
        request_error: true,
        cached: false,
        cacheable: false,
        seq: 0,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `schema/schema.graphql` is the checked-in contract: it must be what the
    /// model generates. Regenerate it with `cargo run -- schema --out schema/schema.graphql`.
    #[test]
    fn checked_in_schema_matches_the_model() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = crate::model::ContentModel::load(&root.join("content-model")).unwrap();
        let generated = super::sdl(&model).unwrap();
        let checked_in =
            std::fs::read_to_string(root.join("schema/schema.graphql")).unwrap_or_default();
        assert!(
            generated == checked_in,
            "schema/schema.graphql is out of date with content-model/; run `cargo run -- schema --out schema/schema.graphql` and commit it"
        );
    }
}
