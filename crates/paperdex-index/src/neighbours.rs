//! The lexicon's third source: pairs the embedding model suggests, for the Chinese terms the
//! corpus never translates.
//!
//! Brackets and parallel papers translate the field's named terms (幻觉 ↔ hallucination), but
//! not the plain compounds a user writes in a question (小模型 "small model", 长文本 "long
//! text"): nobody brackets them, and the English side of most parallel papers is a title.
//! The multilingual model places such a compound and its English near each other, while it
//! places named terms poorly (e5-small puts 幻觉 nearest "randomness"). So this source only
//! speaks where the other two are silent:
//!
//! - the **vocabulary** ([`Vocabulary`]) is every Chinese word and two-word phrase, and every
//!   English word and two-word phrase, in at least [`MIN_TERM_PAPERS`] papers (the commonest
//!   first, at most [`MAX_ZH_TERMS`] and [`MAX_EN_TERMS`]);
//! - a Chinese term with no pair from the other sources gets the English term nearest it when
//!   it is in turn that English term's nearest of all Chinese terms (mutual nearest
//!   neighbours: a hub such as `model`, near every Chinese term, is nobody's sole pair), at
//!   weight [`NEIGHBOUR_WEIGHT`];
//! - and only when the two are clearly nearer to each other than to any term of other words
//!   ([`MIN_MARGIN`]): a near tie is a coin toss (评测 sits as near `review` as `evaluation`),
//!   while a tie with the pair's own variants (`generated code`, `code generation`) is not.
//!
//! On the development set this took hybrid Chinese questions from 0.662 to 0.720 nDCG@10
//! (0.752 with the longest-phrase cut of the same session, 0.756 with the margin), English
//! queries unchanged (PERFORMANCE.md, "Chinese queries, sessions 14 and 15").
//!
//! Embedding the vocabulary costs minutes, and the lexicon is learned again by every write, so
//! each term's vector is kept in a cache beside the lexicon ([`TermVectorCache`]): an ingest
//! embeds only the terms it has not seen, and a write without the model (`remove`, an ingest
//! with `--no-model`) uses the vectors already cached. The cache is keyed by term and model,
//! so a stale or lost cache costs time, never a wrong pair.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use paperdex_embed::{Embedder, Role};
use rayon::prelude::*;

use crate::lexicon::{LexiconEntry, LexiconSource, SurfaceForms};
use crate::vectors::simd::i8_dot;

/// Papers a term must be in to be considered: rarer terms are seldom asked for, and each
/// costs an embedding.
const MIN_TERM_PAPERS: u32 = 5;
/// Terms in more than this share of the papers are the field's boilerplate (模型, 能力,
/// `model`): the other sources leave them untranslated on purpose (a near-zero-IDF clause in
/// every search), and the model pairs them with other boilerplate (能力 ↔ `able`).
const MAX_TERM_SHARE: f32 = 0.1;
/// The commonest Chinese terms considered at most (the corpus has about 16,000 in five papers).
const MAX_ZH_TERMS: usize = 20_000;
/// The commonest English terms considered at most.
const MAX_EN_TERMS: usize = 30_000;
/// Papers whose words are counted at most, in each language: the vocabulary of the field is
/// there long before a million papers, and counting costs memory for every distinct phrase.
pub(crate) const VOCABULARY_PAPERS: usize = 40_000;
/// The weight of a pair from this source (a bracket pair seen ten times weighs about 0.9, a
/// parallel pair 0.1 to 0.6). Measured: 0.3 and 0.6 rank the development set alike.
const NEIGHBOUR_WEIGHT: f32 = 0.3;
/// How much nearer (in cosine) a pair's terms must be to each other than to the nearest term
/// of other words, from either side. On the corpus's 3,409 mutual pairs, scored against the
/// bracket and parallel pairs as a rough key, the fifth with the smallest margin (under 0.002)
/// was 28% right and the fifth with the largest 74% (PERFORMANCE.md, session 15); the near
/// ties were the wrong pairs the closing notes named (评测 → `review`, 撰写 → `articulated`,
/// 一项 → `un`). 0.002 and 0.005 rank the development set alike; the smaller keeps more pairs.
const MIN_MARGIN: f32 = 0.002;
/// Terms handed to the model at once, each in a call of its own ([`Embedder::embed_each`]). A
/// term's vector differs with the terms beside it in a call (the model quantises a call's
/// activations together; cosine 0.994 at worst between a term alone and in a call of 64), and
/// the mutual-neighbour test is sharp: on the corpus, the pairs learned with vectors embedded
/// 64 at a time in a fresh index and in one grown by several ingests differed in 373 of 1,784
/// (PERFORMANCE.md, session 14). Alone, a term has one vector, so the lexicon follows from the
/// papers and the model, whatever the cache held. The calls spread over the model's sessions;
/// a failure loses at most this many terms' vectors (the rest are cached).
const EMBED_CHUNK: usize = 1024;

