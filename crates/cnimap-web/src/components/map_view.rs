//! The map: creates the MapLibre map, wires its events to the app state, and keeps the map in
//! step with the state (which layer shows, the feature-state classes, paint, selection).

use cnimap_core::classify::format_thousands;
use cnimap_core::left_behind::LeftBehindRule;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsValue;

use crate::map::{self, Map};
use crate::state::{
    active_layer, bivariate_classes, bivariate_of, decile_classes, indicator_ramp,
    left_behind_flags, use_app, AppState, Hover,
};
use crate::style::{self, layer_ids, FILL_LAYERS, KEY_BIVARIATE, KEY_DECILE, KEY_LEFT_BEHIND};
use crate::url_state::{Camera, ViewMode};

/// England, `[[west, south], [east, north]]`, for the first view.
const ENGLAND_WGS84: [[f64; 2]; 2] = [[-6.0, 49.9], [1.8, 55.8]];

/// Padding for fitting or flying to a place so it lands clear of the side cards (desktop) or the
/// top card and bottom sheet (phone), in CSS pixels.
pub fn clear_padding() -> serde_json::Value {
    let (w, h) = viewport();
    if w > 900.0 {
        json!({ "top": 40, "bottom": 60, "left": 380, "right": 430 })
    } else if w > 640.0 {
        json!({ "top": 40, "bottom": 60, "left": 370, "right": 30 })
    } else {
        json!({ "top": 80, "bottom": (h * 0.55).round(), "left": 20, "right": 20 })
    }
}

/// Padding for the first view of England, clear of the side card (desktop) or top card (phone).
fn initial_padding() -> serde_json::Value {
    let (w, h) = viewport();
    if w > 640.0 {
        json!({ "top": 20, "bottom": 30, "left": 370, "right": 20 })
    } else {
        json!({ "top": (h * 0.3).round(), "bottom": 10, "left": 10, "right": 10 })
    }
}

/// Window width and height in CSS pixels.
fn viewport() -> (f64, f64) {
    web_sys::window()
        .map(|w| {
            let px = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
            (px(w.inner_width()), px(w.inner_height()))
        })
        .unwrap_or((1280.0, 800.0))
}

/// Name of the `performance.mark` set when the first choropleth has been painted.
pub const FIRST_PAINT_MARK: &str = "cnimap:first-choropleth";

/// The map container and the hover tooltip.
#[component]
pub fn MapView() -> impl IntoView {
    let app = use_app();
    let container: NodeRef<leptos::html::Div> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(div) = container.get() {
            if app.map.with_value(Option::is_none) {
                create_map(app, &div);
            }
        }
    });
    sync_layers(app);
    sync_selection(app);
    sync_attribution(app);
    load_names(app);
    view! {
        <div class="map" node_ref=container data-testid="map"></div>
        <Show when=move || app.hover.with(Option::is_some)>
            {move || {
                app.hover.get().map(|h| {
                    view! {
                        <div
                            class="tooltip"
                            role="status"
                            style:left=format!("{}px", h.x + 14.0)
                            style:top=format!("{}px", h.y + 14.0)
                        >
                            <strong>{h.name}</strong>
                            <span>{h.detail}</span>
                        </div>
                    }
                })
            }}
        </Show>
    }
}

