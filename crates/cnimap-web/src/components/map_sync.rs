//! Effects that keep the map in step with the state: which layer shows, its feature-state
//! classes and fill colours, the selection outline, the label points, the highlight markers and
//! the attribution.

use std::collections::HashMap;

use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsValue;

use crate::classes::{
    active_layer, bivariate_classes, decile_classes, indicator_ramp, left_behind_flags,
};
use crate::layers::{AreaLayer, Part, StyleLayer};
use crate::map;
use crate::state::AppState;
use crate::style::{self, KEY_BIVARIATE, KEY_DECILE, KEY_LEFT_BEHIND, KEY_MEASURE};
use crate::url_state::ViewMode;

/// Name of the `performance.mark` set when the first choropleth has been painted.
pub const FIRST_PAINT_MARK: &str = "cnimap:first-choropleth";

fn set_performance_mark() {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark(FIRST_PAINT_MARK);
    }
}

/// Turns on what the first view left out to draw its choropleth sooner (see
/// [`crate::first_view`]): the council and region borders and names.
fn show_deferred(m: &map::Map) {
    let (layers, sources) = crate::first_view::deferred(&crate::api::endpoints());
    for (source, url) in sources {
        map::set_data_url(m, source, &url);
    }
    let visible = JsValue::from_str("visible");
    for layer in layers {
        map::set_layout(m, layer, "visibility", &visible);
    }
}

/// Keeps the visible layer, its feature-state classes and its fill colours in step with the
/// state. Classes are recomputed only when their data changes (hiding a class only repaints).
///
/// Nothing on the map changes until the data of the new view or indicator has arrived: every
/// MapLibre `setPaintProperty`/`setLayoutProperty` call repaints the whole map (hundreds of
/// milliseconds with software WebGL) even when the value is unchanged, so the old map stays as it
/// is while the values load, and properties are only set when they differ from what was set last.
pub fn sync_layers(app: AppState) {
    let applied = StoredValue::new(HashMap::<(AreaLayer, &'static str), String>::new());
    let visible = StoredValue::new(None::<AreaLayer>);
    let fills = StoredValue::new(HashMap::<AreaLayer, String>::new());
    let marked = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let view = app.view.get();
        let indicator = app.indicator.get();
        let hidden = app.hidden.get();
        let threshold = app.threshold.get();
        // A larger level (issue 11): the level's own tiles, or the LSOA tiles for wards.
        let at = app
            .map_level
            .get()
            .filter(|_| view == ViewMode::Choropleth)
            .and_then(|a| crate::levels::MapLevel::new(indicator, a.level, a.measure));
        let layer = at.map_or_else(|| active_layer(view, indicator), |a| a.layer());
        // The classes to show and the fill expression colouring them, once the data is here.
        type Classes = Box<dyn Fn() -> Vec<u8>>;
        let ready: Option<(&'static str, String, Classes, serde_json::Value)> = match view {
            ViewMode::Choropleth if at.is_some() => {
                crate::components::level_picker::current_summary()
                    .filter(|s| Some(s.at) == at && s.indicator == indicator)
                    .map(|s| {
                        let tag = format!(
                            "{}/{}/{}#{:x}",
                            s.at.level,
                            indicator,
                            s.at.measure,
                            summary_digest(&s)
                        );
                        let classes: Classes = Box::new(move || s.classes());
                        let fill = style::measure_fill(indicator_ramp(indicator), &hidden);
                        (KEY_MEASURE, tag, classes, fill)
                    })
            }
            ViewMode::Choropleth => app
                .current_values()
                .filter(|v| v.indicator == indicator.as_str())
                .map(|v| {
                    // The deciles' digest: the same indicator re-weighted (what-if) is new data.
                    let tag = format!("{indicator}#{:x}", deciles_digest(&v));
                    let classes: Classes = Box::new(move || decile_classes(&v));
                    let fill = style::decile_fill(indicator_ramp(indicator), &hidden);
                    (KEY_DECILE, tag, classes, fill)
                }),
            ViewMode::Bivariate => app.current_pair().map(|p| {
                let pair_tag = pair_digest(&p);
                let classes: Classes = Box::new(move || bivariate_classes(&p));
                (
                    KEY_BIVARIATE,
                    format!("pair#{pair_tag:x}"),
                    classes,
                    style::bivariate_fill(&hidden),
                )
            }),
            ViewMode::Change => crate::components::change_view::map_classes(&hidden)
                .map(|(k, t, c, f)| (k, t, Box::new(move || c.clone()) as Classes, f)),
            ViewMode::LeftBehind => app.current_pair().map(|p| {
                let pair_tag = pair_digest(&p);
                let rule = app.rule();
                let classes: Classes = Box::new(move || left_behind_flags(&p, rule));
                (
                    KEY_LEFT_BEHIND,
                    format!("{threshold}#{pair_tag:x}"),
                    classes,
                    style::left_behind_fill(),
                )
            }),
        };
        let Some((key, tag, classes, fill)) = ready else {
            return;
        };
        app.with_map(|m| {
            if applied.with_value(|a| a.get(&(layer, key)) != Some(&tag)) {
                map::set_classes(m, layer.source(), key, &classes());
                applied.update_value(|a| {
                    a.insert((layer, key), tag);
                });
            }
            if visible.get_value() != Some(layer) {
                for l in AreaLayer::ALL {
                    let visibility = JsValue::from_str(if l == layer { "visible" } else { "none" });
                    for part in [
                        Part::Fill,
                        Part::Line,
                        Part::Hover,
                        Part::Selected,
                        Part::Labels,
                    ] {
                        map::set_layout(m, StyleLayer::Area(l, part), "visibility", &visibility);
                    }
                }
                visible.set_value(Some(layer));
            }
            let fill_text = fill.to_string();
            if fills.with_value(|f| f.get(&layer) != Some(&fill_text)) {
                map::set_paint(
                    m,
                    StyleLayer::Area(layer, Part::Fill),
                    "fill-color",
                    &map::json(&fill),
                );
                fills.update_value(|f| {
                    f.insert(layer, fill_text);
                });
            }
            if !marked.get_value() {
                marked.set_value(true);
                let shown = m.clone();
                m.once(
                    "idle",
                    &map::callback(move |_| {
                        set_performance_mark();
                        show_deferred(&shown);
                    }),
                );
            }
        });
    });
}

