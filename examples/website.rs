//! A static site generator: every published product and question, in every
//! locale, as an accessible HTML page from the web rendering Bron makes of
//! it, plus an index per locale.
//!
//! ```sh
//! cargo run -- serve &                          # Bron on 127.0.0.1:8080
//! cargo run --example website -- --out site/
//! cargo run --example website -- --url http://127.0.0.1:18099/graphql --out /tmp/site
//! ```
//!
//! Writes, for Dutch (`nl`) items, `site/index.html`,
//! `site/products/<slug>.html` and `site/questions/<slug>.html`; for items
//! in another locale the same under `site/<locale>/` (an `en` item may share
//! its slug with an `nl` one). The web channel links items as
//! `/products/<slug>` and `/questions/<slug>` (its `item_url`); those links
//! are rewritten to relative links to the files written, in the page's own
//! locale (references are always to items in the same locale), so the site
//! works opened from disk as well as served. Pages of items no longer
//! published are removed.
//!
//! Afterwards every internal link (`href` and `src` that are not absolute
//! URLs) of every page written is checked against the files: each that
//! points at no file is reported, and the program then exits with code 1.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{Value, json};

#[path = "client/mod.rs"]
mod client;
use client::{Client, fail};

/// Writes every published product and question as an HTML page, with an
/// index per locale.
#[derive(Parser)]
struct Args {
    /// Bron's GraphQL endpoint.
    #[arg(long, env = "BRON_URL", default_value = client::DEFAULT_URL)]
    url: String,
    /// The directory to write the site to.
    #[arg(long, default_value = "site")]
    out: PathBuf,
    /// The site's name, in every page's title and header.
    #[arg(long, default_value = "Gemeente Lindewaard")]
    site_name: String,
    /// How many product renderings to fetch at the same time.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    parallel: u16,
}

/// The locale written at the root of the site; others go in `<locale>/`.
const MAIN_LOCALE: &str = "nl";

const PRODUCTS: &str = r#"query($after: String) {
  products(first: 100, after: $after, filter: {status: PUBLISHED, locale: "*"}) {
    edges { node { id slug locale title summary } }
    pageInfo { hasNextPage endCursor } } }"#;

// One product at a time: a product's rendering is large, and a page of 50
// of them is past the API's cost limit.
const RENDER_PRODUCT: &str = r#"query($id: ID!) { product(id: $id) {
  slug rendered(channel: WEB) { title locale summary html jsonLdScript } } }"#;

// Questions are smaller: 50 with their renderings fit the cost limit (100
// do not).
const QUESTIONS: &str = r#"query($after: String) {
  questions(first: 50, after: $after, filter: {status: PUBLISHED, locale: "*"}) {
    edges { node { slug locale title
      rendered(channel: WEB) { title locale summary html jsonLdScript } } }
    pageInfo { hasNextPage endCursor } } }"#;

/// The types the site has pages of, as the web channel's `item_url` names
/// them (`/{plural}/{slug}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Product,
    Question,
}

impl Kind {
    const ALL: [Kind; 2] = [Kind::Product, Kind::Question];

    /// The directory of its pages, and the first segment of its links.
    fn dir(self) -> &'static str {
        match self {
            Kind::Product => "products",
            Kind::Question => "questions",
        }
    }

    fn of_dir(dir: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir() == dir)
    }
}

struct Listed {
    id: String,
    slug: String,
    locale: String,
    title: String,
    summary: Option<String>,
}

struct Page {
    kind: Kind,
    slug: String,
    locale: String,
    title: String,
    html: String,
    json_ld_script: Option<String>,
    summary: Option<String>,
}

impl Page {
    /// Where the page is, relative to the site root, with `/`.
    fn path(&self) -> String {
        format!(
            "{}{}/{}.html",
            locale_prefix(&self.locale),
            self.kind.dir(),
            self.slug
        )
    }
}

/// The directory of a locale's pages, relative to the site root: empty for
/// the main locale, else `<locale>/`.
fn locale_prefix(locale: &str) -> String {
    if locale == MAIN_LOCALE {
        String::new()
    } else {
        format!("{locale}/")
    }
}

/// The pages this run writes, to point links at.
struct Site {
    pages: HashSet<(String, Kind, String)>,
}

