//! Bron's own exchange format: JSON Lines, one item per line:
//! `{"type", "slug", "locale", "status", "external_id", "review_by", "fields"}`
//! with references in `fields` given as slugs of the same locale. Export
//! writes the same shape in a stable order, so export → import → export
//! gives identical output.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::domain::{ItemRow, Status};
use crate::error::{Error, Result};
use crate::hub::{ImportRecord, MatchBy};
use crate::model::{ContentModel, FieldKind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(rename = "type")]
    type_name: String,
    slug: String,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    review_by: Option<String>,
    #[serde(default)]
    fields: Map<String, Value>,
}

pub(super) fn parse(model: &ContentModel, file: &str, text: &str) -> Result<Vec<ImportRecord>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fail = |message: String| Error::Import {
            file: file.to_string(),
            line,
            message,
        };
        let l: Line =
            serde_json::from_str(raw).map_err(|e| fail(format!("not a valid item line: {e}")))?;
        if model.get(&l.type_name).is_none() {
            let known: Vec<_> = model.types.keys().map(String::as_str).collect();
            return Err(fail(format!(
                "unknown type `{}`; known types: {}",
                l.type_name,
                known.join(", ")
            )));
        }
        let status = match l.status.as_deref() {
            None => Status::Draft,
            Some(s) => s.parse().map_err(|e: Error| fail(e.to_string()))?,
        };
        out.push(ImportRecord {
            file: file.to_string(),
            line,
            type_name: l.type_name,
            slug: l.slug,
            locale: l.locale.unwrap_or_else(|| "nl".into()),
            status,
            external_id: l.external_id,
            review_by: l.review_by,
            fields: l.fields,
            match_by: MatchBy::Slug,
        });
    }
    Ok(out)
}

/// Writes `rows` (all items) as export lines, sorted by type, locale and slug.
pub fn export_lines(model: &ContentModel, rows: &[ItemRow]) -> Result<String> {
    let slugs: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.id.as_str(), r.slug.as_str()))
        .collect();
    let mut sorted: Vec<&ItemRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.type_name, &a.locale, &a.slug).cmp(&(&b.type_name, &b.locale, &b.slug))
    });
    let mut out = String::new();
    for row in sorted {
        let ty = model.get(&row.type_name).ok_or_else(|| {
            Error::Internal(format!(
                "item {} has type `{}`, unknown to the model",
                row.id, row.type_name
            ))
        })?;
        let mut fields: Map<String, Value> = match serde_json::from_str(&row.fields) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(Error::Internal(format!(
                    "item {} has unreadable content",
                    row.id
                )));
            }
        };
        for def in ty.fields.iter().filter(|f| f.kind == FieldKind::Reference) {
            let to_slug = |v: &Value| {
                v.as_str()
                    .and_then(|id| slugs.get(id))
                    .map(|s| Value::String(s.to_string()))
                    .unwrap_or(Value::Null)
            };
            if let Some(v) = fields.get_mut(&def.name) {
                let mapped = match &*v {
                    Value::Array(items) => Value::Array(items.iter().map(to_slug).collect()),
                    other => to_slug(other),
                };
                *v = mapped;
            }
        }
        let line = json!({
            "type": row.type_name,
            "slug": row.slug,
            "locale": row.locale,
            "status": row.status.as_str(),
            "external_id": row.external_id,
            "review_by": row.review_by,
            "fields": fields,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Ok(out)
}
