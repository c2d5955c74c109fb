//! One item rendered for one channel: the web (sanitised HTML and schema.org
//! JSON-LD), the chatbot (plain text within a limit, follow-ups), the KCC
//! (the public answer with internal notes, routing and review status) and
//! letters (formal plain-text blocks with merge fields). `channels.toml`
//! says which channels exist and how each renders (its `style`).
//!
//! Pure: the hub hands over the item, the items it refers to, the fact
//! values and the caller's variables; nothing here reads the store or knows
//! who asks. The hub has already removed what the caller may not see; this
//! module removes what the channel must not show (fields limited to other
//! channels), so a KCC-only note never reaches the web, whoever asks.
//!
//! What goes where is read from the model: the title field, the type's
//! `summary_field` (the short answer, first in every channel), Markdown
//! fields as sections in model order, reference fields as embedded sections
//! (`embed = true`, e.g. steps) or links and follow-ups. A type with the
//! channel-option fields (`online_url`, `login_level`, `by_appointment`,
//! `by_phone`, `by_post`, `handled_by`, `handled_by_url`) gets the routes
//! block, "Lukt het niet online?", in every channel.

pub mod cut;
pub mod fill;
mod follow_ups;
pub mod markdown;
mod phrases;
pub mod plain;
mod routes;
mod sanitize;
mod text;
mod web;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::model::{ChannelDef, ChannelStyle, ContentModel, FieldDef, FieldKind, TypeDef};
pub use follow_ups::FollowUp;
pub use phrases::phrases;
pub use routes::Route;
pub use web::json_ld_script;

/// One item as the renderer needs it.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub id: &'a str,
    pub type_name: &'a str,
    pub slug: &'a str,
    pub locale: &'a str,
    pub version: i64,
    pub review_by: Option<&'a str>,
    /// When the shown content was last checked (published), `YYYY-MM-DD`.
    pub checked_on: Option<&'a str>,
    pub fields: &'a Map<String, Value>,
}

/// Fact values by locale and slug.
pub trait Facts {
    fn value(&self, locale: &str, slug: &str) -> Option<&str>;
}

impl Facts for HashMap<(String, String), String> {
    fn value(&self, locale: &str, slug: &str) -> Option<&str> {
        self.get(&(locale.to_string(), slug.to_string()))
            .map(String::as_str)
    }
}

/// Everything a rendering draws on besides the item itself.
pub struct Context<'a> {
    pub model: &'a ContentModel,
    pub channel: &'a ChannelDef,
    /// Referenced items the caller may see, by id.
    pub refs: &'a HashMap<String, Item<'a>>,
    pub facts: &'a dyn Facts,
    /// Letter merge-field values, by name (`ontvanger.naam`).
    pub variables: &'a BTreeMap<String, String>,
    /// Today, `YYYY-MM-DD`, for the review warning.
    pub today: &'a str,
}

/// A rendered part of an item: a Markdown field, or a list of referenced items.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub field: String,
    pub label: String,
    /// HTML for the web, plain text for the other channels.
    pub body: String,
}

/// Where an answer comes from: every channel names it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub id: String,
    pub type_name: String,
    pub slug: String,
    pub title: String,
    pub version: i64,
    pub review_by: Option<String>,
    pub checked_on: Option<String>,
}

/// Review status, for the KCC.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub checked_on: Option<String>,
    pub review_by: Option<String>,
    pub overdue: bool,
    /// "Gecontroleerd op …", and the warning when overdue.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rendering {
    pub channel: String,
    pub style: &'static str,
    pub locale: String,
    pub title: String,
    /// The short answer (plain text), when the type has one.
    pub summary: Option<String>,
    /// Web: the whole item as sanitised HTML.
    pub html: Option<String>,
    /// Web: schema.org JSON-LD.
    pub json_ld: Option<Value>,
    /// The whole item as plain text (chatbot: within the channel's limit).
    pub text: Option<String>,
    pub sections: Vec<Section>,
    pub routes: Vec<Route>,
    pub follow_ups: Vec<FollowUp>,
    pub source: Source,
    pub review: Option<Review>,
    /// KCC: whom to pass the caller to.
    pub routing: Option<String>,
    /// The item is marked complex or sensitive: offer a person.
    pub sensitive: bool,
    /// Chatbot: the text was shortened to the channel's limit.
    pub truncated: bool,
    /// Letter: the merge fields in the text, and those no variable filled.
    pub merge_fields: Vec<String>,
    pub missing_variables: Vec<String>,
    /// Facts named in the text that have no value (removed or unpublished).
    pub missing_facts: Vec<String>,
}

/// True when `f` is shown in `channel`.
pub fn visible_in(f: &FieldDef, channel: &ChannelDef) -> bool {
    f.channels.is_empty() || f.channels.contains(&channel.name)
}

/// The plain strings of a field value (a string or a list of strings).
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn str_field<'v>(item: &Item<'v>, name: &str) -> Option<&'v str> {
    item.fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn bool_field(item: &Item, name: &str) -> bool {
    item.fields.get(name).and_then(Value::as_bool) == Some(true)
}

/// Renders `item` for `ctx.channel`.
pub fn render(item: &Item, ctx: &Context) -> Rendering {
    let ty = ctx.model.get(item.type_name);
    let mut r = Renderer {
        ctx,
        item,
        ty,
        missing_facts: Vec::new(),
    };
    let mut out = match ctx.channel.style {
        ChannelStyle::Web => web::render(&mut r),
        ChannelStyle::Chatbot => text::chatbot(&mut r),
        ChannelStyle::Kcc => text::kcc(&mut r),
        ChannelStyle::Letter => text::letter(&mut r),
    };
    out.missing_facts = std::mem::take(&mut r.missing_facts);
    out
}

