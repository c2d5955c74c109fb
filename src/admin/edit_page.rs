//! The edit page laid out: the fields with their errors and hints, the
//! item's own attributes, the four channel previews of the unsaved text,
//! what uses the item, and the publisher's actions.

use askama::Template;

use super::diff::FieldDiff;
use super::edit::{Draft, Ui};
use super::fields::{FieldCtx, FieldView, dutch, field_view};
use super::form::error_target;
use super::preview::{PreviewView, previews, unsaved};
use super::views::{Layout, RowView, status_label, when};
use super::{Reply, page};
use crate::hub::{Hub, ItemView, Role, Session};
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

pub(super) async fn render(
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
