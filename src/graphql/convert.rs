//! Translation between the model's JSON values and GraphQL values, between
//! snake_case model names and camelCase GraphQL names, and from crate errors
//! to GraphQL errors with `extensions.code`.

use async_graphql::dynamic::{ObjectAccessor, TypeRef, ValueAccessor};
use async_graphql::{ErrorExtensions, Name, Value as GqlValue};
use serde_json::Value;

use crate::error::Error;
use crate::model::{FieldDef, FieldKind, camel, pascal};

pub const SCALAR_DATE: &str = "Date";
pub const SCALAR_DATETIME: &str = "DateTime";
pub const SCALAR_MONEY: &str = "Money";
pub const SCALAR_DECIMAL: &str = "Decimal";
pub const SCALAR_URI: &str = "URI";
pub const SCALAR_JSON: &str = "JSON";

/// The GraphQL enum generated for an enum field: `ProductAudience`.
pub fn enum_type_name(type_name: &str, field: &FieldDef) -> String {
    format!("{}{}", pascal(type_name), pascal(&field.name))
}

/// The GraphQL type a single value of `field` has.
pub fn element_type(type_name: &str, field: &FieldDef) -> String {
    match field.kind {
        FieldKind::Text | FieldKind::Markdown => TypeRef::STRING.into(),
        FieldKind::Integer => TypeRef::INT.into(),
        FieldKind::Boolean => TypeRef::BOOLEAN.into(),
        FieldKind::Decimal => SCALAR_DECIMAL.into(),
        FieldKind::Money => SCALAR_MONEY.into(),
        FieldKind::Date => SCALAR_DATE.into(),
        FieldKind::DateTime => SCALAR_DATETIME.into(),
        FieldKind::Uri => SCALAR_URI.into(),
        FieldKind::Enum => enum_type_name(type_name, field),
        FieldKind::Reference => pascal(field.to.as_deref().unwrap_or_default()),
    }
}

/// The GraphQL type of `field` on an input: references are ids.
pub fn input_element_type(type_name: &str, field: &FieldDef) -> String {
    if field.kind == FieldKind::Reference {
        TypeRef::ID.into()
    } else {
        element_type(type_name, field)
    }
}

pub fn enum_value_name(value: &str) -> String {
    value.to_ascii_uppercase()
}

/// A stored JSON value of `field` as a GraphQL output value.
pub fn to_gql(field: &FieldDef, v: &Value) -> GqlValue {
    match (field.kind, v) {
        (FieldKind::Enum, Value::String(s)) => GqlValue::Enum(Name::new(enum_value_name(s))),
        (_, Value::Array(items)) => {
            GqlValue::List(items.iter().map(|i| to_gql(field, i)).collect())
        }
        _ => GqlValue::from_json(v.clone()).unwrap_or(GqlValue::Null),
    }
}

/// A GraphQL input value for `field` as the JSON the model checks.
pub fn from_gql(field: &FieldDef, v: &ValueAccessor<'_>) -> Value {
    json_of(field, v.as_value())
}

fn json_of(field: &FieldDef, v: &GqlValue) -> Value {
    match v {
        GqlValue::Enum(n) if field.kind == FieldKind::Enum => {
            Value::String(n.as_str().to_ascii_lowercase())
        }
        GqlValue::String(s) if field.kind == FieldKind::Enum => {
            Value::String(s.to_ascii_lowercase())
        }
        GqlValue::List(items) => Value::Array(items.iter().map(|i| json_of(field, i)).collect()),
        other => other.clone().into_json().unwrap_or(Value::Null),
    }
}

/// `fields.upl_uri[2]` -> `fields.uplUri[2]`: paths as the caller wrote them.
pub fn camel_path(path: &str) -> String {
    path.split('.').map(camel).collect::<Vec<_>>().join(".")
}

/// A crate error as a GraphQL error: `extensions.code`, and for invalid
/// content `extensions.field` (the first offending field) and
/// `extensions.problems` (all of them).
pub fn gql_error(e: Error) -> async_graphql::Error {
    let code = e.code();
    if code == "INTERNAL" {
        tracing::error!(error = %e, "internal error");
    }
    let problems: Vec<(String, String)> = e
        .field_errors()
        .iter()
        .map(|p| (camel_path(&p.field), p.message.clone()))
        .collect();
    let message = if problems.is_empty() {
        e.to_string()
    } else {
        let parts: Vec<_> = problems.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        format!("invalid content: {}", parts.join("; "))
    };
    let message = if code == "INTERNAL" {
        "internal error; the details are in the server log".to_string()
    } else {
        message
    };
    let retry = matches!(e, Error::StoreBusy(_));
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", code);
        if retry {
            ext.set("retryAfterSeconds", crate::error::RETRY_AFTER_SECONDS);
        }
        if let Some((field, _)) = problems.first() {
            ext.set("field", field.as_str());
            let list: Vec<GqlValue> = problems
                .iter()
                .map(|(f, m)| {
                    let mut o = async_graphql::indexmap::IndexMap::new();
                    o.insert(Name::new("field"), GqlValue::from(f.as_str()));
                    o.insert(Name::new("message"), GqlValue::from(m.as_str()));
                    GqlValue::Object(o)
                })
                .collect();
            ext.set("problems", GqlValue::List(list));
        }
    })
}

/// A bad argument, with its name as the field.
pub fn bad_argument(arg: &str, message: impl Into<String>) -> async_graphql::Error {
    gql_error(Error::invalid(arg, message))
}

/// An optional string argument: absent and null are both None.
pub fn opt_string(args: &ObjectAccessor<'_>, name: &str) -> async_graphql::Result<Option<String>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(v.string()?.to_string())),
        _ => Ok(None),
    }
}

/// An optional boolean argument, false when absent or null.
pub fn flag(args: &ObjectAccessor<'_>, name: &str) -> async_graphql::Result<bool> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(v.boolean()?),
        _ => Ok(false),
    }
}

/// `first`: `default` when absent or null, refused outside 1..=`max`.
pub fn first_arg(args: &ObjectAccessor<'_>, default: i64, max: i64) -> async_graphql::Result<i64> {
    let first = match args.get("first") {
        Some(v) if !v.is_null() => v.i64()?,
        _ => default,
    };
    if (1..=max).contains(&first) {
        Ok(first)
    } else {
        Err(bad_argument(
            "first",
            format!("must be between 1 and {max}"),
        ))
    }
}
