//! Every boundary file of the manifest, read from the national data (`CNIMAP_DATA`, default
//! `<workspace>/../shared/data`): counts, repairs and validity.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]

use std::path::{Path, PathBuf};

use cnimap_data::boundary::{read_boundaries, repair::is_valid_fast, BoundaryFile, Crs, Manifest};
use geo::{Area, MultiPolygon, Validation};
use rstest::rstest;

fn data_dir() -> PathBuf {
    let dir = std::env::var_os("CNIMAP_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    assert!(
        dir.join("boundaries").is_dir(),
        "national data not found in {} (set CNIMAP_DATA)",
        dir.display()
    );
    dir
}

/// The code and name properties and the prefix the manifest gives a file.
fn manifest_entry(file: &str) -> (String, String, Option<String>) {
    let manifest = Manifest::load(&Manifest::default_path()).unwrap();
    for layer in &manifest.layers {
        for source in &layer.sources {
            if source.file == Path::new(file) {
                return (
                    source.code.clone(),
                    source.name.clone(),
                    layer.code_prefix.clone(),
                );
            }
        }
    }
    for overlay in &manifest.overlays {
        if overlay.file == Path::new(file) {
            return (
                overlay.code.clone(),
                overlay.name.clone(),
                overlay.code_prefix.clone(),
            );
        }
    }
    panic!("{file} is not in the manifest");
}

fn read(file: &str) -> BoundaryFile {
    let (code, name, prefix) = manifest_entry(file);
    read_boundaries(&data_dir().join(file), &code, &name, prefix.as_deref()).unwrap()
}

#[test]
fn every_file_in_the_manifest_is_read() {
    let manifest = Manifest::load(&Manifest::default_path()).unwrap();
    let data = data_dir();
    for layer in &manifest.layers {
        for source in &layer.sources {
            let file = cnimap_data::boundary::read_layer_source(&data, layer, source).unwrap();
            assert!(!file.features.is_empty(), "{}", source.file.display());
        }
    }
    for overlay in &manifest.overlays {
        let file = cnimap_data::boundary::read_overlay(&data, overlay).unwrap();
        assert!(!file.features.is_empty(), "{}", overlay.file.display());
    }
}

/// Feature counts are the published ones (England only where the file holds more); `repaired`
/// is what this reader measured on the published files (the data README counts 121, 6 and 1
/// invalid polygons in the LSOA files and 119 invalid rings in the UK-wide lad24_bgc, of which
/// 87 fall in England).
#[rstest]
#[case::lsoa21_super_generalised("boundaries/lsoa21_bsc.geojson", 33_755, 1_917, 0)]
#[case::lsoa21_generalised("boundaries/lsoa21_bgc.geojson", 33_755, 0, 121)]
#[case::lsoa11_super_generalised("boundaries/lsoa11_bsc.geojson", 32_844, 1_909, 1)]
#[case::lsoa11_generalised("boundaries/lsoa11_bgc.geojson", 32_844, 0, 6)]
#[case::ward17_assembled("boundaries/ward17_cni2019.geojson", 7_427, 0, 0)]
#[case::left_behind_overlay("boundaries/ward17_left_behind_225.geojson", 225, 0, 0)]
#[case::lad24_ultra_generalised("boundaries/lad24_buc.geojson", 296, 65, 0)]
#[case::lad24_generalised("boundaries/lad24_bgc.geojson", 296, 65, 87)]
#[case::lad19_ultra_generalised("boundaries/lad19_buc.geojson", 317, 65, 0)]
#[case::regions("boundaries/regions24.geojson", 9, 0, 3)]
fn each_file_yields_its_published_count_of_valid_english_areas(
    #[case] file: &str,
    #[case] features: usize,
    #[case] skipped: usize,
    #[case] repaired: usize,
) {
    let (_, _, prefix) = manifest_entry(file);
    let boundaries = read(file);
    assert_eq!(boundaries.features.len(), features, "{file}: features");
    assert_eq!(boundaries.skipped_other_prefix, skipped, "{file}: skipped");
    assert_eq!(boundaries.repaired, repaired, "{file}: repaired");
    assert!(
        boundaries.duplicates.is_empty(),
        "{file}: {:?}",
        boundaries.duplicates
    );
    assert!(
        boundaries.extra.still_invalid.is_empty(),
        "{file}: {:?}",
        boundaries.extra.still_invalid
    );
    assert!(
        boundaries.extra.no_geometry.is_empty(),
        "{file}: {:?}",
        boundaries.extra.no_geometry
    );
    assert_eq!(boundaries.crs, Crs::Wgs84);
    let [w, s, e, n] = boundaries.extra.bbox_wgs84;
    assert!(
        w > -6.5 && e < 2.0 && s > 49.8 && n < 56.0,
        "{file}: bounds {w} {s} {e} {n}"
    );
    for f in &boundaries.features {
        if let Some(prefix) = &prefix {
            assert!(f.code.starts_with(prefix.as_str()), "{file}: {}", f.code);
        }
        assert!(!f.name.is_empty(), "{file}: {} has no name", f.code);
        assert!(
            is_valid_fast(&f.geometry_wgs84),
            "{file}: {} is invalid",
            f.code
        );
        let [fw, fs, fe, fn_] = f.bbox_wgs84;
        assert!(
            fw <= fe && fs <= fn_ && fw >= w && fe <= e,
            "{file}: {} bbox",
            f.code
        );
    }
}