/// Renders one Markdown field of `item` for the channel: HTML for the web,
/// plain text for the others. None when the channel does not show it.
pub fn render_field(item: &Item, ctx: &Context, field: &str) -> Option<String> {
    let ty = ctx.model.get(item.type_name)?;
    let f = ty.field(field)?;
    if !visible_in(f, ctx.channel) {
        return None;
    }
    let mut r = Renderer {
        ctx,
        item,
        ty: Some(ty),
        missing_facts: Vec::new(),
    };
    let raw = strings(item.fields.get(field)).join("\n\n");
    Some(match ctx.channel.style {
        ChannelStyle::Web => {
            let filled = r.fill(&raw, item.locale);
            markdown::html_fragment(&filled, ctx.channel.heading_level + 2)
        }
        style => {
            let t = r.text_of(&raw, item.locale, f.kind);
            if style == ChannelStyle::Letter {
                let mut missing = Vec::new();
                fill::fill_merge_fields(&t, ctx.variables, &mut missing)
            } else {
                t
            }
        }
    })
}

/// Shared state of one rendering.
pub(crate) struct Renderer<'r, 'a> {
    ctx: &'r Context<'a>,
    item: &'r Item<'r>,
    ty: Option<&'r TypeDef>,
    missing_facts: Vec<String>,
}

impl<'r, 'a> Renderer<'r, 'a> {
    fn phrases(&self) -> &'static phrases::Phrases {
        phrases::phrases(self.item.locale)
    }

    /// Text with its facts filled in.
    fn fill(&mut self, text: &str, locale: &str) -> String {
        let facts = self.ctx.facts;
        fill::fill_facts(
            text,
            |slug| facts.value(locale, slug),
            &mut self.missing_facts,
        )
        .into_owned()
    }

    /// A field's text as plain text, facts filled in.
    fn text_of(&mut self, raw: &str, locale: &str, kind: FieldKind) -> String {
        let filled = self.fill(raw, locale);
        if kind == FieldKind::Markdown {
            let base = self.ctx.model.organisation.website.as_deref();
            plain::to_text(&filled, base)
        } else {
            filled
        }
    }

    fn title_of(&self, item: &Item) -> String {
        let field = self
            .ctx
            .model
            .get(item.type_name)
            .map(|t| t.title_field.as_str())
            .unwrap_or("title");
        str_field(item, field).unwrap_or(item.slug).to_string()
    }

    fn title(&self) -> String {
        self.title_of(self.item)
    }

    /// The short answer as plain text, facts filled in.
    fn summary(&mut self) -> Option<String> {
        let ty = self.ty?;
        let f = ty.field(ty.summary_field.as_deref()?)?;
        if !visible_in(f, self.ctx.channel) {
            return None;
        }
        let raw = str_field(self.item, &f.name)?;
        let locale = self.item.locale;
        Some(self.text_of(raw, locale, f.kind))
    }

    /// The fields shown as sections, in model order: Markdown fields other
    /// than the summary, and reference fields, visible in this channel.
    fn section_fields(&self) -> Vec<&'r FieldDef> {
        let Some(ty) = self.ty else { return vec![] };
        ty.fields
            .iter()
            .filter(|f| visible_in(f, self.ctx.channel))
            .filter(|f| Some(&f.name) != ty.summary_field.as_ref())
            .filter(|f| matches!(f.kind, FieldKind::Markdown | FieldKind::Reference))
            .filter(|f| self.item.fields.contains_key(&f.name))
            .collect()
    }

    /// The referenced items of a field the caller may see, in order.
    fn referenced(&self, f: &FieldDef) -> Vec<&'r Item<'a>> {
        let mut ids = strings(self.item.fields.get(&f.name));
        if let Some(max) = f.max_items {
            ids.truncate(max);
        }
        ids.into_iter()
            .filter_map(|id| self.ctx.refs.get(id))
            .collect()
    }

    fn source(&self) -> Source {
        Source {
            id: self.item.id.to_string(),
            type_name: self.item.type_name.to_string(),
            slug: self.item.slug.to_string(),
            title: self.title(),
            version: self.item.version,
            review_by: self.item.review_by.map(String::from),
            checked_on: self.item.checked_on.map(String::from),
        }
    }

    /// The address of an item's page, when the web channel says where pages are.
    fn item_url(&self, item: &Item) -> Option<String> {
        let web = self
            .ctx
            .model
            .channels
            .iter()
            .find(|c| c.style == ChannelStyle::Web)?;
        let pattern = web.item_url.as_deref()?;
        let plural = self
            .ctx
            .model
            .get(item.type_name)
            .map(|t| t.plural.as_str())
            .unwrap_or(item.type_name);
        Some(
            pattern
                .replace("{type}", item.type_name)
                .replace("{plural}", plural)
                .replace("{slug}", item.slug)
                .replace("{locale}", item.locale),
        )
    }

    fn sensitive(&self) -> bool {
        bool_field(self.item, "sensitive")
    }

    fn base(&mut self) -> Rendering {
        Rendering {
            channel: self.ctx.channel.name.clone(),
            style: self.ctx.channel.style.as_str(),
            locale: self.item.locale.to_string(),
            title: self.title(),
            summary: self.summary(),
            html: None,
            json_ld: None,
            text: None,
            sections: Vec::new(),
            routes: Vec::new(),
            follow_ups: self.follow_ups(),
            source: self.source(),
            review: None,
            routing: None,
            sensitive: self.sensitive(),
            truncated: false,
            merge_fields: Vec::new(),
            missing_variables: Vec::new(),
            missing_facts: Vec::new(),
        }
    }
}
