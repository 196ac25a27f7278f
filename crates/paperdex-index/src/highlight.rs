//! Snippets: the part of a hit's text that shows why it matched, its query terms highlighted
//! (and the authors the query names, [`crate::author_names`]: a hit is made here).
//!
//! tantivy's `SnippetGenerator` finds a text's best fragment by running the index's analyzer
//! over it (jieba, lower-casing, English stemming), and that is most of what a hit costs. A
//! paper has several sections, and the one whose snippet highlights the most terms is shown.
//! Three shortcuts cut that work without changing which snippet wins:
//! - a section in which no query word occurs (a plain substring search) is skipped, and of
//!   the others only a window around where the query's words cluster is analysed
//!   ([`Highlighter::window`]);
//! - every token spelled as a query term begins with that term's prefix ([`term_prefix`]), so
//!   counting where the prefixes occur bounds the terms a window's snippet can highlight.
//!   Windows are analysed from the highest bound down, and the rest are skipped once the best
//!   snippet so far highlights as many terms as any of them could;
//! - for the same reason only tokens that begin with a prefix are stemmed
//!   ([`crate::analysis::highlighting_analyzer`]), the stemmer being a third of the analysis.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem::Finder;
use paperdex_core::{Lang, Paper, Section, SectionGroup, SectionKind, is_han};
use rustc_hash::FxHashMap;
use tantivy::query::Query;
use tantivy::schema::{Field, FieldType};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher};

use crate::analysis::{WORD_ANALYZER, analyze, highlighting_analyzer, word_analyzer};
use crate::author_names::AuthorQuery;
use crate::lexicon::Expansion;
use crate::paper_index::PaperIndex;
use crate::search::{SearchHit, SearchRequest};

/// Makes hits with snippets for one query.
pub(crate) struct Highlighter {
    generator: Option<SnippetGenerator>,
    /// The section group a search was restricted to: snippets come from it alone.
    section: Option<SectionGroup>,
    /// Lower-cased fragments of the query words; a section containing none of them cannot
    /// hold a highlight, so the (jieba-tokenising) snippet generator skips it.
    needles: Needles,
    /// How every highlighted token begins, one entry per term the generator highlights
    /// ([`term_prefix`]); `None` when some term has no such beginning, and then every window is
    /// analysed.
    term_prefixes: Option<Needles>,
    /// The language a search was narrowed to: an opening comes from a section in it when the
    /// paper has one.
    lang: Option<Lang>,
    /// The phrases the query quotes, lower-cased: the snippet comes from a section holding one
    /// when the paper has such a section.
    required: Vec<String>,
    /// The query as author names: each hit names the authors it names.
    authors: AuthorQuery,
}

/// How long a snippet may be, in characters.
const SNIPPET_CHARS: usize = 220;

impl Highlighter {
    pub(crate) fn new(
        index: &PaperIndex,
        searcher: &Searcher,
        query: Option<&dyn Query>,
        left_out: &[String],
        section: Option<SectionGroup>,
    ) -> Highlighter {
        // The generator highlights the terms the query has in one field: the body, or the
        // field of the section group searched. Words the search left out (的, 为: in most
        // Chinese papers) stay in its phrase clauses, for word order, but are not what it
        // matched: marking them would mark every other sentence.
        let field = match section {
            None => index.fields.body,
            Some(group) => index.fields.section(group).unwrap_or(index.fields.title),
        };
        let Some(terms) = query.and_then(|q| highlighted_terms(searcher, q, field, left_out)) else {
            return Highlighter::marking_nothing(section);
        };
        // The prefixes (and the highlighting analyzer) hold for the word analyzer's terms only.
        let words = match searcher.schema().get_field_entry(field).field_type() {
            FieldType::Str(options) => options.get_indexing_options().is_some_and(|o| o.tokenizer() == WORD_ANALYZER),
            _ => false,
        };
        let term_prefixes: Option<Vec<String>> = if words {
            let prefixes: Option<Vec<String>> = terms.keys().map(|term| term_prefix(term)).collect();
            prefixes.map(|prefixes| prefixes.into_iter().flat_map(with_british_twins).collect())
        } else {
            None
        };
        let analyzer = match &term_prefixes {
            Some(prefixes) => Some(highlighting_analyzer(prefixes.clone())),
            None => searcher.index().tokenizer_for_field(field).ok(),
        };
        let generator = analyzer.map(|analyzer| SnippetGenerator::new(terms, analyzer, field, SNIPPET_CHARS));
        let term_prefixes = term_prefixes.map(Needles::new);
        Highlighter { generator, term_prefixes, ..Highlighter::marking_nothing(section) }
    }

    /// A highlighter with no term to mark: a hit's snippet is the opening of its most telling
    /// section (of `section` when the search was restricted to it).
    fn marking_nothing(section: Option<SectionGroup>) -> Highlighter {
        Highlighter {
            generator: None,
            section,
            needles: Needles::default(),
            term_prefixes: None,
            lang: None,
            required: Vec::new(),
            authors: AuthorQuery::none(),
        }
    }

    /// The highlighter of a search's hits: `query` (its keyword query, `None` when no word is
    /// searched; `left_out` its words in most Chinese papers) marks the words of `request`'s
    /// text and of their `expansions`, in the request's language, in a section holding a
    /// phrase it requires; and each hit names the authors the text names, unless the search
    /// was restricted to a section (which never searches the authors).
    pub(crate) fn for_search(
        index: &PaperIndex,
        searcher: &Searcher,
        query: Option<&dyn Query>,
        left_out: &[String],
        request: &SearchRequest,
        expansions: &[Expansion],
    ) -> Highlighter {
        let section = request.filter.section;
        let highlighter = Highlighter::new(index, searcher, query, left_out, section)
            .in_language(request.filter.lang)
            .for_text(&request.query)
            .for_translations(expansions)
            .requiring(&request.filter.text.required());
        match section {
            None => Highlighter { authors: AuthorQuery::new(&request.query), ..highlighter },
            Some(_) => highlighter,
        }
    }

    /// Snippets come from a section that holds one of the `phrases` the query requires, as
    /// written, when the paper has one: that is why the paper passed them. The section with
    /// the most highlights was an English abstract on reward models for `“奖励模型”`, whose
    /// Chinese summary says it.
    pub(crate) fn requiring(mut self, phrases: &[String]) -> Highlighter {
        self.required = phrases.iter().map(|phrase| lower_case(phrase).0).filter(|p| !p.trim().is_empty()).collect();
        self
    }

    /// Openings come from a section in `lang` when a paper has one (a search or listing
    /// narrowed to a language shows that language).
    pub(crate) fn in_language(mut self, lang: Option<Lang>) -> Highlighter {
        self.lang = lang;
        self
    }

