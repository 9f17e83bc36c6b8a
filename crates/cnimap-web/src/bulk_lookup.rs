//! Bulk postcode lookup in the browser (issue 13), run in the tools worker (`cnimap-worker`, so
//! the page stays responsive and the main wasm does not link the lookup, issue 15): a CSV in, the
//! same CSV out with each row's neighbourhood, council, IMD 2025 and CNI 2023 appended, by the
//! same code as `cnimap lookup` and `POST /api/lookup` ([`cnimap_core::bulk::augment`]).
//!
//! On a static site nothing leaves the browser: the file is read twice by `augment`, first with a
//! locator that only notes the postcodes (so they are read exactly as the lookup reads them), then
//! the postcode shards of their outcodes are fetched (`search/postcodes/<OUTCODE>.bin`, the same
//! files the search box uses) with the areas document (`api/lookup/areas.json`), and the second
//! pass looks every row up. On a cnimap server the file is posted to `POST /api/lookup`, which runs
//! the same pass.

use std::cell::RefCell;
use std::collections::BTreeSet;

use cnimap_core::bulk::{
    augment, AreaTable, BatchSummary, Located, LookupAreasDocument, LookupRequest, PostcodeLocator,
};
use cnimap_core::left_behind::LeftBehindRule;

use crate::global_fetch::{body_bytes, fetch};
use crate::search_static;
pub use crate::worker_protocol::{Progress, MAX_ROWS};

/// The result: the augmented CSV and the batch summary.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Every input row in order, with the columns appended.
    pub csv: Vec<u8>,
    /// Rows per status, per IMD 2025 decile, left behind.
    pub summary: BatchSummary,
}

/// Notes the postcodes the lookup reads, and says each is not in the file.
#[derive(Default)]
struct Recorder(RefCell<Vec<String>>);

impl PostcodeLocator for Recorder {
    fn locate(&self, postcode: &str) -> Located {
        self.0.borrow_mut().push(postcode.to_string());
        Located::NotInFile
    }
}

fn request(column: Option<String>) -> LookupRequest {
    LookupRequest {
        column,
        max_rows: Some(MAX_ROWS),
    }
}

/// Looks up every row of `bytes` (a CSV) with the postcode column `column` (found by name when
/// `None`), reporting progress: on a static site (`static_base`, its root folder) here, from the
/// compact search index and the areas document at `areas_url`; on a server through `lookup_url`.
pub async fn run(
    static_base: Option<&str>,
    areas_url: &str,
    lookup_url: Option<&str>,
    bytes: &[u8],
    column: Option<String>,
    progress: impl Fn(Progress),
) -> Result<Outcome, String> {
    match (static_base, lookup_url) {
        (Some(base), _) => run_here(base, areas_url, bytes, column, progress).await,
        (None, Some(url)) => run_on_server(url, bytes, column, progress).await,
        (None, None) => Err("This copy of the map has no cnimap server.".into()),
    }
}

async fn run_here(
    base: &str,
    areas_url: &str,
    bytes: &[u8],
    column: Option<String>,
    progress: impl Fn(Progress),
) -> Result<Outcome, String> {
    progress(Progress::Reading);
    let request = request(column);
    let rule = LeftBehindRule::default();
    // Pass 1: the postcodes, as the lookup reads them (a bad file stops here, with its message).
    let recorder = Recorder::default();
    augment(
        bytes,
        std::io::sink(),
        &recorder,
        &AreaTable::new(rule),
        &request,
    )
    .map_err(|e| e.to_string())?;
    let postcodes = recorder.0.into_inner();

    let index = search_static::loaded_index(base)
        .await
        .map_err(|e| e.to_string())?;
    let outcodes: BTreeSet<String> = {
        let index = index.borrow();
        postcodes
            .iter()
            .flat_map(|p| index.shards_needed(p))
            .collect()
    };
    let of = outcodes.len();
    progress(Progress::Fetching { done: 0, of });
    let doc: LookupAreasDocument = fetch_json(areas_url).await?;
    search_static::add_shards(base, &index, outcodes.into_iter().collect(), |done| {
        progress(Progress::Fetching { done, of })
    })
    .await
    .map_err(|e| e.to_string())?;

    progress(Progress::LookingUp);
    let table = AreaTable::from_document(&doc, rule);
    let mut csv = Vec::with_capacity(bytes.len() * 2);
    let summary =
        augment(bytes, &mut csv, &*index.borrow(), &table, &request).map_err(|e| e.to_string())?;
    Ok(Outcome { csv, summary })
}

/// Fetches `url` and decodes its JSON.
async fn fetch_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, String> {
    let unreachable = |e: String| format!("{url} could not be fetched: {e}");
    let response = fetch(url, None).await.map_err(unreachable)?;
    if !response.ok() {
        return Err(format!(
            "{url} answered {}: this copy of the site may be incomplete.",
            response.status()
        ));
    }
    let body = body_bytes(&response).await.map_err(unreachable)?;
    serde_json::from_slice(&body).map_err(|e| format!("{url} is not what was expected: {e}"))
}

async fn run_on_server(
    url: &str,
    bytes: &[u8],
    column: Option<String>,
    progress: impl Fn(Progress),
) -> Result<Outcome, String> {
    progress(Progress::Sent);
    let mut url = url.to_string();
    if let Some(c) = &column {
        url.push_str("?column=");
        url.push_str(&crate::endpoints::encode(c));
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let body = js_sys::Uint8Array::from(bytes);
    init.set_body(&body);
    let response = fetch(&url, Some(&init)).await?;
    let answer = body_bytes(&response).await?;
    if !response.ok() {
        let message = serde_json::from_slice::<cnimap_core::api::ErrorBody>(&answer)
            .map(|b| b.message)
            .unwrap_or_else(|_| format!("The server answered {}.", response.status()));
        return Err(message);
    }
    let summary = response
        .headers()
        .get("cnimap-lookup-summary")
        .map_err(|e| crate::global_fetch::js_message(&e))?
        .ok_or("The server sent no summary with the lookup.")?;
    let summary: BatchSummary = serde_json::from_str(&summary).map_err(|e| e.to_string())?;
    Ok(Outcome {
        csv: answer,
        summary,
    })
}
