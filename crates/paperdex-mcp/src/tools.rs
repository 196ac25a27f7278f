//! The four tools: their names, the descriptions an agent chooses by, their input schemas
//! (derived from the argument structs, so the schema and the parser cannot disagree) and the
//! strict reading of a call's arguments.
//!
//! An argument struct's field is one line of the tool's input schema: adding a search filter
//! is a field here with its doc comment (the description the agent reads) and a line in
//! [`SearchArgs::into_request`].

use std::sync::Arc;

use paperdex_index::limits::{self, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, quote};
use paperdex_index::{SearchFilter, SearchMode, SearchRequest};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ToolError;

/// The `search` tool's name.
pub const SEARCH: &str = "search";
/// The `show_paper` tool's name.
pub const SHOW_PAPER: &str = "show_paper";
/// The `related_papers` tool's name.
pub const RELATED_PAPERS: &str = "related_papers";
/// The `latest_papers` tool's name.
pub const LATEST_PAPERS: &str = "latest_papers";

const SEARCH_DESCRIPTION: &str = "Search the paperdex index of AI research papers (Chinese daily-digest \
summaries and English Hugging Face abstracts) by keywords and by meaning. Use it first to find papers on a \
topic, method, model or benchmark; the query may be English, Chinese or both. Returns the best papers first, \
each with its arXiv id, title, date, link, best-matching snippet, score and which retrievers found it \
(bm25 keywords, vector meaning). Then call show_paper with an id to read a paper, or related_papers to \
explore around it. Page with offset.";

const SHOW_PAPER_DESCRIPTION: &str = "Read one paper of the paperdex index in full: title (English and Chinese), \
date, link, authors, keywords, code repository, upvotes, and every section of its summaries (core \
contribution, innovations, experiments and results, usage, field, abstract...), with the files it came from. \
Use it after search or related_papers, when a snippet is not enough to answer.";

const RELATED_PAPERS_DESCRIPTION: &str = "Find papers related to one paper of the paperdex index, by meaning \
(its passages' vectors) and by its most distinctive words; never the paper itself. Use it to explore \
around a paper an earlier search or the user named: follow-up work, competing methods, the same benchmark.";

const LATEST_PAPERS_DESCRIPTION: &str = "List the newest papers of the paperdex index, by the day a daily \
digest or Hugging Face daily list first listed them, with no query, narrowed by day, language, source or \
section like search. Use it when the user asks what is new (today, since a day, this week) rather than about a \
topic; for a topic among them, call search with since instead. Returns each paper's arXiv id, title, date, \
link and one-line summary, newest first.";

/// Guidance for the agent as a whole, sent with `initialize`.
pub const INSTRUCTIONS: &str = "paperdex searches a local index of AI research papers. Start with `search` \
(English or Chinese queries; hybrid mode unless you need exact keywords: bm25, or paraphrases: vector), \
then `show_paper` for the full summary of a hit and `related_papers` to explore around it; \
`latest_papers` lists what came out since a day. Ids are arXiv \
ids such as 2602.02958. Failed calls answer isError with a stable code (invalid_parameter, query_too_long, \
paper_not_found, timeout, internal) and a message naming the argument at fault.";

