//! The plain-text channels: the chatbot (the short answer first, within the
//! channel's limit, cut at a sentence end), the KCC (everything an agent
//! needs on the phone: the public answer, internal notes, whom to pass the
//! caller to, and whether the text is still checked) and letters (formal
//! blocks, links written out, merge fields kept or filled).

use std::fmt::Write;

use super::cut::cut;
use super::fill::{fill_merge_fields, merge_fields};
use super::{Item, Renderer, Rendering, Review, Section, str_field, strings};
use crate::model::{FieldDef, FieldKind};

/// The sections as plain text: Markdown fields, and embedded references as
/// a numbered list (`1. title` and their text). Other references are left
/// to the follow-ups (`links = false`) or listed by title.
fn sections(r: &mut Renderer, links: bool) -> Vec<(bool, Section)> {
    let fields: Vec<FieldDef> = r.section_fields().into_iter().cloned().collect();
    let mut out = Vec::new();
    for f in fields {
        let body = if f.kind == FieldKind::Reference {
            let items = r.referenced(&f);
            if items.is_empty() {
                continue;
            }
            if f.embed {
                embedded(r, &items)
            } else if links {
                items
                    .iter()
                    .map(|i| format!("• {}", r.title_of(i)))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                continue;
            }
        } else {
            let raw = strings(r.item.fields.get(&f.name)).join("\n\n");
            let locale = r.item.locale;
            let t = r.text_of(&raw, locale, FieldKind::Markdown);
            if t.is_empty() {
                continue;
            }
            t
        };
        out.push((
            f.internal,
            Section {
                field: f.name.clone(),
                label: f.label.clone(),
                body,
            },
        ));
    }
    out
}

fn embedded(r: &mut Renderer, items: &[&Item]) -> String {
    let mut out = String::new();
    let numbered = items.iter().all(|i| i.type_name == "step");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if numbered {
            let _ = write!(out, "{}. {}", i + 1, r.title_of(item));
        } else {
            let _ = write!(out, "• {}", r.title_of(item));
        }
        if let Some(ty) = r.ctx.model.get(item.type_name) {
            for f in ty
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Markdown && super::visible_in(f, r.ctx.channel))
            {
                if let Some(md) = str_field(item, &f.name) {
                    let t = r.text_of(md, item.locale, FieldKind::Markdown);
                    for line in t.lines() {
                        out.push('\n');
                        if !line.is_empty() {
                            out.push_str("   ");
                            out.push_str(line);
                        }
                    }
                }
            }
        }
    }
    out
}

pub(super) fn chatbot(r: &mut Renderer) -> Rendering {
    let mut out = r.base();
    let parts = sections(r, false);
    let routes = r.routes();
    let max = r.ctx.channel.max_length.unwrap_or(usize::MAX);
    let tail = if routes.is_empty() {
        String::new()
    } else {
        let t = r.routes_text(&routes);
        // The routes never take more than half the room.
        cut(&t, max / 2).0
    };
    let mut body = out.summary.clone().unwrap_or_default();
    for (_, s) in &parts {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&s.body);
    }
    let room = if tail.is_empty() {
        max
    } else {
        max.saturating_sub(tail.chars().count() + 2)
    };
    let (mut text, truncated) = cut(&body, room);
    if !tail.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&tail);
    }
    out.text = Some(text);
    out.truncated = truncated;
    out.sections = parts.into_iter().map(|(_, s)| s).collect();
    out.routes = routes;
    out
}

pub(super) fn kcc(r: &mut Renderer) -> Rendering {
    let mut out = r.base();
    let p = r.phrases();
    let parts = sections(r, true);
    let routes = r.routes();
    let mut text = out.title.clone();
    if let Some(s) = &out.summary {
        let _ = write!(text, "\n\n{}: {s}", p.short_answer);
    }
    for (internal, s) in &parts {
        let label = if *internal && !s.label.to_lowercase().contains("intern") {
            format!("{} ({})", s.label, p.internal.to_lowercase())
        } else {
            s.label.clone()
        };
        let _ = write!(text, "\n\n{label}\n{}", s.body);
    }
    if !routes.is_empty() {
        text.push_str("\n\n");
        text.push_str(&r.routes_text(&routes));
    }
    // Whom to pass the caller to: the owning team and departments.
    let item = *r.item;
    let mut routing = Vec::new();
    if let Some(team) = str_field(&item, "owner_team") {
        routing.push(format!("{} {team}", p.team));
    }
    let departments = strings(item.fields.get("departments"));
    if !departments.is_empty() {
        routing.push(format!("{}: {}", p.departments, departments.join(", ")));
    }
    if !routing.is_empty() {
        let line = format!("{}: {}", p.routing, routing.join("; "));
        let _ = write!(text, "\n\n{line}");
        out.routing = Some(routing.join("; "));
    }
    let review = review(r);
    let _ = write!(text, "\n\n{}", review.text);
    out.review = Some(review);
    out.text = Some(text);
    out.sections = parts.into_iter().map(|(_, s)| s).collect();
    out.routes = routes;
    out
}

/// "Gecontroleerd op …; volgende controle uiterlijk …", and a warning when
/// the review date has passed.
fn review(r: &Renderer) -> Review {
    let p = r.phrases();
    let item = r.item;
    let overdue = item.review_by.is_some_and(|d| d < r.ctx.today);
    let mut text = String::new();
    if let Some(c) = item.checked_on {
        let _ = write!(text, "{} {}", p.checked_on, p.date(c));
    }
    if let Some(d) = item.review_by {
        if !text.is_empty() {
            text.push_str("; ");
        }
        let _ = write!(text, "{} {}", p.review_before, p.date(d));
    }
    if !text.is_empty() {
        text.push('.');
    }
    if overdue {
        let date = p.date(item.review_by.unwrap_or_default());
        let _ = write!(text, "\n{}", p.overdue.replace("{date}", &date));
    }
    Review {
        checked_on: item.checked_on.map(String::from),
        review_by: item.review_by.map(String::from),
        overdue,
        text: text.trim_start().to_string(),
    }
}

pub(super) fn letter(r: &mut Renderer) -> Rendering {
    let mut out = r.base();
    let parts = sections(r, false);
    let routes = r.routes();
    // Fields limited to the letter channel are the letter's own text and
    // come first; then the short answer and the public sections.
    let own: Vec<&str> =
        r.ty.map(|t| {
            t.fields
                .iter()
                .filter(|f| f.channels.contains(&r.ctx.channel.name))
                .map(|f| f.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut blocks: Vec<String> = Vec::new();
    for (_, s) in parts
        .iter()
        .filter(|(_, s)| own.contains(&s.field.as_str()))
    {
        blocks.push(s.body.clone());
    }
    if let Some(s) = &out.summary {
        blocks.push(s.clone());
    }
    for (_, s) in parts
        .iter()
        .filter(|(_, s)| !own.contains(&s.field.as_str()))
    {
        blocks.push(format!("{}\n{}", s.label, s.body));
    }
    if !routes.is_empty() {
        blocks.push(r.routes_text(&routes));
    }
    let joined = blocks.join("\n\n");
    out.merge_fields = merge_fields(&joined);
    let mut missing = Vec::new();
    let text = fill_merge_fields(&joined, r.ctx.variables, &mut missing);
    out.missing_variables = missing;
    out.text = Some(text);
    out.sections = parts
        .into_iter()
        .map(|(_, mut s)| {
            let mut m = Vec::new();
            s.body = fill_merge_fields(&s.body, r.ctx.variables, &mut m);
            s
        })
        .collect();
    out.routes = routes;
    out
}
