//! Keyword search (BM25) and the answer shapes shared by every mode.
//!
//! Queries are built here rather than by tantivy's `QueryParser`, which turns a multi-token
//! Chinese word into a strict phrase: each analyzed term becomes a should-clause over the
//! searchable fields (the best field counts fully, the others a little), Chinese words also
//! match by their character bigrams, and the whole query as a loose phrase adds a boost.

use paperdex_core::{Paper, SectionGroup, is_han};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Score, Searcher, Term};

use crate::analysis::{analyze, bigram_analyzer, word_analyzer};
use crate::error::Result;
use crate::filter::{SearchFilter, SortOrder};
use crate::lexicon::Expansion;
use crate::paper_index::PaperIndex;

/// Which retrievers answer a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// BM25 and vectors fused.
    #[default]
    Hybrid,
    /// Keywords only.
    Bm25,
    /// Vectors only.
    Vector,
}

impl SearchMode {
    /// The mode's name as the CLI and API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchMode::Hybrid => "hybrid",
            SearchMode::Bm25 => "bm25",
            SearchMode::Vector => "vector",
        }
    }
}

impl std::str::FromStr for SearchMode {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "hybrid" => Ok(SearchMode::Hybrid),
            "bm25" | "keyword" => Ok(SearchMode::Bm25),
            "vector" | "semantic" => Ok(SearchMode::Vector),
            _ => Err(format!(
                "must be hybrid, bm25 or vector (keyword and semantic also do), not {}",
                crate::limits::quote(s)
            )),
        }
    }
}

/// A search as asked.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query text, in any language.
    pub query: String,
    /// The retrievers to use.
    pub mode: SearchMode,
    /// How many hits to return.
    pub limit: usize,
    /// How many of the best hits to skip (paging).
    pub offset: usize,
    /// Which papers may be returned, and which sections searched.
    pub filter: SearchFilter,
    /// How hits are ordered.
    pub sort: SortOrder,
}

impl SearchRequest {
    /// A hybrid search for `query`, ten hits.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            mode: SearchMode::Hybrid,
            limit: crate::limits::DEFAULT_LIMIT,
            offset: 0,
            filter: SearchFilter::default(),
            sort: SortOrder::default(),
        }
    }

    /// The same request in another mode.
    pub fn mode(mut self, mode: SearchMode) -> SearchRequest {
        self.mode = mode;
        self
    }

    /// The same request with another limit.
    pub fn limit(mut self, limit: usize) -> SearchRequest {
        self.limit = limit;
        self
    }

    /// The same request narrowed by `filter`.
    pub fn filter(mut self, filter: SearchFilter) -> SearchRequest {
        self.filter = filter;
        self
    }

    /// The same request in another order.
    pub fn sort(mut self, sort: SortOrder) -> SearchRequest {
        self.sort = sort;
        self
    }

    /// Checks the limits every caller must respect.
    pub fn validate(&self) -> Result<()> {
        crate::limits::check_query(&self.query)?;
        crate::limits::check_limit(self.limit)?;
        crate::limits::check_offset(self.offset)?;
        self.filter.validate()
    }

    /// How many of the best papers a search ranks before it pages: the page's end, or, sorted
    /// by date, at least `candidates` (the papers the date order is taken among).
    pub(crate) fn depth(&self, candidates: usize) -> usize {
        match self.sort {
            SortOrder::Relevance => self.offset + self.limit,
            SortOrder::Date => (self.offset + self.limit).max(candidates),
        }
    }
}

