//! The web rendering: one `<article>` with the item's title at the
//! channel's heading level, the short answer, a `<section>` per Markdown
//! field and reference list (headings one level deeper, Markdown headings
//! deeper still), and the routes block; plus schema.org JSON-LD
//! (`GovernmentService` with its steps as `HowTo` for products, `FAQPage`
//! for questions).
//!
//! Every piece of HTML that comes from content passes the sanitiser
//! (`markdown::sanitize`) after pulldown-cmark; the wrapper around it is
//! written here with every text escaped.

use std::fmt::Write;

use serde_json::{Value, json};

use super::markdown::{escaped, safe_url, sanitize, to_html};
use super::{Item, Renderer, Rendering, Route, Section, str_field, strings};
use crate::model::FieldKind;

/// The classes the web rendering emits; the sanitiser allows only these.
pub(super) const CLASSES: &[&str] = &[
    "bron-item",
    "bron-summary",
    "bron-section",
    "bron-steps",
    "bron-step",
    "bron-links",
    "bron-routes",
];

pub(super) fn render(r: &mut Renderer) -> Rendering {
    let mut out = r.base();
    let h = r.ctx.channel.heading_level;
    let locale = r.item.locale;
    let mut html = String::with_capacity(4096);
    let _ = write!(
        html,
        "<article class=\"bron-item\" lang=\"{}\">\n<h{h}>{}</h{h}>\n",
        escaped(locale),
        escaped(&out.title)
    );
    if let Some(s) = &out.summary {
        let _ = writeln!(html, "<p class=\"bron-summary\">{}</p>", escaped(s));
    }
    let mut steps = Vec::new();
    for f in r.section_fields() {
        let body = if f.kind == FieldKind::Reference {
            let items = r.referenced(f);
            if items.is_empty() {
                continue;
            }
            if f.embed {
                if items.iter().all(|i| i.type_name == "step") {
                    steps = items.clone();
                }
                embedded(r, &items, h + 2)
            } else {
                links(r, &items)
            }
        } else {
            let raw = strings(r.item.fields.get(&f.name)).join("\n\n");
            if raw.trim().is_empty() {
                continue;
            }
            let filled = r.fill(&raw, locale);
            let mut body = String::with_capacity(filled.len() + 64);
            to_html(&filled, h + 2, &mut body);
            body
        };
        let _ = write!(
            html,
            "<section class=\"bron-section\">\n<h{}>{}</h{}>\n{body}</section>\n",
            h + 1,
            escaped(&f.label),
            h + 1
        );
        out.sections.push(Section {
            field: f.name.clone(),
            label: f.label.clone(),
            body,
        });
    }
    let routes = r.routes();
    if !routes.is_empty() {
        let (first, heading, rest) = r.route_parts(&routes);
        let p = r.phrases();
        let _ = write!(
            html,
            "<section class=\"bron-routes\">\n<h{}>{}</h{}>\n",
            h + 1,
            escaped(p.how),
            h + 1
        );
        for route in &first {
            let _ = writeln!(html, "<p>{}</p>", route_html(route));
        }
        if !rest.is_empty() {
            if first.iter().any(|r| r.kind == "online") {
                let _ = writeln!(html, "<h{}>{}</h{}>", h + 2, escaped(heading), h + 2);
            }
            html.push_str("<ul>\n");
            for route in &rest {
                let _ = writeln!(html, "<li>{}</li>", route_html(route));
            }
            html.push_str("</ul>\n");
        }
        html.push_str("</section>\n");
    }
    html.push_str("</article>\n");
    // One pass of the sanitiser over the whole article; the sections'
    // bodies are then taken from its output, so they are sanitised too.
    let clean = sanitize(&html);
    match section_bodies(&clean, h + 1) {
        Some(bodies) if bodies.len() == out.sections.len() => {
            for (s, b) in out.sections.iter_mut().zip(bodies) {
                s.body = b.to_string();
            }
        }
        _ => {
            for s in &mut out.sections {
                s.body = sanitize(&s.body);
            }
        }
    }
    out.json_ld = json_ld(r, &out, &steps, &routes);
    out.routes = routes;
    out.html = Some(clean);
    out
}

/// The bodies of the `bron-section` sections of a sanitised article: what
/// follows each section's heading (level `level`) up to its end. Content
/// cannot open a section of its own (raw HTML is text), so they do not nest.
fn section_bodies(html: &str, level: u8) -> Option<Vec<&str>> {
    const OPEN: &str = "<section class=\"bron-section\">";
    let close_heading = format!("</h{level}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        rest = &rest[at + OPEN.len()..];
        let start = rest.find(&close_heading)? + close_heading.len();
        let after = rest[start..].strip_prefix('\n').unwrap_or(&rest[start..]);
        let end = after.find("</section>")?;
        out.push(&after[..end]);
        rest = &after[end..];
    }
    Some(out)
}

/// A route as a list item's content: a link with meaningful text where
/// there is an address, the rest as text.
fn route_html(route: &Route) -> String {
    match (&route.url, &route.link_text) {
        (Some(url), Some(link)) if safe_url(url) => {
            let mut s = format!("<a href=\"{}\">{}</a>", escaped(url), escaped(link));
            match &route.note {
                Some(n) => {
                    s.push_str(". ");
                    s.push_str(&escaped(n));
                }
                None => s.push('.'),
            }
            s
        }
        _ => escaped(&route.text),
    }
}

