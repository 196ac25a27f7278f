//! The daily papers report: the input paperdex is built for.
//!
//! ```text
//! # Hugging Face Daily Papers Report
//! **Date**: 2026-02-05
//! ====
//! ## 📄 HY3D-Bench: Generation of 3D Assets
//! - **链接**: https://huggingface.co/papers/2602.03907
//! - **阅读来源**: HTML
//! # HY3D-Bench: 3D资产生成研究报告
//! 1. **应用领域**
//!    计算机视觉-3D内容生成 ...
//! ```
//!
//! Each `## 📄` block is one paper; its `链接` gives the id; the Chinese summary under it is
//! split into sections by [`super::sections`].

use std::collections::HashMap;

use super::sections::{Preamble, split};
use super::text::{date_in_file_name, normalize_date, snippet};
use super::{ParseError, ParsedFile, RecordWarning, RejectedRecord, repeated_paper};
use crate::paper::{PaperId, Record, Source, SourceFormat};

/// The title of a paper heading line (`## 📄 <title>`), or `None` when `line` is not one.
fn paper_heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let hashes = line.len() - rest.len();
    if !(1..=3).contains(&hashes) {
        return None;
    }
    let rest = rest.trim_start().strip_prefix('📄')?;
    // The emoji may carry a variation selector.
    Some(rest.trim_start_matches('\u{fe0f}').trim())
}

/// Whether `content` is a daily report: it has `## 📄` paper headings, or the report's header.
pub(super) fn looks_like_report(content: &str) -> bool {
    content.lines().any(|l| paper_heading(l).is_some())
        || content.lines().take(5).any(|l| l.starts_with("# ") && l.contains("Daily Papers Report"))
}

/// A metadata list item of a paper block: `- **链接**: <url>`, returned as (key, value).
fn meta_item(line: &str) -> Option<(&str, &str)> {
    let s = line.trim();
    let s = match s.strip_prefix(['-', '*', '+']) {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
        _ => s,
    };
    let s = s.strip_prefix("**")?;
    let end = s.find("**")?;
    let key = s[..end].trim().trim_end_matches([':', '：']);
    let value = s[end + 2..].trim_start();
    let value = value.strip_prefix([':', '：']).unwrap_or(value).trim();
    (!key.is_empty()).then_some((key, value))
}

/// The URL in a link value written as `<url>`, `[text](url)` or plain.
fn link_target(value: &str) -> &str {
    if let Some(start) = value.find("](") {
        let inner = &value[start + 2..];
        return inner.split(')').next().unwrap_or(inner).trim();
    }
    value.trim().trim_start_matches('<').split('>').next().unwrap_or(value).trim()
}

/// Parses a report.
pub(super) fn parse(path: &str, content: &str) -> Result<ParsedFile, ParseError> {
    let lines: Vec<&str> = content.lines().collect();
    let fenced = in_closed_code_fences(&lines);
    let headings: Vec<usize> = (0..lines.len()).filter(|&i| !fenced[i] && paper_heading(lines[i]).is_some()).collect();
    let starts = with_headless_papers(&lines, &fenced, headings);
    let Some(&first) = starts.first() else {
        return Err(ParseError::NoPapers { format: SourceFormat::DailyReport });
    };
    // The header's `**Date**`, with its line: the day the report lists its papers for.
    let header_date = lines[..first].iter().enumerate().find_map(|(i, line)| {
        let (key, value) = meta_item(line)?;
        key.eq_ignore_ascii_case("date").then(|| (i + 1, value.trim(), normalize_date(value)))
    });
    let source = Source {
        path: path.to_string(),
        format: SourceFormat::DailyReport,
        date: header_date.as_ref().and_then(|(_, _, date)| date.clone()).or_else(|| date_in_file_name(path)),
    };
    let no_date_line = header_date.is_none();
    // A date given but unreadable is said once, with the first paper, not dropped in silence.
    let bad_date = header_date.filter(|(_, raw, date)| date.is_none() && !raw.is_empty()).map(|(line, raw, _)| {
        let dated_by = match &source.date {
            Some(day) => format!("its papers are dated by the file name, {day}"),
            None => "its papers have no first-seen day".to_string(),
        };
        format!("the report's date {:?} (line {line}) is no calendar day (YYYY-MM-DD): {dated_by}", snippet(raw, 40))
    });
    // So is a report that gives no day at all: its papers would be missing from `new` unsaid.
    let no_date = (no_date_line && source.date.is_none()).then(|| {
        "the report has no `**Date**:` line and its file name no day (YYYY-MM-DD): its papers have no \
         first-seen day, and `new` does not list them"
            .to_string()
    });
    let bad_date = bad_date.or(no_date);

    let mut records = Vec::with_capacity(starts.len());
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    // The first record of each paper: its position and line.
    let mut first_of: HashMap<PaperId, (usize, usize)> = HashMap::new();
    for (index, &start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(lines.len());
        let record = paper(&lines[start..end], start + 1, &source)
            .and_then(|record| record.too_large().map_or(Ok(record), |reason| Err((start + 1, reason))));
        match record {
            Ok(record) => {
                if paper_heading(lines[start]).is_none() {
                    warnings.push(RecordWarning {
                        position: index + 1,
                        line: Some(start + 1),
                        paper: record.id.clone(),
                        message: format!(
                            "the paper linked at line {} has no `## 📄 <title>` heading above it: read as a paper \
                             of its own, untitled (its summary is not added to the paper before it)",
                            start + 1
                        ),
                    });
                }
                if let Some(message) = bad_date.as_ref().filter(|_| records.is_empty()) {
                    let paper = record.id.clone();
                    warnings.push(RecordWarning {
                        position: index + 1,
                        line: Some(start + 1),
                        paper,
                        message: message.clone(),
                    });
                }
                match first_of.get(&record.id) {
                    Some(&(first, first_line)) => warnings.push(RecordWarning {
                        position: index + 1,
                        line: Some(start + 1),
                        paper: record.id.clone(),
                        message: repeated_paper(&record.id, first, Some(first_line)),
                    }),
                    None => {
                        first_of.insert(record.id.clone(), (index + 1, start + 1));
                    }
                }
                records.push(record);
            }
            Err((line, reason)) => rejected.push(RejectedRecord { position: index + 1, line: Some(line), reason }),
        }
    }
    Ok(ParsedFile { format: SourceFormat::DailyReport, records, rejected, warnings })
}

