//! Related papers: the papers most like a given one, by meaning and by words, fused like a
//! search.
//!
//! - By meaning: the paper's passages look for their nearest passages; a paper counts with its
//!   best similarity, compared once, in the seed's main language (the one of its languages with
//!   the most passages in the index). Papers without that language are ranked in a list of
//!   their own (the seed's other language, or across languages) interleaved by rank
//!   ([`interleave_by_share`], one for one), so a Chinese-only digest finds English-only papers too.
//! - By words: more-like-this over the paper's title, text (less its template sections,
//!   [`is_template`]) and keywords: its 30 most distinctive terms by tf·idf, seen in at least
//!   one other paper and in at most a tenth of them (a Chinese word's idf and tenth counted
//!   among the papers with Chinese text), and, for a paper with next to no English words, the
//!   English translations of its best Chinese terms from the bilingual lexicon at half weight,
//!   as one boosted query. Tantivy's `MoreLikeThisQuery` does the same but needs stored fields,
//!   picks among equally weighted terms in hash order (so results changed between runs), and
//!   its defaults (terms seen twice in the paper and in five documents) leave a digest almost
//!   no terms.
//!
//! The two lists are fused with the ranker's fusion (RRF by default); without vectors the
//! words alone answer (mode `bm25`). The paper itself is never among its related papers.

use std::collections::HashMap;
use std::time::Instant;

use paperdex_core::{Lang, Paper, SectionKind};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, Searcher, Term};

use crate::Vectors;
use crate::analysis::{analyze, word_analyzer};
use crate::cancel::Cancel;
use crate::engine::SearchEngine;
use crate::error::{IndexError, Result};
use crate::fusion::{fuse, interleave_by_share};
use crate::highlight::Highlighter;
use crate::lexicon::Lexicon;
use crate::paper_index::PaperIndex;
use crate::search::{SearchHit, SearchMode};
use crate::vectors::Chunk;

/// A paper with fewer words of text than this besides its title is said to be related by next
/// to nothing.
const MIN_TEXT_WORDS: usize = 5;
/// A language with fewer of the paper's own distinctive terms gets translations.
const MIN_OWN_TERMS: usize = 5;
/// At most this many translated terms join the more-like-this query.
const MAX_TRANSLATED_TERMS: usize = 10;
/// A translated term's weight relative to the term it translates (times the lexicon weight).
const TRANSLATED_TERM_SHARE: f32 = 0.5;
/// At most this many terms make up the more-like-this query.
const MAX_QUERY_TERMS: usize = 30;
/// A term must occur in at least this many documents (the paper itself and one more).
const MIN_DOC_FREQUENCY: u64 = 2;
/// Terms in more than this share of the documents say nothing about a topic.
const MAX_DOC_SHARE: f64 = 0.10;
/// On a small index 10% is a handful of documents; never drop a term seen this rarely.
const MAX_DOC_FREQUENCY_FLOOR: u64 = 5;
/// A title's part before its colon is the method's name when it is this short.
const MAX_NAME_WORDS: usize = 3;
/// Single letters and digits are noise (the length counts bytes, so any Han character passes).
const MIN_WORD_BYTES: usize = 2;
/// A section held word for word by this many other papers is a template, not the paper's own.
const TEMPLATE_PAPERS: usize = 4;
/// Only sections of at most this many words are looked up as templates: a template is a
/// sentence, and a longer phrase query costs more for nothing.
const MAX_TEMPLATE_WORDS: usize = 40;

