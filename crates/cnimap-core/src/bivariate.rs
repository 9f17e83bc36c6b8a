//! The 3 × 3 bivariate classes of deprivation (IMD) by community need (CNI), and their colours.
//!
//! Each area gets its tercile on both indices with [`crate::classify::tercile_from_rank`]
//! (`⌈3 × rank ÷ n⌉`, 1 = the worst third). The nine combinations are coloured in the manner of
//! Joshua Stevens' 3 × 3 schemes ("Bivariate Choropleth Maps: A How-to Guide", 2015): a ramp per
//! index from light grey, the two multiplied together, so the corner where both are worst (the
//! most deprived and highest-need third) is the darkest colour and stands out most. Deprivation
//! runs to orange, need to blue: the blue–yellow axis that protanopes and deuteranopes keep, with
//! lightness that tritanopes keep. Stevens' purple–blue `DkBlue` scheme, used before, put two
//! classes within CIEDE2000 3.2 of each other for protanopes (`#ace4e4` and `#e8e8e8`) and 3.8 for
//! deuteranopes (`#be64ac` and `#5698b9`); these colours were chosen by a search over the two
//! ramps' end colours that maximised the smallest difference between any two classes under normal
//! vision and the three simulated deficiencies ([`crate::colour_vision`]), keeping the dark
//! corner's lightness at L\* 30 or more and every chroma at 58 or less: the smallest is now
//! ΔE00 15.0 (deuteranopia, `#d57b4b` and `#e2b59d`).

use serde::{Deserialize, Serialize};

use crate::classify::tercile_from_rank;
use crate::colour::Rgb;

/// How the bivariate classes are made, in words for the legend.
pub const BIVARIATE_METHOD: &str = "Each neighbourhood is placed in a third on each index by its \
rank: third = ⌈3 × rank ÷ number of ranked areas⌉, so the first third holds the most deprived (IMD) \
or highest-need (CNI) areas. Colours: deprivation runs to orange, need to blue, both to dark brown; chosen so the nine stay apart for people with colour-blindness.";

/// One of the nine classes: the tercile on deprivation and on need, 1 = the worst third (most
/// deprived, highest need) to 3 = the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BivariateClass {
    /// Tercile on the Index of Multiple Deprivation: 1 = most deprived third.
    pub deprivation: u8,
    /// Tercile on the Community Needs Index: 1 = highest-need third.
    pub need: u8,
}

/// Colours by `[deprivation - 1][need - 1]`.
const PALETTE: [[Rgb; 3]; 3] = [
    // Most deprived third: highest, middle, lowest need.
    [
        Rgb(0x57, 0x47, 0x4a),
        Rgb(0x95, 0x60, 0x4a),
        Rgb(0xd5, 0x7b, 0x4b),
    ],
    // Middle third for deprivation.
    [
        Rgb(0x5d, 0x68, 0x9a),
        Rgb(0x9e, 0x8d, 0x9b),
        Rgb(0xe2, 0xb5, 0x9d),
    ],
    // Least deprived third.
    [
        Rgb(0x62, 0x89, 0xec),
        Rgb(0xa7, 0xbb, 0xee),
        Rgb(0xf0, 0xf0, 0xf0),
    ],
];

/// Legend labels by `[deprivation - 1][need - 1]`.
const LABELS: [[&str; 3]; 3] = [
    [
        "Most deprived third and highest-need third",
        "Most deprived third and middle third for need",
        "Most deprived third and lowest-need third",
    ],
    [
        "Middle third for deprivation and highest-need third",
        "Middle third for deprivation and middle third for need",
        "Middle third for deprivation and lowest-need third",
    ],
    [
        "Least deprived third and highest-need third",
        "Least deprived third and middle third for need",
        "Least deprived third and lowest-need third",
    ],
];

impl BivariateClass {
    /// All nine classes in [`BivariateClass::index`] order: most deprived and highest need first.
    pub const ALL: [BivariateClass; 9] = {
        let mut all = [BivariateClass {
            deprivation: 1,
            need: 1,
        }; 9];
        let mut i = 0;
        while i < 9 {
            all[i] = BivariateClass {
                deprivation: (i / 3) as u8 + 1,
                need: (i % 3) as u8 + 1,
            };
            i += 1;
        }
        all
    };

    /// A class from two terciles; `None` unless both are in 1..=3.
    pub fn new(deprivation: u8, need: u8) -> Option<BivariateClass> {
        let valid = |t: u8| (1..=3).contains(&t);
        (valid(deprivation) && valid(need)).then_some(BivariateClass { deprivation, need })
    }

    /// Position 0..9: `(deprivation − 1) × 3 + (need − 1)`, so 0 = most deprived and highest need,
    /// 8 = least deprived and lowest need. Used as the class number in map styles.
    ///
    /// Precondition: both terciles in 1..=3 (as made by [`BivariateClass::new`] or
    /// [`bivariate_class`]); other values are clamped into range.
    pub fn index(self) -> usize {
        let (d, n) = self.cell();
        d * 3 + n
    }

