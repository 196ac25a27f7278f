//! What each input format yields, on small snippets cut from the real corpus
//! (`tests/fixtures/`), and what hostile input gets: a clear error, never a panic.

use std::path::Path;

use paperdex_core::{MAX_FILE_BYTES, ParseError, ParsedFile, Record, SectionKind, SourceFormat, parse_bytes};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

fn parse(path: &str, bytes: &[u8]) -> ParsedFile {
    parse_bytes(path, bytes).unwrap_or_else(|e| panic!("{path} should parse: {e}"))
}

fn parse_err(path: &str, bytes: &[u8]) -> ParseError {
    match parse_bytes(path, bytes) {
        Ok(parsed) => panic!("{path} should fail, parsed {} records", parsed.records.len()),
        Err(error) => error,
    }
}

/// The text of the only section of `kind`.
fn section(record: &Record, kind: SectionKind) -> &str {
    let texts: Vec<&str> = record.sections.iter().filter(|s| s.kind == kind).map(|s| s.text.as_str()).collect();
    assert_eq!(texts.len(), 1, "{} should have one {kind:?} section: {:#?}", record.id, record.sections);
    texts[0]
}

fn kinds(record: &Record) -> Vec<(SectionKind, Option<&str>)> {
    record.sections.iter().map(|s| (s.kind, s.heading.as_deref())).collect()
}

const FIVE: [SectionKind; 5] = [
    SectionKind::Field,
    SectionKind::CoreContribution,
    SectionKind::Usage,
    SectionKind::Innovations,
    SectionKind::Results,
];

// ---------------------------------------------------------------- daily report

#[test]
fn the_five_sections_are_found_in_every_heading_style_of_the_report() {
    // One paper per heading style of reports/2026-02-05.md: `1. **应用领域**`, `### 1. 应用领域`,
    // `## 1. 应用领域`, `### 1. **应用领域**`, `#### 1. 应用领域`, `1. **应用领域**：`, and
    // `1. **应用领域**：inline text`.
    let parsed = parse("reports/2026-02-05.md", &fixture("report-heading-styles.md"));
    assert_eq!(parsed.format, SourceFormat::DailyReport);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let ids: Vec<&str> = parsed.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["2602.03907", "2602.04145", "2602.02196", "2602.03442", "2601.20499", "2602.01849", "2602.04634"]);
    for record in &parsed.records {
        for kind in FIVE {
            assert!(!section(record, kind).is_empty(), "{} {kind:?}", record.id);
        }
        assert_eq!(record.source.date.as_deref(), Some("2026-02-05"));
        assert_eq!(record.url.as_deref(), Some(format!("https://huggingface.co/papers/{}", record.id).as_str()));
    }
    let hy3d = &parsed.records[0];
    assert_eq!(hy3d.title.as_deref(), Some("HY3D-Bench: Generation of 3D Assets"));
    // The list item's indented body reads as a paragraph, not as a code block.
    assert_eq!(section(hy3d, SectionKind::Field), "计算机视觉-3D内容生成 (3D AIGC)、3D感知预训练、机器人仿真与操作。");
    assert_eq!(section(hy3d, SectionKind::Body), "# HY3D-Bench: 3D资产生成研究报告");
    // A-RAG has no summary title: the five sections are all there is.
    assert_eq!(parsed.records[3].sections.len(), 5);
    // `### 论文深度分析报告：...` above `#### 1. 应用领域` is the summary's title, kept as text.
    assert!(section(&parsed.records[4], SectionKind::Body).starts_with("### 论文深度分析报告"));
    assert_eq!(section(&parsed.records[4], SectionKind::Field), "**计算机视觉 - 视频生成**");
}

#[test]
fn inline_text_after_the_heading_colon_is_kept() {
    let parsed = parse("reports/2026-02-05.md", &fixture("report-heading-styles.md"));
    let wideseek = parsed.records.iter().find(|r| r.id.as_str() == "2602.04634").expect("WideSeek-R1");
    assert!(section(wideseek, SectionKind::Field).starts_with("NLP-多智能体系统 (Multi-Agent Systems)"));
    assert!(
        section(wideseek, SectionKind::CoreContribution)
            .starts_with("提出了一种基于多智能体强化学习训练的 WideSeek-R1 框架")
    );
    // `3. **使用指南**：` with the text on the following lines.
    assert!(section(wideseek, SectionKind::Usage).starts_with("*   **输入**：需要广泛搜集信息"));
    let smc = parsed.records.iter().find(|r| r.id.as_str() == "2602.01849").expect("Self-Rewarding SMC");
    assert!(section(smc, SectionKind::Field).starts_with("自然语言处理（NLP）- 文本生成"));
}

const QUANT_VIDEOGEN: &str = "# Hugging Face Daily Papers Report
**Date**: 2026-02-05

## 📄 Quant VideoGen: Auto-Regressive Long Video Generation via 2-Bit KV-Cache Quantization

- **链接**: https://huggingface.co/papers/2602.02958
- **阅读来源**: HTML

# Quant VideoGen 研究报告

**1. 应用领域**
计算机视觉 - 视频生成

**2. 一句话核心贡献**：提出 Quant VideoGen，用 2-bit KV-Cache 量化生成长视频。

### 3. 使用指南
输入文本提示词。

#### 3.1 硬件
单卡 A100。

### 4. 主要创新点
1.  **语义感知平滑**：利用时空冗余。

### 5. 实验效果
KV 缓存内存最多降低 7 倍。

### 6. 局限性与展望
仅在 Wan 模型上验证。
";

#[test]
fn bold_numbered_headings_nested_headings_and_unknown_sections_are_kept() {
    let parsed = parse("reports/2026-02-05.md", QUANT_VIDEOGEN.as_bytes());
    let record = &parsed.records[0];
    use SectionKind::*;
    assert_eq!(
        kinds(record),
        [
            (Body, None),
            (Field, None),
            (CoreContribution, None),
            (Usage, None),
            (Innovations, None),
            (Results, None),
            (Body, Some("6. 局限性与展望")),
        ]
    );
    assert_eq!(section(record, Field), "计算机视觉 - 视频生成");
    assert_eq!(section(record, CoreContribution), "提出 Quant VideoGen，用 2-bit KV-Cache 量化生成长视频。");
    // A sub-heading deeper than its section's heading belongs to the section.
    assert_eq!(section(record, Usage), "输入文本提示词。\n\n#### 3.1 硬件\n单卡 A100。");
    // The numbered bold list item inside the innovations is content, not a section.
    assert_eq!(section(record, Innovations), "1.  **语义感知平滑**：利用时空冗余。");
    assert_eq!(record.sections[6].text, "仅在 Wan 模型上验证。");
    assert_eq!(record.sections[6].label(), "6. 局限性与展望");
}

#[test]
fn a_report_paper_without_a_usable_link_is_rejected_and_the_others_still_parse() {
    let text = format!(
        "{QUANT_VIDEOGEN}
============================================================

## 📄 A Paper Someone Forgot To Link

- **阅读来源**: HTML

1. **应用领域**：NLP

============================================================

## 📄 A Paper Linked To Its Code

- **链接**: https://github.com/example/repo
- **阅读来源**: HTML

1. **应用领域**：NLP
"
    );
    let parsed = parse("reports/2026-02-05.md", text.as_bytes());
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].id.as_str(), "2602.02958");
    assert_eq!(parsed.rejected.len(), 2, "{:#?}", parsed.rejected);
    let (no_link, bad_link) = (&parsed.rejected[0], &parsed.rejected[1]);
    assert_eq!((no_link.position, no_link.line), (2, Some(33)));
    assert!(
        no_link.reason.contains("A Paper Someone Forgot To Link") && no_link.reason.contains("链接"),
        "{}",
        no_link.reason
    );
    assert_eq!((bad_link.position, bad_link.line), (3, Some(43)));
    assert!(bad_link.reason.contains("https://github.com/example/repo"), "{}", bad_link.reason);
}

