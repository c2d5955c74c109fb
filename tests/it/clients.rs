//! Real GraphQL clients against a real `bron serve`: the npm packages in
//! `tests/clients` (pinned in its package-lock.json), run with Node.
//!
//! - relay-compiler compiles a `@refetchable` fragment on `Product` against
//!   `schema/schema.graphql`, and relay-runtime fetches the product and
//!   refetches it by id through `node(id:)` (`relay.mjs`);
//! - Apollo Client's persisted-query link over POST and GET, and its batch
//!   link (`apollo.mjs`);
//! - graphql-schema-linter over the checked-in schema (its rules are in
//!   `tests/clients/package.json`), and over a copy missing one description,
//!   which it must refuse.
//!
//! When `node_modules` is missing, the first test runs `npm ci` there. When
//! Node or npm is missing, the tests fail saying so; nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::browser::Bron;
use crate::support::repo;

fn clients() -> PathBuf {
    repo().join("tests/clients")
}

/// `tests/clients/node_modules`, installed with `npm ci` once per test
/// binary when it is missing.
fn installed() -> PathBuf {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let dir = clients();
    let marker = dir.join("node_modules/.package-lock.json");
    let result = INSTALLED.get_or_init(|| {
        if marker.is_file() {
            return Ok(());
        }
        eprintln!("tests/clients/node_modules is missing: running `npm ci` there");
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!("`npm ci` could not start (the client tests need Node.js 20 and npm: `apt-get install nodejs npm`, as .ci/run does): {e}")
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("`npm ci` failed ({}):\n{}", out.status, text(&out)))
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    dir
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `node args…` in `tests/clients` with `env`; returns its output.
fn node(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("node");
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap_or_else(|e| {
        panic!("`node` could not start (the client tests need Node.js 20: `apt-get install nodejs`, as .ci/run does): {e}")
    })
}

/// Runs a client script that must succeed; returns the JSON it prints last.
fn script(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let out = node(dir, args, env);
    assert!(
        out.status.success(),
        "node {} failed ({}):\n{}",
        args.join(" "),
        out.status,
        text(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn url(bron: &Bron) -> String {
    format!("http://{}/graphql", bron.addr)
}

/// A new token with `role` for the server's store, made by the CLI.
fn token(bron: &Bron, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bron"))
        .arg("--data-dir")
        .arg(bron.data_dir())
        .args(["token", "create", "--role", role, "--name"])
        .arg(format!("clients-{role}"))
        .env("BRON_LOG", "warn")
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn relay_compiles_a_refetchable_fragment_and_refetches_it_by_node_id() {
    let dir = installed();
    let generated = dir.join("relay/__generated__");
    let _ = std::fs::remove_dir_all(&generated);
    let out = node(&dir, &["node_modules/relay-compiler/cli.js"], &[]);
    assert!(
        out.status.success(),
        "relay-compiler refused schema/schema.graphql or the documents:\n{}",
        text(&out)
    );
    let refetch = std::fs::read_to_string(generated.join("ProductCardRefetchQuery.graphql.js"))
        .expect("relay-compiler wrote the refetch query");
    assert!(refetch.contains("node(id: $id)"), "{refetch}");

    let bron = Bron::serve(&[]);
    let publisher = token(&bron, "publisher");
    let url = url(&bron);
    let out = script(
        &dir,
        &["relay.mjs"],
        &[("BRON_URL", &url), ("BRON_TOKEN", &publisher)],
    );
    assert_eq!(out["before"], "Paspoort aanvragen");
    assert_eq!(out["after"], "Paspoort aanvragen (vernieuwd)");
    assert_eq!(
        out["requests"],
        serde_json::json!(["ProductPageQuery", "ProductCardRefetchQuery"])
    );
}

#[test]
fn apollo_persisted_queries_miss_then_hit_over_post_and_get() {
    let dir = installed();
    let bron = Bron::serve(&[]);
    let url = url(&bron);
    let out = script(&dir, &["apollo.mjs", "apq"], &[("BRON_URL", &url)]);
    assert_eq!(out["hash"].as_str().map(str::len), Some(64), "{out}");
    // The GET that hit carried no query, only the hash and variables.
    assert_eq!(
        out["getUrlParams"],
        serde_json::json!(["extensions", "operationName", "variables"])
    );
}

#[test]
fn apollo_batch_link_sends_operations_in_one_request() {
    let dir = installed();
    let bron = Bron::serve(&[]);
    let url = url(&bron);
    let out = script(&dir, &["apollo.mjs", "batch"], &[("BRON_URL", &url)]);
    assert_eq!(out["batched"], 4);
    assert_eq!(out["refused"], 11);
}

#[test]
fn the_schema_passes_the_linter_which_refuses_a_missing_description() {
    let dir = installed();
    let linter = "node_modules/graphql-schema-linter/lib/cli.js";
    let out = node(&dir, &[linter, "../../schema/schema.graphql"], &[]);
    assert!(
        out.status.success(),
        "graphql-schema-linter (rules in tests/clients/package.json) finds problems in schema/schema.graphql:\n{}",
        text(&out)
    );
    // The same schema with one description taken out must fail.
    let sdl = std::fs::read_to_string(repo().join("schema/schema.graphql")).unwrap();
    let described = "\t\"\"\"\n\tThe first day counted.\n\t\"\"\"\n\tfrom: Date!";
    assert!(
        sdl.contains(described),
        "SearchStats.from has its description"
    );
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("schema.graphql");
    std::fs::write(&bad, sdl.replacen(described, "\tfrom: Date!", 1)).unwrap();
    let out = node(&dir, &[linter, bad.to_str().unwrap()], &[]);
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("SearchStats.from") && said.contains("fields-have-descriptions"),
        "{said}"
    );
}
