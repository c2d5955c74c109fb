//! `search(query:)`: one search for every channel. The hub applies the
//! caller's rights; this module only reads arguments and shapes the answer.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};
use base64::Engine;

use super::convert::{bad_argument, first_arg, flag, gql_error, opt_string};
use super::loader::RequestCtx;
use super::types::{ITEM, item_typed};
use crate::hub::{DEFAULT_CHANNEL, Hub, ItemView, SearchPage, SearchQuery};

/// Hits per page when `first` is not given, and the most one page holds.
pub const DEFAULT_HITS: usize = 10;
pub const MAX_HITS: usize = 50;

const CURSOR_PREFIX: &str = "search:";

fn cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{offset}"))
}

fn offset_of(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix(CURSOR_PREFIX)?
        .parse()
        .ok()
}

/// One hit as resolvers see it.
pub(super) struct HitValue {
    pub(super) item: Arc<ItemView>,
    pub(super) score: f32,
    pub(super) snippet: String,
    pub(super) cursor: String,
}

/// The page as resolvers see it.
struct PageValue {
    page: SearchPage,
    offset: usize,
    first: usize,
}

pub(super) fn strings(
    list: Option<async_graphql::dynamic::ValueAccessor<'_>>,
) -> async_graphql::Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(list) = list.filter(|v| !v.is_null()) {
        for v in list.list()?.iter() {
            out.push(v.string()?.to_string());
        }
    }
    Ok(out)
}

pub fn search_field() -> Field {
    Field::new("search", TypeRef::named_nn("SearchResults"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let text = ctx.args.try_get("query")?.string()?.to_string();
            let first = first_arg(&ctx.args, DEFAULT_HITS as i64, MAX_HITS as i64)?;
            let offset = match ctx.args.get("after") {
                Some(v) if !v.is_null() => {
                    offset_of(v.string()?).ok_or_else(|| {
                        bad_argument("after", "is not a cursor from an earlier search")
                    })? + 1
                }
                _ => 0,
            };
            if offset > 10_000 {
                return Err(bad_argument(
                    "after",
                    "pages past the first 10,000 hits are not served; narrow the search",
                ));
            }
            let mut q = SearchQuery {
                text,
                first: first as usize,
                offset,
                types: strings(ctx.args.get("types"))?,
                locale: opt_string(&ctx.args, "locale")?,
                drafts: flag(&ctx.args, "drafts")?,
                ..Default::default()
            };
            if let Some(filter) = ctx.args.get("filter").filter(|v| !v.is_null()) {
                let filter = filter.object()?;
                q.audience = strings(filter.get("audience"))?;
                q.themes = strings(filter.get("themes"))?;
            }
            let channel = match ctx.args.get("channel").filter(|v| !v.is_null()) {
                Some(v) => {
                    let c = v.string()?.to_string();
                    if c != DEFAULT_CHANNEL && !hub.model().channels.iter().any(|m| m.name == c) {
                        let known: Vec<&str> = hub
                            .model()
                            .channels
                            .iter()
                            .map(|m| m.name.as_str())
                            .collect();
                        return Err(bad_argument(
                            "channel",
                            format!("`{c}` is not a channel; use one of {}", known.join(", ")),
                        ));
                    }
                    c
                }
                None => DEFAULT_CHANNEL.to_string(),
            };
            let first = q.first;
            let text = q.text.clone();
            q.channel = Some(channel.clone()).filter(|c| c != DEFAULT_CHANNEL);
            let page = hub.search(&rc.viewer, q).await.map_err(gql_error)?;
            // Counted for "what citizens look for" (scrubbed when counted);
            // later pages of the same search are not counted again.
            if offset == 0 {
                rc.searches.lock().unwrap_or_else(|e| e.into_inner()).push((
                    channel,
                    text,
                    page.results.total == 0,
                ));
            }
            Ok(Some(FieldValue::owned_any(PageValue {
                page,
                offset,
                first,
            })))
        })
    })
    .description(
        "Searches what a citizen, agent or chatbot would type, in every searchable field of every \
         type (weights from the content model), with Dutch stemming, synonyms and typo tolerance. \
         Without a token: live content only. With an agent token or higher, internal fields too. \
         Editors can search the latest content, drafts included, with `drafts: true`.",
    )
    .argument(
        InputValue::new("query", TypeRef::named_nn(TypeRef::STRING))
            .description("What the user typed, as typed: no query syntax. At most 500 characters."),
    )
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("Hits per page (1 to 50, default 10)."),
    )
    .argument(
        InputValue::new("after", TypeRef::named(TypeRef::STRING))
            .description("The cursor of the last hit of the previous page."),
    )
    .argument(
        InputValue::new("types", TypeRef::named_nn_list(TypeRef::STRING))
            .description("Only items of these types (e.g. `[\"product\", \"question\"]`)."),
    )
    .argument(
        InputValue::new("locale", TypeRef::named(TypeRef::STRING))
            .description("Only items in this locale (default `nl`; `*` for every locale)."),
    )
    .argument(InputValue::new("filter", TypeRef::named("SearchFilter")).description("Only items that meet these conditions."))
    .argument(
        InputValue::new("channel", TypeRef::named(TypeRef::STRING)).description(
            "The channel searching (`web`, `chatbot`, `kcc`, ...), for the search statistics; a public channel also keeps internal fields out of the search for agents, as its rendering does; \
             `anonymous` when not given. Who searched is never recorded.",
        ),
    )
    .argument(
        InputValue::new("drafts", TypeRef::named(TypeRef::BOOLEAN))
            .description("Search the latest content, drafts included. Needs an editor token."),
    )
}

