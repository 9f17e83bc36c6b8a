//! `cnimap serve`: the routes with their hardening (timeouts, load shedding, body limits, security
//! headers, CORS for public reads, compression) behind the tile fast path, and graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::error_handling::HandleErrorLayer;
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use tokio::sync::Semaphore;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::http::{self, Unavailable};
use crate::listener::{self, Limits};
use crate::routes::tiles::{CachedTiles, CutLimits, TileFastPath};
use crate::routes::{self, static_files::content_security_policy};
use crate::{AppState, DataSource};

/// Requests taking longer than this are cut off with 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests in flight at once; past this the server sheds load with 503 rather than queueing.
pub const MAX_IN_FLIGHT: usize = 1024;
/// The API takes no bodies but `POST /api/lookup`'s (see [`routes::lookup::MAX_BODY_BYTES`]);
/// anything larger is refused with 413. Defined with the routes, which apply it.
pub use crate::routes::MAX_BODY_BYTES;

/// Builds the router with its hardening layers, behind the tile fast path
/// ([`routes::tiles::TileFastPath`]): a `GET` of a tile goes straight to the tile cache (a tile
/// not yet cut is cut under the same timeout and in-flight bound as every other request); every
/// other request goes through the layers below. One semaphore bounds the requests in flight
/// across all routes and the tiles being cut.
pub fn app(state: AppState) -> Router {
    let csp = content_security_policy(&state.static_dir);
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut routes = routes::router(state.clone());
    if state.build.is_some() {
        // What a build does not hold is refused with 501 naming it (build::lacks).
        routes = routes.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::build::lacks::refuse,
        ));
    }
    let full = routes
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::with_semaphore(Arc::clone(
                    &in_flight,
                )))
                .timeout(REQUEST_TIMEOUT),
        )
        // The largest body any route takes (`POST /api/lookup`'s); `routes::router` holds the
        // others to MAX_BODY_BYTES.
        .layer(RequestBodyLimitLayer::new(routes::lookup::MAX_BODY_BYTES))
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
        .layer(TraceLayer::new_for_http());
    let limits = CutLimits {
        timeout: REQUEST_TIMEOUT,
        in_flight,
    };
    Router::new().fallback_service(TileFastPath::new(state, full, limits))
}

async fn overloaded(err: BoxError) -> Response {
    if err.is::<tower::timeout::error::Elapsed>() {
        http::unavailable(Unavailable::Timeout)
    } else if err.is::<tower::load_shed::error::Overloaded>() {
        http::unavailable(Unavailable::Overloaded)
    } else {
        AppError::Middleware(err).into_response()
    }
}

/// Where `cnimap serve` gets what it serves.
#[derive(Debug, Clone)]
pub enum ServeFrom {
    /// The national data. With a cache folder (the default: `cnimap serve --data` uses
    /// [`crate::build::cache::default_cache_dir`]) it is prepared into a cached build
    /// (`cache/<fingerprint>`) when the inputs or the binary changed, then served from that build
    /// (the first start takes minutes, with progress in the log: `cnimap prepare` writes every
    /// tile of every layer; later starts take about a second). Without one (`--no-cache`) it is
    /// read and prepared in memory at every start (about 5 s to a minute, 1.1-1.4 GiB).
    Data {
        /// The inputs.
        source: DataSource,
        /// The folder of cached builds, when serving through one; `None`: in memory.
        cache: Option<PathBuf>,
    },
    /// A build written by `cnimap prepare`.
    Build(PathBuf),
}

/// Opens the build (preparing it first for [`ServeFrom::Data`] when the inputs changed), then
/// serves until Ctrl-C or SIGTERM.
pub fn run(from: ServeFrom, addr: SocketAddr, static_dir: PathBuf) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let start = Instant::now();
    if !static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %static_dir.display(), "no web app found (build it with scripts/build-web.sh); serving the API and tiles only");
    }
    let state = match from {
        ServeFrom::Build(dir) => crate::build::open::open(&dir, static_dir)
            .with_context(|| format!("opening the build {}", dir.display()))?,
        ServeFrom::Data {
            source,
            cache: Some(cache),
        } => crate::build::cache::open_or_prepare(&source, &cache, static_dir)?,
        ServeFrom::Data {
            source,
            cache: None,
        } => AppState::load(&source, static_dir)?,
    };
    tracing::info!(ms = start.elapsed().as_millis() as u64, "ready");
    serve_state(state, addr)
}

/// Serves `state` on `addr` until Ctrl-C or SIGTERM.
fn serve_state(state: AppState, addr: SocketAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(%addr, "listening on http://{addr}/");
        // Cached tiles are answered before the router (`routes::tiles::CachedTiles`).
        let front = CachedTiles(state.clone());
        let limits = Limits::default();
        listener::serve_with_front(listener, front, app(state), limits, shutdown_signal()).await?;
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
