//! Object identification and precise types, as front-end clients rely on
//! them: `node`/`nodes` obey the caller's role like `item`, `nodes` is
//! bounded, `deleteItem` says what to evict, required fields are non-null
//! (and an item saved before the model required one says so), and create
//! and update take inputs of their own.

use std::sync::Arc;

use bron::graphql::Api;
use bron::hub::{Hub, Role};
use bron::model::ContentModel;
use bron::store::Store;
use serde_json::{Value, json};

use crate::support::{TestHub, code, empty_hub, repo};

const CREATE: &str =
    "mutation($f: ProductCreateFields!) { createProduct(fields: $f) { item { id } } }";
const PUBLISH: &str = "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }";
const NODE: &str =
    "query($id: ID!) { node(id: $id) { __typename id ... on Product { title summary } } }";
const NODES: &str =
    "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Item { slug status } } }";

async fn product(t: &TestHub, editor: &str, title: &str) -> String {
    let f = json!({ "title": title, "summary": "Kort antwoord." });
    let d = t.ok(Some(editor), CREATE, json!({ "f": f })).await;
    d["createProduct"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn node_finds_an_item_by_id_as_its_role_may_see_it() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let live = product(&t, &editor, "Paspoort aanvragen").await;
    let draft = product(&t, &editor, "Nog geheim").await;
    t.ok(Some(&publisher), PUBLISH, json!({ "ids": [live] }))
        .await;

    let d = t.ok(None, NODE, json!({ "id": live })).await;
    assert_eq!(d["node"]["__typename"], "Product");
    assert_eq!(d["node"]["id"], live.as_str());
    assert_eq!(d["node"]["title"], "Paspoort aanvragen");
    // A draft is null for the public, exactly like an id nobody has: its
    // existence is not given away, and no error says more.
    for id in [draft.as_str(), "0190aaaa-0000-7000-8000-000000000000"] {
        let (_, body) = t.post(None, NODE, json!({ "id": id })).await;
        assert_eq!(body, json!({ "data": { "node": null } }), "{id}");
    }
    // The editor sees the draft, as `item` and `product(id:)` show it.
    let d = t.ok(Some(&editor), NODE, json!({ "id": draft })).await;
    assert_eq!(d["node"]["title"], "Nog geheim");
    let item = t
        .ok(
            None,
            "query($id: ID!) { item(id: $id) { id } }",
            json!({ "id": draft }),
        )
        .await;
    assert!(item["item"].is_null());

    // `nodes`: in the order asked, a null per unknown or invisible id.
    let ids = json!([draft, live, "onbekend", live]);
    let d = t.ok(None, NODES, json!({ "ids": ids })).await;
    let list = d["nodes"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert!(list[0].is_null() && list[2].is_null());
    assert_eq!(list[1]["id"], live.as_str());
    assert_eq!(list[1]["status"], "PUBLISHED");
    assert_eq!(list[3], list[1]);
    let d = t.ok(Some(&editor), NODES, json!({ "ids": ids })).await;
    assert_eq!(d["nodes"][0]["status"], "DRAFT");
    let d = t.ok(None, NODES, json!({ "ids": [] })).await;
    assert_eq!(d["nodes"], json!([]));
}

#[tokio::test]
async fn nodes_is_bounded_and_costed() {
    let t = empty_hub().await;
    let ids: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let err = t.err(None, NODES, json!({ "ids": ids })).await;
    assert_eq!(code(&err), "TOO_MANY_IDS", "{err}");
    assert_eq!(err["extensions"]["limit"], 100);
    assert_eq!(err["extensions"]["count"], 101);
    assert_eq!(err["path"], json!(["nodes"]));
    let d = t.ok(None, NODES, json!({ "ids": &ids[..100] })).await;
    assert_eq!(d["nodes"].as_array().unwrap().len(), 100);

    // The cost walk multiplies what is selected below `nodes` by its ids.
    let deep = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Product { relatedProducts { relatedProducts { title summary } } } } }";
    let err = t.err(None, deep, json!({ "ids": &ids[..100] })).await;
    assert_eq!(code(&err), "QUERY_TOO_EXPENSIVE", "{err}");
    let one = t.ok(None, deep, json!({ "ids": ["x"] })).await;
    assert_eq!(one["nodes"], json!([null]));
}

#[tokio::test]
async fn delete_item_returns_what_a_cache_evicts() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let id = product(&t, &editor, "Weg ermee").await;
    let q = "mutation($id: ID!) { deleteItem(id: $id) { id typename type changeSeq } }";
    let d = t.ok(Some(&editor), q, json!({ "id": id })).await;
    let del = &d["deleteItem"];
    assert_eq!(del["id"], id.as_str());
    assert_eq!(del["typename"], "Product");
    assert_eq!(del["type"], "product");
    assert!(del["changeSeq"].as_i64().unwrap() > 0);
    let d = t.ok(Some(&editor), NODE, json!({ "id": id })).await;
    assert!(d["node"].is_null());
}

