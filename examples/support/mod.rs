//! What both benchmarks need: command-line numbers, a minimal keep-alive
//! HTTP client, the server on loopback, the measuring loop (one client,
//! then ten), and the process's memory. Included by `bench.rs` and `search_bench.rs` with
//! `#[path]`; each uses part of it.
#![allow(dead_code)]

pub mod on_off;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bron::domain::Status;
use bron::graphql::Api;
use bron::hub::{ImportRecord, MatchBy};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A published Dutch item for an import, as the benchmarks generate them.
pub fn record(type_name: &str, slug: String, fields: Value) -> ImportRecord {
    ImportRecord {
        file: "generated".into(),
        line: 0,
        type_name: type_name.into(),
        slug,
        locale: "nl".into(),
        status: Status::Published,
        external_id: None,
        review_by: Some("2027-01-01".into()),
        fields: fields.as_object().cloned().unwrap_or_else(Map::new),
        match_by: MatchBy::Slug,
    }
}

pub fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A minimal HTTP/1.1 keep-alive client: enough for a benchmark, no more.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    body_at: usize,
}

/// The end of an answer's head: the blank line.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buf: Vec::with_capacity(64 * 1024),
            body_at: 0,
        }
    }

    /// Sends one request and reads its answer, which must be 200 (or 304,
    /// which has no body); the body's length.
    pub async fn request(&mut self, raw: &[u8]) -> usize {
        self.stream.write_all(raw).await.unwrap();
        self.buf.clear();
        loop {
            let mut chunk = [0u8; 16384];
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = head_end(&self.buf) {
                let head = std::str::from_utf8(&self.buf[..end])
                    .unwrap()
                    .to_ascii_lowercase();
                if head.starts_with("http/1.1 304") {
                    self.body_at = end + 4;
                    return 0;
                }
                assert!(head.starts_with("http/1.1 200"), "{head}");
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .expect("content-length");
                while self.buf.len() < end + 4 + len {
                    let n = self.stream.read(&mut chunk).await.unwrap();
                    self.buf.extend_from_slice(&chunk[..n]);
                }
                self.body_at = end + 4;
                return len;
            }
        }
    }

    /// The body of the last answer.
    pub fn body(&self) -> &[u8] {
        &self.buf[self.body_at..]
    }

    /// A header of the last answer (name in lower case).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = std::str::from_utf8(&self.buf[..head_end(&self.buf)?]).ok()?;
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// A GET with extra header lines (each ending in `\r\n`).
pub fn get(path_and_query: &str, headers: &str) -> Vec<u8> {
    format!(
        "GET {path_and_query} HTTP/1.1\r\nhost: bench\r\naccept: application/json\r\n{headers}\r\n"
    )
    .into_bytes()
}

/// A query-string value, percent-encoded.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[derive(Clone, Copy)]
pub struct Figures {
    pub p50_us: f64,
    pub p99_us: f64,
    pub rps_1: f64,
    pub rps_10: f64,
    /// CPU time the server's threads spent per request with ten clients,
    /// in µs: steadier than throughput when other work shares the machine.
    pub server_us: f64,
}

/// Nanoseconds on a CPU of every thread of this process but the main one
/// (where the load client runs): the server's share.
pub fn server_cpu_ns() -> u64 {
    let me = std::process::id().to_string();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter(|t| t.file_name().to_string_lossy() != me)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Builds request number i.
pub type MakeRequest = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// One client for `secs`, then ten clients for `secs`.
pub async fn measure(addr: std::net::SocketAddr, secs: f64, make: MakeRequest) -> Figures {
    let mut c = Client::connect(addr).await;
    for i in 0..200 {
        c.request(&make(i)).await;
    }
    let mut lat = Vec::new();
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed().as_secs_f64() < secs {
        let t = Instant::now();
        c.request(&make(i)).await;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        i += 1;
    }
    let rps_1 = lat.len() as f64 / start.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p50_us = lat[lat.len() / 2];
    let p99_us = lat[lat.len() * 99 / 100];
    let (rps_10, server_us) = ten_clients(addr, secs, make).await;
    Figures {
        p50_us,
        p99_us,
        rps_1,
        rps_10,
        server_us,
    }
}

/// Ten clients on keep-alive connections for `secs`: requests a second,
/// and the server's CPU time per request in µs.
pub async fn ten_clients(addr: std::net::SocketAddr, secs: f64, make: MakeRequest) -> (f64, f64) {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for t in 0..10u64 {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await;
            let mut n = 0u64;
            while Instant::now() < deadline {
                c.request(&make(t * 1_000_003 + n)).await;
                n += 1;
            }
            n
        }));
    }
    let start = Instant::now();
    let cpu = server_cpu_ns();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let rps = total as f64 / start.elapsed().as_secs_f64();
    let server_us = server_cpu_ns().saturating_sub(cpu) as f64 / 1e3 / total.max(1) as f64;
    (rps, server_us)
}

/// The middle of `xs` (the upper one of two).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

pub fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix(key)
                .map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

/// Serves `hub` on a loopback port: the API at `/graphql`, the same without
/// the response cache under `/nocache`, the cached API again under `/on`
/// (request log and metrics, as `/graphql`), `/log` (the log alone),
/// `/count` (the metrics alone), `/off` and `/off2` (neither), and
/// `fixed` as a JSON answer at `/fixed` (the baseline), and again behind
/// the request log and the metrics at `/layered/fixed`. Returns the address
/// and the two APIs.
pub async fn serve(
    hub: Arc<bron::hub::Hub>,
    fixed: &'static str,
) -> (std::net::SocketAddr, Arc<Api>, Arc<Api>) {
    // Runs for the life of the benchmark: the sender is kept, never used.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    std::mem::forget(stop);
    bron::server::spawn_metrics_upkeep(hub.clone(), stopped);
    let cached = Arc::new(Api::new(hub.clone()).unwrap());
    let uncached = Arc::new(Api::new(hub).unwrap().without_cache());
    let options = |log_requests, metrics| bron::http::HttpOptions {
        log_requests,
        metrics,
        ..Default::default()
    };
    let app = bron::http::app(cached.clone())
        .nest("/nocache", bron::http::app(uncached.clone()))
        .nest("/on", bron::http::app(cached.clone()))
        .nest(
            "/log",
            bron::http::app_with(cached.clone(), options(true, false)),
        )
        .nest(
            "/count",
            bron::http::app_with(cached.clone(), options(false, true)),
        )
        .nest(
            "/off",
            bron::http::app_with(cached.clone(), options(false, false)),
        )
        .nest(
            "/off2",
            bron::http::app_with(cached.clone(), options(false, false)),
        )
        .route(
            "/fixed",
            axum::routing::post(
                move || async move { ([("content-type", "application/json")], fixed) },
            ),
        )
        .route_service("/layered/fixed", {
            // The same handler behind what every route of Bron's router
            // has around it, as `bron::http::app` puts it there: the request
            // log and the metrics around a router.
            let fixed = axum::Router::new().route(
                "/layered/fixed",
                axum::routing::post(move || async move {
                    ([("content-type", "application/json")], fixed)
                }),
            );
            let observe = bron::http::log::ObserveLayer(Arc::new(bron::http::log::Observe {
                api: cached.clone(),
                log: true,
                count: true,
            }));
            tower::Layer::layer(&observe, fixed)
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, cached, uncached)
}
