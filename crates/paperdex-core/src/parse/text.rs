//! Small text helpers shared by the parsers: decoding, dates, snippets, whitespace.

use std::borrow::Cow;

use super::ParseError;

/// Turns raw bytes into text, or says why they are not text. UTF-8 (with or without a
/// byte-order mark) is read as it is; UTF-16 with its byte-order mark (what Windows
/// PowerShell's `>` writes) is decoded.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let (skipped, bytes) = match bytes.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, bytes),
    };
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(ParseError::OtherEncoding { encoding: "UTF-32" });
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, u16::from_le_bytes as fn([u8; 2]) -> u16)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, u16::from_be_bytes as fn([u8; 2]) -> u16)),
        _ => None,
    };
    if let Some((units, read)) = utf16 {
        return decode_utf16(units, read).map(Cow::Owned);
    }
    // Text files never hold NUL; binaries and UTF-16 almost always do.
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        if looks_like_utf16(bytes) {
            return Err(ParseError::OtherEncoding { encoding: "UTF-16 without a byte-order mark" });
        }
        return Err(ParseError::Binary { offset: skipped + pos, detail: "a NUL byte" });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(error) => {
            let offset = error.valid_up_to();
            // Latin-1 text has a few stray high bytes; binary data has control bytes too.
            let head = &bytes[..bytes.len().min(8192)];
            let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
            if controls * 20 > head.len() {
                return Err(ParseError::Binary { offset: skipped + offset, detail: "control bytes and invalid UTF-8" });
            }
            let before = &bytes[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = offset - line_start + 1 + if line == 1 { skipped } else { 0 };
            Err(ParseError::NotUtf8 { line, column, offset: skipped + offset })
        }
    }
}

/// The most stray bytes (invalid UTF-8 sequences) a file is read with, each as U+FFFD, per
/// 4 KiB of it, and at least: a Latin-1 `é` in a title, a copy cut inside a character. A file
/// in another encoding (GBK, Latin-1 throughout) has one in every few characters and is
/// refused whole, naming the first ([`decode`]'s error).
const STRAY_BYTES_PER_4K: usize = 1;
const MIN_STRAY_BYTES: usize = 8;

/// `bytes` read as UTF-8 with each invalid sequence replaced by U+FFFD, when there are few
/// of them ([`STRAY_BYTES_PER_4K`]); `None` when there are more: then it is no UTF-8 text.
pub(super) fn decode_with_stray_bytes(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let allowed = MIN_STRAY_BYTES.max(bytes.len() / 4096 * STRAY_BYTES_PER_4K);
    let stray = bytes.utf8_chunks().filter(|chunk| !chunk.invalid().is_empty()).count();
    (stray <= allowed).then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// How many NUL bytes end `bytes` when only its end holds any, after text: what a write cut
/// short leaves (the file's length reached the disk, its last blocks did not). `None` when
/// there are none, when the file is nothing else, or when NULs come earlier too (binary
/// data, or UTF-16, whose text ends in a NUL byte of its own).
pub(super) fn nul_tail(bytes: &[u8]) -> Option<usize> {
    let text = bytes.len() - bytes.iter().rev().take_while(|&&b| b == 0).count();
    let tail = bytes.len() - text;
    (tail > 0 && bytes[..text].iter().any(|b| !b.is_ascii_whitespace()) && !bytes[..text].contains(&0)).then_some(tail)
}

/// Whether `bytes` start as UTF-16 text saved without its byte-order mark: text in the Latin
/// range is then a NUL every other byte, on one side of each pair only (most pairs of the
/// first 512 bytes, at least 32 of them, so that a short binary is not taken for text).
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512) & !1];
    let pairs = head.len() / 2;
    let nul_at = |side: usize| head.chunks_exact(2).filter(|pair| pair[side] == 0).count();
    let (first, second) = (nul_at(0), nul_at(1));
    pairs >= 16 && first.max(second) * 10 >= pairs * 7 && first.min(second) * 20 <= pairs
}

