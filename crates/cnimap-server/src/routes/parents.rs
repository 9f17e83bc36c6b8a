//! `GET /api/parents/{layer}`: the larger areas (ward, local authority, region) every area of a
//! table level lies in, by feature index ([`cnimap_core::table::TableParents`]), encoded at
//! start-up. With `/api/layers/{layer}` and `/api/values/...` the browser builds the same table
//! frame as `/api/table` and runs the same queries without a server (a static site has the same
//! document as a file).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use cnimap_core::Level;

use crate::error::{ApiPath, AppError, AppResult};
use crate::http::{CACHE_DATA, JSON};
use crate::state::AppState;

/// `GET /api/parents/{layer}`; 404 naming the table levels for a level without a table.
#[utoipa::path(
    get,
    path = "/api/parents/{layer}",
    tag = "table",
    params(
        ("layer" = String, Path, description = "A table level: `lsoa21`, `lsoa11`, `ward17`, ... (the 404 names those this server has)", example = "lsoa21"),
    ),
    responses(
        (status = 200, description = "The ward, local authority and region each area of the level lies in, by feature index (ETag, gzip when accepted)", body = cnimap_core::table::TableParents),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "A level without a table", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn parents(
    State(state): State<AppState>,
    ApiPath(layer): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Level::from_id(&layer)
        .and_then(|level| state.documents.parents.get(&level))
        .map(|d| d.respond(&headers, JSON, CACHE_DATA))
        .ok_or_else(|| {
            let mut known: Vec<&str> = state.documents.parents.keys().map(|l| l.id()).collect();
            known.sort_unstable();
            AppError::NotFound(format!(
                "no table parents for layer {:?}; layers with a table: {}",
                layer.chars().take(40).collect::<String>(),
                known.join(", ")
            ))
        })
}
