//! Preparing a layer (the heavy work, once) and cutting its tiles (per request).
//!
//! Preparation, per source: project every ring to the world grid, clean it and orient it
//! (exteriors clockwise on screen, holes anticlockwise), build the shared-arc
//! [`topology`](crate::topology) and the neighbour graph, then for every zoom of the source:
//!
//! 1. simplify each arc once (Douglas-Peucker, [`TileOptions::tolerance`]) and quantise it to the
//!    zoom's grid ([`TileOptions::extent`]: coarser at low zooms);
//! 2. at zooms up to [`TileOptions::coalesce_max_zoom`], [coalesce](crate::coalesce) areas smaller
//!    than [`TileOptions::min_feature_area`] with their neighbours;
//! 3. reassemble every feature (or group) from the simplified arcs. A ring is dropped only when it
//!    collapsed to nothing (its neighbours, built from the same arcs, cover its place) or when it
//!    is an island or an unfilled hole smaller than [`TileOptions::min_ring_area`] (nothing next
//!    to it goes missing). A feature left with no ring at all gets a one-unit square at its
//!    centroid, so every area of a zoom above the coalescing zooms is in its tiles;
//! 4. index the zoom's features by bounding box.
//!
//! Cutting a tile is then: query the zoom's R-tree, translate the stored rings to the tile, clip
//! them to the buffered tile square, drop rings clipping left empty, encode. No topology or
//! simplification per request.

use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use std::collections::HashMap;

use cnimap_core::tile::{tiles_covering, TileCoord};

use crate::clip::clip_ring;
use crate::coalesce::{boundary, group, Adjacency};
use crate::error::TileError;
use crate::fxhash::FxHashMap;
use crate::mvt::{encode_tile, EncodeFeature};
use crate::ring::{clean_ring, signed_area2};
use crate::simplify::{simplify_closed, simplify_open};
use crate::topology::{assemble_ring, build, TopoRing, Topology};
use crate::world::{lonlat_to_world, quantise, world_per_tile_unit, zoom_shift, WorldPt};
use crate::{InputFeature, LayerSpec, SourceGeometry, BUFFER, MAX_TILE_ZOOM};

/// log2 of [`crate::EXTENT`], the finest grid.
const EXTENT_BITS: u32 = 12;

/// Tuning of simplification, coalescing and tile detail. [`Default`] is what the map uses.
///
/// Lengths and areas are in units of the finest grid (1/4096 of a tile, 8 units to the pixel on a
/// 512-pixel tile) whatever the zoom's [`extent`](Self::extent), so each option means the same
/// size on screen at every zoom.
#[derive(Debug, Clone, PartialEq)]
pub struct TileOptions {
    /// Douglas-Peucker tolerance. Arcs are simplified in world coordinates, so this is a distance
    /// on the map; at zooms with a coarser extent it is at least half a unit of that grid.
    pub tolerance: f64,
    /// Islands (polygons that touch no other area) and holes that no other area fills are dropped
    /// when smaller than this. 32 is half a pixel: invisible, and nothing next to them goes
    /// missing. Rings shared with neighbours are only dropped when they collapse to nothing.
    pub min_ring_area: f64,
    /// At zooms up to [`coalesce_max_zoom`](Self::coalesce_max_zoom), areas smaller than this are
    /// merged with neighbours (see the crate docs) until each group reaches it; the group is
    /// drawn with the id, code and name of its largest member.
    pub min_feature_area: f64,
    /// The last zoom that coalesces small areas; from the next zoom on every area is its own
    /// feature. `None` never coalesces.
    pub coalesce_max_zoom: Option<u8>,
    /// Tile extent at zooms up to [`low_zoom_max`](Self::low_zoom_max): a power of two from 256 to
    /// 4096 (other values are rounded down into that range). A coarser grid means shorter
    /// coordinates and fewer points; MapLibre reads the extent from each tile.
    pub low_zoom_extent: u32,
    /// The last zoom cut with [`low_zoom_extent`](Self::low_zoom_extent); deeper zooms use
    /// [`EXTENT`](crate::EXTENT). `None` uses [`EXTENT`](crate::EXTENT) everywhere.
    pub low_zoom_max: Option<u8>,
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
            min_feature_area: 320.0,
            coalesce_max_zoom: Some(7),
            low_zoom_extent: 512,
            low_zoom_max: Some(7),
            precut_max_zoom: Some(8),
        }
    }
}

impl TileOptions {
    /// log2 of the tile extent at zoom `z`.
    fn extent_bits(&self, z: u8) -> u32 {
        if self.low_zoom_max.is_some_and(|last| z <= last) {
            self.low_zoom_extent.max(1).ilog2().clamp(8, EXTENT_BITS)
        } else {
            EXTENT_BITS
        }
    }

