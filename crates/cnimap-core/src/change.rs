//! Change over time: carrying IMD 2019 (LSOA 2011) onto LSOA 2021 through ONS change codes,
//! decile shifts and the domain that drove them, and the 2019 left-behind wards in 2023.
//!
//! The rule ([`carry_back`], said in [`CHANGE_METHOD`]):
//! - **U** (unchanged): the area's own 2019 rank and decile;
//! - **S** (split): each 2021 part inherits its 2011 parent's 2019 rank and decile; the parent was
//!   ranked as a whole, so the parts share its value (the 2019 figure describes the whole parent,
//!   which is said beside it);
//! - **M** (merged): a 2021 area made of several 2011 areas has no 2019 rank of its own; when
//!   every parent sat in the same 2019 decile the area is compared at decile level (the decile is
//!   certain whatever weights the parents would have had), otherwise it is not comparable;
//! - **X** (irregular): boundaries redrawn across 2011 areas; not comparable (any figure would be
//!   invented).
//!
//! Nothing is dropped: every LSOA 2021 gets a [`Carried`] that says which case it is.
//!
//! Ranks are relative: a move of decile says an area's place among all areas changed, not that it
//! got better or worse in absolute terms ([`RELATIVE_CAVEAT`]).

use std::collections::BTreeMap;

pub mod areas;

use serde::{Deserialize, Serialize};

/// ONS LSOA 2011 -> 2021 change codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeCode {
    /// `U`: unchanged.
    #[serde(rename = "U")]
    Unchanged,
    /// `S`: a 2011 area split into several 2021 areas.
    #[serde(rename = "S")]
    Split,
    /// `M`: several 2011 areas merged into one 2021 area.
    #[serde(rename = "M")]
    Merged,
    /// `X`: irregular, redrawn.
    #[serde(rename = "X")]
    Irregular,
}

impl ChangeCode {
    /// Every code, in ONS order.
    pub const ALL: [ChangeCode; 4] = [
        ChangeCode::Unchanged,
        ChangeCode::Split,
        ChangeCode::Merged,
        ChangeCode::Irregular,
    ];

    /// From the ONS letter.
    pub fn from_letter(s: &str) -> Option<ChangeCode> {
        match s {
            "U" => Some(ChangeCode::Unchanged),
            "S" => Some(ChangeCode::Split),
            "M" => Some(ChangeCode::Merged),
            "X" => Some(ChangeCode::Irregular),
            _ => None,
        }
    }

    /// The ONS letter.
    pub fn letter(self) -> &'static str {
        match self {
            ChangeCode::Unchanged => "U",
            ChangeCode::Split => "S",
            ChangeCode::Merged => "M",
            ChangeCode::Irregular => "X",
        }
    }
}

/// One 2011 parent's 2019 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earlier {
    /// Its 2019 rank.
    pub rank: u32,
    /// Its 2019 decile.
    pub decile: u8,
}

/// Why a 2021 area has no 2019 value to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotComparable {
    /// Merged from 2011 areas that sat in different 2019 deciles.
    ParentsDisagree,
    /// Irregular (X): redrawn across 2011 areas.
    Irregular,
    /// The lookup gives no 2011 parent with a 2019 value.
    NoParent,
}

/// The 2019 value an LSOA 2021 is compared with, and how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// U: its own.
    Same(Earlier),
    /// S: its 2011 parent's.
    Inherited(Earlier),
    /// M: the decile every parent shared (no rank).
    MergedAgreeing {
        /// The shared decile.
        decile: u8,
    },
    /// No comparison.
    NotComparable(NotComparable),
}

impl Carried {
    /// The 2019 decile, when comparable.
    pub fn decile(&self) -> Option<u8> {
        match self {
            Carried::Same(e) | Carried::Inherited(e) => Some(e.decile),
            Carried::MergedAgreeing { decile } => Some(*decile),
            Carried::NotComparable(_) => None,
        }
    }

    /// The 2019 rank, for U and S areas.
    pub fn rank(&self) -> Option<u32> {
        match self {
            Carried::Same(e) | Carried::Inherited(e) => Some(e.rank),
            _ => None,
        }
    }

    /// How the value was found, one word: `own`, `parent`, `merged`, or why not comparable.
    pub fn basis(&self) -> &'static str {
        match self {
            Carried::Same(_) => "own",
            Carried::Inherited(_) => "parent",
            Carried::MergedAgreeing { .. } => "merged",
            Carried::NotComparable(NotComparable::ParentsDisagree) => "merged_parents_disagree",
            Carried::NotComparable(NotComparable::Irregular) => "irregular",
            Carried::NotComparable(NotComparable::NoParent) => "no_parent",
        }
    }
}

