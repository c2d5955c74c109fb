//! Error shape: every error in a response carries `extensions.code`, field
//! errors carry their `path`, a field that failed is present as `null` (the
//! dynamic schema of async-graphql drops its key instead), and a request that
//! fails as a whole (it does not parse or validate) has no `data` entry, as
//! GraphQL over HTTP expects.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{Name, PathSegment, Response, ServerResult, Value};

/// Adds the response path to errors raised by resolvers (async-graphql's
/// dynamic schema leaves it out).
pub struct ErrorPaths;

impl ExtensionFactory for ErrorPaths {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorPaths)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorPaths {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let path = info.path_node;
        next.run(ctx, info).await.map_err(|mut e| {
            if e.path.is_empty() {
                e.path = path
                    .to_string_vec()
                    .into_iter()
                    .map(|s| match s.parse::<usize>() {
                        Ok(i) => PathSegment::Index(i),
                        Err(_) => PathSegment::Field(s),
                    })
                    .collect();
            }
            e
        })
    }
}

/// Fills in missing codes and serialises. Returns the body and whether the
/// request failed as a whole.
pub fn finish(mut response: Response) -> (Vec<u8>, bool) {
    let request_error = !response.errors.is_empty()
        && response.data == Value::Null
        && response.errors.iter().all(|e| e.path.is_empty());
    if !request_error {
        for e in &response.errors {
            put_null(&mut response.data, &e.path);
        }
    }
    for e in &mut response.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code {
            let code = if !request_error {
                "INTERNAL"
            } else if e.message.contains("-->") {
                "GRAPHQL_PARSE_FAILED"
            } else {
                "GRAPHQL_VALIDATION_FAILED"
            };
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
    let body = if request_error {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    let body = body.unwrap_or_else(|_| {
        br#"{"errors":[{"message":"the response could not be serialised","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
    });
    (body, request_error)
}

/// Makes the field at `path` present as null, creating the objects on the
/// way that were left out because all their fields failed.
fn put_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = data;
    for seg in parents {
        at = match seg {
            PathSegment::Field(name) => {
                if *at == Value::Null {
                    *at = Value::Object(Default::default());
                }
                let Value::Object(map) = at else { return };
                map.entry(Name::new(name)).or_insert(Value::Null)
            }
            PathSegment::Index(i) => match at {
                Value::List(items) if *i < items.len() => &mut items[*i],
                _ => return,
            },
        };
    }
    if let PathSegment::Field(name) = last {
        if *at == Value::Null {
            *at = Value::Object(Default::default());
        }
        if let Value::Object(map) = at {
            map.entry(Name::new(name)).or_insert(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fields_become_null() {
        let mut data = Value::from_json(serde_json::json!({"steps": {"nodes": [null]}})).unwrap();
        let path = vec![
            PathSegment::Field("steps".into()),
            PathSegment::Field("nodes".into()),
            PathSegment::Index(0),
            PathSegment::Field("revisions".into()),
        ];
        put_null(&mut data, &path);
        assert_eq!(
            data.into_json().unwrap(),
            serde_json::json!({"steps": {"nodes": [{"revisions": null}]}})
        );
        let mut root = Value::Null;
        put_null(&mut root, &[PathSegment::Field("createStep".into())]);
        assert_eq!(
            root.into_json().unwrap(),
            serde_json::json!({"createStep": null})
        );
    }
}
