//! A paper's life in the index: ingested, updated with new text, removed. After each step
//! every mode (BM25, vector, hybrid) and related lists see the paper as it is now, and
//! postings and vectors agree. Vectors come from `HashEmbedder` (texts sharing words are
//! close), so no model is needed.

mod query_read_as;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use paperdex_embed::{Embedder, HashEmbedder, QueryCache};
use paperdex_index::{IndexError, PaperIndex, Quiet, SearchEngine, SearchFilter, SearchMode, SearchRequest};
use query_read_as::QueryReadAs;

const DIMS: usize = 256;

/// Twelve papers on unrelated made-up topics; 2601.00001 and 2601.00002 share their topic.
fn topics() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "2601.00001",
            "Quantum lobster choreography",
            "Lobsters dance in quantum superposition while choreography emerges from entangled claws.",
        ),
        (
            "2601.00002",
            "Quantum lobster migration",
            "Lobsters migrate along quantum currents; claws and superposition guide the migration.",
        ),
        (
            "2601.00003",
            "Glacial pancake tectonics",
            "Pancakes drift on glacial plates and syrup faults trigger tectonic breakfast quakes.",
        ),
        (
            "2601.00004",
            "Solar accordion harmonics",
            "Accordions tuned by solar wind produce harmonics that bellows amplify at dawn.",
        ),
        (
            "2601.00005",
            "Velvet compiler archaeology",
            "Ancient velvet compilers are excavated and their bytecode ruins dated by archaeology.",
        ),
        (
            "2601.00006",
            "Lunar teapot thermodynamics",
            "Teapots on the moon boil without air; thermodynamics of lunar tea brewing explained.",
        ),
        (
            "2601.00007",
            "Origami traffic routing",
            "Folding city maps like origami reroutes traffic jams through creased intersections.",
        ),
        (
            "2601.00008",
            "Cactus memory hierarchies",
            "Cacti store water in memory hierarchies with spines acting as cache eviction.",
        ),
        (
            "2601.00009",
            "Saxophone protein folding",
            "Proteins fold to saxophone melodies; jazz improvisation predicts folding pathways.",
        ),
        (
            "2601.00010",
            "Bicycle glacier navigation",
            "Bicycles with ice tires navigate glaciers using crevasse maps and pedal odometry.",
        ),
        (
            "2601.00011",
            "Marmot weather forecasting",
            "Marmots whistle forecasts; burrow pressure sensors beat numerical weather prediction.",
        ),
        (
            "2601.00012",
            "Chess playing fungi",
            "Mycelium networks play chess by growing toward the opponent king on agar boards.",
        ),
    ]
}

/// An HF daily-papers JSON file holding `papers` as (id, title, abstract).
fn write_papers(path: &Path, papers: &[(&str, &str, &str)]) {
    let items: Vec<serde_json::Value> = papers
        .iter()
        .map(|(id, title, summary)| {
            serde_json::json!({"paper": {"id": id, "title": title, "summary": summary, "publishedAt": "2026-01-05T00:00:00.000Z"}})
        })
        .collect();
    std::fs::write(path, serde_json::to_string(&items).expect("json")).expect("write papers");
}

struct Fixture {
    _dir: tempfile::TempDir,
    file: PathBuf,
    engine: SearchEngine,
    embedder: HashEmbedder,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("2026-01-05.json");
        write_papers(&file, &topics());
        let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
        let embedder = HashEmbedder::new(DIMS);
        let report = index.ingest(std::slice::from_ref(&file), Some(&embedder), &mut Quiet).expect("ingest");
        assert_eq!(report.papers_new, 12);
        let engine = SearchEngine::new(index, Ok(Arc::new(embedder.clone()) as Arc<dyn Embedder>));
        Fixture { _dir: dir, file, engine, embedder }
    }

    fn index(&self) -> &PaperIndex {
        self.engine.index()
    }

    fn ids(&self, query: &str, mode: SearchMode, limit: usize) -> Vec<String> {
        let answer = self.engine.search(&SearchRequest::new(query).mode(mode).limit(limit)).expect("search");
        assert_eq!(answer.mode, mode, "answered in the mode asked: {:?}", answer.warnings);
        answer.hits.into_iter().map(|h| h.id).collect()
    }

    fn assert_consistent(&self) {
        let report = self.index().consistency_report().expect("consistency report");
        assert!(report.agrees(), "postings and vectors disagree: {report:#?}");
        assert!(report.leftovers.is_empty(), "{report:#?}");
    }
}

const MODES: [SearchMode; 3] = [SearchMode::Bm25, SearchMode::Vector, SearchMode::Hybrid];

#[test]
fn a_glossary_written_beside_a_running_engine_is_searched_at_once_and_so_is_its_next_edit() {
    let f = Fixture::new();
    let translations = |query: &str| -> Vec<String> {
        let answer = f.engine.search(&SearchRequest::new(query).mode(SearchMode::Bm25)).expect("search");
        answer.expansions.into_iter().map(|e| e.to).collect()
    };
    assert!(translations("斑马雀").is_empty());
    let glossary = f.index().root().join(paperdex_index::lexicon::GLOSSARY_FILE);
    std::fs::write(&glossary, "斑马雀\tmycelium\n").expect("write glossary");
    assert_eq!(translations("斑马雀"), ["mycelium"]);
    // A second edit, with no commit between: file times can be equal within a coarse clock.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&glossary, "斑马雀\tchess\n").expect("edit glossary");
    let file = std::fs::File::options().append(true).open(&glossary).expect("open glossary");
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(1)).expect("touch");
    assert_eq!(translations("斑马雀"), ["chess"]);
}

#[test]
fn papers_taken_in_without_the_model_get_vectors_at_the_next_ingest_with_it_however_few_they_are() {
    // A user starts keyword-only (`--no-model`, or before `models/fetch`), then ingests the
    // next day's file with the model: the older papers must get vectors too, not only when
    // they outnumber the new ones.
    for older in [1, 2, 6, 10] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, second) = (dir.path().join("2026-01-04.json"), dir.path().join("2026-01-05.json"));
        let papers = topics();
        write_papers(&first, &papers[..older]);
        write_papers(&second, &papers[older..]);
        let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
        index.ingest(std::slice::from_ref(&first), None, &mut Quiet).expect("keyword-only ingest");
        let report =
            index.ingest(std::slice::from_ref(&second), Some(&HashEmbedder::new(DIMS)), &mut Quiet).expect("ingest");
        assert_eq!(report.papers_new, papers.len() - older);
        let stats = index.stats().expect("stats");
        assert_eq!(stats.papers_with_vectors, papers.len() as u64, "{older} older papers: {stats:?}");
    }
}

