//! Object identification as Relay expects it: the `Node` interface (`id:
//! ID!`), which every item type and the `Item` interface implement, and the
//! root fields `node(id:)` and `nodes(ids:)`, which find any item by id.
//!
//! An item's id is Bron's own (a UUID v7, the primary key of one table for
//! every type), so it is unique across types and never reused: a client
//! cache may key every item by it alone. Reading by id obeys the caller's
//! role exactly as `item(id:)` does (the hub decides): an item the caller
//! may not see, such as a draft for the public, is null, the same null as
//! an id that never existed. This module decides no policy of its own.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Interface, InterfaceField, TypeRef,
};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ErrorExtensions, ServerResult, Value};

use super::convert::gql_error;
use super::loader::{RequestCtx, selected_refs};
use super::types::{item_typed, prime};
use crate::hub::Hub;

pub const NODE: &str = "Node";

/// The most ids one `nodes` call takes.
pub const MAX_NODES: usize = 100;

pub const ID_DESCRIPTION: &str = "Bron's id of the item: unique across all types and never reused, so a client cache may key the item by it alone (Relay's global object id). Stable for the item's life.";

/// `interface Node { id: ID! }`.
pub fn node_interface() -> Interface {
    Interface::new(NODE)
        .description("Anything that can be fetched again by its id alone with `node(id:)` (Relay's object identification). Every item type is a Node.")
        .field(InterfaceField::new("id", TypeRef::named_nn(TypeRef::ID)).description(ID_DESCRIPTION))
}

/// `node(id: ID!): Node`.
pub fn node_field() -> Field {
    Field::new("node", TypeRef::named(NODE), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let id = ctx.args.try_get("id")?.string()?;
            let Some(item) = hub.get_any(&rc.viewer, id).await.map_err(gql_error)? else {
                return Ok(None);
            };
            let next = selected_refs(hub.model(), std::slice::from_ref(&item), &[ctx.look_ahead()]);
            prime(rc, next).await?;
            Ok(Some(item_typed(item)))
        })
    })
    .description("The item with this id, whatever its type; use a fragment (`... on Product`) for its fields. Null when no item has the id or you may not see it (without a token: when it is not published); the two are not told apart.")
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("An item's `id`."))
}

/// `nodes(ids: [ID!]!): [Node]!`.
pub fn nodes_field() -> Field {
    Field::new("nodes", TypeRef::named_list_nn(NODE), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let ids: Vec<String> = ctx
                .args
                .try_get("ids")?
                .list()?
                .iter()
                .map(|v| v.string().map(String::from))
                .collect::<async_graphql::Result<_>>()?;
            if ids.len() > MAX_NODES {
                return Err(too_many_ids(ids.len()));
            }
            let found = rc
                .loader
                .load_many(&ids)
                .await
                .map_err(|e| gql_error(crate::Error::Internal(e.to_string())))?;
            let items: Vec<_> = ids.iter().map(|id| found.get(id).cloned()).collect();
            let visible: Vec<_> = items.iter().flatten().cloned().collect();
            let next = selected_refs(hub.model(), &visible, &[ctx.look_ahead()]);
            prime(rc, next).await?;
            Ok(Some(FieldValue::list(items.into_iter().map(|i| match i {
                Some(item) => item_typed(item),
                None => FieldValue::NULL,
            }))))
        })
    })
    .description(format!(
        "The items with these ids, in the order asked, with null for each id that no item has or that you may not see. At most {MAX_NODES} ids; more is refused with TOO_MANY_IDS."
    ))
    .argument(
        InputValue::new("ids", TypeRef::named_nn_list_nn(TypeRef::ID))
            .description(format!("Items' `id`s, at most {MAX_NODES}.")),
    )
}

/// async-graphql 7.2's dynamic schema has no null entry in a list of an
/// interface type (`[Node]`): every entry must carry its object type, and a
/// plain null fails with "invalid value for interface". This extension turns
/// exactly that failure, for an entry of `nodes`, into the null it stands
/// for; any other error passes unchanged.
pub struct NullNodes;

impl ExtensionFactory for NullNodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NullNodes)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for NullNodes {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let entry = info.name == "nodes" && info.parent_type == NODE_ENTRY;
        match next.run(ctx, info).await {
            Err(e) if entry && e.message.starts_with(UNTYPED_ENTRY) => Ok(None),
            other => other,
        }
    }
}

/// What `ResolveInfo::parent_type` is for an entry of `[Node]`.
const NODE_ENTRY: &str = "[Node]";
/// The start of async-graphql's error for an entry without an object type.
const UNTYPED_ENTRY: &str = "internal: invalid value for interface \"Node\"";

fn too_many_ids(n: usize) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "`nodes` takes at most {MAX_NODES} ids, got {n}; ask in several requests"
    ))
    .extend_with(|_, ext| {
        ext.set("code", "TOO_MANY_IDS");
        ext.set("limit", MAX_NODES as u64);
        ext.set("count", n as u64);
    })
}