/// The rule: the 2019 value an LSOA 2021 with change code `code` and 2011 `parents` is compared
/// with (see the module docs).
pub fn carry_back(code: ChangeCode, parents: &[Earlier]) -> Carried {
    let Some(first) = parents.first() else {
        return Carried::NotComparable(NotComparable::NoParent);
    };
    match code {
        ChangeCode::Unchanged if parents.len() == 1 => Carried::Same(*first),
        ChangeCode::Split if parents.len() == 1 => Carried::Inherited(*first),
        // A U or S row with two parents contradicts the ONS codes: treat it like a merge.
        ChangeCode::Unchanged | ChangeCode::Split | ChangeCode::Merged => {
            if parents.iter().all(|p| p.decile == first.decile) {
                Carried::MergedAgreeing {
                    decile: first.decile,
                }
            } else {
                Carried::NotComparable(NotComparable::ParentsDisagree)
            }
        }
        ChangeCode::Irregular => Carried::NotComparable(NotComparable::Irregular),
    }
}

/// The change rule in one sentence.
pub const CHANGE_METHOD: &str = "IMD 2019 was published for LSOA 2011 areas, IMD 2025 for LSOA 2021 areas; each 2021 area is matched through the ONS LSOA 2011 to 2021 lookup: unchanged areas (U) keep their own 2019 rank, split areas (S) inherit their 2011 parent's 2019 rank (the parent was ranked as a whole), merged areas (M) are compared by decile only when all their 2011 parts shared a 2019 decile and are otherwise not comparable, and irregular areas (X) are not comparable; the change is the 2025 decile minus the 2019 decile (positive: relatively less deprived).";

/// The caveat every change view shows.
pub const RELATIVE_CAVEAT: &str = "Ranks are relative: a change of decile means an area's place among all areas moved, not that its deprivation rose or fell by a fixed amount; 2019 and 2025 also use different indicators and data years.";

/// Deciles moved, later minus earlier: positive = moved towards the less deprived (or lower need)
/// end, negative = towards the more deprived end.
pub fn decile_shift(earlier: u8, later: u8) -> i8 {
    i8::try_from(i16::from(later) - i16::from(earlier)).unwrap_or(0)
}

/// A shift in words: "2 deciles less deprived", "same decile", "1 decile more deprived".
pub fn shift_words(shift: i8) -> String {
    let n = shift.unsigned_abs();
    let unit = if n == 1 { "decile" } else { "deciles" };
    match shift {
        0 => "same decile".to_string(),
        s if s > 0 => format!("{n} {unit} less deprived"),
        _ => format!("{n} {unit} more deprived"),
    }
}

/// Counts of areas per decile shift (-9..=9), plus those not comparable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftCounts {
    /// Areas per shift.
    pub by_shift: BTreeMap<i8, usize>,
    /// Areas with no comparison.
    pub not_comparable: usize,
}

impl ShiftCounts {
    /// Counts `shifts` (`None` = not comparable).
    pub fn count(shifts: impl IntoIterator<Item = Option<i8>>) -> ShiftCounts {
        let mut c = ShiftCounts::default();
        for s in shifts {
            match s {
                Some(s) => *c.by_shift.entry(s).or_default() += 1,
                None => c.not_comparable += 1,
            }
        }
        c
    }

    /// Areas that moved towards the less deprived end, the same, towards the more deprived end.
    pub fn up_same_down(&self) -> (usize, usize, usize) {
        let sum = |f: &dyn Fn(i8) -> bool| -> usize {
            self.by_shift
                .iter()
                .filter(|(s, _)| f(**s))
                .map(|(_, n)| n)
                .sum()
        };
        (sum(&|s| s > 0), sum(&|s| s == 0), sum(&|s| s < 0))
    }
}