#[test]
fn an_index_without_papers_says_so_rather_than_that_it_lacks_vectors() {
    // A first ingest killed before its first commit, or of an empty day, leaves an index that
    // holds nothing: meaning search said to "ingest again with the model available".
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let engine = SearchEngine::new(index, Ok(Arc::new(HashEmbedder::new(DIMS)) as Arc<dyn Embedder>));
    for mode in [SearchMode::Vector, SearchMode::Hybrid] {
        let answer = engine.search(&SearchRequest::new("quantum lobster").mode(mode)).expect("search");
        assert_eq!(answer.warnings, ["the index holds no papers yet: `paperdex ingest` adds them"], "{mode:?}");
        assert!(answer.hits.is_empty());
    }
}

#[test]
fn a_daily_job_reading_the_same_file_again_is_not_warned_again_until_the_record_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-02-05.json");
    let day = |upvotes: &str, title: &str| {
        format!(
            r#"[{{"paper": {{"id": "2602.02958", "title": "{title}", "summary": "KV cache.", "upvotes": {upvotes}}}}},
               {{"paper": {{"id": "2602.04705", "title": "ERNIE 5.0", "summary": "A report."}}}}]"#
        )
    };
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let repeated = |text: String| -> Vec<bool> {
        std::fs::write(&file, text).expect("write the day");
        let report = index.ingest(std::slice::from_ref(&file), None, &mut Quiet).expect("ingest");
        report.record_warnings.iter().map(|w| w.repeated).collect()
    };
    assert_eq!(repeated(day("\"lots\"", "Quant VideoGen")), [false], "first read: told");
    assert_eq!(repeated(day("\"lots\"", "Quant VideoGen")), [true], "read again unchanged: a repeat");
    assert_eq!(repeated(day("\"lots\"", "Quant VideoGen 2")), [false], "the record changed: told again");
}

#[test]
fn a_file_read_again_that_no_longer_lists_a_paper_says_so_and_remove_source_takes_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let digest = dir.path().join("digest.json");
    let other = dir.path().join("other.json");
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let ingest = |files: &[&Path]| {
        let files: Vec<PathBuf> = files.iter().map(|f| f.to_path_buf()).collect();
        index.ingest(&files, None, &mut Quiet).expect("ingest")
    };
    let told = |report: &paperdex_index::IngestReport| -> Vec<(String, Vec<String>)> {
        report.no_longer_listed.iter().map(|f| (f.path.clone(), f.papers.clone())).collect()
    };
    let papers = topics();
    write_papers(&digest, &papers[..3]);
    write_papers(&other, &papers[3..4]);
    assert!(told(&ingest(&[&digest, &other])).is_empty(), "files read for the first time");
    assert!(told(&ingest(&[&digest])).is_empty(), "read again, listing the same papers");
    // The reader deletes a paper from the digest: the index keeps it, and says so.
    write_papers(&digest, &[papers[0], papers[2]]);
    let report = ingest(&[&digest, &other]);
    assert_eq!(told(&report), [(digest.display().to_string(), vec![papers[1].0.to_string()])]);
    assert!(index.paper(papers[1].0).is_ok(), "kept: an ingest adds, it never takes back");
    // Rewritten with other papers (a rolling digest), it lists none of them.
    let ids = |range: std::ops::Range<usize>| papers[range].iter().map(|p| p.0.to_string()).collect::<Vec<_>>();
    write_papers(&digest, &papers[5..7]);
    assert_eq!(told(&ingest(&[&digest])), [(digest.display().to_string(), ids(0..3))]);
    // Emptied, it lists none of them either.
    write_papers(&digest, &[]);
    let all: Vec<String> = ids(0..3).into_iter().chain(ids(5..7)).collect();
    assert_eq!(told(&ingest(&[&digest])), [(digest.display().to_string(), all)]);
    // Taken back, then read as it is now: nothing left to say.
    write_papers(&digest, &[papers[0], papers[2]]);
    index.remove_sources(&[digest.as_path()], None, &mut Quiet).expect("remove the source");
    assert!(told(&ingest(&[&digest])).is_empty());
    assert!(index.paper(papers[1].0).is_err(), "the paper only the old digest listed is gone");
    assert!(index.paper(papers[5].0).is_err(), "and so is one only its rolled-over day listed");
    // Records handed over in memory are no file read whole: a part of them is no sign of loss.
    assert!(index.ingest_records(Vec::new(), None, &mut Quiet).expect("records").no_longer_listed.is_empty());
}

