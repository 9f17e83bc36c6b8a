//! The atlas: every layer's areas, geometry and indicator values, joined, checked and indexed,
//! with a report of what was read.
//!
//! [`Atlas::load`] runs four jobs, one module each: `read` (every file, timed), `align` (join by
//! code onto each layer's feature index), `report` (what each file gave, for `cnimap check`) and
//! `checks` (derived figures against the published ones). The layer types live in
//! [`crate::layer`], so the summaries need not import the atlas.

mod align;
mod checks;
mod read;
mod report;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cnimap_core::catalogue::IndicatorId;
use cnimap_core::left_behind::{IndexPair, LeftBehindRule, LEFT_BEHIND_PAIR};
use cnimap_core::Level;

use crate::boundary::{BoundaryFeature, Manifest};
use crate::error::Result;
use crate::indicators::Iod2019Official;
use crate::lookups::Lookups;
use crate::summary::{self, Summaries};

pub use self::checks::{left_behind_flags, LeftBehindCheck};
pub use self::report::DatasetReport;
pub use crate::layer::{AreaLayer, IndicatorValues, LayerGeometry};

/// Everything the map needs, read once.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// The data directory it was read from.
    pub data_dir: PathBuf,
    /// Layers by level.
    pub layers: BTreeMap<Level, AreaLayer>,
    /// Indicator values, in catalogue order.
    pub indicators: Vec<IndicatorValues>,
    /// Lookups.
    pub lookups: Lookups,
    /// The `Left Behind Area?` flag published in the file of [`LEFT_BEHIND_PAIR`]'s need index
    /// (the CNI 2023), by feature index of the pair's level (LSOA 2021).
    pub cni2023_flag: Vec<bool>,
    /// The official list of 225 left-behind wards (CNI 2019) by ward 2017 feature index.
    pub cni2019_official: Vec<bool>,
    /// The real outlines of the 225 left-behind wards.
    pub left_behind_outlines: Vec<BoundaryFeature>,
    /// Ward 2024, LAD and region summaries of LSOA indicators, and the LSOA hierarchy.
    pub summaries: Summaries,
    /// What the official IoD2019 files added.
    pub iod2019_official: Iod2019Official,
    /// Read report, one entry per file or dataset.
    pub report: Vec<DatasetReport>,
    /// Derived flags checked against the published ones.
    pub left_behind_checks: Vec<LeftBehindCheck>,
    /// Total load time.
    pub elapsed: Duration,
}

impl Atlas {
    /// A layer.
    pub fn layer(&self, level: Level) -> Option<&AreaLayer> {
        self.layers.get(&level)
    }

    /// An indicator's values, by its string id (`"imd2025"`).
    pub fn values(&self, id: &str) -> Option<&IndicatorValues> {
        self.indicators.iter().find(|v| v.def.id == id)
    }

    /// An indicator's values, by its typed id.
    pub fn values_by_id(&self, id: IndicatorId) -> Option<&IndicatorValues> {
        self.indicators.iter().find(|v| v.is(id))
    }

    /// Finds an area by code in any layer (LSOA 2021 first, as codes of unchanged LSOAs are shared
    /// by both vintages).
    pub fn find_area(&self, code: &str) -> Option<(Level, u32)> {
        self.layers
            .values()
            .find_map(|l| l.find(code).map(|i| (l.level, i)))
    }

    /// The layers the manifest asks to cut into tiles, in [`Level`] order (for the shipped
    /// manifest: lsoa21, lsoa11, ward17, lad24, region).
    pub fn tiled_levels(&self) -> Vec<Level> {
        self.layers
            .values()
            .filter(|l| l.tiled)
            .map(|l| l.level)
            .collect()
    }

    /// Takes every layer's geometry out of the atlas (see [`AreaLayer::take_geometry`]), leaving
    /// codes, names, bounding boxes and values in place: for a server that has prepared its tiles
    /// and keeps the rest for the life of the process. The overlay outlines are in
    /// [`Atlas::left_behind_outlines`]; take them with `std::mem::take` likewise.
    pub fn take_geometry(&mut self) -> HashMap<Level, Vec<LayerGeometry>> {
        self.layers
            .iter_mut()
            .map(|(level, layer)| (*level, layer.take_geometry()))
            .collect()
    }

    /// The left-behind flag of `pair` under `rule`, by feature index of `pair.level` (empty when
    /// either index is not loaded; see [`left_behind_flags`]).
    pub fn left_behind(&self, pair: IndexPair, rule: LeftBehindRule) -> Vec<bool> {
        left_behind_flags(
            pair,
            self.values_by_id(pair.need),
            self.values_by_id(pair.deprivation),
            rule,
        )
    }

    /// The [`LEFT_BEHIND_PAIR`] flag (CNI 2023 x IMD 2025) by LSOA 2021 feature index under
    /// `rule`.
    pub fn left_behind_lsoa21(&self, rule: LeftBehindRule) -> Vec<bool> {
        self.left_behind(LEFT_BEHIND_PAIR, rule)
    }