/// The arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("additionalProperties" = false))]
pub struct SearchArgs {
    /// What to search for, in English, Chinese or both: keywords, a method or model name, or a
    /// question. A phrase in double quotes must be in every hit (`"KV cache" quantization`),
    /// a word or quoted phrase after a minus in none (`language model -vision`). 1 to 1000
    /// characters.
    #[schemars(length(min = 1, max = 1000))]
    pub query: String,
    /// The retrievers: `hybrid` (keywords and meaning fused; the best in general), `bm25`
    /// (keywords only: exact names, acronyms) or `vector` (meaning only: paraphrases).
    #[serde(default)]
    pub mode: Mode,
    /// How many papers to return, 1 to 200.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 200))]
    pub limit: usize,
    /// How many of the best papers to skip, for the next page (0 to 10000).
    #[serde(default)]
    #[schemars(range(min = 0, max = 10000))]
    pub offset: usize,
    /// Only papers first seen (listed by a digest or daily list) on or after this day,
    /// `YYYY-MM-DD`: "what came out since March".
    #[serde(default)]
    #[schemars(extend("pattern" = r"^\d{4}-\d{2}-\d{2}$"))]
    pub since: Option<String>,
    /// Only papers first seen on or before this day, `YYYY-MM-DD`.
    #[serde(default)]
    #[schemars(extend("pattern" = r"^\d{4}-\d{2}-\d{2}$"))]
    pub until: Option<String>,
    /// Only papers with text in this language: `zh` (Chinese summaries) or `en`.
    #[serde(default)]
    #[schemars(extend("enum" = ["zh", "en"]))]
    pub lang: Option<String>,
    /// Only papers listed by this kind of source: `report` (daily digest), `hf` (Hugging Face
    /// daily papers), `zh-summary` or `paper-md`.
    #[serde(default)]
    #[schemars(extend("enum" = ["report", "hf", "zh-summary", "paper-md"]))]
    pub source: Option<String>,
    /// Only matches in sections of this kind, e.g. `experiments` for "which papers report
    /// results on MMLU"; each hit says which section matched.
    #[serde(default)]
    #[schemars(extend("enum" = ["title", "contribution", "innovations", "experiments", "usage", "application", "abstract", "method", "other"]))]
    pub section: Option<String>,
    /// `relevance` (best first, the default) or `date` (newest first among the best matches).
    #[serde(default)]
    #[schemars(extend("enum" = ["relevance", "date"]))]
    pub sort: Option<String>,
}

impl SearchArgs {
    /// The engine's request: the same type, checks and defaults as the CLI and the HTTP API.
    pub fn into_request(self) -> Result<SearchRequest, ToolError> {
        let query = paperdex_index::limits::search_text("query", &self.query)?;
        let mut request = SearchRequest::new(query).mode(self.mode.0).limit(self.limit).offset(self.offset);
        request.filter = filter(self.since, self.until, self.lang, self.source, self.section)?;
        request.sort = parsed("sort", self.sort)?.unwrap_or_default();
        request.validate()?;
        Ok(request)
    }
}

/// The arguments of `latest_papers`: search's filters and paging, no query.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("additionalProperties" = false))]
pub struct LatestPapersArgs {
    /// How many papers to return, 1 to 200.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 200))]
    pub limit: usize,
    /// How many of the newest papers to skip, for the next page (0 to 10000).
    #[serde(default)]
    #[schemars(range(min = 0, max = 10000))]
    pub offset: usize,
    /// Only papers first listed on or after this day, `YYYY-MM-DD`: "what came out since Monday".
    #[serde(default)]
    #[schemars(extend("pattern" = r"^\d{4}-\d{2}-\d{2}$"))]
    pub since: Option<String>,
    /// Only papers first listed on or before this day, `YYYY-MM-DD`.
    #[serde(default)]
    #[schemars(extend("pattern" = r"^\d{4}-\d{2}-\d{2}$"))]
    pub until: Option<String>,
    /// Only papers with text in this language: `zh` (Chinese summaries) or `en`.
    #[serde(default)]
    #[schemars(extend("enum" = ["zh", "en"]))]
    pub lang: Option<String>,
    /// Only papers listed by this kind of source: `report` (daily digest), `hf` (Hugging Face
    /// daily papers), `zh-summary` or `paper-md`.
    #[serde(default)]
    #[schemars(extend("enum" = ["report", "hf", "zh-summary", "paper-md"]))]
    pub source: Option<String>,
    /// Only papers with a section of this kind; the snippet comes from it.
    #[serde(default)]
    #[schemars(extend("enum" = ["title", "contribution", "innovations", "experiments", "usage", "application", "abstract", "method", "other"]))]
    pub section: Option<String>,
}

impl LatestPapersArgs {
    /// The filter, offset and limit, read by search's parsers; [`paperdex_index::PaperIndex::newest`]
    /// checks them by the rules search uses.
    pub fn into_listing(self) -> Result<(SearchFilter, usize, usize), ToolError> {
        let filter = filter(self.since, self.until, self.lang, self.source, self.section)?;
        Ok((filter, self.offset, self.limit))
    }
}

