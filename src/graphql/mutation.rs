//! The Mutation root: per type `create<Type>` and `update<Type>`; for any
//! item `deleteItem`, `publish`, `unpublish`, `archive`, `schedule`,
//! `revert`; `setFact`; and tokens. Every mutation calls one hub function and
//! returns the change-log sequence it produced (`changeSeq`).

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ObjectAccessor,
    ResolverContext, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};
use serde_json::{Map, Value};

use super::convert::{
    SCALAR_DATE, SCALAR_DATETIME, SCALAR_MONEY, bad_argument, from_gql, gql_error,
    input_element_type, opt_string,
};
use super::loader::RequestCtx;
use super::types::{ITEM, item_typed, item_value};
use crate::hub::{Hub, NewItem, Patch, Role, Written, datetime_to_ms};
use crate::model::{TypeDef, camel, pascal};

/// `ProductFields`: every field optional here; the hub reports what is missing.
pub fn fields_input(ty: &TypeDef) -> InputObject {
    let mut input = InputObject::new(format!("{}Fields", pascal(&ty.name))).description(
        "Content fields. On create, required fields must be given; on update, only the fields given change and null clears a field. References are item ids.",
    );
    for f in &ty.fields {
        let t = input_element_type(&ty.name, f);
        let tref = if f.list {
            TypeRef::named_nn_list(t)
        } else {
            TypeRef::named(t)
        };
        let mut desc = f.label.clone();
        if f.required {
            desc.push_str(" (required)");
        }
        input = input.field(InputValue::new(camel(&f.name), tref).description(desc));
    }
    input
}

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
    Object::new(name)
        .field(Field::new(field_name, tref, move |ctx| {
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
        }))
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
            .description("The change-log sequence number this write produced."),
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

fn fields_map(
    ty: &TypeDef,
    args: &ObjectAccessor<'_>,
) -> async_graphql::Result<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(obj) = args.get("fields").filter(|v| !v.is_null()) {
        let obj = obj.object()?;
        for (key, value) in obj.iter() {
            let f = ty
                .fields
                .iter()
                .find(|f| camel(&f.name) == key.as_str())
                .ok_or_else(|| bad_argument(format!("fields.{key}").as_str(), "unknown field"))?;
            out.insert(f.name.clone(), from_gql(f, &value));
        }
    }
    Ok(out)
}

fn ctx_parts<'a>(
    ctx: &'a ResolverContext<'_>,
) -> async_graphql::Result<(&'a Arc<Hub>, &'a RequestCtx)> {
    Ok((ctx.data::<Arc<Hub>>()?, ctx.data::<RequestCtx>()?))
}

fn common_args(field: Field) -> Field {
    field
        .argument(InputValue::new("slug", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new(
            "externalId",
            TypeRef::named(TypeRef::STRING),
        ))
        .argument(InputValue::new("reviewBy", TypeRef::named(SCALAR_DATE)))
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
    .argument(InputValue::new("fields", TypeRef::named_nn(format!("{name}Fields"))))
    .argument(InputValue::new("locale", TypeRef::named(TypeRef::STRING)).default_value("nl"));
    common_args(field)
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
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
    .argument(InputValue::new("version", TypeRef::named_nn(TypeRef::INT)))
    .argument(InputValue::new("fields", TypeRef::named(format!("{name}Fields"))));
    common_args(field)
}

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
    .argument(InputValue::new(
        "ids",
        TypeRef::named_nn_list_nn(TypeRef::ID),
    ))
    .argument(InputValue::new("message", TypeRef::named(TypeRef::STRING)))
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
                let seq = hub.delete(&rc.viewer, &id, version).await.map_err(gql_error)?;
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(Name::new("id"), GqlValue::from(id));
                o.insert(Name::new("changeSeq"), GqlValue::from(seq));
                Ok(Some(FieldValue::value(GqlValue::Object(o))))
            })
        })
        .description("Deletes an item nothing refers to. Its revisions stay in the history. Published items need a publisher token.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("version", TypeRef::named(TypeRef::INT)).description("When given, the delete is refused if the item changed since.")),
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
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("publishAt", TypeRef::named(SCALAR_DATETIME)))
        .argument(InputValue::new("unpublishAt", TypeRef::named(SCALAR_DATETIME))),
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
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("version", TypeRef::named_nn(TypeRef::INT)).description("The version you are looking at (optimistic concurrency)."))
        .argument(InputValue::new("toVersion", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new("message", TypeRef::named(TypeRef::STRING))),
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
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("role", TypeRef::named_nn("Role"))),
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
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING))),
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
        .argument(InputValue::new("slug", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("locale", TypeRef::named(TypeRef::STRING)).default_value("nl"))
        .argument(InputValue::new("value", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("label", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("amount", TypeRef::named(SCALAR_MONEY)))
        .argument(InputValue::new("message", TypeRef::named(TypeRef::STRING))),
    )
}

pub fn mutation_root(types: &[&TypeDef]) -> Object {
    let mut m = Object::new("Mutation");
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
            .field(value_field("id", TypeRef::named_nn(TypeRef::ID)))
            .field(value_field("changeSeq", TypeRef::named_nn(TypeRef::INT))),
        Object::new("TokenPayload")
            .field(value_field("name", TypeRef::named_nn(TypeRef::STRING)))
            .field(value_field("role", TypeRef::named_nn(TypeRef::STRING)))
            .field(
                value_field("token", TypeRef::named_nn(TypeRef::STRING))
                    .description("The secret. It is shown only here."),
            ),
    ]
}
