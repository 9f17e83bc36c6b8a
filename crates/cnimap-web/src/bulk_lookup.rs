//! Bulk postcode lookup in the browser (issue 13): a CSV in, the same CSV out with each row's
//! neighbourhood, council, IMD 2025 and CNI 2023 appended, by the same code as `cnimap lookup`
//! and `POST /api/lookup` ([`cnimap_core::bulk::augment`]).
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
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api;
use crate::search_static;

/// The most data rows looked up in the browser (as `POST /api/lookup` takes).
pub const MAX_ROWS: u64 = 100_000;

/// How far a lookup has got, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Reading the file for its postcodes.
    Reading,
    /// Fetching postcode files: `done` of `of` outcodes.
    Fetching {
        /// Outcodes fetched.
        done: usize,
        /// Outcodes to fetch.
        of: usize,
    },
    /// Looking every row up.
    LookingUp,
    /// Sent to the server, waiting for its answer.
    Sent,
}

impl Progress {
    /// The bar's value out of 100.
    pub fn percent(self) -> f64 {
        match self {
            Progress::Reading => 2.0,
            Progress::Fetching { done, of } => 5.0 + 85.0 * done as f64 / of.max(1) as f64,
            Progress::LookingUp => 95.0,
            Progress::Sent => 50.0,
        }
    }

    /// In words, for the live region.
    pub fn words(self) -> String {
        match self {
            Progress::Reading => "Reading the file…".into(),
            Progress::Fetching { done, of } => {
                format!("Fetching postcode files: {done} of {of} postcode areas")
            }
            Progress::LookingUp => "Looking up every row…".into(),
            Progress::Sent => "Sent to the cnimap server; waiting for the answer…".into(),
        }
    }
}

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
/// `None`), reporting progress; on a static site in the browser, on a server through it.
pub async fn run(
    bytes: &[u8],
    column: Option<String>,
    progress: impl Fn(Progress),
) -> Result<Outcome, String> {
    match api::static_base() {
        Some(base) => run_here(&base, bytes, column, progress).await,
        None => run_on_server(bytes, column, progress).await,
    }
}

async fn run_here(
    base: &str,
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
    let areas_url = api::endpoints().lookup_areas();
    let doc: LookupAreasDocument = api::get_json(&areas_url).await.map_err(|e| e.to_string())?;
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

async fn run_on_server(
    bytes: &[u8],
    column: Option<String>,
    progress: impl Fn(Progress),
) -> Result<Outcome, String> {
    progress(Progress::Sent);
    let mut url = api::endpoints()
        .lookup()
        .ok_or("This copy of the map has no cnimap server.")?;
    if let Some(c) = &column {
        url.push_str("?column=");
        url.push_str(&api::encode(c));
    }
    let js = |e: wasm_bindgen::JsValue| {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "network error".to_string())
    };
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let body = js_sys::Uint8Array::from(bytes);
    init.set_body(&body);
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(js)?
        .dyn_into()
        .map_err(js)?;
    let buffer = JsFuture::from(response.array_buffer().map_err(js)?)
        .await
        .map_err(js)?;
    let answer = js_sys::Uint8Array::new(&buffer).to_vec();
    if !response.ok() {
        let message = serde_json::from_slice::<cnimap_core::api::ErrorBody>(&answer)
            .map(|b| b.message)
            .unwrap_or_else(|_| format!("The server answered {}.", response.status()));
        return Err(message);
    }
    let summary = response
        .headers()
        .get("cnimap-lookup-summary")
        .map_err(js)?
        .ok_or("The server sent no summary with the lookup.")?;
    let summary: BatchSummary = serde_json::from_str(&summary).map_err(|e| e.to_string())?;
    Ok(Outcome {
        csv: answer,
        summary,
    })
}

/// The output file's name: the input's with `-cnimap` before its extension.
pub fn output_name(input: &str) -> String {
    let stem = input
        .rsplit_once('.')
        .map_or(input, |(stem, _)| stem)
        .trim();
    let stem = if stem.is_empty() { "postcodes" } else { stem };
    format!("{stem}-cnimap.csv")
}
