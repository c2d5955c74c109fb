//! The chatbot's root fields: `answer` (the best item for a question, in the
//! channel's rendering, with a confidence and a hand-over when needed),
//! `handover` (a KCC agent opens a gesprekscode) and `checkEligibility`
//! (a product's condition rules against the answers so far).

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, TypeRef,
};
use async_graphql::{Name, Value as GqlValue};

use super::convert::{SCALAR_DATETIME, gql_error};
use super::loader::RequestCtx;
use super::render::{CHANNEL, rendering_value};
use super::types::{ITEM, item_typed};
use crate::domain::HandoverRow;
use crate::error::Error;
use crate::hub::{
    Answer, Eligibility, Hub, ItemView, MAX_QUESTION_CHARS, WEAK_MATCH, ms_to_datetime,
};
use crate::model::ContentModel;
use crate::rules::{Answers, Outcome, Value as RuleValue};

/// A hand-over as GraphQL shows it: the stored context and the item.
struct HandoverValue {
    row: HandoverRow,
    item: Option<Arc<ItemView>>,
    /// What to tell the citizen (on the chatbot's side only).
    message: Option<String>,
}

fn enum_value(s: &str) -> GqlValue {
    GqlValue::Enum(Name::new(s.to_uppercase()))
}

fn outcome_value(o: Outcome) -> GqlValue {
    GqlValue::Enum(Name::new(o.as_str()))
}

/// `answer(question:, channel:, locale:)`.
pub fn answer_field(model: &ContentModel) -> Field {
    let mut channel = InputValue::new("channel", TypeRef::named_nn(CHANNEL))
        .description("The channel asking; the answer is rendered for it. Default CHATBOT.");
    if model.channels.iter().any(|c| c.name == "chatbot") {
        channel = channel.default_value(GqlValue::Enum(Name::new("CHATBOT")));
    }
    Field::new("answer", TypeRef::named_nn("Answer"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let question = ctx.args.try_get("question")?.string()?;
            let channel = ctx.args.try_get("channel")?.enum_name()?.to_lowercase();
            let locale = match ctx.args.get("locale") {
                Some(v) if !v.is_null() => Some(v.string()?.to_string()),
                _ => None,
            };
            let answer = hub
                .answer(&rc.viewer, question, &channel, locale)
                .await
                .map_err(gql_error)?;
            // Counted like a search from this channel; a new hand-over code
            // makes the response one of a kind: never cached.
            rc.searches
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((channel, question.to_string(), answer.found_nothing));
            if answer.handover.is_some() {
                rc.uncacheable.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(Some(FieldValue::owned_any(answer)))
        })
    })
    .argument(
        InputValue::new("question", TypeRef::named_nn(TypeRef::STRING)).description(format!(
            "The citizen's question as typed, at most {MAX_QUESTION_CHARS} characters. It is kept only scrubbed of personal data, in a hand-over code."
        )),
    )
    .argument(channel)
    .argument(
        InputValue::new("locale", TypeRef::named(TypeRef::STRING))
            .description("Answer from items in this locale (default `nl`)."),
    )
    .description("The best answer to a citizen's question, found through search and rendered for the channel, with a confidence. When the match is weak, nothing matched, the item is marked complex or sensitive, or the citizen asks for a person, a hand-over to a person is offered with a gesprekscode (never forced: the answer is still given).")
}

/// `handover(code:)`: agents and up.
pub fn handover_field() -> Field {
    Field::new("handover", TypeRef::named("Handover"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let code = ctx.args.try_get("code")?.string()?;
            // Whether a code is still valid depends on the clock, not on the
            // change log: never from the response cache.
            rc.uncacheable.store(true, std::sync::atomic::Ordering::Relaxed);
            let found = hub.handover(&rc.viewer, code).await.map_err(gql_error)?;
            Ok(found.map(|(row, item)| {
                FieldValue::owned_any(HandoverValue {
                    row,
                    item,
                    message: None,
                })
            }))
        })
    })
    .argument(
        InputValue::new("code", TypeRef::named_nn(TypeRef::STRING))
            .description("The gesprekscode the citizen reads out, e.g. `K7MQ-4XPA` (case, spaces and the dash do not matter)."),
    )
    .description("Opens a hand-over code: the question as the citizen typed it (scrubbed of personal data), the item and revision the chatbot showed, and why it handed over. Null when the code does not exist or has expired. Needs an agent token.")
}

