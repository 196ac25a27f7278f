//! Fusing ranked lists: BM25 with vectors, and one language's vector list with another's.
//!
//! Reciprocal rank fusion (RRF, Cormack et al. 2009) needs no score calibration: a paper's fused
//! score is Σ wᵢ/(k + rankᵢ) over the lists it appears in. The weighted alternative min-max
//! normalises each list's scores and mixes them linearly.
//!
//! Keywords only match text in the query's own language, so a paper written only in the other
//! language is invisible to BM25, and its absence from the BM25 list says nothing about it.
//! [`fuse_where_keywords_see`] takes that into account: for such a paper the BM25 evidence is
//! imputed from its vector rank, instead of counted as a miss that buries it under every
//! same-language paper both retrievers found.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// How BM25 and vector lists are combined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Fusion {
    /// Weighted reciprocal rank fusion: `bm25_weight/(k + bm25 rank) + vector_weight/(k + vector rank)`.
    Rrf {
        /// The rank offset; larger flattens the difference between top ranks.
        k: f32,
        /// The weight of a BM25 rank.
        bm25_weight: f32,
        /// The weight of a vector rank.
        vector_weight: f32,
    },
    /// `bm25_weight · bm25' + (1 − bm25_weight) · cosine'`, each min-max normalised per list.
    Weighted {
        /// The weight of BM25, between 0 and 1.
        bm25_weight: f32,
    },
}

impl Fusion {
    /// RRF with the literature's k = 60 and equal weights.
    pub const CLASSIC_RRF: Fusion = Fusion::Rrf { k: 60.0, bm25_weight: 1.0, vector_weight: 1.0 };

    /// Related papers: RRF with k = 20 and words and meaning weighed alike. A paper's whole
    /// text is a long query whose more-like-this list drifts to papers sharing its words in
    /// other domains, where its nearest passages stay on topic: on the related sets (tests/eval,
    /// every paper of every list judged) nDCG@10 0.707 → 0.751 and 0.733 → 0.769 against
    /// search's vectors-at-half (PERFORMANCE.md, "Session 33"); twice the vector weight fell
    /// back (0.717, 0.712).
    pub const RELATED: Fusion = Fusion::Rrf { k: 20.0, bm25_weight: 1.0, vector_weight: 1.0 };
}

impl Default for Fusion {
    /// RRF with k = 20, BM25 weighted 1 and vectors 0.5: measured best on the development set
    /// (tests/eval) and on CACM and CISI alike; see PERFORMANCE.md. The classic k = 60 with
    /// equal weights let the weaker vector list pull good keyword answers down.
    fn default() -> Fusion {
        Fusion::Rrf { k: 20.0, bm25_weight: 1.0, vector_weight: 0.5 }
    }
}

impl std::fmt::Display for Fusion {
    /// The form [`Fusion::from_str`] reads: `rrf:k=20,bm25=1,vector=0.5`, `weighted:bm25=0.5`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fusion::Rrf { k, bm25_weight, vector_weight } => {
                write!(f, "rrf:k={k},bm25={bm25_weight},vector={vector_weight}")
            }
            Fusion::Weighted { bm25_weight } => write!(f, "weighted:bm25={bm25_weight}"),
        }
    }
}

/// The largest value a fusion setting may take. RRF's k in the thousands already makes every
/// score nearly equal, a weight of 1000 already lets one list decide alone, and beyond
/// `f32::MAX` a value read as infinity made every score equal.
const MAX_SETTING: f32 = 1000.0;

impl std::str::FromStr for Fusion {
    type Err = String;

