//! What a query may cost before it runs: the most fields it can resolve,
//! with every page size and reference list multiplying what is selected
//! below it. `products(first: 100) { relatedProducts { relatedProducts {
//! title } } }` is 100 × 50 × 50 titles, not four fields; async-graphql's own
//! complexity limit counts the four, so this check runs first and refuses
//! what would multiply past [`MAX_COST`].
//!
//! The bound is an upper bound: a page holds at most `first` items (20 when
//! not given), a reference list at most the field's `max_items` (the model
//! guarantees it on save; reads cut longer, older lists at it), `changes` at
//! most `first` entries. Fragments are all counted, as if every type
//! condition matched. `@skip`/`@include` are ignored.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value as ConstValue, Variables};
use async_graphql_value::Value;

use crate::hub::{DEFAULT_PAGE, MAX_PAGE};
use crate::model::{ContentModel, FieldKind, camel, pascal};

/// The most one request may cost: a field costs 1, a text field 1 more per
/// KiB its model allows (so the bound also bounds the answer's size).
pub const MAX_COST: u64 = 25_000;

/// A text field without `max_length` is bounded by the request size limit;
/// count it as this many KiB.
const UNBOUNDED_TEXT_KIB: u64 = 32;
/// A list of values without `max_items`: count this many entries.
const UNBOUNDED_LIST: u64 = 20;

/// What a search costs besides its hits: the query, counts and facets.
const SEARCH_COST: u64 = 20;
/// What a `totalCount` costs: it is a counting query of its own.
const COUNT_COST: u64 = 10;
/// The most alternatives an answer lists.
const ANSWER_ALTERNATIVES: u64 = 3;
/// What one referenced item costs a rendering (it is loaded and written).
const RENDERED_REFERENCE: u64 = 3;
/// What finding an entry's `affected` items costs besides the items: a few
/// queries of their own, one of which reads every text for a fact.
const AFFECTED_COST: u64 = 20;
/// Revisions are not bounded by the model; count this many per item.
const REVISIONS_PER_ITEM: u64 = 50;
/// Fragments nested deeper than this are not followed (validation refuses
/// cycles afterwards; the depth limit refuses the rest).
const MAX_NESTING: usize = 64;

/// Where in the schema a selection set is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum At {
    Query,
    Mutation,
    /// An item object of a content type.
    Item(String),
    /// The `Item` interface: any type.
    AnyItem,
    /// A page of a type's list, of at most this many items.
    Connection(String, u64),
    Edge(String),
    /// A mutation payload with `item` (and `items`) of a type, or any.
    Payload(Option<String>),
    /// A page of search results of at most this many hits.
    SearchResults(u64),
    SearchHit,
    /// The chatbot's answer: its item, alternatives and hand-over.
    Answer,
    /// A hand-over code with its item.
    Handover,
    /// An eligibility check, and one of its conditions (or next question).
    Eligibility,
    Check,
    /// A change-log entry: its item and the items changed through it.
    Change,
    /// An object of plain values (PageInfo, Viewer, Revision, …).
    Plain,
}

/// The reference fields of every type, by GraphQL type and field name.
pub struct CostModel {
    /// `Product` → `product`, and the plural list fields of the Query root.
    types: HashMap<String, String>,
    lists: HashMap<String, String>,
    /// (type, GraphQL field) → (target type, most entries).
    refs: HashMap<(String, String), (String, u64)>,
    /// (type, GraphQL field) → cost of a value field other than 1.
    weights: HashMap<(String, String), u64>,
    /// type → what `rendered` costs: the items it loads and the text it
    /// writes; `AnyItem` counts the dearest type.
    renders: HashMap<String, u64>,
}

impl CostModel {
    pub fn new(model: &ContentModel) -> CostModel {
        let mut types = HashMap::new();
        let mut lists = HashMap::new();
        let mut refs = HashMap::new();
        let mut weights = HashMap::new();
        let mut renders = HashMap::new();
        for ty in model.types.values() {
            let render: u64 = ty
                .fields
                .iter()
                .map(|f| match f.kind {
                    FieldKind::Reference => f.max_items.unwrap_or(1) as u64 * RENDERED_REFERENCE,
                    k if k.is_textual() => {
                        1 + f.max_length.map_or(UNBOUNDED_TEXT_KIB, |n| n as u64 / 1024)
                    }
                    _ => 0,
                })
                .sum();
            renders.insert(ty.name.clone(), 1 + render);
            for f in ty.fields.iter().filter(|f| f.kind != FieldKind::Reference) {
                let mut w = if f.kind.is_textual() {
                    1 + f.max_length.map_or(UNBOUNDED_TEXT_KIB, |n| n as u64 / 1024)
                } else {
                    1
                };
                if f.list {
                    w *= f.max_items.map_or(UNBOUNDED_LIST, |n| n as u64);
                }
                if w > 1 {
                    weights.insert((ty.name.clone(), camel(&f.name)), w);
                }
            }
            types.insert(pascal(&ty.name), ty.name.clone());
            lists.insert(camel(&ty.plural), ty.name.clone());
            for f in ty.fields.iter().filter(|f| f.kind == FieldKind::Reference) {
                let n = if f.list {
                    f.max_items.unwrap_or(crate::model::DEFAULT_MAX_REFERENCES) as u64
                } else {
                    1
                };
                let to = f.to.clone().unwrap_or_default();
                refs.insert((ty.name.clone(), camel(&f.name)), (to, n));
            }
        }
        CostModel {
            types,
            lists,
            refs,
            weights,
            renders,
        }
    }

