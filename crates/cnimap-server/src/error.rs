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

/// `axum::extract::Path` whose rejection (for example a percent-escape that is not UTF-8) is our
/// JSON 400 rather than axum's plain-text reply.
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(AppError::BadRequest(format!(
                "malformed path: {}",
                e.body_text()
            ))),
        }
    }
}
