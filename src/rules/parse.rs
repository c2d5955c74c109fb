//! Reading a rule: a tokenizer and a recursive-descent parser. Every error
//! names the character offset where the problem starts.

use super::{Expr, Kind, Op, RuleError, Value};

/// How deeply parentheses and `not` may nest: deeper is a mistake, and the
/// parser must not run out of stack on a hostile rule.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Lit(Value),
    And,
    Or,
    Not,
    In,
    Op(Op),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => format!("the name `{n}`"),
        Tok::Lit(Value::Str(s)) => format!("the text \"{s}\""),
        Tok::Lit(Value::Num(n)) => format!("the number {n}"),
        Tok::Lit(Value::Bool(b)) => format!("`{b}`"),
        Tok::Lit(Value::Date(d)) => format!("the date {d}"),
        Tok::And => "`and`".into(),
        Tok::Or => "`or`".into(),
        Tok::Not => "`not`".into(),
        Tok::In => "`in`".into(),
        Tok::Op(op) => format!("`{}`", op.as_str()),
        Tok::Open => "`(`".into(),
        Tok::Close => "`)`".into(),
        Tok::OpenList => "`[`".into(),
        Tok::CloseList => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "the end of the rule".into(),
    }
}

fn err(offset: usize, message: impl Into<String>) -> RuleError {
    RuleError {
        offset,
        message: message.into(),
    }
}

/// `YYYY-MM-DD` with a real month and day.
pub(super) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

fn tokenize(rule: &str) -> Result<Vec<(usize, Tok)>, RuleError> {
    let chars: Vec<char> = rule.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let tok = match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            '[' => Tok::OpenList,
            ']' => Tok::CloseList,
            ',' => Tok::Comma,
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "this text has no closing `\"`")),
                        Some('"') => break,
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                            s.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                Tok::Lit(Value::Str(s))
            }
            _ if ["==", "!=", "<=", ">=", "&&", "||"].contains(&two.as_str()) => {
                i += 2;
                out.push((
                    start,
                    match two.as_str() {
                        "==" => Tok::Op(Op::Eq),
                        "!=" => Tok::Op(Op::Ne),
                        "<=" => Tok::Op(Op::Le),
                        ">=" => Tok::Op(Op::Ge),
                        "&&" => Tok::And,
                        _ => Tok::Or,
                    },
                ));
                continue;
            }
            '<' => Tok::Op(Op::Lt),
            '>' => Tok::Op(Op::Gt),
            '!' => Tok::Not,
            '=' => {
                return Err(err(
                    start,
                    "`=` on its own is not a comparison; write `==` (equal to)",
                ));
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_digit() || matches!(chars[j], '.' | '-'))
                {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                i = j;
                if is_date(&word) {
                    out.push((start, Tok::Lit(Value::Date(word))));
                    continue;
                }
                match word.parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        out.push((start, Tok::Lit(Value::Num(n))));
                        continue;
                    }
                    _ => {
                        return Err(err(
                            start,
                            format!(
                                "`{word}` is neither a number (18, 2.5) nor a date (2026-01-31)"
                            ),
                        ));
                    }
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '.'))
                {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                i = j;
                let tok = match word.as_str() {
                    "and" | "en" => Tok::And,
                    "or" | "of" => Tok::Or,
                    "not" | "niet" => Tok::Not,
                    "in" => Tok::In,
                    "true" | "waar" => Tok::Lit(Value::Bool(true)),
                    "false" | "onwaar" => Tok::Lit(Value::Bool(false)),
                    w if w.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    }) && !w.ends_with('.') =>
                    {
                        Tok::Name(word)
                    }
                    _ => {
                        return Err(err(
                            start,
                            format!(
                                "`{word}` is not a valid name: use lowercase letters, digits and _ (e.g. leeftijd, woont_in_gemeente)"
                            ),
                        ));
                    }
                };
                out.push((start, tok));
                continue;
            }
            other => return Err(err(start, format!("unexpected character `{other}`"))),
        };
        out.push((start, tok));
        i += 1;
    }
    out.push((chars.len(), Tok::End));
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    /// The kind each name was first compared with, and where.
    kinds: Vec<(String, Kind, usize)>,
}

/// Parses a rule. The error says what is wrong and where.
pub fn parse(rule: &str) -> Result<Expr, RuleError> {
    let toks = tokenize(rule)?;
    if toks.len() == 1 {
        return Err(err(
            0,
            "the rule is empty; write a condition such as `leeftijd >= 18`",
        ));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        kinds: Vec::new(),
    };
    let e = p.or(0)?;
    let (at, t) = p.peek();
    if *t != Tok::End {
        return Err(err(
            at,
            format!(
                "expected `and`, `or` or the end of the rule, found {}",
                describe(t)
            ),
        ));
    }
    Ok(e)
}

impl Parser {
    fn peek(&self) -> (usize, &Tok) {
        let (at, t) = &self.toks[self.pos.min(self.toks.len() - 1)];
        (*at, t)
    }

    fn next(&mut self) -> (usize, Tok) {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        self.pos += 1;
        t
    }

