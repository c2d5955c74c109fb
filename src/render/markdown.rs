//! Markdown to the two shapes the channels need: safe, accessible HTML for
//! the web, and plain text for the chatbot, the KCC and letters.
//!
//! Both walk pulldown-cmark's events once. The HTML writer is ours, so it
//! decides every tag and attribute: raw HTML in the Markdown becomes visible
//! text, links keep only http(s), mailto, tel and site-relative addresses,
//! headings are shifted to fit under the section they appear in, and table
//! header cells get `scope="col"`. Its output is then cleaned with an
//! allowlist of exactly what the writer emits (`sanitize.rs`), so a mistake
//! in the writer cannot reach a page; pulldown-cmark's own HTML writer, which
//! passes raw HTML and extension attributes through, is not used. Extensions enabled: tables and strikethrough, nothing that
//! emits attributes (no heading attributes, no wikilinks, no footnotes).

use std::fmt::Write;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The URL schemes a link or image may use; anything else is dropped.
const SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// True for an address a page may link to: one of [`SCHEMES`], or without
/// a scheme (`/path`, `#anchor`, `?query`, `page.html`, and `//host/path`,
/// which takes the page's own http or https). Entities are
/// already decoded by the parser, so `javascript&#58;` arrives as `javascript:`.
pub fn safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.chars().any(|c| c.is_control()) {
        return false;
    }
    match url.find(':') {
        None => true,
        Some(colon) => {
            let scheme = &url[..colon];
            // A colon after a path, query or fragment starts no scheme.
            if scheme.contains(['/', '?', '#']) {
                return true;
            }
            let rest = &url[colon + 1..];
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
                // A web address names a host: `http:javascript:…` is no address.
                rest.strip_prefix("//")
                    .and_then(|r| r.split(['/', '?', '#']).next())
                    .is_some_and(|host| !host.is_empty())
            } else {
                SCHEMES.iter().any(|s| scheme.eq_ignore_ascii_case(s)) && !rest.is_empty()
            }
        }
    }
}

/// Control characters other than tab, newline and carriage return: not
/// valid in HTML text, so never written.
fn control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            c if control(c) => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Escapes text between tags: `&`, `<` and `>` (quotes need escaping only
/// in attribute values).
pub fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            c if control(c) => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

pub fn escaped(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    escape_html(text, &mut s);
    s
}

/// Cleans HTML with the allowlist of what Bron's writers emit (`sanitize.rs`).
pub fn sanitize(html: &str) -> String {
    super::sanitize::clean(html)
}

/// Markdown to HTML, not yet sanitised (the page around it is, as a whole).
/// `top` is the level a `#` heading gets (the section's own heading level
/// plus one); deeper headings follow, never beyond `h6`.
pub fn to_html(md: &str, top: u8, out: &mut String) {
    let shift = |level: HeadingLevel| -> u8 { (top + level as u8 - 1).min(6) };
    let mut in_head = false;
    // Links we dropped (unsafe address): their End must not close an <a>.
    let mut link_open: Vec<bool> = Vec::new();
    let mut image_alt: Option<(String, String, String)> = None;
    for event in Parser::new_ext(md, options()) {
        if let Some((src, title, alt)) = image_alt.as_mut() {
            match event {
                Event::End(TagEnd::Image) => {
                    let (src, title, alt) = image_alt.take().unwrap_or_default();
                    if safe_url(&src) {
                        out.push_str("<img src=\"");
                        escape_html(&src, out);
                        out.push_str("\" alt=\"");
                        escape_html(&alt, out);
                        if !title.is_empty() {
                            out.push_str("\" title=\"");
                            escape_html(&title, out);
                        }
                        out.push_str("\">");
                    } else {
                        escape_html(&alt, out);
                    }
                }
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                    alt.push_str(&t)
                }
                _ => {
                    let _ = (src, title);
                }
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => out.push_str("<p>"),
                Tag::Heading { level, .. } => {
                    let _ = write!(out, "<h{}>", shift(level));
                }
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::CodeBlock(_) => out.push_str("<pre><code>"),
                Tag::HtmlBlock => out.push_str("<p>"),
                Tag::List(Some(1)) => out.push_str("<ol>"),
                Tag::List(Some(start)) => {
                    let _ = write!(out, "<ol start=\"{start}\">");
                }
                Tag::List(None) => out.push_str("<ul>"),
                Tag::Item => out.push_str("<li>"),
                Tag::Table(_) => out.push_str("<table>"),
                Tag::TableHead => {
                    in_head = true;
                    out.push_str("<thead><tr>");
                }
                Tag::TableRow => out.push_str("<tr>"),
                Tag::TableCell if in_head => out.push_str("<th scope=\"col\">"),
                Tag::TableCell => out.push_str("<td>"),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Strikethrough => out.push_str("<del>"),
                Tag::Link {
                    dest_url, title, ..
                } => {
                    let ok = safe_url(&dest_url);
                    if ok {
                        out.push_str("<a href=\"");
                        escape_html(dest_url.trim(), out);
                        if !title.is_empty() {
                            out.push_str("\" title=\"");
                            escape_html(&title, out);
                        }
                        out.push_str("\">");
                    }
                    link_open.push(ok);
                }
                Tag::Image {
                    dest_url, title, ..
                } => image_alt = Some((dest_url.to_string(), title.to_string(), String::new())),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph | TagEnd::HtmlBlock => out.push_str("</p>\n"),
                TagEnd::Heading(level) => {
                    let _ = writeln!(out, "</h{}>", shift(level));
                }
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
                TagEnd::CodeBlock => out.push_str("</code></pre>\n"),
                TagEnd::List(ordered) => out.push_str(if ordered { "</ol>\n" } else { "</ul>\n" }),
                TagEnd::Item => out.push_str("</li>\n"),
                TagEnd::Table => out.push_str("</tbody></table>\n"),
                TagEnd::TableHead => {
                    in_head = false;
                    out.push_str("</tr></thead><tbody>\n");
                }
                TagEnd::TableRow => out.push_str("</tr>\n"),
                TagEnd::TableCell if in_head => out.push_str("</th>"),
                TagEnd::TableCell => out.push_str("</td>"),
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Strikethrough => out.push_str("</del>"),
                TagEnd::Link if link_open.pop() == Some(true) => out.push_str("</a>"),
                _ => {}
            },
            // Raw HTML is shown as the text it is, never passed through.
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => escape_text(&t, out),
            Event::Code(t) => {
                out.push_str("<code>");
                escape_text(&t, out);
                out.push_str("</code>");
            }
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>\n"),
            Event::Rule => out.push_str("<hr>\n"),
            _ => {}
        }
    }
}

