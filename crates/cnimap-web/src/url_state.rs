//! The whole view in the URL query string, so a reload or a shared link opens the same map:
//! `?i=imd2025&v=map&t=10&a=E01021988&l=lsoa21&h=1,2&c=-1.4650,52.5620,6.20`, and which changes
//! make a new browser history entry ([`HistoryOp`]).
//!
//! Pure parsing and formatting; unknown or malformed parameters fall back to defaults.

use cnimap_core::catalogue::IndicatorId;
use cnimap_core::left_behind::LeftBehindRule;
use cnimap_core::Level;

use crate::what_if::{self, CustomWeights};

pub mod areas_url;

/// What the map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewMode {
    /// One indicator in deciles.
    Choropleth,
    /// IMD 2025 by CNI 2023 in 3 x 3 classes.
    Bivariate,
    /// Areas within the worst X% on both indices.
    LeftBehind,
    /// IMD 2019 -> IMD 2025: deciles moved on LSOA 2021 (issue 12).
    Change,
}

impl ViewMode {
    /// The URL value.
    pub fn id(self) -> &'static str {
        match self {
            ViewMode::Choropleth => "map",
            ViewMode::Bivariate => "bivariate",
            ViewMode::LeftBehind => "left-behind",
            ViewMode::Change => "change",
        }
    }

    /// Parses [`ViewMode::id`].
    pub fn from_id(id: &str) -> Option<ViewMode> {
        [
            ViewMode::Choropleth,
            ViewMode::Bivariate,
            ViewMode::LeftBehind,
            ViewMode::Change,
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

/// The selected area: its code and, when the user picked it on the map, the layer it was picked
/// on (an LSOA 2011 and an LSOA 2021 can share a code; the panel shows the one the user saw).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    /// ONS code.
    pub code: String,
    /// The layer it was picked on, `None` when it was found another way (search, a link).
    pub layer: Option<Level>,
}

impl Selection {
    /// An area found by code alone.
    pub fn code(code: impl Into<String>) -> Selection {
        Selection {
            code: code.into(),
            layer: None,
        }
    }

    /// An area picked on the map layer `layer`.
    pub fn on(code: impl Into<String>, layer: Level) -> Selection {
        Selection {
            code: code.into(),
            layer: Some(layer),
        }
    }
}

/// Everything the URL holds.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlState {
    /// Indicator.
    pub indicator: IndicatorId,
    /// View.
    pub view: ViewMode,
    /// Left-behind threshold, percent.
    pub threshold: u8,
    /// Selected area.
    pub area: Option<Selection>,
    /// Hidden legend classes (deciles 1..=10, or bivariate class indices 0..9).
    pub hidden: Vec<u8>,
    /// Map position; `None` shows all of England.
    pub camera: Option<Camera>,
    /// The user's domain weights per combined index (`w.imd2025=income=30,employment=20,...`,
    /// the words of `cnimap reweight --weights` and `/api/reweight`); published weights are
    /// never written.
    pub weights: CustomWeights,
    /// An indicator id the URL named that the catalogue does not know (the default is shown
    /// instead, and the user told). Never written back.
    pub unknown_indicator: Option<String>,
    /// The table beside the map, when open (`level=...&columns=...&filter=...&sort=...`, the
    /// words of `/api/table`; see [`crate::table_data`]).
    pub table: Option<crate::table_data::TableSpec>,
    /// Whether the 225 left-behind wards of 2019 are outlined on the map (`wards=1`; the change
    /// view's toggle).
    pub wards: bool,
    /// The comparison and the embeddable view (`compare=...`, `embed=1`; see
    /// [`crate::page_route`]).
    pub pages: crate::page_route::PageParams,
    /// The map at a larger level (`map=lad24&measure=imd2025.share_decile1`, the table's level
    /// and column words; see [`crate::levels`]); `None` shows the indicator's own areas.
    pub map_level: Option<crate::levels::MapLevel>,
    /// The user's own areas: a drawn polygon (`draw=<encoded polyline>`) or an uploaded file
    /// kept in this browser (`areas=file`); see [`areas_url`].
    pub custom_areas: areas_url::AreasUrl,
}

