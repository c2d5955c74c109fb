//! The last pass over every piece of web HTML: a strict allowlist of the
//! tags, attributes and classes Bron's HTML writer emits. Anything else that
//! looks like markup is turned into text (`<` becomes `&lt;`), so a mistake
//! in the writer cannot reach a page.
//!
//! Why not a general HTML sanitiser: the input is the writer's own output,
//! in one strict shape (`<name attr="value">`, `</name>`, text with `<` and
//! `&` escaped), so a strict scanner suffices, and ammonia (an html5ever
//! parse and serialise per piece) was most of a web rendering's cost. The
//! scanner is conservative where a browser is lenient: a `<` that does not
//! begin an allowed tag in exactly that shape is text, attribute values are
//! decoded and written again escaped, and link addresses are checked after
//! decoding. The tests also run ammonia over the writer's output as an
//! oracle: it must find nothing to remove.

use super::markdown::{escape_html, safe_url};

/// Tags and the attributes each may carry.
const TAGS: &[(&str, &[&str])] = &[
    ("article", &["class", "lang"]),
    ("section", &["class"]),
    ("nav", &["class"]),
    ("div", &["class"]),
    ("p", &["class"]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("ul", &["class"]),
    ("ol", &["class", "start"]),
    ("li", &["class"]),
    ("a", &["href", "title", "hreflang", "rel"]),
    ("em", &[]),
    ("strong", &[]),
    ("del", &[]),
    ("code", &[]),
    ("pre", &[]),
    ("blockquote", &[]),
    ("table", &[]),
    ("thead", &[]),
    ("tbody", &[]),
    ("tr", &[]),
    ("th", &["scope"]),
    ("td", &[]),
    ("br", &[]),
    ("hr", &[]),
    ("img", &["src", "alt", "title"]),
    ("span", &["class"]),
];

/// What `rel` on a link must say: no access to the opener, no referrer.
const REL: &str = "noopener noreferrer";

/// Decodes the entities Bron's escaping writes, and numeric ones; None when
/// an `&` starts no entity.
fn decode(value: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';')?;
        let name = &after[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            n if n.starts_with("#x") || n.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&n[2..], 16).ok()?)?
            }
            n if n.starts_with('#') => char::from_u32(n[1..].parse().ok()?)?,
            _ => return None,
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// One tag at the start of `s` (which begins with `<`), if it is allowed in
/// exactly the writer's shape: its length and the clean form to write.
fn tag(s: &str) -> Option<(usize, String)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    if inner.contains('<') {
        return None;
    }
    if let Some(name) = inner.strip_prefix('/') {
        TAGS.iter().find(|(t, _)| *t == name)?;
        return Some((end + 1, format!("</{name}>")));
    }
    let name_end = inner.find(' ').unwrap_or(inner.len());
    let name = &inner[..name_end];
    let (_, allowed) = TAGS.iter().find(|(t, _)| *t == name)?;
    let mut out = format!("<{name}");
    let mut attrs = &inner[name_end..];
    let mut has_href = false;
    while !attrs.is_empty() {
        // ` attr="value"`, values without a raw quote.
        let a = attrs.strip_prefix(' ')?;
        let eq = a.find("=\"")?;
        let attr = &a[..eq];
        let value_start = eq + 2;
        let close = a[value_start..].find('"')? + value_start;
        let value = decode(&a[value_start..close])?;
        attrs = &a[close + 1..];
        if !allowed.contains(&attr) {
            return None;
        }
        match attr {
            "href" | "src" => {
                if !safe_url(&value) {
                    return None;
                }
                has_href |= attr == "href";
            }
            "class"
                if !value
                    .split_whitespace()
                    .all(|c| super::web::CLASSES.contains(&c)) =>
            {
                return None;
            }
            // Written below for every link.
            "rel" => continue,
            "start" if !value.chars().all(|c| c.is_ascii_digit()) => return None,
            "scope" if !matches!(value.as_str(), "col" | "row") => return None,
            "lang" | "hreflang"
                if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                return None;
            }
            _ => {}
        }
        out.push(' ');
        out.push_str(attr);
        out.push_str("=\"");
        escape_html(&value, &mut out);
        out.push('"');
    }
    if name == "a" && has_href {
        out.push_str(" rel=\"");
        out.push_str(REL);
        out.push('"');
    }
    out.push('>');
    Some((end + 1, out))
}

/// `html` with only allowed markup left; everything else is text.
pub fn clean(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            match tag(rest) {
                Some((len, clean)) => {
                    out.push_str(&clean);
                    rest = &rest[len..];
                }
                None => {
                    out.push_str("&lt;");
                    rest = &rest[1..];
                }
            }
        } else {
            // An entity stays as written when it decodes; a bare `&` is escaped.
            let end = rest.find(';').filter(|e| *e <= 12);
            match end.and_then(|e| decode(&rest[..=e]).map(|_| e)) {
                Some(e) => {
                    out.push_str(&rest[..=e]);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push_str("&amp;");
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn the_writers_shape_passes() {
        let html = "<article class=\"bron-item\" lang=\"nl\">\n<h1>Titel &amp; meer</h1>\n<p><a href=\"https://a.nl/x?a=1&amp;b=2\" title=\"t &quot;x&quot;\">link</a> en <code>&lt;b&gt;</code></p>\n<ol start=\"3\"><li>x</li></ol><table><thead><tr><th scope=\"col\">k</th></tr></thead></table><img src=\"https://a.nl/a.png\" alt=\"\"></article>";
        let out = clean(html);
        assert_eq!(
            out,
            html.replace(
                "title=\"t &quot;x&quot;\">",
                "title=\"t &quot;x&quot;\" rel=\"noopener noreferrer\">"
            )
        );
    }

    #[test]
    fn anything_else_is_text() {
        for (attack, banned) in [
            ("<script>alert(1)</script>", "<script"),
            ("<img src=x onerror=alert(1)>", "<img"),
            ("<img src=\"x\" onerror=\"alert(1)\">", "<img"),
            ("<a href=\"javascript:alert(1)\">x</a>", "<a "),
            ("<a href=\"java&#115;cript:alert(1)\">x</a>", "<a "),
            ("<a href=\"&#106;avascript:alert(1)\">x</a>", "<a "),
            ("<a href=\"data:text/html,x\">x</a>", "<a "),
            ("<p onclick=\"alert(1)\">x</p>", "<p "),
            ("<p class=\"evil\">x</p>", "<p "),
            ("<svg onload=alert(1)>", "<svg"),
            ("<scr<script>ipt>alert(1)</script>", "<scr"),
            ("<!-- x --><script>", "<!--"),
            ("<a href='javascript:alert(1)'>x</a>", "<a "),
            ("<a\thref=\"javascript:alert(1)\">x</a>", "<a"),
            ("<A HREF=\"javascript:alert(1)\">x</A>", "<A"),
            ("<p\nonclick=\"x\">", "<p"),
            ("<ol start=\"1 onclick=x\">", "<ol "),
            ("<a href=\"https://a.nl\" href=\"javascript:x\">", "<a "),
        ] {
            let out = clean(attack);
            assert!(!out.contains(banned), "{attack} -> {out}");
        }
        assert_eq!(clean("a & b < c"), "a &amp; b &lt; c");
        assert_eq!(clean("&amp;&#39;&bogus;"), "&amp;&#39;&amp;bogus;");
    }
}
