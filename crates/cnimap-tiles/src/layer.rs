//! Preparing a layer (the heavy work, once) and cutting its tiles (per request).
//!
//! Preparation, per source: project every ring to the world grid and clean it, build the shared-arc
//! [`topology`](crate::topology), then for every zoom of the source simplify each arc once
//! (Douglas-Peucker, tolerance [`TileOptions::tolerance`] tile units), quantise it to that zoom's
//! tile grid, reassemble every feature's rings from the simplified arcs, drop rings that collapsed
//! below [`TileOptions::min_ring_area`] and orient the rest for MVT. A feature R-tree on world
//! bounding boxes finds the features of a tile.
//!
//! Cutting a tile is then: query the R-tree, translate the stored rings to the tile, clip them to
//! the buffered tile square, drop slivers, encode. No topology or simplification per request.

use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use std::collections::HashMap;

use cnimap_core::tile::{tiles_covering, TileCoord};

use crate::clip::clip_ring;
use crate::error::TileError;
use crate::mvt::{encode_tile, EncodeFeature};
use crate::ring::{clean_ring, signed_area2};
use crate::simplify::{simplify_closed, simplify_open};
use crate::topology::{assemble_ring, build, Topology};
use crate::world::{lonlat_to_world, quantise, world_per_tile_unit, zoom_shift, WorldPt};
use crate::{InputFeature, LayerSpec, SourceGeometry, BUFFER, EXTENT, MAX_TILE_ZOOM};

/// Tuning of simplification and sliver removal. [`Default`] is what the map uses.
#[derive(Debug, Clone, PartialEq)]
pub struct TileOptions {
    /// Douglas-Peucker tolerance in tile units (1/4096 of a tile; a 512-pixel tile has 8 units to
    /// the pixel). Arcs are simplified in world coordinates, so this is a distance on the map.
    pub tolerance: f64,
    /// Rings whose area (in square tile units) is below this after simplification, quantisation
    /// or clipping are dropped. 32 is half a screen pixel on a 512-pixel tile: invisible alone,
    /// but at zooms 0-7 it drops many small urban areas (they are sub-pixel there), which keeps
    /// the densest tiles (London at z5-7) under 500 KB gzip.
    pub min_ring_area: f64,
    /// Tiles at zooms up to this one are cut during [`PreparedLayer::prepare`] and kept in memory
    /// (there are few of them, and they are the slowest to cut because they hold most features);
    /// deeper tiles are cut on demand. `None` cuts everything on demand.
    pub precut_max_zoom: Option<u8>,
}

impl Default for TileOptions {
    fn default() -> Self {
        Self {
            tolerance: 2.0,
            min_ring_area: 32.0,
            precut_max_zoom: Some(8),
        }
    }
}

/// A ring on a zoom's global tile grid (tile `x` covers `x * 4096 .. (x + 1) * 4096`).
type ZoomRing = Vec<[i32; 2]>;

/// One feature's geometry at one zoom: polygons, each an exterior ring then its holes, oriented
/// for MVT.
#[derive(Debug, Default)]
struct ZoomFeature {
    polygons: Vec<Vec<ZoomRing>>,
    /// `[min_x, min_y, max_x, max_y]` on the zoom's global tile grid.
    bbox: [i64; 4],
}

/// The code and name of a feature.
#[derive(Debug)]
struct FeatureMeta {
    index: u32,
    code: String,
    name: String,
}

