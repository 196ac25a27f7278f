//! The limits of a request, one rule each, applied by every front end (the CLI, the HTTP API
//! and any later one such as an MCP server) through the same functions, so that a request
//! refused in one place is refused everywhere with the same words.

use crate::error::{IndexError, Result};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most hits one request may ask for.
pub const MAX_LIMIT: usize = 200;
/// Hits per request when the caller does not say.
pub const DEFAULT_LIMIT: usize = 10;
/// The furthest a request may page.
pub const MAX_OFFSET: usize = 10_000;
/// How deep the vector ranking goes, in papers: the graphs are never asked for more than
/// this many papers' passages, whatever the offset, so one request's work stays bounded.
/// Vector hits beyond it are not served (hybrid pages past it carry on with BM25 alone).
pub const MAX_VECTOR_PAPERS: usize = 1000;
/// The most characters of a client's own input quoted back in an error message.
pub const MAX_ECHO_CHARS: usize = 40;

/// How many searches a server (HTTP or MCP) runs at once: one more than the machine's cores.
/// Every search embeds its query on the one query session, one search at a time
/// (`paperdex_embed`'s overview), and does the rest of its work before and after that turn.
/// With as many searches as cores, a core idled whenever both searches waited for the model
/// with their other work done; one more search keeps that core busy. On the 2-core machine
/// under 8 connections, three against two, 28 alternating pairs: hybrid throughput 1.046x
/// (geometric mean; bootstrap 95% interval 1.02–1.08x), 18 pairs for it; the CPU idled 10.6
/// and 15.0% against 14.2 and 18.0%, with the same CPU per search and peak RSS
/// (PERFORMANCE.md, "Session 26").
pub fn searches_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from) + 1
}

/// `value` quoted for an error message, cut to [`MAX_ECHO_CHARS`] characters (marked `…`):
/// a 60 KB parameter must not come back whole.
pub fn quote(value: &str) -> String {
    let mut cut: String = value.chars().take(MAX_ECHO_CHARS).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// Checks a query's length.
pub fn check_query(text: &str) -> Result<()> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(IndexError::QueryTooLong { chars, limit: MAX_QUERY_CHARS });
    }
    Ok(())
}

/// Checks a number of hits.
pub fn check_limit(limit: usize) -> Result<()> {
    check_count("limit", limit, 1, MAX_LIMIT)
}

/// Checks an offset.
pub fn check_offset(offset: usize) -> Result<()> {
    check_count("offset", offset, 0, MAX_OFFSET)
}

fn check_count(name: &str, value: usize, min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(out_of_range(name, &value.to_string(), min, max))
}

/// Parses a count given as text (a query-string value, say): digits only, in `min..=max`.
pub fn parse_count(name: &str, raw: &str, min: usize, max: usize) -> Result<usize> {
    // Digits only: `+5`, ` 5` and `5.0` are not what a client meant to send.
    if !raw.is_empty()
        && raw.bytes().all(|b| b.is_ascii_digit())
        && let Ok(value) = raw.parse::<usize>()
        && (min..=max).contains(&value)
    {
        return Ok(value);
    }
    Err(out_of_range(name, raw, min, max))
}

fn out_of_range(name: &str, raw: &str, min: usize, max: usize) -> IndexError {
    IndexError::InvalidParameter {
        name: name.to_string(),
        problem: format!("must be an integer between {min} and {max}, not {}", quote(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_is_quoted_short() {
        assert_eq!(quote("bm26"), "\"bm26\"");
        let long = "x".repeat(60_000);
        assert_eq!(quote(&long).chars().count(), MAX_ECHO_CHARS + 3);
        assert_eq!(quote(&"量".repeat(41)), format!("\"{}…\"", "量".repeat(40)));
    }

    #[test]
    fn counts_are_checked_with_their_range() {
        assert!(check_limit(0).is_err() && check_limit(MAX_LIMIT + 1).is_err() && check_limit(1).is_ok());
        assert!(check_offset(MAX_OFFSET).is_ok() && check_offset(MAX_OFFSET + 1).is_err());
        let error = parse_count("limit", "0", 1, MAX_LIMIT).expect_err("zero");
        assert_eq!(error.to_string(), "limit must be an integer between 1 and 200, not \"0\"");
        for bad in ["", "-1", "ten", "1.5", "+3", " 3", "99999999999999999999999"] {
            assert!(parse_count("limit", bad, 1, MAX_LIMIT).is_err(), "{bad:?} accepted");
        }
    }
}
