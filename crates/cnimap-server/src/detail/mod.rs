//! Everything about one area, assembled per request from indexes built at start-up: its names and
//! parents, every indicator of its layer (or summaries, for larger areas), left-behind status,
//! neighbours and its counterparts in the other LSOA vintage.

pub mod parents;
pub mod summary;

use cnimap_core::api::{AreaDetail, AreaIndicator, Counterpart, LeftBehindStatus, NamedArea};
use cnimap_core::catalogue::decile_meaning;
use cnimap_core::left_behind::{official_2019_ward_sentence, LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::Level;
use cnimap_data::{AreaLayer, Atlas};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Where a code is looked for when the caller does not name a layer: LSOA 2021 first, as codes
/// of unchanged LSOAs are shared by both vintages.
pub const LOOKUP_ORDER: [Level; 5] = [
    Level::Lsoa21,
    Level::Lsoa11,
    Level::Ward17,
    Level::Lad24,
    Level::Region,
];

/// England, for an area with neither outline nor centroid.
const ENGLAND_WGS84: [f64; 4] = [-6.4, 49.8, 1.8, 55.9];

/// Everything about one area. With `layer`, the area as that layer has it (an LSOA code shared
/// by both vintages then shows the edition the user is looking at).
pub fn area_detail(state: &AppState, code: &str, layer: Option<Level>) -> AppResult<AreaDetail> {
    let atlas = &state.atlas;
    let order: &[Level] = match &layer {
        Some(l) => std::slice::from_ref(l),
        None => &LOOKUP_ORDER,
    };
    let (area_layer, index) = order
        .iter()
        .find_map(|l| {
            let al = atlas.layer(*l)?;
            al.find(code).map(|i| (al, i))
        })
        .ok_or_else(|| match layer {
            Some(l) => AppError::NotFound(format!("no area with code {code} in layer {l}")),
            None => AppError::NotFound(format!("no area with code {code} in the data")),
        })?;
    let level = area_layer.level;
    let i = index as usize;
    let name = area_layer.names[i].clone();
    let is_summary = summary::is_summary_level(level);
    let indicators = if is_summary {
        summary::indicators(atlas, level, code)
    } else {
        let mut own = own_indicators(atlas, level, i);
        // Ward 2017: the IoD 2019's summary measures of its LSOAs too (best-fit lookup).
        own.extend(summary::indicators(atlas, level, code));
        own
    };
    let summarised = is_summary || indicators.iter().any(|i| !i.measures.is_empty());
    let (neighbourhood, ward, lad, region) = parents::parents(atlas, level, code, &name);
    Ok(AreaDetail {
        code: code.to_string(),
        name,
        level,
        feature_index: index,
        neighbourhood,
        ward,
        lad,
        region,
        bbox_wgs84: bbox(atlas, area_layer, code, i),
        indicators,
        left_behind: left_behind(atlas, level, i),
        neighbours: neighbours(state, area_layer, index),
        summary_method: summarised.then(|| summary::method(level)),
        left_behind_count: summary::left_behind_count(state, level, code),
        counterparts: counterparts(state, level, code),
    })
}

/// The indicators published on the area's own layer, in catalogue order.
fn own_indicators(atlas: &Atlas, level: Level, i: usize) -> Vec<AreaIndicator> {
    let areas = level.areas_noun();
    summary::in_catalogue_order(
        atlas
            .indicators
            .iter()
            .filter(|v| v.def.level() == level)
            .map(|v| {
                let score = v.score.as_ref().and_then(|s| s[i]);
                AreaIndicator {
                    id: v.def.id.to_string(),
                    title: v.def.title.to_string(),
                    score,
                    rank: v.rank[i],
                    of: v.n_ranked,
                    decile: v.decile[i],
                    meaning: decile_meaning(v.def.direction(), v.decile[i].unwrap_or(0), areas),
                    score_meaning: score.and(v.def.score_meaning()).map(str::to_string),
                    measures: Vec::new(),
                }
            })
            .collect(),
    )
}

fn left_behind(atlas: &Atlas, level: Level, i: usize) -> Option<LeftBehindStatus> {
    let pair = LEFT_BEHIND_PAIR;
    if level == pair.level {
        let need = atlas.values(pair.need.as_str())?;
        let dep = atlas.values(pair.deprivation.as_str())?;
        let rule = LeftBehindRule::default();
        let (a, b) = ((need.rank[i], need.n_ranked), (dep.rank[i], dep.n_ranked));
        return Some(LeftBehindStatus {
            left_behind: pair.is_left_behind(rule, a, b),
            method: pair.explain(rule, a, b),
        });
    }
    if level == Level::Ward17 {
        let flag = *atlas.cni2019_official.get(i)?;
        return Some(LeftBehindStatus {
            left_behind: flag,
            method: official_2019_ward_sentence(flag),
        });
    }
    None
}

fn neighbours(state: &AppState, layer: &AreaLayer, index: u32) -> Vec<NamedArea> {
    state
        .tiles
        .get(&layer.level)
        .map(|t| {
            t.neighbours()
                .of(index)
                .iter()
                .map(|n| NamedArea {
                    code: layer.codes[*n as usize].clone(),
                    name: layer.names[*n as usize].clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn bbox(atlas: &Atlas, layer: &AreaLayer, code: &str, i: usize) -> [f64; 4] {
    layer.bbox_wgs84[i]
        .or_else(|| {
            atlas
                .lookups
                .ward_centroids
                .get(code)
                .map(|[x, y]| [*x, *y, *x, *y])
        })
        .unwrap_or(ENGLAND_WGS84)
}

/// The same place in the other LSOA vintage.
fn counterparts(state: &AppState, level: Level, code: &str) -> Vec<Counterpart> {
    let (pairs, other) = match level {
        Level::Lsoa11 => (state.vintages.to_2021.get(code), Level::Lsoa21),
        Level::Lsoa21 => (state.vintages.from_2011.get(code), Level::Lsoa11),
        _ => return Vec::new(),
    };
    let Some(layer) = state.atlas.layer(other) else {
        return Vec::new();
    };
    pairs
        .into_iter()
        .flatten()
        .filter_map(|(c, change)| {
            let i = layer.find(c)?;
            Some(Counterpart {
                level: other,
                area: NamedArea {
                    code: c.clone(),
                    name: layer.names[i as usize].clone(),
                },
                change: (*change).to_string(),
            })
        })
        .collect()
}
