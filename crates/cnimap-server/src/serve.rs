//! `cnimap serve`: the router and its hardening (timeouts, load shedding, body limits, security
//! headers, CORS for public reads, compression) and graceful shutdown.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::error_handling::HandleErrorLayer;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Router};
use base64::Engine;
use sha2::Digest;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::{api, tiles, AppState, DataSource};

/// Requests taking longer than this are cut off with 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests in flight at once; past this the server sheds load with 503 rather than queueing.
pub const MAX_IN_FLIGHT: usize = 1024;
/// The API takes no bodies; anything larger is refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Builds the router.
pub fn app(state: AppState) -> Router {
    let csp = content_security_policy(&state.static_dir);
    let api = Router::new()
        .route("/health", get(api::health))
        .route("/indicators", get(api::indicators))
        .route("/values/{layer}/{indicator}", get(api::values))
        .route("/layers/{layer}", get(api::layer_areas))
        .route("/labels/{layer}", get(api::labels_handler))
        .route("/areas/{code}", get(api::area))
        .route("/search", get(api::search))
        .fallback(not_found);
    let tiles = Router::new()
        .route("/{file}", get(tiles::tilejson))
        .route("/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .fallback(not_found);
    let static_files = ServeDir::new(&state.static_dir)
        .append_index_html_on_directories(true)
        .precompressed_gzip()
        .not_found_service(axum::routing::any(not_found).with_state(()));
    Router::new()
        .nest("/api", api)
        .nest("/tiles", tiles)
        .fallback_service(static_files)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .concurrency_limit(MAX_IN_FLIGHT)
                .timeout(REQUEST_TIMEOUT),
        )
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD]),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(TraceLayer::new_for_http())
}

async fn not_found(uri: axum::http::Uri) -> Response {
    AppError::NotFound(format!("nothing at {}", uri.path())).into_response()
}

async fn overloaded(err: BoxError) -> Response {
    if err.is::<tower::timeout::error::Elapsed>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(cnimap_core::api::ErrorBody {
                error: "timeout".into(),
                message: "the request took too long; try again".into(),
            }),
        )
            .into_response()
    } else if err.is::<tower::load_shed::error::Overloaded>() {
        let mut r = (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(cnimap_core::api::ErrorBody {
                error: "overloaded".into(),
                message: "the server is busy; try again in a moment".into(),
            }),
        )
            .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    } else {
        AppError::Internal(err.to_string()).into_response()
    }
}

/// The Content-Security-Policy: our own origin only, plus what the app needs: WebAssembly
/// compilation, MapLibre's blob: workers, inline styles MapLibre sets, and the SHA-256 of each
/// inline script Trunk writes into `index.html` (read once here).
pub fn content_security_policy(static_dir: &Path) -> HeaderValue {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    if let Ok(html) = std::fs::read_to_string(static_dir.join("index.html")) {
        for body in inline_scripts(&html) {
            let digest = sha2::Sha256::digest(body.as_bytes());
            script_src.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
    }
    let csp = format!(
        "default-src 'self'; script-src {script_src}; worker-src 'self' blob:; child-src blob:; \
         img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The bodies of inline `<script>` elements (those without `src`).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            out.push(&after[body_start..body_start + close]);
        }
        rest = &after[body_start + close..];
    }
    out
}

/// Loads everything, then serves until Ctrl-C or SIGTERM.
pub fn run(source: DataSource, addr: SocketAddr, static_dir: PathBuf) -> anyhow::Result<()> {
    let start = Instant::now();
    if !static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %static_dir.display(), "no web app found (build it with scripts/build-web.sh); serving the API and tiles only");
    }
    let state = AppState::load(&source, static_dir)?;
    tracing::info!(ms = start.elapsed().as_millis() as u64, "ready");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(%addr, "listening on http://{addr}/");
        axum::serve(listener, app(state))
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        tracing::info!("shut down");
        anyhow::Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(%e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(%e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
