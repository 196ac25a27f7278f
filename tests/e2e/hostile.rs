//! Bad input never corrupts or stops the run: each bad file is named with a reason, the good
//! files are indexed, and what was indexed before survives.

use std::fs;

use crate::support::{
    Server, assert_consistent, hit_ids, http_get, ingest_slice_args, paperdex, paperdex_hashed, run_output, sample,
    search_json, snapshot,
};

#[test]
fn bad_files_are_named_with_reasons_and_good_files_still_indexed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    // Something already indexed must survive a run full of bad files.
    let first = paperdex(&index, &["ingest", sample().join("report-2026-02-05.md").to_str().expect("path")]);
    assert_eq!(first.code, 0, "{}", first.stderr);

    let inputs = dir.path().join("inputs");
    fs::create_dir(&inputs).expect("mkdir");
    fs::write(inputs.join("empty.json"), b"").expect("write");
    fs::write(inputs.join("binary.dat"), [0u8, 159, 146, 150, 0, 1, 2, 255]).expect("write");
    let hf = fs::read(sample().join("hf-daily-2026-02-05.json")).expect("sample json");
    fs::write(inputs.join("truncated.json"), &hf[..hf.len() / 2]).expect("write");
    fs::write(
        inputs.join("latin1.md"),
        b"## \xf0\x9f\x93\x84 Caf\xe9 paper\n- **\xe9\x93\xbe\xe6\x8e\xa5**: caf\xe9\n",
    )
    .expect("write");
    fs::write(inputs.join("no-paper.md"), "# Meeting notes\n\nNothing about papers here.\n").expect("write");
    let huge = fs::File::create(inputs.join("huge.json")).expect("create");
    huge.set_len(100 * 1024 * 1024).expect("sparse 100 MB file");
    fs::write(inputs.join("good.json"), &hf).expect("write");

    let run = paperdex(&index, &["ingest", inputs.to_str().expect("path")]);
    assert_eq!(run.code, 3, "rejections give exit status 3: {}", run.stderr);
    for (file, reason) in [
        ("empty.json", "empty"),
        ("binary.dat", "binary"),
        ("truncated.json", "truncated"),
        ("latin1.md", "UTF-8"),
        ("no-paper.md", "without paper headings"),
        ("huge.json", "limit"),
    ] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{}", run.stderr));
        assert!(line.to_lowercase().contains(&reason.to_lowercase()), "{file}: {line}");
    }
    // The truncated file's whole records are read; where it stops is a rejected record. The
    // Latin-1 file's one stray byte costs its one record (its link), not the file.
    assert!(run.stdout.contains("files read: 3, rejected: 4"), "{}", run.stdout);
    // The report's papers are still there and the good file merged into them.
    let answer = search_json(&index, "KV cache quantization", &["--mode", "bm25"]);
    assert_eq!(hit_ids(&answer)[0], "2602.02958");
    let stats: serde_json::Value = serde_json::from_str(&paperdex(&index, &["stats", "--json"]).stdout).expect("stats");
    assert_eq!(stats["papers"], 35);
}

#[test]
fn a_segment_file_cut_short_behind_its_footer_is_one_line_of_error_not_a_backtrace() {
    // tantivy checks a segment file's footer when it opens it, not its length against the
    // offsets the term dictionary holds: a postings file whose body is gone but whose footer
    // is whole (a copy cut short and patched, a disk error) opens, and the first search that
    // reads postings panics inside tantivy. The user gets one line that says what to do.
    // (Every segment's postings lose their body, so the answer does not depend on how the
    // ingest split the sample into segments: swapping two segments' files did, and a swap
    // that happened to decode answered rubbish with status 0.)
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    let postings: Vec<_> = fs::read_dir(index.join("tantivy"))
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    assert!(!postings.is_empty(), "the sample's segments have postings files");
    for file in &postings {
        // tantivy's footer ends the file: its JSON, the JSON's length (u32 LE), a magic number.
        let bytes = fs::read(file).expect("read");
        let length: [u8; 4] = bytes[bytes.len() - 8..bytes.len() - 4].try_into().expect("four bytes");
        let footer = u32::from_le_bytes(length) as usize + 8;
        fs::write(file, &bytes[bytes.len() - footer..]).expect("cut the body");
    }
    let run = paperdex(&index, &["search", "video generation", "--mode", "bm25"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: internal failure at "), "{}", run.stderr);
    assert!(run.stderr.contains("move the index folder away and ingest again"), "{}", run.stderr);
    assert!(!run.stderr.contains("stack backtrace") && run.stderr.lines().count() == 1, "{}", run.stderr);
}

/// Overwrites the start of every segment's stored papers: their first block does not
/// decompress.
fn damage_document_stores(index: &std::path::Path) {
    for entry in fs::read_dir(index.join("tantivy")).expect("list") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "store") {
            let mut bytes = fs::read(&path).expect("read");
            bytes[..100].fill(0xff);
            fs::write(&path, &bytes).expect("damage");
        }
    }
}

