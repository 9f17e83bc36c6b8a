//! The routes, one file per resource: whole-layer documents, areas, search, tiles, health and the
//! static web app. [`router`] puts them together; [`crate::serve`] adds the hardening layers.

pub mod areas;
pub mod change;
pub mod custom_areas;
pub mod documents;
pub mod health;
pub mod lineage;
pub mod lookup;
pub mod openapi;
pub mod parents;
pub mod reweight;
pub mod search;
pub mod site;
pub mod static_files;
pub mod table;
pub mod tiles;

use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use tower_http::limit::RequestBodyLimitLayer;

use crate::error::AppError;
use crate::state::AppState;

/// The largest body any route but `POST /api/lookup` takes (see [`lookup::MAX_BODY_BYTES`]);
/// anything larger is refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Every route, with the state; no middleware.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi::openapi))
        .route("/indicators", get(documents::indicators))
        .route("/values/{layer}/{indicator}", get(documents::values))
        .route("/layers/{layer}", get(documents::layer_areas))
        .route("/labels/{layer}", get(documents::labels))
        .route("/parents/{layer}", get(parents::parents))
        .route("/areas/{code}", get(areas::area))
        .route("/search", get(search::search))
        .route("/reweight", get(reweight::reweight))
        .route("/change", get(change::change))
        .route("/change/{layer}/{which}", get(change::layer))
        .route("/table", get(table::table))
        .route("/lookup/areas", get(lookup::areas))
        .route("/shapes/lsoa21", get(custom_areas::shapes))
        .route("/lineage/lsoa11", get(lineage::lsoa11))
        .fallback(not_found)
        // Only the lookup takes a body: the other routes keep the server's small limit.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .route(
            "/lookup",
            post(lookup::lookup).layer(DefaultBodyLimit::max(lookup::MAX_BODY_BYTES)),
        )
        .route(
            "/areas",
            post(custom_areas::areas).layer(DefaultBodyLimit::max(custom_areas::MAX_BODY_BYTES)),
        );
    let tiles = Router::new()
        .route("/{file}", get(tiles::tilejson))
        .route("/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    let static_files = static_files::app_files(&state.static_dir);
    Router::new()
        .route("/area/{code}", get(static_files::area_page))
        .route("/site.json", get(site::site))
        .nest("/api", api)
        .nest("/tiles", tiles)
        .fallback_service(static_files)
        .with_state(state)
}

/// The JSON 404 for any path nothing answers.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    AppError::NotFound(format!("nothing at {}", uri.path())).into_response()
}
