//! The search benchmark: loads the example content plus published questions
//! whose text comes from Dutch statutes (real sentences, so the vocabulary is
//! a realistic size), through the import path with the search index open, and
//! measures
//! - import with indexing, a full rebuild of the index from the store, and
//!   the index size on disk;
//! - `search(query:, first: 10)` over loopback HTTP against the real router
//!   without the response cache, with one client and with ten, rotating
//!   through 30 queries a citizen might type; a handler that returns fixed
//!   bytes, served by the same server, is the baseline, also measured from
//!   one client while ten others search (searches run on blocking threads,
//!   so they should not hold up other requests);
//! - the same queries in process: the index alone, the hub's search (index
//!   plus the items it returns), and SQLite FTS5 over the same text as a
//!   baseline (BM25 and a snippet, no stemming, synonyms or typo tolerance);
//! - one publish mutation, bringing the index up to date before it returns,
//!   and the index alone again after 200 of them (each commits a segment);
//! - the process's own memory after each phase and at the end.
//!
//! Absolute times on shared 2-core machines drift by 20% or more between
//! runs: compare the ratios to the baselines, which are measured in the same
//! run.
//!
//! ```sh
//! cargo run --release --example search_bench                  # 10,000 items
//! cargo run --release --example search_bench -- --items 1000 --seconds 2
//! cargo run --release --example search_bench -- --laws ../shared/data/laws
//! cargo run --release --example search_bench -- --profile index --seconds 10  # one part, for perf
//! cargo run --release --example search_bench -- --data-dir /tmp/s10k       # keep the data for `bron serve`
//! ```
//!
//! The statutes are read from `--laws DIR` (default `../shared/data/laws`):
//! `*.jsonl.gz` files of one law per line (`title`, `category`, `sections`
//! with `heading` and `text`), decompressed with the `gzip` program. Run it
//! from the project directory (it reads `content-model` and
//! `examples/content`).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bron::hub::{Hub, ImportRecord, NewItem, SearchQuery, Viewer};
use bron::import::{ImportOptions, import_path};
use bron::model::ContentModel;
use bron::search::SearchRequest;
use bron::store::Store;
use serde_json::{Map, Value, json};
use sqlx::Row;

#[path = "support/mod.rs"]
mod support;
use support::{Client, Figures, MakeRequest, arg, measure, post, record, status_kb};

const SEARCH: &str = "query($q: String!) { search(query: $q, first: 10) { totalCount hits { score snippet item { id } } } }";

/// What citizens type into a municipality's search box, and words from the
/// statutes the generated questions are made of. Two have a typo on purpose.
const QUERIES: &[&str] = &[
    "paspoort kwijt",
    "hoe vraag ik een nieuw paspoort aan",
    "verhuizing doorgeven",
    "afvalpas",
    "rijbewijs verlengen",
    "bijstand aanvragen",
    "wat kost een id kaart",
    "uittreksel brp",
    "parkeervergunning aanvragen",
    "grofvuil laten ophalen",
    "trouwen in de gemeente",
    "aangifte geboorte",
    "paspoord kwijt",
    "verhuisen naar een andere gemeente",
    "huurprijs woonruimte verlagen",
    "erfrecht testament",
    "alimentatie na scheiding",
    "bezwaar maken tegen een besluit",
    "geluidhinder wegverkeer",
    "milieuvergunning inrichting",
    "ondertoezichtstelling minderjarigen",
    "inschrijving basisregistratie personen",
    "gebruik van meststoffen",
    "kenteken voertuig overschrijven",
    "faillissement schuldeisers",
    "onderzoek naar de rijvaardigheid",
    "ontslag uitkering overheidspersoneel",
    "verzoek openbaarheid van bestuur",
    "pacht van landbouwgrond",
    "griffierecht rechtbank",
];

