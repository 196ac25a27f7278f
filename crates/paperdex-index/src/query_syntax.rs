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
//! models"` finds `language model`, a stop word's place is kept for some word; one other word
//! may stand among them, for the whole of a hyphenated word, [`WORDS_SLOP`]; a hyphenated word
//! is its parts, an acronym its singular and plural), Chinese characters alone as written (their
//! bigrams in order, so however jieba cut the papers), in the title, the text, the keywords or
//! the authors of a paper. A query without marks, and a description of more than ten words
//! outside them (whose quotes are emphasis or citations), is searched exactly as before.

use paperdex_core::{SectionGroup, is_han};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;
use tantivy::{DocSet, Searcher, TERMINATED, Term};

use crate::analysis::{analyze, bigram_analyzer, word_analyzer};
use crate::error::Result;
use crate::schema::Fields;

/// A query split into the text to rank by and the phrases its marks require or exclude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuerySyntax {
    /// The text the retrievers rank by: the query without its quotes and its excluded parts
    /// (the query itself, byte for byte, when it has no marks).
    pub words: String,
    /// The quoted phrases, as written (without their quotes), each once: every hit holds each.
    pub required: Vec<String>,
    /// The words and phrases after a minus, as written, each once: no hit holds any.
    pub excluded: Vec<String>,
    /// Whether a quote opened before words and never closed (read as a word, and the answer
    /// says so).
    pub unclosed: bool,
    /// Whether the query had marks and was read as a description all the same (the answer
    /// says so).
    pub description: bool,
}

/// The warning for a description (over ten words outside its marks) whose marks were read as
/// words.
const DESCRIPTION_MARKS: &str = "the query has over 10 words besides its quotes and minus signs: \
     read as a description, they were searched as words (shorten it to make them marks)";

/// The warning for a quote that opens and never closes.
const UNCLOSED_QUOTE: &str = "a quote that never closes was read as words, not as a phrase";

/// The quotes a phrase may be written in, each with the marks that close it: its own, and the
/// other one a copy and paste mixes with it (`“world model"`).
const QUOTES: [(char, [char; 2]); 4] =
    [('"', ['"', '”']), ('“', ['”', '"']), ('「', ['」', '』']), ('『', ['』', '」'])];

/// The minus signs that exclude the word or phrase after them: ASCII, the full-width one a
/// Chinese input method types, the dashes a text editor makes of `-` and `--`, the minus
/// sign and hyphens of typeset text (a query copied from a page or a PDF), and the small
/// hyphen-minus.
const MINUS: [char; 8] = ['-', '－', '–', '—', '−', '‐', '‑', '﹣'];

/// Whether the word at byte `at` of `query` follows a minus that begins a word (`-swebench`), as
/// [`QuerySyntax::read`] reads a word it excludes.
pub(crate) fn after_minus(query: &str, at: usize) -> bool {
    let mut before = query[..at].chars().rev();
    before.next().is_some_and(|c| MINUS.contains(&c)) && before.next().is_none_or(char::is_whitespace)
}