/// `checkEligibility(product:, answers:)`.
pub fn check_eligibility_field() -> Field {
    Field::new("checkEligibility", TypeRef::named_nn("Eligibility"), |ctx| {
        FieldFuture::new(async move {
            let hub = ctx.data::<Arc<Hub>>()?;
            let rc = ctx.data::<RequestCtx>()?;
            let product = ctx.args.try_get("product")?.string()?;
            let mut answers = Answers::new();
            if let Some(list) = ctx.args.get("answers").filter(|v| !v.is_null()) {
                let list = list.list()?;
                if list.len() > 200 {
                    return Err(gql_error(Error::invalid("answers", "at most 200 answers")));
                }
                for a in list.iter() {
                    let o = a.object()?;
                    let name = o.try_get("name")?.string()?.trim().to_string();
                    let value = o.try_get("value")?.string()?;
                    if value.len() > 1000 {
                        return Err(gql_error(Error::invalid(
                            "answers",
                            format!("the answer to `{name}` is longer than 1000 bytes"),
                        )));
                    }
                    answers.insert(name, RuleValue::Str(value.to_string()));
                }
            }
            let e = hub
                .check_eligibility(&rc.viewer, product, &answers)
                .await
                .map_err(gql_error)?;
            Ok(Some(FieldValue::owned_any(Arc::new(e))))
        })
    })
    .argument(InputValue::new("product", TypeRef::named_nn(TypeRef::ID)).description("The product (any item with conditions that have rules)."))
    .argument(
        InputValue::new("answers", TypeRef::named_nn_list("EligibilityAnswer"))
            .description("The answers so far, by the names the rules use (e.g. `leeftijd`). Yes/no as `ja`/`nee` or `true`/`false`, numbers as digits, dates as YYYY-MM-DD."),
    )
    .description("Checks a product's conditions against the answers a citizen gave: MET, UNMET or UNKNOWN overall and per condition, which condition decided, and which question to ask next. Indicative, never a decision: every condition names its source.")
}

fn answer_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'_>,
) -> async_graphql::Result<&'a Answer> {
    ctx.parent_value.try_downcast_ref::<Answer>()
}

fn handover_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'_>,
) -> async_graphql::Result<&'a HandoverValue> {
    ctx.parent_value.try_downcast_ref::<HandoverValue>()
}

fn eligibility_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'_>,
) -> async_graphql::Result<&'a Arc<Eligibility>> {
    ctx.parent_value.try_downcast_ref::<Arc<Eligibility>>()
}

/// A condition of an eligibility check: the check and its index.
struct CheckRef(Arc<Eligibility>, usize);

fn check_of<'a>(
    ctx: &'a async_graphql::dynamic::ResolverContext<'_>,
) -> async_graphql::Result<&'a CheckRef> {
    ctx.parent_value.try_downcast_ref::<CheckRef>()
}

macro_rules! field {
    ($name:expr, $ty:expr, $desc:expr, |$ctx:ident| $body:expr) => {
        Field::new($name, $ty, |$ctx| FieldFuture::new(async move { $body })).description($desc)
    };
}

fn value(v: impl Into<GqlValue>) -> Option<FieldValue<'static>> {
    Some(FieldValue::value(v.into()))
}

fn opt(v: Option<impl Into<GqlValue>>) -> Option<FieldValue<'static>> {
    v.map(|v| FieldValue::value(v.into()))
}

