//! `/metrics`: after real requests through the router, the text parses as
//! Prometheus's exposition format and the counters and histograms moved by
//! what was sent; it is served only by the metrics listener's application;
//! labels never carry what callers sent; counting can be turned off.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bron::graphql::Api;
use bron::hub::Role;
use http_body_util::BodyExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::support::{TestHub, example_hub};

const PAGE: &str = "query($s: String!) { product(slug: $s) { title } }";
const GET_PAGE: &str = "/graphql?query=%7Bproduct(slug%3A%22paspoort-aanvragen%22)%7Btitle%7D%7D";

/// Samples by `name{label="value",…}` with the labels sorted.
type Samples = HashMap<String, f64>;

fn series(name: &str, labels: &[(&str, &str)]) -> String {
    let mut labels = labels.to_vec();
    labels.sort();
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && !n.starts_with(|c: char| c.is_ascii_digit())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses the text format strictly enough to catch what a scraper refuses:
/// every sample belongs to a declared family, names and labels are well
/// formed, values are numbers, and histogram buckets grow up to `+Inf`,
/// which equals `_count`.
fn parse(text: &str) -> Samples {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut out = Samples::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect(line);
            assert!(valid_name(name), "{line}");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(types.insert(name.into(), kind.into()).is_none(), "{line}");
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(!line.starts_with('#'), "{line}");
        let (head, value) = line.rsplit_once(' ').expect(line);
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("{line}"));
        let (name, labels) = match head.split_once('{') {
            Some((n, rest)) => (n, rest.strip_suffix('}').expect(line)),
            None => (head, ""),
        };
        assert!(valid_name(name), "{line}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "no TYPE before {line}");
        let mut pairs = Vec::new();
        for pair in labels.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').expect(line);
            assert!(valid_name(k), "{line}");
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            pairs.push((k, v.expect(line)));
        }
        assert!(out.insert(series(name, &pairs), value).is_none(), "{line}");
    }
    // Buckets grow, and +Inf is the count.
    for (name, kind) in &types {
        if kind != "histogram" {
            continue;
        }
        let counts: Vec<(&String, &f64)> = out
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{name}_count")))
            .collect();
        assert!(!counts.is_empty(), "{name} has no _count");
        for (count_key, count) in counts {
            let labels = &count_key[format!("{name}_count").len()..];
            let mut buckets: Vec<(f64, f64)> = out
                .iter()
                .filter_map(|(k, v)| {
                    let rest = k.strip_prefix(&format!("{name}_bucket{{"))?;
                    let (le, others) = split_le(rest);
                    (format!("{{{others}") == *labels || (others == "}" && labels == "{}"))
                        .then_some((le, *v))
                })
                .collect();
            buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
            assert!(buckets.len() > 10, "{name}{labels}: {buckets:?}");
            assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{name}");
            assert_eq!(buckets.last().unwrap(), &(f64::INFINITY, *count));
        }
    }
    out
}

/// `le` out of a bucket's sorted labels (`le` sorts among them).
fn split_le(labels: &str) -> (f64, String) {
    let mut le = f64::NAN;
    let others: Vec<&str> = labels
        .trim_end_matches('}')
        .split(',')
        .filter(|p| {
            if let Some(v) = p.strip_prefix("le=\"") {
                let v = v.trim_end_matches('"');
                le = if v == "+Inf" {
                    f64::INFINITY
                } else {
                    v.parse().unwrap()
                };
                false
            } else {
                !p.is_empty()
            }
        })
        .collect();
    (le, format!("{}}}", others.join(",")))
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn post(body: serde_json::Value, token: Option<&str>) -> Request<Body> {
    let mut r = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    r.body(Body::from(body.to_string())).unwrap()
}

fn get(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut r = Request::get(path).header("accept", "application/json");
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Body::empty()).unwrap()
}

