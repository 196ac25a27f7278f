//! Relevance feedback: the vector a translated query searches the other language's passages
//! with.
//!
//! A Chinese query's own vector finds Chinese passages well and English ones poorly
//! (multilingual e5 matches technical terms across languages weakly: 幻觉 ↔ hallucination).
//! Embedding the query's English translation as a second text fixed much of that, but cost
//! the model as much time again (a hybrid answer 13.6 → 24.1 ms on first asking,
//! PERFORMANCE.md). The translation, searched as an English keyword query of its own
//! ([`crate::PaperIndex::keyword_matches`]), already ranks the English papers on their own
//! terms. So the English passages are searched with the mean of the passages of the first
//! [`FEEDBACK_PAPERS`] papers of that list, weighted by their keyword scores (Rocchio's
//! relevance feedback, with the keyword list as the judge), plus [`QUERY_SHARE`] of the
//! query's own vector: no second text is embedded, and the feedback is the corpus's own
//! wording of the topic.
//!
//! On the development set (whole corpus, every top 10 judged) this beat the embedded
//! translation: hybrid Chinese questions 0.750 → 0.799 and Chinese keywords 0.823 → 0.837
//! nDCG@10, vector mode 0.693 → 0.766 over all queries; and 30 Chinese descriptions of
//! English-only papers (`tests/eval/known-item-queries.jsonl`) find their paper at MRR@10
//! 0.850 in hybrid against 0.833 (PERFORMANCE.md, "Chinese queries, session 16"). Session 4 tried feedback from a Chinese query's own keyword hits, before the
//! lexicon existed, and it drifted to neighbouring topics: the translated list is what makes
//! it work.

/// How many papers of the translated keyword list feed the vector: 5 to 10 measured alike on
/// the development set, 20 drifted (hybrid nDCG@10 0.821 at 10, 0.811 at 20, without the
/// query's share).
pub(crate) const FEEDBACK_PAPERS: usize = 10;

/// The query's own vector's weight beside the feedback's mean (unit length each): it keeps what
/// the query says that the keyword list's first papers do not (vector mode nDCG@10 0.732
/// without it, 0.754 with a quarter, 0.710 with as much as the mean; hybrid 0.821, 0.822,
/// 0.813).
pub(crate) const QUERY_SHARE: f32 = 0.25;

/// The vector to search the other language's passages with: for each fed-back paper (its
/// weight and its passages in that language) the passage nearest `query`, their weighted sum
/// at unit length, then [`QUERY_SHARE`] of `query` added, at unit length. `None` when no paper
/// has a passage.
/// How sharply the papers' weights follow their keyword scores: each paper weighs its score
/// over the first one's, to this power. A query naming one paper (a Chinese description of an
/// English-only paper) puts that paper far ahead, and its passage then leads the vector; a
/// topic scores its papers alike, and they share it. With equal weights the vector found
/// the described paper less often than the embedded translation did (MRR@10 hybrid 0.833 →
/// 0.746, vector 0.753 → 0.486 on 30 such descriptions); powers 3 to 8 measured alike on both
/// sets (PERFORMANCE.md, "Chinese queries, session 16").
pub(crate) const SCORE_POWER: i32 = 4;

/// Each fed-back paper's weight, from its keyword score (best first): see [`SCORE_POWER`].
pub(crate) fn paper_weights(scores: &[f32]) -> Vec<f32> {
    let top = scores.first().copied().unwrap_or(0.0);
    if top <= 0.0 || !top.is_finite() {
        return vec![1.0; scores.len()];
    }
    scores.iter().map(|&s| (s / top).clamp(0.0, 1.0).powi(SCORE_POWER)).collect()
}