#[test]
fn a_file_gone_from_an_ingested_folder_or_unreadable_is_named_with_its_papers_and_they_stay() {
    use paperdex_index::FileChange;
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("digests");
    std::fs::create_dir(&folder).expect("folder");
    let [kept, deleted, broken] = ["a.json", "b.json", "c.json"].map(|name| folder.join(name));
    let papers = topics();
    write_papers(&kept, &papers[0..2]);
    write_papers(&deleted, &papers[2..3]);
    write_papers(&broken, &papers[3..5]);
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let ingest = |path: &Path| index.ingest(&[path.to_path_buf()], None, &mut Quiet).expect("ingest");
    let told = |report: &paperdex_index::IngestReport| -> Vec<(String, FileChange, Vec<String>)> {
        let name = |path: &str| Path::new(path).file_name().expect("name").to_string_lossy().into_owned();
        report.no_longer_listed.iter().map(|f| (name(&f.path), f.change, f.papers.clone())).collect()
    };
    let ids = |range: std::ops::Range<usize>| papers[range].iter().map(|p| p.0.to_string()).collect::<Vec<_>>();
    assert!(told(&ingest(&folder)).is_empty(), "the folder read for the first time");
    // The reader deletes a day's file; another is cut short by a download that failed.
    std::fs::remove_file(&deleted).expect("delete");
    std::fs::write(&broken, r#"[{"paper": {"id": "#).expect("cut short");
    let report = ingest(&folder);
    assert_eq!(report.rejected_files.len(), 1, "{:?}", report.rejected_files);
    assert_eq!(
        told(&report),
        [
            ("b.json".to_string(), FileChange::Gone, ids(2..3)),
            ("c.json".to_string(), FileChange::Unreadable, ids(3..5))
        ]
    );
    for id in ids(2..5) {
        assert!(index.paper(&id).is_ok(), "{id} kept: an ingest adds, it never takes back");
    }
    // A file of the folder read alone says nothing of the others.
    assert!(told(&ingest(&kept)).is_empty());
    // Cut short in its second record, the first read: the second may be in the part not read.
    let whole = std::fs::read_to_string(&kept).expect("read");
    std::fs::write(&kept, &whole[..whole.len() - 20]).expect("cut short");
    let report = ingest(&kept);
    assert_eq!(report.rejected_records.len(), 1, "{:?}", report.rejected_records);
    assert_eq!(told(&report), [("a.json".to_string(), FileChange::ReadInPart, ids(1..2))]);
    std::fs::write(&kept, whole).expect("mended");
    // A file named alone and since deleted is gone too.
    assert_eq!(told(&ingest(&deleted)), [("b.json".to_string(), FileChange::Gone, ids(2..3))]);
    // The deleted file's papers taken back, the broken one downloaded again: nothing to say.
    index.remove_sources(&[deleted.as_path()], None, &mut Quiet).expect("remove the deleted file");
    assert!(index.paper(papers[2].0).is_err(), "gone with its file");
    write_papers(&broken, &papers[3..5]);
    assert!(told(&ingest(&folder)).is_empty());
}

/// The warnings of a search in `mode` that speak of papers without vectors.
fn unseen_warnings(engine: &SearchEngine, mode: SearchMode) -> Vec<String> {
    let answer = engine.search(&SearchRequest::new("quantum lobster").mode(mode)).expect("search");
    answer.warnings.into_iter().filter(|w| w.contains("no vectors yet")).collect()
}

#[test]
fn a_paper_whose_text_changed_without_the_model_is_named_unseen_by_meaning_until_the_model_embeds_it() {
    // An ingest without the model (`--no-model`) that gives a paper new text takes its old
    // vectors away: a vector or hybrid answer left it out and said nothing of why.
    let f = Fixture::new();
    let mut papers = topics();
    papers[0].2 = "Lobsters dance in quantum superposition; a tango of claws joins the choreography.";
    write_papers(&f.file, &papers);
    let report = f.index().ingest(std::slice::from_ref(&f.file), None, &mut Quiet).expect("keyword-only ingest");
    assert_eq!((report.papers_updated, report.papers_unembedded), (1, 1), "{report:?}");
    for mode in [SearchMode::Vector, SearchMode::Hybrid] {
        let warnings = unseen_warnings(&f.engine, mode);
        assert!(
            warnings.len() == 1 && warnings[0].starts_with("1 of 12 papers have no vectors yet"),
            "{mode:?}: {warnings:?}"
        );
    }
    assert!(unseen_warnings(&f.engine, SearchMode::Bm25).is_empty(), "keyword search sees every paper");
    let report =
        f.index().ingest(std::slice::from_ref(&f.file), Some(&f.embedder), &mut Quiet).expect("ingest with the model");
    assert_eq!(report.papers_embedded, 1, "the paper without vectors is embedded: {report:?}");
    for mode in MODES {
        assert!(unseen_warnings(&f.engine, mode).is_empty(), "{mode:?}");
    }
    f.assert_consistent();
}

#[test]
fn an_index_whose_every_paper_lost_its_vectors_answers_meaning_searches_by_keywords_and_says_why() {
    let f = Fixture::new();
    let papers: Vec<_> =
        topics().into_iter().map(|(id, title, text)| (id, title, format!("{text} Revised."))).collect();
    let papers: Vec<_> = papers.iter().map(|(id, title, text)| (*id, *title, text.as_str())).collect();
    write_papers(&f.file, &papers);
    f.index().ingest(std::slice::from_ref(&f.file), None, &mut Quiet).expect("keyword-only ingest");
    for mode in [SearchMode::Vector, SearchMode::Hybrid] {
        let answer = f.engine.search(&SearchRequest::new("quantum lobster").mode(mode)).expect("search");
        assert_eq!(answer.mode, SearchMode::Bm25, "{mode:?}");
        assert!(answer.warnings.iter().any(|w| w.contains("no paper has vectors yet")), "{:?}", answer.warnings);
        assert!(!answer.hits.is_empty(), "{mode:?}: the keyword matches are the answer");
    }
}

#[test]
fn a_paper_without_text_is_not_counted_as_missing_vectors() {
    // A summariser's apology is all a Chinese summary file said of one paper: the paper keeps
    // its link and listing day, and has no text to embed. It is no paper "without vectors".
    let f = Fixture::new();
    let apology = f.file.with_file_name("2026-01-06_HF_glms_api_clean.json");
    let record = serde_json::json!([{
        "url": "https://arxiv.org/abs/2601.00013",
        "content": "无法访问您提供的文章链接 \"https://arxiv.org/abs/2601.00013\"。我尝试了多次，但无法加载该页面。因此，我无法提供这篇文章的具体内容。如果您有其他问题或需要帮助，请随时告诉我。"
    }]);
    std::fs::write(&apology, record.to_string()).expect("write summaries");
    let report = f.index().ingest(std::slice::from_ref(&apology), Some(&f.embedder), &mut Quiet).expect("ingest");
    assert_eq!((report.papers_new, report.papers_embedded), (1, 0), "{report:?}");
    assert_eq!(f.index().len(), 13);
    for mode in MODES {
        assert!(unseen_warnings(&f.engine, mode).is_empty(), "{mode:?}");
    }
}

#[test]
fn a_paper_known_by_its_title_alone_counts_among_the_papers_meaning_search_sees() {
    // An HF record without an abstract: its title is embedded, so the paper is among those
    // vectors can find, and one more paper taken in without the model is one without vectors.
    let f = Fixture::new();
    let titled = f.file.with_file_name("2026-01-06.json");
    let record = serde_json::json!([{"paper": {"id": "2601.00013", "title": "Lobster choreography at scale"}}]);
    std::fs::write(&titled, record.to_string()).expect("write");
    let report = f.index().ingest(std::slice::from_ref(&titled), Some(&f.embedder), &mut Quiet).expect("ingest");
    assert_eq!((report.papers_new, report.papers_embedded), (1, 1), "{report:?}");
    for mode in MODES {
        assert!(unseen_warnings(&f.engine, mode).is_empty(), "{mode:?}");
    }
    let later = f.file.with_file_name("2026-01-07.json");
    write_papers(&later, &[("2601.00014", "Quantum lobsters", "Lobsters in quantum superposition.")]);
    f.index().ingest(std::slice::from_ref(&later), None, &mut Quiet).expect("keyword-only ingest");
    for mode in [SearchMode::Vector, SearchMode::Hybrid] {
        let warnings = unseen_warnings(&f.engine, mode);
        assert!(
            warnings.len() == 1 && warnings[0].starts_with("1 of 14 papers have no vectors yet"),
            "{mode:?}: {warnings:?}"
        );
    }
}

#[test]
fn an_ingest_that_only_embeds_papers_taken_in_without_the_model_learns_the_lexicon_again() {
    // The embedding model's pairs need the vectors of the papers' terms, which an ingest
    // without the model could not make: the ingest that embeds the papers learns it again.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-01-05.json");
    write_papers(&file, &topics());
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    index.ingest(std::slice::from_ref(&file), None, &mut Quiet).expect("keyword-only ingest");
    let learned_without = index.lexicon().name.clone();
    let report = index.ingest(std::slice::from_ref(&file), Some(&HashEmbedder::new(DIMS)), &mut Quiet).expect("ingest");
    assert_eq!((report.papers_new, report.papers_updated, report.papers_embedded), (0, 0, 12));
    assert_ne!(index.lexicon().name, learned_without, "learned again with the papers' vectors");
}

#[test]
fn an_updated_paper_is_found_by_its_new_text_and_no_longer_by_its_old_in_every_mode() {
    let f = Fixture::new();
    let old_query = "quantum lobster choreography entangled claws";
    let new_query = "volcanic marmalade rheology";
    for mode in MODES {
        assert_eq!(f.ids(old_query, mode, 5)[0], "2601.00001", "{mode:?} before the update");
    }
    assert!(f.ids(new_query, SearchMode::Bm25, 12).is_empty(), "no paper has the new words yet");

    let mut papers = topics();
    papers[0] = (
        "2601.00001",
        "Volcanic marmalade rheology",
        "Marmalade flows like lava; rheology of volcanic marmalade under eruption pressure.",
    );
    write_papers(&f.file, &papers);
    let report = f.index().ingest(std::slice::from_ref(&f.file), Some(&f.embedder), &mut Quiet).expect("re-ingest");
    assert_eq!((report.papers_new, report.papers_updated, report.papers_unchanged), (0, 1, 11));
    assert_eq!(report.papers_embedded, 1, "only the changed paper is embedded again");

    for mode in MODES {
        assert_eq!(f.ids(new_query, mode, 5)[0], "2601.00001", "{mode:?} finds the new text");
        let old = f.ids(old_query, mode, 12);
        assert_eq!(old[0], "2601.00002", "{mode:?}: the other lobster paper now leads: {old:?}");
        assert!(!old.iter().take(3).any(|id| id == "2601.00001"), "{mode:?} still finds the old text: {old:?}");
    }
    assert!(f.ids("choreography", SearchMode::Bm25, 12).is_empty(), "no posting of the old text is left");
    // Its vectors are those of the new text only: one per passage.
    let paper = f.index().paper("2601.00001").expect("paper");
    let vectors = f.index().vectors().expect("vectors");
    assert_eq!(vectors.set.live_chunks_of("2601.00001").count(), paperdex_embed::chunk(&paper).len());
    f.assert_consistent();
}

#[test]
fn a_removed_paper_is_gone_from_every_mode_and_from_related_lists() {
    let f = Fixture::new();
    let query = "quantum lobster migration currents";
    for mode in MODES {
        assert_eq!(f.ids(query, mode, 5)[0], "2601.00002", "{mode:?} before the removal");
    }
    let related: Vec<String> =
        f.engine.related("2601.00001", 5).expect("related").hits.into_iter().map(|h| h.id).collect();
    assert_eq!(related[0], "2601.00002", "{related:?}");
    let generation = f.index().generation().expect("generation");

    // An id that cannot be arXiv's (a typo, a cut paste) refuses the whole removal before
    // anything is removed: the user meant some paper, and not this one.
    let refused = f.index().remove(&["2601.00002", "not-an-id"]).expect_err("a malformed id");
    assert!(matches!(refused, IndexError::InvalidParameter { ref name, .. } if name == "id"), "{refused:?}");
    assert_eq!(f.index().generation().expect("generation"), generation, "nothing was removed");

    let report = f.index().remove(&["2601.00002", "2612.99999", "2601.00002v3"]).expect("remove");
    assert_eq!(report.removed, ["2601.00002"]);
    assert_eq!(report.unknown, ["2612.99999"]);
    assert!(report.vectors_removed > 0);
    assert_eq!(report.generation, Some(generation + 1), "one removal, one generation");
    assert_eq!(report.papers_total, 11);

    for mode in MODES {
        let hits = f.ids(query, mode, 11);
        assert!(!hits.contains(&"2601.00002".to_string()), "{mode:?}: {hits:?}");
    }
    assert!(f.ids("migration", SearchMode::Bm25, 10).is_empty());
    for id in ["2601.00001", "2601.00003"] {
        let related = f.engine.related(id, 11).expect("related");
        assert!(related.hits.iter().all(|h| h.id != "2601.00002"), "{id}: {:?}", related.hits);
    }
    assert!(matches!(f.index().paper("2601.00002"), Err(IndexError::PaperNotFound(_))));
    assert!(matches!(f.engine.related("2601.00002", 5), Err(IndexError::PaperNotFound(_))));
    f.assert_consistent();

    // A fresh reader of the folder sees the same.
    let reopened = PaperIndex::open(f.index().root()).expect("reopen");
    assert_eq!(reopened.len(), 11);
    assert!(reopened.vectors().expect("vectors").set.live_chunks_of("2601.00002").next().is_none());

    // Nothing known to remove: nothing is written.
    let report = f.index().remove(&["2601.00002"]).expect("remove again");
    assert!(report.removed.is_empty() && report.generation.is_none(), "{report:?}");
    assert_eq!(f.index().generation().expect("generation"), generation + 1);

    // Ingesting the file again brings it back, with vectors.
    let report = f.index().ingest(std::slice::from_ref(&f.file), Some(&f.embedder), &mut Quiet).expect("ingest");
    assert_eq!((report.papers_new, report.papers_embedded), (1, 1));
    assert_eq!(f.ids(query, SearchMode::Hybrid, 5)[0], "2601.00002");
    f.assert_consistent();
}

#[test]
fn removing_many_papers_rebuilds_the_graphs_and_the_rest_are_still_found() {
    let f = Fixture::new();
    let report = f.index().remove(&["2601.00003", "2601.00004", "2601.00005", "2601.00006"]).expect("remove");
    assert_eq!(report.removed.len(), 4);
    assert!(report.graphs_rebuilt, "a third of the graph was tombstones: {report:?}");
    for (id, query) in
        [("2601.00009", "saxophone protein folding jazz"), ("2601.00012", "chess playing fungi mycelium")]
    {
        for mode in MODES {
            assert_eq!(f.ids(query, mode, 3)[0], id, "{mode:?}");
        }
    }
    f.assert_consistent();
}

#[test]
fn leftovers_of_an_interrupted_writer_never_break_opening_and_the_next_writer_removes_them() {
    let f = Fixture::new();
    let vectors = f.index().root().join("vectors");
    let current = f.index().vectors().expect("vectors").name.clone();
    // What a writer killed while writing vectors, or before its commit, leaves behind.
    std::fs::create_dir_all(vectors.join("gen-00000099.partial/hnsw")).expect("mkdir");
    std::fs::write(vectors.join("gen-00000099.partial/vectors.bin"), b"PDXVEC\r\n half written").expect("write");
    std::fs::create_dir_all(vectors.join("gen-00000098")).expect("mkdir");
    std::fs::write(vectors.join("gen-00000098/vectors.bin"), b"never committed").expect("write");

    let reopened = PaperIndex::open(f.index().root()).expect("leftovers do not break opening");
    assert_eq!(reopened.vectors().expect("vectors").name, current);
    let report = reopened.consistency_report().expect("report");
    assert!(report.agrees(), "{report:#?}");
    assert_eq!(report.leftovers, ["gen-00000098", "gen-00000099.partial"]);
    let engine = SearchEngine::new(reopened, Ok(Arc::new(f.embedder.clone()) as Arc<dyn Embedder>));
    assert_eq!(
        engine.search(&SearchRequest::new("marmot whistle forecasts")).expect("search").hits[0].id,
        "2601.00011"
    );

    // A writer with nothing to change still sweeps them.
    let report = engine.index().ingest(std::slice::from_ref(&f.file), Some(&f.embedder), &mut Quiet).expect("ingest");
    assert_eq!(report.papers_unchanged, 12);
    let left: Vec<String> = std::fs::read_dir(&vectors)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [current]);
}

