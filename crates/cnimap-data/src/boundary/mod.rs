//! Area boundaries: the manifest that says which file draws which layer, reading GeoJSON
//! straight into `geo` types, reprojection of British National Grid input, and polygon repair.
//!
//! The entry points are [`Manifest`] (which files, which properties) and [`read_boundaries`] (one
//! file, ready for the tiler: WGS84 lon/lat, valid, oriented); [`read_layer_source`] and
//! [`read_overlay`] combine the two.

pub mod geojson;
pub mod manifest;
/// Polygon repair lives in [`cnimap_geometry`] (the browser repairs users' files with it too).
pub use cnimap_geometry::repair;
pub mod reproject;

use std::path::Path;

pub use self::geojson::{
    parse_boundaries, read_boundaries, BoundaryFeature, BoundaryFile, BoundaryFileExtra,
};
pub use self::manifest::{LayerConfig, Manifest, OverlayConfig, SourceConfig, ZoomRange, MAX_ZOOM};
pub use self::repair::{repair, RepairAction};
pub use self::reproject::Crs;

use crate::error::DataError;

/// Reads one boundary file of a layer from the data directory, with the layer's code prefix and
/// the source's code and name properties.
pub fn read_layer_source(
    data_dir: &Path,
    layer: &LayerConfig,
    source: &SourceConfig,
) -> Result<BoundaryFile, DataError> {
    read_boundaries(
        &data_dir.join(&source.file),
        &source.code,
        &source.name,
        layer.code_prefix.as_deref(),
    )
}

/// Reads an overlay's boundary file from the data directory.
pub fn read_overlay(data_dir: &Path, overlay: &OverlayConfig) -> Result<BoundaryFile, DataError> {
    read_boundaries(
        &data_dir.join(&overlay.file),
        &overlay.code,
        &overlay.name,
        overlay.code_prefix.as_deref(),
    )
}
