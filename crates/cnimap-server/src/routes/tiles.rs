//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt` and `GET /tiles/{layer}.json` (TileJSON 3.0.0). Tiles are
//! cut on demand from the layers prepared at start-up and kept, gzip-compressed, in the cache.
//!
//! Tile requests are most of the server's traffic and, once the cache is warm, need nothing but a
//! lookup, so [`TileFastPath`] answers them in front of the router: it parses the path by hand
//! (no allocation), reads the cache through a shared lock, and builds the response from header
//! values made once (the tile's ETag is kept with it). What it does not recognise, or refuses
//! (a malformed path, an unknown layer, a zoom out of range, `HEAD`), goes on to the router and
//! its middleware unchanged, so every error reads as before. Served by `cnimap serve`, a cached
//! tile is answered even before the router ([`CachedTiles`], the listener's
//! [`Front`](crate::listener::Front)), with headers cloned from a template made once per kind of
//! answer by the same code as the router's answers. Measured in BENCHMARKS.md ("Warm tiles
//! beside martin").

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

use cnimap_core::api::ErrorBody;
use cnimap_core::tile::TileCoord;
use cnimap_core::Level;

use crate::error::{ApiPath, AppError, AppResult};
use crate::http::{self, Encoded, Negotiated};
use crate::listener::Front;
use crate::state::AppState;
use crate::tile_cache::CachedTile;

/// Tiles are the same for the life of the data; a day's caching, revalidated by ETag.
pub const CACHE_TILES: &str = "public, max-age=86400";
const MVT: &str = "application/vnd.mapbox-vector-tile";

fn parse_num<T: std::str::FromStr>(what: &str, s: &str) -> AppResult<T> {
    s.parse()
        .map_err(|_| AppError::BadRequest(format!("tile {what} must be a whole number, not {s:?}")))
}