#[test]
fn the_report_date_falls_back_to_the_file_name_and_the_folder_means_nothing() {
    let without_date = QUANT_VIDEOGEN.replace("**Date**: 2026-02-05\n", "");
    let parsed = parse("inbox/2026-02-06.json", without_date.as_bytes());
    assert_eq!(parsed.format, SourceFormat::DailyReport, "detected by content, not by the .json name");
    assert_eq!(parsed.records[0].source.date.as_deref(), Some("2026-02-06"));
    assert_eq!(parsed.records[0].source.path, "inbox/2026-02-06.json");
    let parsed = parse("hf-daily-api/2026-02-06.json", QUANT_VIDEOGEN.as_bytes());
    assert_eq!(parsed.records[0].source.date.as_deref(), Some("2026-02-05"), "the report's own date wins");
}

// ---------------------------------------------------------------- HF daily papers JSON

const HF_DAY: &str = r#"[
  {
    "paper": {
      "id": "2602.02958",
      "authors": [
        {"_id": "698409abe34659da7e1f4d8e", "name": "Haocheng Xi", "hidden": false},
        {"_id": "698409abe34659da7e1f4d8f", "name": "Shuo Yang", "hidden": false}
      ],
      "publishedAt": "2026-02-03T00:54:32.000Z",
      "submittedOnDailyAt": "2026-02-04T06:10:00.000Z",
      "title": "Quant VideoGen: Auto-Regressive Long Video Generation via 2-Bit KV-Cache Quantization",
      "summary": "Despite rapid progress in autoregressive video diffusion, an emerging system algorithm bottleneck limits both deployability and generation capability: KV cache memory.",
      "upvotes": 29,
      "ai_summary": "Quant VideoGen addresses KV cache memory limitations in autoregressive video diffusion models.",
      "ai_keywords": ["KV cache", "autoregressive video diffusion"],
      "githubRepo": "https://github.com/svg-project/Quant-VideoGen"
    },
    "publishedAt": "2026-02-04T23:46:20.000Z",
    "title": "Quant VideoGen",
    "numComments": 2
  },
  {
    "paper": {
      "id": "2602.04705",
      "authors": null,
      "publishedAt": null,
      "title": null,
      "summary": "In this report, we introduce ERNIE 5.0.",
      "upvotes": null,
      "ai_summary": null,
      "ai_keywords": null,
      "githubRepo": null
    },
    "title": "ERNIE 5.0 Technical Report",
    "publishedAt": "2026-02-04T16:18:15.000Z"
  },
  {
    "paper": {"title": "A record without an id"}
  },
  {
    "paper": null,
    "title": "No paper object at all"
  },
  "{'paper': {'id': '2412.07730', 'title': 'STIV'}}"
]"#;

/// A report that gives no day at all (no `**Date**` line, none in its file name) says its
/// papers have no first-seen day, once per file: `new` would miss them unsaid.
#[test]
fn a_report_that_gives_no_day_says_its_papers_have_no_first_seen_day() {
    let report = "# Hugging Face Daily Papers Report\n\n## 📄 One\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n摘要一\n";
    let parsed = parse("reports/notes.md", report.as_bytes());
    let [warning] = &parsed.warnings[..] else { panic!("one warning for the file: {:#?}", parsed.warnings) };
    assert!(warning.message.contains("no `**Date**:` line") && warning.message.contains("no first-seen day"));
    // The file name's day is enough.
    assert!(parse("reports/2026-02-05.md", report.as_bytes()).warnings.is_empty());
}

/// A date that is no calendar day (`2026-13-45`) is left out with a warning saying what dates
/// the papers instead, once per file; it was dropped in silence.
#[test]
fn a_date_that_is_no_calendar_day_is_said_not_dropped_in_silence() {
    let report = "# Hugging Face Daily Papers Report\n**Date**: 2026-13-45\n\n\
                  ## 📄 One\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n摘要一\n\n\
                  ## 📄 Two\n\n- **链接**: https://huggingface.co/papers/2602.04705\n\n摘要二\n";
    for (path, dated_by) in
        [("reports/2026-02-05.md", "dated by the file name, 2026-02-05"), ("reports/today.md", "no first-seen day")]
    {
        let parsed = parse(path, report.as_bytes());
        assert_eq!(parsed.records.len(), 2);
        let [warning] = &parsed.warnings[..] else { panic!("one warning for the file: {:#?}", parsed.warnings) };
        assert_eq!((warning.position, warning.paper.as_str()), (1, "2602.02958"));
        assert!(
            warning.message.contains("\"2026-13-45\" (line 2) is no calendar day")
                && warning.message.contains(dated_by),
            "{}",
            warning.message
        );
    }
    let paper =
        "---\ntitle: A paper\ndate: 2026-02-30\npdf: https://arxiv.org/pdf/2602.02958\n---\n\n## Abstract\n\nText.\n";
    let parsed = parse("paper-md/a.md", paper.as_bytes());
    assert_eq!(parsed.records[0].published, None);
    let [warning] = &parsed.warnings[..] else { panic!("{:#?}", parsed.warnings) };
    assert!(warning.message.contains("\"2026-02-30\" is no calendar day"), "{}", warning.message);
    // An HF record's publishedAt alike; a record without one is no warning.
    let hf = r#"[{"paper": {"id": "2602.02958", "title": "One", "publishedAt": "2024-02-30T10:00:00.000Z"}},
        {"paper": {"id": "2602.04705", "title": "Two", "publishedAt": "not a date"}},
        {"paper": {"id": "2602.04706", "title": "Three"}},
        {"paper": {"id": "2602.04707", "title": "Four", "publishedAt": "2026-02-03T18:00:00.000Z"}},
        {"paper": {"id": "2602.04708", "title": "Five", "publishedAt": "2030-01-01T00:00:00.000Z"}},
        {"paper": {"id": "2602.04709", "summary": "A paper whose title the dump lost."}}]"#;
    let parsed = parse("hf-daily-api/2026-02-05.json", hf.as_bytes());
    assert_eq!(parsed.records.len(), 6);
    let published: Vec<Option<&str>> = parsed.records.iter().map(|r| r.published.as_deref()).collect();
    assert_eq!(published, [None, None, None, Some("2026-02-03"), None, None]);
    let warned: Vec<(usize, &str)> = parsed.warnings.iter().map(|w| (w.position, w.message.as_str())).collect();
    assert_eq!(
        warned,
        [
            (1, "its publishedAt \"2024-02-30T10:00:00.000Z\" is no calendar day (YYYY-MM-DD): left out"),
            (2, "its publishedAt \"not a date\" is no calendar day (YYYY-MM-DD): left out"),
            (5, "its publishedAt 2030-01-01 is after the day the list names it (2026-02-05): left out"),
            (6, "it has no `title`: the paper is shown by its id"),
        ]
    );
}

/// A summary that quotes a report's markdown in a code block: the `## 📄` heading quoted there
/// is text of the paper, not a paper of its own.
#[test]
fn a_paper_heading_quoted_in_a_code_block_is_not_a_paper() {
    let report = "## 📄 Real Paper\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n\
                  2. **一句话核心贡献**\n   输出格式如下：\n\n```markdown\n## 📄 Example\n\n\
                  - **链接**: https://huggingface.co/papers/2602.99999\n```\n";
    let parsed = parse("reports/2026-02-05.md", report.as_bytes());
    assert_eq!(parsed.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["2602.02958"]);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let text: String = parsed.records[0].sections.iter().map(|s| s.text.as_str()).collect();
    assert!(text.contains("## 📄 Example"), "the quote stays in the summary: {text}");
}

