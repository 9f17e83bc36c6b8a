//! Vector tiles and TileJSON. Tiles are cut on demand from geometry prepared at start-up (the
//! topology and per-zoom simplification are done once) and kept, gzip-compressed, in a bounded
//! cache.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::tile::TileCoord;

use crate::api::{fnv1a, gzip, respond_bytes};
use crate::error::{ApiPath, AppError, AppResult};
use crate::state::AppState;

/// Default cache budget: 256 MiB of compressed tiles.
pub const CACHE_BYTES: usize = 256 << 20;
/// Tiles are the same for the life of the data; a day's caching, revalidated by ETag.
pub const CACHE_TILES: &str = "public, max-age=86400";
const MVT: &str = "application/vnd.mapbox-vector-tile";

/// One cut tile.
#[derive(Debug, Clone)]
pub struct CachedTile {
    /// Uncompressed MVT (empty for an empty tile).
    pub plain: bytes::Bytes,
    /// gzip MVT.
    pub gzip: bytes::Bytes,
    /// Strong ETag.
    pub etag: String,
}

type Key = (String, u8, u32, u32);

/// A byte-bounded first-in first-out cache of cut tiles.
pub struct TileCache {
    budget: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    map: HashMap<Key, CachedTile>,
    order: VecDeque<Key>,
    bytes: usize,
    hits: u64,
    misses: u64,
}

impl TileCache {
    /// A cache holding at most `budget` bytes of tiles.
    pub fn new(budget: usize) -> TileCache {
        TileCache {
            budget,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn get(&self, key: &Key) -> Option<CachedTile> {
        let mut inner = self.inner.lock().ok()?;
        let hit = inner.map.get(key).cloned();
        if hit.is_some() {
            inner.hits += 1;
        } else {
            inner.misses += 1;
        }
        hit
    }

    fn put(&self, key: Key, tile: CachedTile) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let size = tile.plain.len() + tile.gzip.len();
        if size > self.budget || inner.map.contains_key(&key) {
            return;
        }
        while inner.bytes + size > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(t) = inner.map.remove(&old) {
                inner.bytes -= t.plain.len() + t.gzip.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(key.clone());
        inner.map.insert(key, tile);
    }

    /// `(tiles, bytes, hits, misses)`.
    pub fn stats(&self) -> (usize, usize, u64, u64) {
        self.inner
            .lock()
            .map_or((0, 0, 0, 0), |i| (i.map.len(), i.bytes, i.hits, i.misses))
    }
}

fn parse_num<T: std::str::FromStr>(what: &str, s: &str) -> AppResult<T> {
    s.parse()
        .map_err(|_| AppError::BadRequest(format!("tile {what} must be a whole number, not {s:?}")))
}

/// Parses and validates `{z}/{x}/{y}.mvt` for a layer.
pub fn parse_tile(
    state: &AppState,
    layer: &str,
    z: &str,
    x: &str,
    y_file: &str,
) -> AppResult<TileCoord> {
    let prepared = state.tiles.get(layer).ok_or_else(|| {
        AppError::NotFound(format!(
            "unknown tile layer {layer:?}: use one of lsoa21, lsoa11, ward17, lad24, region"
        ))
    })?;
    let y = y_file
        .strip_suffix(".mvt")
        .or_else(|| y_file.strip_suffix(".pbf"))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "tiles are at /tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt, not .../{y_file}"
            ))
        })?;
    let z: u8 = parse_num("zoom", z)?;
    let (x, y): (u32, u32) = (parse_num("x", x)?, parse_num("y", y)?);
    if z > prepared.max_zoom() {
        return Err(AppError::BadRequest(format!(
            "zoom {z} is beyond this layer's maximum zoom {} (MapLibre overzooms the last level)",
            prepared.max_zoom()
        )));
    }
    TileCoord::new(z, x, y).ok_or_else(|| {
        let n = 1u64 << z;
        AppError::BadRequest(format!(
            "tile {z}/{x}/{y} does not exist: at zoom {z}, x and y run from 0 to {}",
            n - 1
        ))
    })
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt`.
pub async fn tile(
    State(state): State<AppState>,
    ApiPath((layer, z, x, y)): ApiPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let coord = parse_tile(&state, &layer, &z, &x, &y)?;
    let key = (layer.clone(), coord.z(), coord.x(), coord.y());
    let cached = match state.tile_cache.get(&key) {
        Some(t) => t,
        None => {
            let st = state.clone();
            let t = tokio::task::spawn_blocking(move || cut(&st, &layer, coord))
                .await
                .map_err(|e| AppError::Internal(format!("tile task failed: {e}")))??;
            state.tile_cache.put(key, t.clone());
            t
        }
    };
    if cached.plain.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(respond_bytes(
        &headers,
        &cached.plain,
        &cached.gzip,
        &cached.etag,
        MVT,
        CACHE_TILES,
    ))
}

/// Cuts and compresses one tile.
pub fn cut(state: &AppState, layer: &str, coord: TileCoord) -> AppResult<CachedTile> {
    let prepared = state
        .tiles
        .get(layer)
        .ok_or_else(|| AppError::NotFound(format!("unknown layer {layer}")))?;
    let plain = prepared
        .tile(coord)
        .map_err(|e| AppError::Internal(format!("cutting {layer} {coord:?}: {e}")))?;
    let plain = plain.unwrap_or_default();
    let gz = if plain.is_empty() {
        Vec::new()
    } else {
        gzip(&plain).map_err(|e| AppError::Internal(e.to_string()))?
    };
    Ok(CachedTile {
        etag: format!("\"{:016x}\"", fnv1a(&plain)),
        plain: plain.into(),
        gzip: gz.into(),
    })
}

/// `GET /tiles/{layer}.json`: TileJSON 3.0.0.
pub async fn tilejson(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Json<serde_json::Value>> {
    let layer = file.strip_suffix(".json").ok_or_else(|| {
        AppError::NotFound(format!(
            "TileJSON is at /tiles/{{layer}}.json, not /tiles/{file}"
        ))
    })?;
    let prepared = state.tiles.get(layer).ok_or_else(|| {
        AppError::NotFound(format!(
            "unknown tile layer {layer:?}: use one of lsoa21, lsoa11, ward17, lad24, region"
        ))
    })?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let base = host.map(|h| format!("http://{h}")).unwrap_or_default();
    let fields: serde_json::Map<String, serde_json::Value> = prepared
        .fields()
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).into()))
        .collect();
    let title = state
        .atlas
        .layer(cnimap_core::Level::from_id(layer).unwrap_or(cnimap_core::Level::Lsoa21))
        .map(|l| l.title.clone());
    Ok(Json(serde_json::json!({
        "tilejson": "3.0.0",
        "name": layer,
        "description": title,
        "tiles": [format!("{base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": prepared.min_zoom(),
        "maxzoom": prepared.max_zoom(),
        "bounds": prepared.bounds_wgs84(),
        "attribution": cnimap_core::catalogue::BOUNDARY_ATTRIBUTION,
        "vector_layers": [{
            "id": layer,
            "fields": fields,
            "minzoom": prepared.min_zoom(),
            "maxzoom": prepared.max_zoom(),
            "description": "Area outlines; feature id = feature index into /api/values arrays",
        }],
    })))
}
