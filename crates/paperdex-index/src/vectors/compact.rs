//! [`CompactGraph`]: the HNSW graphs hnsw_rs built, in a compact read-only form for serving.
//!
//! hnsw_rs keeps every link of its graph as a reference-counted heap object and a copy of every
//! vector in each point: about 5 KB a passage at M 16, and reloading a dump rebuilds all those
//! objects (47 s and 13.1 GB at 2M passages, PERFORMANCE.md). Searching needs far less: each
//! node's neighbour ids per layer, and a way to compare the query with a node. So once a graph
//! is built (or extended) by hnsw_rs, [`CompactGraph::from_hnsw`] copies it into flat arrays:
//!
//! - neighbour lists as `u32` node numbers, one array per layer with offsets (layer 0 holds
//!   every node; upper layers list their members);
//! - every vector as 8-bit codes: per dimension, the range of the set's values cut into 255
//!   steps (scalar quantisation). The graph walk compares the query (kept in `f32`) with the
//!   codes, a quarter of the memory the `f32` vectors take;
//! - the walk's candidates (`ef` of them) are then rescored with the exact `f32` vectors of the
//!   [`VectorSet`], so the similarities reported are exact (the same as [`super::ExactSearch`]'s)
//!   and the order of the top `k` is the exact order among the candidates.
//!
//! About 0.55 KB a passage (384 B of codes, 128 B of layer-0 links at M 16) instead of 5 KB,
//! loaded by reading arrays instead of rebuilding objects. hnsw_rs stays the one that builds
//! and extends graphs (ingest loads its dumps, [`super::HnswSearch`]); searches use this.
//!
//! # File format (version 1)
//!
//! Little-endian throughout: magic `PDXGRF\r\n`, a `u32` header length and a JSON header
//! (format, version, model, dims, the number of set chunks covered and their fingerprint, and
//! per language its node count, entry node and per layer its member and link counts); the
//! quantiser (`f32` offsets, then `f32` steps, `dims` each); per language: the chunk id of
//! each node (`u32`, ascending), the codes (`u8`, `dims` a node), and per layer (members as
//! `u32` node numbers except for layer 0, which holds every node), offsets (`u32`, one more
//! than members) and links (`u32` node numbers); then the XXH64 of everything before it and
//! the end marker `PDXGEND\n`. Written through a temp file and a rename; every count, offset
//! and node number is checked on load, so a damaged file is an error naming it, never a panic.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use paperdex_core::Lang;
use serde::{Deserialize, Serialize};

use super::checksum::{HashingWriter, Xxh64};
use super::error::{Result, VectorError};
use super::fsutil::atomic_write;
use super::hnsw::{HnswParams, HnswSearch, fingerprint_start};
use super::pages::HugeArray;
use super::{LANGS, VectorSet, best_first, dot, lang_slot, prepare_query, simd, similarity};

const MAGIC: &[u8; 8] = b"PDXGRF\r\n";
const END_MAGIC: &[u8; 8] = b"PDXGEND\n";
const FORMAT_NAME: &str = "paperdex-compact-graph";
/// The version of the compact graph file this build writes and reads.
pub const COMPACT_FORMAT_VERSION: u32 = 1;
const MAX_HEADER_BYTES: usize = 1 << 20;
/// hnsw_rs graphs have at most 16 layers.
const MAX_LAYERS: usize = 16;

/// Per dimension, how a value maps to a code: `value ≈ offset + step × code`.
#[derive(Debug, Clone, PartialEq)]
struct Quantizer {
    offset: Vec<f32>,
    step: Vec<f32>,
}

impl Quantizer {
    /// The ranges of every dimension over `vectors`.
    fn fit<'a>(dims: usize, vectors: impl Iterator<Item = &'a [f32]>) -> Quantizer {
        let mut low = vec![f32::INFINITY; dims];
        let mut high = vec![f32::NEG_INFINITY; dims];
        for vector in vectors {
            for (i, &x) in vector.iter().enumerate() {
                low[i] = low[i].min(x);
                high[i] = high[i].max(x);
            }
        }
        let mut offset = Vec::with_capacity(dims);
        let mut step = Vec::with_capacity(dims);
        for (&low, &high) in low.iter().zip(&high) {
            if low.is_finite() && high.is_finite() {
                offset.push(low);
                // A constant dimension still needs a positive step (its codes are all 0).
                step.push(((high - low) / 255.0).max(f32::MIN_POSITIVE));
            } else {
                offset.push(0.0);
                step.push(1.0 / 255.0);
            }
        }
        Quantizer { offset, step }
    }

    fn encode(&self, vector: &[f32], out: &mut Vec<u8>) {
        for ((&x, &offset), &step) in vector.iter().zip(&self.offset).zip(&self.step) {
            out.push(((x - offset) / step).round().clamp(0.0, 255.0) as u8);
        }
    }

    /// What the walk compares a node's codes with: `base = query · offset` and the weights
    /// `query × step` in whole units, so that `query · decoded(codes) ≈ base + unit × Σ
    /// weights[i] × codes[i]`, a sum of integers (see [`simd::codes_dot`]).
    ///
    /// The unit is as fine as 16-bit weights allow (the largest weight is 32,767), and coarse
    /// enough that no node's sum leaves an `i32` (codes are at most 255). Rounding the
    /// weights moves a node's approximation by at most `255 × Σ |query[i] × step[i] − unit ×
    /// weights[i]|`: [`PreparedQuery::rounding`], part of the scan's error bound. On the unit
    /// tests' 384-dimension vectors it is about 5% of the codes' own error.
    fn prepare(&self, query: &[f32]) -> PreparedQuery {
        // What an i32 may hold, less a margin for the weights' own rounding (≤ 0.5 each).
        const SUM_LIMIT: f64 = i32::MAX as f64 - 255.0 * 0.5 * (super::MAX_DIMS as f64 + 1.0);
        let scaled: Vec<f64> = query.iter().zip(&self.step).map(|(&q, &s)| f64::from(q) * f64::from(s)).collect();
        let largest = scaled.iter().fold(0.0f64, |max, x| max.max(x.abs()));
        let total = scaled.iter().map(|x| x.abs()).sum::<f64>();
        let unit = (largest / f64::from(i16::MAX)).max(total * 255.0 / SUM_LIMIT);
        if unit == 0.0 || !unit.is_finite() {
            // A query of zeros (or one that overflows): every node is equally near.
            return PreparedQuery {
                base: dot(query, &self.offset),
                unit: 0.0,
                weights: vec![0; scaled.len()],
                rounding: 0.0,
            };
        }
        let weights: Vec<i16> = scaled.iter().map(|x| (x / unit).round() as i16).collect();
        let rounding = 255.0 * scaled.iter().zip(&weights).map(|(x, &w)| (x - unit * f64::from(w)).abs()).sum::<f64>();
        PreparedQuery { base: dot(query, &self.offset), unit: unit as f32, weights, rounding: rounding as f32 }
    }
}

