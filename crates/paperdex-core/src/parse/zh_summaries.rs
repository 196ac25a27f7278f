//! Chinese summaries: `[{"url": "https://arxiv.org/abs/<id>", "content": "<summary>"}]`.
//!
//! The content usually names the paper first (`文章《An Introduction to ...》讨论了...`) and
//! ends with the search results the summariser used (`搜索结果来自：` and a list of links). The
//! title is lifted out; the search results become their own section so the summary text stays
//! clean, and nothing is lost.

use serde::Deserialize;
use serde_json::Value;

use super::json_list::{kind_of, record_object};
use super::text::{apology_for_not_reading, collapse_whitespace, non_empty, snippet};
use crate::paper::{Lang, PaperId, Record, Section, SectionKind, Source};

/// The heading of the trailing list of search results.
const SOURCES: &str = "搜索结果来自";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Item {
    url: Option<Value>,
    content: Option<Value>,
}

/// Converts one list item, with a warning when its text was left out, or says why it cannot
/// be used.
pub(super) fn record(item: Value, source: &Source) -> Result<(Record, Option<String>), String> {
    let item: Item = record_object(item)?;
    let url = match &item.url {
        Some(Value::String(url)) if !url.trim().is_empty() => url.trim(),
        Some(other @ (Value::Number(_) | Value::Bool(_) | Value::Array(_) | Value::Object(_))) => {
            return Err(format!("`url` is {}, not a web address: cannot tell which paper this is", kind_of(other)));
        }
        _ => return Err("no `url`: cannot tell which paper this is".to_string()),
    };
    let id = PaperId::from_url(url)
        .ok_or_else(|| format!("`url` {:?} is not an arXiv or Hugging Face paper URL", snippet(url, 80)))?;
    let content = match &item.content {
        Some(Value::String(content)) => non_empty(content),
        None | Some(Value::Null) => None,
        Some(other) => {
            return Err(format!("summary of {id} has no text: `content` is {}, not a string", kind_of(other)));
        }
    }
    .ok_or_else(|| format!("summary of {id} has no text: `content` is empty or missing"))?;

    let mut record = Record::new(id, source.clone());
    record.url = Some(url.to_string());
    let (mut summary, sources) = split_sources(content);
    // The summariser could not read the paper and says so. Unless its search results then
    // found the paper, what follows is a guess from the link or advice on reading papers: no
    // word of it is about the paper, and such apologies read alike, so as summaries they made
    // each other's nearest papers. The record still says the paper was listed that day.
    if let Some(apology) = apology_for_not_reading(summary) {
        let found = sources.is_some_and(|sources| sources.contains(record.id.as_str()));
        if !found || apology.rest.is_empty() {
            let warning = format!(
                "summary of {} is not about the paper: the summariser says it could not read it ({:?}); \
                 its text is left out, the paper's link and listing date are kept",
                record.id,
                snippet(&apology.said, 60)
            );
            return Ok((record, Some(warning)));
        }
        summary = apology.rest;
    }
    if let Some(title) = title_of(summary) {
        match Lang::detect(&title) {
            Lang::Zh => record.title_zh = Some(title),
            Lang::En => record.title = Some(title),
        }
    }
    if let Some(summary) = non_empty(summary) {
        record.sections.push(Section::new(SectionKind::Body, summary));
    }
    if let Some(sources) = sources.and_then(non_empty) {
        record.sections.push(Section {
            kind: SectionKind::References,
            heading: Some(SOURCES.to_string()),
            text: sources.to_string(),
        });
    }
    Ok((record, None))
}

/// Splits the summary from the trailing `搜索结果来自：` list (the list without its heading).
fn split_sources(content: &str) -> (&str, Option<&str>) {
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(SOURCES) {
            let rest = rest.trim_start_matches([':', '：']);
            let after = &content[offset + line.len()..];
            let sources =
                if rest.trim().is_empty() { after } else { &content[content.len() - after.len() - rest.len()..] };
            return (&content[..offset], Some(sources));
        }
        offset += line.len();
    }
    (content, None)
}

/// The paper's title as the summary names it in its first sentence: `《title》` or
/// `标题是“title”`.
fn title_of(summary: &str) -> Option<String> {
    let first_sentence = summary.split(['。', '\n']).next().unwrap_or(summary);
    let bracketed = |open: &str, close: &str| -> Option<String> {
        let start = first_sentence.find(open)? + open.len();
        let len = first_sentence[start..].find(close)?;
        non_empty(&first_sentence[start..start + len]).map(collapse_whitespace)
    };
    if let Some(title) = bracketed("《", "》") {
        return Some(title);
    }
    for marker in ["标题是", "标题为"] {
        if let Some(pos) = first_sentence.find(marker) {
            let rest = first_sentence[pos + marker.len()..].trim_start();
            for (open, close) in [("“", "”"), ("\"", "\""), ("《", "》"), ("「", "」")] {
                if let Some(inner) = rest.strip_prefix(open) {
                    return inner.find(close).and_then(|end| non_empty(&inner[..end])).map(collapse_whitespace);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_read_from_the_first_sentence() {
        assert_eq!(
            title_of("文章《An Introduction to Vision-Language Modeling》讨论了视觉语言模型。").as_deref(),
            Some("An Introduction to Vision-Language Modeling")
        );
        assert_eq!(
            title_of("这篇文章的标题是 \"SEE-2-SOUND: Zero-Shot\"，发表于2024年6月").as_deref(),
            Some("SEE-2-SOUND: Zero-Shot")
        );
        assert_eq!(title_of("这篇文章讨论了开放性。后文提到《别的书》。"), None);
        assert_eq!(title_of("请稍等。y or Knowledge Bases》，提交于"), None);
    }

    #[test]
    fn the_search_results_are_split_off_whole() {
        let (summary, sources) = split_sources("正文\n\n搜索结果来自：\n[1] a - https://x\n");
        assert_eq!(summary, "正文\n\n");
        assert_eq!(sources, Some("[1] a - https://x\n"));
        let (summary, sources) = split_sources("正文\n搜索结果来自：[1] a");
        assert_eq!((summary, sources), ("正文\n", Some("[1] a")));
        assert_eq!(split_sources("只有正文"), ("只有正文", None));
    }
}
