//! The benchmark: loads product-shaped content through the import path, then
//! measures the product page (item by slug with its steps, conditions and
//! questions) and a 50-item list over loopback HTTP against the real router,
//! with one client and with ten; a `304 Not Modified` to an anonymous GET
//! with `If-None-Match`, and persisted queries sent by hash alone. A handler
//! that returns fixed bytes, served by the same server, is the baseline:
//! ratios against it are what to compare between runs, since absolute times
//! on shared machines drift. Last, the cached page with the request log and
//! metrics on and off, in turns. Request logs are written as `bron serve`
//! writes them (text, level info), to /dev/null.
//!
//! ```sh
//! cargo run --release --example bench                 # 10,000 items
//! cargo run --release --example bench -- --items 100000 --seconds 2
//! cargo run --release --example bench -- --items 100000 --data-dir /tmp/bron-100k
//! cargo run --release --example bench -- --import-only   # import figures, e.g. under a profiler
//! cargo run --release --example bench -- --case uncached  # the baseline and the cases named so
//! cargo run --release --example bench -- --case "on vs off" --rounds 5
//! ```

use std::sync::Arc;
use std::time::Instant;

use bron::hub::{Hub, ImportRecord, Viewer};
use bron::model::ContentModel;
use bron::store::Store;
use serde_json::json;
use sha2::Digest;

#[path = "support/mod.rs"]
mod support;
use support::{
    Client, Figures, MakeRequest, arg, enc, get, measure, on_off, post, record, status_kb,
};

const PAGE: &str = "query($s: String!) { product(slug: $s) { title summary introduction costs steps { title instruction duration } conditions { text rule } questions { question shortAnswer } } }";
const LIST: &str = "{ products(first: 50) { edges { cursor node { slug title summary ownerTeam } } pageInfo { hasNextPage endCursor } } }";

/// Ten items per product: the product, 4 steps, 2 conditions, 3 questions.
fn content(items: u64) -> Vec<ImportRecord> {
    let mut out = Vec::new();
    for p in 0..items / 10 {
        let steps: Vec<String> = (0..4).map(|s| format!("p{p}-stap-{s}")).collect();
        let conds: Vec<String> = (0..2).map(|c| format!("p{p}-voorwaarde-{c}")).collect();
        let qs: Vec<String> = (0..3).map(|q| format!("p{p}-vraag-{q}")).collect();
        for (i, s) in steps.iter().enumerate() {
            out.push(record("step", s.clone(), json!({"title": format!("Stap {i} van product {p}"), "instruction": "Maak een afspraak via de website. Neem uw oude document en een pasfoto mee.", "duration": "15 minuten"})));
        }
        for c in &conds {
            out.push(record(
                "condition",
                c.clone(),
                json!({"text": "U staat ingeschreven in de gemeente.", "rule": "resident == true"}),
            ));
        }
        for q in &qs {
            out.push(record("question", q.clone(), json!({"question": format!("Hoe werkt {q}?"), "short_answer": "U regelt het online of aan de balie.", "answer": "Een langer antwoord met **opmaak** en een [link](https://www.example.nl/).", "phrasings": ["hoe regel ik dit", "aanvragen"]})));
        }
        out.push(record("product", format!("product-{p}"), json!({
            "title": format!("Product {p}"),
            "summary": "Een korte samenvatting van wat dit product is en voor wie het bedoeld is.",
            "owner_team": "Publiekszaken",
            "audience": ["burger"],
            "introduction": "Dit is de inleiding van het product. ".repeat(8),
            "costs": "De kosten staan op de website.",
            "steps": steps, "conditions": conds, "questions": qs,
        })));
    }
    out
}

/// Request logs as `bron serve` writes them by default, to /dev/null.
fn log_to_nowhere() {
    let null = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
        .with_writer(std::sync::Mutex::new(null.try_clone().unwrap()))
        .with_ansi(false)
        .init();
    bron::http::request_lines::write_lines_to(false, false, Box::new(null));
}

