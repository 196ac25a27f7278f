//! The Hugging Face daily papers API dump: `[{"paper": {"id", "title", "summary", ...}, ...}]`.
//!
//! The structs are lenient: every field is optional, `null` is the same as missing, unknown
//! fields are ignored, and a field of the wrong type (a number where a string belongs) is read
//! as best it can be rather than failing the record; one that cannot be read at all (`"upvotes":
//! "lots"`) is left out with a warning naming it ([`unreadable_fields`]).

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
    let unreadable = unreadable_fields(&item);
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
    let mut warnings = unreadable;
    warnings.extend(
        published
            .filter(|raw| record.published.is_none() && non_empty(raw).is_some())
            .map(|raw| format!("its publishedAt {:?} is no calendar day (YYYY-MM-DD): left out", snippet(&raw, 40))),
    );
    // A paper is published before a daily list names it: a later day is a broken field (a
    // paper of 2030 on a list of 2026), left out as one that is no day is. None of the
    // corpus's 9,881 listed papers is published after its list's day.
    if let (Some(day), Some(listed)) = (&record.published, &record.source.date)
        && day > listed
    {
        warnings.push(format!("its publishedAt {day} is after the day the list names it ({listed}): left out"));
        record.published = None;
    }
    // Shown by its id, as a paper with no title is: said, so the file can be mended.
    if record.title.is_none() {
        warnings.push("it has no `title`: the paper is shown by its id".to_string());
    }
    let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
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

/// The kinds of value the lenient fields read: each kind's reader below is both the field's
/// deserializer and what [`unreadable_fields`] asks, so the two cannot disagree.
#[derive(Debug, Clone, Copy)]
enum FieldKind {
    /// A string, or a number written as one.
    Text,
    /// A count: [`count_of`].
    Count,
    /// A list of strings, or one comma-separated string: [`strings_of`].
    Strings,
    /// Authors: [`authors_of`].
    Authors,
}

impl FieldKind {
    /// Whether a reader of this kind gets anything out of `value` (`null` is a missing field).
    fn reads(self, value: &Value) -> bool {
        match self {
            FieldKind::Text => text_of(value).is_some(),
            FieldKind::Count => count_of(value).is_some(),
            FieldKind::Strings => strings_of(value).is_some(),
            FieldKind::Authors => authors_of(value).is_some(),
        }
    }

    /// What a value of this kind is, for a warning.
    fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Count => "a count",
            FieldKind::Strings => "a list of words",
            FieldKind::Authors => "a list of names",
        }
    }
}

/// The lenient fields of a list item, and of its `paper`, by the names the API gives them. The
/// ids are not here: a record without a readable id is refused, and says so.
const ITEM_FIELDS: &[(&str, FieldKind)] =
    &[("title", FieldKind::Text), ("summary", FieldKind::Text), ("publishedAt", FieldKind::Text)];
const PAPER_FIELDS: &[(&str, FieldKind)] = &[
    ("title", FieldKind::Text),
    ("summary", FieldKind::Text),
    ("authors", FieldKind::Authors),
    ("publishedAt", FieldKind::Text),
    ("upvotes", FieldKind::Count),
    ("ai_summary", FieldKind::Text),
    ("ai_keywords", FieldKind::Strings),
    ("githubRepo", FieldKind::Text),
    ("submittedOnDailyAt", FieldKind::Text),
];

/// A warning for each field of `item` (or of its `paper`) that holds a value no reader of its
/// kind can use (`"upvotes": "lots"`, `"title": {}`), which the record is read without: a dump
/// whose fields changed type would otherwise lose them without a word.
fn unreadable_fields(item: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut check = |object: Option<&Value>, prefix: &str, fields: &[(&str, FieldKind)]| {
        for (name, kind) in fields {
            let Some(value) = object.and_then(|o| o.get(name)).filter(|v| !v.is_null()) else { continue };
            if !kind.reads(value) {
                let held = match value {
                    Value::String(s) => format!("{:?}", snippet(s, 40)),
                    Value::Number(n) => n.to_string(),
                    other => kind_of(other).to_string(),
                };
                warnings.push(format!("its `{prefix}{name}` is {held}, not {}: left out", kind.name()));
            }
        }
    };
    check(Some(item), "", ITEM_FIELDS);
    check(item.get("paper"), "paper.", PAPER_FIELDS);
    warnings
}

/// A string, or a number written as one.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A count (`160`, `"160"`, `160.0`) a `u32` holds; a negative, fractional-only or larger one
/// is no count (1e300 upvotes is a broken field, not the most upvoted paper).
fn count_of(value: &Value) -> Option<u32> {
    let count = match value {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64))
        }
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    count.and_then(|c| u32::try_from(c).ok())
}

/// A list of strings, or one comma-separated string.
fn strings_of(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => {
            Some(items.iter().filter_map(Value::as_str).filter_map(non_empty).map(collapse_whitespace).collect())
        }
        Value::String(s) => Some(s.split(',').filter_map(non_empty).map(collapse_whitespace).collect()),
        _ => None,
    }
}

/// Authors as the API gives them (`[{"name": ...}]`), plain strings, or one comma-separated
/// string.
fn authors_of(value: &Value) -> Option<Vec<String>> {
    let Value::Array(items) = value else { return strings_of(value) };
    Some(
        items
            .iter()
            .filter_map(|author| match author {
                Value::String(name) => Some(name.as_str()),
                Value::Object(fields) => fields.get("name").and_then(Value::as_str),
                _ => None,
            })
            .filter_map(non_empty)
            .map(collapse_whitespace)
            .collect(),
    )
}

fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<LenientText, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(LenientText { text: text_of(&value), written_as_text: value.is_string() })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_of(&Value::deserialize(d)?))
}

fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(count_of(&Value::deserialize(d)?))
}

fn lenient_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(strings_of(&Value::deserialize(d)?).unwrap_or_default())
}

fn lenient_authors<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(authors_of(&Value::deserialize(d)?).unwrap_or_default())
}
