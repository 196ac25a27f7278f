//! The bilingual lexicon: Chinese words and phrases ↔ English terms, learned from the corpus
//! at ingest and stored with each generation, so a Chinese query can reach English-only papers
//! (and the reverse) by keywords.
//!
//! - **Learning** ([`learn`]) uses two sources the digests already hold, and the embedding model
//!   for what they leave out:
//!   - *bracket pairs*: Chinese summaries write a term with its English in brackets
//!     (`检索增强生成（RAG）`, `幻觉（hallucination）`) or the reverse (`RAG（检索增强生成）`). The
//!     Chinese extent of a pair is not marked; every suffix of the Han run before the bracket
//!     is counted, and a suffix is kept when a longer one is not as well supported (the longest
//!     run the occurrences agree on is the term).
//!   - *parallel papers*: a paper with Chinese text and English text (a summary beside an
//!     abstract, a Chinese summary under an English title, English terms inside Chinese prose)
//!     is one aligned pair of bags of words. A word translation model (IBM Model 1, trained by
//!     EM in both directions) learns which English stem explains which Chinese word; a pair is
//!     kept when each side is a likely translation of the other.
//!   - *embedding neighbours* (`neighbours.rs`): a common Chinese term neither source
//!     translates (小模型, 长文本) gets the common English term the model places nearest it,
//!     when that term has it nearest of all Chinese terms too, clearly ahead of other words.
//! - **The user's glossary** ([`parse_glossary`]): a TSV of term pairs given to ingest (stored
//!   with the lexicon and carried over by later ingests) or placed in the index folder as
//!   `glossary.tsv` (read when the index is opened, and again by the first search after it
//!   changes); it adds pairs or overrides learned ones.
//! - **Lookup** ([`Lexicon::expand`]): a query is cut the same way, every known phrase in it
//!   (a bracketed term and the words inside it) is looked up, and each yields at most [`MAX_TRANSLATIONS`] translations whose weights
//!   share one budget, so a word with many translations counts no more than a word with one.
//!
//! Terms are kept both as written (`en`, `zh`, shown to users and embedded) and as the index
//! analyses them (`en_terms`, `zh_terms`), so lookups and BM25 clauses need no analysis of
//! the lexicon at load time.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use paperdex_core::{Lang, Paper, SectionKind, is_han};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::phrase_analyzer;
use crate::error::{IndexError, Result};
use crate::generation::CommitPayload;
use crate::limits::quote;
pub use crate::neighbours::{NoTermVectors, TermVectors};
use crate::neighbours::{TermVectorCache, VOCABULARY_PAPERS, Vocabulary, neighbour_entries};
use crate::paper_index::PaperIndex;
use crate::stored_papers::StoredPapers;

/// The version of the learning below; a lexicon built by another version is rebuilt by the
/// next ingest.
pub const LEXICON_VERSION: u32 = 11;
/// The most translations one query phrase expands into.
pub const MAX_TRANSLATIONS: usize = 3;
/// The longest term (in characters) either side of a glossary pair may have: a query is cut
/// into phrases of at most [`MAX_PHRASE_CHARS`], and a longer English side would be a query
/// of its own on every search of the term.
const MAX_GLOSSARY_TERM_CHARS: usize = 100;
/// The file name of a glossary placed in the index folder.
pub const GLOSSARY_FILE: &str = "glossary.tsv";

pub(crate) const LEXICON_DIR: &str = "lexicon";
/// The share of a query's words (by characters) its translated phrases must cover for the
/// query to count as translated (see [`translated_into`]). 0.3 raised the 15 Chinese questions
/// of the development set (hybrid nDCG@10 0.513 → 0.538, all of it one query) but lost a
/// cross-language query on a small index, whose lexicon is learned from a few dozen papers
/// (`tests/e2e/semantic.rs`): kept at half (PERFORMANCE.md).
const MIN_TRANSLATED_SHARE: f32 = 0.5;
/// The longest phrase (in analysed words) a lexicon entry or a lookup spans.
const MAX_PHRASE_WORDS: usize = 4;
/// The longest Chinese phrase (in characters) a query is cut around ([`Lexicon::phrase_cut`]).
const MAX_PHRASE_CHARS: usize = 12;
/// A bracket pair must be seen this often to be believed.
const MIN_BRACKET_COUNT: u32 = 2;
/// A longer Chinese suffix replaces a shorter one when it carries at least this share of the
/// shorter one's occurrences.
const EXTENSION_SHARE: f32 = 0.5;
/// A bracket pair must make up this share of its Chinese side's brackets.
const MIN_BRACKET_SHARE: f32 = 0.15;
/// Papers a word must share with a translation to be associated with it.
const MIN_PARALLEL_COUNT: u32 = 3;
/// Papers a pair with a two-word phrase on either side must be seen in: phrases are many
/// and each is rarer than its words, so three papers leave the model guessing (about half of
/// the pairs seen in three papers were wrong, most of those seen in five right).
const MIN_PHRASE_COUNT: u32 = 5;
/// A paper needs this many distinct words on each side to count as a parallel pair.
const MIN_SIDE_WORDS: usize = 3;
/// How many translations the parallel papers give one Chinese word at most.
const PARALLEL_CANDIDATES: usize = 3;

/// Where a lexicon entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum LexiconSource {
    /// A Chinese term written with its English in brackets, or the reverse.
    Bracket,
    /// Words that occur together in papers with text in both languages.
    Parallel,
    /// The user's glossary.
    Glossary,
    /// Mutual nearest neighbours in the embedding model, for a Chinese term the other sources
    /// do not translate (`neighbours.rs`).
    Embedding,
}

impl LexiconSource {
    /// The name shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            LexiconSource::Bracket => "bracket",
            LexiconSource::Parallel => "parallel",
            LexiconSource::Glossary => "glossary",
            LexiconSource::Embedding => "embedding",
        }
    }
}

/// One Chinese ↔ English pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LexiconEntry {
    /// The Chinese side as written.
    pub zh: String,
    /// The English side as written.
    pub en: String,
    /// The Chinese side as analysed (jieba words).
    pub zh_terms: Vec<String>,
    /// The English side as analysed (stems).
    pub en_terms: Vec<String>,
    /// How much the pair is believed, 0 to 1 (0 in a glossary removes the pair).
    pub weight: f32,
    /// Where it comes from.
    pub source: LexiconSource,
    /// The evidence: bracket occurrences, papers shared, the glossary line, or (from the
    /// embedding model) the papers that hold the Chinese term.
    pub count: u32,
}

/// What is stored for one generation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LexiconFile {
    /// [`LEXICON_VERSION`] of the learning.
    pub version: u32,
    /// Papers it was learned from.
    pub papers: u64,
    /// Papers with text in both languages among them.
    pub parallel_papers: u64,
    /// Seconds the learning took.
    pub seconds: f64,
    /// Whether the learning had the embedding model, so every term the embedding model's pairs
    /// are chosen from had its vector (without it, only the terms whose vectors were cached
    /// by an earlier learning: a `--no-model` write's new terms had none). A lexicon learned
    /// without is learned again by the next write with the model; one stored before this was
    /// recorded reads as without.
    #[serde(default)]
    pub term_vectors: bool,
    /// Every pair, learned and from the glossary given to ingest.
    pub entries: Vec<LexiconEntry>,
}

/// One translation of part of a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expansion {
    /// The part of the query translated, as written in the lexicon.
    pub from: String,
    /// The translation as written.
    pub to: String,
    /// The translation as the index analyses it.
    #[serde(skip)]
    pub terms: Vec<String>,
    /// The language of the translation.
    pub lang: Lang,
    /// The weight its words get in the keyword query, relative to a query word's 1.
    pub weight: f32,
    /// Where the pair comes from.
    pub source: LexiconSource,
    /// Where in the query the translated part stands (bytes; the hull of every part that gave
    /// the same translation).
    #[serde(skip)]
    pub at: std::ops::Range<usize>,
}

/// The lexicon of one generation, indexed for lookups both ways.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// The folder name of the generation's file (`None` for a lexicon made in memory).
    pub name: Option<String>,
    /// What was stored (without the index folder's glossary).
    pub file: LexiconFile,
    /// The stored pairs with the index folder's glossary applied: what lookups see.
    entries: Vec<LexiconEntry>,
    /// When the index folder's glossary was last changed, as read (to notice an edit).
    pub(crate) glossary_modified: Option<std::time::SystemTime>,
    /// Chinese key (zh terms joined) → entries, best first.
    by_zh: HashMap<String, Vec<usize>>,
    /// English key (en terms joined by spaces) → entries, best first.
    by_en: HashMap<String, Vec<usize>>,
    /// Problems with the index folder's glossary, by line.
    pub glossary_problems: Vec<String>,
    /// Why the commit's lexicon file could not be loaded (searches go on without it, and the
    /// next write learns it again): the file, and what is wrong with it.
    pub unreadable: Option<(PathBuf, String)>,
}

/// The words of a text as the lexicon sees them: analysed term, Han or not, byte offsets.
#[derive(Clone)]
struct Word {
    term: String,
    han: bool,
    from: usize,
    to: usize,
}

fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    // Jieba's precise mode keeps `Mixture-of-Experts` whole, while the index also holds its
    // parts (search mode): cut at hyphens so `mixture of experts` and `Mixture-of-Experts` are
    // one phrase. A space for a hyphen keeps every byte offset.
    let text = without_links(text).replace('-', " ");
    let mut stream = analyzer.token_stream(&text);
    while let Some(token) = stream.next() {
        let han = token.text.chars().any(is_han);
        out.push(Word { term: token.text.clone(), han, from: token.offset_from, to: token.offset_to });
    }
    out
}