#[tokio::test]
async fn create_and_update_take_their_own_inputs() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    // Create: required fields are non-null in the input type.
    let q = "{ __type(name: \"ProductCreateFields\") { inputFields { name type { kind name } } } }";
    let d = t.ok(None, q, json!({})).await;
    let kind = |d: &Value, name: &str| {
        d["__type"]["inputFields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["type"]["kind"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(kind(&d, "title"), "NON_NULL");
    assert_eq!(kind(&d, "summary"), "NON_NULL");
    assert_eq!(kind(&d, "introduction"), "SCALAR");
    // Update: every field optional; only what is given changes.
    let q = "{ __type(name: \"ProductUpdateFields\") { inputFields { name type { kind name } } } }";
    let d = t.ok(None, q, json!({})).await;
    assert_eq!(kind(&d, "title"), "SCALAR");
    let id = product(&t, &editor, "Paspoort").await;
    let upd = "mutation($id: ID!, $f: ProductUpdateFields) { updateProduct(id: $id, version: 1, fields: $f) { item { title summary version } } }";
    let d = t
        .ok(
            Some(&editor),
            upd,
            json!({ "id": id, "f": { "title": "Paspoort (nieuw)" } }),
        )
        .await;
    let item = &d["updateProduct"]["item"];
    assert_eq!(item["title"], "Paspoort (nieuw)");
    assert_eq!(item["summary"], "Kort antwoord.");
    assert_eq!(item["version"], 2);
    // The old single input type is gone.
    let d = t
        .ok(
            None,
            "{ __type(name: \"ProductFields\") { name } }",
            json!({}),
        )
        .await;
    assert!(d["__type"].is_null());
}

#[tokio::test]
async fn required_fields_are_non_null_where_nothing_can_hide_them() {
    let t = empty_hub().await;
    let q = "{ __type(name: \"Product\") { interfaces { name } fields { name type { kind } } } }";
    let d = t.ok(None, q, json!({})).await;
    let interfaces: Vec<&str> = d["__type"]["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(interfaces, ["Node", "Item"]);
    let kind = |name: &str| {
        d["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["type"]["kind"].as_str().unwrap().to_string())
            .unwrap()
    };
    // Required and shown everywhere: non-null.
    assert_eq!(kind("title"), "NON_NULL");
    assert_eq!(kind("summary"), "NON_NULL");
    // Optional, or internal to the KCC (removed for the public): nullable.
    assert_eq!(kind("introduction"), "SCALAR");
    assert_eq!(kind("deskMemo"), "SCALAR");
    let sdl = std::fs::read_to_string(repo().join("schema/schema.graphql")).unwrap();
    assert!(sdl.contains("interface Item implements Node {"));
    assert!(sdl.contains("@specifiedBy(url: \"https://www.rfc-editor.org/rfc/rfc3339"));
}

/// A model that requires a field the stored items were saved without: the
/// item answers CONTENT_OUT_OF_DATE for it, never a silent null.
#[tokio::test]
async fn an_item_saved_before_a_field_was_required_says_so() {
    let t = empty_hub().await;
    let editor = t.token(Role::Editor).await;
    let id = product(&t, &editor, "Oud product").await;

    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("content-model")).unwrap() {
        let path = entry.unwrap().path();
        let to = dir.path().join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir(&to).unwrap();
            for f in std::fs::read_dir(&path).unwrap() {
                let f = f.unwrap().path();
                std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        } else {
            std::fs::copy(&path, &to).unwrap();
        }
    }
    let file = dir.path().join("product.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replacen(
        "name = \"upl_name\"\nkind = \"text\"",
        "name = \"upl_name\"\nkind = \"text\"\nrequired = true",
        1,
    );
    std::fs::write(&file, text).unwrap();
    let model = ContentModel::load(dir.path()).unwrap();
    let store = Store::open(&t.dir.path().join("bron.db")).await.unwrap();
    let hub = Arc::new(Hub::new(Arc::new(model), store).await.unwrap());
    let later = TestHub {
        app: bron::http::app(Arc::new(Api::new(hub.clone()).unwrap())),
        hub,
        dir: tempfile::tempdir().unwrap(),
    };
    let token = later.token(Role::Editor).await;
    let q = "query($id: ID!) { product(id: $id) { title uplName } }";
    let err = later.err(Some(&token), q, json!({ "id": id })).await;
    assert_eq!(code(&err), "CONTENT_OUT_OF_DATE", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("bron check"),
        "{err}"
    );
}
