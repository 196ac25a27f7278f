//! Cutting a paper into passages for the embedding model.
//!
//! e5 reads at most 512 tokens; a digest summary is often longer, and a paper may have an
//! English abstract beside a Chinese summary. Each language gets its own passages (so the
//! vector side can compare like with like), each led by the title, the first carrying the
//! core contribution, then the rest of the text in windows that fit the model.

use std::ops::Range;

use paperdex_core::{Lang, Paper, SectionGroup, SectionKind, is_han};

/// The version of [`chunk`]'s rules. An index records the version its vectors were made with,
/// and re-ingest keeps a passage's stored vector when the passage's text is unchanged, which it
/// can only tell when today's rules cut the stored text as they were cut then. **Bump it with
/// any change to what [`chunk`] returns** (the test `chunking_is_pinned_by_its_version`
/// fails until you do, and tells you what to set).
pub const CHUNKING_VERSION: u32 = 1;

/// The most tokens a passage is planned to hold, by [`estimate_tokens`]; below the model's 512
/// so that estimation error and the prefix still fit.
pub const MAX_PASSAGE_TOKENS: usize = 440;

/// The most passages a paper gets in one language: the model reads its opening (the title, the
/// core contribution, then the text in order) and the rest is found by its words alone. A
/// real paper stays far below it (the corpus's longest, a whole paper in markdown, makes under
/// 30); a pasted megabyte in an abstract made 556 passages and 53 s of embedding, and as many
/// chances for one paper to be near any query. Capping it left every passage of every paper
/// under the cap as it was, so it needed no new [`CHUNKING_VERSION`]: a paper over it stored
/// under no cap has more vectors than passages, which keeps it from reusing them
/// (`stored_passage_vectors`) and re-embeds its capped passages when it changes.
pub const MAX_PASSAGES_PER_LANGUAGE: usize = 64;

/// A paper's passages, and how many [`MAX_PASSAGES_PER_LANGUAGE`] left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Passages {
    /// What [`chunk`] returns.
    pub chunks: Vec<Chunk>,
    /// The windows past the cap, in every language: what ingest warns about.
    pub left_out: usize,
}

/// One passage of a paper, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The passage, without the `passage: ` prefix.
    pub text: String,
    /// Its language.
    pub lang: Lang,
    /// The kind of section most of its text comes from (`None` for a passage that is only
    /// the title): what a hit found by this passage says it matched in.
    pub section: Option<SectionKind>,
    /// Where in `text` each section's pieces lie, in order: a passage leads with the core
    /// contribution and goes on with other sections, and a hit shows the text of the section
    /// it names ([`Chunk::body_in`]).
    pub parts: Vec<(SectionKind, Range<usize>)>,
}

impl Chunk {
    /// The passage's text from sections of `group`, one piece a line; a passage that is only
    /// the title is the title (in every group). A hit labelled with the group of
    /// [`Chunk::section`] shows this: the passage's opening can be another section (the core
    /// contribution that leads it, which labelled `usage` misled a reader).
    pub fn body_in(&self, group: SectionGroup) -> String {
        if self.section.is_none() {
            return self.text.clone();
        }
        let pieces: Vec<&str> =
            self.parts.iter().filter(|(kind, _)| kind.group() == group).map(|(_, at)| &self.text[at.clone()]).collect();
        pieces.join("\n")
    }
}

/// A cheap, slightly high estimate of XLM-R SentencePiece tokens: two per three Han characters
/// (measured 0.66 on the digest reports), one plus one per six letters of any other word
/// (measured 1.8 per word on HF abstracts), one per punctuation mark.
pub fn estimate_tokens(text: &str) -> usize {
    let mut tokens = 0usize;
    let mut han = 0usize;
    let mut word_len = 0usize;
    let flush = |word_len: &mut usize, tokens: &mut usize| {
        if *word_len > 0 {
            *tokens += 1 + *word_len / 6;
            *word_len = 0;
        }
    };
    for c in text.chars() {
        if is_han(c) {
            flush(&mut word_len, &mut tokens);
            han += 1;
        } else if c.is_alphanumeric() {
            word_len += 1;
        } else {
            flush(&mut word_len, &mut tokens);
            if !c.is_whitespace() {
                tokens += 1;
            }
        }
    }
    flush(&mut word_len, &mut tokens);
    tokens + (han * 2).div_ceil(3)
}