    /// Lets the highlighter skip sections that cannot match `query_text`: a Chinese word
    /// matches by any character pair, any other word by the beginnings all its forms share
    /// ([`word_needles`]).
    pub(crate) fn for_text(mut self, query_text: &str) -> Highlighter {
        let (lower, _) = lower_case(query_text);
        let mut analyzer = word_analyzer();
        let mut needles = std::mem::take(&mut self.needles).given;
        for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let chars: Vec<char> = word.chars().collect();
            if chars.iter().any(|&c| is_han(c)) {
                if chars.len() == 1 {
                    needles.push(word.to_string());
                }
                needles.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
            } else {
                needles.extend(word_needles(&mut analyzer, word));
            }
        }
        // A model's name in the spellings the query did not use: `GPT4o` in a text saying
        // `GPT-4o`, which the search found by it ([`crate::versions`]).
        for name in crate::versions::names_and_versions(&mut analyzer, &lower) {
            for term in name.spellings().into_iter().flatten() {
                needles.push(term_prefix(term).unwrap_or_else(|| term.clone()));
            }
        }
        self.needles = Needles::new(needles);
        self
    }

    /// Lets the highlighter look in sections holding a translation of the query too.
    pub(crate) fn for_translations(self, expansions: &[Expansion]) -> Highlighter {
        let text: Vec<&str> = expansions.iter().map(|e| e.to.as_str()).collect();
        self.for_text(&text.join(" "))
    }

    /// The part of `text` worth handing to the snippet generator: `None` when no query word
    /// occurs in it, else a window around where the query's words cluster ([`Self::densest`]).
    /// Jieba tokenises whatever the generator gets, so a bounded window keeps a hit's cost
    /// independent of its length.
    fn window<'t>(&self, text: &'t str) -> Option<Window<'t>> {
        // One lower-casing serves both the search for query words and the count of prefixes.
        let (lower, aligned) = lower_case(text);
        let centre = if self.needles.is_empty() { None } else { Some(self.densest(&lower)?) };
        let (start, end) = match centre {
            Some(centre) if aligned => {
                let mut start = centre.saturating_sub(SNIPPET_CHARS);
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                let mut end = (centre + SNIPPET_CHARS * 4).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                // Never inside a word of letters and digits: the generator took its cut-off
                // end for a word, and snippets opened `…ata from` and `…rmance on`.
                let in_word = |at: usize| {
                    at > 0
                        && at < text.len()
                        && text.as_bytes()[at - 1].is_ascii_alphanumeric()
                        && text.as_bytes()[at].is_ascii_alphanumeric()
                };
                while in_word(start) && start < centre {
                    start += 1;
                }
                while in_word(end) {
                    end += 1;
                }
                (start, end)
            }
            // Without query words, or when lower-casing moved characters so that offsets do
            // not carry over: the whole text.
            _ => (0, text.len()),
        };
        let most_highlights = match &self.term_prefixes {
            // The window lower-cased: the same bytes of `lower` (offsets carry over, or the
            // window is the whole text).
            Some(prefixes) => {
                let lower = if aligned { &lower[start..end] } else { lower.as_str() };
                prefixes.occurrences(lower)
            }
            None => usize::MAX,
        };
        Some(Window { text: &text[start..end], most_highlights })
    }

    /// Where in `lower` (a lower-cased text) the most query words begin within one snippet's
    /// length: the first of them; `None` when none does. A window placed at the first query
    /// word alone missed the fragment that holds the query when a short needle (`cit` of
    /// `city`, `happ` of `happy`) also begins a word in passing earlier on.
    fn densest(&self, lower: &str) -> Option<usize> {
        let mut starts = self.needles.starts(lower);
        starts.sort_unstable();
        let mut best = (0, *starts.first()?);
        let mut from = 0;
        for (i, &at) in starts.iter().enumerate() {
            while at - starts[from] > SNIPPET_CHARS {
                from += 1;
            }
            if i + 1 - from > best.0 {
                best = (i + 1 - from, starts[from]);
            }
        }
        Some(best.1)
    }

    /// The snippet of the section whose snippet highlights the most terms (in the search's
    /// language when one holds any; the last of equals), with that section's place in
    /// `sections` and its group; and how many windows were analysed to find it.
    fn best_snippet(
        &self,
        generator: &SnippetGenerator,
        sections: &[&Section],
    ) -> (Option<(usize, SectionGroup, Snippet)>, usize) {
        // A search narrowed to one language (`--lang zh`) shows a section in it when one
        // holds a query word: the English abstract beside a Chinese summary had most words.
        let in_language = |s: &Section| self.lang.is_none_or(|lang| Lang::detect(&s.text) == lang);
        let mut windows: Vec<(bool, usize, SectionGroup, Window)> = sections
            .iter()
            .enumerate()
            .filter_map(|(at, s)| Some((in_language(s), at, s.kind.group(), self.window(&s.text)?)))
            .collect();
        // The search's language first, then the highest bound; among equal bounds the later
        // section, which wins a tie.
        windows.sort_by_key(|(preferred, at, _, window)| Reverse((*preferred, window.most_highlights, *at)));
        let mut best: Option<((bool, usize, usize), SectionGroup, Snippet)> = None;
        let mut analysed = 0;
        for (preferred, at, group, window) in windows {
            if window.most_highlights == 0 {
                if preferred {
                    // Nor can any other of its language: a snippet without highlights is not
                    // shown, but a section in another language may have some.
                    continue;
                }
                break;
            }
            if let Some((rank, ..)) = &best {
                // Neither this window nor any after it can beat the best: each is in another
                // language, or highlights fewer terms, or as many in an earlier section.
                if (preferred, window.most_highlights, at) < *rank {
                    break;
                }
            }
            let snippet = generator.snippet(window.text);
            analysed += 1;
            let rank = (preferred, snippet.highlighted().len(), at);
            if rank.1 > 0 && best.as_ref().is_none_or(|b| rank > b.0) {
                best = Some((rank, group, snippet));
            }
        }
        (best.map(|((_, _, at), group, snippet)| (at, group, snippet)), analysed)
    }

    /// Whether the highlighter looks for query words in sections of `group` (all, unless the
    /// search was restricted to one group).
    pub(crate) fn searches(&self, group: SectionGroup) -> bool {
        self.section.is_none_or(|g| g == group)
    }

    /// A hit for `paper` with the best snippet of its text.
    pub(crate) fn hit(&self, paper: &Paper, score: f32) -> SearchHit {
        let (snippet, highlights, section) = self.snippet(paper);
        SearchHit {
            id: paper.id.to_string(),
            title: paper.title().to_string(),
            score,
            date: paper.date().map(str::to_string),
            first_seen: paper.first_seen().map(str::to_string),
            url: paper.url(),
            matched_authors: self.authors.named_in(paper),
            snippet,
            section,
            highlights,
            bm25_rank: None,
            bm25_score: None,
            vector_rank: None,
            vector_score: None,
            singled_out: false,
        }
    }

    /// The snippet of `paper`, its highlights, and the section group it came from.
    fn snippet(&self, paper: &Paper) -> (String, Vec<[usize; 2]>, Option<SectionGroup>) {
        let sections = self.sections_of(paper);
        if let Some(generator) = &self.generator {
            // The section with the most highlighted terms gives the snippet; never a summariser's
            // list of its search results (`搜索结果来自`: lines of links and other papers' titles,
            // which say nothing of why this paper matched).
            let mut prose: Vec<&Section> =
                sections.iter().copied().filter(|s| s.kind != SectionKind::References).collect();
            if !self.required.is_empty() {
                let holding: Vec<&Section> = prose
                    .iter()
                    .copied()
                    .filter(|s| {
                        let (lower, _) = lower_case(&s.text);
                        self.required.iter().any(|phrase| lower.contains(phrase.as_str()))
                    })
                    .collect();
                if !holding.is_empty() {
                    prose = holding;
                }
            }
            if let (Some((at, group, snippet)), _) = self.best_snippet(generator, &prose) {
                let (text, ranges) = fragment_of(&prose[at].text, &snippet);
                return (text, ranges, Some(self.section.unwrap_or(group)));
            }
        }
        // No term to show in a section: the opening of the most telling one. The match, if
        // the words matched at all, was in the title.
        let group = match self.section {
            Some(group) => Some(group),
            None if self.title_matches(paper) => Some(SectionGroup::Title),
            // Nothing was searched for (a plain listing), or the match is not in the text.
            None => None,
        };
        // The most telling section with something to say (a paper-markdown file's abstract can
        // be `...`), in the language the search was narrowed to when there is one.
        let telling = sections
            .iter()
            .filter(|s| says_something(&s.text))
            .min_by_key(|s| (self.lang.is_some_and(|lang| Lang::detect(&s.text) != lang), telling_rank(s.kind)));
        let opening = one_line(telling.map(|s| s.text.as_str()).unwrap_or(""), SNIPPET_CHARS);
        (opening, Vec::new(), group)
    }

    /// The snippet of one passage's `text`: the query's words highlighted where it holds any
    /// (a hit the vectors found shows why it matched where it can, as keyword hits do), else
    /// its opening.
    pub(crate) fn passage_snippet(&self, text: &str) -> (String, Vec<[usize; 2]>) {
        let marked = self.generator.as_ref().and_then(|generator| {
            let snippet = generator.snippet(self.window(text)?.text);
            (!snippet.highlighted().is_empty()).then(|| fragment_of(text, &snippet))
        });
        marked.unwrap_or_else(|| (one_line(text, SNIPPET_CHARS), Vec::new()))
    }

    /// The sections of `paper` a snippet may come from.
    fn sections_of<'p>(&self, paper: &'p Paper) -> Vec<&'p Section> {
        // A title search shows the most telling section (no section is a title), labelled title.
        let title_search = self.section == Some(SectionGroup::Title);
        paper.sections().into_iter().filter(|s| title_search || self.searches(s.kind.group())).collect()
    }

    /// How many of `paper`'s windows the snippet generator analyses.
    #[cfg(test)]
    fn windows_analysed(&self, paper: &Paper) -> usize {
        self.generator.as_ref().map_or(0, |generator| self.best_snippet(generator, &self.sections_of(paper)).1)
    }

    /// Whether a query word occurs in one of `paper`'s titles.
    fn title_matches(&self, paper: &Paper) -> bool {
        let (titles, _) = lower_case(&format!("{} {}", paper.title(), paper.title_zh().unwrap_or("")));
        self.needles.any_in(&titles)
    }
}

