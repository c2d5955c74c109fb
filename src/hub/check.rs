//! `bron check`: the content lint. Finds items that no longer satisfy the
//! model (after a model change), published items that point at unpublished
//! ones, `{{fact:…}}` placeholders naming no fact, and review dates past due.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::item::{edges, parse_fields};
use super::{Hub, Role, Viewer};
use crate::error::Result;
use crate::model::FieldKind;
use crate::model::values::check_fields;
use crate::store::Status;

#[derive(Debug, Default)]
pub struct CheckReport {
    /// Must be fixed: the content breaks a rule.
    pub errors: Vec<String>,
    /// Should be looked at: e.g. review dates past due.
    pub warnings: Vec<String>,
    pub items: usize,
}

impl Hub {
    pub async fn check(&self, viewer: &Viewer, today: &str) -> Result<CheckReport> {
        viewer.require(Role::Editor, "checking content")?;
        let rows = self.store.all_items().await?;
        let status: HashMap<&str, (Status, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    (r.status, r.type_name.as_str(), r.slug.as_str()),
                )
            })
            .collect();
        let facts: HashSet<(&str, &str)> = rows
            .iter()
            .filter(|r| r.type_name == "fact")
            .map(|r| (r.locale.as_str(), r.slug.as_str()))
            .collect();
        let mut report = CheckReport {
            items: rows.len(),
            ..Default::default()
        };
        for row in &rows {
            let name = format!("{} `{}` ({})", row.type_name, row.slug, row.locale);
            let Some(ty) = self.model.get(&row.type_name) else {
                report.errors.push(format!(
                    "{name}: its type is no longer in the content model"
                ));
                continue;
            };
            let fields = parse_fields(&row.fields, &row.id)?;
            if let Err(problems) = check_fields(&self.model, ty, &fields) {
                for p in problems {
                    report.errors.push(format!("{name}: {p}"));
                }
            }
            if row.status == Status::Published
                && let Some(text) = &row.published_fields
            {
                let live = parse_fields(text, &row.id)?;
                for (field, pos, id) in edges(ty, &live) {
                    match status.get(id.as_str()) {
                        Some((Status::Published, _, _)) => {}
                        Some((s, t, slug)) => report.errors.push(format!(
                            "{name}: fields.{field}[{pos}] points at {t} `{slug}`, which is {}",
                            s.as_str()
                        )),
                        None => report.errors.push(format!(
                            "{name}: fields.{field}[{pos}] points at a missing item"
                        )),
                    }
                }
            }
            for f in ty.fields.iter().filter(|f| f.kind == FieldKind::Markdown) {
                if let Some(Value::String(text)) = fields.get(&f.name) {
                    for slug in crate::render::fill::fact_refs(text) {
                        if !facts.contains(&(row.locale.as_str(), slug)) {
                            report.errors.push(format!(
                                "{name}: fields.{} refers to {{{{fact:{slug}}}}}, but there is no such fact in locale {}",
                                f.name, row.locale
                            ));
                        }
                    }
                    for link in crate::render::plain::vague_links(text) {
                        report.warnings.push(format!(
                            "{name}: fields.{}: the link text \"{link}\" does not say where it leads; name the page instead (for people who use a screen reader)",
                            f.name
                        ));
                    }
                }
            }
            if row.status == Status::Published
                && let Some(date) = &row.review_by
                && date.as_str() < today
            {
                report
                    .warnings
                    .push(format!("{name}: review date {date} has passed"));
            }
        }
        // The route texts of channels.toml show facts in every product of
        // their locale: each fact they name should exist there.
        let locales: HashSet<&str> = rows.iter().map(|r| r.locale.as_str()).collect();
        let mut named = HashSet::new();
        for (locale, routes) in &self.model.routes {
            if !locales.contains(locale.as_str()) {
                continue;
            }
            for text in [&routes.desk, &routes.phone, &routes.post, &routes.help]
                .into_iter()
                .flatten()
            {
                for slug in crate::render::fill::fact_refs(text) {
                    if !facts.contains(&(locale.as_str(), slug)) && named.insert((locale, slug)) {
                        report.warnings.push(format!(
                            "channels.toml: routes.{locale} refers to {{{{fact:{slug}}}}}, but there is no such fact in locale {locale}; the route shows nothing in its place"
                        ));
                    }
                }
            }
        }
        Ok(report)
    }
}
