//! [`VectorSet`]: the chunk vectors of one generation, and their file format.
//!
//! # File format (version 1)
//!
//! One file, all integers little-endian:
//!
//! | bytes                    | content                                                        |
//! |--------------------------|----------------------------------------------------------------|
//! | 8                        | magic `PDXVEC\r\n` (the `\r\n` catches text-mode mangling)     |
//! | 4                        | `u32` length H of the JSON header                              |
//! | H                        | JSON header: format, format_version, model, dims, chunks, deleted, papers, paper_table_bytes |
//! | chunks × dims × 4        | the vectors, `f32`, chunk 0 first                              |
//! | chunks × 6               | per chunk: `u32` paper number, `u8` lang (0 zh, 1 en), `u8` flags (bit 0 tombstone) |
//! | paper_table_bytes        | per paper number: `u32` byte length, then the UTF-8 paper id   |
//! | 8                        | XXH64 (seed 0) of every byte above                             |
//! | 8                        | end marker `PDXVEND\n`                                         |
//!
//! A file cut short loses its end marker; a file changed or partly written fails the checksum;
//! either way [`VectorSet::load`] names the file and says which. Writes go through a temp file
//! and a rename, so a crash leaves the previous file in place.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use paperdex_core::Lang;
use serde::{Deserialize, Serialize};

use super::checksum::{HashingWriter, Xxh64};
use super::error::{Result, VectorError};
use super::fsutil::atomic_write;
use super::pages::HugeVec;

const MAGIC: &[u8; 8] = b"PDXVEC\r\n";
const END_MAGIC: &[u8; 8] = b"PDXVEND\n";
const FORMAT_NAME: &str = "paperdex-vectors";
/// The version of the file format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The largest header we accept; a real one is a few hundred bytes.
const MAX_HEADER_BYTES: usize = 1 << 20;
/// The most dimensions a set may have (embedding models use 256 to 4,096).
pub const MAX_DIMS: usize = 1 << 16;
/// Bytes of one entry of the chunk table.
const CHUNK_RECORD_BYTES: usize = 6;
/// How far from 1 the norm of a stored vector may drift before the file is called damaged.
const NORM_TOLERANCE: f64 = 1e-3;

/// The JSON header at the start of a vector file.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    model: String,
    dims: usize,
    chunks: usize,
    deleted: usize,
    papers: usize,
    paper_table_bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct ChunkMeta {
    paper: u32,
    lang: Lang,
    deleted: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct PaperEntry {
    id: String,
    /// All its chunks, tombstoned ones included, in push order.
    chunks: Vec<u32>,
    live: u32,
}

/// One chunk of a [`VectorSet`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chunk<'a> {
    /// Its chunk id: its position in the set.
    pub id: u32,
    /// The paper it belongs to.
    pub paper_id: &'a str,
    /// The language of the chunk's text; searches compare like with like.
    pub lang: Lang,
    /// The L2-normalised embedding.
    pub vector: &'a [f32],
    /// Whether the chunk was deleted (its paper was deleted or replaced).
    pub deleted: bool,
}

/// The chunk vectors of one generation: append-only, with tombstones for deleted papers.
///
/// A chunk id is the chunk's position, so ids are stable for the life of the set and a search
/// structure built from a prefix of the set stays valid as chunks are appended. Vectors live in
/// one contiguous array; they are L2-normalised on the way in, so a dot product is the cosine
/// similarity.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSet {
    model: String,
    dims: usize,
    /// `len() * dims` floats, chunk 0 first (in huge pages: searches rescore them at random).
    vectors: HugeVec<f32>,
    chunks: Vec<ChunkMeta>,
    papers: Vec<PaperEntry>,
    paper_numbers: HashMap<String, u32>,
    deleted: usize,
}

impl VectorSet {
    /// An empty set for vectors of `model`, which produces `dims`-dimensional vectors.
    ///
    /// # Panics
    /// If `dims` is 0 or above [`MAX_DIMS`]: that is a bug in the caller, not bad data.
    pub fn new(model: impl Into<String>, dims: usize) -> VectorSet {
        assert!((1..=MAX_DIMS).contains(&dims), "a vector set needs 1 to {MAX_DIMS} dimensions, got {dims}");
        VectorSet {
            model: model.into(),
            dims,
            vectors: HugeVec::default(),
            chunks: Vec::new(),
            papers: Vec::new(),
            paper_numbers: HashMap::new(),
            deleted: 0,
        }
    }

