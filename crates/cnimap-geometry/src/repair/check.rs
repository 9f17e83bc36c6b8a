//! Step 2 of the repair: the exact, fast validity check. A sweep over all segments finds every
//! pair of touching or crossing segments; rings that do not touch are checked for nesting by
//! point-in-ring tests; the few pairs that touch where no probe can decide go to `geo::Relate`,
//! with the tests `geo::Validation` applies.

use std::collections::{HashMap, HashSet};

use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::kernels::RobustKernel;
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::relate::IntersectionMatrix;
use geo::{
    BoundingRect, Coord, Intersects, Kernel, Line, LineString, MultiPolygon, Orientation, Polygon,
    Relate,
};

#[derive(Clone, Copy)]
struct Segment {
    line: Line<f64>,
    min_x: f64,
    max_x: f64,
    polygon: u32,
    ring: u32,
    index: u32,
    ring_len: u32,
}

/// How many polygons of the geometry are invalid (a pair of overlapping polygons counts as two).
pub(super) fn invalid_polygons(geometry: &MultiPolygon<f64>) -> usize {
    let mut bad = vec![false; geometry.0.len()];
    let segments = ring_segments(geometry, &mut bad);
    let contacts = sweep(geometry, &segments, &mut bad);
    let undecided_polygons = check_holes(geometry, &contacts, &mut bad);
    let undecided_pairs = check_parts(geometry, &contacts, &mut bad);

    // The rare cases the probes cannot settle: ask geo, with the tests `geo::Validation` applies.
    for p in undecided_polygons {
        if !bad[p] && !polygon_rings_valid(&geometry.0[p]) {
            bad[p] = true;
        }
    }
    for (p, q) in undecided_pairs {
        if !bad[p] && !bad[q] && parts_conflict(&geometry.0[p].relate(&geometry.0[q])) {
            bad[p] = true;
            bad[q] = true;
        }
    }
    bad.iter().filter(|&&b| b).count()
}

/// Ring `r` of polygon `p` (0 is the exterior, `h + 1` the hole `h`).
fn ring_of(geometry: &MultiPolygon<f64>, p: u32, r: u32) -> &[Coord<f64>] {
    let polygon = &geometry.0[p as usize];
    if r == 0 {
        &polygon.exterior().0
    } else {
        &polygon.interiors()[r as usize - 1].0
    }
}

/// Every segment of every well-formed ring, sorted by `min_x` for the sweep. A ring that is not
/// closed, has fewer than 4 points or a non-finite coordinate marks its polygon `bad`.
fn ring_segments(geometry: &MultiPolygon<f64>, bad: &mut [bool]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    for (p, polygon) in geometry.0.iter().enumerate() {
        for (r, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            let coords = &ring.0;
            let finite = coords.iter().all(|c| c.x.is_finite() && c.y.is_finite());
            if !finite || coords.len() < 4 || coords.first() != coords.last() {
                bad[p] = true;
                continue;
            }
            let ring_len = (coords.len() - 1) as u32;
            for (i, w) in coords.windows(2).enumerate() {
                segments.push(Segment {
                    line: Line::new(w[0], w[1]),
                    min_x: w[0].x.min(w[1].x),
                    max_x: w[0].x.max(w[1].x),
                    polygon: p as u32,
                    ring: r as u32,
                    index: i as u32,
                    ring_len,
                });
            }
        }
    }
    segments.sort_unstable_by(|a, b| a.min_x.total_cmp(&b.min_x));
    segments
}

/// Where rings meet, as found by the sweep.
#[derive(Default)]
struct Contacts {
    /// Every point where two different rings meet, by `(polygon, ring)`; such a point must be a
    /// touch (the rings do not cross there, nor share a segment).
    by_ring: HashMap<(u32, u32), HashSet<(u64, u64)>>,
    /// Pairs of parts `(p, q)`, `p < q`, whose rings meet.
    touching_parts: HashSet<(u32, u32)>,
}

impl Contacts {
    /// A vertex of the ring that touches no other ring: a sound probe for point-in-ring tests,
    /// since rings neither cross nor share segments (or the polygon is already marked bad).
    fn probe(&self, geometry: &MultiPolygon<f64>, p: usize, r: usize) -> Option<Coord<f64>> {
        let ring = ring_of(geometry, p as u32, r as u32);
        match self.by_ring.get(&(p as u32, r as u32)) {
            None => ring.first().copied(),
            Some(set) => ring
                .iter()
                .find(|c| !set.contains(&(c.x.to_bits(), c.y.to_bits())))
                .copied(),
        }
    }
}

