//! The graph walk's hot spots, made to use what the processor has.
//!
//! At 2M passages the walk is bound by memory, not arithmetic: the codes of the nodes it scores
//! (691 MB for 1.8M English passages) are far from every cache, and scoring a node meant
//! waiting for its six cache lines, then for the next node's. Two remedies:
//!
//! - [`prefetch`]: ask for the lines of every neighbour about to be scored (and for the links
//!   of the node expanded next) before scoring any, so the waits overlap;
//! - [`codes_dot`]: the query as 16-bit integer weights against a node's 8-bit codes, summed
//!   in 32-bit integers, with AVX2 when the processor has it (detected at run time; the build
//!   targets plain x86-64). Sixteen codes widen to 16-bit lanes and one multiply-add makes
//!   eight sums of two products: twice the pace of converting every code to a float and
//!   multiplying in `f32` (PERFORMANCE.md, "Session 20"). Integer sums are exact, so every
//!   kernel gives the same answer bit for bit. The full scan of small sets
//!   ([`super::CompactGraph::scan`]) uses it on every node too.
//!
//! Together (with the `f32` kernel this one replaced), on the scale bench's 2M-passage graph
//! (the old and new binaries alternating in one run): ef 1,024 p50 4.1–4.3 ms → 2.8 ms, recall
//! unchanged (PERFORMANCE.md, "Vectors that fit").
//!
//! The `unsafe` of this crate lives here, and nowhere else: the intrinsic behind
//! [`prefetch`] takes a raw pointer, and calling a function compiled for AVX2 is only sound
//! once the processor is known to have it (AVX2 here, and AVX-512 VNNI for the
//! lexicon's [`i8_dot`]).

/// Hints the processor to bring the memory of `values` into the cache. Never faults, never
/// changes a result: a no-op where there is no such hint.
#[inline]
pub(crate) fn prefetch<T>(values: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = values.as_ptr().cast::<i8>();
        for offset in (0..std::mem::size_of_val(values)).step_by(64) {
            // SAFETY: a prefetch is a hint that never faults (and the address is inside
            // `values` anyway); SSE, which the intrinsic needs, is part of every x86-64.
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}

/// `Σ weights[i] × codes[i]` over the shorter of the two, exact: a query's weights (see
/// `compact::Quantizer::prepare`) against a node's 8-bit codes. The sum must fit an `i32`
/// (`255 × Σ |weights[i]| ≤ i32::MAX`, which `prepare` ensures); past that it wraps, the same
/// way in every kernel.
#[inline]
pub(crate) fn codes_dot(weights: &[i16], codes: &[u8]) -> i32 {
    let n = weights.len().min(codes.len());
    let (weights, codes) = (&weights[..n], &codes[..n]);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above; std caches the check), and the
        // two slices have the same length.
        #[allow(unsafe_code)]
        return unsafe { codes_dot_avx2(weights, codes) };
    }
    codes_dot_portable(weights, codes)
}

/// The portable kernel: products of an `i16` and a `u8` fit an `i32`.
#[inline]
fn codes_dot_portable(weights: &[i16], codes: &[u8]) -> i32 {
    weights.iter().zip(codes).fold(0i32, |sum, (&w, &c)| sum.wrapping_add(i32::from(w) * i32::from(c)))
}

