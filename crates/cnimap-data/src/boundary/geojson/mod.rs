//! Reading a GeoJSON FeatureCollection of area boundaries straight into `geo` types.
//!
//! The national LSOA files are 45 MB each, so coordinates are deserialised directly into
//! [`Coord`](geo_types::Coord)s by a serde visitor (`raw`) that discovers the nesting depth from the data (no
//! `serde_json::Value` tree, no `geojson::Geometry` intermediate). Only the properties object of
//! each feature becomes a small map. Then, per feature: code and name from the properties the
//! manifest names, the code-prefix filter, geometry type checks, CRS detection and reprojection,
//! repair ([`super::repair`](mod@super::repair)) and bounding boxes.

mod raw;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use geo::BoundingRect;
use geo_types::MultiPolygon;
use serde_json::{Map, Value};

use self::raw::{RawCollection, RawFeature};

use super::repair::{repair, RepairAction};
use super::reproject::{crs_from_bounds, crs_from_member, to_wgs84, Crs};
use crate::error::DataError;

/// The property that says where a ward outline came from (`ward17_cni2019.geojson`).
pub const GEOM_SOURCE_PROPERTY: &str = "geom_source";

/// One boundary file, read, filtered, reprojected to WGS84 and repaired.
#[derive(Debug, Clone)]
pub struct BoundaryFile {
    /// The file read.
    pub path: PathBuf,
    /// The features kept, in file order (duplicates merged into the first occurrence).
    pub features: Vec<BoundaryFeature>,
    /// Features dropped because their code lacks the manifest's `code_prefix` (Welsh LSOAs).
    pub skipped_other_prefix: usize,
    /// Features whose geometry was invalid as read and has been repaired.
    pub repaired: usize,
    /// Codes that appear on more than one feature (their geometries are merged), in file order.
    pub duplicates: Vec<String>,
    /// The CRS the file was written in (the features are always WGS84 lon/lat).
    pub crs: Crs,
    /// Detail: repair statistics, features without geometry, bounds.
    pub extra: BoundaryFileExtra,
}

/// Further detail on a [`BoundaryFile`].
#[derive(Debug, Clone, Default)]
pub struct BoundaryFileExtra {
    /// Polygons (parts of features) invalid as read; compare with the data README's counts.
    pub invalid_polygons: usize,
    /// Features rebuilt through the overlay (the rest of `repaired` only needed cleaning).
    pub rebuilt: usize,
    /// Features with at least one ring reversed to exterior-CCW / holes-CW (not counted as repairs).
    pub reoriented: usize,
    /// Codes of features still invalid after repair (empty on the published data).
    pub still_invalid: Vec<String>,
    /// Codes of features with a null or empty geometry, or whose geometry was wholly degenerate:
    /// not in `features`.
    pub no_geometry: Vec<String>,
    /// Bounds of all kept features, `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox_wgs84: [f64; 4],
}

/// One area's boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryFeature {
    /// The area code (`E01000001`).
    pub code: String,
    /// The area name as the file gives it.
    pub name: String,
    /// The outline, WGS84 lon/lat, valid, exteriors counter-clockwise and holes clockwise.
    pub geometry_wgs84: MultiPolygon<f64>,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox_wgs84: [f64; 4],
    /// The `geom_source` property where the file has one (assembled ward outlines).
    pub geom_source: Option<String>,
}

/// Reads a boundary file.
///
/// `code_prop` and `name_prop` name the properties holding each area's code and name (they differ
/// from file to file: the manifest knows them). Features whose code does not start with
/// `code_prefix` are skipped and counted. Polygon and MultiPolygon geometries are accepted;
/// anything else is an error naming the feature. The file may be in WGS84 lon/lat (passed through)
/// or British National Grid (declared by a `crs` member, or recognised by its metre range), which
/// is reprojected (needs the `proj` feature).
pub fn read_boundaries(
    path: &Path,
    code_prop: &str,
    name_prop: &str,
    code_prefix: Option<&str>,
) -> Result<BoundaryFile, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_boundaries(&bytes, path, code_prop, name_prop, code_prefix)
}