#[test]
fn a_long_ingest_commits_one_generation_per_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-01-05.json");
    write_papers(&file, &topics());
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create").with_papers_per_generation(5);
    index.ingest(&[file], Some(&HashEmbedder::new(DIMS)), &mut Quiet).expect("ingest");
    assert_eq!(index.generation().expect("generation"), 3, "12 papers, 5 per generation");
    let report = index.consistency_report().expect("report");
    assert!(report.agrees() && report.leftovers.is_empty(), "{report:#?}");
    assert_eq!((report.papers, report.papers_with_vectors), (12, 12));
}

#[test]
fn a_search_between_two_commits_leaves_out_a_paper_only_one_side_knows() {
    let f = Fixture::new();
    // A second reader of the folder, as a server in another process would be.
    let reader = PaperIndex::open(f.index().root()).expect("open");
    let engine = SearchEngine::new(reader, Ok(Arc::new(f.embedder.clone()) as Arc<dyn Embedder>));
    let query = "quantum lobster migration currents";
    assert_eq!(
        engine.search(&SearchRequest::new(query).mode(SearchMode::Vector)).expect("search").hits[0].id,
        "2601.00002"
    );

    f.index().remove(&["2601.00002"]).expect("remove");
    // The reader's postings see the removal; its vectors (refreshed at most once a second)
    // may still hold the paper.
    engine.index().reload().expect("reload");
    assert!(engine.index().vectors().expect("vectors").set.live_chunks_of("2601.00002").next().is_some());
    for mode in MODES {
        let answer = engine.search(&SearchRequest::new(query).mode(mode).limit(11)).expect("no error in any mode");
        assert!(answer.hits.iter().all(|h| h.id != "2601.00002"), "{mode:?}: {:?}", answer.hits);
        assert!(!answer.hits.is_empty(), "{mode:?}");
    }
}