    /// Reads and checks everything in `data_dir` with the boundary `manifest`.
    pub fn load(data_dir: &Path, manifest: &Manifest) -> Result<Atlas> {
        let start = Instant::now();
        let read::Inputs {
            boundaries,
            tables,
            outlines,
            mut report,
        } = read::read_inputs(data_dir, manifest)?;
        let layers = align::build_layers(manifest, boundaries, &tables, &mut report);
        let indicators = align::align_values(&layers, &tables);
        // Each file's `Left Behind Area?` column, on the level its index is published on.
        let flag_of = |id: IndicatorId| {
            let def = id.def();
            align::align_flags(tables.of(def.source), layers.get(&def.level()))
        };
        let cni2023_flag = flag_of(LEFT_BEHIND_PAIR.need);
        let cni2019_official = flag_of(IndicatorId::CNI2019);
        let summaries = summary::summarise(
            &layers,
            &indicators,
            &tables.lookups,
            &tables.official.population,
        );
        let read::Tables {
            official, lookups, ..
        } = tables;
        let mut atlas = Atlas {
            data_dir: data_dir.to_path_buf(),
            layers,
            indicators,
            lookups,
            cni2023_flag,
            cni2019_official,
            left_behind_outlines: outlines,
            summaries,
            iod2019_official: official,
            report,
            left_behind_checks: Vec::new(),
            elapsed: Duration::ZERO,
        };
        atlas.left_behind_checks = atlas.check_left_behind();
        atlas.elapsed = start.elapsed();
        Ok(atlas)
    }

    /// Compares the rule with the published flags: [`LEFT_BEHIND_PAIR`] at the default 10%
    /// against the need index file's `Left Behind Area?` column; and the official 225 wards
    /// against their outlines file.
    fn check_left_behind(&self) -> Vec<LeftBehindCheck> {
        let rule = LeftBehindRule::default();
        let derived = self.left_behind_lsoa21(rule);
        let mut checks = vec![checks::rule_vs_file(
            LEFT_BEHIND_PAIR,
            rule,
            &derived,
            &self.cni2023_flag,
        )];
        if let Some(wards) = self.layer(IndicatorId::CNI2019.def().level()) {
            checks.push(checks::official_wards_vs_outlines(
                rule,
                wards,
                &self.cni2019_official,
                &self.left_behind_outlines,
            ));
        }
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::ZoomRange;
    use geo_types::{polygon, MultiPolygon};

    /// A layer of `codes` with one square per area, drawn by one file.
    fn layer(level: Level, codes: &[&str], tiled: bool) -> AreaLayer {
        let square = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0), (x: 0.0, y: 0.0)
        ]]);
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        AreaLayer {
            level,
            title: level.title().to_string(),
            names: codes.clone(),
            index: (0..).zip(&codes).map(|(i, c)| (c.clone(), i)).collect(),
            bbox_wgs84: vec![Some([0.0, 0.0, 1.0, 1.0]); codes.len()],
            geometry: vec![LayerGeometry {
                zooms: ZoomRange { min: 0, max: 14 },
                file: PathBuf::from(format!("boundaries/{level}.geojson")),
                generalisation: "BGC".into(),
                features: (0..).zip(codes.iter().map(|_| square.clone())).collect(),
            }],
            codes,
            tiled,
        }
    }

    fn atlas(layers: Vec<AreaLayer>) -> Atlas {
        Atlas {
            data_dir: PathBuf::from("data"),
            layers: layers.into_iter().map(|l| (l.level, l)).collect(),
            indicators: Vec::new(),
            lookups: Lookups::default(),
            cni2023_flag: Vec::new(),
            cni2019_official: Vec::new(),
            left_behind_outlines: Vec::new(),
            summaries: Summaries::default(),
            iod2019_official: Iod2019Official::default(),
            report: Vec::new(),
            left_behind_checks: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn tiled_levels_are_the_layers_marked_tiled_in_level_order() {
        let a = atlas(vec![
            layer(Level::Region, &["E12000001"], true),
            layer(Level::Lad19, &["E06000001"], false),
            layer(Level::Lsoa21, &["E01000001", "E01000002"], true),
        ]);
        assert_eq!(a.tiled_levels(), [Level::Lsoa21, Level::Region]);
    }

    #[test]
    fn taking_the_geometry_leaves_codes_names_and_boxes_and_gives_it_once() {
        let mut a = atlas(vec![
            layer(Level::Lsoa21, &["E01000001", "E01000002"], true),
            layer(Level::Lad19, &["E06000001"], false),
        ]);
        let taken = a.take_geometry();
        assert_eq!(taken.len(), 2);
        assert_eq!(taken[&Level::Lsoa21][0].features.len(), 2);
        assert_eq!(taken[&Level::Lad19][0].features.len(), 1);
        let lsoa = a.layer(Level::Lsoa21).expect("layer kept");
        assert!(lsoa.geometry.is_empty());
        assert_eq!(lsoa.codes, ["E01000001", "E01000002"]);
        assert_eq!(lsoa.find("E01000002"), Some(1));
        assert_eq!(lsoa.bbox_wgs84.iter().flatten().count(), 2);
        assert!(a.take_geometry().values().all(Vec::is_empty));
    }
}
