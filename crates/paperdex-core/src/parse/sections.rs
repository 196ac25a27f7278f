//! Splits a markdown summary into [`Section`]s by heading NAME, whatever the heading style.
//!
//! The daily reports are written by a model that styles the same five headings a dozen ways:
//! `1. **应用领域**`, `1. **应用领域**：inline text`, `### 1. 应用领域`, `### 1. **应用领域**`,
//! `#### 1. 应用领域`, `## 1. 应用领域`, `**1. 应用领域**`, `- **应用领域**: ...`. So a line is a
//! known heading when, once the markup (`#`s, bullet, bold, numbering) is peeled off, what is
//! left is a known name. Unknown names only count as headings when they are real markdown
//! headings (`## ...`); a bold numbered list item such as `1. **理论归因分析**：...` inside the
//! innovations is list content, not a section.

use crate::paper::{Section, SectionKind};

use super::text::section_text;

/// The section a heading name stands for, when it is a known one.
pub(super) fn known_kind(name: &str) -> Option<SectionKind> {
    let kind = |key: &str| -> Option<SectionKind> {
        use SectionKind::*;
        Some(match key {
            "应用领域" | "研究领域" | "领域" => Field,
            "一句话核心贡献" | "核心贡献" | "一句话贡献" | "一句话总结" | "一句话概括" => {
                CoreContribution
            }
            "使用指南" | "使用方法" | "使用说明" => Usage,
            "主要创新点" | "创新点" | "核心创新点" | "主要创新" => Innovations,
            "实验效果" | "实验结果" | "主要实验效果" => Results,
            "abstract" | "originalabstract" | "摘要" | "原文摘要" | "英文摘要" | "中文摘要" => Abstract,
            "tldr" | "tl;dr" => Tldr,
            "motivation" => Motivation,
            "method" | "methods" => Method,
            "result" | "results" => Results,
            "conclusion" | "conclusions" => Conclusion,
            _ => return None,
        })
    };
    let key: String = name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let key = key.trim_end_matches(['.', ':', '：', '。']);
    // `一句话核心贡献 (One-line contribution)`: the name is what comes before the brackets.
    kind(key).or_else(|| kind(key.split(['(', '（']).next().unwrap_or(key)))
}

/// A line recognised as a section heading.
#[derive(Debug, PartialEq)]
pub(super) struct Heading<'a> {
    /// The known section, or `None` for an unknown markdown heading.
    pub kind: Option<SectionKind>,
    /// The heading text without markup (for unknown headings).
    pub label: String,
    /// The number of `#`s, for markdown headings.
    pub level: Option<usize>,
    /// Text after `：`/`:` on the heading line itself (`1. **应用领域**：NLP`).
    pub inline: &'a str,
}

/// Recognises `line` as a section heading, known (any style) or unknown (`##`..`######` only).
pub(super) fn heading(line: &str) -> Option<Heading<'_>> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 || line.starts_with('\t') {
        return None;
    }
    let mut s = line.trim();
    // A markdown hard break (` \`) at the end is not part of the heading.
    s = s.strip_suffix('\\').map_or(s, str::trim_end);
    let hashes = s.len() - s.trim_start_matches('#').len();
    let mut level = None;
    if hashes > 0 {
        let rest = &s[hashes..];
        if hashes > 6 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            return None;
        }
        level = Some(hashes);
        s = rest.trim();
    }
    let whole = s;
    let mut bullet = false;
    // Only a top-level bullet can be a heading; `   *   **使用方法**：` is a sub-item.
    if level.is_none()
        && indent == 0
        && let Some(rest) = s.strip_prefix(['-', '*', '+']).filter(|r| r.starts_with([' ', '\t']))
    {
        bullet = true;
        s = rest.trim_start();
    }
    let (s, bold_outer) = strip_bold(s);
    let (s, numbered) = strip_number(s);
    let (s, bold_inner) = strip_bold(s);
    let bold = bold_outer || bold_inner;

    let end = [s.find(['：', ':']), s.find("**"), s.find("__")].into_iter().flatten().min().unwrap_or(s.len());
    let name = s[..end].trim();
    let mut rest = s[end..].trim_start();
    rest = strip_bold_close(rest);
    let colon = rest.starts_with(['：', ':']);
    if colon {
        rest = rest.trim_start_matches(['：', ':']).trim_start();
        rest = strip_bold_close(rest);
    }
    let inline = rest.trim();

    if let Some(kind) = known_kind(name) {
        let styled = level.is_some() || bold || numbered;
        // A bare name (`摘要`, `Motivation`) counts only alone on its line: inside prose,
        // `实验效果：...` is a sentence, not a heading. A bullet (`- **应用领域**：...`) is
        // usually a list item, so only the canonical names in bold make it a heading.
        let accepted = if bullet { bold && name == kind.label() } else { styled || inline.is_empty() };
        if accepted && !name.is_empty() {
            return Some(Heading { kind: Some(kind), label: name.to_string(), level, inline });
        }
    }
    match level {
        Some(level) if level >= 2 && !whole.is_empty() => Some(Heading {
            kind: None,
            label: whole.replace("**", "").trim().to_string(),
            level: Some(level),
            inline: "",
        }),
        _ => None,
    }
}

