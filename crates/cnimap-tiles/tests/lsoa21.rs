//! The real `lsoa21` layer (33,755 English LSOAs) from the data directory: a known area appears in
//! its tile, tiles stay within budget, and the layer exports to PMTiles.

mod support;

use std::io::Read;
use std::sync::OnceLock;

use cnimap_core::tile::lonlat_to_tile;
use cnimap_tiles::mvt::decode;
use cnimap_tiles::PreparedLayer;

fn lsoa21() -> &'static PreparedLayer {
    static LAYER: OnceLock<PreparedLayer> = OnceLock::new();
    LAYER.get_or_init(|| PreparedLayer::prepare(support::lsoa21_spec()).expect("prepare lsoa21"))
}

/// Centre of the bounding box of an LSOA in the detailed file.
fn centre_of(code: &str) -> (f64, f64) {
    let rows = support::read_boundaries("lsoa21_bgc.geojson", "lsoa21cd", "lsoa21nm", code);
    let (_, _, geometry) = rows
        .first()
        .unwrap_or_else(|| panic!("{code} not in lsoa21_bgc"));
    let coords: Vec<(f64, f64)> = geometry
        .0
        .iter()
        .flat_map(|p| p.exterior().coords().map(|c| (c.x, c.y)))
        .collect();
    let fold = |f: fn(f64, f64) -> f64, init: f64, pick: fn(&(f64, f64)) -> f64| {
        coords.iter().map(pick).fold(init, f)
    };
    let (w, e) = (
        fold(f64::min, f64::INFINITY, |c| c.0),
        fold(f64::max, f64::NEG_INFINITY, |c| c.0),
    );
    let (s, n) = (
        fold(f64::min, f64::INFINITY, |c| c.1),
        fold(f64::max, f64::NEG_INFINITY, |c| c.1),
    );
    ((w + e) / 2.0, (s + n) / 2.0)
}

#[test]
fn the_z12_tile_of_tendring_018a_contains_it() {
    let (lon, lat) = centre_of("E01021988");
    let t = lonlat_to_tile(lon, lat, 12).expect("valid zoom");
    let bytes = lsoa21().tile(t).expect("tile").expect("tile is not empty");
    let layers = decode(&bytes).expect("decodes");
    assert_eq!(layers[0].name, "lsoa21");
    let feature = layers[0]
        .features
        .iter()
        .find(|f| f.property("code") == Some("E01021988"))
        .unwrap_or_else(|| panic!("E01021988 not in tile {t}"));
    assert_eq!(feature.property("name"), Some("Tendring 018A"));
    // Feature ids are the feature index: codes are in sorted order, so ids increase with codes.
    let mut by_code: Vec<(&str, u64)> = layers[0]
        .features
        .iter()
        .filter_map(|f| Some((f.property("code")?, f.id?)))
        .collect();
    by_code.sort();
    assert!(by_code.windows(2).all(|w| w[0].1 < w[1].1));
}

#[test]
fn every_area_appears_at_zoom_nine_and_fourteen_in_the_tile_of_its_centre() {
    // A sample of areas across England: each must be in the tile holding its centre.
    for code in [
        "E01000001",
        "E01021988",
        "E01033768",
        "E01012345",
        "E01005000",
    ] {
        let (lon, lat) = centre_of(code);
        for z in [9u8, 14] {
            let t = lonlat_to_tile(lon, lat, z).expect("valid zoom");
            let bytes = lsoa21().tile(t).expect("tile").expect("tile is not empty");
            let layers = decode(&bytes).expect("decodes");
            assert!(
                layers[0]
                    .features
                    .iter()
                    .any(|f| f.property("code") == Some(code)),
                "{code} missing from {t}"
            );
        }
    }
}

#[test]
fn the_densest_low_zoom_tiles_stay_under_500_kb_gzip() {
    let layer = lsoa21();
    for z in 0..=9u8 {
        let t = lonlat_to_tile(-0.1278, 51.5074, z).expect("valid zoom");
        let Some(raw) = layer.tile(t).expect("tile") else {
            continue;
        };
        let mut gz = Vec::new();
        flate2::read::GzEncoder::new(&raw[..], flate2::Compression::default())
            .read_to_end(&mut gz)
            .expect("gzip");
        assert!(gz.len() < 500 * 1024, "{t}: {} bytes gzip", gz.len());
    }
}
