//! Which area contains a point: the areas' bounding boxes registered on a grid of 0.02-degree
//! cells, then an even-odd crossing test on the rings of the few areas whose box holds the point.
//! A point in no area (a coastal town whose GeoNames point lies just offshore of the generalised
//! coastline) can go to the nearest area within a given distance, measured in metres on a local
//! flat projection (good to a fraction of a percent over a few kilometres).
//!
//! Preconditions: outlines in WGS84 degrees (`[lon, lat]`). Invalid outlines (self-touching rings
//! after coordinate rounding, as 121 of the LSOA 2021 outlines are) are fine: the crossing test
//! does not need valid polygons.

use geo_types::{LineString, MultiPolygon};

/// Grid cell size in degrees.
const CELL_DEG: f64 = 0.02;
/// Metres per degree of latitude.
const M_PER_DEG_LAT: f64 = 110_574.0;
/// Metres per degree of longitude at the equator.
const M_PER_DEG_LON: f64 = 111_320.0;

/// Where a point fell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Located {
    /// Inside area `index`.
    Inside(usize),
    /// In no area; area `index` is the nearest, `metres` away (within the distance allowed).
    Near(usize, f64),
    /// In no area and none within the distance allowed.
    Outside,
}

/// Areas on a grid, for point location.
pub(crate) struct Locator<'a> {
    outlines: Vec<&'a MultiPolygon<f64>>,
    /// `[west, south, east, north]` per area.
    bboxes: Vec<[f64; 4]>,
    west: f64,
    south: f64,
    cols: usize,
    rows: usize,
    /// Areas per cell, as offsets into `items` (one more offset than cells).
    offsets: Vec<u32>,
    items: Vec<u32>,
}

fn bbox(outline: &MultiPolygon<f64>) -> Option<[f64; 4]> {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for c in outline.iter().flat_map(|p| p.exterior().coords()) {
        if !(c.x.is_finite() && c.y.is_finite()) {
            continue;
        }
        b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
    }
    (b[0] <= b[2]).then_some(b)
}

impl<'a> Locator<'a> {
    /// Indexes `outlines` (area `i` is the `i`-th); areas without a finite coordinate are never
    /// found.
    pub fn new(outlines: Vec<&'a MultiPolygon<f64>>) -> Locator<'a> {
        let bboxes: Vec<[f64; 4]> = outlines
            .iter()
            .map(|o| bbox(o).unwrap_or([f64::NAN; 4]))
            .collect();
        let valid = || bboxes.iter().filter(|b| b[0].is_finite());
        let west = valid().map(|b| b[0]).fold(f64::MAX, f64::min);
        let south = valid().map(|b| b[1]).fold(f64::MAX, f64::min);
        let east = valid().map(|b| b[2]).fold(f64::MIN, f64::max);
        let north = valid().map(|b| b[3]).fold(f64::MIN, f64::max);
        let (cols, rows) = if west <= east {
            (
                ((east - west) / CELL_DEG) as usize + 1,
                ((north - south) / CELL_DEG) as usize + 1,
            )
        } else {
            (0, 0)
        };
        let mut locator = Locator {
            outlines,
            bboxes,
            west,
            south,
            cols,
            rows,
            offsets: Vec::new(),
            items: Vec::new(),
        };
        // Two passes: count per cell, then fill.
        let mut counts = vec![0u32; cols * rows + 1];
        for b in locator.bboxes.iter().filter(|b| b[0].is_finite()) {
            for cell in locator.cells(*b) {
                counts[cell] += 1;
            }
        }
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut total = 0u32;
        offsets.push(0);
        for c in &counts[..cols * rows] {
            total += c;
            offsets.push(total);
        }
        let mut fill = offsets.clone();
        let mut items = vec![0u32; total as usize];
        for (i, b) in locator.bboxes.iter().enumerate() {
            if !b[0].is_finite() {
                continue;
            }
            for cell in locator.cells(*b) {
                items[fill[cell] as usize] = i as u32;
                fill[cell] += 1;
            }
        }
        locator.offsets = offsets;
        locator.items = items;
        locator
    }

    /// Grid cells overlapping `[w, s, e, n]` (clamped to the grid).
    fn cells(&self, b: [f64; 4]) -> impl Iterator<Item = usize> + '_ {
        let col = |x: f64| {
            (((x - self.west) / CELL_DEG).floor().max(0.0) as usize)
                .min(self.cols.saturating_sub(1))
        };
        let row = |y: f64| {
            (((y - self.south) / CELL_DEG).floor().max(0.0) as usize)
                .min(self.rows.saturating_sub(1))
        };
        let (c0, c1, r0, r1) = (col(b[0]), col(b[2]), row(b[1]), row(b[3]));
        let empty = self.cols == 0 || b[2] < self.west || b[3] < self.south;
        (r0..=r1)
            .flat_map(move |r| (c0..=c1).map(move |c| r * self.cols + c))
            .filter(move |_| !empty)
    }