/// `text` with every web address blanked out, byte for byte (so offsets stay valid). Digests
/// write `代码：https://github.com/…` under most papers: read as words, the address paired
/// 代码 ("code") with `https` and `github.com`, which then matched every abstract that links
/// its code.
fn without_links(text: &str) -> std::borrow::Cow<'_, str> {
    const STARTS: [&str; 3] = ["https://", "http://", "www."];
    let lower = text.to_ascii_lowercase();
    if !STARTS.iter().any(|start| lower.contains(start)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut position = 0;
    while position < text.len() {
        let rest = &lower[position..];
        // An address starts a word (`www.` inside `awww.x` does not count).
        let starts_word = text[..position].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
        if starts_word && STARTS.iter().any(|start| rest.starts_with(start)) {
            // It runs to the first space, Han character or closing mark.
            let end = text[position..]
                .char_indices()
                .find(|&(_, c)| c.is_whitespace() || is_han(c) || ")）]】>\"'”’，。；、".contains(c))
                .map_or(text.len(), |(i, _)| position + i);
            out.extend(std::iter::repeat_n(' ', end - position));
            position = end;
        } else {
            let c = text[position..].chars().next().unwrap_or(' ');
            out.push(c);
            position += c.len_utf8();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether an English term is worth translating: a word with letters, not a number, a
/// one-letter token or a list's roman numeral.
fn useful_en(term: &str) -> bool {
    term.chars().count() >= 2 && term.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !is_list_marker(term)
}

/// Whether an English word is a list's number, not a term: `以及（iv）…` numbers the fourth
/// item of a list, and 以及 ("and") had become `iv`, `iii` and `ii` (a query with 以及 then
/// found IV-Bench first). Roman numerals up to 39, in either case.
fn is_list_marker(term: &str) -> bool {
    let term = term.trim();
    !term.is_empty() && term.len() <= 6 && term.chars().all(|c| matches!(c.to_ascii_lowercase(), 'i' | 'v' | 'x'))
}

/// Whether a Chinese word is worth translating: one Han character alone is nearly always a
/// particle or part of a word jieba did not know.
fn useful_zh(term: &str) -> bool {
    term.chars().filter(|&c| is_han(c)).count() >= 2
}

fn zh_key(terms: &[String]) -> String {
    terms.concat()
}

fn en_key(terms: &[String]) -> String {
    terms.join(" ")
}

impl Lexicon {
    /// Indexes `file` for lookups, with `glossary` (the index folder's) overriding it.
    pub fn new(name: Option<String>, file: LexiconFile, glossary: Vec<LexiconEntry>) -> Lexicon {
        let overrides: HashSet<(String, String)> =
            glossary.iter().map(|e| (zh_key(&e.zh_terms), en_key(&e.en_terms))).collect();
        let mut entries: Vec<LexiconEntry> = file
            .entries
            .iter()
            .filter(|e| !overrides.contains(&(zh_key(&e.zh_terms), en_key(&e.en_terms))))
            .cloned()
            .collect();
        entries.extend(glossary);
        let mut lexicon = Lexicon { name, file, entries, ..Lexicon::default() };
        for (i, entry) in lexicon.entries.iter().enumerate() {
            if entry.weight <= 0.0 || entry.zh_terms.is_empty() || entry.en_terms.is_empty() {
                continue;
            }
            lexicon.by_zh.entry(zh_key(&entry.zh_terms)).or_default().push(i);
            lexicon.by_en.entry(en_key(&entry.en_terms)).or_default().push(i);
        }
        let entries = &lexicon.entries;
        let order = |list: &mut Vec<usize>| {
            // The glossary first, then by weight; ties by text so lookups are deterministic.
            list.sort_by(|&a, &b| {
                let (a, b) = (&entries[a], &entries[b]);
                (b.source == LexiconSource::Glossary)
                    .cmp(&(a.source == LexiconSource::Glossary))
                    .then(b.weight.total_cmp(&a.weight))
                    .then_with(|| (&a.zh, &a.en).cmp(&(&b.zh, &b.en)))
            });
        };
        lexicon.by_zh.values_mut().for_each(order);
        lexicon.by_en.values_mut().for_each(order);
        lexicon
    }

    /// Number of usable pairs.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.weight > 0.0).count()
    }

    /// Whether the lexicon has no usable pair.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The usable pairs ([`Lexicon::len`]) by where they come from, the index folder's
    /// glossary included.
    pub fn pairs_by_source(&self) -> std::collections::BTreeMap<LexiconSource, usize> {
        let mut by_source = std::collections::BTreeMap::new();
        for entry in self.entries.iter().filter(|e| e.weight > 0.0) {
            *by_source.entry(entry.source).or_insert(0) += 1;
        }
        by_source
    }

    /// The pairs whose Chinese or English side is `term` (analysed the index's way), best
    /// first, at most `limit` per side.
    pub fn lookup(&self, term: &str, limit: usize) -> Vec<&LexiconEntry> {
        let mut analyzer = phrase_analyzer();
        let ws = words(&mut analyzer, term);
        let zh: Vec<String> = ws.iter().filter(|w| w.han).map(|w| w.term.clone()).collect();
        let en: Vec<String> = ws.iter().filter(|w| !w.han).map(|w| w.term.clone()).collect();
        let mut out = Vec::new();
        let mut listed = HashSet::new();
        for (map, key) in [(&self.by_zh, zh_key(&zh)), (&self.by_en, en_key(&en))] {
            if let Some(list) = map.get(&key).filter(|_| !key.is_empty()) {
                // A term written with its translation (`检索增强生成（RAG）`) reaches their pair
                // from both sides: it is listed once.
                let new = list.iter().take(limit).filter(|&&i| listed.insert(i));
                out.extend(new.map(|&i| &self.entries[i]));
            }
        }
        out
    }

    /// The translations of `query`: every known phrase in it (up to four words; a term and the
    /// known words inside it, so 多模态大模型 gives MLLM and 模态 multimodal), each into at
    /// most [`MAX_TRANSLATIONS`] terms of the other language. A phrase's translations share one
    /// budget, `to_english` for a Chinese phrase and `to_chinese` for an English one: each gets
    /// `budget · weight / max(1, Σ weights)`. A budget of 0 translates nothing that way.
    pub fn expand(&self, query: &str, to_english: f32, to_chinese: f32) -> Vec<Expansion> {
        if self.by_zh.is_empty() || (to_english <= 0.0 && to_chinese <= 0.0) {
            return Vec::new();
        }
        // Phrases are cut on the text itself (`phrase_cut`): in Simplified characters, as the
        // lexicon's terms are; the offsets are the text's as written.
        let query = &*paperdex_core::to_simplified(query);
        let mut analyzer = phrase_analyzer();
        let ws = self.lookup_words(&mut analyzer, query);
        let mut out = Vec::new();
        let mut i = 0;
        while i < ws.len() {
            let han = ws[i].han;
            for n in (1..=MAX_PHRASE_WORDS.min(ws.len() - i)).rev() {
                let run = &ws[i..i + n];
                // A phrase stays within one language and within one stretch of the query.
                if run.iter().any(|w| w.han != han) || run.windows(2).any(|p| gap(query, &p[0], &p[1], han)) {
                    continue;
                }
                let terms: Vec<String> = run.iter().map(|w| w.term.clone()).collect();
                let (map, key) = if han { (&self.by_zh, zh_key(&terms)) } else { (&self.by_en, en_key(&terms)) };
                let Some(list) = map.get(&key) else { continue };
                let chosen: Vec<&LexiconEntry> =
                    list.iter().map(|&i| &self.entries[i]).take(MAX_TRANSLATIONS).collect();
                let total: f32 = chosen.iter().map(|e| e.weight.min(1.0)).sum::<f32>().max(1.0);
                for entry in chosen {
                    let (from, to, terms, lang) = if han {
                        (&entry.zh, &entry.en, &entry.en_terms, Lang::En)
                    } else {
                        (&entry.en, &entry.zh, &entry.zh_terms, Lang::Zh)
                    };
                    // Two phrases of the query may share a translation: keep its best weight once.
                    let budget = if han { to_english } else { to_chinese };
                    let weight = budget * entry.weight.min(1.0) / total;
                    if weight <= 0.0 {
                        continue;
                    }
                    let at = run[0].from..run[n - 1].to;
                    match out.iter_mut().find(|e: &&mut Expansion| e.terms == *terms) {
                        Some(existing) => {
                            existing.weight = existing.weight.max(weight);
                            existing.at = existing.at.start.min(at.start)..existing.at.end.max(at.end);
                        }
                        None => out.push(Expansion {
                            from: from.clone(),
                            to: to.clone(),
                            terms: terms.clone(),
                            lang,
                            weight,
                            source: entry.source,
                            at,
                        }),
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// `query`'s words for lookups: jieba's cut, except that each stretch of Chinese words is
    /// first split where the lexicon's Chinese phrases fit best ([`Lexicon::phrase_cut`]) and
    /// jieba then cuts each piece. Jieba reads 生成长视频 as
    /// 生 / 成长 / 视频 ("growing"), while the lexicon knows 生成 and 长视频, so the pieces cut
    /// as 生成 / 长 / 视频. A word jieba keeps whole that the lexicon does not know is split the
    /// same way: 三维重建 (one word in jieba's dictionary, in none of the corpus's pairs) is
    /// 三维 / 重建, each of which the lexicon translates.
    fn lookup_words(&self, analyzer: &mut TextAnalyzer, query: &str) -> Vec<Word> {
        let ws = words(analyzer, query);
        let mut out = Vec::with_capacity(ws.len());
        let mut i = 0;
        while i < ws.len() {
            let mut j = i + 1;
            while ws[i].han && j < ws.len() && ws[j].han && !gap(query, &ws[j - 1], &ws[j], true) {
                j += 1;
            }
            let (from, to) = (ws[i].from, ws[j - 1].to);
            let stretch = &query[from..to];
            let known_word = j - i == 1 && self.by_zh.contains_key(&*ws[i].term);
            if known_word || !stretch.chars().all(is_han) {
                out.extend(ws[i..j].iter().cloned());
            } else {
                for piece in self.phrase_cut(stretch) {
                    let start = from + piece.start;
                    out.extend(words(analyzer, &stretch[piece]).into_iter().map(|w| Word {
                        from: start + w.from,
                        to: start + w.to,
                        ..w
                    }));
                }
            }
            i = j;
        }
        out
    }

    /// Splits `text` (Han characters only) into pieces: the lexicon's Chinese phrases that
    /// together score the most, in the fewest pieces, and the stretches between them (dynamic
    /// programming over the characters). A phrase scores the square of its length, so a longer
    /// phrase beats shorter ones that cover a character more (maximum matching): 超长文本 is
    /// 超 / 长文本 (`long-context`), not 超长 / 文本 (`ultra` and `text`). Measured (session 14):
    /// it changed the top 10 of two of the 30 Chinese development queries, d31 +0.20 hybrid.
    fn phrase_cut(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
        let n = bounds.len() - 1;
        /// The best cut of the first characters up to some point.
        #[derive(Clone, Copy)]
        struct Cut {
            /// The squared lengths of its known phrases, summed.
            score: usize,
            pieces: usize,
            /// Where its last piece starts, and whether that piece is a known phrase.
            last: usize,
            known: bool,
        }
        let mut best: Vec<Option<Cut>> = vec![None; n + 1];
        best[0] = Some(Cut { score: 0, pieces: 0, last: 0, known: false });
        for i in 0..n {
            let Some(Cut { score: before, pieces, .. }) = best[i] else { continue };
            let mut offer = |j: usize, known: bool| {
                let score = if known { (j - i) * (j - i) } else { 0 };
                let cut = Cut { score: before + score, pieces: pieces + 1, last: i, known };
                let better = match best[j] {
                    None => true,
                    Some(b) => cut.score > b.score || (cut.score == b.score && cut.pieces < b.pieces),
                };
                if better {
                    best[j] = Some(cut);
                }
            };
            offer(i + 1, false);
            for j in i + 2..=n.min(i + MAX_PHRASE_CHARS) {
                if self.by_zh.contains_key(&text[bounds[i]..bounds[j]]) {
                    offer(j, true);
                }
            }
        }
        // Back from the end; characters no phrase covers are kept together, for jieba.
        let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
        let mut j = n;
        let mut loose_until = None;
        while j > 0 {
            let Some(Cut { last: i, known, .. }) = best[j] else { break };
            if known {
                if let Some(end) = loose_until.take() {
                    pieces.push(bounds[j]..bounds[end]);
                }
                pieces.push(bounds[i]..bounds[j]);
            } else if loose_until.is_none() {
                loose_until = Some(j);
            }
            j = i;
        }
        if let Some(end) = loose_until {
            pieces.push(0..bounds[end]);
        }
        pieces.reverse();
        pieces
    }
}

/// Whether anything but what a phrase allows stands between two words of `text`: nothing
/// between Chinese words; between English ones spaces, hyphens and the stop words analysis
/// dropped (`mixture of experts`), but no punctuation.
fn gap(text: &str, a: &Word, b: &Word, han: bool) -> bool {
    let between = text.get(a.to..b.from).unwrap_or(",");
    if han { !between.is_empty() } else { !between.chars().all(|c| c == ' ' || c == '-' || c.is_ascii_alphabetic()) }
}

/// The language `query` counts as translated into: the other language's papers are then
/// ranked on their own terms, by keywords (the translation searched as a query of its own) and
/// by meaning (relevance feedback from that list, [`crate::feedback`]). `None` when nothing was
/// translated, or when the translated words make up less than [`MIN_TRANSLATED_SHARE`] of the
/// query's words (by characters; one-character words aside): a question of which only a word is
/// known would be searched as another question. Weighing words by rarity (IDF) instead, so that
/// a question's common words count for little, took partial translations of too many questions
/// and lowered them (five Chinese questions then: 0.605 → 0.542).
pub fn translated_into(query: &str, expansions: &[Expansion]) -> Option<Lang> {
    // A mixed query is read in English, the language of most of the corpus.
    let into = if expansions.iter().any(|e| e.lang == Lang::En) { Lang::En } else { expansions.first()?.lang };
    (translated_share(query, expansions, into) >= MIN_TRANSLATED_SHARE).then_some(into)
}

/// The share of `query`'s words in the other language than `into` (by characters; one-letter
/// words aside) that `expansions` translate into `into`.
fn translated_share(query: &str, expansions: &[Expansion], into: Lang) -> f32 {
    let (mut covered, mut total) = (0.0f32, 0.0f32);
    for (word, translated) in words_translated(query, expansions, into) {
        let weight = word.chars().count() as f32;
        total += weight;
        if translated {
            covered += weight;
        }
    }
    if total > 0.0 { covered / total } else { 0.0 }
}

/// The Chinese words of `query` (of two characters or more) that `expansions` give no English
/// for: by keywords they reach only the papers with Chinese text.
pub fn untranslated(query: &str, expansions: &[Expansion]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (word, translated) in words_translated(query, expansions, Lang::En) {
        if !translated && !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

/// `query`'s words in the other language than `into` (one-letter words aside), each with
/// whether `expansions` translate it into `into` (it is part of a translated phrase).
fn words_translated(query: &str, expansions: &[Expansion], into: Lang) -> Vec<(String, bool)> {
    let from_han = into == Lang::En;
    let translated: Vec<String> = expansions
        .iter()
        .filter(|e| e.lang == into)
        .map(|e| e.from.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect())
        .collect();
    let mut analyzer = phrase_analyzer();
    words(&mut analyzer, query)
        .into_iter()
        .filter(|w| w.han == from_han && if from_han { useful_zh(&w.term) } else { useful_en(&w.term) })
        .map(|w| {
            let known = translated.iter().any(|phrase| phrase.contains(&w.term));
            (w.term, known)
        })
        .collect()
}

/// One part of a query and the ways the lexicon says it in the other language (see [`concepts`]).
#[derive(Debug)]
pub struct Concept<'e> {
    /// Translations of the whole part: alternatives for one another.
    pub whole: Vec<&'e Expansion>,
    /// The translated smaller parts inside it, together another alternative for the whole:
    /// 生成 (generation) and 视频 (video) inside 生成视频 (generated videos).
    pub parts: Vec<Concept<'e>>,
    /// The share of the part (by bytes) the smaller parts cover: a translation of half of it
    /// says half of what it says.
    pub parts_cover: f32,
}

/// The translations into `lang` as the parts of the query they translate, in query order:
/// translations of overlapping parts are alternatives for one part (多模态大模型 → MLLM, or
/// 多模态 → multimodal and so on), the longest part's translations beside its smaller parts'.
pub fn concepts(expansions: &[Expansion], lang: Lang) -> Vec<Concept<'_>> {
    let mut into: Vec<&Expansion> = expansions.iter().filter(|e| e.lang == lang).collect();
    into.sort_by_key(|e| (e.at.start, e.at.end));
    concepts_of(&into)
}

/// [`concepts`] of translations sorted by where they start.
fn concepts_of<'e>(sorted: &[&'e Expansion]) -> Vec<Concept<'e>> {
    let mut groups: Vec<Vec<&'e Expansion>> = Vec::new();
    let mut end = 0;
    for &expansion in sorted {
        match groups.last_mut() {
            Some(group) if expansion.at.start < end => group.push(expansion),
            _ => groups.push(vec![expansion]),
        }
        end = end.max(expansion.at.end);
    }
    groups
        .into_iter()
        .map(|group| {
            let start = group.iter().map(|e| e.at.start).min().unwrap_or(0);
            let end = group.iter().map(|e| e.at.end).max().unwrap_or(0);
            let (whole, rest): (Vec<&Expansion>, Vec<&Expansion>) =
                group.iter().partition(|e| e.at.start == start && e.at.end == end);
            if whole.is_empty() {
                // Overlapping parts, none spanning the others (多模态, 模态大): alternatives.
                return Concept { whole: group, parts: Vec::new(), parts_cover: 0.0 };
            }
            let parts = concepts_of(&rest);
            let covered: usize = parts.iter().map(Concept::span).map(|span| span.len()).sum();
            let parts_cover = covered as f32 / (end - start).max(1) as f32;
            Concept { whole, parts, parts_cover }
        })
        .collect()
}

impl Concept<'_> {
    /// The bytes of the query the concept spans.
    fn span(&self) -> std::ops::Range<usize> {
        let all = || self.whole.iter().map(|e| &e.at);
        all().map(|at| at.start).min().unwrap_or(0)..all().map(|at| at.end).max().unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// Learning

/// Counts gathered from the papers before pairs are chosen.
#[derive(Default)]
struct Evidence {
    /// (Chinese words, English words) written as a bracket pair → occurrences.
    brackets: HashMap<(Vec<String>, Vec<String>), u32>,
    /// English words in brackets after Chinese text → occurrences.
    bracket_en: HashMap<Vec<String>, u32>,
    /// How bracket pairs' sides were written, by analysed key: an entry shows (and a query's
    /// translation embeds) its most common form, whatever order the papers came in.
    zh_surface: SurfaceForms,
    en_surface: SurfaceForms,
    /// Parallel papers, the first [`MODEL_PAPERS`] (in the order [`learn`] is given them, by
    /// id from an ingest): the ones the translation model learns from.
    parallel: Vec<ParallelPaper>,
    /// How many parallel papers there are in all.
    parallel_papers: u64,
    /// Word pairs (each Chinese word or phrase with each English one) of the papers whose
    /// phrases the phrase model reads, and how many papers those are.
    phrase_model_pairs: usize,
    phrase_papers: usize,
    zh_ids: HashMap<String, u32>,
    en_ids: HashMap<String, u32>,
    /// How often each English word (by id) was written each way: its translation is shown
    /// and embedded in its most common form (`reasoning`, not the `Reasoners` of one title).
    en_written: Vec<Vec<(String, u32)>>,
    /// The common terms of both languages, for the embedding model's pairs.
    vocabulary: Vocabulary,
}

/// One paper with text in both languages, as bags of distinct word ids (two-word phrases
/// apart, see [`phrase_unit`]).
struct ParallelPaper {
    zh: Vec<u32>,
    en: Vec<u32>,
    zh_phrases: Vec<u32>,
    en_phrases: Vec<u32>,
}

/// The ways each analysed key was written, with how often.
#[derive(Default)]
pub(crate) struct SurfaceForms(HashMap<String, Vec<(String, u32)>>);

impl SurfaceForms {
    pub(crate) fn saw(&mut self, key: String, form: String) {
        let forms = self.0.entry(key).or_default();
        match forms.iter_mut().find(|(seen, _)| *seen == form) {
            Some((_, count)) => *count += 1,
            None => forms.push((form, 1)),
        }
    }

    /// The form written most often, counting forms that differ only in case as one; of
    /// those, the one with the fewest capitals (`diffusion models`, not the `Diffusion
    /// Models` of a heading; an acronym keeps its capitals, written with them every time).
    /// Ties go to the first in byte order.
    pub(crate) fn most_common(&self, key: &str) -> Option<String> {
        let forms = self.0.get(key)?;
        let mut by_case: HashMap<String, u32> = HashMap::new();
        for (form, count) in forms {
            *by_case.entry(form.to_lowercase()).or_insert(0) += count;
        }
        let (folded, _) = by_case.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        let capitals = |form: &str| form.chars().filter(|c| c.is_uppercase()).count();
        forms
            .iter()
            .filter(|(form, _)| form.to_lowercase() == *folded)
            .min_by(|a, b| capitals(&a.0).cmp(&capitals(&b.0)).then(a.0.cmp(&b.0)))
            .map(|(form, _)| form.clone())
    }
}

impl Evidence {
    fn zh_id(&mut self, term: &str) -> u32 {
        let next = self.zh_ids.len() as u32;
        *self.zh_ids.entry(term.to_string()).or_insert(next)
    }

    fn en_id(&mut self, term: &str, surface: &str) -> u32 {
        let next = self.en_ids.len() as u32;
        let id = *self.en_ids.entry(term.to_string()).or_insert(next);
        if id == next {
            self.en_written.push(Vec::new());
        }
        let forms = &mut self.en_written[id as usize];
        match forms.iter_mut().find(|(form, _)| form == surface) {
            Some((_, count)) => *count += 1,
            None => forms.push((surface.to_string(), 1)),
        }
        id
    }

    /// The most common way English word `id` (analysed as `term`) was written.
    fn en_written_as(&self, id: u32, term: &str) -> String {
        self.en_written
            .get(id as usize)
            .and_then(|forms| forms.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))))
            .map_or_else(|| term.to_string(), |(form, _)| form.clone())
    }
}

/// Learns the lexicon from `papers`; `glossary` entries (from a glossary given to ingest) are
/// added and override learned pairs; `vectors` gives the embedding model's view of terms
/// (`neighbours.rs`; [`NoTermVectors`] learns without it). What is learned depends on
/// the papers' order (which are modelled, the order of EM's sums): an ingest gives them in id
/// order.
pub fn learn(
    papers: impl IntoIterator<Item = impl std::borrow::Borrow<Paper> + Sync>,
    glossary: &[LexiconEntry],
    vectors: &mut dyn TermVectors,
) -> LexiconFile {
    let started = std::time::Instant::now();
    let mut analyzer = phrase_analyzer();
    let mut evidence = Evidence::default();
    // Without any term vector (`--no-model` and an empty cache) the embedding model's pairs
    // cannot be had: analysing tens of thousands of English papers for their vocabulary
    // would be wasted (at 100,000 papers, most of what sessions 14–15 added to the learning).
    let vocabulary = vectors.may_give_vectors();
    let mut count = 0usize;
    let mut papers = papers.into_iter();
    loop {
        // The papers are analysed a block at a time on every core, then read into the
        // evidence one by one in their order, which is what the ids and the models depend on.
        let block: Vec<_> = papers.by_ref().take(GATHER_BLOCK).collect();
        if block.is_empty() {
            break;
        }
        let read: Vec<Option<ReadPaper>> = block
            .par_iter()
            .enumerate()
            .map_init(phrase_analyzer, |analyzer, (i, paper)| {
                read_paper(paper.borrow(), vocabulary && count + i < VOCABULARY_PAPERS, analyzer)
            })
            .collect();
        for paper in read {
            gather(paper, &mut analyzer, &mut evidence, vocabulary);
        }
        count += block.len();
    }
    let count = count as u64;
    let gathered = started.elapsed().as_secs_f64();
    let mut entries = bracket_entries(&evidence);
    let parallel_papers = evidence.parallel_papers;
    let mut known: HashSet<(String, String)> =
        entries.iter().map(|e| (zh_key(&e.zh_terms), en_key(&e.en_terms))).collect();
    // Words are paired by a model of words alone; phrases by a second model in which a
    // paper's two-word phrases join its words. Phrases take a share of every word's
    // translation probability, so one model of both would move every word's pairs (语音 lost
    // TTS) where the phrase model is only asked about phrases. They run one after the other,
    // so their tables are never held at once (at 100,000 papers, running them together
    // raised the ingest's peak to 1.6 GB).
    let words = translation_model_entries(&evidence, false);
    let phrases = translation_model_entries(&evidence, true);
    for entry in words.into_iter().chain(phrases) {
        if known.insert((zh_key(&entry.zh_terms), en_key(&entry.en_terms))) {
            entries.push(entry);
        }
    }
    drop_cut_bracket_pairs(&mut entries);
    // The embedding model speaks only for the Chinese terms the corpus does not translate.
    let translated: HashSet<String> = known.iter().map(|(zh, _)| zh.clone()).collect();
    entries.extend(neighbour_entries(&evidence.vocabulary, &translated, vectors));
    tracing::debug!(
        gathered,
        total = started.elapsed().as_secs_f64(),
        phrase_papers = evidence.phrase_papers,
        phrase_model_pairs = evidence.phrase_model_pairs,
        "lexicon learned"
    );
    let overrides: HashSet<(String, String)> =
        glossary.iter().map(|e| (zh_key(&e.zh_terms), en_key(&e.en_terms))).collect();
    entries.retain(|e| !overrides.contains(&(zh_key(&e.zh_terms), en_key(&e.en_terms))));
    entries.extend(glossary.iter().cloned());
    entries.sort_by(|a, b| (&a.zh, &a.en, a.source).cmp(&(&b.zh, &b.en, b.source)));
    LexiconFile {
        version: LEXICON_VERSION,
        papers: count,
        parallel_papers,
        seconds: started.elapsed().as_secs_f64(),
        term_vectors: vocabulary,
        entries,
    }
}

/// Papers analysed at once (on every core) before they are read into the evidence in order.
const GATHER_BLOCK: usize = 256;

/// A paper's texts as the learning reads them, analysed, and whether any holds Chinese.
struct ReadPaper<'p> {
    analysed: Vec<(&'p str, bool, Vec<Word>)>,
    han: bool,
}

/// Analyses the texts of `paper` the learning reads: its titles and sections but its
/// references, each with whether it is Chinese. `None` when the learning has no use for the
/// paper: no Chinese word in it, and its English words not `counted` for the vocabulary.
fn read_paper<'p>(paper: &'p Paper, counted: bool, analyzer: &mut TextAnalyzer) -> Option<ReadPaper<'p>> {
    let texts = texts_read(paper);
    let han = texts.iter().any(|(text, _)| text.chars().any(is_han));
    if !han && !counted {
        return None;
    }
    let analysed = texts.into_iter().map(|(text, chinese)| (text, chinese, words(analyzer, text))).collect();
    Some(ReadPaper { analysed, han })
}

