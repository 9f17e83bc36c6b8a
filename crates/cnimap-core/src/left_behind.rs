//! The "left behind" rule: an area within the worst X% on two indices at once (by default the 10%
//! highest-need areas on the Community Needs Index and the 10% most deprived on the IMD).
//!
//! An area is within the worst X% of `n` ranked areas when
//!
//! ```text
//! rank ≤ ⌊n × X ÷ 100⌋        equivalently  ⌈100 × rank ÷ n⌉ ≤ X
//! ```
//!
//! This is the same rule as MHCLG's deciles ([`crate::classify::decile_from_rank`],
//! `⌈10 × rank ÷ n⌉`): for X a multiple of 10 it is exactly "decile ≤ X ÷ 10". Checked on the real
//! data (CNI 2023 rank joined with IMD 2025 rank on the LSOA 2021 code, n = 33,755 for both): at 10%
//! the threshold is rank 3,375 and 1,262 LSOAs are flagged, the same 1,262 as the `Left Behind
//! Area?` column of the CNI 2023 file (CNI decile 1 and IMD 2025 decile 1), and at 20% (rank ≤
//! 6,751) 3,025 are flagged. Rounding the threshold up instead (rank ≤ 3,376) would give 1,263.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Direction, IndicatorId};
use crate::classify::format_thousands;
use crate::level::Level;

/// Why a left-behind rule could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The percentage is outside what the rule accepts.
    #[error("left-behind threshold {percent}% is out of range: choose a whole percentage from {min}% to {max}%")]
    PercentOutOfRange {
        /// The percentage asked for.
        percent: u8,
        /// The smallest accepted.
        min: u8,
        /// The largest accepted.
        max: u8,
    },
}

/// One of the two indices the rule compares, as the method sentence names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedIndex<'a> {
    /// Its name as the sentence should say it ("Community Needs Index 2023", "IMD 2025").
    pub title: &'a str,
    /// Which way its ranks run (decides "highest-need" or "most deprived").
    pub direction: Direction,
    /// How many areas it ranks.
    pub n: u32,
}

/// The two indices the left-behind rule compares, on the level both are published on. The one
/// place that says which they are, what they are called in the method sentence, and which kind of
/// area they rank: the panel, the list, the legend and the API all take their words from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexPair {
    /// The social-infrastructure index (first in every sentence).
    pub need: IndicatorId,
    /// The deprivation index.
    pub deprivation: IndicatorId,
    /// The geography both rank.
    pub level: Level,
}

/// Community Needs Index 2023 x IMD 2025 on LSOA 2021: the pair OCSI and Local Trust use for
/// left-behind neighbourhoods, and the one the file's `Left Behind Area?` flag reproduces.
pub const LEFT_BEHIND_PAIR: IndexPair = IndexPair {
    need: IndicatorId::CNI2023,
    deprivation: IndicatorId::IMD2025,
    level: Level::Lsoa21,
};

/// How the 2019 ward flag was decided, in words (the official list, not a rule cnimap applies).
pub fn official_2019_ward_sentence(on_list: bool) -> String {
    format!(
        "{} the official list of 225 left-behind wards (OCSI for Local Trust, 2019: the worst 10% on both the Community Needs Index 2019 and the IMD 2019).",
        if on_list { "On" } else { "Not on" }
    )
}

impl IndexPair {
    /// The two indices as the method sentence names them, given how many areas each ranks.
    pub fn ranked(
        &self,
        n_need: u32,
        n_deprivation: u32,
    ) -> (RankedIndex<'static>, RankedIndex<'static>) {
        let index = |id: IndicatorId, n: u32| RankedIndex {
            title: id.def().title,
            direction: id.def().direction(),
            n,
        };
        (
            index(self.need, n_need),
            index(self.deprivation, n_deprivation),
        )
    }

