//! Browser tests' harness: `Browser` drives Debian's headless Chromium through
//! chromedriver (the wire protocol is in `webdriver.rs`) with a small
//! synchronous API — navigate, find by CSS with a short wait, type, click,
//! read, keyboard, cookies, scripts, screenshots — and checks a page with
//! axe-core (`tests/browser/node_modules`, installed by `npm ci`), failing on
//! serious and critical accessibility violations. Its own smoke test drives
//! two pages from a tiny server in the test.

mod admin;
mod axe;
mod cors;
mod graphiql;
mod smoke;
mod webdriver;

use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

pub use axe::{Violation, ViolationNode};
pub use webdriver::{Elem, WdError, keys};

/// How long `find` waits for an element to appear.
const FIND_WAIT: Duration = Duration::from_secs(3);

/// One headless Chromium with its own fresh profile; closed on drop.
pub struct Browser {
    wd: webdriver::Driver,
}

fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

impl Browser {
    /// Starts chromedriver and headless Chromium (`BRON_CHROMEDRIVER`, default
    /// `/usr/bin/chromedriver`; `BRON_CHROMIUM`, default `/usr/bin/chromium`).
    /// Panics when either is missing or does not start.
    pub fn start() -> Browser {
        let (driver, chromium) = Self::tools().unwrap_or_else(|missing| panic!("{missing}"));
        let wd = webdriver::Driver::launch(&driver, &chromium).unwrap_or_else(|e| panic!("{e}"));
        Browser { wd }
    }

    /// Like `start`, but when chromedriver or Chromium is missing and
    /// `BRON_SKIP_BROWSER=1` is set, prints a line and returns `None`.
    pub fn start_or_skip() -> Option<Browser> {
        if let Err(missing) = Self::tools()
            && std::env::var("BRON_SKIP_BROWSER").as_deref() == Ok("1")
        {
            eprintln!("skipping a browser test (BRON_SKIP_BROWSER=1): {missing}");
            return None;
        }
        Some(Self::start())
    }

    fn tools() -> Result<(PathBuf, PathBuf), String> {
        let driver = tool("BRON_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("BRON_CHROMIUM", "/usr/bin/chromium");
        let missing: Vec<String> = [&driver, &chromium]
            .iter()
            .filter(|p| !p.is_file())
            .map(|p| p.display().to_string())
            .collect();
        if missing.is_empty() {
            return Ok((driver, chromium));
        }
        Err(format!(
            "the browser tests need {} (install Debian's packages: `apt-get install chromium chromium-driver`, \
             as .ci/run does, or point BRON_CHROMIUM / BRON_CHROMEDRIVER at them; \
             BRON_SKIP_BROWSER=1 skips these tests)",
            missing.join(" and ")
        ))
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.wd.must("POST", "/url", Some(json!({ "url": url })));
    }

    /// The current page's URL.
    pub fn url(&self) -> String {
        self.wd.must_str("GET", "/url")
    }

    /// The current page's `<title>`.
    pub fn title(&self) -> String {
        self.wd.must_str("GET", "/title")
    }

    /// Goes back one page in history.
    pub fn back(&self) {
        self.wd.must("POST", "/back", None);
    }

    /// The current DOM serialised as HTML.
    pub fn source(&self) -> String {
        self.wd.must_str("GET", "/source")
    }

    fn try_find(&self, css: &str) -> Result<Option<Elem<'_>>, WdError> {
        let body = json!({ "using": "css selector", "value": css });
        match self.wd.cmd("POST", "/element", Some(body)) {
            Ok(v) => Ok(Some(self.wd.elem(&v, css))),
            Err(e) if e.error == "no such element" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The first element matching `css`, waiting up to `timeout` for it;
    /// panics with the selector, the URL and the start of the page.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Elem<'_> {
        let until = Instant::now() + timeout;
        loop {
            match self.try_find(css) {
                Ok(Some(e)) => return e,
                Ok(None) if Instant::now() < until => sleep(Duration::from_millis(50)),
                Ok(None) => panic!(
                    "no element matches `{css}` after {timeout:?}{}",
                    self.context()
                ),
                Err(e) => panic!("finding `{css}`: {e}{}", self.context()),
            }
        }
    }

    /// The first element matching `css`, waiting up to 3 s for it to appear.
    pub fn find(&self, css: &str) -> Elem<'_> {
        self.wait_for(css, FIND_WAIT)
    }