/// As [`read_boundaries`], from bytes already in memory; `path` is used in messages.
pub fn parse_boundaries(
    bytes: &[u8],
    path: &Path,
    code_prop: &str,
    name_prop: &str,
    code_prefix: Option<&str>,
) -> Result<BoundaryFile, DataError> {
    let raw: RawCollection = serde_json::from_slice(bytes).map_err(|e| syntax_error(path, &e))?;
    if raw.kind != "FeatureCollection" {
        return Err(DataError::GeoJson {
            path: path.to_path_buf(),
            location: "top level".into(),
            message: format!(
                "expected a GeoJSON FeatureCollection, found type {:?}",
                raw.kind
            ),
        });
    }
    let declared = match &raw.crs {
        Some(crs) => crs_from_member(crs, path)?,
        None => None,
    };

    let mut extra = BoundaryFileExtra::default();
    let wanted = Wanted {
        code_prop,
        name_prop,
        code_prefix,
    };
    let Collected {
        mut features,
        skipped_other_prefix,
        duplicates,
    } = collect_features(raw.features, path, &wanted, &mut extra)?;

    let crs = match declared {
        Some(crs) => crs,
        None => crs_from_bounds(bounds(features.iter().map(|f| &f.geometry_wgs84)), path)?,
    };
    {
        let mut geometries: Vec<&mut MultiPolygon<f64>> =
            features.iter_mut().map(|f| &mut f.geometry_wgs84).collect();
        to_wgs84(&mut geometries, crs, path)?;
    }
    let (kept, repaired) = repair_features(features, path, &mut extra);
    extra.bbox_wgs84 = bounds(kept.iter().map(|f| &f.geometry_wgs84));
    if !extra.still_invalid.is_empty() {
        tracing::warn!(file = %path.display(), codes = ?extra.still_invalid, "geometries still invalid after repair");
    }
    if !duplicates.is_empty() {
        tracing::warn!(file = %path.display(), codes = ?duplicates, "codes on more than one feature; geometries merged");
    }
    tracing::debug!(
        file = %path.display(),
        features = kept.len(),
        skipped_other_prefix,
        repaired,
        crs = %crs,
        "boundary file read"
    );
    Ok(BoundaryFile {
        path: path.to_path_buf(),
        features: kept,
        skipped_other_prefix,
        repaired,
        duplicates,
        crs,
        extra,
    })
}

/// Which properties hold the code and the name, and which codes to keep.
struct Wanted<'a> {
    code_prop: &'a str,
    name_prop: &'a str,
    code_prefix: Option<&'a str>,
}

/// The features of a file as read, before reprojection and repair.
struct Collected {
    /// One feature per code, in file order (geometry still in the file's CRS).
    features: Vec<BoundaryFeature>,
    /// Features dropped for lacking the code prefix.
    skipped_other_prefix: usize,
    /// Codes seen on more than one feature, in file order.
    duplicates: Vec<String>,
}

/// Takes each raw feature's code, name and geometry: skips other prefixes, records features
/// without geometry in `extra`, and merges the geometry of a repeated code into its first feature.
fn collect_features(
    raw: Vec<RawFeature>,
    path: &Path,
    wanted: &Wanted<'_>,
    extra: &mut BoundaryFileExtra,
) -> Result<Collected, DataError> {
    let mut out = Collected {
        features: Vec::with_capacity(raw.len()),
        skipped_other_prefix: 0,
        duplicates: Vec::new(),
    };
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(raw.len());
    for (index, feature) in raw.into_iter().enumerate() {
        let number = index + 1;
        let properties = feature.properties.unwrap_or_default();
        let code = string_property(&properties, wanted.code_prop, path, number)?;
        if wanted
            .code_prefix
            .is_some_and(|prefix| !code.starts_with(prefix))
        {
            out.skipped_other_prefix += 1;
            continue;
        }
        let name = string_property(&properties, wanted.name_prop, path, number)?;
        let geom_source = properties
            .get(GEOM_SOURCE_PROPERTY)
            .and_then(Value::as_str)
            .map(str::to_owned);
        let location = || format!("feature {number} ({code})");
        let geometry = match feature.geometry {
            None => None,
            Some(g) => g
                .into_multi_polygon()
                .map_err(|message| DataError::GeoJson {
                    path: path.to_path_buf(),
                    location: location(),
                    message,
                })?,
        };
        let Some(geometry) = geometry.filter(|g| !g.0.is_empty()) else {
            extra.no_geometry.push(code);
            continue;
        };
        if let Some(&first) = seen.get(&code) {
            out.duplicates.push(code);
            out.features[first].geometry_wgs84.0.extend(geometry.0);
            continue;
        }
        seen.insert(code.clone(), out.features.len());
        out.features.push(BoundaryFeature {
            code,
            name,
            geometry_wgs84: geometry,
            bbox_wgs84: [0.0; 4],
            geom_source,
        });
    }
    Ok(out)
}