/// The first `max_chars` characters of `text` on one line.
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    // Tidying only drops characters, so a text longer than this is cut whatever it holds: the
    // rest of a long section is never copied.
    let read_to = text.char_indices().nth(2 * (max_chars + OVERRUN_CHARS)).map(|(at, _)| at);
    let (line, _) = tidy(text[..read_to.unwrap_or(text.len())].to_string(), Vec::new());
    if read_to.is_none() && line.chars().count() <= max_chars + OVERRUN_CHARS {
        return line;
    }
    // Cut at the last space before the limit, so a word is never broken (`the SigLIP2 mo`),
    // unless that loses much of the line (a long run of Chinese, a URL): then at the limit.
    // The cut is marked, so a reader knows the text goes on.
    let end = line.char_indices().nth(max_chars).map_or(line.len(), |(at, _)| at);
    let at_space = line[..end].rfind(' ').filter(|&space| line[..space].chars().count() >= max_chars * 3 / 4);
    let cut = line[..at_space.unwrap_or(end)].trim_end_matches([' ', ',', ';', ':', '，', '；', '：', '、']);
    format!("{cut}…")
}

/// `snippet`, a fragment of `text`, on one line ([`tidy`]) with `…` where `text` goes on
/// before or after it, its highlights moved along: a snippet opening inside a sentence
/// (`[cache] [quantization] a block-wise…`, from `key-cache quantization`) or ending inside a
/// word (`They und`) read as if the text said so.
fn fragment_of(text: &str, snippet: &Snippet) -> (String, Vec<[usize; 2]>) {
    let fragment = snippet.fragment();
    let ranges = snippet.highlighted().iter().map(|r| [r.start, r.end]).collect();
    let (tidied, ranges) = tidy(fragment.to_string(), ranges);
    let (before, after) = match text.find(fragment) {
        Some(at) => (!text[..at].trim().is_empty(), !text[at + fragment.len()..].trim().is_empty()),
        None => (false, false),
    };
    let lead = if before { "…" } else { "" };
    let mut marked = format!("{lead}{}", tidied.trim_end());
    if after {
        marked.push('…');
    }
    let ranges = ranges.into_iter().map(|[from, to]: [usize; 2]| [from + lead.len(), to + lead.len()]).collect();
    (marked, ranges)
}

/// How far past its limit an opening may run whole: a text four characters over the limit is
/// shown whole, not cut before its last word.
const OVERRUN_CHARS: usize = 20;

