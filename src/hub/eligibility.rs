//! Checking eligibility: a product's conditions with machine rules
//! (`syntax = "rule"`, see `crate::rules`) evaluated against the answers a
//! chatbot collected. The outcome is indicative, never a decision: it says
//! which condition decided, the source of every rule, and which question to
//! ask next while answers are missing.

use std::sync::Arc;

use super::{Hub, ItemView, Viewer};
use crate::error::{Error, Result};
use crate::model::Syntax;
use crate::rules::{Answers, Kind, Outcome, coerce};

/// One condition of the product, checked.
pub struct ConditionCheck {
    pub item: Arc<ItemView>,
    /// The rule as written, when the condition has one.
    pub rule: Option<String>,
    pub status: Outcome,
    /// Names the rule asks about that have no usable answer yet.
    pub missing: Vec<(String, Kind)>,
}

/// What to ask next.
pub struct NextQuestion {
    pub condition: Arc<ItemView>,
    pub name: String,
    pub kind: Kind,
    /// The condition's question for people (its `ask` field), or its text.
    pub ask: String,
}

pub struct Eligibility {
    pub product: Arc<ItemView>,
    pub outcome: Outcome,
    pub conditions: Vec<ConditionCheck>,
    /// Index into `conditions` of the condition that decided an UNMET outcome.
    pub deciding: Option<usize>,
    pub next: Option<NextQuestion>,
    /// Answers given that could not be read as what their rule expects
    /// (e.g. "oud" where a number is asked).
    pub invalid: Vec<String>,
}

/// A condition's question for people about `name`, from its `ask` field:
/// either one question, or one per name (`leeftijd: Hoe oud bent u? |
/// toestemming: Geven uw ouders toestemming?`). With `name` None: the
/// question that names no name.
fn ask_of(item: &ItemView, name: Option<&str>) -> Option<String> {
    let ask = item.fields.get("ask").and_then(|v| v.as_str())?;
    for part in ask.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let tagged = part.split_once(':').filter(|(n, _)| {
            let n = n.trim();
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        });
        match (tagged, name) {
            (Some((n, q)), Some(want)) if n.trim() == want => return Some(q.trim().to_string()),
            (None, None) => return Some(part.to_string()),
            _ => {}
        }
    }
    None
}

/// The one name a rule asks about, if it asks about exactly one.
fn only_name(rule: Option<&str>) -> Option<String> {
    let names = crate::rules::parse(rule?).ok()?.names();
    match names.as_slice() {
        [(n, _)] => Some(n.clone()),
        _ => None,
    }
}

impl Hub {
    /// The question to ask for `name`: the condition's own question for
    /// that name (`name: question` in its `ask`), or its one question when
    /// its rule asks only about `name`; else the question of a condition
    /// whose rule asks only about `name` (`age >= 18 or parental_consent`
    /// borrows "Hoe oud bent u?" from `age >= 18`); else the condition's
    /// question, or its text.
    async fn question_for(
        &self,
        viewer: &Viewer,
        c: &ConditionCheck,
        name: &str,
    ) -> Result<String> {
        if let Some(ask) = ask_of(&c.item, Some(name)) {
            return Ok(ask);
        }
        if only_name(c.rule.as_deref()).as_deref() == Some(name)
            && let Some(ask) = ask_of(&c.item, None)
        {
            return Ok(ask);
        }
        for row in self
            .store
            .items_of_type(&c.item.type_name, viewer.role.stage())
            .await?
        {
            let Some(view) = self.view(&row, viewer.role)? else {
                continue;
            };
            let rule = self
                .model
                .get(&view.type_name)
                .and_then(|t| t.fields.iter().find(|g| g.syntax == Some(Syntax::Rule)))
                .and_then(|f| view.fields.get(&f.name))
                .and_then(|v| v.as_str());
            if only_name(rule).as_deref() == Some(name)
                && let Some(ask) = ask_of(&view, Some(name)).or_else(|| ask_of(&view, None))
            {
                return Ok(ask);
            }
        }
        Ok(ask_of(&c.item, None)
            .or_else(|| {
                let title = &self.model.get(&c.item.type_name)?.title_field;
                c.item.fields.get(title)?.as_str().map(String::from)
            })
            .unwrap_or_else(|| name.to_string()))
    }

    /// Evaluates the rules of the conditions of item `product_id` against
    /// `answers`, as `viewer` may see them.
    pub async fn check_eligibility(
        &self,
        viewer: &Viewer,
        product_id: &str,
        answers: &Answers,
    ) -> Result<Eligibility> {
        let product = self
            .get_any(viewer, product_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("item `{product_id}`")))?;
        let ty = self.type_def(&product.type_name)?;
        // The reference fields whose target type has a rule field.
        let mut ids = Vec::new();
        for f in ty.reference_fields() {
            let checkable =
                f.to.as_deref()
                    .and_then(|t| self.model.get(t))
                    .is_some_and(|t| t.fields.iter().any(|g| g.syntax == Some(Syntax::Rule)));
            if checkable {
                let mut r = product.reference_ids(&f.name);
                if let Some(max) = f.max_items {
                    r.truncate(max);
                }
                ids.extend(r);
            }
        }
        let found = self.load_many(viewer, &ids).await?;
        let mut conditions = Vec::new();
        let mut invalid = Vec::new();
        for id in &ids {
            let Some(item) = found.get(id) else { continue };
            let rule_field = self
                .model
                .get(&item.type_name)
                .and_then(|t| t.fields.iter().find(|g| g.syntax == Some(Syntax::Rule)));
            let rule = rule_field
                .and_then(|f| item.fields.get(&f.name))
                .and_then(|v| v.as_str())
                .filter(|s| !s.trim().is_empty())
                .map(String::from);
            let (status, missing) = match rule.as_deref().map(crate::rules::parse) {
                Some(Ok(expr)) => {
                    let mut missing = Vec::new();
                    for (name, kind) in expr.names() {
                        match answers.get(&name) {
                            None => missing.push((name, kind)),
                            Some(v) if coerce(v, kind).is_none() => {
                                if !invalid.contains(&name) {
                                    invalid.push(name.clone());
                                }
                                missing.push((name, kind));
                            }
                            Some(_) => {}
                        }
                    }
                    (expr.eval(answers), missing)
                }
                // No rule (or one saved before rules were checked): a
                // person checks this condition.
                _ => (Outcome::Unknown, Vec::new()),
            };
            conditions.push(ConditionCheck {
                item: item.clone(),
                rule,
                status,
                missing,
            });
        }
        let outcome = if conditions.iter().any(|c| c.status == Outcome::Unmet) {
            Outcome::Unmet
        } else if conditions.iter().all(|c| c.status == Outcome::Met) {
            Outcome::Met
        } else {
            Outcome::Unknown
        };
        let deciding = conditions.iter().position(|c| c.status == Outcome::Unmet);
        let next = if outcome == Outcome::Unknown {
            let pick = conditions
                .iter()
                .filter(|c| c.status == Outcome::Unknown)
                .find_map(|c| Some((c, c.missing.first()?.clone())));
            match pick {
                Some((c, (name, kind))) => {
                    let ask = self.question_for(viewer, c, &name).await?;
                    Some(NextQuestion {
                        condition: c.item.clone(),
                        name,
                        kind,
                        ask,
                    })
                }
                None => None,
            }
        } else {
            None
        };
        Ok(Eligibility {
            product,
            outcome,
            conditions,
            deciding,
            next,
            invalid,
        })
    }
}
