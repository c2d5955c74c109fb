//! What to ask or read next after an answer: related questions and
//! products, the first step, and an eligibility check when the item has
//! conditions with rules.

use super::{Renderer, str_field, visible_in};

/// Something to ask or read next.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    /// `question`, `product`, `step` (the first step), `eligibility`
    /// (the product has conditions a chatbot can check) or `related`.
    pub kind: &'static str,
    pub id: String,
    pub type_name: String,
    pub title: String,
}

impl Renderer<'_, '_> {
    /// What to ask or read next: related questions and products, the first
    /// step, and an eligibility check when the item has checkable conditions.
    pub(super) fn follow_ups(&self) -> Vec<FollowUp> {
        let Some(ty) = self.ty else { return vec![] };
        let mut out = Vec::new();
        let mut eligibility = false;
        for f in ty
            .reference_fields()
            .filter(|f| visible_in(f, self.ctx.channel))
        {
            let items = self.referenced(f);
            for (i, r) in items.iter().enumerate() {
                let target = self.ctx.model.get(r.type_name);
                let rule = target.and_then(|t| {
                    t.fields
                        .iter()
                        .find(|f| f.syntax == Some(crate::model::Syntax::Rule))
                });
                if let Some(rf) = rule {
                    eligibility |= str_field(r, &rf.name).is_some();
                    continue;
                }
                let kind = match r.type_name {
                    "question" => "question",
                    "product" => "product",
                    "step" if i == 0 => "step",
                    _ if f.embed => continue,
                    _ => "related",
                };
                out.push(FollowUp {
                    kind,
                    id: r.id.to_string(),
                    type_name: r.type_name.to_string(),
                    title: self.title_of(r),
                });
            }
        }
        if eligibility {
            out.insert(
                0,
                FollowUp {
                    kind: "eligibility",
                    id: self.item.id.to_string(),
                    type_name: self.item.type_name.to_string(),
                    title: self.phrases().eligibility.to_string(),
                },
            );
        }
        out
    }
}
