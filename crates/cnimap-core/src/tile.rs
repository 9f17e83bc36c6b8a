//! Web Mercator (EPSG:3857) tile maths: XYZ tile coordinates, projection to and from WGS84, tile
//! bounds and the tiles covering a bounding box.
//!
//! Conventions: tiles are numbered as in the XYZ / slippy-map scheme (`x` grows eastwards, `y`
//! grows southwards, tile `0/0/0` covers the whole world). Bounding boxes are
//! `[min_x, min_y, max_x, max_y]`: `[west, south, east, north]` in degrees for WGS84, metres for
//! Mercator. Latitudes are clamped to [`MAX_LATITUDE`], the edge of the Web Mercator square.

use std::f64::consts::PI;

/// The deepest zoom level a [`TileCoord`] may have.
pub const MAX_ZOOM: u8 = 22;

/// The latitude (degrees) at which Web Mercator becomes a square: `atan(sinh(pi))`.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Half the width of the Web Mercator square, in metres (`pi * 6378137`).
pub const MERCATOR_HALF_WORLD: f64 = PI * EARTH_RADIUS;

/// The WGS84 semi-major axis used by Web Mercator, in metres.
const EARTH_RADIUS: f64 = 6_378_137.0;

/// A valid XYZ tile: `z <= MAX_ZOOM`, `x < 2^z`, `y < 2^z`.
///
/// Fields are private so every value is valid; build one with [`TileCoord::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    /// The tile `z/x/y`, or `None` when `z > MAX_ZOOM` or `x` or `y` is not below `2^z`.
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        if z > MAX_ZOOM {
            return None;
        }
        let n = 1u32 << z;
        (x < n && y < n).then_some(Self { z, x, y })
    }

    /// Zoom level.
    pub fn z(&self) -> u8 {
        self.z
    }

    /// Column, counted eastwards from the antimeridian.
    pub fn x(&self) -> u32 {
        self.x
    }

    /// Row, counted southwards from the northern edge.
    pub fn y(&self) -> u32 {
        self.y
    }

    /// The tile one zoom level up that contains this one (`None` at zoom 0).
    pub fn parent(&self) -> Option<Self> {
        (self.z > 0).then(|| Self {
            z: self.z - 1,
            x: self.x / 2,
            y: self.y / 2,
        })
    }
}

impl std::fmt::Display for TileCoord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Projects WGS84 degrees to Web Mercator metres `[x, y]` (y northwards). Latitude is clamped to
/// `±MAX_LATITUDE`; longitude is not wrapped.
pub fn lonlat_to_mercator(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE);
    let x = lon.to_radians() * EARTH_RADIUS;
    let y = (PI / 4.0 + lat.to_radians() / 2.0).tan().ln() * EARTH_RADIUS;
    [x, y]
}

/// Unprojects Web Mercator metres to WGS84 degrees `[lon, lat]`.
pub fn mercator_to_lonlat(x: f64, y: f64) -> [f64; 2] {
    let lon = (x / EARTH_RADIUS).to_degrees();
    let lat = (2.0 * (y / EARTH_RADIUS).exp().atan() - PI / 2.0).to_degrees();
    [lon, lat]
}

/// The tile's bounds in Web Mercator metres, `[min_x, min_y, max_x, max_y]`.
pub fn tile_bounds_mercator(tile: TileCoord) -> [f64; 4] {
    let size = 2.0 * MERCATOR_HALF_WORLD / f64::from(1u32 << tile.z);
    let min_x = -MERCATOR_HALF_WORLD + f64::from(tile.x) * size;
    let max_y = MERCATOR_HALF_WORLD - f64::from(tile.y) * size;
    [min_x, max_y - size, min_x + size, max_y]
}

