//! Drawing an area on the map, the pure part: the corners clicked (or typed) become a GeoJSON
//! file of one polygon, read by the same code as an uploaded file; the draft drawn while clicking.
//! The browser part (the listeners that take the clicks and keys while the map still pans and
//! zooms) is in `components/custom_areas.rs`.

use serde_json::{json, Value};

/// The name a drawn area gets.
pub const DRAWN_NAME: &str = "Drawn area";

/// The class the map's container has while drawing (a crosshair cursor over the map).
pub const DRAWING_CLASS: &str = "drawing-area";

/// How far (CSS pixels, each way) the pointer may move between press and release for a click;
/// further, it was a drag that panned the map.
pub const CLICK_SLOP_PX: i32 = 4;

/// The instructions shown while drawing.
pub const DRAW_HELP: &str = "Click the map to add corners; drag or scroll to move and zoom the map as usual. Double-click or press Enter to finish (at least 3 corners); press Backspace to remove the last corner, Escape to cancel. Without a mouse, type the corners in the box below instead.";

/// Adds a clicked corner unless it repeats the last one (a double-click clicks twice at the same
/// place before it finishes).
pub fn add_corner(corners: &mut Vec<(f64, f64)>, lng_lat: (f64, f64)) {
    let repeat = corners
        .last()
        .is_some_and(|&(x, y)| (x - lng_lat.0).abs() < 1e-7 && (y - lng_lat.1).abs() < 1e-7);
    if !repeat {
        corners.push(lng_lat);
    }
}

/// Whether a release at `released` after a press at `pressed` (client pixels) is a click that
/// adds a corner rather than the end of a drag; a release without a press seen (a synthetic
/// click, a tap) counts as a click.
pub fn is_click(pressed: Option<(i32, i32)>, released: (i32, i32)) -> bool {
    pressed.is_none_or(|(x, y)| {
        (released.0 - x).abs() <= CLICK_SLOP_PX && (released.1 - y).abs() <= CLICK_SLOP_PX
    })
}

/// The drawn corners as a GeoJSON FeatureCollection of one closed polygon named `name`, as bytes
/// to read like an uploaded file; `None` with fewer than 3 corners.
pub fn polygon_file(corners: &[(f64, f64)], name: &str) -> Option<Vec<u8>> {
    if corners.len() < 3 {
        return None;
    }
    let mut ring: Vec<Value> = corners.iter().map(|&(x, y)| json!([x, y])).collect();
    ring.push(json!([corners[0].0, corners[0].1]));
    let doc = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }],
    });
    Some(doc.to_string().into_bytes())
}

/// The draft while drawing: the corners as points and the line through them (closed back to the
/// first once there are 3).
pub fn draft_geojson(corners: &[(f64, f64)]) -> Value {
    let mut features: Vec<Value> = corners
        .iter()
        .map(|&(x, y)| {
            json!({"type": "Feature", "properties": {"draft": "corner"},
                   "geometry": {"type": "Point", "coordinates": [x, y]}})
        })
        .collect();
    if corners.len() >= 2 {
        let mut line: Vec<Value> = corners.iter().map(|&(x, y)| json!([x, y])).collect();
        if corners.len() >= 3 {
            line.push(json!([corners[0].0, corners[0].1]));
        }
        features.push(json!({"type": "Feature", "properties": {"draft": "line"},
                             "geometry": {"type": "LineString", "coordinates": line}}));
    }
    json!({"type": "FeatureCollection", "features": features})
}

/// Typed corners, one `longitude, latitude` per line (commas, spaces or tabs between; blank lines
/// skipped), or the first line that is not a pair of numbers in England's range.
pub fn parse_corners(text: &str) -> Result<Vec<(f64, f64)>, String> {
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let numbers: Vec<&str> = line
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        let pair = match numbers.as_slice() {
            [x, y] => x.parse::<f64>().ok().zip(y.parse::<f64>().ok()),
            _ => None,
        };
        match pair {
            Some((x, y)) if (-7.0..=2.5).contains(&x) && (49.5..=56.0).contains(&y) => {
                out.push((x, y))
            }
            Some((x, y)) => {
                return Err(format!(
                    "line {}: {x}, {y} is not in England: write longitude first (about -6 to 2), then latitude (about 50 to 56)",
                    k + 1
                ))
            }
            None => {
                return Err(format!(
                    "line {}: expected \"longitude, latitude\" (for example -1.55, 53.80), found {line:?}",
                    k + 1
                ))
            }
        }
    }
    if out.len() < 3 {
        return Err(format!(
            "an area needs at least 3 corners; {} given",
            out.len()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_click_does_not_add_the_same_corner_twice() {
        let mut c = vec![];
        add_corner(&mut c, (1.0, 52.0));
        add_corner(&mut c, (1.0, 52.0));
        add_corner(&mut c, (1.1, 52.0));
        assert_eq!(c, vec![(1.0, 52.0), (1.1, 52.0)]);
    }

    #[test]
    fn a_drag_is_not_a_click() {
        assert!(is_click(Some((100, 100)), (102, 97)));
        assert!(!is_click(Some((100, 100)), (130, 100)));
        assert!(!is_click(Some((100, 100)), (100, 95)));
        assert!(is_click(None, (5, 5)));
    }

    #[test]
    fn three_corners_make_a_closed_polygon_file() {
        assert_eq!(polygon_file(&[(1.0, 52.0), (1.1, 52.0)], DRAWN_NAME), None);
        let bytes = polygon_file(&[(1.0, 52.0), (1.1, 52.0), (1.1, 52.1)], DRAWN_NAME)
            .expect("three corners");
        let v: Value = serde_json::from_slice(&bytes).expect("json");
        let ring = &v["features"][0]["geometry"]["coordinates"][0];
        assert_eq!(ring.as_array().map(Vec::len), Some(4));
        assert_eq!(ring[0], ring[3]);
        assert_eq!(v["features"][0]["properties"]["name"], DRAWN_NAME);
    }

    #[test]
    fn the_draft_closes_once_there_are_three_corners() {
        let d = draft_geojson(&[(1.0, 52.0), (1.1, 52.0)]);
        assert_eq!(d["features"].as_array().map(Vec::len), Some(3));
        assert_eq!(
            d["features"][2]["geometry"]["coordinates"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        let d = draft_geojson(&[(1.0, 52.0), (1.1, 52.0), (1.1, 52.1)]);
        assert_eq!(
            d["features"][3]["geometry"]["coordinates"]
                .as_array()
                .map(Vec::len),
            Some(4)
        );
    }

    #[test]
    fn typed_corners_name_the_bad_line() {
        assert_eq!(
            parse_corners("1.0, 52.0\n\n1.1 52.0\n1.1\t52.1\n").expect("three"),
            vec![(1.0, 52.0), (1.1, 52.0), (1.1, 52.1)]
        );
        let e = parse_corners("1.0, 52.0\n52.0, 1.0").expect_err("swapped");
        assert!(e.starts_with("line 2: 52, 1 is not in England"), "{e}");
        let e = parse_corners("1.0, 52.0\nhere").expect_err("words");
        assert!(e.starts_with("line 2: expected"), "{e}");
        assert!(parse_corners("1.0, 52.0")
            .expect_err("one")
            .contains("at least 3"));
    }
}
