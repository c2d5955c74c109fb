//! The change feed: `changes(since:)` for clients that poll, and the
//! `Change` type it lists. Editors see every entry; everyone else sees the
//! entries that change public output, with the items that changed through
//! each (see `hub/changes.rs`).

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputValue, Object, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{SCALAR_DATETIME, bad_argument, gql_error};
use super::loader::RequestCtx;
use super::types::{ITEM, item_typed, non_null};
use crate::domain::ChangeRow;
use crate::hub::{ALL_EVENTS, DEFAULT_AFFECTED, Event, FeedFilter, Hub, MAX_AFFECTED, Role};

/// The most entries one read of the feed returns.
pub const MAX_CHANGES: i64 = 1000;

pub fn event_value(e: Event) -> GqlValue {
    GqlValue::Enum(Name::new(e.as_str().to_ascii_uppercase()))
}

pub fn event_enum() -> Enum {
    let describe = |e: Event| match e {
        Event::Created => "A new item was made (as a draft).",
        Event::Updated => {
            "A new revision of an item's latest content: an edit, an import or a revert. The published content is unchanged."
        }
        Event::Published => "A revision went live.",
        Event::Unpublished => "An item went offline (back to draft).",
        Event::Archived => "An item was archived.",
        Event::Deleted => "An item was deleted.",
        Event::Scheduled => {
            "A publish or unpublish was scheduled, or a scheduled one could not be carried out."
        }
    };
    Enum::new("ChangeEvent")
        .description("What happened to an item. PUBLISHED, UNPUBLISHED, ARCHIVED and DELETED change what the public sees; the others only drafts and plans.")
        .items(
            ALL_EVENTS
                .into_iter()
                .map(|e| EnumItem::new(e.as_str().to_ascii_uppercase()).description(describe(e))),
        )
}

/// A list of `ChangeEvent` values from an argument.
pub fn events_arg(
    args: &async_graphql::dynamic::ObjectAccessor<'_>,
    name: &str,
) -> async_graphql::Result<Option<Vec<Event>>> {
    match args.get(name) {
        Some(v) if !v.is_null() => {
            let mut out = Vec::new();
            for e in v.list()?.iter() {
                out.push(Event::parse(e.enum_name()?).map_err(gql_error)?);
            }
            Ok(Some(out))
        }
        _ => Ok(None),
    }
}

/// A list of strings from an argument.
pub fn strings_arg(
    args: &async_graphql::dynamic::ObjectAccessor<'_>,
    name: &str,
) -> async_graphql::Result<Option<Vec<String>>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(
            v.list()?
                .iter()
                .map(|s| s.string().map(str::to_string))
                .collect::<async_graphql::Result<_>>()?,
        )),
        _ => Ok(None),
    }
}

pub fn changes_field() -> Field {
    Field::new("changes", TypeRef::named_nn_list("Change"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let since = match (ctx.args.get("since"), ctx.args.get("after")) {
                (Some(s), _) if !s.is_null() => s.i64()?,
                (_, Some(a)) if !a.is_null() => a.i64()?,
                _ => 0,
            };
            let first = ctx.args.get("first").map(|v| v.i64()).transpose()?.unwrap_or(100);
            if !(1..=MAX_CHANGES).contains(&first) {
                return Err(bad_argument("first", format!("must be between 1 and {MAX_CHANGES}")));
            }
            let mut types = strings_arg(&ctx.args, "types")?;
            if types.as_ref().is_some_and(Vec::is_empty) {
                types = None;
            }
            for t in types.iter().flatten() {
                if hub.model().get(t).is_none() {
                    return Err(bad_argument("types", format!("`{t}` is not a content type")));
                }
            }
            let filter = FeedFilter {
                events: events_arg(&ctx.args, "events")?,
                types,
            };
            let rows = hub
                .change_feed(&rc.viewer, since, first, &filter)
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::list(rows.into_iter().map(FieldValue::owned_any))))
        })
    })
    .description("The change log, oldest first: the entries after sequence number `since`. Poll with the `seq` of the last entry you saw as the next `since`; no entry is skipped. Without an editor token: only the entries that change public output (published, unpublished, archived, deleted), without who made them. Editors see every entry: drafts, schedules, tokens, accounts and webhooks too.")
    .argument(InputValue::new("since", TypeRef::named(TypeRef::INT)).description("Entries after this sequence number; 0 (the default) for the whole log."))
    .argument(InputValue::new("after", TypeRef::named(TypeRef::INT)).description("The same as `since` (the older name).").deprecation(Some("Use `since`.")))
    .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)).default_value(100).description("How many entries at most, 1 to 1000."))
    .argument(InputValue::new("events", TypeRef::named_nn_list("ChangeEvent")).description("Only entries of these events. Without an editor token only PUBLISHED, UNPUBLISHED, ARCHIVED and DELETED may be asked for."))
    .argument(InputValue::new("types", TypeRef::named_nn_list(TypeRef::STRING)).description("Only entries about items of these content types, e.g. [\"product\"]."))
}