/// The tile's bounds in WGS84 degrees, `[west, south, east, north]`.
pub fn tile_bounds_wgs84(tile: TileCoord) -> [f64; 4] {
    let [min_x, min_y, max_x, max_y] = tile_bounds_mercator(tile);
    let [west, south] = mercator_to_lonlat(min_x, min_y);
    let [east, north] = mercator_to_lonlat(max_x, max_y);
    [west, south, east, north]
}

/// Fractional tile position `[x, y]` of a point at zoom `z` (no clamping to the tile grid).
fn lonlat_to_tile_fraction(lon: f64, lat: f64, z: u8) -> [f64; 2] {
    let [mx, my] = lonlat_to_mercator(lon, lat);
    let n = f64::from(1u32 << z.min(MAX_ZOOM));
    let x = (mx + MERCATOR_HALF_WORLD) / (2.0 * MERCATOR_HALF_WORLD) * n;
    let y = (MERCATOR_HALF_WORLD - my) / (2.0 * MERCATOR_HALF_WORLD) * n;
    [x, y]
}

/// Clamps a fractional tile index into `0..n`.
fn clamp_index(v: f64, n: u32) -> u32 {
    if v.is_nan() || v < 0.0 {
        0
    } else if v >= f64::from(n) {
        n - 1
    } else {
        // In range 0..n, so the cast cannot truncate anything but the fraction.
        v.floor() as u32
    }
}

/// The tile at zoom `z` containing the point, or `None` when `z > MAX_ZOOM` or a coordinate is not
/// finite. Points on or beyond the edges (lon 180, the poles) go to the nearest edge tile.
pub fn lonlat_to_tile(lon: f64, lat: f64, z: u8) -> Option<TileCoord> {
    if z > MAX_ZOOM || !lon.is_finite() || !lat.is_finite() {
        return None;
    }
    let n = 1u32 << z;
    let [x, y] = lonlat_to_tile_fraction(lon, lat, z);
    TileCoord::new(z, clamp_index(x, n), clamp_index(y, n))
}

/// The rectangle of tiles at one zoom covering a bounding box; iterate it row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRange {
    /// Zoom level.
    pub z: u8,
    /// Westernmost column (inclusive).
    pub min_x: u32,
    /// Northernmost row (inclusive).
    pub min_y: u32,
    /// Easternmost column (inclusive).
    pub max_x: u32,
    /// Southernmost row (inclusive).
    pub max_y: u32,
    /// Next tile to yield, `None` when exhausted (or when the range is empty).
    next: Option<(u32, u32)>,
}

impl TileRange {
    /// Number of tiles in the whole range (including those already iterated).
    pub fn total(&self) -> u64 {
        if self.min_x > self.max_x || self.min_y > self.max_y {
            return 0;
        }
        u64::from(self.max_x - self.min_x + 1) * u64::from(self.max_y - self.min_y + 1)
    }
}

impl Iterator for TileRange {
    type Item = TileCoord;

    fn next(&mut self) -> Option<TileCoord> {
        let (x, y) = self.next?;
        self.next = if x < self.max_x {
            Some((x + 1, y))
        } else if y < self.max_y {
            Some((self.min_x, y + 1))
        } else {
            None
        };
        TileCoord::new(self.z, x, y)
    }
}

