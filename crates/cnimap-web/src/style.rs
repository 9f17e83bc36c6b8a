//! The MapLibre style (sources and layers) and the paint expressions that colour areas from their
//! feature state. Pure functions returning JSON, so they are unit-tested natively.
//!
//! Areas carry their classes in feature state, set from `/api/values` arrays by feature index:
//! `d` = decile (1..=10), `b` = bivariate class index + 1 (1..=9), `l` = left-behind (1 = yes,
//! 2 = no); 0 or absent means no value. Paint expressions read those keys, so recolouring never
//! touches geometry.

use cnimap_core::bivariate::BivariateClass;
use cnimap_core::colour::{decile_colour, Ramp, NO_DATA};
use serde_json::{json, Value};

use crate::endpoints::Endpoints;
use crate::layers::{AreaLayer, Part, StyleLayer};

/// Feature-state key of the decile.
pub const KEY_DECILE: &str = "d";
/// Feature-state key of the bivariate class (index + 1).
pub const KEY_BIVARIATE: &str = "b";
/// Feature-state key of a summary measure's class at a larger level (1..=10, see
/// [`crate::levels::class_of`]).
pub const KEY_MEASURE: &str = "m";
/// Feature-state key of the left-behind flag (1 = left behind, 2 = not).
pub const KEY_LEFT_BEHIND: &str = "l";

/// Background colour of the map (land and sea alike: only England is drawn).
pub const BACKGROUND: &str = "#f3f1ec";
/// Colour of hidden classes: fully transparent, showing the background.
pub const HIDDEN: &str = "rgba(0,0,0,0)";
/// The colour of left-behind areas: the colour of the bivariate class "most deprived third and
/// highest-need third", so both double-disadvantage views agree.
pub fn left_behind_colour() -> String {
    BivariateClass::ALL[0].colour().to_hex()
}
/// The colour of areas that are ranked but not left behind.
pub const NOT_LEFT_BEHIND: &str = "#e4e2dc";

/// The font stacks generated at build time (see `assets/glyphs/fonts.json`).
pub const FONT_REGULAR: &str = "DejaVu Sans";
/// Bold font stack.
pub const FONT_BOLD: &str = "DejaVu Sans Bold";

/// The zoom from which area names of the colourable layers are drawn (and fetched).
pub const NAMES_MIN_ZOOM: f64 = 12.0;

/// The zoom up to which highlighted areas are also drawn as dots at their label points: below
/// it small areas are merged with their neighbours or too small to see.
pub const MARKERS_MAX_ZOOM: f64 = 12.0;

/// The fill colour expression for deciles on `ramp`, with `hidden` deciles transparent.
pub fn decile_fill(ramp: Ramp, hidden: &[u8]) -> Value {
    let mut expr = vec![json!("match"), json!(["feature-state", KEY_DECILE])];
    for decile in 1..=10u8 {
        let colour = if hidden.contains(&decile) {
            HIDDEN.to_string()
        } else {
            decile_colour(ramp, decile).unwrap_or(NO_DATA).to_hex()
        };
        expr.push(json!(decile));
        expr.push(json!(colour));
    }
    expr.push(json!(NO_DATA.to_hex()));
    Value::Array(expr)
}

/// The fill colour expression for a summary measure's ten classes on `ramp` (class 1 = the
/// worst, in the colour of decile 1), `hidden` classes transparent.
pub fn measure_fill(ramp: Ramp, hidden: &[u8]) -> Value {
    let mut expr = decile_fill(ramp, hidden);
    if let Some(key) = expr.get_mut(1) {
        *key = json!(["feature-state", KEY_MEASURE]);
    }
    expr
}

