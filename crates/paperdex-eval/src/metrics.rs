//! Ranking metrics over one query's ranked list and its judgments.
//!
//! Definitions follow trec_eval, with the cut-offs this crate reports:
//! - **nDCG@k**: gain `2^g − 1` for grade `g`, discount `log2(rank + 1)`, normalised by the DCG
//!   of the ideal ordering of *every* judged document of the query (not only the retrieved).
//! - **MRR@k**: `1 / rank` of the first relevant document within the top `k`, else 0.
//! - **Recall@k**: relevant documents in the top `k` over all relevant documents.
//! - **AP@k** (averaged into MAP): the sum of precision at each relevant document's rank
//!   within the top `k`, over all relevant documents (unretrieved ones count as zero).
//! - **Judged@k**: the share of the top `k` that has a judgment at all. Every metric above
//!   counts an unjudged document as not relevant, so a ranker that brings in papers the pools
//!   never held looks worse than it is: a low Judged@10 says to judge those papers first.
//!
//! A document is relevant when its grade is above zero. A ranked list may name a document
//! twice (it should not); only its first position counts.

use std::collections::{HashMap, HashSet};

/// The judged documents of one query: document id → grade (0 = judged not relevant).
pub type Judgments = HashMap<String, u32>;

/// The number of relevant documents (grade above zero).
pub fn relevant_count(judgments: &Judgments) -> usize {
    judgments.values().filter(|&&g| g > 0).count()
}

/// The grade of each of the first `k` distinct documents of `ranking` (0 when not judged).
fn grades_at<S: AsRef<str>>(ranking: &[S], judgments: &Judgments, k: usize) -> Vec<u32> {
    let mut seen = HashSet::new();
    ranking
        .iter()
        .map(AsRef::as_ref)
        .filter(|id| seen.insert(*id))
        .take(k)
        .map(|id| judgments.get(id).copied().unwrap_or(0))
        .collect()
}

fn dcg(grades: impl IntoIterator<Item = u32>) -> f64 {
    // A fold from +0: `Sum` of no floats is -0.0, which an empty ranking's nDCG printed as.
    grades
        .into_iter()
        .enumerate()
        .map(|(i, g)| (2f64.powi(g.min(30) as i32) - 1.0) / ((i + 2) as f64).log2())
        .fold(0.0, |a, b| a + b)
}

/// Normalised discounted cumulative gain at `k`; 0 when the query has no relevant document.
pub fn ndcg_at<S: AsRef<str>>(ranking: &[S], judgments: &Judgments, k: usize) -> f64 {
    let mut ideal: Vec<u32> = judgments.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    ideal.truncate(k);
    let ideal_dcg = dcg(ideal);
    if ideal_dcg == 0.0 {
        return 0.0;
    }
    dcg(grades_at(ranking, judgments, k)) / ideal_dcg
}