    /// Whether an area with these ranks (either may be missing) is left behind under `rule`.
    pub fn is_left_behind(
        &self,
        rule: LeftBehindRule,
        need: (Option<u32>, u32),
        deprivation: (Option<u32>, u32),
    ) -> bool {
        match (need.0, deprivation.0) {
            (Some(a), Some(b)) => rule.is_left_behind(a, need.1, b, deprivation.1),
            _ => false,
        }
    }

    /// How the flag is made, in words: the sentence every view shows.
    pub fn method(&self, rule: LeftBehindRule, n_need: u32, n_deprivation: u32) -> String {
        let (a, b) = self.ranked(n_need, n_deprivation);
        rule.method(&a, &b, self.level.areas_noun())
    }

    /// The verdict for one area in words (see [`LeftBehindRule::explain`]).
    pub fn explain(
        &self,
        rule: LeftBehindRule,
        need: (Option<u32>, u32),
        deprivation: (Option<u32>, u32),
    ) -> String {
        let (a, b) = self.ranked(need.1, deprivation.1);
        rule.explain(&a, need.0, &b, deprivation.0)
    }
}

/// The rule "within the worst `percent`% on both indices".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct LeftBehindRule {
    percent: u8,
}

impl LeftBehindRule {
    /// The smallest percentage accepted.
    pub const MIN_PERCENT: u8 = 1;
    /// The largest percentage accepted.
    pub const MAX_PERCENT: u8 = 50;
    /// The smallest percentage the user interface offers.
    pub const UI_MIN_PERCENT: u8 = 5;
    /// The largest percentage the user interface offers.
    pub const UI_MAX_PERCENT: u8 = 30;
    /// The default, and the definition used by OCSI and Local Trust: the worst 10%.
    pub const DEFAULT_PERCENT: u8 = 10;

    /// A rule for the worst `percent`% (1..=50).
    pub fn new(percent: u8) -> Result<LeftBehindRule, RuleError> {
        if (Self::MIN_PERCENT..=Self::MAX_PERCENT).contains(&percent) {
            Ok(LeftBehindRule { percent })
        } else {
            Err(RuleError::PercentOutOfRange {
                percent,
                min: Self::MIN_PERCENT,
                max: Self::MAX_PERCENT,
            })
        }
    }

    /// The percentage.
    pub fn percent(&self) -> u8 {
        self.percent
    }

    /// The last rank within the worst `percent`% of `n` ranked areas: `⌊n × percent ÷ 100⌋`
    /// (3,375 of 33,755 at 10%). Can be 0 when `n` is small, and then nothing qualifies.
    pub fn threshold_rank(&self, n: u32) -> u32 {
        let threshold = u64::from(n) * u64::from(self.percent) / 100;
        // percent <= 50, so threshold <= n / 2 fits in u32.
        u32::try_from(threshold).unwrap_or(n)
    }

    /// Whether `rank` (1 = worst) of `n` is within the worst `percent`%. Rank 0 and ranks above `n`
    /// never are.
    pub fn is_within(&self, rank: u32, n: u32) -> bool {
        rank >= 1 && rank <= n && rank <= self.threshold_rank(n)
    }

    /// Whether an area is left behind: within the worst `percent`% on index A (`rank_a` of `n_a`)
    /// and on index B (`rank_b` of `n_b`).
    pub fn is_left_behind(&self, rank_a: u32, n_a: u32, rank_b: u32, n_b: u32) -> bool {
        self.is_within(rank_a, n_a) && self.is_within(rank_b, n_b)
    }

    /// How the flag is made, in words, for the legend and the method note: "Left behind: within
    /// the 10% highest-need neighbourhoods on the Community Needs Index 2023 (rank ≤ 3,375 of
    /// 33,755) and the 10% most deprived neighbourhoods on the IMD 2025 (rank ≤ 3,375 of 33,755)."
    /// `areas` names the kind of area ("neighbourhoods", "wards").
    pub fn method(&self, a: &RankedIndex<'_>, b: &RankedIndex<'_>, areas: &str) -> String {
        format!(
            "Left behind: within {} and {}.",
            self.clause(a, areas),
            self.clause(b, areas)
        )
    }