    /// Reads `rrf` or `weighted`, optionally followed by `:` and `name=value` pairs that
    /// override the defaults: `rrf:k=60,vector=1`, `weighted:bm25=0.7`.
    fn from_str(spec: &str) -> Result<Fusion, String> {
        // Names are read in any case, as every other named value is (`--mode BM25`).
        let lower = spec.trim().to_ascii_lowercase();
        let (method, settings) = lower.split_once(':').unwrap_or((lower.as_str(), ""));
        let mut fusion = match method {
            "rrf" => Fusion::default(),
            "weighted" => Fusion::Weighted { bm25_weight: 0.5 },
            _ => {
                let written = spec.trim().split(':').next().unwrap_or_default();
                return Err(format!("unknown fusion {written:?}: expected `rrf` or `weighted`"));
            }
        };
        let mut given = Vec::new();
        for setting in settings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = setting.split_once('=').ok_or_else(|| format!("{setting:?} is not `name=value`"))?;
            if given.contains(&name.trim()) {
                return Err(format!("{setting:?}: {} is given twice", name.trim()));
            }
            given.push(name.trim());
            let value: f32 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f32| (0.0..=MAX_SETTING).contains(v))
                .ok_or_else(|| format!("{setting:?}: the value must be a number from 0 to {MAX_SETTING}"))?;
            match (&mut fusion, name.trim()) {
                (Fusion::Rrf { k, .. }, "k") => *k = value,
                (Fusion::Rrf { bm25_weight, .. }, "bm25") => *bm25_weight = value,
                (Fusion::Rrf { vector_weight, .. }, "vector") => *vector_weight = value,
                (Fusion::Weighted { bm25_weight }, "bm25") if value <= 1.0 => *bm25_weight = value,
                (Fusion::Weighted { .. }, "bm25") => return Err(format!("{setting:?}: the weight must be at most 1")),
                (_, other) => return Err(format!("{method} has no setting {other:?}")),
            }
        }
        if let Fusion::Rrf { bm25_weight: 0.0, vector_weight: 0.0, .. } = fusion {
            return Err(format!("{spec:?}: bm25 and vector cannot both weigh 0, or every paper would score 0"));
        }
        Ok(fusion)
    }
}

/// A paper after fusion, with what each retriever said of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused<K> {
    /// The paper.
    pub key: K,
    /// The fused score.
    pub score: f32,
    /// Rank (1-based) and score in the BM25 list.
    pub bm25: Option<(usize, f32)>,
    /// Rank (1-based) and score in the vector list.
    pub vector: Option<(usize, f32)>,
}

/// Fuses a BM25 list and a vector list (each best first) into one, best first. Ties keep the
/// BM25 order, then the vector order, so the result is deterministic.
pub fn fuse<K: Clone + Eq + std::hash::Hash>(bm25: &[(K, f32)], vector: &[(K, f32)], fusion: Fusion) -> Vec<Fused<K>> {
    fuse_where_keywords_see(bm25, vector, fusion, |_| true)
}

/// [`fuse`], where `keywords_see(paper)` says whether BM25 could have matched the paper at all
/// by the query's own words (it has text in the query's language). A paper BM25 cannot see
/// gets its BM25 share from its vector evidence (its vector rank for RRF, its vector score for
/// the weighted mix), or from its BM25 rank when a translation of the query found it higher.
pub fn fuse_where_keywords_see<K: Clone + Eq + std::hash::Hash>(
    bm25: &[(K, f32)],
    vector: &[(K, f32)],
    fusion: Fusion,
    keywords_see: impl Fn(&K) -> bool,
) -> Vec<Fused<K>> {
    let mut by_key: HashMap<K, usize> = HashMap::new();
    let mut out: Vec<Fused<K>> = Vec::new();
    let mut slot = |key: &K, out: &mut Vec<Fused<K>>| -> usize {
        *by_key.entry(key.clone()).or_insert_with(|| {
            out.push(Fused { key: key.clone(), score: 0.0, bm25: None, vector: None });
            out.len() - 1
        })
    };
    for (rank, (key, score)) in bm25.iter().enumerate() {
        let i = slot(key, &mut out);
        out[i].bm25.get_or_insert((rank + 1, *score));
    }
    for (rank, (key, score)) in vector.iter().enumerate() {
        let i = slot(key, &mut out);
        out[i].vector.get_or_insert((rank + 1, *score));
    }
    match fusion {
        Fusion::Rrf { k, bm25_weight, vector_weight } => {
            let share = |weight: f32, rank: usize| weight / (k + rank as f32);
            for f in &mut out {
                let found = f.bm25.map_or(0.0, |(rank, _)| share(bm25_weight, rank));
                // A paper the query's own words cannot reach may still be listed by BM25 through
                // a translation of the query, a weaker signal: it keeps the better of the two.
                let imputed = match f.vector {
                    Some((rank, _)) if !keywords_see(&f.key) => share(bm25_weight, rank),
                    _ => 0.0,
                };
                f.score = found.max(imputed) + f.vector.map_or(0.0, |(rank, _)| share(vector_weight, rank));
            }
        }
        Fusion::Weighted { bm25_weight } => {
            let w = bm25_weight.clamp(0.0, 1.0);
            let bm25_range = range(bm25);
            let vector_range = range(vector);
            for f in &mut out {
                let v = f.vector.map_or(0.0, |(_, s)| normalise(s, vector_range));
                let found = f.bm25.map_or(0.0, |(_, s)| normalise(s, bm25_range));
                let b = if keywords_see(&f.key) { found } else { found.max(v) };
                f.score = w * b + (1.0 - w) * v;
            }
        }
    }
    // A stable sort keeps first-seen order (BM25 order, then vector order) among equal scores.
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// Moves the papers of `keys` to the front of a fused list, in their order there, at least at
/// the first paper's score: papers the query's words single out
/// ([`crate::search::DECISIVE_LEAD`]) come first whatever the other list says, since rank
/// fusion sees that they rank first by words, not how far they stand out.
pub fn put_first<K: Eq>(fused: &mut Vec<Fused<K>>, keys: &[K]) {
    let Some(top) = fused.first().map(|f| f.score) else { return };
    let (mut first, rest): (Vec<Fused<K>>, Vec<Fused<K>>) =
        std::mem::take(fused).into_iter().partition(|f| keys.contains(&f.key));
    for f in &mut first {
        f.score = f.score.max(top);
    }
    first.extend(rest);
    *fused = first;
}

fn range<K>(list: &[(K, f32)]) -> (f32, f32) {
    list.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (_, s)| (lo.min(*s), hi.max(*s)))
}

