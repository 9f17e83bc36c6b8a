//! The real `lsoa21` layer (33,755 English LSOAs) from the data directory: a known area appears in
//! its tile, low zooms cover England without holes, every area is its own feature above the
//! coalescing zooms, tiles stay within budget, and the neighbours read off the topology are the
//! areas that share a border.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::sync::OnceLock;

use cnimap_core::tile::{lonlat_to_tile, TileCoord};
use cnimap_tiles::mvt::{decode, DecodedFeature};
use cnimap_tiles::{InputFeature, LayerSpec, PreparedLayer, SourceGeometry, TileOptions};
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

/// The source the neighbours are read from: the most detailed one (BGC, the deepest zooms).
fn detailed() -> &'static SourceGeometry {
    spec()
        .sources
        .iter()
        .max_by_key(|s| s.max_zoom)
        .expect("lsoa21 has sources")
}

/// An exact coordinate, as bits, for hashing.
type Vertex = [u64; 2];

/// The polygons of an area; with `with_area_only`, only those whose exterior encloses some area
/// (the file has a few zero-area slivers: rings that run out and back along one line).
fn polygons(
    f: &InputFeature,
    with_area_only: bool,
) -> impl Iterator<Item = &geo_types::Polygon<f64>> {
    f.geometry_wgs84.0.iter().filter(move |p| {
        let ring = &p.exterior().0;
        let area2: f64 = ring
            .windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum();
        !with_area_only || area2.abs() > 1e-14
    })
}

/// Every segment (two consecutive distinct vertices, either direction) of an area's rings.
fn segments(f: &InputFeature, with_area_only: bool) -> HashSet<[Vertex; 2]> {
    let mut out = HashSet::new();
    for p in polygons(f, with_area_only) {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                let (a, b) = (
                    [w[0].x.to_bits(), w[0].y.to_bits()],
                    [w[1].x.to_bits(), w[1].y.to_bits()],
                );
                if a != b {
                    out.insert(if a < b { [a, b] } else { [b, a] });
                }
            }
        }
    }
    out
}

/// The vertices of an area rounded to 1e-6 degrees, as the server's former rule compared them.
fn vertices_1e6(f: &InputFeature) -> HashSet<[i64; 2]> {
    f.geometry_wgs84
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.iter())
        .map(|c| [(c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64])
        .collect()
}

fn bbox(f: &InputFeature) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for c in f
        .geometry_wgs84
        .0
        .iter()
        .flat_map(|p| p.exterior().coords())
    {
        b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
    }
    b
}

/// For every LSOA of a district, brute force against every LSOA in England whose bounding box
/// touches it: the neighbours from the topology must be exactly the areas sharing at least one
/// border segment (the same two vertices) between polygons that have an area, and all of them
/// neighbours by the server's former rule too (at least two shared vertices at 1e-6 degrees).
/// The pairs the former rule adds are listed and explained: they touch only through zero-area
/// slivers (`slivers`, expected per district), and none touches only at points.
///
/// Measured over the whole of England on BGC: 97,671 pairs here, 97,672 by the plain
/// shared-segment rule and by the former rule; the one extra pair, Barrow-in-Furness 004C and
/// 009A (E01019164, E01019180), touches only through two zero-area polygons of 009A (rings such
/// as `a, b, a, c, a`) that the topology drops when it cleans rings.
#[rstest]
#[case::barrow_in_furness(
    "Barrow-in-Furness",
    &[("E01019164", "E01019180"), ("E01019180", "E01019164")]
)]
#[case::tendring("Tendring", &[])]
#[case::westminster("Westminster", &[])]
fn neighbours_are_the_areas_sharing_a_border_segment_in_every_lsoa_of_a_district(
    #[case] district: &str,
    #[case] expected_slivers: &[(&str, &str)],
) {
    let source = detailed();
    let neighbours = lsoa21().neighbours();
    let prefix = format!("{district} ");
    let boxes: Vec<[f64; 4]> = source.features.iter().map(bbox).collect();
    let (mut sample, mut agree) = (0, 0);
    let (mut slivers, mut points, mut unexplained) = (Vec::new(), Vec::new(), Vec::new());
    for a in source
        .features
        .iter()
        .filter(|f| f.name.starts_with(&prefix))
    {
        sample += 1;
        let ba = bbox(a);
        let (segs_a, segs_a_area, verts_a) =
            (segments(a, false), segments(a, true), vertices_1e6(a));
        let (mut by_segment, mut former) = (BTreeSet::new(), BTreeSet::new());
        for (b, bb) in source.features.iter().zip(&boxes) {
            if b.index == a.index
                || bb[0] > ba[2]
                || bb[2] < ba[0]
                || bb[1] > ba[3]
                || bb[3] < ba[1]
            {
                continue;
            }
            let shares_segment = !segments(b, true).is_disjoint(&segs_a_area);
            if shares_segment {
                by_segment.insert(b.index);
            }
            if vertices_1e6(b).intersection(&verts_a).count() >= 2 {
                former.insert(b.index);
                if !shares_segment {
                    let pair = (a.code.clone(), b.code.clone());
                    if segments(b, false).is_disjoint(&segs_a) {
                        points.push(pair);
                    } else {
                        slivers.push(pair);
                    }
                }
            }
        }
        let ours: BTreeSet<u32> = neighbours.of(a.index).iter().copied().collect();
        assert_eq!(
            ours, by_segment,
            "{} ({}): topology vs shared segments",
            a.code, a.name
        );
        unexplained.extend(ours.difference(&former).map(|b| (a.code.clone(), *b)));
        agree += ours.intersection(&former).count();
    }
    assert!(sample >= 30, "{district}: only {sample} LSOAs");
    assert!(
        unexplained.is_empty(),
        "{district}: neighbours the former rule does not have: {unexplained:?}"
    );
    let detail = format!(
        "{district}: {sample} LSOAs, {agree} neighbour links agree with the former rule, which adds \
         {} through zero-area slivers {slivers:?} and {} at points only {points:?}",
        slivers.len(),
        points.len()
    );
    let expected: Vec<(String, String)> = expected_slivers
        .iter()
        .map(|&(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    assert_eq!(slivers, expected, "{detail}");
    assert!(points.is_empty(), "{detail}");
}

#[test]
fn neighbour_lists_are_sorted_symmetric_and_only_the_isles_of_scilly_have_none() {
    let source = detailed();
    let neighbours = lsoa21().neighbours();
    let listed: Vec<u32> = neighbours.iter().map(|(index, _)| index).collect();
    let mut indices: Vec<u32> = source.features.iter().map(|f| f.index).collect();
    indices.sort_unstable();
    assert_eq!(listed, indices, "one list per LSOA, by index");
    let mut alone = Vec::new();
    for (index, list) in neighbours.iter() {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "{index}: not sorted");
        assert!(!list.contains(&index), "{index}: its own neighbour");
        for &other in list {
            assert!(
                neighbours.of(other).contains(&index),
                "{index} -> {other} one way only"
            );
        }
        if list.is_empty() {
            let f = source
                .features
                .iter()
                .find(|f| f.index == index)
                .expect("listed");
            alone.push(f.name.as_str());
        }
    }
    assert_eq!(alone, ["Isles of Scilly 001A"]);
    let pairs = neighbours.pair_count();
    // Each LSOA borders about six others on average.
    assert!((80_000..120_000).contains(&pairs), "{pairs} pairs");
}
