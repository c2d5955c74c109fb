//! The index's schema, derived from the content model: the fixed fields
//! (id, stage, type, locale, facets, stored text for snippets, word lists
//! for suggestions, names) and one text field per weight, visibility and
//! language; and an item's document in it.

use std::collections::HashMap;

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use super::snippet::cut_at_char;
use super::{Doc, analysis, stage_name};
use crate::domain::Stage;
use crate::model::{ContentModel, FieldKind};

/// One searchable text field of the model: its name, weight and whether it
/// is internal. Fields of the same name in several types share one index
/// field (and the largest weight any of them declares).
#[derive(Debug, Clone)]
pub struct TextField {
    pub name: String,
    pub weight: f32,
    pub internal: bool,
    /// Among the fields that name an item (title, question, phrasings):
    /// typo tolerance looks here.
    pub names_item: bool,
}

#[derive(Clone)]
pub(crate) struct Fields {
    pub(super) id: Field,
    pub(super) stage: Field,
    pub(super) type_name: Field,
    /// The type's search boost, in hundredths (a fast field read at scoring).
    pub(super) boost: Field,
    pub(super) locale: Field,
    pub(super) audience: Field,
    pub(super) theme: Field,
    pub(super) facet: Field,
    /// Public searchable text, stored for snippets.
    pub(super) public_text: Field,
    /// Internal searchable text, stored for agents' snippets.
    pub(super) internal_text: Field,
    /// The item's name: unstemmed words for prefix completion, stored.
    pub(super) name: Field,
    /// The public words of live and of latest documents, unstemmed, for
    /// spelling suggestions: one field per stage, so a draft's words are
    /// never suggested to the public (and internal words to no one).
    pub(super) words_published: Field,
    pub(super) words_latest: Field,
    /// The indexed field of each searchable model field, with its
    /// description. Model fields of the same weight (and visibility) share
    /// one index field, so they share term statistics: a title and a
    /// question are compared as the same kind of text.
    /// Each has a Dutch field and an English one (for items in `en`).
    pub(super) text: HashMap<String, ([Field; 2], TextField)>,
    /// The distinct index fields: (field, weight, internal, names an item,
    /// English).
    pub(super) groups: Vec<(Field, f32, bool, bool, bool)>,
}

/// The searchable text fields the model declares (`search = weight`).
pub fn text_fields(model: &ContentModel) -> Vec<TextField> {
    let mut out: Vec<TextField> = Vec::new();
    for ty in model.types.values() {
        for f in &ty.fields {
            let Some(weight) = f.search else { continue };
            if !matches!(f.kind, FieldKind::Text | FieldKind::Markdown) {
                continue;
            }
            let names_item = f.name == ty.title_field || weight >= 3.0;
            match out.iter_mut().find(|t| t.name == f.name) {
                Some(t) => {
                    t.weight = t.weight.max(weight);
                    t.internal &= f.internal;
                    t.names_item |= names_item;
                }
                None => out.push(TextField {
                    name: f.name.clone(),
                    weight,
                    internal: f.internal,
                    names_item,
                }),
            }
        }
    }
    out
}

pub(super) fn build_schema(model_fields: &[TextField]) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_indexing = TextFieldIndexing::default()
        .set_tokenizer(analysis::DUTCH)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let indexed = TextOptions::default().set_indexing_options(text_indexing);
    let words_indexing = TextFieldIndexing::default()
        .set_tokenizer(analysis::PLAIN)
        .set_index_option(IndexRecordOption::Basic);
    let id = b.add_text_field("id", STRING | STORED);
    let stage = b.add_text_field("stage", STRING);
    let type_name = b.add_text_field("type", STRING | STORED);
    let boost = b.add_u64_field("boost", FAST);
    let locale = b.add_text_field("locale", STRING);
    let audience = b.add_text_field("audience", STRING);
    let theme = b.add_text_field("theme", STRING);
    let facet = b.add_facet_field("facet", FacetOptions::default());
    let public_text = b.add_text_field("public_text", STORED);
    let internal_text = b.add_text_field("internal_text", STORED);
    let name = b.add_text_field(
        "name",
        TextOptions::default()
            .set_indexing_options(words_indexing.clone())
            .set_stored(),
    );
    let words_options = TextOptions::default().set_indexing_options(words_indexing);
    let words_published = b.add_text_field("words_published", words_options.clone());
    let words_latest = b.add_text_field("words_latest", words_options);
    let english = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::ENGLISH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut text = HashMap::new();
    let mut groups: Vec<(Field, f32, bool, bool, bool)> = Vec::new();
    let mut by_name: HashMap<String, [Field; 2]> = HashMap::new();
    for f in model_fields {
        let name = format!(
            "{}{}",
            if f.internal { "i" } else { "t" },
            (f.weight * 100.0).round() as u32
        );
        let fields = *by_name.entry(name.clone()).or_insert_with(|| {
            [
                b.add_text_field(&name, indexed.clone()),
                b.add_text_field(&format!("{name}_en"), english.clone()),
            ]
        });
        for (i, field) in fields.into_iter().enumerate() {
            if !groups.iter().any(|g| g.0 == field) {
                groups.push((field, f.weight, f.internal, f.names_item, i == 1));
            }
        }
        text.insert(f.name.clone(), (fields, f.clone()));
    }
    (
        b.build(),
        Fields {
            id,
            stage,
            type_name,
            boost,
            locale,
            audience,
            theme,
            facet,
            public_text,
            internal_text,
            name,
            words_published,
            words_latest,
            text,
            groups,
        },
    )
}

/// Whether items in `locale` are analysed as English (else as Dutch).
pub fn is_english(locale: &str) -> bool {
    locale == "en" || locale.starts_with("en-")
}

/// Characters of an item's public (and internal) text kept for snippets.
const STORED_CHARS: usize = 1200;

pub(super) fn to_document(f: &Fields, d: Doc) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &d.id);
    for stage in &d.stages {
        doc.add_text(f.stage, stage_name(*stage));
    }
    doc.add_text(f.type_name, &d.type_name);
    doc.add_u64(f.boost, (d.boost * 100.0).round() as u64);
    doc.add_text(f.locale, &d.locale);
    doc.add_facet(f.facet, Facet::from_path(["type", d.type_name.as_str()]));
    for a in &d.audience {
        doc.add_text(f.audience, a);
    }
    for t in &d.themes {
        doc.add_text(f.theme, t);
        doc.add_facet(f.facet, Facet::from_path(["theme", t.as_str()]));
    }
    let mut public = String::new();
    let mut internal = String::new();
    let lang = usize::from(is_english(&d.locale));
    for (name, text) in &d.text {
        let Some((fields, def)) = f.text.get(name) else {
            continue;
        };
        doc.add_text(fields[lang], text);
        let store = if def.internal {
            &mut internal
        } else {
            &mut public
        };
        if !store.is_empty() {
            store.push('\n');
        }
        store.push_str(text);
    }
    for stage in &d.stages {
        let words = match stage {
            Stage::Published => f.words_published,
            Stage::Latest => f.words_latest,
        };
        doc.add_text(words, &public);
    }
    // Snippets are taken from the opening of an item's text (name, short
    // answer, start of the body): only that is stored.
    doc.add_text(f.public_text, cut_at_char(&public, STORED_CHARS));
    doc.add_text(f.name, &d.name);
    if !internal.is_empty() {
        doc.add_text(f.internal_text, cut_at_char(&internal, STORED_CHARS));
    }
    doc
}