    /// The verdict for one area in words, naming its ranks: "Left behind: rank 1,204 of 33,755
    /// on the Community Needs Index 2023 and rank 3 of 33,755 on the IMD 2025 are both within the
    /// worst 10% (rank ≤ 3,375 of 33,755)." A missing rank is said to be missing.
    pub fn explain(
        &self,
        a: &RankedIndex<'_>,
        rank_a: Option<u32>,
        b: &RankedIndex<'_>,
        rank_b: Option<u32>,
    ) -> String {
        let within = |index: &RankedIndex<'_>, rank: Option<u32>| {
            rank.is_some_and(|r| self.is_within(r, index.n))
        };
        let describe = |index: &RankedIndex<'_>, rank: Option<u32>| match rank {
            Some(r) => format!(
                "rank {} of {} on the {}",
                format_thousands(r),
                format_thousands(index.n),
                index.title
            ),
            None => format!("no rank on the {}", index.title),
        };
        let limit = |index: &RankedIndex<'_>| {
            format!(
                "rank ≤ {} of {}",
                format_thousands(self.threshold_rank(index.n)),
                format_thousands(index.n)
            )
        };
        let limits = if a.n == b.n {
            limit(a)
        } else {
            format!("{} and {} respectively", limit(a), limit(b))
        };
        let (in_a, in_b) = (within(a, rank_a), within(b, rank_b));
        let verdict = match (in_a, in_b) {
            (true, true) => "are both within",
            (true, false) => "are not both within: only the first is within",
            (false, true) => "are not both within: only the second is within",
            (false, false) => "are neither within",
        };
        let head = if in_a && in_b {
            "Left behind"
        } else {
            "Not left behind"
        };
        format!(
            "{head}: {} and {} {verdict} the worst {}% ({limits}).",
            describe(a, rank_a),
            describe(b, rank_b),
            self.percent
        )
    }

    fn clause(&self, index: &RankedIndex<'_>, areas: &str) -> String {
        let worst = match index.direction {
            Direction::HighestNeedFirst => format!("highest-need {areas}"),
            Direction::MostDeprivedFirst => format!("most deprived {areas}"),
        };
        format!(
            "the {}% {worst} on the {} (rank ≤ {} of {})",
            self.percent,
            index.title,
            format_thousands(self.threshold_rank(index.n)),
            format_thousands(index.n)
        )
    }
}

impl Default for LeftBehindRule {
    /// The worst 10%, as OCSI and Local Trust define left-behind areas.
    fn default() -> Self {
        LeftBehindRule {
            percent: Self::DEFAULT_PERCENT,
        }
    }
}

impl TryFrom<u8> for LeftBehindRule {
    type Error = RuleError;

    fn try_from(percent: u8) -> Result<Self, Self::Error> {
        LeftBehindRule::new(percent)
    }
}