#[test]
fn a_document_store_that_does_not_decode_is_a_damaged_index_not_an_internal_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    // Every segment's stored papers overwritten at their start: the first block does not
    // decompress, whichever segment a command reads first.
    damage_document_stores(&index);
    let run = paperdex(&index, &["search", "reward", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(body["error"]["code"], "index_damaged", "{body}");
    assert!(run.stderr.contains("move the index folder away and ingest again"), "{}", run.stderr);
    // `stats` gives what it can read and counts the rest, which fails it.
    let run = paperdex(&index, &["stats", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let figures: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let unreadable = figures["unreadable_papers"].as_u64().expect("counted");
    assert!(unreadable > 0 && Some(unreadable) <= figures["papers"].as_u64(), "{figures}");
    assert!(figures["unreadable"].as_str().is_some_and(|why| why.contains("move the index folder away")), "{figures}");
    assert!(run.stderr.contains("papers cannot be read"), "{}", run.stderr);
}

#[test]
fn a_server_that_meets_a_damaged_document_store_says_so_at_its_health_probe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    let server = Server::start(&index);
    let health = || -> serde_json::Value {
        let (status, body) = http_get(server.addr(), "/healthz").expect("GET /healthz");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("JSON")
    };
    assert_eq!(health()["status"], "ok");
    // The stored papers overwritten under the running server: the commit still reads well,
    // and only a request that reads a paper meets the damage (listing every paper reads each
    // segment's first block).
    damage_document_stores(&index);
    let (status, body) = http_get(server.addr(), "/api/papers?limit=100").expect("GET");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("index_damaged"), "{body}");
    let health = health();
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(health["index_problem"].as_str().is_some_and(|p| p.contains("damaged")), "{health}");
}

#[test]
fn a_segment_file_gone_or_cut_short_is_a_damaged_index_with_what_to_do() {
    // A file the commit lists and the folder no longer holds, and a document store whose end
    // (tantivy's footer) is gone: each was "search engine error: …" in tantivy's words, one
    // advising to "use tantivy 0.15 or above".
    type Damage = fn(&std::path::Path);
    let damages: [(&str, Damage); 2] = [
        ("idx", |file| fs::remove_file(file).expect("remove")),
        ("store", |file| {
            let bytes = fs::read(file).expect("read");
            fs::write(file, &bytes[..bytes.len() / 2]).expect("cut short");
        }),
    ];
    for (extension, damage) in damages {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = dir.path().join("index");
        assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
        for entry in fs::read_dir(index.join("tantivy")).expect("list") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == extension) {
                damage(&path);
            }
        }
        let run = paperdex(&index, &["search", "video generation", "--mode", "bm25", "--json"]);
        assert_eq!(run.code, 1, "{extension}: {}", run.stderr);
        let body: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert_eq!(body["error"]["code"], "index_damaged", "{extension}: {body}");
        assert!(run.stderr.contains("move the index folder away and ingest again"), "{extension}: {}", run.stderr);
        // One line naming the file, in words: no debug structures, no advice for tantivy 0.15.
        let said = run.stderr.lines().filter(|l| l.starts_with("error:")).collect::<Vec<_>>();
        assert!(said.len() == 1 && said[0].contains(&format!(".{extension}")), "{extension}: {}", run.stderr);
        assert!(!run.stderr.contains("IoError {") && !run.stderr.contains("0.15"), "{extension}: {}", run.stderr);
    }
}