    /// The embedding model the vectors came from.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The number of dimensions of every vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The number of chunks, tombstoned ones included; the next chunk id.
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Whether no chunk was ever pushed.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The number of chunks not tombstoned.
    pub fn live_len(&self) -> usize {
        self.chunks.len() - self.deleted
    }

    /// The share of chunks that are tombstones, from 0 to 1 (0 for an empty set).
    pub fn tombstone_ratio(&self) -> f64 {
        if self.chunks.is_empty() { 0.0 } else { self.deleted as f64 / self.chunks.len() as f64 }
    }

    /// Adds one chunk of `paper_id` and returns its chunk id. The vector is L2-normalised.
    ///
    /// Pushing chunks for a paper whose chunks were deleted makes it live again with the new
    /// chunks only (that is how a re-ingested paper is replaced).
    pub fn push(&mut self, paper_id: &str, lang: Lang, vector: &[f32]) -> Result<u32> {
        self.check(paper_id, vector)?;
        let norm = vector.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return Err(VectorError::InvalidVector { paper_id: paper_id.to_owned(), reason: "it has length zero" });
        }
        Ok(self.append(paper_id, lang, vector.iter().map(|&x| (f64::from(x) / norm) as f32)))
    }

    /// [`VectorSet::push`] for a vector this set (or another of the same model) already holds,
    /// copied bit for bit: normalising it again could move its last bits, and a passage whose
    /// text did not change must keep exactly the vector it had. It must be unit length.
    pub fn push_stored(&mut self, paper_id: &str, lang: Lang, vector: &[f32]) -> Result<u32> {
        self.check(paper_id, vector)?;
        if unit_length(vector).is_err() {
            return Err(VectorError::InvalidVector { paper_id: paper_id.to_owned(), reason: "it is not unit length" });
        }
        Ok(self.append(paper_id, lang, vector.iter().copied()))
    }

    /// What every pushed vector must be: of the set's dimensions, finite, and one more chunk
    /// must still have an id.
    fn check(&self, paper_id: &str, vector: &[f32]) -> Result<()> {
        if vector.len() != self.dims {
            return Err(VectorError::DimensionMismatch { expected: self.dims, found: vector.len() });
        }
        if u32::try_from(self.chunks.len()).ok().is_none_or(|id| id == u32::MAX) {
            return Err(VectorError::Full(self.chunks.len()));
        }
        if vector.iter().any(|x| !x.is_finite()) {
            return Err(VectorError::InvalidVector {
                paper_id: paper_id.to_owned(),
                reason: "it contains NaN or infinity",
            });
        }
        Ok(())
    }

    /// Appends a checked chunk and returns its id.
    fn append(&mut self, paper_id: &str, lang: Lang, vector: impl Iterator<Item = f32>) -> u32 {
        let id = self.chunks.len() as u32;
        self.vectors.extend(vector);
        let paper = match self.paper_numbers.get(paper_id) {
            Some(&paper) => paper,
            None => {
                let paper = self.papers.len() as u32;
                self.papers.push(PaperEntry { id: paper_id.to_owned(), chunks: Vec::new(), live: 0 });
                self.paper_numbers.insert(paper_id.to_owned(), paper);
                paper
            }
        };
        let entry = &mut self.papers[paper as usize];
        entry.chunks.push(id);
        entry.live += 1;
        self.chunks.push(ChunkMeta { paper, lang, deleted: false });
        id
    }

    /// Tombstones every live chunk of `paper_id` and returns how many it tombstoned (0 for an
    /// unknown or already deleted paper). The vectors stay in the set; searches skip them.
    pub fn delete_paper(&mut self, paper_id: &str) -> usize {
        let Some(&paper) = self.paper_numbers.get(paper_id) else { return 0 };
        let entry = &mut self.papers[paper as usize];
        let mut tombstoned = 0;
        for &id in &entry.chunks {
            let meta = &mut self.chunks[id as usize];
            if !meta.deleted {
                meta.deleted = true;
                tombstoned += 1;
            }
        }
        entry.live = 0;
        self.deleted += tombstoned;
        tombstoned
    }

    /// The papers that have at least one live chunk, in the order they were first pushed.
    pub fn live_papers(&self) -> impl Iterator<Item = &str> + '_ {
        self.papers.iter().filter(|p| p.live > 0).map(|p| p.id.as_str())
    }

    /// The live chunks of one paper.
    pub fn live_chunks_of<'a>(&'a self, paper_id: &str) -> impl Iterator<Item = Chunk<'a>> + 'a {
        let ids: &[u32] = match self.paper_numbers.get(paper_id) {
            Some(&paper) => &self.papers[paper as usize].chunks,
            None => &[],
        };
        ids.iter().filter_map(move |&id| self.get(id)).filter(|c| !c.deleted)
    }

    /// The chunk with this id, tombstoned or not.
    pub fn get(&self, id: u32) -> Option<Chunk<'_>> {
        let meta = self.chunks.get(id as usize)?;
        let start = id as usize * self.dims;
        Some(Chunk {
            id,
            paper_id: &self.papers[meta.paper as usize].id,
            lang: meta.lang,
            vector: &self.vectors[start..start + self.dims],
            deleted: meta.deleted,
        })
    }

    /// Whether chunk `id` is tombstoned (unknown ids count as deleted).
    pub fn is_deleted(&self, id: u32) -> bool {
        self.chunks.get(id as usize).is_none_or(|m| m.deleted)
    }

    /// Every chunk in id order, tombstoned ones included.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Chunk<'_>> + '_ {
        (0..self.chunks.len() as u32).map(move |id| self.chunk_unchecked(id))
    }

    /// The chunks not tombstoned, in id order.
    pub fn iter_live(&self) -> impl Iterator<Item = Chunk<'_>> + '_ {
        self.iter().filter(|c| !c.deleted)
    }

    fn chunk_unchecked(&self, id: u32) -> Chunk<'_> {
        let meta = &self.chunks[id as usize];
        let start = id as usize * self.dims;
        Chunk {
            id,
            paper_id: &self.papers[meta.paper as usize].id,
            lang: meta.lang,
            vector: &self.vectors[start..start + self.dims],
            deleted: meta.deleted,
        }
    }

    /// Feeds the vectors and languages of the chunks in `range` to `hasher`: a graph records
    /// the digest of the chunks it was built from, so it can tell later whether it belongs to
    /// this set. Feeding consecutive ranges gives the digest of their union.
    pub(crate) fn feed_fingerprint(&self, hasher: &mut Xxh64, range: std::ops::Range<usize>) {
        let mut buffer = Vec::with_capacity(self.dims * 4 + 1);
        for id in range {
            let chunk = self.chunk_unchecked(id as u32);
            buffer.clear();
            buffer.push(lang_byte(chunk.lang));
            for x in chunk.vector {
                buffer.extend_from_slice(&x.to_le_bytes());
            }
            hasher.update(&buffer);
        }
    }

    /// Writes the set to `path` atomically (temp file, fsync, rename, fsync of the folder);
    /// returns the file's checksum ([`VectorSet::file_checksum`]).
    pub fn save(&self, path: &Path) -> Result<u64> {
        let paper_table_bytes: u64 = self.papers.iter().map(|p| 4 + p.id.len() as u64).sum();
        let header = Header {
            format: FORMAT_NAME.to_owned(),
            format_version: FORMAT_VERSION,
            model: self.model.clone(),
            dims: self.dims,
            chunks: self.chunks.len(),
            deleted: self.deleted,
            papers: self.papers.len(),
            paper_table_bytes,
        };
        let header =
            serde_json::to_vec(&header).map_err(|e| VectorError::Io { path: path.to_path_buf(), source: e.into() })?;
        let mut checksum = 0;
        atomic_write(path, |out| {
            let mut out = HashingWriter::new(out);
            out.write_all(MAGIC)?;
            out.write_all(&(header.len() as u32).to_le_bytes())?;
            out.write_all(&header)?;
            let mut buffer = Vec::with_capacity(1 << 16);
            for block in self.vectors.chunks(1 << 14) {
                buffer.clear();
                for x in block {
                    buffer.extend_from_slice(&x.to_le_bytes());
                }
                out.write_all(&buffer)?;
            }
            buffer.clear();
            for meta in &self.chunks {
                buffer.extend_from_slice(&meta.paper.to_le_bytes());
                buffer.push(lang_byte(meta.lang));
                buffer.push(u8::from(meta.deleted));
                if buffer.len() >= 1 << 16 {
                    out.write_all(&buffer)?;
                    buffer.clear();
                }
            }
            out.write_all(&buffer)?;
            for paper in &self.papers {
                let len = u32::try_from(paper.id.len())
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "paper id longer than 4 GiB"))?;
                out.write_all(&len.to_le_bytes())?;
                out.write_all(paper.id.as_bytes())?;
            }
            checksum = out.digest();
            let out = out.get_mut();
            out.write_all(&checksum.to_le_bytes())?;
            out.write_all(END_MAGIC)
        })?;
        Ok(checksum)
    }

    /// The checksum a vector file ends with, read from its last 16 bytes without checking
    /// the rest ([`VectorSet::load`] does): which file this is, cheaply. A commit records it,
    /// so a sound file from another generation or another index is told apart from its own.
    pub fn file_checksum(path: &Path) -> Result<u64> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(path).map_err(VectorError::io(path))?;
        let length = file.metadata().map_err(VectorError::io(path))?.len();
        if length < 16 {
            // Damage, as a cut file is to `load` (a writer embeds again), not a read error.
            return Err(VectorError::corrupt(path, "the end marker is missing (the file is cut short)"));
        }
        let mut tail = [0u8; 16];
        file.seek(SeekFrom::End(-16)).and_then(|_| file.read_exact(&mut tail)).map_err(VectorError::io(path))?;
        if &tail[8..] != END_MAGIC {
            return Err(VectorError::corrupt(path, "the end marker is missing (the file is cut short)"));
        }
        Ok(u64::from_le_bytes(tail[..8].try_into().expect("8 bytes")))
    }

    /// Reads a set written by [`VectorSet::save`]. A truncated, partly written or changed file
    /// gives [`VectorError::Corrupt`] naming the file and the damage; a file from a newer format
    /// gives [`VectorError::Incompatible`].
    ///
    /// The vectors are decoded straight from the file into the set, a block at a time, so a
    /// load holds the file's bytes once (as `f32`s), not twice: at two million passages the
    /// file is 3 GB. A file that does not check out is read again whole by the decoder that
    /// names the damage, so what it reports does not depend on where the stream stopped.
    pub fn load(path: &Path) -> Result<VectorSet> {
        if let Some(loaded) = stream(path)? {
            return loaded;
        }
        let bytes = std::fs::read(path).map_err(VectorError::io(path))?;
        decode(path, &bytes)
    }
}