impl From<LeftBehindRule> for u8 {
    fn from(rule: LeftBehindRule) -> u8 {
        rule.percent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{decile_from_rank, quantile_from_rank};
    use rstest::rstest;

    const CNI: RankedIndex<'static> = RankedIndex {
        title: "Community Needs Index 2023",
        direction: Direction::HighestNeedFirst,
        n: 33_755,
    };
    const IMD: RankedIndex<'static> = RankedIndex {
        title: "IMD 2025",
        direction: Direction::MostDeprivedFirst,
        n: 33_755,
    };

    #[test]
    fn the_pair_names_its_indices_from_the_catalogue_and_its_areas_from_the_level() {
        let method = LEFT_BEHIND_PAIR.method(LeftBehindRule::default(), 33_755, 33_755);
        assert_eq!(
            method,
            "Left behind: within the 10% highest-need neighbourhoods on the Community Needs Index 2023 \
             (rank ≤ 3,375 of 33,755) and the 10% most deprived neighbourhoods on the Index of \
             Multiple Deprivation 2025 (rank ≤ 3,375 of 33,755)."
        );
        let rule = LeftBehindRule::default();
        assert!(LEFT_BEHIND_PAIR.is_left_behind(rule, (Some(3_375), 33_755), (Some(1), 33_755)));
        assert!(!LEFT_BEHIND_PAIR.is_left_behind(rule, (Some(3_376), 33_755), (Some(1), 33_755)));
        assert!(!LEFT_BEHIND_PAIR.is_left_behind(rule, (None, 33_755), (Some(1), 33_755)));
        let verdict = LEFT_BEHIND_PAIR.explain(rule, (Some(10), 33_755), (None, 33_755));
        assert!(verdict.starts_with("Not left behind: rank 10 of 33,755 on the Community Needs Index 2023 and no rank on the Index of Multiple Deprivation 2025"), "{verdict}");
    }

    fn rule(percent: u8) -> LeftBehindRule {
        LeftBehindRule::new(percent).unwrap_or_else(|e| panic!("{e}"))
    }

    #[rstest]
    #[case::zero(0)]
    #[case::fifty_one(51)]
    #[case::hundred(100)]
    #[case::max(u8::MAX)]
    fn percentages_outside_one_to_fifty_are_rejected(#[case] percent: u8) {
        let err = LeftBehindRule::new(percent);
        assert_eq!(
            err,
            Err(RuleError::PercentOutOfRange {
                percent,
                min: 1,
                max: 50
            })
        );
        let message = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains(&format!("{percent}%")), "{message}");
    }

    #[rstest]
    #[case::one(1)]
    #[case::ui_min(LeftBehindRule::UI_MIN_PERCENT)]
    #[case::ui_max(LeftBehindRule::UI_MAX_PERCENT)]
    #[case::fifty(50)]
    fn percentages_from_one_to_fifty_are_accepted(#[case] percent: u8) {
        assert_eq!(
            LeftBehindRule::new(percent).map(|r| r.percent()),
            Ok(percent)
        );
    }

    #[test]
    fn default_is_the_worst_ten_percent() {
        assert_eq!(LeftBehindRule::default().percent(), 10);
    }

    #[rstest]
    #[case::ten_percent_of_2021_lsoas(10, 33_755, 3_375)]
    #[case::twenty_percent_of_2021_lsoas(20, 33_755, 6_751)]
    #[case::ten_percent_of_2011_lsoas(10, 32_844, 3_284)]
    #[case::ten_percent_of_2017_wards(10, 7_433, 743)]
    #[case::five_percent_of_ten(5, 10, 0)]
    #[case::fifty_percent_of_three(50, 3, 1)]
    #[case::nothing_ranked(10, 0, 0)]
    fn threshold_rounds_down(#[case] percent: u8, #[case] n: u32, #[case] expected: u32) {
        assert_eq!(rule(percent).threshold_rank(n), expected);
    }

    #[test]
    fn multiples_of_ten_percent_agree_with_published_deciles() {
        for n in [1u32, 7, 10, 19, 100, 101, 7_433, 32_844, 33_755] {
            for percent in [10u8, 20, 30, 40, 50] {
                let r = rule(percent);
                let max_decile = percent / 10;
                for rank in 1..=n.min(5_000) {
                    let by_decile = decile_from_rank(rank, n).is_some_and(|d| d <= max_decile);
                    assert_eq!(
                        r.is_within(rank, n),
                        by_decile,
                        "n={n} {percent}% rank {rank}"
                    );
                }
            }
        }
    }

    #[test]
    fn any_percentage_agrees_with_percentiles() {
        for n in [3u32, 37, 1_000, 33_755] {
            for percent in LeftBehindRule::MIN_PERCENT..=LeftBehindRule::MAX_PERCENT {
                let r = rule(percent);
                let t = r.threshold_rank(n);
                for rank in [t.saturating_sub(1), t, t + 1]
                    .into_iter()
                    .filter(|&k| k >= 1 && k <= n)
                {
                    let by_percentile =
                        quantile_from_rank(rank, n, 100).is_some_and(|p| p <= percent);
                    assert_eq!(
                        r.is_within(rank, n),
                        by_percentile,
                        "n={n} {percent}% rank {rank}"
                    );
                }
            }
        }
    }

    #[rstest]
    #[case::both_worst(1, 1, true)]
    #[case::both_at_threshold(2, 2, true)]
    #[case::a_just_outside(3, 1, false)]
    #[case::b_just_outside(1, 3, false)]
    #[case::a_missing_rank(0, 1, false)]
    #[case::b_beyond_n(1, 21, false)]
    fn left_behind_needs_both_ranks_within_the_threshold(
        #[case] rank_a: u32,
        #[case] rank_b: u32,
        #[case] expected: bool,
    ) {
        // 10% of 20 areas: ranks 1 and 2.
        assert_eq!(rule(10).is_left_behind(rank_a, 20, rank_b, 20), expected);
    }

    #[test]
    fn each_index_uses_its_own_n() {
        // 10% of 20 is rank 2; 10% of 100 is rank 10.
        assert!(rule(10).is_left_behind(2, 20, 10, 100));
        assert!(!rule(10).is_left_behind(3, 20, 10, 100));
        assert!(!rule(10).is_left_behind(2, 20, 11, 100));
    }

    #[test]
    fn widening_the_rule_never_drops_an_area() {
        let n = 200;
        for rank_a in 1..=n {
            let rank_b = n + 1 - rank_a;
            let mut was = false;
            for percent in 1..=50 {
                let is = rule(percent).is_left_behind(rank_a, n, rank_b, n);
                assert!(is || !was, "rank {rank_a} dropped at {percent}%");
                was = is;
            }
        }
    }

    #[test]
    fn method_says_how_the_flag_was_made() {
        let text = rule(10).method(&CNI, &IMD, "neighbourhoods");
        assert_eq!(
            text,
            "Left behind: within the 10% highest-need neighbourhoods on the Community Needs Index \
             2023 (rank ≤ 3,375 of 33,755) and the 10% most deprived neighbourhoods on the IMD 2025 \
             (rank ≤ 3,375 of 33,755)."
        );
        assert!(rule(25)
            .method(&CNI, &IMD, "neighbourhoods")
            .contains("25% most deprived"));
    }

    #[test]
    fn explanation_names_the_ranks_and_the_verdict() {
        let r = rule(10);
        let yes = r.explain(&CNI, Some(1_204), &IMD, Some(3));
        assert_eq!(
            yes,
            "Left behind: rank 1,204 of 33,755 on the Community Needs Index 2023 and rank 3 of \
             33,755 on the IMD 2025 are both within the worst 10% (rank ≤ 3,375 of 33,755)."
        );
        let no = r.explain(&CNI, Some(1_204), &IMD, Some(3_376));
        assert!(no.starts_with("Not left behind:"), "{no}");
        assert!(no.contains("only the first"), "{no}");
        let missing = r.explain(&CNI, None, &IMD, Some(3));
        assert!(
            missing.contains("no rank on the Community Needs Index 2023"),
            "{missing}"
        );
        assert!(missing.starts_with("Not left behind:"), "{missing}");
    }

    #[test]
    fn rule_serialises_as_its_percentage_and_validates_on_the_way_in() {
        let json = serde_json::to_string(&rule(15)).unwrap_or_default();
        assert_eq!(json, "15");
        let back: Result<LeftBehindRule, _> = serde_json::from_str("15");
        assert_eq!(back.ok(), Some(rule(15)));
        let bad: Result<LeftBehindRule, _> = serde_json::from_str("60");
        assert!(bad.is_err());
    }
}