/// The texts of `paper` the learning reads, each with whether it is Chinese: its titles and
/// sections but its references.
fn texts_read(paper: &Paper) -> Vec<(&str, bool)> {
    let mut texts: Vec<(&str, bool)> = vec![(paper.title(), false)];
    if let Some(zh) = paper.title_zh() {
        texts.push((zh, true));
    }
    for section in paper.sections() {
        // Reference lists are titles of other papers: they would pair this paper's Chinese
        // words with other papers' English.
        if section.kind != SectionKind::References {
            texts.push((&section.text, Lang::detect(&section.text) == Lang::Zh));
        }
    }
    texts
}

/// Whether `paper` is evidence of translation: a text the learning reads holds a Chinese
/// character. Every other paper only adds its English words to the vocabulary the embedding
/// model's pairs are chosen from.
fn teaches_translation(paper: &Paper) -> bool {
    texts_read(paper).iter().any(|(text, _)| text.chars().any(is_han))
}

/// Reads one paper into the evidence, and its terms into the vocabulary when `vocabulary`
/// says so.
fn gather(paper: Option<ReadPaper>, analyzer: &mut TextAnalyzer, evidence: &mut Evidence, vocabulary: bool) {
    // A paper without a Chinese word teaches nothing about translation (most of the corpus:
    // English abstracts); only its words are counted, for the embedding model's pairs, until
    // enough papers are (in each language: the field's vocabulary is there long before a
    // million papers, and each distinct phrase counted costs memory). `read_paper` left out
    // the papers of neither kind: the English ones are counted while fewer than
    // VOCABULARY_PAPERS papers came before, as every paper before them was.
    let Some(ReadPaper { analysed, han }) = paper else { return };
    let mut zh_words: HashSet<u32> = HashSet::new();
    let mut en_words: HashSet<u32> = HashSet::new();
    let english_counted = vocabulary && evidence.vocabulary.english_papers < VOCABULARY_PAPERS;
    let chinese_counted = vocabulary && han && evidence.vocabulary.chinese_papers < VOCABULARY_PAPERS;
    if chinese_counted || english_counted {
        count_vocabulary(&analysed, chinese_counted, english_counted, &mut evidence.vocabulary);
    }
    if !han {
        return;
    }
    // Two-word phrases join the bags only of the papers the model reads, and only until
    // the phrase model's budget is read: their ids are many, and the phrase model's time and
    // memory grow with the word pairs it reads.
    let modelled = evidence.parallel.len() < MODEL_PAPERS;
    let phrased = modelled && evidence.phrase_model_pairs < PHRASE_MODEL_PAIRS;
    let (mut zh_phrases, mut en_phrases): (HashSet<u32>, HashSet<u32>) = (HashSet::new(), HashSet::new());
    for (text, chinese, ws) in &analysed {
        let (text, ws) = (*text, ws.as_slice());
        if *chinese {
            brackets(text, ws, analyzer, evidence);
        }
        for w in ws {
            if w.han {
                if useful_zh(&w.term) {
                    zh_words.insert(evidence.zh_id(&w.term));
                }
            } else if useful_en(&w.term) {
                let surface = text.get(w.from..w.to).unwrap_or(&w.term);
                en_words.insert(evidence.en_id(&w.term, surface));
            }
        }
        if phrased {
            for pair in ws.windows(2) {
                let [a, b] = pair else { continue };
                if !phrase_unit(text, a, b) {
                    continue;
                }
                if a.han {
                    zh_phrases.insert(evidence.zh_id(&format!("{} {}", a.term, b.term)));
                } else {
                    let surface = text.get(a.from..b.to).unwrap_or(&a.term);
                    en_phrases.insert(evidence.en_id(&format!("{} {}", a.term, b.term), surface));
                }
            }
        }
    }
    if zh_words.len() >= MIN_SIDE_WORDS && en_words.len() >= MIN_SIDE_WORDS {
        let sorted = |set: HashSet<u32>| {
            let mut ids: Vec<u32> = set.into_iter().collect();
            ids.sort_unstable();
            ids
        };
        evidence.parallel_papers += 1;
        // Papers beyond what the model reads are counted, not kept (at a million papers,
        // 200,000 word lists). Their words still get ids above, in the order they come.
        if phrased {
            evidence.phrase_model_pairs += (zh_words.len() + zh_phrases.len()) * (en_words.len() + en_phrases.len());
            evidence.phrase_papers += 1;
        }
        if modelled {
            evidence.parallel.push(ParallelPaper {
                zh: sorted(zh_words),
                en: sorted(en_words),
                zh_phrases: sorted(zh_phrases),
                en_phrases: sorted(en_phrases),
            });
        }
    }
}

/// Counts a paper's distinct terms (words and two-word phrases) into `vocabulary`: its
/// Chinese ones when `han` says so, its English ones when `english` does.
fn count_vocabulary(analysed: &[(&str, bool, Vec<Word>)], han: bool, english: bool, vocabulary: &mut Vocabulary) {
    let mut zh: HashSet<String> = HashSet::new();
    let mut en: HashMap<String, String> = HashMap::new();
    for (text, _, ws) in analysed {
        for w in ws {
            if w.han && han && useful_zh(&w.term) {
                zh.insert(w.term.clone());
            } else if !w.han && english && useful_en(&w.term) {
                en.entry(w.term.clone()).or_insert_with(|| text.get(w.from..w.to).unwrap_or(&w.term).to_string());
            }
        }
        for pair in ws.windows(2) {
            let [a, b] = pair else { continue };
            if !phrase_unit(text, a, b) {
                continue;
            }
            let key = format!("{} {}", a.term, b.term);
            if a.han && han {
                zh.insert(key);
            } else if !a.han && english && adjacent(text, a, b) {
                en.entry(key).or_insert_with(|| text.get(a.from..b.to).unwrap_or(&a.term).to_string());
            }
        }
    }
    if han {
        vocabulary.saw_chinese(zh);
    }
    if english {
        vocabulary.saw_english(en);
    }
}

/// Whether two English words stand next to each other, apart by a space or a hyphen only: a
/// phrase over a dropped stop word (`show how the model`) is seldom a term the embedding model
/// can pair.
fn adjacent(text: &str, a: &Word, b: &Word) -> bool {
    text.get(a.to..b.from).is_some_and(|between| matches!(between, " " | "-"))
}

/// Chinese one-character words that bind no term together: particles, conjunctions and
/// prepositions (时 in 测试时 or 长 in 长视频 do).
const ZH_FUNCTION_WORDS: &[&str] = &[
    "的", "地", "得", "了", "着", "过", "和", "与", "及", "或", "是", "在", "对", "将", "为", "把", "被", "从", "等",
    "并", "而", "也", "都", "就", "让", "用", "以", "于", "由", "其", "之", "这", "该", "各", "每",
];

/// Whether two neighbouring words make a phrase the translation model learns as one unit
/// (奖励 模型 ↔ reward model, 测试 时 ↔ test time): the same language, nothing between them,
/// and each a word worth translating. In Chinese either or both may be a one-character word
/// that is not a particle: jieba cuts the words its dictionary lacks into characters (外推
/// "extrapolation" is 外 / 推, 多跳 "multi-hop" 多 / 跳), and a pair of them was never learned,
/// so `RAG 多跳问答` searched the English papers for RAG and QA alone. Their pairs must pass
/// the phrases' count and the model like any other (PERFORMANCE.md, session 43: 51 pairs more,
/// among them 低秩 ↔ low rank, 去噪 ↔ denoise, 解耦 ↔ decouple; the mixed set's hybrid nDCG@10
/// 0.730 → 0.752, the development set's 0.838 → 0.839, every other set unchanged).
fn phrase_unit(text: &str, a: &Word, b: &Word) -> bool {
    if a.han != b.han || gap(text, a, b, a.han) {
        return false;
    }
    if a.han {
        let particle = |w: &Word| ZH_FUNCTION_WORDS.contains(&w.term.as_str());
        if particle(a) || particle(b) {
            return false;
        }
        a.term.chars().chain(b.term.chars()).all(is_han)
    } else {
        useful_en(&a.term) && useful_en(&b.term)
    }
}

const OPEN: [char; 2] = ['（', '('];
const CLOSE: [char; 2] = ['）', ')'];
/// Quotes around a term before its bracket: `“互补强化学习”（Complementary RL）`.
const QUOTES: [char; 8] = ['“', '”', '"', '「', '」', '《', '》', '\''];

/// Finds bracket pairs in one Chinese text and counts them.
fn brackets(text: &str, ws: &[Word], analyzer: &mut TextAnalyzer, evidence: &mut Evidence) {
    let mut search_from = 0;
    while let Some(open) = text[search_from..].find(OPEN).map(|p| p + search_from) {
        let after_open = open + text[open..].chars().next().map_or(1, char::len_utf8);
        search_from = after_open;
        let Some(close) = text[after_open..].find(CLOSE).map(|p| p + after_open) else { break };
        let inside = &text[after_open..close];
        if inside.is_empty() || inside.chars().count() > 80 || inside.contains(OPEN) {
            continue;
        }
        // The words before the bracket, up to the first thing that is not part of a term.
        let before = &ws[..ws.partition_point(|w| w.to <= open)];
        let Some(last) = before.last() else { continue };
        let glue = &text[last.to..open];
        if !glue.chars().all(|c| c.is_whitespace() || QUOTES.contains(&c)) {
            continue;
        }
        let inside_has_han = inside.chars().any(is_han);
        let inside_has_latin = inside.chars().any(|c| c.is_ascii_alphabetic());
        if last.han && inside_has_latin && !inside_has_han {
            // 检索增强生成（Retrieval-Augmented Generation, RAG）
            let mut run: Vec<&Word> = Vec::new();
            for w in before.iter().rev() {
                let next_from = run.last().map_or(last.to, |n: &&Word| n.from);
                if !w.han || w.to != next_from || run.len() == MAX_PHRASE_WORDS + 1 {
                    break;
                }
                run.push(w);
            }
            run.reverse();
            let quoted = text[..run[0].from].chars().next_back().is_some_and(|c| QUOTES.contains(&c));
            for alternative in inside.split([',', '，', ';', '；', '/']) {
                let en: Vec<Word> = words(analyzer, alternative).into_iter().filter(|w| !w.han).collect();
                if en.is_empty() || en.len() > MAX_PHRASE_WORDS || !en.iter().any(|w| useful_en(&w.term)) {
                    continue;
                }
                let en_terms: Vec<String> = en.iter().map(|w| w.term.clone()).collect();
                let surface = alternative.trim().to_string();
                evidence.en_surface.saw(en_key(&en_terms), surface);
                *evidence.bracket_en.entry(en_terms.clone()).or_insert(0) += 1;
                // Every suffix of the run is a candidate; a quoted run is the term whole.
                let lengths: Vec<usize> = if quoted && run.len() <= MAX_PHRASE_WORDS {
                    vec![run.len()]
                } else {
                    (1..=run.len().min(MAX_PHRASE_WORDS)).collect()
                };
                for n in lengths {
                    let part = &run[run.len() - n..];
                    let zh_terms: Vec<String> = part.iter().map(|w| w.term.clone()).collect();
                    if !useful_zh(&zh_key(&zh_terms)) {
                        continue;
                    }
                    let zh_surface = text[part[0].from..part[n - 1].to].to_string();
                    evidence.zh_surface.saw(zh_key(&zh_terms), zh_surface);
                    *evidence.brackets.entry((zh_terms, en_terms.clone())).or_insert(0) += 1;
                }
            }
        } else if !last.han && inside_has_han && !inside_has_latin && inside.chars().count() <= 12 {
            // RAG（检索增强生成）: the English run right before, the Chinese inside.
            let mut run: Vec<&Word> = Vec::new();
            for w in before.iter().rev() {
                let next_from = run.last().map_or(last.to, |n: &&Word| n.from);
                let between = text.get(w.to..next_from).unwrap_or("x");
                if w.han || !between.chars().all(|c| c == ' ' || c == '-') || run.len() > MAX_PHRASE_WORDS {
                    break;
                }
                run.push(w);
            }
            run.reverse();
            if run.len() > MAX_PHRASE_WORDS || !run.iter().any(|w| useful_en(&w.term)) {
                continue;
            }
            let zh_terms: Vec<String> = words(analyzer, inside).into_iter().filter(|w| w.han).map(|w| w.term).collect();
            if zh_terms.is_empty() || zh_terms.len() > MAX_PHRASE_WORDS || !useful_zh(&zh_key(&zh_terms)) {
                continue;
            }
            let en_terms: Vec<String> = run.iter().map(|w| w.term.clone()).collect();
            let en_surface = text[run[0].from..last.to].to_string();
            evidence.en_surface.saw(en_key(&en_terms), en_surface);
            evidence.zh_surface.saw(zh_key(&zh_terms), inside.trim().to_string());
            *evidence.bracket_en.entry(en_terms.clone()).or_insert(0) += 1;
            *evidence.brackets.entry((zh_terms, en_terms)).or_insert(0) += 1;
        }
    }
}

/// Chooses the bracket pairs: for each English side, the Chinese suffixes seen at least
/// [`MIN_BRACKET_COUNT`] times that no one-word-longer suffix carries [`EXTENSION_SHARE`] of.
fn bracket_entries(evidence: &Evidence) -> Vec<LexiconEntry> {
    let mut by_en: HashMap<&Vec<String>, Vec<(&Vec<String>, u32)>> = HashMap::new();
    // How often each Chinese suffix stood before some bracketed English: a generic word
    // (模型 before Qwen, GPT-4, LLaMA...) pairs with many, a term with one or two.
    let mut zh_total: HashMap<&Vec<String>, u32> = HashMap::new();
    for ((zh, en), &count) in &evidence.brackets {
        by_en.entry(en).or_default().push((zh, count));
        *zh_total.entry(zh).or_insert(0) += count;
    }
    let mut out = Vec::new();
    for (en, candidates) in by_en {
        let total = evidence.bracket_en.get(en).copied().unwrap_or(1).max(1);
        for &(zh, count) in &candidates {
            if count < MIN_BRACKET_COUNT {
                continue;
            }
            let extended = candidates.iter().any(|&(longer, c)| {
                longer.len() == zh.len() + 1 && longer.ends_with(zh) && c as f32 >= EXTENSION_SHARE * count as f32
            });
            // And the reverse: a suffix that is a one-word extension of a much more common one
            // is that term in one context (基于大语言模型, 利用大语言模型 beside 大语言模型).
            let context = zh.len() > 1
                && candidates.iter().any(|&(shorter, c)| {
                    shorter.len() + 1 == zh.len()
                        && zh.ends_with(shorter)
                        && (count as f32) < EXTENSION_SHARE * c as f32
                });
            if extended || context {
                continue;
            }
            // The pair's share of the English side's brackets and of the Chinese side's.
            let share_en = (count as f32 / total as f32).min(1.0);
            let share_zh = (count as f32 / zh_total.get(zh).copied().unwrap_or(count).max(1) as f32).min(1.0);
            if share_zh < MIN_BRACKET_SHARE {
                continue;
            }
            let share = (share_en * share_zh).sqrt();
            // Seen twice is a hint, seen ten times a fact.
            let confidence = count as f32 / (count as f32 + 1.0);
            let (zh_key, en_key) = (zh_key(zh), en_key(en));
            out.push(LexiconEntry {
                zh: evidence.zh_surface.most_common(&zh_key).unwrap_or_else(|| zh_key.clone()),
                en: evidence.en_surface.most_common(&en_key).unwrap_or_else(|| en_key.clone()),
                zh_terms: zh.clone(),
                en_terms: en.clone(),
                weight: share * confidence,
                source: LexiconSource::Bracket,
                count,
            });
        }
    }
    out
}

