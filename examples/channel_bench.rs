//! The channel benchmark: what rendering costs, and how fast a fact change
//! reaches every item that shows it.
//!
//! 1. The product page uncached (no response cache, no rendering cache):
//!    the raw page (every section as Markdown, steps, conditions, questions,
//!    related products) against the same product rendered for the web (HTML
//!    and JSON-LD) and for the chatbot, in process through the GraphQL API.
//!    Target: the web rendering within 1.3× the raw page.
//! 2. A fact shown by `--users` items (default 1,000) changed with `setFact`
//!    (which re-indexes every one of them before it returns), then every one
//!    rendered for the web again. Target: under 200 ms together.
//!
//! ```sh
//! cargo run --release --example channel_bench
//! cargo run --release --example channel_bench -- --users 1000 --rounds 400
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bron::graphql::Api;
use bron::hub::{Hub, ItemKey, Role, Viewer};
use bron::model::ContentModel;
use bron::store::Store;
use serde_json::{Value, json};

#[path = "support/mod.rs"]
mod support;
use support::{arg, record};

const RAW: &str = "query($s: String!) { product(slug: $s) { title summary introduction procedure requirements evidence costs term objection noResponse particulars contact onlineUrl loginLevel byAppointment byPhone byPost steps { title instruction duration } conditions { text rule explanation } questions { question shortAnswer slug } relatedProducts { title slug } } }";
const WEB: &str =
    "query($s: String!) { product(slug: $s) { rendered(channel: WEB) { html jsonLd } } }";
const CHATBOT: &str = "query($s: String!) { product(slug: $s) { rendered(channel: CHATBOT) { text followUps { kind title } source { version } } } }";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs each query once per round, in turn (so drift in the machine's
/// speed affects all alike); the median time of each.
async fn time_queries(api: &Api, queries: &[&str], rounds: u64) -> Vec<Duration> {
    let mut times = vec![Vec::with_capacity(rounds as usize); queries.len()];
    for _ in 0..rounds {
        for (i, query) in queries.iter().enumerate() {
            let req = async_graphql::Request::new(*query).variables(
                async_graphql::Variables::from_json(json!({ "s": "paspoort-aanvragen" })),
            );
            let start = Instant::now();
            let r = api.execute(Viewer::anonymous(), req).await;
            times[i].push(start.elapsed());
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            assert!(body.get("errors").is_none(), "{body}");
        }
    }
    times.into_iter().map(median).collect()
}

/// An item view as the renderer takes it.
fn item_of(v: &bron::hub::ItemView) -> bron::render::Item<'_> {
    bron::render::Item {
        id: &v.id,
        type_name: &v.type_name,
        slug: &v.slug,
        locale: &v.locale,
        version: v.version,
        review_by: None,
        checked_on: None,
        fields: &v.fields,
    }
}

