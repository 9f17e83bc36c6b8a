//! Finding the arcs that touch or cross each other once simplified and snapped to a zoom's grid.
//!
//! Each arc is simplified on its own and its points rounded to the grid, so two arcs that ran
//! close together (the two banks of an estuary, the two sides of a narrow area, borders meeting at
//! a sharp angle) can end up crossing. Where they cross, the areas on either side overlap by a
//! small lobe. This module finds those places; [`crate::layer`] then takes the overlap out of all
//! but one of the areas concerned.
//!
//! Segments are bucketed into a uniform grid of cells; segments sharing a cell are tested
//! exactly (integer orientation tests). A pair is reported when the segments share any point other
//! than a common end point that is an end of both arcs (a junction) or of two consecutive segments
//! of one arc.

use rayon::prelude::*;

/// A segment: its arc, its index within the arc, and its end points.
#[derive(Clone, Copy)]
struct Segment {
    arc: u32,
    index: u32,
    a: [i32; 2],
    b: [i32; 2],
}

/// The sign of the turn `a -> b -> c` (1 left, -1 right, 0 collinear).
fn orient(a: [i32; 2], b: [i32; 2], c: [i32; 2]) -> i64 {
    let (ax, ay) = (i64::from(a[0]), i64::from(a[1]));
    let (bx, by) = (i64::from(b[0]), i64::from(b[1]));
    let (cx, cy) = (i64::from(c[0]), i64::from(c[1]));
    ((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)).signum()
}

/// Whether `p`, collinear with segment `a`-`b`, lies within its bounding box.
fn within(a: [i32; 2], b: [i32; 2], p: [i32; 2]) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Whether two closed segments share at least one point.
fn intersect(p: &Segment, q: &Segment) -> bool {
    let (o1, o2) = (orient(p.a, p.b, q.a), orient(p.a, p.b, q.b));
    let (o3, o4) = (orient(q.a, q.b, p.a), orient(q.a, q.b, p.b));
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    (o1 == 0 && within(p.a, p.b, q.a))
        || (o2 == 0 && within(p.a, p.b, q.b))
        || (o3 == 0 && within(q.a, q.b, p.a))
        || (o4 == 0 && within(q.a, q.b, p.b))
}

/// Whether the only contact of two intersecting segments is an end point they are allowed to
/// share: consecutive segments of one arc, or the end points of two arcs meeting at a junction.
fn allowed_contact(p: &Segment, q: &Segment, arcs: &[Vec<[i32; 2]>], closed: &[bool]) -> bool {
    let (pa, pb) = (p.a == q.a || p.a == q.b, p.b == q.a || p.b == q.b);
    if pa == pb {
        // No common end point (a crossing or a touch inside a segment), or the same segment twice.
        return false;
    }
    let s = if pa { p.a } else { p.b };
    // Touching only at `s`: no other point of either segment lies on the other.
    let other_p = if p.a == s { p.b } else { p.a };
    let other_q = if q.a == s { q.b } else { q.a };
    if (orient(q.a, q.b, other_p) == 0 && within(q.a, q.b, other_p))
        || (orient(p.a, p.b, other_q) == 0 && within(p.a, p.b, other_q))
    {
        return false;
    }
    if p.arc == q.arc {
        let n = arcs[p.arc as usize].len().saturating_sub(1) as u32;
        let (i, j) = (p.index.min(q.index), p.index.max(q.index));
        return j == i + 1 || (closed[p.arc as usize] && i == 0 && j + 1 == n + 1);
    }
    let end = |arc: u32| {
        let pts = &arcs[arc as usize];
        !closed[arc as usize] && (pts.first() == Some(&s) || pts.last() == Some(&s))
    };
    end(p.arc) && end(q.arc)
}

/// The key of cell `(x, y)`.
fn cell_key(x: i64, y: i64) -> u64 {
    ((x as u64 & 0xffff_ffff) << 32) | (y as u64 & 0xffff_ffff)
}

