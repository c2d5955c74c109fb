//! The Mutation root: per type `create<Type>` and `update<Type>`; for any
//! item `deleteItem`, `publish`, `unpublish`, `archive`, `schedule`,
//! `revert`; `setFact`; and tokens. Every mutation calls one hub function and
//! returns the change-log sequence it produced (`changeSeq`).

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ObjectAccessor, ResolverContext, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};
use serde_json::{Map, Value};

/// What every mutation's `changeSeq` is.
pub(super) const CHANGE_SEQ: &str = "The change-log sequence number this write produced: wait for it, or compare it with `changes`, to know a read includes the write.";

use super::convert::{
    SCALAR_DATE, SCALAR_DATETIME, SCALAR_MONEY, bad_argument, gql_error, opt_string,
};
use super::inputs::{create_input_name, fields_map, update_input_name};
use super::loader::RequestCtx;
use super::types::{ITEM, item_typed, item_value};
use crate::hub::{Hub, NewItem, Patch, Role, Written, datetime_to_ms};
use crate::model::{TypeDef, pascal};

/// `ProductPayload { item: Product!, changeSeq: Int! }`
pub fn payload_type(name: &str, item_type: &str, list: bool) -> Object {
    let tref = if list {
        TypeRef::named_nn_list_nn(item_type)
    } else {
        TypeRef::named_nn(item_type)
    };
    let field_name = if list { "items" } else { "item" };
    let wrap = if item_type == ITEM {
        item_typed
    } else {
        item_value
    };
    let (about, item_desc) = if list {
        (
            "What a write to several items did: the items as they are now, and the sequence number of the write.",
            "The items as they are after the write, in the order asked.",
        )
    } else {
        (
            "What a write did: the item as it is now, and the sequence number of the write.",
            "The item as it is after the write.",
        )
    };
    Object::new(name)
        .description(about)
        .field(
            Field::new(field_name, tref, move |ctx| {
                FieldFuture::new(async move {
                    let w = ctx.parent_value.try_downcast_ref::<Vec<Written>>()?;
                    if list {
                        Ok(Some(FieldValue::list(
                            w.iter().map(|w| wrap(w.item.clone())),
                        )))
                    } else {
                        Ok(w.first().map(|w| wrap(w.item.clone())))
                    }
                })
            })
            .description(item_desc),
        )
        .field(
            Field::new("changeSeq", TypeRef::named_nn(TypeRef::INT), |ctx| {
                FieldFuture::new(async move {
                    let w = ctx.parent_value.try_downcast_ref::<Vec<Written>>()?;
                    let hub = ctx.data::<Arc<Hub>>()?;
                    Ok(Some(FieldValue::value(
                        w.iter().map(|w| w.seq).max().unwrap_or_else(|| hub.seq()),
                    )))
                })
            })
            .description(CHANGE_SEQ),
        )
}

/// For a nullable argument: absent -> None, null -> Some(None).
fn tri_string(
    args: &ObjectAccessor<'_>,
    name: &str,
) -> async_graphql::Result<Option<Option<String>>> {
    match args.get(name) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(Some(None)),
        Some(v) => Ok(Some(Some(v.string()?.to_string()))),
    }
}

fn ctx_parts<'a>(
    ctx: &'a ResolverContext<'_>,
) -> async_graphql::Result<(&'a Arc<Hub>, &'a RequestCtx)> {
    Ok((ctx.data::<Arc<Hub>>()?, ctx.data::<RequestCtx>()?))
}

fn common_args(field: Field, create: bool) -> Field {
    let (slug, ext, review) = if create {
        (
            "The web address name: lowercase letters, digits and single hyphens, unique per type and locale. Made from the title when left out.",
            "The id the item has in another system, unique per type and locale.",
            "The date by which the owning team checks the content again.",
        )
    } else {
        (
            "A new web address name; left out, it stays. The public address follows when the change is published.",
            "A new external id; null removes it, left out it stays.",
            "A new review date; null removes it, left out it stays.",
        )
    };
    field
        .argument(InputValue::new("slug", TypeRef::named(TypeRef::STRING)).description(slug))
        .argument(InputValue::new("externalId", TypeRef::named(TypeRef::STRING)).description(ext))
        .argument(InputValue::new("reviewBy", TypeRef::named(SCALAR_DATE)).description(review))
        .argument(
            InputValue::new("message", TypeRef::named(TypeRef::STRING))
                .description("Why you made this change; kept in the revision history."),
        )
}

