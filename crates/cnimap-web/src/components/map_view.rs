//! The map: creates the MapLibre map, wires its events to the app state, keeps the map in step
//! with the state (which layer shows, the feature-state classes, paint, selection), and is the
//! one place that moves the camera (it obeys `AppState::camera_request`).

use std::collections::HashMap;

use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsValue;

use crate::camera::{keep_clear_offset, CameraRequest, ENGLAND_WGS84};
use crate::classes::{
    active_layer, bivariate_classes, decile_classes, indicator_ramp, left_behind_flags,
};
use crate::dom;
use crate::layers::{AreaLayer, Part, StyleLayer};
use crate::map::{self, Map};
use crate::state::{use_app, AppState, Hover};
use crate::style::{self, KEY_BIVARIATE, KEY_DECILE, KEY_LEFT_BEHIND};
use crate::url_state::{Camera, Selection, ViewMode};
use crate::words;

/// Name of the `performance.mark` set when the first choropleth has been painted.
pub const FIRST_PAINT_MARK: &str = "cnimap:first-choropleth";

/// What the map is and how to use it from the keyboard, for screen readers.
pub const MAP_LABEL: &str = "Map of England. Arrow keys move the map, plus and minus zoom, Enter \
chooses the area under the cross in the middle.";

/// The label of the reset-view button.
pub const RESET_LABEL: &str = "Whole of England";

/// `[[west, south], [east, north]]` for MapLibre.
fn bounds(bbox_wgs84: [f64; 4]) -> serde_json::Value {
    let [w, s, e, n] = bbox_wgs84;
    json!([[w, s], [e, n]])
}

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
    load_points(app);
    sync_markers(app);
    obey_camera_requests(app, container);
    let focused = RwSignal::new(false);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.repeat() {
            ev.prevent_default();
            if let Some(div) = container.get_untracked() {
                pick_at_centre(app, &div);
            }
        }
    };
    view! {
        <div
            class="map"
            node_ref=container
            data-testid="map"
            tabindex="0"
            role="application"
            aria-roledescription="map"
            aria-label=MAP_LABEL
            on:keydown=on_keydown
            on:focusin=move |_| focused.set(true)
            on:focusout=move |_| focused.set(false)
        ></div>
        <Show when=move || focused.get()>
            <div class="map-crosshair" aria-hidden="true"></div>
        </Show>
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
            options["bounds"] = bounds(ENGLAND_WGS84);
            options["fitBoundsOptions"] =
                json!({ "padding": map::padding(dom::covered_padding(div)) });
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
    // The reset view: the whole of England, clear of the cards.
    m.add_control(
        &map::button("reset-view", RESET_LABEL, "⌂", move || {
            app.camera_request.set(Some(CameraRequest::England));
        }),
        "bottom-right",
    );
    m.add_control(
        &map::ScaleControl::new(&map::json(&json!({ "unit": "metric" }))),
        "bottom-left",
    );
    map::expose(&m);
    map::keyboard_on_container(&m, div);

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
    let hovered = StoredValue::new(None::<(AreaLayer, u32)>);
    for layer in AreaLayer::ALL {
        let fill = StyleLayer::Area(layer, Part::Fill);
        let m2 = m.clone();
        map::on_style_layer(
            &m,
            "mousemove",
            fill,
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
                            &map::feature_ref(l.source(), old),
                            &map::json(&json!({ "hover": false })),
                        );
                    }
                    m2.set_feature_state(
                        &map::feature_ref(layer.source(), id),
                        &map::json(&json!({ "hover": true })),
                    );
                    hovered.set_value(Some((layer, id)));
                }
                let detail = describe(app, id as usize);
                app.hover.set(Some(Hover { x, y, name, detail }));
            }),
        );
        let m3 = m.clone();
        map::on_style_layer(
            &m,
            "mouseleave",
            fill,
            &map::callback(move |_| {
                if let Some((l, old)) = hovered.get_value() {
                    m3.set_feature_state(
                        &map::feature_ref(l.source(), old),
                        &map::json(&json!({ "hover": false })),
                    );
                }
                hovered.set_value(None);
                app.hover.set(None);
            }),
        );
        map::on_style_layer(
            &m,
            "click",
            fill,
            &map::callback(move |e| {
                if let Some((_, code, _)) = map::first_feature(&e) {
                    if !code.is_empty() {
                        app.select(Selection::on(code, layer.level()), false);
                    }
                }
            }),
        );
    }
    app.map.set_value(Some(m));
}

