//! Input coordinate reference system: detection (a `crs` member, or the coordinate range) and
//! reprojection of British National Grid input to WGS84 lon/lat through PROJ.

use std::path::Path;

use geo_types::MultiPolygon;
#[cfg(feature = "proj")]
use geo_types::Polygon;

use crate::error::DataError;

/// The coordinate reference system a boundary file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS84 longitude/latitude in degrees (EPSG:4326 in lon/lat order, OGC CRS84): the GeoJSON
    /// default, passed through untouched.
    Wgs84,
    /// British National Grid (EPSG:27700), eastings and northings in metres: reprojected.
    BritishNationalGrid,
}

impl Crs {
    /// The EPSG code as PROJ spells it.
    pub fn epsg(self) -> &'static str {
        match self {
            Crs::Wgs84 => "EPSG:4326",
            Crs::BritishNationalGrid => "EPSG:27700",
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.epsg())
    }
}

/// Bounds of plausible British National Grid coordinates, metres: the grid's extent with a margin.
const BNG_BOUNDS: [f64; 4] = [-100_000.0, -100_000.0, 800_000.0, 1_400_000.0];

/// Reads a CRS name as GeoJSON 2008 writes it (`{"type": "name", "properties": {"name": ...}}`):
/// `urn:ogc:def:crs:EPSG::27700`, `EPSG:27700`, `urn:ogc:def:crs:OGC:1.3:CRS84`, `EPSG:4326`.
/// Returns `Ok(None)` when there is no name to read, an error for a CRS this project cannot read.
pub fn crs_from_member(crs: &serde_json::Value, path: &Path) -> Result<Option<Crs>, DataError> {
    let name = crs
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str());
    let Some(name) = name else {
        return Ok(None);
    };
    let upper = name.to_ascii_uppercase();
    let code = upper
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let crs = if upper.ends_with("CRS84") || code == "4326" {
        Crs::Wgs84
    } else if code == "27700" {
        Crs::BritishNationalGrid
    } else {
        return Err(DataError::GeoJson {
            path: path.to_path_buf(),
            location: "the `crs` member".into(),
            message: format!(
                "coordinate reference system {name:?} is not supported: write the file in \
                 EPSG:4326 (lon/lat) or EPSG:27700 (British National Grid)"
            ),
        });
    };
    Ok(Some(crs))
}

/// Guesses the CRS from the bounds `[min_x, min_y, max_x, max_y]` of every coordinate in the
/// file: within lon/lat range is WGS84; beyond it but within the British National Grid is BNG.
/// An empty file (infinite bounds) is WGS84.
pub fn crs_from_bounds(bounds: [f64; 4], path: &Path) -> Result<Crs, DataError> {
    let [min_x, min_y, max_x, max_y] = bounds;
    if min_x > max_x {
        return Ok(Crs::Wgs84);
    }
    if min_x >= -180.0 && max_x <= 180.0 && min_y >= -90.0 && max_y <= 90.0 {
        return Ok(Crs::Wgs84);
    }
    if min_x >= BNG_BOUNDS[0]
        && min_y >= BNG_BOUNDS[1]
        && max_x <= BNG_BOUNDS[2]
        && max_y <= BNG_BOUNDS[3]
    {
        return Ok(Crs::BritishNationalGrid);
    }
    Err(DataError::GeoJson {
        path: path.to_path_buf(),
        location: "coordinates".into(),
        message: format!(
            "coordinates span x {min_x}..{max_x}, y {min_y}..{max_y}: neither lon/lat degrees \
             (EPSG:4326) nor British National Grid metres (EPSG:27700); declare the CRS or \
             convert the file to EPSG:4326"
        ),
    })
}

/// Reprojects geometries from `from` to WGS84 lon/lat in place. WGS84 input is left untouched.
///
/// Without the `proj` feature, British National Grid input is an error that says how to convert
/// the file.
pub fn to_wgs84(
    geometries: &mut [&mut MultiPolygon<f64>],
    from: Crs,
    path: &Path,
) -> Result<(), DataError> {
    match from {
        Crs::Wgs84 => Ok(()),
        Crs::BritishNationalGrid => bng_to_wgs84(geometries, path),
    }
}

#[cfg(feature = "proj")]
fn bng_to_wgs84(geometries: &mut [&mut MultiPolygon<f64>], path: &Path) -> Result<(), DataError> {
    let err = |message: String| DataError::Reproject {
        path: path.to_path_buf(),
        from: Crs::BritishNationalGrid.epsg().into(),
        message,
    };
    // `new_known_crs` normalises axis order for visualisation: easting/northing in, lon/lat out.
    let proj = proj::Proj::new_known_crs(Crs::BritishNationalGrid.epsg(), Crs::Wgs84.epsg(), None)
        .map_err(|e| err(e.to_string()))?;
    for geometry in geometries.iter_mut() {
        for polygon in geometry.0.iter_mut() {
            let mut failed = None;
            polygon.exterior_mut(|ring| {
                if let Err(e) = proj.convert_array(&mut ring.0) {
                    failed = Some(e);
                }
            });
            if failed.is_none() {
                polygon.interiors_mut(|rings| {
                    for ring in rings.iter_mut() {
                        if let Err(e) = proj.convert_array(&mut ring.0) {
                            failed = Some(e);
                            break;
                        }
                    }
                });
            }
            if let Some(e) = failed {
                return Err(err(e.to_string()));
            }
            debug_assert!(polygon_is_finite(polygon));
        }
    }
    Ok(())
}

#[cfg(feature = "proj")]
fn polygon_is_finite(polygon: &Polygon<f64>) -> bool {
    std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .flat_map(|r| r.0.iter())
        .all(|c| c.x.is_finite() && c.y.is_finite())
}

#[cfg(not(feature = "proj"))]
fn bng_to_wgs84(_geometries: &mut [&mut MultiPolygon<f64>], path: &Path) -> Result<(), DataError> {
    Err(DataError::Reproject {
        path: path.to_path_buf(),
        from: Crs::BritishNationalGrid.epsg().into(),
        message: "this build has no PROJ support (cargo feature `proj` is off); rebuild with it, \
                  or convert the file first: ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson"
            .into(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crs_names_in_every_common_spelling_are_read() {
        let p = Path::new("x.geojson");
        let named = |n: &str| json!({"type": "name", "properties": {"name": n}});
        assert_eq!(
            crs_from_member(&named("urn:ogc:def:crs:EPSG::27700"), p).unwrap(),
            Some(Crs::BritishNationalGrid)
        );
        assert_eq!(
            crs_from_member(&named("EPSG:27700"), p).unwrap(),
            Some(Crs::BritishNationalGrid)
        );
        assert_eq!(
            crs_from_member(&named("urn:ogc:def:crs:OGC:1.3:CRS84"), p).unwrap(),
            Some(Crs::Wgs84)
        );
        assert!(crs_from_member(&named("EPSG:3857"), p).is_err());
        assert_eq!(crs_from_member(&json!({}), p).unwrap(), None);
    }

    #[test]
    fn bounds_in_metres_are_taken_for_the_national_grid() {
        let p = Path::new("x.geojson");
        assert_eq!(
            crs_from_bounds([-5.7, 49.9, 1.8, 55.8], p).unwrap(),
            Crs::Wgs84
        );
        assert_eq!(
            crs_from_bounds([82_000.0, 5_000.0, 655_000.0, 657_000.0], p).unwrap(),
            Crs::BritishNationalGrid
        );
        assert!(crs_from_bounds([0.0, 0.0, 5_000_000.0, 5_000_000.0], p).is_err());
    }
}
