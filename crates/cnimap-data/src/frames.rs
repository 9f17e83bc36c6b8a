//! The table's data per level ([`TableFrame`]) from the atlas: LSOA and ward rows with their
//! published values (ward 2017 rows with the IoD 2019's summary measures too), and ward 2024, LAD
//! 2024 and region rows with their summary measures.

use cnimap_core::api::NamedArea;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::summary::summary_levels;
use cnimap_core::table::{
    parent_levels, FrameIndicator, ParentColumn, TableFrame, TableParents, TABLE_LEVELS,
};
use cnimap_core::Level;

use crate::atlas::Atlas;

/// The table frame of `level`, or `None` when the level has no table or its layer (or
/// hierarchy) was not loaded.
pub fn table_frame(atlas: &Atlas, level: Level) -> Option<TableFrame> {
    if !TABLE_LEVELS.contains(&level) {
        return None;
    }
    let h = &atlas.summaries.hierarchy;
    let rows = atlas.summaries.rows.get(&level);
    if let Some(rows) = rows.filter(|_| is_summary_level(level)) {
        let areas: &Vec<NamedArea> = h.areas.get(&level)?;
        let indicators = IndicatorId::all()
            .filter_map(|id| {
                rows.get(id.as_str())
                    .map(|r| FrameIndicator::summaries(id, r))
            })
            .collect();
        return Some(TableFrame {
            level,
            codes: areas.iter().map(|a| a.code.clone()).collect(),
            names: areas.iter().map(|a| a.name.clone()).collect(),
            parents: parent_columns(atlas, level),
            indicators,
        });
    }
    let layer = atlas.layer(level)?;
    let mut indicators: Vec<FrameIndicator> = atlas
        .indicators
        .iter()
        .filter(|v| v.def.level() == level)
        .filter_map(|v| {
            let id = IndicatorId::parse(v.def.id).ok()?;
            Some(FrameIndicator::published(
                id,
                v.n_ranked,
                v.rank.clone(),
                v.decile.clone(),
                v.score.clone(),
            ))
        })
        .collect();
    // A published level with summaries too (ward 2017: the IoD 2019's, by the best-fit lookup).
    if let Some(rows) = rows.filter(|_| h.areas.get(&level).map(Vec::len) == Some(layer.len())) {
        indicators.extend(IndicatorId::all().filter_map(|id| {
            rows.get(id.as_str())
                .map(|r| FrameIndicator::summaries(id, r))
        }));
    }
    Some(TableFrame {
        level,
        codes: layer.codes.clone(),
        names: layer.names.clone(),
        parents: parent_columns(atlas, level),
        indicators,
    })
}

/// Whether `level`'s rows are summaries only (ward 2024, LAD 2024, region): larger areas with no
/// published values of their own. Ward 2017 is published (CNI 2019) and summarised too.
fn is_summary_level(level: Level) -> bool {
    summary_levels(Level::Lsoa21).contains(&level)
}

/// The larger areas every area of `level` lies in (the [`TableFrame::parents`] of its frame):
/// summary levels (ward 2024, LAD 2024, region) through the summaries' hierarchy, published levels
/// through the lookups' index.
pub fn parent_columns(atlas: &Atlas, level: Level) -> Vec<ParentColumn> {
    let h = &atlas.summaries.hierarchy;
    let summary_level = is_summary_level(level);
    parent_levels(level)
        .iter()
        .filter_map(|p| {
            Some(ParentColumn {
                level: *p,
                areas: h.areas.get(p)?.clone(),
                index: if summary_level {
                    h.parent_of(level, *p)
                } else {
                    h.index(level, *p).cloned()?
                },
            })
        })
        .collect()
}

/// `/api/parents/{layer}`: the parents document of a table level, `None` when the level has no
/// table frame (as [`table_frame`]).
pub fn parents_document(atlas: &Atlas, level: Level) -> Option<TableParents> {
    if !TABLE_LEVELS.contains(&level) {
        return None;
    }
    let has_rows = if is_summary_level(level) {
        atlas.summaries.hierarchy.areas.contains_key(&level)
    } else {
        atlas.layer(level).is_some()
    };
    has_rows.then(|| TableParents {
        layer: level,
        parents: parent_columns(atlas, level),
    })
}