/// Parses and validates `{layer}` and `{z}/{x}/{y}.mvt`.
pub fn parse_tile(
    state: &AppState,
    layer: &str,
    z: &str,
    x: &str,
    y_file: &str,
) -> AppResult<(Level, TileCoord)> {
    let level = state.served_layer(layer)?;
    let prepared = state
        .tiles
        .get(&level)
        .ok_or(AppError::Invariant("a served layer has no prepared tiles"))?;
    let y = y_file
        .strip_suffix(".mvt")
        .or_else(|| y_file.strip_suffix(".pbf"))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "tiles are at /tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt, not .../{y_file}"
            ))
        })?;
    let z: u8 = parse_num("zoom", z)?;
    let (x, y): (u32, u32) = (parse_num("x", x)?, parse_num("y", y)?);
    if z > prepared.max_zoom() {
        return Err(AppError::BadRequest(format!(
            "zoom {z} is beyond this layer's maximum zoom {} (MapLibre overzooms the last level)",
            prepared.max_zoom()
        )));
    }
    let coord = TileCoord::new(z, x, y).ok_or_else(|| {
        let n = 1u64 << z;
        AppError::BadRequest(format!(
            "tile {z}/{x}/{y} does not exist: at zoom {z}, x and y run from 0 to {}",
            n - 1
        ))
    })?;
    Ok((level, coord))
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt` through the router: what [`TileFastPath`] passes on (a
/// `HEAD`, or a path it does not parse itself, such as percent-escaped digits).
#[utoipa::path(
    get,
    path = "/tiles/{layer}/{z}/{x}/{y}.mvt",
    tag = "tiles",
    params(
        ("layer" = String, Path, description = "A served layer: `lsoa21`, `lsoa11`, `ward17`, `lad24`, `region`", example = "region"),
        ("z" = u8, Path, description = "Zoom, 0 to the layer's maxzoom (TileJSON)", example = 0),
        ("x" = u32, Path, description = "Column, 0 to 2^z - 1", example = 0),
        ("y" = u32, Path, description = "Row, 0 to 2^z - 1 (XYZ, north first); `.pbf` is also accepted as the suffix", example = 0),
    ),
    responses(
        (status = 200, description = "A Mapbox Vector Tile (gzip when accepted): one source-layer named after the layer, properties `code` and `name`, feature id = feature index", content_type = "application/vnd.mapbox-vector-tile", body = crate::openapi::VectorTile),
        (status = 204, description = "The tile is empty"),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 400, description = "A zoom beyond the layer's maxzoom, a tile outside the zoom's grid, or coordinates that are not whole numbers", body = ErrorBody),
        (status = 404, description = "Unknown layer, or a suffix other than `.mvt`/`.pbf`", body = ErrorBody),
    )
)]
pub async fn tile(
    State(state): State<AppState>,
    ApiPath((layer, z, x, y)): ApiPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (level, coord) = parse_tile(&state, &layer, &z, &x, &y)?;
    let tile = match state.tile_cache.get(level, coord) {
        Some(t) => t,
        None => {
            let st = state.clone();
            let t = tokio::task::spawn_blocking(move || cut(&st, level, coord)).await??;
            state.tile_cache.put(level, coord, t)
        }
    };
    Ok(tile_response(&tile, &headers))
}

/// A held tile as a response: 204 for an empty tile, else [`http::respond_with`] (ETag, 304,
/// gzip negotiation) with the tile's content type and caching.
pub fn tile_response(tile: &CachedTile, request: &HeaderMap) -> Response {
    if tile.encoded.plain.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    http::respond_with(
        &tile.encoded,
        tile.etag.as_ref(),
        request,
        HeaderValue::from_static(MVT),
        HeaderValue::from_static(CACHE_TILES),
    )
}

/// Cuts and compresses one tile (an empty tile has an empty body).
pub fn cut(state: &AppState, level: Level, coord: TileCoord) -> AppResult<Encoded> {
    let prepared = state
        .tiles
        .get(&level)
        .ok_or(AppError::Invariant("a served layer has no prepared tiles"))?;
    let plain = prepared
        .tile(coord)
        .map_err(|source| AppError::Tile {
            layer: level,
            coord,
            source,
        })?
        .unwrap_or_default();
    Encoded::from_bytes(plain).map_err(AppError::Compress)
}

/// TileJSON 3.0.0, as `/tiles/{layer}.json` sends it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TileJson {
    /// `3.0.0`.
    pub tilejson: String,
    /// The layer id.
    pub name: String,
    /// The layer's title.
    pub description: Option<String>,
    /// The tile URL template (`http://HOST/tiles/{layer}/{z}/{x}/{y}.mvt`).
    pub tiles: Vec<String>,
    /// Lowest zoom.
    pub minzoom: u8,
    /// Highest zoom (MapLibre overzooms beyond).
    pub maxzoom: u8,
    /// `[west, south, east, north]` in WGS84 degrees.
    pub bounds: [f64; 4],
    /// Boundary attribution.
    pub attribution: String,
    /// The one source-layer.
    pub vector_layers: Vec<VectorLayer>,
}

/// A TileJSON vector layer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VectorLayer {
    /// The source-layer name (the layer id).
    pub id: String,
    /// Feature property names and their types (`code`: `String`).
    pub fields: BTreeMap<String, String>,
    /// Lowest zoom.
    pub minzoom: u8,
    /// Highest zoom.
    pub maxzoom: u8,
    /// What the features are.
    pub description: String,
}