fn arg_str(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

/// One article (or chapter) of a statute.
struct Section {
    law: String,
    category: String,
    heading: String,
    text: String,
}

/// `count` sections of at least 120 characters, spread evenly over every law
/// in `dir`, in one pass with memory for at most twice as many: every
/// `step`-th section is kept, and when the kept ones reach twice the count,
/// every other one is dropped and the step doubles.
fn law_sections(dir: &Path, count: usize) -> Vec<Section> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the statutes in {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.jsonl.gz in {}", dir.display());
    let want = count.max(1);
    let mut kept = Vec::new();
    let mut step = 1usize;
    let mut seen = 0usize;
    for file in files {
        let mut child = std::process::Command::new("gzip")
            .arg("-dc")
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the gzip program");
        let out = std::io::BufReader::new(child.stdout.take().expect("gzip's output"));
        for line in out.lines() {
            let line = line.expect("a line of decompressed JSON");
            let Ok(law) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            let title = law["title"].as_str().unwrap_or_default();
            let category = law["category"].as_str().unwrap_or_default();
            for s in law["sections"].as_array().into_iter().flatten() {
                let text = s["text"].as_str().unwrap_or_default();
                if plain(text).chars().count() < 120 {
                    continue;
                }
                if seen.is_multiple_of(step) {
                    kept.push(Section {
                        law: title.to_string(),
                        category: category.to_string(),
                        heading: s["heading"].as_str().unwrap_or_default().to_string(),
                        text: text.to_string(),
                    });
                    if kept.len() >= 2 * want {
                        let mut i = 0;
                        kept.retain(|_| {
                            i += 1;
                            i % 2 == 1
                        });
                        step *= 2;
                    }
                }
                seen += 1;
            }
        }
        assert!(child.wait().expect("gzip").success(), "gzip failed");
    }
    assert!(!kept.is_empty(), "no usable sections in {}", dir.display());
    if kept.len() > count {
        let stride = kept.len() as f64 / count as f64;
        let mut picked = Vec::with_capacity(count);
        let mut slots: Vec<Option<Section>> = kept.into_iter().map(Some).collect();
        for i in 0..count {
            picked.push(slots[(i as f64 * stride) as usize].take().unwrap());
        }
        picked
    } else {
        kept
    }
}

/// The text as one line: words separated by single spaces, the `#` marks the
/// source puts before sub-headings dropped.
fn plain(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.trim_start_matches('#'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text as Markdown paragraphs: lines trimmed, sub-heading marks dropped,
/// runs of blank lines made one.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = plain(line);
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("\n\n");
            blank = false;
        } else if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
    }
    out
}

/// The sentences of a plain text, at least 25 characters each (so `1.` and
/// `a.` of an enumeration stay with what follows), the enumeration mark at the
/// start of a sentence dropped.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        let at_end = chars.peek().is_none_or(|n| n.is_whitespace());
        if matches!(c, '.' | ';' | '?' | '!') && at_end && current.chars().count() >= 25 {
            out.push(without_number(current.trim()).to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(without_number(current.trim()).to_string());
    }
    out
}

fn without_number(s: &str) -> &str {
    match s.split_once(' ') {
        Some((mark, rest))
            if mark.len() <= 4
                && mark.ends_with('.')
                && (mark.starts_with(|c: char| c.is_ascii_digit()) || mark.len() == 2) =>
        {
            rest.trim_start()
        }
        _ => s,
    }
}

/// At most `max` characters, cut at a word with `…` when it is longer.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    if let Some(space) = out.rfind(' ') {
        out.truncate(space);
    }
    out.push('…');
    out
}

/// The name a statute is cited by: the part in brackets at the end of its
/// title when there is one (`… (Wet basisregistratie personen)`).
fn short_name(title: &str) -> &str {
    let title = title.trim();
    match (title.strip_suffix(')'), title.rfind('(')) {
        (Some(inner), Some(open)) if open + 1 < inner.len() => &inner[open + 1..],
        _ => title,
    }
}

