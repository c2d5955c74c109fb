//! The `bron` binary as an operator uses it: import, export, check, tokens,
//! and `serve` on a real socket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::repo;

pub(crate) fn bron(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bron"));
    c.current_dir(repo())
        .arg("--data-dir")
        .arg(data)
        .env("BRON_LOG", "warn");
    c
}

pub(crate) fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One HTTP/1.1 request over a fresh connection; returns status and body.
pub(crate) fn http(addr: &str, request: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((
        status,
        text.split("\r\n\r\n").nth(1).unwrap_or("").to_string(),
    ))
}

#[test]
fn import_export_check_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(bron(dir.path()).args(["import", "examples/content"]));
    assert!(ok, "{err}");
    assert!(out.contains("219 created"), "{out}");
    let (ok, out, _) = run(bron(dir.path()).args(["export", "-"]));
    assert!(ok);
    assert_eq!(out.lines().count(), 219);
    let (ok, out, _) = run(bron(dir.path()).arg("check"));
    assert!(ok, "{out}");
    assert!(out.contains("0 errors"), "{out}");
    let (ok, token, err) =
        run(bron(dir.path()).args(["token", "create", "--role", "editor", "--name", "redactie"]));
    assert!(ok, "{err}");
    assert!(token.trim().starts_with("bron_") && err.contains("not shown again"));
    let (ok, list, _) = run(bron(dir.path()).args(["token", "list"]));
    assert!(ok && list.contains("redactie\teditor"), "{list}");
    assert!(
        !list.contains(token.trim()),
        "the secret is never stored or shown again"
    );
    let (ok, _, err) =
        run(bron(dir.path()).args(["token", "create", "--role", "boss", "--name", "x"]));
    assert!(!ok && err.contains("boss"), "{err}");
    let (ok, _, err) = run(bron(dir.path()).args(["import", "does-not-exist.jsonl"]));
    assert!(!ok && err.contains("does not exist"), "{err}");
}

#[test]
fn a_broken_model_stops_the_binary_with_its_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo().join("tests/fixtures/models/unknown-field-kind");
    let (ok, _, err) = run(bron(dir.path()).arg("--model-dir").arg(&model).arg("check"));
    assert!(!ok);
    assert!(
        err.contains("page.toml") && err.contains("unknown field kind"),
        "{err}"
    );
}

#[test]
fn serve_answers_on_a_real_socket() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_server(dir.path());
    let result = std::panic::catch_unwind(|| {
        // The empty data dir was seeded with the example content.
        let body =
            r#"{"query":"{ product(slug: \"paspoort-aanvragen\") { title steps { title } } }"}"#;
        let req = format!(
            "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let (status, text) = http(&addr, &req).unwrap();
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("\"title\":\"Paspoort aanvragen\""), "{text}");
    });
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap();
}

/// Starts `bron serve` on a free port in `data`; returns the child and its address.
pub(crate) fn start_server(data: &std::path::Path) -> (std::process::Child, String) {
    start_server_with(data, &[])
}

/// The same, with more environment settings for the server.
pub(crate) fn start_server_with(
    data: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, String) {
    spawn_server(data, env, Stdio::null())
}

/// The same, its log (stderr) written to `log`.
fn start_server_logging(
    data: &std::path::Path,
    env: &[(&str, &str)],
    log: &std::path::Path,
) -> (std::process::Child, String) {
    spawn_server(data, env, std::fs::File::create(log).unwrap().into())
}

