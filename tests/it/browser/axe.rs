//! Accessibility checks with axe-core: injects `axe.min.js` from
//! `tests/browser/node_modules` (pinned in `tests/browser/package-lock.json`,
//! installed by `npm ci`) into the current page through WebDriver — which a
//! page's Content-Security-Policy does not block — runs it, and keeps the
//! serious and critical violations as `Violation`s. When axe-core is not
//! installed yet, the first check runs `npm ci` in `tests/browser`.

use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use super::Browser;
use crate::support::repo;

/// One serious or critical axe-core finding on a page.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The axe rule, such as `image-alt` or `label`.
    pub id: String,
    /// `serious` or `critical`.
    pub impact: String,
    /// The rule's one-line description.
    pub help: String,
    pub help_url: String,
    /// How many elements fail the rule (only the first 5 are in `nodes`).
    pub count: usize,
    pub nodes: Vec<ViolationNode>,
}

/// One failing element: its CSS path and its opening HTML.
#[derive(Debug, Clone)]
pub struct ViolationNode {
    pub target: String,
    pub html: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.count;
        writeln!(
            f,
            "[{}] {}: {} ({n} element(s), {})",
            self.impact, self.id, self.help, self.help_url
        )?;
        for node in &self.nodes {
            writeln!(f, "    {}  {}", node.target, node.html)?;
        }
        Ok(())
    }
}

impl Browser {
    /// Runs axe-core on the current page (injected on first use) and returns
    /// its serious and critical violations.
    pub fn axe(&self) -> Vec<Violation> {
        if self.execute("return typeof window.axe", vec![]) != "object" {
            let source = axe_source();
            self.execute(&format!("{source}\n;return typeof window.axe;"), vec![]);
        }
        let result = self.execute_async(AXE_RUN, vec![]);
        if let Some(err) = result["error"].as_str() {
            panic!("axe-core failed on {}: {err}", self.url());
        }
        let list = result["violations"].as_array().cloned().unwrap_or_default();
        list.iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(violation)
            .collect()
    }

    /// Panics listing the serious and critical accessibility violations of
    /// the current page, if there are any; `page` names it in the message.
    pub fn assert_accessible(&self, page: &str) {
        let found = self.axe();
        if !found.is_empty() {
            let list: String = found.iter().map(|v| format!("  {v}")).collect();
            panic!(
                "{page} ({}) has {} serious or critical accessibility violation(s):\n{list}",
                self.url(),
                found.len()
            );
        }
    }
}

/// The text of `axe.min.js`. When it is missing, runs `npm ci` in
/// `tests/browser` first (once per test binary, however many tests ask at
/// the same time), so a plain `cargo test` works where npm is installed.
fn axe_source() -> String {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let dir = repo().join("tests/browser");
    let path = dir.join("node_modules/axe-core/axe.min.js");
    if let Ok(source) = std::fs::read_to_string(&path) {
        return source;
    }
    let installed = INSTALLED.get_or_init(|| npm_ci(&dir));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        let why = match installed {
            Ok(()) => "`npm ci` ran but did not install it".to_string(),
            Err(e) => e.clone(),
        };
        panic!(
            "{}: {e}; {why}. Run `npm ci` in tests/browser to install axe-core",
            path.display()
        )
    })
}

/// `npm ci --no-audit --no-fund` in `dir`, its output kept for the message
/// when it fails.
fn npm_ci(dir: &Path) -> Result<(), String> {
    eprintln!("axe-core is missing: running `npm ci` in {}", dir.display());
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("`npm ci` could not start (is npm installed?): {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "`npm ci` failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Runs axe and hands back the violations with at most 5 nodes each.
const AXE_RUN: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(
  (r) => done({ violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html })),
  })) }),
  (e) => done({ error: String((e && e.stack) || e) }),
);";

fn violation(v: &Value) -> Violation {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    // A target is a list of selectors, one per frame or shadow root crossed.
    let target = |t: &Value| -> String {
        let part = |p: &Value| p.as_str().map_or_else(|| p.to_string(), str::to_string);
        t.as_array().map_or_else(
            || part(t),
            |a| a.iter().map(part).collect::<Vec<_>>().join(" >>> "),
        )
    };
    let nodes = v["nodes"].as_array().into_iter().flatten();
    Violation {
        id: s(&v["id"]),
        impact: s(&v["impact"]),
        help: s(&v["help"]),
        help_url: s(&v["helpUrl"]),
        count: v["count"].as_u64().unwrap_or(0) as usize,
        nodes: nodes
            .map(|n| ViolationNode {
                target: target(&n["target"]),
                html: s(&n["html"]),
            })
            .collect(),
    }
}
