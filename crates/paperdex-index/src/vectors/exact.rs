//! [`ExactSearch`]: brute-force nearest neighbours, the oracle for HNSW.

use paperdex_core::Lang;

use super::{LANGS, NearestNeighbours, VectorSet, best_first, lang_slot, prepare_query, similarity};

/// The live vectors of one language, packed end to end.
#[derive(Debug, Default, Clone)]
struct LangVectors {
    ids: Vec<u32>,
    /// `ids.len() * dims` floats.
    vectors: Vec<f32>,
}

/// Exact nearest neighbours: the dot product of the query with every live vector of the
/// language, then a partial selection of the best `k`.
///
/// A snapshot of the set's live chunks at [`ExactSearch::build`] time: build a new one after
/// pushing or deleting (it is a copy of the vectors, milliseconds for tens of thousands).
#[derive(Debug, Clone)]
pub struct ExactSearch {
    dims: usize,
    langs: [LangVectors; 2],
}

impl ExactSearch {
    /// Copies the live chunks of `set` into one contiguous array per language.
    pub fn build(set: &VectorSet) -> ExactSearch {
        let mut langs: [LangVectors; 2] = Default::default();
        for chunk in set.iter_live() {
            let slot = &mut langs[lang_slot(chunk.lang)];
            slot.ids.push(chunk.id);
            slot.vectors.extend_from_slice(chunk.vector);
        }
        ExactSearch { dims: set.dims(), langs }
    }

    /// The number of searchable chunks of `lang`.
    pub fn len(&self, lang: Lang) -> usize {
        self.langs[lang_slot(lang)].ids.len()
    }

    /// Whether there is nothing to search in any language.
    pub fn is_empty(&self) -> bool {
        LANGS.iter().all(|&lang| self.len(lang) == 0)
    }
}

impl NearestNeighbours for ExactSearch {
    fn search(&self, query: &[f32], k: usize, lang: Lang) -> Vec<(u32, f32)> {
        let slot = &self.langs[lang_slot(lang)];
        if k == 0 || slot.ids.is_empty() {
            return Vec::new();
        }
        let Some(query) = prepare_query(query, self.dims) else { return Vec::new() };
        let mut scored: Vec<(u32, f32)> = slot
            .ids
            .iter()
            .zip(slot.vectors.chunks_exact(self.dims))
            .map(|(&id, vector)| (id, similarity(&query, vector)))
            .collect();
        if k < scored.len() {
            scored.select_nth_unstable_by(k - 1, best_first);
            scored.truncate(k);
        }
        scored.sort_unstable_by(best_first);
        scored
    }
}
