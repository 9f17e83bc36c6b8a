//! The map in words, for screen readers: the legend of the current view as sentences and a table
//! of the areas in view with their values (worst off first, at most
//! [`words::MAP_TEXT_ROWS`] rows and how many more), made again half a second after the map stops
//! moving (and its tiles are drawn). Visually hidden; reached by its heading.

use std::sync::Arc;
use std::time::Duration;

use cnimap_core::bivariate::BIVARIATE_METHOD;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::classes::{
    active_layer, bivariate_classes, indicator_layer, left_behind_flags, left_behind_method,
};
use crate::layers::{AreaLayer, Part, StyleLayer};
use crate::levels::{class_of, level_label, measure_label, value_text, SummaryMap};
use crate::map;
use crate::state::{use_app, AppState};
use crate::url_state::ViewMode;
use crate::words::{self, decile_ten_phrase};

/// How long the map must be still before the list is made again.
const DEBOUNCE: Duration = Duration::from_millis(500);

/// One area in view: its feature index, code and name.
#[derive(Clone, PartialEq)]
struct InView {
    index: usize,
    code: String,
    name: String,
}

/// The summary the choropleth shows at a larger level (wards, local authorities, regions),
/// tracked; `None` at the indicator's own level and in the other views.
fn larger_level(app: AppState) -> Option<Arc<SummaryMap>> {
    if app.view.get() != ViewMode::Choropleth || app.map_level.get().is_none() {
        return None;
    }
    crate::components::level_picker::current_summary()
}

/// The areas of the active layer drawn in the viewport (once each), and the zoom; `None` before
/// the map exists. At a larger level the areas are the larger ones (`index` into the summary's
/// areas): a ward drawn on the LSOA tiles comes once however many of its LSOAs are in view.
fn areas_in_view(app: AppState, larger: Option<&SummaryMap>) -> Option<(f64, Vec<InView>)> {
    let layer = larger.map_or_else(
        || active_layer(app.view.get_untracked(), app.indicator.get_untracked()),
        |s| s.at.layer(),
    );
    // Local authorities and regions are few enough to list from the whole of England.
    let min_zoom = match layer {
        AreaLayer::Lad24 | AreaLayer::Region => 0.0,
        _ => words::MAP_TEXT_MIN_ZOOM,
    };
    let mut out = None;
    app.with_map(|m| {
        let zoom = m.get_zoom();
        if zoom < min_zoom {
            out = Some((zoom, Vec::new()));
            return;
        }
        let options =
            map::json(&serde_json::json!({ "layers": [StyleLayer::Area(layer, Part::Fill).id()] }));
        let found = m.query_rendered_features(&JsValue::UNDEFINED, &options);
        let list = js_sys::Array::from(&found);
        let mut seen = std::collections::HashSet::new();
        let mut areas = Vec::new();
        for f in list.iter() {
            let Some(id) = map::get(&f, "id").as_f64() else {
                continue;
            };
            let index = match larger {
                Some(s) => match s.area_of_feature(id as usize) {
                    Some(a) => a,
                    None => continue, // a feature outside every larger area (not in England)
                },
                None => id as usize,
            };
            if !seen.insert(index) {
                continue; // an area cut by tile edges comes once per tile
            }
            let (code, name) = match larger.and_then(|s| s.areas.get(index)) {
                Some(a) => (a.code.clone(), a.name.clone()),
                None => {
                    let props = map::get(&f, "properties");
                    (
                        map::get(&props, "code").as_string().unwrap_or_default(),
                        map::get(&props, "name").as_string().unwrap_or_default(),
                    )
                }
            };
            areas.push(InView { index, code, name });
        }
        out = Some((zoom, areas));
    });
    out
}

/// A larger area's value in words ("50%: share of LSOAs in the most deprived 10%") and its class
/// as a sort key (the worst class first, no value last).
fn described_larger(s: &SummaryMap, area: usize) -> (u16, String) {
    let value = s.value(area);
    let class = class_of(s.at.measure, value, s.n_lsoas, s.n_areas());
    let label = measure_label(s.at.measure, s.indicator.def().direction()).to_lowercase();
    let text = match value {
        Some(v) => format!("{}: {label}", value_text(s.at.measure, v)),
        None => "No value".to_string(),
    };
    (if class == 0 { 99 } else { u16::from(class) }, text)
}

