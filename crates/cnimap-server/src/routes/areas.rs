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
#[derive(Debug, Deserialize)]
pub struct AreaParams {
    /// The layer the user is looking at (`lsoa11` shows an LSOA 2011 with its IoD2019 values even
    /// when the code is shared with an unchanged LSOA 2021).
    layer: Option<String>,
}

fn is_code(s: &str) -> bool {
    s.len() == 9
        && s.is_char_boundary(1)
        && s[..1].chars().all(|c| c.is_ascii_uppercase())
        && s[1..].chars().all(|c| c.is_ascii_digit())
}

/// `GET /api/areas/{code}`.
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
