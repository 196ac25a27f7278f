//! A model's name and its version, written together or apart.
//!
//! Papers write the same model `Qwen3` and `Qwen 3`, `Llama 3` and `Llama3`, `GPT-4o` and
//! `GPT4o`, and jieba keeps a run of ASCII letters and digits whole: `Qwen3` is the one term
//! `qwen3`, `Qwen 3` the two terms `qwen` and `3`. A query in one spelling found none of the
//! papers written in the other (`Qwen 3`: none of the 358 papers saying `Qwen3` in its top
//! 10; `Llama3`: not `The Llama 3 Herd of Models`). Splitting every such word in the papers
//! too cost other query sets (PERFORMANCE.md, "Session 45"), so only the query is read both
//! ways: [`names_and_versions`] gives each name and version with the terms the query wrote
//! it in and its other spelling, and the keyword query searches them as one thing said two
//! ways, worth its better spelling.

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::analyze;

/// A name and its version in a query, in its two spellings as index terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameVersion {
    /// The query's own terms for it (`qwen`, `3` for `Qwen 3`; `llama3`, `llama3.1` for
    /// `Llama3.1`: jieba gives a word with a dot in it whole and its first part).
    pub(crate) written: Vec<String>,
    /// Its terms in the spelling the query did not use: `qwen3` for `Qwen 3`, `llama`, `3.1`
    /// for `Llama3.1`.
    pub(crate) other: Vec<String>,
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
        let version = &query[version_start..words[last].0 + words[last].1.len()];
        let (written, other) = if version_word == i {
            (format!("{name}{version}"), format!("{name} {version}"))
        } else {
            (format!("{name} {version}"), format!("{name}{version}"))
        };
        let found = NameVersion { written: analyze(analyzer, &written), other: analyze(analyzer, &other) };
        let spelled_apart = analyze(analyzer, name).len() == 1;
        if spelled_apart && found.written != found.other && !names.contains(&found) {
            names.push(found);
        }
    }
    names
}

/// Whether a word written after a name is its version: a number (`3`, `4o`, `2`) or a `v`
/// and a number (`v3`).
fn is_version(word: &str) -> bool {
    let number = word.strip_prefix(['v', 'V']).unwrap_or(word);
    number.starts_with(|c: char| c.is_ascii_digit())
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

    fn spellings(query: &str) -> Vec<Vec<String>> {
        names_and_versions(&mut query_word_analyzer(), query).into_iter().map(|name| name.other).collect()
    }

    fn terms(words: &str) -> Vec<String> {
        words.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn a_name_written_apart_is_also_searched_together_and_one_written_together_apart() {
        assert_eq!(spellings("Qwen 3 quantization"), vec![terms("qwen3")]);
        assert_eq!(spellings("GPT-4o image generation"), vec![terms("gpt4o")]);
        assert_eq!(spellings("Llama3 multilingual"), vec![terms("llama 3")]);
        assert_eq!(spellings("GPT4o 图像生成"), vec![terms("gpt 4o")]);
        assert_eq!(spellings("SAM 2 和 Qwen3"), vec![terms("sam2"), terms("qwen 3")]);
    }

    #[test]
    fn each_name_keeps_the_terms_the_query_wrote_it_in() {
        let names = names_and_versions(&mut query_word_analyzer(), "Qwen 3 or Llama3");
        let written: Vec<Vec<String>> = names.into_iter().map(|name| name.written).collect();
        assert_eq!(written, vec![vec!["qwen".to_string(), "3".to_string()], vec!["llama3".to_string()]]);
    }

    #[test]
    fn the_other_spelling_is_analysed_as_the_index_spells_it() {
        // The stemmer cuts a name written apart, and leaves one written together alone.
        assert_eq!(spellings("Claudes3"), vec![terms("claud 3")]);
        assert_eq!(spellings("Claude 3"), vec![terms("claude3")]);
    }

    #[test]
    fn a_version_of_several_numbers_is_read_whole() {
        // Jieba gives `Qwen2.5` as `qwen2` and `qwen2.5`, `Qwen 2.5` as `qwen` and `2.5`.
        assert_eq!(spellings("Qwen2.5-VL"), vec![terms("qwen 2.5")]);
        assert_eq!(spellings("Llama 3.1 8B"), vec![terms("llama3 llama3.1")]);
        assert_eq!(spellings("Hunyuan3D 2.0"), vec![terms("hunyuan 3d")]);
        assert_eq!(spellings("Llama  3"), vec![terms("llama3")]);
    }

    #[test]
    fn a_version_may_begin_with_a_v() {
        assert_eq!(spellings("DINOv3 医学图像"), vec![terms("dino v3")]);
        assert_eq!(spellings("YOLO v8 small object detection"), vec![terms("yolov8")]);
        // A `v` is the name's own when too little name is left before it.
        assert_eq!(spellings("Sav3"), vec![terms("sav 3")]);
    }

    #[test]
    fn a_single_letter_a_word_without_a_number_or_a_wider_gap_is_no_name_and_version() {
        assert!(spellings("H100 L2 v2 DeepSeek-R1").is_empty());
        assert!(spellings("KV cache quantization").is_empty());
        assert!(spellings("3D Gaussian splatting").is_empty());
        assert!(spellings("Qwen, 3 papers").is_empty());
        assert!(spellings("").is_empty());
    }

    #[test]
    fn a_stop_word_before_a_number_gives_nothing_to_search_apart() {
        // `the 3` apart would be the one word `3`.
        assert!(spellings("the3").is_empty());
        assert_eq!(spellings("Qwen3 Qwen3"), vec![terms("qwen 3")]);
    }
}
