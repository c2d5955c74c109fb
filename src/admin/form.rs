//! The edit form, generated from the content model: one widget per field
//! kind, and the way back from posted form pairs to the JSON fields the hub
//! checks. The form holds the whole unsaved state (reference lists, their
//! order, a reference search), so every button works without JavaScript: a
//! button that is not "save" re-renders the form from what was posted.
//!
//! Posted names: `f.<field>` for values (repeated for lists and
//! references, in order), `q.<field>` for a reference search, and the
//! item's own `slug`, `locale`, `review_by`, `external_id`, `version`.
//! The button pressed is `action`: `save`, `publish`, `preview`,
//! `find:<field>`, `add:<field>:<id>`, `remove:<field>:<n>`,
//! `up:<field>:<n>`, `down:<field>:<n>`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::model::{FieldDef, FieldKind, TypeDef};

/// Posted form pairs, in order.
pub type Pairs = Vec<(String, String)>;

/// The values of every pair named `name`, in order.
pub fn all<'a>(pairs: &'a Pairs, name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The first value named `name`.
pub fn one<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A button the editor pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Save,
    Publish,
    Preview,
    Find(String),
    Add(String, String),
    Remove(String, usize),
    Up(String, usize),
    Down(String, usize),
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        let mut parts = s.splitn(3, ':');
        let verb = parts.next()?;
        let field = parts.next().map(str::to_string);
        let arg = parts.next();
        let n = || arg.and_then(|a| a.parse().ok());
        Some(match (verb, field) {
            ("save", None) => Action::Save,
            ("publish", None) => Action::Publish,
            ("preview", None) => Action::Preview,
            ("find", Some(f)) => Action::Find(f),
            ("add", Some(f)) => Action::Add(f, arg?.to_string()),
            ("remove", Some(f)) => Action::Remove(f, n()?),
            ("up", Some(f)) => Action::Up(f, n()?),
            ("down", Some(f)) => Action::Down(f, n()?),
            _ => return None,
        })
    }
}

/// Form values of the whole item: field name to the posted strings.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub fields: HashMap<String, Vec<String>>,
}

impl Values {
    /// The values an item's stored fields show in the form.
    pub fn from_fields(ty: &TypeDef, fields: &Map<String, Value>) -> Values {
        let mut out = HashMap::new();
        for def in &ty.fields {
            let v = fields.get(&def.name).unwrap_or(&Value::Null);
            let list: Vec<String> = match v {
                Value::Null => Vec::new(),
                Value::Array(items) => items.iter().map(scalar_text).collect(),
                other => vec![scalar_text(other)],
            };
            out.insert(def.name.clone(), list);
        }
        Values { fields: out }
    }