fn main() {
    let users = arg("--users", 1000);
    let rounds = arg("--rounds", 300);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = ContentModel::load(&root.join("content-model")).unwrap();
        let store = Store::open(&dir.path().join("bron.db")).await.unwrap();
        let hub = Arc::new(Hub::new(Arc::new(model), store).await.unwrap());
        bron::server::open_search(&hub, dir.path(), &root.join("content-model"))
            .await
            .unwrap();
        bron::server::seed_if_empty(&hub, &root.join("examples/content"))
            .await
            .unwrap();

        // 1. The product page, uncached.
        hub.set_render_cache(false);
        let api = Api::new(hub.clone()).unwrap().without_cache();
        time_queries(&api, &[RAW, WEB, CHATBOT], rounds / 10 + 1).await;
        let t = time_queries(&api, &[RAW, WEB, CHATBOT], rounds).await;
        let (raw, web, chat) = (t[0], t[1], t[2]);
        println!("product page, uncached, in process (median of {rounds}):");
        println!("  raw page (Markdown, references)  {:>8.3} ms", raw.as_secs_f64() * 1e3);
        println!(
            "  rendered for the web (HTML, LD)  {:>8.3} ms  {:.2}x raw  (target 1.3x)",
            web.as_secs_f64() * 1e3,
            web.as_secs_f64() / raw.as_secs_f64()
        );
        println!(
            "  rendered for the chatbot         {:>8.3} ms  {:.2}x raw",
            chat.as_secs_f64() * 1e3,
            chat.as_secs_f64() / raw.as_secs_f64()
        );
        // Where the rendering's time goes: the renderer alone (everything
        // loaded), and of that the page's Markdown to HTML with the cleaner.
        let page = hub
            .get(
                &Viewer::anonymous(),
                "product",
                &ItemKey::Slug {
                    locale: "nl".into(),
                    slug: "paspoort-aanvragen".into(),
                },
            )
            .await
            .unwrap()
            .unwrap();
        let model = hub.model().clone();
        let refs = hub
            .load_many(&Viewer::anonymous(), &page.reference_ids_all(&model))
            .await
            .unwrap();
        let ref_items: HashMap<String, bron::render::Item> =
            refs.values().map(|r| (r.id.clone(), item_of(r))).collect();
        let facts: HashMap<(String, String), String> = HashMap::new();
        let vars = Default::default();
        let web_channel = model.channels.iter().find(|c| c.name == "web").unwrap();
        let ctx = bron::render::Context {
            model: &model,
            channel: web_channel,
            refs: &ref_items,
            facts: &facts,
            variables: &vars,
            today: "2026-12-03",
        };
        let item = item_of(&page);
        let n = rounds as u32;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(bron::render::render(&item, &ctx));
        }
        let pure = start.elapsed() / n;
        let md: Vec<&str> = page.fields.values().filter_map(|v| v.as_str()).collect();
        let start = Instant::now();
        for _ in 0..n {
            let mut out = String::new();
            for m in &md {
                bron::render::markdown::to_html(m, 3, &mut out);
            }
            std::hint::black_box(bron::render::markdown::sanitize(&out));
        }
        let html = start.elapsed() / n;
        println!(
            "  of which the renderer alone {:.3} ms; the page's Markdown to clean HTML {:.3} ms",
            pure.as_secs_f64() * 1e3,
            html.as_secs_f64() * 1e3
        );
        hub.set_render_cache(true);

        // 2. A fact shown by `users` items.
        let mut records = vec![record(
            "fact",
            "bench-tarief".into(),
            json!({"label": "Tarief voor de benchmark", "value": "€ 10,00"}),
        )];
        for i in 0..users {
            records.push(record(
                "product",
                format!("bench-product-{i}"),
                json!({
                    "title": format!("Benchmarkproduct {i}"),
                    "summary": "Een product dat het benchmarktarief laat zien.",
                    "introduction": "Dit product bestaat alleen voor de benchmark. ".repeat(6),
                    "costs": "Het kost {{fact:bench-tarief}}. U betaalt aan de balie met uw pinpas.",
                    "by_appointment": true,
                }),
            ));
        }
        hub.import(&Viewer::cli(), records).await.unwrap();
        let reader = Viewer {
            role: Role::Anonymous,
            name: "bench".into(),
            team: None,
        };
        let mut items = Vec::new();
        for i in 0..users {
            let key = ItemKey::Slug {
                locale: "nl".into(),
                slug: format!("bench-product-{i}"),
            };
            items.push(hub.get(&reader, "product", &key).await.unwrap().unwrap());
        }
        // Fill the rendering cache, as a serving site would have it.
        let none = Default::default();
        for item in &items {
            hub.render(&reader, item, "web", &none).await.unwrap();
        }
        let mut fields = serde_json::Map::new();
        fields.insert("value".into(), json!("€ 12,50"));
        let start = Instant::now();
        hub.set_fact(&Viewer::cli(), "bench-tarief", "nl", fields, None)
            .await
            .unwrap();
        let set = start.elapsed();
        // Read back 100 at a time, as a site generator or a list query would.
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let start = Instant::now();
        for chunk in ids.chunks(100) {
            let page = hub.load_many(&reader, chunk).await.unwrap();
            for item in page.values() {
                let r = hub.render(&reader, item, "web", &none).await.unwrap();
                assert!(r.html.as_deref().unwrap().contains("€ 12,50"));
            }
        }
        let rendered = start.elapsed();
        println!("a fact shown by {users} items, changed once:");
        println!(
            "  setFact (publish + re-index of {users} items)  {:>8.1} ms",
            set.as_secs_f64() * 1e3
        );
        println!(
            "  every item read (100 at a time) and rendered for the web again  {:>8.1} ms",
            rendered.as_secs_f64() * 1e3
        );
        println!(
            "  together  {:>8.1} ms  (target 200 ms)",
            (set + rendered).as_secs_f64() * 1e3
        );
    });
}
