//! What a query's marks ask of every hit, read as web search engines read them: a phrase in
//! quotes (`"KV cache"`, `“奖励模型”`, `「奖励模型」`) must be in every hit, and a word or a
//! quoted phrase after a minus (`-vision`, `-"world model"`) in none.
//!
//! [`QuerySyntax::read`] splits the text: a quoted phrase's words stay in the text the
//! retrievers rank by, an excluded part leaves it. [`TextFilter::of`] analyses each phrase as
//! the index analysed the papers, and [`crate::SearchFilter`] carries it: the keyword query
//! gets it as required and forbidden clauses, the vectors only see the papers it admits, in
//! every mode, from the CLI, the HTTP API and MCP alike.
//!
//! A phrase is found as written: its words in order (as the index spells them: `"language
//! models"` finds `language model`, stop words keep their places; one other word may stand
//! among them, for the whole of a hyphenated word, [`WORDS_SLOP`]), each run of Chinese
//! characters as that run (its character bigrams in order, so however jieba cut the papers),
//! in the title, the text, the keywords or the authors of a paper. A query without marks, and
//! a description of more than ten words (whose quotes are emphasis or citations), is searched
//! exactly as before.

use paperdex_core::is_han;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

use crate::analysis::{analyze, analyze_with_positions, bigram_analyzer, word_analyzer};
use crate::error::Result;
use crate::schema::Fields;

/// A query split into the text to rank by and the phrases its marks require or exclude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuerySyntax {
    /// The text the retrievers rank by: the query without its quotes and its excluded parts
    /// (the query itself, byte for byte, when it has no marks).
    pub words: String,
    /// The quoted phrases, as written (without their quotes): every hit holds each.
    pub required: Vec<String>,
    /// The words and phrases after a minus, as written: no hit holds any.
    pub excluded: Vec<String>,
}

/// The quotes a phrase may be written in, each with the mark that closes it.
const QUOTES: [(char, char); 4] = [('"', '"'), ('“', '”'), ('「', '」'), ('『', '』')];

/// The minus signs that exclude the word or phrase after them (ASCII, and the full-width one
/// a Chinese input method types).
const MINUS: [char; 2] = ['-', '－'];

impl QuerySyntax {
    /// Reads `query`'s marks. A quote opens a phrase wherever it stands and its closing mark
    /// ends it; one never closed is no mark (a pasted title with a stray quote is searched as
    /// its words). A minus excludes when it begins a word (at the start or after white space)
    /// and a letter, digit or quote follows it: `-vision` up to the next white space,
    /// `-"world model"` to its closing quote. `GPT-4o`, `self-play` and a lone `-` are words.
    /// A description ([`crate::spelling::is_description`]: a question, a pasted abstract) has
    /// no marks: its quotes are emphasis or a citation, not a demand.
    pub fn read(query: &str) -> QuerySyntax {
        let mut syntax = QuerySyntax { words: String::new(), required: Vec::new(), excluded: Vec::new() };
        if crate::spelling::is_description(query) {
            syntax.words = query.to_string();
            return syntax;
        }
        let chars: Vec<(usize, char)> = query.char_indices().collect();
        let mut marked = false;
        let mut k = 0;
        while k < chars.len() {
            let (at, c) = chars[k];
            let starts_word = k == 0 || chars[k - 1].1.is_whitespace();
            if MINUS.contains(&c)
                && starts_word
                && let Some(&(_, next)) = chars.get(k + 1)
            {
                if let Some(end) = quoted_from(&chars, k + 1) {
                    syntax.excluded.push(phrase(query, &chars, k + 1, end));
                    (marked, k) = (true, end + 1);
                    continue;
                }
                if next.is_alphanumeric() {
                    let end = (k + 1..chars.len()).find(|&j| chars[j].1.is_whitespace()).unwrap_or(chars.len());
                    let to = chars.get(end).map_or(query.len(), |&(at, _)| at);
                    syntax.excluded.push(query[chars[k + 1].0..to].to_string());
                    (marked, k) = (true, end);
                    continue;
                }
            }
            if let Some(end) = quoted_from(&chars, k) {
                let inner = phrase(query, &chars, k, end);
                // The phrase's words are searched too, apart from what stands around them.
                syntax.words.push(' ');
                syntax.words.push_str(&inner);
                syntax.words.push(' ');
                if inner.chars().any(char::is_alphanumeric) {
                    syntax.required.push(inner);
                }
                (marked, k) = (true, end + 1);
                continue;
            }
            syntax.words.push_str(&query[at..at + c.len_utf8()]);
            k += 1;
        }
        if !marked {
            syntax.words = query.to_string();
        } else {
            syntax.words = syntax.words.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        syntax.excluded.retain(|part| part.chars().any(char::is_alphanumeric));
        syntax
    }

    /// Whether the query has marks that narrow its hits.
    pub fn narrows(&self) -> bool {
        !self.required.is_empty() || !self.excluded.is_empty()
    }
}

/// Where the quote opening at `chars[open]` closes, when it is a quote that closes.
fn quoted_from(chars: &[(usize, char)], open: usize) -> Option<usize> {
    let &(_, close) = QUOTES.iter().find(|&&(opening, _)| opening == chars[open].1)?;
    (open + 1..chars.len()).find(|&j| chars[j].1 == close)
}

/// The text between the quotes at `chars[open]` and `chars[close]`, trimmed.
fn phrase(query: &str, chars: &[(usize, char)], open: usize, close: usize) -> String {
    let from = chars[open].0 + chars[open].1.len_utf8();
    query[from..chars[close].0].trim().to_string()
}

/// One piece of a phrase as the index can find it.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Word terms with their positions, from the word analyzer: a phrase in the word fields
    /// (one term: the term).
    Words(Vec<(usize, String)>),
    /// A run of Chinese characters as its bigrams, in order: a phrase in the bigram field.
    HanRun(Vec<String>),
}

