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
/// The depths a search ranks to before it cuts a page, past the first (a mode's own: the
/// hybrid ranker's candidates, or BM25's first candidates): every page whose end one of them
/// holds is cut from the same ranking, so a reader paging on never sees a paper twice nor
/// misses one. A ranking computed to the page's end instead moved papers from page to page
/// past the first 100: `benches/serve/paging.py` found a paper shown twice in 21 of its 30
/// walks over 300 hits (PERFORMANCE.md, session 34).
const DEEPER_RANKINGS: [usize; 2] = [1_000, MAX_OFFSET + MAX_LIMIT];

/// Sorted by date, the matches of a query that requires a phrase are ordered newest first up
/// to this many (then the next, band by band: [`crate::fusion::newest_first_by_depth`]): they
/// are the set asked for. Among the ranker's 100 candidates, the date order hid its newest
/// papers whenever it matched more: `"reward model"` (326 matches on the whole corpus) began
/// with a paper of 2026-07-30 while five of August were further on. A query of words alone
/// keeps the best candidates: over all its matches, `new KV cache quantization` listed first
/// new papers that name a cache once (3D generation, talking heads).
pub(crate) const DATE_ORDER_DEPTH: usize = DEEPER_RANKINGS[0];

/// Sorted by date, a query of words alone orders its best 10 matches newest first, then its
/// next 10, the next 30 and the rest of its candidates, each band apart: a date order over
/// the best 100 at once put the newest weak matches first (`new --since 2026-08-01 agent
/// memory`: two of ten on the topic, where the best ten by relevance held eight). On 20 judged
/// topic queries over the papers since 2026-07-01, the first page held 67 papers on the
/// topic in hybrid mode (61 in bm25) where the order over 100 held 19 (18), and the second page
/// 28 (37) where it held at most 9 (7) (PERFORMANCE.md, "Session 49"). A required phrase's
/// papers are a set, ordered newest first whole ([`DATE_ORDER_DEPTH`]).
pub(crate) const DATE_ORDER_BANDS: [usize; 3] = [10, 20, 50];

/// The depths a search whose page ends at `end` ranks to, shallowest first: `first`, then each
/// of [`DEEPER_RANKINGS`] beyond it, up to the first that holds `end`. Each deeper ranking
/// starts with the whole of the one before ([`crate::fusion::extend_ranking`]).
pub(crate) fn ranking_depths(end: usize, first: usize) -> Vec<usize> {
    let mut depths = vec![first.max(1)];
    for deeper in DEEPER_RANKINGS {
        let last = *depths.last().unwrap_or(&first);
        if end <= last {
            break;
        }
        if deeper > last {
            depths.push(deeper);
        }
    }
    depths
}

/// The most characters of a client's own input quoted back in an error message.
pub const MAX_ECHO_CHARS: usize = 40;

/// How many searches a server (HTTP or MCP) runs at once: as many as the machine's cores.
/// Every search takes its turn on the one query session (`paperdex_embed`'s overview), so a
/// core can idle while both searches wait for the model; one search more than cores was
/// measured against this on the 2-core machine, hybrid under 8 connections, 38 alternating
/// pairs: 1.024x (geometric mean; bootstrap 95% interval 0.997–1.051x), 20 pairs for it, the
/// first 28 at 1.046x and the last 10 at 0.95x (PERFORMANCE.md, "Session 26"). No gain shown.
pub fn searches_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// `value` quoted for an error message, cut to [`MAX_ECHO_CHARS`] characters (marked `…`):
/// a 60 KB parameter must not come back whole.
pub fn quote(value: &str) -> String {
    format!("{:?}", echo(value))
}

/// `value` cut to [`MAX_ECHO_CHARS`] characters (marked `…`), for a message that repeats a
/// client's words without quotes (a warning naming a query's words).
pub fn echo(value: &str) -> String {
    let mut cut: String = value.chars().take(MAX_ECHO_CHARS).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    cut
}

/// Checks a query's length.
pub fn check_query(text: &str) -> Result<()> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(IndexError::QueryTooLong { chars, limit: MAX_QUERY_CHARS });
    }
    Ok(())
}

/// A search's text, trimmed: it must say something, in at most [`MAX_QUERY_CHARS`]
/// characters. `name` is the parameter as its caller spells it (`q` over HTTP, `query` in
/// the CLI and MCP), so a blank query is the same error everywhere. A query of punctuation
/// alone is no error: the engine answers it with a warning.
pub fn search_text<'a>(name: &str, text: &'a str) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(IndexError::InvalidParameter {
            name: name.to_string(),
            problem: "is required: the text to search for".to_string(),
        });
    }
    check_query(text)?;
    Ok(text)
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

/// Parses a count given as text (a query-string value, say): digits only, in `min..=max`,
/// with white space around them left out as every parameter's is (`limit=+5` in a query
/// string is ` 5`, as `since=+2026-02-01` is ` 2026-02-01`).
pub fn parse_count(name: &str, raw: &str, min: usize, max: usize) -> Result<usize> {
    match count_in_text(raw) {
        Some(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(out_of_range(name, raw, min, max)),
    }
}

/// The count `raw` writes, by [`parse_count`]'s rule and in any range: digits only, white
/// space around them left out; `None` for other text or a number beyond `usize`. MCP reads a
/// count an agent wrote as a string (`"limit": "5"`) by it too.
pub fn count_in_text(raw: &str) -> Option<usize> {
    // Digits only: a sign (`%2B5`), `5.0` and `5e1` are not what a client meant to send.
    let digits = raw.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
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
    fn a_page_is_cut_from_the_shallowest_ranking_that_holds_it() {
        assert_eq!(ranking_depths(10, 100), [100]);
        assert_eq!(ranking_depths(100, 100), [100]);
        assert_eq!(ranking_depths(110, 100), [100, 1_000]);
        assert_eq!(ranking_depths(1_001, 100), [100, 1_000, MAX_OFFSET + MAX_LIMIT]);
        assert_eq!(ranking_depths(MAX_OFFSET + MAX_LIMIT, 50), [50, 1_000, MAX_OFFSET + MAX_LIMIT]);
        // A first depth past a deeper one skips it.
        assert_eq!(ranking_depths(3_000, 2_000), [2_000, MAX_OFFSET + MAX_LIMIT]);
    }

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
        for bad in ["", " ", "-1", "ten", "1.5", "+3", "3 3", "99999999999999999999999"] {
            assert!(parse_count("limit", bad, 1, MAX_LIMIT).is_err(), "{bad:?} accepted");
        }
        assert_eq!(parse_count("limit", " 3\t", 1, MAX_LIMIT).expect("spaces around"), 3);
    }
}
