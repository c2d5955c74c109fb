//! The editor UI at `/admin`, driven in headless Chromium against a real
//! `bron serve` process on the example content: logging in (and being
//! throttled), writing a product with reference pickers and previews and
//! publishing it so an anonymous caller finds it, CSRF, stale edits,
//! publishing rights, and every page checked with axe-core.
//!
//! Each test starts its own server (a fresh data directory, seeded with
//! `examples/content`; the first admin gets `ADMIN_PASSWORD`, other accounts
//! are made with `bron user create`) and one browser, so the login throttle
//! of one test never meets another's. `BRON_SCREENSHOTS=1` makes the first
//! test write the screenshots in `docs/screenshots/`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Browser, keys};
use crate::support::repo;

/// The password `bron serve` gives the first admin (`BRON_ADMIN_PASSWORD`).
const ADMIN_PASSWORD: &str = "beheerder-wachtwoord-2026";
/// The password of every account the tests make with the CLI.
const PASSWORD: &str = "een goed wachtwoord";

/// An account made with `bron user create`: name, role, team.
type Account<'a> = (&'a str, &'a str, Option<&'a str>);

/// A running `bron serve` on a free port with its own data directory;
/// stopped on drop.
struct Server {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts the server (which seeds the example content and makes the
    /// first admin), waits for `/healthz`, then adds `accounts` with the CLI.
    ///
    /// The accounts are made after the start because `bron serve` makes the
    /// first admin only when there are no accounts at all.
    fn start(accounts: &[Account]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
        let child = bron(dir.path())
            .arg("serve")
            .env("BRON_LISTEN", &addr)
            .env("BRON_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Server { child, addr, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/healthz").map(|(s, _)| s) != Some(200) {
            assert!(
                Instant::now() < deadline,
                "the server did not come up on {}:\n{}",
                server.addr,
                server.log()
            );
            sleep(Duration::from_millis(50));
        }
        for (name, role, team) in accounts {
            let mut c = bron(server.dir.path());
            c.args(["user", "create", "--name", name, "--role", role]);
            if let Some(t) = team {
                c.args(["--team", t]);
            }
            let mut child = c
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
            drop(stdin);
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "bron user create --name {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    fn get(&self, path: &str) -> Option<(u16, String)> {
        http(
            &self.addr,
            &format!(
                "GET {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
                self.addr
            ),
        )
    }

    /// A GraphQL request as an anonymous caller: plain HTTP, no cookie, no
    /// token. Panics unless the answer is 200 without errors; returns `data`.
    fn graphql(&self, query: &str) -> Value {
        let body = json!({ "query": query }).to_string();
        let req = format!(
            "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let (status, text) = http(&self.addr, &req).expect("an answer from /graphql");
        assert_eq!(status, 200, "{query}\n{text}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert!(v.get("errors").is_none(), "{query}\n{v}");
        v["data"].clone()
    }

    /// The id of a published item, looked up anonymously by slug.
    fn id_of(&self, type_name: &str, slug: &str) -> String {
        let data = self.graphql(&format!("{{ {type_name}(slug: \"{slug}\") {{ id }} }}"));
        data[type_name]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no published {type_name} `{slug}`: {data}"))
            .to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bron(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bron"));
    c.current_dir(repo())
        .arg("--data-dir")
        .arg(data)
        .env("BRON_LOG", "warn");
    c
}

/// One HTTP/1.1 request over a fresh connection; returns status and body.
fn http(addr: &str, request: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_string()))
}

/// Clicks the element matching `css` and waits until the page it leads to
/// has loaded (a form submission or a link), so the next `find` cannot
/// match an element of the page before.
fn click_and_wait(b: &Browser, css: &str) {
    let e = b.find(css);
    // In the middle of the window, as someone scrolls to what they click:
    // not under the edit form's sticky bar of buttons.
    b.execute(
        "window.__bronBefore = true; arguments[0].scrollIntoView({block: 'center'});",
        vec![e.as_arg()],
    );
    e.click();
    let until = Instant::now() + Duration::from_secs(15);
    let probe = json!({
        "script": "return document.readyState === 'complete' && window.__bronBefore === undefined",
        "args": [],
    });
    loop {
        // While the old page unloads the script may fail; try again.
        if let Ok(Value::Bool(true)) = b.wd.cmd("POST", "/execute/sync", Some(probe.clone())) {
            return;
        }
        assert!(
            Instant::now() < until,
            "clicking `{css}` on {} led to no new page",
            b.url()
        );
        sleep(Duration::from_millis(25));
    }
}

/// Opens the login page, fills in the form and submits it.
fn try_login(b: &Browser, s: &Server, name: &str, password: &str) {
    b.goto(&s.url("/admin/login"));
    submit_login(b, name, password);
}

/// Fills in the login form on the current page and submits it.
fn submit_login(b: &Browser, name: &str, password: &str) {
    b.fill("#name", name);
    b.fill("#password", password);
    click_and_wait(b, "main form button[type=submit]");
}

/// Logs in and checks that the worklist opened.
fn login(b: &Browser, s: &Server, name: &str, password: &str) {
    try_login(b, s, name, password);
    assert!(
        b.url().ends_with("/admin"),
        "logging in as {name} led to {}: {}",
        b.url(),
        b.text("main")
    );
    assert!(b.text("h1").starts_with("Werklijst"), "{}", b.text("main"));
}

/// The current value of a form field.
fn value(b: &Browser, css: &str) -> String {
    b.find(css)
        .prop("value")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The success or error box of the edit page (`#melding`).
fn notice(b: &Browser) -> String {
    b.text("#melding")
}

/// Searches with the reference picker of `field` and returns the results
/// as (button value, line text) pairs.
fn pick_search(b: &Browser, field: &str, query: &str) -> Vec<(String, String)> {
    b.fill(&format!("input[name=\"q.{field}\"]"), query);
    click_and_wait(b, &format!("button[value=\"find:{field}\"]"));
    let found = b.execute(
        "return Array.from(document.querySelectorAll(\
           'button[name=action][value^=\"add:' + arguments[0] + ':\"]'))\
           .map((x) => [x.value, x.parentElement.textContent.replace(/\\s+/g, ' ').trim()]);",
        vec![json!(field)],
    );
    serde_json::from_value(found).unwrap()
}

/// Adds the search result of `field` whose line contains `title`; returns
/// the id added.
fn pick(b: &Browser, field: &str, query: &str, title: &str) -> String {
    let found = pick_search(b, field, query);
    let (action, line) = found
        .iter()
        .find(|(_, line)| line.contains(title))
        .unwrap_or_else(|| {
            panic!("searching {field} for `{query}` did not find `{title}`: {found:?}")
        });
    assert!(
        line.contains("Gepubliceerd"),
        "{title} must be live to publish with it: {line}"
    );
    click_and_wait(b, &format!("button[value=\"{action}\"]"));
    action.rsplit(':').next().unwrap().to_string()
}

/// The ids in a reference list of the form, in order.
fn refs(b: &Browser, field: &str) -> Vec<String> {
    let v = b.execute(
        "return Array.from(document.querySelectorAll('input[type=hidden][name=\"f.' + arguments[0] + '\"]')).map((x) => x.value);",
        vec![json!(field)],
    );
    serde_json::from_value(v).unwrap()
}

/// Writes a screenshot to `docs/screenshots/<name>` when `BRON_SCREENSHOTS=1`.
fn screenshot(b: &Browser, name: &str) {
    if std::env::var("BRON_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let dir = repo().join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    b.execute("window.scrollTo(0, 0);", vec![]);
    b.save_screenshot(dir.join(name));
    eprintln!("wrote docs/screenshots/{name}");
}

/// Puts a wrong CSRF token in the edit form (or removes it), so its next
/// submission must be refused.
fn spoil_csrf(b: &Browser, remove: bool) {
    let script = if remove {
        "const i = document.querySelector('form.edit input[name=csrf]'); i.remove(); return 1;"
    } else {
        "const i = document.querySelector('form.edit input[name=csrf]'); i.value = 'wrong' + i.value; return 1;"
    };
    assert_eq!(b.execute(script, vec![]), 1);
}

#[test]
fn an_editor_writes_previews_and_a_publisher_publishes_a_product_found_anonymously() {
    let started = Instant::now();
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let s = Server::start(&[("petra", "publisher", None)]);
    b.set_window_size(1400, 1000);
    login(&b, &s, "petra", PASSWORD);
    screenshot(&b, "admin-worklist.png");
    b.goto(&s.url("/admin/product"));
    assert!(b.exists("table.items"), "{}", b.text("main"));
    screenshot(&b, "admin-list.png");

    b.goto(&s.url("/admin/product/new"));
    assert_eq!(b.text("h1"), "Nieuw: Product");
    let title = "Zwemvergunning voor de Lindeplas";
    b.fill("#f-title", title);
    let summary = "Met een zwemvergunning mag u in de zomer zwemmen in de Lindeplas.";
    b.fill("#f-summary", summary);
    b.fill(
        "#f-introduction",
        "De vergunning kost {{fact:afvalpas-tarief-vervanging}}. U vraagt haar aan bij de gemeente.",
    );
    // The previews follow the typing by themselves (admin.js), facts
    // filled, before any button is pressed.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pane = b.text("aside.previews");
        if pane.contains(summary) && pane.contains("€ 15,00") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the previews did not follow: {pane}"
        );
        sleep(Duration::from_millis(100));
    }
    assert_eq!(
        b.url(),
        s.url("/admin/product/new"),
        "nothing was submitted"
    );

    // Two steps and a condition, through the pickers; every button press
    // re-renders the form from what was posted, typed text included.
    let first = pick(&b, "steps", "afspraak", "Maak een afspraak");
    let second = pick(&b, "steps", "pasfoto", "Laat een pasfoto maken");
    assert_eq!(refs(&b, "steps"), [first.clone(), second.clone()]);
    let condition = pick(&b, "conditions", "18 jaar", "U bent 18 jaar of ouder.");
    assert_eq!(refs(&b, "conditions"), [condition]);
    assert_eq!(
        value(&b, "#f-title"),
        title,
        "typed text survives the pickers"
    );
    assert!(
        value(&b, "#f-introduction").contains("{{fact:afvalpas-tarief-vervanging}}"),
        "{}",
        value(&b, "#f-introduction")
    );
    // The first step cannot move up, the last not down.
    assert_eq!(
        b.find("button[value=\"up:steps:0\"]")
            .attr("disabled")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        b.find("button[value=\"down:steps:1\"]")
            .attr("disabled")
            .as_deref(),
        Some("true")
    );
    click_and_wait(&b, "button[value=\"up:steps:1\"]");
    assert_eq!(refs(&b, "steps"), [second.clone(), first.clone()]);
    let titles = b.execute(
        "return Array.from(document.querySelectorAll('#veld-steps ol.refs .ref-title a')).map((a) => a.textContent.trim());",
        vec![],
    );
    assert_eq!(
        titles,
        json!(["Laat een pasfoto maken", "Maak een afspraak"])
    );

    // Four previews, each with the new title and the fact's value filled in.
    click_and_wait(&b, ".actions button[value=preview]");
    let previews = b.find_all("section.preview");
    assert_eq!(previews.len(), 4, "{}", b.text("aside.previews"));
    let headings: Vec<String> = b
        .find_all("section.preview > h3")
        .iter()
        .map(|h| h.text())
        .collect();
    assert_eq!(headings.len(), 4);
    for (h, want) in headings.iter().zip(["Website", "Chatbot", "KCC", "Brief"]) {
        assert!(h.starts_with(want), "{headings:?}");
    }
    for (p, heading) in previews.iter().zip(&headings) {
        let text = p.text().replace('\u{a0}', " ");
        // The chatbot's answer and the letter's text start at the summary:
        // the title goes beside them (`Rendering.title`), and their
        // previews show only the text.
        if heading == "Website" || heading.starts_with("KCC") {
            assert!(text.contains(title), "a preview lacks the title:\n{text}");
        }
        assert!(
            text.contains(summary),
            "a preview lacks the summary:\n{text}"
        );
        assert!(
            text.contains("€ 15,00") && !text.contains("{{fact:"),
            "a preview lacks the fact's value:\n{text}"
        );
    }
    assert!(
        b.text("aside.previews")
            .contains("uw nog niet opgeslagen versie"),
        "{}",
        b.text("aside.previews")
    );
    screenshot(&b, "admin-edit.png");

    // Save and publish: the steps and the condition are live already.
    b.fill("#message", "Nieuw product voor de zomer");
    click_and_wait(&b, "button[value=publish]");
    let url = b.url();
    assert!(url.contains("?klaar=published"), "{url}: {}", notice(&b));
    assert!(notice(&b).contains("Gepubliceerd"), "{}", notice(&b));
    assert_eq!(b.text("h1"), title);
    assert_eq!(b.text("p.meta .status"), "Gepubliceerd");
    let slug = value(&b, "#m-slug");
    assert!(!slug.is_empty());

    // Anyone finds it over the API: no cookie, no token.
    let data = s.graphql(&format!(
        "{{ product(slug: \"{slug}\") {{ title status steps {{ id title }} conditions {{ id }} }} }}"
    ));
    let product = &data["product"];
    assert_eq!(product["title"], title, "{data}");
    assert_eq!(product["status"], "PUBLISHED", "{data}");
    let steps: Vec<&str> = product["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(steps, [second.as_str(), first.as_str()], "{data}");
    let query = "{ search(query: \"zwemvergunning lindeplas\") { hits { item { slug } } } }";
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let data = s.graphql(query);
        let hits = data["search"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if hits.iter().any(|h| h["item"]["slug"] == slug.as_str()) {
            assert_eq!(hits[0]["item"]["slug"], slug.as_str(), "{data}");
            break;
        }
        assert!(Instant::now() < until, "search did not find {slug}: {data}");
        sleep(Duration::from_millis(100));
    }

    // A second version, so the history has a difference to show.
    b.fill(
        "#f-summary",
        "Met een zwemvergunning mag u van juni tot september zwemmen in de Lindeplas.",
    );
    click_and_wait(&b, "button[value=save]");
    assert!(
        notice(&b).contains("Opgeslagen als concept"),
        "{}",
        notice(&b)
    );
    assert_eq!(b.text("p.meta .status"), "Gepubliceerd, met wijzigingen");
    click_and_wait(&b, "p.meta a[href$=\"/geschiedenis\"]");
    assert!(
        b.text("h1").starts_with("Geschiedenis"),
        "{}",
        b.text("main")
    );
    let diff = b.text("dl.diff");
    assert!(
        diff.contains("Kort antwoord") && diff.contains("juni"),
        "{diff}"
    );
    assert_eq!(b.find_all("table.items tbody tr").len(), 2);
    screenshot(&b, "admin-history.png");
    // The live version is still the first.
    let data = s.graphql(&format!(
        "{{ product(slug: \"{slug}\") {{ summary version }} }}"
    ));
    assert!(
        !data["product"]["summary"]
            .as_str()
            .unwrap()
            .contains("juni"),
        "{data}"
    );
    eprintln!("the publishing flow took {:?}", started.elapsed());
}

#[test]
fn failed_logins_are_refused_and_throttled() {
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let s = Server::start(&[("piet", "editor", None), ("kees", "editor", None)]);
    let wrong = "De naam of het wachtwoord klopt niet.";
    b.goto(&s.url("/admin/login"));
    for attempt in 1..=5 {
        // Again from the page that said no, as people do.
        submit_login(&b, "piet", "niet het goede wachtwoord");
        assert!(
            b.url().contains("/admin/login"),
            "attempt {attempt}: {}",
            b.url()
        );
        assert_eq!(b.text("[role=alert]"), wrong, "attempt {attempt}");
        assert_eq!(value(&b, "#name"), "piet", "the name is kept");
        assert_eq!(b.active_element().attr("id").as_deref(), Some("password"));
        assert!(b.cookie("bron_session").is_none(), "{:?}", b.cookies());
    }
    // The sixth attempt is refused even with the right password.
    submit_login(&b, "piet", PASSWORD);
    let refused = b.text("[role=alert]");
    assert!(
        refused.starts_with("Te veel mislukte pogingen"),
        "{refused}"
    );
    assert!(b.url().contains("/admin/login"));
    assert!(b.cookie("bron_session").is_none(), "{:?}", b.cookies());
    // An unknown name reads like a wrong password.
    submit_login(&b, "niemand", PASSWORD);
    assert_eq!(b.text("[role=alert]"), wrong);

    // Someone else logs in; the session cookie is out of scripts' and other
    // sites' reach, and only sent to the editor UI.
    login(&b, &s, "kees", PASSWORD);
    let c = b.cookie("bron_session").expect("a session cookie");
    assert_eq!(c["httpOnly"], true, "{c}");
    assert_eq!(c["sameSite"], "Strict", "{c}");
    assert_eq!(c["path"], "/admin", "{c}");
    assert!(b.cookie("bron_login").is_none(), "{:?}", b.cookies());
    assert_eq!(b.execute("return document.cookie", vec![]), "");
    // Logging out ends it.
    click_and_wait(&b, "form.who button[type=submit]");
    assert!(b.url().contains("/admin/login"), "{}", b.url());
    assert!(b.cookie("bron_session").is_none(), "{:?}", b.cookies());
    b.goto(&s.url("/admin"));
    assert!(b.url().contains("/admin/login"), "{}", b.url());
}

#[test]
fn a_form_posted_without_its_csrf_token_changes_nothing() {
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let s = Server::start(&[("eva", "editor", None)]);
    let id = s.id_of("product", "rijbewijs-verlengen");
    let edit = s.url(&format!("/admin/product/{id}"));
    login(&b, &s, "eva", PASSWORD);
    for remove in [true, false] {
        b.goto(&edit);
        assert_eq!(value(&b, "#f-title"), "Rijbewijs verlengen");
        spoil_csrf(&b, remove);
        b.fill("#f-title", "Rijbewijs verlengen (gewijzigd)");
        click_and_wait(&b, "button[value=save]");
        assert_eq!(
            b.text("h1"),
            "Formulier niet geaccepteerd",
            "remove: {remove}"
        );
        assert!(
            b.text("main").contains("er is niets opgeslagen"),
            "{}",
            b.text("main")
        );
        b.goto(&edit);
        assert_eq!(
            value(&b, "#f-title"),
            "Rijbewijs verlengen",
            "remove: {remove}"
        );
        assert!(
            b.text("p.meta").contains("versie 1"),
            "{}",
            b.text("p.meta")
        );
    }
    // The same form with its token is accepted.
    b.fill("#f-title", "Rijbewijs verlengen (gewijzigd)");
    click_and_wait(&b, "button[value=save]");
    assert!(
        notice(&b).contains("Opgeslagen als concept"),
        "{}",
        notice(&b)
    );
    assert_eq!(value(&b, "#f-title"), "Rijbewijs verlengen (gewijzigd)");
}

#[test]
fn a_stale_edit_is_explained_and_not_saved() {
    let Some(anna) = Browser::start_or_skip() else {
        return;
    };
    let bert = Browser::start();
    let s = Server::start(&[("anna", "editor", None), ("bert", "editor", None)]);
    let id = s.id_of("product", "afvalpas-aanvragen");
    let edit = s.url(&format!("/admin/product/{id}"));
    login(&anna, &s, "anna", PASSWORD);
    login(&bert, &s, "bert", PASSWORD);
    anna.goto(&edit);
    bert.goto(&edit);
    let old_summary = value(&anna, "#f-summary");

    // Bert saves first.
    let bert_summary = "Met de afvalpas opent u de containers voor restafval en gft in uw wijk.";
    bert.fill("#f-summary", bert_summary);
    click_and_wait(&bert, "button[value=save]");
    assert!(
        notice(&bert).contains("Opgeslagen als concept"),
        "{}",
        notice(&bert)
    );

    // Anna, still on version 1, is told and keeps her text.
    let anna_title = "Afvalpas aanvragen of vervangen";
    anna.fill("#f-title", anna_title);
    click_and_wait(&anna, "button[value=save]");
    let n = notice(&anna);
    assert!(
        n.contains("Iemand anders heeft dit intussen gewijzigd"),
        "{n}"
    );
    assert!(n.contains("bert"), "names who changed it: {n}");
    let diff = anna.text("dl.diff");
    assert!(diff.contains("Kort antwoord"), "{diff}");
    assert!(
        !diff.contains("Titel"),
        "only Bert's change is listed: {diff}"
    );
    let inserted = anna.execute(
        "return Array.from(document.querySelectorAll('dl.diff ins')).map((e) => e.textContent).join(' ')",
        vec![],
    );
    assert!(
        inserted.as_str().unwrap().contains("restafval"),
        "{inserted}"
    );
    assert_eq!(
        value(&anna, "#f-title"),
        anna_title,
        "her unsaved text is kept"
    );
    assert_eq!(value(&anna, "#f-summary"), old_summary);
    assert_eq!(value(&anna, "form.edit input[name=version]"), "2");
    // Nothing of hers was saved.
    bert.goto(&edit);
    assert_eq!(value(&bert, "#f-title"), "Afvalpas aanvragen");
    assert_eq!(value(&bert, "#f-summary"), bert_summary);

    // She takes Bert's summary over and saves again, knowingly.
    anna.fill("#f-summary", bert_summary);
    click_and_wait(&anna, "button[value=save]");
    assert!(
        notice(&anna).contains("Opgeslagen als concept"),
        "{}",
        notice(&anna)
    );
    bert.goto(&edit);
    assert_eq!(value(&bert, "#f-title"), anna_title);
    assert_eq!(value(&bert, "#f-summary"), bert_summary);
    assert!(
        bert.text("p.meta").contains("versie 3"),
        "{}",
        bert.text("p.meta")
    );
}

#[test]
fn a_forbidden_publish_is_refused() {
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let s = Server::start(&[
        ("eva", "editor", None),
        ("paul", "publisher", Some("Parkeren")),
    ]);

    // (a) An editor has no publish button; adding one does not help.
    login(&b, &s, "eva", PASSWORD);
    b.goto(&s.url("/admin/product/new"));
    assert!(b.exists("button[value=save]"));
    assert!(!b.exists("button[value=publish]"));
    b.fill("#f-title", "Strandvergunning");
    b.fill(
        "#f-summary",
        "Met een strandvergunning mag u een strandtent openen.",
    );
    force_publish(&b);
    let n = notice(&b);
    assert!(n.contains("Opgeslagen, maar niet gepubliceerd"), "{n}");
    assert!(n.contains("als concept bewaard"), "{n}");
    assert_eq!(b.text("p.meta .status"), "Concept");
    assert!(!b.exists("button[value=publish]"));
    let slug = value(&b, "#m-slug");
    let data = s.graphql(&format!("{{ product(slug: \"{slug}\") {{ id }} }}"));
    assert_eq!(data["product"], Value::Null, "{data}");
    click_and_wait(&b, "form.who button[type=submit]");

    // (b) A publisher of team Parkeren may publish Parkeren's products...
    login(&b, &s, "paul", PASSWORD);
    let ours = s.id_of("product", "parkeervergunning-bewoners");
    b.goto(&s.url(&format!("/admin/product/{ours}")));
    b.fill("#f-title", "Parkeervergunning voor bewoners (nieuw)");
    click_and_wait(&b, "button[value=publish]");
    assert!(notice(&b).contains("Gepubliceerd"), "{}", notice(&b));
    let data = s.graphql("{ product(slug: \"parkeervergunning-bewoners\") { title } }");
    assert_eq!(
        data["product"]["title"],
        "Parkeervergunning voor bewoners (nieuw)"
    );

    // ...but not Burgerzaken's: saved as a concept, the live text unchanged.
    let theirs = s.id_of("product", "verhuizing-doorgeven");
    b.goto(&s.url(&format!("/admin/product/{theirs}")));
    assert_eq!(value(&b, "#f-owner_team"), "Burgerzaken");
    b.fill("#f-title", "Verhuizing doorgeven (nieuw)");
    click_and_wait(&b, "button[value=publish]");
    let n = notice(&b);
    assert!(n.contains("Opgeslagen, maar niet gepubliceerd"), "{n}");
    assert!(n.contains("Burgerzaken"), "names the owning team: {n}");
    assert_eq!(b.text("p.meta .status"), "Gepubliceerd, met wijzigingen");
    assert_eq!(value(&b, "#f-title"), "Verhuizing doorgeven (nieuw)");
    let data = s.graphql("{ product(slug: \"verhuizing-doorgeven\") { title version } }");
    assert_eq!(data["product"]["title"], "Verhuizing doorgeven", "{data}");
    assert_eq!(data["product"]["version"], 1, "{data}");
}

/// Adds the publish button an editor does not get, and presses it.
fn force_publish(b: &Browser) {
    let added = b.execute(
        "const f = document.querySelector('form.edit');\
         const x = document.createElement('button');\
         x.type = 'submit'; x.name = 'action'; x.value = 'publish'; x.id = 'forced';\
         x.textContent = 'Opslaan en publiceren';\
         f.querySelector('.actions').appendChild(x); return 1;",
        vec![],
    );
    assert_eq!(added, 1);
    click_and_wait(b, "#forced");
}

#[test]
fn every_admin_page_passes_axe() {
    let started = Instant::now();
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let s = Server::start(&[]);

    // The login page, and its order for the keyboard.
    b.goto(&s.url("/admin/login"));
    b.assert_accessible("the login page");
    let focused = |b: &Browser| b.active_element().attr("id").unwrap_or_default();
    assert_eq!(focused(&b), "name", "the name field has the focus first");
    b.press_shift_tab();
    assert_eq!(
        b.active_element().tag(),
        "body",
        "nothing comes before the name field"
    );
    b.press_tab();
    assert_eq!(focused(&b), "name");
    b.press_tab();
    assert_eq!(focused(&b), "password");
    b.press_tab();
    let submit = b.active_element();
    assert_eq!(
        (submit.tag(), submit.attr("type"), submit.text()),
        ("button".into(), Some("submit".into()), "Inloggen".into())
    );
    try_login(&b, &s, "admin", "verkeerd wachtwoord");
    b.assert_accessible("the login page with an error");

    login(&b, &s, "admin", ADMIN_PASSWORD);
    b.assert_accessible("the worklist");
    // Every page after login starts with the skip link, which leads to
    // the content.
    b.press_tab();
    let skip = b.active_element();
    assert_eq!(skip.attr("href").as_deref(), Some("#main"));
    assert_eq!(skip.text(), "Direct naar de inhoud");
    b.press(keys::ENTER);
    assert_eq!(focused(&b), "main");

    for ty in ["product", "question", "step", "condition", "fact", "jargon"] {
        b.goto(&s.url(&format!("/admin/{ty}")));
        assert!(b.exists("table.items"), "{ty}: {}", b.text("main"));
        b.assert_accessible(&format!("the list of {ty}"));
    }
    b.goto(&s.url("/admin/product/new"));
    b.assert_accessible("the new product form");
    // Saved without a title: the errors are shown, linked to the fields.
    click_and_wait(&b, "button[value=save]");
    let n = notice(&b);
    assert!(n.contains("Niet opgeslagen"), "{n}");
    assert!(b.exists("#f-title[aria-invalid=true]"));
    assert!(b.exists("#melding a[href=\"#f-title\"]"), "{n}");
    assert_eq!(focused(&b), "melding", "the message has the focus");
    b.assert_accessible("the edit form with errors");

    // A product with steps, saved twice, so its history shows a difference.
    let id = s.id_of("product", "paspoort-aanvragen");
    let edit = s.url(&format!("/admin/product/{id}"));
    b.goto(&edit);
    assert!(!refs(&b, "steps").is_empty());
    b.assert_accessible("the edit page of a product with steps");
    for summary in [
        "Een paspoort vraagt u aan in het stadhuis.",
        "Een paspoort vraagt u aan bij de balie in het stadhuis.",
    ] {
        b.fill("#f-summary", summary);
        click_and_wait(&b, "button[value=save]");
        assert!(notice(&b).contains("Opgeslagen"), "{}", notice(&b));
    }
    b.goto(&s.url(&format!("/admin/product/{id}/geschiedenis")));
    assert!(b.text("dl.diff").contains("balie"), "{}", b.text("main"));
    b.assert_accessible("the history with a difference");

    b.goto(&s.url("/admin/accounts"));
    assert!(b.text("main").contains("admin"), "{}", b.text("main"));
    b.assert_accessible("the accounts page");
    b.goto(&s.url("/admin/wachtwoord"));
    b.assert_accessible("the password page");

    b.goto(&edit);
    spoil_csrf(&b, false);
    click_and_wait(&b, "button[value=save]");
    assert_eq!(b.text("h1"), "Formulier niet geaccepteerd");
    b.assert_accessible("the refused form page");
    eprintln!("the accessibility checks took {:?}", started.elapsed());
}
