//! The output types generated from the model: one object per content type,
//! implementing the `Item` and `Node` interfaces, with the attributes every
//! item has (id, slug, status, times, `revisions`, `usedBy`). The fields that
//! come from the model are in `model_fields.rs`; connections, edges and the
//! types every schema has (PageInfo, Revision, Status, scalars) in
//! `shared.rs`.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Interface, InterfaceField, Object, ResolverContext,
    TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{SCALAR_DATE, SCALAR_DATETIME, enum_value_name, gql_error};
use super::loader::RequestCtx;
use super::model_fields::{guaranteed, model_field, out_of_date};
use crate::domain::Status;
use crate::hub::{Hub, ItemView, ms_to_datetime};
use crate::model::{TypeDef, camel, pascal};

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
            super::node::ID_DESCRIPTION,
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
    .argument(used_by_first())
    .description(USED_BY_DESCRIPTION)
}

fn used_by_first() -> InputValue {
    InputValue::new("first", TypeRef::named(TypeRef::INT)).description(format!(
        "At most this many (default {DEFAULT_USED_BY}, at most {MAX_USED_BY})."
    ))
}

const REVISIONS_DESCRIPTION: &str = "The revision history, newest first. Needs an editor token.";

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
    .description(REVISIONS_DESCRIPTION)
}

/// The `Item` interface; its `title` is non-null when every type's title
/// field is (see `model_fields.rs`).
pub fn item_interface(types: &[&TypeDef]) -> Interface {
    let mut iface = Interface::new(ITEM)
        .description("What every content item has, whatever its type. Every item is also a `Node`: its id alone finds it again.")
        .implement(super::node::NODE);
    for (name, ty, desc, _) in system_fields() {
        iface = iface.field(InterfaceField::new(name, ty).description(desc));
    }
    let title = if types.iter().all(|t| title_guaranteed(t)) {
        TypeRef::named_nn(TypeRef::STRING)
    } else {
        TypeRef::named(TypeRef::STRING)
    };
    iface
        .field(
            InterfaceField::new("title", title)
                .description("The item's title, from its type's title field."),
        )
        .field(
            InterfaceField::new("revisions", TypeRef::named_nn_list("Revision"))
                .description(REVISIONS_DESCRIPTION),
        )
        .field(super::render::rendered_interface_field())
        .field(
            InterfaceField::new("usedBy", TypeRef::named_nn_list_nn(ITEM))
                .argument(used_by_first())
                .description(USED_BY_DESCRIPTION),
        )
}

fn title_guaranteed(ty: &TypeDef) -> bool {
    ty.field(&ty.title_field).is_some_and(guaranteed)
}

/// The object type of one content type.
pub fn item_object(ty: &TypeDef) -> Object {
    let mut obj = Object::new(pascal(&ty.name))
        .implement(super::node::NODE)
        .implement(ITEM);
    obj = obj.description(match &ty.description {
        Some(d) => d.clone(),
        None => format!("{} (content type `{}`).", ty.label, ty.name),
    });
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
        let must = title_guaranteed(ty);
        let tref = if must {
            TypeRef::named_nn(TypeRef::STRING)
        } else {
            TypeRef::named(TypeRef::STRING)
        };
        obj = obj.field(
            Field::new("title", tref, move |ctx| {
                let title = title.clone();
                FieldFuture::new(async move {
                    let item = item_of(&ctx)?;
                    match item.fields.get(&title).cloned() {
                        Some(v) => Ok(Some(FieldValue::value(
                            GqlValue::from_json(v).unwrap_or_default(),
                        ))),
                        None if must => Err(out_of_date(item, &title)),
                        None => Ok(None),
                    }
                })
            })
            .description(format!(
                "The item's title (the `{}` field).{}",
                camel(&ty.title_field),
                if must {
                    " Never null, as that field is required."
                } else {
                    ""
                }
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
