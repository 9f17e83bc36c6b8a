//! The map classes of each view, from `/api/values` arrays, with the core's classification,
//! bivariate classes and left-behind rule: decile classes, bivariate classes, left-behind flags,
//! and which layer a view draws.
//!
//! Class numbers are what the map stores in feature state (see [`crate::style`]): 0 always means
//! "no value".

use std::sync::Arc;

use cnimap_core::api::ValuesResponse;
use cnimap_core::bivariate::{bivariate_class, BivariateClass};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::colour::Ramp;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};

use crate::layers::AreaLayer;
use crate::url_state::ViewMode;

/// The values of [`LEFT_BEHIND_PAIR`] (CNI 2023 and IMD 2025, both on LSOA 2021), for the
/// bivariate and left-behind views.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The need index ([`cnimap_core::left_behind::IndexPair::need`]).
    pub need: Arc<ValuesResponse>,
    /// The deprivation index ([`cnimap_core::left_behind::IndexPair::deprivation`]).
    pub deprivation: Arc<ValuesResponse>,
}

/// The layer the double-disadvantage views draw: the level of [`LEFT_BEHIND_PAIR`].
pub fn pair_layer() -> AreaLayer {
    AreaLayer::of(LEFT_BEHIND_PAIR.level).unwrap_or(AreaLayer::Lsoa21)
}

/// The layer an indicator is published on.
pub fn indicator_layer(indicator: IndicatorId) -> AreaLayer {
    AreaLayer::of(indicator.def().level()).unwrap_or(AreaLayer::Lsoa21)
}

/// The layer a view draws.
pub fn active_layer(view: ViewMode, indicator: IndicatorId) -> AreaLayer {
    match view {
        ViewMode::Choropleth => indicator_layer(indicator),
        ViewMode::Bivariate | ViewMode::LeftBehind => pair_layer(),
        ViewMode::Change => AreaLayer::Lsoa21,
    }
}

/// The colour ramp of an indicator (deprivation or need).
pub fn indicator_ramp(indicator: IndicatorId) -> Ramp {
    Ramp::for_direction(indicator.def().direction())
}

/// Decile classes by feature index (0 = no value).
pub fn decile_classes(values: &ValuesResponse) -> Vec<u8> {
    values.decile.iter().map(|d| d.unwrap_or(0)).collect()
}

/// Bivariate classes by feature index: [`BivariateClass::index`] + 1, 0 when either rank is
/// missing.
pub fn bivariate_classes(pair: &Pair) -> Vec<u8> {
    let (dep, need) = (&pair.deprivation, &pair.need);
    dep.rank
        .iter()
        .zip(need.rank.iter())
        .map(|(d, n)| match (d, n) {
            (Some(d), Some(n)) => bivariate_class(*d, dep.n_ranked, *n, need.n_ranked)
                .map(|class| class.index() as u8 + 1)
                .unwrap_or(0),
            _ => 0,
        })
        .collect()
}

/// Left-behind flags by feature index: 1 = left behind under `rule`, 2 = not, 0 = a rank missing.
pub fn left_behind_flags(pair: &Pair, rule: LeftBehindRule) -> Vec<u8> {
    let (dep, need) = (&pair.deprivation, &pair.need);
    dep.rank
        .iter()
        .zip(need.rank.iter())
        .map(|(d, n)| match (d, n) {
            (Some(_), Some(_)) => {
                if LEFT_BEHIND_PAIR.is_left_behind(rule, (*n, need.n_ranked), (*d, dep.n_ranked)) {
                    1
                } else {
                    2
                }
            }
            _ => 0,
        })
        .collect()
}

/// The feature indices flagged left behind (flag 1).
pub fn flagged_indices(flags: &[u8]) -> Vec<usize> {
    flags
        .iter()
        .enumerate()
        .filter(|(_, &f)| f == 1)
        .map(|(i, _)| i)
        .collect()
}

