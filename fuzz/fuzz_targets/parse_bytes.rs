//! Any bytes as any file: format detection, text decoding and whichever parser is chosen.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    paperdex_fuzz::check_parse("fuzz/2026-02-05.md", data);
});