/// The domain that drove a move: each domain's contribution is its weight times the change of its
/// exponentially transformed rank (0 to 100, higher = more deprived; scaled by each edition's own
/// number of areas); the driver is the domain whose contribution is largest in the direction of
/// the overall change. `None` when nothing changed.
///
/// Precondition: the three slices have one entry per domain, in the same order.
pub fn driving_domain(weights: &[f64], earlier_x: &[f64], later_x: &[f64]) -> Option<usize> {
    let contrib: Vec<f64> = weights
        .iter()
        .zip(earlier_x.iter().zip(later_x))
        .map(|(w, (a, b))| w * (b - a))
        .collect();
    let total: f64 = contrib.iter().sum();
    if total == 0.0 || !total.is_finite() {
        return None;
    }
    let sign = total.signum();
    contrib
        .iter()
        .enumerate()
        .max_by(|a, b| (a.1 * sign).total_cmp(&(b.1 * sign)))
        .map(|(i, _)| i)
}

/// The left-behind wards method in one sentence.
pub const LEFT_BEHIND_WARDS_METHOD: &str = "The 225 wards (December 2017) on OCSI's 2019 left-behind list are followed to 2023 through two ONS best-fit lookups: LSOA 2011 to ward 2017, then LSOA 2011 to LSOA 2021 (with its change codes); an LSOA 2021 belongs to a ward when any of its 2011 parts best-fits the ward, and a ward still holds left-behind neighbourhoods when at least one of its LSOA 2021 areas is in the worst 10% on both the CNI 2023 and the IMD 2025.";

/// What a 2019 ward holds in 2023.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WardHolding {
    /// Its LSOA 2021 areas.
    pub lsoas: u32,
    /// Of which left behind in 2023.
    pub left_behind: u32,
}

impl WardHolding {
    /// Whether it still holds at least one left-behind neighbourhood.
    pub fn still_left_behind(&self) -> bool {
        self.left_behind > 0
    }
}