/// Each area's value in words and a key that sorts the worst off first.
fn described(
    app: AppState,
    larger: Option<&SummaryMap>,
    areas: Vec<InView>,
) -> Vec<(u16, InView, String)> {
    if let Some(s) = larger {
        let mut rows: Vec<(u16, InView, String)> = areas
            .into_iter()
            .map(|a| {
                let (key, text) = described_larger(s, a.index);
                (key, a, text)
            })
            .collect();
        rows.sort_by(|x, y| (x.0, &x.1.name).cmp(&(y.0, &y.1.name)));
        return rows;
    }
    let mut rows: Vec<(u16, InView, String)> = match app.view.get() {
        ViewMode::Choropleth => {
            let Some(values) = app.values.get().flatten() else {
                return Vec::new();
            };
            areas
                .into_iter()
                .map(|a| {
                    let key = values
                        .decile
                        .get(a.index)
                        .copied()
                        .flatten()
                        .map_or(99, u16::from);
                    let text = words::describe_decile(&values, a.index);
                    (key, a, text)
                })
                .collect()
        }
        ViewMode::Bivariate => {
            let Some(pair) = app.pair.get().flatten() else {
                return Vec::new();
            };
            let classes = bivariate_classes(&pair);
            areas
                .into_iter()
                .map(|a| {
                    // Class numbers run from the worst corner; 0 is no value.
                    let key = match classes.get(a.index).copied().unwrap_or(0) {
                        0 => 99,
                        c => u16::from(c),
                    };
                    let text = words::describe_bivariate(&pair, a.index);
                    (key, a, text)
                })
                .collect()
        }
        ViewMode::Change => {
            let Some(doc) = crate::components::change_view::current_doc() else {
                return Vec::new();
            };
            let key = |i| crate::change::sort_key(&doc, i);
            let text = |i| crate::change::describe(&doc, i);
            areas
                .into_iter()
                .map(|a| (key(a.index), text(a.index), a))
                .map(|(k, t, a)| (k, a, t))
                .collect()
        }
        ViewMode::LeftBehind => {
            let Some(pair) = app.pair.get().flatten() else {
                return Vec::new();
            };
            let rule = app.rule();
            let flags = left_behind_flags(&pair, rule);
            areas
                .into_iter()
                .map(|a| {
                    // Flag 1 is left behind, 2 not, 0 a rank missing.
                    let key = match flags.get(a.index).copied().unwrap_or(0) {
                        1 => 0,
                        2 => 1,
                        _ => 2,
                    };
                    let text = words::describe_left_behind(&pair, rule, a.index);
                    (key, a, text)
                })
                .collect()
        }
    };
    rows.sort_by(|x, y| (x.0, &x.1.name).cmp(&(y.0, &y.1.name)));
    rows
}

/// The legend of the current view in sentences.
fn legend_words(app: AppState) -> String {
    if let Some(s) = larger_level(app) {
        let def = s.indicator.def();
        return format!(
            "The map shows {} for {}, by {}. {}",
            def.title,
            level_label(s.at.level).to_lowercase(),
            measure_label(s.at.measure, def.direction()).to_lowercase(),
            s.at.measure.method(def)
        );
    }
    match app.view.get() {
        ViewMode::Choropleth => {
            let id = app.indicator.get();
            let def = id.def();
            let noun = indicator_layer(id).level().areas_noun();
            format!(
                "The map shows {}, by decile. Decile {}. Decile {}. The darker the colour, the \
                 lower the decile.",
                def.title,
                def.direction().decile_one_phrase(noun),
                decile_ten_phrase(def.direction(), noun).trim_start_matches("10 = ")
            )
        }
        ViewMode::Bivariate => format!(
            "The map shows deprivation and community need together, in nine colours. {BIVARIATE_METHOD}"
        ),
        ViewMode::Change => crate::change::legend_sentence(),
        ViewMode::LeftBehind => app
            .pair
            .get()
            .flatten()
            .map(|p| left_behind_method(&p, app.rule()))
            .unwrap_or_else(|| "The map shows the left-behind neighbourhoods.".to_string()),
    }
}

/// Bumps `tick` once the map has drawn every tile in view (at once when it has already).
fn when_drawn(app: AppState, tick: RwSignal<u32>) {
    app.with_map(|m| {
        let this: &JsValue = m.as_ref();
        let loaded = map::get(this, "loaded")
            .dyn_ref::<js_sys::Function>()
            .and_then(|f| f.call0(this).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if loaded {
            tick.update(|t| *t += 1);
        } else {
            m.once("idle", &map::callback(move |_| tick.update(|t| *t += 1)));
        }
    });
}

/// The map's text alternative: a visually hidden section with a heading, the legend in words and
/// the table of the areas in view.
#[component]
pub fn MapText() -> impl IntoView {
    let app = use_app();
    let tick = RwSignal::new(0u32);
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    // Listen to the map's moves once it has loaded; each stop restarts the wait.
    Effect::new(move |listening: Option<bool>| {
        if listening == Some(true) || !app.map_ready.get() {
            return listening == Some(true);
        }
        app.with_map(|m| {
            m.on(
                "moveend",
                &map::callback(move |_| {
                    if let Some(h) = timer.get_value() {
                        h.clear();
                    }
                    let next = set_timeout_with_handle(move || when_drawn(app, tick), DEBOUNCE);
                    timer.set_value(next.ok());
                }),
            );
        });
        tick.update(|t| *t += 1);
        true
    });
    let content = move || {
        tick.track();
        let larger = larger_level(app);
        let noun = match &larger {
            Some(s) => s.at.level.areas_noun(),
            None => active_layer(app.view.get(), app.indicator.get())
                .level()
                .areas_noun(),
        };
        let Some((_zoom, areas)) = areas_in_view(app, larger.as_deref()) else {
            return view! { <p>"The map is loading."</p> }.into_any();
        };
        if areas.is_empty() {
            return view! { <p>{words::map_text_zoom_in(noun)}</p> }.into_any();
        }
        let rows = described(app, larger.as_deref(), areas);
        let total = rows.len();
        let listed = total.min(words::MAP_TEXT_ROWS);
        let body = rows
            .into_iter()
            .take(listed)
            .map(|(_, a, text)| {
                view! {
                    <tr>
                        <th scope="row">{a.name}</th>
                        <td>{a.code}</td>
                        <td>{text}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p data-testid="map-text-summary">{words::map_text_summary(total, listed, noun)}</p>
            <table data-testid="map-text-table">
                <thead>
                    <tr>
                        <th scope="col">"Area"</th>
                        <th scope="col">"Code"</th>
                        <th scope="col">"Value"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            {(total > listed).then(|| view! { <p>{words::map_text_more(total - listed, noun)}</p> })}
        }
        .into_any()
    };
    view! {
        <section class="sr-only" id="map-text" aria-labelledby="map-text-title">
            <h2 id="map-text-title">"The map in words"</h2>
            <p data-testid="map-text-legend">{move || legend_words(app)}</p>
            {content}
        </section>
    }
}
