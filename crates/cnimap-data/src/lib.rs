//! Reads the published national data (indices, boundaries, lookups) into one validated in-memory
//! [`Atlas`].
//!
//! Every input problem becomes a [`DataError`] naming the file, line and column, and every
//! derived figure (decile from rank, left-behind flag, area summary) says how it was made.

pub mod atlas;
pub mod boundary;
pub mod csvread;
pub mod custom_areas;
pub mod domain_ranks;
pub mod error;
pub mod frames;
pub mod indicators;
pub mod layer;
pub mod lineage;
pub mod lookups;
pub mod summary;

pub use atlas::{Atlas, DatasetReport, LeftBehindCheck};
pub use error::{DataError, Result};
pub use layer::{AreaLayer, IndicatorValues, LayerGeometry};

use std::path::PathBuf;

/// The environment variable naming the data directory.
pub const DATA_ENV: &str = "CNIMAP_DATA";

/// The default data directory: `../shared/data` from the working directory when it exists, else
/// the same path relative to the workspace this crate was built in.
pub fn default_data_dir() -> PathBuf {
    let cwd = PathBuf::from("../shared/data");
    if cwd.is_dir() {
        return cwd;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}
