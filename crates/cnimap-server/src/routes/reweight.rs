//! `GET /api/reweight?index=imd2025|imd2019|cni2023&weights=..&format=csv|json`: a combined index
//! rebuilt from its domain ranks with other weights ([`cnimap_core::reweight`]), beside the
//! official ranks, with the areas that moved into or out of the worst 10%. A bad index, weight
//! list or format is a 400 naming the bad part. [`compute`] and [`render`] are shared with
//! `cnimap reweight`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use cnimap_core::classify::decile_from_rank;
use cnimap_core::reweight::{
    CompositeIndex, Reproduction, ReweightArea, ReweightResponse, TopDecileMoves, TopDecileReport,
    Weights,
};
use cnimap_data::domain_ranks::{self, IndexInputs};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// `text/csv; charset=utf-8`.
pub const CSV: &str = "text/csv; charset=utf-8";

/// Output format of `reweight` and `change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Format {
    /// CSV: a `# ` comment line with the method, a header row, one row per area.
    #[default]
    Csv,
    /// JSON.
    Json,
}

impl Format {
    /// Parses `csv` or `json`, naming the bad value otherwise.
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "format {:?}: use csv or json",
                other.chars().take(40).collect::<String>()
            )),
        }
    }
}

/// Re-weights `inputs` and compares with the official ranks.
pub fn compute(inputs: &IndexInputs, weights: &Weights) -> ReweightResponse {
    let combined = inputs.domains.combine(weights);
    let n = inputs.codes.len();
    let n32 = u32::try_from(n).unwrap_or(u32::MAX);
    let area = |i: usize| ReweightArea {
        code: inputs.codes[i].clone(),
        name: inputs.names[i].clone().unwrap_or_default(),
        score: combined.score[i],
        rank: combined.rank[i],
        decile: combined.decile[i],
        official_rank: inputs.published_rank[i],
        official_decile: decile_from_rank(inputs.published_rank[i], n32).unwrap_or(10),
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| inputs.codes[a].cmp(&inputs.codes[b]));
    let moves = TopDecileMoves::between(&inputs.published_rank, &combined.decile, n);
    let by_rank = |mut v: Vec<ReweightArea>| {
        v.sort_by_key(|a| (a.rank, a.official_rank));
        v
    };
    ReweightResponse {
        index: inputs.index,
        weights: inputs
            .index
            .domains()
            .iter()
            .zip(weights.percent())
            .map(|(d, p)| (d.key.to_string(), *p))
            .collect(),
        official: weights.is_official(),
        method: weights.method_sentence(),
        n,
        against_official: Reproduction::compare(&combined.rank, &inputs.published_rank),
        top_decile: TopDecileReport {
            entered: by_rank(moves.entered.iter().map(|&i| area(i)).collect()),
            left: by_rank(moves.left.iter().map(|&i| area(i)).collect()),
            summary: moves.summary(inputs.index),
        },
        areas: order.into_iter().map(area).collect(),
    }
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Encodes the response: `(content type, body)`.
pub fn render(resp: &ReweightResponse, format: Format) -> (&'static str, Vec<u8>) {
    match format {
        Format::Json => (
            crate::http::JSON,
            serde_json::to_vec(resp).unwrap_or_default(),
        ),
        Format::Csv => {
            let mut out = String::with_capacity(resp.areas.len() * 64);
            out.push_str("# ");
            out.push_str(&resp.method.replace('\n', " "));
            out.push('\n');
            out.push_str("code,name,score,rank,decile,official_rank,official_decile\n");
            for a in &resp.areas {
                out.push_str(&format!(
                    "{},{},{:.3},{},{},{},{}\n",
                    csv_field(&a.code),
                    csv_field(&a.name),
                    a.score,
                    a.rank,
                    a.decile,
                    a.official_rank,
                    a.official_decile
                ));
            }
            (CSV, out.into_bytes())
        }
    }
}

/// The query string of `/api/reweight`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// `imd2025`, `imd2019` or `cni2023`.
    #[param(required = true, inline, value_type = CompositeIndex, example = "imd2025")]
    pub index: Option<String>,
    /// `official` (default), `equal`, a domain, or `domain=number,...`.
    #[param(
        example = "income=30,employment=20,education=20,health=10,crime=10,housing=5,environment=5"
    )]
    pub weights: Option<String>,
    /// `json` (default) or `csv`.
    #[param(inline, value_type = Option<Format>)]
    pub format: Option<String>,
}

/// `index`'s domain ranks, transformed once per server ([`crate::state::Derived`]).
pub fn inputs(state: &AppState, index: CompositeIndex) -> AppResult<Arc<IndexInputs>> {
    let slot = CompositeIndex::ALL
        .iter()
        .position(|i| *i == index)
        .unwrap_or(usize::MAX);
    state.derived.inputs(slot, || {
        if state.build.is_some() {
            // From a build: the index's values documents, as the browser's what-if panel reads.
            return crate::build::answers::index_inputs(&state.documents, index).map_err(|e| {
                tracing::info!(error = %e, %index, "no domain ranks in the build");
                AppError::NotFound(format!("{index} is not in this server's build"))
            });
        }
        domain_ranks::from_atlas(&state.atlas, index)
            .ok_or_else(|| AppError::NotFound(format!("{index} is not loaded in this server")))?
            .map_err(|e| {
                tracing::error!(error = %e, "domain ranks in the atlas");
                AppError::Invariant("the loaded domain ranks do not make a valid index")
            })
    })
}

/// `GET /api/reweight`.
#[utoipa::path(
    get,
    path = "/api/reweight",
    tag = "what-if",
    params(Params),
    responses(
        (status = 200, description = "The index rebuilt with the weights, beside the official ranks: JSON (default) or CSV (a `# method` line, a header row, one row per area)", content(
            (ReweightResponse = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A missing or unknown index, a bad weight list or format, naming the part", body = cnimap_core::api::ErrorBody),
        (status = 404, description = "The index is not loaded (or, from a build, its values documents are not in it)", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn reweight(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> AppResult<Response> {
    let index = CompositeIndex::parse(p.index.as_deref().ok_or_else(|| {
        AppError::BadRequest("index is required: imd2025, imd2019 or cni2023".into())
    })?)
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let weights = Weights::parse(index, p.weights.as_deref().unwrap_or("official"))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let format = match p.format.as_deref() {
        None => Format::Json,
        Some(f) => Format::parse(f).map_err(AppError::BadRequest)?,
    };
    // Transforming 7 x 33,755 ranks, summing, sorting and encoding takes milliseconds: off the
    // async workers.
    let (content_type, body) = tokio::task::spawn_blocking(move || {
        // The domains are transformed once per server; a request re-weights and sorts.
        let inputs = inputs(&state, index)?;
        Ok::<_, AppError>(render(&compute(&inputs, &weights), format))
    })
    .await??;
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(res)
}
