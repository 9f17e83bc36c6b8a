//! `GET /api/health`: liveness, the areas per layer, start-up timings and the tile cache.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

/// `GET /api/health`'s body.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HealthResponse {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Areas per served layer id (`lsoa21`: 33755, ...).
    pub areas: BTreeMap<String, u64>,
    /// Milliseconds per start-up step (`load data`, ..., `total`).
    pub startup_ms: BTreeMap<String, u64>,
    /// The tile cache since start-up.
    pub tile_cache: TileCacheStats,
}

/// What the tile cache holds and how often it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TileCacheStats {
    /// Tiles held.
    pub tiles: u64,
    /// Bytes held (plain and gzip).
    pub bytes: u64,
    /// Requests answered from the cache.
    pub hits: u64,
    /// Tiles cut because the cache did not hold them.
    pub misses: u64,
}

/// `GET /api/health`.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "server",
    responses(
        (status = 200, description = "The server is up", body = HealthResponse),
    )
)]
pub async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    let areas = state
        .atlas
        .layers
        .values()
        .map(|l| (l.level.id().to_string(), l.len() as u64))
        .collect();
    let startup_ms = state
        .startup
        .iter()
        .map(|(k, v)| ((*k).to_string(), u64::try_from(*v).unwrap_or(u64::MAX)))
        .collect();
    let cache = state.tile_cache.stats();
    Json(HealthResponse {
        status: "ok".into(),
        areas,
        startup_ms,
        tile_cache: TileCacheStats {
            tiles: cache.tiles as u64,
            bytes: cache.bytes as u64,
            hits: cache.hits,
            misses: cache.misses,
        },
    })
}