/// The passages of `paper`: per language, the title with the core contribution first, then
/// the remaining text in windows of at most [`MAX_PASSAGE_TOKENS`] (estimated), at most
/// [`MAX_PASSAGES_PER_LANGUAGE`] of them.
pub fn chunk(paper: &Paper) -> Vec<Chunk> {
    passages(paper).chunks
}

/// [`chunk`], with the count of windows its cap left out.
pub fn passages(paper: &Paper) -> Passages {
    let sections = paper.sections();
    let mut chunks = Vec::new();
    let mut left_out = 0;
    for lang in [Lang::Zh, Lang::En] {
        // Reference lists are titles and links: they would give a Chinese-only paper an
        // "English passage" and mislead the per-language ranking.
        let mut of_lang: Vec<_> =
            sections.iter().filter(|s| s.kind != SectionKind::References && Lang::detect(&s.text) == lang).collect();
        if of_lang.is_empty() {
            continue;
        }
        let first_of_lang = chunks.len();
        // The core contribution (or its nearest stand-in) goes into the first passage, next to
        // the title: the densest statement of what the paper is about.
        let lead_rank = |kind: SectionKind| match kind {
            SectionKind::CoreContribution => 0,
            SectionKind::Tldr => 1,
            SectionKind::AiSummary => 2,
            SectionKind::Abstract => 3,
            _ => 4,
        };
        of_lang.sort_by_key(|s| lead_rank(s.kind));
        let title = match (lang, paper.title_zh()) {
            (Lang::Zh, Some(zh)) => format!("{} / {}", paper.title(), zh),
            _ => paper.title().to_string(),
        };
        let budget = MAX_PASSAGE_TOKENS.saturating_sub(estimate_tokens(&title)).max(64);
        let pieces = of_lang
            .iter()
            .flat_map(|s| s.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(|p| (s.kind, p)))
            .flat_map(|(kind, p)| split_to_fit(p, budget).into_iter().map(move |p| (kind, p)));
        let mut window = String::new();
        let mut window_tokens = 0;
        // Tokens per section kind in the window, to name the kind most of it comes from.
        let mut window_kinds: Vec<(SectionKind, usize)> = Vec::new();
        // Where each piece lies in the window.
        let mut window_parts: Vec<(SectionKind, Range<usize>)> = Vec::new();
        let main_kind = |kinds: &[(SectionKind, usize)]| kinds.iter().rev().max_by_key(|(_, n)| *n).map(|(k, _)| *k);
        // A passage is its title, a line break, and its window.
        let passage = |window: &str, kinds: &[(SectionKind, usize)], parts: Vec<(SectionKind, Range<usize>)>| {
            let after_title = title.len() + 1;
            Chunk {
                text: format!("{title}\n{window}"),
                lang,
                section: main_kind(kinds),
                parts: parts
                    .into_iter()
                    .map(|(kind, at)| (kind, at.start + after_title..at.end + after_title))
                    .collect(),
            }
        };
        for (kind, piece) in pieces {
            let tokens = estimate_tokens(&piece);
            if window_tokens + tokens > budget && !window.is_empty() {
                chunks.push(passage(&window, &window_kinds, std::mem::take(&mut window_parts)));
                window.clear();
                window_tokens = 0;
                window_kinds.clear();
            }
            match window_kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += tokens,
                None => window_kinds.push((kind, tokens)),
            }
            if !window.is_empty() {
                window.push('\n');
            }
            window_parts.push((kind, window.len()..window.len() + piece.len()));
            window.push_str(&piece);
            window_tokens += tokens;
        }
        if !window.is_empty() {
            chunks.push(passage(&window, &window_kinds, std::mem::take(&mut window_parts)));
        }
        let made = chunks.len() - first_of_lang;
        if made > MAX_PASSAGES_PER_LANGUAGE {
            left_out += made - MAX_PASSAGES_PER_LANGUAGE;
            chunks.truncate(first_of_lang + MAX_PASSAGES_PER_LANGUAGE);
        }
    }
    let title = paper.title();
    if chunks.is_empty() && title != paper.id.as_str() {
        // A paper known only by its title is still findable by it (a bare id is not text).
        chunks.push(Chunk { lang: Lang::detect(title), text: title.to_string(), section: None, parts: Vec::new() });
    }
    Passages { chunks, left_out }
}

