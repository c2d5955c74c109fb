//! A cache of parsed GraphQL documents, keyed by the query text. Front ends
//! send the same few documents with different variables, so parsing each
//! one once is enough. Bounded: at most 1,000 documents of up to 16 KiB;
//! when full it starts over. Holds no answers, only syntax trees, so it
//! needs no invalidation.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerResult, Variables};

const MAX_DOCUMENTS: usize = 1000;
const MAX_QUERY_BYTES: usize = 16 * 1024;

#[derive(Default, Clone)]
pub struct Documents(Arc<RwLock<HashMap<String, Arc<ExecutableDocument>>>>);

impl ExtensionFactory for Documents {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Documents {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some(doc) = self.0.read().unwrap_or_else(|e| e.into_inner()).get(query) {
            return Ok(ExecutableDocument::clone(doc));
        }
        let doc = next.run(ctx, query, variables).await?;
        if query.len() <= MAX_QUERY_BYTES {
            let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
            if map.len() >= MAX_DOCUMENTS {
                map.clear();
            }
            map.insert(query.to_string(), Arc::new(doc.clone()));
        }
        Ok(doc)
    }
}