/// A phrase as written, and as the index can find it: every piece, in a paper.
#[derive(Debug, Clone, PartialEq)]
struct Phrase {
    text: String,
    pieces: Vec<Piece>,
}

/// The phrases a query's marks require in and exclude from every hit, analysed: part of a
/// [`crate::SearchFilter`], made by the engine from the query (empty elsewhere).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextFilter {
    required: Vec<Phrase>,
    excluded: Vec<Phrase>,
}

impl TextFilter {
    /// Analyses `syntax`'s phrases. A phrase with no word the index holds (stop words alone:
    /// `"the"`) narrows nothing: it is left out, and a warning names it.
    pub(crate) fn of(syntax: &QuerySyntax) -> (TextFilter, Vec<String>) {
        let mut warnings = Vec::new();
        let mut analysed = |phrases: &[String]| -> Vec<Phrase> {
            let (found, empty): (Vec<Phrase>, Vec<Phrase>) =
                phrases.iter().map(|text| Phrase::of(text)).partition(|phrase| !phrase.pieces.is_empty());
            warnings.extend(empty.into_iter().map(|phrase| {
                format!("\"{}\" holds no word the index searches (only stop words): it narrows nothing", phrase.text)
            }));
            found
        };
        let filter = TextFilter { required: analysed(&syntax.required), excluded: analysed(&syntax.excluded) };
        (filter, warnings)
    }

    /// Leaves out each required phrase no paper in `searcher` holds, and says so: an answer of
    /// nothing helps nobody, and the phrase's words are still searched (a misspelled phrase,
    /// or one the papers word otherwise).
    pub(crate) fn without_unheld(&mut self, searcher: &Searcher, fields: &Fields) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        let mut kept = Vec::new();
        for phrase in std::mem::take(&mut self.required) {
            if phrase.is_held(searcher, fields)? {
                kept.push(phrase);
            } else {
                warnings.push(format!("no paper holds \"{}\": searched without requiring it", phrase.text));
            }
        }
        self.required = kept;
        Ok(warnings)
    }

    /// Whether it admits every paper.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.excluded.is_empty()
    }

    /// The phrases every hit holds, as written.
    pub fn required(&self) -> Vec<String> {
        self.required.iter().map(|phrase| phrase.text.clone()).collect()
    }

    /// The words and phrases no hit holds, as written.
    pub fn excluded(&self) -> Vec<String> {
        self.excluded.iter().map(|phrase| phrase.text.clone()).collect()
    }

    /// Its clauses: each required phrase a must, each excluded one a must-not.
    pub(crate) fn clauses(&self, fields: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
        let required = self.required.iter().map(|phrase| (Occur::Must, phrase.query(fields)));
        let excluded = self.excluded.iter().map(|phrase| (Occur::MustNot, phrase.query(fields)));
        required.chain(excluded).collect()
    }
}