/// The indicator shown when the URL names none.
pub const DEFAULT_INDICATOR: IndicatorId = IndicatorId::IMD2025;

impl Default for UrlState {
    fn default() -> Self {
        UrlState {
            indicator: DEFAULT_INDICATOR,
            view: ViewMode::Choropleth,
            threshold: LeftBehindRule::DEFAULT_PERCENT,
            area: None,
            hidden: Vec::new(),
            camera: None,
            weights: CustomWeights::new(),
            unknown_indicator: None,
            table: None,
            wards: false,
            pages: Default::default(),
            map_level: None,
            custom_areas: Default::default(),
        }
    }
}

/// How a change of state goes into the browser history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryOp {
    /// A new entry (`pushState`): Back returns to the state before.
    Push,
    /// The same entry, updated (`replaceState`).
    Replace,
}

impl HistoryOp {
    /// How to record the change from `current` (what the URL holds now) to `next`: `None` when
    /// the URL already says it; [`HistoryOp::Push`] when the selection, view, indicator,
    /// threshold or the 2019 wards' outlines changed; [`HistoryOp::Replace`] when only the camera, the hidden classes or the
    /// domain weights did (a slider drag is many small changes: Back leaves the what-if view's
    /// entry whole).
    ///
    /// A threshold change right after a threshold-only push (`coalesce`: the slider is being
    /// dragged) replaces that entry, so one drag is one step back, not one per percent.
    pub fn between(current: &UrlState, next: &UrlState, coalesce: bool) -> Option<HistoryOp> {
        if current.to_query() == next.to_query() {
            return None;
        }
        let entry_changed = current.area != next.area
            || current.wards != next.wards
            || current.view != next.view
            || current.indicator != next.indicator
            || current.threshold != next.threshold
            || current.map_level != next.map_level;
        if !entry_changed {
            return Some(HistoryOp::Replace);
        }
        if coalesce && Self::only_threshold_changed(current, next) {
            return Some(HistoryOp::Replace);
        }
        Some(HistoryOp::Push)
    }

