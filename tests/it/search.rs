//! Search through the real router, on a real tantivy index on disk: what
//! citizens type, who may see what, and that every write is searchable the
//! moment it returns.

use bron::hub::Role;
use serde_json::{Value, json};

use crate::support::{TestHub, searchable_hub};

const SEARCH: &str = r#"query($q: String!, $first: Int, $after: String, $types: [String!], $filter: SearchFilter, $drafts: Boolean) {
  search(query: $q, first: $first, after: $after, types: $types, filter: $filter, drafts: $drafts) {
    totalCount suggestion
    facets { types { value count } themes { value count } }
    pageInfo { hasNextPage endCursor }
    hits { score snippet cursor item { __typename id slug } }
  }
}"#;

async fn search(t: &TestHub, token: Option<&str>, vars: Value) -> Value {
    t.ok(token, SEARCH, vars).await["search"].clone()
}

fn slugs(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["item"]["slug"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn citizens_find_the_answer_the_way_they_type_it() {
    let t = searchable_hub().await;
    // (what a citizen types, an item expected in the top three)
    let cases = [
        ("paspoort kwijt", "paspoort-kwijt-of-gestolen"),
        ("paspoord kwijt", "paspoort-kwijt-of-gestolen"),
        ("hoe vraag ik een nieuw paspoort aan", "paspoort-aanvragen"),
        ("id kaart verloren buitenland", "paspoort-kwijt-of-gestolen"),
        ("ik ga verhuizen naar utrecht", "verhuizing-doorgeven"),
        ("verhuising", "verhuizing-doorgeven"),
        ("rijbewjs verlengen", "rijbewijs-verlengen"),
        ("afvalpas kwijt", "afvalpas-kwijt"),
    ];
    for (query, expected) in cases {
        let r = search(&t, None, json!({"q": query, "first": 3})).await;
        assert!(
            slugs(&r).iter().any(|s| s == expected),
            "`{query}`: expected {expected} in the top three, got {:?}",
            slugs(&r)
        );
    }
    // A typo gets a suggestion; a word the content uses does not.
    let r = search(&t, None, json!({"q": "rijbewjs"})).await;
    assert_eq!(r["suggestion"], "rijbewijs");
    let r = search(&t, None, json!({"q": "rijbewijs"})).await;
    assert_eq!(r["suggestion"], Value::Null);
}

#[tokio::test]
async fn hits_carry_scores_snippets_facets_and_pages() {
    let t = searchable_hub().await;
    let r = search(&t, None, json!({"q": "paspoort", "first": 2})).await;
    let total = r["totalCount"].as_i64().unwrap();
    assert!(total > 2, "{r}");
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits[0]["score"].as_f64().unwrap() >= hits[1]["score"].as_f64().unwrap());
    assert!(
        hits[0]["snippet"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("<mark>paspoort"),
        "{r}"
    );
    let by_type: i64 = r["facets"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_i64().unwrap())
        .sum();
    assert_eq!(by_type, total, "type facets count every hit once");
    // Paging through all hits gives each item once.
    assert_eq!(r["pageInfo"]["hasNextPage"], true);
    let mut seen: Vec<String> = slugs(&r);
    let mut after = r["pageInfo"]["endCursor"].clone();
    loop {
        let page = search(
            &t,
            None,
            json!({"q": "paspoort", "first": 2, "after": after}),
        )
        .await;
        seen.extend(slugs(&page));
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len() as i64, total);
    assert_eq!(unique.len(), seen.len());

    // Type and theme filters narrow, and the facets follow.
    let products = search(&t, None, json!({"q": "paspoort", "types": ["product"]})).await;
    assert!(
        products["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["item"]["__typename"] == "Product")
    );
    let theme = search(
        &t,
        None,
        json!({"q": "paspoort", "filter": {"themes": ["Reisdocumenten"]}}),
    )
    .await;
    assert!(theme["totalCount"].as_i64().unwrap() >= 1);
    assert!(theme["totalCount"].as_i64().unwrap() <= total);
    let none = search(
        &t,
        None,
        json!({"q": "paspoort", "filter": {"audience": ["niemand"]}}),
    )
    .await;
    assert_eq!(none["totalCount"], 0);
}

#[tokio::test]
async fn internal_notes_never_match_show_or_count_for_the_public() {
    let t = searchable_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let agent = t.token(Role::Agent).await;
    let created = t
        .ok(
            Some(&editor),
            "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }",
            json!({"f": {
                "question": "Kan ik mijn paspoort laten bezorgen?",
                "shortAnswer": "Nee, u haalt het zelf op.",
                // Long public text before the note: agents still see the
                // note in their snippet.
                "answer": "Een lange uitleg over ophalen aan de balie. ".repeat(60),
                "themes": ["Reisdocumenten"],
                "internalNote": "Interne route: bel de backoffice kwartiermaker bij klachten."
            }}),
        )
        .await;
    let id = created["createQuestion"]["item"]["id"].clone();
    t.ok(
        Some(&publisher),
        "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }",
        json!({"ids": [id]}),
    )
    .await;

    // The public: the internal word matches nothing, and a public search
    // that finds the item shows and counts nothing of the note.
    let anon = search(&t, None, json!({"q": "kwartiermaker"})).await;
    assert_eq!(anon["totalCount"], 0, "{anon}");
    assert_eq!(anon["facets"]["types"], json!([]));
    assert_eq!(
        anon["suggestion"],
        Value::Null,
        "no internal word is suggested"
    );
    let public = search(&t, None, json!({"q": "paspoort bezorgen kwartiermaker"})).await;
    let text = public.to_string();
    assert!(text.contains("Kan ik mijn"), "{public}");
    assert!(
        !text.contains("kwartiermaker") && !text.contains("backoffice"),
        "{public}"
    );
    let public_count = search(&t, None, json!({"q": "paspoort bezorgen"})).await;
    assert_eq!(public["totalCount"], public_count["totalCount"]);
    assert_eq!(public["facets"], public_count["facets"]);

    // An agent finds it by the note and sees the note in the snippet.
    let kcc = search(&t, Some(&agent), json!({"q": "kwartiermaker"})).await;
    assert_eq!(kcc["totalCount"], 1, "{kcc}");
    assert!(
        kcc["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>kwartiermaker</mark>")
    );
}

#[tokio::test]
async fn drafts_are_found_only_by_editors_who_ask_for_them() {
    let t = searchable_hub().await;
    let editor = t.token(Role::Editor).await;
    let agent = t.token(Role::Agent).await;
    t.ok(
        Some(&editor),
        "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }",
        json!({"f": {"question": "Mag een zeilboot in de singelgracht overwinteren?", "shortAnswer": "Concept."}}),
    )
    .await;
    for token in [None, Some(agent.as_str()), Some(editor.as_str())] {
        let r = search(&t, token, json!({"q": "singelgracht"})).await;
        assert_eq!(r["totalCount"], 0, "live content only by default: {r}");
        assert_eq!(
            r["suggestion"],
            Value::Null,
            "no draft word is suggested: {r}"
        );
    }
    let drafts = search(
        &t,
        Some(&editor),
        json!({"q": "singelgracht", "drafts": true}),
    )
    .await;
    assert_eq!(drafts["totalCount"], 1);
    for (token, code) in [
        (None, "UNAUTHENTICATED"),
        (Some(agent.as_str()), "FORBIDDEN"),
    ] {
        let e = t
            .err(token, SEARCH, json!({"q": "singelgracht", "drafts": true}))
            .await;
        assert_eq!(e["extensions"]["code"], code, "{e}");
    }
}

/// Every write is in the index when it returns: create, publish, update,
/// unpublish, delete, fact change; many writers at once.
#[tokio::test]
async fn every_write_is_searchable_when_it_returns() {
    let t = std::sync::Arc::new(searchable_hub().await);
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let count = |r: Value| r["totalCount"].as_i64().unwrap();
    // Matches of `q` for the public, and in the drafts for an editor.
    let live = async |q: &str| count(search(&t, None, json!({"q": q})).await);
    let drafts =
        async |q: &str| count(search(&t, Some(&editor), json!({"q": q, "drafts": true})).await);
    let publish = "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }";

    let created = t
        .ok(
            Some(&publisher),
            "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }",
            json!({"f": {"question": "Waar laat ik mijn kerstboom achter?", "shortAnswer": "Bij de inzamelplek."}}),
        )
        .await;
    let id = created["createQuestion"]["item"]["id"].clone();
    assert_eq!(drafts("kerstboom").await, 1);
    assert_eq!(live("kerstboom").await, 0);
    t.ok(Some(&publisher), publish, json!({"ids": [id]})).await;
    assert_eq!(live("kerstboom").await, 1);

    t.ok(
        Some(&publisher),
        "mutation($id: ID!) { updateQuestion(id: $id, version: 1, fields: {question: \"Waar laat ik mijn oliebollenkraam?\"}) { item { version } } }",
        json!({"id": id}),
    )
    .await;
    // The draft changed; the public still finds the live text until publish.
    assert_eq!(live("kerstboom").await, 1);
    assert_eq!(live("oliebollenkraam").await, 0);
    assert_eq!(drafts("oliebollenkraam").await, 1);
    t.ok(Some(&publisher), publish, json!({"ids": [id]})).await;
    assert_eq!(live("kerstboom").await, 0);
    assert_eq!(live("oliebollenkraam").await, 1);

    t.ok(
        Some(&publisher),
        "mutation($ids: [ID!]!) { unpublish(ids: $ids) { changeSeq } }",
        json!({"ids": [id]}),
    )
    .await;
    assert_eq!(live("oliebollenkraam").await, 0);
    t.ok(
        Some(&publisher),
        "mutation($id: ID!) { deleteItem(id: $id) { id } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(drafts("oliebollenkraam").await, 0);

    // A fact's new value is findable in every item that uses it.
    t.ok(
        Some(&publisher),
        "mutation { setFact(slug: \"gemeente-telefoonnummer\", value: \"(0599) 77 88 99 zevenenzeventig\") { changeSeq } }",
        json!({}),
    )
    .await;
    let r = search(&t, None, json!({"q": "zevenenzeventig"})).await;
    assert!(count(r.clone()) >= 1, "an item using the fact: {r}");

    // Many writers at once: each finds its own write at once.
    let mut tasks = Vec::new();
    for i in 0..12 {
        let t = t.clone();
        let publisher = publisher.clone();
        tasks.push(tokio::spawn(async move {
            let word = [
                "appelboomgaard", "brugwachter", "citroenpers", "dakgootreiniger", "eikenhouten",
                "fietsbel", "glazenwasser", "hooiberg", "jongleur", "klokkentoren",
                "lantaarnpaal", "meelworm",
            ][i];
            let created = t
                .ok(
                    Some(&publisher),
                    "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }",
                    json!({"f": {"question": format!("Vraag over {word}?"), "shortAnswer": "Antwoord."}}),
                )
                .await;
            let id = created["createQuestion"]["item"]["id"].clone();
            t.ok(Some(&publisher), "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }", json!({"ids": [id]}))
                .await;
            let r = t.ok(None, SEARCH, json!({"q": word})).await;
            assert_eq!(r["search"]["hits"][0]["item"]["id"], id, "{word}: {r}");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn odd_queries_get_a_sensible_answer_or_a_clear_error() {
    let t = searchable_hub().await;
    for q in [
        "",
        "   ",
        "de het een",
        "\"(:*~^",
        "paspoort\" OR (1=1",
        "🙂🙂 paspoort",
        "ü",
        "*",
    ] {
        let r = search(&t, None, json!({"q": q})).await;
        assert!(r["totalCount"].is_i64(), "{q}: {r}");
    }
    let long = "paspoort ".repeat(100);
    let e = t.err(None, SEARCH, json!({"q": long})).await;
    assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{e}");
    for (vars, arg) in [
        (json!({"q": "paspoort", "first": 0}), "first"),
        (json!({"q": "paspoort", "first": 51}), "first"),
        (json!({"q": "paspoort", "after": "not-a-cursor"}), "after"),
        (json!({"q": "paspoort", "types": ["nosuchtype"]}), "type"),
    ] {
        let e = t.err(None, SEARCH, vars.clone()).await;
        assert!(e["message"].as_str().unwrap().contains(arg), "{vars}: {e}");
    }
}

/// Writes by another process (the CLI while the server runs) reach the
/// index through the change log; a new index is built from the store.
#[tokio::test]
async fn other_processes_writes_reach_the_index_and_it_rebuilds_from_the_store() {
    let t = searchable_hub().await;
    let other = crate::workflow::other_process(&t).await;
    let written = other
        .create(
            &bron::hub::Viewer::cli(),
            bron::hub::NewItem {
                type_name: "question".into(),
                fields: json!({"question": "Wie is de zandbakinspecteur van de gemeente?", "short_answer": "De gemeente."})
                    .as_object()
                    .unwrap()
                    .clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    other
        .publish(
            &bron::hub::Viewer::cli(),
            std::slice::from_ref(&written.item.id),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        search(&t, None, json!({"q": "zandbakinspecteur"})).await["totalCount"],
        0
    );
    t.hub.follow_store().await.unwrap();
    assert_eq!(
        search(&t, None, json!({"q": "zandbakinspecteur"})).await["totalCount"],
        1
    );

    // A rebuild gives the same documents.
    let index = t.hub.search_index().unwrap();
    let before = index.ids(bron::domain::Stage::Published).unwrap();
    t.hub.rebuild_index().await.unwrap();
    assert_eq!(index.ids(bron::domain::Stage::Published).unwrap(), before);
}

/// Every search is counted per channel and day, scrubbed of personal data
/// first; cached answers count too; editors read the figures.
#[tokio::test]
async fn searches_are_counted_scrubbed_and_shown_to_editors() {
    let t = searchable_hub().await;
    let editor = t.token(Role::Editor).await;
    let q = "query($q: String!, $c: String) { search(query: $q, channel: $c) { totalCount } }";
    for _ in 0..2 {
        // The second is answered from the response cache, and counted.
        t.ok(
            None,
            q,
            json!({"q": "Paspoort kwijt bsn 111222333", "c": "chatbot"}),
        )
        .await;
    }
    t.ok(
        None,
        q,
        json!({"q": "afval 1234 AB 56 mail jan@example.nl", "c": "web"}),
    )
    .await;
    t.ok(None, q, json!({"q": "qwertyuiopasdf"})).await;
    let e = t.err(None, q, json!({"q": "x", "c": "fax"})).await;
    assert!(
        e["message"].as_str().unwrap().contains("not a channel"),
        "{e}"
    );

    let stats = "query($c: String) { searchStats(channel: $c) { searches zeroResultSearches top { query searches zeroResults } zeroResults { query searches } } }";
    let e = t.err(None, stats, json!({})).await;
    assert_eq!(e["extensions"]["code"], "UNAUTHENTICATED");
    let all = t.ok(Some(&editor), stats, json!({})).await["searchStats"].clone();
    assert_eq!(all["searches"], 4, "{all}");
    assert_eq!(all["zeroResultSearches"], 1, "{all}");
    assert_eq!(
        all["top"][0],
        json!({"query": "paspoort kwijt bsn [bsn]", "searches": 2, "zeroResults": 0})
    );
    assert_eq!(all["zeroResults"][0]["query"], "qwertyuiopasdf");
    let text = all.to_string();
    assert!(text.contains("afval [adres] mail [e-mail]"), "{text}");
    let chatbot = t.ok(Some(&editor), stats, json!({"c": "chatbot"})).await["searchStats"].clone();
    assert_eq!(chatbot["searches"], 2);

    // Nothing personal reached the database file.
    t.hub.flush_search_stats().await.unwrap();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(t.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    let stored = String::from_utf8_lossy(&bytes);
    for secret in ["111222333", "jan@example.nl", "1234 AB 56"] {
        assert!(!stored.contains(secret), "{secret} was stored");
    }
    assert!(stored.contains("paspoort kwijt bsn [bsn]"));
}

#[tokio::test]
async fn suggestions_complete_what_is_typed_from_live_names() {
    let t = searchable_hub().await;
    let editor = t.token(Role::Editor).await;
    let q = "query($p: String!, $d: Boolean, $t: [String!]) { suggest(prefix: $p, drafts: $d, types: $t) { text item { __typename slug } } }";
    let texts = |v: &Value| -> Vec<String> {
        v["suggest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap().to_string())
            .collect()
    };
    let r = t.ok(None, q, json!({"p": "paspoort aan"})).await;
    assert!(texts(&r).contains(&"Paspoort aanvragen".to_string()), "{r}");
    let r = t.ok(None, q, json!({"p": "rijbew"})).await;
    assert!(texts(&r).iter().any(|s| s.starts_with("Rijbewijs")), "{r}");
    // One typo in the part typed so far.
    let r = t.ok(None, q, json!({"p": "rijbwe"})).await;
    assert!(texts(&r).iter().any(|s| s.starts_with("Rijbewijs")), "{r}");
    let r = t
        .ok(None, q, json!({"p": "paspoort", "t": ["product"]}))
        .await;
    assert!(
        r["suggest"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["item"]["__typename"] == "Product")
    );
    assert_eq!(
        t.ok(None, q, json!({"p": "   "})).await["suggest"],
        json!([])
    );

    // A draft's name is suggested only to editors who ask for drafts.
    t.ok(
        Some(&editor),
        "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }",
        json!({"f": {"question": "Zwembadabonnement opzeggen, hoe?", "shortAnswer": "Concept."}}),
    )
    .await;
    assert_eq!(
        t.ok(None, q, json!({"p": "zwembadab"})).await["suggest"],
        json!([])
    );
    let drafts = t
        .ok(Some(&editor), q, json!({"p": "zwembadab", "d": true}))
        .await;
    assert_eq!(
        texts(&drafts),
        vec!["Zwembadabonnement opzeggen, hoe?".to_string()]
    );
}