fn strip_bold(s: &str) -> (&str, bool) {
    match s.strip_prefix("**").or_else(|| s.strip_prefix("__")) {
        Some(rest) => (rest.trim_start(), true),
        None => (s, false),
    }
}

fn strip_bold_close(s: &str) -> &str {
    s.strip_prefix("**").or_else(|| s.strip_prefix("__")).map_or(s, str::trim_start)
}

/// Strips list numbering: `1.`, `2、`, `3)`, `(4)`, `（5）`, `一、`, `六．`.
fn strip_number(s: &str) -> (&str, bool) {
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after_digits = &s[digits..];
    if (1..=2).contains(&digits) {
        for mark in ['.', '、', ')', '．', '）'] {
            if let Some(rest) = after_digits.strip_prefix(mark) {
                // `1.5B` is a number, not a list item.
                if !rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return (rest.trim_start(), true);
                }
            }
        }
    }
    for (open, close) in [("(", ")"), ("（", "）")] {
        if let Some(inner) = s.strip_prefix(open) {
            let digits = inner.len() - inner.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if (1..=2).contains(&digits)
                && let Some(rest) = inner[digits..].strip_prefix(close)
            {
                return (rest.trim_start(), true);
            }
        }
    }
    let numerals = s.len() - s.trim_start_matches(|c| "一二三四五六七八九十".contains(c)).len();
    if numerals > 0 && numerals <= 3 * 3 {
        for mark in ['、', '．', '.'] {
            if let Some(rest) = s[numerals..].strip_prefix(mark) {
                return (rest.trim_start(), true);
            }
        }
    }
    (s, false)
}

/// How to treat unknown headings that come before the first known section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Preamble {
    /// Keep them in the text before the first known section: in a report that is the
    /// summary's own title (`# 论文分析报告：...`, `### 论文深度分析报告：...`).
    KeepWhole,
    /// Split there too: a paper markdown body is a series of `##` sections.
    Split,
}

struct Open<'a> {
    kind: SectionKind,
    heading: Option<String>,
    level: Option<usize>,
    inline: &'a str,
    lines: Vec<&'a str>,
}

impl<'a> Open<'a> {
    fn new(kind: SectionKind, heading: Option<String>, level: Option<usize>, inline: &'a str) -> Self {
        Open { kind, heading, level, inline, lines: Vec::new() }
    }

    fn close(self, out: &mut Vec<Section>) {
        let body = section_text(&self.lines);
        let text = match (self.inline.is_empty(), body.is_empty()) {
            (true, _) => body,
            (false, true) => self.inline.to_string(),
            (false, false) => format!("{}\n{}", self.inline, body),
        };
        // A heading with nothing under it (`## 速览` above its bold sub-items) has no text to
        // keep; dropping it loses only the word of the heading.
        if !text.trim().is_empty() {
            out.push(Section { kind: self.kind, heading: self.heading, text });
        }
    }
}

