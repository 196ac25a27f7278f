//! Typing mistakes in English query words: a word that no paper holds is searched as the word
//! one edit away (a letter dropped, added or changed, or two neighbours swapped: Damerau's
//! single errors, about 80% of misspellings) that the most papers hold.
//!
//! Only a word keyword search cannot match at all is replaced, so the keyword list loses
//! nothing it had; the vectors then embed what the user meant. Left as typed: words shorter
//! than [`MIN_LETTERS`] (one edit turns `lora` into `lord`), words in capitals, words beside
//! digits or other scripts, and every word of a description ([`is_description`]) but two
//! words it typed as one (below). The answer says what was searched instead
//! ([`Corrected::note`]), in every front end.
//!
//! The candidates are the word's edits spelled as the index spells terms (stemmed), looked up
//! in the term dictionary: 54 per letter (about 560 for a ten-letter word, 0.3–0.4 ms more a
//! search in the bench), paid only by words no paper holds. At most [`MAX_WORDS`] words of
//! [`MAX_LETTERS`] are looked into (8,744 candidates, about 6 ms), and a search that runs out of
//! time stops between words.
//!
//! A word that no edit mends may be two words typed as one: `swebench` for `SWE-bench`,
//! `multiagent` for `multi-agent`, which papers write apart or hyphenated (jieba's terms `swe`
//! and `bench`). It is searched as the two words that most papers hold one after the other
//! ([`split_in_two`]), as Meilisearch's typo tolerance splits a word; a phrase count for each
//! place to cut whose two sides are terms papers hold.

use std::collections::HashMap;

use tantivy::collector::Count;
use tantivy::query::PhraseQuery;
use tantivy::{Searcher, Term};

use crate::analysis;
use crate::cancel::Cancel;
use crate::error::Result;
use crate::paper_index::PaperIndex;

/// The shortest word that is corrected (Meilisearch allows one typo from five letters too).
pub(crate) const MIN_LETTERS: usize = 5;

/// The longest: no word of the papers is longer, and a 1,000-letter run would make 54,000
/// candidates of 1,000 letters.
const MAX_LETTERS: usize = 40;

/// At most this many unknown words of a query are looked into.
const MAX_WORDS: usize = 4;

/// A query of more words than this (stop words aside) is a description, whose words are not
/// edited ([`is_description`]; two words typed as one are still cut apart: CISI's query 109
/// rose from 0.586 to 0.633 hybrid nDCG@10, no other query of any set moved). One word of a long query is a small share of what it asks, and a guess
/// at it added noise as often as it helped: of the misspellings in CISI's long queries
/// (`compuyter`, `suybsystem`), corrected, two raised nDCG@10 and two lowered it; and a long
/// query's words the collection lacks are mostly real words (`cones`, `tenses`), whose nearest
/// spelling is another word.
const MAX_QUERY_WORDS: usize = 10;

/// Whether `query` is a description rather than a query typed for a search engine (a question,
/// a pasted abstract): more than [`MAX_QUERY_WORDS`] words, stop words aside (a run of another
/// script counts one). Its words are searched as typed: none edited, and its quotes and
/// hyphens are no marks ([`crate::query_syntax`]): a description quotes for emphasis (the
/// `"training"` phase) or cites a title, and requiring those took nine of CACM's and CISI's
/// queries' nDCG@10 to 0.
pub(crate) fn is_description(query: &str) -> bool {
    let mut analyzer = analysis::ascii_word_analyzer();
    let content_words = runs(query)
        .into_iter()
        .filter(|at| {
            let run = &query[at.clone()];
            !run.is_ascii() || run.len() > MAX_LETTERS || !analysis::analyze(&mut analyzer, run).is_empty()
        })
        .count();
    content_words > MAX_QUERY_WORDS
}

/// One word searched as another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Correction {
    /// The word as typed.
    pub typed: String,
    /// The word searched instead.
    pub searched: String,
}

/// A query with its misspelled words replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Corrected {
    /// The query to search.
    pub query: String,
    /// What was replaced, in the order of the query.
    pub corrections: Vec<Correction>,
}

