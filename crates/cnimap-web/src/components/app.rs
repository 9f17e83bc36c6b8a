//! The root component: state from the URL, the URL kept in step, and the page layout.

use leptos::prelude::*;

use crate::camera::{CameraRequest, FIT_MAX_ZOOM};
use crate::components::controls::Controls;
use crate::components::help::{provide_help, HelpButton, HelpDialog};
use crate::components::left_behind::LeftBehindPanel;
use crate::components::legend::Legend;
use crate::components::map_text::MapText;
use crate::components::map_view::MapView;
use crate::components::panel::Panel;
use crate::components::search::Search;
use crate::components::status::Status;
use crate::history;
use crate::state::AppState;
use crate::url_state::{UrlState, ViewMode};
use cnimap_core::help::HelpId;

/// Moves the map to the selected area once its details arrive, when the selection asked for it
/// (a shared link, the left-behind list).
fn fit_selected_on_arrival(app: AppState) {
    Effect::new(move |_| {
        let Some(Some((selection, Ok(detail)))) = app.detail.get() else {
            return;
        };
        let current = app
            .selected
            .with_untracked(|s| s.as_ref() == Some(&selection));
        if current && app.fit_selected.get_untracked() {
            app.fit_selected.set(false);
            app.camera_request.set(Some(CameraRequest::Fit {
                bbox_wgs84: detail.bbox_wgs84,
                max_zoom: FIT_MAX_ZOOM,
            }));
        }
    });
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let app = AppState::from_url(&UrlState::parse(&history::current_query()));
    provide_context(app);
    provide_help();
    history::sync(app);
    fit_selected_on_arrival(app);
    crate::components::change_view::provide_change(app);
    crate::components::level_picker::provide_levels(app);
    let _ = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && app.selected.get_untracked().is_some() {
            let in_search =
                crate::dom::active_element().is_some_and(|el| el.id() == "search-input");
            if !in_search {
                app.close_panel();
            }
        }
    });

    view! {
        <main class="app" class:has-panel=move || app.selected.with(Option::is_some) class:has-table=move || app.table.with(Option::is_some) class:embed=move || app.pages.with(|p| p.embed)>
            <a
                class="skip-link"
                href="#search-input"
                on:click=move |ev| {
                    ev.prevent_default();
                    crate::dom::focus("#search-input");
                }
            >
                "Skip to search"
            </a>
            <MapView/>
            <MapText/>
            <aside class="sidebar" aria-label="Map controls">
                <header class="brand">
                    <h1>"cnimap"</h1>
                    <p>"Community need and deprivation in England’s neighbourhoods"</p>
                    <HelpButton topic=HelpId::CommunityNeeds label=Signal::stored("Help: questions and answers".to_string())/>
                </header>
                <Search/>
                <Controls/>
                <Status/>
                // The legend comes straight after what it explains, so the first screen of the
                // card shows it (on a phone too); the tools follow in a group of their own.
                <details class="legend-box" open>
                    <summary>"Legend"</summary>
                    <Legend/>
                    <Show when=move || app.view.get() == ViewMode::LeftBehind>
                        <LeftBehindPanel/>
                    </Show>
                </details>
                <div class="tools" role="group" aria-label="Tools">
                    <crate::components::table_view::TableToggle/>
                    <crate::components::postcodes::PostcodeLookup/>
                    <crate::components::custom_areas::YourAreas/>
                    <crate::components::png_export::PngExportButton/>
                </div>
                <footer class="sources">
                    <details>
                        // The short credit is for phones, where the long one would take three lines
                        // of the top card; both name every source, and the list says more.
                        <summary>
                            <span class="credit-long">"Data: MHCLG (Indices of Deprivation 2025, 2019), OCSI / Local Trust (Community Needs Index 2023, 2019), ONS and OS boundaries. Sources and licences"</span>
                            <span class="credit-short">"Data: MHCLG, OCSI / Local Trust, ONS, OS. Sources and licences"</span>
                        </summary>
                        <ul>
                            {move || {
                                app.current_meta()
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
            <crate::components::table_view::TableView/>
            <crate::components::compare::CompareView/>
            <crate::components::embed::EmbedLink/>
            <HelpDialog/>
        </main>
    }
}
