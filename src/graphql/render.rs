//! Channel renderings in GraphQL: the `Channel` enum (from `channels.toml`),
//! `rendered(channel:, variables:)` on every item, the `channel` argument of
//! Markdown fields, and the types a rendering is made of.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputObject, InputValue, InterfaceField,
    Object, ResolverContext, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{SCALAR_JSON, gql_error};
use super::loader::RequestCtx;
use super::shared::value_field;
use super::types::item_of;
use crate::error::Error;
use crate::hub::Hub;
use crate::model::ContentModel;
use crate::render::Rendering;

pub const CHANNEL: &str = "Channel";

/// The GraphQL value of a channel name: `web` → `WEB`.
fn enum_value(name: &str) -> String {
    name.to_uppercase()
}

/// The `Channel` enum: one value per channel in `channels.toml`.
pub fn channel_enum(model: &ContentModel) -> Enum {
    let mut e = Enum::new(CHANNEL).description(
        "The channels Bron renders for (`channels.toml`). Every item renders to every channel from the same source.",
    );
    for c in &model.channels {
        let mut d = c.label.clone();
        if let Some(desc) = &c.description {
            d.push_str(": ");
            d.push_str(desc);
        }
        if c.internal {
            d.push_str(" Internal: needs an agent token.");
        }
        e = e.item(EnumItem::new(enum_value(&c.name)).description(d));
    }
    e
}

/// The channel name an enum argument names.
fn channel_arg(ctx: &ResolverContext<'_>, name: &str) -> async_graphql::Result<Option<String>> {
    match ctx.args.get(name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(v) => Ok(Some(v.enum_name()?.to_lowercase())),
    }
}

/// Letter merge-field values: a list of names and texts.
fn variables_arg(ctx: &ResolverContext<'_>) -> async_graphql::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let Some(v) = ctx.args.get("variables").filter(|v| !v.is_null()) else {
        return Ok(out);
    };
    let list = v.list()?;
    if list.len() > 100 {
        return Err(gql_error(Error::invalid(
            "variables",
            "at most 100 merge fields",
        )));
    }
    for entry in list.iter() {
        let o = entry.object()?;
        let name = o.try_get("name")?.string()?.trim().to_string();
        let value = o.try_get("value")?.string()?.to_string();
        if value.len() > 4000 {
            return Err(gql_error(Error::invalid(
                "variables",
                format!("the value of `{name}` is longer than 4000 bytes"),
            )));
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// The input type of one merge-field value.
pub fn merge_variable_input() -> InputObject {
    InputObject::new("MergeVariable")
        .description("A value for a letter's merge field.")
        .field(
            InputValue::new("name", TypeRef::named_nn(TypeRef::STRING))
                .description("The merge field, e.g. `ontvanger.naam` for {{ontvanger.naam}}."),
        )
        .field(
            InputValue::new("value", TypeRef::named_nn(TypeRef::STRING))
                .description("The text to put in its place."),
        )
}

fn channel_input() -> InputValue {
    InputValue::new("channel", TypeRef::named_nn(CHANNEL))
        .description("The channel to render for. KCC needs an agent token.")
}

fn variables_input() -> InputValue {
    InputValue::new("variables", TypeRef::named_nn_list("MergeVariable")).description(
        "Letters: values for merge fields, e.g. [{name: \"ontvanger.naam\", value: \"mevrouw De Vries\"}]. Merge fields without a value are kept as {{name}} and listed in `missingVariables`.",
    )
}

const RENDERED_DESCRIPTION: &str = "The item rendered for a channel from the one source: facts filled in, fields the channel does not show left out. Web: sanitised HTML and schema.org JSON-LD; chatbot: plain text within the channel's limit; KCC: with internal notes, routing and review status; letter: formal text with merge fields.";

/// `rendered(channel:, variables:)` on an item object.
pub fn rendered_field() -> Field {
    Field::new("rendered", TypeRef::named_nn("Rendering"), |ctx| {
        FieldFuture::new(async move {
            let item = item_of(&ctx)?;
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let channel = channel_arg(&ctx, "channel")?.unwrap_or_default();
            let vars = variables_arg(&ctx)?;
            // The references, from the request's loader: usually loaded with
            // the item in the same statement.
            let ids = item.reference_ids_all(hub.model());
            let refs = rc
                .loader
                .load_many(&ids)
                .await
                .map_err(|e| gql_error(crate::Error::Internal(e.to_string())))?;
            let r = hub
                .render_with(&rc.viewer, item, &channel, &vars, Some(&refs))
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::value(rendering_value(&r))))
        })
    })
    .argument(channel_input())
    .argument(variables_input())
    .description(RENDERED_DESCRIPTION)
}