#[test]
fn a_damaged_vector_file_leaves_keyword_search_working_and_the_next_ingest_embeds_every_paper_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let sample = sample();
    let ingest = || run_output(paperdex_hashed(&index).arg("ingest").arg(&sample));
    assert_eq!(ingest().code, 0);
    let whole = snapshot(&index);
    let vectors_file = fs::read_dir(index.join("vectors"))
        .expect("list")
        .map(|e| e.expect("entry").path().join("vectors.bin"))
        .find(|p| p.is_file())
        .expect("a vector file");
    // Bit rot in the middle of the file: its checksum no longer holds.
    let mut bytes = fs::read(&vectors_file).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    fs::write(&vectors_file, &bytes).expect("damage");

    // Keyword search and `show` still answer; a hybrid search says why it used keywords only.
    let answer = search_json(&index, "video generation", &["--mode", "bm25"]);
    assert!(!hit_ids(&answer).is_empty(), "{answer}");
    assert_eq!(paperdex(&index, &["show", "2602.02958"]).code, 0);
    let hybrid = run_output(paperdex_hashed(&index).args(["search", "video generation", "--json"]));
    assert_eq!(hybrid.code, 0, "{}", hybrid.stderr);
    let hybrid: serde_json::Value = serde_json::from_str(&hybrid.stdout).expect("JSON");
    assert_eq!(hybrid["mode"], "bm25");
    assert!(hybrid["warnings"].to_string().contains("vectors cannot be loaded"), "{hybrid}");
    // A monitor sees it too.
    let server = crate::support::Server::start_with(paperdex_hashed(&index));
    let (status, body) = crate::support::http_get(server.addr(), "/healthz").expect("healthz");
    drop(server);
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(body["status"], "degraded", "{body}");
    assert!(body["vectors_problem"].as_str().is_some_and(|p| p.contains("vectors.bin")), "{body}");
    // So do `stats` and a related list: damaged vectors, not an index built without them.
    let stats: serde_json::Value =
        serde_json::from_str(&paperdex(&index, &["stats", "--json"]).stdout).expect("stats JSON");
    assert!(stats["vectors_problem"].as_str().is_some_and(|p| p.contains("vectors.bin")), "{stats}");
    assert!(paperdex(&index, &["stats"]).stdout.contains("vectors:      cannot be loaded"), "stats says so");
    let related = paperdex(&index, &["related", "2602.02958", "--json"]);
    let related: serde_json::Value = serde_json::from_str(&related.stdout).expect("related JSON");
    assert!(related["warnings"].to_string().contains("vectors cannot be loaded"), "{related}");

    // Without the model an ingest cannot mend them and leaves the file as it is.
    let keyword_only = paperdex(&index, &["ingest", sample.to_str().expect("path")]);
    assert_eq!(keyword_only.code, 1, "{}", keyword_only.stderr);
    assert!(keyword_only.stderr.contains("ingest again with the model"), "{}", keyword_only.stderr);
    assert_eq!(fs::read(&vectors_file).expect("read"), bytes, "the damaged file is kept");

    // With it, every paper is embedded again.
    let mended = ingest();
    assert_eq!(mended.code, 0, "{}", mended.stderr);
    assert!(mended.stderr.contains("every paper is embedded again"), "{}", mended.stderr);
    assert_eq!(snapshot(&index), whole, "the same papers with vectors for every passage");
    let vector = run_output(paperdex_hashed(&index).args(["search", "video generation", "--mode", "vector", "--json"]));
    let vector: serde_json::Value = serde_json::from_str(&vector.stdout).expect("JSON");
    assert_eq!(vector["mode"], "vector", "{vector}");
}

