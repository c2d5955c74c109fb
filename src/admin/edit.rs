//! Creating and editing an item: the form's state and what each button
//! does. Every write is one hub call as the logged-in user, with the same
//! checks and messages as the API; a refused write shows the form again
//! with the editor's unsaved values (`edit_page.rs` lays the page out;
//! `actions.rs` has the item's own schedule and unpublish).

use std::sync::Arc;

use serde_json::Value;

use super::diff::{self, FieldDiff};
use super::edit_page::{Notice, render};
use super::fields::RefView;
use super::form::{Action, Pairs, Values, apply, one};
use super::{Reply, error_page, message};
use crate::error::{Error, FieldError};
use crate::hub::{Hub, ItemView, NewItem, Patch, Role, Session};
use crate::model::TypeDef;

/// The form's state: the values and the item's own attributes as posted.
pub(super) struct Draft {
    pub(super) values: Values,
    pub(super) slug: String,
    pub(super) locale: String,
    pub(super) review_by: String,
    pub(super) external_id: String,
    pub(super) message: String,
    pub(super) version: i64,
}

impl Draft {
    pub(super) fn of(ty: &TypeDef, v: &ItemView) -> Draft {
        Draft {
            values: Values::from_fields(ty, &v.fields),
            slug: v.slug.clone(),
            locale: v.locale.clone(),
            review_by: v.review_by.clone().unwrap_or_default(),
            external_id: v.external_id.clone().unwrap_or_default(),
            message: String::new(),
            version: v.version,
        }
    }

    fn posted(ty: &TypeDef, pairs: &Pairs) -> Draft {
        let get = |k: &str| one(pairs, k).unwrap_or("").trim().to_string();
        Draft {
            values: Values::from_pairs(ty, pairs),
            slug: get("slug"),
            locale: match get("locale") {
                l if l.is_empty() => "nl".into(),
                l => l,
            },
            review_by: get("review_by"),
            external_id: get("external_id"),
            message: get("message"),
            version: get("version").parse().unwrap_or(0),
        }
    }
}

/// What the page shows besides the draft.
#[derive(Default)]
pub(super) struct Ui {
    pub(super) notice: Option<Notice>,
    pub(super) errors: Vec<FieldError>,
    pub(super) find: Option<(String, String, Vec<RefView>)>,
    pub(super) conflict: Vec<FieldDiff>,
    pub(super) dirty: bool,
}

pub(super) fn notice(
    class: &'static str,
    title: &str,
    text: &str,
    detail: Option<String>,
) -> Option<Notice> {
    Some(Notice {
        class,
        title: title.into(),
        text: text.into(),
        detail,
    })
}

pub(super) fn type_of<'a>(
    hub: &'a Hub,
    s: &Session,
    type_name: &str,
) -> Result<&'a TypeDef, Reply> {
    hub.model().get(type_name).ok_or_else(|| {
        message(
            hub,
            Some(s),
            404,
            "Niet gevonden",
            "Deze soort inhoud bestaat niet.",
            None,
        )
    })
}

pub(super) async fn load(
    hub: &Hub,
    s: &Session,
    ty: &TypeDef,
    id: &str,
) -> Result<Arc<ItemView>, Reply> {
    match hub.get_any(&s.viewer, id).await {
        Ok(Some(v)) if v.type_name == ty.name => Ok(v),
        Ok(_) => Err(message(
            hub,
            Some(s),
            404,
            "Niet gevonden",
            "Dit item bestaat niet (meer). Misschien is het verwijderd.",
            None,
        )),
        Err(e) => Err(error_page(hub, s, &e)),
    }
}

pub async fn new_form(hub: &Hub, s: &Session, type_name: &str) -> Reply {
    let ty = match type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if let Err(e) = s.viewer.require(Role::Editor, "creating content") {
        return error_page(hub, s, &e);
    }
    let draft = Draft {
        values: Values::default(),
        slug: String::new(),
        locale: "nl".into(),
        review_by: String::new(),
        external_id: String::new(),
        message: String::new(),
        version: 0,
    };
    render(hub, s, ty, None, &draft, Ui::default(), 200).await
}

