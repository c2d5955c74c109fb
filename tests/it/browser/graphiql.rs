//! GraphiQL from a local copy, in Chromium: the four files of the pinned
//! versions (from tests/browser/node_modules) served by `bron serve
//! --graphiql-assets`, checked by the browser against the page's integrity
//! hashes (the same hashes the unpkg.com addresses carry): GraphiQL comes
//! up only when every file passed.

use std::time::Duration;

use super::{Bron, Browser};
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
    let bron = Bron::serve(&[("BRON_GRAPHIQL_ASSETS", assets.path().as_os_str())]);
    b.goto(&format!("http://{}/graphql", bron.addr));
    assert!(!b.source().contains("unpkg.com"));
    // GraphiQL renders only when every script passed its integrity check.
    b.wait_for(".graphiql-container", Duration::from_secs(20));
}