/// The terms of the corpus, by how many papers hold each.
#[derive(Default)]
pub(crate) struct Vocabulary {
    /// Chinese key (jieba words joined by a space) → papers.
    zh: HashMap<String, u32>,
    /// English key (stems joined by a space) → papers.
    en: HashMap<String, u32>,
    /// How each English key was written (once a paper), so a term is embedded as it is
    /// most often written (`often`, not the `oft` of one abstract).
    en_forms: SurfaceForms,
    /// Papers whose English words were counted.
    pub(crate) english_papers: usize,
    /// Papers whose Chinese words were counted.
    pub(crate) chinese_papers: usize,
}

impl Vocabulary {
    /// Counts one paper's distinct Chinese terms.
    pub(crate) fn saw_chinese(&mut self, terms: HashSet<String>) {
        self.chinese_papers += 1;
        for term in terms {
            *self.zh.entry(term).or_insert(0) += 1;
        }
    }

    /// Counts one paper's distinct English terms (key → as written there).
    pub(crate) fn saw_english(&mut self, terms: HashMap<String, String>) {
        self.english_papers += 1;
        for (key, written) in terms {
            *self.en.entry(key.clone()).or_insert(0) += 1;
            self.en_forms.saw(key, written);
        }
    }

    /// The terms in at least [`MIN_TERM_PAPERS`] papers and at most [`MAX_TERM_SHARE`] of
    /// `of` papers, commonest first (ties by key), at most `limit`.
    fn common(map: &HashMap<String, u32>, of: usize, limit: usize) -> Vec<(&str, u32)> {
        let most = ((of as f32 * MAX_TERM_SHARE) as u32).max(MIN_TERM_PAPERS);
        let mut terms: Vec<(&str, u32)> = map
            .iter()
            .filter(|(_, papers)| (MIN_TERM_PAPERS..=most).contains(*papers))
            .map(|(key, &papers)| (key.as_str(), papers))
            .collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        terms.truncate(limit);
        terms
    }
}

/// Where a term's vector comes from when the lexicon is learned.
pub trait TermVectors {
    /// The vectors of `texts` (unit length), `None` for a text with none (no model, or it
    /// failed).
    fn vectors(&mut self, texts: &[&str]) -> Vec<Option<Vec<f32>>>;
    /// Whether any text may get a vector: without a model or a cached vector none can, and
    /// the corpus's vocabulary need not be counted.
    fn may_give_vectors(&self) -> bool {
        true
    }
}

/// No vectors at all: the lexicon learns from brackets and parallel papers only.
pub struct NoTermVectors;

impl TermVectors for NoTermVectors {
    fn vectors(&mut self, texts: &[&str]) -> Vec<Option<Vec<f32>>> {
        vec![None; texts.len()]
    }

    fn may_give_vectors(&self) -> bool {
        false
    }
}

/// A vector stored in eight bits per dimension: `scale · value`.
#[derive(Clone)]
struct Quantised {
    scale: f32,
    values: Vec<i8>,
}

impl Quantised {
    fn of(vector: &[f32]) -> Quantised {
        let max = vector.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        Quantised { scale, values: vector.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect() }
    }

    fn to_f32(&self) -> Vec<f32> {
        self.values.iter().map(|&v| f32::from(v) * self.scale).collect()
    }
}

/// Terms' vectors in eight bits, one row after another (a term without a vector has none:
/// `rows` says which term each row is).
struct Matrix {
    /// How many terms there are, with a vector or not.
    terms: usize,
    rows: Vec<usize>,
    scales: Vec<f32>,
    values: Vec<i8>,
    dims: usize,
}

impl Matrix {
    fn of(vectors: impl Iterator<Item = Option<Vec<f32>>>) -> Matrix {
        let mut matrix = Matrix { terms: 0, rows: Vec::new(), scales: Vec::new(), values: Vec::new(), dims: 0 };
        for (term, vector) in vectors.enumerate() {
            matrix.terms = term + 1;
            let Some(vector) = vector else { continue };
            if matrix.rows.is_empty() {
                matrix.dims = vector.len();
            }
            if vector.len() != matrix.dims || vector.is_empty() {
                continue;
            }
            let q = Quantised::of(&vector);
            matrix.rows.push(term);
            matrix.scales.push(q.scale);
            matrix.values.extend(q.values);
        }
        matrix
    }

