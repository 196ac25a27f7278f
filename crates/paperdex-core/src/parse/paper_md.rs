//! One paper per markdown file, in three generations of the same collector:
//!
//! - YAML front matter (`title`, `title_zh`, `authors`, `date`, `pdf`, `tags`, `tldr`,
//!   `abstract_en`, `motivation`, `method`, `result`, `conclusion`, plus collector fields such
//!   as `score` or `figures_json` that say nothing about the paper), then `## Abstract`,
//!   `## 摘要` and a long `## 论文详细总结` body;
//! - plain markdown: `# Title`, `# 中文标题`, `**Authors**: ...`, `**Date**: ...`,
//!   `**PDF**: <url>`, `**Tags**: <span>...</span>`, then `## 速览` with `**Motivation**：...`
//!   lines, `## 摘要`, `## Abstract`;
//! - the same as HTML blocks (`<h1 class="paper-title-en">`, `<p><strong>PDF</strong>: ...`,
//!   `<div class="paper-glance-label">Motivation</div>`), read by turning each HTML line back
//!   into the markdown it stands for.
//!
//! The id comes from the `pdf` field, else a `**PDF**:` line or an arXiv link in the header,
//! else the arXiv id the file name starts with (`2511.23073v1-slug.md`).

use std::borrow::Cow;

use serde_yaml::{Mapping, Value};

use super::sections::{Preamble, split};
use super::text::{collapse_whitespace, date_in_file_name, non_empty, normalize_date, snippet};
use super::{ParseError, ParsedFile, RecordWarning, RejectedRecord};
use crate::paper::{Lang, PaperId, Record, Section, SectionKind, Source, SourceFormat};

/// How many lines from the top are searched for the header of a plain paper file.
const HEADER_LINES: usize = 80;

