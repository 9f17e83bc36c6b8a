//! A prepared layer: the heavy work once ([`PreparedLayer::prepare`]), then tiles per request
//! ([`PreparedLayer::tile`]) and the areas' neighbours ([`PreparedLayer::neighbours`]).
//!
//! Preparation, per source ([`prepare`]): project every ring to the world grid, clean it and
//! orient it (exteriors clockwise on screen, holes anticlockwise; [`project`]), build the
//! shared-arc [`topology`](crate::topology) and the neighbour graph, then for every zoom of the
//! source ([`zoom`]):
//!
//! 1. simplify each arc once (Douglas-Peucker, [`TileOptions::tolerance`]) and quantise it to the
//!    zoom's grid ([`TileOptions::extent`]: coarser at low zooms);
//! 2. at zooms up to [`TileOptions::coalesce_max_zoom`], [coalesce](crate::coalesce) areas smaller
//!    than [`TileOptions::min_feature_area`] with their neighbours;
//! 3. reassemble every feature (or group) from the simplified arcs. A ring is dropped only when it
//!    collapsed to nothing (its neighbours, built from the same arcs, cover its place) or when it
//!    is an island or an unfilled hole smaller than [`TileOptions::min_ring_area`] (nothing next
//!    to it goes missing). A feature left with no ring at all gets a one-unit square at its
//!    centroid, so every area of a zoom above the coalescing zooms is in its tiles (a coalesced
//!    group that collapsed is left out: its neighbours cover its place);
//! 4. make each feature's polygons valid ([`valid`](crate::valid)), then, where two snapped arcs
//!    touch or cross ([`crossing`](crate::crossing)), take the overlap of the features using
//!    them out of one of them;
//! 5. index the zoom's features by bounding box.
//!
//! Cutting a tile ([`cut`]) is then: query the zoom's R-tree, translate the stored rings to the
//! tile, clip the features that cross the buffered tile square and rebuild those valid (clipping
//! can leave zero-width bridges along the edge), drop rings clipping left empty, encode. No
//! topology or simplification per request.
//!
//! Modules depend one way: `options` <- `zoom` <- `prepare` <- `cut` <- this one; `project` is
//! used by `prepare` and here.

mod cut;
mod options;
mod prepare;
mod project;
mod zoom;

use std::collections::HashMap;

use rayon::prelude::*;

use cnimap_core::tile::{tiles_covering, TileCoord};

use crate::error::TileError;
use crate::neighbours::Neighbours;
use crate::LayerSpec;

pub use options::TileOptions;

use cut::cut_tile;
use prepare::{check_sources, PreparedSource};
use project::bounds_of;

/// A layer ready to serve tiles: geometry simplified per zoom on a shared-arc topology, indexed by
/// bounding box, with the low zooms pre-cut. Build it once with [`PreparedLayer::prepare`], then
/// call [`PreparedLayer::tile`] per request (it is `Sync`: share it behind an `Arc`).
#[derive(Debug)]
pub struct PreparedLayer {
    id: String,
    min_zoom: u8,
    max_zoom: u8,
    bounds_wgs84: [f64; 4],
    options: TileOptions,
    sources: Vec<PreparedSource>,
    /// Which areas share a border, from the most detailed source.
    neighbours: Neighbours,
    /// Non-empty tiles cut at start-up (zooms up to `options.precut_max_zoom`).
    precut: HashMap<TileCoord, Vec<u8>>,
}

impl PreparedLayer {
    /// Prepares a layer with the default [`TileOptions`]. Run once at start-up; it is the heavy
    /// part (a few seconds for the 33,755 LSOAs on two cores).
    ///
    /// # Errors
    /// [`TileError::NoSources`], [`TileError::InvalidZoomRange`], [`TileError::ZoomCoverage`]
    /// (sources must cover one contiguous zoom range without overlap) and
    /// [`TileError::DuplicateFeatureIndex`].
    pub fn prepare(spec: LayerSpec) -> Result<Self, TileError> {
        Self::prepare_with(spec, &TileOptions::default())
    }

    /// Prepares a layer with explicit [`TileOptions`]. See [`PreparedLayer::prepare`].
    ///
    /// # Errors
    /// As [`PreparedLayer::prepare`].
    pub fn prepare_with(spec: LayerSpec, options: &TileOptions) -> Result<Self, TileError> {
        let LayerSpec { id, mut sources } = spec;
        check_sources(&id, &mut sources)?;
        let min_zoom = sources.first().map_or(0, |s| s.min_zoom);
        let max_zoom = sources.last().map_or(0, |s| s.max_zoom);
        let bounds_wgs84 = bounds_of(&sources);
        let mut prepared = Vec::with_capacity(sources.len());
        let mut neighbours = Neighbours::default();
        let last = sources.len().saturating_sub(1);
        for (i, source) in sources.into_iter().enumerate() {
            // The source of the deepest zooms has the most detailed outlines.
            let (source, found) = PreparedSource::build(&id, source, options, i == last)?;
            prepared.push(source);
            if let Some(found) = found {
                neighbours = found;
            }
        }
        let mut layer = Self {
            id,
            min_zoom,
            max_zoom,
            bounds_wgs84,
            options: options.clone(),
            sources: prepared,
            neighbours,
            precut: HashMap::new(),
        };
        layer.precut = layer.precut_tiles()?;
        Ok(layer)
    }

