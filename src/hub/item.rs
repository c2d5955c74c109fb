//! What a caller gets back for one item: its attributes and the content of
//! the stage that caller may see, with internal fields already removed for
//! callers who may not see them.

use serde_json::{Map, Value};

use super::Role;
use crate::error::{Error, Result};
use crate::model::{FieldKind, TypeDef};
use crate::store::{Edge, ItemRow, Stage, Status};

#[derive(Debug, Clone)]
pub struct ItemView {
    pub id: String,
    pub type_name: String,
    pub slug: String,
    pub locale: String,
    pub status: Status,
    pub version: i64,
    pub published_version: Option<i64>,
    pub external_id: Option<String>,
    pub review_by: Option<String>,
    pub publish_at: Option<i64>,
    pub unpublish_at: Option<i64>,
    pub schedule_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    /// Which content `fields` holds.
    pub stage: Stage,
    pub fields: Map<String, Value>,
}

impl ItemView {
    /// Builds the view of `row` for `role`; None when the role may not see it
    /// (a draft for an anonymous caller).
    pub fn from_row(row: &ItemRow, ty: &TypeDef, role: Role) -> Result<Option<ItemView>> {
        let stage = role.stage();
        let Some(text) = row.content(stage) else {
            return Ok(None);
        };
        let mut fields = parse_fields(text, &row.id)?;
        if !role.sees_internal() {
            for f in ty.fields.iter().filter(|f| f.internal) {
                fields.remove(&f.name);
            }
        }
        // Readers of the live snapshot learn nothing of unpublished work:
        // they see the live revision's version, slug, external id and review
        // date, the last publish as the last change, and no schedules or
        // scheduling errors.
        let live = stage == Stage::Published;
        let (slug, external_id, review_by) = if live {
            (
                row.published_slug.as_ref().unwrap_or(&row.slug).clone(),
                row.published_external_id.clone(),
                row.published_review_by.clone(),
            )
        } else {
            (
                row.slug.clone(),
                row.external_id.clone(),
                row.review_by.clone(),
            )
        };
        Ok(Some(ItemView {
            id: row.id.clone(),
            type_name: row.type_name.clone(),
            slug,
            locale: row.locale.clone(),
            status: row.status,
            version: match row.published_version {
                Some(v) if live => v,
                _ => row.version,
            },
            published_version: row.published_version,
            external_id,
            review_by,
            publish_at: row.publish_at.filter(|_| !live),
            unpublish_at: row.unpublish_at.filter(|_| !live),
            schedule_error: row.schedule_error.clone().filter(|_| !live),
            created_at: row.created_at,
            updated_at: match row.published_at {
                Some(t) if live => t,
                _ => row.updated_at,
            },
            published_at: row.published_at,
            stage,
            fields,
        }))
    }

    pub fn has_unpublished_changes(&self) -> bool {
        self.published_version != Some(self.version)
    }

    /// The ids every reference field holds.
    pub fn reference_ids_all(&self, model: &crate::model::ContentModel) -> Vec<String> {
        model
            .get(&self.type_name)
            .map(|ty| {
                ty.reference_fields()
                    .flat_map(|f| self.reference_ids(&f.name))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The ids a reference field holds, in order.
    pub fn reference_ids(&self, field: &str) -> Vec<String> {
        ids_of(self.fields.get(field))
    }
}

pub(crate) fn parse_fields(text: &str, id: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::Internal(format!(
            "the stored content of item {id} is not a JSON object"
        ))),
    }
}

fn ids_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

/// The `{{fact:slug}}` mentions in the text fields of `fields`: (field path, slug).
pub(crate) fn fact_mentions(ty: &TypeDef, fields: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in ty
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Text | FieldKind::Markdown))
    {
        let texts: Vec<(String, &str)> = match fields.get(&f.name) {
            Some(Value::String(s)) => vec![(format!("fields.{}", f.name), s.as_str())],
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .filter_map(|(i, v)| Some((format!("fields.{}[{i}]", f.name), v.as_str()?)))
                .collect(),
            _ => vec![],
        };
        for (path, text) in texts {
            for slug in crate::render::fill::fact_refs(text) {
                out.push((path.clone(), slug.to_string()));
            }
        }
    }
    out
}