impl Site {
    fn has(&self, locale: &str, kind: Kind, slug: &str) -> bool {
        self.pages
            .contains(&(locale.to_string(), kind, slug.to_string()))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    client::quiet_on_closed_stdout();
    let args = Args::parse();
    let client = Client::or_exit(&args.url, None);

    let listed = list_products(&client).await;
    let mut pages = render_products(&client, listed, args.parallel as usize).await;
    pages.extend(list_questions(&client).await);

    let site = Site {
        pages: pages
            .iter()
            .map(|p| (p.locale.clone(), p.kind, p.slug.clone()))
            .collect(),
    };
    // Every locale with pages, the main one first (it has an index even
    // when empty: it is the site's front page).
    let mut by_locale: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    by_locale.entry(MAIN_LOCALE).or_default();
    for p in &pages {
        by_locale.entry(p.locale.as_str()).or_default().push(p);
    }
    let locales: Vec<&str> = std::iter::once(MAIN_LOCALE)
        .chain(by_locale.keys().copied().filter(|l| *l != MAIN_LOCALE))
        .collect();

    // Every file written, relative to the site root, with its content.
    let mut written: Vec<(String, String)> = Vec::new();
    for page in &pages {
        written.push((page.path(), item_page(page, &site, &args.site_name)));
    }
    for locale in &locales {
        let path = format!("{}index.html", locale_prefix(locale));
        let html = index_page(locale, &by_locale[locale], &locales, &args.site_name);
        written.push((path, html));
    }
    for (path, html) in &written {
        let file = args.out.join(path);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| fail(format!("cannot create {}: {e}", dir.display())));
        }
        write(&file, html);
    }
    let removed = remove_stale(&args.out, &site, &locales);

    for locale in &locales {
        let count = |kind: Kind| by_locale[locale].iter().filter(|p| p.kind == kind).count();
        println!(
            "{locale}: {}, {}, {}index.html",
            plural(count(Kind::Product), "product page", "product pages"),
            plural(count(Kind::Question), "question page", "question pages"),
            locale_prefix(locale),
        );
    }
    println!(
        "wrote {} and {} to {}",
        plural(pages.len(), "page", "pages"),
        plural(locales.len(), "index", "indexes"),
        args.out.display()
    );
    if removed > 0 {
        println!(
            "removed {} of items no longer published",
            plural(removed, "page", "pages")
        );
    }

    let (links, dead) = check_links(&args.out, &written);
    if dead > 0 {
        fail(format!(
            "{} of {} internal links in {} lead nowhere",
            dead,
            links,
            plural(written.len(), "page", "pages")
        ));
    }
    println!(
        "checked {} in {}: none dead",
        plural(links, "internal link", "internal links"),
        plural(written.len(), "page", "pages")
    );
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Every published product in every locale, page by page.
async fn list_products(client: &Client) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = client.query(PRODUCTS, json!({ "after": after })).await;
        let conn = &data["products"];
        for edge in conn["edges"].as_array().into_iter().flatten() {
            let node = &edge["node"];
            let (slug, locale) = (text(&node["slug"]), text(&node["locale"]));
            if !usable(Kind::Product, &slug, &locale) {
                continue;
            }
            out.push(Listed {
                id: text(&node["id"]),
                title: text(&node["title"]),
                summary: node["summary"].as_str().map(str::to_string),
                slug,
                locale,
            });
        }
        match next_page(&conn["pageInfo"]) {
            Some(cursor) => after = cursor,
            None => break,
        }
    }
    out
}

/// Every published question in every locale with its web rendering, page
/// by page.
async fn list_questions(client: &Client) -> Vec<Page> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = client.query(QUESTIONS, json!({ "after": after })).await;
        let conn = &data["questions"];
        for edge in conn["edges"].as_array().into_iter().flatten() {
            let node = &edge["node"];
            let (slug, locale) = (text(&node["slug"]), text(&node["locale"]));
            if !usable(Kind::Question, &slug, &locale) {
                continue;
            }
            let r = &node["rendered"];
            out.push(Page {
                kind: Kind::Question,
                title: r["title"]
                    .as_str()
                    .map_or_else(|| text(&node["title"]), str::to_string),
                locale: r["locale"].as_str().map_or(locale, str::to_string),
                html: text(&r["html"]),
                json_ld_script: r["jsonLdScript"].as_str().map(str::to_string),
                summary: r["summary"].as_str().map(str::to_string),
                slug,
            });
        }
        match next_page(&conn["pageInfo"]) {
            Some(cursor) => after = cursor,
            None => break,
        }
    }
    out
}