fn main() {
    log_to_nowhere();
    let items = arg("--items", 10_000);
    let secs = arg("--seconds", 3) as f64;
    let products = items / 10;
    let dir = tempfile::tempdir().unwrap();
    // `--data-dir DIR` keeps the database, e.g. to measure `bron serve` on it.
    let args: Vec<String> = std::env::args().collect();
    let data_dir = args
        .iter()
        .position(|a| a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());

    // The server runs on one worker thread; the load client on its own thread.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (hub, store, addr, cached, uncached) = server_rt.block_on(async {
        let model = ContentModel::load(std::path::Path::new("content-model")).unwrap();
        let store = Store::open(&data_dir.join("bron.db")).await.unwrap();
        let hub = Arc::new(Hub::new(Arc::new(model), store.clone()).await.unwrap());
        let records = content(items);
        let n = records.len();
        let t = Instant::now();
        hub.import(&Viewer::cli(), records).await.unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "import: {n} items in {secs:.2} s = {:.0} items/s (one transaction, published)",
            n as f64 / secs
        );
        // The same items again, every one changed: updates, new revisions
        // and a new live snapshot for each.
        let mut changed = content(items);
        for r in &mut changed {
            let title = &hub.model().get(&r.type_name).unwrap().title_field;
            if let Some(serde_json::Value::String(t)) = r.fields.get_mut(title) {
                t.push_str(" (2)");
            }
        }
        let t = Instant::now();
        let report = hub.import(&Viewer::cli(), changed).await.unwrap();
        let update_secs = t.elapsed().as_secs_f64();
        assert_eq!(report.updated, n);
        println!(
            "re-import: {n} changed items in {update_secs:.2} s = {:.0} items/s ({:.2} x the insert rate)",
            n as f64 / update_secs,
            secs / update_secs
        );

        if args.iter().any(|a| a == "--import-only") {
            std::process::exit(0);
        }
        let (addr, cached, uncached) = support::serve(hub.clone(), FIXED).await;
        (hub, store, addr, cached, uncached)
    });
    let _ = &cached;

    // Where an uncached page's time goes, in process: the store statement with
    // the item views built from its rows (hub), then the whole GraphQL
    // execution without HTTP (parse cached, cost count, validation, resolvers,
    // serialisation). The page over HTTP is measured below.
    let rounds = 4000u64;
    let (sql_us, hub_us, exec_us) = server_rt.block_on(async {
        let anon = Viewer::anonymous();
        let t = Instant::now();
        for i in 0..rounds {
            let slug = format!("product-{}", i % products);
            let lookup = bron::store::Lookup::Slug {
                locale: "nl",
                slug: &slug,
            };
            let rows = store
                .item_with_refs("product", lookup, bron::domain::Stage::Published)
                .await
                .unwrap();
            assert_eq!(rows.len(), 10);
        }
        let sql_us = t.elapsed().as_secs_f64() * 1e6 / rounds as f64;
        let t = Instant::now();
        for _ in 0..rounds {
            assert!(store.ping().await);
        }
        println!(
            "a trivial statement (SELECT 1) through sqlx: {:.0} µs",
            t.elapsed().as_secs_f64() * 1e6 / rounds as f64
        );
        let key = |i: u64| bron::hub::ItemKey::Slug {
            locale: "nl".into(),
            slug: format!("product-{}", i % products),
        };
        for i in 0..200 {
            hub.get_with_refs(&anon, "product", &key(i)).await.unwrap();
        }
        let t = Instant::now();
        for i in 0..rounds {
            let (item, refs) = hub.get_with_refs(&anon, "product", &key(i)).await.unwrap();
            assert!(item.is_some() && refs.len() == 9);
        }
        let hub_us = t.elapsed().as_secs_f64() * 1e6 / rounds as f64;
        let request = |i: u64| {
            async_graphql::Request::new(PAGE).variables(async_graphql::Variables::from_json(
                json!({"s": format!("product-{}", i % products)}),
            ))
        };
        let t = Instant::now();
        for i in 0..rounds {
            let r = uncached.execute(Viewer::anonymous(), request(i)).await;
            std::hint::black_box(r);
        }
        (
            sql_us,
            hub_us,
            t.elapsed().as_secs_f64() * 1e6 / rounds as f64,
        )
    });
    println!(
        "uncached page in process: the store statement {sql_us:.0} µs; with the item views built \
         {hub_us:.0} µs; the whole GraphQL execution {exec_us:.0} µs"
    );

    let only: Option<String> = std::env::args().skip_while(|a| a != "--case").nth(1);
    let mut added_us = 0.0;
    if only
        .as_ref()
        .is_none_or(|o| on_off::ON_OFF.contains(o.as_str()))
    {
        let body = json!({"query": PAGE, "variables": {"s": "product-7"}}).to_string();
        added_us = server_rt.block_on(on_off::in_process(cached.clone(), &body));
    }

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async move {
        let page_body = |slug: String| json!({"query": PAGE, "variables": {"s": slug}}).to_string();
        let one = post("/graphql", &page_body("product-7".into()));
        let mut client = Client::connect(addr).await;
        let check = client.request(&one).await;
        println!("product page: {check} bytes of JSON\n");
        // The same page over GET, its ETag, and the page registered as a
        // persisted query.
        let vars = json!({"s": "product-7"}).to_string();
        let get_page = format!("/graphql?query={}&variables={}", enc(PAGE), enc(&vars));
        client.request(&get(&get_page, "")).await;
        let tag = client.header("etag").expect("an anonymous GET has an ETag");
        let hash: String = sha2::Sha256::digest(PAGE.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
        let register = json!({"query": PAGE, "variables": {"s": "product-7"}, "extensions": ext});
        client
            .request(&post("/graphql", &register.to_string()))
            .await;
        let by_hash_post = post(
            "/graphql",
            &json!({"variables": {"s": "product-7"}, "extensions": ext}).to_string(),
        );
        assert_eq!(client.request(&by_hash_post).await, check, "the same page");
        let by_hash_get = get(
            &format!(
                "/graphql?variables={}&extensions={}",
                enc(&vars),
                enc(&ext.to_string())
            ),
            "",
        );
        assert_eq!(client.request(&by_hash_get).await, check, "the same page");
        let not_modified = get(&get_page, &format!("if-none-match: {tag}\r\n"));
        assert_eq!(client.request(&not_modified).await, 0, "304");

        // The targets' cases again, in turns, for the ratios.
        let turns: Vec<(&str, MakeRequest)> = vec![
            ("fixed bytes", Arc::new(|_| post("/fixed", "{}"))),
            (
                "fixed bytes behind the log and metrics",
                Arc::new(|_| post("/layered/fixed", "{}")),
            ),
            ("304 Not Modified", {
                let r = not_modified.clone();
                Arc::new(move |_| r.clone())
            }),
            ("persisted query by hash, GET", {
                let r = by_hash_get.clone();
                Arc::new(move |_| r.clone())
            }),
            ("persisted query by hash, POST", {
                let r = by_hash_post.clone();
                Arc::new(move |_| r.clone())
            }),
            ("product page, cached (POST)", {
                let r = one.clone();
                Arc::new(move |_| r.clone())
            }),
        ];
        let cases: Vec<(&str, MakeRequest)> = vec![
            ("baseline: fixed bytes", Arc::new(|_| post("/fixed", "{}"))),
            (
                "fixed bytes behind the request log and metrics",
                Arc::new(|_| post("/layered/fixed", "{}")),
            ),
            ("product page, cached (same page again)", {
                let one = one.clone();
                Arc::new(move |_| one.clone())
            }),
            (
                "product page, uncached (a different page each time)",
                Arc::new(move |i| {
                    post(
                        "/nocache/graphql",
                        &page_body(format!("product-{}", i % products)),
                    )
                }),
            ),
            ("304 Not Modified (anonymous GET, If-None-Match)", {
                Arc::new(move |_| not_modified.clone())
            }),
            ("persisted query by hash alone, GET, cached", {
                Arc::new(move |_| by_hash_get.clone())
            }),
            ("persisted query by hash alone, POST, cached", {
                Arc::new(move |_| by_hash_post.clone())
            }),
            (
                "list of 50, cached",
                Arc::new(|_| post("/graphql", &json!({"query": LIST}).to_string())),
            ),
            (
                "list of 50, uncached",
                Arc::new(|_| post("/nocache/graphql", &json!({"query": LIST}).to_string())),
            ),
        ];
        println!(
            "{:<54} {:>9} {:>9} {:>10} {:>11} {:>9} {:>11} {:>9} {:>9}",
            "request",
            "p50 ms",
            "p99 ms",
            "1 client/s",
            "10 clients/s",
            "x base",
            "server µs",
            "x base",
            "x layered"
        );
        // The two baselines are always measured; the others as `--case` says.
        let mut bases: Vec<Figures> = Vec::new();
        for (name, make) in cases {
            if bases.len() == 2 && only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
                continue;
            }
            let f = measure(addr, secs, make).await;
            if bases.len() < 2 {
                bases.push(f);
            }
            row(name, &f, &bases[0], &bases[bases.len() - 1]);
        }
        if only.as_ref().is_none_or(|o| TURNS.contains(o.as_str())) {
            in_turns(addr, secs, &turns).await;
        }
        if only
            .as_ref()
            .is_none_or(|o| on_off::ON_OFF.contains(o.as_str()))
        {
            on_off::over_http(addr, secs, &page_body("product-7".into()), added_us).await;
        }
    });
    println!(
        "\nmemory at {items} items: RSS {} MB, of which anonymous (the process's own) {} MB",
        status_kb("VmRSS:") / 1024,
        status_kb("RssAnon:") / 1024
    );
    drop(hub);
}