struct PreparedQuery {
    base: f32,
    /// What one unit of a weight is worth.
    unit: f32,
    /// `query × step` in units.
    weights: Vec<i16>,
    /// The most the weights' rounding can move an approximation (see `Quantizer::prepare`).
    rounding: f32,
}

impl PreparedQuery {
    /// The approximate similarity of the query with a node's codes.
    #[inline]
    fn similarity(&self, codes: &[u8]) -> f32 {
        self.base + self.unit * simd::codes_dot(&self.weights, codes) as f32
    }
}

/// One layer's adjacency: the neighbours of member `i` are `links[offsets[i]..offsets[i+1]]`.
#[derive(Debug, Clone, PartialEq, Default)]
struct Layer {
    /// The nodes in this layer, ascending; empty for layer 0, which holds every node.
    members: Vec<u32>,
    offsets: HugeArray<u32>,
    links: HugeArray<u32>,
}

impl Layer {
    fn neighbours(&self, position: usize) -> &[u32] {
        let (start, end) = (self.offsets[position] as usize, self.offsets[position + 1] as usize);
        &self.links[start..end]
    }
}

/// One language's graph.
#[derive(Debug, Clone, PartialEq)]
struct LangGraph {
    /// The chunk id of each node, ascending.
    chunk_ids: Vec<u32>,
    /// `dims` codes per node.
    codes: HugeArray<u8>,
    /// Where every search starts: a node of the top layer.
    entry: u32,
    /// Layer 0 first.
    layers: Vec<Layer>,
}

impl LangGraph {
    /// The neighbours of `node` in `layer` (none if it is not a member).
    fn neighbours(&self, layer: usize, node: u32) -> &[u32] {
        let layer_ref = &self.layers[layer];
        if layer == 0 {
            return layer_ref.neighbours(node as usize);
        }
        match layer_ref.members.binary_search(&node) {
            Ok(position) => layer_ref.neighbours(position),
            Err(_) => &[],
        }
    }
}

/// The graph size up to which the default `ef` keeps recall@10 near 0.99 (measured at 90k
/// and 100k passages).
pub const EF_REFERENCE_NODES: usize = 100_000;

/// See [`CompactGraph::ef_for`].
pub fn ef_for_nodes(nodes: usize) -> usize {
    let base = HnswParams::default().ef_search;
    let growth = (nodes as f64 / EF_REFERENCE_NODES as f64).sqrt().max(1.0);
    (base as f64 * growth).ceil() as usize
}

/// A node and its approximate similarity, ordered by similarity (ties by node number).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scored {
    similarity: f32,
    node: u32,
}

impl Eq for Scored {}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.similarity.total_cmp(&other.similarity).then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The HNSW graphs of a [`VectorSet`] (one per language) in compact, read-only form: see the
/// module documentation. Built from an [`HnswSearch`], saved to and loaded from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactGraph {
    model: String,
    dims: usize,
    /// How many chunks of the set the graphs were built from.
    covered: usize,
    /// The digest of those chunks (as [`HnswSearch`] records it).
    fingerprint: u64,
    quantizer: Quantizer,
    graphs: [Option<LangGraph>; 2],
}