/// Drops the bracket pairs whose Chinese side is the tail of a longer term, cut off: the
/// papers write 无需训练（Training-free） and 免训练（Training-free）, each too seldom for its
/// suffix count to extend 训练 to it, so 训练 ↔ Training-free was learned, and a search for
/// 模型训练 found training-free methods first. Such a pair is dropped when the corpus says
/// both that the Chinese side means only part of the English side (another pair gives it a
/// translation of some of the English words: 训练 ↔ training) and that a longer Chinese term
/// ending in it is the whole (无需训练 ↔ training-free).
fn drop_cut_bracket_pairs(entries: &mut Vec<LexiconEntry>) {
    let mut by_zh: HashMap<&str, Vec<&[String]>> = HashMap::new();
    let mut by_en: HashMap<&[String], Vec<&str>> = HashMap::new();
    for entry in entries.iter() {
        by_zh.entry(entry.zh.as_str()).or_default().push(&entry.en_terms);
        by_en.entry(entry.en_terms.as_slice()).or_default().push(&entry.zh);
    }
    let cut: Vec<bool> = entries
        .iter()
        .map(|entry| {
            let part_of = |other: &&[String]| {
                other.len() < entry.en_terms.len() && other.iter().all(|t| entry.en_terms.contains(t))
            };
            let longer = |zh: &&str| zh.len() > entry.zh.len() && zh.ends_with(entry.zh.as_str());
            entry.source == LexiconSource::Bracket
                && by_zh[entry.zh.as_str()].iter().any(part_of)
                && by_en[entry.en_terms.as_slice()].iter().any(longer)
        })
        .collect();
    let mut cut = cut.into_iter();
    entries.retain(|_| !cut.next().unwrap_or(false));
}

/// Parallel papers the translation model reads at most: EM costs a pass over every (Chinese,
/// English) word pair of every paper per iteration, and a few thousand papers already give
/// each common term hundreds of examples.
const MODEL_PAPERS: usize = 4_000;
/// The share of the papers (of its language) holding a word from which its weight fades
/// ([`weight_by_share`]).
const COMMON_FROM: f32 = 0.4;
/// The share of the papers holding a word at which it weighs nothing: the field's boilerplate
/// (的, 通过, 模型, 提出, 方法 in the corpus's Chinese summaries; `model` in its abstracts).
const COMMON_AT: f32 = 0.8;

/// How much a word still weighs in a search and in the lexicon, given the share of the papers
/// of its language that hold it: fully up to [`COMMON_FROM`], nothing from [`COMMON_AT`] on,
/// linearly between. A cut at one share (it was "more than half") made a word and its
/// translation vanish whenever an ingest moved its share across the line: 评估 (evaluate) went
/// from 48% to 50% of the papers when 91 summaries turned out not to be about their papers,
/// and a question about evaluating code generation fell from nDCG@10 1.0 to 0.42
/// (PERFORMANCE.md, session 29). Fading, a paper more or less moves a word's weight by as
/// little as it moves its share.
pub(crate) fn weight_by_share(share: f32) -> f32 {
    ((COMMON_AT - share) / (COMMON_AT - COMMON_FROM)).clamp(0.0, 1.0)
}
/// English phrases in more than this share of the parallel papers get no entry.
const MAX_PHRASE_SHARE: f32 = 0.1;
/// The word pairs the phrase model reads at most (each paper's Chinese words and phrases
/// times its English ones): the whole corpus's 2,007 bilingual papers hold 163 million; beyond
/// it the phrase model's time and memory stay bounded while the word model reads on.
const PHRASE_MODEL_PAIRS: usize = 200_000_000;
/// The cells (a paper's candidate pairs) the phrase model's EM reads at most: its time and
/// memory. The corpus's phrase model has 44 million; synthetic papers made of the corpus's
/// sentences reach 131 million at 100,000 papers (1.3 GB peak, 33 s), since their sentences
/// recur across papers.
const MAX_PHRASE_CELLS: usize = 60_000_000;
/// EM iterations per direction (IBM Model 1 converges in a handful).
const MODEL_ITERATIONS: usize = 5;
/// The lowest translation probability, in each direction, of a pair that is kept.
const MIN_FORWARD_PROBABILITY: f32 = 0.08;
const MIN_BACKWARD_PROBABILITY: f32 = 0.02;
/// A word pair whose Chinese word explains this share of its English word's occurrences is
/// kept with a lower forward probability ([`MIN_DOMINANT_FORWARD`]), when seen in at least
/// [`MIN_PHRASE_COUNT`] papers: a common Chinese word with several senses spreads its forward
/// probability over them (量化 is `quantify` in 67 papers and `quantization` in 15, forward
/// 0.05), while it is by far the likeliest Chinese word for the rarer sense's English
/// (backward 0.35). On the development set it changed one query, `KV cache 量化`, hybrid
/// nDCG@10 0.567 → 0.964 (PERFORMANCE.md, session 39).
const DOMINANT_BACKWARD_PROBABILITY: f32 = 0.3;
const MIN_DOMINANT_FORWARD: f32 = 0.04;

/// Chooses the parallel pairs with a word translation model (IBM Model 1, Brown et al. 1993)
/// trained by EM on the parallel papers as bags of words, in both directions: each English word
/// of a paper is explained by one of its Chinese words or by nothing (the NULL word), and the
/// reverse. Where co-occurrence scores (Dice) pair a word with whatever keeps it company, EM
/// lets the company explain itself away: `幻觉` keeps `hallucination`, while a model name seen
/// in the same recent papers is explained by the NULL word or by its own Chinese context.
/// Frequent words (推理, 评估, 工具) get translations too, which a co-occurrence cap denies
/// them. A pair is kept when each side is a likely translation of the other.
///
/// With `phrases`, each paper's two-word phrases join its words, and only pairs with a phrase
/// on either side are returned (奖励模型 ↔ reward model, 测试时 ↔ test-time).
fn translation_model_entries(evidence: &Evidence, phrases: bool) -> Vec<LexiconEntry> {
    let started = std::time::Instant::now();
    if evidence.parallel.is_empty() {
        return Vec::new();
    }
    // A paper's bag of words on each side, with its phrases when the model reads them.
    fn bags(paper: &ParallelPaper, phrases: bool) -> (impl Iterator<Item = u32> + '_, impl Iterator<Item = u32> + '_) {
        let (zh_phrases, en_phrases): (&[u32], &[u32]) =
            if phrases { (&paper.zh_phrases, &paper.en_phrases) } else { (&[], &[]) };
        (paper.zh.iter().chain(zh_phrases).copied(), paper.en.iter().chain(en_phrases).copied())
    }
    let mut zh_df = vec![0u32; evidence.zh_ids.len()];
    let mut en_df = vec![0u32; evidence.en_ids.len()];
    for paper in &evidence.parallel {
        let (zh, en) = bags(paper, phrases);
        zh.for_each(|z| zh_df[z as usize] += 1);
        en.for_each(|e| en_df[e as usize] += 1);
    }
    let keep_zh = |z: &u32| zh_df[*z as usize] >= MIN_PARALLEL_COUNT;
    let keep_en = |e: &u32| en_df[*e as usize] >= MIN_PARALLEL_COUNT;
    // Each side sorted, so that a paper's pairs are found by walking two sorted lists.
    let sorted = |ids: &mut dyn Iterator<Item = u32>| {
        let mut ids: Vec<u32> = ids.collect();
        ids.sort_unstable();
        ids
    };
    let docs: Vec<(Vec<u32>, Vec<u32>)> = evidence
        .parallel
        .iter()
        .map(|paper| {
            let (zh, en) = bags(paper, phrases);
            (sorted(&mut zh.filter(keep_zh)), sorted(&mut en.filter(keep_en)))
        })
        .collect();
    // Pairs seen together in fewer than MIN_PARALLEL_COUNT papers are never kept; leaving them
    // out of the model keeps its tables small (they still share the explanation of a word
    // through the NULL word).
    let seen = pairs_seen_together(&docs, zh_df.len(), en_df.len());
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), pairs = seen.pairs.len(), "pairs counted");
    // Each paper as its candidate pairs (pair ids), grouped by English word for the forward
    // model, then regrouped in place by Chinese word for the backward one: one copy of the
    // cells (tens of millions) at a time. Papers are read in blocks, each block's papers on
    // every core, so that the phrase model stops at its cap as if read one by one.
    let mut cells_of: Vec<PaperCells> = Vec::with_capacity(docs.len());
    let mut cells_total = 0;
    'blocks: for block in docs.chunks(CELL_BLOCK) {
        let cells = block
            .par_iter()
            .map_init(|| vec![0u64; seen.en_words.div_ceil(64)], |holds, doc| seen.cells_of(doc, holds))
            .collect::<Vec<_>>();
        for paper in cells {
            if phrases && cells_total >= MAX_PHRASE_CELLS {
                break 'blocks;
            }
            cells_total += paper.cells.len();
            cells_of.push(paper);
        }
    }
    let pairs = seen.pairs;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        pairs = pairs.len(),
        cells = cells_total,
        "translation model"
    );
    let forward = model_one(&cells_of, &pairs, |&(z, _, _)| z, zh_df.len(), en_df.len());
    cells_of.par_iter_mut().for_each(|paper| paper.group_by_chinese_word(&pairs));
    let backward = model_one(&cells_of, &pairs, |&(_, e, _)| e, en_df.len(), zh_df.len());
    drop(cells_of);
    // Words in most papers (本文 "this paper", study) stay in the model, where they explain
    // their own share of each paper, but weigh less the more papers hold them, and nothing at
    // all from [`COMMON_AT`]: their translations would add near-zero IDF clauses to a search
    // and noise to its English keyword list. A word in a few papers is never common: in a
    // small index every word is in a large share of them.
    let weight_of =
        |df: u32| if df <= MIN_PARALLEL_COUNT { 1.0 } else { weight_by_share(df as f32 / docs.len() as f32) };
    let common_phrase = ((docs.len() as f32 * MAX_PHRASE_SHARE) as u32).max(MIN_PHRASE_COUNT);
    let zh_names: HashMap<u32, &String> = evidence.zh_ids.iter().map(|(k, &v)| (v, k)).collect();
    let en_names: HashMap<u32, &String> = evidence.en_ids.iter().map(|(k, &v)| (v, k)).collect();
    let mut by_zh: HashMap<u32, Vec<(u32, f32, u32, f32)>> = HashMap::new();
    for (p, &(z, e, count)) in pairs.iter().enumerate() {
        let (f, b) = (forward[p], backward[p]);
        let common = weight_of(zh_df[z as usize]) * weight_of(en_df[e as usize]);
        if common == 0.0 {
            continue;
        }
        let en_phrase = en_names[&e].contains(' ');
        let phrase = zh_names[&z].contains(' ') || en_phrase;
        if phrase != phrases || (phrase && count < MIN_PHRASE_COUNT) {
            continue;
        }
        // An English phrase of the field's boilerplate (language models, large language)
        // weighs little in a search and costs the most: a phrase query over two of the
        // commonest words' positions (大语言模型 searched 11 ms longer with them).
        if en_phrase && en_df[e as usize] > common_phrase {
            continue;
        }
        let written = || evidence.en_written_as(e, en_names[&e]);
        if let Some(probability) = kept_pair(f, b, count, phrases, written) {
            by_zh.entry(z).or_default().push((e, probability, count, common));
        }
    }
    let mut out = Vec::new();
    let mut zhs: Vec<u32> = by_zh.keys().copied().collect();
    zhs.sort_unstable();
    for z in zhs {
        let mut list = by_zh.remove(&z).unwrap_or_default();
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        list.truncate(PARALLEL_CANDIDATES);
        for (e, probability, count, common) in list {
            let (zh, en) = (zh_names[&z], en_names[&e]);
            // A phrase unit's key is its words joined by a space.
            let zh_terms: Vec<String> = zh.split(' ').map(str::to_string).collect();
            out.push(LexiconEntry {
                zh: zh_terms.concat(),
                en: evidence.en_written_as(e, en),
                zh_terms,
                en_terms: en.split(' ').map(str::to_string).collect(),
                weight: probability * common,
                source: LexiconSource::Parallel,
                count,
            });
        }
    }
    out
}

/// Whether the translation model's pair (forward and backward probabilities, papers seen in) is
/// kept, and at what probability: at its forward probability when each side is a likely
/// translation of the other; at its backward probability when the Chinese word is the English
/// word's dominant translation ([`DOMINANT_BACKWARD_PROBABILITY`]), the forward one being then
/// the share of the Chinese word's senses the English word is, which a query of that sense is
/// not asking about. `written` is the English word's commonest spelling.
fn kept_pair(forward: f32, backward: f32, count: u32, phrases: bool, written: impl Fn() -> String) -> Option<f32> {
    if forward >= MIN_FORWARD_PROBABILITY && backward >= MIN_BACKWARD_PROBABILITY {
        Some(forward)
    } else if !phrases
        && backward >= DOMINANT_BACKWARD_PROBABILITY
        && forward >= MIN_DOMINANT_FORWARD
        && count >= MIN_PHRASE_COUNT
        && !written_as_a_name(&written())
    {
        Some(backward)
    } else {
        None
    }
}

/// Whether an English word's commonest spelling is a name's (`Jiang`) or a sentence's first
/// word's (`Ultimately`): a summary that names its authors (由 Jiang 等人撰写) makes the name the
/// likeliest English word for 撰写 ("written by") in the few papers that do so.
fn written_as_a_name(written: &str) -> bool {
    let mut chars = written.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase)
}

/// The (Chinese id, English id) pairs that at least [`MIN_PARALLEL_COUNT`] papers hold
/// together, with how many, in id order; `starts` says where each Chinese word's pairs begin.
struct SeenTogether {
    pairs: Vec<(u32, u32, u32)>,
    starts: Vec<u32>,
    /// How many English ids there are.
    en_words: usize,
}

/// Counts the pairs of `docs` (each side's ids ascending, below `zh_words` and `en_words`)
/// one Chinese word at a time: its papers' English words are counted in an array as long as
/// the English vocabulary, and the pairs seen often enough are kept. Most pairs are seen once
/// or twice; a table of every pair took over a gigabyte with the phrases, and counting it in
/// a hash table was most of the learning's time. The Chinese words are shared out among the
/// cores in runs, each core with one array.
fn pairs_seen_together(docs: &[(Vec<u32>, Vec<u32>)], zh_words: usize, en_words: usize) -> SeenTogether {
    // The papers of each Chinese word, in paper order.
    let papers_from = starts_of(zh_words, docs.iter().flat_map(|(zh, _)| zh.iter().copied()));
    let mut papers_of = vec![0u32; papers_from[zh_words] as usize];
    let mut filled = papers_from.clone();
    for (d, (zh, _)) in docs.iter().enumerate() {
        for &z in zh {
            papers_of[filled[z as usize] as usize] = d as u32;
            filled[z as usize] += 1;
        }
    }
    let run = zh_words.div_ceil(rayon::current_num_threads() * 16).max(1);
    // One count array per core, left all zero by each word for the next (at scale the English
    // ids run into the millions).
    let runs: Vec<Vec<(u32, u32, u32)>> = (0..zh_words.div_ceil(run))
        .into_par_iter()
        .map_init(
            || vec![0u32; en_words],
            |count, r| {
                let mut touched: Vec<u32> = Vec::new();
                let mut kept = Vec::new();
                for z in r * run..((r + 1) * run).min(zh_words) {
                    let papers = &papers_of[papers_from[z] as usize..papers_from[z + 1] as usize];
                    if papers.len() < MIN_PARALLEL_COUNT as usize {
                        continue;
                    }
                    for &d in papers {
                        for &e in &docs[d as usize].1 {
                            let c = &mut count[e as usize];
                            if *c == 0 {
                                touched.push(e);
                            }
                            *c += 1;
                        }
                    }
                    let first = kept.len();
                    for e in touched.drain(..) {
                        let c = std::mem::take(&mut count[e as usize]);
                        if c >= MIN_PARALLEL_COUNT {
                            kept.push((z as u32, e, c));
                        }
                    }
                    kept[first..].sort_unstable();
                }
                kept
            },
        )
        .collect();
    let pairs: Vec<(u32, u32, u32)> = runs.into_iter().flatten().collect();
    let starts = starts_of(zh_words, pairs.iter().map(|&(z, _, _)| z));
    SeenTogether { pairs, starts, en_words }
}

/// Where each of `n` ids' run begins in a list ordered by id, given the id of every item:
/// `starts[id]..starts[id + 1]`.
fn starts_of(n: usize, ids: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut starts = vec![0u32; n + 1];
    ids.for_each(|id| starts[id as usize + 1] += 1);
    for id in 0..n {
        starts[id + 1] += starts[id];
    }
    starts
}