/// Reads a vector file as it streams by: the header, the vectors (hashed and decoded a block
/// at a time), the tables and the trailer. `None` when the file is not sound (any check the
/// stream can make fails, checksum included, or the file ends early because it shrank while
/// being read); then [`decode`] of the whole file says why. Once the checksum holds, the
/// result is [`decode_body`]'s, as for the whole file.
fn stream(path: &Path) -> Result<Option<Result<VectorSet>>> {
    match stream_sound(path) {
        Ok(Some((header, vectors, tables))) => Ok(Some(decode_body(path, header, vectors, &tables))),
        Ok(None) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(VectorError::io(path)(e)),
    }
}

/// What [`stream_sound`] read of a sound file: its header, its vectors and the bytes of its
/// chunk and paper tables.
type StreamedParts = (Header, HugeVec<f32>, Vec<u8>);

/// The part of [`stream`] that reads: the parts of a file whose sizes, end marker and
/// checksum check out, or `None`.
fn stream_sound(path: &Path) -> io::Result<Option<StreamedParts>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let file_len = file.metadata()?.len();
    let mut hasher = Xxh64::default();
    let mut read = |buffer: &mut [u8], hashed: bool| -> io::Result<()> {
        file.read_exact(buffer)?;
        if hashed {
            hasher.update(buffer);
        }
        Ok(())
    };
    let prefix_len = MAGIC.len() as u64 + 4;
    if file_len < prefix_len + 16 {
        return Ok(None);
    }
    let mut prefix = [0u8; MAGIC.len() + 4];
    read(&mut prefix, true)?;
    let header_len = u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as usize;
    if &prefix[..MAGIC.len()] != MAGIC
        || header_len > MAX_HEADER_BYTES
        || prefix_len + header_len as u64 + 16 > file_len
    {
        return Ok(None);
    }
    let mut header_bytes = vec![0u8; header_len];
    read(&mut header_bytes, true)?;
    let Ok(header) = serde_json::from_slice::<Header>(&header_bytes) else { return Ok(None) };
    if header.format != FORMAT_NAME
        || header.format_version != FORMAT_VERSION
        || !(1..=MAX_DIMS).contains(&header.dims)
        || header.chunks >= u32::MAX as usize
        || header.papers > header.chunks
        || header.deleted > header.chunks
    {
        return Ok(None);
    }
    // Every size below is bounded by the file's length, which they must add up to exactly.
    let floats = header.chunks as u64 * header.dims as u64;
    let tables = (header.chunks * CHUNK_RECORD_BYTES) as u64 + header.paper_table_bytes;
    if prefix_len + header_len as u64 + floats * 4 + tables + 16 != file_len {
        return Ok(None);
    }
    const BLOCK: usize = 1 << 20;
    let mut vectors: HugeVec<f32> = HugeVec::with_capacity(floats as usize);
    let mut block = vec![0u8; BLOCK];
    let mut left = floats as usize * 4;
    while left > 0 {
        let piece = &mut block[..left.min(BLOCK)];
        read(piece, true)?;
        vectors.extend(piece.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        left -= piece.len();
    }
    drop(block);
    let mut rest = vec![0u8; tables as usize];
    read(&mut rest, true)?;
    let mut trailer = [0u8; 16];
    read(&mut trailer, false)?;
    let stored = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
    if &trailer[8..] != END_MAGIC || stored != hasher.finish() {
        return Ok(None);
    }
    Ok(Some((header, vectors, rest)))
}

