//! Markdown as plain text, walking pulldown-cmark's events once: for the
//! chatbot, the KCC and letters (`to_text`), for the search index
//! (`words`), and the link texts the content lint flags (`vague_links`).

use std::fmt::Write;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::markdown::{options, safe_url};

/// Markdown to plain text: paragraphs separated by a blank line, list items
/// as `• ` or `1. `, table rows as `header: cell; …`, links written out as
/// `text (address)`, raw HTML kept as the text it is. No Markdown syntax is
/// left. Unsafe link addresses are left out; site-relative ones (`/contact`)
/// are written out with `base` (the website) when given.
pub fn to_text(md: &str, base: Option<&str>) -> String {
    let mut out = String::with_capacity(md.len());
    // Per open list: the next number, or None for bullets.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut head: Vec<String> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_head = false;
    let block_break = |out: &mut String| {
        let trimmed = out.trim_end_matches([' ', '\n']).len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push_str("\n\n");
        }
    };
    let line_break = |out: &mut String| {
        let trimmed = out.trim_end_matches([' ', '\n']).len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push('\n');
        }
    };
    for event in Parser::new_ext(md, options()) {
        let sink: &mut String = match cell.as_mut() {
            Some(c) => c,
            None => &mut out,
        };
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph if !lists.is_empty() => {}
                Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_) | Tag::CodeBlock(_) => {
                    block_break(sink)
                }
                Tag::HtmlBlock => block_break(sink),
                Tag::List(start) => {
                    if lists.is_empty() {
                        block_break(sink);
                    }
                    lists.push(start);
                }
                Tag::Item => {
                    if !sink.ends_with("\n\n") {
                        line_break(sink);
                    }
                    let depth = lists.len().saturating_sub(1);
                    sink.push_str(&"  ".repeat(depth));
                    match lists.last_mut() {
                        Some(Some(n)) => {
                            let _ = write!(sink, "{n}. ");
                            *n += 1;
                        }
                        _ => sink.push_str("• "),
                    }
                }
                Tag::Table(_) => block_break(sink),
                Tag::TableHead => in_head = true,
                Tag::TableRow => row.clear(),
                Tag::TableCell => cell = Some(String::new()),
                Tag::Link { dest_url, .. } => links.push((dest_url.to_string(), sink.len())),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => sink.push('\n'),
                TagEnd::List(_) => {
                    lists.pop();
                }
                TagEnd::TableCell => {
                    let c = cell.take().unwrap_or_default();
                    let c = c.split_whitespace().collect::<Vec<_>>().join(" ");
                    if in_head {
                        head.push(c);
                    } else {
                        row.push(c);
                    }
                }
                TagEnd::TableHead => in_head = false,
                TagEnd::TableRow => {
                    if !out.ends_with("\n\n") {
                        line_break(&mut out);
                    }
                    let parts: Vec<String> = row
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.is_empty())
                        .map(|(i, c)| match head.get(i).filter(|h| !h.is_empty()) {
                            Some(h) => format!("{h}: {c}"),
                            None => c.clone(),
                        })
                        .collect();
                    out.push_str(&parts.join("; "));
                }
                TagEnd::Table => head.clear(),
                TagEnd::Link => {
                    if let Some((url, at)) = links.pop() {
                        let url = url.trim();
                        let text = sink.get(at..).unwrap_or("").trim().to_string();
                        let bare = url.trim_start_matches("mailto:").trim_start_matches("tel:");
                        if safe_url(url) && !url.is_empty() && text != bare && text != url {
                            match base {
                                Some(b) if url.starts_with('/') => {
                                    let _ = write!(sink, " ({}{url})", b.trim_end_matches('/'));
                                }
                                _ => {
                                    let _ = write!(sink, " ({bare})");
                                }
                            }
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => sink.extend(
                t.chars()
                    .filter(|c| !c.is_control() || matches!(c, '\t' | '\n')),
            ),
            Event::SoftBreak => sink.push(' '),
            Event::HardBreak => sink.push('\n'),
            Event::Rule => block_break(sink),
            _ => {}
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out
}

/// The words a reader sees, for the search index: every text of the
/// Markdown separated by spaces, no syntax, no link addresses.
pub fn words(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            // Blocks and cells end a word; emphasis and links do not.
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock,
            )
            | Event::SoftBreak
            | Event::HardBreak
            | Event::Rule => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Link texts that do not say where a link leads ("klik hier", "lees meer").
const VAGUE_LINK_TEXTS: &[&str] = &[
    "hier",
    "klik hier",
    "klik",
    "lees meer",
    "meer",
    "deze link",
    "link",
    "deze pagina",
    "here",
    "click here",
    "read more",
    "more",
    "this link",
];

/// The texts of the links in `md` that say nothing of where they lead.
pub fn vague_links(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Link { .. }) => open = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(o) = open.as_mut() {
                    o.push_str(&t);
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(text) = open.take() {
                    let t = text.trim().trim_end_matches(['.', '!', ':']).to_lowercase();
                    if VAGUE_LINK_TEXTS.contains(&t.as_str()) {
                        out.push(text.trim().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_link_texts_are_found() {
        assert_eq!(
            vague_links("Lees [hier](https://a.nl) of [Klik hier](/x). Zie [de tarieven](/t)."),
            ["hier", "Klik hier"]
        );
    }

    #[test]
    fn words_are_what_a_reader_sees() {
        assert_eq!(
            words("## Kosten\n\n- Een **paspoort** kost [zie tarieven](https://x.nl/t).\n1. Eerst"),
            "Kosten Een paspoort kost zie tarieven. Eerst"
        );
    }

    #[test]
    fn plain_text_has_no_markdown_left() {
        let text = to_text(
            "## Kosten\n\nU betaalt **€ 88,65**. Zie [de tarieven](https://lindewaard.nl/tarieven).\n\n- pinpas\n- *geen* contant\n\n1. eerst\n2. dan\n\n| Wie | Prijs |\n|---|---|\n| Kind | € 67,05 |",
            None,
        );
        assert_eq!(
            text,
            "Kosten\n\nU betaalt € 88,65. Zie de tarieven (https://lindewaard.nl/tarieven).\n\n• pinpas\n• geen contant\n\n1. eerst\n2. dan\n\nWie: Kind; Prijs: € 67,05"
        );
        assert_eq!(to_text("<https://a.nl>", None), "https://a.nl");
        assert_eq!(to_text("[mail](mailto:a@b.nl)", None), "mail (a@b.nl)");
        assert_eq!(to_text("[x](javascript:alert(1))", None), "x");
        assert_eq!(
            to_text("[contact](/contact)", Some("https://www.lindewaard.nl/")),
            "contact (https://www.lindewaard.nl/contact)"
        );
    }
}