/// Ingest embeds the passages of many papers together in order of length, not paper by
/// paper; every paper must still get exactly its own passages' vectors, in passage order, as
/// if each passage had been embedded alone. The bundled sample mixes one-passage papers with
/// long bilingual ones, and three papers per generation make batches span commits.
#[test]
fn passages_embedded_in_length_order_go_back_to_their_papers_in_passage_order() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample");
    let dir = tempfile::tempdir().expect("tempdir");
    let index =
        PaperIndex::open_or_create(dir.path().join("index")).expect("create index").with_papers_per_generation(3);
    let embedder = HashEmbedder::new(DIMS);
    let report = index.ingest(&[sample], Some(&embedder), &mut Quiet).expect("ingest");
    assert!(report.papers_embedded >= 30, "{report:?}");
    let vectors = index.vectors().expect("vectors after an ingest with a model");
    let mut multi_passage = 0;
    for paper in index.papers().expect("papers") {
        let passages = paperdex_embed::chunk(&paper);
        multi_passage += usize::from(passages.len() > 1);
        let stored: Vec<_> = vectors.set.live_chunks_of(paper.id.as_str()).collect();
        assert_eq!(stored.len(), passages.len(), "passages of {}", paper.id);
        for (chunk, passage) in stored.iter().zip(&passages) {
            let alone = embedder.embed(&[passage.text.as_str()], paperdex_embed::Role::Passage).expect("embed");
            assert_eq!(chunk.lang, passage.lang, "{}", paper.id);
            // Stored vectors are re-normalised on save: equal up to float rounding.
            let cosine: f32 = chunk.vector.iter().zip(&alone[0]).map(|(a, b)| a * b).sum();
            assert!(cosine > 0.9999, "a passage of {} got another passage's vector (cosine {cosine})", paper.id);
        }
    }
    assert!(multi_passage >= 5, "the sample should hold papers of several passages, has {multi_passage}");
}

/// The names and sizes of every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list").map(|e| e.expect("entry")) {
        let meta = entry.metadata().expect("metadata");
        if meta.is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push((entry.path().display().to_string(), meta.len()));
        }
    }
    out.sort();
    out
}

