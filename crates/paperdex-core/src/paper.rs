//! The paper model: what one source says about a paper ([`Record`]) and the merged
//! [`Paper`] that every source contributes to.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::named::{Named, distinct_aliases};

/// A normalised arXiv identifier without version suffix, e.g. `2602.02958` or `cs/0501001`.
///
/// Every input names papers by URL or id in slightly different spellings
/// (`arxiv.org/abs/2602.02958v2`, `huggingface.co/papers/2602.02958`, `2602.02958v1-slug.md`);
/// one spelling keeps one paper per id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaperId(String);

impl PaperId {
    /// Parses a bare id (`2602.02958`, `2602.02958v3`, `cs/0501001v1`), dropping the version.
    /// Returns `None` when `raw` is not an arXiv id.
    pub fn parse(raw: &str) -> Option<PaperId> {
        let raw = raw.trim();
        let (prefix, number) = match raw.rsplit_once('/') {
            Some((archive, rest)) => (Some(archive), rest),
            None => (None, raw),
        };
        let number = strip_version(number);
        let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        // A month of the form YYMM: arXiv numbers papers by the month they were submitted.
        let month =
            |yymm: &str| yymm.get(2..4).and_then(|mm| mm.parse::<u8>().ok()).is_some_and(|m| (1..=12).contains(&m));
        let valid = match prefix {
            // New-style ids: YYMM.NNNN from April 2007 until December 2014, YYMM.NNNNN since
            // January 2015 (`9912.12345` is December 2099, not 1999). A link cut short
            // (`2602.0390` of `2602.03907`) is no id, not another paper.
            None => {
                let (yymm, seq) = number.split_once('.')?;
                let sequence_digits = if yymm < "1501" { 4 } else { 5 };
                yymm.len() == 4
                    && digits(yymm)
                    && yymm >= "0704"
                    && month(yymm)
                    && seq.len() == sequence_digits
                    && digits(seq)
            }
            // Old-style ids: archive/YYMMNNN, the archive a name (`cs`, `hep-th`, `math.ag`).
            // Their digits are not checked for a month: the evaluation numbers a test
            // collection's documents in this form (`cacm/0000001`).
            Some(archive) => {
                archive.starts_with(|c: char| c.is_ascii_lowercase())
                    && archive.ends_with(|c: char| c.is_ascii_lowercase())
                    && archive.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'.')
                    && number.len() == 7
                    && digits(number)
            }
        };
        valid.then(|| match prefix {
            Some(archive) => PaperId(format!("{archive}/{number}")),
            None => PaperId(number.to_string()),
        })
    }

    /// Extracts the id from a paper URL: `huggingface.co/papers/<id>`, `arxiv.org/abs/<id>`,
    /// `arxiv.org/pdf/<id>[.pdf]`, with or without scheme, query or fragment.
    pub fn from_url(url: &str) -> Option<PaperId> {
        let url = url.trim().trim_matches(|c| c == '<' || c == '>');
        let url = url.split(['?', '#']).next().unwrap_or(url);
        // Markers are found in any case (`HTTPS://ARXIV.ORG/ABS/…`); ASCII lower-casing keeps
        // every offset, and the id after one is read as written.
        let lower = url.to_ascii_lowercase();
        for marker in ["/papers/", "/abs/", "/pdf/", "/html/", ARXIV_DOI] {
            if let Some(pos) = lower.find(marker) {
                let rest = url[pos + marker.len()..].trim_end_matches('/');
                let rest = rest.strip_suffix(".pdf").unwrap_or(rest);
                return PaperId::parse(rest);
            }
        }
        None
    }

    /// The paper a reader names by pasting its id or its link, as `search`, `show`, `related`
    /// and `remove` (and their HTTP and MCP forms) all read it: `2602.02958`, `2602.02958v2`,
    /// `arXiv:2602.02958`, `https://huggingface.co/papers/2602.02958`,
    /// `arxiv.org/pdf/2602.02958v1.pdf` (the links paperdex itself prints among them).
    ///
    /// The punctuation a sentence or a list puts around what was copied goes
    /// (`(2602.02958).`, `“arXiv: 2602.02958”,`), so a paste from prose names its paper too.
    pub fn from_pasted(text: &str) -> Option<PaperId> {
        // Characters no one sees that a copy can carry along: zero-width spaces and joiners,
        // the word joiner, a byte-order mark.
        const INVISIBLE: &[char] = &['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];
        const OPENING: &[char] = &['(', '[', '{', '<', '"', '\'', '“', '‘', '（', '【', '「', '《'];
        const CLOSING: &[char] = &[
            '.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '"', '\'', '”', '’', '）', '】', '」', '》', '。', '，',
            '；', '：', '！', '？',
        ];
        let text = text
            .trim_matches(|c: char| c.is_whitespace() || INVISIBLE.contains(&c))
            .trim_start_matches(OPENING)
            .trim_end_matches(CLOSING);
        let bare = text.get(..6).filter(|p| p.eq_ignore_ascii_case("arxiv:")).map_or(text, |_| text[6..].trim_start());
        let bare = bare.get(..4).filter(|p| p.eq_ignore_ascii_case("doi:")).map_or(bare, |_| bare[4..].trim_start());
        if bare.chars().any(char::is_whitespace) {
            return None;
        }
        PaperId::parse(bare).or_else(|| PaperId::from_url(bare))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical arXiv abstract page of this paper.
    pub fn arxiv_url(&self) -> String {
        format!("https://arxiv.org/abs/{}", self.0)
    }
}

/// What an arXiv DOI holds before the paper's id (`10.48550/arXiv.2602.02958`, the citation
/// arXiv's pages offer), lower-cased.
const ARXIV_DOI: &str = "10.48550/arxiv.";

/// The number without its version (`v2`; `V2` as a reader may type it).
fn strip_version(number: &str) -> &str {
    match number.rfind(['v', 'V']) {
        // arXiv counts versions from v1: `v0` is no version, and the id is not one.
        Some(pos)
            if pos > 0
                && number[pos + 1..].bytes().all(|b| b.is_ascii_digit())
                && number[pos + 1..].bytes().any(|b| b != b'0') =>
        {
            &number[..pos]
        }
        _ => number,
    }
}

impl fmt::Display for PaperId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The input formats paperdex reads. Detected from a file's content, never its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// A daily papers report in markdown (`## 📄 <title>` blocks with Chinese summaries).
    DailyReport,
    /// A dump of the Hugging Face daily papers API (`[{"paper": {...}}, ...]`).
    HfDailyApi,
    /// A list of `{"url", "content"}` Chinese summaries.
    ZhSummaries,
    /// One paper in markdown, usually with YAML front matter.
    PaperMarkdown,
}

