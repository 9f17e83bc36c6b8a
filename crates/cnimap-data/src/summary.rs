//! Summaries of LSOA 2021 indicators for larger areas (LAD 2024, region, ward 2024), following
//! MHCLG's published summary measures as far as the data allows.

use std::collections::{BTreeMap, HashMap};

use cnimap_core::api::NamedArea;
use cnimap_core::Level;

use crate::layer::{AreaLayer, IndicatorValues};
use crate::lookups::Lookups;

/// How the summaries are made, for the API and the UI.
pub const SUMMARY_METHOD: &str = "Computed by cnimap from the LSOA 2021 values, following MHCLG's \
summary measures: the share of the area's LSOAs in the worst 10% nationally (decile 1), the \
average (unweighted mean) of their ranks, and the rank of that average among all areas of the same \
kind (1 = most deprived or highest need). LSOAs are assigned to wards and local authorities with \
the ONS LSOA 2021 to ward 2024 to LAD 2024 lookup; for the IoD 2019 (published on LSOA 2011) each \
LSOA 2011 is placed in the local authority of the LSOA 2021 it became (ONS LSOA 2011 to 2021 \
lookup; a split area's parts all lie in one authority). MHCLG's population-weighted measures (average \
score, extent, local concentration) need population figures these files do not include.";

/// One area's summary of one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaSummary {
    /// The area.
    pub area: NamedArea,
    /// LSOAs with a value.
    pub n_lsoas: u32,
    /// Share of them in decile 1 (0..=1).
    pub share_decile1: f64,
    /// Mean of their ranks.
    pub average_rank: f64,
    /// Rank of `average_rank` among areas of the same level (1 = lowest average rank).
    pub rank_of_average_rank: u32,
    /// Number of areas ranked.
    pub of: u32,
}

/// Summaries by level, then indicator id, then area code.
#[derive(Debug, Clone, Default)]
pub struct Summaries {
    /// `level -> indicator -> code -> summary`.
    pub by_level: BTreeMap<Level, BTreeMap<&'static str, HashMap<String, AreaSummary>>>,
}

impl Summaries {
    /// Every indicator's summary for one area.
    pub fn for_area(&self, level: Level, code: &str) -> Vec<(&'static str, &AreaSummary)> {
        self.by_level
            .get(&level)
            .map(|m| {
                m.iter()
                    .filter_map(|(id, s)| s.get(code).map(|s| (*id, s)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Summarises every LSOA 2021 indicator for LADs, regions and 2024 wards.
pub fn summarise(
    layers: &BTreeMap<Level, AreaLayer>,
    values: &[IndicatorValues],
    lookups: &Lookups,
) -> Summaries {
    let mut out = Summaries::default();
    let Some(lsoa) = layers.get(&Level::Lsoa21) else {
        return out;
    };
    let parents = parents_by_level(lsoa, lookups);
    for v in values.iter().filter(|v| v.def.level() == Level::Lsoa21) {
        for (level, parent) in &parents {
            out.by_level
                .entry(*level)
                .or_default()
                .insert(v.def.id, summarise_indicator(v, parent));
        }
    }
    if let Some(lsoa11) = layers.get(&Level::Lsoa11) {
        let parents11 = parents_of_2011(lsoa11, &parents, lsoa, lookups);
        for v in values.iter().filter(|v| v.def.level() == Level::Lsoa11) {
            for (level, parent) in &parents11 {
                out.by_level
                    .entry(*level)
                    .or_default()
                    .insert(v.def.id, summarise_indicator(v, parent));
            }
        }
    }
    out
}

/// The 2024 local authority and region of every LSOA 2011, by its feature index: those of the
/// first LSOA 2021 it became in the ONS lookup (wards are left out: 2011 areas do not nest in
/// 2024 wards).
fn parents_of_2011(
    lsoa11: &AreaLayer,
    parents21: &BTreeMap<Level, Vec<Option<NamedArea>>>,
    lsoa21: &AreaLayer,
    lookups: &Lookups,
) -> BTreeMap<Level, Vec<Option<NamedArea>>> {
    let mut first21: HashMap<&str, u32> = HashMap::new();
    for (code11, _, code21) in &lookups.lsoa11_21 {
        if let Some(i) = lsoa21.find(code21) {
            first21.entry(code11.as_str()).or_insert(i);
        }
    }
    [Level::Lad24, Level::Region]
        .into_iter()
        .filter_map(|level| {
            let p21 = parents21.get(&level)?;
            let v = lsoa11
                .codes
                .iter()
                .map(|code| {
                    let i = *first21.get(code.as_str())?;
                    p21.get(i as usize).cloned().flatten()
                })
                .collect();
            Some((level, v))
        })
        .collect()
}

/// The parent of every LSOA 2021 at each summary level (LAD 2024, region, ward 2024), by feature
/// index (`None` where the lookups have no parent).
fn parents_by_level(
    lsoa: &AreaLayer,
    lookups: &Lookups,
) -> BTreeMap<Level, Vec<Option<NamedArea>>> {
    [Level::Lad24, Level::Region, Level::Ward24]
        .into_iter()
        .map(|level| {
            let v = lsoa
                .codes
                .iter()
                .map(|code| {
                    let p = lookups.lsoa21.get(code)?;
                    match level {
                        Level::Lad24 => Some(p.lad.clone()),
                        Level::Ward24 => Some(p.ward.clone()),
                        _ => lookups.lad24_region.get(&p.lad.code).cloned(),
                    }
                })
                .collect();
            (level, v)
        })
        .collect()
}

/// One indicator summarised for every parent area: LSOAs with a rank, share in decile 1, mean
/// rank, and the rank of that mean (ties broken by code).
fn summarise_indicator(
    v: &IndicatorValues,
    parent: &[Option<NamedArea>],
) -> HashMap<String, AreaSummary> {
    let mut groups: HashMap<&NamedArea, (u32, u32, u64)> = HashMap::new();
    for (i, p) in parent.iter().enumerate() {
        let (Some(p), Some(rank)) = (p, v.rank[i]) else {
            continue;
        };
        let g = groups.entry(p).or_default();
        g.0 += 1;
        g.1 += u32::from(v.decile[i] == Some(1));
        g.2 += u64::from(rank);
    }
    let mut rows: Vec<AreaSummary> = groups
        .into_iter()
        .map(|(area, (n, d1, sum))| AreaSummary {
            area: area.clone(),
            n_lsoas: n,
            share_decile1: f64::from(d1) / f64::from(n),
            average_rank: sum as f64 / f64::from(n),
            rank_of_average_rank: 0,
            of: 0,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.average_rank
            .total_cmp(&b.average_rank)
            .then_with(|| a.area.code.cmp(&b.area.code))
    });
    let of = rows.len() as u32;
    rows.into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.rank_of_average_rank = i as u32 + 1;
            s.of = of;
            (s.area.code.clone(), s)
        })
        .collect()
}