    /// The cost of operation `op` of `doc` with `variables`.
    pub fn cost(
        &self,
        doc: &ExecutableDocument,
        op: &OperationDefinition,
        variables: &Variables,
    ) -> u64 {
        let mut vars: HashMap<&str, ConstValue> = HashMap::new();
        for def in &op.variable_definitions {
            let name = def.node.name.node.as_str();
            let value = variables
                .get(&Name::new(name))
                .cloned()
                .or_else(|| def.node.default_value.as_ref().map(|d| d.node.clone()));
            if let Some(v) = value {
                vars.insert(name, v);
            }
        }
        let walk = Walk {
            model: self,
            doc,
            vars,
        };
        let at = match op.ty {
            async_graphql::parser::types::OperationType::Mutation => At::Mutation,
            _ => At::Query,
        };
        walk.set(&op.selection_set.node, &at, 1, 0)
    }
}

struct Walk<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    vars: HashMap<&'a str, ConstValue>,
}

impl Walk<'_> {
    /// A non-negative integer argument, literal or variable.
    fn int_arg(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<u64> {
        let v = &field.get_argument(name)?.node;
        let n = match v {
            Value::Number(n) => n.as_i64(),
            Value::Variable(var) => match self.vars.get(var.as_str()) {
                Some(ConstValue::Number(n)) => n.as_i64(),
                _ => None,
            },
            _ => None,
        }?;
        Some(n.max(0) as u64)
    }

    /// How many entries a list argument (e.g. `ids`) holds.
    fn list_len(&self, field: &async_graphql::parser::types::Field, name: &str) -> u64 {
        match field.get_argument(name).map(|v| &v.node) {
            Some(Value::List(l)) => l.len() as u64,
            Some(Value::Variable(var)) => match self.vars.get(var.as_str()) {
                Some(ConstValue::List(l)) => l.len() as u64,
                _ => 1,
            },
            _ => 1,
        }
    }

    /// How many items `usedBy` may return.
    fn used_by(&self, field: &async_graphql::parser::types::Field) -> u64 {
        self.int_arg(field, "first")
            .unwrap_or(super::types::DEFAULT_USED_BY as u64)
            .min(super::types::MAX_USED_BY as u64)
    }

    fn page(&self, field: &async_graphql::parser::types::Field) -> u64 {
        let n = self
            .int_arg(field, "first")
            .or_else(|| self.int_arg(field, "last"))
            .unwrap_or(DEFAULT_PAGE as u64);
        n.min(MAX_PAGE as u64)
    }

    /// The cost of `set` at `at`, resolved `times` times.
    fn set(&self, set: &SelectionSet, at: &At, times: u64, nesting: usize) -> u64 {
        if nesting > MAX_NESTING {
            return 0;
        }
        let mut total: u64 = 0;
        for sel in &set.items {
            let cost = match &sel.node {
                Selection::Field(f) => self.field(&f.node, at, times, nesting),
                Selection::InlineFragment(frag) => {
                    let on = frag
                        .node
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.as_str());
                    self.set(
                        &frag.node.selection_set.node,
                        &self.narrow(at, on),
                        times,
                        nesting + 1,
                    )
                }
                Selection::FragmentSpread(spread) => {
                    match self.doc.fragments.get(&spread.node.fragment_name.node) {
                        Some(frag) => {
                            let on = frag.node.type_condition.node.on.node.as_str();
                            self.set(
                                &frag.node.selection_set.node,
                                &self.narrow(at, Some(on)),
                                times,
                                nesting + 1,
                            )
                        }
                        None => 0,
                    }
                }
            };
            total = total.saturating_add(cost);
        }
        total
    }

    /// A fragment on type `on` inside `at`: on the interface, it selects
    /// fields of that type.
    fn narrow(&self, at: &At, on: Option<&str>) -> At {
        match (at, on.and_then(|t| self.model.types.get(t))) {
            (At::AnyItem, Some(ty)) => At::Item(ty.clone()),
            _ => at.clone(),
        }
    }

    fn field(
        &self,
        f: &async_graphql::parser::types::Field,
        at: &At,
        times: u64,
        nesting: usize,
    ) -> u64 {
        let name = f.name.node.as_str();
        let (own, next) = self.step(f, name, at);
        let here = times.saturating_mul(own);
        match next {
            Some((child, n)) => here.saturating_add(self.set(
                &f.selection_set.node,
                &child,
                times.saturating_mul(n),
                nesting + 1,
            )),
            None => here.saturating_add(
                // A plain object's own fields, each once per instance.
                self.set(&f.selection_set.node, &At::Plain, times, nesting + 1),
            ),
        }
    }

    /// What resolving field `name` at `at` costs once, and where its
    /// selection continues with how many instances per parent.
    fn step(
        &self,
        f: &async_graphql::parser::types::Field,
        name: &str,
        at: &At,
    ) -> (u64, Option<(At, u64)>) {
        let m = self.model;
        match at {
            At::Query => {
                if let Some(ty) = m.lists.get(name) {
                    (1, Some((At::Connection(ty.clone(), self.page(f)), 1)))
                } else if m.types.values().any(|t| t == name) {
                    (1, Some((At::Item(name.to_string()), 1)))
                } else if name == "item" || name == "node" {
                    (1, Some((At::AnyItem, 1)))
                } else if name == "nodes" {
                    // More ids than the limit are refused when it runs.
                    let n = self.list_len(f, "ids").min(super::node::MAX_NODES as u64);
                    (1, Some((At::AnyItem, n)))
                } else if name == "search" {
                    let n = self
                        .int_arg(f, "first")
                        .unwrap_or(super::search::DEFAULT_HITS as u64)
                        .min(super::search::MAX_HITS as u64);
                    (SEARCH_COST, Some((At::SearchResults(n), 1)))
                } else if name == "suggest" {
                    let n = self
                        .int_arg(f, "first")
                        .unwrap_or(super::suggest::DEFAULT_SUGGESTIONS as u64)
                        .min(super::search::MAX_HITS as u64);
                    (SEARCH_COST, Some((At::SearchHit, n)))
                } else if name == "answer" {
                    let render = m.renders.values().copied().max().unwrap_or(1);
                    (SEARCH_COST + render, Some((At::Answer, 1)))
                } else if name == "handover" {
                    (1, Some((At::Handover, 1)))
                } else if name == "checkEligibility" {
                    (SEARCH_COST, Some((At::Eligibility, 1)))
                } else if name == "changes" {
                    let n = self.int_arg(f, "first").unwrap_or(100).min(1000);
                    (1, Some((At::Change, n)))
                } else {
                    (1, None)
                }
            }
            At::Mutation => {
                let typed = name
                    .strip_prefix("create")
                    .or_else(|| name.strip_prefix("update"))
                    .and_then(|t| m.types.get(t));
                match (typed, name) {
                    (Some(ty), _) => (1, Some((At::Payload(Some(ty.clone())), 1))),
                    (None, "setFact") => (1, Some((At::Payload(Some("fact".into())), 1))),
                    (None, "publish" | "unpublish" | "archive") => {
                        (1, Some((At::Payload(None), self.list_len(f, "ids"))))
                    }
                    (None, "schedule" | "revert") => (1, Some((At::Payload(None), 1))),
                    _ => (1, None),
                }
            }
            At::Payload(ty) => match (name, ty) {
                ("item" | "items", Some(t)) => (1, Some((At::Item(t.clone()), 1))),
                ("item" | "items", None) => (1, Some((At::AnyItem, 1))),
                _ => (1, None),
            },
            At::Connection(ty, page) => match name {
                "edges" => (1, Some((At::Edge(ty.clone()), *page))),
                "nodes" => (1, Some((At::Item(ty.clone()), *page))),
                "totalCount" => (COUNT_COST, None),
                _ => (1, None),
            },
            At::SearchResults(n) => match name {
                "hits" => (1, Some((At::SearchHit, *n))),
                _ => (1, None),
            },
            At::SearchHit => match name {
                "item" => (1, Some((At::AnyItem, 1))),
                _ => (1, None),
            },
            At::Edge(ty) => match name {
                "node" => (1, Some((At::Item(ty.clone()), 1))),
                _ => (1, None),
            },
            At::Item(ty) => match m.refs.get(&(ty.clone(), name.to_string())) {
                Some((to, n)) => (1, Some((At::Item(to.clone()), *n))),
                None if name == "revisions" => (1, Some((At::Plain, REVISIONS_PER_ITEM))),
                None if name == "rendered" => (m.renders.get(ty).copied().unwrap_or(1), None),
                None if name == "usedBy" => (1, Some((At::AnyItem, self.used_by(f)))),
                None => (
                    m.weights
                        .get(&(ty.clone(), name.to_string()))
                        .copied()
                        .unwrap_or(1),
                    None,
                ),
            },
            At::AnyItem => match name {
                "revisions" => (1, Some((At::Plain, REVISIONS_PER_ITEM))),
                "rendered" => (m.renders.values().copied().max().unwrap_or(1), None),
                "usedBy" => (1, Some((At::AnyItem, self.used_by(f)))),
                _ => (1, None),
            },
            At::Answer => match name {
                "item" => (1, Some((At::AnyItem, 1))),
                "alternatives" => (1, Some((At::AnyItem, ANSWER_ALTERNATIVES))),
                "handover" => (1, Some((At::Handover, 1))),
                _ => (1, None),
            },
            At::Change => match name {
                "item" => (1, Some((At::AnyItem, 1))),
                "affected" => {
                    let n = self
                        .int_arg(f, "first")
                        .unwrap_or(crate::hub::DEFAULT_AFFECTED as u64)
                        .min(crate::hub::MAX_AFFECTED as u64);
                    (AFFECTED_COST, Some((At::AnyItem, n)))
                }
                _ => (1, None),
            },
            At::Handover => match name {
                "item" => (1, Some((At::AnyItem, 1))),
                _ => (1, None),
            },
            At::Eligibility => match name {
                "product" => (1, Some((At::AnyItem, 1))),
                "conditions" => (
                    1,
                    Some((At::Check, crate::model::DEFAULT_MAX_REFERENCES as u64)),
                ),
                "decidingCondition" | "nextQuestion" => (1, Some((At::Check, 1))),
                _ => (1, None),
            },
            At::Check => match name {
                "condition" => (1, Some((At::AnyItem, 1))),
                _ => (1, None),
            },
            At::Plain => (1, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(query: &str) -> u64 {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = ContentModel::load(&root.join("content-model")).unwrap();
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let op = match &doc.operations {
            async_graphql::parser::types::DocumentOperations::Single(op) => op.node.clone(),
            _ => unreachable!(),
        };
        CostModel::new(&model).cost(&doc, &op, &Variables::default())
    }

    /// The figures the README gives.
    #[test]
    fn pages_and_reference_lists_multiply() {
        let page = "{ product(slug: \"x\") { title summary steps { title instruction } conditions { text } questions { question shortAnswer } } }";
        let cost = cost_of(page);
        assert!((100..=300).contains(&cost), "{cost}");
        let list = "{ products(first: 20) { nodes { title summary steps { title instruction } conditions { text } questions { question shortAnswer } } } }";
        let cost = cost_of(list);
        assert!((2_000..=6_000).contains(&cost), "{cost}");
        let nested =
            "{ products(first: 100) { nodes { relatedProducts { relatedProducts { title } } } } }";
        let cost = cost_of(nested);
        assert!(cost > MAX_COST, "{cost}");
        // Fragments on the interface count for the type they name.
        let any = "{ item(id: \"x\") { ... on Product { relatedProducts { title } } } }";
        assert_eq!(cost_of(any), 1 + 1 + 20);
        // `nodes` multiplies by the ids it is given, like a page.
        let one = "{ node(id: \"a\") { ... on Product { relatedProducts { title } } } }";
        assert_eq!(cost_of(one), 1 + 1 + 20);
        let three = "{ nodes(ids: [\"a\", \"b\", \"c\"]) { ... on Product { relatedProducts { title } } } }";
        assert_eq!(cost_of(three), 1 + 3 * (1 + 20));
        let ids: Vec<String> = (0..100).map(|i| format!("\"{i}\"")).collect();
        let many = format!(
            "{{ nodes(ids: [{}]) {{ ... on Product {{ relatedProducts {{ relatedProducts {{ title }} }} }} }} }}",
            ids.join(",")
        );
        assert!(cost_of(&many) > MAX_COST);
        // The change feed: each entry's affected items multiply, and finding
        // them costs a few queries per entry.
        let feed = "{ changes { seq affected { id } } }";
        assert_eq!(cost_of(feed), 1 + 100 * (1 + 20 + 50));
        let flood = "{ changes(first: 1000) { affected(first: 500) { id } } }";
        assert!(cost_of(flood) > MAX_COST);
        println!(
            "page {} list {} nested {}",
            cost_of(page),
            cost_of(list),
            cost
        );
    }
}
