//! The fields of an item object that come from the model (`title`,
//! `summary`, `steps`, …), their descriptions, and the enums of enum fields.
//!
//! **Which fields are non-null.** Every save checks the whole content
//! against the model (create, update, revert, import, `setFact` all go
//! through `model::values::check_fields`), and publishing copies a saved
//! revision, so a required field has a value at every stage. A required
//! field is `String!` (or `Int!`, …) when nothing can hide its value from a
//! caller: it is not a reference (whose item may be invisible to the
//! caller, a draft for the public) and it is shown in every channel (an
//! internal field is removed for callers below `agent`; a Markdown field read
//! `(channel:)` is null where that channel does not show it). Lists are
//! always non-null, empty when nothing is filled in. The one way a stored
//! item lacks a required value is a model changed after it was saved; such
//! an item answers CONTENT_OUT_OF_DATE instead of a silent null, and
//! `bron check` lists them. This module resolves values already loaded and
//! decides no visibility itself.

use async_graphql::dynamic::{Enum, EnumItem, Field, FieldFuture, FieldValue, TypeRef};
use async_graphql::{ErrorExtensions, Value as GqlValue};
use std::sync::Arc;

use super::convert::{element_type, enum_type_name, enum_value_name, gql_error, to_gql};
use super::inputs::about;
use super::loader::{RequestCtx, selected_refs};
use super::types::{item_of, item_value, non_null, prime};
use crate::hub::{Hub, ItemView};
use crate::model::{FieldDef, FieldKind, TypeDef, camel, pascal};

/// Whether every item the caller can read has a value for `f` (see the
/// module comment): non-null in the output type.
pub fn guaranteed(f: &FieldDef) -> bool {
    f.required && !f.list && f.kind != FieldKind::Reference && f.channels.is_empty()
}

/// The sentence that says why a field is, or is not, non-null.
fn null_rule(f: &FieldDef) -> String {
    if guaranteed(f) {
        return " Never null: every save requires it (an item saved before the model required it answers CONTENT_OUT_OF_DATE until it is saved again).".into();
    }
    if f.list && f.kind == FieldKind::Reference {
        return " Empty when nothing is filled in; items you may not see are left out.".into();
    }
    if f.list {
        return " Empty when nothing is filled in.".into();
    }
    let mut d = String::new();
    if f.required && f.kind == FieldKind::Reference {
        d.push_str(" Required when saving, yet null when you may not see the item it points at (without a token: when that item is not published).");
    } else if f.required {
        d.push_str(
            " Required when saving, yet null when read for a channel that does not show it.",
        );
    }
    d
}

fn field_description(f: &FieldDef) -> String {
    let mut d = about(f, false);
    d.push_str(&null_rule(f));
    if f.internal {
        d.push_str(&format!(
            " Shown only in {}: {} unless the token has role agent or higher.",
            f.channels.join(", "),
            if f.list { "empty" } else { "null" }
        ));
    }
    d
}

/// The error for a required value an item does not have.
pub fn out_of_date(item: &ItemView, field: &str) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "{} `{}` has no `{}`, which the content model requires: it was saved before the model required it. Save it with a value; `bron check` lists every such item",
        item.type_name,
        item.slug,
        camel(field)
    ))
    .extend_with(|_, ext| ext.set("code", "CONTENT_OUT_OF_DATE"))
}

/// The field of `f` on the object of `ty`.
pub fn model_field(ty: &TypeDef, f: &FieldDef) -> Field {
    let gql_ty = element_type(&ty.name, f);
    let type_ref = if f.list {
        TypeRef::named_nn_list_nn(gql_ty)
    } else if guaranteed(f) {
        TypeRef::named_nn(gql_ty)
    } else {
        TypeRef::named(gql_ty)
    };
    let def = f.clone();
    let must = guaranteed(f);
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
                let text = match super::render::markdown_for_channel(&ctx, &name).await? {
                    Some(rendered) => rendered,
                    None => item_of(&ctx)?
                        .fields
                        .get(&name)
                        .and_then(|v| v.as_str())
                        .map(String::from),
                };
                match text {
                    None if must => Err(out_of_date(item_of(&ctx)?, &name)),
                    t => Ok(t.map(|s| FieldValue::value(GqlValue::from(s)))),
                }
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
                match non_null(v) {
                    None if must => Err(out_of_date(item, &def.name)),
                    v => Ok(v),
                }
            })
        })
    };
    field.description(field_description(f))
}

/// The enums of a type's enum fields; each value as the model spells it.
pub fn field_enums(ty: &TypeDef) -> Vec<Enum> {
    ty.fields
        .iter()
        .filter(|f| f.kind == FieldKind::Enum)
        .map(|f| {
            Enum::new(enum_type_name(&ty.name, f))
                .description(format!(
                    "The values of {}.{} ({}).",
                    pascal(&ty.name),
                    camel(&f.name),
                    f.label
                ))
                .items(f.values.iter().map(|v| {
                    EnumItem::new(enum_value_name(v))
                        .description(format!("`{v}` in the content model and the import format."))
                }))
        })
        .collect()
}
