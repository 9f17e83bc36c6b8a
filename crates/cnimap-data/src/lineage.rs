//! Change over time on the published files: IMD 2019 carried onto every LSOA 2021 through the ONS
//! LSOA 2011 -> 2021 lookup with [`cnimap_core::change::carry_back`], and the 225 left-behind
//! wards of 2019 followed to the LSOA 2021 neighbourhoods of 2023.

use std::collections::HashMap;

use cnimap_core::change::{
    carry_back, decile_shift, driving_domain, ward_holdings, Carried, ChangeCode, Earlier,
    ShiftCounts, WardHolding,
};
use cnimap_core::classify::decile_from_rank;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::reweight::Weights;

use crate::domain_ranks::IndexInputs;
use crate::indicators::SourceTable;
use crate::lookups::{Change, Lookups};

/// One LSOA 2021 with its IMD 2025 and the IMD 2019 it is compared with.
#[derive(Debug, Clone)]
pub struct ImdChangeRow {
    /// Position in the IMD 2025 inputs.
    pub at: usize,
    /// The ONS change code (for an area whose rows disagree, `X`).
    pub change: ChangeCode,
    /// The LSOA 2011 parents' positions in the IMD 2019 inputs.
    pub parents: Vec<usize>,
    /// The IMD 2019 value carried onto it, or why not.
    pub carried: Carried,
    /// IMD 2025 rank.
    pub rank_2025: u32,
    /// IMD 2025 decile.
    pub decile_2025: u8,
    /// IMD decile shift (2025 minus 2019), when comparable.
    pub shift: Option<i8>,
    /// Per domain (in [`cnimap_core::reweight::CompositeIndex::domains`] order), its decile shift.
    pub domain_shifts: Vec<Option<i8>>,
    /// The domain that drove the move (U and S areas whose decile moved).
    pub driver: Option<usize>,
}

/// IMD 2019 -> 2025 on LSOA 2021.
#[derive(Debug, Clone)]
pub struct ImdChange {
    /// One row per LSOA 2021, in IMD 2025 file order.
    pub rows: Vec<ImdChangeRow>,
    /// Areas per change code.
    pub by_code: HashMap<ChangeCode, usize>,
    /// Areas per decile shift.
    pub shifts: ShiftCounts,
    /// Lookup rows whose LSOA 2011 is not in IMD 2019 or LSOA 2021 not in IMD 2025 (English
    /// rows only; Welsh rows are skipped).
    pub unmatched_lookup_rows: usize,
}

fn code_of(c: Change) -> ChangeCode {
    match c {
        Change::Unchanged => ChangeCode::Unchanged,
        Change::Split => ChangeCode::Split,
        Change::Merged => ChangeCode::Merged,
        Change::Irregular => ChangeCode::Irregular,
    }
}

fn index_of(codes: &[String]) -> HashMap<&str, usize> {
    codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect()
}

/// Applies the change rule to every LSOA 2021 of `imd2025` with `imd2019` and the lookup.
pub fn imd_change(
    imd2019: &IndexInputs,
    imd2025: &IndexInputs,
    lookup: &[(String, Change, String)],
) -> ImdChange {
    let at19 = index_of(&imd2019.codes);
    let at25 = index_of(&imd2025.codes);
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); imd2025.codes.len()];
    let mut code: Vec<Option<ChangeCode>> = vec![None; imd2025.codes.len()];
    let mut unmatched = 0;
    for (c11, change, c21) in lookup {
        if !c21.starts_with("E01") {
            continue;
        }
        let (Some(&a), Some(&b)) = (at19.get(c11.as_str()), at25.get(c21.as_str())) else {
            unmatched += 1;
            continue;
        };
        let c = code_of(*change);
        code[b] = match code[b] {
            None => Some(c),
            Some(prev) if prev == c => Some(c),
            Some(_) => Some(ChangeCode::Irregular),
        };
        if !parents[b].contains(&a) {
            parents[b].push(a);
        }
    }
    let n19 = u32::try_from(imd2019.codes.len()).unwrap_or(u32::MAX);
    let n25 = u32::try_from(imd2025.codes.len()).unwrap_or(u32::MAX);
    let earlier = |ranks: &[u32], p: usize| -> Earlier {
        let rank = ranks[p];
        Earlier {
            rank,
            decile: decile_from_rank(rank, n19).unwrap_or(10),
        }
    };
    let weights = Weights::official(imd2025.index);
    let mut rows = Vec::with_capacity(imd2025.codes.len());
    for (at, ps) in parents.into_iter().enumerate() {
        // No lookup row: an orphan, which the rule marks as not comparable.
        let change = code[at].unwrap_or(ChangeCode::Irregular);
        let carry = |ranks: &[u32]| -> Carried {
            let e: Vec<Earlier> = ps.iter().map(|&p| earlier(ranks, p)).collect();
            carry_back(change, &e)
        };
        let carried = carry(&imd2019.published_rank);
        let rank_2025 = imd2025.published_rank[at];
        let decile_2025 = decile_from_rank(rank_2025, n25).unwrap_or(10);
        let shift = carried.decile().map(|d| decile_shift(d, decile_2025));
        let domain_shifts = imd2019
            .domain_ranks
            .iter()
            .zip(&imd2025.domain_ranks)
            .map(|(r19, r25)| {
                let d25 = decile_from_rank(r25[at], n25).unwrap_or(10);
                carry(r19).decile().map(|d| decile_shift(d, d25))
            })
            .collect();
        let driver = match (carried.rank(), shift) {
            (Some(_), Some(s)) if s != 0 => {
                let p = ps[0];
                let x19: Vec<f64> = imd2019.domains.transformed.iter().map(|c| c[p]).collect();
                let x25: Vec<f64> = imd2025.domains.transformed.iter().map(|c| c[at]).collect();
                driving_domain(weights.percent(), &x19, &x25)
            }
            _ => None,
        };
        rows.push(ImdChangeRow {
            at,
            change,
            parents: ps,
            carried,
            rank_2025,
            decile_2025,
            shift,
            domain_shifts,
            driver,
        });
    }
    let mut by_code = HashMap::new();
    for r in &rows {
        *by_code.entry(r.change).or_default() += 1;
    }
    let shifts = ShiftCounts::count(rows.iter().map(|r| r.shift));
    ImdChange {
        rows,
        by_code,
        shifts,
        unmatched_lookup_rows: unmatched,
    }
}

