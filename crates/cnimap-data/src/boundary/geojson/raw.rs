//! The raw serde model of a GeoJSON FeatureCollection: coordinates deserialised straight into
//! [`Coord`]s by a visitor that discovers the nesting depth from the data (no `serde_json::Value`
//! tree, no `geojson::Geometry` intermediate); only each feature's properties become a small map.

use std::fmt;

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A FeatureCollection: its type, its (old-style) `crs` member and its features.
#[derive(Deserialize)]
pub(super) struct RawCollection {
    #[serde(rename = "type")]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) crs: Option<Value>,
    #[serde(default)]
    pub(super) features: Vec<RawFeature>,
}

/// A feature: its properties as a small map and its geometry.
#[derive(Deserialize)]
pub(super) struct RawFeature {
    #[serde(default)]
    pub(super) properties: Option<Map<String, Value>>,
    #[serde(default)]
    pub(super) geometry: Option<RawGeometry>,
}

/// A geometry: its type and coordinates of whatever depth the file has.
#[derive(Deserialize)]
pub(super) struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    coordinates: Option<Nested>,
}

impl RawGeometry {
    /// The geometry as a multipolygon; `Ok(None)` for an empty geometry.
    pub(super) fn into_multi_polygon(self) -> Result<Option<MultiPolygon<f64>>, String> {
        let RawGeometry { kind, coordinates } = self;
        let depth_error = |expected: &str, found: &Nested| {
            format!(
                "a {kind} needs coordinates nested {expected}, found {}",
                found.describe()
            )
        };
        match (kind.as_str(), coordinates) {
            ("Polygon" | "MultiPolygon", None | Some(Nested::Empty)) => Ok(None),
            ("Polygon", Some(Nested::Rings(rings))) => {
                Ok(Some(MultiPolygon::new(vec![polygon(rings)])))
            }
            ("MultiPolygon", Some(Nested::Polygons(polygons))) => Ok(Some(MultiPolygon::new(
                polygons.into_iter().map(polygon).collect(),
            ))),
            ("Polygon", Some(other)) => Err(depth_error("3 deep ([[[x, y], ...]])", &other)),
            ("MultiPolygon", Some(other)) => Err(depth_error("4 deep ([[[[x, y], ...]]])", &other)),
            (other, _) => Err(format!(
                "geometry is a {other}; only Polygon and MultiPolygon can be area boundaries"
            )),
        }
    }
}

fn polygon(mut rings: Vec<Vec<Coord<f64>>>) -> Polygon<f64> {
    if rings.is_empty() {
        return Polygon::new(LineString::new(Vec::new()), Vec::new());
    }
    let exterior = LineString::new(rings.remove(0));
    Polygon::new(exterior, rings.into_iter().map(LineString::new).collect())
}

/// GeoJSON coordinates of unknown depth, read without an intermediate tree: the first element of
/// each array decides its depth, the rest are read with a typed reader for that depth.
enum Nested {
    Empty,
    Number(f64),
    Position(Coord<f64>),
    Line(Vec<Coord<f64>>),
    Rings(Vec<Vec<Coord<f64>>>),
    Polygons(Vec<Vec<Vec<Coord<f64>>>>),
}

impl Nested {
    fn describe(&self) -> &'static str {
        match self {
            Nested::Empty => "an empty array",
            Nested::Number(_) => "a bare number",
            Nested::Position(_) => "1 deep (a single position)",
            Nested::Line(_) => "2 deep (a line)",
            Nested::Rings(_) => "3 deep (a polygon)",
            Nested::Polygons(_) => "4 deep (a multipolygon)",
        }
    }
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NestedVisitor)
    }
}

struct NestedVisitor;

impl<'de> Visitor<'de> for NestedVisitor {
    type Value = Nested;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("GeoJSON coordinates (nested arrays of numbers)")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Nested, E> {
        Ok(Nested::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nested, E> {
        Ok(Nested::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Nested, E> {
        Ok(Nested::Number(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Nested, A::Error> {
        let hint = seq.size_hint().unwrap_or(0);
        let Some(first) = seq.next_element::<Nested>()? else {
            return Ok(Nested::Empty);
        };
        match first {
            Nested::Number(x) => {
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &"a position [x, y]"))?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Nested::Position(Coord { x, y }))
            }
            Nested::Position(c) => {
                let mut line = Vec::with_capacity(hint.max(8));
                line.push(c);
                while let Some(Pos(c)) = seq.next_element::<Pos>()? {
                    line.push(c);
                }
                Ok(Nested::Line(line))
            }
            Nested::Line(l) => {
                let mut rings = Vec::with_capacity(hint.max(1));
                rings.push(l);
                while let Some(Line(l)) = seq.next_element::<Line>()? {
                    rings.push(l);
                }
                Ok(Nested::Rings(rings))
            }
            Nested::Rings(r) => {
                let mut polygons = Vec::with_capacity(hint.max(1));
                polygons.push(r);
                while let Some(Rings(r)) = seq.next_element::<Rings>()? {
                    polygons.push(r);
                }
                Ok(Nested::Polygons(polygons))
            }
            Nested::Empty | Nested::Polygons(_) => Err(de::Error::custom(
                "coordinates nested deeper than a MultiPolygon, or an empty array inside coordinates",
            )),
        }
    }
}

/// A position `[x, y, ...]` (extra ordinates ignored).
struct Pos(Coord<f64>);

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position [x, y]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Pos(Coord { x, y }))
            }
        }
        deserializer.deserialize_seq(V)
    }
}

/// A line or ring: an array of positions.
struct Line(Vec<Coord<f64>>);

impl<'de> Deserialize<'de> for Line {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Line;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of positions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Line, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).max(8));
                while let Some(Pos(c)) = seq.next_element()? {
                    v.push(c);
                }
                Ok(Line(v))
            }
        }
        deserializer.deserialize_seq(V)
    }
}

/// A polygon's rings: an array of lines.
struct Rings(Vec<Vec<Coord<f64>>>);

impl<'de> Deserialize<'de> for Rings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Rings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of rings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rings, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).max(1));
                while let Some(Line(l)) = seq.next_element()? {
                    v.push(l);
                }
                Ok(Rings(v))
            }
        }
        deserializer.deserialize_seq(V)
    }
}
