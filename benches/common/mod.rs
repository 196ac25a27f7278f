//! What the benches of this package share: the query set and the figures they print.

/// Sixteen queries, English and Chinese, over the topics of the shared corpus.
pub const QUERIES: &[&str] = &[
    "KV cache quantization",
    "强化学习 奖励模型",
    "KV cache 量化",
    "扩散模型",
    "sparse attention long context",
    "视频生成 自回归",
    "retrieval augmented generation agents",
    "多模态大模型 视觉推理",
    "mixture of experts routing",
    "病理图像 分割",
    "speculative decoding",
    "test-time scaling reasoning",
    "3D 资产生成",
    "robot manipulation policy",
    "低比特量化 大语言模型",
    "instruction tuning data selection",
];

/// The value at quantile `p` (0..=1) of `sorted`, NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The process's peak resident set (VmHWM) in MB, 0 where /proc is not available.
pub fn peak_rss_mb() -> f64 {
    proc_status_mb("VmHWM:")
}

/// A size field of /proc/self/status (`VmHWM:`, `VmRSS:`) in MB, 0 where it cannot be read.
pub fn proc_status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// The machine's load averages over 1, 5 and 15 minutes (`/proc/loadavg`), "unknown" where
/// they cannot be read: every figure of a shared machine is printed with the load it ran under.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

/// BM25 retrieval alone (query building + the top 10 by score, no paper read, through
/// [`paperdex_index::PaperIndex::keyword_top`], so by the index's pruning), in milliseconds per
/// query, unsorted: `rounds` rounds over [`QUERIES`] after one uncounted warm-up round.
pub fn bm25_retrieval_ms(index: &paperdex_index::PaperIndex, rounds: usize) -> Vec<f64> {
    let mut times = Vec::new();
    for round in 0..=rounds {
        for q in QUERIES {
            let started = std::time::Instant::now();
            let top = index.keyword_top(q, 10).expect("search");
            std::hint::black_box(top);
            if round > 0 {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    times
}
