//! The chatbot's API as a chatbot uses it: `answer` for a citizen's
//! question, the hand-over code a KCC agent opens, and the eligibility
//! dialogue of `checkEligibility`.

use std::time::Duration;

use bron::hub::Role;
use serde_json::{Value, json};

use crate::support::{TestHub, code, searchable_hub};

const ANSWER: &str = r#"query($q: String!) { answer(question: $q) {
  confidence weak item { type slug } alternatives { slug }
  rendered { channel text source { slug version reviewBy } followUps { kind title } }
  handover { code reason message question } } }"#;

const OPEN: &str = r#"query($c: String!) { handover(code: $c) {
  code reason question channel shownVersion itemChanged expiresAt
  item { slug version rendered(channel: KCC) { text } } } }"#;

async fn answer(t: &TestHub, q: &str) -> Value {
    t.ok(None, ANSWER, json!({ "q": q })).await["answer"].clone()
}

#[tokio::test]
async fn a_clear_question_gets_the_short_answer_with_its_source() {
    let t = searchable_hub().await;
    let a = answer(&t, "Wat kost een paspoort?").await;
    assert_eq!(a["item"]["slug"], "kosten-paspoort-en-id-kaart", "{a}");
    assert_eq!(a["weak"], false, "{a}");
    assert_eq!(a["handover"], Value::Null, "{a}");
    let r = &a["rendered"];
    assert_eq!(r["channel"], "CHATBOT");
    assert!(r["text"].as_str().unwrap().chars().count() <= 600);
    assert!(r["text"].as_str().unwrap().contains("€ 88,65"), "{r}");
    assert_eq!(r["source"]["slug"], "kosten-paspoort-en-id-kaart");
    assert!(r["source"]["version"].as_i64().is_some());
    assert!(!r["followUps"].as_array().unwrap().is_empty());
    // Counted as a chatbot search for the editors' figures.
    t.hub.flush_search_stats().await.unwrap();
    let editor = t.token(Role::Editor).await;
    let d = t
        .ok(
            Some(&editor),
            r#"{ searchStats(channel: "chatbot") { top { query searches } } }"#,
            json!({}),
        )
        .await;
    assert!(d.to_string().contains("wat kost een paspoort?"), "{d}");
}

#[tokio::test]
async fn weak_matches_sensitive_items_and_requests_for_a_person_get_a_handover() {
    let t = searchable_hub().await;
    let a = answer(&t, "hoe laat gaat de bibliotheek open").await;
    assert_eq!(a["weak"], true, "{a}");
    assert_eq!(a["handover"]["reason"], "WEAK_MATCH", "{a}");
    let a = answer(&t, "Ik wil een medewerker spreken over mijn paspoort").await;
    assert_eq!(a["handover"]["reason"], "ASKED_FOR_PERSON", "{a}");
    assert!(
        a["rendered"]["text"].is_string(),
        "the answer is still given: {a}"
    );
    let a = answer(&t, "xyzzy plugh").await;
    assert_eq!(a["handover"]["reason"], "NO_MATCH", "{a}");
    assert_eq!(a["item"], Value::Null);
    // Bijstand is marked sensitive: a person is always offered.
    let a = answer(&t, "bijstandsuitkering aanvragen").await;
    assert_eq!(a["handover"]["reason"], "SENSITIVE", "{a}");
    let message = a["handover"]["message"].as_str().unwrap();
    let code = a["handover"]["code"].as_str().unwrap();
    assert!(
        message.contains(code) && message.contains("(0599) 12 34 56"),
        "{message}"
    );
    // Every hand-over is its own: the same question again gets a new code.
    let again = answer(&t, "bijstandsuitkering aanvragen").await;
    assert_ne!(again["handover"]["code"], a["handover"]["code"]);
}

