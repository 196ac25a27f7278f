//! [`QuantizedScan`]: the full scan searches make below
//! [`crate::generation::FULL_SCAN_THRESHOLD`], reading one byte per dimension.
//!
//! A scan reads every vector of a language: 34 MB of `f32` per query over the corpus's 21,948
//! passages, and memory, not arithmetic, sets its pace (it was a sixth of a hybrid answer's CPU
//! time in `serve`). This scan reads int8 codes instead (a quarter of the bytes), keeps the best
//! `k` plus a margin by that approximate score, and scores those again from the set's own `f32`
//! vectors with the same function as [`super::ExactSearch`], so the scores, the order and the
//! ties are the exact search's. The margin is what makes the two lists equal: a passage of the
//! exact top `k` is lost only if its approximate score falls below those of `k + margin` other
//! passages; an int8 code moves a unit vector's dot product by about 0.003, while the
//! neighbours a search asks for (300) span about 0.1 of similarity.

use paperdex_core::Lang;

use super::{VectorSet, best_first, lang_slot, prepare_query, similarity};

/// Candidates kept beyond `k` by the approximate score: `k` again, plus this many.
const MARGIN: usize = 64;

/// The live vectors of one language as int8 codes: `value ≈ code × scale`.
#[derive(Debug, Default, Clone)]
struct Codes {
    ids: Vec<u32>,
    /// `ids.len() * dims` codes.
    codes: Vec<i8>,
    /// One scale per vector.
    scales: Vec<f32>,
}

/// A full scan over int8 copies of a [`VectorSet`]'s live vectors, rescored exactly.
///
/// A snapshot of the set's live chunks at [`QuantizedScan::build`] time, like
/// [`super::ExactSearch`].
#[derive(Debug, Clone)]
pub struct QuantizedScan {
    dims: usize,
    langs: [Codes; 2],
}

impl QuantizedScan {
    /// Quantises the live chunks of `set`, one array per language.
    pub fn build(set: &VectorSet) -> QuantizedScan {
        let mut langs: [Codes; 2] = Default::default();
        for chunk in set.iter_live() {
            let slot = &mut langs[lang_slot(chunk.lang)];
            slot.ids.push(chunk.id);
            slot.scales.push(quantize_into(chunk.vector, &mut slot.codes));
        }
        QuantizedScan { dims: set.dims(), langs }
    }

    /// The `k` live chunks of `lang` in `set` most similar to `query`, best first: the same
    /// list as [`super::ExactSearch`] over the set this scan was built from.
    pub fn search(&self, set: &VectorSet, query: &[f32], k: usize, lang: Lang) -> Vec<(u32, f32)> {
        let slot = &self.langs[lang_slot(lang)];
        if k == 0 || slot.ids.is_empty() {
            return Vec::new();
        }
        let Some(query) = prepare_query(query, self.dims) else { return Vec::new() };
        let mut query_codes = Vec::with_capacity(self.dims);
        quantize_into(&query, &mut query_codes);
        // The query's own scale is the same for every vector: it is left out of the order.
        let mut approximate: Vec<(u32, f32)> = slot
            .ids
            .iter()
            .zip(slot.codes.chunks_exact(self.dims))
            .zip(&slot.scales)
            .map(|((&id, codes), &scale)| (id, dot_i8(&query_codes, codes) as f32 * scale))
            .collect();
        let keep = k.saturating_mul(2).saturating_add(MARGIN);
        if keep < approximate.len() {
            approximate.select_nth_unstable_by(keep - 1, best_first);
            approximate.truncate(keep);
        }
        let mut scored: Vec<(u32, f32)> = approximate
            .into_iter()
            .filter_map(|(id, _)| set.get(id).map(|chunk| (id, similarity(&query, chunk.vector))))
            .collect();
        if k < scored.len() {
            scored.select_nth_unstable_by(k - 1, best_first);
            scored.truncate(k);
        }
        scored.sort_unstable_by(best_first);
        scored
    }
}

/// Appends `vector`'s int8 codes to `codes` and returns their scale (the largest magnitude maps
/// to ±127; a zero vector has scale 0 and zero codes).
fn quantize_into(vector: &[f32], codes: &mut Vec<i8>) -> f32 {
    let largest = vector.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if largest == 0.0 || !largest.is_finite() {
        codes.extend(std::iter::repeat_n(0, vector.len()));
        return 0.0;
    }
    let scale = largest / 127.0;
    codes.extend(vector.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8));
    scale
}

/// The dot product of two code vectors, with sixteen independent accumulators so the compiler
/// vectorises it (as `super::dot`).
#[inline]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0i32; 16];
    let mut blocks_a = a.chunks_exact(16);
    let mut blocks_b = b.chunks_exact(16);
    for (x, y) in (&mut blocks_a).zip(&mut blocks_b) {
        for i in 0..16 {
            acc[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    let tail: i32 = blocks_a.remainder().iter().zip(blocks_b.remainder()).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
    acc.iter().sum::<i32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::synthetic::Corpus;
    use crate::vectors::{ExactSearch, NearestNeighbours};

    /// Clustered unit vectors (topics sharing a direction), so neighbours crowd together as
    /// e5's do.
    fn crowded_set(n: usize, dims: usize) -> VectorSet {
        let mut corpus = Corpus::new(dims, 12, 7);
        let mut set = VectorSet::new("test", dims);
        for i in 0..n {
            let lang = if i % 3 == 0 { Lang::Zh } else { Lang::En };
            set.push(&format!("p{}", i / 2), lang, &corpus.sample()).expect("push");
        }
        set
    }

    #[test]
    fn the_quantized_scan_returns_the_exact_searchs_list() {
        let set = crowded_set(6_000, 384);
        let (scan, exact) = (QuantizedScan::build(&set), ExactSearch::build(&set));
        for (i, lang) in [(0u32, Lang::En), (1, Lang::Zh), (7, Lang::En), (4_000, Lang::Zh), (5_999, Lang::En)] {
            let query = set.get(i).expect("chunk").vector.to_vec();
            for k in [1, 10, 300] {
                assert_eq!(scan.search(&set, &query, k, lang), exact.search(&query, k, lang), "query {i}, k {k}");
            }
        }
    }

    #[test]
    fn zero_and_malformed_queries_match_nothing() {
        let set = crowded_set(100, 16);
        let scan = QuantizedScan::build(&set);
        assert!(scan.search(&set, &[0.0; 16], 5, Lang::En).is_empty());
        assert!(scan.search(&set, &[1.0; 3], 5, Lang::En).is_empty());
        assert!(scan.search(&set, &[1.0; 16], 0, Lang::En).is_empty());
    }
}
