//! The shapes the API answers with. They mirror the library's types (converted with `From`)
//! so the OpenAPI schema is derived here without the index crate knowing about HTTP.

use paperdex_core::{Lang, Named, Paper, SectionGroup, SourceFormat};
use paperdex_index::{RelatedResults, SearchHit, SearchMode, SearchResults, SortOrder};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// Which retrievers rank the papers: `hybrid` (words and meaning, fused), `bm25` (words) or
/// `vector` (meaning). In an answer, the mode that answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 and vectors fused.
    Hybrid,
    /// Keywords only.
    Bm25,
    /// Vectors only.
    Vector,
}

impl From<SearchMode> for Mode {
    fn from(mode: SearchMode) -> Mode {
        match mode {
            SearchMode::Hybrid => Mode::Hybrid,
            SearchMode::Bm25 => Mode::Bm25,
            SearchMode::Vector => Mode::Vector,
        }
    }
}

/// One found paper.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    /// The paper id (arXiv id).
    #[schema(example = "2602.02958")]
    pub id: String,
    /// Its title.
    pub title: String,
    /// The final score: BM25 in bm25 mode; in vector and hybrid modes the fusion's (by default
    /// reciprocal rank, from the ranks alone: the cosine is `vector_score`). Hits come in
    /// their order, not by score: a Chinese query's bm25 list merges its own words' list and
    /// its English translation's by rank, each hit keeping its list's BM25, so scores need
    /// not fall along a page; do not re-sort or cut by them.
    pub score: f32,
    /// The paper's date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The first day a source listed it, `YYYY-MM-DD`: what date filters and `sort=date` go by.
    pub first_seen: Option<String>,
    /// A link to the paper.
    pub url: String,
    /// The paper's authors the query names, as the paper spells them: their whole name among
    /// the query's words (`Song Han diffusion`; a two-word name in either order, `Han Song`;
    /// a hyphen or none), or the query's two to four words one after another in their name
    /// (`Lisa Li` names `Xiang Lisa Li`). Empty for most queries, and
    /// always for related papers and a search restricted to a section.
    #[schema(example = json!(["Song Han"]))]
    pub matched_authors: Vec<String>,
    /// The best-matching passage, plain text on one line, with `…` where its section goes on
    /// before or after it.
    pub snippet: String,
    /// The kind of section the match and the snippet came from: `title`, `contribution`,
    /// `innovations`, `experiments`, `usage`, `application`, `abstract`, `method` or `other`.
    /// A match in the `title` (shown as `title` already) has its snippet from the paper's text.
    #[schema(example = "experiments")]
    pub section: Option<String>,
    /// `section` as shown to readers (the digest's Chinese heading and the English name).
    #[schema(example = "实验效果 experiments")]
    pub section_label: Option<String>,
    /// `snippet` as HTML: escaped, with matched words in `<mark>`; safe to insert as is.
    pub snippet_html: String,
    /// UTF-8 byte ranges `[start, end)` of `snippet` that matched.
    #[schema(value_type = Vec<Vec<usize>>)]
    pub highlights: Vec<[usize; 2]>,
    /// Rank (1-based) in the keyword list (for related papers: the more-like-this list).
    #[schema(minimum = 1)]
    pub bm25_rank: Option<usize>,
    /// Keyword score, when it was in that list.
    pub bm25_score: Option<f32>,
    /// Rank (1-based) in the vector list.
    #[schema(minimum = 1)]
    pub vector_rank: Option<usize>,
    /// Cosine similarity of the best passage, when it was in that list.
    pub vector_score: Option<f32>,
    /// Whether the query's words single this paper out (it is among the first papers by
    /// keywords, up to ten, the last of which scores at least twice the paper after them: a
    /// pasted title, a name only it bears; or among the first papers by keywords whose author
    /// the query, a name, names), which puts it first in the relevance order whatever the
    /// vectors say. Always false for related papers.
    pub singled_out: bool,
}

