//! Users' own boundary files (GeoJSON in WGS84 or British National Grid) and the LSOAs each area
//! covers.
//!
//! A user's file is not national data: it can be anything. Problems with the whole file (too big,
//! not JSON, not GeoJSON, no usable polygon) are a [`UserFileError`]; problems with one feature
//! (a line instead of a polygon, a ring that crosses itself, coordinates outside England) are a
//! [`FeatureProblem`] naming the feature, and the valid features still work.

use std::fmt;

use cnimap_core::custom_area::{Cover, CustomArea};
use geo::{Area, BooleanOps, BoundingRect, Intersects};
use geo_types::{Coord, MultiPolygon, Rect};
use serde_json::Value;

use crate::repair::repair;

/// The largest boundary file read, in bytes.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most coordinate pairs read from one file.
pub const MAX_POINTS: usize = 1_000_000;
/// England's extent in WGS84 with a margin, `[min_lon, min_lat, max_lon, max_lat]`.
const ENGLAND: [f64; 4] = [-6.5, 49.8, 2.0, 55.9];

/// What is wrong with a user's file as a whole.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum UserFileError {
    /// Larger than [`MAX_BYTES`].
    #[error("the file is {:.1} MB; cnimap reads boundary files up to {} MB: simplify the boundaries (for example with mapshaper -simplify 10%) and try again", *bytes as f64 / 1_048_576.0, MAX_BYTES / 1_048_576)]
    TooLarge {
        /// The file's size.
        bytes: usize,
    },
    /// More than [`MAX_POINTS`] coordinate pairs.
    #[error("the file has more than {} points (feature {feature} passes the limit); simplify the boundaries and try again", MAX_POINTS)]
    TooManyPoints {
        /// The 1-based feature number where the count passed the limit.
        feature: usize,
    },
    /// Not JSON.
    #[error("not JSON: line {line}, column {column}: {message}")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON, but not a GeoJSON Feature or FeatureCollection.
    #[error("not GeoJSON: {0}")]
    NotGeoJson(String),
    /// Coordinates in neither WGS84 degrees nor British National Grid metres.
    #[error("the coordinates are neither WGS84 longitude/latitude nor British National Grid metres (feature {feature} has the point {x}, {y}); save the file as EPSG:4326 or EPSG:27700")]
    UnknownCrs {
        /// The 1-based feature number.
        feature: usize,
        /// The point's first coordinate.
        x: f64,
        /// The point's second coordinate.
        y: f64,
    },
    /// The name property the user picked is on no feature.
    #[error("no feature has the property {property:?} (properties found: {found})")]
    NoSuchProperty {
        /// The property asked for.
        property: String,
        /// The properties the features have.
        found: String,
    },
    /// No feature could be used; each one's problem is listed.
    #[error("no usable area in the file: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NoAreas {
        /// Every feature's problem.
        problems: Vec<FeatureProblem>,
    },
}

/// What is wrong with one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureProblem {
    /// 1-based position in the file.
    pub feature: usize,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// What is wrong, in words.
    pub problem: String,
}

impl fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "feature {} ({name:?}): {}", self.feature, self.problem),
            None => write!(f, "feature {}: {}", self.feature, self.problem),
        }
    }
}

/// The coordinate system a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserCrs {
    /// Longitude and latitude.
    Wgs84,
    /// Eastings and northings, converted with [`cnimap_core::bng`].
    BritishNationalGrid,
}

/// One usable area of a user's file.
#[derive(Debug, Clone, PartialEq)]
pub struct UserArea {
    /// 1-based position in the file.
    pub feature: usize,
    /// Its name (the picked property, or "Area N").
    pub name: String,
    /// The outline in WGS84.
    pub geometry: MultiPolygon<f64>,
}

/// A user's file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct UserBoundaries {
    /// The usable areas, in file order.
    pub areas: Vec<UserArea>,
    /// The features that could not be used, in file order.
    pub problems: Vec<FeatureProblem>,
    /// The features that were invalid and repaired (and are used), in file order.
    pub repaired: Vec<FeatureProblem>,
    /// The coordinate system found.
    pub crs: UserCrs,
    /// The property the names came from (`None`: numbered).
    pub name_property: Option<String>,
}

/// A feature as read: its number, its name, and its polygons in the file's coordinates or why
/// it has none.
type ReadFeature = (usize, String, Result<MultiPolygon<f64>, String>);