#[test]
fn an_unreadable_commit_record_stops_the_writer_and_keeps_every_vector_folder() {
    // Regression (#12): a payload that did not parse read as "no vectors", and the next
    // writer removed every generation folder, an hour of embeddings on the corpus.
    let f = Fixture::new();
    let root = f.index().root().to_path_buf();
    let meta = root.join("tantivy/meta.json");
    let mut metas: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta).expect("read meta.json")).expect("meta.json is JSON");
    // As a later paperdex might write it: the generation is no longer a number.
    metas["payload"] = serde_json::Value::String(r#"{"generation":{"major":2,"minor":0},"vectors":"gen-2"}"#.into());
    std::fs::write(&meta, serde_json::to_vec(&metas).expect("json")).expect("write meta.json");
    let before = files_under(&root.join("vectors"));
    assert!(before.iter().any(|(name, _)| name.ends_with("vectors.bin")), "{before:?}");

    // The error of opening the index to write, or of the write.
    let writer_error = || match PaperIndex::open_or_create(&root) {
        Err(error) => error,
        Ok(index) => match index.ingest(std::slice::from_ref(&f.file), Some(&f.embedder), &mut Quiet) {
            Err(error) => error,
            Ok(report) => panic!("the writer went ahead with an unreadable commit record: {report:?}"),
        },
    };
    let error = writer_error();
    assert!(matches!(error, IndexError::UnreadableCommit { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&meta.display().to_string()), "the message names the file: {message}");
    assert_eq!(files_under(&root.join("vectors")), before, "a vector file was touched");
    // A remover is a writer too.
    assert!(matches!(f.index().remove(&["2601.00001"]), Err(IndexError::UnreadableCommit { .. })));
    assert_eq!(files_under(&root.join("vectors")), before, "a vector file was touched");

    // No payload at all, beside segments, is no more "no vectors yet" than a garbled one.
    metas["payload"] = serde_json::Value::Null;
    std::fs::write(&meta, serde_json::to_vec(&metas).expect("json")).expect("write meta.json");
    let error = writer_error();
    assert!(matches!(error, IndexError::UnreadableCommit { .. }), "{error:?}");
    assert_eq!(files_under(&root.join("vectors")), before, "a vector file was touched");
}

#[test]
fn an_index_whose_commit_record_is_gone_is_refused_not_started_again() {
    // Opened as a new index, the folder's first ingest swept every segment and vector of
    // the old one away as leftovers.
    let f = Fixture::new();
    let root = f.index().root().to_path_buf();
    let meta = root.join("tantivy/meta.json");
    std::fs::remove_file(&meta).expect("remove meta.json");
    let before = files_under(&root);
    for attempt in [PaperIndex::open(&root), PaperIndex::open_or_create(&root)] {
        let error = attempt.err().expect("refused");
        assert!(matches!(error, IndexError::Corrupt { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(&meta.display().to_string()) && message.contains("segment files"), "{message}");
    }
    assert_eq!(files_under(&root), before, "nothing was written or deleted");
}

#[test]
fn an_index_written_before_compact_graphs_opens_with_the_same_vectors_and_the_next_write_adds_them() {
    let f = Fixture::new();
    let root = f.index().root().to_path_buf();
    let before = f.index().vectors().expect("vectors");
    let graph_file = root.join("vectors").join(&before.name).join("graph.bin");
    assert!(graph_file.is_file(), "every generation is written with its compact graph");
    let query = "marmot whistle forecasts";
    let hits = |index: PaperIndex| {
        let engine = SearchEngine::new(index, Ok(Arc::new(f.embedder.clone()) as Arc<dyn Embedder>));
        let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Vector)).expect("search");
        answer.hits.into_iter().map(|h| (h.id, h.vector_rank)).collect::<Vec<_>>()
    };
    let expected = hits(PaperIndex::open(&root).expect("open"));
    assert_eq!(expected[0].0, "2601.00011");

    // As an older paperdex wrote it: no graph.bin. The hnsw_rs graphs are converted on open.
    std::fs::remove_file(&graph_file).expect("remove graph.bin");
    let reopened = PaperIndex::open(&root).expect("an index without graph.bin opens");
    assert_eq!(reopened.vectors().expect("vectors").graph, before.graph, "converted as the writer did");
    assert_eq!(hits(reopened), expected);
    assert!(!graph_file.exists(), "a reader writes nothing");

    // A damaged graph.bin is set aside the same way.
    std::fs::write(&graph_file, b"PDXGRF\r\n cut short").expect("damage");
    let reopened = PaperIndex::open(&root).expect("an index with a damaged graph.bin opens");
    assert_eq!(reopened.vectors().expect("vectors").graph, before.graph);
    assert_eq!(hits(reopened), expected);

    // The next write saves a compact graph with its generation.
    f.index().remove(&["2601.00002"]).expect("remove");
    let after = PaperIndex::open(&root).expect("open");
    let name = after.vectors().expect("vectors").name.clone();
    assert_ne!(name, before.name);
    assert!(root.join("vectors").join(&name).join("graph.bin").is_file());
    f.assert_consistent();
}

/// The model behind a [`QueryCache`], counting the query texts it is asked to embed.
struct CountingModel {
    inner: HashEmbedder,
    queries: Arc<std::sync::atomic::AtomicUsize>,
}

impl Embedder for CountingModel {
    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed(&self, texts: &[&str], role: paperdex_embed::Role) -> Result<Vec<Vec<f32>>, paperdex_embed::EmbedError> {
        if role == paperdex_embed::Role::Query {
            self.queries.fetch_add(texts.len(), std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.embed(texts, role)
    }
}

/// A reader pages through a hybrid answer and switches it to vector mode: the query reaches
/// the model once, and every answer is the one a search without the cache gives.
#[test]
fn a_query_asked_again_reaches_the_model_once_and_answers_the_same() {
    let f = Fixture::new();
    let queries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let model = CountingModel { inner: f.embedder.clone(), queries: Arc::clone(&queries) };
    let cached = SearchEngine::new(
        PaperIndex::open(f.index().root()).expect("open"),
        Ok(Arc::new(QueryCache::new(model, 16)) as Arc<dyn Embedder>),
    );
    let query = "quantum lobster claws";
    let requests = [
        SearchRequest::new(query).limit(3),
        SearchRequest { offset: 3, ..SearchRequest::new(query).limit(3) },
        SearchRequest::new(query).mode(SearchMode::Vector).limit(3),
        SearchRequest::new(query).limit(3),
    ];
    for request in &requests {
        let ids = |engine: &SearchEngine| -> Vec<(String, f32)> {
            let answer = engine.search(request).expect("search");
            answer.hits.into_iter().map(|h| (h.id, h.score)).collect()
        };
        assert_eq!(ids(&cached), ids(&f.engine), "{request:?}");
    }
    assert_eq!(queries.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// Vector mode gives each language places on a page by its share of the papers: with one
/// paper in ten written in Chinese, the Chinese list's best paper comes after the English
/// list's first nine, where a one-for-one merge of the two lists put it first or second.
#[test]
fn in_vector_mode_each_language_gets_places_by_its_share_of_the_papers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-01-05.json");
    let mut papers = topics();
    papers.truncate(9);
    papers.push(("2601.00099", "量子龙虾的舞蹈", "龙虾在量子叠加中跳舞，纠缠的钳子带来新的编舞。"));
    write_papers(&file, &papers);
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let embedder = HashEmbedder::new(DIMS);
    index.ingest(std::slice::from_ref(&file), Some(&embedder), &mut Quiet).expect("ingest");
    let engine = SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>));

    for query in ["quantum lobster claws", "量子龙虾"] {
        let answer = engine.search(&SearchRequest::new(query).mode(SearchMode::Vector).limit(20)).expect("search");
        let ids: Vec<&str> = answer.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids.len(), 10, "{query}: every paper has a passage in one language: {ids:?}");
        let place = ids.iter().position(|&id| id == "2601.00099").expect("the Chinese paper") + 1;
        assert!(place >= 9, "{query}: the Chinese paper at place {place} of {ids:?}");
    }
}

/// A model that embeds like `inner` under another name: what a build whose arithmetic moves
/// the vectors is to an index embedded before it (e5 with its layer norm unfused).
struct Renamed {
    name: &'static str,
    inner: HashEmbedder,
}

impl Embedder for Renamed {
    fn model_name(&self) -> &str {
        self.name
    }

    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }

    fn embed(&self, texts: &[&str], role: paperdex_embed::Role) -> Result<Vec<Vec<f32>>, paperdex_embed::EmbedError> {
        self.inner.embed(texts, role)
    }
}