impl Phrase {
    /// `text` cut into runs of Chinese characters and the text between them, each analysed.
    fn of(text: &str) -> Phrase {
        let mut pieces = Vec::new();
        let mut words = word_analyzer();
        let mut bigrams = bigram_analyzer();
        for (han, run) in runs_by_script(text) {
            let piece = match han {
                // One character has no bigram: it is the word term jieba made of it.
                true if run.chars().count() > 1 => Piece::HanRun(analyze(&mut bigrams, run)),
                _ => Piece::Words(analyze_with_positions(&mut words, run)),
            };
            match &piece {
                Piece::Words(terms) if terms.is_empty() => {}
                _ => pieces.push(piece),
            }
        }
        Phrase { text: text.to_string(), pieces }
    }

    /// Whether a paper (not deleted) holds it; stops at the first.
    fn is_held(&self, searcher: &Searcher, fields: &Fields) -> Result<bool> {
        let weight = self.query(fields).weight(EnableScoring::disabled_from_searcher(searcher))?;
        for segment in searcher.segment_readers() {
            let mut scorer = weight.scorer(segment, 1.0)?;
            let alive = segment.alive_bitset();
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    return Ok(true);
                }
                doc = scorer.advance();
            }
        }
        Ok(false)
    }

    /// The query matching the papers that hold every piece.
    fn query(&self, fields: &Fields) -> Box<dyn Query> {
        let word_fields = [fields.title, fields.body, fields.keywords, fields.authors];
        let pieces: Vec<Box<dyn Query>> = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Words(terms) => {
                    let in_field = |field: Field| sequence(field, terms, WORDS_SLOP);
                    any_of(word_fields.iter().map(|&field| in_field(field)).collect())
                }
                Piece::HanRun(bigrams) => {
                    let terms: Vec<(usize, String)> = bigrams.iter().cloned().enumerate().collect();
                    sequence(fields.han_bigrams, &terms, 0)
                }
            })
            .collect();
        match pieces.len() {
            1 => pieces.into_iter().next().expect("one piece"),
            _ => Box::new(BooleanQuery::new(pieces.into_iter().map(|q| (Occur::Must, q)).collect())),
        }
    }
}

/// Terms at their positions as a phrase in `field` allowing `slop` other terms among them, or
/// one term.
fn sequence(field: Field, terms: &[(usize, String)], slop: u32) -> Box<dyn Query> {
    let term = |text: &str| Term::from_field_text(field, text);
    match terms {
        [(_, only)] => Box::new(TermQuery::new(term(only), IndexRecordOption::Basic)),
        _ => {
            let first = terms[0].0;
            let terms = terms.iter().map(|(at, text)| (at - first, term(text))).collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
        }
    }
}

/// The other terms a phrase of words allows among its own: one. Jieba emits a hyphenated word
/// whole after its parts (`vision` `language` `vision-language` `model`), so the word after
/// one stands two places after its last part: `"language model"` must find `vision-language
/// model`, and `"cache quantization"` `KV-Cache quantization`. Putting the whole at its first
/// part's place in the index instead moved the ranking's phrase clauses on eight judged sets,
/// up and down (PERFORMANCE.md, "Session 47").
const WORDS_SLOP: u32 = 1;

/// A query matching what any of `queries` matches.
fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(queries.into_iter().map(|q| (Occur::Should, q)).collect()))
}

