//! Behaviour of the public API on small hand-made fixtures: gap-free neighbours at every zoom,
//! feature ids and properties, clipping with a buffer, winding, empty tiles and bad input.

use std::collections::HashSet;

use cnimap_core::tile::{lonlat_to_tile, TileCoord};
use cnimap_tiles::mvt::{decode, DecodedFeature};
use cnimap_tiles::{
    InputFeature, LayerSpec, PreparedLayer, SourceGeometry, TileError, TileOptions, BUFFER, EXTENT,
};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rstest::rstest;

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
    coords.push(coords[0]);
    LineString(coords)
}

fn feature(index: u32, code: &str, polygons: Vec<Polygon<f64>>) -> InputFeature {
    InputFeature {
        index,
        code: code.to_owned(),
        name: format!("Area {code}"),
        geometry_wgs84: MultiPolygon(polygons),
    }
}

fn layer(features: Vec<InputFeature>, options: &TileOptions) -> PreparedLayer {
    let spec = LayerSpec {
        id: "test".to_owned(),
        sources: vec![SourceGeometry {
            min_zoom: 0,
            max_zoom: 14,
            features,
        }],
    };
    PreparedLayer::prepare_with(spec, options).expect("prepare")
}

/// Cut on demand at every zoom, so tests exercise clipping and encoding, not the pre-cut map.
fn on_demand() -> TileOptions {
    TileOptions {
        precut_max_zoom: None,
        ..TileOptions::default()
    }
}

/// A wiggly border from (1.0, 51.0) to (1.0, 51.5): 200 points zig-zagging by up to 0.01 degrees.
fn wiggly_border() -> Vec<(f64, f64)> {
    (0..=200)
        .map(|i| {
            let t = f64::from(i) / 200.0;
            let wiggle = if i == 0 || i == 200 {
                0.0
            } else {
                0.01 * ((f64::from(i) * 0.7).sin() + 0.3 * (f64::from(i) * 3.1).cos())
            };
            (1.0 + wiggle, 51.0 + 0.5 * t)
        })
        .collect()
}

/// Two areas side by side, 0.5 x 0.5 degrees each, sharing the wiggly border.
fn neighbours() -> Vec<InputFeature> {
    let border = wiggly_border();
    let mut west = vec![(0.5, 51.0)];
    west.extend(border.iter().copied());
    west.push((0.5, 51.5));
    // East ring: bottom of border -> top of border -> (1.5, 51.5) -> (1.5, 51.0).
    let mut east = border;
    east.push((1.5, 51.5));
    east.push((1.5, 51.0));
    vec![
        feature(5, "E01000005", vec![Polygon::new(ring(&west), vec![])]),
        feature(9, "E01000009", vec![Polygon::new(ring(&east), vec![])]),
    ]
}

fn decode_one(bytes: &[u8]) -> Vec<DecodedFeature> {
    let layers = decode(bytes).expect("tile decodes");
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].name, "test");
    assert!(
        layers[0].extent.is_power_of_two() && (256..=EXTENT).contains(&layers[0].extent),
        "extent {}",
        layers[0].extent
    );
    layers[0].features.clone()
}