/// Splits `lines` into sections. Text before the first heading is [`SectionKind::Body`]
/// without a heading; unknown headings open [`SectionKind::Body`] sections that keep the
/// heading. A markdown heading nested deeper than the heading of the section it is in stays
/// inside that section. Headings inside code fences are text.
pub(super) fn split<'a>(lines: impl IntoIterator<Item = &'a str>, preamble: Preamble) -> Vec<Section> {
    let mut out = Vec::new();
    let mut current = Open::new(SectionKind::Body, None, None, "");
    let mut in_preamble = true;
    let mut fence: Option<&str> = None;
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            current.lines.push(line);
            continue;
        }
        if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            fence = Some(marker);
            current.lines.push(line);
            continue;
        }
        if let Some(h) = heading(line) {
            let opens = match h.kind {
                Some(_) => true,
                None if in_preamble => preamble == Preamble::Split,
                // `## 6. 局限性` after list-style sections, or a sibling of the current `###`.
                None => current.level.is_none_or(|open| h.level.is_some_and(|l| l <= open)),
            };
            if opens {
                let next = match h.kind {
                    Some(kind) => Open::new(kind, None, h.level, h.inline),
                    None => Open::new(SectionKind::Body, Some(h.label), h.level, ""),
                };
                std::mem::replace(&mut current, next).close(&mut out);
                in_preamble = false;
                continue;
            }
        }
        current.lines.push(line);
    }
    current.close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionKind::*;

    fn kind_of(line: &str) -> Option<SectionKind> {
        heading(line).and_then(|h| h.kind)
    }

    #[test]
    fn every_heading_style_of_the_sample_report_is_recognised() {
        for line in [
            "1. **应用领域**",
            "1. **应用领域**：",
            "### 1. 应用领域",
            "### 1. **应用领域**",
            "#### 1. 应用领域",
            "## 1. 应用领域",
            "**1. 应用领域**",
            "**应用领域**：",
            "**应用领域：**",
            "- **应用领域**: NLP",
            "一、应用领域",
            "应用领域",
            "1. 应用领域：计算机视觉",
        ] {
            assert_eq!(kind_of(line), Some(Field), "{line}");
        }
        assert_eq!(kind_of("2. **一句话核心贡献**"), Some(CoreContribution));
        assert_eq!(kind_of("**核心贡献 (Core Contribution)**"), Some(CoreContribution));
        assert_eq!(kind_of("### 4. **主要创新点**"), Some(Innovations));
        assert_eq!(kind_of("4. 创新点"), Some(Innovations));
        assert_eq!(kind_of("**TLDR**：利用符号回归 \\"), Some(Tldr));
        assert_eq!(kind_of("## Original Abstract"), Some(Abstract));
    }

    #[test]
    fn inline_text_after_the_colon_is_kept() {
        let h = heading("1. **应用领域**：NLP-多智能体系统 (Multi-Agent Systems)。").expect("heading");
        assert_eq!(h.kind, Some(Field));
        assert_eq!(h.inline, "NLP-多智能体系统 (Multi-Agent Systems)。");
        let h = heading("**Motivation**：传统的暗物质晕模型 \\").expect("heading");
        assert_eq!(h.inline, "传统的暗物质晕模型");
    }

    #[test]
    fn list_items_and_prose_are_not_headings() {
        for line in [
            "1.  **理论归因分析**：构建了一个理论框架",
            "*   **数据获取**：用户可直接访问",
            "    1. **应用领域**",
            "实验效果：在 X 上提升 3 个点",
            "1.5B 模型的实验效果",
            "#hashtag",
            "- 应用领域",
            "- **使用方法**：",
            "   *   **使用方法**：",
            "",
        ] {
            assert_eq!(kind_of(line), None, "{line}");
        }
        assert_eq!(heading("1.  **理论归因分析**：构建"), None);
        let unknown = heading("### 6. **局限性**").expect("markdown heading");
        assert_eq!((unknown.kind, unknown.label.as_str()), (None, "6. 局限性"));
    }

    #[test]
    fn numbers_and_multibyte_text_never_panic() {
        for line in ["1", "1.", "（", "(1", "一", "一、", "**", "#", "## ", "**：**", "１．应用领域", "十十十十、x"]
        {
            let _ = heading(line);
        }
    }

    #[test]
    fn unknown_sections_are_body_and_nested_headings_stay_inside() {
        let text = "# 报告标题\n### 子标题\n导言\n## 1. 应用领域\nNLP\n### 细节\n更多\n## 6. 局限性\n数据少\n";
        let sections = split(text.lines(), Preamble::KeepWhole);
        let got: Vec<(SectionKind, Option<&str>, &str)> =
            sections.iter().map(|s| (s.kind, s.heading.as_deref(), s.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (Body, None, "# 报告标题\n### 子标题\n导言"),
                (Field, None, "NLP\n### 细节\n更多"),
                (Body, Some("6. 局限性"), "数据少"),
            ]
        );
    }

    #[test]
    fn headings_in_code_fences_are_text() {
        let text = "## 使用指南\n```\n## 实验效果\n```\n";
        let sections = split(text.lines(), Preamble::Split);
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].text, "```\n## 实验效果\n```");
    }
}
