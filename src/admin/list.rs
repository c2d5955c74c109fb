//! A list of one type's items, newest change first, with status, language
//! and team filters, and search (through the search index, drafts included).

use askama::Template;

use super::views::{Layout, RowView, when};
use super::{Reply, error_page, page};
use crate::domain::{OrderKey, WorkRow};
use crate::hub::{Hub, ItemView, ListRequest, Session};
use crate::model::TypeDef;
use crate::store::Status;

/// The filters as a list page's query string has them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub after: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    layout: Option<Layout>,
    heading: String,
    caption: String,
    type_name: String,
    type_label: String,
    q: String,
    status: String,
    locale: String,
    team: String,
    has_team: bool,
    teams: Vec<String>,
    statuses: Vec<(&'static str, &'static str)>,
    locales: Vec<(&'static str, &'static str)>,
    rows: Vec<RowView>,
    next: Option<String>,
}

const PAGE: i64 = 50;

/// An item's short row, as the worklist shows one.
pub fn work_row(ty: &TypeDef, v: &ItemView) -> WorkRow {
    WorkRow {
        id: v.id.clone(),
        type_name: v.type_name.clone(),
        slug: v.slug.clone(),
        locale: v.locale.clone(),
        status: v.status.as_str().to_string(),
        version: v.version,
        published_version: v.published_version,
        review_by: v.review_by.clone(),
        publish_at: v.publish_at,
        unpublish_at: v.unpublish_at,
        schedule_error: v.schedule_error.clone(),
        updated_at: v.updated_at,
        owner_team: v
            .fields
            .get("owner_team")
            .and_then(|t| t.as_str())
            .map(String::from),
        title: v
            .fields
            .get(&ty.title_field)
            .and_then(|t| t.as_str())
            .map(String::from),
    }
}

pub async fn list(hub: &Hub, s: &Session, type_name: &str, p: ListParams) -> Reply {
    let ty = match super::edit::type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let status = match p.status.as_str() {
        "" => None,
        other => other.parse::<Status>().ok(),
    };
    let has_team = ty.field("owner_team").is_some();
    let team = p.team.trim().to_string();
    let locale = if p.locale.is_empty() {
        "*".to_string()
    } else {
        p.locale.clone()
    };
    let mut next = None;
    let views: Vec<std::sync::Arc<ItemView>> = if p.q.trim().is_empty() {
        let mut fields = Vec::new();
        if has_team && !team.is_empty() {
            fields.push((
                "owner_team".to_string(),
                serde_json::Value::String(team.clone()),
            ));
        }
        let req = ListRequest {
            type_name: type_name.to_string(),
            status,
            locale: Some(locale.clone()),
            updated_since: None,
            external_id: None,
            fields,
            order: OrderKey::UpdatedAt,
            descending: true,
            first: Some(PAGE),
            after: (!p.after.is_empty()).then(|| p.after.clone()),
            last: None,
            before: None,
        };
        match hub.list(&s.viewer, req).await {
            Ok(page) => {
                if page.has_next_page
                    && let Some((_, cursor)) = page.items.last()
                {
                    next = Some(next_link(type_name, &p, cursor));
                }
                page.items.into_iter().map(|(v, _)| v).collect()
            }
            Err(e) => return error_page(hub, s, &e),
        }
    } else {
        match hub
            .find_for_editor(&s.viewer, type_name, &p.q, Some(&locale), PAGE as usize)
            .await
        {
            Ok(found) => found
                .into_iter()
                .filter(|v| status.is_none_or(|st| v.status == st))
                .filter(|v| {
                    team.is_empty()
                        || v.fields.get("owner_team").and_then(|t| t.as_str()) == Some(&team)
                })
                .collect(),
            Err(e) => return error_page(hub, s, &e),
        }
    };
    let model = hub.model();
    let rows = views
        .iter()
        .map(|v| RowView::new(model, &work_row(ty, v), when(v.updated_at)))
        .collect();
    let teams = if has_team {
        hub.owner_teams().await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let heading = ty.label_plural.clone();
    page(
        200,
        ListPage {
            layout: Some(Layout::new(
                hub,
                s,
                &heading,
                &format!("/admin/{type_name}"),
            )),
            caption: format!("{heading}, nieuwste wijziging eerst"),
            heading,
            type_name: type_name.to_string(),
            type_label: ty.label.clone(),
            q: p.q,
            status: p.status,
            locale,
            team,
            has_team,
            teams,
            statuses: vec![
                ("", "Alle"),
                ("draft", "Concept"),
                ("published", "Gepubliceerd"),
                ("archived", "Gearchiveerd"),
            ],
            locales: vec![("*", "Alle talen"), ("nl", "Nederlands"), ("en", "Engels")],
            rows,
            next,
        },
    )
}

fn next_link(type_name: &str, p: &ListParams, cursor: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "/admin/{type_name}?status={}&locale={}&team={}&after={}",
        enc(&p.status),
        enc(if p.locale.is_empty() { "*" } else { &p.locale }),
        enc(&p.team),
        enc(cursor)
    )
}
