//! The chatbot answer and the hand-over to a person.
//!
//! `answer` finds the best item for a citizen's question through search,
//! renders it for the asking channel, and says how sure it is: the share of
//! the question the item's text covers, and how far the best hit is ahead
//! of the next. A person is offered (never forced) when the match is weak,
//! when nothing matched, when the item is marked complex or sensitive, or
//! when the citizen asks for one. The offer carries a gesprekscode that
//! holds only content context: the question scrubbed of personal data, the
//! item and revision shown, the reason. A KCC agent opens it with
//! `handover`; codes expire (24 hours unless the operator says otherwise).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rand::Rng;
use serde_json::Value;

use super::{Hub, ItemView, Role, SearchQuery, Viewer, now_ms};
use crate::domain::HandoverRow;
use crate::error::{Error, Result};
use crate::render::Rendering;

/// Below this confidence a match is weak: the answer is given, and a person
/// is offered.
pub const WEAK_MATCH: f32 = 0.55;
/// How long a hand-over code lasts unless `serve --handover-hours` says otherwise.
pub const DEFAULT_HANDOVER_HOURS: u32 = 24;
/// The longest question the chatbot answer takes.
pub const MAX_QUESTION_CHARS: usize = 500;

/// Letters and digits that cannot be mistaken for one another on the phone
/// (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Ways a citizen asks for a person, lower-cased and without accents.
const ASKS_FOR_PERSON: &[&str] = &[
    "medewerker",
    "mens spreken",
    "iemand spreken",
    "persoon spreken",
    "met iemand praten",
    "met een mens",
    "echt persoon",
    "echte persoon",
    "iemand bellen",
    "terugbellen",
    "bel me",
    "bel mij",
    "klantenservice",
    "klantcontact",
    "speak to a person",
    "talk to a person",
    "speak to someone",
    "talk to someone",
    "real person",
    "human",
];

/// What the chatbot gets back.
pub struct Answer {
    /// From 0 to 1.
    pub confidence: f32,
    pub item: Option<Arc<ItemView>>,
    pub rendering: Option<Arc<Rendering>>,
    /// The next best items.
    pub alternatives: Vec<Arc<ItemView>>,
    pub handover: Option<HandoverRow>,
    /// What to tell the citizen with the code: how to reach a person.
    pub handover_message: Option<String>,
    /// Whether the search found nothing (for the search statistics).
    pub found_nothing: bool,
}

/// Lower case, accents folded.
fn folded(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| {
            deunicode::deunicode_char(c)
                .and_then(|s| s.chars().next())
                .unwrap_or(c)
        })
        .collect()
}

/// True when the question asks for a person.
pub fn asks_for_person(question: &str) -> bool {
    let f = folded(question);
    ASKS_FOR_PERSON.iter().any(|p| f.contains(p))
}

