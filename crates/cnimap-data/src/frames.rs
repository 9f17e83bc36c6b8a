//! The table's data per level ([`TableFrame`]) from the atlas: LSOA and ward rows with their
//! published values, and ward 2024, LAD 2024 and region rows with their summary measures.

use cnimap_core::api::NamedArea;
use cnimap_core::catalogue::IndicatorId;
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
    if let Some(rows) = atlas.summaries.rows.get(&level) {
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
    let indicators = atlas
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
    Some(TableFrame {
        level,
        codes: layer.codes.clone(),
        names: layer.names.clone(),
        parents: parent_columns(atlas, level),
        indicators,
    })
}

/// The larger areas every area of `level` lies in (the [`TableFrame::parents`] of its frame):
/// summary levels (ward 2024, LAD 2024, region) through the summaries' hierarchy, published levels
/// through the lookups' index.
pub fn parent_columns(atlas: &Atlas, level: Level) -> Vec<ParentColumn> {
    let h = &atlas.summaries.hierarchy;
    let summary_level = atlas.summaries.rows.contains_key(&level);
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
    let has_rows = if atlas.summaries.rows.contains_key(&level) {
        atlas.summaries.hierarchy.areas.contains_key(&level)
    } else {
        atlas.layer(level).is_some()
    };
    has_rows.then(|| TableParents {
        layer: level,
        parents: parent_columns(atlas, level),
    })
}
