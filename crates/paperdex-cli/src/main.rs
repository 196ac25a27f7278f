//! `paperdex`: the command-line face of paperdex-index. Thin by design: every command parses
//! its arguments, calls the library and prints; the same calls serve the HTTP API.
//!
//! Exit status: 0 success; 1 the command failed (message on stderr); 2 bad usage; 3 ingest
//! finished but rejected some files or records (each named on stderr).

mod output;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use paperdex_index::{PaperIndex, SearchMode, SearchRequest};

/// Exit status when an ingest completed but rejected input.
const EXIT_REJECTED: u8 = 3;

/// Search AI research papers (Chinese digests and English abstracts) by keyword and meaning.
#[derive(Parser)]
#[command(name = "paperdex", version, about)]
struct Cli {
    /// Index folder.
    #[arg(long, global = true, env = "PAPERDEX_INDEX", default_value = "index")]
    index: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read report markdown, HF daily-papers JSON, Chinese summary JSON or paper markdown files
    /// (folders are read recursively) and add their papers to the index.
    Ingest {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Search papers.
    Search {
        /// The query, in English, Chinese or both.
        query: String,
        /// Retrievers to use.
        #[arg(long, default_value = "hybrid")]
        mode: SearchMode,
        /// Number of hits.
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
        /// Skip this many of the best hits.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one paper: its summary section by section and where it came from.
    Show {
        /// arXiv id, e.g. 2602.02958.
        id: String,
        /// Print the stored paper as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Figures about the index.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Ingest { paths } => {
            let index = PaperIndex::open_or_create(&cli.index)
                .with_context(|| format!("opening index {}", cli.index.display()))?;
            let mut progress = output::IngestProgress::new(std::io::stderr().is_terminal());
            let report = index.ingest(&paths, &mut progress)?;
            progress.finish();
            output::print_ingest_report(&report);
            Ok(if report.had_rejections() { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
        }
        Command::Search { query, mode, limit, offset, json } => {
            let index = open(&cli.index)?;
            let request = SearchRequest { query, mode, limit, offset };
            let results = index.search_bm25(&request)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                output::print_results(&results, output::use_colour());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { id, json } => {
            let index = open(&cli.index)?;
            let paper = index.paper(&id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&paper)?);
            } else {
                output::print_paper(&paper, output::use_colour());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { json } => {
            let index = open(&cli.index)?;
            let stats = index.stats()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                output::print_stats(&stats);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn open(path: &std::path::Path) -> Result<PaperIndex> {
    Ok(PaperIndex::open(path)?)
}