fn area2(ring: &[[i64; 2]]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

fn edges(f: &DecodedFeature) -> Vec<([i64; 2], [i64; 2])> {
    f.rings
        .iter()
        .flat_map(|r| (0..r.len()).map(move |i| (r[i], r[(i + 1) % r.len()])))
        .collect()
}

#[test]
fn neighbours_share_exactly_the_same_simplified_border_at_every_zoom() {
    let layer = layer(neighbours(), &on_demand());
    let mut zooms_with_both = 0;
    for z in 0..=14u8 {
        // The tile holding the middle of the shared border.
        let t = lonlat_to_tile(1.0, 51.25, z).expect("valid zoom");
        let Some(bytes) = layer.tile(t).expect("tile") else {
            continue;
        };
        let features = decode_one(&bytes);
        let (Some(west), Some(east)) = (
            features.iter().find(|f| f.id == Some(5)),
            features.iter().find(|f| f.id == Some(9)),
        ) else {
            continue;
        };
        zooms_with_both += 1;
        // Lines an unshared edge may lie on: the union's outer edges or the buffered clip square.
        let all: Vec<[i64; 2]> = features
            .iter()
            .flat_map(|f| f.rings.iter().flatten().copied())
            .collect();
        let min_x = all.iter().map(|p| p[0]).min().unwrap_or_default();
        let max_x = all.iter().map(|p| p[0]).max().unwrap_or_default();
        let min_y = all.iter().map(|p| p[1]).min().unwrap_or_default();
        let max_y = all.iter().map(|p| p[1]).max().unwrap_or_default();
        let on_outline = |a: [i64; 2], b: [i64; 2]| {
            (a[0] == b[0] && (a[0] == min_x || a[0] == max_x))
                || (a[1] == b[1] && (a[1] == min_y || a[1] == max_y))
        };
        let east_edges: HashSet<([i64; 2], [i64; 2])> = edges(east).into_iter().collect();
        let west_edges: HashSet<([i64; 2], [i64; 2])> = edges(west).into_iter().collect();
        let mut shared = 0;
        for (a, b) in &west_edges {
            if east_edges.contains(&(*b, *a)) {
                shared += 1;
            } else {
                assert!(
                    on_outline(*a, *b),
                    "z{z}: west edge {a:?}-{b:?} is neither shared nor outline"
                );
            }
        }
        for (a, b) in &east_edges {
            assert!(
                west_edges.contains(&(*b, *a)) || on_outline(*a, *b),
                "z{z}: east edge {a:?}-{b:?} is neither shared nor outline"
            );
        }
        assert!(shared >= 1, "z{z}: no shared edge");
    }
    assert!(
        zooms_with_both >= 10,
        "only {zooms_with_both} zooms showed both areas"
    );
}

#[test]
fn shared_border_gets_simpler_at_lower_zooms() {
    let layer = layer(neighbours(), &on_demand());
    let points_at = |z: u8| -> usize {
        let t = lonlat_to_tile(1.0, 51.25, z).expect("valid zoom");
        let bytes = layer.tile(t).expect("tile").expect("non-empty");
        decode_one(&bytes)
            .iter()
            .find(|f| f.id == Some(5))
            .map_or(0, |f| f.rings.iter().map(Vec::len).sum())
    };
    assert!(
        points_at(6) < points_at(10),
        "{} vs {}",
        points_at(6),
        points_at(10)
    );
}

#[test]
fn decoded_tile_carries_feature_ids_codes_and_names() {
    let layer = layer(neighbours(), &on_demand());
    let t = lonlat_to_tile(1.0, 51.25, 8).expect("valid zoom");
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    let mut got: Vec<(Option<u64>, Option<&str>, Option<&str>)> = features
        .iter()
        .map(|f| (f.id, f.property("code"), f.property("name")))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (Some(5), Some("E01000005"), Some("Area E01000005")),
            (Some(9), Some("E01000009"), Some("Area E01000009")),
        ]
    );
    assert!(features.iter().all(|f| f.geom_type == 3));
}

#[test]
fn a_large_area_is_clipped_to_the_buffered_tile() {
    let big = feature(
        0,
        "E01000000",
        vec![Polygon::new(
            ring(&[(-3.0, 50.0), (3.0, 50.0), (3.0, 54.0), (-3.0, 54.0)]),
            vec![],
        )],
    );
    let layer = layer(vec![big], &on_demand());
    let t = lonlat_to_tile(0.0, 52.0, 12).expect("valid zoom");
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    let ring = &features[0].rings[0];
    let (lo, hi) = (-i64::from(BUFFER), i64::from(EXTENT + BUFFER));
    let mut corners: Vec<[i64; 2]> = ring.clone();
    corners.sort();
    assert_eq!(corners, vec![[lo, lo], [lo, hi], [hi, lo], [hi, hi]]);
}