fn create_mutation(ty: &TypeDef) -> Field {
    let def = ty.clone();
    let name = pascal(&ty.name);
    let field = Field::new(format!("create{name}"), TypeRef::named(format!("{name}Payload")), move |ctx| {
        let def = def.clone();
        FieldFuture::new(async move {
            let (hub, rc) = ctx_parts(&ctx)?;
            let new = NewItem {
                id: None,
                type_name: def.name.clone(),
                slug: opt_string(&ctx.args, "slug")?,
                locale: opt_string(&ctx.args, "locale")?,
                external_id: opt_string(&ctx.args, "externalId")?,
                review_by: opt_string(&ctx.args, "reviewBy")?,
                fields: fields_map(&def, &ctx.args)?,
                message: opt_string(&ctx.args, "message")?,
            };
            let w = hub.create(&rc.viewer, new).await.map_err(gql_error)?;
            Ok(Some(FieldValue::owned_any(vec![w])))
        })
    })
    .description(format!("Creates a draft {}. Needs an editor token. The slug is made from the title when you leave it out.", ty.name))
    .argument(InputValue::new("fields", TypeRef::named_nn(create_input_name(ty))).description("The content."))
    .argument(InputValue::new("locale", TypeRef::named(TypeRef::STRING)).default_value("nl").description("The language of the item: `nl`, or `en` for the Single Digital Gateway."));
    common_args(field, true)
}

fn update_mutation(ty: &TypeDef) -> Field {
    let def = ty.clone();
    let name = pascal(&ty.name);
    let field = Field::new(format!("update{name}"), TypeRef::named(format!("{name}Payload")), move |ctx| {
        let def = def.clone();
        FieldFuture::new(async move {
            let (hub, rc) = ctx_parts(&ctx)?;
            let id = ctx.args.try_get("id")?.string()?.to_string();
            let version = ctx.args.try_get("version")?.i64()?;
            let patch = Patch {
                slug: opt_string(&ctx.args, "slug")?,
                external_id: tri_string(&ctx.args, "externalId")?,
                review_by: tri_string(&ctx.args, "reviewBy")?,
                fields: fields_map(&def, &ctx.args)?,
                message: opt_string(&ctx.args, "message")?,
            };
            let w = hub.update(&rc.viewer, Some(&def.name), &id, version, patch).await.map_err(gql_error)?;
            Ok(Some(FieldValue::owned_any(vec![w])))
        })
    })
    .description(format!(
        "Saves a new revision of a {}. `version` is the version you edited: if someone saved in between, you get VERSION_CONFLICT and nothing changes. A published item stays live as it was until you publish again.",
        ty.name
    ))
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The item's id."))
    .argument(InputValue::new("version", TypeRef::named_nn(TypeRef::INT)).description(VERSION_ARG))
    .argument(InputValue::new("fields", TypeRef::named(update_input_name(ty))).description("The fields that change; left out, the content stays as it is."));
    common_args(field, false)
}

const VERSION_ARG: &str = "The `version` you edited (optimistic concurrency): if someone saved in between, the write is refused with VERSION_CONFLICT.";

fn ids_arg(ctx: &ResolverContext<'_>) -> async_graphql::Result<Vec<String>> {
    let list = ctx.args.try_get("ids")?.list()?;
    list.iter().map(|v| v.string().map(String::from)).collect()
}

fn items_mutation(name: &'static str, desc: &'static str) -> Field {
    Field::new(name, TypeRef::named("ItemsPayload"), move |ctx| {
        FieldFuture::new(async move {
            let (hub, rc) = ctx_parts(&ctx)?;
            let ids = ids_arg(&ctx)?;
            let message = opt_string(&ctx.args, "message")?;
            let result = match name {
                "publish" => hub.publish(&rc.viewer, &ids, message.as_deref()).await,
                "unpublish" => hub.unpublish(&rc.viewer, &ids).await,
                _ => hub.archive(&rc.viewer, &ids).await,
            };
            Ok(Some(FieldValue::owned_any(result.map_err(gql_error)?)))
        })
    })
    .description(desc)
    .argument(
        InputValue::new("ids", TypeRef::named_nn_list_nn(TypeRef::ID))
            .description("The items' ids; all of them change, or none."),
    )
    .argument(
        InputValue::new("message", TypeRef::named(TypeRef::STRING))
            .description("Why; kept in the change log."),
    )
}

