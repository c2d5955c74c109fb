//! The output types generated from the model: one object per content type
//! (implementing the `Item` interface) and its enums. Connections, edges and
//! the types every schema has (PageInfo, Revision, Status, scalars) are in
//! `shared.rs`.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputValue, Interface, InterfaceField, Object,
    ResolverContext, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{
    SCALAR_DATE, SCALAR_DATETIME, element_type, enum_type_name, enum_value_name, gql_error, to_gql,
};
use super::loader::{RequestCtx, selected_refs};
use crate::domain::Status;
use crate::hub::{Hub, ItemView, ms_to_datetime};
use crate::model::{FieldDef, FieldKind, TypeDef, camel, pascal};

pub const ITEM: &str = "Item";

pub fn item_of<'a>(ctx: &'a ResolverContext<'_>) -> async_graphql::Result<&'a Arc<ItemView>> {
    ctx.parent_value.try_downcast_ref::<Arc<ItemView>>()
}

/// An item where its own object type is expected.
pub fn item_value(item: Arc<ItemView>) -> FieldValue<'static> {
    FieldValue::owned_any(item)
}

/// An item where the `Item` interface is expected: tagged with its type.
pub fn item_typed(item: Arc<ItemView>) -> FieldValue<'static> {
    let ty = pascal(&item.type_name);
    FieldValue::owned_any(item).with_type(ty)
}

/// Loads what the next level of the query will ask for, in one statement.
pub async fn prime(rc: &RequestCtx, ids: Vec<String>) -> async_graphql::Result<()> {
    rc.loader
        .prime(ids)
        .await
        .map_err(|e| gql_error(crate::Error::Internal(e.to_string())))
}

pub fn status_value(s: Status) -> GqlValue {
    GqlValue::Enum(Name::new(enum_value_name(s.as_str())))
}

type Getter = fn(&ItemView) -> GqlValue;

/// A resolved value; GraphQL null must be `None`, not a null value.
pub fn non_null(v: GqlValue) -> Option<FieldValue<'static>> {
    (v != GqlValue::Null).then(|| FieldValue::value(v))
}

fn opt_str(v: Option<&str>) -> GqlValue {
    v.map(GqlValue::from).unwrap_or(GqlValue::Null)
}

fn opt_time(v: Option<i64>) -> GqlValue {
    v.map(|t| GqlValue::from(ms_to_datetime(t)))
        .unwrap_or(GqlValue::Null)
}

/// The attributes every item has, shared by the interface and each object.
fn system_fields() -> Vec<(&'static str, TypeRef, &'static str, Getter)> {
    vec![
        (
            "id",
            TypeRef::named_nn(TypeRef::ID),
            "Bron's id of the item; stable for its life.",
            |i| GqlValue::from(i.id.as_str()),
        ),
        (
            "type",
            TypeRef::named_nn(TypeRef::STRING),
            "The content type, e.g. `product`.",
            |i| GqlValue::from(i.type_name.as_str()),
        ),
        (
            "slug",
            TypeRef::named_nn(TypeRef::STRING),
            "Unique per type and locale; used in web addresses.",
            |i| GqlValue::from(i.slug.as_str()),
        ),
        (
            "locale",
            TypeRef::named_nn(TypeRef::STRING),
            "Language of the item: `nl` by default, `en` for the Single Digital Gateway.",
            |i| GqlValue::from(i.locale.as_str()),
        ),
        (
            "status",
            TypeRef::named_nn("Status"),
            "Draft, published or archived.",
            |i| status_value(i.status),
        ),
        (
            "version",
            TypeRef::named_nn(TypeRef::INT),
            "The latest revision number; send it back when you update the item. Without an editor token: the live revision.",
            |i| GqlValue::from(i.version),
        ),
        (
            "publishedVersion",
            TypeRef::named(TypeRef::INT),
            "The revision that is live, if any.",
            |i| {
                i.published_version
                    .map(GqlValue::from)
                    .unwrap_or(GqlValue::Null)
            },
        ),
        (
            "hasUnpublishedChanges",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            "True when the latest revision is not the live one. Always false without an editor token.",
            |i| GqlValue::from(i.has_unpublished_changes()),
        ),
        (
            "externalId",
            TypeRef::named(TypeRef::STRING),
            "The id this item has in the system it was imported from.",
            |i| opt_str(i.external_id.as_deref()),
        ),
        (
            "reviewBy",
            TypeRef::named(SCALAR_DATE),
            "The date by which the owning team checks this content again.",
            |i| opt_str(i.review_by.as_deref()),
        ),
        (
            "publishAt",
            TypeRef::named(SCALAR_DATETIME),
            "Scheduled publication. Null without an editor token.",
            |i| opt_time(i.publish_at),
        ),
        (
            "unpublishAt",
            TypeRef::named(SCALAR_DATETIME),
            "Scheduled end of publication. Null without an editor token.",
            |i| opt_time(i.unpublish_at),
        ),
        (
            "scheduleError",
            TypeRef::named(TypeRef::STRING),
            "Why the last scheduled publish or unpublish could not be carried out. Null without an editor token.",
            |i| opt_str(i.schedule_error.as_deref()),
        ),
        (
            "createdAt",
            TypeRef::named_nn(SCALAR_DATETIME),
            "When the item was created.",
            |i| GqlValue::from(ms_to_datetime(i.created_at)),
        ),
        (
            "updatedAt",
            TypeRef::named_nn(SCALAR_DATETIME),
            "When its content or status last changed. Without an editor token: when the live content was last published.",
            |i| GqlValue::from(ms_to_datetime(i.updated_at)),
        ),
        (
            "publishedAt",
            TypeRef::named(SCALAR_DATETIME),
            "When it was last published.",
            |i| opt_time(i.published_at),
        ),
    ]
}

