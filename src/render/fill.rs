//! Placeholders in text: `{{fact:slug}}` (a shared value, filled in every
//! channel and in the search index) and merge fields such as
//! `{{ontvanger.naam}}` (for letters: kept for the document system, or filled
//! from variables the caller passes).

use std::borrow::Cow;
use std::collections::BTreeMap;

const FACT: &str = "{{fact:";

/// The fact slugs named by `{{fact:slug}}` in `text`, in order.
pub fn fact_refs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(FACT) {
        let after = &rest[start + FACT.len()..];
        match after.find("}}") {
            Some(end) => {
                out.push(after[..end].trim());
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

/// `text` with every `{{fact:slug}}` replaced by `value(slug)`. A fact
/// without a value is replaced by nothing and its slug added to `missing`
/// (saving refuses unknown facts, so this happens only when a fact was
/// unpublished or removed since).
pub fn fill_facts<'t, 'v>(
    text: &'t str,
    value: impl Fn(&str) -> Option<&'v str>,
    missing: &mut Vec<String>,
) -> Cow<'t, str> {
    if !text.contains(FACT) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(FACT) {
        out.push_str(&rest[..start]);
        let after = &rest[start + FACT.len()..];
        let Some(end) = after.find("}}") else {
            rest = &rest[start..];
            break;
        };
        let slug = after[..end].trim();
        match value(slug) {
            Some(v) => out.push_str(v),
            None => {
                if !missing.iter().any(|m| m == slug) {
                    missing.push(slug.to_string());
                }
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// True for a merge-field name: `ontvanger.naam`, `aanvraag.datum`, `zaak_nummer`.
fn merge_name(s: &str) -> bool {
    let mut parts = s.split('.');
    parts.all(|p| {
        let mut c = p.chars();
        c.next().is_some_and(|f| f.is_ascii_lowercase())
            && c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The merge fields of `text` (`{{name}}`, facts excluded), in order, once each.
pub fn merge_fields(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if merge_name(name) && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
        rest = &after[end + 2..];
    }
    out
}

/// `text` with merge fields filled from `vars`; a field without a variable
/// is kept as `{{name}}` for the document system and added to `missing`.
pub fn fill_merge_fields(
    text: &str,
    vars: &BTreeMap<String, String>,
    missing: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            rest = &rest[start..];
            break;
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) if merge_name(name) => out.push_str(v),
            _ => {
                if merge_name(name) && !missing.iter().any(|m| m == name) {
                    missing.push(name.to_string());
                }
                out.push_str(&rest[start..start + 2 + end + 2]);
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_filled_and_unknown_ones_reported() {
        let mut missing = Vec::new();
        let value = |s: &str| (s == "tarief").then_some("€ 88,65");
        let out = fill_facts(
            "Kost {{fact:tarief}}, {{fact: weg }}; {{fact:tarief",
            value,
            &mut missing,
        );
        assert_eq!(out, "Kost € 88,65, ; {{fact:tarief");
        assert_eq!(missing, ["weg"]);
        assert!(matches!(
            fill_facts("geen", value, &mut missing),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            fact_refs("{{fact:a}} en {{fact: b }}; {{fact:c"),
            ["a", "b"]
        );
    }

    #[test]
    fn merge_fields_kept_or_filled() {
        let text =
            "Geachte {{ontvanger.naam}}, uw aanvraag {{ zaak.nummer }} ({{fact:x}}, {{Niet Dit}}).";
        assert_eq!(merge_fields(text), ["ontvanger.naam", "zaak.nummer"]);
        let mut vars = BTreeMap::new();
        vars.insert("ontvanger.naam".to_string(), "mevrouw De Vries".to_string());
        let mut missing = Vec::new();
        let out = fill_merge_fields(text, &vars, &mut missing);
        assert_eq!(
            out,
            "Geachte mevrouw De Vries, uw aanvraag {{ zaak.nummer }} ({{fact:x}}, {{Niet Dit}})."
        );
        assert_eq!(missing, ["zaak.nummer"]);
    }
}
