//! [`HnswSearch`]: approximate nearest neighbours, one hnsw_rs graph per language.
//!
//! # Folder layout
//!
//! [`HnswSearch::save`] writes, into a folder of its own:
//!
//! - `hnsw.json`, the manifest: format version, model, dimensions, graph parameters, how many
//!   chunks of the vector set the graphs cover and a digest of those chunks (so a graph is never
//!   paired with another set), the machine's byte order and word size (hnsw_rs dumps native
//!   integers), and per language the dump's base name, point count and each file's size and
//!   XXH64 checksum;
//! - `<lang>-<stamp>.hnsw.graph` and `<lang>-<stamp>.hnsw.data`, hnsw_rs's `file_dump` of each
//!   non-empty graph (an empty dump cannot be reloaded, so a language without vectors has no
//!   files).
//!
//! hnsw_rs neither fsyncs nor renames, and its loader panics (or exits the process) on a damaged
//! file, so the dump goes to a staging sub-folder, is fsynced, moved into place under new names,
//! and only then does the manifest switch to them (atomic rename). [`HnswSearch::load`] checks
//! every size and checksum before handing a file to hnsw_rs, so a damaged folder is an error, and
//! the caller rebuilds with [`HnswSearch::build`].

use std::fs::{self, File};
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use hnsw_rs::api::AnnT;
use hnsw_rs::hnsw::Hnsw;
use hnsw_rs::hnswio::{HnswIo, load_description};
use hnsw_rs::prelude::Distance;
use paperdex_core::Lang;
use serde::{Deserialize, Serialize};

use super::checksum::{Xxh64, digest_file};
use super::error::{Result, VectorError};
use super::fsutil::{atomic_write, sync_dir, sync_file, unique_suffix};
use super::{LANGS, NearestNeighbours, VectorSet, best_first, distance, lang_slot, prepare_query};

/// When more than this share of a graph's points are tombstones, [`HnswSearch::refresh`]
/// rebuilds instead of extending: dead points still cost search time and crowd live ones out
/// of the candidate lists.
pub const REBUILD_TOMBSTONE_RATIO: f64 = 0.25;
/// The manifest's name inside a graph folder.
pub const HNSW_MANIFEST_FILE: &str = "hnsw.json";
const MANIFEST_FORMAT: &str = "paperdex-hnsw";
const MANIFEST_VERSION: u32 = 1;
/// hnsw_rs only dumps graphs created with its maximum number of layers.
const MAX_LAYERS: usize = 16;
const STAGING_PREFIX: &str = ".hnsw-staging-";
const FILE_KINDS: [&str; 2] = ["hnsw.graph", "hnsw.data"];

/// The cosine distance of unit vectors, `1 - a·b`, for hnsw_rs.
///
/// Used instead of hnsw_rs's `DistDot`, which asserts `1 - a·b >= 0`: rounding takes the dot
/// product of a vector with itself to `1.0000001` about a third of the time, so with `DistDot`
/// searching with a stored chunk's vector ("more like this") or inserting a duplicate chunk
/// panics. This one clamps at zero, and it is the vectorised dot product of
/// [`super::ExactSearch`], so both report bit-identical similarities.
#[derive(Debug, Default, Clone, Copy)]
pub struct DotDistance;

impl Distance<f32> for DotDistance {
    fn eval(&self, va: &[f32], vb: &[f32]) -> f32 {
        distance(va, vb)
    }
}

/// HNSW graph parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// Links per point and layer (M); layer 0 keeps twice as many. At most 255.
    pub max_nb_connection: usize,
    /// Candidate list size while inserting.
    pub ef_construction: usize,
    /// Candidate list size while searching: higher is slower and more accurate. Synthetic
    /// clusters reach recall@10 0.98 at 32 (the `hnsw` bench), but the real e5 passages of the
    /// corpus need 256 (0.984; 128 gives 0.965: the `search` bench), hence the default.
    pub ef_search: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        HnswParams { max_nb_connection: 16, ef_construction: 200, ef_search: 256 }
    }
}