async fn scrape(t: &TestHub) -> (String, Samples) {
    let app = bron::http::metrics_app(Arc::new(Api::new(t.hub.clone()).unwrap()));
    let (status, headers, text) = send(&app, get("/metrics", &[])).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        headers.get("content-type").unwrap(),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let samples = parse(&text);
    (text, samples)
}

fn at(s: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    *s.get(&series(name, labels))
        .unwrap_or_else(|| panic!("no {}", series(name, labels)))
}

fn requests(s: &Samples, kind: &str, outcome: &str) -> f64 {
    at(
        s,
        "bron_http_requests_total",
        &[("kind", kind), ("outcome", outcome)],
    )
}

#[tokio::test]
async fn real_requests_move_the_counters_and_histograms() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let (_, before) = scrape(&t).await;
    let writes_before = at(&before, "bron_store_write_duration_seconds_count", &[]);
    assert!(writes_before >= 2.0, "the import and the token were writes");

    // Two queries for one page: a miss, then a hit.
    let page = json!({"query": PAGE, "variables": {"s": "geheim-variabele-42"}});
    for _ in 0..2 {
        assert_eq!(
            send(&t.app, post(page.clone(), None)).await.0,
            StatusCode::OK
        );
    }
    // A mutation with a token.
    let create = json!({"query": "mutation { createStep(fields: {title: \"Geheime titel\", instruction: \"x\"}) { changeSeq } }"});
    let (status, _, body) = send(&t.app, post(create, Some(&editor))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An anonymous GET, then the same with its ETag: 304.
    let (_, h, _) = send(&t.app, get(GET_PAGE, &[])).await;
    let tag = h.get("etag").unwrap().to_str().unwrap().to_string();
    let (status, _, _) = send(&t.app, get(GET_PAGE, &[("if-none-match", &tag)])).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    // A batch of two.
    let batch = json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]);
    assert_eq!(send(&t.app, post(batch, None)).await.0, StatusCode::OK);
    // A persisted query: registered with its text, then by hash alone.
    let hash: String = Sha256::digest(PAGE.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    let vars = json!({"s": "paspoort-aanvragen"});
    let register = json!({"query": PAGE, "variables": vars, "extensions": ext});
    let by_hash = json!({"variables": vars, "extensions": ext});
    for body in [register, by_hash] {
        let (status, _, text) = send(&t.app, post(body, None)).await;
        assert!(
            status == StatusCode::OK && text.contains("Paspoort"),
            "{text}"
        );
    }
    // A document that does not parse: 200 under application/json, but
    // refused as a whole.
    let (status, _, _) = send(&t.app, post(json!({"query": "{ product("}), None)).await;
    assert_eq!(status, StatusCode::OK);
    // The rest: health, an unknown path, the editor's login page.
    send(&t.app, get("/healthz", &[])).await;
    send(&t.app, get("/nergens", &[])).await;
    let (status, _, _) = send(&t.app, get("/admin/login", &[])).await;
    assert_eq!(status, StatusCode::OK);

    t.hub.follow_store().await.unwrap();
    let (text, after) = scrape(&t).await;
    let moved = |kind, outcome| requests(&after, kind, outcome) - requests(&before, kind, outcome);
    assert_eq!(moved("query", "ok"), 3.0, "two POSTs and one GET");
    assert_eq!(moved("query", "not_modified"), 1.0);
    assert_eq!(moved("query", "client_error"), 1.0);
    assert_eq!(moved("mutation", "ok"), 1.0);
    assert_eq!(moved("batch", "ok"), 1.0);
    assert_eq!(moved("persisted", "ok"), 2.0);
    assert_eq!(moved("admin", "ok"), 1.0);
    assert_eq!(moved("other", "ok"), 1.0);
    assert_eq!(moved("other", "client_error"), 1.0);
    assert_eq!(moved("mutation", "server_error"), 0.0);
    // The histogram counted the same requests.
    let kinds = ["query", "mutation", "batch", "persisted", "admin", "other"];
    for kind in kinds {
        let counted: f64 = ["ok", "client_error", "server_error", "not_modified"]
            .iter()
            .map(|o| requests(&after, kind, o))
            .sum();
        let count = at(
            &after,
            "bron_http_request_duration_seconds_count",
            &[("kind", kind)],
        );
        assert_eq!(counted, count, "{kind}");
    }
    assert!(
        at(
            &after,
            "bron_http_request_duration_seconds_sum",
            &[("kind", "query")]
        ) > 0.0
    );
    // The cache: per pair of like requests a miss then a hit (the POSTed
    // page twice; the batch's two operations; the registration and the
    // hash alone), and the GET's miss: its 304 is answered from the tag
    // before the cache is asked. The mutation and the document that did
    // not parse are not lookups.
    let lookups = |r| {
        at(
            &after,
            "bron_response_cache_lookups_total",
            &[("result", r)],
        ) - at(
            &before,
            "bron_response_cache_lookups_total",
            &[("result", r)],
        )
    };
    assert_eq!((lookups("hit"), lookups("miss")), (3.0, 4.0), "{text}");
    assert!(at(&after, "bron_response_cache_bytes", &[]) >= 0.0);
    // One more store write, and the sequences.
    let writes = at(&after, "bron_store_write_duration_seconds_count", &[]);
    assert_eq!(writes - writes_before, 1.0);
    assert_eq!(at(&after, "bron_change_seq", &[]), t.hub.seq() as f64);
    assert_eq!(
        at(
            &after,
            "bron_follower_lag_entries",
            &[("follower", "caches")]
        ),
        0.0
    );
    // Nothing a caller sent is in a label.
    for secret in [
        editor.as_str(),
        "geheim-variabele-42",
        "Geheime titel",
        "product(",
    ] {
        assert!(!text.contains(secret), "`{secret}` is in /metrics");
    }
}