/// A digest whose writer was cut short by a crash: its end is NUL bytes where the data never
/// reached the disk. The papers before them are read; the tail is one rejected record naming
/// the line it starts on. Binary files and files of nothing but NULs are still refused.
#[test]
fn a_file_that_ends_in_nul_bytes_keeps_what_came_before_them() {
    let report = fixture("report-heading-styles.md");
    let whole = parse("reports/2026-02-05.md", &report);
    let crashed = [&report[..], &[0u8; 4096][..]].concat();
    let parsed = parse("reports/2026-02-05.md", &crashed);
    assert_eq!(parsed.records, whole.records);
    let [tail] = &parsed.rejected[..] else { panic!("{:#?}", parsed.rejected) };
    let lines = report.iter().filter(|&&b| b == b'\n').count() + 1;
    assert_eq!((tail.position, tail.line), (whole.records.len() + 1, Some(lines)));
    assert!(tail.reason.starts_with("the file ends in 4096 NUL bytes here"), "{}", tail.reason);
    // Cut where a disk block ends, inside a character (量 is three bytes): its first bytes go too.
    let zh = "## 📄 Paper\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n2. **一句话核心贡献**\n   量化"
        .as_bytes();
    let parsed = parse("reports/2026-02-05.md", &[&zh[..zh.len() - 1], &[0u8; 4096][..]].concat());
    assert_eq!(parsed.records.len(), 1, "{:#?}", parsed.rejected);

    // A JSON list the crash cut mid-record: the records before the cut, then the cut and the tail.
    let cut = &HF_DAY.as_bytes()[..HF_DAY.find("\"ai_summary\": null").expect("second record")];
    let parsed = parse("hf-daily-api/2026-02-05.json", &[cut, &[0u8; 512][..]].concat());
    assert_eq!(parsed.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["2602.02958"]);
    let reasons: Vec<&str> = parsed.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert!(
        reasons.len() == 2 && reasons[0].contains("looks truncated") && reasons[1].contains("512 NUL bytes"),
        "{reasons:?}"
    );

    assert!(matches!(parse_err("zeros.json", &[0u8; 64]), ParseError::Binary { offset: 0, .. }));
    assert!(matches!(parse_err("blank.json", &[b' ', b'\n', 0, 0]), ParseError::Binary { .. }));
    let early = [&b"[\n"[..], &[0u8; 8][..], &b"]"[..], &[0u8; 8][..]].concat();
    assert!(matches!(parse_err("early.json", &early), ParseError::Binary { offset: 2, .. }), "NULs before the end");
}

/// A tab and a line break pasted raw into two records' strings (JSON wants them escaped):
/// the file keeps every record, the two are warned about by position and line, and their
/// text reads as the escapes would have.
#[test]
fn raw_control_characters_in_strings_cost_a_warning_not_the_file() {
    let with_tab = HF_DAY.replacen("an emerging system algorithm", "an emerging\tsystem algorithm", 1);
    let broken = with_tab.replacen(r#""summary": "In this report,"#, "\"summary\": \"In this\nreport,", 1);
    assert_eq!(broken.matches(['\t', '\n']).count(), HF_DAY.matches('\n').count() + 2);
    assert!(serde_json::from_str::<serde_json::Value>(&broken).is_err(), "not JSON as written");
    let parsed = parse("hf-daily-api/2026-02-05.json", broken.as_bytes());
    let clean = parse("hf-daily-api/2026-02-05.json", HF_DAY.as_bytes());
    assert_eq!(parsed.records.len(), clean.records.len());
    // The same records rejected, each at its line in the file as written (one line more: the
    // raw line break).
    let moved: Vec<_> = clean.rejected.iter().map(|r| (r.position, r.line.map(|l| l + 1), r.reason.clone())).collect();
    assert_eq!(parsed.rejected.iter().map(|r| (r.position, r.line, r.reason.clone())).collect::<Vec<_>>(), moved);
    let warned: Vec<(usize, Option<usize>, &str)> = parsed
        .warnings
        .iter()
        .filter(|w| w.message.contains("written raw"))
        .map(|w| (w.position, w.line, w.paper.as_str()))
        .collect();
    assert_eq!(warned, [(1, Some(2), "2602.02958"), (2, Some(22), "2602.04705")], "{:#?}", parsed.warnings);
    let abstract_of =
        |file: &ParsedFile, i: usize| file.records[i].sections.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
    assert_eq!(
        abstract_of(&parsed, 0),
        abstract_of(&clean, 0).iter().map(|t| t.replacen("emerging system", "emerging\tsystem", 1)).collect::<Vec<_>>()
    );
    assert!(abstract_of(&parsed, 1).iter().any(|t| t.contains("In this\nreport")), "{:?}", abstract_of(&parsed, 1));
    // A dump on one line (as APIs write them): the warning goes to the record that held it.
    let one_line = HF_DAY.replace('\n', "").replacen("an emerging system", "an emerging\tsystem", 1);
    let parsed = parse("hf-daily-api/2026-02-05.json", one_line.as_bytes());
    let warned: Vec<(usize, &str)> = parsed
        .warnings
        .iter()
        .filter(|w| w.message.contains("written raw"))
        .map(|w| (w.position, w.paper.as_str()))
        .collect();
    assert_eq!(warned, [(1, "2602.02958")], "{:#?}", parsed.warnings);
    // When a raw control character is not the file's only syntax error, the file is refused,
    // and the error names the first problem where it is in the file as written.
    let also_broken = broken.replacen("\"upvotes\": 29,", "\"upvotes\": 29,,", 1);
    let error = parse_err("hf-daily-api/2026-02-05.json", also_broken.as_bytes());
    assert!(matches!(error, ParseError::InvalidJson { line: 12, column: 88, .. }), "{error:?}");
}

#[test]
fn hf_records_tolerate_null_fields_and_bad_records_are_rejected_one_by_one() {
    let parsed = parse("hf-daily-api/2026-02-05.json", HF_DAY.as_bytes());
    assert_eq!(parsed.format, SourceFormat::HfDailyApi);
    assert_eq!(parsed.records.len(), 2);

    let quant = &parsed.records[0];
    assert_eq!(quant.id.as_str(), "2602.02958");
    assert_eq!(quant.source.date.as_deref(), Some("2026-02-05"), "the file name's date");
    assert_eq!(
        quant.title.as_deref(),
        Some("Quant VideoGen: Auto-Regressive Long Video Generation via 2-Bit KV-Cache Quantization")
    );
    assert_eq!(quant.published.as_deref(), Some("2026-02-03"));
    assert_eq!(quant.authors, ["Haocheng Xi", "Shuo Yang"]);
    assert_eq!(quant.keywords, ["KV cache", "autoregressive video diffusion"]);
    assert_eq!(quant.github.as_deref(), Some("https://github.com/svg-project/Quant-VideoGen"));
    assert_eq!(quant.upvotes, Some(29));
    assert!(section(quant, SectionKind::Abstract).starts_with("Despite rapid progress"));
    assert!(section(quant, SectionKind::AiSummary).starts_with("Quant VideoGen addresses"));

    // Nulls are missing values; the top-level title and date stand in for the paper's.
    let ernie = &parsed.records[1];
    assert_eq!(ernie.title.as_deref(), Some("ERNIE 5.0 Technical Report"));
    assert_eq!(ernie.published.as_deref(), Some("2026-02-04"));
    assert!(ernie.authors.is_empty() && ernie.keywords.is_empty());
    assert_eq!((ernie.upvotes, ernie.github.as_deref()), (None, None));
    assert_eq!(kinds(ernie), [(SectionKind::Abstract, None)]);

    let rejected: Vec<(usize, Option<usize>)> = parsed.rejected.iter().map(|r| (r.position, r.line)).collect();
    assert_eq!(rejected, [(3, Some(37)), (4, Some(40)), (5, Some(44))]);
    assert!(parsed.rejected[0].reason.contains("paper.id"), "{}", parsed.rejected[0].reason);
    assert!(parsed.rejected[1].reason.contains("no `paper` object"), "{}", parsed.rejected[1].reason);
    assert!(parsed.rejected[2].reason.contains("Python-repr string"), "{}", parsed.rejected[2].reason);
}

#[test]
fn an_hf_title_written_as_a_number_gives_way_to_one_written_as_text() {
    let day = r#"[
  {"paper": {"id": "2602.02958", "title": 12345, "summary": "An abstract."}, "title": "Quant VideoGen"},
  {"paper": {"id": "2602.02959", "title": 2026, "summary": "Another abstract."}}
]"#;
    let parsed = parse("hf-daily-api/2026-02-05.json", day.as_bytes());
    let titles: Vec<Option<&str>> = parsed.records.iter().map(|r| r.title.as_deref()).collect();
    // Where a number is all there is, it is kept: a title may be a number.
    assert_eq!(titles, [Some("Quant VideoGen"), Some("2026")]);
}

