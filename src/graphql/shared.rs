//! The types that are not one content type's object: each type's connection
//! and edge (`ProductConnection`, `ProductEdge`), and the types every schema
//! has whatever the model (PageInfo, Revision, Viewer, Status, Role, the
//! scalars).
//!
//! Like `types.rs`, this module only describes types and resolves fields from
//! values already loaded; it must not decide policy (roles, visibility) and
//! asks the hub only for counts.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, Object, Scalar, TypeRef,
};
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
        .description(format!("One {} in a page, with its cursor.", ty.name))
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
        ).description("Pass it as `after` (or `before`) for the items after (or before) this one. Opaque; valid for the same filter and order."))
        .field(Field::new("node", TypeRef::named_nn(node.clone()), |ctx| {
            FieldFuture::new(async move {
                let (item, _) = ctx
                    .parent_value
                    .try_downcast_ref::<(Arc<ItemView>, String)>()?;
                Ok(Some(item_value(item.clone())))
            })
        }).description("The item."));
    let conn = Object::new(format!("{node}Connection"))
        .description(format!(
            "A page of {} items, with cursors (Relay's cursor connections). Not identified by id: a client cache keeps it under the list field and its arguments.",
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
        ).description("The items of this page with their cursors."))
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
        ).description("The items of this page, without cursors."))
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
        ).description("Whether there are more pages, and the cursors to get them."))
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
        .description("Where a page is in the whole list (Relay's cursor connections).")
        .field(
            value_field("hasNextPage", TypeRef::named_nn(TypeRef::BOOLEAN))
                .description("More items follow this page: ask with `after: endCursor`."),
        )
        .field(
            value_field("hasPreviousPage", TypeRef::named_nn(TypeRef::BOOLEAN))
                .description("Items come before this page: ask with `before: startCursor`."),
        )
        .field(
            value_field("startCursor", TypeRef::named(TypeRef::STRING))
                .description("The cursor of the first item of the page; null when it is empty."),
        )
        .field(
            value_field("endCursor", TypeRef::named(TypeRef::STRING))
                .description("The cursor of the last item of the page; null when it is empty."),
        );
    let revision = Object::new("Revision")
        .description("One saved version of an item. Revisions are never changed or removed. Not identified by id: its item's id and `version` together name it.")
        .field(revision_field(
            "version",
            TypeRef::named_nn(TypeRef::INT),
            |r| GqlValue::from(r.version),
        ).description("The revision number, from 1."))
        .field(revision_field(
            "author",
            TypeRef::named_nn(TypeRef::STRING),
            |r| GqlValue::from(r.author.as_str()),
        ).description("Who saved it: the token's or editor's name."))
        .field(revision_field(
            "createdAt",
            TypeRef::named_nn(SCALAR_DATETIME),
            |r| GqlValue::from(ms_to_datetime(r.created_at)),
        ).description("When it was saved."))
        .field(revision_field(
            "message",
            TypeRef::named_nn(TypeRef::STRING),
            |r| GqlValue::from(r.message.as_str()),
        ).description("Why it was saved, as the author wrote it (may be empty)."))
        .field(revision_field(
            "content",
            TypeRef::named_nn(SCALAR_JSON),
            |r| {
                serde_json::from_str(&r.content)
                    .ok()
                    .and_then(|v| GqlValue::from_json(v).ok())
                    .unwrap_or(GqlValue::Null)
            },
        ).description("The item as saved: slug, external id, review date and fields, as JSON."));
    let viewer = Object::new("Viewer")
        .description("Who the API thinks you are. Not identified by id: it is the caller of this request, not content.")
        .field(
            value_field("name", TypeRef::named_nn(TypeRef::STRING))
                .description("The token's name; `anonymous` without a token."),
        )
        .field(
            value_field("role", TypeRef::named_nn(TypeRef::STRING))
                .description("`anonymous`, `agent`, `editor`, `publisher` or `admin`."),
        );
    let enums = vec![
        Enum::new("Status")
            .description("Where an item is in the publishing workflow.")
            .items([
                EnumItem::new("DRAFT").description("Not live: only editors see it."),
                EnumItem::new("PUBLISHED")
                    .description("Live: everyone sees its published revision."),
                EnumItem::new("ARCHIVED")
                    .description("Taken offline for good: only editors see it."),
            ]),
        Enum::new("OrderDirection")
            .description("Which way a list is sorted.")
            .items([
                EnumItem::new("ASC").description("Smallest, earliest or A first."),
                EnumItem::new("DESC").description("Largest, latest or Z first."),
            ]),
        Enum::new("Role")
            .description("What a token may do; each role includes the ones before it.")
            .items([
                EnumItem::new("AGENT").description(
                    "Reads published content with the fields and channels internal to the KCC.",
                ),
                EnumItem::new("EDITOR")
                    .description("Reads drafts and history, creates and edits content."),
                EnumItem::new("PUBLISHER")
                    .description("Publishes, schedules, takes offline and sets facts."),
                EnumItem::new("ADMIN").description("Manages tokens."),
            ]),
    ];
    let scalars = vec![
        Scalar::new(SCALAR_DATE)
            .description("A calendar date as RFC 3339's `full-date`: YYYY-MM-DD, e.g. 2027-03-01.")
            .specified_by_url("https://www.rfc-editor.org/rfc/rfc3339#section-5.6")
            .validator(|v| matches!(v, GqlValue::String(s) if crate::model::values::parse_date(s).is_ok())),
        Scalar::new(SCALAR_DATETIME)
            .description("A moment in time as RFC 3339's `date-time`, e.g. 2026-05-01T09:00:00Z; Bron answers in UTC.")
            .specified_by_url("https://www.rfc-editor.org/rfc/rfc3339#section-5.6")
            .validator(|v| matches!(v, GqlValue::String(s) if crate::model::values::parse_datetime(s).is_ok())),
        Scalar::new(SCALAR_MONEY)
            .description("An amount in euros: answered as a decimal string with two decimals, e.g. \"84.70\"; taken as such a string (a comma for the point is accepted) or a number, in whole cents.")
            .specified_by_url("https://www.w3.org/TR/xmlschema11-2/#decimal")
            .validator(|v| matches!(v, GqlValue::String(_) | GqlValue::Number(_))),
        Scalar::new(SCALAR_DECIMAL)
            .description("A decimal number as a string, e.g. \"2.5\", at most 15 digits before the point and 10 after; a number is accepted too.")
            .specified_by_url("https://www.w3.org/TR/xmlschema11-2/#decimal")
            .validator(|v| matches!(v, GqlValue::String(_) | GqlValue::Number(_))),
        Scalar::new(SCALAR_URI)
            .description("An absolute URI, e.g. https://www.example.nl/.")
            .specified_by_url("https://www.rfc-editor.org/rfc/rfc3986#section-4.3")
            .validator(|v| matches!(v, GqlValue::String(_))),
        Scalar::new(SCALAR_JSON)
            .description("Any JSON value, as JSON.")
            .specified_by_url("https://www.rfc-editor.org/rfc/rfc8259"),
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
