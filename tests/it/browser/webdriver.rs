//! The W3C WebDriver wire protocol, spoken to chromedriver as plain HTTP/1.1
//! and JSON over a fresh loopback connection per command. Owns the
//! chromedriver process (started on a free port, its log in a temporary
//! directory), the one session with headless Chromium, element references
//! (`Elem`), and tearing both down on drop so no browser outlives the test.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key under which WebDriver hands out element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An error answer from chromedriver (`error` is the W3C error code, such as
/// `no such element`), or a transport failure (`status` 0).
#[derive(Debug)]
pub struct WdError {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.message.lines().next().unwrap_or("");
        write!(f, "{} (HTTP {}): {first}", self.error, self.status)
    }
}

impl WdError {
    fn transport(e: impl fmt::Display) -> WdError {
        WdError {
            status: 0,
            error: "transport".into(),
            message: e.to_string(),
        }
    }
}

/// A running chromedriver with one open session.
pub struct Driver {
    child: Child,
    port: u16,
    session: String,
    /// The Chromium profile and chromedriver's log; removed on drop.
    dir: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and opens a session with
    /// headless Chromium at `chromium`.
    pub fn launch(chromedriver: &Path, chromium: &Path) -> Result<Driver, String> {
        let mut dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut last = String::new();
        // The free port is found by binding and releasing it; another process
        // can take it in between, so try a few.
        for _ in 0..3 {
            let port = free_port().map_err(|e| e.to_string())?;
            let log = dir.path().join("chromedriver.log");
            let mut driver = Driver {
                child: spawn(chromedriver, port, &log)?,
                port,
                session: String::new(),
                dir,
            };
            match driver.wait_ready() {
                Ok(()) => {
                    driver.session = driver.new_session(chromium).map_err(|e| {
                        let tail = driver.log_tail();
                        format!(
                            "chromedriver could not start {}: {e}\n{tail}",
                            chromium.display()
                        )
                    })?;
                    return Ok(driver);
                }
                Err(e) => last = format!("{e}\n{}", driver.log_tail()),
            }
            // Dropping it ends the process; the next try gets a fresh directory.
            drop(driver);
            dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        }
        Err(format!("chromedriver did not come up: {last}"))
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let until = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("chromedriver exited at start ({status})"));
            }
            if request(self.port, "GET", "/status", None).is_ok_and(|v| v["ready"] == true) {
                return Ok(());
            }
            if Instant::now() > until {
                return Err("chromedriver was not ready after 15 s".into());
            }
            sleep(Duration::from_millis(20));
        }
    }

    fn new_session(&self, chromium: &Path) -> Result<String, WdError> {
        let profile = self.dir.path().join("profile");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "unhandledPromptBehavior": "dismiss and notify",
            "timeouts": {"implicit": 0, "pageLoad": 30_000, "script": 30_000},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let v = request(self.port, "POST", "/session", Some(&caps))?;
        v["sessionId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| WdError::transport(format!("no sessionId in {v}")))
    }

    /// The last lines of chromedriver's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text =
            std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        format!("chromedriver log (last lines):\n{tail}")
    }

    /// Sends one command of this session: `path` is relative to
    /// `/session/{id}` (`"/url"`, `"/element"`, or `""` for the session).
    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        let body = body.or_else(|| (method == "POST").then(|| json!({})));
        request(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    /// Like `cmd`, panicking with the command and the error when it fails.
    pub fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.cmd(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    /// Like `must` for a command that answers with a string.
    pub fn must_str(&self, method: &str, path: &str) -> String {
        let v = self.must(method, path, None);
        v.as_str()
            .unwrap_or_else(|| panic!("WebDriver {method} {path}: not a string: {v}"))
            .to_string()
    }

    /// The element reference in a WebDriver answer.
    pub fn elem<'d>(&'d self, v: &Value, css: &str) -> Elem<'d> {
        let id = v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element: {v}"));
        Elem {
            wd: self,
            id: id.to_string(),
            css: css.to_string(),
        }
    }

    /// The temporary directory this browser owns (profile, log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Quitting the session closes Chromium. A browser still running after
        // that (the quit failed, or the session was lost) is ended by hand: it
        // would outlive chromedriver. (Both run in the test's process group,
        // so Ctrl-C ends them with the test.)
        if !self.session.is_empty() {
            let _ = self.cmd("DELETE", "", None);
        }
        let left = children(self.child.id());
        if !left.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(left.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
        }
        self.stop();
    }
}

/// One element of the page, found by `css` (kept for error messages).
pub struct Elem<'d> {
    wd: &'d Driver,
    id: String,
    css: String,
}

