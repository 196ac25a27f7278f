//! Which of a hit's authors a query names. A search for `Song Han` ranks his papers first by
//! their authors field, but a hit shows its title and a passage of its text, which rarely
//! says who wrote it: each hit names the authors the query named, so a reader sees why it
//! came up (and a namesake's paper for what it is).
//!
//! A name is read as the search reads it ([`crate::search`]'s author-name clause): by the
//! terms of the word analyzer, one after another; and a little more loosely, since a label
//! only says who a paper is by: a two-word name either way round (`Choi Yejin`), a
//! hyphenated one with or without its hyphen.

use paperdex_core::Paper;

use crate::analysis::{analyze, fold_to_ascii, word_analyzer};

/// The most words a query can have and still be read as one author's name.
pub(crate) const MAX_NAME_WORDS: usize = 4;

/// How many of a term's first characters one of a name's words must begin with before the
/// name is analysed: stemming changes a term's end (`Kelly` is `kelli`), never its beginning.
const TERM_BEGINNING_CHARS: usize = 3;

/// A query's words as the authors field reads them.
#[derive(Debug, Default)]
pub(crate) struct AuthorQuery {
    terms: Vec<String>,
    /// Each term's first [`TERM_BEGINNING_CHARS`] characters: a name none of whose words
    /// begins with one cannot be named, and is not analysed (most hits' authors, for most
    /// queries).
    beginnings: Vec<String>,
}

impl AuthorQuery {
    /// The query's `words` (its marks' words, not the words it excludes).
    pub(crate) fn new(words: &str) -> AuthorQuery {
        let terms = name_terms(&mut word_analyzer(), words);
        let beginnings = terms.iter().map(|term| term.chars().take(TERM_BEGINNING_CHARS).collect()).collect();
        AuthorQuery { terms, beginnings }
    }

    /// A query that names no author (a search restricted to a section, which never searches
    /// the authors).
    pub(crate) fn none() -> AuthorQuery {
        AuthorQuery::default()
    }

    /// The authors of `paper` the query names, as the paper spells them, in its order.
    pub(crate) fn named_in(&self, paper: &Paper) -> Vec<String> {
        if self.terms.is_empty() {
            return Vec::new();
        }
        let mut analyzer = None;
        paper
            .authors()
            .into_iter()
            .filter(|name| {
                let folded = fold_to_ascii(name).to_lowercase();
                let mut words = folded.split(|c: char| !c.is_alphanumeric());
                words.any(|word| self.beginnings.iter().any(|b| word.starts_with(b.as_str())))
                    && self.names(name, &name_terms(analyzer.get_or_insert_with(word_analyzer), name))
            })
            .map(str::to_string)
            .collect()
    }

    /// Whether the query names an author whose name has the terms `name`: the name's words
    /// stand one after another in the query (`Song Han diffusion`; a name of two words in
    /// either order, as a family name first is written, `Choi Yejin`; a name of one word only
    /// when it is the whole query), or the query's two to four words stand so in the name, as
    /// the search's author-name clause reads them (`Lisa Li` names `Xiang Lisa Li`).
    fn names(&self, written: &str, name: &[String]) -> bool {
        let query = self.terms.as_slice();
        let holds = |outer: &[String], inner: &[String]| outer.windows(inner.len()).any(|words| words == inner);
        let one_word = !written.trim().contains(char::is_whitespace);
        let whole_name = match name {
            [] => false,
            [_] => one_word && query.len() == 1 && holds(query, name),
            [given, family] => holds(query, name) || holds(query, &[family.clone(), given.clone()]),
            _ => holds(query, name),
        };
        let whole_query = (2..=MAX_NAME_WORDS).contains(&query.len()) && holds(name, query);
        whole_name || whole_query
    }
}

