//! The parts of the edit page made from the model and the unsaved values:
//! a widget per field (with its error and readability hints) and the
//! reference lists with their titles (`preview.rs` has the previews).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::form::{Values, error_target};
use super::readability::{self, Jargon, Level};
use super::views::status_label;
use crate::error::FieldError;
use crate::hub::{Hub, ItemView, Session};
use crate::model::{FieldDef, FieldKind, TypeDef};

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct RefView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub error: Option<String>,
}

impl RefView {
    pub fn of(hub: &Hub, v: &ItemView) -> RefView {
        let (status, status_class) =
            status_label(v.status.as_str(), v.version, v.published_version);
        let title = hub
            .model()
            .get(&v.type_name)
            .and_then(|t| v.fields.get(&t.title_field))
            .and_then(Value::as_str)
            .unwrap_or(&v.slug)
            .to_string();
        RefView {
            id: v.id.clone(),
            title,
            href: format!("/admin/{}/{}", v.type_name, v.id),
            status,
            status_class,
            error: None,
        }
    }
}

pub struct ReadView {
    pub level: &'static str,
    pub class: &'static str,
    pub summary: String,
    pub hints: Vec<String>,
}

pub struct FieldView {
    pub name: String,
    /// The name the input posts under (`f.<field>` for model fields).
    pub input: String,
    pub id: String,
    pub label: String,
    pub description: Option<String>,
    pub note: String,
    pub widget: &'static str,
    pub value: String,
    pub rows: usize,
    pub required: bool,
    pub max_length: Option<usize>,
    pub options: Vec<Opt>,
    pub refs: Vec<RefView>,
    pub list: bool,
    pub to_label: String,
    pub query: String,
    pub results: Option<Vec<RefView>>,
    pub error: Option<String>,
    pub read: Option<ReadView>,
    /// Several controls: a fieldset with a legend instead of a label.
    pub group: bool,
}

impl FieldView {
    /// A plain one-line field (the item's own slug, dates and ids).
    pub fn simple(
        name: &str,
        label: &str,
        help: &str,
        widget: &'static str,
        value: &str,
    ) -> FieldView {
        FieldView {
            name: name.into(),
            input: name.into(),
            id: format!("m-{name}"),
            label: label.into(),
            description: Some(help.into()),
            note: String::new(),
            widget,
            value: value.into(),
            rows: 1,
            required: false,
            max_length: None,
            options: Vec::new(),
            refs: Vec::new(),
            list: false,
            to_label: String::new(),
            query: String::new(),
            results: None,
            error: None,
            read: None,
            group: false,
        }
    }
}

/// The message of an error for people: the Dutch wording when there is one.
pub fn dutch(e: &FieldError) -> String {
    e.dutch.clone().unwrap_or_else(|| e.message.clone())
}

fn readability_of(text: &str, jargon: &[Jargon], locale: &str) -> Option<ReadView> {
    // The measures are for Dutch: other languages get no hints.
    if text.trim().is_empty() || !(locale == "nl" || locale.starts_with("nl-")) {
        return None;
    }
    let r = readability::analyse(text, jargon);
    let (level, class) = match r.level {
        Level::Easy => ("Makkelijk (B1)", "easy"),
        Level::Fair => ("Redelijk", "fair"),
        Level::Hard => ("Moeilijk (boven B1)", "hard"),
        Level::TooShort => ("Te kort om te meten", "short"),
    };
    let summary = match r.flesch_douma {
        Some(score) => format!(
            "Flesch-Douma {score:.0} · {} woorden in {} zinnen",
            r.words, r.sentences
        ),
        None => format!("{} woorden", r.words),
    };
    Some(ReadView {
        level,
        class,
        summary,
        hints: r.hints.into_iter().map(|h| h.message).collect(),
    })
}

fn note(def: &FieldDef) -> String {
    if def.internal {
        "Alleen intern: KCC-medewerkers zien dit, inwoners niet.".into()
    } else if !def.channels.is_empty() {
        format!("Alleen in: {}.", def.channels.join(", "))
    } else {
        String::new()
    }
}

