//! What-if weights (issue 12): a combined index rebuilt in the browser from the domain values the
//! page already has, with core's method ([`cnimap_core::reweight`]), and handed to the map, the
//! legend and the left-behind views as an ordinary values document.
//!
//! Pure: the weights a slider makes, the rebuilt values, and which areas moved into or out of the
//! worst tenth.

use std::collections::BTreeMap;

use cnimap_core::api::ValuesResponse;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::classify::decile_counts;
use cnimap_core::reweight::{CompositeIndex, DomainScores, ReweightError, Weights};

/// The user's weights per index. An index that is absent keeps its published weights.
pub type CustomWeights = BTreeMap<CompositeIndex, Weights>;

/// The combined index an indicator is, when it can be rebuilt from domains.
pub fn composite_of(indicator: IndicatorId) -> Option<CompositeIndex> {
    CompositeIndex::ALL
        .into_iter()
        .find(|c| c.indicator() == indicator)
}

/// The catalogue ids of an index's domains, in its domain order.
pub fn domain_indicators(index: CompositeIndex) -> Result<Vec<IndicatorId>, String> {
    index
        .domains()
        .iter()
        .map(|d| {
            IndicatorId::parse(d.indicator)
                .map_err(|e| format!("{}: domain {}: {e}", index.id(), d.key))
        })
        .collect()
}

/// `weights` with domain `at` set to `percent` (clamped to 0..=100) and the other domains sharing
/// the rest in their current proportions (equally when they all weigh nothing), so that the
/// percentages still add to 100: what moving one slider does.
pub fn set_domain(weights: &Weights, at: usize, percent: f64) -> Result<Weights, ReweightError> {
    let index = weights.index;
    let percent = if percent.is_finite() {
        percent.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let current = weights.percent();
    let others: f64 = current
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at)
        .map(|(_, p)| p)
        .sum();
    let n_others = current.len().saturating_sub(1).max(1) as f64;
    let pairs = index.domains().iter().enumerate().map(|(i, d)| {
        let p = if i == at {
            percent
        } else if others > 0.0 {
            current[i] * (100.0 - percent) / others
        } else {
            (100.0 - percent) / n_others
        };
        (d.key, p)
    });
    Weights::from_pairs(index, pairs)
}

/// Stores `weights` for its index, or forgets them when they are the published ones.
pub fn put(custom: &mut CustomWeights, weights: Weights) {
    if weights.is_official() {
        custom.remove(&weights.index);
    } else {
        custom.insert(weights.index, weights);
    }
}

/// The domains' transformed ranks over the areas that every domain ranks, and where those areas
/// sit in the layer (feature indexes): computed once per index, re-weighted on every change.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The transformed domains over the ranked areas.
    pub scores: DomainScores,
    /// Feature index of each ranked area, in the order of `scores`.
    pub positions: Vec<usize>,
    /// Features in the layer.
    pub features: usize,
}

/// Prepares `index` from its domains' values documents (in domain order). Areas some domain does
/// not rank (Welsh LSOAs on the map, say) are left out; every domain must rank the same areas.
pub fn prepare(index: CompositeIndex, domains: &[&ValuesResponse]) -> Result<Prepared, String> {
    let features = domains.first().map_or(0, |d| d.rank.len());
    if let Some(d) = domains.iter().find(|d| d.rank.len() != features) {
        return Err(format!(
            "{}: the domain {} has {} areas, the first has {features}",
            index.id(),
            d.indicator,
            d.rank.len()
        ));
    }
    let positions: Vec<usize> = (0..features)
        .filter(|&i| domains.iter().all(|d| d.rank[i].is_some()))
        .collect();
    if let Some(d) = domains
        .iter()
        .find(|d| d.rank.iter().filter(|r| r.is_some()).count() != positions.len())
    {
        return Err(format!(
            "{}: the domain {} ranks areas the other domains do not",
            index.id(),
            d.indicator
        ));
    }
    let ranks: Vec<Vec<u32>> = domains
        .iter()
        .map(|d| positions.iter().filter_map(|&i| d.rank[i]).collect())
        .collect();
    let columns: Vec<&[u32]> = ranks.iter().map(Vec::as_slice).collect();
    let scores = DomainScores::from_ranks(index, &columns).map_err(|e| e.to_string())?;
    Ok(Prepared {
        scores,
        positions,
        features,
    })
}