/// An optional text argument read by the CLI's and the HTTP API's parser for it, so a bad
/// value is named the same way everywhere; blank is not given.
fn parsed<T: std::str::FromStr<Err = String>>(name: &str, raw: Option<String>) -> Result<Option<T>, ToolError> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => Ok(Some(paperdex_index::filter::parse_value(name, raw)?)),
    }
}

/// The search filter of `search` and `latest_papers`, from their arguments of the same names.
fn filter(
    since: Option<String>,
    until: Option<String>,
    lang: Option<String>,
    source: Option<String>,
    section: Option<String>,
) -> Result<SearchFilter, ToolError> {
    Ok(SearchFilter {
        since: parsed("since", since)?,
        until: parsed("until", until)?,
        lang: parsed("lang", lang)?,
        source: parsed("source", source)?,
        section: parsed("section", section)?,
        ..SearchFilter::default()
    })
}

/// The arguments of `show_paper`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("additionalProperties" = false))]
pub struct ShowPaperArgs {
    /// The paper's arXiv id, e.g. `2602.02958`, as search and related_papers return it, or its
    /// link (a hit's `url`, `https://huggingface.co/papers/2602.02958`).
    pub id: String,
}

/// The arguments of `related_papers`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("additionalProperties" = false))]
pub struct RelatedPapersArgs {
    /// The paper's arXiv id, e.g. `2602.02958`, or its link (a hit's `url`,
    /// `https://huggingface.co/papers/2602.02958`).
    pub id: String,
    /// How many related papers to return, 1 to 200.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 200))]
    pub limit: usize,
}

impl RelatedPapersArgs {
    /// Checks the limit by the shared rule.
    pub fn validate(&self) -> Result<(), ToolError> {
        Ok(limits::check_limit(self.limit)?)
    }
}

fn default_limit() -> usize {
    DEFAULT_LIMIT
}

/// A search mode, read as the CLI reads `--mode` (any case; `keyword` and `semantic` too); an
/// empty string is the default, as it is for every optional text argument here and for the
/// HTTP API's parameters (a form's empty field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode(pub SearchMode);

impl Default for Mode {
    fn default() -> Mode {
        Mode(SearchMode::Hybrid)
    }
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Mode, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Ok(Mode::default());
        }
        text.parse().map(Mode).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Mode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Mode".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "enum": ["hybrid", "bm25", "vector"], "default": "hybrid"})
    }
}

/// The tools, as `tools/list` answers them.
pub fn list() -> Vec<Tool> {
    let read_only = |title: &str| {
        ToolAnnotations::with_title(title).read_only(true).destructive(false).idempotent(true).open_world(false)
    };
    vec![
        Tool::new(SEARCH, SEARCH_DESCRIPTION, input_schema::<SearchArgs>())
            .with_title("Search papers")
            .with_annotations(read_only("Search papers")),
        Tool::new(SHOW_PAPER, SHOW_PAPER_DESCRIPTION, input_schema::<ShowPaperArgs>())
            .with_title("Read a paper")
            .with_annotations(read_only("Read a paper")),
        Tool::new(RELATED_PAPERS, RELATED_PAPERS_DESCRIPTION, input_schema::<RelatedPapersArgs>())
            .with_title("Related papers")
            .with_annotations(read_only("Related papers")),
        Tool::new(LATEST_PAPERS, LATEST_PAPERS_DESCRIPTION, input_schema::<LatestPapersArgs>())
            .with_title("Latest papers")
            .with_annotations(read_only("Latest papers")),
    ]
}

/// The names of every tool, for messages.
pub fn names() -> String {
    [SEARCH, SHOW_PAPER, RELATED_PAPERS, LATEST_PAPERS].join(", ")
}

/// `T`'s input schema: JSON Schema 2020-12 (the MCP default dialect), `type: object`.
pub fn input_schema<T: JsonSchema>() -> Arc<JsonObject> {
    let schema = schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>();
    let mut object = match schema.to_value() {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    // The title is the Rust type's name, of no use to an agent; the dialect is MCP's default.
    object.remove("title");
    object.remove("$schema");
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.values_mut().for_each(standard_property);
    }
    Arc::new(object)
}

