//! British National Grid (EPSG:27700) eastings and northings to WGS84 longitude and latitude, in
//! pure Rust so that the browser can read a user's boundary file in either system.
//!
//! The method is the Ordnance Survey's ("A guide to coordinate systems in Great Britain", annexes
//! B and C): the inverse Transverse Mercator projection on the Airy 1830 ellipsoid gives OSGB36
//! latitude and longitude, and a seven-parameter Helmert transformation takes them to WGS84. The
//! Helmert step is good to about 5 metres across Great Britain (the OS's OSTN15 grid is better,
//! but it is a 15 MB table); area shares of neighbourhoods, which is what cnimap uses it for, do
//! not move at that scale.

/// How the conversion is made, in words for the UI and the CSV.
pub const METHOD: &str = "British National Grid coordinates are converted to WGS84 with the \
Ordnance Survey's formulas: the inverse Transverse Mercator projection on the Airy 1830 ellipsoid, \
then a seven-parameter Helmert transformation (accurate to about 5 metres).";

const AIRY_A: f64 = 6_377_563.396;
const AIRY_B: f64 = 6_356_256.909;
const WGS84_A: f64 = 6_378_137.0;
const WGS84_B: f64 = 6_356_752.314_245;
/// Scale factor on the central meridian.
const F0: f64 = 0.999_601_271_7;
/// True origin: 49 degrees north, 2 degrees west.
const LAT0_DEG: f64 = 49.0;
const LON0_DEG: f64 = -2.0;
/// False origin: the grid's easting and northing of the true origin.
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;

/// Whether a coordinate pair lies within the National Grid's extent (with a margin): eastings 0
/// to 700 km, northings 0 to 1,300 km.
pub fn in_grid(easting: f64, northing: f64) -> bool {
    (-10_000.0..=710_000.0).contains(&easting) && (-10_000.0..=1_310_000.0).contains(&northing)
}

/// Converts an easting and northing (metres) to WGS84 `(longitude, latitude)` in degrees.
pub fn to_wgs84(easting: f64, northing: f64) -> (f64, f64) {
    let (lat, lon) = grid_to_osgb36(easting, northing);
    let (x, y, z) = to_cartesian(lat, lon, AIRY_A, AIRY_B);
    let (x, y, z) = helmert_osgb36_to_wgs84(x, y, z);
    let (lat, lon) = from_cartesian(x, y, z, WGS84_A, WGS84_B);
    (lon.to_degrees(), lat.to_degrees())
}

/// The meridional arc from the true origin's latitude to `lat` (radians), scaled by `F0`.
fn meridional_arc(lat: f64) -> f64 {
    let n = (AIRY_A - AIRY_B) / (AIRY_A + AIRY_B);
    let (n2, n3) = (n * n, n * n * n);
    let lat0 = LAT0_DEG.to_radians();
    let (d, s) = (lat - lat0, lat + lat0);
    AIRY_B
        * F0
        * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * d
            - (3.0 * n + 3.0 * n2 + 21.0 / 8.0 * n3) * d.sin() * s.cos()
            + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * d).sin() * (2.0 * s).cos()
            - 35.0 / 24.0 * n3 * (3.0 * d).sin() * (3.0 * s).cos())
}

/// Inverse Transverse Mercator: grid to OSGB36 `(latitude, longitude)` in radians (OS annex C).
fn grid_to_osgb36(easting: f64, northing: f64) -> (f64, f64) {
    let e2 = 1.0 - (AIRY_B * AIRY_B) / (AIRY_A * AIRY_A);
    let mut lat = LAT0_DEG.to_radians();
    let mut m = 0.0;
    // Converges in a handful of steps; the bound keeps a NaN input from looping.
    for _ in 0..64 {
        lat += (northing - N0 - m) / (AIRY_A * F0);
        m = meridional_arc(lat);
        if (northing - N0 - m).abs() < 1e-5 {
            break;
        }
    }
    let sin = lat.sin();
    let nu = AIRY_A * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = AIRY_A * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let tan = lat.tan();
    let (t2, t4, t6) = (tan * tan, tan.powi(4), tan.powi(6));
    let sec = 1.0 / lat.cos();
    let vii = tan / (2.0 * rho * nu);
    let viii = tan / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
    let ix = tan / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
    let x = sec / nu;
    let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
    let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
    let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);
    let de = easting - E0;
    let lat = lat - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
    let lon =
        LON0_DEG.to_radians() + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
    (lat, lon)
}

