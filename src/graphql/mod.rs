//! The GraphQL API, built at start-up from the content model with
//! `async_graphql::dynamic`. This module knows nothing of HTTP: it takes a
//! GraphQL request and a viewer and gives back the serialised response.
//!
//! Published answers are served from a cache of serialised bytes, keyed by
//! role, document, operation and variables. The cache is only valid at the
//! change sequence it was filled at: every write advances the hub's sequence
//! before it returns, so nothing stale is ever served.

mod convert;
mod documents;
mod errors;
mod loader;
mod mutation;
mod query;
mod shared;
mod types;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use async_graphql::dynamic::{Schema, SchemaError};
use async_graphql::parser::types::OperationType;
use bytes::Bytes;

pub use convert::gql_error;
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
        .register(query::query_root(&types))
        .register(mutation::mutation_root(&types))
        .register(types::item_interface())
        .register(query::change_type())
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSION)
        .limit_directives(16)
        .extension(errors::ErrorPaths)
        .extension(documents::Documents::default());
    let (objects, enums, scalars) = shared::shared_types();
    for o in objects.into_iter().chain(mutation::shared_payloads()) {
        builder = builder.register(o);
    }
    for e in enums {
        builder = builder.register(e);
    }
    for s in scalars {
        builder = builder.register(s);
    }
    for ty in &types {
        builder = builder.register(types::item_object(ty));
        for e in types::field_enums(ty) {
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
            .register(mutation::fields_input(ty))
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
    let sdl = build_schema(model)?.sdl();
    Ok(format!(
        "# Generated from content-model/ by `bron schema`. Do not edit: a test fails when it drifts.\n\n{}\n",
        sdl.trim()
    ))
}

/// The type of the operation a request would run, if the document parses
/// and the operation exists.
pub fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    let mut ops = doc.operations.iter();
    let op = match operation_name {
        Some(n) => ops.find(|(name, _)| name.map(|x| x.as_str()) == Some(n))?.1,
        None => {
            let (_, first) = ops.next()?;
            if ops.next().is_some() {
                return None;
            }
            first
        }
    };
    Some(op.node.ty)
}

/// A response: its JSON body and whether the request failed as a whole
/// (a parse or validation error: no data at all).
pub struct GqlResponse {
    pub body: Bytes,
    pub request_error: bool,
    pub cached: bool,
}

const CACHE_MAX_ENTRIES: usize = 20_000;
const CACHE_MAX_BYTES: usize = 64 * 1024 * 1024;
const CACHE_MAX_ENTRY: usize = 1024 * 1024;

#[derive(Default)]
struct ResponseCache {
    /// The change sequence the entries are valid at.
    seq: AtomicI64,
    bytes: AtomicUsize,
    map: RwLock<HashMap<String, Bytes>>,
}

impl ResponseCache {
    fn get(&self, key: &str, seq: i64) -> Option<Bytes> {
        if self.seq.load(Ordering::Acquire) != seq {
            return None;
        }
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: String, body: Bytes, seq: i64) {
        if body.len() > CACHE_MAX_ENTRY {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        let current = self.seq.load(Ordering::Acquire);
        if current != seq {
            if seq < current {
                return; // computed before a write we already know of
            }
            map.clear();
            self.bytes.store(0, Ordering::Release);
            self.seq.store(seq, Ordering::Release);
        }
        if map.len() >= CACHE_MAX_ENTRIES
            || self.bytes.load(Ordering::Acquire) + body.len() > CACHE_MAX_BYTES
        {
            map.clear();
            self.bytes.store(0, Ordering::Release);
        }
        self.bytes.fetch_add(body.len(), Ordering::AcqRel);
        map.insert(key, body);
    }
}

/// The GraphQL service: schema, hub and response cache.
pub struct Api {
    schema: Schema,
    sdl: String,
    hub: Arc<Hub>,
    cache: Option<ResponseCache>,
}

impl Api {
    pub fn new(hub: Arc<Hub>) -> Result<Api, SchemaError> {
        let schema = build_schema(hub.model())?;
        Ok(Api {
            sdl: schema.sdl(),
            schema,
            hub,
            cache: Some(ResponseCache::default()),
        })
    }

    /// The same API without the response cache (for measuring what it saves).
    pub fn without_cache(mut self) -> Api {
        self.cache = None;
        self
    }

    /// The schema in SDL.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    pub async fn execute(&self, viewer: Viewer, request: async_graphql::Request) -> GqlResponse {
        let seq = self.hub.seq();
        let key = self.cache.as_ref().map(|_| cache_key(&viewer, &request));
        if let (Some(cache), Some(key)) = (&self.cache, &key)
            && let Some(body) = cache.get(key, seq)
        {
            return GqlResponse {
                body,
                request_error: false,
                cached: true,
            };
        }
        // Only queries are cached. A document without the word "mutation"
        // (or "subscription") cannot hold one, so most need no extra parse.
        let is_query = key.is_some()
            && ((!request.query.contains("mutation") && !request.query.contains("subscription"))
                || operation_type(&request.query, request.operation_name.as_deref())
                    == Some(OperationType::Query));
        let ctx = RequestCtx::new(self.hub.clone(), viewer);
        let request = request.data(self.hub.clone()).data(ctx);
        let response = self.schema.execute(request).await;
        let ok = response.errors.is_empty();
        let (body, request_error) = errors::finish(response);
        let body = Bytes::from(body);
        if ok
            && is_query
            && let (Some(cache), Some(key)) = (&self.cache, key)
        {
            cache.put(key, body.clone(), seq);
        }
        GqlResponse {
            body,
            request_error,
            cached: false,
        }
    }
}

fn cache_key(viewer: &Viewer, request: &async_graphql::Request) -> String {
    let vars = serde_json::to_string(&request.variables).unwrap_or_default();
    let op = request.operation_name.as_deref().unwrap_or("");
    let mut key = String::with_capacity(request.query.len() + vars.len() + op.len() + 16);
    // Per caller, not per role: an answer may depend on who asks (`viewer`).
    key.push_str(viewer.role.as_str());
    key.push('\u{0}');
    key.push_str(&viewer.name);
    key.push('\u{0}');
    key.push_str(op);
    key.push('\u{0}');
    key.push_str(&vars);
    key.push('\u{0}');
    key.push_str(&request.query);
    key
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