/// A published question made of one section of a statute: its first
/// sentence as the question, the next few as the short answer, the whole
/// section as the answer.
fn law_question(i: usize, s: &Section) -> ImportRecord {
    let text = plain(&s.text);
    let sentences = sentences(&text);
    let question = cut(&sentences[0], 250);
    let mut short = String::new();
    for next in &sentences[1..] {
        if short.chars().count() + next.chars().count() + 1 > 600 {
            break;
        }
        if !short.is_empty() {
            short.push(' ');
        }
        short.push_str(next);
    }
    if short.is_empty() {
        short = cut(&plain(&s.law), 600);
    }
    let answer = cut(
        &format!("## {}\n\n{}", plain(&s.heading), paragraphs(&s.text)),
        20_000,
    );
    let name = plain(short_name(&s.law));
    let (theme, audience) = if s.category.eq_ignore_ascii_case("wet") {
        ("Wetten", "burger")
    } else {
        ("Algemene maatregelen van bestuur", "bedrijf")
    };
    record(
        "question",
        format!("wetsvraag-{i}"),
        json!({
            "question": question,
            "short_answer": short,
            "answer": answer,
            "phrasings": [cut(&name, 250), cut(&format!("{} {}", plain(&s.heading), name), 250)],
            "themes": [theme],
            "audience": [audience],
            "owner_team": "Juridische zaken",
        }),
    )
}

/// Query `q` as the hub asks the index for an anonymous caller: live
/// content, public fields, the default locale, the first 10 hits.
fn index_request(q: usize) -> SearchRequest {
    SearchRequest {
        text: QUERIES[q].to_string(),
        stage: bron::domain::Stage::Published,
        internal: false,
        types: Vec::new(),
        locale: Some("nl".into()),
        audience: Vec::new(),
        themes: Vec::new(),
        offset: 0,
        limit: 10,
    }
}

/// The latency of `probe` from one client while ten others send `load`, for
/// `secs`: p50 and p99 in µs, and the load's requests per second.
async fn under_load(
    addr: std::net::SocketAddr,
    secs: f64,
    load: MakeRequest,
    probe: Vec<u8>,
) -> (f64, f64, f64) {
    let mut c = Client::connect(addr).await;
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for t in 0..10u64 {
        let load = load.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await;
            let mut n = 0u64;
            while Instant::now() < deadline {
                c.request(&load(t * 1_000_003 + n)).await;
                n += 1;
            }
            n
        }));
    }
    let start = Instant::now();
    let mut lat = Vec::new();
    while Instant::now() < deadline {
        let t = Instant::now();
        c.request(&probe).await;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let rps = total as f64 / start.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (lat[lat.len() / 2], lat[lat.len() * 99 / 100], rps)
}

/// Bytes of the files under `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The segments of the index's last commit (from tantivy's `meta.json`): a
/// search looks each term up in every one.
fn segments(index_dir: &Path) -> usize {
    std::fs::read_to_string(index_dir.join("meta.json"))
        .ok()
        .and_then(|m| serde_json::from_str::<Value>(&m).ok())
        .and_then(|m| m["segments"].as_array().map(Vec::len))
        .unwrap_or(0)
}