fn normalise(score: f32, (lo, hi): (f32, f32)) -> f32 {
    if hi > lo { (score - lo) / (hi - lo) } else { 1.0 }
}

/// How much of the collection each language's papers make up, relative to the language with
/// the most papers (which has share 1): the weight of a language's list when lists in several
/// languages are merged by rank ([`interleave_by_share`]).
///
/// Merging one for one gave a language with a sixth of the papers half of every list: on the
/// development set, with 2,007 of 11,337 papers in Chinese, the Chinese lists' fifth paper
/// stood beside the English lists' fifth, where by their numbers it stands beside the 28th
/// (PERFORMANCE.md, "Chinese queries, session 10").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageShares {
    zh: f32,
    en: f32,
}

impl LanguageShares {
    /// Every language the same weight: lists merged one for one.
    pub const EQUAL: LanguageShares = LanguageShares { zh: 1.0, en: 1.0 };

    /// The shares of a collection with `zh` papers with Chinese text and `en` with English
    /// text (a paper may count in both). A language without papers keeps a small share, so
    /// its list, if any, still comes after the others rather than nowhere.
    pub fn from_paper_counts(zh: u64, en: u64) -> LanguageShares {
        let most = zh.max(en).max(1) as f32;
        let share = |n: u64| (n.max(1) as f32 / most).clamp(1e-3, 1.0);
        LanguageShares { zh: share(zh), en: share(en) }
    }

    /// The share of `lang`.
    pub fn of(self, lang: paperdex_core::Lang) -> f32 {
        match lang {
            paperdex_core::Lang::Zh => self.zh,
            paperdex_core::Lang::En => self.en,
        }
    }

    /// The share of a list that reaches the papers of every language in `langs`: the largest.
    pub fn of_any(self, langs: &[paperdex_core::Lang]) -> f32 {
        langs.iter().map(|&lang| self.of(lang)).fold(0.0, f32::max)
    }
}

/// Merges per-language lists (each best first, each with its language's share of the
/// collection) by rank over share: with equal shares every language's first item comes before
/// any language's second; a language with a quarter of the other's papers gets one place in
/// five. Multilingual embeddings score a query's own language higher whatever the topic, and
/// keywords match the query's own language best; comparing ranks within each language removes
/// that bias, and the shares keep the small language from taking half of every page. An item
/// in several lists keeps its best place; ties go to the higher score.
pub fn interleave_by_share<T: Clone, K: Eq + std::hash::Hash>(
    lists: &[(&[T], f32)],
    key: impl Fn(&T) -> K,
    score: impl Fn(&T) -> f32,
) -> Vec<T> {
    let mut best: HashMap<K, (f64, T)> = HashMap::new();
    for (list, share) in lists {
        let share = f64::from(share.max(1e-3));
        for (rank, item) in list.iter().enumerate() {
            let place = (rank + 1) as f64 / share;
            match best.entry(key(item)) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let (p, old) = e.get();
                    if place < *p || (place == *p && score(item) > score(old)) {
                        e.insert((place, item.clone()));
                    }
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((place, item.clone()));
                }
            }
        }
    }
    let mut merged: Vec<(f64, T)> = best.into_values().collect();
    merged.sort_by(|a, b| a.0.total_cmp(&b.0).then(score(&b.1).total_cmp(&score(&a.1))));
    merged.into_iter().map(|(_, item)| item).collect()
}

