//! Cross-checks of derived figures against published ones: the left-behind rule applied to
//! [`LEFT_BEHIND_PAIR`](cnimap_core::left_behind::LEFT_BEHIND_PAIR) against the need index file's `Left Behind Area?` column, and the official
//! list of 225 left-behind wards against their outlines file.

use std::collections::HashSet;

use cnimap_core::catalogue::IndicatorId;
use cnimap_core::left_behind::{IndexPair, LeftBehindRule};

use crate::boundary::BoundaryFeature;
use crate::layer::{AreaLayer, IndicatorValues};

/// A derived left-behind flag and how it compares with the published one.
#[derive(Debug, Clone)]
pub struct LeftBehindCheck {
    /// What is compared with what ("Community Needs Index 2023 x Index of Multiple Deprivation
    /// 2025, ...").
    pub title: String,
    /// The rule.
    pub percent: u8,
    /// Areas flagged by the rule.
    pub derived: usize,
    /// Areas flagged in the file.
    pub published: usize,
    /// Areas where the two disagree.
    pub disagree: usize,
}

/// The left-behind flag of `pair` under `rule`, by feature index of `pair.level`, from the two
/// indices' values. Empty when either index is missing or is not published on `pair.level` (its
/// ranks would not line up with the level's areas).
pub fn left_behind_flags(
    pair: IndexPair,
    need: Option<&IndicatorValues>,
    deprivation: Option<&IndicatorValues>,
    rule: LeftBehindRule,
) -> Vec<bool> {
    let on_level = |v: &IndicatorValues| v.def.level() == pair.level;
    match (need, deprivation) {
        (Some(need), Some(dep)) if on_level(need) && on_level(dep) => (0..need.rank.len())
            .map(|i| pair.is_left_behind(rule, need.ranked(i), dep.ranked(i)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The rule for `pair` (`derived`, by feature index) against the flag published in the need
/// index's file (`published`, aligned the same way).
pub(super) fn rule_vs_file(
    pair: IndexPair,
    rule: LeftBehindRule,
    derived: &[bool],
    published: &[bool],
) -> LeftBehindCheck {
    let disagree = derived
        .iter()
        .zip(published)
        .filter(|(a, b)| a != b)
        .count();
    LeftBehindCheck {
        title: format!(
            "{} x {}, {} ({}), worst {}% on both (rule) vs the file's Left Behind Area? column",
            pair.need.def().title,
            pair.deprivation.def().title,
            pair.level.areas_noun(),
            pair.level.id(),
            rule.percent()
        ),
        percent: rule.percent(),
        derived: count(derived),
        published: count(published),
        disagree,
    }
}

/// The official list of left-behind wards in the CNI 2019 file (`official`, by feature index of
/// `wards`) against the codes of the outlines file.
pub(super) fn official_wards_vs_outlines(
    rule: LeftBehindRule,
    wards: &AreaLayer,
    official: &[bool],
    outlines: &[BoundaryFeature],
) -> LeftBehindCheck {
    let outlined: HashSet<&str> = outlines.iter().map(|f| f.code.as_str()).collect();
    let disagree = wards
        .codes
        .iter()
        .zip(official)
        .filter(|(c, f)| **f != outlined.contains(c.as_str()))
        .count();
    LeftBehindCheck {
        title: format!(
            "official 225 wards, {} list vs the outlines file",
            IndicatorId::CNI2019.def().title
        ),
        percent: rule.percent(),
        derived: outlined.len(),
        published: count(official),
        disagree,
    }
}

/// How many flags are set.
fn count(flags: &[bool]) -> usize {
    flags.iter().filter(|f| **f).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::catalogue::IndicatorDef;
    use cnimap_core::left_behind::LEFT_BEHIND_PAIR;

    fn values(id: IndicatorId, rank: Vec<Option<u32>>) -> IndicatorValues {
        let def: &'static IndicatorDef = id.def();
        IndicatorValues {
            def,
            n_ranked: 20,
            score: None,
            decile: vec![None; rank.len()],
            rank,
            decile_counts: [0; 10],
        }
    }

    #[test]
    fn the_pair_flags_areas_within_the_worst_ten_percent_on_both_indices() {
        // 10% of 20 ranked areas: ranks 1 and 2.
        let need = values(IndicatorId::CNI2023, vec![Some(1), Some(2), Some(3), None]);
        let dep = values(
            IndicatorId::IMD2025,
            vec![Some(2), Some(9), Some(1), Some(1)],
        );
        let flags = left_behind_flags(
            LEFT_BEHIND_PAIR,
            Some(&need),
            Some(&dep),
            LeftBehindRule::default(),
        );
        assert_eq!(flags, [true, false, false, false]);
    }

    #[test]
    fn an_index_on_another_level_or_missing_gives_no_flags() {
        let need = values(IndicatorId::CNI2019, vec![Some(1)]);
        let dep = values(IndicatorId::IMD2025, vec![Some(1)]);
        let rule = LeftBehindRule::default();
        assert!(left_behind_flags(LEFT_BEHIND_PAIR, Some(&need), Some(&dep), rule).is_empty());
        assert!(left_behind_flags(LEFT_BEHIND_PAIR, None, Some(&dep), rule).is_empty());
    }

    #[test]
    fn the_rule_check_names_the_pair_and_counts_disagreements() {
        let check = rule_vs_file(
            LEFT_BEHIND_PAIR,
            LeftBehindRule::default(),
            &[true, true, false, false],
            &[true, false, true, false],
        );
        assert_eq!((check.derived, check.published, check.disagree), (2, 2, 2));
        assert!(
            check.title.starts_with(
                "Community Needs Index 2023 x Index of Multiple Deprivation 2025, neighbourhoods"
            ),
            "{}",
            check.title
        );
    }
}
