//! The types that are not one content type's object: each type's connection
//! and edge (`ProductConnection`, `ProductEdge`), and the types every schema
//! has whatever the model (PageInfo, Revision, Viewer, Status, Role, the
//! scalars).
//!
//! Like `types.rs`, this module only describes types and resolves fields from
//! values already loaded; it must not decide policy (roles, visibility) and
//! asks the hub only for counts.

use std::sync::Arc;

use async_graphql::dynamic::{Enum, Field, FieldFuture, FieldValue, Object, Scalar, TypeRef};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{
    SCALAR_DATE, SCALAR_DATETIME, SCALAR_DECIMAL, SCALAR_JSON, SCALAR_MONEY, SCALAR_URI, gql_error,
};
use super::types::{item_value, non_null};
use crate::hub::{Hub, ItemView, ListPage, ms_to_datetime};
use crate::model::{TypeDef, pascal};

/// `ProductConnection` and `ProductEdge`.
pub fn connection_types(ty: &TypeDef) -> (Object, Object) {
    let node = pascal(&ty.name);
    let edge = Object::new(format!("{node}Edge"))
        .field(Field::new(
            "cursor",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    let (_, c) = ctx
                        .parent_value
                        .try_downcast_ref::<(Arc<ItemView>, String)>()?;
                    Ok(Some(FieldValue::value(c.clone())))
                })
            },
        ))
        .field(Field::new("node", TypeRef::named_nn(node.clone()), |ctx| {
            FieldFuture::new(async move {
                let (item, _) = ctx
                    .parent_value
                    .try_downcast_ref::<(Arc<ItemView>, String)>()?;
                Ok(Some(item_value(item.clone())))
            })
        }));
    let conn = Object::new(format!("{node}Connection"))
        .description(format!(
            "A page of {} items, with cursors (Relay style).",
            ty.name
        ))
        .field(Field::new(
            "edges",
            TypeRef::named_nn_list_nn(format!("{node}Edge")),
            |ctx| {
                FieldFuture::new(async move {
                    let page = ctx.parent_value.try_downcast_ref::<ListPage>()?;
                    Ok(Some(FieldValue::list(
                        page.items.iter().cloned().map(FieldValue::owned_any),
                    )))
                })
            },
        ))
        .field(Field::new(
            "nodes",
            TypeRef::named_nn_list_nn(node),
            |ctx| {
                FieldFuture::new(async move {
                    let page = ctx.parent_value.try_downcast_ref::<ListPage>()?;
                    Ok(Some(FieldValue::list(
                        page.items.iter().map(|(i, _)| item_value(i.clone())),
                    )))
                })
            },
        ))
        .field(Field::new(
            "pageInfo",
            TypeRef::named_nn("PageInfo"),
            |ctx| {
                FieldFuture::new(async move {
                    let page = ctx.parent_value.try_downcast_ref::<ListPage>()?;
                    let mut o = async_graphql::indexmap::IndexMap::new();
                    o.insert(Name::new("hasNextPage"), GqlValue::from(page.has_next_page));
                    o.insert(
                        Name::new("hasPreviousPage"),
                        GqlValue::from(page.has_previous_page),
                    );
                    let first = page.items.first().map(|(_, c)| GqlValue::from(c.as_str()));
                    let last = page.items.last().map(|(_, c)| GqlValue::from(c.as_str()));
                    o.insert(Name::new("startCursor"), first.unwrap_or(GqlValue::Null));
                    o.insert(Name::new("endCursor"), last.unwrap_or(GqlValue::Null));
                    Ok(Some(FieldValue::value(GqlValue::Object(o))))
                })
            },
        ))
        .field(
            Field::new("totalCount", TypeRef::named_nn(TypeRef::INT), |ctx| {
                FieldFuture::new(async move {
                    let page = ctx.parent_value.try_downcast_ref::<ListPage>()?;
                    let hub = ctx.data::<Arc<Hub>>()?;
                    let n = hub.count(&page.query).await.map_err(gql_error)?;
                    Ok(Some(FieldValue::value(n)))
                })
            })
            .description("How many items match the filter, on all pages."),
        );
    (conn, edge)
}

pub(super) fn value_field(name: &str, ty: TypeRef) -> Field {
    let key = name.to_string();
    Field::new(name, ty, move |ctx| {
        let key = key.clone();
        FieldFuture::new(async move {
            let v = ctx.parent_value.try_to_value()?;
            match v {
                GqlValue::Object(o) => Ok(o.get(key.as_str()).cloned().and_then(non_null)),
                _ => Ok(None),
            }
        })
    })
}