#[tokio::test]
async fn metrics_are_served_only_by_their_own_listener() {
    let t = example_hub().await;
    let (status, _, _) = send(&t.app, get("/metrics", &[])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "never on the API's port");
    let (text, _) = scrape(&t).await;
    assert!(text.contains("# TYPE bron_http_requests_total counter"));
    let app = bron::http::metrics_app(Arc::new(Api::new(t.hub.clone()).unwrap()));
    let (status, _, _) = send(&app, get("/graphql?query=%7B__typename%7D", &[])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "and nothing else there");
}

#[tokio::test]
async fn counting_and_the_request_log_can_be_turned_off() {
    let t = example_hub().await;
    let api = Arc::new(Api::new(t.hub.clone()).unwrap());
    let options = bron::http::HttpOptions {
        log_requests: false,
        metrics: false,
        ..Default::default()
    };
    let app = bron::http::app_with(api, options);
    let (_, before) = scrape(&t).await;
    let (status, headers, _) = send(&app, get(GET_PAGE, &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-request-id").is_none(), "no log, no id");
    let (_, after) = scrape(&t).await;
    assert_eq!(
        requests(&after, "query", "ok"),
        requests(&before, "query", "ok")
    );
    // The hub's own counts go on.
    let misses = |s: &Samples| {
        at(
            s,
            "bron_response_cache_lookups_total",
            &[("result", "miss")],
        )
    };
    assert_eq!(misses(&after) - misses(&before), 1.0);
}

#[tokio::test]
async fn scheduler_runs_are_counted() {
    let t = example_hub().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scheduler = bron::server::spawn_scheduler(t.hub.clone(), stopped);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.send(true).unwrap();
    scheduler.await.unwrap();
    let (_, s) = scrape(&t).await;
    let runs = |task, outcome| {
        at(
            &s,
            "bron_scheduler_runs_total",
            &[("task", task), ("outcome", outcome)],
        )
    };
    assert!(runs("schedules", "ok") >= 1.0);
    assert_eq!(runs("handovers", "ok"), 1.0, "once a minute, first at once");
    assert_eq!(runs("schedules", "failed"), 0.0);
}
