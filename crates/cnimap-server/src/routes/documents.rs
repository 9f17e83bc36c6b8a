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
pub async fn indicators(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state
        .documents
        .catalogue
        .respond(&headers, JSON, CACHE_DATA)
}

/// `GET /api/values/{layer}/{indicator}`.
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
