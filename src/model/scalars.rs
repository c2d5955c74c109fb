//! The scalar formats field values are checked and stored in: URIs, decimal
//! and money amounts (`84.70`), dates (`YYYY-MM-DD`) and date-times (RFC 3339
//! in UTC, seconds precision). Pure string work; no knowledge of the model.

use time::format_description::well_known::Rfc3339;

pub(super) fn check_uri(s: &str) -> Result<(), String> {
    if s.len() > 2048 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{s}` is not a valid URI (no spaces, at most 2048 characters)"
        ));
    }
    // Characters RFC 3986 never allows in a URI: they must be percent-encoded.
    if let Some(c) = s.chars().find(|c| "\"<>\\^`{|}".contains(*c)) {
        return Err(format!(
            "`{s}` is not a valid URI: `{c}` must be percent-encoded"
        ));
    }
    let Some((scheme, rest)) = s.split_once(':') else {
        return Err(format!(
            "`{s}` is not an absolute URI (it needs a scheme such as https:)"
        ));
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    if !scheme_ok {
        return Err(format!("`{s}` has an invalid scheme `{scheme}`"));
    }
    let lower = scheme.to_ascii_lowercase();
    if lower == "javascript" || lower == "data" || lower == "vbscript" {
        return Err(format!("`{scheme}:` URIs are not allowed"));
    }
    if (lower == "http" || lower == "https")
        && !rest.strip_prefix("//").is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
        })
    {
        return Err(format!("`{s}` has no host"));
    }
    Ok(())
}

/// `84.7` -> `84.70` for money; decimals keep their digits.
pub(super) fn normalise_decimal(s: &str, money: bool) -> Result<String, String> {
    let s = s.replace(',', ".");
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.len() <= 15
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 10
        && !(digits.contains('.') && frac.is_empty());
    if !ok {
        return Err(format!("`{s}` is not a decimal number such as 84.70"));
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let sign = if neg { "-" } else { "" };
    if money {
        if frac.len() > 2 {
            return Err(format!(
                "`{s}` has more than 2 decimals; money is in whole cents"
            ));
        }
        return Ok(format!("{sign}{int}.{frac:0<2}"));
    }
    let frac = frac.trim_end_matches('0');
    Ok(if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn parse_date(s: &str) -> Result<time::Date, String> {
    time::Date::parse(s.trim(), DATE)
        .map_err(|_| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

pub fn format_date(d: time::Date) -> String {
    d.format(DATE).unwrap_or_default()
}

pub fn parse_datetime(s: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(s.trim(), &Rfc3339)
        .map_err(|_| format!("`{s}` is not a date-time such as 2026-05-01T09:00:00Z"))
}

/// RFC 3339 in UTC, seconds precision: `2026-05-01T09:00:00Z`.
pub fn format_datetime(t: time::OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}