/// Markdown as HTML, sanitised: for a single field.
pub fn html_fragment(md: &str, top: u8) -> String {
    let mut out = String::with_capacity(md.len() + md.len() / 4);
    to_html(md, top, &mut out);
    sanitize(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(md: &str) -> String {
        html_fragment(md, 3)
    }

    /// The inside of every tag in `html` (text between tags is harmless).
    fn tags(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or("").to_lowercase())
            .collect()
    }

    /// No tag carries an event handler or a script address (attribute
    /// values are quoted and escaped, so names are what is outside quotes).
    fn harmless(html: &str) -> bool {
        tags(html).iter().all(|t| {
            let names: String = t.split('"').step_by(2).collect::<Vec<_>>().join(" ");
            let values = t
                .split('"')
                .skip(1)
                .step_by(2)
                .collect::<Vec<_>>()
                .join(" ");
            let t = &names;
            !values.trim_start().starts_with("javascript:")
                && !values.contains("data:")
                && !values.contains("vbscript:")
                && !t.contains("javascript:")
                && !t.split_whitespace().skip(1).any(|a| a.starts_with("on"))
                && !t.starts_with("script")
                && !t.starts_with("svg")
                && !t.starts_with("iframe")
                && !t.starts_with("b ")
        })
    }

    /// Ammonia, set to the same allowlist, as an oracle: over the writer's
    /// output it must find nothing to remove (the same tags, with the same
    /// attributes, in the same order).
    fn ammonia_finds_nothing(html: &str) {
        use std::collections::{HashMap, HashSet};
        let tags: HashSet<&str> = [
            "article",
            "section",
            "nav",
            "div",
            "p",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "li",
            "a",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "blockquote",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "br",
            "hr",
            "img",
            "span",
        ]
        .into_iter()
        .collect();
        let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
        attrs.insert("a", ["href", "title", "hreflang"].into_iter().collect());
        attrs.insert("img", ["src", "alt", "title"].into_iter().collect());
        attrs.insert("ol", ["start"].into_iter().collect());
        attrs.insert("th", ["scope"].into_iter().collect());
        attrs.insert("article", ["lang"].into_iter().collect());
        let mut classes: HashMap<&str, HashSet<&str>> = HashMap::new();
        for tag in [
            "article", "section", "div", "p", "ol", "ul", "li", "span", "nav",
        ] {
            classes.insert(tag, super::super::web::CLASSES.iter().copied().collect());
        }
        let mut b = ammonia::Builder::empty();
        b.tags(tags)
            .tag_attributes(attrs)
            .allowed_classes(classes)
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"));
        let shape = |h: &str| -> Vec<String> {
            h.split('<')
                .skip(1)
                .map(|t| {
                    let t = t.split('>').next().unwrap_or("");
                    let mut parts: Vec<&str> = t
                        .split('"')
                        .step_by(2)
                        .flat_map(|p| p.split_whitespace())
                        .collect();
                    parts.sort();
                    parts.join(" ")
                })
                .collect()
        };
        let cleaned = b.clean(html).to_string();
        assert_eq!(
            shape(html),
            shape(&cleaned),
            "ammonia removed something from\n{html}"
        );
    }

    #[test]
    fn ammonia_finds_nothing_to_remove_from_the_writers_output() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = Vec::new();
        for file in ["products", "questions", "steps", "conditions"] {
            let data = std::fs::read_to_string(root.join(format!("examples/content/{file}.jsonl")))
                .unwrap();
            for line in data.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                for f in v["fields"].as_object().unwrap().values() {
                    if let Some(s) = f.as_str() {
                        texts.push(s.to_string());
                    }
                }
            }
        }
        texts.extend(ATTACKS.iter().map(|s| s.to_string()));
        for md in &texts {
            ammonia_finds_nothing(&web(md));
        }
    }

    const ATTACKS: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[klik](javascript:alert(1))",
        "[x](https://a.nl \"t\\\" onmouseover=\\\"alert(1)\")",
        "![x\" onerror=\"alert(1)](https://a.nl/a.png)",
        "# Kop {onmouseover=alert(1)}",
        "| a | b |\n|---|---|\n| <b>x</b> | [y](javascript:z) |",
        "1. een\n   - a <i onclick=x>\n2. twee",
        "&lt;script&gt; &#60;img&#62; &amp;",
        "> citaat met `<code>` en **vet**",
    ];

    /// The attack corpus of the browser check (749 payloads; in Chromium
    /// none of them ran): every one stays harmless, and ammonia finds
    /// nothing to remove.
    #[test]
    fn the_attack_corpus_stays_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read_to_string(root.join("tests/fixtures/xss/markdown.json")).unwrap();
        let cases: Vec<serde_json::Value> = serde_json::from_str(&data).unwrap();
        assert!(cases.len() >= 700);
        for case in &cases {
            let md = case["markdown"].as_str().unwrap();
            let html = web(md);
            assert!(harmless(&html), "{}: {md:?} -> {html}", case["category"]);
            assert!(
                !html
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            );
            ammonia_finds_nothing(&html);
            let _ = super::super::plain::to_text(md, Some("https://www.lindewaard.nl"));
        }
    }

    #[test]
    fn control_characters_never_reach_html() {
        let html = web("<script\u{0}>x\u{1}y\u{b}z");
        assert!(
            !html.chars().any(|c| c.is_control() && c != '\n'),
            "{html:?}"
        );
        assert!(html.contains("&lt;script&gt;xyz"), "{html}");
    }

    #[test]
    fn headings_fit_under_their_section() {
        assert_eq!(web("# Kop\n\ntekst"), "<h3>Kop</h3>\n<p>tekst</p>\n");
        assert!(web("###### diep").starts_with("<h6>"));
    }

    #[test]
    fn raw_html_is_text_never_markup() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "hallo <b onclick=alert(1)>vet</b>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<!-- <script>x</script> -->",
            "<scr<script>ipt>alert(1)</script>",
        ] {
            let html = web(attack);
            assert!(harmless(&html), "{attack} -> {html}");
            assert!(!html.contains("<img"), "{attack} -> {html}");
            assert!(!html.contains("<a "), "{attack} -> {html}");
        }
    }

    #[test]
    fn only_safe_links() {
        for attack in [
            "[klik](javascript:alert(1))",
            "[klik](JaVaScRiPt:alert(1))",
            "[klik](javascript&#58;alert(1))",
            "[klik](&#106;avascript:alert(1))",
            "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[klik](vbscript:msgbox(1))",
            "<javascript:alert(1)>",
            "[klik]( javascript:alert(1))",
            "![x](javascript:alert(1))",
            "[klik][r]\n\n[r]: javascript:alert(1)",
        ] {
            let html = web(attack);
            assert!(harmless(&html), "{attack} -> {html}");
            assert!(!html.contains("href"), "{attack} -> {html}");
        }
        assert_eq!(
            web("[Afspraak maken](https://www.lindewaard.nl/afspraak)"),
            "<p><a href=\"https://www.lindewaard.nl/afspraak\" rel=\"noopener noreferrer\">Afspraak maken</a></p>\n"
        );
        assert!(web("[bel ons](tel:0599123456)").contains("href=\"tel:0599123456\""));
        assert!(web("[contact](/contact)").contains("href=\"/contact\""));
    }

    #[test]
    fn attributes_cannot_be_smuggled() {
        for attack in [
            "# Kop {onmouseover=alert(1)}",
            "# Kop {#id .klasse onclick=\"alert(1)\"}",
            "[x](https://a.nl \"title\\\" onmouseover=\\\"alert(1)\")",
            "![x\" onerror=\"alert(1)](https://a.nl/a.png)",
            "[[javascript:alert(1)]]",
        ] {
            let html = web(attack);
            assert!(harmless(&html), "{attack} -> {html}");
        }
    }

    #[test]
    fn tables_have_header_cells() {
        let html = web("| Leeftijd | Kosten |\n|---|---|\n| 18+ | € 88,65 |");
        assert!(html.contains("<th scope=\"col\">Leeftijd</th>"), "{html}");
        assert!(html.contains("<td>€ 88,65</td>"), "{html}");
    }

    #[test]
    fn lists_close_what_they_open() {
        let html = web("1. een\n   - a\n   - b\n2. twee\n\n- los");
        assert_eq!(html.matches("<ol>").count(), 1);
        assert_eq!(html.matches("</ol>").count(), 1);
        assert_eq!(html.matches("<ul>").count(), 2);
        assert_eq!(html.matches("</ul>").count(), 2);
        assert!(web("3. drie\n4. vier").contains("<ol start=\"3\">"));
    }
}
