//! The content model: the types, fields and channels declared in
//! `content-model/*.toml`, loaded and validated as a whole at start-up.
//!
//! This module is pure: it reads the model directory and nothing else, and it
//! knows nothing of the store, GraphQL or HTTP. Everything generated from the
//! model (the GraphQL schema, validation of item fields, import mapping) asks
//! this module what exists. Field values are checked by [`values`].

mod channels;
mod load;
mod names;
mod scalars;
mod validate;
pub mod values;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

pub use load::ModelError;

/// The kinds a field can have. A field of any kind may be a list (`list = true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Markdown,
    Integer,
    Decimal,
    Money,
    Date,
    DateTime,
    Boolean,
    Enum,
    Uri,
    Reference,
}

impl FieldKind {
    pub const ALL: [(&'static str, FieldKind); 11] = [
        ("text", FieldKind::Text),
        ("markdown", FieldKind::Markdown),
        ("integer", FieldKind::Integer),
        ("decimal", FieldKind::Decimal),
        ("money", FieldKind::Money),
        ("date", FieldKind::Date),
        ("datetime", FieldKind::DateTime),
        ("boolean", FieldKind::Boolean),
        ("enum", FieldKind::Enum),
        ("uri", FieldKind::Uri),
        ("reference", FieldKind::Reference),
    ];

    pub fn parse(s: &str) -> Option<FieldKind> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// Kinds whose values are strings with a length (max_length applies).
    pub fn is_textual(self) -> bool {
        matches!(self, FieldKind::Text | FieldKind::Markdown | FieldKind::Uri)
    }
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub kind: FieldKind,
    pub label: String,
    pub description: Option<String>,
    pub required: bool,
    pub list: bool,
    /// For lists: at most this many entries. Reference lists always have a
    /// maximum ([`DEFAULT_MAX_REFERENCES`] unless the model says otherwise),
    /// because what a query may ask of them multiplies by it.
    pub max_items: Option<usize>,
    pub max_length: Option<usize>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub pattern: Option<regex::Regex>,
    /// Enum values, in declared order.
    pub values: Vec<String>,
    /// For references: the target type.
    pub to: Option<String>,
    /// The channels this field is shown in; all channels when empty in the file.
    pub channels: Vec<String>,
    /// Only shown in internal channels (e.g. KCC): needs an agent token or more.
    pub internal: bool,
    /// Name of a vocabulary the value must come from (e.g. `upl`).
    pub vocabulary: Option<String>,
    /// How much a match in this field weighs in search (`search = 3.0`);
    /// None when the field is not searched. Text and Markdown fields only.
    pub search: Option<f32>,
    /// A syntax the value must follow, checked when an item is saved
    /// (`syntax = "rule"`: a condition rule, see `crate::rules`).
    pub syntax: Option<Syntax>,
    /// For references: the channels render the referenced items inside this
    /// one (a product's steps), not as links to them.
    pub embed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Rule,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub plural: String,
    pub label: String,
    /// The label for many items ("Producten"); the label when not given.
    pub label_plural: String,
    pub description: Option<String>,
    pub title_field: String,
    pub fields: Vec<FieldDef>,
    /// How much this type's search hits weigh against others' (1 neutral):
    /// a product is the canonical answer, so it may weigh a little more.
    pub search_boost: f32,
    /// The short answer every channel shows first (`summary_field`).
    pub summary_field: Option<String>,
    /// The file it was declared in, for messages.
    pub file: String,
}

impl TypeDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn reference_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields
            .iter()
            .filter(|f| f.kind == FieldKind::Reference)
    }
}

#[derive(Debug, Clone)]
pub struct ChannelDef {
    pub name: String,
    pub label: String,
    pub description: Option<String>,
    pub internal: bool,
    pub max_length: Option<usize>,
    /// How the channel renders (`style`, by default its name).
    pub style: ChannelStyle,
    /// Web: the heading level of an item's title; its sections are one deeper.
    pub heading_level: u8,
    /// Web: where an item's page is, for links to referenced items
    /// (`/{plural}/{slug}`; `{type}`, `{plural}`, `{slug}`, `{locale}`).
    pub item_url: Option<String>,
}

/// The four ways Bron shapes an answer; a channel names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelStyle {
    /// Sanitised, accessible HTML plus schema.org JSON-LD.
    Web,
    /// Plain text within a length limit, short answer first, follow-ups.
    Chatbot,
    /// The public answer with internal notes, routing and review status.
    Kcc,
    /// Formal plain-text blocks with merge fields.
    Letter,
}

