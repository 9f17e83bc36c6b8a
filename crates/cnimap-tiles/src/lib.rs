//! Vector tiles for cnimap: topology-preserving per-zoom simplification, clipping, Mapbox Vector
//! Tile encoding and PMTiles export.
//!
//! The data crate hands over each layer's geometry, parsed, repaired and in WGS84, as a
//! [`LayerSpec`]: one [`SourceGeometry`] per zoom range (a light generalisation for low zooms, a
//! detailed one for high zooms). [`PreparedLayer::prepare`] does the heavy work once, at start-up:
//!
//! 1. snap every ring to a fine integer Web Mercator grid (about 1 cm) and clean it (duplicate
//!    points, spikes, empty parts);
//! 2. build a shared-arc topology: borders between neighbours are stored once;
//! 3. for every zoom, simplify each arc once (Douglas-Peucker, tolerance tied to the zoom's tile
//!    unit, junctions fixed), quantise it to the zoom's tile grid and reassemble the polygons from
//!    the simplified arcs, so neighbours always share exactly the same border (no gaps, no
//!    slivers);
//! 4. make every feature's polygons valid on the zoom's grid, and take out the overlaps where
//!    snapped borders cross (see *Valid geometry* below);
//! 5. index each zoom's features by bounding box.
//!
//! [`PreparedLayer::tile`] then only looks up, clips (a buffer of 1/64 tile), rebuilds valid
//! the few features the tile's edge cut, and encodes. Tiles at
//! zooms up to [`TileOptions::precut_max_zoom`] (8 by default: about 60 non-empty tiles for
//! England, but each holds thousands of areas) are cut during prepare and served from memory;
//! deeper tiles are cut on demand and not cached here. Measured with
//! `cargo run --release -p cnimap-tiles --example tile_sizes` (numbers in `SIZES.md`) and
//! `cargo bench -p cnimap-tiles`.
//!
//! # Low zooms: no holes within the size budget
//!
//! The budget is a mean gzip tile of at most 50 KB per zoom and no tile above 500 KB. At zooms
//! 4-7 one tile holds most of England's 33,755 LSOAs, and most of them are smaller than a pixel.
//! Two obvious answers fail:
//!
//! - dropping rings below half a pixel (the first version) kept the size down but left holes
//!   where small urban areas were (London at zooms 5-7), which reads as missing data;
//! - keeping every LSOA as its own feature cannot fit: their `code` and `name` strings alone gzip
//!   to about 165 KB, feature ids and tags add about 6 bytes a feature, and zoom 5 has only three
//!   non-empty tiles, so its mean would be at least 60 KB before any geometry (measured: 335 KB
//!   mean at zoom 5 with every ring kept).
//!
//! So, up to [`TileOptions::coalesce_max_zoom`] (7), areas smaller than
//! [`TileOptions::min_feature_area`] (5 square pixels) are coalesced with their neighbours on the
//! topology, smallest first, each into the neighbour it shares the longest border with, until every
//! group reaches that size. A group is one feature with the id, code and name of its largest
//! member, and its outline is made of the same shared arcs as everyone else's, so groups and
//! single areas tile the map without gaps: the map has no holes at any zoom, and a group is at
//! least about 2.2 x 2.2 pixels, so what is merged could hardly be seen anyway. 4 square pixels
//! put zooms 6 and 7 at 49.3 and 49.5 KB mean, too close to the budget; 5 leaves about 4 KB. From zoom 8 every LSOA is its
//! own feature again. Rings are only dropped when they collapse to nothing (their neighbours cover
//! the place) or when they are islands or unfilled holes under half a pixel; an area left without
//! any ring gets a one-unit square at its centroid, so it is still in its tiles.
//!
//! Zooms up to [`TileOptions::low_zoom_max`] (7) are also cut on a coarser grid,
//! [`TileOptions::low_zoom_extent`] (512, one unit per pixel of a 512-pixel tile; MapLibre reads
//! the extent from each tile): shorter coordinates and fewer points, no visible change at those
//! zooms.
//!
//! # Valid geometry
//!
//! MVT 2.1 asks for polygons whose rings neither cross nor touch themselves, with holes inside
//! their shells and exteriors wound clockwise on screen; GIS readers (GEOS in QGIS and PostGIS,
//! turf, deck.gl) reject or mis-draw anything else. Simplifying each border once and snapping it
//! to the tile grid keeps neighbours' borders identical, but on its own it broke that rule for
//! about one polygon in eight at zooms 2-7 and 14, one in ten over a whole lsoa21 archive
//! (58,629 of 556,824, decoded with `mapbox-vector-tile` and checked by GEOS): a ring touching itself where two of
//! its borders snapped onto the same grid point (`Ring Self-intersection`), a one-unit spike or
//! corridor collapsed to a line, two borders of one area simplified across each other
//! (`Self-intersection`), and zero-width bridges that clipping a concave ring to the tile square
//! leaves along the tile's edge. Three steps fix it where it arises, after snapping:
//!
//! 1. **Per feature, per zoom** (prepare): the rings assembled from the snapped arcs are rebuilt by
//!    an integer polygon overlay (`i_overlay`, OGC mode, positive fill rule; module `valid`): a ring
//!    touching itself is split at the touching vertex into separate polygons (or a shell and a
//!    hole), spikes, bridges and zero-area parts go, a crossing becomes a vertex with the inverted
//!    lobe left out, holes are put in the shell holding them and everything is wound the MVT way.
//!    No vertex moves, so both neighbours still draw the same snapped border.
//! 2. **Where snapped borders cross** (prepare): a lobe left out of one area is still drawn by the
//!    areas on either side, and two coasts snapped across an estuary overlap. Module `crossing` finds
//!    every pair of snapped arcs that touch or cross away from their junctions (a grid of buckets,
//!    exact integer tests), and the overlap of the features using them is taken out of one of
//!    them; so is the overlap of two features walking a border the same way (a shell nested in
//!    another area's shell, as a few source areas have) or of one lying inside the other (an
//!    outline given without the hole its enclave fills: found once per source by testing each
//!    area's representative point against the others). Coverage is kept: the lobe stays drawn
//!    by exactly one area.
//! 3. **Per tile, only for features the tile's edge cut** (request): clipping ring by ring is exact
//!    for the area covered but can leave bridges along the edge and round a crossing onto another
//!    vertex, so those features go through step 1 again; features wholly inside the tile are
//!    only translated.
//!
//! Trade-offs: a rounded crossing point is a vertex of one area only, which leaves slivers under a
//! square unit; where taking an overlap out of one area would empty it, it is taken out of the
//! other (a source area nested in another's shell: the outer one gets the hole), and two areas
//! that are the same shape keep their overlap; an area that collapsed below one unit at zooms 8 and deeper is drawn as a one-unit
//! square that overlaps its neighbour by that unit (so that every area is in its tiles), and a
//! coalesced group that collapsed at the low zooms is left out instead (its neighbours cover its
//! place). Collinear points are dropped (the same line with fewer points), which makes the low
//! zooms slightly smaller. The cost is in prepare (the overlay runs on every feature of every
//! zoom, the crossing search on every zoom's arcs); numbers in `SIZES.md`. The independent check
//! is `tests/validity/check_tiles.py` (in `make test`, on a few hundred tiles of every layer) and
//! its `sweep` mode over a whole archive.
//!
//! [`write_pmtiles`] writes a whole layer to a PMTiles v3 archive.
//!
//! [`PreparedLayer::neighbours`] gives which areas share a border ([`Neighbours`]), read once
//! during prepare off the shared arcs of the most detailed source: a shared border of positive
//! length makes two areas neighbours, touching at a point does not.
//!
//! Feature ids are the [`InputFeature::index`] (the feature index the JSON API addresses values
//! by); properties are `code` and `name`; each layer's MVT source-layer is named after its id.