/// A user upgrades to a build whose vectors carry another name. Their index, embedded by the
/// old build, still answers every search (by keyword, saying why) and loses nothing; the next
/// ingest, of files it already holds, embeds every paper again, and hybrid search is back.
#[test]
fn vectors_of_an_earlier_build_are_searched_by_keyword_until_the_next_ingest_re_embeds_every_paper() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-01-05.json");
    write_papers(&file, &topics());
    let root = dir.path().join("index");
    let old = Renamed { name: "e5/fused", inner: HashEmbedder::new(DIMS) };
    let index = PaperIndex::open_or_create(&root).expect("create index");
    let first = index.ingest(std::slice::from_ref(&file), Some(&old), &mut Quiet).expect("ingest");
    drop(index);

    let new = Arc::new(Renamed { name: "e5/unfused", inner: HashEmbedder::new(DIMS) });
    let engine = SearchEngine::new(PaperIndex::open(&root).expect("open"), Ok(Arc::clone(&new) as Arc<dyn Embedder>));
    let answer = engine.search(&SearchRequest::new("quantum lobster claws").limit(3)).expect("search");
    assert_eq!(answer.mode, SearchMode::Bm25);
    assert!(
        answer
            .warnings
            .iter()
            .any(|w| w.contains("e5/fused") && w.contains("e5/unfused") && w.contains("ingest again")),
        "{:?}",
        answer.warnings
    );
    assert_eq!(answer.hits.first().map(|h| h.id.as_str()), Some("2601.00001"));

    let again = engine.index().ingest(std::slice::from_ref(&file), Some(new.as_ref()), &mut Quiet).expect("re-ingest");
    assert_eq!((again.papers_new, again.papers_updated), (0, 0), "no paper changed");
    assert_eq!(again.papers_embedded, first.papers_embedded, "every paper is embedded again");
    assert_eq!(again.chunks_embedded, first.chunks_embedded);
    engine.refresh();
    let vectors = engine.index().vectors().expect("vectors");
    assert_eq!(vectors.set.model(), "e5/unfused");
    assert_eq!(vectors.set.live_len(), first.chunks_embedded, "no vector of the old build is left live");
    let answer = engine.search(&SearchRequest::new("quantum lobster claws").limit(3)).expect("search");
    assert_eq!(answer.mode, SearchMode::Hybrid);
    assert!(answer.warnings.is_empty(), "{:?}", answer.warnings);
    let report = engine.index().consistency_report().expect("consistency report");
    assert!(report.agrees(), "postings and vectors disagree: {report:#?}");
}

/// A report copied again but cut short parses into a shorter last paper, which replaces the
/// whole one: the ingest still takes it (the file may have been edited), and says which paper
/// lost what, so a user can restore the file.
#[test]
fn a_file_read_again_cut_short_warns_which_paper_lost_text() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample/report-2026-02-05.md");
    let whole = std::fs::read_to_string(&sample).expect("sample report");
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report-2026-02-05.md");
    std::fs::write(&report, &whole).expect("write");
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("index");
    let first = index.ingest(std::slice::from_ref(&report), None, &mut Quiet).expect("ingest");
    assert!(first.record_warnings.is_empty(), "{:?}", first.record_warnings);

    // Cut in the middle of the fifth paper's summary, on a character boundary.
    let fifth = whole.match_indices("## 📄").nth(4).expect("a fifth paper").0;
    let sixth = whole.match_indices("## 📄").nth(5).expect("a sixth paper").0;
    let mut cut = fifth + (sixth - fifth) / 3;
    while !whole.is_char_boundary(cut) {
        cut += 1;
    }
    std::fs::write(&report, &whole[..cut]).expect("write the cut copy");
    let again = index.ingest(std::slice::from_ref(&report), None, &mut Quiet).expect("ingest the cut copy");
    assert_eq!(again.papers_updated, 1, "the fifth paper's record is replaced");
    assert_eq!(again.record_warnings.len(), 1, "{:?}", again.record_warnings);
    let warning = &again.record_warnings[0];
    assert_eq!(warning.path, report.display().to_string());
    assert!(warning.message.contains("restore it"), "{}", warning.message);

    // The file restored, the paper is whole again, and nothing is lost this time.
    std::fs::write(&report, &whole).expect("restore");
    let restored = index.ingest(std::slice::from_ref(&report), None, &mut Quiet).expect("ingest the whole file");
    assert_eq!((restored.papers_updated, restored.record_warnings.len()), (1, 0));
}