impl From<SearchHit> for Hit {
    fn from(hit: SearchHit) -> Hit {
        Hit {
            snippet_html: marked_html(&hit.snippet, &hit.highlights),
            id: hit.id,
            title: hit.title,
            score: hit.score,
            date: hit.date,
            first_seen: hit.first_seen,
            url: hit.url,
            matched_authors: hit.matched_authors,
            snippet: hit.snippet,
            section: hit.section.map(|g| g.name().to_string()),
            section_label: hit.section.map(|g| g.label().to_string()),
            highlights: hit.highlights,
            bm25_rank: hit.bm25_rank,
            bm25_score: hit.bm25_score,
            vector_rank: hit.vector_rank,
            vector_score: hit.vector_score,
            singled_out: hit.singled_out,
        }
    }
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The query as understood (trimmed).
    pub query: String,
    /// The mode that answered: `bm25` when vectors were asked for but are unavailable.
    pub mode: Mode,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
    /// How many papers the answer holds, the same on every page: in bm25 mode the keyword
    /// matches; in vector mode the papers the vectors rank (every paper with passages the
    /// filters admit, up to 1,000); in hybrid mode both, counted when a page saw both whole
    /// or every paper the filters admit matches the words (a quoted phrase's), else both
    /// counts less the papers both first lists hold (an estimate at least what the
    /// pages serve when the keyword matches are counted).
    pub total: usize,
    /// Whether `total` is an estimate: a keyword query matching many papers has its matches
    /// estimated from its words' document frequencies rather than counted, and hybrid mode
    /// does not count the papers its two sides share.
    pub total_is_estimate: bool,
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// Things the user should know, e.g. that the model is missing and BM25 answered.
    pub warnings: Vec<String>,
    /// What the bilingual lexicon added to the query: each translation and its weight.
    pub expansions: Vec<ExpansionView>,
    /// Chinese query words that most papers with Chinese text hold, left out of the keyword
    /// query (like stop words; they still count in its phrase clauses).
    pub left_out: Vec<String>,
    /// The phrases the query quoted (`"KV cache"`, `“奖励模型”`), as written: every hit holds
    /// each, its words in order.
    pub required: Vec<String>,
    /// The words and phrases the query put a minus before (`-vision`, `-"world model"`), as
    /// written: no hit holds any.
    pub excluded: Vec<String>,
}

/// One translation the bilingual lexicon added to a query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpansionView {
    /// The part of the query translated.
    pub from: String,
    /// Its translation, searched too.
    pub to: String,
    /// The weight the translation's words get, relative to a query word's 1.
    pub weight: f32,
    /// Where the pair comes from: `bracket`, `parallel`, `embedding` or `glossary`.
    pub source: String,
}

impl From<SearchResults> for SearchResponse {
    fn from(r: SearchResults) -> SearchResponse {
        SearchResponse {
            query: r.query,
            mode: r.mode.into(),
            took_ms: r.took_ms,
            total: r.total,
            total_is_estimate: r.total_is_estimate,
            hits: r.hits.into_iter().map(Hit::from).collect(),
            warnings: r.warnings,
            expansions: r
                .expansions
                .into_iter()
                .map(|e| ExpansionView { from: e.from, to: e.to, weight: e.weight, source: e.source.as_str().into() })
                .collect(),
            left_out: r.left_out,
            required: r.required,
            excluded: r.excluded,
        }
    }
}

/// The papers related to one paper.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedResponse {
    /// The paper asked about.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `hybrid` (vectors and shared words fused) or `bm25` (shared words only).
    pub mode: Mode,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
    /// The related papers, most related first; never the paper itself.
    pub hits: Vec<Hit>,
    /// Things the user should know, e.g. that the paper has no vectors.
    pub warnings: Vec<String>,
}

impl From<RelatedResults> for RelatedResponse {
    fn from(r: RelatedResults) -> RelatedResponse {
        RelatedResponse {
            id: r.id,
            title: r.title,
            mode: r.mode.into(),
            took_ms: r.took_ms,
            hits: r.hits.into_iter().map(Hit::from).collect(),
            warnings: r.warnings,
        }
    }
}

