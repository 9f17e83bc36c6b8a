//! `cnimap serve`.
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{AppState, DataSource};

/// Builds the router.
pub fn app(_state: AppState) -> axum::Router {
    axum::Router::new()
}

/// Serves until interrupted.
pub fn run(_source: DataSource, _addr: SocketAddr, _static_dir: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!("serve is not written yet")
}
