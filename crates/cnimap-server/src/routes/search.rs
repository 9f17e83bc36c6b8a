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
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A postcode, place, ward, council or neighbourhood name or an area code, 1 to 100
    /// characters.
    #[param(required = true, value_type = String, min_length = 1, max_length = 100, example = "CO15 2EQ")]
    q: Option<String>,
    /// How many hits, 1 to 50 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50, example = 5)]
    limit: Option<String>,
}

/// `GET /api/search?q=...&limit=...`.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Hits, best first, and a message when something needs saying", body = SearchResponse),
        (status = 400, description = "No `q`, an empty or too long query, or a limit out of range", body = cnimap_core::api::ErrorBody),
    )
)]
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
