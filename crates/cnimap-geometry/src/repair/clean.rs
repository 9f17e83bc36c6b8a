//! Step 1 of the repair: drop repeated points and exact spikes (`a, b, a`), and rings with fewer
//! than 4 points or all on one line.

use geo::kernels::RobustKernel;
use geo::{Coord, Kernel, LineString, MultiPolygon, Orientation, Polygon};

/// Removes repeated points and exact spikes and drops degenerate rings; returns how many polygons
/// lost a spike or a ring (repeated points alone do not make a polygon invalid).
pub(super) fn clean(geometry: MultiPolygon<f64>) -> (MultiPolygon<f64>, usize) {
    let mut touched = 0;
    let mut out = Vec::with_capacity(geometry.0.len());
    for polygon in geometry.0 {
        let (exterior, interiors) = polygon.into_inner();
        let mut changed = false;
        let Some(exterior) = clean_ring(exterior, &mut changed) else {
            touched += 1;
            continue;
        };
        let interiors: Vec<LineString<f64>> = interiors
            .into_iter()
            .filter_map(|r| clean_ring(r, &mut changed))
            .collect();
        if changed {
            touched += 1;
        }
        out.push(Polygon::new(exterior, interiors));
    }
    (MultiPolygon::new(out), touched)
}

/// Cleans one ring; `None` if it is degenerate. Sets `changed` when a spike or point other than a
/// repeated one went.
fn clean_ring(ring: LineString<f64>, changed: &mut bool) -> Option<LineString<f64>> {
    let mut coords = ring.0;
    // Open the ring: work on the distinct cycle of vertices.
    coords.dedup();
    if coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    // Remove exact spikes a, b, a (cyclically) until none are left.
    loop {
        let n = coords.len();
        if n < 3 {
            break;
        }
        let spike = (0..n).find(|&i| coords[(i + n - 1) % n] == coords[(i + 1) % n]);
        let Some(i) = spike else { break };
        *changed = true;
        // Drop the tip and one of the two equal neighbours.
        let next = (i + 1) % n;
        if next > i {
            coords.remove(next);
            coords.remove(i);
        } else {
            coords.remove(i);
            coords.remove(next);
        }
        coords.dedup();
        while coords.len() > 1 && coords.first() == coords.last() {
            coords.pop();
        }
    }
    if coords.len() < 3 || all_collinear(&coords) {
        *changed = true;
        return None;
    }
    if let Some(&first) = coords.first() {
        coords.push(first);
    }
    Some(LineString::new(coords))
}

/// Whether every point lies on one line: the ring encloses nothing. (A zero signed area is not
/// enough: a bow-tie's lobes cancel.)
fn all_collinear(coords: &[Coord<f64>]) -> bool {
    let Some(&a) = coords.first() else {
        return true;
    };
    let Some(&b) = coords.iter().find(|&&c| c != a) else {
        return true;
    };
    coords
        .iter()
        .all(|&c| RobustKernel::orient2d(a, b, c) == Orientation::Collinear)
}