fn create_map(app: AppState, div: &web_sys::HtmlDivElement) {
    if !map::maplibre_loaded() {
        app.report("The map library (MapLibre GL JS) did not load.");
        return;
    }
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let mut options = json!({
        "style": style::style(&origin),
        "attributionControl": false,
        "dragRotate": false,
        "pitchWithRotate": false,
        "touchPitch": false,
        "minZoom": 4,
        "maxZoom": 16,
        "fadeDuration": 0
    });
    match app.camera.get_untracked() {
        Some(c) => {
            options["center"] = json!([c.lon, c.lat]);
            options["zoom"] = json!(c.zoom);
        }
        None => {
            options["bounds"] = json!(ENGLAND_WGS84);
            options["fitBoundsOptions"] = json!({ "padding": initial_padding() });
        }
    }
    let options = map::json(&options);
    let _ = js_sys::Reflect::set(&options, &"container".into(), div);
    let m = match Map::new(&options) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(?e, "MapLibre could not start");
            app.report("The map could not start: this browser may not support WebGL.");
            return;
        }
    };
    m.add_control(
        &map::NavigationControl::new(&map::json(&json!({ "showCompass": false }))),
        "bottom-right",
    );
    m.add_control(
        &map::ScaleControl::new(&map::json(&json!({ "unit": "metric" }))),
        "bottom-left",
    );
    map::expose(&m);

    m.on(
        "load",
        &map::callback(move |_| {
            app.map_ready.set(true);
        }),
    );
    let moved = m.clone();
    m.on(
        "moveend",
        &map::callback(move |_| {
            let c = moved.get_center();
            app.camera.set(Some(Camera {
                lon: c.lng(),
                lat: c.lat(),
                zoom: moved.get_zoom(),
            }));
        }),
    );
    m.on(
        "error",
        &map::callback(move |e| {
            let err = map::get(&e, "error");
            let message = map::get(&err, "message").as_string().unwrap_or_default();
            tracing::warn!(%message, "map error");
            if !app.map_ready.get_untracked() || message.contains("Failed to fetch") {
                app.report(format!("Map data could not be loaded: {message}"));
            }
        }),
    );
    let hovered = StoredValue::new(None::<(&'static str, u32)>);
    for layer in FILL_LAYERS {
        let fill = style::fill_id(layer);
        let m2 = m.clone();
        m.on_layer(
            "mousemove",
            &fill,
            &map::callback(move |e| {
                let Some((id, _code, name)) = map::first_feature(&e) else {
                    return;
                };
                let Some((x, y)) = map::event_point(&e) else {
                    return;
                };
                if hovered.get_value() != Some((layer, id)) {
                    if let Some((l, old)) = hovered.get_value() {
                        m2.set_feature_state(
                            &map::feature_ref(l, old),
                            &map::json(&json!({ "hover": false })),
                        );
                    }
                    m2.set_feature_state(
                        &map::feature_ref(layer, id),
                        &map::json(&json!({ "hover": true })),
                    );
                    hovered.set_value(Some((layer, id)));
                }
                let detail = describe(app, id as usize);
                app.hover.set(Some(Hover { x, y, name, detail }));
            }),
        );
        let m3 = m.clone();
        m.on_layer(
            "mouseleave",
            &fill,
            &map::callback(move |_| {
                if let Some((l, old)) = hovered.get_value() {
                    m3.set_feature_state(
                        &map::feature_ref(l, old),
                        &map::json(&json!({ "hover": false })),
                    );
                }
                hovered.set_value(None);
                app.hover.set(None);
            }),
        );
        m.on_layer(
            "click",
            &fill,
            &map::callback(move |e| {
                if let Some((_, code, _)) = map::first_feature(&e) {
                    if !code.is_empty() {
                        app.fly_to_selected.set(false);
                        app.selected.set(Some(code));
                    }
                }
            }),
        );
    }
    app.map.set_value(Some(m));
}

/// The value of feature `index` of the current view, in words, for the tooltip.
fn describe(app: AppState, index: usize) -> String {
    match app.view.get_untracked() {
        ViewMode::Choropleth => app.values.with_untracked(|v| {
            let Some(v) = v else {
                return "Loading…".to_string();
            };
            match (
                v.decile.get(index).copied().flatten(),
                v.rank.get(index).copied().flatten(),
            ) {
                (Some(d), Some(r)) => format!(
                    "Decile {d} · rank {} of {}",
                    format_thousands(r),
                    format_thousands(v.n_ranked)
                ),
                (Some(d), None) => format!("Decile {d}"),
                _ => "No value".to_string(),
            }
        }),
        ViewMode::Bivariate => app.pair.with_untracked(|p| {
            p.as_ref()
                .and_then(|p| bivariate_classes(p).get(index).copied())
                .and_then(bivariate_of)
                .map(|c| c.label().to_string())
                .unwrap_or_else(|| "No value".to_string())
        }),
        ViewMode::LeftBehind => app.pair.with_untracked(|p| {
            let Some(p) = p else {
                return "Loading…".to_string();
            };
            let (imd, cni) = (
                p.imd.rank.get(index).copied().flatten(),
                p.cni.rank.get(index).copied().flatten(),
            );
            let rule = LeftBehindRule::new(app.threshold.get_untracked()).unwrap_or_default();
            match (imd, cni) {
                (Some(i), Some(c)) => {
                    let verdict = if rule.is_left_behind(c, p.cni.n_ranked, i, p.imd.n_ranked) {
                        "Left behind"
                    } else {
                        "Not left behind"
                    };
                    format!(
                        "{verdict} · CNI rank {} · IMD rank {}",
                        format_thousands(c),
                        format_thousands(i)
                    )
                }
                _ => "No value".to_string(),
            }
        }),
    }
}

fn set_performance_mark() {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark(FIRST_PAINT_MARK);
    }
}

