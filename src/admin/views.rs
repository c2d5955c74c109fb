//! What the templates show, prepared: the layout (who is logged in, the
//! menu, the CSRF token), item rows with Dutch status labels, and dates as
//! people read them. Nothing here calls the hub for more than the model.

use crate::domain::WorkRow;
use crate::hub::{Hub, Role, Session, ms_to_datetime};
use crate::model::ContentModel;

/// A link in the main menu.
pub struct NavLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// The frame of every page after login.
pub struct Layout {
    pub title: String,
    pub user: String,
    pub role: &'static str,
    pub team: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavLink>,
}

impl Layout {
    /// `current` is the path of the menu entry this page belongs to.
    pub fn new(hub: &Hub, s: &Session, title: &str, current: &str) -> Layout {
        let mut nav = vec![NavLink {
            href: "/admin".into(),
            label: "Werklijst".into(),
            current: current == "/admin",
        }];
        for ty in type_order(hub.model()) {
            let href = format!("/admin/{}", ty.name);
            nav.push(NavLink {
                current: current == href,
                href,
                label: ty.label_plural.clone(),
            });
        }
        if s.viewer.role >= Role::Admin {
            nav.push(NavLink {
                href: "/admin/accounts".into(),
                label: "Accounts".into(),
                current: current == "/admin/accounts",
            });
        }
        Layout {
            title: title.into(),
            user: s.display_name.clone(),
            role: role_label(s.viewer.role),
            team: s.viewer.team.clone(),
            csrf: s.csrf.clone(),
            nav,
        }
    }
}

/// Types in the order editors meet them: products first, facts last.
pub fn type_order(model: &ContentModel) -> Vec<&crate::model::TypeDef> {
    let rank = |n: &str| match n {
        "product" => 0,
        "question" => 1,
        "step" => 2,
        "condition" => 3,
        "fact" => 5,
        _ => 4,
    };
    let mut types: Vec<_> = model.types.values().collect();
    types.sort_by_key(|t| (rank(&t.name), t.name.clone()));
    types
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Anonymous => "bezoeker",
        Role::Agent => "KCC-medewerker",
        Role::Editor => "redacteur",
        Role::Publisher => "publicist",
        Role::Admin => "beheerder",
    }
}

/// A status as editors say it, and a class for its colour.
pub fn status_label(
    status: &str,
    version: i64,
    published: Option<i64>,
) -> (&'static str, &'static str) {
    match status {
        "published" if published == Some(version) => ("Gepubliceerd", "live"),
        "published" => ("Gepubliceerd, met wijzigingen", "changed"),
        "archived" => ("Gearchiveerd", "archived"),
        _ => ("Concept", "draft"),
    }
}

/// A date (YYYY-MM-DD…) as "3 december 2026".
pub fn date(iso: &str) -> String {
    crate::render::phrases("nl").date(iso)
}

/// A time in ms as "3 december 2026, 10:30 UTC". Bron keeps and shows
/// times in UTC (the planning form says so too).
pub fn when(ms: i64) -> String {
    let iso = ms_to_datetime(ms);
    let time = iso.get(11..16).unwrap_or("");
    format!("{}, {time} UTC", date(&iso))
}

/// One item in a table.
pub struct RowView {
    pub href: String,
    pub title: String,
    pub type_label: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub locale: String,
    pub team: String,
    /// The date that matters in this table (review, schedule, last change).
    pub date: String,
}

impl RowView {
    pub fn new(model: &ContentModel, r: &WorkRow, date: String) -> RowView {
        let (status, status_class) = status_label(&r.status, r.version, r.published_version);
        RowView {
            href: format!("/admin/{}/{}", r.type_name, r.id),
            title: r
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| r.slug.clone()),
            type_label: model
                .get(&r.type_name)
                .map(|t| t.label.clone())
                .unwrap_or_else(|| r.type_name.clone()),
            status,
            status_class,
            locale: r.locale.clone(),
            team: r.owner_team.clone().unwrap_or_default(),
            date,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_dutch() {
        assert_eq!(date("2026-12-03"), "3 december 2026");
        assert_eq!(when(0), "1 januari 1970, 00:00 UTC");
        assert_eq!(
            status_label("published", 3, Some(2)).0,
            "Gepubliceerd, met wijzigingen"
        );
    }
}
