//! Reads: one item, many items by id (for batched references), lists with
//! filters and cursors, revisions. Each read is shaped by the caller's role.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::{Hub, ItemView, Role, Viewer};
use crate::error::{Error, Result};
use crate::store::{
    Cursor, FieldFilter, ItemRow, ListQuery, Lookup, Order, OrderKey, RevisionRow, Status,
};

/// How one item is looked up.
#[derive(Debug, Clone)]
pub enum ItemKey {
    Id(String),
    Slug { locale: String, slug: String },
    ExternalId { locale: String, external_id: String },
}

impl ItemKey {
    fn lookup(&self) -> Lookup<'_> {
        match self {
            ItemKey::Id(id) => Lookup::Id(id),
            ItemKey::Slug { locale, slug } => Lookup::Slug { locale, slug },
            ItemKey::ExternalId {
                locale,
                external_id,
            } => Lookup::ExternalId {
                locale,
                external_id,
            },
        }
    }
}

/// A list request as the API layer passes it on.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub type_name: String,
    pub status: Option<Status>,
    pub locale: Option<String>,
    pub updated_since: Option<i64>,
    pub external_id: Option<String>,
    /// Equality filters on model fields (contains, for list fields).
    pub fields: Vec<(String, Value)>,
    pub order: OrderKey,
    pub descending: bool,
    pub first: Option<i64>,
    pub after: Option<String>,
    pub last: Option<i64>,
    pub before: Option<String>,
}

pub struct ListPage {
    pub items: Vec<(Arc<ItemView>, String)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// The query, to count the matches when a caller asks for the total.
    pub query: ListQuery,
}

pub const DEFAULT_PAGE: i64 = 20;
/// The `locale` filter value that lists items of every language.
pub const ANY_LOCALE: &str = "*";
pub const MAX_PAGE: i64 = 100;

/// The locale a list or search is narrowed to: the default locale when the
/// caller names none, every locale for `*`.
pub(super) fn locale_filter(locale: Option<&str>) -> Option<String> {
    match locale {
        None => Some(super::write::DEFAULT_LOCALE.to_string()),
        Some(ANY_LOCALE) => None,
        Some(l) => Some(l.to_string()),
    }
}

impl Hub {
    pub(super) fn view(&self, row: &ItemRow, role: Role) -> Result<Option<ItemView>> {
        let ty = self.model.get(&row.type_name).ok_or_else(|| {
            Error::Internal(format!(
                "item {} has type `{}`, which the content model no longer declares",
                row.id, row.type_name
            ))
        })?;
        ItemView::from_row(row, ty, role)
    }

    /// One item of type `type_name`, if it exists and the viewer may see it.
    pub async fn get(
        &self,
        viewer: &Viewer,
        type_name: &str,
        key: &ItemKey,
    ) -> Result<Option<Arc<ItemView>>> {
        let row = self
            .store
            .item_by(type_name, key.lookup(), viewer.role.stage())
            .await?;
        match row {
            Some(r) if r.type_name == type_name => Ok(self.view(&r, viewer.role)?.map(Arc::new)),
            _ => Ok(None),
        }
    }

    /// One item and the items it refers to, in one store round trip: for a
    /// page that shows an item with its references.
    pub async fn get_with_refs(
        &self,
        viewer: &Viewer,
        type_name: &str,
        key: &ItemKey,
    ) -> Result<(Option<Arc<ItemView>>, HashMap<String, Arc<ItemView>>)> {
        let rows = self
            .store
            .item_with_refs(type_name, key.lookup(), viewer.role.stage())
            .await?;
        let mut item = None;
        let mut refs = HashMap::new();
        for (row, is_ref) in &rows {
            let Some(view) = self.view(row, viewer.role)? else {
                continue;
            };
            if *is_ref {
                refs.insert(row.id.clone(), Arc::new(view));
            } else {
                item = Some(Arc::new(view));
            }
        }
        Ok((item, refs))
    }

