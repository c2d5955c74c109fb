//! Import and export: the example content, the Rijksoverheid VAC set,
//! export → import → export, and bad lines that write nothing.

use bron::hub::{Role, Viewer};
use bron::import::{ImportOptions, export_lines, import_path};
use serde_json::json;

use crate::support::{empty_hub, example_hub, repo, shared_data};

async fn export(t: &crate::support::TestHub) -> String {
    let rows = t.hub.export_rows(&Viewer::cli()).await.unwrap();
    export_lines(t.hub.model(), &rows).unwrap()
}

#[tokio::test]
async fn example_content_is_complete_and_clean() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let d = t
        .ok(
            Some(&editor),
            "{ products { totalCount } questions { totalCount } steps { totalCount } conditions { totalCount } facts { totalCount } }",
            json!({}),
        )
        .await;
    assert!(d["products"]["totalCount"].as_i64().unwrap() >= 15, "{d}");
    assert!(d["questions"]["totalCount"].as_i64().unwrap() >= 40, "{d}");
    assert!(d["steps"]["totalCount"].as_i64().unwrap() >= 20, "{d}");
    assert!(d["conditions"]["totalCount"].as_i64().unwrap() >= 10, "{d}");
    assert!(d["facts"]["totalCount"].as_i64().unwrap() >= 10, "{d}");
    let report = t.hub.check(&Viewer::cli(), "2026-11-23").await.unwrap();
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert!(
        !report.warnings.is_empty(),
        "the examples include a few stale review dates"
    );
}

#[tokio::test]
async fn export_import_export_is_identical() {
    let t = example_hub().await;
    let first = export(&t).await;
    let file = t.dir.path().join("export.jsonl");
    std::fs::write(&file, &first).unwrap();

    let u = empty_hub().await;
    let report = import_path(&u.hub, &Viewer::cli(), &file, ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.created, first.lines().count());
    assert_eq!(export(&u).await, first);

    // Importing the same file again changes nothing.
    let again = import_path(&u.hub, &Viewer::cli(), &file, ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.created, again.updated), (0, 0));
    assert_eq!(again.unchanged, first.lines().count());
}

#[tokio::test]
async fn a_bad_line_names_its_line_and_writes_nothing() {
    let t = empty_hub().await;
    let good = r#"{"type":"fact","slug":"a","locale":"nl","status":"published","fields":{"label":"A","value":"1"}}"#;
    let cases = [
        ("{not json", ":2:", "not a valid item line"),
        (
            r#"{"type":"widget","slug":"w","fields":{}}"#,
            ":2:",
            "unknown type `widget`",
        ),
        (
            r#"{"type":"fact","slug":"b","fields":{"label":"B"}}"#,
            ":2:",
            "fields.value",
        ),
        (
            r#"{"type":"fact","slug":"b","colour":"red","fields":{}}"#,
            ":2:",
            "unknown field `colour`",
        ),
        (
            r#"{"type":"fact","slug":"a","fields":{"label":"A","value":"2"}}"#,
            ":2:",
            "duplicate slug",
        ),
        (
            r#"{"type":"product","slug":"p","status":"published","fields":{"title":"P","summary":"S","steps":["nope"]}}"#,
            ":2:",
            "no step with slug `nope`",
        ),
        (
            r#"{"type":"fact","slug":"Bad Slug","fields":{"label":"B","value":"1"}}"#,
            ":2:",
            "not a valid slug",
        ),
    ];
    for (i, (bad, line, message)) in cases.iter().enumerate() {
        let file = t.dir.path().join(format!("bad-{i}.jsonl"));
        std::fs::write(&file, format!("{good}\n{bad}\n")).unwrap();
        let err = import_path(&t.hub, &Viewer::cli(), &file, ImportOptions::default())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.code(), "IMPORT_FAILED", "{text}");
        assert!(
            text.contains(line) && text.contains(message),
            "case {i}: {text}"
        );
        assert_eq!(
            t.hub.item_count().await.unwrap(),
            0,
            "case {i} wrote something"
        );
    }
}

