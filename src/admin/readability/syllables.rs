//! Syllable counting for Dutch words: groups of vowels, split where Dutch
//! spelling marks or implies a boundary (the rules are in the module
//! documentation of [`super`]).

use super::text::lower;

/// Syllables of one word by the vowel-group rules of the module
/// documentation; at least 1.
pub fn syllables(word: &str) -> usize {
    // The current vowel group: base vowel and whether it has a diaeresis.
    // Longer groups than this do not occur; extra vowels join the last one.
    const MAX: usize = 8;
    let mut run = [('\0', false); MAX];
    let mut len = 0;
    let mut total = 0;
    let mut prev = '\0';
    let mut chars = word.chars().map(lower).peekable();
    while let Some(c) = chars.next() {
        let v = if c == 'u' && prev == 'q' {
            None
        } else {
            vowel(c)
        };
        match v {
            Some((v, dia)) => {
                let v = if v == 'i' && !dia && chars.peek() == Some(&'j') {
                    chars.next();
                    'y'
                } else {
                    v
                };
                if len < MAX {
                    run[len] = (v, dia);
                    len += 1;
                }
            }
            None => {
                total += group_syllables(&run[..len]);
                len = 0;
            }
        }
        prev = c;
    }
    total += group_syllables(&run[..len]);
    total.max(1)
}

/// A vowel's base letter and whether it carries a diaeresis; `ij` is
/// handled by the caller.
fn vowel(c: char) -> Option<(char, bool)> {
    Some(match c {
        'a' | 'á' | 'à' | 'â' | 'å' | 'ã' => ('a', false),
        'e' | 'é' | 'è' | 'ê' => ('e', false),
        'i' | 'í' | 'ì' | 'î' => ('i', false),
        'o' | 'ó' | 'ò' | 'ô' | 'õ' => ('o', false),
        'u' | 'ú' | 'ù' | 'û' => ('u', false),
        'y' | 'ý' => ('y', false),
        'ä' => ('a', true),
        'ë' => ('e', true),
        'ï' => ('i', true),
        'ö' => ('o', true),
        'ü' => ('u', true),
        'ÿ' => ('y', true),
        _ => return None,
    })
}

/// Syllables of one maximal run of vowels (`ij` as `y`).
fn group_syllables(run: &[(char, bool)]) -> usize {
    if run.is_empty() {
        return 0;
    }
    let mut count = 1;
    let mut start = 0;
    for k in 0..run.len() - 1 {
        let a = run[k].0;
        let (b, b_dia) = run[k + 1];
        let after = run.get(k + 2).map(|v| v.0);
        let first = k == start;
        let split = b_dia
            || a == 'y'
            || (first && a == 'u' && matches!(b, 'a' | 'e' | 'o'))
            || (first
                && a == 'i'
                && (matches!(b, 'a' | 'o' | 'u') || (b == 'e' && after == Some('e'))))
            || (first && a == 'e' && matches!(b, 'a' | 'o') && !(b == 'a' && after == Some('u')))
            || (!first && a == 'i' && b == 'e');
        if split {
            count += 1;
            start = k + 1;
        }
    }
    count
}
