//! One HTTP error type: a clear JSON body for the client's mistakes, a generic one for ours with
//! the cause (and its chain of sources) logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::api::ErrorBody;
use cnimap_core::catalogue::UnknownIndicator;
use cnimap_core::tile::TileCoord;
use cnimap_core::Level;
use cnimap_search::QueryError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A layer id that is not one of the served layers.
    #[error("unknown layer {given:?}: use one of {known}")]
    UnknownLayer {
        /// What the client sent.
        given: String,
        /// The served layers, comma-separated.
        known: String,
    },
    /// An indicator id the catalogue does not know.
    #[error(transparent)]
    UnknownIndicator(#[from] UnknownIndicator),
    /// An indicator asked for on a layer it is not published on.
    #[error("indicator {indicator} is published for layer {published}, not {asked}")]
    WrongLayer {
        /// The indicator.
        indicator: &'static str,
        /// Where it is published.
        published: Level,
        /// Where it was asked for.
        asked: Level,
    },
    /// A search query the index refuses (empty, too long, limit out of range).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A table query that does not parse, naming the part that is wrong.
    #[error(transparent)]
    Table(#[from] cnimap_core::table::TableError),
    /// A bulk lookup the CSV does not allow (unreadable, no postcode column: 400; too many rows:
    /// 413), or that failed on our side.
    #[error(transparent)]
    Lookup(#[from] cnimap_core::bulk::LookupError),
    /// A request body over its route's limit.
    #[error("{0}")]
    TooLarge(String),
    /// Something else that does not exist (an area code, a route, a document).
    #[error("{0}")]
    NotFound(String),
    /// Another malformed request (bad tile coordinates, a malformed path or query string).
    #[error("{0}")]
    BadRequest(String),
    /// Cutting a tile failed: our fault.
    #[error("cutting tile {layer} {coord:?}")]
    Tile {
        /// The layer.
        layer: Level,
        /// The tile.
        coord: TileCoord,
        /// The tiler's reason.
        #[source]
        source: cnimap_tiles::TileError,
    },
    /// Compressing a response failed: our fault.
    #[error("compressing a response")]
    Compress(#[source] std::io::Error),
    /// A blocking task stopped before it answered: our fault.
    #[error("a background task stopped")]
    Task(#[from] tokio::task::JoinError),
    /// A middleware layer failed in a way it does not name: our fault.
    #[error("a middleware layer failed")]
    Middleware(#[source] axum::BoxError),
    /// A state the server should never reach (a document missing that start-up encodes).
    #[error("{0}")]
    Invariant(&'static str),
}

impl AppError {
    /// The HTTP status and the machine-readable kind.
    pub fn status_and_kind(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::UnknownLayer { .. }
            | AppError::UnknownIndicator(_)
            | AppError::WrongLayer { .. }
            | AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Query(_) | AppError::Table(_) | AppError::BadRequest(_) => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            AppError::TooLarge(_)
            | AppError::Lookup(cnimap_core::bulk::LookupError::TooManyRows { .. }) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            AppError::Lookup(e) if e.is_input_error() => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Lookup(_)
            | AppError::Tile { .. }
            | AppError::Compress(_)
            | AppError::Task(_)
            | AppError::Middleware(_)
            | AppError::Invariant(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The error and its chain of causes, for the log.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, kind) = self.status_and_kind();
        let message = if status.is_server_error() {
            tracing::error!(cause = %self.chain(), "internal error");
            "Something went wrong on our side; it has been logged.".to_string()
        } else {
            self.to_string()
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

/// `axum::extract::Query` whose rejection (a repeated key, a malformed escape) is our JSON 400.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::BadRequest(format!(
                "malformed query string: {}",
                e.body_text()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_are_4xx_and_ours_are_500_with_the_cause_kept_for_the_log() {
        let unknown = AppError::from(UnknownIndicator("imd2026".into()));
        assert_eq!(unknown.status_and_kind().0, StatusCode::NOT_FOUND);
        assert!(unknown.to_string().contains("imd2026"));
        let query = AppError::from(QueryError::Empty);
        assert_eq!(query.status_and_kind().0, StatusCode::BAD_REQUEST);
        let io = std::io::Error::other("disk on fire");
        let ours = AppError::Compress(io);
        assert_eq!(ours.status_and_kind().0, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(ours.chain(), "compressing a response: disk on fire");
    }
}
