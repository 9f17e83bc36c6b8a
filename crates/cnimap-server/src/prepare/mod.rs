//! Start-up work, done once: tiles (topology, per-zoom simplification, and neighbours from the
//! shared arcs), the area indexes and every whole-layer JSON document, built side by side from the
//! atlas. Nothing here knows about HTTP
//! requests; [`crate::state`] holds what this returns.

pub mod areas;
pub mod change_docs;
pub mod documents;
pub mod lineage;
pub mod tiles;

use std::collections::HashMap;
use std::time::Instant;

use cnimap_core::Level;
use cnimap_data::Atlas;
use cnimap_tiles::PreparedLayer;

pub use areas::{LeftBehindCounts, Vintages};
pub use documents::Documents;

use crate::http::EncodeError;

/// Why start-up preparation failed.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// A layer could not be tiled.
    #[error("preparing tiles for {level}")]
    Tiles {
        /// The layer.
        level: Level,
        /// The tiler's reason.
        #[source]
        source: cnimap_tiles::TileError,
    },
    /// A document could not be encoded.
    #[error("encoding the JSON documents")]
    Encode(#[from] EncodeError),
    /// A worker thread panicked.
    #[error("{0} stopped unexpectedly")]
    Stopped(&'static str),
}

/// Everything prepared at start-up.
pub struct Prepared {
    /// Tile layers.
    pub tiles: HashMap<Level, PreparedLayer>,
    /// Pre-encoded documents.
    pub documents: Documents,
    /// LSOA 2011 <-> 2021 pairs.
    pub vintages: Vintages,
    /// Left-behind neighbourhoods per larger area.
    pub left_behind_counts: LeftBehindCounts,
    /// How long each step took, in milliseconds.
    pub timings: Vec<(&'static str, u128)>,
}

/// Prepares tiles, neighbours and documents for `tiled` layers, side by side.
pub fn prepare(atlas: &Atlas, tiled: &[Level]) -> Result<Prepared, PrepareError> {
    std::thread::scope(|s| {
        let documents = s.spawn(move || {
            let t = Instant::now();
            (documents::encode(atlas, tiled), t.elapsed().as_millis())
        });
        let areas = s.spawn(move || (Vintages::build(atlas), LeftBehindCounts::build(atlas)));
        let t = Instant::now();
        let tiles = tiles::prepare_tiles(atlas, tiled);
        let tiles_ms = t.elapsed().as_millis();
        let (documents, documents_ms) = documents
            .join()
            .map_err(|_| PrepareError::Stopped("the JSON encoder"))?;
        let (vintages, left_behind_counts) = areas
            .join()
            .map_err(|_| PrepareError::Stopped("the area indexer"))?;
        Ok(Prepared {
            tiles: tiles?,
            documents: documents?,
            vintages,
            left_behind_counts,
            timings: vec![
                ("prepare tiles and neighbours", tiles_ms),
                ("encode JSON", documents_ms),
            ],
        })
    })
}
