//! Readable differences between two revisions of an item: per field that
//! changed, its text split into words kept, removed and added. Diffs are
//! made on the stored text (Markdown as the editor wrote it), never on HTML,
//! so a moved comma shows as a moved comma.

use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

use crate::model::TypeDef;

/// One run of words in a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// `same`, `del` or `ins`.
    pub tag: &'static str,
    pub text: String,
}

/// A field or attribute that differs between two revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    pub label: String,
    pub parts: Vec<Part>,
}

/// Texts longer than this are compared by lines rather than words, so a
/// diff of two long texts stays quick.
const WORD_DIFF_MAX: usize = 50_000;

/// The words of `old` and `new`, kept, removed and added.
pub fn words(old: &str, new: &str) -> Vec<Part> {
    let diff = if old.len() + new.len() > WORD_DIFF_MAX {
        TextDiff::configure().diff_lines(old, new)
    } else {
        TextDiff::configure().diff_words(old, new)
    };
    let mut parts: Vec<Part> = Vec::new();
    for change in diff.iter_all_changes() {
        let tag = match change.tag() {
            ChangeTag::Equal => "same",
            ChangeTag::Delete => "del",
            ChangeTag::Insert => "ins",
        };
        match parts.last_mut() {
            Some(p) if p.tag == tag => p.text.push_str(change.value()),
            _ => parts.push(Part {
                tag,
                text: change.value().to_string(),
            }),
        }
    }
    merge_runs(parts)
}

/// Folds a run of changes separated only by spaces into one removal and
/// one addition, so a rewritten sentence reads as old, then new, instead of
/// alternating word by word.
fn merge_runs(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    let mut del = String::new();
    let mut ins = String::new();
    let flush = |out: &mut Vec<Part>, del: &mut String, ins: &mut String| {
        if !del.is_empty() {
            out.push(Part {
                tag: "del",
                text: std::mem::take(del),
            });
        }
        if !ins.is_empty() {
            out.push(Part {
                tag: "ins",
                text: std::mem::take(ins),
            });
        }
    };
    let n = parts.len();
    for (i, p) in parts.iter().enumerate() {
        let in_run = !del.is_empty() || !ins.is_empty();
        let next_changes = parts.get(i + 1).is_some_and(|q| q.tag != "same");
        match p.tag {
            "del" => del.push_str(&p.text),
            "ins" => ins.push_str(&p.text),
            _ if in_run && next_changes && i + 1 < n && p.text.trim().is_empty() => {
                del.push_str(&p.text);
                ins.push_str(&p.text);
            }
            _ => {
                flush(&mut out, &mut del, &mut ins);
                out.push(p.clone());
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    out
}

/// A field's value as text to compare: lists an entry per line, references
/// by the titles `title` gives for ids.
fn text_of(v: Option<&Value>, title: &dyn Fn(&str) -> String, is_ref: bool) -> String {
    let one = |v: &Value| match v {
        Value::String(s) if is_ref => title(s),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Array(items)) => items.iter().map(one).collect::<Vec<_>>().join("\n"),
        Some(other) => one(other),
    }
}

/// The differences between two revision contents (as stored: `slug`,
/// `review_by`, `external_id` and `fields`), in model order; `title` names
/// a referenced item for people.
pub fn revisions(
    ty: &TypeDef,
    old: &Value,
    new: &Value,
    title: &dyn Fn(&str) -> String,
) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    let empty = Map::new();
    let fields = |v: &Value| v.get("fields").and_then(Value::as_object).cloned();
    let (of, nf) = (
        fields(old).unwrap_or_else(|| empty.clone()),
        fields(new).unwrap_or(empty),
    );
    for def in &ty.fields {
        let is_ref = def.kind == crate::model::FieldKind::Reference;
        let a = text_of(of.get(&def.name), title, is_ref);
        let b = text_of(nf.get(&def.name), title, is_ref);
        if a != b {
            out.push(FieldDiff {
                label: def.label.clone(),
                parts: words(&a, &b),
            });
        }
    }
    for (key, label) in [
        ("slug", "Webadres-naam"),
        ("review_by", "Controleren vóór"),
        ("external_id", "Extern kenmerk"),
    ] {
        let a = text_of(old.get(key), title, false);
        let b = text_of(new.get(key), title, false);
        if a != b {
            out.push(FieldDiff {
                label: label.into(),
                parts: words(&a, &b),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_show_what_was_removed_and_added() {
        let p = words(
            "U betaalt € 75,00 aan leges.",
            "U betaalt € 84,70 aan leges.",
        );
        let ins: Vec<_> = p.iter().filter(|p| p.tag == "ins").collect();
        let del: Vec<_> = p.iter().filter(|p| p.tag == "del").collect();
        assert_eq!(ins.len(), 1);
        assert_eq!(ins[0].text.trim(), "84,70");
        assert_eq!(del[0].text.trim(), "75,00");
        let joined: String = p
            .iter()
            .filter(|p| p.tag != "del")
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(joined, "U betaalt € 84,70 aan leges.");
    }

    #[test]
    fn a_rewritten_sentence_reads_old_then_new() {
        let p = words("Met een paspoort reist u.", "Tweede nieuwe samenvatting.");
        let tags: Vec<_> = p.iter().map(|p| p.tag).collect();
        assert_eq!(tags, ["del", "ins"], "{p:?}");
        assert_eq!(p[0].text, "Met een paspoort reist u.");
        assert_eq!(p[1].text, "Tweede nieuwe samenvatting.");
    }

    #[test]
    fn only_changed_fields_are_listed_with_references_by_title() {
        let m = crate::model::ContentModel::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-model"),
        )
        .unwrap();
        let ty = m.get("product").unwrap();
        let old = json!({"slug": "a", "fields": {"title": "Paspoort", "steps": ["s1"]}});
        let new = json!({"slug": "a", "fields": {"title": "Paspoort", "steps": ["s1", "s2"]}});
        let title = |id: &str| format!("Stap {id}");
        let d = revisions(ty, &old, &new, &title);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].label, "Stappen");
        assert!(
            d[0].parts
                .iter()
                .any(|p| p.tag == "ins" && p.text.contains("Stap s2"))
        );
    }
}
