//! `POST /api/areas`: a user's boundary file (GeoJSON, WGS84 or British National Grid) in, each
//! area's summaries out, as CSV (byte for byte `cnimap areas`) or JSON; and
//! `GET /api/shapes/lsoa21`, the LSOA shapes document the browser measures custom areas on.
//!
//! The server measures on the decoded shapes document ([`crate::custom_areas::ShapesDoc`]) with
//! the same code as the command line and the browser ([`cnimap_geometry::user_boundaries`],
//! [`cnimap_core::custom_area`]). Limits: [`MAX_BODY_BYTES`] (413 past it); a file that cannot
//! be used at all is a 400 naming the problem; features that cannot be used are listed (JSON:
//! `problems`; CSV: the `cnimap-areas-problems` header) and the others still work.

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use cnimap_core::custom_area::{self, CustomAreasResponse, DEFAULT_THRESHOLD};
use cnimap_core::table::query::AREAS_LEVEL;
use cnimap_core::table::TableQuery;
use cnimap_core::Level;
use cnimap_geometry::user_boundaries::{read_user_boundaries, UserFileError, MAX_BYTES};

use super::table::{query_pairs, set_once};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The largest boundary file accepted, in bytes (the boundary reader's own limit, 20 MiB).
pub const MAX_BODY_BYTES: usize = MAX_BYTES;

/// The response header (CSV answers) counting the features that could not be used.
pub const PROBLEMS_HEADER: &str = "cnimap-areas-problems";

/// Query string of `POST /api/areas`.
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreasParams {
    /// The property that names each area (default: `name`, or a property ending in `NM`).
    #[param(example = "LAD24NM")]
    name_property: Option<String>,
    /// The share of an LSOA's area, in percent, that must lie inside an area for it to count
    /// (default 50).
    #[param(minimum = 0, maximum = 100, example = 50)]
    threshold: Option<f64>,
    /// `csv` (the default: the summary, as `cnimap areas` writes it), `lsoas` (each area's LSOAs
    /// with their shares, as `cnimap areas --output lsoas`) or `json` (both, and the problems).
    #[param(pattern = "^(csv|lsoas|json)$", example = "csv")]
    format: Option<String>,
    /// The table of your areas (`level=areas` of `GET /api/table`): column ids after `code` and
    /// `name`, comma-separated, any LSOA 2021 indicator's `share_decile1` or `average_rank`; may
    /// repeat. With `columns`, `filter` or `sort` the answer is that table as CSV (codes `area1`,
    /// `area2`, ... in file order).
    #[param(required = false, style = Form, explode, example = json!(["imd2025.share_decile1,cni2023.average_rank"]))]
    columns: Vec<String>,
    /// A filter of the table of your areas (`imd2025.share_decile1>=0.2`); may repeat (AND).
    #[param(rename = "filter", required = false, style = Form, explode, example = json!(["imd2025.share_decile1>=0.2"]))]
    filters: Vec<String>,
    /// The sort of the table of your areas (`imd2025.average_rank`, `:asc` or `:desc` may follow).
    #[param(example = "imd2025.share_decile1:desc")]
    sort: Option<String>,
}

impl AreasParams {
    /// Reads a raw query string: `columns` and `filter` may repeat, the others may not, and an
    /// unknown key is refused by name.
    pub fn from_query(raw: &str) -> Result<AreasParams, String> {
        let mut p = AreasParams::default();
        for (k, v) in query_pairs(raw)? {
            match k.as_str() {
                "name_property" => set_once(&mut p.name_property, &k, v)?,
                "format" => set_once(&mut p.format, &k, v)?,
                "sort" => set_once(&mut p.sort, &k, v)?,
                "columns" => p.columns.push(v),
                "filter" => p.filters.push(v),
                "threshold" => {
                    if p.threshold.is_some() {
                        return Err("parameter \"threshold\" given twice".into());
                    }
                    let t = v.trim().parse::<f64>().ok().filter(|t| t.is_finite());
                    p.threshold = Some(t.ok_or_else(|| {
                        format!(
                            "threshold {:?}: expected a percentage from 0 to 100",
                            v.chars().take(40).collect::<String>()
                        )
                    })?);
                }
                _ => {
                    return Err(format!(
                        "unknown parameter {:?}: use name_property, threshold, format, columns, filter and sort",
                        k.chars().take(40).collect::<String>()
                    ))
                }
            }
        }
        Ok(p)
    }

    /// The table query of `columns`, `filter` and `sort` at level areas, when any is given.
    fn table_query(&self) -> Result<Option<TableQuery>, AppError> {
        if self.columns.is_empty() && self.filters.is_empty() && self.sort.is_none() {
            return Ok(None);
        }
        Ok(Some(TableQuery::parse(
            AREAS_LEVEL,
            &self.columns,
            &self.filters,
            self.sort.as_deref(),
        )?))
    }
}

/// `GET /api/shapes/lsoa21`: every LSOA 2021 outline, quantised to 10^-5 degrees and
/// delta-encoded ([`cnimap_geometry::shapes`]); the browser fetches it on first use of custom
/// areas. A static site has the same file (`api/shapes/lsoa21.json`).
#[utoipa::path(
    get,
    path = "/api/shapes/lsoa21",
    tag = "custom-areas",
    responses(
        (status = 200, description = "The shapes document (JSON: `format`, `layer`, `scale`, `shapes`, one array of integers per feature index; ETag, gzip when accepted)", body = Object),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "The data has no LSOA 2021 boundaries", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn shapes(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    state
        .documents
        .lsoa_shapes
        .as_ref()
        .map(|d| {
            d.encoded
                .respond(&headers, crate::http::JSON, crate::http::CACHE_DATA)
        })
        .ok_or_else(|| AppError::NotFound("the data has no LSOA 2021 boundaries".into()))
}

/// `POST /api/areas[?name_property=P][&threshold=50][&format=csv|lsoas|json]` with a GeoJSON
/// body; with `columns`, `filter` or `sort` (the words of `GET /api/table`), the table of your
/// areas as CSV.
#[utoipa::path(
    post,
    path = "/api/areas",
    tag = "custom-areas",
    params(AreasParams),
    request_body(content = String, content_type = "application/geo+json", description = "A GeoJSON FeatureCollection (or Feature) of Polygons or MultiPolygons in WGS84 or British National Grid, at most 20 MiB and 1,000,000 points"),
    responses(
        (status = 200, description = "The summary CSV (`format=csv`, the default, byte for byte `cnimap areas`), the LSOAs CSV (`format=lsoas`), JSON (`format=json`), or with `columns`, `filter` or `sort` the table of your areas as CSV (byte for byte `cnimap areas --columns ...`)", content(
            (String = "text/csv"),
            (CustomAreasResponse = "application/json"),
        ), headers(
            ("cnimap-areas-problems" = String, description = "How many features could not be used (CSV answers; `format=json` lists them)"),
        )),
        (status = 400, description = "Not GeoJSON, no usable polygon, coordinates in neither WGS84 nor British National Grid, no such name property, a bad threshold or format, an unknown or repeated parameter, a table word your areas do not have: the message names the feature or the part and the problem", body = cnimap_core::api::ErrorBody),
        (status = 404, description = "The data has no LSOA 2021 boundaries or indicators", body = cnimap_core::api::ErrorBody),
        (status = 413, description = "A body over 20 MiB or more than 1,000,000 points", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn areas(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let params =
        AreasParams::from_query(raw.as_deref().unwrap_or("")).map_err(AppError::BadRequest)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "the boundary file is larger than {} MiB: simplify the boundaries (for example with mapshaper -simplify 10%), or use the command line (`cnimap areas`)",
                MAX_BODY_BYTES / (1024 * 1024)
            ))
        } else {
            AppError::BadRequest(format!("reading the request body: {}", e.body_text()))
        }
    })?;
    let threshold = match params.threshold {
        None => DEFAULT_THRESHOLD,
        Some(t) if (0.0..=100.0).contains(&t) => t / 100.0,
        Some(t) => {
            return Err(AppError::BadRequest(format!(
                "threshold {t}: expected a percentage from 0 to 100"
            )))
        }
    };
    let format = match params.format.as_deref() {
        None | Some("") | Some("csv") => Format::Csv,
        Some("lsoas") => Format::Lsoas,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "format must be csv, lsoas or json, not {other:?}"
            )))
        }
    };
    let table = params.table_query()?;
    let format = match (format, &table) {
        (Format::Csv, Some(_)) => Format::Table,
        (f, None) => f,
        (_, Some(_)) => {
            return Err(AppError::BadRequest(
                "columns, filter and sort make the table of your areas, which is CSV: drop format (or use format=csv)".into(),
            ))
        }
    };
    if state.documents.lsoa_shapes.is_none() {
        return Err(AppError::NotFound(
            "the data has no LSOA 2021 boundaries".into(),
        ));
    }
    let name_property = params.name_property.filter(|p| !p.trim().is_empty());
    let answer = tokio::task::spawn_blocking(move || {
        let file = read_user_boundaries(&body, name_property.as_deref()).map_err(file_error)?;
        let Some(doc) = state.documents.lsoa_shapes.as_ref() else {
            return Err(AppError::Invariant(
                "the shapes document was there a moment ago",
            ));
        };
        let shapes = doc.shapes().map_err(|e| {
            tracing::error!(error = %e, "decoding the LSOA shapes document");
            AppError::Invariant("the LSOA shapes document cannot be decoded")
        })?;
        let frame = state.table_frame(Level::Lsoa21)?;
        let (areas, problems) = shapes.areas(&file);
        if areas.is_empty() {
            return Err(AppError::BadRequest(format!(
                "no area covers an LSOA in England: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        let values = custom_area::frame_values(&frame);
        Ok::<_, AppError>(match format {
            Format::Table => {
                let Some(q) = &table else {
                    return Err(AppError::Invariant("a table answer has a table query"));
                };
                (
                    custom_area::table_answer(&areas, threshold, &values, q)?.into_bytes(),
                    problems.len(),
                )
            }
            Format::Csv => (
                custom_area::to_csv(&areas, threshold, &values).into_bytes(),
                problems.len(),
            ),
            Format::Lsoas => (
                custom_area::covers_csv(&areas, threshold, &frame.codes).into_bytes(),
                problems.len(),
            ),
            Format::Json => {
                let response = CustomAreasResponse {
                    rule: custom_area::rule_words(threshold),
                    threshold: threshold * 100.0,
                    areas: custom_area::summaries(&areas, threshold, &values, &frame.codes),
                    problems: problems.iter().map(ToString::to_string).collect(),
                    repaired: file.repaired.iter().map(ToString::to_string).collect(),
                };
                let json = serde_json::to_vec(&response)
                    .map_err(|_| AppError::Invariant("a custom areas answer always serialises"))?;
                (json, problems.len())
            }
        })
    })
    .await??;
    let (bytes, problems) = answer;
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    let (content_type, filename) = match format {
        Format::Json => ("application/json", None),
        Format::Csv => ("text/csv; charset=utf-8", Some("areas.csv")),
        Format::Table => ("text/csv; charset=utf-8", Some("areas-table.csv")),
        Format::Lsoas => ("text/csv; charset=utf-8", Some("areas-lsoas.csv")),
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(name) = filename {
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    headers.insert(PROBLEMS_HEADER, HeaderValue::from(problems));
    Ok(response.into_response())
}

/// What to answer.
#[derive(Debug, Clone, Copy)]
enum Format {
    Csv,
    Table,
    Lsoas,
    Json,
}

/// A user's file problem as the client's error: 413 for size, 400 for the rest.
fn file_error(e: UserFileError) -> AppError {
    match e {
        UserFileError::TooLarge { .. } | UserFileError::TooManyPoints { .. } => {
            AppError::TooLarge(e.to_string())
        }
        _ => AppError::BadRequest(e.to_string()),
    }
}