impl CompactGraph {
    /// Copies the graphs of `hnsw`, built from `set`, with `set`'s vectors as 8-bit codes.
    pub fn from_hnsw(hnsw: &HnswSearch, set: &VectorSet) -> Result<CompactGraph> {
        let covered = hnsw.covered();
        if set.len() < covered || set.model() != hnsw.model() || set.dims() != hnsw.dims() {
            return Err(VectorError::SetMismatch {
                reason: format!(
                    "graphs cover {covered} chunks of {}, the set has {} of {}",
                    hnsw.model(),
                    set.len(),
                    set.model()
                ),
            });
        }
        let dims = set.dims();
        let quantizer = Quantizer::fit(dims, set.iter().take(covered).map(|c| c.vector));
        let mut graphs: [Option<LangGraph>; 2] = [None, None];
        for lang in LANGS {
            let Some(hnsw) = hnsw.graph(lang) else { continue };
            // (chunk id, top layer, neighbour chunk ids per layer)
            let mut points: Vec<(u32, usize, Vec<Vec<u32>>)> = Vec::new();
            for point in hnsw.get_point_indexation() {
                let level = point.get_point_id().0 as usize;
                let neighbourhood: Vec<Vec<u32>> = point
                    .get_neighborhood_id()
                    .into_iter()
                    .take(level + 1)
                    .map(|layer| layer.into_iter().map(|n| n.d_id as u32).collect())
                    .collect();
                points.push((point.get_origin_id() as u32, level, neighbourhood));
            }
            if points.is_empty() {
                continue;
            }
            points.sort_unstable_by_key(|p| p.0);
            let node_of: HashMap<u32, u32> = points.iter().enumerate().map(|(node, p)| (p.0, node as u32)).collect();
            let top = points.iter().map(|p| p.1).max().unwrap_or(0).min(MAX_LAYERS - 1);
            let entry = points.iter().position(|p| p.1 >= top).unwrap_or(0) as u32;
            let mut layers = Vec::with_capacity(top + 1);
            for layer_number in 0..=top {
                let (mut members, mut offsets, mut links) = (Vec::new(), vec![0u32], Vec::new());
                for (node, (_, level, neighbourhood)) in points.iter().enumerate() {
                    if *level < layer_number {
                        continue;
                    }
                    if layer_number > 0 {
                        members.push(node as u32);
                    }
                    let listed = neighbourhood.get(layer_number).map(Vec::as_slice).unwrap_or(&[]);
                    links.extend(listed.iter().filter_map(|chunk| node_of.get(chunk).copied()));
                    offsets.push(u32::try_from(links.len()).map_err(|_| VectorError::Full(links.len()))?);
                }
                layers.push(Layer { members, offsets: offsets.into(), links: links.into() });
            }
            let mut codes = Vec::with_capacity(points.len() * dims);
            for (chunk, _, _) in &points {
                let vector = set.get(*chunk).map(|c| c.vector).ok_or_else(|| VectorError::SetMismatch {
                    reason: format!("the {} graph holds chunk {chunk}, the set has {}", lang.code(), set.len()),
                })?;
                quantizer.encode(vector, &mut codes);
            }
            let chunk_ids = points.into_iter().map(|p| p.0).collect();
            graphs[lang_slot(lang)] = Some(LangGraph { chunk_ids, codes: codes.into(), entry, layers });
        }
        Ok(CompactGraph {
            model: set.model().to_owned(),
            dims,
            covered,
            fingerprint: hnsw.fingerprint(),
            quantizer,
            graphs,
        })
    }

    /// How many chunks of the vector set the graphs cover.
    pub fn covered(&self) -> usize {
        self.covered
    }

    /// The number of nodes in the graph of `lang`, tombstoned chunks included.
    pub fn len(&self, lang: Lang) -> usize {
        self.graphs[lang_slot(lang)].as_ref().map_or(0, |g| g.chunk_ids.len())
    }

    /// The `ef` searches of `lang` use: [`HnswParams::ef_search`] up to [`EF_REFERENCE_NODES`]
    /// nodes, then growing with the square root of the graph's size. A graph's recall at a
    /// fixed `ef` falls as it grows: at ef 256, recall@10 was 0.99 with 90k passages and 0.83
    /// with 1.8M; the 1.8M graph needed ef 1,088 for 0.95 (PERFORMANCE.md, "Vectors that fit"),
    /// which this gives (⌈256 × √18⌉ = 1,087: recall@10 0.9525 at 2.46 ms p50).
    pub fn ef_for(&self, lang: Lang) -> usize {
        ef_for_nodes(self.len(lang))
    }

    /// Whether no language has a graph.
    pub fn is_empty(&self) -> bool {
        self.graphs.iter().all(Option::is_none)
    }

    /// Bytes of memory the graphs hold (codes, links, ids), for reports.
    pub fn memory_bytes(&self) -> usize {
        let per_lang = |g: &LangGraph| {
            g.chunk_ids.len() * 4
                + g.codes.len()
                + g.layers.iter().map(|l| (l.members.len() + l.offsets.len() + l.links.len()) * 4).sum::<usize>()
        };
        self.graphs.iter().flatten().map(per_lang).sum::<usize>() + self.dims * 8
    }