pub fn rendered_interface_field() -> InterfaceField {
    InterfaceField::new("rendered", TypeRef::named_nn("Rendering"))
        .argument(channel_input())
        .argument(variables_input())
        .description(RENDERED_DESCRIPTION)
}

/// The `channel` argument of a Markdown field.
pub fn markdown_channel_input() -> InputValue {
    InputValue::new("channel", TypeRef::named(CHANNEL)).description(
        "Render for a channel: HTML for the web, plain text for the others, facts filled in; null when the field is limited to other channels. Without it: the Markdown as stored.",
    )
}

/// A Markdown field read for a channel, or None when no channel was asked.
pub async fn markdown_for_channel(
    ctx: &ResolverContext<'_>,
    field: &str,
) -> async_graphql::Result<Option<Option<String>>> {
    let Some(channel) = channel_arg(ctx, "channel")? else {
        return Ok(None);
    };
    let item = item_of(ctx)?;
    let hub = ctx.data::<Arc<Hub>>()?;
    let rc = ctx.data::<RequestCtx>()?;
    let out = hub
        .render_field(&rc.viewer, item, &channel, field, &BTreeMap::new())
        .await
        .map_err(gql_error)?;
    Ok(Some(out))
}

/// A rendering as a GraphQL value whose keys are the field names below.
pub(super) fn rendering_value(r: &Rendering) -> GqlValue {
    let mut v = async_graphql_value::to_value(r).unwrap_or_default();
    if let GqlValue::Object(o) = &mut v {
        o.insert(
            Name::new("channel"),
            GqlValue::Enum(Name::new(enum_value(&r.channel))),
        );
    }
    v
}

/// The JSON-LD as a script element, made only when asked for.
fn json_ld_script_field() -> Field {
    Field::new("jsonLdScript", TypeRef::named(TypeRef::STRING), |ctx| {
        FieldFuture::new(async move {
            let GqlValue::Object(o) = ctx.parent_value.try_to_value()? else {
                return Ok(None);
            };
            Ok(match o.get("jsonLd") {
                Some(ld) if *ld != GqlValue::Null => {
                    let json = ld.clone().into_json()?;
                    Some(FieldValue::value(crate::render::json_ld_script(&json)))
                }
                _ => None,
            })
        })
    })
    .description("Web: the JSON-LD as a `<script type=\"application/ld+json\">` element, safe to put in a page.")
}

/// Why `id` on a follow-up or source is deprecated.
const NOT_OWN_ID: &str = "Use `itemId`. This is the id of another object (an item), and Relay and Apollo key cached objects by `id`, so selecting it merges this object into that item's cache entry.";

/// `itemId`: the `id` key of a rendering's follow-up or source.
fn item_id_field() -> Field {
    Field::new("itemId", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move {
            match ctx.parent_value.try_to_value()? {
                GqlValue::Object(o) => Ok(o.get("id").cloned().and_then(super::types::non_null)),
                _ => Ok(None),
            }
        })
    })
}

fn string_nn() -> TypeRef {
    TypeRef::named_nn(TypeRef::STRING)
}

fn string() -> TypeRef {
    TypeRef::named(TypeRef::STRING)
}

