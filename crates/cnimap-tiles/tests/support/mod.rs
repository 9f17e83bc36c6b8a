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

/// One source of a manifest layer: file, code and name properties, zoom range.
pub struct ManifestSource {
    /// Path relative to the data directory.
    pub file: String,
    /// Property holding the code.
    pub code: String,
    /// Property holding the name.
    pub name: String,
    /// First and last zoom.
    pub zooms: [u8; 2],
}

/// A tiled layer of `boundaries/manifest.toml`.
pub struct ManifestLayer {
    /// Layer id.
    pub id: String,
    /// Keep only codes starting with this.
    pub code_prefix: String,
    /// Its sources.
    pub sources: Vec<ManifestSource>,
}

/// The tiled layers of the repository's `boundaries/manifest.toml` (those without `tiled = false`).
pub fn manifest_layers() -> Vec<ManifestLayer> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../boundaries/manifest.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let doc: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    let s = |t: &toml::Table, k: &str| {
        t.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("{}: {k} missing", path.display()))
            .to_owned()
    };
    let layers = doc
        .get("layer")
        .and_then(|v| v.as_array())
        .expect("[[layer]]");
    layers
        .iter()
        .filter_map(|l| l.as_table())
        .filter(|l| l.get("tiled").and_then(|v| v.as_bool()) != Some(false))
        .map(|l| ManifestLayer {
            id: s(l, "id"),
            code_prefix: s(l, "code_prefix"),
            sources: l
                .get("source")
                .and_then(|v| v.as_array())
                .expect("[[layer.source]]")
                .iter()
                .filter_map(|v| v.as_table())
                .map(|src| {
                    let z: Vec<u8> = src
                        .get("zooms")
                        .and_then(|v| v.as_array())
                        .expect("zooms")
                        .iter()
                        .map(|v| v.as_integer().expect("zoom") as u8)
                        .collect();
                    ManifestSource {
                        file: s(src, "file"),
                        code: s(src, "code"),
                        name: s(src, "name"),
                        zooms: [z[0], z[1]],
                    }
                })
                .collect(),
        })
        .collect()
}

/// The spec of a manifest layer, read from the data directory; feature index = position in the
/// code order of the layer's last (most detailed) source.
pub fn manifest_spec(layer: &ManifestLayer) -> LayerSpec {
    let rows: Vec<Vec<(String, String, geo_types::MultiPolygon<f64>)>> = layer
        .sources
        .iter()
        .map(|s| {
            let file = s.file.trim_start_matches("boundaries/");
            read_boundaries(file, &s.code, &s.name, &layer.code_prefix)
        })
        .collect();
    let mut codes: Vec<&str> = rows
        .last()
        .map(|r| r.iter().map(|(c, _, _)| c.as_str()).collect())
        .unwrap_or_default();
    codes.sort_unstable();
    let index: HashMap<String, u32> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| ((*c).to_owned(), i as u32))
        .collect();
    let sources = layer
        .sources
        .iter()
        .zip(rows)
        .map(|(s, rows)| SourceGeometry {
            min_zoom: s.zooms[0],
            max_zoom: s.zooms[1],
            features: rows
                .into_iter()
                .filter_map(|(code, name, geometry_wgs84)| {
                    Some(InputFeature {
                        index: *index.get(&code)?,
                        code,
                        name,
                        geometry_wgs84,
                    })
                })
                .collect(),
        })
        .collect();
    LayerSpec {
        id: layer.id.clone(),
        sources,
    }
}