/// The left-behind method sentence for these values: [`LEFT_BEHIND_PAIR`]'s, the one the panel
/// and the API say too.
pub fn left_behind_method(pair: &Pair, rule: LeftBehindRule) -> String {
    LEFT_BEHIND_PAIR.method(rule, pair.need.n_ranked, pair.deprivation.n_ranked)
}

/// How many features fall in each bivariate class (by class index).
pub fn bivariate_counts(classes: &[u8]) -> [u32; 9] {
    let mut counts = [0u32; 9];
    for &c in classes {
        if (1..=9).contains(&c) {
            counts[usize::from(c - 1)] += 1;
        }
    }
    counts
}

/// The bivariate class of a class number as stored in feature state.
pub fn bivariate_of(number: u8) -> Option<BivariateClass> {
    number
        .checked_sub(1)
        .and_then(|i| BivariateClass::from_index(usize::from(i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::Level;

    fn values(indicator: IndicatorId, ranks: &[Option<u32>], n: u32) -> Arc<ValuesResponse> {
        Arc::new(ValuesResponse {
            layer: Level::Lsoa21,
            indicator: indicator.as_str().into(),
            n_ranked: n,
            decile: ranks
                .iter()
                .map(|r| r.and_then(|r| cnimap_core::classify::decile_from_rank(r, n)))
                .collect(),
            rank: ranks.to_vec(),
            score: None,
            decile_counts: [0; 10],
        })
    }

    fn pair(deprivation: &[Option<u32>], need: &[Option<u32>], n: u32) -> Pair {
        Pair {
            deprivation: values(IndicatorId::IMD2025, deprivation, n),
            need: values(IndicatorId::CNI2023, need, n),
        }
    }

    #[test]
    fn left_behind_needs_both_ranks_within_the_threshold() {
        let pair = pair(
            &[Some(1), Some(1), Some(100), None],
            &[Some(10), Some(11), Some(1), Some(1)],
            100,
        );
        let flags = LeftBehindRule::new(10).map(|r| left_behind_flags(&pair, r));
        assert_eq!(flags, Ok(vec![1, 2, 2, 0]));
        assert_eq!(flagged_indices(&[1, 2, 2, 0, 1]), vec![0, 4]);
    }

    #[test]
    fn bivariate_classes_count_into_nine_cells() {
        let pair = pair(
            &[Some(1), Some(90), Some(50), None],
            &[Some(1), Some(90), Some(1), Some(1)],
            90,
        );
        let classes = bivariate_classes(&pair);
        assert_eq!(classes[3], 0);
        let counts = bivariate_counts(&classes);
        assert_eq!(counts.iter().sum::<u32>(), 3);
        assert_eq!(counts[0], 1, "most deprived and highest need");
        assert_eq!(counts[8], 1, "least deprived and lowest need");
        assert_eq!(
            bivariate_of(classes[2]).map(|c| (c.deprivation, c.need)),
            Some((2, 1))
        );
    }

    #[test]
    fn views_follow_the_geography_of_their_data() {
        assert_eq!(
            active_layer(ViewMode::Choropleth, IndicatorId::IMD2019),
            AreaLayer::Lsoa11
        );
        let civic =
            IndicatorId::parse("cni2019_civic").map(|i| active_layer(ViewMode::Choropleth, i));
        assert_eq!(civic, Ok(AreaLayer::Ward17));
        assert_eq!(
            active_layer(ViewMode::Bivariate, IndicatorId::IMD2019),
            AreaLayer::Lsoa21
        );
    }

    #[test]
    fn the_list_and_the_panel_read_the_same_method_sentence_from_the_core() {
        let pair = pair(&[Some(1)], &[Some(1)], 33_755);
        let rule = LeftBehindRule::default();
        assert_eq!(
            left_behind_method(&pair, rule),
            LEFT_BEHIND_PAIR.method(rule, 33_755, 33_755)
        );
    }
}
