//! The JSON formats: parsing, telling the list shapes apart, and the file-level errors.
//!
//! The list is read as `Vec<serde_json::Value>` and each item converted on its own, so one bad
//! record is rejected without losing the file. A list cut off (a download that stopped) keeps
//! the records that arrived whole.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::Value;
use serde_json::value::RawValue;

use super::text::{date_in_file_name, snippet};
use super::{ParseError, ParsedFile, RecordWarning, RejectedRecord, hf_api, repeated_paper, zh_summaries};
use crate::paper::{PaperId, Source, SourceFormat};

/// A file's JSON: its value, and, when the file ends inside its top-level list, the error that
/// says where (the value then holds the items before it that arrived whole).
pub(super) struct Json {
    pub(super) value: Value,
    pub(super) cut_off: Option<ParseError>,
    /// The byte offsets of control characters (a tab, a line break) written raw inside its
    /// strings, which JSON wants escaped: each was read as the escape it stands for.
    pub(super) raw_controls: Vec<usize>,
}

/// Parses `content` as JSON when it looks like JSON. `Ok(None)`: not JSON, try markdown.
///
/// Text starting with `[` or `{` must be JSON, so its errors are reported; a number or string
/// at the start may just be prose, which is only JSON if the whole of it parses.
pub(super) fn parse_json(content: &str) -> Result<Option<Json>, ParseError> {
    let start = content.trim_start();
    let strict = start.starts_with(['[', '{']);
    let maybe = strict
        || start.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '"')
        || matches!(start.trim_end(), "true" | "false" | "null");
    if !maybe {
        return Ok(None);
    }
    let whole = |value| Ok(Some(Json { value, cut_off: None, raw_controls: Vec::new() }));
    match serde_json::from_str::<Value>(content) {
        Ok(value) => whole(value),
        // A tab or a line break pasted raw into an abstract (hand-edited files, some writers)
        // is against JSON's syntax but not its meaning: read as escaped, the file keeps every
        // record, and each such record is warned about. Taken only when the escaped text
        // reads whole, so every other error still names its place in the file as written.
        Err(error) if strict && error.classify() == serde_json::error::Category::Syntax => {
            match with_raw_controls_escaped(content) {
                Some((escaped, raw_controls)) => match parse_json(&escaped) {
                    Ok(Some(json)) if json.cut_off.is_none() => Ok(Some(Json { raw_controls, ..json })),
                    _ => Err(invalid_json(&error)),
                },
                None => match serde_json::from_str::<&RawValue>(content) {
                    Ok(raw) => whole(lenient_value(raw)),
                    Err(_) => Err(invalid_json(&error)),
                },
            }
        }
        // A number beyond any float (`"upvotes": 1e400`) fails serde_json's `Value` but not its
        // syntax check: one such value, in a field nobody reads, must not lose the whole file.
        Err(error) if strict => match serde_json::from_str::<&RawValue>(content) {
            Ok(raw) => whole(lenient_value(raw)),
            Err(_) if error.classify() == serde_json::error::Category::Eof && start.starts_with('[') => {
                let items = items_before_the_end(content);
                if items.is_empty() {
                    Err(invalid_json(&error))
                } else {
                    let cut_off = Some(invalid_json(&error));
                    Ok(Some(Json { value: Value::Array(items), cut_off, raw_controls: Vec::new() }))
                }
            }
            Err(_) => Err(invalid_json(&error)),
        },
        Err(_) => Ok(None),
    }
}

/// The items of a top-level list that ends too soon, each one that arrived whole: read one by
/// one until the end of the text stops the reading.
fn items_before_the_end(content: &str) -> Vec<Value> {
    struct Items<'v>(&'v mut Vec<Value>);
    impl<'de> serde::de::Visitor<'de> for Items<'_> {
        type Value = ();

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a list")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
            while let Some(item) = items.next_element::<&RawValue>()? {
                self.0.push(lenient_value(item));
            }
            Ok(())
        }
    }
    let mut items = Vec::new();
    let mut reader = serde_json::Deserializer::from_str(content);
    // The error is the end of the text, already known: what was read before it is the answer.
    let _ = serde::Deserializer::deserialize_seq(&mut reader, Items(&mut items));
    items
}

/// Reads syntactically valid JSON into a [`Value`], with every value `Value` cannot hold (a
/// number beyond any float, say) read as `null`, as any other unreadable field value is. Only
/// the lists and objects that hold one are taken apart; the rest is read whole. What is nested
/// deeper than [`MAX_NESTING`] is `null` too: 12,000 nested objects in 60 KB had this function
/// overflow the stack and abort the whole ingest.
fn lenient_value(raw: &RawValue) -> Value {
    lenient_value_within(raw, MAX_NESTING)
}