/// Folds line breaks and runs of white space into single spaces (a snippet is one line) and
/// drops markdown's `**` emphasis and the `#`s that open a heading line, moving the highlight
/// ranges along.
fn tidy(text: String, ranges: Vec<[usize; 2]>) -> (String, Vec<[usize; 2]>) {
    let mut out = String::with_capacity(text.len());
    let mut map = vec![0usize; text.len() + 1];
    let mut last_space = true;
    // Whether only white space and `#`s stand between the last line break and here.
    let mut line_start = true;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        map[i] = out.len();
        // Markdown emphasis markers (`**`) are noise in a one-line snippet.
        let emphasis = c == '*' && (bytes.get(i + 1) == Some(&b'*') || (i > 0 && bytes[i - 1] == b'*'));
        if emphasis {
            continue;
        }
        // So are a heading's `###` (`### 5. 实验效果` reads `5. 实验效果`); a `#` inside a line
        // (`C#`, `#3`) is text.
        if c == '#' && line_start {
            continue;
        }
        if c == '\n' {
            line_start = true;
        } else if !c.is_whitespace() {
            line_start = false;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    map[text.len()] = out.len();
    // Byte positions inside a multi-byte char are never range ends, but keep the map total.
    for i in 1..=text.len() {
        if !text.is_char_boundary(i) {
            map[i] = map[i - 1];
        }
    }
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end);
    let ranges = ranges
        .into_iter()
        // jieba's search mode emits a long word after its parts, so tantivy can report a
        // highlight starting before its fragment (the offset wraps around): drop those.
        .filter(|[s, e]| s < e && *e <= text.len())
        .map(|[s, e]| [map[s].min(trimmed_end), map[e].min(trimmed_end)])
        .filter(|[s, e]| s < e)
        .collect();
    let ranges = joined(disjoint(ranges), &out);
    (out, ranges)
}

/// `ranges` (in order, disjoint) of `text` with those only a space or nothing apart made one:
/// a phrase the query's words match reads as one mark (`[KV cache quantization]`, `[多模态大模型]`),
/// not a mark a word (`[KV] [cache] [quantization]`, `[多][模态][大][模型]`), which in the
/// terminal could not be told from brackets the text has.
fn joined(ranges: Vec<[usize; 2]>, text: &str) -> Vec<[usize; 2]> {
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(ranges.len());
    for [start, end] in ranges {
        match out.last_mut() {
            Some(last) if text.get(last[1]..start).is_some_and(|between| between.bytes().all(|b| b == b' ')) => {
                last[1] = end
            }
            _ => out.push([start, end]),
        }
    }
    out
}

/// `ranges` in order, those that overlap made one: a word the analysers split (`GPT-4o` into
/// `GPT`, `4o` and the whole, jieba's `大模型` after `模型`) is highlighted as the bytes any of
/// them matched. Out of order and overlapping, they could not be read as marks in a row, and
/// the HTML made from them (which skips an overlap) disagreed with the list.
fn disjoint(mut ranges: Vec<[usize; 2]>) -> Vec<[usize; 2]> {
    ranges.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(ranges.len());
    for [start, end] in ranges {
        match out.last_mut() {
            Some(last) if start < last[1] => last[1] = last[1].max(end),
            _ => out.push([start, end]),
        }
    }
    out
}

/// A section's text as the snippet generator gets it.
struct Window<'t> {
    text: &'t str,
    /// At least as many as the terms the generator can highlight in `text`.
    most_highlights: usize,
}

/// The terms of `query` a snippet of `field` highlights, each with its weight in choosing the
/// fragment: what `SnippetGenerator::create` gives, made here so that the generator can get
/// another analyzer ([`highlighting_analyzer`]).
fn highlighted_terms(
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
    left_out: &[String],
) -> Option<BTreeMap<String, Score>> {
    let mut terms = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field && !term.value().as_str().is_some_and(|text| left_out.iter().any(|w| w == text)) {
            terms.insert(term.clone());
        }
    });
    let mut weighted = BTreeMap::new();
    for term in terms {
        let value = term.value();
        let Some(text) = value.as_str() else { continue };
        let doc_freq = searcher.doc_freq(&term).ok()?;
        if doc_freq > 0 {
            weighted.insert(text.to_string(), 1.0 / (1.0 + doc_freq as Score));
        }
    }
    Some(weighted)
}

/// What every token the word analyzer turns into `term` begins with once lower-cased, or
/// `None` when that cannot be told from the term.
///
/// Jieba's tokens are spans of the text and lower-casing keeps ASCII and Han characters where
/// they are, so a token is its term but for what English stemming (Snowball's Porter2)
/// rewrote. Stemming only rewrites the end of a word: it deletes suffixes, and the letters it
/// writes in their place end the stem as `e`, `i` or `y` (hoping → hope, happy → happi,
/// skies → sky), `ie` (dying → die) or `bl`/`ble` (probability → probabl). So the term less
/// those letters begins every such token. No word of the corpus (247,820 distinct) nor 1.66
/// million made by adding English suffixes to them breaks this (PERFORMANCE.md, "Session 22").
/// Other scripts are left out: lower-casing some of their letters depends on their
/// neighbours.
fn term_prefix(term: &str) -> Option<String> {
    if !term.chars().all(|c| c.is_ascii() || is_han(c)) {
        return None;
    }
    let written = if term.ends_with("ble") || term.ends_with("ie") {
        2
    } else if term.ends_with("bl") || term.ends_with(['e', 'i', 'y']) {
        1
    } else {
        0
    };
    let prefix = &term[..term.len() - written];
    (!prefix.is_empty()).then(|| prefix.to_string())
}

/// What every token the word analyzer (`analyzer`) spells as one of `word`'s terms contains, `word` being
/// one lower-cased word without Han characters: each term's [`term_prefix`] (`study` and
/// `studies` are both `studi`, so `stud`; `happy` would miss `happiness`), or the term's first
/// five letters where that cannot be told. None for a stop word, which is no term. The terms
/// are the index's own: jieba may cut a word in two (`naïve` into `na` and `ïve`). A needle
/// has its British twins ([`with_british_twins`]).
fn word_needles(analyzer: &mut TextAnalyzer, word: &str) -> Vec<String> {
    let mut needles = Vec::new();
    for term in analyze(analyzer, word) {
        let needle = term_prefix(&term).unwrap_or_else(|| term.chars().take(5).collect());
        needles.extend(with_british_twins(needle));
    }
    needles
}

/// `prefix` (of an American spelling, as the analyzer spells every word) and the prefix of the
/// British spelling the analyzer reads into it: `quantiz` of `-ization` has `quantis`, and a
/// prefix whose `or` the analyzer reads for a British `our` has it in `our` (`behavior`,
/// `behaviour`), by the analyzer's own rule ([`crate::analysis::american_spelling`]). Text is
/// searched as written: without the twin, a paper saying `colour` was found by `color` or
/// `colour` and shown with no snippet.
fn with_british_twins(prefix: String) -> Vec<String> {
    let mut twins = Vec::with_capacity(2);
    if let Some(stem) = prefix.strip_suffix("iz") {
        twins.push(format!("{stem}is"));
    }
    if let Some(at) = prefix.rfind("or") {
        let british = format!("{}our{}", &prefix[..at], &prefix[at + 2..]);
        let mut respelled = british.clone();
        crate::analysis::american_spelling(&mut respelled);
        if respelled == prefix {
            twins.push(british);
        }
    }
    twins.push(prefix);
    twins
}