    fn row(&self, r: usize) -> &[i8] {
        &self.values[r * self.dims..(r + 1) * self.dims]
    }
}

/// A term's nearest term in the other language, and how far ahead of the nearest term that is
/// not the same words (its runner-up).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Nearest {
    /// The nearest term's index.
    index: usize,
    /// Its variant group ([`variant_groups`]).
    group: u32,
    score: f32,
    /// The highest score of a term of another group (equal to `score` on a tie; minus
    /// infinity when there is none).
    runner_up: f32,
    runner_up_group: u32,
}

impl Nearest {
    /// Keeps the best of `best` and the term `index` of `group` at `score` (ties to the smaller
    /// index), and the runner-up from another group.
    fn offer(best: &mut Option<Nearest>, score: f32, index: usize, group: u32) {
        match best {
            None => {
                *best = Some(Nearest { index, group, score, runner_up: f32::NEG_INFINITY, runner_up_group: u32::MAX })
            }
            Some(n) if score > n.score || (score == n.score && index < n.index) => {
                // A variant of the old best leaves the runner-up where it was.
                let (runner_up, runner_up_group) =
                    if group == n.group { (n.runner_up, n.runner_up_group) } else { (n.score, n.group) };
                *n = Nearest { index, group, score, runner_up, runner_up_group };
            }
            Some(n) if group != n.group && score > n.runner_up => {
                (n.runner_up, n.runner_up_group) = (score, group);
            }
            Some(_) => {}
        }
    }

    /// The best of two searches over disjoint sets of terms.
    fn merge(best: &mut Option<Nearest>, other: Option<Nearest>) {
        if let Some(other) = other {
            Nearest::offer(best, other.score, other.index, other.group);
            if other.runner_up > f32::NEG_INFINITY {
                // Its index is only needed to break ties for the best, which it is not.
                Nearest::offer(best, other.runner_up, usize::MAX, other.runner_up_group);
            }
        }
    }
}

/// A group number for each term key: terms made of the same parts in another order share
/// one. English parts are stems (`gener code`, `code gener`: the keys of `generated code` and
/// `code generation`); Chinese parts are characters, since the cut is not stable across
/// orders (代码生成 is one word to jieba, 生成代码 two). A term's variants are not its rivals:
/// that `generated code` is nearly as near 生成代码 as `code generation` says nothing against
/// the pair.
fn variant_groups<'k>(keys: impl Iterator<Item = &'k str>, parts: fn(&'k str) -> Vec<&'k str>) -> Vec<u32> {
    let mut groups: HashMap<Vec<&str>, u32> = HashMap::new();
    keys.map(|key| {
        let mut parts = parts(key);
        parts.sort_unstable();
        parts.dedup();
        let next = groups.len() as u32;
        *groups.entry(parts).or_insert(next)
    })
    .collect()
}

/// The words of an English key.
fn words(key: &str) -> Vec<&str> {
    key.split(' ').collect()
}

/// The characters of a Chinese key (words joined by a space).
fn characters(key: &str) -> Vec<&str> {
    key.char_indices().filter(|(_, c)| *c != ' ').map(|(i, c)| &key[i..i + c.len_utf8()]).collect()
}

