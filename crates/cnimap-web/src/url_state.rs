//! The whole view in the URL query string, so a reload or a shared link opens the same map:
//! `?i=imd2025&v=map&t=10&a=E01021988&h=1,2&c=-1.4650,52.5620,6.20`.
//!
//! Pure parsing and formatting; unknown or malformed parameters fall back to defaults.

use cnimap_core::left_behind::LeftBehindRule;

/// What the map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewMode {
    /// One indicator in deciles.
    Choropleth,
    /// IMD 2025 by CNI 2023 in 3 x 3 classes.
    Bivariate,
    /// Areas within the worst X% on both indices.
    LeftBehind,
}

impl ViewMode {
    /// The URL value.
    pub fn id(self) -> &'static str {
        match self {
            ViewMode::Choropleth => "map",
            ViewMode::Bivariate => "bivariate",
            ViewMode::LeftBehind => "left-behind",
        }
    }

    /// Parses [`ViewMode::id`].
    pub fn from_id(id: &str) -> Option<ViewMode> {
        [
            ViewMode::Choropleth,
            ViewMode::Bivariate,
            ViewMode::LeftBehind,
        ]
        .into_iter()
        .find(|v| v.id() == id)
    }
}

/// A map position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Longitude of the centre, degrees.
    pub lon: f64,
    /// Latitude of the centre, degrees.
    pub lat: f64,
    /// Zoom level.
    pub zoom: f64,
}

/// Everything the URL holds.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlState {
    /// Indicator id.
    pub indicator: String,
    /// View.
    pub view: ViewMode,
    /// Left-behind threshold, percent.
    pub threshold: u8,
    /// Selected area code.
    pub area: Option<String>,
    /// Hidden legend classes (deciles 1..=10, or bivariate class indices 0..9).
    pub hidden: Vec<u8>,
    /// Map position; `None` shows all of England.
    pub camera: Option<Camera>,
}

/// The indicator shown when the URL names none.
pub const DEFAULT_INDICATOR: &str = "imd2025";

impl Default for UrlState {
    fn default() -> Self {
        UrlState {
            indicator: DEFAULT_INDICATOR.to_string(),
            view: ViewMode::Choropleth,
            threshold: LeftBehindRule::DEFAULT_PERCENT,
            area: None,
            hidden: Vec::new(),
            camera: None,
        }
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl UrlState {
    /// Parses a query string (with or without the leading `?`). Never fails: anything it cannot
    /// read keeps its default. The threshold is clamped to the range the interface offers.
    pub fn parse(query: &str) -> UrlState {
        let mut state = UrlState::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "i" if !value.is_empty() => state.indicator = value,
                "v" => {
                    if let Some(v) = ViewMode::from_id(&value) {
                        state.view = v;
                    }
                }
                "t" => {
                    if let Ok(t) = value.parse::<u8>() {
                        state.threshold = t.clamp(
                            LeftBehindRule::UI_MIN_PERCENT,
                            LeftBehindRule::UI_MAX_PERCENT,
                        );
                    }
                }
                "a" if !value.is_empty() => state.area = Some(value),
                "h" => {
                    state.hidden = value.split(',').filter_map(|h| h.parse().ok()).collect();
                }
                "c" => {
                    let parts: Vec<f64> = value.split(',').filter_map(|p| p.parse().ok()).collect();
                    if let [lon, lat, zoom] = parts[..] {
                        if lon.is_finite() && lat.is_finite() && zoom.is_finite() {
                            state.camera = Some(Camera {
                                lon: lon.clamp(-180.0, 180.0),
                                lat: lat.clamp(-85.0, 85.0),
                                zoom: zoom.clamp(0.0, 22.0),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        state
    }

    /// Formats the state as a query string starting with `?`. Defaults are left out.
    pub fn to_query(&self) -> String {
        let mut parts = vec![format!("i={}", encode(&self.indicator))];
        if self.view != ViewMode::Choropleth {
            parts.push(format!("v={}", self.view.id()));
        }
        if self.threshold != LeftBehindRule::DEFAULT_PERCENT {
            parts.push(format!("t={}", self.threshold));
        }
        if let Some(area) = &self.area {
            parts.push(format!("a={}", encode(area)));
        }
        if !self.hidden.is_empty() {
            let hidden: Vec<String> = self.hidden.iter().map(u8::to_string).collect();
            parts.push(format!("h={}", hidden.join(",")));
        }
        if let Some(c) = self.camera {
            parts.push(format!("c={:.4},{:.4},{:.2}", c.lon, c.lat, c.zoom));
        }
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_state_round_trips_through_the_query_string() {
        let state = UrlState {
            indicator: "cni2023_civic".into(),
            view: ViewMode::LeftBehind,
            threshold: 15,
            area: Some("E01021988".into()),
            hidden: vec![1, 4],
            camera: Some(Camera {
                lon: 1.1234,
                lat: 51.7766,
                zoom: 12.5,
            }),
        };
        assert_eq!(UrlState::parse(&state.to_query()), state);
    }

    #[test]
    fn an_empty_query_gives_the_default_view() {
        assert_eq!(UrlState::parse(""), UrlState::default());
        assert_eq!(UrlState::default().to_query(), "?i=imd2025");
    }

    #[test]
    fn nonsense_values_fall_back_to_defaults_and_thresholds_are_clamped() {
        let s = UrlState::parse("?v=pie&t=99&c=1,2&h=x,3&zzz=1");
        assert_eq!(s.view, ViewMode::Choropleth);
        assert_eq!(s.threshold, LeftBehindRule::UI_MAX_PERCENT);
        assert_eq!(s.camera, None);
        assert_eq!(s.hidden, vec![3]);
    }

    #[test]
    fn percent_escapes_are_decoded() {
        let s = UrlState::parse("?a=CO15%202EQ&i=imd2025");
        assert_eq!(s.area.as_deref(), Some("CO15 2EQ"));
        assert_eq!(encode("CO15 2EQ"), "CO15%202EQ");
    }
}
