//! Step 4 of the repair: orient every polygon, exterior counter-clockwise and holes clockwise
//! (lon/lat), by the sign of each ring's area.

use geo::{Coord, MultiPolygon};

/// Orients every polygon: exterior counter-clockwise, holes clockwise. Returns whether any ring
/// was reversed.
pub(super) fn orient(geometry: &mut MultiPolygon<f64>) -> bool {
    let mut reversed = false;
    for polygon in geometry.0.iter_mut() {
        if signed_area(&polygon.exterior().0) < 0.0 {
            polygon.exterior_mut(|r| r.0.reverse());
            reversed = true;
        }
        if polygon.interiors().iter().any(|h| signed_area(&h.0) > 0.0) {
            polygon.interiors_mut(|holes| {
                for h in holes.iter_mut() {
                    if signed_area(&h.0) > 0.0 {
                        h.0.reverse();
                    }
                }
            });
            reversed = true;
        }
    }
    reversed
}

/// Twice the signed area of a ring (open or closed): positive when counter-clockwise.
pub(super) fn signed_area(coords: &[Coord<f64>]) -> f64 {
    let n = coords.len();
    if n < 3 {
        return 0.0;
    }
    let origin = coords[0];
    (0..n)
        .map(|i| {
            let a = coords[i] - origin;
            let b = coords[(i + 1) % n] - origin;
            a.x * b.y - b.x * a.y
        })
        .sum()
}
