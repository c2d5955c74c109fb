//! Condition rules: a small expression language an editor writes on a
//! condition (`leeftijd >= 18`, `woont_in == "lindewaard" and not verhuisd`)
//! so a chatbot can ask for the answers and check them. Documented in
//! `docs/rules.md`.
//!
//! A rule is parsed when its item is saved; a mistake is refused with the
//! position in the rule where it is. Evaluation is three-valued: a rule whose
//! answers are not all known yet is `Unknown`, not false, so a dialogue knows
//! it should ask on. An evaluation is indicative, never a decision.
//!
//! Pure: no I/O.

mod parse;

use std::collections::BTreeMap;
use std::fmt;

pub use parse::parse;

/// A literal value in a rule, or an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Num(f64),
    Str(String),
    /// `YYYY-MM-DD`.
    Date(String),
}

impl Value {
    fn kind(&self) -> Kind {
        match self {
            Value::Bool(_) => Kind::Boolean,
            Value::Num(_) => Kind::Number,
            Value::Str(_) => Kind::String,
            Value::Date(_) => Kind::Date,
        }
    }
}

/// What kind of answer a name in a rule expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Boolean,
    Number,
    String,
    Date,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Boolean => "boolean",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Date => "date",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A name on its own: true when its answer is true.
    Name(String),
    Literal(Value),
    Compare(String, Op, Value),
    In(String, Vec<Value>, bool),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// A rule that does not parse: what is wrong, and where (a character
/// offset from 0, and the column from 1 for people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at position {}: {}", self.offset + 1, self.message)
    }
}

/// The outcome of a rule, or of a set of conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Met,
    Unmet,
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "MET",
            Outcome::Unmet => "UNMET",
            Outcome::Unknown => "UNKNOWN",
        }
    }

    fn from_bool(b: bool) -> Outcome {
        if b { Outcome::Met } else { Outcome::Unmet }
    }

    fn not(self) -> Outcome {
        match self {
            Outcome::Met => Outcome::Unmet,
            Outcome::Unmet => Outcome::Met,
            Outcome::Unknown => Outcome::Unknown,
        }
    }
}

/// The answers given so far, by name.
pub type Answers = BTreeMap<String, Value>;

impl Expr {
    /// The names the rule asks about, each with the kind of answer it
    /// expects, in the order they first appear.
    pub fn names(&self) -> Vec<(String, Kind)> {
        let mut out: Vec<(String, Kind)> = Vec::new();
        self.walk(&mut |name, kind| {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.to_string(), kind));
            }
        });
        out
    }

    fn walk(&self, f: &mut impl FnMut(&str, Kind)) {
        match self {
            Expr::Name(n) => f(n, Kind::Boolean),
            Expr::Literal(_) => {}
            Expr::Compare(n, _, v) => f(n, v.kind()),
            Expr::In(n, vs, _) => f(n, vs.first().map(Value::kind).unwrap_or(Kind::String)),
            Expr::Not(e) => e.walk(f),
            Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| e.walk(f)),
        }
    }

    /// Evaluates with three-valued logic: `and` is unmet as soon as one part
    /// is unmet, `or` met as soon as one part is met; otherwise an unknown
    /// answer makes the whole unknown.
    pub fn eval(&self, answers: &Answers) -> Outcome {
        match self {
            Expr::Literal(v) => Outcome::from_bool(*v == Value::Bool(true)),
            Expr::Name(n) => match answers.get(n).and_then(|v| coerce(v, Kind::Boolean)) {
                Some(Value::Bool(b)) => Outcome::from_bool(b),
                _ => Outcome::Unknown,
            },
            Expr::Compare(n, op, lit) => match answers.get(n).and_then(|v| coerce(v, lit.kind())) {
                Some(v) => compare(&v, *op, lit).map_or(Outcome::Unknown, Outcome::from_bool),
                None => Outcome::Unknown,
            },
            Expr::In(n, list, negated) => {
                let kind = list.first().map(Value::kind).unwrap_or(Kind::String);
                match answers.get(n).and_then(|v| coerce(v, kind)) {
                    Some(v) => {
                        let found = list.iter().any(|l| compare(&v, Op::Eq, l) == Some(true));
                        Outcome::from_bool(found != *negated)
                    }
                    None => Outcome::Unknown,
                }
            }
            Expr::Not(e) => e.eval(answers).not(),
            Expr::And(es) => {
                let mut out = Outcome::Met;
                for e in es {
                    match e.eval(answers) {
                        Outcome::Unmet => return Outcome::Unmet,
                        Outcome::Unknown => out = Outcome::Unknown,
                        Outcome::Met => {}
                    }
                }
                out
            }
            Expr::Or(es) => {
                let mut out = Outcome::Unmet;
                for e in es {
                    match e.eval(answers) {
                        Outcome::Met => return Outcome::Met,
                        Outcome::Unknown => out = Outcome::Unknown,
                        Outcome::Unmet => {}
                    }
                }
                out
            }
        }
    }
}

/// An answer as the kind a rule expects: a chatbot may send "ja", "18" or
/// "2026-01-31" as text. None when it cannot be read as that kind.
pub fn coerce(v: &Value, kind: Kind) -> Option<Value> {
    match (v, kind) {
        (v, k) if v.kind() == k => Some(v.clone()),
        (Value::Str(s), Kind::Boolean) => match s.trim().to_lowercase().as_str() {
            "ja" | "yes" | "true" | "j" | "y" => Some(Value::Bool(true)),
            "nee" | "no" | "false" | "n" => Some(Value::Bool(false)),
            _ => None,
        },
        (Value::Str(s), Kind::Number) => s
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Value::Num),
        (Value::Str(s), Kind::Date) => {
            parse::is_date(s.trim()).then(|| Value::Date(s.trim().into()))
        }
        (Value::Date(d), Kind::String) => Some(Value::Str(d.clone())),
        (Value::Num(n), Kind::String) => Some(Value::Str(n.to_string())),
        (Value::Bool(b), Kind::String) => Some(Value::Str(b.to_string())),
        _ => None,
    }
}

fn compare(a: &Value, op: Op, b: &Value) -> Option<bool> {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y)?,
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => {
            // Strings compare without regard to case or surrounding space.
            let eq = x.trim().to_lowercase() == y.trim().to_lowercase();
            return match op {
                Op::Eq => Some(eq),
                Op::Ne => Some(!eq),
                _ => None,
            };
        }
        (Value::Bool(x), Value::Bool(y)) => {
            return match op {
                Op::Eq => Some(x == y),
                Op::Ne => Some(x != y),
                _ => None,
            };
        }
        _ => return None,
    };
    Some(match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    })
}

#[cfg(test)]
mod tests;
