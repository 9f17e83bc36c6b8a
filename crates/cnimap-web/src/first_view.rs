//! The first view's style (issue 15): only what the first choropleth needs is on the critical
//! path. The layer the first view colours is visible from the start, so MapLibre requests its
//! tiles as soon as the map exists (not after its `load` event and the values); the council and
//! region borders and names (8 more tiles and two label documents at the first view) are left
//! out until the first choropleth is drawn, then [`deferred`] says what to turn on.
//!
//! Measured on this machine (BENCHMARKS.md, "First choropleth, switch and frames against the
//! floor"): the first view went from 12 tiles of 3 layers to 4 tiles of 1 before the mark.

use serde_json::{json, Value};

use crate::endpoints::Endpoints;
use crate::layers::{AreaLayer, Part, StyleLayer};

/// The parts of the active layer that the map shows (the markers only show in the left-behind
/// view, which turns them on itself).
pub const SHOWN_PARTS: [Part; 5] = [
    Part::Fill,
    Part::Line,
    Part::Hover,
    Part::Selected,
    Part::Labels,
];

/// The layers drawn over every level, turned on once the first choropleth is drawn.
pub const DEFERRED_LAYERS: [StyleLayer; 4] = [
    StyleLayer::LadLine,
    StyleLayer::RegionLine,
    StyleLayer::LadLabels,
    StyleLayer::RegionLabels,
];

/// The GeoJSON sources of the deferred names (their data is set when they are turned on).
pub const DEFERRED_LABEL_SOURCES: [&str; 2] = ["lad24-labels", "region-labels"];

/// What to turn on after the first choropleth: the deferred layers, and each deferred label
/// source with the URL of its document.
pub fn deferred(endpoints: &Endpoints) -> (Vec<StyleLayer>, Vec<(&'static str, String)>) {
    let sources = DEFERRED_LABEL_SOURCES
        .into_iter()
        .map(|source| {
            let layer = source.trim_end_matches("-labels");
            (source, endpoints.labels(layer))
        })
        .collect();
    (DEFERRED_LAYERS.to_vec(), sources)
}

/// `style` (from [`crate::style::style`]) as the first view wants it: `first`'s shown parts
/// visible, the deferred layers hidden and the deferred label sources empty.
pub fn first_view_style(mut style: Value, first: AreaLayer) -> Value {
    let shown: Vec<&str> = SHOWN_PARTS
        .into_iter()
        .map(|p| StyleLayer::Area(first, p).id())
        .collect();
    let deferred: Vec<&str> = DEFERRED_LAYERS.into_iter().map(StyleLayer::id).collect();
    if let Some(layers) = style["layers"].as_array_mut() {
        for layer in layers {
            let id = layer["id"].as_str().unwrap_or_default();
            let visibility = if shown.contains(&id) {
                "visible"
            } else if deferred.contains(&id) {
                "none"
            } else {
                continue;
            };
            layer["layout"]["visibility"] = json!(visibility);
        }
    }
    for source in DEFERRED_LABEL_SOURCES {
        if let Some(s) = style["sources"].get_mut(source) {
            s["data"] = json!({ "type": "FeatureCollection", "features": [] });
        }
    }
    style
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visibility<'a>(style: &'a Value, id: &str) -> Option<&'a str> {
        style["layers"]
            .as_array()?
            .iter()
            .find(|l| l["id"] == id)
            .map(|l| l["layout"]["visibility"].as_str().unwrap_or("visible"))
    }

    fn server() -> Endpoints {
        Endpoints::Server {
            origin: "http://127.0.0.1:8080".into(),
        }
    }

    #[test]
    fn the_first_layer_shows_from_the_start_and_the_others_stay_hidden() {
        let s = first_view_style(crate::style::style(&server()), AreaLayer::Lsoa21);
        for part in SHOWN_PARTS {
            let id = StyleLayer::Area(AreaLayer::Lsoa21, part).id();
            assert_eq!(visibility(&s, id), Some("visible"), "{id}");
        }
        assert_eq!(
            visibility(&s, StyleLayer::Area(AreaLayer::Lsoa21, Part::Markers).id()),
            Some("none")
        );
        for other in [AreaLayer::Lsoa11, AreaLayer::Ward17, AreaLayer::Lad24] {
            let id = StyleLayer::Area(other, Part::Fill).id();
            assert_eq!(visibility(&s, id), Some("none"), "{id}");
        }
    }

    #[test]
    fn thin_borders_start_where_their_opacity_rises_and_hover_outlines_have_no_width_until_hovered()
    {
        let s = crate::style::style(&server());
        for area in AreaLayer::ALL {
            let id = StyleLayer::Area(area, Part::Line).id();
            let line = s["layers"]
                .as_array()
                .and_then(|ls| ls.iter().find(|l| l["id"] == id))
                .cloned()
                .unwrap_or_default();
            assert_eq!(line["minzoom"], json!(crate::style::LINE_MIN_ZOOM), "{id}");
            // ["interpolate", ["linear"], ["zoom"], z0, opacity0, ...]: 0 up to the minzoom.
            let opacity = &line["paint"]["line-opacity"];
            assert_eq!(
                opacity[3].as_f64(),
                Some(crate::style::LINE_MIN_ZOOM),
                "{id}"
            );
            assert_eq!(opacity[4].as_f64(), Some(0.0), "{id}");
            let hover = StyleLayer::Area(area, Part::Hover).id();
            let hover = s["layers"]
                .as_array()
                .and_then(|ls| ls.iter().find(|l| l["id"] == hover))
                .cloned()
                .unwrap_or_default();
            assert_eq!(hover["paint"]["line-width"], crate::style::hover_width());
        }
        // Not hovered (state absent or false): width 0; hovered: 2.
        let width = crate::style::hover_width();
        assert_eq!(width[0], "case");
        assert_eq!(
            (width[2].as_f64(), width[3].as_f64()),
            (Some(2.0), Some(0.0))
        );
    }

    #[test]
    fn the_page_preloads_the_values_of_the_default_view() {
        // assets/prefetch.js starts these while the wasm loads; they must be what the app asks
        // for first, or the preload is wasted and the app waits anyway.
        let script = include_str!("../../../assets/prefetch.js");
        let url = crate::url_state::UrlState::default();
        let layer = crate::classes::active_layer(url.view, url.indicator);
        let values = format!("'values/{}/{}'", layer.source(), url.indicator);
        assert!(
            script.contains(&format!("DEFAULT_VALUES = {values}")),
            "{values}"
        );
        assert!(script.contains(&format!("DEFAULT_INDICATOR = '{}'", url.indicator)));
        assert_eq!(url.view.id(), "map");
        assert!(script.contains("q.get('v') === 'map'"));
    }

    #[test]
    fn borders_and_names_wait_for_the_first_choropleth_and_come_back_with_their_urls() {
        let endpoints = server();
        let s = first_view_style(crate::style::style(&endpoints), AreaLayer::Ward17);
        for layer in DEFERRED_LAYERS {
            assert_eq!(visibility(&s, layer.id()), Some("none"), "{}", layer.id());
        }
        for source in DEFERRED_LABEL_SOURCES {
            assert_eq!(s["sources"][source]["data"]["features"], json!([]));
        }
        let (layers, sources) = deferred(&endpoints);
        assert_eq!(layers, DEFERRED_LAYERS.to_vec());
        // The URLs the full style had.
        let full = crate::style::style(&endpoints);
        for (source, url) in sources {
            assert_eq!(full["sources"][source]["data"].as_str(), Some(url.as_str()));
        }
    }
}
