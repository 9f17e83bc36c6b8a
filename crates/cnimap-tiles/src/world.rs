//! The integer "world" grid every geometry is snapped to: Web Mercator scaled so that the whole
//! square is `2^32` units wide, with `y` growing southwards like tile rows. One unit is about
//! 9 mm at the equator, far below the 1 m precision of the input, so snapping only merges vertices
//! that are the same point.
//!
//! At zoom `z` with tile extent `2^e`, one tile unit is `2^(32 - e - z)` world units, so quantising
//! to a zoom's tile grid is a rounding shift.

use cnimap_core::tile::{lonlat_to_mercator, MERCATOR_HALF_WORLD};

/// A point on the world grid, `[x, y]`, `y` southwards.
pub(crate) type WorldPt = [u32; 2];

/// log2 of the world grid's width.
pub(crate) const WORLD_BITS: u32 = 32;

/// Snaps a WGS84 position to the world grid. Returns `None` for non-finite input.
pub(crate) fn lonlat_to_world(lon: f64, lat: f64) -> Option<WorldPt> {
    if !lon.is_finite() || !lat.is_finite() {
        return None;
    }
    let [mx, my] = lonlat_to_mercator(lon, lat);
    let size = (1u64 << WORLD_BITS) as f64;
    let max = f64::from(u32::MAX);
    let x = ((mx + MERCATOR_HALF_WORLD) / (2.0 * MERCATOR_HALF_WORLD) * size).round();
    let y = ((MERCATOR_HALF_WORLD - my) / (2.0 * MERCATOR_HALF_WORLD) * size).round();
    // Clamped into 0..=u32::MAX, so the casts are exact.
    Some([x.clamp(0.0, max) as u32, y.clamp(0.0, max) as u32])
}

/// The shift from world units to tile units at zoom `z` for a tile extent of `2^extent_bits`
/// (`z + extent_bits <= 31`).
pub(crate) fn zoom_shift(z: u8, extent_bits: u32) -> u32 {
    WORLD_BITS - extent_bits - u32::from(z)
}

/// World units per tile unit at zoom `z` for a tile extent of `2^extent_bits`.
pub(crate) fn world_per_tile_unit(z: u8, extent_bits: u32) -> f64 {
    (1u64 << zoom_shift(z, extent_bits)) as f64
}

/// Rounds a world point to a zoom's global tile-unit grid, `shift` being [`zoom_shift`]
/// (`x / 2^shift`, rounded).
pub(crate) fn quantise(p: WorldPt, shift: u32) -> [i32; 2] {
    let half = (1u64 << shift) >> 1;
    // At most 2^(32 - shift) <= 2^31 for the zooms and extents the tiler allows, so it fits i32.
    let q = |v: u32| ((u64::from(v) + half) >> shift) as i32;
    [q(p[0]), q(p[1])]
}
