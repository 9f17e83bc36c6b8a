//! `GET /api/table?level=..&columns=..&filter=..&filter=..&sort=..&weights=..&format=csv|json`:
//! the table query language of [`cnimap_core::table`] over the frames prepared at start-up (with
//! the custom index of `weights` computed per request); a bad query is a 400 whose message names
//! the part that is wrong. [`render`] is shared with `cnimap table`.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use cnimap_core::table::{self, TableFrame, TableQuery};

use crate::error::{AppError, AppResult};
use crate::http::JSON;
use crate::state::AppState;

/// `text/csv; charset=utf-8`.
pub const CSV: &str = "text/csv; charset=utf-8";

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Format {
    /// CSV: a `# ` comment line (sources, editions, methods), a header row of column ids, rows.
    #[default]
    Csv,
    /// The JSON `TableResponse`.
    Json,
}

impl Format {
    /// Parses `csv` or `json`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Runs `query` over `frame` and encodes the rows: `(content type, body)`.
pub fn render(
    frame: &TableFrame,
    query: &TableQuery,
    format: Format,
) -> Result<(&'static str, Vec<u8>), table::TableError> {
    let custom = table::custom::for_query(frame, query)?;
    let custom = custom.as_ref();
    let rows = table::run(frame, custom, query)?;
    Ok(match format {
        Format::Csv => (CSV, table::to_csv(frame, custom, query, &rows).into_bytes()),
        Format::Json => (
            JSON,
            serde_json::to_vec(&table::to_response(frame, custom, query, &rows))
                .unwrap_or_default(),
        ),
    })
}

/// The parameters of a table request, before the query is parsed.
#[derive(Debug, Default, Clone, PartialEq, Eq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// `level`: the rows, `lsoa21`, `lsoa11`, `ward17`, `ward24`, `lad24` or `region`.
    #[param(required = true, value_type = String, example = "lad24")]
    pub level: Option<String>,
    /// Every `columns` value: column ids after `code` and `name`, comma-separated
    /// (`<indicator>.<measure>` or a parent's `code`/`name`); may repeat.
    #[param(required = false, style = Form, explode, example = json!(["imd2025.share_decile1,region.name"]))]
    pub columns: Vec<String>,
    /// Every `filter` value: one criterion each, all must hold (`imd2025.decile=1..2`,
    /// `imd2025.rank<=100`, `lad24=E06000002`, `left_behind=20`, `bivariate=1x1`); may repeat.
    #[param(rename = "filter", required = false, style = Form, explode, example = json!(["imd2025.share_decile1>=0.2"]))]
    pub filters: Vec<String>,
    /// `sort`: one column, `:asc` or `:desc` may follow (default: the worst first).
    #[param(example = "imd2025.share_decile1:desc")]
    pub sort: Option<String>,
    /// `format`: `csv` (default) or `json`.
    #[param(inline, value_type = Option<Format>)]
    pub format: Option<String>,
    /// `weights`: the custom index of the `custom.score`, `custom.rank` and `custom.decile`
    /// columns and filters, `INDEX:WEIGHTS` (`imd2025:income=30,employment=30,health=40`,
    /// `cni2023:equal`, `imd2019:official`, `imd2025:health` for one domain only), the words of
    /// `/api/reweight`; at the index's own level (lsoa21 for imd2025 and cni2023, lsoa11 for
    /// imd2019).
    #[param(example = "imd2025:income=30,employment=30,health=40")]
    pub weights: Option<String>,
}

