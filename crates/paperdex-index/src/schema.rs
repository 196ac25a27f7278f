//! The tantivy schema: which parts of a paper are searchable, how, and what is stored.
//!
//! The whole merged [`Paper`] is stored as JSON in one stored-only field, so the index is also
//! the paper store: one tantivy commit switches papers and postings together.

use paperdex_core::Paper;
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{BIGRAM_ANALYZER, WORD_ANALYZER};

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The paper id, untokenized: lookups and deletes go through it.
    pub id: Field,
    /// English and Chinese titles.
    pub title: Field,
    /// Every section of every source.
    pub body: Field,
    /// Keywords and tags.
    pub keywords: Field,
    /// Author names.
    pub authors: Field,
    /// Han-character bigrams of titles and body (see `analysis`).
    pub han_bigrams: Field,
    /// The paper's date as `YYYYMMDD`, a fast field for sorting and filtering.
    pub date: Field,
    /// The hash of the searchable text ([`Paper::content_hash`]).
    pub content_hash: Field,
    /// The merged paper as JSON.
    pub paper: Field,
}

impl Fields {
    /// Builds the schema and the field handles.
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORD_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let bigrams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(BIGRAM_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED | FAST),
            title: builder.add_text_field("title", words.clone()),
            body: builder.add_text_field("body", words.clone()),
            keywords: builder.add_text_field("keywords", words.clone()),
            authors: builder.add_text_field("authors", words),
            han_bigrams: builder.add_text_field("han_bigrams", bigrams),
            date: builder.add_u64_field("date", NumericOptions::default().set_fast().set_indexed()),
            content_hash: builder.add_text_field("content_hash", STRING | STORED),
            paper: builder.add_text_field("paper", STORED),
        };
        (builder.build(), fields)
    }

    /// Finds the field handles in an existing index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let get = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: get("id")?,
            title: get("title")?,
            body: get("body")?,
            keywords: get("keywords")?,
            authors: get("authors")?,
            han_bigrams: get("han_bigrams")?,
            date: get("date")?,
            content_hash: get("content_hash")?,
            paper: get("paper")?,
        })
    }

    /// The tantivy document for `paper`.
    pub fn document(&self, paper: &Paper) -> Result<TantivyDocument, serde_json::Error> {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, paper.id.as_str());
        doc.add_text(self.title, paper.title());
        if let Some(title_zh) = paper.title_zh() {
            doc.add_text(self.title, title_zh);
            doc.add_text(self.han_bigrams, title_zh);
        }
        doc.add_text(self.han_bigrams, paper.title());
        for section in paper.sections() {
            doc.add_text(self.body, &section.text);
            doc.add_text(self.han_bigrams, &section.text);
        }
        for keyword in paper.keywords() {
            doc.add_text(self.keywords, keyword);
        }
        for author in paper.authors() {
            doc.add_text(self.authors, author);
        }
        if let Some(date) = paper.date().and_then(date_number) {
            doc.add_u64(self.date, date);
        }
        doc.add_text(self.content_hash, paper.content_hash());
        doc.add_text(self.paper, serde_json::to_string(paper)?);
        Ok(doc)
    }
}

/// `YYYY-MM-DD` as the number `YYYYMMDD`.
pub fn date_number(date: &str) -> Option<u64> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 8).then(|| digits.parse().ok()).flatten()
}