fn generic_mutations(m: Object) -> Object {
    m.field(items_mutation(
        "publish",
        "Publishes the latest revision of each item, all or none. Items may refer to each other or to items already published; anything else is refused with REFERENCE_NOT_PUBLISHED. Needs a publisher token.",
    ))
    .field(items_mutation(
        "unpublish",
        "Takes items offline (back to draft), all or none; refused with STILL_REFERENCED while a published item outside the call refers to one of them. Needs a publisher token.",
    ))
    .field(items_mutation(
        "archive",
        "Takes items offline and archives them, all or none; the same reference rule as unpublish. Needs a publisher token.",
    ))
    .field(
        Field::new("deleteItem", TypeRef::named("DeletePayload"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = ctx_parts(&ctx)?;
                let id = ctx.args.try_get("id")?.string()?.to_string();
                let version = ctx.args.get("version").filter(|v| !v.is_null()).map(|v| v.i64()).transpose()?;
                let deleted = hub.delete(&rc.viewer, &id, version).await.map_err(gql_error)?;
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(Name::new("id"), GqlValue::from(id));
                o.insert(Name::new("typename"), GqlValue::from(pascal(&deleted.type_name)));
                o.insert(Name::new("type"), GqlValue::from(deleted.type_name));
                o.insert(Name::new("changeSeq"), GqlValue::from(deleted.seq));
                Ok(Some(FieldValue::value(GqlValue::Object(o))))
            })
        })
        .description("Deletes an item nothing refers to. Its revisions stay in the history. Published items need a publisher token.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The item's id."))
        .argument(InputValue::new("version", TypeRef::named(TypeRef::INT)).description("When given, the delete is refused with VERSION_CONFLICT if the item changed since.")),
    )
    .field(
        Field::new("schedule", TypeRef::named("ItemPayload"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = ctx_parts(&ctx)?;
                let id = ctx.args.try_get("id")?.string()?.to_string();
                let at = |name: &str| -> async_graphql::Result<Option<i64>> {
                    opt_string(&ctx.args, name)?
                        .map(|s| datetime_to_ms(&s).map_err(|m| bad_argument(name, m)))
                        .transpose()
                };
                let w = hub.schedule(&rc.viewer, &id, at("publishAt")?, at("unpublishAt")?).await.map_err(gql_error)?;
                Ok(Some(FieldValue::owned_any(vec![w])))
            })
        })
        .description("Sets when the item goes live and when it goes offline by itself; null clears a time, and a time in the past is carried out at once. The running server checks every second. Needs a publisher token.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The item's id."))
        .argument(InputValue::new("publishAt", TypeRef::named(SCALAR_DATETIME)).description("When to publish the latest revision; null or left out: not scheduled."))
        .argument(InputValue::new("unpublishAt", TypeRef::named(SCALAR_DATETIME)).description("When to take the item offline; null or left out: not scheduled.")),
    )
    .field(
        Field::new("revert", TypeRef::named("ItemPayload"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = ctx_parts(&ctx)?;
                let id = ctx.args.try_get("id")?.string()?.to_string();
                let version = ctx.args.try_get("version")?.i64()?;
                let to = ctx.args.try_get("toVersion")?.i64()?;
                let message = opt_string(&ctx.args, "message")?;
                let w = hub.revert(&rc.viewer, &id, version, to, message).await.map_err(gql_error)?;
                Ok(Some(FieldValue::owned_any(vec![w])))
            })
        })
        .description("Saves the content of an earlier revision as the newest revision. Publish it to make it live. Needs an editor token.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The item's id."))
        .argument(InputValue::new("version", TypeRef::named_nn(TypeRef::INT)).description("The version you are looking at (optimistic concurrency)."))
        .argument(InputValue::new("toVersion", TypeRef::named_nn(TypeRef::INT)).description("The revision whose content comes back (see `revisions`)."))
        .argument(InputValue::new("message", TypeRef::named(TypeRef::STRING)).description("Why; kept in the revision history. Left out: `teruggezet naar versie N`.")),
    )
    .field(
        Field::new("createToken", TypeRef::named("TokenPayload"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = ctx_parts(&ctx)?;
                let name = ctx.args.try_get("name")?.string()?;
                let role = Role::parse(&ctx.args.try_get("role")?.enum_name()?.to_ascii_lowercase()).map_err(gql_error)?;
                let t = hub.create_token(&rc.viewer, name, role).await.map_err(gql_error)?;
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(Name::new("name"), GqlValue::from(t.name));
                o.insert(Name::new("role"), GqlValue::from(t.role.as_str()));
                o.insert(Name::new("token"), GqlValue::from(t.secret));
                Ok(Some(FieldValue::value(GqlValue::Object(o))))
            })
        })
        .description("Creates an API token; the token is in this answer only, Bron keeps just its hash. Needs an admin token.")
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING)).description("A name for the token, unique among active tokens, e.g. the site or team that uses it."))
        .argument(InputValue::new("role", TypeRef::named_nn("Role")).description("What the token may do.")),
    )
    .field(
        Field::new("revokeToken", TypeRef::named(TypeRef::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = ctx_parts(&ctx)?;
                let name = ctx.args.try_get("name")?.string()?;
                hub.revoke_token(&rc.viewer, name).await.map_err(gql_error)?;
                Ok(Some(FieldValue::value(true)))
            })
        })
        .description("Revokes the active token with this name. Needs an admin token.")
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING)).description("The token's name.")),
    )
}

