//! Polygon repair: make every boundary geometry valid (OGC rules, as `geo::Validation` checks
//! them) so that nothing downstream (clipping, simplification, point-in-polygon) chokes, and say
//! what was done.
//!
//! The published files hold a few hundred invalid rings: rounding coordinates to 5 decimal places
//! makes rings touch themselves at a vertex, and quantised files have spikes and degenerate rings.
//! The pipeline for one geometry is:
//!
//! 1. clean: drop repeated consecutive points and exact spikes (`a, b, a`), drop rings with fewer
//!    than 4 points or all on one line (a polygon whose exterior goes is dropped whole);
//! 2. check: a sweep over all segments finds every pair of touching or crossing segments; a ring
//!    touching itself, or an adjacent pair doubling back, is invalid outright; rings that do not
//!    touch are checked for nesting by point-in-ring tests; rings or parts that do touch are
//!    decided by `geo::Relate` on just that pair, with the same tests `geo::Validation` applies
//!    (geo's own check compares every pair of segments of a ring, far too slow for 33,755 LSOAs
//!    and for regions with rings of tens of thousands of points);
//! 3. rebuild what is invalid: orient, then union the geometry with nothing through geo's
//!    `BooleanOps` (i_overlay, OGC output, non-zero fill), which splits self-touching rings into
//!    separate rings or polygons and bow-ties into their lobes; output vertices are snapped back to
//!    the input vertices they came from so shared edges with neighbours stay identical;
//! 4. orient every polygon: exterior counter-clockwise, holes clockwise (lon/lat).

mod check;
mod clean;
mod orient;
mod rebuild;

use geo::MultiPolygon;

use self::check::invalid_polygons;
use self::clean::clean;
use self::orient::orient;
use self::rebuild::{rebuild, snap_to};

/// What [`repair`] did to one geometry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairAction {
    /// Polygons (parts of the geometry) that were invalid as read: spikes, degenerate rings,
    /// self-touching or crossing rings, overlapping parts.
    pub invalid_polygons: usize,
    /// Spikes removed or degenerate rings dropped in the cleaning step.
    pub cleaned: bool,
    /// The geometry was rebuilt through the overlay.
    pub rebuilt: bool,
    /// At least one ring was reversed to get exterior counter-clockwise, holes clockwise.
    pub reoriented: bool,
    /// The geometry is still invalid after repair (never seen on the published data).
    pub still_invalid: bool,
}

impl RepairAction {
    /// Whether the geometry was invalid as read (and so was repaired).
    pub fn repaired(&self) -> bool {
        self.invalid_polygons > 0 || self.cleaned
    }
}

/// Makes `geometry` valid and oriented, returning the result and what was done.
///
/// Preconditions: coordinates are finite (non-finite coordinates are reported as still invalid).
/// The result may hold fewer or more polygons than the input (degenerate parts go, self-touching
/// rings split). An empty result means the whole geometry was degenerate.
pub fn repair(geometry: MultiPolygon<f64>) -> (MultiPolygon<f64>, RepairAction) {
    let mut action = RepairAction::default();
    let (mut geometry, cleaned_polygons) = clean(geometry);
    action.cleaned = cleaned_polygons > 0;

    let invalid = invalid_polygons(&geometry);
    action.invalid_polygons = invalid.max(cleaned_polygons);
    if invalid > 0 {
        action.rebuilt = true;
        orient(&mut geometry);
        let rebuilt = rebuild(&geometry);
        let snapped = snap_to(&rebuilt, &geometry);
        geometry = if invalid_polygons(&snapped) == 0 {
            snapped
        } else {
            rebuilt
        };
        action.still_invalid = invalid_polygons(&geometry) > 0;
    }
    action.reoriented = orient(&mut geometry);
    (geometry, action)
}

/// Whether the geometry is valid by the rules of `geo::Validation` (and has no spikes), using
/// the fast sweep and falling back on `geo::Relate` only where rings touch and no vertex away from
/// the contact can decide. Repeated consecutive points are allowed (as geo allows them).
pub fn is_valid_fast(geometry: &MultiPolygon<f64>) -> bool {
    let mut deduped = geometry.clone();
    for polygon in deduped.0.iter_mut() {
        polygon.exterior_mut(|r| r.0.dedup());
        polygon.interiors_mut(|rings| rings.iter_mut().for_each(|r| r.0.dedup()));
    }
    invalid_polygons(&deduped) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]
mod tests {
    use super::orient::signed_area;
    use super::*;
    use geo::{wkt, Validation};

    #[test]
    fn a_valid_square_is_left_alone() {
        let square = wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.))));
        let (out, action) = repair(square.clone());
        assert_eq!(out, square);
        assert!(!action.repaired());
        assert!(!action.reoriented);
    }

    #[test]
    fn a_clockwise_exterior_is_reversed_but_not_counted_as_a_repair() {
        let square = wkt!(MULTIPOLYGON(((0. 0., 0. 1., 1. 1., 1. 0., 0. 0.))));
        let (out, action) = repair(square);
        assert!(action.reoriented);
        assert!(!action.repaired());
        assert!(signed_area(&out.0[0].exterior().0) > 0.0);
    }

    #[test]
    fn a_spike_is_removed() {
        let spiked = wkt!(MULTIPOLYGON(((0. 0., 1. 0., 2. 0.5, 1. 0., 1. 1., 0. 1., 0. 0.))));
        let (out, action) = repair(spiked);
        assert!(action.cleaned);
        assert!(out.is_valid());
        assert_eq!(out.0[0].exterior().0.len(), 5);
    }

    #[test]
    fn a_ring_touching_itself_is_flagged_by_the_fast_check_as_by_geo() {
        // Exterior returns to (1, 1) and encloses a pocket: an "inverted hole".
        let touching = wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0., 1. 1., 3. 1., 3. 3., 1. 3., 1. 1., 0. 0.))));
        let other = wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 2. 2., 0. 4., 0. 0.))));
        assert_eq!(is_valid_fast(&touching), touching.is_valid());
        assert_eq!(is_valid_fast(&other), other.is_valid());
    }

    #[test]
    fn a_hole_outside_its_exterior_is_invalid() {
        let p = wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.),(5. 5., 5. 6., 6. 6., 6. 5., 5. 5.))));
        assert!(!p.is_valid());
        assert!(!is_valid_fast(&p));
    }

    #[test]
    fn overlapping_parts_are_invalid_and_merge_on_repair() {
        let p = wkt!(MULTIPOLYGON(((0. 0., 2. 0., 2. 2., 0. 2., 0. 0.)),((1. 1., 3. 1., 3. 3., 1. 3., 1. 1.))));
        assert!(!p.is_valid());
        assert!(!is_valid_fast(&p));
        let (out, action) = repair(p);
        assert!(action.rebuilt);
        assert!(out.is_valid());
        assert_eq!(out.0.len(), 1);
    }

    #[test]
    fn an_island_in_a_lake_is_valid() {
        let p = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.),(2. 2., 2. 8., 8. 8., 8. 2., 2. 2.)),((4. 4., 6. 4., 6. 6., 4. 6., 4. 4.))));
        assert!(p.is_valid());
        assert!(is_valid_fast(&p));
    }
}