    /// Cuts every non-empty tile of the zooms up to [`TileOptions::precut_max_zoom`].
    fn precut_tiles(&self) -> Result<HashMap<TileCoord, Vec<u8>>, TileError> {
        let Some(last) = self.options.precut_max_zoom else {
            return Ok(HashMap::new());
        };
        let coords: Vec<TileCoord> = (self.min_zoom..=last.min(self.max_zoom))
            .flat_map(|z| tiles_covering(self.bounds_wgs84, z))
            .collect();
        let cut: Vec<(TileCoord, Option<Vec<u8>>)> = coords
            .into_par_iter()
            .map(|t| self.cut(t).map(|bytes| (t, bytes)))
            .collect::<Result<_, _>>()?;
        let precut: HashMap<TileCoord, Vec<u8>> = cut
            .into_iter()
            .filter_map(|(t, bytes)| Some((t, bytes?)))
            .collect();
        tracing::debug!(
            layer = self.id,
            tiles = precut.len(),
            bytes = precut.values().map(Vec::len).sum::<usize>(),
            "pre-cut low zooms"
        );
        Ok(precut)
    }

    /// The layer id, which is also the MVT source-layer name.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The first zoom the layer is cut for.
    pub fn min_zoom(&self) -> u8 {
        self.min_zoom
    }

    /// The last zoom the layer is cut for (clients overzoom beyond it).
    pub fn max_zoom(&self) -> u8 {
        self.max_zoom
    }

    /// `[west, south, east, north]` of all features, in degrees.
    pub fn bounds_wgs84(&self) -> [f64; 4] {
        self.bounds_wgs84
    }

    /// The feature properties and their types, for TileJSON `vector_layers[].fields`.
    pub fn fields(&self) -> [(&str, &str); 2] {
        [("code", "String"), ("name", "String")]
    }

    /// The tile extent at zoom `z` (coordinates in a tile run from 0 to it).
    pub fn extent(&self, z: u8) -> u32 {
        self.options.extent(z)
    }

    /// The options the layer was prepared with.
    pub fn options(&self) -> &TileOptions {
        &self.options
    }

    /// Which areas share a border, by feature index: computed once during
    /// [`prepare`](Self::prepare) from the shared-arc topology of the most detailed source (the
    /// one cut for the deepest zooms). Two areas are neighbours when they share a border of
    /// positive length; touching at a point does not count. See [`Neighbours`] for the rule.
    pub fn neighbours(&self) -> &Neighbours {
        &self.neighbours
    }

    /// Cuts one tile: an uncompressed MVT with one layer named [`id`](Self::id), feature id = the
    /// feature index, properties `code` and `name`, extent [`extent`](Self::extent), geometry
    /// clipped with a buffer of 1/64 of the tile. `Ok(None)` when no feature touches the tile.
    ///
    /// # Errors
    /// [`TileError::ZoomOutOfRange`] when the zoom is outside
    /// [`min_zoom`](Self::min_zoom)`..=`[`max_zoom`](Self::max_zoom).
    pub fn tile(&self, coord: TileCoord) -> Result<Option<Vec<u8>>, TileError> {
        let z = coord.z();
        if z < self.min_zoom || z > self.max_zoom {
            return Err(self.out_of_range(z));
        }
        if self.options.precut_max_zoom.is_some_and(|last| z <= last) {
            return Ok(self.precut.get(&coord).cloned());
        }
        self.cut(coord)
    }

    fn out_of_range(&self, zoom: u8) -> TileError {
        TileError::ZoomOutOfRange {
            layer: self.id.clone(),
            zoom,
            min_zoom: self.min_zoom,
            max_zoom: self.max_zoom,
        }
    }

    /// Cuts a tile from the prepared geometry (what [`tile`](Self::tile) does for zooms that are
    /// not pre-cut).
    fn cut(&self, coord: TileCoord) -> Result<Option<Vec<u8>>, TileError> {
        let z = coord.z();
        let source = self
            .sources
            .iter()
            .find(|s| (s.min_zoom..=s.max_zoom).contains(&z))
            .ok_or_else(|| self.out_of_range(z))?;
        Ok(cut_tile(&self.id, source, coord))
    }
}