/// The published values document with its ranks, deciles and scores replaced by the index
/// rebuilt with `weights` (the layer, the indicator id and the number ranked stay).
pub fn rebuilt_values(
    official: &ValuesResponse,
    prepared: &Prepared,
    weights: &Weights,
) -> ValuesResponse {
    let combined = prepared.scores.combine(weights);
    let mut rank = vec![None; prepared.features];
    let mut decile = vec![None; prepared.features];
    let mut score = vec![None; prepared.features];
    for (k, &i) in prepared.positions.iter().enumerate() {
        rank[i] = combined.rank.get(k).copied();
        decile[i] = combined.decile.get(k).copied();
        score[i] = combined.score.get(k).map(|s| (s * 1000.0).round() / 1000.0);
    }
    let decile_counts = decile_counts(decile.iter().copied());
    ValuesResponse {
        layer: official.layer,
        indicator: official.indicator.clone(),
        n_ranked: u32::try_from(prepared.positions.len()).unwrap_or(u32::MAX),
        decile,
        rank,
        score: Some(score),
        decile_counts,
    }
}

/// Areas (feature indexes) that entered or left decile 1 against the published index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves {
    /// In decile 1 with the user's weights, not in the published index.
    pub entered: Vec<usize>,
    /// In decile 1 of the published index, not with the user's weights.
    pub left: Vec<usize>,
}

/// Which areas moved into or out of decile 1.
pub fn moves(official: &ValuesResponse, rebuilt: &ValuesResponse) -> Moves {
    let mut m = Moves::default();
    for (i, (was, is)) in official.decile.iter().zip(&rebuilt.decile).enumerate() {
        match (*was == Some(1), *is == Some(1)) {
            (false, true) => m.entered.push(i),
            (true, false) => m.left.push(i),
            _ => {}
        }
    }
    m
}

/// "412 neighbourhoods moved into the most deprived 10% and 412 moved out of it, against the
/// published IMD 2025."
pub fn moves_sentence(index: CompositeIndex, m: &Moves) -> String {
    let def = index.indicator().def();
    let noun = def.level().areas_noun();
    if m.entered.is_empty() && m.left.is_empty() {
        return format!(
            "The same {noun} are in the {} 10% as in the published {}.",
            index.worst_words(),
            def.title
        );
    }
    format!(
        "{} {noun} moved into the {} 10% and {} moved out of it, against the published {}.",
        cnimap_core::classify::format_thousands(u32::try_from(m.entered.len()).unwrap_or(0)),
        index.worst_words(),
        cnimap_core::classify::format_thousands(u32::try_from(m.left.len()).unwrap_or(0)),
        def.title
    )
}

/// The URL parameter of an index's weights: `w.imd2025`.
pub fn url_key(index: CompositeIndex) -> String {
    format!("w.{}", index.id())
}

