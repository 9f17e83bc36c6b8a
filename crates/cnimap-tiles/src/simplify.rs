//! Douglas-Peucker simplification of one arc on the world grid, keeping its end points.
//!
//! Arcs are simplified independently, so the junctions where three areas meet never move and
//! every ring that uses an arc gets the same simplified border.

use crate::world::WorldPt;

/// Squared distance from `p` to the segment `a`-`b` (to the point `a` when the segment is empty).
fn segment_distance2(p: WorldPt, a: WorldPt, b: WorldPt) -> f64 {
    let (px, py) = (f64::from(p[0]), f64::from(p[1]));
    let (ax, ay) = (f64::from(a[0]), f64::from(a[1]));
    let (bx, by) = (f64::from(b[0]), f64::from(b[1]));
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (ax + t * dx - px, ay + t * dy - py);
    ex * ex + ey * ey
}

/// Marks the points of `points[first..=last]` that Douglas-Peucker keeps at `tolerance2`
/// (squared distance); `first` and `last` are kept by the caller.
fn mark(points: &[WorldPt], first: usize, last: usize, tolerance2: f64, keep: &mut [bool]) {
    let mut stack = vec![(first, last)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let mut worst = a;
        let mut worst_d = -1.0;
        for i in a + 1..b {
            let d = segment_distance2(points[i], points[a], points[b]);
            if d > worst_d {
                worst_d = d;
                worst = i;
            }
        }
        if worst_d > tolerance2 {
            keep[worst] = true;
            stack.push((a, worst));
            stack.push((worst, b));
        }
    }
}

/// Simplifies an open arc, keeping both end points, so no removed point lies further than
/// `tolerance` (world units) from the result.
pub(crate) fn simplify_open(points: &[WorldPt], tolerance: f64) -> Vec<WorldPt> {
    let n = points.len();
    if n <= 2 {
        return points.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    mark(points, 0, n - 1, tolerance * tolerance, &mut keep);
    points
        .iter()
        .zip(&keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Simplifies a closed ring (stored without its closing point). The first point is kept, and so is
/// the point furthest from it, so the ring keeps its extent; the result may have fewer than three
/// points when the ring collapses.
pub(crate) fn simplify_closed(points: &[WorldPt], tolerance: f64) -> Vec<WorldPt> {
    let n = points.len();
    if n <= 3 {
        return points.to_vec();
    }
    let far = (1..n)
        .max_by(|&i, &j| {
            segment_distance2(points[i], points[0], points[0])
                .total_cmp(&segment_distance2(points[j], points[0], points[0]))
        })
        .unwrap_or(1);
    let mut closed: Vec<WorldPt> = points.to_vec();
    closed.push(points[0]);
    let mut keep = vec![false; n + 1];
    keep[0] = true;
    keep[far] = true;
    let t2 = tolerance * tolerance;
    mark(&closed, 0, far, t2, &mut keep);
    mark(&closed, far, n, t2, &mut keep);
    closed
        .iter()
        .take(n)
        .zip(&keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_open_keeps_end_points_and_drops_small_wiggles() {
        let arc = vec![[0, 0], [10, 1], [20, 0], [30, 50], [40, 0]];
        let out = simplify_open(&arc, 2.0);
        assert_eq!(out, vec![[0, 0], [20, 0], [30, 50], [40, 0]]);
    }

    #[test]
    fn simplify_open_with_equal_end_points_does_not_collapse_a_loop() {
        let arc = vec![[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]];
        let out = simplify_open(&arc, 1.0);
        assert_eq!(out.len(), 5);
    }

    #[test]
    fn simplify_closed_keeps_a_large_square_and_collapses_a_tiny_one() {
        let big = vec![[0, 0], [50, 1], [100, 0], [100, 100], [0, 100]];
        assert_eq!(simplify_closed(&big, 5.0).len(), 4);
        let tiny = vec![[0, 0], [2, 0], [2, 2], [1, 3], [0, 2]];
        assert!(simplify_closed(&tiny, 10.0).len() < 3);
    }
}