/// Embedded items (a product's steps) as an ordered list: each with its
/// title as a heading and its Markdown fields.
fn embedded(r: &mut Renderer, items: &[&Item], level: u8) -> String {
    // Steps are done in order; other embedded items (conditions) are a list.
    let list = if items.iter().all(|i| i.type_name == "step") {
        "ol"
    } else {
        "ul"
    };
    let mut html = format!("<{list} class=\"bron-steps\">\n");
    for item in items {
        let title = r.title_of(item);
        let _ = write!(
            html,
            "<li class=\"bron-step\">\n<h{level}>{}</h{level}>\n",
            escaped(&title)
        );
        if let Some(ty) = r.ctx.model.get(item.type_name) {
            for f in ty
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Markdown && super::visible_in(f, r.ctx.channel))
            {
                if let Some(md) = str_field(item, &f.name) {
                    let filled = r.fill(md, item.locale);
                    to_html(&filled, level + 1, &mut html);
                }
            }
        }
        html.push_str("</li>\n");
    }
    let _ = writeln!(html, "</{list}>");
    html
}

/// Referenced items as a list of links (or titles, without page addresses).
fn links(r: &Renderer, items: &[&Item]) -> String {
    let mut html = String::from("<ul class=\"bron-links\">\n");
    for item in items {
        let title = escaped(&r.title_of(item));
        match r.item_url(item).filter(|u| safe_url(u)) {
            Some(url) => {
                let _ = writeln!(html, "<li><a href=\"{}\">{title}</a></li>", escaped(&url));
            }
            None => {
                let _ = writeln!(html, "<li>{title}</li>");
            }
        }
    }
    html.push_str("</ul>\n");
    html
}

/// schema.org JSON-LD: `GovernmentService` (with a `HowTo` of its embedded
/// steps) for products, `FAQPage` for questions, nothing for other types.
fn json_ld(r: &mut Renderer, out: &Rendering, steps: &[&Item], routes: &[Route]) -> Option<Value> {
    let item = *r.item;
    let org = &r.ctx.model.organisation;
    let url = r.item_url(&item).map(|u| match &org.website {
        Some(site) if u.starts_with('/') => format!("{}{u}", site.trim_end_matches('/')),
        _ => u,
    });
    let mut graph = Vec::new();
    match item.type_name {
        "product" => {
            // Only properties schema.org gives a Service (it is not a
            // CreativeWork: no inLanguage, no dateModified).
            let mut service = json!({
                "@type": "GovernmentService",
                "name": out.title,
            });
            let s = service.as_object_mut()?;
            if let Some(d) = &out.summary {
                s.insert("description".into(), json!(d));
            }
            if let Some(u) = &url {
                s.insert("url".into(), json!(u));
            }
            if let Some(t) = str_field(&item, "upl_name") {
                s.insert("serviceType".into(), json!(t));
            }
            if let Some(t) = str_field(&item, "upl_uri") {
                s.insert("additionalType".into(), json!(t));
            }
            if !org.name.is_empty() {
                let mut p = json!({"@type": "GovernmentOrganization", "name": org.name});
                if let Some(w) = &org.website {
                    p["url"] = json!(w);
                }
                s.insert("provider".into(), p);
            }
            let audience: Vec<Value> = strings(item.fields.get("audience"))
                .into_iter()
                .map(|a| json!({"@type": "Audience", "audienceType": a}))
                .collect();
            if !audience.is_empty() {
                s.insert("audience".into(), Value::Array(audience));
            }
            let channels: Vec<Value> = routes
                .iter()
                .map(|route| {
                    let mut c = json!({"@type": "ServiceChannel", "name": route.text});
                    if let Some(u) = &route.url {
                        c["serviceUrl"] = json!(u);
                    }
                    c
                })
                .collect();
            if !channels.is_empty() {
                s.insert("availableChannel".into(), Value::Array(channels));
            }
            graph.push(service);
            if !steps.is_empty() {
                let how: Vec<Value> = steps
                    .iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let text = step_text(r, step);
                        json!({
                            "@type": "HowToStep",
                            "position": i + 1,
                            "name": r.title_of(step),
                            "text": text,
                        })
                    })
                    .collect();
                graph.push(json!({
                    "@type": "HowTo",
                    "name": out.title,
                    "inLanguage": item.locale,
                    "step": how,
                }));
            }
        }
        "question" => {
            let mut answer = out.summary.clone().unwrap_or_default();
            if let Some(md) = str_field(&item, "answer") {
                let full = r.text_of(md, item.locale, FieldKind::Markdown);
                if !answer.is_empty() {
                    answer.push_str("\n\n");
                }
                answer.push_str(&full);
            }
            graph.push(json!({
                "@type": "FAQPage",
                "inLanguage": item.locale,
                "mainEntity": [{
                    "@type": "Question",
                    "name": out.title,
                    "acceptedAnswer": {"@type": "Answer", "text": answer},
                }],
            }));
        }
        _ => return None,
    }
    Some(json!({"@context": "https://schema.org", "@graph": graph}))
}

/// A step's Markdown fields as plain text, for `HowToStep.text`.
fn step_text(r: &mut Renderer, step: &Item) -> String {
    let Some(ty) = r.ctx.model.get(step.type_name) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for f in ty
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Markdown && super::visible_in(f, r.ctx.channel))
    {
        if let Some(md) = str_field(step, &f.name) {
            parts.push(r.text_of(md, step.locale, FieldKind::Markdown));
        }
    }
    parts.join("\n\n")
}

/// JSON-LD ready to put in a page: a `<script type="application/ld+json">`
/// whose content cannot end the script early (`<`, `>` and `&` are escaped
/// as JSON unicode escapes).
pub fn json_ld_script(value: &Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len() + 64);
    out.push_str("<script type=\"application/ld+json\">");
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push_str("</script>");
    out
}
