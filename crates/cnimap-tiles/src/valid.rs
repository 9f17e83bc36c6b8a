//! Valid polygons after snapping: every feature's rings, once they sit on an integer grid (a
//! zoom's tile grid, or a tile after clipping), are rebuilt into polygons that GEOS and the MVT 2.1
//! specification call valid.
//!
//! Snapping to a coarse grid and simplifying each border on its own keeps neighbours' borders
//! identical, but it can leave a ring that touches itself at a vertex (two borders of the same
//! area snapped onto one grid point), runs back along itself (a spike one unit wide), crosses
//! itself (two borders of the same area simplified across each other), or a hole that touches its
//! shell along a line. Clipping a concave ring to the tile square adds zero-width bridges along the
//! tile's edge. Any of these is an invalid polygon for GEOS (`Ring Self-intersection`,
//! `Self-intersection`) even though it draws correctly.
//!
//! [`make_valid`] takes a feature's rings (exteriors one way, holes the other, in any order) and
//! rebuilds them with an integer overlay (`i_overlay`, its OGC mode) under the *positive* fill rule:
//! a point belongs to the feature when its winding number is at least one. That
//!
//! - splits a ring touching itself at a vertex into separate rings (two polygons, or a shell and a
//!   hole), as OGC asks, without moving any vertex;
//! - drops spikes, bridges and zero-area parts (they enclose nothing);
//! - resolves a crossing by adding the crossing point (rounded to the grid) as a vertex and leaving
//!   out the inverted lobe (winding -1) that the twist made;
//! - puts every hole in the shell that holds it and orients the result the MVT way (exteriors with
//!   a positive surveyor's area with `y` down, clockwise on screen; holes the other way).
//!
//! Vertices are never moved, so a border stays the same sequence of grid points in both
//! neighbours; the one exception is a crossing, where only the area that owns the twist gets the
//! rounded crossing point (a sub-unit sliver, seen in the independent checker's overlap figures).
//! Collinear points are dropped (a straight border drawn with fewer points is the same line).

use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::i_float::int::point::IntPoint;

use crate::ring::signed_area2;

/// A polygon: its exterior ring, then its holes (open rings).
pub(crate) type Polygon<P> = Vec<Vec<P>>;

/// Rebuilds a feature's rings (`[x, y]` on an integer grid, open, exteriors with a positive
/// [`signed_area2`] and holes with a negative one) into valid polygons, appended to `out`: no
/// ring touches or crosses itself or another, holes lie inside their shell, shells do not
/// overlap, exteriors have a positive area and holes a negative one. Rings of fewer than three
/// points are ignored. Coordinates must span less than 2^30 units on each axis.
pub(crate) fn make_valid<T>(rings: &[Vec<[T; 2]>], out: &mut Vec<Polygon<[T; 2]>>)
where
    T: Copy + Into<i64> + TryFrom<i64>,
{
    let rings: Vec<&Vec<[T; 2]>> = rings.iter().filter(|r| r.len() >= 3).collect();
    let Some(origin) = origin_of(rings.iter().copied()) else {
        return;
    };
    let contours = local(&rings, origin);
    let points: usize = contours.iter().map(Vec::len).sum();
    let mut overlay = Overlay::new_custom(points, IntOverlayOptions::ogc(), Default::default());
    let shapes = match overlay.simplify_shape(&contours, FillRule::Positive) {
        Some(shapes) => shapes,
        // Already valid and oriented.
        None => vec![contours],
    };
    global(shapes, origin, out);
}

/// `subject` minus `clip` (both a feature's rings, as for [`make_valid`]) as valid polygons,
/// appended to `out`. Vertices of both are kept where they are; where their borders cross, the
/// crossing becomes a vertex (rounded to the grid).
pub(crate) fn subtract<T>(
    subject: &[&Vec<[T; 2]>],
    clip: &[&Vec<[T; 2]>],
    out: &mut Vec<Polygon<[T; 2]>>,
) where
    T: Copy + Into<i64> + TryFrom<i64>,
{
    let subject: Vec<&Vec<[T; 2]>> = subject.iter().copied().filter(|r| r.len() >= 3).collect();
    let clip: Vec<&Vec<[T; 2]>> = clip.iter().copied().filter(|r| r.len() >= 3).collect();
    let Some(origin) = origin_of(subject.iter().chain(&clip).copied()) else {
        return;
    };
    let (s, c) = (local(&subject, origin), local(&clip, origin));
    let points: usize = s.iter().chain(&c).map(Vec::len).sum();
    let mut overlay = Overlay::new_custom(points, IntOverlayOptions::ogc(), Default::default());
    overlay.add_contours(&s, ShapeType::Subject);
    overlay.add_contours(&c, ShapeType::Clip);
    let shapes = overlay.overlay(OverlayRule::Difference, FillRule::Positive);
    global(shapes, origin, out);
}