    /// The class at `index` (the inverse of [`BivariateClass::index`]).
    pub fn from_index(index: usize) -> Option<BivariateClass> {
        Self::ALL.get(index).copied()
    }

    /// The legend label in plain words ("Most deprived third and highest-need third").
    pub fn label(self) -> &'static str {
        let (d, n) = self.cell();
        LABELS[d][n]
    }

    /// The class colour.
    pub fn colour(self) -> Rgb {
        let (d, n) = self.cell();
        PALETTE[d][n]
    }

    /// Zero-based row and column, clamped into the 3 × 3 grid.
    fn cell(self) -> (usize, usize) {
        let clamp = |t: u8| usize::from(t.clamp(1, 3)) - 1;
        (clamp(self.deprivation), clamp(self.need))
    }
}

/// The bivariate class of an area from its IMD rank among `imd_n` and its CNI rank among `cni_n`
/// (rank 1 = most deprived / highest need). `None` when either rank is 0 or above its `n`.
pub fn bivariate_class(
    imd_rank: u32,
    imd_n: u32,
    cni_rank: u32,
    cni_n: u32,
) -> Option<BivariateClass> {
    let deprivation = tercile_from_rank(imd_rank, imd_n)?;
    let need = tercile_from_rank(cni_rank, cni_n)?;
    BivariateClass::new(deprivation, need)
}

/// The colour of a class (orange for deprivation, blue for need; see the module documentation).
pub fn bivariate_colour(class: BivariateClass) -> Rgb {
    class.colour()
}

/// The legend label of a class in plain words.
pub fn bivariate_label(class: BivariateClass) -> &'static str {
    class.label()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn all_nine_classes_have_unique_indices_colours_and_labels() {
        let mut indices: Vec<usize> = BivariateClass::ALL.iter().map(|c| c.index()).collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..9).collect::<Vec<_>>());
        let mut colours: Vec<String> = BivariateClass::ALL
            .iter()
            .map(|c| c.colour().to_hex())
            .collect();
        colours.sort();
        colours.dedup();
        assert_eq!(colours.len(), 9);
        let mut labels: Vec<&str> = BivariateClass::ALL.iter().map(|c| c.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), 9);
    }

    #[test]
    fn index_round_trips_through_from_index() {
        for (i, class) in BivariateClass::ALL.iter().enumerate() {
            assert_eq!(class.index(), i);
            assert_eq!(BivariateClass::from_index(i), Some(*class));
        }
        assert_eq!(BivariateClass::from_index(9), None);
    }

    #[test]
    fn worst_on_both_is_the_darkest_and_most_prominent_cell() {
        let worst = BivariateClass {
            deprivation: 1,
            need: 1,
        };
        let best = BivariateClass {
            deprivation: 3,
            need: 3,
        };
        let darkest = BivariateClass::ALL.iter().min_by(|a, b| {
            a.colour()
                .relative_luminance()
                .total_cmp(&b.colour().relative_luminance())
        });
        assert_eq!(darkest, Some(&worst));
        let contrast = worst.colour().contrast_ratio(best.colour());
        for class in BivariateClass::ALL {
            assert!(
                class.colour().contrast_ratio(best.colour()) <= contrast,
                "{class:?}"
            );
        }
        assert_eq!(worst.label(), "Most deprived third and highest-need third");
    }

    #[test]
    fn every_cell_has_a_readable_label_colour() {
        for class in BivariateClass::ALL {
            let colour = class.colour();
            assert!(
                colour.contrast_ratio(colour.text_colour()) >= crate::colour::WCAG_AA_TEXT_CONTRAST
            );
        }
    }

    #[rstest]
    #[case::both_first_ranked(1, 1, Some((1, 1)))]
    #[case::most_deprived_lowest_need(1, 90, Some((1, 3)))]
    #[case::end_of_first_third(30, 31, Some((1, 2)))]
    #[case::least_deprived_highest_need(90, 1, Some((3, 1)))]
    #[case::both_last(90, 90, Some((3, 3)))]
    #[case::imd_rank_zero(0, 1, None)]
    #[case::cni_rank_beyond_n(1, 91, None)]
    fn classes_come_from_the_terciles_of_both_ranks(
        #[case] imd_rank: u32,
        #[case] cni_rank: u32,
        #[case] expected: Option<(u8, u8)>,
    ) {
        let class = bivariate_class(imd_rank, 90, cni_rank, 90);
        assert_eq!(class.map(|c| (c.deprivation, c.need)), expected);
    }

    #[test]
    fn terciles_outside_one_to_three_are_rejected() {
        assert_eq!(BivariateClass::new(0, 1), None);
        assert_eq!(BivariateClass::new(1, 4), None);
        assert!(BivariateClass::new(3, 3).is_some());
    }

    #[test]
    fn free_functions_agree_with_methods() {
        for class in BivariateClass::ALL {
            assert_eq!(bivariate_colour(class), class.colour());
            assert_eq!(bivariate_label(class), class.label());
        }
    }
}
