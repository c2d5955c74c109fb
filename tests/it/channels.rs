//! Channel renderings through the GraphQL API, as a website, chatbot, KCC
//! and letter system ask for them: snapshots of all four channels, a fact
//! changed once and seen everywhere before the mutation returns, attacks in
//! Markdown that never reach web output, and per-channel visibility.

use bron::hub::Role;
use serde_json::{Value, json};

use crate::support::{TestHub, code, example_hub, searchable_hub};

const RENDER: &str = r#"query($slug: String!, $channel: Channel!, $vars: [MergeVariable!]) {
  product(slug: $slug) { rendered(channel: $channel, variables: $vars) {
    channel title summary html jsonLd jsonLdScript text truncated routing sensitive
    sections { field label body } routes { kind text url linkText note }
    followUps { kind typeName title } source { typeName slug title version reviewBy checkedOn }
    review { overdue text } mergeFields missingVariables missingFacts } } }"#;

const RENDER_QUESTION: &str = r#"query($slug: String!, $channel: Channel!) {
  question(slug: $slug) { rendered(channel: $channel) {
    channel title summary html jsonLd text truncated sections { field body }
    followUps { kind title } source { slug version } review { overdue text } } } }"#;

async fn rendered(t: &TestHub, token: Option<&str>, slug: &str, channel: &str) -> Value {
    let d = t
        .ok(token, RENDER, json!({ "slug": slug, "channel": channel }))
        .await;
    d["product"]["rendered"].clone()
}

/// Today's date in the forms a rendering writes it, replaced by a marker,
/// so snapshots do not change from day to day.
fn undated(text: &str) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let iso = format!(
        "{}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let dutch = bron::render::phrases("nl").date(&iso);
    text.replace(&dutch, "[vandaag]").replace(&iso, "[today]")
}

fn snapshot_text(r: &Value) -> String {
    let mut out = String::new();
    for key in ["html", "text"] {
        if let Some(s) = r[key].as_str() {
            out.push_str(s);
            out.push('\n');
        }
    }
    out.push_str("--- follow-ups\n");
    for f in r["followUps"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{}: {}\n",
            f["kind"].as_str().unwrap(),
            f["title"].as_str().unwrap()
        ));
    }
    if let Some(ld) = r.get("jsonLd").filter(|v| !v.is_null()) {
        out.push_str("--- json-ld\n");
        out.push_str(&serde_json::to_string_pretty(ld).unwrap());
        out.push('\n');
    }
    undated(&out)
}

#[tokio::test]
async fn snapshots_of_every_channel() {
    let t = example_hub().await;
    let agent = t.token(Role::Agent).await;
    for slug in [
        "paspoort-aanvragen",
        "verhuizing-doorgeven",
        "evenementenvergunning",
    ] {
        for channel in ["WEB", "CHATBOT", "KCC", "LETTER"] {
            let r = rendered(&t, Some(&agent), slug, channel).await;
            insta::assert_snapshot!(
                format!("{slug}-{}", channel.to_lowercase()),
                snapshot_text(&r)
            );
        }
    }
    for slug in ["kosten-paspoort-en-id-kaart", "paspoort-kwijt-of-gestolen"] {
        for channel in ["WEB", "CHATBOT", "KCC", "LETTER"] {
            let d = t
                .ok(
                    Some(&agent),
                    RENDER_QUESTION,
                    json!({ "slug": slug, "channel": channel }),
                )
                .await;
            let r = &d["question"]["rendered"];
            insta::assert_snapshot!(
                format!("{slug}-{}", channel.to_lowercase()),
                snapshot_text(r)
            );
        }
    }
}

