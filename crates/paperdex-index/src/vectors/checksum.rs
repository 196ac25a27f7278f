//! XXH64 (seed 0), the checksum of the files this module writes, from the `xxhash-rust`
//! crate (it replaced a hand-written copy; the published test vectors below, and files written
//! before, give the same digests). It hashes at memory speed, which matters when a load
//! re-reads tens of megabytes of vectors. It detects torn writes and bit rot, it is not a
//! defence against someone forging a file.

use std::io::{self, Write};

/// A streaming XXH64 (seed 0) hasher: feed bytes in any pieces, the digest is the same as
/// hashing them in one go.
#[derive(Clone)]
pub(crate) struct Xxh64(xxhash_rust::xxh64::Xxh64);

impl Default for Xxh64 {
    fn default() -> Self {
        Xxh64(xxhash_rust::xxh64::Xxh64::new(0))
    }
}

impl Xxh64 {
    /// The digest of `bytes`.
    pub(crate) fn digest(bytes: &[u8]) -> u64 {
        xxhash_rust::xxh64::xxh64(bytes, 0)
    }

    /// Adds `bytes` to the hashed stream.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything fed so far.
    pub(crate) fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// A writer that hashes everything written through it.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Xxh64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashingWriter { inner, hasher: Xxh64::default() }
    }

    /// The digest of the bytes written so far.
    pub(crate) fn digest(&self) -> u64 {
        self.hasher.finish()
    }

    pub(crate) fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The XXH64 digest of a file's content, read in pieces.
pub(crate) fn digest_file(path: &std::path::Path) -> io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Xxh64::default();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vectors() {
        assert_eq!(Xxh64::digest(b""), 0xEF46_DB37_51D8_E999);
        assert_eq!(Xxh64::digest(b"a"), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(Xxh64::digest(b"abc"), 0x44BC_2CF5_AD77_0999);
        // 39 bytes: exercises the 32-byte stripes as well as the tail.
        assert_eq!(Xxh64::digest(b"Nobody inspects the spammish repetition"), 0xFBCE_A83C_8A37_8BF1);
    }

    #[test]
    fn streaming_in_odd_pieces_gives_the_one_shot_digest() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let whole = Xxh64::digest(&data);
        for piece in [1, 3, 7, 31, 32, 33, 100, 4096] {
            let mut hasher = Xxh64::default();
            for part in data.chunks(piece) {
                hasher.update(part);
            }
            assert_eq!(hasher.finish(), whole, "pieces of {piece} bytes");
        }
    }
}