/// `text` as runs of Chinese characters (`true`) and the text between them (`false`).
fn runs_by_script(text: &str) -> Vec<(bool, &str)> {
    let mut runs: Vec<(bool, &str)> = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (at, c) in text.char_indices() {
        let han = is_han(c);
        if current.is_some_and(|h| h != han) {
            runs.push((current.expect("a run"), &text[start..at]));
            start = at;
        }
        current = Some(han);
    }
    if let Some(han) = current {
        runs.push((han, &text[start..]));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(query: &str) -> (String, Vec<String>, Vec<String>) {
        let s = QuerySyntax::read(query);
        (s.words, s.required, s.excluded)
    }

    fn strings(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_query_without_marks_is_searched_byte_for_byte() {
        for query in ["KV cache quantization", "  强化学习  奖励模型 ", "GPT-4o self-play - a b", "5\" x", "a -"]
        {
            let syntax = QuerySyntax::read(query);
            assert_eq!(syntax.words, query);
            assert!(!syntax.narrows(), "{query}");
        }
    }

    #[test]
    fn a_quoted_phrase_is_required_and_still_searched() {
        assert_eq!(read("\"KV cache\" quantization"), ("KV cache quantization".into(), strings(&["KV cache"]), vec![]));
        assert_eq!(read("关于“奖励模型”的论文").1, strings(&["奖励模型"]));
        assert_eq!(read("「强化学习」 agent").1, strings(&["强化学习"]));
        assert_eq!(read("『扩散模型』").1, strings(&["扩散模型"]));
        // An empty phrase or one of punctuation asks for nothing.
        assert_eq!(read("\"\" agents \" , \"").1, Vec::<String>::new());
    }

    #[test]
    fn a_description_quotes_for_emphasis_and_its_quotes_are_no_marks() {
        let description = "Papers where, during the \"training\" phase, words from pre-classified documents \
                           are selected and weighted by section -heuristics";
        assert!(!QuerySyntax::read(description).narrows());
        assert!(QuerySyntax::read("\"training\" phase words -heuristics").narrows());
    }

    #[test]
    fn a_quote_never_closed_is_no_mark() {
        assert_eq!(read("the \"Give me BF16 paper"), ("the \"Give me BF16 paper".into(), vec![], vec![]));
    }

    #[test]
    fn a_minus_before_a_word_or_phrase_excludes_it() {
        assert_eq!(read("language model -vision"), ("language model".into(), vec![], strings(&["vision"])));
        assert_eq!(
            read("agents -\"world model\" -强化学习"),
            ("agents".into(), vec![], strings(&["world model", "强化学习"]))
        );
        assert_eq!(read("扩散 －视频").2, strings(&["视频"]));
        // Inside a word or alone, a hyphen is a hyphen.
        for query in ["GPT-4o", "self-play", "a - b", "-- b", "x -, y"] {
            assert!(!QuerySyntax::read(query).narrows(), "{query}");
        }
    }

    #[test]
    fn a_phrase_is_cut_into_chinese_runs_and_the_words_between() {
        let phrase = Phrase::of("GPT-4o 奖励模型 of the 图").pieces;
        assert_eq!(phrase.len(), 3);
        assert!(matches!(&phrase[0], Piece::Words(terms) if !terms.is_empty()));
        assert_eq!(phrase[1], Piece::HanRun(strings(&["奖励", "励模", "模型"])));
        assert!(matches!(&phrase[2], Piece::Words(terms) if terms.len() == 1));
        // Stop words keep their places: "state of the art" is `state`, then `art` three on.
        let Piece::Words(terms) = &Phrase::of("state of the art").pieces[0] else { panic!("words") };
        assert_eq!(terms.iter().map(|(at, _)| at - terms[0].0).collect::<Vec<_>>(), vec![0, 3]);
    }

    #[test]
    fn a_phrase_of_stop_words_narrows_nothing_and_says_so() {
        let (filter, warnings) = TextFilter::of(&QuerySyntax::read("\"of the\" agents -the"));
        assert!(filter.is_empty() && filter.required().is_empty() && filter.excluded().is_empty());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("\"of the\""), "{warnings:?}");
    }
}
