//! [`HugeArray`]: a large array the kernel is asked to back with huge pages, and [`HugeVec`],
//! one that grows.
//!
//! The graph walk reads a node's codes and links at random over hundreds of megabytes (691 MB
//! of codes for 1.8M passages). With 4 KB pages nearly every node read also misses the TLB,
//! the processor's cache of page addresses; with 2 MB pages the same arrays need 512 times
//! fewer entries. On the scale bench's 2M-passage graph, ef 1,024 p50 went from 2.83 to 2.68
//! ms (two binaries alternating in one run; PERFORMANCE.md, "Vectors that fit").
//!
//! A whole-corpus server reads every query's codes (8.6 MB) and rescores 1,400–1,700 scattered
//! `f32` vectors (of 34 MB) between two runs of the model, whose caches they evict: there the
//! codes and the set's vectors ([`HugeVec`]) in huge pages lowered `took_ms` too
//! (PERFORMANCE.md, "Session 20").
//!
//! Linux backs anonymous memory with huge pages when asked (`madvise`, transparent huge pages
//! in `madvise` mode, the default of many distributions) or always (`always` mode). Arrays
//! below [`MIN_MAPPED_BYTES`], other systems, and a map the kernel refuses stay on the heap:
//! the hint never changes what the array holds, only how fast it is read.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytemuck::Pod;
use memmap2::MmapMut;

/// Below this an array stays on the heap: less than one huge page.
const MIN_MAPPED_BYTES: usize = 2 << 20;

/// A fixed-length array of plain values (`u8`, `u32`), in huge-page-backed memory when it is
/// large. Dereferences to a slice.
pub(crate) struct HugeArray<T: Pod> {
    memory: Memory<T>,
}

enum Memory<T> {
    Heap(Vec<T>),
    /// An anonymous map of exactly `len` values (a map's memory is page-aligned, so any
    /// plain type's alignment holds).
    Mapped {
        map: MmapMut,
        len: usize,
    },
}

impl<T: Pod> HugeArray<T> {
    /// `len` zeros.
    pub(crate) fn zeroed(len: usize) -> HugeArray<T> {
        let bytes = len.saturating_mul(std::mem::size_of::<T>());
        if bytes >= MIN_MAPPED_BYTES
            && let Ok(map) = MmapMut::map_anon(bytes)
        {
            #[cfg(target_os = "linux")]
            if let Err(error) = map.advise(memmap2::Advice::HugePage) {
                // Huge pages are an optimisation: without them the array is as correct.
                tracing::debug!(%error, "huge pages were refused for a {bytes}-byte array");
            }
            return HugeArray { memory: Memory::Mapped { map, len } };
        }
        HugeArray { memory: Memory::Heap(vec![T::zeroed(); len]) }
    }

    /// A copy of `values`.
    pub(crate) fn copied(values: &[T]) -> HugeArray<T> {
        let mut array = HugeArray::zeroed(values.len());
        array.copy_from_slice(values);
        array
    }

    /// The array's memory as bytes, to read a file into.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        bytemuck::cast_slice_mut(self)
    }
}

impl<T: Pod> Deref for HugeArray<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.memory {
            Memory::Heap(values) => values,
            Memory::Mapped { map, len } => &bytemuck::cast_slice(&map[..])[..*len],
        }
    }
}

impl<T: Pod> DerefMut for HugeArray<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.memory {
            Memory::Heap(values) => values,
            Memory::Mapped { map, len } => &mut bytemuck::cast_slice_mut(&mut map[..])[..*len],
        }
    }
}

impl<T: Pod> Default for HugeArray<T> {
    fn default() -> HugeArray<T> {
        HugeArray { memory: Memory::Heap(Vec::new()) }
    }
}

impl<T: Pod> Clone for HugeArray<T> {
    fn clone(&self) -> HugeArray<T> {
        HugeArray::copied(self)
    }
}

impl<T: Pod + PartialEq> PartialEq for HugeArray<T> {
    fn eq(&self, other: &HugeArray<T>) -> bool {
        self[..] == other[..]
    }
}

impl<T: Pod> fmt::Debug for HugeArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mapped = matches!(self.memory, Memory::Mapped { .. });
        f.debug_struct("HugeArray").field("len", &self.len()).field("mapped", &mapped).finish()
    }
}

impl<T: Pod> From<Vec<T>> for HugeArray<T> {
    /// Keeps a small vector as it is; copies a large one into huge-page-backed memory.
    fn from(values: Vec<T>) -> HugeArray<T> {
        if std::mem::size_of_val(values.as_slice()) < MIN_MAPPED_BYTES {
            return HugeArray { memory: Memory::Heap(values) };
        }
        HugeArray::copied(&values)
    }
}