impl HnswParams {
    /// Within what hnsw_rs accepts: it exits the process for more than 256 links.
    fn sanitized(self) -> HnswParams {
        let max_nb_connection = self.max_nb_connection.clamp(2, 255);
        HnswParams {
            max_nb_connection,
            ef_construction: self.ef_construction.max(max_nb_connection),
            ef_search: self.ef_search.max(1),
        }
    }
}

/// What [`HnswSearch::refresh`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshReport {
    /// New chunks added to the graphs.
    pub inserted: usize,
    /// Chunks newly tombstoned.
    pub tombstoned: usize,
    /// Whether the graphs were rebuilt from scratch because of tombstones.
    pub rebuilt: bool,
}

/// One language's graph.
struct LangGraph {
    hnsw: Hnsw<'static, f32, DotDistance>,
    /// Points in the graph, tombstoned ones included.
    points: usize,
    /// Points whose chunk is tombstoned.
    dead: usize,
}

impl LangGraph {
    fn new(params: HnswParams, capacity: usize) -> LangGraph {
        let hnsw =
            Hnsw::new(params.max_nb_connection, capacity.max(1), MAX_LAYERS, params.ef_construction, DotDistance);
        LangGraph { hnsw, points: 0, dead: 0 }
    }
}

/// Approximate nearest neighbours over a [`VectorSet`]: one HNSW graph per language.
///
/// Searches take `&self` and run from many threads at once. Changes take `&mut self`; to keep
/// serving while a graph is rebuilt, build a new one with [`HnswSearch::build`] and swap it in.
pub struct HnswSearch {
    model: String,
    dims: usize,
    params: HnswParams,
    graphs: [Option<LangGraph>; 2],
    /// The tombstone flag of every chunk id the graphs have seen (`covered()` of them). A chunk
    /// seen and not flagged is in its language's graph.
    deleted: Vec<bool>,
    /// Digest of the chunks seen (see [`VectorSet::feed_fingerprint`]).
    fingerprint: Xxh64,
}

impl std::fmt::Debug for HnswSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("HnswSearch");
        out.field("model", &self.model).field("dims", &self.dims).field("params", &self.params);
        out.field("covered", &self.deleted.len());
        for lang in LANGS {
            if let Some(graph) = &self.graphs[lang_slot(lang)] {
                out.field(lang.code(), &format_args!("{} points, {} dead", graph.points, graph.dead));
            }
        }
        out.finish()
    }
}

pub(super) fn fingerprint_start(dims: usize) -> Xxh64 {
    let mut hasher = Xxh64::default();
    hasher.update(&(dims as u64).to_le_bytes());
    hasher
}

impl HnswSearch {
    /// Builds the graphs of every live chunk of `set` with the default parameters.
    pub fn build(set: &VectorSet) -> HnswSearch {
        HnswSearch::build_with(set, HnswParams::default())
    }

    /// Builds the graphs of every live chunk of `set`, inserting in parallel.
    pub fn build_with(set: &VectorSet, params: HnswParams) -> HnswSearch {
        let mut search = HnswSearch {
            model: set.model().to_owned(),
            dims: set.dims(),
            params: params.sanitized(),
            graphs: [None, None],
            deleted: Vec::new(),
            fingerprint: fingerprint_start(set.dims()),
        };
        search.add_chunks(set);
        search
    }

    /// Sets the search candidate list size (see [`HnswParams::ef_search`]).
    pub fn with_ef_search(mut self, ef_search: usize) -> HnswSearch {
        self.params.ef_search = ef_search.max(1);
        self
    }