/// `deep` reordered to begin with `shallow`: the items of `shallow` first, in its order (as
/// `shallow` has them), then the rest of `deep` in its order. A ranking to a deeper depth is
/// not a longer copy of a shallower one (fused ranks move, pruned candidates change, a date
/// order takes in newer papers), so pages cut from the two would repeat some papers and skip
/// others; the deeper ranking so made carries on where the shallower one stops
/// ([`crate::limits::ranking_depths`]).
pub(crate) fn extend_ranking<T, K: Eq + std::hash::Hash>(
    shallow: Vec<T>,
    deep: Vec<T>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let seen: std::collections::HashSet<K> = shallow.iter().map(&key).collect();
    let mut ranking = shallow;
    ranking.extend(deep.into_iter().filter(|item| !seen.contains(&key(item))));
    ranking
}

/// The ranking pages are cut from: `rank(depth)` for the first of `depths`, each deeper one
/// carrying on where the one before stops ([`extend_ranking`]).
pub(crate) fn ranked_to_depths<T, K: Eq + std::hash::Hash>(
    depths: &[usize],
    mut rank: impl FnMut(usize) -> crate::error::Result<Vec<T>>,
    key: impl Fn(&T) -> K,
) -> crate::error::Result<Vec<T>> {
    let mut ranking = rank(depths[0])?;
    for &depth in &depths[1..] {
        ranking = extend_ranking(ranking, rank(depth)?, &key);
    }
    Ok(ranking)
}