impl SeenTogether {
    /// A paper's candidate pairs (pair ids), grouped by English word: for each of its Chinese
    /// words, the English words it holds among that word's pairs. A word with few pairs has
    /// them walked, each looked up in a bit set of the paper's English words; a word with many
    /// (the commonest pair with most of the vocabulary) has the paper's English words searched
    /// for in its pairs instead.
    ///
    /// `holds` is the bit set, one bit per English id, all clear; it is left so, to serve the
    /// next paper (a set per paper would be cleared whole each time: at scale the English ids
    /// run into the millions).
    fn cells_of(&self, (zh, en): &(Vec<u32>, Vec<u32>), holds: &mut [u64]) -> PaperCells {
        for &e in en {
            holds[e as usize / 64] |= 1 << (e % 64);
        }
        // Each cell as (English word, pair id), so that grouping is a sort of plain numbers
        // (sorting pair ids by a word looked up in the pair table missed the cache at every
        // comparison: most of the cells' time).
        let mut keyed: Vec<u64> = Vec::new();
        let mut cell = |e: u32, p: usize| keyed.push((u64::from(e) << 32) | p as u64);
        for &z in zh {
            let from = self.starts[z as usize] as usize;
            let partners = &self.pairs[from..self.starts[z as usize + 1] as usize];
            if partners.len() <= en.len() * 8 {
                for (i, &(_, e, _)) in partners.iter().enumerate() {
                    if holds[e as usize / 64] & (1 << (e % 64)) != 0 {
                        cell(e, from + i);
                    }
                }
            } else {
                let mut next = 0;
                for &e in en {
                    match partners[next..].binary_search_by_key(&e, |&(_, e, _)| e) {
                        Ok(k) => {
                            cell(e, from + next + k);
                            next += k + 1;
                        }
                        Err(k) => next += k,
                    }
                }
            }
        }
        for &e in en {
            holds[e as usize / 64] = 0;
        }
        keyed.sort_unstable();
        let mut paper = PaperCells { cells: keyed.iter().map(|&key| key as u32).collect(), groups: Vec::new() };
        paper.record_groups(|i| (keyed[i] >> 32) as u32);
        paper
    }
}

/// Papers whose cells are built at once (on every core) before the phrase model's cap is
/// checked.
const CELL_BLOCK: usize = 256;

/// One paper's candidate pairs (pair ids) for one direction of the model, grouped by the word
/// they explain: `groups` holds each such word and where its run of `cells` ends.
#[derive(Default)]
struct PaperCells {
    cells: Vec<u32>,
    groups: Vec<(u32, u32)>,
}

impl PaperCells {
    /// Orders the cells by pair id, which orders them by Chinese word too (the pairs are in
    /// (Chinese, English) order), and records the runs: the grouping of the backward model.
    fn group_by_chinese_word(&mut self, pairs: &[(u32, u32, u32)]) {
        self.cells.sort_unstable();
        let words: Vec<u32> = self.cells.iter().map(|&p| pairs[p as usize].0).collect();
        self.record_groups(|i| words[i]);
    }

    /// Records the runs of cells explaining one word, given the word of the `i`th cell (the
    /// cells already in order of it).
    fn record_groups(&mut self, word_at: impl Fn(usize) -> u32) {
        self.groups.clear();
        for i in 0..self.cells.len() {
            let word = word_at(i);
            let end = i as u32 + 1;
            match self.groups.last_mut() {
                Some((last, last_end)) if *last == word => *last_end = end,
                _ => self.groups.push((word, end)),
            }
        }
    }

    /// The runs of cells, each with the word its pairs explain.
    fn groups(&self) -> impl Iterator<Item = (u32, &[u32])> {
        let mut start = 0;
        self.groups.iter().map(move |&(word, end)| {
            let run = &self.cells[start as usize..end as usize];
            start = end;
            (word, run)
        })
    }
}

/// IBM Model 1 by EM: `papers` lists each paper's candidate pairs grouped by the word to be
/// explained (the target), which one of the paper's `source(pair)` words or the NULL word
/// explains. Returns each pair's probability `p(target | source)`.
///
/// The expectation step runs on every core, each core taking the target words of one residue
/// class: a pair's count (and a word's NULL count) is then summed by one core, in paper order,
/// so the model is the same bit for bit on any number of cores.
fn model_one(
    papers: &[PaperCells],
    pairs: &[(u32, u32, u32)],
    source: impl Fn(&(u32, u32, u32)) -> u32,
    sources: usize,
    targets: usize,
) -> Vec<f32> {
    let mut t = vec![1.0f32; pairs.len()];
    // The NULL word's probability of each target word: what no word of the other language
    // explains (model names, numbers, boilerplate) goes there.
    let mut null = vec![1.0f32 / targets.max(1) as f32; targets];
    let counts: Vec<SoleCount> = (0..pairs.len()).map(|_| SoleCount::default()).collect();
    let null_counts: Vec<SoleCount> = (0..targets).map(|_| SoleCount::default()).collect();
    let cores = rayon::current_num_threads().max(1);
    for _ in 0..MODEL_ITERATIONS {
        counts.par_iter().chain(&null_counts).for_each(|c| c.set(0.0));
        (0..cores).into_par_iter().for_each(|class| {
            for paper in papers {
                for (word, group) in paper.groups() {
                    if word as usize % cores != class {
                        continue;
                    }
                    let word = word as usize;
                    let denominator = null[word] + group.iter().map(|&p| t[p as usize]).sum::<f32>();
                    if denominator <= 0.0 {
                        continue;
                    }
                    for &p in group {
                        counts[p as usize].add(t[p as usize] / denominator);
                    }
                    null_counts[word].add(null[word] / denominator);
                }
            }
        });
        let mut totals = vec![0.0f32; sources];
        for (pair, count) in pairs.iter().zip(&counts) {
            totals[source(pair) as usize] += count.get();
        }
        for ((t, pair), count) in t.iter_mut().zip(pairs).zip(&counts) {
            let total = totals[source(pair) as usize];
            *t = if total > 0.0 { count.get() / total } else { 0.0 };
        }
        let null_total: f32 = null_counts.iter().map(SoleCount::get).sum();
        if null_total > 0.0 {
            null.iter_mut().zip(&null_counts).for_each(|(n, c)| *n = c.get() / null_total);
        }
    }
    t
}

/// An `f32` count that only one thread adds to at a time (see [`model_one`]): relaxed atomic
/// loads and stores, which cost what plain ones do, so that the cores can share one table.
#[derive(Default)]
struct SoleCount(AtomicU32);

impl SoleCount {
    fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }

    fn set(&self, value: f32) {
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }

    fn add(&self, value: f32) {
        self.set(self.get() + value);
    }
}

// ---------------------------------------------------------------------------------------------
// The glossary

/// Reads a glossary: one pair per line, `Chinese<TAB>English[<TAB>weight]` (either order;
/// weight 0 to 1, default 1; 0 removes a learned pair). Blank lines and lines starting with `#`
/// are skipped. A malformed line is skipped and named, with its number, in the second list.
pub fn parse_glossary(path: &Path, text: &str) -> (Vec<LexiconEntry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut analyzer = phrase_analyzer();
    // Each pair's entry, by its analysed terms, so a pair given again replaces the first.
    let mut index_of_pair: HashMap<(Vec<String>, Vec<String>), usize> = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line_number = number + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut problem =
            |reason: String| problems.push(format!("{}:{line_number}: line skipped: {reason}", path.display()));
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        if !(2..=3).contains(&fields.len()) {
            problem(format!(
                "expected `Chinese<TAB>English[<TAB>weight]`, found {} field(s): {}",
                fields.len(),
                quote(line)
            ));
            continue;
        }
        let weight = match fields.get(2) {
            None => 1.0,
            Some(w) => match w.parse::<f32>() {
                Ok(w) if (0.0..=1.0).contains(&w) => w,
                _ => {
                    problem(format!("the weight {} is not a number between 0 and 1", quote(w)));
                    continue;
                }
            },
        };
        let (a, b) = (fields[0], fields[1]);
        let (zh, en) = match (a.chars().any(is_han), b.chars().any(is_han)) {
            (true, false) => (a, b),
            (false, true) => (b, a),
            _ => {
                problem(format!("one side must be Chinese and the other not: {}", quote(line)));
                continue;
            }
        };
        if let Some(long) = [zh, en].into_iter().find(|term| term.chars().count() > MAX_GLOSSARY_TERM_CHARS) {
            problem(format!(
                "a term is {} characters long, over the {MAX_GLOSSARY_TERM_CHARS} a term may have: {}",
                long.chars().count(),
                quote(long)
            ));
            continue;
        }
        let zh_terms: Vec<String> = words(&mut analyzer, zh).into_iter().filter(|w| w.han).map(|w| w.term).collect();
        let en_terms: Vec<String> = words(&mut analyzer, en).into_iter().filter(|w| !w.han).map(|w| w.term).collect();
        if zh_terms.is_empty() || en_terms.is_empty() {
            problem(format!("nothing searchable on one side (only stop words or punctuation?): {}", quote(line)));
            continue;
        }
        let entry = LexiconEntry {
            zh: zh.to_string(),
            en: en.to_string(),
            zh_terms,
            en_terms,
            weight,
            source: LexiconSource::Glossary,
            count: line_number as u32,
        };
        match index_of_pair.entry((entry.zh_terms.clone(), entry.en_terms.clone())) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let earlier: &mut LexiconEntry = &mut entries[*first.get()];
                // This line is used, not skipped: the warning says which one it replaces.
                problems.push(format!(
                    "{}:{line_number}: repeats the pair of line {} (the same words once analysed); this line's weight is used",
                    path.display(),
                    earlier.count
                ));
                *earlier = entry;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(entries.len());
                entries.push(entry);
            }
        }
    }
    (entries, problems)
}

/// Reads the glossary file at `path`: its pairs, and its malformed lines named as problems.
/// Its text is read as every input file is (a byte-order mark, as Windows editors write, is
/// not part of the first term; UTF-16 with one is read). A file that cannot be read, or is in
/// another encoding, is an error naming it and saying why, rather than every line called
/// malformed, or an empty glossary: given to an ingest, that would replace the one stored
/// with the index. So is a file none of whose lines is a pair (another file given by
/// mistake: a report's 817 lines replaced the stored glossary with nothing); an empty file (or
/// one of comments) is a glossary of no pairs, which is how a stored one is removed.
pub fn read_glossary(path: &Path) -> Result<(Vec<LexiconEntry>, Vec<String>)> {
    let bytes = fs::read(path).map_err(IndexError::io(path))?;
    let refused = |reason: String| IndexError::io(path)(std::io::Error::new(std::io::ErrorKind::InvalidData, reason));
    match paperdex_core::decode_text(&bytes) {
        Ok(text) => {
            let (entries, problems) = parse_glossary(path, &text);
            if entries.is_empty() && !problems.is_empty() {
                return Err(refused(format!(
                    "it holds no pair of Chinese<TAB>English[<TAB>weight] (skipped lines: {}; is it the right \
                     file? an empty file removes the stored glossary)",
                    problems.len()
                )));
            }
            Ok((entries, problems))
        }
        Err(paperdex_core::ParseError::Empty) => Ok(Default::default()),
        // The parsers' own hint names the formats of papers, not a glossary's.
        Err(paperdex_core::ParseError::Binary { offset, detail }) => Err(refused(format!(
            "it is binary, not UTF-8 text ({detail} near byte {offset}); expected lines of \
             Chinese<TAB>English[<TAB>weight]"
        ))),
        Err(error) => Err(refused(error.to_string())),
    }
}

// ---------------------------------------------------------------------------------------------
// Storage

pub(crate) fn lexicon_dir(root: &Path) -> PathBuf {
    root.join(LEXICON_DIR)
}

/// Writes `file` as generation `generation`'s lexicon (temp file, fsync, rename); returns its
/// name.
pub(crate) fn write(root: &Path, generation: u64, file: &LexiconFile) -> Result<String> {
    let name = format!("gen-{generation:08}.json");
    let dir = lexicon_dir(root);
    fs::create_dir_all(&dir).map_err(IndexError::io(&dir))?;
    let partial = dir.join(format!("{name}.partial"));
    let done = dir.join(&name);
    let json = serde_json::to_vec(file).map_err(|e| IndexError::Corrupt {
        path: done.clone(),
        reason: format!("the lexicon cannot be serialised: {e}"),
    })?;
    let mut out = fs::File::create(&partial).map_err(IndexError::io(&partial))?;
    out.write_all(&json).and_then(|_| out.sync_all()).map_err(IndexError::io(&partial))?;
    drop(out);
    fs::rename(&partial, &done).map_err(IndexError::io(&done))?;
    fs::File::open(&dir).and_then(|d| d.sync_all()).map_err(IndexError::io(&dir))?;
    Ok(name)
}

/// Loads lexicon `name` of the index at `root`, with the index folder's glossary over it.
pub(crate) fn load(root: &Path, name: Option<&str>) -> Result<Lexicon> {
    let file = match name {
        Some(name) => {
            let path = lexicon_dir(root).join(name);
            let bytes = fs::read(&path).map_err(IndexError::io(&path))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| IndexError::Corrupt { path, reason: format!("the lexicon does not parse: {e}") })?
        }
        None => LexiconFile::default(),
    };
    let glossary_path = root.join(GLOSSARY_FILE);
    let modified = glossary_modified(root);
    // A glossary that cannot be read (a folder by that name, no permission) is one problem
    // reported like a bad line: the learned pairs still serve.
    let (glossary, problems) = match modified.map(|_| read_glossary(&glossary_path)) {
        None => Default::default(),
        Some(Ok(read)) => read,
        Some(Err(error)) => (Vec::new(), vec![format!("the glossary is left out: {error}")]),
    };
    for problem in &problems {
        tracing::warn!("glossary: {problem}");
    }
    let mut lexicon = Lexicon::new(name.map(str::to_string), file, glossary);
    lexicon.glossary_problems = problems;
    lexicon.glossary_modified = modified;
    Ok(lexicon)
}

/// When the index folder's glossary was last changed, if there is one.
pub(crate) fn glossary_modified(root: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(root.join(GLOSSARY_FILE)).and_then(|m| m.modified()).ok()
}

/// The pairs of the glossary given to an earlier ingest, stored in lexicon `name`: a rebuild
/// keeps them unless a new glossary is given.
pub(crate) fn stored_glossary(root: &Path, name: Option<&str>) -> Vec<LexiconEntry> {
    let Some(name) = name else { return Vec::new() };
    let path = lexicon_dir(root).join(name);
    let file: Option<LexiconFile> = fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    file.map(|f| f.glossary()).unwrap_or_default()
}

impl LexiconFile {
    /// The pairs of the glossary given to an ingest, stored with the learned ones.
    pub(crate) fn glossary(&self) -> Vec<LexiconEntry> {
        self.entries.iter().filter(|e| e.source == LexiconSource::Glossary).cloned().collect()
    }
}

/// Removes every lexicon file except `keep` (and anything half-written).
pub(crate) fn remove_others(root: &Path, keep: Option<&str>) {
    let Ok(entries) = fs::read_dir(lexicon_dir(root)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("gen-")
            && Some(name.as_str()) != keep
            && let Err(error) = fs::remove_file(entry.path())
        {
            tracing::warn!(%error, "cannot remove old lexicon {name}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing a generation's lexicon

/// The share of the papers a lexicon was learned from that papers without Chinese text may
/// change (written with another text, or removed) before a write learns it again.
///
/// Such papers teach no translation: what they change is the English vocabulary the embedding
/// model's pairs are chosen from (the 17 English papers of one daily file swapped 5 of the
/// corpus's 1,421 embedding pairs, of 10,326; 553 papers, 4.9% of the corpus, 105 of them).
/// Learning reads every paper, 10 s for the 11,337 of the corpus and 130 s for a million on two
/// cores, which a daily file of English abstracts, or a removal, paid for nothing. A paper with
/// Chinese text learns the lexicon again at once.
const ENGLISH_CHANGE_SHARE: f64 = 0.05;

/// What changed of the texts the lexicon learns from since it was learned: the papers each
/// write changed, so a paper written twice counts twice. Each commit records it
/// ([`CommitPayload::lexicon_lag`]); a write learns the lexicon again when [`LexiconLag::due`]
/// says so, and starts it again from nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LexiconLag {
    /// Papers with Chinese text changed or removed: the evidence of translation changed.
    #[serde(default)]
    pub chinese: u64,
    /// Papers without Chinese text changed or removed.
    #[serde(default)]
    pub english: u64,
}

impl LexiconLag {
    /// Counts a paper whose text changed: `before` as the index held it (`None`: new to it),
    /// `after` as it will hold it (`None`: removed). A paper that keeps its text (read from
    /// another file, given new upvotes) changes nothing the lexicon reads, and is not counted.
    pub(crate) fn changed(&mut self, before: Option<&Paper>, after: Option<&Paper>) {
        if before.into_iter().chain(after).any(teaches_translation) {
            self.chinese += 1;
        } else {
            self.english += 1;
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == LexiconLag::default()
    }

    /// How many changes to papers without Chinese text have a lexicon learned from `papers`
    /// papers learned again.
    pub fn learned_again_at(papers: u64) -> u64 {
        ((papers as f64 * ENGLISH_CHANGE_SHARE).ceil() as u64).max(1)
    }

    /// Whether a lexicon learned from `papers` papers must be learned again: a paper with
    /// Chinese text changed, or papers without it did [`LexiconLag::learned_again_at`] times.
    pub fn due(&self, papers: u64) -> bool {
        self.chinese > 0 || self.english >= LexiconLag::learned_again_at(papers)
    }
}

/// What a write does with the lexicon ([`PaperIndex::lexicon_write`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexiconWrite {
    /// Learn it again, from every paper as the write leaves them.
    Learn(LearnedBecause),
    /// Keep the committed one; the write changes this.
    Keep(LexiconLag),
}

/// Why a write learns the lexicon again: said with the time it took, which a user otherwise
/// met as 10 s of a one-paper ingest with no reason given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnedBecause {
    /// The index had none.
    NoLexicon,
    /// The stored one was learned by another version of the learning.
    OtherVersion,
    /// A glossary other than the stored one was given.
    NewGlossary,
    /// It was learned without the embedding model, which this write has.
    ModelNow,
    /// The papers' words are analysed anew (postings of another analysis).
    NewAnalysis,
    /// The papers changed since it was learned ([`LexiconLag::due`]).
    Changes(LexiconLag),
}

impl std::fmt::Display for LearnedBecause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let changes = |n: u64| format!("{n} {}", if n == 1 { "change" } else { "changes" });
        match self {
            LearnedBecause::NoLexicon => write!(f, "the index had none"),
            LearnedBecause::OtherVersion => write!(f, "the stored one was learned by another version"),
            LearnedBecause::NewGlossary => write!(f, "a new glossary"),
            LearnedBecause::ModelNow => write!(f, "the first write with the model since it was learned without"),
            LearnedBecause::NewAnalysis => write!(f, "the papers' words are analysed anew"),
            LearnedBecause::Changes(lag) if lag.chinese > 0 => {
                write!(f, "{} to papers with Chinese text", changes(lag.chinese))
            }
            LearnedBecause::Changes(lag) => write!(f, "{} to papers without Chinese text", changes(lag.english)),
        }
    }
}