/// For each Chinese term (by index), the English term nearest it, and for each English term
/// the Chinese term nearest it, each with its runner-up's score (`None` for a term without a
/// vector), in one pass over every pair (the pass is most of the time: about 450 million pairs on the corpus). Ties go to the
/// smaller index, so the pairs are the same on any number of cores. `zh_groups` and
/// `en_groups` are the terms' variant groups ([`variant_groups`]), by term.
fn mutual_nearest(
    zh: &Matrix,
    en: &Matrix,
    zh_groups: &[u32],
    en_groups: &[u32],
) -> (Vec<Option<Nearest>>, Vec<Option<Nearest>>) {
    /// Rows of Chinese terms one task takes.
    const BLOCK: usize = 64;
    // Each task's rows (with their index) and its best row for every column, merged as the
    // tasks finish: one column table per core at a time, not one per block.
    let merge_columns = |mut merged: Vec<Option<Nearest>>, other: Vec<Option<Nearest>>| {
        for (m, best) in merged.iter_mut().zip(other) {
            Nearest::merge(m, best);
        }
        merged
    };
    let zh_row_groups: Vec<u32> = zh.rows.iter().map(|&term| zh_groups[term]).collect();
    let en_row_groups: Vec<u32> = en.rows.iter().map(|&term| en_groups[term]).collect();
    let (rows_best, column_best) = (0..zh.rows.len().div_ceil(BLOCK))
        .into_par_iter()
        .map(|block| {
            let rows = block * BLOCK..((block + 1) * BLOCK).min(zh.rows.len());
            let mut row_best: Vec<(usize, Option<Nearest>)> = Vec::with_capacity(rows.len());
            let mut column_best: Vec<Option<Nearest>> = vec![None; en.rows.len()];
            for r in rows {
                let (z, z_scale) = (zh.row(r), zh.scales[r]);
                let mut best = None;
                for (c, column) in column_best.iter_mut().enumerate() {
                    let score = i8_dot(z, en.row(c)) as f32 * z_scale * en.scales[c];
                    Nearest::offer(&mut best, score, c, en_row_groups[c]);
                    Nearest::offer(column, score, r, zh_row_groups[r]);
                }
                row_best.push((r, best));
            }
            (row_best, column_best)
        })
        .reduce(
            || (Vec::new(), vec![None; en.rows.len()]),
            |(mut rows_a, columns_a), (rows_b, columns_b)| {
                rows_a.extend(rows_b);
                (rows_a, merge_columns(columns_a, columns_b))
            },
        );
    // From rows of the matrices to terms.
    let mut nearest_en = vec![None; zh.terms];
    for (r, best) in rows_best {
        nearest_en[zh.rows[r]] = best.map(|n| Nearest { index: en.rows[n.index], ..n });
    }
    let mut nearest_zh = vec![None; en.terms];
    for (c, best) in column_best.into_iter().enumerate() {
        nearest_zh[en.rows[c]] = best.map(|n| Nearest { index: zh.rows[n.index], ..n });
    }
    (nearest_en, nearest_zh)
}

/// The cache file's name, in the lexicon folder.
const TERM_VECTORS_FILE: &str = "term-vectors.bin";
/// Its first bytes, before the model's name.
const MAGIC: &[u8; 8] = b"PDXTV001";

/// Term vectors kept on disk between writes, made by `embedder` when it has them not.
pub struct TermVectorCache<'e> {
    path: PathBuf,
    embedder: Option<&'e dyn Embedder>,
    /// The model the cached vectors are from; vectors of another model are not used.
    model: String,
    known: HashMap<String, Quantised>,
    /// The terms asked for by this learning: only theirs are written back, so the cache holds
    /// the current vocabulary, not every term the corpus ever had.
    asked: HashSet<String>,
    changed: bool,
}

impl<'e> TermVectorCache<'e> {
    /// Opens the cache in `lexicon_dir`. A missing, unreadable or other model's cache is
    /// empty (it is only a cache); with no `embedder`, only cached vectors are given.
    pub(crate) fn open(lexicon_dir: &Path, embedder: Option<&'e dyn Embedder>) -> TermVectorCache<'e> {
        let path = lexicon_dir.join(TERM_VECTORS_FILE);
        let (model, known) = match read_cache(&path) {
            Ok(cache) => cache,
            Err(error) => {
                if path.exists() {
                    tracing::warn!(%error, "ignoring the term vector cache {}", path.display());
                }
                (String::new(), HashMap::new())
            }
        };
        let mut cache = TermVectorCache { path, embedder, model, known, asked: HashSet::new(), changed: false };
        if let Some(embedder) = embedder
            && embedder.model_name() != cache.model
        {
            cache.model = embedder.model_name().to_string();
            cache.known.clear();
        }
        cache
    }

    /// Writes the cache back, with the vectors of the terms asked for since it was opened, if
    /// it gained or lost any (atomically: a crash leaves the old one).
    pub(crate) fn save(&mut self) {
        let before = self.known.len();
        self.known.retain(|term, _| self.asked.contains(term));
        if !self.changed && self.known.len() == before {
            return;
        }
        if let Err(error) = write_cache(&self.path, &self.model, &self.known) {
            tracing::warn!(%error, "cannot write the term vector cache {}", self.path.display());
        }
    }
}

impl TermVectors for TermVectorCache<'_> {
    fn may_give_vectors(&self) -> bool {
        self.embedder.is_some() || !self.known.is_empty()
    }