/// One found paper.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchHit {
    /// The paper id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The final score (BM25 in bm25 mode, cosine in vector mode, fused in hybrid).
    pub score: f32,
    /// The paper's date.
    pub date: Option<String>,
    /// The first day a source listed it (what date filters and the date sort go by).
    #[serde(default)]
    pub first_seen: Option<String>,
    /// A link to the paper.
    pub url: String,
    /// The best-matching passage of its text.
    pub snippet: String,
    /// The kind of section the match (and the snippet) came from, when known.
    #[serde(default)]
    pub section: Option<SectionGroup>,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<[usize; 2]>,
    /// Rank (1-based) in the BM25 list, when it was there.
    pub bm25_rank: Option<usize>,
    /// BM25 score, when it was there.
    pub bm25_score: Option<f32>,
    /// Rank (1-based) in the vector list, when it was there.
    pub vector_rank: Option<usize>,
    /// Cosine similarity of its best passage, when it was there.
    pub vector_score: Option<f32>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as asked.
    pub query: String,
    /// The mode that actually answered (bm25 when vectors were asked for but are unavailable).
    pub mode: SearchMode,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
    /// How many papers matched (for BM25, all matches; for vectors, the candidates considered).
    pub total: usize,
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
    /// Things the user should know (for example that the model is missing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The translations the bilingual lexicon added to the query, with their weights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expansions: Vec<Expansion>,
}

/// A BM25 candidate list.
pub(crate) struct KeywordMatches {
    pub hits: Vec<(Score, DocAddress)>,
    pub total: usize,
    pub query: Option<Box<dyn Query>>,
}

/// The weight a query phrase's translations share in the keyword query, relative to the
/// phrase's own words (1): enough to reach papers written only in the other language, not
/// enough to outrank a paper that has the query's own words. Measured on the development set
/// and CACM/CISI (PERFORMANCE.md).
pub const TRANSLATION_WEIGHT: f32 = 0.5;

/// The share of [`TRANSLATION_WEIGHT`] an English phrase's Chinese translations get in the
/// keyword query. English queries already reach nearly every paper (digests carry English
/// titles), and Chinese words added to them matched more off-topic summaries than relevant
/// ones on the development set (PERFORMANCE.md); their translation still feeds the vector side.
pub const TO_CHINESE_SHARE: f32 = 0.0;

/// Fields searched, with their weights: a title match says more than a body match. A search
/// restricted to one section group searches that group's field alone.
fn weighted_fields(index: &PaperIndex, section: Option<SectionGroup>) -> Vec<(Field, f32)> {
    let f = &index.fields;
    match section {
        None => vec![(f.title, 2.0), (f.body, 1.0), (f.keywords, 1.5), (f.authors, 1.0)],
        Some(group) => vec![(f.section(group).unwrap_or(f.title), 1.0)],
    }
}

