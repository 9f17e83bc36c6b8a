//! Deciles and quantiles from ranks, quantile breaks from scores, and number formatting.
//!
//! Every class here is made from a rank (1 = most deprived or highest need) and the number of
//! ranked areas `n`, with the rule MHCLG uses for the published deciles of the English Indices of
//! Deprivation:
//!
//! ```text
//! class = ⌈k × rank ÷ n⌉        (k = 10 for deciles, 3 for terciles)
//! ```
//!
//! so class `q` holds ranks `⌊(q − 1) × n ÷ k⌋ + 1 ..= ⌊q × n ÷ k⌋`. For deciles of the 33,755 LSOAs
//! of 2021 that is ranks 1 to 3,375 in decile 1 and 30,380 to 33,755 in decile 10. The formula was
//! checked against every row of the IoD2025 file (`imd2025_lsoa21.csv`, n = 33,755) and the IoD2019
//! file (`imd2019_lsoa11.csv`, n = 32,844), for all eight rank/decile pairs (the IMD and its seven
//! domains): it agrees on all 270,040 and 262,752 pairs. The other obvious rule,
//! `⌊10 × (rank − 1) ÷ n⌋ + 1`, disagrees on 40 and 64 of them.

use std::ops::RangeInclusive;

use crate::catalogue::IndicatorDef;

/// How the deciles of a published index were made, in words: MHCLG's published deciles.
pub const DECILE_PUBLISHED: &str = "Deciles as published by MHCLG with the Indices of Deprivation.";

/// How an index's deciles were made, in words, with a worked example from its own layer: MHCLG's
/// published deciles, or deciles derived from the ranks with MHCLG's rule, "for the 7,433 wards
/// ranked, ranks 1 to 743". `n` is how many areas the index ranks, when known. The server's
/// catalogue and the browser's legend both say this sentence.
pub fn decile_method(def: &IndicatorDef, n: Option<u32>) -> String {
    if def.decile_published {
        return DECILE_PUBLISHED.to_string();
    }
    let rule =
        "Deciles derived by cnimap from the published ranks with the rule MHCLG uses for the \
Indices of Deprivation: decile = ⌈10 × rank ÷ number of ranked areas⌉.";
    let example = n
        .and_then(|n| Some((n, quantile_rank_range(1, n, 10)?)))
        .map(|(n, first)| {
            format!(
                " Decile 1 is the first tenth of ranks (for the {} {} ranked, ranks {} to {}) and \
decile 10 the last tenth.",
                format_thousands(n),
                def.level().areas_noun(),
                format_thousands(*first.start()),
                format_thousands(*first.end())
            )
        })
        .unwrap_or_else(|| {
            " Decile 1 is the first tenth of ranks and decile 10 the last tenth.".into()
        });
    format!("{rule}{example}")
}

/// The class (1 = first `1/classes` of ranks) of `rank` among `n` ranked areas split into `classes`
/// equal-sized groups: `⌈classes × rank ÷ n⌉`, the rule of MHCLG's published deciles.
///
/// Returns `None` when `rank` is 0, `rank > n` or `classes` is 0. When `n < classes` some classes
/// are empty; every rank still gets a class in `1..=classes`.
pub fn quantile_from_rank(rank: u32, n: u32, classes: u8) -> Option<u8> {
    if rank == 0 || rank > n || classes == 0 {
        return None;
    }
    let numerator = u64::from(classes) * u64::from(rank);
    let class = numerator.div_ceil(u64::from(n));
    u8::try_from(class).ok()
}

/// The decile (1 = most deprived or highest-need 10%) of `rank` among `n` ranked areas.
///
/// Reproduces MHCLG's published deciles exactly: `⌈10 × rank ÷ n⌉`, checked on every row of the
/// IoD2025 (n = 33,755) and IoD2019 (n = 32,844) LSOA files for the IMD and its seven domains
/// (see the [module documentation](self)). `None` for rank 0 or a rank above `n`.
pub fn decile_from_rank(rank: u32, n: u32) -> Option<u8> {
    quantile_from_rank(rank, n, 10)
}

/// The tercile (1 = the worst third) of `rank` among `n` ranked areas: `⌈3 × rank ÷ n⌉`.
/// `None` for rank 0 or a rank above `n`.
pub fn tercile_from_rank(rank: u32, n: u32) -> Option<u8> {
    quantile_from_rank(rank, n, 3)
}

/// The ranks that fall in class `class` (1-based) of `classes` among `n` ranked areas, the inverse
/// of [`quantile_from_rank`]: `⌊(class − 1) × n ÷ classes⌋ + 1 ..= ⌊class × n ÷ classes⌋`.
///
/// `None` when `class` is 0 or above `classes`, or when the class is empty (`n < classes`).
pub fn quantile_rank_range(class: u8, n: u32, classes: u8) -> Option<RangeInclusive<u32>> {
    if class == 0 || class > classes {
        return None;
    }
    let last_rank_of = |q: u8| -> u32 {
        let last = u64::from(q) * u64::from(n) / u64::from(classes);
        // last <= n because q <= classes.
        u32::try_from(last).unwrap_or(n)
    };
    let first = last_rank_of(class - 1) + 1;
    let last = last_rank_of(class);
    (first <= last).then_some(first..=last)
}