/// Repairs every feature's geometry (now WGS84) and sets its bounding box; a feature whose
/// geometry is wholly degenerate is dropped and recorded in `extra`. Returns the features kept and
/// how many were repaired.
fn repair_features(
    features: Vec<BoundaryFeature>,
    path: &Path,
    extra: &mut BoundaryFileExtra,
) -> (Vec<BoundaryFeature>, usize) {
    let mut repaired = 0;
    let mut kept = Vec::with_capacity(features.len());
    for mut feature in features {
        let geometry =
            std::mem::replace(&mut feature.geometry_wgs84, MultiPolygon::new(Vec::new()));
        let (geometry, action) = repair(geometry);
        tally(extra, &mut repaired, &action, &feature.code);
        if geometry.0.is_empty() {
            tracing::warn!(file = %path.display(), code = %feature.code, "geometry is wholly degenerate; dropped");
            extra.no_geometry.push(feature.code);
            continue;
        }
        feature.bbox_wgs84 = bbox(&geometry);
        feature.geometry_wgs84 = geometry;
        kept.push(feature);
    }
    (kept, repaired)
}

fn tally(extra: &mut BoundaryFileExtra, repaired: &mut usize, action: &RepairAction, code: &str) {
    extra.invalid_polygons += action.invalid_polygons;
    if action.repaired() {
        *repaired += 1;
    }
    if action.rebuilt {
        extra.rebuilt += 1;
    }
    if action.reoriented {
        extra.reoriented += 1;
    }
    if action.still_invalid {
        extra.still_invalid.push(code.to_owned());
    }
}

fn syntax_error(path: &Path, e: &serde_json::Error) -> DataError {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the location carries that already.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_string();
    let message = if e.is_eof() {
        format!("{message}: the file ends early (truncated?)")
    } else {
        message
    };
    DataError::GeoJson {
        path: path.to_path_buf(),
        location: format!("line {}, column {}", e.line(), e.column()),
        message,
    }
}

fn string_property(
    properties: &Map<String, Value>,
    key: &str,
    path: &Path,
    number: usize,
) -> Result<String, DataError> {
    let err = |message: String| DataError::GeoJson {
        path: path.to_path_buf(),
        location: format!("feature {number}"),
        message,
    };
    match properties.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Some(Value::String(_)) => Err(err(format!("property {key:?} is empty"))),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(err(format!(
            "property {key:?} should be a string, found {other}"
        ))),
        None => {
            let mut found: Vec<&str> = properties.keys().map(String::as_str).collect();
            found.sort_unstable();
            let found = if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            };
            Err(err(format!(
                "missing property {key:?} (check the boundary manifest); the feature has: {found}"
            )))
        }
    }
}

/// `[min_x, min_y, max_x, max_y]` of a geometry.
fn bbox(geometry: &MultiPolygon<f64>) -> [f64; 4] {
    geometry.bounding_rect().map_or([f64::NAN; 4], |r| {
        [r.min().x, r.min().y, r.max().x, r.max().y]
    })
}

/// Bounds over many geometries; `[inf, inf, -inf, -inf]` when there are none.
fn bounds<'a>(geometries: impl Iterator<Item = &'a MultiPolygon<f64>>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for g in geometries {
        if let Some(r) = g.bounding_rect() {
            b[0] = b[0].min(r.min().x);
            b[1] = b[1].min(r.min().y);
            b[2] = b[2].max(r.max().x);
            b[3] = b[3].max(r.max().y);
        }
    }
    b
}
