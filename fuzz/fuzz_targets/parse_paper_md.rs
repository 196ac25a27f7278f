//! The paper markdown parser: every input opens with a front matter fence, so detection hands
//! it to `parse/paper_md.rs` (YAML front matter, then the body).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut bytes = b"---\n".to_vec();
    bytes.extend_from_slice(data);
    paperdex_fuzz::check_parse("fuzz/2401.00001v1-paper.md", &bytes);
});
