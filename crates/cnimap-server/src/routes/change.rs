//! Change over time ([`cnimap_core::change`]):
//! - `GET /api/change?from=imd2019&to=imd2025&format=csv|json`: every LSOA 2021 with its IMD 2025,
//!   the IMD 2019 carried onto it by the ONS change-code rule, the decile shift and the domain
//!   that drove it;
//! - `GET /api/change?from=cni2019&to=cni2023&format=csv|json`: the 225 left-behind wards of 2019
//!   and the left-behind neighbourhoods they hold in 2023;
//! - `GET /api/change/lsoa21/imd`: the change map's whole-layer document (arrays by feature index).
//!
//! [`Comparison`], [`compute`] and [`render`] are shared with `cnimap change`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use cnimap_core::change::{
    shift_words, ChangeResponse, ImdChangeArea, CHANGE_METHOD, RELATIVE_CAVEAT,
};
use cnimap_core::change_map::{wards_csv, ChangeDocument};
use cnimap_core::reweight::CompositeIndex;
use cnimap_data::domain_ranks::IndexInputs;
use cnimap_data::lineage::{self, ImdChange, WardList};

use crate::error::{AppError, AppResult};
use crate::routes::reweight::{csv_field, inputs, Format, CSV};
use crate::state::AppState;

/// The two comparisons cnimap makes, named by the editions they compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `from=imd2019&to=imd2025`: on LSOA 2021.
    Imd,
    /// `from=cni2019&to=cni2023`: the 225 left-behind wards of 2019 in 2023.
    LeftBehindWards,
}

impl Comparison {
    /// From the `from` and `to` editions, naming the pair otherwise.
    pub fn parse(from: &str, to: &str) -> Result<Comparison, String> {
        match (from, to) {
            ("imd2019", "imd2025") => Ok(Comparison::Imd),
            ("cni2019", "cni2023") => Ok(Comparison::LeftBehindWards),
            _ => Err(format!(
                "from={:?} to={:?}: cnimap compares from=imd2019&to=imd2025 (LSOA 2021) or from=cni2019&to=cni2023 (the 225 left-behind wards)",
                from.chars().take(40).collect::<String>(),
                to.chars().take(40).collect::<String>()
            )),
        }
    }
}

/// The IMD change as the API sends it, areas in code order.
pub fn imd_response(
    imd19: &IndexInputs,
    imd25: &IndexInputs,
    change: &ImdChange,
) -> ChangeResponse {
    let domains = CompositeIndex::Imd2025.domains();
    let mut areas: Vec<ImdChangeArea> = change
        .rows
        .iter()
        .map(|r| ImdChangeArea {
            code: imd25.codes[r.at].clone(),
            name: imd25.names[r.at].clone().unwrap_or_default(),
            change: r.change,
            lsoa11: r.parents.iter().map(|&p| imd19.codes[p].clone()).collect(),
            basis: r.carried.basis().to_string(),
            rank_2019: r.carried.rank(),
            decile_2019: r.carried.decile(),
            rank_2025: r.rank_2025,
            decile_2025: r.decile_2025,
            shift: r.shift,
            driver: r
                .driver
                .and_then(|d| domains.get(d))
                .map(|d| d.key.to_string()),
            domain_shifts: domains
                .iter()
                .zip(&r.domain_shifts)
                .map(|(d, s)| (d.key.to_string(), *s))
                .collect(),
        })
        .collect();
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    ChangeResponse::Imd {
        method: CHANGE_METHOD.to_string(),
        caveat: RELATIVE_CAVEAT.to_string(),
        by_code: change
            .by_code
            .iter()
            .map(|(c, n)| (c.letter().to_string(), *n))
            .collect::<BTreeMap<_, _>>(),
        shifts: change.shifts.clone(),
        areas,
    }
}

pub use crate::prepare::change_docs::{change_layer, wards_response};

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Encodes a change response: `(content type, body)`.
pub fn render(resp: &ChangeResponse, format: Format) -> (&'static str, Vec<u8>) {
    if format == Format::Json {
        return (
            crate::http::JSON,
            serde_json::to_vec(resp).unwrap_or_default(),
        );
    }
    let mut out = String::new();
    match resp {
        ChangeResponse::Imd { method, areas, .. } => {
            out.push_str(&format!("# {method}\n"));
            out.push_str("code,name,change_code,lsoa11,basis,imd2019_rank,imd2019_decile,imd2025_rank,imd2025_decile,decile_shift,shift_words,driving_domain");
            for d in CompositeIndex::Imd2025.domains() {
                out.push_str(&format!(",{}_shift", d.key));
            }
            out.push('\n');
            for a in areas {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&a.code),
                    csv_field(&a.name),
                    a.change.letter(),
                    a.lsoa11.join(";"),
                    a.basis,
                    opt(a.rank_2019),
                    opt(a.decile_2019),
                    a.rank_2025,
                    a.decile_2025,
                    opt(a.shift),
                    a.shift
                        .map(shift_words)
                        .unwrap_or_else(|| "not comparable".into()),
                    a.driver.clone().unwrap_or_default(),
                ));
                for (_, s) in &a.domain_shifts {
                    out.push(',');
                    out.push_str(&opt(*s));
                }
                out.push('\n');
            }
        }
        ChangeResponse::LeftBehindWards { method, wards, .. } => {
            out.push_str(&wards_csv(method, wards));
        }
    }
    (CSV, out.into_bytes())
}