impl ChannelStyle {
    pub fn parse(s: &str) -> Option<ChannelStyle> {
        match s {
            "web" => Some(ChannelStyle::Web),
            "chatbot" => Some(ChannelStyle::Chatbot),
            "kcc" => Some(ChannelStyle::Kcc),
            "letter" => Some(ChannelStyle::Letter),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelStyle::Web => "web",
            ChannelStyle::Chatbot => "chatbot",
            ChannelStyle::Kcc => "kcc",
            ChannelStyle::Letter => "letter",
        }
    }
}

/// Who publishes the content (for JSON-LD and letters).
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    pub name: String,
    /// The website's address, for links written out in full.
    pub website: Option<String>,
}

/// The routes outside the website a product can offer, as texts in one
/// locale (facts allowed): "Lukt het niet online?".
#[derive(Debug, Clone, Default)]
pub struct Routes {
    pub desk: Option<String>,
    pub phone: Option<String>,
    pub post: Option<String>,
    /// Offered when a product names no route of its own: where to get help.
    pub help: Option<String>,
}

/// A closed list of allowed values for a field, such as the UPL URIs.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub name: String,
    /// value -> label
    pub entries: BTreeMap<String, String>,
}

/// The default is the empty model: no types, no channels (what commands
/// that do not touch content, such as `bron token`, run with).
#[derive(Debug, Clone, Default)]
pub struct ContentModel {
    /// Types by name, in name order (stable schema output).
    pub types: BTreeMap<String, TypeDef>,
    pub channels: Vec<ChannelDef>,
    pub vocabularies: BTreeMap<String, Vocabulary>,
    pub organisation: Organisation,
    /// Routes outside the website, per locale (`[routes.nl]`).
    pub routes: BTreeMap<String, Routes>,
}

/// The most entries a reference list holds when the model sets no `max_items`.
pub const DEFAULT_MAX_REFERENCES: usize = 50;

/// Item attributes every type has; a model field may not take these names.
pub const RESERVED_FIELD_NAMES: &[&str] = &[
    "id",
    "type",
    "slug",
    "locale",
    "status",
    "version",
    "external_id",
    "created_at",
    "updated_at",
    "published_at",
    "publish_at",
    "unpublish_at",
    "review_by",
    "revisions",
    "has_unpublished_changes",
    "published_version",
];

/// The GraphQL fields every item object has besides its model fields
/// (`graphql/types.rs` builds them; a test there keeps the two in step).
pub const SYSTEM_GRAPHQL_FIELDS: &[&str] = &[
    "id",
    "type",
    "slug",
    "locale",
    "status",
    "version",
    "publishedVersion",
    "hasUnpublishedChanges",
    "externalId",
    "reviewBy",
    "publishAt",
    "unpublishAt",
    "scheduleError",
    "createdAt",
    "updatedAt",
    "publishedAt",
    "revisions",
    "rendered",
    "usedBy",
];

/// The conditions every list filter has besides its model fields.
pub const SYSTEM_FILTER_FIELDS: &[&str] = &["status", "locale", "updatedSince", "externalId"];

/// The sort keys every list has besides its model fields.
pub const SYSTEM_ORDER_FIELDS: &[&str] = &[
    "SLUG",
    "CREATED_AT",
    "UPDATED_AT",
    "PUBLISHED_AT",
    "REVIEW_BY",
];

impl ContentModel {
    /// Loads and validates `dir` (usually `content-model/`). All problems are
    /// reported together, each naming its file and key.
    pub fn load(dir: &Path) -> Result<ContentModel, ModelError> {
        load::load_dir(dir)
    }

    pub fn get(&self, type_name: &str) -> Option<&TypeDef> {
        self.types.get(type_name)
    }

    /// Names of channels marked internal.
    pub fn internal_channels(&self) -> HashSet<&str> {
        self.channels
            .iter()
            .filter(|c| c.internal)
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// `upl_uri` -> `uplUri`
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `life_event` -> `LifeEvent`
pub fn pascal(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(camel("upl_uri"), "uplUri");
        assert_eq!(pascal("life_event"), "LifeEvent");
        assert_eq!(pascal("product"), "Product");
        assert_eq!(FieldKind::parse("datetime"), Some(FieldKind::DateTime));
        assert_eq!(FieldKind::DateTime.name(), "datetime");
        assert_eq!(FieldKind::parse("string"), None);
    }

    #[test]
    fn shipped_model_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-model");
        let model = ContentModel::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        for t in ["product", "question", "step", "condition", "fact"] {
            assert!(model.get(t).is_some(), "{t} missing");
        }
        let names: Vec<_> = model.channels.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["web", "chatbot", "kcc", "letter"]);
        let memo = model.get("product").unwrap().field("desk_memo").unwrap();
        assert!(memo.internal);
        assert!(model.vocabularies["upl"].entries.len() > 1000);
    }
}
