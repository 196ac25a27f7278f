//! Narrowing and ordering a search: [`SearchFilter`] (first-seen dates, language, source,
//! section) and [`SortOrder`]. One set of types and parsers for the CLI, the HTTP API and the
//! MCP server, so a value refused in one is refused in all with the same words.
//!
//! Filters apply inside both retrievers, before fusion: the keyword query gets the filter as a
//! required clause, and the vector search only looks at passages of admitted papers (see
//! [`PaperIndex::admitted_papers`]). A narrow filter therefore still fills a page with the best
//! matches among the papers it keeps, instead of the few that survive a post-filter.

use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use paperdex_core::{Lang, Named, Paper, SectionGroup, SourceFormat};
use serde::{Deserialize, Serialize};
use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::error::{IndexError, Result};
use crate::limits::quote;
use crate::query_syntax::TextFilter;
use crate::schema::Fields;

/// A calendar day, `YYYY-MM-DD`, kept as the number `YYYYMMDD` (how the index stores dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

impl Day {
    /// The day as `YYYYMMDD`.
    pub fn number(self) -> u64 {
        u64::from(self.0)
    }

    /// Reads the `YYYY-MM-DD` prefix of a date or timestamp (`2026-02-05T08:00:00Z`), as the
    /// sources write them; `None` when there is no valid day there.
    pub fn of(date: &str) -> Option<Day> {
        date.get(..10).and_then(|day| day.parse().ok())
    }

    /// The day the index stores as `number` (`YYYYMMDD`).
    fn from_number(number: u64) -> Option<Day> {
        u32::try_from(number).ok().map(Day)
    }
}

impl FromStr for Day {
    type Err = String;

