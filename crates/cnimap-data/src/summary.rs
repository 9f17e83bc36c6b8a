//! Summaries of LSOA indicators for larger areas (ward 2024, LAD 2024, region), following MHCLG's
//! published summary measures as far as the data allows. The arithmetic is
//! [`cnimap_core::summary::summarise`] (the browser runs the same); this module does the joins:
//! which larger area each LSOA lies in ([`Hierarchy`], from the ONS lookups) and the IoD 2019
//! population weights (File 6).

use std::collections::{BTreeMap, HashMap};

use cnimap_core::api::NamedArea;
use cnimap_core::summary::{summarise as summarise_values, summary_levels, Summary};
use cnimap_core::Level;

use crate::layer::{AreaLayer, IndicatorValues};
use crate::lookups::Lookups;

/// How the summaries are made, for the API and the UI.
pub const SUMMARY_METHOD: &str = "Computed by cnimap from the LSOA values, following MHCLG's \
summary measures: the share of the area's LSOAs in the worst 10% nationally (decile 1, each LSOA \
counted once, as MHCLG does), the average of their ranks, and the rank of that average among all \
areas of the same kind (1 = most deprived or highest need). MHCLG weights the average rank by \
population: cnimap does so for the IoD 2019 (mid-2015 populations, File 6), but no population is \
published with the 2021 LSOAs in the data read, so averages of 2025 and 2023 ranks are unweighted. \
LSOAs are assigned to wards and local authorities with the ONS LSOA 2021 to ward 2024 to LAD 2024 \
lookup; for the IoD 2019 (published on LSOA 2011) each LSOA 2011 is placed in the local authority \
of the first LSOA 2021 it became (ONS LSOA 2011 to 2021 lookup), and wholly in one December 2017 \
ward by the ONS best-fit LSOA 2011 to ward 2017 lookup (a best fit: the ward holding the LSOA's \
population-weighted centroid). MHCLG's average score, extent and \
local concentration need population figures for the 2021 LSOAs and are not computed.";

/// One area's summary of one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaSummary {
    /// The area.
    pub area: NamedArea,
    /// LSOAs with a value.
    pub n_lsoas: u32,
    /// Share of them in decile 1 (0..=1).
    pub share_decile1: f64,
    /// Mean of their ranks (population-weighted for the IoD 2019).
    pub average_rank: f64,
    /// Rank of `average_rank` among areas of the same level (1 = lowest average rank).
    pub rank_of_average_rank: u32,
    /// Number of areas ranked.
    pub of: u32,
}

/// The larger areas the LSOAs lie in: per summary level its areas (sorted by code) and each
/// LSOA's index into them, by LSOA feature index.
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    /// Ward 2024, LAD 2024 and region areas, sorted by code, and the ward 2017 layer's areas.
    pub areas: BTreeMap<Level, Vec<NamedArea>>,
    /// For each LSOA 2021 (by feature index), its index in `areas[level]`.
    pub lsoa21: BTreeMap<Level, Vec<Option<u32>>>,
    /// For each LSOA 2011, its LAD 2024 and region (through the first LSOA 2021 it became).
    pub lsoa11: BTreeMap<Level, Vec<Option<u32>>>,
}

impl Hierarchy {
    /// Builds the hierarchy from the LSOA layers and the ONS lookups.
    pub fn build(layers: &BTreeMap<Level, AreaLayer>, lookups: &Lookups) -> Hierarchy {
        let mut h = Hierarchy::default();
        let Some(lsoa21) = layers.get(&Level::Lsoa21) else {
            return h;
        };
        for level in [Level::Ward24, Level::Lad24, Level::Region] {
            let parent: Vec<Option<NamedArea>> = lsoa21
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
            let mut areas: Vec<NamedArea> = parent.iter().flatten().cloned().collect();
            areas.sort_by(|a, b| a.code.cmp(&b.code));
            areas.dedup_by(|a, b| a.code == b.code);
            let position: HashMap<&str, u32> = (0u32..)
                .zip(&areas)
                .map(|(i, a)| (a.code.as_str(), i))
                .collect();
            let index = parent
                .iter()
                .map(|p| {
                    p.as_ref()
                        .and_then(|p| position.get(p.code.as_str()).copied())
                })
                .collect();
            h.lsoa21.insert(level, index);
            h.areas.insert(level, areas);
        }
        if let Some(lsoa11) = layers.get(&Level::Lsoa11) {
            let mut first21: HashMap<&str, u32> = HashMap::new();
            for (code11, _, code21) in &lookups.lsoa11_21 {
                if let Some(i) = lsoa21.find(code21) {
                    first21.entry(code11.as_str()).or_insert(i);
                }
            }
            for level in [Level::Lad24, Level::Region] {
                let Some(of21) = h.lsoa21.get(&level) else {
                    continue;
                };
                let index = lsoa11
                    .codes
                    .iter()
                    .map(|code| {
                        let i = *first21.get(code.as_str())?;
                        of21.get(i as usize).copied().flatten()
                    })
                    .collect();
                h.lsoa11.insert(level, index);
            }
            if let Some(ward17) = layers.get(&Level::Ward17) {
                // December 2017 wards: the ONS best-fit LSOA 2011 -> ward 2017 lookup, into the
                // ward 2017 layer's own areas (so the rows are its features).
                let index = lsoa11
                    .codes
                    .iter()
                    .map(|code| ward17.find(&lookups.lsoa11.get(code)?.ward.code))
                    .collect();
                h.lsoa11.insert(Level::Ward17, index);
                h.areas.insert(
                    Level::Ward17,
                    ward17
                        .codes
                        .iter()
                        .zip(&ward17.names)
                        .map(|(c, n)| NamedArea {
                            code: c.clone(),
                            name: n.clone(),
                        })
                        .collect(),
                );
            }
        }
        h
    }

