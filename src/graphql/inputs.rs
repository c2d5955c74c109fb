//! The content inputs of the per-type mutations, two per type: on create
//! (`ProductCreateFields`) the model's required fields are non-null, so a
//! client's types say what a new item needs; on update
//! (`ProductUpdateFields`) every field is optional, only the fields given
//! change, and null clears one. The hub checks the whole content either way
//! (blank text, lengths, vocabularies, references), so these types only
//! say early what it would refuse.

use async_graphql::dynamic::{InputObject, InputValue, ObjectAccessor, TypeRef};
use serde_json::{Map, Value};

use super::convert::{bad_argument, from_gql, input_element_type};
use crate::model::{FieldDef, FieldKind, TypeDef, camel, pascal};

/// `ProductCreateFields`.
pub fn create_input_name(ty: &TypeDef) -> String {
    format!("{}CreateFields", pascal(&ty.name))
}

/// `ProductUpdateFields`.
pub fn update_input_name(ty: &TypeDef) -> String {
    format!("{}UpdateFields", pascal(&ty.name))
}

/// Ends `d` with a full stop unless it already ends a sentence.
pub(super) fn end_sentence(d: &mut String) {
    if !d.ends_with(['.', '?', '!']) {
        d.push('.');
    }
}

/// What a field holds, from the model's label and description, with its
/// kind and limits where the GraphQL type does not say them. On an input
/// (`input`), references are ids.
pub(super) fn about(f: &FieldDef, input: bool) -> String {
    let mut d = f.label.clone();
    if let Some(desc) = &f.description {
        end_sentence(&mut d);
        d.push(' ');
        d.push_str(desc);
    }
    end_sentence(&mut d);
    let to = f.to.as_deref().unwrap_or_default();
    match (f.kind, f.list, input) {
        (FieldKind::Markdown, _, _) => d.push_str(" Markdown."),
        (FieldKind::Reference, true, true) => d.push_str(&format!(" Ids of `{to}` items.")),
        (FieldKind::Reference, false, true) => d.push_str(&format!(" The id of a `{to}` item.")),
        _ => {}
    }
    if let Some(n) = f.max_items {
        d.push_str(&format!(" At most {n} entries."));
    }
    if let Some(n) = f.max_length {
        let each = if f.list { " each" } else { "" };
        d.push_str(&format!(" At most {n} characters{each}."));
    }
    d
}

/// The input for a new item: required fields must be given.
pub fn create_input(ty: &TypeDef) -> InputObject {
    let mut input = InputObject::new(create_input_name(ty)).description(format!(
        "The content of a new {}. Fields the model requires are non-null here; the rest may be left out. References are item ids.",
        ty.name
    ));
    for f in &ty.fields {
        let t = input_element_type(&ty.name, f);
        let (tref, rule) = match (f.list, f.required) {
            (true, true) => (
                TypeRef::named_nn_list_nn(t),
                " Required: at least one entry.",
            ),
            (true, false) => (TypeRef::named_nn_list(t), ""),
            (false, true) => (TypeRef::named_nn(t), " Required."),
            (false, false) => (TypeRef::named(t), ""),
        };
        let desc = format!("{}{rule}", about(f, true));
        input = input.field(InputValue::new(camel(&f.name), tref).description(desc));
    }
    input
}

/// The input for a change: every field optional, null clears it.
pub fn update_input(ty: &TypeDef) -> InputObject {
    let mut input = InputObject::new(update_input_name(ty)).description(format!(
        "Changes to a {}: only the fields given change; null clears a field (refused with VALIDATION_FAILED for a field the model requires). References are item ids.",
        ty.name
    ));
    for f in &ty.fields {
        let t = input_element_type(&ty.name, f);
        let tref = if f.list {
            TypeRef::named_nn_list(t)
        } else {
            TypeRef::named(t)
        };
        let rule = if f.required {
            " Required: may be changed, not cleared."
        } else {
            ""
        };
        let desc = format!("{}{rule}", about(f, true));
        input = input.field(InputValue::new(camel(&f.name), tref).description(desc));
    }
    input
}

/// The `fields` argument as the model's field names and JSON values; a
/// null stays null (on update it clears the field).
pub fn fields_map(
    ty: &TypeDef,
    args: &ObjectAccessor<'_>,
) -> async_graphql::Result<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(obj) = args.get("fields").filter(|v| !v.is_null()) {
        let obj = obj.object()?;
        for (key, value) in obj.iter() {
            let f = ty
                .fields
                .iter()
                .find(|f| camel(&f.name) == key.as_str())
                .ok_or_else(|| bad_argument(format!("fields.{key}").as_str(), "unknown field"))?;
            out.insert(f.name.clone(), from_gql(f, &value));
        }
    }
    Ok(out)
}
