//! Preparing one source of a layer, once: check the spec, project every feature to the world
//! grid, build the shared-arc topology, its neighbour graph and (for the most detailed source)
//! the public [`Neighbours`], then assemble every zoom of the source.

use std::time::Instant;

use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

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
        let nested = nested_pairs(&projected, &centres);
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
        let (arc_users, mut overlapping) = arc_users(&topology.features, topology.arcs.len());
        overlapping.extend(nested);
        overlapping.sort_unstable();
        overlapping.dedup();
        let inputs = SourceTopology {
            topology: &topology,
            adjacency: &adjacency,
            areas: &areas,
            order: &order,
            centres: &centres,
            arc_users: &arc_users,
            overlapping: &overlapping,
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

/// Pairs of features `(a, b)`, `a < b`, where one's representative point (its `centres` entry)
/// lies inside the other's polygons (even-odd over all its rings): one drawn over the other, as
/// when a source gives an area's outline without the hole its enclave fills. Borders that only
/// touch or cross are found on the simplified arcs instead ([`crate::crossing`]).
fn nested_pairs(projected: &[WorldPolygons], centres: &[WorldPt]) -> Vec<(u32, u32)> {
    let boxes: Vec<GeomWithData<Rectangle<[i64; 2]>, u32>> = projected
        .iter()
        .enumerate()
        .filter_map(|(f, polygons)| {
            let mut pts = polygons.iter().flatten().flatten();
            let first = pts.next()?;
            let mut b = [first[0], first[1], first[0], first[1]];
            for p in pts {
                b = [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ];
            }
            let c = |v: u32| i64::from(v);
            Some(GeomWithData::new(
                Rectangle::from_corners([c(b[0]), c(b[1])], [c(b[2]), c(b[3])]),
                f as u32,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut pairs: Vec<(u32, u32)> = centres
        .par_iter()
        .enumerate()
        .filter(|(g, _)| projected.get(*g).is_some_and(|p| !p.is_empty()))
        .flat_map_iter(|(g, &c)| {
            let at = [i64::from(c[0]), i64::from(c[1])];
            tree.locate_all_at_point(&at)
                .map(|b| b.data)
                .filter(|&f| f as usize != g && inside(&projected[f as usize], c))
                .map(|f| (f.min(g as u32), f.max(g as u32)))
                .collect::<Vec<_>>()
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Even-odd point in polygons test over every ring of a feature.
fn inside(polygons: &[Vec<Vec<WorldPt>>], p: WorldPt) -> bool {
    let (px, py) = (f64::from(p[0]) + 0.25, f64::from(p[1]) + 0.25);
    let mut hit = false;
    for ring in polygons.iter().flatten() {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            let (ax, ay, bx, by) = (
                f64::from(a[0]),
                f64::from(a[1]),
                f64::from(b[0]),
                f64::from(b[1]),
            );
            if (ay > py) != (by > py) && px < ax + (py - ay) / (by - ay) * (bx - ax) {
                hit = !hit;
            }
        }
    }
    hit
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
