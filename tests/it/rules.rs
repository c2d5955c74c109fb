//! Can the rule language express real eligibility rules? Gemeente
//! Amsterdam's permit checks (`../shared/data/amsterdam-vergunningcheck/`,
//! and one of them copied to `tests/fixtures/vergunningcheck/`) decide with
//! tables: per rule a value for each question (yes/no, an option, `-` for
//! any) and an outcome; the first rule that matches decides. Every table is
//! written here as one rule per outcome in Bron's language, parsed, and
//! evaluated against the table for every combination of answers (or a
//! sample when there are too many: one fitting each row, the rest random), with partial answers too: an
//! outcome known before every answer is given must hold for every answer
//! still to come.

use std::collections::BTreeMap;

use bron::rules::{Answers, Outcome, Value as RuleValue, parse};
use serde_json::Value;

use crate::support::{repo, shared_data};

/// One cell of a decision table.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Any,
    Bool(bool),
    OneOf(Vec<String>),
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Bool(b) => Cell::Bool(*b),
        Value::String(s) if s == "-" => Cell::Any,
        // `"a"` or a list `"a","b"`.
        Value::String(s) => Cell::OneOf(
            s.split("\",\"")
                .map(|p| p.trim_matches('"').to_string())
                .collect(),
        ),
        other => panic!("unexpected cell {other}"),
    }
}

/// A rule's name for an input: `q_…` for a question, `d_…` for an earlier decision.
fn name(id: &str, decision: bool) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    format!("{}_{}", if decision { "d" } else { "q" }, id.to_lowercase())
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The condition of one table row in the rule language.
fn row_rule(names: &[String], cells: &[Cell]) -> String {
    let parts: Vec<String> = names
        .iter()
        .zip(cells)
        .filter_map(|(n, c)| match c {
            Cell::Any => None,
            Cell::Bool(b) => Some(format!("{n} == {b}")),
            Cell::OneOf(v) if v.len() == 1 => Some(format!("{n} == {}", quoted(&v[0]))),
            Cell::OneOf(v) => Some(format!(
                "{n} in [{}]",
                v.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", ")
            )),
        })
        .collect();
    if parts.is_empty() {
        "true".into()
    } else {
        format!("({})", parts.join(" and "))
    }
}

struct Table {
    names: Vec<String>,
    rows: Vec<(Vec<Cell>, String)>,
}

impl Table {
    /// The outcome the table gives: the first row that matches.
    fn decide(&self, answers: &BTreeMap<String, Cell>) -> Option<&str> {
        self.rows
            .iter()
            .find(|(cells, _)| {
                self.names
                    .iter()
                    .zip(cells)
                    .all(|(n, c)| match (c, answers.get(n)) {
                        (Cell::Any, _) => true,
                        (Cell::Bool(b), Some(Cell::Bool(a))) => a == b,
                        (Cell::OneOf(v), Some(Cell::OneOf(a))) => v.contains(&a[0]),
                        _ => false,
                    })
            })
            .map(|(_, out)| out.as_str())
    }

    /// Per outcome, a rule: some row with that outcome matches, and no row
    /// before it.
    fn rules(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, (cells, outcome)) in self.rows.iter().enumerate() {
            let this = row_rule(&self.names, cells);
            let earlier: Vec<String> = self.rows[..i]
                .iter()
                .map(|(c, _)| row_rule(&self.names, c))
                .collect();
            let rule = if earlier.is_empty() {
                this
            } else {
                format!("({this} and not ({}))", earlier.join(" or "))
            };
            out.entry(outcome.clone()).or_default().push(rule);
        }
        out.into_iter().map(|(k, v)| (k, v.join(" or "))).collect()
    }

    /// The values each input can take: those in the table and one more.
    fn domains(&self) -> Vec<Vec<Cell>> {
        (0..self.names.len())
            .map(|i| {
                let mut vals: Vec<Cell> = Vec::new();
                let mut booleans = false;
                for (cells, _) in &self.rows {
                    match &cells[i] {
                        Cell::Bool(_) => booleans = true,
                        Cell::OneOf(v) => {
                            for s in v {
                                let c = Cell::OneOf(vec![s.clone()]);
                                if !vals.contains(&c) {
                                    vals.push(c);
                                }
                            }
                        }
                        Cell::Any => {}
                    }
                }
                if booleans || vals.is_empty() {
                    vec![Cell::Bool(true), Cell::Bool(false)]
                } else {
                    vals.push(Cell::OneOf(vec!["iets anders".into()]));
                    vals
                }
            })
            .collect()
    }
}