fn change_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'_>,
) -> async_graphql::Result<&'a ChangeRow> {
    ctx.parent_value.try_downcast_ref::<ChangeRow>()
}

pub fn change_type() -> Object {
    fn f(
        name: &'static str,
        ty: TypeRef,
        about: &'static str,
        get: fn(&ChangeRow) -> GqlValue,
    ) -> Field {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move { Ok(non_null(get(change_of(&ctx)?))) })
        })
        .description(about)
    }
    Object::new("Change")
        .description("One entry of the change log: one write. Not cacheable by id; `seq` identifies it.")
        .field(f("seq", TypeRef::named_nn(TypeRef::INT), "Its place in the log; grows with every write.", |c| GqlValue::from(c.seq)))
        .field(f("at", TypeRef::named_nn(SCALAR_DATETIME), "When the write was made.", |c| {
            GqlValue::from(crate::hub::ms_to_datetime(c.at))
        }))
        .field(f("actor", TypeRef::named(TypeRef::STRING), "Who made it: a token or account name, `cli` or `scheduler`. Null without an editor token.", |c| {
            if c.actor.is_empty() { GqlValue::Null } else { GqlValue::from(c.actor.as_str()) }
        }))
        .field(f("action", TypeRef::named_nn(TypeRef::STRING), "The write as the log names it: create, update, import, revert, publish, unpublish, archive, delete, schedule, schedule_failed, or a token, user or webhook action.", |c| {
            GqlValue::from(c.action.as_str())
        }))
        .field(f("event", TypeRef::named("ChangeEvent"), "What happened to the item; null for entries about tokens, accounts and webhooks.", |c| {
            Event::of_action(&c.action).map(event_value).unwrap_or(GqlValue::Null)
        }))
        .field(f("itemId", TypeRef::named(TypeRef::ID), "The item written, if the entry is about one.", |c| {
            c.item_id.as_deref().map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(f("itemType", TypeRef::named(TypeRef::STRING), "The content type of that item.", |c| {
            c.item_type.as_deref().map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(f("version", TypeRef::named(TypeRef::INT), "The item's revision after the write.", |c| {
            c.version.map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(f("detail", TypeRef::named(TypeRef::STRING), "The revision message or a note on the write. Null without an editor token.", |c| {
            c.detail.as_deref().map(GqlValue::from).unwrap_or(GqlValue::Null)
        }))
        .field(
            Field::new("item", TypeRef::named(ITEM), |ctx| {
                FieldFuture::new(async move {
                    let c = change_of(&ctx)?;
                    let hub = ctx.data::<Arc<Hub>>()?;
                    let rc = ctx.data::<RequestCtx>()?;
                    let Some(id) = &c.item_id else { return Ok(None) };
                    let item = hub.get_any(&rc.viewer, id).await.map_err(gql_error)?;
                    Ok(item.map(item_typed))
                })
            })
            .description("The item as it is now, as you may see it; null when it was deleted or you may not see it (a draft without an editor token)."),
        )
        .field(
            Field::new("affected", TypeRef::named_nn_list_nn(ITEM), |ctx| {
                FieldFuture::new(async move {
                    let c = change_of(&ctx)?;
                    let hub = ctx.data::<Arc<Hub>>()?;
                    let rc = ctx.data::<RequestCtx>()?;
                    let first = ctx.args.get("first").map(|v| v.i64()).transpose()?.unwrap_or(DEFAULT_AFFECTED as i64);
                    if !(1..=MAX_AFFECTED as i64).contains(&first) {
                        return Err(bad_argument("first", format!("must be between 1 and {MAX_AFFECTED}")));
                    }
                    let mut out = Vec::new();
                    for a in hub.affected(c, first as usize).await.map_err(gql_error)? {
                        // Published items; an editor sees their latest content.
                        let seen = if rc.viewer.role >= Role::Editor {
                            hub.get_any(&rc.viewer, &a.id).await.map_err(gql_error)?
                        } else {
                            Some(a)
                        };
                        out.extend(seen.map(item_typed));
                    }
                    Ok(Some(FieldValue::list(out)))
                })
            })
            .description("The published items whose public output changed through this entry, nearest first: those that refer to the item or show it (a fact), and the items that refer to those. Rebuild their pages too. An upper bound (an item that only links to a changed one is named too); empty for entries that do not change public output. Follows the references as they are now.")
            .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)).default_value(DEFAULT_AFFECTED as i64).description(format!("How many at most, 1 to {MAX_AFFECTED}."))),
        )
}
