//! `suggest(prefix:)`: search-as-you-type on item names (titles and
//! questions), answered as hits without a snippet of their own.

use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, TypeRef};

use super::convert::{first_arg, flag, gql_error, opt_string};
use super::loader::RequestCtx;
use super::search::{HitValue, MAX_HITS, strings};
use crate::hub::Hub;

/// `suggest`: search-as-you-type on item names.
pub fn suggest_field() -> Field {
    Field::new("suggest", TypeRef::named_nn_list_nn("Suggestion"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let prefix = ctx.args.try_get("prefix")?.string()?.to_string();
            let first = first_arg(&ctx.args, DEFAULT_SUGGESTIONS as i64, MAX_HITS as i64)?;
            let locale = opt_string(&ctx.args, "locale")?;
            let drafts = flag(&ctx.args, "drafts")?;
            let found = hub
                .suggest(
                    &rc.viewer,
                    &prefix,
                    first as usize,
                    strings(ctx.args.get("types"))?,
                    locale,
                    drafts,
                )
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::list(found.into_iter().map(
                |(item, text)| {
                    FieldValue::owned_any(HitValue {
                        item,
                        score: 0.0,
                        snippet: text,
                        cursor: String::new(),
                    })
                },
            ))))
        })
    })
    .description(
        "Search-as-you-type: items whose name (title or question) holds the words typed so far, \
         the last one as a prefix (\"paspoort aan\" → \"Paspoort aanvragen\").",
    )
    .argument(
        InputValue::new("prefix", TypeRef::named_nn(TypeRef::STRING))
            .description("What the user typed so far."),
    )
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("How many suggestions (1 to 50, default 8)."),
    )
    .argument(
        InputValue::new("types", TypeRef::named_nn_list(TypeRef::STRING))
            .description("Only items of these types (e.g. `[\"product\"]`)."),
    )
    .argument(
        InputValue::new("locale", TypeRef::named(TypeRef::STRING))
            .description("Only items in this locale (default `nl`; `*` for every locale)."),
    )
    .argument(
        InputValue::new("drafts", TypeRef::named(TypeRef::BOOLEAN)).description(
            "Suggest from the latest content, drafts included. Needs an editor token.",
        ),
    )
}

/// Suggestions per `suggest` when `first` is not given.
pub const DEFAULT_SUGGESTIONS: usize = 8;