/// One source, prepared for its zooms.
#[derive(Debug)]
struct PreparedSource {
    min_zoom: u8,
    max_zoom: u8,
    meta: Vec<FeatureMeta>,
    /// Feature slots (into `meta`) by world bounding box.
    tree: RTree<GeomWithData<Rectangle<[i64; 2]>, u32>>,
    /// `zooms[z - min_zoom][slot]`.
    zooms: Vec<Vec<ZoomFeature>>,
}

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
        if sources.is_empty() {
            return Err(TileError::NoSources { layer: id });
        }
        sources.sort_by_key(|s| s.min_zoom);
        for s in &sources {
            if s.min_zoom > s.max_zoom || s.max_zoom > MAX_TILE_ZOOM {
                return Err(TileError::InvalidZoomRange {
                    layer: id,
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
                    layer: id,
                    zoom: b.min_zoom,
                    problem: "covered by two sources",
                });
            }
            if b.min_zoom > a.max_zoom + 1 {
                return Err(TileError::ZoomCoverage {
                    layer: id,
                    zoom: a.max_zoom + 1,
                    problem: "covered by no source",
                });
            }
        }
        let min_zoom = sources.first().map_or(0, |s| s.min_zoom);
        let max_zoom = sources.last().map_or(0, |s| s.max_zoom);
        let bounds_wgs84 = bounds_of(&sources);
        let mut prepared = Vec::with_capacity(sources.len());
        for source in sources {
            prepared.push(PreparedSource::build(&id, source, options)?);
        }
        let mut layer = Self {
            id,
            min_zoom,
            max_zoom,
            bounds_wgs84,
            options: options.clone(),
            sources: prepared,
            precut: HashMap::new(),
        };
        if let Some(last) = options.precut_max_zoom {
            let coords: Vec<TileCoord> = (min_zoom..=last.min(max_zoom))
                .flat_map(|z| tiles_covering(bounds_wgs84, z))
                .collect();
            let cut: Vec<(TileCoord, Option<Vec<u8>>)> = coords
                .into_par_iter()
                .map(|t| layer.cut(t).map(|bytes| (t, bytes)))
                .collect::<Result<_, _>>()?;
            layer.precut = cut
                .into_iter()
                .filter_map(|(t, bytes)| Some((t, bytes?)))
                .collect();
            tracing::debug!(
                layer = layer.id,
                tiles = layer.precut.len(),
                bytes = layer.precut.values().map(Vec::len).sum::<usize>(),
                "pre-cut low zooms"
            );
        }
        Ok(layer)
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

    /// The options the layer was prepared with.
    pub fn options(&self) -> &TileOptions {
        &self.options
    }

    /// Cuts one tile: an uncompressed MVT with one layer named [`id`](Self::id), feature id = the
    /// feature index, properties `code` and `name`, extent 4096, geometry clipped with a 64-unit
    /// buffer. `Ok(None)` when no feature touches the tile.
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
        let Some(features) = source.zooms.get(usize::from(z - source.min_zoom)) else {
            return Ok(None);
        };
        let extent = i64::from(EXTENT);
        let buffer = i64::from(BUFFER);
        let (ox, oy) = (i64::from(coord.x()) * extent, i64::from(coord.y()) * extent);
        let (lo, hi) = (-buffer, extent + buffer);
        let shift = zoom_shift(z);
        let envelope = AABB::from_corners(
            [(ox + lo - 1) << shift, (oy + lo - 1) << shift],
            [(ox + hi + 1) << shift, (oy + hi + 1) << shift],
        );
        let mut slots: Vec<u32> = source
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|g| g.data)
            .collect();
        slots.sort_unstable();

        let min_area2 = 2.0 * self.options.min_ring_area;
        let mut out = Vec::new();
        let mut local: Vec<[i64; 2]> = Vec::new();
        let mut clipped: Vec<[i64; 2]> = Vec::new();
        for slot in slots {
            let (Some(meta), Some(zf)) =
                (source.meta.get(slot as usize), features.get(slot as usize))
            else {
                continue;
            };
            let [bx0, by0, bx1, by1] = zf.bbox;
            if zf.polygons.is_empty()
                || bx1 < ox + lo
                || by1 < oy + lo
                || bx0 > ox + hi
                || by0 > oy + hi
            {
                continue;
            }
            let mut rings = Vec::new();
            for polygon in &zf.polygons {
                for (r, ring) in polygon.iter().enumerate() {
                    local.clear();
                    local.extend(
                        ring.iter()
                            .map(|p| [i64::from(p[0]) - ox, i64::from(p[1]) - oy]),
                    );
                    clip_ring(&local, lo, hi, &mut clipped);
                    clean_ring(&mut clipped);
                    let area2 = signed_area2(&clipped);
                    if area2.abs() < min_area2 {
                        if r == 0 {
                            break; // exterior gone: its holes go with it
                        }
                        continue;
                    }
                    let exterior = r == 0;
                    if (area2 > 0.0) != exterior {
                        clipped.reverse();
                    }
                    rings.push(std::mem::take(&mut clipped));
                }
            }
            if !rings.is_empty() {
                out.push(EncodeFeature {
                    id: u64::from(meta.index),
                    code: &meta.code,
                    name: &meta.name,
                    rings,
                });
            }
        }
        Ok(encode_tile(&self.id, EXTENT, &out))
    }
}

/// `[west, south, east, north]` over every coordinate of every source.
fn bounds_of(sources: &[SourceGeometry]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in sources.iter().flat_map(|s| &s.features) {
        for poly in &f.geometry_wgs84 {
            for c in poly.exterior().coords() {
                if c.x.is_finite() && c.y.is_finite() {
                    b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
                }
            }
        }
    }
    if b[0] > b[2] {
        [0.0; 4]
    } else {
        b
    }
}

