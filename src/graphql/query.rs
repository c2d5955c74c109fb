//! The Query root: per type, one item (by id, slug or external id) and a
//! filtered, sorted, paginated list; plus `item`, `viewer`, and the fields
//! of other modules (`node`, search, answers, `changes`).

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{
    SCALAR_DATETIME, bad_argument, enum_value_name, from_gql, gql_error, input_element_type,
};
use super::loader::{RequestCtx, selected_refs};
use super::types::prime;
use super::types::{ITEM, item_typed, item_value};
use crate::domain::{OrderKey, SortKind, Status};
use crate::hub::{Hub, ItemKey, ListRequest, datetime_to_ms};
use crate::model::{ContentModel, FieldKind, TypeDef, camel, pascal};

/// Fields that can be filtered on: everything but Markdown.
fn filterable(ty: &TypeDef) -> impl Iterator<Item = &crate::model::FieldDef> {
    ty.fields.iter().filter(|f| f.kind != FieldKind::Markdown)
}

/// Fields that can be sorted on: single values that are not Markdown or references.
fn sortable(ty: &TypeDef) -> impl Iterator<Item = &crate::model::FieldDef> {
    ty.fields
        .iter()
        .filter(|f| !f.list && !matches!(f.kind, FieldKind::Markdown | FieldKind::Reference))
}

const SYSTEM_ORDER: [(&str, OrderKey); 5] = [
    ("SLUG", OrderKey::Slug),
    ("CREATED_AT", OrderKey::CreatedAt),
    ("UPDATED_AT", OrderKey::UpdatedAt),
    ("PUBLISHED_AT", OrderKey::PublishedAt),
    ("REVIEW_BY", OrderKey::ReviewBy),
];

/// What each system sort key sorts by, in `SYSTEM_ORDER`'s order.
const SYSTEM_ORDER_DESCRIPTIONS: [&str; 5] = [
    "By `slug`.",
    "By `createdAt`.",
    "By `updatedAt`.",
    "By `publishedAt`; items never published sort as the earliest.",
    "By `reviewBy`; items without a review date sort as the earliest.",
];

/// The conditions every list filter has, whatever the type.
fn system_filters() -> [(&'static str, TypeRef, &'static str); 4] {
    [
        (
            "status",
            TypeRef::named("Status"),
            "Only items with this status (without an editor token only published items are seen at all).",
        ),
        (
            "locale",
            TypeRef::named(TypeRef::STRING),
            "The language of the items: `nl` when not given (as for a single item), `*` for every language.",
        ),
        (
            "updatedSince",
            TypeRef::named(SCALAR_DATETIME),
            "Only items changed at or after this moment (without an editor token: published at or after it).",
        ),
        (
            "externalId",
            TypeRef::named(TypeRef::STRING),
            "Only items with this external id (their id in the system they were imported from).",
        ),
    ]
}

/// `ProductFilter`, `ProductOrderField`, `ProductOrder`.
pub fn list_inputs(ty: &TypeDef) -> (InputObject, Enum, InputObject) {
    let name = pascal(&ty.name);
    let mut filter = InputObject::new(format!("{name}Filter")).description(
        "Every given condition must hold. On a list field, the value must be in the list.",
    );
    for (name, tref, desc) in system_filters() {
        filter = filter.field(InputValue::new(name, tref).description(desc));
    }
    for f in filterable(ty) {
        let what = if f.list {
            format!("Only items whose {} list holds this value.", f.label)
        } else {
            format!("Only items whose {} is this value.", f.label)
        };
        filter = filter.field(
            InputValue::new(
                camel(&f.name),
                TypeRef::named(input_element_type(&ty.name, f)),
            )
            .description(what),
        );
    }
    let mut items: Vec<EnumItem> = SYSTEM_ORDER
        .iter()
        .zip(SYSTEM_ORDER_DESCRIPTIONS)
        .map(|((n, _), d)| EnumItem::new(*n).description(d))
        .collect();
    items.extend(sortable(ty).map(|f| {
        EnumItem::new(enum_value_name(&f.name)).description(format!(
            "By `{}` ({}); items without a value sort as the smallest.",
            camel(&f.name),
            f.label
        ))
    }));
    let order_field = Enum::new(format!("{name}OrderField"))
        .description(format!("What a list of {} can be sorted by.", ty.plural))
        .items(items);
    let order = InputObject::new(format!("{name}Order"))
        .description("How to sort a list; ties are broken by id, so pages never overlap.")
        .field(
            InputValue::new("field", TypeRef::named_nn(format!("{name}OrderField")))
                .description("What to sort by."),
        )
        .field(
            InputValue::new("direction", TypeRef::named("OrderDirection"))
                .default_value(GqlValue::Enum(Name::new("ASC")))
                .description("Which way."),
        );
    (filter, order_field, order)
}