#[test]
fn exterior_rings_are_clockwise_and_holes_anticlockwise_on_screen() {
    // The input exterior is anticlockwise on screen and the hole clockwise: the tiler must flip both.
    let outer = ring(&[(0.0, 52.0), (0.0, 52.5), (0.5, 52.5), (0.5, 52.0)]);
    let hole = ring(&[(0.1, 52.1), (0.4, 52.1), (0.4, 52.4), (0.1, 52.4)]);
    let layer = layer(
        vec![feature(
            1,
            "E01000001",
            vec![Polygon::new(outer, vec![hole])],
        )],
        &on_demand(),
    );
    for z in [8u8, 10, 12] {
        let t = lonlat_to_tile(0.05, 52.25, z).expect("valid zoom");
        let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
        let rings = &features[0].rings;
        assert!(
            area2(&rings[0]) > 0,
            "z{z}: exterior must have positive area (y down)"
        );
        if z == 8 {
            assert_eq!(rings.len(), 2, "z8 shows the hole");
            assert!(area2(&rings[1]) < 0, "z{z}: hole must have negative area");
        }
    }
}

#[test]
fn a_tile_without_features_is_none() {
    let layer = layer(neighbours(), &TileOptions::default());
    let far = TileCoord::new(10, 0, 0).expect("valid");
    assert_eq!(layer.tile(far).expect("tile"), None);
    let far_precut = TileCoord::new(4, 0, 0).expect("valid");
    assert_eq!(layer.tile(far_precut).expect("tile"), None);
}

#[test]
fn pre_cut_and_on_demand_tiles_are_identical() {
    let precut = layer(neighbours(), &TileOptions::default());
    let lazy = layer(neighbours(), &on_demand());
    for z in 0..=8 {
        let t = lonlat_to_tile(1.0, 51.25, z).expect("valid zoom");
        assert_eq!(
            precut.tile(t).expect("tile"),
            lazy.tile(t).expect("tile"),
            "z{z}"
        );
    }
}

#[test]
fn a_zoom_outside_the_layer_is_an_error() {
    let layer = layer(neighbours(), &TileOptions::default());
    let t = TileCoord::new(15, 0, 0).expect("valid");
    assert!(matches!(
        layer.tile(t),
        Err(TileError::ZoomOutOfRange { zoom: 15, .. })
    ));
}

#[test]
fn layer_metadata_describes_the_layer() {
    let layer = layer(neighbours(), &TileOptions::default());
    assert_eq!(layer.id(), "test");
    assert_eq!((layer.min_zoom(), layer.max_zoom()), (0, 14));
    assert_eq!(layer.fields(), [("code", "String"), ("name", "String")]);
    let [w, s, e, n] = layer.bounds_wgs84();
    assert!((w - 0.5).abs() < 1e-9 && (e - 1.5).abs() < 1e-9);
    assert!((s - 51.0).abs() < 1e-9 && (n - 51.5).abs() < 1e-9);
}