    /// Reads `YYYY-MM-DD` (a real day of the Gregorian calendar), with white space around it
    /// left out as every parameter's is (the HTTP API's, MCP's and the CLI's alike).
    fn from_str(raw: &str) -> std::result::Result<Day, String> {
        let problem = || format!("must be a date YYYY-MM-DD, not {}", quote(raw));
        let s = raw.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(problem());
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[range];
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
        };
        let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
            return Err(problem());
        };
        // The form is right but no such day is: say so, not that the form is wrong.
        let no_such_day = || format!("must be a day of the calendar, not {}", quote(raw));
        let Some(days_in_month) = paperdex_core::days_in_month(year, month) else { return Err(no_such_day()) };
        if day == 0 || day > days_in_month {
            return Err(no_such_day());
        }
        Ok(Day(year * 10_000 + month * 100 + day))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0 / 10_000, self.0 / 100 % 100, self.0 % 100)
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Day, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Which papers a search may return. Every part is optional; parts combine (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchFilter {
    /// Only papers first seen on or after this day ([`Paper::first_seen`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Day>,
    /// Only papers first seen on or before this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Day>,
    /// Only papers with text in this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// Only papers listed by a source of this format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceFormat>,
    /// Only matches in sections of this group: the keyword query searches those sections
    /// alone, the vectors only papers that have such a section, and each hit's snippet comes
    /// from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<SectionGroup>,
    /// The phrases a query's marks require in or exclude from every hit (`"KV cache"`,
    /// `-vision`): the engine reads them from the query ([`TextFilter`]); a filter built
    /// elsewhere leaves it empty (`..SearchFilter::default()`).
    #[serde(skip)]
    pub text: TextFilter,
}

impl SearchFilter {
    /// Whether the filter lets every paper through.
    pub fn is_empty(&self) -> bool {
        *self == SearchFilter::default()
    }

    /// Checks that the parts can hold together: `since` after `until` is a mistake, not an
    /// empty answer.
    pub fn validate(&self) -> Result<()> {
        if let (Some(since), Some(until)) = (self.since, self.until)
            && since > until
        {
            return Err(IndexError::InvalidParameter {
                name: "since".into(),
                problem: format!("{since} is after until ({until}): no paper can be in that range"),
            });
        }
        Ok(())
    }

    /// Whether `paper` passes the filter (what [`SearchFilter::query`] selects in the index),
    /// the query's phrases aside: they are found in the index's terms, not in a paper's text.
    pub fn admits(&self, paper: &Paper) -> bool {
        let first_seen = paper.first_seen().and_then(Day::of);
        let in_range = match (self.since, self.until) {
            (None, None) => true,
            (since, until) => {
                first_seen.is_some_and(|day| since.is_none_or(|s| day >= s) && until.is_none_or(|u| day <= u))
            }
        };
        in_range
            && self.lang.is_none_or(|lang| paper.languages().contains(&lang))
            && self.source.is_none_or(|format| paper.source_formats().contains(&format))
            && self.section.is_none_or(|group| section_groups(paper).contains(&group))
    }

    /// The filter as a query that matches exactly the admitted papers (scoring nothing), or
    /// `None` when it admits every paper.
    pub(crate) fn query(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if self.since.is_some() || self.until.is_some() {
            let bound = |day: Option<Day>| match day {
                Some(day) => Bound::Included(Term::from_field_u64(fields.first_seen, day.number())),
                None => Bound::Unbounded,
            };
            parts.push((Occur::Must, Box::new(RangeQuery::new(bound(self.since), bound(self.until)))));
        }
        let exact = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        if let Some(lang) = self.lang {
            parts.push((Occur::Must, exact(fields.langs, lang.code())));
        }
        if let Some(format) = self.source {
            parts.push((Occur::Must, exact(fields.sources, format.name())));
        }
        if let Some(group) = self.section {
            parts.push((Occur::Must, exact(fields.section_groups, group.name())));
        }
        parts.extend(self.text.clauses(fields, self.section));
        if parts.iter().all(|(occur, _)| *occur == Occur::MustNot) && !parts.is_empty() {
            // Exclusions alone match nothing in tantivy: they take their papers from all.
            parts.push((Occur::Must, Box::new(AllQuery)));
        }
        match parts.len() {
            0 => None,
            _ => Some(Box::new(BooleanQuery::new(parts))),
        }
    }
}

/// What an answer says when no paper passes its filters, whatever its query: a date bound past
/// the newest paper answered `no paper matches "agent memory"`, blaming the query, and its hint
/// (vector mode) found nothing either. The CLI prints it in place of its "no paper matches".
pub const NO_PAPER_PASSES: &str = "no paper passes the filters";

/// Why no paper of `index` can answer under `filter` (its query's marks aside), or `None` when
/// some paper passes it. A date bound that shut every paper out is said with the days the
/// papers the rest of the filter admits were first seen.
pub(crate) fn no_paper_passes(index: &crate::PaperIndex, filter: &SearchFilter) -> Result<Option<String>> {
    let structural = SearchFilter { text: TextFilter::default(), ..filter.clone() };
    let searcher = index.searcher();
    let count = |filter: &SearchFilter| -> Result<usize> {
        Ok(match filter.query(&index.fields) {
            Some(query) => searcher.search(&query, &tantivy::collector::Count)?,
            None => searcher.num_docs() as usize,
        })
    };
    if structural.is_empty() || count(&structural)? > 0 {
        return Ok(None);
    }
    let undated = SearchFilter { since: None, until: None, ..structural.clone() };
    if structural.since.is_none() && structural.until.is_none() || count(&undated)? == 0 {
        return Ok(Some(NO_PAPER_PASSES.to_string()));
    }
    let (first, last) = first_seen_range(index, &undated)?;
    let range = match (structural.since, structural.until) {
        (Some(since), Some(until)) => format!("from {since} to {until}"),
        (Some(since), None) => format!("from {since} on"),
        (None, Some(until)) => format!("up to {until}"),
        (None, None) => unreachable!("a date bound is set"),
    };
    let papers = if undated.is_empty() { "the index's papers" } else { "the papers the other filters admit" };
    Ok(Some(match (first, last) {
        (Some(first), Some(last)) => {
            format!("{NO_PAPER_PASSES}: none was first seen {range}; {papers} were first seen from {first} to {last}")
        }
        _ => format!("{NO_PAPER_PASSES}: none was first seen {range}"),
    }))
}

/// The first and the last day a paper of `index` that `filter` admits was first seen.
fn first_seen_range(index: &crate::PaperIndex, filter: &SearchFilter) -> Result<(Option<Day>, Option<Day>)> {
    use tantivy::Order::{Asc, Desc};
    use tantivy::collector::TopDocs;
    use tantivy::collector::sort_key::SortByStaticFastValue;
    let searcher = index.searcher();
    let query: Box<dyn Query> = filter.query(&index.fields).unwrap_or_else(|| Box::new(AllQuery));
    let mut days = [None, None];
    for (day, order) in days.iter_mut().zip([Asc, Desc]) {
        let top = TopDocs::with_limit(1).order_by((SortByStaticFastValue::<u64>::for_field("first_seen"), order));
        *day = searcher.search(&query, &top)?.first().and_then(|(key, _)| *key).and_then(Day::from_number);
    }
    Ok((days[0], days[1]))
}

/// The section groups `paper` has text in (its title always).
pub(crate) fn section_groups(paper: &Paper) -> Vec<SectionGroup> {
    let mut groups: Vec<SectionGroup> = paper.sections().iter().map(|s| s.kind.group()).collect();
    groups.push(SectionGroup::Title);
    groups.sort();
    groups.dedup();
    groups
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first (by first-seen day), among the papers the mode finds relevant: the
    /// keyword matches in BM25 and hybrid modes (hybrid's fusion choosing the best of them), the
    /// nearest papers in vector mode; at most the ranker's candidates (`--candidates`, 100 by
    /// default) or the page's depth. Ties keep their relevance order.
    Date,
}

impl SortOrder {
    /// The order's name as the CLI and API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Relevance => "relevance",
            SortOrder::Date => "date",
        }
    }
}