/// One part of a paper's summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionView {
    /// What the section is: `field`, `core_contribution`, `usage`, `innovations`, `results`,
    /// `abstract`, `ai_summary`, `tldr`, `motivation`, `method`, `conclusion`, `references`
    /// (a summary's list of sources) or `body`.
    pub kind: String,
    /// The heading to show (Chinese names for digest sections, the original heading otherwise),
    /// told apart from another section's of the same name by language or source
    /// (`Abstract · 中文`, `Abstract · English`).
    pub label: String,
    /// The language of its text, `zh` or `en`.
    pub lang: String,
    /// The text, markdown as written.
    pub text: String,
}

/// A file that contributed to a paper.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceView {
    /// The file's name, with as many of its folders as tell it apart from another of the
    /// paper's sources of the same name (the server's folders are not disclosed beyond that).
    pub path: String,
    /// Its format: `daily_report`, `hf_daily_api`, `zh_summaries` or `paper_markdown`.
    pub format: String,
    /// The day the source speaks for, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// A paper, every source merged.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperView {
    /// The arXiv id.
    #[schema(example = "2602.02958")]
    pub id: String,
    /// English title (or the best title any source has).
    pub title: String,
    /// Chinese title, when a source gives one.
    pub title_zh: Option<String>,
    /// Publication date, else the first day a source listed it.
    pub date: Option<String>,
    /// The first day a source (a digest or a daily dump) listed it: date filters and the date
    /// sort go by this.
    pub first_seen: Option<String>,
    /// The last day a source listed it.
    pub last_seen: Option<String>,
    /// A link to the paper.
    pub url: String,
    /// Authors, as the sources spell them.
    pub authors: Vec<String>,
    /// Keywords and tags.
    pub keywords: Vec<String>,
    /// Code repository, when a source gives one.
    pub github: Option<String>,
    /// Hugging Face upvotes (the highest any source reports).
    pub upvotes: Option<u32>,
    /// Every distinct section of every source, preferred sources first.
    pub sections: Vec<SectionView>,
    /// The files the paper came from.
    pub sources: Vec<SourceView>,
}

impl From<&Paper> for PaperView {
    fn from(paper: &Paper) -> PaperView {
        let strings = |v: Vec<&str>| v.into_iter().map(str::to_string).collect();
        PaperView {
            id: paper.id.to_string(),
            title: paper.title().to_string(),
            title_zh: paper.title_zh().map(str::to_string),
            date: paper.date().map(str::to_string),
            first_seen: paper.first_seen().map(str::to_string),
            last_seen: paper.last_seen().map(str::to_string),
            url: paper.url(),
            authors: strings(paper.authors()),
            keywords: strings(paper.keywords()),
            github: paper.records.iter().find_map(|r| r.github.clone()),
            upvotes: paper.upvotes(),
            sections: paper
                .shown_sections()
                .into_iter()
                .map(|shown| SectionView {
                    kind: serde_name(&shown.section.kind),
                    label: shown.label,
                    lang: shown.lang.code().to_string(),
                    text: shown.section.text.clone(),
                })
                .collect(),
            sources: {
                let paths: Vec<&str> = paper.records.iter().map(|r| r.source.path.as_str()).collect();
                paper
                    .records
                    .iter()
                    .zip(source_names(&paths))
                    .map(|(r, path)| SourceView {
                        path,
                        format: serde_name(&r.source.format),
                        date: r.source.date.clone(),
                    })
                    .collect()
            },
        }
    }
}

/// Whether a model is loaded, which one, or why not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelHealth {
    /// Whether semantic search is available.
    pub loaded: bool,
    /// The model's name, when loaded.
    pub name: Option<String>,
    /// Why it is not loaded (searches then answer with BM25).
    pub reason: Option<String>,
}

