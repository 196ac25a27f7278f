//! The text an agent reads: compact, one block per paper, every field it needs to cite or
//! follow a paper (id, title, date, link, score, which retrievers found it, the snippet). The
//! same answer goes alongside as `structuredContent`, in the HTTP API's JSON shapes.

use std::fmt::Write;

use paperdex_index::SortOrder;
use paperdex_server::dto::{Hit, PaperView, RelatedResponse, SearchResponse};

/// A search answer as text; `sort` is the order it was asked in.
pub fn search(answer: &SearchResponse, offset: usize, sort: SortOrder) -> String {
    let mut out = String::new();
    let mode = mode_name(&answer.mode);
    let matched = paperdex_index::total_text(answer.total, answer.total_is_estimate);
    if answer.hits.is_empty() && answer.total > 0 && offset > 0 {
        // Past the last page: there are matches, just not this far.
        let _ = writeln!(
            out,
            "No papers from {} on for {:?} ({mode}, {matched} matched in all): ask with a smaller offset.",
            offset + 1,
            answer.query
        );
    } else if let Some(note) = no_paper_passes(answer) {
        let _ = writeln!(out, "{}", capitalised(note));
    } else if answer.hits.is_empty() {
        let _ = writeln!(out, "No papers found for {:?} ({mode}, {matched} matched).", answer.query);
    } else {
        let _ = writeln!(
            out,
            "Papers {}-{} for {:?} ({mode}, {matched} matched, {}):",
            offset + 1,
            offset + answer.hits.len(),
            answer.query,
            match sort {
                SortOrder::Relevance => "best first",
                SortOrder::Date => "newest first among the best matches",
            }
        );
    }
    // What the answer says about the query (a misspelling searched as spelled, a pasted id)
    // comes before the hits, as it does in the terminal and on the page.
    warnings(&mut out, &other_warnings(answer));
    if !answer.required.is_empty() {
        let _ = writeln!(out, "every hit holds: {}", paperdex_index::quoted_phrases(&answer.required));
    }
    if !answer.excluded.is_empty() {
        let _ = writeln!(out, "no hit holds: {}", paperdex_index::quoted_phrases(&answer.excluded));
    }
    hits(&mut out, &answer.hits, offset);
    for expansion in &answer.expansions {
        let _ = writeln!(out, "also searched: {} -> {} (weight {:.2})", expansion.from, expansion.to, expansion.weight);
    }
    if !answer.left_out.is_empty() {
        let _ = writeln!(out, "left out as common in Chinese papers: {}", answer.left_out.join(", "));
    }
    out
}

/// A list of the newest papers as text.
pub fn latest(answer: &SearchResponse, offset: usize) -> String {
    let mut out = String::new();
    if answer.hits.is_empty() && answer.total > 0 {
        let _ = writeln!(out, "No papers from {} on ({} in all): ask with a smaller offset.", offset + 1, answer.total);
    } else if let Some(note) = no_paper_passes(answer) {
        let _ = writeln!(out, "{}", capitalised(note));
    } else if answer.hits.is_empty() {
        let _ = writeln!(out, "No papers match these filters.");
    } else {
        let _ = writeln!(
            out,
            "Papers {}-{} of {}, newest first (by the day they were first listed):",
            offset + 1,
            offset + answer.hits.len(),
            answer.total
        );
    }
    warnings(&mut out, &other_warnings(answer));
    hits(&mut out, &answer.hits, offset);
    out
}

/// The answer's note that no paper passes its filters (a date past the newest paper's): said
/// in place of the empty answer's own line, which blamed the query.
fn no_paper_passes(answer: &SearchResponse) -> Option<&String> {
    answer.warnings.iter().find(|w| w.starts_with(paperdex_index::NO_PAPER_PASSES))
}

/// The answer's warnings but the note [`no_paper_passes`] gives its first line.
fn other_warnings(answer: &SearchResponse) -> Vec<String> {
    answer.warnings.iter().filter(|&w| Some(w) != no_paper_passes(answer)).cloned().collect()
}