/// Whether `content` is a paper markdown: front matter, or a title and paper metadata.
pub(super) fn looks_like_paper(content: &str) -> bool {
    if is_fence(content.lines().next().unwrap_or("")) {
        return true;
    }
    let head = || content.lines().take(HEADER_LINES);
    let has_title = head().any(|l| l.starts_with("# ") || l.contains("class=\"paper-title"));
    let has_meta = head().any(|l| {
        [
            "**PDF**",
            "**Authors**",
            "<strong>PDF</strong>",
            "<strong>Authors</strong>",
            "arxiv.org/abs/",
            "arxiv.org/pdf/",
        ]
        .iter()
        .any(|marker| l.contains(marker))
    });
    has_title && has_meta
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// What the front matter and the header of the body say; front matter first.
#[derive(Default)]
struct Meta {
    title: Option<String>,
    title_zh: Option<String>,
    authors: Vec<String>,
    date: Option<String>,
    /// A date given that is no calendar day (`2026-13-45`), as written: said in a warning.
    bad_date: Option<String>,
    pdf: Option<String>,
    tags: Vec<String>,
    /// Known sections given as fields (`tldr:`, `motivation:`...) or header lines (`**TLDR**:`).
    sections: Vec<Section>,
}

impl Meta {
    /// Fills what is still missing from `other` (front matter wins over the body's header).
    fn or(mut self, other: Meta) -> Meta {
        self.title = self.title.or(other.title);
        self.title_zh = self.title_zh.or(other.title_zh);
        if self.authors.is_empty() {
            self.authors = other.authors;
        }
        self.date = self.date.or(other.date);
        self.bad_date = self.bad_date.or(other.bad_date);
        self.pdf = self.pdf.or(other.pdf);
        self.tags.extend(other.tags);
        self.sections.extend(other.sections);
        self
    }
}

/// Parses a paper markdown file.
pub(super) fn parse(path: &str, content: &str) -> Result<ParsedFile, ParseError> {
    let (front, body) = match split_front_matter(content)? {
        Some((yaml, body)) => (front_matter(yaml)?, body),
        None => (Meta::default(), content),
    };
    let lines: Vec<Cow<'_, str>> = body.lines().map(html_line).collect();
    let section_start = lines
        .iter()
        .take(HEADER_LINES)
        .position(|l| l.starts_with("##"))
        .unwrap_or_else(|| lines.len().min(HEADER_LINES));
    let (header, kept) = read_header(&lines[..section_start]);
    let meta = front.or(header);

    let source = Source { path: path.to_string(), format: SourceFormat::PaperMarkdown, date: date_in_file_name(path) };
    let reject = |reason: String| ParsedFile {
        format: SourceFormat::PaperMarkdown,
        records: Vec::new(),
        rejected: vec![RejectedRecord { position: 1, line: Some(1), reason }],
        warnings: Vec::new(),
    };
    let Some((id, url)) = paper_id(&meta, &lines[..section_start], path) else {
        let pdf = meta.pdf.as_deref().map(|p| format!(" (`pdf` {:?} is not an arXiv link)", snippet(p, 80)));
        return Ok(reject(format!(
            "no arXiv id{}: no `pdf:` field, `**PDF**:` line or arXiv link in the header, and the file name does not start with an arXiv id",
            pdf.unwrap_or_default()
        )));
    };

    // A date given but unreadable is said, not dropped in silence (the paper has none then).
    let warnings = match (&meta.date, &meta.bad_date) {
        (None, Some(raw)) => vec![RecordWarning {
            position: 1,
            line: Some(1),
            paper: id.clone(),
            message: format!("its date {:?} is no calendar day (YYYY-MM-DD): left out", snippet(raw, 40)),
        }],
        _ => Vec::new(),
    };
    let mut record = Record::new(id, source);
    record.url = url;
    record.title = meta.title;
    record.title_zh = meta.title_zh;
    record.published = meta.date;
    record.authors = meta.authors;
    let mut tags: Vec<String> = Vec::new();
    for tag in meta.tags {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    record.keywords = tags;

    let known: Vec<String> = meta.sections.iter().map(|s| collapse_whitespace(&s.text)).collect();
    record.sections = meta.sections;
    let body_lines = kept.into_iter().chain(lines[section_start..].iter().map(|l| l.as_ref()));
    for section in split(body_lines, Preamble::Split) {
        // The body often repeats a front-matter field word for word (`## Abstract`).
        if !known.contains(&collapse_whitespace(&section.text)) {
            record.sections.push(section);
        }
    }
    if record.title.is_none() && record.title_zh.is_none() && record.sections.is_empty() {
        return Ok(reject(format!("paper {} has no text: no title and no sections", record.id)));
    }
    if let Some(reason) = record.too_large() {
        return Ok(reject(reason));
    }
    Ok(ParsedFile { format: SourceFormat::PaperMarkdown, records: vec![record], rejected: Vec::new(), warnings })
}

/// Splits `---\n<yaml>\n---\n<body>` into its YAML and body; `None` without front matter.
fn split_front_matter(content: &str) -> Result<Option<(&str, &str)>, ParseError> {
    let mut parts = content.split_inclusive('\n');
    let Some(first) = parts.next().filter(|l| is_fence(l)) else {
        return Ok(None);
    };
    let mut offset = first.len();
    for line in parts {
        if is_fence(line) || line.trim_end() == "..." {
            return Ok(Some((&content[first.len()..offset], &content[offset + line.len()..])));
        }
        offset += line.len();
    }
    Err(ParseError::InvalidFrontMatter {
        line: 1,
        message: "the front matter opened by `---` on line 1 is never closed by a `---` line".to_string(),
    })
}

/// The deepest nesting of `[` and `{` the front matter may have. The YAML parser takes time
/// quadratic in the depth of such collections before its own limit (128) stops it: 200,000
/// `[` took 64 s, holding the index's writer lock. Real front matter nests two deep.
const MAX_FRONT_MATTER_DEPTH: usize = 64;

/// The deepest nesting of flow collections (`[`, `{`) in `yaml`, outside quoted strings. A
/// quote opens a string only where a scalar starts (after `[`, `{`, `,`, `:` or at a line's
/// start), so the apostrophe of `O'Brien` is a letter; no string outlives its line.
fn flow_depth(yaml: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for line in yaml.lines() {
        let mut quote = None;
        let mut scalar_starts = true;
        for c in line.chars() {
            match (quote, c) {
                (Some(open), c) if c == open => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if scalar_starts => quote = Some(c),
                (None, '[' | '{') => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            if quote.is_none() && !c.is_whitespace() {
                scalar_starts = matches!(c, '[' | '{' | ',' | ':' | '-');
            }
        }
    }
    deepest
}

/// Reads the front matter's fields. The YAML starts on line 2 of the file.
fn front_matter(yaml: &str) -> Result<Meta, ParseError> {
    if flow_depth(yaml) > MAX_FRONT_MATTER_DEPTH {
        return Err(ParseError::InvalidFrontMatter {
            line: 2,
            message: format!(
                "collections nested more than {MAX_FRONT_MATTER_DEPTH} deep; front matter holds flat fields"
            ),
        });
    }
    let value: Value = serde_yaml::from_str(yaml).map_err(|error| {
        let (line, column) = error.location().map_or((2, None), |l| (l.line() + 1, Some(l.column())));
        let mut message = without_location(&error.to_string());
        if let Some(column) = column {
            message.push_str(&format!(" (column {column})"));
        }
        ParseError::InvalidFrontMatter { line, message }
    })?;
    let map = match value {
        Value::Mapping(map) => map,
        Value::Null => Mapping::new(),
        other => {
            return Err(ParseError::InvalidFrontMatter {
                line: 2,
                message: format!("expected `key: value` fields, found {}", yaml_kind(&other)),
            });
        }
    };
    let text = |key: &str| map.get(key).and_then(scalar).as_deref().and_then(non_empty).map(str::to_string);
    let (date, bad_date) = match text("date") {
        Some(raw) => match normalize_date(&raw) {
            Some(date) => (Some(date), None),
            None => (None, Some(raw)),
        },
        None => (None, None),
    };
    let mut meta = Meta {
        title: text("title").map(|t| collapse_whitespace(&t)),
        title_zh: text("title_zh").map(|t| collapse_whitespace(&t)),
        authors: map.get("authors").map(|v| list(v, &[',', '，', ';'])).unwrap_or_default(),
        date,
        bad_date,
        pdf: text("pdf"),
        tags: map.get("tags").map(|v| list(v, &[',', '，'])).unwrap_or_default(),
        sections: Vec::new(),
    };
    for (key, kind) in [
        ("tldr", SectionKind::Tldr),
        ("abstract_en", SectionKind::Abstract),
        ("abstract", SectionKind::Abstract),
        ("abstract_zh", SectionKind::Abstract),
        ("motivation", SectionKind::Motivation),
        ("method", SectionKind::Method),
        ("result", SectionKind::Results),
        ("results", SectionKind::Results),
        ("conclusion", SectionKind::Conclusion),
    ] {
        if let Some(value) = text(key) {
            meta.sections.push(Section::new(kind, value));
        }
    }
    Ok(meta)
}

/// serde_yaml's message without its "at line L column C", which counts from the YAML block
/// and not from the file.
fn without_location(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[start + " at line ".len()..];
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix(" column ").map_or(rest, |r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
    format!("{}{}", &message[..start], rest)
}

fn yaml_kind(value: &Value) -> &'static str {
    match value {
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
        _ => "a single value",
    }
}

/// A scalar field as text (`date: 20170612` is a number to YAML).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(tagged) => scalar(&tagged.value),
        _ => None,
    }
}

/// A list field, written as a YAML list or as one string with separators.
fn list(value: &Value, separators: &[char]) -> Vec<String> {
    let items: Vec<String> = match value {
        Value::Sequence(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).map(|s| s.split(separators).map(str::to_string).collect()).unwrap_or_default(),
    };
    items.iter().filter_map(|s| non_empty(s)).map(collapse_whitespace).collect()
}

/// Reads the title and metadata lines above the first `##` section; returns them and the
/// header lines that are neither (kept as text).
fn read_header<'a>(lines: &'a [Cow<'a, str>]) -> (Meta, Vec<&'a str>) {
    let mut meta = Meta::default();
    let mut kept = Vec::new();
    let mut tldr: Option<String> = None;
    for line in lines.iter().map(|l| l.as_ref()) {
        if let Some(title) = line.strip_prefix("# ").and_then(non_empty) {
            let slot = match Lang::detect(title) {
                Lang::Zh => &mut meta.title_zh,
                Lang::En => &mut meta.title,
            };
            if slot.is_none() {
                *slot = Some(collapse_whitespace(title));
                continue;
            }
        }
        // A merge conflict left in a file doubles its header; the first side wins.
        if ["<<<<<<< ", ">>>>>>> "].iter().any(|m| line.starts_with(m)) || line.trim_end() == "=======" {
            continue;
        }
        let Some((key, value)) = meta_line(line) else {
            kept.push(line);
            continue;
        };
        match key.to_lowercase().as_str() {
            "authors" | "author" | "作者" => {
                if meta.authors.is_empty() {
                    meta.authors =
                        value.split([',', '，', ';']).filter_map(non_empty).map(collapse_whitespace).collect();
                }
            }
            "date" | "日期" => match normalize_date(value) {
                Some(date) => meta.date = meta.date.take().or(Some(date)),
                None => meta.bad_date = meta.bad_date.take().or_else(|| non_empty(value).map(str::to_string)),
            },
            "pdf" | "arxiv" | "url" | "链接" => {
                meta.pdf = meta.pdf.take().or_else(|| non_empty(value).map(str::to_string))
            }
            "tags" | "keywords" | "关键词" => meta.tags.extend(tag_values(value)),
            "tldr" => tldr = tldr.or_else(|| non_empty(value).map(str::to_string)),
            // The collector's ranking of the paper for its own queries, not about the paper.
            "score" | "evidence" => {}
            _ => kept.push(line),
        }
    }
    if let Some(tldr) = tldr {
        meta.sections.push(Section::new(SectionKind::Tldr, tldr));
    }
    (meta, kept)
}

/// `**Key**: value` (also `**Key:** value`, `**Key**：value`, with a trailing ` \`).
fn meta_line(line: &str) -> Option<(&str, &str)> {
    let s = line.trim().strip_prefix("**")?;
    let end = s.find("**")?;
    let key = s[..end].trim().trim_end_matches([':', '：']).trim();
    let value = s[end + 2..].trim_start();
    let value = value.strip_prefix([':', '：'])?.trim();
    let value = value.strip_suffix('\\').map_or(value, str::trim_end);
    (!key.is_empty() && key.chars().count() <= 20).then_some((key, value))
}

/// Tags written as `<span class="tag-label">SR</span> <span>...</span>` or comma-separated.
fn tag_values(value: &str) -> Vec<String> {
    let pieces: Vec<String> = if value.contains("<span") {
        value.split("</span>").map(|piece| strip_tags(piece, false)).collect()
    } else {
        value.split([',', '，']).map(str::to_string).collect()
    };
    pieces.iter().filter_map(|p| non_empty(p)).map(collapse_whitespace).collect()
}

/// The id and the link it came from: `pdf`, else an arXiv link in the header, else the file
/// name.
fn paper_id(meta: &Meta, header: &[Cow<'_, str>], path: &str) -> Option<(PaperId, Option<String>)> {
    if let Some(pdf) = &meta.pdf {
        let url = strip_tags(pdf, false);
        if let Some(id) = PaperId::from_url(&url) {
            return Some((id, Some(url.trim().to_string())));
        }
    }
    for line in header {
        let mut rest = line.as_ref();
        while let Some(pos) = rest.find("arxiv.org/") {
            let link = &rest[pos..];
            let end = link.find(|c: char| c.is_whitespace() || "()<>\"'[]".contains(c)).unwrap_or(link.len());
            if let Some(id) = PaperId::from_url(&link[..end]) {
                return Some((id, Some(format!("https://{}", &link[..end]))));
            }
            rest = &link["arxiv.org/".len()..];
        }
    }
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.split(['-', '_', ' ']).next().unwrap_or(name);
    PaperId::parse(stem.strip_suffix(".md").unwrap_or(stem)).map(|id| (id, None))
}

/// A line of HTML as the markdown it stands for: `<h2 ...>速览</h2>` is `## 速览`,
/// `<p><strong>PDF</strong>: <a href=..>url</a></p>` is `**PDF**: url`. Other lines are kept.
fn html_line(line: &str) -> Cow<'_, str> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('<') || !trimmed[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') {
        return Cow::Borrowed(line);
    }
    for level in 1..=6 {
        if trimmed.starts_with(&format!("<h{level}")) {
            return Cow::Owned(format!("{} {}", "#".repeat(level), strip_tags(trimmed, false).trim()));
        }
    }
    let marked = trimmed.replace("<strong>", "**").replace("</strong>", "**");
    Cow::Owned(strip_tags(&marked, marked.contains("tag-label")).trim().to_string())
}

