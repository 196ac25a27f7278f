//! `paperdex`: the command-line face of paperdex-index. Thin by design: every command parses
//! its arguments, calls the library and prints; the same calls serve the HTTP API.
//!
//! Exit status: 0 success; 1 the command failed (message on stderr); 2 bad usage (a flag or
//! argument out of range included, by the same rules as the HTTP API's 400s); 3 ingest
//! finished but rejected some files or records (each named on stderr), or remove was given ids
//! the index does not hold (the others are removed). A command given `--json` that fails also
//! prints the HTTP API's error body on stdout. What `--json` prints is the HTTP API's answer
//! (`paperdex_server::dto`), field for field, so a script reads one shape from either.

mod environment;
mod output;
mod query_args;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use paperdex_core::{Lang, SectionGroup, SourceFormat};
use paperdex_embed::{
    DEFAULT_QUERY_CACHE_ENTRIES, E5Embedder, Embedder, HashEmbedder, MAX_QUERY_CACHE_ENTRIES, ModelPaths, QueryCache,
    SessionKind,
};
use paperdex_index::{
    Day, EXACT_UP_TO, ErrorCode, Fusion, PAPERS_PER_GENERATION, PaperIndex, Pruning, RankerConfig, SearchEngine,
    SearchFilter, SearchMode, SearchRequest, SortOrder,
};
use paperdex_server::dto::{RelatedResponse, SearchResponse};
use paperdex_server::error::{ErrorBody, ErrorDetail};

/// Exit status when an ingest completed but rejected input, or a remove named unknown papers.
const EXIT_REJECTED: u8 = 3;
/// Dimensions of the test embedder's vectors.
const HASH_DIMENSIONS: usize = 256;

/// The model folder when none is named: `models/` where `models/fetch` makes it.
const DEFAULT_MODELS: &str = "models";

/// Search AI research papers (Chinese digests and English abstracts) by keyword and meaning.
#[derive(Parser)]
#[command(name = "paperdex", version, about)]
struct Cli {
    /// Index folder.
    #[arg(long, global = true, env = "PAPERDEX_INDEX", default_value = "index")]
    index: PathBuf,
    /// Folder with the embedding model and ONNX Runtime (made by `models/fetch`).
    #[arg(long, global = true, env = "PAPERDEX_MODELS", default_value = DEFAULT_MODELS)]
    models: PathBuf,
    /// Keyword search only: do not load the embedding model.
    #[arg(long, global = true)]
    no_model: bool,
    /// For tests only: `hash` embeds with the deterministic word-hashing embedder instead of
    /// the model (instant, meaningless vectors). Never use it on a real index.
    #[arg(long, global = true, env = "PAPERDEX_EMBEDDER", hide = true)]
    embedder: Option<TestEmbedder>,
    /// For tests only: papers per generation (commit) during an ingest.
    #[arg(long, global = true, env = "PAPERDEX_PAPERS_PER_GENERATION", hide = true, default_value_t = PAPERS_PER_GENERATION)]
    papers_per_generation: usize,
    /// For tests and measurements: BM25 scores and counts every match of a query estimated to
    /// match at most this many papers, and prunes above (0: prune every query).
    #[arg(long, global = true, env = "PAPERDEX_BM25_EXACT_UP_TO", hide = true, default_value_t = EXACT_UP_TO)]
    bm25_exact_up_to: usize,
    /// How hybrid search fuses keyword and vector rankings: `rrf` (reciprocal rank fusion) or
    /// `weighted` (min-max normalised scores), with optional settings, e.g.
    /// `rrf:k=60,bm25=1,vector=1` or `weighted:bm25=0.7`.
    #[arg(long, global = true, env = "PAPERDEX_FUSION", default_value_t = Fusion::default())]
    fusion: Fusion,
    /// How related papers fuse the papers sharing the most distinctive words with the nearest
    /// papers by meaning, in the form of `--fusion`.
    #[arg(long, global = true, env = "PAPERDEX_RELATED_FUSION", default_value_t = Fusion::RELATED)]
    related_fusion: Fusion,
    /// How many papers each retriever contributes to the fusion (1 to 1000).
    #[arg(long, global = true, default_value_t = RankerConfig::default().candidates as u16, value_parser = candidates_value)]
    candidates: u16,
    /// The weight a query phrase's translations (from the index's bilingual lexicon) share in
    /// the search, relative to the phrase itself; 0 searches the query as written only.
    #[arg(long, global = true, env = "PAPERDEX_TRANSLATION", default_value_t = RankerConfig::default().translation, value_parser = translation_weight, allow_negative_numbers = true)]
    translation: f32,
    /// How many recent queries' vectors to keep, so a query asked again (the next page, another
    /// filter or mode) skips the model; 0 keeps none.
    #[arg(long, global = true, env = "PAPERDEX_QUERY_CACHE", default_value_t = DEFAULT_QUERY_CACHE_ENTRIES, value_parser = query_cache_entries)]
    query_cache: usize,
    #[command(subcommand)]
    command: Command,
}

/// The embedders a test may ask for instead of the model.
#[derive(Clone, Copy, clap::ValueEnum)]
enum TestEmbedder {
    /// The real model (the default).
    E5,
    /// `HashEmbedder`: deterministic, instant, for tests.
    Hash,
}

