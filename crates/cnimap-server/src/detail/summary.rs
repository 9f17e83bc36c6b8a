//! Larger areas (local authorities, regions): MHCLG's summary measures of the LSOA values for
//! every indicator, each measure named, the method said once, and the left-behind count.

use cnimap_core::api::{AreaIndicator, LeftBehindCount};
use cnimap_core::catalogue::{self, IndicatorId};
use cnimap_core::summary::{area_indicator, Summary};
use cnimap_core::Level;
use cnimap_data::summary::SUMMARY_METHOD;
use cnimap_data::Atlas;

use crate::prepare::LeftBehindCounts;
use crate::state::AppState;

/// Whether an area of `level` is shown through summaries of its neighbourhoods.
pub fn is_summary_level(level: Level) -> bool {
    matches!(level, Level::Lad24 | Level::Region)
}

/// How the summaries were made, once per panel.
pub fn method(level: Level) -> String {
    format!(
        "{SUMMARY_METHOD} The decile shown for each of these {} is the decile of its rank of average rank among all of them (⌈10 × rank ÷ n⌉), derived by cnimap.",
        level.areas_noun()
    )
}

/// Sorts indicators as the catalogue lists them (each index before its domains).
pub fn in_catalogue_order(mut v: Vec<AreaIndicator>) -> Vec<AreaIndicator> {
    v.sort_by_key(|i| IndicatorId::parse(&i.id).map_or(usize::MAX, position));
    v
}

fn position(id: IndicatorId) -> usize {
    IndicatorId::all()
        .position(|x| x == id)
        .unwrap_or(usize::MAX)
}

/// Every indicator's summary for one area, each measure named (core's
/// [`cnimap_core::summary::area_indicator`], as the page says a ward 2024's), in catalogue order.
pub fn indicators(atlas: &Atlas, level: Level, code: &str) -> Vec<AreaIndicator> {
    let rows = atlas
        .summaries
        .for_area(level, code)
        .into_iter()
        .filter_map(|(id, s)| {
            let def = catalogue::find(id)?;
            let summary = Summary {
                n_lsoas: s.n_lsoas,
                share_decile1: s.share_decile1,
                average_rank: s.average_rank,
                rank_of_average_rank: s.rank_of_average_rank,
                of: s.of,
            };
            Some(area_indicator(def, &summary, catalogue_n(atlas, id), level))
        })
        .collect();
    in_catalogue_order(rows)
}

fn catalogue_n(atlas: &Atlas, id: &str) -> u32 {
    atlas.values(id).map_or(0, |v| v.n_ranked)
}

/// How many of a larger area's neighbourhoods are left behind.
pub fn left_behind_count(state: &AppState, level: Level, code: &str) -> Option<LeftBehindCount> {
    if !is_summary_level(level) {
        return None;
    }
    let (count, of) = *state
        .left_behind_counts
        .by_area
        .get(&(level, code.to_string()))?;
    Some(LeftBehindCount {
        count,
        of,
        method: LeftBehindCounts::method(&state.atlas)?,
    })
}
