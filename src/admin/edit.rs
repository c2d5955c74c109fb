//! Creating and editing an item: the form, what each button does, and the
//! item's own actions (schedule, unpublish). Every write is one hub call as
//! the logged-in user, with the same checks and messages as the API; a
//! refused write shows the form again with the editor's unsaved values.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use serde_json::Value;

use super::diff::{self, FieldDiff};
use super::fields::{
    FieldCtx, FieldView, PreviewView, RefView, dutch, field_view, previews, unsaved,
};
use super::form::{Action, Pairs, Values, apply, error_target, one};
use super::views::{Layout, RowView, status_label, when};
use super::{Reply, error_page, message, page};
use crate::error::{Error, FieldError};
use crate::hub::{Hub, ItemView, NewItem, Patch, Role, Session, datetime_to_ms};
use crate::model::TypeDef;

pub struct Notice {
    pub class: &'static str,
    pub title: String,
    pub text: String,
    pub detail: Option<String>,
}

pub struct ItemMeta {
    pub id: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub version: i64,
    pub published_version: Option<i64>,
    pub updated: String,
    pub history: String,
    pub publish_at: Option<String>,
    pub unpublish_at: Option<String>,
    pub publish_at_input: String,
    pub unpublish_at_input: String,
    pub schedule_error: Option<String>,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    layout: Option<Layout>,
    heading: String,
    type_name: String,
    type_label_plural: String,
    item: Option<ItemMeta>,
    notice: Option<Notice>,
    errors: Vec<(String, String)>,
    conflict: Vec<FieldDiff>,
    action: String,
    version: i64,
    fields: Vec<FieldView>,
    meta: Vec<FieldView>,
    meta_open: bool,
    change_message: String,
    can_publish: bool,
    previews: Vec<PreviewView>,
    dirty: bool,
    used_by: Vec<RowView>,
}

impl EditPage {
    fn csrf(&self) -> &str {
        self.layout
            .as_ref()
            .map(|l| l.csrf.as_str())
            .unwrap_or_default()
    }
}

/// The form's state: the values and the item's own attributes as posted.
struct Draft {
    values: Values,
    slug: String,
    locale: String,
    review_by: String,
    external_id: String,
    message: String,
    version: i64,
}

impl Draft {
    fn of(ty: &TypeDef, v: &ItemView) -> Draft {
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
struct Ui {
    notice: Option<Notice>,
    errors: Vec<FieldError>,
    find: Option<(String, String, Vec<RefView>)>,
    conflict: Vec<FieldDiff>,
    dirty: bool,
}

fn notice(class: &'static str, title: &str, text: &str, detail: Option<String>) -> Option<Notice> {
    Some(Notice {
        class,
        title: title.into(),
        text: text.into(),
        detail,
    })
}

fn type_of<'a>(hub: &'a Hub, s: &Session, type_name: &str) -> Result<&'a TypeDef, Reply> {
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

async fn load(hub: &Hub, s: &Session, ty: &TypeDef, id: &str) -> Result<Arc<ItemView>, Reply> {
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
                let titles = ref_titles(hub, s, ty, &[content(expected), content(actual)]).await;
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
            ui.notice = notice(
                "error",
                "Niet opgeslagen",
                "Bron heeft de wijziging geweigerd; er is niets veranderd.",
                Some(other.to_string()),
            );
        }
    }
}