/// `ranking` (best first) ordered newest first by `day` within each band of `depths` (the
/// first `depths[0]`, then up to `depths[1]`, …), ties in their order: a date order over the
/// best 1,000 took newer papers into the pages already shown from the best 100.
pub(crate) fn newest_first_by_depth<T>(ranking: &mut [T], depths: &[usize], day: impl Fn(&T) -> u64) {
    let mut from = 0;
    for &depth in depths {
        let to = depth.min(ranking.len());
        if from < to {
            // Each item's day read once (a fast field's column opened per read), ties kept in
            // order as with `sort_by_key`.
            ranking[from..to].sort_by_cached_key(|item| std::cmp::Reverse(day(item)));
        }
        from = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deeper_ranking_carries_on_where_the_shallower_one_stops() {
        let shallow = vec![("a", 1), ("b", 1), ("c", 1)];
        let deep = vec![("b", 2), ("d", 2), ("a", 2), ("e", 2), ("c", 2)];
        let ranking = extend_ranking(shallow, deep, |x| x.0);
        assert_eq!(ranking, [("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2)]);
    }

    #[test]
    fn rrf_rewards_papers_both_retrievers_found() {
        let bm25 = [("a", 9.0), ("b", 5.0), ("c", 1.0)];
        let vector = [("d", 0.9), ("b", 0.8), ("c", 0.7)];
        let fused = fuse(&bm25, &vector, Fusion::default());
        let order: Vec<_> = fused.iter().map(|f| f.key).collect();
        assert_eq!(order[0], "b", "second in both beats first in one: {order:?}");
        assert_eq!(fused[0].bm25, Some((2, 5.0)));
        assert_eq!(fused[0].vector, Some((2, 0.8)));
        assert_eq!(fused.len(), 4);
        let d = fused.iter().find(|f| f.key == "d").expect("d fused");
        assert_eq!(d.bm25, None);
    }

    #[test]
    fn rrf_weights_say_how_much_each_retriever_counts() {
        let bm25 = [("a", 9.0)];
        let vector = [("b", 0.9)];
        let vectors_count_more = Fusion::Rrf { k: 20.0, bm25_weight: 0.5, vector_weight: 1.0 };
        assert_eq!(fuse(&bm25, &vector, vectors_count_more)[0].key, "b");
        assert_eq!(fuse(&bm25, &vector, Fusion::default())[0].key, "a");
    }

    #[test]
    fn a_strong_keyword_hit_is_not_buried_by_semantic_near_misses() {
        // "exact" is BM25's first and only 8th by meaning; the vectors' favourites match no
        // query word although they are written in the query's language.
        let bm25 = [("exact", 30.0), ("other", 3.0)];
        let vector: Vec<(&str, f32)> =
            ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "exact"].iter().map(|k| (*k, 0.8)).collect();
        let fused = fuse(&bm25, &vector, Fusion::default());
        assert_eq!(fused[0].key, "exact", "{fused:?}");
    }

    #[test]
    fn a_paper_keywords_cannot_see_is_not_punished_for_it() {
        // A Chinese query: "zh*" have Chinese text, "en1" only an English abstract, so BM25
        // could never list it. By meaning it is the best answer.
        let bm25 = [("zh1", 9.0), ("zh2", 5.0), ("zh3", 4.0)];
        let vector = [("en1", 0.9), ("zh1", 0.8), ("zh3", 0.7), ("zh2", 0.6)];
        let sees = |key: &&str| key.starts_with("zh");
        for fusion in [Fusion::default(), Fusion::CLASSIC_RRF, Fusion::Weighted { bm25_weight: 0.5 }] {
            let position = |fused: Vec<Fused<&str>>| fused.iter().position(|f| f.key == "en1");
            let seen = position(fuse_where_keywords_see(&bm25, &vector, fusion, sees));
            assert!(seen < Some(2), "{fusion:?}: en1 at {seen:?}");
            // Counted as a BM25 miss, it would fall behind.
            let blind = position(fuse(&bm25, &vector, fusion));
            assert!(blind > seen, "{fusion:?}: en1 at {blind:?} when counted as a miss");
        }
    }

    #[test]
    fn fusion_settings_read_from_text_and_back() {
        assert_eq!("rrf".parse::<Fusion>(), Ok(Fusion::default()));
        assert_eq!("rrf:k=60,bm25=1,vector=1".parse::<Fusion>(), Ok(Fusion::CLASSIC_RRF));
        assert_eq!("weighted:bm25=0.7".parse::<Fusion>(), Ok(Fusion::Weighted { bm25_weight: 0.7 }));
        // Names in any case, as every named value is read.
        assert_eq!("RRF:K=60,BM25=1,Vector=1".parse::<Fusion>(), Ok(Fusion::CLASSIC_RRF));
        assert_eq!("Weighted".parse::<Fusion>(), Ok(Fusion::Weighted { bm25_weight: 0.5 }));
        assert_eq!("Borda:k=1".parse::<Fusion>(), Err("unknown fusion \"Borda\": expected `rrf` or `weighted`".into()));
        for fusion in [Fusion::default(), Fusion::CLASSIC_RRF, Fusion::Weighted { bm25_weight: 0.25 }] {
            assert_eq!(fusion.to_string().parse::<Fusion>(), Ok(fusion));
        }
        for bad in [
            "borda",
            "rrf:k",
            "rrf:k=-1",
            "rrf:k=NaN",
            "rrf:alpha=1",
            "weighted:bm25=2",
            "weighted:k=3",
            "rrf:bm25=0,vector=0",
            "rrf:k=99999999999999999999",
            "rrf:vector=1e308",
            "rrf:k=60,k=10",
        ] {
            assert!(bad.parse::<Fusion>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn weighted_fusion_follows_the_weight() {
        let bm25 = [("a", 10.0), ("b", 0.0)];
        let vector = [("b", 0.9), ("a", 0.1)];
        assert_eq!(fuse(&bm25, &vector, Fusion::Weighted { bm25_weight: 0.9 })[0].key, "a");
        assert_eq!(fuse(&bm25, &vector, Fusion::Weighted { bm25_weight: 0.1 })[0].key, "b");
    }

    #[test]
    fn interleaving_puts_each_languages_best_first() {
        // Chinese papers all score higher for a Chinese query; the English answer still
        // comes second, not after every Chinese paper.
        let zh = [("zh1", 0.90), ("zh2", 0.89), ("zh3", 0.88)];
        let en = [("en1", 0.80), ("en2", 0.70)];
        let merged: Vec<_> = interleave_by_share(&[(&zh[..], 1.0), (&en[..], 1.0)], |x| x.0, |x| x.1)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(merged, vec!["zh1", "en1", "zh2", "en2", "zh3"]);
    }

    #[test]
    fn a_language_with_a_quarter_of_the_papers_gets_one_place_in_five() {
        let shares = LanguageShares::from_paper_counts(250, 1000);
        assert_eq!(shares.of(paperdex_core::Lang::Zh), 0.25);
        assert_eq!(shares.of(paperdex_core::Lang::En), 1.0);
        let zh = [("zh1", 0.90), ("zh2", 0.89)];
        let en: Vec<_> = [("en1", 0.8), ("en2", 0.7), ("en3", 0.6), ("en4", 0.5), ("en5", 0.4), ("en6", 0.3)].into();
        let merged: Vec<_> = interleave_by_share(
            &[(&zh[..], shares.of(paperdex_core::Lang::Zh)), (&en[..], shares.of(paperdex_core::Lang::En))],
            |x| x.0,
            |x| x.1,
        )
        .into_iter()
        .map(|(k, _)| k)
        .collect();
        // zh1 stands at 1 / 0.25 = 4, level with en4, and wins the tie on its score.
        assert_eq!(merged, vec!["en1", "en2", "en3", "zh1", "en4", "en5", "en6", "zh2"]);
    }

    #[test]
    fn a_list_in_both_languages_has_the_larger_share() {
        use paperdex_core::Lang;
        let shares = LanguageShares::from_paper_counts(200, 1000);
        assert_eq!(shares.of_any(&[Lang::Zh]), 0.2);
        assert_eq!(shares.of_any(&[Lang::Zh, Lang::En]), 1.0);
    }

    #[test]
    fn a_language_without_papers_neither_divides_by_zero_nor_vanishes() {
        let shares = LanguageShares::from_paper_counts(0, 500);
        assert!(shares.of(paperdex_core::Lang::Zh) > 0.0);
        assert_eq!(LanguageShares::from_paper_counts(0, 0), LanguageShares::EQUAL);
        let merged = interleave_by_share(
            &[(&[("zh1", 0.9)][..], shares.of(paperdex_core::Lang::Zh)), (&[("en1", 0.5)][..], 1.0)],
            |x| x.0,
            |x| x.1,
        );
        assert_eq!(merged.iter().map(|x| x.0).collect::<Vec<_>>(), vec!["en1", "zh1"]);
    }

    #[test]
    fn a_paper_in_both_languages_keeps_its_best_rank_once() {
        let merged = interleave_by_share(
            &[(&[("p", 0.9), ("q", 0.8)][..], 1.0), (&[("q", 0.7), ("p", 0.6)][..], 1.0)],
            |x| x.0,
            |x| x.1,
        );
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].0, "p");
    }

    #[test]
    fn a_paper_put_first_leads_at_the_first_score_and_the_rest_keep_their_order() {
        let mut fused = fuse(&[("a", 9.0), ("b", 3.0)], &[("b", 0.9), ("c", 0.8)], Fusion::default());
        let before: Vec<&str> = fused.iter().map(|f| f.key).collect();
        assert_ne!(before[0], "a", "the vectors outvote the words here: {before:?}");
        let top = fused[0].score;
        put_first(&mut fused, &["a"]);
        let after: Vec<&str> = fused.iter().map(|f| f.key).collect();
        let rest: Vec<&str> = before.iter().copied().filter(|&k| k != "a").collect();
        assert_eq!(after[0], "a");
        assert_eq!(&after[1..], &rest[..]);
        assert_eq!(fused[0].score, top, "scores still fall along the list");
        put_first(&mut fused, &["z"]);
        assert_eq!(fused.len(), 3, "a paper not in the list is not added");
        // Several lead in the order they had.
        put_first(&mut fused, &["c", "b"]);
        let keys: Vec<&str> = fused.iter().map(|f| f.key).collect();
        let (b, c) = (before.iter().position(|&k| k == "b"), before.iter().position(|&k| k == "c"));
        assert_eq!(&keys[..2], if b < c { ["b", "c"] } else { ["c", "b"] });
        assert!(fused.windows(2).all(|w| w[0].score >= w[1].score), "scores still fall along the list");
    }
}