    /// The `k` live chunks of `lang` most similar to `query` among those `admit` lets
    /// through, as (chunk id, exact cosine similarity), best first.
    ///
    /// The walk keeps the `ef` (at least `k`) live, admitted nodes most similar by their
    /// codes, passing through tombstoned and unadmitted ones as hnsw_rs's filtered search
    /// does; those are rescored with their exact vectors from `set` (the set the graph was
    /// built from, with any tombstones set since).
    pub fn search(
        &self,
        set: &VectorSet,
        query: &[f32],
        k: usize,
        lang: Lang,
        ef: usize,
        admit: Option<&dyn Fn(u32) -> bool>,
    ) -> Vec<(u32, f32)> {
        let Some(graph) = &self.graphs[lang_slot(lang)] else { return Vec::new() };
        if k == 0 || graph.chunk_ids.is_empty() {
            return Vec::new();
        }
        let Some(query) = prepare_query(query, self.dims) else { return Vec::new() };
        let prepared = self.quantizer.prepare(&query);
        let accept = |node: u32| {
            let chunk = graph.chunk_ids[node as usize];
            !set.is_deleted(chunk) && admit.is_none_or(|admit| admit(chunk))
        };
        let candidates: Vec<u32> = self
            .walk(graph, &prepared, ef.max(k), &accept)
            .into_iter()
            .map(|scored| graph.chunk_ids[scored.node as usize])
            .collect();
        // The candidates' vectors are scattered over the set: ask for the next ones' memory
        // while this one is scored (see `simd`).
        const AHEAD: usize = 4;
        for &chunk in candidates.iter().take(AHEAD) {
            simd::prefetch(set.get(chunk).map_or(&[][..], |c| c.vector));
        }
        let mut hits: Vec<(u32, f32)> = Vec::with_capacity(candidates.len());
        for (i, &chunk) in candidates.iter().enumerate() {
            if let Some(ahead) = candidates.get(i + AHEAD).and_then(|&c| set.get(c)) {
                simd::prefetch(ahead.vector);
            }
            if let Some(found) = set.get(chunk) {
                hits.push((chunk, similarity(&query, found.vector)));
            }
        }
        hits.sort_unstable_by(best_first);
        hits.truncate(k);
        hits
    }

    /// The `k` live chunks of `lang` most similar to `query`, exactly as
    /// [`super::ExactSearch`] finds them (the same chunks, similarities and order), at a
    /// quarter of the memory traffic: every node's 8-bit codes are scored, and only the nodes
    /// whose approximate similarity could still reach the top `k` are rescored with their
    /// `f32` vectors. Chunks of the set the graphs do not cover are scored exactly.
    ///
    /// Why the answer is exact: a code is at most half a step from its value in every
    /// dimension, so an approximate similarity is within `bound = Σ |query[i]| × step[i] / 2`
    /// of the exact one, plus what rounding the query to integer weights can add
    /// ([`PreparedQuery::rounding`]). Nodes are rescored best approximation first, and the
    /// rescoring stops at the first node whose approximation plus `bound` is below the `k`-th
    /// best exact similarity found so far: neither it nor any node after it can reach the top
    /// `k`. (The nodes more than `2 × bound` below the `k`-th best approximation are dropped
    /// before sorting, by the same argument.)
    ///
    /// Why bother: the whole-corpus scan of `f32` vectors (34 MB) is bound by memory; the codes
    /// are a quarter of that (PERFORMANCE.md, "Session 17").
    pub fn scan(&self, set: &VectorSet, query: &[f32], k: usize, lang: Lang) -> Vec<(u32, f32)> {
        if k == 0 {
            return Vec::new();
        }
        let Some(query) = prepare_query(query, self.dims) else { return Vec::new() };
        // The best `k` so far, exactly scored; the worst on top.
        let mut best: BinaryHeap<std::cmp::Reverse<Scored>> = BinaryHeap::with_capacity(k + 1);
        let offer = |best: &mut BinaryHeap<std::cmp::Reverse<Scored>>, chunk: u32, similarity: f32| {
            best.push(std::cmp::Reverse(Scored { similarity, node: chunk }));
            if best.len() > k {
                best.pop();
            }
        };
        if let Some(graph) = &self.graphs[lang_slot(lang)] {
            let prepared = self.quantizer.prepare(&query);
            let mut approximate: Vec<(u32, f32)> = graph
                .chunk_ids
                .iter()
                .zip(graph.codes.chunks_exact(self.dims))
                .filter(|&(&chunk, _)| !set.is_deleted(chunk))
                .map(|(&chunk, codes)| (chunk, prepared.similarity(codes)))
                .collect();
            // The codes' error, then the weights' (see `Quantizer::prepare`). The f32 sums of
            // the approximate and exact similarities round too; 1e-3 is far above what 384
            // products can lose.
            let bound = query.iter().zip(&self.quantizer.step).map(|(&q, &s)| q.abs() * s).sum::<f32>() / 2.0
                + prepared.rounding
                + 1e-3;
            if approximate.len() > k {
                approximate.select_nth_unstable_by(k - 1, best_first);
                let floor = approximate[k - 1].1 - 2.0 * bound;
                approximate.retain(|&(_, similarity)| similarity >= floor);
            }
            approximate.sort_unstable_by(best_first);
            // The vectors to rescore are scattered over the set: ask for the next ones' memory
            // while this one is scored (see `simd`). Sixteen ahead rather than four: the
            // rescoring of a server's scan finds them in main memory, and 800 such rescorings
            // took 0.29 ms instead of 0.38 (a scratch test with the caches emptied first).
            const AHEAD: usize = 16;
            for &(chunk, _) in approximate.iter().take(AHEAD) {
                simd::prefetch(set.get(chunk).map_or(&[][..], |c| c.vector));
            }
            for (i, &(chunk, approximation)) in approximate.iter().enumerate() {
                let kth = best.peek().filter(|_| best.len() == k).map(|worst| worst.0.similarity);
                if kth.is_some_and(|kth| approximation + bound < kth) {
                    break;
                }
                if let Some(ahead) = approximate.get(i + AHEAD).and_then(|&(c, _)| set.get(c)) {
                    simd::prefetch(ahead.vector);
                }
                if let Some(found) = set.get(chunk) {
                    offer(&mut best, chunk, similarity(&query, found.vector));
                }
            }
        }
        // Chunks written after the graphs were built (none once a writer has saved them).
        for id in self.covered..set.len() {
            let id = id as u32;
            if let Some(chunk) = set.get(id).filter(|c| c.lang == lang && !set.is_deleted(id)) {
                offer(&mut best, id, similarity(&query, chunk.vector));
            }
        }
        let mut hits: Vec<(u32, f32)> = best.into_iter().map(|r| (r.0.node, r.0.similarity)).collect();
        hits.sort_unstable_by(best_first);
        hits
    }