#[test]
fn an_hf_field_no_reader_can_use_is_left_out_with_a_warning_naming_it() {
    let day = r#"[
  {"paper": {"id": "2602.02958", "title": {"en": "Quant VideoGen"}, "summary": "An abstract.", "upvotes": "lots",
             "authors": 5, "ai_keywords": true}, "title": "Quant VideoGen"},
  {"paper": {"id": "2602.02959", "title": "A paper", "upvotes": 1e300, "githubRepo": null}},
  {"paper": {"id": "2602.02960", "title": "Fine", "upvotes": "160", "authors": "A. One, B. Two"}}
]"#;
    let parsed = parse("hf-daily-api/2026-02-05.json", day.as_bytes());
    // Every record is read, with what could be read.
    let read: Vec<(Option<&str>, Option<u32>, usize)> =
        parsed.records.iter().map(|r| (r.title.as_deref(), r.upvotes, r.authors.len())).collect();
    assert_eq!(read, [(Some("Quant VideoGen"), None, 0), (Some("A paper"), None, 0), (Some("Fine"), Some(160), 2)]);
    let warnings: Vec<(usize, &str)> = parsed.warnings.iter().map(|w| (w.position, w.message.as_str())).collect();
    assert_eq!(
        warnings,
        [
            (
                1,
                "its `paper.title` is an object, not text: left out; its `paper.authors` is 5, not a list of names: \
                 left out; its `paper.upvotes` is \"lots\", not a count: left out; its `paper.ai_keywords` is a \
                 boolean, not a list of words: left out"
            ),
            // A count past any real one is a broken field, not the most upvoted paper.
            (2, "its `paper.upvotes` is 1e+300, not a count: left out"),
        ]
    );
}

#[test]
fn an_hf_dump_named_without_a_day_is_dated_by_the_day_its_record_was_listed() {
    let parsed = parse("downloads/daily_papers.json", HF_DAY.as_bytes());
    let days: Vec<Option<&str>> = parsed.records.iter().map(|r| r.source.date.as_deref()).collect();
    // The second record, from an older dump without `submittedOnDailyAt`, was listed when its
    // list item was published.
    assert_eq!(days, [Some("2026-02-04"), Some("2026-02-04")]);
    // An older dump, none of whose items says `submittedOnDailyAt`: one list is one day, the
    // latest its items were put on it (late-evening items carry the day before, in UTC).
    let old = r#"[
      {"paper": {"id": "2412.00001", "title": "One", "publishedAt": "2024-11-28T10:00:00.000Z"}, "publishedAt": "2024-12-01T23:06:00.000Z"},
      {"paper": {"id": "2412.00002", "title": "Two", "publishedAt": "2024-11-29T10:00:00.000Z"}, "publishedAt": "2024-12-02T08:00:00.000Z"}
    ]"#;
    let parsed = parse("downloads/daily_papers.json", old.as_bytes());
    let days: Vec<Option<&str>> = parsed.records.iter().map(|r| r.source.date.as_deref()).collect();
    assert_eq!(days, [Some("2024-12-02"), Some("2024-12-02")]);
    // One item's wrong day (2099) is not the list's: four of five say 2024-05-27.
    let item = |id: &str, day: &str| {
        format!(r#"{{"paper": {{"id": "{id}", "title": "T"}}, "publishedAt": "{day}T10:00:00.000Z"}}"#)
    };
    let days = ["2024-05-27", "2024-05-27", "2099-03-03", "2024-05-26", "2024-05-27"];
    let items: Vec<String> = days.iter().enumerate().map(|(i, day)| item(&format!("2405.0000{i}"), day)).collect();
    let parsed = parse("downloads/papers.json", format!("[{}]", items.join(",")).as_bytes());
    assert!(parsed.records.iter().all(|r| r.source.date.as_deref() == Some("2024-05-27")), "{:?}", parsed.records);
    // A dump no day holds a quarter of (a week's items) is dated by its commonest day, the
    // latest of equals.
    let days = ["2024-05-20", "2024-05-20", "2024-05-21", "2024-05-21", "2024-05-22"];
    let week = ["2024-05-23", "2024-05-24", "2024-05-25", "2024-05-26"];
    let items: Vec<String> =
        days.iter().chain(&week).enumerate().map(|(i, day)| item(&format!("2405.0001{i}"), day)).collect();
    let parsed = parse("downloads/week.json", format!("[{}]", items.join(",")).as_bytes());
    assert!(parsed.records.iter().all(|r| r.source.date.as_deref() == Some("2024-05-21")), "{:?}", parsed.records);
    let compact = parse("downloads/daily_papers_20260205.json", HF_DAY.as_bytes());
    assert!(compact.records.iter().all(|r| r.source.date.as_deref() == Some("2026-02-05")), "the file's day wins");
}

#[test]
fn a_number_beyond_any_float_is_an_unreadable_field_not_an_unreadable_file() {
    // One dump with an absurd count: in a field nobody reads, in one paper's upvotes, and
    // in a list of another; every paper of the file is still read.
    let text = r#"[
      {"paper": {"id": "2602.02958", "title": "Quant VideoGen", "upvotes": 1e400}, "numComments": -1e999},
      {"paper": {"id": "2602.04705", "title": "ERNIE 5.0 Technical Report", "upvotes": 7,
                 "scores": [1, 2e308, 3]}},
      {"paper": {"id": "2602.05000", "title": "A paper with a lone surrogate", "summary": "ok", "odd": "\ud800"}}
    ]"#;
    let parsed = parse("hf-daily-api/2026-02-05.json", text.as_bytes());
    let read: Vec<(&str, Option<u32>)> = parsed.records.iter().map(|r| (r.id.as_str(), r.upvotes)).collect();
    assert_eq!(read, [("2602.02958", None), ("2602.04705", Some(7)), ("2602.05000", None)]);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    // Broken syntax is still the file's error, with its place.
    let error = parse_err("x.json", b"[{\"paper\": {\"upvotes\": 1e400,}}]");
    assert!(matches!(error, ParseError::InvalidJson { line: 1, .. }), "{error:?}");
}

#[test]
fn half_a_utf16_pair_keeps_its_title_and_abstract_and_deep_nesting_is_a_rejected_record() {
    // `\ud800` alone cannot be a Rust string; the text around it is what the reader wants.
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let text = format!(
        r#"[
      {{"paper": {{"id": "2601.00076", "title": "Surrogate \ud800 in title",
                 "summary": "An abstract about diffusion models \udc00 and more text"}}}},
      {{"paper": {{"id": "2601.00077", "title": "Deep", "odd": {}}}}}
    ]"#,
        deep(200)
    );
    let parsed = parse("hf-daily-api/2026-02-05.json", text.as_bytes());
    let first = &parsed.records[0];
    assert_eq!(first.title.as_deref(), Some("Surrogate \u{fffd} in title"));
    assert!(first.sections.iter().any(|s| s.text.ends_with("\u{fffd} and more text")), "{:?}", first.sections);
    // Nested past serde_json's limit, a field reads as null: the record is still read.
    assert_eq!(parsed.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["2601.00076", "2601.00077"]);
    // Fifty thousand lists deep, the file holds no record: refused or empty, no crash.
    let fifty_thousand = deep(50_000);
    assert!(parse_bytes("x.json", fifty_thousand.as_bytes()).map_or(true, |parsed| parsed.records.is_empty()));
}

#[test]
fn an_empty_json_list_is_a_day_without_papers_not_an_error() {
    for text in ["[]", "[ ]\n", "\u{feff}[]"] {
        let parsed = parse("zh-glm/2024-06-01_HF_glms_api_clean.json", text.as_bytes());
        assert!(parsed.records.is_empty() && parsed.rejected.is_empty(), "{text:?}");
    }
}

// ---------------------------------------------------------------- Chinese summaries JSON

const ZH_DAY: &str = r#"[
  {"url": "https://arxiv.org/abs/2405.15738", "content": "文章《ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models》讨论了高分辨率大型多模态模型（LMMs）在处理视觉标记和视觉复杂性时遇到的挑战。\n\n为了提升ConvLLaVA的能力，作者们提出了两项关键优化。\n\n搜索结果来自：\n[2405.15738] ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models - https://arxiv.org/abs/2405.15738"},
  {"url": "https://arxiv.org/abs/2406.13542", "content": "文章《通过任务向量定制扩展个性化美学评估》提出了一种方法。"},
  {"url": "https://arxiv.org/abs/2407.07895", "content": ""},
  {"url": "https://example.com/blog", "content": "一篇博客。"}
]"#;