/// `GET /tiles/{layer}.json`: TileJSON 3.0.0.
#[utoipa::path(
    get,
    path = "/tiles/{layer}.json",
    tag = "tiles",
    params(
        ("layer" = String, Path, description = "A served layer: `lsoa21`, `lsoa11`, `ward17`, `lad24`, `region`", example = "lsoa21"),
    ),
    responses(
        (status = 200, description = "TileJSON 3.0.0: tile URL, bounds, zooms, the vector layer and its fields, attribution", body = TileJson),
        (status = 404, description = "Unknown layer, or a file not ending `.json`", body = ErrorBody),
    )
)]
pub async fn tilejson(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Json<TileJson>> {
    let layer = file.strip_suffix(".json").ok_or_else(|| {
        AppError::NotFound(format!(
            "TileJSON is at /tiles/{{layer}}.json, not /tiles/{file}"
        ))
    })?;
    let level = state.served_layer(layer)?;
    let prepared = state
        .tiles
        .get(&level)
        .ok_or(AppError::Invariant("a served layer has no prepared tiles"))?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let base = host.map(|h| format!("http://{h}")).unwrap_or_default();
    let fields = prepared
        .fields()
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    let title = state.atlas.layer(level).map(|l| l.title.clone());
    Ok(Json(TileJson {
        tilejson: "3.0.0".into(),
        name: layer.to_string(),
        description: title,
        tiles: vec![format!("{base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt")],
        minzoom: prepared.min_zoom(),
        maxzoom: prepared.max_zoom(),
        bounds: prepared.bounds_wgs84(),
        attribution: cnimap_core::catalogue::BOUNDARY_ATTRIBUTION.to_string(),
        vector_layers: vec![VectorLayer {
            id: layer.to_string(),
            fields,
            minzoom: prepared.min_zoom(),
            maxzoom: prepared.max_zoom(),
            description: "Area outlines; feature id = feature index into /api/values arrays".into(),
        }],
    }))
}

/// Limits the fast path keeps on the tiles it has to cut (a cache hit needs none: it answers
/// at once and holds nothing).
#[derive(Debug, Clone)]
pub struct CutLimits {
    /// A cut that takes longer is answered 503 (`timeout`).
    pub timeout: Duration,
    /// The server's bound on requests in flight (shared with the router's load shedding): a cut
    /// holds a permit, and one with none left is answered 503 (`overloaded`) at once.
    pub in_flight: Arc<Semaphore>,
}

/// Headers every tile answer carries, as the router's middleware adds them to other responses:
/// public CORS (`*` whatever the origin, so no `Vary: Origin`), `nosniff` and no referrer. The
/// page's Content-Security-Policy and frame options are for HTML and are not sent with tiles.
fn add_common_headers(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// A `GET` tile path this fast path answers itself: `/tiles/{layer}/{z}/{x}/{y}.mvt` (or `.pbf`)
/// with plain decimal numbers. `None` for anything else, which the router then answers.
pub fn parse_fast(path: &str) -> Option<(&str, u8, u32, u32)> {
    let mut parts = path.strip_prefix("/tiles/")?.split('/');
    let (layer, z, x, y_file) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let y = y_file
        .strip_suffix(".mvt")
        .or_else(|| y_file.strip_suffix(".pbf"))?;
    fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }
    Some((layer, number(z)?, number(x)?, number(y)?))
}

/// The headers of each kind of answer the fast path gives, made once by the router's own code
/// ([`http::respond_with`] and [`add_common_headers`]) with a placeholder ETag; an answer clones
/// one (two allocations, no hashing) and puts the tile's ETag in the placeholder's place.
struct Templates {
    gzip: HeaderMap,
    plain: HeaderMap,
    not_modified: HeaderMap,
    empty: HeaderMap,
}

static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| {
    const ETAG: &str = "\"0\"";
    let sample = Encoded {
        plain: Bytes::from_static(b"x"),
        gzip: Bytes::from_static(b"y"),
        etag: ETAG.into(),
    };
    let headers = |request: &[(header::HeaderName, &'static str)]| {
        let request: HeaderMap = request
            .iter()
            .map(|(k, v)| (k.clone(), HeaderValue::from_static(v)))
            .collect();
        let mut r = http::respond_with(
            &sample,
            Some(&HeaderValue::from_static(ETAG)),
            &request,
            HeaderValue::from_static(MVT),
            HeaderValue::from_static(CACHE_TILES),
        );
        add_common_headers(&mut r);
        r.into_parts().0.headers
    };
    let mut empty = StatusCode::NO_CONTENT.into_response();
    add_common_headers(&mut empty);
    Templates {
        gzip: headers(&[(header::ACCEPT_ENCODING, "gzip")]),
        plain: headers(&[]),
        not_modified: headers(&[(header::IF_NONE_MATCH, ETAG)]),
        empty: empty.into_parts().0.headers,
    }
});

/// The fast path's answer for a held tile, as [`tile_response`] and [`add_common_headers`]
/// make it (the same status, headers in the same order, and body), with the body as bytes.
pub fn tile_answer(tile: &CachedTile, request: &HeaderMap) -> axum::http::Response<Bytes> {
    let t = &*TEMPLATES;
    let (status, mut headers, body) = if tile.encoded.plain.is_empty() {
        (StatusCode::NO_CONTENT, t.empty.clone(), Bytes::new())
    } else {
        let (status, headers, body) = match http::negotiate(tile.encoded.etag.as_bytes(), request) {
            Negotiated::NotModified => (StatusCode::NOT_MODIFIED, &t.not_modified, Bytes::new()),
            Negotiated::Gzip => (StatusCode::OK, &t.gzip, tile.encoded.gzip.clone()),
            Negotiated::Plain => (StatusCode::OK, &t.plain, tile.encoded.plain.clone()),
        };
        let mut headers = headers.clone();
        match &tile.etag {
            // Replaces the placeholder where it stands.
            Some(etag) => headers.insert(header::ETAG, etag.clone()),
            None => headers.remove(header::ETAG),
        };
        (status, headers, body)
    };
    let mut answer = axum::http::Response::new(body);
    *answer.status_mut() = status;
    std::mem::swap(answer.headers_mut(), &mut headers);
    answer
}

/// The answer to a `GET` of a tile the cache holds, or `None` (anything else, or a tile not
/// held yet: the router answers those). Counts a cache hit; a miss is counted by the router's
/// fast path, which cuts the tile.
pub fn cached_answer(
    state: &AppState,
    method: &Method,
    path: &str,
    request: &HeaderMap,
) -> Option<axum::http::Response<Bytes>> {
    let (level, coord) = fast_target(state, method, path)?;
    state
        .tile_cache
        .with_held(level, coord, |tile| tile_answer(tile, request))
}

/// The listener's [`Front`]: cached tiles answered before the router ([`cached_answer`]).
#[derive(Clone)]
pub struct CachedTiles(pub AppState);

impl Front for CachedTiles {
    fn answer(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Option<axum::http::Response<Bytes>> {
        cached_answer(&self.0, method, uri.path(), headers)
    }
}

/// The tile a request asks for, when the fast path can answer it: a `GET` of a served layer's
/// existing tile within its zooms.
fn fast_target(state: &AppState, method: &Method, path: &str) -> Option<(Level, TileCoord)> {
    if method != Method::GET {
        return None;
    }
    let (layer, z, x, y) = parse_fast(path)?;
    let level = Level::from_id(layer).filter(|l| state.tiled.contains(l))?;
    if z > state.tiles.get(&level)?.max_zoom() {
        return None;
    }
    Some((level, TileCoord::new(z, x, y)?))
}

/// Answers tile requests in front of `inner` (the router with its middleware): a cached tile at
/// once, a tile not yet cut after cutting it on the blocking pool (under [`CutLimits`]); every
/// other request goes to `inner`.
#[derive(Clone)]
pub struct TileFastPath<S> {
    state: AppState,
    inner: S,
    limits: CutLimits,
}

impl<S> TileFastPath<S> {
    /// Wraps `inner`.
    pub fn new(state: AppState, inner: S, limits: CutLimits) -> TileFastPath<S> {
        TileFastPath {
            state,
            inner,
            limits,
        }
    }
}

/// The fast path's future: a response ready at once (a cache hit), or one still being made.
pub enum TileFuture {
    /// Answered.
    Ready(Option<Response>),
    /// A cut, or the router.
    Pending(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl Future for TileFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            TileFuture::Ready(r) => Poll::Ready(Ok(r.take().unwrap_or_default())),
            TileFuture::Pending(f) => f.as_mut().poll(cx).map(Ok),
        }
    }
}

impl<S> Service<Request> for TileFastPath<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = TileFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // `inner` is made ready per call (`oneshot`), so one slow path never blocks the fast one.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> TileFuture {
        let Some((level, coord)) = fast_target(&self.state, request.method(), request.uri().path())
        else {
            let inner = self.inner.clone();
            return TileFuture::Pending(Box::pin(async move {
                match inner.oneshot(request).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                }
            }));
        };
        let cache = &self.state.tile_cache;
        let held = cache.with_held(level, coord, |tile| tile_answer(tile, request.headers()));
        // A miss is counted by `get`, which also sees a tile kept since.
        let held = held.or_else(|| {
            cache
                .get(level, coord)
                .map(|tile| tile_answer(&tile, request.headers()))
        });
        if let Some(answer) = held {
            return TileFuture::Ready(Some(answer.map(|b| {
                if b.is_empty() {
                    Body::empty()
                } else {
                    Body::from(b)
                }
            })));
        }
        let (state, limits) = (self.state.clone(), self.limits.clone());
        TileFuture::Pending(Box::pin(async move {
            let mut response = cut_and_respond(state, limits, level, coord, request).await;
            add_common_headers(&mut response);
            response
        }))
    }
}

