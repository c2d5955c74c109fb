//! The rows writes store, built in memory: a new item's row (`new_row`),
//! an existing row with a patch applied (`apply_patch`) and a revision's
//! content (`revision_json`). Pure: no store access, so `create`, `update`
//! and import's bulk path share the same checks.

use serde_json::{Map, Value};

use super::item::{check_locale, check_slug, parse_fields};
use super::write::{DEFAULT_LOCALE, new_id};
use super::{Hub, NewItem, Patch, slugify};
use crate::error::{Error, FieldError, Result};
use crate::model::FieldKind;
use crate::model::values::{check_fields, format_date, parse_date};
use crate::store::{ItemRow, Status};

/// A row with a patch applied: the checked content, whether the content
/// changed, and whether its references did.
pub(crate) struct Patched {
    pub row: ItemRow,
    pub fields: Map<String, Value>,
    pub content_changed: bool,
    pub refs_changed: bool,
}

/// The content a revision keeps: the item's keys and its fields. The stored
/// fields are already JSON text and are copied in as they are, not parsed
/// again (import writes one revision per item).
pub(crate) fn revision_json(row: &ItemRow) -> String {
    let text = |v: &str| Value::String(v.to_string()).to_string();
    let opt = |v: &Option<String>| v.as_deref().map_or_else(|| "null".to_string(), text);
    format!(
        r#"{{"type":{},"slug":{},"locale":{},"external_id":{},"review_by":{},"fields":{}}}"#,
        text(&row.type_name),
        text(&row.slug),
        text(&row.locale),
        opt(&row.external_id),
        opt(&row.review_by),
        row.fields
    )
}

fn normalise_review_by(v: Option<&str>) -> Result<Option<String>> {
    match v {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_date(s).map(|d| Some(format_date(d))).map_err(|m| {
            Error::Validation(vec![
                FieldError::new("reviewBy", m).nl(format!("'{s}' is geen bestaande datum.")),
            ])
        }),
    }
}

fn normalise_external_id(v: Option<&str>) -> Result<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.len() > 200 || s.chars().any(char::is_control) => Err(Error::invalid(
            "externalId",
            "an external id is at most 200 characters, without control characters",
        )),
        Some(s) => Ok(Some(s.to_string())),
    }
}

impl Hub {
    /// Checks a new item and builds its row (version 1, draft). Shared by
    /// create and import, so both apply the same rules.
    pub(crate) fn new_row(&self, new: NewItem, now: i64) -> Result<(ItemRow, Map<String, Value>)> {
        let ty = self.type_def(&new.type_name)?;
        let fields = check_fields(&self.model, ty, &new.fields).map_err(Error::Validation)?;
        let slug = match new.slug.filter(|s| !s.is_empty()) {
            Some(s) => s,
            None => {
                let title = fields
                    .get(&ty.title_field)
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if let Some(c) = super::item::unfoldable(title) {
                    return Err(Error::Validation(vec![FieldError::new(
                        "slug",
                        format!(
                            "the title contains `{c}`, which cannot be written in a web address; pass a slug (lowercase letters, digits and hyphens)"
                        ),
                    )
                    .nl(format!("De titel bevat '{c}', dat niet in een webadres kan. Vul zelf een webadres-naam in (kleine letters, cijfers en streepjes)."))]));
                }
                let slug = slugify(title);
                if slug.is_empty() {
                    return Err(Error::Validation(vec![FieldError::new(
                        "slug",
                        format!("no slug can be made from the title `{title}`; pass a slug"),
                    )
                    .nl("Van deze titel is geen webadres te maken. Vul zelf een webadres-naam in.")]));
                }
                slug
            }
        };
        check_slug(&slug)?;
        let locale = new.locale.unwrap_or_else(|| DEFAULT_LOCALE.to_string());
        check_locale(&locale)?;
        let row = ItemRow {
            id: new.id.unwrap_or_else(new_id),
            type_name: ty.name.clone(),
            slug,
            locale,
            status: Status::Draft,
            version: 1,
            external_id: normalise_external_id(new.external_id.as_deref())?,
            fields: Value::Object(fields.clone()).to_string(),
            published_version: None,
            published_fields: None,
            review_by: normalise_review_by(new.review_by.as_deref())?,
            publish_at: None,
            unpublish_at: None,
            schedule_error: None,
            created_at: now,
            updated_at: now,
            published_at: None,
            published_slug: None,
            published_external_id: None,
            published_review_by: None,
        };
        Ok((row, fields))
    }

    /// Applies `patch` to `row` in memory. Returns None when nothing
    /// changed. The row's version and time are not touched.
    pub(crate) fn apply_patch(&self, mut row: ItemRow, patch: Patch) -> Result<Option<Patched>> {
        let ty = self.type_def(&row.type_name)?;
        let old = parse_fields(&row.fields, &row.id)?;
        let mut fields = old.clone();
        for (k, v) in patch.fields {
            if v.is_null() {
                fields.remove(&k);
            } else {
                fields.insert(k, v);
            }
        }
        let fields = check_fields(&self.model, ty, &fields).map_err(Error::Validation)?;
        let mut changed = false;
        if let Some(slug) = patch.slug.filter(|s| *s != row.slug) {
            check_slug(&slug)?;
            row.slug = slug;
            changed = true;
        }
        if let Some(e) = patch.external_id {
            let e = normalise_external_id(e.as_deref())?;
            changed |= e != row.external_id;
            row.external_id = e;
        }
        if let Some(r) = patch.review_by {
            let r = normalise_review_by(r.as_deref())?;
            changed |= r != row.review_by;
            row.review_by = r;
        }
        let content_changed = old != fields;
        if !changed && !content_changed {
            return Ok(None);
        }
        let refs_changed = ty
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Reference)
            .any(|f| old.get(&f.name) != fields.get(&f.name));
        row.fields = Value::Object(fields.clone()).to_string();
        Ok(Some(Patched {
            row,
            fields,
            content_changed,
            refs_changed,
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn revision_json_is_the_item_with_its_fields_as_stored() {
        let row = crate::store::ItemRow {
            id: "i".into(),
            type_name: "step".into(),
            slug: "a-\"b".into(),
            locale: "nl".into(),
            status: crate::store::Status::Draft,
            version: 1,
            external_id: None,
            fields: r#"{"title":"Stap \"één\"","n":2}"#.into(),
            published_version: None,
            published_fields: None,
            review_by: Some("2027-01-01".into()),
            publish_at: None,
            unpublish_at: None,
            schedule_error: None,
            created_at: 0,
            updated_at: 0,
            published_at: None,
            published_slug: None,
            published_external_id: None,
            published_review_by: None,
        };
        let expected = serde_json::json!({
            "type": "step", "slug": "a-\"b", "locale": "nl", "external_id": null,
            "review_by": "2027-01-01", "fields": {"title": "Stap \"één\"", "n": 2},
        })
        .to_string();
        assert_eq!(super::revision_json(&row), expected);
    }
}
