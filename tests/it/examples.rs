//! The example clients (`examples/website.rs`, `chatbot.rs`, `kcc.rs`,
//! `letter.rs`) as their users run them: the compiled programs against a
//! real `bron serve` on a free loopback port, with a fresh data directory
//! seeded with the example content. And their shared HTTP client
//! (`examples/client/mod.rs`) on what Bron never sends, such as chunked
//! bodies.
//!
//! The programs are the ones `cargo test` builds next to the `bron` binary
//! (`target/<profile>/examples/`). `cargo test --test it` alone does not
//! build examples: these tests then skip with a message when the programs
//! are missing, and fail when they are older than their sources (run
//! `cargo build --examples`, or a plain `cargo test`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::support::repo;

#[path = "../../examples/client/mod.rs"]
mod client;

/// `bron` on a data directory, from the repository (where the model and the
/// example content are).
fn bron(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bron"));
    c.current_dir(repo())
        .arg("--data-dir")
        .arg(data)
        .env("BRON_LOG", "warn");
    c
}

/// A running `bron serve`, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = bron(dir.path())
            .arg("serve")
            .env("BRON_LISTEN", &addr)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            url: format!("http://{addr}/graphql"),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if healthy(&addr) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not come up on {addr}");
    }

    /// A new token, made with the command line as an operator would.
    fn token(&self, role: &str) -> String {
        let out = bron(self.dir.path())
            .args(["token", "create", "--role", role, "--name"])
            .arg(format!("examples-{role}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

fn healthy(addr: &str) -> bool {
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text.starts_with("HTTP/1.1 200")
}

/// The compiled example programs, by name; None (with a message) when they
/// are not built.
fn examples(names: &[&str]) -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_BIN_EXE_bron"))
        .parent()
        .unwrap()
        .join("examples");
    let mut out = Vec::new();
    for name in names {
        let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        let Ok(built) = bin.metadata().and_then(|m| m.modified()) else {
            eprintln!(
                "skipped: {} is not built; `cargo test` builds the examples, `cargo test --test it` does not (run `cargo build --examples`)",
                bin.display()
            );
            return None;
        };
        for source in [
            repo().join("examples").join(format!("{name}.rs")),
            repo().join("examples/client/mod.rs"),
        ] {
            let changed = source
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            assert!(
                changed <= built,
                "{} is older than {}: rebuild it with `cargo build --examples` (a plain `cargo test` does)",
                bin.display(),
                source.display()
            );
        }
        out.push(bin);
    }
    Some(out)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs a program with `args` and `stdin`, without the examples'
/// environment variables, so only the arguments count.
fn run(bin: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(bin)
        .args(args)
        .env_remove("BRON_URL")
        .env_remove("BRON_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn website_writes_an_accessible_page_per_published_item_with_working_links() {
    let Some(bins) = examples(&["website"]) else {
        return;
    };
    let server = Server::start();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    // Pages of items no longer published are removed.
    for stale in ["products/weg.html", "questions/weg.html"] {
        let path = site.join(stale);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "oud").unwrap();
    }
    let r = run(
        &bins[0],
        &["--url", &server.url, "--out", site.to_str().unwrap()],
        "",
    );
    // Exit code 0: every internal link of every page leads to a file.
    assert_eq!(r.code, Some(0), "{r}");
    assert!(!r.stderr.contains("dead link"), "{r}");
    assert!(r.stdout.contains(": none dead\n"), "{r}");
    let count = |dir: &str| std::fs::read_dir(site.join(dir)).unwrap().count();
    let (products, questions) = (count("products"), count("questions"));
    assert!(products >= 18, "{products} product pages");
    assert!(questions >= 50, "{questions} question pages");
    assert!(
        r.stdout.contains(&format!(
            "nl: {products} product pages, {questions} question pages, index.html\n"
        )),
        "{r}"
    );
    assert!(r.stdout.contains("removed 2 pages"), "{r}");
    assert!(!site.join("products/weg.html").exists());
    assert!(!site.join("questions/weg.html").exists());

    let page = std::fs::read_to_string(site.join("products/paspoort-aanvragen.html")).unwrap();
    assert!(
        page.starts_with("<!doctype html>\n<html lang=\"nl\">"),
        "{page}"
    );
    for part in [
        "<meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Paspoort aanvragen | Gemeente Lindewaard</title>",
        "<a class=\"skip\" href=\"#inhoud\">",
        "<main id=\"inhoud\"",
        "<h1>Paspoort aanvragen</h1>",
        // Links to other items point at their files.
        "href=\"identiteitskaart-aanvragen.html\"",
        "href=\"../questions/kosten-paspoort-en-id-kaart.html\"",
        "href=\"../index.html\"",
    ] {
        assert!(page.contains(part), "{part} missing in\n{page}");
    }
    let ld = page.find("application/ld+json").expect("JSON-LD");
    assert!(ld < page.find("</head>").unwrap(), "JSON-LD in the head");
    assert!(page.find("<article").unwrap() > page.find("<main").unwrap());

    let question =
        std::fs::read_to_string(site.join("questions/kosten-paspoort-en-id-kaart.html")).unwrap();
    assert!(
        question.starts_with("<!doctype html>\n<html lang=\"nl\">"),
        "{question}"
    );
    for part in [
        "<a class=\"skip\" href=\"#inhoud\">",
        "<main id=\"inhoud\"",
        "<h1>Wat kost een paspoort of ID-kaart?</h1>",
        "\"@type\":\"FAQPage\"",
        "href=\"paspoort-geldigheid.html\"",
        "href=\"../products/paspoort-aanvragen.html\"",
    ] {
        assert!(question.contains(part), "{part} missing in\n{question}");
    }
    for dir in ["products", "questions"] {
        for entry in std::fs::read_dir(site.join(dir)).unwrap() {
            let html = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            assert!(
                !html.contains("href=\"/products/") && !html.contains("href=\"/questions/"),
                "a link left as Bron made it:\n{html}"
            );
        }
    }

    // An English product with the slug of a Dutch one has a page of its own.
    let english =
        std::fs::read_to_string(site.join("en/products/paspoort-aanvragen.html")).unwrap();
    assert!(
        english.starts_with("<!doctype html>\n<html lang=\"en\">"),
        "{english}"
    );
    assert!(english.contains("Skip to content"), "{english}");

    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.starts_with("<!doctype html>\n<html lang=\"nl\">"),
        "{index}"
    );
    for part in [
        "<h1>Producten en vragen</h1>",
        "<h2 id=\"producten\">Producten en diensten</h2>",
        "<h2 id=\"vragen\">Vragen en antwoorden</h2>",
        "<a href=\"products/paspoort-aanvragen.html\">Paspoort aanvragen</a>",
        "<a href=\"questions/kosten-paspoort-en-id-kaart.html\">Wat kost een paspoort of ID-kaart?</a>",
        "<a href=\"en/index.html\" lang=\"en\" hreflang=\"en\">English</a>",
    ] {
        assert!(index.contains(part), "{part} missing in\n{index}");
    }
    // A list entry per page, and one per other language.
    assert_eq!(
        index.matches("<li").count(),
        products + questions + 1,
        "{index}"
    );
    assert!(site.join("en/index.html").is_file());
}

#[test]
fn chatbot_answers_with_its_source_and_runs_the_eligibility_dialogue() {
    let Some(bins) = examples(&["chatbot"]) else {
        return;
    };
    let server = Server::start();
    let url = ["--url", server.url.as_str()];

    let r = run(
        &bins[0],
        &url,
        "Wat kost een paspoort?\nquit\nWat kost een rijbewijs?\n",
    );
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.contains("€ 88,65"), "{r}");
    assert!(
        r.stdout
            .contains("Bron: Wat kost een paspoort of ID-kaart?, versie 1, gecontroleerd tot 20"),
        "{r}"
    );
    assert!(r.stdout.contains("  1. "), "numbered follow-ups: {r}");
    assert!(
        !r.stdout.contains("rijbewijs?"),
        "nothing after quit is read: {r}"
    );

    // A product answer offers the check; the dialogue asks until it knows.
    let r = run(
        &bins[0],
        &url,
        "Hoe vraag ik een paspoort aan?\nja\nja\nLindewaard\nja\noud\n34\n",
    );
    assert_eq!(r.code, Some(0), "{r}");
    for part in [
        "Heeft u de Nederlandse nationaliteit? (ja/nee)",
        "Dat antwoord begrijp ik niet.",
        "Hoe oud bent u? (een getal)",
        "Uitkomst: u komt waarschijnlijk in aanmerking.",
        "geen besluit",
    ] {
        assert!(r.stdout.contains(part), "{part} missing: {r}");
    }

    // `check <slug>`; an unmet condition is named.
    let r = run(
        &bins[0],
        &url,
        "check paspoort-aanvragen\nnee\ncheck bestaat-niet\n",
    );
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout
            .contains("niet in aanmerking.\nDeze voorwaarde geeft de doorslag: U heeft de Nederlandse nationaliteit."),
        "{r}"
    );
    assert!(
        r.stdout.contains("Ik ken geen product 'bestaat-niet'."),
        "{r}"
    );
}