/// The lexicon a commit names (a file under `lexicon/`, already written), and what changed
/// since it was learned.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommittedLexicon {
    pub file: Option<String>,
    pub lag: LexiconLag,
}

impl std::ops::Add for LexiconLag {
    type Output = LexiconLag;

    fn add(self, other: LexiconLag) -> LexiconLag {
        LexiconLag { chinese: self.chinese + other.chinese, english: self.english + other.english }
    }
}

/// Two streams of papers, each in id order, as one in id order.
fn merged_by_id<'a>(
    a: impl Iterator<Item = std::borrow::Cow<'a, Paper>>,
    b: impl Iterator<Item = std::borrow::Cow<'a, Paper>>,
) -> impl Iterator<Item = std::borrow::Cow<'a, Paper>> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.id.as_str() < x.id.as_str() => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

impl PaperIndex {
    /// What a write that changes `lag` after the commit of `payload` does with the lexicon.
    /// It learns it again when there is none yet, it was learned by another version, a
    /// glossary other than the stored one was given, it was learned without the model the
    /// write has (`embedding`), or the changes since it was learned call for it
    /// ([`LexiconLag::due`]).
    pub(crate) fn lexicon_write(&self, payload: &CommitPayload, lag: LexiconLag, embedding: bool) -> LexiconWrite {
        let lexicon = self.lexicon();
        // A glossary given again as stored (a daily job's `ingest --glossary terms.tsv`)
        // changes nothing: it learned the whole lexicon again every day. The stored one is the
        // loaded lexicon's, the committed one (no other write runs under the writer lock).
        let by_terms = |mut entries: Vec<LexiconEntry>| {
            entries.sort_by(|a, b| (&a.zh, &a.en).cmp(&(&b.zh, &b.en)));
            entries
        };
        let new_glossary =
            self.glossary.as_ref().is_some_and(|given| by_terms(given.clone()) != by_terms(lexicon.file.glossary()));
        let changes = payload.lexicon_lag + lag;
        let because = if payload.lexicon.is_none() {
            LearnedBecause::NoLexicon
        } else if lexicon.file.version != LEXICON_VERSION {
            LearnedBecause::OtherVersion
        } else if new_glossary {
            LearnedBecause::NewGlossary
        } else if embedding && !lexicon.file.term_vectors {
            LearnedBecause::ModelNow
        } else if changes.due(lexicon.file.papers) {
            LearnedBecause::Changes(changes)
        } else {
            return LexiconWrite::Keep(lag);
        };
        LexiconWrite::Learn(because)
    }

    /// The lexicon generation `generation` names, as `write` says: learned again (see
    /// [`PaperIndex::write_lexicon`]) or the one of `payload` kept.
    pub(crate) fn next_lexicon(
        &self,
        generation: u64,
        payload: &CommitPayload,
        write: LexiconWrite,
        replace: &[&Paper],
        delete: &[&str],
        embedder: Option<&dyn paperdex_embed::Embedder>,
    ) -> Result<CommittedLexicon> {
        Ok(match write {
            LexiconWrite::Learn(_) => CommittedLexicon {
                file: Some(self.write_lexicon(generation, payload, replace, delete, embedder)?),
                lag: LexiconLag::default(),
            },
            LexiconWrite::Keep(lag) => {
                CommittedLexicon { file: payload.lexicon.clone(), lag: payload.lexicon_lag + lag }
            }
        })
    }

    /// What changed of the papers' texts since the committed lexicon was learned.
    pub fn lexicon_lag(&self) -> Result<LexiconLag> {
        Ok(self.committed_payload()?.lexicon_lag)
    }

    /// Learns the lexicon of the index as it will be once `replace` is written and `delete`
    /// removed, and writes it as generation `generation`'s; returns the file name. The glossary
    /// is the one given for this write, else the one stored with the current lexicon. Terms
    /// new to the term vector cache are embedded by `embedder`; without one, the cached
    /// vectors alone give the embedding model's pairs.
    pub(crate) fn write_lexicon(
        &self,
        generation: u64,
        payload: &CommitPayload,
        replace: &[&Paper],
        delete: &[&str],
        embedder: Option<&dyn paperdex_embed::Embedder>,
    ) -> Result<String> {
        // Earlier batches of this write are committed but maybe not visible yet.
        self.reload()?;
        let replaced: HashSet<&str> = replace.iter().map(|p| p.id.as_str()).chain(delete.iter().copied()).collect();
        let searcher = self.searcher();
        // The stored papers are read one at a time, never all at once: a million papers
        // would take gigabytes. Every paper is read: the Chinese ones teach translation, and
        // the English ones' words (of the first [`VOCABULARY_PAPERS`]) are the vocabulary the
        // embedding model's pairs are chosen from. In id order, with the papers being written
        // merged in: what is learned (which papers the model reads, in which order its sums
        // run) then depends on the papers alone, not on the order they were ingested and
        // merged in.
        let mut reader = StoredPapers::new(self, searcher.clone())?.in_id_order(self)?;
        // The papers the lexicon is learned from, as the index will hold them: the skipped
        // ones are counted, not read.
        let mut replaced_stored = 0u64;
        for id in &replaced {
            if let Some(id) = paperdex_core::PaperId::parse(id) {
                replaced_stored += u64::from(self.address_in(&searcher, &id)?.is_some());
            }
        }
        let papers_after = searcher.num_docs() - replaced_stored + replace.len() as u64;
        let mut unreadable = None;
        let stored = std::iter::from_fn(|| match reader.next_paper(self)? {
            Ok(paper) => Some(paper),
            Err(error) => {
                unreadable = Some(error);
                None
            }
        });
        let mut replace: Vec<&Paper> = replace.to_vec();
        replace.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        let papers = merged_by_id(
            stored.filter(|p| !replaced.contains(p.id.as_str())).map(std::borrow::Cow::Owned),
            replace.into_iter().map(std::borrow::Cow::Borrowed),
        );
        let glossary = match &self.glossary {
            Some(glossary) => glossary.clone(),
            None => stored_glossary(&self.root, payload.lexicon.as_deref()),
        };
        let mut vectors = TermVectorCache::open(&lexicon_dir(&self.root), embedder);
        let mut file = learn(papers, &glossary, &mut vectors);
        vectors.save();
        if let Some(error) = unreadable {
            return Err(error);
        }
        file.papers = papers_after;
        file.term_vectors &= embedder.is_some();
        tracing::debug!(pairs = file.entries.len(), seconds = file.seconds, "bilingual lexicon learned");
        write(&self.root, generation, &file)
    }