/// Projects and cleans a feature's rings. Rings with non-finite coordinates lose those points.
fn project_feature(f: &InputFeature) -> Vec<Vec<Vec<WorldPt>>> {
    let mut polygons = Vec::with_capacity(f.geometry_wgs84.0.len());
    for poly in &f.geometry_wgs84 {
        let mut rings = Vec::with_capacity(1 + poly.interiors().len());
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut pts: Vec<WorldPt> = ring
                .coords()
                .filter_map(|c| lonlat_to_world(c.x, c.y))
                .collect();
            clean_ring(&mut pts);
            rings.push(pts);
        }
        if rings.first().is_some_and(|r| !r.is_empty()) {
            polygons.push(rings);
        }
    }
    polygons
}

/// World bounding box of projected rings, as an R-tree rectangle (`None` when empty).
fn world_bbox(polygons: &[Vec<Vec<WorldPt>>]) -> Option<Rectangle<[i64; 2]>> {
    let mut b = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
    for p in polygons.iter().flat_map(|poly| poly.first()).flatten() {
        let (x, y) = (i64::from(p[0]), i64::from(p[1]));
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    (b[0] <= b[2]).then(|| Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]))
}

impl PreparedSource {
    fn build(
        layer: &str,
        source: SourceGeometry,
        options: &TileOptions,
    ) -> Result<Self, TileError> {
        let SourceGeometry {
            min_zoom,
            max_zoom,
            features,
        } = source;
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
        let projected: Vec<Vec<Vec<Vec<WorldPt>>>> =
            features.par_iter().map(project_feature).collect();
        let empty = projected.iter().filter(|p| p.is_empty()).count();
        if empty > 0 {
            tracing::warn!(
                layer,
                min_zoom,
                max_zoom,
                empty,
                "features without usable geometry"
            );
        }
        let tree = RTree::bulk_load(
            projected
                .iter()
                .enumerate()
                .filter_map(|(slot, p)| {
                    world_bbox(p)
                        .map(|r| GeomWithData::new(r, u32::try_from(slot).unwrap_or(u32::MAX)))
                })
                .collect(),
        );
        let topology = build(&projected);
        drop(projected);
        tracing::debug!(
            layer,
            min_zoom,
            max_zoom,
            arcs = topology.arcs.len(),
            points = topology.arcs.iter().map(Vec::len).sum::<usize>(),
            "topology built"
        );
        let zooms = (min_zoom..=max_zoom)
            .map(|z| zoom_features(&topology, z, options))
            .collect();
        let meta = features
            .into_iter()
            .map(|f| FeatureMeta {
                index: f.index,
                code: f.code,
                name: f.name,
            })
            .collect();
        Ok(Self {
            min_zoom,
            max_zoom,
            meta,
            tree,
            zooms,
        })
    }
}

/// Simplifies every arc once for zoom `z`, then reassembles every feature from the simplified arcs.
fn zoom_features(topology: &Topology, z: u8, options: &TileOptions) -> Vec<ZoomFeature> {
    let tolerance = options.tolerance * world_per_tile_unit(z);
    let arcs: Vec<Vec<[i32; 2]>> = topology
        .arcs
        .par_iter()
        .zip(topology.closed.par_iter())
        .map(|(arc, &closed)| {
            let simplified = if closed {
                simplify_closed(arc, tolerance)
            } else {
                simplify_open(arc, tolerance)
            };
            let mut q: Vec<[i32; 2]> = Vec::with_capacity(simplified.len());
            for p in simplified {
                let p = quantise(p, z);
                if q.last() != Some(&p) {
                    q.push(p);
                }
            }
            q
        })
        .collect();
    let min_area2 = 2.0 * options.min_ring_area;
    topology
        .features
        .par_iter()
        .map(|polygons| {
            let mut out = ZoomFeature {
                polygons: Vec::new(),
                bbox: [i64::MAX, i64::MAX, i64::MIN, i64::MIN],
            };
            let mut buf = Vec::new();
            for polygon in polygons {
                let mut rings: Vec<ZoomRing> = Vec::with_capacity(polygon.len());
                for (r, ring) in polygon.iter().enumerate() {
                    assemble_ring(ring, &arcs, &mut buf);
                    clean_ring(&mut buf);
                    let area2 = signed_area2(&buf);
                    if area2.abs() < min_area2 {
                        if r == 0 {
                            break;
                        }
                        continue;
                    }
                    if (area2 > 0.0) != (r == 0) {
                        buf.reverse();
                    }
                    rings.push(std::mem::take(&mut buf));
                }
                if !rings.is_empty() {
                    for p in &rings[0] {
                        let (x, y) = (i64::from(p[0]), i64::from(p[1]));
                        let b = &mut out.bbox;
                        *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                    }
                    out.polygons.push(rings);
                }
            }
            out
        })
        .collect()
}
