//! What a server opened from a prepared build cannot answer, said plainly. A build holds the
//! tiles, every document, the area details and the search index, and the server answers the table
//! of published levels, the bulk lookup, re-weighting and the left-behind wards' comparison from
//! those documents ([`super::answers`]). It does not hold the LSOA 2011 populations that weight
//! the council and region summaries of IMD 2019 (the table at those levels with an IMD 2019
//! column, filter or sort) nor each area's 2011 lineage and 2019 rank (the IMD 2019 -> 2025 rows
//! of `/api/change`): those answer `501 Not Implemented` naming what
//! the build lacks and what to do instead, where they would otherwise answer as though the thing
//! asked for did not exist.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use cnimap_core::api::ErrorBody;
use cnimap_core::Level;

use crate::state::AppState;

/// The `error` kind of the answer.
pub const KIND: &str = "not_in_build";

/// The first value of `key` in the query string (`+` and `%XX` left as they are: the values
/// looked at here are plain ids).
fn param<'a>(uri: &'a Uri, key: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// What the request at `method` `uri` needs that this state lacks, as a sentence, or `None`
/// when the state can answer it. Only a state opened from a build lacks anything.
pub fn lacking(state: &AppState, method: &Method, uri: &Uri) -> Option<String> {
    state.build.as_ref()?;
    let read = matches!(*method, Method::GET | Method::HEAD);
    let (what, lacks, instead) = match uri.path() {
        "/api/table" if read => {
            let level = param(uri, "level").and_then(Level::from_id)?;
            let query = uri.query().unwrap_or_default();
            let missing: Vec<String> = super::answers::unsummarised(level)
                .into_iter()
                .filter(|id| query.contains(id.as_str()))
                .map(|id| id.as_str().to_string())
                .collect();
            if missing.is_empty() {
                return None;
            }
            (
                format!(
                    "The table of {} with {}",
                    level.areas_noun(),
                    missing.join(", ")
                ),
                "their summaries, weighted by each LSOA 2011's population",
                "serve with --data DIR --no-cache, or use `cnimap table`",
            )
        }
        "/api/lookup" if *method == Method::POST && state.documents.lookup_areas.is_none() => (
            "The bulk postcode lookup".to_string(),
            "every neighbourhood's ranks and deciles (api/lookup/areas.json)",
            "serve with --data DIR --no-cache, or use `cnimap lookup`",
        ),
        "/api/change"
            if read
                && param(uri, "from") == Some("imd2019")
                && param(uri, "to") == Some("imd2025") =>
        {
            (
                "The IMD 2019 -> 2025 comparison by area".to_string(),
                "each area's 2011 lineage and 2019 rank (it holds the change map, \
                 /api/change/lsoa21/imd)",
                "serve with --data DIR --no-cache, or use `cnimap change`",
            )
        }
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