    /// The embedding model of the vectors the graphs hold.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The number of dimensions of the vectors.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The hnsw_rs graph of `lang`, if that language has chunks.
    pub(super) fn graph(&self, lang: Lang) -> Option<&Hnsw<'static, f32, DotDistance>> {
        self.graphs[lang_slot(lang)].as_ref().map(|g| &g.hnsw)
    }

    /// The digest of the chunks the graphs have seen (see [`VectorSet::feed_fingerprint`]).
    pub(super) fn fingerprint(&self) -> u64 {
        self.fingerprint.finish()
    }

    /// The graph parameters.
    pub fn params(&self) -> HnswParams {
        self.params
    }

    /// How many chunks of the vector set the graphs have seen: chunk ids below this are
    /// indexed (or were tombstoned), ids from here on are not yet.
    pub fn covered(&self) -> usize {
        self.deleted.len()
    }

    /// Points in the graph of `lang`, tombstoned ones included.
    pub fn len(&self, lang: Lang) -> usize {
        self.graphs[lang_slot(lang)].as_ref().map_or(0, |g| g.points)
    }

    /// Whether no language has a graph.
    pub fn is_empty(&self) -> bool {
        self.graphs.iter().all(Option::is_none)
    }

    /// The share of graph points that are tombstones, over all languages.
    pub fn tombstone_ratio(&self) -> f64 {
        let (points, dead) = self.graphs.iter().flatten().fold((0, 0), |(p, d), g| (p + g.points, d + g.dead));
        if points == 0 { 0.0 } else { dead as f64 / points as f64 }
    }

    /// Whether some language's graph is more than [`REBUILD_TOMBSTONE_RATIO`] tombstones.
    pub fn needs_rebuild(&self) -> bool {
        self.graphs.iter().flatten().any(|g| g.points > 0 && g.dead as f64 > REBUILD_TOMBSTONE_RATIO * g.points as f64)
    }

    /// Catches up with `set` after an ingest: takes its new tombstones and inserts the chunks
    /// pushed since the graphs last saw it. Returns the number of chunks inserted.
    ///
    /// `set` must be the set the graphs were built from, grown by `push` and `delete_paper`.
    pub fn insert(&mut self, set: &VectorSet) -> Result<usize> {
        self.check_same_set(set)?;
        self.take_tombstones(set);
        Ok(self.add_chunks(set))
    }

    /// Rebuilds every graph from the live chunks of `set`, dropping tombstones for good.
    pub fn rebuild(&mut self, set: &VectorSet) {
        let ef_search = self.params.ef_search;
        *self = HnswSearch::build_with(set, self.params).with_ef_search(ef_search);
    }

    /// [`HnswSearch::insert`], or [`HnswSearch::rebuild`] when the new tombstones take a graph
    /// past [`REBUILD_TOMBSTONE_RATIO`].
    pub fn refresh(&mut self, set: &VectorSet) -> Result<RefreshReport> {
        self.check_same_set(set)?;
        let tombstoned = self.take_tombstones(set);
        if self.needs_rebuild() {
            tracing::info!(ratio = self.tombstone_ratio(), "rebuilding HNSW graphs: too many tombstones");
            self.rebuild(set);
            return Ok(RefreshReport { inserted: 0, tombstoned, rebuilt: true });
        }
        let inserted = self.add_chunks(set);
        Ok(RefreshReport { inserted, tombstoned, rebuilt: false })
    }

    fn check_same_set(&self, set: &VectorSet) -> Result<()> {
        if set.model() != self.model || set.dims() != self.dims {
            return Err(VectorError::SetMismatch {
                reason: format!(
                    "graphs are for {} ({} dims), the set for {} ({} dims)",
                    self.model,
                    self.dims,
                    set.model(),
                    set.dims()
                ),
            });
        }
        if set.len() < self.covered() {
            return Err(VectorError::SetMismatch {
                reason: format!("graphs cover {} chunks, the set has only {}", self.covered(), set.len()),
            });
        }
        Ok(())
    }

    /// Flags the chunks `set` tombstoned since the graphs saw them; returns how many.
    fn take_tombstones(&mut self, set: &VectorSet) -> usize {
        let mut tombstoned = 0;
        for (id, deleted) in self.deleted.iter_mut().enumerate() {
            if *deleted || !set.is_deleted(id as u32) {
                continue;
            }
            *deleted = true;
            tombstoned += 1;
            if let Some(chunk) = set.get(id as u32)
                && let Some(graph) = &mut self.graphs[lang_slot(chunk.lang)]
            {
                graph.dead += 1;
            }
        }
        tombstoned
    }

    /// Inserts the live chunks of `set` the graphs have not seen; returns how many.
    fn add_chunks(&mut self, set: &VectorSet) -> usize {
        let start = self.deleted.len();
        let mut per_lang: [Vec<(&[f32], usize)>; 2] = Default::default();
        for chunk in (start..set.len()).filter_map(|id| set.get(id as u32)) {
            self.deleted.push(chunk.deleted);
            if !chunk.deleted {
                per_lang[lang_slot(chunk.lang)].push((chunk.vector, chunk.id as usize));
            }
        }
        set.feed_fingerprint(&mut self.fingerprint, start..set.len());
        let mut inserted = 0;
        for (slot, items) in per_lang.iter().enumerate() {
            if items.is_empty() {
                continue;
            }
            let params = self.params;
            let graph = self.graphs[slot].get_or_insert_with(|| LangGraph::new(params, items.len()));
            graph.hnsw.set_searching_mode(false);
            graph.hnsw.parallel_insert_slice(items);
            graph.hnsw.set_searching_mode(true);
            graph.points += items.len();
            inserted += items.len();
        }
        inserted
    }

    /// [`NearestNeighbours::search`] with another candidate list size than the configured one.
    pub fn search_with_ef(&self, query: &[f32], k: usize, lang: Lang, ef_search: usize) -> Vec<(u32, f32)> {
        let Some(graph) = &self.graphs[lang_slot(lang)] else { return Vec::new() };
        let live = graph.points - graph.dead;
        if k == 0 || live == 0 {
            return Vec::new();
        }
        let Some(query) = prepare_query(query, self.dims) else { return Vec::new() };
        // Tombstones are dropped after the graph search, so ask for more in proportion to the
        // dead share, and widen until enough live chunks come back (or the whole graph did).
        let wanted = k.min(live);
        let widen = graph.points as f64 / live as f64;
        let mut fetch = ((k as f64 * widen).ceil() as usize + if graph.dead > 0 { 8 } else { 0 }).min(graph.points);
        let mut ef = ((ef_search.max(1) as f64 * widen).ceil() as usize).max(fetch);
        loop {
            let mut hits: Vec<(u32, f32)> = graph
                .hnsw
                .search(&query, fetch, ef)
                .into_iter()
                .filter(|n| !self.deleted.get(n.d_id).copied().unwrap_or(true))
                .map(|n| (n.d_id as u32, 1.0 - n.distance))
                .collect();
            if hits.len() >= wanted || fetch >= graph.points {
                hits.sort_unstable_by(best_first);
                hits.truncate(k);
                return hits;
            }
            fetch = (fetch * 2).min(graph.points);
            ef = ef.max(fetch);
        }
    }

    /// The `k` live passages of `lang` nearest to `query` among those `admit` lets through
    /// (a chunk id), searching the graph with the filter applied during the walk (hnsw_rs's
    /// `search_filter`), so a filter never empties a page that the graph could fill.
    pub fn search_admitted(&self, query: &[f32], k: usize, lang: Lang, admit: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let Some(graph) = &self.graphs[lang_slot(lang)] else { return Vec::new() };
        if k == 0 || graph.points == graph.dead {
            return Vec::new();
        }
        let Some(query) = prepare_query(query, self.dims) else { return Vec::new() };
        let filter = |id: &usize| !self.deleted.get(*id).copied().unwrap_or(true) && admit(*id as u32);
        let mut hits: Vec<(u32, f32)> = graph
            .hnsw
            .search_filter(&query, k, self.params.ef_search.max(k), Some(&filter))
            .into_iter()
            .map(|n| (n.d_id as u32, 1.0 - n.distance))
            .collect();
        hits.sort_unstable_by(best_first);
        hits.truncate(k);
        hits
    }

    /// Writes the graphs to `dir` (created if missing) so [`HnswSearch::load`] can reload them
    /// without rebuilding. Crash-safe: until the manifest is replaced, the folder still holds
    /// the previous graphs intact. One writer per folder at a time (ingest holds the writer
    /// lock); files of earlier saves are removed.
    pub fn save(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir).map_err(VectorError::io(dir))?;
        let stamp = unique_suffix();
        let staging = dir.join(format!("{STAGING_PREFIX}{stamp}"));
        fs::create_dir(&staging).map_err(VectorError::io(&staging))?;
        let saved = self.save_via(dir, &staging, &stamp);
        let _ = fs::remove_dir_all(&staging);
        let manifest = saved?;
        remove_stale_files(dir, &manifest);
        Ok(())
    }

    fn save_via(&self, dir: &Path, staging: &Path, stamp: &str) -> Result<Manifest> {
        let mut graphs = Vec::new();
        for lang in LANGS {
            let Some(graph) = &self.graphs[lang_slot(lang)] else { continue };
            let basename = format!("{}-{stamp}", lang.code());
            // A disk that is full or refuses the write is said as what it is: the index the
            // dump was for is not damaged (a full disk was reported as "damaged").
            let dumped = guarded(staging, "file_dump", || match graph.hnsw.file_dump(staging, &basename) {
                Ok(name) => Ok(Ok(name)),
                Err(error) => error.downcast::<std::io::Error>().map(Err),
            })?;
            let used = dumped.map_err(VectorError::io(staging))?;
            if used != basename {
                return Err(VectorError::Hnsw {
                    path: staging.to_path_buf(),
                    reason: format!("file_dump wrote {used:?} instead of {basename:?}"),
                });
            }
            let mut files = Vec::new();
            for kind in FILE_KINDS {
                let name = format!("{basename}.{kind}");
                let path = staging.join(&name);
                sync_file(&path)?;
                let bytes = fs::metadata(&path).map_err(VectorError::io(&path))?.len();
                let xxh64 = format!("{:016x}", digest_file(&path).map_err(VectorError::io(&path))?);
                files.push(FileEntry { name, bytes, xxh64 });
            }
            graphs.push(GraphEntry { lang, basename, points: graph.points, files });
        }
        for file in graphs.iter().flat_map(|g| &g.files) {
            let target = dir.join(&file.name);
            fs::rename(staging.join(&file.name), &target).map_err(VectorError::io(&target))?;
        }
        sync_dir(dir)?;
        let manifest = Manifest {
            format: MANIFEST_FORMAT.to_owned(),
            format_version: MANIFEST_VERSION,
            model: self.model.clone(),
            dims: self.dims,
            max_nb_connection: self.params.max_nb_connection,
            ef_construction: self.params.ef_construction,
            covered_chunks: self.covered(),
            set_fingerprint: format!("{:016x}", self.fingerprint.finish()),
            byte_order: BYTE_ORDER.to_owned(),
            pointer_bytes: size_of::<usize>(),
            graphs,
        };
        let path = dir.join(HNSW_MANIFEST_FILE);
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| VectorError::Io { path: path.clone(), source: e.into() })?;
        atomic_write(&path, |out| std::io::Write::write_all(out, &json))?;
        Ok(manifest)
    }

    /// Reloads graphs saved by [`HnswSearch::save`] for `set`, without rebuilding them: takes
    /// the set's current tombstones and inserts the chunks pushed since the save.
    ///
    /// Every file is checked (present, expected size, checksum, hnsw_rs header) before hnsw_rs
    /// reads it, and the loaded graphs are checked against the set. Any error means the folder
    /// cannot be used: rebuild with [`HnswSearch::build`] (and save again).
    pub fn load(dir: &Path, set: &VectorSet) -> Result<HnswSearch> {
        let manifest_path = dir.join(HNSW_MANIFEST_FILE);
        let manifest = read_manifest(&manifest_path)?;
        manifest.check(&manifest_path, set)?;
        let covered = manifest.covered_chunks;
        let mut fingerprint = fingerprint_start(set.dims());
        set.feed_fingerprint(&mut fingerprint, 0..covered);
        let fingerprint_hex = format!("{:016x}", fingerprint.finish());
        if fingerprint_hex != manifest.set_fingerprint {
            return Err(VectorError::SetMismatch {
                reason: format!(
                    "{} was built from other vectors than the first {covered} chunks of this set",
                    manifest_path.display()
                ),
            });
        }

        let mut graphs: [Option<LangGraph>; 2] = [None, None];
        let mut in_graph = vec![false; covered];
        for entry in &manifest.graphs {
            let hnsw = load_graph(dir, &manifest, entry)?;
            let dump = dir.join(format!("{}.{}", entry.basename, FILE_KINDS[0]));
            let mut points = 0;
            for point in hnsw.get_point_indexation() {
                let id = point.get_origin_id();
                let Some(chunk) = set.get(id as u32).filter(|_| id < covered) else {
                    return Err(VectorError::corrupt(
                        &dump,
                        format!("holds chunk {id}, beyond the {covered} it covers"),
                    ));
                };
                if chunk.lang != entry.lang {
                    return Err(VectorError::corrupt(
                        &dump,
                        format!("holds chunk {id}, which is not {}", entry.lang.code()),
                    ));
                }
                if std::mem::replace(&mut in_graph[id], true) {
                    return Err(VectorError::corrupt(&dump, format!("holds chunk {id} twice")));
                }
                points += 1;
            }
            if points != entry.points {
                return Err(VectorError::corrupt(
                    &dump,
                    format!("holds {points} points, the manifest says {}", entry.points),
                ));
            }
            graphs[lang_slot(entry.lang)] = Some(LangGraph { hnsw, points, dead: 0 });
        }

        let mut deleted = Vec::with_capacity(set.len());
        for (id, &indexed) in in_graph.iter().enumerate() {
            let Some(chunk) = set.get(id as u32) else { break };
            if indexed {
                if chunk.deleted
                    && let Some(graph) = &mut graphs[lang_slot(chunk.lang)]
                {
                    graph.dead += 1;
                }
            } else if !chunk.deleted {
                return Err(VectorError::SetMismatch {
                    reason: format!(
                        "chunk {id} is live in the set but missing from the saved {} graph",
                        chunk.lang.code()
                    ),
                });
            }
            deleted.push(chunk.deleted);
        }

        let params = HnswParams {
            max_nb_connection: manifest.max_nb_connection,
            ef_construction: manifest.ef_construction,
            ef_search: HnswParams::default().ef_search,
        };
        let mut search =
            HnswSearch { model: manifest.model, dims: manifest.dims, params, graphs, deleted, fingerprint };
        let inserted = search.add_chunks(set);
        if inserted > 0 {
            tracing::info!(inserted, "HNSW graphs caught up with chunks added after they were saved");
        }
        Ok(search)
    }
}

