//! `searchStats`: what citizens look for, for editors. The hub counts and
//! scrubs; this module reads arguments and shapes the answer.

use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{SCALAR_DATE, first_arg, gql_error, opt_string};
use super::loader::RequestCtx;
use super::search::plain;
use crate::hub::{Hub, SearchStats};

/// `searchStats`: what citizens look for, for editors.
pub fn search_stats_field() -> Field {
    Field::new("searchStats", TypeRef::named_nn("SearchStats"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let opt = |name: &str| opt_string(&ctx.args, name);
            let first = first_arg(&ctx.args, 20, 1000)?;
            let stats = hub
                .search_stats(&rc.viewer, opt("from")?, opt("to")?, opt("channel")?, first)
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::owned_any(stats)))
        })
    })
    .description(
        "What citizens look for: the most searched queries and the ones that found nothing, \
         per day range (default the last 30 days) and channel (default all). Queries are kept \
         scrubbed of personal data (BSN, IBAN, e-mail, phone, postcode with house number). \
         Needs an editor token.",
    )
    .argument(
        InputValue::new("from", TypeRef::named(SCALAR_DATE))
            .description("The first day counted (default: 30 days before `to`)."),
    )
    .argument(
        InputValue::new("to", TypeRef::named(SCALAR_DATE))
            .description("The last day counted (default: today)."),
    )
    .argument(
        InputValue::new("channel", TypeRef::named(TypeRef::STRING))
            .description("Only searches from this channel, e.g. `web` (default: all)."),
    )
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("How many queries per list (1 to 1000, default 20)."),
    )
}

fn stats_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'a>,
) -> async_graphql::Result<&'a SearchStats> {
    ctx.parent_value.try_downcast_ref::<SearchStats>()
}

fn count_list(counts: &[crate::hub::SearchCount]) -> FieldValue<'static> {
    FieldValue::value(GqlValue::List(
        counts
            .iter()
            .map(|c| {
                let mut o = async_graphql::indexmap::IndexMap::new();
                o.insert(Name::new("query"), GqlValue::from(c.query.as_str()));
                o.insert(Name::new("searches"), GqlValue::from(c.searches));
                o.insert(Name::new("zeroResults"), GqlValue::from(c.zero_results));
                GqlValue::Object(o)
            })
            .collect(),
    ))
}

/// The types of `searchStats`.
pub fn search_stats_types() -> Vec<Object> {
    let stats = Object::new("SearchStats")
        .description("Searches counted per query over a day range. Not identified by id: a client cache keeps it inside the query it came from.")
        .field(Field::new("from", TypeRef::named_nn(SCALAR_DATE), |ctx| {
            FieldFuture::new(
                async move { Ok(Some(FieldValue::value(stats_of(&ctx)?.from.clone()))) },
            )
        }).description("The first day counted."))
        .field(Field::new("to", TypeRef::named_nn(SCALAR_DATE), |ctx| {
            FieldFuture::new(async move { Ok(Some(FieldValue::value(stats_of(&ctx)?.to.clone()))) })
        }).description("The last day counted."))
        .field(Field::new(
            "searches",
            TypeRef::named_nn(TypeRef::INT),
            |ctx| {
                FieldFuture::new(
                    async move { Ok(Some(FieldValue::value(stats_of(&ctx)?.searches))) },
                )
            },
        ).description("Searches in the range."))
        .field(Field::new(
            "zeroResultSearches",
            TypeRef::named_nn(TypeRef::INT),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(FieldValue::value(
                        stats_of(&ctx)?.zero_result_searches,
                    )))
                })
            },
        ).description("Searches in the range that found nothing."))
        .field(
            Field::new("top", TypeRef::named_nn_list_nn("SearchCount"), |ctx| {
                FieldFuture::new(async move { Ok(Some(count_list(&stats_of(&ctx)?.top))) })
            })
            .description("The most searched queries, most first."),
        )
        .field(
            Field::new(
                "zeroResults",
                TypeRef::named_nn_list_nn("SearchCount"),
                |ctx| {
                    FieldFuture::new(
                        async move { Ok(Some(count_list(&stats_of(&ctx)?.zero_results))) },
                    )
                },
            )
            .description("Queries that found nothing, most often first: content to write."),
        );
    let count = Object::new("SearchCount")
        .description("One query, as counted: lower-cased, scrubbed of personal data.")
        .field(plain("query", TypeRef::named_nn(TypeRef::STRING)).description("The query."))
        .field(
            plain("searches", TypeRef::named_nn(TypeRef::INT))
                .description("How often it was searched in the range."),
        )
        .field(
            plain("zeroResults", TypeRef::named_nn(TypeRef::INT))
                .description("How often it found nothing."),
        );
    vec![stats, count]
}
