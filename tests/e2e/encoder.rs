//! How the real model is fed (`make test` fetches it): passages of many lengths embedded in one
//! call come back in the caller's order with the vectors each would get alone (and report each
//! batch as it is done, for ingest's progress), and queries sent
//! together through the server's [`QueryBatcher`] get the vectors they get one by one.
//!
//! "The same" means up to int8 rounding: the graph quantises activations per model call, so a
//! text's neighbours in a batch move its vector slightly (`models/README.md`: cosine ≥ 0.997
//! for a batch of 8); a mix-up of two texts gives a cosine far below that.

use std::sync::Arc;

use paperdex_embed::{E5Embedder, Embedder, ModelPaths, QueryBatcher, Role};

use crate::support::repo;

fn model() -> E5Embedder {
    E5Embedder::load(&ModelPaths::under(&repo().join("models")))
        .expect("these tests need the model: run `models/fetch` (make test does)")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Every vector is its own text's (cosine ≥ 0.995 to it alone) and nearer to it than to any
/// other text's.
fn assert_each_its_own(texts: &[&str], together: &[Vec<f32>], alone: &[Vec<f32>]) {
    assert_eq!(together.len(), texts.len());
    for (i, vector) in together.iter().enumerate() {
        let own = cosine(vector, &alone[i]);
        assert!(own >= 0.995, "text {i} ({:?}) moved to cosine {own} from its vector alone", texts[i]);
        for (j, other) in alone.iter().enumerate().filter(|&(j, _)| texts[j] != texts[i]) {
            assert!(cosine(vector, other) < own, "text {i} is nearer to text {j}'s vector than to its own");
        }
    }
}

#[test]
fn passages_embedded_together_in_length_order_come_back_in_the_callers_order() {
    let model = model();
    let long_zh = "本文提出一种无需训练的键值缓存量化方法，利用视频数据的时空冗余，将显存占用降低十一倍。".repeat(8);
    let long_en = "We quantize the key-value cache of autoregressive video diffusion models to two bits. ".repeat(12);
    let texts: Vec<&str> = vec![
        &long_zh,
        "Speculative decoding",
        &long_en,
        "强化学习 奖励模型",
        "A survey of retrieval-augmented generation for question answering over long documents.",
        "多模态大模型的幻觉问题：成因、评测与缓解方法综述。",
        "Gaussian splatting",
        "Mixture-of-experts routing with load balancing losses for sparse transformer language models.",
        "扩散模型",
        "Tool-using agents that operate mobile phone interfaces from screenshots.",
        "KV cache",
    ];
    let together = model.embed(&texts, Role::Passage).expect("embed together");
    let alone: Vec<Vec<f32>> =
        texts.iter().map(|t| model.embed(&[t], Role::Passage).expect("embed alone").remove(0)).collect();
    assert_each_its_own(&texts, &together, &alone);
}

#[test]
fn one_long_call_reports_every_passage_once_as_its_batch_is_done_and_stops_when_asked() {
    // Ingest embeds a whole generation in one call and turns these reports into progress.
    let model = model();
    let texts: Vec<String> = (0..37)
        .map(|i| match i % 3 {
            0 => format!("论文 {i}：一种用于长视频生成的键值缓存压缩方法。").repeat(1 + i % 5),
            1 => format!("Paper {i} studies reward models for reasoning. ").repeat(1 + i % 7),
            _ => format!("Gaussian splatting {i}"),
        })
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let reported = std::sync::Mutex::new(Vec::new());
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let vectors = model
        .embed_reporting(&texts, Role::Passage, &|positions| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            reported.lock().expect("lock").extend_from_slice(positions);
            true
        })
        .expect("embed");
    let mut reported = reported.into_inner().expect("lock");
    reported.sort_unstable();
    assert_eq!(reported, (0..texts.len()).collect::<Vec<_>>(), "every position exactly once");
    assert!(calls.into_inner() > 1, "progress comes batch by batch, not once at the end");
    // The same batches as `embed` makes, so the same vectors (and `embed`'s order is checked
    // against one-by-one embedding above).
    let plain = model.embed(&texts, Role::Passage).expect("embed");
    for (i, (reported, plain)) in vectors.iter().zip(&plain).enumerate() {
        assert!(cosine(reported, plain) > 0.9999, "passage {i} got another vector");
    }

    // A caller that stops wanting the vectors (the writer gone) stops the model.
    let batches = std::sync::atomic::AtomicUsize::new(0);
    let stopped = model.embed_reporting(&texts, Role::Passage, &|_| {
        batches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        false
    });
    assert!(matches!(stopped, Err(paperdex_embed::EmbedError::Stopped)), "{stopped:?}");
    assert!(batches.into_inner() <= 2, "at most one batch per session runs after the stop");
}

#[test]
fn queries_sent_at_once_share_model_calls_and_get_their_own_vectors() {
    let batcher = Arc::new(QueryBatcher::new(model()));
    let queries = [
        "KV cache quantization",
        "强化学习 奖励模型",
        "多模态大模型 幻觉",
        "how do diffusion models generate long videos",
        "mixture of experts routing",
        "3D Gaussian splatting",
        "检索增强生成",
        "phone GUI agents",
    ];
    let alone: Vec<Vec<f32>> =
        queries.iter().map(|q| batcher.embed(&[q], Role::Query).expect("embed alone").remove(0)).collect();
    let together: Vec<Vec<f32>> = std::thread::scope(|scope| {
        let threads: Vec<_> = queries
            .iter()
            .map(|q| {
                let batcher = Arc::clone(&batcher);
                scope.spawn(move || batcher.embed(&[q], Role::Query).expect("embed at once").remove(0))
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("query thread")).collect()
    });
    assert_each_its_own(&queries, &together, &alone);
    // What the batcher sends when all eight wait at once: one call with every query.
    let one_call = batcher.embed(&queries, Role::Query).expect("embed in one call");
    assert_each_its_own(&queries, &one_call, &alone);
}

#[test]
fn a_term_embedded_on_its_own_gets_one_vector_whatever_terms_come_with_it() {
    // The lexicon pairs terms by their nearest neighbours, so a term's vector must not depend on
    // which other terms were new at this ingest (a batch would move it).
    let model = model();
    let terms =
        ["小模型", "small model", "长文本", "long-context", "奖励模型", "reward model", "幻觉", "hallucination"];
    let each = model.embed_each(&terms, Role::Query).expect("embed each");
    let others = ["KV cache", terms[4], "检索增强生成", terms[0], "mixture of experts", terms[7]];
    let again = model.embed_each(&others, Role::Query).expect("embed each again");
    assert_eq!(again[1], each[4], "a term's vector changed with the terms beside it");
    assert_eq!(again[3], each[0], "a term's vector changed with the terms beside it");
    assert_eq!(again[5], each[7], "a term's vector changed with the terms beside it");
    // And it is the vector of a call of its own on the query session (up to the last bits of
    // another thread count), in the caller's order.
    let alone: Vec<Vec<f32>> =
        terms.iter().map(|t| model.embed(&[t], Role::Query).expect("embed alone").remove(0)).collect();
    for (i, vector) in each.iter().enumerate() {
        let own = cosine(vector, &alone[i]);
        assert!(own > 0.9999, "{} moved to cosine {own} from its vector in a call of its own", terms[i]);
    }
    assert_each_its_own(&terms, &each, &alone);
}
