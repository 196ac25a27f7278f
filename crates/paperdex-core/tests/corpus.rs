//! Ground truth on the real corpus in `shared/corpus` beside the checkout (CI has a copy
//! there). The numbers were counted independently of this parser; if one changes, either the
//! corpus or the parser changed, and the test says which folder.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use paperdex_core::{PaperId, ParseError, ParsedFile, Record, SectionKind, SourceFormat, parse_bytes};

/// The folders of paper sources; `cacm/` and `cisi/` are evaluation collections, not inputs.
const FOLDERS: [&str; 5] = ["reports", "hf-daily-api", "hf-daily-api-repaired", "zh-glm", "paper-md"];

fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(
        dir.join("reports/2026-02-05.md").is_file(),
        "the test corpus is missing: expected it at {} (shared/corpus beside the checkout)",
        dir.display()
    );
    dir
}

/// One parsed file.
struct Parsed {
    folder: &'static str,
    name: String,
    result: Result<ParsedFile, ParseError>,
}

struct Corpus {
    files: Vec<Parsed>,
    elapsed: Duration,
}

/// Every file of every folder, parsed once for all the tests.
fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = corpus_dir();
        let mut inputs = Vec::new();
        for folder in FOLDERS {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
                .unwrap_or_else(|e| panic!("cannot list corpus folder {folder}: {e}"))
                .map(|entry| entry.expect("readable directory entry").path())
                .filter(|path| path.is_file())
                .collect();
            paths.sort();
            for path in paths {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                inputs.push((folder, path, bytes));
            }
        }
        // Time the parsing alone, not the disk.
        let started = Instant::now();
        let files = inputs
            .into_iter()
            .map(|(folder, path, bytes)| Parsed {
                folder,
                name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                result: parse_bytes(&path.display().to_string(), &bytes),
            })
            .collect();
        Corpus { files, elapsed: started.elapsed() }
    })
}

fn records_in<'a>(folder: &'a str) -> impl Iterator<Item = &'static Record> + 'a {
    corpus()
        .files
        .iter()
        .filter(move |f| f.folder == folder)
        .filter_map(|f| f.result.as_ref().ok())
        .flat_map(|parsed| parsed.records.iter())
}

#[test]
fn the_whole_corpus_yields_exactly_11337_distinct_papers() {
    let corpus = corpus();
    let ids: HashSet<&PaperId> =
        corpus.files.iter().filter_map(|f| f.result.as_ref().ok()).flat_map(|p| &p.records).map(|r| &r.id).collect();
    let files = corpus.files.len();
    eprintln!("parsed {files} files into {} distinct papers in {:?}", ids.len(), corpus.elapsed);
    assert_eq!(ids.len(), 11_337);
}

#[test]
fn only_the_broken_hf_dumps_fail_and_every_other_file_parses() {
    let mut failures: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for file in &corpus().files {
        if let Err(error) = &file.result {
            let kind = match error {
                ParseError::NotAList { .. } => "not a list",
                ParseError::NotPaperObjects { found } if found.starts_with("Python-repr strings") => {
                    "Python-repr strings"
                }
                _ => "other",
            };
            failures.entry((file.folder, kind)).or_default().push(&file.name);
        }
    }
    let counts: BTreeMap<(&str, &str), usize> = failures.iter().map(|(k, v)| (*k, v.len())).collect();
    // Not a list: 65 weekend placeholders holding a number, and 1 wrapped answer whose data are
    // Python-repr strings (2 wrapped answers that there were no papers are empty days).
    let want = BTreeMap::from([(("hf-daily-api", "Python-repr strings"), 21), (("hf-daily-api", "not a list"), 66)]);
    assert_eq!(counts, want, "failed files: {failures:#?}");
}

#[test]
fn every_not_a_list_error_says_what_the_file_holds_instead() {
    let messages: HashSet<String> = corpus()
        .files
        .iter()
        .filter_map(|f| match &f.result {
            Err(error @ ParseError::NotAList { .. }) => Some(error.to_string()),
            _ => None,
        })
        .collect();
    assert!(messages.contains("expected a JSON list of papers, found a number (1)"), "{messages:#?}");
    assert!(
        messages.iter().any(|m| m.contains("\"data\"") && m.contains("Python-repr strings")),
        "the wrapped API answer should say its data list holds Python-repr strings: {messages:#?}"
    );
}

#[test]
fn the_only_rejected_record_is_the_empty_chinese_summary() {
    let rejected: Vec<(&str, usize, Option<usize>, &str)> = corpus()
        .files
        .iter()
        .filter_map(|f| f.result.as_ref().ok().map(|p| (f, p)))
        .flat_map(|(f, p)| p.rejected.iter().map(move |r| (f.name.as_str(), r.position, r.line, r.reason.as_str())))
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:#?}");
    let (name, position, line, reason) = rejected[0];
    assert_eq!((name, position, line), ("2024-07-11_HF_glms_api_clean.json", 2, Some(6)));
    assert!(reason.contains("2407.07895") && reason.contains("no text"), "{reason}");
}