/// Outlines the selected area on every colourable layer.
pub fn sync_selection(app: AppState) {
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let selected = app.selected.get();
        let filter = map::json(&style::code_filter(
            selected.as_ref().map(|s| s.code.as_str()),
        ));
        app.with_map(|m| {
            for layer in AreaLayer::ALL {
                map::set_layer_filter(m, StyleLayer::Area(layer, Part::Selected), &filter);
            }
        });
    });
}

/// Fetches the label points of the active layer the first time they are needed: when the map is
/// zoomed in far enough to draw the areas' names, or when the view highlights areas (the markers
/// are drawn at the label points).
pub fn load_points(app: AppState) {
    let loaded = StoredValue::new(Vec::<AreaLayer>::new());
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let view = app.view.get();
        let zoom = app.camera.get().map(|c| c.zoom).unwrap_or(0.0);
        let names = zoom >= style::NAMES_MIN_ZOOM - 0.5;
        if !names && !highlights(view) {
            return;
        }
        let layer = active_layer(view, app.indicator.get());
        if loaded.with_value(|l| l.contains(&layer)) {
            return;
        }
        loaded.update_value(|l| l.push(layer));
        let url = crate::api::endpoints().labels(layer.source());
        app.with_map(|m| map::set_data_url(m, layer.points_source(), &url));
    });
}

/// Whether a view highlights areas (then each is also drawn as a marker at its label point, so
/// areas too small to see at low zoom still show).
fn highlights(view: ViewMode) -> bool {
    view == ViewMode::LeftBehind
}

/// Keeps the highlight markers in step with the view: the left-behind flags set on the label
/// points (from the values, not the merged low-zoom geometry) and the marker layer shown only
/// while the left-behind view is.
pub fn sync_markers(app: AppState) {
    let shown = StoredValue::new(None::<AreaLayer>);
    let applied = StoredValue::new(None::<u8>);
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let view = app.view.get();
        let layer = active_layer(view, app.indicator.get());
        let want = highlights(view).then_some(layer);
        if want.is_some() {
            if let Some(pair) = app.current_pair() {
                let rule = app.rule();
                if applied.get_value() != Some(rule.percent()) {
                    let flags = left_behind_flags(&pair, rule);
                    app.with_map(|m| {
                        map::set_point_classes(m, layer.points_source(), KEY_LEFT_BEHIND, &flags)
                    });
                    applied.set_value(Some(rule.percent()));
                }
            }
        }
        if shown.get_value() != want {
            app.with_map(|m| {
                for l in AreaLayer::ALL {
                    let visibility =
                        JsValue::from_str(if Some(l) == want { "visible" } else { "none" });
                    map::set_layout(
                        m,
                        StyleLayer::Area(l, Part::Markers),
                        "visibility",
                        &visibility,
                    );
                }
            });
            shown.set_value(want);
        }
    });
}

/// Adds the attribution control once the dataset attributions are known.
pub fn sync_attribution(app: AppState) {
    let added = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() || added.get_value() {
            return;
        }
        let Some(meta) = app.current_meta() else {
            return;
        };
        added.set_value(true);
        let control = map::AttributionControl::new(&map::json(&json!({
            "compact": true,
            "customAttribution": meta.attribution
        })));
        app.with_map(|m| {
            m.add_control(&control, "bottom-right");
            map::fold_attribution(m);
            // MapLibre unfolds a compact attribution again when sources add theirs; fold it once
            // everything has loaded, so it never covers the map (the credit line in the side card
            // and the "i" button keep every source one click away).
            let folded = m.clone();
            m.once(
                "idle",
                &map::callback(move |_| map::fold_attribution(&folded)),
            );
        });
    });
}

/// A digest of a values document's deciles (FNV-1a): classes are set again only when it changes,
/// so an index re-weighted by the user (same indicator, new deciles) repaints, and nothing else
/// does.
fn deciles_digest(v: &cnimap_core::api::ValuesResponse) -> u64 {
    v.decile.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, d| {
        (h ^ u64::from(d.unwrap_or(0))).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A digest of a summary's classes (a re-weighted index summarises to new classes).
fn summary_digest(s: &crate::levels::SummaryMap) -> u64 {
    s.classes().iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, c| {
        (h ^ u64::from(*c)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The digest of both indices of the pair.
fn pair_digest(p: &crate::classes::Pair) -> u64 {
    deciles_digest(&p.need) ^ deciles_digest(&p.deprivation).rotate_left(1)
}