#[tokio::test]
async fn an_agent_opens_the_code_and_sees_the_same_answer_and_context() {
    let t = searchable_hub().await;
    let a = answer(&t, "Ik wil een medewerker spreken over mijn paspoort").await;
    let code = a["handover"]["code"].as_str().unwrap().to_string();
    let agent = t.token(Role::Agent).await;
    // Typed as heard on the phone: lower case, a space for the dash.
    let typed = code.to_lowercase().replace('-', " ");
    let d = t.ok(Some(&agent), OPEN, json!({ "c": typed })).await;
    let h = &d["handover"];
    assert_eq!(h["code"], code.as_str());
    assert_eq!(h["reason"], "ASKED_FOR_PERSON");
    assert_eq!(h["channel"], "chatbot");
    assert_eq!(
        h["question"],
        "Ik wil een medewerker spreken over mijn paspoort"
    );
    assert_eq!(h["item"]["slug"], a["item"]["slug"]);
    assert_eq!(h["shownVersion"], h["item"]["version"]);
    assert_eq!(h["itemChanged"], false);
    assert!(
        h["item"]["rendered"]["text"]
            .as_str()
            .unwrap()
            .contains("Gecontroleerd op")
    );
    // Nobody else opens it.
    let e = t.err(None, OPEN, json!({ "c": code })).await;
    assert_eq!(code_of(&e), "UNAUTHENTICATED", "{e}");
    let editor_less = t.token(Role::Agent).await;
    let d = t
        .ok(Some(&editor_less), OPEN, json!({ "c": "AAAA-BBBB" }))
        .await;
    assert_eq!(d["handover"], Value::Null, "an unknown code is null");
}

fn code_of(e: &Value) -> &str {
    code(e)
}

#[tokio::test]
async fn codes_expire() {
    let t = searchable_hub().await;
    t.hub.set_handover_ttl(Duration::from_millis(300));
    let a = answer(&t, "xyzzy plugh").await;
    let code = a["handover"]["code"].as_str().unwrap().to_string();
    let agent = t.token(Role::Agent).await;
    let d = t.ok(Some(&agent), OPEN, json!({ "c": code })).await;
    assert_eq!(d["handover"]["code"], code.as_str());
    tokio::time::sleep(Duration::from_millis(400)).await;
    let d = t.ok(Some(&agent), OPEN, json!({ "c": code })).await;
    assert_eq!(d["handover"], Value::Null, "expired");
    assert_eq!(t.hub.purge_handovers().await.unwrap(), 1);
}

#[tokio::test]
async fn no_personal_data_is_kept() {
    let t = searchable_hub().await;
    // A BSN that passes the elfproef, an IBAN, e-mail, phone, postcode with
    // house number: none of them may be stored anywhere.
    let personal = [
        "111222333",
        "NL91ABNA0417164300",
        "jan.jansen@example.nl",
        "0612345678",
        "1234 AB 56",
    ];
    let q = format!(
        "Ik wil een medewerker spreken. Mijn bsn is {}, iban {}, mail {}, bel {}, ik woon op {}",
        personal[0], personal[1], personal[2], personal[3], personal[4]
    );
    let a = answer(&t, &q).await;
    let code = a["handover"]["code"].as_str().unwrap().to_string();
    for p in personal {
        assert!(
            !a["handover"]["question"].as_str().unwrap().contains(p),
            "{a}"
        );
    }
    let agent = t.token(Role::Agent).await;
    let d = t.ok(Some(&agent), OPEN, json!({ "c": code })).await;
    let kept = d["handover"]["question"].as_str().unwrap();
    assert!(kept.starts_with("Ik wil een medewerker spreken."), "{kept}");
    for p in personal {
        assert!(!kept.contains(p), "{p} kept in {kept}");
    }
    // Not in the database files either (the statistics are written too).
    t.hub.flush_search_stats().await.unwrap();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(t.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("bron.db") {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    for p in personal {
        assert!(!text.contains(p), "{p} found in the database files");
    }
    assert!(
        text.contains("Ik wil een medewerker spreken."),
        "the scrubbed question is stored"
    );
}

const CHECK: &str = r#"query($p: ID!, $a: [EligibilityAnswer!]) { checkEligibility(product: $p, answers: $a) {
  outcome notice invalidAnswers
  nextQuestion { name kind ask }
  decidingCondition { rule condition { ... on Condition { text } } }
  conditions { status rule missing } } }"#;

