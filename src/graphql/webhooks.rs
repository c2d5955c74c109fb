//! Webhooks through GraphQL, for admins: register, change, delete, read
//! the delivery log, send a delivery again. The same hub calls as
//! `bron webhook`. Answers here are never served from the response cache:
//! deliveries change without a change-log entry.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::changes::{event_value, events_arg, strings_arg};
use super::convert::{SCALAR_DATETIME, flag, gql_error, opt_string};
use super::loader::RequestCtx;
use super::types::non_null;
use crate::domain::DeliveryRow;
use crate::hub::{Hub, MAX_ATTEMPTS, Webhook, WebhookInput, ms_to_datetime};

fn parts<'a>(
    ctx: &'a ResolverContext<'_>,
) -> async_graphql::Result<(&'a Arc<Hub>, &'a RequestCtx)> {
    let rc = ctx.data::<RequestCtx>()?;
    rc.uncacheable
        .store(true, std::sync::atomic::Ordering::Relaxed);
    Ok((ctx.data::<Arc<Hub>>()?, rc))
}

fn datetime(ms: Option<i64>) -> GqlValue {
    ms.map(|t| GqlValue::from(ms_to_datetime(t)))
        .unwrap_or(GqlValue::Null)
}

/// The query fields: `webhooks`.
pub fn query_fields(root: Object) -> Object {
    root.field(
        Field::new("webhooks", TypeRef::named_nn_list_nn("Webhook"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = parts(&ctx)?;
                let hooks = hub.webhooks(&rc.viewer).await.map_err(gql_error)?;
                Ok(Some(FieldValue::list(
                    hooks.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .description("The registered webhooks, oldest first. Needs an admin token."),
    )
}

/// The mutation fields: create, update, delete, redeliver.
pub fn mutation_fields(root: Object) -> Object {
    let settings = |f: Field, create: bool| {
        let url = if create {
            TypeRef::named_nn(TypeRef::STRING)
        } else {
            TypeRef::named(TypeRef::STRING)
        };
        f.argument(InputValue::new("url", url).description("Where to POST: an http or https URL. Loopback and private-network addresses are refused unless the server runs with --webhooks-allow-private."))
            .argument(InputValue::new("events", TypeRef::named_nn_list("ChangeEvent")).description("The events to deliver; at least one. On creation, when not given: PUBLISHED, UNPUBLISHED, ARCHIVED and DELETED."))
            .argument(InputValue::new("types", TypeRef::named_nn_list(TypeRef::STRING)).description("Only changes to, or through, items of these content types; empty or not given on creation: every type."))
            .argument(InputValue::new("description", TypeRef::named(TypeRef::STRING)).description("What the webhook is for, for the people who manage it (at most 500 characters)."))
            .argument(InputValue::new("enabled", TypeRef::named(TypeRef::BOOLEAN)).description("False stops deliveries: changes meanwhile are not queued, queued ones wait."))
            .argument(InputValue::new("secret", TypeRef::named(TypeRef::STRING)).description("The signing secret, `whsec_` and the base64 of 24 to 64 random bytes, for a receiver that already has one. On creation Bron makes one when it is not given; on update it replaces the old one at once (rotation)."))
    };
    fn input(ctx: &ResolverContext<'_>) -> async_graphql::Result<WebhookInput> {
        Ok(WebhookInput {
            url: opt_string(&ctx.args, "url")?,
            events: events_arg(&ctx.args, "events")?,
            types: strings_arg(&ctx.args, "types")?,
            description: opt_string(&ctx.args, "description")?,
            enabled: match ctx.args.get("enabled") {
                Some(v) if !v.is_null() => Some(flag(&ctx.args, "enabled")?),
                _ => None,
            },
            secret: opt_string(&ctx.args, "secret")?,
        })
    }
    root.field(settings(
        Field::new("createWebhook", TypeRef::named_nn("NewWebhook"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = parts(&ctx)?;
                let made = hub.create_webhook(&rc.viewer, input(&ctx)?).await.map_err(gql_error)?;
                Ok(Some(FieldValue::owned_any(made)))
            })
        })
        .description("Registers a webhook. The answer holds its signing secret, which Bron never shows again. Deliveries start with the next change. Needs an admin token."),
        true,
    ))
    .field(settings(
        Field::new("updateWebhook", TypeRef::named_nn("Webhook"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = parts(&ctx)?;
                let id = ctx.args.try_get("id")?.string()?;
                let w = hub.update_webhook(&rc.viewer, id, input(&ctx)?).await.map_err(gql_error)?;
                Ok(Some(FieldValue::owned_any(w)))
            })
        })
        .description("Changes a webhook's settings; what is not given stays. Needs an admin token.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The webhook's id.")),
        false,
    ))
    .field(
        Field::new("deleteWebhook", TypeRef::named_nn(TypeRef::ID), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = parts(&ctx)?;
                let id = ctx.args.try_get("id")?.string()?;
                hub.delete_webhook(&rc.viewer, id).await.map_err(gql_error)?;
                Ok(Some(FieldValue::value(id.to_string())))
            })
        })
        .description("Deletes a webhook and its delivery log; queued deliveries are not sent. Answers the id. Needs an admin token.")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)).description("The webhook's id.")),
    )
    .field(
        Field::new("redeliverWebhook", TypeRef::named_nn("WebhookDelivery"), |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = parts(&ctx)?;
                let id = ctx.args.try_get("deliveryId")?.string()?;
                let d = hub.redeliver(&rc.viewer, id).await.map_err(gql_error)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        })
        .description("Sends a delivery again (a failed one, or one the receiver lost) within a second, with a fresh count of attempts and the same `webhook-id`. Needs an admin token.")
        .argument(InputValue::new("deliveryId", TypeRef::named_nn(TypeRef::ID)).description("The delivery's id.")),
    )
}