/// The cursor to ask for the next page with, if there is one.
fn next_page(info: &Value) -> Option<Value> {
    match info["endCursor"].as_str() {
        Some(cursor) if info["hasNextPage"] == true => Some(json!(cursor)),
        _ => None,
    }
}

/// Whether an item's slug and locale can name its file; warns when not.
fn usable(kind: Kind, slug: &str, locale: &str) -> bool {
    if !safe_slug(slug) {
        eprintln!(
            "warning: skipped a {} whose slug `{slug}` is not a file name",
            kind.dir().trim_end_matches('s')
        );
        return false;
    }
    if !safe_locale(locale) {
        eprintln!(
            "warning: skipped {}/{slug}: its locale `{locale}` is not a language code",
            kind.dir()
        );
        return false;
    }
    true
}

/// The web rendering of every product, `parallel` requests at a time, in
/// the order listed.
async fn render_products(client: &Client, listed: Vec<Listed>, parallel: usize) -> Vec<Page> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut pages: Vec<Option<Page>> = Vec::new();
    pages.resize_with(listed.len(), || None);
    let mut todo = listed.into_iter().enumerate();
    loop {
        while tasks.len() < parallel {
            let Some((i, item)) = todo.next() else { break };
            let client = client.clone();
            tasks.spawn(async move {
                let data = client.query(RENDER_PRODUCT, json!({ "id": item.id })).await;
                (i, item, data)
            });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        let (i, item, data) = done.unwrap_or_else(|e| fail(format!("a request failed: {e}")));
        let product = &data["product"];
        if product.is_null() {
            // Unpublished between the list and now.
            eprintln!(
                "warning: product {} ({}) is no longer published; skipped",
                item.slug, item.locale
            );
            continue;
        }
        let r = &product["rendered"];
        pages[i] = Some(Page {
            kind: Kind::Product,
            title: r["title"].as_str().map_or(item.title, str::to_string),
            locale: r["locale"].as_str().map_or(item.locale, str::to_string),
            html: text(&r["html"]),
            json_ld_script: r["jsonLdScript"].as_str().map(str::to_string),
            summary: r["summary"].as_str().map(str::to_string).or(item.summary),
            slug: item.slug,
        });
    }
    pages.into_iter().flatten().collect()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A slug that is safe as a file name.
fn safe_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// A language code (`en`, `pt-BR`) that is safe as a directory name and
/// cannot be mistaken for `products` or `questions`.
fn safe_locale(locale: &str) -> bool {
    let mut parts = locale.split('-');
    let language = parts.next().unwrap_or("");
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn write(path: &Path, content: &str) {
    std::fs::write(path, content)
        .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
}

/// Removes the pages (`*.html` in `products/` and `questions/`, at the root
/// and in locale directories) that this run did not write, and the index and
/// empty directories of locales that have no pages any more.
fn remove_stale(out: &Path, site: &Site, locales: &[&str]) -> usize {
    let mut removed = 0;
    let mut dirs: Vec<(String, PathBuf)> = vec![(MAIN_LOCALE.to_string(), out.to_path_buf())];
    for entry in std::fs::read_dir(out).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != MAIN_LOCALE && safe_locale(&name) && entry.path().is_dir() {
            dirs.push((name, entry.path()));
        }
    }
    for (locale, dir) in dirs {
        let mut ours = false;
        for kind in Kind::ALL {
            let kind_dir = dir.join(kind.dir());
            let Ok(entries) = std::fs::read_dir(&kind_dir) else {
                continue;
            };
            ours = true;
            for entry in entries.flatten() {
                let path = entry.path();
                let stale = path.extension().is_some_and(|e| e == "html")
                    && path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(|s| !site.has(&locale, kind, s));
                if stale && std::fs::remove_file(&path).is_ok() {
                    removed += 1;
                }
            }
            // Only when empty.
            let _ = std::fs::remove_dir(&kind_dir);
        }
        if ours && !locales.contains(&locale.as_str()) {
            let _ = std::fs::remove_file(dir.join("index.html"));
            let _ = std::fs::remove_dir(&dir);
        }
    }
    removed
}

/// Escapes text for HTML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every `href` and `src` attribute in `html` with its value quoted by `"`
/// or `'`: the attribute's name and the byte range of its value, in order.
fn link_values(html: &str) -> Vec<(usize, usize, &'static str)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    for name in ["href", "src"] {
        let mut from = 0;
        while let Some(at) = html[from..].find(name) {
            let start = from + at;
            from = start + name.len();
            let attribute = start > 0
                && bytes[start - 1].is_ascii_whitespace()
                && bytes.get(from) == Some(&b'=');
            let quote = bytes.get(from + 1).copied();
            if !attribute || !matches!(quote, Some(b'"' | b'\'')) {
                continue;
            }
            let value = from + 2;
            let Some(len) = html[value..].find(quote.map(char::from).unwrap_or('"')) else {
                break;
            };
            out.push((value, value + len, name));
            from = value + len;
        }
    }
    out.sort_unstable();
    out
}