    fn vectors(&mut self, texts: &[&str]) -> Vec<Option<Vec<f32>>> {
        self.asked.extend(texts.iter().map(|t| t.to_string()));
        if let Some(embedder) = self.embedder {
            let mut missing: Vec<&str> = texts.iter().copied().filter(|t| !self.known.contains_key(*t)).collect();
            missing.sort_unstable();
            missing.dedup();
            for batch in missing.chunks(EMBED_CHUNK) {
                match embedder.embed_each(batch, Role::Query) {
                    Ok(vectors) if vectors.len() == batch.len() => {
                        for (text, vector) in batch.iter().zip(vectors) {
                            self.known.insert((*text).to_string(), Quantised::of(&vector));
                        }
                        self.changed = true;
                    }
                    Ok(_) => tracing::warn!("the model returned a wrong number of term vectors"),
                    Err(error) => {
                        tracing::warn!(%error, "cannot embed terms for the lexicon; they get no embedding pair");
                        break;
                    }
                }
            }
        }
        texts.iter().map(|t| self.known.get(*t).map(Quantised::to_f32)).collect()
    }
}

fn read_cache(path: &Path) -> std::io::Result<(String, HashMap<String, Quantised>)> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut file = BufReader::new(fs::File::open(path)?);
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(bad("not a term vector cache"));
    }
    let mut u32_at = || -> std::io::Result<u32> {
        let mut b = [0u8; 4];
        file.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    };
    let (model_len, dims, count) = (u32_at()? as usize, u32_at()? as usize, u32_at()? as usize);
    if model_len > 1024 || dims > 8192 {
        return Err(bad("implausible header"));
    }
    let mut model = vec![0u8; model_len];
    file.read_exact(&mut model)?;
    let model = String::from_utf8(model).map_err(|_| bad("model name is not UTF-8"))?;
    let mut known = HashMap::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let mut b = [0u8; 4];
        file.read_exact(&mut b)?;
        let len = u32::from_le_bytes(b) as usize;
        if len > 4096 {
            return Err(bad("implausible term length"));
        }
        let mut term = vec![0u8; len];
        file.read_exact(&mut term)?;
        file.read_exact(&mut b)?;
        let scale = f32::from_le_bytes(b);
        let mut values = vec![0u8; dims];
        file.read_exact(&mut values)?;
        let term = String::from_utf8(term).map_err(|_| bad("term is not UTF-8"))?;
        known.insert(term, Quantised { scale, values: values.into_iter().map(|v| v as i8).collect() });
    }
    Ok((model, known))
}