/// Counts, per ward, its LSOA 2021 areas and how many are left behind, from `(ward, lsoa21)`
/// membership pairs (a pair listed twice counts once) and the LSOA 2021 flags.
pub fn ward_holdings(
    n_wards: usize,
    membership: impl IntoIterator<Item = (usize, usize)>,
    left_behind: &[bool],
) -> Vec<WardHolding> {
    let mut pairs: Vec<(usize, usize)> = membership.into_iter().collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = vec![WardHolding::default(); n_wards];
    for (w, l) in pairs {
        if let Some(h) = out.get_mut(w) {
            h.lsoas += 1;
            h.left_behind += u32::from(left_behind.get(l).copied().unwrap_or(false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Earlier = Earlier {
        rank: 10,
        decile: 1,
    };
    const B: Earlier = Earlier {
        rank: 3000,
        decile: 1,
    };
    const C: Earlier = Earlier {
        rank: 9000,
        decile: 3,
    };

    #[test]
    fn unchanged_and_split_areas_carry_their_parents_value() {
        assert_eq!(carry_back(ChangeCode::Unchanged, &[A]), Carried::Same(A));
        assert_eq!(carry_back(ChangeCode::Split, &[C]), Carried::Inherited(C));
        assert_eq!(carry_back(ChangeCode::Split, &[C]).rank(), Some(9000));
    }

    #[test]
    fn merged_areas_compare_by_decile_only_when_their_parents_agree() {
        let agree = carry_back(ChangeCode::Merged, &[A, B]);
        assert_eq!(agree, Carried::MergedAgreeing { decile: 1 });
        assert_eq!(agree.rank(), None);
        assert_eq!(
            carry_back(ChangeCode::Merged, &[A, C]),
            Carried::NotComparable(NotComparable::ParentsDisagree)
        );
    }

    #[test]
    fn irregular_and_orphan_areas_are_not_comparable() {
        assert_eq!(
            carry_back(ChangeCode::Irregular, &[A]).decile(),
            None,
            "X is never compared"
        );
        assert_eq!(
            carry_back(ChangeCode::Unchanged, &[]),
            Carried::NotComparable(NotComparable::NoParent)
        );
    }

    #[test]
    fn shifts_are_later_minus_earlier_in_words() {
        assert_eq!(decile_shift(1, 3), 2);
        assert_eq!(decile_shift(5, 4), -1);
        assert_eq!(shift_words(2), "2 deciles less deprived");
        assert_eq!(shift_words(-1), "1 decile more deprived");
        assert_eq!(shift_words(0), "same decile");
        let c = ShiftCounts::count([Some(1), Some(0), Some(-2), None, Some(1)]);
        assert_eq!(c.up_same_down(), (2, 1, 1));
        assert_eq!(c.not_comparable, 1);
        assert_eq!(c.by_shift.get(&1), Some(&2));
    }

    #[test]
    fn the_driver_pushes_in_the_direction_of_the_move() {
        // Income worsened a lot, crime improved a little: more deprived overall, driven by income.
        let w = [22.5, 9.3];
        assert_eq!(driving_domain(&w, &[10.0, 50.0], &[40.0, 45.0]), Some(0));
        // Overall improvement: the domain that improved most (weighted) drives it.
        assert_eq!(driving_domain(&w, &[40.0, 90.0], &[39.0, 10.0]), Some(1));
        assert_eq!(driving_domain(&w, &[1.0, 1.0], &[1.0, 1.0]), None);
    }

    #[test]
    fn ward_holdings_count_each_area_once() {
        let h = ward_holdings(2, [(0, 0), (0, 1), (0, 1), (1, 2)], &[false, true, false]);
        assert_eq!(
            h[0],
            WardHolding {
                lsoas: 2,
                left_behind: 1
            }
        );
        assert!(h[0].still_left_behind());
        assert!(!h[1].still_left_behind());
    }
}

/// One LSOA 2021 of the IMD change, as `/api/change?from=imd2019&to=imd2025` sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImdChangeArea {
    /// LSOA 2021 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// ONS change code.
    pub change: ChangeCode,
    /// Its LSOA 2011 parents.
    pub lsoa11: Vec<String>,
    /// How the 2019 value was found ([`Carried::basis`]).
    pub basis: String,
    /// IMD 2019 rank (U and S areas).
    pub rank_2019: Option<u32>,
    /// IMD 2019 decile, when comparable.
    pub decile_2019: Option<u8>,
    /// IMD 2025 rank.
    pub rank_2025: u32,
    /// IMD 2025 decile.
    pub decile_2025: u8,
    /// Deciles moved (2025 minus 2019; positive = relatively less deprived).
    pub shift: Option<i8>,
    /// The domain key that drove the move.
    pub driver: Option<String>,
    /// Per domain key, its decile shift.
    pub domain_shifts: Vec<(String, Option<i8>)>,
}

/// One 2019 left-behind ward in 2023, as `/api/change?from=cni2019&to=cni2023` sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftBehindWard {
    /// Ward code (December 2017).
    pub code: String,
    /// Ward name.
    pub name: String,
    /// Its council in 2017.
    pub lad: String,
    /// Its LSOA 2021 areas and how many are left behind.
    pub holding: WardHolding,
    /// Whether it still holds at least one left-behind neighbourhood.
    pub still_left_behind: bool,
    /// Its left-behind LSOA 2021 codes.
    pub left_behind_lsoa21: Vec<String>,
}

/// `GET /api/change?...&format=json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeResponse {
    /// IMD 2019 -> IMD 2025 on LSOA 2021.
    Imd {
        /// [`CHANGE_METHOD`].
        method: String,
        /// [`RELATIVE_CAVEAT`].
        caveat: String,
        /// Areas per ONS change code.
        by_code: BTreeMap<String, usize>,
        /// Areas per decile shift, and not comparable.
        shifts: ShiftCounts,
        /// Every LSOA 2021, in code order.
        areas: Vec<ImdChangeArea>,
    },
    /// The 225 left-behind wards of 2019 in 2023.
    LeftBehindWards {
        /// [`LEFT_BEHIND_WARDS_METHOD`].
        method: String,
        /// Wards on the 2019 list.
        wards_2019: usize,
        /// Of which still holding left-behind neighbourhoods.
        still_left_behind: usize,
        /// Every ward, in code order.
        wards: Vec<LeftBehindWard>,
    },
}

/// `GET /api/change/lsoa21/imd`: the change map's whole-layer document, arrays by feature index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeLayer {
    /// [`CHANGE_METHOD`].
    pub method: String,
    /// [`RELATIVE_CAVEAT`].
    pub caveat: String,
    /// Deciles moved per area (`null`: not comparable).
    pub shift: Vec<Option<i8>>,
    /// IMD 2019 decile per area.
    pub decile_2019: Vec<Option<u8>>,
    /// IMD 2025 decile per area.
    pub decile_2025: Vec<u8>,
    /// ONS change code per area.
    pub change: Vec<ChangeCode>,
    /// Driving domain per area, as an index into `domains`.
    pub driver: Vec<Option<u8>>,
    /// The domain keys.
    pub domains: Vec<String>,
    /// Areas per decile shift, and not comparable.
    pub counts: ShiftCounts,
}