impl PaperIndex {
    /// Builds the keyword query for `text`, translated through the lexicon with
    /// [`TRANSLATION_WEIGHT`], or `None` when nothing searchable is left after analysis (only
    /// stop words or punctuation).
    pub fn keyword_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let expansions = self.lexicon().expand(text, TRANSLATION_WEIGHT, TRANSLATION_WEIGHT * TO_CHINESE_SHARE);
        self.keyword_query_in(&self.searcher(), text, &expansions, None)
    }

    /// The keyword query of `text` and its translations, searching the sections of `section`
    /// only when given (those fields have no positions: words only, no phrases or bigrams).
    fn keyword_query_in(
        &self,
        searcher: &Searcher,
        text: &str,
        expansions: &[Expansion],
        section: Option<SectionGroup>,
    ) -> Option<Box<dyn Query>> {
        let terms = analyze(&mut word_analyzer(), text);
        // A word repeated in the query weighs as often as it is repeated (BM25's query term
        // frequency): long natural-language queries lean on their repeated words.
        let mut counts: Vec<(&String, f32)> = Vec::new();
        for term in &terms {
            match counts.iter_mut().find(|(t, _)| *t == term) {
                Some((_, n)) => *n += 1.0,
                None => counts.push((term, 1.0)),
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &(term, count) in &counts {
            self.word_clauses(searcher, term, count, section, &mut clauses);
        }
        if let Some(group) = section {
            for expansion in expansions.iter().filter(|e| e.terms.len() == 1) {
                self.word_clauses(searcher, &expansion.terms[0], expansion.weight, Some(group), &mut clauses);
            }
            return (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>);
        }
        // Chinese words also match as character bigram phrases, whatever jieba made of them.
        for word in text.split(|c: char| !is_han(c)).filter(|w| w.chars().count() >= 2) {
            clauses.push((Occur::Should, Box::new(BoostQuery::new(self.bigram_query(word), 0.5))));
        }
        // Translations: each is searched like a query word (or a phrase, when it has several
        // words), at the weight the lexicon gave it.
        for expansion in expansions {
            self.translation_clauses(searcher, expansion, &mut clauses);
        }
        // Words that stand together in the query and in the text count more.
        if terms.len() >= 2 && terms.len() <= 16 {
            for (field, boost) in [(self.fields.title, 2.0), (self.fields.body, 1.0)] {
                let phrase: Vec<(usize, Term)> =
                    terms.iter().enumerate().map(|(i, t)| (i, Term::from_field_text(field, t))).collect();
                let q = PhraseQuery::new_with_offset_and_slop(phrase, 2);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// The clauses that search one translation.
    fn translation_clauses(
        &self,
        searcher: &Searcher,
        expansion: &Expansion,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
    ) {
        let weight = expansion.weight;
        let word = expansion.terms.concat();
        match &expansion.terms[..] {
            [] => {}
            [term] => self.word_clauses(searcher, term, weight, None, clauses),
            terms if !word.chars().any(is_han) => {
                for (field, boost) in [(self.fields.title, 2.0), (self.fields.body, 1.0)] {
                    let phrase: Vec<(usize, Term)> =
                        terms.iter().enumerate().map(|(i, t)| (i, Term::from_field_text(field, t))).collect();
                    let q = PhraseQuery::new_with_offset_and_slop(phrase, 1);
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost * weight))));
                }
            }
            _ => {}
        }
        // A Chinese translation also matches by its character bigrams, as Chinese query words do.
        if word.chars().any(is_han) {
            let boost = if expansion.terms.len() == 1 { 0.5 } else { 1.5 };
            clauses.push((Occur::Should, Box::new(BoostQuery::new(self.bigram_query(&word), boost * weight))));
        }
    }

    /// The clauses of one analysed word at `weight`: its best field (title, body, keywords,
    /// authors), and a coordination clause: each query word a paper contains at all earns its
    /// IDF once, so a paper with every word ranks above one repeating a few of them many times.
    fn word_clauses(
        &self,
        searcher: &Searcher,
        term: &str,
        weight: f32,
        section: Option<SectionGroup>,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
    ) {
        let fields = weighted_fields(self, section);
        let per_field = || -> Vec<Box<dyn Query>> {
            fields
                .iter()
                .map(|&(field, boost)| {
                    let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                    Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>
                })
                .collect()
        };
        let best_field = Box::new(DisjunctionMaxQuery::with_tie_breaker(per_field(), 0.2));
        clauses.push((Occur::Should, Box::new(BoostQuery::new(best_field, weight))));
        let idf = inverse_document_frequency(searcher, fields.get(1).unwrap_or(&fields[0]).0, term);
        let any_field = Box::new(DisjunctionMaxQuery::new(per_field()));
        clauses.push((Occur::Should, Box::new(ConstScoreQuery::new(any_field, COORDINATION_WEIGHT * idf * weight))));
    }

    /// A Chinese word as its character bigrams: one term, or a phrase of them.
    fn bigram_query(&self, word: &str) -> Box<dyn Query> {
        let bigrams = analyze(&mut bigram_analyzer(), word);
        let field = self.fields.han_bigrams;
        if bigrams.len() == 1 {
            Box::new(TermQuery::new(Term::from_field_text(field, &bigrams[0]), IndexRecordOption::WithFreqs))
        } else {
            Box::new(PhraseQuery::new(bigrams.iter().map(|b| Term::from_field_text(field, b)).collect()))
        }
    }

    /// The best `n` BM25 matches for `text` and its `expansions` among the papers `filter`
    /// admits (the filter is a required clause of the query, so it narrows before the top `n`
    /// are taken, and scores nothing).
    pub(crate) fn keyword_matches(
        &self,
        searcher: &Searcher,
        text: &str,
        expansions: &[Expansion],
        filter: &SearchFilter,
        n: usize,
    ) -> Result<KeywordMatches> {
        let Some(query) = self.keyword_query_in(searcher, text, expansions, filter.section) else {
            return Ok(KeywordMatches { hits: Vec::new(), total: 0, query: None });
        };
        let top = (TopDocs::with_limit(n.max(1)).order_by_score(), Count);
        let (hits, total) = match filter.query(&self.fields) {
            None => searcher.search(&query, &top)?,
            Some(admitted) => {
                let filtered = BooleanQuery::new(vec![
                    (Occur::Must, query.box_clone()),
                    (Occur::Must, Box::new(ConstScoreQuery::new(admitted, 0.0))),
                ]);
                searcher.search(&filtered, &top)?
            }
        };
        Ok(KeywordMatches { hits, total, query: Some(query) })
    }

    /// Keyword-only search, the query translated with [`TRANSLATION_WEIGHT`].
    pub fn search_bm25(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.search_bm25_translated(request, TRANSLATION_WEIGHT, crate::RankerConfig::default().candidates)
    }

    /// Keyword-only search, each query phrase's translations sharing `translation` (0: none);
    /// sorted by date, the `candidates` best matches are ordered newest first.
    pub fn search_bm25_translated(
        &self,
        request: &SearchRequest,
        translation: f32,
        candidates: usize,
    ) -> Result<SearchResults> {
        request.validate()?;
        let started = std::time::Instant::now();
        let searcher = self.searcher();
        let expansions = self.lexicon().expand(&request.query, translation, translation * TO_CHINESE_SHARE);
        let depth = request.depth(candidates);
        let matches = self.keyword_matches(&searcher, &request.query, &expansions, &request.filter, depth)?;
        let highlighter = Highlighter::new(self, &searcher, matches.query.as_deref(), request.filter.section)
            .for_text(&request.query)
            .for_translations(&expansions);
        let mut ranked: Vec<(usize, Score, DocAddress)> =
            matches.hits.iter().enumerate().map(|(rank, &(score, address))| (rank, score, address)).collect();
        if request.sort == SortOrder::Date {
            let days: Vec<u64> = ranked.iter().map(|&(_, _, address)| self.first_seen_at(&searcher, address)).collect();
            let mut order: Vec<usize> = (0..ranked.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(days[i]));
            ranked = order.into_iter().map(|i| ranked[i]).collect();
        }
        let mut hits = Vec::new();
        for &(rank, score, address) in ranked.iter().skip(request.offset).take(request.limit) {
            let paper = self.paper_at(&searcher, address)?;
            let mut hit = highlighter.hit(&paper, score);
            hit.bm25_rank = Some(rank + 1);
            hit.bm25_score = Some(score);
            hits.push(hit);
        }
        Ok(SearchResults {
            query: request.query.clone(),
            mode: SearchMode::Bm25,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            // Sorted by date, the answer pages through the `depth` best matches only.
            total: if request.sort == SortOrder::Date { ranked.len() } else { matches.total },
            hits,
            warnings: Vec::new(),
            expansions,
        })
    }
}

