//! Per-request state: who is asking, and a batching loader that collects the
//! references resolved in one step of execution into one store query, so a
//! product page with steps, conditions and questions costs one extra
//! statement, not one per reference.
//!
//! Two mechanisms, both without timers (a timed wait, as async-graphql's
//! DataLoader does, costs more than the query):
//! - `prime`: a resolver that returns items looks ahead at the fields selected
//!   below it and loads everything those items refer to in one statement, so
//!   the reference fields find their items already loaded. This is what makes
//!   a product page two statements whatever it selects.
//! - `load_many`: what was not primed is batched: the first load starts a
//!   batch that yields once before it runs, so loads registered meanwhile join.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use async_graphql::Lookahead;

use crate::hub::{Hub, ItemView, Viewer};
use crate::model::{ContentModel, camel};

type Loaded = Result<Arc<HashMap<String, Arc<ItemView>>>, Arc<crate::Error>>;

#[derive(Default)]
struct State {
    /// Ids waiting for the batch that has not run yet.
    pending: Vec<String>,
    /// That batch, shared by everyone waiting for it.
    batch: Option<Shared<BoxFuture<'static, Loaded>>>,
    /// Everything loaded so far in this request.
    seen: HashMap<String, Arc<ItemView>>,
}

pub struct ItemLoader {
    hub: Arc<Hub>,
    viewer: Viewer,
    state: Arc<Mutex<State>>,
}

impl ItemLoader {
    /// The items with these ids that the viewer may see.
    pub async fn load_many(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, Arc<ItemView>>, Arc<crate::Error>> {
        let batch = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let missing: Vec<String> = ids
                .iter()
                .filter(|id| !st.seen.contains_key(*id))
                .cloned()
                .collect();
            if missing.is_empty() {
                return Ok(ids
                    .iter()
                    .filter_map(|id| st.seen.get(id).map(|v| (id.clone(), v.clone())))
                    .collect());
            }
            st.pending.extend(missing);
            match &st.batch {
                Some(b) => b.clone(),
                None => {
                    let b = self.start_batch();
                    st.batch = Some(b.clone());
                    b
                }
            }
        };
        let loaded = batch.await?;
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        Ok(ids
            .iter()
            .filter_map(|id| {
                loaded
                    .get(id)
                    .or_else(|| st.seen.get(id))
                    .map(|v| (id.clone(), v.clone()))
            })
            .collect())
    }

    /// Remembers items loaded elsewhere (e.g. with the item that refers to them).
    pub fn insert(&self, items: HashMap<String, Arc<ItemView>>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.seen.extend(items);
    }

    /// Loads the items `ids` that are not loaded yet, in one statement.
    pub async fn prime(&self, ids: Vec<String>) -> Result<(), Arc<crate::Error>> {
        let missing: Vec<String> = {
            let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let mut m: Vec<String> = ids
                .into_iter()
                .filter(|id| !st.seen.contains_key(id))
                .collect();
            m.sort();
            m.dedup();
            m
        };
        if missing.is_empty() {
            return Ok(());
        }
        let loaded = self
            .hub
            .load_many(&self.viewer, &missing)
            .await
            .map_err(Arc::new)?;
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.seen.extend(loaded);
        Ok(())
    }

    fn start_batch(&self) -> Shared<BoxFuture<'static, Loaded>> {
        let hub = self.hub.clone();
        let viewer = self.viewer.clone();
        let state = self.state.clone();
        async move {
            // Let the sibling fields register their ids first.
            tokio::task::yield_now().await;
            let ids = {
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                st.batch = None;
                let mut ids = std::mem::take(&mut st.pending);
                ids.sort();
                ids.dedup();
                ids
            };
            let loaded = hub.load_many(&viewer, &ids).await.map_err(Arc::new)?;
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            st.seen
                .extend(loaded.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(Arc::new(loaded))
        }
        .boxed()
        .shared()
    }
}

/// Put into every GraphQL request's data.
pub struct RequestCtx {
    pub viewer: Viewer,
    pub loader: ItemLoader,
    /// The searches this request ran: (channel, query, found nothing).
    pub searches: Arc<std::sync::Mutex<Vec<(String, String, bool)>>>,
    /// Set by a resolver whose answer must not be served again from the
    /// response cache (it made something new, such as a hand-over code).
    pub uncacheable: Arc<std::sync::atomic::AtomicBool>,
}

impl RequestCtx {
    pub fn new(hub: Arc<Hub>, viewer: Viewer) -> RequestCtx {
        let loader = ItemLoader {
            hub,
            viewer: viewer.clone(),
            state: Arc::new(Mutex::new(State::default())),
        };
        RequestCtx {
            viewer,
            loader,
            searches: Arc::default(),
            uncacheable: Arc::default(),
        }
    }
}

/// The ids that `items` refer to through the reference fields selected in any
/// of `levels` (lookaheads positioned at the items).
pub fn selected_refs(
    model: &ContentModel,
    items: &[Arc<ItemView>],
    levels: &[Lookahead<'_>],
) -> Vec<String> {
    let mut ids = Vec::new();
    for item in items {
        let Some(ty) = model.get(&item.type_name) else {
            continue;
        };
        // A rendering shows every reference.
        let rendered = levels.iter().any(|l| l.field("rendered").exists());
        for f in ty.reference_fields() {
            let name = camel(&f.name);
            if rendered || levels.iter().any(|l| l.field(&name).exists()) {
                ids.extend(item.reference_ids(&f.name));
            }
        }
    }
    ids
}