impl SourceFormat {
    /// Every format, in the order filters list them.
    pub const ALL: [SourceFormat; 4] =
        [SourceFormat::DailyReport, SourceFormat::HfDailyApi, SourceFormat::ZhSummaries, SourceFormat::PaperMarkdown];

    /// The name filters use (`--source`, `source=`): `report`, `hf`, `zh-summary`, `paper-md`.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::DailyReport => "report",
            SourceFormat::HfDailyApi => "hf",
            SourceFormat::ZhSummaries => "zh-summary",
            SourceFormat::PaperMarkdown => "paper-md",
        }
    }

    /// A short human name, used in messages.
    pub fn label(self) -> &'static str {
        match self {
            SourceFormat::DailyReport => "daily report",
            SourceFormat::HfDailyApi => "HF daily papers JSON",
            SourceFormat::ZhSummaries => "Chinese summaries JSON",
            SourceFormat::PaperMarkdown => "paper markdown",
        }
    }
}

impl Named for SourceFormat {
    fn values() -> &'static [SourceFormat] {
        &SourceFormat::ALL
    }

    fn value_name(self) -> &'static str {
        self.name()
    }
}

impl std::str::FromStr for SourceFormat {
    type Err = String;

    /// Reads a filter name ([`SourceFormat::name`]), in any case.
    fn from_str(s: &str) -> Result<SourceFormat, String> {
        SourceFormat::read(s).ok_or_else(|| {
            let names: Vec<&str> = SourceFormat::ALL.iter().map(|f| f.name()).collect();
            format!("must be one of {}", names.join(", "))
        })
    }
}

/// Where a record came from: the file, its format and the day it speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file as given to `ingest` (made absolute by the caller).
    pub path: String,
    /// The detected format.
    pub format: SourceFormat,
    /// The day of the digest or dump (`YYYY-MM-DD`), when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The named parts of a summary. Known names are recognised in every heading style;
/// anything else is [`SectionKind::Body`] with its heading kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// 应用领域: the application area.
    Field,
    /// 一句话核心贡献: the core contribution in one sentence.
    CoreContribution,
    /// 使用指南: how to use it.
    Usage,
    /// 主要创新点: the main innovations.
    Innovations,
    /// 实验效果: experimental results.
    Results,
    /// The paper's abstract (usually English).
    Abstract,
    /// A short machine-written summary (HF `ai_summary`).
    AiSummary,
    /// A one-paragraph gist (TLDR).
    Tldr,
    /// Motivation / problem.
    Motivation,
    /// Method.
    Method,
    /// Conclusion.
    Conclusion,
    /// A list of sources or references (titles and links): searchable, shown, not embedded.
    References,
    /// Any other text, kept whole.
    Body,
}

impl SectionKind {
    /// Every kind.
    pub const ALL: [SectionKind; 13] = [
        SectionKind::Field,
        SectionKind::CoreContribution,
        SectionKind::Usage,
        SectionKind::Innovations,
        SectionKind::Results,
        SectionKind::Abstract,
        SectionKind::AiSummary,
        SectionKind::Tldr,
        SectionKind::Motivation,
        SectionKind::Method,
        SectionKind::Conclusion,
        SectionKind::References,
        SectionKind::Body,
    ];

    /// The label shown to users (Chinese names for the digest sections).
    pub fn label(self) -> &'static str {
        match self {
            SectionKind::Field => "应用领域",
            SectionKind::CoreContribution => "一句话核心贡献",
            SectionKind::Usage => "使用指南",
            SectionKind::Innovations => "主要创新点",
            SectionKind::Results => "实验效果",
            SectionKind::Abstract => "Abstract",
            SectionKind::AiSummary => "AI summary",
            SectionKind::Tldr => "TLDR",
            SectionKind::Motivation => "Motivation",
            SectionKind::Method => "Method",
            SectionKind::Conclusion => "Conclusion",
            SectionKind::References => "References",
            SectionKind::Body => "Body",
        }
    }
}

