//! Checking one piece of a parsed content model: a type and its fields
//! (`check_type`, `check_field`). The channel list is checked in
//! `channels.rs`.
//! The GraphQL names a type generates are checked in `names.rs`. Each check pushes its problems, each starting
//! with the file and the key, and returns the checked definition only when it
//! found none.
//!
//! This module must not read files or look across types: `load.rs` reads and
//! parses, then hands each raw definition here with the names it collected.

use std::collections::{BTreeMap, HashSet};

use super::load::{RawField, RawType, VOCABULARY_DIR};
use super::names::check_generated_fields;
use super::{
    DEFAULT_MAX_REFERENCES, FieldDef, FieldKind, RESERVED_FIELD_NAMES, Syntax, TypeDef, Vocabulary,
};

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && !s.ends_with('_')
        && !s.contains("__")
}

/// What checking one type needs: its file, and the names declared across the
/// whole model.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) type_names: &'a HashSet<String>,
    pub(super) channel_names: &'a HashSet<&'a str>,
    /// channels.toml did not parse: channel names cannot be checked.
    pub(super) channels_unparsed: bool,
    pub(super) internal: &'a HashSet<&'a str>,
    pub(super) vocabularies: &'a BTreeMap<String, Vocabulary>,
}

pub(super) fn check_type(
    ctx: &Ctx,
    stem: &str,
    raw: RawType,
    problems: &mut Vec<String>,
) -> Option<TypeDef> {
    let file = ctx.file;
    let before = problems.len();
    if !is_identifier(&raw.name) {
        problems.push(format!(
            "{file}: name: `{}` is not a valid type name (lowercase letters, digits and _, starting with a letter)",
            raw.name
        ));
    } else if raw.name != stem {
        problems.push(format!(
            "{file}: name: the type `{}` must live in a file named {}.toml",
            raw.name, raw.name
        ));
    }
    let plural = raw.plural.unwrap_or_else(|| format!("{}s", raw.name));
    if !is_identifier(&plural) || plural == raw.name {
        problems.push(format!(
            "{file}: plural: `{plural}` must be a valid name that differs from `{}`",
            raw.name
        ));
    }
    if raw.fields.is_empty() {
        problems.push(format!("{file}: fields: a type needs at least one field"));
    }
    let search_boost = raw.search_boost.unwrap_or(1.0);
    if !(0.1..=3.0).contains(&search_boost) {
        problems.push(format!(
            "{file}: search_boost: a number from 0.1 to 3 (1 is neutral), got {search_boost}"
        ));
    }

    let mut fields: Vec<FieldDef> = Vec::new();
    for (i, f) in raw.fields.into_iter().enumerate() {
        let key = format!("fields[{i}] ({})", f.name);
        if fields.iter().any(|g| g.name == f.name) {
            problems.push(format!(
                "{file}: {key}.name: duplicate field name `{}`",
                f.name
            ));
            continue;
        }
        if let Some(def) = check_field(ctx, &key, f, problems) {
            fields.push(def);
        }
    }

    let title_field = match raw.title_field {
        Some(t) => t,
        None => fields
            .iter()
            .find(|f| f.kind == FieldKind::Text && !f.list)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
    };
    if fields.iter().any(|f| f.name == "title") && title_field != "title" {
        problems.push(format!(
            "{file}: title_field: a field named `title` must be the title field (every item has a `title` in GraphQL)"
        ));
    }
    match fields.iter().find(|f| f.name == title_field) {
        Some(f) if f.kind == FieldKind::Text && !f.list && f.required => {}
        Some(_) => problems.push(format!(
            "{file}: title_field: `{title_field}` must be a required, single text field"
        )),
        None if title_field.is_empty() => problems.push(format!(
            "{file}: title_field: the type has no text field to use as its title; add one"
        )),
        None => problems.push(format!(
            "{file}: title_field: no field named `{title_field}` in this type"
        )),
    }

    if let Some(summary) = &raw.summary_field {
        match fields.iter().find(|f| &f.name == summary) {
            Some(f) if matches!(f.kind, FieldKind::Text | FieldKind::Markdown) && !f.list && !f.internal => {}
            Some(_) => problems.push(format!(
                "{file}: summary_field: `{summary}` must be a single text or markdown field shown in public channels"
            )),
            None => problems.push(format!(
                "{file}: summary_field: no field named `{summary}` in this type"
            )),
        }
    }

    if problems.len() == before {
        check_generated_fields(file, &raw.name, &fields, &title_field, problems);
    }
    let label = raw.label.unwrap_or_else(|| raw.name.clone());
    (problems.len() == before).then(|| TypeDef {
        label_plural: raw.label_plural.unwrap_or_else(|| label.clone()),
        label,
        name: raw.name,
        plural,
        description: raw.description,
        title_field,
        summary_field: raw.summary_field,
        fields,
        search_boost: search_boost as f32,
        file: file.to_string(),
    })
}