    /// The values as posted.
    pub fn from_pairs(ty: &TypeDef, pairs: &Pairs) -> Values {
        let mut out = HashMap::new();
        for def in &ty.fields {
            let key = format!("f.{}", def.name);
            let mut vals: Vec<String> = all(pairs, &key).into_iter().map(str::to_string).collect();
            if def.list && def.kind != FieldKind::Reference && def.kind != FieldKind::Enum {
                // A list of texts is one textarea, an entry per line.
                vals = vals
                    .iter()
                    .flat_map(|v| v.lines())
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            out.insert(def.name.clone(), vals);
        }
        Values { fields: out }
    }

    pub fn get(&self, field: &str) -> &[String] {
        self.fields.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn get_mut(&mut self, field: &str) -> &mut Vec<String> {
        self.fields.entry(field.to_string()).or_default()
    }

    /// The JSON fields the hub checks: empty values are cleared (null),
    /// numbers and yes/no parsed where they can be (what cannot be parsed is
    /// passed on as text, so the hub names the problem as the API would).
    pub fn to_fields(&self, ty: &TypeDef) -> Map<String, Value> {
        let mut out = Map::new();
        for def in &ty.fields {
            let vals: Vec<Value> = self
                .get(&def.name)
                .iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| typed(def, v))
                .collect();
            let value = if def.list {
                if vals.is_empty() {
                    Value::Null
                } else {
                    Value::Array(vals)
                }
            } else {
                vals.into_iter().next().unwrap_or(Value::Null)
            };
            out.insert(def.name.clone(), value);
        }
        out
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn typed(def: &FieldDef, v: &str) -> Value {
    match def.kind {
        FieldKind::Integer => v
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(v.into())),
        FieldKind::Boolean => match v {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.into()),
        },
        // A comma is how Dutch writes decimals.
        FieldKind::Decimal | FieldKind::Money => Value::String(v.replace(',', ".")),
        // `datetime-local` posts 2026-12-03T10:30; the API wants an offset.
        FieldKind::DateTime if v.len() == 16 => Value::String(format!("{v}:00Z")),
        _ => Value::String(v.to_string()),
    }
}

/// Applies a list button (move, remove, add) to the values; false when the
/// action is not one of those.
pub fn apply(values: &mut Values, ty: &TypeDef, action: &Action) -> bool {
    let field_ok = |f: &str| ty.field(f).is_some_and(|d| d.list);
    match action {
        Action::Up(f, n) if field_ok(f) => {
            let v = values.get_mut(f);
            if *n > 0 && *n < v.len() {
                v.swap(*n - 1, *n);
            }
            true
        }
        Action::Down(f, n) if field_ok(f) => {
            let v = values.get_mut(f);
            if *n + 1 < v.len() {
                v.swap(*n, *n + 1);
            }
            true
        }
        Action::Remove(f, n) if ty.field(f).is_some() => {
            let v = values.get_mut(f);
            if *n < v.len() {
                v.remove(*n);
            }
            true
        }
        Action::Add(f, id) => {
            let Some(def) = ty.field(f) else { return false };
            let v = values.get_mut(f);
            if def.list {
                if !v.contains(id) {
                    v.push(id.clone());
                }
            } else {
                *v = vec![id.clone()];
            }
            true
        }
        _ => false,
    }
}

/// `fields.steps[2]` → (`steps`, Some(2)); `slug` → (`slug`, None).
pub fn error_target(path: &str) -> (String, Option<usize>) {
    let rest = path.strip_prefix("fields.").unwrap_or(path);
    match rest.split_once('[') {
        Some((name, idx)) => (name.to_string(), idx.trim_end_matches(']').parse().ok()),
        None => (rest.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> crate::model::ContentModel {
        crate::model::ContentModel::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-model"),
        )
        .unwrap()
    }

    fn pairs(p: &[(&str, &str)]) -> Pairs {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn posted_pairs_become_the_fields_the_hub_checks() {
        let m = model();
        let ty = m.get("product").unwrap();
        let v = Values::from_pairs(
            ty,
            &pairs(&[
                ("f.title", "Paspoort aanvragen"),
                ("f.summary", " "),
                ("f.themes", "Reizen\n\n Identiteit \n"),
                ("f.audience", "burger"),
                ("f.audience", "bedrijf"),
                ("f.steps", "a"),
                ("f.steps", "b"),
            ]),
        );
        let f = v.to_fields(ty);
        assert_eq!(f["title"], "Paspoort aanvragen");
        assert_eq!(f["summary"], Value::Null);
        assert_eq!(f["themes"], serde_json::json!(["Reizen", "Identiteit"]));
        assert_eq!(f["audience"], serde_json::json!(["burger", "bedrijf"]));
        assert_eq!(f["steps"], serde_json::json!(["a", "b"]));
        let back = Values::from_fields(ty, &f);
        assert_eq!(back.get("steps"), ["a", "b"]);
    }

    #[test]
    fn list_buttons_move_add_and_remove_entries() {
        let m = model();
        let ty = m.get("product").unwrap();
        let mut v = Values::default();
        *v.get_mut("steps") = vec!["a".into(), "b".into(), "c".into()];
        assert!(apply(&mut v, ty, &Action::parse("up:steps:2").unwrap()));
        assert_eq!(v.get("steps"), ["a", "c", "b"]);
        apply(&mut v, ty, &Action::parse("down:steps:0").unwrap());
        assert_eq!(v.get("steps"), ["c", "a", "b"]);
        apply(&mut v, ty, &Action::parse("up:steps:0").unwrap());
        assert_eq!(v.get("steps"), ["c", "a", "b"]);
        apply(&mut v, ty, &Action::parse("remove:steps:1").unwrap());
        apply(&mut v, ty, &Action::parse("add:steps:d").unwrap());
        apply(&mut v, ty, &Action::parse("add:steps:d").unwrap());
        assert_eq!(v.get("steps"), ["c", "b", "d"]);
        assert!(!apply(&mut v, ty, &Action::parse("up:nope:1").unwrap()));
        assert_eq!(Action::parse("up:steps:x"), None);
        assert_eq!(Action::parse("drop table"), None);
    }

    #[test]
    fn error_paths_point_at_fields_and_entries() {
        assert_eq!(error_target("fields.steps[2]"), ("steps".into(), Some(2)));
        assert_eq!(error_target("fields.title"), ("title".into(), None));
        assert_eq!(error_target("slug"), ("slug".into(), None));
    }
}
