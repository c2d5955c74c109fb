//! GraphiQL from a local copy, in Chromium: the four files of the pinned
//! versions (from tests/browser/node_modules) served by `bron serve
//! --graphiql-assets`, checked by the browser against the page's integrity
//! hashes (the same hashes the unpkg.com addresses carry): GraphiQL comes
//! up only when every file passed.

use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::Browser;
use crate::support::repo;

const FILES: [(&str, &str); 4] = [
    ("graphiql/graphiql.min.css", "graphiql.min.css"),
    (
        "react/umd/react.production.min.js",
        "react.production.min.js",
    ),
    (
        "react-dom/umd/react-dom.production.min.js",
        "react-dom.production.min.js",
    ),
    ("graphiql/graphiql.min.js", "graphiql.min.js"),
];

#[test]
fn graphiql_runs_from_a_local_copy_that_matches_its_hashes() {
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let modules = repo().join("tests/browser/node_modules");
    let assets = tempfile::tempdir().unwrap();
    for (from, to) in FILES {
        std::fs::copy(modules.join(from), assets.path().join(to))
            .unwrap_or_else(|e| panic!("{from}: {e}; run `npm ci` in tests/browser"));
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bron"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(dir.path())
        .arg("serve")
        .env("BRON_LOG", "warn")
        .env("BRON_LISTEN", &addr)
        .env("BRON_GRAPHIQL_ASSETS", assets.path())
        .env("BRON_ADMIN_PASSWORD", "een lang genoeg wachtwoord")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "bron serve did not start");
        sleep(Duration::from_millis(50));
    }
    sleep(Duration::from_millis(300));
    b.goto(&format!("http://{addr}/graphql"));
    assert!(!b.source().contains("unpkg.com"));
    // GraphiQL renders only when every script passed its integrity check.
    b.wait_for(".graphiql-container", Duration::from_secs(20));
    let _ = child.kill();
    let _ = child.wait();
}