pub fn webhook_types() -> (Vec<Object>, Enum) {
    fn w<'a>(ctx: &'a ResolverContext<'_>) -> async_graphql::Result<&'a Webhook> {
        ctx.parent_value.try_downcast_ref::<Webhook>()
    }
    fn hf(
        name: &'static str,
        ty: TypeRef,
        about: &'static str,
        get: fn(&Webhook) -> GqlValue,
    ) -> Field {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move { Ok(non_null(get(w(&ctx)?))) })
        })
        .description(about)
    }
    fn d<'a>(ctx: &'a ResolverContext<'_>) -> async_graphql::Result<&'a DeliveryRow> {
        ctx.parent_value.try_downcast_ref::<DeliveryRow>()
    }
    fn df(
        name: &'static str,
        ty: TypeRef,
        about: &'static str,
        get: fn(&DeliveryRow) -> GqlValue,
    ) -> Field {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move { Ok(non_null(get(d(&ctx)?))) })
        })
        .description(about)
    }
    let counted = |name: &'static str, index: usize, about: &'static str| {
        Field::new(name, TypeRef::named_nn(TypeRef::INT), move |ctx| {
            FieldFuture::new(async move {
                let (hub, rc) = parts(&ctx)?;
                let counts = hub
                    .webhook_delivery_counts(&rc.viewer, &w(&ctx)?.id)
                    .await
                    .map_err(gql_error)?;
                Ok(Some(FieldValue::value(counts[index])))
            })
        })
        .description(about)
    };
    let webhook = Object::new("Webhook")
        .description("A registered webhook: Bron POSTs a signed JSON body to `url` for every matching change (Standard Webhooks headers `webhook-id`, `webhook-timestamp`, `webhook-signature`).")
        .field(hf("id", TypeRef::named_nn(TypeRef::ID), "Bron's id of the webhook.", |h| GqlValue::from(h.id.as_str())))
        .field(hf("url", TypeRef::named_nn(TypeRef::STRING), "Where deliveries are posted.", |h| GqlValue::from(h.url.as_str())))
        .field(hf("events", TypeRef::named_nn_list_nn("ChangeEvent"), "The events it receives.", |h| {
            GqlValue::List(h.events.iter().map(|e| event_value(*e)).collect())
        }))
        .field(hf("types", TypeRef::named_nn_list_nn(TypeRef::STRING), "The content types it is about; empty: every type. A change matches when the item, or an item changed through it, is of one of these types.", |h| {
            GqlValue::List(h.types.iter().map(|t| GqlValue::from(t.as_str())).collect())
        }))
        .field(hf("description", TypeRef::named(TypeRef::STRING), "What it is for.", |h| {
            h.description.as_deref().map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(hf("enabled", TypeRef::named_nn(TypeRef::BOOLEAN), "False: nothing is queued or sent.", |h| GqlValue::from(h.enabled)))
        .field(hf("createdAt", TypeRef::named_nn(SCALAR_DATETIME), "When it was registered.", |h| datetime(Some(h.created_at))))
        .field(hf("createdBy", TypeRef::named_nn(TypeRef::STRING), "Who registered it.", |h| GqlValue::from(h.created_by.as_str())))
        .field(counted("pending", 0, "Deliveries waiting to be sent or retried."))
        .field(counted("delivered", 1, "Deliveries the receiver accepted (kept 30 days)."))
        .field(counted("failed", 2, "Deliveries given up on after every retry (kept 30 days); send one again with `redeliverWebhook`."))
        .field(
            Field::new("deliveries", TypeRef::named_nn_list_nn("WebhookDelivery"), |ctx| {
                FieldFuture::new(async move {
                    let (hub, rc) = parts(&ctx)?;
                    let first = ctx.args.get("first").map(|v| v.i64()).transpose()?.unwrap_or(20).clamp(1, 100);
                    let status = match ctx.args.get("status") {
                        Some(v) if !v.is_null() => Some(v.enum_name()?.to_ascii_lowercase()),
                        _ => None,
                    };
                    let rows = hub
                        .webhook_deliveries(&rc.viewer, &w(&ctx)?.id, status.as_deref(), first)
                        .await
                        .map_err(gql_error)?;
                    Ok(Some(FieldValue::list(rows.into_iter().map(FieldValue::owned_any))))
                })
            })
            .description("The delivery log, newest first.")
            .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)).default_value(20).description("How many, 1 to 100."))
            .argument(InputValue::new("status", TypeRef::named("DeliveryStatus")).description("Only deliveries in this state.")),
        );
    let delivery = Object::new("WebhookDelivery")
        .description("One delivery: the change-log entries it reports, and how sending it went.")
        .field(df("id", TypeRef::named_nn(TypeRef::ID), "The delivery's id, sent as `webhook-id` on every attempt: receivers drop repeats by it.", |r| GqlValue::from(r.id.as_str())))
        .field(df("event", TypeRef::named_nn("ChangeEvent"), "The event of the entries it reports.", |r| {
            crate::hub::Event::parse(&r.event).map(event_value).unwrap_or(GqlValue::Null)
        }))
        .field(df("firstSeq", TypeRef::named_nn(TypeRef::INT), "The first change-log entry it reports.", |r| GqlValue::from(r.first_seq)))
        .field(df("lastSeq", TypeRef::named_nn(TypeRef::INT), "The last change-log entry it reports.", |r| GqlValue::from(r.last_seq)))
        .field(df("status", TypeRef::named_nn("DeliveryStatus"), "Where it is.", |r| {
            GqlValue::Enum(Name::new(r.status.to_ascii_uppercase()))
        }))
        .field(df("attempts", TypeRef::named_nn(TypeRef::INT), "Attempts so far.", |r| GqlValue::from(r.attempts)))
        .field(df("createdAt", TypeRef::named_nn(SCALAR_DATETIME), "When it was queued.", |r| datetime(Some(r.created_at))))
        .field(df("lastAttemptAt", TypeRef::named(SCALAR_DATETIME), "When it was last tried.", |r| datetime(r.last_attempt_at)))
        .field(df("nextAttemptAt", TypeRef::named(SCALAR_DATETIME), "When it is tried next, while pending.", |r| datetime(r.next_attempt_at)))
        .field(df("deliveredAt", TypeRef::named(SCALAR_DATETIME), "When the receiver accepted it.", |r| datetime(r.delivered_at)))
        .field(df("responseStatus", TypeRef::named(TypeRef::INT), "The HTTP status of the last attempt, if the receiver answered.", |r| {
            r.response_status.map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(df("error", TypeRef::named(TypeRef::STRING), "Why the last attempt failed.", |r| {
            r.last_error.as_deref().map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(df("payload", TypeRef::named_nn(TypeRef::STRING), "The JSON body as sent.", |r| GqlValue::from(r.payload.as_str())));
    let made = Object::new("NewWebhook")
        .description("A webhook just registered, with its secret.")
        .field(Field::new("webhook", TypeRef::named_nn("Webhook"), |ctx| {
            FieldFuture::new(async move {
                let m = ctx.parent_value.try_downcast_ref::<crate::hub::NewWebhook>()?;
                Ok(Some(FieldValue::owned_any(m.webhook.clone())))
            })
        }).description("The webhook."))
        .field(Field::new("secret", TypeRef::named_nn(TypeRef::STRING), |ctx| {
            FieldFuture::new(async move {
                let m = ctx.parent_value.try_downcast_ref::<crate::hub::NewWebhook>()?;
                Ok(Some(FieldValue::value(m.secret.clone())))
            })
        }).description("The signing secret (`whsec_…`), in this answer only: store it with the receiver, which checks `webhook-signature` with it."));
    let status = Enum::new("DeliveryStatus")
        .description(format!("Where a webhook delivery is: waiting or retrying, accepted, or given up on after {MAX_ATTEMPTS} attempts."))
        .item(EnumItem::new("PENDING").description("Waiting to be sent, or to be retried."))
        .item(EnumItem::new("DELIVERED").description("The receiver answered 2xx."))
        .item(EnumItem::new("FAILED").description("Every attempt failed."));
    (vec![webhook, delivery, made], status)
}