impl SectionKind {
    /// The group a user names to search this kind of section (`--section`).
    pub fn group(self) -> SectionGroup {
        match self {
            SectionKind::Field => SectionGroup::Application,
            SectionKind::CoreContribution | SectionKind::Tldr | SectionKind::AiSummary => SectionGroup::Contribution,
            SectionKind::Usage => SectionGroup::Usage,
            SectionKind::Innovations => SectionGroup::Innovations,
            SectionKind::Results => SectionGroup::Experiments,
            SectionKind::Abstract => SectionGroup::Abstract,
            SectionKind::Motivation | SectionKind::Method => SectionGroup::Method,
            SectionKind::Conclusion | SectionKind::References | SectionKind::Body => SectionGroup::Other,
        }
    }
}

/// The kinds of text a search can be restricted to and a hit says it matched in: the digest's
/// sections as readers know them, the abstract, and the title. Several [`SectionKind`]s that
/// say the same kind of thing share a group (a TLDR and an AI summary are core contributions
/// too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionGroup {
    /// The paper's title (English or Chinese).
    Title,
    /// 一句话核心贡献, TLDR, AI summary: what the paper contributes, in a sentence.
    Contribution,
    /// 主要创新点: the main innovations.
    Innovations,
    /// 实验效果: experiments and results.
    Experiments,
    /// 使用指南: how to use it.
    Usage,
    /// 应用领域: the application field.
    Application,
    /// The abstract.
    Abstract,
    /// Motivation and method.
    Method,
    /// Anything else (conclusions, references, unnamed text).
    Other,
}

impl SectionGroup {
    /// Every group, in the order the page lists them.
    pub const ALL: [SectionGroup; 9] = [
        SectionGroup::Title,
        SectionGroup::Contribution,
        SectionGroup::Innovations,
        SectionGroup::Experiments,
        SectionGroup::Usage,
        SectionGroup::Application,
        SectionGroup::Abstract,
        SectionGroup::Method,
        SectionGroup::Other,
    ];

    /// The name filters and answers use (`--section experiments`).
    pub fn name(self) -> &'static str {
        match self {
            SectionGroup::Title => "title",
            SectionGroup::Contribution => "contribution",
            SectionGroup::Innovations => "innovations",
            SectionGroup::Experiments => "experiments",
            SectionGroup::Usage => "usage",
            SectionGroup::Application => "application",
            SectionGroup::Abstract => "abstract",
            SectionGroup::Method => "method",
            SectionGroup::Other => "other",
        }
    }

    /// The label shown beside a hit: the digest's own Chinese heading where there is one.
    pub fn label(self) -> &'static str {
        match self {
            SectionGroup::Title => "标题 title",
            SectionGroup::Contribution => "核心贡献 contribution",
            SectionGroup::Innovations => "创新点 innovations",
            SectionGroup::Experiments => "实验效果 experiments",
            SectionGroup::Usage => "使用指南 usage",
            SectionGroup::Application => "应用领域 application",
            SectionGroup::Abstract => "摘要 abstract",
            SectionGroup::Method => "方法 method",
            SectionGroup::Other => "其他 other",
        }
    }
}

impl Named for SectionGroup {
    fn values() -> &'static [SectionGroup] {
        &SectionGroup::ALL
    }

    fn value_name(self) -> &'static str {
        self.name()
    }

    /// `experiment`, `core`, `summary` and `innovation`; each kind of section by the name a
    /// paper's JSON gives its sections (`core_contribution`, `results`, `field`: what an agent
    /// reads in `show_paper` and asks for next) and by its label (`实验效果`); and each group by
    /// the label a hit shows (`核心贡献 contribution`, or its Chinese half, `核心贡献`).
    fn aliases() -> Vec<(String, SectionGroup)> {
        let words = [
            ("experiment", SectionGroup::Experiments),
            ("core", SectionGroup::Contribution),
            ("summary", SectionGroup::Contribution),
            ("innovation", SectionGroup::Innovations),
        ];
        let kinds = SectionKind::ALL.into_iter().flat_map(|kind| {
            let name = match serde_json::to_value(kind) {
                Ok(serde_json::Value::String(name)) => Some((name, kind.group())),
                _ => None,
            };
            name.into_iter().chain([(kind.label().to_lowercase(), kind.group())])
        });
        let labels = SectionGroup::ALL.into_iter().flat_map(|group| {
            let label = group.label().to_lowercase();
            let half = label.split_whitespace().next().map(|half| (half.to_string(), group));
            half.into_iter().chain([(label, group)])
        });
        distinct_aliases(words.map(|(word, group)| (word.to_string(), group)).into_iter().chain(kinds).chain(labels))
    }
}

impl std::str::FromStr for SectionGroup {
    type Err = String;

    /// Reads a group name ([`SectionGroup::name`]) or one of its [aliases](Named::aliases), in
    /// any case.
    fn from_str(s: &str) -> Result<SectionGroup, String> {
        SectionGroup::read(s).ok_or_else(|| {
            let names: Vec<&str> = SectionGroup::ALL.iter().map(|g| g.name()).collect();
            format!("must be one of {}", names.join(", "))
        })
    }
}

/// The language a piece of text is mostly written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Mostly Chinese (Han characters).
    Zh,
    /// Everything else; in this corpus, English.
    En,
}

impl Lang {
    /// Guesses the language of `text`: Chinese when Han characters make up at least a fifth of
    /// its letters. Digest summaries mix English terms into Chinese prose, so a majority rule
    /// would call many of them English.
    pub fn detect(text: &str) -> Lang {
        let (mut han, mut letters) = (0usize, 0usize);
        for c in text.chars() {
            if is_han(c) {
                han += 1;
                letters += 1;
            } else if c.is_alphabetic() {
                letters += 1;
            }
        }
        // English words weigh ~5 letters against one Han character per word.
        if letters > 0 && han * 5 >= letters { Lang::Zh } else { Lang::En }
    }