    /// HNSW search on the codes: greedy descent through the upper layers, then a best-first
    /// walk of layer 0 keeping the `ef` most similar nodes that `accept` lets through
    /// (unordered). Rejected nodes are still walked through, so a filter never cuts the graph.
    fn walk(&self, graph: &LangGraph, query: &PreparedQuery, ef: usize, accept: &dyn Fn(u32) -> bool) -> Vec<Scored> {
        let dims = self.dims;
        let score = |node: u32| {
            let start = node as usize * dims;
            Scored { similarity: query.similarity(&graph.codes[start..start + dims]), node }
        };
        let mut current = score(graph.entry);
        for layer in (1..graph.layers.len()).rev() {
            loop {
                let mut moved = false;
                for &neighbour in graph.neighbours(layer, current.node) {
                    let candidate = score(neighbour);
                    if candidate > current {
                        current = candidate;
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
        }

        let mut visited = vec![0u64; graph.chunk_ids.len().div_ceil(64)];
        let mut visit = |node: u32| {
            let (word, bit) = (node as usize / 64, 1u64 << (node % 64));
            let fresh = visited[word] & bit == 0;
            visited[word] |= bit;
            fresh
        };
        visit(current.node);
        // To explore: best first. Kept: worst on top, so it is the one replaced.
        let mut frontier = BinaryHeap::from([current]);
        let mut kept = BinaryHeap::with_capacity(ef + 1);
        if accept(current.node) {
            kept.push(std::cmp::Reverse(current));
        }
        let worst =
            |kept: &BinaryHeap<std::cmp::Reverse<Scored>>| kept.peek().map_or(f32::NEG_INFINITY, |w| w.0.similarity);
        // The neighbours not seen yet, whose codes are asked for before any is scored: the
        // walk is bound by memory at large sizes, and this overlaps the waits (see `simd`).
        let mut fresh = Vec::new();
        while let Some(nearest) = frontier.pop() {
            if kept.len() >= ef && nearest.similarity < worst(&kept) {
                break;
            }
            fresh.clear();
            for &neighbour in graph.neighbours(0, nearest.node) {
                if visit(neighbour) {
                    let start = neighbour as usize * dims;
                    simd::prefetch(&graph.codes[start..start + dims]);
                    fresh.push(neighbour);
                }
            }
            // The next node to expand is most likely the frontier's best now: ask for its
            // links while this node's neighbours are scored.
            if let Some(next) = frontier.peek() {
                simd::prefetch(graph.neighbours(0, next.node));
            }
            for &neighbour in &fresh {
                let candidate = score(neighbour);
                if kept.len() < ef || candidate.similarity > worst(&kept) {
                    frontier.push(candidate);
                    if accept(neighbour) {
                        kept.push(std::cmp::Reverse(candidate));
                        if kept.len() > ef {
                            kept.pop();
                        }
                    }
                }
            }
        }
        kept.into_iter().map(|r| r.0).collect()
    }

    /// Writes the graphs to `path` (a temp file renamed into place, synced).
    pub fn save(&self, path: &Path) -> Result<()> {
        let header = Header {
            format: FORMAT_NAME.to_owned(),
            format_version: COMPACT_FORMAT_VERSION,
            model: self.model.clone(),
            dims: self.dims,
            covered_chunks: self.covered,
            set_fingerprint: format!("{:016x}", self.fingerprint),
            graphs: LANGS
                .iter()
                .filter_map(|&lang| {
                    let graph = self.graphs[lang_slot(lang)].as_ref()?;
                    Some(GraphHeader {
                        lang,
                        nodes: graph.chunk_ids.len(),
                        entry: graph.entry,
                        layers: graph
                            .layers
                            .iter()
                            .enumerate()
                            .map(|(n, l)| LayerHeader {
                                members: if n == 0 { graph.chunk_ids.len() } else { l.members.len() },
                                links: l.links.len(),
                            })
                            .collect(),
                    })
                })
                .collect(),
        };
        let header =
            serde_json::to_vec(&header).map_err(|e| VectorError::Io { path: path.into(), source: e.into() })?;
        atomic_write(path, |file| {
            let mut out = HashingWriter::new(io::BufWriter::with_capacity(1 << 20, file));
            out.write_all(MAGIC)?;
            out.write_all(&(header.len() as u32).to_le_bytes())?;
            out.write_all(&header)?;
            write_f32s(&mut out, &self.quantizer.offset)?;
            write_f32s(&mut out, &self.quantizer.step)?;
            for graph in self.graphs.iter().flatten() {
                write_u32s(&mut out, &graph.chunk_ids)?;
                out.write_all(&graph.codes)?;
                for (n, layer) in graph.layers.iter().enumerate() {
                    if n > 0 {
                        write_u32s(&mut out, &layer.members)?;
                    }
                    write_u32s(&mut out, &layer.offsets)?;
                    write_u32s(&mut out, &layer.links)?;
                }
            }
            let digest = out.digest();
            let out = out.get_mut();
            out.write_all(&digest.to_le_bytes())?;
            out.write_all(END_MAGIC)?;
            out.flush()
        })
    }

    /// Reads graphs written by [`CompactGraph::save`] for `set`: checks the file (checksum,
    /// every count and node number) and that it was built from `set` as it is (tombstones
    /// set since are fine; chunks added since would never be found, so they are a mismatch:
    /// convert the extended hnsw_rs graphs again with [`CompactGraph::from_hnsw`]). A damaged
    /// file is [`VectorError::Corrupt`], one from another set [`VectorError::SetMismatch`],
    /// a missing one [`VectorError::Io`] with `NotFound`.
    pub fn load(path: &Path, set: &VectorSet) -> Result<CompactGraph> {
        let graph = CompactGraph::read(path)?;
        graph.check_set(path, set)?;
        Ok(graph)
    }

    /// [`CompactGraph::load`] without the check against the set, so the file can be read
    /// while the set is being loaded; call [`CompactGraph::check_set`] before searching.
    pub fn read(path: &Path) -> Result<CompactGraph> {
        let file = File::open(path).map_err(VectorError::io(path))?;
        let file_bytes = file.metadata().map_err(VectorError::io(path))?.len();
        let mut reader =
            Reader { inner: BufReader::with_capacity(1 << 20, file), hasher: Xxh64::default(), path, file_bytes };
        let graph = reader.read_graph()?;
        let computed = reader.hasher.finish();
        let mut trailer = [0u8; 16];
        reader.inner.read_exact(&mut trailer).map_err(|e| reader.cut_short(e))?;
        if &trailer[8..] != END_MAGIC {
            return Err(VectorError::corrupt(
                path,
                "the end marker is missing: the file was cut short or partly written",
            ));
        }
        if reader.inner.read(&mut [0u8; 1]).map_err(VectorError::io(path))? != 0 {
            return Err(VectorError::corrupt(path, "unexpected bytes after the end marker"));
        }
        let mut stored = [0u8; 8];
        stored.copy_from_slice(&trailer[..8]);
        let stored = u64::from_le_bytes(stored);
        if stored != computed {
            return Err(VectorError::corrupt(
                path,
                format!(
                    "checksum mismatch (stored {stored:016x}, computed {computed:016x}): the content was changed or partly overwritten"
                ),
            ));
        }
        Ok(graph)
    }

    /// Whether this graph (read from `path`) was built from `set` as it is, each node in its
    /// language: [`VectorError::SetMismatch`] naming `path` if not.
    pub fn check_set(&self, path: &Path, set: &VectorSet) -> Result<()> {
        let mismatch = |reason: String| VectorError::SetMismatch { reason: format!("{}: {reason}", path.display()) };
        if self.model != set.model() || self.dims != set.dims() || self.covered != set.len() {
            return Err(mismatch(format!(
                "built for {} chunks of {} ({} dims), the set has {} of {} ({} dims)",
                self.covered,
                self.model,
                self.dims,
                set.len(),
                set.model(),
                set.dims()
            )));
        }
        let mut fingerprint = fingerprint_start(set.dims());
        set.feed_fingerprint(&mut fingerprint, 0..self.covered);
        if fingerprint.finish() != self.fingerprint {
            return Err(mismatch(format!(
                "built from other vectors than the first {} chunks of this set",
                self.covered
            )));
        }
        let mut in_graph = vec![false; self.covered];
        for lang in LANGS {
            let Some(graph) = &self.graphs[lang_slot(lang)] else { continue };
            for &chunk in &graph.chunk_ids {
                let Some(found) = set.get(chunk).filter(|_| (chunk as usize) < self.covered) else {
                    return Err(mismatch(format!("holds chunk {chunk}, beyond the {} it covers", self.covered)));
                };
                if found.lang != lang {
                    return Err(mismatch(format!("holds chunk {chunk} in the {} graph", lang.code())));
                }
                in_graph[chunk as usize] = true;
            }
        }
        if let Some(missing) = (0..self.covered).find(|&id| !in_graph[id] && !set.is_deleted(id as u32)) {
            return Err(mismatch(format!("chunk {missing} is live in the set but missing from the graphs")));
        }
        Ok(())
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    model: String,
    dims: usize,
    covered_chunks: usize,
    set_fingerprint: String,
    graphs: Vec<GraphHeader>,
}

#[derive(Debug, Serialize, Deserialize)]
struct GraphHeader {
    lang: Lang,
    nodes: usize,
    entry: u32,
    layers: Vec<LayerHeader>,
}

#[derive(Debug, Serialize, Deserialize)]
struct LayerHeader {
    members: usize,
    links: usize,
}

fn write_u32s(out: &mut impl Write, values: &[u32]) -> io::Result<()> {
    for block in values.chunks(1 << 14) {
        let bytes: Vec<u8> = block.iter().flat_map(|v| v.to_le_bytes()).collect();
        out.write_all(&bytes)?;
    }
    Ok(())
}

fn write_f32s(out: &mut impl Write, values: &[f32]) -> io::Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    out.write_all(&bytes)
}

/// Reads the file in order, hashing what it reads; running out of bytes is "cut short".
struct Reader<'a> {
    inner: BufReader<File>,
    hasher: Xxh64,
    path: &'a Path,
    /// The file's length, to check the header's counts against before allocating for them.
    file_bytes: u64,
}

impl Reader<'_> {
    fn corrupt(&self, reason: impl Into<String>) -> VectorError {
        VectorError::corrupt(self.path, reason)
    }

    fn cut_short(&self, error: io::Error) -> VectorError {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            self.corrupt("truncated: the file ends before its content does (cut short or partly written)")
        } else {
            VectorError::Io { path: self.path.to_path_buf(), source: error }
        }
    }

