//! The compact LSOA 2021 shapes document (`/api/shapes/lsoa21`, `api/shapes/lsoa21.json` on a
//! static site): every LSOA's outline with coordinates quantised to 10^-5 degrees and
//! delta-encoded as small integers, so custom areas can be measured in the browser.
//!
//! The command line and the server measure from the same decoded shapes as the browser, so the
//! three give the same shares to the last bit. The published BGC file already holds 5 decimal
//! places, so quantising at [`SCALE`] loses nothing there: an integer divided by 10^5 is the same
//! `f64` as the parsed 5-decimal text (both are the correctly rounded value of the same fraction).
//!
//! Layout of one LSOA (`shapes[feature index]`, an empty array when it has no outline):
//! `[polygons, then per polygon: rings, then per ring: points, then 2 x points deltas]`, the
//! deltas `dx, dy` from the previous point of the same LSOA (the first from `0, 0`), each ring
//! without its closing point. Measured on the national data: see `docs/API.md`.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};

/// Quantisation: coordinates are stored as integers of 10^-5 degrees (about 1.1 m north-south).
pub const SCALE: f64 = 100_000.0;
/// The format name written in the document.
pub const FORMAT: &str = "cnimap-shapes-1";

/// The document as served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapesDocument {
    /// [`FORMAT`].
    pub format: String,
    /// The layer (`lsoa21`).
    pub layer: String,
    /// Integers per degree ([`SCALE`]).
    pub scale: u32,
    /// One encoded outline per feature index (see the module docs).
    pub shapes: Vec<Vec<i64>>,
}

/// Why a shapes document cannot be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShapesError {
    /// Not the format this code reads.
    #[error("the shapes document is {found:?} at scale {scale}; expected {FORMAT:?} at scale {}", SCALE as u32)]
    Format {
        /// The document's format name.
        found: String,
        /// The document's scale.
        scale: u32,
    },
    /// An outline's numbers end early or hold an impossible count.
    #[error("the shapes document's outline {feature} is malformed: {problem}")]
    Malformed {
        /// The feature index.
        feature: usize,
        /// What is wrong.
        problem: &'static str,
    },
}

fn quantise(v: f64) -> i64 {
    (v * SCALE).round() as i64
}

/// Encodes outlines `(feature index, WGS84 outline)` for a layer of `len` features.
pub fn encode(layer: &str, len: usize, outlines: &[(u32, MultiPolygon<f64>)]) -> ShapesDocument {
    let mut shapes = vec![Vec::new(); len];
    for (index, outline) in outlines {
        let Some(out) = shapes.get_mut(*index as usize) else {
            continue;
        };
        let (mut px, mut py) = (0i64, 0i64);
        out.push(outline.0.len() as i64);
        for polygon in &outline.0 {
            let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .collect();
            out.push(rings.len() as i64);
            for ring in rings {
                let mut points: &[Coord<f64>] = &ring.0;
                if points.len() > 1 && points.first() == points.last() {
                    points = &points[..points.len() - 1];
                }
                out.push(points.len() as i64);
                for p in points {
                    let (x, y) = (quantise(p.x), quantise(p.y));
                    out.push(x - px);
                    out.push(y - py);
                    (px, py) = (x, y);
                }
            }
        }
    }
    ShapesDocument {
        format: FORMAT.to_string(),
        layer: layer.to_string(),
        scale: SCALE as u32,
        shapes,
    }
}

/// Decodes every outline, `(feature index, WGS84 outline)`, skipping features without one.
pub fn decode(doc: &ShapesDocument) -> Result<Vec<(u32, MultiPolygon<f64>)>, ShapesError> {
    if doc.format != FORMAT || doc.scale != SCALE as u32 {
        return Err(ShapesError::Format {
            found: doc.format.clone(),
            scale: doc.scale,
        });
    }
    let mut out = Vec::new();
    for (feature, numbers) in doc.shapes.iter().enumerate() {
        if numbers.is_empty() {
            continue;
        }
        out.push((feature as u32, decode_one(feature, numbers)?));
    }
    Ok(out)
}

/// Reads counts and deltas from one outline's numbers.
struct Reader<'a> {
    feature: usize,
    numbers: &'a [i64],
    at: usize,
}

impl Reader<'_> {
    fn next(&mut self) -> Result<i64, ShapesError> {
        let v = self
            .numbers
            .get(self.at)
            .copied()
            .ok_or(ShapesError::Malformed {
                feature: self.feature,
                problem: "its numbers end early",
            })?;
        self.at += 1;
        Ok(v)
    }

    fn count(&mut self) -> Result<usize, ShapesError> {
        let v = self.next()?;
        // No count can exceed the numbers left.
        if v < 0 || v as usize > self.numbers.len() - self.at {
            return Err(ShapesError::Malformed {
                feature: self.feature,
                problem: "a count is negative or larger than the numbers left",
            });
        }
        Ok(v as usize)
    }
}

