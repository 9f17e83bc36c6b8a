//! The table's data per level ([`TableFrame`]) from the atlas: LSOA and ward rows with their
//! published values, and ward 2024, LAD 2024 and region rows with their summary measures.

use cnimap_core::api::NamedArea;
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::table::{parent_levels, FrameIndicator, ParentColumn, TableFrame, TABLE_LEVELS};
use cnimap_core::Level;

use crate::atlas::Atlas;

/// The table frame of `level`, or `None` when the level has no table or its layer (or
/// hierarchy) was not loaded.
pub fn table_frame(atlas: &Atlas, level: Level) -> Option<TableFrame> {
    if !TABLE_LEVELS.contains(&level) {
        return None;
    }
    let h = &atlas.summaries.hierarchy;
    let parents_from = |index_of: &dyn Fn(Level) -> Option<Vec<Option<u32>>>| {
        parent_levels(level)
            .iter()
            .filter_map(|p| {
                Some(ParentColumn {
                    level: *p,
                    areas: h.areas.get(p)?.clone(),
                    index: index_of(*p)?,
                })
            })
            .collect::<Vec<_>>()
    };
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
            parents: parents_from(&|p| Some(h.parent_of(level, p))),
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
        parents: parents_from(&|p| h.index(level, p).cloned()),
        indicators,
    })
}