/// Whether `vector` has unit length, within [`NORM_TOLERANCE`]. Eight running sums, so the
/// check runs at the speed of memory rather than of one long chain of additions (it reads
/// every vector of a set on each load).
fn unit_length(vector: &[f32]) -> std::result::Result<(), f64> {
    let mut sums = [0f64; 8];
    let mut lanes = vector.chunks_exact(8);
    for lane in &mut lanes {
        for (sum, &x) in sums.iter_mut().zip(lane) {
            *sum += f64::from(x) * f64::from(x);
        }
    }
    let tail: f64 = lanes.remainder().iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    let norm = (sums.iter().sum::<f64>() + tail).sqrt();
    if (norm - 1.0).abs() < NORM_TOLERANCE { Ok(()) } else { Err(norm) }
}

fn lang_byte(lang: Lang) -> u8 {
    match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    }
}

fn lang_from_byte(byte: u8) -> Option<Lang> {
    match byte {
        0 => Some(Lang::Zh),
        1 => Some(Lang::En),
        _ => None,
    }
}

/// A cursor over the body that turns running out of bytes into an error instead of a panic.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        let mut word = [0u8; 4];
        word.copy_from_slice(self.take(4)?);
        Some(u32::from_le_bytes(word))
    }
}

fn decode(path: &Path, bytes: &[u8]) -> Result<VectorSet> {
    let corrupt = |reason: String| VectorError::corrupt(path, reason);
    let min_len = MAGIC.len() + 4 + 16;
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        if bytes.is_empty() {
            return Err(corrupt("the file is empty (a save was interrupted before writing anything?)".into()));
        }
        return Err(corrupt("not a paperdex vector file (wrong magic bytes at the start)".into()));
    }
    if bytes.len() < min_len || &bytes[bytes.len() - END_MAGIC.len()..] != END_MAGIC {
        return Err(corrupt(format!(
            "truncated: the end marker is missing ({} bytes on disk); the file was cut short or partly written",
            bytes.len()
        )));
    }
    let content = &bytes[..bytes.len() - 16];
    let mut stored = [0u8; 8];
    stored.copy_from_slice(&bytes[bytes.len() - 16..bytes.len() - 8]);
    let stored = u64::from_le_bytes(stored);
    let computed = Xxh64::digest(content);
    if stored != computed {
        return Err(corrupt(format!(
            "checksum mismatch (stored {stored:016x}, computed {computed:016x}): the content was changed or partly overwritten"
        )));
    }

    let mut reader = Reader { bytes: &content[MAGIC.len()..] };
    let header_len = reader.u32().ok_or_else(|| corrupt("header length missing".into()))? as usize;
    if header_len > MAX_HEADER_BYTES {
        return Err(corrupt(format!("header length {header_len} exceeds the {MAX_HEADER_BYTES}-byte limit")));
    }
    let header = reader.take(header_len).ok_or_else(|| corrupt("header cut short".into()))?;
    let header: Header =
        serde_json::from_slice(header).map_err(|e| corrupt(format!("header is not valid JSON: {e}")))?;
    if header.format != FORMAT_NAME {
        return Err(corrupt(format!("header names format {:?}, expected {FORMAT_NAME:?}", header.format)));
    }
    if header.format_version != FORMAT_VERSION {
        return Err(VectorError::incompatible(
            path,
            format!(
                "format version {} (this build reads version {FORMAT_VERSION}); re-embed or upgrade paperdex",
                header.format_version
            ),
        ));
    }
    if !(1..=MAX_DIMS).contains(&header.dims) {
        return Err(corrupt(format!("header says {} dimensions", header.dims)));
    }
    if header.chunks >= u32::MAX as usize || header.papers > header.chunks || header.deleted > header.chunks {
        return Err(corrupt(format!(
            "inconsistent counts in header: {} chunks, {} deleted, {} papers",
            header.chunks, header.deleted, header.papers
        )));
    }
    let vector_bytes = (header.chunks as u64) * (header.dims as u64) * 4;
    let expected = vector_bytes + (header.chunks * CHUNK_RECORD_BYTES) as u64 + header.paper_table_bytes;
    let actual = reader.bytes.len() as u64;
    if expected != actual {
        return Err(corrupt(format!(
            "header promises {expected} bytes of vectors and tables, the file holds {actual}"
        )));
    }

    let vector_bytes = reader.take(vector_bytes as usize).ok_or_else(|| corrupt("vectors cut short".into()))?;
    let mut vectors = HugeVec::with_capacity(vector_bytes.len() / 4);
    vectors.extend(vector_bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
    decode_body(path, header, vectors, reader.bytes)
}