fn decode_one(feature: usize, numbers: &[i64]) -> Result<MultiPolygon<f64>, ShapesError> {
    let mut r = Reader {
        feature,
        numbers,
        at: 0,
    };
    let (mut x, mut y) = (0i64, 0i64);
    let polygons = r.count()?;
    let mut out = Vec::with_capacity(polygons);
    for _ in 0..polygons {
        let n_rings = r.count()?;
        let mut rings = Vec::with_capacity(n_rings);
        for _ in 0..n_rings {
            let n = r.count()?;
            let mut coords = Vec::with_capacity(n + 1);
            for _ in 0..n {
                x = x.saturating_add(r.next()?);
                y = y.saturating_add(r.next()?);
                coords.push(Coord {
                    x: x as f64 / SCALE,
                    y: y as f64 / SCALE,
                });
            }
            if let Some(first) = coords.first().copied() {
                coords.push(first);
            }
            rings.push(LineString(coords));
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().ok_or(ShapesError::Malformed {
            feature,
            problem: "a polygon has no rings",
        })?;
        out.push(Polygon::new(exterior, rings.collect()));
    }
    if r.at != numbers.len() {
        return Err(ShapesError::Malformed {
            feature,
            problem: "numbers are left over after its last ring",
        });
    }
    Ok(MultiPolygon(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        let mut v: Vec<(f64, f64)> = points.to_vec();
        v.push(points[0]);
        LineString::from(v)
    }

    #[test]
    fn outlines_on_the_five_decimal_grid_come_back_bit_for_bit() {
        let a = MultiPolygon(vec![
            Polygon::new(
                ring(&[
                    (-1.23299, 54.67891),
                    (-1.22955, 54.67776),
                    (-1.22706, 54.6781),
                ]),
                vec![ring(&[
                    (-1.2291, 54.6780),
                    (-1.2289, 54.6779),
                    (-1.2290, 54.67795),
                ])],
            ),
            Polygon::new(
                ring(&[(0.5, 51.5), (0.50001, 51.5), (0.5, 51.50001)]),
                vec![],
            ),
        ]);
        let b = MultiPolygon(vec![Polygon::new(
            ring(&[(1.1, 52.0), (1.2, 52.0), (1.2, 52.1)]),
            vec![],
        )]);
        let doc = encode("lsoa21", 4, &[(0, a.clone()), (3, b.clone())]);
        assert_eq!(doc.shapes[1], Vec::<i64>::new());
        let json = serde_json::to_string(&doc).expect("encodes");
        let back: ShapesDocument = serde_json::from_str(&json).expect("parses");
        let decoded = decode(&back).expect("decodes");
        assert_eq!(decoded, vec![(0, a), (3, b)]);
    }

    #[test]
    fn coordinates_off_the_grid_move_by_at_most_half_a_step() {
        let a = MultiPolygon(vec![Polygon::new(
            ring(&[(-1.234567, 52.000004), (-1.2, 52.0), (-1.2, 52.1)]),
            vec![],
        )]);
        let decoded = decode(&encode("lsoa21", 1, &[(0, a)])).expect("decodes");
        let p = decoded[0].1 .0[0].exterior().0[0];
        assert_eq!((p.x, p.y), (-1.23457, 52.0));
    }

    #[test]
    fn malformed_documents_are_refused_with_the_feature_named() {
        let doc = |shapes: Vec<Vec<i64>>| ShapesDocument {
            format: FORMAT.into(),
            layer: "lsoa21".into(),
            scale: SCALE as u32,
            shapes,
        };
        let err = decode(&doc(vec![vec![], vec![1, 1, 3, 0, 0]])).expect_err("short");
        assert_eq!(
            err.to_string(),
            "the shapes document's outline 1 is malformed: a count is negative or larger than the numbers left"
        );
        assert!(
            decode(&doc(vec![vec![1, 1, 1, 5, 5, 9]])).is_err(),
            "left over"
        );
        assert!(decode(&doc(vec![vec![-1]])).is_err(), "negative");
        assert!(decode(&doc(vec![vec![1, 0]])).is_err(), "no rings");
        let mut other = doc(vec![]);
        other.scale = 10;
        assert!(decode(&other)
            .expect_err("scale")
            .to_string()
            .contains("at scale 10"));
    }
}
