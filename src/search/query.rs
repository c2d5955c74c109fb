//! From what a citizen types to a ranked page of hits. No query language:
//! the text is analysed like the index (so `"`, `:`, `*`, `(` are just
//! separators and can never be a syntax error), each word is looked for in
//! every searchable field the caller may see, weighted as the model says,
//! and BM25 adds it up, so an item matching more of the words ranks higher.
//! On top of that:
//! - synonyms from `content-model/synonyms.txt` widen a word (or a few words)
//!   to its group, read at start-up, applied at query time (no reindex);
//! - words of five letters or more also match with one typo (nine or more:
//!   two) in the fields that name an item, at half weight;
//! - a word that no item uses gets a spelling suggestion from the words
//!   items do use ("bedoelde u: paspoort").

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use super::analysis::{self, tokens};
use super::{SearchIndex, index_error, stage_name};
use crate::domain::Stage;
use crate::error::{Error, Result};

/// Optional clauses of a boolean query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Words of a query beyond this many are ignored.
const MAX_WORDS: usize = 24;
/// Characters of a snippet.
const SNIPPET_CHARS: usize = 200;
/// Characters of an item's text a snippet is looked for in.
const SNIPPET_SOURCE_CHARS: usize = 1200;

/// The longest prefix of `text` of at most `max` characters.
fn cut_at_char(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

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
    fn expand(&self, words: &[String]) -> Vec<Vec<String>> {
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

/// A search as the hub asks it: the caller's rights are already applied
/// (`stage`, `internal`).
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub stage: Stage,
    /// Whether internal fields may match and show in snippets.
    pub internal: bool,
    pub types: Vec<String>,
    pub locale: Option<String>,
    pub audience: Vec<String>,
    pub themes: Vec<String>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub type_name: String,
    pub score: f32,
    /// HTML: the matched words in `<mark>`, everything else escaped.
    pub snippet: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// (type, count) and (theme, count) over all matches, largest first.
    pub types: Vec<(String, u64)>,
    pub themes: Vec<(String, u64)>,
    /// A better spelling of the query, when it found nothing.
    pub suggestion: Option<String>,
}

impl SearchIndex {
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        if req.text.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::BadInput(format!(
                "a search is at most {MAX_QUERY_CHARS} characters"
            )));
        }
        // Dutch items are searched with the Dutch analysis (and synonyms,
        // separable verbs, compounds), English ones with the English; a
        // search in every locale asks both.
        let languages: &[bool] = match req.locale.as_deref() {
            Some(l) if super::is_english(l) => &[true],
            Some(_) => &[false],
            None => &[false, true],
        };
        let plain_words = tokens(&mut analysis::plain(), &req.text);
        let searcher = self.reader.searcher();
        let mut should = Vec::new();
        let mut highlight = BTreeMap::new();
        for &english in languages {
            let mut analyzer = if english {
                analysis::english()
            } else {
                analysis::dutch()
            };
            let mut words = tokens(&mut analyzer, &req.text);
            words.truncate(MAX_WORDS);
            if words.is_empty() {
                continue;
            }
            let joined = if english {
                Vec::new()
            } else {
                let mut j = separable_verbs(&req.text);
                j.extend(compound_joins(&plain_words));
                j
            };
            let (clauses, marks) = self.text_query(
                &searcher,
                &words,
                &plain_words,
                &joined,
                req.internal,
                english,
            )?;
            should.extend(clauses);
            highlight.extend(marks);
        }
        if should.is_empty() {
            return Ok(SearchResults::default());
        }
        let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text_query),
            (Occur::Must, term(self.fields.stage, stage_name(req.stage))),
        ];
        if let Some(l) = &req.locale {
            must.push((Occur::Must, term(self.fields.locale, l)));
        }
        for (field, values) in [
            (self.fields.type_name, &req.types),
            (self.fields.audience, &req.audience),
            (self.fields.theme, &req.themes),
        ] {
            if !values.is_empty() {
                let any: Vec<(Occur, Box<dyn Query>)> = values
                    .iter()
                    .map(|v| (Occur::Should, term(field, v)))
                    .collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        let query = BooleanQuery::new(must);

        let mut facets = FacetCollector::for_field("facet");
        facets.add_facet("/type");
        facets.add_facet("/theme");
        // Each hit's score times its type's boost (a fast field per document).
        let top = TopDocs::with_limit(req.limit.max(1))
            .and_offset(req.offset)
            .tweak_score(move |segment: &tantivy::SegmentReader| {
                let boost = segment
                    .fast_fields()
                    .u64("boost")
                    .ok()
                    .map(|c| c.first_or_default_col(100));
                move |doc: tantivy::DocId, score: tantivy::Score| match &boost {
                    Some(col) => score * col.get_val(doc) as f32 / 100.0,
                    None => score,
                }
            });
        let (top, total, facet_counts) = searcher
            .search(&query, &(top, Count, facets))
            .map_err(index_error)?;

        let mut snippets = SnippetGenerator::new(
            highlight,
            if languages == [true] {
                analysis::english()
            } else {
                analysis::dutch()
            },
            self.fields.public_text,
            SNIPPET_CHARS,
        );
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(req.limit) {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            let text_of = |f| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            // Snippets re-analyse the text they look through (about 80 µs a
            // KB): the first part of an item (name, short answer, opening
            // of the body) is where a good passage is, so look there, and
            // for agents also in the first part of the internal text.
            let public = text_of(self.fields.public_text);
            let mut text = cut_at_char(&public, SNIPPET_SOURCE_CHARS).to_string();
            if req.internal {
                let internal = text_of(self.fields.internal_text);
                if !internal.is_empty() {
                    text.push('\n');
                    text.push_str(cut_at_char(&internal, SNIPPET_SOURCE_CHARS));
                }
            }
            let text = text.as_str();
            let snippet = snippets.snippet(text);
            let html = if snippet.fragment().is_empty() {
                escape(cut_at_char(text, SNIPPET_CHARS))
            } else {
                highlight_html(snippet.fragment(), snippet.highlighted())
            };
            hits.push(super::Hit {
                id: text_of(self.fields.id),
                type_name: text_of(self.fields.type_name),
                score,
                snippet: html,
            });
        }
        let counts = |prefix: &str| -> Vec<(String, u64)> {
            let mut v: Vec<(String, u64)> = facet_counts
                .get(prefix)
                .filter_map(|(facet, n)| facet.to_path().last().map(|last| (last.to_string(), n)))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let suggestion = self.suggest_spelling(&req.text, req.stage)?;
        Ok(SearchResults {
            total,
            hits,
            types: counts("/type"),
            themes: counts("/theme"),
            suggestion,
        })
    }

    /// The query for the words. Each word is one clause: the best of the
    /// fields it occurs in (plus a fifth of the others), so an item ranks by
    /// how many of the words it has and where, not by how often one word
    /// repeats across sections. A word no document has is taken for a typo
    /// and matched fuzzily in the fields that name items. Synonyms and
    /// separable-verb joins are clauses of their own at lower weight, and an
    /// item whose name holds every word gets a bonus. Also returns the terms
    /// to highlight.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        words: &[String],
        plain_words: &[String],
        joined: &[String],
        internal: bool,
        english: bool,
    ) -> Result<(Clauses, BTreeMap<String, f32>)> {
        let mut highlight = BTreeMap::new();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let visible: Vec<(Field, f32, bool)> = self
            .fields
            .groups
            .iter()
            .filter(|(_, _, is_internal, _, en)| (internal || !is_internal) && *en == english)
            .map(|(f, w, _, names, _)| (*f, *w, *names))
            .collect();
        let known = |word: &str| -> Result<bool> {
            for (field, _, _) in &visible {
                if searcher
                    .doc_freq(&Term::from_field_text(*field, word))
                    .map_err(index_error)?
                    > 0
                {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let best_of = |parts: Vec<Box<dyn Query>>| -> Box<dyn Query> {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(parts, 0.2))
        };
        let mut seen = HashSet::new();
        for word in words {
            if !seen.insert(word.clone()) {
                continue;
            }
            highlight.insert(word.clone(), 1.0);
            let mut parts: Vec<Box<dyn Query>> = visible
                .iter()
                .map(|(field, weight, _)| boosted(term(*field, word), *weight))
                .collect();
            let len = word.chars().count();
            if len >= 5 && !known(word)? {
                let distance = if len >= 9 { 2 } else { 1 };
                for (field, weight, names) in &visible {
                    if *names {
                        let fuzzy = FuzzyTermQuery::new(
                            Term::from_field_text(*field, word),
                            distance,
                            true,
                        );
                        parts.push(boosted(Box::new(fuzzy), weight * 0.6));
                    }
                }
            }
            should.push((Occur::Should, best_of(parts)));
        }
        for word in joined.iter().filter(|w| !seen.contains(*w)) {
            if !known(word)? {
                continue;
            }
            highlight.insert(word.clone(), 0.7);
            let parts = visible
                .iter()
                .map(|(field, weight, _)| boosted(term(*field, word), weight * 0.7))
                .collect();
            should.push((Occur::Should, best_of(parts)));
        }
        // A compound the content writes as one word and the query does not
        // come from `joined`; one the query writes as one word and the
        // content splits ("parkeervergunning" ~ "vergunning om te parkeren")
        // is split here into parts the index knows.
        let mut dutch = analysis::dutch();
        let compounds: &[String] = if english { &[] } else { plain_words };
        for word in compounds.iter().filter(|w| w.chars().count() >= 8) {
            for (left, right) in compound_splits(word) {
                let l = tokens(&mut dutch, &left);
                let r = tokens(&mut dutch, &right);
                let (Some(l), Some(r)) = (l.first(), r.first()) else {
                    continue;
                };
                if !known(l)? || !known(r)? {
                    continue;
                }
                highlight.insert(l.clone(), 0.6);
                highlight.insert(r.clone(), 0.6);
                let parts = visible
                    .iter()
                    .map(|(field, weight, _)| {
                        let both = BooleanQuery::new(vec![
                            (Occur::Must, term(*field, l)),
                            (Occur::Must, term(*field, r)),
                        ]);
                        boosted(Box::new(both), weight * 0.6)
                    })
                    .collect();
                should.push((Occur::Should, best_of(parts)));
                break;
            }
        }
        let synonyms = if english {
            Vec::new()
        } else {
            self.synonyms.expand(words)
        };
        for synonym in synonyms {
            for w in &synonym {
                highlight.insert(w.clone(), 0.8);
            }
            let parts = visible
                .iter()
                .map(|(field, weight, _)| {
                    let q: Box<dyn Query> = if synonym.len() == 1 {
                        term(*field, &synonym[0])
                    } else {
                        Box::new(BooleanQuery::new(
                            synonym
                                .iter()
                                .map(|w| (Occur::Must, term(*field, w)))
                                .collect(),
                        ))
                    };
                    boosted(q, weight * 0.8)
                })
                .collect();
            should.push((Occur::Should, best_of(parts)));
        }
        // Every word in an item's name (title, question): the strongest sign.
        let unique: Vec<&String> = words
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if unique.len() >= 2 {
            let heaviest = visible.iter().map(|v| v.1).fold(0.0f32, f32::max);
            let parts: Vec<Box<dyn Query>> = visible
                .iter()
                .filter(|(_, weight, _)| *weight >= heaviest)
                .map(|(field, weight, _)| {
                    let all = BooleanQuery::new(
                        unique
                            .iter()
                            .map(|w| (Occur::Must, term(*field, w)))
                            .collect(),
                    );
                    boosted(Box::new(all), *weight)
                })
                .collect();
            if !parts.is_empty() {
                should.push((Occur::Should, best_of(parts)));
            }
        }
        Ok((should, highlight))
    }

    /// For each word of `text` (as typed, unstemmed) that no item at `stage`
    /// uses, the closest one that some item does (one or two edits, the most
    /// frequent first). None when nothing would change. Made for every
    /// search, not only empty ones: typo tolerance often finds something
    /// anyway, and "bedoelde u" still helps. Known words cost one term
    /// lookup; unknown ones a Levenshtein automaton over the dictionary.
    fn suggest_spelling(&self, text: &str, stage: Stage) -> Result<Option<String>> {
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
}

/// Particles of Dutch separable verbs: "vraag ... aan" is "aanvragen",
/// "geef ... door" is "doorgeven".
const PARTICLES: &[&str] = &[
    "aan", "af", "door", "in", "mee", "om", "op", "over", "terug", "uit", "weg",
];

/// The stems of the separable verbs a sentence may split: every particle in
/// it joined to every other word ("hoe vraag ik een paspoort aan" gives
/// `aanvraag` among others), analysed like the index. Joins that are no word
/// match nothing, so they cost a few empty term lookups.
fn separable_verbs(text: &str) -> Vec<String> {
    let mut plain = analysis::plain();
    let words = tokens(&mut plain, text);
    let particles: Vec<&String> = words
        .iter()
        .filter(|w| PARTICLES.contains(&String::as_str(w)))
        .collect();
    if particles.is_empty() {
        return Vec::new();
    }
    let mut dutch = analysis::dutch();
    let mut out = Vec::new();
    for w in words.iter().take(MAX_WORDS) {
        if w.len() < 3 || PARTICLES.contains(&String::as_str(w)) || analysis::is_stop_word(w) {
            continue;
        }
        for p in &particles {
            for t in tokens(&mut dutch, &format!("{p}{w}")) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Neighbouring words joined, as the content may write them: "afval pas"
/// also searches `afvalpas`, "bestemming plan" `bestemmingsplan`. Analysed
/// like the index; joins that are no word in it match nothing.
fn compound_joins(plain_words: &[String]) -> Vec<String> {
    let mut dutch = analysis::dutch();
    let mut out = Vec::new();
    for pair in plain_words.windows(2).take(MAX_WORDS) {
        let (a, b) = (&pair[0], &pair[1]);
        if analysis::is_stop_word(a) || analysis::is_stop_word(b) || a.len() < 3 || b.len() < 3 {
            continue;
        }
        for joined in [format!("{a}{b}"), format!("{a}s{b}")] {
            for t in tokens(&mut dutch, &joined) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Ways to split a long word into two parts of at least four letters, the
/// left part also without a linking `s` or `e` ("bestemmingsplan" gives
/// ("bestemming", "plan")), longest right part first.
fn compound_splits(word: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    for k in 4..chars.len().saturating_sub(3) {
        let left: String = chars[..k].iter().collect();
        let right: String = chars[k..].iter().collect();
        out.push((left.clone(), right.clone()));
        if let Some(stripped) = left.strip_suffix(['s', 'e'])
            && stripped.chars().count() >= 4
        {
            out.push((stripped.to_string(), right));
        }
    }
    out
}

impl SearchIndex {
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

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, weight))
}

/// Levenshtein distance over characters, with adjacent transpositions
/// counted as one edit ("paspoort" ~ "pasproot").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn escape(text: &str) -> String {
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
fn highlight_html(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
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
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("paspoord", "paspoort"), 1);
        assert_eq!(edit_distance("papsoort", "paspoort"), 1);
        assert_eq!(edit_distance("pasproot", "paspoort"), 2);
        assert_eq!(edit_distance("verhuising", "verhuizing"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

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

    #[test]
    fn snippets_escape_everything_but_the_marks() {
        assert_eq!(
            highlight_html("<b>paspoort</b> & co", &[3..11, 14..14, 18..20]),
            "&lt;b&gt;<mark>paspoort</mark>&lt;/b&gt; &amp; <mark>co</mark>"
        );
    }
}