impl Named for SortOrder {
    fn values() -> &'static [SortOrder] {
        &[SortOrder::Relevance, SortOrder::Date]
    }

    fn value_name(self) -> &'static str {
        self.as_str()
    }

    fn aliases() -> Vec<(String, SortOrder)> {
        vec![("score".into(), SortOrder::Relevance), ("newest".into(), SortOrder::Date)]
    }
}

impl FromStr for SortOrder {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<SortOrder, String> {
        SortOrder::read(s).ok_or_else(|| format!("must be relevance or date, not {}", quote(s)))
    }
}

/// Parses one filter value from text (a flag or a query-string parameter), naming the
/// parameter when it is malformed: the one rule the CLI, HTTP and MCP share.
pub fn parse_value<T: FromStr<Err = String>>(name: &str, raw: &str) -> Result<T> {
    raw.parse().map_err(|problem: String| {
        // The FromStr messages of core's enums do not quote the value; add it once.
        let problem = if problem.contains(", not ") || problem.ends_with(&quote(raw)) {
            problem
        } else {
            format!("{problem}, not {}", quote(raw))
        };
        IndexError::InvalidParameter { name: name.to_string(), problem }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_real_calendar_days_written_in_full() {
        assert_eq!("2026-02-05".parse::<Day>().map(|d| d.number()), Ok(20260205));
        assert_eq!("2024-02-29".parse::<Day>().map(|d| d.to_string()), Ok("2024-02-29".to_string()));
        assert_eq!(" 2026-02-05\n".parse::<Day>().map(|d| d.number()), Ok(20260205), "pasted with space around");
        for bad in ["2026-2-5", "20260205", "2026-02-05x", "yesterday", ""] {
            let error = bad.parse::<Day>().expect_err(bad);
            assert!(error.contains("YYYY-MM-DD"), "{error}");
        }
        // Written right, but no such day: said so, not that the form is wrong.
        for bad in ["2025-02-29", "2026-13-01", "2026-00-10", "2026-02-30"] {
            let error = bad.parse::<Day>().expect_err(bad);
            assert_eq!(error, format!("must be a day of the calendar, not \"{bad}\""));
        }
        assert_eq!(Day::of("2026-02-05T08:00:00.000Z").map(|d| d.number()), Some(20260205));
    }

    #[test]
    fn a_bad_value_is_an_invalid_parameter_naming_the_parameter_and_the_value() {
        let error = parse_value::<SourceFormat>("source", "arxiv").expect_err("unknown source");
        let text = error.to_string();
        assert!(text.contains("source") && text.contains("\"arxiv\"") && text.contains("zh-summary"), "{text}");
        assert_eq!(error.code(), crate::ErrorCode::InvalidParameter);
        let error = parse_value::<Day>("since", "March").expect_err("not a date");
        assert!(error.to_string().contains("\"March\""), "{error}");
        assert_eq!(error.to_string().matches("\"March\"").count(), 1, "{error}");
        assert_eq!(parse_value::<SectionGroup>("section", "Results").ok(), Some(SectionGroup::Experiments));
        // Every kind of section names its group, by the name a paper's JSON gives it (what an
        // agent reads in a paper and asks for next) and by its label.
        for kind in paperdex_core::SectionKind::ALL {
            let name = serde_json::to_value(kind).expect("a name");
            let name = name.as_str().expect("a string");
            assert_eq!(parse_value::<SectionGroup>("section", name).ok(), Some(kind.group()), "{name}");
            assert_eq!(parse_value::<SectionGroup>("section", kind.label()).ok(), Some(kind.group()), "{kind:?}");
        }
        assert_eq!(parse_value::<SectionGroup>("section", "core_contribution").ok(), Some(SectionGroup::Contribution));
        assert_eq!(parse_value::<SectionGroup>("section", "实验效果").ok(), Some(SectionGroup::Experiments));
        // The label a hit shows, whole or its Chinese half, names its group back.
        for group in SectionGroup::ALL {
            let label = group.label();
            assert_eq!(parse_value::<SectionGroup>("section", label).ok(), Some(group), "{label}");
            let half = label.split_whitespace().next().expect("a word");
            assert_eq!(parse_value::<SectionGroup>("section", half).ok(), Some(group), "{half}");
        }
        assert_eq!(parse_value::<SortOrder>("sort", "DATE").ok(), Some(SortOrder::Date));
    }

    #[test]
    fn a_range_that_ends_before_it_starts_is_refused() {
        let filter = SearchFilter {
            since: "2026-03-01".parse().ok(),
            until: "2026-02-01".parse().ok(),
            ..SearchFilter::default()
        };
        let error = filter.validate().expect_err("since after until");
        assert!(error.to_string().contains("2026-03-01 is after until"), "{error}");
    }
}