    /// `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The language's name in itself: `中文`, `English`.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
}

/// A section as a reader sees it ([`Paper::shown_sections`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ShownSection<'p> {
    /// The section.
    pub section: &'p Section,
    /// The source it came from.
    pub source: &'p Source,
    /// The language of its text.
    pub lang: Lang,
    /// Its heading: [`Section::label`], with what tells it apart from another section of the
    /// paper under the same label.
    pub label: String,
}

impl Named for Lang {
    fn values() -> &'static [Lang] {
        &[Lang::Zh, Lang::En]
    }

    fn value_name(self) -> &'static str {
        self.code()
    }

    fn aliases() -> Vec<(String, Lang)> {
        vec![("chinese".into(), Lang::Zh), ("english".into(), Lang::En)]
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    /// Reads `zh` or `en` (any case; `chinese` and `english` also do).
    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::read(s).ok_or_else(|| "must be zh or en".to_string())
    }
}

/// Whether `c` is a CJK unified ideograph (the blocks Chinese text uses).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// One part of a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// What the section is.
    pub kind: SectionKind,
    /// The heading as written, when it was not one of the known names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The section's text, markdown kept as written.
    pub text: String,
}

impl Section {
    /// A known section.
    pub fn new(kind: SectionKind, text: impl Into<String>) -> Section {
        Section { kind, heading: None, text: text.into() }
    }

    /// The label to show: the original heading of an unknown section, else the kind's label.
    pub fn label(&self) -> &str {
        self.heading.as_deref().unwrap_or(self.kind.label())
    }
}

/// What one source says about one paper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The paper.
    pub id: PaperId,
    /// Where this record came from.
    pub source: Source,
    /// English title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Chinese title, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// A link to the paper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date `YYYY-MM-DD`, when the source knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Author names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Keywords or tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Code repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// Hugging Face upvotes on that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upvotes: Option<u32>,
    /// The summary, section by section, in source order.
    #[serde(default)]
    pub sections: Vec<Section>,
}

/// The most text one record may hold (titles, sections, authors and keywords), in bytes: 40 times the longest
/// real one (a paper markdown file of 26 KB). Indexing a record costs memory many times its
/// text (a 2 MB summary took 400 MB, a 30 MB one 3.2 GB), so a larger record is refused by
/// name rather than let one file exhaust the machine.
pub const MAX_RECORD_TEXT_BYTES: usize = 1024 * 1024;
/// The longest title a record may have, in characters: every passage of the paper is led by
/// its title, so a title of 100,000 characters multiplied the passages to embed eightfold.
pub const MAX_TITLE_CHARS: usize = 1000;

impl Record {
    /// Why this record is too large to index ([`MAX_RECORD_TEXT_BYTES`], [`MAX_TITLE_CHARS`]),
    /// or `None`. Every parser refuses such a record with this reason.
    pub fn too_large(&self) -> Option<String> {
        for title in [&self.title, &self.title_zh].into_iter().flatten() {
            let chars = title.chars().count();
            if chars > MAX_TITLE_CHARS {
                return Some(format!(
                    "paper {}: its title is {chars} characters long, over the limit of {MAX_TITLE_CHARS}; is the text in the title field?",
                    self.id
                ));
            }
        }
        // Authors and keywords count too: two million authors in one record were taken in
        // whole (1.8 GB of memory, 55 MB of index).
        let text: usize = self.sections.iter().map(|s| s.text.len()).sum::<usize>()
            + self.title.as_ref().map_or(0, String::len)
            + self.title_zh.as_ref().map_or(0, String::len)
            + self.authors.iter().chain(&self.keywords).map(String::len).sum::<usize>();
        (text > MAX_RECORD_TEXT_BYTES).then(|| {
            format!(
                "paper {}: its text is {text} bytes, over the limit of {MAX_RECORD_TEXT_BYTES} bytes a paper's record may hold",
                self.id
            )
        })
    }

    /// What this record lost against `earlier`, the record the same file gave when it was read
    /// before: the sections it no longer has, or most of its text. `None` when it lost neither.
    /// A file cut short (a copy interrupted, a disk full) parses into a shorter but valid last
    /// record, which replaces the whole one: this says so instead of a silent update.
    pub fn lost_since(&self, earlier: &Record) -> Option<String> {
        let text = |r: &Record| r.sections.iter().map(|s| s.text.len()).sum::<usize>();
        let (before, now) = (text(earlier), text(self));
        let lost: Vec<&str> = earlier
            .sections
            .iter()
            .filter(|old| !self.sections.iter().any(|new| new.kind == old.kind && new.heading == old.heading))
            .map(Section::label)
            .collect();
        if lost.is_empty() && now * 2 >= before {
            return None;
        }
        let sections = match lost.as_slice() {
            [] => String::new(),
            [one] => format!("lost its section {one} and "),
            many => format!("lost its sections {} and ", many.join(", ")),
        };
        Some(format!(
            "paper {}: {sections}holds {now} of the {before} bytes of text it held when this file was last read; \
             if the file was cut short, restore it and ingest it again",
            self.id
        ))
    }

