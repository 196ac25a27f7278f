//! A model's name and its version, written together, with a hyphen or apart.
//!
//! Papers write the same model `Qwen3`, `Qwen-3` and `Qwen 3`, `Llama 3` and `Llama3`, `GPT-4o`
//! and `GPT4o`, and jieba keeps a run of ASCII letters and digits whole: `Qwen3` is the one
//! term `qwen3`, `Qwen 3` the two terms `qwen` and `3`, `Qwen-3` the terms `qwen` and
//! `qwen-3` (a part of one character is dropped). A query in one spelling found none of the
//! papers written in another (`Qwen 3`: none of the 358 papers saying `Qwen3` in its top 10;
//! `Llama3`: not `The Llama 3 Herd of Models`). Splitting every such word in the papers too
//! cost other query sets (PERFORMANCE.md, "Session 45"), so only the query is read every way:
//! [`names_and_versions`] gives each name and version with the terms the query wrote it in
//! and each spelling's, and the keyword query searches them as one thing said several ways
//! (`PaperIndex::name_version_clauses`): written in one word, that word; apart, its two words
//! one after the other, not anywhere in the paper (`Llama 3` is not `Olmo 3` and a Llama,
//! `COVID19` not `19 GPU hours`).

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::analyze;

/// A name and its version in a query, in each of its spellings as index terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameVersion {
    /// The query's own terms for it (`qwen`, `3` for `Qwen 3`; `rwkv`, `rwkv-7` for
    /// `RWKV-7`: jieba gives a run of letters, digits and hyphens or dots whole, and its
    /// parts of two characters or more).
    pub(crate) written: Vec<String>,
    /// The name written together, one word: `qwen3`, `llama3.1`.
    pub(crate) together: String,
    /// The name written with a hyphen, one word (`rwkv-7`), unless jieba gives only its parts.
    pub(crate) hyphenated: Option<String>,
    /// The name written apart, its name's word and its version's: `qwen`, `3`; `llama`, `3.1`.
    pub(crate) apart: [String; 2],
}

impl NameVersion {
    /// Its spellings, each as the terms a paper writing it so holds.
    pub(crate) fn spellings(&self) -> Vec<&[String]> {
        let mut spellings = vec![std::slice::from_ref(&self.together), &self.apart[..]];
        spellings.extend(self.hyphenated.as_ref().map(std::slice::from_ref));
        spellings
    }

    /// Whether the query wrote it apart (`Qwen 3`), as it would write two words of English
    /// (`generating 3D`).
    pub(crate) fn written_apart(&self) -> bool {
        let one_word = |word: &String| self.written.contains(word);
        self.apart.iter().all(one_word) && !one_word(&self.together) && !self.hyphenated.as_ref().is_some_and(one_word)
    }

    /// Its spellings the query did not use.
    pub(crate) fn others(&self) -> Vec<&[String]> {
        let written = |spelling: &&[String]| spelling.iter().all(|term| self.written.contains(term));
        self.spellings().into_iter().filter(|spelling| !written(spelling)).collect()
    }
}

/// The shortest name read as a model's: one letter before a number is a unit, a variable or
/// a version tag (`H100`, `L2`, `v2`, `R1`), not a name written apart as well as together.
const MIN_NAME_LETTERS: usize = 2;

/// Every name and version in `query`, analysed with `analyzer` (the query's word analyzer,
/// so each spelling is spelled as the index holds it), in the order they occur, each once. A
/// name is a run of ASCII letters, at least [`MIN_NAME_LETTERS`]; its version a run of ASCII
/// letters and digits that begins with a digit (or a `v` and a digit), with the numbers after
/// its dots (`3.1`), either right after the name (together) or after white space or one
/// hyphen (apart). A name the analyzer does not give as one word of its own (a stop word) is
/// left out.
pub(crate) fn names_and_versions(analyzer: &mut TextAnalyzer, query: &str) -> Vec<NameVersion> {
    let words = ascii_words(query);
    let mut names: Vec<NameVersion> = Vec::new();
    for (i, &(start, word)) in words.iter().enumerate() {
        let letters = word.bytes().take_while(u8::is_ascii_alphabetic).count();
        if letters < MIN_NAME_LETTERS {
            continue;
        }
        let (name, version_word) = if letters < word.len() {
            // `word` starts with a name and goes on with a digit: the version is written on,
            // with its `v` when more than a shortest name stands before it (`DINOv3`, not
            // `Sav3`).
            let name_ends = match word[..letters].strip_suffix(['v', 'V']) {
                Some(name) if name.len() > MIN_NAME_LETTERS => name.len(),
                _ => letters,
            };
            if !is_version(&word[name_ends..]) {
                continue;
            }
            (&word[..name_ends], i)
        } else {
            let Some(&(next_start, version)) = words.get(i + 1) else { continue };
            let between = &query[start + word.len()..next_start];
            let apart = between == "-" || between.chars().all(char::is_whitespace);
            if !is_version(version) || !apart {
                continue;
            }
            (word, i + 1)
        };
        // The version goes on over the numbers its dots join (`3.1`, `2.5`).
        let mut last = version_word;
        while let Some(&(next_start, next)) = words.get(last + 1) {
            let end = words[last].0 + words[last].1.len();
            if &query[end..next_start] != "." || !next.starts_with(|c: char| c.is_ascii_digit()) {
                break;
            }
            last += 1;
        }
        let version_start = if version_word == i { start + name.len() } else { words[version_word].0 };
        let end = words[last].0 + words[last].1.len();
        let version = &query[version_start..end];
        let written = analyze(analyzer, &query[start..end]);
        // Jieba gives a word and its parts (`llama3`, `llama3.1`): the longest is the whole.
        let longest = |terms: Vec<String>| terms.into_iter().max_by_key(String::len);
        let together = longest(analyze(analyzer, &format!("{name}{version}")));
        let name_term = analyze(analyzer, name);
        let version_term = longest(analyze(analyzer, version));
        let (Some(together), [name_term], Some(version_term)) = (together, &name_term[..], version_term) else {
            continue;
        };
        let hyphenated = longest(analyze(analyzer, &format!("{name}-{version}")))
            .filter(|word| *word != *name_term && *word != version_term);
        let found = NameVersion { written, together, hyphenated, apart: [name_term.clone(), version_term] };
        if !found.others().is_empty() && !names.contains(&found) {
            names.push(found);
        }
    }
    names
}

