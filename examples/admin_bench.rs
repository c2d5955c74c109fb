//! The editor UI benchmark: every admin page rendered server-side at
//! 10,000 items, through the real router (session cookie, CSRF-free GETs,
//! askama templates), in process so the figures are the server's own.
//!
//! Items: products (spread over eight teams, some past their review date,
//! some drafts, some scheduled), steps, conditions and questions, 10,000 in
//! all, with one product that refers to 50 others (20 steps, 15 conditions,
//! 10 questions, 5 related products). Target: every page under 20 ms.
//!
//! Each page is requested once per round, in turn with a baseline: the
//! GraphQL read of that same 50-reference product with its references, with
//! an editor token, a different query text each round so the response cache
//! never answers it.
//!
//! ```sh
//! cargo run --release --example admin_bench
//! cargo run --release --example admin_bench -- --items 10000 --rounds 200
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use bron::hub::{Hub, NewUser, Role, Viewer};
use bron::model::ContentModel;
use bron::store::Store;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

#[path = "support/mod.rs"]
mod support;
use support::{arg, record};

const TEAMS: [&str; 8] = [
    "Burgerzaken",
    "Parkeren",
    "Vergunningen",
    "Belastingen",
    "Werk en Inkomen",
    "Afval en reiniging",
    "Publiekszaken",
    "Klantcontactcentrum",
];

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p) as usize]
}

async fn build(items: u64, dir: &std::path::Path) -> Arc<Hub> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = ContentModel::load(&root.join("content-model")).unwrap();
    let store = Store::open(&dir.join("bron.db")).await.unwrap();
    let hub = Arc::new(Hub::new(Arc::new(model), store).await.unwrap());
    bron::server::open_search(&hub, dir, &root.join("content-model"))
        .await
        .unwrap();
    let steps = items / 5;
    let conditions = items / 10;
    let questions = items / 10;
    let products = items - steps - conditions - questions;
    let mut records = Vec::new();
    for i in 0..steps {
        records.push(record(
            "step",
            format!("stap-{i}"),
            json!({"title": format!("Stap {i}: formulier invullen"), "instruction": "Vul het formulier in en stuur het op."}),
        ));
    }
    for i in 0..conditions {
        records.push(record(
            "condition",
            format!("voorwaarde-{i}"),
            json!({"text": format!("U bent {} jaar of ouder.", 16 + i % 10)}),
        ));
    }
    for i in 0..questions {
        records.push(record(
            "question",
            format!("vraag-{i}"),
            json!({"question": format!("Hoe lang duurt aanvraag {i}?"), "short_answer": "Meestal twee weken.", "answer": "Meestal twee weken. Soms langer."}),
        ));
    }
    for i in 0..products {
        let mut r = record(
            "product",
            format!("product-{i}"),
            json!({
                "title": format!("Product {i} aanvragen"),
                "summary": "U vraagt dit aan bij de gemeente. Dat kan online of aan de balie.",
                "owner_team": TEAMS[i as usize % TEAMS.len()],
                "introduction": "Met dit product regelt u iets bij de gemeente. Lees hieronder hoe het werkt.",
                "steps": [format!("stap-{}", i % steps), format!("stap-{}", (i + 1) % steps)],
            }),
        );
        if i % 7 == 0 {
            r.review_by = Some("2026-01-01".into());
        }
        if i % 20 == 0 {
            r.status = bron::domain::Status::Draft;
        }
        records.push(r);
    }
    let mut big = record(
        "product",
        "groot-product".into(),
        json!({
            "title": "Een product met vijftig verwijzingen",
            "summary": "Dit product verwijst naar twintig stappen, vijftien voorwaarden, tien vragen en vijf andere producten.",
            "owner_team": "Burgerzaken",
            "introduction": "Een lange inleiding. ".repeat(40),
            "procedure": "1. Eerst dit.\n2. Dan dat.\n3. Klaar. ".repeat(10),
            "steps": (0..20).map(|i| format!("stap-{i}")).collect::<Vec<_>>(),
            "conditions": (0..15).map(|i| format!("voorwaarde-{i}")).collect::<Vec<_>>(),
            "questions": (0..10).map(|i| format!("vraag-{i}")).collect::<Vec<_>>(),
            "related_products": (1..6).map(|i| format!("product-{i}")).collect::<Vec<_>>(),
        }),
    );
    big.review_by = Some("2026-06-01".into());
    records.push(big);
    // References name slugs in the generated records: resolve them to ids
    // the way `bron import` does.
    let report = hub.import(&Viewer::cli(), records).await.unwrap();
    hub.sync_index().await.unwrap();
    assert!(report.created as u64 > items, "{report:?}");
    hub
}