/// The most items `usedBy` returns.
pub(super) const MAX_USED_BY: usize = 100;
pub(super) const DEFAULT_USED_BY: usize = 50;

fn used_by_field() -> Field {
    Field::new("usedBy", TypeRef::named_nn_list_nn(ITEM), |ctx| {
        FieldFuture::new(async move {
            let item = item_of(&ctx)?;
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let first = match ctx.args.get("first") {
                Some(v) => v.i64()?.clamp(0, MAX_USED_BY as i64) as usize,
                None => DEFAULT_USED_BY,
            };
            let items = hub
                .used_by(&rc.viewer, item, first)
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::list(items.into_iter().map(item_typed))))
        })
    })
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("At most this many (default 50, at most 100)."),
    )
    .description(USED_BY_DESCRIPTION)
}

const USED_BY_DESCRIPTION: &str = "The items that use this one: whose references point at it, and for a fact, whose text shows it ({{fact:slug}}). What you may see of them; sorted by type and slug.";

fn revisions_field() -> Field {
    Field::new("revisions", TypeRef::named_nn_list("Revision"), |ctx| {
        FieldFuture::new(async move {
            let item = item_of(&ctx)?;
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let revs = hub
                .revisions(&rc.viewer, &item.id)
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::list(
                revs.into_iter().map(FieldValue::owned_any),
            )))
        })
    })
    .description("The revision history, newest first. Needs an editor token.")
}

pub fn item_interface() -> Interface {
    let mut iface =
        Interface::new(ITEM).description("What every content item has, whatever its type.");
    for (name, ty, desc, _) in system_fields() {
        iface = iface.field(InterfaceField::new(name, ty).description(desc));
    }
    iface
        .field(
            InterfaceField::new("title", TypeRef::named(TypeRef::STRING))
                .description("The item's title, from its type's title field."),
        )
        .field(InterfaceField::new(
            "revisions",
            TypeRef::named_nn_list("Revision"),
        ))
        .field(super::render::rendered_interface_field())
        .field(
            InterfaceField::new("usedBy", TypeRef::named_nn_list_nn(ITEM))
                .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)))
                .description(USED_BY_DESCRIPTION),
        )
}

fn field_description(f: &FieldDef) -> String {
    let mut d = f.label.clone();
    if let Some(desc) = &f.description {
        d.push_str(". ");
        d.push_str(desc);
    }
    if f.kind == FieldKind::Markdown {
        d.push_str(" (Markdown)");
    }
    if f.required {
        d.push_str(" Required when saving.");
    }
    if let Some(n) = f.max_items {
        d.push_str(&format!(" At most {n} entries."));
    }
    if f.internal {
        d.push_str(&format!(
            " Shown only in {}: null unless the token has role agent or higher.",
            f.channels.join(", ")
        ));
    }
    d
}