    /// Commits a generation that changes only the lexicon (no paper changed, but there was no
    /// lexicon, an outdated one, or a new glossary). Postings and vectors stay as they are.
    pub(crate) fn commit_lexicon_only(
        &self,
        payload: &CommitPayload,
        embedder: Option<&dyn paperdex_embed::Embedder>,
    ) -> Result<CommitPayload> {
        let generation = payload.generation + 1;
        let name = self.write_lexicon(generation, payload, &[], &[], embedder)?;
        let next =
            CommitPayload { generation, lexicon: Some(name), lexicon_lag: LexiconLag::default(), ..payload.clone() };
        let mut writer: tantivy::IndexWriter = self.index.writer(15_000_000)?;
        writer.set_merge_policy(Box::new(crate::generation::merge_policy()));
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&next).unwrap_or_default());
        prepared.commit()?;
        writer.wait_merging_threads()?;
        crate::generation::share_commit_files(&self.root.join(crate::paper_index::TANTIVY_DIR));
        remove_others(&self.root, next.lexicon.as_deref());
        self.reload()?;
        self.refresh_lexicon();
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use paperdex_core::{PaperId, Record, Section, Source, SourceFormat};

    use super::*;

    fn paper(id: &str, title: &str, zh: &str, en: &str) -> Paper {
        let source = Source { path: format!("/t/{id}.md"), format: SourceFormat::PaperMarkdown, date: None };
        let mut record = Record::new(PaperId::parse(id).expect("id"), source);
        record.title = Some(title.to_string());
        if !zh.is_empty() {
            record.sections.push(Section::new(SectionKind::Body, zh));
        }
        if !en.is_empty() {
            record.sections.push(Section::new(SectionKind::Abstract, en));
        }
        Paper::from_record(record)
    }

    /// `per_topic` papers for each (Chinese, English) topic, numbered `2601.TT00N` by topic:
    /// `texts(i, zh, en)` gives the i-th paper's title, Chinese text and English text.
    fn topic_papers(
        topics: &[(&str, &str)],
        per_topic: usize,
        texts: impl Fn(usize, &str, &str) -> [String; 3],
    ) -> Vec<Paper> {
        let mut papers = Vec::new();
        for (t, (zh, en)) in topics.iter().enumerate() {
            for i in 0..per_topic {
                let [title, zh_text, en_text] = texts(i, zh, en);
                papers.push(paper(&format!("2601.{:05}", t * 100 + i + 1), &title, &zh_text, &en_text));
            }
        }
        papers
    }

    fn expansion(from: &str, to: &str) -> Expansion {
        Expansion {
            from: from.into(),
            to: to.into(),
            terms: vec![to.to_lowercase()],
            lang: Lang::En,
            weight: 0.5,
            source: LexiconSource::Parallel,
            at: 0..from.len(),
        }
    }

    #[test]
    fn a_query_counts_as_translated_only_when_its_translations_say_most_of_it() {
        let two =
            [expansion("幻觉", "hallucination"), expansion("幻觉", "confabulation"), expansion("模态", "modality")];
        // Every Chinese word translated (the English one is the query's own).
        assert_eq!(translated_into("VLM 模态 幻觉", &two), Some(Lang::En));
        // One word of a long question is not enough to stand for it.
        let one = [expansion("幻觉", "hallucination")];
        assert_eq!(translated_into("如何系统地减少视觉语言模型回答中的幻觉问题", &one), None);
        assert_eq!(translated_into("幻觉", &[]), None, "nothing translated");
    }

    /// `from` (found in `query`) translated as `to`.
    fn translated(query: &str, from: &str, to: &str) -> Expansion {
        let start = query.find(from).expect("part of the query");
        Expansion { at: start..start + from.len(), ..expansion(from, to) }
    }

    #[test]
    fn translations_of_overlapping_parts_are_alternatives_for_one_part_of_the_query() {
        let query = "多模态大模型 生成视频 幻觉";
        let all = [
            translated(query, "幻觉", "hallucination"),
            translated(query, "多模态大模型", "MLLM"),
            translated(query, "多模态", "multimodal"),
            translated(query, "模态大", "Multimodal Large"),
            translated(query, "生成视频", "generated videos"),
            translated(query, "生成", "generation"),
            translated(query, "视频", "video"),
            translated(query, "视频", "frame"),
        ];
        let concepts = concepts(&all, Lang::En);
        fn shape<'e>(c: &Concept<'e>) -> Vec<&'e str> {
            c.whole.iter().map(|e| e.to.as_str()).collect()
        }
        assert_eq!(concepts.len(), 3, "three parts, in query order: {concepts:?}");
        assert_eq!(shape(&concepts[0]), ["MLLM"]);
        // Inside it, two overlapping parts neither of which spans the other: alternatives.
        assert_eq!(concepts[0].parts.len(), 1);
        assert_eq!(shape(&concepts[0].parts[0]), ["multimodal", "Multimodal Large"]);
        assert!((concepts[0].parts_cover - 4.0 / 6.0).abs() < 1e-6, "多模态大 of 多模态大模型");
        // 生成视频 says what 生成 and 视频 say together: their translations are one alternative.
        assert_eq!(shape(&concepts[1]), ["generated videos"]);
        let parts: Vec<Vec<&str>> = concepts[1].parts.iter().map(shape).collect();
        assert_eq!(parts, [vec!["generation"], vec!["video", "frame"]]);
        assert_eq!(concepts[1].parts_cover, 1.0);
        assert_eq!(shape(&concepts[2]), ["hallucination"]);
        assert!(concepts[2].parts.is_empty());
        assert!(super::concepts(&all, Lang::Zh).is_empty(), "nothing was translated into Chinese");
    }

    #[test]
    fn bracket_pairs_keep_the_longest_chinese_suffix_the_occurrences_agree_on() {
        let texts = [
            "我们提出了一种检索增强生成（RAG）方法，用于问答。",
            "基于检索增强生成（Retrieval-Augmented Generation, RAG）的系统在长文档上表现更好。",
            "本文研究检索增强生成（RAG）中的噪声问题。",
        ];
        let papers: Vec<Paper> =
            texts.iter().enumerate().map(|(i, t)| paper(&format!("2601.{:05}", i + 1), "A title", t, "")).collect();
        let file = learn(&papers, &[], &mut NoTermVectors);
        let lexicon = Lexicon::new(None, file, Vec::new());
        let found = lexicon.lookup("RAG", 5);
        assert_eq!(found.first().map(|e| e.zh.as_str()), Some("检索增强生成"), "{found:?}");
        assert!(found.iter().all(|e| e.source == LexiconSource::Bracket));
        // Looked up as written with its translation, the pair is reached from both of its
        // sides and listed once.
        let both = lexicon.lookup("检索增强生成（RAG）", 5);
        let pairs: HashSet<(&str, &str)> = both.iter().map(|e| (e.zh.as_str(), e.en.as_str())).collect();
        assert!(pairs.contains(&("检索增强生成", "RAG")), "{both:?}");
        assert_eq!(pairs.len(), both.len(), "{both:?}");
        let expansions = lexicon.expand("检索增强生成 综述", 0.5, 0.5);
        assert!(expansions.iter().any(|e| e.to == "RAG" && e.lang == Lang::En), "{expansions:?}");
        assert!(expansions.iter().all(|e| e.weight <= 0.5));
    }

    #[test]
    fn a_list_numbered_in_brackets_teaches_no_translation() {
        let texts = [
            "本文贡献包括：（i）新的数据集，（ii）新的评测，以及（iii）新的基线方法。",
            "我们提出三点：（i）更快的推理；（ii）更少的显存；以及（iii）更好的精度。",
            "方法分为（I）编码、（II）对齐以及（III）解码三个阶段，以及（iv）一个消融实验。",
        ];
        let papers: Vec<Paper> =
            texts.iter().enumerate().map(|(i, t)| paper(&format!("2601.{:05}", i + 1), "A title", t, "")).collect();
        let lexicon = Lexicon::new(None, learn(&papers, &[], &mut NoTermVectors), Vec::new());
        for numeral in ["ii", "iii", "II", "iv"] {
            assert!(lexicon.lookup(numeral, 5).is_empty(), "{numeral}: {:?}", lexicon.lookup(numeral, 5));
        }
        assert!(super::is_list_marker(" xiv ") && !super::is_list_marker("ViT") && !super::is_list_marker(""));
    }

    #[test]
    fn web_addresses_are_not_words_to_translate() {
        let text = "代码：https://github.com/org/repo，数据集见 www.example.org/data 与 HTTP://X.Y/z）结束 awww.b";
        let blanked = without_links(text);
        assert_eq!(blanked.len(), text.len(), "offsets are kept");
        assert!(!blanked.contains("github") && !blanked.contains("example") && !blanked.contains("X.Y"));
        assert!(blanked.starts_with("代码：") && blanked.contains("，数据集见") && blanked.contains("）结束"));
        assert!(blanked.ends_with("awww.b"), "an address starts a word");
        let mut analyzer = phrase_analyzer();
        let terms: Vec<String> = words(&mut analyzer, text).into_iter().map(|w| w.term).collect();
        assert!(terms.iter().all(|t| !t.contains("http") && !t.contains("github")), "{terms:?}");
        assert!(terms.contains(&"代码".to_string()));
        assert!(matches!(without_links("no address here"), std::borrow::Cow::Borrowed(_)));
    }

    /// Eight (Chinese, English) topics, each word in an eighth of the papers `topic_papers`
    /// makes of them.
    const EIGHT_TOPICS: [(&str, &str); 8] = [
        ("幻觉", "hallucination"),
        ("语音合成", "speech synthesis"),
        ("机器人", "robot"),
        ("检索", "retrieval"),
        ("量化", "quantization"),
        ("剪枝", "pruning"),
        ("蒸馏", "distillation"),
        ("分割", "segmentation"),
    ];

    #[test]
    fn a_word_jieba_cuts_into_characters_is_learned_whole() {
        // Jieba does not know 外推 ("extrapolation") or 多跳 ("multi-hop"): it cuts them into
        // one-character words, which alone are never translated.
        let cut = |text: &str| words(&mut phrase_analyzer(), text).len();
        assert_eq!((cut("外推"), cut("多跳")), (2, 2), "jieba knows the words now: pick others");
        let mut topics = EIGHT_TOPICS.to_vec();
        topics.extend([("外推", "extrapolation"), ("多跳", "multi-hop")]);
        let papers = topic_papers(&topics, 5, |i, zh, en| {
            [
                format!("A study of {en} number {i}"),
                format!("本文研究{zh}问题，实验表明方法有效。"),
                format!("We study {en} and report results."),
            ]
        });
        let lexicon = Lexicon::new(None, learn(&papers, &[], &mut NoTermVectors), Vec::new());
        let english = |zh: &str| lexicon.lookup(zh, 3).iter().map(|e| e.en.clone()).collect::<Vec<_>>();
        assert_eq!(english("外推").first().map(String::as_str), Some("extrapolation"), "{:?}", english("外推"));
        assert!(english("多跳").iter().any(|en| en.contains("hop")), "{:?}", english("多跳"));
    }

    #[test]
    fn words_sharing_parallel_papers_are_paired_and_chance_company_is_not() {
        // Eight topics, three papers each: every topic word is in an eighth of the papers, the
        // common words (本文, 研究, study) in all of them.
        let papers = topic_papers(&EIGHT_TOPICS, 3, |i, zh, en| {
            [
                format!("A study of {en} number {i}"),
                format!("本文研究{zh}问题，实验表明方法有效。"),
                format!("We study {en} and report results."),
            ]
        });
        let lexicon = Lexicon::new(None, learn(&papers, &[], &mut NoTermVectors), Vec::new());
        let hallucination: Vec<&str> = lexicon.lookup("幻觉", 3).iter().map(|e| e.en.as_str()).collect();
        assert_eq!(hallucination, ["hallucination"]);
        let robot: Vec<&str> = lexicon.lookup("robot", 3).iter().map(|e| e.zh.as_str()).collect();
        assert_eq!(robot, ["机器人"]);
        // Words in every paper pair with nothing.
        assert!(lexicon.lookup("本文", 3).is_empty() && lexicon.lookup("study", 3).is_empty());
        assert!(lexicon.file.entries.iter().all(|e| e.source == LexiconSource::Parallel));
    }

    #[test]
    fn a_chinese_words_rarer_sense_is_kept_when_the_chinese_word_is_what_its_english_means() {
        // The corpus's 量化: `quantify` (forward 0.41, backward 0.45, 67 papers) and
        // `quantization` (0.05, 0.35, 15 papers): both kept, the second at its backward.
        let plain = || "quantization".to_string();
        assert_eq!(kept_pair(0.4062, 0.4460, 67, false, plain), Some(0.4062));
        assert_eq!(kept_pair(0.0532, 0.3494, 15, false, plain), Some(0.3494));
        // Not when the English word is no clearer about it, seen too seldom, or a phrase.
        assert_eq!(kept_pair(0.0532, 0.2, 15, false, plain), None);
        assert_eq!(kept_pair(0.0532, 0.3494, 4, false, plain), None);
        assert_eq!(kept_pair(0.0532, 0.3494, 15, true, plain), None);
        // Nor when the English word is a name (由 Jiang 等人撰写: 撰写 "written by").
        assert_eq!(kept_pair(0.0529, 0.3236, 6, false, || "Jiang".to_string()), None);
        assert_eq!(kept_pair(0.0529, 0.3236, 6, false, || "LLM".to_string()), Some(0.3236));
    }

    #[test]
    fn a_word_in_more_than_half_the_papers_keeps_its_translation_at_a_lower_weight() {
        // 评估 and evaluation in 14 of 24 parallel papers (58%): past the "more than half" that
        // used to drop the pair, short of the 80% where it weighs nothing.
        let written = std::cell::Cell::new(0);
        let papers = topic_papers(&EIGHT_TOPICS, 3, |i, zh, en| {
            written.set(written.get() + 1);
            let (zh_eval, en_eval) = if written.get() <= 14 { ("并评估", " with an evaluation") } else { ("", "") };
            [
                format!("A study of {en} number {i}"),
                format!("本文研究{zh}问题{zh_eval}，实验表明方法有效。"),
                format!("We study {en}{en_eval} and report results."),
            ]
        });
        let lexicon = Lexicon::new(None, learn(&papers, &[], &mut NoTermVectors), Vec::new());
        let evaluate = lexicon.lookup("评估", 3);
        assert_eq!(evaluate.iter().map(|e| e.en.as_str()).collect::<Vec<_>>(), ["evaluation"]);
        let hallucination = lexicon.lookup("幻觉", 1)[0].weight;
        assert!(evaluate[0].weight < 0.5 * hallucination, "{} against {hallucination}", evaluate[0].weight);
        // Words in every paper still pair with nothing.
        assert!(lexicon.lookup("本文", 3).is_empty() && lexicon.lookup("study", 3).is_empty());
    }

    /// A removal relearns the lexicon without the model: the embedding model's pairs come from
    /// the vectors the ingest cached, as if the model were there.
    #[test]
    fn a_removal_keeps_the_embedding_models_pairs_without_the_model() {
        let topics = [
            ("检索", "retrieval"),
            ("蒸馏", "distillation"),
            ("剪枝", "pruning"),
            ("量化", "quantization"),
            ("规划", "planning"),
            ("对齐", "alignment"),
            ("编辑", "editing"),
            ("压缩", "compression"),
            ("分割", "segmentation"),
            ("跟踪", "tracking"),
        ];
        // Chinese-only and English-only papers: no bracket and no parallel paper translates a
        // topic, so only the embedding model can pair them.
        let mut papers = Vec::new();
        for (t, (zh, en)) in topics.iter().enumerate() {
            for i in 0..5 {
                papers.push(paper(
                    &format!("2601.{:05}", t * 100 + i + 1),
                    &format!("论{zh}之{i}"),
                    &format!("本文研究{zh}。"),
                    "",
                ));
                papers.push(paper(
                    &format!("2602.{:05}", t * 100 + i + 1),
                    &format!("On {en} {i}"),
                    "",
                    &format!("We study {en}."),
                ));
            }
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        let model = paperdex_embed::HashEmbedder::new(32);
        let records: Vec<Record> = papers.iter().flat_map(|p| p.records.clone()).collect();
        index.ingest_records(records, Some(&model), &mut crate::Quiet).expect("ingest");
        let embedding_pairs =
            |lexicon: &Lexicon| lexicon.file.entries.iter().filter(|e| e.source == LexiconSource::Embedding).count();
        assert!(embedding_pairs(&index.lexicon()) > 0, "the model pairs some topics");

        index.remove(&["2601.00001"]).expect("remove");
        let after = index.lexicon();
        assert!(embedding_pairs(&after) > 0);
        let mut with_model = TermVectorCache::open(&lexicon_dir(dir.path()), Some(&model));
        assert_eq!(after.file.entries, learn(by_id(index.papers().expect("papers")), &[], &mut with_model).entries);
    }

    /// The index counts every paper and learns what reading all of them in id order teaches,
    /// in several generations and after an update.
    #[test]
    fn the_lexicon_an_ingest_learns_equals_learning_from_all_its_papers() {
        let topics = [("幻觉", "hallucination"), ("机器人", "robot"), ("蒸馏", "distillation")];
        let mut papers = Vec::new();
        for (t, (zh, en)) in topics.iter().enumerate() {
            for i in 0..3 {
                papers.push(paper(
                    &format!("2601.{:05}", t * 100 + i + 1),
                    &format!("A study of {en} number {i}"),
                    &format!("本文研究{zh}（{en}）问题，实验表明方法有效。"),
                    &format!("We study {en} and report results."),
                ));
                papers.push(paper(
                    &format!("2601.{:05}", t * 100 + i + 10),
                    &format!("{en} in English only"),
                    "",
                    "No Chinese.",
                ));
            }
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index").with_papers_per_generation(2);
        let records: Vec<Record> = papers.iter().flat_map(|p| p.records.clone()).collect();
        index.ingest_records(records, None, &mut crate::Quiet).expect("ingest");
        let learned = index.lexicon();
        let from_all = learn(by_id(index.papers().expect("papers")), &[], &mut NoTermVectors);
        assert_eq!(learned.file.papers, 18);
        assert_eq!(learned.file.parallel_papers, 9);
        assert_eq!(learned.file.entries, from_all.entries);
        assert!(learned.lookup("幻觉", 3).iter().any(|e| e.en == "hallucination"));

        // An English paper turning bilingual is read by the next ingest.
        let turned = paper(
            "2601.00010",
            "hallucination in English only",
            "本文研究幻觉（hallucination）问题，实验表明方法有效。",
            "We study hallucination and report results.",
        );
        index.ingest_records(turned.records.clone(), None, &mut crate::Quiet).expect("update");
        let learned = index.lexicon();
        assert_eq!((learned.file.papers, learned.file.parallel_papers), (18, 10));
        assert_eq!(
            learned.file.entries,
            learn(by_id(index.papers().expect("papers")), &[], &mut NoTermVectors).entries
        );
    }

    /// A paper read from another file: the same text under another source.
    fn read_again(paper: &Paper, path: &str) -> Vec<Record> {
        let mut record = paper.records[0].clone();
        record.source.path = path.to_string();
        vec![record]
    }

    #[test]
    fn english_papers_are_learned_once_they_are_a_twentieth_of_the_lexicons_papers() {
        // Three bilingual papers and 37 English ones: 40 papers, so two English changes.
        let mut papers: Vec<Paper> = (1..=3)
            .map(|i| {
                paper(&format!("2601.{i:05}"), "Hallucination", "本文研究幻觉（hallucination）问题。", "We study it.")
            })
            .collect();
        papers.extend((10..47).map(|i| paper(&format!("2601.{i:05}"), "Robot grasping", "", "A robot grasps.")));
        let english = |i: u32| paper(&format!("2602.{i:05}"), "Sparse attention", "", "Sparse attention scales.");
        let chinese = |i: u32, zh: &str| paper(&format!("2602.{i:05}"), "Distillation", zh, "We distil.");
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        let ingest = |papers: &[&Paper]| {
            let records = papers.iter().flat_map(|p| p.records.clone()).collect();
            index.ingest_records(records, None, &mut crate::Quiet).expect("ingest");
            (index.lexicon().name.clone(), index.lexicon_lag().expect("lag"))
        };
        let (first, lag) = ingest(&papers.iter().collect::<Vec<_>>());
        assert_eq!((index.lexicon().file.papers, lag), (40, LexiconLag::default()));
        assert_eq!(LexiconLag::learned_again_at(40), 2);

        // A daily file of English abstracts: kept, and counted.
        let (kept, lag) = ingest(&[&english(1)]);
        assert_eq!((&kept, lag), (&first, LexiconLag { chinese: 0, english: 1 }));
        // The same text read from another file changes nothing the lexicon reads.
        index.ingest_records(read_again(&english(1), "/t/elsewhere.json"), None, &mut crate::Quiet).expect("again");
        assert_eq!(index.lexicon_lag().expect("lag").english, 1);
        // The second English paper is a twentieth of 40: learned again, from every paper.
        let (second, lag) = ingest(&[&english(2)]);
        assert_ne!(second, first);
        assert_eq!((index.lexicon().file.papers, lag), (42, LexiconLag::default()));

        // Papers with Chinese text are learned from at once.
        let (third, lag) = ingest(&[&chinese(100, "本文研究蒸馏方法。"), &chinese(101, "作者改进蒸馏。")]);
        assert_ne!(third, second);
        assert_eq!((index.lexicon().file.papers, lag), (44, LexiconLag::default()));

        // Removals alike: an English paper is counted, a Chinese one learned from at once.
        index.remove(&["2602.00001"]).expect("remove");
        assert_eq!((&index.lexicon().name, index.lexicon_lag().expect("lag").english), (&third, 1));
        index.remove(&["2601.00001"]).expect("remove");
        assert_ne!(index.lexicon().name, third);
        assert_eq!((index.lexicon().file.papers, index.lexicon_lag().expect("lag")), (42, LexiconLag::default()));
    }

    #[test]
    fn a_paper_counts_as_chinese_when_either_its_old_or_its_new_text_is() {
        let zh = paper("2601.00001", "Hallucination", "本文研究幻觉问题。", "We study it.");
        let en = paper("2601.00001", "Hallucination", "", "We study it.");
        let zh_title = paper("2601.00002", "幻觉", "", "We study it.");
        let mut lag = LexiconLag::default();
        lag.changed(Some(&zh), Some(&en));
        lag.changed(None, Some(&zh_title));
        lag.changed(Some(&en), None);
        lag.changed(None, Some(&en));
        assert_eq!(lag, LexiconLag { chinese: 2, english: 2 });
        assert!(lag.due(1_000_000));
        assert!(!LexiconLag { chinese: 0, english: 49 }.due(1_000));
        assert!(LexiconLag { chinese: 0, english: 50 }.due(1_000));
    }

    #[test]
    fn without_any_term_vector_the_vocabulary_is_not_counted() {
        // What an ingest with `--no-model` and an empty cache does: the embedding model's
        // pairs cannot be had, so no paper is analysed for them; the rest is learned alike.
        let papers = [
            paper("2601.00001", "Hallucination in vision models", "本文研究幻觉（hallucination）问题。", ""),
            paper("2601.00002", "Robot manipulation", "", "We study robot manipulation."),
        ];
        let mut analyzer = phrase_analyzer();
        let (mut counted, mut skipped) = (Evidence::default(), Evidence::default());
        for p in &papers {
            gather(read_paper(p, true, &mut analyzer), &mut analyzer, &mut counted, true);
            gather(read_paper(p, false, &mut analyzer), &mut analyzer, &mut skipped, false);
        }
        // The English paper is not even analysed.
        assert!(read_paper(&papers[1], false, &mut analyzer).is_none());
        assert_eq!((counted.vocabulary.chinese_papers, counted.vocabulary.english_papers), (1, 2));
        assert_eq!((skipped.vocabulary.chinese_papers, skipped.vocabulary.english_papers), (0, 0));
        assert_eq!(skipped.parallel_papers, counted.parallel_papers);
        assert!(!NoTermVectors.may_give_vectors());
    }

    #[test]
    fn a_term_is_shown_as_it_is_most_often_written_in_its_plainest_case() {
        let mut forms = SurfaceForms::default();
        for form in ["Diffusion Models", "Diffusion Models", "diffusion models", "diffusion-models"] {
            forms.saw("diffusion model".into(), form.into());
        }
        // Three writings differ only in case: they outnumber the hyphenated one, and the
        // plainest of them is shown (a heading's capitals are not the term's).
        assert_eq!(forms.most_common("diffusion model").as_deref(), Some("diffusion models"));
        for form in ["CoT", "CoT", "COT"] {
            forms.saw("cot".into(), form.into());
        }
        assert_eq!(forms.most_common("cot").as_deref(), Some("CoT"), "an acronym keeps its capitals");
        assert_eq!(forms.most_common("unseen"), None);
    }

    /// `papers` in the order an ingest learns from them.
    fn by_id(mut papers: Vec<Paper>) -> Vec<Paper> {
        papers.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        papers
    }

    /// Two users who ingest the same papers in another order (other files first, other
    /// batches, other merges) get the same lexicon, bit for bit: which papers the translation
    /// model reads and the order its sums run in follow the papers' ids.
    #[test]
    fn the_lexicon_does_not_depend_on_the_order_papers_were_ingested_in() {
        let topics =
            [("幻觉", "hallucination"), ("机器人", "robot"), ("蒸馏", "distillation"), ("量化", "quantization")];
        let papers = topic_papers(&topics, 6, |i, zh, en| {
            [
                format!("A study of {en} number {i}"),
                format!("本文研究{zh}（{en}）问题，第{i}种方法在实验中有效，优于基线{i}。"),
                format!("We study {en} with method {i} and report results against baseline {i}."),
            ]
        });
        let lexicon_after = |order: &[&Paper], per_generation: usize| {
            let dir = tempfile::tempdir().expect("tempdir");
            let index =
                PaperIndex::open_or_create(dir.path()).expect("index").with_papers_per_generation(per_generation);
            let records: Vec<Record> = order.iter().flat_map(|p| p.records.clone()).collect();
            index.ingest_records(records, None, &mut crate::Quiet).expect("ingest");
            index.lexicon().file.entries.clone()
        };
        let forward: Vec<&Paper> = papers.iter().collect();
        let mut shuffled = forward.clone();
        shuffled.reverse();
        shuffled.rotate_left(7);
        let first = lexicon_after(&forward, 5);
        assert!(!first.is_empty());
        assert_eq!(first, lexicon_after(&shuffled, 3));
        assert_eq!(first, lexicon_after(&shuffled, 100));
    }

    #[test]
    fn a_glossary_adds_and_removes_pairs_and_names_bad_lines() {
        let text = "# term pairs\n幻觉\thallucination\nmixture of experts\t混合专家\t0.8\nbroken line\n幻觉\tfoo\t2\nabc\tdef\n";
        let (entries, problems) = parse_glossary(Path::new("g.tsv"), text);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].zh, "混合专家");
        assert_eq!(entries[1].weight, 0.8);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("g.tsv:4:"), "{problems:?}");
        assert!(problems[1].starts_with("g.tsv:5:"), "{problems:?}");
        assert!(problems[2].starts_with("g.tsv:6:"), "{problems:?}");
        let lexicon = Lexicon::new(None, LexiconFile::default(), entries);
        let expansions = lexicon.expand("混合专家 路由", 0.5, 0.5);
        assert_eq!(expansions.len(), 1);
        assert_eq!(expansions[0].to, "mixture of experts");
        assert_eq!(expansions[0].source, LexiconSource::Glossary);
        let back = lexicon.expand("Mixture-of-Experts routing", 0.5, 0.5);
        assert_eq!(back.first().map(|e| e.to.as_str()), Some("混合专家"), "{back:?}");
        // Weight 0 removes a learned pair.
        let (removal, _) = parse_glossary(Path::new("g.tsv"), "混合专家\tmixture of experts\t0\n");
        let file = LexiconFile { entries: lexicon.entries.clone(), ..LexiconFile::default() };
        assert!(Lexicon::new(None, file, removal).expand("混合专家", 0.5, 0.5).is_empty());
    }

    #[test]
    fn a_glossary_pair_given_again_takes_the_later_weight_and_a_term_too_long_is_refused() {
        let long = "reinforcement ".repeat(10_000);
        let text = format!("强化学习\tRL\n强化学习\t{long}\n强化学习\t rl \t0\n奖励模型\treward model\n");
        let (entries, problems) = parse_glossary(Path::new("g.tsv"), &text);
        let pairs: Vec<(&str, &str, f32)> = entries.iter().map(|e| (e.zh.as_str(), e.en.as_str(), e.weight)).collect();
        assert_eq!(pairs, [("强化学习", "rl", 0.0), ("奖励模型", "reward model", 1.0)], "the later weight 0 removes");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("g.tsv:2: line skipped: a term is 139999 characters long"), "{problems:?}");
        assert!(problems[0].len() < 300, "the line is quoted short: {} bytes", problems[0].len());
        assert!(problems[1].starts_with("g.tsv:3: repeats the pair of line 1"), "{problems:?}");
    }

    #[test]
    fn a_glossary_saved_by_a_windows_editor_reads_as_written_and_another_encoding_is_named_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("g.tsv");
        let pairs = "幻觉\thallucination\n奖励模型\treward model\n";
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(pairs.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        for bytes in [[&b"\xEF\xBB\xBF"[..], pairs.as_bytes()].concat(), utf16] {
            fs::write(&path, bytes).expect("write");
            let (entries, problems) = read_glossary(&path).expect("reads");
            assert!(problems.is_empty(), "{problems:?}");
            let zh: Vec<&str> = entries.iter().map(|e| e.zh.as_str()).collect();
            assert_eq!(zh, ["幻觉", "奖励模型"], "the byte-order mark is not part of the first term");
        }
        // GBK (what older Chinese Windows editors save): one error naming the file and the encoding.
        fs::write(&path, [0xBB, 0xC3, 0xBE, 0xF5, b'\t', b'h', b'i', b'\n', 0xC4, 0xA3, b'\t', b'm', b'\n'])
            .expect("write");
        let error = read_glossary(&path).expect_err("another encoding is refused").to_string();
        assert!(error.contains("g.tsv") && error.contains("UTF-8"), "{error}");
        // A binary file is told what a glossary holds, not what the parsers read.
        fs::write(&path, b"\xFF\xFE bad\n").expect("write");
        let error = read_glossary(&path).expect_err("a binary file is refused").to_string();
        assert!(error.ends_with("expected lines of Chinese<TAB>English[<TAB>weight]"), "{error}");
    }

    #[test]
    fn a_file_with_no_pair_is_refused_as_a_glossary_and_an_empty_one_is_a_glossary_of_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.md");
        // A report given as the glossary by mistake: every line is skipped.
        fs::write(&path, "# Hugging Face Daily Papers Report\n**Date**: 2026-02-05\n\n## 📄 A title\n").expect("write");
        let error = read_glossary(&path).expect_err("no pair: refused").to_string();
        assert!(
            error.contains("report.md") && error.contains("holds no pair") && error.contains("(skipped lines: 1;"),
            "{error}"
        );
        // One good pair among bad lines is a glossary, its bad lines named.
        fs::write(&path, "幻觉\thallucination\nnot a pair\n").expect("write");
        let (entries, problems) = read_glossary(&path).expect("one pair");
        assert_eq!((entries.len(), problems.len()), (1, 1));
        // Empty, or comments only: no pairs, which removes a stored glossary.
        for text in ["", "# no pairs yet\n\n"] {
            fs::write(&path, text).expect("write");
            assert_eq!(read_glossary(&path).expect("empty").0.len(), 0);
        }
    }

    #[test]
    fn a_glossary_that_cannot_be_read_leaves_the_learned_pairs_serving() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir(dir.path().join(GLOSSARY_FILE)).expect("a folder where the glossary belongs");
        let lexicon = load(dir.path(), None).expect("loads without the glossary");
        assert_eq!(lexicon.glossary_problems.len(), 1, "{:?}", lexicon.glossary_problems);
        assert!(lexicon.glossary_problems[0].contains("glossary.tsv"), "{:?}", lexicon.glossary_problems);
    }

    #[test]
    fn a_chinese_compound_is_paired_with_the_english_phrase_it_translates() {
        // Each compound is written in six papers whose English says the phrase; 模型 and
        // model are in every paper, so they pair with nothing, and only the two-word phrases
        // can carry 奖励模型 → reward model. Twelve topics, so each phrase is in less than a
        // tenth of the papers (more would make it boilerplate, MAX_PHRASE_SHARE).
        let topics = [
            ("奖励模型", "reward model"),
            ("语音识别", "speech recognition"),
            ("图像分割", "image segmentation"),
            ("知识图谱", "knowledge graph"),
            ("目标检测", "object detection"),
            ("机器翻译", "machine translation"),
            ("情感分析", "sentiment analysis"),
            ("推荐系统", "recommender systems"),
            ("时间序列", "time series"),
            ("联邦学习", "federated learning"),
            ("蛋白质折叠", "protein folding"),
            ("代码补全", "code completion"),
        ];
        let zh_forms = ["本文提出一种新的{}用于对齐模型。", "我们的{}提升了模型效果。", "该{}在基准上评估模型。"];
        let en_forms = [
            "We propose a new {} for aligning the model.",
            "Our {} improves the model clearly.",
            "This {} is evaluated on model benchmarks.",
        ];
        let papers = topic_papers(&topics, 6, |i, zh, en| {
            [format!("Paper {i}"), zh_forms[i % 3].replace("{}", zh), en_forms[i % 3].replace("{}", en)]
        });
        let lexicon = Lexicon::new(None, learn(&papers, &[], &mut NoTermVectors), Vec::new());
        let reward: Vec<&str> = lexicon.lookup("奖励模型", 3).iter().map(|e| e.en.as_str()).collect();
        assert!(reward.contains(&"reward model"), "{reward:?}");
        let graph: Vec<&str> = lexicon.lookup("knowledge graph", 3).iter().map(|e| e.zh.as_str()).collect();
        assert!(graph.contains(&"知识图谱"), "{graph:?}");
        assert!(lexicon.lookup("模型", 3).is_empty(), "a word in every paper pairs with nothing");
        // Among the first four topics alone, each phrase is in a quarter of the papers: the
        // field's boilerplate, not a term.
        let lexicon = Lexicon::new(None, learn(&papers[..24], &[], &mut NoTermVectors), Vec::new());
        let reward: Vec<&str> = lexicon.lookup("奖励模型", 3).iter().map(|e| e.en.as_str()).collect();
        assert!(!reward.contains(&"reward model"), "{reward:?}");
    }

    #[test]
    fn the_lexicon_is_the_same_on_any_number_of_cores() {
        // The models' counts are shared out between cores by word, so each is summed in paper
        // order by one core: the weights, not only the pairs, must not depend on the machine.
        let topics =
            [("奖励模型", "reward model"), ("语音识别", "speech recognition"), ("知识图谱", "knowledge graph")];
        let papers = topic_papers(&topics, 8, |i, zh, en| {
            [
                format!("Paper {i}"),
                format!("本文研究{zh}与模型，第{i}种方法。"),
                format!("We study {en} and models, method {i}."),
            ]
        });
        let on = |cores: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(cores).build().expect("thread pool");
            let file = pool.install(|| learn(&papers, &[], &mut NoTermVectors));
            assert!(!file.entries.is_empty());
            serde_json::to_string(&file.entries).expect("entries")
        };
        let one = on(1);
        assert_eq!(one, on(2));
        assert_eq!(one, on(3));
    }

    #[test]
    fn a_bracket_pair_whose_chinese_side_is_cut_from_a_longer_term_is_dropped() {
        let entry = |zh: &str, en: &[&str], source: LexiconSource| LexiconEntry {
            zh: zh.to_string(),
            en: en.join(" "),
            zh_terms: vec![zh.to_string()],
            en_terms: en.iter().map(|t| t.to_string()).collect(),
            weight: 0.3,
            source,
            count: 5,
        };
        let mut entries = vec![
            // 无需训练（Training-free）, 免训练（Training-free）: the suffix both share.
            entry("训练", &["train", "free"], LexiconSource::Bracket),
            entry("训练", &["train"], LexiconSource::Parallel),
            entry("无需训练", &["train", "free"], LexiconSource::Parallel),
            // A term whose words have translations of their own, and no longer term: kept.
            entry("语言模型", &["languag", "model"], LexiconSource::Bracket),
            entry("语言模型", &["model"], LexiconSource::Parallel),
            // A longer term with the same English, but nothing says the shorter one means
            // less: kept (检索增强生成 and 增强生成 both written before RAG's long form).
            entry("增强生成", &["retriev", "augment", "gener"], LexiconSource::Bracket),
            entry("检索增强生成", &["retriev", "augment", "gener"], LexiconSource::Bracket),
        ];
        drop_cut_bracket_pairs(&mut entries);
        let kept: Vec<(&str, String, LexiconSource)> =
            entries.iter().map(|e| (e.zh.as_str(), e.en_terms.join(" "), e.source)).collect();
        let expected = [
            ("训练", "train", LexiconSource::Parallel),
            ("无需训练", "train free", LexiconSource::Parallel),
            ("语言模型", "languag model", LexiconSource::Bracket),
            ("语言模型", "model", LexiconSource::Parallel),
            ("增强生成", "retriev augment gener", LexiconSource::Bracket),
            ("检索增强生成", "retriev augment gener", LexiconSource::Bracket),
        ];
        assert_eq!(kept, expected.map(|(zh, en, source)| (zh, en.to_string(), source)));
    }

    #[test]
    fn the_pairs_seen_together_and_each_papers_cells_are_what_counting_pair_by_pair_gives() {
        // Forty papers over a few dozen word ids, some words common and some rare, so that both
        // ways of finding a paper's pairs (walking the word's pairs, walking the paper's
        // English words) are taken.
        let docs: Vec<(Vec<u32>, Vec<u32>)> = (0..40u32)
            .map(|p| {
                // Word 11 is rare: fewer pairs than a paper has English words.
                let zh: Vec<u32> =
                    (0..12).filter(|z| if *z == 11 { p < 6 } else { (p * 7 + z * 3) % 5 < 2 || *z < 2 }).collect();
                // Every fourth paper has few English words, fewer than a common word's pairs.
                let few = p % 4 == 0;
                let en: Vec<u32> =
                    (0..30).filter(|e| if few { *e < 2 || *e == p % 30 } else { (p + e * e) % 7 < 3 }).collect();
                (zh, en)
            })
            .collect();
        let mut together: HashMap<(u32, u32), u32> = HashMap::new();
        for (zh, en) in &docs {
            for &z in zh {
                for &e in en {
                    *together.entry((z, e)).or_insert(0) += 1;
                }
            }
        }
        let mut expected: Vec<(u32, u32, u32)> =
            together.into_iter().filter(|&(_, c)| c >= MIN_PARALLEL_COUNT).map(|((z, e), c)| (z, e, c)).collect();
        expected.sort_unstable();
        let seen = pairs_seen_together(&docs, 12, 30);
        assert_eq!(seen.pairs, expected);
        let partners = |z: u32| (seen.starts[z as usize + 1] - seen.starts[z as usize]) as usize;
        let ways: HashSet<bool> =
            docs.iter().flat_map(|(zh, en)| zh.iter().map(|&z| partners(z) <= en.len() * 8)).collect();
        assert_eq!(ways.len(), 2, "both ways of finding a paper's pairs are taken");
        for (z, window) in seen.starts.windows(2).enumerate() {
            assert!(seen.pairs[window[0] as usize..window[1] as usize].iter().all(|&(pz, _, _)| pz == z as u32));
        }
        for doc in &docs {
            let mut cells: Vec<u32> = (0..seen.pairs.len() as u32)
                .filter(|&p| {
                    let (z, e, _) = seen.pairs[p as usize];
                    doc.0.contains(&z) && doc.1.contains(&e)
                })
                .collect();
            // Grouped by English word for the forward model, then by Chinese word for the
            // backward one: each run one word's, the words in order.
            let runs_hold = |paper: &PaperCells, word: fn(&(u32, u32, u32)) -> u32| {
                let words: Vec<u32> = paper.groups().map(|(w, _)| w).collect();
                !paper.cells.is_empty()
                    && paper.groups().map(|(_, run)| run.len()).sum::<usize>() == paper.cells.len()
                    && words.windows(2).all(|w| w[0] < w[1])
                    && paper.groups().all(|(w, run)| run.iter().all(|&p| word(&seen.pairs[p as usize]) == w))
            };
            cells.sort_unstable_by_key(|&p| (seen.pairs[p as usize].1, p));
            let mut holds = vec![0u64; 1];
            let mut paper = seen.cells_of(doc, &mut holds);
            assert_eq!(holds, [0], "the bit set is left clear");
            assert_eq!(paper.cells, cells);
            assert!(runs_hold(&paper, |&(_, e, _)| e));
            paper.group_by_chinese_word(&seen.pairs);
            cells.sort_unstable_by_key(|&p| (seen.pairs[p as usize].0, p));
            assert_eq!(paper.cells, cells);
            assert!(runs_hold(&paper, |&(z, _, _)| z));
        }
    }

    #[test]
    fn a_query_is_cut_where_the_lexicons_phrases_fit_not_where_jieba_cuts_it() {
        // Jieba reads 生成长视频 as 生 / 成长 / 视频; the lexicon knows 生成 and 长视频, which
        // cover more of it.
        let glossary = "生成\tgeneration\n长视频\tlong videos\n成长\tgrowing\n视频\tvideo\n扩散模型\tdiffusion model\n";
        let (entries, problems) = parse_glossary(Path::new("g.tsv"), glossary);
        assert!(problems.is_empty(), "{problems:?}");
        let lexicon = Lexicon::new(None, LexiconFile::default(), entries);
        let translations: Vec<String> =
            lexicon.expand("如何用扩散模型生成长视频？", 1.0, 0.0).into_iter().map(|e| e.to).collect();
        assert_eq!(translations, ["diffusion model", "generation", "long videos", "video"]);
        // Where jieba's words are what the lexicon knows, the cut is jieba's.
        let plain: Vec<String> = lexicon.expand("视频生成", 1.0, 0.0).into_iter().map(|e| e.to).collect();
        assert_eq!(plain, ["video", "generation"]);
        // A longer phrase wins the cut over shorter ones that cover one character more: jieba's
        // 超长 / 文本 never has the word 长文本 in it. 超长 is still read across the pieces, an
        // alternative for the part of the query it overlaps.
        let (entries, _) = parse_glossary(Path::new("g.tsv"), "超长\tultra\n文本\ttext\n长文本\tlong context\n");
        let lexicon = Lexicon::new(None, LexiconFile::default(), entries);
        let longest: Vec<String> = lexicon.expand("超长文本", 1.0, 0.0).into_iter().map(|e| e.to).collect();
        assert_eq!(longest, ["ultra", "long context", "text"]);
        // A word jieba keeps whole (三维重建) that the lexicon lacks is read as the parts it knows.
        let (entries, _) = parse_glossary(Path::new("g.tsv"), "三维\t3D\n重建\treconstruction\n");
        let lexicon = Lexicon::new(None, LexiconFile::default(), entries);
        let parts: Vec<String> = lexicon.expand("三维重建", 1.0, 0.0).into_iter().map(|e| e.to).collect();
        assert_eq!(parts, ["3D", "reconstruction"]);
    }
}
