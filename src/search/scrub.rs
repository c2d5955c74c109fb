//! What a citizen types may hold personal data ("bsn 111222333 paspoort
//! kwijt"). Before a search is counted and kept, such data is replaced by a
//! placeholder: citizen service numbers (only those that pass the
//! elfproef, so a case or invoice number stays), IBANs (checked with their
//! mod-97 check digits), e-mail addresses, phone numbers, and a postcode
//! with a house number (an address). A postcode alone is kept: it names an
//! area, not a person.

use std::sync::LazyLock;

use regex::Regex;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}"));
/// Two letters, two digits, then 10 to 30 letters and digits, spaces allowed
/// in groups of four.
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b[a-z]{2}[0-9]{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,3})?\b"));
/// Dutch numbers: 06-12345678, 06 1234 5678, +31 6 12345678, 0031612345678,
/// 010-1234567, (0599) 12 34 56, 14 020 (municipal short numbers are not
/// personal and stay).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?:\+31|\b0031)[ -]?\d(?:[ -]?\d){8}\b",
        r"|\(0\d{2,3}\)[ -]?\d(?:[ -]?\d){5,7}\b",
        r"|\b0\d(?:[ -]?\d){8}\b",
    ))
});
/// Postcode (4 digits, 2 letters) with a house number after it or before it
/// ("1234 AB 56", "Kerkstraat 12, 9711 AB").
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\b[1-9][0-9]{3}[ ]?[a-z]{2}[ ,]+(?:nr\.?[ ]?)?[0-9]{1,5}(?:[ -]?[a-z]{1,2}\b)?",
        r"|\b[0-9]{1,5}[a-z]?,?[ ]+[1-9][0-9]{3}[ ]?[a-z]{2}\b",
    ))
});
/// Nine digits, possibly written 123.456.789 or 123 456 789.
static NINE_DIGITS: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{3}\b"));

/// `query` with personal data replaced by `[bsn]`, `[iban]`, `[e-mail]`,
/// `[telefoon]` and `[adres]`.
pub fn scrub(query: &str) -> String {
    let s = EMAIL.replace_all(query, "[e-mail]");
    let s = IBAN.replace_all(&s, |c: &regex::Captures| {
        if iban_valid(&c[0]) {
            "[iban]".to_string()
        } else {
            c[0].to_string()
        }
    });
    let s = ADDRESS.replace_all(&s, "[adres]");
    let s = NINE_DIGITS.replace_all(&s, |c: &regex::Captures| {
        let digits: String = c[0].chars().filter(|c| c.is_ascii_digit()).collect();
        if elfproef(&digits) {
            "[bsn]".to_string()
        } else {
            c[0].to_string()
        }
    });
    let s = PHONE.replace_all(&s, "[telefoon]");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The BSN check: 9 digits, 9·d1 + 8·d2 + … + 2·d8 − 1·d9 divisible by 11
/// (and not 0).
pub fn elfproef(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9 || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i64 = d[..8]
        .iter()
        .enumerate()
        .map(|(i, &x)| i64::from(x) * (9 - i as i64))
        .sum::<i64>()
        - i64::from(d[8]);
    sum % 11 == 0
}

/// ISO 13616: move the first four characters to the end, letters to
/// numbers (A = 10), and the number mod 97 is 1.
fn iban_valid(text: &str) -> bool {
    let s: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if s.len() < 15 || s.len() > 34 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = format!("{}{}", &s[4..], &s[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for digit in v.to_string().chars() {
            rem = (rem * 10 + digit.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_elfproef_tells_a_bsn_from_another_number() {
        assert!(elfproef("111222333"));
        assert!(elfproef("123456782"));
        assert!(!elfproef("123456789"));
        assert!(!elfproef("000000000"));
        assert!(!elfproef("12345678"));
    }

    #[test]
    fn personal_data_is_replaced_and_the_rest_kept() {
        let cases = [
            ("bsn 111222333 paspoort kwijt", "bsn [bsn] paspoort kwijt"),
            ("mijn bsn is 123.456.782", "mijn bsn is [bsn]"),
            // Nine digits that fail the elfproef: a case number, kept.
            ("zaaknummer 123456789 status", "zaaknummer 123456789 status"),
            (
                "iban NL91ABNA0417164300 kwijtschelding",
                "iban [iban] kwijtschelding",
            ),
            (
                "NL91 ABNA 0417 1643 00 terugbetaling",
                "[iban] terugbetaling",
            ),
            // Looks like an IBAN, wrong check digits: not an account.
            ("NL00ABNA0417164300", "NL00ABNA0417164300"),
            (
                "mail jan.jansen@example.nl over afval",
                "mail [e-mail] over afval",
            ),
            ("bel mij 06-12345678", "bel mij [telefoon]"),
            ("bel mij op +31 6 12345678", "bel mij op [telefoon]"),
            (
                "telefoon 010-1234567 gemeente",
                "telefoon [telefoon] gemeente",
            ),
            ("grofvuil ophalen 1234 AB 56", "grofvuil ophalen [adres]"),
            ("afval 1234AB 12a", "afval [adres]"),
            ("parkeren in 1234 AB", "parkeren in 1234 AB"),
            ("gemeente bellen 14 020", "gemeente bellen 14 020"),
            ("bel (0599) 12 34 56 terug", "bel [telefoon] terug"),
            ("0031612345678 whatsapp", "[telefoon] whatsapp"),
            ("bsn 111 222 333 uittreksel", "bsn [bsn] uittreksel"),
            (
                "Kerkstraat 12, 9711 AB Groningen",
                "Kerkstraat [adres] Groningen",
            ),
            ("9711AB nr 12 grofvuil", "[adres] grofvuil"),
            ("paspoort aanvragen", "paspoort aanvragen"),
        ];
        for (input, want) in cases {
            assert_eq!(scrub(input), want, "{input}");
        }
    }
}