/// Keeps the visible layer, its feature-state classes and its fill colours in step with the
/// state. Classes are recomputed only when their data changes (hiding a class only repaints).
///
/// Nothing on the map changes until the data of the new view or indicator has arrived: every
/// MapLibre `setPaintProperty`/`setLayoutProperty` call repaints the whole map (hundreds of
/// milliseconds with software WebGL) even when the value is unchanged, so the old map stays as it
/// is while the values load, and properties are only set when they differ from what was set last.
fn sync_layers(app: AppState) {
    let applied = StoredValue::new(std::collections::HashMap::<
        (&'static str, &'static str),
        String,
    >::new());
    let visible = StoredValue::new(None::<&'static str>);
    let fills = StoredValue::new(std::collections::HashMap::<&'static str, String>::new());
    let marked = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let view = app.view.get();
        let indicator = app.indicator.get();
        let hidden = app.hidden.get();
        let threshold = app.threshold.get();
        let layer = active_layer(view, &indicator).id();
        let Some(layer) = FILL_LAYERS.into_iter().find(|l| *l == layer) else {
            return;
        };
        // The classes to show and the fill expression colouring them, once the data is here.
        type Classes = Box<dyn Fn() -> Vec<u8>>;
        let ready: Option<(&'static str, String, Classes, serde_json::Value)> = match view {
            ViewMode::Choropleth => {
                app.values
                    .get()
                    .filter(|v| v.indicator == indicator)
                    .map(|v| {
                        let classes: Classes = Box::new(move || decile_classes(&v));
                        let fill = style::decile_fill(indicator_ramp(&indicator), &hidden);
                        (KEY_DECILE, indicator.clone(), classes, fill)
                    })
            }
            ViewMode::Bivariate => app.pair.get().map(|p| {
                let classes: Classes = Box::new(move || bivariate_classes(&p));
                (
                    KEY_BIVARIATE,
                    "pair".to_string(),
                    classes,
                    style::bivariate_fill(&hidden),
                )
            }),
            ViewMode::LeftBehind => app.pair.get().map(|p| {
                let rule = LeftBehindRule::new(threshold).unwrap_or_default();
                let classes: Classes = Box::new(move || left_behind_flags(&p, rule));
                (
                    KEY_LEFT_BEHIND,
                    threshold.to_string(),
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
                map::set_classes(m, layer, key, &classes());
                applied.update_value(|a| {
                    a.insert((layer, key), tag);
                });
            }
            if visible.get_value() != Some(layer) {
                for l in FILL_LAYERS {
                    let visibility = JsValue::from_str(if l == layer { "visible" } else { "none" });
                    for id in layer_ids(l) {
                        m.set_layout_property(&id, "visibility", &visibility);
                    }
                }
                visible.set_value(Some(layer));
            }
            let fill_text = fill.to_string();
            if fills.with_value(|f| f.get(layer) != Some(&fill_text)) {
                m.set_paint_property(&style::fill_id(layer), "fill-color", &map::json(&fill));
                fills.update_value(|f| {
                    f.insert(layer, fill_text);
                });
            }
            if !marked.get_value() {
                marked.set_value(true);
                m.once("idle", &map::callback(|_| set_performance_mark()));
            }
        });
    });
}

/// Outlines the selected area on every colourable layer.
fn sync_selection(app: AppState) {
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let selected = app.selected.get();
        let filter = map::json(&style::code_filter(selected.as_deref()));
        app.with_map(|m| {
            for layer in FILL_LAYERS {
                m.set_filter(&format!("{layer}-selected"), &filter);
            }
        });
    });
}

/// Fetches the label points of the active layer the first time the map is zoomed in far enough
/// to draw them.
fn load_names(app: AppState) {
    let loaded = StoredValue::new(Vec::<&'static str>::new());
    Effect::new(move |_| {
        if !app.map_ready.get() {
            return;
        }
        let zoom = app.camera.get().map(|c| c.zoom).unwrap_or(0.0);
        if zoom < style::NAMES_MIN_ZOOM - 0.5 {
            return;
        }
        let layer = active_layer(app.view.get(), &app.indicator.get()).id();
        let Some(layer) = FILL_LAYERS.into_iter().find(|l| *l == layer) else {
            return;
        };
        if loaded.with_value(|l| l.contains(&layer)) {
            return;
        }
        loaded.update_value(|l| l.push(layer));
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        app.with_map(|m| {
            map::set_data_url(
                m,
                &style::names_source(layer),
                &format!("{origin}/api/labels/{layer}"),
            )
        });
    });
}

/// Adds the attribution control once the dataset attributions are known.
fn sync_attribution(app: AppState) {
    let added = StoredValue::new(false);
    Effect::new(move |_| {
        if !app.map_ready.get() || added.get_value() {
            return;
        }
        let Some(meta) = app.meta.get() else { return };
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