#[tokio::test]
async fn every_channel_names_its_source_and_offers_a_way_that_is_not_online() {
    let t = example_hub().await;
    let agent = t.token(Role::Agent).await;
    for channel in ["WEB", "CHATBOT", "KCC", "LETTER"] {
        let r = rendered(&t, Some(&agent), "paspoort-aanvragen", channel).await;
        assert_eq!(r["source"]["slug"], "paspoort-aanvragen");
        assert_eq!(r["source"]["reviewBy"], "2027-02-28");
        assert!(r["source"]["version"].as_i64().unwrap() >= 1);
        let routes: Vec<&str> = r["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert!(routes.contains(&"online"), "{channel}: {routes:?}");
        assert!(routes.contains(&"desk"), "{channel}: {routes:?}");
        let whole = r["html"].as_str().or(r["text"].as_str()).unwrap();
        assert!(
            whole.contains("Lukt het niet online?"),
            "{channel}: {whole}"
        );
        assert!(
            whole.contains("Marktplein 1"),
            "{channel}: the desk route names the address"
        );
    }
    // The KCC sees whether a text is still checked.
    let r = rendered(&t, Some(&agent), "paspoort-aanvragen", "KCC").await;
    assert_eq!(r["review"]["overdue"], false);
    assert!(
        r["review"]["text"]
            .as_str()
            .unwrap()
            .contains("volgende controle uiterlijk 28 februari 2027")
    );
    assert_eq!(r["routing"], "team Publiekszaken");
    let r = rendered(&t, Some(&agent), "grofvuil-laten-ophalen", "KCC").await;
    assert_eq!(
        r["review"]["overdue"], true,
        "review_by 2026-10-01 has passed"
    );
    let text = r["text"].as_str().unwrap();
    assert!(
        text.contains(
            "Let op: deze tekst had uiterlijk op 1 oktober 2026 opnieuw gecontroleerd moeten worden"
        ),
        "{text}"
    );
    // The chatbot's text stays within the channel's limit, cut at a sentence.
    let r = rendered(&t, None, "paspoort-aanvragen", "CHATBOT").await;
    let text = r["text"].as_str().unwrap();
    assert!(text.chars().count() <= 600, "{}", text.chars().count());
    assert!(
        text.starts_with("Met een paspoort kunt u"),
        "short answer first: {text}"
    );
    assert_eq!(r["truncated"], true);
    let before_routes = text.split("\n\nLukt het niet online?").next().unwrap();
    assert!(
        before_routes.ends_with('.'),
        "cut at a sentence end: {before_routes:?}"
    );
}

#[tokio::test]
async fn a_fact_changed_once_shows_in_every_channel_and_in_search_before_the_mutation_returns() {
    let t = searchable_hub().await;
    let agent = t.token(Role::Agent).await;
    let publisher = t.token(Role::Publisher).await;
    // Fill every cache first: the change must clear them.
    for channel in ["WEB", "CHATBOT", "KCC", "LETTER"] {
        let r = rendered(&t, Some(&agent), "paspoort-aanvragen", channel).await;
        assert!(r.to_string().contains("€ 88,65"), "{channel}");
    }
    t.ok(
        Some(&publisher),
        r#"mutation { setFact(slug: "paspoort-tarief-18-plus", value: "€ 91,35", amount: "91.35") { item { id } } }"#,
        json!({}),
    )
    .await;
    for token in [None, Some(agent.as_str())] {
        for channel in ["WEB", "CHATBOT", "KCC", "LETTER"] {
            if channel == "KCC" && token.is_none() {
                continue;
            }
            let r = rendered(&t, token, "paspoort-aanvragen", channel).await;
            let costs = r["sections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["field"] == "costs")
                .unwrap_or_else(|| panic!("{channel}: no costs section"));
            assert!(
                costs["body"].as_str().unwrap().contains("€ 91,35"),
                "{channel}: {costs}"
            );
            assert!(
                !r.to_string().contains("€ 88,65"),
                "{channel} still shows the old fee"
            );
            let whole = r["html"].as_str().or(r["text"].as_str()).unwrap();
            if channel != "CHATBOT" {
                assert!(whole.contains("€ 91,35"), "{channel}");
            }
        }
    }
    // The single field, too, and the question that shows the fee.
    let d = t
        .ok(None, r#"{ product(slug: "paspoort-aanvragen") { web: costs(channel: WEB) chat: costs(channel: CHATBOT) raw: costs } }"#, json!({}))
        .await;
    assert!(
        d["product"]["web"]
            .as_str()
            .unwrap()
            .contains("<li>18 jaar of ouder: € 91,35</li>")
    );
    assert!(
        d["product"]["chat"]
            .as_str()
            .unwrap()
            .contains("• 18 jaar of ouder: € 91,35")
    );
    assert!(
        d["product"]["raw"]
            .as_str()
            .unwrap()
            .contains("{{fact:paspoort-tarief-18-plus}}")
    );
    let d = t
        .ok(
            None,
            RENDER_QUESTION,
            json!({ "slug": "kosten-paspoort-en-id-kaart", "channel": "CHATBOT" }),
        )
        .await;
    assert!(d["question"]["rendered"].to_string().contains("€ 91,35"));
    // And search finds the new fee.
    let d = t
        .ok(None, r#"{ search(query: "91,35") { totalCount hits { item { ... on Product { slug } } } } }"#, json!({}))
        .await;
    let slugs = d["search"]["hits"].to_string();
    assert!(slugs.contains("paspoort-aanvragen"), "{d}");
}

#[tokio::test]
async fn a_field_for_one_channel_never_shows_in_another_whoever_asks() {
    let t = example_hub().await;
    let admin = t.token(Role::Admin).await;
    let agent = t.token(Role::Agent).await;
    let memo = "Bij een melding in het Register paspoortsignaleringen";
    for token in [Some(admin.as_str()), Some(agent.as_str()), None] {
        for channel in ["WEB", "CHATBOT", "LETTER"] {
            let r = rendered(&t, token, "paspoort-aanvragen", channel).await;
            assert!(
                !r.to_string().contains(memo),
                "{channel} shows the KCC memo"
            );
        }
        let d = t
            .ok(token, r#"{ product(slug: "paspoort-aanvragen") { deskMemo(channel: WEB) letter(channel: WEB) } }"#, json!({}))
            .await;
        assert_eq!(d["product"]["deskMemo"], Value::Null);
        assert_eq!(
            d["product"]["letter"],
            Value::Null,
            "the letter text is for letters only"
        );
    }
    let r = rendered(&t, Some(&agent), "paspoort-aanvragen", "KCC").await;
    assert!(r["text"].as_str().unwrap().contains(memo));
    assert!(
        !r.to_string().contains("{{ontvanger.naam}}"),
        "letter text in the KCC"
    );
    // The KCC rendering shows internal notes: not without a token.
    let e = t
        .err(
            None,
            RENDER,
            json!({ "slug": "paspoort-aanvragen", "channel": "KCC" }),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED", "{e}");
    let e = t
        .err(
            None,
            r#"{ product(slug: "paspoort-aanvragen") { deskMemo(channel: KCC) } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED", "{e}");
}

#[tokio::test]
async fn a_search_in_a_public_channel_never_finds_or_shows_internal_notes() {
    let t = searchable_hub().await;
    let agent = t.token(Role::Agent).await;
    let q = r#"query($c: String) { search(query: "paspoortsignaleringen teamleider", channel: $c) {
        totalCount hits { snippet item { ... on Product { slug deskMemo } } } } }"#;
    let d = t.ok(Some(&agent), q, json!({ "c": "kcc" })).await;
    assert!(d["search"]["totalCount"].as_i64().unwrap() >= 1, "{d}");
    for channel in ["web", "chatbot", "letter"] {
        let d = t.ok(Some(&agent), q, json!({ "c": channel })).await;
        assert_eq!(d["search"]["totalCount"], 0, "{channel}: {d}");
    }
    // The chatbot's answer, asked with an agent token, does not use them either.
    let d = t
        .ok(Some(&agent), r#"{ answer(question: "paspoortsignaleringen teamleider") { item { slug } rendered { text } } }"#, json!({}))
        .await;
    assert!(!d.to_string().contains("teamleider Publiekszaken"), "{d}");
}

#[tokio::test]
async fn letters_keep_or_fill_merge_fields_and_report_the_missing() {
    let t = example_hub().await;
    let d = t
        .ok(
            None,
            RENDER,
            json!({ "slug": "paspoort-aanvragen", "channel": "LETTER",
                    "vars": [{ "name": "ontvanger.naam", "value": "mevrouw De Vries" }] }),
        )
        .await;
    let r = &d["product"]["rendered"];
    let text = r["text"].as_str().unwrap();
    assert!(text.starts_with("Geachte mevrouw De Vries,"), "{text}");
    assert!(
        text.contains("{{aanvraag.datum}}"),
        "kept for the document system"
    );
    assert!(
        text.contains("na 5 werkdagen"),
        "facts filled in letters too"
    );
    assert_eq!(
        r["mergeFields"],
        json!(["ontvanger.naam", "aanvraag.datum"])
    );
    assert_eq!(r["missingVariables"], json!(["aanvraag.datum"]));
    // No Markdown syntax is left: no #, **, [text](url) or table pipes.
    for mark in ["**", "](", "| ", "\n#", "\n- "] {
        assert!(!text.contains(mark), "{mark:?} in {text}");
    }
    let e = t
        .err(
            None,
            RENDER,
            json!({ "slug": "paspoort-aanvragen", "channel": "LETTER", "vars": [{ "name": "x" }] }),
        )
        .await;
    assert!(e["message"].as_str().unwrap().contains("value"), "{e}");
}

/// Every tag of `html`: no event handler, no script, no unsafe address.
fn harmless(html: &str) -> Result<(), String> {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("").to_lowercase();
        let outside: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        let values: Vec<&str> = tag.split('"').skip(1).step_by(2).collect();
        let name = outside.split_whitespace().next().unwrap_or("");
        let allowed = [
            "article",
            "/article",
            "section",
            "/section",
            "h1",
            "/h1",
            "h2",
            "/h2",
            "h3",
            "/h3",
            "h4",
            "/h4",
            "h5",
            "/h5",
            "h6",
            "/h6",
            "p",
            "/p",
            "ul",
            "/ul",
            "ol",
            "/ol",
            "li",
            "/li",
            "a",
            "/a",
            "em",
            "/em",
            "strong",
            "/strong",
            "del",
            "/del",
            "code",
            "/code",
            "pre",
            "/pre",
            "blockquote",
            "/blockquote",
            "table",
            "/table",
            "thead",
            "/thead",
            "tbody",
            "/tbody",
            "tr",
            "/tr",
            "th",
            "/th",
            "td",
            "/td",
            "br",
            "hr",
            "img",
        ];
        if !allowed.contains(&name) {
            return Err(format!("tag <{tag}>"));
        }
        for attr in outside.split_whitespace().skip(1) {
            let attr = attr.trim_end_matches('=');
            if ![
                "href", "title", "src", "alt", "class", "lang", "rel", "scope", "start",
            ]
            .contains(&attr)
            {
                return Err(format!("attribute {attr} in <{tag}>"));
            }
        }
        for v in values {
            let v = v.trim();
            if v.starts_with("javascript:") || v.starts_with("data:") || v.starts_with("vbscript:")
            {
                return Err(format!("address {v} in <{tag}>"));
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn attacks_in_markdown_never_reach_web_output() {
    let t = example_hub().await;
    let publisher = t.token(Role::Publisher).await;
    let attacks = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "[klik](javascript:alert(1))",
        "[klik](JAVASCRIPT:alert(1))",
        "[klik](javascript&#58;alert(1))",
        "[klik](&#x6A;avascript:alert(1))",
        "[klik](data:text/html,<script>alert(1)</script>)",
        "![foto](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">klik</a>",
        "# Kop {onmouseover=alert(1)}",
        "## Kop {#x .y onclick=alert(1)}",
        "<details open ontoggle=alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<b onmouseover=alert(1)>vet</b>",
        "**vet <i onclick=alert(1)>schuin</i>**",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<!--><script>alert(1)</script>-->",
        "[x](https://a.nl \"t\\\" onmouseover=\\\"alert(1)\")",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "[[javascript:alert(1)]]",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
        "- <form action=javascript:alert(1)><button>x</button></form>",
    ];
    let intro = attacks.join("\n\n");
    let d = t
        .ok(
            Some(&publisher),
            "mutation($f: ProductCreateFields!) { createProduct(fields: $f) { item { id slug } } }",
            json!({ "f": { "title": "Aanval <script>alert(1)</script>", "summary": "Samenvatting <img src=x onerror=alert(1)>",
                           "introduction": intro, "costs": "[bel](tel:0599123456) of [mail](mailto:a@b.nl)" } }),
        )
        .await;
    let id = d["createProduct"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let slug = d["createProduct"]["item"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    t.ok(
        Some(&publisher),
        "mutation($id: ID!) { publish(ids: [$id]) { items { id } } }",
        json!({ "id": id }),
    )
    .await;
    let r = rendered(&t, None, &slug, "WEB").await;
    let html = r["html"].as_str().unwrap();
    harmless(html).unwrap_or_else(|e| panic!("{e} in\n{html}"));
    for s in r["sections"].as_array().unwrap() {
        harmless(s["body"].as_str().unwrap()).unwrap();
    }
    assert!(html.contains("href=\"tel:0599123456\""), "safe links stay");
    assert!(html.contains("href=\"mailto:a@b.nl\""), "safe links stay");
    // The JSON-LD script cannot be closed early by content.
    let script = r["jsonLdScript"].as_str().unwrap();
    assert_eq!(script.matches("</script>").count(), 1, "{script}");
    assert!(!script.contains("<img"), "{script}");
    // The single field, rendered for the web, is sanitised the same way.
    let d = t
        .ok(
            None,
            "query($s: String!) { product(slug: $s) { introduction(channel: WEB) } }",
            json!({ "s": slug }),
        )
        .await;
    harmless(d["product"]["introduction"].as_str().unwrap()).unwrap();
}

#[tokio::test]
async fn unknown_facts_are_refused_on_save_and_live_items_show_only_live_facts() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let publisher = t.token(Role::Publisher).await;
    let create =
        "mutation($f: ProductCreateFields!) { createProduct(fields: $f) { item { id version } } }";
    let e = t
        .err(
            Some(&editor),
            create,
            json!({ "f": { "title": "Nieuw", "summary": "Kort.", "costs": "Het kost {{fact:bestaat-niet}}." } }),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    assert!(e.to_string().contains("fields.costs"), "{e}");
    assert!(e.to_string().contains("bestaat-niet"), "{e}");
    // A draft fact may be used in a draft, but not published before the fact.
    let d = t
        .ok(
            Some(&editor),
            "mutation { createFact(fields: {label: \"Nieuw tarief\", value: \"€ 1,00\"}, slug: \"nieuw-tarief\") { item { id } } }",
            json!({}),
        )
        .await;
    let fact = d["createFact"]["item"]["id"].as_str().unwrap().to_string();
    let d = t
        .ok(
            Some(&editor),
            create,
            json!({ "f": { "title": "Nieuw", "summary": "Kort {{fact:nieuw-tarief}}." } }),
        )
        .await;
    let product = d["createProduct"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let publish = "mutation($ids: [ID!]!) { publish(ids: $ids) { items { id } } }";
    let e = t
        .err(Some(&publisher), publish, json!({ "ids": [product] }))
        .await;
    assert!(
        e["message"].as_str().unwrap().contains("nieuw-tarief"),
        "{e}"
    );
    t.ok(Some(&publisher), publish, json!({ "ids": [product, fact] }))
        .await;
    // The fact shows where it is used.
    let d = t
        .ok(
            None,
            r#"{ fact(slug: "nieuw-tarief") { usedBy { ... on Product { title } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(d["fact"]["usedBy"], json!([{ "title": "Nieuw" }]));
    let d = t
        .ok(
            None,
            r#"{ fact(slug: "paspoort-tarief-18-plus") { usedBy { type slug } } }"#,
            json!({}),
        )
        .await;
    let used = d["fact"]["usedBy"].to_string();
    assert!(
        used.contains("paspoort-aanvragen") && used.contains("kosten-paspoort-en-id-kaart"),
        "{used}"
    );
    assert!(!used.contains("\"fact\""), "{used}");
}

/// The item of `type_name` with `slug`, as `viewer` sees it.
async fn item(
    t: &TestHub,
    viewer: &bron::hub::Viewer,
    type_name: &str,
    slug: &str,
) -> std::sync::Arc<bron::hub::ItemView> {
    let key = bron::hub::ItemKey::Slug {
        locale: "nl".into(),
        slug: slug.into(),
    };
    t.hub.get(viewer, type_name, &key).await.unwrap().unwrap()
}

/// Sets one field of an item as a draft; returns its id.
async fn edit(t: &TestHub, type_name: &str, slug: &str, field: &str, value: &str) -> String {
    use bron::hub::{Patch, Viewer};
    let it = item(t, &Viewer::cli(), type_name, slug).await;
    let mut fields = serde_json::Map::new();
    fields.insert(field.into(), json!(value));
    let patch = Patch {
        fields,
        ..Default::default()
    };
    t.hub
        .update(&Viewer::cli(), None, &it.id, it.version, patch)
        .await
        .unwrap();
    it.id.clone()
}

#[tokio::test]
async fn a_rendering_outlives_writes_that_do_not_touch_it_and_follows_those_that_do() {
    use bron::hub::Viewer;
    let t = example_hub().await;
    let reader = Viewer::anonymous();
    let none = Default::default();
    let page = item(&t, &reader, "product", "paspoort-aanvragen").await;
    let first = t.hub.render(&reader, &page, "web", &none).await.unwrap();
    // An unrelated write: the same rendering is served again.
    let other = edit(
        &t,
        "product",
        "afvalpas-aanvragen",
        "summary",
        "Een nieuwe samenvatting.",
    )
    .await;
    t.hub.publish(&Viewer::cli(), &[other], None).await.unwrap();
    let page = item(&t, &reader, "product", "paspoort-aanvragen").await;
    let again = t.hub.render(&reader, &page, "web", &none).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "rendered again after an unrelated write"
    );
    // A step it shows changes: not shown as a draft, shown once live.
    let step = edit(
        &t,
        "step",
        "reisdocument-afspraak-maken",
        "title",
        "Plan een afspraak",
    )
    .await;
    let page = item(&t, &reader, "product", "paspoort-aanvragen").await;
    let draft = t.hub.render(&reader, &page, "web", &none).await.unwrap();
    assert!(
        !draft.html.as_deref().unwrap().contains("Plan een afspraak"),
        "a draft is not shown"
    );
    t.hub.publish(&Viewer::cli(), &[step], None).await.unwrap();
    let page = item(&t, &reader, "product", "paspoort-aanvragen").await;
    let after = t.hub.render(&reader, &page, "web", &none).await.unwrap();
    assert!(
        after
            .html
            .as_deref()
            .unwrap()
            .contains("<h3>Plan een afspraak</h3>")
    );
}