/// Sweeps the sorted segments for every pair that touches or crosses: a ring touching itself
/// (other than at the joint of adjacent segments), rings crossing or sharing a stretch, and rings
/// meeting where one enters the other mark their polygons `bad`; harmless touches are recorded.
fn sweep(geometry: &MultiPolygon<f64>, segments: &[Segment], bad: &mut [bool]) -> Contacts {
    let mut contacts = Contacts::default();
    for (i, s) in segments.iter().enumerate() {
        let (s_min_y, s_max_y) = y_range(&s.line);
        for t in &segments[i + 1..] {
            if t.min_x > s.max_x {
                break;
            }
            let (t_min_y, t_max_y) = y_range(&t.line);
            if t_min_y > s_max_y || t_max_y < s_min_y {
                continue;
            }
            let Some(meet) = line_intersection(s.line, t.line) else {
                continue;
            };
            if s.polygon == t.polygon && s.ring == t.ring {
                let (a, b) = (s.index.min(t.index), s.index.max(t.index));
                let adjacent = b == a + 1 || (a == 0 && b + 1 == s.ring_len);
                if !adjacent || doubles_back(s, t) {
                    bad[s.polygon as usize] = true;
                }
                continue;
            }
            let v = match meet {
                LineIntersection::SinglePoint {
                    is_proper: false,
                    intersection,
                } => intersection,
                LineIntersection::Collinear { intersection }
                    if intersection.start == intersection.end =>
                {
                    intersection.start
                }
                // Rings crossing, or sharing a stretch of line.
                _ => {
                    bad[s.polygon as usize] = true;
                    bad[t.polygon as usize] = true;
                    continue;
                }
            };
            let (a1, a2) = neighbours(ring_of(geometry, s.polygon, s.ring), s, v);
            let (b1, b2) = neighbours(ring_of(geometry, t.polygon, t.ring), t, v);
            if in_sector(v, a1, a2, b1) != in_sector(v, a1, a2, b2) {
                bad[s.polygon as usize] = true;
                bad[t.polygon as usize] = true;
                continue;
            }
            let key = (v.x.to_bits(), v.y.to_bits());
            let by_ring = &mut contacts.by_ring;
            by_ring.entry((s.polygon, s.ring)).or_default().insert(key);
            by_ring.entry((t.polygon, t.ring)).or_default().insert(key);
            if s.polygon != t.polygon {
                let pair = (s.polygon.min(t.polygon), s.polygon.max(t.polygon));
                contacts.touching_parts.insert(pair);
            }
        }
    }
    contacts
}

/// Nesting: holes must lie inside their exterior and outside each other. Marks polygons that fail
/// `bad`, and returns those whose holes no probe can test.
fn check_holes(geometry: &MultiPolygon<f64>, contacts: &Contacts, bad: &mut [bool]) -> Vec<usize> {
    let mut undecided: Vec<usize> = Vec::new();
    for (p, polygon) in geometry.0.iter().enumerate() {
        if bad[p] {
            continue;
        }
        let exterior = polygon.exterior();
        for (h, _) in polygon.interiors().iter().enumerate() {
            let Some(v) = contacts.probe(geometry, p, h + 1) else {
                undecided.push(p);
                break;
            };
            if !inside_ring(v, &exterior.0) {
                bad[p] = true;
                break;
            }
            let nested_in = polygon
                .interiors()
                .iter()
                .enumerate()
                .any(|(k, other)| k != h && inside_ring(v, &other.0));
            if nested_in {
                bad[p] = true;
                break;
            }
        }
    }
    undecided
}