/// The scalars Bron's own fields use, whatever the model.
pub const SYSTEM_SCALARS: [&str; 3] = [SCALAR_DATE, SCALAR_DATETIME, SCALAR_JSON];

/// Types every schema has, whatever the model.
pub fn shared_types() -> (Vec<Object>, Vec<Enum>, Vec<Scalar>) {
    let page_info = Object::new("PageInfo")
        .field(value_field(
            "hasNextPage",
            TypeRef::named_nn(TypeRef::BOOLEAN),
        ))
        .field(value_field(
            "hasPreviousPage",
            TypeRef::named_nn(TypeRef::BOOLEAN),
        ))
        .field(value_field("startCursor", TypeRef::named(TypeRef::STRING)))
        .field(value_field("endCursor", TypeRef::named(TypeRef::STRING)));
    let revision = Object::new("Revision")
        .description("One saved version of an item. Revisions are never changed or removed.")
        .field(revision_field(
            "version",
            TypeRef::named_nn(TypeRef::INT),
            |r| GqlValue::from(r.version),
        ))
        .field(revision_field(
            "author",
            TypeRef::named_nn(TypeRef::STRING),
            |r| GqlValue::from(r.author.as_str()),
        ))
        .field(revision_field(
            "createdAt",
            TypeRef::named_nn(SCALAR_DATETIME),
            |r| GqlValue::from(ms_to_datetime(r.created_at)),
        ))
        .field(revision_field(
            "message",
            TypeRef::named_nn(TypeRef::STRING),
            |r| GqlValue::from(r.message.as_str()),
        ))
        .field(revision_field(
            "content",
            TypeRef::named_nn(SCALAR_JSON),
            |r| {
                serde_json::from_str(&r.content)
                    .ok()
                    .and_then(|v| GqlValue::from_json(v).ok())
                    .unwrap_or(GqlValue::Null)
            },
        ));
    let viewer = Object::new("Viewer")
        .description("Who the API thinks you are.")
        .field(value_field("name", TypeRef::named_nn(TypeRef::STRING)))
        .field(value_field("role", TypeRef::named_nn(TypeRef::STRING)));
    let enums = vec![
        Enum::new("Status")
            .description("Where an item is in the publishing workflow.")
            .items(["DRAFT", "PUBLISHED", "ARCHIVED"]),
        Enum::new("OrderDirection").items(["ASC", "DESC"]),
        Enum::new("Role")
            .description("What a token may do; each role includes the ones before it.")
            .items(["AGENT", "EDITOR", "PUBLISHER", "ADMIN"]),
    ];
    let scalars = vec![
        Scalar::new(SCALAR_DATE)
            .description("A calendar date, YYYY-MM-DD.")
            .validator(|v| matches!(v, GqlValue::String(s) if crate::model::values::parse_date(s).is_ok())),
        Scalar::new(SCALAR_DATETIME)
            .description("A moment in time, RFC 3339, e.g. 2026-05-01T09:00:00Z.")
            .validator(|v| matches!(v, GqlValue::String(s) if crate::model::values::parse_datetime(s).is_ok())),
        Scalar::new(SCALAR_MONEY)
            .description("An amount in euros as a decimal string with two decimals, e.g. \"84.70\".")
            .validator(|v| matches!(v, GqlValue::String(_) | GqlValue::Number(_))),
        Scalar::new(SCALAR_DECIMAL)
            .description("A decimal number as a string, e.g. \"2.5\".")
            .validator(|v| matches!(v, GqlValue::String(_) | GqlValue::Number(_))),
        Scalar::new(SCALAR_URI)
            .description("An absolute URI, e.g. https://www.example.nl/.")
            .validator(|v| matches!(v, GqlValue::String(_))),
        Scalar::new(SCALAR_JSON).description("Any JSON value."),
    ];
    (vec![page_info, revision, viewer], enums, scalars)
}

fn revision_field(
    name: &'static str,
    ty: TypeRef,
    get: fn(&crate::domain::RevisionRow) -> GqlValue,
) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move {
            let r = ctx
                .parent_value
                .try_downcast_ref::<crate::domain::RevisionRow>()?;
            Ok(non_null(get(r)))
        })
    })
}