/// Reciprocal rank of the first relevant document within the top `k`.
pub fn reciprocal_rank_at<S: AsRef<str>>(ranking: &[S], judgments: &Judgments, k: usize) -> f64 {
    grades_at(ranking, judgments, k).iter().position(|&g| g > 0).map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// The share of relevant documents found within the top `k`; 0 when there are none.
pub fn recall_at<S: AsRef<str>>(ranking: &[S], judgments: &Judgments, k: usize) -> f64 {
    let relevant = relevant_count(judgments);
    if relevant == 0 {
        return 0.0;
    }
    grades_at(ranking, judgments, k).iter().filter(|&&g| g > 0).count() as f64 / relevant as f64
}

/// The share of the first `k` distinct documents of `ranking` that are judged (any grade);
/// 1 for an empty ranking, which has nothing unjudged.
pub fn judged_at<S: AsRef<str>>(ranking: &[S], judgments: &Judgments, k: usize) -> f64 {
    let mut seen = HashSet::new();
    let top: Vec<&str> = ranking.iter().map(AsRef::as_ref).filter(|id| seen.insert(*id)).take(k).collect();
    if top.is_empty() {
        return 1.0;
    }
    top.iter().filter(|id| judgments.contains_key(**id)).count() as f64 / top.len() as f64
}

/// Average precision over the top `k`; 0 when there is no relevant document.
pub fn average_precision_at<S: AsRef<str>>(ranking: &[S], judgments: &Judgments, k: usize) -> f64 {
    let relevant = relevant_count(judgments);
    if relevant == 0 {
        return 0.0;
    }
    let mut found = 0usize;
    let mut sum = 0.0;
    for (i, g) in grades_at(ranking, judgments, k).into_iter().enumerate() {
        if g > 0 {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    sum / relevant as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn judged(pairs: &[(&str, u32)]) -> Judgments {
        pairs.iter().map(|&(d, g)| (d.to_string(), g)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_perfect_ranking_scores_one_everywhere() {
        let j = judged(&[("a", 3), ("b", 2), ("c", 1), ("x", 0)]);
        let ranking = ["a", "b", "c", "x", "y"];
        assert!(close(ndcg_at(&ranking, &j, 10), 1.0));
        assert!(close(reciprocal_rank_at(&ranking, &j, 10), 1.0));
        assert!(close(recall_at(&ranking, &j, 10), 1.0));
        assert!(close(average_precision_at(&ranking, &j, 100), 1.0));
    }

    #[test]
    fn nothing_relevant_retrieved_scores_zero() {
        let j = judged(&[("a", 1)]);
        let ranking = ["x", "y"];
        assert_eq!(ndcg_at(&ranking, &j, 10), 0.0);
        assert_eq!(reciprocal_rank_at(&ranking, &j, 10), 0.0);
        assert_eq!(recall_at(&ranking, &j, 10), 0.0);
        assert_eq!(average_precision_at(&ranking, &j, 100), 0.0);
        assert_eq!(ndcg_at(&ranking, &judged(&[]), 10), 0.0, "no relevant document: 0, not NaN");
        let nothing = ndcg_at::<&str>(&[], &judged(&[("a", 1)]), 10);
        assert!(nothing == 0.0 && nothing.is_sign_positive(), "nothing retrieved: 0, not -0 ({nothing})");
    }

    #[test]
    fn judged_counts_every_graded_hit_of_the_top_k_even_grade_zero() {
        let j = judged(&[("a", 2), ("x", 0)]);
        assert!(close(judged_at(&["a", "new", "x", "a", "other"], &j, 3), 2.0 / 3.0), "repeats count once");
        assert!(close(judged_at(&["a", "x"], &j, 10), 1.0));
        assert!(close(judged_at::<&str>(&[], &j, 10), 1.0), "nothing retrieved, nothing unjudged");
    }

    #[test]
    fn binary_ndcg_by_hand() {
        // Relevant a, b; ranking x a y b. DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3).
        let j = judged(&[("a", 1), ("b", 1)]);
        let want = (1.0 / 3f64.log2() + 1.0 / 5f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        let got = ndcg_at(&["x", "a", "y", "b"], &j, 10);
        assert!(close(got, want), "{got} vs {want}");
        assert!(close(want, 0.6509209298071326), "hand value {want}");
    }

    #[test]
    fn graded_ndcg_uses_exponential_gain() {
        // Grades 3 and 1; ranking puts the grade-1 document first.
        // DCG = (2^1-1)/1 + (2^3-1)/log2(3) = 1 + 7/1.58496 = 5.41650
        // IDCG = 7/1 + 1/log2(3) = 7.63093, nDCG = 0.70981
        let j = judged(&[("hi", 3), ("lo", 1)]);
        let got = ndcg_at(&["lo", "hi"], &j, 10);
        let want = (1.0 + 7.0 / 3f64.log2()) / (7.0 + 1.0 / 3f64.log2());
        assert!(close(got, want));
        assert!((got - 0.709810).abs() < 1e-6, "{got}");
    }

    #[test]
    fn ndcg_cut_off_counts_only_the_top_k_but_normalises_by_the_ideal_top_k() {
        let j = judged(&[("a", 1), ("b", 1), ("c", 1)]);
        // Only one relevant document in the top 2, at rank 2; ideal top 2 has two.
        let got = ndcg_at(&["x", "a", "b", "c"], &j, 2);
        let want = (1.0 / 3f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!(close(got, want));
    }

    #[test]
    fn reciprocal_rank_of_the_first_relevant_hit() {
        let j = judged(&[("a", 1), ("b", 2)]);
        assert!(close(reciprocal_rank_at(&["x", "y", "b", "a"], &j, 10), 1.0 / 3.0));
        assert_eq!(reciprocal_rank_at(&["x", "y", "b"], &j, 2), 0.0, "beyond the cut-off");
        assert_eq!(reciprocal_rank_at(&["x", "x2"], &judged(&[("x", 0)]), 10), 0.0, "grade 0 is not relevant");
    }

    #[test]
    fn recall_by_hand() {
        let j = judged(&[("a", 1), ("b", 1), ("c", 1), ("d", 1), ("n", 0)]);
        let ranking = ["a", "n", "x", "c"];
        assert!(close(recall_at(&ranking, &j, 10), 0.5));
        assert!(close(recall_at(&ranking, &j, 1), 0.25));
    }

    #[test]
    fn average_precision_by_hand() {
        // Relevant a, b, c; ranking a x b y: P@1 = 1, P@3 = 2/3, c never found.
        // AP = (1 + 2/3 + 0) / 3 = 0.5556
        let j = judged(&[("a", 1), ("b", 1), ("c", 1)]);
        let got = average_precision_at(&["a", "x", "b", "y"], &j, 100);
        assert!(close(got, (1.0 + 2.0 / 3.0) / 3.0));
        // The cut-off drops b: (1) / 3.
        assert!(close(average_precision_at(&["a", "x", "b", "y"], &j, 2), 1.0 / 3.0));
    }

    #[test]
    fn a_repeated_document_counts_once() {
        let j = judged(&[("a", 1), ("b", 1)]);
        assert!(close(recall_at(&["a", "a", "a"], &j, 10), 0.5));
        assert!(close(average_precision_at(&["a", "a", "b"], &j, 10), (1.0 + 1.0) / 2.0));
    }

    fn ranking_and_judgments() -> impl Strategy<Value = (Vec<String>, Judgments)> {
        let ranking = proptest::collection::vec(0u8..40, 0..60)
            .prop_map(|ids| ids.into_iter().map(|i| format!("d{i}")).collect::<Vec<_>>());
        let judgments = proptest::collection::hash_map((0u8..40).prop_map(|i| format!("d{i}")), 0u32..4, 0..20);
        (ranking, judgments)
    }

    proptest! {
        #[test]
        fn every_metric_lies_between_zero_and_one((ranking, j) in ranking_and_judgments(), k in 1usize..120) {
            for value in [
                ndcg_at(&ranking, &j, k),
                reciprocal_rank_at(&ranking, &j, k),
                recall_at(&ranking, &j, k),
                average_precision_at(&ranking, &j, k),
            ] {
                prop_assert!((0.0..=1.0 + 1e-9).contains(&value), "{value}");
            }
        }

        #[test]
        fn recall_never_falls_as_the_cut_off_grows((ranking, j) in ranking_and_judgments(), k in 1usize..60) {
            prop_assert!(recall_at(&ranking, &j, k) <= recall_at(&ranking, &j, k + 1) + 1e-12);
        }

        #[test]
        fn the_ideal_ordering_has_ndcg_one((_, j) in ranking_and_judgments(), k in 1usize..30) {
            let mut ideal: Vec<(&String, &u32)> = j.iter().filter(|(_, g)| **g > 0).collect();
            ideal.sort_by(|a, b| b.1.cmp(a.1));
            let ranking: Vec<&str> = ideal.iter().map(|(d, _)| d.as_str()).collect();
            let expected = if ideal.is_empty() { 0.0 } else { 1.0 };
            prop_assert!((ndcg_at(&ranking, &j, k) - expected).abs() < 1e-9);
        }
    }
}