    /// Every element matching `css` now (no waiting; maybe none).
    pub fn find_all(&self, css: &str) -> Vec<Elem<'_>> {
        let body = json!({ "using": "css selector", "value": css });
        let v = self.wd.must("POST", "/elements", Some(body));
        v.as_array()
            .into_iter()
            .flatten()
            .map(|e| self.wd.elem(e, css))
            .collect()
    }

    /// Whether an element matches `css` now (no waiting).
    pub fn exists(&self, css: &str) -> bool {
        self.try_find(css)
            .unwrap_or_else(|e| panic!("finding `{css}`: {e}"))
            .is_some()
    }

    /// Clicks the element matching `css`.
    pub fn click(&self, css: &str) {
        self.find(css).click();
    }

    /// Empties the field matching `css` and types `text` into it.
    pub fn fill(&self, css: &str, text: &str) {
        let e = self.find(css);
        e.clear();
        e.send_keys(text);
    }

    /// The visible text of the element matching `css`.
    pub fn text(&self, css: &str) -> String {
        self.find(css).text()
    }

    /// The element that has the keyboard focus (`body` when none has).
    pub fn active_element(&self) -> Elem<'_> {
        let v = self.wd.must("GET", "/element/active", None);
        self.wd.elem(&v, ":focus")
    }

    /// Presses and releases `key` (a character or a `keys::` code) as a real
    /// keyboard does, on whatever has the focus.
    pub fn press(&self, key: &str) {
        self.chord(&[key]);
    }

    /// Presses the keys in order, then releases them in reverse (`[keys::SHIFT, keys::TAB]`).
    pub fn chord(&self, keys: &[&str]) {
        let mut actions: Vec<Value> = keys
            .iter()
            .map(|k| json!({"type": "keyDown", "value": k}))
            .collect();
        actions.extend(
            keys.iter()
                .rev()
                .map(|k| json!({"type": "keyUp", "value": k})),
        );
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.wd.must("POST", "/actions", Some(body));
        self.wd.must("DELETE", "/actions", None);
    }

    /// Moves the focus forward with the Tab key.
    pub fn press_tab(&self) {
        self.press(keys::TAB);
    }

    /// Moves the focus backward with Shift+Tab.
    pub fn press_shift_tab(&self) {
        self.chord(&[keys::SHIFT, keys::TAB]);
    }

    /// Runs `script` as a function body in the page (`arguments[i]` are
    /// `args`; pass elements with `Elem::as_arg`) and returns what it returns.
    /// Not subject to the page's Content-Security-Policy.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        let body = json!({ "script": script, "args": args });
        self.wd
            .cmd("POST", "/execute/sync", Some(body))
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Like `execute`, but the script ends by calling its last argument,
    /// `arguments[arguments.length - 1](result)` (30 s at most).
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        let body = json!({ "script": script, "args": args });
        self.wd
            .cmd("POST", "/execute/async", Some(body))
            .unwrap_or_else(|e| panic!("async script failed: {e}"))
    }

    /// The viewport as a PNG.
    pub fn screenshot_png(&self) -> Vec<u8> {
        let b64 = self.wd.must("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("screenshot is base64")
    }

    /// Writes the viewport as a PNG to `path`.
    pub fn save_screenshot(&self, path: impl AsRef<Path>) {
        std::fs::write(path.as_ref(), self.screenshot_png())
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.as_ref().display()));
    }

    /// The cookies visible to the current page, HttpOnly ones included, as
    /// WebDriver reports them: `name`, `value`, `path`, `domain`, `secure`,
    /// `httpOnly`, `sameSite` (`"Strict"`, `"Lax"`, `"None"`), `expiry` when set.
    pub fn cookies(&self) -> Vec<Value> {
        self.wd
            .must("GET", "/cookie", None)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The cookie called `name`, if the current page sees it.
    pub fn cookie(&self, name: &str) -> Option<Value> {
        self.cookies().into_iter().find(|c| c["name"] == name)
    }

    /// Deletes the cookie called `name` for the current page.
    pub fn delete_cookie(&self, name: &str) {
        self.wd.must("DELETE", &format!("/cookie/{name}"), None);
    }

    /// Resizes the browser window (the viewport is somewhat smaller).
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.wd.must(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// The URL and the start of the page, for failure messages.
    fn context(&self) -> String {
        let get = |path| match self.wd.cmd("GET", path, None) {
            Ok(Value::String(s)) => s,
            other => format!("({other:?})"),
        };
        let source = get("/source");
        let cut = source
            .char_indices()
            .nth(1500)
            .map_or(source.len(), |(i, _)| i);
        format!(
            "\n  on {}\n  page source (start):\n{}",
            get("/url"),
            &source[..cut]
        )
    }
}

/// A `bron serve` on a free port of its own data directory, with `env`
/// set; killed on drop.
pub struct Bron {
    child: std::process::Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Bron {
    pub fn serve(env: &[(&str, &std::ffi::OsStr)]) -> Bron {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bron"));
        cmd.current_dir(crate::support::repo())
            .arg("--data-dir")
            .arg(dir.path())
            .arg("serve")
            .env("BRON_LOG", "warn")
            .env("BRON_LISTEN", &addr)
            .env("BRON_ADMIN_PASSWORD", "een lang genoeg wachtwoord")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "bron serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(300));
        Bron {
            child,
            addr,
            _dir: dir,
        }
    }
}

impl Bron {
    /// The server's data directory, for `bron --data-dir` beside it.
    pub fn data_dir(&self) -> &Path {
        self._dir.path()
    }
}

impl Drop for Bron {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