#[derive(Subcommand)]
enum Command {
    /// Read report markdown, HF daily-papers JSON, Chinese summary JSON or paper markdown files
    /// (folders are read recursively) and add their papers to the index.
    Ingest {
        /// Files or folders.
        #[arg(required_unless_present = "glossary")]
        paths: Vec<PathBuf>,
        /// A glossary for the bilingual lexicon: `Chinese<TAB>English[<TAB>weight]` per line.
        /// Stored with the index and kept by later ingests until another is given (an empty file
        /// removes it; a file with no pair at all is refused).
        #[arg(long)]
        glossary: Option<PathBuf>,
        /// Print the report as one JSON object (the files and records rejected with their
        /// reasons, the papers, the vectors, the lexicon) instead of text; progress and the
        /// rejections stay on stderr.
        #[arg(long)]
        json: bool,
    },
    /// What a term translates to in the index's bilingual lexicon, and why (source, weight).
    Lexicon {
        /// A Chinese or English word or phrase (its words, quoted or not); without it, figures
        /// about the lexicon.
        term: Vec<String>,
        /// Most translations to show.
        #[arg(long, short = 'n', default_value_t = 10, value_parser = limit_value, allow_negative_numbers = true)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove papers from the index by id (a later ingest of a file naming them adds them
    /// back).
    Remove {
        /// arXiv ids, e.g. 2602.02958.
        #[arg(required_unless_present = "sources", conflicts_with = "sources")]
        ids: Vec<String>,
        /// Take back what these ingested files said instead, as if they had never been
        /// ingested (a file moved or renamed since, which the index would otherwise keep beside
        /// its new path; a wrong id since corrected; a file ingested by mistake): a paper only
        /// they list is removed, one other files list keeps what those say. A folder stands
        /// for every file ingested from under it; a file moved or deleted since is still found.
        #[arg(long = "source", value_name = "PATH")]
        sources: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Search papers.
    Search {
        /// The query, in English, Chinese or both, as words (`KV cache quantization`) or in
        /// quotes. A phrase in quotes must be in every hit (`'"KV cache" quantization'`,
        /// `“奖励模型”`); a word or quoted phrase after a minus in none (`language model
        /// -vision`).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[command(flatten)]
        page: PageArgs,
        /// Show each retriever's rank and score for every hit.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        filter: FilterArgs,
        /// `relevance` (best first) or `date` (newest first among the best matches).
        #[arg(long, default_value = "relevance")]
        sort: SortOrder,
    },
    /// The papers first seen in a range of days (`--since`, `--until`; every day unless given),
    /// newest first: all of them, or only those matching QUERY (the daily "what's new on my
    /// topics" list).
    New {
        /// Only papers matching this query (any mode, words or in quotes, marks read as
        /// `search` reads them); without it, every paper in the range.
        query: Vec<String>,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Show one paper: its summary section by section and where it came from.
    Show {
        /// arXiv id or link, e.g. 2602.02958 or https://huggingface.co/papers/2602.02958.
        id: String,
        /// Print the stored paper as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Papers related to one paper, by meaning (its vectors) and by shared words.
    Related {
        /// arXiv id or link, e.g. 2602.02958 or https://huggingface.co/papers/2602.02958.
        id: String,
        /// Number of papers (1 to 200).
        #[arg(long, short = 'n', default_value_t = 10, value_parser = limit_value, allow_negative_numbers = true)]
        limit: usize,
        /// Under each paper, its score and its ranks by shared words (bm25) and by meaning
        /// (vector), as `search --explain` gives them.
        #[arg(long)]
        explain: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Serve the HTTP API and the web page until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7700")]
        addr: String,
        /// A host name clients may reach the server by (repeatable). Requests whose Host
        /// header is neither the server's address, `localhost` (on loopback) nor one of these
        /// are refused, so that a web page cannot read the API through DNS rebinding.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_hosts: Vec<String>,
    },
    /// Serve the index to AI agents over the Model Context Protocol on stdin and stdout (tools
    /// `search`, `show_paper`, `related_papers` and `latest_papers`) until the client closes
    /// the connection.
    /// Register it in an agent as the command `paperdex --index DIR mcp`.
    Mcp,
    /// Figures about the index.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score rankings against relevance judgments: nDCG@10, MRR@10, Recall@10, Recall@100 and
    /// MAP for bm25, vector and hybrid side by side. Either a SMART test collection (CACM,
    /// CISI), indexed into a throw-away folder, or --queries and --qrels against --index.
    Eval {
        /// A SMART collection folder (`cacm.all`/`*.ALL`, `query.text`/`*.QRY`,
        /// `qrels.text`/`*.REL`).
        #[arg(long, conflicts_with_all = ["queries", "qrels", "related"], required_unless_present_any = ["queries", "qrels", "related"])]
        smart: Option<PathBuf>,
        /// Judgments of related-paper lists (TREC qrels whose query ids are seed paper ids):
        /// scores `related` on each seed against --index.
        #[arg(long, conflicts_with_all = ["queries", "qrels"])]
        related: Option<PathBuf>,
        /// Queries as JSON lines: {"id": "...", "query": "..."}.
        #[arg(long, requires = "qrels")]
        queries: Option<PathBuf>,
        /// TREC qrels for --queries: `qid 0 docid grade` per line.
        #[arg(long, requires = "queries")]
        qrels: Option<PathBuf>,
        /// Modes to score, comma-separated. Related lists have one ranking, so not with
        /// --related.
        #[arg(long, value_delimiter = ',', default_value = "bm25,vector,hybrid", conflicts_with = "related")]
        modes: Vec<SearchMode>,
        /// Drop the collection's stop words (CACM `common_words`) from queries first: an
        /// experiment, not how the product searches.
        #[arg(long, conflicts_with = "related")]
        strip_stopwords: bool,
        /// Build the --smart collection's index in this folder and keep it; a later run reuses
        /// it without embedding again. A folder holding any other index is refused unchanged.
        #[arg(long, requires = "smart")]
        keep_index: Option<PathBuf>,
        /// Print JSON (with every query's scores).
        #[arg(long)]
        json: bool,
    },
}

/// `--limit` read as HTTP's `limit` and MCP's are (`limits::parse_count`): digits only, 1 to
/// 200, and the same words when it is not.
fn limit_value(raw: &str) -> Result<usize, String> {
    paperdex_index::limits::parse_count("limit", raw, 1, paperdex_index::MAX_LIMIT).map_err(|e| e.to_string())
}

/// `--candidates`, in the words of every other count's error (clap's own range said
/// `100000000 is not in 1..=1000`).
fn candidates_value(raw: &str) -> Result<u16, String> {
    let count =
        paperdex_index::limits::parse_count("--candidates", raw, 1, MAX_CANDIDATES).map_err(|e| e.to_string())?;
    Ok(u16::try_from(count).expect("at most MAX_CANDIDATES"))
}

/// The most papers `--candidates` lets each retriever give the fusion.
const MAX_CANDIDATES: usize = 1000;

/// `--offset` read as HTTP's `offset` is.
fn offset_value(raw: &str) -> Result<usize, String> {
    paperdex_index::limits::parse_count("offset", raw, 0, paperdex_index::MAX_OFFSET).map_err(|e| e.to_string())
}

/// The mode, page and output format `search` and `new` share.
#[derive(Args, Debug, Clone)]
struct PageArgs {
    /// Retrievers to use: hybrid, bm25 or vector (the `new` command matches its QUERY with them).
    #[arg(long, default_value = "hybrid")]
    mode: SearchMode,
    /// Number of papers (1 to 200).
    #[arg(long, short = 'n', default_value_t = 10, value_parser = limit_value, allow_negative_numbers = true)]
    limit: usize,
    /// Skip this many papers of the list (the best, or with `new`, the newest; at most 10000).
    #[arg(long, default_value_t = 0, value_parser = offset_value, allow_negative_numbers = true)]
    offset: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// The filters `search` and `new` share (the HTTP API's parameters of the same names).
#[derive(Args, Debug, Clone)]
struct FilterArgs {
    /// Only papers first seen on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    since: Option<Day>,
    /// Only papers first seen on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    until: Option<Day>,
    /// Only papers with text in this language: zh or en.
    #[arg(long)]
    lang: Option<Lang>,
    /// Only papers listed by this kind of source: report, hf, zh-summary or paper-md.
    #[arg(long)]
    source: Option<SourceFormat>,
    /// Only matches in sections of this kind: title, contribution, innovations,
    /// experiments, usage, application, abstract, method or other.
    #[arg(long, value_name = "KIND")]
    section: Option<SectionGroup>,
}

impl FilterArgs {
    fn filter(&self) -> SearchFilter {
        SearchFilter {
            since: self.since,
            until: self.until,
            lang: self.lang,
            source: self.source,
            section: self.section,
            ..SearchFilter::default()
        }
    }
}

/// Exit status for bad usage (clap uses it too).
const EXIT_USAGE: u8 = 2;

/// mimalloc rather than glibc's malloc: a search allocates and frees many small pieces on
/// several threads, and `serve` answered a few percent more searches a second with it
/// (PERFORMANCE.md, "Session 21").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let args = query_args::query_words_last(Cli::command(), std::env::args_os().collect());
    let mut command = environment::without_overridden(Cli::command(), &args);
    // Whether the index's folder is PAPERDEX_INDEX's: an error about the folder says so (a
    // stale exported variable is otherwise a riddle).
    let mut index_from_environment = false;
    let parsed = command.try_get_matches_from_mut(&args).and_then(|mut matches| {
        index_from_environment = matches.value_source("index") == Some(clap::parser::ValueSource::EnvVariable);
        Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
    });
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let from_environment = environment::named_by_variable(&command, &error);
            // A script that asked for JSON reads a bad flag as it reads any other refusal;
            // `--help` and `--version` are answers, not errors.
            if error.use_stderr() && asks_for_json(&args) {
                // clap's message is its first paragraph (the arguments missing are on the lines
                // under the first); the usage and tips after the blank line are for a terminal.
                let rendered = error.render().to_string();
                let message: Vec<&str> = rendered.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
                let message = from_environment.clone().unwrap_or_else(|| message.join(" "));
                print_json_error(ErrorCode::InvalidParameter, message.strip_prefix("error: ").unwrap_or(&message));
            }
            if let Some(message) = from_environment {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
            error.exit()
        }
    };
    let json = cli.command.prints_json();
    let serving = matches!(cli.command, Command::Serve { .. } | Command::Mcp);
    // The HTTP server writes only to sockets (which never raise SIGPIPE in Rust), and the MCP
    // server must see a closed stdout as an error to stop on, not die of a signal; every other
    // command prints to a stdout the reader may close early.
    if !serving {
        sigpipe::reset();
    }
    init_logging(serving);
    std::panic::set_hook(Box::new(print_panic_line));
    // A panic is a bug, or an index file damaged past what the checks see (tantivy's segments
    // assert on their own data): the hook has said so in one line; the exit status is 1.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(error)) => {
            let mut line = error_line(&error);
            if index_from_environment && names_the_index_folder(&error) {
                line.push_str(" (named by PAPERDEX_INDEX)");
            }
            eprintln!("error: {line}");
            if json {
                print_json_error(error_code(&error), &line);
            }
            exit_status(&error)
        }
        Err(_) => {
            if json {
                print_json_error(ErrorCode::Internal, "internal failure: the line on stderr says what happened");
            }
            ExitCode::FAILURE
        }
    }
}

/// Whether the command line asks for `--json` (before a `--`, after which it would be the
/// query's text): read from the raw arguments when clap refused them.
fn asks_for_json(args: &[std::ffi::OsString]) -> bool {
    args.iter().skip(1).take_while(|a| *a != "--").any(|a| a == "--json")
}

/// A failed command's answer on stdout when it was asked for JSON: the HTTP API's error body
/// (`{"error": {"code", "message"}}`, the same codes), so a script or an agent parses one
/// shape whether it asked the CLI or the server. The line on stderr and the exit status stay.
fn print_json_error(code: ErrorCode, message: &str) {
    let body = ErrorBody { error: ErrorDetail { code: code.as_str().to_string(), message: message.to_string() } };
    if let Ok(text) = serde_json::to_string_pretty(&body) {
        // Not `println!`: the failure being reported may be that stdout cannot be written, and
        // a second panic here would escape as exit status 101.
        let _ = writeln!(std::io::stdout(), "{text}");
    }
}

/// The start of the message of the panic `println!` raises when stdout cannot be written (a
/// full disk, a closed file): not a bug, and not the index's fault.
const STDOUT_FAILURE: &str = "failed printing to stdout";

/// Says in one line where a panic happened and what to do, instead of a backtrace (printed
/// too with `RUST_BACKTRACE=full`). `serve` and `mcp` answer the request that panicked with an
/// error and go on; this line is their log of it.
fn print_panic_line(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    if let Some(reason) = message.strip_prefix(STDOUT_FAILURE) {
        // `search --json > /dev/full` was told to move the index away and ingest again.
        eprintln!(
            "error: standard output cannot be written{reason}: the output is lost (what the command did, \
             an ingest's commit, stays done)"
        );
        return;
    }
    let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
    eprintln!(
        "error: internal failure{place}: {message}. If the index's files were changed or damaged (a disk \
         error, a copy cut short), move the index folder away and ingest again; otherwise this is a bug"
    );
    if std::env::var("RUST_BACKTRACE").is_ok_and(|v| v == "full") {
        eprintln!("{}", std::backtrace::Backtrace::force_capture());
    }
}

/// Whether `error` is about the index's folder itself: none there yet, or not a folder.
fn names_the_index_folder(error: &anyhow::Error) -> bool {
    use paperdex_index::IndexError;
    error.chain().any(|cause| match cause.downcast_ref::<IndexError>() {
        Some(IndexError::NoIndex { .. }) => true,
        Some(IndexError::InvalidParameter { name, .. }) => name == "index",
        _ => false,
    })
}

/// The error and its causes on one line, as `{:#}` prints them, without a cause the message
/// before it already ends with: the library errors name their cause in their own message
/// (`cannot read q.jsonl: No such file…`), which `{:#}` printed twice.
fn error_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

/// Logs to stderr for every command, so a warning (a damaged graph rebuilt, vectors that
/// cannot be loaded) is never silent. `RUST_LOG` overrides the default: warnings, plus the
/// request log for `serve`. Colour only on a terminal: a log redirected to a file stays
/// plain text.
///
/// A one-shot command without `RUST_LOG` writes its warnings as the CLI's own lines
/// (`warning: …`, no timestamp or module), and leaves out the engine's note that it answered
/// with BM25, which the command prints from the answer itself: a log line beside it said the
/// same thing twice in two styles.
fn init_logging(serving: bool) {
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env();
    let plain = !serving && from_env.is_err();
    // The MCP SDK logs every handshake at info; its warnings (a failed request) are enough.
    // tantivy logs a commit record that is not UTF-8 as an error before returning it, which
    // the command then says: one `error:` line, not two.
    // tantivy's watcher of the commit record warns twice a second, for as long as the server
    // runs, once the index folder is deleted under it: `/healthz` says so (`index_problem`),
    // and the server logs it once.
    let default = if serving {
        "info,hnsw_rs=warn,tantivy=warn,tantivy::directory::mmap_directory::file_watcher=error,rmcp=warn"
    } else {
        "warn,paperdex_index::engine=error,tantivy::index::index=off"
    };
    let filter = from_env.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if plain {
        log.with_ansi(false).event_format(output::PlainLines).init();
    } else {
        log.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

/// The [`ErrorCode`] of a failed command: its index error's, else `internal` (a file that
/// cannot be read or written, say; the message names it).
fn error_code(error: &anyhow::Error) -> ErrorCode {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<paperdex_index::IndexError>())
        .map_or(ErrorCode::Internal, |e| e.code())
}

/// 2 when the error is the caller's request (the same [`ErrorCode`] rule as the HTTP API's
/// 400s), 1 for any other failure.
fn exit_status(error: &anyhow::Error) -> ExitCode {
    if error_code(error).is_usage() { ExitCode::from(EXIT_USAGE) } else { ExitCode::FAILURE }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Ingest { paths, glossary, json } => {
            // A folder this ingest makes is taken away again if it indexes nothing (a mistyped
            // path, a folder of no file): an empty index there was a surprise to find.
            let made_here = !cli.index.exists();
            // `--index` naming the folder of digests to read (or any folder in use) made the
            // index among its files without a word, and from then on those files were parts of
            // an index folder, never read as papers.
            let others = paperdex_index::other_things_than_an_index(&cli.index);
            if !others.is_empty() {
                let shown: Vec<&str> = others.iter().take(3).map(String::as_str).collect();
                let more = if others.len() > 3 { format!(" and {} more", others.len() - 3) } else { String::new() };
                return Err(paperdex_index::IndexError::InvalidParameter {
                    name: "--index".into(),
                    problem: format!(
                        "{} holds {}{more} and no index: an index made there would take its files for parts of \
                         it, never to be read as papers. --index names the index's own folder: give a new or empty one",
                        cli.index.display(),
                        shown.join(", ")
                    ),
                }
                .into());
            }
            let mut index = PaperIndex::open_or_create(&cli.index)
                .with_context(|| format!("opening index {}", cli.index.display()))?
                .with_papers_per_generation(cli.papers_per_generation);
            let committed = Arc::new(AtomicU64::new(index.len()));
            let (kept, per_generation) = (Arc::clone(&committed), cli.papers_per_generation);
            // The glossary is stored by the run's last commit: an interrupted run kept the old one.
            let again = match glossary {
                Some(path) => format!("ingest the same files with `--glossary {}` again", path.display()),
                None => "ingest the same files again".to_string(),
            };
            let again_after_failure = again.clone();
            let root = cli.index.clone();
            say_what_an_interruption_keeps(*json, move || {
                // As the commit record says: the count the ingest keeps lags while a commit
                // finishes.
                let held = paperdex_index::committed_papers(&root).unwrap_or_else(|_| kept.load(Ordering::Relaxed));
                KeptAfterInterruption {
                    papers_in_index: Some(held),
                    note: format!(
                        "the index holds {held} papers as of its last commit (an ingest commits every \
                         {per_generation} papers; those read since are not kept); {again} to finish: unchanged papers \
                         are skipped"
                    ),
                }
            });
            let mut glossary_problems = 0;
            if let Some(path) = glossary {
                // Refused before anything is written: the glossary stored with the index stays.
                let (entries, problems) = paperdex_index::lexicon::read_glossary(path).context(
                    "the --glossary file is refused: nothing was written, and the glossary stored with the index is kept",
                )?;
                output::warn_glossary_problems(&problems);
                glossary_problems = problems.len();
                index = index.with_glossary(entries);
            }
            let embedder = load_model(&cli, SessionKind::Passages);
            if let Err(reason) = &embedder {
                eprintln!("warning: {reason}; papers are indexed for keyword search only");
            }
            let mut progress = output::IngestProgress::new(std::io::stderr().is_terminal(), committed);
            let lexicon_before = index.lexicon().name.clone();
            let report = match index.ingest(paths, embedder.as_deref().ok(), &mut progress) {
                Ok(report) => report,
                Err(error) => {
                    progress.finish();
                    if let Some(kept) = progress.kept_after_failure(&again_after_failure) {
                        eprintln!("note: {kept}");
                    }
                    return Err(error.into());
                }
            };
            progress.finish();
            let lexicon = index.lexicon();
            // The index folder's `glossary.tsv` counts as `--glossary` does: its bad lines
            // (named on stderr when it was read) make the exit status 3 too.
            glossary_problems += lexicon.glossary_problems.len();
            // A write learns it again when what changed calls for it (`LexiconLag`); an ingest
            // that wrote nothing keeps the one it had.
            let learned = match &report.lexicon_learned_because {
                Some(because) => Some(because.as_str()),
                None => (lexicon.name != lexicon_before).then_some("the index changed"),
            };
            let lag = index.lexicon_lag()?;
            let models = (cli.models != std::path::Path::new(DEFAULT_MODELS)).then_some(cli.models.as_path());
            let invocation = output::Invocation { index: &cli.index, models, no_model: cli.no_model };
            if *json {
                output::print_ingest_problems(&report, &invocation);
                let mut answer = serde_json::to_value(&report)?;
                answer["lexicon"] = output::lexicon_json(&lexicon, learned, lag);
                answer["glossary_problems"] = serde_json::json!(glossary_problems);
                // The index's papers found by keywords only, whatever left them so (`--no-model`,
                // a model that did not load, an earlier write): `papers_unembedded` counts only
                // the papers whose text changed with no model to embed it.
                answer["papers_without_vectors"] =
                    serde_json::json!(index.len().saturating_sub(index.papers_with_vectors()));
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                output::print_ingest_report(&report, &invocation);
                println!("{}", output::lexicon_line(&lexicon, learned, lag));
            }
            // A model that could not be loaded (not `--no-model`) leaves the papers this ingest
            // wrote without vectors: found by keywords only, absent from meaning search and from
            // related lists until an ingest with the model embeds them. A cron job sees it in
            // the exit status, not only in a warning at the top of the output.
            let without_vectors = match &embedder {
                Err(_) if !cli.no_model => index.len().saturating_sub(index.papers_with_vectors()),
                _ => 0,
            };
            if without_vectors > 0 {
                eprintln!(
                    "warning: {without_vectors} papers have no vectors, as the model could not be loaded: the next \
                     ingest with the model embeds them (give --no-model to index for keyword search only)"
                );
            }
            if made_here && index.is_empty() {
                drop(index);
                if std::fs::remove_dir_all(&cli.index).is_ok() {
                    eprintln!("note: nothing was indexed: no index was made at {}", cli.index.display());
                }
            }
            Ok(if report.had_rejections() || glossary_problems > 0 || without_vectors > 0 {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Remove { ids, sources, json } => {
            say_what_an_interruption_keeps(*json, || KeptAfterInterruption {
                papers_in_index: None,
                note: "a removal is one commit: made, or not made; remove the same ids or sources again to be sure"
                    .to_string(),
            });
            let index = open(&cli)?;
            let report = if sources.is_empty() {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let committed = Arc::new(AtomicU64::new(index.len()));
                let mut progress = output::IngestProgress::new(std::io::stderr().is_terminal(), committed);
                let report = index.remove_observed(&ids, &mut progress)?;
                progress.finish();
                report
            } else {
                // Papers other files list too lose text, which the model embeds again.
                let embedder = load_model(&cli, SessionKind::Passages);
                if let Err(reason) = &embedder {
                    eprintln!("warning: {reason}; papers that change are left without vectors until an ingest with it");
                }
                let committed = Arc::new(AtomicU64::new(index.len()));
                let mut progress = output::IngestProgress::new(std::io::stderr().is_terminal(), committed);
                let paths: Vec<&Path> = sources.iter().map(PathBuf::as_path).collect();
                let report = index.remove_sources(&paths, embedder.as_deref().ok(), &mut progress)?;
                progress.finish();
                report
            };
            output::print_remove_unknown(&report);
            // A removal is a write like an ingest: it says what became of the lexicon.
            let (lexicon, lag) = (index.lexicon(), index.lexicon_lag()?);
            if *json {
                let mut answer = serde_json::to_value(&report)?;
                if report.generation.is_some() {
                    answer["lexicon"] = output::lexicon_json(&lexicon, report.lexicon_learned_because.as_deref(), lag);
                }
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                output::print_remove_report(&report);
                if report.generation.is_some() {
                    println!("{}", output::lexicon_line(&lexicon, report.lexicon_learned_because.as_deref(), lag));
                }
            }
            Ok(if report.unknown.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_REJECTED) })
        }
        Command::Search { query, page: PageArgs { mode, limit, offset, json }, explain, filter, sort } => {
            let query = query.join(" ");
            let query = paperdex_index::limits::search_text("query", &query)?;
            let request =
                SearchRequest::new(query).mode(*mode).limit(*limit).offset(*offset).filter(filter.filter()).sort(*sort);
            // Checked before the model loads: a bad request fails at once.
            request.validate()?;
            let engine = engine(&cli, *mode != SearchMode::Bm25)?;
            let results = engine.search(&request)?;
            leave_to_the_os(engine);
            if *json {
                println!("{}", serde_json::to_string_pretty(&SearchResponse::from(results))?);
            } else {
                let listing = match sort {
                    SortOrder::Relevance => output::Listing::Matches,
                    SortOrder::Date => output::Listing::NewestFirst,
                };
                output::print_results(&results, *offset, *explain, output::use_colour(), listing);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::New { query, page: PageArgs { mode, limit, offset, json }, filter } => {
            let filter = filter.filter();
            filter.validate()?;
            let query = (!query.is_empty()).then(|| query.join(" "));
            let listing = if query.is_some() { output::Listing::NewestFirst } else { output::Listing::Papers };
            let results = match query {
                // `new ''`: the query is optional here, so say how to go without it.
                Some(query) if query.trim().is_empty() => {
                    return Err(paperdex_index::IndexError::InvalidParameter {
                        name: "query".into(),
                        problem: "is empty: leave it out to list every paper of the range".into(),
                    }
                    .into());
                }
                Some(query) => {
                    let query = paperdex_index::limits::search_text("query", &query)?;
                    let request = SearchRequest::new(query)
                        .mode(*mode)
                        .limit(*limit)
                        .offset(*offset)
                        .filter(filter)
                        .sort(SortOrder::Date);
                    request.validate()?;
                    let engine = engine(&cli, *mode != SearchMode::Bm25)?;
                    let results = engine.search(&request)?;
                    leave_to_the_os(engine);
                    results
                }
                None => open(&cli)?.newest(&filter, *offset, *limit)?,
            };
            if *json {
                println!("{}", serde_json::to_string_pretty(&SearchResponse::from(results))?);
            } else {
                output::print_results(&results, *offset, false, output::use_colour(), listing);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { id, json } => {
            let index = open(&cli)?;
            let paper = index.paper(id)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&output::shown_paper_json(&paper)?)?);
            } else {
                output::print_paper(&paper, output::use_colour());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Related { id, limit, explain, json } => {
            // The paper's own vectors are the query: no model needed.
            let engine =
                SearchEngine::new(open(&cli)?, Err("not needed for related papers".into())).with_ranker(cli.ranker());
            let related = engine.related(id, *limit)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&RelatedResponse::from(related))?);
            } else {
                print_related(related, *explain);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lexicon { term, limit, json } => {
            let index = open(&cli)?;
            let lexicon = index.lexicon();
            // Shown as a lexicon of no pair learned from no paper, exit status 0, it hid what a
            // search warns of.
            if let Some((path, reason)) = &lexicon.unreadable {
                return Err(paperdex_index::IndexError::Corrupt {
                    path: path.clone(),
                    reason: format!("{reason}; searches go on without it, and the next write learns it again"),
                }
                .into());
            }
            let term = (!term.is_empty()).then(|| term.join(" "));
            match term {
                Some(term) => {
                    // Read as a query is (blank refused, its length bounded): a query is what
                    // the lexicon translates.
                    let term = paperdex_index::limits::search_text("term", &term)?;
                    let entries = lexicon.lookup(term, *limit);
                    if *json {
                        println!("{}", serde_json::to_string_pretty(&entries)?);
                    } else {
                        output::print_lexicon_entries(term, &entries);
                    }
                }
                None => output::print_lexicon_stats(&lexicon, index.lexicon_lag()?, *json)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { addr, allow_hosts } => serve(&cli, addr, allow_hosts),
        Command::Mcp => mcp(&cli),
        Command::Eval { related: Some(related), json, .. } => {
            // The paper's own vectors are the query: no model needed.
            let engine =
                SearchEngine::new(open(&cli)?, Err("not needed for related papers".into())).with_ranker(cli.ranker());
            let report = paperdex_eval::evaluate_related(&engine, related)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.to_table());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { smart, queries, qrels, modes, strip_stopwords, keep_index, json, .. } => {
            let options = paperdex_eval::EvalOptions {
                modes: modes.clone(),
                strip_stop_words: *strip_stopwords,
                keep_index: keep_index.clone(),
                ranker: cli.ranker(),
                pruning: cli.pruning(),
            };
            eval(&cli, smart.as_deref(), queries.as_deref().zip(qrels.as_deref()), &options, *json)
        }
        Command::Stats { json } => {
            let index = open(&cli)?;
            let stats = index.stats()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                output::print_stats(&stats);
            }
            // The figures count what could be read; a script checking the index sees the rest.
            if let Some(problem) = &stats.unreadable {
                eprintln!(
                    "error: {} of the {} papers cannot be read: {problem}",
                    stats.unreadable_papers, stats.papers
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl Command {
    /// Whether the command was asked for JSON output (and so answers a failure in JSON too).
    fn prints_json(&self) -> bool {
        match self {
            Command::Search { page, .. } | Command::New { page, .. } => page.json,
            Command::Lexicon { json, .. }
            | Command::Remove { json, .. }
            | Command::Show { json, .. }
            | Command::Related { json, .. }
            | Command::Stats { json }
            | Command::Eval { json, .. } => *json,
            Command::Ingest { json, .. } => *json,
            Command::Serve { .. } | Command::Mcp => false,
        }
    }
}

fn open(cli: &Cli) -> Result<PaperIndex> {
    Ok(PaperIndex::open(&cli.index)?.with_pruning(cli.pruning()))
}

/// Reads `--translation`: a weight between 0 and 4.
fn translation_weight(text: &str) -> std::result::Result<f32, String> {
    text.parse::<f32>()
        .ok()
        .filter(|w| (0.0..=4.0).contains(w))
        .ok_or_else(|| format!("{text:?} is not a weight between 0 and 4"))
}

fn query_cache_entries(text: &str) -> std::result::Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| *n <= MAX_QUERY_CACHE_ENTRIES)
        .ok_or_else(|| format!("{text:?} is not a number of entries between 0 and {MAX_QUERY_CACHE_ENTRIES}"))
}

/// The embedding model, or why it cannot be had; its first session is of `kind` (what the
/// command mostly embeds).
fn load_model(cli: &Cli, kind: SessionKind) -> std::result::Result<Arc<dyn Embedder>, String> {
    if cli.no_model {
        return Err("--no-model given".into());
    }
    if let Some(TestEmbedder::Hash) = cli.embedder {
        return Ok(Arc::new(QueryCache::new(HashEmbedder::new(HASH_DIMENSIONS), cli.query_cache)));
    }
    // A query asked again is answered from memory.
    E5Embedder::load_for(&ModelPaths::under(&cli.models), kind)
        .map(|e| Arc::new(QueryCache::new(e, cli.query_cache)) as Arc<dyn Embedder>)
        .map_err(|e| e.to_string())
}

/// Ctrl-C (or `kill`'s SIGTERM, or the SIGHUP of a closed terminal or ssh session) during a
/// write: every generation committed before it is kept whole (a write is a series of commits,
/// each crash-safe), and the user is told what that is and how to finish (`kept`), before the
/// process ends as the signal would have ended it (status 130, 143 or 129). Without this the
/// terminal, or a service's log, fell silent, and nothing said whether the hour's ingest was
/// lost (a hang-up's message reaches a log or `nohup.out`). With `--json` (`json`) the same is
/// also the one JSON object on stdout, so a script reading it gets an answer, not nothing.
fn say_what_an_interruption_keeps(json: bool, kept: impl FnOnce() -> KeptAfterInterruption + Send + 'static) {
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().build() else { return };
        let signal = runtime.block_on(async {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut terminate), Ok(mut hang_up)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup()))
            else {
                return tokio::signal::ctrl_c().await.ok().map(|()| (130, "SIGINT"));
            };
            tokio::select! {
                interrupted = tokio::signal::ctrl_c() => interrupted.ok().map(|()| (130, "SIGINT")),
                _ = terminate.recv() => Some((143, "SIGTERM")),
                _ = hang_up.recv() => Some((129, "SIGHUP")),
            }
        });
        if let Some((status, signal)) = signal {
            let kept = kept();
            eprintln!("\ninterrupted: {}", kept.note);
            if json {
                let answer = serde_json::json!({
                    "interrupted": true,
                    "signal": signal,
                    "exit_status": status,
                    "papers_in_index": kept.papers_in_index,
                    "note": kept.note,
                });
                println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
                let _ = std::io::stdout().flush();
            }
            // Not `std::process::exit`: it runs the C++ static destructors of ONNX Runtime while
            // another thread is inside a model call, whose kernels then log errors (4 of 6
            // interrupted model ingests) that read like a crash. Nothing of ours is left to
            // flush: stderr is unbuffered, stdout's answer was flushed above, and a write is safe
            // only as its commits (made or not).
            #[allow(unsafe_code)]
            // SAFETY: `_exit` ends the process at once; it touches no memory of this process.
            unsafe {
                libc::_exit(status)
            }
        }
    });
}

/// What an interrupted write keeps, as told on stderr (`note`) and, with `--json`, on stdout.
struct KeptAfterInterruption {
    /// The papers the index holds as of its last commit, when the write commits more than once.
    papers_in_index: Option<u64>,
    /// What is kept and how to finish.
    note: String,
}

/// Ends a one-shot command's use of `engine` without freeing it: the process is about to exit
/// and the operating system takes its memory back at once, where freeing the model's
/// tokenizer piece by piece (a million small allocations) took 0.17 s of a 1 s search
/// (PERFORMANCE.md, "Session 28"). Searching writes nothing, so nothing is left unsaved.
fn leave_to_the_os(engine: SearchEngine) {
    std::mem::forget(engine);
}

/// The search engine over the index, with the model when `semantic` search is wanted. The
/// model loads on a thread of its own while the index opens: in a one-shot search the two
/// are most of the time (PERFORMANCE.md, "Session 28").
fn engine(cli: &Cli, semantic: bool) -> Result<SearchEngine> {
    let (index, model) = std::thread::scope(|scope| {
        let model = semantic.then(|| scope.spawn(|| load_model(cli, SessionKind::Queries)));
        let index = open(cli);
        let model = match model {
            Some(loading) => loading.join().unwrap_or_else(|_| Err("loading the model panicked".into())),
            None => Err("not needed for BM25".into()),
        };
        (index, model)
    });
    Ok(SearchEngine::new(index?, model).with_ranker(cli.ranker()))
}

impl Cli {
    /// The ranker settings given on the command line.
    fn ranker(&self) -> RankerConfig {
        RankerConfig {
            fusion: self.fusion,
            related_fusion: self.related_fusion,
            candidates: usize::from(self.candidates),
            translation: self.translation,
        }
    }

    /// When BM25 retrieval prunes.
    fn pruning(&self) -> Pruning {
        Pruning { exact_up_to: self.bm25_exact_up_to, ..Pruning::default() }
    }
}

/// Prints related papers the way search results are printed.
fn print_related(related: paperdex_index::RelatedResults, explain: bool) {
    let colour = output::use_colour();
    println!("Related to {} · {}\n", related.id, output::terminal_safe(&related.title));
    let results = paperdex_index::SearchResults {
        query: related.title,
        mode: related.mode,
        took_ms: related.took_ms,
        total: related.hits.len(),
        total_is_estimate: false,
        hits: related.hits,
        warnings: related.warnings,
        expansions: Vec::new(),
        left_out: Vec::new(),
        required: Vec::new(),
        excluded: Vec::new(),
    };
    output::print_results(&results, 0, explain, colour, output::Listing::Related);
}

/// `paperdex serve`: the HTTP API over the index, with the model when it can be loaded.
fn serve(cli: &Cli, addr: &str, allow_hosts: &[String]) -> Result<ExitCode> {
    use std::net::ToSocketAddrs;
    // A malformed address is bad usage (exit 2), as any other malformed value.
    let bad = |problem: String| paperdex_index::IndexError::InvalidParameter { name: "--addr".into(), problem };
    let addr = addr
        .to_socket_addrs()
        .map_err(|e| bad(format!("{addr:?} is not a HOST:PORT address ({e})")))?
        .next()
        .ok_or_else(|| bad(format!("{addr:?} resolves to no address")))?;
    let engine = Arc::new(engine(cli, true)?);
    if let Some(reason) = engine.no_model_reason() {
        eprintln!("warning: {reason}; searches answer with BM25 only");
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    let served = runtime.block_on(async move {
        let listener = paperdex_server::bind(addr).await?;
        let local = listener.local_addr().context("reading the bound address")?;
        println!("paperdex: {} papers at http://{local}/ (Ctrl-C to stop)", engine.index().len());
        let config = paperdex_server::Config { allowed_hosts: allow_hosts.to_vec(), ..Default::default() };
        paperdex_server::serve_with(listener, engine, config, paperdex_server::shutdown_signal()).await?;
        anyhow::Ok(())
    });
    // Searches still running were cancelled with their connections; do not wait on them
    // longer than a moment.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    served?;
    Ok(ExitCode::SUCCESS)
}

/// `paperdex mcp`: the MCP server on stdio, with the model when it can be loaded. stdout is
/// the protocol's: everything else goes to stderr.
fn mcp(cli: &Cli) -> Result<ExitCode> {
    let engine = Arc::new(engine(cli, true)?);
    if let Some(reason) = engine.no_model_reason() {
        eprintln!("warning: {reason}; searches answer with BM25 only");
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    let served = runtime.block_on(paperdex_mcp::serve_stdio(engine));
    // A read of stdin may still hold a thread of the blocking pool: do not wait on it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    served?;
    Ok(ExitCode::SUCCESS)
}

/// `paperdex eval`: scores a SMART collection (in a throw-away index) or a query set against
/// the index.
fn eval(
    cli: &Cli,
    smart: Option<&std::path::Path>,
    trec: Option<(&std::path::Path, &std::path::Path)>,
    options: &paperdex_eval::EvalOptions,
    json: bool,
) -> Result<ExitCode> {
    let semantic = options.modes.iter().any(|m| *m != SearchMode::Bm25);
    // A SMART collection is embedded first (passages), then searched; a query set only searched.
    let kind = if smart.is_some() { SessionKind::Passages } else { SessionKind::Queries };
    let model = if semantic { load_model(cli, kind) } else { Err("not needed for BM25".into()) };
    let report = match (smart, trec) {
        (Some(folder), _) => {
            let mut progress = output::IngestProgress::new(std::io::stderr().is_terminal(), Default::default());
            let report = paperdex_eval::evaluate_smart(folder, model, options, &mut progress)?;
            progress.finish();
            report
        }
        (None, Some((queries, qrels))) => {
            let engine = SearchEngine::new(open(cli)?, model).with_ranker(cli.ranker());
            paperdex_eval::evaluate_trec(&engine, queries, qrels, options)?
        }
        (None, None) => anyhow::bail!("give --smart FOLDER, or --queries FILE and --qrels FILE"),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_table());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_says_what_paperdex_does() {
        use clap::CommandFactory;
        let about = Cli::command().get_about().map(|about| about.to_string());
        assert_eq!(
            about.as_deref(),
            Some("Search AI research papers (Chinese digests and English abstracts) by keyword and meaning")
        );
    }

    /// The ranges `--limit` and `--offset` say in `--help` are the limits every surface checks.
    #[test]
    fn the_help_gives_the_limits_the_values_are_checked_against() {
        use clap::CommandFactory;
        let search = Cli::command().find_subcommand("search").expect("search").clone().render_help().to_string();
        assert!(search.contains(&format!("1 to {}", paperdex_index::MAX_LIMIT)), "{search}");
        assert!(search.contains(&format!("at most {}", paperdex_index::MAX_OFFSET)), "{search}");
        let related = Cli::command().find_subcommand("related").expect("related").clone().render_help().to_string();
        assert!(related.contains(&format!("1 to {}", paperdex_index::MAX_LIMIT)), "{related}");
    }

    #[test]
    fn an_error_that_names_its_cause_prints_the_cause_once() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let error = paperdex_index::IndexError::Io { path: "gl/missing.tsv".into(), source: missing };
        let error = anyhow::Error::new(error).context("reading the glossary");
        assert_eq!(error_line(&error), "reading the glossary: cannot use gl/missing.tsv: No such file or directory");
    }
}