fn check_field(ctx: &Ctx, key: &str, f: RawField, problems: &mut Vec<String>) -> Option<FieldDef> {
    let file = ctx.file;
    let before = problems.len();
    let mut bad = |k: &str, msg: String| problems.push(format!("{file}: {key}.{k}: {msg}"));

    if !is_identifier(&f.name) {
        bad(
            "name",
            format!(
                "`{}` is not a valid field name (lowercase letters, digits and _, starting with a letter)",
                f.name
            ),
        );
    } else if RESERVED_FIELD_NAMES.contains(&f.name.as_str()) {
        bad(
            "name",
            format!("`{}` is reserved: every item already has it", f.name),
        );
    }
    let kind = FieldKind::parse(&f.kind);
    if kind.is_none() {
        let known: Vec<_> = FieldKind::ALL.iter().map(|(n, _)| *n).collect();
        bad(
            "kind",
            format!(
                "unknown field kind `{}`; known kinds: {}",
                f.kind,
                known.join(", ")
            ),
        );
    }
    let kind = kind.unwrap_or(FieldKind::Text);

    if let Some(n) = f.max_length {
        if !kind.is_textual() {
            bad(
                "max_length",
                format!(
                    "only applies to text, markdown and uri fields, not {}",
                    f.kind
                ),
            );
        } else if n <= 0 {
            bad("max_length", format!("must be a positive number, got {n}"));
        }
    }
    if let Some(n) = f.max_items {
        if !f.list {
            bad(
                "max_items",
                "only applies to lists; add `list = true` or remove it".into(),
            );
        } else if n <= 0 {
            bad("max_items", format!("must be a positive number, got {n}"));
        }
    }
    if let Some(w) = f.search {
        if !matches!(kind, FieldKind::Text | FieldKind::Markdown) {
            bad(
                "search",
                format!("only text and markdown fields are searched, not {}", f.kind),
            );
        } else if !(w > 0.0 && w <= MAX_SEARCH_WEIGHT) {
            bad(
                "search",
                format!(
                    "a search weight is a number above 0 and at most {MAX_SEARCH_WEIGHT}, got {w}"
                ),
            );
        }
    }
    for (k, v) in [("min", f.min), ("max", f.max)] {
        if v.is_some() && kind != FieldKind::Integer {
            bad(k, format!("only applies to integer fields, not {}", f.kind));
        }
    }
    if let (Some(lo), Some(hi)) = (f.min, f.max)
        && lo > hi
    {
        bad("min", format!("{lo} is greater than max {hi}"));
    }
    let pattern = match &f.pattern {
        Some(_) if kind != FieldKind::Text => {
            bad(
                "pattern",
                format!("only applies to text fields, not {}", f.kind),
            );
            None
        }
        Some(p) => match regex::Regex::new(p) {
            Ok(r) => Some(r),
            Err(e) => {
                let e = e
                    .to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                bad("pattern", format!("not a valid regular expression: {e}"));
                None
            }
        },
        None => None,
    };
    let values = match (kind, f.values) {
        (FieldKind::Enum, None) => {
            bad("values", "an enum field needs a list of values".into());
            vec![]
        }
        (FieldKind::Enum, Some(v)) => {
            if v.is_empty() {
                bad("values", "an enum field needs at least one value".into());
            }
            let mut seen = HashSet::new();
            for value in &v {
                if !is_identifier(value) {
                    bad(
                        "values",
                        format!("`{value}` is not a valid value (lowercase letters, digits and _)"),
                    );
                }
                if !seen.insert(value) {
                    bad("values", format!("duplicate value `{value}`"));
                }
            }
            v
        }
        (_, Some(_)) => {
            bad(
                "values",
                format!("only applies to enum fields, not {}", f.kind),
            );
            vec![]
        }
        (_, None) => vec![],
    };
    match (kind, &f.to) {
        (FieldKind::Reference, None) => bad(
            "to",
            "a reference field needs `to = \"<type>\"`, the type it points to".into(),
        ),
        (FieldKind::Reference, Some(t)) if !ctx.type_names.contains(t) => {
            let mut known: Vec<_> = ctx.type_names.iter().map(String::as_str).collect();
            known.sort();
            bad(
                "to",
                format!("unknown type `{t}`; known types: {}", known.join(", ")),
            )
        }
        (FieldKind::Reference, Some(_)) => {}
        (_, Some(_)) => bad(
            "to",
            format!("only applies to reference fields, not {}", f.kind),
        ),
        (_, None) => {}
    }
    let channels = f.channels.unwrap_or_default();
    for c in &channels {
        if !ctx.channels_unparsed && !ctx.channel_names.contains(c.as_str()) {
            let mut known: Vec<_> = ctx.channel_names.iter().copied().collect();
            known.sort();
            bad(
                "channels",
                format!(
                    "unknown channel `{c}`; known channels: {}",
                    known.join(", ")
                ),
            );
        }
    }
    if let Some(v) = &f.vocabulary {
        if !ctx.vocabularies.contains_key(v) {
            bad(
                "vocabulary",
                format!("unknown vocabulary `{v}`; add {VOCABULARY_DIR}/{v}.tsv"),
            );
        } else if !matches!(kind, FieldKind::Text | FieldKind::Uri) {
            bad(
                "vocabulary",
                format!("only applies to text and uri fields, not {}", f.kind),
            );
        }
    }
    let syntax = match f.syntax.as_deref() {
        None => None,
        Some("rule") if kind == FieldKind::Text => Some(Syntax::Rule),
        Some("rule") => {
            bad(
                "syntax",
                format!("only applies to text fields, not {}", f.kind),
            );
            None
        }
        Some(other) => {
            bad(
                "syntax",
                format!(
                    "unknown syntax `{other}`; the one syntax is `rule` (a condition rule, checked when an item is saved)"
                ),
            );
            None
        }
    };
    if f.embed && kind != FieldKind::Reference {
        bad(
            "embed",
            format!("only applies to reference fields, not {}", f.kind),
        );
    }
    let internal =
        !channels.is_empty() && channels.iter().all(|c| ctx.internal.contains(c.as_str()));
    if internal && f.required {
        bad(
            "required",
            "a field shown only in internal channels cannot be required".into(),
        );
    }

    (problems.len() == before).then(|| FieldDef {
        label: f.label.unwrap_or_else(|| f.name.clone()),
        name: f.name,
        kind,
        description: f.description,
        required: f.required,
        list: f.list,
        max_items: match f.max_items {
            Some(n) => Some(n as usize),
            None if f.list && kind == FieldKind::Reference => Some(DEFAULT_MAX_REFERENCES),
            None => None,
        },
        max_length: f.max_length.map(|n| n as usize),
        min: f.min,
        max: f.max,
        pattern,
        values,
        to: f.to,
        channels,
        internal,
        vocabulary: f.vocabulary,
        search: f.search.map(|w| w as f32),
        syntax,
        embed: f.embed,
    })
}

/// The largest search weight a field may have: a title ten times a body
/// is already far apart; more only lets one field drown the others.
const MAX_SEARCH_WEIGHT: f64 = 10.0;