impl Corrected {
    /// What an answer says about it: `no paper contains "retreival": searched for "retrieval"
    /// instead`.
    pub(crate) fn note(&self) -> String {
        let quoted = |words: Vec<&str>| words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>();
        let typed = quoted(self.corrections.iter().map(|c| c.typed.as_str()).collect());
        let searched = quoted(self.corrections.iter().map(|c| c.searched.as_str()).collect());
        format!("no paper contains {}: searched for {} instead", typed.join(" or "), searched.join(" and "))
    }
}

/// `query` with each English word that keyword search cannot match in any paper (in no title,
/// text, keyword or author name) replaced by its likeliest intended word ([`Corrected`]);
/// `None` when no word needs it or none has a better spelling.
pub(crate) fn correct(
    index: &PaperIndex,
    searcher: &Searcher,
    query: &str,
    cancel: &Cancel,
) -> Result<Option<Corrected>> {
    let mut analyzer = analysis::ascii_word_analyzer();
    // The fields keyword search matches a word in: a name only an author list holds (`Qiwen`)
    // is a match, not a typo of `Qwen`.
    let fields = crate::search::weighted_fields(index, None);
    let papers_holding = |term: &str| -> u64 {
        fields
            .iter()
            .map(|&(field, _)| searcher.doc_freq(&Term::from_field_text(field, term)).unwrap_or(0))
            .max()
            .unwrap_or(0)
    };
    // Two words one after the other, in a title or a text (the fields with positions a
    // phrase is found in).
    let papers_holding_pair = |first: &str, second: &str| -> u64 {
        [index.fields.title, index.fields.body]
            .into_iter()
            .map(|field| {
                let pair = vec![Term::from_field_text(field, first), Term::from_field_text(field, second)];
                searcher.search(&PhraseQuery::new(pair), &Count).map_or(0, |count| count as u64)
            })
            .max()
            .unwrap_or(0)
    };
    // A description's words are never edited (see `MAX_QUERY_WORDS`), but two words it typed
    // as one are still cut apart: `which coding agents perform best on swebench verified`.
    let description = is_description(query);
    let runs = runs(query);
    // Each word typed is looked into once, however often the query repeats it; words keyword
    // search matches cost a look-up and do not count against `MAX_WORDS`.
    let mut decided: HashMap<&str, Option<String>> = HashMap::new();
    let mut looked_into = 0;
    let mut corrections: Vec<(std::ops::Range<usize>, Correction)> = Vec::new();
    for at in runs {
        let word = &query[at.clone()];
        if !correctable(word) {
            continue;
        }
        if !decided.contains_key(word) {
            let held = analysis::analyze(&mut analyzer, word).pop().is_none_or(|term| papers_holding(&term) > 0);
            if !held && looked_into == MAX_WORDS {
                continue;
            }
            cancel.check()?;
            let intended = match held {
                true => None,
                false if description => {
                    split_in_two(word, &mut analyzer, &papers_holding, &papers_holding_pair).map(|(_, words)| words)
                }
                false => intended(word, &mut analyzer, &papers_holding, &papers_holding_pair),
            };
            looked_into += usize::from(!held);
            decided.insert(word, intended);
        }
        if let Some(Some(searched)) = decided.get(word) {
            corrections.push((at, Correction { typed: word.to_string(), searched: searched.clone() }));
        }
    }
    if corrections.is_empty() {
        return Ok(None);
    }
    let mut corrected = String::with_capacity(query.len() + corrections.len());
    let mut from = 0;
    for (at, correction) in &corrections {
        corrected.push_str(&query[from..at.start]);
        // Two words for one after a minus are excluded together, as a phrase: `-swe bench`
        // excluded `swe` and searched for `bench`.
        match correction.searched.contains(' ') && crate::query_syntax::after_minus(query, at.start) {
            true => corrected.push_str(&format!("\"{}\"", correction.searched)),
            false => corrected.push_str(&correction.searched),
        }
        from = at.end;
    }
    corrected.push_str(&query[from..]);
    // The note names each word once.
    let mut named = std::collections::HashSet::new();
    let corrections = corrections.into_iter().map(|(_, c)| c).filter(|c| named.insert(c.typed.clone())).collect();
    Ok(Some(Corrected { query: corrected, corrections }))
}