/// The server's state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the index's vectors cannot be loaded (`vectors_problem` says
    /// why) or the index has vectors but the query model is not loaded (`model.reason` says
    /// why): searches then answer by keywords only; or when the index's last commit cannot be
    /// read, or a request found its files damaged (`index_problem` says why).
    pub status: String,
    /// Why the index's last commit cannot be read, if so: its folder deleted or moved under
    /// the running server, or its commit record damaged. Searches go on answering from what
    /// the server loaded, but the next start (or ingest) fails until the index is restored.
    /// Or that a request found the files of the commit served damaged (`index_damaged`).
    /// `null` otherwise, as `vectors_problem` is.
    pub index_problem: Option<String>,
    /// Why the latest vectors cannot be loaded (a damaged or missing `vectors.bin`), if so.
    pub vectors_problem: Option<String>,
    /// Papers in the index.
    pub papers: u64,
    /// Live passage vectors (0 when the index has none).
    pub vectors: u64,
    /// The model that made the vectors.
    pub vector_model: Option<String>,
    /// The query embedding model.
    pub model: ModelHealth,
    /// The index generation being served.
    pub generation: u64,
}

/// The parameters of `GET /api/search` of its own (for the OpenAPI document; the handler reads
/// them strictly itself, see `params`); [`PageParams`], [`FilterParams`] and [`OrderParams`]
/// follow.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// The query, English or Chinese; 1 to 1000 characters. A phrase in quotes (`"KV cache"`,
    /// `“奖励模型”`) must be in every hit, a word or quoted phrase after a minus (`-vision`) in
    /// none.
    #[param(example = "KV cache quantization", min_length = 1, max_length = 1000)]
    q: String,
    /// `hybrid` (default), `bm25` or `vector`.
    #[param(inline)]
    mode: Option<ModeParam>,
}

/// Paging, for a search and for the list of the newest papers.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Papers to return, 1 to 200 (default 10).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// Papers to skip, 0 to 10000 (default 0).
    #[param(minimum = 0, maximum = 10000)]
    offset: Option<usize>,
}

/// The filters, read by the parsers of the CLI's flags; for a search and for the list of the
/// newest papers.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FilterParams {
    /// Only papers first seen on or after this day, `YYYY-MM-DD`.
    #[param(example = "2026-03-01", pattern = r"^\d{4}-\d{2}-\d{2}$")]
    since: Option<String>,
    /// Only papers first seen on or before this day, `YYYY-MM-DD`.
    #[param(example = "2026-03-31", pattern = r"^\d{4}-\d{2}-\d{2}$")]
    until: Option<String>,
    /// Only papers with text in this language.
    #[param(inline)]
    lang: Option<LangParam>,
    /// Only papers listed by a source of this format.
    #[param(inline)]
    source: Option<SourceParam>,
    /// Only matches in sections of this kind (a list: papers with one); the snippet comes from
    /// it (from the paper's text for `title`, which each hit shows). In hybrid mode, only
    /// papers the words match there: the vectors are of passages, not of sections.
    #[param(inline)]
    section: Option<SectionParam>,
}

/// A search's order.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrderParams {
    /// `relevance` (default) or `date`: newest first among the best matches, up to the
    /// ranker's candidates (100 by default): keyword matches in bm25 and hybrid modes (hybrid
    /// adds no paper by meaning alone in a date order: a query no paper's words match gets no
    /// hits and a warning), the nearest papers in vector mode; of a query that requires a
    /// phrase, in bm25 and hybrid modes every paper holding it, up to 1,000.
    #[param(inline)]
    sort: Option<SortParam>,
}

/// The order of the list of the newest papers.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct LatestOrderParams {
    /// `date`, the only order of this list (accepted so a search's parameters can be reused).
    #[param(inline)]
    sort: Option<LatestSortParam>,
}

/// A string parameter documented with the values its parser reads, from the type it parses
/// ([`Named`]: `SectionGroup`, `SortOrder`...), so the document cannot drift from the code.
macro_rules! named_values {
    ($(#[$doc:meta])* $name:ident = $values:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                named_schema($values)
            }
        }

        impl ToSchema for $name {}
    };
}