    /// For each area of `child` (a summary level), the index of the `parent` area it lies in
    /// (the parent of its first LSOA 2021).
    pub fn parent_of(&self, child: Level, parent: Level) -> Vec<Option<u32>> {
        let n = self.areas.get(&child).map_or(0, Vec::len);
        let mut out = vec![None; n];
        if let (Some(c), Some(p)) = (self.lsoa21.get(&child), self.lsoa21.get(&parent)) {
            for (ci, pi) in c.iter().zip(p) {
                if let (Some(ci), Some(pi)) = (ci, pi) {
                    if let Some(slot) = out.get_mut(*ci as usize) {
                        slot.get_or_insert(*pi);
                    }
                }
            }
        }
        out
    }

    /// Each LSOA's index at `level`, for LSOAs published on `published`.
    pub fn index(&self, published: Level, level: Level) -> Option<&Vec<Option<u32>>> {
        match published {
            Level::Lsoa21 => self.lsoa21.get(&level),
            Level::Lsoa11 => self.lsoa11.get(&level),
            _ => None,
        }
    }
}

/// Summaries by level, then indicator id, then area code.
#[derive(Debug, Clone, Default)]
pub struct Summaries {
    /// `level -> indicator -> code -> summary`.
    pub by_level: BTreeMap<Level, BTreeMap<&'static str, HashMap<String, AreaSummary>>>,
    /// `level -> indicator -> summary` by the area's index in `hierarchy.areas[level]`.
    pub rows: BTreeMap<Level, BTreeMap<&'static str, Vec<Option<Summary>>>>,
    /// Which larger area each LSOA lies in.
    pub hierarchy: Hierarchy,
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

/// Summarises every LSOA 2021 indicator for 2024 wards, LADs and regions, and every LSOA 2011
/// indicator (IoD 2019) for December 2017 wards (best fit), 2024 LADs and regions, weighting the IoD 2019 average ranks by the
/// mid-2015 populations in `population_2011` (LSOA 2011 code -> people; empty: unweighted).
pub fn summarise(
    layers: &BTreeMap<Level, AreaLayer>,
    values: &[IndicatorValues],
    lookups: &Lookups,
    population_2011: &HashMap<String, u32>,
) -> Summaries {
    let hierarchy = Hierarchy::build(layers, lookups);
    let weights11: Option<Vec<Option<u32>>> = layers
        .get(&Level::Lsoa11)
        .filter(|_| !population_2011.is_empty())
        .map(|l| {
            l.codes
                .iter()
                .map(|c| population_2011.get(c).copied())
                .collect()
        });
    let mut out = Summaries::default();
    for v in values {
        let published = v.def.level();
        let weight = match published {
            Level::Lsoa11 => weights11.as_deref(),
            _ => None,
        };
        for &level in summary_levels(published) {
            let (Some(index), Some(areas)) = (
                hierarchy.index(published, level),
                hierarchy.areas.get(&level),
            ) else {
                continue;
            };
            let rows = summarise_values(index, areas.len(), &v.rank, &v.decile, weight);
            let by_code = areas
                .iter()
                .zip(&rows)
                .filter_map(|(area, s)| {
                    let s = s.as_ref()?;
                    Some((
                        area.code.clone(),
                        AreaSummary {
                            area: area.clone(),
                            n_lsoas: s.n_lsoas,
                            share_decile1: s.share_decile1,
                            average_rank: s.average_rank,
                            rank_of_average_rank: s.rank_of_average_rank,
                            of: s.of,
                        },
                    ))
                })
                .collect();
            out.by_level
                .entry(level)
                .or_default()
                .insert(v.def.id, by_code);
            out.rows.entry(level).or_default().insert(v.def.id, rows);
        }
    }
    out.hierarchy = hierarchy;
    out
}