/// The most letters after a version's number (`4o`, `3D`, `8B`): more make a word of their
/// own (`word2vec`, `seq2seq`), not a version.
const MAX_VERSION_LETTERS: usize = 2;

/// Whether a word written after a name is its version: a number (`3`, `2`), perhaps a `v`
/// before it (`v3`) and up to [`MAX_VERSION_LETTERS`] letters after it (`4o`), not an
/// ordinal's (`3rd`).
fn is_version(word: &str) -> bool {
    let number = word.strip_prefix(['v', 'V']).unwrap_or(word);
    let digits = number.bytes().take_while(u8::is_ascii_digit).count();
    let letters = &number[digits..];
    let ordinal = ["st", "nd", "rd", "th"].iter().any(|suffix| letters.eq_ignore_ascii_case(suffix));
    digits > 0 && letters.bytes().all(|b| b.is_ascii_alphabetic()) && letters.len() <= MAX_VERSION_LETTERS && !ordinal
}

/// The runs of ASCII letters and digits in `text`, each with its byte offset.
fn ascii_words(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_ascii_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::query_word_analyzer;

    /// The spellings of each name in `query` that it did not use, each as its terms with
    /// spaces between, one name's after another's.
    fn others(query: &str) -> Vec<String> {
        let names = names_and_versions(&mut query_word_analyzer(), query);
        names.iter().flat_map(|name| name.others().into_iter().map(|spelling| spelling.join(" "))).collect()
    }

    #[test]
    fn a_name_written_one_way_is_also_searched_the_other_ways() {
        assert_eq!(others("Qwen 3 quantization"), ["qwen3", "qwen-3"]);
        assert_eq!(others("GPT-4o image generation"), ["gpt4o"]);
        assert_eq!(others("Llama3 multilingual"), ["llama 3", "llama-3"]);
        assert_eq!(others("GPT4o 图像生成"), ["gpt 4o", "gpt-4o"]);
        assert_eq!(others("SAM 2 和 Qwen3"), ["sam2", "sam-2", "qwen 3", "qwen-3"]);
    }

    #[test]
    fn each_name_keeps_the_terms_the_query_wrote_it_in() {
        let names = names_and_versions(&mut query_word_analyzer(), "Qwen 3 or Llama3 or RWKV-7");
        let written: Vec<String> = names.iter().map(|name| name.written.join(" ")).collect();
        // Jieba leaves out the one-character part of `RWKV-7`.
        assert_eq!(written, ["qwen 3", "llama3", "rwkv rwkv-7"]);
        assert!(names[0].written_apart() && !names[1].written_apart() && !names[2].written_apart());
    }

    #[test]
    fn the_other_spellings_are_analysed_as_the_index_spells_them() {
        // The stemmer cuts a name written apart, and leaves one written in one word alone.
        assert_eq!(others("Claudes3"), ["claud 3", "claudes-3"]);
        assert_eq!(others("Claude 3"), ["claude3", "claude-3"]);
    }

    #[test]
    fn a_version_of_several_numbers_is_read_whole() {
        // Jieba gives `Qwen2.5` as `qwen2` and `qwen2.5`, `Qwen 2.5` as `qwen` and `2.5`.
        assert_eq!(others("Qwen2.5-VL"), ["qwen 2.5", "qwen-2.5"]);
        assert_eq!(others("Llama 3.1 8B"), ["llama3.1", "llama-3.1"]);
        assert_eq!(others("Hunyuan3D 2.0"), ["hunyuan 3d", "hunyuan-3d"]);
        assert_eq!(others("Llama  3"), ["llama3", "llama-3"]);
    }

    #[test]
    fn a_version_may_begin_with_a_v() {
        assert_eq!(others("DINOv3 医学图像"), ["dino v3", "dino-v3"]);
        assert_eq!(others("YOLO v8 small object detection"), ["yolov8", "yolo-v8"]);
        // A `v` is the name's own when too little name is left before it.
        assert_eq!(others("Sav3"), ["sav 3", "sav-3"]);
    }

    #[test]
    fn a_single_letter_a_word_without_a_number_or_a_wider_gap_is_no_name_and_version() {
        assert!(others("H100 L2 v2 DeepSeek-R1").is_empty());
        assert!(others("KV cache quantization").is_empty());
        assert!(others("3D Gaussian splatting").is_empty());
        assert!(others("Qwen, 3 papers").is_empty());
        assert!(others("").is_empty());
    }

    #[test]
    fn a_word_with_a_number_inside_is_no_name_and_version() {
        assert!(others("word2vec seq2seq").is_empty());
        assert!(others("Qwen 3rd edition").is_empty());
        assert_eq!(others("GSM8K"), ["gsm 8k", "gsm-8k"]);
    }

    #[test]
    fn a_stop_word_before_a_number_gives_no_name() {
        assert!(others("the3").is_empty());
        assert!(others("the 3").is_empty());
        assert_eq!(others("Qwen3 Qwen3"), ["qwen 3", "qwen-3"]);
    }
}