#[test]
fn chinese_summaries_take_the_title_from_the_guillemets_and_keep_the_search_results() {
    let parsed = parse("zh-glm/2024-05-27_HF_glms_api_clean.json", ZH_DAY.as_bytes());
    assert_eq!(parsed.format, SourceFormat::ZhSummaries);
    let conv = &parsed.records[0];
    assert_eq!(conv.id.as_str(), "2405.15738");
    assert_eq!(conv.url.as_deref(), Some("https://arxiv.org/abs/2405.15738"));
    assert_eq!(conv.source.date.as_deref(), Some("2024-05-27"));
    assert_eq!(
        conv.title.as_deref(),
        Some("ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models")
    );
    assert_eq!(kinds(conv), [(SectionKind::Body, None), (SectionKind::References, Some("搜索结果来自"))]);
    assert!(conv.sections[0].text.starts_with("文章《ConvLLaVA") && conv.sections[0].text.ends_with("两项关键优化。"));
    assert!(conv.sections[1].text.starts_with("[2405.15738] ConvLLaVA"));
    // A title the summariser translated is the Chinese title.
    let zh = &parsed.records[1];
    assert_eq!((zh.title.as_deref(), zh.title_zh.as_deref()), (None, Some("通过任务向量定制扩展个性化美学评估")));

    let rejected: Vec<(usize, Option<usize>)> = parsed.rejected.iter().map(|r| (r.position, r.line)).collect();
    assert_eq!(rejected, [(3, Some(4)), (4, Some(5))]);
    assert!(parsed.rejected[0].reason.contains("no text"), "{}", parsed.rejected[0].reason);
    assert!(parsed.rejected[1].reason.contains("https://example.com/blog"), "{}", parsed.rejected[1].reason);
}

#[test]
fn a_summary_whose_content_is_not_text_is_refused_saying_what_it_is() {
    let file = r#"[{"url": "https://arxiv.org/abs/2406.06525", "content": 12345},
        {"url": "https://arxiv.org/abs/2406.07476", "content": ""},
        {"url": "https://arxiv.org/abs/2406.07477", "content": "文章提出了一种方法。"},
        {"url": ["https://arxiv.org/abs/2406.07478"], "content": "文章。"}]"#;
    let parsed = parse_bytes("zh-glm/2024-06-11.json", file.as_bytes()).expect("read");
    assert_eq!(parsed.records.len(), 1);
    let reasons: Vec<&str> = parsed.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "summary of 2406.06525 has no text: `content` is a number, not a string",
            "summary of 2406.07476 has no text: `content` is empty or missing",
            // A `url` of the wrong type is said to be so, not to be missing.
            "`url` is a list, not a web address: cannot tell which paper this is",
        ]
    );
}

#[test]
fn a_summary_that_says_the_paper_could_not_be_read_keeps_the_record_and_loses_the_apology() {
    let day = r#"[
  {"url": "https://arxiv.org/abs/2406.06525", "content": "无法访问您提供的文章链接，因此无法直接提供文章内容的详细信息。不过，我可以根据文章的标题来概述其可能的内容。\n\n文章可能探讨了自动回归模型在图像生成方面的性能。"},
  {"url": "https://arxiv.org/abs/2405.15738", "content": "文章《ConvLLaVA》讨论了智能体无法访问外部网页时的应对方法。"}
]"#;
    let parsed = parse("zh-glm/2024-06-11_HF_glms_api_clean.json", day.as_bytes());
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let apology = &parsed.records[0];
    assert_eq!(apology.id.as_str(), "2406.06525");
    assert!(apology.sections.is_empty(), "the apology is not the paper's text: {:#?}", apology.sections);
    assert_eq!(apology.url.as_deref(), Some("https://arxiv.org/abs/2406.06525"));
    assert_eq!(apology.source.date.as_deref(), Some("2024-06-11"));
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    let warning = &parsed.warnings[0];
    assert_eq!((warning.position, warning.line), (1, Some(2)));
    assert!(
        warning.message.contains("2406.06525") && warning.message.contains("无法访问您提供的文章链接"),
        "the warning names the paper and quotes the apology: {}",
        warning.message
    );
    // A summary about agents that cannot reach a page is a summary.
    assert_eq!(kinds(&parsed.records[1]), [(SectionKind::Body, None)]);
}

#[test]
fn a_summary_found_after_an_apology_is_kept_without_the_apology() {
    let day = r#"[{"url": "https://arxiv.org/abs/2407.12077", "content": "很抱歉，我无法直接访问您提供的链接内容。请稍等，我马上为您搜索相关资料。文章《GoldFinch》介绍了一种混合线性注意力模型。\n\n搜索结果来自：\n[2407.12077] GoldFinch - https://arxiv.org/abs/2407.12077"}]"#;
    let parsed = parse("zh-glm/2024-07-18_HF_glms_api_clean.json", day.as_bytes());
    assert!(parsed.warnings.is_empty(), "the summariser found the paper: {:?}", parsed.warnings);
    let record = &parsed.records[0];
    assert_eq!(section(record, SectionKind::Body), "文章《GoldFinch》介绍了一种混合线性注意力模型。");
    assert_eq!(record.title.as_deref(), Some("GoldFinch"));
}

// ---------------------------------------------------------------- paper markdown

#[test]
fn a_front_matter_paper_yields_its_fields_and_its_body_without_duplicates() {
    let path = "paper-md/1706.03762v1-attention-is-all-you-need.md";
    let parsed = parse(path, &fixture("1706.03762v1-attention-is-all-you-need.md"));
    assert_eq!(parsed.format, SourceFormat::PaperMarkdown);
    let paper = &parsed.records[0];
    assert_eq!(paper.id.as_str(), "1706.03762");
    assert_eq!(paper.url.as_deref(), Some("https://arxiv.org/pdf/1706.03762v1"));
    assert_eq!(paper.title.as_deref(), Some("Attention Is All You Need"));
    assert_eq!(paper.title_zh.as_deref(), Some("注意力即一切"));
    assert_eq!(paper.published.as_deref(), Some("2017-06-12"), "`date: 20170612` is a YYYYMMDD number");
    assert_eq!(paper.authors.len(), 8);
    assert_eq!(paper.authors[7], "Illia Polosukhin");
    assert_eq!(paper.keywords, ["query:transformer", "query:attention"]);
    assert_eq!(paper.source.date, None);
    use SectionKind::*;
    assert_eq!(
        kinds(paper),
        [
            (Tldr, None),
            (Abstract, None),
            (Motivation, None),
            (Method, None),
            (Results, None),
            (Conclusion, None),
            (Body, Some("论文详细总结（自动生成）")),
        ],
        "`## Original Abstract` repeats `abstract_en` and is kept once"
    );
    let detail = &paper.sections[6].text;
    assert!(detail.contains("### 2. 方法论：核心思想与关键技术"), "sub-headings stay in their section");
    let all: String = paper.sections.iter().map(|s| s.text.as_str()).collect();
    assert!(!all.contains("figures_json") && !all.contains("fresh_fetch") && !all.contains("纯注意力架构"));
}

#[test]
fn a_plain_markdown_paper_reads_its_header_and_glance_lines() {
    let path = "paper-md/2511.23073v1-constraining-dark-matter-halo-profiles-with-symbolic-regression.md";
    let parsed =
        parse(path, &fixture("2511.23073v1-constraining-dark-matter-halo-profiles-with-symbolic-regression.md"));
    let paper = &parsed.records[0];
    assert_eq!(paper.id.as_str(), "2511.23073");
    assert_eq!(paper.title.as_deref(), Some("Constraining dark matter halo profiles with symbolic regression"));
    assert_eq!(paper.title_zh.as_deref(), Some("利用符号回归约束暗物质晕剖面"));
    assert_eq!(
        paper.authors,
        ["Alicia Martín", "Tariq Yasin", "Deaglan J. Bartlett", "Harry Desmond", "Pedro G. Ferreira"]
    );
    assert_eq!(paper.published.as_deref(), Some("2025-11-28"));
    assert_eq!(paper.keywords, ["SR"], "the doubled tag is kept once");
    use SectionKind::*;
    assert_eq!(
        kinds(paper),
        [
            (Tldr, None),
            (Tldr, None),
            (Motivation, None),
            (Method, None),
            (Results, None),
            (Conclusion, None),
            (Abstract, None),
            (Abstract, None)
        ]
    );
    assert_eq!(
        section(paper, Motivation),
        "传统的暗物质晕模型（如NFW）依赖于模拟假设，而模拟结果受暗物质物理和重子建模的不确定性影响。"
    );
    let all: String = paper.sections.iter().map(|s| s.text.as_str()).collect();
    assert!(
        !all.contains("**Score**") && !all.contains("穷举符号回归用于暗物质晕剖面约束"),
        "collector fields are not text"
    );
}