#[test]
fn invalid_input_is_survived() {
    let nan = f64::NAN;
    let features = vec![
        // Self-touching figure of eight.
        feature(
            0,
            "E01000010",
            vec![Polygon::new(
                ring(&[
                    (0.0, 52.0),
                    (0.1, 52.0),
                    (0.1, 52.1),
                    (0.2, 52.1),
                    (0.2, 52.2),
                    (0.1, 52.2),
                    (0.1, 52.1),
                    (0.0, 52.1),
                ]),
                vec![],
            )],
        ),
        // Spike, duplicate points and a NaN.
        feature(
            1,
            "E01000011",
            vec![Polygon::new(
                ring(&[
                    (0.3, 52.0),
                    (0.3, 52.0),
                    (0.4, 52.0),
                    (0.9, 52.05),
                    (0.4, 52.0),
                    (0.4, 52.1),
                    (nan, 52.1),
                    (0.3, 52.1),
                ]),
                vec![],
            )],
        ),
        // Empty parts and a degenerate line.
        feature(
            2,
            "E01000012",
            vec![
                Polygon::new(LineString(vec![]), vec![]),
                Polygon::new(ring(&[(0.5, 52.0), (0.6, 52.0)]), vec![]),
                Polygon::new(
                    ring(&[(0.5, 52.0), (0.6, 52.0), (0.6, 52.1)]),
                    vec![LineString(vec![])],
                ),
            ],
        ),
        // No geometry at all.
        feature(3, "E01000013", vec![]),
    ];
    let layer = layer(features, &on_demand());
    let mut codes = HashSet::new();
    for z in 0..=14 {
        let t = lonlat_to_tile(0.3, 52.05, z).expect("valid zoom");
        if let Some(bytes) = layer.tile(t).expect("tile") {
            for f in decode_one(&bytes) {
                for r in &f.rings {
                    assert!(
                        r.len() >= 3,
                        "z{z}: degenerate ring in {:?}",
                        f.property("code")
                    );
                }
                codes.insert(f.property("code").map(str::to_owned));
            }
        }
    }
    for code in ["E01000010", "E01000011", "E01000012"] {
        assert!(codes.contains(&Some(code.to_owned())), "{code} never shown");
    }
}

#[rstest]
#[case::overlapping_sources(vec![(0, 9), (9, 14)], "covered by two sources")]
#[case::gap_between_sources(vec![(0, 8), (10, 14)], "covered by no source")]
fn sources_must_cover_contiguous_disjoint_zooms(
    #[case] ranges: Vec<(u8, u8)>,
    #[case] problem: &str,
) {
    let spec = LayerSpec {
        id: "bad".to_owned(),
        sources: ranges
            .into_iter()
            .map(|(min_zoom, max_zoom)| SourceGeometry {
                min_zoom,
                max_zoom,
                features: neighbours(),
            })
            .collect(),
    };
    match PreparedLayer::prepare(spec) {
        Err(TileError::ZoomCoverage { problem: p, .. }) => assert_eq!(p, problem),
        other => panic!("expected ZoomCoverage, got {other:?}"),
    }
}

#[test]
fn a_repeated_feature_index_is_rejected() {
    let mut features = neighbours();
    features[1].index = features[0].index;
    let spec = LayerSpec {
        id: "bad".to_owned(),
        sources: vec![SourceGeometry {
            min_zoom: 0,
            max_zoom: 3,
            features,
        }],
    };
    assert!(matches!(
        PreparedLayer::prepare(spec),
        Err(TileError::DuplicateFeatureIndex { index: 5, .. })
    ));
}

#[test]
fn a_prepared_layer_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    let layer = layer(neighbours(), &TileOptions::default());
    assert_send_sync(&layer);
    let t = lonlat_to_tile(1.0, 51.25, 10).expect("valid zoom");
    let from_thread = std::thread::scope(|s| s.spawn(|| layer.tile(t).expect("tile")).join());
    assert_eq!(from_thread.expect("thread"), layer.tile(t).expect("tile"));
}

#[test]
fn tiles_carry_the_coarse_extent_at_low_zooms_and_the_full_one_deeper() {
    let options = TileOptions::default();
    let layer = layer(neighbours(), &options);
    for z in [0u8, 5, 7, 8, 12] {
        let t = lonlat_to_tile(1.0, 51.25, z).expect("valid zoom");
        let bytes = layer.tile(t).expect("tile").expect("non-empty");
        let layers = decode(&bytes).expect("decodes");
        assert_eq!(layers[0].extent, layer.extent(z), "z{z}");
        let want = if options.low_zoom_max.is_some_and(|m| z <= m) {
            options.low_zoom_extent
        } else {
            EXTENT
        };
        assert_eq!(layer.extent(z), want, "z{z}");
    }
}

