//! The change log as a feed for clients that poll (a static site, a search
//! appliance, a cache in front of Bron) and for webhooks: which event an
//! entry is, who may see it, and which other items' public output changed
//! through it (a product shows its steps and the facts in its text, so
//! publishing a step or a fact changes the product's page too).

use std::collections::HashSet;
use std::sync::Arc;

use super::{Hub, ItemView, Role, Viewer};
use crate::domain::ChangeRow;
use crate::error::{Error, Result};

/// What happened to an item, as feeds and webhooks name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A new item (a draft).
    Created,
    /// A new revision of the latest content (edit, import, revert).
    Updated,
    /// A revision went live.
    Published,
    /// The item went offline (back to draft).
    Unpublished,
    /// The item was archived (offline for good).
    Archived,
    /// The item was deleted.
    Deleted,
    /// A publish or unpublish was scheduled, or a scheduled one failed.
    Scheduled,
}

pub const ALL_EVENTS: [Event; 7] = [
    Event::Created,
    Event::Updated,
    Event::Published,
    Event::Unpublished,
    Event::Archived,
    Event::Deleted,
    Event::Scheduled,
];

/// The events that change what the public sees.
pub const PUBLIC_EVENTS: [Event; 4] = [
    Event::Published,
    Event::Unpublished,
    Event::Archived,
    Event::Deleted,
];

/// How many items the feed reports by default as changed through one entry.
pub const DEFAULT_AFFECTED: usize = 50;
/// The most it reports: webhooks report up to this many, and say when
/// there were more.
pub const MAX_AFFECTED: usize = 500;
/// How far up the references the change is followed: a fact shown in a
/// step changes the step, and the products that list the step.
const AFFECTED_DEPTH: usize = 2;

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Created => "created",
            Event::Updated => "updated",
            Event::Published => "published",
            Event::Unpublished => "unpublished",
            Event::Archived => "archived",
            Event::Deleted => "deleted",
            Event::Scheduled => "scheduled",
        }
    }

    pub fn parse(s: &str) -> Result<Event> {
        ALL_EVENTS
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "unknown event `{s}`; use created, updated, published, unpublished, archived, deleted or scheduled"
                ))
            })
    }

    /// The event a change-log action is; None for entries about tokens,
    /// accounts and webhooks.
    pub fn of_action(action: &str) -> Option<Event> {
        ALL_EVENTS
            .into_iter()
            .find(|e| e.actions().contains(&action))
    }

    /// The change-log actions that are this event.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Event::Created => &["create"],
            Event::Updated => &["update", "import", "revert"],
            Event::Published => &["publish"],
            Event::Unpublished => &["unpublish"],
            Event::Archived => &["archive"],
            Event::Deleted => &["delete"],
            Event::Scheduled => &["schedule", "schedule_failed"],
        }
    }

    pub fn is_public(self) -> bool {
        PUBLIC_EVENTS.contains(&self)
    }
}

/// Which entries a feed read wants.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Only these events (None: every entry the caller may see).
    pub events: Option<Vec<Event>>,
    /// Only entries about items of these types.
    pub types: Option<Vec<String>>,
}

impl Hub {
    /// The change log after `since`, oldest first, at most `limit` entries.
    ///
    /// Editors see every entry as written. Everyone else sees only the
    /// events that change public output (publish, unpublish, archive,
    /// delete), without the actor and the revision message: enough to keep
    /// a copy of the published content up to date. Passing the last `seq`
    /// seen as the next `since` never skips an entry.
    pub async fn change_feed(
        &self,
        viewer: &Viewer,
        since: i64,
        limit: i64,
        filter: &FeedFilter,
    ) -> Result<Vec<ChangeRow>> {
        let editor = viewer.role >= Role::Editor;
        let events: Option<Vec<Event>> = match (&filter.events, editor) {
            (Some(events), false) => {
                if let Some(e) = events.iter().find(|e| !e.is_public()) {
                    // Refused: the caller is below an editor.
                    viewer.require(Role::Editor, &format!("following `{}` changes", e.as_str()))?;
                }
                Some(events.clone())
            }
            (None, false) => Some(PUBLIC_EVENTS.to_vec()),
            (events, true) => events.clone(),
        };
        let actions: Option<Vec<&str>> =
            events.map(|es| es.iter().flat_map(|e| e.actions()).copied().collect());
        let mut rows = self
            .store
            .change_feed(since, limit, actions.as_deref(), filter.types.as_deref())
            .await?;
        if !editor {
            for r in &mut rows {
                r.actor.clear();
                r.detail = None;
            }
        }
        Ok(rows)
    }

    /// The published items whose public output changed through `change`:
    /// those that refer to the item or show it (a fact), and the items that
    /// refer to those; at most `limit`, the nearest first. Empty for
    /// entries that do not change public output. An upper bound: an item
    /// that only links to a changed one is named too. Follows the
    /// references as they are now, not as they were when the entry was
    /// written.
    pub async fn affected(&self, change: &ChangeRow, limit: usize) -> Result<Vec<Arc<ItemView>>> {
        let public = Event::of_action(&change.action).is_some_and(Event::is_public);
        let Some(id) = change.item_id.as_deref().filter(|_| public) else {
            return Ok(Vec::new());
        };
        // The item itself as it is now, whatever its stage: a fact just
        // taken offline still names the texts that showed it.
        let Some(item) = self.get_any(&Viewer::cli(), id).await? else {
            return Ok(Vec::new());
        };
        let public = Viewer::anonymous();
        let mut seen: HashSet<String> = HashSet::from([item.id.clone()]);
        let mut out = Vec::new();
        let mut frontier = vec![item];
        for _ in 0..AFFECTED_DEPTH {
            let mut next = Vec::new();
            for it in &frontier {
                for user in self.used_by(&public, it, limit).await? {
                    if seen.insert(user.id.clone()) {
                        out.push(user.clone());
                        next.push(user);
                    }
                }
                if out.len() >= limit {
                    out.truncate(limit);
                    return Ok(out);
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_names_its_actions_and_back() {
        for e in ALL_EVENTS {
            assert_eq!(Event::parse(e.as_str()).unwrap(), e);
            for a in e.actions() {
                assert_eq!(Event::of_action(a), Some(e));
            }
        }
        assert_eq!(Event::of_action("token_create"), None);
        assert!(Event::parse("nope").is_err());
    }
}