async fn check(t: &TestHub, product: &str, answers: Value) -> Value {
    t.ok(None, CHECK, json!({ "p": product, "a": answers }))
        .await["checkEligibility"]
        .clone()
}

#[tokio::test]
async fn the_eligibility_dialogue_asks_until_it_knows() {
    let t = searchable_hub().await;
    let d = t
        .ok(
            None,
            r#"{ product(slug: "paspoort-aanvragen") { id } }"#,
            json!({}),
        )
        .await;
    let id = d["product"]["id"].as_str().unwrap().to_string();
    // A chatbot asks question after question until the outcome is known.
    let mut answers: Vec<Value> = Vec::new();
    let replies = [
        ("dutch_national", "ja"),
        ("municipality", "Lindewaard"),
        ("appears_in_person", "ja"),
        ("age", "34"),
    ];
    let mut asked = Vec::new();
    loop {
        let c = check(&t, &id, json!(answers)).await;
        if c["outcome"] != "UNKNOWN" {
            assert_eq!(c["outcome"], "MET", "{c}");
            assert!(c["notice"].as_str().unwrap().contains("geen besluit"));
            break;
        }
        let name = c["nextQuestion"]["name"].as_str().unwrap().to_string();
        asked.push((
            name.clone(),
            c["nextQuestion"]["ask"].as_str().unwrap().to_string(),
        ));
        let reply = replies
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("asked {name}"));
        answers.push(json!({ "name": name, "value": reply.1 }));
        assert!(asked.len() <= 4, "{asked:?}");
    }
    // An adult is never asked about parental consent; the age question is
    // borrowed from the condition that asks only about age.
    assert!(
        !asked.iter().any(|(n, _)| n == "parental_consent"),
        "{asked:?}"
    );
    assert!(
        asked.contains(&("age".to_string(), "Hoe oud bent u?".to_string())),
        "{asked:?}"
    );
    // One unmet condition decides.
    let c = check(
        &t,
        &id,
        json!([{ "name": "dutch_national", "value": "nee" }]),
    )
    .await;
    assert_eq!(c["outcome"], "UNMET");
    assert_eq!(c["decidingCondition"]["rule"], "dutch_national == true");
    assert_eq!(
        c["decidingCondition"]["condition"]["text"],
        "U heeft de Nederlandse nationaliteit."
    );
    // An answer that cannot be read is reported and asked again.
    let c = check(
        &t,
        &id,
        json!([{ "name": "dutch_national", "value": "ja" }, { "name": "municipality", "value": "lindewaard" },
               { "name": "appears_in_person", "value": "ja" }, { "name": "age", "value": "oud" }]),
    )
    .await;
    assert_eq!(c["outcome"], "UNKNOWN");
    assert_eq!(c["invalidAnswers"], json!(["age"]));
    assert_eq!(c["nextQuestion"]["name"], "age");
    assert_eq!(c["nextQuestion"]["kind"], "number");
    // An unknown product is a clear error.
    let e = t.err(None, CHECK, json!({ "p": "nope", "a": [] })).await;
    assert_eq!(code(&e), "NOT_FOUND", "{e}");
}

#[tokio::test]
async fn a_rule_that_does_not_parse_is_refused_where_it_is_wrong() {
    let t = searchable_hub().await;
    let editor = t.token(Role::Editor).await;
    let e = t
        .err(
            Some(&editor),
            "mutation($f: ConditionCreateFields!) { createCondition(fields: $f) { item { id } } }",
            json!({ "f": { "text": "U bent 18 jaar of ouder.", "rule": "leeftijd >= 18 en (woont_in == \"lindewaard\"" } }),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    let s = e.to_string();
    assert!(s.contains("fields.rule"), "{s}");
    assert!(s.contains("at position 44"), "{s}");
    assert!(
        s.contains("expected `)` to close the `(` at position 19"),
        "{s}"
    );
}