/// Titles of the items revisions refer to, by id.
async fn ref_titles(
    hub: &Hub,
    s: &Session,
    ty: &TypeDef,
    contents: &[Value],
) -> HashMap<String, String> {
    let mut ids = Vec::new();
    for c in contents {
        for f in ty.reference_fields() {
            match c.get("fields").and_then(|f2| f2.get(&f.name)) {
                Some(Value::String(id)) => ids.push(id.clone()),
                Some(Value::Array(a)) => {
                    ids.extend(a.iter().filter_map(Value::as_str).map(String::from))
                }
                _ => {}
            }
        }
    }
    let found = hub.load_many(&s.viewer, &ids).await.unwrap_or_default();
    found
        .values()
        .map(|v| (v.id.clone(), RefView::of(hub, v).title))
        .collect()
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

async fn render(
    hub: &Hub,
    s: &Session,
    ty: &TypeDef,
    item: Option<&ItemView>,
    draft: &Draft,
    ui: Ui,
    status: u16,
) -> Reply {
    let mut ids = Vec::new();
    for f in ty.reference_fields() {
        ids.extend(draft.values.get(&f.name).iter().cloned());
    }
    let refs = hub.load_many(&s.viewer, &ids).await.unwrap_or_default();
    let jargon = super::jargon(hub, s).await;
    let (find_field, find_query, found) = match ui.find {
        Some((f, q, found)) => (f, q, Some(found)),
        None => (String::new(), String::new(), None),
    };
    let mut cx = FieldCtx {
        refs: &refs,
        errors: &ui.errors,
        find: found.map(|f| (find_field.as_str(), find_query.as_str(), f)),
        jargon: &jargon,
        locale: &draft.locale,
    };
    let fields: Vec<FieldView> = ty
        .fields
        .iter()
        .map(|def| field_view(hub, def, &draft.values, &mut cx))
        .collect();
    let mut meta = vec![
        FieldView::simple(
            "slug",
            "Webadres-naam",
            "Het laatste deel van het webadres, zoals paspoort-aanvragen. Leeg laten: Bron maakt het uit de titel.",
            "text",
            &draft.slug,
        ),
        FieldView::simple(
            "review_by",
            "Controleren vóór",
            "Op deze datum komt de tekst op de werklijst om te controleren of hij nog klopt.",
            "date",
            &draft.review_by,
        ),
        FieldView::simple(
            "external_id",
            "Extern kenmerk",
            "Het nummer of de code in een ander systeem, als die er is.",
            "text",
            &draft.external_id,
        ),
    ];
    if item.is_none() {
        let mut locale =
            FieldView::simple("locale", "Taal", "De taal van deze tekst.", "select", "");
        locale.options = [("nl", "Nederlands"), ("en", "Engels")]
            .iter()
            .map(|(v, l)| super::fields::Opt {
                value: (*v).into(),
                label: (*l).into(),
                selected: draft.locale == *v,
            })
            .collect();
        locale.required = true;
        meta.push(locale);
    }
    for m in &mut meta {
        if let Some(e) = ui.errors.iter().find(|e| {
            let (name, _) = error_target(&e.field);
            name == m.name
                || (name == "reviewBy" && m.name == "review_by")
                || (name == "externalId" && m.name == "external_id")
        }) {
            m.error = Some(dutch(e));
        }
    }
    let meta_open = meta.iter().any(|m| m.error.is_some());
    let errors: Vec<(String, String)> = fields
        .iter()
        .chain(meta.iter())
        .filter_map(|f| {
            f.error
                .as_ref()
                .map(|e| (format!("#{}", f.id), format!("{}: {e}", f.label)))
        })
        .chain(fields.iter().flat_map(|f| {
            f.refs.iter().filter_map(move |r| {
                r.error
                    .as_ref()
                    .map(|e| (format!("#veld-{}", f.name), format!("{}: {e}", f.label)))
            })
        }))
        .collect();
    let view = unsaved(ty, item, &draft.values, &draft.slug, &draft.locale);
    let previews = previews(hub, s, &view).await;
    let used_by = match item {
        Some(v) => hub
            .used_by(&s.viewer, v, 100)
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|u| {
                let t = hub.model().get(&u.type_name)?;
                Some(RowView::new(
                    hub.model(),
                    &super::list::work_row(t, u),
                    when(u.updated_at),
                ))
            })
            .collect(),
        None => Vec::new(),
    };
    let title_now = draft
        .values
        .get(&ty.title_field)
        .first()
        .cloned()
        .filter(|t| !t.trim().is_empty());
    let heading = match (item, title_now) {
        (None, _) => format!("Nieuw: {}", ty.label),
        (Some(_), Some(t)) => t,
        (Some(v), None) => v.slug.clone(),
    };
    let meta_view = item.map(|v| {
        let (status, status_class) =
            status_label(v.status.as_str(), v.version, v.published_version);
        let input = |ms: Option<i64>| {
            ms.map(|m| crate::hub::ms_to_datetime(m).chars().take(16).collect())
                .unwrap_or_default()
        };
        ItemMeta {
            id: v.id.clone(),
            status,
            status_class,
            version: v.version,
            published_version: v.published_version,
            updated: when(v.updated_at),
            history: format!("/admin/{}/{}/geschiedenis", ty.name, v.id),
            publish_at: v.publish_at.map(when),
            unpublish_at: v.unpublish_at.map(when),
            publish_at_input: input(v.publish_at),
            unpublish_at_input: input(v.unpublish_at),
            schedule_error: v.schedule_error.clone(),
            live: v.status == crate::store::Status::Published,
        }
    });
    page(
        status,
        EditPage {
            layout: Some(Layout::new(
                hub,
                s,
                &heading,
                &format!("/admin/{}", ty.name),
            )),
            heading,
            type_name: ty.name.clone(),
            type_label_plural: ty.label_plural.clone(),
            item: meta_view,
            notice: ui.notice,
            errors,
            conflict: ui.conflict,
            action: match item {
                Some(v) => format!("/admin/{}/{}", ty.name, v.id),
                None => format!("/admin/{}/new", ty.name),
            },
            version: draft.version,
            fields,
            meta,
            meta_open,
            change_message: draft.message.clone(),
            can_publish: s.viewer.role >= Role::Publisher,
            previews,
            dirty: ui.dirty,
            used_by,
        },
    )
}

