//! The JSON API. Whole-layer documents (catalogue, values, codes, labels) are encoded and
//! compressed once at start-up; per request a handler only looks them up. Area details and search
//! are built per request from precomputed indexes.

use std::collections::HashMap;
use std::io::Write;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo::InteriorPoint;
use serde::Deserialize;

use cnimap_core::api::{
    AreaDetail, AreaIndicator, IndicatorMeta, IndicatorsResponse, LayerAreasResponse, LayerMeta,
    LeftBehindStatus, NamedArea, ValuesResponse,
};
use cnimap_core::catalogue::{self, decile_meaning, Source, BOUNDARY_ATTRIBUTION};
use cnimap_core::classify::{format_thousands, DECILE_METHOD, DECILE_PUBLISHED};
use cnimap_core::left_behind::{LeftBehindRule, RankedIndex};
use cnimap_core::Level;
use cnimap_data::summary::SUMMARY_METHOD;
use cnimap_data::Atlas;

use crate::error::{ApiPath, AppError, AppResult};
use crate::state::{AppState, TILED};

/// A JSON document encoded once: plain and gzip bodies and a strong ETag.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The JSON text.
    pub json: bytes::Bytes,
    /// The same, gzip-compressed.
    pub gzip: bytes::Bytes,
    /// `"<hash>"`.
    pub etag: String,
}

impl Encoded {
    /// Encodes a value.
    pub fn new(value: &impl serde::Serialize) -> anyhow::Result<Encoded> {
        let json = serde_json::to_vec(value)?;
        Ok(Encoded::from_bytes(json)?)
    }

    /// Wraps bytes already encoded.
    pub fn from_bytes(json: Vec<u8>) -> std::io::Result<Encoded> {
        let gzip = gzip(&json)?;
        let etag = format!("\"{:016x}\"", fnv1a(&json));
        Ok(Encoded {
            json: json.into(),
            gzip: gzip.into(),
            etag,
        })
    }

    /// A response honouring `If-None-Match` and `Accept-Encoding`.
    pub fn respond(
        &self,
        headers: &HeaderMap,
        content_type: &'static str,
        cache: &'static str,
    ) -> Response {
        respond_bytes(
            headers,
            &self.json,
            &self.gzip,
            &self.etag,
            content_type,
            cache,
        )
    }
}

/// Responds with one of two bodies (plain or gzip), a strong ETag and caching headers.
pub fn respond_bytes(
    headers: &HeaderMap,
    plain: &bytes::Bytes,
    gzip: &bytes::Bytes,
    etag: &str,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut builder = Response::builder()
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "Accept-Encoding");
    if matches {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response());
    }
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    builder = builder.header(header::CONTENT_TYPE, content_type);
    let body = if accepts_gzip {
        builder = builder.header(header::CONTENT_ENCODING, "gzip");
        gzip.clone()
    } else {
        plain.clone()
    };
    builder
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// gzip at the default level.
pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

/// FNV-1a 64-bit, for ETags.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

const JSON: &str = "application/json";
const GEOJSON: &str = "application/geo+json";
/// Data documents do not change while the server runs; the ETag revalidates across restarts.
pub const CACHE_DATA: &str = "public, max-age=3600, must-revalidate";

fn areas_word(level: Level) -> &'static str {
    match level {
        Level::Ward17 | Level::Ward24 => "wards",
        Level::Lad24 | Level::Lad19 => "local authorities",
        Level::Region => "regions",
        Level::Lsoa21 | Level::Lsoa11 => "neighbourhoods",
    }
}

/// Every source's attribution and the boundaries'.
pub fn attribution() -> Vec<String> {
    let mut v: Vec<String> = Source::ALL
        .iter()
        .map(|s| s.attribution().to_string())
        .collect();
    v.push(BOUNDARY_ATTRIBUTION.to_string());
    v.push("Postcodes and place names: ONS Postcode Directory 2017 and ONS/House of Commons Library names, Open Government Licence v3.0.".to_string());
    v
}