mod clip;
mod coalesce;
mod crossing;
mod error;
mod export;
mod fxhash;
mod layer;
pub mod mvt;
mod neighbours;
mod ring;
mod simplify;
mod topology;
mod valid;
mod world;

pub use error::TileError;
pub use export::{write_pmtiles, PmtilesReport};
pub use layer::{PreparedLayer, TileOptions};
pub use neighbours::Neighbours;

/// MVT tile extent of the finest grid: tile coordinates run from 0 to 4096. Low zooms may use a
/// coarser one ([`TileOptions::low_zoom_extent`], [`PreparedLayer::extent`]).
pub const EXTENT: u32 = 4096;

/// Clip buffer around each tile, in units of the finest grid ([`EXTENT`]); scaled with the extent
/// on coarser grids (1/64 of the tile either way).
pub const BUFFER: u32 = 64;

/// The deepest zoom a source may be cut for.
pub const MAX_TILE_ZOOM: u8 = 18;

/// One area of a layer, as the data crate hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFeature {
    /// The feature index (position in the layer's fixed order); becomes the MVT feature id.
    pub index: u32,
    /// Area code (`E01021988`); MVT property `code`.
    pub code: String,
    /// Area name (`Tendring 018A`); MVT property `name`.
    pub name: String,
    /// Geometry in WGS84 degrees (x = longitude, y = latitude). Invalid rings are tolerated.
    pub geometry_wgs84: geo_types::MultiPolygon<f64>,
}

/// The features of a layer for one zoom range.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceGeometry {
    /// First zoom this geometry is cut for.
    pub min_zoom: u8,
    /// Last zoom this geometry is cut for (inclusive).
    pub max_zoom: u8,
    /// The features; indices must be unique within the source.
    pub features: Vec<InputFeature>,
}

/// A layer to prepare: its id and its sources, which must cover one contiguous zoom range without
/// overlapping.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    /// Layer id (`lsoa21`), also the MVT source-layer name.
    pub id: String,
    /// Geometry per zoom range.
    pub sources: Vec<SourceGeometry>,
}