/// Decodes `%XX` escapes and `+` (a space) in one query-string component.
pub(crate) fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("malformed percent-escape in {s:?}"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

impl Params {
    /// Reads a raw query string; `filter` and `columns` may repeat, the others may not, and an
    /// unknown key is refused by name (so `filters=` is not silently ignored).
    pub fn from_query(raw: &str) -> Result<Params, String> {
        let mut p = Params::default();
        for (k, v) in query_pairs(raw)? {
            match k.as_str() {
                "level" => set_once(&mut p.level, &k, v)?,
                "sort" => set_once(&mut p.sort, &k, v)?,
                "format" => set_once(&mut p.format, &k, v)?,
                "weights" => set_once(&mut p.weights, &k, v)?,
                "columns" => p.columns.push(v),
                "filter" => p.filters.push(v),
                _ => {
                    return Err(format!(
                    "unknown parameter {:?}: use level, columns, filter, sort, weights and format",
                    k.chars().take(40).collect::<String>()
                ))
                }
            }
        }
        Ok(p)
    }
}

/// The decoded `key=value` pairs of a raw query string, in order (a key without `=` has an empty
/// value), for the routes whose parameters may repeat.
pub(crate) fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, String> {
    raw.split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Puts the value of parameter `key` in `slot`, refusing a parameter given twice.
pub(crate) fn set_once(slot: &mut Option<String>, key: &str, value: String) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("parameter {key:?} given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// `GET /api/table`.
#[utoipa::path(
    get,
    path = "/api/table",
    tag = "table",
    params(Params),
    responses(
        (status = 200, description = "The rows that pass the filters, sorted: CSV (default: a `# ` comment line naming level, count, query, sources and methods, a header row of column ids, the rows) or the JSON `TableResponse`", content(
            (String = "text/csv"),
            (cnimap_core::api::TableResponse = "application/json"),
        )),
        (status = 400, description = "A query that does not parse, naming the part that is wrong (unknown or repeated parameter, unknown indicator, decile 11, an empty range, ...)", body = cnimap_core::api::ErrorBody),
        (status = 404, description = "No table data for the level in this server", body = cnimap_core::api::ErrorBody),
    )
)]
pub async fn table(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let params = Params::from_query(raw.as_deref().unwrap_or("")).map_err(AppError::BadRequest)?;
    let format = match params.format.as_deref() {
        None => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| {
            AppError::BadRequest(format!(
                "format {:?}: use csv or json",
                f.chars().take(40).collect::<String>()
            ))
        })?,
    };
    let level = params.level.as_deref().ok_or_else(|| {
        AppError::BadRequest(
            "level is required: lsoa21, lsoa11, ward17, ward24, lad24 or region".into(),
        )
    })?;
    let query = TableQuery::parse_with_weights(
        level,
        &params.columns,
        &params.filters,
        params.sort.as_deref(),
        params.weights.as_deref(),
    )?;
    if query.areas {
        return Err(AppError::BadRequest(
            "level=areas: your areas come from your boundary file: POST it to /api/areas with the same columns, filter and sort words (or use `cnimap areas --boundaries FILE --columns ...`)".into(),
        ));
    }
    // Filtering and sorting 33,755 rows and encoding them takes milliseconds: off the async
    // workers.
    let (content_type, body) = tokio::task::spawn_blocking(move || {
        let frame = state.table_frame(query.level)?;
        render(&frame, &query, format).map_err(AppError::from)
    })
    .await??;
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_repeat_filters_and_refuse_unknown_or_repeated_keys() {
        let p = Params::from_query(
            "level=lsoa21&filter=imd2025.decile%3D1&filter=imd2025.rank<=100&columns=a,b&sort=x+y",
        )
        .expect("parses");
        assert_eq!(p.level.as_deref(), Some("lsoa21"));
        assert_eq!(p.filters, ["imd2025.decile=1", "imd2025.rank<=100"]);
        assert_eq!(p.sort.as_deref(), Some("x y"));
        assert!(Params::from_query("filters=x").is_err_and(|e| e.contains("unknown parameter")));
        assert!(Params::from_query("level=a&level=b").is_err_and(|e| e.contains("twice")));
        assert!(Params::from_query("level=%zz").is_err_and(|e| e.contains("percent-escape")));
        assert!(Params::from_query("level=%ff").is_err_and(|e| e.contains("UTF-8")));
    }
}
