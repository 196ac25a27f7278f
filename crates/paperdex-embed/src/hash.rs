//! A deterministic embedder for tests: every word (or Han character pair) adds a pseudo-random
//! direction, so texts that share words are close. No model, no I/O, instant.

use crate::{EmbedError, Embedder, Role, normalize};

/// Hashes words into a fixed number of dimensions. Equal texts give equal vectors, texts with
/// shared words give nearby ones; meaning is not understood.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    dimensions: usize,
}

impl HashEmbedder {
    /// An embedder of `dimensions` dimensions.
    pub fn new(dimensions: usize) -> HashEmbedder {
        HashEmbedder { dimensions: dimensions.max(1) }
    }

    fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut vector = vec![0.0f32; self.dimensions];
        let lower = text.to_lowercase();
        let mut add = |unit: &str| {
            let hash = fnv1a(unit.as_bytes());
            let slot = (hash % self.dimensions as u64) as usize;
            vector[slot] += if hash >> 63 == 0 { 1.0 } else { -1.0 };
        };
        for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let chars: Vec<char> = word.chars().collect();
            if chars.iter().any(|&c| paperdex_core::is_han(c)) {
                for pair in chars.windows(2) {
                    add(&pair.iter().collect::<String>());
                }
            } else {
                add(word);
            }
        }
        normalize(&mut vector);
        vector
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

impl Embedder for HashEmbedder {
    fn model_name(&self) -> &str {
        "hash"
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn embed(&self, texts: &[&str], _role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn shared_words_make_vectors_close_and_equal_texts_equal() {
        let e = HashEmbedder::new(64);
        let v = e
            .embed(&["kv cache quantization", "KV cache quantization!", "protein folding"], Role::Passage)
            .expect("hash embedding cannot fail");
        assert!((cosine(&v[0], &v[1]) - 1.0).abs() < 1e-5);
        assert!(cosine(&v[0], &v[2]) < 0.5);
        assert!((cosine(&v[2], &v[2]) - 1.0).abs() < 1e-5);
    }
}