/// Sixteen codes at a time: widened to 16-bit lanes (`vpmovzxbw`), multiplied by the weights
/// and added in pairs into eight `i32` lanes (`vpmaddwd`: 255 × 32,767 × 2 fits), two
/// accumulators so consecutive blocks do not wait for each other. The compiler does not find
/// this on its own: the same loop written plainly ran no faster than the `f32` one.
///
/// # Safety
/// The processor must have AVX2, and `weights` and `codes` must have the same length.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn codes_dot_avx2(weights: &[i16], codes: &[u8]) -> i32 {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm_loadu_si128, _mm256_add_epi32, _mm256_cvtepu8_epi16, _mm256_loadu_si256,
        _mm256_madd_epi16, _mm256_setzero_si256, _mm256_storeu_si256,
    };
    debug_assert_eq!(weights.len(), codes.len());
    let blocks = codes.len() / 16;
    let mut sums = [_mm256_setzero_si256(), _mm256_setzero_si256()];
    for block in 0..blocks {
        let at = block * 16;
        // SAFETY: `at + 16 <= len` for both slices (same length); unaligned loads.
        let (c, w) = unsafe {
            (
                _mm_loadu_si128(codes.as_ptr().add(at).cast::<__m128i>()),
                _mm256_loadu_si256(weights.as_ptr().add(at).cast::<__m256i>()),
            )
        };
        let products = _mm256_madd_epi16(_mm256_cvtepu8_epi16(c), w);
        sums[block % 2] = _mm256_add_epi32(sums[block % 2], products);
    }
    let mut lanes = [0i32; 8];
    // SAFETY: `lanes` is 32 bytes; unaligned store.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast::<__m256i>(), _mm256_add_epi32(sums[0], sums[1])) };
    let tail = codes_dot_portable(&weights[blocks * 16..], &codes[blocks * 16..]);
    lanes.iter().fold(tail, |sum, &lane| sum.wrapping_add(lane))
}

/// `Σ a[i] × b[i]` of two eight-bit vectors (the lexicon's term vectors, see
/// [`crate::neighbours`]), exact: with AVX-512 VNNI or AVX2 when the processor has them (VNNI:
/// the neighbour pass 1.5–2.1x faster, PERFORMANCE.md "Session 28").
#[inline]
pub(crate) fn i8_dot(a: &[i8], b: &[i8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    if has_avx512_vnni() {
        // SAFETY: the processor has AVX-512 F, BW and VNNI (checked just above; std caches it).
        #[allow(unsafe_code)]
        return unsafe { i8_dot_vnni(a, b) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above; std caches the check).
        #[allow(unsafe_code)]
        return unsafe { i8_dot_avx2(a, b) };
    }
    i8_sum_products(a, b)
}

/// The same loop compiled for AVX2 (sixteen 16-bit products a multiply-add).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn i8_dot_avx2(a: &[i8], b: &[i8]) -> i32 {
    i8_sum_products(a, b)
}

/// Whether [`i8_dot_vnni`] may run: the processor has every feature it is compiled for.
#[cfg(target_arch = "x86_64")]
fn has_avx512_vnni() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vnni")
}

/// Sixty-four products a step with AVX-512 VNNI (`vpdpbusd`: unsigned bytes times signed
/// bytes, summed by fours into `i32` lanes, never saturating). `a` is made unsigned by adding
/// 128 to every byte (a flip of its top bit), so each step sums `(a + 128) × b`, and 128 × Σ b
/// (summed alongside, against bytes of 1) is taken off at the end: exact, like every kernel
/// (|Σ| ≤ 255 × 128 per byte pair fits an `i32` for any vector up to 65,000 bytes). The
/// lexicon's neighbour pass compares about 450 million pairs of 384 bytes this way.
///
/// # Safety
/// The processor must have AVX-512 VNNI, BW and F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
#[allow(unsafe_code)]
unsafe fn i8_dot_vnni(a: &[i8], b: &[i8]) -> i32 {
    use std::arch::x86_64::{
        __m512i, _mm512_dpbusd_epi32, _mm512_loadu_si512, _mm512_reduce_add_epi32, _mm512_set1_epi8,
        _mm512_setzero_si512, _mm512_xor_si512,
    };
    let n = a.len().min(b.len());
    let blocks = n / 64;
    let (top_bit, ones) = (_mm512_set1_epi8(i8::MIN), _mm512_set1_epi8(1));
    let (mut products, mut b_sums) = (_mm512_setzero_si512(), _mm512_setzero_si512());
    for block in 0..blocks {
        let at = block * 64;
        // SAFETY: `at + 64 <= n`, within both slices; unaligned loads.
        let (x, y) = unsafe {
            (
                _mm512_loadu_si512(a.as_ptr().add(at).cast::<__m512i>()),
                _mm512_loadu_si512(b.as_ptr().add(at).cast::<__m512i>()),
            )
        };
        products = _mm512_dpbusd_epi32(products, _mm512_xor_si512(x, top_bit), y);
        b_sums = _mm512_dpbusd_epi32(b_sums, ones, y);
    }
    let tail = i8_sum_products(&a[blocks * 64..n], &b[blocks * 64..n]);
    _mm512_reduce_add_epi32(products) - 128 * _mm512_reduce_add_epi32(b_sums) + tail
}