/// The cells (of side `cell`) that segment `s` passes through, or a few more: its bounding box
/// when that is at most 2 x 2 cells, else a walk along it in steps of half a cell, adding both
/// cells beside a diagonal step (where the segment may cut a cell's corner).
fn cells_of(s: &Segment, cell: i64, out: &mut Vec<u64>) {
    out.clear();
    let c = |v: i64| v.div_euclid(cell);
    let (ax, ay, bx, by) = (
        i64::from(s.a[0]),
        i64::from(s.a[1]),
        i64::from(s.b[0]),
        i64::from(s.b[1]),
    );
    let (x0, x1) = (c(ax.min(bx)), c(ax.max(bx)));
    let (y0, y1) = (c(ay.min(by)), c(ay.max(by)));
    if (x1 - x0) <= 1 && (y1 - y0) <= 1 {
        for x in x0..=x1 {
            for y in y0..=y1 {
                out.push(cell_key(x, y));
            }
        }
        return;
    }
    let steps = 2 * ((bx - ax).abs().max((by - ay).abs()) / cell + 1);
    let at = |k: i64| {
        let t = k as f64 / steps as f64;
        let x = ax as f64 + t * (bx - ax) as f64;
        let y = ay as f64 + t * (by - ay) as f64;
        (c(x.floor() as i64), c(y.floor() as i64))
    };
    let mut prev = at(0);
    out.push(cell_key(prev.0, prev.1));
    for k in 1..=steps {
        let next = at(k);
        if next != prev {
            if next.0 != prev.0 && next.1 != prev.1 {
                out.push(cell_key(next.0, prev.1));
                out.push(cell_key(prev.0, next.1));
            }
            out.push(cell_key(next.0, next.1));
            prev = next;
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Pairs of arcs (`a <= b`; `a == b` for an arc touching itself) whose snapped segments touch or
/// cross anywhere but at the junctions they share. `arcs` are the zoom's arcs on its grid (closed
/// arcs without their closing point, `closed[i]` telling which).
pub(crate) fn touching_arcs(arcs: &[Vec<[i32; 2]>], closed: &[bool]) -> Vec<(u32, u32)> {
    let mut segments: Vec<Segment> = Vec::new();
    for (arc, pts) in arcs.iter().enumerate() {
        let n = pts.len();
        if n < 2 {
            continue;
        }
        let count = if closed[arc] { n } else { n - 1 };
        for i in 0..count {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            if a != b {
                segments.push(Segment {
                    arc: arc as u32,
                    index: i as u32,
                    a,
                    b,
                });
            }
        }
    }
    if segments.is_empty() {
        return Vec::new();
    }
    // Cells about twice the mean segment's length, at least 8 units.
    let total: f64 = segments
        .iter()
        .map(|s| {
            f64::from(s.b[0] - s.a[0])
                .abs()
                .max(f64::from(s.b[1] - s.a[1]).abs())
        })
        .sum();
    let cell = ((2.0 * total / segments.len() as f64).ceil() as i64).clamp(8, 1 << 20);
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(segments.len() * 2);
    let mut cells = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        cells_of(s, cell, &mut cells);
        keyed.extend(cells.iter().map(|&key| (key, i as u32)));
    }
    keyed.par_sort_unstable();
    let groups: Vec<&[(u64, u32)]> = keyed.chunk_by(|x, y| x.0 == y.0).collect();
    let mut pairs: Vec<(u32, u32)> = groups
        .par_iter()
        .flat_map_iter(|group| {
            let mut found = Vec::new();
            for (k, &(_, i)) in group.iter().enumerate() {
                let p = &segments[i as usize];
                let (px0, px1) = (p.a[0].min(p.b[0]), p.a[0].max(p.b[0]));
                let (py0, py1) = (p.a[1].min(p.b[1]), p.a[1].max(p.b[1]));
                for &(_, j) in &group[k + 1..] {
                    let q = &segments[j as usize];
                    if q.a[0].max(q.b[0]) < px0
                        || q.a[0].min(q.b[0]) > px1
                        || q.a[1].max(q.b[1]) < py0
                        || q.a[1].min(q.b[1]) > py1
                    {
                        continue;
                    }
                    if intersect(p, q) && !allowed_contact(p, q, arcs, closed) {
                        found.push((p.arc.min(q.arc), p.arc.max(q.arc)));
                    }
                }
            }
            found
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Per arc, the slots of the features whose rings use it (at most two are kept), and the pairs
/// of features that walk some arc the same way: both lie on the same side of it, so they overlap
/// there (a shell nested in another feature's shell, as some source files have it).
pub(crate) fn arc_users(
    features: &[Vec<Vec<Vec<crate::topology::ArcRef>>>],
    arcs: usize,
) -> (Vec<[u32; 2]>, Vec<(u32, u32)>) {
    let mut users = vec![[u32::MAX; 2]; arcs];
    let mut first_way: Vec<Option<bool>> = vec![None; arcs];
    let mut same_way: Vec<(u32, u32)> = Vec::new();
    for (f, polygons) in features.iter().enumerate() {
        let f = f as u32;
        for r in polygons.iter().flatten().flatten() {
            let (Some(u), Some(way)) = (
                users.get_mut(r.arc as usize),
                first_way.get_mut(r.arc as usize),
            ) else {
                continue;
            };
            if u[0] == u32::MAX {
                u[0] = f;
                *way = Some(r.reversed);
            } else if u[0] != f {
                if u[1] == u32::MAX {
                    u[1] = f;
                }
                if *way == Some(r.reversed) {
                    same_way.push((u[0].min(f), u[0].max(f)));
                }
            }
        }
    }
    same_way.sort_unstable();
    same_way.dedup();
    (users, same_way)
}

/// For tests: the pairs as a map from arc to the arcs it touches.
#[cfg(test)]
fn by_arc(pairs: &[(u32, u32)]) -> crate::fxhash::FxHashMap<u32, Vec<u32>> {
    let mut m: crate::fxhash::FxHashMap<u32, Vec<u32>> = Default::default();
    for &(a, b) in pairs {
        m.entry(a).or_default().push(b);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arcs_meeting_only_at_their_junction_do_not_touch() {
        let arcs = vec![
            vec![[0, 0], [10, 0], [20, 0]],
            vec![[20, 0], [20, 10]],
            vec![[20, 0], [30, -5]],
        ];
        assert!(touching_arcs(&arcs, &[false, false, false]).is_empty());
    }

    #[test]
    fn crossing_arcs_are_found() {
        let arcs = vec![vec![[0, 0], [10, 10], [20, 0]], vec![[0, 8], [20, 8]]];
        assert_eq!(touching_arcs(&arcs, &[false, false]), vec![(0, 1)]);
    }

    #[test]
    fn an_arc_touching_another_at_an_inner_vertex_is_found() {
        let arcs = vec![
            vec![[0, 0], [10, 0], [20, 0]],
            vec![[10, 5], [10, 0], [15, 5]],
        ];
        assert_eq!(touching_arcs(&arcs, &[false, false]), vec![(0, 1)]);
    }

    #[test]
    fn an_arc_crossing_itself_is_found_and_a_closed_ring_is_not() {
        let arcs = vec![
            vec![[0, 0], [10, 10], [10, 0], [0, 10]],
            vec![[100, 0], [110, 0], [110, 10], [100, 10]],
        ];
        let pairs = touching_arcs(&arcs, &[false, true]);
        assert_eq!(by_arc(&pairs).get(&0), Some(&vec![0]));
        assert!(!pairs.contains(&(1, 1)));
    }

    #[test]
    fn long_segments_over_many_cells_are_found() {
        let mut arcs = vec![
            vec![[0, 0], [100_000, 100_000]],
            vec![[0, 100_000], [100_000, 0]],
        ];
        for i in 0..1000 {
            arcs.push(vec![[200_000 + i, 0], [200_000 + i, 1]]);
        }
        let closed = vec![false; arcs.len()];
        assert_eq!(touching_arcs(&arcs, &closed), vec![(0, 1)]);
    }
}
