//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the whole API ([`crate::openapi`]),
//! generated and encoded once per process, sent with an ETag and gzip like the other documents.

use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::{AppError, AppResult};
use crate::http::{Encoded, CACHE_DATA, JSON};

static DOCUMENT: OnceLock<Option<Encoded>> = OnceLock::new();

/// The document, encoded on first use.
fn encoded() -> Option<&'static Encoded> {
    DOCUMENT
        .get_or_init(|| {
            let json = crate::openapi::to_json()
                .map_err(|e| tracing::error!(error = %e, "encoding the OpenAPI document"))
                .ok()?;
            Encoded::from_bytes(json.into_bytes())
                .map_err(|e| tracing::error!(error = %e, "compressing the OpenAPI document"))
                .ok()
        })
        .as_ref()
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "server",
    responses(
        (status = 200, description = "This document: OpenAPI 3.1, generated from the server's types and handlers (ETag, gzip when accepted)", content_type = "application/json", body = Object),
        (status = 304, description = "`If-None-Match` named the current ETag"),
    )
)]
pub async fn openapi(headers: HeaderMap) -> AppResult<Response> {
    encoded()
        .map(|d| d.respond(&headers, JSON, CACHE_DATA))
        .ok_or(AppError::Invariant(
            "the OpenAPI document could not be encoded",
        ))
}