/// Quantile breaks of `values` for a score legend: `classes + 1` ascending values, from the
/// minimum through the `i / classes` quantiles to the maximum.
///
/// Quantiles are interpolated linearly between order statistics (Hyndman and Fan type 7, the
/// default of R's `quantile` and NumPy's `percentile`). Values that are not finite (NaN, ±∞) are
/// ignored. Returns an empty vector when `classes` is 0 or there is no finite value.
pub fn quantile_breaks(values: &[f64], classes: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if classes == 0 || sorted.is_empty() {
        return Vec::new();
    }
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len() - 1;
    (0..=classes)
        .map(|i| {
            let h = last as f64 * i as f64 / classes as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(last);
            let lo_value = sorted[lo.min(last)];
            lo_value + (h - lo as f64) * (sorted[hi] - lo_value)
        })
        .collect()
}

/// How many areas fall in each decile: index 0 counts decile 1, index 9 decile 10. Missing values
/// and anything outside 1..=10 are not counted.
pub fn decile_counts(deciles: impl IntoIterator<Item = Option<u8>>) -> [u32; 10] {
    let mut counts = [0u32; 10];
    for decile in deciles.into_iter().flatten() {
        if let Some(slot) = usize::from(decile)
            .checked_sub(1)
            .and_then(|i| counts.get_mut(i))
        {
            *slot += 1;
        }
    }
    counts
}