#[test]
fn a_handover_code_from_the_chatbot_opens_in_the_kcc_tool() {
    let Some(bins) = examples(&["chatbot", "kcc"]) else {
        return;
    };
    let (chatbot, kcc) = (&bins[0], &bins[1]);
    let server = Server::start();
    let agent = server.token("agent");

    let r = run(
        chatbot,
        &["--url", &server.url],
        "Ik wil een medewerker spreken over mijn paspoort\n",
    );
    assert_eq!(r.code, Some(0), "{r}");
    let at = r.stdout.find("gesprekscode ").expect("a code") + "gesprekscode ".len();
    let code: String = r.stdout[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    assert_eq!(code.len(), 9, "{code}: {r}");

    // Typed as heard on the phone.
    let heard = code.to_lowercase().replace('-', " ");
    let r = run(
        kcc,
        &["--url", &server.url, "--token", &agent, "code", &heard],
        "",
    );
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout.contains(&format!("Gesprekscode {code} (chatbot")),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("Vraag: Ik wil een medewerker spreken over mijn paspoort\n"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("Reden: de inwoner vroeg om een medewerker"),
        "{r}"
    );
    assert!(r.stdout.contains("ongewijzigd sinds het gesprek"), "{r}");
    assert!(r.stdout.contains("Gecontroleerd op"), "the KCC text: {r}");

    let r = run(
        kcc,
        &["--url", &server.url, "--token", &agent, "code", "AAAA-BBBB"],
        "",
    );
    assert_eq!(r.code, Some(1), "{r}");
    assert!(
        r.stderr.contains("AAAA-BBBB is onbekend of verlopen"),
        "{r}"
    );

    let r = run(
        kcc,
        &["--url", &server.url, "--token", "bron_nope", "code", &code],
        "",
    );
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stderr.contains("[UNAUTHENTICATED]"), "{r}");

    let r = run(
        kcc,
        &[
            "--url",
            &server.url,
            "--token",
            &agent,
            "zoek",
            "paspoort",
            "kwijt",
        ],
        "",
    );
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout.starts_with(
            "== Wat moet ik doen als mijn paspoort kwijt of gestolen is? (question paspoort-kwijt-of-gestolen) =="
        ),
        "{r}"
    );
    assert!(
        r.stdout.contains("Toelichting (KCC)"),
        "internal notes: {r}"
    );
    assert!(r.stdout.contains("\nOok gevonden:\n  - "), "{r}");
}