const TURNS: &str = "the targets' cases in turns";

/// The cases in turns (`--rounds`, 3 by default), so drift on the shared
/// machine hits all alike: the median p50 and server CPU per request of
/// each, against both baselines (the first two cases).
async fn in_turns(addr: std::net::SocketAddr, secs: f64, cases: &[(&str, MakeRequest)]) {
    let rounds = support::arg("--rounds", 3) as usize;
    let mut figures: Vec<Vec<Figures>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (i, (_, make)) in cases.iter().enumerate() {
            figures[i].push(measure(addr, secs, make.clone()).await);
        }
    }
    let median = |v: &[Figures], f: fn(&Figures) -> f64| support::median(v.iter().map(f).collect());
    let us: Vec<f64> = figures.iter().map(|v| median(v, |f| f.server_us)).collect();
    let p50: Vec<f64> = figures.iter().map(|v| median(v, |f| f.p50_us)).collect();
    println!("\n{TURNS}, {rounds} rounds, medians:");
    println!(
        "  {:<40} {:>8} {:>8} {:>8} {:>10} {:>8} {:>9}",
        "request", "p50 ms", "x base", "x layered", "server µs", "x base", "x layered"
    );
    for (i, (name, _)) in cases.iter().enumerate() {
        println!(
            "  {:<40} {:>8.3} {:>8.2} {:>8.2} {:>10.1} {:>8.2} {:>9.2}",
            name,
            p50[i] / 1000.0,
            p50[i] / p50[0],
            p50[i] / p50[1],
            us[i],
            us[i] / us[0],
            us[i] / us[1]
        );
    }
}

/// One case: latency, throughput and the server's CPU per request, with
/// throughput and CPU against the bare baseline's, and CPU against the
/// baseline behind the request log and metrics (`layered`).
fn row(name: &str, f: &Figures, base: &Figures, layered: &Figures) {
    println!(
        "{:<54} {:>9.3} {:>9.3} {:>10.0} {:>11.0} {:>9.2} {:>11.1} {:>9.2} {:>9.2}",
        name,
        f.p50_us / 1000.0,
        f.p99_us / 1000.0,
        f.rps_1,
        f.rps_10,
        f.rps_10 / base.rps_10,
        f.server_us,
        f.server_us / base.server_us,
        f.server_us / layered.server_us
    );
}

const FIXED: &str =
    r#"{"data":{"product":{"title":"Product 7","summary":"Een korte samenvatting."}}}"#;
