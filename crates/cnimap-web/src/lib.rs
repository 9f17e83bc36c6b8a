//! The cnimap map in the browser: a Leptos client-side app driving MapLibre GL JS.
//!
//! Pure modules (native and wasm32, unit-tested with `cargo test -p cnimap-web`):
//! - [`url_state`]: the whole view in the URL, and which changes make a history entry.
//! - [`classes`]: map classes from `/api/values` arrays (via `cnimap-core`), and which layer a
//!   view draws.
//! - [`levels`]: the map at larger levels: summaries by feature, their classes and words.
//! - [`layers`]: typed ids of the MapLibre sources and style layers.
//! - [`style`]: the MapLibre style and the feature-state paint expressions.
//! - [`boot`]: the facts `assets/boot.js` draws the first choropleth with, and adopting its map.
//! - [`camera`]: camera requests and the padding that keeps places clear of the cards.
//! - [`change`]: the change view's classes, words, ward outline layers (issue 12).
//! - [`words`]: what the app says, as functions of the data.
//! - [`keys`]: keyboard patterns (the WAI-ARIA tabs).
//! - [`endpoints`]: every URL the app requests, on a cnimap server or a static site.
//! - [`what_if`]: the user's domain weights and the index rebuilt with them (issue 12).
//! - [`table_data`]: the table beside the map: its URL words, its frame from the documents.
//! - [`draw`]: drawing an area on the map: the corners clicked or typed as a GeoJSON polygon.
//! - [`page_route`]: the profile page's address, the comparison's and the embed's URL words.
//! - [`profile_chart`]: the profile's strip charts as SVG, with their words.
//! - [`worker_protocol`]: the messages between the page and its tools worker.
//!
//! Browser modules (wasm32 only; tested in headless Chromium with `wasm-bindgen-test`):
//! - [`api`]: the typed HTTP client and its error enum.
//! - [`map`]: wasm-bindgen bindings to MapLibre GL JS.
//! - [`dom`]: reading the page (what covers the map) and focus.
//! - [`state`]: signals and resources shared by context.
//! - [`history`]: the URL and the browser history kept in step with the state.
//! - [`search_static`]: search without a server, over the static site's compact index.
//! - [`components`]: thin Leptos components.
//! - [`worker`], [`worker_client`]: the tools worker (`cnimap-worker`, a second wasm binary: bulk
//!   lookup and custom-area measuring off the main thread) and the page's side of it.

pub mod boot;
pub mod camera;
pub mod change;
pub mod classes;
pub mod draw;
pub mod endpoints;
pub mod first_view;
pub mod keys;
pub mod layers;
pub mod levels;
pub mod page_route;
pub mod profile_chart;
pub mod style;
pub mod table_data;
pub mod url_state;
pub mod what_if;
pub mod words;
pub mod worker_protocol;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod bulk_lookup;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod dom;
#[cfg(target_arch = "wasm32")]
pub mod global_fetch;
#[cfg(target_arch = "wasm32")]
pub mod history;
#[cfg(target_arch = "wasm32")]
pub mod map;
#[cfg(target_arch = "wasm32")]
pub mod search_static;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod worker;
#[cfg(target_arch = "wasm32")]
pub mod worker_client;

/// Starts the app: panic messages and `tracing` go to the browser console, and the root component
/// is mounted on `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    console_logging();
    // Which back end (server or static site) first: every URL depends on it.
    wasm_bindgen_futures::spawn_local(async {
        api::detect().await;
        // After assets/boot.js has drawn the first choropleth, when it draws one (issue 15).
        boot::until_drawn().await;
        leptos::mount::mount_to_body(components::pages::Root);
    });
}

/// Panic messages and `tracing` to the browser console: the page's and the tools worker's start
/// both call it first.
#[cfg(target_arch = "wasm32")]
pub fn console_logging() {
    console_error_panic_hook::set_once();
    use tracing_subscriber::prelude::*;
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .without_time()
        .with_writer(tracing_web::MakeWebConsoleWriter::new());
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