/// Points links to items (`/products/<slug>` and `/questions/<slug>`, as
/// the web channel's `item_url` makes them) at the files this site has, in
/// the locale of the page they are on; a link to an item without a page
/// stays as it is (and is reported dead). Other links are kept.
fn relink(html: &str, from: &Page, site: &Site) -> String {
    let mut out = String::with_capacity(html.len());
    let mut done = 0;
    for (start, end, _) in link_values(html) {
        let value = &html[start..end];
        let (path, fragment) = match value.find('#') {
            Some(i) => value.split_at(i),
            None => (value, ""),
        };
        let target = path
            .strip_prefix('/')
            .and_then(|p| p.split_once('/'))
            .and_then(|(dir, slug)| Some((Kind::of_dir(dir)?, slug)))
            .filter(|(kind, slug)| site.has(&from.locale, *kind, slug));
        let Some((kind, slug)) = target else {
            continue;
        };
        out.push_str(&html[done..start]);
        if kind != from.kind {
            out.push_str("../");
            out.push_str(kind.dir());
            out.push('/');
        }
        out.push_str(slug);
        out.push_str(".html");
        out.push_str(fragment);
        done = end;
    }
    out.push_str(&html[done..]);
    out
}

/// Checks every internal link of every page written; prints a warning per
/// link that points at no file. Returns how many links were checked and how
/// many are dead.
fn check_links(out: &Path, written: &[(String, String)]) -> (usize, usize) {
    let (mut links, mut dead) = (0, 0);
    for (page, html) in written {
        for (start, end, attribute) in link_values(html) {
            let link = html[start..end].replace("&amp;", "&");
            if external(&link) {
                continue;
            }
            let path = link.split(['#', '?']).next().unwrap_or("");
            if path.is_empty() {
                // On the same page.
                continue;
            }
            links += 1;
            let found = resolve(page, path).is_some_and(|p| {
                let file = out.join(&p);
                file.is_file() || (file.is_dir() && file.join("index.html").is_file())
            });
            if !found {
                dead += 1;
                let item = Kind::ALL
                    .iter()
                    .any(|k| path.starts_with(&format!("/{}/", k.dir())));
                eprintln!(
                    "warning: dead link in {page}: {attribute}=\"{link}\" leads to no file{}",
                    if item {
                        " (an item without a page here: not published, or in another locale?)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    (links, dead)
}

/// An absolute URL (`https:`, `mailto:`, `tel:`, ...) or one relative to
/// the scheme (`//host/...`): not part of this site.
fn external(link: &str) -> bool {
    if link.starts_with("//") {
        return true;
    }
    let scheme = link.split(':').next().unwrap_or("");
    scheme.len() < link.len()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The file a link's path points at, relative to the site root (a path
/// starting with `/` from the root, as a server of the site would take it);
/// None when it climbs out of the site.
fn resolve(page: &str, path: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = if path.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<String> = page.split('/').map(str::to_string).collect();
        p.pop();
        p
    };
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(percent_decode(s)),
        }
    }
    Some(parts.iter().collect())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The words of the pages around the items, in Dutch or (for every other
/// locale) English.
struct Words {
    skip: &'static str,
    crumb: &'static str,
    all: &'static str,
    index_title: &'static str,
    index_description: &'static str,
    products: &'static str,
    questions: &'static str,
    no_products: &'static str,
    no_questions: &'static str,
    other_languages: &'static str,
    intro: fn(usize, usize) -> String,
}

fn words(locale: &str) -> Words {
    if locale == "nl" {
        Words {
            skip: "Naar de inhoud",
            crumb: "Kruimelpad",
            all: "Alle producten en vragen",
            index_title: "Producten en vragen",
            index_description: "Alle producten en diensten van de gemeente en de antwoorden op veelgestelde vragen, van A tot Z.",
            products: "Producten en diensten",
            questions: "Vragen en antwoorden",
            no_products: "Er zijn nog geen producten.",
            no_questions: "Er zijn nog geen vragen.",
            other_languages: "Andere talen",
            intro: |p, q| {
                format!(
                    "{} en {}, van A tot Z.",
                    plural(p, "product", "producten"),
                    plural(q, "vraag", "vragen")
                )
            },
        }
    } else {
        Words {
            skip: "Skip to content",
            crumb: "Breadcrumb",
            all: "All products and questions",
            index_title: "Products and questions",
            index_description: "All products and services of the municipality and answers to frequently asked questions, from A to Z.",
            products: "Products and services",
            questions: "Questions and answers",
            no_products: "There are no products yet.",
            no_questions: "There are no questions yet.",
            other_languages: "Other languages",
            intro: |p, q| {
                format!(
                    "{} and {}, from A to Z.",
                    plural(p, "product", "products"),
                    plural(q, "question", "questions")
                )
            },
        }
    }
}

/// A language's name in that language, for the links between the indexes.
fn language_name(locale: &str) -> &str {
    match locale.split('-').next().unwrap_or(locale) {
        "nl" => "Nederlands",
        "en" => "English",
        "de" => "Deutsch",
        "fr" => "Français",
        "fy" => "Frysk",
        "es" => "Español",
        "pl" => "Polski",
        "tr" => "Türkçe",
        "uk" => "Українська",
        _ => locale,
    }
}

const CSS: &str = "
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #ffffff; color: #1a1a1a;
  font: 1.0625rem/1.6 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }
a { color: #0b4f9c; text-underline-offset: 0.15em; }
a:hover { color: #062e5c; }
a:focus-visible, .skip:focus { outline: 3px solid #b34700; outline-offset: 2px; }
.skip { position: absolute; left: 1rem; top: -10rem; padding: 0.5rem 1rem;
  background: #ffffff; color: #0b4f9c; font-weight: 600; z-index: 10; }
.skip:focus { top: 1rem; }
header, footer { background: #0b3d6e; color: #ffffff; }
header a, footer a { color: #ffffff; }
header a:focus-visible, footer a:focus-visible { outline-color: #ffd27a; }
.bar { max-width: 46rem; margin: 0 auto; padding: 1rem; }
.site-name { font-size: 1.25rem; font-weight: 700; text-decoration: none; }
main { display: block; max-width: 46rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
main:focus { outline: none; }
h1, h2, h3 { line-height: 1.25; color: #111111; }
h1 { font-size: 2rem; margin-top: 1rem; }
h2 { margin-top: 2.5rem; }
.bron-summary, .intro { font-size: 1.2rem; }
li { margin: 0.25rem 0; }
.items { list-style: none; padding: 0; }
.items li { border-bottom: 1px solid #8a8a8a; padding: 0.75rem 0; }
.items a { font-size: 1.2rem; font-weight: 600; }
.items p { margin: 0.25rem 0 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid #6b6b6b; padding: 0.25rem 0.5rem; text-align: left; }
";

fn head(lang: &str, title: &str, description: Option<&str>, extra: &str) -> String {
    let mut h = format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n",
        escape(lang),
        escape(title)
    );
    if let Some(d) = description {
        h.push_str(&format!(
            "<meta name=\"description\" content=\"{}\">\n",
            escape(d)
        ));
    }
    h.push_str(extra);
    h.push_str(&format!("<style>{CSS}</style>\n</head>\n"));
    h
}

/// A product's or question's page: its rendering in the site's frame.
fn item_page(page: &Page, site: &Site, site_name: &str) -> String {
    let mut extra = String::new();
    if let Some(script) = &page.json_ld_script {
        extra.push_str(script);
        extra.push('\n');
    }
    let mut html = head(
        &page.locale,
        &format!("{} | {site_name}", page.title),
        page.summary.as_deref(),
        &extra,
    );
    let w = words(&page.locale);
    html.push_str(&format!(
        "<body>\n<a class=\"skip\" href=\"#inhoud\">{skip}</a>\n\
         <header><div class=\"bar\"><a class=\"site-name\" href=\"../index.html\">{site}</a></div></header>\n\
         <nav aria-label=\"{crumb}\" class=\"bar\"><a href=\"../index.html\">{all}</a></nav>\n\
         <main id=\"inhoud\" tabindex=\"-1\">\n{article}\n</main>\n\
         <footer><div class=\"bar\">{site}</div></footer>\n</body>\n</html>\n",
        skip = w.skip,
        all = w.all,
        crumb = w.crumb,
        site = escape(site_name),
        article = relink(&page.html, page, site).trim_end(),
    ));
    html
}

/// A locale's index: its products and its questions, each from A to Z, and
/// the indexes of the other locales.
fn index_page(locale: &str, pages: &[&Page], locales: &[&str], site_name: &str) -> String {
    let w = words(locale);
    let of = |kind: Kind| {
        let mut v: Vec<&Page> = pages.iter().copied().filter(|p| p.kind == kind).collect();
        v.sort_by_cached_key(|p| (p.title.to_lowercase(), p.slug.clone()));
        v
    };
    let (products, questions) = (of(Kind::Product), of(Kind::Question));
    let mut html = head(
        locale,
        &format!("{} | {site_name}", w.index_title),
        Some(w.index_description),
        "",
    );
    html.push_str(&format!(
        "<body>\n<a class=\"skip\" href=\"#inhoud\">{skip}</a>\n\
         <header><div class=\"bar\"><a class=\"site-name\" href=\"index.html\">{site}</a></div></header>\n\
         <main id=\"inhoud\" tabindex=\"-1\">\n<h1>{title}</h1>\n<p class=\"intro\">{intro}</p>\n",
        skip = w.skip,
        site = escape(site_name),
        title = w.index_title,
        intro = (w.intro)(products.len(), questions.len()),
    ));
    for (kind, id, heading, empty, list) in [
        (
            Kind::Product,
            "producten",
            w.products,
            w.no_products,
            &products,
        ),
        (
            Kind::Question,
            "vragen",
            w.questions,
            w.no_questions,
            &questions,
        ),
    ] {
        html.push_str(&format!(
            "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{heading}</h2>\n"
        ));
        if list.is_empty() {
            html.push_str(&format!("<p>{empty}</p>\n"));
        } else {
            html.push_str("<ul class=\"items\" role=\"list\">\n");
            html.push_str(&index_items(kind, list));
            html.push_str("</ul>\n");
        }
        html.push_str("</section>\n");
    }
    let others: Vec<&&str> = locales.iter().filter(|l| **l != locale).collect();
    if !others.is_empty() {
        html.push_str(&format!(
            "<section aria-labelledby=\"talen\">\n<h2 id=\"talen\">{}</h2>\n<ul>\n",
            w.other_languages
        ));
        // From a locale's directory, the root is one up.
        let up = if locale == MAIN_LOCALE { "" } else { "../" };
        for other in others {
            html.push_str(&format!(
                "<li><a href=\"{up}{prefix}index.html\" lang=\"{l}\" hreflang=\"{l}\">{name}</a></li>\n",
                prefix = locale_prefix(other),
                l = escape(other),
                name = escape(language_name(other)),
            ));
        }
        html.push_str("</ul>\n</section>\n");
    }
    html.push_str(&format!(
        "</main>\n<footer><div class=\"bar\">{}</div></footer>\n</body>\n</html>\n",
        escape(site_name)
    ));
    html
}

/// The list entries of an index: a link to each page, with its summary.
fn index_items(kind: Kind, pages: &[&Page]) -> String {
    let titles: HashMap<&str, usize> = pages.iter().fold(HashMap::new(), |mut m, p| {
        *m.entry(p.title.as_str()).or_default() += 1;
        m
    });
    let mut html = String::new();
    for p in pages {
        // Two items with one title are told apart.
        let suffix = if titles[p.title.as_str()] > 1 {
            format!(" ({})", escape(&p.slug))
        } else {
            String::new()
        };
        html.push_str(&format!(
            "<li><a href=\"{dir}/{slug}.html\">{title}</a>{suffix}",
            dir = kind.dir(),
            slug = escape(&p.slug),
            title = escape(&p.title),
        ));
        if let Some(s) = &p.summary {
            html.push_str(&format!("<p>{}</p>", escape(s)));
        }
        html.push_str("</li>\n");
    }
    html
}