/// The fragments of a query's words a text is searched for. A few are each searched for with
/// SIMD; many (more than [`MANY_NEEDLES`]) all at once in one pass of an Aho-Corasick
/// automaton: with a Chinese query of the lexicon's most translated words (990 characters
/// give about 2,000 fragments) a search per fragment was a fifth of the CPU of its 200 hits'
/// answer, while making the automaton for every query cost a short one about 0.2 ms. Either way a fragment given twice counts
/// twice, as each counts where a search for it alone finds it.
#[derive(Default)]
struct Needles {
    /// Every fragment as given (the next [`Highlighter::for_text`] adds to them).
    given: Vec<String>,
    search: NeedleSearch,
}

/// More fragments than this are searched for by one automaton.
const MANY_NEEDLES: usize = 64;

#[derive(Default)]
enum NeedleSearch {
    #[default]
    Nothing,
    /// One substring search per fragment given.
    Each(Vec<Finder<'static>>),
    /// The distinct fragments' automaton, and how many times each was given (by pattern id).
    All { automaton: AhoCorasick, copies: Vec<usize> },
}

impl Needles {
    fn new(given: Vec<String>) -> Needles {
        // An empty fragment would occur everywhere and tell nothing.
        let fragments: Vec<&str> = given.iter().map(String::as_str).filter(|needle| !needle.is_empty()).collect();
        let search = if fragments.is_empty() {
            NeedleSearch::Nothing
        } else if fragments.len() <= MANY_NEEDLES {
            NeedleSearch::Each(fragments.iter().map(|needle| Finder::new(needle.as_bytes()).into_owned()).collect())
        } else {
            let mut distinct: Vec<&str> = Vec::new();
            let mut copies: Vec<usize> = Vec::new();
            let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
            for needle in fragments {
                let id = *ids.entry(needle).or_insert_with(|| {
                    distinct.push(needle);
                    copies.push(0);
                    distinct.len() - 1
                });
                copies[id] += 1;
            }
            // Standard matching reports every fragment at every place it occurs, overlaps included.
            match AhoCorasick::builder().match_kind(MatchKind::Standard).build(&distinct) {
                Ok(automaton) => NeedleSearch::All { automaton, copies },
                // Only a pattern set too large to build is refused; one search each still works.
                Err(_) => NeedleSearch::Each(distinct.iter().map(|n| Finder::new(n.as_bytes()).into_owned()).collect()),
            }
        };
        Needles { given, search }
    }

    fn is_empty(&self) -> bool {
        matches!(self.search, NeedleSearch::Nothing)
    }

    /// Where the fragments begin in `text`, each fragment's occurrences without overlaps, as a
    /// substring search finds them one after the other.
    fn starts(&self, text: &str) -> Vec<usize> {
        match &self.search {
            NeedleSearch::Nothing => Vec::new(),
            NeedleSearch::Each(finders) => {
                finders.iter().flat_map(|finder| finder.find_iter(text.as_bytes())).collect()
            }
            NeedleSearch::All { automaton, copies } => {
                let mut next_free = vec![0; copies.len()];
                let mut starts = Vec::new();
                for found in automaton.find_overlapping_iter(text) {
                    let id = found.pattern().as_usize();
                    if found.start() >= next_free[id] {
                        next_free[id] = found.end();
                        starts.extend(std::iter::repeat_n(found.start(), copies[id]));
                    }
                }
                starts
            }
        }
    }

    /// How many times the fragments begin in `text`, overlaps included.
    fn occurrences(&self, text: &str) -> usize {
        match &self.search {
            NeedleSearch::Nothing => 0,
            NeedleSearch::Each(finders) => finders.iter().map(|finder| occurrences(text, finder)).sum(),
            NeedleSearch::All { automaton, copies } => {
                automaton.find_overlapping_iter(text).map(|found| copies[found.pattern().as_usize()]).sum()
            }
        }
    }

