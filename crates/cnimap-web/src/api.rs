//! A typed client for the cnimap HTTP API (see `docs/API.md`), over the browser's `fetch`.

use cnimap_core::api::{
    AreaDetail, ErrorBody, IndicatorsResponse, LayerAreasResponse, SearchResponse, ValuesResponse,
};
use cnimap_core::catalogue::IndicatorId;
use cnimap_core::Level;
use serde::de::DeserializeOwned;

use crate::url_state::Selection;
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
    String::from(js_sys::encode_uri_component(s))
}

/// `GET /api/indicators`.
pub async fn indicators() -> Result<IndicatorsResponse, ApiError> {
    get_json("/api/indicators").await
}

/// `GET /api/values/{layer}/{indicator}`.
pub async fn values(layer: Level, indicator: IndicatorId) -> Result<ValuesResponse, ApiError> {
    get_json(&format!("/api/values/{layer}/{indicator}")).await
}

/// `GET /api/layers/{layer}`.
pub async fn layer_areas(layer: Level) -> Result<LayerAreasResponse, ApiError> {
    get_json(&format!("/api/layers/{layer}")).await
}

/// `GET /api/areas/{code}`, with `?layer=` when the area was picked on a map layer (the server
/// then answers for that layer's area even when another level shares the code).
pub async fn area(selection: &Selection) -> Result<AreaDetail, ApiError> {
    get_json(&area_url(selection)).await
}

/// The URL of [`area`].
pub fn area_url(selection: &Selection) -> String {
    match selection.layer {
        Some(layer) => format!("/api/areas/{}?layer={layer}", encode(&selection.code)),
        None => format!("/api/areas/{}", encode(&selection.code)),
    }
}

/// How many search hits to ask for.
pub const SEARCH_LIMIT: u8 = 10;

/// `GET /api/search?q=...&limit=...`.
pub async fn search(query: &str) -> Result<SearchResponse, ApiError> {
    get_json(&format!(
        "/api/search?q={}&limit={SEARCH_LIMIT}",
        encode(query)
    ))
    .await
}