fn rss_anon_mb() -> u64 {
    status_kb("RssAnon:") / 1024
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A query as an FTS5 expression: its words, each quoted, OR-ed, so that no
/// character typed can be FTS5 syntax.
fn fts_expression(q: &str) -> String {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Times `run(q)` for the queries in turn, round after round, for `secs`
/// (after one warm-up round); returns the times in µs per query.
async fn per_query<F, Fut>(secs: f64, mut run: F) -> Vec<Vec<f64>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    for q in 0..QUERIES.len() {
        run(q).await;
    }
    let mut times = vec![Vec::new(); QUERIES.len()];
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < secs {
        for (q, t) in times.iter_mut().enumerate() {
            let at = Instant::now();
            std::hint::black_box(run(q).await);
            t.push(at.elapsed().as_secs_f64() * 1e6);
        }
    }
    times
}

/// p50, p99 and mean over every query's times, in µs.
fn summary(times: &[Vec<f64>]) -> (f64, f64, f64) {
    let mut all: Vec<f64> = times.iter().flatten().copied().collect();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    (all[all.len() / 2], all[all.len() * 99 / 100], mean)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn main() {
    let items = arg("--items", 10_000) as usize;
    let secs = arg("--seconds", 3) as f64;
    let laws = PathBuf::from(arg_str("--laws", "../shared/data/laws"));
    let examples = Path::new("examples/content");
    let example_count: usize = bron::import::files_of(examples)
        .unwrap()
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
        })
        .sum();
    let generated = items.saturating_sub(example_count).max(1);

    let t = Instant::now();
    let sections = law_sections(&laws, generated);
    let records: Vec<ImportRecord> = (0..generated)
        .map(|i| law_question(i, &sections[i % sections.len()]))
        .collect();
    drop(sections);
    let text_bytes: usize = records
        .iter()
        .map(|r| Value::Object(r.fields.clone()).to_string().len())
        .sum();
    println!(
        "content: {example_count} example items + {generated} questions from {} ({:.1} MB of field JSON, {:.0} bytes a question), read in {:.2} s",
        laws.display(),
        mb(text_bytes as u64),
        text_bytes as f64 / generated as f64,
        t.elapsed().as_secs_f64()
    );

    // RssAnon after each phase: the process's own memory, freed memory that
    // the allocator keeps included.
    let mut rss: Vec<(&str, u64)> = vec![("content read", rss_anon_mb())];
    // `--data-dir D` keeps the database and index (D must not exist yet),
    // e.g. to start `bron serve` on them afterwards; else a temporary one.
    let dir = tempfile::tempdir().unwrap();
    let data_dir = match arg_str("--data-dir", "") {
        d if d.is_empty() => dir.path().to_path_buf(),
        d => {
            assert!(!Path::new(&d).exists(), "--data-dir {d} exists already");
            PathBuf::from(d)
        }
    };
    let index_dir = data_dir.join(bron::server::INDEX_DIR);

    // The server runs on one worker thread; the load client on its own thread.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (hub, addr, uncached) = server_rt.block_on(async {
        let model_dir = Path::new("content-model");
        let model = ContentModel::load(model_dir).unwrap();
        let store = Store::open(&data_dir.join(bron::server::DB_FILE))
            .await
            .unwrap();
        let hub = Arc::new(Hub::new(Arc::new(model), store).await.unwrap());
        bron::server::open_search(&hub, &data_dir, model_dir)
            .await
            .unwrap();

        let t = Instant::now();
        let report = import_path(&hub, &Viewer::cli(), examples, ImportOptions::default())
            .await
            .unwrap();
        println!(
            "import of the example content with indexing: {} items in {:.3} s",
            report.created,
            t.elapsed().as_secs_f64()
        );
        let n = records.len();
        let t = Instant::now();
        let report = hub.import(&Viewer::cli(), records).await.unwrap();
        let import_secs = t.elapsed().as_secs_f64();
        assert_eq!(report.created, n);
        let index = hub.search_index().unwrap();
        println!(
            "import with indexing: {n} questions in {import_secs:.2} s = {:.0} items/s (one hub.import, published); index: {} documents, {} segments, {:.1} MB on disk",
            n as f64 / import_secs,
            index.num_docs(),
            segments(&index_dir),
            mb(dir_bytes(&index_dir))
        );
        rss.push(("import", rss_anon_mb()));

        let t = Instant::now();
        let count = hub.rebuild_index().await.unwrap();
        let rebuild_secs = t.elapsed().as_secs_f64();
        println!(
            "full rebuild from the store: {count} items in {rebuild_secs:.2} s = {:.0} items/s; index: {} documents, {} segments, {:.1} MB on disk",
            count as f64 / rebuild_secs,
            index.num_docs(),
            segments(&index_dir),
            mb(dir_bytes(&index_dir))
        );
        rss.push(("rebuild", rss_anon_mb()));

        let (addr, _, uncached) = support::serve(hub.clone(), FIXED).await;
        (hub, addr, uncached)
    });

    // In process: the index alone, the hub's search, and FTS5 over the same
    // text in its own SQLite file.
    let index_before = server_rt.block_on(async {
        let t = Instant::now();
        let fts_path = data_dir.join("fts.db");
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&fts_path)
                    .create_if_missing(true),
            )
            .await
            .unwrap();
        sqlx::query(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')",
        )
        .execute(&pool)
        .await
        .expect("FTS5 in the bundled SQLite");
        let mut tx = pool.begin().await.unwrap();
        let mut docs = 0;
        for row in hub.export_rows(&Viewer::cli()).await.unwrap() {
            let Some(content) = row.published_fields.as_deref() else {
                continue;
            };
            let ty = hub.model().get(&row.type_name).unwrap();
            let fields: Map<String, Value> = serde_json::from_str(content).unwrap();
            let mut title = String::new();
            let mut body = Vec::new();
            for f in ty.fields.iter().filter(|f| f.search.is_some()) {
                let text = match fields.get(&f.name) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    _ => continue,
                };
                if f.name == ty.title_field {
                    title = text;
                } else {
                    body.push(text);
                }
            }
            if title.is_empty() && body.is_empty() {
                continue;
            }
            sqlx::query("INSERT INTO docs (id, title, body) VALUES (?, ?, ?)")
                .bind(&row.id)
                .bind(title)
                .bind(body.join("\n"))
                .execute(&mut *tx)
                .await
                .unwrap();
            docs += 1;
        }
        tx.commit().await.unwrap();
        println!(
            "FTS5 baseline: {docs} documents (the live searchable fields) built in {:.2} s, {:.1} MB on disk",
            t.elapsed().as_secs_f64(),
            mb(std::fs::metadata(&fts_path).map_or(0, |m| m.len()))
        );

        let index = hub.search_index().unwrap();
        // `--profile index|hub|graphql`: only that, for `--seconds`, for `perf`.
        let only = arg_str("--profile", "");
        // Others run one warm-up round only.
        let secs_of = |name: &str| {
            if only.is_empty() || only == name {
                secs
            } else {
                0.0
            }
        };
        let index_times = per_query(secs_of("index"), |q| {
            let r = index.search(&index_request(q)).unwrap();
            std::future::ready(r.hits.len())
        })
        .await;
        let hub_times = per_query(secs_of("hub"), |q| {
            let hub = hub.clone();
            async move {
                let query = SearchQuery {
                    text: QUERIES[q].to_string(),
                    first: 10,
                    ..Default::default()
                };
                let page = hub.search(&Viewer::anonymous(), query).await.unwrap();
                page.items.len()
            }
        })
        .await;
        let graphql_times = per_query(secs_of("graphql"), |q| {
            let uncached = uncached.clone();
            async move {
                let request = async_graphql::Request::new(SEARCH)
                    .variables(async_graphql::Variables::from_json(json!({"q": QUERIES[q]})));
                let answer = uncached.execute(Viewer::anonymous(), request).await;
                std::hint::black_box(answer);
                0
            }
        })
        .await;
        if !only.is_empty() {
            let times = match only.as_str() {
                "index" => &index_times,
                "hub" => &hub_times,
                "graphql" => &graphql_times,
                other => panic!("--profile {other}: use index, hub or graphql"),
            };
            let (p50, p99, m) = summary(times);
            println!("{only}: p50 {p50:.0} µs, p99 {p99:.0} µs, mean {m:.0} µs");
            std::process::exit(0);
        }
        const FTS_TOP: &str = "SELECT id, bm25(docs), snippet(docs, -1, '<mark>', '</mark>', '…', 24) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10";
        let fts_times = per_query(secs, |q| {
            let pool = pool.clone();
            async move {
                let rows = sqlx::query(FTS_TOP)
                    .bind(fts_expression(QUERIES[q]))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                rows.len()
            }
        })
        .await;
        let fts_count_times = per_query(secs, |q| {
            let pool = pool.clone();
            async move {
                let expr = fts_expression(QUERIES[q]);
                let rows = sqlx::query(FTS_TOP)
                    .bind(&expr)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                let total: i64 = sqlx::query("SELECT count(*) FROM docs WHERE docs MATCH ?")
                    .bind(&expr)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .get(0);
                rows.len() + total as usize
            }
        })
        .await;

        println!(
            "\nin process, {} queries in turn for {secs} s each:",
            QUERIES.len()
        );
        let (fts_p50, _, fts_mean) = summary(&fts_times);
        println!(
            "{:<58} {:>8} {:>8} {:>9} {:>10}",
            "engine", "p50 µs", "p99 µs", "mean µs", "x FTS5 p50"
        );
        for (name, times) in [
            ("tantivy: the index alone (top 10, count, facets, snippets)", &index_times),
            ("tantivy: hub.search (the index, then the 10 items)", &hub_times),
            ("the GraphQL search, executed in process, uncached", &graphql_times),
            ("FTS5: top 10 by bm25 with snippet", &fts_times),
            ("FTS5: the same and count(*) of all matches", &fts_count_times),
        ] {
            let (p50, p99, m) = summary(times);
            println!(
                "{name:<58} {p50:>8.0} {p99:>8.0} {m:>9.0} {:>10.2}",
                p50 / fts_p50
            );
        }
        let (hub_p50, _, hub_mean) = summary(&hub_times);
        println!(
            "hub.search / FTS5 top 10: p50 {:.2}x, mean {:.2}x",
            hub_p50 / fts_p50,
            hub_mean / fts_mean
        );

        println!(
            "\nper query, mean µs (hits: tantivy's totalCount / FTS5's matches):\n{:<38} {:>8} {:>8} {:>8} {:>7} {:>15}",
            "query", "index", "hub", "FTS5", "hub/FTS", "hits"
        );
        for (q, text) in QUERIES.iter().enumerate() {
            let total = index.search(&index_request(q)).unwrap().total;
            let fts_total: i64 = sqlx::query("SELECT count(*) FROM docs WHERE docs MATCH ?")
                .bind(fts_expression(text))
                .fetch_one(&pool)
                .await
                .unwrap()
                .get(0);
            println!(
                "{text:<38} {:>8.0} {:>8.0} {:>8.0} {:>7.2} {:>15}",
                mean(&index_times[q]),
                mean(&hub_times[q]),
                mean(&fts_times[q]),
                mean(&hub_times[q]) / mean(&fts_times[q]),
                format!("{total} / {fts_total}")
            );
        }
        pool.close().await;
        summary(&index_times)
    });
    rss.push(("in process", rss_anon_mb()));

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async move {
        let body = |q: &str| json!({"query": SEARCH, "variables": {"q": q}}).to_string();
        let mut base_p50 = 0.0;
        let mut c = Client::connect(addr).await;
        let mut bytes = 0;
        for q in QUERIES {
            bytes += c.request(&post("/nocache/graphql", &body(q))).await;
            let answer: Value = serde_json::from_slice(c.body()).unwrap();
            assert!(answer.get("errors").is_none(), "{q}: {answer}");
        }
        println!(
            "\nsearch over HTTP: {:.0} bytes of JSON an answer on average\n",
            bytes as f64 / QUERIES.len() as f64
        );
        let cases: Vec<(&str, MakeRequest)> = vec![
            ("baseline: fixed bytes", Arc::new(|_| post("/fixed", "{}"))),
            (
                "search, uncached (the 30 queries in turn)",
                Arc::new(move |i| {
                    post(
                        "/nocache/graphql",
                        &body(QUERIES[i as usize % QUERIES.len()]),
                    )
                }),
            ),
            (
                "search, cached (the same 30, answered from the cache)",
                Arc::new(move |i| post("/graphql", &body(QUERIES[i as usize % QUERIES.len()]))),
            ),
        ];
        println!(
            "{:<54} {:>9} {:>9} {:>10} {:>11} {:>9} {:>10}",
            "request", "p50 ms", "p99 ms", "1 client/s", "10 clients/s", "x base/s", "p50 x base"
        );
        let mut base: Option<Figures> = None;
        for (name, make) in cases {
            let f = measure(addr, secs, make).await;
            let b = *base.get_or_insert(f);
            base_p50 = b.p50_us;
            println!(
                "{:<54} {:>9.3} {:>9.3} {:>10.0} {:>11.0} {:>9.3} {:>10.1}",
                name,
                f.p50_us / 1000.0,
                f.p99_us / 1000.0,
                f.rps_1,
                f.rps_10,
                f.rps_10 / b.rps_10,
                f.p50_us / b.p50_us
            );
        }
        // A search runs on the server's worker thread: what the others wait.
        let (p50, p99, rps) = under_load(
            addr,
            secs,
            Arc::new(move |i| {
                post(
                    "/nocache/graphql",
                    &body(QUERIES[i as usize % QUERIES.len()]),
                )
            }),
            post("/fixed", "{}"),
        )
        .await;
        println!(
            "fixed bytes from one client while ten others search uncached: p50 {:.3} ms, p99 {:.3} ms ({:.1} x the baseline p50); the ten: {rps:.0} searches/s",
            p50 / 1000.0,
            p99 / 1000.0,
            p50 / base_p50
        );
    });
    rss.push(("HTTP", rss_anon_mb()));

    // One publish, index included: each on a fresh draft.
    server_rt.block_on(async {
        let cli = Viewer::cli();
        let mut times = Vec::new();
        for i in 0..200 {
            let draft = hub
                .create(
                    &cli,
                    NewItem {
                        type_name: "question".into(),
                        slug: Some(format!("nieuwe-vraag-{i}")),
                        fields: json!({
                            "question": format!("Hoe vraag ik een parkeervergunning aan voor bewoners ({i})?"),
                            "short_answer": "U vraagt een parkeervergunning online aan met DigiD. De vergunning geldt voor één kenteken.",
                            "answer": "## Aanvragen\n\nLog in met **DigiD** en vul het formulier in. U krijgt binnen 8 weken een besluit.",
                            "phrasings": ["parkeervergunning bewoners", "parkeren bij mijn huis"],
                            "themes": ["Parkeren"],
                            "audience": ["burger"],
                        })
                        .as_object()
                        .cloned()
                        .unwrap(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let t = Instant::now();
            hub.publish(&cli, std::slice::from_ref(&draft.item.id), None)
                .await
                .unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "\npublish one question, index included ({} times, each a fresh draft): median {:.2} ms, p99 {:.2} ms",
            times.len(),
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
        // Each publish committed the index once; what that left for searches.
        let index = hub.search_index().unwrap();
        let after = per_query(secs, |q| {
            let r = index.search(&index_request(q)).unwrap();
            std::future::ready(r.hits.len())
        })
        .await;
        let (p50, p99, m) = summary(&after);
        let (p50_before, _, m_before) = index_before;
        println!(
            "the index alone after them ({} segments): p50 {p50:.0} µs, p99 {p99:.0} µs, mean {m:.0} µs ({:.2} x the p50 and {:.2} x the mean before)",
            segments(&index_dir),
            p50 / p50_before,
            m / m_before
        );
    });
    rss.push(("publishes", rss_anon_mb()));

    println!(
        "\nmemory at {items} items: RSS {} MB, of which anonymous (the process's own) {} MB",
        status_kb("VmRSS:") / 1024,
        rss_anon_mb()
    );
    println!(
        "RssAnon after each phase: {}",
        rss.iter()
            .map(|(phase, mb)| format!("{phase} {mb} MB"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    drop(hub);
}

const FIXED: &str = r#"{"data":{"search":{"totalCount":1,"hits":[{"score":1.0,"snippet":"Uw <mark>paspoort</mark> kwijt?","item":{"id":"x"}}]}}}"#;
