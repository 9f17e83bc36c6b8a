//! The messages between the page and its tools worker (`cnimap-worker`, a second wasm binary that
//! runs the bulk postcode lookup and measures custom areas off the main thread, issues 13 and 15).
//!
//! A message is a JS array `[id, json, bytes?]`: `id` pairs a reply with its request, `json` is a
//! [`ToWorker`] or [`FromWorker`] as JSON, and `bytes` (a `Uint8Array`, transferred, not copied)
//! carries a file in or a CSV out. Pure, so both sides and the native unit tests share it.

use cnimap_core::bulk::BatchSummary;
use cnimap_core::custom_area::{Cover, CustomArea};
use serde::{Deserialize, Serialize};

/// The most data rows looked up in the browser (as `POST /api/lookup` takes).
pub const MAX_ROWS: u64 = 100_000;

/// The worker's loader script, relative to the site's root (Trunk writes it for the
/// `data-type="worker"` link with `data-loader-shim`; worker files are not content-hashed).
pub const WORKER_SCRIPT: &str = "cnimap-worker_loader.js";

/// What the worker posts (as `[0, READY]`) once it listens.
pub const READY: &str = "ready";

/// A request to the worker; its bytes travel beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Look up every row of the CSV in the bytes.
    Lookup {
        /// `Some(root folder URL, ending in /)` on a static site: look up here from the compact
        /// search index; `None` on a cnimap server.
        static_base: Option<String>,
        /// The areas document (`api/lookup/areas.json`), absolute; used on a static site.
        areas_url: String,
        /// `POST /api/lookup`, absolute, on a server.
        lookup_url: Option<String>,
        /// The postcode column chosen by the user (`None`: found by name).
        column: Option<String>,
    },
    /// Measure the boundary file in the bytes against every LSOA 2021.
    Measure {
        /// The LSOA shapes document, absolute (fetched once, kept by the worker).
        shapes_url: String,
        /// The property that names each area (`None`: guessed).
        name_property: Option<String>,
    },
}

/// A reply from the worker: progress, then one of the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// How far a lookup has got.
    Progress {
        /// Where it is.
        progress: Progress,
    },
    /// A stage of measuring, in words.
    Busy {
        /// What the worker is doing.
        words: String,
    },
    /// A lookup done: the CSV is in the bytes.
    LookedUp {
        /// Rows per status, per IMD 2025 decile, left behind.
        summary: Box<BatchSummary>,
    },
    /// A file measured.
    Measured(Box<MeasuredFile>),
    /// The file could not be used (or the worker could not do its job), in words.
    Failed {
        /// What went wrong, for the user.
        message: String,
    },
}

/// A boundary file measured by the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredFile {
    /// The property names the file's features have (for the "name each area by" picker).
    pub properties: Vec<String>,
    /// The property the names came from.
    pub name_property: Option<String>,
    /// The usable areas with the LSOAs they touch.
    pub areas: Vec<WireArea>,
    /// The features that could not be used, in words.
    pub problems: Vec<String>,
    /// The features repaired, in words.
    pub repaired: Vec<String>,
    /// The outlines as GeoJSON (WGS84), for the map.
    pub outlines: serde_json::Value,
    /// How long the measuring took in the worker, in ms.
    pub millis: f64,
}

/// A custom area on the wire: its name and `(LSOA feature index, share inside)` pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireArea {
    /// The area's name.
    pub name: String,
    /// The LSOAs it touches.
    pub covers: Vec<(u32, f64)>,
}

impl From<&CustomArea> for WireArea {
    fn from(a: &CustomArea) -> WireArea {
        WireArea {
            name: a.name.clone(),
            covers: a.covers.iter().map(|c| (c.lsoa, c.share)).collect(),
        }
    }
}

impl From<WireArea> for CustomArea {
    fn from(a: WireArea) -> CustomArea {
        CustomArea {
            name: a.name,
            covers: a
                .covers
                .into_iter()
                .map(|(lsoa, share)| Cover { lsoa, share })
                .collect(),
        }
    }
}

/// How far a lookup has got, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
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

/// The output file's name: the input's with `-cnimap` before its extension.
pub fn output_name(input: &str) -> String {
    let stem = input
        .rsplit_once('.')
        .map_or(input, |(stem, _)| stem)
        .trim();
    let stem = if stem.is_empty() { "postcodes" } else { stem };
    format!("{stem}-cnimap.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_survives_the_trip_as_json() {
        let r = ToWorker::Lookup {
            static_base: Some("http://h/site/".into()),
            areas_url: "http://h/site/api/lookup/areas.json".into(),
            lookup_url: None,
            column: Some("Post Code".into()),
        };
        let json = serde_json::to_string(&r).expect("json");
        assert!(json.starts_with(r#"{"kind":"lookup""#), "{json}");
        assert_eq!(serde_json::from_str::<ToWorker>(&json).expect("back"), r);
    }

    #[test]
    fn an_area_crosses_the_wire_unchanged() {
        let area = CustomArea {
            name: "Jaywick".into(),
            covers: vec![
                Cover {
                    lsoa: 3,
                    share: 0.25,
                },
                Cover {
                    lsoa: 17,
                    share: 1.0,
                },
            ],
        };
        let reply = FromWorker::Measured(Box::new(MeasuredFile {
            properties: vec!["name".into()],
            name_property: Some("name".into()),
            areas: vec![WireArea::from(&area)],
            problems: vec![],
            repaired: vec![],
            outlines: serde_json::json!({"type": "FeatureCollection", "features": []}),
            millis: 1.5,
        }));
        let back: FromWorker =
            serde_json::from_str(&serde_json::to_string(&reply).expect("json")).expect("back");
        let FromWorker::Measured(m) = back else {
            panic!("not measured: {back:?}");
        };
        let got: CustomArea = m.areas[0].clone().into();
        assert_eq!(got, area);
    }

    #[test]
    fn progress_moves_forward_while_fetching() {
        let a = Progress::Fetching { done: 1, of: 10 }.percent();
        let b = Progress::Fetching { done: 9, of: 10 }.percent();
        assert!(Progress::Reading.percent() < a && a < b && b < Progress::LookingUp.percent());
        assert_eq!(Progress::Fetching { done: 0, of: 0 }.percent(), 5.0);
    }

    #[test]
    fn the_output_is_named_after_the_input() {
        assert_eq!(output_name("grants.csv"), "grants-cnimap.csv");
        assert_eq!(output_name("a.b.tsv"), "a.b-cnimap.csv");
        assert_eq!(output_name(".csv"), "postcodes-cnimap.csv");
    }
}
