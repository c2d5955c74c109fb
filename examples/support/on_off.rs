//! The cost of the request log and the metrics: the cached product page
//! with both on, each alone, and neither, through the router in process and
//! over loopback HTTP, the variants in turns so drift hits all alike. Used
//! by `bench.rs`.

use std::sync::Arc;
use std::time::Instant;

use super::{arg, median, post, ten_clients};

pub const ON_OFF: &str = "cached page, request log and metrics on vs off";

/// The cached page with ten clients, with the request log and metrics on
/// (`/on`), each alone (`/log`, `/count`) and neither (`/off`, and `/off2`
/// to show how far two identical variants differ): short
/// slices of a quarter of `secs` in turns, four per `--rounds` (3 by
/// default), each turn starting one variant later so that neither drift
/// nor order favours one; medians of the slices. `added_us`: what the log
/// and metrics add to a request through the router in process
/// (`in_process`), put against the server's whole CPU time per request here.
pub async fn over_http(addr: std::net::SocketAddr, secs: f64, body: &str, added_us: f64) {
    let slices = 4 * arg("--rounds", 3) as usize;
    let slice = secs / 4.0;
    println!("\n{ON_OFF}, ten clients, {slices} slices of {slice:.1} s in turns, medians:");
    let variants = [
        ("both on", "/on/graphql"),
        ("log only", "/log/graphql"),
        ("metrics only", "/count/graphql"),
        (
            "both off, again (the measure's own spread)",
            "/off2/graphql",
        ),
        ("both off", "/off/graphql"),
    ];
    let mut figures: Vec<Vec<(f64, f64)>> = vec![Vec::new(); variants.len()];
    for turn in 0..slices {
        for k in 0..variants.len() {
            let i = (turn + k) % variants.len();
            let req = post(variants[i].1, body);
            figures[i].push(ten_clients(addr, slice, Arc::new(move |_| req.clone())).await);
        }
    }
    let median = |v: &[(f64, f64)], f: fn(&(f64, f64)) -> f64| median(v.iter().map(f).collect());
    let off = &figures[variants.len() - 1];
    let (off_rps, off_us) = (median(off, |f| f.0), median(off, |f| f.1));
    for ((name, _), v) in variants.iter().zip(&figures) {
        let (rps, us) = (median(v, |f| f.0), median(v, |f| f.1));
        println!(
            "  {name:<44} {rps:.0} requests/s = {:.3} x off; server {us:.2} µs a request = {:.3} x off",
            rps / off_rps,
            us / off_us
        );
    }
    // Two identical variants differ by as much as the log and metrics cost,
    // so their share is also taken from the steady in-process figure.
    let on_us = median(&figures[0], |f| f.1);
    println!(
        "  their share: +{added_us:.2} µs a request in process, against {on_us:.2} µs of server \
         CPU a request over HTTP with both on = {:.1}% of the work (throughput {:.3} x off)",
        100.0 * added_us / on_us,
        1.0 - added_us / on_us
    );
}

/// The cached page through the router in process, no network: what the
/// request log and the metrics add to the server's own work, measured
/// without the loopback's noise. Variants in turns, the best round of each.
/// Returns what both together add to a request, in µs.
pub async fn in_process(api: Arc<bron::graphql::Api>, body: &str) -> f64 {
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
    best[0] - off
}