/// The spelling `word` was meant as, if it needs one: `None` when keyword search matches the
/// word as typed, when one edit makes it a stop word (`thier` is `their`, which searches for
/// nothing, not `tier`), or when neither an edit nor a cut in two ([`split_in_two`]) makes
/// terms enough papers hold. Of an edit and a cut, the one more papers hold: `SWEBench` is
/// one edit from `SAEBench`, which two papers name, and 35 write `SWE-bench`.
fn intended(
    word: &str,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    papers_holding: &dyn Fn(&str) -> u64,
    papers_holding_pair: &dyn Fn(&str, &str) -> u64,
) -> Option<String> {
    let term = analysis::analyze(analyzer, word).pop()?;
    if papers_holding(&term) > 0 {
        return None;
    }
    // Each candidate's term is looked up once (many edits stem alike).
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut best: Option<(u64, String)> = None;
    for candidate in edits(word) {
        let term = analysis::analyze(analyzer, &candidate).pop()?;
        let papers = *seen.entry(term).or_insert_with_key(|term| papers_holding(term));
        // The most papers win; of equals (the spellings of one term, `generation` and
        // `generator`) the likelier slip, which `edits` makes first.
        let better = best.as_ref().is_none_or(|(most, _)| papers > *most);
        if papers >= papers_needed(word) && better {
            best = Some((papers, candidate));
        }
    }
    match (best, split_in_two(word, analyzer, papers_holding, papers_holding_pair)) {
        (Some((edited, _)), Some((apart, words))) if apart > edited => Some(words),
        (Some((_, edit)), _) => Some(edit),
        (None, split) => split.map(|(_, words)| words),
    }
}

/// The two words `word` was typed for, written apart (`swe bench` for `swebench`), with how many
/// papers hold them: of the places to cut it into two parts of at least [`MIN_PART_LETTERS`]
/// letters, each a term some paper holds, the one whose two terms the most papers hold one
/// after the other, if [`papers_needed`] do. A part that is a stop word (`inthe`) is no term,
/// and so no cut.
fn split_in_two(
    word: &str,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    papers_holding: &dyn Fn(&str) -> u64,
    papers_holding_pair: &dyn Fn(&str, &str) -> u64,
) -> Option<(u64, String)> {
    let mut best: Option<(u64, usize)> = None;
    for at in MIN_PART_LETTERS..=word.len().saturating_sub(MIN_PART_LETTERS) {
        let (first, second) = (&word[..at], &word[at..]);
        let (Some(first), Some(second)) = (one_term(analyzer, first), one_term(analyzer, second)) else { continue };
        if papers_holding(&first) == 0 || papers_holding(&second) == 0 {
            continue;
        }
        let papers = papers_holding_pair(&first, &second);
        if papers >= papers_needed(word) && best.is_none_or(|(most, _)| papers > most) {
            best = Some((papers, at));
        }
    }
    best.map(|(papers, at)| (papers, format!("{} {}", &word[..at], &word[at..])))
}

/// The fewest letters a part of a word split in two may have: `ai` and `rl` are words of the
/// field; a single letter would make a word of any letter before a held word.
const MIN_PART_LETTERS: usize = 2;

/// `text`'s term when it analyses into exactly one.
fn one_term(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Option<String> {
    let mut terms = analysis::analyze(analyzer, text);
    (terms.len() == 1).then(|| terms.pop()).flatten()
}

/// The runs of letters and digits of `query` (any script), with where they are.
fn runs(query: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in query.char_indices() {
        match (start, c.is_alphanumeric()) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..query.len());
    }
    out
}

/// Whether `word` (a run of [`runs`]) may be corrected: ASCII letters only, at least
/// [`MIN_LETTERS`] and at most [`MAX_LETTERS`] of them, not all capitals. `Qwen2`, `naïve`,
/// `cache量化` and `TCOLL` stay as they are: an acronym nobody holds is more likely new than
/// mistyped, and one edit from a word (`TOLL`).
fn correctable(word: &str) -> bool {
    (MIN_LETTERS..=MAX_LETTERS).contains(&word.len())
        && word.chars().all(|c| c.is_ascii_alphabetic())
        && !word.chars().all(|c| c.is_ascii_uppercase())
}

/// How many papers must hold a correction of `word`. A plain word meant is held by many; one
/// that a single paper holds is as likely that paper's own typing mistake (`stations` →
/// `estations`, CISI). A name with a capital inside (`MrgeVQ` → `MergeVQ`) is often one
/// paper's alone.
fn papers_needed(word: &str) -> u64 {
    if word.chars().skip(1).any(|c| c.is_ascii_uppercase()) { 1 } else { 2 }
}