/// The edit page; `done` names what the last POST did, for its message.
pub async fn edit_form(hub: &Hub, s: &Session, type_name: &str, id: &str, done: &str) -> Reply {
    let ty = match type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let item = match load(hub, s, ty, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let text = match done {
        "created" => Some("Aangemaakt als concept."),
        "saved" => Some("Opgeslagen als concept. Inwoners zien het nog niet."),
        "published" => Some("Gepubliceerd: dit staat nu live in alle kanalen."),
        "unpublished" => Some("Offline gehaald: inwoners zien dit niet meer."),
        "scheduled" => Some("De planning is opgeslagen."),
        "reverted" => Some("Teruggezet. De oude versie is nu de nieuwste versie (een concept)."),
        _ => None,
    };
    let ui = Ui {
        notice: text.and_then(|t| notice("ok", "Gelukt", t, None)),
        ..Ui::default()
    };
    let draft = Draft::of(ty, &item);
    render(hub, s, ty, Some(&item), &draft, ui, 200).await
}

/// A POST of the edit form (new when `id` is None).
pub async fn post_item(
    hub: &Hub,
    s: &Session,
    type_name: &str,
    id: Option<&str>,
    pairs: Pairs,
) -> Reply {
    let ty = match type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let item = match id {
        Some(id) => match load(hub, s, ty, id).await {
            Ok(v) => Some(v),
            Err(r) => return r,
        },
        None => None,
    };
    let mut draft = Draft::posted(ty, &pairs);
    if let Some(v) = &item {
        // The language is chosen once, at creation.
        draft.locale = v.locale.clone();
    }
    let action = one(&pairs, "action")
        .and_then(Action::parse)
        .unwrap_or(Action::Save);
    let mut ui = Ui {
        dirty: true,
        ..Ui::default()
    };
    match &action {
        Action::Save | Action::Publish => {}
        Action::Preview => {}
        Action::Find(field) => {
            let query = one(&pairs, &format!("q.{field}")).unwrap_or("").trim();
            if let Some(def) = ty.field(field) {
                let found = find(
                    hub,
                    s,
                    def.to.as_deref().unwrap_or(""),
                    query,
                    &draft.locale,
                )
                .await;
                ui.find = Some((field.clone(), query.to_string(), found));
            }
        }
        other => {
            apply(&mut draft.values, ty, other);
        }
    }
    if !matches!(action, Action::Save | Action::Publish) {
        return render(hub, s, ty, item.as_deref(), &draft, ui, 200).await;
    }
    let written = match &item {
        None => {
            let new = NewItem {
                id: None,
                type_name: ty.name.clone(),
                slug: Some(draft.slug.clone()).filter(|s| !s.is_empty()),
                locale: Some(draft.locale.clone()),
                external_id: Some(draft.external_id.clone()).filter(|s| !s.is_empty()),
                review_by: Some(draft.review_by.clone()).filter(|s| !s.is_empty()),
                fields: without_nulls(draft.values.to_fields(ty)),
                message: Some(draft.message.clone()).filter(|m| !m.is_empty()),
            };
            hub.create(&s.viewer, new).await
        }
        Some(v) => {
            let patch = Patch {
                slug: Some(draft.slug.clone()).filter(|s| !s.is_empty()),
                external_id: Some(Some(draft.external_id.clone()).filter(|s| !s.is_empty())),
                review_by: Some(Some(draft.review_by.clone()).filter(|s| !s.is_empty())),
                fields: draft.values.to_fields(ty),
                message: Some(draft.message.clone()).filter(|m| !m.is_empty()),
            };
            hub.update(&s.viewer, Some(&ty.name), &v.id, draft.version, patch)
                .await
        }
    };
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            let status = e.http_status();
            refused(hub, s, ty, item.as_deref(), &mut draft, &mut ui, e).await;
            return render(hub, s, ty, item.as_deref(), &draft, ui, status).await;
        }
    };
    let id = written.item.id.clone();
    let path = format!("/admin/{}/{id}", ty.name);
    if action == Action::Publish {
        if let Err(e) = hub
            .publish(&s.viewer, std::slice::from_ref(&id), None)
            .await
        {
            let item = written.item.clone();
            let mut draft = Draft::of(ty, &item);
            draft.message.clear();
            let ui = Ui {
                notice: notice(
                    "error",
                    "Opgeslagen, maar niet gepubliceerd",
                    publish_hint(&e),
                    Some(e.to_string()),
                ),
                ..Ui::default()
            };
            return render(hub, s, ty, Some(&item), &draft, ui, e.http_status()).await;
        }
        return Reply::Redirect(format!("{path}?klaar=published"));
    }
    let done = if item.is_none() { "created" } else { "saved" };
    Reply::Redirect(format!("{path}?klaar={done}"))
}