    /// Whether the only entry-making change is the left-behind threshold.
    pub fn only_threshold_changed(current: &UrlState, next: &UrlState) -> bool {
        current.threshold != next.threshold
            && current.area == next.area
            && current.view == next.view
            && current.indicator == next.indicator
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
        let mut layer = None;
        let (mut map_level, mut measure) = (None, None);
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "i" if !value.is_empty() => match IndicatorId::parse(&value) {
                    Ok(id) => state.indicator = id,
                    Err(_) => state.unknown_indicator = Some(value),
                },
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
                "a" if !value.is_empty() => state.area = Some(Selection::code(value)),
                "wards" => state.wards = value == "1",
                "l" => layer = Level::from_id(&value),
                "map" => map_level = Some(value),
                "measure" => measure = Some(value),
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
                _ if crate::table_data::TableSpec::read_param(&mut state.table, key, &value) => {}
                _ if crate::page_route::PageParams::read_param(&mut state.pages, key, &value) => {}
                _ if areas_url::AreasUrl::read_param(&mut state.custom_areas, key, &value) => {}
                _ => {
                    if let Some(w) = what_if::parse_url_param(key, &value) {
                        what_if::put(&mut state.weights, w);
                    }
                }
            }
        }
        if let Some(area) = &mut state.area {
            area.layer = layer;
        }
        if let Some((indicator, at)) = crate::levels::MapLevel::from_params(
            map_level.as_deref(),
            measure.as_deref(),
            state.indicator,
        ) {
            state.indicator = indicator;
            state.map_level = Some(at);
        }
        state
    }

    /// Formats the state as a query string starting with `?`. Defaults are left out.
    pub fn to_query(&self) -> String {
        let mut parts = vec![format!("i={}", self.indicator.as_str())];
        if self.view != ViewMode::Choropleth {
            parts.push(format!("v={}", self.view.id()));
        }
        if self.threshold != LeftBehindRule::DEFAULT_PERCENT {
            parts.push(format!("t={}", self.threshold));
        }
        if let Some(area) = &self.area {
            parts.push(format!("a={}", encode(&area.code)));
            if let Some(layer) = area.layer {
                parts.push(format!("l={}", layer.id()));
            }
        }
        if !self.hidden.is_empty() {
            let hidden: Vec<String> = self.hidden.iter().map(u8::to_string).collect();
            parts.push(format!("h={}", hidden.join(",")));
        }
        if let Some(c) = self.camera {
            parts.push(format!("c={:.4},{:.4},{:.2}", c.lon, c.lat, c.zoom));
        }
        for (index, w) in &self.weights {
            // Domain keys, digits, '.', '=' and ',' only: readable in the address bar as is.
            parts.push(format!("{}={}", what_if::url_key(*index), w.to_query()));
        }
        if self.wards {
            parts.push("wards=1".into());
        }
        if let Some(table) = &self.table {
            parts.extend(table.to_params());
        }
        let shown = self
            .map_level
            .and_then(|a| crate::levels::MapLevel::new(self.indicator, a.level, a.measure));
        if let Some(at) = shown {
            parts.extend(at.to_params(self.indicator));
        }
        parts.extend(self.pages.to_params());
        parts.extend(self.custom_areas.to_params());
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnimap_core::reweight::{CompositeIndex, Weights};
    use rstest::rstest;

    fn civic() -> IndicatorId {
        IndicatorId::parse("cni2023_civic").unwrap_or(DEFAULT_INDICATOR)
    }

    #[test]
    fn a_full_state_round_trips_through_the_query_string() {
        let state = UrlState {
            indicator: civic(),
            view: ViewMode::LeftBehind,
            threshold: 15,
            area: Some(Selection::on("E01021988", Level::Lsoa11)),
            hidden: vec![1, 4],
            camera: Some(Camera {
                lon: 1.1234,
                lat: 51.7766,
                zoom: 12.5,
            }),
            weights: [(
                CompositeIndex::Cni2023,
                Weights::parse(
                    CompositeIndex::Cni2023,
                    "civic=50,connectedness=30,engaged=20",
                )
                .expect("weights"),
            )]
            .into_iter()
            .collect(),
            unknown_indicator: None,
            table: Some(crate::table_data::TableSpec {
                level: Level::Lsoa21,
                areas: false,
                columns: vec!["lad24.name".into(), "cni2023.decile".into()],
                filters: vec!["imd2025.decile=1..2".into(), "imd2025.rank<=100".into()],
                sort: Some("cni2023.rank:desc".into()),
            }),
            wards: true,
            pages: crate::page_route::PageParams {
                compare: vec!["E01021988".into(), "E07000076".into()],
                embed: true,
            },
            map_level: None,
            custom_areas: areas_url::AreasUrl::drawn(&[(1.1, 51.77), (1.17, 51.77), (1.17, 51.81)]),
        };
        let query = state.to_query();
        assert!(
            query.contains("&w.cni2023=civic=50,connectedness=30,engaged=20"),
            "{query}"
        );
        assert_eq!(UrlState::parse(&query), state);
        assert_eq!(civic().as_str(), "cni2023_civic");
    }

    #[test]
    fn the_maps_level_and_measure_round_trip_and_make_a_history_entry() {
        let s = UrlState::parse("?i=cni2023&map=lad24&measure=imd2025.share_decile1");
        assert_eq!(
            s.indicator,
            IndicatorId::IMD2025,
            "the measure names the indicator"
        );
        let at = s.map_level.expect("a larger level");
        assert_eq!((at.level, at.measure.id()), (Level::Lad24, "share_decile1"));
        assert_eq!(
            s.to_query(),
            "?i=imd2025&map=lad24&measure=imd2025.share_decile1"
        );
        assert_eq!(UrlState::parse(&s.to_query()), s);
        assert_eq!(
            HistoryOp::between(&UrlState::default(), &s, false),
            Some(HistoryOp::Push)
        );
        // A level the indicator has no summaries at is ignored.
        assert_eq!(
            UrlState::parse("?i=imd2019&map=ward24&measure=imd2019.average_rank").map_level,
            None
        );
    }

    #[test]
    fn the_wards_outlines_round_trip_and_their_toggle_is_a_step_back() {
        let s = UrlState::parse("?i=imd2025&v=change&wards=1");
        assert!(s.wards);
        assert_eq!(s.to_query(), "?i=imd2025&v=change&wards=1");
        assert!(!UrlState::parse("?v=change&wards=0").wards);
        let off = UrlState {
            wards: false,
            ..s.clone()
        };
        assert_eq!(HistoryOp::between(&off, &s, false), Some(HistoryOp::Push));
        assert_eq!(HistoryOp::between(&s, &off, true), Some(HistoryOp::Push));
    }

    #[test]
    fn an_empty_query_gives_the_default_view() {
        assert_eq!(UrlState::parse(""), UrlState::default());
        assert_eq!(UrlState::default().to_query(), "?i=imd2025");
    }

    #[test]
    fn nonsense_values_fall_back_to_defaults_and_thresholds_are_clamped() {
        let s = UrlState::parse("?v=pie&t=99&c=1,2&h=x,3&zzz=1&l=lsoa99");
        assert_eq!(s.view, ViewMode::Choropleth);
        assert_eq!(s.threshold, LeftBehindRule::UI_MAX_PERCENT);
        assert_eq!(s.camera, None);
        assert_eq!(s.hidden, vec![3]);
        assert_eq!(s.area, None);
    }

    #[test]
    fn an_unknown_indicator_shows_the_default_and_is_remembered_to_be_reported() {
        let s = UrlState::parse("?i=imd2026&a=E01000001");
        assert_eq!(s.indicator, DEFAULT_INDICATOR);
        assert_eq!(s.unknown_indicator.as_deref(), Some("imd2026"));
        assert_eq!(s.to_query(), "?i=imd2025&a=E01000001");
    }

    #[test]
    fn a_layer_without_an_area_is_ignored() {
        assert_eq!(UrlState::parse("?l=lsoa11").area, None);
        assert_eq!(
            UrlState::parse("?l=lsoa11&a=E01000001").area,
            Some(Selection::on("E01000001", Level::Lsoa11))
        );
    }

    #[test]
    fn percent_escapes_are_decoded() {
        let s = UrlState::parse("?a=CO15%202EQ&i=imd2025");
        assert_eq!(s.area, Some(Selection::code("CO15 2EQ")));
        assert_eq!(encode("CO15 2EQ"), "CO15%202EQ");
    }

    fn changed(f: impl FnOnce(&mut UrlState)) -> UrlState {
        let mut s = UrlState::default();
        f(&mut s);
        s
    }

    #[rstest]
    #[case::selecting_an_area(changed(|s| s.area = Some(Selection::code("E01000001"))), Some(HistoryOp::Push))]
    #[case::switching_view(changed(|s| s.view = ViewMode::Bivariate), Some(HistoryOp::Push))]
    #[case::switching_indicator(changed(|s| s.indicator = IndicatorId::CNI2023), Some(HistoryOp::Push))]
    #[case::moving_the_threshold(changed(|s| s.threshold = 12), Some(HistoryOp::Push))]
    #[case::moving_the_camera(changed(|s| s.camera = Some(Camera { lon: 0.0, lat: 52.0, zoom: 7.0 })), Some(HistoryOp::Replace))]
    #[case::hiding_a_class(changed(|s| s.hidden = vec![3]), Some(HistoryOp::Replace))]
    #[case::nothing(UrlState::default(), None)]
    fn selections_and_view_changes_make_history_entries_and_camera_moves_do_not(
        #[case] next: UrlState,
        #[case] expected: Option<HistoryOp>,
    ) {
        assert_eq!(
            HistoryOp::between(&UrlState::default(), &next, false),
            expected
        );
    }

    #[test]
    fn dragging_the_threshold_slider_makes_one_entry() {
        let at = |t| changed(|s| s.threshold = t);
        assert_eq!(
            HistoryOp::between(&at(11), &at(12), true),
            Some(HistoryOp::Replace)
        );
        // A selection during a drag is still its own entry.
        let selected = changed(|s| {
            s.threshold = 12;
            s.area = Some(Selection::code("E01000001"));
        });
        assert_eq!(
            HistoryOp::between(&at(11), &selected, true),
            Some(HistoryOp::Push)
        );
    }
}