/// A growable array of plain values in huge-page-backed memory once it is large (see
/// [`HugeArray`]): the vectors of a [`super::VectorSet`], appended to by writers and read at
/// random by searches. It grows as `Vec` does, by doubling and copying.
#[derive(Default)]
pub(crate) struct HugeVec<T: Pod> {
    /// `len` values, then spare capacity (zeros).
    array: HugeArray<T>,
    len: usize,
}

impl<T: Pod> HugeVec<T> {
    /// An empty array with room for `capacity` values.
    pub(crate) fn with_capacity(capacity: usize) -> HugeVec<T> {
        HugeVec { array: HugeArray::zeroed(capacity), len: 0 }
    }

    /// Appends `values`.
    pub(crate) fn extend(&mut self, values: impl IntoIterator<Item = T>) {
        let values = values.into_iter();
        self.reserve(values.size_hint().0);
        for value in values {
            if self.len == self.array.len() {
                self.reserve(1);
            }
            self.array[self.len] = value;
            self.len += 1;
        }
    }

    /// Makes room for `more` values past `len`.
    fn reserve(&mut self, more: usize) {
        let needed = self.len.saturating_add(more);
        if needed <= self.array.len() {
            return;
        }
        let capacity = needed.max(self.array.len().saturating_mul(2)).max(64);
        let mut array = HugeArray::zeroed(capacity);
        array[..self.len].copy_from_slice(&self.array[..self.len]);
        self.array = array;
    }
}

impl<T: Pod> Deref for HugeVec<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.array[..self.len]
    }
}

impl<T: Pod> Clone for HugeVec<T> {
    fn clone(&self) -> HugeVec<T> {
        let mut copy = HugeVec::with_capacity(self.len);
        copy.extend(self.iter().copied());
        copy
    }
}

impl<T: Pod + PartialEq> PartialEq for HugeVec<T> {
    fn eq(&self, other: &HugeVec<T>) -> bool {
        self[..] == other[..]
    }
}

impl<T: Pod> fmt::Debug for HugeVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HugeVec").field("len", &self.len).field("capacity", &self.array.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_array_is_mapped_and_holds_what_a_vector_holds() {
        let values: Vec<u32> = (0..(MIN_MAPPED_BYTES / 4 + 3) as u32).collect();
        let array = HugeArray::from(values.clone());
        assert!(matches!(array.memory, Memory::Mapped { .. }));
        assert_eq!(array.len(), values.len());
        assert_eq!(&array[..], &values[..]);
        assert_eq!(array.clone(), array);
    }

    #[test]
    fn a_small_array_stays_on_the_heap() {
        let array = HugeArray::from(vec![1u8, 2, 3]);
        assert!(matches!(array.memory, Memory::Heap(_)));
        assert_eq!(&array[..], &[1, 2, 3]);
        assert!(HugeArray::<u8>::default().is_empty());
    }

    #[test]
    fn a_file_can_be_read_into_its_bytes() {
        let mut array = HugeArray::<u32>::zeroed(MIN_MAPPED_BYTES / 4);
        let source: Vec<u8> = (0..array.len() as u32).flat_map(u32::to_le_bytes).collect();
        array.bytes_mut().copy_from_slice(&source);
        assert_eq!(u32::from_le(array[12_345]), 12_345);
    }

    #[test]
    fn a_growing_array_keeps_every_value_in_order_across_the_move_to_huge_pages() {
        let mut grown = HugeVec::default();
        let mut expected = Vec::new();
        // Past MIN_MAPPED_BYTES, in pieces of every size, so growth copies heap and mapped
        // memory alike.
        let mut next = 0u32;
        for piece in (0..).map(|n| (n * 7919) % 5000) {
            if expected.len() * 4 > 2 * MIN_MAPPED_BYTES {
                break;
            }
            let values: Vec<u32> = (next..next + piece).collect();
            next += piece;
            grown.extend(values.iter().copied());
            expected.extend(values);
            assert_eq!(grown.len(), expected.len());
        }
        assert!(matches!(grown.array.memory, Memory::Mapped { .. }));
        assert_eq!(&grown[..], &expected[..]);
        assert_eq!(grown.clone(), grown);
        let mut exact = HugeVec::with_capacity(3);
        exact.extend([1u8, 2, 3]);
        assert_eq!((&exact[..], exact.array.len()), (&[1u8, 2, 3][..], 3), "no growth when the room was made");
    }
}