/// A 10 x 10 block of small squares (0.005 degrees, under a pixel at zoom 7) beside one large area
/// to their east, as tall as the block: together a rectangle.
fn city_beside_countryside() -> Vec<InputFeature> {
    let mut features = Vec::new();
    let step = 0.005;
    for i in 0..10u32 {
        for j in 0..10u32 {
            let (x, y) = (0.5 + f64::from(i) * step, 51.0 + f64::from(j) * step);
            let code = format!("E0100{:04}", i * 10 + j);
            features.push(feature(
                i * 10 + j,
                &code,
                vec![Polygon::new(
                    ring(&[(x, y), (x + step, y), (x + step, y + step), (x, y + step)]),
                    vec![],
                )],
            ));
        }
    }
    let edge = 0.5 + 10.0 * step;
    let mut big = vec![(edge, 51.0)];
    big.extend((1..10).map(|j| (edge, 51.0 + f64::from(j) * step)));
    let top = 51.0 + 10.0 * step;
    big.extend([(edge, top), (1.5, top), (1.5, 51.0)]);
    features.push(feature(
        100,
        "E01000100",
        vec![Polygon::new(ring(&big), vec![])],
    ));
    features
}

#[rstest]
#[case::zoom_5(5)]
#[case::zoom_6(6)]
#[case::zoom_7(7)]
fn small_areas_are_coalesced_into_groups_that_fill_the_city_without_gaps(#[case] z: u8) {
    let layer = layer(city_beside_countryside(), &on_demand());
    let t = lonlat_to_tile(0.55, 51.05, z).expect("valid zoom");
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    // Fewer features than areas: the sub-pixel squares were merged.
    assert!(features.len() < 101, "z{z}: {} features", features.len());
    assert!(
        features.iter().any(|f| f.id == Some(100)),
        "z{z}: large area missing"
    );
    // The features tile the block: their areas add up to the block's area on the tile grid, and
    // every edge is either shared (walked both ways) or on the outline of the union.
    let mut edges_seen: std::collections::HashMap<([i64; 2], [i64; 2]), i32> =
        std::collections::HashMap::new();
    for f in &features {
        for (a, b) in edges(f) {
            *edges_seen.entry((a, b)).or_default() += 1;
        }
    }
    let all: Vec<[i64; 2]> = features
        .iter()
        .flat_map(|f| f.rings.iter().flatten().copied())
        .collect();
    let min_x = all.iter().map(|p| p[0]).min().unwrap_or_default();
    let max_x = all.iter().map(|p| p[0]).max().unwrap_or_default();
    let min_y = all.iter().map(|p| p[1]).min().unwrap_or_default();
    let max_y = all.iter().map(|p| p[1]).max().unwrap_or_default();
    for (a, b) in edges_seen.keys() {
        let outline = (a[0] == b[0] && (a[0] == min_x || a[0] == max_x))
            || (a[1] == b[1] && (a[1] == min_y || a[1] == max_y));
        assert!(
            outline || edges_seen.contains_key(&(*b, *a)),
            "z{z}: edge {a:?}-{b:?} is neither shared nor outline: a gap"
        );
    }
    let total: i64 = features
        .iter()
        .flat_map(|f| &f.rings)
        .map(|r| area2(r))
        .sum();
    assert_eq!(
        total,
        2 * (max_x - min_x) * (max_y - min_y),
        "z{z}: areas overlap or leave gaps"
    );
}

#[test]
fn above_the_coalescing_zooms_every_small_area_is_its_own_feature() {
    let options = on_demand();
    let layer = layer(city_beside_countryside(), &options);
    let z = options.coalesce_max_zoom.map_or(0, |m| m + 1);
    let t = lonlat_to_tile(0.55, 51.05, z).expect("valid zoom");
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    let ids: HashSet<u64> = features.iter().filter_map(|f| f.id).collect();
    assert_eq!(ids.len(), 101, "z{z}");
}

