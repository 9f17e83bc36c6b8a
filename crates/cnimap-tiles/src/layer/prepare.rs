//! Preparing one source of a layer, once: check the spec, project every feature to the world
//! grid, build the shared-arc topology, its neighbour graph and (for the most detailed source)
//! the public [`Neighbours`], then assemble every zoom of the source.

use std::time::Instant;

use rayon::prelude::*;

use crate::coalesce::Adjacency;
use crate::crossing::arc_users;
use crate::error::TileError;
use crate::neighbours::Neighbours;
use crate::topology::build;
use crate::world::WorldPt;
use crate::{SourceGeometry, MAX_TILE_ZOOM};

use super::options::TileOptions;
use super::project::{area_and_centre, project_feature, WorldPolygons};
use super::zoom::{zoom_layer, SourceTopology, ZoomLayer};

/// The code and name of a feature.
#[derive(Debug)]
pub(super) struct FeatureMeta {
    /// The feature index, the MVT feature id.
    pub(super) index: u32,
    /// MVT property `code`.
    pub(super) code: String,
    /// MVT property `name`.
    pub(super) name: String,
}

/// One source, prepared for its zooms.
#[derive(Debug)]
pub(super) struct PreparedSource {
    pub(super) min_zoom: u8,
    pub(super) max_zoom: u8,
    /// Per feature slot (input order), its id and properties.
    pub(super) meta: Vec<FeatureMeta>,
    /// `zooms[z - min_zoom]`.
    pub(super) zooms: Vec<ZoomLayer>,
}

/// Sorts the sources by zoom and checks that they cover one contiguous zoom range, each within
/// the zooms the tiler cuts, without overlapping.
///
/// # Errors
/// [`TileError::NoSources`], [`TileError::InvalidZoomRange`] or [`TileError::ZoomCoverage`].
pub(super) fn check_sources(layer: &str, sources: &mut [SourceGeometry]) -> Result<(), TileError> {
    if sources.is_empty() {
        return Err(TileError::NoSources {
            layer: layer.to_owned(),
        });
    }
    sources.sort_by_key(|s| s.min_zoom);
    for s in sources.iter() {
        if s.min_zoom > s.max_zoom || s.max_zoom > MAX_TILE_ZOOM {
            return Err(TileError::InvalidZoomRange {
                layer: layer.to_owned(),
                min_zoom: s.min_zoom,
                max_zoom: s.max_zoom,
                max_supported: MAX_TILE_ZOOM,
            });
        }
    }
    for pair in sources.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.min_zoom <= a.max_zoom {
            return Err(TileError::ZoomCoverage {
                layer: layer.to_owned(),
                zoom: b.min_zoom,
                problem: "covered by two sources",
            });
        }
        if b.min_zoom > a.max_zoom + 1 {
            return Err(TileError::ZoomCoverage {
                layer: layer.to_owned(),
                zoom: a.max_zoom + 1,
                problem: "covered by no source",
            });
        }
    }
    Ok(())
}

/// Checks that no two features of a source share a feature index.
///
/// # Errors
/// [`TileError::DuplicateFeatureIndex`] naming both codes.
fn check_unique_indices(layer: &str, source: &SourceGeometry) -> Result<(), TileError> {
    let features = &source.features;
    let mut seen = std::collections::HashMap::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        if let Some(first) = seen.insert(f.index, i) {
            return Err(TileError::DuplicateFeatureIndex {
                layer: layer.to_owned(),
                index: f.index,
                first_code: features[first].code.clone(),
                second_code: f.code.clone(),
            });
        }
    }
    Ok(())
}

/// Projects every feature of a source, warning about features left without usable geometry.
fn project_source(layer: &str, source: &SourceGeometry) -> Vec<WorldPolygons> {
    let projected: Vec<WorldPolygons> = source.features.par_iter().map(project_feature).collect();
    let empty = projected.iter().filter(|p| p.is_empty()).count();
    if empty > 0 {
        tracing::warn!(
            layer,
            min_zoom = source.min_zoom,
            max_zoom = source.max_zoom,
            empty,
            "features without usable geometry"
        );
    }
    projected
}

impl PreparedSource {
    /// Prepares a source for its zooms; with `with_neighbours`, also returns the features'
    /// [`Neighbours`] read off the source's topology.
    ///
    /// # Errors
    /// [`TileError::DuplicateFeatureIndex`].
    pub(super) fn build(
        layer: &str,
        source: SourceGeometry,
        options: &TileOptions,
        with_neighbours: bool,
    ) -> Result<(Self, Option<Neighbours>), TileError> {
        check_unique_indices(layer, &source)?;
        let projected = project_source(layer, &source);
        let SourceGeometry {
            min_zoom,
            max_zoom,
            features,
        } = source;
        let (areas, centres): (Vec<f64>, Vec<WorldPt>) =
            projected.par_iter().map(|p| area_and_centre(p)).unzip();
        let topology = build(&projected);
        drop(projected);
        let adjacency = Adjacency::build(&topology);
        tracing::debug!(
            layer,
            min_zoom,
            max_zoom,
            arcs = topology.arcs.len(),
            points = topology.arcs.iter().map(Vec::len).sum::<usize>(),
            "topology built"
        );
        let neighbours = with_neighbours.then(|| {
            let started = Instant::now();
            let indices: Vec<u32> = features.iter().map(|f| f.index).collect();
            let neighbours = Neighbours::from_topology(&topology, &indices);
            tracing::debug!(
                layer,
                min_zoom,
                max_zoom,
                pairs = neighbours.pair_count(),
                ms = started.elapsed().as_secs_f64() * 1e3,
                "neighbours found"
            );
            neighbours
        });
        let order = by_increasing_area(&areas);
        let (arc_users, same_way) = arc_users(&topology.features, topology.arcs.len());
        let inputs = SourceTopology {
            topology: &topology,
            adjacency: &adjacency,
            areas: &areas,
            order: &order,
            centres: &centres,
            arc_users: &arc_users,
            same_way: &same_way,
        };
        let zooms = (min_zoom..=max_zoom)
            .map(|z| zoom_layer(&inputs, z, options))
            .collect();
        let meta = features
            .into_iter()
            .map(|f| FeatureMeta {
                index: f.index,
                code: f.code,
                name: f.name,
            })
            .collect();
        let source = Self {
            min_zoom,
            max_zoom,
            meta,
            zooms,
        };
        Ok((source, neighbours))
    }
}

/// Feature slots by increasing area (ties by slot).
fn by_increasing_area(areas: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..u32::try_from(areas.len()).unwrap_or(u32::MAX)).collect();
    order.sort_by(|&a, &b| {
        areas[a as usize]
            .total_cmp(&areas[b as usize])
            .then(a.cmp(&b))
    });
    order
}
