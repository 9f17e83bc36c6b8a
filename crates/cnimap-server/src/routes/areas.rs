//! `GET /api/areas/{code}[?layer=lsoa11]`: everything about one area.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use cnimap_core::Level;

use crate::detail::area_detail;
use crate::error::{ApiPath, ApiQuery, AppError, AppResult};
use crate::state::AppState;

/// Query string of `/api/areas/{code}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaParams {
    /// The layer the user is looking at (`lsoa11` shows an LSOA 2011 with its IoD2019 values even
    /// when the code is shared with an unchanged LSOA 2021).
    #[param(example = "lsoa11")]
    layer: Option<String>,
}

fn is_code(s: &str) -> bool {
    s.len() == 9
        && s.is_char_boundary(1)
        && s[..1].chars().all(|c| c.is_ascii_uppercase())
        && s[1..].chars().all(|c| c.is_ascii_digit())
}

/// `GET /api/areas/{code}`.
#[utoipa::path(
    get,
    path = "/api/areas/{code}",
    tag = "areas",
    params(
        ("code" = String, Path, description = "An ONS area code: a letter and 8 digits (case and surrounding spaces ignored). Without `layer` it is looked up in lsoa21, lsoa11, ward17, lad24, region in that order", example = "E01021988"),
        AreaParams,
    ),
    responses(
        (status = 200, description = "Everything about the area", body = cnimap_core::api::AreaDetail),
        (status = 400, description = "Not an ONS area code", body = cnimap_core::api::ErrorBody),
        (status = 404, description = "No area with that code, or an unknown layer", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn area(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(params): ApiQuery<AreaParams>,
) -> AppResult<Response> {
    let code = code.trim().to_ascii_uppercase();
    if !is_code(&code) {
        return Err(AppError::BadRequest(format!(
            "{code:?} is not an ONS area code: expected a letter and 8 digits, like E01021988"
        )));
    }
    let layer = match params.layer.as_deref() {
        None | Some("") => None,
        Some(id) => Some(
            Level::from_id(id)
                .filter(|l| state.atlas.layer(*l).is_some())
                .ok_or_else(|| AppError::UnknownLayer {
                    given: id.to_string(),
                    known: state
                        .atlas
                        .layers
                        .keys()
                        .map(|l| l.id())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?,
        ),
    };
    if let Some(dir) = &state.build {
        return crate::build::open::area_response(dir, &code, layer).await;
    }
    area_detail(&state, &code, layer).map(|d| Json(d).into_response())
}