/// How much containing a query word counts, in units of its IDF.
const COORDINATION_WEIGHT: f32 = 1.5;

/// BM25's IDF of `term` in `field`.
fn inverse_document_frequency(searcher: &Searcher, field: Field, term: &str) -> f32 {
    let docs = searcher.num_docs() as f32;
    let df = searcher.doc_freq(&Term::from_field_text(field, term)).unwrap_or(0) as f32;
    (1.0 + (docs - df + 0.5) / (df + 0.5)).ln()
}

/// Makes hits with snippets for one query.
pub(crate) struct Highlighter {
    generator: Option<SnippetGenerator>,
    /// The section group a search was restricted to: snippets come from it alone.
    section: Option<SectionGroup>,
    /// Lower-cased fragments of the query words; a section containing none of them cannot
    /// hold a highlight, so the (jieba-tokenising) snippet generator skips it.
    needles: Vec<String>,
}

/// How long a snippet may be, in characters.
const SNIPPET_CHARS: usize = 220;

impl Highlighter {
    pub(crate) fn new(
        index: &PaperIndex,
        searcher: &Searcher,
        query: Option<&dyn Query>,
        section: Option<SectionGroup>,
    ) -> Highlighter {
        // The generator highlights the terms the query has in one field: the body, or the
        // field of the section group searched.
        let field = match section {
            None => index.fields.body,
            Some(group) => index.fields.section(group).unwrap_or(index.fields.title),
        };
        let generator = query.and_then(|q| SnippetGenerator::create(searcher, q, field).ok()).map(|mut g| {
            g.set_max_num_chars(SNIPPET_CHARS);
            g
        });
        Highlighter { generator, section, needles: Vec::new() }
    }

