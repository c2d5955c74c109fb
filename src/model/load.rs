//! Reading `content-model/`: strict parsing of every file (unknown keys are
//! errors), then one validation pass over the whole model. Problems are
//! collected, not returned one at a time, so an operator fixes them in one go.
//! Every message starts with the file and the key it is about. The checks of
//! one type, field or channel list live in `validate.rs`; this file reads,
//! parses and looks across types (duplicate names, GraphQL name collisions).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::channels::{check_channels, check_routes};
use super::names::{SHARED_GRAPHQL_NAMES, generated_names};
use super::validate::{Ctx, check_type};
use super::{ContentModel, TypeDef, Vocabulary};

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
pub(super) struct RawType {
    pub(super) name: String,
    pub(super) label: Option<String>,
    /// The label for many items at once ("Producten"), for the editor UI.
    pub(super) label_plural: Option<String>,
    pub(super) plural: Option<String>,
    pub(super) description: Option<String>,
    pub(super) title_field: Option<String>,
    pub(super) search_boost: Option<f64>,
    pub(super) summary_field: Option<String>,
    #[serde(default)]
    pub(super) fields: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) label: Option<String>,
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) required: bool,
    #[serde(default)]
    pub(super) list: bool,
    pub(super) max_items: Option<i64>,
    pub(super) max_length: Option<i64>,
    pub(super) min: Option<i64>,
    pub(super) max: Option<i64>,
    pub(super) pattern: Option<String>,
    pub(super) values: Option<Vec<String>>,
    pub(super) to: Option<String>,
    pub(super) channels: Option<Vec<String>>,
    pub(super) vocabulary: Option<String>,
    pub(super) search: Option<f64>,
    pub(super) syntax: Option<String>,
    #[serde(default)]
    pub(super) embed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChannels {
    pub(super) organisation: Option<RawOrganisation>,
    #[serde(default)]
    pub(super) routes: BTreeMap<String, RawRoutes>,
    pub(super) channels: Vec<RawChannel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrganisation {
    pub(super) name: String,
    pub(super) website: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoutes {
    pub(super) desk: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) post: Option<String>,
    pub(super) help: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChannel {
    pub(super) name: String,
    pub(super) label: Option<String>,
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) internal: bool,
    pub(super) max_length: Option<i64>,
    pub(super) style: Option<String>,
    pub(super) heading_level: Option<i64>,
    pub(super) item_url: Option<String>,
}

const CHANNELS_FILE: &str = "channels.toml";

pub(super) const VOCABULARY_DIR: &str = "vocabularies";

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
                    "{}: cannot read the content-model directory: {e}; run Bron from the directory that holds content-model/, or pass --model-dir (or set BRON_MODEL_DIR)",
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

    let mut organisation = super::Organisation::default();
    let mut routes = BTreeMap::new();
    let channels = match channels {
        Some(c) => {
            let file = shown(CHANNELS_FILE);
            if let Some(o) = &c.organisation {
                organisation = super::Organisation {
                    name: o.name.clone(),
                    website: o.website.clone(),
                };
            }
            routes = check_routes(&file, &c.routes, &mut problems);
            check_channels(&file, c, &mut problems)
        }
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
            organisation,
            routes,
        })
    } else {
        Err(ModelError { problems })
    }
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
