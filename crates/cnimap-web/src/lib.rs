//! The cnimap map in the browser: a Leptos client-side app driving MapLibre GL JS.
//!
//! - [`api`]: the typed HTTP client and its error enum.
//! - [`map`]: wasm-bindgen bindings to MapLibre GL JS.
//! - [`style`]: the MapLibre style and the feature-state paint expressions.
//! - [`state`]: signals shared by context, and classes from values (via `cnimap-core`).
//! - [`url_state`]: the whole view in the URL.
//! - [`components`]: thin Leptos components.

pub mod api;
pub mod components;
pub mod map;
pub mod state;
pub mod style;
pub mod url_state;

/// Starts the app: panic messages and `tracing` go to the browser console, and the root component
/// is mounted on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    use tracing_subscriber::prelude::*;
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .without_time()
        .with_writer(tracing_web::MakeWebConsoleWriter::new());
    let _ = tracing_subscriber::registry().with(layer).try_init();
    leptos::mount::mount_to_body(components::app::App);
}
