//! The map: creates the MapLibre map, wires its events to the app state (hover, click, Enter at
//! the crosshair), and mounts the effects that keep it in step with the state
//! ([`crate::components::map_sync`]) and move its camera ([`crate::components::map_camera`]).

use leptos::prelude::*;
use serde_json::json;

use crate::camera::{CameraRequest, ENGLAND_WGS84};
use crate::classes::active_layer;
use crate::components::map_camera::{bounds, obey_camera_requests};
use crate::components::map_sync;
use crate::dom;
use crate::layers::{AreaLayer, Part, StyleLayer};
use crate::map::{self, Map};
use crate::state::{use_app, AppState, Hover};
use crate::style;
use crate::url_state::{Camera, ViewMode};
use crate::words;

/// What the map is and how to use it from the keyboard, for screen readers.
pub const MAP_LABEL: &str = "Map of England. Arrow keys move the map, plus and minus zoom, Enter \
chooses the area under the cross in the middle.";

/// The label of the reset-view button.
pub const RESET_LABEL: &str = "Whole of England";

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
    map_sync::sync_layers(app);
    map_sync::sync_selection(app);
    map_sync::sync_attribution(app);
    map_sync::load_points(app);
    map_sync::sync_markers(app);
    crate::components::change_view::sync_ward_outlines(app);
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

/// The layer the first view colours (as [`map_sync::sync_layers`] picks it), shown from the start.
fn first_layer(app: AppState) -> AreaLayer {
    let (view, indicator) = (app.view.get_untracked(), app.indicator.get_untracked());
    app.map_level
        .get_untracked()
        .filter(|_| view == ViewMode::Choropleth)
        .and_then(|a| crate::levels::MapLevel::new(indicator, a.level, a.measure))
        .map_or_else(|| active_layer(view, indicator), |a| a.layer())
}

/// The indicator of the first view when the bootstrap's map can show it (a choropleth of the
/// LSOA values with no class hidden and no larger level), else "" (the app makes its own map).
fn boot_view(app: AppState) -> String {
    let plain = app.view.get_untracked() == ViewMode::Choropleth
        && app.map_level.get_untracked().is_none()
        && app.hidden.with_untracked(|h| h.is_empty());
    if plain {
        app.indicator.get_untracked().as_str().to_string()
    } else {
        String::new()
    }
}

fn create_map(app: AppState, div: &web_sys::HtmlDivElement) {
    if !map::maplibre_loaded() {
        app.report("The map library (MapLibre GL JS) did not load.");
        return;
    }
    let mut options = json!({
        "style": crate::first_view::first_view_style(
            style::style(&crate::api::endpoints()),
            first_layer(app)
        ),
        "attributionControl": false,
        "dragRotate": false,
        "pitchWithRotate": false,
        "touchPitch": false,
        "minZoom": crate::boot::MIN_ZOOM,
        "maxZoom": crate::boot::MAX_ZOOM,
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
    // The map assets/boot.js made while the wasm loaded, when it shows this first view (issue 15).
    let adopted = crate::boot::adopt(div, &options, &boot_view(app), first_layer(app).source());
    let style_in = adopted.as_ref().is_some_and(|(_, ready)| *ready);
    let m = match adopted.map_or_else(|| Map::new(&options), |(m, _)| Ok(m)) {
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

    // Ready once the style is in (its sources exist, so classes can be set while the first
    // view's tiles still load), not at `load`, which waits for every tile of the view.
    m.once(
        "style.load",
        &map::callback(move |_| {
            app.map_ready.set(true);
        }),
    );
    if style_in {
        app.map_ready.set(true);
    }
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
                if let Some((id, code, _)) = map::first_feature(&e) {
                    if !code.is_empty() {
                        let picked = crate::components::level_picker::picked_untracked(
                            app,
                            layer,
                            id as usize,
                            code,
                        );
                        app.select(picked, false);
                    }
                }
            }),
        );
    }
    app.map.set_value(Some(m));
}

/// Selects the area of the shown layer under the middle of the map (where the crosshair is).
fn pick_at_centre(app: AppState, div: &web_sys::HtmlDivElement) {
    let layer = crate::components::level_picker::shown_layer_untracked(app)
        .unwrap_or_else(|| active_layer(app.view.get_untracked(), app.indicator.get_untracked()));
    let (x, y) = (
        f64::from(div.client_width()) / 2.0,
        f64::from(div.client_height()) / 2.0,
    );
    let mut found = None;
    app.with_map(|m| found = map::feature_at(m, x, y, StyleLayer::Area(layer, Part::Fill)));
    match found {
        Some((id, code, _)) if !code.is_empty() => {
            let picked =
                crate::components::level_picker::picked_untracked(app, layer, id as usize, code);
            app.select(picked, false);
        }
        _ => tracing::debug!("no area under the middle of the map"),
    }
}

/// The value of feature `index` of the current view, in words, for the tooltip.
fn describe(app: AppState, index: usize) -> String {
    let loading = || "Loading…".to_string();
    if let Some(text) = crate::components::level_picker::describe_untracked(app, index) {
        return text;
    }
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
        ViewMode::Change => {
            crate::components::change_view::describe_untracked(index).unwrap_or_else(loading)
        }
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