/// The schema of a parameter that takes one of `values`: their names as an `enum`, for a
/// client to pick from, and beside it any other string, described as what else the parser
/// reads: each name in any case with spaces around, each alias, and an empty value (none
/// given). The names alone refused `core_contribution` and `BM25`, which the server answers:
/// the document must not refuse what the server takes, nor list what it refuses.
fn named_schema<T: Named>(values: &[T]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
    let names: Vec<&str> = values.iter().map(|value| value.value_name()).collect();
    let aliases: Vec<String> = values
        .iter()
        .filter_map(|&value| {
            let spellings: Vec<String> =
                T::aliases().into_iter().filter(|(_, v)| *v == value).map(|(alias, _)| format!("`{alias}`")).collect();
            (!spellings.is_empty()).then(|| format!("{} for {}", spellings.join(", "), value.value_name()))
        })
        .collect();
    let mut also = "Also read: each name in any case, with spaces around".to_string();
    if !aliases.is_empty() {
        also.push_str(&format!("; {}", aliases.join("; ")));
    }
    also.push_str("; and an empty value, as none given.");
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names)))
        .item(ObjectBuilder::new().schema_type(Type::String).description(Some(also)))
        .into()
}

named_values!(
    /// The retrievers a search can use.
    ModeParam = SearchMode::values()
);
named_values!(
    /// The languages a search can be narrowed to.
    LangParam = Lang::values()
);
named_values!(
    /// The source formats a search can be narrowed to.
    SourceParam = SourceFormat::values()
);
named_values!(
    /// The section kinds a search can be restricted to.
    SectionParam = SectionGroup::values()
);
named_values!(
    /// How hits are ordered.
    SortParam = SortOrder::values()
);
named_values!(
    /// The orders the list of the newest papers takes.
    LatestSortParam = &crate::routes::LATEST_ORDERS
);

/// The parameters of `GET /api/papers/{id}/related`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RelatedParams {
    /// Papers to return, 1 to 200 (default 10).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// The name serde gives a unit enum variant (`daily_report`, `core_contribution`, ...).
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Each of `paths` as its file name, with as many of its folders as tell it apart from another
/// of `paths` with the same name: two digests both named `2026-02-04.json` in two folders were
/// shown as two identical sources.
fn source_names(paths: &[&str]) -> Vec<String> {
    let parts: Vec<Vec<&str>> =
        paths.iter().map(|p| p.split(['/', '\\']).filter(|part| !part.is_empty()).collect()).collect();
    let mut depth = vec![1; paths.len()];
    let tail = |i: usize, depth: &[usize]| parts[i][parts[i].len().saturating_sub(depth[i])..].join("/");
    loop {
        let lengthen: Vec<usize> = (0..paths.len())
            .filter(|&i| {
                depth[i] < parts[i].len()
                    && (0..paths.len()).any(|j| paths[j] != paths[i] && tail(j, &depth) == tail(i, &depth))
            })
            .collect();
        if lengthen.is_empty() {
            return (0..paths.len()).map(|i| tail(i, &depth)).collect();
        }
        for i in lengthen {
            depth[i] += 1;
        }
    }
}

