//! What a server opened from a prepared build cannot answer, said plainly: a build holds the
//! tiles, every document, the area details and the search index, but not the indicator values
//! behind the table, the bulk lookup, re-weighting and change comparisons. Those routes answer
//! `501 Not Implemented` naming what the build lacks and what to do instead, where they would
//! otherwise answer as though the thing asked for did not exist.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::api::ErrorBody;

use crate::state::AppState;

/// The `error` kind of the answer.
pub const KIND: &str = "not_in_build";

/// What the request at `method` `path` needs that this state lacks, as a sentence, or `None`
/// when the state can answer it. Only a state opened from a build lacks anything.
pub fn lacking(state: &AppState, method: &Method, path: &str) -> Option<String> {
    state.build.as_ref()?;
    let values = state.atlas.indicators.is_empty();
    let (what, lacks, instead) = match (method, path) {
        (&Method::GET | &Method::HEAD, "/api/table") if state.tables.is_empty() => (
            "The table of areas",
            "the indicator values",
            "serve with --data DIR (without --cache), or use `cnimap table`",
        ),
        (&Method::POST, "/api/lookup") if state.lookup.is_empty() => (
            "The bulk postcode lookup",
            "every neighbourhood's ranks and deciles",
            "serve with --data DIR, or use `cnimap lookup`",
        ),
        (&Method::GET | &Method::HEAD, "/api/reweight") if values => (
            "Re-weighting an index",
            "the domain ranks",
            "serve with --data DIR (without --cache), or use `cnimap reweight`",
        ),
        (&Method::GET | &Method::HEAD, "/api/change") if values => (
            "A change comparison",
            "the 2019 and 2025 ranks",
            "serve with --data DIR (without --cache), or use `cnimap change`",
        ),
        _ => return None,
    };
    Some(format!(
        "{what} needs {lacks}, which this server does not have: it serves a prepared build \
         (cnimap serve --build, or --data with --cache), and a build does not hold them yet. {}.",
        capitalised(instead)
    ))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Middleware: answers 501 with [`lacking`]'s sentence, or passes the request on.
pub async fn refuse(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match lacking(&state, req.method(), req.uri().path()) {
        Some(message) => (
            StatusCode::NOT_IMPLEMENTED,
            Json(ErrorBody {
                error: KIND.to_string(),
                message,
            }),
        )
            .into_response(),
        None => next.run(req).await,
    }
}