/// The object types of a rendering.
pub fn rendering_types() -> Vec<Object> {
    let rendering = Object::new("Rendering")
        .description("One item rendered for one channel. Not identified by id: a client cache keeps it inside the item it was asked of (it differs per channel and letter variables).")
        .field(value_field("channel", TypeRef::named_nn(CHANNEL)).description("The channel."))
        .field(value_field("style", string_nn()).description("How the channel renders: web, chatbot, kcc or letter."))
        .field(value_field("locale", string_nn()).description("The item's language; web HTML carries it as `lang`."))
        .field(value_field("title", string_nn()).description("The item's title."))
        .field(value_field("summary", string()).description("The short answer, as plain text; every channel shows it first."))
        .field(value_field("html", string()).description("Web: the whole item as sanitised, accessible HTML (an `<article>`)."))
        .field(value_field("jsonLd", TypeRef::named(SCALAR_JSON)).description("Web: schema.org JSON-LD (GovernmentService with HowTo for products, FAQPage for questions)."))
        .field(json_ld_script_field())
        .field(value_field("text", string()).description("Plain-text channels: the whole answer (chatbot: within the channel's limit, cut at a sentence end)."))
        .field(value_field("sections", TypeRef::named_nn_list_nn("RenderedSection")).description("The parts of the item in model order: HTML for the web, plain text otherwise."))
        .field(value_field("routes", TypeRef::named_nn_list_nn("ChannelRoute")).description("How the product can be done: online, and the routes that are not online (\"Lukt het niet online?\")."))
        .field(value_field("followUps", TypeRef::named_nn_list_nn("FollowUp")).description("What to ask or read next: related questions and products, the first step, an eligibility check."))
        .field(value_field("source", TypeRef::named_nn("RenderingSource")).description("The item, revision and review date this answer comes from."))
        .field(value_field("review", TypeRef::named("ReviewStatus")).description("KCC: when the text was checked, and a warning when its review date has passed."))
        .field(value_field("routing", string()).description("KCC: whom to pass the caller to (owning team, departments)."))
        .field(value_field("sensitive", TypeRef::named_nn(TypeRef::BOOLEAN)).description("The item is marked complex or sensitive: offer a conversation with a person."))
        .field(value_field("truncated", TypeRef::named_nn(TypeRef::BOOLEAN)).description("Chatbot: the text was shortened to the channel's limit."))
        .field(value_field("mergeFields", TypeRef::named_nn_list_nn(TypeRef::STRING)).description("Letter: the merge fields in the text, such as `ontvanger.naam`."))
        .field(value_field("missingVariables", TypeRef::named_nn_list_nn(TypeRef::STRING)).description("Letter: merge fields no variable filled; they stay in the text as {{name}}."))
        .field(value_field("missingFacts", TypeRef::named_nn_list_nn(TypeRef::STRING)).description("Facts the text names that have no live value (left out of the text)."));
    let section = Object::new("RenderedSection")
        .description(
            "A part of a rendered item: a Markdown field, or the items a reference field lists. Not identified by id.",
        )
        .field(value_field("field", string_nn()).description("The model field."))
        .field(value_field("label", string_nn()).description("The field's label, as a heading."))
        .field(
            value_field("body", string_nn())
                .description("HTML for the web, plain text for the other channels."),
        );
    let route = Object::new("ChannelRoute")
        .description("One way to get a product done. Not identified by id.")
        .field(
            value_field("kind", string_nn())
                .description("One of `online`, `desk`, `phone`, `post`, `referral` or `help`."),
        )
        .field(
            value_field("text", string_nn())
                .description("The route as plain text, facts filled in."),
        )
        .field(
            value_field("url", string())
                .description("Where to go, if online or at another organisation."),
        )
        .field(
            value_field("linkText", string()).description("Meaningful words for a link to `url`."),
        )
        .field(
            value_field("note", string())
                .description("What follows the link, such as the login means."),
        );
    let follow = Object::new("FollowUp")
        .description("A suggestion for what to ask or read next. Not identified by id: a client cache keeps it inside its rendering.")
        .field(value_field("kind", string_nn()).description("One of `question`, `product`, `step` (the first step), `eligibility` (conditions a chatbot can check) or `related`."))
        .field(item_id_field().description("The item to open (for eligibility: the product to check)."))
        .field(value_field("id", TypeRef::named_nn(TypeRef::ID)).description("The item to open, as `itemId`.").deprecation(Some(NOT_OWN_ID)))
        .field(value_field("typeName", string_nn()).description("Its type."))
        .field(value_field("title", string_nn()).description("What to show."));
    let source = Object::new("RenderingSource")
        .description("Where an answer comes from: every channel names it. Not identified by id: a client cache keeps it inside its rendering.")
        .field(item_id_field().description("The item's id."))
        .field(value_field("id", TypeRef::named_nn(TypeRef::ID)).description("The item's id, as `itemId`.").deprecation(Some(NOT_OWN_ID)))
        .field(value_field("typeName", string_nn()).description("Its type."))
        .field(value_field("slug", string_nn()).description("Its slug."))
        .field(value_field("title", string_nn()).description("Its title."))
        .field(
            value_field("version", TypeRef::named_nn(TypeRef::INT))
                .description("The revision shown."),
        )
        .field(
            value_field("reviewBy", string())
                .description("The date by which the owning team checks it again."),
        )
        .field(
            value_field("checkedOn", string())
                .description("When the shown revision was published (checked)."),
        );
    let review = Object::new("ReviewStatus")
        .description("Whether a text is still checked, for KCC agents. Not identified by id.")
        .field(
            value_field("checkedOn", string())
                .description("When the shown revision was published."),
        )
        .field(
            value_field("reviewBy", string()).description("The date by which it is checked again."),
        )
        .field(
            value_field("overdue", TypeRef::named_nn(TypeRef::BOOLEAN))
                .description("The review date has passed."),
        )
        .field(
            value_field("text", string_nn())
                .description("\"Gecontroleerd op …\", with a warning when overdue."),
        );
    vec![rendering, section, route, follow, source, review]
}