/// A restore from a backup mixes two generations: the vector file of an earlier commit, sound
/// by its own checksum, lands in the current one. Searches refuse it as not the file this
/// commit wrote (they would rank the earlier commit's passages), keyword search goes on, and
/// the next ingest embeds every paper again.
#[test]
fn a_vector_file_from_an_earlier_generation_is_refused_and_the_next_ingest_embeds_every_paper_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let sample = sample();
    let ingest = || run_output(paperdex_hashed(&index).arg("ingest").arg(&sample));
    assert_eq!(ingest().code, 0);
    let vector_file = || {
        fs::read_dir(index.join("vectors"))
            .expect("list")
            .map(|e| e.expect("entry").path().join("vectors.bin"))
            .find(|p| p.is_file())
            .expect("a vector file")
    };
    let earlier = fs::read(vector_file()).expect("read");
    let removed = run_output(paperdex_hashed(&index).args(["remove", "2602.02958"]));
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let current = vector_file();
    assert_ne!(fs::read(&current).expect("read"), earlier, "the removal wrote a new vector file");
    fs::write(&current, &earlier).expect("restore the earlier file");

    let hybrid = run_output(paperdex_hashed(&index).args(["search", "video generation", "--json"]));
    assert_eq!(hybrid.code, 0, "{}", hybrid.stderr);
    let hybrid: serde_json::Value = serde_json::from_str(&hybrid.stdout).expect("JSON");
    assert_eq!(hybrid["mode"], "bm25", "{hybrid}");
    assert!(!hit_ids(&hybrid).is_empty(), "{hybrid}");
    assert!(hybrid["warnings"].to_string().contains("not the vector file this commit wrote"), "{hybrid}");
    assert!(!hit_ids(&hybrid).contains(&"2602.02958".to_string()), "the removed paper stays removed");

    let mended = ingest();
    assert_eq!(mended.code, 0, "{}", mended.stderr);
    assert!(mended.stderr.contains("every paper is embedded again"), "{}", mended.stderr);
    let vector = run_output(paperdex_hashed(&index).args(["search", "video generation", "--mode", "vector", "--json"]));
    let vector: serde_json::Value = serde_json::from_str(&vector.stdout).expect("JSON");
    assert_eq!(vector["mode"], "vector", "{vector}");
}

#[test]
fn a_segment_file_changed_on_disk_stops_every_writer_before_it_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    let fast = fs::read_dir(index.join("tantivy"))
        .expect("list")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "fast"))
        .expect("a fast-field file");
    let mut bytes = fs::read(&fast).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    fs::write(&fast, &bytes).expect("damage");
    let files = |index: &std::path::Path| {
        let mut names: Vec<_> =
            fs::read_dir(index.join("tantivy")).expect("list").map(|e| e.expect("entry").path()).collect();
        names.sort();
        names
    };
    let before = files(&index);
    for args in [vec!["ingest", sample().to_str().expect("path")], vec!["remove", "2602.02958"]] {
        let run = paperdex(&index, &args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("fail their checksums") && run.stderr.contains(".fast"), "{}", run.stderr);
        assert_eq!(files(&index), before, "{args:?} wrote or deleted a segment file");
    }
}

#[test]
fn a_named_pipe_in_place_of_an_index_file_is_named_not_read_for_ever() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    let meta = index.join("tantivy/meta.json");
    fs::remove_file(&meta).expect("remove");
    let made = std::process::Command::new("mkfifo").arg(&meta).status().expect("mkfifo");
    assert!(made.success());
    let run = paperdex(&index, &["search", "video", "--mode", "bm25"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("meta.json is not a regular file"), "{}", run.stderr);
}

