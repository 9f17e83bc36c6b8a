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
//!    slivers); rings that collapse below [`TileOptions::min_ring_area`] are dropped at that zoom;
//! 4. index features by bounding box.
//!
//! [`PreparedLayer::tile`] then only looks up, clips (64-unit buffer) and encodes. Tiles at zooms
//! up to [`TileOptions::precut_max_zoom`] (8 by default: about 60 non-empty tiles for England,
//! but each holds thousands of areas and takes 10-20 ms to cut) are cut during prepare and served
//! from memory; deeper tiles (82,000 non-empty ones to z14) are cut on demand and not cached here:
//! the densest take 5-17 ms at z9-10 and well under 1 ms from z12 on. Measured with
//! `cargo run --release -p cnimap-tiles --example tile_sizes` and `cargo bench -p cnimap-tiles`.
//!
//! [`write_pmtiles`] writes a whole layer to a PMTiles v3 archive.
//!
//! Feature ids are the [`InputFeature::index`] (the feature index the JSON API addresses values
//! by); properties are `code` and `name`; each layer's MVT source-layer is named after its id.

mod clip;
mod error;
mod export;
mod fxhash;
mod layer;
pub mod mvt;
mod ring;
mod simplify;
mod topology;
mod world;

pub use error::TileError;
pub use export::{write_pmtiles, PmtilesReport};
pub use layer::{PreparedLayer, TileOptions};

/// MVT tile extent: tile coordinates run from 0 to 4096.
pub const EXTENT: u32 = 4096;

/// Clip buffer around each tile, in tile units.
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