    /// Lets the highlighter skip sections that cannot match `query_text`. Stemming means an
    /// English word matches by its first five letters; Chinese words by any character pair.
    pub(crate) fn for_text(mut self, query_text: &str) -> Highlighter {
        let lower = query_text.to_lowercase();
        for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let chars: Vec<char> = word.chars().collect();
            if chars.iter().any(|&c| is_han(c)) {
                if chars.len() == 1 {
                    self.needles.push(word.to_string());
                }
                self.needles.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
            } else {
                self.needles.push(chars.iter().take(5).collect());
            }
        }
        self
    }

    /// Lets the highlighter look in sections holding a translation of the query too.
    pub(crate) fn for_translations(self, expansions: &[Expansion]) -> Highlighter {
        let text: Vec<&str> = expansions.iter().map(|e| e.to.as_str()).collect();
        self.for_text(&text.join(" "))
    }

    /// The part of `text` worth handing to the snippet generator: `None` when no query word
    /// occurs in it, else a window around the first occurrence. Jieba tokenises whatever the
    /// generator gets, so a bounded window keeps a hit's cost independent of its length.
    fn window<'t>(&self, text: &'t str) -> Option<&'t str> {
        if self.needles.is_empty() {
            return Some(text);
        }
        let lower = text.to_lowercase();
        let first = self.needles.iter().filter_map(|n| lower.find(n.as_str())).min()?;
        if lower.len() != text.len() {
            // Lower-casing changed byte lengths, so offsets do not carry over: use it all.
            return Some(text);
        }
        let mut start = first.saturating_sub(SNIPPET_CHARS);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (first + SNIPPET_CHARS * 4).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Some(&text[start..end])
    }

    /// Whether the highlighter looks for query words in sections of `group` (all, unless the
    /// search was restricted to one group).
    pub(crate) fn searches(&self, group: SectionGroup) -> bool {
        self.section.is_none_or(|g| g == group)
    }

    /// A hit for `paper` with the best snippet of its text.
    pub(crate) fn hit(&self, paper: &Paper, score: f32) -> SearchHit {
        let (snippet, highlights, section) = self.snippet(paper);
        SearchHit {
            id: paper.id.to_string(),
            title: paper.title().to_string(),
            score,
            date: paper.date().map(str::to_string),
            first_seen: paper.first_seen().map(str::to_string),
            url: paper.url(),
            snippet,
            section,
            highlights,
            bm25_rank: None,
            bm25_score: None,
            vector_rank: None,
            vector_score: None,
        }
    }

    /// The snippet of `paper`, its highlights, and the section group it came from.
    fn snippet(&self, paper: &Paper) -> (String, Vec<[usize; 2]>, Option<SectionGroup>) {
        let sections: Vec<_> = paper.sections().into_iter().filter(|s| self.searches(s.kind.group())).collect();
        if let Some(generator) = &self.generator {
            // The section with the most highlighted terms gives the snippet.
            let best = sections
                .iter()
                .filter_map(|s| Some((s.kind.group(), self.window(&s.text)?)))
                .map(|(group, text)| (group, generator.snippet(text)))
                .filter(|(_, s)| !s.highlighted().is_empty())
                .max_by_key(|(_, s)| s.highlighted().len());
            if let Some((group, snippet)) = best {
                let text = snippet.fragment().to_string();
                let ranges = snippet.highlighted().iter().map(|r| [r.start, r.end]).collect();
                let (text, ranges) = tidy(text, ranges);
                return (text, ranges, Some(group));
            }
        }
        // No term to show in a section: the opening of the most telling one. The match, if
        // the words matched at all, was in the title.
        let group = match self.section {
            Some(group) => Some(group),
            None if self.title_matches(paper) => Some(SectionGroup::Title),
            // Nothing was searched for (a plain listing), or the match is not in the text.
            None => None,
        };
        let opening = one_line(sections.first().map(|s| s.text.as_str()).unwrap_or(""), SNIPPET_CHARS);
        (opening, Vec::new(), group)
    }

    /// Whether a query word occurs in one of `paper`'s titles.
    fn title_matches(&self, paper: &Paper) -> bool {
        let titles = format!("{} {}", paper.title(), paper.title_zh().unwrap_or("")).to_lowercase();
        !self.needles.is_empty() && self.needles.iter().any(|n| titles.contains(n.as_str()))
    }
}