/// A square of `size` degrees with its south-west corner at `(x, y)`.
fn square(x: f64, y: f64, size: f64) -> Polygon<f64> {
    Polygon::new(
        ring(&[(x, y), (x + size, y), (x + size, y + size), (x, y + size)]),
        vec![],
    )
}

/// A 2 x 2 grid of 0.1-degree squares, feature indices 0 1 (north row) over 2 3 (south row): the
/// diagonal pairs (0, 3) and (1, 2) meet only at the centre point.
fn two_by_two() -> Vec<InputFeature> {
    let (x, y, s) = (0.5, 51.0, 0.1);
    vec![
        feature(0, "E01000000", vec![square(x, y + s, s)]),
        feature(1, "E01000001", vec![square(x + s, y + s, s)]),
        feature(2, "E01000002", vec![square(x, y, s)]),
        feature(3, "E01000003", vec![square(x + s, y, s)]),
    ]
}

#[test]
fn in_a_two_by_two_grid_areas_sharing_an_edge_are_neighbours_and_diagonal_corners_are_not() {
    let layer = layer(two_by_two(), &on_demand());
    let n = layer.neighbours();
    assert_eq!(n.of(0), &[1, 2]);
    assert_eq!(n.of(1), &[0, 3]);
    assert_eq!(n.of(2), &[0, 3]);
    assert_eq!(n.of(3), &[1, 2]);
    assert_eq!(n.pair_count(), 4);
    assert!(n.of(4).is_empty(), "an index the layer does not have");
    let listed: Vec<u32> = n.iter().map(|(index, _)| index).collect();
    assert_eq!(listed, [0, 1, 2, 3]);
}

#[test]
fn an_enclave_neighbours_the_area_around_it_and_an_island_has_no_neighbours() {
    let outer = [(0.5, 51.0), (0.8, 51.0), (0.8, 51.3), (0.5, 51.3)];
    let inner = [(0.6, 51.1), (0.7, 51.1), (0.7, 51.2), (0.6, 51.2)];
    let features = vec![
        feature(
            3,
            "E01000003",
            vec![Polygon::new(ring(&outer), vec![ring(&inner)])],
        ),
        feature(8, "E01000008", vec![Polygon::new(ring(&inner), vec![])]),
        feature(1, "E01000001", vec![square(1.0, 51.0, 0.1)]),
    ];
    let layer = layer(features, &on_demand());
    let n = layer.neighbours();
    assert_eq!(n.of(3), &[8]);
    assert_eq!(n.of(8), &[3]);
    assert!(n.of(1).is_empty());
}

#[test]
fn neighbours_come_from_the_most_detailed_source() {
    // Low zooms: the two western squares drawn apart. High zooms: side by side.
    let apart = vec![
        feature(0, "E01000000", vec![square(0.5, 51.0, 0.09)]),
        feature(1, "E01000001", vec![square(0.6, 51.0, 0.1)]),
    ];
    let touching = vec![
        feature(0, "E01000000", vec![square(0.5, 51.0, 0.1)]),
        feature(1, "E01000001", vec![square(0.6, 51.0, 0.1)]),
    ];
    let spec = LayerSpec {
        id: "test".to_owned(),
        sources: vec![
            SourceGeometry {
                min_zoom: 10,
                max_zoom: 14,
                features: touching,
            },
            SourceGeometry {
                min_zoom: 0,
                max_zoom: 9,
                features: apart,
            },
        ],
    };
    let layer = PreparedLayer::prepare_with(spec, &on_demand()).expect("prepare");
    assert_eq!(layer.neighbours().of(0), &[1]);
    assert_eq!(layer.neighbours().of(1), &[0]);
}

