//! One HTTP error type: a clear JSON body for the client's mistakes, a generic one for ours.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::api::ErrorBody;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (unknown layer, indicator, code, route).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (bad tile coordinates, empty or overlong query).
    #[error("{0}")]
    BadRequest(String),
    /// Our fault. The cause is logged, the client sees a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn status_and_kind(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, kind) = self.status_and_kind();
        let message = match &self {
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "Something went wrong on our side; it has been logged.".to_string()
            }
            AppError::NotFound(m) | AppError::BadRequest(m) => m.clone(),
        };
        (
            status,
            Json(ErrorBody {
                error: kind.to_string(),
                message,
            }),
        )
            .into_response()
    }
}

/// Handlers' result type.
pub type AppResult<T> = Result<T, AppError>;