/// The papers related to one paper.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedResults {
    /// The paper asked about.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `hybrid` when vectors and words were fused, `bm25` when words alone answered.
    pub mode: SearchMode,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
    /// The related papers, most related first; `bm25_rank` is the more-like-this rank,
    /// `vector_rank` the rank by passage similarity.
    pub hits: Vec<SearchHit>,
    /// Things the user should know (for example that the paper has no vectors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl SearchEngine {
    /// The `limit` papers most related to paper `id` (1 to [`crate::limits::MAX_LIMIT`]).
    ///
    /// Needs no model: the paper's own stored vectors are the queries. An unknown id is
    /// [`IndexError::PaperNotFound`].
    pub fn related(&self, id: &str, limit: usize) -> Result<RelatedResults> {
        self.related_until(id, limit, &Cancel::new())
    }

    /// [`SearchEngine::related`], stopping with [`IndexError::Cancelled`] soon after `cancel`
    /// is raised.
    pub fn related_until(&self, id: &str, limit: usize, cancel: &Cancel) -> Result<RelatedResults> {
        crate::limits::check_limit(limit)?;
        cancel.check()?;
        self.refresh();
        let started = Instant::now();
        let index = self.index();
        let searcher = index.searcher();
        let paper_id = crate::paper_index::asked_id(id)?;
        let not_found = || IndexError::PaperNotFound(paper_id.to_string());
        let address = index.address_in(&searcher, &paper_id)?.ok_or_else(not_found)?;
        let paper = index.paper_at(&searcher, address)?;
        let own_id = paper.id.as_str();
        let wanted = limit.max(self.ranker().candidates);

        let own_terms = distinctive_terms(index, &searcher, &paper)?;
        let terms = with_translations(index, own_terms, &index.lexicon());
        let by_words = more_like_this(index, &searcher, &terms, address, wanted)?;
        let vectors = index.vectors();
        cancel.check()?;
        let by_meaning = match vectors.as_deref() {
            Some(v) => nearest_papers(v, own_id, wanted, cancel)?,
            None => Vec::new(),
        };
        let has_vectors = vectors.as_deref().is_some_and(|v| v.set.live_chunks_of(own_id).next().is_some());
        let mut warnings = Vec::new();
        let words = text_words(&paper);
        if words < MIN_TEXT_WORDS {
            // A paper of a title and a placeholder (`...`) got a list as confident as any, of
            // papers sharing a tag or lying near a title by chance.
            let what = match words {
                0 => "no text besides its title".to_string(),
                1 => "one word of text besides its title".to_string(),
                n => format!("only {n} words of text besides its title"),
            };
            warnings.push(format!(
                "this paper has {what}: its related papers are matched on next to nothing and may be off topic"
            ));
        }
        // A paper without text has no vectors for that reason, said above.
        if !has_vectors && words > 0 {
            warnings.push(match (vectors, index.vectors_problem()) {
                // Said as search says it: a damaged file is not an index without vectors.
                (None, Some(problem)) => format!(
                    "the index's vectors cannot be loaded ({problem}): related by shared words only; ingest again to embed every paper again"
                ),
                (None, None) => "the index has no vectors: related by shared words only".to_string(),
                (Some(_), _) => "this paper has no vectors: related by shared words only".to_string(),
            });
        }

        let highlight_query = shared_terms_query(index, &terms);
        let highlighter = Highlighter::new(index, &searcher, highlight_query.as_deref(), &[], None);
        // Both branches list candidates as (id, score, bm25 rank and score, vector rank and
        // score), so one loop makes the hits under one rule for a paper that is gone.
        type Candidate = (String, f32, Option<(usize, f32)>, Option<(usize, f32)>);
        let candidates: Vec<Candidate> = if has_vectors {
            fuse(&by_words, &by_meaning, self.ranker().related_fusion)
                .into_iter()
                .map(|f| (f.key, f.score, f.bm25, f.vector))
                .collect()
        } else {
            by_words
                .iter()
                .enumerate()
                .map(|(rank, (key, score))| (key.clone(), *score, Some((rank + 1, *score)), None))
                .collect()
        };
        let mut hits = Vec::with_capacity(limit);
        for (key, score, bm25, vector) in candidates {
            if hits.len() == limit {
                break;
            }
            cancel.check()?;
            // Vectors are swapped apart from the searcher: a paper just removed may linger
            // there for a moment. Skip it rather than fail the request, whichever list it
            // came from.
            let paper = match index.paper_by_id_in(&searcher, &key) {
                Ok(paper) => paper,
                Err(IndexError::PaperNotFound(_)) => continue,
                Err(error) => return Err(error),
            };
            let mut hit = highlighter.hit(&paper, score);
            hit.bm25_rank = bm25.map(|(r, _)| r);
            hit.bm25_score = bm25.map(|(_, s)| s);
            hit.vector_rank = vector.map(|(r, _)| r);
            hit.vector_score = vector.map(|(_, s)| s);
            hits.push(hit);
        }
        Ok(RelatedResults {
            id: own_id.to_string(),
            title: paper.title().to_string(),
            mode: if has_vectors { SearchMode::Hybrid } else { SearchMode::Bm25 },
            took_ms: crate::search::took_ms(started),
            hits,
            warnings,
        })
    }
}