fn spawn_server(
    data: &std::path::Path,
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = bron(data)
        .arg("serve")
        .env("BRON_LISTEN", &addr)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    while Instant::now() < deadline {
        if http(&addr, health).is_some_and(|(s, _)| s == 200) {
            return (child, addr);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up on {addr}");
}

pub(crate) fn post(addr: &str, token: &str, body: &str) -> Option<(u16, String)> {
    let req = format!(
        "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer {token}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    http(addr, &req)
}

#[test]
fn a_token_revoked_from_the_command_line_is_refused_within_a_second_while_the_server_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, writer, err) =
        run(bron(dir.path()).args(["token", "create", "--role", "editor", "--name", "schrijver"]));
    assert!(ok, "{err}");
    let writer = writer.trim().to_string();
    let (mut child, addr) = start_server(dir.path());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The server writes continuously while tokens are revoked from the CLI.
    let writing = {
        let (addr, writer, stop) = (addr.clone(), writer.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = format!(
                    r#"{{"query":"mutation {{ createStep(fields: {{title: \"Stap {n}\", instruction: \"Doe dit.\"}}) {{ changeSeq }} }}"}}"#
                );
                if let Some((200, text)) = post(&addr, &writer, &body) {
                    assert!(text.contains("changeSeq"), "{text}");
                    n += 1;
                }
            }
            n
        })
    };
    let result = std::panic::catch_unwind(|| {
        for trial in 0..20 {
            let name = format!("publisher-{trial}");
            let (ok, token, err) = run(bron(dir.path()).args([
                "token",
                "create",
                "--role",
                "publisher",
                "--name",
                &name,
            ]));
            assert!(ok, "{err}");
            let token = token.trim().to_string();
            let viewer = r#"{"query":"{ viewer { role } }"}"#;
            // Used once, so the server has it in its token cache.
            let (status, text) = post(&addr, &token, viewer).unwrap();
            assert_eq!(status, 200, "trial {trial}: {text}");
            let (ok, _, err) = run(bron(dir.path()).args(["token", "revoke", &name]));
            assert!(ok, "{err}");
            let revoked = Instant::now();
            loop {
                let (status, _) = post(&addr, &token, viewer).unwrap();
                if status == 401 {
                    break;
                }
                assert!(
                    revoked.elapsed() < Duration::from_secs(1),
                    "trial {trial}: the revoked token still works after {:?}",
                    revoked.elapsed()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writing.join();
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap();
    assert!(writes.unwrap() > 20, "the server kept writing throughout");
}

#[test]
fn serve_refuses_a_model_with_colliding_graphql_names_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo().join("tests/fixtures/models/graphql-system-field-collision");
    let (ok, _, err) = run(bron(dir.path())
        .arg("--model-dir")
        .arg(&model)
        .arg("serve")
        .env("BRON_LISTEN", "127.0.0.1:0"));
    assert!(!ok);
    assert!(
        err.contains("page.toml: fields[3] (schedule_error).name") && !err.contains("panicked"),
        "{err}"
    );
    assert!(
        !dir.path().join("bron.db").exists(),
        "nothing was written: {:?}",
        std::fs::read_dir(dir.path()).unwrap().collect::<Vec<_>>()
    );
    let (ok, _, err) = run(bron(dir.path())
        .arg("--model-dir")
        .arg(&model)
        .arg("schema"));
    assert!(!ok && err.contains("scheduleError"), "{err}");
}

/// Anonymous memory of a process in KiB (`RssAnon` in /proc/PID/status).
fn rss_anon_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn fan_out_attacks_are_refused_quickly_without_memory_growth_or_stalling_healthz() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read memory from");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_server(dir.path());
    let pid = child.id();
    let nested = r#"{"query":"{products(first:100){nodes{relatedProducts{relatedProducts{relatedProducts{relatedProducts{title summary}}}}}}}"}"#.to_string();
    let mut aliases = String::from("{");
    for i in 0..220 {
        aliases.push_str(&format!(" a{i}: products(first: 100) {{ nodes {{ steps {{ title }} relatedProducts {{ title }} }} }}"));
    }
    aliases.push('}');
    let aliases = serde_json::json!({ "query": aliases }).to_string();
    let anonymous = |body: &str| {
        let req = format!(
            "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        http(&addr, &req)
    };
    // Warm up, then take the baseline.
    for _ in 0..20 {
        anonymous(r#"{"query":"{ products(first: 20) { nodes { title steps { title } } } }"}"#);
    }
    let before = rss_anon_kib(pid);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (slowest_health, refused) = std::thread::scope(|s| {
        let attackers: Vec<_> = (0..4)
            .map(|i| {
                let body = if i % 2 == 0 { &nested } else { &aliases };
                let (stop, anonymous) = (&stop, &anonymous);
                s.spawn(move || {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let started = Instant::now();
                        let (status, text) = anonymous(body).expect("the server answers");
                        assert!(
                            started.elapsed() < Duration::from_secs(1),
                            "refused after {:?}",
                            started.elapsed()
                        );
                        assert_eq!(status, 200, "{text}");
                        assert!(text.contains("QUERY_TOO_EXPENSIVE"), "{text}");
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        let health = "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
        let mut slowest = Duration::ZERO;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(4) {
            let t = Instant::now();
            assert_eq!(http(&addr, health).map(|r| r.0), Some(200));
            slowest = slowest.max(t.elapsed());
            std::thread::sleep(Duration::from_millis(50));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let refused: usize = attackers.into_iter().map(|a| a.join().unwrap()).sum();
        (slowest, refused)
    });
    let after = rss_anon_kib(pid);
    let _ = child.kill();
    let _ = child.wait();
    assert!(refused > 20, "only {refused} attacks were sent");
    assert!(
        slowest_health < Duration::from_millis(500),
        "/healthz took {slowest_health:?} during the attacks"
    );
    assert!(
        after.saturating_sub(before) < 50 * 1024,
        "anonymous memory grew from {before} KiB to {after} KiB"
    );
}

#[test]
fn commands_work_from_any_directory_or_name_the_flag_they_miss() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let from_elsewhere = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bron"));
        c.current_dir(elsewhere.path())
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env("BRON_LOG", "warn")
            .env_remove("BRON_MODEL_DIR")
            .env_remove("BRON_SEED");
        run(&mut c)
    };
    // Tokens need no content model.
    let (ok, token, err) = from_elsewhere(&["token", "create", "--role", "agent", "--name", "kcc"]);
    assert!(ok, "{err}");
    assert!(token.trim().starts_with("bron_"));
    let (ok, list, err) = from_elsewhere(&["token", "list"]);
    assert!(ok && list.contains("kcc\tagent"), "{err}");
    // Commands that need the model say which flag gives it.
    for args in [&["check"][..], &["serve"], &["schema"]] {
        let (ok, _, err) = from_elsewhere(args);
        assert!(!ok, "{args:?}");
        assert!(
            err.contains("--model-dir") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

/// Store and index never drift for good: kill -9 the server while another
/// process imports thousands of items and while it serves a stream of
/// publishes; after a restart (which catches the index up) the index agrees
/// with the store item for item, and what was acknowledged is searchable.
#[test]
fn after_kill_9_during_an_import_and_during_publishes_the_index_agrees_with_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, token, err) =
        run(bron(dir.path()).args(["token", "create", "--role", "publisher", "--name", "stroom"]));
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let big = dir.path().join("big.jsonl");
    let mut lines = String::new();
    for i in 0..3000 {
        lines.push_str(&format!(
            "{{\"type\": \"question\", \"slug\": \"bulkvraag-{i}\", \"locale\": \"nl\", \"status\": \"published\", \"fields\": {{\"question\": \"Bulkvraag nummer {i} over stoepkrijt?\", \"short_answer\": \"Antwoord {i}.\"}}}}\n"
        ));
    }
    std::fs::write(&big, lines).unwrap();

    // 1. kill -9 the server while another process imports.
    let (mut server, _) = start_server(dir.path());
    let mut import = bron(dir.path())
        .arg("import")
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.kill().unwrap();
    server.wait().unwrap();
    let status = import.wait().unwrap();
    assert!(status.success(), "the import itself runs to the end");

    // 2. kill -9 the server during a stream of publishes.
    let (mut server, addr) = start_server(dir.path());
    let search = |addr: &str, word: &str| -> Option<String> {
        let body = serde_json::json!({"query": "query($q: String!) { search(query: $q) { totalCount } }", "variables": {"q": word}}).to_string();
        post(addr, &token, &body).map(|(_, b)| b)
    };
    let found = search(&addr, "stoepkrijt").unwrap();
    assert!(found.contains("\"totalCount\":3000"), "{found}");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (addr, token, stop) = (addr.clone(), token.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut acknowledged = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let word = format!("stroomwoord{i}x");
                let body = serde_json::json!({
                    "query": "mutation($f: QuestionCreateFields!) { createQuestion(fields: $f) { item { id } } }",
                    "variables": {"f": {"question": format!("Vraag {word}?"), "shortAnswer": "Ja."}}
                })
                .to_string();
                let Some((200, answer)) = post(&addr, &token, &body) else {
                    break;
                };
                let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
                let Some(id) = v["data"]["createQuestion"]["item"]["id"].as_str() else {
                    break;
                };
                let body = serde_json::json!({
                    "query": "mutation($ids: [ID!]!) { publish(ids: $ids) { changeSeq } }",
                    "variables": {"ids": [id]}
                })
                .to_string();
                match post(&addr, &token, &body) {
                    Some((200, a)) if a.contains("changeSeq") => acknowledged.push(word),
                    _ => break,
                }
                i += 1;
            }
            acknowledged
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    server.kill().unwrap();
    server.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let acknowledged = writer.join().unwrap();
    assert!(!acknowledged.is_empty(), "some publishes were acknowledged");

    // 3. Restart: the index catches up; every acknowledged publish is found.
    let (mut server, addr) = start_server(dir.path());
    for word in &acknowledged {
        let found = search(&addr, word).unwrap();
        assert!(found.contains("\"totalCount\":1"), "{word}: {found}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let (ok, out, err) = run(bron(dir.path()).args(["reindex", "--check"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("0 missing, 0 extra"), "{out}");
}

#[test]
fn users_are_created_from_the_command_line_with_a_password_on_stdin_or_a_made_one() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let mut child = bron(dir.path())
        .args([
            "user",
            "create",
            "--name",
            "jan",
            "--role",
            "editor",
            "--team",
            "Publiekszaken",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"een goed wachtwoord\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "a typed password is never printed");
    // No password given: one is made, printed once.
    let (ok, stdout, stderr) = run(bron(dir.path())
        .args(["user", "create", "--name", "beheer", "--role", "admin"])
        .stdin(Stdio::null()));
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim().len(), 20, "{stdout}");
    let (ok, stdout, _) = run(bron(dir.path()).args(["user", "list"]));
    assert!(ok);
    assert!(stdout.contains("jan\teditor\tPubliekszaken"), "{stdout}");
    assert!(stdout.contains("beheer\tadmin\t-"), "{stdout}");
    assert!(!stdout.contains("argon2"), "{stdout}");
}

#[test]
fn sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_server(dir.path());
    // A request whose body is still on its way when the signal comes.
    let body = r#"{"query":"{ product(slug: \"paspoort-aanvragen\") { title } }"}"#;
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    // New connections are refused once the server stops accepting.
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(&addr).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The request in flight is answered in full.
    s.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("Paspoort aanvragen"), "{answer}");
    exits_zero_within(&mut child, Duration::from_secs(10));
}

/// Waits for a stopping server; it must exit 0 within `limit`.
pub(crate) fn exits_zero_within(child: &mut std::process::Child, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_backup_made_under_write_load_restores_every_item_and_revision_of_its_moment() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, token, err) =
        run(bron(dir.path()).args(["token", "create", "--role", "editor", "--name", "schrijver"]));
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let (mut server, addr) = start_server(dir.path());
    // A writer creates steps as fast as it can while the backup is made.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, addr, token) = (stop.clone(), addr.clone(), token.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = format!(
                    r#"{{"query":"mutation {{ createStep(fields: {{title: \"Stap {n}\", instruction: \"Doe stap {n}.\"}}) {{ changeSeq }} }}"}}"#
                );
                if let Some((200, text)) = post(&addr, &token, &body) {
                    assert!(!text.contains("\"errors\""), "{text}");
                    n += 1;
                }
            }
            n
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let backup = dir.path().join("kopie.db");
    let (ok, _, err) = run(bron(dir.path()).arg("backup").arg(&backup));
    assert!(ok, "{err}");
    assert!(err.contains("Backed up"), "{err}");
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(
        written > 5,
        "the writer wrote while the backup ran ({written})"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    // A backup never overwrites.
    let (ok, _, err) = run(bron(dir.path()).arg("backup").arg(&backup));
    assert!(!ok && err.contains("exists already"), "{err}");

    // Restore into a new data directory, then compare with the original.
    let other = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(bron(other.path()).arg("restore").arg(&backup));
    assert!(ok, "{err}");
    let seq: i64 = err
        .split("up to change ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let original = bron::store::Store::open(&dir.path().join("bron.db"))
            .await
            .unwrap();
        let restored = bron::store::Store::open(&other.path().join("bron.db"))
            .await
            .unwrap();
        let changes = original.changes_since(0, 1_000_000).await.unwrap();
        let expected: std::collections::BTreeSet<String> = changes
            .iter()
            .filter(|c| c.seq <= seq)
            .filter_map(|c| c.item_id.clone())
            .collect();
        let got = restored.all_items().await.unwrap();
        let got_ids: std::collections::BTreeSet<String> =
            got.iter().map(|r| r.id.clone()).collect();
        assert_eq!(
            got_ids, expected,
            "the items of the backup's moment, no more, no fewer"
        );
        assert!(
            changes.iter().any(|c| c.seq > seq),
            "writes went on after the backup"
        );
        let originals = original.all_items().await.unwrap();
        for item in &got {
            let o = originals.iter().find(|o| o.id == item.id).unwrap();
            assert_eq!(o.fields, item.fields, "{}", item.id);
            assert_eq!(o.version, item.version, "{}", item.id);
            assert_eq!(
                original.revisions(&item.id).await.unwrap().len(),
                restored.revisions(&item.id).await.unwrap().len(),
                "{}",
                item.id
            );
        }
        assert_eq!(restored.last_seq().await.unwrap(), seq);
    });
    // The restored store serves, with its index rebuilt.
    let (ok, out, err) = run(bron(other.path()).args(["reindex", "--check"]));
    assert!(ok, "{out}{err}");
}

#[test]
fn each_request_is_one_json_log_line_with_its_id_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, token, err) =
        run(bron(dir.path()).args(["token", "create", "--role", "editor", "--name", "logboek"]));
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let log_path = dir.path().join("serve.log");
    let env = [
        ("BRON_LOG", "info"),
        ("BRON_LOG_FORMAT", "json"),
        ("BRON_ADMIN_PASSWORD", "geheim-beheerderswachtwoord"),
    ];
    let (mut child, addr) = start_server_logging(dir.path(), &env, &log_path);
    // A query with a variable holding personal data, over GET and POST.
    let get = "GET /graphql?query=query(%24q%3AString!)%7Bsearch(query%3A%24q)%7BtotalCount%7D%7D&variables=%7B%22q%22%3A%22BSN%20123456782%22%7D HTTP/1.1\r\nhost: x\r\nx-request-id: mijn-trace-42\r\nconnection: close\r\n\r\n";
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(get.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer
            .to_lowercase()
            .contains("x-request-id: mijn-trace-42"),
        "{answer}"
    );
    let body = r#"{"query":"mutation($t: String!) { createStep(fields: {title: $t, instruction: \"Geheime instructie\"}) { changeSeq } }","variables":{"t":"Titel met wachtwoord hunter2"}}"#;
    let (status, _) = post(&addr, &token, body).unwrap();
    assert_eq!(status, 200);
    // A login with a password.
    let form = "name=admin&password=geheim-beheerderswachtwoord&csrf=x";
    let login = format!(
        "POST /admin/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{form}",
        form.len()
    );
    http(&addr, &login).unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();

    let log = std::fs::read_to_string(&log_path).unwrap();
    for secret in [
        token.as_str(),
        "123456782",
        "hunter2",
        "Geheime instructie",
        "geheim-beheerderswachtwoord",
        "search(query",
    ] {
        assert!(!log.contains(secret), "`{secret}` is in the log:\n{log}");
    }
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["message"] == "request")
        .collect();
    let get_line = lines
        .iter()
        .find(|l| l["request_id"] == "mijn-trace-42")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(get_line["path"], "/graphql");
    assert_eq!(get_line["status"], 200);
    assert_eq!(get_line["operation"], "query");
    assert!(get_line["ms"].as_f64().is_some(), "{get_line}");
    let mutation = lines
        .iter()
        .find(|l| l["operation"] == "mutation")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(mutation["outcome"], "ok");
    assert!(
        mutation["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{mutation}"
    );
    assert!(lines.iter().any(|l| l["path"] == "/admin/login"), "{log}");
}

/// Request lines are written several at a time, but reach the log while the
/// server runs (when it goes idle), so a kill -9 afterwards loses none of
/// them; `BRON_LOG=warn` leaves them out.
#[test]
fn request_lines_reach_the_log_while_the_server_runs_and_follow_the_level() {
    for (level, wanted) in [("info", true), ("warn", false)] {
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("serve.log");
        let (mut child, addr) = start_server_logging(dir.path(), &[("BRON_LOG", level)], &log_path);
        let get = "GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nhost: x\r\nx-request-id: op-tijd-1\r\nconnection: close\r\n\r\n";
        assert_eq!(http(&addr, get).map(|(s, _)| s), Some(200));
        let seen = || std::fs::read_to_string(&log_path).unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(2);
        while !seen().contains("op-tijd-1") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        let log = seen();
        assert_eq!(
            log.contains("request_id=op-tijd-1"),
            wanted,
            "{level}:\n{log}"
        );
        if wanted {
            let line = log.lines().find(|l| l.contains("op-tijd-1")).unwrap();
            assert!(line.contains(" INFO bron::request: request "), "{line}");
            assert!(
                line.contains("path=/graphql status=200 outcome=ok"),
                "{line}"
            );
        }
    }
}