impl QuerySyntax {
    /// Reads `query`'s marks. A quote opens a phrase wherever it stands and its closing mark
    /// ends it; one never closed is a word (a pasted title with a stray quote is searched as
    /// its words). A minus excludes when it begins a word (at the start, after white space, or
    /// right after a closing quote when a quote follows it or it is full-width: `"LLM"-based`
    /// is a word) and a letter, digit or quote follows it: `-vision` up to
    /// the next white space, `-"world model"` to its closing quote, or to the end when it
    /// never closes. `GPT-4o`, `self-play` and a lone `-` are words. A description
    /// ([`crate::spelling::is_description`] of the words outside the marks: a question, a
    /// pasted abstract) has no marks: its quotes are emphasis or a citation, not a demand;
    /// nor has a paper's id or link in quotes, which names the paper.
    pub fn read(query: &str) -> QuerySyntax {
        let unmarked = || QuerySyntax {
            words: query.to_string(),
            required: Vec::new(),
            excluded: Vec::new(),
            unclosed: false,
            description: false,
        };
        if paperdex_core::PaperId::from_pasted(query).is_some() {
            return unmarked();
        }
        let mut syntax = unmarked();
        syntax.words.clear();
        // The text outside the marks, which says whether the query is a description.
        let mut outside = String::new();
        let chars: Vec<(usize, char)> = query.char_indices().collect();
        let mut marked = false;
        // Where the last phrase closed: a minus right after it begins a word.
        let mut closed_at = None;
        let mut k = 0;
        while k < chars.len() {
            let (at, c) = chars[k];
            // Right after a closing quote, only a minus before another quote, or a full-width
            // one, excludes: `"LLM"-based` is a hyphenated word.
            let after_phrase = k > 0 && closed_at == Some(k - 1);
            let starts_word = k == 0 || chars[k - 1].1.is_whitespace() || after_phrase;
            if MINUS.contains(&c)
                && starts_word
                && let Some(&(_, next)) = chars.get(k + 1)
                && (!after_phrase || c == '－' || is_quote(next))
            {
                if is_quote(next) {
                    let end = closing(&chars, k + 1);
                    syntax.excluded.push(phrase(query, &chars, k + 1, end));
                    marked = true;
                    closed_at = end;
                    k = end.map_or(chars.len(), |end| end + 1);
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
            if is_quote(c) {
                match closing(&chars, k) {
                    Some(end) => {
                        let inner = phrase(query, &chars, k, Some(end));
                        // The phrase's words are searched too, apart from what stands around them.
                        syntax.words.push(' ');
                        syntax.words.push_str(&inner);
                        syntax.words.push(' ');
                        if inner.chars().any(char::is_alphanumeric) {
                            syntax.required.push(inner);
                        }
                        marked = true;
                        closed_at = Some(end);
                        k = end + 1;
                        continue;
                    }
                    // A quote with words after it, never closed (not `agent "`).
                    None => syntax.unclosed |= chars[k + 1..].iter().any(|&(_, c)| c.is_alphanumeric()),
                }
            }
            syntax.words.push_str(&query[at..at + c.len_utf8()]);
            outside.push_str(&query[at..at + c.len_utf8()]);
            k += 1;
        }
        if !marked || crate::spelling::is_description(&outside) {
            return QuerySyntax { unclosed: syntax.unclosed && !marked, description: marked, ..unmarked() };
        }
        syntax.words = syntax.words.split_whitespace().collect::<Vec<_>>().join(" ");
        for list in [&mut syntax.required, &mut syntax.excluded] {
            let mut seen = std::collections::HashSet::new();
            list.retain(|part| part.chars().any(char::is_alphanumeric) && seen.insert(part.to_lowercase()));
        }
        syntax
    }

    /// Whether the query has marks that narrow its hits.
    pub fn narrows(&self) -> bool {
        !self.required.is_empty() || !self.excluded.is_empty()
    }

    /// What the answer says about how the marks were read: a quote that never closed, marks
    /// read as words in a description.
    pub fn notes(&self) -> Vec<String> {
        let notes = [(self.unclosed, UNCLOSED_QUOTE), (self.description, DESCRIPTION_MARKS)];
        notes.into_iter().filter(|&(said, _)| said).map(|(_, note)| note.to_string()).collect()
    }
}

/// Phrases each in quotes, one after the other: how every front end names a query's marks
/// (`every hit holds: "KV cache", "reward model"`).
pub fn quoted_phrases(phrases: &[String]) -> String {
    phrases.iter().map(|phrase| format!("{phrase:?}")).collect::<Vec<_>>().join(", ")
}

/// Whether `c` opens a phrase.
fn is_quote(c: char) -> bool {
    QUOTES.iter().any(|&(opening, _)| opening == c)
}

/// Where the quote opening at `chars[open]` closes, if it does.
fn closing(chars: &[(usize, char)], open: usize) -> Option<usize> {
    let &(_, closes) = QUOTES.iter().find(|&&(opening, _)| opening == chars[open].1)?;
    (open + 1..chars.len()).find(|&j| closes.contains(&chars[j].1))
}

/// The text after the quote at `chars[open]`, up to its closing quote (or the end), trimmed.
fn phrase(query: &str, chars: &[(usize, char)], open: usize, close: Option<usize>) -> String {
    let from = chars[open].0 + chars[open].1.len_utf8();
    let to = close.map_or(query.len(), |close| chars[close].0);
    query[from..to].trim().to_string()
}

/// A phrase as the index can find it.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Word terms with their positions, from the word analyzer: a phrase in the word fields
    /// (one term: the term).
    Words(Vec<(usize, String)>),
    /// Chinese characters as their bigrams, in order: a phrase in the bigram field.
    Han(Vec<String>),
}

/// A phrase as written, and as the index can find it (`None`: stop words alone).
#[derive(Debug, Clone, PartialEq)]
struct Phrase {
    text: String,
    piece: Option<Piece>,
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
    /// `"the"`) narrows nothing: it is left out, and a warning names it, as one that excludes
    /// words the query searches for (`agent -agent`: no paper can both match and be a hit).
    pub(crate) fn of(syntax: &QuerySyntax) -> (TextFilter, Vec<String>) {
        let mut warnings = Vec::new();
        let mut analysed = |phrases: &[String], does: &str| -> Vec<Phrase> {
            let (found, empty): (Vec<Phrase>, Vec<Phrase>) =
                phrases.iter().map(|text| Phrase::of(text)).partition(|phrase| phrase.piece.is_some());
            warnings.extend(empty.into_iter().map(|phrase| {
                format!("\"{}\" holds no word the index searches (only stop words): it {does} nothing", phrase.text)
            }));
            found
        };
        let filter = TextFilter {
            required: analysed(&syntax.required, "requires"),
            excluded: analysed(&syntax.excluded, "excludes"),
        };
        let searched = Phrase::of(&syntax.words);
        for phrase in &filter.excluded {
            if searched.holds(phrase) {
                warnings.push(format!(
                    "-\"{}\" excludes words the query searches for: a paper holding them cannot be a hit",
                    phrase.text
                ));
            }
        }
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

    /// Whether it requires a phrase.
    pub(crate) fn requires_any(&self) -> bool {
        !self.required.is_empty()
    }

    /// The phrases every hit holds, as written.
    pub fn required(&self) -> Vec<String> {
        self.required.iter().map(|phrase| phrase.text.clone()).collect()
    }

    /// The words the query is searched with besides its own: a quoted acronym's other form
    /// (`"LLM"` is searched as `LLM LLMs`), so the keyword list ranks every paper the phrase
    /// admits.
    pub(crate) fn also_searched(&self) -> Vec<String> {
        let mut also = Vec::new();
        for phrase in &self.required {
            if let (Some(forms), Some(Piece::Words(written))) = (acronym_forms(&phrase.text), &phrase.piece) {
                also.extend(forms.into_iter().filter(|form| written.iter().all(|(_, term)| term != form)));
            }
        }
        also
    }

    /// Whether the excluded phrases that `words` holds cover every word it searches for
    /// (`agent -agent`, `vision transformer -vision -transformer`): nothing is left to look
    /// for. Searched, its words matched no paper the filter admits, and vector and hybrid
    /// modes served every paper by meaning alone. `model -"language model"` still searches
    /// `model`, as `vision transformer -vision` does `transformer`.
    pub(crate) fn excludes_every_word_of(&self, words: &str) -> bool {
        let searched = Phrase::of(words);
        let held: Vec<&str> =
            self.excluded.iter().filter(|phrase| searched.holds(phrase)).map(|phrase| phrase.text.as_str()).collect();
        !held.is_empty() && Phrase::of(&held.join(" ")).holds(&searched)
    }

    /// The words and phrases no hit holds, as written.
    pub fn excluded(&self) -> Vec<String> {
        self.excluded.iter().map(|phrase| phrase.text.clone()).collect()
    }

    /// Its clauses: each required phrase a must (in `section` when one is searched alone),
    /// each excluded one a must-not (anywhere in a paper).
    pub(crate) fn clauses(&self, fields: &Fields, section: Option<SectionGroup>) -> Vec<(Occur, Box<dyn Query>)> {
        let required = self.required.iter().map(|phrase| (Occur::Must, phrase.query_in(fields, section)));
        let excluded = self.excluded.iter().map(|phrase| (Occur::MustNot, phrase.query(fields)));
        required.chain(excluded).collect()
    }
}

impl Phrase {
    /// `text` analysed: Chinese characters alone (white space between them taken out: Chinese
    /// is written without it) as their bigrams, anything else as words, the word analyzer's
    /// terms and positions without the wholes jieba adds after a hyphenated word's parts
    /// ([`word_parts`]), so `"world-model"` finds `world model`, and `-GPT-4o` leaves out
    /// `GPT-4o-mini` too.
    fn of(text: &str) -> Phrase {
        let han = text.chars().filter(|&c| is_han(c)).count();
        let other = text.chars().any(|c| c.is_alphanumeric() && !is_han(c));
        let piece = if han > 1 && !other {
            let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            Piece::Han(analyze(&mut bigram_analyzer(), &joined))
        } else {
            Piece::Words(word_parts(text))
        };
        let empty = match &piece {
            Piece::Words(terms) => terms.is_empty(),
            Piece::Han(bigrams) => bigrams.is_empty(),
        };
        let piece = (!empty).then_some(piece);
        Phrase { text: text.to_string(), piece }
    }

