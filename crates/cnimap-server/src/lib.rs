//! The cnimap server: loads the atlas once, prepares tiles and search, and serves them with axum.
//!
//! [`app`] builds the router from an [`AppState`] so tests drive it with `tower::ServiceExt::oneshot`.

pub mod api;
pub mod check;
pub mod error;
pub mod export;
pub mod neighbours;
pub mod serve;
pub mod state;
pub mod tiles;

use std::path::PathBuf;

pub use serve::app;
pub use state::AppState;

/// Where Trunk writes the web app, relative to the working directory.
pub const DEFAULT_STATIC_DIR: &str = "dist";

/// Where to read the data from.
#[derive(Debug, Clone)]
pub struct DataSource {
    /// The national data directory.
    pub data_dir: PathBuf,
    /// A boundary manifest file, or `None` for the built-in one.
    pub manifest: Option<PathBuf>,
}

impl DataSource {
    /// Reads the manifest.
    pub fn manifest(&self) -> cnimap_data::Result<cnimap_data::boundary::Manifest> {
        match &self.manifest {
            Some(p) => cnimap_data::boundary::Manifest::load(p),
            None => cnimap_data::boundary::Manifest::embedded(),
        }
    }
}