/// Products of two `i8` fit an `i16`; sixteen `i32` accumulators, summed at the end, let the
/// compiler use multiply-add instructions over whole registers.
#[inline(always)]
fn i8_sum_products(a: &[i8], b: &[i8]) -> i32 {
    let mut acc = [0i32; 16];
    let mut blocks_a = a.chunks_exact(16);
    let mut blocks_b = b.chunks_exact(16);
    for (x, y) in (&mut blocks_a).zip(&mut blocks_b) {
        for i in 0..16 {
            acc[i] += i32::from(i16::from(x[i]) * i16::from(y[i]));
        }
    }
    let tail: i32 =
        blocks_a.remainder().iter().zip(blocks_b.remainder()).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
    acc.iter().sum::<i32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kernel_computes_the_same_code_products_exactly() {
        let mut rng = fastrand::Rng::with_seed(7);
        for dims in [0, 1, 15, 16, 17, 31, 32, 33, 384, 385] {
            // The extremes too: the largest weights against the largest codes.
            for extreme in [false, true] {
                let weights: Vec<i16> = (0..dims)
                    .map(|_| if extreme { [i16::MIN + 1, i16::MAX][rng.usize(..2)] } else { rng.i16(-20_000..20_000) })
                    .collect();
                let codes: Vec<u8> = (0..dims).map(|_| if extreme { 255 } else { rng.u8(..) }).collect();
                let exact: i64 = weights.iter().zip(&codes).map(|(&w, &c)| i64::from(w) * i64::from(c)).sum();
                if i32::try_from(exact).is_err() {
                    continue;
                }
                assert_eq!(i64::from(codes_dot_portable(&weights, &codes)), exact, "portable at {dims} dims");
                assert_eq!(i64::from(codes_dot(&weights, &codes)), exact, "dispatched at {dims} dims");
                #[cfg(target_arch = "x86_64")]
                #[allow(unsafe_code)]
                {
                    if std::is_x86_feature_detected!("avx2") {
                        // SAFETY: checked just above; the slices have the same length.
                        assert_eq!(
                            i64::from(unsafe { codes_dot_avx2(&weights, &codes) }),
                            exact,
                            "AVX2 at {dims} dims"
                        );
                    }
                }
            }
        }
        // The shorter of the two slices sets the length.
        assert_eq!(codes_dot(&[1, 2, 3], &[10, 10]), 30);
    }

    #[test]
    fn eight_bit_dot_products_are_exact_with_every_kernel() {
        let mut rng = fastrand::Rng::with_seed(11);
        for dims in [0, 1, 15, 16, 17, 63, 64, 65, 384, 385] {
            // The extremes too: every byte at -128 or 127.
            for extreme in [false, true] {
                let byte =
                    |rng: &mut fastrand::Rng| if extreme { [i8::MIN, i8::MAX][rng.usize(..2)] } else { rng.i8(..) };
                let a: Vec<i8> = (0..dims).map(|_| byte(&mut rng)).collect();
                let b: Vec<i8> = (0..dims).map(|_| byte(&mut rng)).collect();
                let exact: i32 = a.iter().zip(&b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
                assert_eq!(i8_sum_products(&a, &b), exact, "portable at {dims} dims");
                assert_eq!(i8_dot(&a, &b), exact, "dispatched at {dims} dims");
                #[cfg(target_arch = "x86_64")]
                #[allow(unsafe_code)]
                if has_avx512_vnni() {
                    // SAFETY: checked just above.
                    assert_eq!(unsafe { i8_dot_vnni(&a, &b) }, exact, "AVX-512 VNNI at {dims} dims");
                }
            }
        }
    }

    #[test]
    fn prefetching_any_slice_is_harmless() {
        prefetch::<u8>(&[]);
        prefetch(&[1u8, 2, 3]);
        prefetch(&vec![0u8; 1000]);
        prefetch(&[1.0f32; 100]);
    }
}