    fn bytes(&mut self, buffer: &mut [u8]) -> Result<()> {
        self.inner.read_exact(buffer).map_err(|e| self.cut_short(e))?;
        self.hasher.update(buffer);
        Ok(())
    }

    fn u8s(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut values = vec![0u8; n];
        self.bytes(&mut values)?;
        Ok(values)
    }

    fn u32s(&mut self, n: usize) -> Result<Vec<u32>> {
        let mut values = Vec::with_capacity(n);
        let mut buffer = vec![0u8; 4 << 14];
        let mut left = n;
        while left > 0 {
            let take = left.min(1 << 14);
            self.bytes(&mut buffer[..take * 4])?;
            values.extend(buffer[..take * 4].chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
            left -= take;
        }
        Ok(values)
    }

    /// [`Self::u32s`] into a [`HugeArray`], read in place.
    fn huge_u32s(&mut self, n: usize) -> Result<HugeArray<u32>> {
        let mut values = HugeArray::zeroed(n);
        self.bytes(values.bytes_mut())?;
        for value in values.iter_mut() {
            *value = u32::from_le(*value);
        }
        Ok(values)
    }

    fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
        Ok(self.u32s(n)?.into_iter().map(f32::from_bits).collect())
    }

    fn read_graph(&mut self) -> Result<CompactGraph> {
        let mut magic = [0u8; 8];
        match self.inner.read_exact(&mut magic) {
            Ok(()) if &magic == MAGIC => self.hasher.update(&magic),
            Ok(()) => return Err(self.corrupt("not a paperdex compact graph file (wrong magic bytes at the start)")),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(self.corrupt("truncated: shorter than its magic bytes (empty or cut short)"));
            }
            Err(e) => return Err(VectorError::Io { path: self.path.to_path_buf(), source: e }),
        }
        let mut length = [0u8; 4];
        self.bytes(&mut length)?;
        let length = u32::from_le_bytes(length) as usize;
        if length > MAX_HEADER_BYTES {
            return Err(self.corrupt(format!("header length {length} exceeds the {MAX_HEADER_BYTES}-byte limit")));
        }
        let header = self.u8s(length)?;
        let header: Header =
            serde_json::from_slice(&header).map_err(|e| self.corrupt(format!("header is not valid JSON: {e}")))?;
        if header.format != FORMAT_NAME {
            return Err(self.corrupt(format!("header names format {:?}, expected {FORMAT_NAME:?}", header.format)));
        }
        if header.format_version != COMPACT_FORMAT_VERSION {
            return Err(VectorError::incompatible(
                self.path,
                format!("format version {} (this build reads {COMPACT_FORMAT_VERSION})", header.format_version),
            ));
        }
        let dims = header.dims;
        if !(1..=super::MAX_DIMS).contains(&dims) || header.covered_chunks >= u32::MAX as usize {
            return Err(self.corrupt(format!("header says {dims} dimensions, {} chunks", header.covered_chunks)));
        }
        // The checksum is checked at the end; until then a damaged header could ask for any
        // amount of memory, so its counts must add up to the file's length first.
        let mut expected = (MAGIC.len() + 4 + length) as u64 + dims as u64 * 8 + 16;
        for graph in &header.graphs {
            let nodes = graph.nodes as u64;
            expected = expected.saturating_add(nodes.saturating_mul(4 + dims as u64));
            for (number, layer) in graph.layers.iter().enumerate() {
                let members = layer.members as u64;
                let words = if number == 0 { 0 } else { members } + members + 1 + layer.links as u64;
                expected = expected.saturating_add(words.saturating_mul(4));
            }
        }
        if expected != self.file_bytes {
            return Err(self.corrupt(format!(
                "the header promises {expected} bytes, the file holds {}: cut short, or the header is damaged",
                self.file_bytes
            )));
        }
        let fingerprint = u64::from_str_radix(&header.set_fingerprint, 16)
            .map_err(|_| self.corrupt(format!("set fingerprint {:?} is not hexadecimal", header.set_fingerprint)))?;
        let offset = self.f32s(dims)?;
        let step = self.f32s(dims)?;
        if offset.iter().chain(&step).any(|x| !x.is_finite()) || step.iter().any(|&s| s <= 0.0) {
            return Err(self.corrupt("the quantiser holds a step that is not positive, or NaN"));
        }
        let mut graphs: [Option<LangGraph>; 2] = [None, None];
        for entry in &header.graphs {
            if graphs[lang_slot(entry.lang)].is_some() {
                return Err(self.corrupt(format!("two {} graphs", entry.lang.code())));
            }
            graphs[lang_slot(entry.lang)] = Some(self.read_lang_graph(entry, dims, header.covered_chunks)?);
        }
        Ok(CompactGraph {
            model: header.model,
            dims,
            covered: header.covered_chunks,
            fingerprint,
            quantizer: Quantizer { offset, step },
            graphs,
        })
    }

    fn read_lang_graph(&mut self, entry: &GraphHeader, dims: usize, covered: usize) -> Result<LangGraph> {
        let code = entry.lang.code();
        let nodes = entry.nodes;
        if nodes == 0 || nodes > covered || entry.layers.is_empty() || entry.layers.len() > MAX_LAYERS {
            return Err(self.corrupt(format!(
                "the {code} graph claims {nodes} nodes in {} layers ({covered} chunks covered)",
                entry.layers.len()
            )));
        }
        let chunk_ids = self.u32s(nodes)?;
        if chunk_ids.windows(2).any(|w| w[0] >= w[1]) {
            return Err(self.corrupt(format!("the {code} graph's chunk ids are not ascending")));
        }
        let mut codes = HugeArray::zeroed(nodes * dims);
        self.bytes(codes.bytes_mut())?;
        let mut layers = Vec::with_capacity(entry.layers.len());
        for (number, counts) in entry.layers.iter().enumerate() {
            let what = |problem: &str| format!("the {code} graph's layer {number}: {problem}");
            if counts.members > nodes || (number == 0 && counts.members != nodes) || counts.links > nodes * 2 * 256 {
                return Err(self.corrupt(what(&format!("{} members, {} links", counts.members, counts.links))));
            }
            let members = if number == 0 { Vec::new() } else { self.u32s(counts.members)? };
            if members.windows(2).any(|w| w[0] >= w[1]) || members.iter().any(|&m| m as usize >= nodes) {
                return Err(self.corrupt(what("members out of order or beyond the node count")));
            }
            let offsets = self.huge_u32s(counts.members + 1)?;
            if offsets[0] != 0
                || offsets.windows(2).any(|w| w[0] > w[1])
                || offsets.last().copied() != Some(counts.links as u32)
            {
                return Err(self.corrupt(what("offsets out of order")));
            }
            let links = self.huge_u32s(counts.links)?;
            if links.iter().any(|&l| l as usize >= nodes) {
                return Err(self.corrupt(what("a link to a node that does not exist")));
            }
            layers.push(Layer { members, offsets, links });
        }
        let top = layers.len() - 1;
        let entry_ok =
            (entry.entry as usize) < nodes && (top == 0 || layers[top].members.binary_search(&entry.entry).is_ok());
        if !entry_ok {
            return Err(self.corrupt(format!("the {code} graph's entry node {} is not in its top layer", entry.entry)));
        }
        Ok(LangGraph { chunk_ids, codes, entry: entry.entry, layers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors whose dimensions have very different ranges (so the steps differ), and unit
    /// queries.
    fn vectors(rng: &mut fastrand::Rng, n: usize, dims: usize) -> Vec<Vec<f32>> {
        let spread: Vec<f32> = (0..dims).map(|i| if i % 17 == 0 { 2.0 } else { 0.1 + rng.f32() }).collect();
        (0..n)
            .map(|_| {
                let mut v: Vec<f32> = spread.iter().map(|s| (rng.f32() - 0.5) * s).collect();
                paperdex_embed::normalize(&mut v);
                v
            })
            .collect()
    }

    #[test]
    fn rounding_the_query_to_integer_weights_moves_an_approximation_by_at_most_its_stated_rounding() {
        let mut rng = fastrand::Rng::with_seed(3);
        for dims in [1, 7, 384] {
            let data = vectors(&mut rng, 200, dims);
            let quantizer = Quantizer::fit(dims, data.iter().map(Vec::as_slice));
            for query in vectors(&mut rng, 20, dims) {
                let prepared = quantizer.prepare(&query);
                assert!(prepared.weights.iter().all(|&w| w != i16::MIN), "weights stay within ±32,767");
                // The worst codes for this query: 255 wherever rounding made a weight too
                // small, 0 elsewhere, so every dimension's error adds up.
                let scaled = |i: usize| f64::from(query[i]) * f64::from(quantizer.step[i]);
                let worst: Vec<u8> = (0..dims)
                    .map(
                        |i| if scaled(i) > f64::from(prepared.unit) * f64::from(prepared.weights[i]) { 255 } else { 0 },
                    )
                    .collect();
                let random = (0..dims).map(|_| rng.u8(..)).collect();
                for (codes, is_worst) in [(worst, true), (random, false)] {
                    let decoded =
                        f64::from(prepared.base) + (0..dims).map(|i| scaled(i) * f64::from(codes[i])).sum::<f64>();
                    let error = (f64::from(prepared.similarity(&codes)) - decoded).abs();
                    assert!(
                        error <= f64::from(prepared.rounding) + 1e-5,
                        "{error} > {} at {dims} dims",
                        prepared.rounding
                    );
                    if is_worst && dims == 384 {
                        // About half of it (the dimensions rounded down): the term is no
                        // formality, a bound without it would be broken.
                        assert!(error >= 0.3 * f64::from(prepared.rounding), "{error} against {}", prepared.rounding);
                    }
                }
            }
        }
    }

    #[test]
    fn an_approximation_is_within_the_scans_bound_of_the_exact_similarity() {
        let mut rng = fastrand::Rng::with_seed(5);
        let dims = 384;
        let data = vectors(&mut rng, 500, dims);
        let quantizer = Quantizer::fit(dims, data.iter().map(Vec::as_slice));
        let mut codes = Vec::new();
        for query in vectors(&mut rng, 50, dims) {
            let prepared = quantizer.prepare(&query);
            let codes_error = query.iter().zip(&quantizer.step).map(|(&q, &s)| q.abs() * s).sum::<f32>() / 2.0;
            for vector in &data {
                codes.clear();
                quantizer.encode(vector, &mut codes);
                let exact: f64 = query.iter().zip(vector).map(|(&q, &x)| f64::from(q) * f64::from(x)).sum();
                let error = (f64::from(prepared.similarity(&codes)) - exact).abs();
                assert!(error <= f64::from(codes_error + prepared.rounding) + 1e-5);
            }
        }
    }
}