#[test]
fn an_html_paper_reads_like_its_markdown_twin() {
    let path = "paper-md/2601.15131v1-vehicle-routing-with-finite-time-horizon.md";
    let parsed = parse(path, &fixture("2601.15131v1-vehicle-routing-with-finite-time-horizon.md"));
    let paper = &parsed.records[0];
    assert_eq!(paper.id.as_str(), "2601.15131");
    assert_eq!(paper.url.as_deref(), Some("https://arxiv.org/pdf/2601.15131v1"));
    assert!(paper.title.as_deref().is_some_and(|t| t.starts_with("Vehicle Routing with Finite Time Horizon")));
    assert_eq!(paper.title_zh.as_deref(), Some("基于改进网络嵌入的深度强化学习解决有限时间跨度车辆路径问题"));
    assert_eq!(paper.authors, ["Ayan Maity", "Sudeshna Sarkar"]);
    assert_eq!(paper.keywords, ["LNS", "EAA"]);
    assert_eq!(
        section(paper, SectionKind::Method),
        "提出一种结合节点、边及剩余时间信息的改进网络嵌入模块，并利用策略梯度深度强化学习进行求解。"
    );
    assert!(section(paper, SectionKind::Tldr).starts_with("本研究针对有限时间范围内的车辆路径规划问题"));
    let abstracts = paper.sections.iter().filter(|s| s.kind == SectionKind::Abstract).count();
    assert_eq!(abstracts, 2, "`## 摘要` and `## Abstract`");
    assert!(paper.sections.iter().all(|s| !s.text.contains('<')), "no HTML left: {:#?}", paper.sections);
}

const NO_PDF: &str = "
# Humanlike AI Design Increases Anthropomorphism but Yields Divergent Outcomes on Engagement and Trust Globally

**Authors**: Robin Schimmelpfennig, Mark Díaz, Vinodkumar Prabhakaran, Aida Davani
**Date**: 2025-12-19

---

## Abstract
Over a billion users across the globe interact with AI systems engineered with increasing sophistication to mimic human traits.
";

#[test]
fn a_paper_without_a_pdf_link_takes_its_id_from_the_file_name_or_is_rejected() {
    let parsed = parse("paper-md/2512.17898v1-humanlike-ai-design.md", NO_PDF.as_bytes());
    assert_eq!(parsed.records[0].id.as_str(), "2512.17898");
    assert_eq!(parsed.records[0].url, None);
    let parsed = parse("paper-md/humanlike-ai-design.md", NO_PDF.as_bytes());
    assert!(parsed.records.is_empty());
    assert_eq!(parsed.rejected.len(), 1);
    assert!(parsed.rejected[0].reason.contains("no arXiv id"), "{}", parsed.rejected[0].reason);
}

#[test]
fn broken_front_matter_names_the_line_of_the_file() {
    let text = "---\ntitle: Attention Is All You Need\ntags: [\"query:transformer\"\npdf: \"https://arxiv.org/pdf/1706.03762v1\"\n---\n\n## Abstract\nx\n";
    let error = parse_err("paper-md/1706.03762v1-attention.md", text.as_bytes());
    let ParseError::InvalidFrontMatter { line, .. } = error else { panic!("{error:?}") };
    assert!((3..=5).contains(&line), "the unclosed list is on line 3, YAML notices by line 5: {line}");
    assert!(error.to_string().contains(&format!("line {line}")));

    let error = parse_err("paper-md/x.md", b"---\ntitle: Never closed\n\n## Abstract\n");
    assert!(error.to_string().contains("never closed"), "{error}");
}

// ---------------------------------------------------------------- hostile input

#[test]
fn empty_files_are_an_error() {
    for bytes in [&b""[..], b"  \n\t\r\n", b"\xEF\xBB\xBF"] {
        assert!(matches!(parse_err("empty.json", bytes), ParseError::Empty), "{bytes:?}");
    }
}

#[test]
fn binary_files_are_an_error() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
    let error = parse_err("figure.png", png);
    assert!(matches!(error, ParseError::Binary { offset: 8, .. }), "{error:?}");
    assert!(error.to_string().contains("binary"));
    // UTF-16 without its byte-order mark is told from text by its NUL bytes, and said to be
    // UTF-16 when the NULs fall on one side of each pair, in either byte order; UTF-32 is
    // named too.
    let utf16 = "[]".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    assert!(matches!(parse_err("utf16.json", &utf16), ParseError::Binary { .. }), "too short to tell");
    for order in [u16::to_le_bytes as fn(u16) -> [u8; 2], u16::to_be_bytes] {
        let utf16: Vec<u8> = HF_DAY.encode_utf16().flat_map(order).collect();
        let error = parse_err("hf-daily-api/2026-02-05.json", &utf16);
        assert!(matches!(error, ParseError::OtherEncoding { .. }), "{error:?}");
        assert_eq!(error.to_string(), "file is UTF-16 without a byte-order mark, not UTF-8 text; re-save it as UTF-8");
    }
    let utf32: Vec<u8> =
        [0xFF, 0xFE, 0, 0].into_iter().chain("[]".chars().flat_map(|c| (c as u32).to_le_bytes())).collect();
    assert!(parse_err("utf32.json", &utf32).to_string().contains("UTF-32"));
    assert!(matches!(parse_err("figure.png", png), ParseError::Binary { .. }), "a binary is not said to be text");
    // With it, a half character at the end is binary too.
    assert!(matches!(parse_err("odd.json", &[0xFF, 0xFE, b'[', 0, b']']), ParseError::Binary { offset: 4, .. }));
}

/// A daily dump saved by Windows PowerShell's `>` is UTF-16 with a byte-order mark, little-
/// or big-endian: it reads as the same papers as the UTF-8 file.
#[test]
fn utf16_with_its_byte_order_mark_reads_as_the_same_papers() {
    let utf8 = parse("hf-daily-api/2026-02-05.json", HF_DAY.as_bytes());
    for (mark, order) in [([0xFF, 0xFE], u16::to_le_bytes as fn(u16) -> [u8; 2]), ([0xFE, 0xFF], u16::to_be_bytes)] {
        let bytes: Vec<u8> = mark.into_iter().chain(HF_DAY.encode_utf16().flat_map(order)).collect();
        let parsed = parse("hf-daily-api/2026-02-05.json", &bytes);
        assert_eq!(parsed.records, utf8.records, "{mark:?}");
    }
    let empty: Vec<u8> = [0xFF, 0xFE].into_iter().chain(" \n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert!(matches!(parse_err("blank.json", &empty), ParseError::Empty));
}

#[test]
fn truncated_json_names_the_line_and_column() {
    let truncated = &HF_DAY[..HF_DAY.find("Haocheng").expect("an author")];
    let error = parse_err("hf-daily-api/2026-02-05.json", truncated.as_bytes());
    let ParseError::InvalidJson { line, column, message } = &error else { panic!("{error:?}") };
    assert_eq!((*line, *column), (6, 53));
    assert!(message.contains("truncated"), "{message}");
    assert!(error.to_string().starts_with("invalid JSON at line 6, column 53"), "{error}");
    let error = parse_err("x.json", b"[{\"paper\": {\"id\": \"2602.02958\",}}]");
    assert!(matches!(error, ParseError::InvalidJson { line: 1, .. }), "{error:?}");
}

#[test]
fn a_list_cut_off_keeps_the_records_that_arrived_whole_and_names_where_it_stops() {
    // A download that stopped inside the third record: the two before it are read.
    let cut = HF_DAY.match_indices("\"paper\"").nth(2).expect("a third record").0 + 20;
    let parsed = parse("hf-daily-api/2026-02-05.json", &HF_DAY.as_bytes()[..cut]);
    let ids: Vec<&str> = parsed.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["2602.02958", "2602.04705"]);
    let [cut_off] = parsed.rejected.as_slice() else { panic!("{:?}", parsed.rejected) };
    assert_eq!(cut_off.position, 3);
    assert!(cut_off.reason.starts_with("invalid JSON at line"), "{}", cut_off.reason);
    assert!(cut_off.reason.contains("truncated") && cut_off.reason.ends_with("the 2 records before it were read"));
    // Cut between two records, before the list closes: every record is read, and the end named.
    let between = HF_DAY[..cut].rfind("},").expect("an end of record") + 2;
    let parsed = parse("hf-daily-api/2026-02-05.json", &HF_DAY.as_bytes()[..between]);
    assert_eq!(parsed.records.len(), 2);
    assert_eq!(parsed.rejected.iter().map(|r| r.position).collect::<Vec<_>>(), [3]);
}

