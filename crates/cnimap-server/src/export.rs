//! `cnimap export-tiles`: one layer to a PMTiles archive.

use std::path::Path;

use anyhow::Context;
use cnimap_core::Level;
use cnimap_data::Atlas;

use crate::DataSource;

/// Loads the layer's geometry, prepares it and writes `out` (temp file, then rename).
pub fn run(source: &DataSource, layer: &str, out: &Path) -> anyhow::Result<()> {
    let manifest = source.manifest()?;
    let tiled = manifest.tiled_levels();
    let level = Level::from_id(layer)
        .filter(|l| tiled.contains(l))
        .with_context(|| {
            let known: Vec<&str> = tiled.iter().map(|l| l.id()).collect();
            format!("unknown layer {layer:?}: use one of {}", known.join(", "))
        })?;
    let atlas = Atlas::load(&source.data_dir, &manifest)?;
    let area_layer = atlas
        .layer(level)
        .with_context(|| format!("layer {layer} has no boundaries in the manifest"))?;
    let prepared =
        cnimap_tiles::PreparedLayer::prepare(crate::prepare::tiles::layer_spec(area_layer))?;
    let report = cnimap_tiles::write_pmtiles(&prepared, out)
        .with_context(|| format!("writing {}", out.display()))?;
    tracing::info!(?report, out = %out.display(), "PMTiles written");
    Ok(())
}
