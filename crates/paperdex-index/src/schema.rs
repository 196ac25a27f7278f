//! The tantivy schema: which parts of a paper are searchable, how, and what is stored.
//!
//! The whole merged [`Paper`] is stored as JSON in one stored-only field, so the index is also
//! the paper store: one tantivy commit switches papers and postings together.

use paperdex_core::{Paper, SectionGroup};
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
    /// The first day a source listed the paper as `YYYYMMDD` ([`Paper::first_seen`]): date
    /// filters and the date sort go by it.
    pub first_seen: Field,
    /// The languages the paper has text in (`zh`, `en`), for the language filter.
    pub langs: Field,
    /// The formats of the sources that listed it (`report`, `hf`...), for the source filter.
    pub sources: Field,
    /// The section groups it has text in (`experiments`...), for the section filter.
    pub section_groups: Field,
    /// The text of each section group in a field of its own (indexed without positions), so a
    /// search can be restricted to one group: `sections[g]` for the group at index `g` of
    /// [`SECTION_FIELD_GROUPS`].
    pub sections: [Field; SECTION_FIELD_GROUPS.len()],
    /// The hash of the searchable text ([`Paper::content_hash`]).
    pub content_hash: Field,
    /// The merged paper as JSON.
    pub paper: Field,
    /// The files its records came from, as the index names them: which papers a file listed
    /// when it was last read ([`crate::PaperIndex::ingest`]'s files no longer listing some).
    pub source_paths: Field,
    /// Its Hugging Face upvotes ([`Paper::upvotes`], 0 without), a fast field: `new` lists a
    /// day's papers most upvoted first, as the daily list does.
    pub upvotes: Field,
}

/// The section groups with a field of their own: all but the title, which has its own field.
pub const SECTION_FIELD_GROUPS: [SectionGroup; 8] = [
    SectionGroup::Contribution,
    SectionGroup::Innovations,
    SectionGroup::Experiments,
    SectionGroup::Usage,
    SectionGroup::Application,
    SectionGroup::Abstract,
    SectionGroup::Method,
    SectionGroup::Other,
];

/// The name of the field holding a section group's text.
fn section_field_name(group: SectionGroup) -> String {
    format!("section_{}", group.name())
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
            // Fields added later go last: field ids already on disk keep their meaning, so a
            // process still running the older schema reads an upgraded index correctly.
            first_seen: builder.add_u64_field("first_seen", NumericOptions::default().set_fast().set_indexed()),
            langs: builder.add_text_field("langs", STRING),
            sources: builder.add_text_field("sources", STRING),
            section_groups: builder.add_text_field("section_groups", STRING),
            sections: SECTION_FIELD_GROUPS.map(|group| {
                let options = TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(WORD_ANALYZER)
                        .set_index_option(IndexRecordOption::WithFreqs),
                );
                builder.add_text_field(&section_field_name(group), options)
            }),
            source_paths: builder.add_text_field("source_paths", STRING),
            upvotes: builder.add_u64_field("upvotes", NumericOptions::default().set_fast()),
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
            first_seen: get("first_seen")?,
            langs: get("langs")?,
            sources: get("sources")?,
            section_groups: get("section_groups")?,
            sections: {
                let mut fields = [Field::from_field_id(0); SECTION_FIELD_GROUPS.len()];
                for (slot, group) in fields.iter_mut().zip(SECTION_FIELD_GROUPS) {
                    *slot = get(&section_field_name(group))?;
                }
                fields
            },
            content_hash: get("content_hash")?,
            paper: get("paper")?,
            source_paths: get("source_paths")?,
            upvotes: get("upvotes")?,
        })
    }

    /// The tantivy document for `paper`.
    pub fn document(&self, paper: &Paper) -> Result<TantivyDocument, serde_json::Error> {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, paper.id.as_str());
        doc.add_text(self.title, paper.title());
        // Another source's title is searchable where it has words the shown one lacks (a
        // corrected title in a later listing, while a digest's title is shown); one that
        // only spells the same words differently would count them twice.
        let titles = paper.titles();
        if let [_, others @ ..] = titles.as_slice()
            && !others.is_empty()
        {
            let mut analyzer = crate::analysis::word_analyzer();
            let shown = crate::analysis::analyze(&mut analyzer, paper.title());
            for other in others {
                if crate::analysis::analyze(&mut analyzer, other).iter().any(|term| !shown.contains(term)) {
                    doc.add_text(self.title, other);
                }
            }
        }
        if let Some(title_zh) = paper.title_zh() {
            doc.add_text(self.title, title_zh);
            doc.add_text(self.han_bigrams, title_zh);
        }
        doc.add_text(self.han_bigrams, paper.title());
        for section in paper.sections() {
            doc.add_text(self.body, &section.text);
            doc.add_text(self.han_bigrams, &section.text);
            if let Some(field) = self.section(section.kind.group()) {
                doc.add_text(field, &section.text);
            }
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
        if let Some(day) = paper.first_seen().and_then(crate::filter::Day::of) {
            doc.add_u64(self.first_seen, day.number());
        }
        doc.add_u64(self.upvotes, u64::from(paper.upvotes().unwrap_or(0)));
        for lang in paper.languages() {
            doc.add_text(self.langs, lang.code());
        }
        for format in paper.source_formats() {
            doc.add_text(self.sources, format.name());
        }
        let paths: std::collections::BTreeSet<&str> = paper.records.iter().map(|r| r.source.path.as_str()).collect();
        for path in paths {
            doc.add_text(self.source_paths, path);
        }
        for group in crate::filter::section_groups(paper) {
            doc.add_text(self.section_groups, group.name());
        }
        doc.add_text(self.content_hash, paper.content_hash());
        doc.add_text(self.paper, serde_json::to_string(paper)?);
        Ok(doc)
    }
}

impl Fields {
    /// The field holding a section group's text (`None` for the title, which is
    /// [`Fields::title`]).
    pub fn section(&self, group: SectionGroup) -> Option<Field> {
        SECTION_FIELD_GROUPS.iter().position(|&g| g == group).map(|i| self.sections[i])
    }
}

/// `YYYY-MM-DD` as the number `YYYYMMDD`.
pub fn date_number(date: &str) -> Option<u64> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 8).then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SECTION_FIELD_GROUPS` repeats `SectionGroup::ALL` on purpose (its order fixes the field
    /// ids of existing indexes); a group added to `ALL` and forgotten here would be unsearchable.
    #[test]
    fn every_section_group_but_the_title_has_a_field_of_its_own() {
        let (_, fields) = Fields::build();
        for group in SectionGroup::ALL {
            assert_eq!(fields.section(group).is_some(), group != SectionGroup::Title, "{group:?}");
        }
    }
}
