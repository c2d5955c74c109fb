//! Passive-voice detection: a form of *worden* and a past participle in one
//! sentence, or a form of *zijn*, a participle and `door`; what looks like
//! a participle, the common words that only look like one, and the hint
//! with its excerpt. The rules and known misses are in the module
//! documentation of [`super`].

use super::text::{Kind, Token, Words, collapse};
use super::{EXCERPT_WORDS, Hint, HintKind};

/// The passive in a sentence: the positions of the form of *worden* (or
/// *zijn*) and of the participle nearest to it.
pub(super) fn find(words: &Words, toks: &[Token]) -> Option<(usize, usize)> {
    let is = |t: &Token, test: fn(&str) -> bool| t.kind == Kind::Word && test(words.low(t));
    let aux = match toks.iter().position(|t| is(t, worden)) {
        Some(a) => a,
        None if toks.iter().any(|t| is(t, |w| w == "door")) => {
            toks.iter().position(|t| is(t, zijn))?
        }
        None => return None,
    };
    toks.iter()
        .enumerate()
        .filter(|&(i, t)| {
            i != aux && t.kind == Kind::Word && !worden(words.low(t)) && participle(words.low(t))
        })
        .min_by_key(|&(i, _)| i.abs_diff(aux))
        .map(|(i, _)| (aux, i))
}

/// The hint for a passive [`find`] found in `toks`, a sentence of `text`:
/// the excerpt runs from one of the two words to the other, or is just the
/// two when they are far apart.
pub(super) fn hint(text: &str, toks: &[Token], (aux, part): (usize, usize)) -> Hint {
    let (a, b) = (aux.min(part), aux.max(part));
    let excerpt = if b - a < EXCERPT_WORDS {
        collapse(&text[toks[a].start..toks[b].end])
    } else {
        format!(
            "{} … {}",
            &text[toks[a].start..toks[a].end],
            &text[toks[b].start..toks[b].end]
        )
    };
    let message = format!(
        "Mogelijk lijdende vorm: '{excerpt}'. Schrijf wie iets doet, bijvoorbeeld \
         'Wij behandelen uw aanvraag' in plaats van 'Uw aanvraag wordt behandeld'."
    );
    Hint {
        kind: HintKind::Passive,
        excerpt,
        message,
    }
}

/// A form of *worden* (lower case).
fn worden(w: &str) -> bool {
    matches!(
        w,
        "word" | "wordt" | "worden" | "werd" | "werden" | "geworden"
    )
}

/// A form of *zijn* (lower case).
fn zijn(w: &str) -> bool {
    matches!(
        w,
        "is" | "zijn" | "was" | "waren" | "ben" | "bent" | "geweest"
    )
}

/// Words that look like a participle but are (mostly) not.
const NOT_PARTICIPLES: &[&str] = &[
    "aangezien",
    "besluit",
    "bestand",
    "bestuur",
    "bewust",
    "bezit",
    "beleid",
    "erfpacht",
    "ernst",
    "herfst",
    "herkomst",
    "gebied",
    "gebieden",
    "gebeurt",
    "geboren",
    "gebruiken",
    "geduld",
    "gevolgen",
    "gesprekken",
    "gebouwen",
    "geeft",
    "geest",
    "gelden",
    "geldt",
    "geleden",
    "gemeenten",
    "geniet",
    "gerecht",
    "geven",
    "gewicht",
    "gezicht",
    "gezinnen",
    "gezond",
    "geluid",
    "uitgezonderd",
    "verband",
    "verbod",
    "verstand",
];
/// Endings of nouns and adjectives that look like a participle.
const NOT_PARTICIPLE_ENDINGS: &[&str] = &[
    "heid", "heden", "bericht", "besluit", "schrift", "recht", "plicht", "beleid", "stand", "band",
    "bord", "punt", "dienst", "tijd", "raad", "land", "veld", "kind", "geld", "pand", "grond",
];
/// Separable parts before `ge` in a participle (`aan|gevraagd`).
const PARTICLES: &[&str] = &[
    "aan", "af", "bij", "door", "in", "mee", "na", "om", "op", "over", "terug", "toe", "uit",
    "voor", "weg", "goed", "vast", "vrij", "samen", "tegen", "neer", "vol", "onder", "achter",
];

/// Whether a lower-case word looks like a past participle.
fn participle(w: &str) -> bool {
    // The cheap test first: most words end in another letter.
    if w.len() < 5 || !w.ends_with(['d', 't', 'n']) {
        return false;
    }
    let ge = if w.starts_with("ge") {
        Some(w)
    } else {
        PARTICLES
            .iter()
            .filter_map(|p| w.strip_prefix(p))
            .find(|rest| rest.starts_with("ge"))
    };
    let looks = match ge {
        Some(stem) => {
            stem.len() >= 5
                && (stem.ends_with(['d', 't']) || stem.ends_with("en") || stem.ends_with("aan"))
        }
        // Without `ge`: `d`, or `t` after a consonant of 't kofschip
        // (`verwerkt`, `verplaatst`); `betaalt`, `verandert` are present tense.
        None => {
            let kofschip_t = w
                .strip_suffix('t')
                .is_some_and(|s| s.ends_with(['t', 'k', 'f', 's', 'c', 'h', 'p', 'x']));
            (w.ends_with('d') || kofschip_t)
                && ["be", "ver", "ont", "her", "er"]
                    .iter()
                    .any(|p| w.strip_prefix(p).is_some_and(|rest| rest.len() >= 3))
        }
    };
    looks
        && w.chars().count() >= 5
        && w.chars().all(char::is_alphabetic)
        && !NOT_PARTICIPLES.contains(&w)
        && !NOT_PARTICIPLE_ENDINGS.iter().any(|e| w.ends_with(e))
}