    /// Whether this record holds nothing of the paper's text: no title in either language and
    /// no section.
    pub fn says_nothing(&self) -> bool {
        self.title.is_none() && self.title_zh.is_none() && self.sections.is_empty()
    }

    /// An empty record for `id` from `source`; parsers fill in the rest.
    pub fn new(id: PaperId, source: Source) -> Record {
        Record {
            id,
            source,
            title: None,
            title_zh: None,
            url: None,
            published: None,
            authors: Vec::new(),
            keywords: Vec::new(),
            github: None,
            upvotes: None,
            sections: Vec::new(),
        }
    }
}

/// What merging a record did to a paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The paper already held this record exactly.
    Unchanged,
    /// The record was new or replaced an older one from the same source.
    Updated,
}

/// One paper with everything every source said about it.
///
/// Records are keyed by their source file and the source format, so re-reading a file replaces
/// what it said before (an edited summary updates the paper) and re-reading an unchanged file
/// changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paper {
    /// The paper's id.
    pub id: PaperId,
    /// One record per source file, in the order they were first seen.
    pub records: Vec<Record>,
    /// The earliest day a record replaced since said the paper was listed, when no record
    /// held now says as early a day: a file read again under the same name on a later day
    /// (`latest.md`, rewritten daily) replaces what it said, but not when the paper was first
    /// listed ([`Paper::first_seen`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_before: Option<String>,
    /// The latest day a record replaced since said the paper was listed, when no record held
    /// now says as late a day: a digest rewritten under its name for an earlier day (a day
    /// generated again) does not take back that the paper was listed later
    /// ([`Paper::last_seen`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_until: Option<String>,
}

impl Paper {
    /// A paper known from one record.
    pub fn from_record(record: Record) -> Paper {
        Paper { id: record.id.clone(), records: vec![record], listed_before: None, listed_until: None }
    }

    /// A paper known from no record yet, to [`Paper::merge`] records into.
    pub fn empty(id: PaperId) -> Paper {
        Paper { id, records: Vec::new(), listed_before: None, listed_until: None }
    }

    /// Merges `record` (which must be about this paper) into it.
    ///
    /// A record that says nothing of the paper (no title, no section: a summary that is the
    /// summariser's apology for not reading it, its text left out by the parser) does not
    /// erase what the same file said of it before: that text is kept, and the rest (link,
    /// listing day) is taken from the new record. A file downloaded again on a bad day must
    /// not cost the paper the summary it had.
    pub fn merge(&mut self, mut record: Record) -> MergeOutcome {
        debug_assert_eq!(record.id, self.id);
        match self
            .records
            .iter_mut()
            .find(|r| r.source.path == record.source.path && r.source.format == record.source.format)
        {
            Some(existing) if record.says_nothing() && !existing.says_nothing() => {
                record.title.clone_from(&existing.title);
                record.title_zh.clone_from(&existing.title_zh);
                record.sections.clone_from(&existing.sections);
                self.merge(record)
            }
            Some(existing) if *existing == record => MergeOutcome::Unchanged,
            Some(existing) => {
                let replaced = std::mem::replace(existing, record);
                if let Some(day) = replaced.source.date {
                    if self.first_listed().is_none_or(|held| day.as_str() < held) {
                        self.listed_before = Some(day.clone());
                    }
                    if self.last_listed().is_none_or(|held| day.as_str() > held) {
                        self.listed_until = Some(day);
                    }
                }
                MergeOutcome::Updated
            }
            None => {
                self.records.push(record);
                MergeOutcome::Updated
            }
        }
    }

    /// Drops the records that came from `path`; returns whether any did.
    pub fn forget_source(&mut self, path: &str) -> bool {
        let before = self.records.len();
        self.records.retain(|r| r.source.path != path);
        before != self.records.len()
    }