impl Elem<'_> {
    fn must(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        let path = format!("/element/{}{what}", self.id);
        self.wd
            .cmd(method, &path, body)
            .unwrap_or_else(|e| panic!("element `{}`: {method} {what}: {e}", self.css))
    }

    /// Clicks it (scrolled into view first; fails if another element covers it).
    pub fn click(&self) {
        self.must("POST", "/click", None);
    }

    /// Its rendered, visible text.
    pub fn text(&self) -> String {
        self.must("GET", "/text", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An attribute, or `None` when absent (a boolean one reads `"true"`;
    /// `prop` gives live state such as what was typed into a field).
    pub fn attr(&self, name: &str) -> Option<String> {
        self.must("GET", &format!("/attribute/{name}"), None)
            .as_str()
            .map(str::to_string)
    }

    /// A DOM property (`value`, `checked`, `validity`…) as JSON; `Null` when absent.
    pub fn prop(&self, name: &str) -> Value {
        self.must("GET", &format!("/property/{name}"), None)
    }

    /// Empties an input or textarea.
    pub fn clear(&self) {
        self.must("POST", "/clear", None);
    }

    /// Focuses it and types `text` (WebDriver key codes such as `keys::ENTER` work).
    pub fn send_keys(&self, text: &str) {
        self.must("POST", "/value", Some(json!({ "text": text })));
    }

    /// The lower-case tag name.
    pub fn tag(&self) -> String {
        self.must("GET", "/name", None)
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
    }

    /// Whether it is rendered visibly.
    pub fn displayed(&self) -> bool {
        self.must("GET", "/displayed", None) == true
    }

    /// The reference as a script argument (`arguments[i]` is then the element).
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

/// WebDriver's codes for special keys, for `send_keys` and `Browser::press`.
#[allow(dead_code, reason = "a table: each test uses the keys it needs")]
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const SHIFT: &str = "\u{E008}";
    pub const BACKSPACE: &str = "\u{E003}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const ARROW_UP: &str = "\u{E013}";
}

/// Starts chromedriver, logging to `log`.
fn spawn(chromedriver: &Path, port: u16, log: &Path) -> Result<Child, String> {
    let out = File::create(log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))
}

/// The processes whose parent is `pid`, from `/proc/*/stat`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let child = |e: std::fs::DirEntry| -> Option<u32> {
        let id: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        // "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
        let ppid: u32 = stat[stat.rfind(')')? + 1..]
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (ppid == pid).then_some(id)
    };
    dir.flatten().filter_map(child).collect()
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// One request over a fresh connection (`Connection: close`); returns the
/// answer's `value`, or the error it reports.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, WdError> {
    let addr = (Ipv4Addr::LOCALHOST, port).into();
    let mut s =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(WdError::transport)?;
    // Page loads and scripts time out inside chromedriver at 30 s.
    s.set_read_timeout(Some(Duration::from_secs(90)))
        .map_err(WdError::transport)?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())
        .and_then(|()| s.write_all(body.as_bytes()))
        .map_err(WdError::transport)?;
    // chromedriver keeps the connection open despite `Connection: close`, so
    // read until the answer is complete rather than to the end.
    let (mut raw, mut chunk) = (Vec::new(), [0u8; 16 * 1024]);
    let answer = loop {
        let n = s.read(&mut chunk).map_err(WdError::transport)?;
        raw.extend_from_slice(&chunk[..n]);
        if let Some(answer) = parse_response(&raw, n == 0) {
            break Some(answer);
        }
        if n == 0 {
            break None;
        }
    };
    let (status, payload) = answer.ok_or_else(|| {
        WdError::transport(format!(
            "unreadable answer: {}",
            String::from_utf8_lossy(&raw[..raw.len().min(300)])
        ))
    })?;
    let v: Value = serde_json::from_slice(&payload).map_err(|e| {
        WdError::transport(format!(
            "{e} in {}",
            String::from_utf8_lossy(&payload[..payload.len().min(300)])
        ))
    })?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    Err(WdError {
        status,
        error: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_string(),
        message: value["message"].as_str().unwrap_or("").to_string(),
    })
}

/// Splits an HTTP/1.1 response into status and body (by Content-Length,
/// chunked, or to the end of the connection); `None` while incomplete.
fn parse_response(raw: &[u8], eof: bool) -> Option<(u16, Vec<u8>)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let rest = &raw[end + 4..];
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let (mut out, mut at) = (Vec::new(), rest);
        loop {
            let nl = at.windows(2).position(|w| w == b"\r\n")?;
            let size = std::str::from_utf8(&at[..nl])
                .ok()?
                .split(';')
                .next()?
                .trim();
            let size = usize::from_str_radix(size, 16).ok()?;
            if size == 0 {
                return Some((status, out));
            }
            out.extend_from_slice(at.get(nl + 2..nl + 2 + size)?);
            at = at.get(nl + 4 + size..)?;
        }
    }
    let body = match header("content-length").and_then(|n| n.parse::<usize>().ok()) {
        Some(n) => rest.get(..n)?.to_vec(),
        None if eof => rest.to_vec(),
        None => return None,
    };
    Some((status, body))
}
