//! The whole-layer documents encoded at start-up: `/api/indicators`, `/api/values/{layer}/{indicator}`,
//! `/api/layers/{layer}`, `/api/labels/{layer}`. Per request only a lookup in a typed map.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use cnimap_core::catalogue::IndicatorId;

use crate::error::{ApiPath, AppError, AppResult};
use crate::http::{Encoded, CACHE_DATA, GEOJSON, JSON};
use crate::state::AppState;

/// `GET /api/indicators`.
#[utoipa::path(
    get,
    path = "/api/indicators",
    tag = "documents",
    responses(
        (status = 200, description = "The catalogue: every indicator, the layers and attribution (ETag, gzip when accepted)", body = cnimap_core::api::IndicatorsResponse),
        (status = 304, description = "`If-None-Match` named the current ETag"),
    )
)]
pub async fn indicators(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state
        .documents
        .catalogue
        .respond(&headers, JSON, CACHE_DATA)
}

/// `GET /api/values/{layer}/{indicator}`.
#[utoipa::path(
    get,
    path = "/api/values/{layer}/{indicator}",
    tag = "documents",
    params(
        ("layer" = String, Path, description = "A served layer: `lsoa21`, `lsoa11`, `ward17`, `lad24`, `region`", example = "lsoa21"),
        ("indicator" = String, Path, description = "An indicator id from `/api/indicators`, published on that layer", example = "imd2025"),
    ),
    responses(
        (status = 200, description = "One indicator for every area of the layer, arrays by feature index (ETag, gzip when accepted)", body = cnimap_core::api::ValuesResponse),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "Unknown layer or indicator, or an indicator not published on that layer", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn values(
    State(state): State<AppState>,
    ApiPath((layer, indicator)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let level = state.served_layer(&layer)?;
    let id = IndicatorId::parse(&indicator)?;
    let published = id.def().level();
    if published != level {
        return Err(AppError::WrongLayer {
            indicator: id.as_str(),
            published,
            asked: level,
        });
    }
    state
        .documents
        .values
        .get(&id)
        .map(|d| d.respond(&headers, JSON, CACHE_DATA))
        .ok_or_else(|| AppError::NotFound(format!("no values loaded for {id}")))
}

/// `GET /api/layers/{layer}`: codes and names by feature index.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}",
    tag = "documents",
    params(
        ("layer" = String, Path, description = "A served layer: `lsoa21`, `lsoa11`, `ward17`, `lad24`, `region`", example = "lad24"),
    ),
    responses(
        (status = 200, description = "Codes and names by feature index (ETag, gzip when accepted)", body = cnimap_core::api::LayerAreasResponse),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "Unknown layer", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn layer_areas(
    State(state): State<AppState>,
    ApiPath(layer): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let level = state.served_layer(&layer)?;
    respond(
        state.documents.layers.get(&level),
        &headers,
        JSON,
        &layer,
        "areas",
    )
}

/// `GET /api/labels/{layer}`: label points as GeoJSON.
#[utoipa::path(
    get,
    path = "/api/labels/{layer}",
    tag = "documents",
    params(
        ("layer" = String, Path, description = "`region`, `lad24` or `ward17` (other layers have no labels)", example = "region"),
    ),
    responses(
        (status = 200, description = "An interior point of each area with its code and name (ETag, gzip when accepted)", body = crate::openapi::LabelCollection, content_type = "application/geo+json"),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "Unknown layer, or a layer without labels", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn labels(
    State(state): State<AppState>,
    ApiPath(layer): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let level = state.served_layer(&layer)?;
    respond(
        state.documents.labels.get(&level),
        &headers,
        GEOJSON,
        &layer,
        "labels",
    )
}

/// A whole-layer document, or the 404 saying the layer has none of `what`.
fn respond(
    doc: Option<&Encoded>,
    headers: &HeaderMap,
    content_type: &'static str,
    layer: &str,
    what: &str,
) -> AppResult<Response> {
    doc.map(|d| d.respond(headers, content_type, CACHE_DATA))
        .ok_or_else(|| AppError::NotFound(format!("layer {layer} has no {what}")))
}
