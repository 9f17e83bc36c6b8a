//! Per-area facts the area panel reads, indexed once: which LSOA 2011 areas became which LSOA 2021
//! areas (ONS change codes), and how many left-behind neighbourhoods each larger area holds.

use std::collections::HashMap;

use cnimap_core::api::NamedArea;
use cnimap_core::left_behind::{LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::Level;
use cnimap_data::Atlas;

/// LSOA 2011 <-> 2021 pairs by either code, with the ONS change in words.
#[derive(Debug, Default)]
pub struct Vintages {
    /// LSOA 2011 code -> `(LSOA 2021 code, change)`.
    pub to_2021: HashMap<String, Vec<(String, &'static str)>>,
    /// LSOA 2021 code -> `(LSOA 2011 code, change)`.
    pub from_2011: HashMap<String, Vec<(String, &'static str)>>,
}

impl Vintages {
    /// Indexes the ONS LSOA 2011 -> 2021 lookup.
    pub fn build(atlas: &Atlas) -> Vintages {
        let mut v = Vintages::default();
        for (a, change, b) in &atlas.lookups.lsoa11_21 {
            let words = change.describe();
            v.to_2021
                .entry(a.clone())
                .or_default()
                .push((b.clone(), words));
            v.from_2011
                .entry(b.clone())
                .or_default()
                .push((a.clone(), words));
        }
        v
    }
}

/// `(left-behind neighbourhoods, neighbourhoods)` inside each local authority, region and 2024
/// ward, under the default rule (the worst 10% on both indices of [`LEFT_BEHIND_PAIR`]).
#[derive(Debug, Default)]
pub struct LeftBehindCounts {
    /// `(level, code) -> (count, of)`.
    pub by_area: HashMap<(Level, String), (u32, u32)>,
}

impl LeftBehindCounts {
    /// Counts from the LSOA 2021 values and the ONS LSOA -> ward -> LAD -> region lookups.
    pub fn build(atlas: &Atlas) -> LeftBehindCounts {
        let mut out = LeftBehindCounts::default();
        let pair = LEFT_BEHIND_PAIR;
        let (Some(layer), Some(need), Some(dep)) = (
            atlas.layer(pair.level),
            atlas.values(pair.need.as_str()),
            atlas.values(pair.deprivation.as_str()),
        ) else {
            return out;
        };
        let rule = LeftBehindRule::default();
        let lookups = &atlas.lookups;
        for (i, code) in layer.codes.iter().enumerate() {
            let Some(p) = lookups.lsoa21.get(code) else {
                continue;
            };
            let flagged = pair.is_left_behind(
                rule,
                (need.rank[i], need.n_ranked),
                (dep.rank[i], dep.n_ranked),
            );
            let region: Option<&NamedArea> = lookups.lad24_region.get(&p.lad.code);
            let parents = [
                Some((Level::Ward24, &p.ward.code)),
                Some((Level::Lad24, &p.lad.code)),
                region.map(|r| (Level::Region, &r.code)),
            ];
            for (level, parent) in parents.into_iter().flatten() {
                let e = out.by_area.entry((level, parent.clone())).or_default();
                e.0 += u32::from(flagged);
                e.1 += 1;
            }
        }
        out
    }

    /// The sentence saying how the count was made.
    pub fn method(atlas: &Atlas) -> Option<String> {
        let pair = LEFT_BEHIND_PAIR;
        let (need, dep) = (
            atlas.values(pair.need.as_str())?,
            atlas.values(pair.deprivation.as_str())?,
        );
        Some(format!(
            "{} Neighbourhoods (LSOA 2021) are placed in wards, local authorities and regions with the ONS LSOA 2021 to ward 2024 to local authority 2024 lookup.",
            pair.method(LeftBehindRule::default(), need.n_ranked, dep.n_ranked)
        ))
    }
}