/// Formats a whole number with commas between thousands, as UK statistics do: `33755` gives
/// `"33,755"`.
pub fn format_thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::IndicatorId;
    use rstest::rstest;

    /// Areas ranked in the English Indices of Deprivation 2025 (LSOA 2021).
    const N_2025: u32 = 33_755;
    /// Areas ranked in the English Indices of Deprivation 2019 (LSOA 2011).
    const N_2019: u32 = 32_844;

    // Expected boundaries are the first and last IMD rank of each published decile, read from
    // imd2025_lsoa21.csv and imd2019_lsoa11.csv with awk (min and max of IMD_rank by IMD_decile).
    #[rstest]
    #[case::decile_1_2025(N_2025, 1, 1, 3375)]
    #[case::decile_2_2025(N_2025, 2, 3376, 6751)]
    #[case::decile_3_2025(N_2025, 3, 6752, 10126)]
    #[case::decile_4_2025(N_2025, 4, 10127, 13502)]
    #[case::decile_5_2025(N_2025, 5, 13503, 16877)]
    #[case::decile_6_2025(N_2025, 6, 16878, 20253)]
    #[case::decile_7_2025(N_2025, 7, 20254, 23628)]
    #[case::decile_8_2025(N_2025, 8, 23629, 27004)]
    #[case::decile_9_2025(N_2025, 9, 27005, 30379)]
    #[case::decile_10_2025(N_2025, 10, 30380, 33755)]
    #[case::decile_1_2019(N_2019, 1, 1, 3284)]
    #[case::decile_2_2019(N_2019, 2, 3285, 6568)]
    #[case::decile_3_2019(N_2019, 3, 6569, 9853)]
    #[case::decile_4_2019(N_2019, 4, 9854, 13137)]
    #[case::decile_5_2019(N_2019, 5, 13138, 16422)]
    #[case::decile_6_2019(N_2019, 6, 16423, 19706)]
    #[case::decile_7_2019(N_2019, 7, 19707, 22990)]
    #[case::decile_8_2019(N_2019, 8, 22991, 26275)]
    #[case::decile_9_2019(N_2019, 9, 26276, 29559)]
    #[case::decile_10_2019(N_2019, 10, 29560, 32844)]
    fn published_decile_boundaries_are_reproduced(
        #[case] n: u32,
        #[case] decile: u8,
        #[case] first: u32,
        #[case] last: u32,
    ) {
        assert_eq!(
            decile_from_rank(first, n),
            Some(decile),
            "first rank {first}"
        );
        assert_eq!(decile_from_rank(last, n), Some(decile), "last rank {last}");
        if first > 1 {
            assert_eq!(
                decile_from_rank(first - 1, n),
                Some(decile - 1),
                "rank before {first}"
            );
        }
        if last < n {
            assert_eq!(
                decile_from_rank(last + 1, n),
                Some(decile + 1),
                "rank after {last}"
            );
        }
        assert_eq!(quantile_rank_range(decile, n, 10), Some(first..=last));
    }

    #[rstest]
    #[case::rank_zero(0, 100)]
    #[case::rank_above_n(101, 100)]
    #[case::nothing_ranked(1, 0)]
    fn ranks_outside_one_to_n_have_no_class(#[case] rank: u32, #[case] n: u32) {
        assert_eq!(decile_from_rank(rank, n), None);
        assert_eq!(tercile_from_rank(rank, n), None);
        assert_eq!(quantile_from_rank(rank, n, 5), None);
    }

    #[test]
    fn zero_classes_give_no_class() {
        assert_eq!(quantile_from_rank(1, 10, 0), None);
        assert_eq!(quantile_rank_range(1, 10, 0), None);
    }

    #[rstest]
    #[case::first(1, 1)]
    #[case::end_of_first_third(3, 1)]
    #[case::start_of_second_third(4, 2)]
    #[case::end_of_second_third(6, 2)]
    #[case::start_of_last_third(7, 3)]
    #[case::last(10, 3)]
    fn terciles_of_ten_split_three_three_four(#[case] rank: u32, #[case] tercile: u8) {
        assert_eq!(tercile_from_rank(rank, 10), Some(tercile));
    }

    #[test]
    fn every_rank_falls_in_exactly_the_range_of_its_class() {
        for n in [1u32, 2, 7, 9, 10, 11, 99, 1000, 7433] {
            for classes in [1u8, 3, 5, 10] {
                let mut total = 0u32;
                for class in 1..=classes {
                    if let Some(range) = quantile_rank_range(class, n, classes) {
                        total += range.end() - range.start() + 1;
                        for rank in [*range.start(), *range.end()] {
                            assert_eq!(quantile_from_rank(rank, n, classes), Some(class));
                        }
                    }
                }
                assert_eq!(total, n, "n={n} classes={classes}");
            }
        }
    }

    #[test]
    fn huge_ranks_do_not_overflow() {
        assert_eq!(decile_from_rank(u32::MAX, u32::MAX), Some(10));
        assert_eq!(decile_from_rank(1, u32::MAX), Some(1));
    }

    #[test]
    fn quantile_breaks_interpolate_between_order_statistics() {
        let values = [5.0, 1.0, f64::NAN, 3.0, 2.0, 4.0, f64::INFINITY];
        assert_eq!(quantile_breaks(&values, 4), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            quantile_breaks(&[0.0, 10.0], 4),
            vec![0.0, 2.5, 5.0, 7.5, 10.0]
        );
        assert_eq!(quantile_breaks(&[7.0], 3), vec![7.0; 4]);
    }

    #[test]
    fn quantile_breaks_of_nothing_are_empty() {
        assert!(quantile_breaks(&[], 5).is_empty());
        assert!(quantile_breaks(&[f64::NAN], 5).is_empty());
        assert!(quantile_breaks(&[1.0, 2.0], 0).is_empty());
    }

    #[test]
    fn decile_counts_skip_missing_and_invalid_deciles() {
        let deciles = [Some(1), Some(1), Some(10), None, Some(0), Some(11), Some(5)];
        assert_eq!(decile_counts(deciles), [2, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn decile_counts_of_derived_deciles_add_up_to_n() {
        let n = 33_755;
        let counts = decile_counts((1..=n).map(|rank| decile_from_rank(rank, n)));
        assert_eq!(counts.iter().sum::<u32>(), n);
        assert_eq!(counts[0], 3375);
        assert_eq!(counts[1], 3376);
    }

    #[test]
    fn a_derived_decile_is_explained_with_its_own_layer() {
        let wards = decile_method(IndicatorId::CNI2019.def(), Some(7_433));
        assert!(
            wards.contains("for the 7,433 wards ranked, ranks 1 to 743"),
            "{wards}"
        );
        assert!(!wards.contains("33,755"), "{wards}");
        let n = 33_755;
        let first = quantile_rank_range(1, n, 10).unwrap_or(0..=0);
        let lsoas = decile_method(IndicatorId::CNI2023.def(), Some(n));
        let example = format!(
            "for the 33,755 neighbourhoods ranked, ranks {} to {}",
            format_thousands(*first.start()),
            format_thousands(*first.end())
        );
        assert!(lsoas.contains(&example), "{lsoas}");
        assert!(!decile_method(IndicatorId::CNI2019.def(), None).contains("ranks 1 to"));
        assert_eq!(
            decile_method(IndicatorId::IMD2019.def(), Some(32_844)),
            DECILE_PUBLISHED
        );
    }

    #[rstest]
    #[case::zero(0, "0")]
    #[case::three_digits(999, "999")]
    #[case::four_digits(1262, "1,262")]
    #[case::five_digits(33755, "33,755")]
    #[case::six_digits(100000, "100,000")]
    #[case::seven_digits(1738223, "1,738,223")]
    #[case::largest(u32::MAX, "4,294,967,295")]
    fn thousands_are_separated_by_commas(#[case] n: u32, #[case] expected: &str) {
        assert_eq!(format_thousands(n), expected);
    }
}