/// The LSOA 2021 left-behind flags at 10% ([`LEFT_BEHIND_PAIR`]: CNI 2023 and IMD 2025), in
/// `imd2025` order, with the CNI ranks matched by code.
pub fn left_behind_lsoa21(cni2023: &IndexInputs, imd2025: &IndexInputs) -> Vec<bool> {
    let rule = LeftBehindRule::default();
    let at_cni = index_of(&cni2023.codes);
    let n_cni = u32::try_from(cni2023.codes.len()).unwrap_or(u32::MAX);
    let n_imd = u32::try_from(imd2025.codes.len()).unwrap_or(u32::MAX);
    imd2025
        .codes
        .iter()
        .zip(&imd2025.published_rank)
        .map(|(code, &imd)| {
            let need = at_cni
                .get(code.as_str())
                .map(|&i| cni2023.published_rank[i]);
            LEFT_BEHIND_PAIR.is_left_behind(rule, (need, n_cni), (Some(imd), n_imd))
        })
        .collect()
}

/// One of the 2019 left-behind wards, in 2023.
#[derive(Debug, Clone)]
pub struct WardRow {
    /// Ward code (December 2017).
    pub code: String,
    /// Ward name.
    pub name: String,
    /// Its council (2017, from the ONS ward lookup).
    pub lad: String,
    /// Its LSOA 2021 areas and how many are left behind.
    pub holding: WardHolding,
    /// Codes of its left-behind LSOA 2021 areas.
    pub left_behind_lsoas: Vec<String>,
}

/// The CNI 2019 wards and which are on the 2019 left-behind list.
#[derive(Debug, Clone)]
pub struct WardList<'a> {
    /// Ward codes (December 2017).
    pub codes: &'a [String],
    /// Ward names, by position.
    pub names: Vec<String>,
    /// On the official list of 225, by position.
    pub listed: &'a [bool],
}

impl<'a> WardList<'a> {
    /// From the CNI 2019 table (`None` without its `Left Behind Area?` column).
    pub fn from_table(cni2019: &'a SourceTable) -> Option<WardList<'a>> {
        Some(WardList {
            codes: &cni2019.codes,
            names: cni2019
                .names
                .iter()
                .map(|n| n.clone().unwrap_or_default())
                .collect(),
            listed: cni2019.left_behind_flag.as_deref()?,
        })
    }

    /// From a loaded atlas (the ward 2017 layer and its official flags).
    pub fn from_atlas(atlas: &'a crate::Atlas) -> Option<WardList<'a>> {
        let layer = atlas.layer(cnimap_core::Level::Ward17)?;
        (atlas.cni2019_official.len() == layer.len()).then(|| WardList {
            codes: &layer.codes,
            names: layer.names.clone(),
            listed: &atlas.cni2019_official,
        })
    }
}

/// Follows every ward on the 2019 list to its LSOA 2021 areas (best-fit LSOA 2011 -> ward 2017,
/// then LSOA 2011 -> 2021) and counts the left-behind ones (`flags`, in `lsoa21_codes` order).
pub fn left_behind_wards(
    wards: &WardList<'_>,
    lookups: &Lookups,
    lsoa21_codes: &[String],
    flags: &[bool],
) -> Vec<WardRow> {
    let listed: Vec<usize> = wards
        .listed
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .map(|(i, _)| i)
        .collect();
    let ward_at: HashMap<&str, usize> = listed
        .iter()
        .enumerate()
        .map(|(k, &i)| (wards.codes[i].as_str(), k))
        .collect();
    let at21 = index_of(lsoa21_codes);
    let membership: Vec<(usize, usize)> = lookups
        .lsoa11_21
        .iter()
        .filter_map(|(c11, _, c21)| {
            let ward = lookups.lsoa11.get(c11)?;
            let w = *ward_at.get(ward.ward.code.as_str())?;
            Some((w, *at21.get(c21.as_str())?))
        })
        .collect();
    let holdings = ward_holdings(listed.len(), membership.iter().copied(), flags);
    let mut lb: Vec<Vec<String>> = vec![Vec::new(); listed.len()];
    for &(w, l) in &membership {
        if flags.get(l).copied().unwrap_or(false) && !lb[w].contains(&lsoa21_codes[l]) {
            lb[w].push(lsoa21_codes[l].clone());
        }
    }
    listed
        .iter()
        .zip(holdings)
        .zip(lb)
        .map(|((&i, holding), mut lsoas)| {
            lsoas.sort();
            let code = wards.codes[i].clone();
            WardRow {
                name: wards.names.get(i).cloned().unwrap_or_default(),
                lad: lookups
                    .ward17_lad
                    .get(&code)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
                code,
                holding,
                left_behind_lsoas: lsoas,
            }
        })
        .collect()
}
