//! Larger areas (local authorities, regions): MHCLG's summary measures of the LSOA values for
//! every indicator, each measure named, the method said once, and the left-behind count.

use cnimap_core::api::{AreaIndicator, LeftBehindCount, SummaryMeasure};
use cnimap_core::catalogue::{self, Direction, IndicatorId};
use cnimap_core::classify::{decile_from_rank, format_thousands};
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

/// Every indicator's summary for one area, each measure named, in catalogue order.
pub fn indicators(atlas: &Atlas, level: Level, code: &str) -> Vec<AreaIndicator> {
    let areas = level.areas_noun();
    let rows = atlas
        .summaries
        .for_area(level, code)
        .into_iter()
        .filter_map(|(id, s)| {
            let def = catalogue::find(id)?;
            let worst = match def.direction() {
                Direction::MostDeprivedFirst => "most deprived",
                Direction::HighestNeedFirst => "highest-need",
            };
            let decile = decile_from_rank(s.rank_of_average_rank, s.of);
            let share = format!("{:.0}%", s.share_decile1 * 100.0);
            let measures = vec![
                SummaryMeasure {
                    id: "share_decile1".into(),
                    label: format!(
                        "Share of its {} neighbourhoods among the 10% {worst} in England",
                        format_thousands(s.n_lsoas)
                    ),
                    value: s.share_decile1,
                    text: share.clone(),
                },
                SummaryMeasure {
                    id: "average_rank".into(),
                    label: format!(
                        "Average rank of its neighbourhoods (1 = {worst} of {})",
                        format_thousands(catalogue_n(atlas, id))
                    ),
                    value: s.average_rank,
                    text: format_thousands(s.average_rank.round() as u32),
                },
                SummaryMeasure {
                    id: "rank_of_average_rank".into(),
                    label: format!("Rank of that average among the {} {areas}", s.of),
                    value: f64::from(s.rank_of_average_rank),
                    text: format!(
                        "{} of {}",
                        format_thousands(s.rank_of_average_rank),
                        format_thousands(s.of)
                    ),
                },
            ];
            Some(AreaIndicator {
                id: id.to_string(),
                title: def.title.to_string(),
                score: None,
                rank: Some(s.rank_of_average_rank),
                of: s.of,
                decile,
                meaning: format!(
                    "{share} of its neighbourhoods are among the 10% {worst} in England; by average rank it is {} of {} {areas}.",
                    format_thousands(s.rank_of_average_rank),
                    format_thousands(s.of)
                ),
                score_meaning: None,
                measures,
            })
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
