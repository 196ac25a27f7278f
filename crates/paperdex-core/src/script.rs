//! Chinese script: Traditional characters read as Simplified.
//!
//! The digests, the Chinese summaries and jieba's dictionary are written in Simplified
//! characters; readers in Taiwan and Hong Kong type Traditional ones (強化學習 for 强化学习).
//! Unfolded, such a query matched no Chinese word by keywords and was embedded far from the
//! summaries it asks for. [`to_simplified`] is the one rule every side applies: the analyzers
//! (so postings, query terms and highlights agree whichever script a text is in), the query
//! before it is corrected, translated and embedded, and every text handed to the model.
//!
//! The conversion is character by character (`fast2s`'s table, with its few context rules
//! such as 乾隆 kept whole), so a regional word (軟體 for 软件) stays itself; each character
//! maps to one of the same UTF-8 length, so a folded text's byte offsets are the original's and
//! highlights computed on one hold for the other. A text in Simplified characters is left as
//! it is: the table maps no character that Simplified writing uses.

use std::borrow::Cow;

use crate::is_han;

/// `text` with its Traditional Chinese characters written in Simplified ones, byte for byte
/// the same length (borrowed when nothing changes).
pub fn to_simplified(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_han) {
        return Cow::Borrowed(text);
    }
    let converted = fast2s::convert(text);
    // Every offset computed on the folded text is used on the original: a conversion that
    // changed a length (the table has none) is not applied.
    if converted == text || converted.len() != text.len() { Cow::Borrowed(text) } else { Cow::Owned(converted) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_characters_are_read_as_simplified_at_the_same_offsets() {
        for (traditional, simplified) in [
            ("強化學習 獎勵模型", "强化学习 奖励模型"),
            ("多模態大模型的幻覺", "多模态大模型的幻觉"),
            ("KV 快取量化：長文本推理", "KV 快取量化：长文本推理"),
        ] {
            let folded = to_simplified(traditional);
            assert_eq!(folded, simplified);
            assert_eq!(folded.len(), traditional.len(), "{traditional}");
            let starts = |s: &str| s.char_indices().map(|(i, _)| i).collect::<Vec<_>>();
            assert_eq!(starts(&folded), starts(traditional), "every character where it was");
        }
    }

    #[test]
    fn simplified_and_english_text_is_left_as_it_is() {
        for text in ["强化学习 奖励模型", "显著提升了著名基准上的效果", "KV cache quantization", "", "乾隆"]
        {
            assert!(matches!(to_simplified(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
