//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt` and `GET /tiles/{layer}.json` (TileJSON 3.0.0). Tiles are
//! cut on demand from the layers prepared at start-up and kept, gzip-compressed, in the cache.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::tile::TileCoord;
use cnimap_core::Level;

use crate::error::{ApiPath, AppError, AppResult};
use crate::http::Encoded;
use crate::state::AppState;

/// Tiles are the same for the life of the data; a day's caching, revalidated by ETag.
pub const CACHE_TILES: &str = "public, max-age=86400";
const MVT: &str = "application/vnd.mapbox-vector-tile";

fn parse_num<T: std::str::FromStr>(what: &str, s: &str) -> AppResult<T> {
    s.parse()
        .map_err(|_| AppError::BadRequest(format!("tile {what} must be a whole number, not {s:?}")))
}

/// Parses and validates `{layer}` and `{z}/{x}/{y}.mvt`.
pub fn parse_tile(
    state: &AppState,
    layer: &str,
    z: &str,
    x: &str,
    y_file: &str,
) -> AppResult<(Level, TileCoord)> {
    let level = state.served_layer(layer)?;
    let prepared = state
        .tiles
        .get(&level)
        .ok_or(AppError::Invariant("a served layer has no prepared tiles"))?;
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
    let coord = TileCoord::new(z, x, y).ok_or_else(|| {
        let n = 1u64 << z;
        AppError::BadRequest(format!(
            "tile {z}/{x}/{y} does not exist: at zoom {z}, x and y run from 0 to {}",
            n - 1
        ))
    })?;
    Ok((level, coord))
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt`.
pub async fn tile(
    State(state): State<AppState>,
    ApiPath((layer, z, x, y)): ApiPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (level, coord) = parse_tile(&state, &layer, &z, &x, &y)?;
    let tile = match state.tile_cache.get(level, coord) {
        Some(t) => t,
        None => {
            let st = state.clone();
            let t = tokio::task::spawn_blocking(move || cut(&st, level, coord)).await??;
            state.tile_cache.put(level, coord, t.clone());
            t
        }
    };
    if tile.plain.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(tile.respond(&headers, MVT, CACHE_TILES))
}

/// Cuts and compresses one tile (an empty tile has an empty body).
pub fn cut(state: &AppState, level: Level, coord: TileCoord) -> AppResult<Encoded> {
    let prepared = state
        .tiles
        .get(&level)
        .ok_or(AppError::Invariant("a served layer has no prepared tiles"))?;
    let plain = prepared
        .tile(coord)
        .map_err(|source| AppError::Tile {
            layer: level,
            coord,
            source,
        })?
        .unwrap_or_default();
    Encoded::from_bytes(plain).map_err(AppError::Compress)
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
    let level = state.served_layer(layer)?;
    let prepared = state
        .tiles
        .get(&level)
        .ok_or(AppError::Invariant("a served layer has no prepared tiles"))?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let base = host.map(|h| format!("http://{h}")).unwrap_or_default();
    let fields: serde_json::Map<String, serde_json::Value> = prepared
        .fields()
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).into()))
        .collect();
    let title = state.atlas.layer(level).map(|l| l.title.clone());
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
