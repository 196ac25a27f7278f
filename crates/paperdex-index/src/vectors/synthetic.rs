//! Synthetic embeddings for tests and benches, shaped like real ones rather than uniform noise.
//!
//! Real sentence embeddings are anisotropic (everything shares a common direction), grouped by
//! topic and subtopic, and vary along a few dozen directions per topic rather than all of them.
//! [`Corpus`] mimics that: a shared direction, topics around it, subtopics around each topic,
//! and points around a subtopic along a low-rank basis of the topic plus a little isotropic
//! noise. Deterministic for a seed.
//!
//! Self-contained (no crate imports) so the `hnsw` bench can include it with `#[path]`.

#![allow(dead_code)]

/// SplitMix64: tiny, fast, good enough for test data.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f32 {
        let (u, v) = (self.unit(), self.unit());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }

    /// A random unit vector.
    pub fn direction(&mut self, dims: usize) -> Vec<f32> {
        let v: Vec<f32> = (0..dims).map(|_| self.normal()).collect();
        normalised(v)
    }
}

/// `v / |v|`.
pub fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// `a + scale * b`, in place.
fn add_scaled(a: &mut [f32], scale: f32, b: &[f32]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += scale * y);
}

struct Topic {
    /// Directions along which its points vary.
    basis: Vec<Vec<f32>>,
    subtopics: Vec<Vec<f32>>,
}

/// A distribution of embeddings: sample as many points (chunks, queries) from it as needed.
pub struct Corpus {
    dims: usize,
    topics: Vec<Topic>,
    noise: f32,
    spread: f32,
    rng: Rng,
}

/// Directions a topic's points vary along.
const TOPIC_RANK: usize = 48;
/// Subtopics per topic.
const SUBTOPICS: usize = 8;

impl Corpus {
    /// `topics` topics of `dims`-dimensional embeddings.
    pub fn new(dims: usize, topics: usize, seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let shared = rng.direction(dims);
        let topics = (0..topics)
            .map(|_| {
                let mut centre = rng.direction(dims);
                add_scaled(&mut centre, 0.6, &shared);
                let centre = normalised(centre);
                let basis: Vec<Vec<f32>> = (0..TOPIC_RANK).map(|_| rng.direction(dims)).collect();
                let subtopics = (0..SUBTOPICS)
                    .map(|_| {
                        let mut sub = centre.clone();
                        for direction in &basis {
                            add_scaled(&mut sub, 0.9 * rng.normal() / (TOPIC_RANK as f32).sqrt(), direction);
                        }
                        normalised(sub)
                    })
                    .collect();
                Topic { basis, subtopics }
            })
            .collect();
        Corpus { dims, topics, noise: 0.25, spread: 0.7, rng }
    }

    /// Sets the length of the isotropic noise added to every point (default 0.25). More noise
    /// spreads points over more dimensions, which makes neighbours harder for HNSW to find.
    pub fn with_noise(mut self, noise: f32) -> Corpus {
        self.noise = noise;
        self
    }

    /// Sets how far points stray from their subtopic along their topic's directions (default
    /// 0.7). More spread makes clusters overlap.
    pub fn with_spread(mut self, spread: f32) -> Corpus {
        self.spread = spread;
        self
    }

    /// One embedding: a random subtopic plus variation along its topic's directions and a
    /// little noise in all of them. L2-normalised.
    pub fn sample(&mut self) -> Vec<f32> {
        let topic = &self.topics[self.rng.below(self.topics.len())];
        let mut v = topic.subtopics[self.rng.below(SUBTOPICS)].clone();
        for direction in &topic.basis {
            add_scaled(&mut v, self.spread * self.rng.normal() / (TOPIC_RANK as f32).sqrt(), direction);
        }
        let noise = self.noise / (self.dims as f32).sqrt();
        for x in v.iter_mut() {
            *x += noise * self.rng.normal();
        }
        normalised(v)
    }

    /// `n` embeddings.
    pub fn sample_many(&mut self, n: usize) -> Vec<Vec<f32>> {
        (0..n).map(|_| self.sample()).collect()
    }

    /// A random number below `n`, from the corpus' generator.
    pub fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }
}
