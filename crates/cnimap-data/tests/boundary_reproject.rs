//! Coordinate reference systems: British National Grid input is recognised (declared or by its
//! range) and reprojected to WGS84 lon/lat, checked against Ordnance Survey control points.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]

use std::path::{Path, PathBuf};

use cnimap_data::boundary::{read_boundaries, Crs};
#[cfg(not(feature = "proj"))]
use cnimap_data::error::DataError;
use rstest::rstest;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/boundary")
        .join(name)
}

/// Ordnance Survey OSTN15 test points (developer pack, TP04, TP07, TP20): ETRS89 lon/lat of the
/// three vertices of the fixture triangle.
#[cfg(feature = "proj")]
const CONTROL_ETRS89: [(&str, f64, f64); 3] = [
    (
        "TP04 St Catherine's Point",
        -1.297_822_772_4,
        50.575_636_650_0,
    ),
    ("TP07 North Foreland", 1.444_547_304_09, 51.374_470_255_5),
    ("TP20 Leeds", -1.663_791_682_42, 53.800_215_196_3),
];

/// Distance in metres between two nearby lon/lat points (equirectangular; fine below 1 km).
#[cfg(feature = "proj")]
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = 6_371_000.0_f64.to_radians();
    let dx = (a.0 - b.0) * k * b.1.to_radians().cos();
    let dy = (a.1 - b.1) * k;
    dx.hypot(dy)
}

#[cfg(feature = "proj")]
#[rstest]
#[case::declared_by_a_crs_member("bng_declared.geojson")]
#[case::recognised_by_its_metre_range("bng_undeclared.geojson")]
fn national_grid_input_lands_within_a_few_metres_of_the_published_lon_lat(#[case] name: &str) {
    let file = read_boundaries(&fixture(name), "code", "name", None).unwrap();
    assert_eq!(file.crs, Crs::BritishNationalGrid);
    let ring = file.features[0].geometry_wgs84.0[0].exterior();
    assert_eq!(ring.0.len(), 4);
    for (label, lon, lat) in CONTROL_ETRS89 {
        let nearest = ring
            .0
            .iter()
            .map(|c| metres((c.x, c.y), (lon, lat)))
            .fold(f64::INFINITY, f64::min);
        // PROJ without the OSTN15 grid uses the 7-parameter Helmert fit, good to ~2-5 m.
        assert!(
            nearest < 5.0,
            "{label}: {nearest:.2} m from the published position"
        );
    }
}

/// The brief's Caister water tower figures (E 651409.903 N 313177.270 <-> 52°39'27.2531"N
/// 1°43'4.5177"E) are the OS guide's projection example: the latitude and longitude are OSGB36
/// (Airy 1830), not WGS84 (the datum shift there is about 130 m). PROJ reproduces them to the
/// millimetre, which pins the projection and the lon/lat axis order of `new_known_crs`.
#[cfg(feature = "proj")]
#[test]
fn the_caister_water_tower_example_is_the_osgb36_projection_to_the_millimetre() {
    let to_osgb36 = proj::Proj::new_known_crs("EPSG:27700", "EPSG:4277", None).unwrap();
    let (lon, lat) = to_osgb36
        .convert((651_409.903_f64, 313_177.270_f64))
        .unwrap();
    let published = (
        1.0 + 43.0 / 60.0 + 4.5177 / 3600.0,
        52.0 + 39.0 / 60.0 + 27.2531 / 3600.0,
    );
    assert!(metres((lon, lat), published) < 0.01);
}

#[test]
fn lon_lat_input_passes_through_untouched() {
    let file = read_boundaries(&fixture("valid.geojson"), "code", "name", None).unwrap();
    assert_eq!(file.crs, Crs::Wgs84);
    assert_eq!(
        file.features[0].geometry_wgs84.0[0].exterior().0[0].x,
        -0.10
    );
}

#[cfg(not(feature = "proj"))]
#[rstest]
#[case::declared_by_a_crs_member("bng_declared.geojson")]
#[case::recognised_by_its_metre_range("bng_undeclared.geojson")]
fn without_proj_national_grid_input_is_a_clear_error(#[case] name: &str) {
    let err = read_boundaries(&fixture(name), "code", "name", None).unwrap_err();
    assert!(matches!(err, DataError::Reproject { ref from, .. } if from == "EPSG:27700"));
    assert!(err.to_string().contains("feature `proj`"));
}
