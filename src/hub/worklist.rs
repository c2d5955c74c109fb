//! The editor UI's start page: per team, what needs doing. Items past their
//! review date, scheduled unpublishes coming up (temporary content about to
//! expire), scheduled publications, drafts and edits waiting for a
//! publisher, and the latest changes. Editors and up.

use std::sync::{Arc, Mutex};

use super::{Hub, ItemView, Role, SearchQuery, Viewer, now_ms};
use crate::domain::{ChangeRow, WorkRow};
use crate::error::{Error, Result};
use crate::store::{Titles, WorkSection};

/// Rows per worklist section.
pub const WORK_LIMIT: i64 = 50;
/// Scheduled unpublishes within this many days count as expiring.
pub const EXPIRING_DAYS: i64 = 30;

#[derive(Debug, Clone, Default)]
pub struct Worklist {
    pub overdue: Vec<WorkRow>,
    pub expiring: Vec<WorkRow>,
    pub scheduled: Vec<WorkRow>,
    pub waiting: Vec<WorkRow>,
    /// Recent changes, newest first, with the item as it is now (None when
    /// it was deleted since).
    pub recent: Vec<(ChangeRow, Option<WorkRow>)>,
}

/// Owner teams at the sequence they were read at.
#[derive(Default)]
pub(super) struct TeamCache(Mutex<Option<(i64, Vec<String>)>>);

impl Hub {
    fn titles(&self) -> Vec<(String, String)> {
        self.model
            .types
            .values()
            .map(|t| (t.name.clone(), t.title_field.clone()))
            .collect()
    }

    /// What `team` (every team for None) has to do, as of today.
    pub async fn worklist(&self, viewer: &Viewer, team: Option<&str>) -> Result<Worklist> {
        viewer.require(Role::Editor, "reading the worklist")?;
        let titles = self.titles();
        let titles = Titles(&titles);
        let now = now_ms();
        let today = super::render::date_of(now);
        let until = now + EXPIRING_DAYS * 86_400_000;
        let section = |s| {
            self.store
                .work_section(s, &titles, team, &today, until, WORK_LIMIT)
        };
        let overdue = section(WorkSection::Overdue).await?;
        let expiring = section(WorkSection::Expiring).await?;
        let scheduled = section(WorkSection::Scheduled).await?;
        let waiting = section(WorkSection::Waiting).await?;
        let recent = self.store.recent_work(&titles, team, 20).await?;
        Ok(Worklist {
            overdue,
            expiring,
            scheduled,
            waiting,
            recent,
        })
    }

    /// Short rows of these items, for lists that already know the ids.
    pub async fn work_rows(&self, viewer: &Viewer, ids: &[String]) -> Result<Vec<WorkRow>> {
        viewer.require(Role::Editor, "reading the worklist")?;
        let titles = self.titles();
        self.store.work_rows(ids, &Titles(&titles)).await
    }

    /// Items of `type_name` an editor looks for by `query` (a reference
    /// picker, a list's search box): from the search index, drafts
    /// included, or, for types the index does not hold or when it finds
    /// nothing, by their title. Best first, at most `limit`.
    pub async fn find_for_editor(
        &self,
        viewer: &Viewer,
        type_name: &str,
        query: &str,
        locale: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Arc<ItemView>>> {
        viewer.require(Role::Editor, "looking up items")?;
        let ty = self.type_def(type_name)?;
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        if ty.fields.iter().any(|f| f.search.is_some()) {
            let q = SearchQuery {
                text: query.to_string(),
                first: limit,
                offset: 0,
                types: vec![type_name.to_string()],
                locale: locale.map(String::from),
                audience: Vec::new(),
                themes: Vec::new(),
                drafts: true,
                channel: None,
            };
            match self.search(viewer, q).await {
                Ok(found) if !found.results.hits.is_empty() => {
                    return Ok(found
                        .results
                        .hits
                        .iter()
                        .filter_map(|h| found.items.get(&h.id).cloned())
                        .collect());
                }
                Ok(_) | Err(Error::SearchUnavailable(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let locale = match locale {
            Some("*") => None,
            other => other,
        };
        let ids = self
            .store
            .ids_by_title(type_name, &ty.title_field, query, locale, limit as i64)
            .await?;
        let found = self.load_many(viewer, &ids).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }

    /// The teams items name as their owner, sorted.
    pub async fn owner_teams(&self) -> Result<Vec<String>> {
        let seq = self.seq();
        if let Some((at, teams)) = &*self.teams.0.lock().unwrap_or_else(|e| e.into_inner())
            && *at == seq
        {
            return Ok(teams.clone());
        }
        let teams = self.store.owner_teams().await?;
        *self.teams.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((seq, teams.clone()));
        Ok(teams)
    }
}
