//! Snippets as HTML: the passage escaped, the matched words in `<mark>`.

/// The longest prefix of `text` of at most `max` characters.
pub(super) fn cut_at_char(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// `fragment` escaped, with the `ranges` (byte offsets) in `<mark>`.
pub(super) fn highlight_html(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(fragment.len() + ranges.len() * 13);
    let mut at = 0;
    for r in ranges {
        if r.is_empty() || r.start < at || r.end > fragment.len() {
            continue;
        }
        out.push_str(&escape(&fragment[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&fragment[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_escape_everything_but_the_marks() {
        assert_eq!(
            highlight_html("<b>paspoort</b> & co", &[3..11, 14..14, 18..20]),
            "&lt;b&gt;<mark>paspoort</mark>&lt;/b&gt; &amp; <mark>co</mark>"
        );
    }
}
