//! The change feed as a polling client reads it: what the public sees,
//! what editors see, and the items changed through an entry.

use serde_json::{Value, json};

use bron::hub::Role;

use crate::support::{code, example_hub};

#[tokio::test]
async fn the_change_feed_shows_the_public_what_changed_and_through_what() {
    let t = example_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let editor = t.token(Role::Editor).await;
    let since = t.hub.seq();
    // A draft (not public) and a fact change (public).
    t.ok(
        Some(&editor),
        "mutation { createStep(fields: {title: \"Concept\", instruction: \"Nog niet af.\"}) { item { id } } }",
        json!({}),
    )
    .await;
    t.set_fact(&publisher, "bezwaartermijn", "elf weken").await;
    let feed = "query($since: Int, $events: [ChangeEvent!]) { changes(since: $since, events: $events) {
        seq action event actor detail itemType item { ... on Fact { slug value } } affected { __typename id } few: affected(first: 2) { id } } }";
    let public = t.ok(None, feed, json!({"since": since})).await;
    let entries = public["changes"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{public}");
    let e = &entries[0];
    assert_eq!(e["event"], "PUBLISHED");
    assert_eq!(e["itemType"], "fact");
    assert_eq!(e["item"]["value"], "elf weken");
    assert_eq!(e["actor"], Value::Null);
    let affected = e["affected"].as_array().unwrap();
    assert!((10..=50).contains(&affected.len()), "{}", affected.len());
    assert_eq!(affected[0]["__typename"], "Product");
    assert_eq!(e["few"].as_array().unwrap().len(), 2);
    // Polling on from the last entry seen: nothing new, nothing skipped.
    let next = t.ok(None, feed, json!({"since": e["seq"]})).await;
    assert_eq!(next["changes"], json!([]));
    // Drafts are for editors only.
    let err = t
        .err(None, feed, json!({"since": since, "events": ["CREATED"]}))
        .await;
    assert_eq!(code(&err), "UNAUTHENTICATED");
    let all = t.ok(Some(&editor), feed, json!({"since": since})).await;
    let events: Vec<&str> = all["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["event"].as_str().unwrap_or("-"))
        .collect();
    // setFact saves the new value, then publishes it.
    assert_eq!(events, ["CREATED", "UPDATED", "PUBLISHED"]);
    assert!(all["changes"][0]["actor"].is_string());
    // The older argument name still works.
    let old = t
        .ok(
            Some(&editor),
            "query($a: Int) { changes(after: $a) { seq } }",
            json!({"a": since}),
        )
        .await;
    assert_eq!(old["changes"].as_array().unwrap().len(), 3);
}
