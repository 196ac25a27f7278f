//! The daily report parser: every input opens with a report title and a paper heading, so
//! detection always hands it to `parse/report.rs` and the fuzzer explores the blocks.
#![no_main]

const PREFIX: &str = "# Hugging Face Daily Papers Report\n**Date**: 2026-02-05\n\n## 📄 ";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut bytes = PREFIX.as_bytes().to_vec();
    bytes.extend_from_slice(data);
    paperdex_fuzz::check_parse("fuzz/report-2026-02-05.md", &bytes);
});
