//! `GET /api/search?q=...&limit=...`: postcodes, places and area names.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use cnimap_core::api::SearchResponse;

use crate::error::{ApiQuery, AppError, AppResult};
use crate::state::AppState;

/// Hits returned when the query does not say how many.
pub const DEFAULT_LIMIT: usize = 10;

/// Query string of `/api/search`.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
}

/// `GET /api/search?q=...&limit=...`.
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> AppResult<Json<SearchResponse>> {
    let q = params.q.ok_or_else(|| {
        AppError::BadRequest("missing query: use /api/search?q=CO15%202EQ".into())
    })?;
    let limit = match params.limit.as_deref() {
        None | Some("") => DEFAULT_LIMIT,
        Some(s) => s.parse::<usize>().map_err(|_| {
            AppError::BadRequest(format!(
                "limit must be a whole number from 1 to {}, not {s:?}",
                cnimap_search::MAX_LIMIT
            ))
        })?,
    };
    Ok(Json(state.search.search(&q, limit)?))
}