/// The query string of `/api/change`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// The earlier edition: `imd2019` or `cni2019`.
    #[param(required = true, value_type = String, pattern = "^(imd2019|cni2019)$", example = "imd2019")]
    pub from: Option<String>,
    /// The later edition: `imd2025` or `cni2023`.
    #[param(required = true, value_type = String, pattern = "^(imd2025|cni2023)$", example = "imd2025")]
    pub to: Option<String>,
    /// `json` (default) or `csv`.
    #[param(inline, value_type = Option<Format>)]
    pub format: Option<String>,
}

/// A comparison from the loaded atlas, made once per server and kept.
pub fn compute(state: &AppState, comparison: Comparison) -> AppResult<Arc<ChangeResponse>> {
    let slot = match comparison {
        Comparison::Imd => 0,
        Comparison::LeftBehindWards => 1,
    };
    state.derived.change(slot, || make(state, comparison))
}

fn make(state: &AppState, comparison: Comparison) -> AppResult<ChangeResponse> {
    if state.build.is_some() && comparison == Comparison::LeftBehindWards {
        // From a build: the left-behind wards' document is the comparison itself.
        return crate::build::answers::left_behind_wards(&state.documents).map_err(|e| {
            tracing::info!(error = %e, "no left-behind wards in the build");
            AppError::NotFound("the 2019 wards are not in this server's build".into())
        });
    }
    let imd25 = inputs(state, CompositeIndex::Imd2025)?;
    Ok(match comparison {
        Comparison::Imd => {
            let imd19 = inputs(state, CompositeIndex::Imd2019)?;
            let change = match state.build {
                // From a build: the lookup rows from api/lineage/lsoa11.
                Some(_) => {
                    let lookup =
                        crate::build::answers::lsoa11_21(&state.documents).map_err(|e| {
                            tracing::info!(error = %e, "no LSOA 2011 lineage in the build");
                            AppError::NotFound(
                                "the LSOA 2011 -> 2021 lookup is not in this server's build".into(),
                            )
                        })?;
                    lineage::imd_change(&imd19, &imd25, &lookup)
                }
                None => lineage::imd_change(&imd19, &imd25, &state.atlas.lookups.lsoa11_21),
            };
            imd_response(&imd19, &imd25, &change)
        }
        Comparison::LeftBehindWards => {
            let cni23 = inputs(state, CompositeIndex::Cni2023)?;
            let wards = WardList::from_atlas(&state.atlas).ok_or_else(|| {
                AppError::NotFound("the 2019 wards are not loaded in this server".into())
            })?;
            wards_response(&wards, &state.atlas.lookups, &cni23, &imd25)
        }
    })
}

fn respond(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// `GET /api/change`.
#[utoipa::path(
    get,
    path = "/api/change",
    tag = "what-if",
    params(Params),
    responses(
        (status = 200, description = "`from=imd2019&to=imd2025`: every LSOA 2021 with its 2019 and 2025 deciles and the shift (`kind: imd`); `from=cni2019&to=cni2023`: the 225 left-behind wards of 2019 in 2023 (`kind: left_behind_wards`). JSON (default) or CSV (a `# method` line, a header row, the rows)", content(
            (ChangeResponse = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A missing or unknown pair of editions, or a bad format", body = cnimap_core::api::ErrorBody),
        (status = 404, description = "The inputs are not loaded", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn change(State(state): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let (Some(from), Some(to)) = (p.from.as_deref(), p.to.as_deref()) else {
        return Err(AppError::BadRequest(
            "from and to are required: from=imd2019&to=imd2025 or from=cni2019&to=cni2023".into(),
        ));
    };
    let comparison = Comparison::parse(from, to).map_err(AppError::BadRequest)?;
    let format = match p.format.as_deref() {
        None => Format::Json,
        Some(f) => Format::parse(f).map_err(AppError::BadRequest)?,
    };
    let (content_type, body) = tokio::task::spawn_blocking(move || {
        compute(&state, comparison).map(|r| render(&r, format))
    })
    .await??;
    Ok(respond(content_type, body))
}

/// `GET /api/change/{layer}/{which}`: the change view's whole documents
/// ([`ChangeDocument`]), made once at start-up (or read from the build) and sent as they are.
#[utoipa::path(
    get,
    path = "/api/change/{layer}/{which}",
    tag = "what-if",
    params(
        ("layer" = String, Path, description = "`lsoa21` (with `which` = `imd`) or `ward17` (with `left-behind` or `outlines`)", example = "lsoa21"),
        ("which" = String, Path, description = "`imd`: the change map by LSOA 2021 feature index; `left-behind`: the 225 left-behind wards of 2019 in 2023; `outlines`: their outlines (GeoJSON)", example = "imd"),
    ),
    responses(
        (status = 200, description = "A whole document of the change view (ETag, gzip when accepted)", content(
            (crate::openapi::ChangeDocumentBody = "application/json"),
            (crate::openapi::GeoJson = "application/geo+json"),
        )),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "No such change document, or its inputs are not loaded", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn layer(
    State(state): State<AppState>,
    Path((layer, which)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let known = || {
        ChangeDocument::ALL
            .iter()
            .map(|d| format!("/api/{}", d.path()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let doc = ChangeDocument::from_parts(&layer, &which).ok_or_else(|| {
        AppError::NotFound(format!(
            "no change document {layer}/{which}: the change documents are {}",
            known()
        ))
    })?;
    let content_type = if doc.is_geojson() {
        crate::http::GEOJSON
    } else {
        crate::http::JSON
    };
    state
        .documents
        .change
        .get(&doc)
        .map(|d| d.respond(&headers, content_type, crate::http::CACHE_DATA))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "{}: its inputs are not loaded in this server",
                doc.path()
            ))
        })
}
