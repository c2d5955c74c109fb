//! Suggestions: "bedoelde u" spelling corrections from the words items use,
//! and search-as-you-type completion of item names.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{TantivyDocument, Term};

use super::analysis::{self, tokens};
use super::clauses::{boosted, term};
use super::query::{MAX_QUERY_CHARS, MAX_WORDS};
use super::words::edit_distance;
use super::{SearchIndex, index_error, stage_name};
use crate::domain::Stage;
use crate::error::{Error, Result};

impl SearchIndex {
    /// For each word of `text` (as typed, unstemmed) that no item at `stage`
    /// uses, the closest one that some item does (one or two edits, the most
    /// frequent first). None when nothing would change. Made for every
    /// search, not only empty ones: typo tolerance often finds something
    /// anyway, and "bedoelde u" still helps. Known words cost one term
    /// lookup; unknown ones a Levenshtein automaton over the dictionary.
    pub(super) fn suggest_spelling(&self, text: &str, stage: Stage) -> Result<Option<String>> {
        let words_field = match stage {
            Stage::Published => self.fields.words_published,
            Stage::Latest => self.fields.words_latest,
        };
        let mut plain = analysis::plain();
        let words = tokens(&mut plain, text);
        let searcher = self.reader.searcher();
        let mut changed = false;
        let mut out = Vec::with_capacity(words.len());
        for word in words {
            let len = word.chars().count();
            if len < 4 || analysis::is_stop_word(&word) || word.chars().any(|c| c.is_ascii_digit())
            {
                out.push(word);
                continue;
            }
            let max = if len >= 8 { 2 } else { 1 };
            let mut best: Option<(usize, u32, String)> = None;
            let mut known = false;
            for reader in searcher.segment_readers() {
                let inverted = reader.inverted_index(words_field).map_err(index_error)?;
                if inverted
                    .terms()
                    .get(word.as_bytes())
                    .map_err(index_error)?
                    .is_some()
                {
                    known = true;
                    break;
                }
            }
            if known {
                out.push(word);
                continue;
            }
            // Only the terms within `max` edits: a Levenshtein automaton
            // walks the term dictionary instead of every term being compared.
            let near =
                FuzzyTermQuery::new(Term::from_field_text(words_field, &word), max as u8, true);
            for reader in searcher.segment_readers() {
                let inverted = reader.inverted_index(words_field).map_err(index_error)?;
                let mut stream = inverted
                    .terms()
                    .search(near.automaton().map_err(index_error)?)
                    .into_stream()
                    .map_err(index_error)?;
                while stream.advance() {
                    let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    let d = edit_distance(&word, candidate);
                    if d <= max {
                        let freq = stream.value().doc_freq;
                        let better = match &best {
                            None => true,
                            Some((bd, bf, _)) => d < *bd || (d == *bd && freq > *bf),
                        };
                        if better {
                            best = Some((d, freq, candidate.to_string()));
                        }
                    }
                }
            }
            match best {
                Some((_, _, s)) => {
                    changed = true;
                    out.push(s);
                }
                _ => out.push(word),
            }
        }
        Ok(changed.then(|| out.join(" ")))
    }
    /// Up to `first` (id, name) of items at `stage` whose name holds every
    /// word of `prefix`, the last one as a prefix (with one typo allowed
    /// once it has four letters), best first.
    pub fn suggest(
        &self,
        prefix: &str,
        stage: Stage,
        types: &[String],
        locale: Option<&str>,
        first: usize,
    ) -> Result<Vec<(String, String)>> {
        if prefix.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::BadInput(format!(
                "a prefix is at most {MAX_QUERY_CHARS} characters"
            )));
        }
        let mut words = tokens(&mut analysis::plain(), prefix);
        words.truncate(MAX_WORDS);
        let Some(last) = words.pop() else {
            return Ok(Vec::new());
        };
        let name = self.fields.name;
        let mut must: Vec<(Occur, Box<dyn Query>)> =
            words.iter().map(|w| (Occur::Must, term(name, w))).collect();
        let exact = FuzzyTermQuery::new_prefix(Term::from_field_text(name, &last), 0, true);
        let mut last_word: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, boosted(Box::new(exact), 2.0))];
        if last.chars().count() >= 4 {
            let typo = FuzzyTermQuery::new_prefix(Term::from_field_text(name, &last), 1, true);
            last_word.push((Occur::Should, Box::new(typo)));
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(last_word))));
        must.push((Occur::Must, term(self.fields.stage, stage_name(stage))));
        if let Some(l) = locale {
            must.push((Occur::Must, term(self.fields.locale, l)));
        }
        if !types.is_empty() {
            let any = types
                .iter()
                .map(|t| (Occur::Should, term(self.fields.type_name, t)))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &BooleanQuery::new(must),
                &TopDocs::with_limit(first.max(1)).order_by_score(),
            )
            .map_err(index_error)?;
        let mut out = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            let text = |f| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            out.push((text(self.fields.id), text(self.fields.name)));
        }
        Ok(out)
    }
}