fn order_key(ty: &TypeDef, name: &str) -> Option<OrderKey> {
    if let Some((_, k)) = SYSTEM_ORDER.iter().find(|(n, _)| *n == name) {
        return Some(k.clone());
    }
    let f = sortable(ty).find(|f| enum_value_name(&f.name) == name)?;
    let kind = match f.kind {
        FieldKind::Integer | FieldKind::Boolean => SortKind::Integer,
        FieldKind::Money | FieldKind::Decimal => SortKind::Real,
        _ => SortKind::Text,
    };
    Some(OrderKey::Field {
        name: f.name.clone(),
        kind,
    })
}

fn status_of(name: &str) -> Option<Status> {
    name.to_ascii_lowercase().parse().ok()
}

fn single_query(ty: &TypeDef) -> Field {
    let type_name = ty.name.clone();
    Field::new(ty.name.clone(), TypeRef::named(pascal(&ty.name)), move |ctx| {
        let type_name = type_name.clone();
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let locale = ctx.args.get("locale").map(|v| v.string().map(String::from)).transpose()?.unwrap_or_else(|| "nl".into());
            let id = ctx.args.get("id").map(|v| v.string().map(String::from)).transpose()?;
            let slug = ctx.args.get("slug").map(|v| v.string().map(String::from)).transpose()?;
            let ext = ctx.args.get("externalId").map(|v| v.string().map(String::from)).transpose()?;
            let key = match (id, slug, ext) {
                (Some(id), None, None) => ItemKey::Id(id),
                (None, Some(slug), None) => ItemKey::Slug { locale, slug },
                (None, None, Some(external_id)) => ItemKey::ExternalId { locale, external_id },
                _ => return Err(bad_argument("id", "pass exactly one of `id`, `slug` or `externalId`")),
            };
            // When references are selected, the item and everything it refers
            // to come back from one statement.
            let wants_refs = hub.model().get(&type_name).is_some_and(|ty| {
                let here = ctx.look_ahead();
                here.field("rendered").exists()
                    || ty.reference_fields().any(|f| here.field(&camel(&f.name)).exists())
            });
            let item = if wants_refs {
                let (item, refs) = hub.get_with_refs(&rc.viewer, &type_name, &key).await.map_err(gql_error)?;
                rc.loader.insert(refs);
                item
            } else {
                hub.get(&rc.viewer, &type_name, &key).await.map_err(gql_error)?
            };
            if let Some(item) = &item {
                let ids = selected_refs(hub.model(), std::slice::from_ref(item), &[ctx.look_ahead()]);
                prime(rc, ids).await?;
            }
            Ok(item.map(item_value))
        })
    })
    .description(format!("One {} by id, by slug and locale, or by external id and locale. Null when it does not exist or you may not see it.", ty.name))
    .argument(InputValue::new("id", TypeRef::named(TypeRef::ID)).description("The item's id."))
    .argument(InputValue::new("slug", TypeRef::named(TypeRef::STRING)).description("The item's slug, with `locale`. Without an editor token: its published slug."))
    .argument(InputValue::new("externalId", TypeRef::named(TypeRef::STRING)).description("The item's id in the system it was imported from, with `locale`."))
    .argument(InputValue::new("locale", TypeRef::named(TypeRef::STRING)).default_value("nl").description("The language, for `slug` and `externalId`."))
}