/// The tiles at zoom `z` that intersect `bbox_wgs84` (`[west, south, east, north]`, degrees).
///
/// The range is empty when `z > MAX_ZOOM`, when a coordinate is not finite, or when
/// `west > east` or `south > north` (bounding boxes across the antimeridian are not supported).
pub fn tiles_covering(bbox_wgs84: [f64; 4], z: u8) -> TileRange {
    let [west, south, east, north] = bbox_wgs84;
    let empty = TileRange {
        z,
        min_x: 1,
        min_y: 1,
        max_x: 0,
        max_y: 0,
        next: None,
    };
    if z > MAX_ZOOM || bbox_wgs84.iter().any(|v| !v.is_finite()) || west > east || south > north {
        return empty;
    }
    let n = 1u32 << z;
    let [x0, y0] = lonlat_to_tile_fraction(west, north, z);
    let [x1, y1] = lonlat_to_tile_fraction(east, south, z);
    let (min_x, min_y) = (clamp_index(x0, n), clamp_index(y0, n));
    // A box whose east (south) edge lies exactly on a tile edge does not touch the next tile.
    let max_x = clamp_index(
        if x1 > x0 && x1.fract() == 0.0 {
            x1 - 1.0
        } else {
            x1
        },
        n,
    );
    let max_y = clamp_index(
        if y1 > y0 && y1.fract() == 0.0 {
            y1 - 1.0
        } else {
            y1
        },
        n,
    );
    TileRange {
        z,
        min_x,
        min_y,
        max_x,
        max_y,
        next: Some((min_x, min_y)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[rstest]
    #[case::zoom_zero_has_one_tile(0, 0, 0, true)]
    #[case::x_beyond_grid_is_rejected(2, 4, 0, false)]
    #[case::y_beyond_grid_is_rejected(2, 0, 4, false)]
    #[case::last_tile_of_grid_is_accepted(3, 7, 7, true)]
    #[case::zoom_22_is_accepted(22, (1 << 22) - 1, 0, true)]
    #[case::zoom_23_is_rejected(23, 0, 0, false)]
    fn tile_coord_new_validates_the_grid(
        #[case] z: u8,
        #[case] x: u32,
        #[case] y: u32,
        #[case] valid: bool,
    ) {
        assert_eq!(TileCoord::new(z, x, y).is_some(), valid);
    }

    #[rstest]
    // Known slippy-map tiles (OSM wiki formula).
    #[case::london_z12(-0.1278, 51.5074, 12, 2046, 1362)]
    #[case::jaywick_z12(1.1162, 51.7794, 12, 2060, 1357)]
    #[case::null_island_z1(0.0001, 0.0001, 1, 1, 0)]
    #[case::south_west_quadrant_z1(-10.0, -10.0, 1, 0, 1)]
    #[case::antimeridian_east_edge_clamps(180.0, 0.0, 3, 7, 4)]
    #[case::north_pole_clamps_to_top_row(0.0, 90.0, 5, 16, 0)]
    #[case::south_pole_clamps_to_bottom_row(0.0, -90.0, 5, 16, 31)]
    fn lonlat_to_tile_finds_the_known_tile(
        #[case] lon: f64,
        #[case] lat: f64,
        #[case] z: u8,
        #[case] x: u32,
        #[case] y: u32,
    ) {
        assert_eq!(lonlat_to_tile(lon, lat, z), TileCoord::new(z, x, y));
    }

    #[test]
    fn lonlat_to_tile_rejects_deep_zoom_and_nan() {
        assert_eq!(lonlat_to_tile(0.0, 0.0, 23), None);
        assert_eq!(lonlat_to_tile(f64::NAN, 0.0, 3), None);
    }

    #[rstest]
    #[case::origin(0.0, 0.0)]
    #[case::london(-0.1278, 51.5074)]
    #[case::south_west(-120.5, -33.25)]
    #[case::near_edge(179.9, 85.0)]
    fn mercator_round_trips(#[case] lon: f64, #[case] lat: f64) {
        let [x, y] = lonlat_to_mercator(lon, lat);
        let [lon2, lat2] = mercator_to_lonlat(x, y);
        assert!(close(lon, lon2, 1e-9), "{lon} vs {lon2}");
        assert!(close(lat, lat2, 1e-9), "{lat} vs {lat2}");
    }

    #[test]
    fn mercator_matches_epsg_3857_reference_values() {
        // EPSG:3857 of (1, 1) degrees, as computed by PROJ.
        let [x, y] = lonlat_to_mercator(1.0, 1.0);
        assert!(close(x, 111_319.490_793_273_57, 1e-6));
        assert!(close(y, 111_325.142_866_385_1, 1e-6));
    }

    #[rstest]
    #[case::north_pole(90.0)]
    #[case::south_pole(-90.0)]
    fn poles_clamp_to_the_mercator_square(#[case] lat: f64) {
        let [_, y] = lonlat_to_mercator(0.0, lat);
        assert!(close(y.abs(), MERCATOR_HALF_WORLD, 1e-6));
        let [_, back] = mercator_to_lonlat(0.0, y);
        assert!(close(back.abs(), 85.0511, 1e-4));
        assert_eq!(back.signum(), lat.signum());
    }

    #[test]
    fn zoom_zero_tile_spans_the_whole_square() {
        let t = TileCoord::new(0, 0, 0).expect("valid");
        let [a, b, c, d] = tile_bounds_mercator(t);
        for (v, want) in [
            (a, -MERCATOR_HALF_WORLD),
            (b, -MERCATOR_HALF_WORLD),
            (c, MERCATOR_HALF_WORLD),
            (d, MERCATOR_HALF_WORLD),
        ] {
            assert!(close(v, want, 1e-6));
        }
        let [w, s, e, n] = tile_bounds_wgs84(t);
        assert!(close(w, -180.0, 1e-9) && close(e, 180.0, 1e-9));
        assert!(close(s, -MAX_LATITUDE, 1e-9) && close(n, MAX_LATITUDE, 1e-9));
    }

    #[test]
    fn tile_bounds_contain_the_point_that_found_the_tile() {
        let (lon, lat) = (1.1162, 51.7794);
        for z in 0..=MAX_ZOOM {
            let t = lonlat_to_tile(lon, lat, z).expect("valid zoom");
            let [w, s, e, n] = tile_bounds_wgs84(t);
            assert!(w <= lon && lon < e && s < lat && lat <= n, "z{z}: {t}");
        }
    }

    #[test]
    fn tiles_covering_a_box_matches_the_corner_tiles() {
        let bbox = [-6.0, 49.9, 1.8, 55.8]; // roughly England
        let z = 8;
        let range = tiles_covering(bbox, z);
        let nw = lonlat_to_tile(bbox[0], bbox[3], z).expect("valid");
        let se = lonlat_to_tile(bbox[2], bbox[1], z).expect("valid");
        let tiles: Vec<TileCoord> = range.clone().collect();
        let expected = u64::from(se.x() - nw.x() + 1) * u64::from(se.y() - nw.y() + 1);
        assert_eq!(range.total(), expected);
        assert_eq!(tiles.len() as u64, expected);
        assert_eq!(tiles.first(), Some(&nw));
        assert_eq!(tiles.last(), Some(&se));
    }

    #[test]
    fn tiles_covering_a_box_on_a_tile_edge_does_not_spill_over() {
        // The north-west quadrant at zoom 1 is exactly tile 1/0/0.
        let tiles: Vec<TileCoord> = tiles_covering([-180.0, 0.0, 0.0, MAX_LATITUDE], 1).collect();
        assert_eq!(tiles, vec![TileCoord::new(1, 0, 0).expect("valid")]);
    }

    #[rstest]
    #[case::inverted_longitudes([10.0, 0.0, -10.0, 5.0], 4)]
    #[case::inverted_latitudes([0.0, 5.0, 1.0, -5.0], 4)]
    #[case::nan([f64::NAN, 0.0, 1.0, 1.0], 4)]
    #[case::too_deep([0.0, 0.0, 1.0, 1.0], 23)]
    fn tiles_covering_a_bad_box_is_empty(#[case] bbox: [f64; 4], #[case] z: u8) {
        let range = tiles_covering(bbox, z);
        assert_eq!(range.total(), 0);
        assert_eq!(range.count(), 0);
    }

    #[test]
    fn parent_halves_the_coordinates() {
        let t = TileCoord::new(12, 2060, 1357).expect("valid");
        assert_eq!(t.parent(), TileCoord::new(11, 1030, 678));
        assert_eq!(TileCoord::new(0, 0, 0).and_then(|t| t.parent()), None);
    }
}