    /// Whether any fragment occurs in `text`.
    fn any_in(&self, text: &str) -> bool {
        match &self.search {
            NeedleSearch::Nothing => false,
            NeedleSearch::Each(finders) => finders.iter().any(|finder| finder.find(text.as_bytes()).is_some()),
            NeedleSearch::All { automaton, .. } => automaton.is_match(text),
        }
    }
}

/// How many times `needle` begins in `text`, overlaps included.
fn occurrences(text: &str, needle: &Finder) -> usize {
    let step = needle.needle().first().map_or(1, |&byte| utf8_length(byte));
    let mut count = 0;
    let mut from = 0;
    while let Some(at) = text.as_bytes().get(from..).and_then(|rest| needle.find(rest)) {
        count += 1;
        from += at + step;
    }
    count
}

/// The length in bytes of the UTF-8 character that begins with `first`.
fn utf8_length(first: u8) -> usize {
    match first.leading_ones() {
        0 => 1,
        n => n as usize,
    }
}

/// `text` in Simplified characters (the same length: [`paperdex_core::script`]), folded to
/// ASCII where the analyzers fold (`naïve` → `naive`) and lower-cased
/// character by character, as tantivy's `LowerCaser` lower-cases a token (a word's last `Σ`
/// is `σ`, where `str::to_lowercase` writes `ς`), so that query words are looked for as the
/// index spells them; and whether every character kept its length in bytes (then an offset in
/// one is the same place in the other: a folded `é`, `İ`, `ẞ` and the Kelvin sign change
/// theirs).
fn lower_case(text: &str) -> (String, bool) {
    if text.is_ascii() {
        return (text.to_ascii_lowercase(), true);
    }
    let simplified = paperdex_core::to_simplified(text);
    let folded = crate::analysis::fold_to_ascii(&simplified);
    let mut lower = String::with_capacity(folded.len());
    let mut aligned = folded.len() == text.len();
    for c in folded.chars() {
        let before = lower.len();
        lower.extend(c.to_lowercase());
        aligned &= lower.len() - before == c.len_utf8();
    }
    (lower, aligned)
}

/// Whether `text` holds at least a short phrase: [`MIN_WORD_CHARS`] letters, digits or Han
/// characters outside links. A placeholder (`...`, `—`, `N/A`) does not, nor the end of an
/// abstract cut into its own passage (`com/hao-ai-lab/JetSpec.`: 17 of 200 hits found by
/// meaning showed such a tail). A link is a word with a `/` or starting `www.` and no Han
/// character: Chinese runs between spaces are whole sentences (`视频理解/生成的统一模型`).
pub(crate) fn says_something(text: &str) -> bool {
    let link = |word: &str| (word.contains('/') || word.starts_with("www.")) && !word.chars().any(is_han);
    text.split_whitespace()
        .filter(|word| !link(word))
        .flat_map(str::chars)
        .filter(|c| c.is_alphanumeric())
        .nth(MIN_WORD_CHARS - 1)
        .is_some()
}

/// The fewest letters, digits or Han characters of a section a snippet opens with.
const MIN_WORD_CHARS: usize = 12;

/// How well a section of `kind` says what a paper is about in one line, best first: the
/// snippet of a paper listed with no query (`paperdex new`, `/api/papers`), or found by its
/// title alone. A digest's first section is often its heading (`# X 论文研究报告`), which
/// said nothing a title does not.
fn telling_rank(kind: SectionKind) -> u8 {
    match kind {
        SectionKind::CoreContribution => 0,
        SectionKind::Tldr => 1,
        SectionKind::AiSummary => 2,
        SectionKind::Abstract => 3,
        SectionKind::Innovations => 4,
        SectionKind::Motivation => 5,
        SectionKind::Method => 6,
        SectionKind::Results => 7,
        SectionKind::Conclusion => 8,
        SectionKind::Field => 9,
        SectionKind::Usage => 10,
        SectionKind::Body => 11,
        SectionKind::References => 12,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use paperdex_core::{Lang, Paper, Section, SectionKind};

    use super::{Highlighter, MANY_NEEDLES, Needles, lower_case, one_line, says_something, term_prefix, tidy};
    use crate::analysis::word_analyzer;
    use crate::search::{TO_CHINESE_SHARE, TRANSLATION_WEIGHT};
    use crate::{PaperIndex, Quiet, SearchFilter};

    fn sample_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample")
    }

    /// Words whose stems English stemming rewrites at the end, beside plain ones.
    const STEMMED_WORDS: &str = "hoping happy happily dying lying tying skies skis studies probability \
        probabilities capability sensibility possibly notably relational conflating organization \
        generalization gently early only ugly singly idly news atlas inning outings proceeding \
        agreed feed Activation ANALYSES analysis Quantization KV-cache LLMs GPT-4o Qwen2.5-VL \
        Transformer's reasoning 强化学习 大模型s 扩散模型 μ-parametrization naïve";

    #[test]
    fn every_token_begins_with_the_prefix_of_its_term() {
        let mut analyzer = word_analyzer();
        let mut texts = vec![STEMMED_WORDS.to_string()];
        for entry in std::fs::read_dir(sample_dir()).expect("sample") {
            texts.push(std::fs::read_to_string(entry.expect("entry").path()).expect("read"));
        }
        let mut checked = 0;
        for text in &texts {
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                let surface = lower_case(&text[token.offset_from..token.offset_to]).0;
                if let Some(prefix) = term_prefix(&token.text) {
                    assert!(surface.starts_with(&prefix), "{surface:?} → {:?}, prefix {prefix:?}", token.text);
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked} tokens checked");
        assert_eq!(term_prefix("probabl").as_deref(), Some("probab"));
        assert_eq!(term_prefix("die").as_deref(), Some("d"));
        assert_eq!(term_prefix("kv").as_deref(), Some("kv"));
        assert_eq!(term_prefix("强化").as_deref(), Some("强化"));
        assert_eq!(term_prefix("naïv"), None, "lower-casing outside ASCII and Han is not counted on");
        assert_eq!(term_prefix("e"), None, "nothing left to count by");
    }

    /// A search for `study` matches papers that say `studies`: their sections must not be
    /// skipped as holding no query word, or the snippet shows no highlight.
    #[test]
    fn a_section_holding_any_form_of_a_query_word_is_looked_at() {
        let highlighter = |query: &str| Highlighter::marking_nothing(None).for_text(query);
        for (query, text) in [
            ("study", "Two user studies show it"),
            ("happy", "happiness is measured"),
            ("bodies", "a rigid body"),
            ("quantization", "weights quantized to 4 bits"),
            ("copy", "the copies agree"),
            ("强化学习", "用强化学习微调"),
            // Lower-cased as a whole, the text would end a word with `ς`; the analyzer
            // lower-cases the token `Σ` alone, to `σ`.
            ("Σ", "the SurgΣ-DB data set"),
            // Indexed folded to ASCII, a word is found however its accents are typed.
            ("naive", "a naïve baseline"),
            ("Fréchet", "the Frechet distance"),
            ("ＬＬＭ", "an LLM judge"),
        ] {
            assert!(highlighter(query).window(text).is_some(), "{query:?} in {text:?}");
        }
        // A needle is no longer than what every form shares, nor shorter than it must be.
        assert_eq!(super::word_needles(&mut word_analyzer(), "quantization"), ["quantis", "quantiz"]);
        assert!(highlighter("quantization").window("quantum computing").is_none());
        // The British spelling, which the index holds as the American.
        assert!(highlighter("quantization").window("weights after quantisation").is_some());
        assert!(highlighter("quantisation").window("weights after quantization").is_some());
        assert!(highlighter("behaviour").window("the agents' behaviours").is_some());
        assert!(highlighter("behavior").window("the agents' behaviours").is_some());
        assert!(highlighter("neighbourhood").window("a graph neighborhood").is_some());
        assert_eq!(super::word_needles(&mut word_analyzer(), "naïve"), ["naiv"], "one word, folded");
        assert!(super::word_needles(&mut word_analyzer(), "of").is_empty(), "a stop word is no term");
        // The window goes where the query's words cluster, not to the first word in passing.
        let text = format!("A city. {} We reconstruct 3D scenes at city scale.", "Filler words here. ".repeat(60));
        let window = highlighter("city scale 3D reconstruction").window(&text).expect("a window");
        assert!(window.text.contains("city scale") && !window.text.starts_with("A city"), "{:?}", window.text);
    }

    /// `given` with as many fragments that occur nowhere as make it `many` or not: a few
    /// fragments are each searched for, many at once, and both must count alike.
    fn needles(given: &[&str], many: bool) -> Needles {
        let mut given: Vec<String> = given.iter().map(|n| n.to_string()).collect();
        if many {
            given.extend((0..MANY_NEEDLES).map(|i| format!("qqq{i}qqq")));
        }
        Needles::new(given)
    }

    #[test]
    fn occurrences_count_overlapping_matches_in_any_script() {
        for many in [false, true] {
            let occurrences = |text: &str, needle: &str| needles(&[needle], many).occurrences(text);
            assert_eq!(occurrences("aaaa", "aa"), 3);
            assert_eq!(occurrences("哈哈哈 哈哈", "哈哈"), 3);
            assert_eq!(occurrences("kv cache, KV", "kv"), 1);
            assert_eq!(occurrences("", "kv"), 0);
            // Each fragment counts as many times as it was given.
            assert_eq!(needles(&["kv", "cach", "kv"], many).occurrences("kv cache"), 3);
        }
        assert_eq!(Needles::new(Vec::new()).occurrences("kv cache"), 0);
    }

    /// Where a window is centred counts each fragment's occurrences one after the other, as a
    /// substring search per fragment finds them: without overlaps of itself, once per copy.
    #[test]
    fn fragments_begin_where_a_search_for_each_would_find_them() {
        for many in [false, true] {
            let text = "aaaa 哈哈哈";
            let mut starts = needles(&["aa", "a", "aa", "哈哈"], many).starts(text);
            starts.sort_unstable();
            assert_eq!(starts, [0, 0, 0, 1, 2, 2, 2, 3, 5], "many: {many}");
            assert!(needles(&["cach"], many).any_in("kv cache"));
            assert!(!needles(&["cach"], many).any_in("kv"));
        }
        assert!(Needles::new(Vec::new()).is_empty() && !Needles::new(Vec::new()).any_in("kv"));
    }

    #[test]
    fn a_text_is_lower_cased_as_the_index_does_and_says_when_a_character_changes_length() {
        assert_eq!(lower_case("KV Cache 量化"), ("kv cache 量化".to_string(), true));
        // Folded as the analyzers fold: ß is ss (the same two bytes), é one byte less.
        assert_eq!(lower_case("ΑΒΓ Straße"), ("αβγ strasse".to_string(), true));
        assert_eq!(lower_case("Fréchet café"), ("frechet cafe".to_string(), false));
        // Dotted capital I folds to one ASCII byte; the Kelvin sign lower-cases to one.
        assert!(!lower_case("İstanbul").1);
        assert!(!lower_case("300 \u{212A}").1);
        // tantivy's LowerCaser ignores the final-sigma rule, and so must the needles.
        assert_eq!(lower_case("ΣΟΦΙΑΣ").0, "σοφιασ");
    }

    /// A window cut from a long section begins and ends between words: one cut inside a word
    /// gave the generator its tail for a word, and the snippet opened `…ata from`.
    #[test]
    fn a_window_is_cut_between_words() {
        let highlighter = Highlighter::marking_nothing(None).for_text("KV cache quantization");
        for filler in ["wordy ", "sentence ", "ab "] {
            let text = format!("{}KV cache quantization here. {}", filler.repeat(100), filler.repeat(200));
            let window = highlighter.window(&text).expect("a window");
            assert!(window.text.len() < text.len(), "{filler:?}: a window, not the whole text");
            let word = filler.trim();
            assert!(window.text.trim_start().starts_with(word), "{filler:?}: {:?}", &window.text[..20]);
            assert!(window.text.trim_end().ends_with(word), "{filler:?}: {:?}", &window.text[window.text.len() - 20..]);
        }
    }

    #[test]
    fn a_section_whose_offsets_move_when_lower_cased_is_looked_at_whole() {
        let filler = "Unrelated words about nothing in particular. ".repeat(40);
        let text = format!("İstanbul workshop notes. {filler} We study KV cache quantization here.");
        let highlighter = Highlighter {
            term_prefixes: Some(Needles::new(["kv", "cach", "quantiz"].map(String::from).to_vec())),
            ..Highlighter::marking_nothing(None)
        }
        .for_text("KV cache quantization");
        let window = highlighter.window(&text).expect("a window");
        assert_eq!((window.text, window.most_highlights), (text.as_str(), 3));
        // Without the dotted capital, offsets carry over and the window is where the words are.
        let plain = text.replace('İ', "I");
        let window = highlighter.window(&plain).expect("a window");
        assert!(window.text.len() < plain.len() && window.text.contains("KV cache quantization"));
        assert_eq!(window.most_highlights, 3);
    }

    /// A user's snippet is the one tantivy's generator makes analysing every window: the
    /// bounds only skip windows that cannot win, and the highlighting analyzer only skips
    /// stemming tokens that cannot match.
    #[test]
    fn skipping_windows_by_their_bound_picks_the_snippet_that_analysing_every_window_picks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        index.ingest(&[sample_dir()], None, &mut Quiet).expect("ingest");
        let searcher = index.searcher();
        let papers = index.papers().expect("papers");
        let mut skipped_some = false;
        for query in [
            "KV cache quantization",
            "强化学习 奖励模型",
            "video generation models",
            "reasoning language model agents",
            "扩散模型 视频生成",
            "multimodal 大模型 幻觉",
            "probability of studies",
        ] {
            let expansions = index.lexicon().expand(query, TRANSLATION_WEIGHT, TRANSLATION_WEIGHT * TO_CHINESE_SHARE);
            let filter = SearchFilter::default();
            let matches = index.keyword_matches(&searcher, query, &expansions, &filter, 50).expect("matches");
            let highlighter = || {
                Highlighter::new(&index, &searcher, matches.query.as_deref(), &[], None)
                    .for_text(query)
                    .for_translations(&expansions)
            };
            let pruned = highlighter();
            assert!(pruned.term_prefixes.is_some(), "{query}: every term has a prefix");
            // tantivy's own generator, with the word analyzer, analysing every window.
            let mut generator = tantivy::snippet::SnippetGenerator::create(
                &searcher,
                matches.query.as_deref().expect("a query"),
                index.fields.body,
            )
            .expect("generator");
            generator.set_max_num_chars(super::SNIPPET_CHARS);
            let exhaustive = Highlighter { generator: Some(generator), term_prefixes: None, ..highlighter() };
            for paper in &papers {
                let (want, got) = (exhaustive.hit(paper, 0.0), pruned.hit(paper, 0.0));
                assert_eq!(
                    (&got.snippet, &got.highlights, got.section),
                    (&want.snippet, &want.highlights, want.section),
                    "{query}: {}",
                    paper.id
                );
                skipped_some |= pruned.windows_analysed(paper) < exhaustive.windows_analysed(paper);
            }
        }
        assert!(skipped_some, "the bounds skip windows");
    }

    #[test]
    fn an_opening_is_cut_between_words_and_says_it_goes_on() {
        let summary = "A large-scale Chinese image-text dataset called DanQing is introduced to advance \
                       vision-language pretraining, demonstrating superior performance in various downstream \
                       tasks through continual pretraining of the SigLIP2 model, and much more besides.";
        let opening = one_line(summary, 200);
        assert!(opening.ends_with('…'), "{opening}");
        let shown = opening.trim_end_matches('…');
        assert!(summary.starts_with(shown) && summary[shown.len()..].starts_with(' '), "a word was cut: {opening}");
        // A text a few characters over the limit is shown whole.
        let short = &summary[..summary.find(" model,").expect("model") + " model".len()];
        assert_eq!(one_line(short, short.chars().count() - 4), short);
        // Chinese has no spaces between words: it is cut at the limit.
        let chinese = "提出了首个针对科学文献进行可验证奖励强化学习训练的搜索环境".repeat(10);
        let opening = one_line(&chinese, 50);
        assert_eq!(opening.chars().count(), 51, "{opening}");
        assert!(opening.ends_with('…'));
    }

    /// An empty record of paper `id` read from `path` in `format`.
    fn record(id: &str, path: &str, format: paperdex_core::SourceFormat) -> paperdex_core::Record {
        let id = paperdex_core::PaperId::parse(id).expect("id");
        paperdex_core::Record::new(id, paperdex_core::Source { path: path.into(), format, date: None })
    }

    #[test]
    fn a_listed_paper_opens_with_what_it_says_not_with_a_placeholder_or_a_heading() {
        let mut record = record("2512.23383", "paper-md/2512.23383.md", paperdex_core::SourceFormat::PaperMarkdown);
        record.title = Some("interID".into());
        record.sections.push(Section::new(SectionKind::Body, "# interID 论文研究报告"));
        record.sections.push(Section::new(SectionKind::Abstract, "..."));
        record.sections.push(Section::new(SectionKind::Innovations, "提出了一个与生态系统无关的自主权身份验证应用。"));
        record.sections.push(Section::new(SectionKind::Method, "We verify credentials of every identity framework."));
        let paper = Paper::from_record(record);
        let plain = Highlighter::marking_nothing(None);
        // Not the heading (a title's repeat), not the placeholder abstract: the innovations.
        assert_eq!(plain.snippet(&paper).0, "提出了一个与生态系统无关的自主权身份验证应用。");
        // A list narrowed to English opens with the paper's English.
        let english = plain.in_language(Some(Lang::En));
        assert_eq!(english.snippet(&paper).0, "We verify credentials of every identity framework.");
        assert!(!says_something("...") && !says_something(" — N/A ") && says_something("自主权身份验证应用的设计"));
        // A link, or the end of one, says nothing of the paper; a sentence holding one does.
        assert!(
            !says_something("com/hao-ai-lab/JetSpec.") && !says_something("https://github.com/xinyan-cxy/MINT-CoT")
        );
        assert!(says_something("The code is at https://github.com/a/b for everyone."));
        assert!(says_something("提出了一种用于视频理解/生成的统一模型"), "a Chinese sentence with a slash");
    }

    #[test]
    fn a_snippet_never_shows_the_summarisers_list_of_search_results() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PaperIndex::open_or_create(dir.path()).expect("index");
        let mut record = record("2406.04692", "zh-glm/2024-06-10.json", paperdex_core::SourceFormat::ZhSummaries);
        record.sections.push(Section::new(SectionKind::Body, "提出了混合智能体方法，让多个大模型协作生成回答。"));
        record.sections.push(Section {
            kind: SectionKind::References,
            heading: Some("搜索结果来自".into()),
            text: "[2403.04692] PixArt-Σ: Weak-to-Strong Training of Diffusion Transformer - https://arxiv.org/abs/2403.04692"
                .into(),
        });
        index.ingest_records(vec![record], None, &mut Quiet).expect("ingest");
        let searcher = index.searcher();
        let paper = index.papers().expect("papers").remove(0);
        let query = "diffusion transformer";
        let matches = index.keyword_matches(&searcher, query, &[], &SearchFilter::default(), 10).expect("matches");
        assert_eq!(matches.total, 1, "the list is searched: it often names the paper itself");
        let highlighter = Highlighter::new(&index, &searcher, matches.query.as_deref(), &[], None).for_text(query);
        let (snippet, highlights, _) = highlighter.snippet(&paper);
        assert_eq!(snippet, "提出了混合智能体方法，让多个大模型协作生成回答。", "the opening, not a line of links");
        assert!(highlights.is_empty());
    }