/// The paper's distinctive terms, plus (for a paper with next to no English words) the English
/// translations of its best Chinese terms from the bilingual lexicon, so its list also reaches
/// English-only papers. Translations count [`TRANSLATED_TERM_SHARE`] of the term they
/// translate. English is not translated into Chinese, as in search
/// ([`crate::search::TO_CHINESE_SHARE`]): papers with Chinese text carry English text too, and
/// on the judged related lists Chinese translations added to English-only papers' queries
/// lowered their nDCG@10 (0.704 → 0.674), as did a separate, interleaved list per language
/// (all seeds 0.686 → 0.595; tests/eval/README.md).
fn with_translations(index: &PaperIndex, mut terms: Vec<(Term, f32)>, lexicon: &Lexicon) -> Vec<(Term, f32)> {
    let han = |t: &Term| {
        let value = t.value();
        value.as_str().is_some_and(|s| s.chars().any(paperdex_core::is_han))
    };
    let chinese = terms.iter().filter(|(t, _)| han(t)).count();
    let english = terms.len() - chinese;
    let mut added: Vec<(Term, f32)> = Vec::new();
    for (term, weight) in &terms {
        let from_chinese = han(term);
        // Translate only into a language the paper hardly has words in.
        let needed = if from_chinese { english < MIN_OWN_TERMS } else { chinese < MIN_OWN_TERMS };
        if !needed || added.len() >= MAX_TRANSLATED_TERMS {
            continue;
        }
        let value = term.value();
        let Some(text) = value.as_str() else { continue };
        let (to_english, to_chinese) = if from_chinese { (1.0, 0.0) } else { (0.0, crate::search::TO_CHINESE_SHARE) };
        for expansion in lexicon.expand(text, to_english, to_chinese) {
            if let [word] = &expansion.terms[..] {
                let translated = Term::from_field_text(index.fields.body, word);
                let w = weight * expansion.weight * TRANSLATED_TERM_SHARE;
                if w > 0.0 && !terms.iter().chain(added.iter()).any(|(t, _)| *t == translated) {
                    added.push((translated, w));
                }
            }
        }
    }
    terms.extend(added);
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms
}

/// How many words of text `paper` has besides its title and keywords (its references left
/// out), counted up to [`MIN_TEXT_WORDS`].
fn text_words(paper: &Paper) -> usize {
    let mut analyzer = word_analyzer();
    let mut words = 0;
    for section in paper.sections().iter().filter(|s| s.kind != SectionKind::References) {
        let mut stream = analyzer.token_stream(&section.text);
        while words < MIN_TEXT_WORDS && stream.advance() {
            words += 1;
        }
        if words == MIN_TEXT_WORDS {
            break;
        }
    }
    words
}

/// The most documents a useful term may occur in.
fn max_doc_frequency(docs: u64) -> u64 {
    ((docs as f64 * MAX_DOC_SHARE) as u64).max(MAX_DOC_FREQUENCY_FLOOR)
}

/// The searchable text of `paper`, per field, as it was indexed, less its template sections
/// ([`is_template`]) and a summariser's list of its search results (`搜索结果来自`: other
/// papers' titles among them, so a paper was related to the papers its summariser happened to
/// find).
fn document_texts(
    index: &PaperIndex,
    searcher: &Searcher,
    analyzer: &mut TextAnalyzer,
    paper: &Paper,
) -> Result<Vec<(Field, Vec<String>)>> {
    let mut titles = vec![paper.title().to_string()];
    titles.extend(paper.title_zh().map(str::to_string));
    let mut sections = Vec::new();
    for section in paper.sections() {
        if section.kind != SectionKind::References && !is_template(index, searcher, analyzer, &section.text)? {
            sections.push(section.text.clone());
        }
    }
    Ok(vec![
        (index.fields.title, titles),
        (index.fields.body, sections),
        (index.fields.keywords, paper.keywords().into_iter().map(str::to_string).collect()),
    ])
}

/// Whether `text` is a template: a short section that at least [`TEMPLATE_PAPERS`] other
/// papers hold word for word. A summariser filled sections it had nothing for with the same
/// sentence (`结果与对比结论请参考摘要与正文。`, "see the abstract and body", in 37 papers): its
/// words are rare enough to look distinctive, and papers on karyotyping and health records
/// were each other's closest by words for sharing it alone.
fn is_template(index: &PaperIndex, searcher: &Searcher, analyzer: &mut TextAnalyzer, text: &str) -> Result<bool> {
    let mut stream = analyzer.token_stream(text);
    let mut words: Vec<(usize, Term)> = Vec::new();
    while let Some(token) = stream.next() {
        if words.len() == MAX_TEMPLATE_WORDS {
            return Ok(false);
        }
        words.push((token.position, Term::from_field_text(index.fields.body, &token.text)));
    }
    let Some(&(first, _)) = words.first() else { return Ok(false) };
    if words.len() < 2 {
        return Ok(false);
    }
    // A word fewer papers hold settles it without reading any position: most sections have one.
    for (_, term) in &words {
        if searcher.doc_freq(term)? <= TEMPLATE_PAPERS as u64 {
            return Ok(false);
        }
    }
    let phrase = words.into_iter().map(|(position, term)| (position - first, term)).collect();
    let papers = searcher.search(&PhraseQuery::new_with_offset(phrase), &Count)?;
    // The paper itself holds it too.
    Ok(papers > TEMPLATE_PAPERS)
}

