//! "Your areas" in the URL: a drawn polygon as `draw=<encoded polyline>` (Google's encoded
//! polyline of its WGS84 corners, latitude then longitude, rounded to 10^-5 degrees, about 1 m:
//! the precision of the LSOA shapes the areas are measured on), so a shared link reopens it; an
//! uploaded file, too big for a URL, as `areas=file` (the file itself stays in this browser's
//! storage, see [`crate::components::custom_areas`]). Pure: read, write and the codec.

/// The URL key of a drawn polygon.
pub const DRAW_KEY: &str = "draw";
/// The URL key saying the areas are an uploaded file (`areas=file`).
pub const FILE_KEY: &str = "areas";
/// The value of [`FILE_KEY`].
pub const FILE_VALUE: &str = "file";
/// The factor of the encoding: 10^5 (corners rounded to 10^-5 degrees).
pub const SCALE: f64 = 1e5;
/// At most this many corners are read from a URL (a drawn polygon has a few dozen).
pub const MAX_CORNERS: usize = 2_000;

/// The user's own areas as the URL says them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreasUrl {
    /// The corners of a drawn polygon, `(longitude, latitude)`, rounded to 10^-5 degrees; empty
    /// when none is drawn.
    pub drawn: Vec<(f64, f64)>,
    /// Whether the areas are an uploaded file (kept in the browser that uploaded it).
    pub uploaded: bool,
}

impl AreasUrl {
    /// A drawn polygon's corners, rounded as the URL keeps them.
    pub fn drawn(corners: &[(f64, f64)]) -> AreasUrl {
        AreasUrl {
            drawn: corners.iter().map(|&(x, y)| (round(x), round(y))).collect(),
            uploaded: false,
        }
    }

    /// An uploaded file.
    pub fn uploaded() -> AreasUrl {
        AreasUrl {
            drawn: Vec::new(),
            uploaded: true,
        }
    }

    /// Whether the URL names no areas.
    pub fn is_empty(&self) -> bool {
        self.drawn.is_empty() && !self.uploaded
    }

    /// Reads one URL parameter; `true` when the key is one of ours. A polyline that does not
    /// decode (or has fewer than 3 corners) is ignored: the page then shows no drawn area.
    pub fn read_param(areas: &mut AreasUrl, key: &str, value: &str) -> bool {
        match key {
            DRAW_KEY => {
                if let Some(c) = decode(value).filter(|c| c.len() >= 3) {
                    areas.drawn = c;
                    areas.uploaded = false;
                }
                true
            }
            FILE_KEY => {
                if value == FILE_VALUE && areas.drawn.is_empty() {
                    areas.uploaded = true;
                }
                true
            }
            _ => false,
        }
    }

    /// The URL parameters (`draw=...` or `areas=file`; none when empty). The polyline's
    /// characters (ASCII 63 to 126) need no escaping in a query string.
    pub fn to_params(&self) -> Vec<String> {
        if self.drawn.len() >= 3 {
            vec![format!("{DRAW_KEY}={}", encode(&self.drawn))]
        } else if self.uploaded {
            vec![format!("{FILE_KEY}={FILE_VALUE}")]
        } else {
            Vec::new()
        }
    }
}

fn round(v: f64) -> f64 {
    (v * SCALE).round() / SCALE
}

/// Google's encoded polyline of `corners` (`(longitude, latitude)`), latitude first, at 10^-5.
pub fn encode(corners: &[(f64, f64)]) -> String {
    let mut out = String::new();
    let (mut last_lat, mut last_lon) = (0i64, 0i64);
    for &(lon, lat) in corners {
        let (lat, lon) = ((lat * SCALE).round() as i64, (lon * SCALE).round() as i64);
        push_number(&mut out, lat - last_lat);
        push_number(&mut out, lon - last_lon);
        (last_lat, last_lon) = (lat, lon);
    }
    out
}