#[test]
fn ward_outlines_keep_their_geom_source() {
    let wards = read("boundaries/ward17_cni2019.geojson");
    assert!(wards.features.iter().all(|f| f.geom_source.is_some()));
    let lsoas = read("boundaries/lsoa21_bsc.geojson");
    assert!(lsoas.features.iter().all(|f| f.geom_source.is_none()));
}

/// Reads a file with the `geojson` crate (an independent reader) into (code, geometry).
fn raw_features(file: &str) -> Vec<(String, MultiPolygon<f64>)> {
    let (code, _, prefix) = manifest_entry(file);
    let text = std::fs::read_to_string(data_dir().join(file)).unwrap();
    let collection: geojson::FeatureCollection = text.parse().unwrap();
    collection
        .features
        .into_iter()
        .filter_map(|f| {
            let c = f.property(&code)?.as_str()?.to_string();
            if prefix.as_deref().is_some_and(|p| !c.starts_with(p)) {
                return None;
            }
            let g = geo_types::Geometry::<f64>::try_from(f.geometry?).ok()?;
            let mp = match g {
                geo_types::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo_types::Geometry::MultiPolygon(m) => m,
                _ => return None,
            };
            Some((c, mp))
        })
        .collect()
}

/// Invalid as geo sees it, or holding a ring of zero area (geo's check lets a ring of three
/// collinear points through; GEOS and the data README count it).
fn invalid_as_read(geometry: &MultiPolygon<f64>) -> bool {
    let zero_area_ring = geometry.0.iter().any(|p| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .any(|r| geo::Polygon::new(r.clone(), vec![]).unsigned_area() == 0.0)
    });
    zero_area_ring || !geometry.is_valid()
}

/// The repair count agrees with geo's own validation of the raw file, and every output polygon
/// passes geo's validation. geo's check compares every pair of segments of a ring, so the files
/// with long rings (LAD, regions) take half a minute each: those run on demand.
#[rstest]
#[case::lsoa21_super_generalised("boundaries/lsoa21_bsc.geojson")]
#[case::lsoa21_generalised("boundaries/lsoa21_bgc.geojson")]
#[case::lsoa11_super_generalised("boundaries/lsoa11_bsc.geojson")]
#[case::lsoa11_generalised("boundaries/lsoa11_bgc.geojson")]
#[case::ward17_assembled("boundaries/ward17_cni2019.geojson")]
#[case::left_behind_overlay("boundaries/ward17_left_behind_225.geojson")]
#[case::lad24_ultra_generalised("boundaries/lad24_buc.geojson")]
#[case::lad19_ultra_generalised("boundaries/lad19_buc.geojson")]
fn repairs_agree_with_geo_validation_and_every_output_polygon_passes_it(#[case] file: &str) {
    check_against_geo(file);
}

/// As above for the files with long rings; run with `-- --ignored`.
#[rstest]
#[case::lad24_generalised("boundaries/lad24_bgc.geojson")]
#[case::regions("boundaries/regions24.geojson")]
#[ignore = "slow: geo's quadratic validity check on long LAD and region rings"]
fn on_long_rings_too_repairs_agree_with_geo_validation(#[case] file: &str) {
    check_against_geo(file);
}

fn check_against_geo(file: &str) {
    let raw = raw_features(file);
    let invalid_codes: Vec<&str> = raw
        .iter()
        .filter(|(_, g)| invalid_as_read(g))
        .map(|(c, _)| c.as_str())
        .collect();
    let boundaries = read(file);
    assert_eq!(boundaries.features.len(), raw.len(), "{file}");
    assert_eq!(
        boundaries.repaired,
        invalid_codes.len(),
        "{file}: {invalid_codes:?}"
    );
    for f in &boundaries.features {
        assert!(
            f.geometry_wgs84.is_valid(),
            "{file}: {} {:?}",
            f.code,
            f.geometry_wgs84.validation_errors()
        );
    }
}
