//! `GET /api/health`: liveness, the areas per layer, start-up timings and the tile cache.

use axum::extract::State;
use axum::Json;

use crate::state::AppState;

/// `GET /api/health`.
pub async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    let areas: serde_json::Map<String, serde_json::Value> = state
        .atlas
        .layers
        .values()
        .map(|l| (l.level.id().to_string(), l.len().into()))
        .collect();
    let startup: serde_json::Map<String, serde_json::Value> = state
        .startup
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v as u64).into()))
        .collect();
    let cache = state.tile_cache.stats();
    Json(serde_json::json!({
        "status": "ok",
        "areas": areas,
        "startup_ms": startup,
        "tile_cache": {"tiles": cache.tiles, "bytes": cache.bytes, "hits": cache.hits, "misses": cache.misses},
    }))
}
