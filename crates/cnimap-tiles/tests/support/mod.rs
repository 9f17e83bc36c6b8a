//! Reading the real LSOA 2021 boundaries for tests, benches and the `tile_sizes` example.
//! Shared by `#[path]` so it is not a dependency of the library.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use cnimap_tiles::{InputFeature, LayerSpec, SourceGeometry};

/// The data directory: `CNIMAP_DATA`, else `<workspace>/../shared/data`. Panics when missing.
pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("CNIMAP_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    assert!(
        dir.join("boundaries").is_dir(),
        "data directory {} not found: set CNIMAP_DATA",
        dir.display()
    );
    dir
}

/// `(code, name, geometry)` of every feature of a boundary file whose code starts with `prefix`.
pub fn read_boundaries(
    file: &str,
    code_key: &str,
    name_key: &str,
    prefix: &str,
) -> Vec<(String, String, geo_types::MultiPolygon<f64>)> {
    let path = data_dir().join("boundaries").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
        .try_into()
        .unwrap_or_else(|e| panic!("{} is not a FeatureCollection: {e}", path.display()));
    let mut out = Vec::new();
    for f in fc.features {
        let prop = |k: &str| {
            f.property(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let code = prop(code_key);
        if !code.starts_with(prefix) {
            continue;
        }
        let name = prop(name_key);
        let Some(geometry) = f.geometry else { continue };
        let geom: geo_types::Geometry<f64> = geometry
            .value
            .try_into()
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        let mp = match geom {
            geo_types::Geometry::Polygon(p) => geo_types::MultiPolygon(vec![p]),
            geo_types::Geometry::MultiPolygon(mp) => mp,
            other => panic!("{code}: unexpected geometry {other:?}"),
        };
        out.push((code, name, mp));
    }
    out
}

/// The `lsoa21` layer as the server builds it: BSC for z0-9, BGC for z10-14, England only,
/// feature index = position in code order.
pub fn lsoa21_spec() -> LayerSpec {
    let bgc = read_boundaries("lsoa21_bgc.geojson", "lsoa21cd", "lsoa21nm", "E01");
    let bsc = read_boundaries("lsoa21_bsc.geojson", "lsoa21_code", "lsoa21_name", "E01");
    let mut codes: Vec<&str> = bgc.iter().map(|(c, _, _)| c.as_str()).collect();
    codes.sort_unstable();
    let index: HashMap<String, u32> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| ((*c).to_owned(), i as u32))
        .collect();
    let to_features = |rows: Vec<(String, String, geo_types::MultiPolygon<f64>)>| {
        rows.into_iter()
            .filter_map(|(code, name, geometry_wgs84)| {
                Some(InputFeature {
                    index: *index.get(&code)?,
                    code,
                    name,
                    geometry_wgs84,
                })
            })
            .collect::<Vec<_>>()
    };
    LayerSpec {
        id: "lsoa21".to_owned(),
        sources: vec![
            SourceGeometry {
                min_zoom: 0,
                max_zoom: 9,
                features: to_features(bsc),
            },
            SourceGeometry {
                min_zoom: 10,
                max_zoom: 14,
                features: to_features(bgc),
            },
        ],
    }
}
