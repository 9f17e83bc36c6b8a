//! The real `lsoa21` layer (33,755 English LSOAs) from the data directory: a known area appears in
//! its tile, low zooms cover England without holes, every area is its own feature above the
//! coalescing zooms, and tiles stay within budget.

mod support;

use std::io::Read;
use std::sync::OnceLock;

use cnimap_core::tile::{lonlat_to_tile, TileCoord};
use cnimap_tiles::mvt::{decode, DecodedFeature};
use cnimap_tiles::{LayerSpec, PreparedLayer, TileOptions};
use rstest::rstest;

fn spec() -> &'static LayerSpec {
    static SPEC: OnceLock<LayerSpec> = OnceLock::new();
    SPEC.get_or_init(support::lsoa21_spec)
}

fn lsoa21() -> &'static PreparedLayer {
    static LAYER: OnceLock<PreparedLayer> = OnceLock::new();
    LAYER.get_or_init(|| PreparedLayer::prepare(spec().clone()).expect("prepare lsoa21"))
}

/// Westminster, in the middle of the densest tiles.
const WESTMINSTER: (f64, f64) = (-0.1357, 51.4975);

/// A position in tile units of tile `t` with extent `extent` (`y` down).
fn to_tile(t: TileCoord, extent: u32, lon: f64, lat: f64) -> [f64; 2] {
    let n = f64::from(1u32 << t.z());
    let x = (lon + 180.0) / 360.0 * n - f64::from(t.x());
    let y =
        (1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n - f64::from(t.y());
    [x * f64::from(extent), y * f64::from(extent)]
}

/// Even-odd point in polygon over a list of rings (exteriors and holes).
fn inside<P: Copy + Into<[f64; 2]>>(rings: &[Vec<P>], p: [f64; 2]) -> bool {
    let mut hit = false;
    for ring in rings {
        let n = ring.len();
        for i in 0..n {
            let (a, b): ([f64; 2], [f64; 2]) = (ring[i].into(), ring[(i + 1) % n].into());
            if (a[1] > p[1]) != (b[1] > p[1])
                && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
            {
                hit = !hit;
            }
        }
    }
    hit
}

/// A decoded tile point as `f64`.
#[derive(Clone, Copy)]
struct Pt([f64; 2]);

impl From<Pt> for [f64; 2] {
    fn from(p: Pt) -> Self {
        p.0
    }
}

fn rings_f64(f: &DecodedFeature) -> Vec<Vec<Pt>> {
    f.rings
        .iter()
        .map(|r| r.iter().map(|p| Pt([p[0] as f64, p[1] as f64])).collect())
        .collect()
}

/// The source areas of the zoom's source geometry, in tile units of `t`, with their bounding boxes.
fn source_areas(t: TileCoord, extent: u32) -> Vec<(String, [f64; 4], Vec<Vec<Pt>>)> {
    let source = spec()
        .sources
        .iter()
        .find(|s| (s.min_zoom..=s.max_zoom).contains(&t.z()))
        .expect("a source covers the zoom");
    source
        .features
        .iter()
        .map(|f| {
            let rings: Vec<Vec<Pt>> = f
                .geometry_wgs84
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .map(|r| {
                    r.coords()
                        .map(|c| Pt(to_tile(t, extent, c.x, c.y)))
                        .collect()
                })
                .collect();
            let mut b = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for Pt([x, y]) in rings.iter().flatten() {
                b = [b[0].min(*x), b[1].min(*y), b[2].max(*x), b[3].max(*y)];
            }
            (f.code.clone(), b, rings)
        })
        .collect()
}

fn decoded(t: TileCoord) -> (u32, Vec<DecodedFeature>) {
    let bytes = lsoa21().tile(t).expect("tile").expect("tile is not empty");
    let mut layers = decode(&bytes).expect("decodes");
    let layer = layers.remove(0);
    (layer.extent, layer.features)
}

#[test]
fn zoom_zero_shows_all_of_england() {
    let t = TileCoord::new(0, 0, 0).expect("valid");
    let (extent, features) = decoded(t);
    assert!(!features.is_empty());
    let points: Vec<[i64; 2]> = features
        .iter()
        .flat_map(|f| f.rings.iter().flatten().copied())
        .collect();
    let (min_x, max_x) = (
        points.iter().map(|p| p[0]).min().unwrap_or_default() as f64,
        points.iter().map(|p| p[0]).max().unwrap_or_default() as f64,
    );
    let (min_y, max_y) = (
        points.iter().map(|p| p[1]).min().unwrap_or_default() as f64,
        points.iter().map(|p| p[1]).max().unwrap_or_default() as f64,
    );
    // From Land's End to Lowestoft, from the Channel coast to the Scottish border (give or take
    // two units of the coarse grid).
    let [west, north] = to_tile(t, extent, -5.7, 55.8);
    let [east, south] = to_tile(t, extent, 1.76, 50.0);
    assert!(
        min_x <= west + 2.0 && max_x >= east - 2.0,
        "x {min_x}..{max_x}"
    );
    assert!(
        min_y <= north + 2.0 && max_y >= south - 2.0,
        "y {min_y}..{max_y}"
    );
}

#[rstest]
#[case::zoom_5(5)]
#[case::zoom_6(6)]
#[case::zoom_7(7)]
fn london_shows_no_holes_at_low_zooms(#[case] z: u8) {
    let t = lonlat_to_tile(WESTMINSTER.0, WESTMINSTER.1, z).expect("valid zoom");
    let (extent, features) = decoded(t);
    let features: Vec<Vec<Vec<Pt>>> = features.iter().map(rings_f64).collect();
    // Sample a grid over Greater London within the tile. A point is checked when it and its four
    // neighbours two units away all lie in some LSOA (so not on the Thames or near the edge of
    // England, where simplification may move the outline); it must then be in some feature.
    let [x0, y0] = to_tile(t, extent, -0.51, 51.69);
    let [x1, y1] = to_tile(t, extent, 0.33, 51.28);
    let (x0, y0) = (x0.max(0.0), y0.max(0.0));
    let (x1, y1) = (x1.min(f64::from(extent)), y1.min(f64::from(extent)));
    let areas: Vec<_> = source_areas(t, extent)
        .into_iter()
        .filter(|(_, b, _)| {
            b[2] >= x0 - 4.0 && b[0] <= x1 + 4.0 && b[3] >= y0 - 4.0 && b[1] <= y1 + 4.0
        })
        .collect();
    let in_england = |p: [f64; 2]| {
        areas.iter().any(|(_, b, r)| {
            p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3] && inside(r, p)
        })
    };
    let steps = 60;
    let (mut checked, mut holes) = (0, Vec::new());
    for i in 0..steps {
        for j in 0..steps {
            let p = [
                x0 + (x1 - x0) * (f64::from(i) + 0.5) / f64::from(steps),
                y0 + (y1 - y0) * (f64::from(j) + 0.5) / f64::from(steps),
            ];
            let d = 2.0;
            let deep = [[0.0, 0.0], [d, 0.0], [-d, 0.0], [0.0, d], [0.0, -d]]
                .iter()
                .all(|o| in_england([p[0] + o[0], p[1] + o[1]]));
            if !deep {
                continue;
            }
            checked += 1;
            // The source has hairline cracks between some neighbours (borders that do not share
            // points, so they are simplified apart): a point is a hole only when nothing is drawn
            // within one unit (one pixel at these zooms) of it either.
            let near = [[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
            if !near.iter().any(|o| {
                features
                    .iter()
                    .any(|f| inside(f, [p[0] + o[0], p[1] + o[1]]))
            }) {
                let codes: Vec<&str> = areas
                    .iter()
                    .filter(|(_, _, r)| inside(r, p))
                    .map(|(c, _, _)| c.as_str())
                    .collect();
                holes.push((p, codes));
            }
        }
    }
    assert!(
        checked > steps * steps / 2,
        "{t}: only {checked} points checked"
    );
    assert!(
        holes.is_empty(),
        "{t}: {} holes of {checked}, e.g. {:?}",
        holes.len(),
        &holes[..holes.len().min(5)]
    );
}

#[rstest]
#[case::zoom_8(8)]
#[case::zoom_9(9)]
fn above_the_coalescing_zooms_every_lsoa_near_westminster_is_its_own_feature(#[case] z: u8) {
    assert!(TileOptions::default()
        .coalesce_max_zoom
        .is_some_and(|m| m < z));
    let t = lonlat_to_tile(WESTMINSTER.0, WESTMINSTER.1, z).expect("valid zoom");
    let (extent, features) = decoded(t);
    let codes: std::collections::HashSet<&str> =
        features.iter().filter_map(|f| f.property("code")).collect();
    let e = f64::from(extent);
    let missing: Vec<String> = source_areas(t, extent)
        .into_iter()
        .filter(|(_, b, _)| b[2] > 0.0 && b[0] < e && b[3] > 0.0 && b[1] < e)
        .filter(|(code, _, _)| !codes.contains(code.as_str()))
        .map(|(code, _, _)| code)
        .collect();
    assert!(codes.len() > 1000, "{t}: {} features", codes.len());
    assert!(
        missing.is_empty(),
        "{t}: {} LSOAs missing: {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
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