/// The fill colour expression for the nine bivariate classes, `hidden` holding class indices
/// (0..9) to leave transparent.
pub fn bivariate_fill(hidden: &[u8]) -> Value {
    let mut expr = vec![json!("match"), json!(["feature-state", KEY_BIVARIATE])];
    for class in BivariateClass::ALL {
        let index = class.index();
        let colour = if hidden.iter().any(|&h| usize::from(h) == index) {
            HIDDEN.to_string()
        } else {
            class.colour().to_hex()
        };
        expr.push(json!(index + 1));
        expr.push(json!(colour));
    }
    expr.push(json!(NO_DATA.to_hex()));
    Value::Array(expr)
}

/// The fill colour expression for the left-behind view.
pub fn left_behind_fill() -> Value {
    json!([
        "match",
        ["feature-state", KEY_LEFT_BEHIND],
        1,
        left_behind_colour(),
        2,
        NOT_LEFT_BEHIND,
        NO_DATA.to_hex()
    ])
}

/// The zoom from which the thin white borders are drawn (their opacity is 0 below it).
pub const LINE_MIN_ZOOM: f64 = 7.0;

/// The width of the hover outline: 2 px on the area under the pointer, 0 elsewhere. Zero-width
/// lines have no pixels to fill, where a transparent 2 px outline of every area was rasterised
/// on every frame (issue 15: the frames while zooming and panning).
pub fn hover_width() -> Value {
    json!(["case", ["boolean", ["feature-state", "hover"], false], 2, 0])
}

/// A filter matching the feature whose `code` property is `code` (nothing when `None`).
pub fn code_filter(code: Option<&str>) -> Value {
    json!(["==", ["get", "code"], code.unwrap_or("")])
}

/// The circle opacity of the highlight dots: shown only on left-behind areas.
pub fn marker_opacity() -> Value {
    json!(["case", ["==", ["feature-state", KEY_LEFT_BEHIND], 1], 1, 0])
}