/// The terms that say most about `paper`, each with its weight (tf·idf), best first.
///
/// The selection of tantivy's `MoreLikeThisQuery`, with thresholds for short summaries, done
/// here because that query reads stored fields (ours are not stored: the paper is, as JSON)
/// and breaks ties between equally weighted terms in hash order, so the same paper got
/// different related papers from one run to the next. Ties here go to the term's order.
fn distinctive_terms(index: &PaperIndex, searcher: &Searcher, paper: &Paper) -> Result<Vec<(Term, f32)>> {
    let mut frequencies: HashMap<Term, usize> = HashMap::new();
    let mut analyzer = word_analyzer();
    // The name's words the rest of the title does not repeat: `LLaMA-Mesh: ... 3D Mesh
    // Generation` keeps `mesh`, a topic, and drops `llama`.
    let name: Vec<String> = match own_name(paper.title()) {
        Some((name, rest)) => {
            let described = analyze(&mut analyzer, rest);
            analyze(&mut analyzer, name).into_iter().filter(|w| !described.contains(w)).collect()
        }
        None => Vec::new(),
    };
    for (field, texts) in document_texts(index, searcher, &mut analyzer, paper)? {
        for text in texts {
            for token in analyze(&mut analyzer, &text) {
                if token.len() >= MIN_WORD_BYTES && !name.contains(&token) && !is_number_or_version(&token) {
                    *frequencies.entry(Term::from_field_text(field, &token)).or_insert(0) += 1;
                }
            }
        }
    }
    let docs = searcher.num_docs();
    let chinese_docs = index.papers_in(searcher, Lang::Zh)?;
    let mut scored = Vec::new();
    for (term, tf) in frequencies {
        let df = searcher.doc_freq(&term)?;
        // A Chinese word is as distinctive as its share of the papers with Chinese text says:
        // counted against every paper, the summaries' common words (标注, 子集, 产生) looked
        // as rare as an English method name, and the papers that share them led the lists.
        let docs = if term.value().as_str().is_some_and(|word| word.chars().any(paperdex_core::is_han)) {
            chinese_docs
        } else {
            docs
        };
        if (MIN_DOC_FREQUENCY..=max_doc_frequency(docs)).contains(&df) {
            // BM25's idf, as tantivy's more-like-this uses.
            let idf = (1.0 + (docs as f32 - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
            scored.push((term, tf as f32 * idf));
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(MAX_QUERY_TERMS);
    Ok(scored)
}

/// Whether a word is a number (`2024`, `100`) or a version (`v3`): rare enough to look
/// distinctive, and no topic. NovelAI Diffusion V3 was related by `v3` to DeepSeek-V3.2,
/// jina-embeddings-v3 and SkyReels-V3.
fn is_number_or_version(word: &str) -> bool {
    let digits = word.strip_prefix('v').unwrap_or(word);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The name a paper gives its method in its title (`VISTA` in `VISTA: View-Consistent ...`):
/// the most distinctive word of its text, yet one it shares only by chance with papers that
/// chose the same name for something else. Returns the name and the rest of the title.
fn own_name(title: &str) -> Option<(&str, &str)> {
    let (name, rest) = title.split_once(':')?;
    let words = name.split_whitespace().count();
    (!rest.trim().is_empty() && (1..=MAX_NAME_WORDS).contains(&words)).then_some((name, rest))
}

/// Papers sharing `terms` with the paper at `address`, best first, without it. Each term is a
/// should-clause boosted by its weight relative to the best term.
fn more_like_this(
    index: &PaperIndex,
    searcher: &Searcher,
    terms: &[(Term, f32)],
    address: DocAddress,
    n: usize,
) -> Result<Vec<(String, f32)>> {
    let Some(best) = terms.first().map(|(_, w)| *w) else { return Ok(Vec::new()) };
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|(term, weight)| {
            let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(BoostQuery::new(Box::new(query), weight / best)) as Box<dyn Query>)
        })
        .collect();
    let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(n + 1).order_by_score())?;
    let mut out = Vec::with_capacity(n);
    for (score, hit) in top {
        if hit != address {
            out.push((index.id_at(searcher, hit)?, score));
        }
    }
    out.truncate(n);
    Ok(out)
}

/// The papers nearest to paper `own` by meaning, best first, each with its best similarity.
///
/// Every paper is compared with the seed once, in one language. First the seed's main
/// language: of the languages the seed has passages in, the one with the most passages in the
/// index, so the most papers are ranked on one scale. Papers without a passage in it follow
/// in a list of their own, compared in the seed's other language or, sharing none with the
/// seed, across languages (lower similarities whatever the topic); the two lists are
/// interleaved by rank. So a Chinese-only digest reaches English-only papers, and a paper with
/// both languages is not given a second list over the same papers: interleaving one list per
/// language did that, and gave the ranks among the ~2,000 papers with Chinese text the weight of
/// the ranks among all 11,337 (judged related lists: nDCG@10 0.701 → 0.768, PERFORMANCE.md).
fn nearest_papers(vectors: &Vectors, own: &str, papers: usize, cancel: &Cancel) -> Result<Vec<(String, f32)>> {
    let own_chunks: Vec<_> = vectors.set.live_chunks_of(own).collect();
    let has = |lang: Lang| own_chunks.iter().any(|c| c.lang == lang);
    let Some(main) = [Lang::En, Lang::Zh].into_iter().filter(|&l| has(l)).max_by_key(|&l| vectors.graph.len(l)) else {
        return Ok(Vec::new());
    };
    let other = if main == Lang::En { Lang::Zh } else { Lang::En };
    // The other list's queries: the seed's passages in that language, or all of them.
    let other_queries: Vec<_> =
        if has(other) { own_chunks.iter().filter(|c| c.lang == other).collect() } else { own_chunks.iter().collect() };
    let main_queries: Vec<_> = own_chunks.iter().filter(|c| c.lang == main).collect();
    let lacks_main = |paper: &str| !vectors.set.live_chunks_of(paper).any(|c| c.lang == main);
    let main_list = nearest_in(vectors, own, &main_queries, main, papers, cancel, |_| true)?;
    let other_list = nearest_in(vectors, own, &other_queries, other, papers, cancel, lacks_main)?;
    let mut merged = if other_list.is_empty() {
        main_list
    } else {
        interleave_by_share(&[(&main_list[..], 1.0), (&other_list[..], 1.0)], |x| x.0.clone(), |x| x.1)
    };
    merged.truncate(papers);
    Ok(merged)
}

/// The `papers` papers (other than `own`, and `keep`ing only some) whose passages in `lang` are
/// nearest to any of `queries`, each with its best similarity, best first.
fn nearest_in(
    vectors: &Vectors,
    own: &str,
    queries: &[&Chunk<'_>],
    lang: Lang,
    papers: usize,
    cancel: &Cancel,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<(String, f32)>> {
    let mut passages = Vec::new();
    for chunk in queries {
        cancel.check()?;
        // A paper has a few passages per language (and the paper's own, `queries` when they
        // are in `lang`, come first): over-fetch so `papers` distinct others remain.
        passages.extend(vectors.nearest(chunk.vector, papers * 3 + queries.len(), lang));
    }
    Ok(vectors.best_per_paper(passages, papers, |paper| paper != own && keep(paper)))
}

/// The distinctive terms as a query over the body, so that snippets show what a related
/// paper shares with the paper (a title or keyword term is looked for in the body too).
fn shared_terms_query(index: &PaperIndex, terms: &[(Term, f32)]) -> Option<Box<dyn Query>> {
    let body = index.fields.body;
    let mut texts: Vec<String> = terms.iter().filter_map(|(t, _)| t.value().as_str().map(str::to_string)).collect();
    texts.sort_unstable();
    texts.dedup();
    let clauses: Vec<(Occur, Box<dyn Query>)> = texts
        .into_iter()
        .map(|text| {
            let query = TermQuery::new(Term::from_field_text(body, &text), IndexRecordOption::Basic);
            (Occur::Should, Box::new(query) as Box<dyn Query>)
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::{Arc, OnceLock};

    use paperdex_embed::{Embedder, HashEmbedder};

    use super::*;
    use crate::limits::MAX_LIMIT;
    use crate::{PaperIndex, Quiet};

    const QUANT_VIDEOGEN: &str = "2602.02958";

    #[test]
    fn a_number_or_a_version_is_no_topic_to_relate_papers_by() {
        for word in ["v3", "2024", "100", "v12"] {
            assert!(is_number_or_version(word), "{word}");
        }
        for word in ["vit", "v", "3d", "gpt4", "video", "量化"] {
            assert!(!is_number_or_version(word), "{word}");
        }
    }

    fn sample_paths() -> Vec<PathBuf> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample");
        vec![root.join("report-2026-02-05.md"), root.join("hf-daily-2026-02-05.json")]
    }

    /// The sample ingested once with the hash embedder (so vectors exist without the model).
    fn engine() -> &'static SearchEngine {
        static ENGINE: OnceLock<(tempfile::TempDir, SearchEngine)> = OnceLock::new();
        let (_, engine) = ENGINE.get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let embedder = HashEmbedder::new(64);
            let index = PaperIndex::open_or_create(dir.path()).expect("index");
            index.ingest(&sample_paths(), Some(&embedder), &mut Quiet).expect("ingest");
            let engine = SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>));
            (dir, engine)
        });
        engine
    }

    fn ids(results: &RelatedResults) -> Vec<&str> {
        results.hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn a_title_names_its_method_before_a_short_colon_prefix_only() {
        assert_eq!(
            own_name("VISTA: View-Consistent Self-Verified Training for GUI Grounding"),
            Some(("VISTA", " View-Consistent Self-Verified Training for GUI Grounding"))
        );
        assert_eq!(
            own_name("Diffusion Knows Transparency: Repurposing Video Diffusion").map(|n| n.0),
            Some("Diffusion Knows Transparency")
        );
        assert_eq!(
            own_name("A Long Survey of Many Things: Part One"),
            None,
            "four words or more are a sentence, not a name"
        );
        assert_eq!(own_name("No colon here"), None);
        assert_eq!(own_name("Trailing:"), None);
    }

    #[test]
    fn a_papers_own_method_name_is_not_one_of_its_more_like_this_terms() {
        let data = tempfile::tempdir().expect("temp dir");
        let paper = |id: &str, title: &str, summary: &str| serde_json::json!({"paper": {"id": id, "title": title, "summary": summary}});
        let mut papers = vec![
            paper(
                "2601.00001",
                "VISTA: Grounding Interface Elements on Phone Screens",
                "VISTA grounds interface elements. VISTA predicts clicks on phone screens; VISTA trains on screenshots.",
            ),
            paper("2601.00002", "VISTA: A Video Generation Agent", "VISTA writes prompts for video generation models."),
            paper(
                "2601.00003",
                "Screens and Clicks",
                "Grounding interface elements on phone screens by predicting clicks.",
            ),
        ];
        for i in 4..12 {
            papers.push(paper(
                &format!("2601.{i:05}"),
                &format!("Filler {i}"),
                "Protein folding with language models.",
            ));
        }
        std::fs::write(data.path().join("hf.json"), serde_json::to_string(&papers).expect("json")).expect("write");
        let dir = tempfile::tempdir().expect("temp dir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest(&[data.path().join("hf.json")], None, &mut Quiet).expect("ingest");
        let searcher = index.searcher();
        let seed = index.papers().expect("papers").into_iter().find(|p| p.id.as_str() == "2601.00001").expect("seed");
        let terms: Vec<String> = distinctive_terms(&index, &searcher, &seed)
            .expect("terms")
            .iter()
            .filter_map(|(term, _)| term.value().as_str().map(str::to_string))
            .collect();
        assert!(!terms.iter().any(|t| t == "vista"), "the name stays out: {terms:?}");
        assert!(terms.iter().any(|t| t == "ground"), "the topic stays in: {terms:?}");
    }

    #[test]
    fn each_paper_is_compared_once_in_the_seeds_main_language_and_chinese_only_seeds_reach_english_papers() {
        use crate::vectors::{CompactGraph, HnswSearch, VectorSet};
        let unit = |v: [f32; 4]| {
            let mut v = v.to_vec();
            paperdex_embed::normalize(&mut v);
            v
        };
        let mut set = VectorSet::new("test", 4);
        let mut push = |id: &str, lang: Lang, v: [f32; 4]| set.push(id, lang, &unit(v)).expect("push");
        // The bilingual seed, and a bilingual paper whose Chinese digest reads like the seed's
        // but whose English text is on another topic.
        push("2601.00001", Lang::Zh, [1.0, 0.0, 0.0, 0.0]);
        push("2601.00001", Lang::En, [0.0, 1.0, 0.0, 0.0]);
        push("2601.00002", Lang::Zh, [1.0, 0.05, 0.0, 0.0]);
        push("2601.00002", Lang::En, [0.0, 0.0, 1.0, 0.0]);
        // English-only papers, nearer and nearer the seed's English text; English has the most
        // passages, so it is the bilingual seed's main language.
        for (i, closeness) in [0.2f32, 0.5, 1.0, 2.0, 4.0].into_iter().enumerate() {
            push(&format!("2601.0001{i}"), Lang::En, [0.0, closeness, 1.0, 1.0]);
        }
        // A Chinese-only digest.
        push("2601.00020", Lang::Zh, [1.0, 0.1, 0.1, 0.0]);
        let graph = CompactGraph::from_hnsw(&HnswSearch::build(&set), &set).expect("graph");
        let vectors = Vectors::new("gen-1".into(), set, graph);
        let cancel = Cancel::new();

        let bilingual = nearest_papers(&vectors, "2601.00001", 10, &cancel).expect("related");
        let order: Vec<&str> = bilingual.iter().map(|(id, _)| id.as_str()).collect();
        let rank = |id: &str| order.iter().position(|o| *o == id).expect("listed");
        assert!(rank("2601.00014") < rank("2601.00013"), "{order:?}");
        assert!(rank("2601.00020") < 2, "the Chinese-only paper leads the papers without English: {order:?}");
        assert!(
            rank("2601.00002") > rank("2601.00012"),
            "compared in English, the paper whose digest only reads alike ranks low: {order:?}"
        );

        let chinese = nearest_papers(&vectors, "2601.00020", 10, &cancel).expect("related");
        let order: Vec<&str> = chinese.iter().map(|(id, _)| id.as_str()).collect();
        assert!(["2601.00001", "2601.00002"].contains(&order[0]), "the nearest Chinese text first: {order:?}");
        assert!(order[..2].iter().any(|id| id.starts_with("2601.0001")), "an English-only paper second: {order:?}");
        assert!(order.len() >= 7, "every other paper is reached: {order:?}");
    }

    /// A paper-md record of paper `2603.<number>` with `title` and `sections`.
    fn record(number: u32, title: &str, sections: &[(paperdex_core::SectionKind, &str)]) -> paperdex_core::Record {
        use paperdex_core::{PaperId, Record, Section, Source, SourceFormat};
        let source = Source { path: "paper-md/day.md".into(), format: SourceFormat::PaperMarkdown, date: None };
        let mut record = Record::new(PaperId::parse(&format!("2603.{number:05}")).expect("id"), source);
        record.title = Some(title.to_string());
        record.sections.extend(sections.iter().map(|(kind, text)| Section::new(*kind, *text)));
        record
    }

    /// An engine without vectors over an index of `records` (kept while the folder lives).
    fn keywords_only(records: Vec<paperdex_core::Record>) -> (tempfile::TempDir, SearchEngine) {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest_records(records, None, &mut Quiet).expect("ingest");
        (dir, SearchEngine::new(index, Err("keywords only".into())))
    }

    /// A summariser wrote the same sentences into sections it had nothing for: papers sharing
    /// them alone are not related, and the papers on the seed's topic come first.
    #[test]
    fn template_sentences_many_papers_share_do_not_relate_them() {
        use paperdex_core::SectionKind;
        let method = "方法与实现细节请参考摘要与正文。";
        let results = "结果与对比结论请参考摘要与正文。";
        let mut records = vec![
            record(
                1,
                "Karyotyping with microservices",
                &[
                    (SectionKind::CoreContribution, "染色体核型分析系统。"),
                    (SectionKind::Method, method),
                    (SectionKind::Results, results),
                ],
            ),
            record(2, "Chromosome classification", &[(SectionKind::CoreContribution, "染色体核型分析。")]),
            record(3, "Karyotype anomaly detection", &[(SectionKind::CoreContribution, "核型分析与染色体。")]),
        ];
        // Five papers on other topics share the templates; fillers make their words rare.
        let topics = ["蛋白质结构预测", "交通信号控制", "股票价格预测", "天气预报降尺度", "乐谱生成"];
        for (i, topic) in topics.iter().enumerate() {
            let contribution = format!("{topic}。");
            records.push(record(
                10 + i as u32,
                topic,
                &[
                    (SectionKind::CoreContribution, contribution.as_str()),
                    (SectionKind::Method, method),
                    (SectionKind::Results, results),
                ],
            ));
        }
        for i in 0..200u32 {
            let text = format!("第{i}篇关于{}的研究。", topics[i as usize % topics.len()]);
            records.push(record(100 + i, &format!("Filler {i}"), &[(SectionKind::CoreContribution, text.as_str())]));
        }
        let (_dir, engine) = keywords_only(records);
        let related = engine.related("2603.00001", 2).expect("related");
        let mut top = ids(&related);
        top.sort_unstable();
        assert_eq!(top, ["2603.00002", "2603.00003"], "{:?}", related.hits);
    }

    /// A word most Chinese summaries use (标注, "annotation") is rare among all papers, most
    /// of which are English: counted against them all, it outweighed the seed's own topic,
    /// and the summaries sharing it led the list.
    #[test]
    fn a_chinese_word_common_among_chinese_summaries_does_not_lead_a_list() {
        use paperdex_core::SectionKind;
        let mut records = vec![
            record(
                1,
                "Learned tokens for character rigging",
                &[
                    (SectionKind::Abstract, "We rig characters automatically."),
                    (SectionKind::CoreContribution, "自动绑定骨骼，减少人工标注。标注成本高，标注数据少，标注误差大。"),
                ],
            ),
            record(2, "Rigging meshes with a transformer", &[(SectionKind::Abstract, "A transformer rigs any mesh.")]),
        ];
        // Six of the ten Chinese summaries speak of annotation; ninety English papers do not.
        let topics = [
            "蛋白质结构预测",
            "交通信号控制",
            "股票价格预测",
            "天气预报降尺度",
            "乐谱生成",
            "药物发现",
            "语音识别",
            "机器翻译",
            "推荐系统",
        ];
        for (i, topic) in topics.iter().enumerate() {
            let text = if i < 6 {
                format!("{topic}，降低标注成本，标注质量更高。")
            } else {
                format!("{topic}。")
            };
            records.push(record(10 + i as u32, topic, &[(SectionKind::CoreContribution, text.as_str())]));
        }
        for i in 0..90u32 {
            let text = format!("Study {i} of optimisation number {}.", i % 7);
            records.push(record(100 + i, &format!("Filler {i}"), &[(SectionKind::Abstract, text.as_str())]));
        }
        let (_dir, engine) = keywords_only(records);
        let related = engine.related("2603.00001", 1).expect("related");
        assert_eq!(ids(&related), ["2603.00002"], "{:?}", related.hits);
    }

    #[test]
    fn a_paper_is_never_related_to_itself() {
        let engine = engine();
        for paper in engine.index().papers().expect("papers") {
            let related = engine.related(paper.id.as_str(), 50).expect("related");
            assert!(!ids(&related).contains(&paper.id.as_str()), "{} lists itself", paper.id);
            assert_eq!(related.mode, SearchMode::Hybrid);
            assert!(!related.hits.is_empty(), "{} has no related paper", paper.id);
        }
    }

    #[test]
    fn quant_videogen_is_related_to_kv_cache_and_video_papers() {
        let related = engine().related(QUANT_VIDEOGEN, 5).expect("related");
        let found = ids(&related);
        assert_eq!(related.id, QUANT_VIDEOGEN);
        assert!(related.title.starts_with("Quant VideoGen"));
        assert_eq!(found.len(), 5);
        // HySparse (KV cache sharing) and the autoregressive video diffusion paper.
        for expected in ["2602.03560", "2601.20499"] {
            assert!(found.contains(&expected), "{expected} not in the top 5: {found:?}");
        }
        let top = &related.hits[0];
        assert!(top.bm25_rank.is_some() || top.vector_rank.is_some());
        assert!(related.hits.windows(2).all(|w| w[0].score >= w[1].score), "not sorted by score");
    }

    #[test]
    fn more_like_this_alone_answers_without_vectors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest(&sample_paths(), None, &mut Quiet).expect("ingest");
        let engine = SearchEngine::new(index, Err("no model in this test".into()));
        let related = engine.related(QUANT_VIDEOGEN, 10).expect("related");
        assert_eq!(related.mode, SearchMode::Bm25);
        assert!(!related.warnings.is_empty());
        let found = ids(&related);
        assert!(!found.contains(&QUANT_VIDEOGEN));
        assert!(found.iter().take(5).any(|id| ["2602.03560", "2601.20499"].contains(id)), "{found:?}");
        assert!(related.hits.iter().all(|h| h.vector_rank.is_none() && h.bm25_rank.is_some()));
    }

    #[test]
    fn the_same_paper_always_gets_the_same_list() {
        // Regression: tantivy's more-like-this picked among equally weighted terms in hash
        // order, so the list changed from one call to the next.
        let first = engine().related(QUANT_VIDEOGEN, 20).expect("related");
        for _ in 0..5 {
            let again = engine().related(QUANT_VIDEOGEN, 20).expect("related");
            assert_eq!(ids(&again), ids(&first));
            let ranks = |r: &RelatedResults| r.hits.iter().map(|h| (h.bm25_rank, h.vector_rank)).collect::<Vec<_>>();
            assert_eq!(ranks(&again), ranks(&first));
        }
    }

    #[test]
    fn snippets_highlight_shared_words() {
        let related = engine().related(QUANT_VIDEOGEN, 5).expect("related");
        let highlighted = related.hits.iter().filter(|h| !h.highlights.is_empty()).count();
        assert!(highlighted >= 3, "{highlighted} of 5 hits have highlights");
        for hit in &related.hits {
            for [start, end] in &hit.highlights {
                assert!(hit.snippet.is_char_boundary(*start) && hit.snippet.is_char_boundary(*end));
            }
        }
    }

    #[test]
    fn unknown_ids_and_bad_limits_are_errors() {
        let engine = engine();
        assert!(matches!(engine.related("2912.99999", 10), Err(IndexError::PaperNotFound(_))));
        // An id that cannot be arXiv's is a bad request, not a paper the index lacks.
        assert!(
            matches!(engine.related("not an id", 10), Err(IndexError::InvalidParameter { name, .. }) if name == "id")
        );
        assert!(matches!(engine.related(QUANT_VIDEOGEN, 0), Err(IndexError::InvalidParameter { .. })));
        assert!(matches!(engine.related(QUANT_VIDEOGEN, MAX_LIMIT + 1), Err(IndexError::InvalidParameter { .. })));
    }
}