#[tokio::test]
async fn a_published_item_may_not_point_at_a_draft_in_an_import() {
    let t = empty_hub().await;
    let file = t.dir.path().join("refs.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"type":"step","slug":"s","status":"draft","fields":{"title":"S","instruction":"Doe het."}}"#, "\n",
            r#"{"type":"product","slug":"p","status":"published","fields":{"title":"P","summary":"S","steps":["s"]}}"#, "\n",
        ),
    )
    .unwrap();
    let err = import_path(&t.hub, &Viewer::cli(), &file, ImportOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("refs.jsonl:2:") && err.to_string().contains("is draft"),
        "{err}"
    );
    assert_eq!(t.hub.item_count().await.unwrap(), 0);
}

#[tokio::test]
async fn the_rijksoverheid_questions_import_with_their_external_ids() {
    let path = shared_data("rijksoverheid-vac/rijksoverheid_vacs_raw.jsonl");
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let t = empty_hub().await;
    let opts = ImportOptions {
        publish_foreign: true,
    };
    let report = import_path(&t.hub, &Viewer::cli(), &path, opts)
        .await
        .unwrap();
    // 180 records, of which one UUID occurs twice (the same question in two subsets).
    assert_eq!(report.created, 179);

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let q = "query($e: String!) { question(externalId: $e) { question shortAnswer answer themes departments sourceUrl status } }";
    for v in [&lines[0], &lines[57], &lines[179]] {
        let d = t.ok(None, q, json!({"e": v["id"]})).await;
        let item = &d["question"];
        assert_eq!(item["question"], v["question"]);
        assert_eq!(item["status"], "PUBLISHED");
        assert_eq!(item["sourceUrl"], v["canonical"]);
        assert_eq!(item["themes"], v["subjects"]);
        let answer = item["answer"].as_str().unwrap();
        assert!(
            !answer.contains("<p>") && !answer.contains("</"),
            "HTML left in: {answer}"
        );
        if let Some(title) = v["content"][0]["paragraphtitle"]
            .as_str()
            .filter(|t| !t.is_empty())
        {
            assert!(answer.contains(&format!("## {title}")), "{answer}");
        }
        assert!(!item["shortAnswer"].as_str().unwrap().is_empty());
    }
    // A link in the source HTML becomes a Markdown link.
    let first = t.ok(None, q, json!({"e": lines[0]["id"]})).await;
    assert!(
        first["question"]["answer"]
            .as_str()
            .unwrap()
            .contains("](https://"),
        "{first}"
    );

    // Re-importing updates in place: still 180 questions.
    let again = import_path(&t.hub, &Viewer::cli(), &path, opts)
        .await
        .unwrap();
    assert_eq!(again.created, 0);
    let d = t.ok(None, "{ questions { totalCount } }", json!({})).await;
    assert_eq!(d["questions"]["totalCount"], 179);
}

#[test]
fn the_import_format_is_documented() {
    let doc = std::fs::read_to_string(repo().join("docs/import-format.md")).unwrap();
    for key in [
        "\"type\"",
        "\"slug\"",
        "\"locale\"",
        "\"status\"",
        "\"external_id\"",
        "\"review_by\"",
        "\"fields\"",
    ] {
        assert!(
            doc.contains(key),
            "docs/import-format.md does not mention {key}"
        );
    }
}