impl NearestNeighbours for HnswSearch {
    fn search(&self, query: &[f32], k: usize, lang: Lang) -> Vec<(u32, f32)> {
        self.search_with_ef(query, k, lang, self.params.ef_search)
    }
}

#[cfg(target_endian = "little")]
const BYTE_ORDER: &str = "little";
#[cfg(target_endian = "big")]
const BYTE_ORDER: &str = "big";

/// The manifest of a graph folder, `hnsw.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    model: String,
    dims: usize,
    max_nb_connection: usize,
    ef_construction: usize,
    covered_chunks: usize,
    set_fingerprint: String,
    byte_order: String,
    pointer_bytes: usize,
    graphs: Vec<GraphEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct GraphEntry {
    lang: Lang,
    basename: String,
    points: usize,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    name: String,
    bytes: u64,
    xxh64: String,
}

fn read_manifest(path: &Path) -> Result<Manifest> {
    let bytes = fs::read(path).map_err(VectorError::io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| VectorError::corrupt(path, format!("not a valid graph manifest: {e}")))
}

impl Manifest {
    /// Everything that can be checked before touching the graph files.
    fn check(&self, path: &Path, set: &VectorSet) -> Result<()> {
        if self.format != MANIFEST_FORMAT {
            return Err(VectorError::corrupt(path, format!("format {:?}, expected {MANIFEST_FORMAT:?}", self.format)));
        }
        if self.format_version != MANIFEST_VERSION {
            return Err(VectorError::incompatible(
                path,
                format!("format version {} (this build reads {MANIFEST_VERSION})", self.format_version),
            ));
        }
        if self.byte_order != BYTE_ORDER || self.pointer_bytes != size_of::<usize>() {
            return Err(VectorError::incompatible(
                path,
                format!(
                    "written on a {}-endian {}-bit machine; hnsw_rs dumps are not portable",
                    self.byte_order,
                    self.pointer_bytes * 8
                ),
            ));
        }
        if self.model != set.model() || self.dims != set.dims() {
            return Err(VectorError::SetMismatch {
                reason: format!(
                    "{} is for {} ({} dims), the set for {} ({} dims)",
                    path.display(),
                    self.model,
                    self.dims,
                    set.model(),
                    set.dims()
                ),
            });
        }
        if self.covered_chunks > set.len() {
            return Err(VectorError::SetMismatch {
                reason: format!(
                    "{} covers {} chunks, the set has only {}",
                    path.display(),
                    self.covered_chunks,
                    set.len()
                ),
            });
        }
        if !(2..=255).contains(&self.max_nb_connection) {
            return Err(VectorError::corrupt(path, format!("max_nb_connection {}", self.max_nb_connection)));
        }
        let mut seen = [false; 2];
        for graph in &self.graphs {
            if std::mem::replace(&mut seen[lang_slot(graph.lang)], true) {
                return Err(VectorError::corrupt(path, format!("two {} graphs", graph.lang.code())));
            }
            let safe = |name: &str| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            let expected: Vec<String> = FILE_KINDS.iter().map(|kind| format!("{}.{kind}", graph.basename)).collect();
            let listed: Vec<&str> = graph.files.iter().map(|f| f.name.as_str()).collect();
            if !safe(&graph.basename) || listed != expected {
                return Err(VectorError::corrupt(
                    path,
                    format!("unexpected files for graph {:?}: {listed:?}", graph.basename),
                ));
            }
            if graph.points == 0 || graph.points > self.covered_chunks {
                return Err(VectorError::corrupt(
                    path,
                    format!("graph {} claims {} points", graph.basename, graph.points),
                ));
            }
        }
        Ok(())
    }
}

