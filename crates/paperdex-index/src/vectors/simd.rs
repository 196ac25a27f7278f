//! The graph walk's hot spots, made to use what the processor has.
//!
//! At 2M passages the walk is bound by memory, not arithmetic: the codes of the nodes it scores
//! (691 MB for 1.8M English passages) are far from every cache, and scoring a node meant
//! waiting for its six cache lines, then for the next node's. Two remedies:
//!
//! - [`prefetch`]: ask for the lines of every neighbour about to be scored (and for the links
//!   of the node expanded next) before scoring any, so the waits overlap;
//! - [`codes_similarity`] with AVX2 and FMA when the processor has them (detected at run time;
//!   the build targets plain x86-64, whose SSE2 converts bytes to floats four at a time). The
//!   full scan of small sets ([`super::CompactGraph::scan`]) uses it on every node too.
//!
//! Together, on the scale bench's 2M-passage graph (the old and new binaries alternating in
//! one run): ef 1,024 p50 4.1–4.3 ms → 2.8 ms, recall unchanged (PERFORMANCE.md, "Vectors that
//! fit").
//!
//! The `unsafe` of this crate lives here, and nowhere else: the intrinsic behind
//! [`prefetch`] takes a raw pointer, and calling a function compiled for AVX2 is only sound
//! once the processor is known to have it.

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

/// `Σ scaled[i] × codes[i]` over the shorter of the two: the approximate similarity of a query
/// (already multiplied by the quantiser's steps) with a node's 8-bit codes.
#[inline]
pub(crate) fn codes_similarity(scaled: &[f32], codes: &[u8]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the processor has AVX2 and FMA (checked just above; std caches the check).
        #[allow(unsafe_code)]
        return unsafe { codes_similarity_avx2(scaled, codes) };
    }
    codes_similarity_portable(scaled, codes)
}

/// The portable kernel: sixteen independent accumulators, so the compiler vectorises the loop
/// with whatever the build targets.
#[inline]
fn codes_similarity_portable(scaled: &[f32], codes: &[u8]) -> f32 {
    sum_products(scaled, codes)
}

/// The same loop compiled for AVX2 and FMA (eight floats a register, fused multiply-add).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn codes_similarity_avx2(scaled: &[f32], codes: &[u8]) -> f32 {
    sum_products(scaled, codes)
}

#[inline(always)]
fn sum_products(scaled: &[f32], codes: &[u8]) -> f32 {
    let mut acc = [0.0f32; 16];
    let mut blocks_q = scaled.chunks_exact(16);
    let mut blocks_c = codes.chunks_exact(16);
    for (q, c) in (&mut blocks_q).zip(&mut blocks_c) {
        for i in 0..16 {
            acc[i] += q[i] * f32::from(c[i]);
        }
    }
    let mut tail = 0.0f32;
    for (q, &c) in blocks_q.remainder().iter().zip(blocks_c.remainder()) {
        tail += q * f32::from(c);
    }
    acc.iter().sum::<f32>() + tail
}

/// `Σ a[i] × b[i]` of two eight-bit vectors (the lexicon's term vectors, see
/// [`crate::neighbours`]), exact: with AVX2 when the processor has it.
#[inline]
pub(crate) fn i8_dot(a: &[i8], b: &[i8]) -> i32 {
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
    fn every_kernel_computes_the_same_similarity() {
        let mut rng = fastrand::Rng::with_seed(7);
        for dims in [0, 1, 15, 16, 17, 384, 385] {
            let scaled: Vec<f32> = (0..dims).map(|_| rng.f32() - 0.5).collect();
            let codes: Vec<u8> = (0..dims).map(|_| rng.u8(..)).collect();
            let exact: f64 = scaled.iter().zip(&codes).map(|(&q, &c)| f64::from(q) * f64::from(c)).sum();
            let portable = codes_similarity_portable(&scaled, &codes);
            let dispatched = codes_similarity(&scaled, &codes);
            // Sums of up to 385 products of about 64 in size: float rounding stays far below 0.01.
            assert!((f64::from(portable) - exact).abs() < 1e-2, "portable {portable} vs {exact} at {dims} dims");
            assert!((f64::from(dispatched) - exact).abs() < 1e-2, "dispatched {dispatched} vs {exact} at {dims} dims");
        }
    }

    #[test]
    fn eight_bit_dot_products_are_exact_with_every_kernel() {
        let mut rng = fastrand::Rng::with_seed(11);
        for dims in [0, 1, 15, 16, 17, 384, 385] {
            let a: Vec<i8> = (0..dims).map(|_| rng.i8(-127..=127)).collect();
            let b: Vec<i8> = (0..dims).map(|_| rng.i8(-127..=127)).collect();
            let exact: i32 = a.iter().zip(&b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
            assert_eq!(i8_sum_products(&a, &b), exact, "portable at {dims} dims");
            assert_eq!(i8_dot(&a, &b), exact, "dispatched at {dims} dims");
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