/// Cuts a tile not in the cache, keeps it and answers with it; 503 when too many cuts are in
/// flight or the cut takes too long (it goes on, and is kept, when it finishes).
async fn cut_and_respond(
    state: AppState,
    limits: CutLimits,
    level: Level,
    coord: TileCoord,
    request: Request,
) -> Response {
    let Ok(_permit) = limits.in_flight.try_acquire() else {
        return http::unavailable(http::Unavailable::Overloaded);
    };
    let st = state.clone();
    let work = tokio::task::spawn_blocking(move || {
        let tile = cut(&st, level, coord)?;
        Ok::<_, AppError>(st.tile_cache.put(level, coord, tile))
    });
    match tokio::time::timeout(limits.timeout, work).await {
        Err(_) => http::unavailable(http::Unavailable::Timeout),
        Ok(Err(join)) => AppError::Task(join).into_response(),
        Ok(Ok(Err(e))) => e.into_response(),
        Ok(Ok(Ok(tile))) => tile_response(&tile, request.headers()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn body_bytes(body: Body) -> Vec<u8> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime
            .block_on(axum::body::to_bytes(body, usize::MAX))
            .expect("body")
            .to_vec()
    }

    fn listed(h: &HeaderMap) -> Vec<(String, Vec<u8>)> {
        h.iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[rstest]
    #[case::gzip(&[("accept-encoding", "gzip")])]
    #[case::browser(&[("accept-encoding", "gzip, deflate, br, zstd")])]
    #[case::plain(&[])]
    #[case::gzip_refused(&[("accept-encoding", "gzip;q=0")])]
    #[case::not_modified(&[("if-none-match", "{etag}"), ("accept-encoding", "gzip")])]
    #[case::other_etag(&[("if-none-match", "\"0\""), ("accept-encoding", "gzip")])]
    #[case::star(&[("if-none-match", "*")])]
    fn the_fast_answer_is_the_routers_answer_header_for_header(
        #[case] request: &[(&'static str, &str)],
    ) {
        let tiles = [
            CachedTile::new(Encoded::from_bytes(b"a tile".repeat(50)).expect("encodes")),
            CachedTile::new(Encoded::from_bytes(Vec::new()).expect("encodes")),
        ];
        let mut headers = HeaderMap::new();
        for (k, v) in request {
            let v = v.replace("{etag}", &tiles[0].encoded.etag);
            headers.insert(
                header::HeaderName::from_static(k),
                HeaderValue::from_str(&v).expect("header"),
            );
        }
        for tile in &tiles {
            let mut routed = tile_response(tile, &headers);
            add_common_headers(&mut routed);
            let fast = tile_answer(tile, &headers);
            assert_eq!(fast.status(), routed.status());
            assert_eq!(listed(fast.headers()), listed(routed.headers()));
            assert!(fast.headers().get(header::ETAG) != Some(&HeaderValue::from_static("\"0\"")));
            assert_eq!(fast.body().as_ref(), &body_bytes(routed.into_body())[..]);
        }
    }

    #[rstest]
    #[case::mvt("/tiles/lsoa21/12/2040/1361.mvt", Some(("lsoa21", 12, 2040, 1361)))]
    #[case::pbf("/tiles/lad24/0/0/0.pbf", Some(("lad24", 0, 0, 0)))]
    #[case::leading_zero("/tiles/lsoa21/01/1/1.mvt", Some(("lsoa21", 1, 1, 1)))]
    #[case::no_suffix("/tiles/lsoa21/1/1/1", None)]
    #[case::tilejson("/tiles/lsoa21.json", None)]
    #[case::trailing_slash("/tiles/lsoa21/1/1/1.mvt/", None)]
    #[case::extra_segment("/tiles/lsoa21/1/1/1/1.mvt", None)]
    #[case::sign("/tiles/lsoa21/+1/1/1.mvt", None)]
    #[case::negative("/tiles/lsoa21/1/-1/1.mvt", None)]
    #[case::escaped("/tiles/lsoa21/%31/1/1.mvt", None)]
    #[case::zoom_overflows_u8("/tiles/lsoa21/300/1/1.mvt", None)]
    #[case::empty_number("/tiles/lsoa21//1/1.mvt", None)]
    #[case::elsewhere("/api/tiles/lsoa21/1/1/1.mvt", None)]
    fn only_plain_tile_paths_take_the_fast_path(
        #[case] path: &str,
        #[case] parsed: Option<(&str, u8, u32, u32)>,
    ) {
        assert_eq!(parse_fast(path), parsed);
    }
}