/// Sets every file under `path` read-only (or back to writable by its owner), readable by all.
fn set_read_only(path: &std::path::Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).expect("metadata");
    let mode = match (meta.is_dir(), read_only) {
        (true, true) => 0o555,
        (true, false) => 0o755,
        (false, true) => 0o444,
        (false, false) => 0o644,
    };
    if meta.is_dir() {
        for entry in fs::read_dir(path).expect("list") {
            set_read_only(&entry.expect("entry").path(), read_only);
        }
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn an_index_in_a_folder_this_process_cannot_write_is_searched_all_the_same() {
    // A read-only mount, a container image, another user's index. Root writes anywhere, so
    // as root the search runs as `nobody`.
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    let before = snapshot(&index);
    set_read_only(dir.path(), true);
    let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut search = if root {
        let mut as_nobody = std::process::Command::new("setpriv");
        as_nobody.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(crate::support::binary());
        as_nobody
    } else {
        std::process::Command::new(crate::support::binary())
    };
    search.arg("--index").arg(&index).args(["--no-model", "search", "video generation", "--mode", "bm25", "--json"]);
    let run = run_output(&mut search);
    set_read_only(dir.path(), false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(!hit_ids(&answer).is_empty(), "{answer}");
    assert_eq!(snapshot(&index), before);
}

#[test]
fn a_missing_path_is_reported_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = paperdex(dir.path(), &["ingest", "/no/such/file.md", sample().to_str().expect("path")]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("/no/such/file.md"), "{}", run.stderr);
    assert!(run.stdout.contains("35 new"), "{}", run.stdout);
}

#[test]
fn a_second_ingest_while_one_holds_the_lock_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]);
    let lock = paperdex_index::lock::WriterLock::acquire(dir.path()).expect("take the lock");
    let run = paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(&format!("locked by PID {}", std::process::id())), "{}", run.stderr);
    drop(lock);
    let run = paperdex(dir.path(), &["ingest", sample().to_str().expect("path")]);
    assert_eq!(run.code, 0, "the lock is free again: {}", run.stderr);
}

#[test]
fn two_ingests_started_together_one_writes_and_the_other_fails_cleanly_naming_its_pid() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let start = || {
        paperdex_hashed(&index)
            .args(ingest_slice_args())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start paperdex ingest")
    };
    let mut ingests = [start(), start()];
    let pids = [ingests[0].id(), ingests[1].id()];
    // The one that lost the lock gives up at once, long before the other is done.
    let loser = loop {
        if let Some(i) = (0..2).find(|&i| ingests[i].try_wait().expect("status").is_some()) {
            break i;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let winner = 1 - loser;
    let [first, second] = ingests;
    let (loser_child, mut winner_child) = if loser == 0 { (first, second) } else { (second, first) };
    let lost = loser_child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert_eq!(lost.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("locked by PID {}", pids[winner])), "{stderr}");

    // A removal is a writer too. (An unknown id: if the ingest has finished meanwhile, the
    // removal runs and changes nothing.)
    if winner_child.try_wait().expect("status").is_none() {
        let remove = run_output(paperdex_hashed(&index).args(["remove", "2612.99999"]));
        assert!(
            remove.code == 1 && remove.stderr.contains(&format!("locked by PID {}", pids[winner])) || remove.code == 3,
            "{}",
            remove.stderr
        );
    }
    assert_eq!(winner_child.wait().expect("wait").code(), Some(3), "the slice has rejected files on purpose");

    // Nothing is corrupted: the index is the one a lone ingest makes.
    let alone = dir.path().join("alone");
    assert_eq!(run_output(paperdex_hashed(&alone).args(ingest_slice_args())).code, 3);
    assert_consistent(&index);
    assert_eq!(snapshot(&index), snapshot(&alone));
    let answer = search_json(&index, "KV cache quantization", &["--mode", "bm25"]);
    assert_eq!(hit_ids(&answer)[0], "2602.02958");
}

#[test]
fn a_lexicon_file_that_does_not_parse_is_named_by_lexicon_and_learned_again_by_the_next_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    assert_eq!(paperdex(&index, &["ingest", sample().to_str().expect("path")]).code, 0);
    for entry in fs::read_dir(index.join("lexicon")).expect("list") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = fs::read(&path).expect("read");
            fs::write(&path, &bytes[..bytes.len() / 2]).expect("cut short");
        }
    }
    // It showed a lexicon of no pair, learned from no paper, exit status 0.
    let run = paperdex(&index, &["lexicon", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(body["error"]["code"], "index_damaged", "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("the next write learns it again")), "{body}");
    // Searches go on without it; the next write learns it again.
    assert_eq!(paperdex(&index, &["search", "reward"]).code, 0);
    let days = crate::support::repo().join("tests/fixtures/days");
    assert!(paperdex(&index, &["ingest", days.to_str().expect("path")]).stdout.contains("learned in"));
    assert_eq!(paperdex(&index, &["lexicon"]).code, 0);
}
