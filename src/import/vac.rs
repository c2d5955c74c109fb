//! The Rijksoverheid question-and-answer records (VAC), as the open-data API
//! publishes them: `id, question, introduction (HTML), content[{paragraphtitle,
//! paragraph (HTML)}], subjects, authorities, lastmodified, canonical, …`.
//! Each becomes a `question` item: HTML turned into Markdown, the source UUID
//! kept as external id (re-importing updates, never duplicates), subjects
//! kept as themes.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{ImportOptions, html_to_markdown};
use crate::domain::Status;
use crate::error::{Error, Result};
use crate::hub::{ImportRecord, MatchBy, slugify};
use crate::model::ContentModel;

#[derive(Deserialize)]
struct Vac {
    id: String,
    question: String,
    #[serde(default)]
    introduction: String,
    #[serde(default)]
    content: Vec<Paragraph>,
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    authorities: Vec<String>,
    #[serde(default)]
    lastmodified: Option<String>,
    #[serde(default)]
    canonical: Option<String>,
}

#[derive(Deserialize)]
struct Paragraph {
    #[serde(default)]
    paragraphtitle: String,
    #[serde(default)]
    paragraph: String,
}

pub(super) fn looks_like_vac(first_line: &str) -> bool {
    first_line.contains("\"question\"")
        && first_line.contains("\"introduction\"")
        && !first_line.contains("\"fields\"")
}

/// Markdown without links and emphasis, on one line: for the short answer.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '*' | '_' | '[' | '#' => {}
            ']' if chars.peek() == Some(&'(') => {
                for n in chars.by_ref() {
                    if n == ')' {
                        break;
                    }
                }
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `s` to at most `max` characters at a word boundary, ending with "…".
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for word in s.split(' ') {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

fn slug_for(v: &Vac, taken: &mut HashSet<String>) -> String {
    let from_url = v
        .canonical
        .as_deref()
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .map(slugify)
        .unwrap_or_default();
    let base = if from_url.is_empty() {
        slugify(&v.question)
    } else {
        from_url
    };
    let mut base: String = base.chars().take(100).collect();
    while base.ends_with('-') {
        base.pop();
    }
    let mut slug = base.clone();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

pub(super) fn parse(
    model: &ContentModel,
    file: &str,
    text: &str,
    options: ImportOptions,
) -> Result<Vec<ImportRecord>> {
    let ty = model.get("question").ok_or_else(|| {
        Error::BadInput(
            "VAC records become `question` items, but the content model has no question type"
                .into(),
        )
    })?;
    let max = |name: &str| {
        ty.field(name)
            .and_then(|f| f.max_length)
            .unwrap_or(usize::MAX)
    };
    let mut taken = HashSet::new();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let v: Vac = serde_json::from_str(raw).map_err(|e| Error::Import {
            file: file.to_string(),
            line,
            message: format!("not a valid VAC record: {e}"),
        })?;
        let intro = html_to_markdown(&v.introduction);
        let mut answer = intro.clone();
        for p in &v.content {
            let body = html_to_markdown(&p.paragraph);
            let title = p.paragraphtitle.trim();
            if !title.is_empty() {
                answer.push_str(&format!("\n\n## {title}"));
            }
            if !body.is_empty() {
                answer.push_str("\n\n");
                answer.push_str(&body);
            }
        }
        let mut fields = Map::new();
        fields.insert(
            "question".into(),
            Value::String(v.question.trim().to_string()),
        );
        let short = plain(&intro);
        let short = if short.is_empty() {
            plain(&answer)
        } else {
            short
        };
        fields.insert(
            "short_answer".into(),
            Value::String(cut(&short, max("short_answer"))),
        );
        fields.insert("answer".into(), Value::String(answer.trim().to_string()));
        let list = |items: &[String], field: &str| {
            Value::Array(
                items
                    .iter()
                    .map(|s| Value::String(cut(s.trim(), max(field))))
                    .collect(),
            )
        };
        fields.insert("themes".into(), list(&v.subjects, "themes"));
        fields.insert("departments".into(), list(&v.authorities, "departments"));
        if let Some(url) = &v.canonical {
            fields.insert("source_url".into(), Value::String(url.clone()));
        }
        if let Some(m) = &v.lastmodified {
            fields.insert("source_modified".into(), Value::String(m.clone()));
        }
        fields.retain(|k, _| ty.field(k).is_some());
        // The same source record can occur twice (the published set has one
        // such pair): the later line wins, under the slug the first one got.
        if let Some(earlier) = out
            .iter_mut()
            .find(|r: &&mut ImportRecord| r.external_id.as_deref() == Some(v.id.as_str()))
        {
            earlier.fields = fields;
            earlier.line = line;
            continue;
        }
        out.push(ImportRecord {
            file: file.to_string(),
            line,
            type_name: "question".into(),
            slug: slug_for(&v, &mut taken),
            locale: "nl".into(),
            status: if options.publish_foreign {
                Status::Published
            } else {
                Status::Draft
            },
            external_id: Some(v.id),
            review_by: None,
            fields,
            match_by: MatchBy::ExternalId,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_cut() {
        assert_eq!(
            plain("Zie **hier** [de site](https://x.nl) voor\nmeer."),
            "Zie hier de site voor meer."
        );
        assert_eq!(cut("een twee drie vier", 12), "een twee…");
        assert_eq!(cut("kort", 12), "kort");
    }
}