/// The smallest `x` and `y` over the rings' points: the origin of the local coordinates.
fn origin_of<'a, T>(rings: impl Iterator<Item = &'a Vec<[T; 2]>>) -> Option<(i64, i64)>
where
    T: Copy + Into<i64> + 'a,
{
    let mut origin: Option<(i64, i64)> = None;
    for p in rings.flatten() {
        let (x, y) = (p[0].into(), p[1].into());
        origin = Some(origin.map_or((x, y), |(x0, y0)| (x0.min(x), y0.min(y))));
    }
    origin
}

/// Rings moved to local `i32` coordinates (relative to `origin`, so any grid fits).
fn local<T>(rings: &[&Vec<[T; 2]>], origin: (i64, i64)) -> Vec<Vec<IntPoint>>
where
    T: Copy + Into<i64>,
{
    let to = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    rings
        .iter()
        .map(|r| {
            r.iter()
                .map(|p| IntPoint::new(to(p[0].into() - origin.0), to(p[1].into() - origin.1)))
                .collect()
        })
        .collect()
}

/// The overlay's shapes moved back from local coordinates and oriented the MVT way (exterior
/// positive, holes negative), appended to `out`; rings without area are left out.
fn global<T>(shapes: Vec<Vec<Vec<IntPoint>>>, origin: (i64, i64), out: &mut Vec<Polygon<[T; 2]>>)
where
    T: Copy + Into<i64> + TryFrom<i64>,
{
    let back = |p: &IntPoint| -> Option<[T; 2]> {
        Some([
            T::try_from(i64::from(p.x) + origin.0).ok()?,
            T::try_from(i64::from(p.y) + origin.1).ok()?,
        ])
    };
    for shape in shapes {
        let mut polygon: Polygon<[T; 2]> = Vec::with_capacity(shape.len());
        for (r, contour) in shape.iter().enumerate() {
            let Some(mut ring) = contour.iter().map(back).collect::<Option<Vec<[T; 2]>>>() else {
                continue;
            };
            let area2 = signed_area2(&ring);
            if area2 == 0.0 {
                if r == 0 {
                    break;
                }
                continue;
            }
            if (area2 > 0.0) != (r == 0) {
                ring.reverse();
            }
            polygon.push(ring);
        }
        if !polygon.is_empty() {
            out.push(polygon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(rings: &[Vec<[i64; 2]>]) -> Vec<Polygon<[i64; 2]>> {
        let mut out = Vec::new();
        make_valid(rings, &mut out);
        out
    }

    fn area(polygons: &[Polygon<[i64; 2]>]) -> f64 {
        polygons
            .iter()
            .flatten()
            .map(|r| signed_area2(r))
            .sum::<f64>()
            / 2.0
    }

    /// Every vertex of every ring of the result, counted: a ring touching itself would repeat one.
    fn repeats_within_rings(polygons: &[Polygon<[i64; 2]>]) -> usize {
        polygons
            .iter()
            .flatten()
            .map(|r| {
                let mut v = r.clone();
                v.sort_unstable();
                v.dedup();
                r.len() - v.len()
            })
            .sum()
    }

    #[test]
    fn a_valid_square_comes_back_as_it_was() {
        let square = vec![[0, 0], [10, 0], [10, 10], [0, 10]];
        let out = valid(std::slice::from_ref(&square));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len(), 1);
        assert_eq!(area(&out), 100.0);
        let mut got = out[0][0].clone();
        got.sort_unstable();
        let mut want = square;
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn a_ring_touching_itself_at_a_vertex_is_split_into_two_polygons() {
        // Two squares joined at (10, 10), walked as one ring (a figure of eight).
        let eight = vec![
            [0, 0],
            [10, 0],
            [10, 10],
            [20, 10],
            [20, 20],
            [10, 20],
            [10, 10],
            [0, 10],
        ];
        assert!(signed_area2(&eight) > 0.0);
        let out = valid(&[eight]);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(area(&out), 200.0);
        assert_eq!(repeats_within_rings(&out), 0);
    }

    #[test]
    fn a_ring_pinched_into_a_hole_becomes_a_shell_and_a_hole() {
        // A 30 x 30 square whose ring dips in to (15, 15) and walks a 10 x 10 loop back out: the
        // loop is an inverted hole touching the shell at (15, 10).
        let pinched = vec![
            [0, 0],
            [15, 0],
            [15, 10],
            [10, 10],
            [10, 20],
            [20, 20],
            [20, 10],
            [15, 10],
            [15, 0],
            [30, 0],
            [30, 30],
            [0, 30],
        ];
        let out = valid(&[pinched]);
        assert_eq!(area(&out), 900.0 - 100.0, "{out:?}");
        assert_eq!(repeats_within_rings(&out), 0);
        for polygon in &out {
            assert!(signed_area2(&polygon[0]) > 0.0);
            assert!(polygon[1..].iter().all(|h| signed_area2(h) < 0.0));
        }
    }

    #[test]
    fn spikes_and_bridges_are_dropped() {
        // A square with a spike out to (20, 5) and back, and a zero-width bridge along y = 0 to a
        // second square, as clipping leaves them.
        let ring = vec![
            [0, 0],
            [10, 0],
            [10, 5],
            [20, 5],
            [10, 5],
            [10, 10],
            [0, 10],
        ];
        let out = valid(&[ring]);
        assert_eq!(out.len(), 1);
        assert_eq!(area(&out), 100.0);
        assert!(!out[0][0].contains(&[20, 5]));
        let bridged = vec![
            [0, 0],
            [30, 0],
            [30, 10],
            [20, 10],
            [20, 0],
            [10, 0],
            [10, 10],
            [0, 10],
        ];
        let out = valid(&[bridged]);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(area(&out), 200.0);
    }

    #[test]
    fn a_bow_tie_keeps_its_positive_lobe_only() {
        // (0,0) -> (10,10) -> (10,0) -> (0,10): two triangles, one wound each way.
        let bow = vec![[0, 0], [10, 0], [0, 10], [10, 10]];
        let out = valid(&[bow]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(area(&out), 25.0);
        assert!(out[0][0].contains(&[5, 5]), "the crossing becomes a vertex");
    }

    #[test]
    fn holes_go_to_the_shell_holding_them_and_wind_the_other_way() {
        let a = vec![[0, 0], [10, 0], [10, 10], [0, 10]];
        let b = vec![[100, 0], [130, 0], [130, 30], [100, 30]];
        let hole_in_b: Vec<[i64; 2]> = vec![[110, 10], [120, 10], [120, 20], [110, 20]]
            .into_iter()
            .rev()
            .collect();
        // Given in the wrong order: the hole first.
        let out = valid(&[hole_in_b, a, b]);
        assert_eq!(out.len(), 2);
        let with_hole: Vec<&Polygon<[i64; 2]>> = out.iter().filter(|p| p.len() == 2).collect();
        assert_eq!(with_hole.len(), 1);
        assert!(with_hole[0][0].contains(&[130, 30]));
        assert!(signed_area2(&with_hole[0][1]) < 0.0);
        assert_eq!(area(&out), 100.0 + 900.0 - 100.0);
    }

    #[test]
    fn large_coordinates_are_handled_relative_to_the_feature() {
        let base = 1i64 << 40;
        let square = vec![
            [base, base],
            [base + 10, base],
            [base + 10, base + 10],
            [base, base + 10],
        ];
        let out = valid(&[square]);
        assert_eq!(area(&out), 100.0);
        assert!(out[0][0].iter().all(|p| p[0] >= base && p[1] >= base));
    }

    #[test]
    fn subtracting_a_neighbour_takes_out_only_the_overlap() {
        let a = vec![[0, 0], [10, 0], [10, 10], [0, 10]];
        let b = vec![[8, 2], [20, 2], [20, 8], [8, 8]];
        let mut out = Vec::new();
        subtract(&[&b], &[&a], &mut out);
        assert_eq!(area(&out), 72.0 - 12.0);
        assert!(out[0][0].contains(&[10, 2]) && out[0][0].contains(&[20, 8]));
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(valid(&[]).is_empty());
        assert!(valid(&[vec![[0, 0], [1, 1]]]).is_empty());
        assert!(valid(&[vec![[0, 0], [5, 0], [10, 0]]]).is_empty());
    }
}
