//! Per-request state: who is asking, and a DataLoader that collects the
//! references resolved in one step of execution into one store query, so a
//! product page with steps, conditions and questions costs one extra
//! statement, not one per reference.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::hub::{Hub, ItemView, Viewer};

pub struct ItemLoader {
    hub: Arc<Hub>,
    viewer: Viewer,
}

impl Loader<String> for ItemLoader {
    type Value = Arc<ItemView>;
    type Error = Arc<crate::Error>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Arc<ItemView>>, Self::Error> {
        self.hub
            .load_many(&self.viewer, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Put into every GraphQL request's data.
pub struct RequestCtx {
    pub viewer: Viewer,
    pub loader: DataLoader<ItemLoader>,
}

impl RequestCtx {
    pub fn new(hub: Arc<Hub>, viewer: Viewer) -> RequestCtx {
        let loader = DataLoader::new(
            ItemLoader {
                hub,
                viewer: viewer.clone(),
            },
            tokio::spawn,
        )
        // The default waits 1 ms to gather a batch; sibling fields register
        // their keys in the same poll, so no wait is needed.
        .delay(Duration::ZERO)
        .max_batch_size(500);
        RequestCtx { viewer, loader }
    }
}