/// The item's own actions: `schedule` and `unpublish`.
pub async fn item_action(
    hub: &Hub,
    s: &Session,
    type_name: &str,
    id: &str,
    action: &str,
    pairs: Pairs,
) -> Reply {
    let ty = match type_of(hub, s, type_name) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let item = match load(hub, s, ty, id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let result = match action {
        "unpublish" => hub
            .unpublish(&s.viewer, std::slice::from_ref(&item.id))
            .await
            .map(|_| "unpublished"),
        "schedule" => {
            let at = |k: &str| -> Result<Option<i64>, Error> {
                match one(&pairs, k).map(str::trim).filter(|v| !v.is_empty()) {
                    None => Ok(None),
                    Some(v) => {
                        let full = if v.len() == 16 {
                            format!("{v}:00Z")
                        } else {
                            v.to_string()
                        };
                        datetime_to_ms(&full).map(Some).map_err(|m| {
                            Error::Validation(vec![
                                FieldError::new(k, m).nl("Dit is geen bestaande datum en tijd."),
                            ])
                        })
                    }
                }
            };
            match (at("publish_at"), at("unpublish_at")) {
                (Ok(p), Ok(u)) => hub
                    .schedule(&s.viewer, &item.id, p, u)
                    .await
                    .map(|_| "scheduled"),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        _ => {
            return message(
                hub,
                Some(s),
                404,
                "Niet gevonden",
                "Deze handeling bestaat niet.",
                None,
            );
        }
    };
    match result {
        Ok(done) => Reply::Redirect(format!("/admin/{}/{}?klaar={done}", ty.name, item.id)),
        Err(e) => {
            let draft = Draft::of(ty, &item);
            let ui = Ui {
                notice: notice(
                    "error",
                    match action {
                        "unpublish" => "Niet offline gehaald",
                        _ => "Planning niet opgeslagen",
                    },
                    "Bron heeft de handeling geweigerd; er is niets veranderd.",
                    Some(e.to_string()),
                ),
                ..Ui::default()
            };
            render(hub, s, ty, Some(&item), &draft, ui, e.http_status()).await
        }
    }
}
