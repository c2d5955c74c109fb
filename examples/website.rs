//! A static site generator: every published product as an accessible HTML
//! page, from the web rendering Bron makes of it, plus an index.
//!
//! ```sh
//! cargo run -- serve &                          # Bron on 127.0.0.1:8080
//! cargo run --example website -- --out site/
//! cargo run --example website -- --url http://127.0.0.1:18099/graphql --out /tmp/site
//! ```
//!
//! Writes `site/index.html` and `site/products/<slug>.html`. Links between
//! product pages are rewritten to the files written; pages in
//! `site/products/` of products no longer published are removed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{Value, json};

#[path = "client/mod.rs"]
mod client;
use client::{Client, fail};

/// Writes every published product as an HTML page, with an index.
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
    /// How many renderings to fetch at the same time.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    parallel: u16,
}

const LIST: &str = r#"query($after: String) {
  products(first: 100, after: $after, filter: {status: PUBLISHED}) {
    edges { node { id slug title summary } }
    pageInfo { hasNextPage endCursor } } }"#;

// One product at a time: a rendering is large, and a page of 100 of them
// is past the API's cost limit.
const RENDER: &str = r#"query($id: ID!) { product(id: $id) {
  slug rendered(channel: WEB) { title locale html jsonLdScript } } }"#;

struct Listed {
    id: String,
    slug: String,
    title: String,
    summary: Option<String>,
}

struct Page {
    slug: String,
    title: String,
    locale: String,
    html: String,
    json_ld_script: Option<String>,
    summary: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    client::quiet_on_closed_stdout();
    let args = Args::parse();
    let client = Client::or_exit(&args.url, None);

    let listed = list_products(&client).await;
    let pages = render_all(&client, listed, args.parallel as usize).await;

    let products_dir = args.out.join("products");
    std::fs::create_dir_all(&products_dir)
        .unwrap_or_else(|e| fail(format!("cannot create {}: {e}", products_dir.display())));
    let slugs: HashSet<&str> = pages.iter().map(|p| p.slug.as_str()).collect();
    for page in &pages {
        let path = products_dir.join(format!("{}.html", page.slug));
        write(&path, &product_page(page, &slugs, &args.site_name));
    }
    write(
        &args.out.join("index.html"),
        &index_page(&pages, &args.site_name),
    );
    let removed = remove_stale(&products_dir, &slugs);

    println!(
        "wrote {} product page{} and index.html to {}",
        pages.len(),
        if pages.len() == 1 { "" } else { "s" },
        args.out.display()
    );
    if removed > 0 {
        println!("removed {removed} page(s) of products no longer published");
    }
}

/// Every published product, page by page.
async fn list_products(client: &Client) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = client.query(LIST, json!({ "after": after })).await;
        let conn = &data["products"];
        for edge in conn["edges"].as_array().into_iter().flatten() {
            let node = &edge["node"];
            let slug = text(&node["slug"]);
            if !safe_slug(&slug) {
                eprintln!("warning: skipped a product whose slug `{slug}` is not a file name");
                continue;
            }
            out.push(Listed {
                id: text(&node["id"]),
                title: text(&node["title"]),
                summary: node["summary"].as_str().map(str::to_string),
                slug,
            });
        }
        let info = &conn["pageInfo"];
        match info["endCursor"].as_str() {
            Some(cursor) if info["hasNextPage"] == true => after = json!(cursor),
            _ => break,
        }
    }
    out
}

