//! A typed client for the cnimap HTTP API (see `docs/API.md`), over the browser's `fetch`, and
//! the one place that knows which back end the page has: a `cnimap serve` or a static site made by
//! `cnimap export-site` ([`detect`] reads `site.json` once at start-up; [`endpoints`] builds every
//! URL from the answer).

use cnimap_core::api::{
    AreaDetail, ErrorBody, IndicatorsResponse, LayerAreasResponse, SearchResponse, ValuesResponse,
};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::Level;
use serde::de::DeserializeOwned;

use crate::endpoints::{folder_of, Endpoints, SITE_FILE, SITE_KIND};
use crate::url_state::Selection;
use std::cell::OnceCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The browser could not reach the server (offline, server stopped, connection refused).
    #[error("The map server could not be reached ({url}): {message}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// What the browser said.
        message: String,
    },
    /// The server answered with an error status; `message` is its explanation when it sent one.
    #[error("{message}")]
    Status {
        /// The URL requested.
        url: String,
        /// HTTP status.
        status: u16,
        /// The server's `ErrorBody.message`, or a generic sentence.
        message: String,
    },
    /// The static site cannot do this: it needs a cnimap server.
    #[error(
        "{what} needs the cnimap server, and this copy of the map is a static site without one."
    )]
    NeedsServer {
        /// What the user tried, as a sentence subject ("Search").
        what: String,
    },
    /// The answer was not the JSON expected.
    #[error("The server sent something unexpected for {url}: {message}")]
    Decode {
        /// The URL requested.
        url: String,
        /// The JSON error.
        message: String,
    },
}

impl ApiError {
    /// Whether the server said the thing does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Status { status: 404, .. })
    }
}

fn js_message(value: &wasm_bindgen::JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "network error".to_string())
}

/// Fetches `url` and decodes its JSON body as `T`, turning error statuses into
/// [`ApiError::Status`] with the server's message.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let unreachable = |message: String| ApiError::Unreachable {
        url: url.to_string(),
        message,
    };
    let window = web_sys::window().ok_or_else(|| unreachable("no window".into()))?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| unreachable(js_message(&e)))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|e| unreachable(js_message(&e)))?;
    let text_promise = response.text().map_err(|e| unreachable(js_message(&e)))?;
    let text = JsFuture::from(text_promise)
        .await
        .map_err(|e| unreachable(js_message(&e)))?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        let status = response.status();
        let message = serde_json::from_str::<ErrorBody>(&text)
            .map(|b| b.message)
            .unwrap_or_else(|_| format!("The server answered {status} for {url}."));
        return Err(ApiError::Status {
            url: url.to_string(),
            status,
            message,
        });
    }
    serde_json::from_str(&text).map_err(|e| ApiError::Decode {
        url: url.to_string(),
        message: e.to_string(),
    })
}

/// Percent-encodes a path segment or query value.
pub fn encode(s: &str) -> String {
    crate::endpoints::encode(s)
}

thread_local! {
    /// The back end, set once by [`detect`].
    static ENDPOINTS: OnceCell<Endpoints> = const { OnceCell::new() };
}

/// What `site.json` says (only its kind is read).
#[derive(serde::Deserialize)]
struct SiteFile {
    kind: String,
}

/// Finds which back end serves the page and remembers it: a static site has `site.json` (written
/// by `cnimap export-site`; `index.html` preloads it, so this costs no round trip of its own),
/// a cnimap server answers with another kind (`cnimap-server`; a 404 from an older server means
/// the same). Call once before the app mounts.
pub async fn detect() -> Endpoints {
    let window = web_sys::window();
    let page = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    let base = folder_of(&page);
    let origin = window
        .as_ref()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let found = match get_json::<SiteFile>(&format!("{base}{SITE_FILE}")).await {
        Ok(site) if site.kind == SITE_KIND => Endpoints::Static { base },
        Ok(_) | Err(_) => Endpoints::Server { origin },
    };
    tracing::info!(?found, "back end");
    if found.is_static() && !crate::map::register_pmtiles() {
        tracing::error!("static site: MapLibre or the pmtiles script did not load");
    }
    ENDPOINTS.with(|e| e.get_or_init(|| found).clone())
}

/// The back end found by [`detect`] (a server at the page's origin before it has run).
pub fn endpoints() -> Endpoints {
    ENDPOINTS.with(|e| {
        e.get().cloned().unwrap_or_else(|| Endpoints::Server {
            origin: web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default(),
        })
    })
}

/// The hook for code that works differently without a server (static search): `Some(base)`
/// (the site's root URL, ending in `/`; `search/...` files sit under it) on a static site,
/// `None` on a cnimap server.
pub fn static_base() -> Option<String> {
    endpoints().static_base().map(str::to_string)
}

/// `GET /api/indicators`.
pub async fn indicators() -> Result<IndicatorsResponse, ApiError> {
    get_json(&endpoints().indicators()).await
}

/// `GET /api/values/{layer}/{indicator}`.
pub async fn values(layer: Level, indicator: IndicatorId) -> Result<ValuesResponse, ApiError> {
    get_json(&endpoints().values(layer, indicator)).await
}

/// `GET /api/layers/{layer}`.
pub async fn layer_areas(layer: Level) -> Result<LayerAreasResponse, ApiError> {
    get_json(&endpoints().layer_areas(layer)).await
}

/// `GET /api/areas/{code}`, with `?layer=` when the area was picked on a map layer (the server
/// then answers for that layer's area even when another level shares the code). A static site
/// has one file per layer and area: without a layer, each layer's file is tried in the server's
/// order until one exists.
pub async fn area(selection: &Selection) -> Result<AreaDetail, ApiError> {
    let urls = endpoints().area(&selection.code, selection.layer);
    let mut last = None;
    for url in &urls {
        match get_json(url).await {
            Err(e) if e.is_not_found() => last = Some(e),
            other => return other,
        }
    }
    Err(match (last, endpoints().is_static()) {
        (Some(ApiError::Status { url, .. }), true) => ApiError::Status {
            url,
            status: 404,
            message: format!("No area with code {} in the data.", selection.code),
        },
        (Some(e), _) => e,
        (None, _) => ApiError::Unreachable {
            url: String::new(),
            message: "no URL for this area".into(),
        },
    })
}

/// How many search hits to ask for.
pub const SEARCH_LIMIT: u8 = 10;

/// `GET /api/search?q=...&limit=...`. A static site has no search endpoint: this says so
/// (static search, over the compact index under [`static_base`], replaces that branch).
pub async fn search(query: &str) -> Result<SearchResponse, ApiError> {
    match endpoints().search(query, SEARCH_LIMIT) {
        Some(url) => get_json(&url).await,
        None => Err(ApiError::NeedsServer {
            what: "Search".into(),
        }),
    }
}
