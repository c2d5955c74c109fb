//! Following the change log. Everything this process derives from the store
//! (the token cache, the response cache, the search index; renderings
//! later) is kept in
//! step by applying the log's entries one by one, in order, from the last
//! entry applied: never by comparing one "newest" number, because this
//! process's own writes move that number past entries written by others
//! (`bron token revoke` while the server writes) that were never applied.
//!
//! Applying an entry is idempotent: the follower also sees this process's own
//! writes, whose effects the writing function already applied before it
//! returned.

use std::sync::atomic::{AtomicI64, Ordering};

use tokio::sync::Mutex;

use super::Hub;
use crate::error::Result;
use crate::store::ChangeRow;

/// How many entries one read of the log takes.
const BATCH: i64 = 1000;

/// Where the follower is in the change log.
pub(super) struct Follower {
    /// The sequence of the last entry whose effects were applied.
    applied: Mutex<i64>,
    /// The same, readable without waiting for a run (for the metrics).
    applied_now: AtomicI64,
}

impl Follower {
    pub(super) fn new(seq: i64) -> Follower {
        Follower {
            applied: Mutex::new(seq),
            applied_now: AtomicI64::new(seq),
        }
    }
}

/// What one change-log entry makes stale.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Effects {
    /// Cached token lookups (a token was created or revoked).
    pub tokens: bool,
    /// Answers derived from content (any content or workflow change).
    pub content: bool,
}

pub(crate) fn effects(change: &ChangeRow) -> Effects {
    match change.action.as_str() {
        "token_create" | "token_revoke" => Effects {
            tokens: true,
            content: false,
        },
        // Accounts and webhooks change no answer and no token.
        "user_create" | "user_password" | "user_disable" | "user_enable" | "webhook_create"
        | "webhook_update" | "webhook_delete" | "documents_add" | "documents_remove" => Effects {
            tokens: false,
            content: false,
        },
        // Every other entry is a content or workflow change of an item. An
        // action this version does not know (written by a newer node) is
        // treated as the widest change rather than skipped.
        _ => Effects {
            tokens: change.item_id.is_none(),
            content: true,
        },
    }
}

impl Hub {
    /// Applies every change-log entry written since the last one applied, by
    /// this process or any other (the CLI while the server runs; later, other
    /// nodes). Returns how many entries were applied.
    pub async fn follow_store(&self) -> Result<usize> {
        let mut applied = self.follower.applied.lock().await;
        let mut count = 0;
        loop {
            let rows = self.store.changes_since(*applied, BATCH).await?;
            let n = rows.len();
            if n > 0 {
                // The index first: once the sequence moves, answers are
                // cached at it, so they must already see these entries. A
                // failing index must not hold back the rest (a revoked
                // token is dropped whatever the index does); it is retried
                // from its own last entry on the next round.
                if let Err(e) = self.sync_index().await {
                    tracing::error!(error = %e, "the search index could not follow the change log");
                }
            }
            for change in &rows {
                self.apply_change(change);
                *applied = change.seq;
            }
            self.follower.applied_now.store(*applied, Ordering::Release);
            count += n;
            if (n as i64) < BATCH {
                break;
            }
        }
        Ok(count)
    }

    /// Sets the sequence gauges: the store's newest entry, and how many
    /// entries the cache follower and the search index have yet to apply.
    /// The follower passes over this process's own writes too (their
    /// effects were applied as they were written), so a lag of a few
    /// entries for up to one follower round (200 ms) is normal; a lag that
    /// keeps growing is not.
    pub async fn observe_sequences(&self) {
        let Ok(newest) = self.store.last_seq().await else {
            return; // the store does not answer: the gauges keep their values
        };
        let caches = self.follower.applied_now.load(Ordering::Acquire);
        let index = self.search.get().map(|i| i.applied());
        self.metrics.set_sequences(newest, caches, index);
    }

    fn apply_change(&self, change: &ChangeRow) {
        if change.action.starts_with("documents_") {
            self.documents.clear();
        }
        let fx = effects(change);
        if fx.tokens {
            self.tokens.clear();
        }
        // The response cache is valid at one sequence; moving the sequence
        // to this entry makes every answer computed before it stale.
        self.advance(change.seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: &str, item: bool) -> ChangeRow {
        ChangeRow {
            seq: 1,
            at: 0,
            actor: "cli".into(),
            action: action.into(),
            item_id: item.then(|| "x".into()),
            item_type: item.then(|| "product".into()),
            version: None,
            detail: None,
        }
    }

    #[test]
    fn each_entry_says_what_it_makes_stale() {
        assert!(effects(&change("token_revoke", false)).tokens);
        assert!(!effects(&change("token_revoke", false)).content);
        assert!(!effects(&change("publish", true)).tokens);
        assert!(effects(&change("publish", true)).content);
        let user = effects(&change("user_create", false));
        assert!(!user.tokens && !user.content);
        let unknown = effects(&change("something_new", false));
        assert!(unknown.tokens && unknown.content);
    }
}
