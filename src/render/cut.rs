//! Shortening plain text for channels with a length limit (the chatbot):
//! at the end of a sentence when one ends late enough, else at the end of a
//! word with `…`, never in the middle of a word. Lengths are in characters.

/// `text` cut to at most `max` characters, and whether it was cut.
pub fn cut(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_string(), false);
    }
    // Byte offset just past the `max`-th character.
    let limit = text
        .char_indices()
        .nth(max)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let head = &text[..limit];
    // The last sentence end (., ?, ! or : followed by white space, or a
    // paragraph break) within the limit, if it keeps at least 40% of it.
    // A statement makes a better last sentence than a question, so a
    // question mark counts only when no statement ends late enough.
    let bytes = text.as_bytes();
    let mut sentence = None;
    let mut question = None;
    for i in (0..limit).rev() {
        let b = bytes[i];
        let then_space = bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        if b == b'?' && then_space && question.is_none() {
            question = Some(i + 1);
            continue;
        }
        if matches!(b, b'.' | b'!') && then_space {
            sentence = Some(i + 1);
            break;
        }
        if b == b'\n' && i > 0 && bytes[i - 1] == b'\n' {
            sentence = Some(i - 1);
            break;
        }
    }
    let long_enough = |end: &usize| head[..*end].chars().count() * 10 >= max * 4;
    if let Some(end) = sentence
        .filter(long_enough)
        .or(question.filter(long_enough))
    {
        return (head[..end].trim_end().to_string(), true);
    }
    // Else the last word boundary, leaving room for the ellipsis.
    let room = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let word_end = if text[room..].starts_with(char::is_whitespace) {
        room
    } else {
        text[..room].rfind(char::is_whitespace).unwrap_or(0)
    };
    let kept =
        text[..word_end].trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
    (format!("{kept}…"), true)
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn short_text_stays() {
        assert_eq!(cut("Kort.", 10), ("Kort.".into(), false));
    }

    #[test]
    fn cuts_at_a_sentence_end() {
        let text = "U vraagt een paspoort aan bij de gemeente. U komt zelf naar het stadhuis. Neem een pasfoto mee.";
        let (out, cut_) = cut(text, 80);
        assert!(cut_);
        assert_eq!(
            out,
            "U vraagt een paspoort aan bij de gemeente. U komt zelf naar het stadhuis."
        );
    }

    #[test]
    fn never_mid_word() {
        let text = "Eenheelerglangezinzonderpunten en nog meer woorden die doorgaan tot voorbij de grens van de tekst";
        for max in 5..text.len() {
            let (out, _) = cut(text, max);
            assert!(out.chars().count() <= max, "{max}: {out}");
            let kept = out.trim_end_matches('…');
            assert!(
                kept.is_empty() || text.starts_with(kept) && text[kept.len()..].starts_with(' '),
                "{max}: {out}"
            );
        }
        let (out, _) = cut("één twee drie vier vijf zes zeven acht", 12);
        assert_eq!(out, "één twee…");
    }
}