/// Every string one edit from `word` (ASCII letters), the likelier slips first: a letter added
/// (the typist left one out), two neighbours swapped, a letter dropped, a letter changed. The
/// order decides between spellings of one term: `generaton` is `generation`, not `generator`,
/// and `Imaeg` is `Image`, not `Imag`. A letter changed keeps the case of the one it replaces, and a letter added
/// is a capital only between capitals (`MrgeVQ` → `MergeVQ`), so the correction reads as the
/// name was typed.
fn edits(word: &str) -> Vec<String> {
    let bytes = word.as_bytes();
    let n = bytes.len();
    let mut out = Vec::with_capacity(54 * n + 26);
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap_or_default();
    let cased = |letter: u8, upper: bool| if upper { letter.to_ascii_uppercase() } else { letter.to_ascii_lowercase() };
    for i in 0..=n {
        // Between two capitals, or beside two at either end (`Nstruction` is `Instruction`,
        // not `INstruction`).
        let around = match i {
            0 => &bytes[..2.min(n)],
            _ if i == n => &bytes[n.saturating_sub(2)..],
            _ => &bytes[i - 1..=i],
        };
        // (A capitalised word is capitalised again below, whatever the edit.)
        let upper = around.len() == 2 && around.iter().all(u8::is_ascii_uppercase);
        for letter in b'a'..=b'z' {
            out.push(text([&bytes[..i], &[cased(letter, upper)], &bytes[i..]].concat()));
        }
    }
    for i in 0..n.saturating_sub(1) {
        if !bytes[i].eq_ignore_ascii_case(&bytes[i + 1]) {
            // The letters change places; each place keeps its case (`Ocnvolution` is
            // `Convolution`).
            let mut swapped = bytes.to_vec();
            swapped[i] = cased(bytes[i + 1], bytes[i].is_ascii_uppercase());
            swapped[i + 1] = cased(bytes[i], bytes[i + 1].is_ascii_uppercase());
            out.push(text(swapped));
        }
    }
    for i in 0..n {
        out.push(text([&bytes[..i], &bytes[i + 1..]].concat()));
    }
    for i in 0..n {
        for letter in b'a'..=b'z' {
            if !letter.eq_ignore_ascii_case(&bytes[i]) {
                let mut changed = bytes.to_vec();
                changed[i] = cased(letter, bytes[i].is_ascii_uppercase());
                out.push(text(changed));
            }
        }
    }
    // A word written with a capital first and small letters after is corrected so too.
    let capitalised =
        bytes.first().is_some_and(u8::is_ascii_uppercase) && bytes[1..].iter().all(u8::is_ascii_lowercase);
    if capitalised {
        for edit in &mut out {
            edit.make_ascii_lowercase();
            edit[..1].make_ascii_uppercase();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_words_of_five_ascii_letters_or_more_are_candidates() {
        let long = "a".repeat(MAX_LETTERS + 1);
        let query = format!("Retreival of KV cahce, NERFS MrgeVQ Qwen2 naïve 量化quantizaton lora {long}");
        let found: Vec<&str> = runs(&query).into_iter().map(|at| &query[at]).filter(|w| correctable(w)).collect();
        assert_eq!(found, ["Retreival", "cahce", "MrgeVQ"]);
    }

    #[test]
    fn the_edits_of_a_word_are_every_single_drop_swap_change_and_addition() {
        let all = edits("cahce");
        assert!(all.contains(&"cache".to_string()), "a swap");
        assert!(edits("decodng").contains(&"decoding".to_string()), "an addition");
        assert!(edits("exxperts").contains(&"experts".to_string()), "a drop");
        assert!(edits("experks").contains(&"experts".to_string()), "a change");
        // 6 × 26 additions, 4 swaps (none of equal letters here), 5 drops, 5 × 25 changes.
        assert_eq!(all.len(), 156 + 4 + 5 + 125);
        // The likelier slips first: a letter left out of `generation`, not one changed in
        // `generator` (both are the term `generat`).
        let position = |typed: &str, w: &str| edits(typed).iter().position(|e| e == w).expect(w);
        assert!(position("generaton", "generation") < position("generaton", "generator"));
        assert!(position("Imaeg", "Image") < position("Imaeg", "Imag"));
    }

    #[test]
    fn a_letter_changed_or_added_is_written_as_the_letters_around_it() {
        assert!(edits("MrgeVQ").contains(&"MergeVQ".to_string()));
        assert!(edits("MoRiGth").contains(&"MoRiGht".to_string()));
        assert!(edits("Retreival").contains(&"Retrieval".to_string()));
        assert!(edits("UniGeBench").contains(&"UniGenBench".to_string()));
        assert!(edits("LVM").contains(&"LLVM".to_string()), "a capital between capitals");
        // A capitalised word stays capitalised, whatever the slip.
        assert!(edits("Nstruction").contains(&"Instruction".to_string()));
        assert!(edits("Ocnvolution").contains(&"Convolution".to_string()));
        assert!(edits("Nstruction").iter().all(|e| e[..1].to_uppercase() == e[..1] && e[1..] == e[1..].to_lowercase()));
    }

    #[test]
    fn two_words_typed_as_one_are_searched_apart_where_papers_write_them_together() {
        let mut analyzer = analysis::ascii_word_analyzer();
        let papers = |term: &str| match term {
            "swe" => 40,
            "bench" => 300,
            "sweb" | "ench" => 1,
            "agent" => 900,
            "multi" => 700,
            _ => 0,
        };
        let pairs = |first: &str, second: &str| match (first, second) {
            ("swe", "bench") => 35,
            ("sweb", "ench") => 1,
            ("multi", "agent") => 400,
            _ => 0,
        };
        let split = |word: &str, analyzer: &mut tantivy::tokenizer::TextAnalyzer| {
            split_in_two(word, analyzer, &papers, &pairs).map(|(_, words)| words)
        };
        assert_eq!(split("swebench", &mut analyzer).as_deref(), Some("swe bench"));
        assert_eq!(split("SWEBench", &mut analyzer).as_deref(), Some("SWE Bench"), "as typed");
        assert_eq!(split("multiagents", &mut analyzer).as_deref(), Some("multi agents"), "a part's term stemmed");
        // Two held words that no paper writes one after the other; a part of one letter; no
        // paper at all.
        assert_eq!(split("benchswe", &mut analyzer), None);
        // Of an edit and a cut, the reading more papers hold: `SAEBench` is one change from
        // `SWEBench` and two papers name it; a cut wins only over an edit fewer papers hold.
        let with_sae = |term: &str| if term == "saebench" { 2 } else { papers(term) };
        assert_eq!(intended("SWEBench", &mut analyzer, &with_sae, &pairs).as_deref(), Some("SWE Bench"));
        let many_sae = |term: &str| if term == "saebench" { 90 } else { papers(term) };
        assert_eq!(intended("SWEBench", &mut analyzer, &many_sae, &pairs).as_deref(), Some("SAEBench"));
        assert_eq!(split("xagent", &mut analyzer), None);
        assert_eq!(split("qqqqzz", &mut analyzer), None);
    }

    #[test]
    fn a_word_one_slip_from_a_stop_word_is_left_as_typed() {
        let mut analyzer = analysis::ascii_word_analyzer();
        // Two papers say `tier`; `thier` is one edit from it, and from `their`.
        let papers = |term: &str| if term == "tier" { 2 } else { 0 };
        let no_pairs = |_: &str, _: &str| 0;
        assert_eq!(intended("thier", &mut analyzer, &papers, &no_pairs), None);
        assert_eq!(intended("tierr", &mut analyzer, &papers, &no_pairs).as_deref(), Some("tier"));
        // Held by a paper as typed: nothing to correct.
        assert_eq!(intended("tier", &mut analyzer, &papers, &no_pairs), None);
    }

    #[test]
    fn the_note_names_each_word_searched_and_the_one_typed() {
        let corrected = Corrected {
            query: "retrieval cache".into(),
            corrections: vec![
                Correction { typed: "retreival".into(), searched: "retrieval".into() },
                Correction { typed: "cahce".into(), searched: "cache".into() },
            ],
        };
        assert_eq!(
            corrected.note(),
            "no paper contains \"retreival\" or \"cahce\": searched for \"retrieval\" and \"cache\" instead"
        );
    }
}