fn indicator_meta(atlas: &Atlas) -> IndicatorsResponse {
    let indicators = atlas
        .indicators
        .iter()
        .map(|v| {
            let d = v.def;
            IndicatorMeta {
                id: d.id.to_string(),
                title: d.title.to_string(),
                description: d.description.to_string(),
                source: serde_json::to_value(d.source)
                    .ok()
                    .and_then(|s| s.as_str().map(str::to_string))
                    .unwrap_or_default(),
                source_title: d.source.title().to_string(),
                year: d.year(),
                layer: d.level(),
                rank_phrase: d.direction().rank_phrase().to_string(),
                decile_one: d.direction().decile_one_phrase(areas_word(d.level())),
                parent: d.parent.map(str::to_string),
                has_score: d.has_score,
                decile_published: d.decile_published,
                decile_method: if d.decile_published {
                    DECILE_PUBLISHED
                } else {
                    DECILE_METHOD
                }
                .to_string(),
                n_ranked: v.n_ranked,
                attribution: d.source.attribution().to_string(),
            }
        })
        .collect();
    let layers = TILED
        .iter()
        .filter_map(|l| atlas.layer(*l))
        .map(|l| LayerMeta {
            id: l.level,
            title: l.title.clone(),
            features: l.len() as u32,
            tilejson: format!("/tiles/{}.json", l.level.id()),
        })
        .collect();
    IndicatorsResponse {
        indicators,
        layers,
        attribution: attribution(),
    }
}

/// Encodes every whole-layer document once.
pub fn encode_documents(atlas: &Atlas) -> anyhow::Result<HashMap<String, Encoded>> {
    let mut docs = HashMap::new();
    docs.insert(
        "/api/indicators".to_string(),
        Encoded::new(&indicator_meta(atlas))?,
    );
    for v in &atlas.indicators {
        let layer = v.def.level();
        let doc = ValuesResponse {
            layer,
            indicator: v.def.id.to_string(),
            n_ranked: v.n_ranked,
            decile: v.decile.clone(),
            rank: v.rank.clone(),
            score: v.score.clone(),
            decile_counts: v.decile_counts,
        };
        docs.insert(
            format!("/api/values/{}/{}", layer.id(), v.def.id),
            Encoded::new(&doc)?,
        );
    }
    for layer in atlas.layers.values() {
        let doc = LayerAreasResponse {
            layer: layer.level,
            codes: layer.codes.clone(),
            names: layer.names.clone(),
        };
        docs.insert(
            format!("/api/layers/{}", layer.level.id()),
            Encoded::new(&doc)?,
        );
        if LABELLED.contains(&layer.level) {
            docs.insert(
                format!("/api/labels/{}", layer.level.id()),
                Encoded::new(&labels(layer))?,
            );
        }
    }
    Ok(docs)
}

/// Layers with label points (the browser shows LSOA names only when zoomed in close).
pub const LABELLED: [Level; 5] = [
    Level::Region,
    Level::Lad24,
    Level::Ward17,
    Level::Lsoa21,
    Level::Lsoa11,
];

/// Label points (an interior point of each area's largest part) as GeoJSON.
fn labels(layer: &cnimap_data::AreaLayer) -> serde_json::Value {
    let mut features = Vec::new();
    // The lightest outlines are plenty to place a label.
    if let Some(g) = layer.geometry.first() {
        for (i, mp) in &g.features {
            let largest = mp.0.iter().max_by(|a, b| {
                use geo::Area;
                a.unsigned_area().total_cmp(&b.unsigned_area())
            });
            let Some(p) = largest.and_then(|p| p.interior_point()) else {
                continue;
            };
            features.push(serde_json::json!({
                "type": "Feature",
                "id": i,
                "geometry": {"type": "Point", "coordinates": [round6(p.x()), round6(p.y())]},
                "properties": {"code": layer.codes[*i as usize], "name": layer.names[*i as usize]},
            }));
        }
    }
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn document(
    state: &AppState,
    key: &str,
    headers: &HeaderMap,
    content_type: &'static str,
) -> Option<Response> {
    state
        .documents
        .get(key)
        .map(|d| d.respond(headers, content_type, CACHE_DATA))
}

fn parse_layer(id: &str) -> AppResult<Level> {
    Level::from_id(id)
        .filter(|l| TILED.contains(l))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "unknown layer {id:?}: use one of lsoa21, lsoa11, ward17, lad24, region"
            ))
        })
}

