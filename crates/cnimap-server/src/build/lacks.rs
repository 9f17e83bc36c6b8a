//! What a server opened from a prepared build cannot answer, said plainly. A build holds the
//! tiles, every document, the area details and the search index, and the server answers the
//! table at every level (the IoD 2019 summaries weighted by `api/lineage/lsoa11`'s populations),
//! the bulk lookup, re-weighting and both change comparisons from those documents
//! ([`super::answers`]). A build written without `api/lookup/areas` (no LSOA 2021 layer, IMD 2025
//! or CNI 2023 in its data) cannot look postcodes up in bulk: that answers `501 Not Implemented`
//! naming what the build lacks and what to do instead, where it would otherwise answer as though
//! the thing asked for did not exist.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::api::ErrorBody;

use crate::state::AppState;

/// The `error` kind of the answer.
pub const KIND: &str = "not_in_build";

/// What the request at `method` `uri` needs that this state lacks, as a sentence, or `None`
/// when the state can answer it. Only a state opened from a build lacks anything.
pub fn lacking(state: &AppState, method: &Method, uri: &Uri) -> Option<String> {
    state.build.as_ref()?;
    let (what, lacks, instead) = match uri.path() {
        "/api/lookup" if *method == Method::POST && state.documents.lookup_areas.is_none() => (
            "The bulk postcode lookup".to_string(),
            "every neighbourhood's ranks and deciles (api/lookup/areas.json)",
            "serve with --data DIR --no-cache, or use `cnimap lookup`",
        ),
        _ => return None,
    };
    Some(format!(
        "{what} needs {lacks}, which this server does not have: it serves a prepared build \
         (cnimap serve --build, or --data through its cache), and a build does not hold them \
         yet. {}.",
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
    match lacking(&state, req.method(), req.uri()) {
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
