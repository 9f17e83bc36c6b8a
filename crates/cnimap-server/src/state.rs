//! The state shared by every request: the atlas, the search index, prepared tile layers and
//! pre-encoded JSON, all built once at start-up.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use cnimap_core::Level;
use cnimap_data::Atlas;
use cnimap_search::SearchIndex;
use cnimap_tiles::PreparedLayer;

use crate::api::{self, Encoded};
use crate::neighbours::Adjacency;
use crate::tiles::TileCache;
use crate::DataSource;

/// Shared state: cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The atlas.
    pub atlas: Atlas,
    /// Place and postcode search.
    pub search: SearchIndex,
    /// Tile layers by id.
    pub tiles: HashMap<String, PreparedLayer>,
    /// Cut, compressed tiles.
    pub tile_cache: TileCache,
    /// Areas sharing a border, per level, by feature index.
    pub adjacency: HashMap<Level, Adjacency>,
    /// Pre-encoded JSON documents by path (`/api/indicators`, `/api/values/lsoa21/imd2025`, ...).
    pub documents: HashMap<String, Encoded>,
    /// The built web app.
    pub static_dir: PathBuf,
    /// Start-up timings, for `/api/health` and the log.
    pub startup: Vec<(String, u128)>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The layers cut into tiles.
pub const TILED: [Level; 5] = [
    Level::Lsoa21,
    Level::Lsoa11,
    Level::Ward17,
    Level::Lad24,
    Level::Region,
];

impl AppState {
    /// Loads and prepares everything.
    pub fn load(source: &DataSource, static_dir: PathBuf) -> anyhow::Result<AppState> {
        let mut startup = Vec::new();
        let t0 = Instant::now();
        let t = Instant::now();
        let (atlas, search) = source.load()?;
        startup.push(("load data".to_string(), t.elapsed().as_millis()));

        // Tiles, neighbours and JSON documents are independent: build them side by side.
        let (tiles, adjacency, documents) = std::thread::scope(|s| {
            let atlas = &atlas;
            let adjacency = s.spawn(move || {
                let t = Instant::now();
                let a: HashMap<Level, Adjacency> = TILED
                    .iter()
                    .filter_map(|l| atlas.layer(*l).map(|layer| (*l, Adjacency::build(layer))))
                    .collect();
                (a, t.elapsed().as_millis())
            });
            let documents = s.spawn(move || {
                let t = Instant::now();
                (api::encode_documents(atlas), t.elapsed().as_millis())
            });
            let t = Instant::now();
            let tiles = prepare_tiles(atlas);
            let tiles_ms = t.elapsed().as_millis();
            let (adjacency, adjacency_ms) = adjacency
                .join()
                .map_err(|_| anyhow::anyhow!("adjacency builder stopped"))?;
            let (documents, documents_ms) = documents
                .join()
                .map_err(|_| anyhow::anyhow!("JSON encoder stopped"))?;
            startup.push(("prepare tiles".to_string(), tiles_ms));
            startup.push(("adjacency".to_string(), adjacency_ms));
            startup.push(("encode JSON".to_string(), documents_ms));
            anyhow::Ok((tiles?, adjacency, documents?))
        })?;
        startup.push(("total".to_string(), t0.elapsed().as_millis()));
        for (what, ms) in &startup {
            tracing::info!(what, ms, "start-up");
        }
        Ok(AppState(Arc::new(Inner {
            atlas,
            search,
            tiles,
            tile_cache: TileCache::new(crate::tiles::CACHE_BYTES),
            adjacency,
            documents,
            static_dir,
            startup,
        })))
    }
}

/// Prepares every tiled layer from the atlas geometry, in parallel.
pub fn prepare_tiles(atlas: &Atlas) -> anyhow::Result<HashMap<String, PreparedLayer>> {
    let specs: Vec<cnimap_tiles::LayerSpec> = TILED
        .iter()
        .filter_map(|l| atlas.layer(*l))
        .map(layer_spec)
        .collect();
    let results: Vec<anyhow::Result<PreparedLayer>> = std::thread::scope(|s| {
        let handles: Vec<_> = specs
            .into_iter()
            .map(|spec| {
                s.spawn(move || {
                    let id = spec.id.clone();
                    let t = Instant::now();
                    let layer = PreparedLayer::prepare(spec)
                        .with_context(|| format!("preparing tiles for {id}"));
                    tracing::info!(
                        layer = id,
                        ms = t.elapsed().as_millis() as u64,
                        "tiles prepared"
                    );
                    layer
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("tile preparation stopped")))
            })
            .collect()
    });
    results
        .into_iter()
        .map(|r| r.map(|l| (l.id().to_string(), l)))
        .collect()
}

/// The tiler's input for one layer: every geometry file with its zoom range.
pub fn layer_spec(layer: &cnimap_data::AreaLayer) -> cnimap_tiles::LayerSpec {
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