/// The web rendering of every product, `parallel` requests at a time, in
/// the order listed.
async fn render_all(client: &Client, listed: Vec<Listed>, parallel: usize) -> Vec<Page> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut pages: Vec<Option<Page>> = Vec::new();
    pages.resize_with(listed.len(), || None);
    let mut todo = listed.into_iter().enumerate();
    loop {
        while tasks.len() < parallel {
            let Some((i, item)) = todo.next() else { break };
            let client = client.clone();
            tasks.spawn(async move {
                let data = client.query(RENDER, json!({ "id": item.id })).await;
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
            eprintln!("warning: {} is no longer published; skipped", item.slug);
            continue;
        }
        let r = &product["rendered"];
        pages[i] = Some(Page {
            title: r["title"].as_str().map_or(item.title, str::to_string),
            locale: r["locale"].as_str().unwrap_or("nl").to_string(),
            html: text(&r["html"]),
            json_ld_script: r["jsonLdScript"].as_str().map(str::to_string),
            summary: item.summary,
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

fn write(path: &Path, content: &str) {
    std::fs::write(path, content)
        .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
}

/// Removes `*.html` in the products directory that this run did not write.
fn remove_stale(dir: &Path, slugs: &HashSet<&str>) -> usize {
    let mut removed = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = path.extension().is_some_and(|e| e == "html")
            && path
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| !slugs.contains(s));
        if stale && std::fs::remove_file(&path).is_ok() {
            removed += 1;
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

/// Points links to other product pages (`/products/<slug>`, as the web
/// channel's `item_url` makes them) at the files this site has.
fn relink(html: &str, slugs: &HashSet<&str>) -> String {
    const PREFIX: &str = "href=\"/products/";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PREFIX.len()..];
        let end = after.find('"').unwrap_or(after.len());
        let (target, fragment) = match after[..end].split_once('#') {
            Some((t, f)) => (t, Some(f)),
            None => (&after[..end], None),
        };
        if slugs.contains(target) {
            out.push_str(&format!("href=\"{target}.html"));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
            }
        } else {
            out.push_str(&rest[at..at + PREFIX.len() + end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
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
h1, h2, h3 { line-height: 1.25; color: #111111; }
h1 { font-size: 2rem; margin-top: 1rem; }
.bron-summary, .intro { font-size: 1.2rem; }
li { margin: 0.25rem 0; }
.products { list-style: none; padding: 0; }
.products li { border-bottom: 1px solid #8a8a8a; padding: 0.75rem 0; }
.products a { font-size: 1.2rem; font-weight: 600; }
.products p { margin: 0.25rem 0 0; }
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

fn product_page(page: &Page, slugs: &HashSet<&str>, site_name: &str) -> String {
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
    let home = if page.locale == "nl" {
        ("Naar de inhoud", "Alle producten", "Kruimelpad")
    } else {
        ("Skip to content", "All products", "Breadcrumb")
    };
    html.push_str(&format!(
        "<body>\n<a class=\"skip\" href=\"#inhoud\">{skip}</a>\n\
         <header><div class=\"bar\"><a class=\"site-name\" href=\"../index.html\">{site}</a></div></header>\n\
         <nav aria-label=\"{crumb}\" class=\"bar\"><a href=\"../index.html\">{all}</a></nav>\n\
         <main id=\"inhoud\" tabindex=\"-1\">\n{article}\n</main>\n\
         <footer><div class=\"bar\">{site}</div></footer>\n</body>\n</html>\n",
        skip = home.0,
        all = home.1,
        crumb = home.2,
        site = escape(site_name),
        article = relink(&page.html, slugs).trim_end(),
    ));
    html
}

fn index_page(pages: &[Page], site_name: &str) -> String {
    let mut sorted: Vec<&Page> = pages.iter().collect();
    sorted.sort_by_cached_key(|p| (p.title.to_lowercase(), p.slug.clone()));
    let mut html = head(
        "nl",
        &format!("Producten en diensten | {site_name}"),
        Some("Alle producten en diensten van de gemeente, van A tot Z."),
        "",
    );
    html.push_str(&format!(
        "<body>\n<a class=\"skip\" href=\"#inhoud\">Naar de inhoud</a>\n\
         <header><div class=\"bar\"><a class=\"site-name\" href=\"index.html\">{site}</a></div></header>\n\
         <main id=\"inhoud\" tabindex=\"-1\">\n<h1>Producten en diensten</h1>\n\
         <p class=\"intro\">{count} producten en diensten, van A tot Z.</p>\n<ul class=\"products\" role=\"list\">\n",
        site = escape(site_name),
        count = sorted.len(),
    ));
    let titles: HashMap<&str, usize> = sorted.iter().fold(HashMap::new(), |mut m, p| {
        *m.entry(p.title.as_str()).or_default() += 1;
        m
    });
    for p in sorted {
        // Two products with one title (say, in two languages) are told apart.
        let lang = if p.locale != "nl" {
            format!(" lang=\"{}\"", escape(&p.locale))
        } else {
            String::new()
        };
        let suffix = if titles[p.title.as_str()] > 1 {
            format!(" ({})", escape(&p.slug))
        } else {
            String::new()
        };
        html.push_str(&format!(
            "<li{lang}><a href=\"products/{slug}.html\">{title}</a>{suffix}",
            slug = escape(&p.slug),
            title = escape(&p.title),
        ));
        if let Some(s) = &p.summary {
            html.push_str(&format!("<p>{}</p>", escape(s)));
        }
        html.push_str("</li>\n");
    }
    html.push_str(&format!(
        "</ul>\n</main>\n<footer><div class=\"bar\">{}</div></footer>\n</body>\n</html>\n",
        escape(site_name)
    ));
    html
}
