//! The view tabs (one indicator, IMD x CNI, left behind), a WAI-ARIA tab list moved with the
//! arrow keys, Home and End, the indicator picker in the tab panel, and the what-if weights of
//! the combined indices the view draws ([`weights`]).

mod weights;

use cnimap_core::catalogue::{IndicatorId, Source, CATALOGUE};
use cnimap_core::left_behind::LEFT_BEHIND_PAIR;
use leptos::prelude::*;

use crate::dom;
use crate::keys::tab_target;
use crate::state::use_app;
use crate::url_state::ViewMode;
use crate::words::short_name;

const VIEWS: [(ViewMode, &str); 4] = [
    (ViewMode::Choropleth, "One indicator"),
    (ViewMode::Bivariate, "IMD × CNI"),
    (ViewMode::LeftBehind, "Left behind"),
    (ViewMode::Change, "Change"),
];

/// View tabs and, for the choropleth, the indicator `<select>` grouped by dataset.
#[component]
pub fn Controls() -> impl IntoView {
    let app = use_app();
    let tabs = VIEWS
        .into_iter()
        .enumerate()
        .map(|(i, (view, label))| {
            let selected = move || app.view.get() == view;
            // Arrow keys, Home and End select another tab and move focus to it.
            let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
                if let Some(target) = tab_target(&ev.key(), i, VIEWS.len()) {
                    ev.prevent_default();
                    let (next, _) = VIEWS[target];
                    app.set_view(next);
                    dom::focus(&format!("#{}", tab_id(next)));
                }
            };
            view! {
                <button
                    type="button"
                    role="tab"
                    class="tab"
                    id=tab_id(view)
                    aria-controls="view-panel"
                    aria-selected=move || if selected() { "true" } else { "false" }
                    tabindex=move || if selected() { "0" } else { "-1" }
                    class:active=selected
                    on:click=move |_| app.set_view(view)
                    on:keydown=on_keydown
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    let pair_words = move || {
        let (need, dep) = (LEFT_BEHIND_PAIR.need, LEFT_BEHIND_PAIR.deprivation);
        match app.view.get() {
            ViewMode::Choropleth => String::new(),
            ViewMode::Bivariate => format!(
                "Each {} coloured by its third on the {} and on the {}: the legend says which is which.",
                LEFT_BEHIND_PAIR.level.area_noun(),
                dep.def().title,
                need.def().title
            ),
            ViewMode::Change => crate::change::VIEW_WORDS.to_string(),
            ViewMode::LeftBehind => format!(
                "The {} within the worst X% on both the {} and the {}: choose X below.",
                LEFT_BEHIND_PAIR.level.areas_noun(),
                short_name(need),
                short_name(dep)
            ),
        }
    };

    let description = move || {
        let id = app.indicator.get();
        let from_meta = app.current_meta().and_then(|m| {
            m.indicators.iter().find(|i| i.id == id.as_str()).map(|i| {
                format!(
                    "{} Source: {}; {}.",
                    i.description, i.source_title, i.rank_phrase
                )
            })
        });
        let def = id.def();
        from_meta.unwrap_or_else(|| format!("{} Source: {}.", def.description, def.source.title()))
    };

    view! {
        <div class="tabs" role="tablist" aria-label="What the map shows">{tabs}</div>
        <div
            id="view-panel"
            role="tabpanel"
            aria-labelledby=move || tab_id(app.view.get())
        >
        <Show
            when=move || app.view.get() == ViewMode::Choropleth
            fallback=move || view! { <p class="description">{pair_words}</p> }
        >
            <label class="field-label" for="indicator">"Indicator"</label>
            <select
                id="indicator"
                prop:value=move || app.indicator.get().as_str()
                on:change=move |ev| match IndicatorId::parse(&event_target_value(&ev)) {
                    Ok(id) => app.indicator.set(id),
                    Err(e) => app.report(e.to_string()),
                }
            >
                {indicator_options()}
            </select>
            <p class="description">{description}</p>
            <crate::components::level_picker::LevelPicker/>
        </Show>
        <weights::WhatIfWeights/>
        </div>
    }
}

/// The id of a view's tab.
fn tab_id(view: ViewMode) -> String {
    format!("tab-{}", view.id())
}

/// The `<optgroup>`s of the indicator picker: one per dataset, domains and sub-domains indented.
fn indicator_options() -> impl IntoView {
    Source::ALL
        .into_iter()
        .map(|source| {
            let options = CATALOGUE
                .iter()
                .filter(|d| d.source == source)
                .map(|d| {
                    let depth = match d.parent {
                        None => "",
                        Some(p) if p.contains('_') => "\u{2003}\u{2003}",
                        Some(_) => "\u{2003}",
                    };
                    view! { <option value=d.id>{format!("{depth}{}", d.title)}</option> }
                })
                .collect_view();
            view! { <optgroup label=source.title()>{options}</optgroup> }
        })
        .collect_view()
}