/// `snippet` as HTML with the byte ranges in `<mark>`; everything escaped. Ranges that overlap,
/// run backwards or cut a character are skipped rather than trusted.
pub fn marked_html(snippet: &str, ranges: &[[usize; 2]]) -> String {
    let mut out = String::with_capacity(snippet.len() + 16 * ranges.len());
    let mut at = 0;
    for &[start, end] in ranges {
        if start < at
            || start >= end
            || end > snippet.len()
            || !snippet.is_char_boundary(start)
            || !snippet.is_char_boundary(end)
        {
            continue;
        }
        escape_into(&mut out, &snippet[at..start]);
        out.push_str("<mark>");
        escape_into(&mut out, &snippet[start..end]);
        out.push_str("</mark>");
        at = end;
    }
    escape_into(&mut out, &snippet[at..]);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_ranges_are_the_enforced_ones() {
        use paperdex_index::{MAX_LIMIT, MAX_OFFSET};
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::ApiDoc::openapi()).expect("the document serialises");
        for (path, name, minimum, maximum) in [
            ("/api/search", "limit", 1, MAX_LIMIT),
            ("/api/search", "offset", 0, MAX_OFFSET),
            ("/api/papers/{id}/related", "limit", 1, MAX_LIMIT),
        ] {
            let parameters = doc["paths"][path]["get"]["parameters"].as_array().expect("parameters");
            let schema = &parameters.iter().find(|p| p["name"] == name).expect("documented")["schema"];
            assert_eq!(schema["minimum"].as_f64(), Some(minimum as f64), "{path} {name}: {schema}");
            assert_eq!(schema["maximum"].as_f64(), Some(maximum as f64), "{path} {name}: {schema}");
        }
    }

    #[test]
    fn the_documented_filter_values_are_the_ones_the_parsers_accept() {
        use paperdex_core::{SectionGroup, SourceFormat};
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::ApiDoc::openapi()).expect("the document serialises");
        let parameters = |path: &str| doc["paths"][path]["get"]["parameters"].as_array().expect("parameters").clone();
        let values = |path: &str, name: &str| -> Vec<String> {
            let parameters = parameters(path);
            let parameter =
                parameters.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} {name} undocumented"));
            let schema = &parameter["schema"];
            let list = schema["anyOf"][0]["enum"].as_array();
            list.unwrap_or_else(|| panic!("{path} {name}: no enum in {schema}"))
                .iter()
                .map(|v| v.to_string().replace('"', ""))
                .collect()
        };
        let names = |all: Vec<&str>| all.into_iter().map(str::to_string).collect::<Vec<_>>();
        for path in ["/api/search", "/api/papers"] {
            assert_eq!(values(path, "source"), names(SourceFormat::ALL.iter().map(|f| f.name()).collect()));
            assert_eq!(values(path, "section"), names(SectionGroup::ALL.iter().map(|g| g.name()).collect()));
            assert_eq!(values(path, "lang"), ["zh", "en"]);
            for name in ["since", "until"] {
                assert!(parameters(path).iter().any(|p| p["name"] == name), "{path} {name} undocumented");
            }
        }
        assert_eq!(values("/api/search", "mode"), ["hybrid", "bm25", "vector"]);
        assert_eq!(values("/api/search", "sort"), ["relevance", "date"]);
        // The list of the newest papers is in one order, and takes no other.
        assert_eq!(values("/api/papers", "sort"), ["date"]);
    }

    #[test]
    fn marked_html_escapes_everything_and_marks_ranges() {
        let snippet = "<b>KV</b> 量化 & \"cache\"";
        let kv = snippet.find("KV").expect("KV");
        let zh = snippet.find("量化").expect("量化");
        let html = marked_html(snippet, &[[kv, kv + 2], [zh, zh + "量化".len()]]);
        assert_eq!(html, "&lt;b&gt;<mark>KV</mark>&lt;/b&gt; <mark>量化</mark> &amp; &quot;cache&quot;");
    }

    #[test]
    fn marked_html_skips_bad_ranges() {
        let snippet = "量化 abc";
        // Inside a character, backwards, past the end, overlapping.
        let html = marked_html(snippet, &[[1, 3], [5, 2], [4, 99], [7, 10], [8, 9]]);
        assert_eq!(html, "量化 <mark>abc</mark>");
        assert_eq!(marked_html("<script>", &[]), "&lt;script&gt;");
    }

    #[test]
    fn sources_show_file_names_with_the_folders_that_tell_two_of_one_name_apart() {
        let file_name = |path: &str| source_names(&[path]).remove(0);
        assert_eq!(file_name("/home/someone/corpus/report-2026-02-05.md"), "report-2026-02-05.md");
        assert_eq!(file_name("C:\\data\\x.json"), "x.json");
        assert_eq!(file_name("x.json"), "x.json");
        let names = source_names(&[
            "/home/someone/corpus/hf-daily-api/2026-02-04.json",
            "/home/someone/downloads/2026-02-04.json",
            "/home/someone/corpus/reports/2026-02-05.md",
            "/home/someone/downloads/2026-02-04.json",
        ]);
        assert_eq!(
            names,
            ["hf-daily-api/2026-02-04.json", "downloads/2026-02-04.json", "2026-02-05.md", "downloads/2026-02-04.json"]
        );
    }
}