fn model_field(ty: &TypeDef, f: &FieldDef) -> Field {
    let gql_ty = element_type(&ty.name, f);
    let type_ref = if f.list {
        TypeRef::named_nn_list_nn(gql_ty)
    } else {
        TypeRef::named(gql_ty)
    };
    let def = f.clone();
    let field = if f.kind == FieldKind::Reference {
        Field::new(camel(&f.name), type_ref, move |ctx| {
            let def = def.clone();
            FieldFuture::new(async move {
                let item = item_of(&ctx)?;
                let mut ids = item.reference_ids(&def.name);
                // Saving keeps a list within its maximum; a longer list
                // stored before the maximum was set is cut at it, so what a
                // query costs (`cost.rs`) holds for every stored item.
                if let Some(max) = def.max_items {
                    ids.truncate(max);
                }
                let rc = ctx.data::<RequestCtx>()?;
                let found = rc
                    .loader
                    .load_many(&ids)
                    .await
                    .map_err(|e| gql_error(crate::Error::Internal(e.to_string())))?;
                // A reference the caller may not see (a draft, for the
                // public) is left out rather than shown as an error.
                let items: Vec<Arc<ItemView>> =
                    ids.iter().filter_map(|id| found.get(id).cloned()).collect();
                let hub = ctx.data::<Arc<Hub>>()?;
                let next = selected_refs(hub.model(), &items, &[ctx.look_ahead()]);
                prime(rc, next).await?;
                let out: Vec<FieldValue> = items.into_iter().map(item_value).collect();
                if def.list {
                    Ok(Some(FieldValue::list(out)))
                } else {
                    Ok(out.into_iter().next())
                }
            })
        })
    } else if f.kind == FieldKind::Markdown && !f.list {
        let name = f.name.clone();
        Field::new(camel(&f.name), type_ref, move |ctx| {
            let name = name.clone();
            FieldFuture::new(async move {
                if let Some(rendered) = super::render::markdown_for_channel(&ctx, &name).await? {
                    return Ok(rendered.map(|s| FieldValue::value(GqlValue::from(s))));
                }
                let item = item_of(&ctx)?;
                Ok(item
                    .fields
                    .get(&name)
                    .and_then(|v| v.as_str())
                    .map(|s| FieldValue::value(GqlValue::from(s))))
            })
        })
        .argument(super::render::markdown_channel_input())
    } else {
        Field::new(camel(&f.name), type_ref, move |ctx| {
            let def = def.clone();
            FieldFuture::new(async move {
                let item = item_of(&ctx)?;
                let v = match item.fields.get(&def.name) {
                    Some(v) => to_gql(&def, v),
                    None if def.list => GqlValue::List(vec![]),
                    None => GqlValue::Null,
                };
                Ok(non_null(v))
            })
        })
    };
    field.description(field_description(f))
}

/// The object type of one content type.
pub fn item_object(ty: &TypeDef) -> Object {
    let mut obj = Object::new(pascal(&ty.name)).implement(ITEM);
    if let Some(d) = &ty.description {
        obj = obj.description(d.clone());
    }
    for (name, tref, desc, get) in system_fields() {
        obj = obj.field(
            Field::new(name, tref, move |ctx| {
                FieldFuture::new(async move { Ok(non_null(get(item_of(&ctx)?))) })
            })
            .description(desc),
        );
    }
    let title = ty.title_field.clone();
    // A model field named `title` is the title field itself (the model checks it).
    if ty.field("title").is_none() {
        obj = obj.field(
            Field::new("title", TypeRef::named(TypeRef::STRING), move |ctx| {
                let title = title.clone();
                FieldFuture::new(async move {
                    let item = item_of(&ctx)?;
                    Ok(item
                        .fields
                        .get(&title)
                        .cloned()
                        .map(|v| FieldValue::value(GqlValue::from_json(v).unwrap_or_default())))
                })
            })
            .description(format!(
                "The item's title (the `{}` field).",
                camel(&ty.title_field)
            )),
        );
    }
    for f in &ty.fields {
        obj = obj.field(model_field(ty, f));
    }
    obj.field(revisions_field())
        .field(super::render::rendered_field())
        .field(used_by_field())
}

/// The enums of a type's enum fields.
pub fn field_enums(ty: &TypeDef) -> Vec<Enum> {
    ty.fields
        .iter()
        .filter(|f| f.kind == FieldKind::Enum)
        .map(|f| {
            Enum::new(enum_type_name(&ty.name, f))
                .description(format!("Values of {}.{}", pascal(&ty.name), camel(&f.name)))
                .items(f.values.iter().map(|v| enum_value_name(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// The model refuses field names that would collide with these, so its
    /// list must be exactly what this module generates.
    #[test]
    fn the_model_knows_every_system_field() {
        let mut built: Vec<&str> = super::system_fields().iter().map(|f| f.0).collect();
        built.push("revisions");
        built.push("rendered");
        built.push("usedBy");
        assert_eq!(built, crate::model::SYSTEM_GRAPHQL_FIELDS);
    }
}