/// Properties tried, in order, for names when the user names none.
const NAME_GUESSES: [&str; 4] = ["name", "Name", "NAME", "area_name"];

/// Reads a user's boundary file. `name_property` names the property holding each area's name;
/// without it a property called name, or one ending in `NM` (ONS files: `LAD24NM`), is used.
pub fn read_user_boundaries(
    bytes: &[u8],
    name_property: Option<&str>,
) -> Result<UserBoundaries, UserFileError> {
    if bytes.len() > MAX_BYTES {
        return Err(UserFileError::TooLarge { bytes: bytes.len() });
    }
    let json: Value = serde_json::from_slice(bytes).map_err(|e| UserFileError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let features = features_of(&json)?;
    let name_property = pick_name_property(&features, name_property)?;

    // Every feature's polygons in the file's coordinates, or its problem.
    let mut read: Vec<ReadFeature> = Vec::new();
    let mut points = 0usize;
    for (k, feature) in features.iter().enumerate() {
        let number = k + 1;
        let name = name_property
            .as_deref()
            .and_then(|p| feature.get("properties")?.get(p))
            .and_then(property_text)
            .unwrap_or_else(|| format!("Area {number}"));
        let geometry = polygons_of(feature.get("geometry"), &mut points);
        if points > MAX_POINTS {
            return Err(UserFileError::TooManyPoints { feature: number });
        }
        read.push((number, name, geometry));
    }

    let crs = detect_crs(&json, &read)?;
    let mut areas = Vec::new();
    let mut problems = Vec::new();
    let mut repaired = Vec::new();
    for (feature, name, geometry) in read {
        let problem = |p: String| FeatureProblem {
            feature,
            name: Some(name.clone()),
            problem: p,
        };
        let mut geometry = match geometry {
            Ok(g) => g,
            Err(p) => {
                problems.push(problem(p));
                continue;
            }
        };
        if crs == UserCrs::BritishNationalGrid {
            geometry = to_wgs84(geometry);
        }
        if let Some(p) = outside_england(&geometry) {
            problems.push(problem(p));
            continue;
        }
        let (geometry, action) = repair(geometry);
        if geometry.0.is_empty() || geometry.unsigned_area() <= 0.0 {
            problems.push(problem(
                "has no polygon with an area (every ring is degenerate: fewer than 4 distinct points, or all on one line)".into(),
            ));
            continue;
        }
        if action.still_invalid {
            problems.push(problem(
                "is not a valid polygon (rings cross or overlap) and could not be repaired; fix it in your GIS (QGIS: Vector > Geometry Tools > Fix Geometries) and upload it again".into(),
            ));
            continue;
        }
        if action.repaired() {
            repaired.push(problem(format!(
                "repaired: {} of its polygons were invalid (a ring crossing or touching itself, a spike, a degenerate ring); crossing rings were split into their lobes and degenerate rings dropped, as cnimap repairs the national boundaries",
                action.invalid_polygons
            )));
        }
        areas.push(UserArea {
            feature,
            name,
            geometry,
        });
    }
    if areas.is_empty() {
        return Err(UserFileError::NoAreas { problems });
    }
    Ok(UserBoundaries {
        areas,
        problems,
        repaired,
        crs,
        name_property,
    })
}

/// The property names the file's features have, in first-seen order (for the page's "name
/// property" choice); the whole-file errors of [`read_user_boundaries`] when it is not GeoJSON.
pub fn property_names(bytes: &[u8]) -> Result<Vec<String>, UserFileError> {
    if bytes.len() > MAX_BYTES {
        return Err(UserFileError::TooLarge { bytes: bytes.len() });
    }
    let json: Value = serde_json::from_slice(bytes).map_err(|e| UserFileError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut found: Vec<String> = Vec::new();
    for f in features_of(&json)? {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for k in props.keys() {
                if !found.contains(k) {
                    found.push(k.clone());
                }
            }
        }
    }
    Ok(found)
}

/// The usable areas' outlines as a GeoJSON FeatureCollection (WGS84, coordinates rounded to
/// 10^-6 degrees), each feature with its `name` and its 1-based `feature` number, for the map.
pub fn outlines_geojson(file: &UserBoundaries) -> Value {
    let round = |v: f64| (v * 1e6).round() / 1e6;
    let ring = |r: &geo_types::LineString<f64>| {
        Value::Array(
            r.0.iter()
                .map(|c| serde_json::json!([round(c.x), round(c.y)]))
                .collect(),
        )
    };
    let features: Vec<Value> = file
        .areas
        .iter()
        .map(|a| {
            let polygons: Vec<Value> = a
                .geometry
                .0
                .iter()
                .map(|p| {
                    Value::Array(
                        std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(ring)
                            .collect(),
                    )
                })
                .collect();
            serde_json::json!({
                "type": "Feature",
                "id": a.feature,
                "properties": {"name": a.name, "feature": a.feature},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// The features of a FeatureCollection, or the one Feature.
fn features_of(json: &Value) -> Result<Vec<&Value>, UserFileError> {
    match json.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match json.get("features").and_then(Value::as_array) {
            Some(features) if !features.is_empty() => Ok(features.iter().collect()),
            Some(_) => Err(UserFileError::NotGeoJson(
                "the FeatureCollection has no features".into(),
            )),
            None => Err(UserFileError::NotGeoJson(
                "the FeatureCollection has no \"features\" array".into(),
            )),
        },
        Some("Feature") => Ok(vec![json]),
        Some("Polygon" | "MultiPolygon") => Err(UserFileError::NotGeoJson(
            "a bare geometry: wrap it in a Feature (with a name property) or a FeatureCollection"
                .into(),
        )),
        Some(other) => Err(UserFileError::NotGeoJson(format!(
            "the top-level type is {other:?}; expected \"FeatureCollection\" or \"Feature\""
        ))),
        None => Err(UserFileError::NotGeoJson(
            "the top level has no \"type\"; expected a FeatureCollection".into(),
        )),
    }
}

fn property_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The property to name areas by: the user's (which must exist on some feature), else a guess.
fn pick_name_property(
    features: &[&Value],
    wanted: Option<&str>,
) -> Result<Option<String>, UserFileError> {
    let mut found: Vec<String> = Vec::new();
    for f in features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for k in props.keys() {
                if !found.contains(k) {
                    found.push(k.clone());
                }
            }
        }
    }
    if let Some(p) = wanted {
        return if found.iter().any(|k| k == p) {
            Ok(Some(p.to_string()))
        } else {
            Err(UserFileError::NoSuchProperty {
                property: p.to_string(),
                found: if found.is_empty() {
                    "none".into()
                } else {
                    found.join(", ")
                },
            })
        };
    }
    let guess = NAME_GUESSES
        .iter()
        .find(|g| found.iter().any(|k| k == *g))
        .map(|g| g.to_string())
        .or_else(|| {
            found
                .iter()
                .find(|k| k.len() > 2 && k.to_ascii_uppercase().ends_with("NM"))
                .cloned()
        });
    Ok(guess)
}

/// A feature's geometry as polygons (file coordinates), or why not.
fn polygons_of(geometry: Option<&Value>, points: &mut usize) -> Result<MultiPolygon<f64>, String> {
    let Some(g) = geometry.filter(|g| !g.is_null()) else {
        return Err("has no geometry".into());
    };
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g.get("coordinates");
    match (kind, coords) {
        ("Polygon", Some(c)) => Ok(MultiPolygon(vec![polygon(c, points)?])),
        ("MultiPolygon", Some(Value::Array(parts))) => parts
            .iter()
            .map(|p| polygon(p, points))
            .collect::<Result<Vec<_>, _>>()
            .map(MultiPolygon),
        ("Polygon" | "MultiPolygon", _) => Err(format!("its {kind} has no coordinates array")),
        ("", _) => Err("its geometry has no type".into()),
        (other, _) => Err(format!(
            "its geometry is a {other}, not a Polygon or MultiPolygon (areas need an outline)"
        )),
    }
}

fn polygon(value: &Value, points: &mut usize) -> Result<geo_types::Polygon<f64>, String> {
    let rings = value
        .as_array()
        .ok_or("a polygon is not an array of rings")?;
    let mut out = Vec::with_capacity(rings.len());
    for ring in rings {
        let positions = ring
            .as_array()
            .ok_or("a ring is not an array of positions")?;
        let mut coords = Vec::with_capacity(positions.len());
        for p in positions {
            let pair = p.as_array().ok_or("a position is not an array")?;
            let (Some(x), Some(y)) = (
                pair.first().and_then(Value::as_f64),
                pair.get(1).and_then(Value::as_f64),
            ) else {
                return Err("a position does not start with two numbers".into());
            };
            if !x.is_finite() || !y.is_finite() {
                return Err("a position is not a finite number".into());
            }
            coords.push(Coord { x, y });
            *points += 1;
        }
        // Short, unclosed or degenerate rings are left to the repair step.
        out.push(geo_types::LineString(coords));
    }
    let mut rings = out.into_iter();
    let exterior = rings.next().ok_or("a polygon has no rings")?;
    Ok(geo_types::Polygon::new(exterior, rings.collect()))
}

/// WGS84 when every coordinate is in degrees, British National Grid when every one is in the
/// grid's metres (or the file's `crs` member says EPSG:27700).
fn detect_crs(json: &Value, read: &[ReadFeature]) -> Result<UserCrs, UserFileError> {
    let declared = json
        .get("crs")
        .and_then(|c| c.get("properties")?.get("name")?.as_str())
        .unwrap_or("");
    if declared.contains("27700") {
        return Ok(UserCrs::BritishNationalGrid);
    }
    let mut degrees = true;
    let mut grid = true;
    let mut first_odd = None;
    for (feature, _, g) in read {
        let Ok(g) = g else { continue };
        for p in g.0.iter().flat_map(|p| p.exterior().0.iter()) {
            let d = p.x.abs() <= 180.0 && p.y.abs() <= 90.0;
            let b = cnimap_core::bng::in_grid(p.x, p.y);
            if !d && !b && first_odd.is_none() {
                first_odd = Some((*feature, p.x, p.y));
            }
            degrees &= d;
            grid &= b;
        }
    }
    match (degrees, grid, first_odd) {
        (true, _, _) => Ok(UserCrs::Wgs84),
        (false, true, _) => Ok(UserCrs::BritishNationalGrid),
        (false, false, Some((feature, x, y))) => Err(UserFileError::UnknownCrs { feature, x, y }),
        // Some points in degrees, others in metres: name the first in metres.
        (false, false, None) => {
            let (feature, x, y) = read
                .iter()
                .filter_map(|(f, _, g)| Some((*f, g.as_ref().ok()?)))
                .flat_map(|(f, g)| {
                    g.0.iter()
                        .flat_map(|p| p.exterior().0.iter())
                        .map(move |p| (f, p.x, p.y))
                })
                .find(|(_, x, y)| x.abs() > 180.0 || y.abs() > 90.0)
                .unwrap_or((1, f64::NAN, f64::NAN));
            Err(UserFileError::UnknownCrs { feature, x, y })
        }
    }
}

fn to_wgs84(mut g: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoordsInPlace;
    g.map_coords_in_place(|c| {
        let (x, y) = cnimap_core::bng::to_wgs84(c.x, c.y);
        Coord { x, y }
    });
    g
}

/// Why a WGS84 outline is not in England, or `None`.
fn outside_england(g: &MultiPolygon<f64>) -> Option<String> {
    let Some(bounds) = g.bounding_rect() else {
        return Some("has no coordinates".into());
    };
    let [w, s, e, n] = ENGLAND;
    if bounds.max().x < w || bounds.min().x > e || bounds.max().y < s || bounds.min().y > n {
        return Some(format!(
            "lies outside England (its bounds are {:.3}, {:.3} to {:.3}, {:.3} in longitude and latitude)",
            bounds.min().x,
            bounds.min().y,
            bounds.max().x,
            bounds.max().y
        ));
    }
    None
}

/// The LSOAs a set of outlines is measured against: each LSOA's WGS84 outline, bounds and area.
/// The command line, the server and the browser all build it from the decoded shapes document
/// ([`LsoaShapes::from_document`]), so they measure the same outlines.
#[derive(Debug)]
pub struct LsoaShapes {
    shapes: Vec<(u32, MultiPolygon<f64>)>,
    bounds: Vec<Option<Rect<f64>>>,
    areas: Vec<f64>,
}

impl LsoaShapes {
    /// Indexes LSOA outlines (feature index, WGS84 outline).
    pub fn new(shapes: Vec<(u32, MultiPolygon<f64>)>) -> LsoaShapes {
        LsoaShapes {
            bounds: shapes.iter().map(|(_, g)| g.bounding_rect()).collect(),
            areas: shapes.iter().map(|(_, g)| g.unsigned_area()).collect(),
            shapes,
        }
    }

    /// Decodes and indexes a shapes document.
    pub fn from_document(
        doc: &crate::shapes::ShapesDocument,
    ) -> Result<LsoaShapes, crate::shapes::ShapesError> {
        crate::shapes::decode(doc).map(LsoaShapes::new)
    }

    /// How many LSOAs have an outline.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Whether no LSOA has an outline.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// Every LSOA the outline overlaps, with the share of its area inside (in degrees squared:
    /// the cos-latitude scale cancels in a share over so small an area), by feature index.
    pub fn covers(&self, outline: &MultiPolygon<f64>) -> Vec<Cover> {
        let Some(b) = outline.bounding_rect() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, (lsoa, shape)) in self.shapes.iter().enumerate() {
            let (Some(lb), Some(&area)) = (self.bounds[k], self.areas.get(k)) else {
                continue;
            };
            if area <= 0.0 || !lb.intersects(&b) {
                continue;
            }
            let inside = shape.intersection(outline).unsigned_area();
            let share = (inside / area).clamp(0.0, 1.0);
            if share > 1e-6 {
                out.push(Cover { lsoa: *lsoa, share });
            }
        }
        out.sort_by_key(|c| c.lsoa);
        out
    }

    /// The custom areas of a file: each usable area with its covers; an area that covers no
    /// LSOA becomes a problem.
    pub fn areas(&self, file: &UserBoundaries) -> (Vec<CustomArea>, Vec<FeatureProblem>) {
        let mut areas = Vec::new();
        let mut problems = file.problems.clone();
        for a in &file.areas {
            let covers = self.covers(&a.geometry);
            if covers.is_empty() {
                problems.push(FeatureProblem {
                    feature: a.feature,
                    name: Some(a.name.clone()),
                    problem: "covers no LSOA 2021 in England".into(),
                });
                continue;
            }
            areas.push(CustomArea {
                name: a.name.clone(),
                covers,
            });
        }
        problems.sort_by_key(|p| p.feature);
        (areas, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, d: f64) -> String {
        format!(
            "[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]",
            x1 = x0 + d,
            y1 = y0 + d
        )
    }

    fn collection(features: &[String]) -> Vec<u8> {
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            features.join(",")
        )
        .into_bytes()
    }

    fn feature(name: &str, geometry: &str) -> String {
        format!("{{\"type\":\"Feature\",\"properties\":{{\"name\":\"{name}\"}},\"geometry\":{geometry}}}")
    }

    #[test]
    fn valid_features_work_and_bad_ones_are_named() {
        let bowtie = "{\"type\":\"Polygon\",\"coordinates\":[[[-1,52],[-0.9,52.1],[-0.9,52],[-1,52.1],[-1,52]]]}";
        let file = collection(&[
            feature("Good", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-1.0, 52.0, 0.1))),
            feature("Line", "{\"type\":\"LineString\",\"coordinates\":[[-1,52],[-0.9,52.1]]}"),
            feature("Bowtie", bowtie),
            feature("Paris", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(2.3, 48.8, 0.1))),
            feature("Empty", "null"),
            feature("Flat", "{\"type\":\"Polygon\",\"coordinates\":[[[-1,52],[-0.9,52],[-1,52]]]}"),
            feature(
                "Sliver",
                &format!(
                    "{{\"type\":\"MultiPolygon\",\"coordinates\":[{},[[[-0.5,52],[-0.4,52],[-0.5,52]]]]}}",
                    square(-0.7, 52.0, 0.1)
                ),
            ),
        ]);
        let read = read_user_boundaries(&file, None).expect("good areas");
        assert_eq!(read.crs, UserCrs::Wgs84);
        assert_eq!(read.name_property.as_deref(), Some("name"));
        let names: Vec<&str> = read.areas.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Good", "Bowtie", "Sliver"]);
        let problems: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("feature 2 (\"Line\"): its geometry is a LineString"));
        assert!(problems[1].starts_with("feature 4 (\"Paris\"): lies outside England"));
        assert!(problems[2].starts_with("feature 5 (\"Empty\"): has no geometry"));
        assert!(
            problems[3].starts_with("feature 6 (\"Flat\"): has no polygon with an area"),
            "{}",
            problems[3]
        );
        // The bow-tie is split into its two lobes (and said so); the sliver ring is dropped.
        let repaired: Vec<String> = read.repaired.iter().map(ToString::to_string).collect();
        assert_eq!(repaired.len(), 2, "{repaired:?}");
        assert!(
            repaired[0].starts_with("feature 3 (\"Bowtie\"): repaired: 1 of its polygons"),
            "{}",
            repaired[0]
        );
        assert!(
            repaired[1].starts_with("feature 7 (\"Sliver\"): repaired"),
            "{}",
            repaired[1]
        );
        assert_eq!(read.areas[1].geometry.0.len(), 2, "two lobes");
    }

    #[test]
    fn property_names_and_outlines_come_from_the_file() {
        let file = collection(&[
            feature(
                "A",
                &format!(
                    "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                    square(-1.0, 52.0, 0.1)
                ),
            ),
            "{\"type\":\"Feature\",\"properties\":{\"code\":\"X1\"},\"geometry\":null}".to_string(),
        ]);
        assert_eq!(property_names(&file).expect("GeoJSON"), ["name", "code"]);
        assert!(property_names(b"[]").is_err());
        let read = read_user_boundaries(&file, None).expect("one area");
        let json = outlines_geojson(&read);
        let features = json["features"].as_array().expect("features");
        assert_eq!(features.len(), 1);
        assert_eq!(features[0]["properties"]["name"], "A");
        assert_eq!(
            features[0]["geometry"]["coordinates"][0][0]
                .as_array()
                .map(Vec::len),
            Some(5)
        );
    }

    #[test]
    fn british_national_grid_files_are_converted() {
        // Around Clacton-on-Sea: E 617000, N 215000.
        let file = collection(&[feature(
            "Clacton",
            &format!(
                "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                square(617_000.0, 215_000.0, 2_000.0)
            ),
        )]);
        let read = read_user_boundaries(&file, None).expect("a BNG square");
        assert_eq!(read.crs, UserCrs::BritishNationalGrid);
        let b = read.areas[0].geometry.bounding_rect().expect("bounds");
        assert!((1.1..1.2).contains(&b.min().x), "{:?}", b);
        assert!((51.77..51.82).contains(&b.min().y), "{:?}", b);
    }

    #[test]
    fn whole_file_problems_say_what_and_where() {
        let cases: [(&[u8], &str); 6] = [
            (b"{\"type\":", "not JSON: line 1, column 8"),
            (b"[1,2]", "not GeoJSON: the top level has no \"type\""),
            (b"{\"type\":\"Topology\"}", "not GeoJSON: the top-level type is \"Topology\""),
            (b"{\"type\":\"FeatureCollection\",\"features\":[]}", "not GeoJSON: the FeatureCollection has no features"),
            (
                b"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[0,52]}}",
                "no usable area in the file: feature 1 (\"Area 1\"): its geometry is a Point",
            ),
            (
                b"{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[5000000,0],[5000001,0],[5000001,1],[5000000,0]]]}}",
                "the coordinates are neither WGS84 longitude/latitude nor British National Grid metres (feature 1",
            ),
        ];
        for (bytes, want) in cases {
            let err = read_user_boundaries(bytes, None)
                .expect_err("bad file")
                .to_string();
            assert!(err.starts_with(want), "{err:?} should start with {want:?}");
        }
        let err = read_user_boundaries(&collection(&[feature("A", "null")]), Some("NAME"))
            .expect_err("no such property")
            .to_string();
        assert_eq!(
            err,
            "no feature has the property \"NAME\" (properties found: name)"
        );
        let big = vec![b' '; MAX_BYTES + 1];
        assert!(read_user_boundaries(&big, None)
            .expect_err("too big")
            .to_string()
            .starts_with("the file is 20.0 MB"));
    }

    #[test]
    fn covers_give_the_share_of_each_lsoa_inside() {
        let sq = |x0: f64, y0: f64, d: f64| {
            MultiPolygon(vec![geo_types::Polygon::new(
                geo_types::LineString::from(vec![
                    (x0, y0),
                    (x0 + d, y0),
                    (x0 + d, y0 + d),
                    (x0, y0 + d),
                    (x0, y0),
                ]),
                vec![],
            )])
        };
        let lsoas = vec![
            (0, sq(0.0, 52.0, 1.0)),
            (1, sq(1.0, 52.0, 1.0)),
            (2, sq(5.0, 52.0, 1.0)),
        ];
        let shapes = LsoaShapes::new(lsoas);
        let covers = shapes.covers(&sq(0.5, 52.0, 1.0));
        assert_eq!(covers.len(), 2);
        assert!((covers[0].share - 0.5).abs() < 1e-9 && (covers[1].share - 0.5).abs() < 1e-9);
        let covers = shapes.covers(&sq(0.0, 52.0, 2.0));
        assert_eq!(
            covers.iter().map(|c| c.lsoa).collect::<Vec<_>>(),
            vec![0, 1]
        );
        assert!(covers.iter().all(|c| (c.share - 1.0).abs() < 1e-9));
    }
}
