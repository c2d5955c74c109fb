//! The start page: a team's worklist (see `hub::worklist`), with a team
//! filter that starts at the editor's own team.

use askama::Template;

use super::views::{Layout, RowView, date, when};
use super::{Reply, error_page, page};
use crate::hub::{Hub, Session, WORK_LIMIT};

pub struct SectionView {
    pub id: &'static str,
    pub title: &'static str,
    pub help: &'static str,
    pub empty: &'static str,
    pub date_heading: &'static str,
    pub count: String,
    pub rows: Vec<RowView>,
}

pub struct ChangeView {
    pub when: String,
    pub actor: String,
    pub action: &'static str,
    pub title: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    layout: Option<Layout>,
    team: Option<String>,
    teams: Vec<String>,
    sections: Vec<SectionView>,
    recent: Vec<ChangeView>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "aangemaakt",
        "update" => "gewijzigd",
        "publish" => "gepubliceerd",
        "unpublish" => "offline gehaald",
        "archive" => "gearchiveerd",
        "schedule" => "gepland",
        "revert" => "teruggezet",
        "delete" => "verwijderd",
        "import" => "geïmporteerd",
        _ => "gewijzigd",
    }
}

/// The worklist of `team`: the editor's own team when absent, every team
/// for `*`.
pub async fn worklist(hub: &Hub, s: &Session, team: Option<&str>) -> Reply {
    let team = match team {
        Some("*") => None,
        Some(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => s.viewer.team.clone(),
    };
    let work = match hub.worklist(&s.viewer, team.as_deref()).await {
        Ok(w) => w,
        Err(e) => return error_page(hub, s, &e),
    };
    let mut teams = hub.owner_teams().await.unwrap_or_default();
    if let Some(t) = &s.viewer.team
        && !teams.contains(t)
    {
        teams.push(t.clone());
        teams.sort();
    }
    let model = hub.model();
    let count = |n: usize| {
        if n as i64 >= WORK_LIMIT {
            format!("{n} of meer")
        } else {
            n.to_string()
        }
    };
    let review = |r: &crate::domain::WorkRow| r.review_by.as_deref().map(date).unwrap_or_default();
    let sections = vec![
        SectionView {
            id: "te-controleren",
            title: "Controle verlopen",
            help: "Deze teksten hadden al gecontroleerd moeten zijn. Kijk of ze nog kloppen en zet een nieuwe controledatum.",
            empty: "Niets over tijd. Mooi.",
            date_heading: "Controleren vóór",
            count: count(work.overdue.len()),
            rows: work
                .overdue
                .iter()
                .map(|r| RowView::new(model, r, review(r)))
                .collect(),
        },
        SectionView {
            id: "verloopt",
            title: "Verloopt binnenkort",
            help: "Tijdelijke teksten die binnen 30 dagen automatisch offline gaan.",
            empty: "Er gaat binnenkort niets offline.",
            date_heading: "Gaat offline op",
            count: count(work.expiring.len()),
            rows: work
                .expiring
                .iter()
                .map(|r| RowView::new(model, r, r.unpublish_at.map(when).unwrap_or_default()))
                .collect(),
        },
        SectionView {
            id: "gepland",
            title: "Gepland",
            help: "Teksten die op een vast moment vanzelf worden gepubliceerd.",
            empty: "Er staat geen publicatie gepland.",
            date_heading: "Wordt gepubliceerd op",
            count: count(work.scheduled.len()),
            rows: work
                .scheduled
                .iter()
                .map(|r| RowView::new(model, r, r.publish_at.map(when).unwrap_or_default()))
                .collect(),
        },
        SectionView {
            id: "wacht-op-publicatie",
            title: "Wacht op publicatie",
            help: "Concepten en wijzigingen die nog niet live staan. Een publicist kijkt ze na en publiceert ze.",
            empty: "Alles is gepubliceerd.",
            date_heading: "Laatst gewijzigd",
            count: count(work.waiting.len()),
            rows: work
                .waiting
                .iter()
                .map(|r| RowView::new(model, r, when(r.updated_at)))
                .collect(),
        },
    ];
    let recent = work
        .recent
        .iter()
        .map(|(c, row)| ChangeView {
            when: when(c.at),
            actor: c.actor.clone(),
            action: action_label(&c.action),
            title: row
                .as_ref()
                .and_then(|r| r.title.clone())
                .unwrap_or_else(|| "(verwijderd item)".into()),
            href: row
                .as_ref()
                .map(|r| format!("/admin/{}/{}", r.type_name, r.id)),
        })
        .collect();
    page(
        200,
        WorklistPage {
            layout: Some(Layout::new(hub, s, "Werklijst", "/admin")),
            team,
            teams,
            sections,
            recent,
        },
    )
}