/// The rest of [`decode`] once the checksum holds and the vectors are read: their lengths,
/// the chunk table and the paper table (`tables`, the bytes between the vectors and the
/// checksum).
fn decode_body(path: &Path, header: Header, vectors: HugeVec<f32>, tables: &[u8]) -> Result<VectorSet> {
    let corrupt = |reason: String| VectorError::corrupt(path, reason);
    for (id, vector) in vectors.chunks_exact(header.dims).enumerate() {
        if let Err(norm) = unit_length(vector) {
            return Err(corrupt(format!("vector of chunk {id} is not unit length (norm {norm})")));
        }
    }
    let mut reader = Reader { bytes: tables };

    let table =
        reader.take(header.chunks * CHUNK_RECORD_BYTES).ok_or_else(|| corrupt("chunk table cut short".into()))?;
    let mut chunks = Vec::with_capacity(header.chunks);
    for (id, record) in table.chunks_exact(CHUNK_RECORD_BYTES).enumerate() {
        let paper = u32::from_le_bytes([record[0], record[1], record[2], record[3]]);
        if paper as usize >= header.papers {
            return Err(corrupt(format!(
                "chunk {id} belongs to paper number {paper}, the table has {}",
                header.papers
            )));
        }
        let lang = lang_from_byte(record[4])
            .ok_or_else(|| corrupt(format!("chunk {id} has unknown language code {}", record[4])))?;
        let deleted = match record[5] {
            0 => false,
            1 => true,
            flags => return Err(corrupt(format!("chunk {id} has unknown flags {flags:#04x}"))),
        };
        chunks.push(ChunkMeta { paper, lang, deleted });
    }

    let mut papers: Vec<PaperEntry> = Vec::with_capacity(header.papers);
    let mut paper_numbers = HashMap::with_capacity(header.papers);
    for number in 0..header.papers {
        let len = reader.u32().ok_or_else(|| corrupt(format!("paper table cut short at paper {number}")))?;
        let id =
            reader.take(len as usize).ok_or_else(|| corrupt(format!("paper table cut short at paper {number}")))?;
        let id = std::str::from_utf8(id).map_err(|_| corrupt(format!("paper {number} has an id that is not UTF-8")))?;
        if paper_numbers.insert(id.to_owned(), number as u32).is_some() {
            return Err(corrupt(format!("paper id {id:?} appears twice in the paper table")));
        }
        papers.push(PaperEntry { id: id.to_owned(), chunks: Vec::new(), live: 0 });
    }
    if !reader.bytes.is_empty() {
        return Err(corrupt(format!("{} unexpected bytes after the paper table", reader.bytes.len())));
    }

    let mut deleted = 0;
    for (id, meta) in chunks.iter().enumerate() {
        let paper = &mut papers[meta.paper as usize];
        paper.chunks.push(id as u32);
        if meta.deleted {
            deleted += 1;
        } else {
            paper.live += 1;
        }
    }
    if deleted != header.deleted {
        return Err(corrupt(format!("header counts {} tombstones, the chunk table has {deleted}", header.deleted)));
    }
    Ok(VectorSet { model: header.model, dims: header.dims, vectors, chunks, papers, paper_numbers, deleted })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(dims: usize, hot: usize) -> Vec<f32> {
        let mut v = vec![0.1f32; dims];
        v[hot % dims] = 3.0;
        v
    }

    /// Three papers: two English, one Chinese; the second English one deleted.
    fn small_set() -> VectorSet {
        let mut set = VectorSet::new("test-model", 8);
        for i in 0..3 {
            set.push("2601.00001", Lang::En, &unit(8, i)).expect("push");
        }
        set.push("2601.00002", Lang::En, &unit(8, 3)).expect("push");
        set.push("2601.00003", Lang::Zh, &unit(8, 4)).expect("push");
        set.push("2601.00003", Lang::Zh, &unit(8, 5)).expect("push");
        set.delete_paper("2601.00002");
        set
    }

    fn saved(set: &VectorSet) -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vectors.pdv");
        set.save(&path).expect("save");
        let bytes = std::fs::read(&path).expect("read back");
        (dir, path, bytes)
    }

    fn load_error(path: &Path, bytes: &[u8]) -> VectorError {
        std::fs::write(path, bytes).expect("write damaged file");
        VectorSet::load(path).expect_err("a damaged file must not load")
    }

    #[test]
    fn the_checksum_a_save_returns_is_the_one_the_file_ends_with_and_a_cut_file_has_none() {
        let mut set = VectorSet::new("test-model", 3);
        set.push("a", Lang::En, &[1.0, 0.0, 0.0]).expect("push");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vectors.bin");
        let saved = set.save(&path).expect("save");
        assert_eq!(VectorSet::file_checksum(&path).expect("checksum"), saved);
        set.push("b", Lang::Zh, &[0.0, 1.0, 0.0]).expect("push");
        assert_ne!(set.save(&path).expect("save again"), saved, "another content, another checksum");
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 3]).expect("cut");
        assert!(matches!(VectorSet::file_checksum(&path), Err(VectorError::Corrupt { .. })));
        std::fs::write(&path, b"short").expect("tiny");
        assert!(
            matches!(VectorSet::file_checksum(&path), Err(VectorError::Corrupt { .. })),
            "a file under 16 bytes is damage, not a read error"
        );
    }

    #[test]
    fn push_normalises_vectors_and_numbers_chunks_in_order() {
        let mut set = VectorSet::new("test-model", 3);
        assert_eq!(set.push("a", Lang::En, &[3.0, 0.0, 4.0]).expect("push"), 0);
        assert_eq!(set.push("b", Lang::Zh, &[0.0, 2.0, 0.0]).expect("push"), 1);
        let first = set.get(0).expect("chunk 0");
        assert_eq!(first.vector, &[0.6, 0.0, 0.8]);
        assert_eq!((first.paper_id, first.lang, first.deleted), ("a", Lang::En, false));
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn push_refuses_wrong_dimensions_nan_and_zero_vectors() {
        let mut set = VectorSet::new("test-model", 3);
        assert!(matches!(
            set.push("a", Lang::En, &[1.0, 2.0]),
            Err(VectorError::DimensionMismatch { expected: 3, found: 2 })
        ));
        assert!(matches!(set.push("a", Lang::En, &[1.0, f32::NAN, 0.0]), Err(VectorError::InvalidVector { .. })));
        assert!(matches!(set.push("a", Lang::En, &[0.0; 3]), Err(VectorError::InvalidVector { .. })));
        assert!(set.is_empty(), "a refused vector leaves no trace");
    }

    #[test]
    fn a_stored_vector_is_pushed_again_bit_for_bit_and_must_be_unit_length() {
        let mut set = VectorSet::new("test-model", 3);
        let id = set.push("a", Lang::En, &[1.0, 2.0, 3.0]).expect("push");
        let stored = set.get(id).expect("chunk").vector.to_vec();
        let again = set.push_stored("b", Lang::En, &stored).expect("push stored");
        assert_eq!(set.get(again).expect("chunk").vector, &stored[..]);
        assert!(matches!(set.push_stored("c", Lang::En, &[1.0, 2.0, 3.0]), Err(VectorError::InvalidVector { .. })));
        assert!(matches!(set.push_stored("c", Lang::En, &[1.0, 0.0]), Err(VectorError::DimensionMismatch { .. })));
        assert_eq!(set.len(), 2, "a refused vector leaves no trace");
    }

    #[test]
    fn deleting_a_paper_tombstones_its_chunks_and_hides_it() {
        let mut set = small_set();
        assert_eq!(set.live_papers().collect::<Vec<_>>(), ["2601.00001", "2601.00003"]);
        assert!(set.is_deleted(3));
        assert_eq!(set.live_len(), 5);
        assert!((set.tombstone_ratio() - 1.0 / 6.0).abs() < 1e-9);
        assert_eq!(set.delete_paper("2601.00001"), 3);
        assert_eq!(set.delete_paper("2601.00001"), 0, "deleting twice tombstones nothing more");
        assert_eq!(set.delete_paper("no-such-paper"), 0);
        assert_eq!(set.iter_live().map(|c| c.id).collect::<Vec<_>>(), [4, 5]);
    }

    #[test]
    fn a_replaced_paper_is_live_again_with_its_new_chunks_only() {
        let mut set = small_set();
        let new = set.push("2601.00002", Lang::En, &unit(8, 7)).expect("push");
        assert_eq!(set.live_papers().collect::<Vec<_>>(), ["2601.00001", "2601.00002", "2601.00003"]);
        assert_eq!(set.live_chunks_of("2601.00002").map(|c| c.id).collect::<Vec<_>>(), [new]);
    }

    #[test]
    fn a_saved_set_loads_back_identical_tombstones_included() {
        let set = small_set();
        let (_dir, path, _) = saved(&set);
        let loaded = VectorSet::load(&path).expect("load");
        assert_eq!(loaded, set);
        assert_eq!(loaded.model(), "test-model");
        assert_eq!(loaded.live_papers().collect::<Vec<_>>(), ["2601.00001", "2601.00003"]);

        let empty = VectorSet::new("test-model", 8);
        let (_dir, path, _) = saved(&empty);
        assert_eq!(VectorSet::load(&path).expect("load empty"), empty);
    }

    #[test]
    fn saving_again_replaces_the_file_and_leaves_no_temp_file_behind() {
        let mut set = small_set();
        let (dir, path, _) = saved(&set);
        set.push("2601.00004", Lang::En, &unit(8, 6)).expect("push");
        set.save(&path).expect("save over");
        assert_eq!(VectorSet::load(&path).expect("load").len(), 7);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["vectors.pdv"]);
    }

    #[test]
    fn a_truncated_file_is_reported_as_cut_short_naming_the_file() {
        let (_dir, path, bytes) = saved(&small_set());
        for keep in [0, 5, 8, 11, 40, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
            let message = load_error(&path, &bytes[..keep]).to_string();
            assert!(message.contains("vectors.pdv"), "names the file: {message}");
            assert!(
                message.contains("truncated") || message.contains("empty") || message.contains("not a paperdex"),
                "cut to {keep} bytes: {message}"
            );
        }
    }

    #[test]
    fn a_changed_byte_anywhere_is_reported_as_a_checksum_mismatch() {
        let (_dir, path, bytes) = saved(&small_set());
        // In the header, in the vectors, in the chunk table, in the paper table.
        for at in [20, 120, bytes.len() - 40, bytes.len() - 20] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            let error = load_error(&path, &damaged);
            assert!(matches!(error, VectorError::Corrupt { .. }), "byte {at}: {error}");
            assert!(error.to_string().contains("checksum mismatch"), "byte {at}: {error}");
        }
    }

    #[test]
    fn a_file_from_a_newer_format_is_refused_as_incompatible() {
        let (_dir, path, bytes) = saved(&small_set());
        // What a future version would write: same layout, higher version, valid checksum.
        let key = b"\"format_version\":1";
        let at = bytes.windows(key.len()).position(|w| w == key).expect("version in header") + key.len() - 1;
        let mut newer = bytes.clone();
        newer[at] = b'9';
        let content = newer.len() - 16;
        let digest = Xxh64::digest(&newer[..content]);
        newer[content..content + 8].copy_from_slice(&digest.to_le_bytes());
        let error = load_error(&path, &newer);
        assert!(matches!(error, VectorError::Incompatible { .. }), "{error}");
        assert!(error.to_string().contains("format version 9"), "{error}");
    }

    #[test]
    fn another_kind_of_file_is_not_mistaken_for_a_vector_file() {
        let (_dir, path, _) = saved(&small_set());
        let error = load_error(&path, b"{\"papers\": []}\n");
        assert!(error.to_string().contains("not a paperdex vector file"), "{error}");
    }
}