#[test]
fn letter_fills_merge_fields_and_warns_about_missing_ones() {
    let Some(bins) = examples(&["letter"]) else {
        return;
    };
    let server = Server::start();
    let base = [
        "--url",
        server.url.as_str(),
        "--product",
        "paspoort-aanvragen",
        "--var",
        "ontvanger.naam=mevrouw De Vries",
    ];

    let r = run(&bins[0], &base, "");
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.starts_with("Geachte mevrouw De Vries,"), "{r}");
    assert!(r.stdout.contains("{{aanvraag.datum}}"), "{r}");
    assert!(
        r.stderr.contains("warning:") && r.stderr.contains("aanvraag.datum"),
        "{r}"
    );

    let mut all = base.to_vec();
    all.extend(["--var", "aanvraag.datum=3 december 2026"]);
    let r = run(&bins[0], &all, "");
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout.contains("U heeft op 3 december 2026 een paspoort"),
        "{r}"
    );
    assert!(!r.stdout.contains("{{"), "{r}");
    assert_eq!(r.stderr, "", "{r}");

    let r = run(
        &bins[0],
        &["--url", &server.url, "--product", "bestaat-niet"],
        "",
    );
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stderr.contains("bestaat-niet"), "{r}");
}

// The shared client, on responses Bron does not send but a proxy might.