/// A property's schema in standard JSON Schema that validates its own default: schemars
/// writes `"format": "uint"` for a `usize`, a format of its own that Ajv refuses to compile
/// the schema with (`minimum` already says it), and an optional argument whose values are
/// listed (`lang`: `["string", "null"]`, default null) did not list null among them.
fn standard_property(property: &mut Value) {
    let integer = schema_types(property).contains(&"integer");
    let nullable = property.get("type").and_then(Value::as_array).is_some_and(|types| types.contains(&json!("null")));
    let Some(property) = property.as_object_mut() else { return };
    if integer {
        property.remove("format");
    }
    if let Some(Value::Array(values)) = property.get_mut("enum")
        && nullable
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// Reads a call's arguments strictly into `T`: an unknown argument, a missing one or a value of
/// the wrong type is an `invalid_parameter` error naming the argument and what it must be (from
/// the schema the agent was given), quoting at most [`limits::MAX_ECHO_CHARS`] characters of
/// the value.
pub fn parse<T: DeserializeOwned + JsonSchema>(arguments: Option<JsonObject>) -> Result<T, ToolError> {
    let arguments = arguments.unwrap_or_default();
    let schema = input_schema::<T>();
    let properties = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(name) = arguments.keys().find(|name| !properties.contains_key(*name)) {
        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
        return Err(ToolError::invalid_parameter(
            &quote(name),
            format!("is not an argument of this tool (expected {})", known.join(", ")),
        ));
    }
    let required = schema.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(name) = required.iter().filter_map(Value::as_str).find(|name| !arguments.contains_key(*name)) {
        return Err(ToolError::invalid_parameter(name, "is required"));
    }
    // What an integer argument may be written as besides an integer, for every one (limit,
    // offset...) alike. JSON Schema's `integer` is any number without a fractional part: `5.0`,
    // which a Python client sends as easily as `5`, is 5. Many LLM clients write every argument
    // as text: `"5"` is read as the HTTP API reads `limit=5` (digits only, spaces around left
    // out). `5.5`, `"5.5"` and `"ten"` stay as given and are refused below, named by their type.
    let mut arguments = arguments;
    // An integer argument given as empty text is not given, as `limit=` is the default over
    // HTTP (an optional text argument's empty value, `mode: ""`, is its own parser's default).
    // Nor is an optional argument given as null: many LLM clients write every argument they
    // leave out as null, and `mode: null` failed the call where `lang: null` did not.
    arguments.retain(|name, given| {
        let integer = properties.get(name).is_some_and(|p| schema_types(p).contains(&"integer"));
        let optional = !required.iter().any(|r| r == name.as_str());
        !(integer && given.as_str().is_some_and(|text| text.trim().is_empty()) || optional && given.is_null())
    });
    for (name, given) in arguments.iter_mut() {
        if !properties.get(name).is_some_and(|p| schema_types(p).contains(&"integer")) {
            continue;
        }
        let integer = match given {
            // Below 2^53 a float holds its integer exactly.
            Value::Number(n) if n.is_f64() => {
                n.as_f64().filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15).map(|n| Value::from(n as i64))
            }
            Value::String(text) => limits::count_in_text(text).map(Value::from),
            _ => None,
        };
        if let Some(integer) = integer {
            *given = integer;
        }
    }
    let value = Value::Object(arguments);
    serde_path_to_error::deserialize(&value).map_err(|error| {
        let name = error.path().to_string();
        let own_words = error.inner().to_string();
        match (properties.get(&name), value.get(&name)) {
            // Text the argument's own parser refused (a mode, a sort): its words, which the
            // CLI and the HTTP API give for the same value.
            (Some(property), Some(Value::String(_)))
                if schema_types(property).contains(&"string") && own_words.starts_with("must be ") =>
            {
                ToolError::invalid_parameter(&name, own_words)
            }
            (Some(property), Some(given)) => ToolError::invalid_parameter(
                &name,
                format!("must be {}, not {}", expected(property), described(given, property)),
            ),
            // Not a property of the schema: the path is inside a value, or the error is not a
            // field's. Serde's message does not quote long input here.
            _ => ToolError::invalid_parameter("the arguments", format!("are not valid: {}", error.inner())),
        }
    })
}