/// Runs an hnsw_rs call that may fail or panic, as an error about `path`. The checks before
/// each call should make the panics unreachable; this is the last line of defence.
fn guarded<T, E: std::fmt::Display>(path: &Path, what: &str, call: impl FnOnce() -> Result<T, E>) -> Result<T> {
    let hnsw_error = |reason: String| VectorError::Hnsw { path: path.to_path_buf(), reason };
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(hnsw_error(format!("{what} failed: {e}"))),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            Err(hnsw_error(format!("{what} panicked: {message}")))
        }
    }
}

/// Checks one graph's files and hands them to hnsw_rs.
fn load_graph(dir: &Path, manifest: &Manifest, entry: &GraphEntry) -> Result<Hnsw<'static, f32, DotDistance>> {
    for file in &entry.files {
        let path = dir.join(&file.name);
        let metadata = match fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VectorError::corrupt(&path, format!("missing; {HNSW_MANIFEST_FILE} lists it")));
            }
            Err(e) => return Err(VectorError::Io { path, source: e }),
        };
        if metadata.len() != file.bytes {
            return Err(VectorError::corrupt(
                &path,
                format!("{} bytes, {HNSW_MANIFEST_FILE} says {}: truncated or replaced", metadata.len(), file.bytes),
            ));
        }
        let digest = format!("{:016x}", digest_file(&path).map_err(VectorError::io(&path))?);
        if digest != file.xxh64 {
            return Err(VectorError::corrupt(
                &path,
                format!(
                    "checksum mismatch (stored {}, computed {digest}): the file was changed or partly written",
                    file.xxh64
                ),
            ));
        }
    }

    let graph_path = dir.join(&entry.files[0].name);
    let file = File::open(&graph_path).map_err(VectorError::io(&graph_path))?;
    let description = guarded(&graph_path, "reading the dump header", || load_description(&mut BufReader::new(file)))?;
    let problem = if description.dimension != manifest.dims {
        Some(format!("{} dimensions, expected {}", description.dimension, manifest.dims))
    } else if description.nb_point != entry.points {
        Some(format!("{} points, expected {}", description.nb_point, entry.points))
    } else if !matches!(description.format_version, 3 | 4) || description.dumpmode != 1 {
        Some(format!("dump format {} mode {}", description.format_version, description.dumpmode))
    } else if description.t_name != std::any::type_name::<f32>() {
        Some(format!("vectors of {}, expected f32", description.t_name))
    } else if description.distname.rsplit("::").next() != Some("DotDistance") {
        Some(format!("distance {}, expected DotDistance", description.distname))
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(VectorError::incompatible(&graph_path, problem));
    }

    // `load_hnsw` returns a graph that borrows its loader for as long as the graph lives, and
    // the workspace forbids the unsafe code a self-referential struct would need. So the loader
    // is leaked: a few hundred bytes (its folder path and base name; no memory map is used) per
    // language per load, which happens once at start-up and after a new generation is saved.
    let loader: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(dir, &entry.basename)));
    let mut hnsw = guarded(&graph_path, "load_hnsw", || loader.load_hnsw::<f32, DotDistance>())?;
    if hnsw.get_nb_point() != entry.points {
        return Err(VectorError::corrupt(
            &graph_path,
            format!("hnsw_rs loaded {} points, expected {}", hnsw.get_nb_point(), entry.points),
        ));
    }
    // A reloaded graph turns on candidate extension; built graphs have it off. Keep inserts
    // into either kind alike.
    hnsw.set_extend_candidates(false);
    hnsw.set_searching_mode(true);
    Ok(hnsw)
}

/// Removes graph files no longer listed in the manifest and staging folders of interrupted
/// saves. Failures only leave garbage behind, so they are logged, not returned.
fn remove_stale_files(dir: &Path, manifest: &Manifest) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let keep: Vec<&str> = manifest.graphs.iter().flat_map(|g| g.files.iter().map(|f| f.name.as_str())).collect();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path: PathBuf = entry.path();
        let ours = LANGS.iter().any(|lang| name.starts_with(&format!("{}-", lang.code())))
            && FILE_KINDS.iter().any(|kind| name.ends_with(&format!(".{kind}")));
        let outcome = if ours && !keep.contains(&name) {
            fs::remove_file(&path)
        } else if name.starts_with(STAGING_PREFIX) {
            fs::remove_dir_all(&path)
        } else if name.starts_with(&format!(".{HNSW_MANIFEST_FILE}.tmp-")) {
            fs::remove_file(&path)
        } else {
            continue;
        };
        if let Err(e) = outcome {
            tracing::warn!(path = %path.display(), error = %e, "could not remove an old graph file");
        }
    }
}