#[tokio::test]
async fn a_changed_import_updates_items_with_revisions_edges_and_live_content() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let page = r#"{ product(slug: "paspoort-aanvragen") { version summary steps { slug } } }"#;
    let before = t.ok(None, page, json!({})).await;
    let steps: Vec<String> = before["product"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap().to_string())
        .collect();
    assert!(steps.len() >= 2);
    // The same product with a new summary, its first step dropped, and one
    // draft step sent to draft (it is referenced by nothing else).
    let mut line: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(repo().join("examples/content/products.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    line["fields"]["summary"] = json!("Een nieuwe samenvatting uit de import.");
    line["fields"]["steps"] = json!(steps[1..]);
    let file = t.dir.path().join("change.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let report = import_path(&t.hub, &Viewer::cli(), &file, ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 1, 0)
    );

    let after = t.ok(None, page, json!({})).await;
    assert_eq!(
        after["product"]["version"],
        before["product"]["version"].as_i64().unwrap() + 1
    );
    assert_eq!(
        after["product"]["summary"],
        "Een nieuwe samenvatting uit de import."
    );
    assert_eq!(
        after["product"]["steps"].as_array().unwrap().len(),
        steps.len() - 1
    );
    let id = t
        .ok(
            None,
            r#"{ product(slug: "paspoort-aanvragen") { id } }"#,
            json!({}),
        )
        .await;
    let revs = t
        .ok(
            Some(&editor),
            "query($id: ID!) { item(id: $id) { revisions { version message } } }",
            json!({"id": id["product"]["id"]}),
        )
        .await;
    assert_eq!(revs["item"]["revisions"][0]["message"], "import");
    // The dropped step is no longer referenced (both stages), so it can go offline.
    let step_id = t
        .ok(
            None,
            "query($s: String!) { step(slug: $s) { id } }",
            json!({"s": steps[0]}),
        )
        .await["step"]["id"]
        .clone();
    let referenced_elsewhere = t
        .ok(
            Some(&editor),
            "{ products(first: 100) { nodes { steps { id } } } }",
            json!({}),
        )
        .await
        .to_string()
        .contains(step_id.as_str().unwrap());
    if !referenced_elsewhere {
        let publisher = t.token(Role::Publisher).await;
        t.ok(
            Some(&publisher),
            "mutation($ids: [ID!]!) { unpublish(ids: $ids) { changeSeq } }",
            json!({"ids": [step_id]}),
        )
        .await;
    }
    // The store's own lint agrees with what was written.
    let report = t.hub.check(&Viewer::cli(), "2026-11-23").await.unwrap();
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
}

/// A re-import rewrites reference edges only where they change. The risky
/// case: the live snapshot points at steps the latest content no longer
/// does, and the import (same references as the latest content) goes live:
/// the live edges must follow, or the dropped step stays pinned.
#[tokio::test]
async fn a_re_import_that_goes_live_brings_the_live_references_along() {
    let t = empty_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let step = |slug: &str| {
        json!({"type": "step", "slug": slug, "status": "published",
               "fields": {"title": slug, "instruction": "Doe dit."}})
    };
    let product = |summary: &str, steps: &[&str]| {
        json!({"type": "product", "slug": "verhuizen", "status": "published",
               "fields": {"title": "Verhuizen", "summary": summary, "steps": steps}})
    };
    let file = t.dir.path().join("lines.jsonl");
    let write = |lines: &[serde_json::Value]| {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&file, text).unwrap();
    };
    write(&[
        step("stap-a"),
        step("stap-b"),
        product("Eerst.", &["stap-a", "stap-b"]),
    ]);
    import_path(&t.hub, &Viewer::cli(), &file, ImportOptions::default())
        .await
        .unwrap();

    // An editor drops step b in a draft; the live product still shows it.
    let ids = t
        .ok(
            None,
            r#"{ product(slug: "verhuizen") { id steps { id slug } } }"#,
            json!({}),
        )
        .await;
    let pid = ids["product"]["id"].as_str().unwrap().to_string();
    let a = ids["product"]["steps"][0]["id"].clone();
    let b = ids["product"]["steps"][1]["id"].clone();
    t.ok(
        Some(&publisher),
        "mutation($id: ID!, $s: [ID!]) { updateProduct(id: $id, version: 1, fields: {steps: $s}) { item { version } } }",
        json!({"id": pid, "s": [a]}),
    )
    .await;
    let unpublish = "mutation($ids: [ID!]!) { unpublish(ids: $ids) { changeSeq } }";
    let pinned = t
        .err(Some(&publisher), unpublish, json!({"ids": [b]}))
        .await;
    assert_eq!(pinned["extensions"]["code"], "STILL_REFERENCED", "{pinned}");

    // The import carries the latest references and a new summary, and goes live.
    write(&[product("Daarna.", &["stap-a"])]);
    let report = import_path(&t.hub, &Viewer::cli(), &file, ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.updated, 1);
    let live = t
        .ok(
            None,
            r#"{ product(slug: "verhuizen") { summary steps { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        live["product"],
        json!({"summary": "Daarna.", "steps": [{"slug": "stap-a"}]})
    );
    // Step b is referenced by nothing live any more: it may go offline.
    t.ok(Some(&publisher), unpublish, json!({"ids": [b]})).await;
    let report = t.hub.check(&Viewer::cli(), "2026-11-23").await.unwrap();
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
}