/// Everything a field view needs besides the field and its values.
pub struct FieldCtx<'a> {
    pub refs: &'a HashMap<String, Arc<ItemView>>,
    pub errors: &'a [FieldError],
    /// A reference search: the field, what was typed, what was found.
    pub find: Option<(&'a str, &'a str, Vec<RefView>)>,
    pub jargon: &'a [Jargon],
    /// The item's language: readability hints are for Dutch text only.
    pub locale: &'a str,
}

pub fn field_view(hub: &Hub, def: &FieldDef, values: &Values, cx: &mut FieldCtx<'_>) -> FieldView {
    let vals = values.get(&def.name);
    let first = vals.first().cloned().unwrap_or_default();
    let mut v = FieldView::simple(&def.name, &def.label, "", "text", &first);
    v.id = format!("f-{}", def.name);
    v.input = format!("f.{}", def.name);
    v.description = def.description.clone();
    v.note = note(def);
    v.required = def.required;
    v.max_length = def.max_length;
    v.list = def.list;
    let mut entry_errors: HashMap<usize, String> = HashMap::new();
    for e in cx.errors {
        let (name, idx) = error_target(&e.field);
        if name == def.name {
            match idx {
                Some(i) if def.kind == FieldKind::Reference => {
                    entry_errors.insert(i, dutch(e));
                }
                _ => v.error = Some(dutch(e)),
            }
        }
    }
    if def.list && def.kind != FieldKind::Reference && def.kind != FieldKind::Enum {
        v.widget = "lines";
        v.value = vals.join("\n");
        v.rows = (vals.len() + 1).clamp(2, 8);
        v.description = Some(format!(
            "{}Eén per regel.",
            def.description
                .as_deref()
                .map(|d| format!("{d} "))
                .unwrap_or_default()
        ));
        return v;
    }
    match def.kind {
        FieldKind::Text if def.max_length.is_none_or(|m| m > 200) => {
            v.widget = "textarea";
            v.rows = 3;
            v.read = readability_of(&first, cx.jargon, cx.locale);
        }
        FieldKind::Text => {}
        FieldKind::Markdown => {
            v.widget = "markdown";
            v.rows = 8;
            v.read = readability_of(&first, cx.jargon, cx.locale);
        }
        FieldKind::Integer | FieldKind::Decimal | FieldKind::Money => v.widget = "number",
        FieldKind::Date => v.widget = "date",
        FieldKind::DateTime => {
            v.widget = "datetime-local";
            v.value = first.chars().take(16).collect();
        }
        FieldKind::Uri => v.widget = "url",
        FieldKind::Boolean => {
            v.widget = "radios";
            v.group = true;
            let mut opts = vec![("true", "Ja"), ("false", "Nee")];
            if !def.required {
                opts.push(("", "Niet ingevuld"));
            }
            v.options = opts
                .into_iter()
                .map(|(value, label)| Opt {
                    selected: first == value,
                    value: value.into(),
                    label: label.into(),
                })
                .collect();
        }
        FieldKind::Enum => {
            v.widget = if def.list { "checks" } else { "select" };
            v.group = def.list;
            v.options = def
                .values
                .iter()
                .map(|val| Opt {
                    value: val.clone(),
                    label: val.replace('_', " "),
                    selected: vals.contains(val),
                })
                .collect();
        }
        FieldKind::Reference => {
            v.widget = "refs";
            v.group = true;
            let to = def.to.as_deref().unwrap_or_default();
            v.to_label = hub
                .model()
                .get(to)
                .map(|t| t.label.clone())
                .unwrap_or_default();
            v.refs = vals
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let mut r = match cx.refs.get(id) {
                        Some(item) => RefView::of(hub, item),
                        None => RefView {
                            id: id.clone(),
                            title: "(bestaat niet meer)".into(),
                            href: "#".into(),
                            status: "Onbekend",
                            status_class: "archived",
                            error: None,
                        },
                    };
                    r.error = entry_errors.remove(&i);
                    r
                })
                .collect();
            if let Some((field, query, _)) = &cx.find
                && *field == def.name
            {
                v.query = query.to_string();
                v.results = cx.find.take().map(|(_, _, found)| found);
            }
        }
    }
    v
}

/// Titles of the items revisions refer to, by id.
pub async fn ref_titles(
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