/// The reference edges of content `fields` of type `ty`.
pub(crate) fn edges(ty: &TypeDef, fields: &Map<String, Value>) -> Vec<Edge> {
    let mut out = Vec::new();
    for f in ty.fields.iter().filter(|f| f.kind == FieldKind::Reference) {
        for (i, id) in ids_of(fields.get(&f.name)).into_iter().enumerate() {
            out.push((f.name.clone(), i as i64, id));
        }
    }
    out
}

/// `Paspoort aanvragen (18+)` -> `paspoort-aanvragen-18`,
/// `Straße en ĳsbaan` -> `strasse-en-ijsbaan`. Letters are transliterated to
/// ASCII first (combining accents fall away, a Cyrillic `а` becomes `a`), so
/// a slug never loses a letter it could have kept; what cannot be
/// transliterated is dropped ([`unfoldable`] finds it).
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let folded = if c.is_ascii() {
            None
        } else {
            deunicode::deunicode_char(c)
        };
        let chars: Box<dyn Iterator<Item = char>> = match folded {
            Some(s) => Box::new(s.chars()),
            None if c.is_ascii() => Box::new(std::iter::once(c)),
            None => Box::new(std::iter::empty()),
        };
        for c in chars.flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.truncate(80);
    out.trim_end_matches('-').to_string()
}

/// The first letter or digit of `text` that has no ASCII transliteration
/// (combining accents do not count: they fall away).
pub fn unfoldable(text: &str) -> Option<char> {
    let combining = |c: char| matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F);
    text.chars().find(|&c| {
        c.is_alphanumeric()
            && !c.is_ascii()
            && !combining(c)
            && !deunicode::deunicode_char(c)
                .is_some_and(|s| s.chars().any(|x| x.is_ascii_alphanumeric()))
    })
}

pub(crate) fn check_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= 120
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Validation(vec![crate::error::FieldError::new(
            "slug",
            format!(
                "`{slug}` is not a valid slug: use lowercase letters, digits and single hyphens, at most 120 characters (e.g. paspoort-aanvragen)"
            ),
        )
        .nl("Een webadres-naam bestaat uit kleine letters, cijfers en losse streepjes, zoals paspoort-aanvragen.")]))
    }
}

pub(crate) fn check_locale(locale: &str) -> Result<()> {
    let b = locale.as_bytes();
    let base = b.len() >= 2 && b.len() <= 3 && b.iter().all(u8::is_ascii_lowercase);
    let region = locale.split_once('-').is_some_and(|(l, r)| {
        (2..=3).contains(&l.len())
            && l.bytes().all(|c| c.is_ascii_lowercase())
            && r.len() == 2
            && r.bytes().all(|c| c.is_ascii_uppercase())
    });
    if base || region {
        Ok(())
    } else {
        Err(Error::invalid(
            "locale",
            format!("`{locale}` is not a language code such as nl, en or nl-BE"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Paspoort aanvragen (18+)"), "paspoort-aanvragen-18");
        assert_eq!(slugify("Café ’t Hoekje"), "cafe-t-hoekje");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("Straße en ĳsbaan"), "strasse-en-ijsbaan");
        assert_eq!(slugify("pa\u{301}spoort aanvragen"), "paspoort-aanvragen");
        assert_eq!(slugify("p\u{430}spoort aanvragen"), "paspoort-aanvragen");
        assert_eq!(slugify("Ærø — café"), "aero-cafe");
        assert_eq!(unfoldable("Paspoort"), None);
        assert_eq!(unfoldable("Straße"), None);
        assert_eq!(unfoldable("pa\u{301}spoort"), None);
        assert_eq!(unfoldable("Paspoort \u{294}"), Some('\u{294}'));
        assert!(check_slug("paspoort-aanvragen").is_ok());
        assert!(check_slug("Paspoort").is_err());
        assert!(check_slug("a--b").is_err());
        assert!(check_slug("-a").is_err());
        assert!(check_locale("nl").is_ok());
        assert!(check_locale("nl-BE").is_ok());
        assert!(check_locale("NL").is_err());
        assert!(check_locale("dutch").is_err());
    }
}