#[test]
fn the_client_reads_chunked_and_sized_bodies_and_skips_interim_responses() {
    let chunked = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5;ext=1\r\n{\"dat\r\n0B\r\na\":{\"x\":1}}\r\n0\r\nTrailer: y\r\n\r\n";
    let r = client::parse_response(chunked).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, br#"{"data":{"x":1}}"#);
    let sized = b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}extra";
    let r = client::parse_response(sized).unwrap();
    assert_eq!((r.status, r.body.as_slice()), (401, &b"{}"[..]));
    assert!(client::parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{}").is_err());
    assert!(client::decode_chunked(b"5\r\nab").is_err());
    assert!(client::parse_response(b"").is_err());
}

#[test]
fn the_client_parses_urls() {
    let c = client::Client::new("http://localhost:8080/graphql", None).unwrap();
    assert_eq!(c.url(), "http://localhost:8080/graphql");
    let c = client::Client::new("http://example.org", Some(" ".into())).unwrap();
    assert_eq!(c.url(), "http://example.org/");
    let c = client::Client::new("http://[::1]:9000/api?x=1#top", None).unwrap();
    assert_eq!(c.url(), "http://[::1]:9000/api?x=1");
    assert!(client::Client::new("https://example.org/graphql", None).is_err());
    assert!(client::Client::new("http://host:port/", None).is_err());
    assert!(client::Client::new("http:///graphql", None).is_err());
}

#[tokio::test]
async fn the_client_returns_graphql_errors_with_their_codes_from_a_chunked_answer() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        // Read the request head and its body.
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = s.read(&mut buf).await.unwrap();
            req.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&req).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len: usize = text
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .unwrap()
                    .parse()
                    .unwrap();
                if req.len() >= end + 4 + len {
                    break;
                }
            }
        }
        let body = r#"{"data":{"handover":null},"errors":[{"message":"needs an agent token","path":["handover"],"extensions":{"code":"UNAUTHENTICATED"}}]}"#;
        let (a, b) = body.split_at(40);
        let response = format!(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        );
        s.write_all(response.as_bytes()).await.unwrap();
        String::from_utf8(req).unwrap()
    });
    let c = client::Client::new(&format!("http://{addr}/graphql"), Some("geheim".into())).unwrap();
    let e = c
        .try_query("{ handover(code: \"X\") { code } }", serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("UNAUTHENTICATED"));
    assert_eq!(
        e.to_string(),
        "needs an agent token [UNAUTHENTICATED at handover]"
    );
    let request = server.await.unwrap();
    assert!(
        request.starts_with("POST /graphql HTTP/1.1\r\n"),
        "{request}"
    );
    for header in [
        "Content-Type: application/json\r\n",
        "Connection: close\r\n",
        "Authorization: Bearer geheim\r\n",
    ] {
        assert!(request.contains(header), "{request}");
    }
    assert!(request.ends_with(r#""variables":{}}"#), "{request}");
}