/// `GET /api/health`.
pub async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    let areas: serde_json::Map<String, serde_json::Value> = state
        .atlas
        .layers
        .values()
        .map(|l| (l.level.id().to_string(), l.len().into()))
        .collect();
    let startup: serde_json::Map<String, serde_json::Value> = state
        .startup
        .iter()
        .map(|(k, v)| (k.clone(), (*v as u64).into()))
        .collect();
    Json(serde_json::json!({"status": "ok", "areas": areas, "startup_ms": startup}))
}

/// `GET /api/indicators`.
pub async fn indicators(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    document(&state, "/api/indicators", &headers, JSON)
        .ok_or_else(|| AppError::Internal("catalogue not encoded".into()))
}

/// `GET /api/values/{layer}/{indicator}`.
pub async fn values(
    State(state): State<AppState>,
    ApiPath((layer, indicator)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let level = parse_layer(&layer)?;
    let def = catalogue::find(&indicator).ok_or_else(|| {
        AppError::NotFound(format!(
            "unknown indicator {indicator:?}: see /api/indicators for the list"
        ))
    })?;
    if def.level() != level {
        return Err(AppError::NotFound(format!(
            "indicator {} is published for layer {}, not {}",
            def.id,
            def.level().id(),
            level.id()
        )));
    }
    document(
        &state,
        &format!("/api/values/{}/{}", level.id(), def.id),
        &headers,
        JSON,
    )
    .ok_or_else(|| AppError::NotFound(format!("no values loaded for {}", def.id)))
}

/// `GET /api/layers/{layer}`.
pub async fn layer_areas(
    State(state): State<AppState>,
    ApiPath(layer): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    layer_document(&state, "layers", &layer, &headers, JSON)
}

/// `GET /api/labels/{layer}`: label points as GeoJSON.
pub async fn labels_handler(
    State(state): State<AppState>,
    ApiPath(layer): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    layer_document(&state, "labels", &layer, &headers, GEOJSON)
}

/// A whole-layer document (`/api/{kind}/{layer}`) encoded at start-up.
fn layer_document(
    state: &AppState,
    kind: &str,
    layer: &str,
    headers: &HeaderMap,
    content_type: &'static str,
) -> AppResult<Response> {
    let level = parse_layer(layer)?;
    document(
        state,
        &format!("/api/{kind}/{}", level.id()),
        headers,
        content_type,
    )
    .ok_or_else(|| AppError::NotFound(format!("layer {layer} has no {kind}")))
}

fn is_code(s: &str) -> bool {
    s.len() == 9
        && s.is_char_boundary(1)
        && s[..1].chars().all(|c| c.is_ascii_uppercase())
        && s[1..].chars().all(|c| c.is_ascii_digit())
}

/// `GET /api/areas/{code}`.
pub async fn area(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Json<AreaDetail>> {
    let code = code.trim().to_ascii_uppercase();
    if !is_code(&code) {
        return Err(AppError::BadRequest(format!(
            "{code:?} is not an ONS area code: expected a letter and 8 digits, like E01021988"
        )));
    }
    area_detail(&state, &code).map(Json)
}

/// Everything about one area.
pub fn area_detail(state: &AppState, code: &str) -> AppResult<AreaDetail> {
    let atlas = &state.atlas;
    let (level, index) = [
        Level::Lsoa21,
        Level::Lsoa11,
        Level::Ward17,
        Level::Lad24,
        Level::Region,
    ]
    .iter()
    .find_map(|l| {
        atlas
            .layer(*l)
            .and_then(|layer| layer.find(code))
            .map(|i| (*l, i))
    })
    .ok_or_else(|| AppError::NotFound(format!("no area with code {code} in the data")))?;
    let Some(layer) = atlas.layer(level) else {
        return Err(AppError::Internal(format!("layer {level} vanished")));
    };
    let i = index as usize;
    let name = layer.names[i].clone();
    let areas = areas_word(level);
    let indicators: Vec<AreaIndicator> = atlas
        .indicators
        .iter()
        .filter(|v| v.def.level() == level)
        .map(|v| AreaIndicator {
            id: v.def.id.to_string(),
            title: v.def.title.to_string(),
            score: v.score.as_ref().and_then(|s| s[i]),
            rank: v.rank[i],
            of: v.n_ranked,
            decile: v.decile[i],
            meaning: decile_meaning(v.def.direction(), v.decile[i].unwrap_or(0), areas),
        })
        .chain(summary_indicators(atlas, level, code))
        .collect();
    let (neighbourhood, ward, lad, region) = parents(atlas, level, code, &name);
    let left_behind = left_behind(atlas, level, i);
    let neighbours = state
        .adjacency
        .get(&level)
        .map(|a| {
            a.of(index)
                .iter()
                .map(|n| NamedArea {
                    code: layer.codes[*n as usize].clone(),
                    name: layer.names[*n as usize].clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let bbox_wgs84 = layer.bbox_wgs84[i]
        .or_else(|| {
            atlas
                .lookups
                .ward_centroids
                .get(code)
                .map(|[x, y]| [*x, *y, *x, *y])
        })
        .unwrap_or([-6.4, 49.8, 1.8, 55.9]);
    Ok(AreaDetail {
        code: code.to_string(),
        name,
        level,
        feature_index: index,
        neighbourhood,
        ward,
        lad,
        region,
        bbox_wgs84,
        indicators,
        left_behind,
        neighbours,
    })
}

fn summary_indicators(atlas: &Atlas, level: Level, code: &str) -> Vec<AreaIndicator> {
    if !matches!(level, Level::Lad24 | Level::Region) {
        return Vec::new();
    }
    atlas
        .summaries
        .for_area(level, code)
        .into_iter()
        .filter_map(|(id, s)| {
            let def = catalogue::find(id)?;
            let worst = match def.direction() {
                catalogue::Direction::MostDeprivedFirst => "most deprived",
                catalogue::Direction::HighestNeedFirst => "highest-need",
            };
            Some(AreaIndicator {
                id: id.to_string(),
                title: def.title.to_string(),
                score: Some((s.average_rank * 10.0).round() / 10.0),
                rank: Some(s.rank_of_average_rank),
                of: s.of,
                decile: None,
                meaning: format!(
                    "{:.0}% of its {} neighbourhoods are among the 10% {worst} in England; average rank {} (score shown). {SUMMARY_METHOD}",
                    s.share_decile1 * 100.0,
                    format_thousands(s.n_lsoas),
                    format_thousands(s.average_rank.round() as u32),
                ),
            })
        })
        .collect()
}

type Parents = (
    Option<String>,
    Option<NamedArea>,
    Option<NamedArea>,
    Option<NamedArea>,
);

fn parents(atlas: &Atlas, level: Level, code: &str, name: &str) -> Parents {
    let l = &atlas.lookups;
    match level {
        Level::Lsoa21 => {
            let p = l.lsoa21.get(code);
            let region = p.and_then(|p| l.lad24_region.get(&p.lad.code)).cloned();
            (
                l.neighbourhood(name, true).map(str::to_string),
                p.map(|p| p.ward.clone()),
                p.map(|p| p.lad.clone()),
                region,
            )
        }
        Level::Lsoa11 => {
            let p = l.lsoa11.get(code);
            let region = p
                .and_then(|p| {
                    l.lad19_region
                        .get(&p.lad.code)
                        .or_else(|| l.lad24_region.get(&p.lad.code))
                })
                .cloned();
            (
                l.neighbourhood(name, false).map(str::to_string),
                p.map(|p| p.ward.clone()),
                p.map(|p| p.lad.clone()),
                region,
            )
        }
        Level::Ward17 => {
            let lad = l.ward17_lad.get(code).cloned();
            let region = lad
                .as_ref()
                .and_then(|p| {
                    l.lad19_region
                        .get(&p.code)
                        .or_else(|| l.lad24_region.get(&p.code))
                })
                .cloned();
            (None, None, lad, region)
        }
        Level::Lad24 => (None, None, None, l.lad24_region.get(code).cloned()),
        _ => (None, None, None, None),
    }
}

fn left_behind(atlas: &Atlas, level: Level, i: usize) -> Option<LeftBehindStatus> {
    match level {
        Level::Lsoa21 => {
            let (cni, imd) = (atlas.values("cni2023")?, atlas.values("imd2025")?);
            let rule = LeftBehindRule::default();
            let a = RankedIndex {
                title: "Community Needs Index 2023",
                direction: cni.def.direction(),
                n: cni.n_ranked,
            };
            let b = RankedIndex {
                title: "IMD 2025",
                direction: imd.def.direction(),
                n: imd.n_ranked,
            };
            let (ra, rb) = (cni.rank[i], imd.rank[i]);
            let flag =
                matches!((ra, rb), (Some(x), Some(y)) if rule.is_left_behind(x, a.n, y, b.n));
            Some(LeftBehindStatus {
                left_behind: flag,
                method: rule.explain(&a, ra, &b, rb),
            })
        }
        Level::Ward17 => {
            let flag = *atlas.cni2019_official.get(i)?;
            Some(LeftBehindStatus {
                left_behind: flag,
                method: format!(
                    "{} the official list of 225 left-behind wards (OCSI for Local Trust, 2019: the worst 10% on both the Community Needs Index 2019 and the IMD 2019).",
                    if flag { "On" } else { "Not on" }
                ),
            })
        }
        _ => None,
    }
}

/// Query string of `/api/search`.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
}

/// `GET /api/search?q=...&limit=...`.
pub async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<cnimap_core::api::SearchResponse>> {
    let Query(params) = params
        .map_err(|e| AppError::BadRequest(format!("malformed query string: {}", e.body_text())))?;
    let q = params.q.ok_or_else(|| {
        AppError::BadRequest("missing query: use /api/search?q=CO15%202EQ".into())
    })?;
    let limit = match params.limit.as_deref() {
        None | Some("") => 10,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "limit must be a whole number from 1 to 50, not {s:?}"
                ))
            })?,
    };
    let mut response = state
        .search
        .search(&q, limit)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    // Fill in what the gazetteer lacks: bounding boxes of areas we hold.
    for hit in &mut response.hits {
        if hit.bbox_wgs84.is_none() {
            let code = hit.code.clone().or_else(|| hit.lsoa21.clone());
            if let Some((level, i)) = code.as_deref().and_then(|c| state.atlas.find_area(c)) {
                let is_point = matches!(
                    hit.kind,
                    cnimap_core::api::HitKind::Postcode
                        | cnimap_core::api::HitKind::PostcodeSector
                        | cnimap_core::api::HitKind::PostcodeOutcode
                );
                if !is_point || hit.code.is_none() {
                    hit.bbox_wgs84 = state
                        .atlas
                        .layer(level)
                        .and_then(|l| l.bbox_wgs84[i as usize]);
                }
            }
        }
    }
    Ok(Json(response))
}