/// `text`'s terms as a name is read: the word analyzer's, less the hyphenated whole it adds
/// beside a hyphenated name's parts (`Jia-Bin Huang` is `jia`, `bin`, `jia-bin`, `huang`), so
/// that `Jia Bin Huang` names him. A stop word is no term: `An Yang` is `yang` alone, and no
/// query names him (the authors field holds no `an` either).
fn name_terms(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<String> {
    let mut terms = analyze(analyzer, text);
    terms.retain(|term| !term.contains('-'));
    terms
}

#[cfg(test)]
mod tests {
    use paperdex_core::{PaperId, Record, Source, SourceFormat};

    use super::*;

    fn paper_by(authors: &[&str]) -> Paper {
        let id = PaperId::parse("2503.16428").expect("id");
        let mut record = Record::new(
            id,
            Source { path: "hf-daily-api/2025-03-21.json".into(), format: SourceFormat::HfDailyApi, date: None },
        );
        record.title = Some("XAttention: Block Sparse Attention with Antidiagonal Scoring".into());
        record.authors = authors.iter().map(|a| a.to_string()).collect();
        Paper::from_record(record)
    }

    fn named(query: &str, authors: &[&str]) -> Vec<String> {
        AuthorQuery::new(query).named_in(&paper_by(authors))
    }

    #[test]
    fn a_reader_searching_a_name_sees_which_author_it_is() {
        let authors = ["Ruyi Xu", "Guangxuan Xiao", "Junxian Guo", "Song Han"];
        assert_eq!(named("Song Han", &authors), ["Song Han"]);
        assert_eq!(named("song  HAN", &authors), ["Song Han"]);
        // The name among topic words.
        assert_eq!(named("Song Han sparse attention", &authors), ["Song Han"]);
        // Two authors named at once.
        assert_eq!(named("Ruyi Xu Song Han", &authors), ["Ruyi Xu", "Song Han"]);
        // Part of a longer name, as the search's name clause reads it.
        assert_eq!(named("Lisa Li", &["Xiang Lisa Li"]), ["Xiang Lisa Li"]);
        // Accents as the analyzer folds them, either way round.
        assert_eq!(named("Rene Vidal", &["René Vidal"]), ["René Vidal"]);
        assert_eq!(named("Kelly Marchisio", &["Kelly Marchisio"]), ["Kelly Marchisio"]);
        // A one-word name named by itself.
        assert_eq!(named("Qwen", &["Qwen", "Song Han"]), ["Qwen"]);
        // A hyphenated name with or without its hyphen.
        assert_eq!(named("Jia Bin Huang", &["Jia-Bin Huang"]), ["Jia-Bin Huang"]);
        assert_eq!(named("Jia-Bin Huang video", &["Jia-Bin Huang"]), ["Jia-Bin Huang"]);
        // A family name first, as many readers write a Chinese or Korean name.
        assert_eq!(named("Choi Yejin", &["Yejin Choi"]), ["Yejin Choi"]);
        assert_eq!(named("Han Song quantization", &authors), ["Song Han"]);
    }

    #[test]
    fn words_that_are_not_a_name_name_no_author() {
        let authors = ["Ruyi Xu", "Song Han", "Han Cai", "Qwen"];
        // Only a word of a name, or a name's words apart, or a longer name in another order.
        assert!(named("Han", &authors).is_empty());
        assert!(named("Song diffusion Han", &authors).is_empty());
        assert!(named("Li Lisa Xiang", &["Xiang Lisa Li"]).is_empty());
        // A one-word name among other words; a name whose other word is a stop word (`An`),
        // by its one remaining word.
        assert!(named("Qwen technical report", &authors).is_empty());
        assert!(named("Yang", &["An Yang"]).is_empty());
        // Topic words, Chinese, nothing.
        assert!(named("sparse attention", &authors).is_empty());
        assert!(named("稀疏注意力", &authors).is_empty());
        assert!(named("", &authors).is_empty());
        assert!(AuthorQuery::none().named_in(&paper_by(&authors)).is_empty());
    }
}