fn rule_answers(a: &BTreeMap<String, Cell>) -> Answers {
    a.iter()
        .map(|(k, v)| {
            let v = match v {
                Cell::Bool(b) => RuleValue::Bool(*b),
                Cell::OneOf(s) => RuleValue::Str(s[0].clone()),
                Cell::Any => unreachable!(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Every combination of answers up to this many; above it, this many: one
/// fitting each row of the table, the rest at random.
const SAMPLES: usize = 300;

/// A small deterministic random generator, so failures repeat.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Checks every decision table of one permit-check file; returns how many
/// tables and answer combinations were checked.
fn check_file(path: &std::path::Path) -> (usize, usize) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut tables = 0;
    let mut combos = 0;
    let mut rng = Lcg(7);
    for permit in doc["permits"].as_array().unwrap() {
        for (id, decision) in permit["decisions"].as_object().unwrap() {
            let mut names: Vec<String> = Vec::new();
            for q in decision["requiredInputs"].as_array().into_iter().flatten() {
                names.push(name(q.as_str().unwrap(), false));
            }
            for d in decision["requiredDecisions"]
                .as_array()
                .into_iter()
                .flatten()
            {
                names.push(name(d.as_str().unwrap(), true));
            }
            let rows: Vec<(Vec<Cell>, String)> = decision["decisionTable"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let cells: Vec<Cell> =
                        r["inputs"].as_array().unwrap().iter().map(cell).collect();
                    (
                        cells,
                        r["output"].as_str().unwrap().trim_matches('"').to_string(),
                    )
                })
                .collect();
            if names.is_empty() || rows.is_empty() {
                continue;
            }
            let table = Table { names, rows };
            let rules: BTreeMap<String, bron::rules::Expr> = table
                .rules()
                .into_iter()
                .map(|(outcome, text)| {
                    let expr = parse(&text).unwrap_or_else(|e| {
                        panic!("{}: decision {id}: {e}\n{text}", path.display())
                    });
                    (outcome, expr)
                })
                .collect();
            let domains = table.domains();
            let total: usize = domains
                .iter()
                .map(Vec::len)
                .try_fold(1usize, |a, n| a.checked_mul(n))
                .unwrap_or(usize::MAX);
            let samples = total.min(SAMPLES);
            for s in 0..samples {
                // Every combination when there are few; else random ones,
                // and for each row one that fits it.
                let mut answers = BTreeMap::new();
                let mut k = s;
                for (i, n) in table.names.iter().enumerate() {
                    let d = &domains[i];
                    let pick = if total <= SAMPLES {
                        let p = k % d.len();
                        k /= d.len();
                        p
                    } else {
                        rng.below(d.len())
                    };
                    answers.insert(n.clone(), d[pick].clone());
                }
                if total > SAMPLES && s < table.rows.len() {
                    for (n, c) in table.names.iter().zip(&table.rows[s].0) {
                        match c {
                            Cell::Any => {}
                            Cell::OneOf(v) => {
                                answers.insert(n.clone(), Cell::OneOf(vec![v[0].clone()]));
                            }
                            c => {
                                answers.insert(n.clone(), c.clone());
                            }
                        }
                    }
                }
                let expected = table.decide(&answers);
                let given = rule_answers(&answers);
                for (outcome, expr) in &rules {
                    let want = if expected == Some(outcome.as_str()) {
                        Outcome::Met
                    } else {
                        Outcome::Unmet
                    };
                    assert_eq!(
                        expr.eval(&given),
                        want,
                        "{}: decision {id}, outcome {outcome}, answers {answers:?}",
                        path.display()
                    );
                    // With one answer left out, a known outcome must agree.
                    let mut partial = given.clone();
                    let drop = table.names[s % table.names.len()].clone();
                    partial.remove(&drop);
                    let p = expr.eval(&partial);
                    assert!(
                        p == Outcome::Unknown || p == want,
                        "{}: decision {id}: without {drop} the rule said {p:?}, with it {want:?}",
                        path.display()
                    );
                }
                combos += 1;
            }
            tables += 1;
        }
    }
    (tables, combos)
}

#[test]
fn the_committed_permit_check_is_expressible() {
    let dir = repo().join("tests/fixtures/vergunningcheck");
    let mut tables = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            tables += check_file(&path).0;
        }
    }
    assert!(tables >= 5, "{tables} tables");
}

#[test]
fn every_amsterdam_permit_check_is_expressible() {
    let dir = shared_data("amsterdam-vergunningcheck/transformed");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} not found", dir.display());
        return;
    };
    let (mut tables, mut combos) = (0, 0);
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let (t, c) = check_file(&path);
            tables += t;
            combos += c;
        }
    }
    eprintln!("{tables} decision tables, {combos} answer combinations checked");
    assert!(tables >= 600, "{tables} tables");
}
