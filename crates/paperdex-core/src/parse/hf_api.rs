//! The Hugging Face daily papers API dump: `[{"paper": {"id", "title", "summary", ...}, ...}]`.
//!
//! The structs are lenient: every field is optional, `null` is the same as missing, unknown
//! fields are ignored, and a field of the wrong type (a number where a string belongs) is read
//! as best it can be rather than failing the record.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::json_list::{kind_of, record_object};
use super::text::{collapse_whitespace, non_empty, normalize_date, snippet};
use crate::paper::{PaperId, Record, Section, SectionKind, Source};

/// One list item: the `paper` plus a few fields the API repeats at the top level.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Item {
    paper: Value,
    #[serde(deserialize_with = "lenient_text")]
    title: LenientText,
    #[serde(deserialize_with = "lenient_text")]
    summary: LenientText,
    #[serde(rename = "publishedAt", deserialize_with = "lenient_string")]
    published_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HfPaper {
    #[serde(deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient_text")]
    title: LenientText,
    #[serde(deserialize_with = "lenient_text")]
    summary: LenientText,
    #[serde(deserialize_with = "lenient_authors")]
    authors: Vec<String>,
    #[serde(rename = "publishedAt", deserialize_with = "lenient_string")]
    published_at: Option<String>,
    #[serde(deserialize_with = "lenient_count")]
    upvotes: Option<u32>,
    #[serde(deserialize_with = "lenient_string")]
    ai_summary: Option<String>,
    #[serde(deserialize_with = "lenient_strings")]
    ai_keywords: Vec<String>,
    #[serde(rename = "githubRepo", deserialize_with = "lenient_string")]
    github_repo: Option<String>,
    /// The day the paper was put on the daily list.
    #[serde(rename = "submittedOnDailyAt", deserialize_with = "lenient_string")]
    submitted_on_daily_at: Option<String>,
}

/// The day a daily list saved under a name without it was listed, when its items do not say
/// (`submittedOnDailyAt` is newer than the corpus's 2024 dumps): the latest day the items
/// lacking it were put on the list (their `publishedAt`; a paper's own `publishedAt` is its
/// arXiv day). In the corpus's dumps without `submittedOnDailyAt` an item's day is the file's
/// for 2,089 of 2,504 items and the day before for 382 (put on the list late in the evening,
/// UTC), so one list is one day, its last: the latest day that at least a quarter of those
/// items carry. One item's wrong day does not date the list: the latest of all, one item of
/// five dated 2099 made every paper of the file "first seen" in 2099. A list no day holds a
/// quarter of is dated by its commonest day (the latest of equals).
pub(super) fn listed_day(items: &[Value]) -> Option<String> {
    let mut days: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for item in items {
        if item.get("paper").and_then(|paper| paper.get("submittedOnDailyAt")).is_none_or(Value::is_null)
            && let Some(day) = item.get("publishedAt").and_then(Value::as_str).and_then(normalize_date)
        {
            *days.entry(day).or_default() += 1;
        }
    }
    let dated: usize = days.values().sum();
    let latest_held = days.iter().rev().find(|&(_, &n)| n * 4 >= dated).map(|(day, _)| day.clone());
    // `max_by_key` keeps the last of equals: in day order, the latest.
    latest_held.or_else(|| days.iter().max_by_key(|&(_, &n)| n).map(|(day, _)| day.clone()))
}