fn push_number(out: &mut String, delta: i64) {
    let mut v = if delta < 0 { !(delta << 1) } else { delta << 1 } as u64;
    while v >= 0x20 {
        out.push(char::from((0x20 | (v & 0x1f)) as u8 + 63));
        v >>= 5;
    }
    out.push(char::from(v as u8 + 63));
}

/// Decodes [`encode`]'s text back to `(longitude, latitude)` corners; `None` when it is not an
/// encoded polyline of whole pairs, a corner is off the globe, or it has over [`MAX_CORNERS`].
pub fn decode(text: &str) -> Option<Vec<(f64, f64)>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut next = || -> Option<Option<i64>> {
        if i >= bytes.len() {
            return Some(None);
        }
        let (mut result, mut shift) = (0u64, 0u32);
        loop {
            let b = *bytes.get(i)?;
            i += 1;
            if !(63..=126).contains(&b) || shift > 60 {
                return None;
            }
            let chunk = u64::from(b - 63);
            result |= (chunk & 0x1f) << shift;
            shift += 5;
            if chunk < 0x20 {
                break;
            }
        }
        let v = (result >> 1) as i64;
        Some(Some(if result & 1 == 1 { !v } else { v }))
    };
    let (mut lat, mut lon) = (0i64, 0i64);
    let mut out = Vec::new();
    while let Some(dlat) = next()? {
        let dlon = next()??;
        lat = lat.checked_add(dlat)?;
        lon = lon.checked_add(dlon)?;
        let (x, y) = (lon as f64 / SCALE, lat as f64 / SCALE);
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return None;
        }
        out.push((x, y));
        if out.len() > MAX_CORNERS {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_s_own_example_encodes_and_decodes() {
        // developers.google.com/maps/documentation/utilities/polylinealgorithm: (38.5, -120.2),
        // (40.7, -120.95), (43.252, -126.453).
        let corners = [(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)];
        assert_eq!(encode(&corners), "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
        let back = decode("_p~iF~ps|U_ulLnnqC_mqNvxq`@").expect("decodes");
        for (a, b) in back.iter().zip(corners) {
            assert!(
                (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn a_drawn_polygon_round_trips_through_the_url_rounded_to_a_metre() {
        let corners = [
            (1.100_004, 51.77),
            (1.17, 51.770_006),
            (1.17, 51.81),
            (1.1, 51.81),
        ];
        let url = AreasUrl::drawn(&corners);
        let params = url.to_params();
        assert_eq!(params.len(), 1);
        let (key, value) = params[0].split_once('=').expect("key=value");
        assert!(value.bytes().all(|b| (63..=126).contains(&b)), "{value}");
        let mut read = AreasUrl::default();
        assert!(AreasUrl::read_param(&mut read, key, value));
        assert_eq!(read, url);
        for (a, b) in read.drawn.iter().zip(corners) {
            assert!((a.0 - b.0).abs() <= 0.5e-5 && (a.1 - b.1).abs() <= 0.5e-5);
        }
    }

    #[test]
    fn an_uploaded_file_is_a_flag_and_bad_polylines_are_ignored() {
        let mut read = AreasUrl::default();
        assert!(AreasUrl::read_param(&mut read, "areas", "file"));
        assert_eq!(read, AreasUrl::uploaded());
        assert_eq!(read.to_params(), ["areas=file"]);
        assert!(!AreasUrl::read_param(&mut read, "i", "imd2025"));
        for bad in ["", "_p~iF", "_p~iF~ps|U_ulLnnqC", "abc def", "\u{e9}"] {
            let mut r = AreasUrl::default();
            assert!(AreasUrl::read_param(&mut r, "draw", bad));
            assert!(r.drawn.is_empty(), "{bad:?} gave {:?}", r.drawn);
        }
        assert_eq!(decode("_p~iF"), None);
        assert_eq!(decode(""), Some(Vec::new()));
        assert!(AreasUrl::default().to_params().is_empty());
        assert!(AreasUrl::default().is_empty());
    }
}