/// The question without the request for a person ("ik wil een medewerker
/// spreken over mijn paspoort" asks about `paspoort`): what to search for.
fn subject(question: &str) -> String {
    let mut f = folded(question);
    for p in ASKS_FOR_PERSON {
        f = f.replace(p, " ");
    }
    f.split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            !w.is_empty() && !["spreken", "praten", "bellen", "contact", "please"].contains(w)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of an item that a question is measured against.
fn item_text(item: &ItemView) -> String {
    let mut out = String::new();
    for v in item.fields.values() {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(a) => {
                for s in a.iter().filter_map(Value::as_str) {
                    out.push_str(s);
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    out
}

fn new_code() -> String {
    let mut rng = rand::rng();
    let c: String = (0..8)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &c[..4], &c[4..])
}

/// A code as typed (lower case, spaces, without the dash) as stored.
fn normal_code(code: &str) -> String {
    let c: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if c.len() == 8 {
        format!("{}-{}", &c[..4], &c[4..])
    } else {
        c
    }
}

impl Hub {
    /// How long hand-over codes last (`serve --handover-hours`).
    pub fn set_handover_ttl(&self, ttl: std::time::Duration) {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        self.handover_ms.store(ms, Ordering::Relaxed);
    }

    /// The best answer to `question` for `channel`, with a hand-over when
    /// it is not good enough or a person was asked for.
    pub async fn answer(
        &self,
        viewer: &Viewer,
        question: &str,
        channel: &str,
        locale: Option<String>,
    ) -> Result<Answer> {
        let question = question.trim();
        if question.is_empty() {
            return Err(Error::invalid(
                "question",
                "ask something: the question is empty",
            ));
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            return Err(Error::invalid(
                "question",
                format!("at most {MAX_QUESTION_CHARS} characters"),
            ));
        }
        let ch = self.channel(viewer, channel)?.name.clone();
        let types: Vec<String> = ["product", "question"]
            .iter()
            .filter(|t| self.model.get(t).is_some())
            .map(|t| t.to_string())
            .collect();
        let asked = asks_for_person(question);
        let about = if asked {
            subject(question)
        } else {
            question.to_string()
        };
        let mut ranked: Vec<(Arc<ItemView>, f32)> = Vec::new();
        if !about.trim().is_empty() {
            let page = self
                .search(
                    viewer,
                    SearchQuery {
                        text: about.clone(),
                        first: 4,
                        types,
                        locale,
                        channel: Some(ch.clone()),
                        ..SearchQuery::default()
                    },
                )
                .await?;
            ranked = page
                .results
                .hits
                .iter()
                .filter_map(|h| page.items.get(&h.id).map(|i| (i.clone(), h.score)))
                .collect();
        }
        let found_nothing = ranked.is_empty();
        let (item, confidence) = match ranked.first() {
            None => (None, 0.0),
            Some((best, score)) => {
                let english = best.locale == "en" || best.locale.starts_with("en-");
                let covered = crate::search::coverage(&about, &item_text(best), english);
                let margin = match ranked.get(1) {
                    Some((_, second)) if *score > 0.0 => (1.0 - second / score).clamp(0.0, 1.0),
                    _ => 1.0,
                };
                let c = 0.65 * covered + 0.35 * margin;
                (Some(best.clone()), (c * 100.0).round() / 100.0)
            }
        };
        // Asked for a person, with nothing that fits well: no answer to
        // show, and none recorded as shown in the hand-over.
        let item = item.filter(|_| !(asked && confidence < WEAK_MATCH));
        let alternatives = if ranked.len() > 1 {
            ranked.drain(1..).map(|(i, _)| i).collect()
        } else {
            Vec::new()
        };
        let rendering = match &item {
            Some(i) => Some(self.render(viewer, i, &ch, &BTreeMap::new()).await?),
            None => None,
        };
        let reason = if asked {
            Some("asked_for_person")
        } else if item.is_none() {
            Some("no_match")
        } else if rendering.as_ref().is_some_and(|r| r.sensitive) {
            Some("sensitive")
        } else if confidence < WEAK_MATCH {
            Some("weak_match")
        } else {
            None
        };
        let handover = match reason {
            Some(reason) => Some(
                self.create_handover(question, item.as_deref(), &ch, reason)
                    .await?,
            ),
            None => None,
        };
        let handover_message = match &handover {
            Some(h) => Some(self.handover_message(viewer, h, item.as_deref()).await?),
            None => None,
        };
        Ok(Answer {
            confidence,
            item,
            rendering,
            alternatives,
            handover,
            handover_message,
            found_nothing,
        })
    }

    /// "Wilt u liever een medewerker spreken? Bel … Noem dan de gesprekscode …".
    async fn handover_message(
        &self,
        viewer: &Viewer,
        handover: &HandoverRow,
        item: Option<&ItemView>,
    ) -> Result<String> {
        let locale = item.map(|i| i.locale.as_str()).unwrap_or("nl");
        let routes = self
            .model
            .routes
            .get(locale)
            .or_else(|| self.model.routes.get("nl"));
        let route = routes.and_then(|r| r.phone.clone().or_else(|| r.help.clone()));
        let facts = self.fact_map(viewer.role.stage()).await?;
        let mut missing = Vec::new();
        let route = route
            .map(|t| {
                crate::render::fill::fill_facts(
                    &t,
                    |slug| crate::render::Facts::value(&facts.map, locale, slug),
                    &mut missing,
                )
                .into_owned()
            })
            .unwrap_or_default();
        let p = crate::render::phrases(locale);
        let template = if handover.reason == "asked_for_person" {
            p.handover_asked
        } else {
            p.handover
        };
        Ok(template
            .replace("{route}", &route)
            .replace("{code}", &handover.code)
            .replace("  ", " "))
    }

    async fn create_handover(
        &self,
        question: &str,
        item: Option<&ItemView>,
        channel: &str,
        reason: &str,
    ) -> Result<HandoverRow> {
        let now = now_ms();
        let scrubbed: String = crate::search::scrub::scrub(question)
            .chars()
            .take(MAX_QUESTION_CHARS)
            .collect();
        let mut row = HandoverRow {
            code: new_code(),
            question: scrubbed.trim().to_string(),
            item_id: item.map(|i| i.id.clone()),
            item_version: item.map(|i| i.version),
            channel: channel.to_string(),
            reason: reason.to_string(),
            created_at: now,
            expires_at: now + self.handover_ms.load(Ordering::Relaxed),
        };
        let mut tx = self.store.begin().await?;
        // A code already taken (one in 10^12) gets another.
        for _ in 0..5 {
            if tx.insert_handover(&row).await? {
                tx.commit().await?;
                return Ok(row);
            }
            row.code = new_code();
        }
        Err(Error::Internal("no free hand-over code found".into()))
    }

    /// A hand-over code as a KCC agent opens it: the context, and the item
    /// as the agent sees it now. None when the code does not exist or has
    /// expired. Agents and up.
    pub async fn handover(
        &self,
        viewer: &Viewer,
        code: &str,
    ) -> Result<Option<(HandoverRow, Option<Arc<ItemView>>)>> {
        viewer.require(Role::Agent, "opening a hand-over code")?;
        let Some(row) = self.store.handover(&normal_code(code), now_ms()).await? else {
            return Ok(None);
        };
        let item = match &row.item_id {
            Some(id) => self.get_any(viewer, id).await?,
            None => None,
        };
        Ok(Some((row, item)))
    }

    /// Deletes expired hand-over codes; returns how many.
    pub async fn purge_handovers(&self) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let n = tx.delete_expired_handovers(now_ms()).await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_well_and_are_found_as_typed() {
        let c = new_code();
        assert_eq!(c.len(), 9);
        assert!(
            c.chars()
                .all(|ch| ch == '-' || CODE_ALPHABET.contains(&(ch as u8)))
        );
        assert_eq!(normal_code(&c.to_lowercase().replace('-', " ")), c);
        assert_eq!(normal_code("abcd efgh"), "ABCD-EFGH");
    }

    #[test]
    fn the_subject_is_what_remains_of_a_request_for_a_person() {
        assert_eq!(
            subject("Ik wil een medewerker spreken over mijn paspoort"),
            "ik wil een over mijn paspoort"
        );
        assert_eq!(subject("Kan ik een medewerker spreken?"), "kan ik een");
    }

    #[test]
    fn asking_for_a_person_is_recognised() {
        assert!(asks_for_person("Kan ik een medewerker spreken?"));
        assert!(asks_for_person("ik wil met een mens praten"));
        assert!(asks_for_person("Can I talk to a person please"));
        assert!(!asks_for_person("Wat kost een paspoort?"));
    }
}
