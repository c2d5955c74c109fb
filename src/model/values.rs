//! Checking item field values against a type: kinds, required, max length,
//! pattern, enum values, vocabularies and integer bounds. Pure: whether a
//! referenced item exists is the hub's question, not this module's.
//!
//! Values are JSON (as stored). [`check_fields`] returns the normalised map in
//! model order (dates and money in one canonical form, empty values dropped),
//! or every problem found, each with the path of its field.

use serde_json::{Map, Value};

use super::{ContentModel, FieldDef, FieldKind, TypeDef};
use crate::error::FieldError;

use super::scalars::{check_uri, normalise_decimal};
pub use super::scalars::{format_date, format_datetime, parse_date, parse_datetime};

/// Checks and normalises the whole content `fields` of an item of type `ty`.
/// Unknown fields are errors; required fields must be present.
pub fn check_fields(
    model: &ContentModel,
    ty: &TypeDef,
    fields: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    for name in fields.keys() {
        if ty.field(name).is_none() {
            let known: Vec<_> = ty.fields.iter().map(|f| f.name.as_str()).collect();
            errors.push(
                FieldError::new(
                    format!("fields.{name}"),
                    format!(
                        "unknown field `{name}` for type {}; known fields: {}",
                        ty.name,
                        known.join(", ")
                    ),
                )
                .nl(format!("Het veld `{name}` bestaat niet bij dit type.")),
            );
        }
    }
    let mut out = Map::new();
    for def in &ty.fields {
        let path = format!("fields.{}", def.name);
        let value = fields.get(&def.name).unwrap_or(&Value::Null);
        match check_field(model, def, &path, value, &mut errors) {
            Some(v) => {
                out.insert(def.name.clone(), v);
            }
            None if def.required && !errors.iter().any(|e| e.field.starts_with(&path)) => {
                errors.push(
                    FieldError::new(path, format!("`{}` is required", def.name))
                        .nl("Dit veld is verplicht: vul het in."),
                );
            }
            None => {}
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Checks one value for field `def` the way a saved value is checked (a
/// filter value, say), and returns it normalised; a list field takes one
/// entry. `path` names the value in errors.
pub fn check_value(
    model: &ContentModel,
    def: &FieldDef,
    path: &str,
    value: &Value,
) -> Result<Value, Vec<FieldError>> {
    let single = FieldDef {
        list: false,
        ..def.clone()
    };
    let mut errors = Vec::new();
    match check_field(model, &single, path, value, &mut errors) {
        Some(v) if errors.is_empty() => Ok(v),
        _ if errors.is_empty() => Err(vec![FieldError::new(path, "a value is needed")]),
        _ => Err(errors),
    }
}

/// Returns the normalised value, or None when absent/empty (or invalid, with
/// the problem pushed to `errors`).
fn check_field(
    model: &ContentModel,
    def: &FieldDef,
    path: &str,
    value: &Value,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    if def.list {
        let Value::Array(items) = value else {
            errors.push(
                FieldError::new(
                    path,
                    format!("expected a list of {} values", def.kind.name()),
                )
                .nl("Hier hoort een lijst."),
            );
            return None;
        };
        if let Some(max) = def.max_items
            && items.len() > max
        {
            errors.push(
                FieldError::new(path, format!("at most {max} entries, got {}", items.len())).nl(
                    format!(
                        "Hier passen hoogstens {max} onderdelen; het zijn er nu {}.",
                        items.len()
                    ),
                ),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            if item.is_null() {
                errors.push(
                    FieldError::new(p, "a list may not contain null")
                        .nl("Een onderdeel van de lijst is leeg."),
                );
                continue;
            }
            if def.kind == FieldKind::Reference && items[..i].contains(item) {
                errors.push(
                    FieldError::new(
                        p,
                        format!("{item} is already in this list; refer to an item once"),
                    )
                    .nl("Dit item staat al in de lijst; noem het één keer."),
                );
                continue;
            }
            if let Some(v) = check_scalar(model, def, &p, item, errors) {
                out.push(v);
            }
        }
        return (!out.is_empty()).then_some(Value::Array(out));
    }
    check_scalar(model, def, path, value, errors)
}

fn check_scalar(
    model: &ContentModel,
    def: &FieldDef,
    path: &str,
    value: &Value,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let mut fail = |msg: String, dutch: String| {
        errors.push(FieldError::new(path, msg).nl(dutch));
        None
    };
    let kind = def.kind;
    match kind {
        FieldKind::Text | FieldKind::Markdown | FieldKind::Uri => {
            let Value::String(s) = value else {
                return fail(
                    format!(
                        "expected {} (a string), got {}",
                        kind.name(),
                        type_of(value)
                    ),
                    "Hier hoort tekst.".into(),
                );
            };
            if s.trim().is_empty() {
                return None;
            }
            let len = s.chars().count();
            if let Some(max) = def.max_length
                && len > max
            {
                return fail(
                    format!("is {len} characters long; the maximum is {max}"),
                    format!("Deze tekst is {len} tekens lang; er passen er hoogstens {max}."),
                );
            }
            if kind != FieldKind::Markdown && s.contains(['\u{0}']) {
                return fail(
                    "contains a NUL character".into(),
                    "De tekst bevat een onzichtbaar teken dat niet mag; typ hem opnieuw.".into(),
                );
            }
            if kind == FieldKind::Text && def.list && s.contains('\n') {
                return fail(
                    "a list entry must be a single line".into(),
                    "Elk onderdeel van de lijst staat op één regel.".into(),
                );
            }
            if let Some(re) = &def.pattern
                && !re.is_match(s)
            {
                return fail(
                    format!("`{s}` does not match the pattern {}", re.as_str()),
                    format!("'{s}' heeft niet de vorm die dit veld vraagt."),
                );
            }
            if def.syntax == Some(super::Syntax::Rule)
                && let Err(e) = crate::rules::parse(s)
            {
                return fail(
                    format!("the rule `{s}` does not parse: {e}"),
                    format!("Deze regel is niet te lezen: {e}"),
                );
            }
            if kind == FieldKind::Uri
                && let Err(msg) = check_uri(s)
            {
                return fail(
                    msg,
                    "Vul een volledig webadres in, zoals https://www.voorbeeld.nl/pagina.".into(),
                );
            }
            if let Some(vocab) = def
                .vocabulary
                .as_ref()
                .and_then(|v| model.vocabularies.get(v))
                && !vocab.entries.contains_key(s.as_str())
            {
                return fail(
                    format!(
                        "`{s}` is not in the {} list (values must match exactly, including case)",
                        vocab.name
                    ),
                    format!(
                        "'{s}' staat niet in de lijst {}; neem de waarde precies over.",
                        vocab.name
                    ),
                );
            }
            Some(Value::String(s.clone()))
        }
        FieldKind::Integer => {
            let Some(n) = value.as_i64() else {
                return fail(
                    format!("expected an integer, got {}", type_of(value)),
                    "Vul een heel getal in, zoals 12.".into(),
                );
            };
            if let Some(min) = def.min
                && n < min
            {
                return fail(
                    format!("{n} is below the minimum {min}"),
                    format!("{n} is te klein; het kleinste toegestane getal is {min}."),
                );
            }
            if let Some(max) = def.max
                && n > max
            {
                return fail(
                    format!("{n} is above the maximum {max}"),
                    format!("{n} is te groot; het grootste toegestane getal is {max}."),
                );
            }
            Some(Value::from(n))
        }
        FieldKind::Decimal | FieldKind::Money => {
            let text = match value {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                other => {
                    return fail(
                        format!("expected a decimal number, got {}", type_of(other)),
                        "Vul een getal in, zoals 84.70.".into(),
                    );
                }
            };
            match normalise_decimal(&text, kind == FieldKind::Money) {
                Ok(s) => Some(Value::String(s)),
                Err(msg) if kind == FieldKind::Money => fail(
                    msg,
                    "Vul een bedrag in euro's in met een punt voor de centen, zoals 84.70.".into(),
                ),
                Err(msg) => fail(
                    msg,
                    "Vul een getal in met een punt als decimaalteken, zoals 2.5.".into(),
                ),
            }
        }
        FieldKind::Date => {
            let Value::String(s) = value else {
                return fail(
                    format!("expected a date (YYYY-MM-DD), got {}", type_of(value)),
                    "Vul een datum in.".into(),
                );
            };
            match parse_date(s) {
                Ok(d) => Some(Value::String(format_date(d))),
                Err(msg) => fail(msg, format!("'{s}' is geen bestaande datum.")),
            }
        }
        FieldKind::DateTime => {
            let Value::String(s) = value else {
                return fail(
                    format!("expected a date-time (RFC 3339), got {}", type_of(value)),
                    "Vul een datum en tijd in.".into(),
                );
            };
            match parse_datetime(s) {
                Ok(t) => Some(Value::String(format_datetime(t))),
                Err(msg) => fail(msg, format!("'{s}' is geen bestaande datum en tijd.")),
            }
        }
        FieldKind::Boolean => match value {
            Value::Bool(b) => Some(Value::Bool(*b)),
            other => fail(
                format!("expected true or false, got {}", type_of(other)),
                "Kies ja of nee.".into(),
            ),
        },
        FieldKind::Enum => {
            let Value::String(s) = value else {
                return fail(
                    format!(
                        "expected one of {}, got {}",
                        def.values.join(", "),
                        type_of(value)
                    ),
                    format!("Kies een van: {}.", def.values.join(", ")),
                );
            };
            if def.values.iter().any(|v| v == s) {
                Some(Value::String(s.clone()))
            } else {
                fail(
                    format!("`{s}` is not one of {}", def.values.join(", ")),
                    format!(
                        "'{s}' kan hier niet; kies een van: {}.",
                        def.values.join(", ")
                    ),
                )
            }
        }
        FieldKind::Reference => {
            let Value::String(s) = value else {
                return fail(
                    format!(
                        "expected the id of a {} item, got {}",
                        def.to.as_deref().unwrap_or("?"),
                        type_of(value)
                    ),
                    "Kies een item uit de zoekresultaten.".into(),
                );
            };
            if s.trim().is_empty() || s.len() > 200 {
                return fail(
                    format!("`{s}` is not an item id"),
                    "Kies een item uit de zoekresultaten.".into(),
                );
            }
            Some(Value::String(s.clone()))
        }
    }
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    fn model() -> ContentModel {
        ContentModel::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-model")).unwrap()
    }

    fn check(ty: &str, v: Value) -> Result<Map<String, Value>, Vec<FieldError>> {
        let m = model();
        let t = m.get(ty).unwrap().clone();
        check_fields(&m, &t, v.as_object().unwrap())
    }

    fn first_error(ty: &str, v: Value) -> (String, String) {
        let e = check(ty, v).unwrap_err();
        (e[0].field.clone(), e[0].message.clone())
    }

    #[test]
    fn normalises() {
        let out = check(
            "fact",
            json!({"label": "Paspoort", "value": "€ 84,70", "amount": "84.7", "valid_from": "2026-01-01"}),
        )
        .unwrap();
        assert_eq!(out["amount"], "84.70");
        assert_eq!(normalise_decimal("007.50", false).unwrap(), "7.5");
        assert_eq!(
            format_datetime(parse_datetime("2026-05-01T11:00:00+02:00").unwrap()),
            "2026-05-01T09:00:00Z"
        );
    }

    #[test]
    fn rejects_bad_values_with_paths() {
        assert_eq!(first_error("fact", json!({"label": "x"})).0, "fields.value");
        let long = "x".repeat(121);
        let (f, m) = first_error("step", json!({"title": long, "instruction": "y"}));
        assert_eq!(f, "fields.title");
        assert!(
            m.contains("121 characters") && m.contains("maximum is 120"),
            "{m}"
        );
        let (f, m) = first_error(
            "step",
            json!({"title": "t", "instruction": "y", "duration_minutes": "10"}),
        );
        assert_eq!(f, "fields.duration_minutes");
        assert!(m.contains("expected an integer"), "{m}");
        let (f, m) = first_error(
            "step",
            json!({"title": "t", "instruction": "y", "colour": "red"}),
        );
        assert_eq!(f, "fields.colour");
        assert!(m.contains("unknown field `colour`"), "{m}");
        let (f, m) = first_error(
            "product",
            json!({"title": "t", "summary": "s", "audience": ["burger", "toerist"]}),
        );
        assert_eq!(f, "fields.audience[1]");
        assert!(m.contains("`toerist` is not one of burger, bedrijf"), "{m}");
        let (_, m) = first_error(
            "product",
            json!({"title": "t", "summary": "s", "upl_uri": "http://standaarden.overheid.nl/owms/terms/Paspoort"}),
        );
        assert!(m.contains("not in the upl list"), "{m}");
        let (f, m) = first_error("condition", json!({"text": "t", "rule": "age >== 18"}));
        assert_eq!(f, "fields.rule");
        assert!(
            m.contains("does not parse: at position 7: `=` on its own"),
            "{m}"
        );
        // A pattern, on a field given one.
        let mut model = model();
        let mut ty = model.get("step").unwrap().clone();
        ty.fields
            .iter_mut()
            .find(|f| f.name == "duration")
            .unwrap()
            .pattern = Some(regex::Regex::new("^[0-9]+ (minuten|dagen)$").unwrap());
        model.types.insert("step".into(), ty.clone());
        let e = check_fields(
            &model,
            &ty,
            json!({"title": "t", "instruction": "i", "duration": "lang"})
                .as_object()
                .unwrap(),
        )
        .unwrap_err();
        assert!(
            e[0].message.contains("does not match the pattern"),
            "{}",
            e[0].message
        );
        let (_, m) = first_error(
            "product",
            json!({"title": "t", "summary": "s", "online_url": "javascript:alert(1)"}),
        );
        assert!(m.contains("not allowed"), "{m}");
        let (_, m) = first_error(
            "product",
            json!({"title": "t", "summary": "s", "online_url": "https://a.nl/\"><script>alert(1)</script>"}),
        );
        assert!(m.contains("must be percent-encoded"), "{m}");
        let (_, m) = first_error(
            "fact",
            json!({"label": "l", "value": "v", "amount": "1.234"}),
        );
        assert!(m.contains("more than 2 decimals"), "{m}");
        let (_, m) = first_error(
            "fact",
            json!({"label": "l", "value": "v", "valid_from": "2026-02-30"}),
        );
        assert!(m.contains("YYYY-MM-DD"), "{m}");
    }

    #[test]
    fn accepts_upl_uri_exactly() {
        check(
            "product",
            json!({"title": "t", "summary": "s", "upl_uri": "http://standaarden.overheid.nl/owms/terms/paspoort", "rule": null}),
        )
        .unwrap_err();
        let ok = check(
            "product",
            json!({"title": "t", "summary": "s", "upl_uri": "http://standaarden.overheid.nl/owms/terms/paspoort"}),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }
}
