//! [`HugeArray`]: a large array the kernel is asked to back with huge pages.
//!
//! The graph walk reads a node's codes and links at random over hundreds of megabytes (691 MB
//! of codes for 1.8M passages). With 4 KB pages nearly every node read also misses the TLB,
//! the processor's cache of page addresses; with 2 MB pages the same arrays need 512 times
//! fewer entries. On the scale bench's 2M-passage graph, ef 1,024 p50 went from 2.83 to 2.68
//! ms (two binaries alternating in one run; PERFORMANCE.md, "Vectors that fit").
//!
//! Linux backs anonymous memory with huge pages when asked (`madvise`, transparent huge pages
//! in `madvise` mode, the default of many distributions) or always (`always` mode). Arrays
//! below [`MIN_MAPPED_BYTES`], other systems, and a map the kernel refuses stay on the heap:
//! the hint never changes what the array holds, only how fast it is read.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytemuck::Pod;
use memmap2::MmapMut;

/// Below this an array stays on the heap: a few huge pages' worth, where the TLB is no issue.
const MIN_MAPPED_BYTES: usize = 8 << 20;

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
}
