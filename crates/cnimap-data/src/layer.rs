//! The shapes the atlas is made of: a layer's areas numbered by feature index, their geometry per
//! boundary file, and one indicator's values aligned with that numbering.
//!
//! A leaf: it imports only the manifest's [`ZoomRange`] from the crate, so the atlas, the summaries
//! and the server can all use these types without importing each other.

use std::collections::HashMap;
use std::path::PathBuf;

use cnimap_core::catalogue::{IndicatorDef, IndicatorId};
use cnimap_core::Level;
use geo_types::MultiPolygon;

use crate::boundary::ZoomRange;

/// Geometry of a layer from one boundary file, for a range of zooms.
#[derive(Debug, Clone)]
pub struct LayerGeometry {
    /// Zooms this file draws.
    pub zooms: ZoomRange,
    /// The file, relative to the data directory.
    pub file: PathBuf,
    /// "BSC", "BGC", ...
    pub generalisation: String,
    /// `(feature index, outline)` for every area the file has.
    pub features: Vec<(u32, MultiPolygon<f64>)>,
}

/// The areas of one geography level, numbered by feature index (codes sorted).
#[derive(Debug, Clone)]
pub struct AreaLayer {
    /// The level.
    pub level: Level,
    /// Title from the manifest.
    pub title: String,
    /// Codes by feature index, sorted.
    pub codes: Vec<String>,
    /// Names by feature index.
    pub names: Vec<String>,
    /// Feature index by code.
    pub index: HashMap<String, u32>,
    /// Bounding boxes `[w, s, e, n]` by feature index (from the most detailed file).
    pub bbox_wgs84: Vec<Option<[f64; 4]>>,
    /// Geometry per source file (empty once [`AreaLayer::take_geometry`] has taken it).
    pub geometry: Vec<LayerGeometry>,
    /// Whether the manifest asks for tiles.
    pub tiled: bool,
}

impl AreaLayer {
    /// The feature index of a code.
    pub fn find(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the layer has no areas.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Takes the geometry out of the layer, leaving it empty: for a caller that has prepared what
    /// it needs from the outlines (tiles, neighbours) and keeps the rest of the layer (codes, names,
    /// bounding boxes) without them. A second call returns nothing.
    pub fn take_geometry(&mut self) -> Vec<LayerGeometry> {
        std::mem::take(&mut self.geometry)
    }
}

/// One indicator's values aligned with its layer's feature index.
#[derive(Debug, Clone)]
pub struct IndicatorValues {
    /// The catalogue entry.
    pub def: &'static IndicatorDef,
    /// Ranks run 1..=n_ranked.
    pub n_ranked: u32,
    /// Scores, when published.
    pub score: Option<Vec<Option<f64>>>,
    /// Ranks.
    pub rank: Vec<Option<u32>>,
    /// Deciles (published, or derived from ranks for the CNI).
    pub decile: Vec<Option<u8>>,
    /// Areas per decile.
    pub decile_counts: [u32; 10],
}

impl IndicatorValues {
    /// Whether these are the values of the indicator `id`.
    pub fn is(&self, id: IndicatorId) -> bool {
        self.def.id == id.as_str()
    }

    /// The rank of the area at feature index `i` paired with how many areas are ranked, as the
    /// left-behind rule takes it.
    pub fn ranked(&self, i: usize) -> (Option<u32>, u32) {
        (self.rank.get(i).copied().flatten(), self.n_ranked)
    }
}