fn list_query(ty: &TypeDef) -> Field {
    let def = ty.clone();
    let name = pascal(&ty.name);
    Field::new(camel(&ty.plural), TypeRef::named(format!("{name}Connection")), move |ctx| {
        let def = def.clone();
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let mut req = ListRequest {
                type_name: def.name.clone(),
                status: None,
                locale: None,
                updated_since: None,
                external_id: None,
                fields: vec![],
                order: OrderKey::Slug,
                descending: false,
                first: None,
                after: None,
                last: None,
                before: None,
            };
            if let Some(filter) = ctx.args.get("filter").filter(|v| !v.is_null()) {
                let filter = filter.object()?;
                for (key, value) in filter.iter() {
                    if value.is_null() {
                        continue;
                    }
                    match key.as_str() {
                        "status" => req.status = status_of(value.enum_name()?),
                        "locale" => req.locale = Some(value.string()?.to_string()),
                        "externalId" => req.external_id = Some(value.string()?.to_string()),
                        "updatedSince" => {
                            req.updated_since = Some(datetime_to_ms(value.string()?).map_err(|m| bad_argument("filter.updatedSince", m))?)
                        }
                        other => {
                            let f = def.fields.iter().find(|f| camel(&f.name) == other).ok_or_else(|| bad_argument(other, "unknown filter"))?;
                            let single = crate::model::FieldDef { list: false, ..f.clone() };
                            req.fields.push((f.name.clone(), from_gql(&single, &value)));
                        }
                    }
                }
            }
            if let Some(order) = ctx.args.get("orderBy").filter(|v| !v.is_null()) {
                let order = order.object()?;
                let field = order.try_get("field")?.enum_name()?.to_string();
                let field = field.as_str();
                req.order = order_key(&def, field).ok_or_else(|| bad_argument("orderBy.field", format!("cannot sort on {field}")))?;
                req.descending = order.get("direction").map(|d| d.enum_name().map(|n| n == "DESC")).transpose()?.unwrap_or(false);
            }
            req.first = ctx.args.get("first").filter(|v| !v.is_null()).map(|v| v.i64()).transpose()?;
            req.last = ctx.args.get("last").filter(|v| !v.is_null()).map(|v| v.i64()).transpose()?;
            req.after = ctx.args.get("after").filter(|v| !v.is_null()).map(|v| v.string().map(String::from)).transpose()?;
            req.before = ctx.args.get("before").filter(|v| !v.is_null()).map(|v| v.string().map(String::from)).transpose()?;
            let page = hub.list(&rc.viewer, req).await.map_err(gql_error)?;
            let items: Vec<_> = page.items.iter().map(|(i, _)| i.clone()).collect();
            let here = ctx.look_ahead();
            let ids = selected_refs(hub.model(), &items, &[here.field("nodes"), here.field("edges").field("node")]);
            prime(rc, ids).await?;
            Ok(Some(FieldValue::owned_any(page)))
        })
    })
    .description(format!(
        "{} items, filtered and sorted (by slug unless `orderBy` says otherwise), {} per page by default and at most {}.",
        ty.label,
        crate::hub::DEFAULT_PAGE,
        crate::hub::MAX_PAGE
    ))
    .argument(InputValue::new("filter", TypeRef::named(format!("{name}Filter"))).description("Only items that meet every condition given."))
    .argument(InputValue::new("orderBy", TypeRef::named(format!("{name}Order"))).description("The order; by slug when left out."))
    .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)).description(format!("The first this many items (after `after`), at most {}.", crate::hub::MAX_PAGE)))
    .argument(InputValue::new("after", TypeRef::named(TypeRef::STRING)).description("A cursor: the items after it."))
    .argument(InputValue::new("last", TypeRef::named(TypeRef::INT)).description(format!("The last this many items (before `before`), at most {}.", crate::hub::MAX_PAGE)))
    .argument(InputValue::new("before", TypeRef::named(TypeRef::STRING)).description("A cursor: the items before it."))
}

pub fn query_root(model: &ContentModel, types: &[&TypeDef]) -> Object {
    let mut q = Object::new("Query").description(
        "Reading content: per type one item and a list, any item by id (`node`, `nodes`, `item`), search, the chatbot's answer, and for editors the change log and search statistics.",
    );
    for ty in types {
        q = q.field(single_query(ty)).field(list_query(ty));
    }
    q.field(super::node::node_field())
        .field(super::node::nodes_field())
        .field(super::search::search_field())
        .field(super::search_stats::search_stats_field())
        .field(super::suggest::suggest_field())
        .field(super::answer::answer_field(model))
        .field(super::answer::handover_field())
        .field(super::answer::check_eligibility_field())
        .field(
        Field::new("item", TypeRef::named(ITEM), |ctx| {
            FieldFuture::new(async move {
                let hub = ctx.data::<Arc<Hub>>()?;
                let rc = ctx.data::<RequestCtx>()?;
                let id = ctx.args.try_get("id")?.string()?;
                Ok(hub.get_any(&rc.viewer, id).await.map_err(gql_error)?.map(item_typed))
            })
        })
        .description("Any item by id, whatever its type, as an `Item`; null when it does not exist or you may not see it. `node(id:)` is the same for Relay.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The item's id.")),
    )
    .field(
        Field::new("viewer", TypeRef::named_nn("Viewer"), |ctx| {
            FieldFuture::new(async move {
                let rc = ctx.data::<RequestCtx>()?;
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(Name::new("name"), GqlValue::from(rc.viewer.name.as_str()));
                o.insert(Name::new("role"), GqlValue::from(rc.viewer.role.as_str()));
                Ok(Some(FieldValue::value(GqlValue::Object(o))))
            })
        })
        .description("The caller: `anonymous` without a token."),
    )
    .field(super::changes::changes_field())
}

#[cfg(test)]
mod tests {
    /// The model refuses field names that would collide with these.
    #[test]
    fn the_model_knows_every_system_filter_and_sort_key() {
        let order: Vec<&str> = super::SYSTEM_ORDER.iter().map(|(n, _)| *n).collect();
        assert_eq!(order, crate::model::SYSTEM_ORDER_FIELDS);
        let filters: Vec<&str> = super::system_filters().iter().map(|f| f.0).collect();
        assert_eq!(filters, crate::model::SYSTEM_FILTER_FIELDS);
    }
}
