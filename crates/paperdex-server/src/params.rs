//! Query-string parameters, read strictly: a parameter whose percent-decoded bytes are not
//! UTF-8 is an error naming it (serde's form decoder would silently turn them into U+FFFD and
//! search for something nobody typed), and every number is checked with its range in the
//! message.

use paperdex_index::filter::parse_value;
use paperdex_index::limits::{self, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, quote};
use paperdex_index::{SearchFilter, SearchMode, SortOrder};

use crate::error::ApiError;

/// The decoded parameters of one query string, in order.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `raw` (the part after `?`): `+` is a space, `%XX` a byte; a `%` not followed by
    /// two hex digits stays as written, as browsers do.
    pub fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
        let mut out = Vec::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name).map_err(|_| {
                ApiError::invalid_parameter("the query string", "has a parameter name that is not valid UTF-8")
            })?;
            let value = decode(value)
                .map_err(|_| ApiError::invalid_parameter(&quote(&name), "is not valid UTF-8 once percent-decoded"))?;
            out.push((name, value));
        }
        Ok(Params(out))
    }

    /// Refuses a parameter this endpoint does not know: a misspelt `limt=5` silently ignored
    /// would answer a different question than the one asked.
    pub fn only(self, known: &[&str]) -> Result<Params, ApiError> {
        if let Some((name, _)) = self.0.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            let expected = match known {
                [] => "it takes none".to_string(),
                _ => format!("expected {}", known.join(", ")),
            };
            return Err(ApiError::invalid_parameter(
                &quote(name),
                format!("is not a parameter of this endpoint ({expected})"),
            ));
        }
        Ok(self)
    }

    /// The last value given for `name` (a later `&q=` overrides an earlier one, like a form).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The search text: required, not blank, at most [`limits::MAX_QUERY_CHARS`] characters.
    pub fn query(&self) -> Result<String, ApiError> {
        Ok(limits::search_text("q", self.get("q").unwrap_or(""))?.to_string())
    }

    /// The search mode, hybrid unless given (a blank value is none given, as for every named
    /// parameter: `mode=+` was refused); read as the CLI reads `--mode`.
    pub fn mode(&self) -> Result<SearchMode, ApiError> {
        Ok(self.parsed("mode")?.unwrap_or(SearchMode::Hybrid))
    }

    /// How many hits: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] unless given.
    pub fn limit(&self) -> Result<usize, ApiError> {
        self.number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    }

    /// How many hits to skip: 0 to [`MAX_OFFSET`], 0 unless given.
    pub fn offset(&self) -> Result<usize, ApiError> {
        self.number("offset", 0, 0, MAX_OFFSET)
    }

    /// The filter parameters (`since`, `until`, `lang`, `source`, `section`), read by the same
    /// parsers as the CLI's flags; an empty value is no filter.
    pub fn filter(&self) -> Result<SearchFilter, ApiError> {
        let filter = SearchFilter {
            since: self.parsed("since")?,
            until: self.parsed("until")?,
            lang: self.parsed("lang")?,
            source: self.parsed("source")?,
            section: self.parsed("section")?,
            ..SearchFilter::default()
        };
        filter.validate()?;
        Ok(filter)
    }

    /// The order, `relevance` unless given.
    pub fn sort(&self) -> Result<SortOrder, ApiError> {
        Ok(self.parsed("sort")?.unwrap_or_default())
    }

    fn parsed<T: std::str::FromStr<Err = String>>(&self, name: &str) -> Result<Option<T>, ApiError> {
        match self.given(name) {
            None => Ok(None),
            Some(raw) => Ok(Some(parse_value(name, raw)?)),
        }
    }

    fn number(&self, name: &str, default: usize, min: usize, max: usize) -> Result<usize, ApiError> {
        let Some(raw) = self.given(name) else { return Ok(default) };
        Ok(limits::parse_count(name, raw, min, max)?)
    }

    /// `name`'s value without the white space around it; a blank one is none given, for every
    /// parameter alike (`limit=+` was refused where `mode=+` was the default).
    fn given(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }
}