    /// Areas whose cells overlap `[w, s, e, n]`, each once, ascending.
    fn candidates(&self, b: [f64; 4]) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .cells(b)
            .flat_map(|cell| {
                let (s, e) = (self.offsets[cell] as usize, self.offsets[cell + 1] as usize);
                self.items[s..e].iter().map(|&i| i as usize)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The area containing `point` (`[lon, lat]`), the lowest-numbered one if several do; else
    /// the nearest within `max_metres`.
    pub fn locate(&self, point: [f64; 2], max_metres: f64) -> Located {
        let [x, y] = point;
        if !(x.is_finite() && y.is_finite()) {
            return Located::Outside;
        }
        for i in self.candidates([x, y, x, y]) {
            let b = self.bboxes[i];
            if x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && contains(self.outlines[i], x, y)
            {
                return Located::Inside(i);
            }
        }
        let m_per_deg_lon = M_PER_DEG_LON * y.to_radians().cos();
        let (dx, dy) = (max_metres / m_per_deg_lon, max_metres / M_PER_DEG_LAT);
        let mut best: Option<(f64, usize)> = None;
        for i in self.candidates([x - dx, y - dy, x + dx, y + dy]) {
            let b = self.bboxes[i];
            // Distance to the box first: no ring of the area can be nearer.
            let bx = (b[0] - x).max(0.0).max(x - b[2]) * m_per_deg_lon;
            let by = (b[1] - y).max(0.0).max(y - b[3]) * M_PER_DEG_LAT;
            let box_m = bx.hypot(by);
            if box_m > max_metres || best.is_some_and(|(d, _)| box_m >= d) {
                continue;
            }
            let d = rings(self.outlines[i])
                .map(|ring| ring_distance_m(ring, x, y, m_per_deg_lon))
                .fold(f64::INFINITY, f64::min);
            if d <= max_metres && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i));
            }
        }
        best.map_or(Located::Outside, |(d, i)| Located::Near(i, d))
    }
}

/// Every ring (exteriors and holes) of an outline.
fn rings(outline: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    outline
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Even-odd rule over each polygon's rings: inside its exterior and outside its holes.
fn contains(outline: &MultiPolygon<f64>, x: f64, y: f64) -> bool {
    outline.iter().any(|polygon| {
        let mut inside = false;
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for seg in ring.lines() {
                let (a, b) = (seg.start, seg.end);
                if (a.y > y) != (b.y > y) {
                    let cross_x = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x);
                    if x < cross_x {
                        inside = !inside;
                    }
                }
            }
        }
        inside
    })
}

/// Distance in metres from `(x, y)` to the nearest segment of `ring`, on a flat projection
/// centred on the point.
fn ring_distance_m(ring: &LineString<f64>, x: f64, y: f64, m_per_deg_lon: f64) -> f64 {
    let to_m = |px: f64, py: f64| ((px - x) * m_per_deg_lon, (py - y) * M_PER_DEG_LAT);
    ring.lines()
        .map(|seg| {
            let (ax, ay) = to_m(seg.start.x, seg.start.y);
            let (bx, by) = to_m(seg.end.x, seg.end.y);
            let (vx, vy) = (bx - ax, by - ay);
            let len2 = vx * vx + vy * vy;
            let t = if len2 > 0.0 {
                ((-ax * vx - ay * vy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (ax + t * vx).hypot(ay + t * vy)
        })
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use geo_types::{polygon, MultiPolygon};

    use super::*;

    /// A square of `side` degrees with its south-west corner at `(x, y)`.
    fn square(x: f64, y: f64, side: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: y),
            (x: x + side, y: y),
            (x: x + side, y: y + side),
            (x: x, y: y + side),
            (x: x, y: y),
        ]])
    }

    #[test]
    fn a_point_is_found_in_the_area_that_contains_it_and_not_in_a_hole() {
        let a = square(0.0, 51.0, 0.1);
        let b = square(0.1, 51.0, 0.1);
        let holed = MultiPolygon(vec![polygon!(
            exterior: [(x: 1.0, y: 52.0), (x: 1.1, y: 52.0), (x: 1.1, y: 52.1), (x: 1.0, y: 52.1), (x: 1.0, y: 52.0)],
            interiors: [[(x: 1.04, y: 52.04), (x: 1.06, y: 52.04), (x: 1.06, y: 52.06), (x: 1.04, y: 52.06), (x: 1.04, y: 52.04)]],
        )]);
        let locator = Locator::new(vec![&a, &b, &holed]);
        assert_eq!(locator.locate([0.05, 51.05], 0.0), Located::Inside(0));
        assert_eq!(locator.locate([0.15, 51.05], 0.0), Located::Inside(1));
        assert_eq!(locator.locate([1.01, 52.01], 0.0), Located::Inside(2));
        assert_eq!(locator.locate([1.05, 52.05], 0.0), Located::Outside);
    }

    #[test]
    fn a_point_just_outside_goes_to_the_nearest_area_within_the_distance() {
        let a = square(0.0, 51.0, 0.1);
        let b = square(0.5, 51.0, 0.1);
        let locator = Locator::new(vec![&a, &b]);
        // 0.01 degree of latitude south of area 0: about 1.1 km.
        match locator.locate([0.05, 50.99], 2_000.0) {
            Located::Near(0, m) => assert!((1_050.0..1_150.0).contains(&m), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(locator.locate([0.05, 50.99], 500.0), Located::Outside);
        assert_eq!(locator.locate([3.0, 40.0], 2_000.0), Located::Outside);
        assert_eq!(locator.locate([f64::NAN, 51.0], 2_000.0), Located::Outside);
    }

    #[test]
    fn no_areas_locate_nothing() {
        let locator = Locator::new(Vec::new());
        assert_eq!(locator.locate([0.0, 51.0], 2_000.0), Located::Outside);
    }
}
