//! The JSON list parsers (HF daily papers API, Chinese summaries): every input opens a JSON
//! list, so detection hands it to `parse/json_list.rs` and on to `hf_api.rs` or
//! `zh_summaries.rs` by the shape of the items.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut bytes = b"[".to_vec();
    bytes.extend_from_slice(data);
    paperdex_fuzz::check_parse("fuzz/2024-06-24.json", &bytes);
});