/// Latitude and longitude (radians, height 0) on an ellipsoid to geocentric cartesian metres.
fn to_cartesian(lat: f64, lon: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let nu = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    (
        nu * lat.cos() * lon.cos(),
        nu * lat.cos() * lon.sin(),
        (1.0 - e2) * nu * lat.sin(),
    )
}

/// Geocentric cartesian metres to latitude and longitude (radians) on an ellipsoid.
fn from_cartesian(x: f64, y: f64, z: f64, a: f64, b: f64) -> (f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let p = (x * x + y * y).sqrt();
    let mut lat = (z / (p * (1.0 - e2))).atan();
    for _ in 0..16 {
        let nu = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
        let next = ((z + e2 * nu * lat.sin()) / p).atan();
        if (next - lat).abs() < 1e-12 {
            lat = next;
            break;
        }
        lat = next;
    }
    (lat, y.atan2(x))
}

/// The OS's Helmert parameters from OSGB36 to WGS84 (the inverse of its WGS84 -> OSGB36 set).
fn helmert_osgb36_to_wgs84(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let (tx, ty, tz) = (446.448, -125.157, 542.060);
    let s = -20.4894e-6;
    let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (0.1502 * arcsec, 0.2470 * arcsec, 0.8421 * arcsec);
    (
        tx + (1.0 + s) * x - rz * y + ry * z,
        ty + rz * x + (1.0 + s) * y - rx * z,
        tz - ry * x + rx * y + (1.0 + s) * z,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OS guide's worked example (annex C): Caister water tower, E 651409.903, N 313177.270,
    /// is OSGB36 52° 39' 27.2531" N, 1° 43' 4.5177" E.
    #[test]
    fn the_os_guide_worked_example_gives_its_osgb36_latitude_and_longitude() {
        let (lat, lon) = grid_to_osgb36(651_409.903, 313_177.270);
        let expected_lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let expected_lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        assert!(
            (lat.to_degrees() - expected_lat).abs() < 1e-7,
            "{}",
            lat.to_degrees()
        );
        assert!(
            (lon.to_degrees() - expected_lon).abs() < 1e-7,
            "{}",
            lon.to_degrees()
        );
    }

    /// The same point in WGS84 sits about 45 m north and 125 m west of its OSGB36 position (the
    /// datum shift in East Anglia); a sign slip in the Helmert step would double or reverse it.
    #[test]
    fn the_helmert_step_shifts_the_worked_example_by_the_known_datum_difference() {
        let (lon, lat) = to_wgs84(651_409.903, 313_177.270);
        let (osgb_lat, osgb_lon) = grid_to_osgb36(651_409.903, 313_177.270);
        let north_m = (lat - osgb_lat.to_degrees()) * 111_200.0;
        let east_m = (lon - osgb_lon.to_degrees()) * 111_200.0 * lat.to_radians().cos();
        assert!((30.0..60.0).contains(&north_m), "north shift {north_m} m");
        assert!((-140.0..-110.0).contains(&east_m), "east shift {east_m} m");
    }

    #[test]
    fn the_true_origin_maps_to_49_north_2_west_before_the_datum_shift() {
        let (lat, lon) = grid_to_osgb36(E0, N0);
        assert!((lat.to_degrees() - 49.0).abs() < 1e-9);
        assert!((lon.to_degrees() + 2.0).abs() < 1e-9);
    }

    #[test]
    fn grid_extent() {
        assert!(in_grid(530_000.0, 180_000.0));
        assert!(!in_grid(800_000.0, 180_000.0));
        assert!(!in_grid(f64::NAN, 0.0));
    }
}
