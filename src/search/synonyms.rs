//! Synonym groups from `content-model/synonyms.txt`, applied to a query's
//! words at query time (no reindex when the list changes).

use std::path::Path;

use super::analysis::{self, tokens};
use crate::error::{Error, Result};

/// Groups of words that mean the same to a citizen, from a text file: one
/// group per line, words or phrases separated by commas; `#` starts a comment.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group as the analysed token sequences of its members.
    groups: Vec<Vec<Vec<String>>>,
}

impl Synonyms {
    pub fn parse(text: &str) -> Synonyms {
        let mut analyzer = analysis::dutch();
        let mut groups = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let members: Vec<Vec<String>> = line
                .split(',')
                .map(|m| tokens(&mut analyzer, m))
                .filter(|t| !t.is_empty())
                .collect();
            if members.len() >= 2 {
                groups.push(members);
            }
        }
        Synonyms { groups }
    }

    /// Reads `path`; no file means no synonyms.
    pub fn load(path: &Path) -> Result<Synonyms> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Synonyms::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Synonyms::default()),
            Err(e) => Err(Error::Internal(format!(
                "cannot read synonyms {}: {e}",
                path.display()
            ))),
        }
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The other members of every group one of whose members occurs in
    /// `words` (as a run of consecutive words).
    pub(super) fn expand(&self, words: &[String]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for group in &self.groups {
            let present = group
                .iter()
                .any(|m| words.windows(m.len()).any(|w| w == m.as_slice()));
            if present {
                for m in group {
                    if !words.windows(m.len()).any(|w| w == m.as_slice()) && !out.contains(m) {
                        out.push(m.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_widen_single_words_and_phrases() {
        let s = Synonyms::parse(
            "# comment\npaspoort, reisdocument\nid-kaart, idkaart, identiteitskaart\nalone\n",
        );
        assert_eq!(s.len(), 2);
        let mut a = analysis::dutch();
        let words = tokens(&mut a, "id kaart kwijt");
        let wider = s.expand(&words);
        assert_eq!(wider.len(), 2, "{wider:?}");
        assert!(s.expand(&tokens(&mut a, "rijbewijs")).is_empty());
    }
}