/// A hundred of the 488 Chinese summaries open with the summariser's apology that it could not
/// open the link (counted apart from the parser: the first 150 characters hold 无法 or 不能,
/// maybe 直接, then 访问, 获取, 打开, 浏览, 检索 or 查看). In 9 its search results then name
/// the paper and a summary follows: that is kept, without the apology. The other 91 are
/// guesses from the link or advice on reading papers: their records stay, without the text.
#[test]
fn the_91_summaries_that_never_read_the_paper_keep_their_record_and_lose_their_text() {
    for file in corpus().files.iter().filter(|f| f.folder != "zh-glm") {
        let warnings = file.result.as_ref().map(|p| p.warnings.len()).unwrap_or(0);
        assert_eq!(warnings, 0, "{}/{} has warnings", file.folder, file.name);
    }
    let mut warned: Vec<(&str, usize, &str)> = Vec::new();
    let mut kept_after_apology = 0;
    for file in corpus().files.iter().filter(|f| f.folder == "zh-glm") {
        let Ok(parsed) = &file.result else { continue };
        for warning in &parsed.warnings {
            let record = parsed.records.iter().find(|r| warning.message.contains(r.id.as_str())).expect("kept");
            assert!(record.sections.is_empty(), "{}: {:#?}", record.id, record.sections);
            assert!(record.url.is_some() && record.source.date.is_some(), "{record:#?}");
            assert!(warning.line.is_some(), "{warning:?}");
            warned.push((file.name.as_str(), warning.position, warning.message.as_str()));
        }
        if let Some(goldfinch) = parsed.records.iter().find(|r| r.id.as_str() == "2407.12077") {
            let text = &goldfinch.sections[0].text;
            assert!(text.starts_with("ear Pre-Fill and Extreme KV-Cache Compression》介绍了"), "{text}");
            kept_after_apology += 1;
        }
    }
    assert_eq!(warned.len(), 91, "{warned:#?}");
    assert_eq!(kept_after_apology, 1, "GoldFinch's summary follows its apology and is kept");
    let first =
        warned.iter().find(|(name, position, _)| (*name, *position) == ("2024-05-27_HF_glms_api_clean.json", 5));
    let message = first.expect("the first apology, record 5 of 2024-05-27").2;
    assert!(message.contains("2405.15682") && message.contains("could not read"), "{message}");
}

#[test]
fn all_35_papers_of_the_report_have_the_five_digest_sections() {
    let records: Vec<_> = records_in("reports").collect();
    assert_eq!(records.len(), 35);
    for record in &records {
        assert_eq!(record.source.format, SourceFormat::DailyReport);
        assert_eq!(record.source.date.as_deref(), Some("2026-02-05"));
        assert!(record.title.as_deref().is_some_and(|t| !t.is_empty()), "{} has no title", record.id);
        for kind in [
            SectionKind::Field,
            SectionKind::CoreContribution,
            SectionKind::Usage,
            SectionKind::Innovations,
            SectionKind::Results,
        ] {
            let texts: Vec<&str> = record.sections.iter().filter(|s| s.kind == kind).map(|s| s.text.as_str()).collect();
            assert_eq!(texts.len(), 1, "{} {:?} should have one {kind:?} section", record.id, record.title);
            assert!(!texts[0].trim().is_empty(), "{} has an empty {kind:?}", record.id);
        }
        // Nothing but the optional summary title precedes the five sections.
        assert!(record.sections.len() <= 6, "{}: {:#?}", record.id, record.sections);
    }
    let quant = records.iter().find(|r| r.id.as_str() == "2602.02958").expect("Quant VideoGen is in the report");
    let core = quant.sections.iter().find(|s| s.kind == SectionKind::CoreContribution).expect("core contribution");
    assert!(core.text.contains("KV"), "{}", core.text);
}

#[test]
fn the_hf_dump_of_the_report_day_holds_the_35_report_papers() {
    let report: HashSet<&PaperId> = records_in("reports").map(|r| &r.id).collect();
    let same_day: HashSet<&PaperId> =
        records_in("hf-daily-api").filter(|r| r.source.date.as_deref() == Some("2026-02-05")).map(|r| &r.id).collect();
    assert!(report.is_subset(&same_day), "missing from the HF dump: {:?}", report.difference(&same_day));
    let abstracts = records_in("hf-daily-api")
        .filter(|r| report.contains(&r.id))
        .all(|r| r.sections.iter().any(|s| s.kind == SectionKind::Abstract && !s.text.is_empty()));
    assert!(abstracts, "every report paper has an English abstract in the HF dump");
}

#[test]
fn every_paper_markdown_has_a_title_and_every_hf_record_an_abstract() {
    let untitled: Vec<&str> = records_in("paper-md").filter(|r| r.title.is_none()).map(|r| r.id.as_str()).collect();
    assert!(untitled.is_empty(), "paper markdown without an English title: {untitled:?}");
    for folder in ["hf-daily-api", "hf-daily-api-repaired"] {
        let bare: Vec<&str> = records_in(folder)
            .filter(|r| !r.sections.iter().any(|s| s.kind == SectionKind::Abstract))
            .map(|r| r.id.as_str())
            .collect();
        assert!(bare.is_empty(), "{folder}: records without an abstract: {bare:?}");
    }
}