    /// The items that use `item`, as `viewer` sees them: those whose
    /// references point at it and, for a fact, those whose text shows it
    /// (`{{fact:slug}}` in the same locale). Sorted by type and slug; at
    /// most `limit`.
    pub async fn used_by(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        limit: usize,
    ) -> Result<Vec<Arc<ItemView>>> {
        let stage = viewer.role.stage();
        let mut ids = self.store.referrers(&item.id, stage).await?;
        let mentions = if item.type_name == "fact" {
            self.store.ids_mentioning_fact(&item.slug).await?
        } else {
            Vec::new()
        };
        ids.extend(mentions.iter().cloned());
        ids.sort();
        ids.dedup();
        let found = self.load_many(viewer, &ids).await?;
        let mut out: Vec<Arc<ItemView>> = found
            .into_values()
            .filter(|v| {
                if !mentions.contains(&v.id) || v.reference_ids_all(self.model()).contains(&item.id)
                {
                    return true;
                }
                // A mention candidate: keep it only if it shows this fact.
                v.locale == item.locale
                    && self.model.get(&v.type_name).is_some_and(|ty| {
                        super::item::fact_mentions(ty, &v.fields)
                            .iter()
                            .any(|(_, s)| *s == item.slug)
                    })
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.type_name, &a.slug, &a.locale).cmp(&(&b.type_name, &b.slug, &b.locale))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// One item of any type by id.
    pub async fn get_any(&self, viewer: &Viewer, id: &str) -> Result<Option<Arc<ItemView>>> {
        match self.store.item(id, viewer.role.stage()).await? {
            Some(r) => Ok(self.view(&r, viewer.role)?.map(Arc::new)),
            None => Ok(None),
        }
    }

    /// Many items by id in one store round trip; missing and invisible ones are left out.
    pub async fn load_many(
        &self,
        viewer: &Viewer,
        ids: &[String],
    ) -> Result<HashMap<String, Arc<ItemView>>> {
        let rows = self.store.items(ids, viewer.role.stage()).await?;
        let mut out = HashMap::with_capacity(rows.len());
        for row in &rows {
            if let Some(v) = self.view(row, viewer.role)? {
                out.insert(row.id.clone(), Arc::new(v));
            }
        }
        Ok(out)
    }

    pub async fn list(&self, viewer: &Viewer, req: ListRequest) -> Result<ListPage> {
        let ty = self
            .model
            .get(&req.type_name)
            .ok_or_else(|| Error::BadInput(format!("unknown type `{}`", req.type_name)))?;
        let mut fields = Vec::new();
        for (name, value) in req.fields {
            let def = ty.field(&name).ok_or_else(|| {
                Error::invalid(format!("filter.{name}"), format!("unknown field `{name}`"))
            })?;
            if def.internal && !viewer.role.sees_internal() {
                viewer.require(
                    Role::Agent,
                    &format!("filtering on the internal field `{name}`"),
                )?;
            }
            // Checked like a saved value, so `"abc"` for an amount is an
            // error rather than a silent empty list, and `84.7` matches the
            // stored `"84.70"`.
            let value = crate::model::values::check_value(
                &self.model,
                def,
                &format!("filter.{name}"),
                &value,
            )
            .map_err(Error::Validation)?;
            fields.push(FieldFilter {
                name,
                list: def.list,
                value,
            });
        }
        if let OrderKey::Field { name, .. } = &req.order
            && ty.field(name).is_some_and(|f| f.internal)
        {
            viewer.require(
                Role::Agent,
                &format!("sorting on the internal field `{name}`"),
            )?;
        }
        if req.first.is_some() && req.last.is_some() {
            return Err(Error::BadInput(
                "pass either `first` or `last`, not both".into(),
            ));
        }
        let from_end = req.last.is_some() || (req.before.is_some() && req.first.is_none());
        let limit = req.first.or(req.last).unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&limit) {
            let arg = if req.last.is_some() { "last" } else { "first" };
            return Err(Error::BadInput(format!(
                "`{arg}` must be between 0 and {MAX_PAGE}, got {limit}"
            )));
        }
        let query = ListQuery {
            type_name: req.type_name,
            stage: viewer.role.stage(),
            status: req.status,
            // One default for lists and single lookups: Dutch, unless the
            // caller names a language, or `*` for every language.
            locale: locale_filter(req.locale.as_deref()),
            updated_since: req.updated_since,
            external_id: req.external_id,
            fields,
            order: Order {
                key: req.order,
                descending: req.descending,
            },
            after: req.after.as_deref().map(Cursor::decode).transpose()?,
            before: req.before.as_deref().map(Cursor::decode).transpose()?,
            limit,
            from_end,
        };
        let result = self.store.list(&query).await?;
        let mut items = Vec::with_capacity(result.rows.len());
        for (row, cursor) in &result.rows {
            if let Some(v) = self.view(row, viewer.role)? {
                items.push((Arc::new(v), cursor.encode()));
            }
        }
        let (has_next_page, has_previous_page) = if from_end {
            (query.before.is_some(), result.has_more)
        } else {
            (result.has_more, query.after.is_some())
        };
        Ok(ListPage {
            items,
            has_next_page,
            has_previous_page,
            query,
        })
    }

    pub async fn count(&self, query: &ListQuery) -> Result<i64> {
        self.store.count(query).await
    }

    /// The change log after `seq`, oldest first.
    pub async fn changes_since(
        &self,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<crate::domain::ChangeRow>> {
        self.store.changes_since(seq, limit).await
    }

    /// The revision history of an item, newest first. Editors and up.
    pub async fn revisions(&self, viewer: &Viewer, item_id: &str) -> Result<Vec<RevisionRow>> {
        viewer.require(Role::Editor, "reading revisions")?;
        self.store.revisions(item_id).await
    }
}
