//! [`SearchEngine`]: an index plus (maybe) an embedding model, answering searches in every
//! mode. The CLI and the HTTP server both call it, so a search behaves the same everywhere.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use paperdex_core::Lang;
use paperdex_embed::{Embedder, Role, chunk};
use serde::{Deserialize, Serialize};
use tantivy::Searcher;

use crate::Vectors;
use crate::cancel::Cancel;
use crate::error::{IndexError, Result};
use crate::feedback::{FEEDBACK_PAPERS, feedback_vector};
use crate::filter::{SearchFilter, SortOrder};
use crate::fusion::{
    Fused, Fusion, LanguageShares, fuse, fuse_where_keywords_see, interleave_by_share, newest_first_by_depth,
    put_first, ranked_to_depths,
};
use crate::generation::AdmittedPassages;
use crate::highlight::Highlighter;
use crate::paper_index::PaperIndex;
use crate::parallel;
use crate::query_syntax::{QuerySyntax, TextFilter};
use crate::search::{KeywordMatches, SearchHit, SearchMode, SearchRequest, SearchResults};

/// The ranker's knobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankerConfig {
    /// How a search's BM25 and vector lists are fused.
    pub fusion: Fusion,
    /// How a related-papers list's more-like-this and nearest-paper lists are fused.
    #[serde(default = "default_related_fusion")]
    pub related_fusion: Fusion,
    /// How many papers each retriever contributes before fusion.
    pub candidates: usize,
    /// The weight one query phrase's translations share (the bilingual lexicon), relative to
    /// the phrase's own words; 0 turns translation off.
    #[serde(default = "default_translation")]
    pub translation: f32,
}

/// A phrase's translations weigh as much as the phrase: on the whole corpus, with every hit
/// of every setting judged (development set, session 5), hybrid Chinese keywords 0.470 → 0.730
/// and Chinese questions 0.395 → 0.537 nDCG@10 against no translation, English queries
/// unchanged (nothing is added to them); 0.5 and 2 measured the same within 0.006
/// (PERFORMANCE.md, "Relevance").
fn default_translation() -> f32 {
    1.0
}

fn default_related_fusion() -> Fusion {
    Fusion::RELATED
}

impl Default for RankerConfig {
    fn default() -> RankerConfig {
        RankerConfig {
            fusion: Fusion::default(),
            related_fusion: default_related_fusion(),
            candidates: 100,
            translation: default_translation(),
        }
    }
}

/// The most BM25 hits a hybrid search reads and highlights while its query is embedded.
const PREFETCH_HITS: usize = 20;
/// A Chinese word held by more than one paper in this many of those with Chinese text is no
/// topic to name as untranslated (如何, "how", is in 17%; 显存, "GPU memory", in 3%); the
/// tenth related lists count a topic word within too.
const TOPIC_WORD_SHARE: u64 = 10;
/// The longest run of Chinese characters (between spaces, Latin letters or punctuation) read
/// as a term, not a question, when naming its untranslated words.
const TERM_CHARS: usize = 6;

/// Answers searches over one index, with or without a model.
pub struct SearchEngine {
    index: PaperIndex,
    embedder: Option<Arc<dyn Embedder>>,
    /// Why there is no model, said once per process and in every BM25-only answer.
    no_model_reason: Option<String>,
    warned: AtomicBool,
    ranker: RankerConfig,
}

impl SearchEngine {
    /// An engine over `index`; `embedder` is the model, or the reason there is none.
    pub fn new(index: PaperIndex, embedder: std::result::Result<Arc<dyn Embedder>, String>) -> SearchEngine {
        let (embedder, no_model_reason) = match embedder {
            Ok(e) => (Some(e), None),
            Err(reason) => (None, Some(reason)),
        };
        SearchEngine {
            index,
            embedder,
            no_model_reason,
            warned: AtomicBool::new(false),
            ranker: RankerConfig::default(),
        }
    }

    /// The same engine with other ranker settings.
    pub fn with_ranker(mut self, ranker: RankerConfig) -> SearchEngine {
        self.ranker = ranker;
        self
    }

    /// The index.
    pub fn index(&self) -> &PaperIndex {
        &self.index
    }

    /// The model, if loaded.
    pub fn embedder(&self) -> Option<&dyn Embedder> {
        self.embedder.as_deref()
    }

    /// Why there is no model, if there is none.
    pub fn no_model_reason(&self) -> Option<&str> {
        self.no_model_reason.as_deref()
    }

    /// The ranker's settings.
    pub fn ranker(&self) -> RankerConfig {
        self.ranker
    }

    /// Picks up a generation committed by another process (see
    /// [`PaperIndex::refresh_vectors`]: no wait, one load at a time). Searches call it; so does
    /// anything reporting on the index (the server's `/healthz`).
    pub fn refresh(&self) {
        if let Err(error) = self.index.refresh_vectors() {
            tracing::warn!(%error, "cannot load the newest vectors; keeping the loaded ones");
        }
    }