/// The first `max_chars` characters of `text` on one line.
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    let cut: String = text.chars().take(max_chars).collect();
    tidy(cut, Vec::new()).0
}

/// Folds line breaks and runs of white space into single spaces (a snippet is one line) and
/// drops `**` emphasis markers, moving the highlight ranges along.
fn tidy(text: String, ranges: Vec<[usize; 2]>) -> (String, Vec<[usize; 2]>) {
    let mut out = String::with_capacity(text.len());
    let mut map = vec![0usize; text.len() + 1];
    let mut last_space = true;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        map[i] = out.len();
        // Markdown emphasis markers (`**`) are noise in a one-line snippet.
        let emphasis = c == '*' && (bytes.get(i + 1) == Some(&b'*') || (i > 0 && bytes[i - 1] == b'*'));
        if emphasis {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    map[text.len()] = out.len();
    // Byte positions inside a multi-byte char are never range ends, but keep the map total.
    for i in 1..=text.len() {
        if !text.is_char_boundary(i) {
            map[i] = map[i - 1];
        }
    }
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end);
    let ranges = ranges
        .into_iter()
        // jieba's search mode emits a long word after its parts, so tantivy can report a
        // highlight starting before its fragment (the offset wraps around): drop those.
        .filter(|[s, e]| s < e && *e <= text.len())
        .map(|[s, e]| [map[s].min(trimmed_end), map[e].min(trimmed_end)])
        .filter(|[s, e]| s < e)
        .collect();
    (out, ranges)
}

#[cfg(test)]
mod tests {
    use super::tidy;

    #[test]
    fn snippets_are_one_line_without_emphasis_markers_and_keep_their_highlights() {
        let text = "画质无损：\n\n **0.5%** 的 KV Cache".to_string();
        let start = text.find("KV").expect("KV");
        let (out, ranges) = tidy(text, vec![[start, start + 2]]);
        assert_eq!(out, "画质无损： 0.5% 的 KV Cache");
        assert_eq!(&out[ranges[0][0]..ranges[0][1]], "KV");
    }
}
