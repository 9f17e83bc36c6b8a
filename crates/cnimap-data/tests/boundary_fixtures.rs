//! Boundary reading, repair and the manifest, on small hand-made fixtures.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]

use std::path::{Path, PathBuf};

use cnimap_core::Level;
use cnimap_data::boundary::{read_boundaries, BoundaryFile, Crs, Manifest};
use cnimap_data::error::DataError;
use geo::{Area, Validation, Winding};
use rstest::rstest;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/boundary")
        .join(name)
}

fn read(name: &str, prefix: Option<&str>) -> Result<BoundaryFile, DataError> {
    read_boundaries(&fixture(name), "code", "name", prefix)
}

fn geojson_error(err: DataError) -> (String, String) {
    match err {
        DataError::GeoJson {
            location, message, ..
        } => (location, message),
        other => panic!("expected a GeoJson error, got {other:?}"),
    }
}

#[test]
fn a_valid_file_keeps_england_skips_wales_and_changes_nothing() {
    let file = read("valid.geojson", Some("E01")).unwrap();
    let codes: Vec<&str> = file.features.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["E01000001", "E01000002"]);
    assert_eq!(file.skipped_other_prefix, 1);
    assert_eq!(file.repaired, 0);
    assert!(file.duplicates.is_empty());
    assert_eq!(file.crs, Crs::Wgs84);

    let first = &file.features[0];
    assert_eq!(first.name, "City of London 001A");
    assert_eq!(first.geom_source, None);
    let [w, s, e, n] = first.bbox_wgs84;
    assert!((w + 0.10).abs() < 1e-12 && (s - 51.51).abs() < 1e-12);
    assert!((e + 0.09).abs() < 1e-12 && (n - 51.52).abs() < 1e-12);

    let second = &file.features[1];
    assert_eq!(second.geom_source.as_deref(), Some("real 2017 outline"));
    assert_eq!(second.geometry_wgs84.0.len(), 2);
    assert_eq!(second.geometry_wgs84.0[0].interiors().len(), 1);
}

#[test]
fn without_a_prefix_every_feature_is_kept() {
    let file = read("valid.geojson", None).unwrap();
    assert_eq!(file.features.len(), 3);
    assert_eq!(file.skipped_other_prefix, 0);
}

#[test]
fn every_kept_ring_is_oriented_exterior_counter_clockwise_and_holes_clockwise() {
    let file = read("valid.geojson", None).unwrap();
    for feature in &file.features {
        for polygon in &feature.geometry_wgs84.0 {
            assert!(polygon.exterior().is_ccw(), "{}", feature.code);
            assert!(
                polygon.interiors().iter().all(|h| h.is_cw()),
                "{}",
                feature.code
            );
        }
    }
}

#[rstest]
#[case::a_ring_touching_itself(
    "self_touching.geojson",
    0.04 * 0.04 - 0.02 * 0.02
)]
#[case::a_bow_tie("bowtie.geojson", 2.0 * (0.1 * 0.05 / 2.0))]
#[case::a_spike_and_a_zero_area_sliver("spike_and_sliver.geojson", 0.01 * 0.01)]
fn an_invalid_polygon_is_repaired_into_a_valid_one_of_the_same_area(
    #[case] name: &str,
    #[case] area: f64,
) {
    let file = read(name, None).unwrap();
    assert_eq!(file.repaired, 1);
    assert!(file.extra.still_invalid.is_empty());
    let geometry = &file.features[0].geometry_wgs84;
    assert!(
        geometry.is_valid(),
        "{name}: {:?}",
        geometry.validation_errors()
    );
    let got = geometry.unsigned_area();
    assert!(
        (got - area).abs() < 1e-9,
        "{name}: area {got}, expected {area}"
    );
    for polygon in &geometry.0 {
        assert!(polygon.exterior().is_ccw());
    }
}

#[test]
fn a_bow_tie_splits_into_its_two_lobes() {
    let file = read("bowtie.geojson", None).unwrap();
    assert_eq!(file.features[0].geometry_wgs84.0.len(), 2);
}

#[test]
fn repaired_vertices_keep_the_input_coordinates_exactly() {
    // The overlay works on an integer grid; output vertices are snapped back onto the input.
    let file = read("self_touching.geojson", None).unwrap();
    let input = [
        (0.5, 51.5),
        (0.54, 51.5),
        (0.54, 51.54),
        (0.5, 51.54),
        (0.51, 51.51),
        (0.51, 51.53),
        (0.53, 51.53),
        (0.53, 51.51),
    ];
    for polygon in &file.features[0].geometry_wgs84.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for c in &ring.0 {
                assert!(
                    input.contains(&(c.x, c.y)),
                    "vertex {c:?} is not an input vertex"
                );
            }
        }
    }
}

#[test]
fn a_code_on_two_features_is_reported_and_the_parts_merged() {
    let file = read("duplicate.geojson", None).unwrap();
    assert_eq!(file.duplicates, ["E01000050"]);
    assert_eq!(file.features.len(), 1);
    assert_eq!(file.features[0].geometry_wgs84.0.len(), 2);
}

#[test]
fn a_missing_code_property_names_the_feature_and_the_properties_it_has() {
    let err = read("missing_code.geojson", None).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("missing_code.geojson"), "{text}");
    let (location, message) = geojson_error(err);
    assert_eq!(location, "feature 2");
    assert!(message.contains("\"code\""), "{message}");
    assert!(message.contains("lsoa21cd, name"), "{message}");
}