    /// The mode that can actually answer `wanted`, with a warning when it is not `wanted`.
    fn effective_mode(&self, wanted: SearchMode, vectors: Option<&Vectors>) -> (SearchMode, Vec<String>) {
        if wanted == SearchMode::Bm25 {
            return (wanted, Vec::new());
        }
        // An index that holds no paper has nothing to embed: what it lacks is papers (a first
        // ingest killed before its first commit left it so), not vectors or a model.
        if self.index.is_empty() {
            return (SearchMode::Bm25, vec!["the index holds no papers yet: `paperdex ingest` adds them".into()]);
        }
        let problem = match (&self.embedder, vectors) {
            (None, _) => self.no_model_reason.clone().unwrap_or_else(|| "no embedding model".into()),
            (Some(_), None) => match self.index.vectors_problem() {
                Some(problem) => {
                    format!("the index's vectors cannot be loaded ({problem}): ingest again to embed every paper again")
                }
                None => "the index has no vectors yet: ingest again with the model available".into(),
            },
            (Some(e), Some(v)) if v.set.model() != e.model_name() => format!(
                "the index's vectors come from {} but the loaded model is {}: ingest again to re-embed",
                v.set.model(),
                e.model_name()
            ),
            // Vectors of no paper (every paper's text changed under `--no-model`): the vector
            // ranking would be empty, and vector mode said nothing of why.
            (Some(_), Some(v))
                if v.papers() == 0 && self.index.papers_with_text(&self.index.searcher()).unwrap_or(0) > 0 =>
            {
                "no paper has vectors yet: the next ingest with the model available embeds them".into()
            }
            _ => return (wanted, Vec::new()),
        };
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!("answering with BM25 only: {problem}");
        }
        (SearchMode::Bm25, vec![format!("{} search unavailable, answered with BM25: {problem}", wanted.as_str())])
    }

    /// Searches in the requested mode (falling back to BM25 when vectors are unavailable).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.search_until(request, &Cancel::new())
    }

    /// [`SearchEngine::search`], stopping with [`IndexError::Cancelled`] soon after `cancel`
    /// is raised.
    pub fn search_until(&self, request: &SearchRequest, cancel: &Cancel) -> Result<SearchResults> {
        request.validate()?;
        cancel.check()?;
        self.refresh();
        // A query in Traditional characters is corrected, translated, embedded and matched as
        // Simplified (`paperdex_core::script`), and answered as written.
        let written = &request.query;
        let simplified;
        let request = match paperdex_core::to_simplified(written) {
            std::borrow::Cow::Borrowed(_) => request,
            std::borrow::Cow::Owned(query) => {
                simplified = SearchRequest { query, ..request.clone() };
                &simplified
            }
        };
        // A word no paper holds is searched as the spelling the papers use (`spelling`); a
        // pasted id or link is left whole.
        let started = Instant::now();
        let corrected = match paperdex_core::PaperId::from_pasted(&request.query) {
            Some(_) => None,
            None => crate::spelling::correct(&self.index, &self.index.searcher(), &request.query, cancel)?,
        };
        let mut results = match corrected {
            None => self.answer(request, cancel)?,
            Some(corrected) => {
                let mut results =
                    self.answer(&SearchRequest { query: corrected.query.clone(), ..request.clone() }, cancel)?;
                results.warnings.insert(0, corrected.note());
                results
            }
        };
        if results.mode != SearchMode::Vector && self.ranker.translation > 0.0 {
            let note = self.untranslated_note(request, &results.expansions, &results.left_out)?;
            results.warnings.extend(note);
        }
        results.warnings.extend(ranking_ends_short(request, &results));
        // When no paper passes the filters, nothing else said of the query matters but which
        // paper it names.
        if results.hits.is_empty()
            && request.offset == 0
            && let Some(note) = crate::filter::no_paper_passes(&self.index, &request.filter)?
        {
            results.warnings.retain(|w| w.starts_with(crate::search::NAMES_PAPER));
            results.warnings.insert(0, note);
        }
        results.query.clone_from(written);
        // The time spent looking for misspellings counts too.
        results.took_ms = crate::search::took_ms(started);
        Ok(results)
    }

    /// What a Chinese query's topic words that the lexicon gives no English for reach by
    /// keywords: only the papers with Chinese text, a sixth of the corpus, while the reader saw
    /// no sign of it (`投机解码` was searched as `解码` → decoder). Named, with the glossary
    /// line that teaches one. Words most Chinese papers hold (`left_out`) or more than a tenth
    /// of them (如何, "how": no topic) are not named; nothing is said when every paper has
    /// Chinese text.
    fn untranslated_note(
        &self,
        request: &SearchRequest,
        expansions: &[crate::Expansion],
        left_out: &[String],
    ) -> Result<Option<String>> {
        // Most queries hold no Chinese: they pay for no analysis here.
        if !request.query.chars().any(paperdex_core::is_han) {
            return Ok(None);
        }
        // The words searched: not those after a minus (`强化学习 -奖励` named 奖励, which no
        // search translates).
        let query = QuerySyntax::read(&request.query).words;
        let searcher = self.index.searcher();
        let Some((chinese, papers)) = self.some_papers_with_chinese(&searcher)? else { return Ok(None) };
        // Each word with the run of characters it stands in (`文生图`, cut as 文生 and 图): a
        // term's length, not a question's, whose words are no terms (怎样, 哪些, or 成长 cut
        // out of 生成长视频).
        let runs: Vec<&str> = query.split(|c: char| !paperdex_core::is_han(c)).collect();
        let mut words = Vec::new();
        for word in crate::lexicon::untranslated(&query, expansions) {
            let Some(run) = runs.iter().find(|run| run.contains(word.as_str())) else { continue };
            if run.chars().count() > TERM_CHARS || left_out.contains(&word) {
                continue;
            }
            let held_by = searcher.doc_freq(&tantivy::Term::from_field_text(self.index.fields.body, &word))?;
            if held_by * TOPIC_WORD_SHARE <= chinese {
                words.push((word, *run));
            }
        }
        let Some(&(_, term)) = words.first() else { return Ok(None) };
        let words: Vec<String> = words.into_iter().map(|(word, _)| word).collect();
        // The glossary named by its file name, not its path: the warning goes to HTTP clients.
        Ok(Some(format!(
            "no English known for {}: by keywords {} only the {chinese} papers with Chinese text (of {papers}); a line \
             `{term}<TAB>English term` in the index folder's {} teaches it",
            words.join(", "),
            if words.len() == 1 { "it finds" } else { "they find" },
            crate::lexicon::GLOSSARY_FILE
        )))
    }

    /// The papers with Chinese text and all the papers, when not every paper has Chinese
    /// text: the notes on what a Chinese word reaches have nothing to say otherwise.
    fn some_papers_with_chinese(&self, searcher: &tantivy::Searcher) -> Result<Option<(u64, u64)>> {
        let (chinese, papers) = (self.index.papers_in(searcher, paperdex_core::Lang::Zh)?, searcher.num_docs());
        Ok((chinese < papers).then_some((chinese, papers)))
    }

    /// A note for each excluded phrase in Chinese, when not every paper has Chinese text: it
    /// leaves out only the papers whose Chinese text says it. Search words are translated, but
    /// an exclusion is not (a translation that is wrong, or too broad, would leave out papers
    /// without a word): `强化学习 -奖励` still listed English papers on reward models, and the
    /// reader saw no sign of why. The note gives the lexicon's best English to add, unless the
    /// query searches for it (`RL -强化学习`).
    fn chinese_exclusion_notes(&self, excluded: &[String], searched: &str) -> Result<Vec<String>> {
        let chinese: Vec<&String> = excluded.iter().filter(|p| p.chars().any(paperdex_core::is_han)).collect();
        if chinese.is_empty() {
            return Ok(Vec::new());
        }
        let Some((with_chinese, papers)) = self.some_papers_with_chinese(&self.index.searcher())? else {
            return Ok(Vec::new());
        };
        let lexicon = self.index.lexicon();
        // Lower-case words between spaces, so a phrase is found only whole (`RL` is not in
        // `world`).
        let as_words = |text: &str| {
            let words: Vec<String> =
                text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
            format!(" {} ", words.join(" "))
        };
        Ok(chinese
            .into_iter()
            .map(|phrase| {
                let add = match lexicon.lookup(phrase, 1).first().map(|entry| entry.en.as_str()) {
                    Some(english) if as_words(searched).contains(&as_words(english)) => {
                        format!("English papers are not left out (it is {english}, which the query searches for)")
                    }
                    Some(english) if english.contains(char::is_whitespace) => {
                        format!("add -\"{english}\" to leave out English papers on it too")
                    }
                    Some(english) => format!("add -{english} to leave out English papers on it too"),
                    None => "add its English to leave out English papers on it too".to_string(),
                };
                format!(
                    "-{phrase} leaves out only papers whose Chinese text says it ({with_chinese} of the {papers} papers \
                     have Chinese text): {add}"
                )
            })
            .collect())
    }

    /// [`SearchEngine::search_until`] for the query as it is spelled: its marks read
    /// ([`QuerySyntax`]), a quoted phrase required in every hit and a word after a minus in
    /// none (a filter, so in every mode), the rest ranked as a query without marks.
    fn answer(&self, request: &SearchRequest, cancel: &Cancel) -> Result<SearchResults> {
        // A query that is only the id or link of a paper the index lacks, or the filters leave
        // out, asks for nothing else: its digits and a link's words matched papers by chance,
        // so `paperdex search 2612.99999 | head -1` printed another paper. No hit, and the note.
        let named = self.index.named_paper_in(&self.index.searcher(), &request.query, &request.filter)?;
        if named.unavailable() {
            let (mode, mut warnings) = self.effective_mode(request.mode, self.index.vectors().as_deref());
            warnings.extend(named.note());
            return Ok(SearchResults::none(&request.query, mode, warnings));
        }
        let syntax = QuerySyntax::read(&request.query);
        if !syntax.narrows() {
            let mut results = self.answer_words(request, cancel)?;
            results.warnings.extend(syntax.notes());
            return Ok(results);
        }
        let (mut text, mut notes) = TextFilter::of(&syntax);
        notes.extend(syntax.notes());
        notes.extend(text.without_unheld(&self.index.searcher(), &self.index.fields)?);
        let (required, excluded) = (text.required(), text.excluded());
        notes.extend(self.chinese_exclusion_notes(&excluded, &syntax.words)?);
        let nothing_left = text.excludes_every_word_of(&syntax.words);
        let filter = SearchFilter { text, ..request.filter.clone() };
        let mut words = if nothing_left { String::new() } else { syntax.words };
        for word in filter.text.also_searched() {
            words.push(' ');
            words.push_str(&word);
        }
        let narrowed = SearchRequest { query: words, filter, ..request.clone() };
        let mut results = match has_content(&narrowed.query) {
            true => self.answer_words(&narrowed, cancel)?,
            // `-robot` alone, newest first (`paperdex new -robot`): what is new, less that.
            false if request.sort == SortOrder::Date && !nothing_left => {
                let mut results = self.index.newest(&narrowed.filter, request.offset, request.limit)?;
                results.query.clone_from(&request.query);
                results
            }
            // By relevance: what to leave out, but nothing to look for; or the words to look for
            // all left out (`agent -agent`, whose note says so), in any order.
            false => {
                let mut results = self.answer_words(&narrowed, cancel)?;
                results.warnings.retain(|w| w != NO_CONTENT);
                if !nothing_left {
                    results.warnings.push(ONLY_EXCLUDED.to_string());
                }
                results
            }
        };
        results.warnings.extend(notes);
        (results.required, results.excluded) = (required, excluded);
        Ok(results)
    }

    /// [`SearchEngine::answer`] for a query without marks.
    fn answer_words(&self, request: &SearchRequest, cancel: &Cancel) -> Result<SearchResults> {
        let started = Instant::now();
        let vectors = self.index.vectors();
        let (mode, mut warnings) = self.effective_mode(request.mode, vectors.as_deref());
        if !has_content(&request.query) {
            // Nothing to match by words, and a vector of nothing is near everything alike:
            // every mode answers no hits, and says why (in the mode it would have searched
            // in, as any other answer: bm25 without the model).
            warnings.push(NO_CONTENT.to_string());
            let took_ms = crate::search::took_ms(started);
            return Ok(SearchResults { took_ms, ..SearchResults::none(&request.query, mode, warnings) });
        }
        if mode == SearchMode::Bm25 {
            let mut results =
                self.index.search_bm25_translated(request, self.ranker.translation, self.ranker.candidates, cancel)?;
            // The mode's own warnings first, then the keyword search's.
            results.warnings.splice(0..0, warnings);
            if results.total == 0
                && let Some(warning) = no_terms(&request.query, mode)
            {
                // The warning names the words; `left_out` is for the Chinese words most
                // Chinese papers hold, in every mode.
                results.warnings.push(warning);
            }
            return Ok(results);
        }
        let vectors = vectors.as_deref().expect("effective_mode checked the vectors");
        let embedder = self.embedder.as_deref().expect("effective_mode checked the model");
        let searcher = self.index.searcher();
        // Counted only when some paper lacks vectors: a paper without text has none to lack.
        if searcher.num_docs() > vectors.papers() as u64
            && let Some(warning) = unseen_by_meaning(self.index.papers_with_text(&searcher)?, vectors.papers())
        {
            warnings.push(warning);
        }
        // Every page whose end the same depth holds is cut from one ranking (`ranking_depths`).
        // Sorted by date, hybrid orders the keyword matches as bm25 mode does (a required
        // phrase's all), vector mode its nearest papers among the ranker's candidates (every
        // paper is near somewhat).
        let candidates = self.ranker.candidates;
        let first = match (request.sort, mode) {
            (SortOrder::Date, SearchMode::Hybrid) => request.date_order(candidates),
            _ => candidates,
        };
        let depths = request.depths(first);
        let wanted = depths[depths.len() - 1];
        // The graphs are asked for at most MAX_VECTOR_PAPERS papers whatever the offset: deep
        // pages cost BM25 (cheap) more, never the vector search.
        let vector_depth_at = |depth: usize| depth.min(crate::limits::MAX_VECTOR_PAPERS.max(self.ranker.candidates));
        let vector_depth = vector_depth_at(wanted);
        if mode == SearchMode::Vector && request.offset + request.limit > vector_depth {
            warnings.push(format!("the vector ranking stops at {vector_depth} papers: no hits are served beyond it"));
        }
        let lexicon = self.index.lexicon();
        let translation = self.ranker.translation;
        let expansions = lexicon.expand(&request.query, translation, translation * crate::search::TO_CHINESE_SHARE);
        let translated_into = crate::lexicon::translated_into(&request.query, &expansions);
        let expanded = started.elapsed();
        // A query translated into English searches the English passages with feedback from
        // its translated keyword list (`crate::feedback`): the first papers of that list are
        // sent here as soon as it is ranked, while the model embeds the query.
        let (feedback_to, feedback) = std::sync::mpsc::sync_channel::<Vec<(String, f32)>>(1);
        let feedback_to = (translated_into == Some(Lang::En)).then_some(feedback_to);
        // Embedding the query takes milliseconds on one core; meanwhile the other runs the
        // keyword search and reads and highlights the papers it ranks first, which are most
        // of a hybrid first page.
        let section = request.filter.section;
        let (ranked, keywords, embedded, ranked_by_meaning) = rayon::in_place_scope(|scope| {
            // The papers a filter admits are found (a tantivy query) while the model works:
            // how many, and their passages.
            let admitted = (!request.filter.is_empty()).then(|| {
                parallel::spawn(scope, || -> Result<Option<(usize, AdmittedPassages)>> {
                    let admitted = self.index.admitted_papers(&searcher, &request.filter)?;
                    Ok(admitted.map(|admitted| (admitted.len(), admitted.passages(vectors))))
                })
            });
            // The translated keyword list: first, for the feedback, then part of hybrid's
            // keyword list. Vector mode ranks it only for the feedback.
            let translated_list = |n: usize| -> Result<Option<KeywordMatches>> {
                let translated =
                    self.index.translated_matches(&searcher, &request.query, &expansions, &request.filter, n)?;
                if let (Some(to), Some(list)) = (feedback_to, &translated) {
                    let first: Vec<_> = list.hits.iter().take(FEEDBACK_PAPERS).map(|&(_, address)| address).collect();
                    let ids = self.index.ids_at(&searcher, &first)?;
                    let scored = ids.into_iter().zip(list.hits.iter().map(|&(score, _)| score)).collect();
                    // Nobody waits any more when the search has already failed.
                    let _ = to.send(scored);
                }
                Ok(translated)
            };
            let keywords = match mode {
                SearchMode::Hybrid => Some(parallel::spawn(scope, || {
                    let begun = Instant::now();
                    // The first depth's lists feed the vectors' feedback.
                    let mut first = Some(|depth: usize| {
                        let own =
                            || self.index.own_matches(&searcher, &request.query, &expansions, &request.filter, depth);
                        let (own, translated) = if crate::search::has_translated_list(&expansions, &request.filter) {
                            // The two keyword lists are ranked at once, the translated one
                            // first here, since the feedback waits for it.
                            let (translated, own) = rayon::join(|| translated_list(depth), own);
                            (own, translated)
                        } else {
                            // No list to rank (and no feedback: the channel closes at once).
                            let translated = translated_list(depth);
                            (own(), translated)
                        };
                        Ok(self.index.merged_matches(&searcher, &request.query, own?, translated?, depth))
                    });
                    // Each depth's own list, as in bm25 mode: a deeper list's first papers are
                    // not the shallower one's (pruning keeps more candidates), and cut from the
                    // deepest list alone, pages past the first depth served papers of the pages
                    // before it again (`奖励模型`: 2505.22653 at 53 and at 125) and skipped others.
                    // A search whose client has gone stops between rankings, as bm25 mode does.
                    let matches = crate::search::matches_to_depths(&depths, |depth| {
                        cancel.check()?;
                        match first.take() {
                            Some(first) => first(depth),
                            None => self.index.keyword_matches(
                                &searcher,
                                &request.query,
                                &expansions,
                                &request.filter,
                                depth,
                            ),
                        }
                    })?;
                    cancel.check()?;
                    let list = self.keyword_list(&searcher, matches, request.sort == SortOrder::Date)?;
                    let highlighter = Highlighter::for_search(
                        &self.index,
                        &searcher,
                        list.query.as_deref(),
                        &list.left_out,
                        request,
                        &expansions,
                    );
                    let prefetch = if request.offset == 0 { request.limit.min(PREFETCH_HITS) } else { 0 };
                    let prefetched: HashMap<String, SearchHit> = list
                        .ranked
                        .iter()
                        .take(prefetch)
                        .filter_map(|(id, _)| {
                            // A paper that cannot be read here is read (and its error reported)
                            // on the main path, which stops there when the client has gone.
                            cancel.check().ok()?;
                            let paper = self.index.paper_by_id_in(&searcher, id).ok()?;
                            Some((id.clone(), highlighter.hit(&paper, 0.0)))
                        })
                        .collect();
                    Ok::<_, IndexError>((list, highlighter, prefetched, begun.elapsed()))
                })),
                _ => {
                    if translated_into == Some(Lang::En) {
                        // Its failure is the feedback's absence, and the query's own vector
                        // searches instead.
                        scope.spawn(|_| {
                            let _ = translated_list(FEEDBACK_PAPERS);
                        });
                    }
                    None
                }
            };
            let embedding = Instant::now();
            let query_vector = embedder.embed(&[request.query.as_str()], Role::Query);
            let embedded = started.elapsed();
            let embedding = embedding.elapsed();
            // The vectors are ranked while the keyword thread may still run: when the query's
            // vector comes from the cache, its list is what the answer waits for.
            let ranked = (|| -> Result<_> {
                let query_vector = query_vector?.pop().unwrap_or_default();
                let (filtered, admitted) = admitted.map(parallel::Task::join).transpose()?.flatten().unzip();
                cancel.check()?;
                // Vectors rank a query's own language first whatever the topic: rank within
                // each language, then merge by rank over the languages' shares of the papers,
                // so the list compares like with like.
                let english = || {
                    let papers = parallel::receive(&feedback)?;
                    let passages = |id: &String| {
                        vectors
                            .set
                            .live_chunks_of(id)
                            .filter(|c| c.lang == Lang::En)
                            .map(|c| c.vector)
                            .collect::<Vec<_>>()
                    };
                    let weights = crate::feedback::paper_weights(&papers.iter().map(|p| p.1).collect::<Vec<_>>());
                    feedback_vector(papers.iter().zip(weights).map(|((id, _), w)| (w, passages(id))), &query_vector)
                };
                let per_language = vector_rankings(vectors, &query_vector, english, vector_depth, admitted.as_ref());
                let rankable = admitted.as_ref().map_or(vectors.papers(), AdmittedPassages::papers);
                let papers = filtered.unwrap_or(searcher.num_docs() as usize);
                Ok((query_vector, per_language, rankable, papers))
            })();
            let ranked_by_meaning = started.elapsed();
            (ranked, keywords.map(parallel::Task::join), (embedded, embedding), ranked_by_meaning)
        });
        let (embedded, embedding) = embedded;
        let keywords_joined = started.elapsed();
        // `papers`: how many the filters admit.
        let (query_vector, per_language, rankable, papers) = ranked?;
        cancel.check()?;
        // Vector mode weighs each language's list by its share of the papers, as the keyword
        // lists are. Hybrid keeps them one for one: its keyword list already weighs the
        // languages, and the fusion lifts the papers keywords cannot see by their vector rank;
        // weighing the vector list too lowered hybrid's MAP on the development set (0.721 →
        // 0.704, PERFORMANCE.md "Chinese queries, session 10") where vector mode gained 0.11
        // nDCG@10.
        let shares = match mode {
            SearchMode::Vector => self.index.language_shares(&searcher),
            _ => LanguageShares::EQUAL,
        };
        let [chinese, english] = per_language;
        // The vector ranking as a search to `depth` would have made it: each language's list
        // to that depth, merged.
        let by_meaning_at = |ranked_to: usize| {
            let depth = vector_depth_at(ranked_to);
            let mut merged = interleave_by_share(
                &[
                    (&chinese[..chinese.len().min(depth)], shares.of(Lang::Zh)),
                    (&english[..english.len().min(depth)], shares.of(Lang::En)),
                ],
                |x| x.0.clone(),
                |x| x.1,
            );
            // The two languages' lists hold up to twice the depth. Vector mode serves no paper
            // past it, as its warning says. Hybrid fuses the first depth's two lists whole
            // (they make its first pages, as measured) and past them, or once the depth is the
            // vectors' cap, takes the merged list to the depth as vector mode does, so its pages
            // end where its total says: it had served 1,918 papers of `MMLU` under a total of
            // about 1,000.
            if mode == SearchMode::Vector || ranked_to > depths[0] || depth == vector_depth_at(usize::MAX) {
                merged.truncate(depth);
            }
            merged
        };
        // The vectors rank every paper with passages the filter admits, up to their cap.
        let vector_total = rankable.min(crate::limits::MAX_VECTOR_PAPERS.max(self.ranker.candidates));
        // Where hybrid answers a set rather than a ranking, the set is what the words match, in
        // the query's language or translated: the vectors reorder the keyword matches and add
        // none. Restricted to a section group, the words must match in it (vectors are per
        // passage, not per section). Ordered by date, a paper the vectors alone find would be
        // dated among the matches: every paper is somebody's nearest neighbour, so `new --since
        // DAY glacier` listed every new paper, glaciers or not. Each depth's ranking keeps its
        // matches before the next carries it on: a match that a shallow ranking held by its
        // vector rank alone (its keyword rank lay deeper) was otherwise never counted one.
        let keywords_only = mode == SearchMode::Hybrid && (section.is_some() || request.sort == SortOrder::Date);
        let mut keywords_time = None;
        let mut keyword_days = HashMap::new();
        let (fused, highlighter, mut prefetched, (bm25_total, bm25_estimate), left_out, leaders, words) = match keywords
        {
            Some(keywords) => {
                let (
                    KeywordList { ranked: by_words, total, left_out, singled_out, query: words, first_seen },
                    highlighter,
                    prefetched,
                    keywords_took,
                ) = keywords?;
                keywords_time = Some(keywords_took);
                keyword_days = first_seen;
                let languages = keyword_languages(&request.query, translated_into);
                let keywords_see = |id: &String| languages.iter().any(|&lang| has_language(vectors, id, lang));
                let leaders: Vec<String> = by_words.iter().take(singled_out).map(|(id, _)| id.clone()).collect();
                let fused = ranked_to_depths(
                    &depths,
                    |depth| {
                        let words = &by_words[..by_words.len().min(depth)];
                        let mut fused =
                            fuse_where_keywords_see(words, &by_meaning_at(depth), self.ranker.fusion, keywords_see);
                        if keywords_only {
                            fused.retain(|f| f.bm25.is_some());
                        }
                        put_first(&mut fused, &leaders);
                        Ok(fused)
                    },
                    |f| f.key.clone(),
                )?;
                (fused, highlighter, prefetched, total, left_out, leaders, words)
            }
            None => {
                // Vector mode marks the query's words where a passage holds them, as hybrid
                // does for the hits its vectors bring in: it showed every passage unmarked.
                let (words, left_out) = self.index.highlight_query(&searcher, &request.query, &expansions, section);
                let highlighter =
                    Highlighter::for_search(&self.index, &searcher, words.as_deref(), &left_out, request, &expansions);
                let fused = ranked_to_depths(
                    &depths,
                    |depth| Ok(fuse(&[], &by_meaning_at(depth), self.ranker.fusion)),
                    |f| f.key.clone(),
                )?;
                (fused, highlighter, HashMap::new(), (0, false), Vec::new(), Vec::new(), None)
            }
        };
        // A query that names a paper by its id or link puts that paper first, in either order
        // (`PaperIndex::named_paper_in`): in a date order too, where its words match nothing.
        // It is a match, as bm25 mode counts it: its digits are rarely any paper's words, and
        // hybrid told the reader of `2602.02958` that no paper held them while it named the
        // paper first.
        let named = self.index.named_paper_in(&searcher, &request.query, &request.filter)?;
        let named_by_words = match named.found() {
            Some((_, address)) => self.index.matches_at(&searcher, words.as_deref(), address)?,
            None => false,
        };
        let keyword_matches = bm25_total + usize::from(named.found().is_some() && !named_by_words);
        if mode == SearchMode::Hybrid && keyword_matches == 0 {
            match no_terms(&request.query, if keywords_only { SearchMode::Bm25 } else { mode }) {
                Some(warning) => warnings.push(warning),
                // The vectors rank every paper, near or not: without a keyword match the reader
                // must be told that the list is the nearest papers, not papers about the query
                // (`protein folding` over a day without one listed the whole day, unmarked).
                None if !keywords_only && !fused.is_empty() => warnings.push(NO_KEYWORD_MATCH.to_string()),
                // A section or a date order keeps the keyword matches alone, so the answer is
                // empty: an agent read `No papers found` where 18 papers by meaning fitted the
                // filters, with no word of why.
                None if keywords_only => warnings.push(only_keyword_matches(section.is_some())),
                None => {}
            }
        }
        let mut fused = fused;
        // The same on every page: a count that grew with the depth a page asks for told a
        // reader paging through `agent` of 2,302 matches, then 2,901, then 3,134.
        let every_keyword_match = !bm25_estimate && fused.iter().filter(|f| f.bm25.is_some()).count() == bm25_total;
        let (mut total, total_is_estimate) = match mode {
            _ if keywords_only => (bm25_total, bm25_estimate),
            SearchMode::Vector => (vector_total, false),
            // Hybrid answers the keyword matches and the papers the vectors rank: counted when
            // this page saw both whole. Else both totals less the papers both lists of the first
            // depth hold (every page has that ranking, so the same on every page): at least what
            // the pages serve, so a reader or a script paging to the total never stops short.
            // The larger of the two did ("KV cache quantization" served 1,267 papers under
            // "about 1,000").
            _ if every_keyword_match && rankable <= vector_depth => (fused.len(), false),
            // Every paper the filters admit matches the words, counted (a quoted phrase's
            // papers: its words are searched too): both sides' papers are those, exactly. It
            // was `about 261` of a count the other modes gave exact.
            _ if !bm25_estimate && bm25_total >= papers => (papers, false),
            _ => {
                let (keyword_depth, vector_depth) = (depths[0], vector_depth_at(depths[0]));
                let in_both = |f: &&Fused<String>| {
                    f.bm25.is_some_and(|(rank, _)| rank <= keyword_depth)
                        && f.vector.is_some_and(|(rank, _)| rank <= vector_depth)
                };
                let shared = fused.iter().filter(in_both).count();
                ((bm25_total + vector_total).saturating_sub(shared).max(bm25_total.max(vector_total)), true)
            }
        };
        // Whether the rankings hold the named paper is read before a date order cuts them to
        // its depth.
        let named_ranked = named.found().is_some_and(|(id, _)| fused.iter().any(|f| f.key == id));
        if request.sort == SortOrder::Date {
            // Newest first among the best `depth` (ties keep their relevance order), the best
            // of each band apart ([`SearchRequest::date_bands`], [`newest_first_by_depth`]);
            // those are all the answer pages through. The total stays every match: the pages
            // walk them all, band by band.
            fused.truncate(wanted);
            newest_first_by_depth(&mut fused, &request.date_bands(&depths), |f| match keyword_days.get(&f.key) {
                Some(&day) => day,
                None => self.index.first_seen_of(&searcher, &f.key),
            });
        }
        if let Some((id, _)) = named.found() {
            let id = id.to_string();
            if !fused.iter().any(|f| f.key == id) {
                let score = fused.first().map_or(0.0, |f| f.score);
                fused.insert(0, Fused { key: id.clone(), score, bm25: None, vector: None });
                // The total already counts it when the words match it, or when the vectors
                // rank every paper and it has vectors (it lies deeper than this page's
                // depth): 838 of 837 papers, else.
                let by_vectors =
                    !keywords_only && rankable <= vector_total && vectors.set.live_chunks_of(&id).next().is_some();
                total += usize::from(!named_by_words && !by_vectors && !named_ranked);
            }
            put_first(&mut fused, std::slice::from_ref(&id));
        }
        // Never more than the filters admit (an estimate can say more): a common query's two
        // counts overlap far more than their first lists show ("强化学习 奖励模型" said about
        // 11,967 of the index's 11,337 papers; `agent --since 2026-08-01` about 498 of the 414
        // papers since).
        total = total.min(papers);
        warnings.extend(named.note());
        let fused_at = started.elapsed();
        let mut hits = Vec::new();
        for f in fused.iter().skip(request.offset) {
            if hits.len() == request.limit {
                break;
            }
            cancel.check()?;
            if let (Some(mut hit), Some(_)) = (prefetched.remove(&f.key), f.bm25) {
                hit.score = f.score;
                hit.bm25_rank = f.bm25.map(|(r, _)| r);
                hit.bm25_score = f.bm25.map(|(_, s)| s);
                hit.vector_rank = f.vector.map(|(r, _)| r);
                hit.vector_score = f.vector.map(|(_, s)| s);
                hits.push(hit);
                continue;
            }
            match self.hit(&searcher, &highlighter, vectors, &query_vector, &f.key, f.score, f.bm25, f.vector) {
                Ok(hit) => hits.push(hit),
                // The vectors and this searcher come from two commits (another process
                // committed between loading them): a paper only one side knows is left out.
                Err(IndexError::PaperNotFound(_)) => {}
                Err(error) => return Err(error),
            }
        }
        hits.iter_mut().for_each(|hit| hit.singled_out = leaders.contains(&hit.id));
        let took = started.elapsed();
        // The split of an answer's time (PERFORMANCE.md): `RUST_LOG=paperdex_index::engine=debug`.
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        tracing::debug!(
            mode = mode.as_str(),
            translated = translated_into.is_some(),
            expanded_ms = ms(expanded),
            embedding_ms = ms(embedding),
            embedded_ms = ms(embedded),
            keywords_ms = keywords_time.map(ms),
            vectors_ms = ms(ranked_by_meaning - embedded),
            waited_for_keywords_ms = ms(keywords_joined - ranked_by_meaning),
            fused_ms = ms(fused_at - keywords_joined),
            hits_ms = ms(took - fused_at),
            took_ms = ms(took),
            "search stages"
        );
        Ok(SearchResults {
            query: request.query.clone(),
            mode,
            took_ms: ms(took),
            total,
            total_is_estimate,
            hits,
            warnings,
            expansions,
            left_out,
            required: Vec::new(),
            excluded: Vec::new(),
        })
    }

    /// BM25's `matches` by paper id, with each one's first-seen day when `dated` (a date order).
    fn keyword_list(&self, searcher: &Searcher, matches: KeywordMatches, dated: bool) -> Result<KeywordList> {
        let addresses: Vec<_> = matches.hits.iter().map(|&(_, address)| address).collect();
        let ids = self.index.ids_at(searcher, &addresses)?;
        // Read here, on the keyword thread while the model embeds the query, by address: by id
        // on the main path, a phrase's date order of 1,000 matches cost 3 ms more of a hybrid
        // answer.
        let first_seen = match dated {
            true => ids
                .iter()
                .zip(&addresses)
                .map(|(id, &at)| (id.clone(), self.index.first_seen_at(searcher, at)))
                .collect(),
            false => HashMap::new(),
        };
        let ranked = ids.into_iter().zip(matches.hits.iter().map(|&(score, _)| score)).collect();
        Ok(KeywordList {
            first_seen,
            ranked,
            singled_out: matches.singled_out,
            query: matches.query,
            total: (matches.total, matches.total_is_estimate),
            left_out: matches.left_out,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn hit(
        &self,
        searcher: &Searcher,
        highlighter: &Highlighter,
        vectors: &Vectors,
        query_vector: &[f32],
        id: &str,
        score: f32,
        bm25: Option<(usize, f32)>,
        vector: Option<(usize, f32)>,
    ) -> Result<SearchHit> {
        let paper = self.index.paper_by_id_in(searcher, id)?;
        let mut hit = highlighter.hit(&paper, score);
        if bm25.is_none() {
            // No keyword matched: show the passage the vectors matched best (when the search
            // was restricted to a section group, only if it comes from that group), its text
            // from the section group it is labelled with (`Chunk::body_in`).
            if let Some(passage) = best_passage(vectors, &paper, query_vector) {
                let group = passage.section.map_or(paperdex_core::SectionGroup::Title, |kind| kind.group());
                let text = passage.body_in(group);
                if highlighter.searches(group) && crate::highlight::says_something(&text) {
                    // The query's words where the passage holds them (a paper below the
                    // keyword list's depth, or holding a word in another form), else its start.
                    (hit.snippet, hit.highlights) = highlighter.passage_snippet(&text);
                    hit.section = Some(group);
                }
            }
        }
        hit.bm25_rank = bm25.map(|(r, _)| r);
        hit.bm25_score = bm25.map(|(_, s)| s);
        hit.vector_rank = vector.map(|(r, _)| r);
        hit.vector_score = vector.map(|(_, s)| s);
        Ok(hit)
    }
}

/// BM25's answer by paper id, with the parsed query (for highlighting) and the number of
/// matching papers (and whether it is an estimate).
struct KeywordList {
    ranked: Vec<(String, f32)>,
    /// How many of the first papers the words single out ([`crate::search::DECISIVE_LEAD`]).
    singled_out: usize,
    query: Option<Box<dyn tantivy::query::Query>>,
    total: (usize, bool),
    left_out: Vec<String>,
    /// The first-seen day of each paper of `ranked`, when asked for (a date order).
    first_seen: HashMap<String, u64>,
}

/// Papers ranked by their best passage, separately for each language (searched at once):
/// Chinese, then English. The Chinese passages are searched with `query`; the English ones
/// with what `english` gives (the feedback of a query translated into English, waited for
/// while the Chinese passages are searched), else with `query` too. With `admitted`, only
/// those passages are searched (a filter).
fn vector_rankings(
    vectors: &Vectors,
    query: &[f32],
    english: impl FnOnce() -> Option<Vec<f32>>,
    papers: usize,
    admitted: Option<&AdmittedPassages>,
) -> [Vec<(String, f32)>; 2] {
    let rank = |query: &[f32], lang: Lang| {
        // A paper has a few passages per language; over-fetch so `papers` distinct remain.
        let nearest = match admitted {
            None => vectors.nearest(query, papers * 3, lang),
            Some(admitted) => vectors.nearest_admitted(query, papers * 3, lang, admitted),
        };
        vectors.best_per_paper(nearest, papers, |_| true)
    };
    rayon::in_place_scope(|scope| {
        let chinese = parallel::spawn(scope, || rank(query, Lang::Zh));
        let english = match english() {
            Some(feedback) => rank(&feedback, Lang::En),
            None => rank(query, Lang::En),
        };
        [chinese.join(), english]
    })
}

/// Why a query without a letter or digit gets no hits.
pub(crate) const NO_CONTENT: &str = "the query has no letter or digit to search for: no hits";

/// The warning for a query that only says what to leave out (`-vision`).
pub(crate) const ONLY_EXCLUDED: &str =
    "the query only names what to leave out (a word after a minus): give words to search for too; no hits";

/// The start of the warning for a query none of whose words keyword search indexes.
pub(crate) const NO_TERMS: &str =
    "keyword search indexes no word of the query (stop words such as \"the\" are left out)";

/// Why a hybrid answer lists papers that hold none of the query's words.
pub(crate) const NO_KEYWORD_MATCH: &str = "no paper holds the query's words (or their translations) within the \
     filters: the hits are by meaning alone, the nearest papers first, and may not be about the query";

/// What a page says when its ranking ends before the total, which was an estimate: a reader
/// paging to `about 3,908` met empty pages from 3,306 on with no word of why (hybrid and
/// bm25 estimate the matches of a common query; an exact total is what the pages serve).
fn ranking_ends_short(request: &SearchRequest, results: &SearchResults) -> Option<String> {
    let served = request.offset + results.hits.len();
    if !results.total_is_estimate || results.hits.len() == request.limit || served >= results.total {
        return None;
    }
    let total = crate::search::total_text(results.total, true);
    Some(match results.hits.is_empty() {
        true => format!(
            "no papers from {} on: the ranking ends before the total ({total}), which is an estimate; ask with a \
             smaller offset",
            request.offset + 1
        ),
        false => format!("the ranking ends here, at {served} papers: the total ({total}) is an estimate"),
    })
}

/// Why a hybrid answer restricted to a section group (`in_section`) or ordered by date is empty
/// when no paper holds the query's words: it lists keyword matches only, and where to look by
/// meaning.
fn only_keyword_matches(in_section: bool) -> String {
    let (restricted, why) = match in_section {
        true => ("restricted to a section", "vectors are of passages, not of sections"),
        false => ("ordered by date", "every paper is some query's nearest"),
    };
    format!(
        "no paper holds the query's words (or their translations) within the filters; {restricted}, hybrid \
         search lists only papers the words match ({why}): vector mode lists the nearest papers by meaning"
    )
}

/// What a meaning search cannot see: of `with_text` papers that have text, those without
/// vectors (written or changed by an ingest without the model; the next ingest with the model
/// embeds them), when only `with_vectors` have. Else `None`. The reader of a vector or hybrid
/// answer must know that a paper missing from it may only be missing its vectors.
fn unseen_by_meaning(with_text: u64, with_vectors: usize) -> Option<String> {
    let unseen = with_text.saturating_sub(with_vectors as u64);
    (unseen > 0).then(|| {
        format!(
            "{unseen} of {with_text} papers have no vectors yet (ingested without the model): meaning search \
             cannot find them until the next ingest with the model available embeds them"
        )
    })
}

/// Why keyword search found nothing for `query` in `mode` (`Bm25` for a hybrid search that lists
/// keyword matches only: a date order, a section), with the query's words, when the
/// index's analyzer makes no term of any of them (`the of and`: stop words; `²³`); else
/// `None`. Asked only of a keyword list that came back empty, so the query is analysed again
/// only then: the user should know why rather than see an empty list.
fn no_terms(query: &str, mode: SearchMode) -> Option<String> {
    let mut analyzer = crate::analysis::word_analyzer();
    if !crate::analysis::analyze(&mut analyzer, query).is_empty() {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    let words: Vec<&str> =
        query.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && seen.insert(*w)).collect();
    if words.is_empty() {
        return None;
    }
    let outcome = if mode == SearchMode::Bm25 { "no hits" } else { "the hits are by meaning alone" };
    // Each word once, and no more of them than a client's input is ever quoted back.
    Some(format!("{NO_TERMS}: {}; {outcome}", crate::limits::echo(&words.join(", "))))
}

/// Whether `query` has anything to search for: a letter or a digit, in any script. (Emoji,
/// punctuation, `*` and control characters alone match nothing by words, and their vector
/// is about equally near every passage.)
fn has_content(query: &str) -> bool {
    query.chars().any(char::is_alphanumeric)
}

/// The languages `query` has words in: Chinese for Han characters, English for other letters.
/// A query without letters (an id, a year) is taken to be in both.
pub(crate) fn query_languages(query: &str) -> Vec<Lang> {
    let han = query.chars().any(paperdex_core::is_han);
    let latin = query.chars().any(|c| c.is_alphabetic() && !paperdex_core::is_han(c));
    match (han, latin) {
        (true, false) => vec![Lang::Zh],
        (false, true) => vec![Lang::En],
        _ => vec![Lang::Zh, Lang::En],
    }
}

/// The languages hybrid's keyword lists can see papers in: the query's own
/// ([`query_languages`]), and English when the query was translated into it (`translated_into`:
/// its translation says most of what the query says, [`crate::lexicon::translated_into`]): its
/// English list then ranks the English-only papers on their own terms, and missing from it is
/// evidence too. A paper in none of them takes its keyword share from its vector rank
/// (fusion); for the English-only papers of a well translated Chinese query that counted a
/// weak vector list twice (hybrid Chinese questions 0.600 → 0.662 without it: development
/// set, PERFORMANCE.md "Chinese queries, session 13").
/// A partial translation (a small index's lexicon knows a word or two) still leaves them to
/// their vector rank.
fn keyword_languages(query: &str, translated_into: Option<Lang>) -> Vec<Lang> {
    let mut languages = query_languages(query);
    if translated_into == Some(Lang::En) && !languages.contains(&Lang::En) {
        languages.push(Lang::En);
    }
    languages
}

/// Whether paper `id` has text in `lang`. A paper without vectors (ingested without the
/// model) counts in every language, so keyword hits on it are never dropped.
fn has_language(vectors: &Vectors, id: &str, lang: Lang) -> bool {
    let mut chunks = vectors.set.live_chunks_of(id).peekable();
    chunks.peek().is_none() || chunks.any(|c| c.lang == lang)
}

/// `paper`'s passage closest to `query`.
fn best_passage(vectors: &Vectors, paper: &paperdex_core::Paper, query: &[f32]) -> Option<paperdex_embed::Chunk> {
    let mut chunks = chunk(paper);
    let best = vectors
        .set
        .live_chunks_of(paper.id.as_str())
        .enumerate()
        .map(|(i, c)| (i, crate::vectors::dot(c.vector, query)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (best.0 < chunks.len()).then(|| chunks.swap_remove(best.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_in_the_languages_it_has_words_in() {
        assert_eq!(query_languages("强化学习 奖励模型"), [Lang::Zh]);
        assert_eq!(query_languages("KV cache quantization"), [Lang::En]);
        assert_eq!(query_languages("KV cache 量化"), [Lang::Zh, Lang::En]);
        // No letters at all: keywords could match papers of either language.
        assert_eq!(query_languages("2602.02958"), [Lang::Zh, Lang::En]);
    }

    #[test]
    fn a_chinese_query_translated_into_english_sees_the_english_papers_by_keywords() {
        let hallucination = crate::lexicon::Expansion {
            from: "幻觉".into(),
            to: "hallucination".into(),
            terms: vec!["hallucin".into()],
            lang: Lang::En,
            weight: 0.5,
            source: crate::lexicon::LexiconSource::Parallel,
            at: 0..6,
        };
        let sees = |query: &str, expansions: &[crate::lexicon::Expansion]| {
            let translated_into = crate::lexicon::translated_into(query, expansions);
            keyword_languages(query, translated_into)
        };
        assert_eq!(sees("幻觉", std::slice::from_ref(&hallucination)), [Lang::Zh, Lang::En]);
        // Untranslated, or translated in a small part, its keywords cannot tell much of an
        // English-only paper.
        assert_eq!(sees("幻觉", &[]), [Lang::Zh]);
        assert_eq!(sees("自动调节超参数的幻觉", std::slice::from_ref(&hallucination)), [Lang::Zh]);
        assert_eq!(sees("KV cache 量化", &[]), [Lang::Zh, Lang::En]);
    }

    #[test]
    fn a_query_has_content_when_it_has_a_letter_or_digit_in_any_script() {
        for empty in ["\0", "😀🎉", "*", "  ", "?!", "\u{200b}"] {
            assert!(!has_content(empty), "{empty:?}");
        }
        for real in ["a", "量化", "2602", "KV*"] {
            assert!(has_content(real), "{real:?}");
        }
    }
}