/// Removes HTML tags (all, or all but `<span>`s) and decodes the common entities.
fn strip_tags(html: &str, keep_spans: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let Some(close) = tag.find('>') else {
            // A lone `<` (`a < b`) is text.
            out.push_str(tag);
            rest = "";
            break;
        };
        let is_span = tag.starts_with("<span") || tag.starts_with("</span");
        if keep_spans && is_span {
            out.push_str(&tag[..=close]);
        }
        rest = &tag[close + 1..];
    }
    out.push_str(rest);
    for (entity, text) in
        [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")]
    {
        if out.contains(entity) {
            out = out.replace(entity, text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_lines_read_as_markdown() {
        assert_eq!(html_line("<h1 class=\"paper-title-en\">Vehicle Routing</h1>"), "# Vehicle Routing");
        assert_eq!(
            html_line(
                "<p><strong>PDF</strong>: <a href=\"https://arxiv.org/pdf/2601.15131v1\">https://arxiv.org/pdf/2601.15131v1</a></p>"
            ),
            "**PDF**: https://arxiv.org/pdf/2601.15131v1"
        );
        assert_eq!(html_line("<div class=\"paper-glance-label\">Motivation</div>"), "Motivation");
        assert_eq!(html_line("<0.5 is small"), "<0.5 is small");
        assert_eq!(html_line("<div"), "<div");
        let tags = html_line(
            "<p><strong>Tags</strong>: <span class=\"tag-label\">LNS</span> <span class=\"tag-label\">EAA</span></p>",
        );
        let (key, value) = meta_line(&tags).expect("a meta line");
        assert_eq!((key, tag_values(value)), ("Tags", vec!["LNS".to_string(), "EAA".to_string()]));
    }

    #[test]
    fn meta_lines_and_tags() {
        assert_eq!(meta_line("**Date**: 2025-11-28 \\"), Some(("Date", "2025-11-28")));
        assert_eq!(meta_line("**TLDR**：利用符号回归"), Some(("TLDR", "利用符号回归")));
        assert_eq!(meta_line("**粗体**句子"), None);
        assert_eq!(
            tag_values("<span class=\"tag-label tag-green\">keywords: llm</span> <span>SR</span>"),
            vec!["keywords: llm", "SR"]
        );
        assert_eq!(tag_values("a, b，c"), vec!["a", "b", "c"]);
    }

    #[test]
    fn yaml_locations_are_dropped_from_the_message() {
        assert_eq!(without_location("found x at line 9 column 92, while scanning"), "found x, while scanning");
        assert_eq!(without_location("no location"), "no location");
    }
}