/// Panics when a ring of the feature visits a vertex twice (touches itself) or runs straight back
/// along its last edge (a spike or a zero-width bridge), or when a ring has no area.
fn assert_simple_rings(f: &DecodedFeature, what: &str) {
    for ring in &f.rings {
        let mut seen = ring.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen.len(),
            ring.len(),
            "{what}: a ring touches itself: {ring:?}"
        );
        assert_ne!(area2(ring), 0, "{what}: a ring without area");
        let n = ring.len();
        for i in 0..n {
            let (a, b, c) = (ring[i], ring[(i + 1) % n], ring[(i + 2) % n]);
            let cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
            let dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]);
            assert!(
                cross != 0 || dot > 0,
                "{what}: the ring turns back on itself at {b:?}"
            );
        }
    }
}

/// Two 0.1-degree squares joined by a corridor 0.00001 degrees (about 1 m) wide.
fn dumbbell() -> InputFeature {
    feature(
        3,
        "E01000003",
        vec![Polygon::new(
            ring(&[
                (0.0, 52.0),
                (0.1, 52.0),
                (0.1, 52.05),
                (0.3, 52.05),
                (0.3, 52.0),
                (0.4, 52.0),
                (0.4, 52.1),
                (0.3, 52.1),
                (0.3, 52.05001),
                (0.1, 52.05001),
                (0.1, 52.1),
                (0.0, 52.1),
            ]),
            vec![],
        )],
    )
}

#[test]
fn an_area_pinched_by_snapping_is_split_into_simple_rings() {
    let layer = layer(vec![dumbbell()], &on_demand());
    // At zoom 8 the corridor is a twentieth of a tile unit wide: its sides snap onto one grid line.
    // The bridge goes and the two squares come out as two polygons with simple rings.
    let t = lonlat_to_tile(0.2, 52.05, 8).expect("valid zoom");
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    assert_eq!(features.len(), 1);
    assert_simple_rings(&features[0], "z8");
    let exteriors = features[0].rings.iter().filter(|r| area2(r) > 0).count();
    assert_eq!(exteriors, 2, "the squares come apart at z8");
    // At zoom 14 the corridor is 3 units wide and stays: one ring.
    let t = lonlat_to_tile(0.2, 52.05, 14).expect("valid zoom");
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    assert_simple_rings(&features[0], "z14");
    assert_eq!(features[0].rings.len(), 1);
}

#[test]
fn a_concave_area_cut_by_the_tile_edge_leaves_separate_parts_without_bridges() {
    // A U open to the south whose bottom lies south of the tile: inside the buffered tile only
    // its two arms are left. Clipping ring by ring would join them with a zero-width bridge along
    // the tile's edge.
    let z = 10;
    let t = lonlat_to_tile(0.5, 52.0, z).expect("valid zoom");
    let n = f64::from(1u32 << z);
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y / n))
            .sinh()
            .atan()
            .to_degrees()
    };
    let (x0, y0) = (f64::from(t.x()), f64::from(t.y()));
    // In tile fractions: arms at x 0.2-0.4 and 0.6-0.8 from y 0.5 down to 1.5, joined at the
    // bottom (y 1.3-1.5), outside the tile.
    let pts: Vec<(f64, f64)> = [
        (0.2, 0.5),
        (0.4, 0.5),
        (0.4, 1.3),
        (0.6, 1.3),
        (0.6, 0.5),
        (0.8, 0.5),
        (0.8, 1.5),
        (0.2, 1.5),
    ]
    .iter()
    .map(|&(x, y)| (lon(x0 + x), lat(y0 + y)))
    .collect();
    let layer = layer(
        vec![feature(
            4,
            "E01000004",
            vec![Polygon::new(ring(&pts), vec![])],
        )],
        &on_demand(),
    );
    let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
    assert_eq!(features.len(), 1);
    assert_simple_rings(&features[0], "clipped U");
    assert_eq!(features[0].rings.len(), 2, "two arms, each its own polygon");
    assert!(features[0].rings.iter().all(|r| area2(r) > 0));
}