pub fn answer_types() -> (Vec<Object>, Vec<Enum>, InputObject) {
    let answer = Object::new("Answer")
        .description("The chatbot's answer to one question. Not identified by id: every call is a new answer, never cached.")
        .field(field!("confidence", TypeRef::named_nn(TypeRef::FLOAT), "How sure Bron is, from 0 to 1: how much of the question the item covers, and how far it is ahead of the next item.", |ctx| {
            Ok(value((f64::from(answer_of(&ctx)?.confidence) * 100.0).round() / 100.0))
        }))
        .field(field!("weak", TypeRef::named_nn(TypeRef::BOOLEAN), "The confidence is below 0.55: show the answer as a suggestion, and offer the hand-over.", |ctx| {
            Ok(value(answer_of(&ctx)?.confidence < WEAK_MATCH))
        }))
        .field(field!("item", TypeRef::named(ITEM), "The best matching item, if any.", |ctx| {
            Ok(answer_of(&ctx)?.item.clone().map(item_typed))
        }))
        .field(field!("rendered", TypeRef::named("Rendering"), "The item rendered for the asking channel: the short answer first, follow-ups, source.", |ctx| {
            Ok(answer_of(&ctx)?.rendering.as_ref().map(|r| FieldValue::value(rendering_value(r))))
        }))
        .field(field!("alternatives", TypeRef::named_nn_list_nn(ITEM), "The next best items, to offer as \"Bedoelt u…?\".", |ctx| {
            Ok(Some(FieldValue::list(answer_of(&ctx)?.alternatives.iter().cloned().map(item_typed))))
        }))
        .field(field!("handover", TypeRef::named("Handover"), "A person offered, with a gesprekscode, when the match is weak, nothing matched, the item is sensitive or complex, or the citizen asked for one.", |ctx| {
            let a = answer_of(&ctx)?;
            Ok(a.handover.clone().map(|row| {
                FieldValue::owned_any(HandoverValue {
                    row,
                    item: a.item.clone(),
                    message: a.handover_message.clone(),
                })
            }))
        }));
    let handover = Object::new("Handover")
        .description("A conversation handed to a person: only content context, no personal data. Identified by its `code`, not by an id (Apollo: `keyFields: [\"code\"]`).")
        .field(field!("code", TypeRef::named_nn(TypeRef::STRING), "The gesprekscode, to read out to a KCC agent.", |ctx| {
            Ok(value(handover_of(&ctx)?.row.code.clone()))
        }))
        .field(field!("reason", TypeRef::named_nn("HandoverReason"), "Why a person is offered.", |ctx| {
            Ok(Some(FieldValue::value(enum_value(&handover_of(&ctx)?.row.reason))))
        }))
        .field(field!("message", TypeRef::named(TypeRef::STRING), "What to tell the citizen: how to reach a person, with the code. Only in `answer`.", |ctx| {
            Ok(opt(handover_of(&ctx)?.message.clone()))
        }))
        .field(field!("question", TypeRef::named_nn(TypeRef::STRING), "The question as typed, scrubbed of personal data (BSN, IBAN, e-mail, phone, postcode with house number).", |ctx| {
            Ok(value(handover_of(&ctx)?.row.question.clone()))
        }))
        .field(field!("channel", TypeRef::named_nn(TypeRef::STRING), "The channel the question came from.", |ctx| {
            Ok(value(handover_of(&ctx)?.row.channel.clone()))
        }))
        .field(field!("item", TypeRef::named(ITEM), "The item the chatbot showed, as it is now.", |ctx| {
            Ok(handover_of(&ctx)?.item.clone().map(item_typed))
        }))
        .field(field!("shownVersion", TypeRef::named(TypeRef::INT), "The revision of the item the chatbot showed.", |ctx| {
            Ok(opt(handover_of(&ctx)?.row.item_version))
        }))
        .field(field!("itemChanged", TypeRef::named_nn(TypeRef::BOOLEAN), "The item has changed since the chatbot showed it.", |ctx| {
            let h = handover_of(&ctx)?;
            Ok(value(match (&h.item, h.row.item_version) {
                (Some(i), Some(v)) => i.version != v,
                _ => false,
            }))
        }))
        .field(field!("createdAt", TypeRef::named_nn(SCALAR_DATETIME), "When the chatbot handed over.", |ctx| {
            Ok(value(ms_to_datetime(handover_of(&ctx)?.row.created_at)))
        }))
        .field(field!("expiresAt", TypeRef::named_nn(SCALAR_DATETIME), "When the code stops working.", |ctx| {
            Ok(value(ms_to_datetime(handover_of(&ctx)?.row.expires_at)))
        }));
    let eligibility = Object::new("Eligibility")
        .description("A product's conditions checked against a citizen's answers. Indicative, never a decision. Not identified by id: it depends on the answers given.")
        .field(field!("outcome", TypeRef::named_nn("EligibilityOutcome"), "MET when every condition is met, UNMET when one is not, UNKNOWN while answers are missing (or a condition has no rule and a person must check it).", |ctx| {
            Ok(Some(FieldValue::value(outcome_value(eligibility_of(&ctx)?.outcome))))
        }))
        .field(field!("product", TypeRef::named_nn(ITEM), "The product checked.", |ctx| {
            Ok(Some(item_typed(eligibility_of(&ctx)?.product.clone())))
        }))
        .field(field!("conditions", TypeRef::named_nn_list_nn("ConditionCheck"), "Every condition, in the product's order.", |ctx| {
            let e = eligibility_of(&ctx)?;
            Ok(Some(FieldValue::list((0..e.conditions.len()).map(|i| FieldValue::owned_any(CheckRef(e.clone(), i))))))
        }))
        .field(field!("decidingCondition", TypeRef::named("ConditionCheck"), "For UNMET: the first condition not met.", |ctx| {
            let e = eligibility_of(&ctx)?;
            Ok(e.deciding.map(|i| FieldValue::owned_any(CheckRef(e.clone(), i))))
        }))
        .field(field!("nextQuestion", TypeRef::named("EligibilityQuestion"), "For UNKNOWN: what to ask next.", |ctx| {
            let e = eligibility_of(&ctx)?;
            Ok(e.next.as_ref().map(|_| FieldValue::owned_any(e.clone())))
        }))
        .field(field!("invalidAnswers", TypeRef::named_nn_list_nn(TypeRef::STRING), "Names whose answer could not be read as what the rule expects (ask again).", |ctx| {
            Ok(Some(FieldValue::value(GqlValue::List(eligibility_of(&ctx)?.invalid.iter().map(|s| GqlValue::from(s.as_str())).collect()))))
        }))
        .field(field!("notice", TypeRef::named_nn(TypeRef::STRING), "Say this with the outcome: it is indicative.", |ctx| {
            let _ = eligibility_of(&ctx)?;
            Ok(value("Deze uitkomst is een indicatie, geen besluit. De gemeente beoordeelt uw aanvraag."))
        }));
    let check = Object::new("ConditionCheck")
        .description("One condition, checked. Not identified by id (its condition is).")
        .field(field!(
            "condition",
            TypeRef::named_nn(ITEM),
            "The condition item: its text for people, explanation and source.",
            |ctx| {
                let c = check_of(&ctx)?;
                Ok(Some(item_typed(c.0.conditions[c.1].item.clone())))
            }
        ))
        .field(field!(
            "status",
            TypeRef::named_nn("EligibilityOutcome"),
            "MET, UNMET or UNKNOWN (answers missing, or no rule).",
            |ctx| {
                let c = check_of(&ctx)?;
                Ok(Some(FieldValue::value(outcome_value(
                    c.0.conditions[c.1].status,
                ))))
            }
        ))
        .field(field!(
            "rule",
            TypeRef::named(TypeRef::STRING),
            "The rule as written; null when a person checks this condition.",
            |ctx| {
                let c = check_of(&ctx)?;
                Ok(opt(c.0.conditions[c.1].rule.clone()))
            }
        ))
        .field(field!(
            "missing",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            "Names the rule needs an answer for.",
            |ctx| {
                let c = check_of(&ctx)?;
                Ok(Some(FieldValue::value(GqlValue::List(
                    c.0.conditions[c.1]
                        .missing
                        .iter()
                        .map(|(n, _)| GqlValue::from(n.as_str()))
                        .collect(),
                ))))
            }
        ));
    let question = Object::new("EligibilityQuestion")
        .description("The next question of an eligibility dialogue. Not identified by id.")
        .field(field!(
            "name",
            TypeRef::named_nn(TypeRef::STRING),
            "Send the answer under this name.",
            |ctx| {
                Ok(opt(eligibility_of(&ctx)?
                    .next
                    .as_ref()
                    .map(|n| n.name.clone())))
            }
        ))
        .field(field!(
            "kind",
            TypeRef::named_nn(TypeRef::STRING),
            "One of `boolean`, `number`, `string` or `date`.",
            |ctx| {
                Ok(opt(eligibility_of(&ctx)?
                    .next
                    .as_ref()
                    .map(|n| n.kind.as_str())))
            }
        ))
        .field(field!(
            "ask",
            TypeRef::named_nn(TypeRef::STRING),
            "The question to put to the citizen.",
            |ctx| {
                Ok(opt(eligibility_of(&ctx)?
                    .next
                    .as_ref()
                    .map(|n| n.ask.clone())))
            }
        ))
        .field(field!(
            "condition",
            TypeRef::named_nn(ITEM),
            "The condition it is for.",
            |ctx| {
                Ok(eligibility_of(&ctx)?
                    .next
                    .as_ref()
                    .map(|n| item_typed(n.condition.clone())))
            }
        ));
    let reason = Enum::new("HandoverReason")
        .description("Why a person is offered.")
        .items([
            EnumItem::new("WEAK_MATCH").description(
                "The best item matched the question only weakly (confidence below 0.55).",
            ),
            EnumItem::new("NO_MATCH").description("No item matched the question."),
            EnumItem::new("SENSITIVE").description("The item is marked complex or sensitive."),
            EnumItem::new("ASKED_FOR_PERSON").description("The citizen asked for a person."),
        ]);
    let outcome = Enum::new("EligibilityOutcome")
        .description("The outcome of a condition or a whole check.")
        .items([
            EnumItem::new("MET").description("The answers meet it."),
            EnumItem::new("UNMET").description("The answers do not meet it."),
            EnumItem::new("UNKNOWN").description(
                "Answers are missing, or there is no rule and a person must check it.",
            ),
        ]);
    let input = InputObject::new("EligibilityAnswer")
        .description("One answer of a citizen.")
        .field(
            InputValue::new("name", TypeRef::named_nn(TypeRef::STRING))
                .description("The name the rule uses, e.g. `leeftijd`."),
        )
        .field(
            InputValue::new("value", TypeRef::named_nn(TypeRef::STRING))
                .description("The answer as text: `ja`, `18`, `2026-01-31`, `lindewaard`."),
        );
    (
        vec![answer, handover, eligibility, check, question],
        vec![reason, outcome],
        input,
    )
}