    fn or(&mut self, depth: usize) -> Result<Expr, RuleError> {
        let mut parts = vec![self.and(depth)?];
        while *self.peek().1 == Tok::Or {
            self.pos += 1;
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, RuleError> {
        let mut parts = vec![self.unary(depth)?];
        while *self.peek().1 == Tok::And {
            self.pos += 1;
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, RuleError> {
        let (at, t) = self.next();
        if depth > MAX_DEPTH {
            return Err(err(at, format!("nested more than {MAX_DEPTH} levels deep")));
        }
        match t {
            Tok::Not => Ok(Expr::Not(Box::new(self.unary(depth + 1)?))),
            Tok::Open => {
                let e = self.or(depth + 1)?;
                let (close_at, close) = self.next();
                if close != Tok::Close {
                    return Err(err(
                        close_at,
                        format!(
                            "expected `)` to close the `(` at position {}, found {}",
                            at + 1,
                            describe(&close)
                        ),
                    ));
                }
                Ok(e)
            }
            Tok::Name(name) => self.comparison(at, name),
            Tok::Lit(Value::Bool(b)) => Ok(Expr::Literal(Value::Bool(b))),
            Tok::Lit(_) => Err(err(
                at,
                "a rule compares a name with a value; put the name first (e.g. `leeftijd >= 18`, not `18 <= leeftijd`)",
            )),
            other => Err(err(
                at,
                format!("expected a name, `not` or `(`, found {}", describe(&other)),
            )),
        }
    }

    fn comparison(&mut self, name_at: usize, name: String) -> Result<Expr, RuleError> {
        let (at, t) = self.peek();
        match t.clone() {
            Tok::Op(op) => {
                self.pos += 1;
                let (vat, v) = self.next();
                let Tok::Lit(value) = v else {
                    return Err(err(
                        vat,
                        format!(
                            "expected a value after `{}` (a number, \"text\", true, false or a date), found {}",
                            op.as_str(),
                            describe(&v)
                        ),
                    ));
                };
                if !matches!(op, Op::Eq | Op::Ne) && matches!(value, Value::Bool(_) | Value::Str(_))
                {
                    return Err(err(
                        at,
                        format!(
                            "`{}` compares numbers or dates; use == or != for text and true/false",
                            op.as_str()
                        ),
                    ));
                }
                self.kind_of(&name, value.kind(), name_at)?;
                Ok(Expr::Compare(name, op, value))
            }
            Tok::In => {
                self.pos += 1;
                let list = self.list()?;
                self.kind_of(&name, list[0].kind(), name_at)?;
                Ok(Expr::In(name, list, false))
            }
            Tok::Not if matches!(self.toks.get(self.pos + 1), Some((_, Tok::In))) => {
                self.pos += 2;
                let list = self.list()?;
                self.kind_of(&name, list[0].kind(), name_at)?;
                Ok(Expr::In(name, list, true))
            }
            _ => {
                self.kind_of(&name, Kind::Boolean, name_at)?;
                Ok(Expr::Name(name))
            }
        }
    }

    fn list(&mut self) -> Result<Vec<Value>, RuleError> {
        let (at, open) = self.next();
        if open != Tok::OpenList {
            return Err(err(
                at,
                format!(
                    "expected a list such as [\"a\", \"b\"] after `in`, found {}",
                    describe(&open)
                ),
            ));
        }
        let mut out: Vec<Value> = Vec::new();
        loop {
            let (vat, v) = self.next();
            match v {
                Tok::CloseList if out.is_empty() => {
                    return Err(err(vat, "the list is empty; name at least one value"));
                }
                Tok::Lit(value) => {
                    if let Some(first) = out.first()
                        && first.kind() != value.kind()
                    {
                        return Err(err(
                            vat,
                            format!(
                                "a list holds values of one kind: this is a {}, the first is a {}",
                                value.kind().as_str(),
                                first.kind().as_str()
                            ),
                        ));
                    }
                    out.push(value);
                }
                other => {
                    return Err(err(
                        vat,
                        format!("expected a value in the list, found {}", describe(&other)),
                    ));
                }
            }
            let (sat, sep) = self.next();
            match sep {
                Tok::Comma => {}
                Tok::CloseList => return Ok(out),
                other => {
                    return Err(err(
                        sat,
                        format!(
                            "expected `,` or `]` in the list, found {}",
                            describe(&other)
                        ),
                    ));
                }
            }
        }
    }

    /// A name keeps one kind of answer throughout a rule.
    fn kind_of(&mut self, name: &str, kind: Kind, at: usize) -> Result<(), RuleError> {
        match self.kinds.iter().find(|(n, _, _)| n == name) {
            Some((_, k, first)) if *k != kind => Err(err(
                at,
                format!(
                    "`{name}` is used as a {} here but as a {} at position {}",
                    kind.as_str(),
                    k.as_str(),
                    first + 1
                ),
            )),
            Some(_) => Ok(()),
            None => {
                self.kinds.push((name.to_string(), kind, at));
                Ok(())
            }
        }
    }
}
