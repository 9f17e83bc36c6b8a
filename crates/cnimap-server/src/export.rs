//! `cnimap export-tiles`.
use std::path::Path;

use crate::DataSource;

/// Writes one layer to a PMTiles archive.
pub fn run(_source: &DataSource, _layer: &str, _out: &Path) -> anyhow::Result<()> {
    anyhow::bail!("export-tiles is not written yet")
}