/// How deep lists and objects may nest: serde_json's own limit for a `Value`, far beyond any
/// paper's record.
const MAX_NESTING: usize = 128;

fn lenient_value_within(raw: &RawValue, depth: usize) -> Value {
    if let Ok(value) = serde_json::from_str::<Value>(raw.get()) {
        return value;
    }
    // A string with half a UTF-16 pair (`\udc00`, which no Rust string can hold) keeps its
    // text, with U+FFFD for the half, rather than losing a whole title or abstract.
    if let Some(text) = with_lone_surrogates_replaced(raw.get()) {
        return Value::String(text);
    }
    let Some(depth) = depth.checked_sub(1) else { return Value::Null };
    if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
        return Value::Array(items.into_iter().map(|item| lenient_value_within(item, depth)).collect());
    }
    // Keys are strings, so an object's failure is in its values. A key given twice keeps its
    // last value, as `Value` does.
    if let Ok(fields) = serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) {
        return Value::Object(
            fields.into_iter().map(|(key, value)| (key, lenient_value_within(value, depth))).collect(),
        );
    }
    // Neither list nor object: the number itself.
    Value::Null
}

/// The JSON string `raw` (quotes included) read with every `\u` escape of half a UTF-16 pair
/// that has no other half beside it read as U+FFFD; `None` when `raw` is not a string or does
/// not read even so.
fn with_lone_surrogates_replaced(raw: &str) -> Option<String> {
    if !raw.starts_with('"') {
        return None;
    }
    let hex = |at: usize| raw.get(at..at + 4).and_then(|h| u16::from_str_radix(h, 16).ok());
    let high = |unit: u16| (0xD800..0xDC00).contains(&unit);
    let low = |unit: u16| (0xDC00..0xE000).contains(&unit);
    let mut out = String::with_capacity(raw.len());
    let (mut copied, mut i) = (0, 0);
    let bytes = raw.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let unit = hex(i + 2)?;
        let paired = |next: usize| raw.get(next..next + 2) == Some("\\u") && hex(next + 2).is_some_and(low);
        if high(unit) && paired(i + 6) {
            i += 12;
        } else if high(unit) || low(unit) {
            out.push_str(&raw[copied..i]);
            out.push_str("\\ufffd");
            i += 6;
            copied = i;
        } else {
            i += 6;
        }
    }
    out.push_str(&raw[copied..]);
    serde_json::from_str::<String>(&out).ok()
}

/// `content` with every control character inside a string (U+0000 to U+001F, which JSON
/// wants written as escapes) replaced by its escape, and the byte offset of each; `None` when
/// no string holds one.
fn with_raw_controls_escaped(content: &str) -> Option<(String, Vec<usize>)> {
    let mut out = String::with_capacity(content.len() + 16);
    let mut offsets = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for (at, c) in content.char_indices() {
        if in_string && !escaped && c < ' ' {
            offsets.push(at);
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                other => {
                    let _ = write!(out, "\\u{:04x}", u32::from(other));
                }
            }
        } else {
            out.push(c);
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
            } else if c == '"' {
                in_string = true;
            }
        }
    }
    (!offsets.is_empty()).then_some((out, offsets))
}

fn invalid_json(error: &serde_json::Error) -> ParseError {
    let full = error.to_string();
    // serde_json appends " at line L column C"; the error carries them as fields instead.
    let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m).to_string();
    let message = match error.classify() {
        serde_json::error::Category::Eof => {
            format!("{message}: the file ends in the middle of a value, it looks truncated")
        }
        _ => message,
    };
    ParseError::InvalidJson { line: error.line(), column: error.column(), message }
}