/// UTF-16 code units (after the byte-order mark, each read by `read`) as text. Half a
/// surrogate pair becomes U+FFFD, as it does in JSON's escapes; NUL is binary here too.
fn decode_utf16(units: &[u8], read: fn([u8; 2]) -> u16) -> Result<String, ParseError> {
    const MARK: usize = 2;
    if units.len() % 2 == 1 {
        return Err(ParseError::Binary {
            offset: MARK + units.len() - 1,
            detail: "UTF-16 with an odd number of bytes",
        });
    }
    let code_units: Vec<u16> = units.chunks_exact(2).map(|pair| read([pair[0], pair[1]])).collect();
    if let Some(pos) = code_units.iter().position(|&u| u == 0) {
        return Err(ParseError::Binary { offset: MARK + 2 * pos, detail: "a NUL character in UTF-16 text" });
    }
    Ok(char::decode_utf16(code_units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
}

/// At most `max` characters of `text` on one line, with `…` when cut. Never splits a char.
pub(super) fn snippet(text: &str, max: usize) -> String {
    let flat = collapse_whitespace(text);
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Runs of whitespace (newlines included) become one space; ends are trimmed. Titles and
/// names in the sources are sometimes wrapped over several lines.
pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` trimmed, or `None` when nothing is left.
pub(super) fn non_empty(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

/// A `YYYY-MM-DD` date anywhere in the file name (not the folders) of `path`, e.g.
/// `2024-05-27_HF_glms_api_clean.json` (or `YYYY_MM_DD`, `YYYY.MM.DD`), else one written
/// `YYYYMMDD` (`daily_papers_20261210.json`), else one whose month or day has one digit
/// (`2024-12-2.json`, as a script's unpadded format writes it).
pub(super) fn date_in_file_name(path: &str) -> Option<String> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let bytes = name.as_bytes();
    let found = |width: usize, date: &dyn Fn(&str) -> Option<String>| {
        (0..(bytes.len() + 1).saturating_sub(width)).find_map(|start| {
            let candidate = name.get(start..start + width)?;
            // Not part of a longer number on either side.
            let before_ok = start == 0 || !bytes[start - 1].is_ascii_digit();
            let after_ok = bytes.get(start + width).is_none_or(|b| !b.is_ascii_digit());
            (before_ok && after_ok).then(|| date(candidate)).flatten()
        })
    };
    // Downloaders write the day with other separators; both must be the same one.
    let separated = |candidate: &str| {
        let b = candidate.as_bytes();
        match (b.get(4), b.get(7)) {
            (Some(&first), Some(&second)) if first == second && matches!(first, b'_' | b'.') => {
                iso_date(&candidate.replace(first as char, "-"))
            }
            _ => iso_date(candidate),
        }
    };
    found(10, &separated)
        .or_else(|| {
            found(8, &|digits: &str| {
                digits.bytes().all(|b| b.is_ascii_digit()).then(|| normalize_date(digits)).flatten()
            })
        })
        .or_else(|| unpadded_date(name))
}

/// The first `YYYY-M-D` in `name` (month and day of one or two digits, `-`, `_` or `.` between
/// them, the same one twice), not part of a longer number, as `YYYY-MM-DD`.
fn unpadded_date(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let digits_from = |at: usize| b[at.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    (0..b.len()).find_map(|start| {
        if (start > 0 && b[start - 1].is_ascii_digit()) || digits_from(start) != 4 {
            return None;
        }
        let separator = *b.get(start + 4).filter(|c| matches!(c, b'-' | b'_' | b'.'))?;
        let month_at = start + 5;
        let month_digits = digits_from(month_at);
        let day_at = month_at + month_digits + 1;
        if !(1..=2).contains(&month_digits) || b.get(day_at - 1) != Some(&separator) {
            return None;
        }
        let day_digits = digits_from(day_at);
        if !(1..=2).contains(&day_digits) {
            return None;
        }
        let month = name[month_at..month_at + month_digits].parse::<u32>().ok()?;
        let day = name[day_at..day_at + day_digits].parse::<u32>().ok()?;
        iso_date(&format!("{}-{month:02}-{day:02}", &name[start..start + 4]))
    })
}

/// Normalises a date as the sources write it: `2025-11-28`, `2025-11-28T10:00:00Z`,
/// `20170612`. Returns `YYYY-MM-DD`, or `None` when it is not a plausible date.
pub(super) fn normalize_date(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_matches(|c| c == '"' || c == '\'');
    if let Some(date) = raw.get(..10).and_then(iso_date) {
        let rest = &raw[10..];
        if rest.is_empty() || rest.starts_with(['T', ' ', 't']) {
            return Some(date);
        }
    }
    if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
        return iso_date(&format!("{}-{}-{}", &raw[..4], &raw[4..6], &raw[6..]));
    }
    None
}

/// `Some(date)` when `candidate` is exactly a `YYYY-MM-DD`, a real day (not `2026-02-30`).
fn iso_date(candidate: &str) -> Option<String> {
    let b = candidate.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit());
    if !shape {
        return None;
    }
    let number = |range: std::ops::Range<usize>| candidate.get(range)?.parse::<u32>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let days = crate::days_in_month(year, month)?;
    ((1900..=2200).contains(&year) && (1..=days).contains(&day)).then(|| candidate.to_string())
}

/// A summary that opens with the summariser's apology that it could not read the paper.
#[derive(Debug, PartialEq)]
pub(crate) struct Apology<'t> {
    /// The apology's first sentence, on one line.
    pub said: String,
    /// The text after the apology's sentences (the ones that speak to the reader): a summary
    /// when the summariser went on to find the paper, a guess from its link when not.
    pub rest: &'t str,
}

/// `text`'s opening apology (`很抱歉，我无法直接访问您提供的链接…`, `I'm unable to access the
/// article…`), if it has one: the first sentence says it cannot open, reach or read a link, page
/// or article, and the first two speak to the reader (我, 您, I, you). A summary of a paper about
/// agents that cannot access websites names no one.
pub(crate) fn apology_for_not_reading(text: &str) -> Option<Apology<'_>> {
    const CANNOT_ZH: [&str; 5] = ["无法", "不能", "未能", "没法", "没有办法"];
    const READ_ZH: [&str; 9] = ["访问", "打开", "获取", "浏览", "检索", "读取", "查看", "连接", "下载"];
    const CANNOT_EN: [&str; 7] = ["unable to", "cannot", "can't", "can not", "could not", "couldn't", "not able to"];
    const READ_EN: [&str; 8] = ["access", "open", "browse", "retrieve", "read", "view", "fetch", "visit"];
    const WHAT: [&str; 17] = [
        "链接", "网址", "网页", "网站", "文章", "论文", "内容", "页面", "外部", "url", "arxiv", "link", "article",
        "paper", "website", "page", "content",
    ];
    let mut opening = sentences(text);
    let first = opening.next()?;
    let lower = first.to_lowercase();
    // The reading verb within a few characters after the "cannot" (无法直接访问, cannot directly access).
    let cannot_read = |cannot: &[&str], read: &[&str], reach: usize| {
        cannot.iter().any(|c| {
            lower.match_indices(c).any(|(at, _)| {
                let after: String = lower[at + c.len()..].chars().take(reach).collect();
                read.iter().any(|r| after.contains(r))
            })
        })
    };
    let refuses = cannot_read(&CANNOT_ZH, &READ_ZH, 6) || cannot_read(&CANNOT_EN, &READ_EN, 16);
    let names_what = WHAT.iter().any(|w| lower.contains(w));
    let to_reader = speaks_to_reader(first) || opening.next().is_some_and(speaks_to_reader);
    if !(refuses && names_what && to_reader) {
        return None;
    }
    // The apology runs on while its sentences speak to the reader (不过，我可以…, 请稍等…).
    let apology_ends = sentences(text)
        .enumerate()
        .take_while(|&(at, sentence)| at == 0 || speaks_to_reader(sentence))
        .last()
        .map_or(0, |(_, last)| last.as_ptr() as usize + last.len() - text.as_ptr() as usize);
    Some(Apology { said: collapse_whitespace(first), rest: text[apology_ends..].trim() })
}

/// The sentences of `text` with their end marks (。！？!? or a line break), blank ones left out.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['。', '！', '？', '!', '?', '\n']).filter(|s| !s.trim().is_empty())
}

/// Whether `sentence` is the summariser speaking to the reader (我, 您, 你, I, you) rather than
/// about the paper; 我们 ("we") is the paper's authors.
fn speaks_to_reader(sentence: &str) -> bool {
    const READER_EN: [&str; 6] = ["i", "i'm", "me", "my", "you", "your"];
    let lower = sentence.to_lowercase();
    lower.replace("我们", "").contains(['我', '您', '你'])
        || lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')).any(|word| READER_EN.contains(&word))
}

/// Describes text that matched no format, for [`ParseError::UnknownFormat`].
pub(super) fn describe_text(content: &str) -> String {
    let first = content.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if content.lines().any(|l| l.starts_with('#')) {
        format!("markdown without paper headings or paper metadata, starting with {:?}", snippet(first, 60))
    } else {
        format!("text starting with {:?}", snippet(first, 60))
    }
}

/// Joins `lines` into a section text: blank lines and rules (`---`, `===`) at either end are
/// dropped, and the indentation all lines share is removed so that a list item's body does not
/// read as a code block once it stands alone.
pub(super) fn section_text<S: AsRef<str>>(lines: &[S]) -> String {
    let is_edge = |l: &str| {
        let t = l.trim();
        t.is_empty() || (t.len() >= 3 && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'=')))
    };
    let start = lines.iter().position(|l| !is_edge(l.as_ref())).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !is_edge(l.as_ref())).map_or(start, |p| p + 1);
    let kept = &lines[start..end.max(start)];
    let indent = kept
        .iter()
        .map(AsRef::as_ref)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, line) in kept.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.as_ref();
        // Every non-blank line starts with `indent` spaces, so the cut is on a char boundary.
        let cut = if line.trim().is_empty() { line.len() } else { indent.min(line.len()) };
        out.push_str(line.get(cut..).unwrap_or(line).trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summarisers_apology_is_told_from_a_summary() {
        for apology in [
            "很抱歉，我无法直接打开并查看您提供的链接内容。不过，我可以尝试通过其他方式来查找。",
            "由于无法访问文章的详细内容，我无法提供关于 \"2406.01493\" 这篇文章的具体信息。",
            "无法访问和检索关于文章 \"https://arxiv.org/abs/2407.10969\" 的具体内容。如果您能提供标题，我可以回答。",
            "目前我无法访问外部网站来获取关于这篇文章的具体信息。",
            "I'm sorry, but I am unable to access the article at that link. If you share its abstract, I can help.",
        ] {
            assert!(apology_for_not_reading(apology).is_some(), "{apology}");
        }
        for summary in [
            "文章《WebAgent》提出了一种智能体，解决了模型无法访问外部网站的问题。实验表明效果显著。",
            "这篇论文研究了用户无法打开链接时的推荐系统。",
            "我们发现智能体无法访问网页内容时会编造答案。",
            "We study agents that cannot access the web page they need, and propose a retrieval fallback.",
            "文章《An Introduction to Vision-Language Modeling》讨论了视觉语言模型。我们认为它很有用。",
            "",
        ] {
            assert_eq!(apology_for_not_reading(summary), None, "{summary}");
        }
    }

    #[test]
    fn what_follows_an_apology_is_kept_apart_from_it() {
        let found = "很抱歉，我无法直接访问您提供的链接内容。请稍等，我马上为您搜索。\n文章《GoldFinch》介绍了一种混合模型。它很快。";
        let apology = apology_for_not_reading(found).expect("an apology");
        assert_eq!(apology.said, "很抱歉，我无法直接访问您提供的链接内容。");
        assert_eq!(apology.rest, "文章《GoldFinch》介绍了一种混合模型。它很快。");
        let nothing =
            apology_for_not_reading("目前我无法访问外部网站。如果您能提供标题，我可以帮助您。").expect("an apology");
        assert_eq!(nothing.rest, "");
    }

    #[test]
    fn dates_come_from_the_file_name_only() {
        assert_eq!(date_in_file_name("zh-glm/2024-05-27_HF_glms_api_clean.json").as_deref(), Some("2024-05-27"));
        assert_eq!(date_in_file_name("/x/2026-02-05/notes.md"), None);
        assert_eq!(date_in_file_name("2024-13-27.json"), None);
        assert_eq!(date_in_file_name("hf/daily_papers_20261210.json").as_deref(), Some("2026-12-10"));
        // A number that is not a date, or part of a longer one, is no day.
        assert_eq!(date_in_file_name("run_12345678.json"), None);
        assert_eq!(date_in_file_name("dump_202612101.json"), None);
        assert_eq!(date_in_file_name("12024-05-270.json"), None);
        assert_eq!(date_in_file_name("报告2026-02-05.md").as_deref(), Some("2026-02-05"));
        assert_eq!(date_in_file_name("hf/2024_05_28.json").as_deref(), Some("2024-05-28"));
        assert_eq!(date_in_file_name("papers.2024.05.28.json").as_deref(), Some("2024-05-28"));
        assert_eq!(date_in_file_name("2024_05-28.json"), None, "one separator throughout");
        // A script that does not pad the month or the day.
        assert_eq!(date_in_file_name("hf/2024-12-2.json").as_deref(), Some("2024-12-02"));
        assert_eq!(date_in_file_name("daily_2025_1_15_papers.json").as_deref(), Some("2025-01-15"));
        assert_eq!(date_in_file_name("2025.3.7.md").as_deref(), Some("2025-03-07"));
        assert_eq!(date_in_file_name("2024-2-30.json"), None, "a day the calendar lacks");
        assert_eq!(date_in_file_name("2024-1-123.json"), None, "a longer number is no day");
        assert_eq!(date_in_file_name("12024-1-2.json"), None);
        assert_eq!(date_in_file_name("2024-1_2.json"), None, "one separator throughout");
        assert_eq!(date_in_file_name("model-v2.1.3.json"), None);
    }

    #[test]
    fn dates_are_normalised() {
        assert_eq!(normalize_date("20170612").as_deref(), Some("2017-06-12"));
        assert_eq!(normalize_date("2026-02-04T16:18:15.000Z").as_deref(), Some("2026-02-04"));
        assert_eq!(normalize_date("yesterday"), None);
        assert_eq!(normalize_date("2026-02-0é"), None);
        // Only days the calendar has: a file, a header or an HF date of 30 February is undated.
        assert_eq!(normalize_date("2026-02-30T00:00:00Z"), None);
        assert_eq!(normalize_date("2026-04-31"), None);
        assert_eq!(normalize_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(normalize_date("2100-02-29"), None);
        assert_eq!(date_in_file_name("2026-02-30.json"), None);
    }

    #[test]
    fn snippets_cut_on_char_boundaries() {
        assert_eq!(snippet("论文分析报告", 2), "论文…");
        assert_eq!(snippet("ab", 2), "ab");
    }

    #[test]
    fn section_text_drops_rules_and_common_indent() {
        let lines = ["", "   计算机视觉", "   *   **数据**：x", "", "====", ""];
        assert_eq!(section_text(&lines), "计算机视觉\n*   **数据**：x");
    }
}