fn decode(text: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b))) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_plus() {
        let params = Params::parse(Some("q=KV+cache%20%E9%87%8F%E5%8C%96&mode=bm25")).expect("parses");
        assert_eq!(params.get("q"), Some("KV cache 量化"));
        assert_eq!(params.mode().expect("mode"), SearchMode::Bm25);
    }

    #[test]
    fn invalid_utf8_names_the_parameter() {
        let error = Params::parse(Some("q=%FF")).expect_err("not UTF-8");
        assert_eq!(error.status(), axum::http::StatusCode::BAD_REQUEST);
        assert!(error.message().contains("\"q\" is not valid UTF-8"), "{}", error.message());
    }

    #[test]
    fn a_lone_percent_stays() {
        let params = Params::parse(Some("q=100%&x=%G1&y=%4")).expect("parses");
        assert_eq!(params.get("q"), Some("100%"));
        assert_eq!(params.get("x"), Some("%G1"));
        assert_eq!(params.get("y"), Some("%4"));
    }

    #[test]
    fn numbers_are_checked_with_their_range() {
        let limit = |raw: &str| Params::parse(Some(raw)).expect("parses").limit();
        assert_eq!(limit("").expect("default"), DEFAULT_LIMIT);
        assert_eq!(limit("limit=200").expect("max"), 200);
        for bad in [
            "limit=0",
            "limit=201",
            "limit=-1",
            "limit=ten",
            "limit=1.5",
            "limit=%2B3",
            "limit=99999999999999999999999",
        ] {
            assert!(limit(bad).is_err(), "{bad} accepted");
        }
        // `+` in a query string is a space, left out around a number as around a date.
        assert_eq!(limit("limit=+3").expect("a space before"), 3);
        // A blank value is none given, as for every parameter (`mode=+` too).
        for blank in ["limit=", "limit=+", "limit=%20%20"] {
            assert_eq!(limit(blank).expect("a blank value is none given"), DEFAULT_LIMIT, "{blank}");
        }
        let offset = |raw: &str| Params::parse(Some(raw)).expect("parses").offset();
        assert_eq!(offset("offset=0").expect("zero"), 0);
        assert!(offset("offset=-1").is_err());
        assert!(offset("offset=10001").is_err());
    }

    #[test]
    fn modes_are_read_as_the_cli_reads_them() {
        let mode = |raw: &str| Params::parse(Some(raw)).expect("parses").mode();
        assert_eq!(mode("mode=BM25").expect("any case"), SearchMode::Bm25);
        assert_eq!(mode("mode=Semantic").expect("alias"), SearchMode::Vector);
        assert_eq!(mode("mode=keyword").expect("alias"), SearchMode::Bm25);
        assert_eq!(mode("mode=+bm25+").expect("spaces around, as every parameter's"), SearchMode::Bm25);
        for blank in ["mode=", "mode=+", "mode=%20%20"] {
            assert_eq!(mode(blank).expect("a blank value is none given"), SearchMode::Hybrid, "{blank}");
        }
        assert!(mode("mode=fuzzy").is_err());
    }

    #[test]
    fn client_input_is_echoed_cut_to_one_length() {
        let long = "x".repeat(60_000);
        for raw in [format!("{long}=1"), format!("mode={long}"), format!("limit={long}")] {
            let params = Params::parse(Some(&raw)).expect("parses");
            let error = params.only(&["q", "mode", "limit"]).and_then(|p| {
                p.mode()?;
                p.limit()
            });
            let message = error.expect_err("refused").message().to_string();
            assert!(message.len() < 200, "{} bytes: {}", message.len(), &message[..200]);
        }
    }

    #[test]
    fn blank_and_long_queries_are_refused() {
        let query = |raw: &str| Params::parse(Some(raw)).expect("parses").query();
        assert!(query("").is_err());
        assert!(query("q=+++").is_err());
        assert_eq!(query("q=+attention+").expect("trimmed"), "attention");
        let long = format!("q={}", "a".repeat(limits::MAX_QUERY_CHARS + 1));
        assert_eq!(query(&long).expect_err("too long").code(), paperdex_index::ErrorCode::QueryTooLong);
        let chinese = format!("q={}", "量".repeat(limits::MAX_QUERY_CHARS));
        assert!(query(&chinese).is_ok(), "the limit counts characters, not bytes");
    }
}