    fn first<'a, T: ?Sized>(&'a self, pick: impl Fn(&'a Record) -> Option<&'a T>) -> Option<&'a T> {
        // Digest reports carry the curated title and summary, so they speak first.
        self.records_by_preference().find_map(pick)
    }

    fn records_by_preference(&self) -> impl Iterator<Item = &Record> {
        let rank = |f: SourceFormat| match f {
            SourceFormat::DailyReport => 0,
            SourceFormat::HfDailyApi => 1,
            SourceFormat::PaperMarkdown => 2,
            SourceFormat::ZhSummaries => 3,
        };
        let mut order: Vec<&Record> = self.records.iter().collect();
        order.sort_by_key(|r| rank(r.source.format));
        order.into_iter()
    }

    /// The English title (or the best title any source has).
    pub fn title(&self) -> &str {
        self.first(|r| r.title.as_deref().filter(|t| !t.trim().is_empty()))
            .or_else(|| self.title_zh())
            .unwrap_or(self.id.as_str())
    }

    /// Every English title the paper's sources give, the shown one ([`Paper::title`]) first:
    /// a source's corrected title is searchable though another source's is shown.
    pub fn titles(&self) -> Vec<&str> {
        unique(self.records_by_preference().filter_map(|r| r.title.as_deref()))
    }

    /// The Chinese title, when a source gives one.
    pub fn title_zh(&self) -> Option<&str> {
        self.first(|r| r.title_zh.as_deref().filter(|t| !t.trim().is_empty()))
    }

    /// A link to the paper: the one a source gave, else the arXiv page.
    pub fn url(&self) -> String {
        self.first(|r| r.url.as_deref()).map(str::to_string).unwrap_or_else(|| self.id.arxiv_url())
    }

    /// The paper's date: its publication date when known, else the first day a source listed it.
    pub fn date(&self) -> Option<&str> {
        let published = self.records.iter().filter_map(|r| r.published.as_deref()).min();
        published.or_else(|| self.first_listed())
    }

    /// The first day a source listed this paper (a digest's or dump's day, those of records
    /// since replaced included), else its publication date: what "new since" and date filters
    /// go by.
    pub fn first_seen(&self) -> Option<&str> {
        self.first_listed().or_else(|| self.records.iter().filter_map(|r| r.published.as_deref()).min())
    }

    /// The first day a source listed this paper, if any said.
    fn first_listed(&self) -> Option<&str> {
        let held = self.records.iter().filter_map(|r| r.source.date.as_deref());
        held.chain(self.listed_before.as_deref()).min()
    }

    /// The last day a source listed this paper (those of records since replaced included),
    /// else its publication date.
    pub fn last_seen(&self) -> Option<&str> {
        self.last_listed().or_else(|| self.records.iter().filter_map(|r| r.published.as_deref()).max())
    }

    /// The last day a source listed this paper, if any said.
    fn last_listed(&self) -> Option<&str> {
        let held = self.records.iter().filter_map(|r| r.source.date.as_deref());
        held.chain(self.listed_until.as_deref()).max()
    }

    /// Hugging Face upvotes: the highest any source reports.
    pub fn upvotes(&self) -> Option<u32> {
        self.records.iter().filter_map(|r| r.upvotes).max()
    }

    /// The formats of the sources that listed this paper, each once.
    pub fn source_formats(&self) -> Vec<SourceFormat> {
        SourceFormat::ALL.into_iter().filter(|f| self.records.iter().any(|r| r.source.format == *f)).collect()
    }

    /// Every author named by any source, first spelling wins.
    pub fn authors(&self) -> Vec<&str> {
        unique(self.records_by_preference().flat_map(|r| r.authors.iter().map(String::as_str)))
    }

    /// Every keyword given by any source.
    pub fn keywords(&self) -> Vec<&str> {
        unique(self.records_by_preference().flat_map(|r| r.keywords.iter().map(String::as_str)))
    }

    /// Every distinct section of every source, preferred sources first. The same abstract
    /// listed on five days appears once.
    pub fn sections(&self) -> Vec<&Section> {
        self.sections_with_sources().into_iter().map(|(section, _)| section).collect()
    }

    /// [`Paper::sections`], each with the source it came from.
    pub fn sections_with_sources(&self) -> Vec<(&Section, &Source)> {
        let mut seen = std::collections::HashSet::new();
        self.records_by_preference()
            .flat_map(|r| r.sections.iter().map(move |s| (s, &r.source)))
            .filter(|(s, _)| !s.text.trim().is_empty() && seen.insert((s.kind, s.text.trim())))
            .collect()
    }

    /// The sections as a reader sees them (`show`, the API's paper, the page, MCP), each under
    /// a heading no other section of the paper has. Where two sections share a label, the
    /// heading adds their language when they differ in it (a paper-markdown file's `## 摘要`
    /// and `## Abstract` are both abstracts), then their source when sections of one language
    /// still share it (two days' differing abstracts), then their order.
    pub fn shown_sections(&self) -> Vec<ShownSection<'_>> {
        let sections = self.sections_with_sources();
        let langs: Vec<Lang> = sections.iter().map(|(s, _)| Lang::detect(&s.text)).collect();
        let mut shown = Vec::with_capacity(sections.len());
        for (at, &(section, source)) in sections.iter().enumerate() {
            let lang = langs[at];
            let alike: Vec<usize> = (0..sections.len()).filter(|&i| sections[i].0.label() == section.label()).collect();
            let mut label = section.label().to_string();
            if alike.iter().any(|&i| langs[i] != lang) {
                label = format!("{label} · {}", lang.name());
            }
            let same_lang: Vec<usize> = alike.iter().copied().filter(|&i| langs[i] == lang).collect();
            if same_lang.len() > 1 {
                if same_lang.iter().all(|&i| i == at || sections[i].1 != source) {
                    label = format!("{label} · {}", source.format.label());
                    if let Some(date) = &source.date {
                        label = format!("{label}, {date}");
                    }
                } else {
                    let nth = same_lang.iter().position(|&i| i == at).unwrap_or(0) + 1;
                    label = format!("{label} · {nth}");
                }
            }
            shown.push(ShownSection { section, source, lang, label });
        }
        shown
    }

    /// The dates of every source that listed this paper, sorted and unique.
    pub fn source_dates(&self) -> Vec<&str> {
        let mut dates: Vec<&str> = self.records.iter().filter_map(|r| r.source.date.as_deref()).collect();
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    /// The languages the paper's text is written in.
    pub fn languages(&self) -> Vec<Lang> {
        let mut langs: Vec<Lang> = self.sections().iter().map(|s| Lang::detect(&s.text)).collect();
        langs.sort_by_key(|l| l.code());
        langs.dedup();
        langs
    }

    /// A hash of the text that search sees (titles, sections, keywords, authors). Two papers
    /// with the same hash index and embed the same way.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let mut put = |part: &str| {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        };
        put(self.title());
        put(self.title_zh().unwrap_or(""));
        for section in self.sections() {
            put(section.label());
            put(&section.text);
        }
        for keyword in self.keywords() {
            put(keyword);
        }
        for author in self.authors() {
            put(author);
        }
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    items.map(str::trim).filter(|s| !s.is_empty() && seen.insert(s.to_lowercase())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_that_lost_sections_or_most_of_its_text_says_what_it_lost() {
        let mut whole = record("a.md", &"实验结果很好。".repeat(40));
        whole.sections.push(Section::new(SectionKind::Results, "实验效果：提升 10%。"));
        let mut cut = whole.clone();
        cut.sections.pop();
        let message = cut.lost_since(&whole).expect("a section lost");
        assert!(message.contains(&format!("lost its section {} and", SectionKind::Results.label())), "{message}");
        cut.sections.pop();
        let message = cut.lost_since(&whole).expect("two sections lost");
        assert!(message.contains("lost its sections "), "{message}");
        let mut shorter = whole.clone();
        shorter.sections[0].text.truncate(60);
        assert!(shorter.lost_since(&whole).is_some_and(|m| m.contains("bytes of text")));
        // An edit that keeps every section and most of the text is no loss.
        let mut edited = whole.clone();
        edited.sections[1].text = "实验效果：提升 12%。".into();
        assert_eq!(edited.lost_since(&whole), None);
        assert_eq!(whole.lost_since(&cut), None, "a record that gained is no loss");
    }

    #[test]
    fn ids_are_normalised_from_every_spelling() {
        let want = PaperId::parse("2602.02958");
        assert!(want.is_some());
        for url in [
            "https://huggingface.co/papers/2602.02958",
            "https://arxiv.org/abs/2602.02958v2",
            "http://arxiv.org/pdf/2602.02958v1.pdf",
            "arxiv.org/abs/2602.02958?context=cs",
        ] {
            assert_eq!(PaperId::from_url(url), want, "{url}");
        }
        for pasted in [
            "2602.02958",
            " 2602.02958v2\n",
            "arXiv:2602.02958",
            "ARXIV:2602.02958v1",
            "2602.02958V2",
            "https://huggingface.co/papers/2602.02958",
            "https://arxiv.org/pdf/2602.02958v2.pdf",
            // Copied from a sentence or a list, with the punctuation around it.
            "2602.02958.",
            "(2602.02958),",
            "“arXiv: 2602.02958”",
            "https://arxiv.org/abs/2602.02958.",
            "<https://huggingface.co/papers/2602.02958>)",
            "【2602.02958】。",
            // A copy that carried an invisible character along, a link typed in capitals,
            // and the DOI arXiv's pages offer for citing.
            "2602.02958\u{200B}",
            "\u{FEFF}2602.02958",
            "HTTPS://ARXIV.ORG/ABS/2602.02958",
            "HTTPS://HUGGINGFACE.CO/PAPERS/2602.02958",
            "10.48550/arXiv.2602.02958",
            "doi:10.48550/arXiv.2602.02958",
            "https://doi.org/10.48550/arXiv.2602.02958",
        ] {
            assert_eq!(PaperId::from_pasted(pasted), want, "{pasted:?}");
        }
        for not_one in [
            "2602.02958 2602.03560",
            "arXiv:",
            "https://example.com/2602.02958",
            "see 2602.02958",
            "(2602.0295).",
            "10.1234/2602.02958",
            "doi:",
        ] {
            assert_eq!(PaperId::from_pasted(not_one), None, "{not_one:?}");
        }
        assert_eq!(PaperId::parse("cs/0501001v2").map(|p| p.to_string()).as_deref(), Some("cs/0501001"));
        assert!(PaperId::parse("1412.6980").is_some(), "four digits until December 2014");
        assert!(PaperId::parse("hep-th/9901001").is_some() && PaperId::parse("math.ag/0309136").is_some());
        assert_eq!(PaperId::from_pasted("hep-th/9901001.").map(|p| p.to_string()).as_deref(), Some("hep-th/9901001"));
        for bad in [
            "",
            "v2",
            "2602",
            "2602.0295x",
            "hello/world",
            "26020.2958",
            "2602.02958v",
            // A link cut short, and sequences of the wrong era's length.
            "2602.0390",
            "1412.69801",
            // No month 0 or 13.
            "2600.00010",
            "2613.00001",
            "0000.0000",
            // Before new-style ids began (April 2007).
            "0612.1234",
            "0703.0001",
            // Archives that are no name.
            "../1234567",
            ".-./9912001",
            "-/0000000",
        ] {
            assert_eq!(PaperId::parse(bad), None, "{bad}");
        }
    }

    /// A daily list kept under one name (`latest.json`, rewritten each day) names a paper on
    /// the 5th and again on the 6th: its record is replaced, and the paper was still first
    /// seen on the 5th, whatever the order the days are read in.
    #[test]
    fn a_file_rewritten_under_its_name_keeps_the_day_it_first_listed_a_paper() {
        let listed = |day: &str, text: &str| {
            let mut r = record("latest.json", text);
            r.source.date = Some(day.into());
            r
        };
        let mut paper = Paper::from_record(listed("2026-02-05", "first words"));
        assert_eq!(paper.merge(listed("2026-02-06", "edited words")), MergeOutcome::Updated);
        assert_eq!((paper.first_seen(), paper.last_seen()), (Some("2026-02-05"), Some("2026-02-06")));
        assert_eq!(paper.records.len(), 1, "the file's record is replaced");
        assert_eq!(paper.sections()[0].text, "edited words");
        assert_eq!(paper.merge(listed("2026-02-07", "edited words")), MergeOutcome::Updated);
        assert_eq!(paper.first_seen(), Some("2026-02-05"));
        // Stored and read back, it remembers; a paper no file rewrote stores no such field.
        let stored = serde_json::to_string(&paper).expect("json");
        assert_eq!(serde_json::from_str::<Paper>(&stored).expect("read").first_seen(), Some("2026-02-05"));
        let plain = serde_json::to_string(&Paper::from_record(listed("2026-02-05", "x"))).expect("json");
        assert!(!plain.contains("listed_before") && !plain.contains("listed_until"), "{plain}");
        // Read in the other order, the earlier day replaces the later one and is the first.
        let mut backwards = Paper::from_record(listed("2026-02-06", "edited words"));
        backwards.merge(listed("2026-02-05", "first words"));
        assert_eq!((backwards.first_seen(), backwards.listed_before.as_deref()), (Some("2026-02-05"), None));
        // and the later day stays the last one it was listed.
        assert_eq!(backwards.last_seen(), Some("2026-02-06"));
        let stored = serde_json::to_string(&backwards).expect("json");
        assert_eq!(serde_json::from_str::<Paper>(&stored).expect("read").last_seen(), Some("2026-02-06"));
    }

    fn record(path: &str, text: &str) -> Record {
        let id = PaperId::parse("2602.02958").expect("valid id");
        let mut r = Record::new(id, Source { path: path.into(), format: SourceFormat::HfDailyApi, date: None });
        r.sections.push(Section::new(SectionKind::Abstract, text));
        r
    }

    #[test]
    fn a_reader_can_tell_two_sections_of_one_name_apart() {
        // A paper-markdown file holds its abstract twice, as `## 摘要` and `## Abstract`.
        let mut file = record("p.md", "本文提出一种新的量化方法，显著降低显存。");
        file.source.format = SourceFormat::PaperMarkdown;
        file.sections.push(Section::new(SectionKind::Abstract, "We propose a new quantization method."));
        file.sections.push(Section::new(SectionKind::Method, "逐层量化。"));
        let mut paper = Paper::from_record(file);
        let labels = |paper: &Paper| paper.shown_sections().into_iter().map(|s| s.label).collect::<Vec<_>>();
        assert_eq!(labels(&paper), ["Abstract · 中文", "Abstract · English", SectionKind::Method.label()]);
        // Two days' differing English abstracts: told apart by their sources.
        let mut day = Record::new(
            paper.id.clone(),
            Source { path: "d.json".into(), format: SourceFormat::HfDailyApi, date: Some("2026-02-05".into()) },
        );
        day.sections.push(Section::new(SectionKind::Abstract, "We propose a newer quantization method."));
        paper.merge(day);
        assert_eq!(
            labels(&paper),
            [
                "Abstract · English · HF daily papers JSON, 2026-02-05",
                "Abstract · 中文",
                "Abstract · English · paper markdown",
                SectionKind::Method.label(),
            ]
        );
    }

    #[test]
    fn merging_the_same_record_twice_changes_nothing() {
        let mut paper = Paper::from_record(record("a.json", "text"));
        let hash = paper.content_hash();
        assert_eq!(paper.merge(record("a.json", "text")), MergeOutcome::Unchanged);
        assert_eq!(paper.content_hash(), hash);
        assert_eq!(paper.merge(record("b.json", "text")), MergeOutcome::Updated);
        assert_eq!(paper.records.len(), 2);
        assert_eq!(paper.sections().len(), 1, "the same abstract from two days is one section");
        assert_eq!(paper.content_hash(), hash, "a second source with the same text searches the same");
        assert_eq!(paper.merge(record("a.json", "new text")), MergeOutcome::Updated);
        assert_eq!(paper.records.len(), 2);
        assert_ne!(paper.content_hash(), hash);
    }

    #[test]
    fn a_record_that_says_nothing_keeps_what_its_file_said_before() {
        let mut whole = record("zh.json", "提出了一种分层的骨干网络。");
        whole.title = Some("ConvLLaVA".into());
        let mut paper = Paper::from_record(whole.clone());
        // The same file downloaded again: the summariser's apology, its text left out.
        let mut apology = Record::new(whole.id.clone(), whole.source.clone());
        apology.url = whole.url.clone();
        assert!(apology.says_nothing());
        assert_eq!(paper.merge(apology.clone()), MergeOutcome::Unchanged);
        assert_eq!(paper.records, [whole.clone()]);
        // What else it says is taken: a new link.
        apology.url = Some("https://arxiv.org/abs/2602.02958v2".into());
        assert_eq!(paper.merge(apology), MergeOutcome::Updated);
        assert_eq!(paper.title(), "ConvLLaVA");
        assert_eq!(paper.records[0].sections, whole.sections);
        assert_eq!(paper.records[0].url.as_deref(), Some("https://arxiv.org/abs/2602.02958v2"));
        // A record with text still replaces the file's earlier one.
        assert_eq!(paper.merge(record("zh.json", "新的摘要。")), MergeOutcome::Updated);
        assert_eq!(paper.records[0].sections[0].text, "新的摘要。");
    }

    #[test]
    fn language_detection_tolerates_english_terms_in_chinese() {
        assert_eq!(Lang::detect("提出了 Quant VideoGen，一种用于 KV-Cache 量化的方法"), Lang::Zh);
        assert_eq!(Lang::detect("We propose a 2-bit KV cache quantization"), Lang::En);
    }
}