/// The lines where papers start: the `## 📄` `headings`, and the link lines of papers whose
/// heading was lost (an edit, a summariser's slip). Such a paper's `- **链接**:` line stands
/// after the summary of the paper before it, not in a heading's metadata list; read as part
/// of that paper, its whole summary was added to the other paper's text and its own id lost.
/// A link line naming the paper it stands in (a summary repeating its link) starts nothing.
fn with_headless_papers(lines: &[&str], fenced: &[bool], headings: Vec<usize>) -> Vec<usize> {
    let mut starts = Vec::with_capacity(headings.len());
    // The id of the paper the lines read so far belong to.
    let mut current: Option<PaperId> = None;
    // Whether the lines since the last start are still its heading's metadata list.
    let mut in_metadata = false;
    let mut next_heading = headings.iter().peekable();
    for (i, line) in lines.iter().enumerate() {
        if next_heading.next_if_eq(&&i).is_some() {
            starts.push(i);
            current = None;
            in_metadata = true;
            continue;
        }
        if fenced[i] || line.trim().is_empty() {
            continue;
        }
        let meta = meta_item(line);
        let id = meta.filter(|(key, _)| is_link_key(key)).and_then(|(_, value)| PaperId::from_url(link_target(value)));
        if in_metadata && meta.is_some() {
            current = current.or(id);
            continue;
        }
        in_metadata = false;
        if let Some(id) = id
            && current.as_ref() != Some(&id)
        {
            starts.push(i);
            current = Some(id);
            in_metadata = true;
        }
    }
    starts
}

/// Whether a metadata key names the paper's link (its id).
fn is_link_key(key: &str) -> bool {
    matches!(key.to_lowercase().as_str(), "链接" | "论文链接" | "link" | "url" | "paper" | "arxiv")
}

/// For each line, whether it is inside a fenced code block (```` ``` ```` or `~~~`, up to
/// three spaces in, closed by the same character at least as many times) that is closed: a
/// summary quoting a report's markdown there holds `## 📄` lines that are not papers. A fence
/// never closed (a summary's broken markdown) hides nothing, or it would swallow every paper
/// after it.
fn in_closed_code_fences(lines: &[&str]) -> Vec<bool> {
    let fence = |line: &str| {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            return None;
        }
        let mark = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let run = trimmed.chars().take_while(|&c| c == mark).count();
        (run >= 3).then_some((mark, run, trimmed[run..].trim().is_empty()))
    };
    // Runs are counted up to 16. `no_closer_after[mark][run]`: a line after which no fence of
    // that mark and length closes, learnt from a search that failed, so that a file of many
    // unclosed fences (hostile, or broken) costs one search per kind, not one per fence.
    const MAX_RUN: usize = 16;
    let mut no_closer_after = [[usize::MAX; MAX_RUN + 1]; 2];
    let mut inside = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let Some((mark, run, _)) = fence(lines[i]) else {
            i += 1;
            continue;
        };
        let (kind, run) = (usize::from(mark == '~'), run.min(MAX_RUN));
        let close = if i >= no_closer_after[kind][run] {
            None
        } else {
            (i + 1..lines.len())
                .find(|&j| fence(lines[j]).is_some_and(|(m, r, bare)| m == mark && r.min(MAX_RUN) >= run && bare))
        };
        if close.is_none() {
            // Nor does any longer fence of this mark.
            for after in &mut no_closer_after[kind][run..] {
                *after = (*after).min(i);
            }
        }
        match close {
            Some(end) => {
                inside[i..=end].iter_mut().for_each(|line| *line = true);
                i = end + 1;
            }
            None => i += 1,
        }
    }
    inside
}

