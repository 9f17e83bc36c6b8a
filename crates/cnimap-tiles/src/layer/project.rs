//! From a feature's WGS84 polygons to cleaned, oriented rings on the world grid, with the
//! measures preparation needs (area, a representative point) and the layer's bounds.

use crate::ring::{clean_ring, signed_area2};
use crate::world::{lonlat_to_world, WorldPt};
use crate::{InputFeature, SourceGeometry};

/// A feature on the world grid: polygons, each an exterior ring then its holes.
pub(super) type WorldPolygons = Vec<Vec<Vec<WorldPt>>>;

/// `[west, south, east, north]` over every coordinate of every source.
pub(super) fn bounds_of(sources: &[SourceGeometry]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in sources.iter().flat_map(|s| &s.features) {
        for poly in &f.geometry_wgs84 {
            for c in poly.exterior().coords() {
                if c.x.is_finite() && c.y.is_finite() {
                    b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
                }
            }
        }
    }
    if b[0] > b[2] {
        [0.0; 4]
    } else {
        b
    }
}

/// Projects, cleans and orients a feature's rings: exteriors clockwise on screen (positive
/// [`signed_area2`] with `y` down), holes anticlockwise, so two neighbours walk their shared
/// border in opposite directions. Non-finite coordinates are skipped.
pub(super) fn project_feature(f: &InputFeature) -> WorldPolygons {
    let mut polygons = Vec::with_capacity(f.geometry_wgs84.0.len());
    for poly in &f.geometry_wgs84 {
        let mut rings = Vec::with_capacity(1 + poly.interiors().len());
        for (r, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            let mut pts: Vec<WorldPt> = ring
                .coords()
                .filter_map(|c| lonlat_to_world(c.x, c.y))
                .collect();
            clean_ring(&mut pts);
            if (signed_area2(&pts) < 0.0) == (r == 0) {
                pts.reverse();
            }
            rings.push(pts);
        }
        if rings.first().is_some_and(|r| !r.is_empty()) {
            polygons.push(rings);
        }
    }
    polygons
}

/// Area (world units squared, exteriors minus holes) and a representative point (the centroid of
/// the largest exterior ring) of a projected feature.
pub(super) fn area_and_centre(polygons: &[Vec<Vec<WorldPt>>]) -> (f64, WorldPt) {
    let mut total = 0.0;
    let mut best = (f64::NEG_INFINITY, [0u32; 2]);
    for polygon in polygons {
        for (r, ring) in polygon.iter().enumerate() {
            let a = signed_area2(ring).abs() / 2.0;
            if r > 0 {
                total -= a;
                continue;
            }
            total += a;
            if a > best.0 && !ring.is_empty() {
                best = (a, centroid(ring));
            }
        }
    }
    (total.max(0.0), best.1)
}

/// The area centroid of a ring (the mean of its points when it has no area).
fn centroid(ring: &[WorldPt]) -> WorldPt {
    let n = ring.len();
    let (x0, y0) = (f64::from(ring[0][0]), f64::from(ring[0][1]));
    let (mut cx, mut cy, mut a2) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let (px, py) = (f64::from(p[0]) - x0, f64::from(p[1]) - y0);
        let (qx, qy) = (f64::from(q[0]) - x0, f64::from(q[1]) - y0);
        let cross = px * qy - qx * py;
        a2 += cross;
        cx += (px + qx) * cross;
        cy += (py + qy) * cross;
    }
    let (x, y) = if a2.abs() > 0.0 {
        (x0 + cx / (3.0 * a2), y0 + cy / (3.0 * a2))
    } else {
        let mx = ring.iter().map(|p| f64::from(p[0])).sum::<f64>() / n as f64;
        let my = ring.iter().map(|p| f64::from(p[1])).sum::<f64>() / n as f64;
        (mx, my)
    };
    let max = f64::from(u32::MAX);
    [
        x.round().clamp(0.0, max) as u32,
        y.round().clamp(0.0, max) as u32,
    ]
}