/// Turns a parsed JSON file into records; a list cut off is one rejected record more, where
/// the text ends.
pub(super) fn parse(path: &str, content: &str, json: Json) -> Result<ParsedFile, ParseError> {
    let Json { value, cut_off, raw_controls } = json;
    let (items, wrapped) = match value {
        Value::Array(items) => (items, false),
        Value::Object(mut map) if wraps_papers(&map) => match map.remove("data").or_else(|| map.remove("papers")) {
            Some(Value::Array(items)) => (items, true),
            _ => (Vec::new(), true),
        },
        other => {
            return Err(ParseError::NotAList { found: describe(&other) });
        }
    };
    let whole_items = items.len();
    let Some(format) = list_format(&items)? else {
        // `[]` is a day without papers: a valid file with nothing in it.
        return Ok(ParsedFile {
            format: SourceFormat::HfDailyApi,
            records: Vec::new(),
            rejected: Vec::new(),
            warnings: Vec::new(),
        });
    };
    let date = date_in_file_name(path)
        .or_else(|| (format == SourceFormat::HfDailyApi).then(|| hf_api::listed_day(&items)).flatten());
    let source = Source { path: path.to_string(), format, date };
    let mut records = Vec::with_capacity(items.len());
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    // A wrapped answer's records are not where `item_starts` looks (the top level's items):
    // they go without line numbers.
    let mut lines: Option<Vec<(usize, usize)>> = wrapped.then(Vec::new);
    // The first record of each paper, by its index in the list.
    let mut first_of: HashMap<PaperId, usize> = HashMap::new();
    for (index, item) in items.into_iter().enumerate() {
        let record = match format {
            SourceFormat::ZhSummaries => zh_summaries::record(item, &source),
            _ => hf_api::record(item, &source),
        }
        .and_then(|(record, warning)| match record.too_large() {
            Some(reason) => Err(reason),
            None => Ok((record, warning)),
        });
        // Only files with a bad or repeated record pay for finding where the records start.
        // Each record's start in the text: its byte offset and its 1-based line.
        let mut start = |at: usize| lines.get_or_insert_with(|| item_starts(content)).get(at).copied();
        match record {
            Ok((record, warning)) => {
                if let Some(message) = warning {
                    let paper = record.id.clone();
                    warnings.push(RecordWarning {
                        position: index + 1,
                        line: start(index).map(|(_, line)| line),
                        paper,
                        message,
                    });
                }
                if !raw_controls.is_empty()
                    && let Some((from, line)) = start(index)
                {
                    let to = start(index + 1).map_or(usize::MAX, |(at, _)| at);
                    let held = raw_controls.iter().filter(|&&at| (from..to).contains(&at)).count();
                    if held > 0 {
                        let paper = record.id.clone();
                        let message = raw_controls_read(held);
                        warnings.push(RecordWarning { position: index + 1, line: Some(line), paper, message });
                    }
                }
                match first_of.get(&record.id) {
                    Some(&first) => {
                        let message = repeated_paper(&record.id, first + 1, start(first).map(|(_, line)| line));
                        let paper = record.id.clone();
                        warnings.push(RecordWarning {
                            position: index + 1,
                            line: start(index).map(|(_, line)| line),
                            paper,
                            message,
                        });
                    }
                    None => {
                        first_of.insert(record.id.clone(), index);
                    }
                }
                records.push(record);
            }
            Err(reason) => {
                rejected.push(RejectedRecord { position: index + 1, line: start(index).map(|(_, line)| line), reason })
            }
        }
    }
    if let Some(cut_off) = cut_off {
        // The record the text stops in; those before it were read like any file's.
        rejected.push(RejectedRecord {
            position: whole_items + 1,
            line: None,
            reason: match whole_items {
                1 => format!("{cut_off}; the record before it was read"),
                n => format!("{cut_off}; the {n} records before it were read"),
            },
        });
    }
    Ok(ParsedFile { format, records, rejected, warnings })
}

/// The warning for a record whose strings held `n` raw control characters.
fn raw_controls_read(n: usize) -> String {
    let what = if n == 1 { "a control character" } else { "control characters" };
    format!(
        "its text held {what} (a tab, a line break) written raw, where JSON wants an escape (\\t, \\n): read as escaped"
    )
}

/// The format of a non-empty list, from its first item that has a known shape. `Ok(None)` for
/// an empty list.
fn list_format(items: &[Value]) -> Result<Option<SourceFormat>, ParseError> {
    if items.is_empty() {
        return Ok(None);
    }
    let known = items.iter().filter_map(Value::as_object).find_map(|object| {
        if object.contains_key("paper") {
            Some(SourceFormat::HfDailyApi)
        } else if object.contains_key("url") && object.contains_key("content") {
            Some(SourceFormat::ZhSummaries)
        } else {
            None
        }
    });
    match known {
        Some(format) => Ok(Some(format)),
        None => Err(ParseError::NotPaperObjects { found: describe_items(items) }),
    }
}

/// Whether `map` is an API answer wrapped around a day's papers: its `data` (or `papers`) list
/// holds paper records, or nothing (`{"status": "success", "count": 9, "data": [...]}`), or
/// it says there were none (`{"status": "no_data", "message": "No papers found for this
/// date"}`): a day without papers, as `[]` is, not a file to reject (a daily job's status 3
/// each weekend hid the real rejections).
fn wraps_papers(map: &serde_json::Map<String, Value>) -> bool {
    match map.get("data").or_else(|| map.get("papers")) {
        Some(Value::Array(items)) => list_format(items).is_ok(),
        Some(_) => false,
        None => map.get("status").and_then(Value::as_str).is_some_and(|status| status.eq_ignore_ascii_case("no_data")),
    }
}