    /// Whether this text holds all of `other`'s terms (its bigrams, for Chinese characters).
    fn holds(&self, other: &Phrase) -> bool {
        let terms = |phrase: &Phrase| -> Vec<String> {
            match &phrase.piece {
                Some(Piece::Words(terms)) => terms.iter().map(|(_, t)| t.clone()).collect(),
                Some(Piece::Han(bigrams)) => bigrams.clone(),
                None => Vec::new(),
            }
        };
        let mine: std::collections::HashSet<String> = match &other.piece {
            Some(Piece::Han(_)) => {
                let joined: String = self.text.chars().filter(|&c| is_han(c)).collect();
                analyze(&mut bigram_analyzer(), &joined).into_iter().collect()
            }
            _ => terms(self).into_iter().collect(),
        };
        let theirs = terms(other);
        !theirs.is_empty() && theirs.iter().all(|t| mine.contains(t))
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

    /// The query matching the papers that hold it in `section`: in the title, the phrase in
    /// the title field; in another section, the phrase in the paper and each of its words in
    /// the section's field (which keeps no positions, and jieba's words, not bigrams).
    fn query_in(&self, fields: &Fields, section: Option<SectionGroup>) -> Box<dyn Query> {
        let Some(group) = section else { return self.query(fields) };
        let Some(field) = fields.section(group) else {
            return match &self.piece {
                Some(Piece::Words(_)) => self.query_over(fields, &[fields.title]),
                // The title's Chinese: its words in the title, the characters in the paper.
                _ => all_of(self.query(fields), words_in(fields.title, &self.text)),
            };
        };
        all_of(self.query(fields), words_in(field, &self.text))
    }

    /// The query matching the papers that hold it.
    fn query(&self, fields: &Fields) -> Box<dyn Query> {
        self.query_over(fields, &[fields.title, fields.body, fields.keywords, fields.authors])
    }

    /// The query matching the papers that hold it: its words in one of `word_fields`, Chinese
    /// characters alone in the bigram field.
    fn query_over(&self, fields: &Fields, word_fields: &[Field]) -> Box<dyn Query> {
        match &self.piece {
            Some(Piece::Words(terms)) => {
                let spellings = match acronym_forms(&self.text) {
                    Some(forms) => forms.into_iter().map(|form| vec![(0, form)]).collect(),
                    None => vec![terms.clone()],
                };
                let each = spellings.iter().flat_map(|terms| word_fields.iter().map(|&field| words(field, terms)));
                any_of(each.collect())
            }
            Some(Piece::Han(bigrams)) => {
                let terms: Vec<(usize, String)> = bigrams.iter().cloned().enumerate().collect();
                sequence(fields.han_bigrams, &terms, 0)
            }
            // Never asked: a phrase of stop words is left out of the filter (`TextFilter::of`).
            None => Box::new(tantivy::query::EmptyQuery),
        }
    }
}

/// The terms of a word without a vowel alone (an acronym: `LLM`, `llm`, `H100`), singular and
/// plural (`llm`, `llms`): the stemmer keeps the `s` after a run without a vowel, so the index
/// holds the two as two words, and `-LLM` kept every paper that only wrote `LLMs`. A word with
/// a vowel is the stemmer's (`AWS` is `aw`, as `GPUs` is `gpu`). Read the same way in the papers
/// as well, both forms one term, it cost the Chinese keyword set 0.047 nDCG@10 in bm25 (its
/// translations moved with the lexicon; PERFORMANCE.md, "Session 47"); marks take both.
fn acronym_forms(text: &str) -> Option<[String; 2]> {
    let word = text.trim().to_ascii_lowercase();
    if !word.bytes().all(|b| b.is_ascii_alphanumeric()) || !word.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let has_vowel = |w: &str| w.bytes().any(|b| b"aeiouy".contains(&b));
    let singular = match word.strip_suffix('s') {
        Some(singular) if singular.len() >= 2 && !has_vowel(singular) => singular,
        _ if word.len() >= 2 && !has_vowel(&word) => word.as_str(),
        _ => return None,
    };
    let term = |w: &str| -> Option<String> {
        match analyze(&mut word_analyzer(), w).as_slice() {
            [term] => Some(term.clone()),
            _ => None,
        }
    };
    Some([term(&format!("{singular}s"))?, term(singular)?])
}

/// `text`'s word terms and positions, without the wholes jieba emits after a word's parts
/// (`gpt`, `4o`, `gpt-4o`): a later token's position moves up by the wholes left out before it.
/// A whole whose parts lack some of its letters or digits stays: jieba drops a part of one
/// character (`qwen2.5-vl` is `qwen2`, `vl` and the whole), and without the whole
/// `"Qwen2.5-VL"` would find `Qwen2-VL`.
fn word_parts(text: &str) -> Vec<(usize, String)> {
    let mut analyzer = word_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut parts = Vec::new();
    let mut wholes = 0;
    while let Some(token) = stream.next() {
        let (from, to) = (token.offset_from, token.offset_to);
        let is_whole = spans.iter().any(|&(start, end)| start == from && end < to);
        let covered = |at: usize| spans.iter().any(|&(start, end)| start <= at && at < end);
        let parts_cover = text
            .get(from..to)
            .is_some_and(|whole| whole.char_indices().all(|(i, c)| !c.is_alphanumeric() || covered(from + i)));
        if is_whole && parts_cover {
            wholes += 1;
            continue;
        }
        spans.push((from, to));
        parts.push((token.position - wholes, token.text.clone()));
    }
    parts
}

/// A phrase of word terms at their positions in `field`, allowing one other term among them
/// ([`WORDS_SLOP`]) but never fewer: where a stop word left a gap (`"reward for model"`:
/// `reward` 0, `model` 2), some word must fill it. Tantivy's slop is a distance either way, so
/// a phrase with a gap would find its words closer together (`reward model`); it is asked
/// instead as the phrase at its exact positions or with one place added before one of its
/// terms, each without slop.
fn words(field: Field, terms: &[(usize, String)]) -> Box<dyn Query> {
    let gapped = terms.windows(2).any(|pair| pair[1].0 > pair[0].0 + 1);
    if !gapped {
        return sequence(field, terms, WORDS_SLOP);
    }
    let shifted = (0..terms.len()).map(|from| {
        let terms: Vec<(usize, String)> = terms
            .iter()
            .enumerate()
            .map(|(i, (at, term))| (at + usize::from(from > 0 && i >= from), term.clone()))
            .collect();
        sequence(field, &terms, 0)
    });
    any_of(shifted.collect())
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
/// part's place in the index instead moved the ranking's phrase clauses on most judged sets,
/// up and down (PERFORMANCE.md, "Session 47").
const WORDS_SLOP: u32 = 1;

/// A query matching what both match.
fn all_of(one: Box<dyn Query>, other: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![(Occur::Must, one), (Occur::Must, other)]))
}

/// A query matching the papers whose `field` holds every word of `text`.
fn words_in(field: Field, text: &str) -> Box<dyn Query> {
    let terms = word_parts(text).into_iter().map(|(_, term)| {
        let term = TermQuery::new(Term::from_field_text(field, &term), IndexRecordOption::Basic);
        (Occur::Must, Box::new(term) as Box<dyn Query>)
    });
    Box::new(BooleanQuery::new(terms.collect()))
}

/// A query matching what any of `queries` matches.
fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(queries.into_iter().map(|q| (Occur::Should, q)).collect()))
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
                           are selected, weighted by section and stored in a reference dictionary -heuristics";
        let syntax = QuerySyntax::read(description);
        assert!(!syntax.narrows() && syntax.description, "{syntax:?}");
        assert!(QuerySyntax::read("\"training\" phase words -heuristics").narrows());
    }

    #[test]
    fn a_quote_never_closed_is_a_word_and_said_to_be() {
        let syntax = QuerySyntax::read("the \"Give me BF16 paper");
        assert_eq!(
            (syntax.words.as_str(), syntax.narrows(), syntax.unclosed),
            ("the \"Give me BF16 paper", false, true)
        );
        // Nothing after it: nothing to tell.
        assert!(!QuerySyntax::read("agent \"").unclosed);
        // After a minus it can only mean what follows: excluded to the end.
        assert_eq!(read("agent -\"robot learning").2, strings(&["robot learning"]));
    }

    #[test]
    fn a_minus_before_a_word_or_phrase_excludes_it() {
        assert_eq!(read("language model -vision"), ("language model".into(), vec![], strings(&["vision"])));
        assert_eq!(
            read("agents -\"world model\" -强化学习"),
            ("agents".into(), vec![], strings(&["world model", "强化学习"]))
        );
        assert_eq!(read("扩散 －视频").2, strings(&["视频"]));
        // A dash a text editor made of `-`; right after a closing quote, a minus before a
        // quote or a full-width one; but `"LLM"-based` is a hyphenated word.
        assert_eq!(read("agent —robot").2, strings(&["robot"]));
        for minus in ['−', '‐', '‑', '﹣'] {
            assert_eq!(read(&format!("agent {minus}robot")).2, strings(&["robot"]), "{minus:?}");
        }
        assert_eq!(read("\"world model\"-\"robot\"").2, strings(&["robot"]));
        assert_eq!(read("“强化学习”－“视觉”").2, strings(&["视觉"]));
        assert_eq!(read("\"LLM\"-based agents").2, Vec::<String>::new());
        // Inside a word or alone, a hyphen is a hyphen.
        for query in ["GPT-4o", "self-play", "a - b", "-- b", "x -, y", "强化学习－视觉"] {
            assert!(!QuerySyntax::read(query).narrows(), "{query}");
        }
    }

    #[test]
    fn quotes_mixed_by_a_copy_and_paste_still_make_a_phrase_and_one_phrase_is_asked_once() {
        assert_eq!(read("“world model\" agents").1, strings(&["world model"]));
        assert_eq!(read("「强化学习』").1, strings(&["强化学习"]));
        assert_eq!(read("\"World model\" \"world model\" -x -X").1, strings(&["World model"]));
        assert_eq!(read("\"World model\" -x -X").2, strings(&["x"]));
    }

    #[test]
    fn the_words_a_description_counts_are_those_outside_its_marks() {
        // Eight words to search for and two exclusions: a query, not a description.
        let query =
            "world model learning robot manipulation policy benchmark simulation -grasping -\"video generation\"";
        assert_eq!(read(query).2, strings(&["grasping", "video generation"]));
    }

    #[test]
    fn a_paper_id_in_quotes_names_the_paper() {
        assert!(!QuerySyntax::read("\"2512.23676\"").narrows());
    }

    #[test]
    fn a_phrase_is_its_chinese_characters_as_written_or_its_words_in_order() {
        // Chinese is written without spaces: `强化 学习` is the characters `强化学习`.
        assert_eq!(Phrase::of("强化 学习").piece, Some(Piece::Han(strings(&["强化", "化学", "学习"]))));
        // A Latin name beside Chinese words: one phrase of words, as jieba cut it.
        let Some(Piece::Words(terms)) = Phrase::of("GPT-4o模型").piece else { panic!("words") };
        assert!(terms.len() >= 3 && terms.windows(2).all(|w| w[1].0 == w[0].0 + 1), "{terms:?}");
        // A hyphenated word is its parts, next to each other and to the word after them...
        let Some(Piece::Words(terms)) = Phrase::of("GPT-4o-mini model").piece else { panic!("words") };
        assert_eq!(terms, [(0, "gpt"), (1, "4o"), (2, "mini"), (3, "model")].map(|(at, t)| (at, t.to_string())));
        // ... but for a whole whose parts lack a character: `qwen2.5-vl` is not `Qwen2-VL`.
        let Some(Piece::Words(terms)) = Phrase::of("Qwen2.5-VL").piece else { panic!("words") };
        assert!(terms.iter().any(|(_, t)| t == "qwen2.5-vl"), "{terms:?}");
        // Stop words keep their places: "state of the art" is `state`, then `art` three on.
        let Some(Piece::Words(terms)) = Phrase::of("state of the art").piece else { panic!("words") };
        assert_eq!(terms.iter().map(|(at, _)| at - terms[0].0).collect::<Vec<_>>(), vec![0, 3]);
        // One Chinese character has no bigram: it is its word.
        assert!(matches!(Phrase::of("图").piece, Some(Piece::Words(_))));
    }

    #[test]
    fn an_acronym_is_asked_for_singular_and_plural() {
        let forms = |a: &str, b: &str| Some([a.to_string(), b.to_string()]);
        assert_eq!(acronym_forms("LLM"), forms("llms", "llm"));
        assert_eq!(acronym_forms("llm"), forms("llms", "llm"));
        assert_eq!(acronym_forms(" VLMs "), forms("vlms", "vlm"));
        assert_eq!(acronym_forms("H100"), forms("h100s", "h100"));
        // A word with a vowel is the stemmer's: `AWS`, `MAS`, `OS`, `FLOPS` stay one word.
        for text in ["LoRA", "Bus", "AWS", "MAS", "OS", "FLOPS", "language model", "LLM agents", "S", "2024"] {
            assert_eq!(acronym_forms(text), None, "{text}");
        }
    }

    #[test]
    fn a_phrase_of_stop_words_narrows_nothing_and_says_so() {
        let (filter, warnings) = TextFilter::of(&QuerySyntax::read("\"of the\" agents -the"));
        assert!(filter.is_empty() && filter.required().is_empty() && filter.excluded().is_empty());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("\"of the\"") && warnings[0].contains("requires nothing"), "{warnings:?}");
        assert!(warnings[1].contains("excludes nothing"), "{warnings:?}");
    }

    #[test]
    fn excluding_a_word_the_query_searches_for_is_said_to_leave_no_hit() {
        for query in ["agent -agent", "\"world model\" -world", "强化学习 -学习", "agents -agent"] {
            let (_, warnings) = TextFilter::of(&QuerySyntax::read(query));
            assert!(
                warnings.iter().any(|w| w.contains("excludes words the query searches for")),
                "{query}: {warnings:?}"
            );
        }
        let (_, warnings) = TextFilter::of(&QuerySyntax::read("visionary -vision"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_query_whose_every_word_is_excluded_has_nothing_left_to_search() {
        for (query, nothing_left) in [
            ("agent -agent", true),
            ("agents -agent", true),
            ("vision transformer -vision -transformers", true),
            ("强化学习 -强化学习", true),
            ("language model -\"language model\"", true),
            ("vision transformer -vision", false),
            ("model -\"language model\"", false),
            ("强化学习 -学习", false),
            ("-vision", false),
        ] {
            let syntax = QuerySyntax::read(query);
            let (filter, _) = TextFilter::of(&syntax);
            assert_eq!(filter.excludes_every_word_of(&syntax.words), nothing_left, "{query}");
        }
    }
}