fn write_cache(path: &Path, model: &str, known: &HashMap<String, Quantised>) -> std::io::Result<()> {
    let dims = known.values().next().map_or(0, |q| q.values.len());
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension("tmp");
    {
        let mut file = BufWriter::new(fs::File::create(&temporary)?);
        file.write_all(MAGIC)?;
        for n in [model.len(), dims, known.len()] {
            file.write_all(&(n as u32).to_le_bytes())?;
        }
        file.write_all(model.as_bytes())?;
        let mut terms: Vec<(&String, &Quantised)> = known.iter().filter(|(_, q)| q.values.len() == dims).collect();
        terms.sort_by(|a, b| a.0.cmp(b.0));
        for (term, q) in terms {
            file.write_all(&(term.len() as u32).to_le_bytes())?;
            file.write_all(term.as_bytes())?;
            file.write_all(&q.scale.to_le_bytes())?;
            file.write_all(&q.values.iter().map(|&v| v as u8).collect::<Vec<u8>>())?;
        }
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    fs::rename(&temporary, path)
}

/// The pairs this source adds: for each common Chinese term not in `translated` (keys of
/// terms the other sources translate, words joined without spaces), its mutual nearest
/// English neighbour.
pub(crate) fn neighbour_entries(
    vocabulary: &Vocabulary,
    translated: &HashSet<String>,
    vectors: &mut dyn TermVectors,
) -> Vec<LexiconEntry> {
    let started = std::time::Instant::now();
    let zh = Vocabulary::common(&vocabulary.zh, vocabulary.chinese_papers, MAX_ZH_TERMS);
    let en = Vocabulary::common(&vocabulary.en, vocabulary.english_papers, MAX_EN_TERMS);
    if zh.is_empty() || en.is_empty() {
        return Vec::new();
    }
    let en_written: Vec<String> =
        en.iter().map(|(key, _)| vocabulary.en_forms.most_common(key).unwrap_or_else(|| key.to_string())).collect();
    let zh_texts: Vec<String> = zh.iter().map(|(key, _)| key.replace(' ', "")).collect();
    let en_texts: Vec<&str> = en_written.iter().map(String::as_str).collect();
    // Both sides in one request: one pass of the model over what the cache lacks.
    let all: Vec<&str> = zh_texts.iter().map(String::as_str).chain(en_texts.iter().copied()).collect();
    let mut all_vectors = vectors.vectors(&all).into_iter();
    let zh_vectors = Matrix::of(all_vectors.by_ref().take(zh.len()));
    let en_vectors = Matrix::of(all_vectors);
    let embedded = started.elapsed().as_secs_f64();
    let zh_groups = variant_groups(zh.iter().map(|(key, _)| *key), characters);
    let en_groups = variant_groups(en.iter().map(|(key, _)| *key), words);
    let (nearest_en, nearest_zh) = mutual_nearest(&zh_vectors, &en_vectors, &zh_groups, &en_groups);
    let mut out = Vec::new();
    for (i, &(key, papers)) in zh.iter().enumerate() {
        let Some(to_en) = nearest_en[i] else { continue };
        let j = to_en.index;
        let Some(to_zh) = nearest_zh[j] else { continue };
        // Mutual, and clearly ahead of any other words on both sides: a near tie is as often a
        // wrong pair as a right one, and would flip with the last bits of a vector.
        let margin = to_en.score - to_en.runner_up.max(to_zh.runner_up);
        if to_zh.index != i || margin < MIN_MARGIN || translated.contains(&zh_texts[i]) {
            continue;
        }
        let (en_key, written) = (en[j].0, &en_written[j]);
        out.push(LexiconEntry {
            zh: zh_texts[i].clone(),
            en: written.clone(),
            zh_terms: key.split(' ').map(str::to_string).collect(),
            en_terms: en_key.split(' ').map(str::to_string).collect(),
            weight: NEIGHBOUR_WEIGHT,
            source: LexiconSource::Embedding,
            count: papers,
        });
    }
    tracing::debug!(
        embedded,
        seconds = started.elapsed().as_secs_f64(),
        zh = zh.len(),
        en = en.len(),
        pairs = out.len(),
        "embedding neighbours"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors by text, as the test lays them out; other texts have none.
    struct Laid(HashMap<&'static str, Vec<f32>>);

    impl TermVectors for Laid {
        fn vectors(&mut self, texts: &[&str]) -> Vec<Option<Vec<f32>>> {
            texts.iter().map(|t| self.0.get(t).cloned()).collect()
        }
    }

    /// A unit vector along `axes` with the given weights (16 dimensions).
    fn along(axes: &[(usize, f32)]) -> Vec<f32> {
        let mut v = vec![0.0f32; 16];
        for &(axis, weight) in axes {
            v[axis] = weight;
        }
        paperdex_embed::normalize(&mut v);
        v
    }

    fn vocabulary(zh: &[(&str, u32)], en: &[(&str, &str, u32)], papers: usize) -> Vocabulary {
        Vocabulary {
            zh: zh.iter().map(|&(k, n)| (k.to_string(), n)).collect(),
            en: en.iter().map(|&(k, _, n)| (k.to_string(), n)).collect(),
            en_forms: {
                let mut forms = SurfaceForms::default();
                en.iter().for_each(|&(k, w, _)| forms.saw(k.to_string(), w.to_string()));
                forms
            },
            english_papers: papers,
            chinese_papers: papers,
        }
    }

    fn pairs(entries: &[LexiconEntry]) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = entries.iter().map(|e| (e.zh.clone(), e.en.clone())).collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn a_chinese_term_nobody_translates_gets_the_english_term_that_has_it_nearest_too() {
        let vocabulary = vocabulary(
            &[("小 模型", 23), ("大 模型", 40), ("超长", 13), ("幻觉", 88), ("能力", 600)],
            &[
                ("small model", "small models", 30),
                ("larg model", "large models", 70),
                ("model", "model", 90),
                ("hallucin", "hallucination", 80),
                ("abl", "able", 50),
            ],
            1_000,
        );
        let mut vectors = Laid(HashMap::from([
            ("小模型", along(&[(0, 1.0)])),
            ("small models", along(&[(0, 0.95), (2, 0.3)])),
            ("大模型", along(&[(1, 1.0)])),
            ("large models", along(&[(1, 0.95), (3, 0.3)])),
            // A hub: near both compounds, nearest to neither.
            ("model", along(&[(0, 1.0), (1, 1.0)])),
            // Nearest to `small models`, which has 小模型 nearer: no pair.
            ("超长", along(&[(0, 0.9), (4, 0.45)])),
            // Translated by the corpus already: the model is not asked.
            ("幻觉", along(&[(5, 1.0)])),
            ("hallucination", along(&[(5, 1.0)])),
            // In 60% of the papers: boilerplate, never paired.
            ("能力", along(&[(6, 1.0)])),
            ("able", along(&[(6, 1.0)])),
        ]));
        let translated = HashSet::from(["幻觉".to_string()]);
        let entries = neighbour_entries(&vocabulary, &translated, &mut vectors);
        assert_eq!(
            pairs(&entries),
            vec![("大模型".into(), "large models".into()), ("小模型".into(), "small models".into())]
        );
        let small = entries.iter().find(|e| e.zh == "小模型").expect("小模型");
        assert_eq!(small.zh_terms, ["小", "模型"]);
        assert_eq!(small.en_terms, ["small", "model"]);
        assert_eq!((small.source, small.count), (LexiconSource::Embedding, 23));
    }

    #[test]
    fn the_nearest_terms_are_those_a_plain_search_finds_on_any_number_of_cores() {
        let mut rng = fastrand::Rng::with_seed(5);
        // Few distinct values, so that ties happen and must go to the smaller index.
        let mut random = |n: usize| -> Vec<Option<Vec<f32>>> {
            (0..n).map(|i| (i % 7 != 3).then(|| (0..16).map(|_| f32::from(rng.i8(-2..=2))).collect())).collect()
        };
        let (zh, en) = (Matrix::of(random(150).into_iter()), Matrix::of(random(90).into_iter()));
        let score = |r: usize, c: usize| i8_dot(zh.row(r), en.row(c)) as f32 * zh.scales[r] * en.scales[c];
        // Few groups, so that a term's variants are often near it.
        let zh_groups: Vec<u32> = (0..150).map(|_| rng.u32(0..40)).collect();
        let en_groups: Vec<u32> = (0..90).map(|_| rng.u32(0..30)).collect();
        // The first of the highest scores and the highest of another group (a tie's is the
        // same), by a plain search.
        let plain = |scores: Vec<f32>, terms: &[usize], groups: &[u32]| {
            let top = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let best = scores.iter().position(|&s| s == top)?;
            let group = groups[terms[best]];
            let (runner_up, runner_up_group) = (0..scores.len())
                .filter(|&i| groups[terms[i]] != group)
                .map(|i| (scores[i], groups[terms[i]]))
                .fold((f32::NEG_INFINITY, u32::MAX), |a, b| if b.0 > a.0 { b } else { a });
            Some(Nearest { index: terms[best], group, score: top, runner_up, runner_up_group })
        };
        let mut plain_en = vec![None; 150];
        for r in 0..zh.rows.len() {
            plain_en[zh.rows[r]] = plain((0..en.rows.len()).map(|c| score(r, c)).collect(), &en.rows, &en_groups);
        }
        let mut plain_zh = vec![None; 90];
        for c in 0..en.rows.len() {
            plain_zh[en.rows[c]] = plain((0..zh.rows.len()).map(|r| score(r, c)).collect(), &zh.rows, &zh_groups);
        }
        assert!(plain_en.iter().flatten().any(|n| n.score == n.runner_up), "the test has ties across groups");
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let (nearest_en, nearest_zh) = pool.install(|| mutual_nearest(&zh, &en, &zh_groups, &en_groups));
            // The runner-up's group is whichever tied first: only its score is compared.
            let scores = |list: &[Option<Nearest>]| -> Vec<Option<(usize, u32, f32, f32)>> {
                list.iter().map(|n| n.map(|n| (n.index, n.group, n.score, n.runner_up))).collect()
            };
            assert_eq!(scores(&nearest_en), scores(&plain_en), "{threads} threads");
            assert_eq!(scores(&nearest_zh), scores(&plain_zh), "{threads} threads");
        }
    }

    #[test]
    fn a_pair_barely_nearer_than_other_words_is_left_out_but_not_for_its_own_variants() {
        // 评测 ("evaluation") sits as near `review` as `evaluation`: a coin toss, not a pair.
        // 生成代码 sits as near `generated code` as `code generation`, the same words: a pair.
        // 小模型 is clearly nearest `small models`, from both sides.
        let vocabulary = vocabulary(
            &[("评测", 30), ("生成 代码", 12), ("代码生成", 40), ("小 模型", 23)],
            &[
                ("review", "review", 40),
                ("evalu", "evaluation", 60),
                ("gener code", "generated code", 20),
                ("code gener", "code generation", 50),
                ("small model", "small models", 30),
            ],
            1_000,
        );
        let mut vectors = Laid(HashMap::from([
            ("评测", along(&[(0, 1.0)])),
            ("review", along(&[(0, 0.9), (1, 0.4358)])),
            ("evaluation", along(&[(0, 0.8995), (2, 0.4369)])),
            ("生成代码", along(&[(5, 1.0)])),
            // 代码生成, the same characters, nearly as near `generated code`: no rival either.
            ("代码生成", along(&[(5, 0.8995), (8, 0.4369)])),
            ("generated code", along(&[(5, 0.9), (6, 0.4358)])),
            ("code generation", along(&[(5, 0.8995), (7, 0.4369)])),
            ("小模型", along(&[(3, 1.0)])),
            ("small models", along(&[(3, 0.95), (4, 0.3122)])),
        ]));
        let entries = neighbour_entries(&vocabulary, &HashSet::new(), &mut vectors);
        assert_eq!(
            pairs(&entries),
            vec![("小模型".into(), "small models".into()), ("生成代码".into(), "generated code".into())]
        );
    }

    #[test]
    fn without_vectors_the_model_adds_no_pair() {
        let vocabulary = vocabulary(&[("小 模型", 23)], &[("small model", "small models", 30)], 1_000);
        assert!(neighbour_entries(&vocabulary, &HashSet::new(), &mut NoTermVectors).is_empty());
    }

    /// A model that counts the texts it embeds.
    struct Counting {
        name: &'static str,
        embedded: std::sync::atomic::AtomicUsize,
    }

    impl Embedder for Counting {
        fn model_name(&self) -> &str {
            self.name
        }

        fn dimensions(&self) -> usize {
            16
        }

        fn embed(&self, texts: &[&str], _role: Role) -> Result<Vec<Vec<f32>>, paperdex_embed::EmbedError> {
            self.embedded.fetch_add(texts.len(), std::sync::atomic::Ordering::SeqCst);
            Ok(texts.iter().map(|t| along(&[(t.len() % 16, 1.0), ((t.len() + 3) % 16, 0.5)])).collect())
        }
    }

    #[test]
    fn each_term_is_embedded_once_and_a_write_without_the_model_uses_the_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Neither a model nor a cached vector: no term can get a vector.
        assert!(!TermVectorCache::open(dir.path(), None).may_give_vectors());
        let model = Counting { name: "m1", embedded: Default::default() };
        let embedded = || model.embedded.load(std::sync::atomic::Ordering::SeqCst);
        let mut cache = TermVectorCache::open(dir.path(), Some(&model));
        assert!(cache.may_give_vectors());
        let first = cache.vectors(&["小模型", "small model"]);
        assert_eq!(embedded(), 2);
        cache.save();

        let mut cache = TermVectorCache::open(dir.path(), Some(&model));
        let again = cache.vectors(&["small model", "小模型", "长文本"]);
        assert_eq!(embedded(), 3, "only the new term reaches the model");
        assert_eq!(again[..2], [first[1].clone(), first[0].clone()]);
        cache.save();

        let mut offline = TermVectorCache::open(dir.path(), None);
        assert!(offline.may_give_vectors(), "the cache has vectors");
        let cached = offline.vectors(&["长文本", "never seen"]);
        assert!(cached[0].is_some() && cached[1].is_none());
        // Terms no longer in the vocabulary leave the cache when it is written back.
        offline.save();
        let mut reopened = TermVectorCache::open(dir.path(), None);
        assert_eq!(reopened.vectors(&["小模型"]), vec![None]);
        assert!(reopened.vectors(&["长文本"])[0].is_some());

        // Another model's vectors are not mixed in: everything is embedded again.
        let other = Counting { name: "m2", embedded: Default::default() };
        let mut cache = TermVectorCache::open(dir.path(), Some(&other));
        cache.vectors(&["小模型", "small model"]);
        assert_eq!(other.embedded.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn a_damaged_cache_is_ignored_not_trusted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let model = Counting { name: "m1", embedded: Default::default() };
        let mut cache = TermVectorCache::open(dir.path(), Some(&model));
        cache.vectors(&["小模型", "small model"]);
        cache.save();
        let path = dir.path().join(TERM_VECTORS_FILE);
        let bytes = fs::read(&path).expect("cache");
        for cut in [0, 5, 20, bytes.len() / 2, bytes.len() - 1] {
            fs::write(&path, &bytes[..cut]).expect("write");
            let mut offline = TermVectorCache::open(dir.path(), None);
            assert_eq!(offline.vectors(&["小模型"]), vec![None], "cut at {cut}");
        }
    }
}