/// Converts one list item, with a warning when part of it was left out, or says why it
/// cannot be used.
pub(super) fn record(item: Value, source: &Source) -> Result<(Record, Option<String>), String> {
    let item: Item = record_object(item)?;
    let paper = match item.paper {
        Value::Object(_) => HfPaper::deserialize(item.paper).map_err(|e| format!("unreadable `paper` object: {e}"))?,
        Value::Null => return Err("no `paper` object: cannot tell which paper this is".to_string()),
        other => return Err(format!("`paper` is {}, not an object", kind_of(&other))),
    };
    let raw_id = paper.id.as_deref().and_then(non_empty).ok_or("no `paper.id`: cannot tell which paper this is")?;
    let id =
        PaperId::parse(raw_id).ok_or_else(|| format!("`paper.id` {:?} is not an arXiv id", snippet(raw_id, 80)))?;

    let mut record = Record::new(id, source.clone());
    // The day it was listed: the file's, which names the daily list it is (or, in an older
    // dump saved under another name, [`listed_day`]), else the record's own.
    if record.source.date.is_none() {
        record.source.date = paper.submitted_on_daily_at.as_deref().and_then(normalize_date);
    }
    record.title = paper.title.or(item.title).as_deref().and_then(non_empty).map(collapse_whitespace);
    if let Some(summary) = paper.summary.or(item.summary).as_deref().and_then(non_empty) {
        record.sections.push(Section::new(SectionKind::Abstract, summary));
    }
    if let Some(ai_summary) = paper.ai_summary.as_deref().and_then(non_empty) {
        record.sections.push(Section::new(SectionKind::AiSummary, ai_summary));
    }
    if record.title.is_none() && record.sections.is_empty() {
        return Err(format!("paper {raw_id} has no text: no title, summary or ai_summary"));
    }
    // A publication date given that is no calendar day is left out with a warning, as a paper
    // markdown file's is: the paper is then dated by the day it was listed.
    let published = paper.published_at.or(item.published_at);
    record.published = published.as_deref().and_then(normalize_date);
    let warning = published
        .filter(|raw| record.published.is_none() && non_empty(raw).is_some())
        .map(|raw| format!("its publishedAt {:?} is no calendar day (YYYY-MM-DD): left out", snippet(&raw, 40)));
    record.authors = paper.authors;
    record.keywords = paper.ai_keywords;
    record.github = paper.github_repo.as_deref().and_then(non_empty).map(str::to_string);
    record.upvotes = paper.upvotes;
    Ok((record, warning))
}

/// A string, or a number written as one; anything else is missing.
/// A text field read leniently, remembering whether the source wrote it as text: a number
/// where a title belongs (`"title": 12345`) is kept, but the same field written as text in
/// the record's other place (the paper's or the list item's) is preferred to it.
#[derive(Debug, Default)]
struct LenientText {
    text: Option<String>,
    written_as_text: bool,
}

impl LenientText {
    /// This field, or `other` where only `other` was written as (non-empty) text, or where
    /// this one is missing.
    fn or(self, other: LenientText) -> Option<String> {
        let has_text =
            |field: &LenientText| field.written_as_text && field.text.as_deref().and_then(non_empty).is_some();
        match (has_text(&self), has_text(&other)) {
            (false, true) => other.text,
            _ => self.text.filter(|t| non_empty(t).is_some()).or(other.text),
        }
    }
}

fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<LenientText, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => LenientText { text: Some(s), written_as_text: true },
        Value::Number(n) => LenientText { text: Some(n.to_string()), written_as_text: false },
        _ => LenientText::default(),
    })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A count (`160`, `"160"`, `160.0`), clamped to `u32`.
fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = Value::deserialize(d)?;
    let count = match &value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    Ok(count.map(|c| u32::try_from(c).unwrap_or(u32::MAX)))
}

/// A list of strings, or one comma-separated string.
fn lenient_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => {
            items.iter().filter_map(Value::as_str).filter_map(non_empty).map(collapse_whitespace).collect()
        }
        Value::String(s) => s.split(',').filter_map(non_empty).map(collapse_whitespace).collect(),
        _ => Vec::new(),
    })
}

/// Authors as the API gives them (`[{"name": ...}]`), or plain strings.
fn lenient_authors<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let value = Value::deserialize(d)?;
    let Value::Array(items) = value else {
        return Ok(match value {
            Value::String(s) => s.split(',').filter_map(non_empty).map(collapse_whitespace).collect(),
            _ => Vec::new(),
        });
    };
    Ok(items
        .iter()
        .filter_map(|author| match author {
            Value::String(name) => Some(name.as_str()),
            Value::Object(fields) => fields.get("name").and_then(Value::as_str),
            _ => None,
        })
        .filter_map(non_empty)
        .map(collapse_whitespace)
        .collect())
}