/// Selects the area of the shown layer under the middle of the map (where the crosshair is).
fn pick_at_centre(app: AppState, div: &web_sys::HtmlDivElement) {
    let layer = active_layer(app.view.get_untracked(), app.indicator.get_untracked());
    let (x, y) = (
        f64::from(div.client_width()) / 2.0,
        f64::from(div.client_height()) / 2.0,
    );
    let mut found = None;
    app.with_map(|m| found = map::feature_at(m, x, y, StyleLayer::Area(layer, Part::Fill)));
    match found {
        Some((_, code, _)) if !code.is_empty() => {
            app.select(Selection::on(code, layer.level()), false);
        }
        _ => tracing::debug!("no area under the middle of the map"),
    }
}

/// The value of feature `index` of the current view, in words, for the tooltip.
fn describe(app: AppState, index: usize) -> String {
    let loading = || "Loading…".to_string();
    match app.view.get_untracked() {
        ViewMode::Choropleth => app
            .values
            .get_untracked()
            .flatten()
            .map(|v| words::describe_decile(&v, index))
            .unwrap_or_else(loading),
        ViewMode::Bivariate => app
            .pair
            .get_untracked()
            .flatten()
            .map(|p| words::describe_bivariate(&p, index))
            .unwrap_or_else(loading),
        ViewMode::LeftBehind => {
            let rule = app.rule_untracked();
            app.pair
                .get_untracked()
                .flatten()
                .map(|p| words::describe_left_behind(&p, rule, index))
                .unwrap_or_else(loading)
        }
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
        let layer = active_layer(view, indicator);
        // The classes to show and the fill expression colouring them, once the data is here.
        type Classes = Box<dyn Fn() -> Vec<u8>>;
        let ready: Option<(&'static str, String, Classes, serde_json::Value)> = match view {
            ViewMode::Choropleth => app
                .current_values()
                .filter(|v| v.indicator == indicator.as_str())
                .map(|v| {
                    let classes: Classes = Box::new(move || decile_classes(&v));
                    let fill = style::decile_fill(indicator_ramp(indicator), &hidden);
                    (KEY_DECILE, indicator.to_string(), classes, fill)
                }),
            ViewMode::Bivariate => app.current_pair().map(|p| {
                let classes: Classes = Box::new(move || bivariate_classes(&p));
                (
                    KEY_BIVARIATE,
                    "pair".to_string(),
                    classes,
                    style::bivariate_fill(&hidden),
                )
            }),
            ViewMode::LeftBehind => app.current_pair().map(|p| {
                let rule = app.rule();
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
fn load_points(app: AppState) {
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
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        app.with_map(|m| {
            map::set_data_url(
                m,
                layer.points_source(),
                &format!("{origin}/api/labels/{}", layer.source()),
            )
        });
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
fn sync_markers(app: AppState) {
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
fn sync_attribution(app: AppState) {
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

/// The one place the camera moves: each request is carried out on the next animation frame (so
/// the cards it must keep clear of are laid out), with the padding of what covers the map then.
fn obey_camera_requests(app: AppState, container: NodeRef<leptos::html::Div>) {
    Effect::new(move |_| {
        let Some(request) = app.camera_request.get() else {
            return;
        };
        app.camera_request.set(None);
        request_animation_frame(move || {
            let Some(div) = container.get_untracked() else {
                return;
            };
            app.with_map(|m| move_camera(m, &div, request));
        });
    });
}

fn move_camera(m: &Map, div: &web_sys::HtmlDivElement, request: CameraRequest) {
    let padding = dom::covered_padding(div);
    tracing::debug!(?request, ?padding, "camera");
    match request {
        CameraRequest::Fit {
            bbox_wgs84,
            max_zoom,
        } => m.fit_bounds(
            &map::json(&bounds(bbox_wgs84)),
            &map::json(&json!({
                "padding": map::padding(padding), "maxZoom": max_zoom, "duration": 900
            })),
        ),
        CameraRequest::England => m.fit_bounds(
            &map::json(&bounds(ENGLAND_WGS84)),
            &map::json(&json!({ "padding": map::padding(padding), "duration": 700 })),
        ),
        CameraRequest::JumpTo(c) => m.jump_to(&map::json(&json!({
            "center": [c.lon, c.lat], "zoom": c.zoom
        }))),
        CameraRequest::KeepClear { before } => {
            let (w, h) = (
                f64::from(div.client_width()),
                f64::from(div.client_height()),
            );
            if let Some((dx, dy)) = keep_clear_offset(before, padding, w, h) {
                m.pan_by(
                    &map::json(&json!([dx, dy])),
                    &map::json(&json!({ "duration": 300 })),
                );
            }
        }
    }
}