/// Whether `text` is a Python `repr()` of a dict, as some scrapers wrote instead of JSON.
pub(super) fn is_python_repr(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("{'") || t.contains("': ") || t.contains("': [") || t.contains("None,") || t.contains("False,")
}

/// Describes a JSON value that is not a list of papers.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({:?})", snippet(s, 40)),
        Value::Array(_) => "a list".to_string(),
        Value::Object(map) => {
            let mut found = match map.is_empty() {
                true => "an empty object".to_string(),
                false => format!("an object with keys {}", keys_of(map)),
            };
            if let Some(Value::Array(inner)) = map.get("data").or_else(|| map.get("papers")) {
                found.push_str(&format!(
                    " (a wrapped API answer whose list holds {} {})",
                    inner.len(),
                    if inner.is_empty() { "items".to_string() } else { describe_items(inner) }
                ));
            }
            found
        }
    }
}

/// Describes the items of a list that holds no paper objects.
fn describe_items(items: &[Value]) -> String {
    let first = items.iter().find(|v| !v.is_null()).unwrap_or(&Value::Null);
    match first {
        Value::String(s) if is_python_repr(s) => {
            format!("Python-repr strings ({}...)", snippet(s, 40).trim_end_matches('…'))
        }
        Value::String(s) => format!("strings ({:?})", snippet(s, 40)),
        Value::Number(_) => "numbers".to_string(),
        Value::Bool(_) => "booleans".to_string(),
        Value::Null => "nulls".to_string(),
        Value::Array(_) => "lists".to_string(),
        Value::Object(map) if map.is_empty() => "empty objects".to_string(),
        Value::Object(map) => format!("objects with keys {}", keys_of(map)),
    }
}

/// The first eight keys of `map`, quoted: what a message says an object holds.
fn keys_of(map: &serde_json::Map<String, Value>) -> String {
    map.keys().take(8).map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
}

/// Where each item of the top-level JSON list starts: its byte offset and 1-based line. Scans
/// the text once, skipping strings; only called on text that already parsed as a JSON list.
fn item_starts(content: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expect_item = false;
    for (at, &b) in content.as_bytes().iter().enumerate() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if expect_item && depth == 1 && b != b']' {
            starts.push((at, line));
        }
        expect_item = false;
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                expect_item = depth == 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => expect_item = depth == 1,
            _ => {}
        }
    }
    starts
}

/// Deserialises one list item into `T`, or says why it cannot be used: the item is a
/// Python-repr string (as some dumps hold), or not an object at all.
pub(super) fn record_object<T: serde::de::DeserializeOwned>(item: serde_json::Value) -> Result<T, String> {
    use serde_json::Value;
    match item {
        Value::Object(_) => T::deserialize(item).map_err(|e| format!("unreadable record: {e}")),
        Value::String(s) if is_python_repr(&s) => {
            Err(format!("record is a Python-repr string, not a JSON object: {}", super::text::snippet(&s, 60)))
        }
        other => Err(format!("record is {}, not a JSON object", kind_of(&other))),
    }
}

/// What kind of JSON value this is, for messages.
pub(super) fn kind_of(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_utf16_pair_is_read_as_the_replacement_character() {
        let read = |raw: &str| with_lone_surrogates_replaced(raw);
        assert_eq!(read(r#""a \udc00 b""#).as_deref(), Some("a \u{fffd} b"));
        assert_eq!(read(r#""\ud800""#).as_deref(), Some("\u{fffd}"));
        // A whole pair, an escaped backslash and other escapes are read as JSON reads them.
        assert_eq!(read(r#""\ud83d\ude00 \\udc00 \n""#).as_deref(), Some("😀 \\udc00 \n"));
        assert_eq!(read("12"), None);
    }

    #[test]
    fn lists_nested_beyond_the_limit_are_null_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
        let raw: &RawValue = serde_json::from_str(&deep).expect("syntax");
        let value = lenient_value(raw);
        let mut depth = 0;
        let mut at = &value;
        while let Value::Array(items) = at {
            depth += 1;
            at = match items.first() {
                Some(item) => item,
                None => break,
            };
        }
        assert!(depth <= MAX_NESTING + 1, "{depth}");
    }

    #[test]
    fn item_lines_point_at_each_record() {
        let text = "[\n  {\"a\": \"x,[\\\"\"},\n  {\"b\": [1, 2]},\n\n  3\n]";
        let lines: Vec<usize> = item_starts(text).into_iter().map(|(_, line)| line).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert_eq!(item_starts("[]"), Vec::<(usize, usize)>::new());
    }
}
