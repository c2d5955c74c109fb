//! Search as the hub answers it: the caller's rights applied (live content
//! or drafts, internal fields or not), the work on a blocking thread, the
//! items the hits are about loaded as the caller may see them. Keeping the
//! index up to date is `index.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Hub, ItemView, Role, Viewer};
use crate::domain::Stage;
use crate::error::{Error, Result};
use crate::search::{SearchIndex, SearchRequest, SearchResults};

/// A search as the API asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub first: usize,
    pub offset: usize,
    pub types: Vec<String>,
    /// None: the default locale; `*`: every locale.
    pub locale: Option<String>,
    pub audience: Vec<String>,
    pub themes: Vec<String>,
    /// Search the latest content, drafts included (editors and up).
    pub drafts: bool,
    /// The channel asking: a channel that is not internal never searches or
    /// shows internal fields, whoever asks (an agent testing the website's
    /// search sees what the public sees).
    pub channel: Option<String>,
}

/// A page of search results with the items they are about.
pub struct SearchPage {
    pub results: SearchResults,
    pub items: HashMap<String, Arc<ItemView>>,
}

impl Hub {
    /// The index, and the stage and locale a search or suggestion of
    /// `viewer` covers, after checking its rights and type names.
    fn search_scope(
        &self,
        viewer: &Viewer,
        types: &[String],
        locale: Option<&str>,
        drafts: bool,
    ) -> Result<(Arc<SearchIndex>, Stage, Option<String>)> {
        let index = self.search.get().ok_or_else(|| {
            Error::SearchUnavailable(
                "search is not available: this process has no search index (it runs in `bron serve`)"
                    .into(),
            )
        })?;
        if drafts {
            viewer.require(Role::Editor, "searching drafts")?;
        }
        for t in types {
            self.type_def(t)?;
        }
        let stage = if drafts {
            Stage::Latest
        } else {
            Stage::Published
        };
        Ok((index.clone(), stage, super::read::locale_filter(locale)))
    }

    /// The items the hits are about, as `viewer` sees them at the searched
    /// stage: live hits show live items, whoever asks (with internal fields
    /// for agents and up).
    async fn hit_items(
        &self,
        viewer: &Viewer,
        drafts: bool,
        ids: &[String],
    ) -> Result<HashMap<String, Arc<ItemView>>> {
        if drafts {
            return self.load_many(viewer, ids).await;
        }
        let live = Viewer {
            role: if viewer.role.sees_internal() {
                Role::Agent
            } else {
                Role::Anonymous
            },
            name: viewer.name.clone(),
            team: None,
        };
        self.load_many(&live, ids).await
    }

    /// Searches with the caller's rights: anonymous and agent callers the
    /// live content only, agents and up internal fields too, editors the
    /// latest content (drafts included) when they ask for it.
    pub async fn search(&self, viewer: &Viewer, q: SearchQuery) -> Result<SearchPage> {
        let (index, stage, locale) =
            self.search_scope(viewer, &q.types, q.locale.as_deref(), q.drafts)?;
        let public_channel = q.channel.as_deref().is_some_and(|c| {
            self.model
                .channels
                .iter()
                .any(|ch| ch.name == c && !ch.internal)
        });
        // In a public channel an agent reads like the public.
        let narrowed;
        let viewer = if public_channel && viewer.role.sees_internal() && !q.drafts {
            narrowed = Viewer {
                role: Role::Anonymous,
                name: viewer.name.clone(),
                team: None,
            };
            &narrowed
        } else {
            viewer
        };
        let request = SearchRequest {
            text: q.text,
            stage,
            internal: viewer.role.sees_internal() && !public_channel,
            types: q.types,
            locale,
            audience: q.audience,
            themes: q.themes,
            offset: q.offset,
            limit: q.first,
        };
        // A search is 1–5 ms of CPU: on a blocking thread, so it never holds
        // up the async workers that serve everything else.
        let results = tokio::task::spawn_blocking(move || index.search(&request))
            .await
            .map_err(|e| Error::Internal(format!("a search failed: {e}")))??;
        let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
        let items = self.hit_items(viewer, q.drafts, &ids).await?;
        Ok(SearchPage { results, items })
    }

    /// Search-as-you-type: items whose name (title, question) starts with
    /// `prefix` word by word, the last word as typed so far; live items, or
    /// the latest content for editors who ask for drafts.
    pub async fn suggest(
        &self,
        viewer: &Viewer,
        prefix: &str,
        first: usize,
        types: Vec<String>,
        locale: Option<String>,
        drafts: bool,
    ) -> Result<Vec<(Arc<ItemView>, String)>> {
        let (index, stage, locale) =
            self.search_scope(viewer, &types, locale.as_deref(), drafts)?;
        let prefix = prefix.to_string();
        let found = tokio::task::spawn_blocking(move || {
            index.suggest(&prefix, stage, &types, locale.as_deref(), first)
        })
        .await
        .map_err(|e| Error::Internal(format!("a suggestion failed: {e}")))??;
        let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
        let items = self.hit_items(viewer, drafts, &ids).await?;
        Ok(found
            .into_iter()
            .filter_map(|(id, name)| items.get(&id).map(|i| (i.clone(), name)))
            .collect())
    }
}