    #[test]
    fn snippets_are_one_line_without_emphasis_markers_and_keep_their_highlights() {
        let text = "画质无损：\n\n **0.5%** 的 KV Cache".to_string();
        let start = text.find("KV").expect("KV");
        let (out, ranges) = tidy(text, vec![[start, start + 2]]);
        assert_eq!(out, "画质无损： 0.5% 的 KV Cache");
        assert_eq!(&out[ranges[0][0]..ranges[0][1]], "KV");
        // A heading's `#`s go; a `#` inside a line is text.
        let text = "决策 Transformer\n### 5. 实验效果\n  ## C# 与 #3 号 KV".to_string();
        let start = text.rfind("KV").expect("KV");
        let (out, ranges) = tidy(text, vec![[start, start + 2]]);
        assert_eq!(out, "决策 Transformer 5. 实验效果 C# 与 #3 号 KV");
        assert_eq!(&out[ranges[0][0]..ranges[0][1]], "KV");
    }

    #[test]
    fn a_word_matched_whole_and_in_parts_is_one_highlight_in_order() {
        // What the analysers report for `GPT-4o` (its parts, then the whole) and jieba for
        // 大模型 (the whole after its part 模型).
        let text = "GPT-4o and 大模型 by GPT".to_string();
        let zh = text.find("大模型").expect("zh");
        let last = text.rfind("GPT").expect("GPT");
        let ranges = vec![[0, 3], [4, 6], [0, 6], [zh + 3, zh + 9], [zh, zh + 9], [last, last + 3]];
        let (out, ranges) = tidy(text, ranges);
        let marked: Vec<&str> = ranges.iter().map(|&[s, e]| &out[s..e]).collect();
        assert_eq!(marked, ["GPT-4o", "大模型", "GPT"]);
    }

    #[test]
    fn words_marked_side_by_side_are_one_mark() {
        let text = "the KV  cache\nquantization of 多模态大模型 and KV, cache".to_string();
        let at = |word: &str, from: usize| text[from..].find(word).expect(word) + from;
        let word = |w: &str, from: usize| [at(w, from), at(w, from) + w.len()];
        let zh = at("多", 0);
        let ranges = vec![
            word("KV", 0),
            word("cache", 0),
            word("quantization", 0),
            word("多", 0),
            word("模态", zh),
            word("大", zh),
            word("模型", zh),
            word("KV", zh),
            word("cache", zh),
        ];
        let (out, ranges) = tidy(text, ranges);
        let marked: Vec<&str> = ranges.iter().map(|&[s, e]| &out[s..e]).collect();
        // A comma between two words keeps them apart.
        assert_eq!(marked, ["KV cache quantization", "多模态大模型", "KV", "cache"]);
    }
}
