//! The cost of the request log and the metrics: the cached product page
//! with both on, each alone, and neither, through the router in process and
//! over loopback HTTP, the variants in turns so drift hits all alike. Used
//! by `bench.rs`.

use std::sync::Arc;
use std::time::Instant;

use super::{Figures, arg, measure, post};

pub const ON_OFF: &str = "cached page, request log and metrics on vs off";

/// The cached page with the request log and metrics on (`/on`), each alone
/// (`/log`, `/count`) and neither (`/off`), in turns (`--rounds`, 3 by
/// default), so drift hits all four alike.
pub async fn over_http(addr: std::net::SocketAddr, secs: f64, body: &str) {
    let rounds = arg("--rounds", 3);
    println!("\n{ON_OFF}, {rounds} rounds in turns:");
    let variants = [
        ("both on", "/on/graphql"),
        ("log only", "/log/graphql"),
        ("metrics only", "/count/graphql"),
        ("both off", "/off/graphql"),
    ];
    let mut figures: Vec<Vec<Figures>> = vec![Vec::new(); variants.len()];
    for _ in 0..rounds {
        for (i, (_, path)) in variants.iter().enumerate() {
            let req = post(path, body);
            figures[i].push(measure(addr, secs, Arc::new(move |_| req.clone())).await);
        }
    }
    let mean =
        |v: &[Figures], f: fn(&Figures) -> f64| v.iter().map(f).sum::<f64>() / v.len() as f64;
    let off = &figures[variants.len() - 1];
    let (off_rps, off_us) = (mean(off, |f| f.rps_10), mean(off, |f| f.server_us));
    for ((name, _), v) in variants.iter().zip(&figures) {
        let each: Vec<String> = v.iter().map(|f| format!("{:.0}", f.rps_10)).collect();
        println!(
            "  {name:<12} p50 {:.3} ms, 10 clients {:.0}/s (rounds: {}) = {:.3} x off; server {:.2} µs a request = {:.3} x off",
            mean(v, |f| f.p50_us) / 1000.0,
            mean(v, |f| f.rps_10),
            each.join(", "),
            mean(v, |f| f.rps_10) / off_rps,
            mean(v, |f| f.server_us),
            mean(v, |f| f.server_us) / off_us
        );
    }
}

/// The cached page through the router in process, no network: what the
/// request log and the metrics add to the server's own work, measured
/// without the loopback's noise. Variants in turns, the best round of each.
pub async fn in_process(api: Arc<bron::graphql::Api>, body: &str) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let options = |log_requests, metrics| bron::http::HttpOptions {
        log_requests,
        metrics,
        ..Default::default()
    };
    let variants = [
        ("both on", options(true, true)),
        ("log only", options(true, false)),
        ("metrics only", options(false, true)),
        ("both off", options(false, false)),
    ];
    let apps: Vec<axum::Router> = variants
        .iter()
        .map(|(_, o)| bron::http::app_with(api.clone(), o.clone()))
        .collect();
    let n = 20_000;
    let rounds = arg("--rounds", 3) + 2;
    let mut best = vec![f64::MAX; apps.len()];
    for _ in 0..rounds {
        for (i, app) in apps.iter().enumerate() {
            let t = Instant::now();
            for _ in 0..n {
                let req = axum::http::Request::post("/graphql")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let resp = app.clone().oneshot(req).await.unwrap();
                std::hint::black_box(resp.into_body().collect().await.unwrap());
            }
            best[i] = best[i].min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
        }
    }
    println!("cached page through the router in process (best of {rounds} rounds of {n}):");
    let off = best[best.len() - 1];
    for ((name, _), us) in variants.iter().zip(&best) {
        println!(
            "  {name:<12} {us:.2} µs a request, {:+.2} µs = {:.3} x off",
            us - off,
            us / off
        );
    }
    // Recording alone: one counter and one histogram sample.
    let metrics = api.hub().metrics();
    let (kind, outcome) = (
        bron::metrics::RequestKind::Query,
        bron::metrics::Outcome::Ok,
    );
    let t = Instant::now();
    for i in 0..1_000_000u32 {
        metrics.request(kind, outcome, f64::from(i % 100) * 1e-5);
    }
    let ns = t.elapsed().as_secs_f64() * 1e9 / 1e6;
    metrics.upkeep();
    println!("  recording one request in the metrics alone: {ns:.0} ns");
    println!();
}
