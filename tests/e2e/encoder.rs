//! How the real model is fed (`make test` fetches it): every text is a model call of its own,
//! so passages of many lengths embedded in one call come back in the caller's order with
//! exactly the vectors each gets alone (and report each passage as it is done, for ingest's
//! progress), and queries sent at once from many threads get exactly the vectors they get one
//! by one. In a batch they would not: the graph quantises activations per model call, so a
//! text's batch neighbours moved its vector (`models/README.md`: cosine ≥ 0.997 for a batch of
//! 8).

use paperdex_embed::{E5Embedder, Embedder, ModelPaths, Role};

use crate::support::repo;

fn model() -> E5Embedder {
    E5Embedder::load(&ModelPaths::under(&repo().join("models")))
        .expect("these tests need the model: run `models/fetch` (make test does)")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Every vector is exactly its own text's vector alone, in the caller's order.
fn assert_each_its_own(texts: &[&str], together: &[Vec<f32>], alone: &[Vec<f32>]) {
    assert_eq!(together.len(), texts.len());
    for (i, vector) in together.iter().enumerate() {
        assert_eq!(vector.len(), alone[i].len());
        if vector != &alone[i] {
            let nearest =
                (0..alone.len()).max_by(|&a, &b| cosine(vector, &alone[a]).total_cmp(&cosine(vector, &alone[b])));
            panic!(
                "text {i} ({:?}) got another vector than alone: cosine {} to its own, nearest text {nearest:?}",
                texts[i],
                cosine(vector, &alone[i])
            );
        }
    }
}

#[test]
fn passages_embedded_together_come_back_in_the_callers_order_with_their_vectors_alone() {
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
fn one_long_call_reports_every_passage_once_as_it_is_done_and_stops_when_asked() {
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
    assert_eq!(calls.into_inner(), texts.len(), "progress comes passage by passage, not once at the end");
    // The same vectors as `embed` gives (and `embed`'s are checked against one-by-one
    // embedding above).
    assert_eq!(vectors, model.embed(&texts, Role::Passage).expect("embed"));

    // A caller that stops wanting the vectors (the writer gone) stops the model.
    let passages = std::sync::atomic::AtomicUsize::new(0);
    let stopped = model.embed_reporting(&texts, Role::Passage, &|_| {
        passages.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        false
    });
    assert!(matches!(stopped, Err(paperdex_embed::EmbedError::Stopped)), "{stopped:?}");
    assert!(passages.into_inner() <= 2, "at most one passage per session runs after the stop");
}

#[test]
fn queries_sent_at_once_get_exactly_the_vectors_they_get_one_by_one() {
    // As in `serve`: many requests' threads share one model.
    let model = model();
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
        queries.iter().map(|q| model.embed(&[q], Role::Query).expect("embed alone").remove(0)).collect();
    let model = &model;
    let together: Vec<Vec<f32>> = std::thread::scope(|scope| {
        let threads: Vec<_> = queries
            .iter()
            .map(|q| scope.spawn(move || model.embed(&[q], Role::Query).expect("embed at once").remove(0)))
            .collect();
        threads.into_iter().map(|t| t.join().expect("query thread")).collect()
    });
    assert_each_its_own(&queries, &together, &alone);
    // All eight in one call, too.
    let one_call = model.embed(&queries, Role::Query).expect("embed in one call");
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
    // And it is the vector of a call of its own on the query session, in the caller's order.
    let alone: Vec<Vec<f32>> =
        terms.iter().map(|t| model.embed(&[t], Role::Query).expect("embed alone").remove(0)).collect();
    assert_each_its_own(&terms, &each, &alone);
}
