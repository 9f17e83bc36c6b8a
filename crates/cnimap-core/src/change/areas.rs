//! IMD 2019 -> 2025 for a larger area (a local authority 2024, a ward 2024), each index on its
//! own geography: the share of the area's LSOAs 2011 in England's most deprived 10% on IMD 2019
//! beside the share of its LSOAs 2021 in the most deprived 10% on IMD 2025 ([`AREA_CHANGE_METHOD`]).
//! The LSOAs 2011 are placed in the area through the ONS LSOA 2011 -> 2021 lookup
//! ([`crate::lineage`]): each LSOA 2011 counts in the area that holds most of its LSOA 2021
//! successors ([`place_lsoa11`]). Pure: the page (in wasm, from the documents it fetches), the
//! server and the tests compute the same.

use crate::change::ChangeCode;

/// The method in words, said beside the figures.
pub const AREA_CHANGE_METHOD: &str = "Each index on its own geography: the share of the area's neighbourhoods in England's most deprived 10% on the IMD 2019 (LSOA 2011, 32,844 in England) beside the same share on the IMD 2025 (LSOA 2021, 33,755). An LSOA 2011 counts in the area that holds most of its LSOA 2021 successors in the ONS LSOA 2011 to 2021 lookup (ties: the first in the lookup); an LSOA 2021 counts in the area of the ONS best-fit lookup. The two shares are of different sets of neighbourhoods where boundaries changed.";

/// One area's IMD 2019 and IMD 2025 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AreaChange {
    /// LSOAs 2011 in the area with an IMD 2019 decile.
    pub lsoas_2019: u32,
    /// Of those, in national decile 1.
    pub decile1_2019: u32,
    /// LSOAs 2021 in the area with an IMD 2025 decile.
    pub lsoas_2025: u32,
    /// Of those, in national decile 1.
    pub decile1_2025: u32,
}

impl AreaChange {
    /// The IMD 2019 share in decile 1 (`None`: no LSOA 2011 in the area).
    pub fn share_2019(&self) -> Option<f64> {
        share(self.decile1_2019, self.lsoas_2019)
    }

    /// The IMD 2025 share in decile 1 (`None`: no LSOA 2021 in the area).
    pub fn share_2025(&self) -> Option<f64> {
        share(self.decile1_2025, self.lsoas_2025)
    }

    /// The change in percentage points, 2025 minus 2019 (positive: a larger share among the
    /// most deprived 10%).
    pub fn points(&self) -> Option<f64> {
        Some((self.share_2025()? - self.share_2019()?) * 100.0)
    }

    /// The change in one sentence: "In the most deprived 10%: 48.8% of 84 neighbourhoods in 2019,
    /// 50.0% of 90 in 2025 (up 1.2 percentage points)."
    pub fn words(&self) -> String {
        let (Some(a), Some(b), Some(p)) = (self.share_2019(), self.share_2025(), self.points())
        else {
            return "No comparison: the area has no neighbourhood ranked in one of the two years."
                .into();
        };
        let direction = if p.abs() < 0.05 {
            "no change".to_string()
        } else if p > 0.0 {
            format!("up {p:.1} percentage points")
        } else {
            format!("down {:.1} percentage points", -p)
        };
        format!(
            "In England's most deprived 10%: {:.1}% of {} neighbourhoods in 2019, {:.1}% of {} in 2025 ({direction}).",
            a * 100.0,
            self.lsoas_2019,
            b * 100.0,
            self.lsoas_2025
        )
    }
}

fn share(part: u32, of: u32) -> Option<f64> {
    (of > 0).then(|| f64::from(part) / f64::from(of))
}