#[test]
fn a_stray_byte_that_is_not_utf8_costs_its_record_a_warning_and_another_encoding_is_refused_naming_the_line() {
    // One Latin-1 `é` in the second of two papers: both are read, the second with a warning.
    let report = b"# Hugging Face Daily Papers Report\n**Date**: 2026-02-05\n\n## \xf0\x9f\x93\x84 First\n\
        - **\xe9\x93\xbe\xe6\x8e\xa5**: https://arxiv.org/abs/2602.00001\n\nText.\n\n\
        ## \xf0\x9f\x93\x84 Caf\xe9 Society\n- **\xe9\x93\xbe\xe6\x8e\xa5**: https://arxiv.org/abs/2602.00002\n\nMore.\n";
    let parsed = parse("reports/2026-02-05.md", report);
    let titles: Vec<&str> = parsed.records.iter().filter_map(|r| r.title.as_deref()).collect();
    assert_eq!(titles, ["First", "Caf\u{FFFD} Society"]);
    let [warning] = parsed.warnings.as_slice() else { panic!("{:?}", parsed.warnings) };
    assert_eq!((warning.paper.as_str(), warning.position), ("2602.00002", 2));
    assert!(warning.message.contains("not UTF-8") && warning.message.contains("line 9, column 12"), "{warning:?}");
    // A copy cut inside a character: the papers before the cut are read.
    let cut = &report[..report.len() - 2];
    let cut = [cut, "\n## 📄 论文".as_bytes().split_at(10).0].concat();
    assert_eq!(parse("cut.md", &cut).records.len(), 2);
    // Text in another encoding throughout (GBK: every Chinese character is two bytes UTF-8
    // refuses) is refused whole, naming the first bad byte's line.
    let gbk: Vec<u8> =
        [&b"# Hugging Face Daily Papers Report\n\n## \xf0\x9f\x93\x84 T\n"[..], &[0xC4, 0xE3, 0xBA, 0xC3].repeat(20)]
            .concat();
    let error = parse_err("reports/gbk.md", &gbk);
    assert!(matches!(error, ParseError::NotUtf8 { line: 4, column: 1, .. }), "{error:?}");
    assert!(error.to_string().contains("line 4"), "{error}");
}

#[test]
fn markdown_without_papers_is_an_error_that_says_what_was_expected() {
    let error = parse_err("notes.md", "# Reading notes\n\nTransformers are neat.\n".as_bytes());
    assert!(matches!(error, ParseError::UnknownFormat { .. }), "{error:?}");
    assert!(error.to_string().contains("## 📄"), "{error}");
    let error = parse_err(
        "reports/2026-02-07.md",
        b"# Hugging Face Daily Papers Report\n**Date**: 2026-02-07\n\nNo papers today.\n",
    );
    assert!(matches!(error, ParseError::NoPapers { format: SourceFormat::DailyReport }), "{error:?}");
    assert!(matches!(parse_err("prose.txt", b"2024 was a good year."), ParseError::UnknownFormat { .. }));
}