async fn send(app: &axum::Router, req: Request<Body>) -> (u16, Vec<u8>) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    (
        status,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

fn main() {
    let items = arg("--items", 10_000);
    let rounds = arg("--rounds", 200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let keep = std::env::var_os("BRON_BENCH_KEEP").is_some();
        let dir = tempfile::tempdir().unwrap();
        if std::env::var_os("BRON_BENCH_KEEP").is_some() {
            eprintln!("keeping the database in {}", dir.path().display());
        }
        let started = Instant::now();
        let hub = build(items, dir.path()).await;
        eprintln!(
            "{} items imported and indexed in {:.1} s",
            hub.item_count().await.unwrap(),
            started.elapsed().as_secs_f64()
        );
        hub.create_user(
            &Viewer::cli(),
            NewUser {
                name: "bench".into(),
                display_name: None,
                role: Role::Publisher,
                team: Some("Burgerzaken".into()),
                password: "een lang genoeg wachtwoord".into(),
            },
        )
        .await
        .unwrap();
        let session = hub.login("bench", "een lang genoeg wachtwoord", "bench").await.unwrap();
        let token = hub.create_token(&Viewer::cli(), "bench", Role::Editor).await.unwrap().secret;
        let api = Arc::new(bron::graphql::Api::new(hub.clone()).unwrap());
        let app = bron::http::app(api);
        let big = hub
            .get(
                &Viewer::cli(),
                "product",
                &bron::hub::ItemKey::Slug { locale: "nl".into(), slug: "groot-product".into() },
            )
            .await
            .unwrap()
            .unwrap()
            .id
            .clone();
        let cookie = format!("bron_session={}", session.key);
        let pages: Vec<(&str, String)> = vec![
            ("worklist (own team)", "/admin".into()),
            ("worklist (all teams)", "/admin?team=*".into()),
            ("product list", "/admin/product".into()),
            ("product list, one team", "/admin/product?team=Parkeren".into()),
            ("product list, search", "/admin/product?q=aanvragen".into()),
            ("new product form", "/admin/product/new".into()),
            ("edit form, 50 references", format!("/admin/product/{big}")),
            ("history", format!("/admin/product/{big}/geschiedenis")),
        ];
        // A different text each round (a comment), so the response cache
        // never answers it: the API's own work for the same item.
        let baseline = |round: u64| {
            json!({
                "query": format!("query($s: String!) {{ product(slug: $s) {{ title summary introduction procedure steps {{ title instruction }} conditions {{ text }} questions {{ question shortAnswer }} relatedProducts {{ title }} }} }} # {round}"),
                "variables": { "s": "groot-product" }
            })
            .to_string()
        };
        let mut times = vec![Vec::with_capacity(rounds as usize); pages.len() + 1];
        let mut sizes = vec![0usize; pages.len()];
        for round in 0..rounds + 5 {
            for (i, (_, path)) in pages.iter().enumerate() {
                let req = Request::get(path.as_str())
                    .header("cookie", &cookie)
                    .body(Body::empty())
                    .unwrap();
                let t = Instant::now();
                let (status, body) = send(&app, req).await;
                let took = t.elapsed();
                assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
                sizes[i] = body.len();
                if round >= 5 {
                    times[i].push(took);
                }
            }
            let req = Request::post("/graphql")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(baseline(round)))
                .unwrap();
            let t = Instant::now();
            let (status, body) = send(&app, req).await;
            let took = t.elapsed();
            assert_eq!(status, 200);
            if round == 0 {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert!(v.get("errors").is_none(), "{v}");
                let steps = v["data"]["product"]["steps"].as_array().map_or(0, Vec::len);
                assert_eq!(steps, 20, "{v}");
            }
            if round >= 5 {
                times[pages.len()].push(took);
            }
        }
        // Where the worklist's time goes: the hub's queries alone.
        let mut wl = Vec::new();
        for _ in 0..rounds.min(50) {
            let t = Instant::now();
            hub.worklist(&session.session.viewer, Some("Burgerzaken")).await.unwrap();
            wl.push(t.elapsed());
        }
        let base = pct(times[pages.len()].clone(), 0.5);
        println!(
            "admin pages at {} items, {rounds} rounds (median, p95; × = median / baseline median)",
            hub.item_count().await.unwrap()
        );
        println!(
            "  baseline: GraphQL read of the 50-reference product, uncached  {:>7.2} ms",
            base.as_secs_f64() * 1e3
        );
        println!(
            "  (of the worklist: the hub's five queries        {:>7.2} ms)",
            pct(wl, 0.5).as_secs_f64() * 1e3
        );
        for (i, (name, _)) in pages.iter().enumerate() {
            let med = pct(times[i].clone(), 0.5);
            let p95 = pct(times[i].clone(), 0.95);
            println!(
                "  {name:<28} {:>7.2} ms  p95 {:>7.2} ms  {:>5.1}×  {:>4} KB  {}",
                med.as_secs_f64() * 1e3,
                p95.as_secs_f64() * 1e3,
                med.as_secs_f64() / base.as_secs_f64(),
                sizes[i] / 1024,
                if med < Duration::from_millis(20) { "under 20 ms" } else { "OVER 20 ms" }
            );
        }
        if keep {
            let _ = dir.keep();
        }
    });
}
