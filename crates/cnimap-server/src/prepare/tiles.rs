//! Tile layers prepared once (topology, per-zoom simplification) from the atlas geometry, all
//! layers side by side.

use std::collections::HashMap;
use std::time::Instant;

use cnimap_core::Level;
use cnimap_data::{AreaLayer, Atlas};
use cnimap_tiles::{PreparedLayer, TileError};

use super::PrepareError;

/// Prepares every tiled layer, in parallel.
pub fn prepare_tiles(
    atlas: &Atlas,
    tiled: &[Level],
) -> Result<HashMap<Level, PreparedLayer>, PrepareError> {
    let specs: Vec<(Level, cnimap_tiles::LayerSpec)> = tiled
        .iter()
        .filter_map(|l| atlas.layer(*l))
        .map(|l| (l.level, layer_spec(l)))
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = specs
            .into_iter()
            .map(|(level, spec)| {
                let handle = s.spawn(move || {
                    let t = Instant::now();
                    let layer = PreparedLayer::prepare(spec);
                    tracing::info!(
                        layer = level.id(),
                        ms = t.elapsed().as_millis() as u64,
                        "tiles prepared"
                    );
                    layer
                });
                (level, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(level, h)| {
                let prepared: Result<PreparedLayer, TileError> = h
                    .join()
                    .map_err(|_| PrepareError::Stopped("tile preparation"))?;
                prepared
                    .map(|l| (level, l))
                    .map_err(|source| PrepareError::Tiles { level, source })
            })
            .collect()
    })
}

/// The tiler's input for one layer: every geometry file with its zoom range.
pub fn layer_spec(layer: &AreaLayer) -> cnimap_tiles::LayerSpec {
    cnimap_tiles::LayerSpec {
        id: layer.level.id().to_string(),
        sources: layer
            .geometry
            .iter()
            .map(|g| cnimap_tiles::SourceGeometry {
                min_zoom: g.zooms.min,
                max_zoom: g.zooms.max,
                features: g
                    .features
                    .iter()
                    .map(|(i, geom)| cnimap_tiles::InputFeature {
                        index: *i,
                        code: layer.codes[*i as usize].clone(),
                        name: layer.names[*i as usize].clone(),
                        geometry_wgs84: geom.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
