//! Clipping rings to a tile's buffered square (Sutherland-Hodgman against each edge).
//!
//! Each ring is clipped on its own, which is exact for a convex window. Edge crossings are
//! computed from the segment's end points in a canonical order, so two neighbours that walk a
//! shared border in opposite directions get the same crossing point.

/// Clips a ring (open, tile units) to the square `[min, max]` on both axes. The result may have
/// fewer than three points when the ring lies outside.
pub(crate) fn clip_ring(ring: &[[i64; 2]], min: i64, max: i64, out: &mut Vec<[i64; 2]>) {
    out.clear();
    // Fast paths: entirely inside, entirely outside.
    let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for &[x, y] in ring {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if x0 >= min && y0 >= min && x1 <= max && y1 <= max {
        out.extend_from_slice(ring);
        return;
    }
    if x1 < min || y1 < min || x0 > max || y0 > max {
        return;
    }
    let mut buf: Vec<[i64; 2]> = ring.to_vec();
    for (axis, bound, keep_below) in [
        (0, min, false),
        (0, max, true),
        (1, min, false),
        (1, max, true),
    ] {
        out.clear();
        let n = buf.len();
        if n == 0 {
            break;
        }
        let inside = |p: [i64; 2]| {
            if keep_below {
                p[axis] <= bound
            } else {
                p[axis] >= bound
            }
        };
        for i in 0..n {
            let cur = buf[i];
            let prev = buf[(i + n - 1) % n];
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(crossing(prev, cur, axis, bound)),
                (false, true) => {
                    out.push(crossing(prev, cur, axis, bound));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        std::mem::swap(&mut buf, out);
    }
    std::mem::swap(&mut buf, out);
}

/// Where the segment `a`-`b` crosses `p[axis] == bound`, rounded to the grid.
fn crossing(a: [i64; 2], b: [i64; 2], axis: usize, bound: i64) -> [i64; 2] {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let other = 1 - axis;
    let t = (bound - a[axis]) as f64 / (b[axis] - a[axis]) as f64;
    let v = a[other] as f64 + t * (b[other] - a[other]) as f64;
    let mut p = [0i64; 2];
    p[axis] = bound;
    p[other] = v.round() as i64;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_inside_is_unchanged() {
        let ring = [[10, 10], [20, 10], [20, 20]];
        let mut out = Vec::new();
        clip_ring(&ring, 0, 100, &mut out);
        assert_eq!(out, ring.to_vec());
    }

    #[test]
    fn a_ring_outside_vanishes() {
        let mut out = Vec::new();
        clip_ring(&[[200, 200], [300, 200], [300, 300]], 0, 100, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn a_square_overlapping_a_corner_is_cut_to_the_window() {
        let ring = [[-50, -50], [50, -50], [50, 50], [-50, 50]];
        let mut out = Vec::new();
        clip_ring(&ring, 0, 100, &mut out);
        let mut sorted = out.clone();
        sorted.sort();
        assert_eq!(sorted, vec![[0, 0], [0, 50], [50, 0], [50, 50]]);
    }

    #[test]
    fn a_shared_edge_crosses_the_window_at_the_same_point_both_ways() {
        let (a, b) = ([-7, 3], [13, 40]);
        assert_eq!(crossing(a, b, 0, 0), crossing(b, a, 0, 0));
    }
}