    /// The tile extent (coordinates run from 0 to it) at zoom `z`.
    pub fn extent(&self, z: u8) -> u32 {
        1 << self.extent_bits(z)
    }

    /// Whether zoom `z` coalesces small areas.
    fn coalesces(&self, z: u8) -> bool {
        self.coalesce_max_zoom.is_some_and(|last| z <= last)
    }
}

/// A ring on a zoom's global tile grid (tile `x` covers `x * extent .. (x + 1) * extent`).
type ZoomRing = Vec<[i32; 2]>;

/// One feature's geometry at one zoom: polygons, each an exterior ring then its holes, oriented
/// for MVT.
#[derive(Debug, Default)]
struct ZoomFeature {
    polygons: Vec<Vec<ZoomRing>>,
    /// `[min_x, min_y, max_x, max_y]` on the zoom's global tile grid.
    bbox: [i64; 4],
}

impl ZoomFeature {
    fn push(&mut self, rings: Vec<ZoomRing>) {
        if let Some(exterior) = rings.first() {
            for p in exterior {
                let (x, y) = (i64::from(p[0]), i64::from(p[1]));
                let b = &mut self.bbox;
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            self.polygons.push(rings);
        }
    }
}

/// The code and name of a feature.
#[derive(Debug)]
struct FeatureMeta {
    index: u32,
    code: String,
    name: String,
}

/// One zoom of a source: its grid, its features (by slot) and their index.
#[derive(Debug)]
struct ZoomLayer {
    extent_bits: u32,
    /// Per feature slot (into the source's `meta`); empty when merged into another.
    features: Vec<ZoomFeature>,
    /// Non-empty feature slots by bounding box on the zoom's grid.
    tree: RTree<GeomWithData<Rectangle<[i64; 2]>, u32>>,
}

/// One source, prepared for its zooms.
#[derive(Debug)]
struct PreparedSource {
    min_zoom: u8,
    max_zoom: u8,
    meta: Vec<FeatureMeta>,
    /// `zooms[z - min_zoom]`.
    zooms: Vec<ZoomLayer>,
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

    /// The tile extent at zoom `z` (coordinates in a tile run from 0 to it).
    pub fn extent(&self, z: u8) -> u32 {
        self.options.extent(z)
    }

    /// The options the layer was prepared with.
    pub fn options(&self) -> &TileOptions {
        &self.options
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
        let Some(zoom) = source.zooms.get(usize::from(z - source.min_zoom)) else {
            return Ok(None);
        };
        let extent = 1i64 << zoom.extent_bits;
        let buffer = i64::from(BUFFER) >> (EXTENT_BITS - zoom.extent_bits);
        let (ox, oy) = (i64::from(coord.x()) * extent, i64::from(coord.y()) * extent);
        let (lo, hi) = (-buffer, extent + buffer);
        let envelope = AABB::from_corners([ox + lo, oy + lo], [ox + hi, oy + hi]);
        let mut slots: Vec<u32> = zoom
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|g| g.data)
            .collect();
        slots.sort_unstable();

