//! The root component: state from the URL, data loading, URL updates and the page layout.

use std::sync::Arc;

use cnimap_core::api::ValuesResponse;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::controls::Controls;
use crate::components::left_behind::LeftBehindPanel;
use crate::components::legend::Legend;
use crate::components::map_view::MapView;
use crate::components::panel::Panel;
use crate::components::search::Search;
use crate::components::status::Status;
use crate::state::{indicator_layer, AppState, Pair, PAIR_CNI, PAIR_IMD, PAIR_LAYER};
use crate::url_state::{UrlState, ViewMode};

fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Fetches the values of `indicator` on `layer`, from the cache when already fetched. Counts the
/// request in `app.loading`.
async fn load_values(
    app: AppState,
    layer: &str,
    indicator: &str,
) -> Result<Arc<ValuesResponse>, ApiError> {
    let key = format!("{layer}/{indicator}");
    if let Some(v) = app.cache.with_value(|c| c.get(&key).cloned()) {
        return Ok(v);
    }
    app.loading.update(|n| *n += 1);
    let result = api::values(layer, indicator).await.map(Arc::new);
    app.loading.update(|n| *n = n.saturating_sub(1));
    if let Ok(v) = &result {
        app.cache.update_value(|c| {
            c.insert(key, v.clone());
        });
    }
    result
}

fn load_meta(app: AppState) {
    spawn_local(async move {
        app.loading.update(|n| *n += 1);
        let result = api::indicators().await;
        app.loading.update(|n| *n = n.saturating_sub(1));
        match result {
            Ok(meta) => app.meta.set(Some(Arc::new(meta))),
            Err(e) => app.report(e.to_string()),
        }
    });
}

/// Loads whatever the current view needs whenever the view or indicator changes.
fn load_data(app: AppState) {
    Effect::new(move |_| {
        let view = app.view.get();
        let indicator = app.indicator.get();
        match view {
            ViewMode::Choropleth => {
                let Some(layer) = indicator_layer(&indicator) else {
                    app.report(format!("There is no indicator called “{indicator}”."));
                    return;
                };
                spawn_local(async move {
                    match load_values(app, layer.id(), &indicator).await {
                        Ok(v) => {
                            if app.indicator.get_untracked() == indicator {
                                app.values.set(Some(v));
                            }
                        }
                        Err(e) => app.report(e.to_string()),
                    }
                });
            }
            ViewMode::Bivariate | ViewMode::LeftBehind => {
                if app.pair.with_untracked(Option::is_some) {
                    return;
                }
                spawn_local(async move {
                    let imd = load_values(app, PAIR_LAYER.id(), PAIR_IMD).await;
                    let cni = load_values(app, PAIR_LAYER.id(), PAIR_CNI).await;
                    match (imd, cni) {
                        (Ok(imd), Ok(cni)) => app.pair.set(Some(Pair { imd, cni })),
                        (Err(e), _) | (_, Err(e)) => app.report(e.to_string()),
                    }
                });
            }
        }
        if view == ViewMode::LeftBehind && app.areas21.with_untracked(Option::is_none) {
            spawn_local(async move {
                app.loading.update(|n| *n += 1);
                let result = api::layer_areas(PAIR_LAYER.id()).await;
                app.loading.update(|n| *n = n.saturating_sub(1));
                match result {
                    Ok(a) => app.areas21.set(Some(Arc::new(a))),
                    Err(e) => app.report(e.to_string()),
                }
            });
        }
    });
}

/// Writes the state into the URL (replacing the history entry) whenever it changes.
fn sync_url(app: AppState) {
    Effect::new(move |_| {
        app.indicator.track();
        app.view.track();
        app.threshold.track();
        app.hidden.track();
        app.selected.track();
        app.camera.track();
        let query = app.to_url().to_query();
        if let Some(window) = web_sys::window() {
            if window.location().search().ok().as_deref() != Some(query.as_str()) {
                if let Ok(history) = window.history() {
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&query),
                    );
                }
            }
        }
    });
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let app = AppState::from_url(&UrlState::parse(&current_query()));
    provide_context(app);
    load_meta(app);
    load_data(app);
    sync_url(app);
    window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && app.selected.get_untracked().is_some() {
            let in_search = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|el| el.id() == "search-input");
            if !in_search {
                app.selected.set(None);
            }
        }
    });

    view! {
        <main class="app" class:has-panel=move || app.selected.with(Option::is_some)>
            <MapView/>
            <aside class="sidebar" aria-label="Map controls">
                <header class="brand">
                    <h1>"cnimap"</h1>
                    <p>"Community need and deprivation in England’s neighbourhoods"</p>
                </header>
                <Search/>
                <Controls/>
                <Status/>
                <details class="legend-box" open>
                    <summary>"Legend"</summary>
                    <Legend/>
                    <Show when=move || app.view.get() == ViewMode::LeftBehind>
                        <LeftBehindPanel/>
                    </Show>
                </details>
                <footer class="sources">
                    <details>
                        <summary>
                            "Data: MHCLG (Indices of Deprivation 2025, 2019), OCSI / Local Trust (Community Needs Index 2023, 2019), ONS and OS boundaries. Sources and licences"
                        </summary>
                        <ul>
                            {move || {
                                app.meta
                                    .get()
                                    .map(|m| {
                                        m.attribution
                                            .iter()
                                            .map(|a| view! { <li>{a.clone()}</li> })
                                            .collect_view()
                                    })
                            }}
                        </ul>
                    </details>
                </footer>
            </aside>
            <Panel/>
        </main>
    }
}