/// What a property's schema allows, in words: `an integer between 1 and 200`. An optional
/// argument's type is its type or null (`["string", "null"]`); an omitted argument says
/// "none", so the words name the type alone.
fn expected(property: &Value) -> String {
    if let Some(values) = property.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect();
        return format!("one of {}", values.join(", "));
    }
    let number = |key: &str| property.get(key).and_then(Value::as_u64);
    match schema_types(property).as_slice() {
        ["integer"] => match (number("minimum"), number("maximum")) {
            (Some(min), Some(max)) => format!("an integer between {min} and {max}"),
            (Some(min), None) => format!("an integer of at least {min}"),
            _ => "an integer".into(),
        },
        // The one pattern of the tools' strings is a day.
        ["string"] if property.get("pattern").is_some() => "a date YYYY-MM-DD".into(),
        ["string"] => "a string".into(),
        ["boolean"] => "true or false".into(),
        [other] => format!("of type {other}"),
        _ => "as the tool's input schema says".into(),
    }
}

/// The JSON types a property's schema allows, null left out.
fn schema_types(property: &Value) -> Vec<&str> {
    match property.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => Vec::new(),
    }
}

/// The value given: quoted, as every range error quotes it (`"0"` for a limit out of range,
/// `"-1"` for one sent as text: text is read as a count, so its range is what is wrong, as
/// the HTTP API says of `limit=-1`), or named by its JSON type when the schema wants another
/// type (`the integer 5` for a day).
fn described(given: &Value, property: &Value) -> String {
    let (kind, text) = match given {
        Value::String(s) => ("string", s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => ("integer", n.to_string()),
        Value::Number(n) => ("number", n.to_string()),
        Value::Bool(b) => return format!("{b}"),
        Value::Null => return "null".into(),
        Value::Array(_) => return "an array".into(),
        Value::Object(_) => return "an object".into(),
    };
    let types = schema_types(property);
    let fits = types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"))
        || (kind == "string" && types.contains(&"integer"))
        || types.is_empty();
    match (fits, kind) {
        (true, _) => quote(&text),
        (false, "string") => format!("the string {}", quote(&text)),
        (false, _) => format!("the {kind} {text}"),
    }
}

/// The documented ranges are the enforced ones (schemars attributes need literals).
const _: () = assert!(MAX_LIMIT == 200 && MAX_OFFSET == 10_000 && limits::MAX_QUERY_CHARS == 1000);

#[cfg(test)]
mod tests {
    use paperdex_index::ErrorCode;
    use serde_json::json;

    use super::*;

    fn args(value: Value) -> Option<JsonObject> {
        match value {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    fn search_error(value: Value) -> ToolError {
        parse::<SearchArgs>(args(value)).and_then(SearchArgs::into_request).expect_err("refused")
    }

    #[test]
    fn search_arguments_default_as_the_http_api_does() {
        let request = parse::<SearchArgs>(args(json!({"query": "  KV cache  "})))
            .and_then(SearchArgs::into_request)
            .expect("valid");
        assert_eq!(
            (request.query.as_str(), request.mode, request.limit, request.offset),
            ("KV cache", SearchMode::Hybrid, 10, 0)
        );
        let request =
            parse::<SearchArgs>(args(json!({"query": "x", "mode": "Keyword", "limit": 200, "offset": 10000})))
                .and_then(SearchArgs::into_request)
                .expect("valid");
        assert_eq!((request.mode, request.limit, request.offset), (SearchMode::Bm25, 200, 10_000));
        // An empty mode is the default, as an empty `since` is, and as over HTTP.
        let request = parse::<SearchArgs>(args(json!({"query": "x", "mode": "", "since": " "})))
            .and_then(SearchArgs::into_request)
            .expect("empty values are defaults");
        assert_eq!((request.mode, request.filter.since), (SearchMode::Hybrid, None));
        // So is an empty count, as `limit=` is.
        let request = parse::<SearchArgs>(args(json!({"query": "x", "limit": "", "offset": "  "})))
            .and_then(SearchArgs::into_request)
            .expect("empty counts are defaults");
        assert_eq!((request.limit, request.offset), (DEFAULT_LIMIT, 0));
    }

    /// What a client validating the tools' schemas with a standard validator (Ajv) meets: no
    /// format of schemars' own (`uint`), and every listed argument's default among its values.
    #[test]
    fn every_input_schema_is_standard_and_holds_its_own_defaults() {
        for tool in list() {
            let properties =
                tool.input_schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            assert!(!properties.is_empty(), "{}", tool.name);
            for (name, property) in properties {
                let format = property.get("format").and_then(Value::as_str);
                assert!(format.is_none_or(|f| ["date", "uri"].contains(&f)), "{} {name}: {property}", tool.name);
                if let (Some(Value::Array(values)), Some(default)) = (property.get("enum"), property.get("default")) {
                    assert!(values.contains(default), "{} {name}: {property}", tool.name);
                }
            }
        }
    }

    #[test]
    fn a_bad_argument_is_named_with_what_it_must_be() {
        let cases = [
            (json!({"query": "x", "limit": 0}), "limit must be an integer between 1 and 200, not \"0\""),
            (json!({"query": "x", "limit": 201}), "limit must be an integer between 1 and 200, not \"201\""),
            (json!({"query": "x", "limit": "ten"}), "limit must be an integer between 1 and 200, not \"ten\""),
            (json!({"query": "x", "limit": "5.5"}), "limit must be an integer between 1 and 200, not \"5.5\""),
            (json!({"query": "x", "offset": "-1"}), "offset must be an integer between 0 and 10000, not \"-1\""),
            (json!({"query": "x", "limit": "0"}), "limit must be an integer between 1 and 200, not \"0\""),
            (json!({"query": "x", "since": 5}), "since must be a date YYYY-MM-DD, not the integer 5"),
            (json!({"query": null}), "query must be a string, not null"),
            (json!({"query": ["x"]}), "query must be a string, not an array"),
            (json!({"query": "x", "limit": -1}), "limit must be an integer between 1 and 200, not \"-1\""),
            (json!({"query": "x", "limit": 1.5}), "limit must be an integer between 1 and 200, not the number 1.5"),
            (json!({"query": "x", "offset": 10001}), "offset must be an integer between 0 and 10000, not \"10001\""),
            (
                json!({"query": "x", "mode": "fuzzy"}),
                "mode must be hybrid, bm25 or vector (keyword and semantic also do), not \"fuzzy\"",
            ),
            (json!({"query": 42}), "query must be a string, not the integer 42"),
            (json!({"query": "   "}), "query is required: the text to search for"),
            (json!({"limit": 5}), "query is required"),
            (
                json!({"query": "x", "limt": 5}),
                "\"limt\" is not an argument of this tool (expected lang, limit, mode, offset, query, section, since, sort, source, until)",
            ),
        ];
        for (arguments, message) in cases {
            let error = search_error(arguments.clone());
            assert_eq!(error.code, ErrorCode::InvalidParameter, "{arguments}");
            assert_eq!(error.message, message, "{arguments}");
        }
        let long = "q".repeat(limits::MAX_QUERY_CHARS + 1);
        assert_eq!(search_error(json!({"query": long})).code, ErrorCode::QueryTooLong);
    }

    /// Many LLM clients write every argument they leave out as null: it is not given, and
    /// the argument has its default.
    #[test]
    fn an_optional_argument_given_as_null_has_its_default() {
        let arguments = json!({"query": "x", "mode": null, "limit": null, "offset": null, "sort": null, "lang": null});
        let request = parse::<SearchArgs>(args(arguments)).and_then(SearchArgs::into_request).expect("nulls");
        assert_eq!((request.mode, request.limit, request.offset), (SearchMode::Hybrid, 10, 0));
        let related = parse::<RelatedPapersArgs>(args(json!({"id": "2602.02958", "limit": null}))).expect("valid");
        assert_eq!(related.limit, 10);
    }

    /// Many LLM clients write every argument as text; the schema says integer, and the count
    /// in the text is read as the HTTP API reads `limit=5`, for every integer argument.
    #[test]
    fn a_count_written_as_text_is_that_count() {
        let request = parse::<SearchArgs>(args(json!({"query": "x", "limit": "5", "offset": " 20 "})))
            .and_then(SearchArgs::into_request)
            .expect("counts written as text");
        assert_eq!((request.limit, request.offset), (5, 20));
        let (_, offset, limit) = parse::<LatestPapersArgs>(args(json!({"limit": "3", "offset": "1"})))
            .and_then(LatestPapersArgs::into_listing)
            .expect("counts written as text");
        assert_eq!((limit, offset), (3, 1));
        let related = parse::<RelatedPapersArgs>(args(json!({"id": "2602.02958", "limit": "7"}))).expect("valid");
        assert_eq!(related.limit, 7);
        // Text that is not an integer argument's stays text: an id written as digits is an id.
        let paper = parse::<ShowPaperArgs>(args(json!({"id": "2602"}))).expect("valid");
        assert_eq!(paper.id, "2602");
    }

    #[test]
    fn client_input_is_quoted_short() {
        let long = "x".repeat(60_000);
        for arguments in [json!({"query": "x", "mode": long}), json!({"query": "x", long.clone(): 1})] {
            let message = search_error(arguments).message;
            assert!(message.len() < 200, "{} bytes", message.len());
        }
    }

    #[test]
    fn related_papers_checks_its_limit_by_the_shared_rule() {
        let parsed = parse::<RelatedPapersArgs>(args(json!({"id": "2602.02958"}))).expect("valid");
        assert_eq!((parsed.id.as_str(), parsed.limit), ("2602.02958", DEFAULT_LIMIT));
        // A whole number written with a point (Python's `5.0`) is that integer.
        let parsed = parse::<RelatedPapersArgs>(args(json!({"id": "2602.02958", "limit": 5.0}))).expect("valid");
        assert_eq!(parsed.limit, 5);
        let error = parse::<RelatedPapersArgs>(args(json!({"id": "2602.02958", "limit": 0})))
            .and_then(|a| a.validate().map(|()| a))
            .expect_err("zero");
        assert_eq!(error.message, "limit must be an integer between 1 and 200, not \"0\"");
        let error = parse::<ShowPaperArgs>(None).expect_err("no id");
        assert_eq!(error.message, "id is required");
    }

    #[test]
    fn schemas_are_objects_that_list_every_argument_with_its_range() {
        let schema = Value::Object((*input_schema::<SearchArgs>()).clone());
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["query"]));
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["limit"]["maximum"], json!(MAX_LIMIT));
        assert_eq!(schema["properties"]["offset"]["maximum"], json!(MAX_OFFSET));
        assert_eq!(schema["properties"]["query"]["maxLength"], json!(limits::MAX_QUERY_CHARS));
        assert_eq!(schema["properties"]["mode"]["enum"], json!(["hybrid", "bm25", "vector"]));
        assert!(schema["properties"]["query"]["description"].as_str().is_some_and(|d| d.contains("Chinese")));
        // The listing takes the same filters and paging, and nothing is required.
        let latest = Value::Object((*input_schema::<LatestPapersArgs>()).clone());
        assert_eq!((latest["required"].clone(), latest["additionalProperties"].clone()), (Value::Null, json!(false)));
        assert_eq!(latest["properties"]["limit"]["maximum"], json!(MAX_LIMIT));
        let shape = |property: &Value| {
            let mut property = property.clone();
            property.as_object_mut().map(|p| p.remove("description"));
            property
        };
        for filter in ["since", "until", "lang", "source", "section"] {
            assert_eq!(shape(&latest["properties"][filter]), shape(&schema["properties"][filter]), "{filter}");
        }
        let tools = list();
        assert_eq!(
            tools.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>(),
            [SEARCH, SHOW_PAPER, RELATED_PAPERS, LATEST_PAPERS]
        );
    }
}