/// A reader pastes a paper's title. Its words single out that paper (it scores more than
/// twice the next), so hybrid search puts it first even where the vectors rank it below
/// papers that share a few of its words; a query whose words match several papers alike is
/// fused as before.
#[test]
fn a_pasted_title_finds_its_paper_first_in_hybrid_even_where_the_vectors_prefer_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-01-05.json");
    let mut papers = topics();
    papers.push((
        "2601.00101",
        "Sparse probing and outcome calibration for on-policy distillation",
        "Sparse probing reads the student's hidden states; outcome calibration reweights on-policy \
         distillation targets by how often the teacher's answer is right.",
    ));
    for (id, title) in [
        ("2601.00102", "On-policy distillation of lobster choreography"),
        ("2601.00103", "Lobster choreography distilled on-policy"),
        ("2601.00104", "Distillation for lobster choreography at scale"),
    ] {
        papers.push((
            id,
            title,
            "Lobster choreography distillation: a small dancer learns from a large one on-policy.",
        ));
    }
    write_papers(&file, &papers);
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let embedder = HashEmbedder::new(DIMS);
    index.ingest(std::slice::from_ref(&file), Some(&embedder), &mut Quiet).expect("ingest");
    let model = QueryReadAs { text: "lobster choreography distillation on-policy", inner: embedder };
    let engine = SearchEngine::new(index, Ok(Arc::new(model) as Arc<dyn Embedder>));
    let ids = |query: &str, mode: SearchMode| -> Vec<String> {
        let answer = engine.search(&SearchRequest::new(query).mode(mode).limit(5)).expect("search");
        answer.hits.into_iter().map(|h| h.id).collect()
    };

    let title = "sparse probing and outcome calibration for on-policy distillation";
    assert_eq!(ids(title, SearchMode::Bm25)[0], "2601.00101");
    let by_meaning = ids(title, SearchMode::Vector);
    assert_ne!(by_meaning[0], "2601.00101", "the vectors prefer the lobster papers: {by_meaning:?}");
    assert_eq!(ids(title, SearchMode::Hybrid)[0], "2601.00101", "the titled paper comes first");
    let answer = engine.search(&SearchRequest::new(title).limit(5)).expect("search");
    let said: Vec<bool> = answer.hits.iter().map(|h| h.singled_out).collect();
    assert_eq!(said, [true, false, false, false, false], "the answer says why it leads");

    // "On-policy distillation" matches all four papers, none by twice the next: the vectors'
    // choice among them stands.
    let hybrid = ids("on-policy distillation", SearchMode::Hybrid);
    assert_ne!(hybrid[0], "2601.00101", "{hybrid:?}");
}

/// A reader pages through a long answer. Every page gives the same total, and vector mode
/// serves no paper past the depth its warning names, although each language's list reaches it
/// (600 English and 600 Chinese papers, 1,200 in all, against a depth of 1,000).
#[test]
fn every_page_gives_the_same_total_and_vector_mode_stops_where_it_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("2026-01-05.json");
    let mut papers: Vec<(String, String, String)> = Vec::new();
    for i in 0..600 {
        let topic = if i % 20 == 0 { "glacier melt" } else { "protein folding" };
        papers.push((
            format!("2601.{:05}", i + 1),
            format!("Study {i} of {topic}"),
            format!("We model {topic} case {i}."),
        ));
        papers.push((format!("2602.{:05}", i + 1), format!("研究{i}"), format!("我们研究蛋白质折叠的第{i}个案例。")));
    }
    let borrowed: Vec<(&str, &str, &str)> =
        papers.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    write_papers(&file, &borrowed);
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("create index");
    let embedder = HashEmbedder::new(DIMS);
    index.ingest(std::slice::from_ref(&file), Some(&embedder), &mut Quiet).expect("ingest");
    let engine = SearchEngine::new(index, Ok(Arc::new(embedder) as Arc<dyn Embedder>));
    let page = |mode: SearchMode, offset: usize| {
        engine.search(&SearchRequest::new("glacier melt").mode(mode).offset(offset).limit(10)).expect("search")
    };

    for mode in [SearchMode::Hybrid, SearchMode::Vector] {
        let totals: Vec<usize> = [0, 150, 600, 990].into_iter().map(|offset| page(mode, offset).total).collect();
        assert!(totals.iter().all(|&t| t == totals[0]), "{mode:?}: {totals:?}");
    }
    assert_eq!(page(SearchMode::Vector, 0).total, 1000, "the vectors rank up to their cap");
    assert_eq!(page(SearchMode::Hybrid, 0).total, 1000, "at least as many as the vectors rank");
    let last = page(SearchMode::Vector, 995);
    assert_eq!(last.hits.len(), 5, "the last five of the 1,000");
    let past = page(SearchMode::Vector, 1000);
    assert!(past.hits.is_empty() && past.warnings.iter().any(|w| w.contains("stops at 1000")), "{:?}", past.warnings);
}

/// A digest kept under one name (`latest.md`, rewritten every day): a paper it lists again the
/// next day is not new that day, and `new --since` the next day lists only the day's new
/// papers.
#[test]
fn a_digest_rewritten_under_one_name_keeps_the_day_each_paper_was_first_listed() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample/report-2026-02-05.md");
    let day_one = std::fs::read_to_string(&sample).expect("sample report");
    let dir = tempfile::tempdir().expect("tempdir");
    let latest = dir.path().join("latest.md");
    std::fs::write(&latest, &day_one).expect("write");
    let index = PaperIndex::open_or_create(dir.path().join("index")).expect("index");
    index.ingest(std::slice::from_ref(&latest), None, &mut Quiet).expect("ingest day one");
    let listed = index.newest(&SearchFilter::default(), 0, 200).expect("newest").total;
    assert!(listed > 0);

    std::fs::write(&latest, day_one.replace("2026-02-05", "2026-02-06")).expect("rewrite");
    index.ingest(std::slice::from_ref(&latest), None, &mut Quiet).expect("ingest day two");
    let since_day_two = SearchFilter { since: "2026-02-06".parse().ok(), ..SearchFilter::default() };
    let new_on_day_two = index.newest(&since_day_two, 0, 200).expect("newest");
    assert_eq!(new_on_day_two.total, 0, "{:?}", new_on_day_two.hits.iter().map(|h| &h.id).collect::<Vec<_>>());
    let paper = index.paper("2602.02958").expect("a listed paper");
    assert_eq!((paper.first_seen(), paper.last_seen()), (Some("2026-02-05"), Some("2026-02-06")));
    assert_eq!(index.newest(&SearchFilter::default(), 0, 200).expect("newest").total, listed);
}

/// A paper of a title and a placeholder for its abstract (six real digests have `...`) gets a
/// related list like any other, and is told it was matched on next to nothing; a paper with
/// an abstract is not.
#[test]
fn a_paper_with_next_to_no_text_is_told_its_related_list_rests_on_little() {
    let f = Fixture::new();
    let mut papers = topics();
    papers.push(("2601.00013", "Quantum lobster dreams", "..."));
    papers.push(("2601.00014", "Quantum lobster naps", "Lobsters nap."));
    write_papers(&f.file, &papers);
    f.index().ingest(std::slice::from_ref(&f.file), Some(&f.embedder), &mut Quiet).expect("ingest");

    let placeholder = f.engine.related("2601.00013", 5).expect("related");
    assert!(!placeholder.hits.is_empty(), "its title still relates it");
    assert!(
        placeholder.warnings.iter().any(|w| w.starts_with("this paper has no text besides its title")),
        "{:?}",
        placeholder.warnings
    );
    let short = f.engine.related("2601.00014", 5).expect("related");
    assert!(short.warnings.iter().any(|w| w.contains("only 2 words of text")), "{:?}", short.warnings);
    let whole = f.engine.related("2601.00001", 5).expect("related");
    assert!(whole.warnings.is_empty(), "{:?}", whole.warnings);
}