/// One `## 📄` block; `first_line` is the 1-based line of its heading. Errors carry the line
/// to point at.
fn paper(block: &[&str], first_line: usize, source: &Source) -> Result<Record, (usize, String)> {
    let heading = block.first().and_then(|l| paper_heading(l));
    let title = heading.unwrap_or("");
    let mut link: Option<(usize, &str)> = None;
    let mut kept: Vec<&str> = Vec::new();
    let mut body_start = block.len();
    // The metadata list comes first (a paper without a heading starts at it); anything after
    // it is the summary.
    for (offset, line) in block.iter().enumerate().skip(usize::from(heading.is_some())) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = meta_item(line) else {
            body_start = offset;
            break;
        };
        if is_link_key(key) {
            link.get_or_insert((first_line + offset, value));
        } else if key != "阅读来源" {
            // Unknown metadata is text: keep it with the summary. (阅读来源, the page the
            // summariser read, is about the digest, not the paper.)
            kept.push(line);
        }
    }
    let name = if title.is_empty() { "untitled paper".to_string() } else { format!("paper {:?}", snippet(title, 80)) };
    let Some((link_line, value)) = link else {
        return Err((first_line, format!("{name} has no `- **链接**: <url>` line, so it has no id")));
    };
    let url = link_target(value);
    let id = PaperId::from_url(url).ok_or_else(|| {
        (link_line, format!("{name}: link {:?} is not a Hugging Face or arXiv paper URL", snippet(url, 80)))
    })?;

    let mut record = Record::new(id, source.clone());
    record.title = (!title.is_empty()).then(|| title.to_string());
    record.url = Some(url.to_string());
    kept.extend(block.get(body_start..).unwrap_or_default());
    record.sections = split(kept, Preamble::KeepWhole);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paper_whose_heading_was_lost_is_read_as_its_own_paper_not_as_the_text_of_the_one_before() {
        let report = "# Hugging Face Daily Papers Report\n**Date**: 2026-02-05\n\n====\n\n\
            ## 📄 First\n\n- **链接**: https://huggingface.co/papers/2602.00001\n- **阅读来源**: HTML\n\n\
            1. **应用领域**\n   第一篇。\n- **链接**: https://huggingface.co/papers/2602.00001\n\n====\n\n\
            - **链接**: https://huggingface.co/papers/2602.00002\n- **阅读来源**: HTML\n\n\
            1. **应用领域**\n   第二篇。\n\n====\n\n## 📄 Third\n\n- **链接**: https://arxiv.org/abs/2602.00003\n\n正文。\n";
        let parsed = parse("r.md", report).expect("a report");
        let ids: Vec<&str> = parsed.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["2602.00001", "2602.00002", "2602.00003"],
            "the summary repeating its own link starts nothing"
        );
        let text = |i: usize| parsed.records[i].sections.iter().map(|s| s.text.clone()).collect::<String>();
        assert!(text(0).contains("第一篇") && !text(0).contains("第二篇"), "{}", text(0));
        assert!(text(1).contains("第二篇"));
        assert_eq!(parsed.records[1].title, None);
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert_eq!((parsed.warnings[0].paper.as_str(), parsed.warnings[0].line), ("2602.00002", Some(17)));
        assert!(parsed.warnings[0].message.contains("no `## 📄 <title>` heading"));
    }

    #[test]
    fn paper_headings_and_meta_items() {
        assert_eq!(paper_heading("## 📄 HY3D-Bench"), Some("HY3D-Bench"));
        assert_eq!(paper_heading("## 📄\u{fe0f} T"), Some("T"));
        assert_eq!(paper_heading("## HY3D"), None);
        assert_eq!(meta_item("- **链接**: https://x"), Some(("链接", "https://x")));
        assert_eq!(meta_item("**Date**: 2026-02-05"), Some(("Date", "2026-02-05")));
        assert_eq!(meta_item("- **链接：** https://x"), Some(("链接", "https://x")));
        assert_eq!(meta_item("# 标题"), None);
        assert_eq!(link_target("[论文](https://arxiv.org/abs/1) "), "https://arxiv.org/abs/1");
        assert_eq!(link_target("<https://x>"), "https://x");
    }

    #[test]
    fn headings_quoted_in_a_closed_code_fence_are_not_papers_and_an_unclosed_fence_hides_none() {
        let lines = ["```markdown", "## 📄 fake", "```", "## 📄 real", "~~~~", "x", "~~~", "y", "````", "## 📄 after"];
        let inside = in_closed_code_fences(&lines);
        assert_eq!(inside, [true, true, true, false, false, false, false, false, false, false]);
        // Many fences that never close: each kind is searched for its closer once, not each fence.
        let hostile: Vec<&str> = std::iter::repeat_n("```rust", 200_000).collect();
        assert!(in_closed_code_fences(&hostile).iter().all(|&fenced| !fenced));
    }
}
