//! `bron documents …`: registering the GraphQL operations a production site
//! may run (trusted documents). Reads the manifests clients' build tools
//! write, so the ids Bron knows are the ids the clients send:
//!
//! - Apollo's persisted query manifest (`generate-persisted-query-manifest`):
//!   `{"format": "apollo-persisted-query-manifest", "operations": [{"id", "name", "body"}]}`;
//! - a map of id to text, as relay-compiler (`persistConfig` with the
//!   SHA256 algorithm) and graphql-codegen's persisted documents write it;
//! - a `.graphql` file, registered as its exact text.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use serde_json::Value;

use crate::hub::{Hub, NewDocument, Viewer, ms_to_datetime};

#[derive(Subcommand)]
pub enum DocumentsCommand {
    /// Register the documents in these files (all of them or none).
    Add {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the registered documents: id, operation name, when, by whom.
    List,
    /// Remove a registered document by its id (`sha256:` optional).
    Remove { id: String },
}

pub async fn run(hub: &Hub, command: DocumentsCommand) -> anyhow::Result<()> {
    let viewer = Viewer::cli();
    match command {
        DocumentsCommand::Add { files } => {
            let mut docs = Vec::new();
            for f in &files {
                docs.extend(read(f)?);
            }
            let n = docs.len();
            let done = hub.add_documents(&viewer, docs).await?;
            eprintln!(
                "Registered {} new document(s) of {n}; {} were registered already.",
                done.added, done.known
            );
        }
        DocumentsCommand::List => {
            for d in hub.documents(&viewer).await? {
                println!(
                    "sha256:{}\t{}\t{}\t{}",
                    d.hash,
                    d.name.as_deref().unwrap_or("-"),
                    ms_to_datetime(d.added_at),
                    d.added_by
                );
            }
        }
        DocumentsCommand::Remove { id } => {
            hub.remove_document(&viewer, &id).await?;
            eprintln!("Removed document {id}.");
        }
    }
    Ok(())
}

/// The documents in one file, each checked to be GraphQL.
fn read(path: &Path) -> anyhow::Result<Vec<NewDocument>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let where_ = |what: &str| format!("{}: {what}", path.display());
    let mut out = Vec::new();
    let is_json = path.extension().is_some_and(|e| e == "json");
    if !is_json {
        let name = crate::graphql::check_document(&text)
            .map_err(|e| anyhow::anyhow!("{}", where_(&format!("not a GraphQL document: {e}"))))?;
        out.push(NewDocument {
            id: None,
            name,
            body: text,
        });
        return Ok(out);
    }
    let json: Value = serde_json::from_str(&text).with_context(|| where_("not valid JSON"))?;
    let pairs: Vec<(Option<String>, Option<String>, String)> = match &json {
        Value::Object(o)
            if o.get("format").and_then(Value::as_str)
                == Some("apollo-persisted-query-manifest") =>
        {
            let ops = o
                .get("operations")
                .and_then(Value::as_array)
                .ok_or_else(|| anyhow::anyhow!("{}", where_("`operations` must be a list")))?;
            ops.iter()
                .enumerate()
                .map(|(i, op)| {
                    let body = op.get("body").and_then(Value::as_str).ok_or_else(|| {
                        anyhow::anyhow!("{}", where_(&format!("operations[{i}] has no `body`")))
                    })?;
                    Ok((
                        op.get("id").and_then(Value::as_str).map(str::to_string),
                        op.get("name").and_then(Value::as_str).map(str::to_string),
                        body.to_string(),
                    ))
                })
                .collect::<anyhow::Result<_>>()?
        }
        Value::Object(o) => o
            .iter()
            .map(|(id, body)| {
                let body = body.as_str().ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}",
                        where_(&format!("the value of `{id}` is not a document's text"))
                    )
                })?;
                Ok((Some(id.clone()), None, body.to_string()))
            })
            .collect::<anyhow::Result<_>>()?,
        _ => anyhow::bail!(
            "{}",
            where_(
                "expected Apollo's persisted query manifest or an object of id to document text"
            )
        ),
    };
    for (id, name, body) in pairs {
        let parsed = crate::graphql::check_document(&body).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                where_(&format!(
                    "document {} is not GraphQL: {e}",
                    id.as_deref().unwrap_or("?")
                ))
            )
        })?;
        out.push(NewDocument {
            id,
            name: name.or(parsed),
            body,
        });
    }
    Ok(out)
}
