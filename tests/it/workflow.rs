//! The publishing workflow end to end: drafts, revisions, publish with
//! unpublished changes, revert, schedules carried out by the running server,
//! lists with filters, sorting and cursors, facts and the change log.

use std::time::Duration;

use bron::hub::{Role, Viewer};
use serde_json::{Value, json};

use crate::support::{TestHub, code, empty_hub, example_hub};

const CREATE_STEP: &str = r#"mutation($f: StepCreateFields!, $slug: String) {
  createStep(fields: $f, slug: $slug) { item { id version status slug } changeSeq }
}"#;

async fn create_step(t: &TestHub, token: &str, title: &str) -> (String, i64) {
    let d = t
        .ok(
            Some(token),
            CREATE_STEP,
            json!({"f": {"title": title, "instruction": "Doe dit."}}),
        )
        .await;
    let item = &d["createStep"]["item"];
    (
        item["id"].as_str().unwrap().to_string(),
        d["createStep"]["changeSeq"].as_i64().unwrap(),
    )
}

/// Creates a draft product that refers to `steps`; returns its id.
async fn create_product(t: &TestHub, token: &str, title: &str, steps: &[&str]) -> String {
    let d = t
        .ok(
            Some(token),
            "mutation($t: String!, $s: [ID!]) { createProduct(fields: {title: $t, summary: \"Kort.\", steps: $s}) { item { id } } }",
            json!({"t": title, "s": steps}),
        )
        .await;
    d["createProduct"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A second hub on the server's database file: `bron` run from the command
/// line (or another node) while the server runs.
pub(crate) async fn other_process(server: &TestHub) -> bron::hub::Hub {
    let model =
        bron::model::ContentModel::load(&crate::support::repo().join("content-model")).unwrap();
    let store = bron::store::Store::open(&server.dir.path().join("bron.db"))
        .await
        .unwrap();
    bron::hub::Hub::new(std::sync::Arc::new(model), store)
        .await
        .unwrap()
}

#[tokio::test]
async fn edit_publish_edit_keeps_the_live_version_until_republished() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (id, seq1) = create_step(&t, &editor, "Maak een afspraak").await;

    let publish =
        "mutation($ids: [ID!]!) { publish(ids: $ids) { items { status version } changeSeq } }";
    let d = t.ok(Some(&publisher), publish, json!({"ids": [id]})).await;
    assert_eq!(d["publish"]["items"][0]["status"], "PUBLISHED");
    let seq2 = d["publish"]["changeSeq"].as_i64().unwrap();
    assert!(seq2 > seq1, "the change log grows: {seq1} -> {seq2}");

    let update = r#"mutation($id: ID!, $v: Int!) {
      updateStep(id: $id, version: $v, fields: {title: "Maak online een afspraak"}, message: "duidelijker") {
        item { version hasUnpublishedChanges title } } }"#;
    let d = t.ok(Some(&editor), update, json!({"id": id, "v": 1})).await;
    assert_eq!(d["updateStep"]["item"]["version"], 2);
    assert_eq!(d["updateStep"]["item"]["hasUnpublishedChanges"], true);

    // The public still sees version 1, the editor sees version 2.
    let read = "query($id: ID!) { step(id: $id) { title version } }";
    let public = t.ok(None, read, json!({"id": id})).await;
    assert_eq!(public["step"]["title"], "Maak een afspraak");
    let draft = t.ok(Some(&editor), read, json!({"id": id})).await;
    assert_eq!(draft["step"]["title"], "Maak online een afspraak");

    t.ok(Some(&publisher), publish, json!({"ids": [id]})).await;
    let public = t.ok(None, read, json!({"id": id})).await;
    assert_eq!(public["step"]["title"], "Maak online een afspraak");

    // Revisions are kept, newest first, with author and message.
    let revs = t
        .ok(
            Some(&editor),
            "query($id: ID!) { step(id: $id) { revisions { version author message content } } }",
            json!({"id": id}),
        )
        .await;
    let revs = revs["step"]["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0]["version"], 2);
    assert_eq!(revs[0]["message"], "duidelijker");
    assert!(revs[0]["author"].as_str().unwrap().starts_with("editor"));
    assert_eq!(revs[1]["content"]["fields"]["title"], "Maak een afspraak");

    // Anonymous callers cannot read revisions.
    let e = t
        .err(
            None,
            "query($id: ID!) { step(id: $id) { revisions { version } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
}

#[tokio::test]
async fn revert_makes_an_old_revision_the_newest() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let (id, _) = create_step(&t, &editor, "Eerste titel").await;
    let update = "mutation($id: ID!, $v: Int!, $t: String) { updateStep(id: $id, version: $v, fields: {title: $t, duration: \"5 minuten\"}) { item { version } } }";
    t.ok(
        Some(&editor),
        update,
        json!({"id": id, "v": 1, "t": "Tweede titel"}),
    )
    .await;
    let revert = "mutation($id: ID!) { revert(id: $id, version: 2, toVersion: 1) { item { version ... on Step { title duration } } } }";
    let d = t.ok(Some(&editor), revert, json!({"id": id})).await;
    assert_eq!(d["revert"]["item"]["version"], 3);
    assert_eq!(d["revert"]["item"]["title"], "Eerste titel");
    assert_eq!(
        d["revert"]["item"]["duration"],
        Value::Null,
        "fields added later are cleared"
    );
    // A stale version is refused and changes nothing.
    let e = t.err(Some(&editor), revert, json!({"id": id})).await;
    assert_eq!(code(&e), "VERSION_CONFLICT");
    let e = t
        .err(
            Some(&editor),
            "mutation($id: ID!) { revert(id: $id, version: 3, toVersion: 9) { item { id } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
}

#[tokio::test]
async fn schedules_are_carried_out_and_failures_reported() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (id, _) = create_step(&t, &editor, "Tijdelijke maatregel").await;
    let schedule = "mutation($id: ID!, $p: DateTime, $u: DateTime) { schedule(id: $id, publishAt: $p, unpublishAt: $u) { item { publishAt unpublishAt } } }";
    let e = t
        .err(
            Some(&editor),
            schedule,
            json!({"id": id, "p": "2026-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(code(&e), "FORBIDDEN");
    let e = t
        .err(
            Some(&publisher),
            schedule,
            json!({"id": id, "p": "2026-01-02T00:00:00Z", "u": "2026-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");

    let now = bron::hub::now_ms();
    let p = bron::hub::ms_to_datetime(now - 1000);
    let u = bron::hub::ms_to_datetime(now + 60_000);
    let d = t
        .ok(
            Some(&publisher),
            schedule,
            json!({"id": id, "p": p, "u": u}),
        )
        .await;
    assert_eq!(d["schedule"]["item"]["publishAt"], p);
    assert_eq!(t.hub.run_due_schedules(now).await.unwrap(), 1);
    let read = "query($id: ID!) { step(id: $id) { status publishAt unpublishAt } }";
    let public = t.ok(None, read, json!({"id": id})).await;
    assert_eq!(public["step"]["status"], "PUBLISHED");
    assert_eq!(public["step"]["publishAt"], Value::Null);
    // The end date takes it offline by itself.
    assert_eq!(t.hub.run_due_schedules(now + 61_000).await.unwrap(), 1);
    assert_eq!(
        t.ok(None, read, json!({"id": id})).await["step"],
        Value::Null
    );

    // A product whose step is a draft cannot go live on schedule: the reason is kept.
    let (step, _) = create_step(&t, &editor, "Concept").await;
    let product = create_product(&t, &editor, "Gepland", &[&step]).await;
    t.ok(Some(&publisher), schedule, json!({"id": product, "p": p}))
        .await;
    assert_eq!(t.hub.run_due_schedules(now).await.unwrap(), 0);
    let d = t
        .ok(
            Some(&editor),
            "query($id: ID!) { product(id: $id) { status publishAt scheduleError } }",
            json!({"id": product}),
        )
        .await;
    assert_eq!(d["product"]["status"], "DRAFT");
    assert_eq!(d["product"]["publishAt"], Value::Null);
    assert!(
        d["product"]["scheduleError"]
            .as_str()
            .unwrap()
            .contains("Concept")
            || d["product"]["scheduleError"]
                .as_str()
                .unwrap()
                .contains("concept")
    );
}

#[tokio::test]
async fn the_running_server_publishes_on_schedule() {
    let t = empty_hub().await;
    let (id, _) = {
        let editor = t.token(Role::Editor).await;
        create_step(&t, &editor, "Om middernacht live").await
    };
    let at = bron::hub::now_ms() + 1500;
    t.hub
        .schedule(&Viewer::cli(), &id, Some(at), None)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scheduler = bron::server::spawn_scheduler(t.hub.clone(), stopped);
    let read = "query($id: ID!) { step(id: $id) { status } }";
    let mut live = false;
    for _ in 0..50 {
        if t.ok(None, read, json!({"id": id})).await["step"]["status"] == "PUBLISHED" {
            live = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Asked to stop, it finishes its round and ends on its own.
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), scheduler)
        .await
        .expect("the scheduler stops when asked")
        .unwrap();
    assert!(live, "the scheduler did not publish within 5 s");
}

#[tokio::test]
async fn lists_filter_sort_and_page_with_cursors() {
    let t = example_hub().await;
    let all = "query($after: String, $before: String, $first: Int, $last: Int) {
      products(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let slugs = |d: &Value| -> Vec<String> {
        d["products"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
            .collect()
    };
    let page1 = t.ok(None, all, json!({"first": 5})).await;
    let total = page1["products"]["totalCount"].as_i64().unwrap();
    assert!(total >= 15, "{total}");
    let mut seen = slugs(&page1);
    let mut after = page1["products"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_string();
    loop {
        let page = t.ok(None, all, json!({"first": 5, "after": after})).await;
        assert_eq!(page["products"]["pageInfo"]["hasPreviousPage"], true);
        seen.extend(slugs(&page));
        if page["products"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["products"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap()
            .to_string();
    }
    assert_eq!(seen.len() as i64, total, "every item once");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "by slug by default");

    // Backwards from the end gives the same last items.
    let last = t.ok(None, all, json!({"last": 3})).await;
    assert_eq!(slugs(&last), seen[seen.len() - 3..].to_vec());
    assert_eq!(last["products"]["pageInfo"]["hasPreviousPage"], true);
    let before = last["products"]["pageInfo"]["startCursor"]
        .as_str()
        .unwrap();
    let prev = t.ok(None, all, json!({"last": 2, "before": before})).await;
    assert_eq!(slugs(&prev), seen[seen.len() - 5..seen.len() - 3].to_vec());

    // Filters: field equality, list contains, status, updated since.
    let q = "query($f: ProductFilter, $o: ProductOrder) { products(filter: $f, orderBy: $o, first: 100) { totalCount nodes { slug title ownerTeam audience } } }";
    let d = t
        .ok(None, q, json!({"f": {"ownerTeam": "Burgerzaken"}}))
        .await;
    let nodes = d["products"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    assert!(nodes.iter().all(|n| n["ownerTeam"] == "Burgerzaken"));
    let d = t.ok(None, q, json!({"f": {"audience": "BEDRIJF"}})).await;
    assert!(d["products"]["nodes"].as_array().unwrap().iter().all(|n| {
        n["audience"]
            .as_array()
            .unwrap()
            .contains(&json!("BEDRIJF"))
    }));
    let d = t
        .ok(
            None,
            q,
            json!({"f": {"updatedSince": "2999-01-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(d["products"]["totalCount"], 0);
    let d = t
        .ok(
            None,
            q,
            json!({"o": {"field": "TITLE", "direction": "DESC"}}),
        )
        .await;
    let titles: Vec<String> = d["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect();
    let mut desc = titles.clone();
    desc.sort_by(|a, b| b.cmp(a));
    assert_eq!(titles, desc);

    // A bad cursor or page size is a clear error.
    let e = t
        .err(None, all, json!({"first": 5, "after": "not-a-cursor"}))
        .await;
    assert_eq!(code(&e), "BAD_USER_INPUT");
    let e = t.err(None, all, json!({"first": 1000})).await;
    assert_eq!(code(&e), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_product_page_resolves_its_references_and_external_ids() {
    let t = example_hub().await;
    let q = r#"{ product(slug: "paspoort-aanvragen") { title steps { title } conditions { text rule } questions { question products { slug } } relatedProducts { slug } } }"#;
    let d = t.ok(None, q, json!({})).await;
    let p = &d["product"];
    assert_eq!(p["title"], "Paspoort aanvragen");
    assert!(p["steps"].as_array().unwrap().len() >= 2);
    assert!(
        p["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rule"].is_string())
    );
    let questions = p["questions"].as_array().unwrap();
    assert!(!questions.is_empty());
    assert!(questions.iter().all(|q| {
        q["products"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["slug"] == "paspoort-aanvragen")
    }));

    // External ids are queryable.
    let publisher = t.token(Role::Publisher).await;
    let d = t
        .ok(Some(&publisher), r#"mutation { createFact(fields: {label: "Test", value: "1"}, slug: "test-feit", externalId: "ext-42") { item { id } } }"#, json!({}))
        .await;
    let id = d["createFact"]["item"]["id"].clone();
    let d = t
        .ok(
            Some(&publisher),
            r#"{ fact(externalId: "ext-42") { id slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(d["fact"]["id"], id);
    let d = t
        .ok(
            Some(&publisher),
            r#"{ facts(filter: {externalId: "ext-42"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(d["facts"]["totalCount"], 1);
}

#[tokio::test]
async fn set_fact_changes_every_channel_at_once() {
    let t = example_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let q = r#"{ fact(slug: "paspoort-tarief-18-plus") { value amount version } }"#;
    let before = t.ok(None, q, json!({})).await;
    assert!(before["fact"]["value"].is_string(), "{before}");
    let d = t
        .ok(Some(&publisher), r#"mutation { setFact(slug: "paspoort-tarief-18-plus", value: "€ 90,00", amount: "90") { item { value amount status } changeSeq } }"#, json!({}))
        .await;
    assert_eq!(d["setFact"]["item"]["amount"], "90.00");
    assert_eq!(d["setFact"]["item"]["status"], "PUBLISHED");
    let after = t.ok(None, q, json!({})).await;
    assert_eq!(after["fact"]["value"], "€ 90,00");
    // Editors may not set facts.
    let editor = t.token(Role::Editor).await;
    let e = t
        .err(
            Some(&editor),
            r#"mutation { setFact(slug: "x", value: "1") { changeSeq } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "FORBIDDEN");
    // The change log records who did what.
    let d = t
        .ok(
            Some(&editor),
            "{ changes(after: 0, first: 1000) { seq action actor } }",
            json!({}),
        )
        .await;
    let changes = d["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["action"] == "publish"
                && c["actor"].as_str().unwrap().starts_with("publisher")),
        "{changes:?}"
    );
    let seqs: Vec<i64> = changes.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "sequence numbers increase"
    );
}

#[tokio::test]
async fn a_page_read_in_one_statement_respects_what_the_caller_may_see() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let (step, _) = create_step(&t, &editor, "Concept-stap").await;
    let product = create_product(&t, &editor, "Concept", &[&step]).await;
    let page = r#"{ product(slug: "concept") { title steps { title } } }"#;
    let by_id = "query($id: ID!) { product(id: $id) { title steps { title } } }";
    // The editor sees the draft with its draft step, by slug and by id.
    let d = t.ok(Some(&editor), page, json!({})).await;
    assert_eq!(d["product"]["steps"][0]["title"], "Concept-stap");
    let d = t.ok(Some(&editor), by_id, json!({"id": product})).await;
    assert_eq!(d["product"]["steps"][0]["title"], "Concept-stap");
    // The public sees nothing until both are published, then both.
    assert_eq!(t.ok(None, page, json!({})).await["product"], Value::Null);
    t.ok(
        Some(&publisher),
        "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }",
        json!({"ids": [product, step]}),
    )
    .await;
    let d = t.ok(None, page, json!({})).await;
    assert_eq!(d["product"]["steps"][0]["title"], "Concept-stap");
    // A step id asked for as a product is not a product.
    assert_eq!(
        t.ok(None, by_id, json!({"id": step})).await["product"],
        Value::Null
    );
}

#[tokio::test]
async fn writes_from_another_process_reach_the_cache_and_token_checks() {
    // Two hubs on one database file stand for `bron serve` and a `bron`
    // command (or another node) writing at the same time.
    let server = example_hub().await;
    let other = other_process(&server).await;

    let q = r#"{ fact(slug: "gemeente-telefoonnummer") { value } }"#;
    assert_ne!(
        server.ok(None, q, json!({})).await["fact"]["value"],
        "(0599) 99 99 99"
    );
    let token = server.token(Role::Editor).await;
    server
        .ok(Some(&token), "{ viewer { role } }", json!({}))
        .await;

    let mut fields = serde_json::Map::new();
    fields.insert("value".into(), json!("(0599) 99 99 99"));
    other
        .set_fact(
            &Viewer::cli(),
            "gemeente-telefoonnummer",
            "nl",
            fields,
            None,
        )
        .await
        .unwrap();
    let name = server
        .hub
        .tokens(&Viewer::cli())
        .await
        .unwrap()
        .last()
        .unwrap()
        .name
        .clone();
    other.revoke_token(&Viewer::cli(), &name).await.unwrap();

    // Once the server has followed the change log, it answers afresh and
    // refuses the revoked token.
    assert!(server.hub.follow_store().await.unwrap() > 0);
    assert_eq!(
        server.ok(None, q, json!({})).await["fact"]["value"],
        "(0599) 99 99 99"
    );
    let (status, _) = server
        .post(Some(&token), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(status, axum::http::StatusCode::UNAUTHORIZED);
    assert_eq!(
        server.hub.follow_store().await.unwrap(),
        0,
        "nothing new the second time"
    );
}

#[tokio::test]
async fn a_token_revoked_elsewhere_is_refused_even_after_the_server_wrote_past_it() {
    // The server's own writes move the change log past the revoke before the
    // follower runs; the follower must still apply the revoke.
    let server = example_hub().await;
    let other = other_process(&server).await;
    let victim = server.token(Role::Publisher).await;
    let writer = server.token(Role::Editor).await;
    server
        .ok(Some(&victim), "{ viewer { role } }", json!({}))
        .await;
    let name = server
        .hub
        .tokens(&Viewer::cli())
        .await
        .unwrap()
        .iter()
        .find(|t| t.role == "publisher")
        .unwrap()
        .name
        .clone();
    other.revoke_token(&Viewer::cli(), &name).await.unwrap();
    // The server writes before its follower runs.
    create_step(&server, &writer, "Na de intrekking").await;
    server.hub.follow_store().await.unwrap();
    let (status, body) = server
        .post(Some(&victim), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(status, axum::http::StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn anonymous_and_agent_callers_learn_nothing_of_unpublished_work() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let agent = t.token(Role::Agent).await;
    let (step, _) = create_step(&t, &editor, "Openbare stap").await;
    let product = create_product(&t, &editor, "Openbaar", &[&step]).await;
    t.ok(
        Some(&publisher),
        "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }",
        json!({"ids": [product, step]}),
    )
    .await;
    let read = r#"query($id: ID!) { product(id: $id) { version publishedVersion hasUnpublishedChanges
        updatedAt publishedAt publishAt unpublishAt scheduleError summary steps { title version updatedAt } } }"#;
    let list = r#"query($since: DateTime) {
        products(filter: {updatedSince: $since}, orderBy: {field: UPDATED_AT}) { totalCount nodes { version updatedAt } } }"#;
    let before = t.ok(None, read, json!({"id": product})).await;
    assert_eq!(before["product"]["hasUnpublishedChanges"], false);
    // Every change below comes after `since`.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let since = bron::hub::ms_to_datetime(bron::hub::now_ms());

    // Unpublished work: a draft edit, a reference to a draft step, a
    // scheduled re-publish that fails on that draft (its error names the
    // draft), and a scheduled unpublish.
    let (draft, _) = create_step(&t, &editor, "Geheime conceptstap").await;
    t.ok(
        Some(&editor),
        "mutation($id: ID!, $s: [ID!]) { updateProduct(id: $id, version: 1, fields: {summary: \"Nieuw, nog niet live.\", steps: $s}) { item { version } } }",
        json!({"id": product, "s": [step, draft]}),
    )
    .await;
    t.ok(
        Some(&editor),
        "mutation($id: ID!) { updateStep(id: $id, version: 1, fields: {title: \"Stap, bewerkt\"}) { item { version } } }",
        json!({"id": step}),
    )
    .await;
    let now = bron::hub::now_ms();
    let schedule = "mutation($id: ID!, $p: DateTime, $u: DateTime) { schedule(id: $id, publishAt: $p, unpublishAt: $u) { changeSeq } }";
    t.ok(
        Some(&publisher),
        schedule,
        json!({"id": product, "p": bron::hub::ms_to_datetime(now), "u": bron::hub::ms_to_datetime(now + 3_600_000)}),
    )
    .await;
    assert_eq!(t.hub.run_due_schedules(now + 1000).await.unwrap(), 0);
    let editor_view = t.ok(Some(&editor), read, json!({"id": product})).await;
    assert!(
        editor_view["product"]["scheduleError"]
            .as_str()
            .unwrap()
            .contains("geheime-conceptstap"),
        "{editor_view}"
    );
    assert_eq!(editor_view["product"]["hasUnpublishedChanges"], true);
    assert_eq!(
        t.ok(Some(&editor), list, json!({"since": since})).await["products"]["totalCount"],
        1
    );

    for caller in [None, Some(agent.as_str())] {
        let after = t.ok(caller, read, json!({"id": product})).await;
        assert_eq!(after, before, "the live view did not change");
        let p = &after["product"];
        assert_eq!(p["version"], 1);
        assert_eq!(p["updatedAt"], p["publishedAt"]);
        for field in ["publishAt", "unpublishAt", "scheduleError"] {
            assert_eq!(p[field], Value::Null, "{field}: {after}");
        }
        let since_then = t.ok(caller, list, json!({"since": since})).await;
        assert_eq!(since_then["products"]["totalCount"], 0, "{since_then}");
        assert_eq!(since_then["products"]["nodes"], json!([]));
        let all = t.ok(caller, list, json!({"since": null})).await;
        assert_eq!(all["products"]["nodes"][0]["version"], 1);
        let text = after.to_string() + &all.to_string();
        assert!(!text.contains("geheime") && !text.contains("nog niet live"));
    }
}

#[tokio::test]
async fn a_write_that_cannot_get_the_store_in_time_is_store_busy_and_changes_nothing() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    // Another process (an import, say) holds the store's write lock.
    let other = bron::store::Store::open(&t.dir.path().join("bron.db"))
        .await
        .unwrap();
    let held = other.begin().await.unwrap();
    let started = std::time::Instant::now();
    let err = t
        .err(
            Some(&editor),
            CREATE_STEP,
            json!({"f": {"title": "Wacht", "instruction": "Even."}}),
        )
        .await;
    assert_eq!(code(&err), "STORE_BUSY", "{err}");
    assert_eq!(err["extensions"]["retryAfterSeconds"], 1);
    assert!(err["message"].as_str().unwrap().contains("try again"));
    assert!(started.elapsed() < Duration::from_secs(15));
    drop(held);
    let editor_list = "{ steps(filter: {}) { totalCount } }";
    assert_eq!(
        t.ok(Some(&editor), editor_list, json!({})).await["steps"]["totalCount"],
        0,
        "nothing was written"
    );
    create_step(&t, &editor, "Nu wel").await;
}

#[tokio::test]
async fn slugs_are_transliterated_and_what_cannot_be_is_refused() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let create = r#"mutation($t: String!) { createStep(fields: {title: $t, instruction: "Doe dit."}) { item { slug } } }"#;
    for (title, slug) in [
        ("Straße en ĳsbaan", "strasse-en-ijsbaan"),
        ("Pa\u{301}spoort aanvragen", "paspoort-aanvragen"),
        ("P\u{430}spoort verlengen", "paspoort-verlengen"),
    ] {
        let d = t.ok(Some(&editor), create, json!({"t": title})).await;
        assert_eq!(d["createStep"]["item"]["slug"], slug, "{title}");
    }
    let err = t
        .err(Some(&editor), create, json!({"t": "Stap \u{294}"}))
        .await;
    assert_eq!(code(&err), "VALIDATION_FAILED", "{err}");
    assert_eq!(err["extensions"]["field"], "slug");
    assert!(err["message"].as_str().unwrap().contains("pass a slug"));
}

#[tokio::test]
async fn lists_and_single_lookups_share_one_default_locale() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let create = r#"mutation($t: String!, $l: String) { createStep(fields: {title: $t, instruction: "Doe dit."}, locale: $l) { item { id } } }"#;
    t.ok(Some(&editor), create, json!({"t": "Paspoort", "l": "nl"}))
        .await;
    t.ok(Some(&editor), create, json!({"t": "Passport", "l": "en"}))
        .await;
    let list = "query($l: String) { steps(filter: {locale: $l}) { totalCount nodes { locale } } }";
    let nl = t.ok(Some(&editor), list, json!({})).await;
    assert_eq!(nl["steps"]["totalCount"], 1);
    assert_eq!(nl["steps"]["nodes"][0]["locale"], "nl");
    let no_filter = t
        .ok(Some(&editor), "{ steps { totalCount } }", json!({}))
        .await;
    assert_eq!(no_filter["steps"]["totalCount"], 1);
    let en = t.ok(Some(&editor), list, json!({"l": "en"})).await;
    assert_eq!(en["steps"]["nodes"][0]["locale"], "en");
    let all = t.ok(Some(&editor), list, json!({"l": "*"})).await;
    assert_eq!(all["steps"]["totalCount"], 2);
    let one = t
        .ok(
            Some(&editor),
            r#"{ step(slug: "paspoort") { locale } }"#,
            json!({}),
        )
        .await;
    assert_eq!(one["step"]["locale"], "nl");
}

#[tokio::test]
async fn filter_values_are_checked_like_saved_values() {
    let t = example_hub().await;
    let err = t
        .err(
            None,
            r#"{ products(filter: {uplUri: "geen uri"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code(&err), "VALIDATION_FAILED", "{err}");
    assert_eq!(err["extensions"]["field"], "filter.uplUri", "{err}");
    // An amount that is not one is an error, not a silent empty list.
    let money = "query($a: Money) { facts(filter: {amount: $a}) { totalCount } }";
    let err = t.err(None, money, json!({"a": "abc"})).await;
    assert_eq!(code(&err), "VALIDATION_FAILED", "{err}");
    assert_eq!(err["extensions"]["field"], "filter.amount", "{err}");
    // A valid amount is normalised as on save: 84.7 finds "84.70".
    let stored = t
        .ok(
            None,
            "{ facts(first: 100) { nodes { amount } } }",
            json!({}),
        )
        .await;
    let amount = stored["facts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|n| {
            n["amount"]
                .as_str()
                .filter(|a| a.ends_with('0'))
                .map(String::from)
        })
        .expect("an example fact with an amount ending in 0");
    let short = amount
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string();
    let found = t.ok(None, money, json!({"a": short})).await;
    assert!(
        found["facts"]["totalCount"].as_i64().unwrap() >= 1,
        "{short}: {found}"
    );
}

/// A draft rename (slug, external id, review date) of a live item is
/// unpublished work too: the public keeps finding the item at its live
/// address, and learns the new keys only when the rename is published.
#[tokio::test]
async fn a_draft_rename_does_not_move_the_live_item() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let agent = t.token(Role::Agent).await;
    let (step, _) = create_step(&t, &editor, "Oude naam").await;
    t.ok(
        Some(&editor),
        "mutation($id: ID!) { updateStep(id: $id, version: 1, externalId: \"upl-1\", reviewBy: \"2027-01-01\") { item { version } } }",
        json!({"id": step}),
    )
    .await;
    let publish = "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }";
    t.ok(Some(&publisher), publish, json!({"ids": [step]}))
        .await;
    t.ok(
        Some(&editor),
        "mutation($id: ID!) { updateStep(id: $id, version: 2, slug: \"geheime-nieuwe-naam\", externalId: \"upl-2\", reviewBy: \"2028-02-02\") { item { slug } } }",
        json!({"id": step}),
    )
    .await;
    let by_slug = "query($s: String!) { step(slug: $s) { id slug externalId reviewBy } }";
    let by_ext = "query($e: String!) { step(externalId: $e) { id } }";
    let list = "{ steps { nodes { slug externalId reviewBy } } a: steps(filter: {externalId: \"upl-2\"}) { totalCount } }";
    for caller in [None, Some(agent.as_str())] {
        let live = t.ok(caller, by_slug, json!({"s": "oude-naam"})).await;
        assert_eq!(
            live["step"],
            json!({"id": step, "slug": "oude-naam", "externalId": "upl-1", "reviewBy": "2027-01-01"}),
        );
        let renamed = t
            .ok(caller, by_slug, json!({"s": "geheime-nieuwe-naam"}))
            .await;
        assert_eq!(renamed["step"], Value::Null, "{renamed}");
        assert_eq!(
            t.ok(caller, by_ext, json!({"e": "upl-1"})).await["step"]["id"],
            step
        );
        assert_eq!(
            t.ok(caller, by_ext, json!({"e": "upl-2"})).await["step"],
            Value::Null
        );
        let all = t.ok(caller, list, json!({})).await;
        assert_eq!(
            all["steps"]["nodes"],
            json!([{"slug": "oude-naam", "externalId": "upl-1", "reviewBy": "2027-01-01"}])
        );
        assert_eq!(all["a"]["totalCount"], 0);
    }
    // The editor works on the new keys.
    let draft = t
        .ok(Some(&editor), by_slug, json!({"s": "geheime-nieuwe-naam"}))
        .await;
    assert_eq!(draft["step"]["externalId"], "upl-2");

    // While the live item holds the old slug, another live item cannot take it.
    let (other, _) = create_step(&t, &editor, "Oude naam").await;
    let refused = t
        .err(Some(&publisher), publish, json!({"ids": [other]}))
        .await;
    assert_eq!(refused["extensions"]["code"], "DUPLICATE_SLUG", "{refused}");

    // Publishing the rename moves the live address.
    t.ok(Some(&publisher), publish, json!({"ids": [step]}))
        .await;
    let moved = t
        .ok(None, by_slug, json!({"s": "geheime-nieuwe-naam"}))
        .await;
    assert_eq!(moved["step"]["externalId"], "upl-2");
    assert_eq!(
        t.ok(None, by_slug, json!({"s": "oude-naam"})).await["step"],
        Value::Null
    );
    // Now the old slug is free for the other item.
    t.ok(Some(&publisher), publish, json!({"ids": [other]}))
        .await;
}
