//! Joining by code: each layer's areas numbered by feature index (codes sorted), its geometry and
//! bounding boxes moved onto that numbering, and every indicator's values and published flags
//! aligned with it.

use std::collections::{BTreeMap, HashMap};

use cnimap_core::catalogue::{IndicatorDef, CATALOGUE};
use cnimap_core::classify::decile_counts;
use cnimap_core::Level;

use crate::boundary::{LayerConfig, Manifest};
use crate::indicators::SourceTable;
use crate::layer::{AreaLayer, IndicatorValues, LayerGeometry};

use super::read::{ReadSource, Tables};
use super::report::{self, DatasetReport};

/// Builds every layer of the manifest from its boundary files and the codes that carry data at its
/// level, adding one report entry per boundary file.
pub(super) fn build_layers(
    manifest: &Manifest,
    boundaries: Vec<ReadSource>,
    tables: &Tables,
    report: &mut Vec<DatasetReport>,
) -> BTreeMap<Level, AreaLayer> {
    let mut by_level: HashMap<Level, Vec<ReadSource>> = HashMap::new();
    for src in boundaries {
        by_level.entry(src.level).or_default().push(src);
    }
    manifest
        .layers
        .iter()
        .map(|cfg| {
            let sources = by_level.remove(&cfg.level).unwrap_or_default();
            let data = tables.at_level(cfg.level);
            (cfg.level, build_layer(cfg, sources, &data, report))
        })
        .collect()
}

/// One layer: every code with an outline or with data, sorted; geometry moved out of `sources`.
fn build_layer(
    cfg: &LayerConfig,
    sources: Vec<ReadSource>,
    data: &[&SourceTable],
    report: &mut Vec<DatasetReport>,
) -> AreaLayer {
    let names = area_names(&sources, data);
    let codes: Vec<String> = names.keys().cloned().collect();
    let names: Vec<String> = names.into_values().collect();
    let index: HashMap<String, u32> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i as u32))
        .collect();
    let mut bbox_wgs84 = vec![None; codes.len()];
    let mut geometry = Vec::with_capacity(sources.len());
    for src in sources {
        report.push(report::boundary_report(
            &src.source_file,
            &src.file,
            src.elapsed,
            data.first().copied(),
        ));
        let mut features = Vec::with_capacity(src.file.features.len());
        for f in src.file.features {
            // Every code of every file is in `index`: `area_names` took them all.
            let Some(&i) = index.get(&f.code) else {
                continue;
            };
            bbox_wgs84[i as usize] = Some(f.bbox_wgs84);
            features.push((i, f.geometry_wgs84));
        }
        geometry.push(LayerGeometry {
            zooms: src.zooms,
            file: src.source_file,
            generalisation: src.generalisation,
            features,
        });
    }
    AreaLayer {
        level: cfg.level,
        title: cfg.title.clone(),
        codes,
        names,
        index,
        bbox_wgs84,
        geometry,
        tiled: cfg.tiled,
    }
}

/// Name by code for every area with an outline or with data: the first boundary file's name wins,
/// then the data's (areas with data but no outline, such as six CNI 2019 wards, keep the name from
/// the data).
fn area_names(sources: &[ReadSource], data: &[&SourceTable]) -> BTreeMap<String, String> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for src in sources {
        for f in &src.file.features {
            names
                .entry(f.code.clone())
                .or_insert_with(|| f.name.clone());
        }
    }
    for t in data {
        for (code, name) in t.codes.iter().zip(&t.names) {
            names
                .entry(code.clone())
                .or_insert_with(|| name.clone().unwrap_or_default());
        }
    }
    names
}

/// Every catalogue indicator's values on its layer's feature index, in catalogue order; an
/// indicator whose layer or column is missing is left out.
pub(super) fn align_values(
    layers: &BTreeMap<Level, AreaLayer>,
    tables: &Tables,
) -> Vec<IndicatorValues> {
    CATALOGUE
        .iter()
        .filter_map(|def| {
            let layer = layers.get(&def.level())?;
            align_indicator(def, tables.of(def.source), layer)
        })
        .collect()
}

/// One indicator's column of `table`, moved from file order to `layer`'s feature index.
fn align_indicator(
    def: &'static IndicatorDef,
    table: &SourceTable,
    layer: &AreaLayer,
) -> Option<IndicatorValues> {
    let col = table.column(def.id)?;
    let n = layer.len();
    let mut v = IndicatorValues {
        def,
        n_ranked: table.n_ranked,
        score: col.score.as_ref().map(|_| vec![None; n]),
        rank: vec![None; n],
        decile: vec![None; n],
        decile_counts: [0; 10],
    };
    for (row, code) in table.codes.iter().enumerate() {
        let Some(i) = layer.find(code) else { continue };
        let i = i as usize;
        v.rank[i] = col.rank[row];
        v.decile[i] = col.decile[row];
        if let (Some(dst), Some(src)) = (v.score.as_mut(), col.score.as_ref()) {
            dst[i] = src[row];
        }
    }
    v.decile_counts = decile_counts(v.decile.iter().copied());
    Some(v)
}

/// The table's published `Left Behind Area?` flag on `layer`'s feature index (all `false` where
/// the table has no flag or no row for an area; empty without the layer).
pub(super) fn align_flags(table: &SourceTable, layer: Option<&AreaLayer>) -> Vec<bool> {
    let Some(layer) = layer else {
        return Vec::new();
    };
    let mut out = vec![false; layer.len()];
    if let Some(flags) = &table.left_behind_flag {
        for (code, flag) in table.codes.iter().zip(flags) {
            if let Some(i) = layer.find(code) {
                out[i as usize] = *flag;
            }
        }
    }
    out
}