/// Splits a paragraph that is over `budget` at sentence ends, and a sentence that is still over
/// at character boundaries.
fn split_to_fit(paragraph: &str, budget: usize) -> Vec<String> {
    if estimate_tokens(paragraph) <= budget {
        return vec![paragraph.to_string()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_tokens = 0;
    for sentence in paragraph.split_inclusive(['。', '！', '？', '.', '!', '?', '\n', '；', ';']) {
        for part in split_chars(sentence, budget) {
            let tokens = estimate_tokens(&part);
            if current_tokens + tokens > budget && !current.is_empty() {
                out.push(std::mem::take(&mut current));
                current_tokens = 0;
            }
            current.push_str(&part);
            current_tokens += tokens;
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

fn split_chars(text: &str, budget: usize) -> Vec<String> {
    if estimate_tokens(text) <= budget {
        return vec![text.to_string()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if current.len().is_multiple_of(64) && estimate_tokens(&current) >= budget {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperdex_core::{PaperId, Record, Section, Source, SourceFormat};

    fn paper(sections: Vec<Section>) -> Paper {
        let id = PaperId::parse("2602.02958").expect("valid id");
        let source = Source { path: "r.md".into(), format: SourceFormat::DailyReport, date: None };
        let mut record = Record::new(id, source);
        record.title = Some("Quant VideoGen".into());
        record.sections = sections;
        Paper::from_record(record)
    }

    #[test]
    fn each_language_gets_its_own_passages_led_by_the_core_contribution() {
        let p = paper(vec![
            Section::new(SectionKind::Field, "计算机视觉-视频生成"),
            Section::new(SectionKind::CoreContribution, "提出了 2 比特 KV 缓存量化方法"),
            Section::new(SectionKind::Abstract, "We quantize the KV cache of video diffusion models to 2 bits."),
        ]);
        let chunks = chunk(&p);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].lang, Lang::Zh);
        assert!(chunks[0].text.starts_with("Quant VideoGen\n提出了"), "{}", chunks[0].text);
        assert_eq!(chunks[1].lang, Lang::En);
    }

    #[test]
    fn a_passage_gives_the_text_of_each_section_group_it_holds() {
        let p = paper(vec![
            Section::new(SectionKind::Usage, "输入：视频帧。\n\n输出：长视频。"),
            Section::new(SectionKind::CoreContribution, "提出了 2 比特 KV 缓存量化方法"),
            Section::new(SectionKind::Tldr, "两比特缓存"),
        ]);
        let chunks = chunk(&p);
        assert_eq!(chunks.len(), 1);
        // Led by the contribution, mostly usage: labelled usage, and its usage is the usage.
        assert!(chunks[0].text.starts_with("Quant VideoGen\n提出了"), "{}", chunks[0].text);
        assert_eq!(chunks[0].section.map(SectionKind::group), Some(SectionGroup::Usage));
        assert_eq!(chunks[0].body_in(SectionGroup::Usage), "输入：视频帧。\n输出：长视频。");
        assert_eq!(chunks[0].body_in(SectionGroup::Contribution), "提出了 2 比特 KV 缓存量化方法\n两比特缓存");
        assert_eq!(chunks[0].body_in(SectionGroup::Abstract), "");
    }

    #[test]
    fn long_text_is_windowed_within_the_budget_and_nothing_is_lost() {
        let sentence = "这是一个关于大语言模型推理加速的很长的句子。";
        let long = sentence.repeat(200);
        let p = paper(vec![Section::new(SectionKind::Results, long.clone())]);
        let chunks = chunk(&p);
        assert!(chunks.len() > 3);
        for c in &chunks {
            assert!(estimate_tokens(&c.text) <= MAX_PASSAGE_TOKENS + 8, "{}", estimate_tokens(&c.text));
        }
        let joined: String = chunks.iter().map(|c| c.text.trim_start_matches("Quant VideoGen\n")).collect();
        assert_eq!(joined.chars().filter(|&c| c == '。').count(), 200);
    }

    #[test]
    fn a_pasted_megabyte_is_embedded_up_to_the_cap_and_its_chinese_summary_whole() {
        let english = "Long pasted text about speculative decoding for large language models. ".repeat(12_000);
        let p = paper(vec![
            Section::new(SectionKind::CoreContribution, "提出了投机解码的新方法"),
            Section::new(SectionKind::Abstract, english),
        ]);
        let Passages { chunks, left_out } = passages(&p);
        let english: Vec<_> = chunks.iter().filter(|c| c.lang == Lang::En).collect();
        assert_eq!(english.len(), MAX_PASSAGES_PER_LANGUAGE);
        assert!(left_out > 300, "{left_out} windows left out");
        // The Chinese passage, and the English text's opening, are what the model reads.
        assert_eq!(chunks.iter().filter(|c| c.lang == Lang::Zh).count(), 1);
        assert!(english[0].text.starts_with("Quant VideoGen\nLong pasted text"), "{}", english[0].text);
        assert_eq!(chunk(&p), chunks);
    }

    #[test]
    fn a_reference_list_is_not_a_passage() {
        let p = paper(vec![
            Section::new(SectionKind::Body, "这篇文章讨论了视频生成的自动评估指标。"),
            Section {
                kind: SectionKind::References,
                heading: Some("搜索结果来自".into()),
                text: "[2406.15252] MantisScore - https://arxiv.org/abs/2406.15252".into(),
            },
        ]);
        let chunks = chunk(&p);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].lang, Lang::Zh);
    }

    #[test]
    fn a_paper_with_neither_title_nor_text_has_no_passage() {
        let mut p = paper(vec![]);
        p.records[0].title = None;
        assert!(chunk(&p).is_empty());
    }

    #[test]
    fn a_paper_without_text_still_has_its_title() {
        let chunks = chunk(&paper(vec![]));
        assert_eq!(
            chunks,
            vec![Chunk { text: "Quant VideoGen".into(), lang: Lang::En, section: None, parts: Vec::new() }]
        );
        assert_eq!(chunks[0].body_in(SectionGroup::Title), "Quant VideoGen", "a title alone is its own body");
    }

    /// The passages of every paper of the bundled sample, digested: what [`CHUNKING_VERSION`]
    /// stands for.
    fn sample_passages_digest() -> (usize, u64) {
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample");
        let mut files: Vec<_> = std::fs::read_dir(&sample).expect("sample").flatten().map(|e| e.path()).collect();
        files.sort();
        // FNV-1a: stable across Rust releases, unlike `DefaultHasher`.
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        let mut passages = 0;
        for file in files {
            let bytes = std::fs::read(&file).expect("read");
            let parsed = paperdex_core::parse::parse_bytes(&file.to_string_lossy(), &bytes).expect("parse");
            for record in parsed.records {
                for passage in chunk(&Paper::from_record(record)) {
                    passages += 1;
                    eat(passage.lang.code().as_bytes());
                    eat(passage.text.as_bytes());
                    eat(&[0]);
                }
            }
        }
        (passages, hash)
    }

    #[test]
    fn chunking_is_pinned_by_its_version() {
        // (version, passages of the sample, their digest). A change to `chunk` that moves a
        // single passage changes the digest: bump CHUNKING_VERSION and add its line here.
        const PINNED: &[(u32, usize, u64)] = &[(1, 157, 0xf301_b920_6a37_7850)];
        let (passages, digest) = sample_passages_digest();
        assert!(passages > 20, "the sample has {passages} passages");
        let pinned = PINNED.iter().find(|(version, _, _)| *version == CHUNKING_VERSION);
        assert_eq!(
            pinned.map(|&(_, n, d)| (n, d)),
            Some((passages, digest)),
            "chunk() cuts the sample into other passages than CHUNKING_VERSION {CHUNKING_VERSION} did: bump \
             CHUNKING_VERSION and pin ({}, {passages}, {digest:#x})",
            CHUNKING_VERSION + 1
        );
    }
}