/// Reads a `w.<index>` URL parameter: `None` for another key, an unknown index or weights that do
/// not parse (the URL then falls back to the published weights).
pub fn parse_url_param(key: &str, value: &str) -> Option<Weights> {
    let index = CompositeIndex::parse(key.strip_prefix("w.")?).ok()?;
    Weights::parse(index, value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::Level;

    fn doc(indicator: &str, rank: Vec<Option<u32>>) -> ValuesResponse {
        let n = rank.iter().filter(|r| r.is_some()).count() as u32;
        let decile: Vec<Option<u8>> = rank
            .iter()
            .map(|r| r.and_then(|r| cnimap_core::classify::decile_from_rank(r, n)))
            .collect();
        ValuesResponse {
            layer: Level::Lsoa21,
            indicator: indicator.to_string(),
            n_ranked: n,
            decile_counts: decile_counts(decile.iter().copied()),
            decile,
            rank,
            score: None,
        }
    }

    /// Twenty areas and a Welsh one (no ranks) in the middle; domain `d` ranks area `i` at
    /// `(i * step) % 20 + 1` with a step prime to 20, so each domain's ranks are a permutation.
    fn domains(index: CompositeIndex) -> Vec<ValuesResponse> {
        index
            .domains()
            .iter()
            .enumerate()
            .map(|(d, dom)| {
                let step = [1, 3, 7, 9, 11, 13, 17][d % 7];
                let mut rank: Vec<Option<u32>> =
                    (0..20u32).map(|i| Some((i * step) % 20 + 1)).collect();
                rank.insert(10, None);
                doc(dom.indicator, rank)
            })
            .collect()
    }

    #[test]
    fn one_domain_only_gives_that_domains_ranks_back() {
        let index = CompositeIndex::Imd2025;
        let docs = domains(index);
        let refs: Vec<&ValuesResponse> = docs.iter().collect();
        let prepared = prepare(index, &refs).expect("prepared");
        assert_eq!(prepared.positions.len(), 20);
        assert_eq!(prepared.features, 21);
        let official = doc("imd2025", docs[0].rank.clone());
        for (d, dom) in index.domains().iter().enumerate() {
            let only = Weights::only(index, dom.key).expect("weights");
            let rebuilt = rebuilt_values(&official, &prepared, &only);
            assert_eq!(rebuilt.rank, docs[d].rank, "domain {}", dom.key);
            assert_eq!(rebuilt.decile[10], None, "the unranked area stays unranked");
            assert_eq!(rebuilt.decile_counts.iter().sum::<u32>(), 20);
        }
    }

    #[test]
    fn moving_one_slider_keeps_the_others_in_proportion_and_the_total_at_100() {
        let official = Weights::official(CompositeIndex::Imd2025);
        let w = set_domain(&official, 0, 50.0).expect("weights");
        let p = w.percent();
        assert!((p[0] - 50.0).abs() < 1e-9, "{p:?}");
        assert!((p.iter().sum::<f64>() - 100.0).abs() < 1e-9, "{p:?}");
        // Employment and education were 22.5 and 13.5: still 5 to 3.
        assert!((p[1] / p[2] - 22.5 / 13.5).abs() < 1e-9, "{p:?}");
        // All on one domain, then another slider up: the rest share equally.
        let only = set_domain(&official, 0, 100.0).expect("weights");
        let two = set_domain(&only, 1, 40.0).expect("weights");
        assert!(
            (two.percent()[0] - 60.0).abs() < 1e-9,
            "{:?}",
            two.percent()
        );
        assert!(set_domain(&official, 3, f64::NAN).is_ok());
    }

    #[test]
    fn published_weights_are_forgotten_and_others_kept() {
        let mut custom = CustomWeights::new();
        let equal = Weights::equal(CompositeIndex::Imd2025);
        put(&mut custom, equal.clone());
        assert_eq!(custom.get(&CompositeIndex::Imd2025), Some(&equal));
        put(&mut custom, Weights::official(CompositeIndex::Imd2025));
        assert!(custom.is_empty());
    }

    #[test]
    fn moves_count_areas_entering_and_leaving_decile_1() {
        let official = doc("imd2025", (1..=20).map(Some).collect());
        let rebuilt = doc("imd2025", (1..=20).rev().map(Some).collect());
        let m = moves(&official, &rebuilt);
        assert_eq!(m.entered, vec![18, 19]);
        assert_eq!(m.left, vec![0, 1]);
        let s = moves_sentence(CompositeIndex::Imd2025, &m);
        assert!(
            s.starts_with("2 neighbourhoods moved into the most deprived 10%"),
            "{s}"
        );
        assert!(moves_sentence(CompositeIndex::Imd2025, &Moves::default()).starts_with("The same"));
    }

    #[test]
    fn url_params_round_trip_and_refuse_nonsense() {
        let w = set_domain(&Weights::official(CompositeIndex::Cni2023), 0, 60.0).expect("w");
        let key = url_key(CompositeIndex::Cni2023);
        assert_eq!(key, "w.cni2023");
        let back = parse_url_param(&key, &w.to_query()).expect("parsed");
        assert_eq!(back.to_query(), w.to_query());
        assert_eq!(parse_url_param("w.imd2030", "equal"), None);
        assert_eq!(parse_url_param("w.imd2025", "income=abc"), None);
        assert_eq!(parse_url_param("i", "imd2025"), None);
    }

    #[test]
    fn every_composite_index_names_catalogue_indicators() {
        for index in CompositeIndex::ALL {
            let ids = domain_indicators(index).expect("known domains");
            assert_eq!(ids.len(), index.domains().len());
            assert_eq!(composite_of(index.indicator()), Some(index));
        }
        assert_eq!(composite_of(IndicatorId::CNI2019), None);
    }
}
