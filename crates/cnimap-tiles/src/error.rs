//! The error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong preparing a layer, cutting a tile or writing an archive.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    /// The layer spec has no source geometry at all.
    #[error("layer {layer}: no source geometry")]
    NoSources {
        /// Layer id.
        layer: String,
    },
    /// A source's zoom range is inverted or deeper than the tiler supports.
    #[error("layer {layer}: source zoom range {min_zoom}..={max_zoom} is invalid (zooms must satisfy min <= max <= {max_supported})")]
    InvalidZoomRange {
        /// Layer id.
        layer: String,
        /// The source's first zoom.
        min_zoom: u8,
        /// The source's last zoom.
        max_zoom: u8,
        /// The deepest zoom the tiler cuts.
        max_supported: u8,
    },
    /// Two sources claim the same zoom, or a zoom between the first and the last has no source.
    #[error("layer {layer}: sources must cover contiguous, disjoint zoom ranges; zoom {zoom} is {problem}")]
    ZoomCoverage {
        /// Layer id.
        layer: String,
        /// The zoom that is covered twice or not at all.
        zoom: u8,
        /// "covered by two sources" or "covered by no source".
        problem: &'static str,
    },
    /// Two features of one source share a feature index.
    #[error(
        "layer {layer}: feature index {index} is used twice (codes {first_code} and {second_code})"
    )]
    DuplicateFeatureIndex {
        /// Layer id.
        layer: String,
        /// The repeated index.
        index: u32,
        /// Code of the first feature with that index.
        first_code: String,
        /// Code of the second feature with that index.
        second_code: String,
    },
    /// A tile was requested at a zoom the layer is not cut for.
    #[error("layer {layer}: zoom {zoom} is outside the layer's zooms {min_zoom}..={max_zoom}")]
    ZoomOutOfRange {
        /// Layer id.
        layer: String,
        /// The requested zoom.
        zoom: u8,
        /// The layer's first zoom.
        min_zoom: u8,
        /// The layer's last zoom.
        max_zoom: u8,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The PMTiles writer failed.
    #[error("writing PMTiles archive {path}: {source}")]
    Pmtiles {
        /// The archive being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: pmtiles::PmtError,
    },
    /// Serialising the archive metadata failed.
    #[error("writing PMTiles metadata for {path}: {source}")]
    Metadata {
        /// The archive being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}
