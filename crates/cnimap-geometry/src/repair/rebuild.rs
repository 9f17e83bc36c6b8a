//! Step 3 of the repair: rebuild an invalid geometry through geo's `BooleanOps` (i_overlay, OGC
//! output, non-zero fill), then snap output vertices back onto the input vertices they came from
//! so shared edges with neighbours stay identical.

use std::collections::HashMap;

use geo::bool_ops::FillRule;
use geo::{BooleanOps, Coord, LineString, MultiPolygon, OpType, Polygon};

/// Rebuilds the geometry through the overlay engine: OGC-valid output, non-zero fill (so
/// overlapping parts merge and a hole is whatever winds back to zero).
pub(super) fn rebuild(geometry: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let nothing: MultiPolygon<f64> = MultiPolygon::new(Vec::new());
    geometry.boolean_op_with_fill_rule(&nothing, OpType::Union, FillRule::NonZero)
}

/// Moves each output vertex onto the input vertex it came from (the overlay works on an integer
/// grid, so it returns input vertices a hair away from where they were). Vertices farther than
/// `SNAP` degrees from any input vertex (new intersection points) stay where they are.
pub(super) fn snap_to(output: &MultiPolygon<f64>, input: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    const SNAP: f64 = 1e-7;
    let key = |c: Coord<f64>| ((c.x / SNAP).round() as i64, (c.y / SNAP).round() as i64);
    let mut grid: HashMap<(i64, i64), Coord<f64>> = HashMap::new();
    for polygon in &input.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for &c in &ring.0 {
                grid.insert(key(c), c);
            }
        }
    }
    let snap = |c: Coord<f64>| {
        let (kx, ky) = key(c);
        let mut best: Option<(f64, Coord<f64>)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(&v) = grid.get(&(kx + dx, ky + dy)) {
                    let d = (v.x - c.x).hypot(v.y - c.y);
                    if d <= SNAP && best.is_none_or(|(bd, _)| d < bd) {
                        best = Some((d, v));
                    }
                }
            }
        }
        best.map_or(c, |(_, v)| v)
    };
    let snap_ring = |ring: &LineString<f64>| {
        let mut coords: Vec<Coord<f64>> = ring.0.iter().map(|&c| snap(c)).collect();
        coords.dedup();
        LineString::new(coords)
    };
    MultiPolygon::new(
        output
            .0
            .iter()
            .map(|p| {
                Polygon::new(
                    snap_ring(p.exterior()),
                    p.interiors().iter().map(snap_ring).collect(),
                )
            })
            .collect(),
    )
}
