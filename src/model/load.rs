//! Reading `content-model/`: strict parsing of every file (unknown keys are
//! errors), then one validation pass over the whole model. Problems are
//! collected, not returned one at a time, so an operator fixes them in one go.
//! Every message starts with the file and the key it is about.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::{
    ChannelDef, ContentModel, FieldDef, FieldKind, RESERVED_FIELD_NAMES, TypeDef, Vocabulary,
    pascal,
};

/// Everything wrong with a content model, one problem per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub problems: Vec<String>,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the content model is invalid:")?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    name: String,
    label: Option<String>,
    plural: Option<String>,
    description: Option<String>,
    title_field: Option<String>,
    #[serde(default)]
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    kind: String,
    label: Option<String>,
    description: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    list: bool,
    max_length: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    values: Option<Vec<String>>,
    to: Option<String>,
    channels: Option<Vec<String>>,
    vocabulary: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannels {
    channels: Vec<RawChannel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    name: String,
    label: Option<String>,
    description: Option<String>,
    #[serde(default)]
    internal: bool,
    max_length: Option<i64>,
}

const CHANNELS_FILE: &str = "channels.toml";

/// GraphQL names Bron defines whatever the model; a type may not generate them.
const SHARED_GRAPHQL_NAMES: &[&str] = &[
    "Query",
    "Mutation",
    "Item",
    "PageInfo",
    "Revision",
    "Viewer",
    "Change",
    "Status",
    "OrderDirection",
    "Role",
    "ItemPayload",
    "ItemsPayload",
    "DeletePayload",
    "TokenPayload",
    "Date",
    "DateTime",
    "Money",
    "Decimal",
    "URI",
    "JSON",
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "item",
    "viewer",
    "changes",
];

/// Every GraphQL name a type generates: its object and helper types, its
/// enums, and its query fields.
fn generated_names(def: &TypeDef) -> Vec<String> {
    let p = pascal(&def.name);
    let mut names = vec![def.name.clone(), def.plural.clone(), p.clone()];
    for suffix in [
        "Connection",
        "Edge",
        "Filter",
        "Order",
        "OrderField",
        "Fields",
        "Payload",
    ] {
        names.push(format!("{p}{suffix}"));
    }
    for f in def.fields.iter().filter(|f| f.kind == FieldKind::Enum) {
        names.push(format!("{p}{}", pascal(&f.name)));
    }
    names
}
const VOCABULARY_DIR: &str = "vocabularies";

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && !s.ends_with('_')
        && !s.contains("__")
}

/// Parses one TOML file strictly; a syntax error or unknown key becomes a
/// problem naming the file, line and key.
fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    problems: &mut Vec<String>,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            problems.push(format!("{file}{at}: {}", e.message().trim_end()));
            None
        }
    }
}

pub(super) fn load_dir(dir: &Path) -> Result<ContentModel, ModelError> {
    let mut problems = Vec::new();
    let shown = |name: &str| format!("{}/{name}", dir.display()).replace("//", "/");

    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(e) => {
            return Err(ModelError {
                problems: vec![format!(
                    "{}: cannot read the content-model directory: {e}",
                    dir.display()
                )],
            });
        }
    };
    entries.sort();

    let mut channels = None;
    let mut channels_unparsed = false;
    let mut raw_types = Vec::new();
    let mut unparsed_types: Vec<String> = Vec::new();
    for path in entries {
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let file = shown(file_name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{file}: cannot read: {e}"));
                continue;
            }
        };
        let stem = file_name.trim_end_matches(".toml").to_string();
        if file_name == CHANNELS_FILE {
            channels = parse_toml::<RawChannels>(&file, &text, &mut problems);
            channels_unparsed = channels.is_none();
        } else if let Some(t) = parse_toml::<RawType>(&file, &text, &mut problems) {
            raw_types.push((file, stem, t));
        } else {
            // Its problem is reported; do not also report every reference to it.
            unparsed_types.push(stem);
        }
    }

    let channels = match channels {
        Some(c) => check_channels(&shown(CHANNELS_FILE), c, &mut problems),
        None if channels_unparsed => vec![],
        None => {
            problems.push(format!(
                "{}: missing; declare the channels (web, chatbot, kcc, letter) there",
                shown(CHANNELS_FILE)
            ));
            vec![]
        }
    };
    if raw_types.is_empty() && problems.is_empty() {
        problems.push(format!(
            "{}: no content types; add one file per type, e.g. product.toml",
            dir.display()
        ));
    }

    let vocabularies = load_vocabularies(&dir.join(VOCABULARY_DIR), &mut problems);
    let type_names: HashSet<String> = raw_types
        .iter()
        .map(|(_, _, t)| t.name.clone())
        .chain(unparsed_types)
        .collect();
    let internal: HashSet<&str> = channels
        .iter()
        .filter(|c| c.internal)
        .map(|c| c.name.as_str())
        .collect();
    let channel_names: HashSet<&str> = channels.iter().map(|c| c.name.as_str()).collect();

    let mut types: BTreeMap<String, TypeDef> = BTreeMap::new();
    let mut graphql_names: HashMap<String, String> = SHARED_GRAPHQL_NAMES
        .iter()
        .map(|n| (n.to_string(), "Bron itself".to_string()))
        .collect();
    for (file, stem, raw) in raw_types {
        let ctx = Ctx {
            file: &file,
            type_names: &type_names,
            channel_names: &channel_names,
            channels_unparsed,
            internal: &internal,
            vocabularies: &vocabularies,
        };
        let Some(def) = check_type(&ctx, &stem, raw, &mut problems) else {
            continue;
        };
        if let Some(prev) = types.get(&def.name) {
            problems.push(format!(
                "{file}: name: duplicate type name `{}`, already declared in {}",
                def.name, prev.file
            ));
            continue;
        }
        for generated in generated_names(&def) {
            if let Some(other) = graphql_names.insert(generated.clone(), file.clone()) {
                problems.push(format!(
                    "{file}: name: the GraphQL name `{generated}` is also generated by {other}; choose another name or plural"
                ));
            }
        }
        types.insert(def.name.clone(), def);
    }

    if problems.is_empty() {
        Ok(ContentModel {
            types,
            channels,
            vocabularies,
        })
    } else {
        Err(ModelError { problems })
    }
}