        let mut out = Vec::new();
        let mut local: Vec<[i64; 2]> = Vec::new();
        let mut clipped: Vec<[i64; 2]> = Vec::new();
        for slot in slots {
            let (Some(meta), Some(zf)) = (
                source.meta.get(slot as usize),
                zoom.features.get(slot as usize),
            ) else {
                continue;
            };
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
                    if area2 == 0.0 {
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
        Ok(encode_tile(&self.id, 1 << zoom.extent_bits, &out))
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

/// Projects, cleans and orients a feature's rings: exteriors clockwise on screen (positive
/// [`signed_area2`] with `y` down), holes anticlockwise, so two neighbours walk their shared
/// border in opposite directions. Non-finite coordinates are skipped.
fn project_feature(f: &InputFeature) -> Vec<Vec<Vec<WorldPt>>> {
    let mut polygons = Vec::with_capacity(f.geometry_wgs84.0.len());
    for poly in &f.geometry_wgs84 {
        let mut rings = Vec::with_capacity(1 + poly.interiors().len());
        for (r, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            let mut pts: Vec<WorldPt> = ring
                .coords()
                .filter_map(|c| lonlat_to_world(c.x, c.y))
                .collect();
            clean_ring(&mut pts);
            if (signed_area2(&pts) < 0.0) == (r == 0) {
                pts.reverse();
            }
            rings.push(pts);
        }
        if rings.first().is_some_and(|r| !r.is_empty()) {
            polygons.push(rings);
        }
    }
    polygons
}

/// Area (world units squared, exteriors minus holes) and a representative point (the centroid of
/// the largest exterior ring) of a projected feature.
fn area_and_centre(polygons: &[Vec<Vec<WorldPt>>]) -> (f64, WorldPt) {
    let mut total = 0.0;
    let mut best = (f64::NEG_INFINITY, [0u32; 2]);
    for polygon in polygons {
        for (r, ring) in polygon.iter().enumerate() {
            let a = signed_area2(ring).abs() / 2.0;
            if r > 0 {
                total -= a;
                continue;
            }
            total += a;
            if a > best.0 && !ring.is_empty() {
                best = (a, centroid(ring));
            }
        }
    }
    (total.max(0.0), best.1)
}

/// The area centroid of a ring (the mean of its points when it has no area).
fn centroid(ring: &[WorldPt]) -> WorldPt {
    let n = ring.len();
    let (x0, y0) = (f64::from(ring[0][0]), f64::from(ring[0][1]));
    let (mut cx, mut cy, mut a2) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let (px, py) = (f64::from(p[0]) - x0, f64::from(p[1]) - y0);
        let (qx, qy) = (f64::from(q[0]) - x0, f64::from(q[1]) - y0);
        let cross = px * qy - qx * py;
        a2 += cross;
        cx += (px + qx) * cross;
        cy += (py + qy) * cross;
    }
    let (x, y) = if a2.abs() > 0.0 {
        (x0 + cx / (3.0 * a2), y0 + cy / (3.0 * a2))
    } else {
        let mx = ring.iter().map(|p| f64::from(p[0])).sum::<f64>() / n as f64;
        let my = ring.iter().map(|p| f64::from(p[1])).sum::<f64>() / n as f64;
        (mx, my)
    };
    let max = f64::from(u32::MAX);
    [
        x.round().clamp(0.0, max) as u32,
        y.round().clamp(0.0, max) as u32,
    ]
}

/// Everything the per-zoom passes need about a source, computed once.
struct Prepared<'a> {
    topology: &'a Topology,
    adjacency: &'a Adjacency,
    /// Per feature, its area in world units squared.
    areas: &'a [f64],
    /// Feature slots by increasing area.
    order: &'a [u32],
    /// Per feature, where a collapsed feature's placeholder goes.
    centres: &'a [WorldPt],
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
        let (areas, centres): (Vec<f64>, Vec<WorldPt>) =
            projected.par_iter().map(|p| area_and_centre(p)).unzip();
        let topology = build(&projected);
        drop(projected);
        let adjacency = Adjacency::build(&topology);
        let mut order: Vec<u32> = (0..u32::try_from(areas.len()).unwrap_or(u32::MAX)).collect();
        order.sort_by(|&a, &b| {
            areas[a as usize]
                .total_cmp(&areas[b as usize])
                .then(a.cmp(&b))
        });
        tracing::debug!(
            layer,
            min_zoom,
            max_zoom,
            arcs = topology.arcs.len(),
            points = topology.arcs.iter().map(Vec::len).sum::<usize>(),
            "topology built"
        );
        let prepared = Prepared {
            topology: &topology,
            adjacency: &adjacency,
            areas: &areas,
            order: &order,
            centres: &centres,
        };
        let zooms = (min_zoom..=max_zoom)
            .map(|z| zoom_layer(&prepared, z, options))
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
            zooms,
        })
    }
}

/// Assembles a ring from the zoom's arcs, cleaned; returns it with twice its signed area.
fn zoom_ring(ring: &TopoRing, arcs: &[Vec<[i32; 2]>]) -> (ZoomRing, f64) {
    let mut buf = Vec::new();
    assemble_ring(ring, arcs, &mut buf);
    clean_ring(&mut buf);
    let area2 = signed_area2(&buf);
    (buf, area2)
}

/// Whether no other ring uses any arc of `ring` (an island's coast, or a hole nothing fills).
fn unshared(ring: &TopoRing, adjacency: &Adjacency) -> bool {
    ring.iter()
        .all(|r| adjacency.uses.get(r.arc as usize).is_some_and(|&n| n < 2))
}

/// Even-odd point in ring test on the zoom grid.
fn contains(ring: &[[i32; 2]], p: [i32; 2]) -> bool {
    let (px, py) = (f64::from(p[0]) + 0.25, f64::from(p[1]) + 0.25);
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let (ax, ay, bx, by) = (
            f64::from(a[0]),
            f64::from(a[1]),
            f64::from(b[0]),
            f64::from(b[1]),
        );
        if (ay > py) != (by > py) && px < ax + (py - ay) / (by - ay) * (bx - ax) {
            inside = !inside;
        }
    }
    inside
}