fn publish_hint(e: &Error) -> &'static str {
    match e {
        Error::Forbidden(_) | Error::Unauthenticated(_) => {
            "Uw wijziging is als concept bewaard. Publiceren mag uw account niet (of niet voor dit team); vraag een publicist van het team dat dit item beheert."
        }
        Error::ReferenceNotPublished(_) => {
            "Uw wijziging is als concept bewaard. Dit item verwijst naar iets dat nog niet live staat (een stap, voorwaarde of feit). Publiceer dat eerst."
        }
        _ => "Uw wijziging is als concept bewaard, maar publiceren lukte niet.",
    }
}

fn without_nulls(mut m: serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    m.retain(|_, v| !v.is_null());
    m
}

/// Explains a refused save on the page.
async fn refused(
    hub: &Hub,
    s: &Session,
    ty: &TypeDef,
    item: Option<&ItemView>,
    draft: &mut Draft,
    ui: &mut Ui,
    e: Error,
) {
    match e {
        Error::Validation(errors) => {
            ui.notice = notice(
                "error",
                "Niet opgeslagen",
                "Verbeter de velden hieronder en sla opnieuw op. Er is nog niets veranderd.",
                None,
            );
            ui.errors = errors;
        }
        Error::VersionConflict { expected, actual } => {
            // Show what the other edit changed, and let this editor save
            // again on top of it, knowingly.
            if let Some(v) = item
                && let Ok(revs) = hub.revisions(&s.viewer, &v.id).await
            {
                let content = |n: i64| {
                    revs.iter()
                        .find(|r| r.version == n)
                        .and_then(|r| serde_json::from_str::<Value>(&r.content).ok())
                        .unwrap_or(Value::Null)
                };
                let authors: Vec<String> = revs
                    .iter()
                    .filter(|r| r.version > expected)
                    .map(|r| r.author.clone())
                    .collect();
                let titles =
                    super::fields::ref_titles(hub, s, ty, &[content(expected), content(actual)])
                        .await;
                let title = |id: &str| titles.get(id).cloned().unwrap_or_else(|| id.to_string());
                ui.conflict = diff::revisions(ty, &content(expected), &content(actual), &title);
                ui.notice = notice(
                    "error",
                    "Iemand anders heeft dit intussen gewijzigd",
                    &format!(
                        "U begon aan versie {expected}; {} heeft intussen versie {actual} opgeslagen. Uw wijzigingen staan nog in het formulier en zijn niet opgeslagen. Bekijk wat er veranderd is, neem het over waar nodig en sla opnieuw op.",
                        authors.first().map(String::as_str).unwrap_or("een collega")
                    ),
                    None,
                );
            }
            draft.version = actual;
        }
        Error::DuplicateSlug(m) => {
            ui.errors =
                vec![FieldError::new("slug", m.clone()).nl(
                    "Deze webadres-naam is al in gebruik bij een ander item; kies een andere.",
                )];
            ui.notice = notice(
                "error",
                "Niet opgeslagen",
                "Verbeter de velden hieronder.",
                None,
            );
        }
        other => {
            let detail = (other.code() != "INTERNAL").then(|| other.to_string());
            if detail.is_none() {
                tracing::error!(error = %other, "saving from the editor UI failed");
            }
            ui.notice = notice(
                "error",
                "Niet opgeslagen",
                "Bron heeft de wijziging geweigerd; er is niets veranderd.",
                detail,
            );
        }
    }
}

/// Items of type `to` matching `query`, for a reference picker.
async fn find(hub: &Hub, s: &Session, to: &str, query: &str, locale: &str) -> Vec<RefView> {
    hub.find_for_editor(&s.viewer, to, query, Some(locale), 10)
        .await
        .unwrap_or_default()
        .iter()
        .map(|v| RefView::of(hub, v))
        .collect()
}
