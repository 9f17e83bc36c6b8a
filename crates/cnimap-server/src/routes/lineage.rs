//! `GET /api/lineage/lsoa11`: each LSOA 2011's mid-2015 population and the ONS LSOA 2011 -> 2021
//! lookup, by feature index ([`cnimap_core::lineage::LineageDocument`]), encoded at start-up. The
//! browser weights the IoD 2019 average ranks of councils and regions with it, as `/api/table`
//! does; a static site has the same document as a file.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::{AppError, AppResult};
use crate::http::{CACHE_DATA, JSON};
use crate::state::AppState;

/// `GET /api/lineage/lsoa11`; 404 when the data has no LSOA 2011 or LSOA 2021 layer.
#[utoipa::path(
    get,
    path = "/api/lineage/lsoa11",
    tag = "table",
    responses(
        (status = 200, description = "Each LSOA 2011's population (IoD 2019 File 6) and the LSOA 2011 -> 2021 lookup rows with their change codes, by feature index (ETag, gzip when accepted)", body = cnimap_core::lineage::LineageDocument),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "The data has no LSOA 2011 or LSOA 2021 layer", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn lsoa11(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    state
        .documents
        .lineage
        .as_ref()
        .map(|d| d.respond(&headers, JSON, CACHE_DATA))
        .ok_or_else(|| {
            AppError::NotFound(
                "no LSOA 2011 lineage: the data has no LSOA 2011 or LSOA 2021 layer".into(),
            )
        })
}