/// Simplifies every arc once for zoom `z`, coalesces small areas if the zoom does, then
/// reassembles every feature (or group) from the simplified arcs and indexes the result.
fn zoom_layer(p: &Prepared<'_>, z: u8, options: &TileOptions) -> ZoomLayer {
    let extent_bits = options.extent_bits(z);
    let shift = zoom_shift(z, extent_bits);
    let fine_unit = world_per_tile_unit(z, EXTENT_BITS);
    let tolerance = (options.tolerance * fine_unit).max(0.5 * world_per_tile_unit(z, extent_bits));
    let topology = p.topology;
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
            for pt in simplified {
                let pt = quantise(pt, shift);
                if q.last() != Some(&pt) {
                    q.push(pt);
                }
            }
            q
        })
        .collect();
    // Areas of the finest grid, in units of this zoom's grid.
    let scale = f64::from(1u32 << (EXTENT_BITS - extent_bits));
    let min_area2 = 2.0 * options.min_ring_area / (scale * scale);

    let n = topology.features.len();
    let reps: Vec<u32> = if options.coalesces(z) {
        let threshold = options.min_feature_area * fine_unit * fine_unit;
        group(p.areas, p.order, p.adjacency, threshold)
    } else {
        (0..u32::try_from(n).unwrap_or(u32::MAX)).collect()
    };
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (f, &rep) in reps.iter().enumerate() {
        if rep as usize != f {
            members.entry(rep).or_default().push(f as u32);
        }
    }

    let features: Vec<ZoomFeature> = (0..n)
        .into_par_iter()
        .map(|f| {
            let mut out = ZoomFeature {
                polygons: Vec::new(),
                bbox: [i64::MAX, i64::MAX, i64::MIN, i64::MIN],
            };
            if reps[f] as usize != f {
                return out; // drawn as part of its group
            }
            match members.get(&(f as u32)) {
                None => single(
                    &topology.features[f],
                    &arcs,
                    p.adjacency,
                    min_area2,
                    &mut out,
                ),
                Some(others) => {
                    let rings = std::iter::once(f as u32)
                        .chain(others.iter().copied())
                        .flat_map(|m| topology.features[m as usize].iter().flatten());
                    merged(&boundary(rings, topology), &arcs, min_area2, &mut out);
                }
            }
            if out.polygons.is_empty() && !topology.features[f].is_empty() {
                let [x, y] = quantise(p.centres[f], shift);
                out.push(vec![vec![[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1]]]);
            }
            out
        })
        .collect();
    let tree = RTree::bulk_load(
        features
            .iter()
            .enumerate()
            .filter(|(_, zf)| !zf.polygons.is_empty())
            .map(|(slot, zf)| {
                let [x0, y0, x1, y1] = zf.bbox;
                GeomWithData::new(
                    Rectangle::from_corners([x0, y0], [x1, y1]),
                    u32::try_from(slot).unwrap_or(u32::MAX),
                )
            })
            .collect(),
    );
    ZoomLayer {
        extent_bits,
        features,
        tree,
    }
}

/// One feature on its own: its polygons from the zoom's arcs.
fn single(
    polygons: &[Vec<TopoRing>],
    arcs: &[Vec<[i32; 2]>],
    adjacency: &Adjacency,
    min_area2: f64,
    out: &mut ZoomFeature,
) {
    for polygon in polygons {
        let mut rings: Vec<ZoomRing> = Vec::with_capacity(polygon.len());
        for (r, ring) in polygon.iter().enumerate() {
            let (mut pts, area2) = zoom_ring(ring, arcs);
            let drop = area2 == 0.0 || (area2.abs() < min_area2 && unshared(ring, adjacency));
            if drop {
                if r == 0 {
                    break;
                }
                continue;
            }
            if (area2 > 0.0) != (r == 0) {
                pts.reverse();
            }
            rings.push(pts);
        }
        out.push(rings);
    }
}

/// A group's outline rings: exteriors become polygons, each hole goes to the exterior holding it.
fn merged(rings: &[TopoRing], arcs: &[Vec<[i32; 2]>], min_area2: f64, out: &mut ZoomFeature) {
    let mut exteriors: Vec<Vec<ZoomRing>> = Vec::new();
    let mut holes: Vec<ZoomRing> = Vec::new();
    for ring in rings {
        let (pts, area2) = zoom_ring(ring, arcs);
        if area2.abs() < min_area2.max(f64::MIN_POSITIVE) {
            continue;
        }
        if area2 > 0.0 {
            exteriors.push(vec![pts]);
        } else {
            holes.push(pts);
        }
    }
    for hole in holes {
        let at = hole[0];
        let home = exteriors
            .iter()
            .position(|e| contains(&e[0], at))
            .unwrap_or(0);
        if let Some(e) = exteriors.get_mut(home) {
            e.push(hole);
        }
    }
    for polygon in exteriors {
        out.push(polygon);
    }
}