fn set_fact(has_fact: bool, m: Object) -> Object {
    if !has_fact {
        return m;
    }
    m.field(
        Field::new("setFact", TypeRef::named("FactPayload"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = ctx_parts(&ctx)?;
                let slug = ctx.args.try_get("slug")?.string()?;
                let locale = opt_string(&ctx.args, "locale")?.unwrap_or_else(|| "nl".into());
                let mut fields = Map::new();
                fields.insert("value".into(), Value::String(ctx.args.try_get("value")?.string()?.to_string()));
                if let Some(l) = opt_string(&ctx.args, "label")? {
                    fields.insert("label".into(), Value::String(l));
                }
                if let Some(a) = ctx.args.get("amount") {
                    fields.insert("amount".into(), a.as_value().clone().into_json().unwrap_or(Value::Null));
                }
                let message = opt_string(&ctx.args, "message")?;
                let w = hub.set_fact(&rc.viewer, slug, &locale, fields, message).await.map_err(gql_error)?;
                Ok(Some(FieldValue::owned_any(vec![w])))
            })
        })
        .description("Sets a fact's value and publishes it at once, creating the fact if needed (its label is then `label`, or the slug). Every text that refers to it follows. Refused while the fact has unpublished edits. Needs a publisher token.")
        .argument(InputValue::new("slug", TypeRef::named_nn(TypeRef::STRING)).description("The fact's slug, as texts name it: `{{fact:slug}}`."))
        .argument(InputValue::new("locale", TypeRef::named(TypeRef::STRING)).default_value("nl").description("The language of the fact."))
        .argument(InputValue::new("value", TypeRef::named_nn(TypeRef::STRING)).description("The value texts show, e.g. `€ 84,70`."))
        .argument(InputValue::new("label", TypeRef::named(TypeRef::STRING)).description("What the fact is, for editors; left out, it stays (or is made from the slug)."))
        .argument(InputValue::new("amount", TypeRef::named(SCALAR_MONEY)).description("The value as an amount, when it is one."))
        .argument(InputValue::new("message", TypeRef::named(TypeRef::STRING)).description("Why; kept in the revision history.")),
    )
}

pub fn mutation_root(types: &[&TypeDef]) -> Object {
    let mut m = Object::new("Mutation").description(
        "Writing content: per type create and update, and for any item publish, unpublish, archive, schedule, revert and delete; facts and tokens. Every write returns the change-log sequence it produced.",
    );
    for ty in types {
        m = m.field(create_mutation(ty)).field(update_mutation(ty));
    }
    let has_fact = types
        .iter()
        .any(|t| t.name == "fact" && t.field("value").is_some());
    set_fact(has_fact, generic_mutations(m))
}

/// `ItemPayload`, `ItemsPayload`, `DeletePayload`, `TokenPayload`.
pub fn shared_payloads() -> Vec<Object> {
    let value_field = |name: &'static str, ty: TypeRef| {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move {
                match ctx.parent_value.try_to_value()? {
                    GqlValue::Object(o) => {
                        Ok(o.get(name).cloned().and_then(super::types::non_null))
                    }
                    _ => Ok(None),
                }
            })
        })
    };
    vec![
        payload_type("ItemPayload", ITEM, false),
        payload_type("ItemsPayload", ITEM, true),
        Object::new("DeletePayload")
            .description("What `deleteItem` removed: the id and GraphQL type name a client cache keys the item by, so it can evict it (Apollo: `cache.evict({ id: cache.identify({ __typename: typename, id }) })`; Relay: `id @deleteRecord`).")
            .field(value_field("id", TypeRef::named_nn(TypeRef::ID)).description("The id the deleted item had."))
            .field(value_field("typename", TypeRef::named_nn(TypeRef::STRING)).description("The GraphQL type the deleted item had, e.g. `Product`: its `__typename`."))
            .field(value_field("type", TypeRef::named_nn(TypeRef::STRING)).description("The content type the deleted item had, e.g. `product`: its `type`."))
            .field(value_field("changeSeq", TypeRef::named_nn(TypeRef::INT)).description(CHANGE_SEQ)),
        Object::new("TokenPayload")
            .description("A new API token. Not identified by id: it is not content, and a client should not cache it.")
            .field(value_field("name", TypeRef::named_nn(TypeRef::STRING)).description("The token's name."))
            .field(value_field("role", TypeRef::named_nn(TypeRef::STRING)).description("What it may do: `agent`, `editor`, `publisher` or `admin`."))
            .field(
                value_field("token", TypeRef::named_nn(TypeRef::STRING))
                    .description("The secret. It is shown only here."),
            ),
    ]
}
