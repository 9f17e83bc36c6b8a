//! `cnimap export-tiles`: one layer to a PMTiles archive.

use std::path::Path;

use anyhow::Context;
use cnimap_core::Level;
use cnimap_data::Atlas;

use crate::DataSource;

/// Loads the layer's geometry, prepares it and writes `out` (temp file, then rename).
pub fn run(source: &DataSource, layer: &str, out: &Path) -> anyhow::Result<()> {
    let level = Level::from_id(layer)
        .filter(|l| crate::state::TILED.contains(l))
        .with_context(|| {
            format!("unknown layer {layer:?}: use one of lsoa21, lsoa11, ward17, lad24, region")
        })?;
    let atlas = Atlas::load(&source.data_dir, &source.manifest()?)?;
    let area_layer = atlas
        .layer(level)
        .with_context(|| format!("layer {layer} has no boundaries in the manifest"))?;
    let prepared = cnimap_tiles::PreparedLayer::prepare(crate::state::layer_spec(area_layer))?;
    let report = cnimap_tiles::write_pmtiles(&prepared, out)
        .with_context(|| format!("writing {}", out.display()))?;
    tracing::info!(?report, out = %out.display(), "PMTiles written");
    Ok(())
}
