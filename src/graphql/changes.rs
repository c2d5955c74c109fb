//! The change log as GraphQL: the `changes` root field (for editors) and
//! the `Change` type. Every write appends one entry; clients follow them by
//! sequence number to learn what changed.

use std::sync::Arc;

use async_graphql::Value as GqlValue;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};

use super::convert::{SCALAR_DATETIME, bad_argument, gql_error};
use super::loader::RequestCtx;
use crate::hub::{Hub, Role};

/// `changes(after:, first:)`.
pub fn changes_field() -> Field {
    Field::new("changes", TypeRef::named_nn_list("Change"), |ctx| {
            FieldFuture::new(async move {
                let hub = ctx.data::<Arc<Hub>>()?;
                let rc = ctx.data::<RequestCtx>()?;
                rc.viewer.require(Role::Editor, "reading the change log").map_err(gql_error)?;
                let after = ctx.args.get("after").map(|v| v.i64()).transpose()?.unwrap_or(0);
                let first = ctx.args.get("first").map(|v| v.i64()).transpose()?.unwrap_or(100);
                if !(1..=1000).contains(&first) {
                    return Err(bad_argument("first", "must be between 1 and 1000"));
                }
                let rows = hub.changes_since(after, first).await.map_err(gql_error)?;
                Ok(Some(FieldValue::list(rows.into_iter().map(FieldValue::owned_any))))
            })
        })
        .description("The change log: every write in order, after sequence number `after`. Needs an editor token.")
        .argument(InputValue::new("after", TypeRef::named(TypeRef::INT)).default_value(0).description("A sequence number: the entries after it."))
        .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)).default_value(100).description("How many entries, 1 to 1000."))
}

pub fn change_type() -> Object {
    use crate::domain::ChangeRow;
    fn f(
        name: &'static str,
        ty: TypeRef,
        desc: &'static str,
        get: fn(&ChangeRow) -> GqlValue,
    ) -> Field {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move {
                let c = ctx.parent_value.try_downcast_ref::<ChangeRow>()?;
                Ok(super::types::non_null(get(c)))
            })
        })
        .description(desc)
    }
    Object::new("Change")
        .description("One entry of the change log. Not identified by id: its `seq` names it.")
        .field(f(
            "seq",
            TypeRef::named_nn(TypeRef::INT),
            "The entry's sequence number; every write gets the next one.",
            |c| GqlValue::from(c.seq),
        ))
        .field(f(
            "at",
            TypeRef::named_nn(SCALAR_DATETIME),
            "When the write was made.",
            |c| GqlValue::from(crate::hub::ms_to_datetime(c.at)),
        ))
        .field(f(
            "actor",
            TypeRef::named_nn(TypeRef::STRING),
            "Who made it: the name of a token or an editor, or the scheduler's.",
            |c| GqlValue::from(c.actor.as_str()),
        ))
        .field(f(
            "action",
            TypeRef::named_nn(TypeRef::STRING),
            "What was done, e.g. `create`, `update`, `publish`, `delete`.",
            |c| GqlValue::from(c.action.as_str()),
        ))
        .field(f(
            "itemId",
            TypeRef::named(TypeRef::ID),
            "The item written, if the write was to an item.",
            |c| {
                c.item_id
                    .as_deref()
                    .map(GqlValue::from)
                    .unwrap_or(GqlValue::Null)
            },
        ))
        .field(f(
            "itemType",
            TypeRef::named(TypeRef::STRING),
            "Its content type.",
            |c| {
                c.item_type
                    .as_deref()
                    .map(GqlValue::from)
                    .unwrap_or(GqlValue::Null)
            },
        ))
        .field(f(
            "version",
            TypeRef::named(TypeRef::INT),
            "The item's version after the write.",
            |c| c.version.map(GqlValue::from).unwrap_or(GqlValue::Null),
        ))
        .field(f(
            "detail",
            TypeRef::named(TypeRef::STRING),
            "More about the write: a message, a slug, a token's name.",
            |c| {
                c.detail
                    .as_deref()
                    .map(GqlValue::from)
                    .unwrap_or(GqlValue::Null)
            },
        ))
}
