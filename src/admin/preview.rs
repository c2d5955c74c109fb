//! The edit page's channel previews: the unsaved item rendered for every
//! channel the editor may see (through the hub, never cached), with notes
//! on what a channel leaves out or cannot fill.

use crate::hub::{Hub, ItemView, Session};
use crate::model::TypeDef;
use crate::store::{Stage, Status};

use super::form::Values;

/// A preview of one channel.
pub struct PreviewView {
    pub channel: String,
    pub label: String,
    pub html: Option<String>,
    pub text: Option<String>,
    pub notes: Vec<String>,
}

fn channel_label(name: &str) -> String {
    match name {
        "web" => "Website".into(),
        "chatbot" => "Chatbot".into(),
        "kcc" => "KCC (klantcontactcentrum)".into(),
        "letter" => "Brief".into(),
        other => other.into(),
    }
}

/// The unsaved item rendered for every channel the editor may see.
pub async fn previews(hub: &Hub, s: &Session, item: &ItemView) -> Vec<PreviewView> {
    let mut out = Vec::new();
    for ch in &hub.model().channels {
        let mut p = PreviewView {
            channel: ch.name.clone(),
            label: channel_label(&ch.name),
            html: None,
            text: None,
            notes: Vec::new(),
        };
        match hub.preview(&s.viewer, item, &ch.name).await {
            Ok(r) => {
                p.html = r.html.clone();
                p.text = if r.html.is_some() {
                    None
                } else {
                    r.text.clone()
                };
                if !r.missing_facts.is_empty() {
                    p.notes.push(format!(
                        "Feiten zonder waarde: {}.",
                        r.missing_facts.join(", ")
                    ));
                }
                if r.truncated {
                    p.notes.push("Ingekort tot wat dit kanaal toont.".into());
                }
                if !r.merge_fields.is_empty() {
                    p.notes.push(format!(
                        "Samenvoegvelden, in te vullen per brief: {}.",
                        r.merge_fields.join(", ")
                    ));
                }
            }
            Err(e) => p.notes.push(format!("Geen voorbeeld: {e}")),
        }
        out.push(p);
    }
    out
}

/// An item view of unsaved values, for previews.
pub fn unsaved(
    ty: &TypeDef,
    base: Option<&ItemView>,
    values: &Values,
    slug: &str,
    locale: &str,
) -> ItemView {
    let mut fields = values.to_fields(ty);
    fields.retain(|_, v| !v.is_null());
    ItemView {
        id: base.map(|b| b.id.clone()).unwrap_or_else(|| "nieuw".into()),
        type_name: ty.name.clone(),
        slug: if slug.is_empty() {
            "nieuw".into()
        } else {
            slug.into()
        },
        locale: locale.into(),
        status: base.map(|b| b.status).unwrap_or(Status::Draft),
        version: base.map(|b| b.version).unwrap_or(0),
        published_version: base.and_then(|b| b.published_version),
        external_id: None,
        review_by: base.and_then(|b| b.review_by.clone()),
        publish_at: None,
        unpublish_at: None,
        schedule_error: None,
        created_at: base.map(|b| b.created_at).unwrap_or(0),
        updated_at: base.map(|b| b.updated_at).unwrap_or(0),
        published_at: None,
        stage: Stage::Latest,
        fields,
    }
}