pub(crate) fn feedback_vector<'v, P>(papers: impl IntoIterator<Item = (f32, P)>, query: &[f32]) -> Option<Vec<f32>>
where
    P: IntoIterator<Item = &'v [f32]>,
{
    let mut sum = vec![0.0f32; query.len()];
    let mut fed = 0usize;
    for (weight, passages) in papers {
        // A paper's passage on the query's topic, not its mean: a long paper's other passages
        // are about other things.
        let nearest = passages
            .into_iter()
            .filter(|p| p.len() == query.len())
            .map(|p| (crate::vectors::dot(p, query), p))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, passage)) = nearest {
            sum.iter_mut().zip(passage).for_each(|(s, x)| *s += weight * x);
            fed += 1;
        }
    }
    if fed == 0 {
        return None;
    }
    paperdex_embed::normalize(&mut sum);
    sum.iter_mut().zip(query).for_each(|(s, q)| *s += QUERY_SHARE * q);
    paperdex_embed::normalize(&mut sum);
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let mut v = v.to_vec();
        paperdex_embed::normalize(&mut v);
        v
    }

    #[test]
    fn the_feedback_points_where_the_keyword_lists_papers_are_with_a_little_of_the_query() {
        // Axis 0: the query's own (Chinese) wording; axis 1: the topic as English papers write
        // it; axis 2: another topic.
        let query = unit(&[1.0, 0.2, 0.0]);
        let on_topic = unit(&[0.0, 1.0, 0.1]);
        let off_topic = unit(&[0.1, 0.0, 1.0]);
        let papers = [vec![on_topic.as_slice(), off_topic.as_slice()], vec![on_topic.as_slice()]];
        let fed =
            feedback_vector(papers.iter().map(|p| (1.0, p.iter().copied())), &query).expect("papers with passages");
        let length: f32 = fed.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((length - 1.0).abs() < 1e-5, "unit length: {length}");
        // Each paper gives its passage nearest the query, so the off-topic passage is left out.
        assert!(fed[1] > 0.9 && fed[2] < 0.15, "{fed:?}");
        // The query keeps a share.
        assert!(fed[0] > 0.15 && fed[0] < fed[1], "{fed:?}");
    }

    #[test]
    fn without_a_passage_there_is_no_feedback() {
        let query = unit(&[1.0, 0.0]);
        let none: [Vec<&[f32]>; 2] = [Vec::new(), Vec::new()];
        assert_eq!(feedback_vector(none.iter().map(|p| (1.0, p.iter().copied())), &query), None);
        assert_eq!(feedback_vector(std::iter::empty::<(f32, Vec<&[f32]>)>(), &query), None);
        // A vector of another model's length is not mixed in.
        let other = [vec![[1.0f32, 0.0, 0.0].as_slice()]];
        assert_eq!(feedback_vector(other.iter().map(|p| (1.0, p.iter().copied())), &query), None);
    }

    #[test]
    fn a_paper_the_keywords_put_far_ahead_leads_the_feedback_and_papers_scored_alike_share_it() {
        // A description of one paper: it scores far above the rest.
        let named = paper_weights(&[12.0, 6.0, 5.5, 5.0]);
        assert_eq!(named[0], 1.0);
        assert!(named[1..].iter().sum::<f32>() < 0.25, "{named:?}");
        // A topic: its papers score alike.
        let topic = paper_weights(&[8.0, 7.8, 7.5, 7.4]);
        assert!(topic.iter().all(|&w| w > 0.7), "{topic:?}");
        // Scores that say nothing weigh the papers alike rather than not at all.
        assert_eq!(paper_weights(&[0.0, 0.0]), [1.0, 1.0]);
        assert_eq!(paper_weights(&[]), Vec::<f32>::new());

        let axis = |i: usize| {
            let mut v = vec![0.0f32; 3];
            v[i] = 1.0;
            v
        };
        let (query, first, second) = (unit(&[0.2, 0.5, 0.5]), axis(1), axis(2));
        let papers = [vec![first.as_slice()], vec![second.as_slice()]];
        let fed = feedback_vector(named[..2].iter().copied().zip(papers.iter().map(|p| p.iter().copied())), &query)
            .expect("passages");
        assert!(fed[1] > 2.0 * fed[2], "the paper far ahead leads: {fed:?}");
    }
}
