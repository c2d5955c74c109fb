//! An item's revisions: every version with its author and message, a
//! readable word diff between any two, and revert (the old content becomes
//! the newest version, through the hub like any edit).

use askama::Template;
use serde_json::Value;

use super::diff::{self, FieldDiff};
use super::form::{Pairs, one};
use super::views::{Layout, when};
use super::{Reply, error_page, message, page};
use crate::hub::{Hub, Session};

pub struct RevisionView {
    pub version: i64,
    pub when: String,
    pub author: String,
    pub message: String,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Option<Layout>,
    title: String,
    back: String,
    revert: String,
    revisions: Vec<RevisionView>,
    current: i64,
    a: i64,
    b: i64,
    diff: Vec<FieldDiff>,
}

impl HistoryPage {
    fn csrf(&self) -> &str {
        self.layout
            .as_ref()
            .map(|l| l.csrf.as_str())
            .unwrap_or_default()
    }
}

/// The history of an item, comparing versions `a` and `b` (by default the
/// one before the latest with the latest).
pub async fn history(
    hub: &Hub,
    s: &Session,
    type_name: &str,
    id: &str,
    a: Option<i64>,
    b: Option<i64>,
) -> Reply {
    let ty = match super::edit::type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let item = match super::edit::load(hub, s, ty, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let revs = match hub.revisions(&s.viewer, id).await {
        Ok(r) => r,
        Err(e) => return error_page(hub, s, &e),
    };
    let current = item.version;
    let b = b.unwrap_or(current);
    let a = a.unwrap_or((b - 1).max(1));
    let content = |n: i64| {
        revs.iter()
            .find(|r| r.version == n)
            .and_then(|r| serde_json::from_str::<Value>(&r.content).ok())
    };
    let diff = match (content(a), content(b)) {
        (Some(old), Some(new)) => {
            let titles = super::fields::ref_titles(hub, s, ty, &[old.clone(), new.clone()]).await;
            let title = |i: &str| titles.get(i).cloned().unwrap_or_else(|| i.to_string());
            diff::revisions(ty, &old, &new, &title)
        }
        _ => Vec::new(),
    };
    let title = item
        .fields
        .get(&ty.title_field)
        .and_then(Value::as_str)
        .unwrap_or(&item.slug)
        .to_string();
    let base = format!("/admin/{type_name}/{id}");
    page(
        200,
        HistoryPage {
            layout: Some(Layout::new(hub, s, &title, &format!("/admin/{type_name}"))),
            title,
            revert: format!("{base}/terugzetten"),
            back: base,
            revisions: revs
                .iter()
                .map(|r| RevisionView {
                    version: r.version,
                    when: when(r.created_at),
                    author: r.author.clone(),
                    message: r.message.clone(),
                    live: item.published_version == Some(r.version),
                })
                .collect(),
            current,
            a,
            b,
            diff,
        },
    )
}

/// Reverts to the posted version `to`, from the posted `version`.
pub async fn revert(hub: &Hub, s: &Session, type_name: &str, id: &str, pairs: Pairs) -> Reply {
    let num = |k: &str| one(&pairs, k).and_then(|v| v.parse::<i64>().ok());
    let (Some(version), Some(to)) = (num("version"), num("to")) else {
        return message(
            hub,
            Some(s),
            400,
            "Dit kan zo niet",
            "Kies de versie die u wilt terugzetten.",
            None,
        );
    };
    match hub.revert(&s.viewer, id, version, to, None).await {
        Ok(_) => Reply::Redirect(format!("/admin/{type_name}/{id}?klaar=reverted")),
        Err(e) => error_page(hub, s, &e),
    }
}
