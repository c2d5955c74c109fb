//! The GraphQL names a content type generates: its types and root fields
//! (`generated_names`, checked across types by `load.rs`) and, per type, the
//! fields of its object, its inputs and its sort keys
//! (`check_generated_fields`). Checked before the schema is built, so a model
//! whose names would collide is a model error naming file and key, never a
//! panic while building the schema.

use std::collections::{BTreeMap, HashSet};

use super::{
    FieldDef, FieldKind, SYSTEM_FILTER_FIELDS, SYSTEM_GRAPHQL_FIELDS, SYSTEM_ORDER_FIELDS, TypeDef,
    camel, pascal,
};

/// GraphQL names Bron defines whatever the model; a type may not generate them.
pub(super) const SHARED_GRAPHQL_NAMES: &[&str] = &[
    "Query",
    "Mutation",
    "Item",
    "Node",
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
    "Channel",
    "Rendering",
    "RenderedSection",
    "ChannelRoute",
    "FollowUp",
    "RenderingSource",
    "ReviewStatus",
    "MergeVariable",
    "Answer",
    "Handover",
    "HandoverReason",
    "Eligibility",
    "EligibilityOutcome",
    "EligibilityAnswer",
    "EligibilityQuestion",
    "ConditionCheck",
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "item",
    "node",
    "nodes",
    "viewer",
    "changes",
    "answer",
    "handover",
    "checkEligibility",
    "publish",
    "unpublish",
    "archive",
    "deleteItem",
    "schedule",
    "revert",
    "setFact",
    "createToken",
    "revokeToken",
];

/// Every GraphQL name a type generates: its object and helper types, its
/// enums, and its query fields.
pub(super) fn generated_names(def: &TypeDef) -> Vec<String> {
    let p = pascal(&def.name);
    let mut names = vec![
        def.name.clone(),
        super::camel(&def.plural),
        p.clone(),
        format!("create{p}"),
        format!("update{p}"),
    ];
    for suffix in [
        "Connection",
        "Edge",
        "Filter",
        "Order",
        "OrderField",
        "CreateFields",
        "UpdateFields",
        "Payload",
    ] {
        names.push(format!("{p}{suffix}"));
    }
    for f in def.fields.iter().filter(|f| f.kind == FieldKind::Enum) {
        names.push(format!("{p}{}", pascal(&f.name)));
    }
    names
}

/// Where a type's fields become GraphQL names: the owner's name, what the
/// names are called there, the names Bron puts there itself, and the name a
/// field gets there (None when it is not there).
type Place<'a> = (
    String,
    &'a str,
    Vec<&'a str>,
    fn(&FieldDef) -> Option<String>,
);

/// Every GraphQL name a type's fields generate must be unique where it is
/// used: the fields of its object type, of its `…Fields` and `…Filter`
/// inputs, and the values of its `…OrderField` enum. Two model fields can
/// meet there (`note_2` and `note2` both become `note2`), and so can a model
/// field and what Bron adds to every type (`schedule_error` becomes
/// `scheduleError`, `updated_since` the filter's `updatedSince`).
pub(super) fn check_generated_fields(
    file: &str,
    type_name: &str,
    fields: &[FieldDef],
    title_field: &str,
    problems: &mut Vec<String>,
) {
    let p = pascal(type_name);
    let mut title = vec!["title"];
    if fields.iter().any(|f| f.name == "title") || title_field == "title" {
        title.clear();
    }
    let places: [Place; 4] = [
        (
            p.clone(),
            "field",
            SYSTEM_GRAPHQL_FIELDS.iter().copied().chain(title).collect(),
            |f| Some(camel(&f.name)),
        ),
        (format!("{p}Fields"), "input field", vec![], |f| {
            Some(camel(&f.name))
        }),
        (
            format!("{p}Filter"),
            "filter",
            SYSTEM_FILTER_FIELDS.to_vec(),
            |f| (f.kind != FieldKind::Markdown).then(|| camel(&f.name)),
        ),
        (
            format!("{p}OrderField"),
            "sort key",
            SYSTEM_ORDER_FIELDS.to_vec(),
            |f| {
                (!f.list && !matches!(f.kind, FieldKind::Markdown | FieldKind::Reference))
                    .then(|| f.name.to_ascii_uppercase())
            },
        ),
    ];
    // One problem per field: the first place where its name collides.
    let mut reported = HashSet::new();
    for (owner, what, system, generate) in places {
        let mut seen: BTreeMap<String, String> = system
            .iter()
            .map(|n| (n.to_string(), String::new()))
            .collect();
        for (i, f) in fields.iter().enumerate() {
            let Some(name) = generate(f) else { continue };
            let key = format!("fields[{i}] ({})", f.name);
            let collides = seen.contains_key(&name);
            if collides && !reported.insert(i) {
                continue;
            }
            match seen.get(&name) {
                Some(other) if other.is_empty() => problems.push(format!(
                    "{file}: {key}.name: becomes the GraphQL {what} `{name}` of `{owner}`, which Bron already generates for every type; choose another name"
                )),
                Some(other) => problems.push(format!(
                    "{file}: {key}.name: becomes the GraphQL {what} `{name}` of `{owner}`, as {other} does; choose another name"
                )),
                None => {
                    seen.insert(name, key);
                }
            }
        }
    }
}