#[test]
fn json_that_is_not_a_list_of_papers_says_what_it_found() {
    let error = parse_err("hf-daily-api/2024-06-01.json", b"1\n");
    assert_eq!(error.to_string(), "expected a JSON list of papers, found a number (1)");
    let error = parse_err("x.json", br#"{"status": "error", "message": "rate limited"}"#);
    assert!(matches!(&error, ParseError::NotAList { found } if found.contains("\"status\"")), "{error:?}");
    let error = parse_err("x.json", br#"[1, 2, 3]"#);
    assert!(matches!(&error, ParseError::NotPaperObjects { found } if found == "numbers"), "{error:?}");
    let error = parse_err("x.json", br#"[{"name": "not a paper"}]"#);
    assert!(error.to_string().contains("\"name\""), "{error}");
    // Objects that lack a field are told which fields a record needs, not to become objects.
    let error = parse_err("x.json", br#"[{"url": "https://arxiv.org/abs/2602.02958"}]"#).to_string();
    assert!(error.contains("keys \"url\"") && error.contains("`url` and `content`"), "{error}");
    assert!(!error.contains("convert"), "{error}");
}

#[test]
fn an_api_answer_wrapped_around_the_days_papers_is_read_and_one_saying_there_were_none_is_an_empty_day() {
    let record = r#"{"paper": {"id": "2501.05441", "title": "A paper", "summary": "An abstract."}}"#;
    let wrapped = format!(r#"{{"status": "success", "date": "2025-01-10", "count": 1, "data": [{record}]}}"#);
    let parsed = parse_bytes("hf-daily-api/2025-01-10.json", wrapped.as_bytes()).expect("read");
    assert_eq!(parsed.format, SourceFormat::HfDailyApi);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].source.date.as_deref(), Some("2025-01-10"));
    // A bad record inside is named by its position (its line is not known).
    let one_bad = format!(r#"{{"data": [{record}, {{"paper": {{"title": "no id"}}}}]}}"#);
    let parsed = parse_bytes("x.json", one_bad.as_bytes()).expect("read");
    assert_eq!((parsed.records.len(), parsed.rejected.len()), (1, 1));
    assert_eq!((parsed.rejected[0].position, parsed.rejected[0].line), (2, None));
    // The API saying there were no papers that day is a day without papers, as `[]` is.
    let parsed = parse_bytes(
        "hf-daily-api/2025-01-11.json",
        br#"{"status": "no_data", "date": "2025-01-11", "message": "No papers found for this date"}"#,
    )
    .expect("an empty day");
    assert!(parsed.records.is_empty() && parsed.rejected.is_empty());
    // A wrapped list of what is not paper records is refused, saying what it holds.
    let error = parse_err("x.json", br#"{"status": "success", "data": ["{'paper': {'id': '2501.05441'}}"]}"#);
    assert!(error.to_string().contains("Python-repr strings"), "{error}");
}

#[test]
fn a_list_of_python_repr_strings_is_named_as_such() {
    let text = r#"["{'paper': {'id': '2412.07730', 'authors': [{'name': 'Zongyu Lin', 'hidden': False}]}}"]"#;
    let error = parse_err("hf-daily-api/2024-12-11.json", text.as_bytes());
    assert!(
        matches!(&error, ParseError::NotPaperObjects { found } if found.starts_with("Python-repr strings")),
        "{error:?}"
    );
    assert!(error.to_string().contains("Python-repr strings ({'paper': {'id': '2412.07730'"), "{error}");
}

#[test]
fn files_over_the_limit_are_rejected_whole() {
    let huge = vec![b' '; usize::try_from(MAX_FILE_BYTES).expect("fits") + 1];
    let error = parse_err("huge.json", &huge);
    assert!(
        matches!(error, ParseError::TooLarge { size, limit } if size == MAX_FILE_BYTES + 1 && limit == MAX_FILE_BYTES)
    );
}

// ---------------------------------------------------------------- no input panics

/// Pieces of every format, shuffled together: most of what the parsers look for, cut at odd
/// places and next to multi-byte characters.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "\n",
            "\n\n",
            "---\n",
            "...\n",
            "# ",
            "## ",
            "### ",
            "#### ",
            "## 📄 ",
            "📄",
            "\u{fe0f}",
            "====\n",
            "- **链接**: ",
            "https://huggingface.co/papers/2602.02958",
            "https://arxiv.org/pdf/2511.23073v1",
            "arxiv.org/abs/",
            "**Date**: 2026-02-05",
            "1. ",
            "一、",
            "(1)",
            "**",
            "__",
            "：",
            ":",
            "\\",
            " ",
            "   ",
            "应用领域",
            "一句话核心贡献",
            "使用指南",
            "主要创新点",
            "实验效果",
            "摘要",
            "Motivation",
            "TLDR",
            "《",
            "》",
            "标题是“",
            "”",
            "搜索结果来自：",
            "```",
            "~~~",
            "[",
            "]",
            "{",
            "}",
            ",",
            "\"",
            "\"paper\": ",
            "\"id\": ",
            "\"url\": ",
            "\"content\": ",
            "null",
            "1",
            "title: ",
            "pdf: ",
            "date: 20170612",
            "tags: [",
            "authors: ",
            "|\n  ",
            "<h1 class=\"paper-title-en\">",
            "</h1>",
            "<p><strong>PDF</strong>: ",
            "<span class=\"tag-label\">",
            "</span>",
            "<",
            ">",
            "&amp;",
            "é",
            "論",
            "\r\n",
            "\t",
        ])
        .prop_map(str::to_string),
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let _ = parse_bytes("2026-02-05.json", &bytes);
    }

    #[test]
    fn shuffled_format_fragments_never_panic(parts in prop::collection::vec(fragment(), 0..60)) {
        let text = parts.concat();
        let _ = parse_bytes("paper-md/2511.23073v1-x.md", text.as_bytes());
        // The same text as the start of each format.
        for start in ["## 📄 T\n- **链接**: https://arxiv.org/abs/2602.02958\n", "---\n", "# T\n**PDF**: https://arxiv.org/pdf/2511.23073v1\n"] {
            let _ = parse_bytes("2026-02-05.md", format!("{start}{text}").as_bytes());
        }
    }

    #[test]
    fn json_records_with_any_field_values_never_panic(
        id in prop::option::of("\\PC{0,14}"),
        title in prop::option::of("\\PC{0,20}"),
        url in prop::option::of(prop_oneof!["\\PC{0,20}", Just("https://arxiv.org/abs/2405.15738".to_string())]),
        content in prop::option::of(prop::collection::vec(fragment(), 0..20)),
        upvotes in prop_oneof![Just(serde_json::json!(-3)), Just(serde_json::json!(1e30)), Just(serde_json::json!("12")), Just(serde_json::json!([]))],
    ) {
        let hf = serde_json::json!([{ "paper": { "id": id, "title": title, "upvotes": upvotes, "authors": [title, {"name": 3}] } }]);
        let _ = parse_bytes("a.json", hf.to_string().as_bytes());
        let zh = serde_json::json!([{ "url": url, "content": content.map(|c| c.concat()) }]);
        let _ = parse_bytes("b.json", zh.to_string().as_bytes());
    }
}

// ---------------------------------------------------------------- records too large to index

/// A record whose text could exhaust the machine when indexed (a 2 MB summary took 400 MB) or
/// whose title would lead every passage is refused by name; the file's other records are kept.
#[test]
fn a_record_too_large_to_index_is_refused_by_name_and_the_rest_kept() {
    let summary = "v ".repeat(paperdex_core::MAX_RECORD_TEXT_BYTES / 2 + 1);
    let hf = serde_json::json!([
        {"paper": {"id": "2602.02958", "title": "Quant VideoGen", "summary": summary}},
        {"paper": {"id": "2602.04705", "title": "ERNIE 5.0 Technical Report", "summary": "In this report."}},
        {"paper": {"id": "2602.03907", "title": "t".repeat(paperdex_core::MAX_TITLE_CHARS + 1), "summary": "x"}},
    ])
    .to_string();
    let parsed = parse("hf-daily-api/2026-02-05.json", hf.as_bytes());
    assert_eq!(parsed.records.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), ["2602.04705"]);
    let reasons: Vec<(usize, &str)> = parsed.rejected.iter().map(|r| (r.position, r.reason.as_str())).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].0 == 1 && reasons[0].1.contains("2602.02958") && reasons[0].1.contains("over the limit"));
    assert!(reasons[1].0 == 3 && reasons[1].1.contains("title is 1001 characters"), "{reasons:?}");

    let report = format!(
        "# Daily Report\n\n## 📄 Big\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n{summary}\n\n\
         ## 📄 Small\n\n- **链接**: https://huggingface.co/papers/2602.04705\n\n一句话核心贡献：小。\n"
    );
    let parsed = parse("reports/2026-02-05.md", report.as_bytes());
    assert_eq!(parsed.records.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), ["2602.04705"]);
    assert!(parsed.rejected[0].reason.contains("over the limit"), "{:?}", parsed.rejected);

    let paper_md = format!("# Big\n\n**PDF**: https://arxiv.org/pdf/2602.02958\n\n## Abstract\n\n{summary}\n");
    let parsed = parse("paper-md/2602.02958v1-big.md", paper_md.as_bytes());
    assert!(parsed.records.is_empty() && parsed.rejected[0].reason.contains("over the limit"), "{parsed:?}");

    // Authors and keywords count: 200,000 authors are no paper's.
    let authors: Vec<serde_json::Value> =
        (0..200_000).map(|i| serde_json::json!({"name": format!("Author {i}")})).collect();
    let hf = serde_json::json!([
        {"paper": {"id": "2602.02958", "title": "Quant VideoGen", "summary": "s", "authors": authors}},
        {"paper": {"id": "2602.04705", "title": "ERNIE 5.0 Technical Report", "summary": "s",
                   "authors": [{"name": "Baidu"}]}},
    ])
    .to_string();
    let parsed = parse("hf-daily-api/2026-02-05.json", hf.as_bytes());
    assert_eq!(parsed.records.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), ["2602.04705"]);
    assert!(parsed.rejected[0].reason.contains("over the limit"), "{:?}", parsed.rejected);
}

/// Front matter nested thousands deep is refused before the YAML parser, whose time grows
/// with the square of the depth (200,000 `[` took a minute).
#[test]
fn front_matter_nested_deep_is_refused_at_once() {
    let deep = format!(
        "---\ntitle: Deep\ndeep: {}\npdf: https://arxiv.org/pdf/2602.02958\n---\n\n## Abstract\n\ntext\n",
        "[".repeat(200_000)
    );
    let error = parse_err("paper-md/2602.02958v1-deep.md", deep.as_bytes());
    assert!(error.to_string().contains("nested more than 64 deep"), "{error}");
    // Quotes, apostrophes and a list in a list are no depth to speak of.
    let flat = "---\ntitle: 'A [quoted title'\nauthors: [John O'Brien, \"Mary {x\"]\ntags: [a, [b]]\n\
                pdf: https://arxiv.org/pdf/2602.02958\n---\n\n## Abstract\n\ntext\n";
    assert_eq!(parse("paper-md/2602.02958v1-flat.md", flat.as_bytes()).records.len(), 1);
}

/// A file that names one paper twice keeps both readings' order (the later replaces the
/// earlier, as a file read again does) and says so, naming both records.
#[test]
fn a_paper_named_twice_in_one_file_is_a_warning_naming_both_records() {
    let hf = serde_json::json!([
        {"paper": {"id": "2602.02958", "title": "First", "summary": "zebras"}},
        {"paper": {"id": "2602.04705", "title": "Other", "summary": "x"}},
        {"paper": {"id": "2602.02958", "title": "Second", "summary": "horses"}},
    ])
    .to_string();
    let parsed = parse("hf-daily-api/2026-02-05.json", hf.as_bytes());
    assert_eq!(parsed.records.len(), 3);
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    let warning = &parsed.warnings[0];
    assert_eq!(warning.position, 3);
    assert!(warning.message.contains("2602.02958") && warning.message.contains("record 1"), "{}", warning.message);

    let report = "# Daily Report\n\n## 📄 First\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n一句话核心贡献：甲。\n\n\
                  ## 📄 Second\n\n- **链接**: https://huggingface.co/papers/2602.02958\n\n一句话核心贡献：乙。\n";
    let parsed = parse("reports/2026-02-05.md", report.as_bytes());
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert_eq!((parsed.warnings[0].position, parsed.warnings[0].line), (2, Some(9)));
    assert!(parsed.warnings[0].message.contains("record 1 (line 3)"), "{}", parsed.warnings[0].message);
}