/// `text` with a capital first letter, as the answer's first line begins.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A related-papers answer as text.
pub fn related(answer: &RelatedResponse) -> String {
    let mut out = String::new();
    let mode = mode_name(&answer.mode);
    let _ = writeln!(out, "Papers related to {} \"{}\" ({mode}, most related first):", answer.id, answer.title);
    if answer.hits.is_empty() {
        let _ = writeln!(out, "none found.");
    }
    warnings(&mut out, &answer.warnings);
    hits(&mut out, &answer.hits, 0);
    out
}

/// A paper as markdown: its facts, then every section.
pub fn paper(paper: &PaperView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", paper.title);
    if let Some(title) = &paper.title_zh {
        let _ = writeln!(out, "{title}");
    }
    let _ = writeln!(out, "\nid: {}", paper.id);
    if let Some(date) = &paper.date {
        let _ = writeln!(out, "date: {date}");
    }
    let _ = writeln!(out, "url: {}", paper.url);
    if !paper.authors.is_empty() {
        let _ = writeln!(out, "authors: {}", paper.authors.join(", "));
    }
    if !paper.keywords.is_empty() {
        let _ = writeln!(out, "keywords: {}", paper.keywords.join(", "));
    }
    if let Some(github) = &paper.github {
        let _ = writeln!(out, "code: {github}");
    }
    if let Some(upvotes) = paper.upvotes {
        let _ = writeln!(out, "upvotes: {upvotes}");
    }
    for section in &paper.sections {
        let _ = writeln!(out, "\n## {} ({}, {})\n{}", section.label, section.kind, section.lang, section.text.trim());
    }
    let sources: Vec<String> = paper
        .sources
        .iter()
        .map(|s| match &s.date {
            Some(date) => format!("{} ({}, {date})", s.path, s.format),
            None => format!("{} ({})", s.path, s.format),
        })
        .collect();
    if !sources.is_empty() {
        let _ = writeln!(out, "\nsources: {}", sources.join("; "));
    }
    out
}

fn hits(out: &mut String, hits: &[Hit], offset: usize) {
    for (i, hit) in hits.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}", offset + i + 1, hit.title);
        let date = hit.date.as_deref().unwrap_or("no date");
        let _ = write!(out, "   id {} · {date} · {}", hit.id, hit.url);
        if let Some(first_seen) = hit.first_seen.as_deref().filter(|&d| Some(d) != hit.date.as_deref()) {
            let _ = write!(out, " · listed {first_seen}");
        }
        let _ = writeln!(out);
        if !hit.matched_authors.is_empty() {
            let said = if hit.matched_authors.len() == 1 { "author" } else { "authors" };
            let _ = writeln!(out, "   {said} named: {}", hit.matched_authors.join(", "));
        }
        if let Some(section) = &hit.section_label {
            let _ = writeln!(out, "   matched in: {section}");
        }
        // A listing has no query: no retriever found its papers and they have no score.
        if let Some(found) = found_by(hit) {
            let _ = writeln!(out, "   score {:.4} · found by {found}", hit.score);
        }
        if !hit.snippet.is_empty() {
            let _ = writeln!(out, "   {}", hit.snippet);
        }
    }
}

/// Which retrievers ranked the hit, with its rank in each: `bm25 #1, vector #3`; `None` when
/// none did (a paper listed with no query).
fn found_by(hit: &Hit) -> Option<String> {
    let ranks: Vec<String> = [("bm25", hit.bm25_rank), ("vector", hit.vector_rank)]
        .into_iter()
        .filter_map(|(name, rank)| rank.map(|r| format!("{name} #{r}")))
        .collect();
    if ranks.is_empty() {
        return None;
    }
    let found = ranks.join(", ");
    Some(if hit.singled_out { format!("{found}; first: the query's words single it out") } else { found })
}

fn warnings(out: &mut String, warnings: &[String]) {
    for warning in warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
}

fn mode_name(mode: &paperdex_server::dto::Mode) -> &'static str {
    use paperdex_server::dto::Mode;
    match mode {
        Mode::Hybrid => "hybrid",
        Mode::Bm25 => "bm25",
        Mode::Vector => "vector",
    }
}