#[test]
fn a_line_string_feature_is_refused_with_its_number_and_code() {
    let (location, message) = geojson_error(read("linestring.geojson", None).unwrap_err());
    assert_eq!(location, "feature 2 (E01000041)");
    assert!(message.contains("LineString"), "{message}");
}

#[test]
fn truncated_json_is_reported_with_line_and_column() {
    let (location, message) = geojson_error(read("truncated.geojson", None).unwrap_err());
    assert!(location.starts_with("line 24, column "), "{location}");
    assert!(message.contains("ends early"), "{message}");
}

#[rstest]
#[case::not_json(b"{\"type\": \"FeatureCollection\", \"features\": [}".as_slice(), "line 1, column")]
#[case::not_a_collection(b"{\"type\": \"Feature\", \"features\": []}".as_slice(), "top level")]
#[case::a_string_for_coordinates(
    b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"E1\",\"name\":\"n\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\"x\"}}]}".as_slice(),
    "line 1, column"
)]
#[case::a_multipolygon_nested_like_a_polygon(
    b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"E1\",\"name\":\"n\"},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}]}".as_slice(),
    "feature 1 (E1)"
)]
fn malformed_input_is_an_error_that_says_where(#[case] bytes: &[u8], #[case] at: &str) {
    let err = cnimap_data::boundary::parse_boundaries(
        bytes,
        Path::new("x.geojson"),
        "code",
        "name",
        None,
    )
    .unwrap_err();
    let (location, _) = geojson_error(err);
    assert!(location.starts_with(at), "{location}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = read("no_such_file.geojson", None).unwrap_err();
    assert!(
        matches!(err, DataError::Io { ref path, .. } if path.ends_with("no_such_file.geojson"))
    );
}

// ---------------------------------------------------------------------------------------------
// Manifest

#[test]
fn the_manifest_in_the_tree_matches_the_embedded_one() {
    let loaded = Manifest::load(&Manifest::default_path()).unwrap();
    let embedded = Manifest::embedded().unwrap();
    assert_eq!(loaded.layers, embedded.layers);
    assert_eq!(loaded.overlays, embedded.overlays);
}

#[test]
fn the_manifest_maps_each_zoom_of_a_tiled_layer_to_one_file() {
    let manifest = Manifest::embedded().unwrap();
    for layer in manifest.layers.iter().filter(|l| l.tiled) {
        for zoom in 0..=cnimap_data::boundary::MAX_ZOOM {
            assert!(
                layer.source_for_zoom(zoom).is_some(),
                "{} has no file for zoom {zoom}",
                layer.level
            );
        }
    }
    let lad24 = manifest.layer(Level::Lad24).unwrap();
    assert_eq!(lad24.source_for_zoom(7).unwrap().code, "ltla24_code");
    assert_eq!(lad24.source_for_zoom(8).unwrap().code, "LAD24CD");
    let overlay = manifest.overlay("left_behind_wards").unwrap();
    assert_eq!(overlay.code, "lba_code");
}

const GOOD_LAYER: &str = r#"
[[layer]]
id = "lsoa21"
title = "t"
vintage = "2021"
  [[layer.source]]
  file = "a.geojson"
  generalisation = "BSC"
  code = "c"
  name = "n"
  zooms = [0, 9]
"#;

#[rstest]
#[case::an_unknown_layer_id(GOOD_LAYER.replace("lsoa21", "lsoa99"), "unknown layer id \"lsoa99\"")]
#[case::a_zoom_beyond_14(GOOD_LAYER.replace("[0, 9]", "[0, 15]"), "within 0..=14")]
#[case::zooms_the_wrong_way_round(GOOD_LAYER.replace("[0, 9]", "[9, 0]"), "must not exceed")]
#[case::one_zoom_number(GOOD_LAYER.replace("[0, 9]", "[3]"), "two numbers")]
#[case::an_empty_code_property(GOOD_LAYER.replace("code = \"c\"", "code = \"\""), "`code` is empty")]
#[case::an_empty_title(GOOD_LAYER.replace("title = \"t\"", "title = \" \""), "`title` is empty")]
#[case::a_misspelt_key(GOOD_LAYER.replace("vintage", "vintag"), "unknown field")]
#[case::overlapping_zooms(
    format!("{GOOD_LAYER}  [[layer.source]]\n  file = \"b.geojson\"\n  generalisation = \"BGC\"\n  code = \"c\"\n  name = \"n\"\n  zooms = [9, 14]\n"),
    "overlap"
)]
#[case::the_same_layer_twice(format!("{GOOD_LAYER}{GOOD_LAYER}"), "appears twice")]
#[case::no_layers("".to_string(), "at least one layer")]
fn a_bad_manifest_is_refused_with_a_clear_message(#[case] text: String, #[case] expected: &str) {
    let err = Manifest::from_toml_str(&text, Path::new("m.toml")).unwrap_err();
    let DataError::Manifest { message, .. } = &err else {
        panic!("expected a Manifest error, got {err:?}");
    };
    assert!(message.contains(expected), "{message}");
}

#[test]
fn a_good_manifest_snippet_is_accepted() {
    let manifest = Manifest::from_toml_str(GOOD_LAYER, Path::new("m.toml")).unwrap();
    let layer = manifest.layer(Level::Lsoa21).unwrap();
    assert!(layer.tiled);
    assert_eq!(layer.code_prefix, None);
    assert_eq!(layer.sources[0].zooms.max, 9);
}