fn page_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'a>,
) -> async_graphql::Result<&'a PageValue> {
    ctx.parent_value.try_downcast_ref::<PageValue>()
}

fn facet_list(counts: &[(String, u64)]) -> GqlValue {
    GqlValue::List(
        counts
            .iter()
            .map(|(value, count)| {
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(Name::new("value"), GqlValue::from(value.as_str()));
                o.insert(Name::new("count"), GqlValue::from(*count));
                GqlValue::Object(o)
            })
            .collect(),
    )
}

/// The object types of a search answer.
pub fn search_types() -> (Vec<Object>, InputObject) {
    let results = Object::new("SearchResults")
        .description("A page of search hits, best first, with counts over all hits.")
        .field(
            Field::new("totalCount", TypeRef::named_nn(TypeRef::INT), |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(FieldValue::value(page_of(&ctx)?.page.results.total as i64)))
                })
            })
            .description("How many items match, on all pages."),
        )
        .field(
            Field::new("hits", TypeRef::named_nn_list_nn("SearchHit"), |ctx| {
                FieldFuture::new(async move {
                    let p = page_of(&ctx)?;
                    let mut hits = Vec::new();
                    for (i, h) in p.page.results.hits.iter().enumerate() {
                        // An item removed since the index answered is left out.
                        if let Some(item) = p.page.items.get(&h.id) {
                            hits.push(FieldValue::owned_any(HitValue {
                                item: item.clone(),
                                score: h.score,
                                snippet: h.snippet.clone(),
                                cursor: cursor(p.offset + i),
                            }));
                        }
                    }
                    Ok(Some(FieldValue::list(hits)))
                })
            })
            .description("The hits of this page, best first."),
        )
        .field(Field::new("pageInfo", TypeRef::named_nn("PageInfo"), |ctx| {
            FieldFuture::new(async move {
                let p = page_of(&ctx)?;
                let n = p.page.results.hits.len();
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(
                    Name::new("hasNextPage"),
                    GqlValue::from(p.offset + n < p.page.results.total && n == p.first),
                );
                o.insert(Name::new("hasPreviousPage"), GqlValue::from(p.offset > 0));
                let start = (n > 0).then(|| GqlValue::from(cursor(p.offset)));
                let end = (n > 0).then(|| GqlValue::from(cursor(p.offset + n - 1)));
                o.insert(Name::new("startCursor"), start.unwrap_or(GqlValue::Null));
                o.insert(Name::new("endCursor"), end.unwrap_or(GqlValue::Null));
                Ok(Some(FieldValue::value(GqlValue::Object(o))))
            })
        }).description("Where this page is among all hits; pass `endCursor` as `after` for the next page."))
        .field(
            Field::new("facets", TypeRef::named_nn("SearchFacets"), |ctx| {
                FieldFuture::new(async move {
                    let p = page_of(&ctx)?;
                    let mut o = async_graphql::indexmap::IndexMap::new();
                    o.insert(Name::new("types"), facet_list(&p.page.results.types));
                    o.insert(Name::new("themes"), facet_list(&p.page.results.themes));
                    Ok(Some(FieldValue::value(GqlValue::Object(o))))
                })
            })
            .description("Hits per type and per theme, over all pages."),
        )
        .field(
            Field::new("suggestion", TypeRef::named(TypeRef::STRING), |ctx| {
                FieldFuture::new(async move {
                    let p = page_of(&ctx)?;
                    Ok(p.page
                        .results
                        .suggestion
                        .clone()
                        .map(|s| FieldValue::value(GqlValue::from(s))))
                })
            })
            .description("The query as it was probably meant (\"bedoelde u\"), when a word of it is in no item's name but a close one is."),
        );
    let hit = Object::new("SearchHit")
        .description("One item that matches, with why. Not identified by id (its item is): a client cache keeps it inside the search it came from.")
        .field(Field::new("item", TypeRef::named_nn(ITEM), |ctx| {
            FieldFuture::new(async move {
                let h = ctx.parent_value.try_downcast_ref::<HitValue>()?;
                Ok(Some(item_typed(h.item.clone())))
            })
        }).description("The item, as you may see it."))
        .field(
            Field::new("score", TypeRef::named_nn(TypeRef::FLOAT), |ctx| {
                FieldFuture::new(async move {
                    let h = ctx.parent_value.try_downcast_ref::<HitValue>()?;
                    Ok(Some(FieldValue::value(f64::from(h.score))))
                })
            })
            .description(
                "Relevance (BM25 with the model's field weights); compare within one search only.",
            ),
        )
        .field(
            Field::new("snippet", TypeRef::named_nn(TypeRef::STRING), |ctx| {
                FieldFuture::new(async move {
                    let h = ctx.parent_value.try_downcast_ref::<HitValue>()?;
                    Ok(Some(FieldValue::value(h.snippet.clone())))
                })
            })
            .description(
                "A passage of the item's text, HTML-escaped, with the matched words in `<mark>`.",
            ),
        )
        .field(Field::new(
            "cursor",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    let h = ctx.parent_value.try_downcast_ref::<HitValue>()?;
                    Ok(Some(FieldValue::value(h.cursor.clone())))
                })
            },
        ).description("Pass it as `after` for the hits after this one."));
    let suggestion = Object::new("Suggestion")
        .description(
            "An item whose name starts like what was typed. Not identified by id (its item is).",
        )
        .field(
            Field::new("text", TypeRef::named_nn(TypeRef::STRING), |ctx| {
                FieldFuture::new(async move {
                    let h = ctx.parent_value.try_downcast_ref::<HitValue>()?;
                    Ok(Some(FieldValue::value(h.snippet.clone())))
                })
            })
            .description("The item's name (title or question) to show in the list."),
        )
        .field(
            Field::new("item", TypeRef::named_nn(ITEM), |ctx| {
                FieldFuture::new(async move {
                    let h = ctx.parent_value.try_downcast_ref::<HitValue>()?;
                    Ok(Some(item_typed(h.item.clone())))
                })
            })
            .description("The item, as you may see it."),
        );
    let facet = Object::new("FacetCount")
        .description("How many hits have one value.")
        .field(
            plain("value", TypeRef::named_nn(TypeRef::STRING))
                .description("The value: a content type or a theme."),
        )
        .field(
            plain("count", TypeRef::named_nn(TypeRef::INT))
                .description("Hits with it, on all pages."),
        );
    let facets = Object::new("SearchFacets")
        .description("Hit counts per value, to narrow a search with.")
        .field(
            plain("types", TypeRef::named_nn_list_nn("FacetCount"))
                .description("Hits per content type, most first."),
        )
        .field(
            plain("themes", TypeRef::named_nn_list_nn("FacetCount"))
                .description("Hits per theme, most first."),
        );
    let filter = InputObject::new("SearchFilter")
        .description("Narrows a search; every condition given must hold.")
        .field(
            InputValue::new("audience", TypeRef::named_nn_list(TypeRef::STRING))
                .description("Items for any of these audiences (e.g. `burger`, `bedrijf`)."),
        )
        .field(
            InputValue::new("themes", TypeRef::named_nn_list(TypeRef::STRING))
                .description("Items with any of these themes."),
        );
    (vec![results, hit, suggestion, facet, facets], filter)
}

/// A field read from an object value by name.
pub(super) fn plain(name: &str, ty: TypeRef) -> Field {
    let key = name.to_string();
    Field::new(name, ty, move |ctx| {
        let key = key.clone();
        FieldFuture::new(async move {
            match ctx.parent_value.try_to_value()? {
                GqlValue::Object(o) => Ok(o.get(key.as_str()).cloned().map(FieldValue::value)),
                _ => Ok(None),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_refuse_others() {
        assert_eq!(super::offset_of(&super::cursor(42)), Some(42));
        assert_eq!(super::offset_of("bm90LWEtY3Vyc29y"), None);
        assert_eq!(super::offset_of("%%%"), None);
    }
}