/// A feature's decoded polygons as a `geo` multipolygon (exterior first, then its holes).
fn to_geo(f: &DecodedFeature) -> MultiPolygon<f64> {
    let ls = |r: &Vec<[i64; 2]>| {
        LineString(
            r.iter()
                .chain(r.first())
                .map(|p| Coord {
                    x: p[0] as f64,
                    y: p[1] as f64,
                })
                .collect(),
        )
    };
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    for r in &f.rings {
        if area2(r) > 0 {
            polygons.push(Polygon::new(ls(r), vec![]));
        } else if let Some(last) = polygons.last_mut() {
            last.interiors_push(ls(r));
        }
    }
    MultiPolygon(polygons)
}

#[test]
fn borders_that_cross_after_snapping_do_not_overlap() {
    use geo::{Area, BooleanOps};
    // Two areas whose facing borders (not shared: no common points) zig-zag across each other by
    // a metre or so, as two banks of a narrow channel or two independently drawn borders do.
    let zig = |west: bool| -> Vec<(f64, f64)> {
        (0..=40)
            .map(|i| {
                let t = f64::from(i) / 40.0;
                let d = if (i % 2 == 0) == west { 2e-5 } else { -2e-5 };
                (0.2 + d, 52.0 + 0.1 * t)
            })
            .collect()
    };
    let mut west = vec![(0.0, 52.0)];
    west.extend(zig(true));
    west.push((0.0, 52.1));
    let mut east: Vec<(f64, f64)> = zig(false);
    east.push((0.4, 52.1));
    east.push((0.4, 52.0));
    let layer = layer(
        vec![
            feature(1, "E01000001", vec![Polygon::new(ring(&west), vec![])]),
            feature(2, "E01000002", vec![Polygon::new(ring(&east), vec![])]),
        ],
        &on_demand(),
    );
    for z in [6u8, 8, 10, 12, 14] {
        let t = lonlat_to_tile(0.2, 52.05, z).expect("valid zoom");
        let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
        assert_eq!(features.len(), 2, "z{z}");
        let (a, b) = (to_geo(&features[0]), to_geo(&features[1]));
        let overlap = a.intersection(&b).unsigned_area();
        let (sa, sb) = (a.unsigned_area(), b.unsigned_area());
        assert!(sa > 0.0 && sb > 0.0, "z{z}: both areas drawn");
        // Half a square unit of rounding at most, against a raw overlap of about 1/2 x 2e-5
        // degrees x 0.1 degrees (some 1,700 square units at zoom 14).
        assert!(
            overlap <= 0.5,
            "z{z}: the two areas overlap on {overlap} square units"
        );
    }
}

#[rstest]
#[case::given_as_a_nested_shell(true)]
#[case::given_without_its_hole(false)]
fn an_area_drawn_over_an_enclave_gets_the_enclave_as_a_hole(#[case] nested_shell: bool) {
    use geo::{Area, BooleanOps};
    // The outer area is given without the hole its enclave fills: either as two shells, the inner
    // one exactly the enclave's outline, or as its outline alone. Either way both would draw the
    // enclave.
    let outer = square(0.0, 52.0, 0.3);
    let inner = square(0.1, 52.1, 0.1);
    let outer_polygons = if nested_shell {
        vec![outer, inner.clone()]
    } else {
        vec![outer]
    };
    let layer = layer(
        vec![
            feature(1, "E01000001", outer_polygons),
            feature(2, "E01000002", vec![inner]),
        ],
        &on_demand(),
    );
    for z in [8u8, 11, 14] {
        // The tile holding a corner of the enclave shows both areas.
        let t = lonlat_to_tile(0.1, 52.1, z).expect("valid zoom");
        let features = decode_one(&layer.tile(t).expect("tile").expect("non-empty"));
        assert_eq!(features.len(), 2, "z{z}");
        let (a, b) = (to_geo(&features[0]), to_geo(&features[1]));
        assert!(b.unsigned_area() > 0.0, "z{z}: the enclave is drawn");
        let overlap = a.intersection(&b).unsigned_area();
        assert!(overlap <= 0.5, "z{z}: overlap of {overlap} square units");
        assert_simple_rings(&features[0], "outer");
    }
}