/// The whole style, its tile, glyph and label URLs from `endpoints` (absolute: a server's
/// origin or a static site's base).
pub fn style(endpoints: &Endpoints) -> Value {
    let mut sources = serde_json::Map::new();
    for source in AreaLayer::ALL.iter().map(|l| l.source()) {
        sources.insert(
            source.to_string(),
            json!({ "type": "vector", "url": endpoints.tiles(source) }),
        );
    }
    // Label points of the colourable layers (feature id = feature index): empty until the user
    // zooms in far enough to read names or a view highlights areas (see `components::map_view`),
    // so 33,755 points are fetched only when needed.
    for layer in AreaLayer::ALL {
        sources.insert(
            layer.points_source().to_string(),
            json!({ "type": "geojson", "data": { "type": "FeatureCollection", "features": [] } }),
        );
    }
    for layer in ["lad24", "region"] {
        sources.insert(
            format!("{layer}-labels"),
            json!({ "type": "geojson", "data": endpoints.labels(layer) }),
        );
    }

    let mut layers = vec![json!({
        "id": StyleLayer::Background.id(), "type": "background",
        "paint": { "background-color": BACKGROUND }
    })];
    for area in AreaLayer::ALL {
        let layer = area.source();
        let id = |part| StyleLayer::Area(area, part).id();
        let (fill, line, hover, selected) = (
            id(Part::Fill),
            id(Part::Line),
            id(Part::Hover),
            id(Part::Selected),
        );
        layers.push(json!({
            "id": fill, "type": "fill", "source": layer, "source-layer": layer,
            "layout": { "visibility": "none" },
            "paint": { "fill-color": NO_DATA.to_hex(), "fill-opacity": 1.0 }
        }));
        // From zoom 7, where its opacity starts to rise: below, it would be cut into line
        // buckets and drawn at opacity 0 (issue 15: the first view's tiles and frames).
        layers.push(json!({
            "id": line, "type": "line", "source": layer, "source-layer": layer,
            "minzoom": LINE_MIN_ZOOM,
            "layout": { "visibility": "none" },
            "paint": {
                "line-color": "#ffffff",
                "line-width": ["interpolate", ["linear"], ["zoom"], 8, 0.2, 14, 1.2],
                "line-opacity": ["interpolate", ["linear"], ["zoom"], 7, 0.0, 10, 0.6]
            }
        }));
        layers.push(json!({
            "id": hover, "type": "line", "source": layer, "source-layer": layer,
            "layout": { "visibility": "none" },
            "paint": {
                "line-color": "#111111",
                "line-width": hover_width(),
                "line-opacity": ["case", ["boolean", ["feature-state", "hover"], false], 1, 0]
            }
        }));
        layers.push(json!({
            "id": selected, "type": "line", "source": layer, "source-layer": layer,
            "layout": { "visibility": "none", "line-join": "round" },
            "filter": code_filter(None),
            "paint": { "line-color": "#00a3ff", "line-width": 3.5 }
        }));
    }
    layers.push(json!({
        "id": StyleLayer::LadLine.id(), "type": "line", "source": "lad24", "source-layer": "lad24",
        "paint": {
            "line-color": "#3d3d3d",
            "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.4, 10, 1.4],
            "line-opacity": 0.8
        }
    }));
    layers.push(json!({
        "id": StyleLayer::RegionLine.id(), "type": "line", "source": "region", "source-layer": "region",
        "paint": {
            "line-color": "#1a1a1a",
            "line-width": ["interpolate", ["linear"], ["zoom"], 5, 1.0, 10, 2.5]
        }
    }));
    let halo = json!({ "text-color": "#1a1a1a", "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.6 });
    for area in AreaLayer::ALL {
        layers.push(json!({
            "id": StyleLayer::Area(area, Part::Markers).id(), "type": "circle",
            "source": area.points_source(),
            "maxzoom": MARKERS_MAX_ZOOM,
            "layout": { "visibility": "none" },
            "paint": {
                "circle-color": left_behind_colour(),
                "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, 2.2, 9, 3.0],
                "circle-opacity": marker_opacity(),
                "circle-stroke-width": 0
            }
        }));
    }
    for area in AreaLayer::ALL {
        layers.push(json!({
            "id": StyleLayer::Area(area, Part::Labels).id(), "type": "symbol",
            "source": area.points_source(),
            "minzoom": NAMES_MIN_ZOOM,
            "layout": {
                "visibility": "none",
                "text-field": ["get", "name"],
                "text-font": [FONT_REGULAR],
                "text-size": 11,
                "text-max-width": 8
            },
            "paint": halo.clone()
        }));
    }
    layers.push(json!({
        "id": StyleLayer::LadLabels.id(), "type": "symbol", "source": "lad24-labels",
        "minzoom": 7, "maxzoom": 13,
        "layout": {
            "text-field": ["get", "name"],
            "text-font": [FONT_REGULAR],
            "text-size": ["interpolate", ["linear"], ["zoom"], 7, 11, 11, 14],
            "text-max-width": 8
        },
        "paint": halo.clone()
    }));
    layers.push(json!({
        "id": StyleLayer::RegionLabels.id(), "type": "symbol", "source": "region-labels",
        "minzoom": 4, "maxzoom": 8,
        "layout": {
            "text-field": ["get", "name"],
            "text-font": [FONT_BOLD],
            "text-size": 13,
            "text-transform": "uppercase",
            "text-letter-spacing": 0.08,
            "text-max-width": 8
        },
        "paint": halo
    }));

    json!({
        "version": 8,
        "name": "cnimap",
        "glyphs": endpoints.glyphs(),
        "sources": sources,
        "layers": layers
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output_for(expr: &Value, input: u64) -> Option<&str> {
        let items = expr.as_array()?;
        items[2..items.len() - 1]
            .chunks(2)
            .find(|pair| pair[0].as_u64() == Some(input))
            .and_then(|pair| pair[1].as_str())
    }

    #[test]
    fn decile_fill_gives_every_decile_its_ramp_colour() {
        let expr = decile_fill(Ramp::Deprivation, &[]);
        for decile in 1..=10u8 {
            let expected = decile_colour(Ramp::Deprivation, decile).map(|c| c.to_hex());
            assert_eq!(output_for(&expr, u64::from(decile)), expected.as_deref());
        }
    }

    #[test]
    fn hidden_deciles_become_transparent_and_others_keep_their_colour() {
        let expr = decile_fill(Ramp::Need, &[1, 10]);
        assert_eq!(output_for(&expr, 1), Some(HIDDEN));
        assert_eq!(output_for(&expr, 10), Some(HIDDEN));
        let five = decile_colour(Ramp::Need, 5).map(|c| c.to_hex());
        assert_eq!(output_for(&expr, 5), five.as_deref());
    }

    #[test]
    fn a_measure_fill_reads_its_own_key_with_the_decile_colours() {
        let expr = measure_fill(Ramp::Deprivation, &[2]);
        assert_eq!(expr[1], json!(["feature-state", KEY_MEASURE]));
        let first = decile_colour(Ramp::Deprivation, 1).map(|c| c.to_hex());
        assert_eq!(output_for(&expr, 1), first.as_deref());
        assert_eq!(output_for(&expr, 2), Some(HIDDEN));
    }

    #[test]
    fn bivariate_fill_numbers_classes_from_one() {
        let expr = bivariate_fill(&[8]);
        let first = BivariateClass::ALL[0].colour().to_hex();
        assert_eq!(output_for(&expr, 1), Some(first.as_str()));
        assert_eq!(output_for(&expr, 9), Some(HIDDEN));
    }

    #[test]
    fn style_has_a_source_for_every_tile_layer_and_absolute_glyphs() {
        let s = style(&Endpoints::Server {
            origin: "http://127.0.0.1:8080".into(),
        });
        for layer in ["lsoa21", "lsoa11", "ward17", "lad24", "region"] {
            let url = s["sources"][layer]["url"].as_str();
            assert_eq!(
                url,
                Some(format!("http://127.0.0.1:8080/tiles/{layer}.json").as_str())
            );
        }
        assert_eq!(
            s["glyphs"].as_str(),
            Some("http://127.0.0.1:8080/glyphs/{fontstack}/{range}.pbf")
        );
    }

    #[test]
    fn a_static_site_style_reads_pmtiles_archives_and_files_under_its_base() {
        let s = style(&Endpoints::Static {
            base: "https://h.org/maps/".into(),
        });
        for layer in ["lsoa21", "lsoa11", "ward17", "lad24", "region"] {
            assert_eq!(
                s["sources"][layer]["url"].as_str(),
                Some(format!("pmtiles://https://h.org/maps/tiles/{layer}.pmtiles").as_str())
            );
        }
        assert_eq!(
            s["sources"]["region-labels"]["data"].as_str(),
            Some("https://h.org/maps/api/labels/region.json")
        );
        assert_eq!(
            s["glyphs"].as_str(),
            Some("https://h.org/maps/glyphs/{fontstack}/{range}.pbf")
        );
    }

    #[test]
    fn every_typed_layer_is_in_the_style_and_every_style_layer_is_typed() {
        let s = style(&Endpoints::Static {
            base: "http://127.0.0.1:8080/site/".into(),
        });
        let ids: Vec<&str> = s["layers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["id"].as_str())
            .collect();
        let mut typed: Vec<&str> = AreaLayer::ALL
            .into_iter()
            .flat_map(StyleLayer::parts_of)
            .chain([
                StyleLayer::Background,
                StyleLayer::LadLine,
                StyleLayer::RegionLine,
                StyleLayer::LadLabels,
                StyleLayer::RegionLabels,
            ])
            .map(StyleLayer::id)
            .collect();
        let mut in_style = ids.clone();
        typed.sort_unstable();
        in_style.sort_unstable();
        assert_eq!(typed, in_style);
    }

    #[test]
    fn markers_show_only_left_behind_areas_and_stop_where_polygons_are_big_enough() {
        let s = style(&Endpoints::Static {
            base: "http://127.0.0.1:8080/site/".into(),
        });
        let markers = s["layers"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["id"] == StyleLayer::Area(AreaLayer::Lsoa21, Part::Markers).id());
        let markers = markers.cloned().unwrap_or_default();
        assert_eq!(markers["source"], AreaLayer::Lsoa21.points_source());
        assert_eq!(markers["paint"]["circle-opacity"], marker_opacity());
        assert_eq!(markers["paint"]["circle-color"], left_behind_colour());
        assert_eq!(markers["maxzoom"], MARKERS_MAX_ZOOM);
    }

    #[test]
    fn every_layer_id_is_unique() {
        let s = style(&Endpoints::Static {
            base: "http://127.0.0.1:8080/site/".into(),
        });
        let mut ids: Vec<&str> = s["layers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["id"].as_str())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    /// Parses `#rrggbb` or `rgba(r,g,b,a)` into a colour and its opacity.
    fn parse_paint_colour(s: &str) -> Option<(cnimap_core::colour::Rgb, f64)> {
        use cnimap_core::colour::Rgb;
        if let Some(hex) = s.strip_prefix('#') {
            let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
            return Some((Rgb(c(0)?, c(2)?, c(4)?), 1.0));
        }
        let inner = s.strip_prefix("rgba(")?.strip_suffix(')')?;
        let parts: Vec<f64> = inner
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect();
        match parts[..] {
            [r, g, b, a] => Some((Rgb(r as u8, g as u8, b as u8), a)),
            _ => None,
        }
    }

    // Issue 14: text drawn over the map (area names) reads at 4.5:1 or more against its halo laid
    // over any colour the map can show beneath it (every ramp class, every bivariate class, the
    // left-behind colours, no data, the background), the halo's own opacity included.
    #[test]
    fn map_labels_keep_4_5_to_1_against_their_halo_over_every_map_colour() {
        use cnimap_core::bivariate::BivariateClass;
        use cnimap_core::colour::{Rgb, NO_DATA, WCAG_AA_TEXT_CONTRAST};
        let s = style(&Endpoints::Server {
            origin: "http://127.0.0.1:8080".into(),
        });
        let mut beneath: Vec<Rgb> = Ramp::ALL
            .iter()
            .flat_map(|r| r.colours().to_vec())
            .collect();
        beneath.extend(BivariateClass::ALL.iter().map(|c| c.colour()));
        beneath.push(NO_DATA);
        for css in [BACKGROUND, NOT_LEFT_BEHIND] {
            beneath.extend(parse_paint_colour(css).map(|(c, _)| c));
        }
        let mut labels = 0;
        let mut worst = f64::INFINITY;
        for layer in s["layers"].as_array().into_iter().flatten() {
            let paint = &layer["paint"];
            let (Some(text), Some(halo)) = (
                paint["text-color"].as_str(),
                paint["text-halo-color"].as_str(),
            ) else {
                continue;
            };
            labels += 1;
            let (text, _) = parse_paint_colour(text).expect("text colour");
            let (halo, alpha) = parse_paint_colour(halo).expect("halo colour");
            assert!(
                paint["text-halo-width"].as_f64().unwrap_or(0.0) >= 1.0,
                "a halo wide enough to read against"
            );
            for under in &beneath {
                let mix = |h: u8, u: u8| {
                    (alpha * f64::from(h) + (1.0 - alpha) * f64::from(u)).round() as u8
                };
                let seen = Rgb(
                    mix(halo.0, under.0),
                    mix(halo.1, under.1),
                    mix(halo.2, under.2),
                );
                let ratio = text.contrast_ratio(seen);
                worst = worst.min(ratio);
                assert!(
                    ratio >= WCAG_AA_TEXT_CONTRAST,
                    "{}: text {text} on halo {seen} over {under}: {ratio:.2}:1",
                    layer["id"]
                );
            }
        }
        assert!(labels > 0, "the style has text layers with a halo");
        assert!(worst >= WCAG_AA_TEXT_CONTRAST, "worst {worst:.2}:1");
    }
}