/// Parts must not overlap: a part may lie inside another only within one of its holes. Marks
/// overlapping parts `bad`, and returns the pairs the probes cannot settle.
fn check_parts(
    geometry: &MultiPolygon<f64>,
    contacts: &Contacts,
    bad: &mut [bool],
) -> Vec<(usize, usize)> {
    let n = geometry.0.len();
    let mut undecided: Vec<(usize, usize)> = Vec::new();
    if n < 2 {
        return undecided;
    }
    let boxes: Vec<_> = geometry.0.iter().map(|p| p.bounding_rect()).collect();
    for p in 0..n {
        for q in p + 1..n {
            let (Some(a), Some(b)) = (boxes[p], boxes[q]) else {
                continue;
            };
            if bad[p] || bad[q] || !a.intersects(&b) {
                continue;
            }
            let (Some(vp), Some(vq)) = (
                contacts.probe(geometry, p, 0),
                contacts.probe(geometry, q, 0),
            ) else {
                undecided.push((p, q));
                continue;
            };
            let (pp, qq) = (&geometry.0[p], &geometry.0[q]);
            if inside_polygon(vq, pp) || inside_polygon(vp, qq) {
                bad[p] = true;
                bad[q] = true;
            } else if contacts.touching_parts.contains(&(p as u32, q as u32))
                && (inside_ring(vq, &pp.exterior().0) || inside_ring(vp, &qq.exterior().0))
            {
                // One part sits in the other's hole, touching it: harmless only if it
                // touches the hole, not the other's exterior. Let relate decide.
                undecided.push((p, q));
            }
        }
    }
    undecided
}

/// The two points next to `v` along the ring of segment `s`, given that `v` lies on `s`.
fn neighbours(ring: &[Coord<f64>], s: &Segment, v: Coord<f64>) -> (Coord<f64>, Coord<f64>) {
    let (i, n) = (s.index as usize, s.ring_len as usize);
    if v == s.line.start {
        (ring[(i + n - 1) % n], s.line.end)
    } else if v == s.line.end {
        (s.line.start, ring[(i + 2) % n])
    } else {
        (s.line.start, s.line.end)
    }
}

/// Whether the direction from `v` to `d` lies strictly inside the sector swept counter-clockwise
/// from the direction `v -> a` to the direction `v -> b`.
fn in_sector(v: Coord<f64>, a: Coord<f64>, b: Coord<f64>, d: Coord<f64>) -> bool {
    let ccw = |p: Coord<f64>, q: Coord<f64>| RobustKernel::orient2d(v, p, q);
    match ccw(a, b) {
        Orientation::CounterClockwise => {
            ccw(a, d) == Orientation::CounterClockwise && ccw(d, b) == Orientation::CounterClockwise
        }
        Orientation::Clockwise => {
            !(ccw(b, d) != Orientation::Clockwise && ccw(d, a) != Orientation::Clockwise)
        }
        // a and b point in opposite directions: the sector is the half-plane to the left of a.
        Orientation::Collinear => ccw(a, d) == Orientation::CounterClockwise,
    }
}

/// `geo::Validation`'s tests between the rings of one polygon (each ring's own simplicity is
/// checked elsewhere), through `geo::Relate`.
fn polygon_rings_valid(polygon: &Polygon<f64>) -> bool {
    let as_polygon = |ring: &LineString<f64>| Polygon::new(ring.clone(), Vec::new());
    let exterior = as_polygon(polygon.exterior());
    let holes: Vec<Polygon<f64>> = polygon.interiors().iter().map(as_polygon).collect();
    for (h, hole) in holes.iter().enumerate() {
        let m = exterior.relate(hole);
        if !m.is_contains()
            || m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
        {
            return false;
        }
        if holes[h + 1..]
            .iter()
            .any(|other| parts_conflict(&hole.relate(other)))
        {
            return false;
        }
    }
    true
}

fn y_range(line: &Line<f64>) -> (f64, f64) {
    (line.start.y.min(line.end.y), line.start.y.max(line.end.y))
}

/// Two adjacent segments of a ring that overlap along a line (the ring doubles back on itself).
fn doubles_back(s: &Segment, t: &Segment) -> bool {
    let (first, second) = if (s.index + 1) % s.ring_len == t.index {
        (s.line, t.line)
    } else {
        (t.line, s.line)
    };
    let (a, b, c) = (first.start, first.end, second.end);
    RobustKernel::orient2d(a, b, c) == Orientation::Collinear
        && (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0.0
}

/// Whether two parts of a multipolygon overlap (interiors meet) or touch along a line: what
/// `geo::Validation` rejects for a multipolygon.
fn parts_conflict(matrix: &IntersectionMatrix) -> bool {
    matrix.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
        || matrix.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
}

/// Crossing-number test; `ring` is closed. Preconditions: `point` is not on the ring.
fn inside_ring(point: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > point.y) != (b.y > point.y) {
            let x = a.x + (point.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if point.x < x {
                inside = !inside;
            }
        }
    }
    inside
}

fn inside_polygon(point: Coord<f64>, polygon: &Polygon<f64>) -> bool {
    inside_ring(point, &polygon.exterior().0)
        && !polygon.interiors().iter().any(|h| inside_ring(point, &h.0))
}
