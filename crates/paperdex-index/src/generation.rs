//! Generations: the vectors that belong to one tantivy commit.
//!
//! A generation's vectors live in `vectors/gen-<n>/` (the [`VectorSet`] file and the HNSW
//! graphs). They are written under a `.partial` name, synced and renamed into place *before*
//! the tantivy commit whose payload names them; the commit (tantivy swaps `meta.json` by
//! rename) is the one atomic switch that makes postings, stored papers and vectors current
//! together. Whatever is interrupted, opening finds the last complete generation; folders no
//! commit names are leftovers and are removed by the next writer.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{IndexError, Result};
use crate::vectors::{HnswSearch, VectorSet};

const VECTORS_DIR: &str = "vectors";
const SET_FILE: &str = "vectors.bin";
const HNSW_DIR: &str = "hnsw";

/// What a tantivy commit records about its generation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CommitPayload {
    /// The generation number; each commit takes the next.
    pub generation: u64,
    /// The folder under `vectors/` holding this generation's vectors, if it has any.
    pub vectors: Option<String>,
}

impl CommitPayload {
    pub(crate) fn parse(payload: Option<&str>) -> CommitPayload {
        payload.and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default()
    }
}

/// The vectors of one generation, loaded.
pub struct Vectors {
    /// The folder name under `vectors/`.
    pub name: String,
    /// Every chunk vector, with its paper and language.
    pub set: VectorSet,
    /// Approximate search over `set`.
    pub ann: HnswSearch,
}

fn vectors_root(root: &Path) -> PathBuf {
    root.join(VECTORS_DIR)
}

/// Loads generation `name`. The graphs are reloaded, not rebuilt; if they are damaged they
/// are rebuilt from the vectors (which carry their own checksum), with a warning.
pub(crate) fn load(root: &Path, name: &str) -> Result<Vectors> {
    let dir = vectors_root(root).join(name);
    let set = VectorSet::load(&dir.join(SET_FILE)).map_err(|e| corrupt(root, e))?;
    let ann = match HnswSearch::load(&dir.join(HNSW_DIR), &set) {
        Ok(ann) => ann,
        Err(error) => {
            tracing::warn!(%error, "HNSW graphs of {name} unusable; rebuilding them in memory");
            HnswSearch::build(&set)
        }
    };
    Ok(Vectors { name: name.to_string(), set, ann })
}

/// Writes `set` and `ann` as generation `generation`; returns its folder name. The folder is
/// complete and synced when this returns.
pub(crate) fn write(root: &Path, generation: u64, set: &VectorSet, ann: &HnswSearch) -> Result<String> {
    let name = format!("gen-{generation:08}");
    let parent = vectors_root(root);
    let partial = parent.join(format!("{name}.partial"));
    let done = parent.join(&name);
    for stale in [&partial, &done] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(IndexError::io(stale))?;
        }
    }
    fs::create_dir_all(&partial).map_err(IndexError::io(&partial))?;
    set.save(&partial.join(SET_FILE)).map_err(|e| corrupt(root, e))?;
    ann.save(&partial.join(HNSW_DIR)).map_err(|e| corrupt(root, e))?;
    sync_dir(&partial)?;
    fs::rename(&partial, &done).map_err(IndexError::io(&done))?;
    sync_dir(&parent)?;
    Ok(name)
}

/// Removes every generation folder except `keep` (and anything half-written).
pub(crate) fn remove_others(root: &Path, keep: Option<&str>) {
    let Ok(entries) = fs::read_dir(vectors_root(root)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("gen-") && Some(name.as_str()) != keep {
            if let Err(error) = fs::remove_dir_all(entry.path()) {
                tracing::warn!(%error, "cannot remove old vector generation {name}");
            }
        }
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|f| f.sync_all()).map_err(IndexError::io(dir))
}

fn corrupt(root: &Path, error: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt { path: root.to_path_buf(), reason: error.to_string() }
}