fn check_channels(file: &str, raw: RawChannels, problems: &mut Vec<String>) -> Vec<ChannelDef> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, c) in raw.channels.into_iter().enumerate() {
        let key = format!("channels[{i}]");
        if !is_identifier(&c.name) {
            problems.push(format!(
                "{file}: {key}.name: `{}` is not a valid name (lowercase letters, digits and _)",
                c.name
            ));
        }
        if !seen.insert(c.name.clone()) {
            problems.push(format!(
                "{file}: {key}.name: duplicate channel `{}`",
                c.name
            ));
        }
        let max_length = match c.max_length {
            Some(n) if n <= 0 => {
                problems.push(format!(
                    "{file}: {key}.max_length: must be a positive number, got {n}"
                ));
                None
            }
            n => n.map(|n| n as usize),
        };
        out.push(ChannelDef {
            label: c.label.unwrap_or_else(|| c.name.clone()),
            name: c.name,
            description: c.description,
            internal: c.internal,
            max_length,
        });
    }
    if out.is_empty() {
        problems.push(format!("{file}: channels: declare at least one channel"));
    }
    out
}

struct Ctx<'a> {
    file: &'a str,
    type_names: &'a HashSet<String>,
    channel_names: &'a HashSet<&'a str>,
    /// channels.toml did not parse: channel names cannot be checked.
    channels_unparsed: bool,
    internal: &'a HashSet<&'a str>,
    vocabularies: &'a BTreeMap<String, Vocabulary>,
}

fn check_type(ctx: &Ctx, stem: &str, raw: RawType, problems: &mut Vec<String>) -> Option<TypeDef> {
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

    (problems.len() == before).then(|| TypeDef {
        label: raw.label.unwrap_or_else(|| raw.name.clone()),
        name: raw.name,
        plural,
        description: raw.description,
        title_field,
        fields,
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
        max_length: f.max_length.map(|n| n as usize),
        min: f.min,
        max: f.max,
        pattern,
        values,
        to: f.to,
        channels,
        internal,
        vocabulary: f.vocabulary,
    })
}

/// Reads `vocabularies/*.tsv`: a tab-separated file whose first column is the
/// allowed value and second its label; `#` lines and the header are skipped.
fn load_vocabularies(dir: &Path, problems: &mut Vec<String>) -> BTreeMap<String, Vocabulary> {
    let mut out = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("tsv") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: cannot read: {e}", path.display()));
                continue;
            }
        };
        let mut entries = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let mut cols = line.split('\t');
            let value = cols.next().unwrap_or_default().trim();
            if !value.is_empty() {
                entries.insert(
                    value.to_string(),
                    cols.next().unwrap_or_default().to_string(),
                );
            }
        }
        out.insert(name.clone(), Vocabulary { name, entries });
    }
    out
}
