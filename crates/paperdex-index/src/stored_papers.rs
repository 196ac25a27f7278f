//! Walking every stored paper: what an ingest does to rebuild stale postings or embed papers
//! lacking vectors, and what the bilingual lexicon learns from.
//!
//! A walk reads each segment's document store with positioned reads (`pread`) instead of
//! through the memory map searches use. A walk visits the whole store once, and every page it
//! touched through the map would stay in the process's resident memory while the index is
//! open, for pages the run never reads again (the kernel's page cache keeps them either way,
//! outside the process). With this (and, until session 14, the lexicon reading only papers with
//! Chinese text) a 100k-paper ingest's file-backed peak fell from 192 to 54 MB (PERFORMANCE.md,
//! "Scale"; at a million papers the file-backed peak left is a merge's).

use std::path::{Path, PathBuf};

use paperdex_core::Paper;
use tantivy::directory::FileSlice;
use tantivy::directory::footer::Footer;
use tantivy::index::SegmentComponent;
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::error::{IndexError, Result};
use crate::paper_index::PaperIndex;

/// The stored papers of one searcher, walked in index order (or in id order, see
/// [`StoredPapers::in_id_order`]), one at a time.
pub(crate) struct StoredPapers {
    searcher: Searcher,
    /// Each segment's document store (without its footer) and its path, opened when the walk
    /// starts: a merge committed during the walk deletes the files of the segments it merged,
    /// and an open file outlives its name.
    stores: Vec<(PathBuf, FileSlice)>,
    /// The store of the segment being walked.
    current: Option<StoreReader>,
    segment: usize,
    doc: u32,
    /// In id order: the addresses still to read, and each segment's store once opened.
    by_id: Option<(std::vec::IntoIter<DocAddress>, Vec<Option<StoreReader>>)>,
}

impl StoredPapers {
    /// Every live paper `searcher` sees.
    pub(crate) fn new(index: &PaperIndex, searcher: Searcher) -> Result<StoredPapers> {
        let dir = index.tantivy_dir();
        let mut stores = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let meta = searcher.index().new_segment_meta(segment.segment_id(), segment.max_doc());
            let path = dir.join(meta.relative_path(SegmentComponent::Store));
            let store = open_store(&path).map_err(IndexError::io(&path))?;
            stores.push((path, store));
        }
        Ok(StoredPapers { searcher, stores, current: None, segment: 0, doc: 0, by_id: None })
    }

    /// The same papers in the order of their ids instead of the index's, which depends on how
    /// they were written and merged: what is learned from them (the lexicon) is then the same
    /// whatever order the files were ingested in. Costs the ids of the papers to read (one
    /// pass over each segment's id column) and reads the stores out of order.
    pub(crate) fn in_id_order(mut self, index: &PaperIndex) -> Result<StoredPapers> {
        let mut addresses = Vec::new();
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            addresses.extend(
                (0..segment.max_doc()).filter(|&doc| alive(segment, doc)).map(|doc| DocAddress::new(ord as u32, doc)),
            );
        }
        let ids = index.ids_at(&self.searcher, &addresses)?;
        let mut order: Vec<(String, DocAddress)> = ids.into_iter().zip(addresses).collect();
        order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let addresses: Vec<DocAddress> = order.into_iter().map(|(_, address)| address).collect();
        let readers = (0..self.stores.len()).map(|_| None).collect();
        self.by_id = Some((addresses.into_iter(), readers));
        Ok(self)
    }

    /// The next stored paper.
    pub(crate) fn next_paper(&mut self, index: &PaperIndex) -> Option<Result<Paper>> {
        match self.next_document() {
            Ok(Some((address, doc))) => Some(index.paper_of(&doc, address)),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }

    fn next_document(&mut self) -> Result<Option<(DocAddress, TantivyDocument)>> {
        if let Some((addresses, readers)) = &mut self.by_id {
            let Some(address) = addresses.next() else { return Ok(None) };
            let segment = address.segment_ord as usize;
            let (path, file) = &self.stores[segment];
            let reader = match &mut readers[segment] {
                Some(reader) => reader,
                // A few blocks cached: papers next to each other by id are often written
                // together, in the same blocks.
                empty => {
                    empty.insert(StoreReader::open(file.clone(), ID_ORDER_CACHED_BLOCKS).map_err(IndexError::io(path))?)
                }
            };
            return Ok(Some((address, reader.get(address.doc_id)?)));
        }
        while let Some(segment) = self.searcher.segment_readers().get(self.segment) {
            if self.current.is_none() {
                // One block cached: the walk reads a block's documents one after another.
                let (path, file) = &self.stores[self.segment];
                self.current = Some(StoreReader::open(file.clone(), 1).map_err(IndexError::io(path))?);
            }
            let Some(store) = &self.current else { break };
            while self.doc < segment.max_doc() {
                let doc = self.doc;
                self.doc += 1;
                if alive(segment, doc) {
                    let address = DocAddress::new(self.segment as u32, doc);
                    return Ok(Some((address, store.get(doc)?)));
                }
            }
            self.segment += 1;
            self.doc = 0;
            self.current = None;
        }
        Ok(None)
    }
}

/// Whether document `doc` of `segment` is live (not deleted).
fn alive(segment: &tantivy::SegmentReader, doc: u32) -> bool {
    segment.alive_bitset().is_none_or(|bits| bits.is_alive(doc))
}

/// Decompressed store blocks kept per segment by a walk in id order.
const ID_ORDER_CACHED_BLOCKS: usize = 8;

/// A segment's document store, read with positioned reads, its footer checked and cut off as
/// tantivy's own directory does.
fn open_store(path: &Path) -> std::io::Result<FileSlice> {
    let (_, store) = Footer::extract_footer(FileSlice::open(path)?)?;
    Ok(store)
}
