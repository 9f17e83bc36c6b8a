//! `POST /api/lookup`: bulk postcode lookup over HTTP. A CSV body in (any of `,` `;` tab `|`,
//! the postcode column found by name or named by `?column=`), the same CSV out with the
//! neighbourhood columns appended ([`cnimap_core::bulk`]), and the batch summary as compact JSON in
//! the [`SUMMARY_HEADER`] response header; `?format=summary` answers the summary alone as JSON.
//!
//! Limits: [`MAX_BODY_BYTES`] of body and [`MAX_ROWS`] data rows, past either a 413 that says so;
//! an unreadable CSV or a missing postcode column is a 400 naming the line and the problem. The
//! work runs on the blocking pool (100,000 rows take a fraction of a second).

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use cnimap_core::bulk::{augment, BatchSummary, LookupRequest};

use crate::error::{ApiQuery, AppError, AppResult};
use crate::state::AppState;

/// The largest CSV body accepted, in bytes (10 MiB).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The most data rows accepted in one request.
pub const MAX_ROWS: u64 = 100_000;

/// The response header carrying the batch summary as compact JSON (non-ASCII escaped as `\uXXXX`).
pub const SUMMARY_HEADER: &str = "cnimap-lookup-summary";

/// Query string of `POST /api/lookup`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The postcode column's name; found by name when absent.
    #[param(example = "Post Code")]
    column: Option<String>,
    /// `csv` (the default) or `summary`.
    #[param(pattern = "^(csv|summary)$", example = "summary")]
    format: Option<String>,
}

/// `GET /api/lookup/areas`: what a browser needs to look postcodes up itself (with the search
/// index's postcode shards): every LSOA 2021's names, parents, IMD 2025 and CNI 2023 ranks and
/// deciles, and the LSOA 2011 -> 2021 successors. A static site has the same file.
#[utoipa::path(
    get,
    path = "/api/lookup/areas",
    tag = "lookup",
    responses(
        (status = 200, description = "The areas document (ETag, gzip when accepted)", body = cnimap_core::bulk::LookupAreasDocument),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "The data has no LSOA 2021 layer, IMD 2025 or CNI 2023", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn areas(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    state
        .documents
        .lookup_areas
        .as_ref()
        .map(|d| d.respond(&headers, crate::http::JSON, crate::http::CACHE_DATA))
        .ok_or_else(|| {
            AppError::NotFound(
                "no lookup areas: the data has no LSOA 2021 layer, IMD 2025 or CNI 2023".into(),
            )
        })
}

/// `POST /api/lookup[?column=NAME][&format=csv|summary]` with a CSV body.
#[utoipa::path(
    post,
    path = "/api/lookup",
    tag = "lookup",
    params(LookupParams),
    request_body(content = String, content_type = "text/csv", description = "A CSV with a postcode column (delimiter `,` `;` tab or `|`, UTF-8; `Content-Type` is not checked), at most 10 MiB and 100,000 data rows"),
    responses(
        (status = 200, description = "Every input row in order with 13 columns appended (CSV, `format=csv`, the default), or the batch summary alone (JSON, `format=summary`)", content(
            (String = "text/csv"),
            (BatchSummary = "application/json"),
        ), headers(
            ("cnimap-lookup-summary" = String, description = "The batch summary as compact JSON, non-ASCII as `\\uXXXX` (CSV answers only)"),
            ("content-disposition" = String, description = "`attachment; filename=\"lookup.csv\"` (CSV answers only)"),
        )),
        (status = 400, description = "A CSV that cannot be read, or no postcode column, naming the line and the problem", body = cnimap_core::api::ErrorBody),
        (status = 404, description = "The data has no LSOA 2021 layer, IMD 2025 or CNI 2023", body = cnimap_core::api::ErrorBody),
        (status = 413, description = "A body over 10 MiB or more than 100,000 data rows", body = cnimap_core::api::ErrorBody),
        (status = 501, description = "A server opened from a prepared build whose build has no `api/lookup/areas.json` (`error`: `not_in_build`, naming what to use instead)", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn lookup(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<LookupParams>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "the CSV is larger than {} MiB: split it, or use the command line (`cnimap lookup`), which has no limit",
                MAX_BODY_BYTES / (1024 * 1024)
            ))
        } else {
            AppError::BadRequest(format!("reading the request body: {}", e.body_text()))
        }
    })?;
    // From a build, decoded from `api/lookup/areas` on first use.
    let table = state.lookup_table()?;
    if table.is_empty() {
        return Err(AppError::NotFound(
            "the bulk lookup needs every LSOA 2021's IMD 2025 and CNI 2023 ranks, which this \
             server's data does not hold"
                .into(),
        ));
    }
    let summary_only = match params.format.as_deref() {
        None | Some("") | Some("csv") => false,
        Some("summary") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "format must be csv or summary, not {other:?}"
            )))
        }
    };
    let request = LookupRequest {
        column: params.column.filter(|c| !c.trim().is_empty()),
        max_rows: Some(MAX_ROWS),
    };
    let (csv, summary) = tokio::task::spawn_blocking(move || {
        let mut out = Vec::with_capacity(body.len().saturating_mul(2));
        let search: &cnimap_search::SearchIndex = &state.search;
        let summary = augment(&body[..], &mut out, search, &table, &request)?;
        Ok::<_, AppError>((out, summary))
    })
    .await??;
    if summary_only {
        return Ok(Json(summary).into_response());
    }
    let mut response = Response::new(Body::from(csv));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"lookup.csv\""),
    );
    headers.insert(SUMMARY_HEADER, summary_header(&summary)?);
    Ok(response)
}

/// The summary as compact JSON in visible ASCII, as a header value must be.
fn summary_header(summary: &BatchSummary) -> AppResult<HeaderValue> {
    let json = serde_json::to_string(summary)
        .map_err(|_| AppError::Invariant("a batch summary always serialises"))?;
    let mut ascii = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    HeaderValue::from_str(&ascii).map_err(|_| AppError::Invariant("escaped JSON is visible ASCII"))
}