/// The larger area of each LSOA 2011 (by feature index, `n11` of them): the area (from
/// `lsoa21_area`, each LSOA 2021's area by feature index) holding most of its LSOA 2021
/// successors in the lookup `rows` (`(lsoa11, change, lsoa21)`, [`crate::lineage::LineageDocument::rows`]);
/// ties go to the area met first in the lookup. `None` for an LSOA 2011 with no successor placed.
pub fn place_lsoa11(
    rows: &[(u32, ChangeCode, u32)],
    n11: usize,
    lsoa21_area: &[Option<u32>],
) -> Vec<Option<u32>> {
    // Per LSOA 2011: (area, count) in first-met order.
    let mut tallies: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n11];
    for &(l11, _, l21) in rows {
        let (Some(t), Some(Some(area))) = (
            tallies.get_mut(l11 as usize),
            lsoa21_area.get(l21 as usize).copied(),
        ) else {
            continue;
        };
        match t.iter_mut().find(|(a, _)| *a == area) {
            Some((_, n)) => *n += 1,
            None => t.push((area, 1)),
        }
    }
    tallies
        .into_iter()
        .map(|t| {
            let mut best: Option<(u32, u32)> = None;
            for (a, n) in t {
                if best.is_none_or(|(_, m)| n > m) {
                    best = Some((a, n));
                }
            }
            best.map(|(a, _)| a)
        })
        .collect()
}

/// The counts of `area`: its LSOAs 2011 (placed by [`place_lsoa11`]) with their IMD 2019
/// deciles, and its LSOAs 2021 with their IMD 2025 deciles (arrays by feature index).
pub fn area_change(
    area: u32,
    lsoa11_area: &[Option<u32>],
    decile_2019: &[Option<u8>],
    lsoa21_area: &[Option<u32>],
    decile_2025: &[Option<u8>],
) -> AreaChange {
    let count = |areas: &[Option<u32>], deciles: &[Option<u8>]| {
        let mut n = 0;
        let mut d1 = 0;
        for (a, d) in areas.iter().zip(deciles) {
            if *a == Some(area) {
                if let Some(d) = d {
                    n += 1;
                    if *d == 1 {
                        d1 += 1;
                    }
                }
            }
        }
        (n, d1)
    };
    let (lsoas_2019, decile1_2019) = count(lsoa11_area, decile_2019);
    let (lsoas_2025, decile1_2025) = count(lsoa21_area, decile_2025);
    AreaChange {
        lsoas_2019,
        decile1_2019,
        lsoas_2025,
        decile1_2025,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChangeCode::{Irregular as X, Merged as M, Split as S, Unchanged as U};

    #[test]
    fn an_lsoa_2011_goes_to_the_area_holding_most_of_its_successors_ties_to_the_first() {
        // LSOA 2021 areas: 0,1,2 in area 7; 3 in area 8; 4 in area 8; 5 unplaced.
        let area21 = [Some(7), Some(7), Some(7), Some(8), Some(8), None];
        let rows = [
            (0, U, 0),
            (1, S, 1),
            (1, S, 3),
            (1, S, 4), // two of three successors in area 8
            (2, X, 2),
            (2, X, 3), // a tie: the first met, area 7
            (3, M, 2),
            (4, M, 5), // its only successor has no area
        ];
        assert_eq!(
            place_lsoa11(&rows, 6, &area21),
            [Some(7), Some(8), Some(7), Some(7), None, None]
        );
    }

    #[test]
    fn the_counts_take_only_ranked_neighbourhoods_and_the_words_say_both_years() {
        let area11 = [Some(7), Some(7), Some(8), Some(7)];
        let d19 = [Some(1), Some(4), Some(1), None];
        let area21 = [Some(7), Some(7), Some(7), Some(8)];
        let d25 = [Some(1), Some(1), Some(3), Some(1)];
        let c = area_change(7, &area11, &d19, &area21, &d25);
        assert_eq!(
            c,
            AreaChange {
                lsoas_2019: 2,
                decile1_2019: 1,
                lsoas_2025: 3,
                decile1_2025: 2
            }
        );
        let p = c.points().expect("both years");
        assert!((p - (200.0 / 3.0 - 50.0)).abs() < 1e-9);
        assert_eq!(
            c.words(),
            "In England's most deprived 10%: 50.0% of 2 neighbourhoods in 2019, 66.7% of 3 in 2025 (up 16.7 percentage points)."
        );
        let none = area_change(9, &area11, &d19, &area21, &d25);
        assert_eq!(none.points(), None);
        assert!(none.words().starts_with("No comparison"));
    }
}
